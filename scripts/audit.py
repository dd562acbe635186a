"""Lighthouse scores (performance, accessibility) of the default briefing, served over http on 127.0.0.1.

Usage: ``python scripts/audit.py`` (``make audit``). Lighthouse comes from npm and is installed on first
use into ``.tools/`` (git-ignored); it drives Debian's Chromium (CHROME_PATH). Not part of ``make test``:
its scores vary with the machine's load, so they are figures to read, not assertions.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sitebrowser import CHROMIUM, CHROMIUM_ARGS, REPO, build_default_site, default_briefing, serve_folder

TOOLS = REPO / ".tools"
# Lighthouse 13 needs Node 22; 12.x runs on the Node 18/20 that Debian and most machines have.
LIGHTHOUSE = "lighthouse@12"
CATEGORIES = ("performance", "accessibility")


def lighthouse_binary() -> Path:
    """The Lighthouse CLI in .tools/, installed with npm when it is missing."""
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        raise SystemExit("make audit needs Node.js and npm (Debian: apt-get install nodejs npm)")
    print(f"Installing {LIGHTHOUSE} into {TOOLS.relative_to(REPO)}/ ...", file=sys.stderr)
    TOOLS.mkdir(exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error",
                    LIGHTHOUSE], check=True, stdin=subprocess.DEVNULL)
    return binary


def lighthouse_scores(url: str) -> dict[str, int]:
    """Lighthouse's score out of 100 for each of CATEGORIES, on a desktop profile without throttling."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        command = [str(lighthouse_binary()), url, "--quiet", "--output=json", f"--output-path={report}",
                   f"--only-categories={','.join(CATEGORIES)}", "--preset=desktop",
                   f"--chrome-flags={' '.join(CHROMIUM_ARGS)}"]
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL, env={**os.environ, "CHROME_PATH": CHROMIUM})
        categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def main() -> None:
    """Build the default site, serve it, and print the Lighthouse scores of its briefing."""
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `make chromium` (as root) first")
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        site = build_default_site(Path(tmp))
        briefing = default_briefing(site)
        with serve_folder(site) as base:
            scores = lighthouse_scores(base + briefing)
    print(f"lighthouse {briefing}: " + ", ".join(f"{name} {score}" for name, score in scores.items()))


if __name__ == "__main__":
    main()
