"""The derived operations: a small, closed set (no expressions, no ``eval``), each saying how it computed.

``apply_operation`` returns the value (a number, or a series {period: number}),
the plain-words explanation readers see, and the result's unit. Operations that
combine figures (sum, difference, percent change, ...) refuse inputs in different
units: vehicles minus dollars is an error, unless one is converted first.
"""
from __future__ import annotations

import datetime as dt
import math
from statistics import mean
from typing import TYPE_CHECKING

from ..errors import BuildError
from ..formatting import format_value
from ..model import Derivation, Fact
from .unit_rules import conversion_mismatch, first_unit, mixed_units, not_a_percent, renamed_unit
from ..periods import PeriodError, key_label, parse_period, period_key, sorted_keys

if TYPE_CHECKING:
    from .resolved import ResolvedFact

POINTS = "percentage points"


def apply_operation(d: Derivation, known: dict[str, "ResolvedFact"], fact: Fact) -> tuple[object, str, str | None]:
    """(value, how, unit) of ``d`` over the resolved facts ``known``; raises BuildError at ``fact``'s line,
    also when the units do not go together (see ``unit_rules``)."""
    value, how, unit = _apply(d, known, fact)
    problem = renamed_unit(d.op, fact.unit, unit)
    if problem:
        raise BuildError(fact.origin.path, fact.origin.line, f"fact {fact.id!r}: {d.op}: {problem}")
    return value, how, unit


def _apply(d: Derivation, known: dict[str, "ResolvedFact"], fact: Fact) -> tuple[object, str, str | None]:
    def fail(message: str) -> BuildError:
        return BuildError(fact.origin.path, fact.origin.line, f"fact {fact.id!r}: {d.op}: {message}")

    def number(ref: str | None, field: str) -> float:
        if ref is None:
            raise fail(f"needs `{field}`")
        r = known[ref]
        if not r.is_number:
            raise fail(f"`{field}` fact {ref!r} is not a single number")
        return float(r.value)

    def series(ref: str | None, field: str = "of") -> dict:
        if not isinstance(ref, str):
            raise fail(f"`{field}` must be one series fact")
        value = known[ref].value
        if not isinstance(value, dict):
            raise fail(f"`{field}` fact {ref!r} is not a series")
        if not value:
            raise fail(f"series {ref!r} has no values")
        return value

    def label(ref: str) -> str:
        return known[ref].fact.label

    def same_units(*refs: str) -> str | None:
        facts = [known[r] for r in refs]
        problem = mixed_units(facts)
        if problem:
            raise fail(problem)
        return first_unit(facts)

    def percent(ref: str, field: str) -> None:
        problem = not_a_percent(known[ref], field)
        if problem:
            raise fail(problem)

    op = d.op
    if op in ("mean", "sum"):
        values, names, unit = _numbers_of(d, known, fail, series, same_units)
        # statistics.mean is exact, then rounded once: fmean can land a hair outside [min, max].
        result = mean(values) if op == "mean" else math.fsum(values)
        return result, f"{'Average' if op == 'mean' else 'Sum'} of {names}", unit
    if op in ("min", "max", "min_period", "max_period"):
        return _extreme(d, known, fail, series, same_units)
    if op in ("difference", "ratio", "share"):
        a, b = _pair(d, op, fail)
        if op == "difference":
            return number(a, "of") - number(b, "of"), f"{label(a)} minus {label(b)}", same_units(a, b)
        if number(b, "of") == 0:
            raise fail("division by zero")
        if op == "ratio":
            return number(a, "of") / number(b, "of"), f"{label(a)} divided by {label(b)}", "ratio"
        same_units(a, b)
        return 100 * number(a, "of") / number(b, "of"), f"{label(a)} as a share of {label(b)}", "percent"
    if op == "growth":
        base, rate = number(d.base, "base"), number(d.rate, "rate")
        percent(d.rate, "rate")
        if d.years is None:
            raise fail("needs `years` (negative to go back from a later figure)")
        if rate <= -100:
            raise fail("a rate of -100% or less leaves nothing to grow")
        return base * (1 + rate / 100) ** d.years, _growth_wording(label(d.base), rate, d.years), known[d.base].unit
    if op == "rate":
        start, end = number(_as_ref(d.from_), "from"), number(_as_ref(d.to), "to")
        same_units(str(d.from_), str(d.to))
        if not d.years or d.years <= 0 or start <= 0 or end < 0:
            raise fail("needs positive `years` and positive values")
        return ((end / start) ** (1 / d.years) - 1) * 100, \
            f"Compound annual growth from {label(str(d.from_))} to {label(str(d.to))} over {d.years} years", "percent"
    if op in ("percent_change", "point_change"):
        (a, a_name), (b, b_name) = _endpoints(d, known, fail, number, series, same_units)
        if op == "point_change":
            ends = ((d.of, "of"),) if d.of is not None else ((_as_ref(d.from_), "from"), (_as_ref(d.to), "to"))
            for ref, field in ends:
                percent(ref, field)
            return b - a, f"{b_name} minus {a_name}, in percentage points", POINTS
        if a == 0:
            raise fail("the starting value is zero: a percent change from zero has no meaning")
        return (b - a) / abs(a) * 100, f"Change from {a_name} to {b_name}, as a percentage of {a_name}", "percent"
    if op == "at":
        values = series(d.of)
        key = _period(d.at, "at", fail)
        if key not in values:
            raise fail(f"series {d.of!r} has no value for {key_label(key)}")
        return values[key], f"{label(d.of)}, {key_label(key)}", known[d.of].unit
    if op in ("abs", "negate"):
        if not isinstance(d.of, str):
            raise fail("`of` must be one fact id")
        value = number(d.of, "of")
        if op == "abs":
            return abs(value), f"Size of {label(d.of)}, without its sign", known[d.of].unit
        return -value, f"{label(d.of)} with its sign reversed", known[d.of].unit
    if op == "convert":
        if not isinstance(d.of, str):
            raise fail("`of` must be one fact id")
        if d.factor is None or not d.unit:
            raise fail("needs `factor` and `unit`")
        factor = number(d.factor, "factor") if isinstance(d.factor, str) else float(d.factor)
        problem = conversion_mismatch(known[d.of], known[d.factor], d.unit) if isinstance(d.factor, str) else None
        if problem:
            raise fail(problem)
        return number(d.of, "of") * factor, f"{label(d.of)} converted to {d.unit}", d.unit
    return _series_operation(d, known, fail, series, label, same_units)


def _growth_wording(base: str, rate: float, years: int) -> str:
    """How a reader is told a growth was computed, forwards or (negative years) backwards."""
    percent = format_value(rate, unit="percent")
    span = f"{abs(years)} year{'' if abs(years) == 1 else 's'}"
    if years < 0:
        return f"{base} taken back {span} at {percent} growth a year (the earlier figure that growth implies)"
    return f"{base} grown by {percent} a year for {span}"


def _series_operation(d: Derivation, known, fail, series, label, same_units) -> tuple[dict, str, str | None]:
    values = series(d.of)
    keys = sorted_keys(values)
    unit = known[d.of].unit
    if d.op in ("change_series", "percent_change_series"):
        lag = 1 if d.lag is None else d.lag  # lag: 0 is an error, not the default
        if lag < 1:
            raise fail("`lag` must be 1 or more")
        result = {}
        for key in keys:
            before = parse_period(key).previous(lag).key
            if before in values:
                if d.op == "change_series":
                    result[key] = values[key] - values[before]
                elif values[before] != 0:
                    result[key] = (values[key] - values[before]) / abs(values[before]) * 100
        if not result:
            raise fail(f"series {d.of!r} has no value {lag} period(s) before another")
        back = "the period before" if lag == 1 else f"{lag} periods before"
        if d.op == "change_series":
            return result, f"{label(d.of)}: change from {back}", unit
        return result, f"{label(d.of)}: percent change from {back}", "percent"
    if d.op == "share_series":
        total = series(d.total, "total")
        same_units(d.of, d.total)
        result = {k: 100 * values[k] / total[k] for k in keys if k in total and total[k] != 0}
        if not result:
            raise fail(f"series {d.of!r} and {d.total!r} share no period")
        return result, f"{label(d.of)} as a share of {label(d.total)}, period by period", "percent"
    if d.op == "index":
        base = _period(d.at, "at", fail)
        if base not in values or values[base] == 0:
            raise fail(f"series {d.of!r} has no non-zero value for {key_label(base)} to index to")
        return ({k: 100 * values[k] / values[base] for k in keys},
                f"{label(d.of)}, indexed to 100 in {key_label(base)}", "index")
    if d.op == "yearly":
        return _yearly(d, values, keys, fail, label, unit)
    if d.op == "rolling_mean":
        window = d.window or 0
        if window < 2:
            raise fail("needs `window`, 2 or more periods")
        if len(keys) < window:
            raise fail(f"series {d.of!r} has fewer than {window} values")
        result = {keys[i]: mean(values[k] for k in keys[i - window + 1:i + 1]) for i in range(window - 1, len(keys))}
        return result, f"{label(d.of)}: average of each {window} consecutive periods", unit
    raise fail("unknown operation")  # pragma: no cover - the schema allows only the ops above


YEARLY_WORDS = {"mean": "average", "sum": "total", "min": "lowest", "max": "highest", "first": "first", "last": "last"}


def _yearly(d: Derivation, values: dict, keys: list, fail, label, unit) -> tuple[dict, str, str | None]:
    """A monthly, quarterly or daily series as one figure a year: its periods combined by ``d.agg``, complete
    years only (an average of five months is no year's)."""
    if d.agg not in YEARLY_WORDS:
        raise fail("needs `agg`: mean, sum, min, max, first or last")
    periods = [parse_period(k) for k in keys]
    if any(p.kind == "year" for p in periods):
        raise fail(f"series {d.of!r} is yearly already")
    by_year: dict[int, list] = {}
    for period, key in zip(periods, keys):
        by_year.setdefault(period.start.year, []).append(values[key])
    kind = periods[0].kind
    full = {"quarter": lambda y: 4, "month": lambda y: 12,
            "date": lambda y: (dt.date(y + 1, 1, 1) - dt.date(y, 1, 1)).days}[kind]
    whole = {y: v for y, v in by_year.items() if len(v) == full(y)}
    if not whole:
        raise fail(f"series {d.of!r} has no complete year")
    combine = {"mean": mean, "sum": math.fsum, "min": min, "max": max, "first": lambda v: v[0], "last": lambda v: v[-1]}
    result = {y: combine[d.agg](v) for y, v in whole.items()}
    return result, f"{label(d.of)}: the {YEARLY_WORDS[d.agg]} of each complete year", unit


def _pair(d: Derivation, op: str, fail) -> tuple[str, str]:
    if op == "share" and isinstance(d.of, str) and d.total:
        return d.of, d.total
    if not isinstance(d.of, tuple) or len(d.of) != 2:
        raise fail("`of` must list exactly two facts" + (" (or give `of` and `total`)" if op == "share" else ""))
    return d.of[0], d.of[1]


def _endpoints(d: Derivation, known, fail, number, series, same_units):
    if d.of is None:  # between two facts
        start, end = _as_ref(d.from_), _as_ref(d.to)
        if start is None or end is None:
            raise fail("needs `from` and `to` (two fact ids), or `of` a series with `from` and `to` periods")
        same_units(start, end)
        return ((number(start, "from"), known[start].fact.label), (number(end, "to"), known[end].fact.label))
    values = series(d.of)
    ends = []
    for field, period in (("from", d.from_), ("to", d.to)):
        key = _period(period, field, fail)
        if key not in values:
            raise fail(f"series {d.of!r} has no value for {key_label(key)}")
        ends.append((float(values[key]), f"{known[d.of].fact.label}, {key_label(key)}"))
    return ends


def _period(value, field: str, fail):
    if value is None:
        raise fail(f"needs `{field}`: a period such as 2024, 2024-Q1 or 2024-03")
    try:
        return period_key(value)
    except PeriodError as exc:
        raise fail(f"`{field}`: {exc}") from None


def _as_ref(ref) -> str | None:
    return None if ref is None else str(ref)


def _periods_picked(d: Derivation, values: dict, fail) -> list:
    """The periods of the series ``values`` from ``d.from_`` to ``d.to`` (each optional), in order."""
    lo = parse_period(d.from_).start if d.from_ is not None else None
    hi = parse_period(d.to).start if d.to is not None else None
    picked = [k for k in sorted_keys(values)
              if (lo is None or parse_period(k).start >= lo) and (hi is None or parse_period(k).start <= hi)]
    if not picked:
        ends = sorted_keys(values)
        first, last = (key_label(period_key(p)) for p in (d.from_ or ends[0], d.to or ends[-1]))
        raise fail(f"series {d.of!r} has no values from {first} to {last}")
    return picked


def _extreme(d: Derivation, known, fail, series, same_units) -> tuple[object, str, str | None]:
    """``min``/``max`` of facts or of a series (its value), or ``min_period``/``max_period`` (when, as text)."""
    lowest = d.op.startswith("min")
    word = "Lowest" if lowest else "Highest"
    if d.op.endswith("_period"):
        if not isinstance(d.of, str):
            raise fail("`of` must be one series fact")
        values = series(d.of)
        picked = _periods_picked(d, values, fail)
        key = (min if lowest else max)(picked, key=lambda k: values[k])  # the first such period on a tie
        span = f"{key_label(picked[0])} to {key_label(picked[-1])}"
        return key_label(key), (f"The {parse_period(key).kind.replace('date', 'day')} in which "
                                f"\u201c{known[d.of].fact.label}\u201d was {word.lower()}, {span}"), None
    values, names, unit = _numbers_of(d, known, fail, series, same_units)
    return (min if lowest else max)(values), f"{word} of {names}", unit


def _numbers_of(d: Derivation, known, fail, series, same_units) -> tuple[list[float], str, str | None]:
    if isinstance(d.of, str):
        if not isinstance(known[d.of].value, dict):
            raise fail(f"`of` fact {d.of!r} is not a series; list fact ids instead")
        values = series(d.of)
        picked = _periods_picked(d, values, fail)
        span = key_label(picked[0]) if len(picked) == 1 else f"{key_label(picked[0])} to {key_label(picked[-1])}"
        return [float(values[k]) for k in picked], f"{known[d.of].fact.label}, {span}", known[d.of].unit
    if not d.of:
        raise fail("`of` lists no facts")
    values = []
    for ref in d.of:
        r = known[ref]
        if not r.is_number:
            raise fail(f"`of` fact {ref!r} is not a single number")
        values.append(float(r.value))
    unit = same_units(*d.of)
    return values, ", ".join(known[ref].fact.label for ref in d.of), unit
