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


@main.command()
@click.pass_context
def build(ctx):
    """Build the graph from data/, validate it (SHACL and checks), write exports/nev-kg.ttl."""
    from .pipeline import build_and_write

    data, exports = _paths(ctx)
    counts = build_and_write(data, exports)
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


def _projections(exports: Path):
    from .projection import division_graph, supply_graph

    store = _load_store(exports)
    S = supply_graph(store)
    return store, S, division_graph(store, S)


def _echo_rows(rows: list[dict], fmt: str, columns: list[str]) -> None:
    from .formats import rows_to_text

    click.echo(rows_to_text(rows, fmt, columns), nl=False)


def _region(store, name: str):
    from .names import DivisionIndex
    from .namespaces import iri

    division = DivisionIndex.from_store(store).resolve(name)
    return str(iri("division", division.code))


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                      show_default=True)


@main.group()
def analyze():
    """Analyses of the chain for regional planners (NetworkX over the projection of the graph)."""


@analyze.command("completeness")
@click.argument("region", required=False)
@click.option("--all", "all_", is_flag=True, help="Rank every province by completeness.")
@FORMAT
@click.pass_context
def analyze_completeness(ctx, region, all_, fmt):
    """Share of chain links present in REGION (a province or city, any name form), overall and per stage,
    and the missing links ranked by how many present links they feed."""
    from .analysis.completeness import completeness, completeness_ranking

    if bool(region) == all_:
        raise click.UsageError("give a REGION or --all")
    store, S, D = _projections(_paths(ctx)[1])
    if all_:
        return _echo_rows(completeness_ranking(D, S), fmt,
                          ["code", "label_en", "label_zh", "present", "share", "upstream", "midstream", "downstream"])
    c = completeness(D, S, _region(store, region))
    if fmt == "json":
        import json

        return click.echo(json.dumps(c, ensure_ascii=False, indent=1))
    rows = [{"stage": "all", "present": c["present"], "total": c["total"], "share": c["share"]}]
    rows += [{"stage": k, **v} for k, v in c["by_stage"].items()]
    _echo_rows(rows, fmt, ["stage", "present", "total", "share"])
    if fmt == "table":
        click.echo("\nmissing chain links that feed present ones (fill the chain):")
    _echo_rows([m for m in c["missing"] if m["feeds_present"]], fmt,
               ["label_en", "label_zh", "stage", "feeds_present", "chain_link"])


@analyze.command("chokepoints")
@click.option("--top", type=int, default=30, show_default=True)
@FORMAT
@click.pass_context
def analyze_chokepoints(ctx, top, fmt):
    """Chain links ranked as chokepoints: betweenness, downstream reach, concentration across provinces."""
    from .analysis.chokepoints import chokepoints
    from .projection import observation_table

    store, S, D = _projections(_paths(ctx)[1])
    _echo_rows(chokepoints(S, D, observation_table(store))[:top], fmt,
               ["rank", "label_en", "label_zh", "stage", "score", "betweenness", "downstream_reach", "provinces",
                "hhi_presence", "hhi_capacity", "chain_link"])


def _walk_command(direction: str):
    @click.argument("chain_link")
    @FORMAT
    @click.pass_context
    def command(ctx, chain_link, fmt):
        from .analysis import paths
        from .names import ChainLinkIndex

        _, S, D = _projections(_paths(ctx)[1])
        rows = getattr(paths, direction)(S, D, ChainLinkIndex(S).resolve(chain_link))
        _echo_rows(rows, fmt, ["depth", "label_en", "label_zh", "stage", "provinces", "hosted_in", "chain_link"])
    command.__doc__ = (f"Every {'input of' if direction == 'upstream' else 'chain link depending on'} CHAIN_LINK "
                       "(id, English or Chinese label), with its depth and the provinces that host it.")
    return command


analyze.command("upstream")(_walk_command("upstream"))
analyze.command("downstream")(_walk_command("downstream"))


@analyze.command("similar")
@click.argument("region")
@click.option("--top", type=int, default=10, show_default=True)
@FORMAT
@click.pass_context
def analyze_similar(ctx, region, top, fmt):
    """Regions ranked by the similarity of their chain-link profiles to REGION (Jaccard and cosine)."""
    from .analysis.similarity import similar

    store, S, D = _projections(_paths(ctx)[1])
    _echo_rows(similar(D, S, _region(store, region), top), fmt,
               ["code", "label_en", "label_zh", "jaccard", "cosine", "shared"])


@analyze.command("clusters")
@click.option("--seed", type=int, default=42, show_default=True)
@FORMAT
@click.pass_context
def analyze_clusters(ctx, seed, fmt):
    """Communities of provinces sharing chain links (Louvain, fixed seed) and their characteristic links."""
    from .analysis.communities import clusters

    _, _, D = _projections(_paths(ctx)[1])
    _echo_rows(clusters(D, seed=seed), fmt, ["size", "members", "characteristic", "codes"])


@analyze.command("centrality")
@FORMAT
@click.pass_context
def analyze_centrality(ctx, fmt):
    """Provinces ranked by degree and PageRank in the province–chain-link network."""
    from .analysis.communities import centrality

    _, _, D = _projections(_paths(ctx)[1])
    _echo_rows(centrality(D), fmt, ["rank", "code", "label_en", "label_zh", "degree", "pagerank"])


@analyze.command("capacity")
@FORMAT
@click.pass_context
def analyze_capacity(ctx, fmt):
    """Capacity against demand per chain link and year from the figures, flagging overcapacity."""
    from .analysis.capacity import capacity_vs_demand
    from .projection import observation_table

    store, S, _ = _projections(_paths(ctx)[1])
    labels = {n: (d["label_en"], d["label_zh"]) for n, d in S.nodes(data=True)}
    _echo_rows(capacity_vs_demand(observation_table(store), labels), fmt,
               ["label_en", "label_zh", "year", "area_code", "capacity_measure", "capacity", "basis", "basis_value",
                "unit", "ratio", "overcapacity", "capacity_source", "basis_source"])


@analyze.command("dependencies")
@click.argument("region", required=False)
@click.option("--matrix", is_flag=True, help="The province × province dependency table instead.")
@FORMAT
@click.pass_context
def analyze_dependencies(ctx, region, matrix, fmt):
    """Inputs of REGION's present chain links that it lacks, and the provinces that supply them."""
    from .analysis.dependencies import dependencies, dependency_matrix

    if bool(region) == matrix:
        raise click.UsageError("give a REGION or --matrix")
    store, S, D = _projections(_paths(ctx)[1])
    if matrix:
        rows = dependency_matrix(D, S)
        return _echo_rows(rows, fmt, list(rows[0]) if rows else [])
    _echo_rows(dependencies(D, S, _region(store, region)), fmt,
               ["label_en", "label_zh", "stage", "needed_by", "needed_for", "suppliers", "chain_link"])


@analyze.command("report")
@click.argument("region")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def analyze_report(ctx, region, output, force):
    """One Markdown report on REGION with all the analyses above."""
    from .analysis.report import region_report
    from .build import write_atomic
    from .projection import company_graph, observation_table

    if output.exists() and not force:
        raise NevkgError(f"{output} exists; pass --force to overwrite it")
    store, S, D = _projections(_paths(ctx)[1])
    text = region_report(S, D, company_graph(store, S), observation_table(store), _region(store, region))
    write_atomic(output, text.encode("utf-8"))
    click.echo(f"wrote {output}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--list", "show", type=int, default=10, show_default=True, help="How many items of each list to show.")
@click.pass_context
def audit(ctx, fmt, show):
    """Coverage of the data: chain links with no region or company, regions with none, companies with no
    facility, facts without a source, uncited sources, stale as-of dates, counts per stage. Exits 1 when a
    fact has no source or a reference dangles."""
    import json

    from .audit import coverage, table_problems
    from .build import build_graph
    from .projection import company_graph, division_graph, observation_table, supply_graph
    from .store import Store

    data, _ = _paths(ctx)
    problems = table_problems(data)
    report = {"problems": problems}
    if not problems:
        store = Store.from_graph(build_graph(data))
        S = supply_graph(store)
        report["coverage"] = coverage(store, S, division_graph(store, S), company_graph(store, S),
                                      observation_table(store))
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for p in problems[:max(show, 50)]:
            click.echo(f"{data / p['file']}:{p['line']}: {p['field']}: {p['problem']}")
        for key, value in report.get("coverage", {}).items():
            if isinstance(value, list):
                more = f" (first {show})" if len(value) > show else ""
                click.echo(f"{key}: {len(value)}{more}")
                for item in value[:show]:
                    click.echo(f"  {item}")
            else:
                click.echo(f"{key}: {value}")
    if problems:
        raise NevkgError(f"{len(problems)} fact(s) without a source or with a dangling reference")


@main.command("all")
@click.pass_context
def run_all(ctx):
    """The main job: build and validate, then the analyses and reports, the chain page and every
    province's export, all into exports/."""
    from .build import write_atomic
    from .pipeline import build_and_write, write_analyses, write_region_exports
    from .projection import supply_graph
    from .viz import chain_page

    data, exports = _paths(ctx)
    counts = build_and_write(data, exports)
    click.echo(f"wrote {exports / DEFAULT_TTL} ({counts['triples']} triples)")
    store = _load_store(exports)
    written = write_analyses(store, exports)
    click.echo(f"wrote {len(written)} analysis tables and reports to {exports / 'analyses'} and {exports / 'reports'}")
    page = write_atomic(exports / "html" / "chain.html", chain_page(supply_graph(store)).encode("utf-8"))
    click.echo(f"wrote {page}")
    regions = write_region_exports(store, exports)
    click.echo(f"wrote {len(regions)} province exports to {exports / 'regions'}")
