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
