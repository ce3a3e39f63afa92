"""Names of divisions as users type them."""
from __future__ import annotations

import pytest

from graph.errors import NameLookupError
from graph.names import DivisionIndex


@pytest.fixture(scope="module")
def index(store):
    return DivisionIndex.from_store(store)


@pytest.mark.parametrize("name", ["Shaanxi", "shaanxi", "陕西", "陕西省", "CN-SN", "610000"])
def test_every_form_of_shaanxi(index, name):
    assert index.resolve(name, "province").code == "610000"


@pytest.mark.parametrize("name", ["Shanxi", "山西", "山西省", "CN-SX", "140000"])
def test_shanxi_is_not_shaanxi(index, name):
    assert index.resolve(name, "province").code == "140000"


def test_inner_mongolia_is_nei_mongol(index):
    assert index.resolve("Nei Mongol", "province").code == "150000"
    assert index.resolve("内蒙古", "province").code == "150000"


def test_city_with_apostrophe(index):
    assert index.resolve("Xi'an", "prefecture").code == "610100"
    assert index.resolve("xian", "prefecture").code == "610100"


def test_ambiguous_name_lists_candidates(index):
    with pytest.raises(NameLookupError) as err:
        index.resolve("Fuzhou", "prefecture")
    assert "福州市 (350100)" in str(err.value) and "抚州市 (361000)" in str(err.value)


def test_unknown_name_lists_close_matches(index):
    with pytest.raises(NameLookupError) as err:
        index.resolve("Shanxii", "province")
    assert "Shanxi 山西省 (140000)" in str(err.value) and "Shaanxi 陕西省 (610000)" in str(err.value)


@pytest.mark.parametrize("name, code", [("Inner Mongolia", "150000"), ("Tibet", "540000")])
def test_common_english_exonyms(index, name, code):
    assert index.resolve(name, "province").code == code


def test_close_matches_come_closest_first(index):
    with pytest.raises(NameLookupError) as err:
        index.resolve("Shanxii", "province")
    assert str(err.value).index("山西省") < str(err.value).index("陕西省")


# the type word decides the level: "Hainan Prefecture" is 海南藏族自治州 in Qinghai, not Hainan Province
@pytest.mark.parametrize("name, code", [("Shaanxi Province", "610000"), ("Guangxi Zhuang Autonomous Region", "450000"),
                                        ("Xi'an City", "610100"), ("Nagqu", "540600"), ("Ürümqi", "650100"),
                                        ("Hohhot", "150100"), ("Jilin City", "220200"), ("Jilin Province", "220000"),
                                        ("Hainan Prefecture", "632500"), ("Hainan", "460000"),
                                        ("Yanbian Korean Autonomous Prefecture", "222400"),
                                        ("Shanghai City", "310000")])
def test_english_type_words_and_common_romanisations(index, name, code):
    assert index.resolve(name).code == code


def test_a_city_given_for_a_province_is_named_with_its_province(index):
    with pytest.raises(NameLookupError, match=r"Xi'an 西安市 \(610100\), a prefecture-level division in Shaanxi"):
        index.resolve("西安", "province")


def test_hong_kong_is_out_of_scope_not_a_close_match(index):
    for name in ("Hong Kong", "Xianggang", "Hong Kong SAR"):
        with pytest.raises(NameLookupError, match="outside the graph"):
            index.resolve(name)


def test_a_chain_link_parameter_takes_a_label_and_a_measure_is_checked(store):
    from graph.errors import QueryError
    from graph.query import run_query

    by_label = run_query(store, "provinces-of-chain-link", params={"chain_link": "磷酸铁锂正极"}).rows
    by_id = run_query(store, "provinces-of-chain-link", params={"chain_link": "lfp-cathode"}).rows
    assert by_label == by_id and len(by_id) > 5
    with pytest.raises(QueryError, match="unknown measure 'productoin'; close matches: production"):
        run_query(store, "figures-by-year", params={"measure": "productoin", "area": "CN"})
