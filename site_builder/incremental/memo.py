"""What ``briefing serve`` keeps between builds, so that a rebuild redoes only what a change affects.

``RenderMemo`` is the renderer's ``reuse`` (``render/reuse.py``): it keeps every
page it was asked for with a digest of the page's inputs and the names of the
templates the page read (recorded while it rendered, ``render/templates.py``),
and gives the page again while both are the same. It keeps any other value the
renderer asks for (the library pages, the feed, the static files) the same way.
"""
from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .kept import DraftCache, PageReadings, PngCache
from .recall import MadeOnce
from ..render.briefing import BodyDrafts
from ..render.reuse import PageInputs
from ..render.search import document_json
from ..render.site import Kept
from ..render.templates import SiteTemplates
from ..values import same
from .written import WrittenPages

if TYPE_CHECKING:  # the incremental layer sits below the commands and their progress line
    from ..progress import BuildProgress

T = TypeVar("T")


@dataclass(frozen=True)
class KeptPage:
    """A page as the last build made it: the digest of its inputs, its bytes, the templates it read."""

    key: str
    data: bytes
    templates: tuple[str, ...]


@dataclass(frozen=True)
class KeptValue:
    """A value as the last build made it, from what, reading which templates, and the pages made with it."""

    inputs: Any
    result: Any
    templates: tuple[tuple[str, str | None], ...]
    pages: tuple[str, ...]


class RenderMemo:
    """What a SiteBuilder keeps between builds: the templates, rendered pages and other values made from them.

    Given the project's cache folder and output folder, it also remembers, on
    disk, which pages the last build wrote there and from which inputs, so that
    a build in a new process can take an unchanged page from the output folder.
    """

    def __init__(self, templates: SiteTemplates, store=None, out: Path | None = None,
                 long_running: bool = False) -> None:
        self.templates = templates
        self.store = store  # the build's incremental store (``cache.Store``)
        self.pages: dict[str, KeptPage] = {}  # by output path
        self._inputs: dict[str, tuple[object, str]] = {}  # by page: what its digest was made of (``_page_key``)
        self._digests: dict[int, tuple[object, str]] = {}  # this build's digests of context values, by id
        self._by_name: dict[str, tuple[object, str]] = {}  # the last digest of a context value, by its name
        self.written = WrittenPages(out, store)
        self.values: dict[str, KeptValue] = {}
        self.encoded = EncodedTexts()
        # The search index's documents as JSON, by document, for the builds that follow (briefing serve): 80 MB
        # at 10,000 briefings, kept for nothing by a build that is the only one.
        self.documents = MadeOnce(document_json) if long_running else None
        self.kept = Kept(PageReadings(store), PngCache(store), DraftCache(store), store, BodyDrafts(), self.encoded,
                         self.documents or document_json)
        self.page_done: Callable[[], None] = _nothing  # told of every page made or reused (the progress line)
        self.rendered: list[str] = []  # the pages this build rendered rather than reused
        self.pages_seen: list[str] = []  # every page this build made or reused, in order

    def start_build(self, progress: BuildProgress) -> None:
        """Read the templates again (they may have been edited) and start counting pages afresh."""
        self.templates.start_build()
        self.kept.cards.next_build()
        self.encoded.next_build()
        if self.documents is not None:
            self.documents.next_build()
        self.page_done = progress.page_done
        self.rendered, self.pages_seen = [], []
        self._digests = {}

    def page(self, url: str, inputs: PageInputs, make: Callable[[], bytes]) -> bytes:
        """The page at ``url``: its last bytes when ``inputs`` and the templates it read are the same, else
        ``make()``, recording the templates it reads."""
        kept = self.pages.get(url)
        if kept is not None and kept.key == self._page_key(url, inputs, kept.templates):
            data, templates = kept.data, kept.templates
        else:
            data, templates = None, ()
            if kept is None and (names := self.written.templates(url)) is not None:
                key = self._page_key(url, inputs, names)
                data, templates = self.written.page(url, key), names
            if data is None:
                with self.templates.recording() as read:
                    data = make()
                templates = tuple(sorted(read))
                self.rendered.append(url)
            self.pages[url] = KeptPage(self._page_key(url, inputs, templates), data, templates)
        self.templates.note(templates)  # a value made with this page read them too
        self.pages_seen.append(url)
        self.page_done()
        return data

    def value(self, name: str, inputs: Any, make: Callable[[], T]) -> T:
        """What ``make()`` gave last time under ``name`` when ``inputs`` and the templates it read are the same
        (the pages it made are counted as made again), else ``make()``."""
        kept = self.values.get(name)
        if kept is not None and same(kept.inputs, inputs) \
                and self.templates.versions(n for n, _ in kept.templates) == kept.templates:
            for url in kept.pages:
                self.pages_seen.append(url)
                self.page_done()
            self.templates.note(n for n, _ in kept.templates)
            return kept.result
        first = len(self.pages_seen)
        with self.templates.recording() as read:
            result = make()
        self.values[name] = KeptValue(inputs, result, self.templates.versions(read), tuple(self.pages_seen[first:]))
        return result

    def _page_key(self, url: str, inputs: PageInputs, templates: tuple[str, ...]) -> str:
        # The digest of what the page's templates read of its context, its own inputs and the templates' sources.
        # Unchanged content is made of the same objects from one build to the next (see ``recall.py``), and
        # telling so is much quicker than digesting it; a value many pages are handed (the library, the fact
        # book) is digested once a build.
        names = self.templates.names_read(templates)
        context = [(k, v) for k, v in sorted(inputs.context.items()) if names is None or k in names]
        page = (self.templates.versions(templates), url, context, inputs.own)
        kept = self._inputs.get(url)
        if kept is not None and same(kept[0], page):
            self._inputs[url] = (page, kept[1])
            return kept[1]
        key = digest(page[0], url, [(k, self._digest_once(k, v)) for k, v in context], inputs.own)
        self._inputs[url] = (page, key)
        return key

    def _digest_once(self, name: str, value: object) -> str:
        kept = self._digests.get(id(value))  # this build's; the value is held, so its id stays its own
        if kept is not None and kept[0] is value:
            return kept[1]
        last = self._by_name.get(name)  # the last value of this name digested, in this build or an earlier one
        key = last[1] if last is not None and same(last[0], value) else digest(value)
        self._by_name[name] = self._digests[id(value)] = (value, key)
        return key

    def finish_build(self) -> None:
        """Drop remembered pages that the build just finished no longer made (nor reused)."""
        seen = set(self.pages_seen)
        self.pages = {url: kept for url, kept in self.pages.items() if url in seen}
        self._inputs = {url: kept for url, kept in self._inputs.items() if url in seen}
        self._digests = {}

    def remember_written(self, stats: Mapping[str, tuple[int, int, int]] | None = None) -> None:
        """Record the pages kept as written to the output folder, for a build in a new process (``stats``: each
        file's size, modification time and inode, as the build left it; else each page is looked up)."""
        self.written.remember({url: (kept.key, kept.data, kept.templates) for url, kept in self.pages.items()}, stats)


class EncodedTexts:
    """The UTF-8 bytes of each text this build or the last one encoded, by the text object itself.

    A drawn chart's SVG, spec and CSV are the very same strings from one build to the next; encoding them
    (56 MB at 1,000 x 3) took longer than the rest of a no-op rebuild's rendering, and the same bytes objects
    are then told unchanged by identity when the site is checked and written.
    """

    def __init__(self) -> None:
        self._last: dict[int, tuple[str, bytes]] = {}  # by the text's id; the text is held, so its id stays its own
        self._now: dict[int, tuple[str, bytes]] = {}

    def __call__(self, text: str) -> bytes:
        kept = self._now.get(id(text)) or self._last.get(id(text))
        if kept is None or kept[0] is not text:
            kept = (text, text.encode())
        self._now[id(text)] = kept
        return kept[1]

    def next_build(self) -> None:
        """Forget the texts the build just finished did not encode."""
        self._last, self._now = self._now, {}


def digest(*parts: object) -> str:
    """A digest of the values in ``parts``: equal values give equal digests within one process.

    Pickle spells out every value of the frozen model dataclasses, several times
    faster than ``repr``. The same values pickled with other object sharing, or
    a set in another order, only make the digest differ: that costs a
    re-render, never a stale page. Anything pickle refuses is digested by its
    ``repr``, which for objects without a value-based one differs every time.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: an object shared by two parts is written out twice, so only values count
    try:
        pickler.dump(parts)
        data = buffer.getvalue()
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _nothing() -> None:
    pass
