"""Plain YAML scalars as both YAML versions read them: a value is kept only when they agree.

PyYAML implements YAML 1.1, whose resolver (``yaml.resolver.Resolver.yaml_implicit_resolvers``)
reads ``no`` as false, ``012`` as 10, ``1_000`` as 1000, ``1:30`` as 90 and ``0b1010`` as 10, and
``1.5e6``, ``+.5`` or ``0o12`` as text. Editors, linters and the YAML 1.2 core schema read them
otherwise. So every plain scalar is read twice, by PyYAML's resolver (the value given here) and
by the YAML 1.2 core schema (``core_value``), and:

- when both give the same value, it is kept;
- when only YAML 1.2 reads a decimal number (``1.5e6``, ``+.5``), that number is kept;
- otherwise the scalar is refused with what to write instead: quoting always keeps it as text.

A number must also be finite and, if it is not zero as written, not so small that it reads as 0.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import sys
from typing import Any

_NULL = re.compile(r"(null|Null|NULL|~)?\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DECIMAL = re.compile(r"[-+]?[0-9]+\Z")
_OCTAL = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INFINITE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z|\.(nan|NaN|NAN)\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+\Z")
_NONZERO_DIGIT = re.compile(r"[1-9]")


class ScalarTrap(ValueError):
    """A plain scalar that YAML 1.1 and YAML 1.2 read differently, or no usable number; the message says why."""


def core_value(text: str) -> Any:
    """``text`` as the YAML 1.2 core schema reads a plain scalar: None, a bool, an int, a float or the text."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _DECIMAL.match(text):
        return int(text)
    if _OCTAL.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INFINITE.match(text):
        return float(text.lower().replace(".", ""))  # -.inf is float("-inf")
    return text


def is_number(value: Any) -> bool:
    """True for an int or a float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def usable_number(text: str, value: Any) -> None:
    """Raise ScalarTrap when ``value`` (read from ``text``) is a number no page can use."""
    if isinstance(value, float) and not math.isfinite(value) or isinstance(value, int) and abs(value) > sys.float_info.max:
        raise ScalarTrap(f"{text[:40]!r} is not a usable number (infinite, not a number, or too large)")
    if value == 0 and _NONZERO_DIGIT.search(text.lower().split("e")[0]):
        raise ScalarTrap(f"{text[:40]!r} is too small to be a usable number: it would be read as 0")


def plain_scalar(text: str, value: Any) -> Any:
    """The value of the plain scalar ``text``, given PyYAML's ``value`` for it; raises ScalarTrap (see module)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value  # dates are YAML 1.1's, and wanted (published: 2024-03-01); validation says where text belongs
    if is_number(value):
        usable_number(text, value)
    core = core_value(text)
    if _LEADING_ZERO.match(text) and (is_number(value) or is_number(core)):
        written = int(text.replace("_", ""))  # what the author most likely meant, if a number at all
        if is_number(value):
            raise ScalarTrap(f"YAML 1.1 reads {text!r} as the octal number {value}; write {written} "
                             f"if that is the number, or quote it (\"{text}\") for text")
        raise ScalarTrap(f"YAML 1.2 reads {text!r} as the number {written}, losing its leading zero, YAML 1.1 "
                         f"as text; write {written} if that is the number, or quote it (\"{text}\") for text")
    if type(core) is type(value) and core == value:
        return value
    if isinstance(value, bool):
        raise ScalarTrap(f"YAML 1.1 reads {text!r} as {value}; write true/false, or quote it (\"{text}\") for text")
    if is_number(value) and re.match(r"[-+]?0b", text):
        raise ScalarTrap(f"YAML 1.1 reads {text!r} as the binary number {value}; write {value} "
                         f"if that is the number, or quote it (\"{text}\") for text")
    if is_number(value) and ":" in text:
        raise ScalarTrap(f"{text!r} is read as a base-60 number ({value}) by YAML 1.1; quote it")
    if is_number(value):
        raise ScalarTrap(f"{text!r} is read as the number {value} by YAML 1.1 but as text by YAML 1.2; "
                         f"write {value!r} or quote it")
    if isinstance(core, float):  # 1.5e6, 1E6, +.5: a decimal number that only YAML 1.1 reads as text
        usable_number(text, core)
        return core
    if is_number(core):
        raise ScalarTrap(f"YAML 1.2 reads {text!r} as the number {core}, YAML 1.1 as text; "
                         f"write {core} if that is the number, or quote it (\"{text}\") for text")
    return value
