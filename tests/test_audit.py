"""The audit: floors of coverage on the real data, and what makes it fail."""
from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import run

# Floors the curated data must keep: the reference map's minimum size.
FLOORS = {"ChainLink": 420, "SupplyRelation": 650, "Company": 300, "Facility": 200, "Specialisation": 600,
          "Observation": 120}


@pytest.fixture(scope="module")
def audit():
    result = run("audit", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("kind, floor", sorted(FLOORS.items()))
def test_count_floors(audit, kind, floor):
    assert audit["coverage"]["counts"][kind] >= floor


def test_every_province_and_150_prefectures_have_a_chain_link(audit):
    assert audit["coverage"]["provinces_without_chain_link"] == []
    assert audit["coverage"]["prefectures_with_chain_link"] >= 150


def test_all_three_stages_are_covered(audit):
    stages = audit["coverage"]["chain_links_per_stage"]
    assert set(stages) == {"upstream", "midstream", "downstream"} and min(stages.values()) >= 80


def test_nev_output_of_provinces(audit):
    codes = {iri.rsplit("/", 1)[-1] for iri in audit["coverage"]["provinces_with_nev_output"]}
    assert {"610000", "440000", "340000"} <= codes and len(codes) >= 15


def test_no_problems_and_every_source_cited(audit):
    assert audit["problems"] == [] and audit["coverage"]["sources_never_cited"] == []


def test_audit_fails_on_a_missing_source_and_a_dangling_reference(data_copy):
    path = data_copy / "specialisations.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["source"] = ""
    rows[1]["chain_link"] = "no-such-link"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = run("--data", data_copy, "audit")
    assert result.exit_code == 1
    assert f"{path}:2: source: no source" in result.output
    assert f"{path}:3: chain_link: dangling reference 'no-such-link'" in result.output
