"""Interactive pages (PyVis / vis-network) that work with the network cut off.

Pages: :func:`chain_page` (the whole chain in stage bands), :func:`region_page` (a province or
city over the chain: present chain links in colour, missing ones grey, its companies and
facilities, its completeness in the heading), :func:`chain_link_page`, :func:`company_page`,
:func:`map_page` (divisions at their coordinates), :func:`subgraph_page` (an export's subgraph),
and :func:`write_all` (every page plus ``index.html``, with search).

PyVis's own template loads vis-network, Bootstrap and Tom Select from CDNs; the pages here use
nevkg's template instead, with the vis-network script and stylesheet that ship inside the pyvis
package either inlined (one self-contained file) or copied beside the pages (``write_all``): no
page fetches anything from outside its own folder. Positions are computed here and physics is
off, so a page opens already laid out and never jitters; the same graph gives the same bytes.
Data reaches the page only as JSON (Jinja's ``tojson`` escapes ``<``, ``>``, ``&`` and ``'``) and as
autoescaped text, so a name like ``<img src=x onerror=alert(1)>`` shows as text; vis-network
draws labels on a canvas and sets string tooltips as text (``innerText``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SEGMENT_COLORS", "KIND_COLORS", "PageGraphs", "chain_page", "region_page", "chain_link_page",
           "company_page", "map_page", "subgraph_page", "layered_positions", "write_all", "page_name"]

SEGMENT_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac", "#86bcb6", "#d4a6c8", "#8cd17d", "#f1ce63", "#a0cbe8", "#ffbe7d",
                  "#d37295", "#fabfd2", "#b6992d", "#499894", "#79706e", "#e19d9d"]
KIND_COLORS = {"chain_link": "#4e79a7", "division": "#59a14f", "area": "#8cd17d", "company": "#f28e2b",
               "facility": "#edc948", "observation": "#b07aa1", "source": "#bab0ac"}
KIND_LABELS = {"chain_link": "产业链环节 chain link", "division": "行政区 division", "area": "区域 area",
               "company": "企业 company", "facility": "设施 facility", "observation": "数据 figure",
               "source": "来源 source"}
KIND_SHAPES = {"chain_link": "box", "division": "ellipse", "area": "ellipse", "company": "diamond",
               "facility": "triangle", "observation": "dot", "source": "dot"}
MISSING_COLOR = {"background": "#eeeeee", "border": "#cccccc"}
STAGES = ["upstream", "midstream", "downstream"]
STAGE_LABELS = {"upstream": "上游 Upstream", "midstream": "中游 Midstream", "downstream": "下游 Downstream"}
STAGE_COLORS = {"upstream": "#4e79a7", "midstream": "#9c755f", "downstream": "#499894"}  # chain links by stage
BAND_COLORS = {"upstream": "rgba(78,121,167,0.06)", "midstream": "rgba(242,142,43,0.06)",
               "downstream": "rgba(89,161,79,0.06)"}
EVIDENCE_LABELS = {"facility": "设施 facility", "headquarters": "总部 headquarters",
                   "specialisation:plan": "规划 plan", "specialisation:cluster": "集群 cluster",
                   "specialisation:statistic": "统计 statistic", "specialisation:facility": "设施布局 facility"}
X_STEP, Y_STEP = 260, 70
MAX_ROWS = 45  # chain links in one column of the chain layout before it wraps
ASSET_FILES = ("vis-network.min.js", "vis-network.css")
TOOLTIP_LINES = 24


# ------------------------------------------------------------------------------------------ plumbing

@dataclass
class PageGraphs:
    """What the pages draw: ``S`` (:func:`graph.projection.supply_graph`), ``D``
    (:func:`graph.projection.division_graph`), ``C`` (:func:`graph.projection.company_graph`) and ``P``
    (:func:`graph.export.property_graph`, for facilities, figures and sources)."""

    S: object
    D: object
    C: object
    P: object

    @classmethod
    def from_store(cls, store) -> "PageGraphs":
        """Project a :class:`graph.store.Store` once for every page."""
        from .export import property_graph
        from .projection import company_graph, division_graph, supply_graph

        S = supply_graph(store)
        return cls(S, division_graph(store, S), company_graph(store, S), property_graph(store))

    def qualified(self, resource: str) -> dict:
        """The attributes of the ``P`` edge of a qualified relation (a specialisation, a supply relation)."""
        if not hasattr(self, "_qualified"):
            self._qualified = {d["iri"]: d for *_, d in self.P.edges(data=True) if "iri" in d}
        return self._qualified.get(resource, {})

    def p(self, resource: str) -> dict:
        """The property-graph attributes of an IRI (empty if it is not a node of ``P``)."""
        from .export import node_key

        key = node_key(resource)
        return self.P.nodes[key] if key in self.P else {}


def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), \
        (lib / "vis-network.css").read_text(encoding="utf-8")


def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


_ENV = None


def _render(net, heading: str, subtitle: str, legend: list[dict], bands: list[dict], title: str,
            tables: list[dict] | None = None, assets: str = "inline", node_options: dict | None = None) -> str:
    """The page. ``assets`` is ``inline`` (vis-network inside the page) or ``shared`` (``vis-network.min.js``
    and ``vis-network.css`` beside it, as :func:`write_all` writes them)."""
    global _ENV
    from . import __version__

    if assets not in ("inline", "shared"):
        raise ValueError(f"assets must be 'inline' or 'shared', not {assets!r}")
    _ENV = _ENV or _environment()
    js, css = _vis_assets() if assets == "inline" else ("", "")
    options = {"physics": {"enabled": False}, "layout": {"randomSeed": 1},
               "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": len(net.edges) > 800},
               "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False,
                         "color": {"inherit": False}},
               "nodes": {"font": {"size": 14, "multi": False}, **(node_options or {})}}
    data = {"nodes": net.nodes, "edges": net.edges, "options": options, "bands": bands}
    return _ENV.get_template("page.html").render(
        title=title, heading=heading, subtitle=subtitle, legend=legend, data=data, vis_js=js, vis_css=css,
        assets=assets, tables=tables or [], node_count=len(net.nodes), edge_count=len(net.edges),
        version=__version__)


def _network():
    from pyvis.network import Network

    return Network(directed=True)


def _both(d: dict) -> str:
    """Chinese and English name on two lines."""
    return "\n".join(x for x in (d.get("label_zh"), d.get("label_en")) if x) or d.get("label", "")


def _source_line(pg: PageGraphs | None, source: str | None, prefix: str = "来源 Source") -> str:
    """``来源 Source: title — publisher · url`` for a source IRI or key (or the bare id without ``pg``)."""
    if not source:
        return f"{prefix}: -"
    lines = []
    for one in str(source).split(";"):
        key = one.split("/id/", 1)[-1]
        d = pg.P.nodes[key] if pg is not None and key in pg.P else {}
        if not d:
            lines.append(key.rsplit("/", 1)[-1])
            continue
        where = d.get("url") or d.get("document") or ""
        lines.append(" — ".join(x for x in (d.get("title"), d.get("publisher")) if x) + (f" · {where}" if where else ""))
    return f"{prefix}: " + "; ".join(lines)


def _clip(lines: list[str], limit: int = TOOLTIP_LINES, more: str = "") -> list[str]:
    if len(lines) <= limit:
        return lines
    return lines[:limit] + [f"… 另有 {len(lines) - limit} 项 / {len(lines) - limit} more{more}"]


def _number(value) -> str:
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.4g}"
    return "" if value is None else str(value)


def page_name(kind: str, key: str, label_en: str = "") -> str:
    """The file name of a page in :func:`write_all`'s folder: ``region-610000-shaanxi.html``,
    ``chain-link-lfp-cathode.html``, ``company-catl.html`` (ASCII letters, digits and hyphens)."""
    text = f"{key}-{label_en}" if label_en else key
    slug = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in text.lower())
    return f"{kind}-{'-'.join(filter(None, slug.split('-')))}.html"


# ---------------------------------------------------------------------------------------- layouts

def _layers(G) -> dict[str, int]:
    """Column of each chain link: stages as consecutive bands; inside a band, the longest path of supply
    edges within that stage (recycling edges ignored), so inputs stand left of what they feed."""
    import networkx as nx

    column, offset = {}, 0
    for stage in STAGES:
        members = [n for n, d in G.nodes(data=True) if d["stage"] == stage]
        H = nx.DiGraph()
        H.add_nodes_from(members)
        H.add_edges_from((a, b) for a, b, k in G.subgraph(members).edges(data="kind") if k != "recycling")
        depth = {}
        for n in nx.topological_sort(H):
            depth[n] = max((depth[p] + 1 for p in H.predecessors(n)), default=0)
        for n, d in depth.items():
            column[n] = offset + d
        offset += (max(depth.values()) + 2) if depth else 0
    return column


def _chain_layout(G):
    """Positions ``{n: (x, y)}``, segment colours ``{segment: colour}``, stage bands and legend items of the
    chain page layout of the supply graph ``G``."""
    column = _layers(G)
    segments = sorted({d["segment"] for _, d in G.nodes(data=True)},
                      key=lambda s: (STAGES.index(G.nodes[s]["stage"]), G.nodes[s]["label_en"]))
    color = {s: SEGMENT_COLORS[i % len(SEGMENT_COLORS)] for i, s in enumerate(segments)}
    by_column: dict[int, list[str]] = {}
    for n in sorted(G, key=lambda n: (column[n], G.nodes[n]["segment"], G.nodes[n]["label_en"], n)):
        by_column.setdefault(column[n], []).append(n)
    # a tall column is wrapped into several of at most MAX_ROWS, so that the page opens readable
    x_of, x = {}, 0
    for col in range(max(by_column, default=-1) + 1):
        x_of[col] = x
        x += max(1, -(-len(by_column.get(col, [])) // MAX_ROWS))
    pos = {}
    for col, members in by_column.items():
        for start in range(0, len(members), MAX_ROWS):
            chunk = members[start:start + MAX_ROWS]
            for i, n in enumerate(chunk):
                pos[n] = ((x_of[col] + start // MAX_ROWS) * X_STEP, (i - (len(chunk) - 1) / 2) * Y_STEP)
    bands = []
    height = (min(MAX_ROWS, max((len(m) for m in by_column.values()), default=1)) * Y_STEP / 2 + Y_STEP)
    for stage in STAGES:
        xs = [pos[n][0] for n, d in G.nodes(data=True) if d["stage"] == stage]
        if xs:
            bands.append({"label": STAGE_LABELS[stage], "color": BAND_COLORS[stage],
                          "x0": min(xs) - X_STEP / 2, "x1": max(xs) + X_STEP / 2, "y0": -height, "y1": height})
    legend = [{"label": f"{G.nodes[s]['label_zh']} {G.nodes[s]['label_en']}", "color": color[s]} for s in segments]
    return pos, color, bands, legend, height


def _spread(targets: list[tuple[str, float]], gap: float, rows: int) -> dict[str, tuple[float, int]]:
    """Place items near their target x without overlap: sorted by target, dealt round-robin into ``rows``
    rows, each row pushed right so that neighbours are at least ``gap`` apart. Returns ``{item: (x, row)}``."""
    out = {}
    last = [float("-inf")] * rows
    for i, (item, x) in enumerate(sorted(targets, key=lambda t: (t[1], t[0]))):
        row = i % rows
        x = max(x, last[row] + gap)
        last[row] = x
        out[item] = (x, row)
    return out


def _grid(items: list[str], x0: float, y0: float, per_row: int, dx: float = X_STEP * 0.8, dy: float = Y_STEP,
          direction: int = 1) -> dict[str, tuple[float, float]]:
    """Rows of at most ``per_row`` items centred on ``x0``, the first row at ``y0``, the next ones
    ``direction * dy`` further (``direction`` -1 stacks upwards)."""
    out = {}
    for i, item in enumerate(items):
        row, col = divmod(i, per_row)
        in_row = min(per_row, len(items) - row * per_row)
        out[item] = (x0 + (col - (in_row - 1) / 2) * dx, y0 + direction * row * dy)
    return out


def _column(items: list[str], x: float, dy: float = Y_STEP) -> dict[str, tuple[float, float]]:
    return {item: (x, (i - (len(items) - 1) / 2) * dy) for i, item in enumerate(items)}


def layered_positions(H) -> dict[str, tuple[float, float]]:
    """Positions ``{node: (column, row)}`` of a property subgraph ``H`` (:func:`graph.export.subgraph`) in
    columns: figures, divisions and areas, companies, facilities, then its chain links in the chain
    page's stage layout (inputs left of what they feed). Sources are left out. Inside a column, nodes
    are ordered by the mean row of their neighbours already placed (then by label), and centred on 0."""
    import networkx as nx

    columns = {"observation": 0, "division": 1, "area": 1, "company": 2, "facility": 3}
    S = nx.DiGraph()
    for n, d in H.nodes(data=True):
        if d["kind"] == "chain_link":
            S.add_node(n, stage=d.get("stage", "midstream"))
    S.add_edges_from((u, v, {"kind": d.get("kind", "supply")}) for u, v, d in H.edges(data=True)
                     if d["relation"] == "input_to" and u in S and v in S)
    chain_col = _layers(S) if len(S) else {}
    col_of = {}
    for n, d in H.nodes(data=True):
        if d["kind"] in columns:
            col_of[n] = columns[d["kind"]]
        elif d["kind"] == "chain_link":
            col_of[n] = 4 + chain_col[n]
    used = sorted(set(col_of.values()))
    squeeze = {c: i for i, c in enumerate(used)}  # no empty columns
    U = H.to_undirected(as_view=True)
    row: dict[str, float] = {}
    pos = {}
    order = [n for n, _ in sorted(col_of.items(), key=lambda kv: (kv[1], kv[0]))]
    # chain links first (their order follows the chain), then the other columns from right to left
    chain_first = sorted(used, key=lambda c: (c < 4, -c if c < 4 else c))
    for c in chain_first:
        members = [n for n in order if col_of[n] == c]

        def key(n):
            placed = [row[m] for m in U.neighbors(n) if m in row]
            bary = sum(placed) / len(placed) if placed else float("inf")
            return (bary, H.nodes[n].get("division_code", ""), H.nodes[n].get("label", n), n)
        if c >= 4:
            members.sort(key=lambda n: (H.nodes[n].get("stage", ""), H.nodes[n].get("label_en", ""), n))
        else:
            members.sort(key=key)
        for i, n in enumerate(members):
            row[n] = i - (len(members) - 1) / 2
            pos[n] = (float(squeeze[c]), row[n])
    return pos


# ------------------------------------------------------------------------------------------ pages

def chain_page(G, *, pg: PageGraphs | None = None, links: dict | None = None, assets: str = "inline") -> str:
    """HTML of the whole chain: the supply graph ``G`` (see :func:`graph.projection.supply_graph`) laid out
    upstream -> midstream -> downstream in bands, nodes coloured by top-level segment, supply edges directed
    (recycling edges dashed). ``pg`` adds source titles to the tooltips; ``links`` (``{IRI: file name}``)
    makes a double click open a node's page."""
    pos, color, bands, legend, _ = _chain_layout(G)
    net = _network()
    for n, d in sorted(G.nodes(data=True)):
        tooltip = (f"{_both(d)}\n阶段 Stage: {STAGE_LABELS[d['stage']]}\n"
                   f"环节组 Segment: {d['segment_label_zh']} / {d['segment_label_en']}\n"
                   f"输入 Inputs: {G.in_degree(n)}  下游 Feeds: {G.out_degree(n)}\n{_source_line(pg, d['source'])}")
        extra = {"url": links[n]} if links and n in links else {}
        net.add_node(n, label=f"{d['label_zh']}\n{d['label_en']}", title=tooltip, x=pos[n][0], y=pos[n][1],
                     color=color[d["segment"]], shape="box", search=f"{d['label_zh']} {d['label_en']} {d['id']}",
                     stage=d["stage"], **extra)
    for a, b, d in sorted(G.edges(data=True)):
        net.add_edge(a, b, title=f"{G.nodes[a]['label_zh']} → {G.nodes[b]['label_zh']}\n"
                                 f"{G.nodes[a]['label_en']} → {G.nodes[b]['label_en']}\n{_source_line(pg, d['source'])}",
                     dashes=d["kind"] == "recycling", color="#2ca02c" if d["kind"] == "recycling" else "#999999")
    legend = legend + [{"label": "虚线 = 回收 / dashed = recycling", "color": "#2ca02c"}]
    return _render(net, heading=f"新能源汽车产业链 NEV industrial chain: {len(G)} 个环节 chain links",
                   subtitle=f"{G.number_of_edges()} 条供给关系 supply relations · 上游 → 中游 → 下游", legend=legend,
                   bands=bands, title="nevkg · NEV industrial chain", assets=assets)


def _evidence_lines(pg: PageGraphs, data: dict) -> list[str]:
    lines = []
    for kind, via, source in data.get("evidence", []):
        what = pg.p(via)
        name = what.get("label_zh") or what.get("label_en") or ""
        if kind.startswith("specialisation:"):
            name = pg.qualified(via).get("note") or ""
        lines.append(f"• {EVIDENCE_LABELS.get(kind, kind)}{': ' + name if name else ''} — "
                     f"{_source_line(pg, source, '来源 source')}")
    return lines


def _region_members(pg: PageGraphs, division: str) -> list[str]:
    """The division and, for a province, the divisions within it."""
    return [d for d, attrs in pg.D.nodes(data=True)
            if attrs.get("kind") == "division" and (d == division or attrs.get("province") == division)]


def _division_label(pg: PageGraphs, d: str) -> str:
    attrs = pg.D.nodes[d]
    return f"{attrs['label_zh']} {attrs['label_en']} ({attrs['code']})"


def _figure_rows(pg: PageGraphs, observations: list[str]) -> list[list[str]]:
    rows = []
    P = pg.P
    for o in observations:
        d = P.nodes[o]
        area = "; ".join(P.nodes[v]["label"] for _, v, r in P.out_edges(o, data="relation") if r == "ref_area")
        about = "; ".join(P.nodes[v]["label"] for _, v, r in P.out_edges(o, data="relation") if r == "about")
        rows.append([d.get("measure", ""), area, about, str(d.get("year", "")), _number(d.get("value")),
                     d.get("unit", ""), _source_line(pg, d.get("source"), "").lstrip(": ")])
    return rows


FIGURE_COLUMNS = ["指标 measure", "地区 area", "环节 chain link", "年份 year", "数值 value", "单位 unit", "来源 source"]


def region_page(pg: PageGraphs, division: str, *, links: dict | None = None, assets: str = "inline") -> str:
    """HTML of a province or city (``division``: IRI) over the chain layout: the chain links present there
    (:func:`graph.analysis.completeness.present_chain_links`) in their segment colour, missing ones grey;
    below the chain, the companies headquartered and the facilities located in it, joined to the chain
    links they are active in; the completeness share in the heading and the region's figures in a table.
    Raises :class:`graph.errors.NevkgError` for a division not in ``pg.D``."""
    from .analysis.completeness import completeness, present_chain_links
    from .errors import NevkgError

    S, D, P = pg.S, pg.D, pg.P
    if division not in D or D.nodes[division].get("kind") != "division":
        raise NevkgError(f"no division {division}")
    info = completeness(D, S, division)
    present = present_chain_links(D, S, division)
    pos, color, bands, legend, height = _chain_layout(S)
    net = _network()
    for n, d in sorted(S.nodes(data=True)):
        here = n in present
        evidence = _evidence_lines(pg, D.edges[division, n]) if D.has_edge(division, n) else []
        if here and not evidence:
            evidence = ["• 由下级环节推得 present through a narrower chain link"]
        tooltip = "\n".join([_both(d), f"阶段 Stage: {STAGE_LABELS[d['stage']]}",
                             "本地区已有 Present here" if here else "本地区缺失 Missing here",
                             *_clip(evidence, 12), _source_line(pg, d["source"], "环节来源 Chain-link source")])
        extra = {"url": links[n]} if links and n in links else {}
        net.add_node(n, label=f"{d['label_zh']}\n{d['label_en']}", title=tooltip, x=pos[n][0], y=pos[n][1],
                     shape="box", color=color[d["segment"]] if here else MISSING_COLOR,
                     font={"color": "#222222" if here else "#aaaaaa"}, present=here,
                     search=f"{d['label_zh']} {d['label_en']} {d['id']}", **extra)
    for a, b, d in sorted(S.edges(data=True)):
        both = a in present and b in present
        net.add_edge(a, b, color="#999999" if both else "#e3e3e3", dashes=d["kind"] == "recycling",
                     title=f"{S.nodes[a]['label_zh']} → {S.nodes[b]['label_zh']}\n"
                           f"{S.nodes[a]['label_en']} → {S.nodes[b]['label_en']}")
    # companies and facilities of the region, under the chain near their chain links
    from .export import node_key

    region = {node_key(d) for d in _region_members(pg, division)}
    actors = []
    for n, d in P.nodes(data=True):
        if d["kind"] in ("company", "facility"):
            for _, v, r in P.out_edges(n, data="relation"):
                if r in ("headquartered_in", "located_in") and v in region:
                    actors.append(n)
                    break
    targets = {}
    for n in actors:
        xs = [pos[P.nodes[v]["iri"]][0] for _, v, r in P.out_edges(n, data="relation") if r == "active_in"]
        targets[n] = sum(xs) / len(xs) if xs else 0.0
    companies = [(n, x) for n, x in targets.items() if P.nodes[n]["kind"] == "company"]
    facilities = [(n, x) for n, x in targets.items() if P.nodes[n]["kind"] == "facility"]
    y0 = height + Y_STEP
    placed = {}
    for group, offset in ((companies, 0), (facilities, 3)):
        for n, (x, row) in _spread(group, X_STEP * 0.75, 3).items():
            placed[n] = (x, y0 + (offset + row) * Y_STEP * 1.3)
    for n in sorted(placed):
        d = P.nodes[n]
        located = [P.nodes[v]["label"] for _, v, r in P.out_edges(n, data="relation")
                   if r in ("headquartered_in", "located_in")]
        chain = [P.nodes[v]["label"] for _, v, r in P.out_edges(n, data="relation") if r == "active_in"]
        owner = [P.nodes[v]["label"] for _, v, r in P.out_edges(n, data="relation") if r == "site_of"]
        lines = [_both(d), KIND_LABELS[d["kind"]],
                 ("总部 Headquarters: " if d["kind"] == "company" else "位置 Location: ") + "; ".join(located)]
        if owner:
            lines.append("所属企业 Company: " + "; ".join(owner))
        if d.get("stock_code"):
            lines.append(f"股票代码 Stock code: {d['stock_code']}")
        lines += ["环节 Chain links: " + "; ".join(chain), _source_line(pg, d.get("source"))]
        extra = {"url": links[d["iri"]]} if links and d["iri"] in links else {}
        net.add_node(d["iri"], label=d.get("label_zh") or d["label"], title="\n".join(lines), x=placed[n][0],
                     y=placed[n][1], shape=KIND_SHAPES[d["kind"]], color=KIND_COLORS[d["kind"]], size=14,
                     search=f"{d.get('label_zh', '')} {d.get('label_en', '')} {n}", **extra)
    for n in sorted(placed):
        for _, v, r in sorted(P.out_edges(n, data="relation")):
            if r == "active_in":
                net.add_edge(P.nodes[n]["iri"], P.nodes[v]["iri"], color="rgba(242,142,43,0.35)",
                             title=f"{P.nodes[n]['label']} → {P.nodes[v]['label']} (active in 从事)")
            elif r == "site_of" and v in placed:
                net.add_edge(P.nodes[v]["iri"], P.nodes[n]["iri"], color="rgba(120,120,120,0.5)", dashes=True,
                             title=f"{P.nodes[v]['label']} → {P.nodes[n]['label']} (site 设施)")
    attrs = D.nodes[division]
    by_stage = " · ".join(f"{STAGE_LABELS[s]} {v['present']}/{v['total']} ({v['share']:.0%})"
                          for s, v in info["by_stage"].items())
    legend = legend + [{"label": "灰色 = 本地区缺失 / grey = missing here", "color": MISSING_COLOR["background"]},
                       {"label": KIND_LABELS["company"], "color": KIND_COLORS["company"]},
                       {"label": KIND_LABELS["facility"], "color": KIND_COLORS["facility"]}]
    observations = sorted(n for n in P if P.nodes[n]["kind"] == "observation"
                          and any(r == "ref_area" and v in region for _, v, r in P.out_edges(n, data="relation")))
    missing_rows = [[m["label_zh"], m["label_en"], STAGE_LABELS[m["stage"]], str(m["feeds_present"])]
                    for m in info["missing"] if m["feeds_present"]][:30]
    tables = []
    if observations:
        tables.append({"title": "数据 Figures", "columns": FIGURE_COLUMNS, "rows": _figure_rows(pg, observations)})
    if missing_rows:
        tables.append({"title": "补链清单 Missing chain links that feed present ones",
                       "columns": ["中文", "English", "阶段 stage", "供给已有环节数 feeds present"],
                       "rows": missing_rows})
    heading = (f"{attrs['label_zh']} {attrs['label_en']}: 产业链完整度 chain completeness {info['share']:.0%} "
               f"({info['present']}/{info['total']} 个环节 chain links)")
    return _render(net, heading=heading,
                   subtitle=f"{by_stage} · {len(companies)} 家企业 companies · {len(facilities)} 个设施 facilities",
                   legend=legend, bands=bands, title=f"nevkg · {attrs['label_zh']} {attrs['label_en']}",
                   tables=tables, assets=assets)


def chain_link_page(pg: PageGraphs, chain_link: str, *, links: dict | None = None, assets: str = "inline") -> str:
    """HTML of one chain link (IRI): its inputs (left) and dependents (right), its broader and narrower
    chain links (above), the regions where it is present (above them), the companies and facilities
    active in it (below), its figures in a table. Raises :class:`graph.errors.NevkgError` if unknown."""
    from .errors import NevkgError
    from .export import node_key

    S, D, C, P = pg.S, pg.D, pg.C, pg.P
    if chain_link not in S:
        raise NevkgError(f"no chain link {chain_link}")
    d0 = S.nodes[chain_link]
    inputs = sorted(S.predecessors(chain_link), key=lambda n: (S.nodes[n]["label_en"], n))
    dependents = sorted(S.successors(chain_link), key=lambda n: (S.nodes[n]["label_en"], n))
    family = ([d0["parent"]] if d0["parent"] else []) + sorted(
        (n for n, p in S.nodes(data="parent") if p == chain_link), key=lambda n: (S.nodes[n]["label_en"], n))
    family = [n for n in family if n not in inputs and n not in dependents]
    regions = sorted(D.neighbors(chain_link), key=lambda n: D.nodes[n]["code"]) if chain_link in D else []
    companies = sorted(C.neighbors(chain_link), key=lambda n: (C.nodes[n]["label_en"], n)) if chain_link in C else []
    key = node_key(chain_link)
    facilities = sorted(P.nodes[u]["iri"] for u, _, r in P.in_edges(key, data="relation")
                        if r == "active_in" and P.nodes[u]["kind"] == "facility")
    observations = sorted(u for u, _, r in P.in_edges(key, data="relation") if r == "about")
    pos = {chain_link: (0.0, 0.0)}
    pos.update({n: (-2 * X_STEP, y) for n, (_, y) in _column(inputs, 0).items()})
    pos.update({n: (2 * X_STEP, y) for n, (_, y) in _column(dependents, 0).items()})
    side = max(len(inputs), len(dependents), 1) * Y_STEP / 2
    pos.update(_grid(family, 0, -side - 2 * Y_STEP, 6, direction=-1))
    top = -side - 2 * Y_STEP - ((len(family) + 5) // 6) * Y_STEP - Y_STEP
    pos.update(_grid(regions, 0, top, 10, dx=X_STEP * 0.55, direction=-1))
    pos.update(_grid(companies, 0, side + 2 * Y_STEP, 8, dx=X_STEP * 0.7))
    below = side + 2 * Y_STEP + ((len(companies) + 7) // 8) * Y_STEP + Y_STEP
    pos.update(_grid(facilities, 0, below, 8, dx=X_STEP * 0.7))
    net = _network()
    stage_color = STAGE_COLORS
    for n in [chain_link, *inputs, *dependents, *family]:
        d = S.nodes[n]
        role = ("本环节 this chain link" if n == chain_link else "输入 input" if n in inputs
                else "下游 dependent" if n in dependents else "上级 broader" if n == d0["parent"] else "下级 narrower")
        extra = {"url": links[n]} if links and n in links and n != chain_link else {}
        net.add_node(n, label=f"{d['label_zh']}\n{d['label_en']}", x=pos[n][0], y=pos[n][1], shape="box",
                     title=f"{_both(d)}\n{role}\n阶段 Stage: {STAGE_LABELS[d['stage']]}\n{_source_line(pg, d['source'])}",
                     color=stage_color[d["stage"]] if n != chain_link else "#e15759",
                     font={"color": "#ffffff", "size": 18 if n == chain_link else 14},
                     search=f"{d['label_zh']} {d['label_en']} {d['id']}", **extra)
    for n in regions:
        a = D.nodes[n]
        evidence = _evidence_lines(pg, D.edges[n, chain_link])
        extra = {"url": links[n]} if links and n in links else {}
        net.add_node(n, label=f"{a['label_zh']}\n{a['label_en']}", x=pos[n][0], y=pos[n][1], shape="ellipse",
                     color=KIND_COLORS["division"] if a["level"] == "province" else "#8cd17d",
                     title="\n".join([f"{a['label_zh']}\n{a['label_en']} ({a['code']})",
                                      "省级 province" if a["level"] == "province" else "地级 prefecture",
                                      *_clip(evidence, 12)]),
                     search=f"{a['label_zh']} {a['label_en']} {a['code']}", **extra)
    for n in companies:
        a = pg.p(n) or C.nodes[n]
        hq = pg.p(C.nodes[n]["headquarters"]).get("label", "")
        extra = {"url": links[n]} if links and n in links else {}
        net.add_node(n, label=a.get("label_zh") or a["label"], x=pos[n][0], y=pos[n][1],
                     shape=KIND_SHAPES["company"], color=KIND_COLORS["company"], size=14,
                     title=f"{_both(a)}\n{KIND_LABELS['company']}\n总部 Headquarters: {hq}\n"
                           f"{_source_line(pg, a.get('source'))}",
                     search=f"{a.get('label_zh', '')} {a.get('label_en', '')} {node_key(n)}", **extra)
    for n in facilities:
        a = pg.p(n)
        where = "; ".join(P.nodes[v]["label"] for _, v, r in P.out_edges(node_key(n), data="relation")
                          if r == "located_in")
        owner = "; ".join(P.nodes[v]["label"] for _, v, r in P.out_edges(node_key(n), data="relation")
                          if r == "site_of")
        net.add_node(n, label=a.get("label_zh") or a["label"], x=pos[n][0], y=pos[n][1],
                     shape=KIND_SHAPES["facility"], color=KIND_COLORS["facility"], size=12,
                     title=f"{_both(a)}\n{KIND_LABELS['facility']}\n位置 Location: {where}\n"
                           f"所属企业 Company: {owner}\n{_source_line(pg, a.get('source'))}",
                     search=f"{a.get('label_zh', '')} {a.get('label_en', '')} {node_key(n)}")
    for n in inputs:
        net.add_edge(n, chain_link, color="#777777", title=f"{S.nodes[n]['label_en']} → {d0['label_en']}\n"
                     f"{_source_line(pg, S.edges[n, chain_link]['source'])}")
    for n in dependents:
        net.add_edge(chain_link, n, color="#777777", title=f"{d0['label_en']} → {S.nodes[n]['label_en']}\n"
                     f"{_source_line(pg, S.edges[chain_link, n]['source'])}")
    for n in family:
        a, b = (chain_link, n) if n == d0["parent"] else (n, chain_link)
        net.add_edge(a, b, color="#bbbbbb", dashes=True, title="上级 / broader")
    for n in regions:
        net.add_edge(n, chain_link, color="rgba(89,161,79,0.4)", arrows={"to": {"enabled": False}},
                     title=f"{D.nodes[n]['label_en']}: present 已有")
    for n in companies:
        net.add_edge(n, chain_link, color="rgba(242,142,43,0.5)", title="从事 active in")
    company_set = set(companies)
    for n in facilities:
        net.add_edge(n, chain_link, color="rgba(237,201,72,0.6)", title="从事 active in")
        for _, v, r in P.out_edges(node_key(n), data="relation"):
            if r == "site_of" and P.nodes[v]["iri"] in company_set:
                net.add_edge(P.nodes[v]["iri"], n, color="#cccccc", dashes=True, title="设施 site")
    legend = [{"label": "本环节 this chain link", "color": "#e15759"},
              *({"label": STAGE_LABELS[s], "color": c} for s, c in stage_color.items()),
              {"label": "省 province", "color": KIND_COLORS["division"]}, {"label": "市 prefecture", "color": "#8cd17d"},
              {"label": KIND_LABELS["company"], "color": KIND_COLORS["company"]},
              {"label": KIND_LABELS["facility"], "color": KIND_COLORS["facility"]}]
    tables = []
    if observations:
        tables.append({"title": "数据 Figures", "columns": FIGURE_COLUMNS, "rows": _figure_rows(pg, observations)})
    definition = [x for x in (P.nodes[key].get("definition_zh"), P.nodes[key].get("definition_en")) if x]
    subtitle = (f"{STAGE_LABELS[d0['stage']]} · {len(inputs)} 个输入 inputs · {len(dependents)} 个下游 dependents · "
                f"{len(regions)} 个地区 regions · {len(companies)} 家企业 companies · {len(facilities)} 个设施 facilities")
    if definition:
        subtitle += " · " + " / ".join(definition)
    return _render(net, heading=f"{d0['label_zh']} {d0['label_en']} [{d0['id']}]", subtitle=subtitle,
                   legend=legend, bands=[], title=f"nevkg · {d0['label_zh']} {d0['label_en']}", tables=tables,
                   assets=assets)


def company_page(pg: PageGraphs, company: str, *, links: dict | None = None, assets: str = "inline") -> str:
    """HTML of one company (IRI): the company in the middle, its regions (headquarters and facility
    divisions, with their provinces) on the left, its facilities and then its chain links on the right;
    facilities and figures in tables. Raises :class:`graph.errors.NevkgError` if unknown."""
    from .errors import NevkgError
    from .export import node_key

    P = pg.P
    key = node_key(company)
    if key not in P or P.nodes[key]["kind"] != "company":
        raise NevkgError(f"no company {company}")
    out = lambda n, rel: sorted(v for _, v, r in P.out_edges(n, data="relation") if r == rel)  # noqa: E731
    facilities = sorted(u for u, _, r in P.in_edges(key, data="relation") if r == "site_of")
    chain = sorted(set(out(key, "active_in")).union(*(out(f, "active_in") for f in facilities)),
                   key=lambda n: (STAGES.index(P.nodes[n].get("stage", "midstream")), P.nodes[n].get("label_en", ""), n))
    divisions = set(out(key, "headquartered_in")).union(*(out(f, "located_in") for f in facilities))
    divisions |= {p for d in list(divisions) for p in out(d, "within")}
    divisions = sorted(divisions, key=lambda n: (P.nodes[n].get("code", ""), n))
    observations = sorted({o for f in facilities for o in out(f, "capacity")})
    pos = {key: (0.0, 0.0)}
    pos.update({n: (-2 * X_STEP, y) for n, (_, y) in _column(divisions, 0).items()})
    pos.update({n: (1.6 * X_STEP, y) for n, (_, y) in _column(facilities, 0, Y_STEP * 1.2).items()})
    pos.update({n: (3.4 * X_STEP, y) for n, (_, y) in _column(chain, 0).items()})
    net = _network()
    for n in [key, *divisions, *facilities, *chain]:
        d = P.nodes[n]
        kind = d["kind"]
        lines = [_both(d), KIND_LABELS[kind]]
        if kind == "division":
            lines.append(f"代码 Code: {d.get('code', '')}")
            lines.append(_source_line(pg, d.get("source"), "来源 Source (坐标 coordinates)"))
        elif kind == "chain_link":
            lines += [f"阶段 Stage: {STAGE_LABELS.get(d.get('stage'), '')}", _source_line(pg, d.get("source"))]
        else:
            if d.get("stock_code"):
                lines.append(f"股票代码 Stock code: {d['stock_code']}")
            if kind == "facility":
                cap = [P.nodes[o] for o in out(n, "capacity")]
                lines += [f"产能 Capacity: {_number(c.get('value'))} {c.get('unit', '')} ({c.get('year', '')})"
                          for c in cap]
            lines.append(_source_line(pg, d.get("source")))
            if d.get("as_of"):
                lines.append(f"截至 As of: {d['as_of']}")
        if kind == "chain_link":
            color = STAGE_COLORS[d.get("stage", "midstream")]
        else:
            color = "#e15759" if n == key else KIND_COLORS[kind]
        extra = {"url": links[d["iri"]]} if links and d["iri"] in links and n != key else {}
        net.add_node(d["iri"], label=f"{d.get('label_zh', '')}\n{d.get('label_en', '')}".strip(), title="\n".join(lines),
                     x=pos[n][0], y=pos[n][1], shape=KIND_SHAPES[kind], color=color,
                     size=22 if n == key else 14, font={"size": 18 if n == key else 14},
                     search=f"{d.get('label_zh', '')} {d.get('label_en', '')} {n}", **extra)
    iri = lambda n: P.nodes[n]["iri"]  # noqa: E731
    for n in out(key, "headquartered_in"):
        net.add_edge(iri(key), iri(n), color="#59a14f", title="总部 headquartered in")
    for n in out(key, "active_in"):
        net.add_edge(iri(key), iri(n), color="rgba(242,142,43,0.6)", title="从事 active in")
    for f in facilities:
        net.add_edge(iri(key), iri(f), color="#999999", dashes=True, title="设施 site")
        for n in out(f, "located_in"):
            net.add_edge(iri(f), iri(n), color="rgba(89,161,79,0.5)", title="位于 located in")
        for n in out(f, "active_in"):
            net.add_edge(iri(f), iri(n), color="rgba(237,201,72,0.8)", title="从事 active in")
    for d in divisions:
        for p in out(d, "within"):
            net.add_edge(iri(d), iri(p), color="#cccccc", title="隶属 within")
    d0 = P.nodes[key]
    legend = [{"label": "本企业 this company", "color": "#e15759"},
              {"label": KIND_LABELS["division"], "color": KIND_COLORS["division"]},
              {"label": KIND_LABELS["facility"], "color": KIND_COLORS["facility"]},
              *({"label": STAGE_LABELS[s], "color": c} for s, c in STAGE_COLORS.items())]
    tables = []
    if facilities:
        rows = []
        for f in facilities:
            cap = [P.nodes[o] for o in out(f, "capacity")]
            rows.append([P.nodes[f].get("label_zh", ""), P.nodes[f].get("label_en", ""),
                         "; ".join(P.nodes[n]["label"] for n in out(f, "located_in")),
                         "; ".join(P.nodes[n].get("label_zh", "") for n in out(f, "active_in")),
                         "; ".join(f"{_number(c.get('value'))} {c.get('unit', '')} ({c.get('year', '')})" for c in cap),
                         _source_line(pg, P.nodes[f].get("source"), "").lstrip(": ")])
        tables.append({"title": "设施 Facilities", "columns": ["中文", "English", "位置 location", "环节 chain links",
                                                             "产能 capacity", "来源 source"], "rows": rows})
    if observations:
        tables.append({"title": "数据 Figures", "columns": FIGURE_COLUMNS, "rows": _figure_rows(pg, observations)})
    hq = "; ".join(P.nodes[n]["label"] for n in out(key, "headquartered_in"))
    subtitle = (f"总部 HQ: {hq} · {len(facilities)} 个设施 facilities · {len(chain)} 个环节 chain links · "
                f"{len(divisions)} 个地区 regions" + (f" · {d0['stock_code']}" if d0.get("stock_code") else ""))
    return _render(net, heading=f"{d0.get('label_zh', '')} {d0.get('label_en', '')}", subtitle=subtitle,
                   legend=legend, bands=[], title=f"nevkg · {d0.get('label_zh', '')} {d0.get('label_en', '')}",
                   tables=tables, assets=assets)


MAP_SCALE = 45  # pixels per degree


def map_page(pg: PageGraphs, *, links: dict | None = None, assets: str = "inline") -> str:
    """HTML of every division with coordinates placed by longitude (x) and latitude (y), sized by the
    number of chain links present there (:func:`graph.analysis.completeness.present_chain_links`),
    coloured by level; the tooltip lists the chain links with direct evidence there."""
    from .analysis.completeness import present_chain_links

    S, D = pg.S, pg.D
    net = _network()
    divisions = sorted((n for n, d in D.nodes(data=True) if d.get("kind") == "division" and d.get("lon") is not None),
                       key=lambda n: (D.nodes[n]["level"] != "province", D.nodes[n]["code"]))
    total = S.number_of_nodes()
    for n in divisions:
        d = D.nodes[n]
        present = present_chain_links(D, S, n)
        direct = sorted((c for c in D.neighbors(n) if D.edges[n, c]["direct"]),
                        key=lambda c: (STAGES.index(S.nodes[c]["stage"]), S.nodes[c]["label_en"]))
        lines = [f"{d['label_zh']}\n{d['label_en']} ({d['code']})",
                 "省级 province" if d["level"] == "province" else "地级 prefecture",
                 f"经纬度 Lon/lat: {d['lon']:.2f}, {d['lat']:.2f} — {_source_line(pg, pg.p(n).get('source'), '来源 source')}",
                 f"已有环节 Chain links present: {len(present)}/{total} ({len(present) / total:.0%})"]
        lines += _clip([f"• {S.nodes[c]['label_zh']} {S.nodes[c]['label_en']} — "
                        f"{_source_line(pg, D.edges[n, c]['evidence'][0][2], 'source')}" for c in direct],
                       more=" (见地区页 see the region page)")
        province = d["level"] == "province"
        color = ("#e15759" if province else "#4e79a7") if present else "#cccccc"
        extra = {"url": links[n]} if links and n in links else {}
        net.add_node(n, label=d["label_zh"], title="\n".join(lines),
                     x=round((d["lon"] - 105) * MAP_SCALE, 1), y=round(-(d["lat"] - 35) * MAP_SCALE, 1),
                     shape="dot", value=len(present), color=color, level_name=d["level"],
                     font={"size": 16 if province else 10, "color": "#333333"},
                     search=f"{d['label_zh']} {d['label_en']} {d['code']}", **extra)
    legend = [{"label": "省级 province", "color": "#e15759"}, {"label": "地级 prefecture", "color": "#4e79a7"},
              {"label": "无已知环节 no chain link known", "color": "#cccccc"},
              {"label": "大小 = 已有环节数 size = chain links present", "color": "#ffffff"}]
    return _render(net, heading=f"产业链地图 Chain map: {len(divisions)} 个行政区 divisions",
                   subtitle="按经纬度放置 placed by longitude/latitude · 大小 = 已有环节数 size = chain links present",
                   legend=legend, bands=[], title="nevkg · chain map", assets=assets,
                   node_options={"scaling": {"min": 6, "max": 40}})


def subgraph_page(H, title: str, *, assets: str = "inline") -> str:
    """HTML of a property subgraph ``H`` (:func:`graph.export.subgraph`) in :func:`layered_positions`'
    columns, nodes coloured by kind, tooltips with both names, the facts and their sources (sources are
    shown in tooltips, not as nodes)."""
    pos = layered_positions(H)
    net = _network()
    skip = {"kind", "iri", "label", "label_zh", "label_en", "source"}
    for n, (x, y) in sorted(pos.items()):
        d = H.nodes[n]
        facts = [f"{k}: {v}" for k, v in sorted(d.items()) if k not in skip]
        src = d.get("source")
        source = "; ".join(H.nodes[s]["label"] if s in H else s for s in src.split(";")) if src else "-"
        net.add_node(n, label=(f"{d.get('label_zh', '')}\n{d.get('label_en', '')}".strip() or d["label"]),
                     title="\n".join([_both(d), KIND_LABELS.get(d["kind"], d["kind"]), *_clip(facts, 16),
                                      f"来源 Source: {source}"]),
                     x=x * X_STEP, y=y * Y_STEP, shape=KIND_SHAPES.get(d["kind"], "dot"),
                     color=KIND_COLORS.get(d["kind"], "#999999"), search=f"{d['label']} {n}")
    for u, v, k, d in sorted(H.edges(keys=True, data=True)):
        if u in pos and v in pos:
            src = d.get("source")
            net.add_edge(u, v, title=f"{H.nodes[u]['label']} —{d['relation']}→ {H.nodes[v]['label']}"
                         + (f"\n来源 Source: {H.nodes[src]['label'] if src in H else src}" if src else ""),
                         color="#999999", dashes=d.get("kind") == "recycling")
    kinds = sorted({H.nodes[n]["kind"] for n in pos}, key=lambda k: list(KIND_COLORS).index(k))
    legend = [{"label": KIND_LABELS[k], "color": KIND_COLORS[k]} for k in kinds]
    n_sources = sum(1 for _, k in H.nodes(data="kind") if k == "source")
    return _render(net, heading=f"nevkg 子图 subgraph: {title}",
                   subtitle=f"{len(pos)} 个节点 nodes · {H.number_of_edges()} 条关系 relations · "
                            f"{n_sources} 个来源 sources", legend=legend, bands=[],
                   title=f"nevkg · {title}", assets=assets)


# ------------------------------------------------------------------------------------------- all

def default_chain_links(pg: PageGraphs) -> list[str]:
    """The chain links :func:`write_all` makes pages for by default: the top-level segments and every chain
    link present in some division or with a company active in it."""
    S, D, C = pg.S, pg.D, pg.C
    return sorted(n for n, d in S.nodes(data=True)
                  if not d["parent"] or (n in D and D.degree(n)) or (n in C and C.degree(n)))


def write_all(pg: PageGraphs, out_dir: Path, *, chain_links: list[str] | None = None) -> list[Path]:
    """Write every page into ``out_dir``: ``chain.html``, ``map.html``, one ``region-*.html`` per province,
    one ``chain-link-*.html`` per chain link of ``chain_links`` (IRIs; default
    :func:`default_chain_links`), one ``company-*.html`` per company, the vis-network assets they share,
    and ``index.html`` linking them all, with a search box. A double click on a node opens its page.
    Each file is written atomically; returns the paths written (sorted)."""
    import shutil

    from .build import write_atomic
    from .export import node_key

    out_dir = Path(out_dir)
    S, D, P = pg.S, pg.D, pg.P
    chain_links = default_chain_links(pg) if chain_links is None else sorted(chain_links)
    provinces = sorted((n for n, d in D.nodes(data=True) if d.get("kind") == "division" and d["level"] == "province"),
                       key=lambda n: D.nodes[n]["code"])
    companies = sorted(d["iri"] for _, d in P.nodes(data=True) if d["kind"] == "company")
    links = {}
    for n in provinces:
        links[n] = page_name("region", D.nodes[n]["code"], D.nodes[n]["label_en"])
    for n in chain_links:
        links[n] = page_name("chain-link", S.nodes[n]["id"])
    for n in companies:
        links[n] = page_name("company", node_key(n).split("/", 1)[1])
    pages: dict[str, str] = {"chain.html": chain_page(S, pg=pg, links=links, assets="shared"),
                             "map.html": map_page(pg, links=links, assets="shared")}
    for n in provinces:
        pages[links[n]] = region_page(pg, n, links=links, assets="shared")
    for n in chain_links:
        pages[links[n]] = chain_link_page(pg, n, links=links, assets="shared")
    for n in companies:
        pages[links[n]] = company_page(pg, n, links=links, assets="shared")
    pages["index.html"] = _index_page(pg, links, provinces, chain_links, companies)
    written = []
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        tmp = out_dir / f".{name}.tmp"
        shutil.copyfile(lib / name, tmp)
        tmp.replace(out_dir / name)
        written.append(out_dir / name)
    for name, html in sorted(pages.items()):
        written.append(write_atomic(out_dir / name, html.encode("utf-8")))
    return sorted(written)


def _index_page(pg: PageGraphs, links: dict, provinces: list[str], chain_links: list[str],
                companies: list[str]) -> str:
    global _ENV
    from . import __version__
    from .analysis.completeness import completeness
    from .export import node_key

    S, D = pg.S, pg.D
    _ENV = _ENV or _environment()
    regions = []
    for n in provinces:
        d = D.nodes[n]
        share = completeness(D, S, n)["share"]
        regions.append({"href": links[n], "text": f"{d['label_zh']} {d['label_en']}", "note": f"{share:.0%}",
                        "search": f"{d['label_zh']} {d['label_en']} {d['code']}"})
    chain = [{"href": links[n], "text": f"{S.nodes[n]['label_zh']} {S.nodes[n]['label_en']}",
              "note": STAGE_LABELS[S.nodes[n]["stage"]], "search": f"{S.nodes[n]['label_zh']} {S.nodes[n]['label_en']} "
              f"{S.nodes[n]['id']}"} for n in sorted(chain_links, key=lambda n: (STAGES.index(S.nodes[n]["stage"]),
                                                                                S.nodes[n]["label_en"]))]
    firms = []
    for n in sorted(companies, key=lambda n: pg.p(n).get("label_en", "")):
        d = pg.p(n)
        firms.append({"href": links[n], "text": f"{d.get('label_zh', '')} {d.get('label_en', '')}",
                      "note": d.get("stock_code", ""), "search": f"{d.get('label_zh', '')} {d.get('label_en', '')} "
                      f"{node_key(n)}"})
    sections = [{"title": "总览 Overview", "items": [
        {"href": "chain.html", "text": "产业链 The whole chain", "note": f"{len(S)} 个环节 chain links",
         "search": "chain 产业链"},
        {"href": "map.html", "text": "地图 Map of divisions", "note": "", "search": "map 地图"}]},
        {"title": "地区 Provinces (产业链完整度 completeness)", "items": regions},
        {"title": "产业链环节 Chain links", "items": chain},
        {"title": "企业 Companies", "items": firms}]
    return _ENV.get_template("index.html").render(sections=sections, version=__version__,
                                                  count=sum(len(s["items"]) for s in sections))
