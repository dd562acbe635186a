"""Where a build's time goes: one build of a synthetic site under cProfile, in one process, by stage.

    python benchmarks/profile_build.py --briefings 1000 --charts 0
    python benchmarks/profile_build.py --briefings 100 --charts 3 --warm   # a no-op rebuild

The build runs with ``BRIEFING_WORKERS=1`` so that every stage is seen in this
process (a pool would hide its work in the workers). cProfile slows Python code
by about half again, so read the shares, not the seconds. The full profile is
written to the given ``--out`` file for ``python -m pstats`` or snakeviz.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import synth  # noqa: E402

# (stage, function name, file name ending): the cumulative time of each is shown; stages can nest.
STAGES = [
    ("whole build", "build_site", "build.py"),
    ("load + validate content (YAML, pydantic)", "load_content", "compute/project.py"),
    ("facts, charts, page plans", "compile_content", "compute/stage.py"),
    ("chart specs (Altair)", "chart_spec", "compute/charts.py"),
    ("chart SVGs (vl-convert)", "vegalite_to_svg", ""),
    ("social card PNGs (vl-convert)", "vegalite_to_png", ""),
    ("body drafts (Jinja + Markdown)", "draft_body", "render/bodies.py"),
    ("  of which Markdown", "convert", "markdown/core.py"),
    ("briefing pages (templates, references)", "_briefing_page", "render/site.py"),
    ("page reuse checks (memo digests)", "digest", "incremental/memo.py"),
    ("library: related briefings, tags", "build_library", "compute/library.py"),
    ("library pages, search index, glossary use", "_library_files", "render/site.py"),
    ("  search index text", "search_documents", "render/search.py"),
    ("  HTML tokenizing (html.parser)", "tokenize", "html_tokens.py"),
    ("Vega bundle (read or made)", "_vega_bundle", "render/site.py"),
    ("write the site (compare, link, swap)", "write_site", "output.py"),
]


def main() -> int:
    """Profile one build and print the stage table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--briefings", type=int, default=200)
    parser.add_argument("--charts", type=int, default=1)
    parser.add_argument("--warm", action="store_true", help="build once first: profile a no-op rebuild")
    parser.add_argument("--out", default=None, help="write the raw profile here")
    args = parser.parse_args()
    os.environ["BRIEFING_WORKERS"] = "1"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1710504000")
    from site_builder.commands.build_command import build_site
    from site_builder.compute.project import Project

    with tempfile.TemporaryDirectory(prefix="briefing-profile-") as tmp:
        site = synth.write_site(Path(tmp) / "site", args.briefings, args.charts)
        project = Project.at(site.root)
        if args.warm:
            build_site(project)
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.runcall(build_site, project, force=True)  # a warm rebuild, not the up-to-date skip
        wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    if args.out:
        stats.dump_stats(args.out)
    total = _cumulative(stats, "build_site", "build.py") or wall
    print(f"{'warm no-op rebuild' if args.warm else 'cold build'} of {args.briefings} briefings x {args.charts} "
          f"chart(s), one process, under cProfile: {wall:.1f} s")
    for stage, function, where in STAGES:
        seconds = _cumulative(stats, function, where)
        print(f"  {stage:44s} {seconds:7.2f} s  {seconds / total:6.1%}")
    return 0


def _cumulative(stats: pstats.Stats, function: str, where: str) -> float:
    # Built-in functions (vl-convert's) are named like "<built-in method vl_convert.vegalite_to_svg>".
    return sum(ct for (filename, _, name), (_, _, _, ct, _) in stats.stats.items()
               if (name == function and filename.endswith(where)) or name.endswith(f".{function}>"))


if __name__ == "__main__":
    sys.exit(main())
