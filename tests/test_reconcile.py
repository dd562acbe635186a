"""reconcile.py: scope-aware verdicts, stated adjustments, and solving for what would make a check pass."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.frozen import freeze
from site_builder.errors import ErrorCollector
from site_builder.compute.facts import FactBook, resolve_facts
from site_builder.model import Check, CheckAdjustment, Content, Derivation, Fact, Location, SiteConfig
from site_builder.compute.project import Project, load_content

from conftest import REPO, copy_project, parse_html

PATH = "content/facts/f.yaml"


def fact(fact_id: str, value=None, *, derive: dict | None = None, **fields) -> Fact:
    fields.setdefault("label", fact_id)
    if derive is None:
        fields.setdefault("source", "stats")
    else:
        derive = Derivation(**{("from_" if k == "from" else k): freeze(v) for k, v in derive.items()})
    return Fact(id=fact_id, value=freeze(value), derive=derive, origin=Location(PATH, 1),
                **{k: freeze(v) for k, v in fields.items()})


def book_of(*facts: Fact, checks: tuple[Check, ...] = ()) -> tuple[FactBook, list[str]]:
    content = Content(SiteConfig(title="T"), {}, {f.id: f for f in facts}, {c.id: c for c in checks}, {}, [])
    errors = ErrorCollector()
    return resolve_facts(content, errors), [str(p) for p in errors.problems]


def check(adjustment: CheckAdjustment | None = None, tolerance: float = 0.02) -> Check:
    return Check(id="c", stated="stated", derived="implied", title="T", tolerance=tolerance,
                 adjustment=adjustment, origin=Location(PATH, 30))


# A base of 100 grown 10% a year for 2 years implies 121; the stated figure is 150.
GROWTH = (fact("base", 100, scope="cars"), fact("rate", 10, unit="percent"),
          fact("implied", derive={"op": "growth", "base": "base", "rate": "rate", "years": 2}, scope="cars"))


def test_same_scope_and_too_far_apart_does_not_reconcile():
    book, problems = book_of(*GROWTH, fact("stated", 150, scope="cars"), checks=(check(),))
    result = book.checks["c"]
    assert problems == [] and result.verdict == "does not reconcile" and result.label == "Numbers do not reconcile"
    assert book.failed_checks() == [result]


def test_different_scopes_are_not_comparable_as_published_not_a_failure():
    book, _ = book_of(*GROWTH, fact("stated", 150, scope="all vehicles"), checks=(check(),))
    result = book.checks["c"]
    assert result.scopes_differ and result.verdict == "not comparable as published"
    assert result.label == "Not comparable as published" and not result.passed
    assert result.warns  # no adjustment stated: the author hears about it


def test_scope_comparison_ignores_case_and_spacing_and_missing_scopes():
    book, _ = book_of(*GROWTH, fact("stated", 121, scope="  Cars "), checks=(check(),))
    assert not book.checks["c"].scopes_differ and book.checks["c"].verdict == "reconciles"
    book, _ = book_of(*GROWTH, fact("stated", 121), checks=(check(),))
    assert book.checks["c"].verdict == "reconciles"


def test_an_adjustment_that_closes_the_gap_keeps_not_comparable_but_no_warning():
    # 24 added to the base: 124 x 1.21 = 150.04, within 2% of the stated 150.
    book, problems = book_of(*GROWTH, fact("gap", 24), fact("stated", 150, scope="all vehicles"),
                             checks=(check(CheckAdjustment(add="gap", to="base")),))
    result = book.checks["c"]
    assert problems == []
    assert result.adjusted.value == pytest.approx(150.04)
    assert result.verdict == "not comparable as published" and not result.warns
    assert result.label == "Not comparable as published; consistent after adjustment"
    assert book.failed_checks() == []


def test_an_adjustment_that_still_fails_does_not_reconcile():
    book, _ = book_of(*GROWTH, fact("gap", 5), fact("stated", 150, scope="all vehicles"),
                      checks=(check(CheckAdjustment(add="gap")),))
    result = book.checks["c"]
    assert result.adjusted.value == pytest.approx(126)  # added to the derived figure itself
    assert result.verdict == "does not reconcile" and result.warns


def test_an_adjustment_to_a_fact_that_is_not_an_input_is_an_error():
    _, problems = book_of(*GROWTH, fact("gap", 5), fact("other", 1), fact("stated", 150),
                          checks=(check(CheckAdjustment(add="gap", to="other")),))
    assert problems == [f"{PATH}:30: check 'c': adjustment `to` fact 'other' is not an input of 'implied' "
                        "(its inputs: base, rate)"]


def test_growth_solves_for_the_base_and_the_rate():
    book, _ = book_of(*GROWTH, fact("stated", 150), checks=(check(),))
    base, rate = book.checks["c"].solutions
    assert (base.role, base.fact_id, base.actual) == ("base", "base", 100)
    assert base.needed == pytest.approx(150 / 1.21)
    assert (rate.role, rate.fact_id) == ("rate", "rate")
    assert rate.needed == pytest.approx(((150 / 100) ** 0.5 - 1) * 100)
    assert rate.text == "150 needs 22.47% a year over 2 years from “base” (100), not 10.00%"
    assert base.text == "150 needs 123.967 for “base”, not 100 (24 more)"


@pytest.mark.parametrize("derive, role, needed", [
    ({"op": "sum", "of": ["a", "b"]}, "total", 50),                      # 30 now: 20 missing
    ({"op": "mean", "of": ["a", "b"]}, "total", 100),                    # the two would have to total 100
    ({"op": "difference", "of": ["a", "b"]}, "first", 70),               # 70 - 20 = 50
    ({"op": "ratio", "of": ["a", "b"]}, "first", 1000),                  # 1000 / 20 = 50
    ({"op": "rate", "from": "a", "to": "b", "years": 1}, "end", 15),     # 10 growing 50% is 15
])
def test_each_operation_solves_for_its_missing_input(derive, role, needed):
    book, problems = book_of(fact("a", 10), fact("b", 20), fact("implied", derive=derive), fact("stated", 50),
                             checks=(check(),))
    assert problems == []
    (solution,) = book.checks["c"].solutions
    assert solution.role == role and solution.needed == pytest.approx(needed)


def test_a_typed_derived_figure_has_nothing_to_solve_for():
    book, _ = book_of(fact("implied", 100), fact("stated", 150), checks=(check(),))
    assert book.checks["c"].solutions == ()


# --- the sourced series of the default content ----------------------------------------------------

@pytest.fixture(scope="module")
def kaluga() -> FactBook:
    errors = ErrorCollector()
    book = resolve_facts(load_content(Project.at(REPO)), errors)
    assert errors.problems == []
    return book


def test_the_ministry_forecast_is_not_comparable_as_published_but_consistent_with_its_own_count(kaluga):
    for check_id in ("forecast-2030-reconciles", "forecast-2035-reconciles"):
        result = kaluga.checks[check_id]
        assert result.scopes_differ and result.verdict == "not comparable as published"
        assert abs(result.relative_difference) > 0.05  # as published, more than 5% apart
        assert abs(result.adjusted.relative_difference) <= 0.02  # with the 2020 scope gap, within 2%
        assert not result.warns


def test_solve_for_from_the_sourced_series(kaluga):
    """The AEB's 2015-2021 average is 1,635,347; 1.8 M by 2030 at 1% a year needs 1.730 M, or 2.43% a year."""
    base_2030, rate_2030 = kaluga.checks["forecast-2030-reconciles"].solutions
    assert base_2030.actual == pytest.approx(1_635_347.3, abs=0.1)
    assert round(base_2030.needed / 1e6, 3) == 1.730
    assert round(rate_2030.needed, 2) == 2.43
    assert rate_2030.text.startswith("1.8 million by 2030 needs 2.43% a year over 4 years from “2026 level")
    assert base_2030.text.startswith("1.8 million by 2030 needs 1.73 million for “2026 level")
    base_2035, _ = kaluga.checks["forecast-2035-reconciles"].solutions
    assert round(base_2035.needed / 1e6, 3) == 1.737


def test_briefing_check_prints_the_solve_for_figures(cli, tmp_path):
    root = copy_project(tmp_path / "site", "reconcile")
    result = cli("check", "--root", str(root))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "check 'forecast-2030-as-published': not comparable as published" in out
    assert "scopes differ: stated counts all widget types; implied counts cars and vans" in out
    assert "would reconcile if: 1.7 million by 2030 needs 2.53% a year over 5 years" in out
    assert "needs 1.62 million for “2025 level (the 2019-2021 average)”, not 1.5 million (117,492 more)" in out
    assert "adjusted: adding “Ministry count minus agency count, 2020” (110,000)" in out
    # Only the check without an adjustment warns.
    assert "warning: check 'forecast-2030-as-published'" in result.stderr
    assert "forecast-2030-adjusted" not in result.stderr


@pytest.fixture(scope="module")
def example_page(tmp_path_factory):
    """The example of docs/content-format.md (tests/fixtures/reconcile), built."""
    root = copy_project(tmp_path_factory.mktemp("reconcile") / "site", "reconcile")
    from site_builder.commands.build_command import build_site
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1710504000")
        build_site(Project.at(root))
    return parse_html(root / "_site/briefings/outlook/index.html")


def test_the_note_says_why_in_plain_words(example_page):
    published = example_page.find(id="check-forecast-2030-as-published")
    text = published.get_text(" ", strip=True)
    assert published.select_one(".check__label").get_text(strip=True) == "Not comparable as published"
    assert ("The two figures count different things: the stated one counts all widget types; "
            "the implied one counts cars and vans.") in text
    solve = [li.get_text(" ", strip=True) for li in published.select(".check__solve li")]
    assert solve == ["1.7 million by 2030 needs 1.62 million for “2025 level (the 2019-2021 average)”, "
                     "not 1.5 million (117,492 more).",
                     "1.7 million by 2030 needs 2.53% a year over 5 years from “2025 level (the 2019-2021 "
                     "average)” (1.5 million), not 1.00%."]
    adjusted = example_page.find(id="check-forecast-2030-adjusted")
    assert adjusted.select_one(".check__label").get_text(strip=True) == \
        "Not comparable as published; consistent after adjustment"
    assert "gives 1.69 million, +0.5% away from the stated figure, within the 2.0% allowed" in \
        adjusted.select_one(".check__adjusted").get_text(" ", strip=True)


def test_the_facts_list_shows_what_would_make_it_reconcile(example_page):
    entry = example_page.find(id="fact-implied.2030")
    solve = entry.select_one(".fact-entry__solve").get_text(" ", strip=True)
    assert solve.startswith("Against the stated Ministry forecast 2030: 1.7 million by 2030 needs")
    # The adjustment's fact is listed, so the note's link to it works.
    assert example_page.find(id="fact-scope_gap.2020") is not None


def test_the_documented_example_is_the_fixture_the_tests_build(cli, tmp_path):
    """docs/content-format.md shows tests/fixtures/reconcile's checks and its `briefing check` output verbatim."""
    docs = (REPO / "docs/content-format.md").read_text(encoding="utf-8")
    fixture = (REPO / "tests/fixtures/reconcile/content/facts/outlook.yaml").read_text(encoding="utf-8")
    section = docs[docs.index("### Checks (reconciliation)"):docs.index("## `content/charts/*.yaml`")]
    blocks = section.split("```")[1::2]
    checks_yaml = blocks[0].removeprefix("yaml\n")
    assert checks_yaml in fixture
    assert docs[docs.index("### Vague figures"):].split("```")[1].count("qualifier: approaching") == 1
    output = cli("check", "--root", str(copy_project(tmp_path / "site", "reconcile"))).stdout
    for line in blocks[-1].strip("\n").splitlines():
        assert line in output.splitlines()


def test_vague_figures_are_shown_as_stated_never_as_a_bare_point(example_page):
    keys = {dt.get_text(strip=True): dd for dt, dd in zip(example_page.select(".key-number dt"),
                                                          example_page.select(".key-number dd"))}
    assert keys["Ministry forecast 2030"].a.get_text(strip=True) == "approaching 1.7 million widgets"
    assert keys["Ministry forecast range 2030"].a.get_text(strip=True) == "1.65 million to 1.75 million widgets"
    body = example_page.select_one(".briefing__body").get_text(" ", strip=True)
    assert "The ministry sees sales approaching 1.7 million by 2030" in body
    note = example_page.find(id="check-forecast-2030-as-published").dl.get_text(" ", strip=True)
    assert "Stated: Ministry forecast 2030 approaching 1.7 million" in note


def test_our_calculations_are_badged_apart_from_forecasts(example_page):
    badges = {dd.find_previous("dt").get_text(strip=True): dd.select_one(".badge")
              for dd in example_page.select(".key-number dd")}
    assert badges["2030 sales implied by the ministry's growth"].get_text(strip=True) == "calculated"
    assert "badge--calculated" in badges["2030 sales implied by the ministry's growth"]["class"]
    assert badges["Ministry forecast 2030"].get_text(strip=True) == "forecast"
    assert "badge--forecast" in badges["Ministry forecast 2030"]["class"]
