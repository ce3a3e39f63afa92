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


def _param(ctx, option, values):
    out = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r}: write KEY=VALUE", ctx=ctx, param=option)
        out[key.strip().lstrip("?")] = text
    return out


@main.command()
@click.argument("query_or_file", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
              default="table", show_default=True, help="json/xml/csv/tsv are the W3C SPARQL 1.1 results formats.")
@click.option("--param", "params", multiple=True, callback=_param, metavar="KEY=VALUE",
              help="Bind a parameter of the query (repeatable); see --list for each query's parameters.")
@click.option("--list", "list_", is_flag=True, help="List the named queries with their questions and parameters.")
@click.option("--store", "store_kind", type=click.Choice(["memory", "disk"]), default="memory", show_default=True,
              help="memory: Oxigraph in memory, loaded from exports/nev-kg.ttl; disk: an Oxigraph store in "
                   "exports/nev-kg.oxigraph/, built once and reopened without parsing.")
@click.option("--endpoint", metavar="URL", help="Query a remote SPARQL 1.1 endpoint instead.")
@click.option("--upload", is_flag=True, help="With --endpoint: first replace the endpoint's default graph with "
              "exports/nev-kg.ttl (SPARQL 1.1 Graph Store Protocol PUT).")
@click.option("--graph-store", metavar="URL", help="With --upload: the Graph Store Protocol URL (default: the "
              "endpoint's last path segment replaced by 'store', as Oxigraph serves it).")
@click.pass_context
def query(ctx, query_or_file, fmt, params, list_, store_kind, endpoint, upload, graph_store):
    """Run a SPARQL 1.1 query (text, a .rq file, or a named query of ontology/queries) on the built graph."""
    from .query import format_library, format_result, library, run_query

    if list_:
        click.echo(format_library(library()), nl=False)
        return
    if not query_or_file:
        raise click.UsageError("give a query, a .rq file or a named query (nevkg query --list lists them)")
    if (upload or graph_store) and not endpoint:
        raise click.UsageError("--upload and --graph-store go with --endpoint")
    _, exports = _paths(ctx)
    from .store import open_store

    store = open_store(exports / DEFAULT_TTL, kind="remote" if endpoint else store_kind, endpoint=endpoint,
                       graph_store=graph_store, upload=upload)
    result = run_query(store, query_or_file, params=params)
    sys.stdout.buffer.write(format_result(result, fmt))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--store", "store_kind", type=click.Choice(["memory", "disk"]), default="memory", show_default=True,
              help="memory: each worker loads exports/nev-kg.ttl; disk: they share exports/nev-kg.oxigraph/.")
@click.option("--workers", default=2, show_default=True, type=int, help="Query worker processes.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds a query may run.")
@click.option("--max-bytes", default=64 * 2 ** 20, show_default=True, type=int, help="Largest answer, in bytes.")
@click.pass_context
def serve(ctx, host, port, store_kind, workers, timeout, max_bytes):
    """A read-only SPARQL 1.1 endpoint at /sparql and a query page at / (Ctrl-C stops it)."""
    from .serve import ENDPOINT_PATH, make_server

    _, exports = _paths(ctx)
    server = make_server(exports / DEFAULT_TTL, host, port, store_kind, workers, timeout, max_bytes,
                         exports / "html")
    click.echo(f"SPARQL endpoint {server.url}{ENDPOINT_PATH}, query page {server.url}/ "
               f"({server.pool.triples} triples; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.group()
def viz():
    """Interactive pages (PyVis) that work offline."""


def _page_output(ctx, output, name: str) -> Path:
    _, exports = _paths(ctx)
    return output or exports / "html" / name


def _page_graphs(ctx):
    from .viz import PageGraphs

    _, exports = _paths(ctx)
    store = _load_store(exports)
    return store, PageGraphs.from_store(store)


_PAGE_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                            help="Where to write the page (default: exports/html/NAME.html).")


@viz.command("chain")
@_PAGE_OUTPUT
@click.pass_context
def viz_chain(ctx, output):
    """The whole chain, upstream → midstream → downstream."""
    from .build import write_atomic
    from .viz import chain_page

    _, pg = _page_graphs(ctx)
    output = _page_output(ctx, output, "chain.html")
    write_atomic(output, chain_page(pg.S, pg=pg).encode("utf-8"))
    click.echo(f"wrote {output}")


@viz.command("region")
@click.argument("name")
@_PAGE_OUTPUT
@click.pass_context
def viz_region(ctx, name, output):
    """A province or city (any name form): its chain links present and missing, companies, facilities."""
    from .build import write_atomic
    from .names import DivisionIndex
    from .namespaces import iri
    from .viz import page_name, region_page

    store, pg = _page_graphs(ctx)
    division = DivisionIndex.from_store(store).resolve(name)
    output = _page_output(ctx, output, page_name("region", division.code, division.name_en))
    write_atomic(output, region_page(pg, str(iri("division", division.code))).encode("utf-8"))
    click.echo(f"wrote {output}: {division}")


@viz.command("chain-link")
@click.argument("chain_link")
@_PAGE_OUTPUT
@click.pass_context
def viz_chain_link(ctx, chain_link, output):
    """One chain link (id, English or Chinese name): inputs, dependents, regions, companies, figures."""
    from .build import write_atomic
    from .names import ChainLinkIndex
    from .viz import chain_link_page, page_name

    _, pg = _page_graphs(ctx)
    c = ChainLinkIndex(pg.S).resolve(chain_link)
    output = _page_output(ctx, output, page_name("chain-link", pg.S.nodes[c]["id"]))
    write_atomic(output, chain_link_page(pg, c).encode("utf-8"))
    click.echo(f"wrote {output}")


@viz.command("company")
@click.argument("company")
@_PAGE_OUTPUT
@click.pass_context
def viz_company(ctx, company, output):
    """A company (id, English or Chinese name): its facilities, chain links and regions."""
    from .build import write_atomic
    from .export import find_company
    from .viz import company_page, page_name

    _, pg = _page_graphs(ctx)
    key = find_company(pg.P, company)
    output = _page_output(ctx, output, page_name("company", key.split("/", 1)[1]))
    write_atomic(output, company_page(pg, pg.P.nodes[key]["iri"]).encode("utf-8"))
    click.echo(f"wrote {output}")


@viz.command("map")
@_PAGE_OUTPUT
@click.pass_context
def viz_map(ctx, output):
    """Divisions placed by longitude and latitude, sized by the chain links present there."""
    from .build import write_atomic
    from .viz import map_page

    _, pg = _page_graphs(ctx)
    output = _page_output(ctx, output, "map.html")
    write_atomic(output, map_page(pg).encode("utf-8"))
    click.echo(f"wrote {output}")


@viz.command("all")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the pages (default: exports/html).")
@click.option("--chain-link", "chain_links", multiple=True,
              help="A chain link to make a page for (repeatable; default: the top-level segments and every "
                   "chain link present in a region or with a company).")
@click.pass_context
def viz_all(ctx, output_dir, chain_links):
    """Every page: chain, map, every province, chain links, every company, and index.html with search."""
    from .names import ChainLinkIndex
    from .viz import write_all

    _, pg = _page_graphs(ctx)
    _, exports = _paths(ctx)
    output_dir = output_dir or exports / "html"
    chosen = [ChainLinkIndex(pg.S).resolve(c) for c in chain_links] or None
    paths = write_all(pg, output_dir, chain_links=chosen)
    click.echo(f"wrote {sum(1 for p in paths if p.suffix == '.html')} pages to {output_dir} "
               f"(open {output_dir / 'index.html'})")


@main.command()
@click.option("--province", "provinces", multiple=True,
              help="English, pinyin or Chinese name, or GB/T 2260 or ISO 3166-2 code (repeatable).")
@click.option("--city", "cities", multiple=True, help="A prefecture-level division, named as for --province.")
@click.option("--chain-link", "chain_links", multiple=True, help="A chain link: id, English or Chinese name.")
@click.option("--company", "companies", multiple=True, help="A company: id, English or Chinese name.")
@click.option("--stage", type=click.Choice(["upstream", "midstream", "downstream"]),
              help="Alone: the chain links of a stage; with others: keep only what belongs to it.")
@click.option("--hops", type=click.IntRange(min=0), default=0, show_default=True,
              help="Add everything within N relations of the selection.")
@click.option("--construct", "construct", help="A SPARQL CONSTRUCT (.rq file, named query or text) selecting it.")
@click.option("--format", "formats", multiple=True, default=("ttl",), show_default=True,
              type=click.Choice(["ttl", "nt", "jsonld", "graphml", "gexf", "csv", "xlsx", "html", "png", "svg",
                                 "md", "all"]),
              help="Repeatable; csv writes NAME.nodes.csv and NAME.edges.csv; all writes every format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file; its format's suffix is replaced for each format (default: "
                   "exports/subgraphs/NAME.FORMAT).")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.pass_context
def export(ctx, provinces, cities, chain_links, companies, stage, hops, construct, formats, output, force):
    """Export a subgraph (a region, chain links, companies, a stage, a CONSTRUCT; --hops around it) for reports:
    Turtle, N-Triples, JSON-LD, GraphML, GEXF, CSV, XLSX, a page, PNG, SVG or a Markdown summary."""
    from .export import FORMATS, export_files, property_graph, rdf_subgraph, select, subgraph, write_files
    from .names import DivisionIndex

    _, exports = _paths(ctx)
    store = _load_store(exports)
    index = DivisionIndex.from_store(store) if provinces or cities else None
    divisions = [index.resolve(n, "province") for n in provinces] + [index.resolve(n, "prefecture") for n in cities]
    P = property_graph(store)
    selection = select(store, P, divisions=divisions, chain_links=chain_links, companies=companies, stage=stage,
                       hops=hops, construct=construct)
    formats = list(FORMATS) if "all" in formats else list(dict.fromkeys(formats))
    if output is not None:
        stem = Path(output)
        for suffixes in FORMATS.values():
            for suffix in suffixes:
                if stem.name.endswith(suffix) and len(stem.name) > len(suffix):
                    stem = stem.with_name(stem.name[: -len(suffix)])
                    break
            else:
                continue
            break
    else:  # exports/regions/ is nevkg all's; a user's export never collides with it
        stem = exports / "subgraphs" / selection.slug
    kg = rdf_subgraph(store, selection) if any(f in ("ttl", "nt", "jsonld") for f in formats) else None
    H = subgraph(P, selection)
    files = {}
    for fmt in formats:
        files.update(export_files(store, P, selection, fmt, stem, kg=kg, H=H))
    written = write_files(files, force=force)
    for path in written:
        click.echo(f"wrote {path}")
    size = f"{len(kg)} triples, " if kg is not None else ""
    click.echo(f"{selection.title}: {size}{H.number_of_nodes()} nodes, {H.number_of_edges()} edges")


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


def _region_heading(what: str, D, division: str) -> str:
    """``what`` followed by the division the user's name resolved to, with its province for a city."""
    d = D.nodes[division]
    within = "" if d["province"] == division else f", {D.nodes[d['province']]['label_en']}"
    return f"{what} {d['label_en']} {d['label_zh']} ({d['code']}{within}):"


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
    if fmt == "table":
        click.echo(_region_heading("completeness of", D, c["division"]))
    _echo_rows(rows, fmt, ["stage", "present", "total", "share"])
    if fmt == "table":
        click.echo("\nchain links present:")
    _echo_rows(c["present_links"], fmt, ["stage", "label_en", "label_zh", "chain_link"])
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
    if fmt == "table":
        unplaced = sum(1 for n in S if not any(True for _ in D.neighbors(n)))
        click.echo(f"Concentration counts the provinces with evidence in the graph; {unplaced} of {len(S)} chain links "
                   "have none yet (nevkg audit), so a link held by one province may be so for lack of data.")
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
        c = ChainLinkIndex(S).resolve(chain_link)
        rows = getattr(paths, direction)(S, D, c)
        if fmt == "table":
            what = "inputs of" if direction == "upstream" else "chain links depending on"
            click.echo(f"{what} {S.nodes[c]['id']} ({S.nodes[c]['label_en']} {S.nodes[c]['label_zh']}):")
        _echo_rows(rows, fmt, ["depth", "label_en", "label_zh", "stage", "via", "provinces", "hosted_in", "chain_link"])
        if fmt == "table" and direction == "upstream" and any(r["via"] for r in rows):
            click.echo("depth: supply steps; via: an input stated only for that broader chain link, which may not "
                       "apply to this one (not walked further); provinces: where it or a narrower link is present")
    command.__doc__ = (f"Every {'input of' if direction == 'upstream' else 'chain link depending on'} CHAIN_LINK "
                       "(id, English or Chinese label), with its depth and the provinces that host it; then those "
                       "stated only for a broader chain link, marked 'via'.")
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
                "unit", "ratio", "overcapacity", "capacity_note", "capacity_source", "basis_source"])


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
    division = _region(store, region)
    if fmt == "table":
        click.echo(_region_heading("inputs lacking in", D, division))
    _echo_rows(dependencies(D, S, division), fmt,
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
            title = key.replace("_", " ")
            if isinstance(value, list):
                more = f" (first {show})" if len(value) > show else ""
                click.echo(f"{title}: {len(value)}{more}")
                for item in value[:show]:
                    click.echo(f"  {item.rsplit('/', 1)[-1]}")  # the id or code at the end of the IRI
            elif isinstance(value, dict):
                click.echo(f"{title}:")
                for k, v in value.items():
                    click.echo(f"  {k:16} {v:>6}")
            else:
                click.echo(f"{title}: {value}")
    if problems:
        raise NevkgError(f"{len(problems)} fact(s) without a source or with a dangling reference")


@main.command("all")
@click.pass_context
def run_all(ctx):
    """The main job: build and validate, then the analyses and reports, every page (chain, map, provinces,
    chain links, companies, with an index) and every province's export, all into exports/."""
    from .pipeline import build_and_write, write_analyses, write_region_exports
    from .viz import PageGraphs, write_all

    data, exports = _paths(ctx)
    counts = build_and_write(data, exports)
    click.echo(f"wrote {exports / DEFAULT_TTL} ({counts['triples']} triples)")
    store = _load_store(exports)
    written = write_analyses(store, exports)
    click.echo(f"wrote {len(written)} analysis tables and reports to {exports / 'analyses'} and {exports / 'reports'}")
    pages = write_all(PageGraphs.from_store(store), exports / "html")
    click.echo(f"wrote {len(pages)} pages to {exports / 'html'} (open {exports / 'html' / 'index.html'})")
    regions = write_region_exports(store, exports)
    click.echo(f"wrote {len(regions)} province exports to {exports / 'regions'}")
