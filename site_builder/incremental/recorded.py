"""Reuse by recorded reads: a result is kept with what its function read, and reused while that reads the same.

No list says what a stage reads. ``Memo.call(name, function, *args)`` hands
the function its arguments with every table among them (a Content, FactBook
or CompiledSite, and any mapping) behind a ``watched`` view, which notes each
attribute, item, membership test and method call read through it, with the
value it read, table by table (``Reads``). The next call under the same name
reads those again from its new arguments: when every one gives the same value
(``values.same``, mostly an identity test) and the other arguments are the
same, the last result is reused. A frozen table that is the very object read
last time is passed over whole, and of one made again only the items that
are not the same objects are read again. A new table, or a new field a
function starts reading, is recorded like any other: nothing to keep in sync
(as Lektor's build state and Hugo's dependency tracking record what a page read).

A result made again that equals the last one is replaced by the last one, so
later stages still see unchanged things as the same objects.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from .recall import RecentlyUsed
from ..frozen import FrozenDict
from ..values import changed_keys, same

R = TypeVar("R")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # pickled by name, so that digests of reads that found nothing agree between processes


MISSING = _Missing()  # read, and not there


def is_table(value: Any) -> bool:
    """Whether ``value`` is read piecewise (and so watched): a mapping, or an object of tables and methods.

    Model objects (facts, charts, site settings) are values: a read of one records all of it.
    """
    return isinstance(value, Mapping) or type(value).__name__ in _TABLE_TYPES


_TABLE_TYPES = frozenset({"Content", "FactBook", "CompiledSite", "Library"})


class Reads:
    """What one call read of one watched table: the table, each value read of it by step, the tables read of it.

    A step is ``("attr", name)``, ``("item", key)``, ``("in", key)`` or
    ``("call", name, arguments)``; ``whole`` says the table was read whole (gone through, or its length taken).
    """

    __slots__ = ("target", "values", "keyed", "keys", "tables", "whole", "unrepeatable")

    def __init__(self, target: Any) -> None:
        # The table read; once the reads are found the same in a newer table, that one (see ``reads_the_same``).
        self.target = target
        self.values: dict[tuple, Any] = {}  # attributes and method calls
        self.keyed: dict[tuple, Any] = {}  # items and membership tests
        self.keys: set = set()  # the keys of those
        self.tables: dict[tuple, Reads] = {}  # a table read at a step (an attribute that is a table) is read in turn
        self.whole = False
        self.unrepeatable = False  # a key or call argument could not be hashed: the reads are never the same again

    def note(self, step: tuple, value: Any) -> Any:
        """Record that ``step`` read ``value``; returns the value."""
        try:
            if step[0] in ("item", "in"):
                self.keyed.setdefault(step, value)
                self.keys.add(step[1])
            else:
                self.values.setdefault(step, value)
        except TypeError:
            self.unrepeatable = True
        return value

    def table(self, step: tuple, value: Any) -> "Reads":
        """The reads of the table ``value``, read at ``step``."""
        reads = self.tables.get(step)
        if reads is None:
            reads = self.tables[step] = Reads(value)
        return reads


def watched(value: Any, reads: Reads) -> Any:
    """``value`` behind a view that records its reads into ``reads`` (made for it), when it is a table; else itself."""
    if isinstance(value, Mapping):
        return MappingView(value, reads)
    if is_table(value):
        return ObjectView(value, reads)
    return value


class ObjectView:
    """An object of tables (Content, FactBook, ...) whose attribute reads and method calls are recorded."""

    __slots__ = ("_target", "_reads")

    def __init__(self, target: Any, reads: Reads) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_reads", reads)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if inspect.ismethod(value):
            return lambda *args: self._reads.note(("call", name, _frozen(args)), value(*args))
        if is_table(value):
            return watched(value, self._reads.table(("attr", name), value))
        return self._reads.note(("attr", name), value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self._target).__name__} is read-only here")

    def __getitem__(self, key: Any) -> Any:
        return _read_item(*self._keyed(), key)

    def __contains__(self, key: Any) -> bool:
        table, reads = self._keyed()
        return reads.note(("in", key), key in table)

    def _keyed(self) -> tuple[Any, Reads]:
        # Where this table's items are: itself, or (``ITEMS_IN``, a FactBook's facts) one of its tables.
        name = getattr(type(self._target), "ITEMS_IN", None)
        if name is None:
            return self._target, self._reads
        table = getattr(self._target, name)
        return table, self._reads.table(("attr", name), table)

    def __reduce__(self):
        raise TypeError("a watched view must not outlive its call (it leaked into a result)")


def _read_item(target: Any, reads: Reads, key: Any) -> Any:
    """``target[key]``, recorded (a missing key is recorded as missing, then raised)."""
    try:
        value = target[key]
    except KeyError:
        reads.note(("item", key), MISSING)
        raise
    return reads.note(("item", key), value)


class MappingView(Mapping):
    """A mapping whose item reads and membership tests are recorded; going through all of it reads all of it."""

    __slots__ = ("_target", "_reads")

    def __init__(self, target: Mapping, reads: Reads) -> None:
        self._target, self._reads = target, reads

    def __getitem__(self, key: Any) -> Any:
        return _read_item(self._target, self._reads, key)

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._target.get(key, MISSING)
        self._reads.note(("item", key), value)
        return default if value is MISSING else value

    def __contains__(self, key: object) -> bool:
        return self._reads.note(("in", key), key in self._target)

    def __iter__(self) -> Iterator:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    # Read whole: no need to record each item as well (a thousand facts gone through were a thousand reads).
    def keys(self):
        return self._whole().keys()

    def items(self):
        return self._whole().items()

    def values(self):
        return self._whole().values()

    def _whole(self) -> Mapping:
        self._reads.whole = True
        return self._target

    def __reduce__(self):
        raise TypeError("a watched view must not outlive its call (it leaked into a result)")


def read_again(table: Any, step: tuple) -> Any:
    """What ``step`` reads of ``table`` now (``MISSING`` where an item is not there)."""
    kind = step[0]
    if kind == "item":
        try:
            return table[step[1]]
        except KeyError:
            return MISSING
    if kind == "attr":
        return getattr(table, step[1])
    if kind == "in":
        return step[1] in table
    return getattr(table, step[1])(*step[2])


def reads_the_same(reads: Reads, table: Any, changed: Callable[[Any, Any], set | None] = lambda old, new: None) -> bool:
    """Whether every read in ``reads`` gives the same value in ``table`` as it gave then.

    A frozen table that is the very object read then reads the same, without reading anything again: unchanged
    content is mostly the same objects from one build to the next, so most of what a call read is passed over
    at once. ``changed(old, new)`` gives the keys whose items differ between two tables (None: not known); an
    item or membership read of any other key reads the same. Reads found the same in a newer table are kept on
    it, so that the older one is let go.
    """
    if table is reads.target and _frozen_table(table):
        return True
    if type(table) is not type(reads.target) or reads.unrepeatable or (reads.whole and not same(reads.target, table)):
        return False
    keys = changed(reads.target, table) if reads.keyed else None
    keyed = reads.keyed.items() if keys is None else () if reads.keys.isdisjoint(keys) else \
        [(step, value) for step, value in reads.keyed.items() if step[1] in keys]
    if not (_same_again(table, keyed) and _same_again(table, reads.values.items())
            and all(reads_the_same(child, read_again(table, step), changed) for step, child in reads.tables.items())):
        return False
    reads.target = table
    return True


def _same_again(table: Any, reads: Iterable[tuple[tuple, Any]]) -> bool:
    for step, value in reads:
        again = read_again(table, step)
        if again is not value and not same(value, again):
            return False
    return True


def _frozen_table(table: Any) -> bool:
    # Tables that cannot change once made: a FrozenDict, or a frozen dataclass (whose tables are frozen in turn).
    params = getattr(type(table), "__dataclass_params__", None)
    return type(table) is FrozenDict or (params is not None and params.frozen)


class Recorded:
    """One call's result, its arguments that are values, and what it read of the others (the memo's own record)."""

    __slots__ = ("function", "values", "reads", "result")

    def __init__(self, function: Callable, values: tuple, reads: tuple[tuple[int, Reads], ...], result: Any) -> None:
        self.function = function
        self.values = values  # each argument that is not a table, None where it is
        self.reads = reads  # (argument index, what the call read of it) for each argument that is a table
        self.result = result


class Memo:
    """Results of calls by name, from this build and the last, reused while they read the same (see above)."""

    def __init__(self) -> None:
        self._kept: RecentlyUsed[Any, Recorded] = RecentlyUsed()
        self.made: list[Any] = []  # the names of the calls this build made rather than reused (for tests)
        self._changes: dict[tuple[int, int], tuple[Any, Any, set | None]] = {}  # this build's, by the tables' ids

    def _changed(self, old: Any, new: Any) -> set | None:
        # Made once a build for each pair of tables (the calls it reuses read the last build's), and kept with
        # both, so that their ids stay theirs.
        found = self._changes.get((id(old), id(new)))
        if found is None:
            found = self._changes[id(old), id(new)] = (old, new, changed_keys(old, new))
        return found[2]

    def call(self, name: Any, function: Callable[..., R], *args: Any) -> R:
        """``function(*args)``, or the result kept under ``name`` while what it read is the same."""
        values = tuple(None if is_table(a) else a for a in args)
        kept = self._kept.get(name)
        if kept is not None and kept.function is function and same(kept.values, values) \
                and all(reads_the_same(reads, args[i], self._changed) for i, reads in kept.reads):
            return kept.result
        tables = {i: Reads(a) for i, a in enumerate(args) if is_table(a)}
        result = function(*(watched(a, tables[i]) if i in tables else a for i, a in enumerate(args)))
        if kept is not None and same(kept.result, result):
            result = kept.result
        self._kept.keep(name, Recorded(function, values, tuple(tables.items()), result))
        self.made.append(name)
        return result

    def next_build(self) -> None:
        """Forget the calls the build just finished did not make or reuse."""
        self._kept.next_build()
        self.made = []
        self._changes = {}


def _frozen(args: tuple) -> tuple:
    # Call arguments become part of a path, so hashable: a set as a frozenset, a list as a tuple.
    return tuple(frozenset(a) if isinstance(a, (set, frozenset)) else tuple(a) if isinstance(a, list) else a
                 for a in args)
