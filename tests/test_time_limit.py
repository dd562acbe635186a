"""The time limit on pure-Python steps (Markdown on a hostile body): stopped when over, untouched when not."""
from __future__ import annotations

import threading
import time

import pytest

from site_builder.time_limit import TimeLimitExceeded, call_with_time_limit


def _spin(seconds: float) -> int:
    end = time.monotonic() + seconds
    turns = 0
    while time.monotonic() < end:
        turns += 1
    return turns


def test_a_step_within_its_limit_returns_its_value_and_its_own_errors():
    assert call_with_time_limit(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        call_with_time_limit(lambda: 1 / 0, 5)


def test_a_step_over_its_limit_is_stopped_with_the_limit_in_the_message():
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match="took more than 0.2 s"):
        call_with_time_limit(lambda: _spin(30), 0.2)
    assert time.monotonic() - started < 5


def test_many_quick_steps_start_no_thread_each_and_are_never_interrupted_later():
    call_with_time_limit(lambda: None, 5)  # the watchdog exists from here on
    threads = threading.active_count()
    for _ in range(2000):
        call_with_time_limit(lambda: None, 0.05)
    assert threading.active_count() == threads
    _spin(0.3)  # past every deadline above: none of them may fire into this thread now


def test_steps_in_several_threads_each_get_their_own_deadline():
    results: dict[str, object] = {}

    def run(name: str, seconds: float, limit: float) -> None:
        try:
            results[name] = call_with_time_limit(lambda: (_spin(seconds), name)[1], limit)
        except TimeLimitExceeded:
            results[name] = "stopped"

    threads = [threading.Thread(target=run, args=("slow", 30, 0.3)),
               threading.Thread(target=run, args=("quick", 0.1, 10))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {"slow": "stopped", "quick": "quick"}


def test_quick_steps_do_not_wake_the_watchdog_and_leave_no_deadlines_behind(monkeypatch):
    """The watchdog is woken only for a deadline before the one it sleeps until: not once a step (that cost
    the stepping thread the GIL twice a body), and finished steps' deadlines do not pile up."""
    from site_builder import time_limit

    watchdog = time_limit._WATCHDOG
    call_with_time_limit(lambda: None, 10)
    _spin(0.05)  # the watchdog is asleep until that step's deadline
    wakes = []
    real = watchdog._lock.notify
    monkeypatch.setattr(watchdog._lock, "notify", lambda *args: (wakes.append(1), real(*args)))
    for _ in range(500):
        call_with_time_limit(lambda: None, 10)
    assert wakes == [] and len(watchdog._deadlines) <= 2
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded):  # an earlier deadline than the one it sleeps until wakes it
        call_with_time_limit(lambda: _spin(30), 0.2)
    assert time.monotonic() - started < 5 and wakes
