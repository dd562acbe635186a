"""Rebuilds in one long-running process, as ``briefing serve`` does them; prints its timings as JSON.

Run by bench.py in a child process: ``python inprocess.py ROOT EDIT_FILE OLD NEW``.
It builds once (the disk caches are already warm), rebuilds with nothing
changed, then gives one fact new values, rebuilding after each edit.
"""
from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from pathlib import Path

from site_builder import build
from site_builder.compute.project import Project


def main(root: str, edit_file: str, old: str, new: str) -> dict:
    """Seconds for a first build, a no-op rebuild and a one-fact rebuild, and how many files each changed.

    The no-op figure is the median of three rebuilds. The fact is then given
    five new values in turn (``OLD`` with a digit added: not ``NEW``, which the
    caller has drawn already), so that each edit draws its chart again: the first edit is reported apart (it also
    imports Altair, once per process), then the median of the other four.
    """
    builder = build.SiteBuilder(Project.at(root), serving=True)  # as briefing serve makes it
    path = Path(edit_file)

    def timed(edit: tuple[str, str] | None = None) -> tuple[float, int]:
        # As briefing serve does: objects kept set aside from the collector, garbage collected while idle.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        if edit:
            path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
        start = time.perf_counter()
        result = builder.build()
        return time.perf_counter() - start, len(result.changed)

    timings = {}
    timings["first"], timings["first_changed"] = timed()
    noops = [timed() for _ in range(3)]
    timings["noop"], timings["noop_changed"] = statistics.median(t for t, _ in noops), noops[-1][1]
    values = [f"{old}{digit}" for digit in range(2, 7)]  # OLD ends with the fact's value; NEW is OLD + "1"
    edits = [timed((before, after)) for before, after in zip([old] + values, values)]
    timings["edit_first"], timings["edit_first_changed"] = edits[0]
    timings["edit"], timings["edit_changed"] = statistics.median(t for t, _ in edits[1:]), edits[-1][1]
    return timings


if __name__ == "__main__":
    if not hasattr(build, "SiteBuilder"):
        print(json.dumps({"missing": "site_builder.build has no SiteBuilder"}))
    else:
        print(json.dumps(main(*sys.argv[1:5])))
