"""What charts cost (``make bench``; not a test): build time per chart against a recorded baseline, and the
gzipped weight of each briefing page of the repository's site, without JavaScript and with it.

Issue 15 asks that a chart cost at most 1.5x the build time it had before the chart work began, and that
a briefing page with three charts stay under 100 KB gzipped without JavaScript. The baseline,
``chart-baseline.json``, was measured from the commit before that work (``--record``); each run measures
the same charts of the repository's site now, on the same machine, in the same way: the chart's spec and
its SVG(s) drawn by vl-convert (what ``draw_chart`` does; now two artboards, then one), median CPU time of
several draws after a warm-up, in a fresh process.

    python benchmarks/chart_cost.py                     # this tree against the recorded baseline
    python benchmarks/chart_cost.py --record cfb47cf^   # measure a commit and record it as the baseline
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINE = HERE / "chart-baseline.json"
FIXTURE = REPO / "tests" / "fixtures" / "charts"  # one chart of every kind, for the kinds the baseline lacked
sys.path.insert(0, str(HERE))

from measure import page_weight  # noqa: E402

LIMIT_RATIO, LIMIT_PAGE = 1.5, 100_000

# Run in a fresh process with PYTHONPATH at the tree measured; works with the layout before and after the
# stage sub-packages (site_builder.charts then, site_builder.compute.charts now).
DRAW_TIMES = r"""
import json, statistics, sys, time
from pathlib import Path
try:
    from site_builder.compute.charts import chart_points, describe_chart, draw_chart
    from site_builder.compute.facts import resolve_facts
    from site_builder.compute.project import Project, load_content
except ImportError:
    from site_builder.charts import chart_points, describe_chart, draw_chart
    from site_builder.facts import resolve_facts
    from site_builder.project import Project, load_content
from site_builder.errors import ErrorCollector

root, runs = Path(sys.argv[1]), int(sys.argv[2])
content = load_content(Project.at(root))
errors = ErrorCollector()
book = resolve_facts(content, errors)
found = {}
for chart in content.charts.values():
    points = chart_points(chart, book, errors)
    if not points:
        continue
    description = describe_chart(chart, points)
    draw_chart(chart, points, description)  # warm-up: fonts, the first spec's imports
    cpu, wall = [], []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        drawn = draw_chart(chart, points, description)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    found[chart.id] = {"type": chart.type, "svgs": sum(1 for d in drawn if d.lstrip().startswith("<svg")),
                       "cpu_ms": round(1000 * statistics.median(cpu), 1),
                       "wall_ms": round(1000 * statistics.median(wall), 1)}
print(json.dumps(found))
"""


def draw_times(tree: Path, project: Path | None = None, runs: int = 7) -> dict[str, dict]:
    """Per chart of ``project`` (default: ``tree``'s own content) drawn by ``tree``'s code: its kind, how many
    SVGs it draws, median CPU and wall ms a draw."""
    env = os.environ | {"PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": "1710504000"}
    done = subprocess.run([sys.executable, "-c", DRAW_TIMES, str(project or tree), str(runs)], env=env, cwd=tree,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def exported(commit: str, folder: Path) -> str:
    """``commit``'s tree written into ``folder`` (its code and its content); returns the full commit id."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", commit], capture_output=True, text=True,
                          check=True).stdout.strip()


def record(commit: str) -> None:
    """Measure ``commit`` and write the baseline (its figures, and the commit to measure again in each run)."""
    with tempfile.TemporaryDirectory(prefix="chart-baseline-") as tmp:
        sha = exported(commit, Path(tmp))
        charts = draw_times(Path(tmp))
    BASELINE.write_text(json.dumps({"commit": sha, "measured_on": f"{os.cpu_count()} CPU(s)", "charts": charts},
                                   indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"chart_cost: baseline of {sha[:10]} recorded in {BASELINE.relative_to(REPO)}")


def interleaved(trees: dict[str, Path], rounds: int) -> dict[str, dict[str, dict]]:
    """``draw_times`` of each tree, taken in turn ``rounds`` times (so that the machine's load falls on all
    alike); each chart's lowest median of the rounds."""
    best: dict[str, dict[str, dict]] = {name: {} for name in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            for chart, cost in draw_times(tree).items():
                kept = best[name].get(chart)
                if kept is None or cost["cpu_ms"] < kept["cpu_ms"]:
                    best[name][chart] = cost
    return best


def compare(rounds: int = 3) -> list[str]:
    """Lines comparing each chart's cost now with the baseline commit's, measured again in this run (the
    recorded figures beside), then the new kinds' costs and the pages' weights."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    recorded = baseline["charts"]
    with tempfile.TemporaryDirectory(prefix="chart-baseline-") as tmp:
        try:
            exported(baseline["commit"], Path(tmp))
        except (OSError, subprocess.CalledProcessError):  # no git, or a copy without the history
            now, then, how = interleaved({"now": REPO}, rounds)["now"], recorded, "as recorded (no git history here)"
        else:
            measured = interleaved({"now": REPO, "then": Path(tmp)}, rounds)
            now, then, how = measured["now"], measured["then"], f"measured in the same run, and as recorded in {BASELINE.name}"
    lines = [f"chart_cost: per chart, CPU ms of one draw (spec and SVGs; lowest of {rounds} interleaved rounds' "
             f"medians), now vs {baseline['commit'][:10]} (before issue 15's chart work) {how}; at most {LIMIT_RATIO}x allowed"]
    for chart in sorted(c for c in now if c in then):
        n, t = now[chart], then[chart]
        ratio = n["cpu_ms"] / t["cpu_ms"]
        was = f"recorded {recorded[chart]['cpu_ms']:5.1f} ms" if chart in recorded else ""
        lines.append(f"  {chart:34} {n['type']:17} {n['svgs']} SVG {n['cpu_ms']:6.1f} ms  then {t['svgs']} SVG "
                     f"{t['cpu_ms']:6.1f} ms  {ratio:4.2f}x  {'ok' if ratio <= LIMIT_RATIO else 'OVER'}  ({was})")
    same = [c for c in now if c in then]
    total_now, total_then = sum(now[c]["cpu_ms"] for c in same), sum(then[c]["cpu_ms"] for c in same)
    lines.append(f"  the {len(same)} charts of both: {total_now:.1f} ms now, {total_then:.1f} ms then, "
                 f"{total_now / total_then:.2f}x")
    mean_then = total_then / len(same)
    kinds = now | {f"{chart} (fixture)": cost for chart, cost in draw_times(REPO, FIXTURE).items()}
    for chart in sorted(c for c in kinds if c not in then):
        n = kinds[chart]
        lines.append(f"  {chart:34} {n['type']:17} {n['svgs']} SVG {n['cpu_ms']:6.1f} ms  (a new chart; "
                     f"{n['cpu_ms'] / mean_then:4.2f}x the baseline's mean chart)")
    return lines + page_weights()


def page_weights() -> list[str]:
    """Each briefing page of the repository's site: its charts and its weight gzipped, without and with JS."""
    sys.path.insert(0, str(REPO / "scripts"))
    from sitebrowser import build_default_site

    lines = [f"page_weight: each briefing gzipped, without JavaScript (HTML, CSS, scripts, images) and after its "
             f"charts turn interactive (plus the Vega bundle); a page with three charts must stay under "
             f"{LIMIT_PAGE / 1000:.0f} KB without"]
    from site_builder.commands.build_command import build_site
    from site_builder.compute.project import Project

    with tempfile.TemporaryDirectory(prefix="chart-weight-") as tmp:
        fixture = Path(tmp) / "fixture"
        shutil.copytree(FIXTURE / "content", fixture / "content")
        build_site(Project.at(fixture))
        pages = [(build_default_site(Path(tmp)), ""), (fixture / "_site", " (fixture)")]
        for site, path, where in [(site, path, where) for site, where in pages
                                  for path in sorted(site.glob("briefings/*/index.html"))]:
            page = path.relative_to(site).as_posix() + where
            weight = page_weight(site, path.relative_to(site).as_posix())
            charts = path.read_text(encoding="utf-8").count('<figure class="chart"')
            lazy = sum(len(gzip.compress((path.parent / ref).read_bytes(), 9, mtime=0)) for ref in weight.lazy)
            verdict = ("ok" if weight.gzip_total < LIMIT_PAGE else "OVER") if charts >= 3 else ""
            lines.append(f"  {page:64} {charts} chart(s)  {weight.gzip_total / 1000:6.1f} KB without JS  "
                         f"{(weight.gzip_total + lazy) / 1000:6.1f} KB with  {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Record a baseline (``--record COMMIT``) or print this tree's figures against it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", metavar="COMMIT", help="measure COMMIT and record it as the baseline")
    args = parser.parse_args(argv)
    if args.record:
        record(args.record)
    else:
        print("\n".join(compare()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
