"""Per-environment settings of the reference app, read from ``cdk.json`` context.

Example ``cdk.json``::

    "environments": {
      "dev": {"account": "111122223333", "region": "eu-west-1",
              "training_instance_type": "ml.m5.large", "retain_data": false}
    },
    "model_package_arn:dev":
      "arn:aws:sagemaker:eu-west-1:111122223333:model-package/dev-breast-cancer-classifier/3"

The approved version an environment serves is a context key of its own per environment,
``model_package_arn:<environment>``, outside ``environments``: CI passes it with
``cdk deploy "dev/*" -c model_package_arn:dev=arn:…``, and the CLI gives a ``-c`` value as
text, which can't set a key inside ``environments``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from typing import Any

from cdk_sagemaker_pipelines.cdk import schedule_expression_problem
from cdk_sagemaker_pipelines.cdk.endpoint import version_arn_parts
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

    ``model_package_arn`` is the approved version the environment's endpoint serves (on
    ``endpoint_instance_type``), None for no endpoint: ``load_environments`` reads it from
    the context key ``model_package_arn:<name>``, not from the environment's settings.
    ``model_source`` names another environment (of another account, in the same region)
    whose versions the endpoint serves instead of its own: prod deploys what dev registered
    and someone approved there (``"model_source": "dev"``). ``data_quality_monitor``
    False deploys the endpoint without its data quality monitor: a version registered
    before the upgrade records no ``DriftCheckBaselines`` for the monitor to read.
    ``serves_endpoint`` declares whether the environment serves an endpoint: True requires
    a ``model_package_arn`` (a deploy without one would delete the endpoint), False
    refuses one (the endpoint is deleted on purpose), None (not declared) takes either and
    warns when a version is served.
    ``accuracy_threshold`` is the default of the run parameter ``AccuracyThreshold``, which
    whoever may start a run may set; ``accuracy_floor`` (None: ``accuracy_threshold``) is
    what a registered model must reach whatever the run says, a literal of the definition.
    ``trains`` False deploys no pipeline, registry, trigger or schedule: the environment
    only serves versions of its ``model_source`` (which it then requires), and takes none
    of the ``TRAINING_SETTINGS``. ``approvers`` are the ARNs of the roles (of the
    environment's account) that may approve versions in its registry
    (``ModelRegistry.grant_approve``).
    """

    name: str
    account: str | None = None
    region: str | None = None
    retain_data: bool = True
    training_instance_type: str = "ml.m5.large"
    processing_instance_type: str = "ml.m5.large"
    accuracy_threshold: float = 0.9
    accuracy_floor: float | None = None
    execution_output_retention_days: int = 90
    schedule: str | None = None
    registry_reader_accounts: tuple[str, ...] = field(default_factory=tuple)
    require_network_isolation: bool = False
    alarm_email: str | None = None
    endpoint_instance_type: str = "ml.m5.large"
    model_source: str | None = None
    data_quality_monitor: bool = True
    serves_endpoint: bool | None = None
    trains: bool = True
    approvers: tuple[str, ...] = field(default_factory=tuple)
    model_package_arn: str | None = None

    @property
    def minimum_accuracy(self) -> float:
        """The accuracy floor no run's ``AccuracyThreshold`` lowers: ``accuracy_floor``, if set."""
        return self.accuracy_threshold if self.accuracy_floor is None else self.accuracy_floor

    @property
    def model_package_group_name(self) -> str:
        """The environment's model package group: the registry its pipeline registers in."""
        return f"{self.name}-breast-cancer-classifier"

    @property
    def artifact_bucket_name(self) -> str:
        """The artifact bucket's physical name, for an environment that is a ``model_source``.

        Computed from the environment alone, so that the environment serving its versions
        names the bucket at synth (CloudFormation would otherwise name it at deploy, and
        another account's stack can't refer to it). At most 58 characters: S3 takes 63.
        """
        return f"{self.name}-artifacts-{self.account}-{self.region}"


_NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
# EventBridge Scheduler: rate(<positive integer> <unit>), or cron with six fields
# (minutes hours day-of-month month day-of-week year), one of the two days being '?'.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MODEL_PACKAGE_ARN = "model_package_arn"
SERVES = "serves_endpoint"
# The warning of an environment serving a version without declaring serves_endpoint: the
# reference app's own id, not the library's (cdk-sagemaker-pipelines:…).
SERVES_ENDPOINT_NOT_DECLARED = "reference-app:serves-endpoint-not-declared"
# The warning of an environment that doesn't train, with retain_data, and no alarm_email.
NO_ALARM_EMAIL = "reference-app:no-alarm-email"
_KEYS = [f.name for f in fields(EnvironmentConfig) if f.name not in ("name", MODEL_PACKAGE_ARN)]
TRAINS = "trains"
# The settings of what an environment that trains deploys (its pipeline, registry and
# schedule): an environment with "trains": false, which deploys none of them, refuses them
# rather than ignore them (its cdk.json would say it trains on ml.m5.2xlarge daily).
TRAINING_SETTINGS = (
    "training_instance_type",
    "processing_instance_type",
    "accuracy_threshold",
    "accuracy_floor",
    "schedule",
    "registry_reader_accounts",
    "approvers",
)
# An IAM role's ARN: partition, account, an optional path, the name (IAM's characters).
_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")
_VERSION_ARN_SHAPE = "arn:aws:sagemaker:<region>:<account>:model-package/{group}/<version>"


# The commit (and repository) the app is synthesized from, given at synth: `cdk synth -c
# source_commit=$(git rev-parse HEAD)`, or the delivery pipeline's Synth step.
SOURCE_COMMIT = "source_commit"
SOURCE_REPOSITORY = "source_repository"
# A git object name: SHA-1 (40) or SHA-256 (64) hex digits, or an abbreviation of 7 or more.
_COMMIT = re.compile(r"[0-9a-f]{7,64}")
# A password in any URL's user part, or any user part of an http(s) URL: GitHub (and
# others) take a token alone as the user (https://<token>@github.com/…), and an https
# URL's user is no part of where the code is. An ssh URL's user (git@) is no secret.
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/@]*:[^/@]*@|https?://[^/@]+@", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SourceRevision:
    """The commit and repository the app is deployed from, recorded with each version.

    The pipeline's ``RegisterModel`` writes them into the version's ``MetadataProperties``
    (``CommitId``, ``Repository``); None leaves that field out, so a synth without them (a
    test, a laptop) gives the same templates every time.

    Example::

        SourceRevision(commit="3e1d67d", repository="https://github.com/acme/ml-platform")
    """

    commit: str | None = None
    repository: str | None = None


def source_revision(context: Mapping[str, Any]) -> SourceRevision:
    """The ``source_commit`` and ``source_repository`` context keys; ``ConfigError`` if wrong.

    Absent keys record nothing. A given but empty commit fails rather than recording none:
    it is a CI variable that wasn't set, and the versions would say nothing of their code.

    Example::

        source = source_revision(app.node.get_all_context())
    """
    problems: list[str] = []
    known = (SOURCE_COMMIT, SOURCE_REPOSITORY)
    for key in context:
        # A misspelt key would record nothing without a word.
        if key.startswith("source_") and key not in known:
            problems.append(
                f"unknown context key '{key}' (the source's keys: {SOURCE_COMMIT}, "
                f"{SOURCE_REPOSITORY})"
            )
    commit, repository = context.get(SOURCE_COMMIT), context.get(SOURCE_REPOSITORY)
    if commit is not None and not (isinstance(commit, str) and _COMMIT.fullmatch(commit)):
        problems.append(
            f"setting '{SOURCE_COMMIT}': expected a commit id (7 to 64 lowercase hex digits, "
            f"git rev-parse HEAD), got {commit!r}"
            + (": is the variable CI passes it from set?" if commit == "" else "")
        )
    if repository is not None and not (
        isinstance(repository, str) and repository and not any(c.isspace() for c in repository)
    ):
        problems.append(
            f"setting '{SOURCE_REPOSITORY}': expected the repository's URL, got {repository!r}"
        )
    elif isinstance(repository, str) and _URL_PASSWORD.match(repository):
        # A clone URL with a token in it (https://user:token@host/…): every version would
        # record the token, readable by whoever may describe it.
        problems.append(
            f"setting '{SOURCE_REPOSITORY}': the URL holds a password or token "
            "(https://user:…@host): give the URL without it"
        )
    _raise_for([], problems, "context")
    return SourceRevision(commit=commit, repository=repository)


def model_package_arn_key(environment: str) -> str:
    """The context key naming the version an environment serves: ``model_package_arn:dev``."""
    return f"{MODEL_PACKAGE_ARN}:{environment}"


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
    if key in ("retain_data", "require_network_isolation", "data_quality_monitor", TRAINS):
        return None if isinstance(value, bool) else "true or false"
    if key == SERVES and value is not None:  # null: not declared, as when left out
        return None if isinstance(value, bool) else "true, false or null"
    if key == "endpoint_instance_type":
        enum = instance_types("endpoint")
        if value in enum:
            return None
        hint = did_you_mean(str(value), enum)
        return "an instance type of SageMaker real-time endpoints such as ml.m5.large" + (
            f" ({hint})" if hint else ""
        )
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
    if key == "accuracy_floor" and value is None:
        return None  # the environment's accuracy_threshold
    if key in ("accuracy_threshold", "accuracy_floor"):
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
    if key == "approvers":
        ok = isinstance(value, list) and all(
            isinstance(v, str) and _ROLE_ARN.fullmatch(v) for v in value
        )
        return (
            None
            if ok
            else "a list of IAM role ARNs such as arn:aws:iam::111122223333:role/ml-approvers"
        )
    if key == "model_source" and value is not None:
        return None if isinstance(value, str) else "the name of another environment, or null"
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
    # Spaces, underscores and dots as '-' ('my dev', 'team_a'): the name it is most likely
    # meant as, since stage ids, stack names and resource names take no other separator.
    lowered = re.sub(r"[\s_.]+", "-", name.strip().lower())
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


def load_environments(
    environments: Any, context: Mapping[str, Any] | None = None
) -> dict[str, EnvironmentConfig]:
    """Validate the ``environments`` context; raise ``ConfigError`` listing every problem.

    ``context`` is the app's whole context (``app.node.get_all_context()``), where each
    environment's ``model_package_arn:<name>`` key is read: the version its endpoint serves.
    """
    if not isinstance(environments, Mapping) or not environments:
        raise ConfigError(
            "cdk.json context 'environments' must map environment names (dev, staging, prod, …) "
            f"to settings; valid settings: {', '.join(_KEYS)}"
        )
    problems: list[str] = []
    configs: dict[str, EnvironmentConfig] = {}
    for name, settings in environments.items():
        if not _NAME.fullmatch(str(name)):
            problems.append(
                f"environment name {name!r}: lowercase letters, digits and '-', at most 20"
                + _rename_hint(str(name), environments)
            )
            continue
        if not isinstance(settings, Mapping):
            problems.append(f"environment '{name}': expected an object of settings")
            continue
        for key, value in settings.items():
            if key == MODEL_PACKAGE_ARN:
                problems.append(
                    f"environment '{name}': '{key}' is not a setting under 'environments': give "
                    f"it as the context key '{model_package_arn_key(name)}' (in cdk.json's "
                    f"context, or cdk deploy -c {model_package_arn_key(name)}=arn:…)"
                )
                continue
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
        problems += _approver_problems(str(name), settings)
        if not any(p.startswith(f"environment '{name}'") for p in problems):
            values = {k: v for k, v in settings.items() if k in _KEYS}
            for listed in ("registry_reader_accounts", "approvers"):
                if listed in values:
                    values[listed] = tuple(values[listed])
            config = configs[str(name)] = EnvironmentConfig(name=str(name), **values)
            problems += _serving_only_problems(config, [k for k in settings if k in _KEYS])
            if config.trains and config.minimum_accuracy > config.accuracy_threshold:
                # The parameter's default would never be the bar: a run without it would
                # be gated by a number no setting gives as its default.
                problems.append(
                    f"environment '{name}' setting 'accuracy_floor': {config.minimum_accuracy!r} "
                    f"is above 'accuracy_threshold' ({config.accuracy_threshold!r}), the "
                    "AccuracyThreshold parameter's default, which would then gate no run: "
                    "raise 'accuracy_threshold' to at least the floor"
                )
    problems += _model_source_problems(configs)
    context_problems = _model_package_arn_problems(environments, context or {}, configs)
    _raise_for(problems, context_problems, "cdk.json 'environments'")
    return configs


def _approver_problems(name: str, settings: Mapping[str, Any]) -> list[str]:
    """Approvers of another account than the environment's, or given twice.

    The registry is the environment's: an identity policy of its account grants approval
    to roles of that account only (another account's would need the group's policy).
    """
    approvers, account = settings.get("approvers"), settings.get("account")
    if not isinstance(approvers, list) or _check(name, "approvers", approvers) is not None:
        return []  # reported as a wrong value
    prefix = f"environment '{name}' setting 'approvers'"
    problems = [
        f"{prefix}: {arn} is a role of account {of}, not of the environment's, {account}: "
        "approval is granted in the registry's account, to its roles"
        for arn in approvers
        if isinstance(account, str) and (of := _role_account(arn)) != account
    ]
    problems += [
        f"{prefix}: {arn} is given twice"
        for arn in dict.fromkeys(arn for arn in approvers if approvers.count(arn) > 1)
    ]
    return problems


def _role_account(arn: str) -> str:
    """The account of a role's ARN (checked by ``_check``)."""
    match = _ROLE_ARN.fullmatch(arn)
    assert match is not None
    return match[1]


def _serving_only_problems(config: EnvironmentConfig, given: Sequence[str]) -> list[str]:
    """An environment that doesn't train: it needs a ``model_source``, takes no training setting.

    ``given``: the environment's settings (those in its ``cdk.json`` block).
    """
    if config.trains:
        return []
    name, source = config.name, config.model_source
    problems = []
    if source is None:
        problems.append(
            f"environment '{name}' setting '{TRAINS}': false, but no 'model_source' names the "
            "environment whose versions it serves (it registers none of its own): name it, "
            f"or set '{TRAINS}' true"
        )
    for key in (key for key in TRAINING_SETTINGS if key in given):
        where = (
            f" (the versions it serves are in the registry of '{source}': set it there)"
            if key in ("registry_reader_accounts", "approvers") and source
            else ""
        )
        problems.append(
            f"environment '{name}' setting '{key}': only for an environment that trains, and "
            f"'{TRAINS}' is false (no pipeline, registry or schedule){where}: remove it"
        )
    return problems


def _raise_for(problems: list[str], context_problems: list[str], environments: str) -> None:
    """Raise ``ConfigError`` listing the problems, if any."""
    if problems or context_problems:
        sections = []
        if problems:
            sections.append(f"invalid {environments}:\n" + "\n".join(f"- {p}" for p in problems))
        if context_problems:
            sections.append(
                "invalid context (cdk.json's 'context', or cdk -c key=value):\n"
                + "\n".join(f"- {p}" for p in context_problems)
            )
        raise ConfigError("\n".join(sections))


def _model_package_arn_problems(
    environments: Mapping[str, Any],
    context: Mapping[str, Any],
    configs: dict[str, EnvironmentConfig],
) -> list[str]:
    """Check each ``model_package_arn:<environment>`` key; set the configs' versions.

    Sets ``model_package_arn`` on the environments in ``configs`` whose key is valid.
    """
    problems: list[str] = []
    names = [str(name) for name in environments]
    prefix = f"{MODEL_PACKAGE_ARN}:"
    for key in context:
        environment = key[len(prefix) :] if key.startswith(prefix) else None
        if environment is not None and environment not in names:
            hint = did_you_mean(environment, names)
            problems.append(
                f"setting '{key}': no environment '{environment}' in cdk.json 'environments'"
                + (f" ({hint})" if hint else f" (environments: {', '.join(names)})")
            )
    for name in names:
        key = model_package_arn_key(name)
        value = context.get(key)
        config = configs.get(name)
        declared = config.serves_endpoint if config is not None else None
        if value is None and declared:
            # Without the key the stack has no endpoint, and CloudFormation would delete
            # the deployed one: a `-c` value holds for one deploy only.
            problems.append(
                f"environment '{name}' setting '{SERVES}': true, but no '{key}' names the "
                f"version it serves (without it, a deploy of {name} deletes its endpoint; the "
                "app synthesizes every environment, so this stops a deploy of any of them): "
                f"commit it in cdk.json's context (or give -c {key}=arn:… to every deploy of "
                f"the app), or set '{SERVES}' false to delete the endpoint on purpose"
            )
        if value is None:
            continue  # no endpoint in this environment
        if declared is False:
            problems.append(
                f"setting '{key}': environment '{name}' sets '{SERVES}' false (no endpoint): "
                f"set it true to serve this version, or leave '{key}' out"
            )
            continue
        # An environment with a model_source serves the source's versions: of its group,
        # in its account.
        served = configs.get(config.model_source) if config and config.model_source else config
        group = (served or EnvironmentConfig(name=name)).model_package_group_name
        whose = f"source environment {served.name}'s" if served is not config and served else None
        expected = _arn_problem(value, group, served, whose or "environment's")
        if expected is not None:
            problems.append(f"setting '{key}': expected {expected}, got {value!r}")
        elif config is not None:
            configs[name] = replace(config, model_package_arn=value)
    return problems


def _arn_problem(
    value: object, group: str, config: EnvironmentConfig | None, whose: str = "environment's"
) -> str | None:
    """What a version's ARN must be for an environment to serve it, or None."""
    parts = version_arn_parts(value)
    shape = _VERSION_ARN_SHAPE.format(group=group)
    if parts is None:
        return f"the ARN of a registered model version, {shape}"
    if parts["group"] != group:
        return f"a version of the {whose} model package group, {shape}"
    for part in ("region", "account"):
        pinned = getattr(config, part, None)
        if pinned is not None and parts[part] != pinned:
            return f"a version of the {whose} {part}, {pinned}"
    return None


def _model_source_problems(configs: Mapping[str, EnvironmentConfig]) -> list[str]:
    """Problems with each ``model_source``: the environment whose versions another serves.

    The source shares its registry and ``models/`` with the target's account, and the
    target names the source's bucket and key by the source's account and region: both
    must be known, the accounts differ (the grant names the source account's keys, which
    only the source's key policy narrows), and the regions match (a KMS key works in its
    own region only).
    """
    problems = []
    for name, config in configs.items():
        source_name = config.model_source
        if source_name is None:
            continue
        prefix = f"environment '{name}' setting 'model_source'"
        source = configs.get(source_name)
        cycle = _source_cycle(name, configs)
        if source_name == name:
            problems.append(f"{prefix}: {name!r} is the environment itself; name another one")
        elif cycle:
            # app.py creates a source's stage before its target's: a cycle has no first one.
            problems.append(
                f"{prefix}: its sources lead back to it ({' -> '.join(cycle)}); the first "
                "environment registers its own versions (no model_source)"
            )
        elif source is None:
            others = [other for other in configs if other != name]
            hint = did_you_mean(source_name, others)
            problems.append(
                f"{prefix}: no environment {source_name!r} in cdk.json 'environments'"
                + (
                    f" ({hint})"
                    if hint
                    else f" (environments: {', '.join(others)})"
                    if others
                    else f" ({name!r} is the only environment)"
                )
            )
        elif not source.trains:
            # It has no registry: the versions it serves are its own source's.
            problems.append(
                f"{prefix}: {source_name!r} doesn't train ('{TRAINS}' false) and registers no "
                "versions: name the environment that trains them"
                + (f" ({source.model_source!r})" if source.model_source else "")
            )
        else:
            missing = [
                f"'{each.name}' has no {part}"
                for each in (config, source)
                for part in ("account", "region")
                if getattr(each, part) is None
            ]
            if missing:
                problems.append(
                    f"{prefix}: {'; '.join(missing)}: the source's bucket and key are named "
                    "by its account and region, and shared with the target's account"
                )
            elif source.region != config.region:
                problems.append(
                    f"{prefix}: {source_name!r} is in region {source.region}, {name!r} in "
                    f"{config.region}: a KMS key works in its own region only, so the "
                    "endpoint can't decrypt the source's models; serve versions of a source "
                    "in the same region"
                )
            elif (refused := _bucket_name_problem(source.artifact_bucket_name)) is not None:
                problems.append(
                    f"{prefix}: {source_name!r} names its artifact bucket "
                    f"{source.artifact_bucket_name!r}, which S3 refuses ({refused}): rename "
                    "the source environment"
                )
            elif source.account == config.account:
                problems.append(
                    f"{prefix}: {source_name!r} is in the same account, {config.account}: a "
                    "model source is another account's (one account's environments would be "
                    "granted every key of the account that its policy delegates to IAM)"
                )
    return problems


def _source_cycle(name: str, configs: Mapping[str, EnvironmentConfig]) -> list[str] | None:
    """The environments from ``name`` along its model sources back to it, if they do."""
    path = [name]
    current = configs[name].model_source
    while current is not None and current in configs and current not in path:
        path.append(current)
        current = configs[current].model_source
    return [*path, name] if current == name and len(path) > 1 else None


# "General purpose bucket naming rules": the prefixes S3 reserves. The computed name meets
# the other rules: an environment's name is at most 20 lowercase letters, digits and
# hyphens, and the name ends with the region (at most 58 characters, of 63).
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")


def _bucket_name_problem(bucket: str) -> str | None:
    """Why S3 refuses the computed bucket name ``bucket``, or None."""
    for prefix in _RESERVED_BUCKET_PREFIXES:
        if bucket.startswith(prefix):
            return f"a bucket name can't start with {prefix!r}"
    return None
