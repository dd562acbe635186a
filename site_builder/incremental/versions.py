"""The one code version: what, besides the content, decides a build's bytes.

The source of this whole package (code, theme, starter project, font
configuration), the versions of every library that shapes the output, and
Python's. Every key of the store (``cache.Store.key``) and the build stamp
include it, so an edit to site_builder or an upgrade of Babel makes every
entry again.

The libraries' versions are read from their ``*.dist-info`` folders on
``sys.path``, in order, as ``importlib.metadata`` finds them: importing that
module costs a no-op ``briefing build`` a third of its time (it imports the
email package). A library found any other way (an egg, a zip) is asked of
``importlib.metadata`` itself.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from importlib.machinery import PathFinder
from pathlib import Path

# Every library whose version can change a built file's bytes.
OUTPUT_LIBRARIES = ("altair", "babel", "jinja2", "markdown", "markupsafe", "pydantic", "pyyaml",
                    "vl-convert-python")


def code_version() -> str:
    """What, besides the content, decides a build's bytes: this package's files, the output libraries, Python."""
    return f"{_package_digest(Path(__file__).resolve().parent.parent)} {_library_versions()} python {sys.version}"


@functools.lru_cache(maxsize=1)
def code_version_digest() -> bytes:
    """``code_version()`` as 32 bytes, part of every store key."""
    return hashlib.sha256(code_version().encode()).digest()


@functools.lru_cache(maxsize=None)
def _package_digest(package: Path) -> str:
    digest = hashlib.sha256()
    for parent, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):  # every file: code, the theme, the starter project, the font configuration
            path = Path(parent) / name
            if path.suffix not in (".pyc", ".pyo"):
                digest.update(f"{path.relative_to(package).as_posix()}\n".encode() + path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _library_versions() -> str:
    found = installed_versions(OUTPUT_LIBRARIES)
    return ", ".join(f"{name} {found.get(name) or _version_from_metadata(name)}" for name in OUTPUT_LIBRARIES)


def installed_versions(names: tuple[str, ...], path: list[str] | None = None) -> dict[str, str]:
    """The version of each of ``names`` installed as a ``*.dist-info`` folder, the first on ``path`` (sys.path).

    A name is left out when something else could come first: an ``.egg-info`` or ``.egg`` of it, a
    ``path`` entry that is a file (a zip) or cannot be listed before its dist-info, or another finder
    of distributions than the standard one on ``sys.meta_path``.
    """
    wanted = {_normalised(name): name for name in names}
    found: dict[str, str] = {}
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return found  # another finder knows of distributions too: importlib.metadata asks it
    for entry in sys.path if path is None else path:
        try:
            listing = os.listdir(entry or ".")
        except FileNotFoundError:
            continue  # importlib.metadata finds nothing there either
        except OSError:
            return found  # a zip, or a folder not readable: what is left is importlib.metadata's to find
        for item in listing:
            stem, dot, suffix = item.rpartition(".")
            name = wanted.get(_normalised(stem.split("-", 1)[0])) if suffix in ("dist-info", "egg-info", "egg") else None
            if name is None or name in found:
                continue
            version = _dist_info_version(Path(entry or ".") / item) if suffix == "dist-info" else None
            if version is None:  # an egg, or a dist-info without a version: importlib.metadata decides
                wanted = {k: v for k, v in wanted.items() if v != name}
                continue
            found[name] = version
        if len(found) == len(wanted):
            break
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_info_version(folder: Path) -> str | None:
    # The Version header of the folder's METADATA (headers end at the first empty line).
    try:
        with open(folder / "METADATA", encoding="utf-8", errors="replace") as metadata:
            for line in metadata:
                if not line.strip():
                    break
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip() or None
    except OSError:
        return None
    return None


def _version_from_metadata(name: str) -> str:
    import importlib.metadata  # only for a library not installed as a plain dist-info folder

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "none"
