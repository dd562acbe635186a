"""Results a long-running build (``briefing serve``) keeps from one build to the next.

Parsed documents are shared between builds when their text is unchanged (see
``loader.ParsedDocuments``), so a stage that turns one document into model
objects can skip the work when it is handed the very same document again.
``Recall`` does that for any such function, and replays the problems it
reported the first time. Later stages keep their results the same way, and
``same`` tells them, mostly by identity and so in no time, whether their
inputs are unchanged.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..errors import ErrorCollector, Problem
from ..values import same

R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")


class RecentlyUsed(Generic[K, V]):
    """Values by key that this build or the last one used; what neither used is forgotten.

    What a long-running build keeps between builds, without growing with every edit.
    """

    def __init__(self) -> None:
        self._last: dict[K, V] = {}
        self._now: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        """The value kept under ``key`` (from now on used by this build too), or None."""
        value = self._now.get(key)
        if value is None:
            value = self._last.get(key)
            if value is not None:
                self._now[key] = value
        return value

    def keep(self, key: K, value: V) -> V:
        """Keep ``value`` under ``key``, as used by this build; returns it."""
        self._now[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._now or key in self._last

    def next_build(self) -> None:
        """Start the next build: forget what the one before this did use and this one did not."""
        self._last, self._now = self._now, {}


class Recall:
    """Calls of functions ``f(argument, errors)`` from this build and the last, reused for the same argument.

    An argument is the same when it is the very object of the earlier call, or
    an equal string, bytes, int or path, or a dataclass whose fields are the
    same in this sense. Functions must be pure: their result may depend on
    nothing but the argument, and must not be changed by the caller.
    """

    def __init__(self) -> None:
        self._calls: RecentlyUsed[tuple[Callable, Any], tuple[Any, Any, tuple[Problem, ...]]] = RecentlyUsed()

    def __call__(self, function: Callable[[Any, ErrorCollector], R], argument: Any, errors: ErrorCollector,
                 key: Any = None) -> R:
        """``function(argument, errors)``, or its result from an earlier call with the same argument.

        ``key`` tells calls with one function apart (say, the file's path); by default the argument's identity.
        """
        slot = (function, id(argument) if key is None else key)
        kept = self._calls.get(slot)
        if kept is None or not same(kept[0], argument):
            reported = ErrorCollector()
            kept = self._calls.keep(slot, (argument, function(argument, reported), tuple(reported.problems)))
        errors.problems.extend(kept[2])
        return kept[1]

    def next_build(self) -> None:
        """Forget the calls that the build just finished did not make."""
        self._calls.next_build()


class MadeOnce(Generic[K, V]):
    """``make(value)`` for each value this build or the last one asked for, kept by the value: equal values (a
    frozen dataclass), one result. (The search index's documents' JSON, a social card's key.)"""

    def __init__(self, make: Callable[[K], V]) -> None:
        self.make = make
        self._kept: RecentlyUsed[K, V] = RecentlyUsed()

    def __call__(self, value: K) -> V:
        made = self._kept.get(value)
        return made if made is not None else self._kept.keep(value, self.make(value))

    def next_build(self) -> None:
        """Forget the values the build just finished did not ask for."""
        self._kept.next_build()
