"""The seed's arithmetic, exactly (issue: 79.00 and 78.00), rounding half-up at the end only,
and ties shown as ties unless the declared rule breaks them."""

from fractions import Fraction

from wenming.results import scoring

COMMUNITY = {"survey": 30, "vote": 30, "expert": 40}
PERSON = {"vote": 40, "expert": 60}


def make(cid, weights, **points):
    raw = {k: {} for k in weights}
    return scoring.sheet({"id": cid, "name": f"候选{cid}"}, weights, {k: Fraction(v) for k, v in points.items()}, raw, 2)


def test_a_community_with_survey_80_vote_90_expert_70_totals_79():
    assert make(1, COMMUNITY, survey=80, vote=90, expert=70)["total"] == "79.00"


def test_a_person_with_vote_90_expert_70_totals_78():
    s = make(1, PERSON, vote=90, expert=70)
    assert s["total"] == "78.00" and [p["weight"] for p in s["parts"]] == ["0.4", "0.6"]


def test_rounding_is_half_up_and_only_at_the_end():
    assert scoring.round_half_up(Fraction(78005, 1000)) == "78.01"
    assert scoring.round_half_up(Fraction(78004999, 1000000)) == "78.00"
    # parts shown rounded, but the total uses the exact points: 0.4 × 100/3 + 0.6 × 200/3 = 53.33…
    s = make(1, PERSON, vote=Fraction(100, 3), expert=Fraction(200, 3))
    assert [p["points"] for p in s["parts"]] == ["33.33", "66.67"] and s["total"] == "53.33"


def test_vote_points_and_expert_points_follow_the_rules():
    assert scoring.vote_points(450, 500) == 90 and scoring.vote_points(0, 0) == 0
    points, dropped = scoring.expert_points(["70.0", "90.0", "50.0", "72.0", "68.0"], 5)
    assert points == 70 and dropped == [50, 90]
    assert scoring.expert_points(["70", "80", "90", "60"], 5) == (75, [])


def test_a_tie_is_a_tie_unless_the_declared_rule_breaks_it():
    a = make(1, COMMUNITY, survey=80, vote=90, expert=70)  # 79.00
    b = make(2, COMMUNITY, survey=100, vote=80, expert=70)  # 30 + 24 + 28 = 82
    c = make(3, COMMUNITY, survey=90, vote=80, expert=70)  # 27 + 24 + 28 = 79.00
    ranked = scoring.rank([a, b, c], tie_break=[])
    assert [(s["candidate_id"], s["rank"], s["tied"]) for s in ranked] == [(2, 1, False), (1, 2, True), (3, 2, True)]
    d = make(4, COMMUNITY, survey=70, vote=90, expert=Fraction(295, 4))  # 21 + 27 + 29.5 = 77.5
    e = make(5, COMMUNITY, survey=Fraction(250, 3), vote=90, expert=Fraction(275, 4))  # 25 + 27 + 27.5 = 79.5
    ranked = scoring.rank([make(6, COMMUNITY, survey=80, vote=90, expert=70),
                           make(7, COMMUNITY, survey=60, vote=90, expert=85)], tie_break=["expert", "survey"])
    assert [(s["candidate_id"], s["rank"]) for s in ranked] == [(7, 1), (6, 2)]  # 79.00 each; expert 85 > 70
    assert d["total"] == "77.50" and e["total"] == "79.50"
