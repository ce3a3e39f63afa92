"""Coverage and integrity audit of the curated data (``nevkg audit``).

:func:`table_problems` reads the tables leniently and lists every fact without a
source and every reference that dangles (the build stops at the first; the
audit lists them all). :func:`coverage` reports what the graph covers and what
it lacks, from the projection.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from .build import DATA_DIR, TABLE_FILES
from .tables import split_list

__all__ = ["table_problems", "coverage", "STALE_YEARS"]

STALE_YEARS = 3
# table -> {column: referenced table (or "source")}
REFERENCES = {
    "chain_links": {"parent": "chain_links", "source": "sources"},
    "supply": {"input": "chain_links", "output": "chain_links", "source": "sources"},
    "companies": {"hq_division": "divisions", "chain_links": "chain_links", "source": "sources"},
    "facilities": {"company": "companies", "division": "divisions", "chain_links": "chain_links", "source": "sources"},
    "specialisations": {"division": "divisions", "chain_link": "chain_links", "source": "sources"},
    "observations": {"chain_link": "chain_links", "source": "sources"},
    "divisions": {"parent": "divisions", "source": "sources"},
}
KEYS = {"sources": "id", "divisions": "code", "chain_links": "id", "companies": "id"}


def _rows(path: Path) -> list[tuple[int, dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        out, line = [], 1
        for row in reader:
            out.append((line + 1, row))
            line = reader.line_num
        return out


def table_problems(data_dir: Path = DATA_DIR) -> list[dict]:
    """Every fact row without a source and every dangling reference, across all tables.

    Returns dicts ``file``, ``line``, ``field``, ``problem``, sorted by file and line. Reading errors
    (a missing file, bad encoding) are reported as problems too rather than raised.
    """
    tables, problems = {}, []
    for name in TABLE_FILES:
        try:
            tables[name] = _rows(data_dir / f"{name}.csv")
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.append({"file": f"{name}.csv", "line": 0, "field": "-", "problem": f"unreadable: {exc}"})
            tables[name] = []
    keys = {name: {row.get(col, "") for _, row in tables[name]} for name, col in KEYS.items()}
    for name, refs in REFERENCES.items():
        for line, row in tables[name]:
            for field, target in refs.items():
                value = (row.get(field) or "").strip()
                if field == "source" and not value:
                    problems.append({"file": f"{name}.csv", "line": line, "field": field, "problem": "no source"})
                    continue
                for item in split_list(value) if value else []:
                    if name == "observations" and field == "area":
                        continue
                    if item not in keys[target]:
                        problems.append({"file": f"{name}.csv", "line": line, "field": field,
                                         "problem": f"dangling reference {item!r} (not in {target}.csv)"})
    return sorted(problems, key=lambda p: (p["file"], p["line"], p["field"]))


_STATS = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?kind ?s ?asof WHERE {
  VALUES ?kind { nev:ChainLink nev:SupplyRelation nev:Company nev:Facility nev:Specialisation nev:Observation }
  ?s a ?kind . OPTIONAL { ?s nev:asOf ?asof }
}"""

_UNCITED = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?src WHERE { ?src a nev:SourceDocument FILTER NOT EXISTS { ?x dcterms:source ?src } } ORDER BY ?src"""

_NO_FACILITY = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?c WHERE { ?c a nev:Company FILTER NOT EXISTS { ?c org:hasSite ?f } } ORDER BY ?c"""


def coverage(store, S, D, C, observations: list[dict], today: dt.date | None = None) -> dict:
    """What the graph covers, as a dict of counts and lists (IRIs):

    ``counts`` (instances per kind), ``chain_links_per_stage``, ``chain_links_named_in_no_region`` and
    ``chain_links_without_company`` (no evidence in any division names the chain link itself, though it may
    be present through a narrower one / no company or facility active in it), ``provinces_without_chain_link``, ``prefectures_with_chain_link`` (count) and
    ``prefectures_without_chain_link``, ``companies_without_facility``, ``sources_never_cited``,
    ``stale`` (facts whose as-of year is before ``stale_before``, :data:`STALE_YEARS` years before ``today``,
    per kind),
    ``provinces_with_nev_output`` (province-level divisions with an NEV production figure).
    """
    today = today or dt.date.today()
    counts, stale = {}, {}
    for kind, s, asof in store.query(_STATS).rows:
        name = kind.value.rsplit("#", 1)[-1]
        counts[name] = counts.get(name, 0) + 1
        if asof is not None and int(asof.value[:4]) < today.year - STALE_YEARS:
            stale[name] = stale.get(name, 0) + 1
    divisions = {d: x for d, x in D.nodes(data=True) if x.get("kind") == "division"}
    direct = {d for d, c, x in D.edges(data=True) if x.get("direct")} | {c for d, c, x in D.edges(data=True)
                                                                           if x.get("direct")}
    stages: dict[str, int] = {}
    for _, stage in S.nodes(data="stage"):
        stages[stage] = stages.get(stage, 0) + 1
    vehicles = {n for n, i in S.nodes(data="id") if i == "vehicles"}
    with_output = sorted({o["area"] for o in observations if o["measure"] == "production" and o["chain_link"] in vehicles
                          and o["area"] in divisions and divisions[o["area"]]["level"] == "province"})
    return {
        "counts": dict(sorted(counts.items())),
        "chain_links_per_stage": dict(sorted(stages.items())),
        "chain_links_named_in_no_region": sorted(n for n in S if n not in direct),
        "chain_links_without_company": sorted(n for n in S if n not in C or C.degree(n) == 0),
        "provinces_without_chain_link": sorted(d for d, x in divisions.items()
                                               if x["level"] == "province" and D.degree(d) == 0),
        "prefectures_with_chain_link": sum(1 for d, x in divisions.items()
                                           if x["level"] == "prefecture" and D.degree(d) > 0),
        "prefectures_without_chain_link": sorted(d for d, x in divisions.items()
                                                 if x["level"] == "prefecture" and D.degree(d) == 0),
        "companies_without_facility": [r[0].value for r in store.query(_NO_FACILITY).rows],
        "sources_never_cited": [r[0].value for r in store.query(_UNCITED).rows],
        "stale_before": today.year - STALE_YEARS,
        "stale": dict(sorted(stale.items())),
        "provinces_with_nev_output": with_output,
    }
