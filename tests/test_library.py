"""The named-query library: every question query against answers computed from data/*.csv with the csv module.

Each ``expect_NAME`` function computes a query's answer from the tables alone (no SPARQL); a test runs the
query with its example parameters and compares. A query of the library without an ``expect_`` function fails
:func:`test_every_question_has_an_expected_answer`.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from graph.build import DATA_DIR
from graph.errors import NameLookupError, QueryError
from graph.query import bind_parameters, library, run_query
from tests.conftest import run

ID = "https://w3id.org/nevkg/id/"


# ------------------------------------------------------------------ the tables, read with the csv module
def _read(name):
    with open(DATA_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _list(cell):
    return [x for x in (cell or "").split(";") if x]


class Tables:
    def __init__(self):
        self.divisions = {r["code"]: r for r in _read("divisions")}
        self.chain_links = {r["id"]: r for r in _read("chain_links")}
        self.supply = _read("supply")
        self.companies = {r["id"]: r for r in _read("companies")}
        self.facilities = {r["id"]: r for r in _read("facilities")}
        self.specialisations = _read("specialisations")
        self.observations = _read("observations")
        self.sources = {r["id"]: r for r in _read("sources")}

    def province(self, code):
        return self.divisions[code]["parent"] or code

    def evidence(self):
        """(via key, chain link, division code, kind) for every piece of presence evidence."""
        for r in self.specialisations:
            key = f"specialisation/{r['division']}-{r['chain_link']}-{r['evidence']}-{_list(r['source'])[0]}"
            yield key, r["chain_link"], r["division"], "specialisation"
        for r in self.facilities.values():
            for c in _list(r["chain_links"]):
                yield f"facility/{r['id']}", c, r["division"], "facility"
        for r in self.companies.values():
            for c in _list(r["chain_links"]):
                yield f"company/{r['id']}", c, r["hq_division"], "headquarters"

    def rollup(self, chain_link):
        """The chain link and its broader chain links: presence rolls up the hierarchy."""
        out = []
        while chain_link:
            out.append(chain_link)
            chain_link = self.chain_links[chain_link]["parent"]
        return out

    def scope(self, chain_link):
        """The chain link and its narrower chain links: whose evidence counts for it."""
        return self.descendants(chain_link) | {chain_link}

    def descendants(self, chain_link):
        children = defaultdict(set)
        for r in self.chain_links.values():
            if r["parent"]:
                children[r["parent"]].add(r["id"])
        return _reachable(children, chain_link)

    def reach(self, chain_link, forward):
        edges = defaultdict(set)
        for r in self.supply:
            if r["kind"] == "recycling":  # the loop is left out of inputs and outputs
                continue
            a, b = (r["input"], r["output"]) if forward else (r["output"], r["input"])
            edges[a].add(b)
        return _reachable(edges, chain_link)


def _reachable(edges, start):
    """Every node reached from ``start`` (not itself unless on a cycle) over ``edges`` (node -> set)."""
    out, todo = set(), [start]
    while todo:
        for n in edges[todo.pop()]:
            if n not in out:
                out.add(n)
                todo.append(n)
    return out


@pytest.fixture(scope="module")
def tables():
    return Tables()


def _rows(store, name, **params):
    result = run_query(store, name, params=params)
    return [{v: (t.value if t is not None else None) for v, t in zip(result.variables, row)} for row in result.rows]


def _key(iri):
    return iri.rsplit("/", 1)[-1]


EXPECT = {}


def expect(fn):
    EXPECT[fn.__name__[len("expect_"):].replace("_", "-")] = fn
    return fn


# ------------------------------------------------------------------ expected answers, one per question query
@expect
def expect_provinces_of_chain_link(store, t):
    c = "battery-cells"
    got = {_key(r["province"]): int(r["evidence"]) for r in _rows(store, "provinces-of-chain-link", chain_link=c)}
    want = defaultdict(set)
    for via, chain_link, division, _ in t.evidence():
        if chain_link in t.scope(c):
            want[t.province(division)].add(via)
    return got, {p: len(v) for p, v in want.items()}


@expect
def expect_inputs_of_chain_link(store, t):
    got = {r["id"] for r in _rows(store, "inputs-of-chain-link", chain_link="battery-cells")}
    return got, t.reach("battery-cells", forward=False)


@expect
def expect_outputs_of_chain_link(store, t):
    got = {r["id"] for r in _rows(store, "outputs-of-chain-link", chain_link="lithium-carbonate")}
    return got, t.reach("lithium-carbonate", forward=True)


@expect
def expect_direct_inputs(store, t):
    got = {(r["id"], r["kind"], _key(r["source"]), r["as_of"]) for r in
           _rows(store, "direct-inputs", chain_link="lfp-cathode")}
    want = {(r["input"], r["kind"], s, r["as_of"]) for r in t.supply if r["output"] == "lfp-cathode"
            for s in _list(r["source"])}
    return got, want


@expect
def expect_narrower_chain_links(store, t):
    got = {(r["id"], r["parent_id"]) for r in _rows(store, "narrower-chain-links", chain_link="battery-materials")}
    return got, {(c, t.chain_links[c]["parent"]) for c in t.descendants("battery-materials")}


@expect
def expect_companies_of_stage_in_province(store, t):
    got = {_key(r["company"]) for r in
           _rows(store, "companies-of-stage-in-province", stage="midstream", province="Guangdong")}
    want = {co for co, r in t.companies.items() if t.province(r["hq_division"]) == "440000"
            and any(t.chain_links[c]["stage"] == "midstream" for c in _list(r["chain_links"]))}
    return got, want


@expect
def expect_companies_of_chain_link(store, t):
    scope = t.descendants("cathode-materials") | {"cathode-materials"}
    got = {_key(r["company"]) for r in _rows(store, "companies-of-chain-link", chain_link="cathode-materials")}
    want = {co for co, r in t.companies.items() if scope & set(_list(r["chain_links"]))}
    want |= {r["company"] for r in t.facilities.values() if scope & set(_list(r["chain_links"]))}
    return got, want


@expect
def expect_figures_by_year(store, t):
    got = [(_key(r["observation"]), r["year"], Decimal(r["value"]), r["unit"])
           for r in _rows(store, "figures-by-year", measure="production", area="CN")]
    want = [(r["id"], r["year"], Decimal(r["value"]), r["unit"]) for r in t.observations
            if r["measure"] == "production" and r["area"] == "CN"]
    years = [g[1] for g in got]
    assert years == sorted(years)  # ordered by year
    return sorted(got), sorted(want)


@expect
def expect_chain_links_in_one_province(store, t):
    got = {r["id"]: _key(r["province"]) for r in _rows(store, "chain-links-in-one-province")}
    provinces = defaultdict(set)
    for _, chain_link, division, _ in t.evidence():
        for c in t.rollup(chain_link):
            provinces[c].add(t.province(division))
    return got, {c: next(iter(p)) for c, p in provinces.items() if len(p) == 1}


@expect
def expect_sources_of_fact(store, t):
    got = {(_key(r["source"]), r["title"], r["publisher"], r["as_of"]) for r in
           _rows(store, "sources-of-fact", fact="id:observation/obs-shaanxi-nev-production-2022")}
    obs = next(r for r in t.observations if r["id"] == "obs-shaanxi-nev-production-2022")
    want = {(s, t.sources[s]["title"], t.sources[s]["publisher"], obs["as_of"]) for s in _list(obs["source"])}
    assert ("src-seed-yicai-2023-11-22", ) == tuple(x[0] for x in got)
    return got, want


@expect
def expect_facts_of_source(store, t):
    src = "src-seed-yicai-2023-11-22"
    got = {r["fact"][len(ID):] for r in _rows(store, "facts-of-source", source=src)}
    want = set()
    for key, rows in (("chain-link", t.chain_links.values()), ("company", t.companies.values()),
                      ("facility", t.facilities.values()), ("observation", t.observations)):
        want |= {f"{key}/{r['id']}" for r in rows if src in _list(r["source"])}
    want |= {f"facility/{r['id']}-capacity-{r['capacity_year']}".replace("facility/", "observation/", 1)
             for r in t.facilities.values() if src in _list(r["source"]) and r["capacity"]}
    want |= {f"supply/{r['input']}--{r['output']}" for r in t.supply if src in _list(r["source"])}
    want |= {f"specialisation/{r['division']}-{r['chain_link']}-{r['evidence']}-{_list(r['source'])[0]}"
             for r in t.specialisations if src in _list(r["source"])}
    want |= {f"division/{c}" for c, r in t.divisions.items() if src in _list(r["source"])}
    return got, want


@expect
def expect_facilities_in_province(store, t):
    got = {(_key(r["facility"]), _key(r["company"]), r["capacity"] and Decimal(r["capacity"]), r["unit"])
           for r in _rows(store, "facilities-in-province", province="陕西")}
    want = {(f, r["company"], Decimal(r["capacity"]) if r["capacity"] else None, r["capacity_unit"] or None)
            for f, r in t.facilities.items() if t.province(r["division"]) == "610000"}
    return got, want


@expect
def expect_specialisations_of_province(store, t):
    got = {(r["code"], r["chain_link"], r["evidence"], _key(r["source"])) for r in
           _rows(store, "specialisations-of-province", province="Shaanxi")}
    want = {(r["division"], r["chain_link"], r["evidence"], s) for r in t.specialisations
            if t.province(r["division"]) == "610000" for s in _list(r["source"])}
    return got, want


@expect
def expect_chain_link_count_by_province(store, t):
    rows = _rows(store, "chain-link-count-by-province")
    got = {r["code"]: int(r["chain_links"]) for r in rows}
    want = defaultdict(set)
    for _, chain_link, division, _ in t.evidence():
        want[t.province(division)].update(t.rollup(chain_link))
    counts = [int(r["chain_links"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    return got, {p: len(c) for p, c in want.items()}


@expect
def expect_chain_links_by_stage(store, t):
    got = {r["stage"]: (int(r["chain_links"]), int(r["segments"])) for r in _rows(store, "chain-links-by-stage")}
    want = defaultdict(lambda: [0, 0])
    for r in t.chain_links.values():
        want[r["stage"]][0] += 1
        want[r["stage"]][1] += not r["parent"]
    return got, {s: tuple(v) for s, v in want.items()}


@expect
def expect_capacity_by_province(store, t):
    got = {(_key(r["province"]), r["unit"]): (Decimal(r["capacity"]), int(r["facilities"]))
           for r in _rows(store, "capacity-by-province", chain_link="battery-cells")}
    want = defaultdict(lambda: [Decimal(0), 0])
    for r in t.facilities.values():
        if t.scope("battery-cells") & set(_list(r["chain_links"])) and r["capacity"]:
            w = want[t.province(r["division"]), r["capacity_unit"]]
            w[0] += Decimal(r["capacity"])
            w[1] += 1
    return got, {k: tuple(v) for k, v in want.items()}


@expect
def expect_listed_companies(store, t):
    got = {(_key(r["company"]), r["exchange"], r["ticker"]) for r in _rows(store, "listed-companies")}
    want = {(co, *code.split(":", 1)) for co, r in t.companies.items() for code in _list(r["stock_code"])}
    return got, want


@expect
def expect_recycling_loop(store, t):
    got = {(r["from"], r["to"], _key(r["source"])) for r in _rows(store, "recycling-loop")}
    want = {(r["input"], r["output"], s) for r in t.supply if r["kind"] == "recycling" for s in _list(r["source"])}
    return got, want


@expect
def expect_chain_links_of_code(store, t):
    got = {(r["id"], r["scheme"]) for code in ("C3612", "870380") for r in
           _rows(store, "chain-links-of-code", code=code)}
    want = {(c, "GB/T 4754-2017") for c, r in t.chain_links.items() if "C3612" in _list(r["gbt4754"])}
    want |= {(c, "HS") for c, r in t.chain_links.items() if "870380" in _list(r["hs"])}
    return got, want


@expect
def expect_facilities_outside_home_province(store, t):
    got = {(_key(r["company"]), _key(r["facility"]), r["home"], r["province"])
           for r in _rows(store, "facilities-outside-home-province")}
    iso = {c: r["iso3166_2"] for c, r in t.divisions.items()}
    want = set()
    for f, r in t.facilities.items():
        home = t.province(t.companies[r["company"]]["hq_division"])
        there = t.province(r["division"])
        if home != there:
            want.add((r["company"], f, iso[home], iso[there]))
    return got, want


@expect
def expect_chain_links_of_company(store, t):
    got = {(r["id"], r["via"]) for r in _rows(store, "chain-links-of-company", company="byd")}
    own = set(_list(t.companies["byd"]["chain_links"]))
    sites = {c for r in t.facilities.values() if r["company"] == "byd" for c in _list(r["chain_links"])}
    return got, {(c, "company") for c in own} | {(c, "facility") for c in sites - own}


@expect
def expect_cities_of_chain_link(store, t):
    got = {r["code"]: set(r["evidence"].split(";")) for r in
           _rows(store, "cities-of-chain-link", chain_link="lfp-cathode")}
    want = defaultdict(set)
    for _, chain_link, division, kind in t.evidence():
        d = t.divisions[division]
        if chain_link in t.scope("lfp-cathode") and (d["level"] == "prefecture" or d["type_en"] == "municipality"):
            want[division].add(kind)
    return got, dict(want)


@expect
def expect_segments(store, t):
    got = {r["id"]: (r["stage"], int(r["chain_links"])) for r in _rows(store, "segments")}
    want = {c: (r["stage"], len(t.descendants(c))) for c, r in t.chain_links.items() if not r["parent"]}
    return got, want


# ------------------------------------------------------------------ the tests
QUESTIONS = sorted(n for n, q in library().items() if q.role == "question")


def test_the_library_holds_at_least_twenty_questions():
    assert len(QUESTIONS) >= 20


def test_every_question_has_an_expected_answer():
    assert sorted(EXPECT) == QUESTIONS


@pytest.mark.parametrize("name", QUESTIONS)
def test_question_gives_the_answer_computed_from_the_tables(store, tables, name):
    got, want = EXPECT[name](store, tables)
    assert want, f"the expected answer of {name} is empty: pick an example that finds something"
    assert got == want


@pytest.mark.parametrize("name", sorted(library()))
def test_every_file_states_its_question_in_english_and_chinese(name):
    q = library()[name]
    assert q.question_en and q.question_zh, name
    assert any("\u4e00" <= ch <= "\u9fff" for ch in q.question_zh)
    for p in q.parameters:
        assert p.description
        if q.role == "question":
            assert p.example, f"{name}: parameter {p.name} has no example"


@pytest.mark.parametrize("name", sorted(library()))
def test_parameters_are_bound_by_patterns(name):
    """A parameter that appears in a FILTER or BIND expression must also be bound by a triple pattern, so
    that the query still matches everything when the parameter is left out."""
    q = library()[name]
    body = re.sub(r"#[^\n]*", "", q.text)
    exprs = re.findall(r"FILTER\s*\(([^\n]*)", body) + re.findall(r"BIND\s*\(([^\n]*?) AS", body)
    rest = re.sub(r"(FILTER|BIND)\s*\([^\n]*", "", body)
    for p in q.parameters:
        if any(re.search(rf"\?{p.name}\b", e) for e in exprs):
            assert re.search(rf"\?{p.name}\b", rest.split("WHERE", 1)[-1]), f"{name}: ?{p.name} only in expressions"


@pytest.mark.parametrize("name", sorted(n for n, q in library().items() if q.role == "check"))
def test_checks_find_nothing(store, name):
    assert run_query(store, name).rows == []


def test_a_left_out_parameter_matches_everything(store, tables):
    rows = _rows(store, "direct-inputs")
    assert len(rows) == sum(len(_list(r["source"])) for r in tables.supply)


def test_values_are_bound_not_pasted(store):
    evil = 'C3612" } UNION { ?chain_link ?p ?o } #'
    assert _rows(store, "chain-links-of-code", code=evil) == []
    with pytest.raises(NameLookupError, match="no chain link called"):  # neither an id nor a label
        _rows(store, "inputs-of-chain-link", chain_link="x> } UNION { ?a ?b ?c")
    with pytest.raises(NameLookupError):
        _rows(store, "facilities-in-province", province='Shaanxi" }')


def test_names_resolve_in_every_spelling(store):
    def codes(name):
        return {r["code"] for r in _rows(store, "specialisations-of-province", province=name)}
    assert codes("Shaanxi") == codes("陕西省") == codes("CN-SN") == codes("610000")
    assert codes("Shanxi") != codes("Shaanxi")


def test_unknown_parameter_and_unknown_id_say_what_is_known(store):
    with pytest.raises(QueryError, match=r"has no parameter 'province' \(its parameters: chain_link\)"):
        _rows(store, "inputs-of-chain-link", province="Shaanxi")
    with pytest.raises(NameLookupError, match=r"close matches: battery-cells \(Battery cells 电芯\)"):
        _rows(store, "inputs-of-chain-link", chain_link="battery-cell")


def test_inline_text_binds_iris_and_literals(store):
    terms = bind_parameters(store, {"a": "nev:upstream", "b": "<https://w3id.org/nevkg/id/division/610000>",
                                    "c": "lfp-cathode"})
    assert [type(t).__name__ for t in terms.values()] == ["NamedNode", "NamedNode", "Literal"]


def test_cli_list_and_param(built):
    listed = run("--exports", built, "query", "--list")
    assert listed.exit_code == 0, listed.output
    for name in QUESTIONS:
        assert name in listed.output
    assert "哪些省份布局了某个产业链环节" in listed.output
    out = run("--exports", built, "query", "provinces-of-chain-link", "--param", "chain_link=battery-cells",
              "--format", "csv")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "chain_link,province,code,name_en,name_zh,evidence"
    bad = run("--exports", built, "query", "provinces-of-chain-link", "--param", "chain_link")
    assert bad.exit_code != 0 and "KEY=VALUE" in bad.output
