"""Namespaces and IRI minting, declared once for the build, the queries and the tests."""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, QB, RDF, RDFS, SKOS, XSD, DefinedNamespace

__all__ = ["NEV", "ID", "ORG", "GEO", "WGS", "SDMX_DIM", "SDMX_MEASURE", "SDMX_ATTR", "PREFIXES", "SCHEME",
           "iri", "DCTERMS", "FOAF", "OWL", "PROV", "QB", "RDF", "RDFS", "SKOS", "XSD"]


class NEV(DefinedNamespace):
    """The terms nevkg mints (``ontology/nevkg.ttl``); an unknown term is an error, not a new IRI."""

    _NS = Namespace("https://w3id.org/nevkg/ontology#")
    _fail = True
    ChainLink: URIRef
    ChainStage: URIRef
    AdministrativeDivision: URIRef
    ProvinceLevelDivision: URIRef
    PrefectureLevelDivision: URIRef
    Company: URIRef
    Facility: URIRef
    Specialisation: URIRef
    SupplyRelation: URIRef
    Observation: URIRef
    SourceDocument: URIRef
    EvidenceKind: URIRef
    Measure: URIRef
    Unit: URIRef
    stage: URIRef
    inputTo: URIRef
    hasInput: URIRef
    recycledInto: URIRef
    supplier: URIRef
    recipient: URIRef
    divisionCode: URIRef
    isoCode: URIRef
    divisionType: URIRef
    gbt4754Code: URIRef
    hsCode: URIRef
    headquarteredIn: URIRef
    locatedIn: URIRef
    activeIn: URIRef
    specialisesIn: URIRef
    presentIn: URIRef
    division: URIRef
    chainLink: URIRef
    evidence: URIRef
    measure: URIRef
    capacityObservation: URIRef
    stockCode: URIRef
    uscc: URIRef
    accessed: URIRef
    asOf: URIRef
    upstream: URIRef
    midstream: URIRef
    downstream: URIRef


ID = Namespace("https://w3id.org/nevkg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTR = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SCHEME = ID["scheme/nev-chain"]

PREFIXES = {
    "nev": str(NEV._NS), "id": str(ID), "skos": str(SKOS), "org": str(ORG), "prov": str(PROV),
    "dcterms": str(DCTERMS), "geo": str(GEO), "wgs": str(WGS), "qb": str(QB), "rdfs": str(RDFS),
    "rdf": str(RDF), "owl": str(OWL), "xsd": str(XSD), "foaf": str(FOAF),
    "sdmx-dimension": str(SDMX_DIM), "sdmx-measure": str(SDMX_MEASURE), "sdmx-attribute": str(SDMX_ATTR),
}


def iri(kind: str, key: str) -> URIRef:
    """The IRI of an instance: ``iri("chain-link", "lfp-cathode")`` -> ``id:chain-link/lfp-cathode``.

    ``kind`` is one of chain-link, division, company, facility, source, observation,
    specialisation, supply, area; ``key`` is the row's id or code (already validated).
    """
    return ID[f"{kind}/{key}"]
