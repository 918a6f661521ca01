"""Which cached steps every run with the same parameters would find cached."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition._cache_keys import run_invariant_cached_steps


def _processing(name: str, uri: Any, cache: dict[str, Any] | None, **more: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingInputs": [
                {"InputName": "raw", "S3Input": {"S3Uri": uri}},
                {"InputName": "code", "S3Input": {"S3Uri": "s3://assets/abc.py"}},
            ],
            # Not in the key: a new output location per run doesn't make a miss.
            "ProcessingOutputConfig": {
                "Outputs": [{"S3Output": {"S3Uri": {"Get": "Execution.PipelineExecutionId"}}}]
            },
            **more,
        },
    }
    if cache is not None:
        entry["CacheConfig"] = cache
    return entry


def test_a_step_cached_without_expire_after_reading_a_parameter_qualifies() -> None:
    uri = {"Std:Join": {"On": "", "Values": ["s3://b/", {"Get": "Parameters.Key"}]}}
    [step] = run_invariant_cached_steps([_processing("Prep", uri, {"Enabled": True})])
    assert (step.name, step.expire_after, step.reads, step.fed_by) == ("Prep", None, (uri,), ())


def test_json_get_execution_variables_and_uncached_steps_change_per_run() -> None:
    cache = {"Enabled": True, "ExpireAfter": "P1D"}
    json_get = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.R"}, "Path": "a"}}
    steps = [
        _processing("Plain", "s3://b/raw/", None),
        _processing("Off", "s3://b/raw/", {"Enabled": False, "ExpireAfter": "P1D"}),
        _processing("Dated", {"Get": "Execution.StartDateTime"}, cache),
        _processing("Read", "s3://b/raw/", cache, Environment={"T": json_get}),
        _processing(
            "Fed", {"Get": "Steps.Plain.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"}, cache
        ),
        _processing(
            "Next", {"Get": "Steps.Fixed.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"}, cache
        ),
        _processing("Fixed", "s3://b/raw/", cache),
    ]
    found = {step.name: step.fed_by for step in run_invariant_cached_steps(steps)}
    # A step fed by a qualifying one qualifies too, whatever the order of the list.
    assert found == {"Next": ("Fixed",), "Fixed": ()}
