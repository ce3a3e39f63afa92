"""Write rows (lists of dicts) as an aligned text table, CSV or JSON; used by the CLI for analyses."""
from __future__ import annotations

import csv
import io
import json
import unicodedata

__all__ = ["display_width", "rows_to_text"]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian wide characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def rows_to_text(rows: list[dict], fmt: str, columns: list[str] | None = None) -> str:
    """``rows`` as ``table`` (aligned text), ``csv`` or ``json`` (a list of objects, UTF-8, keys sorted as
    given). ``columns`` picks and orders the keys (default: the first row's keys). Raises ``ValueError``
    for another format."""
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(r.get(c)) for c in columns] for r in rows])
        return buf.getvalue()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    cells = [columns] + [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - display_width(c)) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
