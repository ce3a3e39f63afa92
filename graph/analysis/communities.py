"""Communities of regions that share chain links, and the centrality of regions in the presence network."""
from __future__ import annotations

__all__ = ["clusters", "centrality"]


def _province_graph(D):
    nodes = [n for n, d in D.nodes(data=True) if d.get("kind") != "division" or d["level"] == "province"]
    return D.subgraph(nodes)


def clusters(D, seed: int = 42, resolution: float = 1.0) -> list[dict]:
    """Communities of provinces in the province–chain-link network.

    The bipartite presence graph is projected onto provinces (edge weight = number of chain links both
    host; networkx ``weighted_projected_graph``, Newman 2001) and split with the Louvain method (Blondel et
    al. 2008, J. Stat. Mech. P10008) with a fixed ``seed``, so the result is the same on every run. Each
    community gives ``members`` (English names, by code), ``codes``, and ``characteristic`` chain links: the
    five with the highest lift (share of members hosting it / share of all provinces hosting it), hosted
    by at least half the members, ties broken by label. Communities are sorted by size, then first code.
    """
    import networkx as nx
    from networkx.algorithms import bipartite

    P = _province_graph(D)
    provinces = sorted((n for n, d in P.nodes(data=True) if d.get("kind") == "division"),
                       key=lambda n: P.nodes[n]["code"])
    W = bipartite.weighted_projected_graph(P, provinces)
    W.remove_nodes_from([n for n in list(W) if P.degree(n) == 0])
    communities = nx.community.louvain_communities(W, weight="weight", seed=seed, resolution=resolution)
    hosted = {p: set(P.neighbors(p)) for p in provinces}
    with_any = [p for p in provinces if hosted[p]]
    out = []
    for members in communities:
        members = sorted(members, key=lambda n: P.nodes[n]["code"])
        counts: dict[str, int] = {}
        for p in members:
            for c in hosted[p]:
                counts[c] = counts.get(c, 0) + 1
        scored = []
        for c, k in counts.items():
            if k * 2 < len(members):
                continue
            overall = sum(1 for p in with_any if c in hosted[p]) / len(with_any)
            scored.append((-(k / len(members)) / overall, P.nodes[c]["label_en"], c))
        scored.sort()
        out.append({"size": len(members), "codes": [P.nodes[p]["code"] for p in members],
                    "members": [P.nodes[p]["label_en"] for p in members],
                    "characteristic": [f"{P.nodes[c]['label_en']} {P.nodes[c]['label_zh']}" for _, _, c in scored[:5]]})
    out.sort(key=lambda r: (-r["size"], r["codes"][0]))
    return out


def centrality(D) -> list[dict]:
    """Provinces ranked by PageRank in the province–chain-link presence network (edge weight = evidence
    count; Brin & Page 1998, damping 0.85), with ``degree`` = number of chain links with direct or
    within-province evidence. Returns dicts ``division``, ``code``, ``label_en``, ``label_zh``, ``degree``,
    ``pagerank``, ``rank``; sorted by PageRank, then degree, then code."""
    import networkx as nx

    P = _province_graph(D)
    pr = nx.pagerank(P, weight="weight") if P.number_of_edges() else {n: 0.0 for n in P}
    rows = [{"division": n, "code": d["code"], "label_en": d["label_en"], "label_zh": d["label_zh"],
             "degree": P.degree(n), "pagerank": pr[n]}
            for n, d in P.nodes(data=True) if d.get("kind") == "division"]
    rows.sort(key=lambda r: (-r["pagerank"], -r["degree"], r["code"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows
