"""``briefing check``: everything a build checks, without writing anything."""
from __future__ import annotations

from .compute import compile_site
from .charts import SvgCache
from .errors import Problem
from .project import Project


def check_project(project: Project) -> list[Problem]:
    """Validate and compute the project's content; returns warnings, raises BuildErrors on errors."""
    return compile_site(project, SvgCache(project.cache / "charts")).warnings
