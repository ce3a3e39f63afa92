"""Resolve what a user types (English name, pinyin, Chinese name, code) to a division or chain link.

Accepted forms for a division: the English name (``Shaanxi``, ``Xi'an``), the
Chinese name with or without its type (``陕西省``, ``陕西``), the GB/T 2260 code
(``610000``) and, for provinces, the ISO 3166-2 code (``CN-SN``). Matching
ignores case, spaces and apostrophes. English names follow the official
romanisation, so ``Shanxi`` is 山西 and ``Shaanxi`` is 陕西.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .errors import NameLookupError

__all__ = ["Division", "DivisionIndex", "ChainLinkIndex"]

# English exonyms in common use beside the official romanisation (Nei Mongol, Xizang)
EXONYMS = {"150000": ("Inner Mongolia",), "540000": ("Tibet",)}
_TYPE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "盟")


@dataclass(frozen=True)
class Division:
    """A division as the index knows it."""

    code: str
    level: str  # "province" or "prefecture"
    name_en: str
    name_zh: str
    iso: str | None
    parent: str | None

    def __str__(self) -> str:
        return f"{self.name_en} {self.name_zh} ({self.code})"


def _key(text: str) -> str:
    """Matching form: no spaces, apostrophes, hyphens or diacritics (Lüliang -> luliang), case-folded."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[\s'’\-]", "", text).casefold()


class DivisionIndex:
    """Look divisions up by any of their names; build it from ``divisions.csv`` rows or a store."""

    def __init__(self, divisions: list[Division]):
        self.divisions = {d.code: d for d in divisions}
        self._keys: dict[str, set[str]] = {}
        for d in divisions:
            forms = {d.code, d.name_en, d.name_zh, d.iso or "", *EXONYMS.get(d.code, ())}
            short = d.name_zh
            for suffix in _TYPE_SUFFIXES:
                if short.endswith(suffix) and len(short) > len(suffix):
                    short = short[: -len(suffix)]
                    break
            forms.add(short)
            for form in filter(None, forms):
                self._keys.setdefault(_key(form), set()).add(d.code)

    @classmethod
    def from_store(cls, store) -> "DivisionIndex":
        """Build the index from the divisions in a :class:`graph.store.Store`."""
        q = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        SELECT ?code ?kind ?en ?zh ?iso ?parent WHERE {
          ?d nev:divisionCode ?code ; a ?kind ; skos:prefLabel ?en , ?zh .
          FILTER(?kind IN (nev:ProvinceLevelDivision, nev:PrefectureLevelDivision))
          FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
          OPTIONAL { ?d nev:isoCode ?iso } OPTIONAL { ?d geo:sfWithin/nev:divisionCode ?parent } }"""
        out = []
        for code, kind, en, zh, iso, parent in store.query(q).rows:
            level = "province" if kind.value.endswith("ProvinceLevelDivision") else "prefecture"
            out.append(Division(code.value, level, en.value, zh.value, iso.value if iso else None,
                                parent.value if parent else None))
        return cls(out)

    def resolve(self, name: str, level: str | None = None) -> Division:
        """The one division called ``name`` (at ``level`` "province" or "prefecture" if given).

        Raises :class:`NameLookupError` when no division or more than one has the
        name; the message lists the candidates or close matches.
        """
        codes = [c for c in self._keys.get(_key(name), ()) if level is None or self.divisions[c].level == level]
        if len(codes) == 1:
            return self.divisions[codes[0]]
        what = f"{level}-level division" if level else "division"
        if codes:
            listed = "; ".join(str(self.divisions[c]) for c in sorted(codes))
            raise NameLookupError(f"{name!r} names more than one {what}: {listed}; give the code or Chinese name")
        pool = {k: v for k, v in self._keys.items()
                if level is None or any(self.divisions[c].level == level for c in v)}
        close = difflib.get_close_matches(_key(name), list(pool), n=6, cutoff=0.6)
        suggestions = list(dict.fromkeys(str(self.divisions[c]) for k in close for c in sorted(pool[k])
                                         if level is None or self.divisions[c].level == level))  # closest first
        hint = f"; close matches: {'; '.join(suggestions)}" if suggestions else ""
        raise NameLookupError(f"no {what} called {name!r}{hint}")


class ChainLinkIndex:
    """Look chain links up by id (``lfp-cathode``), English label or Chinese label (``磷酸铁锂正极``)."""

    def __init__(self, S):
        """``S``: the supply graph of :func:`graph.projection.supply_graph` (nodes carry id and labels)."""
        self.S = S
        self._keys: dict[str, set[str]] = {}
        for n, d in S.nodes(data=True):
            for form in (d["id"], d["label_en"], d["label_zh"], n):
                self._keys.setdefault(_key(form), set()).add(n)

    def resolve(self, name: str) -> str:
        """The IRI of the one chain link called ``name``; :class:`NameLookupError` with close matches when
        none or several are."""
        found = sorted(self._keys.get(_key(name), ()))
        if len(found) == 1:
            return found[0]
        describe = lambda n: f"{self.S.nodes[n]['id']} ({self.S.nodes[n]['label_en']} {self.S.nodes[n]['label_zh']})"
        if found:
            raise NameLookupError(f"{name!r} names more than one chain link: {'; '.join(map(describe, found))}")
        close = difflib.get_close_matches(_key(name), list(self._keys), n=6, cutoff=0.6)
        suggestions = sorted({describe(n) for k in close for n in self._keys[k]})
        hint = f"; close matches: {'; '.join(suggestions)}" if suggestions else ""
        raise NameLookupError(f"no chain link called {name!r}{hint}")
