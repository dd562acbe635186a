"""Body drafts done ahead: by the workers started at the beginning of a cold build, or in a pool.

A draft (``render.BodyDraft``) depends on the body's text alone, and on its file and first line for errors.
The workers started ahead (``parallel.workers_started_ahead``) draft the bodies from the briefing files while
the main process loads the content (``draft_files_ahead``); ``draft_bodies`` then takes, for each loaded
briefing, what the store holds, else the draft made under its key, else drafts the rest (in a pool when there
are many). Anything that failed in a worker is drafted again by the build, which reports the error.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from . import parallel
from ..errors import BuildError, Problem
from ..model import Briefing

T = TypeVar("T")
R = TypeVar("R")


class KeptDrafts(Protocol):
    """Body drafts (``render.BodyDraft``) kept by the build (``kept.DraftCache``; ``briefing.BodyDrafts``)."""

    def draft(self, briefing: Briefing) -> Any: ...
    def keep(self, briefing: Briefing, draft: Any) -> None: ...


class Drafts(Protocol):
    """The drafts of one build (``briefing.BodyDrafts``)."""

    def missing(self, briefings: list[Briefing]) -> list[Briefing]: ...
    def keep(self, briefing: Briefing, draft: Any) -> None: ...
    def keep_pending(self, briefing: Briefing, pending: Callable[[], Any]) -> None: ...


def draft_files_ahead(list_files: Callable[[], Sequence[T]],
                      draft_files: Callable[[Sequence[T]], list[tuple[tuple, Any]]]) -> None:
    """Give the workers started ahead (if any) the briefing files ``list_files()`` gives to draft while the content
    loads; without workers (a rebuild, a small site) the files are not listed.

    ``draft_files`` (module-level, which workers import) reads a list of files and returns, for each body it
    drafted, its key (the briefing's ``origin.path``, ``body_line`` and ``body``) and its draft or Problem.
    Drafts depend on those alone, so ``draft_bodies`` takes one whose key is a loaded briefing's as its draft.
    """
    started = parallel.started_ahead()
    if started is None:
        return
    files = list_files()
    if not files:
        return
    size = max(1, len(files) // (8 * parallel.worker_count()))
    try:
        for i in range(0, len(files), size):
            future = started.pool.submit(draft_files, files[i:i + size])
            started.ahead.update((name, future) for name, *_ in files[i:i + size])
    except Exception:  # noqa: BLE001 - no workers after all: the build drafts the rest
        return


def draft_bodies(briefings: list[Briefing], drafts: Drafts, draft: Callable[[Briefing], Any],
                 cache: KeptDrafts | None = None) -> None:
    """Draft every body not drafted yet with ``draft`` (``render.draft_body``, a module-level function, which
    workers import): from ``cache``, else as drafted ahead (``draft_files_ahead``), else in a pool when there
    are many.

    The drafts go to ``drafts``; drafts of bodies no longer in ``briefings`` are forgotten there.
    """
    todo = []
    started = parallel.started_ahead()
    for briefing in drafts.missing(briefings):
        kept = cache.draft(briefing) if cache else None
        if kept is not None:
            drafts.keep(briefing, kept)
        elif started is not None and (future := started.ahead.get(briefing.origin.path)) is not None:
            # Waited for when the page is rendered: pages are rendered while the workers draft the next ones.
            drafts.keep_pending(briefing, functools.partial(_drafted_ahead, started, future, briefing, cache))
        else:
            todo.append(briefing)
    chunk = max(1, len(todo) // (4 * parallel.worker_count()))
    safely = functools.partial(draft_or_problem, draft)
    many = len(todo) >= parallel.MIN_BODIES and parallel.worker_count() > 1
    made = (parallel.pool_map(safely, todo, chunksize=chunk, shared=True) if many else None) \
        or [safely(briefing) for briefing in todo]
    for briefing, made_draft in zip(todo, made):
        if isinstance(made_draft, Problem):  # kept, so that a body over its time limit is not drafted twice
            drafts.keep(briefing, made_draft)
        elif made_draft is not None:
            drafts.keep(briefing, made_draft)
            if cache:
                cache.keep(briefing, made_draft)


def _drafted_ahead(started: Any, future: Future, briefing: Briefing, cache: KeptDrafts | None) -> Any:
    made = started.drafted_ahead(future, (briefing.origin.path, briefing.body_line, briefing.body))
    if cache and made is not None and not isinstance(made, Problem):
        cache.keep(briefing, made)
    return made


def draft_or_problem(draft: Callable[..., R], *args: Any) -> R | Problem | None:
    """``draft(*args)``; the Problem a BuildError reports; None for any other error (the build drafts it again
    and reports it)."""
    try:
        return draft(*args)
    except BuildError as exc:
        return exc.problem
    except Exception:  # noqa: BLE001 - drafted again by the build, which reports it
        return None
