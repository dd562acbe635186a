"""What a chart definition must get right beyond its fields' types: the options its kind takes, and a
custom chart's Vega-Lite spec, validated against the Vega-Lite JSON schema that Altair bundles.

Each problem is reported through ``report(where, message)``, ``where`` being the location inside the
chart's mapping (``("vega_lite", "mark")``), so that the message names the file and the line.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from .chart_geo import country_names
from .model import Chart

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
            "small_multiples": False, "zero": True, "region": None, "places": [], "vega_lite": None}


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
    if chart.type == "map" and not chart.places:
        report(("places",), f"{name}: a map needs `places`")
    elif chart.type == "custom":
        if chart.vega_lite is None:
            report(("vega_lite",), f"{name}: a custom chart needs a `vega_lite` spec")
        else:
            for where, message in vega_lite_problems(chart.vega_lite):
                report(("vega_lite", *where), f"{name}: vega_lite{_dotted(where)}: {message}")
    elif not chart.series and chart.type != "map":
        report((), f"{name} has no series")


def _is_region(region: list) -> bool:
    if len(region) != 4:
        return False
    west, south, east, north = region
    return -180 <= west < east <= 180 and -85 <= south < north <= 85


def _check_series(chart: Chart, i: int, report: Report) -> None:
    series = chart.series[i]
    given = [k for k in ("facts", "fact", "points") if getattr(series, k)]
    name = f"chart {chart.id!r}: series {series.label!r}"
    if chart.type in SCATTER:
        if given != ["points"]:
            report(("series", i), f"{name} needs `points` (a list of {{x: fact, y: fact}}) in a {chart.type} chart")
    elif len(given) != 1 or given == ["points"]:
        report(("series", i), f"{name} needs either `facts` (a list) or `fact` (a series fact)")


def vega_lite_problems(spec: dict) -> list[tuple[tuple, str]]:
    """Where ``spec`` breaks the Vega-Lite schema, and how: one message per place, most specific first."""
    import jsonschema  # lazy: only custom charts need it

    found = []
    for error in sorted(_vega_lite_validator().iter_errors(spec), key=lambda e: list(e.absolute_path)):
        best = jsonschema.exceptions.best_match([error])
        found.append((tuple(best.absolute_path), _short(best.message)))
    return found


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def _dotted(where: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where)


@functools.cache
def _vega_lite_validator():
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    return jsonschema.Draft7Validator(load_schema())
