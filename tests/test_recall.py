"""recall.py: a function of one document runs again only for a document it has not seen, and keeps its problems."""
from __future__ import annotations

from pathlib import Path

from site_builder.errors import ErrorCollector
from site_builder.content.loader import Document, MarkdownFile
from site_builder.incremental.recall import Recall, same


def counting_validator(calls: list):
    def validate(doc: Document, errors: ErrorCollector) -> list:
        calls.append(doc)
        if doc.data.get("bad"):
            errors.add(doc.path, 3, "bad value")
        return [doc.data]
    return validate


def test_the_same_document_is_not_validated_again_and_its_problems_are_reported_again():
    calls, recall = [], Recall()
    validate = counting_validator(calls)
    doc = Document(Path("f.yaml"), {"bad": True})
    for _ in range(3):
        errors = ErrorCollector()
        assert recall(validate, doc, errors) == [{"bad": True}]
        assert [str(p) for p in errors.problems] == ["f.yaml:3: bad value"]
        recall.next_build()
    assert calls == [doc]


def test_an_equal_but_new_document_is_validated_again():
    calls, recall = [], Recall()
    validate = counting_validator(calls)
    recall(validate, Document(Path("f.yaml"), {"n": 1}), ErrorCollector())
    recall(validate, Document(Path("f.yaml"), {"n": 1.0}), ErrorCollector())
    assert len(calls) == 2


def test_a_call_the_last_build_did_not_make_is_forgotten():
    calls, recall = [], Recall()
    validate = counting_validator(calls)
    doc = Document(Path("f.yaml"), {})
    recall(validate, doc, ErrorCollector())
    recall.next_build()
    recall.next_build()  # a build that did not read the file
    recall(validate, doc, ErrorCollector())
    assert len(calls) == 2


def test_keyed_calls_reuse_an_argument_made_anew_from_the_same_parts():
    calls, recall = [], Recall()
    meta = Document(Path("b.md"), {"title": "T"})

    def validate(md: MarkdownFile, errors: ErrorCollector) -> str:
        calls.append(md)
        return md.body

    for _ in range(2):
        assert recall(validate, MarkdownFile(Path("b.md"), meta, "Body " + "text", 5), ErrorCollector(), key="b") == "Body text"
    recall(validate, MarkdownFile(Path("b.md"), meta, "Body text", 6), ErrorCollector(), key="b")
    assert len(calls) == 2


def test_same_means_interchangeable_not_merely_equal():
    assert same("ab", "a" + "b") and same(Path("a/b"), Path("a") / "b") and same(7, 7)
    assert not same(1, 1.0) and not same(1, True) and not same(0.0, -0.0) and not same(float("nan"), float("nan"))
    assert same([float("0.5")], [float("0.5")])  # equal floats that print the same are interchangeable
    assert same([1, ("a", {"k": b"x"})], [1, ("a", {"k": b"x"})]) and not same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    meta = Document(Path("b.md"), {"n": 1})
    assert same(MarkdownFile(Path("b.md"), meta, "x", 1), MarkdownFile(Path("b.md"), meta, "x", 1))
    assert same(MarkdownFile(Path("b.md"), meta, "x", 1), MarkdownFile(Path("b.md"), Document(Path("b.md"), {"n": 1}), "x", 1))
    assert not same(MarkdownFile(Path("b.md"), meta, "x", 1), MarkdownFile(Path("b.md"), Document(Path("b.md"), {"n": 1.0}), "x", 1))


def test_recently_used_keeps_what_this_build_or_the_last_one_used():
    from site_builder.incremental.recall import RecentlyUsed

    kept: RecentlyUsed[str, int] = RecentlyUsed()
    kept.keep("a", 1)
    kept.keep("b", 2)
    kept.next_build()
    assert kept.get("a") == 1 and "b" in kept  # "a" is used by this build too, "b" is not
    kept.next_build()
    assert kept.get("a") == 1 and kept.get("b") is None and "b" not in kept


def test_a_value_asked_for_again_is_made_once_while_builds_ask_for_it():
    from site_builder.incremental.recall import MadeOnce
    from site_builder.render.search import SearchDocument, document_json

    made = []
    as_json = MadeOnce(lambda doc: made.append(doc.title) or document_json(doc))
    doc = SearchDocument("Briefing", "Sales", "b/index.html", "A summary", "The text")
    first = as_json(doc)
    as_json.next_build()
    again = SearchDocument("Briefing", "Sales", "b/index.html", "A summary", "The text")  # equal, made anew
    assert as_json(again) is first and made == ["Sales"]
    assert as_json(SearchDocument("Briefing", "Sales", "b/index.html", "A summary", "New text")) != first
    as_json.next_build()
    as_json.next_build()  # a build that did not ask for it
    as_json(doc)
    assert made == ["Sales", "Sales", "Sales"]
