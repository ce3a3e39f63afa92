"""The three stores behind one interface give the same answers to the whole library; and the library gives the
same answers on rdflib's SPARQL engine as on Oxigraph's (the differential test), but for the documented
engine differences.

The remote store is tried against the real ``oxigraph`` server (PyPI package ``oxigraph``, in the test extra),
started on 127.0.0.1 with a free port, loaded over the SPARQL 1.1 Graph Store Protocol by ``nevkg query
--endpoint URL --upload``, and always stopped.
"""
from __future__ import annotations

import json
import multiprocessing
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from graph.errors import QueryError
from graph.query import bind_parameters, library, run_query
from graph.store import DiskStore, RemoteStore, _with_values
from tests.conftest import run

QUESTIONS = [n for n, q in library().items() if q.role != "check"]


def _answer(store, name):
    """A comparable form of a library query's answer on ``store`` (its example parameters bound)."""
    q = library()[name]
    result = run_query(store, name, params=q.example_bindings())
    if result.kind == "select":
        return sorted(json.dumps(b, sort_keys=True, ensure_ascii=False)
                      for b in json.loads(result.serialize("json"))["results"]["bindings"])
    if result.kind == "ask":
        return result.boolean
    return sorted(str(t) for t in result.triples)


# ------------------------------------------------------------------------------------------ disk
def test_disk_store_is_built_once_and_reopened_without_parsing(built, store, tmp_path, monkeypatch):
    location = tmp_path / "kg.oxigraph"
    first = DiskStore.open(built / "nev-kg.ttl", location)
    assert len(first) == len(store)
    del first

    def no_parse(*args):
        raise AssertionError("the Turtle was parsed again")
    monkeypatch.setattr(DiskStore, "_build", classmethod(no_parse))
    again, other = DiskStore.open(built / "nev-kg.ttl", location), DiskStore.open(built / "nev-kg.ttl", location)
    assert len(again) == len(other) == len(store)  # two read-only handles at once
    for name in QUESTIONS:
        assert _answer(again, name) == _answer(store, name), name


def test_disk_store_is_rebuilt_when_the_turtle_changes(built, tmp_path):
    ttl = tmp_path / "kg.ttl"
    ttl.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
    assert len(DiskStore.open(ttl)) == 1
    time.sleep(0.01)
    ttl.write_text("<urn:x:a> <urn:x:b> <urn:x:c> , <urn:x:d> .\n", encoding="utf-8")
    assert len(DiskStore.open(ttl)) == 2
    assert (tmp_path / "kg.oxigraph" / DiskStore.MARKER).exists()


def test_cli_disk_store(built):
    out = run("--exports", built, "query", "chain-links-by-stage", "--store", "disk", "--format", "csv")
    assert out.exit_code == 0, out.output
    assert out.output == run("--exports", built, "query", "chain-links-by-stage", "--format", "csv").output


# ------------------------------------------------------------------------------------------ remote
def _oxigraph() -> str | None:
    found = shutil.which("oxigraph")
    beside = Path(sys.executable).with_name("oxigraph")
    return found or (str(beside) if beside.exists() else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    binary = _oxigraph()
    if binary is None:
        pytest.skip("the oxigraph server (PyPI package oxigraph, in the test extra) is not installed")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/query", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the oxigraph server did not start")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_remote_store_loaded_over_the_graph_store_protocol_answers_the_library(built, store, oxigraph_server):
    endpoint = oxigraph_server + "/query"
    out = run("--exports", built, "query", "chain-links-by-stage", "--endpoint", endpoint, "--upload",
              "--format", "csv")
    assert out.exit_code == 0, out.output
    assert out.output == run("--exports", built, "query", "chain-links-by-stage", "--format", "csv").output
    remote = RemoteStore(endpoint)
    assert remote.graph_store == oxigraph_server + "/store"
    assert len(remote) == len(store)
    for name in QUESTIONS:
        assert _answer(remote, name) == _answer(store, name), name
    again = run("--exports", built, "query", "inputs-of-chain-link", "--param", "chain_link=lfp-cathode",
                "--endpoint", endpoint, "--format", "tsv")
    assert again.output == run("--exports", built, "query", "inputs-of-chain-link", "--param",
                               "chain_link=lfp-cathode", "--format", "tsv").output


def test_remote_errors_are_query_errors(oxigraph_server):
    remote = RemoteStore(oxigraph_server + "/query")
    with pytest.raises(QueryError, match="400"):
        remote.query("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(QueryError, match="cannot reach"):
        RemoteStore(f"http://127.0.0.1:{_free_port()}/query", timeout=5).query("ASK {}")


# ------------------------------------------------------------------------------------------ rdflib vs Oxigraph
# Known engine differences, documented rather than hidden:
# * GROUP_CONCAT's order is not defined by SPARQL 1.1: its parts are compared as sets.
# * rdflib chooses join orders without statistics and joins the trailing VALUES clause after the whole
#   pattern, so some queries take seconds to minutes there (measured on the real graph, 2 cores). Those
#   over 6 s are listed in RDFLIB_TOO_SLOW and compared on Oxigraph's stores only, to keep the suite short;
#   scripts/benchmark_sparql.py times rdflib on every query.
RDFLIB_TOO_SLOW = {
    "companies-of-chain-link": "over 30 s: skos:broader* from every company's chain links",
    "duplicate-label-violation": "17 s: a self-join on labels",
    "facilities-outside-home-province": "7 s: two zero-or-one paths",
    "region-subgraph": "7 s: five unions of zero-or-one paths before the VALUES join",
}
RDFLIB_SECONDS = 60  # per query; past that the differential test fails rather than hangs


def _normal(term) -> str:
    """One rdflib or pyoxigraph term as text: numbers by value (1.0 = 1.00), GROUP_CONCAT lists sorted."""
    if term is None:
        return ""
    value = term.value if type(term).__module__.startswith("pyoxigraph") else str(term)  # the lexical form
    datatype = str(getattr(term, "datatype", "") or "")
    if type(term).__name__ == "Literal" and datatype.endswith(("#integer", "#decimal", "#double", "#float")):
        try:
            return format(Decimal(str(term)).normalize(), "f")
        except InvalidOperation:
            return value
    if ";" in value and "://" not in value:
        return ";".join(sorted(value.split(";")))
    return value


def _rdflib_worker(conn, turtle):  # pragma: no cover (a subprocess)
    from rdflib import Graph

    kg = Graph()
    kg.parse(turtle, format="turtle")
    conn.send("ready")
    while True:
        text = conn.recv()
        if text is None:
            return
        r = kg.query(text)
        if r.type == "ASK":
            conn.send(r.askAnswer)
        elif r.type == "SELECT":
            conn.send(sorted(tuple(_normal(v) for v in row) for row in r))
        else:  # the library's only CONSTRUCT (region-subgraph) is in RDFLIB_TOO_SLOW
            conn.send(len(r.graph))


def _oxigraph_answer(store, text):
    result = store.query(text)
    if result.kind == "ask":
        return result.boolean
    if result.kind == "select":
        return sorted(tuple(_normal(v) for v in row) for row in result.rows)
    return len(result.triples)


def test_rdflib_and_oxigraph_give_the_same_answers(built, store):
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    proc = context.Process(target=_rdflib_worker, args=(child, str(built / "nev-kg.ttl")), daemon=True)
    proc.start()
    compared = []
    try:
        assert conn.poll(120) and conn.recv() == "ready"
        for name, q in library().items():
            if name in RDFLIB_TOO_SLOW:
                continue
            text = _with_values(q.text, bind_parameters(store, q.example_bindings(), q))
            conn.send(text)
            assert conn.poll(RDFLIB_SECONDS), f"rdflib took over {RDFLIB_SECONDS} s on {name}"
            got = conn.recv()
            want = _oxigraph_answer(store, text)
            assert got == want, name
            compared.append(name)
        conn.send(None)
    finally:
        proc.kill()
        proc.join(5)
    assert len(compared) >= 20
