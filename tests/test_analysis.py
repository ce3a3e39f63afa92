"""Analyses on graphs small enough to check by hand, and on the real data where a value is known."""
from __future__ import annotations

import csv
import json

import networkx as nx
import pytest

from graph.analysis.capacity import capacity_vs_demand
from graph.analysis.chokepoints import chokepoints, hhi
from graph.analysis.communities import centrality, clusters
from graph.analysis.completeness import completeness, present_chain_links
from graph.analysis.dependencies import dependencies, dependency_matrix
from graph.analysis.paths import downstream, upstream
from graph.analysis.similarity import cosine, jaccard, similar
from tests.conftest import run


def supply(edges, stages, parents=None, recycling=()):
    """A supply graph shaped like graph.projection.supply_graph's."""
    S = nx.DiGraph()
    for n, stage in stages.items():
        S.add_node(n, iri=n, kind="chain_link", id=n, label_en=n.upper(), label_zh=n, stage=stage,
                   parent=(parents or {}).get(n), source=None)
    for a, b in edges:
        S.add_edge(a, b, kind="recycling" if (a, b) in recycling else "supply", source=None)
    return S


def presence(S, evidence, provinces, prefectures=None):
    """A division graph: ``evidence`` maps division -> {chain link: weight}."""
    D = nx.Graph()
    for code in provinces:
        D.add_node(code, kind="division", level="province", code=code, label_en=f"P{code}", label_zh=code,
                   province=code)
    for code, parent in (prefectures or {}).items():
        D.add_node(code, kind="division", level="prefecture", code=code, label_en=f"C{code}", label_zh=code,
                   province=parent)
    for n, data in S.nodes(data=True):
        D.add_node(n, **data)
    for d, links in evidence.items():
        for c, w in links.items():
            D.add_edge(d, c, weight=w, evidence=[], direct=True)
    return D


# a -> b -> c, d -> b; x is the parent (segment) of a
S1 = supply([("a", "b"), ("b", "c"), ("d", "b")],
            {"x": "upstream", "a": "upstream", "d": "upstream", "b": "midstream", "c": "downstream"}, {"a": "x"})


def test_hhi_values():
    assert hhi([1, 1, 1, 1]) == 2500.0
    assert hhi([3, 1]) == 75 ** 2 + 25 ** 2
    assert hhi([7]) == 10000.0
    assert hhi([0, 0]) is None


def test_completeness_rolls_presence_up_the_hierarchy_and_ranks_missing_links():
    D = presence(S1, {"P1": {"a": 1, "c": 2}}, ["P1"])
    assert present_chain_links(D, S1, "P1") == {"a", "x", "c"}
    c = completeness(D, S1, "P1")
    assert (c["present"], c["total"], c["share"]) == (3, 5, 0.6)
    assert c["by_stage"]["upstream"] == {"present": 2, "total": 3, "share": 2 / 3}
    assert [(m["chain_link"], m["feeds_present"]) for m in c["missing"]] == [("b", 1), ("d", 0)]


def test_chokepoint_measures():
    D = presence(S1, {"P1": {"b": 3}, "P2": {"b": 1, "a": 1}}, ["P1", "P2"])
    rows = {r["chain_link"]: r for r in chokepoints(S1, D)}
    # b lies on a->c and d->c: 2 of the (n-1)(n-2) = 12 ordered pairs of a 5-node directed graph
    assert rows["b"]["betweenness"] == pytest.approx(2 / 12)
    assert rows["a"]["betweenness"] == 0
    assert (rows["a"]["downstream_reach"], rows["b"]["downstream_reach"], rows["c"]["downstream_reach"]) == (2, 1, 0)
    assert rows["b"]["provinces"] == 2 and rows["b"]["hhi_presence"] == 75 ** 2 + 25 ** 2
    assert rows["a"]["hhi_presence"] == 10000.0
    assert (rows["x"]["provinces"], rows["x"]["hhi_presence"]) == (1, 10000.0)  # present through its narrower a
    # score = mean percentile rank of betweenness, reach and HHI (a and x tie on HHI: 0.75);
    # a: (0.375 + 0.875 + 0.75) / 3, b: (1 + 0.5 + 0) / 3, x: (0.375 + 0.125 + 0.75) / 3
    assert rows["a"]["score"] == pytest.approx(2 / 3) and rows["b"]["score"] == pytest.approx(0.5)
    assert rows["x"]["score"] == pytest.approx(1.25 / 3)
    ranked = [r["chain_link"] for r in chokepoints(S1, D)]
    assert ranked[:2] == ["a", "b"]  # links hosted somewhere come first, by score


def test_capacity_concentration_uses_facility_capacities():
    D = presence(S1, {"P1": {"b": 1}, "P2": {"b": 1}}, ["P1", "P2"])
    obs = [{"measure": "capacity", "chain_link": "b", "area": area, "year": 2024, "value": v, "unit": "GWh",
            "facility": f"f{area}", "source": None, "iri": f"o{area}"} for area, v in (("P1", 30.0), ("P2", 10.0))]
    rows = {r["chain_link"]: r for r in chokepoints(S1, D, obs)}
    assert rows["b"]["hhi_capacity"] == 75 ** 2 + 25 ** 2


def test_upstream_and_downstream_depths_ignore_the_recycling_loop():
    S = supply([("a", "b"), ("b", "c"), ("c", "a")], {"a": "upstream", "b": "midstream", "c": "downstream"},
               recycling={("c", "a")})
    D = presence(S, {"P1": {"a": 1}}, ["P1"])
    assert [(r["chain_link"], r["depth"]) for r in upstream(S, D, "c")] == [("b", 1), ("a", 2)]
    assert [(r["chain_link"], r["depth"], r["hosted_in"]) for r in downstream(S, D, "a")] == [("b", 1, []),
                                                                                             ("c", 2, [])]
    assert upstream(S, D, "b")[0]["hosted_in"] == ["PP1"]  # English names


# cathode has two narrower links; nickel feeds cathode materials in general, iron phosphate only LFP
S2 = supply([("nickel", "cathode"), ("fepo4", "lfp"), ("precursor", "ncm"), ("lfp", "cell"), ("cathode", "cell"),
             ("ncm", "ternary")],
            {"nickel": "upstream", "fepo4": "upstream", "precursor": "upstream", "cathode": "midstream",
             "lfp": "midstream", "ncm": "midstream", "cell": "midstream", "ternary": "midstream"},
            {"lfp": "cathode", "ncm": "cathode"})


def test_a_narrower_link_takes_its_own_inputs_and_sees_its_broader_links_inputs_apart():
    D = presence(S2, {"P1": {"lfp": 1}, "P2": {"nickel": 1}}, ["P1", "P2"])
    lfp = [(r["chain_link"], r["depth"], r["via"]) for r in upstream(S2, D, "lfp")]
    assert lfp == [("fepo4", 1, ""), ("nickel", 1, "CATHODE")]  # nickel only through the broader link
    cathode = {r["chain_link"]: r["via"] for r in upstream(S2, D, "cathode")}
    assert cathode == {"nickel": "", "fepo4": "", "precursor": ""}  # the broader link takes its narrower links'
    # downstream: a narrower link feeds what its broader one feeds, never the reverse
    assert {r["chain_link"] for r in downstream(S2, D, "ncm")} == {"ternary", "cell"}
    assert {r["chain_link"] for r in downstream(S2, D, "cathode")} == {"cell"}
    # hosting provinces roll up the hierarchy too: cathode materials are made where LFP cathode is
    assert [r["hosted_in"] for r in downstream(S2, D, "nickel") if r["chain_link"] == "cathode"] == [["PP1"]]
    # a region making LFP cathode lacks iron phosphate, not nickel, though presence rolls up to "cathode"
    assert [r["chain_link"] for r in dependencies(D, S2, "P1")] == ["fepo4"]
    feeds = {m["chain_link"]: m["feeds_present"] for m in completeness(D, S2, "P1")["missing"]}
    assert (feeds["fepo4"], feeds["nickel"]) == (1, 0)


def test_similarity_measures():
    assert jaccard({"a", "b", "c"}, {"b", "c", "d"}) == 0.5
    assert cosine({"a": 3, "b": 4}, {"a": 3, "b": 4}) == pytest.approx(1.0)
    assert cosine({"a": 1}, {"b": 1}) == 0.0
    D = presence(S1, {"P1": {"a": 1, "b": 1}, "P2": {"a": 1, "b": 1}, "P3": {"c": 1}}, ["P1", "P2", "P3"])
    rows = similar(D, S1, "P1")
    assert [r["code"] for r in rows] == ["P2", "P3"]
    assert rows[0]["jaccard"] == 1.0 and rows[1]["jaccard"] == 0.0


def test_clusters_separate_two_groups_the_same_way_every_run():
    links = {n: "midstream" for n in "abcdef"}
    S = supply([], links)
    ev = {p: {c: 1 for c in "abc"} for p in ("P1", "P2", "P3")}
    ev.update({p: {c: 1 for c in "def"} for p in ("P4", "P5", "P6")})
    D = presence(S, ev, ["P1", "P2", "P3", "P4", "P5", "P6"])
    first = clusters(D, seed=7)
    assert sorted(sorted(c["codes"]) for c in first) == [["P1", "P2", "P3"], ["P4", "P5", "P6"]]
    assert clusters(D, seed=7) == first
    group = next(c for c in first if "P1" in c["codes"])
    assert sorted(group["characteristic"]) == ["A a", "B b", "C c"]


def test_centrality_ranks_the_province_with_most_links_first():
    S = supply([], {n: "midstream" for n in "abc"})
    D = presence(S, {"P1": {"a": 1, "b": 1, "c": 1}, "P2": {"a": 1}}, ["P1", "P2"])
    rows = centrality(D)
    assert [(r["code"], r["degree"], r["rank"]) for r in rows] == [("P1", 3, 1), ("P2", 1, 2)]


def test_dependencies_list_missing_inputs_and_their_suppliers():
    D = presence(S1, {"P1": {"c": 1}, "P2": {"b": 1}}, ["P1", "P2"])
    rows = dependencies(D, S1, "P1")
    assert [(r["chain_link"], r["needed_by"], r["suppliers"]) for r in rows] == [("b", 1, ["PP2"])]
    matrix = {r["code"]: r for r in dependency_matrix(D, S1)}
    assert matrix["P1"]["PP2"] == 1 and matrix["P1"]["PP1"] == 0
    assert matrix["P2"]["PP1"] == 0  # P2 lacks a and d (inputs of b); nobody hosts them


def test_capacity_ratio_pairs_each_source_and_sums_facilities():
    obs = [
        {"iri": "o1", "measure": "planned_capacity", "chain_link": "p", "area": "CN", "year": 2025, "value": 4800.0,
         "unit": "GWh", "source": "s1", "facility": None},
        {"iri": "o2", "measure": "demand", "chain_link": "p", "area": "CN", "year": 2025, "value": 1200.0,
         "unit": "GWh", "source": "s1", "facility": None},
        {"iri": "o3", "measure": "capacity", "chain_link": "p", "area": "X", "year": 2024, "value": 30.0,
         "unit": "GWh", "source": "s2", "facility": "f1"},
        {"iri": "o4", "measure": "capacity", "chain_link": "p", "area": "X", "year": 2024, "value": 20.0,
         "unit": "GWh", "source": "s3", "facility": "f2"},
        {"iri": "o5", "measure": "production", "chain_link": "p", "area": "X", "year": 2024, "value": 100.0,
         "unit": "GWh", "source": "s4", "facility": None},
    ]
    rows = capacity_vs_demand(obs)
    # the facility sum is a lower bound: below the basis it cannot tell overcapacity (None), above it can
    assert [(r["ratio"], r["overcapacity"], r["basis"]) for r in rows] == [(4.0, True, "demand"),
                                                                          (0.5, None, "production")]
    assert rows[1]["capacity_note"] == "sum of 2 facilities with a stated capacity (a lower bound)"
    assert rows[1]["capacity_source"] == "s2;s3" and rows[0]["capacity_note"] == ""


def test_seed_battery_capacity_is_four_times_demand_on_the_real_data(built):
    result = run("--exports", built, "analyze", "capacity", "--format", "json")
    assert result.exit_code == 0, result.output
    seed = [r for r in json.loads(result.output)
            if r["capacity_source"].endswith("src-seed-yicai-2023-11-22") and r["year"] == 2025]
    assert len(seed) == 1 and seed[0]["ratio"] == 4.0 and seed[0]["overcapacity"] is True


def test_completeness_rises_when_a_facility_is_added(data_copy):
    from graph.build import build_graph
    from graph.projection import division_graph, supply_graph
    from graph.store import Store

    shaanxi = "https://w3id.org/nevkg/id/division/610000"

    def share():
        store = Store.from_graph(build_graph(data_copy))
        S = supply_graph(store)
        D = division_graph(store, S)
        return completeness(D, S, shaanxi), present_chain_links(D, S, shaanxi)

    before, present = share()
    with open(data_copy / "chain_links.csv", encoding="utf-8") as f:
        ids = [r["id"] for r in csv.DictReader(f)]
    new = next(i for i in ids if f"https://w3id.org/nevkg/id/chain-link/{i}" not in present)
    with open(data_copy / "companies.csv", encoding="utf-8") as f:
        company = next(csv.DictReader(f))["id"]
    with open(data_copy / "facilities.csv", "a", encoding="utf-8") as f:
        f.write(f"test-xian-plant,{company},Test plant,测试工厂,610100,{new},,,,src-seed-yicai-2023-11-22,2023\n")
    after, _ = share()
    assert after["present"] > before["present"] and after["share"] > before["share"]


def test_analyses_are_deterministic_and_accept_any_name_form(built):
    for args in (["completeness", "陕西"], ["chokepoints", "--top", "20"], ["similar", "CN-JS"], ["clusters"],
                 ["centrality"], ["dependencies", "610000"], ["upstream", "磷酸铁锂正极"], ["downstream", "lithium-carbonate"],
                 ["dependencies", "--matrix"], ["completeness", "--all"]):
        first = run("--exports", built, "analyze", *args, "--format", "json")
        assert first.exit_code == 0, (args, first.output)
        assert run("--exports", built, "analyze", *args, "--format", "json").output == first.output


def test_unknown_chain_link_lists_close_matches(built):
    result = run("--exports", built, "analyze", "upstream", "lithium-carbonat")
    assert result.exit_code == 1 and "close matches" in result.output and "lithium-carbonate" in result.output


def test_report_is_written_for_a_city(built, tmp_path):
    out = tmp_path / "xian.md"
    result = run("--exports", built, "analyze", "report", "Xi'an", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 西安市 Xi'an (610100)")
    for heading in ("Chain completeness", "Fill the chain", "Upstream dependencies", "Most similar regions"):
        assert f"\n## {heading}" in text and "\\n" not in text
