"""The wheel is the product: built from the sdist, installed outside the tree, it makes, builds and serves a site.

The fresh venv gets the wheel alone (``--no-deps --no-index``: no network) and sees the
dependencies through a ``.pth`` file naming the test venv's site-packages. A ``.pth`` line only
adds a folder to ``sys.path``; the ``.pth`` files inside it (the editable install of the source
tree among them) are not run, so ``import site_builder`` can only find the installed wheel.
"""
from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, parse_html

pytestmark = [
    pytest.mark.wheel,
    # The test extra asks for it (make test installs it); an older venv made before then skips, saying why.
    pytest.mark.skipif(int(importlib.metadata.version("setuptools").split(".")[0]) < 77,
                       reason="needs setuptools>=77 from the test extra: pip install -e '.[test]'"),
]

NOT_SOURCES = (".git", ".venv", "_site", "._site.*", ".briefing-cache", "build", "dist", "*.egg-info",
               "__pycache__", ".pytest_cache", ".hypothesis", ".tools", "tests", "benchmarks")


def pep517(hook: str, source: Path, out: Path) -> tuple[str, str]:
    """Run setuptools' PEP 517 ``hook`` (build_sdist or build_wheel) in ``source``: (file made, its output)."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\nfrom setuptools import build_meta\nprint(build_meta.{hook}(sys.argv[1]))",
         str(out)], cwd=source, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1], done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The sdist made from a copy of the source tree, the wheel made from that sdist, and what each build said."""
    work = tmp_path_factory.mktemp("packaging")
    tree = work / "tree"
    shutil.copytree(REPO, tree, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    (work / "dist").mkdir()
    sdist, sdist_log = pep517("build_sdist", tree, work / "dist")
    with tarfile.open(work / "dist" / sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
        sdist_names = archive.getnames()
    unpacked = next((work / "unpacked").iterdir())
    wheel, wheel_log = pep517("build_wheel", unpacked, work / "dist")
    return {"wheel": work / "dist" / wheel, "sdist_names": sdist_names, "log": sdist_log + wheel_log}


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv, outside the source tree, with the wheel installed: its ``bin`` folder."""
    env = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(built["wheel"])], check=True, capture_output=True)
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    (Path(site_packages) / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return env / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """One command of the installed venv, run in ``cwd`` with no path into the source tree."""
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1710504000",
                               "HOME": str(cwd)}, timeout=300)


def test_the_wheel_and_sdist_build_without_warnings_and_carry_the_theme_license_and_types(built):
    # setuptools' own warnings (a data folder missing from the packages, a deprecated setting) name a Warning class
    assert "Warning" not in built["log"] and "would be ignored" not in built["log"], built["log"]
    names = zipfile.ZipFile(built["wheel"]).namelist()
    for name in ("site_builder/theme/templates/base.html", "site_builder/theme/templates/partials/fact.html",
                 "site_builder/theme/static/style.css", "site_builder/starter/content/site.yaml",
                 "site_builder/chart_fonts/fonts.conf", "site_builder/py.typed",
                 "site_builder/geo/countries-50m.json", "site_builder/geo/LICENSE-world-atlas"):
        assert name in names, name
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert any(name.endswith("/site_builder/theme/templates/base.html") for name in built["sdist_names"])
    metadata = zipfile.ZipFile(built["wheel"]).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    from site_builder import __version__
    assert f"\nVersion: {__version__}\n" in metadata
    assert "License-Expression: MIT" in metadata and "Classifier: Typing :: Typed" in metadata
    assert "Project-URL: Source," in metadata


def test_the_installed_wheel_makes_builds_checks_and_serves_a_new_site(installed, tmp_path):
    where = run(installed, "python", "-c", "import site_builder; print(site_builder.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout
    made = run(installed, "briefing", "new", "site", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "site"
    assert not (site / "templates" / "base.html").exists()  # the theme is read from the package
    built = run(installed, "briefing", "build", cwd=site)
    assert built.returncode == 0, built.stderr
    page = parse_html(site / "_site" / "briefings" / "example" / "index.html")
    assert page.h1.get_text() == "An example briefing"
    assert (site / "_site" / "static" / "style.css").is_file()
    checked = run(installed, "briefing", "check", "--strict", cwd=site)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([str(installed / "briefing"), "serve", "--port", "0"], cwd=site, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              env={"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        url = None
        for line in server.stdout:  # "Built in ... ms", then "Serving http://127.0.0.1:PORT/ ..."
            if url := re.search(r"Serving (http://127\.0\.0\.1:\d+/)", line):
                break
        assert url, "the server stopped before serving"
        with urllib.request.urlopen(url.group(1) + "briefings/example/", timeout=30) as response:
            served = response.read().decode()
        assert "An example briefing" in served
    finally:
        server.terminate()
        server.wait(timeout=30)
