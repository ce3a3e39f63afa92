"""Read and check the curated CSV tables of ``data/``.

Each table has a spec: its columns, which are required, and how each cell is
parsed. :func:`read_table` returns rows as dicts of parsed values with the line
each came from; the first bad cell raises :class:`DataError` naming
``FILE:LINE: field``. Cross-table references are checked by :mod:`graph.build`.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from .errors import DataError

__all__ = ["Row", "TABLES", "read_table", "split_list"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DIVISION_CODE = re.compile(r"^[1-8]\d{5}$")
GBT4754 = re.compile(r"^[A-T]\d{4}$")
HS6 = re.compile(r"^\d{6}$")
STOCK = re.compile(r"^(SH|SZ|BJ|HK|NASDAQ|NYSE|SGX|LSE|FWB):[A-Z0-9.]+$")
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")  # GB 32100-2015 charset
ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
ISO_3166_2_CN = re.compile(r"^CN-[A-Z]{2}$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`\[\]]+$")  # characters RFC 3987 forbids in an IRI left out


@dataclass(frozen=True)
class Row:
    """One parsed table row: ``path`` and ``line`` locate it, ``values`` maps column -> parsed value."""

    path: Path
    line: int
    values: dict

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        v = self.values.get(key)
        return default if v in (None, "", []) else v

    def error(self, field: str, message: str) -> DataError:
        """A :class:`DataError` located at this row and ``field``."""
        return DataError(self.path, self.line, field, message)


def split_list(text: str) -> list[str]:
    """``"a;b"`` -> ``["a", "b"]``; empty text -> ``[]``."""
    return [part.strip() for part in text.split(";") if part.strip()] if text else []


def _text(v: str) -> str:
    if v != v.strip():
        raise ValueError("has leading or trailing spaces")
    return v


def _slug(v: str) -> str:
    if not SLUG.match(v):
        raise ValueError(f"{v!r} is not an id (lower-case letters, digits and single hyphens)")
    return v


def _pattern(regex: re.Pattern, what: str) -> Callable[[str], str]:
    def check(v: str) -> str:
        if not regex.match(v):
            raise ValueError(f"{v!r} is not {what}")
        return v
    return check


def _list_of(check: Callable[[str], str]) -> Callable[[str], list[str]]:
    def parse(v: str) -> list[str]:
        return [check(item) for item in split_list(v)]
    parse.is_list = True
    return parse


def _date(v: str) -> str:
    if not ISO_DATE.match(v):
        raise ValueError(f"{v!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in v.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise ValueError(f"{v!r} is not a real date ({exc})") from None
    return v


def _year(v: str) -> int:
    if not re.match(r"^(19|20)\d{2}$", v):
        raise ValueError(f"{v!r} is not a four-digit year")
    return int(v)


def _decimal(v: str) -> Decimal:
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise ValueError(f"{v!r} is not a plain decimal number") from None
    if not d.is_finite() or not re.match(r"^-?\d+(\.\d+)?$", v):
        raise ValueError(f"{v!r} is not a plain decimal number (no units, commas or exponents)")
    return d


def _choice(*options: str) -> Callable[[str], str]:
    def check(v: str) -> str:
        if v not in options:
            raise ValueError(f"{v!r} is not one of {', '.join(options)}")
        return v
    return check


def _decimal_in(lo: int, hi: int) -> Callable[[str], Decimal]:
    def check(v: str) -> Decimal:
        x = _decimal(v)
        if not lo <= x <= hi:
            raise ValueError(f"{v} is outside [{lo}, {hi}]")
        return x
    return check


def _area(v: str) -> str:
    if v in ("CN", "WORLD") or DIVISION_CODE.match(v):
        return v
    raise ValueError(f"{v!r} is not a GB/T 2260 code, CN or WORLD")


R, O = True, False  # required, optional
STAGES = ("upstream", "midstream", "downstream")
_division = _pattern(DIVISION_CODE, "a six-digit GB/T 2260 code")

# table name -> {column: (required, parser)}; column order is the documented order.
TABLES: dict[str, dict[str, tuple[bool, Callable]]] = {
    "sources": {
        "id": (R, _slug), "url": (O, _pattern(URL, "an http(s) URL that is a valid IRI (encode spaces and <>\"{}|\\^`[] as %XX)")),
        "document": (O, _text), "title": (R, _text), "publisher": (R, _text), "published": (O, _date),
        "accessed": (R, _date),
    },
    "divisions": {
        "code": (R, _division), "level": (R, _choice("province", "prefecture")), "parent": (O, _division),
        "name_zh": (R, _text), "name_en": (R, _text), "type_zh": (R, _text), "type_en": (R, _text),
        "iso3166_2": (O, _pattern(ISO_3166_2_CN, "an ISO 3166-2:CN code")),
        "lon": (O, _decimal_in(73, 136)), "lat": (O, _decimal_in(3, 54)), "source": (R, _list_of(_slug)),
    },
    "chain_links": {
        "id": (R, _slug), "parent": (O, _slug), "stage": (R, _choice(*STAGES)),
        "label_en": (R, _text), "label_zh": (R, _text), "definition_en": (R, _text), "definition_zh": (R, _text),
        "gbt4754": (O, _list_of(_pattern(GBT4754, "a GB/T 4754-2017 class code such as C3841"))),
        "hs": (O, _list_of(_pattern(HS6, "a six-digit HS code"))),
        "source": (R, _list_of(_slug)), "as_of": (R, _date),
    },
    "supply": {
        "input": (R, _slug), "output": (R, _slug), "kind": (R, _choice("supply", "recycling")),
        "source": (R, _list_of(_slug)), "as_of": (R, _date), "note": (O, _text),
    },
    "companies": {
        "id": (R, _slug), "label_en": (R, _text), "label_zh": (R, _text), "hq_division": (R, _division),
        "chain_links": (R, _list_of(_slug)),
        "stock_code": (O, _list_of(_pattern(STOCK, "a stock code such as SZ:300750"))),
        "uscc": (O, _pattern(USCC, "an 18-character Unified Social Credit Code")),
        "source": (R, _list_of(_slug)), "as_of": (R, _date),
    },
    "facilities": {
        "id": (R, _slug), "company": (R, _slug), "label_en": (R, _text), "label_zh": (R, _text),
        "division": (R, _division), "chain_links": (R, _list_of(_slug)), "capacity": (O, _decimal),
        "capacity_unit": (O, _text), "capacity_year": (O, _year), "source": (R, _list_of(_slug)), "as_of": (R, _date),
    },
    "specialisations": {
        "division": (R, _division), "chain_link": (R, _slug),
        "evidence": (R, _choice("facility", "plan", "cluster", "statistic")),
        "source": (R, _list_of(_slug)), "as_of": (R, _date), "note": (O, _text),
    },
    "observations": {
        "id": (R, _slug), "measure": (R, _text), "chain_link": (O, _slug), "area": (R, _area),
        "year": (R, _year), "value": (R, _decimal), "unit": (R, _text), "source": (R, _list_of(_slug)),
        "as_of": (R, _date), "note": (O, _text),
    },
}


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_table(path: Path, table: str) -> list[Row]:
    """Read ``path`` as the table ``table`` of :data:`TABLES`.

    Returns a list of :class:`Row` in file order. Raises :class:`DataError` for
    a file that is not UTF-8, a header that lacks a documented column or has an
    unknown one, a row with the wrong number of cells, an empty required cell,
    a cell that does not parse, or a duplicate ``id`` (or ``code``).
    """
    spec = TABLES[table]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, _line_of_offset(raw, exc.start), "-",
                        f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    text = text.removeprefix("\ufeff")
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(path, 1, "-", "empty file: the header row is missing") from None
    missing = [c for c in spec if c not in header]
    unknown = [c for c in header if c not in spec]
    if missing or unknown:
        what = "; ".join(filter(None, [missing and f"missing {', '.join(missing)}",
                                       unknown and f"unknown {', '.join(unknown)}"]))
        raise DataError(path, 1, "header", f"{what} (expected {','.join(spec)})")
    key = "id" if "id" in spec else ("code" if "code" in spec else None)
    seen: dict[str, int] = {}
    rows = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, start, "-", f"malformed CSV ({exc})") from None
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DataError(path, start, "-", f"{len(cells)} cells where the header has {len(header)}")
        values = {}
        for column, cell in zip(header, cells):
            required, parse = spec[column]
            if cell == "":
                if required:
                    raise DataError(path, start, column, "is required but empty")
                values[column] = [] if getattr(parse, "is_list", False) else None
                continue
            try:
                values[column] = parse(cell)
            except ValueError as exc:
                raise DataError(path, start, column, str(exc)) from None
        if key:
            if values[key] in seen:
                raise DataError(path, start, key, f"duplicate {key} {values[key]!r} (first on line {seen[values[key]]})")
            seen[values[key]] = start
        rows.append(Row(path, start, values))
    return rows
