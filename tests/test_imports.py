"""The import rules of the README's "Design" section, read from the source with ``ast``.

Data flows one way: load -> compute -> render -> write. A stage imports only
its own stage and earlier ones, never the incremental layer (the store, what
is kept between builds, the build's stamps) or the commands; those sit on top
and hand the stages what they need. Imports made only for type checkers
(``if TYPE_CHECKING:``) are not imports at run time and are not counted.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"

# Stages, earliest first. A module may import modules of its own stage or of an earlier one.
STAGES = {
    "base": {"errors", "model", "settings", "formatting", "html_tokens", "values", "periods", "files", "time_limit"},
    "load": {"raw_html", "loader", "chart_geo", "chart_checks", "validate", "scan", "glossary", "datasets", "history"},
    "compute": {"facts", "reconcile", "operations", "datafacts", "units", "pages", "library", "project", "charts",
                "chart_data", "chart_theme", "chart_axes", "chart_labels", "chart_custom", "chart_map", "chart_spec",
                "chart_describe", "parallel", "revisions", "headlines", "compute"},
    "render": {"render", "callouts", "search", "feeds", "site"},
    "write": {"output", "swap"},
}
INCREMENTAL = {"cache", "recall", "recorded", "kept", "written", "stamp", "memo"}
ON_TOP = {"build", "check", "cli", "deploy", "scaffold", "serve", "serve_http", "progress", "__main__", "__init__"}
ORDER = list(STAGES)
# Cycles known and not yet untangled; a new one fails the test. facts.resolve_facts runs the checks, which
# reconcile.py builds on facts' ResolvedFact and derive_fact (imported inside the function).
KNOWN_CYCLES = {frozenset({"facts", "reconcile"})}


def stage_of(module: str) -> str | None:
    return next((stage for stage, modules in STAGES.items() if module in modules), None)


def runtime_imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports at run time (module level or inside functions)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    typing_only = {id(node) for branch in ast.walk(tree)
                   if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
                   for node in ast.walk(branch)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("site_builder."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("site_builder.")}
    return {name.split(".")[0] for name in found}


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def test_every_module_has_a_place_in_the_rules():
    placed = set().union(*STAGES.values()) | INCREMENTAL | ON_TOP
    assert set(MODULES) - placed == set(), "add the new module to STAGES, INCREMENTAL or ON_TOP (and to README)"


@pytest.mark.parametrize("module", [m for m in MODULES if stage_of(m)])
def test_a_stage_imports_neither_the_incremental_layer_nor_the_commands(module):
    assert runtime_imports(module) & (INCREMENTAL | ON_TOP) == set()


@pytest.mark.parametrize("module", [m for m in MODULES if stage_of(m)])
def test_a_stage_imports_no_later_stage(module):
    mine = ORDER.index(stage_of(module))
    later = {name for name in runtime_imports(module) if stage_of(name) and ORDER.index(stage_of(name)) > mine}
    assert later == set(), f"{module} ({stage_of(module)}) imports a later stage"


def test_there_is_no_import_cycle():
    graph = {m: runtime_imports(m) & set(MODULES) for m in MODULES}
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(module: str, path: tuple[str, ...]) -> None:
        state[module] = 1
        for name in sorted(graph[module]):
            if frozenset({module, name}) in KNOWN_CYCLES:
                continue
            assert state.get(name) != 1, "import cycle: " + " -> ".join(path + (module, name))
            if name not in state:
                visit(name, path + (module,))
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module, ())


def test_the_rules_see_an_import_that_breaks_them(tmp_path, monkeypatch):
    """The checker itself: a stage importing the store is caught, a type-checking import is not."""
    fake = tmp_path / "site_builder"
    fake.mkdir()
    (fake / "charts.py").write_text("from typing import TYPE_CHECKING\nfrom .cache import Store\n"
                                    "if TYPE_CHECKING:\n    from .memo import RenderMemo\n"
                                    "def f():\n    from .site import SiteRenderer\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    assert runtime_imports("charts") == {"cache", "site"}
