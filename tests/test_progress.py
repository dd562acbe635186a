"""Build progress on a terminal: pages and charts done out of their totals, and silence elsewhere."""
from __future__ import annotations

import io

from site_builder.build import SiteBuilder
from site_builder.progress import BuildProgress, TerminalProgress, progress_for


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def lines_drawn(stream: io.StringIO) -> list[str]:
    """Each status line drawn, as a person would have seen it."""
    return [part for part in stream.getvalue().split("\r\x1b[K") if part]


def test_a_long_build_shows_pages_and_charts_done_out_of_their_totals_then_clears_the_line():
    terminal = Terminal()
    progress = TerminalProgress(terminal, delay=0, interval=0)
    progress.start(pages=3, charts=2)
    progress.chart_done()
    progress.page_done()
    assert lines_drawn(terminal)[-1] == "Building: pages 1/3 · charts 1/2"
    progress.chart_done()
    progress.page_done()
    progress.page_done()
    assert lines_drawn(terminal)[-1] == "Building: pages 3/3 · charts 2/2"
    progress.finish()
    assert terminal.getvalue().endswith("\r\x1b[K")


def test_a_quick_build_draws_nothing():
    terminal = Terminal()
    progress = TerminalProgress(terminal, delay=60)
    progress.start(pages=2, charts=1)
    progress.chart_done()
    progress.page_done()
    progress.finish()
    assert terminal.getvalue() == ""


def test_progress_only_on_a_terminal_and_never_when_quiet():
    assert isinstance(progress_for(Terminal()), TerminalProgress)
    assert type(progress_for(Terminal(), quiet=True)) is BuildProgress
    assert type(progress_for(io.StringIO())) is BuildProgress


def test_a_build_reports_every_page_and_chart(make_project, files_of):
    terminal = Terminal()
    project = make_project()
    builder = SiteBuilder(project, progress=TerminalProgress(terminal, delay=0, interval=0))
    builder.build()
    pages = len([rel for rel in files_of(project.out) if rel.endswith(".html")])
    drawn = lines_drawn(terminal)
    assert drawn[0].endswith("· charts 1/2")  # charts are drawn before pages are rendered
    assert drawn[-1] == f"Building: pages {pages}/{pages} · charts 2/2"
    assert terminal.getvalue().endswith("\r\x1b[K")
    builder.build()  # the second build knows the total from the start
    assert lines_drawn(terminal)[-pages - 2] == f"Building: pages 0/{pages} · charts 1/2"
