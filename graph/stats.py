"""Counts that describe a built graph."""
from __future__ import annotations

from .namespaces import NEV, RDF

__all__ = ["CLASSES", "class_counts"]

CLASSES = {
    "chain links": NEV.ChainLink, "supply relations": NEV.SupplyRelation,
    "province-level divisions": NEV.ProvinceLevelDivision, "prefecture-level divisions": NEV.PrefectureLevelDivision,
    "companies": NEV.Company, "facilities": NEV.Facility, "specialisations": NEV.Specialisation,
    "observations": NEV.Observation, "sources": NEV.SourceDocument,
}


def class_counts(kg) -> dict[str, int]:
    """Number of instances of each class of :data:`CLASSES` in ``kg``, plus ``triples`` (len of kg)."""
    counts = {name: sum(1 for _ in kg.subjects(RDF.type, cls)) for name, cls in CLASSES.items()}
    counts["triples"] = len(kg)
    return counts
