"""Per-environment settings of the reference app, read from ``cdk.json`` context.

Example ``cdk.json``::

    "environments": {
      "dev": {"account": "111122223333", "region": "eu-west-1",
              "training_instance_type": "ml.m5.large", "retain_data": false}
    }
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from cdk_sagemaker_pipelines.cdk import schedule_expression_problem
from cdk_sagemaker_pipelines.definition import (
    did_you_mean,
    framework_image,
    instance_types,
    one_of,
)
from example_project.pipeline import INSTANCE_TYPES, SKLEARN_VERSION


class ConfigError(ValueError):
    """The ``environments`` context is wrong; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class EnvironmentConfig:
    """One deployment environment (dev, staging, prod, …).

    Example::

        EnvironmentConfig(name="prod", account="111122223333", region="eu-west-1",
                          retain_data=True, schedule="cron(0 6 ? * * *)")
    """

    name: str
    account: str | None = None
    region: str | None = None
    retain_data: bool = True
    training_instance_type: str = "ml.m5.large"
    processing_instance_type: str = "ml.m5.large"
    accuracy_threshold: float = 0.9
    execution_output_retention_days: int = 90
    schedule: str | None = None
    registry_reader_accounts: tuple[str, ...] = field(default_factory=tuple)
    require_network_isolation: bool = False
    alarm_email: str | None = None


_NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
# EventBridge Scheduler: rate(<positive integer> <unit>), or cron with six fields
# (minutes hours day-of-month month day-of-week year), one of the two days being '?'.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_KEYS = [f.name for f in fields(EnvironmentConfig) if f.name != "name"]


def _check(name: str, key: str, value: Any) -> str | None:
    """Return a problem with one setting, or None."""
    if key in ("account",) and value is not None:
        return (
            None
            if isinstance(value, str) and _ACCOUNT.fullmatch(value)
            else "a 12-digit account id"
        )
    if key == "region" and value is not None:
        if not (isinstance(value, str) and _REGION.fullmatch(value)):
            return "a region such as eu-west-1"
        if value not in _image_regions():
            hint = did_you_mean(value, _image_regions())
            return (
                f"a region where the pipeline's sklearn {SKLEARN_VERSION} images are published"
                + (f" ({hint})" if hint else "")
            )
        return None
    if key in ("retain_data", "require_network_isolation"):
        return None if isinstance(value, bool) else "true or false"
    if key in ("training_instance_type", "processing_instance_type"):
        enum = instance_types("training" if key.startswith("training") else "processing")
        if value not in enum:
            hint = did_you_mean(str(value), enum)
            return "a SageMaker instance type such as ml.m5.large" + (f" ({hint})" if hint else "")
        if value not in INSTANCE_TYPES:
            # The pipeline's instance type parameters only take these (their enum_values):
            # any other default would fail synth deep inside the Pipeline construct.
            return (
                f"one of the pipeline's instance types {one_of(INSTANCE_TYPES)} (add others "
                "to INSTANCE_TYPES in example_project/pipeline.py)"
            )
        return None
    if key == "accuracy_threshold":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
        if ok:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 10 <= value <= 100:
            # Likely a percentage; the threshold is compared with an accuracy between 0 and 1.
            return f"a number between 0 and 1 (did you mean {value / 100:g}?)"
        return "a number between 0 and 1"
    if key == "execution_output_retention_days":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        return None if ok else "a whole number of days (at least 1)"
    if key == "schedule" and value is not None:
        return (
            None
            if isinstance(value, str) and _valid_schedule(value)
            else "rate(<n> minutes|hours|days), cron(<minutes> <hours> <day-of-month> <month> "
            "<day-of-week> <year>) with '?' as one of the two days, or null"
        )
    if key == "registry_reader_accounts":
        ok = isinstance(value, list) and all(
            isinstance(v, str) and _ACCOUNT.fullmatch(v) for v in value
        )
        return None if ok else "a list of 12-digit account ids"
    if key == "alarm_email" and value is not None:
        return (
            None
            if isinstance(value, str) and _EMAIL.fullmatch(value)
            else "an email address, or null"
        )
    return None


@cache
def _image_regions() -> frozenset[str]:
    """The regions where every image the example pipeline uses is published."""
    training = framework_image("sklearn", SKLEARN_VERSION, scope="training").accounts
    inference = framework_image("sklearn", SKLEARN_VERSION, scope="inference").accounts
    return frozenset(training) & frozenset(inference)


def _valid_schedule(expression: str) -> bool:
    # The same check PipelineSchedule makes (field ranges included), without one-time at().
    return not expression.startswith("at(") and schedule_expression_problem(expression) is None


def _rename_hint(name: str, context: Mapping[str, Any]) -> str:
    lowered = name.lower()
    if not _NAME.fullmatch(lowered):
        return ""
    if lowered in context:
        # Stage ids, stack names and resource names would differ only in case, if at all.
        return f" (it differs only in case from environment {lowered!r}: merge or rename it)"
    return f" (rename it {lowered!r})"


class _JsonObject(dict[str, Any]):
    """A parsed JSON object that remembers the keys its text gave more than once."""

    duplicate_keys: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    parsed = _JsonObject(pairs)
    keys = [key for key, _ in pairs]
    parsed.duplicate_keys = list(dict.fromkeys(key for key in keys if keys.count(key) > 1))
    return parsed


def cdk_json_problems(text: str) -> list[str]:
    """Environments or settings given twice in ``cdk.json``'s text.

    JSON parsers keep the last of duplicate keys without a word, so a block copied to make
    a new environment and left with its old name would silently replace the original.
    """
    try:
        data = json.loads(text, object_pairs_hook=_json_object)
    except ValueError:
        return []  # not JSON: the CDK CLI reports that itself
    context = data.get("context") if isinstance(data, _JsonObject) else None
    environments = context.get("environments") if isinstance(context, _JsonObject) else None
    if not isinstance(environments, _JsonObject):
        return []
    problems = [
        f"environment '{name}' is defined twice in cdk.json; only the last definition would "
        "be used: rename or remove the other"
        for name in environments.duplicate_keys
    ]
    for name, settings in environments.items():
        if isinstance(settings, _JsonObject):
            problems += [
                f"environment '{name}' setting '{key}' is given twice in cdk.json; only the "
                "last value would be used: remove the other"
                for key in settings.duplicate_keys
            ]
    return problems


def load_environments(context: Any) -> dict[str, EnvironmentConfig]:
    """Validate the ``environments`` context; raise ``ConfigError`` listing every problem."""
    if not isinstance(context, Mapping) or not context:
        raise ConfigError(
            "cdk.json context 'environments' must map environment names (dev, staging, prod, …) "
            f"to settings; valid settings: {', '.join(_KEYS)}"
        )
    problems: list[str] = []
    configs: dict[str, EnvironmentConfig] = {}
    for name, settings in context.items():
        if not _NAME.fullmatch(str(name)):
            problems.append(
                f"environment name {name!r}: lowercase letters, digits and '-', at most 20"
                + _rename_hint(str(name), context)
            )
            continue
        if not isinstance(settings, Mapping):
            problems.append(f"environment '{name}': expected an object of settings")
            continue
        for key, value in settings.items():
            if key not in _KEYS:
                hint = did_you_mean(key, _KEYS)
                problems.append(
                    f"environment '{name}': unknown setting '{key}'"
                    + (f" ({hint})" if hint else "")
                    + f"; valid settings: {', '.join(_KEYS)}"
                )
                continue
            expected = _check(name, key, value)
            if expected is not None:
                problems.append(
                    f"environment '{name}' setting '{key}': expected {expected}, got {value!r}"
                )
        readers = settings.get("registry_reader_accounts")
        if isinstance(readers, list) and settings.get("account") in readers:
            problems.append(
                f"environment '{name}' setting 'registry_reader_accounts': "
                f"{settings['account']} is the environment's own account, which owns the "
                "registry already; list only other accounts"
            )
        if not any(p.startswith(f"environment '{name}'") for p in problems):
            values = {k: v for k, v in settings.items() if k in _KEYS}
            if "registry_reader_accounts" in values:
                values["registry_reader_accounts"] = tuple(values["registry_reader_accounts"])
            configs[str(name)] = EnvironmentConfig(name=str(name), **values)
    if problems:
        raise ConfigError(
            "invalid cdk.json 'environments':\n" + "\n".join(f"- {p}" for p in problems)
        )
    return configs
