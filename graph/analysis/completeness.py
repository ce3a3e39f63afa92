"""Chain completeness of a region: which chain links it has and which it lacks."""
from __future__ import annotations

from .paths import ancestors, input_graph

__all__ = ["present_chain_links", "completeness", "completeness_ranking"]

STAGES = ("upstream", "midstream", "downstream")


def present_chain_links(D, S, division: str) -> set[str]:
    """IRIs of the chain links present in ``division``.

    ``D`` is :func:`graph.projection.division_graph`, ``S`` the supply graph. A chain link is present
    when the division (or a division within it) has evidence for it, or for a narrower chain link
    (presence rolls up the SKOS hierarchy: a region with LFP cathode has cathode materials).
    """
    return {a for c in D.neighbors(division) for a in (c, *ancestors(S, c))}


def completeness(D, S, division: str, inputs=None) -> dict:
    """The chain completeness of one division.

    Returns ``{"division", "present", "total", "share", "by_stage": {stage: {"present", "total",
    "share"}}, "present_links": [{"chain_link", "label_en", "label_zh", "stage"}...], "missing":
    [{"chain_link", "label_en", "label_zh", "stage", "feeds_present"}...]}``:
    ``share`` is present/total (0..1) over all chain links of ``S``; ``missing`` lists the absent chain
    links ranked by ``feeds_present``, the number of chain links named by the region's evidence they are a
    direct input to (over :func:`graph.analysis.paths.input_graph`, which ``inputs`` may pass in already
    built; the "fill the chain" list: what the region buys in), ties broken by label. Raises ``KeyError``
    for a division not in ``D``.
    """
    if division not in D:
        raise KeyError(division)
    H = inputs if inputs is not None else input_graph(S)
    present = present_chain_links(D, S, division)
    named = set(D.neighbors(division))
    by_stage = {}
    for stage in STAGES:
        members = [n for n, s in S.nodes(data="stage") if s == stage]
        have = sum(1 for n in members if n in present)
        by_stage[stage] = {"present": have, "total": len(members), "share": have / len(members) if members else 0.0}
    missing = []
    for n, data in S.nodes(data=True):
        if n in present:
            continue
        feeds = sum(1 for m in H.successors(n) if m in named)
        missing.append({"chain_link": n, "label_en": data["label_en"], "label_zh": data["label_zh"],
                        "stage": data["stage"], "feeds_present": feeds})
    missing.sort(key=lambda r: (-r["feeds_present"], r["label_en"], r["chain_link"]))
    present_links = sorted(({"chain_link": n, "label_en": S.nodes[n]["label_en"], "label_zh": S.nodes[n]["label_zh"],
                             "stage": S.nodes[n]["stage"]} for n in present),
                           key=lambda r: (STAGES.index(r["stage"]), r["label_en"], r["chain_link"]))
    total = S.number_of_nodes()
    return {"division": division, "present": len(present), "total": total,
            "share": len(present) / total if total else 0.0, "by_stage": by_stage, "present_links": present_links,
            "missing": missing}


def completeness_ranking(D, S, level: str = "province") -> list[dict]:
    """Every division of ``level`` ranked by completeness share (descending, ties by code):
    ``[{"division", "code", "label_en", "label_zh", "present", "share", "upstream", "midstream",
    "downstream"}...]`` where the stage fields are shares (0..1)."""
    H, rows = input_graph(S), []
    for d, data in D.nodes(data=True):
        if data.get("kind") != "division" or data["level"] != level:
            continue
        c = completeness(D, S, d, H)
        rows.append({"division": d, "code": data["code"], "label_en": data["label_en"],
                     "label_zh": data["label_zh"], "present": c["present"], "share": c["share"],
                     **{stage: c["by_stage"][stage]["share"] for stage in STAGES}})
    rows.sort(key=lambda r: (-r["share"], r["code"]))
    return rows
