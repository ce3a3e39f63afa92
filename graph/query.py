"""Run SPARQL over the built graph and write the answer in a chosen format.

Formats: ``table`` (aligned text for people, IRIs shortened with the nevkg
prefixes), ``csv``, ``tsv``, ``json`` and ``xml`` (the W3C SPARQL 1.1 Query
Results formats) for SELECT and ASK; ``ttl``, ``nt`` and ``xml`` for CONSTRUCT
and DESCRIBE (a ``table`` request on a graph result gives Turtle).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .build import ONTOLOGY_DIR
from .errors import QueryError
from .namespaces import PREFIXES
from .store import QueryResult

__all__ = ["query_text", "named_queries", "run_query", "format_result"]


def named_queries(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, Path]:
    """Map query name (file stem) -> path for ``ontology/queries/*.rq``."""
    return {p.stem: p for p in sorted((ontology_dir / "queries").glob("*.rq"))}


def query_text(query_or_file: str, ontology_dir: Path = ONTOLOGY_DIR) -> str:
    """The SPARQL text of a file path, a named query, or the argument itself if it looks like SPARQL.

    Query text given inline may use the nevkg prefixes (``nev:``, ``skos:``, ``id:``...) without declaring
    them: their declarations are added on one line before it (error positions then count from line 2).

    Raises :class:`QueryError` for a name that is neither a file, a named query nor SPARQL.
    """
    path = Path(query_or_file)
    if query_or_file.endswith(".rq") or (len(query_or_file) < 255 and path.is_file()):
        if not path.is_file():
            raise QueryError(f"no query file {query_or_file}")
        return path.read_text(encoding="utf-8")
    named = named_queries(ontology_dir)
    if query_or_file in named:
        return named[query_or_file].read_text(encoding="utf-8")
    if any(word in query_or_file.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        prologue = " ".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()
                            if f"{p}:" in query_or_file and f"PREFIX {p}:" not in query_or_file)
        return f"{prologue}\n{query_or_file}" if prologue else query_or_file
    raise QueryError(f"{query_or_file!r} is not a query file, a named query ({', '.join(named)}) or SPARQL")


def run_query(store, query_or_file: str, bindings: dict | None = None, ontology_dir: Path = ONTOLOGY_DIR):
    """Run :func:`query_text` of ``query_or_file`` on ``store``; a syntax error's ``line:column`` counts in
    the text the user gave (the added prefix line is not counted). Raises :class:`QueryError`."""
    text = query_text(query_or_file, ontology_dir)
    added = 1 if not text.startswith(query_or_file) and text.endswith(query_or_file) else 0
    try:
        return store.query(text, bindings)
    except QueryError as exc:
        if not added:
            raise
        message = re.sub(r"at (\d+):(\d+)", lambda m: f"at {int(m[1]) - added}:{m[2]}", str(exc), count=1)
        raise QueryError(message) from None


def _short(term) -> str:
    if term is None:
        return ""
    value = getattr(term, "value", str(term))
    if type(term).__name__ == "NamedNode":
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if value.startswith(ns):
                return f"{prefix}:{value[len(ns):]}"
    return value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_result(result: QueryResult, fmt: str) -> bytes:
    """Bytes of ``result`` in ``fmt`` (see the module docstring). Raises :class:`QueryError` for a bad format."""
    if fmt != "table":
        return result.serialize(fmt)
    if result.kind == "graph":
        return result.serialize("ttl")
    if result.kind == "ask":
        return b"true\n" if result.boolean else b"false\n"
    cells = [result.variables] + [[_short(t) for t in row] for row in result.rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(result.variables))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return ("\n".join(lines) + "\n").encode("utf-8")
