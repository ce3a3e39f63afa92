"""Upstream dependencies of a region: the inputs it needs and lacks, and who supplies them."""
from __future__ import annotations

from .completeness import present_chain_links
from .paths import host_provinces, input_graph

__all__ = ["dependencies", "dependency_matrix"]


def _lacking(H, D, S, division: str) -> dict[str, list[str]]:
    present = present_chain_links(D, S, division)
    needed: dict[str, list[str]] = {}
    for n in sorted(D.neighbors(division)):  # the chain links evidence names, not the broader ones they imply
        for m in H.predecessors(n):
            if m not in present:
                needed.setdefault(m, []).append(n)
    return needed


def dependencies(D, S, division: str) -> list[dict]:
    """The direct inputs of the chain links present in ``division`` that the division lacks itself.

    The inputs counted are those of the chain links its evidence names (and of their narrower links,
    :func:`graph.analysis.paths.input_graph`), not those of the broader links presence rolls up to: a
    region making LFP cathode needs iron phosphate, not the nickel that cathode materials in general take.

    One dict per lacking input: ``chain_link``, ``label_en``, ``label_zh``, ``stage``, ``needed_by`` (count
    of present chain links it feeds), ``needed_for`` (their English labels), ``suppliers`` (English names of
    the provinces where it is present, other than the division's own province). Supply edges only
    (recycling excluded). Sorted by ``needed_by`` (descending), then label. Raises ``KeyError`` for an
    unknown division.
    """
    if division not in D:
        raise KeyError(division)
    H = input_graph(S)
    own_province = D.nodes[division]["province"]
    hosts = host_provinces(D, S)
    rows = []
    for m, users in _lacking(H, D, S, division).items():
        data = S.nodes[m]
        rows.append({"chain_link": m, "label_en": data["label_en"], "label_zh": data["label_zh"],
                     "stage": data["stage"], "needed_by": len(users),
                     "needed_for": sorted(S.nodes[u]["label_en"] for u in users),
                     "suppliers": [D.nodes[p]["label_en"] for p in hosts.get(m, []) if p != own_province]})
    rows.sort(key=lambda r: (-r["needed_by"], r["label_en"], r["chain_link"]))
    return rows


def dependency_matrix(D, S) -> list[dict]:
    """The province × province dependency table: row province A, column province B, cell = the number of
    chain links A lacks as direct inputs to its present chain links and B hosts. Returns one dict per
    province A (sorted by code): ``code``, ``label_en`` and one key per province B's English name."""
    H = input_graph(S)
    provinces = sorted((d for d, x in D.nodes(data=True) if x.get("kind") == "division" and x["level"] == "province"),
                       key=lambda d: D.nodes[d]["code"])
    hosted = {p: present_chain_links(D, S, p) for p in provinces}
    rows = []
    for a in provinces:
        lacking = set(_lacking(H, D, S, a))
        row = {"code": D.nodes[a]["code"], "label_en": D.nodes[a]["label_en"]}
        for b in provinces:
            row[D.nodes[b]["label_en"]] = 0 if a == b else len(lacking & hosted[b])
        rows.append(row)
    return rows
