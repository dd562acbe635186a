"""Cold builds of this tree and of an earlier commit, interleaved in one run (``bench.py --cold-against``).

Issue 13 asks that a cold 1,000 x 3 build be no slower than on the day it was
filed. The machine's speed changes from day to day by more than that margin,
so a time recorded then says little: the commit of that day (9204647, the
figures of 2026-11-25) is exported from git and built again here, beside this
tree, in turns, each on the synthetic site its own ``benchmarks/synth.py``
writes (the content format has grown since), with an empty cache each time.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from chart_cost import exported
from measure import Run, run_timed

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FILED = "9204647"  # the code whose figures issue 13 quotes (its cold 1,000 x 3: 65-71 s that day)

_WRITE_SITE = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1] + '/benchmarks'); import synth; "
               "synth.write_site(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))")


def cold_against(commit: str, work: Path, briefings: int, charts: int, rounds: int) -> dict[str, list[Run]]:
    """Cold builds of ``briefings`` x ``charts`` by this tree ("now") and by ``commit`` ("then"), taken in turn
    ``rounds`` times; each one's runs."""
    then = work / "then-tree"
    sha = exported(commit, then)
    trees = {"now": REPO, f"then ({sha[:7]})": then}
    sites = {}
    for name, tree in trees.items():
        root = work / f"against-{len(sites)}"
        subprocess.run([sys.executable, "-c", _WRITE_SITE, str(tree), str(root), str(briefings), str(charts)],
                       check=True)
        sites[name] = root
    runs: dict[str, list[Run]] = {name: [] for name in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            root = sites[name]
            shutil.rmtree(root / ".briefing-cache", ignore_errors=True)
            shutil.rmtree(root / "_site", ignore_errors=True)
            env = os.environ | {"SOURCE_DATE_EPOCH": "1710504000", "PYTHONPATH": str(tree)}
            runs[name].append(run_timed([sys.executable, "-m", "site_builder", "build", "--root", str(root)],
                                        cwd=root, env=env))
    return runs


def rows(runs: dict[str, list[Run]]) -> list[list[str]]:
    """Table rows: each tree's median wall time, spread, median CPU, peak memory, and its time over now's."""
    now = statistics.median(r.wall for r in runs["now"])
    table = []
    for name, done in runs.items():
        wall = statistics.median(r.wall for r in done)
        table.append([name, f"{wall:.2f}", f"{min(r.wall for r in done):.2f}-{max(r.wall for r in done):.2f}",
                      f"{statistics.median(r.cpu for r in done):.2f}",
                      f"{max(r.peak_rss for r in done) / 2**20:.0f} MiB", f"{wall / now:.2f}x"])
    return table
