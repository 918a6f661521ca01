"""Expressions and conditions, evaluated as the service does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition.properties import parse_path
from cdk_sagemaker_pipelines.local._errors import EvaluationError
from cdk_sagemaker_pipelines.local._graph import StepGraph
from cdk_sagemaker_pipelines.local.evaluate import (
    Evaluator,
    ExecutionVariables,
    json_path,
    to_text,
    walk_properties,
)
from cdk_sagemaker_pipelines.local.store import StepStore

START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
DEFINITION = {
    "Steps": [
        {
            "Name": "Evaluate",
            "Type": "Processing",
            "Arguments": {},
            "PropertyFiles": [
                {"PropertyFileName": "Report", "OutputName": "evaluation", "FilePath": "e.json"}
            ],
        },
        {"Name": "Train", "Type": "Training", "Arguments": {}},
    ]
}


def evaluator(tmp_path: Path, report: Any = None, raw: str | None = None) -> Evaluator:
    store = StepStore(tmp_path / "s3")
    folder = tmp_path / "out"
    folder.mkdir(parents=True)
    if raw is not None or report is not None:
        (folder / "e.json").write_text(raw if raw is not None else json.dumps(report))
    uri = "s3://b/p/evaluation"
    store.record(
        "Evaluate",
        {
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "evaluation",
                        "S3Output": {"S3Uri": uri, "LocalPath": "/opt/ml/processing/evaluation"},
                    }
                ]
            }
        },
        {uri: folder},
    )
    store.record(
        "Train",
        {
            "ModelArtifacts": {"S3ModelArtifacts": "s3://b/m/model.tar.gz"},
            "FinalMetricDataList": [{"MetricName": "train:acc", "Value": 0.97}],
        },
        {},
    )
    return Evaluator(
        parameters={"Threshold": 0.9, "Env": "dev", "Flag": True, "Count": 3},
        execution=ExecutionVariables("pipe", "arn:p", "abc123", "arn:p/execution/abc123", START),
        store=store,
        graph=StepGraph.from_definition(DEFINITION),
    )


def test_get_parameters_execution_variables_and_step_properties(tmp_path: Path) -> None:
    ev = evaluator(tmp_path)
    assert ev.resolve({"Get": "Parameters.Threshold"}) == 0.9
    assert ev.resolve({"Get": "Execution.PipelineExecutionId"}) == "abc123"
    assert ev.resolve({"Get": "Execution.PipelineArn"}) == "arn:p"
    assert ev.resolve({"Get": "Execution.PipelineExecutionArn"}) == "arn:p/execution/abc123"
    assert ev.resolve({"Get": "Execution.StartDateTime"}) == START
    assert ev.resolve({"Get": "Steps.Train.FinalMetricDataList['train:acc'].Value"}) == 0.97
    assert ev.resolve({"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}).endswith(".tar.gz")


@pytest.mark.parametrize("name", ["TrainingJobName", "ProcessingJobName"])
def test_a_job_name_variable_is_the_name_of_the_job_being_run(tmp_path: Path, name: str) -> None:
    # The SDK's ExecutionVariables.TRAINING_JOB_NAME / PROCESSING_JOB_NAME: the job of the
    # step whose arguments hold it, so only an evaluator for that job knows it.
    ev = evaluator(tmp_path)
    job = ev.for_job("pipelines-abc123-Train-x1")
    assert job.resolve({"Get": f"Execution.{name}"}) == "pipelines-abc123-Train-x1"
    assert job.resolve({"Get": "Execution.PipelineExecutionId"}) == "abc123"
    with pytest.raises(EvaluationError, match=f"'Execution.{name}' names the job of the step"):
        ev.resolve({"Get": f"Execution.{name}"})


def test_join_prints_values_as_the_service_does(tmp_path: Path) -> None:
    ev = evaluator(tmp_path)
    join = {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                "b",
                {"Get": "Execution.PipelineName"},
                {"Get": "Parameters.Flag"},
                {"Get": "Parameters.Count"},
                {"Get": "Parameters.Threshold"},
            ],
        }
    }
    assert ev.resolve(join) == "s3://b/pipe/true/3/0.9"
    assert to_text(START) == "2024-05-01T12:00:00.000Z"
    # A JsonGet may read an object, a list or null: compact JSON, and null as nothing.
    assert to_text({"a": [1, 2.5]}) == '{"a":[1,2.5]}'
    assert to_text([True, None]) == "[true,null]"
    assert to_text(None) == ""


def test_json_get_reads_the_property_file(tmp_path: Path) -> None:
    ev = evaluator(tmp_path, {"metrics": {"accuracy": {"value": 0.93}}, "list": [{"a": 1}]})
    get = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
            "Path": "metrics.accuracy.value",
        }
    }
    assert ev.resolve(get) == 0.93
    assert json_path({"list": [{"a": 1}]}, "$.list[0]['a']", "f") == 1
    assert json_path({"a b": {"c": 2}}, "$['a b'].c", "f") == 2
    # The property file named by its reference as a plain string, too.
    plain = {"PropertyFile": "Steps.Evaluate.PropertyFiles.Report", "Path": "list[0].a"}
    assert ev.resolve({"Std:JsonGet": plain}) == 1


def test_json_get_names_the_item_it_walked_through(tmp_path: Path) -> None:
    with pytest.raises(
        EvaluationError,
        match=r"f: JsonPath 'list\[0\].b' not found: \$.list\[0\] has no member 'b' "
        r"\(members: a\)",
    ):
        json_path({"list": [{"a": 1}]}, "list[0].b", "f")


def test_fails_when_a_json_get_path_is_absent(tmp_path: Path) -> None:
    ev = evaluator(tmp_path, {"metrics": {"acc": {"value": 0.93}}})
    get = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
            "Path": "metrics.accuracy.value",
        }
    }
    with pytest.raises(
        EvaluationError,
        match=r"property file 'Report' of step 'Evaluate': JsonPath 'metrics.accuracy.value' "
        r"not found: \$.metrics has no member 'accuracy' \(members: acc\)",
    ):
        ev.resolve(get)


def test_fails_when_the_property_file_is_missing_or_malformed(tmp_path: Path) -> None:
    get = {
        "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"}, "Path": "a"}
    }
    with pytest.raises(
        EvaluationError,
        match=r"property file 'Report' of step 'Evaluate': the step did not write e.json into "
        r"output 'evaluation' \(/opt/ml/processing/evaluation/e.json\)",
    ):
        evaluator(tmp_path / "missing").resolve(get)
    with pytest.raises(
        EvaluationError,
        match=r"property file 'Report' of step 'Evaluate' \(e.json\) is not valid JSON: "
        r"Expecting value: line 1 column 1",
    ):
        evaluator(tmp_path / "bad", raw="not json").resolve(get)
    latin1 = evaluator(tmp_path / "latin1")
    (tmp_path / "latin1" / "out" / "e.json").write_bytes(b'{"a": "caf\xe9"}')
    with pytest.raises(
        EvaluationError,
        match=r"property file 'Report' of step 'Evaluate' \(e.json\) is not valid JSON: "
        r"'utf-8' codec can't decode byte 0xe9",
    ):
        latin1.resolve(get)


# JsonGet(s3_uri=…): a JSON file named by URI, here in a step's output or the local S3 tree.
OUTPUT_FILE = {
    "Std:Join": {
        "On": "/",
        "Values": [
            {"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"},
            "e.json",
        ],
    }
}


def test_json_get_reads_a_file_by_s3_uri(tmp_path: Path) -> None:
    ev = evaluator(tmp_path, {"metrics": {"accuracy": {"value": 0.93}}})
    shared = tmp_path / "s3" / "reports" / "latest.json"
    shared.parent.mkdir(parents=True)
    shared.write_text(json.dumps({"passed": True}))

    assert ev.resolve(
        {"Std:JsonGet": {"S3Uri": OUTPUT_FILE, "Path": "metrics.accuracy.value"}}
    ) == (0.93)
    literal = {"Std:Join": {"On": "", "Values": ["s3://reports/latest.json"]}}
    assert ev.resolve({"Std:JsonGet": {"S3Uri": literal, "Path": "passed"}}) is True


def test_json_get_by_s3_uri_depends_on_the_step_whose_output_it_reads() -> None:
    check = {
        "Name": "Check",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "Equals",
                    "LeftValue": {"Std:JsonGet": {"S3Uri": OUTPUT_FILE, "Path": "passed"}},
                    "RightValue": True,
                }
            ]
        },
    }
    graph = StepGraph.from_definition({"Steps": [*DEFINITION["Steps"], check]})

    (node,) = [node for node in graph.nodes if node.name == "Check"]
    assert node.dependencies == {"Evaluate"}


def test_fails_json_get_by_s3_uri_of_a_missing_or_malformed_file(tmp_path: Path) -> None:
    missing = {"Std:JsonGet": {"S3Uri": OUTPUT_FILE, "Path": "a"}}
    with pytest.raises(EvaluationError, match=r"JSON file s3://b/p/evaluation/e.json: no object"):
        evaluator(tmp_path / "missing").resolve(missing)
    with pytest.raises(
        EvaluationError, match=r"JSON file s3://b/p/evaluation/e.json is not valid JSON"
    ):
        evaluator(tmp_path / "bad", raw="not json").resolve(missing)
    not_s3 = {"Std:JsonGet": {"S3Uri": "reports/latest.json", "Path": "a"}}
    with pytest.raises(
        EvaluationError, match=r"S3Uri 'reports/latest.json' is not the S3 URI of an object"
    ):
        evaluator(tmp_path / "plain").resolve(not_s3)


def test_fails_json_get_by_a_literal_uri_naming_the_unfinished_writer(tmp_path: Path) -> None:
    # A literal URI makes no dependency (in the service too): the read may come first.
    prep = {
        "Name": "Prep",
        "Type": "Processing",
        "Arguments": {
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "stats", "S3Output": {"S3Uri": "s3://b/fixed/stats/"}}]
            }
        },
    }
    other = {
        "Name": "Other",
        "Type": "Training",
        "Arguments": {"OutputDataConfig": {"S3OutputPath": "s3://b/fixed/models"}},
    }
    ev = evaluator(tmp_path)
    ev.graph = StepGraph.from_definition({"Steps": [*DEFINITION["Steps"], prep, other]})
    read = {"Std:JsonGet": {"S3Uri": "s3://b/fixed/stats/stats.json", "Path": "rows"}}

    with pytest.raises(EvaluationError) as raised:
        ev.resolve(read)

    assert raised.value.message == (
        "JSON file s3://b/fixed/stats/stats.json: no object at s3://b/fixed/stats/stats.json: "
        "step 'Prep' writes there but had not finished, as nothing in the definition orders "
        "this read after it (add depends_on=['Prep'] to the step that reads it)"
    )


def test_fails_on_properties_the_step_does_not_have(tmp_path: Path) -> None:
    ev = evaluator(tmp_path)
    with pytest.raises(
        EvaluationError, match=r"FinalMetricDataList has no entry 'val:acc' \(entries: train:acc\)"
    ):
        ev.resolve({"Get": "Steps.Train.FinalMetricDataList['val:acc'].Value"})
    with pytest.raises(EvaluationError, match="no parameter named 'Nope'"):
        ev.resolve({"Get": "Parameters.Nope"})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri", "s3://b/train"),
        ("FinalMetricDataList['val:acc'].Value", 0.9),
        ("InputDataConfig['train'].DataSource.S3DataSource.S3Uri", "s3://b/in"),
        ("ProcessingInputs['code'].S3Input.S3Uri", "s3://b/code"),
        ("AlgorithmSpecification.MetricDefinitions['acc'].Regex", "acc=(.*)"),
        ("TrainingJobSummaries['job-2'].FinalHyperParameterTuningJobObjectiveMetric", 0.8),
        ("Tags['team'].Value", "ml"),
    ],
)
def test_list_items_are_found_by_their_name_member(path: str, expected: Any) -> None:
    # ['key'] picks the list item whose name member (OutputName, ChannelName, ...) is key.
    other = {"OutputName": "x", "ChannelName": "x", "InputName": "x", "Name": "x", "Key": "x"}
    properties = {
        "ProcessingOutputConfig": {
            "Outputs": [other, {"OutputName": "train", "S3Output": {"S3Uri": "s3://b/train"}}]
        },
        "FinalMetricDataList": [other, {"MetricName": "val:acc", "Value": 0.9}],
        "InputDataConfig": [
            other,
            {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "s3://b/in"}}},
        ],
        "ProcessingInputs": [other, {"InputName": "code", "S3Input": {"S3Uri": "s3://b/code"}}],
        "AlgorithmSpecification": {
            "MetricDefinitions": [other, {"Name": "acc", "Regex": "acc=(.*)"}]
        },
        "TrainingJobSummaries": [
            {"TrainingJobName": "job-1"},
            {"TrainingJobName": "job-2", "FinalHyperParameterTuningJobObjectiveMetric": 0.8},
        ],
        "Tags": [other, {"Key": "team", "Value": "ml"}],
    }

    assert walk_properties(properties, parse_path(path), "step 'S'") == expected


PENDING = {
    "Name": "Report",
    "Type": "Processing",
    "Arguments": {},
    "PropertyFiles": [{"PropertyFileName": "Summary", "OutputName": "out", "FilePath": "s.json"}],
}
REPORT = {"Get": "Steps.Evaluate.PropertyFiles.Report"}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"Get": "Pipeline.Name"}, "unknown reference 'Pipeline.Name'"),
        ({"Get": "Execution.StartTime"}, "unknown execution variable 'Execution.StartTime'"),
        ({"Get": "Steps.!Train"}, "malformed step reference 'Steps.!Train'"),
        ({"Get": "Steps.Deploy.Arn"}, "'Steps.Deploy.Arn': no step named 'Deploy'"),
        (
            {"Get": "Steps.Report.ProcessingJobArn"},
            "'Steps.Report.ProcessingJobArn': step 'Report' has not run in this execution",
        ),
        (
            {"Get": "Steps.Evaluate.PropertyFiles.Report"},
            "'Steps.Evaluate.PropertyFiles.Report': a property file is read with Std:JsonGet, "
            "not Get",
        ),
        (
            {"Get": "Steps.Train.Model"},
            "step 'Train' has no property 'Model' in this run "
            "(available: FinalMetricDataList, ModelArtifacts)",
        ),
        (
            {"Get": "Steps.Train.ModelArtifacts.S3Uri"},
            "step 'Train' property ModelArtifacts has no property 'S3Uri' in this run "
            "(available: S3ModelArtifacts)",
        ),
        (
            {"Get": "Steps.Train.FinalMetricDataList['train:acc'].Val"},
            "step 'Train' property FinalMetricDataList['train:acc'] has no property 'Val' in "
            "this run (available: MetricName, Value)",
        ),
        (
            {"Get": "Steps.Train.FinalMetricDataList[1].Value"},
            "step 'Train' property FinalMetricDataList[1] is out of range (1 items)",
        ),
        (
            {"Get": "Steps.Train.ModelArtifacts[0]"},
            "step 'Train' property ModelArtifacts[0] is out of range (0 items)",
        ),
        (
            {"Get": "Steps.Train.ModelArtifacts['model']"},
            "step 'Train' property ModelArtifacts has no entry 'model' (entries: S3ModelArtifacts)",
        ),
        (
            {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts['model']"},
            "step 'Train' property ModelArtifacts.S3ModelArtifacts can't be indexed with ['model']",
        ),
        (
            {"Get": "Steps.Train.ModelArtifacts['S3ModelArtifacts"},
            "'Steps.Train.ModelArtifacts['S3ModelArtifacts': malformed property path "
            "'ModelArtifacts['S3ModelArtifacts' at '['S3ModelArtifacts'",
        ),
        ({"Std:Join": ["a", "b"]}, "Std:Join takes {On, Values}"),
        ({"Std:Join": {"On": "/", "Values": "ab"}}, "Std:Join: Values must be a list"),
        (
            {"Std:JsonGet": "Report.a"},
            "Std:JsonGet takes {PropertyFile, Path} or {S3Uri, Path}",
        ),
        (
            {"Std:JsonGet": {"PropertyFile": "Report", "Path": "a"}},
            "Std:JsonGet: PropertyFile must be Steps.<step>.PropertyFiles.<name>, got 'Report'",
        ),
        (
            {"Std:JsonGet": {"PropertyFile": REPORT, "Path": "a..b"}},
            "Std:JsonGet: 'a..b' is not a valid JsonPath",
        ),
        (
            {"Std:JsonGet": {"PropertyFile": REPORT, "Path": 5}},
            "Std:JsonGet: 5 is not a valid JsonPath",
        ),
        (
            {"Std:JsonGet": {"S3Uri": "s3://b/r.json", "Path": "a..b"}},
            "Std:JsonGet: 'a..b' is not a valid JsonPath",
        ),
        (
            {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Deploy.PropertyFiles.R"}, "Path": "a"}},
            "Std:JsonGet: no step named 'Deploy'",
        ),
        (
            {"Std:JsonGet": {"PropertyFile": "Steps.Evaluate.PropertyFiles.Other", "Path": "a"}},
            "step 'Evaluate' declares no property file 'Other'",
        ),
        (
            {"Std:JsonGet": {"PropertyFile": "Steps.Report.PropertyFiles.Summary", "Path": "a"}},
            "property file 'Summary' of step 'Report': the step has not run in this execution",
        ),
    ],
)
def test_fails_with_the_reason_a_value_cannot_be_evaluated(
    tmp_path: Path, expression: Any, message: str
) -> None:
    ev = evaluator(tmp_path, {"a": 1})
    ev.graph = StepGraph.from_definition({"Steps": [*DEFINITION["Steps"], PENDING]})

    with pytest.raises(EvaluationError) as raised:
        ev.resolve(expression)

    assert raised.value.message == message


def test_fails_a_property_file_of_an_output_the_step_did_not_report(tmp_path: Path) -> None:
    ev = evaluator(tmp_path, {"a": 1})
    ev.store.record("Evaluate", {"ProcessingOutputConfig": {"Outputs": []}}, {})

    with pytest.raises(EvaluationError) as raised:
        ev.resolve({"Std:JsonGet": {"PropertyFile": REPORT, "Path": "a"}})

    assert raised.value.message == (
        "property file 'Report' of step 'Evaluate': the step has no output 'evaluation'"
    )


def test_fails_on_a_malformed_json_path_or_an_index_into_an_object() -> None:
    with pytest.raises(EvaluationError, match=r"^f: malformed JsonPath 'a\.\.b'$"):
        json_path({"a": {}}, "a..b", "f")
    with pytest.raises(
        EvaluationError, match=r"^f: JsonPath 'a\[0\]' not found: \$.a has no item \[0\]$"
    ):
        json_path({"a": {"0": 1}}, "a[0]", "f")
    with pytest.raises(
        EvaluationError, match=r"^f: JsonPath 'a\[1\]' not found: \$.a has no item \[1\]$"
    ):
        json_path({"a": [0]}, "a[1]", "f")
    with pytest.raises(
        EvaluationError, match=r"^f: JsonPath 'a\[-2\]' not found: \$.a has no item \[-2\]$"
    ):
        json_path({"a": [0]}, "a[-2]", "f")


def test_a_json_path_index_may_count_from_the_end() -> None:
    # The SDK writes one for a DelayedReturn indexed so (result[-1]), as JsonPath allows.
    assert json_path({"a": [{"b": 1}, {"b": 2}]}, "a[-1].b", "f") == 2
    assert json_path([7, 8, 9], "[-3]", "f") == 7


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {
                "Type": "GreaterThanOrEqualTo",
                "LeftValue": 0.93,
                "RightValue": {"Get": "Parameters.Threshold"},
            },
            True,
        ),
        ({"Type": "LessThan", "LeftValue": "0.5", "RightValue": 1}, True),
        ({"Type": "Equals", "LeftValue": {"Get": "Parameters.Env"}, "RightValue": "dev"}, True),
        ({"Type": "Equals", "LeftValue": 1, "RightValue": 1.0}, True),
        ({"Type": "Equals", "LeftValue": {"Get": "Parameters.Flag"}, "RightValue": "true"}, True),
        ({"Type": "Equals", "LeftValue": "TRUE", "RightValue": {"Get": "Parameters.Flag"}}, True),
        ({"Type": "Equals", "LeftValue": "false", "RightValue": False}, True),
        ({"Type": "Equals", "LeftValue": False, "RightValue": " False "}, True),
        # A boolean equals only a boolean (or its text), never the number 1.
        ({"Type": "Equals", "LeftValue": {"Get": "Parameters.Flag"}, "RightValue": 1}, False),
        # A number and a numeric string compare as numbers; two strings compare as text.
        ({"Type": "Equals", "LeftValue": {"Get": "Parameters.Count"}, "RightValue": "3"}, True),
        ({"Type": "Equals", "LeftValue": "3.0", "RightValue": "3"}, False),
        (
            {
                "Type": "LessThan",
                "LeftValue": {"Get": "Execution.StartDateTime"},
                "RightValue": {"Get": "Execution.CurrentDateTime"},
            },
            True,
        ),
        ({"Type": "In", "QueryValue": {"Get": "Parameters.Env"}, "Values": ["prod", "dev"]}, True),
        ({"Type": "Not", "Condition": {"Type": "Equals", "LeftValue": 1, "RightValue": 2}}, True),
        (
            {
                "Type": "Or",
                "Conditions": [
                    {"Type": "GreaterThan", "LeftValue": 1, "RightValue": 2},
                    {"Type": "LessThanOrEqualTo", "LeftValue": 2, "RightValue": 2},
                ],
            },
            True,
        ),
        ({"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Count"}, "RightValue": 3}, False),
        # At equality: the OrEqualTo comparisons hold, the strict ones don't.
        ({"Type": "GreaterThanOrEqualTo", "LeftValue": "0.9", "RightValue": 0.9}, True),
        ({"Type": "LessThanOrEqualTo", "LeftValue": 3, "RightValue": 3.0}, True),
        ({"Type": "LessThan", "LeftValue": 3, "RightValue": 3}, False),
        ({"Type": "GreaterThan", "LeftValue": 3, "RightValue": "2.5"}, True),
        ({"Type": "GreaterThanOrEqualTo", "LeftValue": 2, "RightValue": 3}, False),
        ({"Type": "LessThanOrEqualTo", "LeftValue": 4, "RightValue": 3}, False),
    ],
)
def test_conditions(tmp_path: Path, condition: dict[str, Any], expected: bool) -> None:
    assert evaluator(tmp_path).condition(condition) is expected


# A JsonGet of a path the property file lacks: evaluating it fails.
_ABSENT = {"Std:JsonGet": {"PropertyFile": REPORT, "Path": "metrics.absent"}}
_HOLDS = {"Type": "Equals", "LeftValue": 1, "RightValue": 1}
_FAILS = {"Type": "Equals", "LeftValue": _ABSENT, "RightValue": 1}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"Type": "Or", "Conditions": [_HOLDS, _FAILS]},
            {"Type": "Or", "Conditions": [_FAILS, _HOLDS]},
        ),
        (
            {"Type": "In", "QueryValue": "dev", "Values": ["dev", _ABSENT]},
            {"Type": "In", "QueryValue": "dev", "Values": [_ABSENT, "dev"]},
        ),
    ],
)
def test_or_and_in_stop_at_the_first_operand_that_holds(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any]
) -> None:
    # An inference (docs/local-runner.md, "Inferences"): the service's docs don't say whether
    # it evaluates every operand. Pinned so that changing the order's effect is deliberate.
    ev = evaluator(tmp_path, {"metrics": {}})

    assert ev.condition(first) is True
    with pytest.raises(EvaluationError, match=r"JsonPath 'metrics\.absent' not found"):
        ev.condition(second)


def test_fails_ordering_comparisons_of_non_numbers(tmp_path: Path) -> None:
    with pytest.raises(
        EvaluationError,
        match=r"GreaterThan LeftValue 'dev' is not a number \(from \{\"Get\": "
        r"\"Parameters.Env\"\}\); ordering comparisons need numbers",
    ):
        evaluator(tmp_path).condition(
            {"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Env"}, "RightValue": 1}
        )


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("Equals", "a condition must be an object, got 'Equals'"),
        ({"Type": "Between", "LeftValue": 1, "RightValue": 2}, "unknown condition type 'Between'"),
        (
            {
                "Type": "GreaterThan",
                "LeftValue": {"Get": "Execution.StartDateTime"},
                "RightValue": 1,
            },
            "GreaterThan: can't compare 2024-05-01T12:00:00.000Z with 1",
        ),
        (
            {"Type": "LessThan", "LeftValue": 1, "RightValue": "high"},
            "LessThan RightValue 'high' is not a number (from 'high'); ordering comparisons "
            "need numbers",
        ),
    ],
)
def test_fails_conditions_it_cannot_evaluate(tmp_path: Path, condition: Any, message: str) -> None:
    with pytest.raises(EvaluationError) as raised:
        evaluator(tmp_path).condition(condition)

    assert raised.value.message == message


def test_a_compared_values_source_is_named_as_a_reader_finds_it() -> None:
    from cdk_sagemaker_pipelines.local.evaluate import _source_text

    path = "binary_classification_metrics.roc_auc.value." + "x" * 100
    report = {"Get": "Steps.Evaluate.PropertyFiles.Report"}
    assert _source_text({"Std:JsonGet": {"PropertyFile": report, "Path": path}}) == (
        f"property file 'Report' of step 'Evaluate', JsonPath '{path}'"
    )
    uri = {"Std:JsonGet": {"S3Uri": "s3://bucket/metrics.json", "Path": "auc"}}
    assert _source_text(uri) == "the JSON file at 's3://bucket/metrics.json', JsonPath 'auc'"
    assert _source_text({"Get": "Parameters.Env"}) == '{"Get": "Parameters.Env"}'
    long = _source_text({"Std:Join": {"On": "", "Values": ["v" * 300]}})
    assert (len(long), long[-1]) == (200, "…")
