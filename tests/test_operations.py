"""operations.py: every derived operation's value, its plain-words explanation, and refused inputs."""
from __future__ import annotations

import pytest

from test_facts import fact, resolve, value_of

MONTHS = fact("m", {"2023-01": 100, "2023-02": 110, "2023-03": 99, "2024-01": 120, "2024-02": 121}, unit="jobs")
YEARS = fact("y", {2020: 50, 2021: 60, 2022: 90}, unit="vehicles")


def derived(*facts, target="x"):
    book, problems = resolve(*facts)
    assert problems == []
    return book[target]


def test_at_reads_one_point_of_a_series_with_a_plain_label():
    x = derived(MONTHS, fact("x", derive={"op": "at", "of": "m", "at": "2023-02"}))
    assert (x.value, x.unit, x.how) == (110, "jobs", "M, February 2023")


def test_percent_change_between_two_facts_says_so_not_compound_growth():
    x = derived(fact("a", 80), fact("b", 100), fact("x", derive={"op": "percent_change", "from": "a", "to": "b"}))
    assert x.value == 25.0 and x.unit == "percent"
    assert x.how == "Change from A to B, as a percentage of A"


def test_percent_change_within_a_series_between_periods():
    x = derived(YEARS, fact("x", derive={"op": "percent_change", "of": "y", "from": 2020, "to": 2022}))
    assert x.value == 80.0 and x.how == "Change from Y, 2020 to Y, 2022, as a percentage of Y, 2020"


def test_point_change_is_in_percentage_points():
    x = derived(fact("a", 3.5, unit="percent"), fact("b", 38.8, unit="percent"),
                fact("x", derive={"op": "point_change", "from": "a", "to": "b"}))
    assert x.value == pytest.approx(35.3) and x.unit == "percentage points"


def test_share_abs_and_negate():
    assert value_of(fact("a", 25), fact("t", 200), fact("x", derive={"op": "share", "of": "a", "total": "t"})) == 12.5
    assert value_of(fact("a", -4), fact("x", derive={"op": "abs", "of": "a"})) == 4
    assert value_of(fact("a", 4), fact("x", derive={"op": "negate", "of": "a"})) == -4


def test_series_operations():
    assert derived(YEARS, fact("x", derive={"op": "change_series", "of": "y"})).value == {2021: 10, 2022: 30}
    yoy = derived(MONTHS, fact("x", derive={"op": "percent_change_series", "of": "m", "lag": 12}))
    assert yoy.value == {"2024-01": 20.0, "2024-02": 10.0} and yoy.unit == "percent"
    assert derived(YEARS, fact("x", derive={"op": "index", "of": "y", "at": 2020})).value == {2020: 100, 2021: 120, 2022: 180}
    assert derived(YEARS, fact("x", derive={"op": "rolling_mean", "of": "y", "window": 2})).value == {2021: 55, 2022: 75}
    share = derived(YEARS, fact("t", {2020: 100, 2021: 120}, unit="vehicles"),
                    fact("x", derive={"op": "share_series", "of": "y", "total": "t"}))
    assert share.value == {2020: 50.0, 2021: 50.0}


def test_vehicles_minus_dollars_is_an_error_unless_converted():
    _, problems = resolve(fact("a", 5, unit="vehicles"), fact("b", 3, unit="usd"),
                          fact("x", derive={"op": "difference", "of": ["a", "b"]}, line=9))
    assert problems == ["content/facts/f.yaml:9: fact 'x': difference: facts in different units: 'a' is in vehicles, "
                        "'b' is in usd; convert one first (op: convert) so that both are in the same unit"]


UNITS = (fact("veh", 100, unit="vehicles"), fact("veh2", 120, unit="Vehicles"), fact("usd", 5, unit="USD"),
         fact("eur", 4, unit="EUR"), fact("pct", 12, unit="percent"), fact("pct2", 15, unit="percent"),
         fact("count", 7), fact("fx", 1.08, unit="usd_per_eur"),
         fact("sv", {2020: 1, 2021: 2}, unit="vehicles"), fact("su", {2020: 4, 2021: 5}, unit="usd"))


@pytest.mark.parametrize("derive, message", [
    ({"op": "sum", "of": ["pct", "count"]}, "facts in different units: 'pct' is in percent, 'count' has no unit"),
    ({"op": "mean", "of": ["veh", "pct"]}, "facts in different units: 'veh' is in vehicles, 'pct' is in percent"),
    ({"op": "share", "of": "veh", "total": "usd"}, "facts in different units: 'veh' is in vehicles, 'usd' is in USD"),
    ({"op": "difference", "of": ["usd", "eur"]}, "facts in different units: 'usd' is in USD, 'eur' is in EUR"),
    ({"op": "percent_change", "from": "eur", "to": "usd"}, "'eur' is in EUR, 'usd' is in USD"),
    ({"op": "rate", "from": "veh", "to": "usd", "years": 2}, "'veh' is in vehicles, 'usd' is in USD"),
    ({"op": "share_series", "of": "sv", "total": "su"}, "'sv' is in vehicles, 'su' is in usd"),
    ({"op": "growth", "base": "usd", "rate": "veh", "years": 2}, "`rate` fact 'veh' is in vehicles, not percent"),
    ({"op": "point_change", "from": "veh", "to": "veh2"}, "`from` fact 'veh' is in vehicles, not percent"),
    ({"op": "point_change", "of": "sv", "from": 2020, "to": 2021}, "`of` fact 'sv' is in vehicles, not percent"),
    ({"op": "convert", "of": "veh", "factor": "fx", "unit": "USD"},
     "`factor` 'fx' is in usd_per_eur, so `of` must be in EUR, but 'veh' is in vehicles"),
    ({"op": "convert", "of": "eur", "factor": "fx", "unit": "km"}, "`factor` 'fx' is in usd_per_eur: EUR times it is USD, not km"),
    ({"op": "difference", "of": ["veh", "veh2"], "unit": None}, None),
])
def test_a_derivation_over_units_that_do_not_go_together_names_both_facts_and_units(derive, message):
    _, problems = resolve(*UNITS, fact("x", derive=derive, line=9))
    if message is None:
        assert problems == []  # vehicles and Vehicles are one unit
    else:
        assert len(problems) == 1 and problems[0].startswith(f"content/facts/f.yaml:9: fact 'x': {derive['op']}: ")
        assert message in problems[0]


def test_a_derived_fact_may_not_rename_the_unit_its_inputs_give_it():
    _, problems = resolve(*UNITS, fact("x", derive={"op": "difference", "of": ["veh", "veh2"]}, unit="USD", line=9))
    assert problems == ["content/facts/f.yaml:9: fact 'x': difference: its inputs give vehicles, so `unit: USD` "
                        "would rename them; convert instead (op: convert)"]


def test_compatible_units_keep_working():
    euros_in_dollars = fact("eu", derive={"op": "convert", "of": "eur", "factor": "fx", "unit": "USD"})
    total = derived(*UNITS, euros_in_dollars, fact("x", derive={"op": "sum", "of": ["usd", "eu"]}))
    assert total.value == pytest.approx(5 + 4 * 1.08) and total.unit == "USD"
    points = derived(*UNITS, fact("x", derive={"op": "point_change", "from": "pct", "to": "pct2"}))
    assert points.value == 3 and points.unit == "percentage points"
    plain = derived(*UNITS, fact("x", derive={"op": "sum", "of": ["count", "veh"]}))  # no unit goes with any but percent
    assert plain.value == 107 and plain.unit == "vehicles"
    assert derived(*UNITS, fact("x", derive={"op": "ratio", "of": ["usd", "veh"]}, unit="USD per vehicle")).unit == "USD per vehicle"
    assert derived(*UNITS, fact("x", derive={"op": "growth", "base": "usd", "rate": "pct", "years": 1})).value == pytest.approx(5.6)


def test_an_empty_series_and_a_missing_period_are_located_errors():
    _, problems = resolve(fact("s", {}), fact("x", derive={"op": "mean", "of": "s"}, line=4),
                          fact("y", derive={"op": "at", "of": "s", "at": 2020}, line=7))
    assert problems == ["content/facts/f.yaml:4: fact 'x': mean: series 's' has no values",
                        "content/facts/f.yaml:7: fact 'y': at: series 's' has no values"]


def test_growth_goes_forward_or_back_from_a_later_figure_and_says_which():
    later, rate = fact("b", 1650000, unit="vehicles"), fact("r", 46, unit="percent")
    back = derived(later, rate, fact("x", derive={"op": "growth", "base": "b", "rate": "r", "years": -1}))
    assert back.value == pytest.approx(1650000 / 1.46) and back.unit == "vehicles"
    assert back.how == "B taken back 1 year at 46% growth a year (the earlier figure that growth implies)"
    ahead = derived(later, rate, fact("x", derive={"op": "growth", "base": "b", "rate": "r", "years": 2}))
    assert ahead.value == pytest.approx(1650000 * 1.46 ** 2) and ahead.how == "B grown by 46% a year for 2 years"


def test_growth_refuses_a_rate_that_leaves_nothing():
    book, problems = resolve(fact("b", 10), fact("r", -100, unit="percent"),
                             fact("x", derive={"op": "growth", "base": "b", "rate": "r", "years": -1}))
    assert any("-100% or less" in str(p) for p in problems)


def test_min_max_and_when_of_a_series_or_of_listed_facts():
    low = derived(MONTHS, fact("x", derive={"op": "min", "of": "m", "from": "2023-02"}))
    assert (low.value, low.unit, low.how) == (99, "jobs", "Lowest of M, February 2023 to February 2024")
    assert low.kind == "reported"  # one of the series' own figures
    when = derived(MONTHS, fact("x", derive={"op": "max_period", "of": "m", "to": "2023-12"}))
    assert (when.value, when.unit) == ("February 2023", None)
    assert when.how == "The month in which “M” was highest, January 2023 to March 2023"
    first_of_ties = derived(fact("t", {2020: 5, 2021: 7, 2022: 7}), fact("x", derive={"op": "max_period", "of": "t"}))
    assert first_of_ties.value == "2021"
    listed = derived(fact("a", 3, unit="jobs"), fact("b", 8, unit="jobs"), fact("x", derive={"op": "max", "of": ["a", "b"]}))
    assert (listed.value, listed.how) == (8, "Highest of A, B")


def test_when_needs_one_series():
    book, problems = resolve(fact("a", 3), fact("x", derive={"op": "min_period", "of": ["a"]}))
    assert [p.split(": ", 1)[1] for p in problems] == ["fact 'x': min_period: `of` must be one series fact"]


def test_the_max_of_listed_facts_is_a_derived_figure_and_takes_no_one_input_precision():
    x = derived(fact("a", 3.0, unit="jobs", precision=2), fact("b", 8.123, unit="jobs"),
                fact("x", derive={"op": "max", "of": ["a", "b"]}))
    assert (x.kind, x.precision, x.formatted()) == ("derived", None, "8.123")


def test_yearly_makes_one_figure_a_year_from_complete_years_only():
    months = {f"2023-{m:02d}": 100 + m for m in range(1, 13)} | {"2024-01": 500, "2024-02": 600}
    s = fact("s", months, unit="jobs")
    avg = derived(s, fact("x", derive={"op": "yearly", "of": "s", "agg": "mean"}))
    assert (avg.value, avg.unit, avg.how) == ({2023: 106.5}, "jobs", "S: the average of each complete year")
    assert derived(s, fact("x", derive={"op": "yearly", "of": "s", "agg": "last"})).value == {2023: 112}
    quarters = fact("q", {"2022-Q1": 1, "2022-Q2": 2, "2022-Q3": 3, "2022-Q4": 4, "2023-Q1": 5})
    assert derived(quarters, fact("x", derive={"op": "yearly", "of": "q", "agg": "sum"})).value == {2022: 10}
    _, problems = resolve(fact("p", {"2024-01": 1}), fact("x", derive={"op": "yearly", "of": "p", "agg": "mean"}, line=3),
                          YEARS, fact("y2", derive={"op": "yearly", "of": "y", "agg": "mean"}, line=5),
                          fact("n", derive={"op": "yearly", "of": "y"}, line=7))
    assert problems == ["content/facts/f.yaml:3: fact 'x': yearly: series 'p' has no complete year",
                        "content/facts/f.yaml:5: fact 'y2': yearly: series 'y' is yearly already",
                        "content/facts/f.yaml:7: fact 'n': yearly: needs `agg`: mean, sum, min, max, first or last"]
