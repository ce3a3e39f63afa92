"""Capacity against demand: where the chain builds more than it can sell."""
from __future__ import annotations

__all__ = ["CAPACITY_MEASURES", "DEMAND_MEASURES", "capacity_vs_demand"]

CAPACITY_MEASURES = ("capacity", "planned_capacity")
DEMAND_MEASURES = ("demand", "production", "installed_volume", "sales")  # in order of preference


def capacity_vs_demand(observations: list[dict], labels: dict[str, tuple[str, str]] | None = None,
                       threshold: float = 1.0) -> list[dict]:
    """Capacity figures set against demand figures of the same chain link, year, area and unit.

    ``observations`` are rows of :func:`graph.projection.observation_table`; ``labels`` maps chain-link IRI
    to (English, Chinese) labels. For every (chain link, year, area, unit) with a capacity figure
    (measure ``capacity`` or ``planned_capacity``) and a figure of the first available basis among
    ``demand``, ``production``, ``installed_volume``, ``sales``, each capacity figure is paired with each
    basis figure (one row per source pair, so disagreeing sources stay visible). ``ratio`` =
    capacity / basis; ``overcapacity`` is True when ratio > ``threshold`` (default 1: capacity above
    what the basis absorbs; a utilisation view, capacity ÷ output, as in IEA and CAAM reporting).
    Facility capacities are summed per area before the comparison; the graph holds only the facilities
    whose capacity a source states, so such a sum is a lower bound (``capacity_note`` says so, and
    ``capacity_source`` lists the facilities' sources, ``;``-separated): its ``overcapacity`` is True when
    even the lower bound exceeds the basis and None (unknown) otherwise. Rows are sorted by ratio (highest
    first). Example from the seed article: 4,800 GWh planned against 1,200 GWh of 2025 demand gives 4.0.
    """
    labels = labels or {}
    groups: dict[tuple, dict[str, list[dict]]] = {}
    for o in observations:
        if not o["chain_link"]:
            continue
        key = (o["chain_link"], o["year"], o["area"], o["unit"])
        groups.setdefault(key, {}).setdefault(o["measure"], []).append(o)
    rows = []
    for (chain_link, year, area, unit), by_measure in sorted(groups.items()):
        basis = next((m for m in DEMAND_MEASURES if m in by_measure), None)
        if basis is None:
            continue
        for measure in CAPACITY_MEASURES:
            figures = by_measure.get(measure, [])
            facility_total = [o for o in figures if o["facility"]]
            stated = [o for o in figures if not o["facility"]]
            candidates = [(o["value"], o["source"], "") for o in stated]
            if facility_total:
                n = len(facility_total)
                candidates.append((sum(o["value"] for o in facility_total),
                                   ";".join(sorted({o["source"] for o in facility_total if o["source"]})),
                                   f"sum of {n} facilit{'y' if n == 1 else 'ies'} with a stated capacity (a lower bound)"))
            for value, source, note in candidates:
                lower_bound = bool(note)
                for b in by_measure[basis]:
                    if not b["value"]:
                        continue
                    ratio = value / b["value"]
                    en, zh = labels.get(chain_link, ("", ""))
                    rows.append({"chain_link": chain_link, "label_en": en, "label_zh": zh, "year": year,
                                 "area": area, "area_code": area.rsplit("/", 1)[-1], "unit": unit, "capacity_measure": measure,
                                 "capacity": value,
                                 "basis": basis, "basis_value": b["value"], "ratio": ratio,
                                 "overcapacity": ratio > threshold or (None if lower_bound else False),
                                 "capacity_note": note, "capacity_source": source,
                                 "basis_source": b["source"]})
    rows.sort(key=lambda r: (-r["ratio"], r["chain_link"], r["year"]))
    return rows
