"""``briefing check``: everything a build checks, without writing anything."""
from __future__ import annotations

from dataclasses import dataclass

from ..incremental.cache import Store
from ..compute.stage import compile_site
from ..errors import Problem
from ..output import check_output_folder
from ..incremental.kept import SvgCache
from ..content.folders import Project


@dataclass(frozen=True)
class CheckReport:
    """What ``briefing check`` found: warnings, and every reconciliation check in plain lines."""

    warnings: tuple[Problem, ...]
    lines: tuple[str, ...]


def check_project(project: Project) -> CheckReport:
    """Validate and compute the project's content; raises BuildErrors on errors.

    The report's lines give each check's verdict, its figures, any scope
    difference and adjustment, and what input would make the stated figure true.
    """
    check_output_folder(project.out, project.root)  # refused by a build, so refused here too
    site = compile_site(project, SvgCache(Store(project.cache)))
    book = site.book
    lines = [line for _, result in sorted(book.checks.items()) for line in result.summary_lines(book.locale)]
    return CheckReport(tuple(site.warnings), tuple(lines))
