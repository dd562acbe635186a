"""The floor for a Python generator: Python-Markdown + Jinja2 + PyYAML over the same pages, in one plain loop.

    python benchmarks/plain_loop.py SOURCE OUT    # SOURCE: *.md files with YAML front matter (see write_pages)

For each page: read the file, parse its front matter with ``yaml.safe_load``,
convert the body with the Markdown extensions site_builder uses, render it into
a small Jinja2 page template (autoescape on) and write the page. One process,
no cache, no checks, no index pages: what any Python tool built on these three
libraries must at least do. ``bench.py`` times it as a command, like the others.
"""
from __future__ import annotations

import sys
from pathlib import Path

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><article><h1>{{ title }}</h1>
<p class="tags">{% for tag in tags %}<a href="../../tags/{{ tag }}/index.html">{{ tag }}</a> {% endfor %}</p>
{{ body }}
</article></main></body></html>
"""


def write_pages(root: Path, pages: list[tuple[str, str, str]]) -> None:
    """Write ``pages`` ((slug, title, Markdown body) each) as front-matter Markdown files in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for slug, title, body in pages:
        (root / f"{slug}.md").write_text(f'---\ntitle: "{title}"\ndate: 2023-01-01\ntags: [market, plant]\n---\n'
                                         f"{body}", encoding="utf-8")


def build(source: Path, out: Path) -> int:
    """Build every page of ``source`` into ``out``; returns the number of pages written."""
    import jinja2
    import markdown
    import yaml
    from markupsafe import Markup

    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    converter = markdown.Markdown(extensions=["tables", "sane_lists", "smarty", "toc"], output_format="html")
    count = 0
    for path in sorted(source.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        html = converter.reset().convert(body)
        page = out / path.stem / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(template.render(title=meta["title"], tags=meta["tags"], body=Markup(html)), encoding="utf-8")
        count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    print(f"{build(Path(sys.argv[1]), Path(sys.argv[2]))} pages")
