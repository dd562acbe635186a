"""Where a site project's folders are: content, templates, static, the theme, the output and the cache.

``Project`` is what every command starts from; it also lists and reads a
folder's files the way every stage may (regular files only, none that link
outside the project). Light to import on purpose: ``briefing build`` with
nothing to do needs this and the stamp, not the stages.
Imports: the base modules only (``errors``, ``files``).
"""
from __future__ import annotations

import fnmatch
import functools
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError
from ..files import MAX_STATIC_BYTES, is_special, read_regular, why_unreadable

# The default theme ships inside the package; a project overrides any of its files with its own copy.
# (Found from this file, not importlib.resources: that imports zipfile, a fifth of a no-op build's imports.)
THEME = Path(__file__).parent.parent / "theme"
OVERRIDE_NOTE = "README.md"  # a project's templates/README.md and static/README.md explain the folder; never published


@dataclass(frozen=True)
class Project:
    """The folders of a site project."""

    root: Path
    out: Path

    @classmethod
    def at(cls, root: Path | str = ".", out: Path | str | None = None) -> "Project":
        """The project rooted at ``root``, writing to ``out`` (default ``root/_site``)."""
        root = Path(root).resolve()
        return cls(root, Path(out).resolve() if out else root / "_site")

    @property
    def content(self) -> Path:
        """The ``content/`` folder."""
        return self.root / "content"

    @property
    def templates(self) -> Path:
        """The ``templates/`` folder."""
        return self.root / "templates"

    @property
    def static(self) -> Path:
        """The ``static/`` folder."""
        return self.root / "static"

    @property
    def template_folders(self) -> tuple[Path, ...]:
        """Where templates are looked up, first match wins: the project's ``templates/``, then the theme's."""
        return (self.templates, THEME / "templates")

    def static_files(self) -> tuple[tuple[str, Path], ...]:
        """Every static file as (path under ``static/``, file), sorted: the theme's, overridden by the project's."""
        found = {path.relative_to(THEME / "static").as_posix(): path
                 for path in sorted((THEME / "static").glob("**/*")) if path.is_file()}
        for path in self.files_under(self.static, "**/*"):
            rel = path.relative_to(self.static).as_posix()
            if rel != OVERRIDE_NOTE:
                found[rel] = path
        return tuple(sorted(found.items()))

    @property
    def cache(self) -> Path:
        """Where rendered charts are cached between builds."""
        return self.root / ".briefing-cache"

    def display(self, path: Path) -> str:
        """``path`` as shown in messages: relative to the project root."""
        text, root = str(path), str(self.root) + os.sep
        if text.startswith(root):  # as relative_to gives it, several times quicker (a path per content file)
            return text[len(root):]
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return text

    def read_static(self, path: Path) -> bytes:
        """The bytes of a file under static/ (regular, within ``MAX_STATIC_BYTES``); raises BuildError."""
        try:
            return read_regular(path, MAX_STATIC_BYTES)
        except OSError as exc:
            raise BuildError(self.display(path), 1, why_unreadable(exc)) from None

    def files_under(self, folder: Path, pattern: str, listed: ListFolder | None = None) -> list[Path]:
        """Files matching ``pattern`` under ``folder``, sorted, refusing any that resolve outside the project.

        ``listed`` gives the matches (``folder_matches``, or what a build kept of them, ``incremental/listings.py``);
        what a link leads to, and whether each folder is inside the project, is asked again every time.
        """
        if not folder.is_dir():
            return []
        found = []
        inside: dict[Path, bool] = {}  # by folder: whether it really is inside the project
        for parent, entries in (listed or folder_matches)(folder, pattern):
            for path, is_file, is_link in entries:
                if not is_file():
                    if is_special(path):
                        raise BuildError(self.display(path), 1, "refusing a FIFO, device or socket: only regular "
                                         "files are read")
                    continue
                if is_link():
                    ok = path.resolve().is_relative_to(self.root)
                else:  # resolving every path is a tenth of a second at a thousand briefings: each folder once
                    ok = inside.get(parent)
                    if ok is None:
                        ok = inside[parent] = parent.resolve().is_relative_to(self.root)
                if not ok:
                    raise BuildError(self.display(path), 1, "refusing a file that links outside the project folder")
                found.append(path)
        return found


Match = tuple[Path, Callable[[], bool], Callable[[], bool]]  # a path, its is_file and its is_symlink
Matches = tuple[tuple[Path, tuple[Match, ...]], ...]  # runs of matches in one folder (the folder, its matches)
ListFolder = Callable[[Path, str], Matches]


def folder_matches(folder: Path, pattern: str) -> Matches:
    """``sorted(folder.glob(pattern))``, each path with its ``is_file`` and ``is_symlink``, in runs by folder.

    A pattern within one folder ("*.yaml") is matched as glob matches it (case-sensitive, hidden names too) on
    a listing by ``os.scandir``, which tells files and links without a ``stat`` each and makes a Path only of
    the names that match: a tenth of the time, at a thousand files a folder. Asked again, each ``is_file``
    and ``is_symlink`` says what it said of a name the folder still holds (a link's ``is_file`` asks again).
    """
    if "/" in pattern or "**" in pattern:
        paths = sorted(folder.glob(pattern))
        return tuple((parent, tuple((path, path.is_file, path.is_symlink) for path in run))
                     for parent, run in itertools.groupby(paths, key=lambda path: path.parent))
    with os.scandir(folder) as entries:
        matched = sorted((entry.name, entry) for entry in entries if fnmatch.fnmatchcase(entry.name, pattern))
    return ((folder, tuple(_match(folder / name, entry) for name, entry in matched)),)


def _match(path: Path, entry: os.DirEntry) -> Match:
    if entry.is_symlink():  # the entry would keep what its first stat said of the link's target
        return path, path.is_file, entry.is_symlink
    return path, functools.partial(_is_file, entry, path), entry.is_symlink


def _is_file(entry: os.DirEntry, path: Path) -> bool:
    try:
        return entry.is_file()
    except OSError:  # what Path.is_file says of it then (a loop of links is no file; no permission raises)
        return path.is_file()
