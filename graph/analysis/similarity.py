"""Regions that look alike: similarity of chain-link profiles."""
from __future__ import annotations

import math

from .completeness import present_chain_links

__all__ = ["jaccard", "cosine", "similar"]


def jaccard(a: set, b: set) -> float:
    """Jaccard index |a ∩ b| / |a ∪ b| (Jaccard 1901); 0.0 for two empty sets.

    >>> jaccard({1, 2, 3}, {2, 3, 4})
    0.5
    """
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def cosine(u: dict, v: dict) -> float:
    """Cosine similarity of two sparse non-negative vectors (dicts key -> weight); 0.0 if one is zero.

    >>> round(cosine({"a": 1, "b": 1}, {"a": 1}), 4)
    0.7071
    """
    dot = sum(w * v.get(k, 0.0) for k, w in u.items())
    nu, nv = math.sqrt(sum(w * w for w in u.values())), math.sqrt(sum(w * w for w in v.values()))
    return dot / (nu * nv) if nu and nv else 0.0


def similar(D, S, division: str, top: int = 10) -> list[dict]:
    """Divisions of the same level as ``division`` ranked by the similarity of their chain-link profiles.

    A profile is the set of chain links present (:func:`present_chain_links`, hierarchy rolled up) for
    ``jaccard``, and the evidence-count vector over directly evidenced chain links for ``cosine``.
    Sorted by Jaccard, then cosine, then code; divisions with an empty profile are left out. Returns at
    most ``top`` dicts: ``division``, ``code``, ``label_en``, ``label_zh``, ``jaccard``, ``cosine``,
    ``shared`` (number of chain links present in both). Raises ``KeyError`` for an unknown division.
    """
    if division not in D:
        raise KeyError(division)
    level = D.nodes[division]["level"]

    def vector(d):
        return {c: D.edges[d, c]["weight"] for c in D.neighbors(d)}

    mine, my_vector = present_chain_links(D, S, division), vector(division)
    rows = []
    for d, data in D.nodes(data=True):
        if d == division or data.get("kind") != "division" or data["level"] != level:
            continue
        theirs = present_chain_links(D, S, d)
        if not theirs:
            continue
        rows.append({"division": d, "code": data["code"], "label_en": data["label_en"], "label_zh": data["label_zh"],
                     "jaccard": jaccard(mine, theirs), "cosine": cosine(my_vector, vector(d)),
                     "shared": len(mine & theirs)})
    rows.sort(key=lambda r: (-r["jaccard"], -r["cosine"], r["code"]))
    return rows[:top]
