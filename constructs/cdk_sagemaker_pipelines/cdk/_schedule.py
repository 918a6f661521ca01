"""EventBridge Scheduler expressions, checked at synth: CloudFormation only rejects them at deploy.

Example::

    schedule_expression_problem("cron(0 6 * * *)")  # "cron needs six fields …"
    schedule_expression_problem("cron(0 6 ? * MON *)")  # None
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from datetime import datetime, timedelta
from functools import cache

from ..definition import PipelineDefinitionError
from ..definition._suggest import did_you_mean

RATE = re.compile(r"rate\(([1-9]\d*) (minutes?|hours?|days?)\)")
CRON = re.compile(r"cron\((.*)\)")
AT = re.compile(r"at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)")
EXPECTED = (
    "rate(<n> minutes|hours|days), cron(<minutes> <hours> <day-of-month> <month> "
    "<day-of-week> <year>) with '?' as one of the two days, or at(yyyy-mm-ddThh:mm:ss)"
)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, lowest, highest, names for the numbers from 1)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)
DAY_OF_MONTH, DAY_OF_WEEK = 2, 4


def schedule_period(expression: str) -> timedelta | None:
    """The least time between two runs of a ``rate()`` or ``cron()``; ``None``: unknown.

    A ``rate()`` runs its period apart. A ``cron()`` at one minute of the hour runs an
    hour apart or more, and at one minute of one hour 23 hours or more (a schedule's time
    zone may skip an hour); any other ``cron()`` may run a minute apart: ``None``, as for
    ``at()``.

    Example::

        schedule_period("rate(12 hours)"), schedule_period("cron(0 6 * * ? *)")
        # timedelta(hours=12), timedelta(hours=23)
    """
    match = RATE.fullmatch(expression)
    if match is not None:
        unit = match.group(2).rstrip("s") + "s"
        return timedelta(**{unit: int(match.group(1))})
    cron = CRON.fullmatch(expression)
    fields = cron.group(1).split() if cron is not None else []
    if len(fields) != len(_FIELDS) or not fields[0].isdigit():
        return None
    return timedelta(hours=23) if fields[1].isdigit() else timedelta(hours=1)


def shortest_spacing(expression: str) -> timedelta | None:
    """The shortest time two runs of a ``rate()`` or ``cron()`` may come apart; ``None``: unknown.

    Unlike ``schedule_period`` (a lower bound, for judging a cache's expiry) this reads a
    ``cron()``'s minutes field: ``cron(0/2 * * * ? *)`` runs two minutes apart. A minutes
    field of one minute (or a field it can't read, ``at()``, an invalid expression) says
    nothing about minutes: ``None`` unless it is a ``rate()``.

    Example::

        shortest_spacing("rate(1 minute)"), shortest_spacing("cron(*/2 8-18 ? * MON-FRI *)")
        # timedelta(minutes=1), timedelta(minutes=2)
    """
    if RATE.fullmatch(expression):
        return schedule_period(expression)
    cron = CRON.fullmatch(expression)
    fields = cron.group(1).split() if cron is not None else []
    if len(fields) != len(_FIELDS) or schedule_expression_problem(expression) is not None:
        return None
    minutes = _minutes(fields[0])
    if minutes is None or len(minutes) < 2:
        return None
    gaps = [later - earlier for earlier, later in itertools.pairwise(minutes)]
    if not fields[1].isdigit():
        # Another hour may follow: the last minute of one and the first of the next.
        gaps.append(60 - minutes[-1] + minutes[0])
    return timedelta(minutes=min(gaps))


def _minutes(field: str) -> list[int] | None:
    """The minutes of the hour a valid cron minutes field names, sorted; None: unreadable."""
    found: set[int] = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        step = int(step_text) if slash else 1
        if base == "*":
            low, high = 0, 59
        elif base.isdigit():
            low = int(base)
            high = 59 if slash else low  # "5/10": from 5 every 10 minutes
        elif re.fullmatch(r"\d+-\d+", base):
            low, high = (int(part) for part in base.split("-"))
            if low > high:
                return None  # a range across the hour: not read here
        else:
            return None
        found.update(range(low, high + 1, step))
    return sorted(found)


@cache
def _time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (none without a time zone database)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(name: str) -> str | None:
    """What is wrong with a schedule's time zone name, or None.

    EventBridge Scheduler takes IANA names (``Europe/London``) and refuses any other at
    deploy time; aws-cdk-lib's ``TimeZone.of`` takes any text. Not judged (None) on a
    machine without a time zone database, whose list would be empty.

    Example::

        time_zone_problem("Europe/Londn")
        # "'Europe/Londn' is not an IANA time zone name (did you mean 'Europe/London'?)"
    """
    known = _time_zones()
    if not known or name in known:
        return None
    hint = did_you_mean(name, sorted(known))
    return f"{name!r} is not an IANA time zone name" + (f" ({hint})" if hint else "")


def schedule_expression_problem(expression: str) -> str | None:
    """What is wrong with a ``rate()``, ``cron()`` or ``at()`` expression, or None.

    The check ``PipelineSchedule`` makes at synth (EventBridge Scheduler's syntax and field
    ranges), for a platform team's own configuration checks. Anything but a string raises
    ``PipelineDefinitionError``.

    Example::

        schedule_expression_problem("rate(1 hours)")  # "'rate(1 hours)': the unit must be …"
    """
    if not isinstance(expression, str):
        raise PipelineDefinitionError(
            f"schedule_expression_problem: parameter 'expression' expects a str "
            f"({EXPECTED}), got {type(expression).__name__} {expression!r}"
        )
    rate = RATE.fullmatch(expression)
    if rate:
        # As EventBridge documents for rate expressions: "rate(1 hours)" and "rate(5 hour)"
        # are not valid; aws-cdk-lib's ScheduleExpression.rate writes them this way too.
        value, unit = int(rate.group(1)), rate.group(2)
        if (value == 1) == unit.endswith("s"):
            fixed = unit.rstrip("s") if value == 1 else f"{unit}s"
            return (
                f"{expression!r}: the unit must be singular for 1 and plural above "
                f"(rate({value} {fixed}))"
            )
        return None
    at = AT.fullmatch(expression)
    if at:
        try:
            # A real date: the day must exist in its month (no 2025-02-30), the year included.
            year, month, day, hour, minute, second = (int(part) for part in at.groups())
            datetime(year, month, day, hour, minute, second)
        except ValueError:
            return f"{expression!r} is not a valid date"
        return None
    cron = CRON.fullmatch(expression)
    if cron is None:
        return f"expected {EXPECTED}, got {expression!r}"
    fields = cron.group(1).split(" ")
    if len(fields) != len(_FIELDS):
        return (
            f"{expression!r} has {len(fields)} fields; cron needs six: <minutes> <hours> "
            "<day-of-month> <month> <day-of-week> <year>"
        )
    if [fields[DAY_OF_MONTH], fields[DAY_OF_WEEK]].count("?") != 1:
        return f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'"
    for index, value in enumerate(fields):
        name, lowest, highest, names = _FIELDS[index]
        if not _cron_field_ok(index, value, lowest, highest, names):
            allowed = f"{lowest}-{highest}" + (f" or {names[0]}-{names[-1]}" if names else "")
            return f"{expression!r}: {name} {value!r} is not valid ({allowed}, *, ',', '-', '/')"
    return None


def _cron_field_ok(
    index: int, value: str, lowest: int, highest: int, names: tuple[str, ...]
) -> bool:
    if value == "?":
        return index in (DAY_OF_MONTH, DAY_OF_WEEK)
    for item in value.split(","):
        base, slash, step = item.partition("/")
        if slash and not (step.isdigit() and int(step) >= 1):
            return False
        if base == "*":
            continue
        if base == "L" or (index == DAY_OF_MONTH and base == "LW"):
            if index in (DAY_OF_MONTH, DAY_OF_WEEK):
                continue
            return False
        special = re.fullmatch(
            r"(\d{1,2})W" if index == DAY_OF_MONTH else r"(\w+?)(?:L|#[1-5])", base
        )
        if special and index in (DAY_OF_MONTH, DAY_OF_WEEK):
            base = special.group(1)
        low, dash, high = base.partition("-")
        parts = [low, high] if dash else [low]
        if not all(_value_ok(part, lowest, highest, names) for part in parts):
            return False
    return True


def _value_ok(part: str, lowest: int, highest: int, names: tuple[str, ...]) -> bool:
    if part.isdigit():
        return lowest <= int(part) <= highest
    return part.upper() in names
