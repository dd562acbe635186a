"""The slow, independent pieces of a build, done ahead: in a process pool when there are many.

Drawing a chart (Altair, then vl-convert), drawing a social card and turning a
briefing body into HTML (Jinja, then Markdown) each depend only on their own
inputs, so they can run in worker processes. Each function here finds the
pieces that are not done yet (not in the chart, card or body-draft cache on
disk), does them, and leaves the results where the build looks for them; the
build then proceeds exactly as without a pool, so the output is byte-identical
either way. Anything that fails in a worker is simply left undone: the build
does it again itself and reports the error with its location.

A pool is used only when it pays: with at least two CPUs and enough pieces to
outweigh starting the workers (about half a second, most of it warming up
vl-convert). ``BRIEFING_WORKERS`` sets the number of workers; 1 turns the pool
off. Workers are forked when this process has no other thread and has not
loaded vl-convert or numpy (a copy would inherit their threads' locks held,
broken): a forked worker starts in about 10 ms, a spawned one imports the
pipeline again (0.3 s of CPU). Otherwise they are spawned, and a script that
calls ``build_site`` needs the usual ``if __name__ == "__main__":`` guard (the
``briefing`` command has it); without it each worker would run the script
again, and the pool gives up.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

from .charts import ChartDrawings, Point, RenderedChart, describe_chart, draw_chart
from ..chart_model import Chart

MIN_CHARTS = 8  # below this, warming up vl-convert in each worker costs more than it saves
MIN_BODIES = 150  # below this, starting the workers costs more than Markdown takes
T = TypeVar("T")
R = TypeVar("R")


class KeptCards(Protocol):
    """Social cards kept by the build (``kept.PngCache``; ``feeds.CardImages`` is the same)."""

    rendered: int

    def has(self, key: str) -> bool: ...
    def keep(self, key: str, png: bytes) -> None: ...


def worker_count() -> int:
    """How many worker processes to use: ``BRIEFING_WORKERS``, or one per CPU this process may run on."""
    setting = os.environ.get("BRIEFING_WORKERS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Started:
    """The workers started ahead for one build, and the briefing files they were given to draft ahead."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool
        self.drew = False  # whether they drew charts or cards (``renew_workers_that_drew``)
        self.ahead: dict[str, Future] = {}  # by file name: the future of its batch (``draft_files_ahead``)
        self._results: dict[int, dict[tuple, Any]] = {}  # each batch's drafts by body key, by id of its future

    def drafted_ahead(self, future: Future, key: tuple) -> Any:
        """The draft (or Problem) that ``future``'s batch made of the body ``key``, once it is done; None when it
        made none (a worker died, or the file read otherwise than the loader read it)."""
        if id(future) not in self._results:
            try:
                self._results[id(future)] = {made_key: draft for made_key, draft in future.result()}
            except Exception:  # noqa: BLE001 - a worker died: the build drafts those bodies itself
                self._results[id(future)] = {}
        return self._results[id(future)].get(key)


# The workers started ahead by ``workers_started_ahead``, for the build running in this context.
_STARTED: contextvars.ContextVar[_Started | None] = contextvars.ContextVar("workers", default=None)


def started_ahead() -> _Started | None:
    """The workers started ahead for the build running in this context (``workers_started_ahead``), if any."""
    return _STARTED.get()


def submit_ahead(function: Callable[..., R], *args: Any) -> Future | None:
    """``function(*args)`` (module-level, which workers import) given to the workers started ahead; None when
    there are none, or they cannot take it (then the build does the work itself)."""
    started = _STARTED.get()
    try:
        return started.pool.submit(function, *args) if started is not None else None
    except Exception:  # noqa: BLE001 - the pool broke or is shutting down
        return None


@contextlib.contextmanager
def workers_started_ahead(wanted: bool, warm_up: Callable[[], object]) -> Iterator[None]:
    """Worker processes started now, in the background, for the body drafts, then the charts and the social
    cards (``pool_map(shared=True)``).

    Starting a worker (spawned: a new Python that imports the pipeline, then
    ``warm_up``, a module-level function; about 0.3 s of CPU) at the beginning of
    a build overlaps loading the content, which uses one core. The same workers
    then draw the charts and the cards, so a cold build starts two workers, not
    six, and warms vl-convert once in each; fresh workers take their place for
    the rest of the build (``renew_workers_that_drew``). Nothing is started
    unless ``wanted`` and there are two CPUs; the workers stop when the block ends.
    They run at a lower priority (``WORKER_NICENESS``) than the build's own
    process, the critical path.
    """
    if not wanted or worker_count() < 2 or multiprocessing.parent_process() is not None:
        yield
        return
    try:
        pool = ProcessPoolExecutor(worker_count(), mp_context=start_context(), initializer=_behind_the_build)
        for _ in range(worker_count()):  # each submission starts one more worker (spawned workers start on demand)
            pool.submit(warm_up)
    except Exception:  # noqa: BLE001 - no workers: each pool_map starts its own or the build does the work
        yield
        return
    started = _Started(pool)
    token = _STARTED.set(started)
    try:
        yield
    finally:
        _STARTED.reset(token)
        started.pool.shutdown(wait=True, cancel_futures=True)  # the workers that took over, if any


def stop_workers_started_ahead() -> None:
    """The workers started ahead, if any, stop once they have done what they were given: the build asks
    nothing more of them, and their memory (about 70 MiB each) is given back before the library pages and the
    written site, where the build's own memory peaks (10,000 briefings: 1,115 MiB with them, 972 without)."""
    started = _STARTED.get()
    if started is not None:
        started.pool.shutdown(wait=True)


def renew_workers_that_drew() -> None:
    """The workers started ahead, if they drew charts or cards, stop now and fresh ones take their place.

    Called when the charts and cards are drawn: workers that drew them hold
    vl-convert's memory (about 180 MiB each), which the pages rendered next
    would add to (a cold 1,000 x 3 build peaked at 1.27 GiB with them alive to
    the end). The new workers start when first given work (``submit_ahead``).
    """
    started = _STARTED.get()
    if started is None or not started.drew:
        return
    started.drew = False
    started.pool.shutdown(wait=True)
    try:
        started.pool = ProcessPoolExecutor(worker_count(), mp_context=start_context(), initializer=_behind_the_build)
    except Exception:  # noqa: BLE001 - no new workers: what they would have done, the build does itself
        pass


def _drawing_ahead(shared: bool) -> bool:
    # Charts and cards are drawn by the workers started ahead when there are some: none to start or warm.
    started = _STARTED.get()
    if started is not None:
        started.drew = True
    return shared


WORKER_NICENESS = 5  # how far the workers started ahead stand back, so that the build's own process runs first


def _behind_the_build() -> None:
    # The build's own process is the critical path (loading, then the pages); the workers started ahead have
    # slack (drafts, then reading pages) and run on what CPU it leaves them.
    with contextlib.suppress(OSError, AttributeError):  # not allowed, or not on this system: the same priority
        os.nice(WORKER_NICENESS)


_THREADED_LIBRARIES = ("vl_convert", "numpy", "pandas", "altair")  # run threads a forked copy would inherit broken


def start_context() -> multiprocessing.context.BaseContext:
    """How workers start: forked when nothing in this process can break in a copy (see the module's docstring)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 \
            and not any(name in sys.modules for name in _THREADED_LIBRARIES):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def pool_map(function: Callable[[T], R], items: Sequence[T], chunksize: int = 1,
             shared: bool = False, each: Callable[[int, R], None] | None = None) -> list[R] | None:
    """``[function(item) for item in items]`` computed in worker processes, in order; None if no pool could run.

    ``function`` must not raise. A pool that cannot start or breaks (for instance
    in a script without the ``if __name__ == "__main__":`` guard that spawned
    workers need) returns None, and the build then does every piece itself.
    With ``shared``, the workers started ahead for this build are used when there are some.
    ``each(index, result)`` is called as each result arrives, while the workers make the next ones.
    """
    if multiprocessing.parent_process() is not None:
        return None  # never a pool inside a worker, or inside a script that a worker is re-running
    started = _STARTED.get() if shared else None
    if started is not None:
        try:
            return _collected(started.pool.map(function, items, chunksize=chunksize), each)
        except Exception:  # noqa: BLE001 - a worker died (BrokenProcessPool): the build does the work
            return None
    workers = min(worker_count(), len(items))
    try:
        with ProcessPoolExecutor(workers, mp_context=start_context()) as pool:
            return _collected(pool.map(function, items, chunksize=chunksize), each)
    except Exception:  # noqa: BLE001 - the pool itself failed (function does not raise): fall back
        return None


def _collected(results: Iterable[R], each: Callable[[int, R], None] | None) -> list[R]:
    made = []
    for result in results:
        if each is not None:
            each(len(made), result)
        made.append(result)
    return made


def _worth_a_pool(count: int, minimum: int) -> bool:
    return count >= minimum and worker_count() > 1


def draw_missing_charts(charts: Iterable[Chart], points_of: dict[str, list[Point]], cache: ChartDrawings) -> None:
    """Draw, in a pool, each chart whose drawing ``cache`` lacks, and keep it there (counted in ``cache.rendered``).

    ``points_of`` holds each chart's points (``charts.chart_points``), by chart id.
    """
    jobs = []
    for chart in charts:
        points = points_of.get(chart.id)
        if not points:
            continue
        description = describe_chart(chart, points)
        key = cache.key(chart, points, description)
        if not cache.has(key):
            jobs.append((key, (chart, points, description)))
    if not _worth_a_pool(len(jobs), MIN_CHARTS):
        return

    def keep(index: int, drawn: tuple[str, str, str, str] | None) -> None:  # as it arrives, not after the last
        if drawn is not None:
            cache.keep(jobs[index][0], *drawn)
            cache.rendered += 1
    pool_map(_draw_chart, [args for _, args in jobs], shared=_drawing_ahead(True), each=keep)


def _draw_chart(args: tuple) -> tuple[str, str] | None:
    try:
        return draw_chart(*args)
    except Exception:  # noqa: BLE001 - drawn again by the build, which reports it
        return None


def draw_missing_cards(cards: dict[str, RenderedChart], cache: KeptCards,
                       draw: Callable[[RenderedChart], bytes]) -> None:
    """Draw with ``draw`` (a module-level function, which workers import), in a pool, each social card
    (chart by its key) that ``cache`` lacks, and keep it there: in the workers that drew the charts when they
    were started ahead."""
    jobs = {key: rendered for key, rendered in cards.items() if not cache.has(key)}
    if not _worth_a_pool(len(jobs), MIN_CHARTS):
        return  # drawn one by one by the build
    keys = list(jobs)

    def keep(index: int, png: bytes | None) -> None:
        if png is not None:
            cache.keep(keys[index], png)
            cache.rendered += 1
    pool_map(functools.partial(_or_none, draw), list(jobs.values()), shared=_drawing_ahead(True), each=keep)


def _or_none(function: Callable[[T], R], item: T) -> R | None:
    try:
        return function(item)
    except Exception:  # noqa: BLE001 - made again by the build, which reports it
        return None
