"""Frozen means frozen: no frozen dataclass built from the repository's content holds a list, dict or set.

Reuse between builds compares objects by identity and assumes nothing handed on is ever changed, so the
model and every stage's results hold tuples, frozensets and ``FrozenDict`` (``site_builder/frozen.py``),
built complete when the object is made. The test imports every module, builds the default content through
the compute stage and the whole build, and walks every object reached (into nested dataclasses, tuples,
frozensets and mappings).
"""
from __future__ import annotations

import copy
import dataclasses
import importlib
import io
import json
import pickle
import pkgutil

import pytest

import site_builder
from site_builder.build import SiteBuilder
from site_builder.compute.library import build_library
from site_builder.compute.project import Project, load_content
from site_builder.compute.stage import compile_content
from site_builder.content.loader import load_yaml
from site_builder.frozen import FrozenDict, freeze, thaw
from site_builder.incremental.cache import Store
from site_builder.incremental.kept import SvgCache

from conftest import copy_default_project

MUTABLE = (list, dict, set, bytearray)


def frozen_dataclasses() -> set[type]:
    """Every ``@dataclass(frozen=True)`` defined in the package."""
    found = set()
    for info in pkgutil.walk_packages(site_builder.__path__, "site_builder."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__
                    and obj.__dataclass_params__.frozen):
                found.add(obj)
    return found


def mutable_parts(*roots: object) -> tuple[list[str], set[type]]:
    """Where a frozen dataclass reached from ``roots`` holds a list, dict or set (as ``Class.field...``),
    and which frozen dataclasses were reached."""
    found: list[str] = []
    reached: set[type] = set()
    seen: set[int] = set()

    def walk(value: object, where: str, inside: bool) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            frozen = type(value).__dataclass_params__.frozen
            if frozen:
                reached.add(type(value))
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{type(value).__name__}.{f.name}", frozen)
            return
        if inside and isinstance(value, MUTABLE) and not isinstance(value, FrozenDict):
            found.append(f"{where}: {type(value).__name__}")
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key, f"{where}[key]", inside)
                walk(item, f"{where}[{key!r}]", inside)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item, f"{where}[]", inside)

    for root in roots:
        walk(root, type(root).__name__, False)
    return sorted(set(found)), reached


@pytest.fixture(scope="module")
def default_project(tmp_path_factory) -> Project:
    return copy_default_project(tmp_path_factory.mktemp("frozen"))


def test_nothing_built_from_the_default_content_holds_a_list_dict_or_set(default_project):
    content = load_content(default_project)
    compiled = compile_content(content, SvgCache(Store(default_project.cache)))
    library = build_library(compiled.content, compiled.book, compiled.plans)
    documents = [load_yaml(path, path.relative_to(default_project.root))
                 for path in sorted(default_project.content.rglob("*.yaml"))]
    builder = SiteBuilder(default_project)
    result = builder.build()
    problems, reached = mutable_parts(compiled, library, result, builder._written, *documents)
    assert problems == []
    # The walk reached the model and every stage's results, not a corner of them.
    names = {cls.__name__ for cls in reached}
    assert {"Content", "SiteConfig", "Source", "Fact", "Derivation", "DataRef", "Check", "Chart", "ChartSeries",
            "Briefing", "BriefingMeta", "GlossaryTerm", "Dataset", "Column", "Table", "FactBook", "ResolvedFact",
            "CheckResult", "RenderedChart", "BriefingPlan", "BodyRefs", "FactRow", "Library", "Document",
            "BuildResult", "WrittenSite"} <= names, sorted(frozen_dataclasses() - reached, key=lambda c: c.__name__)


def test_the_walk_finds_a_list_anywhere_inside():
    @dataclasses.dataclass(frozen=True)
    class Inner:
        tags: object

    @dataclasses.dataclass(frozen=True)
    class Outer:
        inner: tuple
        table: object

    problems, reached = mutable_parts(Outer((Inner(("a", ["b"])),), FrozenDict({"k": {"x"}})))
    assert problems == ["Inner.tags[]: list", "Outer.table['k']: set"]
    assert reached == {Inner, Outer}


def test_a_frozen_dict_refuses_every_change_and_pickles():
    table = freeze({"a": [1, {"b": 2}], "c": {3}})
    assert table == {"a": (1, {"b": 2}), "c": frozenset({3})} and isinstance(table["a"][1], FrozenDict)
    for change in (lambda: table.__setitem__("x", 1), lambda: table.update(x=1), lambda: table.pop("a"),
                   lambda: table.setdefault("x", 1), lambda: table.clear(), lambda: table.__delitem__("a")):
        with pytest.raises(TypeError):
            change()
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # as memo.digest pickles
    pickler.dump(table)
    again = pickle.loads(buffer.getvalue())
    assert again == table and type(again) is FrozenDict and copy.copy(table) is table
    assert copy.deepcopy(table) == table and type(copy.deepcopy(table)) is FrozenDict
    spec = freeze({"layer": [{"mark": "bar"}]})
    assert json.loads(json.dumps(spec)) == thaw(spec) == {"layer": [{"mark": "bar"}]}
    assert type(thaw(spec)["layer"]) is list and type(thaw(spec)["layer"][0]) is dict


def test_content_is_read_only_whoever_builds_it():
    from site_builder.model import Content, SiteConfig

    content = Content(SiteConfig(title="T"), {}, {"f": "a fact"}, {}, {}, [])
    assert type(content.facts) is FrozenDict and content.briefings == () and type(content.tables) is FrozenDict
    with pytest.raises(TypeError):
        content.facts["g"] = "another"  # type: ignore[index]
    tables = FrozenDict({"f": "a fact"})
    assert Content(SiteConfig(title="T"), tables, tables, tables, tables, ()).facts is tables  # no copy
