"""Static figures (PNG, SVG) of a subgraph for documents, drawn with matplotlib.

Chinese names need a CJK font: :func:`cjk_font` looks for Noto Sans CJK (Debian's
``fonts-noto-cjk``) through ``matplotlib.font_manager``. Without one the figure falls back
to English names (never to boxes). Outputs are deterministic: no dates in the metadata,
fixed SVG ids.
"""
from __future__ import annotations

import io
from pathlib import Path

from .formats import display_width

__all__ = ["CJK_FAMILIES", "cjk_font", "figure_bytes"]

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Noto Sans CJK JP")
CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.otf")
EXCLUDED_KINDS = ("source",)


def cjk_font() -> str | None:
    """The family name of an installed font that covers simplified Chinese (the first of
    :data:`CJK_FAMILIES` that ``matplotlib.font_manager`` knows), or None."""
    from matplotlib import font_manager

    for attempt in range(2):
        known = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in known:
                return family
        if attempt == 0:  # a font installed after matplotlib cached its font list
            for path in CJK_FILES:
                if Path(path).exists():
                    font_manager.fontManager.addfont(path)
    return None


def _label(d: dict, chinese: bool) -> str:
    if d["kind"] in ("observation", "source"):
        text = d.get("label", "")
        return text if chinese else text.split(" · ")[0]
    if chinese and d.get("label_zh"):
        return d["label_zh"]
    return d.get("label_en") or d.get("label", "")


def _clip(text: str, limit: int = 40) -> str:
    if display_width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def figure_bytes(H, fmt: str, title: str = "") -> bytes:
    """A figure of the property subgraph ``H`` (:func:`graph.export.subgraph`) as ``fmt`` (``png`` or ``svg``).

    Nodes stand in :func:`graph.viz.layered_positions`' columns (figures, divisions, companies,
    facilities, then the chain links by stage), coloured by kind, labelled with their Chinese names
    (English without a CJK font); relations are grey lines, supply relations arrows. Sources are left
    out (they are in the other formats). The figure grows with the largest column, up to 60 inches;
    PNG at 150 dpi. Raises :class:`graph.errors.NevkgError` for another format.
    """
    from .errors import NevkgError

    if fmt not in ("png", "svg"):
        raise NevkgError(f"a figure is png or svg, not {fmt!r}")
    import matplotlib
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from .viz import KIND_COLORS, KIND_LABELS, layered_positions

    family = cjk_font()
    chinese = family is not None
    layout = layered_positions(H)
    layout = {n: p for n, p in layout.items() if H.nodes[n]["kind"] not in EXCLUDED_KINDS}
    labels = {n: _clip(_label(H.nodes[n], chinese)) for n in layout}
    n_cols = max((int(x) for x, _ in layout.values()), default=0) + 1
    tallest = max((sum(1 for x, _ in layout.values() if x == c) for c in range(n_cols)), default=1)
    row = 0.2  # inches between two nodes of a column
    if tallest * row > 56:
        row = 56 / tallest
    font_size = max(3.0, min(7.0, row * 72 * 0.7))
    # columns as wide as their longest label: data units are inches
    widths = [max([display_width(labels[n]) for n, (x, _) in layout.items() if x == c] or [0]) * font_size / 72 * 0.62
              + 0.45 for c in range(n_cols)]
    lefts = [sum(widths[:c]) for c in range(n_cols)]
    pos = {n: (lefts[int(x)], -y * row) for n, (x, y) in layout.items()}
    width = min(80.0, max(6.0, sum(widths) + 0.4))
    ys = [y for _, y in pos.values()] or [0.0]
    top, bottom = max(ys) + 0.3, min(ys) - 0.3
    height = max(2.0, top - bottom)
    rc = {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "svg.hashsalt": "nevkg",
          "svg.fonttype": "path", "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        header = 0.55  # inches above the drawing for the title and the legend
        fig = Figure(figsize=(width, height + header))
        ax = fig.add_axes((0, 0, 1, height / (height + header)))
        try:
            ax.set_axis_off()
            segments, arrows = [], []
            for u, v, d in sorted(H.edges(data=True), key=lambda e: (e[0], e[1], e[2]["relation"])):
                if u in pos and v in pos:
                    (arrows if d["relation"] == "input_to" else segments).append([pos[u], pos[v]])
            ax.add_collection(LineCollection(segments, colors="#bbbbbb", linewidths=0.4, zorder=1))
            for (x0, y0), (x1, y1) in arrows:
                ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=1,
                            arrowprops={"arrowstyle": "-|>", "color": "#7a7a7a", "lw": 0.5,
                                        "shrinkA": 3, "shrinkB": 3, "mutation_scale": 5})
            kinds = sorted({H.nodes[n]["kind"] for n in pos}, key=lambda k: list(KIND_COLORS).index(k))
            for kind in kinds:
                members = sorted(n for n in pos if H.nodes[n]["kind"] == kind)
                ax.scatter([pos[n][0] for n in members], [pos[n][1] for n in members], s=18,
                           c=KIND_COLORS[kind], edgecolors="white", linewidths=0.3, zorder=2)
            for n in sorted(pos):
                x, y = pos[n]
                ax.text(x + 0.07, y, labels[n], fontsize=font_size, va="center", ha="left",
                        zorder=3, clip_on=False)
            ax.set_xlim(-0.2, width - 0.2)
            ax.set_ylim(top - height, top)
            names = {k: (KIND_LABELS[k] if chinese else KIND_LABELS[k].split(" ", 1)[1]) for k in kinds}
            handles = [Line2D([], [], marker="o", linestyle="", color=KIND_COLORS[k], label=names[k]) for k in kinds]
            if handles:
                fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1 - 0.26 / (height + header)),
                           fontsize=7, frameon=False, ncol=len(handles), borderaxespad=0.1, handletextpad=0.2)
            heading = title or H.graph.get("title", "")
            if not chinese:
                heading = "".join(ch for ch in heading if ord(ch) < 0x2E80).strip()
            fig.text(0.08 / width, 1 - 0.08 / (height + header), f"nevkg: {heading}" if heading else "nevkg",
                     fontsize=9, ha="left", va="top")
            buf = io.BytesIO()
            if fmt == "png":
                fig.savefig(buf, format="png", dpi=150, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
            else:
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            fig.clear()
    return buf.getvalue()
