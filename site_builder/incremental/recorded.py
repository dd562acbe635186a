"""Reuse by recorded reads: a result is kept with what its function read, and reused while that reads the same.

No list says what a stage reads. ``Memo.call(name, function, *args)`` hands
the function its arguments with every table among them (a Content, FactBook
or CompiledSite, and any mapping) behind a ``watched`` view, which notes each
attribute, item, membership test and method call read through it, with the
value it read. The next call under the same name reads those again from its
new arguments: when every one gives the same value (``values.same``, mostly
an identity test) and the other arguments are the same, the last result is
reused. A new table, or a new field a function starts reading, is recorded
like any other: nothing to keep in sync (as Lektor's build state and Hugo's
dependency tracking record what a page read).

A result made again that equals the last one is replaced by the last one, so
later stages still see unchanged things as the same objects.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .recall import RecentlyUsed
from ..frozen import FrozenDict
from ..values import same

R = TypeVar("R")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # pickled by name, so that digests of reads that found nothing agree between processes


MISSING = _Missing()  # read, and not there
Path = tuple  # (argument index, step, step, ...); a step is (kind, name or key[, call arguments])


def is_table(value: Any) -> bool:
    """Whether ``value`` is read piecewise (and so watched): a mapping, or an object of tables and methods.

    Model objects (facts, charts, site settings) are values: a read of one records all of it.
    """
    return isinstance(value, Mapping) or type(value).__name__ in _TABLE_TYPES


_TABLE_TYPES = frozenset({"Content", "FactBook", "CompiledSite", "Library"})


class Reads:
    """What one call read through its watched arguments: path → the value read there."""

    def __init__(self) -> None:
        self.log: dict[Path, Any] = {}

    def note(self, path: Path, value: Any) -> Any:
        """Record that ``path`` read ``value``; returns the value."""
        try:
            self.log.setdefault(path, value)
        except TypeError:  # a key or call argument that cannot be hashed: count the whole table as read
            self.log.setdefault(path[:1], _UNHASHABLE)
        return value


_UNHASHABLE = object()  # never the same as a value read again: the call is made again


def watched(value: Any, reads: Reads, path: Path) -> Any:
    """``value`` behind a view that records reads into ``reads``, when it is a table; else ``value`` itself."""
    if isinstance(value, Mapping):
        return MappingView(value, reads, path)
    if is_table(value):
        return ObjectView(value, reads, path)
    return value


class ObjectView:
    """An object of tables (Content, FactBook, ...) whose attribute reads and method calls are recorded."""

    __slots__ = ("_target", "_reads", "_path")

    def __init__(self, target: Any, reads: Reads, path: Path) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_reads", reads)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        path = self._path + (("attr", name),)
        if inspect.ismethod(value):
            return lambda *args: self._reads.note(path[:-1] + (("call", name, _frozen(args)),), value(*args))
        if is_table(value):
            return watched(value, self._reads, path)
        return self._reads.note(path, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self._target).__name__} is read-only here")

    def __getitem__(self, key: Any) -> Any:
        return _read_item(self._target, self._reads, self._path, key)

    def __contains__(self, key: Any) -> bool:
        return self._reads.note(self._path + (("in", key),), key in self._target)

    def __reduce__(self):
        raise TypeError("a watched view must not outlive its call (it leaked into a result)")


def _read_item(target: Any, reads: "Reads", path: Path, key: Any) -> Any:
    """``target[key]``, recorded (a missing key is recorded as missing, then raised)."""
    try:
        value = target[key]
    except KeyError:
        reads.note(path + (("item", key),), MISSING)
        raise
    return reads.note(path + (("item", key),), value)


class MappingView(Mapping):
    """A mapping whose item reads and membership tests are recorded; going through all of it reads all of it."""

    __slots__ = ("_target", "_reads", "_path")

    def __init__(self, target: Mapping, reads: Reads, path: Path) -> None:
        self._target, self._reads, self._path = target, reads, path

    def __getitem__(self, key: Any) -> Any:
        return _read_item(self._target, self._reads, self._path, key)

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._target.get(key, MISSING)
        self._reads.note(self._path + (("item", key),), value)
        return default if value is MISSING else value

    def __contains__(self, key: object) -> bool:
        return self._reads.note(self._path + (("in", key),), key in self._target)

    def __iter__(self) -> Iterator:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def _whole(self) -> Mapping:
        return self._reads.note(self._path + (("all",),), self._target)

    def __reduce__(self):
        raise TypeError("a watched view must not outlive its call (it leaked into a result)")


def read_again(args: tuple, path: Path) -> Any:
    """The value at ``path`` in ``args`` now (``MISSING`` where an item is not there)."""
    value = args[path[0]]
    for step in path[1:]:
        if value is MISSING:
            return MISSING
        kind = step[0]
        if kind == "attr":
            value = getattr(value, step[1])
        elif kind == "item":
            try:
                value = value[step[1]]
            except KeyError:
                value = MISSING
        elif kind == "in":
            value = step[1] in value
        elif kind == "call":
            value = getattr(value, step[1])(*step[2])
    return value


def reads_the_same(reads: Mapping[Path, Any], args: tuple) -> bool:
    """Whether every read in ``reads`` gives the same value in ``args`` as it gave then."""
    return all(same(value, read_again(args, path)) for path, value in reads.items())


@dataclass(frozen=True)
class Recorded:
    """One call's result, its arguments that are values, and what it read of the others."""

    function: Callable
    values: tuple  # each argument that is not a table, None where it is
    reads: FrozenDict[Path, Any]
    result: Any


class Memo:
    """Results of calls by name, from this build and the last, reused while they read the same (see above)."""

    def __init__(self) -> None:
        self._kept: RecentlyUsed[Any, Recorded] = RecentlyUsed()
        self.made: list[Any] = []  # the names of the calls this build made rather than reused (for tests)

    def call(self, name: Any, function: Callable[..., R], *args: Any) -> R:
        """``function(*args)``, or the result kept under ``name`` while what it read is the same."""
        values = tuple(None if is_table(a) else a for a in args)
        kept = self._kept.get(name)
        if kept is not None and kept.function is function and same(kept.values, values) \
                and reads_the_same(kept.reads, args):
            return kept.result
        reads = Reads()
        result = function(*(watched(a, reads, (i,)) for i, a in enumerate(args)))
        if kept is not None and same(kept.result, result):
            result = kept.result
        self._kept.keep(name, Recorded(function, values, FrozenDict(reads.log), result))
        self.made.append(name)
        return result

    def next_build(self) -> None:
        """Forget the calls the build just finished did not make or reuse."""
        self._kept.next_build()
        self.made = []


def _frozen(args: tuple) -> tuple:
    # Call arguments become part of a path, so hashable: a set as a frozenset, a list as a tuple.
    return tuple(frozenset(a) if isinstance(a, (set, frozenset)) else tuple(a) if isinstance(a, list) else a
                 for a in args)
