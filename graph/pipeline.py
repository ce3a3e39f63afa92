"""The main job behind ``nevkg all``: build, validate, analyse, draw and export into ``exports/``."""
from __future__ import annotations

import json
from pathlib import Path

from .build import build_graph, serialize, write_atomic
from .formats import rows_to_text
from .stats import class_counts
from .validate import validate

__all__ = ["build_and_write", "file_name", "write_analyses", "write_region_exports"]

TTL = "nev-kg.ttl"


def file_name(text: str) -> str:
    """A lower-case file-name form of an English name: ``Xi'an`` -> ``xi-an``."""
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower()


def build_and_write(data: Path, exports: Path) -> dict:
    """Build from ``data``, validate (raises on any violation), write ``exports/nev-kg.ttl`` atomically;
    return :func:`graph.stats.class_counts`."""
    kg = build_graph(data)
    validate(kg)
    write_atomic(exports / TTL, serialize(kg))
    return class_counts(kg)


def write_region_exports(store, exports: Path) -> list[Path]:
    """Write every province's subgraph as Turtle to ``exports/regions/CODE-NAME.ttl`` (the same selection as
    ``nevkg export --province``); return the paths."""
    from .export import property_graph, rdf_subgraph, select, write_graph
    from .names import DivisionIndex

    index = DivisionIndex.from_store(store)
    P = property_graph(store)
    paths = []
    for division in sorted((d for d in index.divisions.values() if d.level == "province"), key=lambda d: d.code):
        path = exports / "regions" / f"{division.code}-{file_name(division.name_en)}.ttl"
        kg = rdf_subgraph(store, select(store, P, divisions=[division]))
        paths.append(write_graph(kg, path, "ttl", force=True))
    return paths


def write_analyses(store, exports: Path) -> list[Path]:
    """Run the chain-wide analyses and a report per province; write CSV tables to
    ``exports/analyses/`` and Markdown reports to ``exports/reports/``. Returns the paths written."""
    from .analysis.capacity import capacity_vs_demand
    from .analysis.chokepoints import chokepoints
    from .analysis.communities import centrality, clusters
    from .analysis.completeness import completeness_ranking
    from .analysis.dependencies import dependency_matrix
    from .analysis.report import region_report
    from .projection import company_graph, division_graph, observation_table, supply_graph

    S = supply_graph(store)
    D = division_graph(store, S)
    C = company_graph(store, S)
    obs = observation_table(store)
    labels = {n: (d["label_en"], d["label_zh"]) for n, d in S.nodes(data=True)}
    tables = {
        "completeness-provinces": completeness_ranking(D, S),
        "completeness-prefectures": completeness_ranking(D, S, level="prefecture"),
        "chokepoints": chokepoints(S, D, obs),
        "centrality": centrality(D),
        "clusters": clusters(D),
        "capacity": capacity_vs_demand(obs, labels),
        "dependency-matrix": dependency_matrix(D, S),
    }
    paths = []
    for name, rows in tables.items():
        paths.append(write_atomic(exports / "analyses" / f"{name}.csv", rows_to_text(rows, "csv").encode("utf-8")))
    summary = {name: len(rows) for name, rows in tables.items()}
    paths.append(write_atomic(exports / "analyses" / "summary.json",
                              (json.dumps(summary, indent=1) + "\n").encode("utf-8")))
    for d, data in sorted(D.nodes(data=True)):
        if data.get("kind") == "division" and data["level"] == "province":
            text = region_report(S, D, C, obs, d)
            path = exports / "reports" / f"{data['code']}-{file_name(data['label_en'])}.md"
            paths.append(write_atomic(path, text.encode("utf-8")))
    return paths
