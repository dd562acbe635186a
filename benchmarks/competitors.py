"""Hugo, MkDocs, Pelican and a plain Python loop building the same Markdown, installed on demand.

Hugo comes from Debian (``apt-get install hugo``, only when running as root);
MkDocs and Pelican are installed with pip into their own virtual environment
under ``benchmarks/.tools/``, so that they never touch the project's ``.venv``.
The plain loop (``plain_loop.py``: Python-Markdown + Jinja2 + PyYAML, one loop)
runs with the Python running the benchmark, whose libraries site_builder uses.
A competitor that cannot be installed is skipped with the reason.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from measure import Run, run_timed

HERE = Path(__file__).resolve().parent
TOOLS = HERE / ".tools"
PIP_PACKAGES = {"mkdocs": "mkdocs==1.6.*", "pelican": "pelican[markdown]==4.12.*"}
Page = tuple[str, str, str]  # slug, title, Markdown body


@dataclass(frozen=True)
class Competitor:
    """A generator to compare with: its name and version, or why it is not available."""

    name: str
    version: str = ""
    missing: str = ""


def ensure(name: str) -> Competitor:
    """Install ``name`` (hugo, mkdocs, pelican or plain) if needed; says why not when it cannot be installed."""
    try:
        if name == "plain":
            return _plain_loop()
        if name == "hugo":
            return _ensure_hugo()
        return _ensure_pip_tool(name)
    except (OSError, subprocess.CalledProcessError) as exc:
        return Competitor(name, missing=f"install failed: {str(exc).strip()[:200]}")


def _ensure_hugo() -> Competitor:
    if not shutil.which("hugo"):
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            return Competitor("hugo", missing="not installed (as root: apt-get install hugo)")
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], check=False, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not shutil.which("hugo"):
            subprocess.run(["apt-get", "update", "-q"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True).stdout
    return Competitor("hugo", out.split()[1] if len(out.split()) > 1 else out.strip())


def _plain_loop() -> Competitor:
    import importlib.metadata as metadata

    versions = [f"{n} {metadata.version(n)}" for n in ("markdown", "jinja2", "pyyaml")]
    return Competitor("plain", ", ".join(versions))


def _ensure_pip_tool(name: str) -> Competitor:
    python = TOOLS / "venv" / "bin" / "python"
    if not python.exists():
        venv.create(TOOLS / "venv", with_pip=True)
    if subprocess.run([python, "-c", f"import {name}"], capture_output=True).returncode:
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PIP_PACKAGES[name]],
                       check=True, capture_output=True, text=True)
    version = subprocess.run([python, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return Competitor(name, version)


def write_project(name: str, root: Path, pages: list[Page]) -> None:
    """Write ``pages`` as a project of ``name`` under ``root``, with its minimal configuration."""
    {"hugo": _write_hugo, "mkdocs": _write_mkdocs, "pelican": _write_pelican,
     "plain": _write_plain}[name](root, pages)


def build(name: str, root: Path) -> Run:
    """Build the project of ``name`` at ``root`` once, measured."""
    if name == "plain":
        return run_timed([sys.executable, str(HERE / "plain_loop.py"), "content", "output"], cwd=root)
    if name == "hugo":
        return run_timed(["hugo", "--quiet", "--destination", str(root / "public")], cwd=root)
    python = str(TOOLS / "venv" / "bin" / "python")
    if name == "mkdocs":
        return run_timed([python, "-m", "mkdocs", "build", "--quiet", "--clean"], cwd=root)
    return run_timed([python, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"], cwd=root)


def output_folder(name: str, root: Path) -> Path:
    """Where ``name`` wrote the site."""
    return root / {"hugo": "public", "mkdocs": "site", "pelican": "output", "plain": "output"}[name]


def _write_hugo(root: Path, pages: list[Page]) -> None:
    (root / "content" / "posts").mkdir(parents=True, exist_ok=True)
    (root / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text('baseURL = "https://example.org/"\ntitle = "Bench"\n'
                                      'disableKinds = ["taxonomy", "term"]\n', encoding="utf-8")
    layouts = root / "layouts" / "_default"
    (layouts / "baseof.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
        "<body><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n", encoding="utf-8")
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n',
                                         encoding="utf-8")
    (layouts / "list.html").write_text('{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
                                       "{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n", encoding="utf-8")
    for slug, title, body in pages:
        (root / "content" / "posts" / f"{slug}.md").write_text(
            f'---\ntitle: "{title}"\ndate: 2023-01-01\n---\n{body}', encoding="utf-8")


def _write_plain(root: Path, pages: list[Page]) -> None:
    from plain_loop import write_pages

    write_pages(root / "content", pages)


def _write_mkdocs(root: Path, pages: list[Page]) -> None:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text("site_name: Bench\nmarkdown_extensions: [tables, sane_lists, smarty, toc]\n",
                                     encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Bench\n", encoding="utf-8")
    for slug, title, body in pages:
        (root / "docs" / f"{slug}.md").write_text(f"# {title}\n\n{body}", encoding="utf-8")


def _write_pelican(root: Path, pages: list[Page]) -> None:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "pelicanconf.py").write_text(
        'AUTHOR = "Bench"\nSITENAME = "Bench"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "UTC"\n'
        'DEFAULT_LANG = "en"\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n'
        "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = False\n"
        'MARKDOWN = {"extensions": ["markdown.extensions.tables", "markdown.extensions.sane_lists", '
        '"markdown.extensions.smarty", "markdown.extensions.toc"], "output_format": "html5"}\n', encoding="utf-8")
    for slug, title, body in pages:
        (root / "content" / f"{slug}.md").write_text(
            f"Title: {title}\nDate: 2023-01-01\nSlug: {slug}\n\n{body}", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a manual check: python benchmarks/competitors.py hugo
    for tool in sys.argv[1:]:
        print(ensure(tool))
