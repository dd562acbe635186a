"""The one incremental store: every result a build keeps on disk, under ``.briefing-cache/<kind>/``.

Drawn charts, social cards, body drafts, body scans, page readings, parsed
documents, the record of the pages a build wrote and the build stamps are all
entries of one ``Store``: bytes under a key. A key is a digest of what the
entry was made from (the caller's ``parts``) and of ``code_version()``: the
source of this whole package, the versions of every library that shapes the
output, and Python's. So any edit to site_builder (say, to how an axis label
is formatted) or an upgrade of Babel makes every entry again; no kind of
entry has its own list of the modules it depends on, which could be forgotten.

Entries are authenticated: each file starts with an HMAC-SHA256 of its kind,
key and bytes, made with a secret kept outside the cache folder
(``secret_key``). An entry that does not verify (edited, copied from another
machine, restored from a shared CI cache) reads as missing: it is made again,
never published. Reading marks an entry as used (its modification time becomes
now), and ``prune`` removes what nobody used for ``MAX_AGE_DAYS``.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..output import replace_file
from .versions import code_version, code_version_digest  # noqa: F401 (code_version: the store's users ask it here)

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

KINDS = ("charts", "cards", "bodies", "readings", "documents", "scans", "pages", "builds", "vendor", "history")
MAX_AGE_DAYS = 14
TEMPORARY_MAX_AGE_S = 24 * 3600  # a temporary file this old was left by a process that died while writing it
KEY_ENV = "BRIEFING_CACHE_KEY"  # a secret given by the environment (a CI secret), instead of the key file
_TAG_SIZE = 32
# No entry is larger (a 50 MB data file parsed is well under it); a larger file is not read, and reads as missing.
MAX_ENTRY_BYTES = 256 * 1024 * 1024
MAX_PENDING_BYTES = 32 * 1024 * 1024  # entries waiting for the writer thread; beyond that put writes them itself


class Store:
    """Bytes by (kind, key) in a folder, each entry authenticated with ``secret``; a folder of None keeps nothing.

    A store that cannot be read or written only costs time: every failure reads as a missing entry.
    """

    def __init__(self, folder: Path | None, secret: bytes | None = None) -> None:
        self.folder = folder
        self._secret = secret if secret is not None else (secret_key() if folder else b"")
        self._writer: ThreadPoolExecutor | None = None  # while writing behind (see ``writing_behind``)
        self._pending: dict[tuple[str, str], bytes] = {}  # entries put but not on disk yet
        self._pending_bytes = 0  # their sizes, put together (never more than MAX_PENDING_BYTES)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def writing_behind(self) -> Iterator[None]:
        """Entries put within the block are written to disk by a thread of their own; all are there when it ends.

        A build puts thousands of small entries (bodies, documents, page readings),
        each a file written beside its name and renamed; on a busy machine that is
        about 0.25 ms a file of waiting, which the build now spends working. Until
        an entry is on disk, ``get`` and ``has`` find it among those pending.
        """
        if not self.folder or self._writer is not None:
            yield
            return
        from concurrent.futures import ThreadPoolExecutor  # it imports logging: not for a build with nothing to do

        self._writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        try:
            yield
        finally:
            writer, self._writer = self._writer, None
            writer.shutdown(wait=True)

    def key(self, kind: str, *parts: str | bytes) -> str:
        """The key of an entry of ``kind`` made from ``parts`` by this version of the code."""
        digest = hashlib.blake2b(digest_size=16, key=code_version_digest())
        digest.update(kind.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(b"\0%d\0" % len(data) + data)
        return digest.hexdigest()

    def path(self, kind: str, key: str) -> Path | None:
        """The file of the entry ``key`` of ``kind`` (None when the store keeps nothing)."""
        return self.folder / kind / key if self.folder else None

    def get(self, kind: str, key: str) -> bytes | None:
        """The bytes stored under ``key``, marked as used; None when missing, unreadable or not authentic."""
        path = self.path(kind, key)
        if path is None:
            return None
        if self._pending:
            with self._lock:
                pending = self._pending.get((kind, key))
            if pending is not None:
                return pending  # put by this build, not written yet
        try:
            # Non-blocking, so that a FIFO put in the cache cannot hang the build; a link is not ours.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as file:
                info = os.fstat(file.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES + _TAG_SIZE:
                    return None  # a device, or a planted sparse gigabyte: never read into memory
                tag, data = file.read(_TAG_SIZE), file.read()
        except OSError:
            return None
        if len(data) > MAX_ENTRY_BYTES:
            return None
        if not hmac.compare_digest(tag, self._tag(kind, key, data)):
            return None  # edited or not made here: made again by the caller
        mark_used(path)
        return data

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored under ``key`` (without reading or verifying it)."""
        return bool(self.folder) and ((kind, key) in self._pending or (self.folder / kind / key).is_file())

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, replacing the file whole so that a concurrent reader sees old or new."""
        if not self.folder or len(data) > MAX_ENTRY_BYTES:
            return
        writer = self._writer
        if writer is not None:
            with self._lock:
                if self._pending_bytes + len(data) > MAX_PENDING_BYTES:  # the disk is behind: wait for it here
                    writer = None
                else:
                    self._pending[(kind, key)] = data
                    self._pending_bytes += len(data)
        if writer is None:
            self._write(kind, key, data)
            return
        writer.submit(self._write, kind, key, data, True)  # tagged by the writer: one copy of each pending entry

    def _write(self, kind: str, key: str, data: bytes, pending: bool = False) -> None:
        try:
            replace_file(self.folder / kind / key, self._tag(kind, key, data) + data)
        except OSError:
            pass  # a cache that cannot be written only costs time
        finally:
            if pending:
                with self._lock:
                    self._pending_bytes -= len(data)
                    if self._pending.get((kind, key)) is data:  # not put again since
                        del self._pending[(kind, key)]

    def get_json(self, kind: str, key: str) -> Any:
        """The JSON value stored under ``key``; None when there is none (see ``get``)."""
        data = self.get(kind, key)
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` as JSON under ``key``."""
        self.put(kind, key, json.dumps(value, ensure_ascii=False, allow_nan=False).encode())

    def prune(self, max_age_days: float = MAX_AGE_DAYS, now: float | None = None) -> int:
        """Remove entries unused for ``max_age_days``, and stale temporary files; returns how many went."""
        return prune_cache(self.folder, max_age_days, now) if self.folder else 0

    def _tag(self, kind: str, key: str, data: bytes) -> bytes:
        return hmac.new(self._secret, f"{kind}/{key}\0".encode() + data, hashlib.sha256).digest()


def mark_used(path: Path) -> None:
    """Record that a cache entry was just used (a folder that cannot be written only keeps it from pruning)."""
    try:
        os.utime(path)
    except OSError:
        pass


def prune_cache(cache: Path, max_age_days: float = MAX_AGE_DAYS, now: float | None = None) -> int:
    """Remove entries of ``cache`` unused for ``max_age_days``, and stale temporary files; returns how many went."""
    now = time.time() if now is None else now
    removed = 0
    for name in KINDS:
        try:
            entries = list(os.scandir(cache / name))
        except OSError:
            continue
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
                limit = TEMPORARY_MAX_AGE_S if entry.name.endswith(".tmp") else max_age_days * 86400
                if age > limit:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # gone already (another build pruned it), or not ours to remove
    return removed


# The secret ---------------------------------------------------------------------------------

def key_file() -> Path:
    """Where the secret that authenticates cache entries is kept: the user's state folder, never the project.

    ``$XDG_STATE_HOME/site_builder/cache-key``, by default ``~/.local/state/site_builder/cache-key``.
    """
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "site_builder" / "cache-key"


@functools.lru_cache(maxsize=None)
def _secret_at(path: Path) -> bytes:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return secrets.token_bytes(32)  # unusable: this process's own key (nothing stored earlier verifies)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(32))
        return _read_key(path)
    except OSError:  # read-only home, or another process made it first and it is odd: read it or give up
        try:
            return _read_key(path)
        except OSError:
            return secrets.token_bytes(32)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or \
                (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            raise PermissionError(f"{path}: not a private file of this user")  # others could read or write it
        key = file.read(64)
    if len(key) < 32:
        raise PermissionError(f"{path}: too short")
    return key


def secret_key() -> bytes:
    """The secret that authenticates cache entries: ``$BRIEFING_CACHE_KEY``, else the key file (made if missing).

    When neither can be used, a key of this process only: the cache then saves
    nothing across processes, but is never trusted blindly.
    """
    given = os.environ.get(KEY_ENV)
    if given:
        return hashlib.sha256(given.encode()).digest()
    return _secret_at(key_file())
