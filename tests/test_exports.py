"""Subgraph exports: selections, round trips through every format, spreadsheets that run nothing, no overwrite."""
from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.conftest import run

ID = "https://w3id.org/nevkg/id/"
FORMULAS = ["=HYPERLINK(\"http://example.com\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)"]


@pytest.fixture(scope="module")
def P(store):
    from graph.export import property_graph

    return property_graph(store)


@pytest.fixture(scope="module")
def shaanxi(store, P):
    from graph.export import select
    from graph.names import DivisionIndex

    return select(store, P, divisions=[DivisionIndex.from_store(store).resolve("陕西", "province")])


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory):
    """Shaanxi in every format, through the command."""
    out = tmp_path_factory.mktemp("sn") / "shaanxi"
    result = run("--exports", built, "export", "--province", "Shaanxi", "--format", "all", "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _file(stem: Path, suffix: str) -> Path:
    return stem.with_name(stem.name + suffix)


# ---------------------------------------------------------------------------------------- selection

def test_property_graph_holds_every_kind_with_scalar_attributes(P):
    kinds = {k for _, k in P.nodes(data="kind")}
    assert kinds == {"chain_link", "division", "area", "company", "facility", "observation", "source"}
    for _, d in P.nodes(data=True):
        assert all(isinstance(v, (str, int, float)) for v in d.values()), d
    for *_, d in P.edges(data=True):
        assert all(isinstance(v, (str, int, float)) for v in d.values()), d
    assert P.nodes["division/610000"]["label_zh"] == "陕西省" and P.nodes["division/610000"]["level"] == "province"
    assert P.has_edge("division/610100", "division/610000", "within")
    recycling = [d for *_, d in P.edges(data=True) if d["relation"] == "input_to" and d["kind"] == "recycling"]
    assert recycling and all(d["source"] in P for d in recycling)


def test_region_selection_extends_the_named_region_query(store, P, shaanxi):
    from graph.build import ONTOLOGY_DIR
    import pyoxigraph as ox
    from rdflib import Literal

    from graph.export import rdf_subgraph

    kg = rdf_subgraph(store, shaanxi)
    text = (ONTOLOGY_DIR / "queries" / "region-subgraph.rq").read_text(encoding="utf-8")
    named = store.construct(text, {"region": ox.NamedNode("https://w3id.org/nevkg/id/division/610000")})
    def values(g):  # decimals compared by value: the export writes them in canonical XSD form
        return {(s, p, o.toPython() if isinstance(o, Literal) else o) for s, p, o in g}
    assert values(named) <= values(kg)  # everything the named query gives, plus supply relations and their sources
    assert "陕西省" in shaanxi.title and shaanxi.slug == "610000-shaanxi"


def test_chain_link_company_and_stage_selections(store, P):
    from graph.export import select, subgraph

    H = subgraph(P, select(store, P, chain_links=["磷酸铁锂正极"]))
    c = "chain-link/lfp-cathode"
    assert c in H
    assert set(P.predecessors(c)) & {u for u, _, r in P.in_edges(c, data="relation") if r == "input_to"} <= set(H)
    actors = {u for u, _, r in P.in_edges(c, data="relation") if r == "active_in"}
    assert actors and actors <= set(H)
    H = subgraph(P, select(store, P, companies=["CATL"]))
    facilities = {u for u, _, r in P.in_edges("company/catl", data="relation") if r == "site_of"}
    assert {"company/catl"} | facilities <= set(H)
    assert {d["kind"] for _, d in H.nodes(data=True)} >= {"company", "facility", "chain_link", "division"}
    H = subgraph(P, select(store, P, stage="upstream"))
    stages = {d.get("stage") for _, d in H.nodes(data=True) if d["kind"] == "chain_link"}
    assert stages == {"upstream"}
    assert sum(1 for _, d in H.nodes(data=True) if d["kind"] == "chain_link") == \
        sum(1 for _, d in P.nodes(data=True) if d["kind"] == "chain_link" and d["stage"] == "upstream")
    assert any(d["relation"] == "input_to" for *_, d in H.edges(data=True))


def test_stage_filter_and_hops(store, P, shaanxi):
    from graph.export import select, subgraph
    from graph.names import DivisionIndex

    division = DivisionIndex.from_store(store).resolve("Shaanxi", "province")
    whole = subgraph(P, shaanxi)
    down = subgraph(P, select(store, P, divisions=[division], stage="downstream"))
    assert {d["stage"] for _, d in down.nodes(data=True) if d["kind"] == "chain_link"} == {"downstream"}
    assert set(down) < set(whole)
    one = subgraph(P, select(store, P, companies=["catl"]))
    two = subgraph(P, select(store, P, companies=["catl"], hops=1))
    assert set(one) < set(two)
    assert not any(d["kind"] == "area" for _, d in two.nodes(data=True) if _ not in one)


def test_construct_selection(store, P, tmp_path):
    from graph.export import rdf_subgraph, select, subgraph

    rq = tmp_path / "batteries.rq"
    rq.write_text("PREFIX nev: <https://w3id.org/nevkg/ontology#>\n"
                  "CONSTRUCT { ?co nev:activeIn ?c } WHERE { ?co a nev:Company ; nev:activeIn ?c . "
                  "FILTER(?c = <https://w3id.org/nevkg/id/chain-link/battery-cells>) }", encoding="utf-8")
    selection = select(store, P, construct=str(rq))
    kg = rdf_subgraph(store, selection)
    assert 0 < len(kg) == len(list(kg.triples((None, None, None))))
    assert all(str(p).endswith("#activeIn") for _, p, _ in kg)  # exactly the CONSTRUCT's triples
    H = subgraph(P, selection)
    assert "chain-link/battery-cells" in H and any(d["kind"] == "company" for _, d in H.nodes(data=True))


def test_bad_selections_are_errors(built, tmp_path):
    result = run("--exports", built, "export", "--chain-link", "lfp-cathod", "-o", tmp_path / "x")
    assert result.exit_code == 1 and "lfp-cathode" in result.output
    result = run("--exports", built, "export", "--company", "no-such-company", "-o", tmp_path / "x")
    assert result.exit_code == 1 and "no company" in result.output
    result = run("--exports", built, "export", "-o", tmp_path / "x")
    assert result.exit_code == 1 and "choose what to export" in result.output
    result = run("--exports", built, "export", "--construct", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-o",
                 tmp_path / "x")
    assert result.exit_code == 1 and "CONSTRUCT" in result.output
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------------------- round trips

def test_rdf_formats_reread_isomorphic(store, shaanxi, exported):
    from graph.export import rdf_subgraph

    kg = rdf_subgraph(store, shaanxi)
    for suffix, fmt in ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld")):
        again = Graph().parse(_file(exported, suffix), format=fmt)
        assert len(again) == len(kg) and isomorphic(again, kg), suffix
    doc = json.loads(_file(exported, ".jsonld").read_text(encoding="utf-8"))
    keys = {k for node in doc["@graph"] for k in node}
    assert {"label", "activeIn", "source", "asOf", "code"} <= keys  # the context's short keys
    assert doc["@context"]["label"] == {"@id": "skos:prefLabel", "@container": "@language"}
    assert any(node.get("label", {}).get("zh") == "陕西省" for node in doc["@graph"])


def _same_graph(H, G, ignore_edge=()):
    assert list(G.nodes) == list(H.nodes)
    for n, d in H.nodes(data=True):
        assert G.nodes[n] == d, n
    edges = {(u, v, k): {a: b for a, b in d.items() if a not in ignore_edge} for u, v, k, d in G.edges(keys=True,
                                                                                                      data=True)}
    assert edges == {(u, v, k): d for u, v, k, d in H.edges(keys=True, data=True)}


def test_graphml_and_gexf_reread_by_networkx(P, shaanxi, exported):
    import networkx as nx

    from graph.export import subgraph

    H = subgraph(P, shaanxi)
    assert H.number_of_nodes() > 50 and H.number_of_edges() > 50
    G = nx.read_graphml(_file(exported, ".graphml"), force_multigraph=True)
    assert G.is_directed() and G.is_multigraph()
    _same_graph(H, G)
    G = nx.read_gexf(_file(exported, ".gexf"))
    assert G.is_directed() and G.is_multigraph()
    _same_graph(H, G, ignore_edge=("id",))  # GEXF numbers its edges


def test_csv_and_xlsx_reread_with_the_same_rows(P, shaanxi, exported):
    from openpyxl import load_workbook

    from graph.export import cell_text, edge_table, neutralise, node_table, subgraph

    H = subgraph(P, shaanxi)
    for suffix, table in ((".nodes.csv", node_table(H)), (".edges.csv", edge_table(H))):
        columns, rows = table
        raw = _file(exported, suffix).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
        with _file(exported, suffix).open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            assert reader.fieldnames == columns
            assert list(reader) == [{c: cell_text(r.get(c)) for c in columns} for r in rows]
    wb = load_workbook(_file(exported, ".xlsx"))
    kinds = {d["kind"] for _, d in H.nodes(data=True)}
    relations = {d["relation"] for *_, d in H.edges(data=True)}
    assert len(wb.sheetnames) == len(kinds) + len(relations)
    assert {"chain links", "divisions", "companies", "facilities", "sources", "rel active_in"} <= set(wb.sheetnames)
    ws = wb["divisions"]
    columns, rows = node_table(H, "division")
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == columns
    assert got[1:] == [[neutralise(r.get(c)) for c in columns] for r in rows]
    ws = wb["rel within"]
    columns, rows = edge_table(H, "within")
    assert [list(r) for r in ws.iter_rows(values_only=True)][1:] == [[r.get(c) for c in columns] for r in rows]


def test_every_format_keeps_chinese_text(exported):
    for suffix in (".ttl", ".nt", ".jsonld", ".graphml", ".gexf", ".nodes.csv", ".html", ".md"):
        text = _file(exported, suffix).read_bytes().decode("utf-8")
        assert "陕西省" in text or "\\u9655" in text, suffix
    assert "陕西省" in _file(exported, ".nt").read_text(encoding="utf-8")  # not \\u-escaped
    from openpyxl import load_workbook

    values = [c for r in load_workbook(_file(exported, ".xlsx"))["divisions"].iter_rows(values_only=True) for c in r]
    assert "陕西省" in values
    assert _file(exported, ".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _file(exported, ".svg").read_bytes().lstrip().startswith(b"<?xml")


def test_figures_draw_chinese_with_a_cjk_font(P, shaanxi):
    from graph.export import subgraph
    from graph.figures import cjk_font, figure_bytes

    if cjk_font() is None:
        pytest.skip("no CJK font (Debian's fonts-noto-cjk); figures fall back to English names")
    H = subgraph(P, shaanxi)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = figure_bytes(H, "png", title=H.graph["title"])
        svg = figure_bytes(H, "svg", title=H.graph["title"])
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert png == figure_bytes(H, "png", title=H.graph["title"]) and svg == figure_bytes(H, "svg", title=H.graph["title"])
    assert b"<dc:date>" not in svg


def test_figures_fall_back_to_english_without_a_cjk_font(P, shaanxi, monkeypatch):
    import graph.figures as figures
    from graph.export import subgraph

    monkeypatch.setattr(figures, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = figures.figure_bytes(subgraph(P, shaanxi), "png", title="陕西省 Shaanxi")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_exports_are_deterministic(built, exported, tmp_path):
    again = tmp_path / "shaanxi"
    assert run("--exports", built, "export", "--province", "陕西省", "--format", "all", "-o", again).exit_code == 0
    for path in sorted(exported.parent.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


# ------------------------------------------------------------------------- spreadsheets and escaping

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A graph whose company names are formulas and HTML, and the exports of that company."""
    import shutil

    from graph.build import DATA_DIR, build_graph
    from graph.export import export_files, property_graph, select
    from graph.store import Store

    data = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA_DIR, data, dirs_exist_ok=True)
    path = data / "companies.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    catl = next(r for r in rows if r["id"] == "catl")
    catl["label_en"], catl["label_zh"] = FORMULAS[0], "<img src=x onerror=alert(1)>宁德"
    byd = next(r for r in rows if r["id"] == "byd")
    byd["label_en"] = FORMULAS[1]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    store = Store.from_graph(build_graph(data))
    P = property_graph(store)
    selection = select(store, P, companies=["catl", "byd"])
    out = tmp_path_factory.mktemp("hostile") / "x"
    files = {}
    for fmt in ("csv", "xlsx", "md", "html"):
        files.update(export_files(store, P, selection, fmt, out))
    return files, out


def test_formula_cells_are_neutralised_in_csv_and_xlsx(hostile):
    from openpyxl import load_workbook

    from graph.export import neutralise

    files, out = hostile
    assert [neutralise(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert neutralise(-2.5) == -2.5 and neutralise("陕西") == "陕西"
    text = files[_file(out, ".nodes.csv")].decode("utf-8-sig")
    cells = [c for row in csv.reader(text.splitlines()) for c in row]
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[1] in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert not [c for c in cells if c[:1] == "-" and not _is_number(c)]
    import io

    wb = load_workbook(io.BytesIO(files[_file(out, ".xlsx")]))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in ("=", "+", "-", "@"), cell.value
    assert "'" + FORMULAS[0] in [c.value for r in wb["companies"].iter_rows() for c in r]


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_markdown_and_page_escape_html_from_the_data(hostile):
    files, out = hostile
    md = files[_file(out, ".md")].decode("utf-8")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;宁德" in md
    html = files[_file(out, ".html")].decode("utf-8")
    assert "<img" not in html


# ------------------------------------------------------------------------------------------ writing

def test_exports_overwrite_nothing_unless_forced(built, tmp_path):
    out = tmp_path / "catl"
    (tmp_path / "catl.md").write_text("keep me", encoding="utf-8")
    result = run("--exports", built, "export", "--company", "catl", "--format", "csv", "--format", "md", "-o", out)
    assert result.exit_code == 1 and "--force" in result.output and "catl.md" in result.output
    assert (tmp_path / "catl.md").read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "catl.nodes.csv").exists()  # nothing is written when one file is in the way
    result = run("--exports", built, "export", "--company", "catl", "--format", "csv", "--format", "md", "-o",
                 out, "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "catl.md").read_text(encoding="utf-8").startswith("# nevkg subgraph")
    assert (tmp_path / "catl.nodes.csv").exists() and (tmp_path / "catl.edges.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_output_suffix_is_replaced_per_format(built, tmp_path):
    result = run("--exports", built, "export", "--chain-link", "lfp-cathode", "--format", "ttl", "--format",
                 "gexf", "-o", tmp_path / "lfp.ttl")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lfp.gexf", "lfp.ttl"]


def test_default_paths(built, tmp_path):
    import shutil

    shutil.copy(built / "nev-kg.ttl", tmp_path / "nev-kg.ttl")  # a folder of its own: other tests read built/
    result = run("--exports", tmp_path, "export", "--stage", "upstream", "--format", "md")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "subgraphs" / "upstream.md").exists()
    result = run("--exports", tmp_path, "export", "--city", "西安", "--format", "ttl")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "subgraphs" / "610100-xi-an.ttl").exists()  # never exports/regions/, nevkg all's
    result = run("--exports", tmp_path, "export", "--company", "catl", "--hops", "1", "--format", "md")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "subgraphs" / "company-catl+hops1.md").exists()
