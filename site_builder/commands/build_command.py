"""``briefing build``: build the site once, unless the last build into the same folder is still current.

A build with nothing to do is the one an author runs most, so this module and
what it needs to find out (``incremental/stamp.py``, the project's folders, the
store) are light to import: the stages, Jinja, Markdown, pydantic, YAML and
Babel are imported only when there is something to build
(``tests/test_stamp.py`` checks it).
"""
from __future__ import annotations

from dataclasses import replace

from ..content.folders import Project
from ..errors import StrictWarnings
from ..incremental.cache import Store
from ..incremental.stamp import (
    BuildStamp, current_stamp, input_digest, output_digest, read_stamp, settled, settled_now, write_stamp,
)
from ..progress import BuildProgress, BuildResult
from ..swap import recover_interrupted_swap


def build_site(project: Project, base_url: str | None = None, progress: BuildProgress | None = None,
               force: bool = False, strict: bool = False) -> BuildResult:
    """Build the project's site into its output folder, atomically.

    When nothing the build reads has changed since the last build into the same
    folder, and that folder is as the build left it, the build is skipped and
    its recorded result returned with ``up_to_date`` set (see ``stamp.py``);
    ``force`` builds anyway. With ``strict``, warnings are errors: StrictWarnings
    is raised and nothing is written.
    """
    recover_interrupted_swap(project.out)  # before the up-to-date check, so that no leftover outlives it
    store = Store(project.cache)
    last = read_stamp(project, store)
    inputs = input_digest(project, base_url, last.digests if last else None)
    recorded = None if force else current_stamp(project, last, inputs)
    if recorded and strict and recorded.warnings:
        raise StrictWarnings(list(recorded.warnings))
    if recorded:
        if (digests := settled_now(inputs)) != recorded.digests:  # files read again that need not be next time
            write_stamp(project, store, replace(recorded, digests=digests))
        return BuildResult(project.out, recorded.pages, recorded.charts, 0, recorded.files,
                           warnings=tuple(recorded.warnings), up_to_date=True)
    from ..build import SiteBuilder  # the stages: only now that there is something to build

    result = SiteBuilder(project, base_url, progress, store, strict).build()
    store.prune()  # after the build, which marked every entry it used
    if inputs.digest and (outputs := output_digest(project.out)):
        write_stamp(project, store, BuildStamp(inputs.digest, outputs, result.pages, result.charts, result.files,
                                               tuple(result.warnings), settled(project, inputs)))
    return result
