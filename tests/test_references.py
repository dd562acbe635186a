"""content/references.py: every source, fact and chart an item names must exist, reported where it is named."""
from __future__ import annotations

import dataclasses

import pytest

from site_builder.compute.project import load_content
from site_builder.content.references import cross_check
from site_builder.errors import ErrorCollector
from site_builder.frozen import FrozenDict
from site_builder.model import CheckAdjustment


def _fact(content, fact_id, **changes):
    facts = dict(content.facts) | {fact_id: dataclasses.replace(content.facts[fact_id], **changes)}
    return dataclasses.replace(content, facts=FrozenDict(facts))


def _check(content, **changes):
    [(check_id, check)] = content.checks.items()
    return dataclasses.replace(content, checks=FrozenDict({check_id: dataclasses.replace(check, **changes)}))


def _meta(content, **changes):
    first, *rest = content.briefings
    briefing = dataclasses.replace(first, meta=dataclasses.replace(first.meta, **changes))
    return dataclasses.replace(content, briefings=(briefing, *rest))


def _series(content, **changes):
    chart_id, chart = next(iter(content.charts.items()))
    series = (dataclasses.replace(chart.series[0], **changes), *chart.series[1:])
    return dataclasses.replace(content, charts=FrozenDict(dict(content.charts) | {
        chart_id: dataclasses.replace(chart, series=series)}))


BROKEN = {
    "a fact's source": (lambda c: _fact(c, "imports", source="nobody"), "unknown source id 'nobody'"),
    "a fact's further sources": (lambda c: _fact(c, "imports", sources=("agency", "elsewhere")),
                                 "unknown source id 'elsewhere'"),
    "source: none without a note": (lambda c: _fact(c, "imports", source="none"), "needs a `source_note`"),
    "a derivation's input": (lambda c: _fact(c, "implied.2030", derive=dataclasses.replace(
        c.facts["implied.2030"].derive, base="forecast.2099")), "unknown fact 'forecast.2099'"),
    "a check's fact": (lambda c: _check(c, stated="nowhere"), "unknown fact 'nowhere'"),
    "a check adjustment's target": (lambda c: _check(c, adjustment=CheckAdjustment(add="imports", to="gone")),
                                    "unknown fact 'gone'"),
    "a chart series' fact": (lambda c: _series(c, facts=("sales.2021", "sales.1999")), "missing fact 'sales.1999'"),
    "a hero chart": (lambda c: _meta(c, hero_chart="no-chart"), "unknown chart 'no-chart'"),
    "a key number": (lambda c: _meta(c, key_numbers=("sales.1888",)), "unknown fact 'sales.1888'"),
}


def _problems(content, **options):
    errors = ErrorCollector()
    cross_check(content, errors, **options)
    return [(p.path, p.line, p.message) for p in errors.problems]


def test_valid_content_names_nothing_unknown(make_project):
    assert _problems(load_content(make_project())) == []


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_each_kind_of_unknown_reference_is_reported_as_when_every_item_is_checked(make_project, broken):
    # A valid site is told at once with sets; whenever something is amiss, every item is checked to say where.
    break_it, message = BROKEN[broken]
    content = break_it(load_content(make_project()))
    problems = _problems(content)
    assert problems and any(message in text for _, _, text in problems), problems
    assert problems == _problems(content, declared={"none": set()})  # the item-by-item check, always taken


def test_a_reference_is_not_reported_for_an_unreadable_file_of_its_kind(make_project):
    content = _fact(load_content(make_project()), "imports", source="nobody")
    assert _problems(content, unreadable={"sources"}) == []
