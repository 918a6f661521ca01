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


def test_an_automl_step_is_keyed_on_its_documented_members() -> None:
    # SageMaker keys an AutoML step on AutoMLJobConfig's CompletionCriteria,
    # CandidateGenerationConfig, DataSplitConfig and Mode, AutoMLJobObjective,
    # InputDataConfig and ProblemType: its default output path (which holds the execution
    # id) and its security config are not in the key. Judged on its whole Arguments, a
    # cached AutoML step reading the same prefix every run was taken for one that changes.
    uri = {"Std:Join": {"On": "", "Values": ["s3://b/", {"Get": "Parameters.Key"}]}}
    run_id = {"Get": "Execution.PipelineExecutionId"}
    output = {"Std:Join": {"On": "/", "Values": ["s3://b", run_id]}}
    channel = {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}}
    entry = {
        "Name": "AutoML",
        "Type": "AutoML",
        "Arguments": {
            "InputDataConfig": [{**channel, "TargetAttributeName": "label"}],
            "OutputDataConfig": {"S3OutputPath": output},
            "AutoMLJobConfig": {
                "CompletionCriteria": {},
                "Mode": "ENSEMBLING",
                "SecurityConfig": {"VolumeKmsKeyId": run_id},
            },
            "ProblemType": "BinaryClassification",
        },
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
    }
    [step] = run_invariant_cached_steps([entry])
    assert (step.name, step.reads) == ("AutoML", (uri,))


def test_the_pipeline_name_and_arn_are_the_same_every_run() -> None:
    # Unlike the execution id or start time, Execution.PipelineName and PipelineArn are
    # the same in every run: a key holding them was taken for one that changes.
    cache = {"Enabled": True, "ExpireAfter": "P1D"}
    name = {"Get": "Execution.PipelineName"}
    steps = [
        _processing("Named", "s3://b/raw/", cache, Environment={"PIPELINE": name}),
        _processing(
            "Arn", "s3://b/raw/", cache, Environment={"P": {"Get": "Execution.PipelineArn"}}
        ),
        _processing(
            "Run",
            "s3://b/raw/",
            cache,
            Environment={"R": {"Get": "Execution.PipelineExecutionArn"}},
        ),
    ]
    assert [step.name for step in run_invariant_cached_steps(steps)] == ["Named", "Arn"]


def test_a_json_get_of_a_cached_steps_property_file_is_fed_by_that_step() -> None:
    # A hit hands on the earlier run's property file, so a value read from it is the same
    # too: the step reading it follows the cached step. A JsonGet of an S3 location reads
    # whatever is there now, which may change.
    cache = {"Enabled": True, "ExpireAfter": "P1D"}
    from_file = {
        "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.R"}, "Path": "a"}
    }
    from_s3 = {"Std:JsonGet": {"S3Uri": "s3://b/latest.json", "Path": "a"}}
    steps = [
        _processing("Eval", "s3://b/raw/", cache),
        _processing("Next", "s3://b/raw/", cache, Environment={"T": from_file}),
        _processing("Latest", "s3://b/raw/", cache, Environment={"T": from_s3}),
    ]
    found = {step.name: step.fed_by for step in run_invariant_cached_steps(steps)}
    assert found == {"Eval": (), "Next": ("Eval",)}


def test_a_step_keyed_on_a_parameter_that_changes_per_run_is_not_invariant() -> None:
    # A new-data trigger passes a new key each run: a step reading it misses the cache.
    uri = {"Std:Join": {"On": "", "Values": ["s3://data/", {"Get": "Parameters.InputDataKey"}]}}
    step = _processing("Prep", uri, {"Enabled": True})
    assert [s.name for s in run_invariant_cached_steps([step])] == ["Prep"]
    assert run_invariant_cached_steps([step], varying={"InputDataKey"}) == []
    assert [s.name for s in run_invariant_cached_steps([step], varying={"Other"})] == ["Prep"]
