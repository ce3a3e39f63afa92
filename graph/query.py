"""Run SPARQL over the built graph and write the answer in a chosen format; the named-query library.

Formats: ``table`` (aligned text for people, IRIs shortened with the nevkg
prefixes), ``csv``, ``tsv``, ``json`` and ``xml`` (the W3C SPARQL 1.1 Query
Results formats) for SELECT and ASK; ``ttl``, ``nt``, ``xml`` and ``jsonld`` for
CONSTRUCT and DESCRIBE (a ``table`` request on a graph result gives Turtle).

The library is ``ontology/queries/*.rq``. Each file opens with a comment block::

    # Question: Which provinces host a chain link, and on how much evidence?
    # 问题：哪些省份布局了某个产业链环节？各有多少条依据？
    # Parameter: chain_link (chain-link) — the chain link, by id or IRI. Example: battery-cells
    # Answer: ...

(quality checks open with ``# Check`` and reports with ``# Report``). A parameter
is a variable of the query; :func:`bind_parameters` turns the text a user gives
into an RDF term by its kind (:data:`PARAMETER_KINDS`) and :meth:`graph.store.Store.query`
joins it to the query as a ``VALUES`` block opening the outermost ``WHERE`` group, so
a value can never change the query's structure. A parameter must appear in a triple
pattern of the query, not only inside ``FILTER`` or ``BIND``: a parameter left out
is unbound and must then match everything.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import QueryError

__all__ = ["PARAMETER_KINDS", "Parameter", "NamedQuery", "library", "query_text", "user_position", "named_queries",
           "bind_parameters", "run_query", "format_result", "format_library"]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"  # = graph.build.ONTOLOGY_DIR, without rdflib

NEV_NS = "https://w3id.org/nevkg/ontology#"
ID_NS = "https://w3id.org/nevkg/id/"

#: parameter kind -> what a user may give for it
PARAMETER_KINDS = {
    "chain-link": "a chain link's id (lfp-cathode), English or Chinese label, or IRI",
    "company": "a company's id (catl) or IRI",
    "facility": "a facility's id or IRI",
    "source": "a source's id (src-...) or IRI",
    "province": "a province-level division: English, pinyin or Chinese name, GB/T 2260 or ISO 3166-2 code, or IRI",
    "division": "any division: name or code as for province, or IRI",
    "area": "a division (as for division), CN (China) or WORLD",
    "stage": "upstream, midstream or downstream",
    "measure": "a measure's id (production, sales, capacity, ...; see data/README.md)",
    "iri": "an IRI: <...>, http(s)://..., or a prefixed name (id:division/610000, nev:upstream)",
    "literal": "a plain string",
    "year": "a year (2022), as xsd:gYear",
    "integer": "an integer",
}
_ID_KINDS = {"chain-link": "ChainLink", "company": "Company", "facility": "Facility", "source": "SourceDocument"}
_PARAM = re.compile(r"\??([A-Za-z_]\w*)\s*(?:\(([\w-]+)\))?\s*[—–-]+\s*(.*)")


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query: ``name`` (variable, no ``?``), ``kind`` (a key of
    :data:`PARAMETER_KINDS`), ``description`` and ``example`` (a value to try, or None)."""

    name: str
    kind: str
    description: str
    example: str | None


@dataclass(frozen=True)
class NamedQuery:
    """One file of the library: ``name`` (file stem), ``path``, ``role`` (``question``, ``report`` or
    ``check``: a check must return no rows), ``question_en``, ``question_zh`` and ``parameters``."""

    name: str
    path: Path
    role: str
    question_en: str
    question_zh: str
    parameters: tuple[Parameter, ...]

    @property
    def text(self) -> str:
        """The SPARQL text of the file."""
        return self.path.read_text(encoding="utf-8")

    def example_bindings(self) -> dict[str, str]:
        """Parameter name -> example value, for the parameters that give one."""
        return {p.name: p.example for p in self.parameters if p.example}


def _parse_header(path: Path) -> NamedQuery:
    role, fields, params = "question", {"en": "", "zh": "", "answer": ""}, []
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        m = re.match(r"^([^:：]*)([:：])\s*(.*)$", text)
        head, sep, rest = (m[1].strip(), m[2], m[3].strip()) if m else (text, "", "")
        if sep and head == "Question":
            current, fields["en"] = "en", rest
        elif sep and head == "问题":
            current, fields["zh"] = "zh", rest
        elif sep and head == "Answer":
            current, fields["answer"] = "answer", rest
        elif sep and head == "Parameter":
            current = "param"
            params.append(rest)
        elif sep and head.split(" ")[0].split("(")[0] in ("Check", "Report"):
            role, current, fields["en"] = head.split(" ")[0].split("(")[0].lower(), "en", rest
        elif sep and re.match(r"^(检查|报告)", head):
            current, fields["zh"] = "zh", rest
        elif current == "param":
            params[-1] += " " + text
        elif current:
            fields[current] += ("" if current == "zh" else " ") + text
    parameters = []
    for text in params:
        p = _PARAM.match(text)
        if not p:
            continue
        desc, example = p[3].strip(), None
        ex = re.search(r"\bExample:\s*(\S.*?)\s*$", desc)
        if ex:
            example, desc = ex[1].rstrip("."), desc[: ex.start()].strip()
        parameters.append(Parameter(p[1], p[2] or "iri", desc, example))
    return NamedQuery(path.stem, path, role, fields["en"].strip(), fields["zh"].strip(), tuple(parameters))


def library(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, NamedQuery]:
    """Every named query of ``ontology/queries/*.rq`` by name (sorted), with its header parsed."""
    return {p.stem: _parse_header(p) for p in sorted((ontology_dir / "queries").glob("*.rq"))}


def named_queries(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, Path]:
    """Map query name (file stem) -> path for ``ontology/queries/*.rq``."""
    return {p.stem: p for p in sorted((ontology_dir / "queries").glob("*.rq"))}


def _prefixes() -> dict[str, str]:
    from .namespaces import PREFIXES

    return PREFIXES


def with_prefixes(sparql: str) -> str:
    """``sparql`` with a first line declaring the nevkg prefixes (``nev:``, ``skos:``, ``id:``...) it uses
    without declaring them; unchanged if it needs none. Used by ``nevkg query`` and ``nevkg serve`` alike."""
    prologue = " ".join(f"PREFIX {p}: <{ns}>" for p, ns in _prefixes().items()
                        if f"{p}:" in sparql and not re.search(rf"PREFIX\s+{re.escape(p)}:", sparql, re.IGNORECASE))
    return f"{prologue}\n{sparql}" if prologue else sparql


def query_text(query_or_file: str, ontology_dir: Path = ONTOLOGY_DIR) -> str:
    """The SPARQL text of a file path, a named query, or the argument itself if it looks like SPARQL.

    Query text given inline may use the nevkg prefixes (``nev:``, ``skos:``, ``id:``...) without declaring
    them: their declarations are added on one line before it (:func:`run_query` reports error positions in
    the text as given).

    Raises :class:`QueryError` for a name that is neither a file, a named query nor SPARQL.
    """
    path = Path(query_or_file)
    if query_or_file.endswith(".rq") or (len(query_or_file) < 255 and "\n" not in query_or_file and path.is_file()):
        if not path.is_file():
            raise QueryError(f"no query file {query_or_file}")
        return path.read_text(encoding="utf-8")
    named = named_queries(ontology_dir)
    if query_or_file in named:
        return named[query_or_file].read_text(encoding="utf-8")
    if any(word in query_or_file.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        return with_prefixes(query_or_file)
    close = difflib.get_close_matches(query_or_file, list(named), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `nevkg query --list` lists the named queries"
    raise QueryError(f"{query_or_file!r} is not a query file, a named query or SPARQL{hint}")


def _iri(text: str):
    import pyoxigraph as ox

    text = text.strip()
    try:
        if text.startswith("<") and text.endswith(">"):
            return ox.NamedNode(text[1:-1])
        if re.match(r"^[a-zA-Z][\w+.-]*://", text) or text.startswith("urn:"):
            return ox.NamedNode(text)
        prefix, sep, local = text.partition(":")
        if sep and prefix in _prefixes():
            return ox.NamedNode(_prefixes()[prefix] + local)
    except ValueError as exc:
        raise QueryError(f"{text!r} is not a valid IRI: {exc}") from None
    raise QueryError(f"{text!r} is not an IRI: write <...>, http(s)://... or a prefixed name such as nev:upstream")


def _exists(store, term, cls: str) -> bool:
    return store.query(f"ASK {{ {term} a <{NEV_NS}{cls}> }}").boolean


def _by_id(store, kind: str, value: str):
    import pyoxigraph as ox

    value = value.strip()
    if value.startswith("<") or "://" in value or (":" in value and value.split(":", 1)[0] in _prefixes()):
        term = _iri(value)
    else:
        if not re.fullmatch(r"[A-Za-z0-9][\w.-]*", value):
            raise QueryError(f"{value!r} is not a {kind.replace('-', ' ')} id")
        term = ox.NamedNode(f"{ID_NS}{kind}/{value}")
    cls = _ID_KINDS[kind]
    if not _exists(store, term, cls):
        rows = store.query(f"SELECT ?x WHERE {{ ?x a <{NEV_NS}{cls}> }}").rows
        ids = [r[0].value.rsplit("/", 1)[-1] for r in rows]
        close = difflib.get_close_matches(value.rsplit("/", 1)[-1], ids, n=5, cutoff=0.6)
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise QueryError(f"no {kind.replace('-', ' ')} {value!r} in the graph{hint}")
    return term


def _division(store, value: str, level: str | None):
    import pyoxigraph as ox

    from .names import DivisionIndex

    if value.strip().startswith("<") or "://" in value:
        return _iri(value)
    division = DivisionIndex.from_store(store).resolve(value, level)
    return ox.NamedNode(f"{ID_NS}division/{division.code}")


def _term(store, kind: str, value: str):
    """The RDF term for ``value`` of parameter ``kind`` (see :data:`PARAMETER_KINDS`)."""
    import pyoxigraph as ox

    if kind == "chain-link":
        try:
            return _by_id(store, kind, value)
        except QueryError:
            from .names import ChainLinkIndex

            return ox.NamedNode(ChainLinkIndex.from_store(store).resolve(value))  # a label, or close matches
    if kind in _ID_KINDS:
        return _by_id(store, kind, value)
    if kind == "measure":
        known = sorted(r[0].value for r in store.query(
            f"SELECT ?m WHERE {{ ?x a <{NEV_NS}Measure> ; <http://www.w3.org/2004/02/skos/core#notation> ?m }}").rows)
        if value.strip() not in known:
            close = difflib.get_close_matches(value.strip(), known, n=3)
            hint = f"; close matches: {', '.join(close)}" if close else f"; measures: {', '.join(known)}"
            raise QueryError(f"unknown measure {value!r}{hint}")
        return ox.Literal(value.strip())
    if kind in ("province", "division"):
        return _division(store, value, "province" if kind == "province" else None)
    if kind == "area":
        key = value.strip().casefold()
        if key in ("cn", "china", "中国"):
            return ox.NamedNode(f"{ID_NS}area/CN")
        if key in ("world", "世界"):
            return ox.NamedNode(f"{ID_NS}area/WORLD")
        return _division(store, value, None)
    if kind == "stage":
        stage = value.strip().casefold().rsplit("#", 1)[-1]
        stage = {"上游": "upstream", "中游": "midstream", "下游": "downstream"}.get(stage, stage)
        if stage not in ("upstream", "midstream", "downstream"):
            raise QueryError(f"unknown stage {value!r}; choose upstream, midstream or downstream")
        return ox.NamedNode(NEV_NS + stage)
    if kind == "iri":
        return _iri(value)
    if kind == "literal":
        return ox.Literal(value)
    if kind == "year":
        if not re.fullmatch(r"-?\d{4}", value.strip()):
            raise QueryError(f"{value!r} is not a year")
        return ox.Literal(value.strip(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise QueryError(f"{value!r} is not an integer")
        return ox.Literal(value.strip(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    raise QueryError(f"unknown parameter kind {kind!r}; kinds: {', '.join(PARAMETER_KINDS)}")


def bind_parameters(store, params: dict[str, str], query: NamedQuery | None = None) -> dict:
    """Turn the text values of ``params`` (name -> text, as typed) into pyoxigraph terms.

    With ``query`` (a named query) each value is read by its parameter's kind: ids, names and codes are
    resolved against ``store`` (a chain link id must exist; a province name may be English, pinyin or
    Chinese). Without one (inline text or a file without a header), a value written as an IRI (``<...>``,
    ``http://...``, ``nev:upstream``) is an IRI and anything else a plain literal.

    Returns ``{name: term}`` for :meth:`graph.store.Store.query`. Raises :class:`QueryError` for an
    unknown parameter or a value of the wrong kind, and :class:`graph.errors.NameLookupError` for an
    unknown or ambiguous division name.
    """
    import pyoxigraph as ox

    declared = {p.name: p for p in query.parameters} if query else {}
    out = {}
    for name, value in params.items():
        try:
            ox.Variable(name)
        except ValueError:
            raise QueryError(f"{name!r} is not a parameter name") from None
        if query is not None:
            if name not in declared:
                known = ", ".join(declared) or "none"
                raise QueryError(f"{query.name} has no parameter {name!r} (its parameters: {known})")
            out[name] = _term(store, declared[name].kind, value)
        else:
            looks_iri = value.startswith("<") or "://" in value or (
                ":" in value and value.split(":", 1)[0] in _prefixes())
            out[name] = _iri(value) if looks_iri else ox.Literal(value)
    return out


def _header_query(query_or_file: str, ontology_dir: Path) -> NamedQuery | None:
    named = named_queries(ontology_dir)
    if query_or_file in named and not Path(query_or_file).is_file():
        return _parse_header(named[query_or_file])
    if query_or_file.endswith(".rq") and Path(query_or_file).is_file():
        parsed = _parse_header(Path(query_or_file))
        return parsed if parsed.parameters else None
    return None


def run_query(store, query_or_file: str, bindings: dict | None = None, ontology_dir: Path = ONTOLOGY_DIR,
              params: dict[str, str] | None = None):
    """Run :func:`query_text` of ``query_or_file`` on ``store`` and return its :class:`graph.store.QueryResult`.

    ``bindings`` maps variable names to pyoxigraph terms; ``params`` maps them to text as a user types it,
    read by :func:`bind_parameters` (by the parameter kinds of a named query's header). A syntax error's
    ``line:column`` counts in the text the user gave (the added prefix line is not counted).
    Raises :class:`QueryError`.
    """
    text = query_text(query_or_file, ontology_dir)
    bound = dict(bindings or {})
    if params:
        bound.update(bind_parameters(store, params, _header_query(query_or_file, ontology_dir)))
    added = 1 if not text.startswith(query_or_file) and text.endswith(query_or_file) else 0
    try:
        return store.query(text, bound or None)
    except QueryError as exc:
        if not added:
            raise
        raise QueryError(user_position(str(exc), added)) from None


def user_position(message: str, added_lines: int) -> str:
    """``message`` with its first ``at LINE:COLUMN`` counted in the text the user gave, not counting the
    ``added_lines`` of prefix declarations :func:`with_prefixes` put before it."""
    return re.sub(r"at (\d+):(\d+)", lambda m: f"at {int(m[1]) - added_lines}:{m[2]}", message, count=1)


def _short(term) -> str:
    if term is None:
        return ""
    value = getattr(term, "value", str(term))
    if type(term).__name__ == "NamedNode":
        for prefix, ns in sorted(_prefixes().items(), key=lambda kv: -len(kv[1])):
            if value.startswith(ns):
                return f"{prefix}:{value[len(ns):]}"
    return value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(cells: list[list[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in cells) for i in range(len(cells[0]))]
    return ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip() for row in cells]


def format_result(result, fmt: str) -> bytes:
    """Bytes of ``result`` (a :class:`graph.store.QueryResult`) in ``fmt`` (see the module docstring).
    Raises :class:`QueryError` for a format that does not fit the result."""
    if fmt != "table":
        return result.serialize(fmt)
    if result.kind == "graph":
        return result.serialize("ttl")
    if result.kind == "ask":
        return b"true\n" if result.boolean else b"false\n"
    cells = [result.variables] + [[_short(t) for t in row] for row in result.rows]
    if not result.variables:
        return f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})\n".encode("utf-8")
    lines = _table(cells)
    lines.insert(1, "  ".join("-" * max(_width(r[i]) for r in cells) for i in range(len(result.variables))))
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return ("\n".join(lines) + "\n").encode("utf-8")


def format_library(queries: dict[str, NamedQuery]) -> str:
    """The text of ``nevkg query --list``: per query its name, role, parameters (``name:kind``, with the
    example value) and question in English and Chinese."""
    lines = []
    for q in queries.values():
        params = " ".join(f"--param {p.name}={p.example or '...'}" for p in q.parameters)
        head = f"{q.name}" + (f" [{q.role}]" if q.role != "question" else "")
        lines.append(f"{head}\n    {q.question_en}\n    {q.question_zh}")
        for p in q.parameters:
            lines.append(f"    {p.name} ({p.kind}): {p.description}")
        if params:
            lines.append(f"    e.g. nevkg query {q.name} {params}")
    return "\n".join(lines) + "\n"
