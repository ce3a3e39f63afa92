#!/usr/bin/env python3
"""Benchmark the SPARQL stack; writes exports/benchmarks/sparql.json (figures) and prints a summary.

For each size (the real graph, and graphs grown by scripts/grow_graph.py to 1M and 10M triples) and each
store (Oxigraph in memory, the default; Oxigraph on disk): load time, every library query (median of
--repeat runs, example parameters bound), the projection to NetworkX and the analyses. Beside them,
rdflib's in-memory engine (rdflib.Graph, its own Turtle parser) on the same queries, each in a worker
process with a time limit. At the real size also: `nevkg build`, `nevkg query` from a cold start, and the
endpoint (`nevkg serve`, 2 workers) under 8 concurrent clients sending 2,000 library queries.

    python3 scripts/benchmark_sparql.py                      # real size and 1M (a few minutes)
    python3 scripts/benchmark_sparql.py --sizes real,1m,10m  # adds 10M (benchmark only; tens of minutes)
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_common import timed  # noqa: E402
from graph.query import bind_parameters, library  # noqa: E402
from graph.store import DiskStore, Store, _with_values  # noqa: E402

SIZES = {"real": None, "1m": 1_000_000, "10m": 10_000_000}


def library_texts(store) -> dict[str, str]:
    """Each library query's text with its example parameters bound (as Store.query binds them)."""
    return {name: _with_values(q.text, bind_parameters(store, q.example_bindings(), q))
            for name, q in library().items()}


def bench_queries(store, texts, repeat) -> dict[str, float]:
    out = {}
    for name, text in texts.items():
        store.query(text)  # warm
        out[name], _ = timed(lambda: store.query(text), repeat)
    return out


def _rdflib_worker(conn, path):
    from rdflib import Graph

    t = time.perf_counter()
    kg = Graph()
    kg.parse(path, format="nt" if str(path).endswith(".nt") else "turtle")
    conn.send(time.perf_counter() - t)
    while True:
        text = conn.recv()
        if text is None:
            return
        t = time.perf_counter()
        result = kg.query(text)
        list(result) if result.type == "SELECT" else None
        conn.send(time.perf_counter() - t)


def bench_rdflib(path, texts, limit) -> tuple[float, dict]:
    """(parse seconds, {query: seconds or None past ``limit``}) for rdflib's in-memory engine."""
    context = multiprocessing.get_context("spawn")

    def start():
        conn, child = context.Pipe()
        proc = context.Process(target=_rdflib_worker, args=(child, str(path)), daemon=True)
        proc.start()
        return conn, proc, conn.recv()
    conn, proc, parse = start()
    out = {}
    for name, text in texts.items():
        conn.send(text)
        if conn.poll(limit):
            out[name] = conn.recv()
        else:
            out[name] = None
            proc.kill()
            conn, proc, _ = start()
    conn.send(None)
    proc.join(5)
    proc.kill()
    return parse, out


def bench_analyses(store) -> dict[str, float]:
    from graph.analysis.chokepoints import chokepoints
    from graph.analysis.communities import clusters
    from graph.analysis.completeness import completeness_ranking
    from graph.projection import company_graph, division_graph, observation_table, supply_graph

    out = {}
    out["supply_graph"], S = timed(lambda: supply_graph(store))
    out["division_graph"], D = timed(lambda: division_graph(store, S))
    out["company_graph"], _ = timed(lambda: company_graph(store, S))
    out["observation_table"], obs = timed(lambda: observation_table(store))
    out["completeness_ranking"], _ = timed(lambda: completeness_ranking(D, S))
    out["chokepoints"], _ = timed(lambda: chokepoints(S, D, obs))
    out["clusters"], _ = timed(lambda: clusters(D))
    return out


def bench_cold_start(repeat=5) -> float:
    cmd = [sys.executable, "-m", "graph", "query", "chain-links-by-stage"]
    return timed(lambda: subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True), repeat)[0]


def bench_build() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "graph", "--exports", tmp, "build"]
        return timed(lambda: subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True))[0]


def bench_endpoint(turtle, texts, clients=8, total=2000) -> dict:
    from graph.serve import make_server

    server = make_server(turtle, port=0, workers=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = server.url + "/sparql"
    queries = [t for n, t in texts.items() if not n.endswith("-violation")]
    latencies, errors, lock = [], [], threading.Lock()

    def client(n):
        for i in range(total // clients):
            text = queries[(n * 7 + i) % len(queries)]
            request = urllib.request.Request(url, text.encode("utf-8"), {
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"})  # region-subgraph is a CONSTRUCT
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    r.read()
                    ok = r.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            dt = time.perf_counter() - t
            with lock:
                (latencies if ok else errors).append(dt)
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    latencies.sort()
    return {"clients": clients, "queries": len(latencies) + len(errors), "errors": len(errors),
            "median_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
            "queries_per_second": round((len(latencies) + len(errors)) / wall, 1)}


def graph_file(size: str, real: Path, folder: Path) -> Path:
    if SIZES[size] is None:
        return real
    from grow_graph import grow

    path = folder / f"nev-kg-{size}.nt"
    if not path.exists() or path.stat().st_mtime < real.stat().st_mtime:
        grow(real, SIZES[size], path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,1m", help="comma-separated: real, 1m, 10m")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--rdflib-sizes", default="real", help="sizes at which rdflib is measured too")
    parser.add_argument("--rdflib-limit", type=float, default=120.0, help="seconds per rdflib query")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "exports" / "benchmarks" / "sparql.json")
    args = parser.parse_args()
    real = ROOT / "exports" / "nev-kg.ttl"
    folder = args.output.parent
    folder.mkdir(parents=True, exist_ok=True)
    report = {"unit": "seconds (median) unless named _ms", "repeat": args.repeat,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()}, "sizes": {}}
    for size in args.sizes.split(","):
        path = graph_file(size, real, folder)
        repeat = args.repeat if size != "10m" else 1
        entry: dict = {"file": path.name}
        entry["load_memory"], memory = timed(lambda: Store.from_turtle(path))
        entry["triples"] = len(memory)
        location = Path(tempfile.mkdtemp(prefix="nevkg-bench-")) / "kg.oxigraph"
        entry["load_disk_first"], disk = timed(lambda: DiskStore.open(path, location))
        del disk
        entry["load_disk_again"], disk = timed(lambda: DiskStore.open(path, location))
        texts = library_texts(memory)
        stores = {"memory": memory, "disk": disk}
        entry["queries"] = {name: bench_queries(s, texts, repeat) for name, s in stores.items()}
        entry["analyses"] = {name: bench_analyses(s) for name, s in stores.items()}
        if size in args.rdflib_sizes.split(","):
            parse, times = bench_rdflib(path, texts, args.rdflib_limit)
            entry["load_rdflib"] = parse
            entry["queries"]["rdflib"] = times
            ours = sum(entry["queries"]["memory"][n] for n, t in times.items() if t is not None)
            theirs = sum(t for t in times.values() if t is not None)
            entry["rdflib_over_memory_whole_library"] = round(theirs / ours, 1)
            entry["rdflib_timeouts"] = sorted(n for n, t in times.items() if t is None)
        if size == "real":
            entry["cold_start_nevkg_query"] = bench_cold_start()
            if not args.skip_build:
                entry["build"] = bench_build()
            entry["endpoint"] = bench_endpoint(path, texts)
        memory_times = entry["queries"]["memory"]
        entry["slowest_memory_query"] = max(memory_times, key=memory_times.get)
        entry["slowest_memory_query_ms"] = round(memory_times[entry["slowest_memory_query"]] * 1000, 2)
        entry["median_memory_query_ms"] = round(statistics.median(memory_times.values()) * 1000, 2)
        report["sizes"][size] = entry
        del memory, disk, stores
        args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{size}: {entry['triples']} triples, load memory {entry['load_memory']:.2f} s, disk first "
              f"{entry['load_disk_first']:.2f} s, again {entry['load_disk_again']:.3f} s; library median "
              f"{entry['median_memory_query_ms']} ms, slowest {entry['slowest_memory_query']} "
              f"{entry['slowest_memory_query_ms']} ms"
              + (f"; rdflib x{entry['rdflib_over_memory_whole_library']}" if "load_rdflib" in entry else ""),
              flush=True)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
