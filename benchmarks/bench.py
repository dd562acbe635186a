"""Build-speed figures for site_builder, printed as tables (``make bench``; not a test).

1. A synthetic site of N briefings with K charts each: cold build (empty chart
   cache, no output), no-op rebuild, one fact edited, peak memory, output size
   and the bytes one page costs a reader. Also the same rebuilds in one
   long-running process, as ``briefing serve`` does them.
2. The same Markdown without charts built by site_builder, Hugo, MkDocs,
   Pelican and a plain Python loop (``plain_loop.py``) in the same run, at
   1,000 and 4,000 pages: medians and spread of interleaved cold builds, each
   tool's time as a ratio to site_builder's, and how each grows from the first
   size to the last.
3. A 10,000-briefing chart-free site built cold: wall, CPU and peak memory.
4. The repository's own site: cold build, no-op rebuild, one fact edited.
5. With ``--cold-against COMMIT``: cold builds of the synthetic site by this
   tree and by an earlier commit, interleaved (``against.py``; issue 13's
   "no slower than the day it was filed" is ``--cold-against 9204647``).

Everything is built in a temporary folder; nothing is written to the repository
except the competitors' tools under benchmarks/.tools/ (git-ignored).

    python benchmarks/bench.py                                  # N=200, K=1, comparisons at 1,000 and 4,000
    python benchmarks/bench.py --briefings 1000 --charts 3      # the big run
    python benchmarks/bench.py --pages 1000 --memory-briefings 0 --no-serve   # the 1,000-page comparison alone
    python benchmarks/bench.py --briefings 1000 --charts 3 --cold-against 9204647   # and against that day's code
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import against  # noqa: E402
import competitors  # noqa: E402
import synth  # noqa: E402
from measure import Run, folder_bytes, page_weight, run_timed  # noqa: E402

ENV = os.environ | {"SOURCE_DATE_EPOCH": "1710504000", "PYTHONPATH": str(REPO)}
TOOLS = ("hugo", "mkdocs", "pelican", "plain")
_CHANGED = re.compile(r"(\d+) of (\d+) files changed")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    args = _parser().parse_args(argv)
    tools = [] if args.competitors == "none" else [t.strip() for t in args.competitors.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        print(f"unknown competitor(s): {', '.join(unknown)} (choose from {', '.join(TOOLS)})", file=sys.stderr)
        return 2
    print(f"site_builder benchmark: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, "
          f"BRIEFING_WORKERS={os.environ.get('BRIEFING_WORKERS', '(auto)')}")
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        work = Path(tmp)
        site = synth.write_site(work / "synthetic", args.briefings, args.charts)
        _section(f"Synthetic site: {args.briefings} briefings x {args.charts} chart(s) each")
        middle = f"briefings/b{args.briefings // 2:04d}/index.html"
        _print_site_figures(_site_figures(site.root, site.edit_one_fact, args.repeat, middle))
        if not args.no_serve:
            _print_serve_figures(site)
        sizes = [int(n) for n in args.pages.split(",") if n.strip()] if args.pages else [args.briefings]
        if tools and sizes and sizes[0]:
            _compare_sizes(work, sizes, tools, args.compare_repeat)
        if args.memory_briefings:
            _section(f"A large site: {args.memory_briefings} briefings, no charts, cold")
            _memory_run(work, args.memory_briefings)
        if not args.no_default_site:
            _section("The repository's own site (content/)")
            _print_site_figures(_site_figures(_copy_default_site(work / "default"), None, args.repeat, None))
        if args.cold_against:
            _section(f"Cold builds of {args.briefings} x {args.charts}: this tree and {args.cold_against}, "
                     f"{args.against_rounds} interleaved rounds")
            runs = against.cold_against(args.cold_against, work, args.briefings, args.charts, args.against_rounds)
            _table(["code", "wall s (median)", "spread", "CPU s", "peak memory", "it / now"], against.rows(runs))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefings", type=int, default=200, help="N, briefings in the synthetic site (default 200)")
    parser.add_argument("--charts", type=int, default=1, help="K, charts per briefing (default 1)")
    parser.add_argument("--pages", default="1000,4000",
                        help="comma-separated page counts for the comparison with the other tools (default 1000,4000)")
    parser.add_argument("--competitors", default=",".join(TOOLS),
                        help="comma-separated: hugo,mkdocs,pelican,plain, or none (default: all four)")
    parser.add_argument("--compare-repeat", type=int, default=3,
                        help="cold builds of each tool at each size, interleaved; medians are shown (default 3)")
    parser.add_argument("--memory-briefings", type=int, default=10000,
                        help="briefings of the large chart-free site built for peak memory, 0 to skip (default 10000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each warm measurement this many times, keep the best")
    parser.add_argument("--no-serve", action="store_true", help="skip the in-process (briefing serve) rebuilds")
    parser.add_argument("--no-default-site", action="store_true", help="skip the repository's own site")
    parser.add_argument("--cold-against", metavar="COMMIT",
                        help=f"also build the synthetic site cold with COMMIT's code, in turns with this tree's "
                             f"(issue 13's filing day: {against.FILED})")
    parser.add_argument("--against-rounds", type=int, default=3,
                        help="cold builds of each tree for --cold-against (default 3)")
    return parser


def _build(root: Path, out: Path | None = None, force: bool = False) -> Run:
    cmd = [sys.executable, "-m", "site_builder", "build", "--root", str(root)] + (["--force"] if force else [])
    return run_timed(cmd + (["--out", str(out)] if out else []), cwd=root, env=ENV)


def _best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def _site_figures(root: Path, edit: Callable[[], None] | None, repeat: int, page: str | None) -> dict:
    """Cold build, no-op rebuild and one edit (``edit``, or a fact of the repository's content) of ``root``."""
    shutil.rmtree(root / ".briefing-cache", ignore_errors=True)
    shutil.rmtree(root / "_site", ignore_errors=True)
    cold = _build(root)
    noop = _best([_build(root) for _ in range(repeat)])
    forced = _best([_build(root, force=True) for _ in range(repeat)])
    before = _inodes(root / "_site")
    if edit is None:
        _edit_default_fact(root)
    else:
        edit()
    edited = _build(root)
    after = _inodes(root / "_site")
    rewritten = sorted(p for p, ino in after.items() if before.get(p) != ino)
    count, size = folder_bytes(root / "_site")
    if page is None:
        first = sorted((root / "_site" / "briefings").glob("*/index.html"))[0]
        page = first.relative_to(root / "_site").as_posix()
    return {"cold": cold, "noop": noop, "forced": forced, "edit": edited, "rewritten": rewritten, "files": count,
            "bytes": size,
            "page": page, "weight": page_weight(root / "_site", page), "report": cold.stdout.strip().splitlines()[-1]}


def _inodes(folder: Path) -> dict[str, int]:
    # write_site hard-links unchanged files, so a new inode means the file was rewritten.
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def _print_site_figures(f: dict) -> None:
    print(f"  ({f['report']})")
    rows = [("cold build (empty chart cache)", f["cold"]), ("no-op rebuild (skipped: up to date)", f["noop"]),
            ("no-op rebuild with --force (caches warm)", f["forced"]), ("one fact edited", f["edit"])]
    _table(["measure", "wall s", "CPU s", "peak memory"],
           [[name, f"{r.wall:.2f}", f"{r.cpu:.2f}", _mib(r.peak_rss)] for name, r in rows])
    shown = ", ".join(f["rewritten"][:8]) + (" ..." if len(f["rewritten"]) > 8 else "")
    print(f"  one fact edited rewrote {len(f['rewritten'])} of {f['files']} files: {shown}")
    w = f["weight"]
    print(f"  output: {f['files']} files, {_mib(f['bytes'])}")
    assets = " + ".join(f"{ref.rsplit('/', 1)[-1]} {_kib(n)}" for ref, n in w.assets.items())
    print(f"  one page ({f['page']}): HTML {_kib(w.html)} + " + assets
          + f" = {_kib(w.total)} ({_kib(w.gzip_total)} gzipped); loaded only when a chart is opened: "
          + ", ".join(f"{ref.rsplit('/', 1)[-1]} {_kib(n)}" for ref, n in w.lazy.items()))


def _print_serve_figures(site: synth.SyntheticSite) -> None:
    """The same edit made again in one process, as ``briefing serve`` rebuilds (restores the fact first)."""
    restored = site.edit_file.read_text(encoding="utf-8").replace(site.edit_new, site.edit_old)
    site.edit_file.write_text(restored, encoding="utf-8")
    cmd = [sys.executable, str(HERE / "inprocess.py"), str(site.root), str(site.edit_file),
           site.edit_old, site.edit_new]
    run = run_timed(cmd, cwd=site.root, env=ENV)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    if "missing" in result:
        print(f"  in one process (briefing serve): skipped, {result['missing']}")
        return
    print("  in one process (briefing serve), caches warm:")
    _table(["measure", "wall s", "files rewritten"],
           [["first build", f"{result['first']:.2f}", str(result["first_changed"])],
            ["no-op rebuild (median of 3)", f"{result['noop']:.2f}", str(result["noop_changed"])],
            ["one fact edited, first time (imports Altair)", f"{result['edit_first']:.2f}",
             str(result["edit_first_changed"])],
            ["one fact edited (median of 4 more edits)", f"{result['edit']:.2f}", str(result["edit_changed"])]])
    print(f"  peak memory of that process: {_mib(run.peak_rss)}")


def _compare_sizes(work: Path, sizes: list[int], tools: list[str], repeat: int) -> None:
    """The comparison at each size, then how each tool's median grows from the first size to the last."""
    medians: dict[int, dict[str, float]] = {}
    for pages in sizes:
        _section(f"Same Markdown, no charts: {pages} pages of about 600 words with a table and a list")
        medians[pages] = _compare(work / f"plain-{pages}", pages, tools, repeat)
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        _section(f"Growth: {last} pages against {first} ({last / first:g}x the pages), medians")
        _table(["generator", f"{first} pages s", f"{last} pages s", "ratio"],
               [[name, f"{medians[first][name]:.2f}", f"{medians[last][name]:.2f}",
                 f"{medians[last][name] / medians[first][name]:.2f}"]
                for name in medians[first] if name in medians[last]])


def _compare(work: Path, pages: int, tools: list[str], repeat: int) -> dict[str, float]:
    """Cold builds of the same pages by site_builder and each tool, interleaved; returns the median walls."""
    work.mkdir(parents=True)
    ours_root = work / "ours"
    synth.write_site(ours_root, pages, 0)
    markdown = synth.write_plain_markdown(work, pages)
    builders: dict[str, Callable[[], Run]] = {"site_builder": lambda: _cold_build(ours_root, work / "ours-out")}
    versions = {"site_builder": ""}
    for name in tools:
        tool = competitors.ensure(name)
        if tool.missing:
            print(f"  {name}: skipped, {tool.missing}")
            continue
        root = work / name
        competitors.write_project(name, root, markdown)
        builders[name], versions[name] = (lambda n=name, r=root: _cold_tool_build(n, r)), tool.version
    runs: dict[str, list[Run]] = {name: [] for name in builders}
    for _ in range(repeat):  # round after round, so that the machine's load falls on every tool alike
        for name, build in list(builders.items()):
            try:
                runs[name].append(build())
            except subprocess.CalledProcessError as exc:
                print(f"  {name}: skipped, its build failed: {(exc.output or '').strip()[-300:]}")
                del builders[name], runs[name]
    ours = statistics.median(r.wall for r in runs["site_builder"])
    rows, medians = [], {}
    for name, done in runs.items():
        walls = sorted(r.wall for r in done)
        medians[name] = statistics.median(walls)
        rows.append([name, versions[name], f"{medians[name]:.2f}", f"{walls[0]:.2f}-{walls[-1]:.2f}",
                     f"{statistics.median(r.cpu for r in done):.2f}", _mib(max(r.peak_rss for r in done)),
                     f"{medians[name] / ours:.2f}"])
    _table(["generator", "version", f"wall s (median of {repeat})", "spread", "CPU s", "peak memory",
            "it / site_builder"], rows)
    return medians


def _cold_build(root: Path, out: Path) -> Run:
    shutil.rmtree(root / ".briefing-cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return _build(root, out)


def _cold_tool_build(name: str, root: Path) -> Run:
    shutil.rmtree(competitors.output_folder(name, root), ignore_errors=True)
    return competitors.build(name, root)


def _memory_run(work: Path, briefings: int) -> None:
    """One cold build of a large chart-free synthetic site: its time and the peak memory of all its processes."""
    site = synth.write_site(work / "large", briefings, 0)
    run = _build(site.root)
    count, size = folder_bytes(site.root / "_site")
    _table(["measure", "wall s", "CPU s", "peak memory", "output"],
           [["cold build", f"{run.wall:.2f}", f"{run.cpu:.2f}", _mib(run.peak_rss), f"{count} files, {_mib(size)}"]])
    shutil.rmtree(site.root, ignore_errors=True)


def _copy_default_site(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, dest / folder)
    return dest


def _edit_default_fact(root: Path) -> None:
    """Change the first whole-number fact value of the repository's content by one."""
    for path in sorted((root / "content" / "facts").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^(    value: )(\d+)$", text, re.M)
        if match:
            path.write_text(text[: match.start()] + match.group(1) + str(int(match.group(2)) + 1) + text[match.end():],
                            encoding="utf-8")
            return
    raise RuntimeError("no whole-number fact to edit")


def _section(title: str) -> None:
    print(f"\n## {title}")


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda cells: "  | " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    print(line(header))
    print("  |" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 10 * 2**20 else f"{n / 2**20:.1f} MiB"


def _kib(n: int) -> str:
    return f"{n / 1024:.1f} KiB"


if __name__ == "__main__":
    sys.exit(main())
