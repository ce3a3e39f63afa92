"""``nevkg serve``: the SPARQL 1.1 Protocol endpoint, tried with real clients (SPARQLWrapper, curl, headless
Chromium), its limits, and the same answers as ``nevkg query`` for the whole library.

Every server binds 127.0.0.1 on a free port and is stopped (with its worker processes) at the end.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from graph.query import library, run_query
from graph.serve import make_server, negotiate

ID = "https://w3id.org/nevkg/id/"
CHROMIUM = os.environ.get("NEVKG_CHROMIUM", "/usr/bin/chromium")
SHAANXI = f"<{ID}division/610000>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LABELS = f"SELECT ?l WHERE {{ {SHAANXI} <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} ORDER BY ?l"
DESCRIBE = f"DESCRIBE {SHAANXI}"
# 10^13 combinations: runs for hours unless stopped
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@contextmanager
def running(built, **options):
    server = make_server(built / "nev-kg.ttl", port=0, pages_dir=built / "html", **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def server(built):
    with running(built, workers=2) as s:
        yield s


@pytest.fixture(scope="module")
def endpoint(server):
    return server.url + "/sparql"


def http(url, data=None, headers=None, method=None):
    """(status, content type, body bytes) of one request."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def _bindings(body: bytes):
    doc = json.loads(body)
    return sorted(json.dumps(b, sort_keys=True) for b in doc["results"]["bindings"])


# ------------------------------------------------------------------------------------------ protocol
def test_get_post_form_and_post_query_give_the_same_answer(endpoint, store):
    want = sorted(t.value for t, in store.query(LABELS).rows)
    assert want == ["Shaanxi", "陕西省"]
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        http(endpoint + "?" + urllib.parse.urlencode({"query": LABELS}), headers=accept),
        http(endpoint, urllib.parse.urlencode({"query": LABELS}).encode(),
             {**accept, "Content-Type": "application/x-www-form-urlencoded"}),
        http(endpoint, LABELS.encode("utf-8"), {**accept, "Content-Type": "application/sparql-query"}),
    ]
    for status, ctype, body in answers:
        assert status == 200 and ctype == "application/sparql-results+json; charset=utf-8"
        assert sorted(b["l"]["value"] for b in json.loads(body)["results"]["bindings"]) == want


def test_unknown_parameters_are_ignored(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": LABELS, "format": "xml", "output": "json",
                                                    "timeout": "1", "default-graph-uri": "", "x": "y"})
    status, ctype, body = http(url, headers={"Accept": "text/csv"})
    assert status == 200 and ctype == "text/csv; charset=utf-8"
    assert body.decode("utf-8").splitlines() == ["l", "Shaanxi", "陕西省"]


CURL_CASES = [
    (LABELS, "application/sparql-results+json", "application/sparql-results+json", '"value":"陕西省"'),
    (LABELS, "application/sparql-results+xml", "application/sparql-results+xml", "<literal xml:lang=\"zh\">陕西省"),
    (LABELS, "text/csv", "text/csv", "l\r\nShaanxi\r\n陕西省"),
    (LABELS, "text/tab-separated-values", "text/tab-separated-values", '?l\n"Shaanxi"@en\n"陕西省"@zh'),
    (LABELS, "*/*", "application/sparql-results+json", '"vars":["l"]'),
    ("ASK { ?c a <https://w3id.org/nevkg/ontology#Company> }", "application/sparql-results+json",
     "application/sparql-results+json", '"boolean":true'),
    ("ASK { ?c a <https://w3id.org/nevkg/ontology#Nothing> }", "application/sparql-results+xml",
     "application/sparql-results+xml", "<boolean>false</boolean>"),
    (DESCRIBE, "text/turtle", "text/turtle", '"陕西省"@zh'),
    (DESCRIBE, "application/n-triples", "application/n-triples", f'{SHAANXI} <http://www.w3.org/2000/01/rdf-'),
    (DESCRIBE, "application/ld+json", "application/ld+json", '"@language":"zh"'),
    (DESCRIBE, "application/rdf+xml", "application/rdf+xml", "陕西省"),
    (f"CONSTRUCT {{ {SHAANXI} ?p ?o }} WHERE {{ {SHAANXI} ?p ?o }}", "*/*", "text/turtle", '"CN-SN"'),
]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("query,accept,media,fragment", CURL_CASES)
def test_curl_with_each_accept_type(endpoint, query, accept, media, fragment):
    out = subprocess.run(["curl", "-sS", "-i", "--max-time", "60", "-H", f"Accept: {accept}",
                          "--data-urlencode", f"query={query}", endpoint], capture_output=True, check=True)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].split()[1] == "200"
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"] == f"{media}; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    assert fragment in body.decode("utf-8")


def test_a_format_that_cannot_be_given_is_406(endpoint):
    status, ctype, body = http(endpoint + "?" + urllib.parse.urlencode({"query": LABELS}),
                               headers={"Accept": "text/turtle"})
    assert status == 406 and ctype == "text/plain; charset=utf-8" and b"text/csv" in body


def test_negotiation_honours_q_values_and_ranges():
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", "select") == "xml"
    assert negotiate("text/*", "select") == "csv"
    assert negotiate("text/*", "graph") == "ttl"
    assert negotiate("application/json", "graph") == "jsonld"
    assert negotiate("application/sparql-results+json;q=0, application/json;q=0, */*;q=0.1", "select") == "xml"
    assert negotiate("image/png", "select") is None
    assert negotiate(None, "select") == "json" and negotiate("", "graph") == "ttl"


def test_service_description_at_the_endpoint(endpoint, store):
    from rdflib import Graph, Namespace, URIRef

    SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
    status, ctype, body = http(endpoint, headers={"Accept": "text/turtle"})
    assert status == 200 and ctype == "text/turtle; charset=utf-8"
    kg = Graph().parse(data=body.decode("utf-8"), format="turtle")
    service = kg.value(None, SD.endpoint, URIRef(endpoint))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in kg
    triples = next(kg.objects(None, URIRef("http://rdfs.org/ns/void#triples")))
    assert int(triples) == len(store)
    status, ctype, body = http(endpoint, headers={"Accept": "application/ld+json"})
    assert status == 200 and ctype == "application/ld+json; charset=utf-8" and json.loads(body)


def test_the_endpoint_is_read_only(endpoint, store):
    def count():
        _, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": COUNT}),
                          headers={"Accept": "application/sparql-results+json"})
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    before = count()
    assert before == len(store)
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    assert http(endpoint, urllib.parse.urlencode({"update": insert}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert http(endpoint, insert.encode(), {"Content-Type": "application/sparql-update"})[0] == 403
    assert http(endpoint, b"CLEAR ALL", {"Content-Type": "application/sparql-update"})[0] == 403
    status, _, body = http(endpoint, insert.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"syntax" in body
    assert http(endpoint + "?" + urllib.parse.urlencode({"query": LABELS}), method="DELETE")[0] == 405
    assert http(endpoint, b"<a> <b> <c> .", {"Content-Type": "text/turtle"}, method="PUT")[0] == 405
    assert count() == before


def test_syntax_error_is_400_with_its_position(endpoint):
    status, ctype, body = http(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE { ?x ?y }"}))
    assert status == 400 and ctype == "text/plain; charset=utf-8" and b"error at 1:" in body
    # with an undeclared nevkg prefix (declared on an added line) the position is still the user's, as in the CLI
    status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s nev:stage ?x . FILTER( }"}))
    assert status == 400 and b"error at 1:46" in body


# ------------------------------------------------------------------------------------------ real clients
@pytest.mark.parametrize("only_conneg", [False, True])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper(endpoint, only_conneg, method):
    from SPARQLWrapper import CSV, JSON, N3, TSV, XML, SPARQLWrapper

    def client(query, fmt):
        sw = SPARQLWrapper(endpoint)
        sw.setOnlyConneg(only_conneg)
        sw.setMethod(method)
        sw.setQuery(query)
        sw.setReturnFormat(fmt)
        return sw.query()

    doc = client(LABELS, JSON).convert()
    assert sorted(b["l"]["value"] for b in doc["results"]["bindings"]) == ["Shaanxi", "陕西省"]
    xml = client(LABELS, XML).convert()
    assert sorted(n.firstChild.data for n in xml.getElementsByTagName("literal")) == ["Shaanxi", "陕西省"]
    assert client(LABELS, CSV).convert().decode("utf-8").splitlines() == ["l", "Shaanxi", "陕西省"]
    assert client(LABELS, TSV).convert().decode("utf-8").splitlines() == ["?l", '"Shaanxi"@en', '"陕西省"@zh']
    assert client("ASK { ?c a <https://w3id.org/nevkg/ontology#Company> }", JSON).convert()["boolean"] is True
    kg = client(DESCRIBE, XML).convert()  # an rdflib graph, through RDF/XML
    assert len(kg) > 5
    turtle = client(DESCRIBE, N3)
    assert turtle.response.headers["Content-Type"].endswith("charset=utf-8")
    assert "陕西省" in turtle.convert().decode("utf-8")


def test_the_library_gives_the_same_answers_through_the_endpoint(server, endpoint, store):
    examples = {e["name"]: e["query"] for e in server.pool.examples}
    questions = [n for n, q in library().items() if q.role == "question"]
    assert set(questions) <= set(examples)
    for name in questions:
        q = library()[name]
        local = run_query(store, name, params=q.example_bindings()).serialize("json")
        status, _, body = http(endpoint, examples[name].encode("utf-8"), {
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        assert status == 200, (name, body[:300])
        assert _bindings(body) == _bindings(local), name


def test_eight_concurrent_clients(endpoint):
    queries = [LABELS, COUNT, "ASK { ?s ?p ?o }", DESCRIBE]
    errors, done = [], []

    def client(n):
        for i in range(12):
            q = queries[(n + i) % len(queries)]
            status, _, _ = http(endpoint, q.encode("utf-8"), {"Content-Type": "application/sparql-query"})
            (done if status == 200 else errors).append(status)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and len(done) == 96


# ------------------------------------------------------------------------------------------ limits
def test_time_and_size_limits_give_clear_errors_and_the_server_goes_on(built):
    with running(built, workers=1, timeout=1.0, max_bytes=50_000) as s:
        url = s.url + "/sparql"
        started = time.monotonic()
        status, ctype, body = http(url, ENDLESS.encode(), {"Content-Type": "application/sparql-query"})
        assert status == 503 and b"time limit of 1 s" in body
        assert time.monotonic() - started < 10
        status, ctype, body = http(url, b"SELECT * WHERE { ?s ?p ?o }", {"Content-Type": "application/sparql-query"})
        assert status == 422 and ctype == "text/plain; charset=utf-8" and b"limit of 50000 bytes" in body
        status, _, body = http(url, LABELS.encode("utf-8"), {"Content-Type": "application/sparql-query",
                                                               "Accept": "text/csv"})
        assert status == 200 and "陕西省" in body.decode("utf-8")


# ------------------------------------------------------------------------------------------ the page
def test_the_page_offers_the_library(server):
    status, ctype, body = http(server.url + "/")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert "/static/yasgui/yasgui.min.js" in page and "https://" not in page.split("<script>")[0].replace(
        "https://w3id.org", "")
    for name, q in library().items():
        if q.role == "question":
            assert f'"name": "{name}"' in page
    assert http(server.url + "/static/yasgui/yasgui.min.js")[0] == 200
    assert http(server.url + "/static/../serve.py")[0] == 404


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is not installed")
def test_the_page_runs_an_example_offline_and_shows_labels(server, tmp_path):
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path}",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--virtual-time-budget=20000", "--dump-dom",
         f"{server.url}/#example=facilities-in-province"], capture_output=True, timeout=120)
    dom = out.stdout.decode("utf-8")
    assert "Which plants, mines and sites lie in a province" in dom
    assert "(Shaanxi / 陕西省)" in dom  # a label beside the division IRI in the results table
    assert "id:facility/" in dom  # IRIs shortened with the nevkg prefixes
