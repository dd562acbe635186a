"""Running a pure-Python step under a time limit, in any thread.

Python-Markdown takes time quadratic or worse in some inputs (20,000 ``[``
took 48 s); a build must stop such a body with an error at its file rather
than hang. Signals reach only the main thread, and ``briefing serve`` builds
in another, so a watchdog thread raises ``TimeLimitExceeded`` in the thread
that runs the step (``PyThreadState_SetAsyncExc``), which Python delivers at
its next bytecode. The step must be pure Python for that (a long C call is
interrupted only when it returns) and must leave nothing half-changed that
outlives it.
"""
from __future__ import annotations

import ctypes
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


class TimeLimitExceeded(Exception):
    """The step ran longer than its limit."""


def call_with_time_limit(step: Callable[[], T], seconds: float) -> T:
    """``step()``, or TimeLimitExceeded once it has run ``seconds``."""
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False}

    def interrupt() -> None:
        with lock:
            if not state["done"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                                           ctypes.py_object(TimeLimitExceeded))

    watchdog = threading.Timer(seconds, interrupt)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            return step()
        finally:
            with lock:
                state["done"] = True
            watchdog.cancel()
    except TimeLimitExceeded:
        raise TimeLimitExceeded(f"took more than {seconds:g} s") from None
