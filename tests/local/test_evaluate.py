"""Expressions and conditions, evaluated as the service does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.local._errors import EvaluationError
from cdk_sagemaker_pipelines.local._graph import StepGraph
from cdk_sagemaker_pipelines.local.evaluate import (
    Evaluator,
    ExecutionVariables,
    json_path,
    to_text,
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
    assert ev.resolve({"Get": "Execution.StartDateTime"}) == START
    assert ev.resolve({"Get": "Steps.Train.FinalMetricDataList['train:acc'].Value"}) == 0.97
    assert ev.resolve({"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}).endswith(".tar.gz")


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
                "Outputs": [{"OutputName": "stats", "S3Output": {"S3Uri": "s3://b/fixed/stats"}}]
            }
        },
    }
    ev = evaluator(tmp_path)
    ev.graph = StepGraph.from_definition({"Steps": [*DEFINITION["Steps"], prep]})
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
    ],
)
def test_conditions(tmp_path: Path, condition: dict[str, Any], expected: bool) -> None:
    assert evaluator(tmp_path).condition(condition) is expected


def test_fails_ordering_comparisons_of_non_numbers(tmp_path: Path) -> None:
    with pytest.raises(
        EvaluationError,
        match=r"GreaterThan LeftValue 'dev' is not a number \(from \{\"Get\": "
        r"\"Parameters.Env\"\}\); ordering comparisons need numbers",
    ):
        evaluator(tmp_path).condition(
            {"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Env"}, "RightValue": 1}
        )
