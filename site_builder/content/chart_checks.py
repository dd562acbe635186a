"""What a chart definition must get right beyond its fields' types: the options its kind takes, and a
custom chart's Vega-Lite spec, validated against the Vega-Lite JSON schema that Altair bundles.

Each problem is reported through ``report(where, message)``, ``where`` being the location inside the
chart's mapping (``("vega_lite", "mark")``), so that the message names the file and the line.
"""
from __future__ import annotations

import functools
import string
from collections.abc import Callable

from .chart_geo import country_names
from ..periods import PeriodError, parse_period
from ..chart_model import Chart
from ..frozen import thaw

Report = Callable[[tuple, str], None]

SCATTER = frozenset({"scatter", "connected-scatter"})
CATEGORICAL = frozenset({"bar", "dot"})
# Which kinds take each option (an option left at its default is never a problem).
OPTION_KINDS = {
    "stack": frozenset({"bar", "area"}),
    "orientation": CATEGORICAL,
    "categories": CATEGORICAL,
    "highlight": frozenset({"line", "map"}),
    "direct_labels": frozenset({"line"}),
    "small_multiples": frozenset({"line", "area", "bar"}),
    "zero": frozenset({"line", "scatter", "connected-scatter", "dot"}),
    "region": frozenset({"map"}),
    "places": frozenset({"map"}),
    "vega_lite": frozenset({"custom"}),
}
DEFAULTS = {"stack": "none", "orientation": "auto", "categories": None, "highlight": "", "direct_labels": False,
            "small_multiples": False, "zero": True, "region": None, "places": (), "vega_lite": None}
# Vega places numbers on a scale as doubles: as compute/chart_data.LARGEST, for facts drawn.
LARGEST_DRAWN = 1e300


def check_chart(chart: Chart, report: Report) -> None:
    """Report every problem of ``chart`` that its field types do not already rule out."""
    name = f"chart {chart.id!r}"
    for option, kinds in OPTION_KINDS.items():
        if getattr(chart, option) != DEFAULTS[option] and chart.type not in kinds:
            why = " (bars and areas always start at zero)" if option == "zero" else ""
            report((option,), f"{name}: `{option}` does not apply to a {chart.type} chart{why}")
    for i, series in enumerate(chart.series):
        _check_series(chart, i, report)
    labels = [s.label for s in chart.series]
    if chart.type == "map" and chart.highlight and chart.highlight not in country_names():
        report(("highlight",), f"{name}: highlight {chart.highlight!r} is not a country's name in the map's "
                               "outlines (Natural Earth's names, e.g. 'United States of America', 'Russia')")
    elif chart.type != "map" and chart.highlight and chart.highlight not in labels:
        report(("highlight",), f"{name}: highlight {chart.highlight!r} is not the label of one of its series")
    if chart.categories is not None:
        for i, series in enumerate(chart.series):
            if len(series.facts or ()) != len(chart.categories):
                report(("series", i), f"{name}: series {series.label!r} has {len(series.facts or ())} facts "
                                      f"for {len(chart.categories)} categories")
    if chart.region is not None and not _is_region(chart.region):
        report(("region",), f"{name}: region must be [west, south, east, north] in degrees, west < east (from -180 to 180) and south < north (from -85 to 85)")
    for i, note in enumerate(chart.annotations):
        given = [k for k in ("x", "y", "x_range", "fact") if getattr(note, k) is not None]
        if len(given) != 1:
            report(("annotations", i), f"{name}: an annotation needs one of `x`, `y`, `x_range` or `fact`")
        elif note.x_range is not None and len(note.x_range) != 2:
            report(("annotations", i, "x_range"), f"{name}: x_range needs two values, [from, to]")
        for key, value in (("x", note.x), *((("x_range", j), v) for j, v in enumerate(note.x_range or ()))):
            if value is not None and not _is_period(value):  # a year of 10**20 is no JSON vl-convert reads
                where = ("annotations", i, *(key if isinstance(key, tuple) else (key,)))
                report(where, f"{name}: {value!r} is not a year, quarter, month or day (2024, 2024-Q1, 2024-03, "
                              "2024-03-05)")
        if note.y is not None and abs(note.y) > LARGEST_DRAWN:
            report(("annotations", i, "y"), f"{name}: a line at y {note.y:g} is too large to draw")
        _check_point_label(name, i, note, report)
    for i, rule in enumerate(chart.rules):
        if not _is_period(rule.x):
            report(("rules", i, "x"), f"{name}: rule at {rule.x!r}: not a year, quarter, month or day (2024, 2024-Q1, "
                                      "2024-03, 2024-03-05)")
    if chart.type == "map" and not chart.places:
        report(("places",), f"{name}: a map needs `places`")
    elif chart.type == "custom":
        if chart.vega_lite is None:
            report(("vega_lite",), f"{name}: a custom chart needs a `vega_lite` spec")
        else:
            spec = thaw(chart.vega_lite)  # JSON's own types, as the schema validator expects
            for where, message in foreign_data(spec) + unreadable_integers(spec) + vega_lite_problems(spec):
                report(("vega_lite", *where), f"{name}: vega_lite{_dotted(where)}: {message}")
    elif not chart.series and chart.type != "map":
        report((), f"{name} has no series")


def _check_point_label(name: str, i: int, note, report: Report) -> None:
    """A label on a fact's point: ``at`` a period or an extreme of a series fact, and only the placeholders
    it can fill in."""
    if note.at is not None:
        if note.fact is None:
            report(("annotations", i, "at"), f"{name}: `at` places a label on a series fact's point: give `fact` too")
        elif not (note.at in ("low", "high", "first", "last") or _is_period(note.at)):
            report(("annotations", i, "at"), f"{name}: at {note.at!r} is not a period of the series (2024, 2024-Q1, "
                                             "2024-03, 2024-03-05) nor one of low, high, first, last")
    if note.fact is None or not note.label:
        return
    try:
        parts = [(field, spec or conv) for _, field, spec, conv in string.Formatter().parse(note.label) if field is not None]
    except ValueError as exc:
        report(("annotations", i, "label"), f"{name}: label {note.label!r}: {exc} (write {{{{ for a brace)")
        return
    fields = {field for field, _ in parts}
    if any(formatted for _, formatted in parts):
        report(("annotations", i, "label"), f"{name}: label {note.label!r}: a placeholder takes no format "
                                            "({value} is shown in the fact's own unit and precision)")
        return
    unknown = sorted(fields - {"value", "period", "series"})
    if unknown:
        report(("annotations", i, "label"), f"{name}: label {note.label!r}: {{{unknown[0]}}} is not one of "
                                            "{value}, {period}, {series}")


def _is_period(value: str | int) -> bool:
    try:
        parse_period(value.strip() if isinstance(value, str) else value)
    except PeriodError:
        return False
    return True


def _is_region(region: list) -> bool:
    if len(region) != 4:
        return False
    west, south, east, north = region
    return -180 <= west < east <= 180 and -85 <= south < north <= 85


def _check_series(chart: Chart, i: int, report: Report) -> None:
    series = chart.series[i]
    given = [k for k in ("facts", "fact", "points", "x", "y") if getattr(series, k)]
    name = f"chart {chart.id!r}: series {series.label!r}"
    if chart.type in SCATTER:
        if given not in (["points"], ["x", "y"]):
            report(("series", i), f"{name} needs `points` (a list of {{x: fact, y: fact}}), or `x` and `y` (two series "
                                  f"facts, a point for each period both have) in a {chart.type} chart")
    elif len(given) != 1 or given == ["points"]:
        report(("series", i), f"{name} needs either `facts` (a list) or `fact` (a series fact)")


def foreign_data(spec, where: tuple = ()) -> list[tuple[tuple, str]]:
    """Where a custom spec draws data that is not the chart's own points: a URL (a page must not fetch from
    another host, and a number needs a source) or values written into the spec."""
    found: list[tuple[tuple, str]] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "url":
                found.append(((*where, key), "data from a URL is refused: draw the chart's points (series of facts, "
                                             "which may read a dataset)"))
            elif key == "data" and isinstance(value, dict) and value != {"name": "points"}:
                found.append(((*where, key), "a custom chart draws its own points only (`data: {name: points}`, "
                                             "the default): give its numbers as facts with sources"))
            else:
                found += foreign_data(value, (*where, key))
    elif isinstance(spec, list):
        for i, item in enumerate(spec):
            found += foreign_data(item, (*where, i))
    return found


def unreadable_integers(spec, where: tuple = ()) -> list[tuple[tuple, str]]:
    """Where a custom spec holds an integer of 2**63 or more, which vl-convert's JSON cannot read (10**20)."""
    if isinstance(spec, dict):
        return [found for key, value in spec.items() for found in unreadable_integers(value, (*where, key))]
    if isinstance(spec, (list, tuple)):
        return [found for i, item in enumerate(spec) for found in unreadable_integers(item, (*where, i))]
    if isinstance(spec, int) and not isinstance(spec, bool) and abs(spec) >= 2 ** 63:
        return [(where, f"the whole number {float(spec):g} is too large for vl-convert (2^63 or more): "
                        f"write it as the decimal number {float(spec):g}")]
    return []


def vega_lite_problems(spec: dict) -> list[tuple[tuple, str]]:
    """Where ``spec`` breaks the Vega-Lite schema, and how: one message per place, most specific first."""
    import jsonschema  # lazy: only custom charts need it

    found = []
    for error in sorted(_vega_lite_validator().iter_errors(_as_drawn(spec)), key=lambda e: list(e.absolute_path)):
        best = _most_telling(error)
        found.append((tuple(best.absolute_path), _short(best.message)))
    return found


def _as_drawn(spec: dict) -> dict:
    # The spec is drawn with the chart's points as its data, so it is checked with them (a spec without
    # ``data`` is no valid Vega-Lite on its own).
    return spec if "data" in spec else {**spec, "data": {"name": "points"}}


def _most_telling(error):
    """Of an error and the alternatives it failed (``anyOf``), the one deepest in the spec that names the
    fault ("'ordinall' is not one of [...]", "'labelAngel' was unexpected") rather than "not valid under any"."""
    leaves = list(_leaves(error))
    depth = max(len(e.absolute_path) for e in leaves)
    deepest = [e for e in leaves if len(e.absolute_path) == depth]

    def rank(e) -> tuple:
        vague = "is not valid under any" in e.message
        unexpected = e.validator == "additionalProperties"
        return (vague, not (e.validator == "enum" or unexpected), len(e.message))
    return min(deepest, key=rank)


def _leaves(error):
    if not error.context:
        yield error
        return
    for sub in error.context:
        yield from _leaves(sub)


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def _dotted(where: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where)


@functools.cache
def _vega_lite_validator():
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    return jsonschema.Draft7Validator(load_schema())
