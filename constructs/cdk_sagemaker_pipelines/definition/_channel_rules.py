"""Rules of training channels that read a file system, and of heterogeneous clusters.

The language applies the value rules when a ``FileSystemInput`` is built; the validator
applies the job rules (a VPC, no Pipe mode on EFS) to any compiled definition, where the
job's network is known (a binder may supply it). ``instance_group_problems`` holds the
rules of ``ResourceConfig.InstanceGroups`` and the channels' ``InstanceGroupNames``, which
``TrainingStep`` applies when it is built; ``instance_settings_problems`` those between the
ways a job names its instances (a type and count, groups, preferences).
``compile_metric_regex`` reads a ``MetricDefinitions`` regex for both the validator and the
local runner.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import _distribution_names as _names
from ._shape_check import is_expression, misspells
from ._suggest import did_you_mean
from ._tokens import is_token

# The API's FileSystemDataSource members (botocore's FileSystemType, FileSystemAccessMode,
# FileSystemId and DirectoryPath shapes).
FILE_SYSTEM_TYPES = ("EFS", "FSxLustre")
FILE_SYSTEM_ACCESS_MODES = ("ro", "rw")
FILE_SYSTEM_ID = re.compile(r"fs-[0-9a-f]{8,}")
FILE_SYSTEM_ID_LENGTH = (11, 21)
MAX_DIRECTORY_PATH = 4096
# The hyperparameter naming the instance group a heterogeneous cluster's distributed training
# runs in, and those that switch on the SDK's ``distribution=`` strategies: the names live in
# ``_distribution_names`` (``Distribution`` writes them).
DISTRIBUTION_GROUPS = _names.DISTRIBUTION_GROUPS
DISTRIBUTION_SWITCHES = _names.DISTRIBUTION_SWITCHES


@dataclass(frozen=True, slots=True)
class FileSystemChannel:
    """A channel of a training job whose ``DataSource`` is a ``FileSystemDataSource``.

    ``index`` is its position in ``InputDataConfig``; ``name``, ``file_system_type`` and
    ``file_system_id`` are None when not literal.

    Example::

        FileSystemChannel(0, "train", "EFS", "fs-0123456789abcdef0").label
        # "channel 'train' (EFS fs-0123456789abcdef0)"
    """

    index: int
    name: str | None
    file_system_type: str | None
    file_system_id: str | None

    @property
    def label(self) -> str:
        """The channel as a message names it."""
        named = f"channel '{self.name}'" if self.name else f"channel {self.index}"
        what = " ".join(part for part in (self.file_system_type, self.file_system_id) if part)
        return f"{named} ({what or 'a file system'})"


@dataclass(frozen=True, slots=True)
class ChannelProblem:
    """A job rule a file-system channel breaks: ``field`` is relative to the training job.

    Example::

        ChannelProblem("VpcConfig", "…", "…")
    """

    field: str
    message: str
    hint: str


def file_system_channels(job: Mapping[str, Any]) -> list[FileSystemChannel]:
    """The channels of a training job (or a tuning job's definition) that read a file system."""
    found: list[FileSystemChannel] = []
    channels: Any = job.get("InputDataConfig")
    if type(channels) is not list:
        return found
    for index, channel in enumerate(channels):
        source: Any = channel.get("DataSource") if _is_object(channel) else None
        file_system: Any = source.get("FileSystemDataSource") if _is_object(source) else None
        if not _is_object(file_system):
            continue
        found.append(
            FileSystemChannel(
                index,
                _literal(channel.get("ChannelName")),
                _literal(file_system.get("FileSystemType")),
                _literal(file_system.get("FileSystemId")),
            )
        )
    return found


def file_system_channel_problems(job: Mapping[str, Any]) -> list[ChannelProblem]:
    """The job rules a training job's file-system channels break.

    - A VPC: the developer guide ("Access Training Data"): for FSx for Lustre "your training
      job must connect to an Amazon Virtual Private Cloud (VPC)", for EFS "your training job
      must connect to a VPC to access Amazon EFS". The SageMaker SDK doesn't check it; the
      job fails when it runs.
    - No Pipe input mode on EFS: the SDK's "Use File Systems as Training Inputs": "Pipe mode
      is not supported if using EFS as data source".
    """
    channels = file_system_channels(job)
    problems: list[ChannelProblem] = []
    if channels and job.get("VpcConfig") is None:
        labels = ", ".join(channel.label for channel in channels)
        problems.append(
            ChannelProblem(
                "VpcConfig",
                f"{labels} {'reads' if len(channels) == 1 else 'read'} a file system, which "
                "a training job reaches only from inside a VPC, and the job has no VpcConfig",
                "give the step network=NetworkConfig(subnets=[…], security_group_ids=[…]) "
                "with subnets and security groups that reach the file system's mount "
                "targets, or the Pipeline construct vpc= for every job (VpcConfig in JSON)",
            )
        )
    algorithm: Any = job.get("AlgorithmSpecification")
    job_mode: Any = algorithm.get("TrainingInputMode") if _is_object(algorithm) else None
    for channel in channels:
        if channel.file_system_type != "EFS":
            continue
        entry: Any = job["InputDataConfig"][channel.index]
        mode: Any = entry.get("InputMode")
        field = f"InputDataConfig[{channel.index}].InputMode"
        if mode is None:
            mode, field = job_mode, "AlgorithmSpecification.TrainingInputMode"
        if mode == "Pipe":
            problems.append(
                ChannelProblem(
                    field,
                    f"{channel.label} reads an EFS file system, which Pipe input mode can't stream",
                    "use File input mode (input_mode='File' in Python)",
                )
            )
    return problems


# Where a training container finds its channels, and the hyperparameter naming the code
# archive the training toolkit unpacks (``TrainingStep(code=…)`` writes it under the first).
CHANNELS_PATH = "/opt/ml/input/data/"
SUBMIT_DIRECTORY = "sagemaker_submit_directory"


def pipe_code_channel_problems(job: Mapping[str, Any]) -> list[ChannelProblem]:
    """The code archive ``sagemaker_submit_directory`` names in a channel streamed in Pipe mode.

    In Pipe mode SageMaker streams a channel through a named pipe rather than presenting its
    objects as files under ``/opt/ml/input/data/<channel>`` (the API's Channel
    ``InputMode``), so the archive the training toolkit would unpack is never there. A
    channel without ``InputMode`` takes the job's ``TrainingInputMode``.
    """
    hyperparameters: Any = job.get("HyperParameters", job.get("StaticHyperParameters"))
    directory: Any = hyperparameters.get(SUBMIT_DIRECTORY) if _is_object(hyperparameters) else None
    if type(directory) is str and directory.startswith('"'):
        # The SageMaker SDK writes each hyperparameter JSON-encoded ('"/opt/ml/…"').
        try:
            directory = json.loads(directory)
        except ValueError:
            return []
    channels: Any = job.get("InputDataConfig")
    if type(directory) is not str or not directory.startswith(CHANNELS_PATH):
        return []
    if type(channels) is not list:
        return []
    wanted = directory.removeprefix(CHANNELS_PATH).split("/")[0]
    algorithm: Any = job.get("AlgorithmSpecification")
    job_mode: Any = algorithm.get("TrainingInputMode") if _is_object(algorithm) else None
    for index, channel in enumerate(channels):
        if not _is_object(channel) or channel.get("ChannelName") != wanted:
            continue
        mode: Any = channel.get("InputMode")
        field = f"InputDataConfig[{index}].InputMode"
        if mode is None:
            mode, field = job_mode, "AlgorithmSpecification.TrainingInputMode"
        if mode != "Pipe":
            return []
        return [
            ChannelProblem(
                field,
                f"{SUBMIT_DIRECTORY} names {directory!r} in channel '{wanted}', which Pipe "
                "input mode streams through a named pipe: the archive is no file there, and "
                "the training toolkit can't unpack the code",
                f'give channel \'{wanted}\' "InputMode": "File" (TrainingStep(code=…) '
                "does so for a Pipe job)",
            )
        ]
    return []


def instance_group_problems(job: Mapping[str, Any]) -> list[ChannelProblem]:
    """What a training job's heterogeneous cluster and its channels' group names get wrong.

    - ``InstanceGroups`` replaces ``InstanceType`` and ``InstanceCount``: the SageMaker
      guide's "Configure a training job with a heterogeneous cluster" sets ``InstanceGroups``
      instead of them, and the SDK refuses both ("instance_count and instance_type cannot be
      set when instance_groups is set").
    - Each group's name once: channels name groups (``InstanceGroupNames``), and the
      training toolkit keys the groups by name (``SM_INSTANCE_GROUPS_DICT``).
    - A channel's ``InstanceGroupNames`` names groups of the job's ``InstanceGroups``: the
      API's S3DataSource, "A list of names of instance groups that get data from the S3
      data source"; a job without groups (one instance type, or a tuning job's) has none.
    - Each group has instances: a group of none runs nothing, and its channels reach no one.
    - Distributed training names the one group it runs in (``_distribution_problems``).
    """
    member = "ResourceConfig" if "ResourceConfig" in job else "HyperParameterTuningResourceConfig"
    resources: Any = job.get(member)
    groups: Any = resources.get("InstanceGroups") if _is_object(resources) else None
    problems: list[ChannelProblem] = []
    names: list[str] | None = None
    if type(groups) is list and groups:
        both = [key for key in ("InstanceType", "InstanceCount") if key in resources]
        if both:
            problems.append(
                ChannelProblem(
                    f"{member}.InstanceGroups",
                    f"a heterogeneous cluster (InstanceGroups) sets each group's instance type "
                    f"and count, and the job sets {' and '.join(both)} too",
                    f"remove {' and '.join(both)} (instance_type and instance_count in Python: "
                    "give only instance_groups=[InstanceGroup(…), …])",
                )
            )
        names = []
        for index, group in enumerate(groups):
            count: Any = group.get("InstanceCount") if _is_object(group) else None
            if type(count) is int and count == 0:
                # botocore's TrainingInstanceCount starts at 0, but a group of no instances
                # runs nothing and its channels reach no instance.
                label = _literal(group.get("InstanceGroupName"))
                problems.append(
                    ChannelProblem(
                        f"{member}.InstanceGroups[{index}].InstanceCount",
                        f"instance group {repr(label) if label else index} has no instances "
                        "(InstanceCount 0)",
                        "give it at least 1 instance, or leave the group out",
                    )
                )
            name = _literal(group.get("InstanceGroupName")) if _is_object(group) else None
            if name is None:
                names = None  # a group named at run time: any channel's name may be it
                break
            if name in names:
                problems.append(
                    ChannelProblem(
                        f"{member}.InstanceGroups[{index}].InstanceGroupName",
                        f"instance group '{name}' is already {member}.InstanceGroups"
                        f"[{names.index(name)}]",
                        "give each instance group its own name",
                    )
                )
            names.append(name)
    elif type(groups) is list or groups is None:
        names = []
    group_count = len(groups) if type(groups) is list else 0
    problems.extend(_distribution_problems(job, names, group_count))
    channels: Any = job.get("InputDataConfig")
    if names is None or type(channels) is not list:
        return problems
    for index, channel in enumerate(channels):
        source: Any = channel.get("DataSource") if _is_object(channel) else None
        s3: Any = source.get("S3DataSource") if _is_object(source) else None
        wanted: Any = s3.get("InstanceGroupNames") if _is_object(s3) else None
        if type(wanted) is not list:
            continue
        label = _literal(channel.get("ChannelName"))
        named = f"channel '{label}'" if label else f"channel {index}"
        for position, group_name in enumerate(wanted):
            name = _literal(group_name)
            if name is None or name in names:
                continue
            field = f"InputDataConfig[{index}].DataSource.S3DataSource.InstanceGroupNames"
            if names:
                message = (
                    f"{named} goes to instance group '{name}', which is not one of the job's "
                    f"InstanceGroups ({', '.join(repr(known) for known in dict.fromkeys(names))})"
                )
                hint = "name a group of ResourceConfig.InstanceGroups"
            else:
                message = (
                    f"{named} goes to instance group '{name}', but the job runs on one "
                    "instance type: it has no InstanceGroups"
                )
                hint = (
                    "remove InstanceGroupNames (a TrainingInput's instance_groups in Python), "
                    "or give the job InstanceGroups (a TrainingStep's "
                    "instance_groups=[InstanceGroup(…), …])"
                )
            problems.append(ChannelProblem(f"{field}[{position}]", message, hint))
    return problems


def _distribution_problems(
    job: Mapping[str, Any], names: list[str] | None, group_count: int
) -> list[ChannelProblem]:
    """What a job's distributed training gets wrong about its instance groups.

    The SDK's ``validate_distribution`` for an estimator with ``instance_groups``: the
    distribution's ``instance_groups`` (``sagemaker_distribution_instance_groups``) name
    groups of the estimator ("Invalid training instance group"), one only ("Distribution
    should only contain one instance group name !"), and a cluster of several groups must
    name it; without ``instance_groups`` there are none to name ("Instance groups not
    specified in the estimator !"). ``names`` is None when a group is named at run time,
    empty for a job without groups.
    """
    hyperparameters: Any = job.get("HyperParameters", job.get("StaticHyperParameters"))
    if not _is_object(hyperparameters):
        return []
    member = "HyperParameters" if "HyperParameters" in job else "StaticHyperParameters"
    given: Any = hyperparameters.get(DISTRIBUTION_GROUPS)
    field = f"{member}['{DISTRIBUTION_GROUPS}']"
    example = f"{DISTRIBUTION_GROUPS}: '[\"gpu\"]' (a JSON list of one group's name)"
    if given is None:
        switches = [
            switch
            for switch in DISTRIBUTION_SWITCHES
            if str(_literal(hyperparameters.get(switch))).lower() == "true"
        ]
        if group_count < 2 or not switches:
            return []
        return [
            ChannelProblem(
                f"{member}['{switches[0]}']",
                f"distributed training ({switches[0]}) on a heterogeneous cluster of "
                f"{group_count} instance groups runs in one of them, and the job names none",
                f"add the hyperparameter {example}, as the SDK's "
                'distribution={…, "instance_groups": [group]} writes it',
            )
        ]
    if names == [] and group_count == 0:
        return [
            ChannelProblem(
                field,
                "names the instance groups distributed training runs in, but the job has no "
                "InstanceGroups",
                f"remove {DISTRIBUTION_GROUPS}, or give the job InstanceGroups (a "
                "TrainingStep's instance_groups=[InstanceGroup(…), …])",
            )
        ]
    text = _literal(given)
    if text is None:
        return []  # an expression: known at run time
    try:
        wanted: Any = json.loads(text)
    except ValueError:
        wanted = None
    if type(wanted) is not list or not all(type(name) is str for name in wanted):
        return [
            ChannelProblem(
                field,
                f"expected a JSON list of instance group names, got {text[:80]!r}",
                f"give {example}",
            )
        ]
    problems: list[ChannelProblem] = []
    if len(wanted) != 1:
        problems.append(
            ChannelProblem(
                field,
                f"names {len(wanted)} instance groups; distributed training runs in one "
                '(the SDK refuses others: "Distribution should only contain one instance '
                'group name")',
                f"give {example}",
            )
        )
    known_names = names or []  # none known: named at run time, or the job has none
    for name in wanted if known_names else ():
        if name not in known_names:
            known = ", ".join(repr(known) for known in dict.fromkeys(known_names))
            suggestion = did_you_mean(name, known_names)
            problems.append(
                ChannelProblem(
                    field,
                    f"names instance group {name!r}, which is not one of the job's "
                    f"InstanceGroups ({known})",
                    suggestion or "name a group of ResourceConfig.InstanceGroups",
                )
            )
    return problems


def instance_settings_problems(job: Mapping[str, Any], *, tuning: bool) -> list[ChannelProblem]:
    """Whether a training job (or a tuning job's training definition) says what to run on.

    botocore's shapes make every member of ``ResourceConfig`` optional, because the
    instances can be given three ways; its documentation states the rules between them:

    - ``ResourceConfig``: ``InstanceType`` with ``InstanceCount``; or ``InstanceGroups``
      (a heterogeneous cluster, ``instance_group_problems``); or ``InstancePreferences``,
      which "is mutually exclusive with InstanceType, InstanceGroups,
      InstancePlacementConfig, and EnableManagedSpotTraining". With preferences, the count
      is given on every preference or once in ``ResourceConfig``: "SageMaker rejects
      requests that set InstanceCount on only some preferences, that set it both per
      preference and in ResourceConfig, or that omit it in both places"; "an instance type
      can appear only once"; and per-preference ``TrainingPlanArns`` "is mutually exclusive
      with the job-level TrainingPlanArn".
    - A tuning job's training definition has ``ResourceConfig`` or, for instance type
      flexibility, ``HyperParameterTuningResourceConfig``: ``InstanceType`` with
      ``InstanceCount``, or ``InstanceConfigs`` ("If you use InstanceConfigs, do not
      provide values for InstanceType, VolumeSizeInGB or InstanceCount"). That a
      definition may not hold both is not stated ("use HyperParameterTuningResourceConfig
      instead"), so each is judged alone.

    A serverless job (``ServerlessJobConfig``) leaves the instances to SageMaker: what its
    ``ResourceConfig`` must hold is not documented, so its lack of a type or count is not
    judged. A member found missing next to a misspelling of it (``InstanceCounts``) is left
    to the shape check, which reports the misspelling with the name meant.

    Example::

        instance_settings_problems({"ResourceConfig": {"VolumeSizeInGB": 30}}, tuning=False)
        # [ChannelProblem("ResourceConfig", "sets no instance type …", "…")]
    """
    resources: Any = job.get("ResourceConfig")
    flexible: Any = job.get("HyperParameterTuningResourceConfig")
    if tuning and resources is None and flexible is None:
        job_shape = "HyperParameterTrainingJobDefinition"
        if misspells(job, job_shape, ("ResourceConfig", "HyperParameterTuningResourceConfig")):
            return []
        return [
            ChannelProblem(
                "ResourceConfig",
                "the training definition says nothing of the instances its training jobs run on",
                "add ResourceConfig (InstanceType, InstanceCount, VolumeSizeInGB), or "
                "HyperParameterTuningResourceConfig",
            )
        ]
    problems: list[ChannelProblem] = []
    if _is_object(flexible):
        problems += _flexible_tuning_problems(flexible)
    if _is_object(resources):
        serverless = job.get("ServerlessJobConfig") is not None
        problems += _resource_config_problems(resources, job, serverless=serverless)
    return problems


def _present(resources: Mapping[str, Any], member: str) -> bool:
    value = resources.get(member)
    return value is not None and value != []


def _resource_config_problems(
    resources: Mapping[str, Any], job: Mapping[str, Any], *, serverless: bool
) -> list[ChannelProblem]:
    sources = [
        member
        for member in ("InstanceType", "InstanceGroups", "InstancePreferences")
        if _present(resources, member)
    ]
    if not sources:
        if (
            serverless
            or resources.get("InstancePreferences") == []  # the shape check: fewer than 1 item
            or misspells(resources, "ResourceConfig", _INSTANCE_SOURCES)
        ):
            return []
        return [
            ChannelProblem(
                "ResourceConfig",
                "sets no instance type: not InstanceType, InstanceGroups nor InstancePreferences",
                "give InstanceType and InstanceCount (instance_type and instance_count in "
                "Python), or InstanceGroups for a heterogeneous cluster",
            )
        ]
    if sources == ["InstanceType"]:
        count: Any = resources.get("InstanceCount")
        if type(count) is int and count == 0 and not serverless:
            # botocore's TrainingInstanceCount starts at 0 (for the groups of a heterogeneous
            # cluster), but a job of one instance type and no instances has nothing to run on.
            return [
                ChannelProblem(
                    "ResourceConfig.InstanceCount",
                    "is 0: the job has an InstanceType but no instances to run on",
                    "give at least 1 (instance_count in Python; more only for distributed "
                    "training)",
                )
            ]
        if (
            _present(resources, "InstanceCount")
            or serverless
            or misspells(resources, "ResourceConfig", ("InstanceCount",))
        ):
            return []
        return [
            ChannelProblem(
                "ResourceConfig.InstanceCount",
                "is missing: the job has an InstanceType but no number of instances",
                "add InstanceCount (1 unless the training is distributed)",
            )
        ]
    if "InstancePreferences" not in sources:
        return []  # InstanceGroups: instance_group_problems judges it
    problems: list[ChannelProblem] = []
    others = [member for member in sources if member != "InstancePreferences"]
    if _present(resources, "InstancePlacementConfig"):
        others.append("InstancePlacementConfig")
    for member in others:
        problems.append(
            ChannelProblem(
                f"ResourceConfig.{member}",
                f"InstancePreferences and {member} can't be used together",
                f"remove {member}: the preferences name the instance types to try",
            )
        )
    if job.get("EnableManagedSpotTraining") is True:
        problems.append(
            ChannelProblem(
                "EnableManagedSpotTraining",
                "spot training can't be used with ResourceConfig.InstancePreferences",
                "remove EnableManagedSpotTraining, or give one InstanceType instead of preferences",
            )
        )
    preferences: Any = resources.get("InstancePreferences")
    if type(preferences) is not list:
        return problems
    entries = [(index, item) for index, item in enumerate(preferences) if _is_object(item)]
    problems += _preference_count_problems(resources, entries)
    seen: dict[str, int] = {}
    for index, item in entries:
        instance_type = _literal(item.get("InstanceType"))
        if instance_type is None:
            continue
        if instance_type in seen:
            problems.append(
                ChannelProblem(
                    f"ResourceConfig.InstancePreferences[{index}].InstanceType",
                    f"{instance_type} is already preference {seen[instance_type]}",
                    "list each instance type once",
                )
            )
        else:
            seen[instance_type] = index
    if _present(resources, "TrainingPlanArn"):
        planned = [index for index, item in entries if _present(item, "TrainingPlanArns")]
        if planned:
            problems.append(
                ChannelProblem(
                    f"ResourceConfig.InstancePreferences[{planned[0]}].TrainingPlanArns",
                    "is set, and so is ResourceConfig.TrainingPlanArn",
                    "keep one: the preferences' training plans, or the job's",
                )
            )
    return problems


# The members of ResourceConfig that say which instances a job runs on.
_INSTANCE_SOURCES = ("InstanceType", "InstanceGroups", "InstancePreferences")


def _preference_count_problems(
    resources: Mapping[str, Any], entries: list[tuple[int, Mapping[str, Any]]]
) -> list[ChannelProblem]:
    """The count on every preference, or once for the job (a misspelled count is not judged)."""
    counted = [index for index, item in entries if item.get("InstanceCount") is not None]
    misspelled = {
        index
        for index, item in entries
        if index not in counted and misspells(item, "InstancePreference", ("InstanceCount",))
    }
    job_count = _present(resources, "InstanceCount")
    uncounted = [index for index, _ in entries if index not in counted and index not in misspelled]
    if counted and uncounted:
        return [
            ChannelProblem(
                f"ResourceConfig.InstancePreferences[{uncounted[0]}].InstanceCount",
                f"is missing, and preference {counted[0]} has one: set InstanceCount on "
                "every preference or on none",
                "give each preference its InstanceCount, or remove them all and set "
                "ResourceConfig.InstanceCount once",
            )
        ]
    if counted and job_count:
        return [
            ChannelProblem(
                "ResourceConfig.InstanceCount",
                "is set, and so is each preference's InstanceCount",
                "keep one: the preferences' counts, or ResourceConfig.InstanceCount alone",
            )
        ]
    if (
        uncounted
        and not counted
        and not job_count
        and not misspelled
        and not misspells(resources, "ResourceConfig", ("InstanceCount",))
    ):
        return [
            ChannelProblem(
                "ResourceConfig.InstanceCount",
                "is missing, and no preference has an InstanceCount",
                "set ResourceConfig.InstanceCount, or InstanceCount on every preference",
            )
        ]
    return []


def _flexible_tuning_problems(resources: Mapping[str, Any]) -> list[ChannelProblem]:
    field = "HyperParameterTuningResourceConfig"
    if _present(resources, "InstanceConfigs"):
        return [
            ChannelProblem(
                f"{field}.{member}",
                "can't be set with InstanceConfigs: each instance configuration has its own",
                f"remove {member}, or InstanceConfigs for a single configuration",
            )
            for member in ("InstanceType", "InstanceCount", "VolumeSizeInGB")
            if _present(resources, member)
        ]
    missing = [m for m in ("InstanceType", "InstanceCount") if not _present(resources, m)]
    if (
        not missing
        or resources.get("InstanceConfigs") == []  # the shape check: fewer than 1 item
        or misspells(resources, field, (*missing, "InstanceConfigs"))
    ):
        return []
    if missing == ["InstanceCount"]:
        return [
            ChannelProblem(
                f"{field}.InstanceCount",
                "is missing: the training definition has an InstanceType but no number of "
                "instances",
                "add InstanceCount (1 unless the training is distributed)",
            )
        ]
    return [
        ChannelProblem(
            field,
            f"sets no {' and no '.join(missing)}, and no InstanceConfigs",
            "give InstanceType and InstanceCount, or InstanceConfigs for several "
            "instance configurations",
        )
    ]


def _literal(value: Any) -> str | None:
    return value if type(value) is str and not is_token(value) else None


def _is_object(value: Any) -> bool:
    """A JSON object, not an expression (``{"Get": …}``, which is a dict too)."""
    return isinstance(value, Mapping) and not is_expression(value)


def compile_metric_regex(pattern: str) -> re.Pattern[str]:
    """``re.compile`` of a ``MetricDefinitions`` regex, quiet about other dialects' sets.

    Python warns (FutureWarning) that sets such as ``[[:digit:]]`` or ``[a-z&&[^x]]`` may
    change meaning; they aren't the user's to see, and under ``-W error`` the warning ended
    validation or a job in a traceback. Raises ``re.error`` as ``re.compile`` does.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(pattern)
