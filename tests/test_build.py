"""build.py, end to end: the mini fixture built in tmp_path, read the way a reader's browser reads it."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from site_builder.commands.build_command import build_site
from site_builder.settings import stamped_date as build_date
from site_builder.errors import BuildError, BuildErrors
from site_builder.compute.project import Project

from conftest import parse_html, replace_in_file

BRIEFING = "briefings/widget-outlook/index.html"


# --- what a reader sees ----------------------------------------------------------------------

def test_index_lists_the_briefing_with_a_relative_link(mini_page, mini_site):
    index = mini_page("index.html")
    links = [a for a in index.select("main a") if a.get_text(strip=True) == "Widget outlook"]
    assert [a["href"] for a in links] == [BRIEFING]
    assert (mini_site.out / BRIEFING).is_file()
    assert "Widget sales fell and are forecast to recover." in index.get_text()


@pytest.mark.parametrize("fact_id, shown", [
    ("sales.2021", "1.5 million"),
    ("sales.2022", "700,000"),          # fact("sales.2022", "integer")
    ("forecast.2030", "1.4 million"),
    ("growth", "1%"),
    ("models", "Alpha, Beta, and Gamma"),
    ("imports", "992,200"),
])
def test_body_shows_formatted_facts(mini_page, fact_id, shown):
    [link] = mini_page(BRIEFING).select(f'.briefing__body a.fact[data-fact="{fact_id}"]')
    assert link.get_text() == shown


def test_every_fact_links_to_its_row_and_every_row_to_a_source_entry(mini_page):
    page = mini_page(BRIEFING)
    fact_links = page.select(".briefing__body a.fact")
    assert len(fact_links) == 6
    for link in fact_links:
        entry = page.find(id=link["href"].removeprefix("#"))
        assert entry is not None and "facts" in entry.find_parent("section")["class"]
        assert link.get_text() in entry.get_text() or link["data-fact"] == "sales.2022"  # shown there in its own format
        source_links = entry.select('a[href^="#source-"]')
        assert source_links, f"{link['href']} has no source"
        for source_link in source_links:
            entry = page.find(id=source_link["href"].removeprefix("#"))
            assert entry.name == "li" and entry.find_parent("section")["class"] == ["source-list"]
            assert entry.find("a")["href"].startswith("https://example.org/")


def test_facts_section_lists_every_fact_once_with_how_derived_ones_were_computed(mini_page):
    entries = mini_page(BRIEFING).select('section.facts [id^="fact-"]')
    assert [e["id"] for e in entries] == ["fact-forecast.2030", "fact-imports", "fact-sales.2021", "fact-sales.2022",
                                       "fact-growth", "fact-models", "fact-sales.2023", "fact-forecast.2025",
                                       "fact-implied.2030"]
    derived = mini_page(BRIEFING).find(id="fact-forecast.2025")
    assert "Average of Widget sales, 2021, Widget sales, 2022, Widget sales, 2023" in derived.get_text()
    assert "sales could approach 1.4 million by 2030" in mini_page(BRIEFING).find(id="fact-forecast.2030").get_text()


def test_key_numbers_box(mini_page):
    box = mini_page(BRIEFING).select_one(".key-numbers")
    assert [a.get_text() for a in box.select("dd a")] == ["1.4 million", "992,200"]
    assert [a["href"] for a in box.select("dd a")] == ["#fact-forecast.2030", "#fact-imports"]


def test_charts_are_inline_svg_with_downloads_that_exist(mini_page, mini_site):
    page = mini_page(BRIEFING)
    figures = page.select("figure.chart")
    assert [f["id"] for f in figures] == ["chart-outlook", "chart-compare"]
    for figure in figures:
        chart_id = figure["data-chart"]
        assert figure.find("svg") is not None
        downloads = [a["href"] for a in figure.select("a[download]")]
        assert downloads == [f"../../charts/{chart_id}.csv", f"../../charts/{chart_id}.vl.json",
                             f"../../charts/{chart_id}.svg"]
        for href in downloads:
            assert (mini_site.out / "briefings/widget-outlook" / href).resolve().is_file()
    assert figures[0].find_parent("p") is None and figures[1].find_parent("p") is None


def test_chart_data_table_links_each_point_to_its_fact(mini_page):
    figure = mini_page(BRIEFING).find(id="chart-outlook")
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in figure.select("details tbody tr")]
    assert cells[1] == ["Reported", "2022", "700,000 widgets", "Reported"]
    assert cells[4] == ["Ministry forecast", "2030", "1.4 million", "Forecast"]
    assert "Line chart: Widget sales, reported and forecast." in figure.select_one(".chart__svg")["aria-label"]


def test_chart_files_match_the_page(mini_site):
    csv_rows = (mini_site.out / "charts/outlook.csv").read_text().splitlines()
    assert csv_rows[0] == "series,x,value,status,fact,sources"
    assert csv_rows[2] == "Reported,2022,700000,reported,sales.2022,agency"
    svg = (mini_site.out / "charts/outlook.svg").read_text()
    assert svg.lstrip().startswith("<svg")


def test_failed_check_is_shown_with_both_numbers(mini_page):
    page = mini_page(BRIEFING)
    [note] = page.select("aside.check--failed")
    text = note.get_text(" ", strip=True)
    assert "The 2030 forecast does not follow from its growth rate" in text
    stated, implied = note.select("dd a")
    assert (stated["href"], stated.get_text()) == ("#fact-forecast.2030", "1.4 million")
    assert implied["href"] == "#fact-implied.2030"
    assert implied.get_text() in page.find(id="fact-implied.2030").get_text()
    assert implied.get_text() != stated.get_text()
    assert "+21.1%" in text and "2.0%" in text


def test_sources_page_lists_each_source_and_what_cites_it(mini_page, mini_site):
    page = mini_page("sources/index.html")
    entries = page.select("ol.sources-page > li")
    assert [li["id"] for li in entries] == ["source-agency", "source-ministry"]
    agency = page.find(id="source-agency")
    assert "Statistics Agency" in agency.get_text() and agency.find("a")["href"] == "https://example.org/widgets"
    cited = {a.get_text(): a["href"] for a in agency.select("details a")}
    assert cited["Widget imports, January-November 2023"] == f"../{BRIEFING}#fact-imports"
    assert cited["Widgets compared"] == f"../{BRIEFING}#chart-compare"
    ministry_cites = [a.get_text() for a in page.find(id="source-ministry").select("details a")]
    assert "Forecast widget sales, 2030" in ministry_cites and "Widget imports, January-November 2023" not in ministry_cites


def test_sources_page_counts_a_source_the_text_alone_cites(make_project):
    project = make_project()
    replace_in_file(project, "content/sources.yaml", "sources:\n", "sources:\n  - id: press\n    publisher: Widget Press\n"
                    "    title: Widgets today\n    url: https://example.org/press\n    published: 2024-01-02\n")
    replace_in_file(project, "content/briefings/widget-outlook.md", "## Do the numbers", 'As {{ source("press") }} wrote.\n\n## Do the numbers')
    build_site(project)
    entry = parse_html(project.out / "sources/index.html").find(id="source-press")
    assert "Not cited" not in entry.get_text()
    assert entry.find("summary").get_text() == "Cited by 1 item"
    link = entry.select_one("details a")
    assert (link.get_text(), link["href"]) == ("cited in the text", f"../{BRIEFING}#source-press")
    assert parse_html(project.out / BRIEFING).find(id="source-press") is not None  # where the link lands


def test_a_fact_may_cite_a_compilation_and_its_original_publisher(make_project):
    project = make_project()
    replace_in_file(project, "content/facts/widgets.yaml", "    value: 700000\n    unit: widgets\n    period: \"2022\"\n"
                    "    source: agency\n", "    value: 700000\n    unit: widgets\n    period: \"2022\"\n"
                    "    sources: [agency, ministry]\n")
    build_site(project)
    entry = parse_html(project.out / BRIEFING).find(id="fact-sales.2022")
    assert [a["href"] for a in entry.select("a[href^='#source-']")] == ["#source-agency", "#source-ministry"]
    cites = parse_html(project.out / "sources/index.html").find(id="source-ministry")
    assert "Widget sales, 2022" in [a.get_text() for a in cites.select("details a")]


def test_sources_page_counts_glossary_entries(library_site):
    entry = parse_html(library_site / "sources/index.html").find(id="source-registry")
    terms = [a for a in entry.select("details a") if a["href"].startswith("../glossary/")]
    assert [(a.get_text(), a["href"]) for a in terms] == [("widget", "../glossary/index.html#term-widget")]
    assert "Term: widget in the glossary" in " ".join(entry.get_text().split())


def test_404_page_and_nojekyll(mini_site, mini_page):
    assert (mini_site.out / ".nojekyll").read_bytes() == b""
    page = mini_page("404.html")
    assert page.find("h1").get_text() == "Page not found"
    # GitHub Pages serves 404.html at any depth, so its links are root-relative to the site's base path.
    assert page.find("a", string="list of briefings")["href"] == "/repo/index.html"


def test_user_text_is_escaped_not_executed(make_project, html_of):
    project = make_project()
    facts = project.content / "facts/widgets.yaml"
    facts.write_text(facts.read_text().replace("label: Models built", 'label: "<script>alert(1)</script> {{ 7*7 }}"'))
    md = project.content / "briefings/widget-outlook.md"
    md.write_text(md.read_text().replace("title: Widget outlook", 'title: "Widgets & <b>bold</b>"'))
    build_site(project)
    page = html_of(project.out / BRIEFING)
    assert "<script>alert(1)</script> {{ 7*7 }}" in page.find(id="fact-models").get_text()
    assert page.find("h1").get_text() == "Widgets & <b>bold</b>"
    assert not any("alert(1)" in script.get_text() for script in page.find_all("script"))
    assert page.find("b") is None


# --- links: relative, offline, and pointing at something -------------------------------------------

LINK_ATTRS = ("href", "src", "xlink:href", "data-vega-bundle")


def _ids(soup) -> set[str]:
    return {tag["id"] for tag in soup.find_all(id=True)}


def test_every_internal_link_is_relative_and_resolves(mini_site, mini_page):
    out = mini_site.out
    sources = yaml.safe_load((mini_site.content / "sources.yaml").read_text())["sources"]
    source_urls = {s["url"] for s in sources}
    base = "https://user.github.io/repo/"
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert {"index.html", BRIEFING, "sources/index.html", "404.html"} <= set(pages)
    checked = 0
    for page_path in pages:
        soup = mini_page(page_path)
        for tag in soup.find_all(True):
            for attr in LINK_ATTRS:
                url = tag.get(attr)
                if url is None:
                    continue
                checked += 1
                where = f"{page_path}: <{tag.name} {attr}={url!r}>"
                if url.startswith(("http://", "https://")):
                    assert url in source_urls or (url.startswith(base) and tag.name in ("link", "meta")), where
                    continue
                assert not url.startswith("//") and ":" not in urlsplit(url).scheme, where
                path, _, fragment = url.partition("#")
                if not path:
                    target = page_path
                elif page_path == "404.html":
                    assert path.startswith("/repo/"), where
                    path = path.removeprefix("/repo/")
                    target = path
                else:
                    assert not url.startswith("/"), where
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), path))
                if target.endswith("/") or target == ".":
                    target = posixpath.join(target, "index.html")
                assert not target.startswith(".."), where
                assert (out / target).is_file(), where
                if fragment and target.endswith(".html"):
                    assert fragment in _ids(mini_page(target)), where
    assert checked > 50


def test_pages_make_no_third_party_requests(mini_site, mini_page):
    for page in mini_site.out.rglob("*.html"):
        soup = mini_page(page.relative_to(mini_site.out).as_posix())
        for tag in soup.find_all(["script", "img", "iframe", "link", "source", "video", "audio", "image", "use"]):
            for attr in LINK_ATTRS:
                url = tag.get(attr, "")
                if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
                    continue
                assert not re.match(r"^(https?:)?//", url), f"{page}: {tag}"
        assert "@import" not in str(soup)


# --- determinism -------------------------------------------------------------------------------------

def test_two_builds_in_different_folders_are_byte_identical(make_project, files_of):
    first, second = make_project("one"), make_project("two")
    build_site(first)
    build_site(second)
    one, two = files_of(first.out), files_of(second.out)
    assert sorted(one) == sorted(two)
    for rel in one:
        assert one[rel] == two[rel], rel
    assert not any(str(first.root).encode() in data for data in one.values())


def test_rebuilding_changes_nothing(make_project):
    project = make_project()
    first = build_site(project)
    assert first.pages == 1 and first.charts == 2 and first.charts_rendered == 0
    assert sorted(first.changed) == sorted(p.relative_to(project.out).as_posix()
                                           for p in project.out.rglob("*") if p.is_file())
    assert first.files == len(first.changed)  # "N of N files changed", the record of what was written counted once
    again = build_site(project, force=True)  # without force, nothing would be built at all (test_stamp.py)
    assert not again.up_to_date and again.changed == ()


def test_build_reports_the_failed_check_as_a_warning(make_project):
    [warning] = build_site(make_project()).warnings
    assert (warning.path, warning.line) == ("content/facts/widgets.yaml", 56)
    assert "check 'forecast-2030'" in warning.message and "+21.1%" in warning.message


def test_build_date_comes_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1748779200")
    assert build_date() == dt.date(2025, 6, 1)
    for bad in ("", "soon", "99999999999999999999"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
        assert build_date() is None
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() is None


@pytest.mark.parametrize("epoch, date", [("1748779200", "2025-06-01"), ("1767225600", "2026-01-01")])
def test_source_date_epoch_dates_a_site_without_briefings(make_project, monkeypatch, epoch, date):
    project = make_project()
    md = project.content / "briefings/widget-outlook.md"
    md.write_text(md.read_text().replace("date: 2024-03-15", "date: 2024-03-15\ndraft: true"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    build_site(project)
    assert f"<updated>{date}T00:00:00Z</updated>" in (project.out / "feed.xml").read_text()


# --- failures leave the previous site alone ------------------------------------------------------------

def test_failed_build_keeps_the_previous_site(make_project, files_of):
    project = make_project()
    build_site(project)
    before = files_of(project.out)
    md = project.content / "briefings/widget-outlook.md"
    md.write_text(md.read_text() + '\n{{ fact("no.such.fact") }}\n')
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert [str(p) for p in caught.value.problems] == ["content/briefings/widget-outlook.md:19: unknown fact 'no.such.fact'"]
    assert files_of(project.out) == before


def test_out_equal_to_the_root_is_refused_and_nothing_is_deleted(make_project, files_of):
    project = make_project()
    root = project.root
    before = files_of(root)
    with pytest.raises(BuildError):
        build_site(Project.at(root, root))
    assert files_of(root) == before


def test_all_errors_at_once_are_sorted_by_file_and_line(make_project):
    project = make_project()
    (project.content / "facts/zz.yaml").write_text(
        "facts:\n  - id: three\n    label: Three\n    value: 3\n    source: agency\n    draft: yes\n")
    (project.content / "facts/aa.yaml").write_text(
        "facts:\n  - id: aa\n    label: A\n    value: 1\n    source: agency\n    colour: red\n")
    (project.content / "charts/zz.yaml").write_text(
        "charts:\n  - id: zz\n    type: pie\n    title: T\n    series:\n      - label: L\n        facts: [sales.2021]\n")
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert [str(p) for p in caught.value.problems] == [
        "content/charts/zz.yaml:3: charts[0].type: input should be 'line', 'bar', 'area', 'scatter', "
            "'connected-scatter', 'dot', 'map' or 'custom' (got 'pie')",
        "content/facts/aa.yaml:6: facts[0].colour: unknown field",
        "content/facts/zz.yaml:6: YAML 1.1 reads 'yes' as True; write true/false, or quote it (\"yes\") for text",
    ]
    assert not project.out.exists()


def test_errors_in_briefing_bodies_are_reported_with_errors_in_data_files(make_project):
    project = make_project()
    body = project.content / "briefings/widget-outlook.md"
    body.write_text(body.read_text().replace('fact("growth")', 'fact("growht")'))
    facts = project.content / "facts/widgets.yaml"
    facts.write_text(facts.read_text().replace("value: 700000", "value: true"))
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == "content/briefings/widget-outlook.md:10: unknown fact 'growht'"
    assert messages[1].startswith("content/facts/widgets.yaml:11: facts[1].value: must be a number")
    # sales.2022 is invalid, not unknown: the body's use of it is not reported a second time.
    assert len(messages) == 2


def test_several_errors_in_one_file_are_all_reported(make_project):
    project = make_project()
    (project.content / "facts/zz.yaml").write_text(
        "facts:\n"
        "  - id: one\n"
        "    value: 1\n"
        "    source: agency\n"
        "  - id: two\n"
        "    label: Two\n"
        "    value: 2\n"
        "    source: nobody\n"
        "  - id: three\n"
        "    label: Three\n"
        "    value: 3\n"
        "    unit: percent\n"
        "    source: agency\n"
        "    format: fancy\n")
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert [str(p) for p in caught.value.problems] == [
        "content/facts/zz.yaml:2: facts[0].label: missing required field",
        "content/facts/zz.yaml:5: fact 'two': unknown source id 'nobody'",
        "content/facts/zz.yaml:14: facts[2].format: input should be 'compact', 'integer', 'decimal', 'percent', "
        "'year' or 'text' (got 'fancy')",
    ]


def test_built_site_has_the_expected_files(mini_site):
    files = {p.relative_to(mini_site.out).as_posix() for p in Path(mini_site.out).rglob("*") if p.is_file()}
    assert {".nojekyll", "index.html", "404.html", BRIEFING, "sources/index.html", "static/style.css",
            "static/briefing.js", "static/vendor/vega-embed.js", "charts/outlook.csv", "charts/outlook.svg",
            "charts/outlook.vl.json", "charts/compare.csv"} <= files


def test_a_template_linking_outside_the_project_is_refused(make_project, tmp_path):
    project = make_project()
    secret = tmp_path / "secret.html"
    secret.write_text("outside")
    (project.root / "templates" / "partials" / "leak.html").symlink_to(secret)
    with pytest.raises(BuildError) as caught:
        build_site(project)
    assert caught.value.problem.path == "templates/partials/leak.html"
    assert "links outside the project" in caught.value.problem.message


def test_vega_bundle_is_written_and_linked_only_for_a_site_with_charts(mini_site, library_site):
    # Making the bundle costs about a second on a new machine; a site without charts never loads it.
    charted = parse_html(mini_site.out / "briefings" / "widget-outlook" / "index.html")
    assert (mini_site.out / "static/vendor/vega-embed.js").stat().st_size > 100_000
    assert charted.select_one("script[data-vega-bundle]")["data-vega-bundle"] == "../../static/vendor/vega-embed.js"
    chartless = parse_html(library_site / "briefings" / "plant-opens" / "index.html")
    assert not (library_site / "static/vendor/vega-embed.js").exists()
    assert chartless.select_one("script[src$='static/briefing.js']") is not None
    assert chartless.select_one("script[data-vega-bundle]") is None


def test_the_garbage_collector_is_paused_during_a_build_and_restored_after(make_project, monkeypatch):
    import gc

    from site_builder import build as build_module

    seen = []
    real = build_module.load_content
    monkeypatch.setattr(build_module, "load_content", lambda *a: seen.append(gc.isenabled()) or real(*a))
    project = make_project()
    build_site(project, force=True)
    (project.root / "content/facts/widgets.yaml").write_text("facts: [", encoding="utf-8")
    with pytest.raises(BuildErrors):
        build_site(project, force=True)
    assert seen == [False, False] and gc.isenabled()  # on again after a build, failed or not
    gc.disable()
    try:
        with build_module.collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_a_builder_that_sets_aside_what_it_made_leaves_the_collector_nothing_to_walk_after_a_build(make_project):
    import gc

    from site_builder.build import SiteBuilder

    gc.collect()
    builder = SiteBuilder(make_project(), serving=True)  # as briefing serve makes it
    try:
        builder.build()
        # Everything the build allocated is out of the collector's sight: no collection walks it before the
        # new site is served (gen 0 would otherwise hold every container the build made).
        assert gc.get_freeze_count() > 10_000 and gc.get_count()[0] < 1_000 and gc.isenabled()
    finally:
        gc.unfreeze()
    gc.collect()
    SiteBuilder(make_project("plain")).build()
    assert gc.get_freeze_count() == 0  # a builder of one build (briefing build) leaves the collector as it was
