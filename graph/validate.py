"""Validate the built graph: SHACL shapes, then the quality-check queries.

Checks are the files ``ontology/queries/*-violation.rq``; a check that returns
any row fails the build (the OBO Ontology Development Kit's convention).
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .build import ONTOLOGY_DIR
from .errors import ValidationError

__all__ = ["check_files", "validate"]

MAX_REPORTED = 20


def check_files(ontology_dir: Path = ONTOLOGY_DIR) -> list[Path]:
    """The quality-check queries, sorted by name."""
    return sorted((ontology_dir / "queries").glob("*-violation.rq"))


def validate(kg: Graph, ontology_dir: Path = ONTOLOGY_DIR) -> None:
    """Raise :class:`ValidationError` if ``kg`` breaks a SHACL shape of
    ``ontology/shapes.ttl`` or a check query returns rows; return None otherwise.

    The message lists up to 20 violations, each with its focus node and shape
    message (or the check's name and row). SHACL runs on pySHACL; the check
    queries run on Oxigraph.
    """
    import pyshacl

    shapes = Graph().parse(ontology_dir / "shapes.ttl", format="turtle")
    conforms, report, _ = pyshacl.validate(kg, shacl_graph=shapes, inference="none", advanced=False,
                                           allow_warnings=False, abort_on_first=False)
    problems = []
    if not conforms:
        q = """PREFIX sh: <http://www.w3.org/ns/shacl#>
               SELECT ?focus ?path ?msg WHERE { ?r a sh:ValidationResult ; sh:focusNode ?focus ;
                 sh:resultMessage ?msg . OPTIONAL { ?r sh:resultPath ?path } } ORDER BY ?focus ?msg"""
        for focus, path, msg in report.query(q):
            problems.append(f"SHACL: {focus}: {path or ''} {msg}".replace("  ", " "))
    from .store import Store

    store = Store.from_graph(kg)  # Oxigraph: the checks' joins take seconds on rdflib's engine
    for check in check_files(ontology_dir):
        for row in store.query(check.read_text(encoding="utf-8")).rows:
            problems.append(f"{check.name}: " + " ".join("" if v is None else v.value for v in row))
    if problems:
        more = f"\n... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise ValidationError(f"the graph has {len(problems)} violation(s):\n" + "\n".join(problems[:MAX_REPORTED])
                              + more)
