"""Whether one value can stand for another: ``same``, the comparison every reuse of an earlier result relies on.

Pure, with no state: the compute stage uses it to keep what an edit cannot
have changed from the previous build, and the incremental layer (``recall.py``,
``memo.py``) to tell unchanged inputs, mostly by identity and so in no time.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import operator
from collections.abc import Callable
from pathlib import PurePath
from typing import Any, TypeVar

from .frozen import FrozenDict

# Values of these types that are equal are interchangeable. Not floats as such (0.0 == -0.0, and they print
# differently), nor numbers of different types (1 == 1.0 == True).
_VALUE_TYPES = (str, bytes, int, PurePath, dt.date)
T = TypeVar("T")


def same(a: Any, b: Any) -> bool:
    """True when ``a`` can stand for ``b``: the same object, or equal values that print the same.

    Strings, bytes, ints, dates and paths are compared by value, floats by value and spelling; lists, tuples,
    dicts and frozen dicts (keys in the same order) and dataclasses item by item; anything else
    must be the same object.
    """
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in (list, tuple):
        # Unchanged content is mostly the very same objects: look for that first, at C speed.
        return len(a) == len(b) and (all(map(operator.is_, a, b)) or all(map(same, a, b)))
    if kind is FrozenDict or kind is dict:
        return len(a) == len(b) and list(a) == list(b) and (all(map(operator.is_, a.values(), b.values()))
                                                          or all(map(same, a.values(), b.values())))
    if isinstance(a, _VALUE_TYPES):
        return a == b
    if kind is float:  # equal floats that print the same (so not 0.0 and -0.0) are interchangeable
        return a == b and repr(a) == repr(b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return False


def kept_if_unchanged(new: T, old: Any) -> T:
    """``old`` where ``new`` is made of the very same parts: a table made again from unchanged content.

    A tuple or frozen dict whose items (and keys, in order) are the same objects as ``old``'s gives ``old``; so
    does a frozen dataclass whose fields do, and one with only some such fields gives ``new`` holding ``old``'s
    objects for those. Later stages then tell unchanged tables by identity, which costs nothing, instead of
    going through them.
    """
    kind = type(new)
    if new is old or kind is not type(old):
        return new
    if kind is tuple:
        return old if len(new) == len(old) and all(map(operator.is_, new, old)) else new
    if kind is FrozenDict:
        return old if len(new) == len(old) and all(map(operator.is_, new.values(), old.values())) \
            and list(new) == list(old) else new
    if not dataclasses.is_dataclass(new) or not kind.__dataclass_params__.frozen:
        return new
    parts = {f.name: kept_if_unchanged(getattr(new, f.name), getattr(old, f.name))
             for f in dataclasses.fields(new) if f.init}
    if all(part is getattr(old, name) for name, part in parts.items()):
        return old
    kept = {name: part for name, part in parts.items() if part is not getattr(new, name)}
    return dataclasses.replace(new, **kept) if kept else new


def changed_keys(old: Any, new: Any) -> set | None:
    """The keys whose items are not the same objects in two frozen dicts (those in one only too); else None."""
    if type(old) is not FrozenDict or type(new) is not FrozenDict:
        return None
    if old is new:
        return set()
    if len(old) == len(new) and list(old) == list(new):  # the same keys in the same order: compared in C
        return set(itertools.compress(new, map(operator.is_not, new.values(), old.values())))
    keys = {key for key, value in new.items() if old.get(key, _ABSENT) is not value}
    keys.update(key for key in old if key not in new)
    return keys


_ABSENT = object()


class CallNow:
    """Calls a function when asked to reuse its result: what a stage does when the build keeps nothing.

    A long-running build hands the stages a ``recorded.Memo`` instead, with the same ``call``.
    """

    def call(self, name: Any, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)``; ``name`` says which call this is, for a memo that keeps results."""
        return function(*args)


CALL_NOW = CallNow()
