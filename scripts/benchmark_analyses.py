"""Benchmark the projection and every analysis on the full graph; writes exports/benchmarks/analyses.json.

Run after `nevkg build`: python scripts/benchmark_analyses.py [--repeat N]
Each figure is the median wall time in seconds over N runs (default 5).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_common import timed  # noqa: E402
from graph.analysis.capacity import capacity_vs_demand  # noqa: E402
from graph.analysis.chokepoints import chokepoints  # noqa: E402
from graph.analysis.communities import centrality, clusters  # noqa: E402
from graph.analysis.completeness import completeness, completeness_ranking  # noqa: E402
from graph.analysis.dependencies import dependencies, dependency_matrix  # noqa: E402
from graph.analysis.paths import downstream, upstream  # noqa: E402
from graph.analysis.report import region_report  # noqa: E402
from graph.analysis.similarity import similar  # noqa: E402
from graph.build import EXPORTS_DIR, write_atomic  # noqa: E402
from graph.projection import company_graph, division_graph, observation_table, supply_graph  # noqa: E402
from graph.store import Store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("-o", "--output", type=Path, default=EXPORTS_DIR / "benchmarks" / "analyses.json")
    args = parser.parse_args()
    figures = {}
    figures["load_store"], store = timed(lambda: Store.from_turtle(EXPORTS_DIR / "nev-kg.ttl"), args.repeat)

    def project():
        S = supply_graph(store)
        return S, division_graph(store, S), company_graph(store, S), observation_table(store)

    figures["projection"], (S, D, C, obs) = timed(project, args.repeat)
    shaanxi = "https://w3id.org/nevkg/id/division/610000"
    lithium = "https://w3id.org/nevkg/id/chain-link/lithium-carbonate"
    cells = "https://w3id.org/nevkg/id/chain-link/battery-cells"
    labels = {n: (d["label_en"], d["label_zh"]) for n, d in S.nodes(data=True)}
    analyses = {
        "completeness": lambda: completeness(D, S, shaanxi),
        "completeness_all": lambda: completeness_ranking(D, S),
        "chokepoints": lambda: chokepoints(S, D, obs),
        "upstream": lambda: upstream(S, D, cells),
        "downstream": lambda: downstream(S, D, lithium),
        "similar": lambda: similar(D, S, shaanxi),
        "clusters": lambda: clusters(D),
        "centrality": lambda: centrality(D),
        "capacity": lambda: capacity_vs_demand(obs, labels),
        "dependencies": lambda: dependencies(D, S, shaanxi),
        "dependency_matrix": lambda: dependency_matrix(D, S),
        "report": lambda: region_report(S, D, C, obs, shaanxi),
    }
    for name, fn in analyses.items():
        figures[name], _ = timed(fn, args.repeat)
    figures["all_analyses"] = sum(figures[name] for name in analyses if name != "report")
    out = {"unit": "seconds (median)", "repeat": args.repeat, "machine": {"cpus": os.cpu_count(),
           "python": platform.python_version(), "platform": platform.platform()},
           "graph": {"triples": len(store), "chain_links": S.number_of_nodes(), "supply_edges": S.number_of_edges(),
                     "presence_edges": D.number_of_edges()},
           "figures": {k: round(v, 4) for k, v in figures.items()}}
    write_atomic(args.output, (json.dumps(out, indent=1) + "\n").encode("utf-8"))
    print(json.dumps(out["figures"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
