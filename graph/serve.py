"""``nevkg serve``: a read-only SPARQL 1.1 Protocol endpoint and a query page over the built graph.

Routes (all on one host and port, 127.0.0.1 by default):

* ``/sparql`` — the endpoint. A query comes by GET (``?query=``), by POST form-encoded (``query=``) or by
  POST ``application/sparql-query``; other request parameters are ignored (``default-graph-uri`` and
  ``named-graph-uri`` too: the graph is one default graph). The answer's format is chosen from the
  ``Accept`` header (:func:`negotiate`): SPARQL results JSON, XML, CSV or TSV for SELECT and ASK; Turtle,
  N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE; every ``Content-Type`` carries
  ``charset=utf-8``. Without a query it answers its SPARQL 1.1 Service Description. SPARQL Update
  (an ``update`` parameter or ``application/sparql-update``) is refused with 403; update text sent as
  a query is a syntax error (400): the store is never written.
* ``/`` — the query page: YASGUI (vendored under ``graph/static/yasgui/``, no network needed) with the
  query library as examples, result IRIs annotated with their labels, and links to the graph pages.
* ``/html/...`` — the pages of ``exports/html/`` (the chain page and others); ``/static/...`` — assets.

Queries run in a pool of worker processes, each holding its own copy of the store (in-memory Oxigraph
loaded from the Turtle, or the on-disk Oxigraph store opened read-only). A query that runs past the time
limit (default 10 s) is stopped by ending its worker, which is replaced, and answered with 503; an answer
larger than the size limit (default 64 MiB, counted as it is written) is answered with 422. So no query
can hang the server or exhaust its memory, and the other workers go on answering meanwhile.
"""
from __future__ import annotations

import json
import queue
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import NevkgError

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_MAX_BYTES", "ENDPOINT_PATH", "negotiate", "Answer", "QueryPool",
           "EndpointServer", "make_server"]

DEFAULT_TIMEOUT = 10.0  # seconds per query
DEFAULT_MAX_BYTES = 64 * 2 ** 20  # bytes of one answer
MAX_REQUEST_BYTES = 1 * 2 ** 20  # bytes of one request body
ENDPOINT_PATH = "/sparql"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# media type -> format name, for each kind of result; the first is the default for */*
_SELECT_MEDIA = {"application/sparql-results+json": "json", "application/json": "json",
                 "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
                 "text/tab-separated-values": "tsv", "text/xml": "xml"}
_GRAPH_MEDIA = {"text/turtle": "ttl", "application/x-turtle": "ttl", "application/n-triples": "nt",
                "text/plain": "nt", "application/ld+json": "jsonld", "application/json": "jsonld",
                "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml"}
_CONTENT_TYPE = {("select", "json"): "application/sparql-results+json", ("select", "xml"):
                 "application/sparql-results+xml", ("select", "csv"): "text/csv",
                 ("select", "tsv"): "text/tab-separated-values", ("graph", "ttl"): "text/turtle",
                 ("graph", "nt"): "application/n-triples", ("graph", "jsonld"): "application/ld+json",
                 ("graph", "xml"): "application/rdf+xml"}


def negotiate(accept: str | None, kind: str) -> str | None:
    """The format name for an ``Accept`` header and a result ``kind`` (``select``/``ask`` or ``graph``).

    Returns ``json``, ``xml``, ``csv`` or ``tsv`` for select and ask, ``ttl``, ``nt``, ``jsonld`` or
    ``xml`` for graph results, or None when nothing acceptable is offered. Media ranges (``text/*``,
    ``*/*``) and q-values are honoured; a missing header or ``*/*`` gives JSON or Turtle. ASK has no
    boolean CSV/TSV form in the standard; Oxigraph writes ``true`` or ``false``.
    """
    table = _GRAPH_MEDIA if kind == "graph" else _SELECT_MEDIA
    offers = list(table)
    if not accept or not accept.strip():
        return table[offers[0]]
    ranges = []
    for n, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media, q = pieces[0].lower(), 1.0
        for p in pieces[1:]:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media, q, n))
    best, best_key = None, None
    for offer_rank, offer in enumerate(offers):
        matches = [(q, 2 if m == offer else 1 if m.endswith("/*") and offer.startswith(m[:-1]) else 0, n)
                   for m, q, n in ranges if m == offer or m == "*/*" or (m.endswith("/*") and offer.startswith(m[:-1]))]
        if not matches:
            continue
        q, specificity, n = max(matches, key=lambda x: (x[1], x[0]))  # the most specific range decides q
        if q <= 0:
            continue
        key = (q, specificity, -n, -offer_rank)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return table[best] if best else None


@dataclass
class Answer:
    """An HTTP answer: ``status`` (int), ``content_type``, ``body`` (bytes) and extra ``headers``."""

    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers) -> "Answer":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)


class _TooLarge(Exception):
    pass


class _CappedWriter:
    """A file-like sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size, self.parts = limit, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass


def _answer(ox_store, sparql: str, accept: str | None, max_bytes: int) -> tuple:
    """Evaluate ``sparql`` on a pyoxigraph store and write it in the negotiated format (in a worker)."""
    import pyoxigraph as ox

    from .store import _graph_formats, _results_formats

    from .query import user_position, with_prefixes
    from .store import syntax_message

    given, sparql = sparql, with_prefixes(sparql)  # the same undeclared nevkg prefixes as `nevkg query`
    try:
        raw = ox_store.query(sparql)
    except SyntaxError as exc:
        message = user_position(syntax_message(sparql, exc), 0 if sparql == given else 1)
        return (400, "text/plain; charset=utf-8", f"{message}\n".encode("utf-8"))
    except (OSError, ValueError, RuntimeError) as exc:
        return (500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode("utf-8"))
    kind = "graph" if isinstance(raw, ox.QueryTriples) else "select"
    fmt = negotiate(accept, kind)
    if fmt is None:
        offered = ", ".join(sorted({m for m in (_GRAPH_MEDIA if kind == "graph" else _SELECT_MEDIA)}))
        return (406, "text/plain; charset=utf-8",
                f"no acceptable format for this result in Accept: {accept}; offered: {offered}\n".encode("utf-8"))
    sink = _CappedWriter(max_bytes)
    try:
        if kind == "graph":
            ox.serialize(raw, output=sink, format=_graph_formats()[fmt])
        else:
            raw.serialize(output=sink, format=_results_formats()[fmt])
    except _TooLarge:
        return (422, "text/plain; charset=utf-8",
                f"the answer is larger than the limit of {max_bytes} bytes: narrow the query or add a LIMIT\n"
                .encode("utf-8"))
    except (OSError, ValueError, RuntimeError) as exc:
        if isinstance(exc.__cause__ or exc.__context__, _TooLarge) or "_TooLarge" in repr(exc):
            return (422, "text/plain; charset=utf-8",
                    f"the answer is larger than the limit of {max_bytes} bytes: narrow the query or add a LIMIT\n"
                    .encode("utf-8"))
        return (500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode("utf-8"))
    return (200, f"{_CONTENT_TYPE['graph' if kind == 'graph' else 'select', fmt]}; charset=utf-8", b"".join(sink.parts))


def _examples(store) -> list[dict]:
    """The library's question queries as page examples: the text with its example parameters bound."""
    from .query import bind_parameters, library
    from .store import _with_values

    out = []
    for q in library().values():
        if q.role == "check":
            continue
        try:
            text = _with_values(q.text, bind_parameters(store, q.example_bindings(), q))
        except NevkgError:
            text = q.text
        out.append({"name": q.name, "question_en": q.question_en, "question_zh": q.question_zh,
                    "parameters": [p.name for p in q.parameters], "query": text})
    return out


def _worker_main(conn, kind: str, turtle: str, want_examples: bool) -> None:  # pragma: no cover (a subprocess)
    import signal

    from .store import DiskStore, Store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which ends its workers

    try:
        store = DiskStore.open(Path(turtle)) if kind == "disk" else Store.from_turtle(Path(turtle))
        conn.send(("ready", _examples(store) if want_examples else None, len(store)))
    except Exception as exc:  # report any start-up failure to the parent
        conn.send(("failed", f"{type(exc).__name__}: {exc}", 0))
        return
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        sparql, accept, max_bytes = message
        conn.send(_answer(store._store, sparql, accept, max_bytes))


class _Worker:
    def __init__(self, context, kind: str, turtle: Path, want_examples: bool):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, kind, str(turtle), want_examples),
                                       daemon=True, name="nevkg-sparql-worker")
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> tuple:
        if not self.conn.poll(timeout):
            self.kill()
            raise NevkgError(f"a query worker did not start within {timeout:.0f} s")
        try:
            status, info, triples = self.conn.recv()
        except EOFError:
            status, info, triples = "failed", "the worker process ended while starting", 0
        if status != "ready":
            self.kill()
            raise NevkgError(f"a query worker could not load the graph: {info}")
        return info, triples

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """``workers`` processes answering queries on their own copy of the store, with a time limit.

    ``kind`` is ``memory`` or ``disk``; ``turtle`` the graph's Turtle file. :meth:`execute` hands a query
    to an idle worker and waits at most ``timeout`` seconds for it, for the answer too; past that the worker
    is ended and a new one started in its place. ``max_bytes`` caps the size of an answer. Raises
    :class:`NevkgError` if the workers cannot load the graph. Call :meth:`close` to end the workers.
    """

    def __init__(self, turtle: Path, kind: str = "memory", workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 max_bytes: int = DEFAULT_MAX_BYTES, start_timeout: float = 600.0):
        import multiprocessing

        if workers < 1:
            raise NevkgError("--workers must be at least 1")
        self.turtle, self.kind, self.timeout, self.max_bytes = Path(turtle), kind, timeout, max_bytes
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._all: set = set()
        self._lock = threading.Lock()
        self._closed = False
        first = _Worker(self._context, kind, self.turtle, True)
        rest = [_Worker(self._context, kind, self.turtle, False) for _ in range(workers - 1)]
        try:
            self.examples, self.triples = first.wait_ready(start_timeout)
            for w in rest:
                w.wait_ready(start_timeout)
        except BaseException:
            for w in [first, *rest]:
                w.kill()
            raise
        for w in [first, *rest]:
            self._all.add(w)
            self._idle.put(w)

    def _replace(self, dead: _Worker) -> None:
        dead.kill()
        with self._lock:
            self._all.discard(dead)
        if self._closed:
            return

        def start():
            try:
                w = _Worker(self._context, self.kind, self.turtle, False)
                w.wait_ready(self.start_timeout)
            except NevkgError:
                return
            with self._lock:
                if self._closed:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)
        threading.Thread(target=start, daemon=True).start()

    def execute(self, sparql: str, accept: str | None) -> Answer:
        """Answer one query (see the class docstring); never raises for a bad query."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer.text(503, f"the server is busy: no query worker was free within {self.timeout:g} s",
                               **{"Retry-After": "1"})
        try:
            worker.conn.send((sparql, accept, self.max_bytes))
            if worker.conn.poll(self.timeout):
                status, content_type, body = worker.conn.recv()
                self._idle.put(worker)
                return Answer(status, content_type, body)
        except (EOFError, OSError):
            self._replace(worker)
            return Answer.text(500, "the query worker stopped while answering; it has been replaced")
        self._replace(worker)
        return Answer.text(503, f"the query ran past the time limit of {self.timeout:g} s and was stopped")

    def close(self) -> None:
        """End every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.process.join(1)
            w.kill()


_SD = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{endpoint}#service> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL10Query , sd:SPARQL11Query ;
  sd:resultFormat formats:SPARQL_Results_JSON , formats:SPARQL_Results_XML , formats:SPARQL_Results_CSV ,
    formats:SPARQL_Results_TSV , formats:Turtle , formats:N-Triples , formats:JSON-LD , formats:RDF_XML ;
  dcterms:title "nevkg: China's new-energy-vehicle industrial chain (新能源汽车产业链知识图谱)" ;
  rdfs:comment "Read-only: SPARQL Update is refused. Each query may run {timeout:g} s and answer {max_bytes} bytes." ;
  sd:defaultDataset <{endpoint}#dataset> .
<{endpoint}#dataset> a sd:Dataset ;
  sd:defaultGraph <{endpoint}#graph> .
<{endpoint}#graph> a sd:Graph ;
  void:triples {triples} .
"""


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server: a :class:`QueryPool` plus the page and files. ``url`` is its base URL."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # pending connections: many clients may connect at once

    def __init__(self, address, pool: QueryPool, pages_dir: Path | None):
        super().__init__(address, _Handler)
        self.pool = pool
        self.pages_dir = Path(pages_dir) if pages_dir else None
        host, port = self.server_address[:2]
        self.url = f"http://{host}:{port}"

    def page(self) -> bytes:
        """The query page, with the examples and the list of graph pages filled in."""
        pages = [name for name in ("index.html", "chain.html", "map.html")
                 if self.pages_dir and (self.pages_dir / name).is_file()]  # the index links every other page
        html = (STATIC_DIR / "query.html").read_text(encoding="utf-8")
        from .query import _prefixes

        data = json.dumps({"endpoint": ENDPOINT_PATH, "examples": self.pool.examples, "pages": pages,
                           "prefixes": _prefixes()},
                          ensure_ascii=False).replace("</", "<\\/")
        return html.replace("/*NEVKG_CONFIG*/{}", data).encode("utf-8")

    def service_description(self, accept: str | None) -> Answer:
        import pyoxigraph as ox

        from .store import _graph_formats

        endpoint = self.url + ENDPOINT_PATH
        ttl = _SD.format(endpoint=endpoint, triples=self.pool.triples, timeout=self.pool.timeout,
                         max_bytes=self.pool.max_bytes)
        fmt = negotiate(accept, "graph") or "ttl"
        body = ttl.encode("utf-8") if fmt == "ttl" else ox.serialize(
            ox.parse(ttl.encode("utf-8"), format=ox.RdfFormat.TURTLE), format=_graph_formats()[fmt])
        return Answer(200, f"{_CONTENT_TYPE['graph', fmt]}; charset=utf-8", body)

    def server_close(self):
        super().server_close()
        self.pool.close()


class _Handler(BaseHTTPRequestHandler):
    server: EndpointServer
    protocol_version = "HTTP/1.1"
    server_version = "nevkg-sparql"

    def log_message(self, format, *args):  # the library never prints
        pass

    def _send(self, answer: Answer, head_only: bool = False) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Vary", "Accept")
        self.send_header("Access-Control-Allow-Origin", "*")
        for k, v in answer.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head_only:
            self.wfile.write(answer.body)

    def _file(self, base: Path, name: str) -> Answer:
        types = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8"}
        path = (base / urllib.parse.unquote(name)).resolve()
        if base.resolve() not in path.parents or not path.is_file():
            return Answer.text(404, f"no such file: {name}")
        return Answer(200, types.get(path.suffix, "application/octet-stream"), path.read_bytes())

    def _route(self, method: str) -> Answer:
        url = urllib.parse.urlsplit(self.path)
        if url.path == ENDPOINT_PATH:
            return self._endpoint(method, url)
        if method not in ("GET", "HEAD"):
            return Answer.text(405, f"{method} is not allowed here", Allow="GET, HEAD")
        if url.path in ("/", "/index.html"):
            return Answer(200, "text/html; charset=utf-8", self.server.page())
        if url.path.startswith("/static/"):
            return self._file(STATIC_DIR, url.path[len("/static/"):])
        if url.path.startswith("/html/") and self.server.pages_dir:
            return self._file(self.server.pages_dir, url.path[len("/html/"):])
        return Answer.text(404, f"nothing at {url.path}; the SPARQL endpoint is {ENDPOINT_PATH}")

    def _endpoint(self, method: str, url) -> Answer:
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        query = None
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                return Answer.text(413, f"the request is larger than {MAX_REQUEST_BYTES} bytes")
            body = self.rfile.read(length) if length else b""
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if media == "application/sparql-update":
                return Answer.text(403, "this endpoint is read-only: SPARQL Update is refused")
            if media == "application/sparql-query":
                query = body.decode("utf-8", "replace")
            elif media == "application/x-www-form-urlencoded" or not media:
                for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            else:
                return Answer.text(415, f"unsupported Content-Type {media}: send application/sparql-query or "
                                        "application/x-www-form-urlencoded")
        elif method not in ("GET", "HEAD"):
            return Answer.text(405, f"{method} is not allowed on the SPARQL endpoint (it is read-only)",
                               Allow="GET, HEAD, POST")
        if "update" in params:
            return Answer.text(403, "this endpoint is read-only: SPARQL Update is refused")
        if query is None:
            queries = params.get("query", [])
            if len(queries) > 1:
                return Answer.text(400, "give one query parameter, not several")
            if not queries:
                accept = self.headers.get("Accept") or ""
                if "text/html" in accept and "turtle" not in accept:
                    return Answer(303, "text/plain; charset=utf-8", b"see /\n", {"Location": "/"})
                return self.server.service_description(accept)
            query = queries[0]
        if not query.strip():
            return Answer.text(400, "the query is empty")
        return self.server.pool.execute(query, self.headers.get("Accept"))

    def _handle(self, method: str) -> None:
        try:
            answer = self._route(method)
        except Exception as exc:  # the server must answer whatever happens
            answer = Answer.text(500, f"internal error: {type(exc).__name__}: {exc}")
        self._send(answer, head_only=method == "HEAD")

    def do_GET(self):
        self._handle("GET")

    def do_HEAD(self):
        self._handle("HEAD")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PATCH(self):
        self._handle("PATCH")


def make_server(turtle: Path, host: str = "127.0.0.1", port: int = 7878, store: str = "memory", workers: int = 2,
                timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                pages_dir: Path | None = None) -> EndpointServer:
    """Start the workers and bind the server (``port`` 0 picks a free one); call ``serve_forever()`` on it
    and ``server_close()`` when done (it ends the workers).

    ``turtle`` is the built graph; ``store`` is ``memory`` or ``disk`` (the on-disk Oxigraph store beside
    the Turtle, built once); ``timeout`` is seconds per query, ``max_bytes`` the largest answer;
    ``pages_dir`` the folder served under ``/html/``. Raises :class:`NevkgError` if the graph is missing or
    the address is taken.
    """
    from .errors import QueryError
    from .store import DiskStore

    turtle = Path(turtle)
    if not turtle.exists():
        raise QueryError(f"{turtle} does not exist: run `nevkg build` first")
    if store not in ("memory", "disk"):
        raise NevkgError(f"unknown store {store!r}; choose memory or disk")
    if store == "disk":
        DiskStore.open(turtle)  # build it once here, so that the workers only open it
    pool = QueryPool(turtle, store, workers, timeout, max_bytes)
    try:
        return EndpointServer((host, port), pool, pages_dir)
    except OSError as exc:
        pool.close()
        raise NevkgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    """Wait until ``url`` answers (for scripts and tests); raises :class:`NevkgError` after ``timeout`` s."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise NevkgError(f"{url} did not answer within {timeout:g} s") from None
            time.sleep(0.1)
