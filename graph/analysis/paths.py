"""Upstream inputs and downstream dependents of a chain link, with the provinces that host them."""
from __future__ import annotations

from .chokepoints import supply_only

__all__ = ["upstream", "downstream", "hosts", "ancestors", "input_graph", "output_graph"]


def hosts(D, chain_link: str) -> list[str]:
    """IRIs of the province-level divisions where ``chain_link`` is present, sorted by code."""
    if chain_link not in D:
        return []
    found = [d for d in D.neighbors(chain_link) if D.nodes[d].get("level") == "province"]
    return sorted(found, key=lambda d: D.nodes[d]["code"])


def ancestors(S, n: str) -> list[str]:
    """The broader chain links of ``n`` in ``S``, nearest first."""
    out, parent = [], S.nodes[n]["parent"]
    while parent and parent not in out:
        out.append(parent)
        parent = S.nodes[parent]["parent"]
    return out


def input_graph(S):
    """The supply graph without recycling edges, where a chain link also takes the inputs of its narrower
    chain links: nickel ore, an input of NCM cathode, is an input of cathode materials too. Never the
    reverse: LFP cathode does not take what its broader cathode materials take (nickel), so the inputs a
    finer chain link is given are only those stated for it or for links below it. Lifted edges have
    ``kind="narrower"``; an input that is the broader link itself or one of its ancestors is not lifted."""
    H = supply_only(S)
    for u, v in list(H.edges()):
        for a in ancestors(S, v):
            if u != a and u not in ancestors(S, a) and not H.has_edge(u, a):
                H.add_edge(u, a, kind="narrower")
    return H


def output_graph(S):
    """The mirror of :func:`input_graph` for dependents: a chain link also feeds what its narrower chain
    links feed (battery materials feed cells because separators do), never what its broader ones feed."""
    H = supply_only(S)
    for u, v in list(H.edges()):
        for a in ancestors(S, u):
            if v != a and v not in ancestors(S, a) and not H.has_edge(a, v):
                H.add_edge(a, v, kind="narrower")
    return H


def _walk(S, D, chain_link: str, reverse: bool) -> list[dict]:
    import networkx as nx

    if chain_link not in S:
        raise KeyError(chain_link)
    H = input_graph(S).reverse(copy=False) if reverse else output_graph(S)
    depth = nx.single_source_shortest_path_length(H, chain_link)
    family = set(ancestors(S, chain_link)) | {chain_link}
    via = {}
    supply = supply_only(S)
    for a in ancestors(S, chain_link):  # stated for a broader link: may not apply to this one
        for n in (supply.predecessors(a) if reverse else supply.successors(a)):
            if n not in depth and n not in family and n not in via:
                via[n] = a
    rows = []
    for n, d in [*depth.items(), *((n, 1) for n in via)]:
        if n == chain_link:
            continue
        data = S.nodes[n]
        provinces = hosts(D, n)
        rows.append({"chain_link": n, "label_en": data["label_en"], "label_zh": data["label_zh"],
                     "stage": data["stage"], "depth": d, "via": S.nodes[via[n]]["label_en"] if n in via else "",
                     "provinces": len(provinces), "hosted_in": [D.nodes[p]["label_en"] for p in provinces]})
    rows.sort(key=lambda r: (r["via"] != "", r["depth"], r["label_en"], r["chain_link"]))
    return rows


def upstream(S, D, chain_link: str) -> list[dict]:
    """Every input of ``chain_link``, transitively, over supply edges (recycling edges excluded, so the
    loop does not make everything an input of everything); a chain link takes the inputs stated for it
    and for its narrower chain links (:func:`input_graph`). The direct inputs stated only for a broader
    chain link follow, marked with ``via`` (that link's English label): they apply to some of its narrower
    links and not to others (separators feed every kind of battery cell; nickel, an input of cathode
    materials, does not feed LFP cathode), so they are shown apart and not walked further.

    Returns dicts ``chain_link``, ``label_en``, ``label_zh``, ``stage``, ``depth`` (1 = direct input;
    shortest number of supply steps), ``via`` ("" for a stated input), ``provinces`` (count) and
    ``hosted_in`` (English names of the provinces where it is present), stated inputs first, each group
    sorted by depth then label. Raises ``KeyError`` for an unknown IRI.
    """
    return _walk(S, D, chain_link, reverse=True)


def downstream(S, D, chain_link: str) -> list[dict]:
    """Every chain link that depends on ``chain_link``, transitively (:func:`output_graph`), then those its
    broader chain links feed, marked with ``via``; fields as :func:`upstream`."""
    return _walk(S, D, chain_link, reverse=False)
