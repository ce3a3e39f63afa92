"""Subgraph exports for reports.

:func:`region_subgraph` selects a region's subgraph with the named query
``ontology/queries/region-subgraph.rq`` (the region bound as a parameter, never
pasted into the text); :func:`write_graph` writes a graph in a chosen format,
atomically, and refuses to overwrite unless asked.
"""
from __future__ import annotations

from pathlib import Path

from .build import ONTOLOGY_DIR, write_atomic
from .errors import NevkgError
from .namespaces import PREFIXES, iri

__all__ = ["RDF_FORMATS", "region_subgraph", "graph_bytes", "write_graph"]

# extension -> rdflib serializer name
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def region_subgraph(store, division, ontology_dir: Path = ONTOLOGY_DIR):
    """The rdflib graph of one division's region (see the query's header for what it holds).

    ``division`` is a :class:`graph.names.Division`; prefixes are bound for readable output.
    """
    import pyoxigraph as ox

    text = (ontology_dir / "queries" / "region-subgraph.rq").read_text(encoding="utf-8")
    kg = store.construct(text, {"region": ox.NamedNode(str(iri("division", division.code)))})
    for prefix, ns in PREFIXES.items():
        kg.bind(prefix, ns, override=True, replace=True)
    return kg


def graph_bytes(kg, fmt: str) -> bytes:
    """``kg`` serialised as ``fmt`` (a key of :data:`RDF_FORMATS`), UTF-8."""
    if fmt not in RDF_FORMATS:
        raise NevkgError(f"unknown export format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    if fmt == "nt":  # sorted lines: the same graph gives the same bytes
        lines = kg.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(set(lines)))
    return kg.serialize(format=RDF_FORMATS[fmt], encoding="utf-8")


def write_graph(kg, path: Path, fmt: str, force: bool = False) -> Path:
    """Write ``kg`` to ``path`` as ``fmt``; raise :class:`NevkgError` if ``path`` exists and not ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise NevkgError(f"{path} exists; pass --force to overwrite it")
    return write_atomic(path, graph_bytes(kg, fmt))
