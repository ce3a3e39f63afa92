"""Project the RDF graph into NetworkX graphs; analyses never read RDF themselves.

Three graphs, all keyed by IRI (str), deterministic in their iteration order:

* :func:`supply_graph` — the directed supply graph of chain links;
* :func:`division_graph` — the bipartite division–chain-link presence graph;
* :func:`company_graph` — the bipartite company–chain-link graph.

Supply graph node attributes:

``iri`` (str), ``kind`` (``"chain_link"``), ``id`` (the chain link's id),
``label_en``, ``label_zh`` (str), ``stage`` (``upstream``/``midstream``/
``downstream``), ``parent`` (IRI or None), ``segment`` (IRI of its top-level
ancestor), ``segment_label_en``, ``segment_label_zh``, ``source`` (IRI).

Edge ``u -> v`` means u is an input to v; attributes ``kind`` (``supply`` or
``recycling``) and ``source`` (IRI of the cited source, or None).
"""
from __future__ import annotations

__all__ = ["supply_graph", "division_graph", "company_graph", "division_nodes", "observation_table"]

_NODES = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?c ?id ?en ?zh ?stage ?parent ?source WHERE {
  ?c a nev:ChainLink ; skos:notation ?id ; skos:prefLabel ?en , ?zh ; nev:stage/skos:notation ?stage .
  FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
  OPTIONAL { ?c skos:broader ?parent } OPTIONAL { ?c dcterms:source ?source }
}"""

_EDGES = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?a ?b ?recycling ?source WHERE {
  ?r a nev:SupplyRelation ; nev:supplier ?a ; nev:recipient ?b .
  OPTIONAL { ?r dcterms:source ?source }
  BIND(EXISTS { ?a nev:recycledInto ?b } AS ?recycling)
}"""


def _rows(store, sparql: str) -> list[tuple]:
    """The rows of a SELECT as tuples of lexical values (None where unbound), sorted.

    Sorting here rather than by ORDER BY keeps the projection deterministic at about half the cost on
    large graphs (Oxigraph sorts on terms, Python on plain strings).
    """
    rows = [tuple(None if t is None else t.value for t in row) for row in store.query(sparql).rows]
    rows.sort(key=lambda row: tuple("" if v is None else v for v in row))
    return rows


def supply_graph(store):
    """The supply graph ``G`` (``networkx.DiGraph``) of a :class:`graph.store.Store`.

    Nodes and edges carry the attributes of the module docstring; iteration
    order is sorted by IRI, so results built on it are deterministic.
    """
    import networkx as nx

    G = nx.DiGraph()
    for c, cid, en, zh, stage, parent, source in _rows(store, _NODES):
        G.add_node(c, iri=c, kind="chain_link", id=cid, label_en=en, label_zh=zh, stage=stage, parent=parent,
                   source=source)
    for n, data in G.nodes(data=True):
        top = n
        while G.nodes[top]["parent"]:
            top = G.nodes[top]["parent"]
        data.update(segment=top, segment_label_en=G.nodes[top]["label_en"],
                    segment_label_zh=G.nodes[top]["label_zh"])
    for a, b, recycling, source in _rows(store, _EDGES):
        G.add_edge(a, b, kind="recycling" if recycling == "true" else "supply", source=source)
    return G


_DIVISIONS = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
SELECT ?d ?code ?kind ?en ?zh ?parent ?lon ?lat WHERE {
  ?d nev:divisionCode ?code ; a ?kind ; skos:prefLabel ?en , ?zh .
  FILTER(?kind IN (nev:ProvinceLevelDivision, nev:PrefectureLevelDivision))
  FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
  OPTIONAL { ?d geo:sfWithin ?parent } OPTIONAL { ?d wgs:long ?lon ; wgs:lat ?lat }
} ORDER BY ?code"""

# evidence that a chain link is present in a division: (division, chain link, kind, via, source)
_PRESENCE = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?d ?c ?kind ?via ?source WHERE {
  {
    ?via a nev:Specialisation ; nev:division ?d ; nev:chainLink ?c ; nev:evidence/<http://www.w3.org/2004/02/skos/core#notation> ?e .
    BIND(CONCAT("specialisation:", ?e) AS ?kind)
  } UNION {
    ?via a nev:Facility ; nev:locatedIn ?d ; nev:activeIn ?c . BIND("facility" AS ?kind)
  } UNION {
    ?via a nev:Company ; nev:headquarteredIn ?d ; nev:activeIn ?c . BIND("headquarters" AS ?kind)
  }
  OPTIONAL { ?via dcterms:source ?source }
}"""

_COMPANIES = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?co ?en ?zh ?hq ?c ?via WHERE {
  ?co a nev:Company ; skos:prefLabel ?en , ?zh ; nev:headquarteredIn ?hq .
  FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
  { ?co nev:activeIn ?c . BIND(?co AS ?via) } UNION { ?co org:hasSite ?via . ?via nev:activeIn ?c }
}"""


def division_nodes(store) -> dict[str, dict]:
    """Division IRI -> attributes: ``iri``, ``kind`` (``"division"``), ``code`` (GB/T 2260), ``level``
    (``province``/``prefecture``), ``label_en``, ``label_zh``, ``province`` (IRI of its province-level
    division, itself for a province), ``lon``, ``lat`` (WGS84 degrees as float, or None)."""
    out = {}
    for d, code, kind, en, zh, parent, lon, lat in store.query(_DIVISIONS).rows:
        level = "province" if kind.value.endswith("ProvinceLevelDivision") else "prefecture"
        out[d.value] = dict(iri=d.value, kind="division", code=code.value, level=level, label_en=en.value,
                            label_zh=zh.value, province=parent.value if parent else d.value,
                            lon=float(lon.value) if lon else None, lat=float(lat.value) if lat else None)
    return out


def division_graph(store, chain_links=None):
    """The bipartite presence graph ``G`` (``networkx.Graph``) of divisions and chain links.

    Nodes: every division (attributes of :func:`division_nodes`, ``bipartite=0``) and every chain link
    (attributes of :func:`supply_graph`, ``bipartite=1``); pass ``chain_links`` (a supply graph) to reuse
    one already projected. An edge (division, chain link) means the chain link is *present* in the
    division: a specialisation names it, a facility there is active in it, or a company headquartered
    there is active in it. Evidence in a prefecture-level division also counts for its province. Edge
    attributes: ``weight`` (int, number of evidence items), ``evidence`` (sorted list of
    ``(kind, via IRI, source IRI)``; kinds ``specialisation:plan|cluster|statistic|facility``,
    ``facility``, ``headquarters``), ``direct`` (bool: evidence names this division itself, not only a
    division within it).
    """
    import networkx as nx

    S = chain_links if chain_links is not None else supply_graph(store)
    divisions = division_nodes(store)
    G = nx.Graph()
    for d, attrs in divisions.items():
        G.add_node(d, bipartite=0, **attrs)
    for c, attrs in S.nodes(data=True):
        G.add_node(c, bipartite=1, **attrs)
    for d, c, kind, via, source in _rows(store, _PRESENCE):
        if d not in divisions or c not in G:
            continue
        item = (kind, via, source)
        targets = [(d, True)]
        if divisions[d]["province"] != d:
            targets.append((divisions[d]["province"], False))
        for target, direct in targets:
            if G.has_edge(target, c):
                data = G.edges[target, c]
                if item not in data["evidence"]:
                    data["evidence"].append(item)
                data["direct"] = data["direct"] or direct
            else:
                G.add_edge(target, c, evidence=[item], direct=direct)
    for _, _, data in G.edges(data=True):
        data["evidence"].sort(key=lambda e: tuple(x or "" for x in e))
        data["weight"] = len(data["evidence"])
    return G


def company_graph(store, chain_links=None):
    """The bipartite graph ``G`` (``networkx.Graph``) of companies and the chain links they are active in.

    Company nodes: ``iri``, ``kind`` (``"company"``), ``label_en``, ``label_zh``, ``headquarters``
    (division IRI), ``bipartite=0``; chain-link nodes as in :func:`supply_graph`, ``bipartite=1``. An edge
    means the company, or one of its facilities, is active in the chain link; ``weight`` counts the
    company itself and each such facility.
    """
    import networkx as nx

    S = chain_links if chain_links is not None else supply_graph(store)
    G = nx.Graph()
    for c, attrs in S.nodes(data=True):
        G.add_node(c, bipartite=1, **attrs)
    for co, en, zh, hq, c, via in _rows(store, _COMPANIES):
        if co not in G:
            G.add_node(co, bipartite=0, iri=co, kind="company", label_en=en, label_zh=zh, headquarters=hq)
        if c not in G:
            continue
        if G.has_edge(co, c):
            G.edges[co, c]["weight"] += 1
        else:
            G.add_edge(co, c, weight=1)
    return G


_OBSERVATIONS = """PREFIX nev: <https://w3id.org/nevkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
SELECT ?o ?measure ?c ?area ?year ?value ?unit ?source ?facility WHERE {
  ?o a nev:Observation ; nev:measure/skos:notation ?measure ; sdmx-dimension:refArea ?area ;
     sdmx-dimension:refPeriod ?year ; sdmx-measure:obsValue ?value ; sdmx-attribute:unitMeasure/skos:notation ?unit .
  OPTIONAL { ?o nev:chainLink ?c } OPTIONAL { ?o dcterms:source ?source }
  OPTIONAL { ?facility nev:capacityObservation ?o }
}"""


def observation_table(store) -> list[dict]:
    """Every observation as a dict: ``iri``, ``measure`` (notation, e.g. ``capacity``), ``chain_link`` (IRI or
    None), ``area`` (IRI of a division or of ``id:area/CN`` / ``id:area/WORLD``), ``year`` (int), ``value``
    (float, in ``unit``), ``unit`` (notation, e.g. ``GWh``), ``source`` (IRI), ``facility`` (IRI of the
    facility whose capacity it is, or None). An observation naming several chain links (a facility's
    capacity) gives one dict per chain link; sorted by IRI."""
    rows = []
    for o, measure, c, area, year, value, unit, source, facility in _rows(store, _OBSERVATIONS):
        rows.append({"iri": o, "measure": measure, "chain_link": c, "area": area, "year": int(year),
                     "value": float(value), "unit": unit, "source": source, "facility": facility})
    return rows
