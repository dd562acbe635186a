"""Rebuilds in one long-running process, as ``briefing serve`` does them; prints its timings as JSON.

Run by bench.py in a child process: ``python inprocess.py ROOT EDIT_FILE OLD NEW``.
It builds once (the disk caches are already warm), rebuilds with nothing
changed, edits one fact and rebuilds again.
"""
from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

from site_builder import build
from site_builder.project import Project


def main(root: str, edit_file: str, old: str, new: str) -> dict:
    """Seconds for a first build, a no-op rebuild and a one-fact rebuild, and what the last one changed."""
    builder = build.SiteBuilder(Project.at(root))
    timings = {}
    for step in ("first", "noop", "edit"):
        gc.freeze()  # as briefing serve does after each build (serve.DevServer._watch)
        if step == "edit":
            path = Path(edit_file)
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        start = time.perf_counter()
        result = builder.build()
        timings[step] = time.perf_counter() - start
        timings[f"{step}_changed"] = len(result.changed)
    return timings


if __name__ == "__main__":
    if not hasattr(build, "SiteBuilder"):
        print(json.dumps({"missing": "site_builder.build has no SiteBuilder"}))
    else:
        print(json.dumps(main(*sys.argv[1:5])))
