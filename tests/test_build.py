"""Building the graph from the real tables, and what a bad row does."""
from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph.build import build_graph
from graph.errors import DataError
from graph.stats import class_counts
from tests.conftest import run


def test_build_counts_meet_the_foundation_floors(built):
    kg = Graph().parse(built / "nev-kg.ttl")
    counts = class_counts(kg)
    assert counts["province-level divisions"] == 31
    assert counts["prefecture-level divisions"] == 333
    assert counts["chain links"] >= 80
    assert counts["companies"] >= 40


def test_turtle_parses_again_with_oxigraph_into_the_same_number_of_triples(built):
    path = built / "nev-kg.ttl"
    rdflib_count = len(Graph().parse(path))
    oxigraph_count = len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))
    assert oxigraph_count == rdflib_count > 10_000


def test_same_tables_give_byte_identical_turtle(tmp_path, built):
    again = tmp_path / "again"
    assert run("--exports", again, "build").exit_code == 0
    assert (again / "nev-kg.ttl").read_bytes() == (built / "nev-kg.ttl").read_bytes()


def _rewrite(path, edit):
    """Apply ``edit(rows)`` to a CSV file's rows (header first) and write it back."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return rows[0]


def _set(rows, line, column, value):
    rows[line - 1][rows[0].index(column)] = value


@pytest.mark.parametrize("table, line, column, value, message", [
    ("observations.csv", 2, "value", "1.02 million", "is not a plain decimal number"),
    ("observations.csv", 3, "area", "619900", "unknown division code '619900'"),
    ("chain_links.csv", 4, "parent", "no-such-chain-link", "unknown chain link 'no-such-chain-link'"),
    ("chain_links.csv", 3, "label_zh", "", "is required but empty"),
    ("chain_links.csv", 5, "id", "lithium-resources", "duplicate id 'lithium-resources' (first on line 3)"),
    ("companies.csv", 2, "hq_division", "61010", "is not a six-digit GB/T 2260 code"),
    ("observations.csv", 2, "source", "src-nowhere", "unknown source 'src-nowhere'"),
    ("chain_links.csv", 2, "as_of", "2023-02-30", "is not a real date"),
])
def test_bad_row_stops_the_build_with_file_line_field_and_keeps_exports(data_copy, tmp_path, built, table, line,
                                                                      column, value, message):
    exports = tmp_path / "exports"
    exports.mkdir()
    earlier = (built / "nev-kg.ttl").read_bytes()
    (exports / "nev-kg.ttl").write_bytes(earlier)
    _rewrite(data_copy / table, lambda rows: _set(rows, line, column, value))
    result = run("--data", data_copy, "--exports", exports, "build")
    assert result.exit_code == 1
    assert f"{data_copy / table}:{line}: {column}: " in result.output
    assert message in result.output
    assert (exports / "nev-kg.ttl").read_bytes() == earlier
    assert sorted(p.name for p in exports.iterdir()) == ["nev-kg.ttl"]  # no temporary file left behind


def test_a_file_that_is_not_utf8_is_named_with_its_line(data_copy):
    path = data_copy / "companies.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].decode("utf-8").encode("gb18030")  # a GBK-saved row, a common mistake
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(DataError) as err:
        build_graph(data_copy)
    assert err.value.line == 4 and "not UTF-8" in err.value.message


def test_a_supply_cycle_without_recycling_fails(data_copy):
    with open(data_copy / "supply.csv", "a", encoding="utf-8") as f:
        f.write("lithium-carbonate,lfp-cathode,supply,src-seed-yicai-2023-11-22,2023,\n")
        f.write("lfp-cathode,lithium-carbonate,supply,src-seed-yicai-2023-11-22,2023,\n")
    with pytest.raises(DataError, match="supply cycle not closed by a recycling edge"):
        build_graph(data_copy)


def test_the_recycling_loop_is_the_one_allowed_cycle(data_copy):
    with open(data_copy / "supply.csv", "a", encoding="utf-8") as f:
        f.write("lithium-carbonate,lfp-cathode,supply,src-seed-yicai-2023-11-22,2023,\n")
        f.write("lfp-cathode,lithium-carbonate,recycling,src-seed-yicai-2023-11-22,2023,\n")
    build_graph(data_copy)


def test_shacl_rejects_a_chain_link_without_its_chinese_label(data_copy):
    from rdflib import Literal

    from graph.errors import ValidationError
    from graph.namespaces import SKOS, iri
    from graph.validate import validate

    kg = build_graph(data_copy)
    kg.remove((iri("chain-link", "lithium-resources"), SKOS.prefLabel, Literal("锂资源", lang="zh")))
    with pytest.raises(ValidationError, match="lithium-resources.*Chinese skos:prefLabel"):
        validate(kg)


def test_written_files_get_the_usual_mode(tmp_path):
    import os
    import stat

    from graph.build import write_atomic

    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "x.txt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_materialised_presence_is_the_evidence_and_nothing_else(store):
    """nev:presentIn (derived by the build) equals the presence the projection derives from the evidence, rolled up
    the chain-link hierarchy (the city-to-province roll-up is in the projection already)."""
    from graph.projection import division_graph

    G = division_graph(store)
    parent = {n: G.nodes[n]["parent"] for n, kind in G.nodes(data="kind") if kind == "chain_link"}
    from_evidence = set()
    for u, v in G.edges():
        d, c = (u, v) if G.nodes[u]["kind"] == "division" else (v, u)
        while c:  # presence rolls up the chain-link hierarchy
            from_evidence.add((c, d))
            c = parent[c]
    rows = store.query("SELECT ?c ?d WHERE { ?c <https://w3id.org/nevkg/ontology#presentIn> ?d }").rows
    materialised = {(c.value, d.value) for c, d in rows}
    assert materialised == from_evidence
    jiangsu = "https://w3id.org/nevkg/id/division/320000"
    assert ("https://w3id.org/nevkg/id/chain-link/battery-cells", jiangsu) in materialised
    assert ("https://w3id.org/nevkg/id/chain-link/power-batteries", jiangsu) in materialised  # broader, rolled up


def test_undeclared_check_names_a_made_up_property_and_class():
    from rdflib import URIRef

    from graph.build import ONTOLOGY_DIR, load_ontology
    from graph.namespaces import NEV, RDF, iri
    from graph.store import Store

    kg = load_ontology()
    kg.add((iri("company", "x"), RDF.type, NEV.Company))
    kg.add((iri("company", "x"), URIRef("https://w3id.org/nevkg/ontology#madeUpProperty"), iri("company", "y")))
    kg.add((iri("company", "y"), RDF.type, URIRef("https://w3id.org/nevkg/ontology#MadeUpClass")))
    check = (ONTOLOGY_DIR / "queries" / "undeclared-term-violation.rq").read_text(encoding="utf-8")
    found = [row[0].value.split("#")[1] for row in Store.from_graph(kg).query(check).rows]
    assert found == ["MadeUpClass", "madeUpProperty"]


def test_a_quantity_in_percent_fails_the_measure_unit_check(data_copy):
    from graph.errors import ValidationError
    from graph.validate import validate

    with open(data_copy / "observations.csv", "a", encoding="utf-8") as f:
        f.write("obs-test-share-as-sales,sales,vehicles,CN,2023,31.6,percent,src-seed-yicai-2023-11-22,2023,\n")
    with pytest.raises(ValidationError, match="measure-unit-violation.rq: .*obs-test-share-as-sales sales percent"):
        validate(build_graph(data_copy))
