"""Step caching and retry policies.

Example::

    TrainingStep(..., cache_config=CacheConfig(expire_after="P30D"),
                 retry_policies=[StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING],
                                                 max_attempts=3)])
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ._errors import PipelineDefinitionError
from ._render import JsonValue, RenderContext, compact
from ._typecheck import checked

MAX_ATTEMPTS_CAP = 20
MAX_EXPIRE_AFTER_MIN = 14400
MAX_INTERVAL_SECONDS = 43200


class StepExceptionType(enum.Enum):
    """Errors any retryable step can retry on.

    Example::

        StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING], max_attempts=3)
    """

    SERVICE_FAULT = "Step.SERVICE_FAULT"
    THROTTLING = "Step.THROTTLING"


class SageMakerJobExceptionType(enum.Enum):
    """Failures of the SageMaker job a job step starts.

    Example::

        SageMakerJobStepRetryPolicy(exception_types=[SageMakerJobExceptionType.CAPACITY_ERROR],
                                    interval_seconds=60, max_attempts=5)
    """

    INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
    CAPACITY_ERROR = "SageMaker.CAPACITY_ERROR"
    RESOURCE_LIMIT = "SageMaker.RESOURCE_LIMIT"


STEP_EXCEPTION_TYPES = frozenset(item.value for item in StepExceptionType)
JOB_EXCEPTION_TYPES = frozenset(item.value for item in SageMakerJobExceptionType)


@checked
@dataclass(frozen=True, slots=True)
class CacheConfig:
    """Reuse a previous successful run of the step with the same key attributes.

    ``expire_after`` is an ISO 8601 duration such as ``P30D`` or ``PT12H``. It is the first
    argument, unlike the SageMaker SDK's ``CacheConfig(enable_caching, expire_after)``
    (``CacheConfig(True, …)`` raises): a step without ``cache_config`` is not cached.

    Example::

        CacheConfig(expire_after="P30D")
    """

    expire_after: str | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.expire_after, bool):
            # The SDK's CacheConfig(enable_caching, expire_after) order, typed from habit.
            raise PipelineDefinitionError(
                f"CacheConfig: field 'expire_after' expects str, got bool {self.expire_after} "
                "(expire_after, the first argument, is an ISO 8601 duration, not the SageMaker "
                "SDK's enable_caching: write CacheConfig(expire_after='P30D'), and leave "
                "cache_config unset to turn caching off)"
            )

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Enabled": …, "ExpireAfter": …}``."""
        return compact(Enabled=self.enabled, ExpireAfter=self.expire_after)


# A cache ExpireAfter: an ISO 8601 duration (P1Y2M3W4DT5H6M7S, designators in either case) or the
# P-less form the caching guide also shows ("30d", "T16m"), where designators may be lower-case
# but a bare "m" before "T" would be ambiguous, so months stay upper-case "M".
_EXPIRE_AFTER = re.compile(
    r"(?P<P>P)?(?=\d|T\d)(?:(?P<Y>\d+)[Yy])?(?:(?P<Mo>\d+)M)?(?:(?P<W>\d+)[Ww])?"
    r"(?:(?P<D>\d+)[Dd])?(?:T(?=\d)(?:(?P<H>\d+)[Hh])?(?:(?P<Mi>\d+)[Mm])?(?:(?P<S>\d+)[Ss])?)?"
)


# The longest ExpireAfter: what a Python timedelta holds (999,999,999 days, some 2.7 million
# years), so the local runner can compare with it, and far inside the 64-bit count of
# seconds a service-side duration holds. Longer is a typo, not a plan: to cache without a
# time limit, leave ExpireAfter out.
MAX_EXPIRE_AFTER_DAYS = dt.timedelta.max.days


def _match_expire_after(text: str) -> re.Match[str] | None:
    # The ISO form's designators in either case: the SDK's CacheConfig documents 'p30d'.
    if text[:1] in ("p", "P"):
        return _EXPIRE_AFTER.fullmatch(text.upper())
    return _EXPIRE_AFTER.fullmatch(text)


def _expire_after_seconds(match: re.Match[str]) -> int:
    part = {key: int(number or 0) for key, number in match.groupdict().items() if key != "P"}
    days = part["Y"] * 365 + part["Mo"] * 30 + part["W"] * 7 + part["D"]
    return ((days * 24 + part["H"]) * 60 + part["Mi"]) * 60 + part["S"]


def expire_after_problem(text: object) -> tuple[str, str] | None:
    """What is wrong with a cache ``ExpireAfter`` and a hint, or ``None`` if it is fine.

    Example::

        expire_after_problem("30 days")  # ("'30 days' is not an ISO 8601 duration", "…")
    """
    match = _match_expire_after(text) if isinstance(text, str) else None
    if match is None:
        return (
            f"{text!r} is not an ISO 8601 duration",
            "for example 'P30D' (30 days) or 'PT12H' (12 hours)",
        )
    if _expire_after_seconds(match) > MAX_EXPIRE_AFTER_DAYS * 86400:
        return (
            f"{text!r} is longer than the limit of {MAX_EXPIRE_AFTER_DAYS:,} days",
            "to reuse a run however old it is, leave ExpireAfter out",
        )
    return None


def is_expire_after(text: object) -> bool:
    """Whether ``text`` is a cache ``ExpireAfter`` the service accepts (see ``parse_expire_after``).

    Example::

        is_expire_after("P30D"), is_expire_after("30 days")  # True, False
    """
    return isinstance(text, str) and expire_after_problem(text) is None


def parse_expire_after(text: str) -> dt.timedelta:
    """A cache ``ExpireAfter``: ISO 8601 (``P30D``, ``PT1H``) or the docs' P-less form (``30d``).

    Months count as 30 days and years as 365. At most ``MAX_EXPIRE_AFTER_DAYS`` days.

    Example::

        parse_expire_after("P1DT12H")  # timedelta(days=1, hours=12)
    """
    problem = expire_after_problem(text)
    match = _match_expire_after(text)
    if problem is not None or match is None:
        message, hint = problem or ("", "")
        raise ValueError(f"ExpireAfter {message} ({hint})")
    return dt.timedelta(seconds=_expire_after_seconds(match))


@dataclass(frozen=True, slots=True)
class _RetryPolicy:
    interval_seconds: int = 1
    backoff_rate: float = 2.0
    max_attempts: int | None = None
    expire_after_mins: int | None = None

    def _exception_values(self) -> list[str]:
        raise NotImplementedError

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render one ``RetryPolicies`` entry."""
        return compact(
            BackoffRate=float(self.backoff_rate),
            IntervalSeconds=self.interval_seconds,
            MaxAttempts=self.max_attempts,
            ExpireAfterMin=self.expire_after_mins,
            ExceptionType=self._exception_values(),
        )


@checked
@dataclass(frozen=True, slots=True)
class StepRetryPolicy(_RetryPolicy):
    """Retry a step on service faults or throttling.

    Set ``max_attempts`` (≤ 20) or ``expire_after_mins`` (≤ 14400), not both; 0 means
    "never retry" (the developer guide's wording), which turns off the default retries.

    Example::

        StepRetryPolicy(exception_types=[StepExceptionType.SERVICE_FAULT,
                                         StepExceptionType.THROTTLING], max_attempts=3)
    """

    exception_types: Sequence[StepExceptionType] = (
        StepExceptionType.SERVICE_FAULT,
        StepExceptionType.THROTTLING,
    )

    def _exception_values(self) -> list[str]:
        return [item.value for item in self.exception_types]


@checked
@dataclass(frozen=True, slots=True)
class SageMakerJobStepRetryPolicy(_RetryPolicy):
    """Retry the SageMaker job of a job step on capacity, limit or internal errors.

    Example::

        SageMakerJobStepRetryPolicy(
            exception_types=[SageMakerJobExceptionType.CAPACITY_ERROR], expire_after_mins=60)
    """

    exception_types: Sequence[SageMakerJobExceptionType] = (
        SageMakerJobExceptionType.CAPACITY_ERROR,
    )

    def _exception_values(self) -> list[str]:
        return [item.value for item in self.exception_types]


RetryPolicy = StepRetryPolicy | SageMakerJobStepRetryPolicy
