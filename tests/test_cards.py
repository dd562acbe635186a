"""Social cards laid out as SVG around the chart's phone drawing: what is on them, and that all of it fits.

``python tests/test_cards.py --write-widths`` measures the font table again (after a vl-convert upgrade).
"""
from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from site_builder.compute.chart_describe import KeyEntry
from site_builder.compute.project import Project
from site_builder.compute.stage import compile_site
from site_builder.incremental.cache import Store
from site_builder.incremental.kept import SvgCache
from site_builder.render.cards import CARD_HEIGHT, CARD_SCALE, CARD_WIDTH, WIDTHS_FILE, card_svg, draw_card, \
    text_width, wrapped

SVG = "{http://www.w3.org/2000/svg}"
W, H = CARD_WIDTH // CARD_SCALE, CARD_HEIGHT // CARD_SCALE
RANGES = [(0x20, 0x7F), (0xA0, 0x250), (0x370, 0x3D0), (0x400, 0x460), (0x2010, 0x2028), (0x2030, 0x2040),
          (0x20A0, 0x20C0), (0x2100, 0x2130), (0x2190, 0x2194), (0x2212, 0x2213)]


def measured_width(text: str, weight: str, size: int = 1000) -> int:
    """How wide vl-convert lays ``text`` out at ``size`` px (the width of a view that just holds it)."""
    from site_builder.compute.charts import chart_renderer

    mark = {"type": "text", "encode": {"enter": {
        "x": {"value": 0}, "y": {"value": 0}, "text": {"value": text}, "fontSize": {"value": size},
        "font": {"value": "Liberation Sans"}, "fontWeight": {"value": weight}}}}
    spec = {"width": 0, "height": 0, "autosize": {"type": "pad"}, "padding": 0, "marks": [mark]}
    return chart_renderer().vega_to_scenegraph(spec)["width"]


def measured_table() -> dict[str, dict[str, int]]:
    """Each character's advance in thousandths of an em ("n" on both sides, so that spaces count too)."""
    table = {}
    for weight in ("normal", "bold"):
        base = measured_width("nn", weight)
        table[weight] = {chr(cp): measured_width(f"n{chr(cp)}n", weight) - base
                         for start, end in RANGES for cp in range(start, end) if chr(cp).isprintable()}
    return table


@pytest.fixture(scope="module")
def outlook(tmp_path_factory):
    """The mini fixture's hero chart, drawn (both artboards) and with its key."""
    root = tmp_path_factory.mktemp("cards")
    shutil.copytree(Path(__file__).parent / "fixtures/mini/content", root / "content")
    project = Project.at(root)
    return compile_site(project, SvgCache(Store(project.cache))).charts["outlook"]


def texts(svg: str) -> list[ET.Element]:
    """The card's own text elements (not the chart's, which vl-convert placed)."""
    root = ET.fromstring(svg)
    return [e for e in root if e.tag == f"{SVG}text"]


def inner(svg: str) -> str:
    """What a drawing holds inside its root element."""
    return svg[svg.index(">") + 1:svg.rindex("</svg>")]


def test_the_card_shows_the_title_subtitle_and_key_beside_the_charts_phone_drawing(outlook):
    svg = card_svg(outlook)
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == (str(W), str(H))
    shown = " ".join(e.text for e in texts(svg))
    assert "Widget sales, reported and forecast" in shown and "Widgets a year" in shown
    assert outlook.key and all(entry.label in shown for entry in outlook.key)
    assert all(entry.swatch in svg for entry in outlook.key)  # drawn as the page's key draws it
    assert inner(outlook.narrow_svg) in svg and inner(outlook.svg) not in svg
    [chart] = [g for g in root if g.tag == f"{SVG}g" and "scale(" in g.get("transform", "")]
    assert chart.get("transform").startswith("translate(")


def test_a_card_is_a_1200x630_png(outlook):
    png = draw_card(outlook)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (CARD_WIDTH, CARD_HEIGHT)


def test_long_text_and_many_key_entries_stay_inside_the_card(outlook):
    long = "A remarkably long title that goes on about supercalifragilisticexpialidociously detailed matters " * 3
    key = tuple(KeyEntry(f"Series {i}: reported by an agency with a rather long name", "#0072b2", "line")
                for i in range(12))
    crowded = dataclasses.replace(outlook, key=key,
                                  chart=dataclasses.replace(outlook.chart, title=long, subtitle=long))
    svg = card_svg(crowded)
    for element in texts(svg):
        size, weight = float(element.get("font-size")), element.get("font-weight", "normal")
        x, y = float(element.get("x")), float(element.get("y"))
        assert x + text_width(element.text, size, weight) <= 20 + 250 + 0.01, element.text  # the text column
        assert y <= H - 12, element.text  # the last baseline inside the margin the chart keeps too
    shown = [e.text for e in texts(svg)]
    assert sum(t.endswith("\u2026") for t in shown) == 2  # title and subtitle, each cut at its last line
    assert re.fullmatch(r"and \d+ more", shown[-1])


def test_markup_in_a_title_or_key_is_shown_as_text(outlook):
    odd = dataclasses.replace(outlook, key=(KeyEntry('"Quoted" & <b>bold</b>', '#d55e00', "bar", dashed=True),),
                              chart=dataclasses.replace(outlook.chart, title="R&D <spending> rises", subtitle=None))
    shown = [e.text for e in texts(card_svg(odd))]  # parses: nothing was taken for markup
    assert shown == ["R&D <spending> rises", '"Quoted" & <b>bold</b>']


def test_a_chart_without_a_phone_drawing_is_drawn_across_the_card_below_its_title(outlook):
    wide_only = dataclasses.replace(outlook, narrow_svg="")
    svg = card_svg(wide_only)
    assert inner(outlook.svg) in svg
    assert not any(e.text == outlook.key[0].label for e in texts(svg))


def test_a_drawing_without_a_size_is_a_value_error_the_build_reports(outlook):
    with pytest.raises(ValueError, match="does not give its size"):
        card_svg(dataclasses.replace(outlook, narrow_svg="<svg><g/></svg>"))


@pytest.mark.parametrize("width", [40, 120, 250])
def test_wrapped_lines_fit_their_width_and_keep_every_word_until_the_last_line(width):
    rng = random.Random(width)
    words = ["a", "briefing", "Kaluga's", "plant", "restarts", "—", "1,234,567", "vehicles", "Новые", "W" * 14]
    text = " ".join(rng.choice(words) for _ in range(60))
    lines = wrapped(text, 13, "normal", width, most=10_000)
    assert all(text_width(line, 13) <= width for line in lines)
    if all(text_width(word, 13) <= width for word in words):
        assert " ".join(lines).split() == text.split()  # broken between words only
    else:
        assert len(" ".join(lines).split()) > len(text.split())  # a word wider than a line is broken
    assert "".join("".join(lines).split()) == "".join(text.split())
    cut = wrapped(text, 13, "bold", width, most=2)
    assert len(cut) == 2 and cut[-1].endswith("\u2026") and all(text_width(l, 13, "bold") <= width for l in cut)


def test_the_width_table_is_what_vl_convert_measures():
    table = json.loads(WIDTHS_FILE.read_text(encoding="utf-8"))
    rng = random.Random(7)
    for weight in ("normal", "bold"):
        base = measured_width("nn", weight)
        for c in rng.sample(sorted(table[weight]), 25) + [" ", "W", "i", "Ж", "\u2026"]:
            assert table[weight][c] == measured_width(f"n{c}n", weight) - base, (weight, c)
    sentence = "Russia's new-vehicle market, reported and forecast (2024)"
    for weight in ("normal", "bold"):
        assert abs(text_width(sentence, 20, weight) - measured_width(sentence, weight, 20)) <= 1.5


def test_a_very_long_text_is_cut_without_wrapping_all_of_it():
    lines = wrapped("word " * 200_000, 13, "normal", 250, most=3)
    assert len(lines) == 3 and lines[-1].endswith("\u2026")


@pytest.mark.parametrize("entries", range(1, 14))
def test_key_entries_that_do_not_fit_end_with_how_many_are_left(outlook, entries):
    key = tuple(KeyEntry(f"Series {i}" + " with a longer name" * (i % 3), "#0072b2", "dot") for i in range(entries))
    shown = [e for e in texts(card_svg(dataclasses.replace(outlook, key=key)))]
    assert all(float(e.get("y")) <= H - 12 for e in shown)
    labels = [e.text for e in shown if e.text.startswith("Series")]
    more = [e.text for e in shown if re.fullmatch(r"and \d+ more", e.text)]
    if more:
        assert more == [f"and {entries - len(set(t.split(' with')[0] for t in labels))} more"]
    else:
        assert len({t.split(" with")[0] for t in labels}) == entries


def test_a_character_the_table_lacks_counts_as_an_em():
    assert text_width("\u4e2d", 10) == 10 and text_width("", 10) == 0


if __name__ == "__main__" and sys.argv[1:] == ["--write-widths"]:
    about = ("Advance widths of the Liberation Sans built into vl-convert, in thousandths of an em, as vl-convert "
             "measures them (regenerate: python tests/test_cards.py --write-widths)")
    WIDTHS_FILE.write_text(json.dumps({"about": about, **measured_table()}, ensure_ascii=False, sort_keys=True,
                                      separators=(",", ":")) + "\n", encoding="utf-8")
