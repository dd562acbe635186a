"""Writing the site: all of it or none of it.

The new site is written into a temporary folder beside the output folder and
swapped in only when complete, so a failed build never leaves a half-written
or deleted site behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import BuildError

MARKER = ".nojekyll"  # every site we write has it; a folder without it is not ours to replace


def replace_file(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole; raises OSError.

    The bytes go into a temporary file beside ``path``, which is then renamed
    over it: a reader, or another process writing the same cache entry, sees
    the old bytes or the new, never half of them.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    tmp.replace(path)


def check_output_folder(out: Path, root: Path) -> None:
    """Refuse output folders whose replacement would destroy something that is not a built site."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise BuildError(str(out), 1, "the output folder cannot be the project folder or contain it")
    for name in ("content", "templates", "static"):
        if out.is_relative_to(root / name):
            raise BuildError(str(out), 1, f"the output folder cannot be inside {name}/")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise BuildError(str(out), 1, f"{out} exists and is not a site built by briefing (no {MARKER}); "
                         "choose another --out or remove it")


def write_site(files: dict[str, bytes], out: Path) -> list[str]:
    """Replace ``out`` with exactly ``files`` (relative path → bytes); returns the paths whose bytes changed.

    Files identical to the current site's are hard-linked rather than rewritten,
    so their modification times show what a rebuild really touched.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a published site folder is world-readable
    except OSError as exc:
        raise BuildError(str(out), 1, f"cannot write the output folder: {exc.strerror or exc}") from None
    changed: list[str] = []
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            old = out / rel
            if _same_bytes(old, data):
                try:
                    os.link(old, target)
                    continue
                except OSError:
                    pass  # a file system without hard links: fall back to writing
            target.write_bytes(data)
            changed.append(rel)
        _swap_in(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(str(out), 1, f"cannot write the site: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
