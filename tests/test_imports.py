"""The import rules of the README's "Design" section, read from the source with ``ast``.

The layout is the pipeline: the base modules at the top of ``site_builder/`` (shared types, errors,
numbers and dates), then one sub-package per stage, earliest first: ``content/`` (load and validate),
``compute/``, ``render/``, and the write modules (``output``, ``swap``) at the top again. A stage
imports only its own stage and earlier ones, never a later stage, the incremental layer
(``incremental/``) or the commands (``commands/``, ``build``, ``cli``); those sit on top and hand the
stages what they need; the incremental layer sits between the stages and those. Imports made only for
type checkers (``if TYPE_CHECKING:``) are not imports at run time and are not counted. The README's
Design section is read too: its list of the stages and its table of modules name every module, each
sub-package's docstring says what it never imports (and it does not), and every ``module.name`` the
section gives is defined.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"

BASE = {"errors", "model", "chart_model", "data_model", "frozen", "formatting", "html_tokens", "values", "periods", "files", "time_limit", "settings",
        "terminal"}
WRITE = {"output", "swap"}
TOP_ON_TOP = {"build", "cli", "progress", "__main__", "__init__"}
ORDER = ["base", "content", "compute", "render", "write"]
SUBPACKAGES = {"content", "compute", "render", "incremental", "commands"}


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by its name (names are unique across sub-packages)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if len(rel.parts) > 2 or (path.name == "__init__.py" and len(rel.parts) == 2):
            continue
        found[path.stem] = path
    return found


def place_of(name: str, package: Path) -> str:
    """The folder a module sits in: 'top' or its sub-package."""
    rel = modules(package)[name].relative_to(package)
    return rel.parts[0] if len(rel.parts) == 2 else "top"


def stage_of(name: str, package: Path | None = None) -> str | None:
    package = package or PACKAGE
    place = place_of(name, package)
    if place == "top":
        return "base" if name in BASE else "write" if name in WRITE else None
    return place if place in ORDER else None


def runtime_imports(name: str, package: Path | None = None) -> set[str]:
    """The package's modules that ``name`` imports at run time (module level or inside functions)."""
    package = package or PACKAGE
    path = modules(package)[name]
    here = ("site_builder",) + path.relative_to(package).parts[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for branch in ast.walk(tree)
                   if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
                   for node in ast.walk(branch)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = base + tuple((node.module or "").split(".")) if node.module else base
            elif (node.module or "").startswith("site_builder"):
                target = tuple(node.module.split("."))
            else:
                continue
            found |= _named(target, [a.name for a in node.names], package)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("site_builder."):
                    found |= _named(tuple(alias.name.split(".")), [], package)
    return found - {name}


def _named(target: tuple[str, ...], names: list[str], package: Path) -> set[str]:
    folder = package.joinpath(*target[1:])
    if folder.is_dir():  # `from .compute import facts` or `from . import __version__`
        return {n for n in names if (folder / f"{n}.py").exists()} | ({"__init__"} if folder == package else set())
    return {target[-1]}


MODULES = sorted(modules(PACKAGE))


def test_the_layout_is_the_pipeline():
    subfolders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert SUBPACKAGES <= subfolders
    top = {name for name in MODULES if place_of(name, PACKAGE) == "top"}
    assert top - (BASE | WRITE | TOP_ON_TOP) == set(), "a new top-level module: place it in a stage's sub-package"
    for sub in SUBPACKAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / sub / "__init__.py").read_text(encoding="utf-8")))
        assert doc and ("May import" in doc or "may import" in doc), f"{sub}/__init__.py says what it may import"


def test_module_names_are_unique_across_the_package():
    stems = [p.stem for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]
    assert len(stems) == len(set(stems))


@pytest.mark.parametrize("module", [m for m in MODULES if stage_of(m)])
def test_a_stage_imports_neither_the_incremental_layer_nor_the_commands(module):
    on_top = {m for m in MODULES if stage_of(m) is None}
    assert runtime_imports(module) & on_top == set()


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
            assert state.get(name) != 1, "import cycle: " + " -> ".join(path + (module, name))
            if name not in state:
                visit(name, path + (module,))
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module, ())


def test_the_rules_see_an_import_that_breaks_them(tmp_path):
    """The checker itself: a stage importing the store is caught, a type-checking import is not."""
    fake = tmp_path / "site_builder"
    for sub in ("compute", "incremental", "render"):
        (fake / sub).mkdir(parents=True)
        (fake / sub / "__init__.py").write_text("", encoding="utf-8")
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "errors.py").write_text("", encoding="utf-8")
    (fake / "incremental" / "cache.py").write_text("", encoding="utf-8")
    (fake / "incremental" / "memo.py").write_text("", encoding="utf-8")
    (fake / "render" / "site.py").write_text("", encoding="utf-8")
    (fake / "compute" / "charts.py").write_text(
        "from typing import TYPE_CHECKING\nfrom ..incremental.cache import Store\nfrom ..errors import BuildError\n"
        "if TYPE_CHECKING:\n    from ..incremental.memo import RenderMemo\n"
        "def f():\n    from site_builder.render import site\n", encoding="utf-8")
    assert runtime_imports("charts", fake) == {"cache", "errors", "site"}
    assert stage_of("charts", fake) == "compute" and stage_of("cache", fake) is None


MAX_LINES = 320  # the README's "about 300": a module past it does more than one thing


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_over_about_300_lines(module):
    lines = modules(PACKAGE)[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}.py has {lines} lines: split it along a seam (README, Design)"


README = PACKAGE.parent / "README.md"


def test_the_readme_lists_every_module_in_its_stage():
    """The Design section's list of stages names each module of each folder, and no module that is not there."""
    text = README.read_text(encoding="utf-8")
    listed = {}
    for place, pattern in (("base", "- base (top level):"), ("content", "- `content/` (load):"),
                           ("compute", "- `compute/`:"), ("render", "- `render/`:"), ("write", "- write (top level):"),
                           ("incremental", "- `incremental/`, on top of the stages:"),
                           ("commands", "on top of everything:")):
        line = next(line for line in text.splitlines() if pattern in line)
        listed[place] = set(re.findall(r"`(\w+)`", line.split(pattern, 1)[1]))
    top = {name for name in MODULES if place_of(name, PACKAGE) == "top"}
    found = {"base": top & BASE, "write": top & WRITE,
             **{sub: {m for m in MODULES if place_of(m, PACKAGE) == sub} for sub in SUBPACKAGES}}
    assert listed == found


ON_TOP = TOP_ON_TOP - {"__init__", "__main__"}  # build, cli, progress: on top of everything with the commands


@pytest.mark.parametrize("module", [m for m in MODULES if place_of(m, PACKAGE) == "incremental"])
def test_the_incremental_layer_imports_nothing_on_top_of_it(module):
    """It sits on the stages and below the commands: no command, nor build, cli or progress (README, Design)."""
    above = {m for m in MODULES if place_of(m, PACKAGE) == "commands"} | ON_TOP
    assert runtime_imports(module) & above == set()


def _never(sub: str) -> set[str]:
    # The modules a sub-package's docstring says it never imports: "Never compute, render, output, ... or commands."
    doc = ast.get_docstring(ast.parse((PACKAGE / sub / "__init__.py").read_text(encoding="utf-8"))) or ""
    said = re.search(r"Never ([\w ,]+)", doc)
    names = set(re.findall(r"\w+", said.group(1))) if said else set()
    found = set()
    for name in names:
        if name in SUBPACKAGES:
            found |= {m for m in MODULES if place_of(m, PACKAGE) == name}
        elif name in MODULES and place_of(name, PACKAGE) == "top":
            found.add(name)
    return found


@pytest.mark.parametrize("sub", sorted(SUBPACKAGES - {"commands"}))
def test_each_sub_package_keeps_to_what_its_docstring_says(sub):
    never = _never(sub)
    assert never, f"{sub}/__init__.py says what it never imports"
    for module in (m for m in MODULES if place_of(m, PACKAGE) == sub):
        assert runtime_imports(module) & never == set(), f"{module} imports what {sub}/__init__.py rules out"


def _design() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Design")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_readme_table_of_modules_names_every_module():
    """Each module is in the Design section's table (by path, or by a `compute/chart_*.py` pattern), where it is."""
    design = _design()
    table = design[design.index("| module | stage |"):]
    table = table[:table.index("\n\n")]
    named = [(folder.rstrip("/") or "top", stem, star)
             for folder, stem, star in re.findall(r"`((?:\w+/)?)(\w+?)(\*?)\.py`", table)
             if folder.rstrip("/") in SUBPACKAGES | {""}]

    def covers(entry: tuple[str, str, str], module: str) -> bool:
        place, stem, star = entry
        return place_of(module, PACKAGE) == place and (module.startswith(stem) if star else module == stem)

    for entry in named:
        assert any(covers(entry, m) for m in MODULES), f"the table names {entry}, which is not there"
    missing = {m for m in MODULES if m != "__init__" and not any(covers(entry, m) for entry in named)}
    assert missing == set(), "modules the README's table of modules does not name"


def test_the_names_the_design_section_gives_exist():
    """Every `module.name` (or `module.Class.method`) the Design section names is defined there."""
    by_stem = modules(PACKAGE)
    checked = 0
    for folder, stem, names in re.findall(r"`((?:\w+/)?)(\w+)((?:\.\w+)+)`", _design()):
        parts = names.lstrip(".").split(".")
        if stem not in by_stem or parts[0] in ("py", "yaml", "md", "json"):
            continue
        tree = ast.parse(by_stem[stem].read_text(encoding="utf-8"))
        scope: list[ast.stmt] = tree.body
        for part in parts:
            found = _defined(scope).get(part)
            assert found is not None, f"README names {folder}{stem}{names}: {stem}.py defines no {part}"
            scope = found.body if isinstance(found, ast.ClassDef) else []
        checked += 1
    assert checked >= 10  # the check reads what the section names (it names dozens)


def _defined(body: list[ast.stmt]) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            names.update({t.id: node for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update({(a.asname or a.name).split(".")[0]: node for a in node.names})
    return names
