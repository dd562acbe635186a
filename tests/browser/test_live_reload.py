"""An author edits content while ``briefing serve`` runs: the open page reloads itself, or shows the error."""
from __future__ import annotations

import io

from site_builder.commands.serve import DevServer

PAGE = "briefings/widget-outlook/index.html"
FACTS = "content/facts/widgets.yaml"


def edit(project, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the fixture's fact file, as an author saving it would."""
    path = project.root / FACTS
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_open_page_reloads_on_a_fact_edit_and_shows_content_errors_over_the_last_good_page(
        make_project, open_page):
    from playwright.sync_api import expect

    project = make_project()
    server = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=io.StringIO())
    server.start()
    try:
        visit = open_page(server.url + PAGE)
        page = visit.page
        imports = page.locator('.briefing__body a.fact[data-fact="imports"]')
        overlay = page.locator("#briefing-error-overlay")
        expect(imports).to_have_text("992,200")

        edit(project, "value: 992200", "value: 993300")
        expect(imports).to_have_text("993,300", timeout=10_000)  # nobody pressed reload

        edit(project, "    value: 993300", "    value: [993300")
        expect(overlay).to_be_visible(timeout=10_000)
        expect(overlay).to_contain_text(f"{FACTS}:")
        expect(imports).to_have_text("993,300")  # the last good page, under the overlay

        edit(project, "    value: [993300", "    value: 994400")
        expect(imports).to_have_text("994,400", timeout=10_000)
        expect(overlay).to_have_count(0)
        visit.watch.assert_clean()  # what a reload cancels (its event stream, say) is not a failure
    finally:
        server.stop()
