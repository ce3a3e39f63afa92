"""Project the RDF graph into NetworkX graphs; analyses never read RDF themselves.

:func:`supply_graph` gives the directed supply graph of chain links. Node keys
are IRIs (strings); node attributes:

``iri`` (str), ``kind`` (``"chain_link"``), ``id`` (the chain link's id),
``label_en``, ``label_zh`` (str), ``stage`` (``upstream``/``midstream``/
``downstream``), ``parent`` (IRI or None), ``segment`` (IRI of its top-level
ancestor), ``segment_label_en``, ``segment_label_zh``, ``source`` (IRI).

Edge ``u -> v`` means u is an input to v; attributes ``kind`` (``supply`` or
``recycling``) and ``source`` (IRI of the cited source, or None).
"""
from __future__ import annotations

__all__ = ["supply_graph"]

_NODES = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?c ?id ?en ?zh ?stage ?parent ?source WHERE {
  ?c a nev:ChainLink ; skos:notation ?id ; skos:prefLabel ?en , ?zh ; nev:stage/skos:notation ?stage .
  FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
  OPTIONAL { ?c skos:broader ?parent } OPTIONAL { ?c dcterms:source ?source }
} ORDER BY ?c"""

_EDGES = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?a ?b ?recycling ?source WHERE {
  ?r a nev:SupplyRelation ; nev:supplier ?a ; nev:recipient ?b .
  OPTIONAL { ?r dcterms:source ?source }
  BIND(EXISTS { ?a nev:recycledInto ?b } AS ?recycling)
} ORDER BY ?a ?b"""


def _value(term):
    return None if term is None else term.value


def supply_graph(store):
    """The supply graph ``G`` (``networkx.DiGraph``) of a :class:`graph.store.Store`.

    Nodes and edges carry the attributes of the module docstring; iteration
    order is sorted by IRI, so results built on it are deterministic.
    """
    import networkx as nx

    G = nx.DiGraph()
    for c, cid, en, zh, stage, parent, source in store.query(_NODES).rows:
        G.add_node(c.value, iri=c.value, kind="chain_link", id=cid.value, label_en=en.value, label_zh=zh.value,
                   stage=stage.value, parent=_value(parent), source=_value(source))
    for n, data in G.nodes(data=True):
        top = n
        while G.nodes[top]["parent"]:
            top = G.nodes[top]["parent"]
        data.update(segment=top, segment_label_en=G.nodes[top]["label_en"],
                    segment_label_zh=G.nodes[top]["label_zh"])
    for a, b, recycling, source in store.query(_EDGES).rows:
        G.add_edge(a.value, b.value, kind="recycling" if recycling.value == "true" else "supply",
                   source=_value(source))
    return G
