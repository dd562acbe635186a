"""recorded.py: a result is reused while what its function read is the same, with no list of what it reads."""
from __future__ import annotations

import dataclasses
import gc
import pickle
import weakref

import pytest

from site_builder.build import SiteBuilder
from site_builder.frozen import FrozenDict
from site_builder.values import changed_keys, kept_if_unchanged
from site_builder.incremental import recorded
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
    view = watched({"a": 1}, Reads({"a": 1}))
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


@dataclasses.dataclass(frozen=True)
class FactBook:  # a frozen table of frozen tables, as the model's is
    facts: FrozenDict


def fact_a(book: FactBook) -> object:
    return book.facts["a"]


def total(book: FactBook) -> object:
    return sum(book.facts.values())


def test_a_frozen_table_that_is_the_same_object_is_not_read_again():
    reads = []

    class Counted(FrozenDict):
        def __getitem__(self, key):
            reads.append(key)
            return super().__getitem__(key)

    memo, book = Memo(), FactBook(Counted({"a": 1, "b": 2}))
    assert memo.call("x", fact_a, book) == 1
    assert memo.call("x", fact_a, book) == 1
    assert reads == ["a"]  # the second call read nothing: the same frozen book reads the same
    assert memo.made == ["x"]
    changed = FactBook(Counted({"a": 3, "b": 2}))
    assert memo.call("x", fact_a, changed) == 3


def test_a_table_that_can_change_is_read_again_even_when_it_is_the_same_object():
    memo, facts = Memo(), {"a": 1}
    first = lambda f: f["a"]  # noqa: E731
    assert memo.call("x", first, facts) == 1
    assert memo.call("x", first, facts) == 1 and memo.made == ["x"]
    facts["a"] = 2
    assert memo.call("x", first, facts) == 2


def test_reads_found_the_same_in_a_newer_table_let_the_older_one_go():
    # A reused call keeps what it read on the newest table that reads the same: a long serve session does
    # not keep every build's tables alive.
    memo = Memo()
    first = FactBook(FrozenDict({"a": 1, "b": 2}))
    gone = weakref.ref(first)
    assert memo.call("x", fact_a, first) == 1
    second = FactBook(FrozenDict({"a": 1, "b": 3}))
    assert memo.call("x", fact_a, second) == 1
    assert memo.made == ["x"]
    del first
    gc.collect()
    assert gone() is None
    assert memo.call("x", fact_a, FactBook(FrozenDict({"a": 4}))) == 4


def test_going_through_a_mapping_reads_it_whole_once():
    memo = Memo()
    assert memo.call("x", total, FactBook(FrozenDict({"a": 1, "b": 2}))) == 3
    recorded = memo._kept.get("x").reads[0][1].tables[("attr", "facts")]
    assert recorded.whole and recorded.values == {}  # not an item read per fact as well
    assert memo.call("x", total, FactBook(FrozenDict({"a": 1, "b": 2}))) == 3
    assert memo.made == ["x"]
    assert memo.call("x", total, FactBook(FrozenDict({"a": 1, "b": 5}))) == 6


def test_a_table_made_again_from_the_same_parts_is_the_last_one():
    facts = FrozenDict({"a": object(), "b": object()})
    again = FrozenDict(facts)
    assert kept_if_unchanged(again, facts) is facts
    assert kept_if_unchanged(FrozenDict({"b": facts["b"], "a": facts["a"]}), facts) is not facts  # another order
    assert kept_if_unchanged(FrozenDict({"a": facts["a"], "b": object()}), facts) is not facts
    old = Content("s", facts, FrozenDict({"x": 1}))
    assert kept_if_unchanged(Content("s", again, FrozenDict({"x": 1})), old) is old
    new = kept_if_unchanged(Content("s", FrozenDict({"a": 1}), FrozenDict({"x": 1})), old)
    assert new is not old and new.facts == {"a": 1} and new.extra is old.extra  # its unchanged part is the old one
    assert kept_if_unchanged((1, facts), (1, again)) == (1, facts)


def test_the_keys_that_changed_between_two_frozen_dicts():
    one, two = object(), object()
    assert changed_keys(FrozenDict({"a": one, "b": two}), FrozenDict({"a": one, "b": object(), "c": one})) == {"b", "c"}
    assert changed_keys(FrozenDict({"a": one, "gone": two}), FrozenDict({"a": one})) == {"gone"}
    assert changed_keys({"a": one}, FrozenDict({"a": one})) is None  # a dict can change: not known
    same_keys = FrozenDict({"a": one, "b": two, "c": one})
    assert changed_keys(same_keys, FrozenDict({"a": one, "b": object(), "c": one})) == {"b"}
    assert changed_keys(same_keys, FrozenDict({"c": one, "b": two, "a": two})) == {"a"}  # in another order
    assert changed_keys(same_keys, same_keys) == set()


def test_an_item_read_of_a_table_made_again_is_read_again_only_where_the_table_changed(monkeypatch):
    steps = []
    read_again = recorded.read_again
    monkeypatch.setattr(recorded, "read_again", lambda table, step: steps.append(step) or read_again(table, step))
    memo, one, two = Memo(), object(), object()
    assert memo.call("x", fact_a, FactBook(FrozenDict({"a": one, "b": two}))) is one
    memo.next_build()
    assert memo.call("x", fact_a, FactBook(FrozenDict({"a": one, "b": object()}))) is one
    assert memo.made == [] and ("item", "a") not in steps  # only b changed: a was not read again
    memo.next_build()
    assert memo.call("x", fact_a, FactBook(FrozenDict({"a": two, "b": two}))) is two
    assert ("item", "a") in steps


def test_an_edited_number_makes_the_timeline_again_and_keeps_the_rest_of_the_library(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    project = make_project("incremental", "library")
    builder = SiteBuilder(project)
    builder.build()
    library = builder.calls._kept.get("library").result
    edit(project, "content/facts/plant.yaml", "value: 2500", "value: 2600")  # workers: a number, no date
    builder.build()
    assert "library: timeline" in builder.calls.made and "library: tags, related" not in builder.calls.made
    assert builder.calls._kept.get("library").result is library  # the same parts: the same object
    edit(project, "content/briefings/plant-opens.md", "tags: [", "tags: [new, ")
    builder.build()
    assert "library: tags, related" in builder.calls.made
    assert "new" in [tag.name for tag in builder.calls._kept.get("library").result.tags]
