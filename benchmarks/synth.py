"""Synthetic sites for the benchmark: N briefings of about 600 words, each with K charts.

Everything is generated from a seeded random number generator, so two runs with
the same N and K write byte-identical projects. The same prose (without charts,
with every fact call replaced by its value) is also written as plain Markdown
projects for Hugo, MkDocs and Pelican, so that the comparison renders the same text.
"""
from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
YEARS = range(2016, 2024)
SOURCES = 20
CHART_TYPES = ("line", "bar", "area")
WORDS = """market sales plant forecast ministry imports growth capacity vehicles output year share region
supplier model policy demand price export factory workers investment quarter estimate report analyst
figure trend decline recovery series basis survey agency budget contract tariff engine battery range
fleet dealer registration volume margin cost energy steel logistics sanction partner venture""".split()
_CALL = re.compile(r'\{\{ (fact|source|chart)\("([^"]+)"\) \}\}')


@dataclass(frozen=True)
class SyntheticSite:
    """A generated project: where it is, how big it is, and which fact the edit benchmark changes."""

    root: Path
    briefings: int
    charts: int
    edit_file: Path
    edit_old: str
    edit_new: str

    def edit_one_fact(self) -> None:
        """Change one fact's value in place (a chart fact of the middle briefing when there are charts)."""
        text = self.edit_file.read_text(encoding="utf-8")
        assert text.count(self.edit_old) == 1, self.edit_old
        self.edit_file.write_text(text.replace(self.edit_old, self.edit_new), encoding="utf-8")


def write_site(root: Path, briefings: int, charts: int,
               base_url: str = "https://example.org/briefings/") -> SyntheticSite:
    """Write a briefing project with ``briefings`` pages and ``charts`` charts on each, plus the repo's templates."""
    content = root / "content"
    for folder in ("facts", "charts", "briefings"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    for folder in ("templates", "static"):
        shutil.copytree(REPO / folder, root / folder, dirs_exist_ok=True)
    (content / "site.yaml").write_text(
        f"title: Synthetic Briefings\ndescription: A generated site for the benchmark.\nbase_url: {base_url}\n"
        "locale: en-US\nauthor: Bench\norganization: Bench\n", encoding="utf-8")
    (content / "sources.yaml").write_text("sources:\n" + "".join(
        f"  - id: src-{s}\n    publisher: Agency {s}\n    title: Statistical release {s}\n"
        f"    url: https://example.org/release/{s}\n    published: 2023-0{1 + s % 9}-1{s % 10}\n"
        for s in range(SOURCES)), encoding="utf-8")
    for i in range(briefings):
        rng = random.Random(i)
        slug = f"b{i:04d}"
        (content / "facts" / f"{slug}.yaml").write_text(_facts_yaml(slug, charts, rng), encoding="utf-8")
        if charts:
            (content / "charts" / f"{slug}.yaml").write_text(_charts_yaml(slug, charts), encoding="utf-8")
        front = (f"---\ntitle: Briefing {i}, the {rng.choice(WORDS)} {rng.choice(WORDS)} outlook\n"
                 f"summary: {_sentence(rng, 18)}\ndate: 2023-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
                 f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
                 + (f"hero_chart: {slug}-c0\n" if charts else "")
                 + f"key_numbers: [{slug}.total, {slug}.share]\n---\n")
        body = _body(slug, charts, random.Random(i))
        (content / "briefings" / f"{slug}.md").write_text(front + body, encoding="utf-8")
    mid = f"b{briefings // 2:04d}"
    edit_file = content / "facts" / f"{mid}.yaml"
    old = f"  - id: {mid}.c0.y2020\n" if charts else f"  - id: {mid}.total\n"
    text = edit_file.read_text(encoding="utf-8")
    start = text.index(old)
    value_line = text[start:].split("\n")[2]
    assert value_line.startswith("    value: "), value_line
    old_block = text[start: start + text[start:].index(value_line) + len(value_line)]
    new_block = old_block.replace(value_line, value_line + "1")
    return SyntheticSite(root, briefings, charts, edit_file, old_block, new_block)


def write_plain_markdown(root: Path, briefings: int) -> list[tuple[str, str, str]]:
    """The briefings' prose as plain Markdown: (slug, title, body) for each, no charts and no template calls."""
    pages = []
    for i in range(briefings):
        rng = random.Random(i)
        slug = f"b{i:04d}"
        title = f"Briefing {i}, the {rng.choice(WORDS)} {rng.choice(WORDS)} outlook"
        body = _body(slug, 0, random.Random(i))
        pages.append((slug, title, _CALL.sub(lambda m: _plain_value(m.group(1), m.group(2)), body)))
    return pages


def _plain_value(function: str, ref: str) -> str:
    if function == "source":
        return "(Agency)"
    return "" if function == "chart" else "1.2 million"


def _facts_yaml(slug: str, charts: int, rng: random.Random) -> str:
    src = f"src-{rng.randrange(SOURCES)}"
    lines = ["facts:",
             f"  - id: {slug}.total", f"    label: Total {rng.choice(WORDS)} volume",
             f"    value: {rng.randrange(100_000, 3_000_000)}",
             "    unit: vehicles", '    period: "2023"', f"    source: {src}",
             f"  - id: {slug}.share", "    label: Share of imports", f"    value: {rng.randrange(5, 95)}",
             "    unit: percent", '    period: "2023"', f"    source: {src}",
             f"  - id: {slug}.partner", "    label: Main partner", f"    value: Company {rng.choice(WORDS).title()}",
             f"    source: {src}"]
    for c in range(charts):
        base = rng.randrange(200_000, 2_000_000)
        for year in YEARS:
            kind = "forecast" if year >= 2022 and c % 2 else "reported"
            lines += [f"  - id: {slug}.c{c}.y{year}", f"    label: Volume {year}",
                      f"    value: {int(base * (1 + rng.uniform(-0.2, 0.3)))}",
                      "    unit: vehicles", f'    period: "{year}"', f"    kind: {kind}", f"    source: {src}"]
    return "\n".join(lines) + "\n"


def _charts_yaml(slug: str, charts: int) -> str:
    lines = ["charts:"]
    for c in range(charts):
        kind = CHART_TYPES[c % len(CHART_TYPES)]
        years = list(YEARS)[-4:] if kind == "bar" else list(YEARS)
        facts = ", ".join(f"{slug}.c{c}.y{y}" for y in years)
        lines += [f"  - id: {slug}-c{c}", f"    type: {kind}", f"    title: Chart {c} of {slug}",
                  "    subtitle: Vehicles a year", "    y_title: Vehicles", "    series:",
                  "      - label: Volume", f"        facts: [{facts}]"]
    return "\n".join(lines) + "\n"


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randrange(10, 18)) for _ in range(sentences))


def _body(slug: str, charts: int, rng: random.Random) -> str:
    """About 600 words: three sections, fact calls in the prose, a table, a list and the charts."""
    parts = [
        "## What happened\n",
        f"{_paragraph(rng, 5)} The total reached {{{{ fact(\"{slug}.total\") }}}}, "
        f"with imports at {{{{ fact(\"{slug}.share\") }}}} {{{{ source(\"src-{rng.randrange(SOURCES)}\") }}}}. "
        f"{_paragraph(rng, 4)}\n",
        f"{_paragraph(rng, 6)} The main partner is {{{{ fact(\"{slug}.partner\") }}}}.\n",
        "## The figures\n",
        "| Year | Region | Volume | Change |\n| --- | --- | ---: | ---: |\n" + "".join(
            f"| {year} | {rng.choice(WORDS).title()} | {rng.randrange(10_000, 999_999):,} "
            f"| {rng.uniform(-9, 9):+.1f}% |\n"
            for year in YEARS[-5:]),
        _paragraph(rng, 5) + "\n",
        "".join(f"- **{rng.choice(WORDS).title()}**: {_sentence(rng, rng.randrange(6, 12))}\n" for _ in range(5)),
    ]
    for c in range(charts):
        parts.append(f'{{{{ chart("{slug}-c{c}") }}}}\n')
    parts += ["## What to watch\n", _paragraph(rng, 6) + "\n", _paragraph(rng, 7) + "\n"]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic project: ``python benchmarks/synth.py DIR [--briefings N] [--charts K]``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("root", type=Path, help="folder to write the project into (must not exist)")
    parser.add_argument("--briefings", type=int, default=200)
    parser.add_argument("--charts", type=int, default=1)
    args = parser.parse_args(argv)
    if args.root.exists():
        parser.error(f"{args.root} exists")
    site = write_site(args.root, args.briefings, args.charts)
    print(f"{args.briefings} briefings x {args.charts} chart(s) in {site.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
