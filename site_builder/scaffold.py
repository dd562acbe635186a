"""``briefing new DIR``: create a working site project with one example briefing."""
from __future__ import annotations

import shutil
from pathlib import Path

from .errors import BuildError

STARTER = Path(__file__).parent / "starter"
# The default templates and static files are the repository's own, beside the package.
THEME_ROOT = Path(__file__).resolve().parent.parent


def create_project(target: str | Path) -> Path:
    """Create a new project folder at ``target``: content, templates and static files; returns its path."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BuildError(str(target), 1, "folder exists and is not empty; choose a new folder")
    for folder in ("templates", "static"):
        if not (THEME_ROOT / folder).is_dir():
            raise BuildError(str(THEME_ROOT / folder), 1, "default theme not found; install site_builder from its source tree")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STARTER / "content", target / "content")
    shutil.copytree(THEME_ROOT / "templates", target / "templates")
    shutil.copytree(THEME_ROOT / "static", target / "static")
    (target / ".gitignore").write_text("_site/\n._site.*/\n.briefing-cache/\n", encoding="utf-8")
    return target.resolve()
