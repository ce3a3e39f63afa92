"""The store behind queries: one small interface (query, construct, len) over three backends.

* :class:`Store` — the default: an in-memory Oxigraph (pyoxigraph) loaded from ``exports/nev-kg.ttl`` with
  Oxigraph's own Turtle parser (about 0.1 s for the real graph);
* :class:`DiskStore` — an Oxigraph store on disk (RocksDB), built once from the Turtle and then reopened
  read-only without parsing it again (several processes may read it at once);
* :class:`RemoteStore` — any SPARQL 1.1 Protocol endpoint, loaded through the SPARQL 1.1 Graph Store
  Protocol: the way to move the graph to a clustered triple store.

Callers use only :meth:`Store.query` (which returns a :class:`QueryResult` of pyoxigraph terms whatever the
backend) and :meth:`Store.construct`; :func:`open_store` picks a backend by name.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import QueryError

__all__ = ["Store", "DiskStore", "RemoteStore", "QueryResult", "open_store", "RESULTS_MEDIA", "GRAPH_MEDIA"]

#: results format name -> media type (SPARQL 1.1 Query Results)
RESULTS_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}
#: RDF format name -> media type (CONSTRUCT and DESCRIBE results)
GRAPH_MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "xml": "application/rdf+xml"}


def _results_formats():
    import pyoxigraph as ox

    return {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def _graph_formats():
    import pyoxigraph as ox

    return {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
            "jsonld": ox.RdfFormat.JSON_LD}


class QueryResult:
    """The answer to a query: ``kind`` is ``select``, ``ask`` or ``graph``.

    For select: ``variables`` (names without ``?``) and ``rows`` (lists of
    pyoxigraph terms, None where unbound). For ask: ``boolean``. For graph
    (CONSTRUCT, DESCRIBE): ``triples`` (pyoxigraph Triples). :meth:`serialize`
    writes it in a W3C format with Oxigraph's own writers (for select and ask
    it evaluates the query again, so a result can be read more than once).
    """

    def __init__(self, run):
        import pyoxigraph as ox

        self._run = run
        raw = run()
        if isinstance(raw, ox.QueryBoolean):
            self.kind, self.boolean = "ask", bool(raw)
        elif isinstance(raw, ox.QuerySolutions):
            self.kind = "select"
            self.variables = [v.value for v in raw.variables]
            self.rows = [list(sol) for sol in raw]  # a solution iterates its values in variable order
        else:
            self.kind = "graph"
            self.triples = [t.triple if isinstance(t, ox.Quad) else t for t in raw]

    def serialize(self, fmt: str) -> bytes:
        """Bytes in ``fmt``: ``json``, ``xml``, ``csv`` or ``tsv`` (SPARQL 1.1 Query Results) for select and
        ask; ``ttl``, ``nt``, ``jsonld`` or ``xml`` for graph results. Raises :class:`QueryError` for a format
        that does not fit the result."""
        import pyoxigraph as ox

        if self.kind == "graph":
            formats = _graph_formats()
            if fmt not in formats:
                raise QueryError(f"a CONSTRUCT or DESCRIBE result is written as ttl, nt, jsonld or xml, not {fmt}")
            return ox.serialize(self.triples, format=formats[fmt])
        formats = _results_formats()
        if fmt not in formats:
            raise QueryError(f"a SELECT or ASK result is written as json, xml, csv or tsv, not {fmt}")
        return self._run().serialize(format=formats[fmt])


def _file_format(path: Path):
    import pyoxigraph as ox

    return ox.RdfFormat.N_TRIPLES if Path(path).suffix == ".nt" else ox.RdfFormat.TURTLE


def syntax_message(sparql: str, exc: SyntaxError) -> str:
    """A readable message for Oxigraph's syntax error on ``sparql``: an undeclared prefix is named
    instead of listing the characters the parser expected."""
    import re

    text = str(exc)
    m = re.match(r"error at (\d+):(\d+)", text)
    if m and "Prefix not found" in text:
        line = sparql.splitlines()[int(m[1]) - 1] if int(m[1]) <= len(sparql.splitlines()) else ""
        found = re.search(r"([A-Za-z][\w-]*)?:[^\s:]*$", line[: int(m[2]) - 1])
        name = f"{found[1] or ''}:" if found else "a prefix"
        return f"SPARQL syntax error at {m[1]}:{m[2]}: unknown prefix {name} (declare it with PREFIX)"
    return f"SPARQL syntax {text}"


def _group_start(sparql: str) -> int | None:
    """Index just after the ``{`` that opens the outermost query's WHERE clause, or None.

    Scans past comments, IRIs and string literals, so a ``WHERE`` or ``{`` inside them is not taken.
    For the short forms without the keyword (``ASK { }``, ``SELECT * { }``) the first ``{`` after the
    query form is taken; a CONSTRUCT template's braces are skipped by requiring ``WHERE`` there.
    """
    import re

    token = re.compile(r'#[^\n]*|<[^<>"{}|^`\\\s]*>|"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:\\.|[^"\\\n])*"'
                       r"|'(?:\\.|[^'\\\n])*'|\bWHERE\b|\b(?:SELECT|ASK|DESCRIBE|CONSTRUCT)\b|\{", re.IGNORECASE)
    form, after_where = None, False
    for m in token.finditer(sparql):
        text = m.group(0).upper()
        if text in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT") and form is None:
            form = text
        elif text == "WHERE":
            after_where = True
        elif text == "{" and (after_where or form in ("SELECT", "ASK", "DESCRIBE")):
            return m.end()
    return None


def _with_values(sparql: str, bindings: dict | None) -> str:
    """``sparql`` with ``bindings`` joined as a ``VALUES`` block written by pyoxigraph's term serialiser.

    The block opens the outermost WHERE group, so the engine joins it first (a bound parameter then
    narrows every pattern and aggregate of the query, which matters at a million triples). Where no
    WHERE group is found, or a parameter is assigned by ``BIND(... AS ?p)`` or ``(... AS ?p)`` (it may not
    be in scope before), it is appended as a trailing VALUES clause instead: the same answers.
    """
    import re

    import pyoxigraph as ox

    if not bindings:
        return sparql
    names = " ".join(f"?{ox.Variable(k).value}" for k in bindings)
    terms = " ".join(str(v) for v in bindings.values())
    block = f"VALUES ({names}) {{ ({terms}) }}"
    at = _group_start(sparql)
    assigned = any(re.search(rf"\bAS\s+[?$]{ox.Variable(k).value}\b", sparql, re.IGNORECASE) for k in bindings)
    if at is None or assigned:  # a variable a BIND or projection assigns can only be joined afterwards
        return f"{sparql}\n{block}"
    return f"{sparql[:at]} {block} {sparql[at:]}"


class Store:
    """A read-only SPARQL store over one graph: the default, in-memory Oxigraph.

    ``Store.from_turtle(path)`` or ``Store.from_graph(kg)`` loads it;
    :meth:`query` runs SPARQL 1.1 SELECT, ASK, CONSTRUCT or DESCRIBE.
    """

    backend = "memory"

    def __init__(self, ox_store=None):
        import pyoxigraph as ox

        self._store = ox_store if ox_store is not None else ox.Store()

    @classmethod
    def from_turtle(cls, path: Path) -> "Store":
        """Load a Turtle file (or N-Triples, by the ``.nt`` suffix) with Oxigraph's own parser, never rdflib's.
        Raises :class:`QueryError` if it is missing."""
        path = Path(path)
        if not path.exists():
            raise QueryError(f"{path} does not exist: run `nevkg build` first")
        store = cls()
        store._store.bulk_load(path=str(path), format=_file_format(path))
        return store

    @classmethod
    def from_graph(cls, kg) -> "Store":
        """Load an rdflib graph (through N-Triples)."""
        import pyoxigraph as ox

        store = cls()
        data = kg.serialize(format="nt", encoding="utf-8")
        store._store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        return store

    def __len__(self) -> int:
        """The number of triples (Oxigraph counts them: O(n) on disk)."""
        return len(self._store)

    def _evaluate(self, sparql: str):
        return self._store.query(sparql)

    def query(self, sparql: str, bindings: dict | None = None) -> QueryResult:
        """Run ``sparql`` (SELECT, ASK, CONSTRUCT or DESCRIBE) and return a :class:`QueryResult`.

        ``bindings`` maps variable names (without ``?``) to pyoxigraph terms. They are bound through a
        SPARQL ``VALUES`` block written by pyoxigraph's own term serialiser at the start of the outermost
        WHERE group (:func:`_with_values`), so a value can never change the query's structure (text is
        never pasted in). (Oxigraph's ``substitutions`` give the same answers but evaluate the
        unbound pattern first, which is 1,000 times slower on region queries.)
        Raises :class:`QueryError` with the line:column of a syntax error.
        """
        sparql = _with_values(sparql, bindings)

        def run():
            return self._evaluate(sparql)
        try:
            return QueryResult(run)
        except SyntaxError as exc:
            raise QueryError(syntax_message(sparql, exc)) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None

    def construct(self, sparql: str, bindings: dict | None = None):
        """Run a CONSTRUCT query and return an rdflib Graph of its triples."""
        from rdflib import Graph

        result = self.query(sparql, bindings)
        if result.kind != "graph":
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        kg = Graph()
        kg.parse(data=result.serialize("nt"), format="nt")
        return kg


class DiskStore(Store):
    """An Oxigraph store on disk, opened read-only.

    :meth:`open` builds it from a Turtle file the first time (and again whenever the file's size or
    modification time changes, as recorded in ``SOURCE``), then reopens it without parsing.
    """

    backend = "disk"
    MARKER = "nevkg-source.txt"

    @classmethod
    def open(cls, turtle: Path, location: Path | None = None) -> "DiskStore":
        """The store of ``turtle`` at ``location`` (default: beside it, ``NAME.oxigraph/``).

        Raises :class:`QueryError` if ``turtle`` is missing or the store cannot be opened.
        """
        import pyoxigraph as ox

        turtle = Path(turtle)
        location = Path(location) if location else turtle.with_suffix(".oxigraph")
        if not turtle.exists():
            raise QueryError(f"{turtle} does not exist: run `nevkg build` first")
        stamp = cls._stamp(turtle)
        marker = location / cls.MARKER
        if not (marker.exists() and marker.read_text(encoding="utf-8") == stamp):
            cls._build(turtle, location, stamp)
        try:
            return cls(ox.Store.read_only(str(location)))
        except OSError as exc:
            raise QueryError(f"cannot open the Oxigraph store {location}: {exc}") from None

    @staticmethod
    def _stamp(turtle: Path) -> str:
        st = turtle.stat()
        return f"{turtle.resolve()}\n{st.st_size}\n{st.st_mtime_ns}\n"

    @classmethod
    def _build(cls, turtle: Path, location: Path, stamp: str) -> None:
        import tempfile

        import pyoxigraph as ox

        location.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{location.name}.", dir=location.parent))
        try:
            store = ox.Store(str(tmp))
            store.bulk_load(path=str(turtle), format=_file_format(turtle))
            store.optimize()
            store.flush()
            del store
            (tmp / cls.MARKER).write_text(stamp, encoding="utf-8")
            old = location.with_name(location.name + ".old")
            if location.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(location, old)
            os.replace(tmp, location)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


class RemoteStore(Store):
    """A remote SPARQL 1.1 Protocol endpoint (``endpoint``: its query URL).

    Queries are sent by POST (``application/sparql-query``); answers come back as SPARQL results JSON or
    N-Triples and are parsed with Oxigraph's parsers, so :meth:`query` gives the same :class:`QueryResult`
    as the embedded stores. ``graph_store`` is the Graph Store Protocol URL used by :meth:`upload` (default:
    the endpoint's last path segment replaced by ``store``, Oxigraph's layout; Fuseki's is ``.../data``).
    ``timeout`` is in seconds.
    """

    backend = "remote"
    ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"

    def __init__(self, endpoint: str, graph_store: str | None = None, timeout: float = 60.0):
        self.endpoint = endpoint
        self.graph_store = graph_store or endpoint.rstrip("/").rsplit("/", 1)[0] + "/store"
        self.timeout = timeout

    def _request(self, url: str, data=None, headers: dict | None = None, method: str = "POST") -> tuple[str, bytes]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            raise QueryError(f"{url} answered {exc.code} {exc.reason}: {body[:1000]}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise QueryError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None

    def _evaluate(self, sparql: str):
        import pyoxigraph as ox

        media, body = self._request(self.endpoint, sparql.encode("utf-8"), {
            "Content-Type": "application/sparql-query; charset=utf-8", "Accept": self.ACCEPT})
        media = media.split(";")[0].strip().lower()
        results = ox.QueryResultsFormat.from_media_type(media)
        if results is not None:
            return ox.parse_query_results(body, format=results)
        rdf = ox.RdfFormat.from_media_type(media)
        if rdf is not None:
            return [q.triple for q in ox.parse(body, format=rdf)]
        raise QueryError(f"{self.endpoint} answered with {media or 'no media type'}, not SPARQL results or RDF")

    def __len__(self) -> int:
        """The number of triples in the endpoint's default graph (a COUNT query)."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(rows[0][0].value)

    def upload(self, turtle: Path) -> None:
        """Replace the endpoint's default graph with the Turtle file ``turtle`` (Graph Store Protocol ``PUT
        ?default``), streamed from disk. Raises :class:`QueryError` if the server refuses it."""
        turtle = Path(turtle)
        if not turtle.exists():
            raise QueryError(f"{turtle} does not exist: run `nevkg build` first")
        with open(turtle, "rb") as body:
            self._request(f"{self.graph_store}?default", body, {
                "Content-Type": "text/turtle; charset=utf-8", "Content-Length": str(turtle.stat().st_size)}, "PUT")


def open_store(turtle: Path, kind: str = "memory", endpoint: str | None = None, graph_store: str | None = None,
               upload: bool = False) -> Store:
    """A store of the graph in ``turtle`` by ``kind``: ``memory`` (:meth:`Store.from_turtle`), ``disk``
    (:meth:`DiskStore.open`) or ``remote`` (:class:`RemoteStore` at ``endpoint``; ``upload`` first puts
    ``turtle`` there). Raises :class:`QueryError`."""
    if kind == "memory":
        return Store.from_turtle(turtle)
    if kind == "disk":
        return DiskStore.open(turtle)
    if kind == "remote":
        if not endpoint:
            raise QueryError("a remote store needs an endpoint URL")
        store = RemoteStore(endpoint, graph_store)
        if upload:
            store.upload(turtle)
        return store
    raise QueryError(f"unknown store {kind!r}; choose memory, disk or remote")
