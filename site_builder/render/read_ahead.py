"""What the library and the final-HTML check read of each briefing page, read by the workers started ahead.

The search index and the glossary's "used on" lists read each briefing page's body (``library.read_page``),
and the build's last check reads every page for requests to other sites (``third_party.file_loads``). Both
are functions of the page's bytes alone. In a cold build the workers started ahead have drafted the bodies
while the content loaded and are idle while the main process renders the pages: each batch of pages goes
to them as soon as it is rendered, and what they read is taken for exactly those bytes (the same object),
anything else is read here. Without workers everything is read here, as before.
"""
from __future__ import annotations

from concurrent.futures import Future

from ..compute.library import PageReading, read_page
from ..compute.parallel import submit_ahead
from .third_party import Load, file_loads

BATCH = 50  # pages a batch: fewer submissions to the workers, each still soon done


class PagesReadAhead:
    """Briefing pages given to the workers started ahead (``add``), and what they read of each."""

    def __init__(self) -> None:
        self._batch: list[tuple[str, bytes]] = []
        self._read: dict[int, tuple[bytes, Future, int]] = {}  # by id of the page's bytes (kept alive here)
        self._results: dict[int, list | None] = {}  # each batch's results, by id of its future

    def add(self, path: str, page: bytes) -> None:
        """Read ``page`` (at ``path``) in the workers, with the pages added after it."""
        self._batch.append((path, page))
        if len(self._batch) >= BATCH:
            self.finish()

    def finish(self) -> None:
        """Give the workers what was added since the last batch."""
        batch, self._batch = self._batch, []
        future = submit_ahead(read_pages, batch) if batch else None
        if future is not None:
            self._read.update((id(page), (page, future, i)) for i, (_, page) in enumerate(batch))

    def reading(self, page: bytes) -> PageReading | None:
        """``read_page`` of ``page`` as the workers read it; None when they did not (then it is read here)."""
        made = self._made(page)
        return made[0] if made else None

    def loads(self, path: str, data: bytes) -> tuple[Load, ...] | None:
        """``file_loads`` of the output file ``path`` holding ``data`` as the workers read it; None when they did
        not (then it is read here)."""
        made = self._made(data)
        return made[1] if made else None

    def _made(self, page: bytes) -> tuple[PageReading, tuple[Load, ...]] | None:
        entry = self._read.get(id(page))
        if entry is None or entry[0] is not page:
            return None
        _, future, index = entry
        if id(future) not in self._results:
            try:
                self._results[id(future)] = future.result()
            except Exception:  # noqa: BLE001 - a worker died: the pages are read here
                self._results[id(future)] = None
        results = self._results[id(future)]
        return results[index] if results else None


def read_pages(pages: list[tuple[str, bytes]]) -> list[tuple[PageReading, tuple[Load, ...]] | None]:
    """What ``PagesReadAhead`` asks of the workers: each page's reading and the requests it makes to other
    sites (None for a page that could not be read: it is read again, and its error reported, by the build)."""
    made: list[tuple[PageReading, tuple[Load, ...]] | None] = []
    for path, page in pages:
        try:
            made.append((read_page(page.decode("utf-8")), file_loads(path, page.decode("utf-8", "replace"))))
        except Exception:  # noqa: BLE001
            made.append(None)
    return made
