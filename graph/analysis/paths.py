"""Upstream inputs and downstream dependents of a chain link, with the provinces that host them."""
from __future__ import annotations

from .chokepoints import supply_only

__all__ = ["upstream", "downstream", "hosts", "inherited_supply"]


def hosts(D, chain_link: str) -> list[str]:
    """IRIs of the province-level divisions where ``chain_link`` is present, sorted by code."""
    if chain_link not in D:
        return []
    found = [d for d in D.neighbors(chain_link) if D.nodes[d].get("level") == "province"]
    return sorted(found, key=lambda d: D.nodes[d]["code"])


def _ancestors(S, n: str) -> list[str]:
    out, parent = [], S.nodes[n]["parent"]
    while parent and parent not in out:
        out.append(parent)
        parent = S.nodes[parent]["parent"]
    return out


def inherited_supply(S):
    """The supply graph without recycling edges, where a chain link also takes the inputs and feeds the
    dependents of its broader chain links: LFP cells are battery cells, so separators, an input of battery
    cells, are an input of LFP cells too. Edges to or from the chain link's own ancestors are left out."""
    H = supply_only(S)
    for n in S:
        ancestors = _ancestors(S, n)
        family = set(ancestors) | {n}
        for a in ancestors:
            for p in list(H.predecessors(a)):
                if p not in family and not H.has_edge(p, n):
                    H.add_edge(p, n, kind="inherited")
            for q in list(H.successors(a)):
                if q not in family and not H.has_edge(n, q):
                    H.add_edge(n, q, kind="inherited")
    return H


def _walk(S, D, chain_link: str, reverse: bool) -> list[dict]:
    import networkx as nx

    if chain_link not in S:
        raise KeyError(chain_link)
    H = inherited_supply(S)
    if reverse:
        H = H.reverse(copy=False)
    depth = nx.single_source_shortest_path_length(H, chain_link)
    rows = []
    for n, d in depth.items():
        if n == chain_link:
            continue
        data = S.nodes[n]
        provinces = hosts(D, n)
        rows.append({"chain_link": n, "label_en": data["label_en"], "label_zh": data["label_zh"],
                     "stage": data["stage"], "depth": d, "provinces": len(provinces),
                     "hosted_in": [D.nodes[p]["label_en"] for p in provinces]})
    rows.sort(key=lambda r: (r["depth"], r["label_en"], r["chain_link"]))
    return rows


def upstream(S, D, chain_link: str) -> list[dict]:
    """Every input of ``chain_link``, transitively, over supply edges (recycling edges excluded, so the
    loop does not make everything an input of everything), a chain link inheriting the inputs of its
    broader chain links (:func:`inherited_supply`).

    Returns dicts ``chain_link``, ``label_en``, ``label_zh``, ``stage``, ``depth`` (1 = direct input;
    shortest number of supply steps), ``provinces`` (count) and ``hosted_in`` (English names of the
    provinces where it is present), sorted by depth then label. Raises ``KeyError`` for an unknown IRI.
    """
    return _walk(S, D, chain_link, reverse=True)


def downstream(S, D, chain_link: str) -> list[dict]:
    """Every chain link that depends on ``chain_link``, transitively; fields as :func:`upstream`."""
    return _walk(S, D, chain_link, reverse=False)
