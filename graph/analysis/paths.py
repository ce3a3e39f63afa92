"""Upstream inputs and downstream dependents of a chain link, with the provinces that host them."""
from __future__ import annotations

__all__ = ["upstream", "downstream", "presence_by_province", "host_provinces", "ancestors", "supply_only", "input_graph",
           "output_graph"]


def supply_only(S):
    """The supply graph without its recycling edges (a DAG by construction of the data)."""
    H = S.copy()
    H.remove_edges_from([(a, b) for a, b, k in S.edges(data="kind") if k == "recycling"])
    return H


def presence_by_province(D, S) -> dict[str, dict[str, int]]:
    """Chain-link IRI -> {province IRI: evidence count} for every chain link present somewhere.

    Presence rolls up the chain-link hierarchy as everywhere else: evidence for LFP cathode in a province
    counts for cathode materials and battery materials there too. Evidence in a city is already counted
    for its province by :func:`graph.projection.division_graph`.
    """
    out: dict[str, dict[str, int]] = {}
    for d, data in D.nodes(data=True):
        if data.get("kind") != "division" or data["level"] != "province":
            continue
        for n in D.neighbors(d):
            for a in [n, *ancestors(S, n)]:
                out.setdefault(a, {})
                out[a][d] = out[a].get(d, 0) + D.edges[d, n]["weight"]
    return out


def host_provinces(D, S) -> dict[str, list[str]]:
    """Chain-link IRI -> IRIs of the provinces where it (or a narrower chain link) is present, by code."""
    return {n: sorted(by, key=lambda d: D.nodes[d]["code"]) for n, by in presence_by_province(D, S).items()}


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
    """The supply graph without recycling edges, where a chain link also feeds what its broader chain links
    feed: LFP cells are battery cells, so they feed battery modules; busbars, part of battery modules, end
    up in packs. Never what its narrower links feed: busbars feed motor controllers, battery modules do not.
    Inherited edges have ``kind="broader"``; edges into the chain link's own ancestors are not inherited."""
    B = supply_only(S)
    H = B.copy()
    for n in S:
        family = set(ancestors(S, n)) | {n}
        for a in ancestors(S, n):
            for q in B.successors(a):
                if q not in family and not H.has_edge(n, q):
                    H.add_edge(n, q, kind="broader")
    return H


def _walk(S, D, chain_link: str, reverse: bool) -> list[dict]:
    import networkx as nx

    if chain_link not in S:
        raise KeyError(chain_link)
    H = input_graph(S).reverse(copy=False) if reverse else output_graph(S)
    depth = nx.single_source_shortest_path_length(H, chain_link)
    via = {}
    if reverse:  # inputs stated for a broader link may not apply to this one: listed apart, not walked
        family, supply = set(ancestors(S, chain_link)) | {chain_link}, supply_only(S)
        for a in ancestors(S, chain_link):
            for n in supply.predecessors(a):
                if n not in depth and n not in family and n not in via:
                    via[n] = a
    hosts = host_provinces(D, S)
    rows = []
    for n, d in [*depth.items(), *((n, 1) for n in via)]:
        if n == chain_link:
            continue
        data = S.nodes[n]
        provinces = hosts.get(n, [])
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
    ``hosted_in`` (English names of the provinces where it, or a narrower link, is present:
    :func:`host_provinces`), stated inputs first, each group sorted by depth then label. Raises
    ``KeyError`` for an unknown IRI.
    """
    return _walk(S, D, chain_link, reverse=True)


def downstream(S, D, chain_link: str) -> list[dict]:
    """Every chain link that depends on ``chain_link``, transitively, a chain link feeding what its broader
    links feed (:func:`output_graph`); fields as :func:`upstream` (``via`` always "")."""
    return _walk(S, D, chain_link, reverse=False)
