"""Chokepoints of the chain: chain links that much of the chain depends on and few regions host."""
from __future__ import annotations

from .paths import presence_by_province, supply_only

__all__ = ["hhi", "chokepoints"]

EXACT_LIMIT, SAMPLE = 2000, 500


def hhi(amounts) -> float | None:
    """Herfindahl–Hirschman index of ``amounts`` (non-negative numbers, one per region or firm).

    HHI = sum of squared percentage shares, from 10,000/n (even spread over n) to 10,000 (one holder);
    None when the total is zero. The index as used in competition economics (U.S. DOJ/FTC Horizontal
    Merger Guidelines, 2010, section 5.3; Herfindahl 1950, Hirschman 1945).

    >>> hhi([1, 1, 1, 1])
    2500.0
    >>> hhi([5])
    10000.0
    """
    amounts = [a for a in amounts if a > 0]
    total = sum(amounts)
    if not total:
        return None
    return sum((100.0 * a / total) ** 2 for a in amounts)


def _percentile_ranks(values: dict[str, float | None]) -> dict[str, float]:
    """Rank in [0, 1] (1 = largest) among the non-None values; ties share their mean rank."""
    known = sorted((v, k) for k, v in values.items() if v is not None)
    ranks, i = {}, 0
    while i < len(known):
        j = i
        while j + 1 < len(known) and known[j + 1][0] == known[i][0]:
            j += 1
        r = ((i + j) / 2) / (len(known) - 1) if len(known) > 1 else 1.0
        for k in range(i, j + 1):
            ranks[known[k][1]] = r
        i = j + 1
    return ranks


def chokepoints(S, D, observations: list[dict] | None = None) -> list[dict]:
    """Per chain link, the measures that make it a chokepoint, and a combined ranking.

    ``S`` is the supply graph, ``D`` the division graph, ``observations`` the rows of
    :func:`graph.projection.observation_table` (for capacity concentration). For each chain link:

    - ``betweenness``: normalised betweenness centrality in the supply graph without recycling edges
      (Brandes 2001, "A faster algorithm for betweenness centrality", J. Math. Sociol. 25(2)), the share
      of input-to-output paths that pass through it; exact up to 2,000 chain links, estimated from 500
      sampled sources (fixed seed) beyond;
    - ``downstream_reach``: the number of chain links that depend on it, transitively (descendants);
    - ``provinces``: the number of province-level divisions where it, or a narrower chain link, is present
      (:func:`graph.analysis.paths.presence_by_province`);
    - ``hhi_presence``: HHI (:func:`hhi`) of the evidence counts across those provinces (None if absent);
    - ``hhi_capacity``: HHI of facility capacities across provinces, over the latest year and the most
      common unit of the chain link's capacity figures (None where no figure exists);
    - ``score``: the mean of the percentile ranks of betweenness, downstream reach and presence HHI (the
      HHI rank counts only where known). 1.0 = most critical. Chain links present in at least one province
      are ranked first (by score, then reach, then label); those with no evidence anywhere follow: the
      graph cannot tell whether they are concentrated or simply not yet curated.

    Returns the list of dicts (``chain_link``, ``label_en``, ``label_zh``, ``stage`` and the measures
    above, plus ``rank``), sorted by rank.
    """
    import networkx as nx

    H = supply_only(S)
    # exact up to EXACT_LIMIT chain links; beyond, estimated from a fixed-seed sample of source nodes
    # (Brandes & Pich 2007, "Centrality estimation in large networks"), so grown graphs stay quick
    k = None if len(H) <= EXACT_LIMIT else SAMPLE
    betweenness = nx.betweenness_centrality(H, k=k, normalized=True, seed=42 if k else None)
    province_of = {d: data["province"] for d, data in D.nodes(data=True) if data.get("kind") == "division"}
    capacity: dict[str, dict] = {}
    for o in observations or []:
        if o["measure"] != "capacity" or not o["chain_link"] or o["area"] not in province_of:
            continue
        capacity.setdefault(o["chain_link"], []).append(o)
    presence = presence_by_province(D, S)
    rows = []
    for n, data in S.nodes(data=True):
        weights = list(presence.get(n, {}).values())
        cap_hhi = None
        if n in capacity:
            unit = max(sorted({o["unit"] for o in capacity[n]}), key=lambda u: sum(o["unit"] == u for o in capacity[n]))
            year = max(o["year"] for o in capacity[n] if o["unit"] == unit)
            per_province: dict[str, float] = {}
            for o in capacity[n]:
                if o["unit"] == unit and o["year"] == year:
                    p = province_of[o["area"]]
                    per_province[p] = per_province.get(p, 0.0) + o["value"]
            cap_hhi = hhi(per_province.values())
        rows.append({"chain_link": n, "label_en": data["label_en"], "label_zh": data["label_zh"],
                     "stage": data["stage"], "betweenness": betweenness[n],
                     "downstream_reach": len(nx.descendants(H, n)), "provinces": len(weights),
                     "hhi_presence": hhi(weights), "hhi_capacity": cap_hhi})
    ranks = [_percentile_ranks({r["chain_link"]: r[key] for r in rows})
             for key in ("betweenness", "downstream_reach", "hhi_presence")]
    for r in rows:
        parts = [rk[r["chain_link"]] for rk in ranks if r["chain_link"] in rk]
        r["score"] = sum(parts) / len(parts)
    rows.sort(key=lambda r: (r["provinces"] == 0, -r["score"], -r["downstream_reach"], r["label_en"], r["chain_link"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows
