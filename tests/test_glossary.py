"""glossary.py: glossary.yaml checked with located errors; the first use of each term in a briefing
explained accessibly; the glossary page lists every term."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from site_builder.errors import BuildErrors, ErrorCollector
from site_builder.content.glossary import mark_terms, term_anchor, validate_glossary
from site_builder.html_tokens import visible_text
from site_builder.content.loader import parse_yaml
from site_builder.model import GlossaryTerm
from site_builder.compute.project import Project, load_content

from conftest import copy_project, parse_html

GLOSSARY = "content/glossary.yaml"
TERMS = (
    GlossaryTerm(term="Ministry of Industry and Trade", abbreviation="Minpromtorg", definition="A ministry."),
    GlossaryTerm(term="LLC", aliases=["limited liability company"], definition="A company form."),
    GlossaryTerm(term="light commercial vehicle", abbreviation="LCV", definition="A van."),
    GlossaryTerm(term="PSMA Rus", definition="The plant's company."),
)


def glossary_problems(text: str) -> list[str]:
    errors = ErrorCollector()
    validate_glossary(parse_yaml(textwrap.dedent(text), Path(GLOSSARY)), errors)
    return [str(p) for p in errors.problems]


def marked(html: str) -> tuple[str, list[str]]:
    out, used = mark_terms(html, TERMS)
    return out, [u.term.term for u in used]


# --- glossary.yaml --------------------------------------------------------------------------------

def test_a_term_without_a_definition_is_a_located_error():
    assert glossary_problems("""\
        terms:
          - term: LLC
            definition: A company form.
          - term: Kaluga
            abbreviation: KLG
        """) == [f"{GLOSSARY}:4: terms[1].definition: missing required field"]


def test_empty_definitions_unknown_fields_and_sections_are_located():
    assert glossary_problems("""\
        terms:
          - term: LLC
            definition: "  "
          - term: Kaluga
            definiton: typo
        words: []
        """) == [f"{GLOSSARY}:6: words: unknown section (expected terms)",
                 f"{GLOSSARY}:3: terms[0].definition: must not be empty",
                 f"{GLOSSARY}:4: terms[1].definition: missing required field",
                 f"{GLOSSARY}:5: terms[1].definiton: unknown field"]


def test_one_spelling_cannot_belong_to_two_terms():
    assert glossary_problems("""\
        terms:
          - term: Association of European Businesses
            abbreviation: AEB
            definition: A business group.
          - term: aeb
            definition: Something else.
        """) == [f"{GLOSSARY}:5: glossary term 'aeb': 'aeb' is already a form of "
                 f"'Association of European Businesses' (at {GLOSSARY}:2)"]


def test_a_term_citing_an_unknown_source_fails_the_build_at_its_line(tmp_path):
    root = copy_project(tmp_path / "p", "library")
    (root / GLOSSARY).write_text("terms:\n  - term: widget\n    definition: A device.\n    source: nowhere\n")
    with pytest.raises(BuildErrors) as caught:
        load_content(Project.at(root))
    assert [str(p) for p in caught.value.problems] == [
        f"{GLOSSARY}:2: glossary term 'widget': unknown source id 'nowhere'"]


# --- Marking terms in a body ----------------------------------------------------------------------

def test_only_the_first_use_of_each_term_is_marked_whichever_form_it_takes():
    out, used = marked("<p>The Ministry of Industry and Trade (Minpromtorg) said. Minpromtorg again; "
                       "LLCs and a limited liability company.</p>")
    assert used == ["Ministry of Industry and Trade", "LLC"]
    assert out.count('class="term"') == 2
    assert '<a class="term" href="#term-llc" id="term-llc-ref" aria-describedby="term-llc-def">LLCs</a>' in out


def test_lower_case_terms_also_match_at_the_start_of_a_sentence():
    out, used = marked("<p>Light commercial vehicles are vans.</p>")
    assert used == ["light commercial vehicle"]
    assert ">Light commercial vehicles</a>" in out


@pytest.mark.parametrize("html", [
    '<p>See <a href="x">PSMA Rus</a>.</p>',
    "<h2>PSMA Rus</h2>",
    "<p><code>PSMA Rus</code></p>",
    "<pre>PSMA Rus</pre>",
    '<figure class="chart"><figcaption>PSMA Rus</figcaption></figure>',
    '<aside class="check"><p>PSMA Rus</p></aside>',
    '<p title="PSMA Rus" data-x="LLC">No term here.</p>',
    "<p>PSMA Russia and XLLC are other words.</p>",
])
def test_links_headings_code_figures_notes_attributes_and_parts_of_words_are_left_alone(html):
    assert marked(html) == (html, [])


def test_a_term_after_an_unmarked_use_is_marked_where_it_is_first_in_prose():
    out, used = marked('<h2>PSMA Rus</h2><p>Then <a href="#f">PSMA Rus LLC</a> and PSMA Rus.</p>')
    assert used == ["PSMA Rus"]
    assert out.endswith('and <a class="term" href="#term-psma-rus" id="term-psma-rus-ref" '
                        'aria-describedby="term-psma-rus-def">PSMA Rus</a>.</p>')


def test_character_references_are_kept_as_written():
    html = "<p>PSMA Rus&rsquo; plant &amp; the LLC&#8217;s owners.</p>"
    out, used = marked(html)
    assert used == ["PSMA Rus", "LLC"]
    assert "&rsquo; plant &amp; the " in out and "</a>&#8217;s owners" in out


words = st.sampled_from(["PSMA", "Rus", "LLC", "Minpromtorg", "the", "light", "commercial", "vehicle", "vehicles",
                         "&amp;", "&rsquo;", "<em>", "</em>", "<a href='#'>", "</a>", "<code>", "</code>", ",", "."])


@given(st.lists(words, max_size=40))
def test_marking_changes_no_text_a_reader_sees_and_can_be_undone(pieces):
    html = "<p>" + " ".join(pieces) + "</p>"
    out, used = mark_terms(html, TERMS)
    assert visible_text(out) == visible_text(html)
    unmarked = re.sub(r'<a class="term" href="#[^"]*" id="[^"]*" aria-describedby="[^"]*">(.*?)</a>', r"\1", out)
    assert unmarked == html
    assert len({u.anchor for u in used}) == len(used) == out.count('class="term"')


# --- Built pages ----------------------------------------------------------------------------------

@pytest.fixture
def site(library_site) -> Path:
    return library_site


def test_the_first_use_links_to_its_explanation_and_is_described_by_the_definition(site):
    page = parse_html(site / "briefings/plant-opens/index.html")
    links = page.select(".briefing__body a.term")
    assert [a.get_text() for a in links] == ["Widgets", "Plant Registry"]
    for link in links:
        entry = page.find(id=link["href"][1:])
        assert entry is not None and entry.find("dfn") is not None
        description = page.find(id=link["aria-describedby"])
        assert description is not None and description.get_text(strip=True)
        back = entry.select_one(f'a[href="#{link["id"]}"]')
        assert back is not None and "Back to the text" in back.get_text()
    assert page.find(id="term-widget-def").get_text() == "A small mechanical device."


def test_abbreviations_count_as_uses_of_their_term(site):
    page = parse_html(site / "briefings/plant-closes/index.html")
    assert [a.get_text() for a in page.select(".briefing__body a.term")] == ["WGTs"]
    assert page.select_one(".terms dt").get_text(" ", strip=True) == "widget ( WGT )"


def test_a_briefing_without_terms_has_no_terms_section(site):
    page = parse_html(site / "briefings/elsewhere/index.html")
    assert page.select_one(".terms") is None


def test_the_glossary_page_lists_every_term_with_its_source_and_where_it_is_explained(site):
    page = parse_html(site / "glossary/index.html")
    entries = page.select(".glossary-entry")
    assert [e.find("dfn").get_text() for e in entries] == ["Plant Registry", "widget"]
    widget = page.find(id="term-widget")
    assert "A small mechanical device." in widget.get_text()
    assert widget.select_one('a[href="../sources/index.html#source-registry"]') is not None
    used_in = [a["href"] for a in widget.select(".glossary-entry__used a")]
    assert used_in == ["../briefings/plant-closes/index.html#term-widget", "../briefings/plant-opens/index.html#term-widget"]
    assert "Also written: the Registry." in page.find(id="term-plant-registry").get_text(" ", strip=True)


def test_every_page_links_to_the_glossary_from_the_site_navigation(site):
    for rel in ("index.html", "briefings/plant-opens/index.html", "tags/widgets/index.html", "timeline/index.html"):
        nav = parse_html(site / rel).select_one('nav[aria-label="Site"]')
        hrefs = [a["href"] for a in nav.select("a")]
        assert any(h.endswith("glossary/index.html") for h in hrefs), rel


def test_a_site_without_a_glossary_builds_and_says_so(mini_site):
    page = parse_html(mini_site.out / "glossary/index.html")
    assert "No terms yet" in page.select_one("main").get_text()


def test_anchors_are_plain_ascii_slugs():
    assert term_anchor(GlossaryTerm(term="Citroën C5 / Aircross", definition="x")) == "term-citroen-c5-aircross"


def test_default_content_seed_terms_are_all_explained():
    content = load_content(Project.at(Path(__file__).resolve().parent.parent))
    terms = {t.term for t in content.glossary}
    assert {"Ministry of Industry and Trade", "PSMA Rus", "LLC", "light commercial vehicle",
            "Automotive Technologies", "Kaluga"} <= terms
    assert all(t.definition.strip() for t in content.glossary)


def test_the_command_line_reports_a_glossary_error_as_path_line_message(tmp_path, cli):
    root = copy_project(tmp_path / "p", "library")
    (root / GLOSSARY).write_text("terms:\n  - term: widget\n    definition: A device.\n  - term: gadget\n")
    result = cli("build", "--root", str(root))
    assert result.returncode == 1
    assert f"{GLOSSARY}:4: terms[1].definition: missing required field" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "_site").exists()
