"""Cache keys (the service's key attributes, code content) and entries (expiry, recency)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition.entries import StepSpec
from cdk_sagemaker_pipelines.definition.retry import is_expire_after
from cdk_sagemaker_pipelines.definition.retry import parse_expire_after as parse_duration
from cdk_sagemaker_pipelines.local.cache import (
    CacheEntry,
    StepCache,
    cache_config,
    cache_key,
    key_attributes,
)

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P30D", dt.timedelta(days=30)),
        ("PT1H", dt.timedelta(hours=1)),
        ("P1DT12H", dt.timedelta(days=1, hours=12)),
        ("P1M", dt.timedelta(days=30)),
        ("P1Y", dt.timedelta(days=365)),
        ("P2W", dt.timedelta(days=14)),
        ("30d", dt.timedelta(days=30)),
        ("T16m", dt.timedelta(minutes=16)),
        ("30dT5h", dt.timedelta(days=30, hours=5)),
        ("PT5S", dt.timedelta(seconds=5)),
        # The SageMaker SDK's CacheConfig docstring examples: 'p30d', 'P4DT12H', 'T12H'.
        ("p30d", dt.timedelta(days=30)),
        ("P4DT12H", dt.timedelta(days=4, hours=12)),
        ("T12H", dt.timedelta(hours=12)),
        ("pt1m", dt.timedelta(minutes=1)),
        ("p1m", dt.timedelta(days=30)),
    ],
)
def test_parse_duration(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "", "P", "PT", "p", "30", "30m", "30dT", " P1D", "p30x"])
def test_fails_on_bad_durations(text: str) -> None:
    # The same rule as the validator's, so the runner never reads a duration it would reject.
    assert not is_expire_after(text)
    with pytest.raises(ValueError, match=f"ExpireAfter {text!r} is not an ISO 8601 duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    "text", ["P99999999999999999999D", "P1000000000D", "PT24000000000H", "P2739727Y"]
)
def test_fails_on_durations_beyond_the_limit_as_the_validator_does(text: str) -> None:
    # Raised OverflowError from timedelta while validation accepted the duration.
    assert not is_expire_after(text)
    with pytest.raises(ValueError, match=f"ExpireAfter {text!r} is longer than the limit of "):
        parse_duration(text)


@pytest.mark.parametrize("text", ["P30D", "30d", "T16m", "30dT5h", "1Y2M3w4D", "PT5S"])
def test_accepted_durations_parse(text: str) -> None:
    assert is_expire_after(text)
    assert parse_duration(text) > dt.timedelta(0)


def spec(kind: str = "Processing", **entry: object) -> StepSpec:
    return StepSpec("Prep", kind, {"Name": "Prep", "Type": kind, **entry})


def test_cache_config_only_for_cacheable_enabled_steps() -> None:
    enabled = {"CacheConfig": {"Enabled": True, "ExpireAfter": "PT1H"}}
    assert cache_config(spec("Processing", **enabled)) == (True, dt.timedelta(hours=1))
    assert cache_config(spec(CacheConfig={"Enabled": False, "ExpireAfter": "PT1H"})) == (
        False,
        None,
    )
    for kind in ("Training", "Tuning", "Transform"):
        assert cache_config(spec(kind, **enabled)) == (True, dt.timedelta(hours=1))
    assert cache_config(spec("Lambda", **enabled)) == (False, None)
    assert cache_config(spec(CacheConfig={"Enabled": True})) == (True, None)


def test_key_ignores_attributes_the_service_ignores() -> None:
    arguments = {
        "AppSpecification": {"ImageUri": "i"},
        "ProcessingInputs": [],
        "ProcessingOutputConfig": {"Outputs": [{"S3Output": {"S3Uri": "s3://b/exec-1"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.large"}},
    }
    moved = dict(arguments, ProcessingOutputConfig={"Outputs": []})
    bigger = dict(
        arguments, ProcessingResources={"ClusterConfig": {"InstanceType": "ml.m5.4xlarge"}}
    )
    key = cache_key("pipe", spec(), arguments, "code")
    assert cache_key("pipe", spec(), moved, "code") == key
    assert cache_key("pipe", spec(), bigger, "code") == key
    assert cache_key("pipe", spec(), dict(arguments, Environment={"A": "1"}), "code") != key
    assert cache_key("pipe", spec(), arguments, "changed code") != key
    assert cache_key("other-pipe", spec(), arguments, "code") != key


# The attributes the service's docs list per step type (pipelines-default-keys).
KEYED = [
    ("Processing", ["AppSpecification", "Environment", "ProcessingInputs"]),
    (
        "Training",
        [
            "AlgorithmSpecification",
            "CheckpointConfig",
            "DebugHookConfig",
            "DebugRuleConfigurations",
            "Environment",
            "HyperParameters",
            "InputDataConfig",
        ],
    ),
    ("Tuning", ["HyperParameterTuningJobConfig", "TrainingJobDefinitions"]),
    ("Transform", ["DataProcessing", "Environment", "ModelName", "TransformInput"]),
    ("EMR", ["ClusterId", "StepConfig"]),
]
TUNING_DEFINITION_MEMBERS = [
    "AlgorithmSpecification",
    "HyperParameterRanges",
    "InputDataConfig",
    "StaticHyperParameters",
    "TuningObjective",
]


@pytest.mark.parametrize(
    ("kind", "attribute"), [(kind, name) for kind, names in KEYED for name in names]
)
def test_a_changed_key_attribute_changes_the_key(kind: str, attribute: str) -> None:
    arguments = {"RoleArn": "r", attribute: {"v": 1}}
    key = cache_key("pipe", spec(kind), arguments, "code")
    assert cache_key("pipe", spec(kind), dict(arguments, RoleArn="other"), "code") == key
    assert cache_key("pipe", spec(kind), dict(arguments, **{attribute: {"v": 2}}), "code") != key


@pytest.mark.parametrize("member", TUNING_DEFINITION_MEMBERS)
def test_a_changed_tuning_training_job_definition_member_changes_the_key(member: str) -> None:
    arguments = {"TrainingJobDefinition": {"RoleArn": "r", member: {"v": 1}}}
    changed = {"TrainingJobDefinition": {"RoleArn": "r", member: {"v": 2}}}
    assert cache_key("pipe", spec("Tuning"), arguments, "c") != cache_key(
        "pipe", spec("Tuning"), changed, "c"
    )


def test_tuning_keys_only_some_training_job_definition_members() -> None:
    attributes = key_attributes(
        "Tuning",
        {
            "HyperParameterTuningJobConfig": {"Strategy": "Random"},
            "TrainingJobDefinition": {"StaticHyperParameters": {"a": "1"}, "RoleArn": "r"},
        },
    )
    assert attributes == {
        "HyperParameterTuningJobConfig": {"Strategy": "Random"},
        "TrainingJobDefinition": {"StaticHyperParameters": {"a": "1"}},
    }
    # Each of several definitions too: a default output path (per execution) in one of
    # them made a tuning step of several definitions miss the cache every time.
    several = {
        "TrainingJobDefinitions": [
            {
                "DefinitionName": "a",
                "RoleArn": "r",
                "OutputDataConfig": {"S3OutputPath": "s3://b/pipe/exec-1/Tune/model"},
                "TuningObjective": {"Type": "Maximize", "MetricName": "auc"},
            }
        ]
    }
    assert key_attributes("Tuning", several) == {
        "TrainingJobDefinitions": [
            {"TuningObjective": {"Type": "Maximize", "MetricName": "auc"}, "DefinitionName": "a"}
        ]
    }


def test_a_renamed_one_of_several_definitions_changes_the_key() -> None:
    # A hit's summaries name the definitions of the earlier run: under the old name, a
    # later step reading BestTrainingJob.TrainingJobDefinitionName got a name the
    # pipeline no longer has.
    def arguments(name: str) -> dict[str, object]:
        return {"TrainingJobDefinitions": [{"DefinitionName": "a"}, {"DefinitionName": name}]}

    key = cache_key("pipe", spec("Tuning"), arguments("xgboost"), "c")
    assert cache_key("pipe", spec("Tuning"), arguments("xgb"), "c") != key


@pytest.mark.parametrize("member", TUNING_DEFINITION_MEMBERS)
def test_a_changed_member_of_one_of_several_definitions_changes_the_key(member: str) -> None:
    def arguments(value: int) -> dict[str, object]:
        return {"TrainingJobDefinitions": [{"v": 0}, {"RoleArn": "r", member: {"v": value}}]}

    key = cache_key("pipe", spec("Tuning"), arguments(1), "c")
    assert cache_key("pipe", spec("Tuning"), arguments(2), "c") != key


def entry(tmp_path: Path, execution: str, finished: dt.datetime, exists: bool = True) -> CacheEntry:
    output = tmp_path / execution
    if exists:
        output.mkdir()
    return CacheEntry(
        execution, f"arn:{execution}", "Prep", finished, {"P": execution}, {"s3://b/x": str(output)}
    )


def test_lookup_takes_the_most_recent_unexpired_entry_with_outputs(tmp_path: Path) -> None:
    cache = StepCache(tmp_path / "cache")
    cache.store("k", entry(tmp_path, "old", NOW - dt.timedelta(hours=3)))
    cache.store("k", entry(tmp_path, "recent", NOW - dt.timedelta(hours=1)))
    cache.store("k", entry(tmp_path, "gone", NOW - dt.timedelta(minutes=1), exists=False))
    hit = cache.lookup("k", expire_after=None, now=NOW)
    assert hit is not None
    assert hit.source_execution_id == "recent"
    hit = cache.lookup("k", expire_after=dt.timedelta(hours=2), now=NOW)
    assert hit is not None
    assert hit.source_execution_id == "recent"
    assert cache.lookup("k", expire_after=dt.timedelta(minutes=30), now=NOW) is None
    # An entry exactly ExpireAfter old is still a candidate.
    hit = cache.lookup("k", expire_after=dt.timedelta(hours=1), now=NOW)
    assert hit is not None
    assert hit.source_execution_id == "recent"
    assert cache.lookup("other", expire_after=None, now=NOW) is None


def test_lookup_skips_unreadable_entries_and_other_files(tmp_path: Path) -> None:
    cache = StepCache(tmp_path / "cache")
    cache.store("k", entry(tmp_path, "good", NOW - dt.timedelta(hours=1)))
    (tmp_path / "cache" / "k" / "truncated.json").write_text('{"SourcePipelineExecutionId": ')
    (tmp_path / "cache" / "k" / "partial.json").write_text('{"StepName": "Prep"}')
    newer = entry(tmp_path, "unpublished", NOW)  # a store() that has not renamed its file yet
    (tmp_path / "cache" / "k" / "unpublished.tmp").write_text(json.dumps(newer.to_json()))

    hit = cache.lookup("k", expire_after=None, now=NOW)

    assert hit is not None
    assert hit.source_execution_id == "good"


def test_entries_keep_their_metadata_and_output_names(tmp_path: Path) -> None:
    stored = CacheEntry(
        "e1",
        "arn:e1",
        "Prep",
        NOW,
        {"P": 1},
        {"s3://b/x": str(tmp_path)},
        metadata={"ProcessingJob": {"Arn": "arn:job"}},
        output_names={"s3://b/x": "train"},
    )
    cache = StepCache(tmp_path / "cache")
    cache.store("k", stored)

    assert cache.lookup("k", expire_after=None, now=NOW) == stored
