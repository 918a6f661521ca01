"""The mapped-prefix note when a step reads a URI only a run knows (review of 9e9129c)."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.local.resources import unread_s3_prefixes

LAMBDA_OUTPUT = {"Get": "Steps.Find.OutputParameters['uri']"}
JSON_GET = {
    "Std:JsonGet": {
        "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
        "Path": "input.uri",
    }
}
PREFIX = "s3://landing/2024"


def _processing(uri: Any) -> dict[str, Any]:
    inputs = [{"InputName": "data", "S3Input": {"S3Uri": uri, "LocalPath": "/opt/ml/in"}}]
    return {"Steps": [{"Name": "Prep", "Arguments": {"ProcessingInputs": inputs}}]}


@pytest.mark.parametrize(
    "uri",
    [
        LAMBDA_OUTPUT,
        JSON_GET,
        {"Std:Join": {"On": "/", "Values": [LAMBDA_OUTPUT, "part-0.csv"]}},
    ],
    ids=["lambda-output", "json-get", "join-starting-with-lambda-output"],
)
def test_no_prefix_is_judged_when_a_uri_field_takes_a_value_only_a_run_knows(uri: Any) -> None:
    # The step may read any URI, the mapped prefix's included: noting it as read by no
    # step ("a typo?") would be wrong.
    assert unread_s3_prefixes(_processing(uri), [PREFIX]) == []


def test_a_run_time_value_outside_uri_fields_still_lets_prefixes_be_judged() -> None:
    # A Lambda step's output as a model's registered version (batch scoring) names no URI.
    definition = _processing("s3://data/raw/in.csv")
    definition["Steps"].append(
        {"Name": "Model", "Arguments": {"PrimaryContainer": {"ModelPackageName": LAMBDA_OUTPUT}}}
    )

    assert unread_s3_prefixes(definition, [PREFIX]) == [(PREFIX, None)]
