#!/usr/bin/env python3
"""Time the pages and the exports; write the figures to exports/benchmarks/pages-exports.json and print them.

    python3 scripts/benchmark_pages_exports.py [--exports DIR] [--repeat N]

Measures, on the built graph (run ``nevkg build`` first; the script builds it if missing):
``viz all`` (projecting the graph and writing every page, as the command does), the size of the pages,
and each export format for the largest province (most triples in its subgraph), each from a loaded store
and property graph (loading is timed apart), and each again as the whole command (``python -m graph ...``). Targets on a 2-core
machine: ``viz all`` under 20 s; every single export under 2 s.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_ALL_S, TARGET_EXPORT_S = 20.0, 2.0


def main() -> int:
    from bench_common import timed
    from graph.build import EXPORTS_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exports", type=Path, default=EXPORTS_DIR)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the median is reported")
    args = parser.parse_args()

    from click.testing import CliRunner

    from graph.cli import main as cli
    from graph.export import (FORMATS, export_files, property_graph, rdf_subgraph, select, subgraph)
    from graph.names import DivisionIndex
    from graph.store import Store
    from graph.viz import PageGraphs, write_all

    ttl = args.exports / "nev-kg.ttl"
    if not ttl.exists():
        result = CliRunner().invoke(cli, ["--exports", str(args.exports), "build"])
        if result.exit_code:
            print(result.output, file=sys.stderr)
            return 1
    figures: dict = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
                     "targets_s": {"viz_all": TARGET_ALL_S, "export": TARGET_EXPORT_S}}
    t_load, store = timed(lambda: Store.from_turtle(ttl), 1)
    figures["load_store_s"] = round(t_load, 3)

    with tempfile.TemporaryDirectory() as tmp:
        def viz_all():
            pg = PageGraphs.from_store(store)
            return write_all(pg, Path(tmp) / "html")
        t_all, paths = timed(viz_all, args.repeat)
        pages = [p for p in paths if p.suffix == ".html"]
        sizes = sorted(p.stat().st_size for p in pages)
        by_kind: dict[str, list[int]] = {}
        for p in pages:
            kind = next((k for k in ("region", "chain-link", "company") if p.name.startswith(k + "-")), p.stem)
            by_kind.setdefault(kind, []).append(p.stat().st_size)
        figures["viz_all"] = {
            "seconds": round(t_all, 3), "pages": len(pages), "files": len(paths),
            "total_bytes": sum(p.stat().st_size for p in paths), "largest_page_bytes": sizes[-1],
            "median_page_bytes": int(statistics.median(sizes)),
            "page_bytes_by_kind": {k: {"count": len(v), "max": max(v), "median": int(statistics.median(v))}
                                   for k, v in sorted(by_kind.items())},
            "within_target": t_all < TARGET_ALL_S}

        t_p, P = timed(lambda: property_graph(store), 1)
        figures["property_graph_s"] = round(t_p, 3)
        index = DivisionIndex.from_store(store)
        provinces = [d for d in index.divisions.values() if d.level == "province"]
        sized = {d.code: len(rdf_subgraph(store, select(store, P, divisions=[d]))) for d in provinces}
        largest = max(provinces, key=lambda d: (sized[d.code], d.code))
        figures["largest_province"] = {"code": largest.code, "name": str(largest), "triples": sized[largest.code]}
        exports = {}
        for fmt in FORMATS:
            def one(fmt=fmt):
                selection = select(store, P, divisions=[largest])
                files = export_files(store, P, selection, fmt, Path(tmp) / "out" / "largest")
                return sum(len(b) for b in files.values())
            t, size = timed(one, args.repeat)
            exports[fmt] = {"seconds": round(t, 3), "bytes": size, "within_target": t < TARGET_EXPORT_S}
        # the whole command, as a user runs it: start-up, loading the graph, selecting, writing
        for fmt in FORMATS:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "graph", "--exports", str(args.exports), "export", "--province",
                            largest.code, "--format", fmt, "-o", str(Path(tmp) / "cli" / "largest"), "--force"],
                           check=True, capture_output=True, cwd=ROOT)
            exports[fmt]["command_seconds"] = round(time.perf_counter() - start, 3)
            exports[fmt]["within_target"] = exports[fmt]["within_target"] and exports[fmt]["command_seconds"] < TARGET_EXPORT_S
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "graph", "--exports", str(args.exports), "viz", "all", "-o",
                        str(Path(tmp) / "cli-html")], check=True, capture_output=True, cwd=ROOT)
        figures["viz_all"]["command_seconds"] = round(time.perf_counter() - start, 3)
        figures["viz_all"]["within_target"] = figures["viz_all"]["within_target"] and \
            figures["viz_all"]["command_seconds"] < TARGET_ALL_S
        figures["exports"] = exports
        figures["selection_s"] = round(timed(lambda: select(store, P, divisions=[largest]), args.repeat)[0], 3)
        H = subgraph(P, select(store, P, divisions=[largest]))
        figures["largest_subgraph"] = {"nodes": H.number_of_nodes(), "edges": H.number_of_edges()}

    out = args.exports / "benchmarks" / "pages-exports.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"viz all: {figures['viz_all']['seconds']:.2f} s (the command: {figures['viz_all']['command_seconds']:.2f} s) "
          f"for {figures['viz_all']['pages']} pages "
          f"({figures['viz_all']['total_bytes'] / 1e6:.1f} MB; largest page "
          f"{figures['viz_all']['largest_page_bytes'] / 1e3:.0f} kB) — target {TARGET_ALL_S:.0f} s")
    print(f"exports of {largest} ({sized[largest.code]} triples; store load {t_load:.2f} s, "
          f"property graph {t_p:.2f} s, selection {figures['selection_s']:.2f} s):")
    for fmt, row in exports.items():
        print(f"  {fmt:8} {row['seconds']:6.3f} s  (the command: {row['command_seconds']:5.2f} s)  "
              f"{row['bytes'] / 1e3:8.1f} kB"
              f"{'' if row['within_target'] else '  OVER TARGET'}")
    print(f"wrote {out}")
    ok = figures["viz_all"]["within_target"] and all(r["within_target"] for r in exports.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
