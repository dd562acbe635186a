"""Read-only containers for the frozen dataclasses: frozen must mean frozen.

Every later stage, and every reuse between builds, assumes that an object it was
handed is never changed: a fact that is the same object as last time has the
same value. A ``@dataclass(frozen=True)`` only stops its own attributes from being
reassigned; a list or dict inside it could still be changed by anyone. So the
model holds tuples, frozensets and ``FrozenDict`` instead, built complete when
the object is made.

``FrozenDict`` is a ``dict`` that refuses every change. Being a dict, it reads at
dict speed, passes ``isinstance(value, dict)``, is written by ``json`` as an object
and is checked by pydantic as the dict it declares (without this module importing
pydantic, which a build with nothing to do never loads); it pickles as a plain
dict's items (the incremental store digests pickled values, and the process pool
sends them to workers), unlike ``types.MappingProxyType``, which does not pickle.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar, get_args

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A ``dict`` that cannot be changed once made: ``FrozenDict({"a": 1})``."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type, tuple[dict[K, V]]]:
        # Plain dict pickling would fill the new object item by item, which it refuses.
        return type(self), (dict(self),)

    def __hash__(self) -> int:  # hashable when its values are, as a tuple is; so it can be a field's default
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"

    def __copy__(self) -> FrozenDict[K, V]:  # as for a tuple: a copy that cannot change is the object itself
        return self

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Validated as the ``dict[K, V]`` it declares, then frozen."""
        from pydantic_core import core_schema

        args = get_args(source)
        plain = handler.generate_schema(dict[args] if args else dict)  # type: ignore[valid-type]
        return core_schema.no_info_after_validator_function(cls, plain)


EMPTY: FrozenDict[Any, Any] = FrozenDict()


def freeze(value: Any) -> Any:
    """``value`` with every list (or tuple) made a tuple, every dict a ``FrozenDict`` and every set a
    frozenset, all the way down; anything else is returned as it is."""
    if isinstance(value, Mapping):
        if isinstance(value, FrozenDict) and all(_is_frozen(v) for v in value.values()):
            return value
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list) or type(value) is tuple:
        return tuple(freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain copy of ``value`` (dicts and lists all the way down), for code that needs JSON's own types
    or changes what it was given (a JSON schema validator, a spec merged with defaults)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


def _is_frozen(value: Any) -> bool:
    if isinstance(value, FrozenDict):
        return all(_is_frozen(v) for v in value.values())
    if isinstance(value, tuple):
        return all(_is_frozen(v) for v in value)
    return not isinstance(value, (list, dict, set))
