"""Running a pure-Python step under a time limit, in any thread.

Python-Markdown takes time quadratic or worse in some inputs (20,000 ``[``
took 48 s); a build must stop such a body with an error at its file rather
than hang. Signals reach only the main thread, and ``briefing serve`` builds
in another, so a watchdog thread raises ``TimeLimitExceeded`` in the thread
that runs the step (``PyThreadState_SetAsyncExc``), which Python delivers at
its next bytecode. The step must be pure Python for that (a long C call is
interrupted only when it returns) and must leave nothing half-changed that
outlives it.

One watchdog thread per process serves every step: starting a thread for each
step (a ``threading.Timer``) cost about 0.4 ms, an eighth of converting a
600-word body.
"""
from __future__ import annotations

import ctypes
import heapq
import itertools
import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class TimeLimitExceeded(Exception):
    """The step ran longer than its limit."""


class _Watchdog:
    """Deadlines of the steps running now; one daemon thread interrupts each step that outlives its deadline."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._deadlines: list[tuple[float, int, int]] = []  # (deadline, ticket, thread id), a heap
        self._running: set[int] = set()  # tickets of the steps not finished yet
        self._tickets = itertools.count()
        self._thread: threading.Thread | None = None
        self._waking_at = float("inf")  # when the watchdog wakes next, unless notified

    def start(self, seconds: float) -> int:
        """Watch the calling thread for ``seconds``; returns the ticket that ``finish`` takes."""
        with self._lock:
            ticket = next(self._tickets)
            self._drop_finished()
            deadline = time.monotonic() + seconds
            heapq.heappush(self._deadlines, (deadline, ticket, threading.get_ident()))
            self._running.add(ticket)
            if self._thread is None or not self._thread.is_alive():  # none yet, or a forked child's copy
                self._waking_at = float("inf")
                self._thread = threading.Thread(target=self._watch, name="time-limit", daemon=True)
                self._thread.start()
            elif deadline < self._waking_at:
                # Woken only when it would sleep past this deadline: waking it for every body
                # cost the drafting thread the GIL twice a body.
                self._lock.notify()
            return ticket

    def finish(self, ticket: int) -> None:
        """The step of ``ticket`` is done: it is interrupted no more (its deadline is dropped when reached)."""
        with self._lock:
            self._running.discard(ticket)

    def _drop_finished(self, before: float = float("inf")) -> None:
        while self._deadlines and self._deadlines[0][1] not in self._running and self._deadlines[0][0] < before:
            heapq.heappop(self._deadlines)  # finished in time

    def _watch(self) -> None:
        with self._lock:
            while True:
                # A finished step's deadline is kept until it is reached, and the watchdog sleeps until
                # then: the next step (with a later deadline) need not wake it.
                self._drop_finished(before=time.monotonic())
                if not self._deadlines:
                    self._waking_at = float("inf")
                    self._lock.wait()
                    continue
                deadline, ticket, thread_id = self._deadlines[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self._waking_at = deadline
                    self._lock.wait(left)
                    continue
                heapq.heappop(self._deadlines)
                self._running.discard(ticket)  # under the lock: the step cannot have finished in between
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                                           ctypes.py_object(TimeLimitExceeded))


_WATCHDOG = _Watchdog()


def call_with_time_limit(step: Callable[[], T], seconds: float) -> T:
    """``step()``, or TimeLimitExceeded once it has run ``seconds``."""
    ticket = _WATCHDOG.start(seconds)
    try:
        try:
            return step()
        finally:
            _WATCHDOG.finish(ticket)
    except TimeLimitExceeded:
        raise TimeLimitExceeded(f"took more than {seconds:g} s") from None
