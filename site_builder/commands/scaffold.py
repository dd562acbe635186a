"""``briefing new DIR``: create a working site project with one example briefing.

The project gets content and two empty override folders, ``templates/`` and
``static/``: the default theme is read from the package, so it is not copied.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import BuildError

STARTER = Path(__file__).parent.parent / "starter"


def create_project(target: str | Path) -> Path:
    """Create a new project folder at ``target``: content and override folders; returns its path."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise BuildError(str(target), 1, "exists and is not a folder; choose a new folder")
    if target.exists() and any(target.iterdir()):
        raise BuildError(str(target), 1, "folder exists and is not empty; choose a new folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(STARTER, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        (target / ".gitignore").write_text("_site/\n._site.*/\n.briefing-cache/\n", encoding="utf-8")
    except OSError as exc:
        raise BuildError(str(target), 1, f"cannot create the project here: {exc.strerror or exc}") from None
    return target.resolve()
