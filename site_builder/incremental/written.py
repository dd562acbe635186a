"""Which pages a build wrote to the output folder, and from which inputs: for builds in later processes.

A build in a new process has none of ``briefing serve``'s memory, but it can
take a page from the output folder instead of rendering it, when the page's
inputs have the digest recorded here and the file is still the one written.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path


class WrittenPages:
    """The pages a build wrote to the output folder, each with the digest of its inputs, recorded on disk.

    Each page is recorded with the templates it read (whose sources its digest
    covers). A page is taken from the output folder instead of being rendered when its
    inputs have the recorded digest and the file is still the one written
    (same size, modification time and inode). The record is an entry of the
    build's store, so a change to this package's code or to a rendering
    library, which the digests do not cover, starts a new one. Digests must not
    depend on the process: ``digest`` pickles values, never ids or addresses.
    """

    def __init__(self, out: Path | None, store=None) -> None:
        self.out, self.store = out, store
        self._key = store.key("pages", str(out)) if store is not None and out is not None else None
        self._entries: dict[str, list] | None = None  # read on first use
        self._recorded: dict | None = None  # the record as this process last wrote it

    def templates(self, url: str) -> tuple[str, ...] | None:
        """The templates the last build recorded ``url`` as made from (None: it recorded no such page)."""
        entry = self._read().get(url)
        return entry[4] if entry else None

    def page(self, url: str, key: str) -> bytes | None:
        """The bytes of ``url`` as written by the last build, if it was made from inputs with digest ``key``."""
        entry = self._read().get(url)
        if not entry or entry[0] != key or self.out is None:
            return None
        path = self.out / url
        try:
            info = path.stat(follow_symlinks=False)
            if [info.st_size, info.st_mtime_ns, info.st_ino] != entry[1:4]:
                return None  # changed since it was written: render it again
            return path.read_bytes()
        except OSError:
            return None

    def remember(self, pages: dict[str, tuple[str, bytes, tuple[str, ...]]],
                 stats: Mapping[str, tuple[int, int, int]] | None = None) -> None:
        """Record ``pages`` (path → (inputs digest, bytes, templates read)) as just written to the output folder.

        ``stats`` holds the size, modification time and inode of the files as the build wrote or found them
        (``output.WrittenSite``); a page it lacks is looked up on disk. An unchanged record is not written again.
        """
        if self.out is None or self._key is None:
            return
        entries, sets = {}, {}  # most pages read one of a few sets of templates: each set is written once
        for url, (key, data, templates) in sorted(pages.items()):
            stat = stats.get(url) if stats is not None else None
            if stat is None:
                try:
                    info = (self.out / url).stat(follow_symlinks=False)
                except OSError:
                    continue
                stat = (info.st_size, info.st_mtime_ns, info.st_ino)
            if stat[0] == len(data):
                entries[url] = [key, *stat, sets.setdefault(templates, len(sets))]
        record = {"templates": [list(names) for names in sets], "pages": entries}
        if record == self._recorded:
            return
        self._entries = {url: entry[:4] + [templates] for url, (key, data, templates) in pages.items()
                         if (entry := entries.get(url))}
        self._recorded = record
        self.store.put_json("pages", self._key, record)

    def _read(self) -> dict[str, list]:
        if self._entries is None:
            data = self.store.get_json("pages", self._key) if self._key else None
            self._entries = _entries(data) if isinstance(data, dict) else {}
        return self._entries


def _entries(data: dict) -> dict[str, list]:
    # The record as written by ``remember``; anything else in it (a damaged or older record) is left out.
    sets, pages = data.get("templates"), data.get("pages")
    if not isinstance(sets, list) or not isinstance(pages, dict):
        return {}
    names = [tuple(s) for s in sets if isinstance(s, list) and all(isinstance(n, str) for n in s)]
    if len(names) != len(sets):
        return {}
    return {url: entry[:4] + [names[entry[4]]] for url, entry in pages.items()
            if isinstance(entry, list) and len(entry) == 5 and isinstance(entry[4], int) and 0 <= entry[4] < len(names)}


CHECKED_SUFFIXES = (".html", ".svg", ".css")  # the files render/third_party.py and render/csp.py read


class CheckedFiles:
    """Digests of the output files that passed the final-HTML checks, recorded for builds in later processes.

    Reading a page for requests to other sites costs more than digesting it
    (about 0.7 ms against 0.1 ms for a page with two drawn charts), and most
    files of a rebuild are byte for byte what an earlier build checked. The
    record is an entry of the build's store: authenticated, and started anew
    by a change to this package's code, which the checks are part of.
    """

    def __init__(self, out: Path | None, store=None) -> None:
        self.store = store
        self._key = store.key("pages", "checked", str(out)) if store is not None and out is not None else None
        self._digests: frozenset[str] | None = None  # read on first use
        self._made: dict[str, tuple[bytes, str]] = {}  # path → (bytes, digest) as last remembered, in this process

    def passed(self, path: str, data: bytes) -> bool:
        """Whether output file ``path`` holding exactly ``data`` passed the checks in the last build."""
        if self._digests is None:
            found = self.store.get_json("pages", self._key) if self._key else None
            self._digests = frozenset(d for d in found if isinstance(d, str)) if isinstance(found, list) else frozenset()
        return bool(self._digests) and file_digest(path, data) in self._digests

    def remember(self, files: dict[str, bytes]) -> None:
        """Record ``files`` (path → bytes) as having passed the checks."""
        if self._key is None:
            return
        made = {path: (data, self._digest(path, data)) for path, data in files.items() if path.endswith(CHECKED_SUFFIXES)}
        digests = frozenset(digest for _, digest in made.values())
        self._made = made
        if digests != self._digests:  # a rebuild under serve that checked nothing new writes nothing
            self._digests = digests
            self.store.put_json("pages", self._key, sorted(digests))

    def _digest(self, path: str, data: bytes) -> str:
        last = self._made.get(path)
        # Comparing bytes is many times faster than digesting them, and most files are as they were.
        return last[1] if last is not None and (last[0] is data or last[0] == data) else file_digest(path, data)


def file_digest(path: str, data: bytes) -> str:
    """A digest of an output file's path and bytes, short enough to keep thousands of."""
    digest = hashlib.blake2b(path.encode("utf-8", "surrogateescape") + b"\0", digest_size=16)
    digest.update(data)
    return digest.hexdigest()
