"""formatting.py: numbers, lists and dates the way en-US (and en-CA) readers write them."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import example, given, strategies as st

from site_builder.formatting import default_format, format_date, format_number, format_value

FORMATS = ["compact", "integer", "decimal", "percent", "year", "text"]


@pytest.mark.parametrize("value, fmt, unit, expected", [
    (1_800_000, None, None, "1.8 million"),
    (1_400_000, None, "vehicles", "1.4 million"),
    (1_000_000, None, None, "1 million"),
    (2_500_000_000, None, None, "2.5 billion"),
    (-2_500_000, None, None, "-2.5 million"),
    (992_200, None, None, "992,200"),
    (999_999, None, None, "999,999"),
    (992_200, "integer", None, "992,200"),
    (1_234_567, "integer", None, "1,234,567"),
    (700_000.4, "integer", None, "700,000"),
    (1, None, "percent", "1%"),
    (2.9, None, "percent", "2.9%"),
    (0.5, "percent", None, "0.5%"),
    (46, None, "percent", "46%"),
    (2030, None, "year", "2030"),
    (2030.0, "year", None, "2030"),
    (12.3456, None, None, "12.346"),
    (3.0, "decimal", None, "3.0"),
    (100, None, "km", "100 km"),
    (1_500_000, None, "miles", "1.5 million miles"),
])
def test_numbers(value, fmt, unit, expected):
    assert format_value(value, fmt, unit) == expected


@pytest.mark.parametrize("items, expected", [
    (["Alpha", "Beta", "Gamma"], "Alpha, Beta, and Gamma"),
    (["Alpha", "Beta"], "Alpha and Beta"),
    (["Alpha"], "Alpha"),
])
def test_lists_are_joined_the_en_us_way(items, expected):
    assert format_value(items) == expected


def test_texts_are_shown_as_written_whatever_the_format():
    assert format_value("About 40 models", "integer") == "About 40 models"


def test_series_show_each_year():
    assert format_value({2016: 2_000_000, 2015: 1_500_000}) == "2015: 1.5 million; 2016: 2 million"


def test_text_format_on_a_number_falls_back_to_the_default():
    assert format_value(992_200, "text") == "992,200"


def test_en_ca():
    assert format_value(1_800_000, locale="en-CA") == "1.8 million"
    assert format_value(1_234_567, "integer", locale="en-CA") == "1,234,567"
    assert format_value(2.9, unit="percent", locale="en-CA") == "2.9%"
    assert format_value(["A", "B", "C"], locale="en-CA") == "A, B and C"


def test_dates():
    assert format_date(dt.date(2023, 12, 13)) == "December 13, 2023"
    assert format_date(dt.date(2024, 3, 1), "en-CA") == "March 1, 2024"


@pytest.mark.parametrize("value, unit, expected", [
    ("text", None, "text"), (5, "percent", "percent"), (2030, "year", "year"),
    (1_000_000, None, "compact"), (-3_000_000.5, "vehicles", "compact"),
    (999_999, None, "integer"), (2.5, None, "decimal"), (2.0, None, "integer"),
])
def test_default_format(value, unit, expected):
    assert default_format(value, unit) == expected


def test_booleans_and_non_finite_numbers_are_refused():
    with pytest.raises(TypeError):
        format_value(True)
    with pytest.raises(ValueError):
        format_number(math.nan, "integer")
    with pytest.raises(ValueError):
        format_value(math.inf)


@pytest.mark.parametrize("value", [1e27, -1e30, 1e100, 1.7e308])
@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_numbers_are_formatted_not_crashed(value, fmt):
    text = format_value(value, fmt)
    assert text and any(ch.isdigit() for ch in text)


# --- properties ----------------------------------------------------------------------------------

finite = st.one_of(st.integers(min_value=-10 ** 300, max_value=10 ** 300),
                   st.floats(allow_nan=False, allow_infinity=False))


@given(value=finite, fmt=st.sampled_from(FORMATS + [None]), unit=st.sampled_from([None, "percent", "year", "km", "usd"]),
       locale=st.sampled_from(["en-US", "en-CA"]), precision=st.sampled_from([None, 1, 3, 40]))
@example(value=1.5e308, fmt="decimal", unit=None, locale="en-US", precision=1)  # rounds past the largest float
@example(value=1.5e308, fmt="integer", unit=None, locale="en-US", precision=None)  # 309 whole digits
@example(value=1.5e308, fmt="compact", unit=None, locale="en-US", precision=1)
def test_format_value_never_raises_for_finite_numbers(value, fmt, unit, locale, precision):
    text = format_value(value, fmt, unit, locale, precision)
    assert isinstance(text, str) and text


@given(st.integers(min_value=-10 ** 18, max_value=10 ** 18))
def test_integer_format_keeps_every_digit(n):
    text = format_value(n, "integer")
    assert text.replace(",", "") == str(n)
    assert all(len(group) == 3 for group in text.lstrip("-").split(",")[1:])


# --- precision, money, compact at every size, units (issue 14) -------------------------------

from site_builder.formatting import format_money, unit_words, with_unit_words  # noqa: E402


@pytest.mark.parametrize("value, precision, shown", [
    (1_650_000, 3, "1.65 million"), (1_599_000, 4, "1.599 million"), (15_970_000, 4, "15.97 million"),
    (1_860_000, 3, "1.86 million"), (1_800_000, 2, "1.8 million"),
])
def test_a_number_keeps_the_precision_it_was_published_with(value, precision, shown):
    assert format_value(value, "compact", precision=precision) == shown


@pytest.mark.parametrize("value, shown", [(2.611156462585034, "2.61"), (12.5, "12.5"), (999, "999"),
                                          (0.004, "0.004"), (0.01234, "0.012")])
def test_compact_works_below_a_thousand(value, shown):
    assert format_value(value, "compact") == shown


@pytest.mark.parametrize("value, shown", [(3.3, "$3.30"), (2.166, "$2.17"), (5, "$5.00"), (138.481, "$138.48"),
                                          (250, "$250"), (12_000.6, "$12,001"), (155_750_000, "$155.75 million")])
def test_money_shows_cents_below_100_and_none_where_usual(value, shown):
    assert format_money(value, "usd") == shown
    assert format_value(value, unit="usd") == shown


def test_a_series_shows_each_value_with_its_currency_and_each_period_the_readers_way():
    assert format_value({"2024-03": 3.3, "2024-02": 3.41}, unit="usd") == "February 2024: $3.41; March 2024: $3.30"
    assert format_value({"2024-Q1": 1}, unit="percent") == "Q1 2024: 1%"


def test_custom_units_are_written_where_no_sentence_names_them():
    assert with_unit_words("135,450", "thousand jobs") == "135,450 thousand jobs"
    assert [unit_words(u) for u in ("vehicles", "percent", "usd", "year", "usd_per_eur", "km")] == [
        "vehicles", "", "", "", "", ""]
    assert format_value(35.301, unit="percentage points") == "35.301 percentage points"


def test_a_stated_precision_keeps_its_trailing_zeros():
    # An average of 15.034 mpg to three digits is "15.0", not "15"; 20 to three digits is "20.0".
    assert format_value(15.034, None, "mpg", precision=3) == "15.0"
    assert format_value(20, "decimal", None, precision=3) == "20.0"
    assert format_value(25.914, None, "mpg", precision=3) == "25.9"
    assert format_value(15.034, None, "mpg") != "15.0"  # without a precision, no digits are invented
    assert format_value(3821.448, None, "lb", precision=3) == "3,820"
    assert format_value(0.5, "decimal", None, precision=2) == "0.50"


# --- the rule at every size: a number keeps the precision it was published with ----------------
# With `precision` (significant digits) a number shows exactly that many: trailing zeros that were published are
# kept ("1.50 million", "1.00", "20.0%"), digits that were not are never invented (12,345 to three is "12,300").
# Without one, nothing is invented either, and a number that is not zero is never shown as 0 (or as "-0").

@pytest.mark.parametrize("value, fmt, unit, precision, shown", [
    # the default format (by size), with and without a precision
    (0, None, None, None, "0"), (-0.0, None, None, None, "0"), (0.001, None, None, None, "0.001"),
    (0.001, None, None, 3, "0.00100"), (-0.0123, None, None, None, "-0.012"), (1, None, None, None, "1"),
    (1.0, None, None, 3, "1.00"), (20, None, None, 3, "20.0"), (1.5, None, None, 3, "1.50"),
    (12.34, None, None, 3, "12.3"), (999.5, None, None, 3, "1,000"), (12_345, None, None, None, "12,345"),
    (12_345, None, None, 3, "12,300"), (999_999, None, None, None, "999,999"), (999_999, None, None, 3, "1.00 million"),
    (1_500_000, None, None, None, "1.5 million"), (1_500_000, None, None, 3, "1.50 million"),
    (1_000_000, None, None, 3, "1.00 million"), (1_650_000, None, None, 2, "1.7 million"),
    (-1_650_000, None, None, 3, "-1.65 million"), (1e9, None, None, None, "1 billion"),
    (1.23e12, None, None, 3, "1.23 trillion"), (1e12, None, None, None, "1 trillion"),
    (1.234e15, None, None, None, "1,234 trillion"),
    # compact: words from a million, written out below (as newsrooms do), decimals only below a thousand
    (0, "compact", None, None, "0"), (-0.0, "compact", None, None, "0"), (0.001, "compact", None, None, "0.001"),
    (-0.001, "compact", None, None, "-0.001"), (1.0, "compact", None, 3, "1.00"), (999.5, "compact", None, None, "999.5"),
    (1000, "compact", None, None, "1,000"), (12_345, "compact", None, None, "12,345"),
    (12_345, "compact", None, 3, "12,300"), (999_999, "compact", None, None, "999,999"), (2.5, "integer", None, None, "3"),
    (1_500_000, "compact", None, 3, "1.50 million"), (15_970_000, "compact", None, 4, "15.97 million"),
    (1e12, "compact", None, 3, "1.00 trillion"), (-2_500_000, "compact", None, None, "-2.5 million"),
    # integer: whole numbers, every digit, to a precision when one is stated
    (0.4, "integer", None, None, "0"), (-0.4, "integer", None, None, "0"), (1e12, "integer", None, None, "1,000,000,000,000"),
    (12_345, "integer", None, 3, "12,300"),
    # decimal: a whole number as written (1,000, not 1,000.0), small numbers to two significant digits
    (0, "decimal", None, None, "0"), (1000, "decimal", None, None, "1,000"), (3.0, "decimal", None, None, "3.0"),
    (0.0001234, "decimal", None, None, "0.00012"), (15.034, "decimal", None, 3, "15.0"),
    (-1.5, "decimal", None, 3, "-1.50"), (1_650_000, "decimal", None, None, "1,650,000"),
    # percent
    (0, "percent", None, None, "0%"), (0.04, None, "percent", None, "0.04%"), (-0.001, None, "percent", None, "-0.001%"),
    (1.5, None, "percent", 3, "1.50%"), (20, None, "percent", 3, "20.0%"), (12.34, None, "percent", None, "12.3%"),
    (12.34, None, "percent", 3, "12.3%"), (1500, None, "percent", None, "1,500%"),
    # money: cents below $100 (always: they are how prices are published), none from $1,000, words from a million
    (0, None, "usd", None, "$0.00"), (-0.001, None, "usd", None, "$0.00"), (3.3, None, "usd", 2, "$3.30"),
    (2.165, None, "usd", None, "$2.17"), (999.5, None, "usd", None, "$999.50"), (12_345, None, "usd", 3, "$12,300"),
    (12_345, "compact", "usd", None, "$12,345"), (999_999, None, "usd", 3, "$1.00 million"),
    (1_500_000, None, "usd", 3, "$1.50 million"), (-1_650_000, None, "usd", None, "-$1.65 million"),
    (1.23e12, None, "usd", None, "$1.23 trillion"), (1_650_000, "decimal", "usd", None, "$1,650,000.00"),
])
def test_every_format_at_every_size(value, fmt, unit, precision, shown):
    assert format_value(value, fmt, unit, precision=precision) == shown


def test_en_ca_keeps_the_published_zeros_too():
    assert format_value(1_500_000, precision=3, locale="en-CA") == "1.50 million"
    assert format_value(1.5, unit="usd", locale="en-CA") == "US$1.50"


@given(value=st.floats(min_value=-1e300, max_value=1e300, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-9),
       fmt=st.sampled_from([None, "compact", "decimal", "percent"]), precision=st.sampled_from([None, 1, 2, 3, 5]))
def test_no_number_is_shown_as_zero_or_minus_zero_unless_it_is_zero(value, fmt, precision):
    text = format_value(value, fmt, precision=precision)
    assert any(d in text for d in "123456789") == (value != 0), text
    assert not text.startswith("-") or value < 0


@given(value=st.floats(min_value=1e-6, max_value=1e15).map(lambda v: float(f"{v:.3g}")), fmt=st.sampled_from([None, "compact", "decimal"]))
def test_a_stated_precision_shows_exactly_its_digits_below_a_thousand_and_in_words(value, fmt):
    text = format_value(value, fmt, precision=3)
    number = text.split(" ")[0].replace(",", "")
    if "." in number:  # "1.50 million", "15.0", "0.00100": three significant digits, the published zeros with them
        assert len(number.replace(".", "").lstrip("0")) == 3, text
