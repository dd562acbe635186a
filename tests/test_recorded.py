"""recorded.py: a result is reused while what its function read is the same, with no list of what it reads."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from site_builder.build import SiteBuilder
from site_builder.incremental.recorded import Memo, Reads, watched

from conftest import replace_in_file as edit


@dataclasses.dataclass(frozen=True)
class Content:  # read piecewise, as the model's Content is (a table of tables)
    site: str
    facts: dict
    extra: dict = dataclasses.field(default_factory=dict)

    def ids_with(self, prefix: str) -> tuple:
        return tuple(sorted(f for f in self.facts if f.startswith(prefix)))


def test_a_result_is_reused_while_the_items_it_read_are_the_same():
    memo, calls = Memo(), []

    def first_fact(content: Content) -> str:
        calls.append(1)
        return content.site + ":" + content.facts["a"]

    assert memo.call("x", first_fact, Content("s", {"a": "1", "b": "2"})) == "s:1"
    assert memo.call("x", first_fact, Content("s", {"a": "1", "b": "3"})) == "s:1"  # b was not read
    assert len(calls) == 1
    assert memo.call("x", first_fact, Content("s", {"a": "4", "b": "3"})) == "s:4"
    assert memo.call("x", first_fact, Content("t", {"a": "4", "b": "3"})) == "t:4"
    assert len(calls) == 3


def test_an_item_that_was_missing_and_appears_is_a_change():
    memo = Memo()
    function = lambda content: content.facts.get("new", "none")  # noqa: E731
    assert memo.call("x", function, Content("s", {})) == "none"
    assert memo.call("x", function, Content("s", {"new": "here"})) == "here"
    assert memo.call("x", lambda c: "new" in c.facts, Content("s", {})) is False
    assert memo.call("y", lambda c: "new" in c.facts, Content("s", {})) is False
    assert memo.call("y", lambda c: "new" in c.facts, Content("s", {"new": 1})) is True


def test_a_new_table_is_recorded_like_any_other():
    # No list names what a function reads: a table that did not exist when the memo was written counts too.
    memo = Memo()
    function = lambda content: dict(content.extra)  # noqa: E731  (reads all of it)
    assert memo.call("x", function, Content("s", {}, {"k": 1})) == {"k": 1}
    assert memo.call("x", function, Content("s", {}, {"k": 2})) == {"k": 2}


def test_method_calls_are_read_again_with_their_arguments():
    memo = Memo()
    function = lambda content: content.ids_with("a")  # noqa: E731
    assert memo.call("x", function, Content("s", {"a1": 0, "b": 0})) == ("a1",)
    assert memo.call("x", function, Content("s", {"a1": 0, "b": 1, "a2": 0})) == ("a1", "a2")


def test_arguments_that_are_values_are_compared_whole():
    memo = Memo()
    assert memo.call("x", lambda n, c: n + len(c.facts), 1, Content("s", {})) == 1
    assert memo.call("x", lambda n, c: n + len(c.facts), 2, Content("s", {})) == 2


def test_a_result_made_again_equal_to_the_last_is_the_last_object():
    memo = Memo()
    first = memo.call("x", lambda c: [c.facts["a"]], Content("s", {"a": "1"}))
    again = memo.call("x", lambda c: [c.facts["a"]], Content("s", {"a": "1", "b": "2"}))
    assert again is first


def test_a_view_cannot_leak_into_a_kept_result():
    view = watched({"a": 1}, Reads(), (0,))
    with pytest.raises(TypeError):
        pickle.dumps(view)


def test_an_edit_plans_again_only_the_briefings_that_read_what_changed(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    project = make_project("incremental", "library")
    builder = SiteBuilder(project)
    builder.build()
    plans = {plan.briefing.slug: plan for plan in builder._compiled.plans}
    assert len(plans) > 1
    edit(project, "content/sources.yaml", "title: The widget plant", "title: The widget plant, again")
    builder.build()
    assert [name for name in builder.calls.made if name[0] == "plan"] == []  # plans read no source's title
    edit(project, "content/facts/plant.yaml", "label: Workers at the plant", "label: Workers at the new plant")
    builder.build()
    remade = sorted(name[1] for name in builder.calls.made if name[0] == "plan")
    showing = sorted(slug for slug, plan in plans.items() if "plant.workers" in plan.fact_ids)
    assert remade == showing and 0 < len(showing) < len(plans)
    # Planned again, each plan is what it was: later stages see the same object.
    assert all(plan is plans[plan.briefing.slug] for plan in builder._compiled.plans)
