"""facts.py: derived facts, reconciliation checks, and the sources and inputs behind each figure."""
from __future__ import annotations

import math

import pytest
from hypothesis import example, given, strategies as st

from site_builder.frozen import freeze
from site_builder.errors import ErrorCollector
from site_builder.compute.facts import FactBook, fact_ids_in_use, resolve_facts
from site_builder.compute.resolved import derive_fact
from site_builder.model import Check, Content, Derivation, Fact, Location, SiteConfig

PATH = "content/facts/f.yaml"


def fact(fact_id: str, value=None, *, derive: dict | None = None, line: int = 1, **fields) -> Fact:
    """A Fact for tests: typed when ``value`` is given, derived when ``derive`` is."""
    fields.setdefault("label", fact_id.replace(".", " ").title())
    if derive is None:
        fields.setdefault("source", "stats")
    else:
        derive = Derivation(**{("from_" if k == "from" else k): freeze(v) for k, v in derive.items()})
    return Fact(id=fact_id, value=freeze(value), derive=derive, origin=Location(PATH, line),
                **{k: freeze(v) for k, v in fields.items()})


def resolve(*facts: Fact, checks: tuple[Check, ...] = ()) -> tuple[FactBook, list[str]]:
    """The FactBook of ``facts`` and the problems found while computing it."""
    content = Content(SiteConfig(title="T"), {}, {f.id: f for f in facts}, {c.id: c for c in checks}, {}, [])
    errors = ErrorCollector()
    return resolve_facts(content, errors), [str(p) for p in errors.problems]


def value_of(*facts: Fact, target: str = "x") -> float:
    book, problems = resolve(*facts)
    assert problems == []
    return book[target].value


NUMBERS = (fact("a", 1), fact("b", 2), fact("c", 6))


# --- each operation, with exact values ----------------------------------------------------

def test_mean_of_listed_facts():
    assert value_of(*NUMBERS, fact("x", derive={"op": "mean", "of": ["a", "b", "c"]})) == 3.0


def test_sum_of_listed_facts():
    assert value_of(*NUMBERS, fact("x", derive={"op": "sum", "of": ["a", "b", "c"]})) == 9.0


def test_mean_and_sum_of_a_series_between_years():
    series = fact("s", {2015: 1, 2016: 2, 2017: 3, 2018: 10})
    assert value_of(series, fact("x", derive={"op": "mean", "of": "s", "from": 2016, "to": 2017})) == 2.5
    assert value_of(series, fact("x", derive={"op": "sum", "of": "s", "from": 2017})) == 13.0
    assert value_of(series, fact("x", derive={"op": "mean", "of": "s"})) == 4.0


def test_difference_is_first_minus_second():
    assert value_of(*NUMBERS, fact("x", derive={"op": "difference", "of": ["a", "c"]})) == -5.0


def test_ratio_is_first_divided_by_second_in_unit_ratio():
    book, _ = resolve(*NUMBERS, fact("x", derive={"op": "ratio", "of": ["c", "b"]}))
    assert book["x"].value == 3.0
    assert book["x"].unit == "ratio"


def test_growth_compounds_a_percent_rate():
    base, rate = fact("base", 1_000_000, unit="vehicles"), fact("rate", 10, unit="percent")
    book, _ = resolve(base, rate, fact("x", derive={"op": "growth", "base": "base", "rate": "rate", "years": 2}))
    assert book["x"].value == pytest.approx(1_210_000, rel=1e-12)
    assert book["x"].unit == "vehicles"
    assert book["x"].how == "Base grown by 10% a year for 2 years"


def test_growth_over_zero_years_is_the_base():
    assert value_of(fact("b", 5), fact("r", 3), fact("x", derive={"op": "growth", "base": "b", "rate": "r", "years": 0})) == 5.0


def test_rate_is_compound_annual_growth_in_percent():
    book, _ = resolve(fact("y0", 100), fact("y2", 121),
                      fact("x", derive={"op": "rate", "from": "y0", "to": "y2", "years": 2}))
    assert book["x"].value == pytest.approx(10.0, rel=1e-12)
    assert book["x"].unit == "percent"


def test_convert_by_a_number_or_by_a_fact():
    km = fact("km", 100, unit="km")
    book, _ = resolve(km, fact("factor", 0.621371),
                      fact("x", derive={"op": "convert", "of": "km", "factor": 0.621371, "unit": "miles"}),
                      fact("y", derive={"op": "convert", "of": "km", "factor": "factor", "unit": "miles"}))
    assert book["x"].value == pytest.approx(62.1371, rel=1e-12)
    assert book["x"].unit == "miles"
    assert book["y"].value == book["x"].value
    assert book["y"].inputs == ("km", "factor")


def test_derived_fact_records_inputs_sources_kind_and_how():
    facts = (fact("a", 1, source="agency"), fact("b", 3, source="ministry"), fact("c", 5, source="agency"),
             fact("x", derive={"op": "mean", "of": ["a", "b", "c"]}))
    book, _ = resolve(*facts)
    x = book["x"]
    assert x.inputs == ("a", "b", "c")
    assert x.sources == ("agency", "ministry")
    assert x.kind == "derived"
    assert x.how == "Average of A, B, C"


def test_a_derived_facts_own_source_comes_first_and_its_kind_is_kept():
    book, _ = resolve(fact("a", 1, source="agency"),
                      fact("x", derive={"op": "sum", "of": ["a"]}, source="ministry", kind="forecast"))
    assert book["x"].sources == ("ministry", "agency")
    assert book["x"].is_projection


def test_derived_facts_may_chain_in_any_order():
    facts = (fact("z", derive={"op": "sum", "of": ["y", "a"]}), fact("y", derive={"op": "sum", "of": ["a", "a"]}), fact("a", 2))
    assert value_of(*facts, target="z") == 6.0


def test_typed_facts_keep_their_values_and_kinds():
    book, _ = resolve(fact("t", "A text", kind="estimate"), fact("l", ["A", "B"]), fact("n", 2, source="none"))
    assert book["t"].value == "A text" and book["t"].is_projection and not book["t"].is_number
    assert book["l"].value == ("A", "B")
    assert book["n"].sources == () and book["n"].kind == "reported"


# --- problems, each at the derived fact's line --------------------------------------------------

def test_cycles_are_reported_for_every_fact_in_them():
    _, problems = resolve(fact("p", derive={"op": "sum", "of": ["q"]}, line=3),
                          fact("q", derive={"op": "sum", "of": ["p"]}, line=7),
                          fact("self", derive={"op": "sum", "of": ["self"]}, line=11))
    assert sorted(problems) == [
        f"{PATH}:11: fact 'self': derivation depends on itself (through self)",
        f"{PATH}:3: fact 'p': derivation depends on itself (through q)",
        f"{PATH}:7: fact 'q': derivation depends on itself (through p)",
    ]


def test_ratio_by_zero_is_an_error_not_infinity():
    _, problems = resolve(fact("a", 1), fact("zero", 0), fact("x", derive={"op": "ratio", "of": ["a", "zero"]}, line=9))
    assert problems == [f"{PATH}:9: fact 'x': ratio: division by zero"]


@pytest.mark.parametrize("derive, message", [
    ({"op": "mean", "of": ["a", "text"]}, "mean: `of` fact 'text' is not a single number"),
    ({"op": "mean", "of": "a"}, "mean: `of` fact 'a' is not a series; list fact ids instead"),
    ({"op": "mean", "of": "s", "from": 2030}, "mean: series 's' has no values from 2030 to 2016"),
    ({"op": "difference", "of": ["a"]}, "difference: `of` must list exactly two facts"),
    ({"op": "growth", "base": "a", "rate": "a"}, "growth: needs `years` (negative to go back from a later figure)"),
    ({"op": "growth", "rate": "a", "years": 1}, "growth: needs `base`"),
    ({"op": "rate", "from": "zero", "to": "a", "years": 2}, "rate: needs positive `years` and positive values"),
    ({"op": "convert", "of": "a", "factor": 2}, "convert: needs `factor` and `unit`"),
    ({"op": "convert", "of": ["a"], "factor": 2, "unit": "km"}, "convert: `of` must be one fact id"),
])
def test_derivation_problems(derive, message):
    _, problems = resolve(fact("a", 4), fact("zero", 0), fact("text", "words"), fact("s", {2015: 1, 2016: 2}),
                          fact("x", derive=derive, line=5))
    assert problems == [f"{PATH}:5: fact 'x': {message}"]


@pytest.mark.parametrize("derive", [
    {"op": "growth", "base": "big", "rate": "big", "years": 1000},
    {"op": "sum", "of": ["big", "big"]},
    {"op": "convert", "of": "big", "factor": 1e10, "unit": "x"},
])
def test_overflow_is_reported_not_crashed(derive):
    _, problems = resolve(fact("big", 1e308), fact("x", derive=derive, line=2))
    assert problems == [f"{PATH}:2: fact 'x': {derive['op']} gives no finite number"]


def test_facts_depending_on_a_failed_derivation_are_left_out_quietly():
    book, problems = resolve(fact("a", 1), fact("zero", 0), fact("x", derive={"op": "ratio", "of": ["a", "zero"]}),
                             fact("y", derive={"op": "sum", "of": ["x"]}))
    assert problems == [f"{PATH}:1: fact 'x': ratio: division by zero"]
    assert "x" not in book and "y" not in book


# --- reconciliation checks ---------------------------------------------------------------------

def check(stated: str, derived: str, tolerance: float = 0.02, line: int = 20) -> Check:
    return Check(id="c", stated=stated, derived=derived, title="T", tolerance=tolerance, origin=Location(PATH, line))


@pytest.mark.parametrize("tolerance, passed", [(0.1, True), (0.05, True), (0.049, False), (0.0, False)])
def test_check_compares_the_relative_difference_with_the_tolerance(tolerance, passed):
    book, problems = resolve(fact("stated", 105), fact("implied", 100), checks=(check("stated", "implied", tolerance),))
    result = book.checks["c"]
    assert problems == []
    assert result.relative_difference == pytest.approx(0.05)
    assert result.passed is passed
    assert book.failed_checks() == ([] if passed else [result])


def test_relative_difference_is_signed_and_relative_to_the_derived_figure():
    book, _ = resolve(fact("stated", 90), fact("implied", 120), checks=(check("stated", "implied"),))
    assert book.checks["c"].relative_difference == pytest.approx(-0.25)


def test_check_needs_two_numbers():
    _, problems = resolve(fact("stated", "text"), fact("implied", 0), fact("n", 1),
                          checks=(check("stated", "n"),))
    assert problems == [f"{PATH}:20: check 'c': both facts must be non-zero numbers"]
    _, problems = resolve(fact("n", 1), fact("zero", 0), checks=(check("n", "zero"),))
    assert problems == [f"{PATH}:20: check 'c': both facts must be non-zero numbers"]


def test_checks_touching_and_facts_in_use():
    facts = (fact("a", 1), fact("b", 2), fact("m", derive={"op": "mean", "of": ["a", "b"]}),
             fact("n", derive={"op": "sum", "of": ["m", "a"]}), fact("other", 3))
    book, _ = resolve(*facts, checks=(check("other", "m"),))
    assert fact_ids_in_use({"n"}, book) == {"n", "m", "a", "b"}
    assert fact_ids_in_use({"unknown"}, book) == set()
    assert [r.check.id for r in book.checks_touching({"m"})] == ["c"]
    assert book.checks_touching({"a"}) == []


def test_derive_fact_on_its_own():
    known, _ = resolve(fact("a", 2), fact("b", 8))
    result = derive_fact(fact("x", derive={"op": "ratio", "of": ["b", "a"]}), known.facts)
    assert result.value == 4.0 and result.how == "B divided by A"


# --- properties ----------------------------------------------------------------------------------

positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(start=positive, rate=st.floats(min_value=-90, max_value=200), years=st.integers(min_value=1, max_value=50))
def test_rate_inverts_growth(start, rate, years):
    grown = value_of(fact("start", start), fact("rate", rate),
                     fact("x", derive={"op": "growth", "base": "start", "rate": "rate", "years": years}))
    recovered = value_of(fact("start", start), fact("end", grown),
                         fact("x", derive={"op": "rate", "from": "start", "to": "end", "years": years}))
    assert recovered == pytest.approx(rate, rel=1e-6, abs=1e-6)


@given(st.lists(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), min_size=1, max_size=20))
@example([683.1892102992185] * 3)  # fmean gave 683.1892102992184 here
def test_mean_lies_between_min_and_max(values):
    facts = [fact(f"v{i}", v) for i, v in enumerate(values)]
    mean = value_of(*facts, fact("x", derive={"op": "mean", "of": [f.id for f in facts]}))
    assert min(values) <= mean <= max(values)
    assert math.isfinite(mean)


def test_facts_downstream_of_a_cycle_are_not_blamed_for_it():
    _, problems = resolve(fact("p", derive={"op": "sum", "of": ["q"]}, line=3),
                          fact("q", derive={"op": "sum", "of": ["p"]}, line=7),
                          fact("after", derive={"op": "sum", "of": ["p"]}, line=11))
    assert sorted(problems) == [f"{PATH}:3: fact 'p': derivation depends on itself (through q)",
                                f"{PATH}:7: fact 'q': derivation depends on itself (through p)"]


def test_a_chain_of_3000_derivations_listed_last_first_resolves_in_one_pass():
    # Each fact negates the next; the typed one comes last, so a fact is never ready before the one after it.
    chain = [fact(f"n{i}", derive={"op": "negate", "of": f"n{i + 1}"}) for i in range(3000)] + [fact("n3000", 5)]
    assert value_of(*chain, target="n0") == 5 and value_of(*chain, target="n1") == -5


def test_a_cycle_through_3000_facts_blames_each_and_nothing_downstream_or_upstream():
    ring = [fact(f"r{i}", derive={"op": "abs", "of": f"r{(i + 1) % 3000}"}, line=i + 2) for i in range(3000)]
    tail = [fact("after", derive={"op": "abs", "of": "r0"}, line=9000),
            fact("feeds", derive={"op": "sum", "of": ["r5", "inner"]}, line=9001),
            fact("inner", derive={"op": "sum", "of": ["inner", "r7"]}, line=9002)]
    _, problems = resolve(*ring, *tail)
    assert len(problems) == 3001
    assert f"{PATH}:2: fact 'r0': derivation depends on itself (through r1)" in problems
    assert f"{PATH}:3001: fact 'r2999': derivation depends on itself (through r0)" in problems
    assert f"{PATH}:9002: fact 'inner': derivation depends on itself (through inner, r7)" in problems
    assert not [p for p in problems if "'after'" in p or "'feeds'" in p]


def test_a_rebuild_keeps_the_resolved_facts_and_checks_that_an_edit_does_not_reach():
    a, b, other = fact("a", 1), fact("b", 2), fact("other", 5)
    total, doubled = fact("total", derive={"op": "sum", "of": ["a", "b"]}), fact("doubled", derive={"op": "sum", "of": ["total", "total"]})
    apart = fact("apart", derive={"op": "sum", "of": ["other", "other"]})
    check = Check(id="c", stated="other", derived="apart", tolerance=0.01, title="T", origin=Location(PATH, 9))

    def content(*facts):
        return Content(SiteConfig(title="T"), {}, {f.id: f for f in facts}, {"c": check}, {}, [])

    first = resolve_facts(content(a, b, other, total, doubled, apart), ErrorCollector())
    edited_b = fact("b", 3)
    again = resolve_facts(content(a, edited_b, other, total, doubled, apart), ErrorCollector(), first)
    kept = {fid for fid in first.facts if again.facts[fid] is first.facts[fid]}
    assert kept == {"a", "other", "apart"}  # b changed; total and doubled are derived from it
    assert again["doubled"].value == 8 and first["doubled"].value == 6
    assert again.checks["c"] is first.checks["c"]
