"""RawStep: a whole step given as its entry, compiled and validated as a definition JSON's."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Code,
    ConditionEquals,
    ConditionStep,
    ExecutionVariables,
    FailStep,
    Image,
    Join,
    JsonGet,
    ModelStep,
    OutputType,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineExperimentConfig,
    PipelineValidationError,
    ProcessingInput,
    ProcessingStep,
    PropertyFile,
    PropertyPathError,
    RawStep,
    S3Location,
    StaticBinder,
    StepExceptionType,
    StepOutput,
    StepRetryPolicy,
    TrainingStep,
    UnknownArgumentError,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.entries import walk_steps
from cdk_sagemaker_pipelines.definition.permissions import plan_permissions
from cdk_sagemaker_pipelines.definition.validate import validate_definition
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE, OTHER_ROLE

SDK_GENERATED = Path(__file__).resolve().parent.parent / "sdk_generated"
OUTPUT = "ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:notify"


def processing_arguments(**members: Any) -> dict[str, Any]:
    """A processing request with one output, ``report``; ``members`` add or replace."""
    return {
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            }
        },
        "AppSpecification": {"ImageUri": IMAGE},
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "report",
                    "S3Output": {
                        "S3Uri": "s3://my-bucket/report",
                        "LocalPath": "/opt/ml/processing/report",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        **members,
    }


def problems_of(*steps: Any, parameters: Any = ()) -> list[tuple[str | None, str | None, str]]:
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=list(steps), parameters=list(parameters)).compile(
            StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
        )
    return [(p.step, p.field, p.message) for p in caught.value.problems]


# -- rendering -------------------------------------------------------------------------------


def test_every_option_compiles_to_the_entry_given_with_expressions_rendered(
    ctx: RenderContext,
) -> None:
    epochs = ParameterInteger(name="Epochs", default_value=3)
    prep = ProcessingStep(name="Prep", image=IMAGE, outputs=["train"])
    report = PropertyFile(name="Report", output_name="report", path="report.json")
    step = RawStep(
        name="Evaluate",
        type="Processing",
        arguments=processing_arguments(
            RoleArn=OTHER_ROLE,
            ProcessingInputs=[
                {
                    "InputName": "train",
                    "S3Input": {
                        "S3Uri": prep.output("train"),
                        "LocalPath": "/opt/ml/processing/train",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            Environment={
                "EPOCHS": Join(values=[epochs]),
                "RUN": ExecutionVariables.PIPELINE_EXECUTION_ID,
            },
        ),
        depends_on=[prep, "Prep"],
        display_name="Evaluate",
        description="Scores the model",
        cache_config=CacheConfig(expire_after="P1D"),
        retry_policies=[
            StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING], max_attempts=3),
            {"ExceptionType": ["Step.SERVICE_FAULT"], "MaxAttempts": 2},
        ],
        property_files=[report],
    )

    entry = step.to_request(ctx)

    expected: dict[str, Any] = {
        "Name": "Evaluate",
        "Type": "Processing",
        "Arguments": processing_arguments(
            RoleArn=OTHER_ROLE,
            ProcessingInputs=[
                {
                    "InputName": "train",
                    "S3Input": {
                        "S3Uri": {"Get": f"Steps.Prep.{OUTPUT}"},
                        "LocalPath": "/opt/ml/processing/train",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            Environment={
                "EPOCHS": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Epochs"}]}},
                "RUN": {"Get": "Execution.PipelineExecutionId"},
            },
        ),
        "DependsOn": ["Prep"],
        "DisplayName": "Evaluate",
        "Description": "Scores the model",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "ExceptionType": ["Step.THROTTLING"],
            },
            {"ExceptionType": ["Step.SERVICE_FAULT"], "MaxAttempts": 2},
        ],
        "PropertyFiles": [
            {"PropertyFileName": "Report", "OutputName": "report", "FilePath": "report.json"}
        ],
    }
    # Byte for byte: the members in the definition's order, nothing added (a role is given).
    assert json.dumps(entry) == json.dumps(expected)
    assert ctx.referenced_steps == [prep]
    assert ctx.referenced_parameters == [epochs]


def test_from_json_compiles_back_to_the_entry_it_was_given() -> None:
    definition = json.loads((SDK_GENERATED / "sdk-notebook-jobs.json").read_text())
    for entry in definition["Steps"]:
        step = RawStep.from_json(entry)
        assert json.dumps(step.to_request(RenderContext(StaticBinder()))) == json.dumps(entry)
    # The members without a keyword of their own, as a Lambda step's, null values included.
    entry = {
        "Name": "Notify",
        "Type": "Lambda",
        "Arguments": {"run": {"Get": "Execution.PipelineExecutionId"}},
        "FunctionArn": FUNCTION,
        "OutputParameters": [{"OutputName": "sent", "OutputType": "Boolean"}],
        "Timeout": None,
    }
    step = RawStep.from_json(entry)
    assert step.extra_fields == {
        "FunctionArn": FUNCTION,
        "OutputParameters": [{"OutputName": "sent", "OutputType": "Boolean"}],
        "Timeout": None,
    }
    assert json.dumps(step.to_request()) == json.dumps(entry)
    # The entry given is left as it was.
    assert entry["Arguments"] == {"run": {"Get": "Execution.PipelineExecutionId"}}


def test_from_json_gives_every_sdk_entry_back_byte_for_byte() -> None:
    # The members in the entry's own order (the SDK writes RetryPolicies before
    # CacheConfig, the keywords' order the other way round), every entry of every
    # SDK-generated definition whose job names its role (the binder adds none).
    checked = 0
    for path in sorted(SDK_GENERATED.glob("*.json")):
        definition = json.loads(path.read_text())
        for spec in walk_steps(definition["Steps"]):
            if spec.step_type == "Condition":
                continue
            step = RawStep.from_json(spec.entry)
            if None in step.role_fields().values():
                continue
            rendered = step.to_request(RenderContext(StaticBinder()))
            assert json.dumps(rendered) == json.dumps(spec.entry), (path.name, spec.name)
            checked += 1
    assert checked > 100


def test_from_json_keeps_members_given_empty_and_in_the_order_given() -> None:
    # As a definition JSON has them: an empty DependsOn stays, and a Lambda step's empty
    # RetryPolicies is the problem it is there (Lambda steps take none).
    entry = {
        "Name": "Notify",
        "Type": "Lambda",
        "Arguments": {},
        "FunctionArn": FUNCTION,
        "CacheConfig": {"Enabled": False},
        "DependsOn": [],
        "RetryPolicies": [],
        "Description": "",
    }
    step = RawStep.from_json(entry)
    assert json.dumps(step.to_request()) == json.dumps(entry)
    definition = {"Version": "2020-12-01", "Steps": [entry]}
    expected = [(p.step, p.field, p.message) for p in validate_definition(definition)]
    assert expected == [("Notify", "RetryPolicies", "not a field of a Lambda step")]
    assert problems_of(step) == expected
    # Built again with other keywords, the step is written in the keywords' order.
    again = dataclasses.replace(step, retry_policies=())
    assert list(again.to_request()) == [
        "Name",
        "Type",
        "Arguments",
        "Description",
        "CacheConfig",
        "FunctionArn",
    ]


def test_from_json_keeps_a_step_depended_on_twice_for_validation_to_report() -> None:
    # The language writes a step given as an object and by name once; an entry's names are
    # written as it has them, and a name listed twice is the problem it is in the JSON.
    first = {"Name": "First", "Type": "Lambda", "Arguments": {}, "FunctionArn": FUNCTION}
    entry = {**first, "Name": "Notify", "DependsOn": ["First", "First"]}
    definition = {"Version": "2020-12-01", "Steps": [first, entry]}
    expected = [(p.step, p.field, p.message) for p in validate_definition(definition)]
    assert expected == [("Notify", "DependsOn[1]", "'First' is listed twice")]
    step = RawStep.from_json(entry)
    assert step.to_request()["DependsOn"] == ["First", "First"]
    assert problems_of(RawStep.from_json(first), step) == expected
    # Given as the keyword, an object and its name are one dependency, as in any step.
    first_step = RawStep.from_json(first)
    built = RawStep(name="Notify", type="Lambda", arguments={}, depends_on=[first_step, "First"])
    assert built.to_request()["DependsOn"] == ["First"]


def test_the_binder_gives_the_role_of_a_job_that_names_none() -> None:
    binder = StaticBinder(role_arn=ROLE, automl_role_arn=OTHER_ROLE)
    given = {"TrainingImage": IMAGE, "TrainingInputMode": "File"}

    def rendered(kind: str, arguments: dict[str, Any]) -> Any:
        step = RawStep(name="Raw", type=kind, arguments=arguments)
        return step.to_request(RenderContext(binder))["Arguments"]

    assert rendered("Processing", {"AppSpecification": {}})["RoleArn"] == ROLE
    assert rendered("Model", {"PrimaryContainer": {}})["ExecutionRoleArn"] == ROLE
    assert rendered("AutoML", {"AutoMLJobConfig": {}})["RoleArn"] == OTHER_ROLE
    tuning = rendered(
        "Tuning",
        {
            "TrainingJobDefinition": {"AlgorithmSpecification": given},
            "TrainingJobDefinitions": [{"RoleArn": OTHER_ROLE}, {"DefinitionName": "b"}],
        },
    )
    assert tuning["TrainingJobDefinition"]["RoleArn"] == ROLE
    assert [item["RoleArn"] for item in tuning["TrainingJobDefinitions"]] == [OTHER_ROLE, ROLE]
    # A role written stays as written; a step of a job without a role gets none.
    assert rendered("Training", {"RoleArn": OTHER_ROLE})["RoleArn"] == OTHER_ROLE
    assert rendered("Transform", {"ModelName": "m"}) == {"ModelName": "m"}
    assert rendered("EndpointConfig", {"EndpointConfigName": "c"}) == {"EndpointConfigName": "c"}


def test_the_binder_s_job_tags_join_the_step_s_own() -> None:
    binder = StaticBinder(role_arn=ROLE, job_tags={"team": "ml", "cost": "CC-1"})
    step = RawStep(
        name="Prep",
        type="Processing",
        arguments={"AppSpecification": {}, "Tags": [{"Key": "team", "Value": "churn"}]},
    )
    assert step.to_request(RenderContext(binder))["Arguments"]["Tags"] == [
        {"Key": "team", "Value": "churn"},
        {"Key": "cost", "Value": "CC-1"},
    ]


def test_role_fields_say_where_the_job_s_role_is_and_what_is_written_there() -> None:
    step = RawStep(
        name="Tune",
        type="Tuning",
        arguments={"TrainingJobDefinitions": [{"RoleArn": OTHER_ROLE}, {}]},
    )
    assert step.role_fields() == {
        "Arguments.TrainingJobDefinitions[0].RoleArn": OTHER_ROLE,
        "Arguments.TrainingJobDefinitions[1].RoleArn": None,
    }
    assert RawStep(name="Stop", type="Fail", arguments={}).role_fields() == {}


def test_from_json_keeps_a_null_member_for_validation_to_report() -> None:
    # A null member of a keyword is written as given, and judged as the JSON's is: a null
    # CacheConfig is a problem there, a null DisplayName isn't.
    entry: dict[str, Any] = {
        "Name": "Notify",
        "Type": "Lambda",
        "Arguments": {},
        "FunctionArn": FUNCTION,
        "DisplayName": None,
        "CacheConfig": None,
    }
    step = RawStep.from_json(entry)
    assert json.dumps(step.to_request()) == json.dumps(entry)
    definition = {"Version": "2020-12-01", "Steps": [entry]}
    expected = [(p.step, p.field, p.message) for p in validate_definition(definition)]
    assert expected == [
        ("Notify", "CacheConfig", "expected an object with Enabled and ExpireAfter")
    ]
    assert problems_of(step) == expected


LAMBDA = {"Name": "Notify", "Type": "Lambda", "Arguments": {}, "FunctionArn": FUNCTION}


@pytest.mark.parametrize(
    "members",
    [
        {"Type": 5},
        {"Type": None},
        {"Type": "Processing", "Arguments": []},
        {"Type": "Processing", "Arguments": None},
        {"DependsOn": "First"},
        {"DependsOn": [1]},
        {"DisplayName": 5, "Description": ["x"]},
        {"CacheConfig": "yes"},
        {"Type": "Processing", "Arguments": [], "RetryPolicies": {"MaxAttempts": 2}},
        {"Type": "Processing", "Arguments": [], "RetryPolicies": ["x"], "PropertyFiles": "x"},
    ],
    ids=repr,
)
def test_from_json_reports_a_malformed_member_as_the_definition_json_check_does(
    members: dict[str, Any],
) -> None:
    # Members of the wrong JSON type are content problems there, collected with the others:
    # so they are from a RawStep, not raised when it is built (as the keywords' are).
    entry = {**LAMBDA, **members}
    definition = {"Version": "2020-12-01", "Steps": [entry]}
    expected = [(p.step, p.field, p.message) for p in validate_definition(definition)]
    assert expected
    step = RawStep.from_json(entry)
    assert json.dumps(step.to_request(RenderContext(StaticBinder(role_arn=ROLE)))) == json.dumps(
        entry
    )
    assert problems_of(step) == expected


def test_from_json_raises_for_a_name_that_is_no_string_in_the_json_check_s_words() -> None:
    entry = {**LAMBDA, "Name": 123}
    definition = {"Version": "2020-12-01", "Steps": [entry]}
    [problem] = validate_definition(definition)
    assert (problem.field, problem.message) == ("Steps[0].Name", "every step needs a Name string")
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^RawStep.from_json: field 'Name': every step needs a Name string, got int 123$",
    ):
        RawStep.from_json(entry)


def test_bindables_anywhere_in_the_arguments_are_bound_as_in_typed_steps(tmp_path: Path) -> None:
    script = tmp_path / "evaluate.py"
    script.write_text("print('ok')\n")
    schema = tmp_path / "schema.json"
    schema.write_text("{}")
    step = RawStep(
        name="Evaluate",
        type="Processing",
        arguments=processing_arguments(
            AppSpecification={"ImageUri": Image.sklearn("1.2-1")},
            ProcessingInputs=[
                {"InputName": "code", "S3Input": {"S3Uri": Code.from_asset(script)}},
                {"InputName": "data", "S3Input": {"S3Uri": S3Location.from_bucket("data", "in/")}},
                {"InputName": "schema", "S3Input": {"S3Uri": S3Location.from_asset(schema)}},
            ],
        ),
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, code_prefix="s3://my-bucket/code")
    arguments = step.to_request(RenderContext(binder))["Arguments"]
    typed = ProcessingStep(name="Typed", image=Image.sklearn("1.2-1"))
    assert (
        arguments["AppSpecification"]["ImageUri"]
        == (typed.to_request(RenderContext(binder))["Arguments"]["AppSpecification"]["ImageUri"])
    )
    assert [item["S3Input"]["S3Uri"] for item in arguments["ProcessingInputs"]] == [
        "s3://my-bucket/code/evaluate.py",
        "s3://data/in/",
        "s3://my-bucket/code/schema.json",
    ]
    # What the binder can't bind is a problem of the step and field, as in a typed step;
    # an asset written to (a job output) is refused.
    output = {
        "Outputs": [{"OutputName": "report", "S3Output": {"S3Uri": S3Location.from_asset(schema)}}]
    }
    unbound = dataclasses.replace(
        step, arguments={**step.arguments, "ProcessingOutputConfig": output}
    )
    problems = {
        (name, field): message
        for name, field, message in problems_of(unbound)
        if field is not None and "Uri" in field
    }
    assert problems[("Evaluate", "Arguments.ProcessingInputs[0].S3Input.S3Uri")].startswith(
        "local code"
    )
    assert "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri" in {
        field for _, field in problems
    }


def test_a_non_string_expression_in_a_string_field_is_joined_as_in_typed_steps() -> None:
    # As a typed step writes hyperparameters and environment: by the request shape of the
    # step's type; a number field keeps the expression, a literal stays as given.
    epochs = ParameterInteger(name="Epochs", default_value=3)
    count = ParameterInteger(name="Count", default_value=1)
    mode = ParameterString(name="Mode", default_value="fast")
    step = RawStep(
        name="Train",
        type="Training",
        arguments={
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "HyperParameters": {"epochs": epochs, "mode": mode, "depth": 4},
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": count,
                "VolumeSizeInGB": 30,
            },
            "OutputDataConfig": {"S3OutputPath": "s3://my-bucket/models"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    )
    arguments = step.to_request(RenderContext(StaticBinder(role_arn=ROLE)))["Arguments"]
    assert arguments["HyperParameters"] == {
        "epochs": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Epochs"}]}},
        "mode": {"Get": "Parameters.Mode"},
        "depth": 4,
    }
    assert arguments["ResourceConfig"]["InstanceCount"] == {"Get": "Parameters.Count"}
    problems = problems_of(step, parameters=[epochs, count, mode])
    assert [(name, field) for name, field, _ in problems] == [
        ("Train", "Arguments.HyperParameters['depth']")
    ]


def test_an_expression_of_unknown_type_in_a_string_field_is_written_as_given() -> None:
    # A JsonGet's type is known only at run time: validation accepts it in a string field,
    # so it is not joined (``smpipe convert`` writes a definition JSON's that way as a
    # RawStep, whose entry must compile to the same JSON).
    report = JsonGet(s3_uri="s3://my-bucket/report.json", json_path="mode")
    epochs = ParameterInteger(name="Epochs", default_value=3)
    step = RawStep(
        name="Evaluate",
        type="Processing",
        arguments=processing_arguments(Environment={"MODE": report, "EPOCHS": epochs}),
    )
    environment = step.to_request(RenderContext(StaticBinder(role_arn=ROLE)))["Arguments"][
        "Environment"
    ]
    assert environment == {
        "MODE": report.to_request(),
        "EPOCHS": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Epochs"}]}},
    }


@pytest.mark.parametrize(
    ("step_type", "arguments", "field"),
    [
        (
            "Model",
            lambda code: {
                "PrimaryContainer": {
                    "Image": IMAGE,
                    "Environment": {"SAGEMAKER_SUBMIT_DIRECTORY": code},
                }
            },
            "PrimaryContainer.Environment.SAGEMAKER_SUBMIT_DIRECTORY",
        ),
        (
            "Training",
            lambda code: {
                "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                "HyperParameters": {"sagemaker_submit_directory": code},
                "ResourceConfig": {
                    "InstanceType": "ml.m5.large",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                },
                "OutputDataConfig": {"S3OutputPath": "s3://my-bucket/models"},
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            },
            "HyperParameters.sagemaker_submit_directory",
        ),
    ],
    ids=["Model", "Training"],
)
def test_code_named_as_a_submit_directory_is_an_archive_as_typed_steps_write_it(
    tmp_path: Path, step_type: str, arguments: Any, field: str
) -> None:
    # The inference and training toolkits unpack the submit directory: a single script is
    # archived there, as ModelStep(code=) and TrainingStep(code=) write it.
    script = tmp_path / "inference.py"
    script.write_text("print('ok')\n")
    code = Code.from_asset(script)
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, code_prefix="s3://my-bucket/code")
    step = RawStep(name="Serve", type=step_type, arguments=arguments(code))
    value: Any = step.to_request(RenderContext(binder))["Arguments"]
    for member in field.split("."):
        value = value[member]
    typed = ModelStep(name="Typed", image=IMAGE, code=code).to_request(RenderContext(binder))
    typed_uri = typed["Arguments"]["PrimaryContainer"]["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"]
    assert value == typed_uri == "s3://my-bucket/code/inference.py.tar.gz"


# -- references both ways --------------------------------------------------------------------


def test_other_steps_read_a_raw_step_s_properties_typed_by_its_type() -> None:
    report = RawStep.from_json(
        json.loads((SDK_GENERATED / "sdk-notebook-jobs.json").read_text())["Steps"][0]
    )
    model = ModelStep(
        name="Model",
        image=IMAGE,
        model_data=report.properties.ModelArtifacts.S3ModelArtifacts,
        role=ROLE,
    )
    threshold = ParameterString(name="Threshold", default_value="0.8")
    instance_type = ParameterString(name="NotebookInstanceType", default_value="ml.m5.xlarge")
    definition = PipelineDefinition(
        parameters=[threshold, instance_type], steps=[model]
    ).to_definition(StaticBinder())
    # Reached through the reference: the raw step is collected and ordered first.
    assert [entry["Name"] for entry in definition["Steps"]] == ["ChurnReport", "Model"]
    assert definition["Steps"][1]["Arguments"]["PrimaryContainer"]["ModelDataUrl"] == {
        "Get": "Steps.ChurnReport.ModelArtifacts.S3ModelArtifacts"
    }
    assert report.properties.TrainingJobName.value_type == "String"


def test_a_lambda_output_s_type_is_read_from_the_enum_or_its_value() -> None:
    # OutputParameters as the JSON has them, the type written as a string or as the
    # language's OutputType (an enum renders as its value anywhere in a raw step).
    notify = RawStep(
        name="Notify",
        type="Lambda",
        arguments={},
        extra_fields={
            "FunctionArn": FUNCTION,
            "OutputParameters": [
                {"OutputName": "rows", "OutputType": OutputType.INTEGER},
                {"OutputName": "sent", "OutputType": "Boolean"},
                {"OutputName": "note"},
            ],
        },
    )
    outputs = notify.properties.OutputParameters
    assert [outputs[name].value_type for name in ("rows", "sent", "note")] == [
        "Integer",
        "Boolean",
        "String",
    ]
    assert notify.to_request()["OutputParameters"][0] == {
        "OutputName": "rows",
        "OutputType": "Integer",
    }


def test_a_raw_step_reads_typed_steps_by_expression_and_by_the_definition_s_get() -> None:
    prep = ProcessingStep(name="Prep", image=IMAGE, outputs=["train"])
    train = TrainingStep(name="Train", image=IMAGE, output_path="s3://b/models")
    raw = RawStep(
        name="Publish",
        type="Processing",
        arguments=processing_arguments(
            AppSpecification={
                "ImageUri": IMAGE,
                # Written as the SDK writes references: the step must be in the pipeline.
                "ContainerArguments": [
                    "--model",
                    {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                ],
            },
            Environment={"DATA": prep.output("train")},
        ),
    )
    binder = StaticBinder(role_arn=ROLE, default_bucket="b")
    definition = PipelineDefinition(steps=[raw, train]).to_definition(binder)
    # Prep through the expression, Train by the Get (listed): each before the raw step.
    assert [entry["Name"] for entry in definition["Steps"]] == ["Prep", "Train", "Publish"]


def test_a_raw_step_in_a_condition_branch() -> None:
    mode = ParameterString(name="Mode", default_value="full")
    notify = RawStep(
        name="Notify",
        type="Lambda",
        arguments={"mode": mode},
        extra_fields={
            "FunctionArn": FUNCTION,
            "OutputParameters": [StepOutput(output_name="sent", output_type=OutputType.BOOLEAN)],
        },
    )
    done = FailStep(
        name="Stop",
        error_message=Join(on=" ", values=["sent:", notify.properties.OutputParameters["sent"]]),
    )
    check = ConditionStep(
        name="Check", conditions=[ConditionEquals(left=mode, right="full")], if_steps=[notify]
    )
    definition = PipelineDefinition(parameters=[mode], steps=[check, done]).to_definition()
    entries = {entry["Name"]: entry for entry in definition["Steps"]}
    assert set(entries) == {"Check", "Stop"}
    assert entries["Check"]["Arguments"]["IfSteps"] == [
        {
            "Name": "Notify",
            "Type": "Lambda",
            "Arguments": {"mode": {"Get": "Parameters.Mode"}},
            "FunctionArn": FUNCTION,
            "OutputParameters": [{"OutputName": "sent", "OutputType": "Boolean"}],
        }
    ]
    assert notify.properties.OutputParameters["sent"].value_type == "Boolean"


def test_a_property_file_of_a_raw_step_is_read_with_json_get() -> None:
    report = PropertyFile(name="Report", output_name="report", path="report.json")
    evaluate = RawStep(
        name="Evaluate",
        type="Processing",
        arguments=processing_arguments(),
        property_files=[report],
    )
    accuracy = JsonGet(step=evaluate, property_file=report, json_path="accuracy")
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=accuracy, right=1.0)],
        if_steps=[FailStep(name="Perfect")],
    )
    definition = PipelineDefinition(steps=[check]).to_definition(StaticBinder(role_arn=ROLE))
    assert [entry["Name"] for entry in definition["Steps"]] == ["Evaluate", "Check"]


# -- bad inputs: errors name the step and the field ------------------------------------------


def test_fails_an_unknown_type_naming_step_field_and_argument() -> None:
    step = RawStep(name="Report", type="Trainig", arguments={})
    [(name, field, message)] = problems_of(step)
    assert (name, field, message) == ("Report", "Type", "unknown step type 'Trainig'")
    with pytest.raises(PipelineValidationError, match=r"field 'Type' \(type=\): unknown step type"):
        PipelineDefinition(steps=[step]).compile(StaticBinder(role_arn=ROLE))
    with pytest.raises(
        PropertyPathError,
        match=r"^RawStep 'Report' has no properties: 'Trainig' is no step type \(did you mean "
        r"'Training' or 'Tuning'\?\)$",
    ):
        step.properties  # noqa: B018


def test_fails_arguments_of_the_wrong_shape_naming_step_and_field() -> None:
    arguments = processing_arguments()
    arguments["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = "one"
    arguments["AppSpecificaton"] = arguments.pop("AppSpecification")
    step = RawStep(name="Evaluate", type="Processing", arguments=arguments)
    found = {(name, field) for name, field, _ in problems_of(step)}
    assert found == {
        ("Evaluate", "Arguments.ProcessingResources.ClusterConfig.InstanceCount"),
        ("Evaluate", "Arguments.AppSpecification"),  # missing
        ("Evaluate", "Arguments.AppSpecificaton"),  # unknown, with a suggestion
    }
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).compile(StaticBinder(role_arn=ROLE))
    assert (
        "- step 'Evaluate' field 'Arguments.AppSpecificaton' (arguments=): unknown member"
        in str(caught.value)
    )


def test_fails_a_reference_to_a_step_not_in_the_pipeline() -> None:
    step = RawStep(
        name="Evaluate",
        type="Processing",
        arguments=processing_arguments(
            Environment={"MODEL": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}
        ),
        depends_on=["Prep"],
    )
    problems = {(name, field): message for name, field, message in problems_of(step)}
    assert set(problems) == {
        ("Evaluate", "DependsOn[0]"),
        ("Evaluate", "Arguments.Environment['MODEL']"),
    }
    assert problems["Evaluate", "DependsOn[0]"].startswith(
        "depends on step 'Prep', which is not in the pipeline"
    )
    assert problems["Evaluate", "Arguments.Environment['MODEL']"].startswith(
        "refers to step 'Train', which is not in the pipeline"
    )


def test_fails_a_bad_name_and_a_name_a_typed_step_has_too() -> None:
    [(name, field, message)] = problems_of(
        RawStep(name="Bad name", type="Fail", arguments={"ErrorMessage": "x"})
    )
    assert (name, field) == ("Bad name", "Name")
    assert message == "step name 'Bad name' must be 1-64 characters of A-Z, a-z, 0-9, - and _"
    train = TrainingStep(name="Train", image=IMAGE, output_path="s3://b/models")
    raw = RawStep(name="Train", type="Fail", arguments={"ErrorMessage": "x"})
    [(name, field, message)] = problems_of(raw, train)
    assert (name, field) == ("Train", "Name")
    assert message == (
        "step name 'Train' is used twice: by the Fail step at Steps[0] and by the Training "
        "step at Steps[1]"
    )


def test_fails_retry_and_cache_rules_as_for_a_definition_json() -> None:
    step = RawStep(
        name="Notify",
        type="Lambda",
        arguments={},
        extra_fields={"FunctionArn": FUNCTION},
        retry_policies=[{"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 2}],
        cache_config={"Enabled": "yes"},
    )
    assert [(name, field) for name, field, _ in problems_of(step)] == [
        ("Notify", "RetryPolicies"),
        ("Notify", "CacheConfig.Enabled"),
    ]


def test_fails_a_misspelt_property_with_suggestions() -> None:
    train = RawStep(name="Train", type="Training", arguments={})
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': the step has no property 'ModelArtifact' \(did you mean "
        r"'ModelArtifacts'\?\)$",
    ):
        train.properties.ModelArtifact  # noqa: B018
    evaluate = RawStep(name="Evaluate", type="Processing", arguments=processing_arguments())
    with pytest.raises(
        PropertyPathError, match=r"has no entry 'reprot' \(did you mean 'report'\?\)"
    ):
        evaluate.properties.ProcessingOutputConfig.Outputs["reprot"]
    with pytest.raises(PropertyPathError, match=r"^Fail step 'Stop' has no properties"):
        RawStep(name="Stop", type="Fail", arguments={}).properties  # noqa: B018


def test_fails_what_a_raw_step_can_t_be_at_construction() -> None:
    with pytest.raises(PipelineDefinitionError, match="write a ConditionStep, whose if_steps="):
        RawStep(name="Check", type="Condition", arguments={"Conditions": []})
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^RawStep 'Notify': extra_fields holds 'CacheConfig', which is cache_config= ",
    ):
        RawStep(name="Notify", type="Lambda", arguments={}, extra_fields={"CacheConfig": {}})
    with pytest.raises(
        UnknownArgumentError, match=r"no argument 'step_type' \(did you mean 'type'"
    ):
        RawStep(name="Train", step_type="Training", arguments={})  # type: ignore[call-arg]
    with pytest.raises(PipelineDefinitionError, match="field 'arguments' expects a mapping"):
        RawStep(name="Train", type="Training", arguments=[])  # type: ignore[arg-type]
    with pytest.raises(PipelineDefinitionError, match="the entry has no Type or Arguments"):
        RawStep.from_json({"Name": "Train"})


# -- the SDK's NotebookJobStep in a Python pipeline ------------------------------------------


def test_sdk_notebook_jobs_round_trip_as_raw_steps_beside_typed_steps() -> None:
    sdk = json.loads((SDK_GENERATED / "sdk-notebook-jobs.json").read_text())
    report_entry, publish_entry, _ = sdk["Steps"]
    report = RawStep.from_json(report_entry)
    # Publish's DependsOn as the step object; its raw Gets of ChurnReport stay as written.
    publish = dataclasses.replace(RawStep.from_json(publish_entry), depends_on=[report])
    properties = report.properties
    archive = ProcessingStep(
        name="Archive",
        image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        code=Code.from_s3("s3://my-bucket/code/archive.py"),
        role=report_entry["Arguments"]["RoleArn"],
        arguments=[
            "--input-notebook",
            properties.Environment["SM_INPUT_NOTEBOOK_NAME"],
            "--status",
            properties.TrainingJobStatus,
            "--input-location",
            properties.InputDataConfig[0].DataSource.S3DataSource.S3Uri,
        ],
        inputs=[
            ProcessingInput(
                input_name="input-1",
                source=properties.OutputDataConfig.S3OutputPath,
                destination="/opt/ml/processing/report",
            )
        ],
    )
    pipeline = PipelineDefinition(
        parameters=[
            ParameterString(name="Threshold", default_value="0.8"),
            ParameterString(name="NotebookInstanceType", default_value="ml.m5.xlarge"),
        ],
        steps=[archive, publish],
        experiment_config=PipelineExperimentConfig(
            experiment_name=ExecutionVariables.PIPELINE_NAME,
            trial_name=ExecutionVariables.PIPELINE_EXECUTION_ID,
        ),
    )

    compiled = pipeline.to_definition(StaticBinder())

    expected = copy.deepcopy(sdk)
    by_name = {entry["Name"]: entry for entry in expected.pop("Steps")}
    assert {entry["Name"]: entry for entry in compiled.pop("Steps")} == by_name
    assert compiled == expected
    # Planned as the definition JSON is (in the same step order): the notebooks' runtime too.
    compiled = pipeline.to_definition(StaticBinder())
    ordered = [by_name[entry["Name"]] for entry in compiled["Steps"]]
    assert plan_permissions(compiled) == plan_permissions({**sdk, "Steps": ordered})


@pytest.mark.parametrize(
    ("kind", "members"),
    [
        ("Lambda", {"FunctionArn": FUNCTION}),
        ("Callback", {"SqsQueueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q"}),
        ("Fail", {}),
        ("QualityCheck", {}),
        ("Endpoint", {}),
    ],
)
def test_fails_retry_policies_on_a_step_type_that_takes_none(
    kind: str, members: dict[str, Any]
) -> None:
    # The guide's "Retry Policy for Pipeline Steps": "The retry policy only supports"
    # Processing, Training, Tuning, AutoML, create-model, register-model, Transform and
    # notebook-job steps (and the SDK writes it for EMR and EndpointConfig steps).
    policy = StepRetryPolicy(exception_types=[StepExceptionType.THROTTLING], max_attempts=2)
    step = RawStep(
        name="Gate",
        type=kind,
        arguments={},
        extra_fields=members,
        retry_policies=[policy],
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(StaticBinder(role_arn=ROLE))

    retry = [p for p in raised.value.problems if p.field == "RetryPolicies"]
    assert [(p.step, p.message, p.hint) for p in retry] == [
        (
            "Gate",
            f"not a field of {'an' if kind[0] in 'AEIOU' else 'a'} {kind} step",
            f"{kind} steps take no retry policies",
        )
    ]
