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

    ``expire_after`` is an ISO 8601 duration such as ``P30D`` or ``PT12H``.

    Example::

        CacheConfig(expire_after="P30D")
    """

    expire_after: str | None = None
    enabled: bool = True

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Enabled": …, "ExpireAfter": …}``."""
        return compact(Enabled=self.enabled, ExpireAfter=self.expire_after)


# A cache ExpireAfter: an ISO 8601 duration (P1Y2M3W4DT5H6M7S, upper-case designators) or the
# P-less form the caching guide also shows ("30d", "T16m"), where designators may be lower-case
# but a bare "m" before "T" would be ambiguous, so months stay upper-case "M".
_EXPIRE_AFTER = re.compile(
    r"(?P<P>P)?(?=\d|T\d)(?:(?P<Y>\d+)[Yy])?(?:(?P<Mo>\d+)M)?(?:(?P<W>\d+)[Ww])?"
    r"(?:(?P<D>\d+)[Dd])?(?:T(?=\d)(?:(?P<H>\d+)[Hh])?(?:(?P<Mi>\d+)[Mm])?(?:(?P<S>\d+)[Ss])?)?"
)


def _match_expire_after(text: str) -> re.Match[str] | None:
    match = _EXPIRE_AFTER.fullmatch(text)
    if match is None or (match.group("P") and not text.isupper()):
        return None
    return match


def is_expire_after(text: object) -> bool:
    """Whether ``text`` is a cache ``ExpireAfter`` the service accepts (see ``parse_expire_after``).

    Example::

        is_expire_after("P30D"), is_expire_after("30 days")  # True, False
    """
    return isinstance(text, str) and _match_expire_after(text) is not None


def parse_expire_after(text: str) -> dt.timedelta:
    """A cache ``ExpireAfter``: ISO 8601 (``P30D``, ``PT1H``) or the docs' P-less form (``30d``).

    Months count as 30 days and years as 365.

    Example::

        parse_expire_after("P1DT12H")  # timedelta(days=1, hours=12)
    """
    match = _match_expire_after(text)
    if match is None:
        raise ValueError(f"ExpireAfter {text!r} is not an ISO 8601 duration such as P30D or PT1H")
    part = {key: int(number or 0) for key, number in match.groupdict().items() if key != "P"}
    return dt.timedelta(
        days=part["Y"] * 365 + part["Mo"] * 30 + part["W"] * 7 + part["D"],
        hours=part["H"],
        minutes=part["Mi"],
        seconds=part["S"],
    )


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
