"""library.py and callouts.py: tags and tag pages, the timeline of dated facts, related briefings,
"Why it matters" callouts; and the default content as a library of sourced briefings."""
from __future__ import annotations

import datetime as dt
import random
import shutil
from types import SimpleNamespace
from pathlib import Path

import pytest

from site_builder.commands.build_command import build_site
from site_builder.render.callouts import wrap_callouts
from site_builder.errors import BuildErrors
from site_builder.content.glossary import slugify
from site_builder.compute.library import PageLink, Related, date_sort_key, related_briefings
from site_builder.compute.project import Project, load_content
from site_builder.commands.scaffold import create_project

from conftest import copy_project, parse_html, snapshot

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def site(library_site) -> Path:
    return library_site


# --- Tags -----------------------------------------------------------------------------------------

def test_the_topics_page_lists_every_tag_with_its_count(site):
    page = parse_html(site / "tags/index.html")
    items = [li.get_text(" ", strip=True) for li in page.select(".tag-index li")]
    assert items == ["closures (1 briefing)", "other (1 briefing)", "Plants (1 briefing)", "widgets (2 briefings)"]
    assert page.select_one('.tag-index a[href="../tags/widgets/index.html"]') is not None


def test_a_tag_page_lists_its_briefings_newest_first(site):
    page = parse_html(site / "tags/widgets/index.html")
    assert page.find("h1").get_text() == "Briefings tagged “widgets”"
    assert [a["href"] for a in page.select(".briefing-card h3 a")] == [
        "../../briefings/plant-closes/index.html", "../../briefings/plant-opens/index.html"]


def test_briefings_and_the_index_link_their_tags(site):
    briefing = parse_html(site / "briefings/plant-opens/index.html")
    assert [(a.get_text(), a["href"]) for a in briefing.select(".briefing__header a.tag")] == [
        ("widgets", "../../tags/widgets/index.html"), ("Plants", "../../tags/plants/index.html")]
    index = parse_html(site / "index.html")
    assert index.select_one('a.tag[href="tags/closures/index.html"]') is not None


def test_two_spellings_of_one_tag_are_an_error_at_the_front_matter_line(tmp_path):
    root = copy_project(tmp_path / "p", "library")
    path = root / "content/briefings/elsewhere.md"
    path.write_text(path.read_text().replace("tags: [other]", "tags:\n  - other\n  - Widgets"))
    with pytest.raises(BuildErrors) as caught:
        load_content(Project.at(root))
    first = "content/briefings/elsewhere.md:6"  # files are read in name order
    assert [str(p) for p in caught.value.problems] == [
        f"content/briefings/plant-closes.md:5: tags: 'widgets' is spelled 'Widgets' at {first}; spell the tag one way",
        f"content/briefings/plant-opens.md:5: tags: 'widgets' is spelled 'Widgets' at {first}; spell the tag one way"]


# --- Timeline -------------------------------------------------------------------------------------

def test_the_timeline_lists_dated_facts_oldest_first_with_their_sources(site):
    page = parse_html(site / "timeline/index.html")
    events = page.select(".timeline-event")
    assert [e.select_one("time").get_text() for e in events] == ["May 1, 2020", "June 2020", "April 8, 2022"]
    assert [e.select_one("time")["datetime"] for e in events] == ["2020-05-01", "2020-06", "2022-04-08"]
    what = [e.select_one(".timeline-event__what").get_text(" ", strip=True) for e in events]
    assert what == ["The plant opens", "Widgets built in the first month: 480", "The plant closes"]
    for event in events:
        assert event.select_one('a[href="../sources/index.html#source-registry"]') is not None


def test_timeline_events_link_to_the_fact_in_each_briefing_that_shows_it(site):
    event = parse_html(site / "timeline/index.html").find(id="event-plant.closed")
    assert [a["href"] for a in event.select(".timeline-event__meta a[href^='../briefings/']")] == [
        "../briefings/plant-closes/index.html#fact-plant.closed"]
    target = parse_html(site / "briefings/plant-closes/index.html").find(id="fact-plant.closed")
    assert target is not None


def test_partial_dates_sort_at_the_end_of_their_month_or_year():
    # "December 2023" (the pilot batch) must not come before December 12, 2023 (the meeting before it).
    assert sorted(["2020-06", dt.date(2020, 6, 30), "2020", dt.date(2020, 12, 31), dt.date(2020, 7, 1),
                   dt.date(2019, 12, 31)], key=date_sort_key) == [
        dt.date(2019, 12, 31), dt.date(2020, 6, 30), "2020-06", dt.date(2020, 7, 1), dt.date(2020, 12, 31), "2020"]


# --- Related briefings ----------------------------------------------------------------------------

def test_related_briefings_share_tags_first_then_facts(site):
    page = parse_html(site / "briefings/plant-opens/index.html")
    related = page.select(".related li")
    assert [li.find("a")["href"] for li in related] == [
        "../../briefings/plant-closes/index.html", "../../briefings/elsewhere/index.html"]
    assert related[0].select_one(".related__why").get_text() == "Also tagged widgets."
    assert related[1].select_one(".related__why").get_text() == "1 shared figure."


def test_a_briefing_sharing_nothing_has_no_related_section(site):
    page = parse_html(site / "briefings/plant-closes/index.html")
    assert [li.find("a")["href"] for li in page.select(".related li")] == ["../../briefings/plant-opens/index.html"]


# --- Callouts -------------------------------------------------------------------------------------

def test_a_why_it_matters_section_becomes_a_callout_labelled_by_its_heading(site):
    page = parse_html(site / "briefings/plant-opens/index.html")
    callout = page.select_one(".briefing__body section.callout--why")
    heading = callout.find("h2")
    assert callout["aria-labelledby"] == heading["id"]
    assert heading.get_text() == "Why it matters for North America"
    assert callout.select_one('a.fact[data-fact="plant.investment"]') is not None
    assert page.select_one(".briefing__body h2#a-widget-heading").find_parent("section") is None


def test_the_callout_ends_at_the_next_section_and_nested_headings_do_not_end_it():
    html = ('<h2 id="a">Why it matters</h2>\n<ul><li><h2>Inner</h2></li></ul>\n<h2 id="b">Next</h2>\n<p>x</p>')
    assert wrap_callouts(html) == ('<section class="callout callout--why" aria-labelledby="a">\n<h2 id="a">Why it '
                                   'matters</h2>\n<ul><li><h2>Inner</h2></li></ul>\n</section>\n<h2 id="b">Next</h2>'
                                   '\n<p>x</p>')
    plain = "<h2>Background</h2><p>y</p>"
    assert wrap_callouts(plain) == plain


# --- Builds ---------------------------------------------------------------------------------------

def test_library_pages_are_byte_identical_between_builds(tmp_path, site):
    root = copy_project(tmp_path / "again", "library")
    build_site(Project.at(root))
    again = snapshot(root / "_site")
    first = snapshot(site)
    for rel in ("glossary/index.html", "tags/index.html", "tags/widgets/index.html", "timeline/index.html",
                "search/index.html", "search/search-index.js", "briefings/plant-opens/index.html"):
        assert again[rel] == first[rel], rel


def test_a_new_project_from_briefing_new_still_builds_without_a_glossary(tmp_path):
    root = create_project(tmp_path / "new")
    assert not (root / "content/glossary.yaml").exists()
    build_site(Project.at(root))
    assert (root / "_site/glossary/index.html").is_file()
    assert (root / "_site/tags/example/index.html").is_file()
    assert (root / "_site/timeline/index.html").is_file()


# --- The default content --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("default-library")
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    if (REPO / ".briefing-cache").is_dir():
        shutil.copytree(REPO / ".briefing-cache", root / ".briefing-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1710504000")
        build_site(Project.at(root))
    return root / "_site"


def default_briefings() -> list[str]:
    return sorted(p.stem for p in (REPO / "content/briefings").glob("*.md"))


def test_the_default_library_has_several_briefings():
    assert len(default_briefings()) >= 3


@pytest.mark.parametrize("slug", default_briefings())
def test_each_default_briefing_has_key_numbers_a_sourced_why_it_matters_callout_and_related_reading(default_site, slug):
    page = parse_html(default_site / f"briefings/{slug}/index.html")
    assert page.select(".key-numbers .key-number")
    callout = page.select_one("section.callout--why")
    assert callout is not None and "North America" in callout.find("h2").get_text()
    facts = callout.select("a.fact")
    assert facts, "the callout cites no fact"
    for link in facts:
        entry = page.find(id=link["href"][1:])
        assert entry.select("a[href^='#source-']"), f"{link['data-fact']} has no source"
    assert page.select(".related li")
    assert page.select(".terms .term-entry")


def test_the_kaluga_briefing_explains_stellantis_for_readers_who_know_jeep_and_ram(default_site):
    page = parse_html(default_site / "briefings/kaluga-plant/index.html")
    callout = page.select_one("section.callout--why").get_text(" ", strip=True)
    assert "Stellantis" in callout and "Jeep" in callout and "Ram" in callout and "Chrysler" in callout
    assert page.select_one('a.fact[data-fact="plant.distance_km"]').get_text() == "112 miles (180 km)"
    assert page.select_one('a.fact[data-fact="next.stellantis_loss"]').get_text() == "$155.75 million (€144 million)"


def test_the_comparison_sets_russia_beside_us_and_canadian_sales(default_site):
    page = parse_html(default_site / "briefings/russia-car-market-by-the-numbers/index.html")
    callout = page.select_one("section.callout--why")
    shown = {a["data-fact"] for a in callout.select("a.fact")}
    assert {"market.sales_2024", "na.canada_sales_2024", "na.us_sales_2024"} <= shown


def test_the_default_timeline_runs_from_the_plant_opening_to_the_restart(default_site):
    events = parse_html(default_site / "timeline/index.html").select(".timeline-event")
    dates = [e.select_one("time")["datetime"] for e in events]
    assert dates == sorted(dates, key=lambda d: date_sort_key(dt.date.fromisoformat(d) if len(d) == 10 else d))
    assert dates[0] == "2010-04-23" and "2024-03-27" in dates


# --- Related briefings against the pairwise definition --------------------------------------------

def related_by_comparing_every_pair(plans, links):
    """The definition: score every other briefing (2 a shared tag, 1 a shared fact), best first, then newest."""
    related = {}
    for plan in plans:
        mine = {slugify(t) for t in plan.briefing.meta.tags}
        scored = []
        for other in plans:
            if other is plan:
                continue
            tags = tuple(t for t in dict.fromkeys(other.briefing.meta.tags) if slugify(t) in mine)
            facts = len(set(plan.fact_ids) & set(other.fact_ids))
            page = links[other.briefing.slug]
            if 2 * len(tags) + facts:
                scored.append(((-(2 * len(tags) + facts), -page.date.toordinal(), page.slug), Related(page, tags, facts)))
        related[plan.briefing.slug] = tuple(r for _, r in sorted(scored, key=lambda s: s[0])[:3])
    return related


def random_plans(seed: int, count: int):
    rng = random.Random(seed)
    tags, facts = ["a", "b", "c", "d", "North America", "north america", "e"], [f"f{i}" for i in range(12)]
    plans, links = [], {}
    for i in range(count):
        slug = f"b{rng.randrange(10 ** 6)}-{i}"
        meta = SimpleNamespace(tags=rng.sample(tags, rng.randrange(4)))
        plans.append(SimpleNamespace(briefing=SimpleNamespace(slug=slug, meta=meta),
                                     fact_ids=tuple(rng.sample(facts, rng.randrange(5)))))
        links[slug] = PageLink(slug.upper(), f"briefings/{slug}/index.html",
                               dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(20)), "", slug)
    return plans, links


@pytest.mark.parametrize("seed", range(6))
def test_related_briefings_from_the_index_match_comparing_every_pair(seed):
    plans, links = random_plans(seed, 20 + 60 * seed)  # tags and facts on few briefings, and on many
    assert related_briefings(plans, links) == related_by_comparing_every_pair(plans, links)


def test_each_dated_fact_lists_the_briefings_that_show_it_newest_first(make_project):
    from site_builder.compute.library import page_link, timeline_of
    from site_builder.compute.stage import compile_site
    from site_builder.incremental.cache import Store
    from site_builder.incremental.kept import SvgCache

    project = make_project("library", fixture="library")
    compiled = compile_site(project, SvgCache(Store(project.cache)))
    links = {plan.briefing.slug: page_link(plan) for plan in compiled.plans}
    events = timeline_of(compiled.book, compiled.plans, links)
    assert events and all(event.pages for event in events)
    for event in events:  # as looking through every plan for each fact finds them
        shown = [links[p.briefing.slug] for p in compiled.plans if event.fact.id in p.fact_ids]
        assert list(event.pages) == sorted(shown, key=lambda link: (-link.date.toordinal(), link.slug))
