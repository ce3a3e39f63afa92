"""The store behind queries: one small interface (load, query, construct).

The default store is an in-memory Oxigraph (pyoxigraph); callers only use
:class:`Store`, so a faster or remote store can replace it without touching them.
"""
from __future__ import annotations

from pathlib import Path

from .errors import QueryError

__all__ = ["Store", "QueryResult"]


class QueryResult:
    """The answer to a query: ``kind`` is ``select``, ``ask`` or ``graph``.

    For select: ``variables`` (names without ``?``) and ``rows`` (lists of
    pyoxigraph terms, None where unbound). For ask: ``boolean``. For graph
    (CONSTRUCT, DESCRIBE): ``triples``. :meth:`serialize` writes it in a W3C
    format with Oxigraph's own writers (each call evaluates the query again,
    so a result can be read more than once).
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
            self.rows = [[sol[v] for v in self.variables] for sol in raw]
        else:
            self.kind = "graph"
            self.triples = list(raw)

    def serialize(self, fmt: str) -> bytes:
        """Bytes in ``fmt``: ``json``, ``xml``, ``csv`` or ``tsv`` (SPARQL 1.1 Query Results) for select and
        ask; ``ttl``, ``nt`` or ``xml`` for graph results. Raises :class:`QueryError` for a format that does
        not fit the result."""
        import pyoxigraph as ox

        if self.kind == "graph":
            formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}
            if fmt not in formats:
                raise QueryError(f"a CONSTRUCT or DESCRIBE result is written as ttl, nt or xml, not {fmt}")
            return ox.serialize(self.triples, format=formats[fmt])
        formats = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
        if fmt not in formats:
            raise QueryError(f"a SELECT or ASK result is written as json, xml, csv or tsv, not {fmt}")
        return self._run().serialize(format=formats[fmt])


class Store:
    """A read-only SPARQL store over one graph.

    ``Store.from_turtle(path)`` or ``Store.from_graph(kg)`` loads it;
    :meth:`query` runs SPARQL 1.1 SELECT, ASK, CONSTRUCT or DESCRIBE.
    """

    def __init__(self):
        import pyoxigraph as ox

        self._store = ox.Store()

    @classmethod
    def from_turtle(cls, path: Path) -> "Store":
        """Load a Turtle file (Oxigraph's own parser). Raises :class:`QueryError` if it is missing."""
        import pyoxigraph as ox

        path = Path(path)
        if not path.exists():
            raise QueryError(f"{path} does not exist: run `nevkg build` first")
        store = cls()
        store._store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
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
        return len(self._store)

    def query(self, sparql: str, bindings: dict | None = None) -> QueryResult:
        """Run ``sparql`` (SELECT, ASK, CONSTRUCT or DESCRIBE) and return a :class:`QueryResult`.

        ``bindings`` maps variable names (without ``?``) to pyoxigraph terms. They are bound through a
        trailing SPARQL ``VALUES`` clause written by pyoxigraph's own term serialiser, so a value can never
        change the query's structure (text is never pasted in); the query itself must not end with a
        ``VALUES`` clause of its own. (Oxigraph's ``substitutions`` give the same answers but evaluate the
        unbound pattern first, which is 1,000 times slower on region queries.)
        Raises :class:`QueryError` with the line:column of a syntax error.
        """
        import pyoxigraph as ox

        if bindings:
            names = " ".join(f"?{ox.Variable(k).value}" for k in bindings)
            terms = " ".join(str(v) for v in bindings.values())
            sparql = f"{sparql}\nVALUES ({names}) {{ ({terms}) }}"

        def run():
            return self._store.query(sparql)
        try:
            return QueryResult(run)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax {exc}") from None
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
