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

# English names in common use beside the names of divisions.csv (Hanyu Pinyin of the Chinese name): the
# exonyms of two provinces and the romanisations from the Mongolian, Tibetan and Uyghur names used by Xinhua and
# the State Council Information Office for cities of those regions (Hohhot, not Huhehaote).
EXONYMS = {
    "150000": ("Inner Mongolia",), "540000": ("Tibet",),
    "150100": ("Hohhot",), "150600": ("Ordos",), "150700": ("Hulunbuir",), "150800": ("Bayannur",),
    "150900": ("Ulanqab",), "152200": ("Hinggan",), "152500": ("Xilingol",), "152900": ("Alxa",),
    "540100": ("Lhasa",), "540200": ("Xigaze", "Shigatse"), "540300": ("Qamdo", "Chamdo"), "540400": ("Nyingchi",),
    "540600": ("Nagqu",), "542500": ("Ngari",),
    "650100": ("Urumqi",), "650200": ("Karamay",), "650400": ("Turpan",), "653100": ("Kashgar",),
    "653200": ("Hotan",), "654000": ("Ili",), "654300": ("Altay",),
}
# English type words a user may add to a name, and the level each implies ("Jilin City" is the prefecture,
# "Jilin Province" the province; words between the name and "Autonomous ..." name the people: "Yanbian Korean
# Autonomous Prefecture")
_EN_TYPE = re.compile(r"^(?P<name>.+?)\s+(?:(?P<province>province|autonomous\s+region|municipality|sar)|"
                      r"(?P<prefecture>city|prefecture|autonomous\s+prefecture|league|region))$", re.IGNORECASE)
# outside the graph's scope (mainland China): said so rather than offered close matches
_OUT_OF_SCOPE = {"hongkong", "xianggang", "香港", "macao", "macau", "aomen", "澳门", "澳門", "taiwan", "台湾", "臺灣"}
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
        # second tier, for names typed with an English type word: the English names without theirs
        self._bare: dict[str, set[str]] = {}
        for d in divisions:
            for form in (d.name_en, *EXONYMS.get(d.code, ())):
                m = _EN_TYPE.match(form)
                self._bare.setdefault(_key(m["name"] if m else form), set()).add(d.code)

    def _typed(self, name: str) -> set[str]:
        """Codes for ``name`` written with an English type word, the word deciding the level (a municipality
        is a city too); empty if it has none."""
        m = _EN_TYPE.match(name.strip())
        if not m:
            return set()
        words = m["name"].split()
        for n in range(len(words), 0, -1):  # "Yanbian Korean" -> "Yanbian"
            found = self._bare.get(_key(" ".join(words[:n])), set()) | self._keys.get(_key(" ".join(words[:n])), set())
            if m["province"]:
                found = {c for c in found if self.divisions[c].level == "province"}
            else:
                found = {c for c in found if self.divisions[c].level == "prefecture"
                         or self.divisions[c].name_zh.endswith("市")}
            if found:
                return found
        return set()

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
        found = self._keys.get(_key(name)) or self._typed(name)
        codes = [c for c in found if level is None or self.divisions[c].level == level]
        if len(codes) == 1:
            return self.divisions[codes[0]]
        what = f"{level}-level division" if level else "division"
        if not codes and found:  # the name is a division, at the other level
            listed = "; ".join(f"{self.divisions[c]}, a {self.divisions[c].level}-level division"
                               + (f" in {self.divisions[self.divisions[c].parent]}" if self.divisions[c].parent else "")
                               for c in sorted(found))
            raise NameLookupError(f"{name!r} is {listed}; give a {what}")
        m = _EN_TYPE.match(name.strip())
        if _key(name) in _OUT_OF_SCOPE or (m and _key(m["name"]) in _OUT_OF_SCOPE):
            raise NameLookupError(f"{name!r} is outside the graph, which covers the 31 province-level divisions of "
                                  "mainland China")
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

    @classmethod
    def from_store(cls, store) -> "ChainLinkIndex":
        """Build the index from the chain links in a :class:`graph.store.Store` (ids and labels only)."""
        import networkx as nx

        q = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c ?id ?en ?zh WHERE { ?c a nev:ChainLink ; skos:notation ?id ; skos:prefLabel ?en , ?zh .
          FILTER(LANG(?en) = "en" && LANG(?zh) = "zh") }"""
        S = nx.DiGraph()
        for c, cid, en, zh in store.query(q).rows:
            S.add_node(c.value, id=cid.value, label_en=en.value, label_zh=zh.value)
        return cls(S)

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
