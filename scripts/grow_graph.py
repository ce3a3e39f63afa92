#!/usr/bin/env python3
"""Grow the built graph to a target number of triples with the real graph's shape, for benchmarks.

Copy k of the real graph renames every instance IRI under ``https://w3id.org/nevkg/id/`` (chain links,
companies, facilities, specialisations, supply relations, observations, sources) by appending ``-gK`` to
its key, and keeps the ontology, the 364 divisions, the China/World areas and the scheme shared. So each
copy is a whole chain with its companies, facilities and figures, spread over the same provinces and
cities: per-chain-link answers keep their size and per-province answers grow with the copies, as they
would with more data. Labels stay as they are. Output: N-Triples (which the Turtle parsers read).

    python3 scripts/grow_graph.py --triples 1000000 -o exports/benchmarks/nev-kg-1m.nt
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/nevkg/id/"
SHARED = ("division/", "area/", "scheme/", "dataset/")


def grow(source: Path, target_triples: int, output: Path) -> int:
    """Write ``output`` with at least ``target_triples`` triples grown from ``source``; return the count.

    Raises ValueError if ``target_triples`` is smaller than the source graph.
    """
    import pyoxigraph as ox

    triples = [q.triple for q in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE)]
    if target_triples < len(triples):
        raise ValueError(f"{source} already has {len(triples)} triples")

    def renamable(term) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(ID) and \
            not term.value[len(ID):].startswith(SHARED)
    shared = [t for t in triples if not any(renamable(x) for x in (t.subject, t.object))]
    per_copy = [t for t in triples if any(renamable(x) for x in (t.subject, t.object))]
    copies = max(1, -(-(target_triples - len(shared)) // len(per_copy)))  # ceiling
    output.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    cache: dict[str, ox.NamedNode] = {}
    with open(output, "wb") as out:
        out.write(ox.serialize(shared, format=ox.RdfFormat.N_TRIPLES))
        written += len(shared)
        for k in range(copies):
            cache.clear()

            def rename(term):
                if not renamable(term):
                    return term
                node = cache.get(term.value)
                if node is None:
                    node = cache[term.value] = ox.NamedNode(f"{term.value}-g{k}") if k else term
                return node
            batch = [ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in per_copy]
            out.write(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES))
            written += len(batch)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "exports" / "nev-kg.ttl")
    parser.add_argument("--triples", type=int, required=True, help="target size (at least)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    n = grow(args.source, args.triples, args.output)
    print(f"wrote {args.output}: {n} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
