"""Build the RDF knowledge graph (A-box plus T-box) from the tables of ``data/``.

Every fact row becomes triples on IRIs minted by :func:`graph.namespaces.iri`;
qualified relations (supply, specialisation) are nodes of their own so that
each carries its source and as-of date, beside a direct shortcut triple for
querying (``nev:inputTo``, ``nev:specialisesIn``), and chain-link presence is
materialised from the evidence (``nev:presentIn``). No blank nodes and no
timestamps: the same tables give the same triples.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from .namespaces import (DCTERMS, FOAF, GEO, ID, NEV, ORG, PREFIXES, PROV, QB, RDF, RDFS, SCHEME, SDMX_ATTR, SDMX_DIM,
                         SDMX_MEASURE, SKOS, WGS, XSD, iri)
from .tables import Row, read_table

__all__ = ["ROOT", "DATA_DIR", "ONTOLOGY_DIR", "EXPORTS_DIR", "TABLE_FILES", "load_ontology", "build_graph",
           "write_atomic", "serialize"]

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
ONTOLOGY_DIR = ROOT / "ontology"
EXPORTS_DIR = ROOT / "exports"
TABLE_FILES = ["sources", "divisions", "chain_links", "supply", "companies", "facilities", "specialisations",
               "observations"]
MAX_DEPTH = 5  # levels of the chain-link hierarchy


def load_ontology(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """Parse ``nevkg.ttl`` (the T-box) into a new graph."""
    kg = Graph()
    kg.parse(ontology_dir / "nevkg.ttl", format="turtle")
    return kg


def _notations(kg: Graph, cls: URIRef) -> dict[str, URIRef]:
    return {str(n): s for s in kg.subjects(RDF.type, cls) for n in kg.objects(s, SKOS.notation)}


def _labels(kg: Graph, s: URIRef, en: str, zh: str) -> None:
    for text, lang in ((en, "en"), (zh, "zh")):
        kg.add((s, SKOS.prefLabel, Literal(text, lang=lang)))
        kg.add((s, RDFS.label, Literal(text, lang=lang)))


def _provenance(kg: Graph, s: URIRef, row: Row, sources: set[str]) -> None:
    for src in row["source"]:
        if src not in sources:
            raise row.error("source", f"unknown source {src!r} (not an id in sources.csv)")
        kg.add((s, DCTERMS.source, iri("source", src)))
        kg.add((s, PROV.wasDerivedFrom, iri("source", src)))
    kg.add((s, NEV.asOf, _date_literal(row["as_of"])))


def _date_literal(text: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(text)]
    return Literal(text, datatype=datatype)


def _resolve(row: Row, field: str, value: str, known, what: str) -> None:
    if value not in known:
        raise row.error(field, f"unknown {what} {value!r}")


def build_graph(data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """Read every table of ``data_dir`` and return the knowledge graph ``kg``.

    The graph holds the ontology of ``ontology_dir`` and one node per row.
    Raises :class:`DataError` (``FILE:LINE: field: ...``) for a malformed cell,
    a duplicate id, an unknown reference (source, division, chain link,
    company, measure, unit), a chain-link hierarchy that loops or is deeper
    than five levels, or a supply cycle that is not closed by a recycling edge.
    """
    kg = load_ontology(ontology_dir)
    for prefix, ns in PREFIXES.items():
        kg.bind(prefix, ns, override=True, replace=True)
    t = {name: read_table(data_dir / f"{name}.csv", name) for name in TABLE_FILES}
    measures, units = _notations(kg, NEV.Measure), _notations(kg, NEV.Unit)
    stages = {"upstream": NEV.upstream, "midstream": NEV.midstream, "downstream": NEV.downstream}
    evidence = _notations(kg, NEV.EvidenceKind)

    sources = {r["id"] for r in t["sources"]}
    for r in t["sources"]:
        s = iri("source", r["id"])
        if not r.get("url") and not r.get("document"):
            raise r.error("url", "a source needs a url or a document name")
        kg.add((s, RDF.type, NEV.SourceDocument))
        kg.add((s, DCTERMS.title, Literal(r["title"])))
        kg.add((s, RDFS.label, Literal(r["title"])))
        kg.add((s, DCTERMS.publisher, Literal(r["publisher"])))
        if r.get("url"):
            kg.add((s, FOAF.page, URIRef(r["url"])))
        if r.get("document"):
            kg.add((s, DCTERMS.bibliographicCitation, Literal(r["document"])))
        if r.get("published"):
            kg.add((s, DCTERMS.issued, _date_literal(r["published"])))
        kg.add((s, NEV.accessed, Literal(r["accessed"], datatype=XSD.date)))

    divisions = {r["code"]: r for r in t["divisions"]}
    for r in t["divisions"]:
        s = iri("division", r["code"])
        province = r["level"] == "province"
        kg.add((s, RDF.type, NEV.ProvinceLevelDivision if province else NEV.PrefectureLevelDivision))
        _labels(kg, s, r["name_en"], r["name_zh"])
        kg.add((s, NEV.divisionCode, Literal(r["code"])))
        kg.add((s, NEV.divisionType, Literal(r["type_en"], lang="en")))
        kg.add((s, NEV.divisionType, Literal(r["type_zh"], lang="zh")))
        if r.get("iso3166_2"):
            kg.add((s, NEV.isoCode, Literal(r["iso3166_2"])))
        if r.get("parent"):
            parent = divisions.get(r["parent"])
            if parent is None or parent["level"] != "province" or province:
                raise r.error("parent", f"{r['parent']!r} is not a province-level division for this prefecture")
            kg.add((s, GEO.sfWithin, iri("division", r["parent"])))
        elif not province:
            raise r.error("parent", "a prefecture-level division needs its province")
        if r.get("lon") is not None and r.get("lat") is not None:
            kg.add((s, WGS.long, Literal(r["lon"], datatype=XSD.decimal)))
            kg.add((s, WGS.lat, Literal(r["lat"], datatype=XSD.decimal)))
        for src in r["source"]:
            if src not in sources:
                raise r.error("source", f"unknown source {src!r} (not an id in sources.csv)")
            kg.add((s, DCTERMS.source, iri("source", src)))
    for code, (en, zh) in {"CN": ("China", "中国"), "WORLD": ("World", "世界")}.items():
        _labels(kg, iri("area", code), en, zh)
        kg.add((iri("area", code), RDF.type, GEO.Feature))
    for r in t["divisions"]:
        if r.get("parent"):
            kg.add((iri("area", "CN"), GEO.sfContains, iri("division", r["parent"])))

    chain_links = {r["id"]: r for r in t["chain_links"]}
    for r in t["chain_links"]:
        s = iri("chain-link", r["id"])
        kg.add((s, RDF.type, NEV.ChainLink))
        kg.add((s, SKOS.inScheme, SCHEME))
        kg.add((s, SKOS.notation, Literal(r["id"])))
        _labels(kg, s, r["label_en"], r["label_zh"])
        kg.add((s, SKOS.definition, Literal(r["definition_en"], lang="en")))
        kg.add((s, SKOS.definition, Literal(r["definition_zh"], lang="zh")))
        kg.add((s, NEV.stage, stages[r["stage"]]))
        for code in r["gbt4754"]:
            kg.add((s, NEV.gbt4754Code, Literal(code)))
        for code in r["hs"]:
            kg.add((s, NEV.hsCode, Literal(code)))
        if r.get("parent"):
            _resolve(r, "parent", r["parent"], chain_links, "chain link")
            kg.add((s, SKOS.broader, iri("chain-link", r["parent"])))
        else:
            kg.add((s, SKOS.topConceptOf, SCHEME))
            kg.add((SCHEME, SKOS.hasTopConcept, s))
        _provenance(kg, s, r, sources)
    for r in t["chain_links"]:  # hierarchy: no loop, at most MAX_DEPTH levels
        seen, node = [r["id"]], r
        while node.get("parent"):
            node = chain_links[node["parent"]]
            if node["id"] in seen:
                raise r.error("parent", f"the hierarchy loops: {' -> '.join(seen + [node['id']])}")
            seen.append(node["id"])
        if len(seen) > MAX_DEPTH:
            raise r.error("parent", f"hierarchy deeper than {MAX_DEPTH} levels: {' -> '.join(seen)}")

    edges: dict[tuple[str, str], Row] = {}
    for r in t["supply"]:
        for field in ("input", "output"):
            _resolve(r, field, r[field], chain_links, "chain link")
        if r["input"] == r["output"]:
            raise r.error("output", "a chain link cannot be an input to itself")
        if (r["input"], r["output"]) in edges:
            raise r.error("output", f"duplicate supply relation (first on line {edges[r['input'], r['output']].line})")
        edges[r["input"], r["output"]] = r
        s = iri("supply", f"{r['input']}--{r['output']}")
        a, b = iri("chain-link", r["input"]), iri("chain-link", r["output"])
        kg.add((s, RDF.type, NEV.SupplyRelation))
        kg.add((s, NEV.supplier, a))
        kg.add((s, NEV.recipient, b))
        kg.add((a, NEV.recycledInto if r["kind"] == "recycling" else NEV.inputTo, b))
        if r.get("note"):
            kg.add((s, RDFS.comment, Literal(r["note"], lang="en")))
        _provenance(kg, s, r, sources)
    _check_acyclic(edges)

    companies = {r["id"]: r for r in t["companies"]}
    for r in t["companies"]:
        s = iri("company", r["id"])
        kg.add((s, RDF.type, NEV.Company))
        _labels(kg, s, r["label_en"], r["label_zh"])
        _resolve(r, "hq_division", r["hq_division"], divisions, "division code")
        kg.add((s, NEV.headquarteredIn, iri("division", r["hq_division"])))
        for cl in r["chain_links"]:
            _resolve(r, "chain_links", cl, chain_links, "chain link")
            kg.add((s, NEV.activeIn, iri("chain-link", cl)))
        for code in r["stock_code"]:
            kg.add((s, NEV.stockCode, Literal(code)))
        if r.get("uscc"):
            kg.add((s, NEV.uscc, Literal(r["uscc"])))
        _provenance(kg, s, r, sources)

    for r in t["facilities"]:
        s = iri("facility", r["id"])
        _resolve(r, "company", r["company"], companies, "company")
        _resolve(r, "division", r["division"], divisions, "division code")
        kg.add((s, RDF.type, NEV.Facility))
        _labels(kg, s, r["label_en"], r["label_zh"])
        kg.add((s, ORG.siteOf, iri("company", r["company"])))
        kg.add((iri("company", r["company"]), ORG.hasSite, s))
        kg.add((s, NEV.locatedIn, iri("division", r["division"])))
        for cl in r["chain_links"]:
            _resolve(r, "chain_links", cl, chain_links, "chain link")
            kg.add((s, NEV.activeIn, iri("chain-link", cl)))
        _provenance(kg, s, r, sources)
        capacity = [r.get("capacity"), r.get("capacity_unit"), r.get("capacity_year")]
        if any(v is not None for v in capacity):
            if not all(v is not None for v in capacity):
                raise r.error("capacity", "capacity, capacity_unit and capacity_year go together")
            _resolve(r, "capacity_unit", r["capacity_unit"], units, "unit")
            o = iri("observation", f"{r['id']}-capacity-{r['capacity_year']}")
            kg.add((s, NEV.capacityObservation, o))
            _observation(kg, o, r, measures["capacity"], iri("division", r["division"]),
                         r["chain_links"], r["capacity_year"], r["capacity"], units[r["capacity_unit"]], sources)

    seen_spec: dict[tuple, int] = {}
    for r in t["specialisations"]:
        _resolve(r, "division", r["division"], divisions, "division code")
        _resolve(r, "chain_link", r["chain_link"], chain_links, "chain link")
        key = (r["division"], r["chain_link"], r["evidence"], r["source"][0])
        if key in seen_spec:
            raise r.error("chain_link", f"duplicate specialisation (first on line {seen_spec[key]})")
        seen_spec[key] = r.line
        s = iri("specialisation", f"{r['division']}-{r['chain_link']}-{r['evidence']}-{r['source'][0]}")
        d, cl = iri("division", r["division"]), iri("chain-link", r["chain_link"])
        kg.add((s, RDF.type, NEV.Specialisation))
        kg.add((s, NEV.division, d))
        kg.add((s, NEV.chainLink, cl))
        kg.add((s, NEV.evidence, evidence[r["evidence"]]))
        kg.add((d, NEV.specialisesIn, cl))
        if r.get("note"):
            kg.add((s, RDFS.comment, Literal(r["note"], lang="en")))
        _provenance(kg, s, r, sources)
    _presence(kg, t, divisions)

    for r in t["observations"]:
        _resolve(r, "measure", r["measure"], measures, "measure")
        _resolve(r, "unit", r["unit"], units, "unit")
        if r.get("chain_link"):
            _resolve(r, "chain_link", r["chain_link"], chain_links, "chain link")
        area = r["area"]
        if area not in ("CN", "WORLD"):
            _resolve(r, "area", area, divisions, "division code")
        area_iri = iri("area", area) if area in ("CN", "WORLD") else iri("division", area)
        o = iri("observation", r["id"])
        _observation(kg, o, r, measures[r["measure"]], area_iri, [r["chain_link"]] if r.get("chain_link") else [],
                     r["year"], r["value"], units[r["unit"]], sources)
        if r.get("note"):
            kg.add((o, RDFS.comment, Literal(r["note"], lang="en")))
    return kg


def _observation(kg: Graph, o: URIRef, row: Row, measure: URIRef, area: URIRef, chain_links: list[str], year: int,
                 value, unit: URIRef, sources: set[str]) -> None:
    kg.add((o, RDF.type, NEV.Observation))
    kg.add((o, QB.dataSet, ID["dataset/figures"]))
    kg.add((o, NEV.measure, measure))
    kg.add((o, SDMX_DIM.refArea, area))
    kg.add((o, SDMX_DIM.refPeriod, Literal(str(year), datatype=XSD.gYear)))
    kg.add((o, SDMX_MEASURE.obsValue, Literal(value, datatype=XSD.decimal)))
    kg.add((o, SDMX_ATTR.unitMeasure, unit))
    for cl in chain_links:
        kg.add((o, NEV.chainLink, iri("chain-link", cl)))
    _provenance(kg, o, row, sources)


def _presence(kg: Graph, t: dict[str, list[Row]], divisions: dict[str, Row]) -> None:
    """Materialise ``chain link nev:presentIn division``: a specialisation names the pair, a facility in the
    division is active in the chain link, or a company headquartered there is. Presence rolls up both
    hierarchies, as the analyses read it: a city's presence counts for its province, and a chain link's for
    its broader chain links (a city with LFP cathode has cathode materials). Derived from the evidence so
    that questions over all provinces read one triple pattern instead of re-joining three kinds of it."""
    parent = {r["id"]: r.get("parent") for r in t["chain_links"]}
    pairs = {(cl, r["hq_division"]) for r in t["companies"] for cl in r["chain_links"]}
    pairs |= {(cl, r["division"]) for r in t["facilities"] for cl in r["chain_links"]}
    pairs |= {(r["chain_link"], r["division"]) for r in t["specialisations"]}
    for cl, code in pairs:
        while cl:
            for where in (code, divisions[code].get("parent")):
                if where:
                    kg.add((iri("chain-link", cl), NEV.presentIn, iri("division", where)))
            cl = parent[cl]


def _check_acyclic(edges: dict[tuple[str, str], Row]) -> None:
    """Raise DataError at a supply row on a cycle made only of ``supply`` (non-recycling) edges."""
    import networkx as nx

    G = nx.DiGraph([pair for pair, row in sorted(edges.items()) if row["kind"] == "supply"])
    try:
        cycle = nx.find_cycle(G)
    except nx.NetworkXNoCycle:
        return
    names = [a for a, _ in cycle] + [cycle[-1][1]]
    raise edges[cycle[-1]].error("output", "supply cycle not closed by a recycling edge: " + " -> ".join(names))


def serialize(kg: Graph, fmt: str = "turtle") -> bytes:
    """Serialise ``kg`` to bytes (UTF-8) in an rdflib format name."""
    return kg.serialize(format=fmt, encoding="utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A failure leaves any earlier file at ``path`` untouched. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
