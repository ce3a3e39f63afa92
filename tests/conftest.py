"""Shared fixtures: the real graph, built once per test session into a temporary exports folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.build import DATA_DIR
from graph.cli import main


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """An exports folder holding nev-kg.ttl built from the repository's data/."""
    exports = tmp_path_factory.mktemp("exports")
    result = CliRunner().invoke(main, ["--exports", str(exports), "build"])
    assert result.exit_code == 0, result.output
    return exports


@pytest.fixture(scope="session")
def store(built):
    from graph.store import Store

    return Store.from_turtle(built / "nev-kg.ttl")


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of data/ for tests that break a table."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def run(*args):
    """Invoke the CLI in-process; returns click's Result."""
    return CliRunner().invoke(main, [str(a) for a in args])
