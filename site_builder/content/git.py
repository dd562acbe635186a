"""Running git for the facts' history, and which commit the facts and data folders are at.

``history_key`` is what decides the revision notes besides the working files,
and the no-op check (``incremental/stamp.py``) asks it on every ``briefing build``:
so this module is light to import (no YAML, no validation).
Imports: nothing of the package.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 60
FACTS_FOLDER = "facts"  # under content/: the files whose history gives the revision notes
DATA_FOLDER = "data"  # ...and the data files facts read from


def run_git(root: Path, *args: str) -> str | None:
    """``git -C root args...``'s output; None when git is missing, fails or takes too long."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def history_key(root: Path, content: Path) -> str:
    """What decides ``read_history``'s answer besides the working files: the last commit of the facts and data
    folders."""
    done = run_git(root, "log", "-1", "--first-parent", "--format=%H", "--", str(content / FACTS_FOLDER),
                   str(content / DATA_FOLDER))
    return done.strip() if done is not None else "no git"
