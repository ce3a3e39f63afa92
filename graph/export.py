"""Subgraph exports for reports: select a part of the graph, then write it in the format a reader needs.

Selecting
    :func:`property_graph` turns the whole knowledge graph into a property graph ``P``
    (``networkx.MultiDiGraph``, see its docstring), and :func:`select` picks a :class:`Selection`
    of it: a province or city (the named query ``ontology/queries/region-subgraph.rq``), chain
    links, companies, a stage, a radius of ``hops`` around these, or the resources a SPARQL
    CONSTRUCT names. :func:`rdf_subgraph` gives the selection's RDF triples, :func:`subgraph`
    its part of ``P``.

Writing
    :func:`export_files` gives the bytes of each output file of a format (Turtle, N-Triples,
    JSON-LD with a short-key context, GraphML, GEXF, CSV nodes and edges, XLSX, a PyVis page,
    PNG, SVG, Markdown) and :func:`write_files` writes them, atomically, refusing to overwrite
    unless asked. Every format is UTF-8 and deterministic (the same graph gives the same bytes).
    In CSV and XLSX a text cell beginning with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
    return) is prefixed with ``'`` so that a spreadsheet shows it as text and never runs it.

Values are bound to queries with pyoxigraph's term serialiser, never pasted in as user text.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .build import ONTOLOGY_DIR, write_atomic
from .errors import NameLookupError, NevkgError
from .namespaces import (DCTERMS, FOAF, GEO, ID, NEV, ORG, PREFIXES, PROV, QB, RDF, RDFS, SDMX_ATTR, SDMX_DIM,
                         SDMX_MEASURE, SKOS, WGS, iri)

__all__ = ["RDF_FORMATS", "FORMATS", "STAGES", "JSONLD_CONTEXT", "Selection", "graph_bytes",
           "write_graph", "property_graph", "node_key", "find_company", "select", "rdf_subgraph", "subgraph",
           "node_table", "edge_table", "neutralise", "cell_text", "markdown_summary", "export_files", "write_files", "output_paths"]

# extension -> rdflib serializer name
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
# format -> the suffixes of the files it writes
FORMATS = {"ttl": (".ttl",), "nt": (".nt",), "jsonld": (".jsonld",), "graphml": (".graphml",), "gexf": (".gexf",),
           "csv": (".nodes.csv", ".edges.csv"), "xlsx": (".xlsx",), "html": (".html",), "png": (".png",),
           "svg": (".svg",), "md": (".md",)}
STAGES = ("upstream", "midstream", "downstream")

# JSON-LD: short keys for the terms nevkg uses; prefixes for the rest
JSONLD_CONTEXT = {
    **{p: ns for p, ns in PREFIXES.items()},
    "label": {"@id": "skos:prefLabel", "@container": "@language"},
    "definition": {"@id": "skos:definition", "@container": "@language"},
    "notation": "skos:notation",
    "broader": {"@id": "skos:broader", "@type": "@id"},
    "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
    "topConceptOf": {"@id": "skos:topConceptOf", "@type": "@id"},
    "stage": {"@id": "nev:stage", "@type": "@id"},
    "inputTo": {"@id": "nev:inputTo", "@type": "@id"},
    "recycledInto": {"@id": "nev:recycledInto", "@type": "@id"},
    "supplier": {"@id": "nev:supplier", "@type": "@id"},
    "recipient": {"@id": "nev:recipient", "@type": "@id"},
    "headquarteredIn": {"@id": "nev:headquarteredIn", "@type": "@id"},
    "locatedIn": {"@id": "nev:locatedIn", "@type": "@id"},
    "activeIn": {"@id": "nev:activeIn", "@type": "@id"},
    "specialisesIn": {"@id": "nev:specialisesIn", "@type": "@id"},
    "division": {"@id": "nev:division", "@type": "@id"},
    "chainLink": {"@id": "nev:chainLink", "@type": "@id"},
    "evidence": {"@id": "nev:evidence", "@type": "@id"},
    "measure": {"@id": "nev:measure", "@type": "@id"},
    "capacityObservation": {"@id": "nev:capacityObservation", "@type": "@id"},
    "within": {"@id": "geo:sfWithin", "@type": "@id"},
    "contains": {"@id": "geo:sfContains", "@type": "@id"},
    "siteOf": {"@id": "org:siteOf", "@type": "@id"},
    "hasSite": {"@id": "org:hasSite", "@type": "@id"},
    "source": {"@id": "dcterms:source", "@type": "@id"},
    "derivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "code": "nev:divisionCode",
    "iso": "nev:isoCode",
    "divisionType": {"@id": "nev:divisionType", "@container": "@language"},
    "lon": {"@id": "wgs:long", "@type": "xsd:decimal"},
    "lat": {"@id": "wgs:lat", "@type": "xsd:decimal"},
    "gbt4754": "nev:gbt4754Code",
    "hs": "nev:hsCode",
    "stockCode": "nev:stockCode",
    "uscc": "nev:uscc",
    "asOf": "nev:asOf",
    "accessed": {"@id": "nev:accessed", "@type": "xsd:date"},
    "title": "dcterms:title",
    "publisher": "dcterms:publisher",
    "page": {"@id": "foaf:page", "@type": "@id"},
    "citation": "dcterms:bibliographicCitation",
    "issued": "dcterms:issued",
    "comment": "rdfs:comment",
    "area": {"@id": "sdmx-dimension:refArea", "@type": "@id"},
    "period": {"@id": "sdmx-dimension:refPeriod", "@type": "xsd:gYear"},
    "value": {"@id": "sdmx-measure:obsValue", "@type": "xsd:decimal"},
    "unit": {"@id": "sdmx-attribute:unitMeasure", "@type": "@id"},
    "dataSet": {"@id": "qb:dataSet", "@type": "@id"},
}

# ---------------------------------------------------------------------------------------------- RDF

def _bind(kg) -> None:
    """Bind nevkg's prefixes, and write every ``xsd:decimal`` in its canonical XSD form (``269000.0``, not
    Oxigraph's ``269000``), which is the form Turtle's shorthand gives back: a round trip then gives the
    same terms."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    for prefix, ns in PREFIXES.items():
        kg.bind(prefix, ns, override=True, replace=True)
    odd = [(s, p, o) for s, p, o in kg if isinstance(o, Literal) and o.datatype == XSD.decimal
           and "." not in str(o) and "e" not in str(o).lower()]
    for s, p, o in odd:
        kg.remove((s, p, o))
        kg.add((s, p, Literal(f"{o}.0", datatype=XSD.decimal)))


def _sorted_jsonld(value):
    """JSON-LD arrays are unordered (nevkg writes no ``@list``): sort them so the bytes are deterministic."""
    if isinstance(value, dict):
        return {k: _sorted_jsonld(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def graph_bytes(kg, fmt: str) -> bytes:
    """``kg`` serialised as ``fmt`` (a key of :data:`RDF_FORMATS`), UTF-8 and deterministic.

    JSON-LD is compacted with :data:`JSONLD_CONTEXT` (short keys such as ``label``, ``activeIn``,
    ``source``; nevkg's prefixes for the other terms). Raises :class:`NevkgError` for another format.
    """
    if fmt not in RDF_FORMATS:
        raise NevkgError(f"unknown export format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    if fmt == "nt":  # sorted lines: the same graph gives the same bytes
        lines = kg.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(set(lines)))
    if fmt == "jsonld":
        text = kg.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
        doc = json.loads(text)
        if isinstance(doc.get("@graph"), list):
            doc["@graph"] = sorted((_sorted_jsonld(n) for n in doc["@graph"]), key=lambda n: str(n.get("@id")))
        return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return kg.serialize(format=RDF_FORMATS[fmt], encoding="utf-8")


def write_graph(kg, path: Path, fmt: str, force: bool = False) -> Path:
    """Write ``kg`` to ``path`` as ``fmt``; raise :class:`NevkgError` if ``path`` exists and not ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise NevkgError(f"{path} exists; pass --force to overwrite it")
    return write_atomic(path, graph_bytes(kg, fmt))


# ----------------------------------------------------------------------------------- property graph

_KINDS = {str(NEV.ChainLink): "chain_link", str(NEV.ProvinceLevelDivision): "division",
          str(NEV.PrefectureLevelDivision): "division", str(NEV.Company): "company", str(NEV.Facility): "facility",
          str(NEV.Observation): "observation", str(NEV.SourceDocument): "source", str(GEO.Feature): "area"}
# qualified relation class -> (relation, predicate of the edge's tail, predicate of its head)
_QUALIFIED = {str(NEV.SupplyRelation): ("input_to", str(NEV.supplier), str(NEV.recipient)),
              str(NEV.Specialisation): ("specialises_in", str(NEV.division), str(NEV.chainLink))}
# literal-valued (or vocabulary-valued) predicates -> attribute; language-tagged values get ``_en``/``_zh``
_ATTRS = {str(SKOS.prefLabel): "label", str(SKOS.notation): "notation", str(SKOS.definition): "definition",
          str(NEV.divisionCode): "code", str(NEV.isoCode): "iso3166_2", str(NEV.divisionType): "type",
          str(WGS.long): "lon", str(WGS.lat): "lat", str(NEV.gbt4754Code): "gbt4754", str(NEV.hsCode): "hs",
          str(NEV.stockCode): "stock_code", str(NEV.uscc): "uscc", str(NEV.asOf): "as_of",
          str(DCTERMS.title): "title", str(DCTERMS.publisher): "publisher", str(FOAF.page): "url",
          str(DCTERMS.bibliographicCitation): "document", str(DCTERMS.issued): "published",
          str(NEV.accessed): "accessed", str(RDFS.comment): "note", str(SDMX_DIM.refPeriod): "year",
          str(SDMX_MEASURE.obsValue): "value", str(SDMX_ATTR.unitMeasure): "unit", str(NEV.measure): "measure",
          str(NEV.stage): "stage", str(NEV.evidence): "evidence", str(DCTERMS.source): "source"}
# resource-valued predicates -> relation of an edge between two nodes
_EDGES = {str(SKOS.broader): "broader", str(GEO.sfWithin): "within", str(NEV.headquarteredIn): "headquartered_in",
          str(NEV.locatedIn): "located_in", str(ORG.siteOf): "site_of", str(NEV.activeIn): "active_in",
          str(SDMX_DIM.refArea): "ref_area", str(NEV.chainLink): "about", str(NEV.capacityObservation): "capacity"}
# said again elsewhere (a shortcut, an inverse, a duplicate label) or bookkeeping: not carried over
_SKIP = {str(p) for p in (RDF.type, RDFS.label, PROV.wasDerivedFrom, SKOS.inScheme, SKOS.topConceptOf, NEV.inputTo,
                          NEV.recycledInto, NEV.specialisesIn, ORG.hasSite, GEO.sfContains, QB.dataSet,
                          NEV.supplier, NEV.recipient, NEV.division, NEV.chainLink)}
_NUMBERS = {"lon", "lat", "value"}
_RDF_TYPE, _NOTATION, _PROVINCE, _RECYCLED = str(RDF.type), str(SKOS.notation), str(NEV.ProvinceLevelDivision), \
    str(NEV.recycledInto)
_ID = str(ID)
_LANG_SUFFIX = {"label", "definition", "type"}


def node_key(resource: str) -> str:
    """The property-graph key of an IRI: the part after ``https://w3id.org/nevkg/id/`` (``chain-link/lfp-cathode``,
    ``division/610000``), or the IRI itself outside that namespace."""
    return resource[len(_ID):] if resource.startswith(_ID) else resource


def _literal(name: str, term):
    value = term.value
    if name in _NUMBERS:
        return float(value)
    if name == "year":
        return int(value[:4])
    return value


def _display_label(kind: str, attrs: dict) -> str:
    if kind == "source":
        return attrs.get("title") or attrs.get("document") or node_key(attrs["iri"])
    if kind == "observation":
        area = attrs.get("area_label", "")
        return (f"{attrs.get('measure', '')} {attrs.get('year', '')}: {_number(attrs.get('value'))} "
                f"{attrs.get('unit', '')}{' · ' + area if area else ''}").strip()
    zh, en = attrs.get("label_zh"), attrs.get("label_en")
    return " ".join(x for x in (zh, en) if x) or node_key(attrs["iri"])


def _number(value) -> str:
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.4g}"
    return "" if value is None else str(value)


def property_graph(store):
    """The whole knowledge graph as a property graph ``P`` (``networkx.MultiDiGraph``) for exports.

    Nodes, keyed by :func:`node_key`, sorted: chain links, divisions, companies, facilities,
    observations, sources and areas (China, World). Node attributes: ``kind`` (``chain_link``,
    ``division``, ``company``, ``facility``, ``observation``, ``source``, ``area``), ``iri``,
    ``label`` (for display: Chinese and English name; a source's title; an observation's measure,
    year, value and unit), and the node's own facts as scalars (str, int, float): ``label_en``,
    ``label_zh``, ``notation`` (a chain link's id), ``definition_en``/``_zh``, ``stage``, ``code``,
    ``iso3166_2``, ``type_en``/``_zh``, ``level`` (``province``/``prefecture``), ``lon``, ``lat``
    (WGS84 degrees), ``stock_code``, ``uscc``, ``measure``, ``unit``, ``year``, ``value`` (float, in
    ``unit``), ``title``, ``publisher``, ``url``, ``document``, ``published``, ``accessed``, ``note``,
    ``as_of`` (ISO 8601 text) and ``source`` (the key of the cited source node). Several values are
    joined with ``;``; absent values are left out.

    Edges ``u -> v`` are keyed by their relation, or for a qualified relation by its node's key, and
    carry ``relation``: ``input_to`` (chain link to chain link: ``kind`` ``supply``/``recycling``,
    ``iri``, ``source``, ``as_of``, ``note``), ``specialises_in`` (division to chain link: ``evidence``,
    ``iri``, ``source``, ``as_of``, ``note``), ``broader`` (chain link to its parent), ``within``
    (prefecture to province), ``headquartered_in`` (company to division), ``located_in`` (facility to
    division), ``site_of`` (facility to company), ``active_in`` (company or facility to chain link),
    ``ref_area`` (observation to division or area), ``about`` (observation to chain link) and
    ``capacity`` (facility to its capacity observation).
    """
    import networkx as nx

    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples
    types: dict[str, set[str]] = {}
    notations: dict[str, str] = {}
    for t in triples:
        s, p = t.subject.value, t.predicate.value
        if p == _RDF_TYPE:
            types.setdefault(s, set()).add(t.object.value)
        elif p == _NOTATION:
            notations[s] = t.object.value
    kinds = {}
    for s, ts in types.items():
        for cls in sorted(ts):
            if cls in _KINDS:
                kinds[s] = _KINDS[cls]
                if cls == _PROVINCE:
                    break
    qualified = {s: next(_QUALIFIED[c] for c in sorted(ts) if c in _QUALIFIED)
                 for s, ts in types.items() if ts & _QUALIFIED.keys()}
    recycled = set()
    attrs: dict[str, dict[str, list]] = {}
    ends: dict[str, dict[str, str]] = {}
    plain_edges = set()
    for t in triples:
        s, p, o = t.subject.value, t.predicate.value, t.object
        if s not in kinds and s not in qualified:
            continue
        if p == _RECYCLED:
            recycled.add((s, o.value))
        if s in qualified and p in (qualified[s][1], qualified[s][2]):
            ends.setdefault(s, {})[p] = o.value
            continue
        if p in _EDGES and s in kinds and type(o).__name__ == "NamedNode":
            if o.value in kinds:
                plain_edges.add((s, o.value, _EDGES[p]))
            continue
        if p in _SKIP or p not in _ATTRS and type(o).__name__ != "Literal":
            continue
        name = _ATTRS.get(p) or p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if type(o).__name__ == "Literal":
            if o.language and name in _LANG_SUFFIX:
                name = f"{name}_{o.language}"
            value = _literal(name, o)
        elif name == "source":
            value = node_key(o.value)
        elif name == "url":
            value = o.value
        else:
            value = notations.get(o.value, o.value.rsplit("#", 1)[-1])
        attrs.setdefault(s, {}).setdefault(name, []).append(value)

    def scalars(s: str) -> dict:
        out = {}
        for name, values in sorted(attrs.get(s, {}).items()):
            values = sorted(set(values), key=str)
            out[name] = values[0] if len(values) == 1 else ";".join(str(v) for v in values)
        return out

    P = nx.MultiDiGraph()
    for s in sorted(kinds, key=node_key):
        kind = kinds[s]
        data = {"kind": kind, "iri": s, **scalars(s)}
        if kind == "division":
            data["level"] = "province" if _PROVINCE in types[s] else "prefecture"
        P.add_node(node_key(s), **data)
    areas = {(a, b) for a, b, rel in plain_edges if rel == "ref_area"}
    for o, area in areas:
        P.nodes[node_key(o)]["area_label"] = P.nodes[node_key(area)].get("label_zh", "")
    for n, data in P.nodes(data=True):
        data["label"] = _display_label(data["kind"], data)
        data.pop("area_label", None)
    for a, b, rel in sorted(plain_edges):
        P.add_edge(node_key(a), node_key(b), key=rel, relation=rel)
    for q in sorted(qualified):
        relation, tail, head = qualified[q]
        a, b = ends.get(q, {}).get(tail), ends.get(q, {}).get(head)
        if a not in kinds or b not in kinds:
            continue
        data = {"relation": relation, "iri": q, **scalars(q)}
        if relation == "input_to":
            data["kind"] = "recycling" if (a, b) in recycled else "supply"
        P.add_edge(node_key(a), node_key(b), key=node_key(q), **data)
    return P


# ------------------------------------------------------------------------------------------ selection

@dataclass(frozen=True)
class Selection:
    """A selected subgraph: ``members`` (frozenset of IRIs: the things selected, the qualified
    relations between them and the sources they cite), ``title`` (what was selected, for people),
    ``slug`` (for file names), ``construct`` (the rdflib graph of a CONSTRUCT's triples, or None) and
    ``only_construct`` (True when the CONSTRUCT was the only selector: its triples are then the RDF
    output as they are)."""

    members: frozenset
    title: str
    slug: str
    construct: object = field(default=None, compare=False)
    only_construct: bool = False


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in text).strip("-").lower() or "subgraph"


def find_company(P, name: str) -> str:
    """The node key of the one company called ``name``: its id (``catl``), key (``company/catl``), IRI,
    English or Chinese name (case and spaces ignored). Raises :class:`NameLookupError` with close matches."""
    import difflib

    def norm(text: str) -> str:
        return "".join(text.split()).casefold()

    keys: dict[str, set[str]] = {}
    for n, d in P.nodes(data=True):
        if d["kind"] == "company":
            for form in (n, d["iri"], n.split("/", 1)[-1], d.get("label_en", ""), d.get("label_zh", "")):
                if form:
                    keys.setdefault(norm(form), set()).add(n)
    found = sorted(keys.get(norm(name), ()))
    if len(found) == 1:
        return found[0]
    describe = lambda n: f"{n.split('/', 1)[-1]} ({P.nodes[n]['label']})"  # noqa: E731
    if found:
        raise NameLookupError(f"{name!r} names more than one company: {'; '.join(map(describe, found))}")
    close = difflib.get_close_matches(norm(name), list(keys), n=6, cutoff=0.6)
    hint = sorted({describe(n) for k in close for n in keys[k]})
    raise NameLookupError(f"no company called {name!r}" + (f"; close matches: {'; '.join(hint)}" if hint else ""))


def _find_chain_link(P, name: str) -> str:
    from .names import ChainLinkIndex

    import networkx as nx

    S = nx.DiGraph()
    for n, d in P.nodes(data=True):
        if d["kind"] == "chain_link":
            S.add_node(d["iri"], id=d.get("notation", n), label_en=d.get("label_en", ""), label_zh=d.get("label_zh", ""))
    return node_key(ChainLinkIndex(S).resolve(name))


def _region_members(store, division, ontology_dir: Path) -> set[str]:
    import pyoxigraph as ox

    text = (ontology_dir / "queries" / "region-subgraph.rq").read_text(encoding="utf-8")
    result = store.query(text, {"region": ox.NamedNode(str(iri("division", division.code)))})
    return {t.subject.value for t in result.triples}


def _neighbours(P, n: str, relations: set[str], direction: str = "both") -> list[str]:
    out = []
    if direction in ("out", "both"):
        out += [v for _, v, r in P.out_edges(n, data="relation") if r in relations]
    if direction in ("in", "both"):
        out += [u for u, _, r in P.in_edges(n, data="relation") if r in relations]
    return out


def _chain_link_entities(P, c: str) -> set[str]:
    """A chain link with its inputs and dependents, narrower and broader chain links, the companies and
    facilities active in it, the divisions where one of them or a specialisation places it (with their
    provinces), and the figures about it."""
    keep = {c}
    keep |= set(_neighbours(P, c, {"input_to", "broader"}))
    actors = set(_neighbours(P, c, {"active_in"}, "in"))
    keep |= actors
    for a in actors:
        keep |= set(_neighbours(P, a, {"headquartered_in", "located_in", "site_of"}, "out"))
    keep |= set(_neighbours(P, c, {"specialises_in"}, "in"))
    keep |= set(_neighbours(P, c, {"about"}, "in"))
    for d in [n for n in keep if P.nodes[n]["kind"] == "division"]:
        keep |= set(_neighbours(P, d, {"within"}, "out"))
    return keep


def _company_entities(P, co: str) -> set[str]:
    """A company with its facilities, the chain links it and they are active in, its headquarters and the
    facilities' divisions (with their provinces), and the facilities' capacity figures."""
    keep = {co}
    facilities = set(_neighbours(P, co, {"site_of"}, "in"))
    keep |= facilities
    for n in [co, *facilities]:
        keep |= set(_neighbours(P, n, {"active_in", "headquartered_in", "located_in", "capacity"}, "out"))
    for d in [n for n in keep if P.nodes[n]["kind"] == "division"]:
        keep |= set(_neighbours(P, d, {"within"}, "out"))
    return keep


def _hop_graph(P):
    """``P`` without sources and areas (they would join everything they cite or contain), undirected."""
    H = P.to_undirected(as_view=True)
    return H.subgraph(n for n, k in P.nodes(data="kind") if k not in ("source", "area"))


def _stage_filter(P, keep: set[str], stage: str) -> set[str]:
    def stage_of(c):
        return P.nodes[c].get("stage")

    out = set()
    for n in keep:
        kind = P.nodes[n]["kind"]
        if kind == "chain_link":
            if stage_of(n) == stage:
                out.add(n)
        elif kind in ("company", "facility", "observation"):
            named = _neighbours(P, n, {"active_in", "about"}, "out")
            if kind == "company":
                for f in _neighbours(P, n, {"site_of"}, "in"):
                    named += _neighbours(P, f, {"active_in"}, "out")
            if not named or any(stage_of(c) == stage for c in named):
                out.add(n)
        else:
            out.add(n)
    return out


def _closure(P, keep: set[str]) -> frozenset:
    """IRIs of the kept nodes, of the qualified relations between two of them and of the sources they cite."""
    members = {P.nodes[n]["iri"] for n in keep}
    cited = {P.nodes[n].get("source") for n in keep}
    for u, v, data in P.subgraph(keep).edges(data=True):
        if "iri" in data:
            members.add(data["iri"])
            cited.add(data.get("source"))
    for s in cited:
        for one in (s or "").split(";"):
            if one in P:
                members.add(P.nodes[one]["iri"])
    return frozenset(members)


def select(store, P, *, divisions=(), chain_links=(), companies=(), stage: str | None = None, hops: int = 0,
           construct: str | None = None, ontology_dir: Path = ONTOLOGY_DIR) -> Selection:
    """Select a subgraph of ``P`` (:func:`property_graph` of ``store``).

    ``divisions``: :class:`graph.names.Division` objects; each adds its region (the named query
    ``region-subgraph.rq``: the division and those within it, the companies headquartered and the
    facilities located there with their owners and capacity figures, specialisations and figures,
    and the chain links these name). ``chain_links``: names (id, English or Chinese label); each
    adds the chain link, its inputs, dependents, broader and narrower chain links, the companies and
    facilities active in it with their divisions, the specialisations and figures naming it.
    ``companies``: names (see :func:`find_company`); each adds the company, its facilities, their
    chain links, divisions and capacity figures. ``construct``: a SPARQL CONSTRUCT (text, ``.rq``
    file or named query); adds every resource its triples name. ``stage`` (``upstream``,
    ``midstream``, ``downstream``): alone, every chain link of the stage; with other selectors, keeps
    only the chain links of that stage and the companies, facilities and figures naming one.
    ``hops`` (int >= 0) adds everything within that many relations of the selection (sources and the
    China/World areas are not walked through). The selection always holds the qualified relations
    (supply, specialisation) between its members and the sources they cite.

    Raises :class:`NevkgError` when nothing is selected or an argument is bad, and
    :class:`NameLookupError` for an unknown or ambiguous name.
    """
    import networkx as nx

    from .query import run_query

    if stage is not None and stage not in STAGES:
        raise NevkgError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
    if hops < 0:
        raise NevkgError("--hops must be 0 or more")
    if not (divisions or chain_links or companies or construct or stage):
        raise NevkgError("choose what to export: --province, --city, --chain-link, --company, --stage or --construct")
    keep: set[str] = set()
    titles, slugs = [], []
    by_iri = {d["iri"]: n for n, d in P.nodes(data=True)}
    for division in divisions:
        region = _region_members(store, division, ontology_dir)
        keep |= {by_iri[m] for m in region if m in by_iri and P.nodes[by_iri[m]]["kind"] != "source"}
        titles.append(f"{division.name_zh} {division.name_en} ({division.code})")
        slugs.append(f"{division.code}-{_slug(division.name_en)}")
    for name in chain_links:
        c = _find_chain_link(P, name)
        keep |= _chain_link_entities(P, c)
        titles.append(f"{P.nodes[c]['label']} [{P.nodes[c].get('notation', c)}]")
        slugs.append(f"chain-link-{_slug(P.nodes[c].get('notation', c))}")
    for name in companies:
        co = find_company(P, name)
        keep |= _company_entities(P, co)
        titles.append(P.nodes[co]["label"])
        slugs.append(f"company-{_slug(co.split('/', 1)[-1])}")
    kg_construct = None
    if construct:
        result = run_query(store, construct)
        if result.kind != "graph":
            raise NevkgError("--construct needs a CONSTRUCT (or DESCRIBE) query")
        from rdflib import Graph

        kg_construct = Graph()
        kg_construct.parse(data=result.serialize("nt"), format="nt")
        _bind(kg_construct)
        named = {t.subject.value for t in result.triples} | {t.object.value for t in result.triples
                                                            if type(t.object).__name__ == "NamedNode"}
        for m in named:
            if m in by_iri:
                keep.add(by_iri[m])
        for u, v, data in P.edges(data=True):
            if data.get("iri") in named:
                keep |= {u, v}
        titles.append(f"CONSTRUCT {Path(construct).name if construct.endswith('.rq') else 'query'}")
        slugs.append(_slug(Path(construct).stem) if construct.endswith(".rq") else "construct")
    if stage and not (divisions or chain_links or companies or construct):
        keep = {n for n, d in P.nodes(data=True) if d["kind"] == "chain_link" and d.get("stage") == stage}
    keep = {n for n in keep if P.nodes[n]["kind"] != "source"}
    if hops:
        H = _hop_graph(P)
        seeds = [n for n in sorted(keep) if n in H]
        reach = set(keep)
        for n in seeds:
            reach |= set(nx.single_source_shortest_path_length(H, n, cutoff=hops))
        keep = reach
    if stage:
        keep = _stage_filter(P, keep, stage)
        titles.append(f"stage {stage}")
        slugs.append(stage)
    if hops:
        titles.append(f"{hops} hop{'s' if hops != 1 else ''}")
        slugs.append(f"hops{hops}")
    only = bool(construct) and not (divisions or chain_links or companies or stage or hops)
    return Selection(_closure(P, keep), " · ".join(titles), "+".join(slugs), kg_construct, only)


def rdf_subgraph(store, selection: Selection):
    """The rdflib graph of a selection: every triple whose subject is a member; for a selection made by
    ``construct`` alone, exactly the CONSTRUCT's triples (with other selectors, their union)."""
    import pyoxigraph as ox
    from rdflib import Graph

    kg = Graph()
    if selection.construct is not None:
        for t in selection.construct:
            kg.add(t)
    if not selection.only_construct and selection.members:
        values = " ".join(str(ox.NamedNode(m)) for m in sorted(selection.members))
        result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
        kg.parse(data=result.serialize("nt"), format="nt")
    _bind(kg)
    return kg


def subgraph(P, selection: Selection):
    """The part of ``P`` a selection holds: its member nodes (sources included) and every edge between
    two of them; a new ``networkx.MultiDiGraph`` with the same order and attributes, titled
    ``graph["title"]``."""
    import networkx as nx

    H = nx.MultiDiGraph(title=selection.title)
    H.add_nodes_from((n, dict(d)) for n, d in P.nodes(data=True) if d["iri"] in selection.members)
    H.add_edges_from((u, v, k, dict(d)) for u, v, k, d in P.edges(keys=True, data=True) if u in H and v in H)
    return H


# -------------------------------------------------------------------------------------------- tables

_LEAD_NODE = ["node", "kind", "label", "label_zh", "label_en"]
_LEAD_EDGE = ["from", "to", "key", "relation"]
_KIND_ORDER = ["chain_link", "division", "area", "company", "facility", "observation", "source"]


def neutralise(value):
    """A cell that a spreadsheet cannot run: text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'``; numbers and other text are returned as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def node_table(H, kind: str | None = None) -> tuple[list[str], list[dict]]:
    """``(columns, rows)`` of the nodes of ``H`` (of one ``kind`` if given): a ``node`` column (the key),
    then ``kind``, ``label``, ``label_zh``, ``label_en`` and the other attributes in name order. Rows hold
    the attribute values as they are (str, int, float); sorted by kind, then key."""
    nodes = [(n, d) for n, d in H.nodes(data=True) if kind is None or d["kind"] == kind]
    nodes.sort(key=lambda nd: (_KIND_ORDER.index(nd[1]["kind"]) if nd[1]["kind"] in _KIND_ORDER else 99, nd[0]))
    names = sorted({k for _, d in nodes for k in d} - set(_LEAD_NODE))
    columns = [c for c in _LEAD_NODE if c == "node" or any(c in d for _, d in nodes)] + names
    return columns, [{"node": n, **d} for n, d in nodes]


def edge_table(H, relation: str | None = None) -> tuple[list[str], list[dict]]:
    """``(columns, rows)`` of the edges of ``H`` (of one ``relation`` if given): ``from``, ``to``, ``key``,
    ``relation``, then the other attributes in name order; sorted by relation, from, to, key."""
    edges = [(u, v, k, d) for u, v, k, d in H.edges(keys=True, data=True)
             if relation is None or d["relation"] == relation]
    edges.sort(key=lambda e: (e[3]["relation"], e[0], e[1], e[2]))
    names = sorted({k for *_, d in edges for k in d} - set(_LEAD_EDGE))
    return _LEAD_EDGE + names, [{"from": u, "to": v, "key": k, **d} for u, v, k, d in edges]


def cell_text(value) -> str:
    """The text of a cell in CSV: empty for None, ``true``/``false``, an integral float without ``.0``,
    text through :func:`neutralise`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(neutralise(value))


def _csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([cell_text(r.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


_SHEETS = {"chain_link": "chain links", "division": "divisions", "area": "areas", "company": "companies",
           "facility": "facilities", "observation": "figures", "source": "sources"}


def _xlsx_bytes(H) -> bytes:
    """One sheet per kind of node and one per relation; header row frozen, filters on; deterministic
    (fixed document dates and zip entry times)."""
    import datetime
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    kinds = sorted({k for _, k in H.nodes(data="kind")}, key=lambda k: _KIND_ORDER.index(k) if k in _KIND_ORDER else 99)
    relations = sorted({r for *_, r in H.edges(data="relation")})
    tables = [(_SHEETS.get(k, k), node_table(H, k)) for k in kinds]
    tables += [(f"rel {r}"[:31], edge_table(H, r)) for r in relations]
    if not tables:
        tables = [("nodes", (_LEAD_NODE, []))]
    for name, (columns, rows) in tables:
        ws = wb.create_sheet(title=name)
        ws.append(columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([neutralise(r.get(c)) for c in columns])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, c in enumerate(columns, start=1):
            width = max([len(str(c))] + [len(str(r.get(c, ""))) for r in rows[:200]])
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, max(8, width + 2))
    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.creator = "nevkg"
    wb.properties.created = fixed
    buf = io.BytesIO()
    wb.save(buf)
    raw = io.BytesIO(buf.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _networkx_bytes(H, writer: str) -> bytes:
    """``H`` written by networkx's ``write_graphml`` or ``write_gexf``, without graph-level attributes and
    without GEXF's modification date, so the same graph gives the same bytes."""
    import re

    import networkx as nx

    G = H.copy()
    G.graph.clear()
    buf = io.BytesIO()
    getattr(nx, writer)(G, buf, encoding="utf-8")
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buf.getvalue(), count=1)


def _graphml_bytes(H) -> bytes:
    return _networkx_bytes(H, "write_graphml")


def _gexf_bytes(H) -> bytes:
    return _networkx_bytes(H, "write_gexf")


# ------------------------------------------------------------------------------------------ Markdown

def _md(value) -> str:
    text = cell_text(value) if not isinstance(value, str) else value
    for ch, rep in (("\\", "\\\\"), ("|", "\\|"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("*", "\\*"),
                    ("_", "\\_"), ("`", "\\`"), ("[", "\\["), ("]", "\\]")):
        text = text.replace(ch, rep)
    return " ".join(text.split())


def _md_table(columns: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return lines + [""]


def markdown_summary(H, title: str | None = None) -> str:
    """A Markdown report of a subgraph ``H`` (:func:`subgraph`): counts by kind and relation, then one
    table per kind (chain links, divisions, companies, facilities, figures, specialisations, supply
    relations, sources). Text from the data is escaped (``|``, ``<``, ``*``...)."""
    title = title or H.graph.get("title") or "subgraph"
    label = lambda n: H.nodes[n].get("label", n) if n in H else n  # noqa: E731

    def named(n, relation):
        return "; ".join(sorted(label(v) for _, v, r in H.out_edges(n, data="relation") if r == relation))

    lines = [f"# nevkg subgraph: {_md(title)}", "",
             f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges.", ""]
    counts = {}
    for _, k in H.nodes(data="kind"):
        counts[k] = counts.get(k, 0) + 1
    rel_counts = {}
    for *_, r in H.edges(data="relation"):
        rel_counts[r] = rel_counts.get(r, 0) + 1
    lines += ["## Counts", ""]
    lines += _md_table(["what", "count"], [[_SHEETS.get(k, k), counts[k]] for k in sorted(counts, key=_KIND_ORDER.index)]
                       + [[f"relation: {r.replace('_', ' ')}", n] for r, n in sorted(rel_counts.items())])

    def nodes_of(kind):
        return [(n, d) for n, d in H.nodes(data=True) if d["kind"] == kind]

    sections = [
        ("Chain links 产业链环节", "chain_link", ["id", "中文", "English", "stage"],
         lambda n, d: [d.get("notation", n), d.get("label_zh", ""), d.get("label_en", ""), d.get("stage", "")]),
        ("Divisions 行政区", "division", ["code", "中文", "English", "level"],
         lambda n, d: [d.get("code", ""), d.get("label_zh", ""), d.get("label_en", ""), d.get("level", "")]),
        ("Companies 企业", "company", ["中文", "English", "headquarters", "chain links", "source"],
         lambda n, d: [d.get("label_zh", ""), d.get("label_en", ""), named(n, "headquartered_in"),
                       named(n, "active_in"), d.get("source", "")]),
        ("Facilities 设施", "facility", ["中文", "English", "company", "division", "chain links", "source"],
         lambda n, d: [d.get("label_zh", ""), d.get("label_en", ""), named(n, "site_of"), named(n, "located_in"),
                       named(n, "active_in"), d.get("source", "")]),
        ("Figures 数据", "observation", ["measure", "area", "chain link", "year", "value", "unit", "source"],
         lambda n, d: [d.get("measure", ""), named(n, "ref_area"), named(n, "about"), d.get("year", ""),
                       _number(d.get("value")), d.get("unit", ""), d.get("source", "")]),
    ]
    for heading, kind, columns, row in sections:
        items = nodes_of(kind)
        if items:
            lines += [f"## {heading} ({len(items)})", ""]
            lines += _md_table(columns, [row(n, d) for n, d in items])
    for heading, relation, columns, row in (
        ("Specialisations 产业布局", "specialises_in", ["division", "chain link", "evidence", "source"],
         lambda u, v, d: [label(u), label(v), d.get("evidence", ""), d.get("source", "")]),
        ("Supply relations 供给关系", "input_to", ["input", "output", "kind", "source"],
         lambda u, v, d: [label(u), label(v), d.get("kind", ""), d.get("source", "")]),
    ):
        items = [(u, v, d) for u, v, k, d in sorted(H.edges(keys=True, data=True), key=lambda e: e[:3])
                 if d["relation"] == relation]
        if items:
            lines += [f"## {heading} ({len(items)})", ""]
            lines += _md_table(columns, [row(u, v, d) for u, v, d in items])
    sources = nodes_of("source")
    if sources:
        lines += [f"## Sources 来源 ({len(sources)})", ""]
        lines += _md_table(["source", "title", "publisher", "published", "url or document"],
                           [[n, d.get("title", ""), d.get("publisher", ""), d.get("published", ""),
                             d.get("url") or d.get("document", "")] for n, d in sources])
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- writing

def output_paths(stem: Path, fmt: str) -> list[Path]:
    """The files a format writes for an output ``stem`` (a path without the format's suffix)."""
    if fmt not in FORMATS:
        raise NevkgError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    stem = Path(stem)
    return [stem.with_name(stem.name + suffix) for suffix in FORMATS[fmt]]


def export_files(store, P, selection: Selection, fmt: str, stem: Path, *, kg=None, H=None) -> dict[Path, bytes]:
    """``{path: bytes}`` of the files that write ``selection`` as ``fmt`` (a key of :data:`FORMATS`) at
    :func:`output_paths` of ``stem``. ``kg`` (:func:`rdf_subgraph`) and ``H`` (:func:`subgraph`) may be
    passed when already made. Raises :class:`NevkgError` for an unknown format."""
    paths = output_paths(stem, fmt)
    if fmt in RDF_FORMATS:
        kg = kg if kg is not None else rdf_subgraph(store, selection)
        return {paths[0]: graph_bytes(kg, fmt)}
    H = H if H is not None else subgraph(P, selection)
    if fmt == "graphml":
        return {paths[0]: _graphml_bytes(H)}
    if fmt == "gexf":
        return {paths[0]: _gexf_bytes(H)}
    if fmt == "csv":
        return {paths[0]: _csv_bytes(*node_table(H)), paths[1]: _csv_bytes(*edge_table(H))}
    if fmt == "xlsx":
        return {paths[0]: _xlsx_bytes(H)}
    if fmt == "md":
        return {paths[0]: markdown_summary(H, selection.title).encode("utf-8")}
    if fmt == "html":
        from .viz import subgraph_page

        return {paths[0]: subgraph_page(H, selection.title).encode("utf-8")}
    from .figures import figure_bytes

    return {paths[0]: figure_bytes(H, fmt, title=selection.title)}


def write_files(files: dict[Path, bytes], force: bool = False) -> list[Path]:
    """Write each ``{path: bytes}`` atomically (through a temporary file in the same folder). Nothing is
    written if a path exists and not ``force``: raises :class:`NevkgError` naming the existing files."""
    existing = [str(p) for p in files if Path(p).exists()]
    if existing and not force:
        raise NevkgError(f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''}; "
                         "pass --force to overwrite")
    return [write_atomic(Path(p), data) for p, data in files.items()]
