"""Province exports and the chain page."""
from __future__ import annotations

import re

from rdflib import Graph

from graph.namespaces import NEV, RDF
from tests.conftest import run


def _division_codes(path):
    kg = Graph().parse(path)
    codes = set()
    for cls in (NEV.ProvinceLevelDivision, NEV.PrefectureLevelDivision):
        for d in kg.subjects(RDF.type, cls):
            codes.add(str(kg.value(d, NEV.divisionCode)))
    return kg, codes


def test_shaanxi_and_shanxi_exports_hold_only_their_own_divisions(built, tmp_path):
    sn, sx = tmp_path / "sn.ttl", tmp_path / "sx.ttl"
    assert run("--exports", built, "export", "--province", "陕西", "-o", sn).exit_code == 0
    assert run("--exports", built, "export", "--province", "Shanxi", "-o", sx).exit_code == 0
    kg_sn, codes_sn = _division_codes(sn)
    kg_sx, codes_sx = _division_codes(sx)
    assert "610000" in codes_sn and "610100" in codes_sn and all(c.startswith("61") for c in codes_sn)
    assert "140000" in codes_sx and "140100" in codes_sx and all(c.startswith("14") for c in codes_sx)
    assert len(codes_sn) == 11 and len(codes_sx) == 12  # the province and its prefecture-level divisions
    # the seed's Shaanxi figure travels with Shaanxi only
    assert "1020000" in sn.read_text(encoding="utf-8") and "1020000" not in sx.read_text(encoding="utf-8")


def test_export_refuses_to_overwrite_without_force(built, tmp_path):
    out = tmp_path / "x.ttl"
    out.write_text("keep me", encoding="utf-8")
    result = run("--exports", built, "export", "--province", "CN-SN", "-o", out)
    assert result.exit_code == 1 and "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run("--exports", built, "export", "--province", "CN-SN", "-o", out, "--force").exit_code == 0
    assert len(Graph().parse(out)) > 100


def test_unknown_province_is_an_error_with_close_matches(built):
    result = run("--exports", built, "export", "--province", "Shanxii")
    assert result.exit_code == 1
    assert "close matches" in result.output and "山西省" in result.output


def test_chain_page_loads_nothing_from_the_network(built, tmp_path):
    page = tmp_path / "chain.html"
    assert run("--exports", built, "viz", "chain", "-o", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html, flags=re.I)
    assert tags, "the page has script tags"
    assert not [t for t in tags if re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", t, flags=re.I)]
    assert "vis.Network" in html and "锂资源" in html
