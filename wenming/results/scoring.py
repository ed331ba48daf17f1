"""The composite score, as pure functions of the raw inputs (no database): exact fractions
throughout, rounded half-up only where shown and, for the total, once at the end.

Default rules (preset `scoring`, DESIGN.md): vote points = 100 × valid votes ÷ the most valid
votes in the award; expert points = mean of the experts' totals after dropping the highest and
the lowest when there are at least `expert_drop_extremes_from`; survey points from the survey's
formula; total = Σ weight × points; ties broken only by the declared order (expert, survey),
otherwise shared."""

import json
from decimal import Decimal
from fractions import Fraction


def round_half_up(value, places=2):
    """Decimal text of a non-negative Fraction rounded half-up: 78.005 → 78.01."""
    scale = 10**places
    scaled = value * scale
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return str(Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def vote_points(votes, most):
    return Fraction(100 * votes, most) if most else Fraction(0)


def expert_points(totals, drop_from):
    """(points, dropped) from the experts' totals (Decimals or text)."""
    values = sorted(Fraction(Decimal(str(t))) for t in totals)
    dropped = []
    if len(values) >= drop_from:
        dropped = [values[0], values[-1]]
        values = values[1:-1]
    if not values:
        return Fraction(0), dropped
    return sum(values, Fraction(0)) / len(values), dropped


def sheet(candidate, weights, points, raw, places):
    """One candidate's sheet: parts in weight order, exact total kept for ranking."""
    parts, total = [], Fraction(0)
    for source in ("survey", "vote", "expert"):
        if source not in weights:
            continue
        weight = Fraction(weights[source], 100)
        total += weight * points[source]
        parts.append({"source": source, "raw": raw[source], "points": round_half_up(points[source], places),
                      "weight": str(Decimal(weights[source]) / 100)})
    return {"candidate_id": candidate["id"], "name": candidate["name"], "parts": parts,
            "total": round_half_up(total, places), "_exact": total, "_points": points}


def rank(sheets, tie_break):
    """Competition ranking by the rounded total; equal totals are separated only by the
    declared sources' exact points, in order; still equal → a shared rank."""
    def key(s):
        return (Decimal(s["total"]), *(s["_points"].get(src, Fraction(0)) for src in tie_break))

    ordered = sorted(sheets, key=lambda s: (key(s), -s["candidate_id"]), reverse=True)
    previous, position = None, 0
    for index, s in enumerate(ordered, start=1):
        if key(s) != previous:
            position, previous = index, key(s)
        s["rank"] = position
    for s in ordered:
        s["tied"] = sum(1 for other in ordered if other["rank"] == s["rank"]) > 1
    return ordered


def public(s):
    """The sheet as published (no private fields)."""
    return {k: v for k, v in s.items() if not k.startswith("_")}


def canonical(value):
    """Byte-identical JSON for identical inputs."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
