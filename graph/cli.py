"""The ``nevkg`` command: a thin click layer over the library.

Each command parses its arguments, calls the library and prints; a
:class:`graph.errors.NevkgError` becomes a message on stderr and exit code 1.
Heavy modules are imported inside the commands so that ``nevkg --help`` is quick.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import NevkgError

DEFAULT_TTL = "nev-kg.ttl"


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NevkgError as exc:
            click.echo(f"nevkg: error: {exc}", err=True)
            sys.exit(1)


def _paths(ctx) -> tuple[Path, Path]:
    return ctx.obj["data"], ctx.obj["exports"]


def _load_store(exports: Path):
    from .store import Store

    return Store.from_turtle(exports / DEFAULT_TTL)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="nevkg")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the curated tables (default: the repository's data/).")
@click.option("--exports", "exports_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of generated outputs (default: the repository's exports/).")
@click.pass_context
def main(ctx, data_dir, exports_dir):
    """nevkg: a knowledge graph of China's new-energy-vehicle industrial chain (新能源汽车产业链知识图谱)."""
    from .build import DATA_DIR, EXPORTS_DIR

    ctx.obj = {"data": data_dir or DATA_DIR, "exports": exports_dir or EXPORTS_DIR}


def _build(data: Path, exports: Path) -> dict:
    from .build import build_graph, serialize, write_atomic
    from .stats import class_counts
    from .validate import validate

    kg = build_graph(data)
    validate(kg)
    write_atomic(exports / DEFAULT_TTL, serialize(kg))
    return class_counts(kg)


@main.command()
@click.pass_context
def build(ctx):
    """Build the graph from data/, validate it (SHACL and checks), write exports/nev-kg.ttl."""
    data, exports = _paths(ctx)
    counts = _build(data, exports)
    click.echo(f"wrote {exports / DEFAULT_TTL}")
    for name, n in counts.items():
        click.echo(f"{name:28} {n:>7}")


@main.command()
@click.argument("query_or_file")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt"]),
              default="table", show_default=True, help="json/xml/csv/tsv are the W3C SPARQL 1.1 results formats.")
@click.pass_context
def query(ctx, query_or_file, fmt):
    """Run a SPARQL 1.1 query (text, a .rq file, or a named query of ontology/queries) on the built graph."""
    from .query import format_result, run_query

    _, exports = _paths(ctx)
    result = run_query(_load_store(exports), query_or_file)
    sys.stdout.buffer.write(format_result(result, fmt))


@main.group()
def viz():
    """Interactive pages (PyVis) that work offline."""


@viz.command("chain")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the page (default: exports/html/chain.html).")
@click.pass_context
def viz_chain(ctx, output):
    """The whole chain, upstream → midstream → downstream."""
    from .build import write_atomic
    from .projection import supply_graph
    from .viz import chain_page

    _, exports = _paths(ctx)
    output = output or exports / "html" / "chain.html"
    write_atomic(output, chain_page(supply_graph(_load_store(exports))).encode("utf-8"))
    click.echo(f"wrote {output}")


@main.command()
@click.option("--province", "province", help="English, pinyin or Chinese name, or GB/T 2260 or ISO 3166-2 code.")
@click.option("--city", "city", help="A prefecture-level division, named as for --province.")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default: exports/regions/CODE-NAME.FORMAT).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.pass_context
def export(ctx, province, city, fmt, output, force):
    """Export the subgraph of a province or city."""
    from .export import region_subgraph, write_graph
    from .names import DivisionIndex

    if bool(province) == bool(city):
        raise click.UsageError("give exactly one of --province or --city")
    _, exports = _paths(ctx)
    store = _load_store(exports)
    division = DivisionIndex.from_store(store).resolve(province or city, "province" if province else "prefecture")
    output = output or exports / "regions" / f"{division.code}-{_file_name(division.name_en)}.{fmt}"
    kg = region_subgraph(store, division)
    write_graph(kg, output, fmt, force=force)
    click.echo(f"wrote {output}: {division} ({len(kg)} triples)")


def _file_name(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower()


@main.command("all")
@click.pass_context
def run_all(ctx):
    """The main job: build, then write the chain page and every province's export into exports/."""
    from .build import write_atomic
    from .export import region_subgraph, write_graph
    from .names import DivisionIndex
    from .projection import supply_graph
    from .viz import chain_page

    data, exports = _paths(ctx)
    counts = _build(data, exports)
    click.echo(f"wrote {exports / DEFAULT_TTL} ({counts.get('triples', 0)} triples)")
    store = _load_store(exports)
    page = write_atomic(exports / "html" / "chain.html", chain_page(supply_graph(store)).encode("utf-8"))
    click.echo(f"wrote {page}")
    index = DivisionIndex.from_store(store)
    provinces = sorted((d for d in index.divisions.values() if d.level == "province"), key=lambda d: d.code)
    for division in provinces:
        path = exports / "regions" / f"{division.code}-{_file_name(division.name_en)}.ttl"
        write_graph(region_subgraph(store, division), path, "ttl", force=True)
    click.echo(f"wrote {len(provinces)} province exports to {exports / 'regions'}")
