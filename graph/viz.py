"""Interactive pages (PyVis / vis-network) that work with the network cut off.

PyVis's own template loads vis-network, Bootstrap and Tom Select from CDNs; the
pages here use nevkg's template instead, which inlines the vis-network script
and stylesheet that ship inside the pyvis package. Data reaches the page only
as JSON (Jinja's ``tojson`` escapes ``<``, ``>`` and ``&``) and as
autoescaped text, so a name like ``<img src=x onerror=alert(1)>`` shows as text;
vis-network draws labels on a canvas and shows string tooltips as text.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["SEGMENT_COLORS", "chain_page"]

SEGMENT_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac", "#86bcb6", "#d4a6c8", "#8cd17d", "#f1ce63", "#a0cbe8", "#ffbe7d",
                  "#d37295", "#fabfd2", "#b6992d", "#499894", "#79706e", "#e19d9d"]
STAGES = ["upstream", "midstream", "downstream"]
STAGE_LABELS = {"upstream": "上游 Upstream", "midstream": "中游 Midstream", "downstream": "下游 Downstream"}
BAND_COLORS = {"upstream": "rgba(78,121,167,0.06)", "midstream": "rgba(242,142,43,0.06)",
               "downstream": "rgba(89,161,79,0.06)"}
X_STEP, Y_STEP = 260, 70


def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), \
        (lib / "vis-network.css").read_text(encoding="utf-8")


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


def _render(net, heading: str, subtitle: str, legend: list[dict], bands: list[dict], title: str) -> str:
    import jinja2

    from . import __version__

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    js, css = _vis_assets()
    options = {"physics": {"enabled": False}, "interaction": {"hover": True, "tooltipDelay": 120},
               "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False,
                         "color": {"inherit": False}},
               "nodes": {"shape": "box", "font": {"size": 14, "multi": False}}}
    data = {"nodes": net.nodes, "edges": net.edges, "options": options, "bands": bands}
    return env.get_template("page.html").render(
        title=title, heading=heading, subtitle=subtitle, legend=legend, data=data, vis_js=js, vis_css=css,
        node_count=len(net.nodes), edge_count=len(net.edges), version=__version__)


def chain_page(G) -> str:
    """HTML of the whole chain: the supply graph ``G`` (see :func:`graph.projection.supply_graph`) laid out
    upstream -> midstream -> downstream in bands, nodes coloured by top-level segment, supply edges directed
    (recycling edges dashed). Positions are computed here and physics is off, so the layout is stable."""
    from pyvis.network import Network

    column = _layers(G)
    segments = sorted({d["segment"] for _, d in G.nodes(data=True)},
                      key=lambda s: (STAGES.index(G.nodes[s]["stage"]), G.nodes[s]["label_en"]))
    color = {s: SEGMENT_COLORS[i % len(SEGMENT_COLORS)] for i, s in enumerate(segments)}
    by_column: dict[int, list[str]] = {}
    for n in sorted(G, key=lambda n: (column[n], G.nodes[n]["segment"], G.nodes[n]["label_en"])):
        by_column.setdefault(column[n], []).append(n)
    net = Network(directed=True)
    ys = {}
    for col, members in by_column.items():
        for i, n in enumerate(members):
            ys[n] = (i - (len(members) - 1) / 2) * Y_STEP
    for n, d in sorted(G.nodes(data=True)):
        tooltip = (f"{d['label_zh']}\n{d['label_en']}\n阶段 Stage: {STAGE_LABELS[d['stage']]}\n"
                   f"环节组 Segment: {d['segment_label_zh']} / {d['segment_label_en']}\n"
                   f"输入 Inputs: {G.in_degree(n)}  下游 Feeds: {G.out_degree(n)}\n来源 Source: {d['source'] or '-'}")
        net.add_node(n, label=f"{d['label_zh']}\n{d['label_en']}", title=tooltip, x=column[n] * X_STEP, y=ys[n],
                     color=color[d["segment"]], shape="box", search=f"{d['label_zh']} {d['label_en']} {d['id']}",
                     group=d["stage"])
    for a, b, d in sorted(G.edges(data=True)):
        net.add_edge(a, b, title=f"{G.nodes[a]['label_en']} → {G.nodes[b]['label_en']}",
                     dashes=d["kind"] == "recycling", color="#2ca02c" if d["kind"] == "recycling" else "#999999")
    bands = []
    for stage in STAGES:
        cols = [column[n] for n, d in G.nodes(data=True) if d["stage"] == stage]
        if cols:
            height = max(len(m) for m in by_column.values()) * Y_STEP / 2 + Y_STEP
            bands.append({"label": STAGE_LABELS[stage], "color": BAND_COLORS[stage],
                          "x0": min(cols) * X_STEP - X_STEP / 2, "x1": max(cols) * X_STEP + X_STEP / 2,
                          "y0": -height, "y1": height})
    legend = [{"label": f"{G.nodes[s]['label_zh']} {G.nodes[s]['label_en']}", "color": color[s]} for s in segments]
    legend.append({"label": "虚线 = 回收 / dashed = recycling", "color": "#2ca02c"})
    n_edges = G.number_of_edges()
    return _render(net, heading=f"新能源汽车产业链 NEV industrial chain: {len(G)} 个环节 chain links",
                   subtitle=f"{n_edges} 条供给关系 supply relations · 上游 → 中游 → 下游", legend=legend,
                   bands=bands, title="nevkg · NEV industrial chain")
