"""SPARQL over the built graph: the seed's figures, result formats and errors."""
from __future__ import annotations

import json

from tests.conftest import run

SEED = "https://w3id.org/nevkg/id/source/src-seed-yicai-2023-11-22"

FIGURES = """
SELECT ?area ?measure ?year ?value ?unit ?source WHERE {
  ?o a nev:Observation ; sdmx-dimension:refArea/rdfs:label ?area ; nev:measure/skos:notation ?measure ;
     sdmx-dimension:refPeriod ?year ; sdmx-measure:obsValue ?value ;
     sdmx-attribute:unitMeasure/skos:notation ?unit ; dcterms:source ?source .
  FILTER(LANG(?area) = "en" && ?source = <%s>)
} ORDER BY ?area ?measure ?year""" % SEED


def test_seed_figures_come_back_with_their_source(built):
    result = run("--exports", built, "query", FIGURES, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    got = {(b["area"]["value"], b["measure"]["value"], b["year"]["value"]): (float(b["value"]["value"]),
                                                                          b["unit"]["value"])
           for b in doc["results"]["bindings"]}
    assert got[("Shaanxi", "production", "2022")] == (1_020_000, "vehicles")
    assert got[("Shaanxi", "share_of_national_production", "2022")] == (14.5, "percent")
    assert got[("China", "demand", "2025")] == (1200, "GWh")
    assert got[("China", "planned_capacity", "2025")] == (4800, "GWh")
    assert {b["source"]["value"] for b in doc["results"]["bindings"]} == {SEED}


def test_json_is_the_w3c_results_format(built):
    result = run("--exports", built, "query", "SELECT ?code WHERE { id:division/610000 nev:divisionCode ?code }"
                 .replace("id:division/610000", "<https://w3id.org/nevkg/id/division/610000>"), "--format", "json")
    doc = json.loads(result.output)
    assert doc["head"]["vars"] == ["code"]
    assert doc["results"]["bindings"] == [{"code": {"type": "literal", "value": "610000"}}]


def test_ask_and_construct(built):
    assert run("--exports", built, "query", "ASK { ?c a nev:Company }").output == "true\n"
    out = run("--exports", built, "query",
              "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d nev:isoCode \"CN-SN\" ; rdfs:label ?l }", "--format", "nt")
    assert out.exit_code == 0
    assert '"陕西省"@zh' in out.output and '"Shaanxi"@en' in out.output


def test_table_and_csv_formats(built):
    q = "SELECT ?zh WHERE { ?d nev:isoCode \"CN-SX\" ; skos:prefLabel ?zh FILTER(LANG(?zh) = \"zh\") }"
    assert "山西省" in run("--exports", built, "query", q).output
    assert run("--exports", built, "query", q, "--format", "csv").output.splitlines() == ["zh", "山西省"]


def test_syntax_error_reports_its_position(built):
    result = run("--exports", built, "query", "SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 1
    assert "error at 1:" in result.output


def test_syntax_error_position_ignores_the_added_prefix_line(built):
    result = run("--exports", built, "query", "SELECT ?c WHERE {\n ?c a nev:Company FILTER( }")
    assert result.exit_code == 1
    assert "error at 2:" in result.output


def test_query_before_build_says_what_to_do(tmp_path):
    result = run("--exports", tmp_path, "query", "ASK {}")
    assert result.exit_code == 1 and "run `nevkg build` first" in result.output


def test_an_unknown_prefix_is_named(built):
    result = run("--exports", built, "query", "SELECT ?x WHERE { ?x foo:bar ?y }")
    assert result.exit_code == 1 and "unknown prefix foo:" in result.output
