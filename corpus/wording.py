"""How contracts spell numbers, money, periods and dates ("thirty (30) days").

Small pure helpers shared by the demo-contract generator. Everything here is
deterministic and independent of the clock and the locale.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

__all__ = [
    "add_months", "amount", "count", "long_date", "money_words", "months_or_years",
    "number_words", "ordinal_day_date", "percent", "period", "roman", "smart_quotes",
    "us_date",
]

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """``1250`` → ``"one thousand two hundred fifty"`` (US style, no "and")."""
    if n < 0:
        raise ValueError(f"cannot spell a negative number: {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{number_words(head)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def count(n: int, unit: str) -> str:
    """``count(30, "day")`` → ``"thirty (30) days"``."""
    plural = unit if n == 1 else unit + "s"
    return f"{number_words(n)} ({n}) {plural}"


def period(n: int, unit: str) -> str:
    """A notice period in the possessive: ``"thirty (30) days'"``, ``"one (1) year's"``."""
    return count(n, unit) + ("'s" if n == 1 else "'")


def months_or_years(months: int, *, prefer_months: bool = False) -> str:
    """``36`` → ``"three (3) years"`` (or ``"thirty-six (36) months"``)."""
    if months % 12 == 0 and not prefer_months:
        return count(months // 12, "year")
    return count(months, "month")


def percent(value: float) -> str:
    """``5`` → ``"five percent (5%)"``; fractional values are given in figures only."""
    if float(value).is_integer():
        v = int(value)
        return f"{number_words(v)} percent ({v}%)"
    return f"{value:g}%"


def amount(value: int, currency: str = "USD") -> str:
    """``1000000`` → ``"$1,000,000"`` (US dollars only)."""
    if currency != "USD":
        raise ValueError(f"only USD amounts are spelled, got {currency}")
    return f"${value:,}"


def money_words(value: int, *, upper: bool = False) -> str:
    """``2500000`` → ``"Two Million Five Hundred Thousand Dollars ($2,500,000)"``."""
    words = " ".join(w.capitalize() for w in number_words(value).split())
    words = "-".join(p[:1].upper() + p[1:] for p in words.split("-"))
    text = f"{words} Dollars ({amount(value)})"
    return text.upper() if upper else text


def us_date(d: date) -> str:
    """``March 3, 2021``."""
    return f"{calendar.month_name[d.month]} {d.day}, {d.year}"


def _suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def ordinal_day_date(d: date) -> str:
    """``the 3rd day of March, 2021``."""
    return f"the {d.day}{_suffix(d.day)} day of {calendar.month_name[d.month]}, {d.year}"


def long_date(d: date, style: int) -> str:
    return ordinal_day_date(d) if style == 1 else us_date(d)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def roman(n: int) -> str:
    """``4`` → ``"IV"``."""
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


_OPEN_QUOTE = re.compile(r'(^|[\s(\[\u2013\u2014/-])"')


def smart_quotes(text: str) -> str:
    """Straight quotes and apostrophes → typographic ones (“ ” ’)."""
    text = _OPEN_QUOTE.sub(lambda m: m.group(1) + "\u201c", text)
    return text.replace('"', "\u201d").replace("'", "\u2019")
