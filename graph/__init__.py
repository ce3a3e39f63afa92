"""nevkg: a knowledge graph of China's new-energy-vehicle (NEV) industrial chain.

The library builds the graph from the curated tables in ``data/``, validates it,
queries it, projects it to NetworkX, draws it and exports subgraphs. It never
prints or exits; every failure is a :class:`graph.errors.NevkgError`.
Heavy modules (rdflib, pyoxigraph, networkx, pyvis) are imported by the
submodules that need them, so ``import graph`` stays cheap.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nevkg")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = ["__version__"]
