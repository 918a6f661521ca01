"""AutoMLStep (the Python side of AutoML steps) renders what the SDK's AutoMLStep writes.

tests/definition/steps/test_automl.py checks AutoML steps given as JSON; this file the
step the language builds: its request, the binder's defaults, its properties and the
``ModelStep`` of its best candidate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    AutoMLInput,
    AutoMLStep,
    Binder,
    BoundCode,
    CacheConfig,
    Code,
    Image,
    JobDefaults,
    NetworkConfig,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingStep,
    PropertyPathError,
    RegisterModel,
    S3Location,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
    StaticBinder,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._errors import UnknownArgumentError
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE, OUTPUT_KEY, VOLUME_KEY, default_output

GOLDEN = Path(__file__).parents[1] / "sdk_generated" / "sdk-automl-and-batch-monitoring.json"
SDK_ROLE = "arn:aws:iam::111122223333:role/sm"
VPC = {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}


def sdk_like_step() -> AutoMLStep:
    """The step the golden's SDK code builds (``AutoML(…).fit(AutoMLInput(…))``)."""
    return AutoMLStep(
        name="AutoML",
        inputs=AutoMLInput(
            inputs="s3://my-bucket/train.csv",
            target_attribute_name="label",
            channel_type="training",
        ),
        output_path="s3://my-bucket/automl",
        problem_type="BinaryClassification",
        job_objective="F1",
        max_candidates=3,
        total_job_runtime_in_seconds=3600,
        role=SDK_ROLE,
    )


def test_step_and_best_model_compile_to_what_the_sdk_writes() -> None:
    automl = sdk_like_step()
    model = automl.best_model("BestModel-CreateModel", role=SDK_ROLE)

    definition = PipelineDefinition(steps=[automl, model]).to_definition(StaticBinder())

    golden = json.loads(GOLDEN.read_text())
    assert definition["Steps"] == golden["Steps"][:2]
    assert validate_definition(definition) == []


def test_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = AutoMLStep(name="AutoML", inputs="s3://b/train.csv", target_attribute_name="y")

    assert step.to_request(ctx) == {
        "Name": "AutoML",
        "Type": "AutoML",
        "Arguments": {
            "InputDataConfig": [
                {
                    "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/train.csv"}
                    },
                    "TargetAttributeName": "y",
                }
            ],
            # Without output_path the binder picks the location (retained by the CDK binder).
            "OutputDataConfig": {"S3OutputPath": default_output("AutoML", "automl")},
            "AutoMLJobConfig": {
                "CompletionCriteria": {},
                "SecurityConfig": {"EnableInterContainerTrafficEncryption": False},
                "Mode": "ENSEMBLING",
            },
            "RoleArn": ROLE,
        },
    }
    assert ctx.problems == []


def test_every_option(ctx: RenderContext) -> None:
    prep = ProcessingStep(name="Prep", image=IMAGE, outputs=["train", "validation"], role=ROLE)
    target = ParameterString(name="Target", default_value="churn")
    candidates = ParameterInteger(name="Candidates", default_value=10)
    step = AutoMLStep(
        name="AutoML",
        display_name="Autopilot",
        description="Picks the best model",
        depends_on=["Other"],
        inputs=[
            AutoMLInput(inputs=prep.output("train"), channel_type="training"),
            AutoMLInput(
                inputs=prep.output("validation"),
                channel_type="validation",
                content_type="text/csv;header=present",
                sample_weight_attribute_name="w",
            ),
        ],
        target_attribute_name=target,
        problem_type="MulticlassClassification",
        job_objective="Accuracy",
        max_candidates=candidates,
        max_runtime_per_training_job_in_seconds=600,
        total_job_runtime_in_seconds=7200,
        output_path=S3Location.from_bucket("results", "automl"),
        compression_type="Gzip",
        content_type="text/csv",
        s3_data_type="S3Prefix",
        feature_specification_s3_uri="s3://results/features.json",
        validation_fraction=0.2,
        volume_kms_key=VOLUME_KEY,
        output_kms_key=OUTPUT_KEY,
        network=NetworkConfig(
            subnets=["subnet-1"],
            security_group_ids=["sg-1"],
            enable_inter_container_traffic_encryption=True,
        ),
        role=ROLE,
        cache_config=CacheConfig(expire_after="P30D"),
        retry_policies=[
            SageMakerJobStepRetryPolicy(
                exception_types=[SageMakerJobExceptionType.CAPACITY_ERROR], max_attempts=3
            )
        ],
        extra_arguments={"Tags": [{"Key": "team", "Value": "ml"}]},
    )

    def channel(output: str, **members: Any) -> dict[str, Any]:
        uri = {"Get": f"Steps.Prep.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri"}
        return {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
            "TargetAttributeName": {"Get": "Parameters.Target"},
            "CompressionType": "Gzip",
            **members,
        }

    assert step.to_request(ctx) == {
        "Name": "AutoML",
        "Type": "AutoML",
        "Arguments": {
            # A channel's own members win over the step's.
            "InputDataConfig": [
                channel("train", ChannelType="training", ContentType="text/csv"),
                channel(
                    "validation",
                    ChannelType="validation",
                    ContentType="text/csv;header=present",
                    SampleWeightAttributeName="w",
                ),
            ],
            "OutputDataConfig": {"S3OutputPath": "s3://results/automl", "KmsKeyId": OUTPUT_KEY},
            "AutoMLJobConfig": {
                "CompletionCriteria": {
                    "MaxCandidates": {"Get": "Parameters.Candidates"},
                    "MaxRuntimePerTrainingJobInSeconds": 600,
                    "MaxAutoMLJobRuntimeInSeconds": 7200,
                },
                "SecurityConfig": {
                    "EnableInterContainerTrafficEncryption": True,
                    "VolumeKmsKeyId": VOLUME_KEY,
                    "VpcConfig": VPC,
                },
                "CandidateGenerationConfig": {
                    "FeatureSpecificationS3Uri": "s3://results/features.json"
                },
                "DataSplitConfig": {"ValidationFraction": 0.2},
                "Mode": "ENSEMBLING",
            },
            "RoleArn": ROLE,
            "AutoMLJobObjective": {"MetricName": "Accuracy"},
            "ProblemType": "MulticlassClassification",
            "Tags": [{"Key": "team", "Value": "ml"}],
        },
        "DependsOn": ["Other"],
        "DisplayName": "Autopilot",
        "Description": "Picks the best model",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P30D"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
            }
        ],
    }
    assert ctx.problems == []
    # Valid as a whole, once the step it depends on by name is in the pipeline too.
    other = AutoMLStep(name="Other", inputs="s3://b/t.csv", target_attribute_name="y", role=ROLE)
    definition = PipelineDefinition(
        steps=[prep, other, step], parameters=[target, candidates]
    ).to_definition(StaticBinder(default_bucket="my-bucket"))
    assert validate_definition(definition) == []


def test_one_location_or_several_are_one_channel_each(ctx: RenderContext) -> None:
    step = AutoMLStep(
        name="AutoML",
        inputs=["s3://b/part-1.csv", AutoMLInput(inputs=["s3://b/a", "s3://b/b"])],
        target_attribute_name="y",
        s3_data_type="ManifestFile",
    )

    channels = step.to_request(ctx)["Arguments"]["InputDataConfig"]

    assert [c["DataSource"]["S3DataSource"]["S3Uri"] for c in channels] == [
        "s3://b/part-1.csv",
        "s3://b/a",
        "s3://b/b",
    ]
    assert {c["DataSource"]["S3DataSource"]["S3DataType"] for c in channels} == {"ManifestFile"}


# -- binder defaults --------------------------------------------------------------------


class EncryptingBinder:
    """A binder with keys and a VPC for every job, network isolation asked for too."""

    def bind_code(self, code: Code, *, step_name: str, archive: bool) -> BoundCode:
        raise AssertionError("no code")

    def bind_image(self, image: Image, *, step_name: str) -> Any:
        raise AssertionError("no image")

    def bind_s3(self, location: S3Location, *, step_name: str, access: Any) -> Any:
        return f"s3://assets/{access}"

    def default_role_arn(self, *, step_name: str, step_type: str) -> Any:
        return ROLE

    def default_output_uri(self, *, step_name: str, output_name: str, retained: bool) -> Any:
        return f"s3://artifacts/{'models' if retained else 'executions'}/{step_name}/{output_name}"

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return JobDefaults(
            volume_kms_key="volume-key",
            output_kms_key="output-key",
            network=NetworkConfig(
                subnets=["subnet-1"],
                security_group_ids=["sg-1"],
                enable_network_isolation=True,
                enable_inter_container_traffic_encryption=True,
            ),
        )


def test_binder_defaults_encrypt_and_place_the_job_and_keep_its_output() -> None:
    binder: Binder = EncryptingBinder()
    step = AutoMLStep(name="AutoML", inputs="s3://b/train.csv", target_attribute_name="y")

    arguments = step.to_request(RenderContext(binder))["Arguments"]

    # The best candidate's model lives under the output path: retained, not expiring.
    assert arguments["OutputDataConfig"] == {
        "S3OutputPath": "s3://artifacts/models/AutoML/automl",
        "KmsKeyId": "output-key",
    }
    # An AutoML job has no network isolation: the VPC is what keeps it in.
    assert arguments["AutoMLJobConfig"]["SecurityConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "VolumeKmsKeyId": "volume-key",
        "VpcConfig": VPC,
    }
    assert "EnableNetworkIsolation" not in json.dumps(arguments)


def test_the_steps_own_keys_and_network_win_over_the_binders() -> None:
    binder: Binder = EncryptingBinder()
    step = AutoMLStep(
        name="AutoML",
        inputs="s3://b/train.csv",
        target_attribute_name="y",
        volume_kms_key=VOLUME_KEY,
        output_kms_key=OUTPUT_KEY,
        network=NetworkConfig(subnets=["subnet-2"], security_group_ids=["sg-2"]),
    )

    arguments = step.to_request(RenderContext(binder))["Arguments"]

    assert arguments["OutputDataConfig"]["KmsKeyId"] == OUTPUT_KEY
    assert arguments["AutoMLJobConfig"]["SecurityConfig"] == {
        "EnableInterContainerTrafficEncryption": False,
        "VolumeKmsKeyId": VOLUME_KEY,
        "VpcConfig": {"SecurityGroupIds": ["sg-2"], "Subnets": ["subnet-2"]},
    }


# -- the job's role ------------------------------------------------------------------------

AUTOML_ROLE = "arn:aws:iam::111122223333:role/automl-jobs"


def _automl_pipeline() -> PipelineDefinition:
    prep = ProcessingStep(name="Prep", image=IMAGE, outputs=["train"])
    automl = AutoMLStep(name="AutoML", inputs=prep.output("train"), target_attribute_name="y")
    return PipelineDefinition(steps=[automl, automl.best_model("BestModel")])


def _roles(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        step["Name"]: step["Arguments"].get("RoleArn", step["Arguments"].get("ExecutionRoleArn"))
        for step in definition["Steps"]
    }


def test_automl_steps_that_name_no_role_get_the_binders_automl_role() -> None:
    # An Autopilot job's role creates, invokes and deletes models and endpoints: a binder
    # may keep that role apart from the one every other job runs with.
    binder = StaticBinder(role_arn=ROLE, automl_role_arn=AUTOML_ROLE, default_bucket="b")

    definition = _automl_pipeline().to_definition(binder)

    # The best candidate's model serves with the jobs' role, not Autopilot's.
    assert _roles(definition) == {"Prep": ROLE, "AutoML": AUTOML_ROLE, "BestModel": ROLE}
    # Without automl_role_arn, role_arn is every job's.
    default = _automl_pipeline().to_definition(StaticBinder(role_arn=ROLE, default_bucket="b"))
    assert _roles(default) == {"Prep": ROLE, "AutoML": ROLE, "BestModel": ROLE}


def test_an_automl_step_naming_its_role_keeps_it() -> None:
    binder = StaticBinder(role_arn=ROLE, automl_role_arn=AUTOML_ROLE, default_bucket="b")
    step = AutoMLStep(
        name="AutoML", inputs="s3://b/t.csv", target_attribute_name="y", role=SDK_ROLE
    )

    assert step.to_request(RenderContext(binder))["Arguments"]["RoleArn"] == SDK_ROLE


class _BinderBeforeStepType(StaticBinder):
    """A custom binder written before ``step_type`` was added to ``default_role_arn``."""

    def default_role_arn(self, *, step_name: str) -> Any:  # type: ignore[override]
        return f"arn:aws:iam::111122223333:role/old-binder-{step_name}"


def test_a_binder_without_the_step_type_parameter_still_binds_roles() -> None:
    old_binder: Any = _BinderBeforeStepType(default_bucket="b")  # not a Binder to mypy: the point

    definition = _automl_pipeline().to_definition(old_binder)

    assert _roles(definition)["AutoML"] == "arn:aws:iam::111122223333:role/old-binder-AutoML"
    assert _roles(definition)["Prep"] == "arn:aws:iam::111122223333:role/old-binder-Prep"


# -- properties and the best model ------------------------------------------------------


def test_properties_follow_describe_automl_job_and_the_sdk_report_paths() -> None:
    step = sdk_like_step()

    container = step.properties.BestCandidate.InferenceContainers[0]
    assert container.ModelDataUrl.to_request() == {
        "Get": "Steps.AutoML.BestCandidate.InferenceContainers[0].ModelDataUrl"
    }
    assert step.properties.BestCandidateProperties.ModelInsightsJsonReportPath.to_request() == {
        "Get": "Steps.AutoML.BestCandidateProperties.ModelInsightsJsonReportPath"
    }


def test_fails_misspelled_property_with_suggestions() -> None:
    step = sdk_like_step()

    with pytest.raises(PropertyPathError) as raised:
        step.properties.BestCandidat  # type: ignore[attr-defined]  # noqa: B018
    assert str(raised.value) == (
        "step 'AutoML': the step has no property 'BestCandidat' (did you mean "
        "'BestCandidate' or 'BestCandidateProperties'?)"
    )


def test_best_model_container_registers_the_best_candidate(binder: StaticBinder) -> None:
    automl = sdk_like_step()
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        containers=[automl.best_model_container()],
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )

    definition = PipelineDefinition(steps=[automl, register]).to_definition(binder)

    [container] = definition["Steps"][1]["Arguments"]["InferenceSpecification"]["Containers"]
    best = "Steps.AutoML.BestCandidate.InferenceContainers[0]"
    assert container["Image"] == {"Get": f"{best}.Image"}
    assert container["ModelDataUrl"] == {"Get": f"{best}.ModelDataUrl"}
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == {
        "Get": f"{best}.Environment['SAGEMAKER_PROGRAM']"
    }
    assert len(container["Environment"]) == 6


def test_best_model_takes_the_model_steps_options(binder: StaticBinder) -> None:
    model = sdk_like_step().best_model(
        "BestModel", network=NetworkConfig(subnets=["s"], security_group_ids=["g"])
    )

    arguments = model.to_request(RenderContext(binder))["Arguments"]

    assert arguments["ExecutionRoleArn"] == ROLE  # the binder's job role
    assert arguments["VpcConfig"] == {"SecurityGroupIds": ["g"], "Subnets": ["s"]}


# -- failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"problem_type": "Regression"},
            "AutoMLStep 'AutoML': problem_type= without job_objective=; give both (e.g. "
            'problem_type="BinaryClassification", job_objective="F1") or neither, and '
            "Autopilot infers them",
        ),
        (
            {"job_objective": "MSE"},
            "AutoMLStep 'AutoML': job_objective= without problem_type=; give both (e.g. "
            'problem_type="BinaryClassification", job_objective="F1") or neither, and '
            "Autopilot infers them",
        ),
    ],
)
def test_fails_problem_type_or_objective_alone(given: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        AutoMLStep(name="AutoML", inputs="s3://b/t.csv", target_attribute_name="y", **given)
    assert str(raised.value) == message


def test_fails_network_isolation_naming_what_to_give_instead() -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        AutoMLStep(
            name="AutoML",
            inputs="s3://b/t.csv",
            target_attribute_name="y",
            network=NetworkConfig(enable_network_isolation=True),
        )
    assert str(raised.value) == (
        "AutoMLStep 'AutoML': an AutoML job has no network isolation (CreateAutoMLJob's "
        "SecurityConfig takes a VPC only); give network=NetworkConfig(subnets=…, "
        "security_group_ids=…) to keep it in your VPC"
    )


def test_fails_a_channel_without_target() -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        AutoMLStep(
            name="AutoML",
            inputs=[
                AutoMLInput(inputs="s3://b/t.csv", target_attribute_name="y"),
                AutoMLInput(inputs="s3://b/v.csv", channel_type="validation"),
            ],
        )
    assert str(raised.value) == (
        "AutoMLStep 'AutoML': no target_attribute_name (the column to predict) for channel "
        "1; give target_attribute_name= to the step or to each AutoMLInput"
    )


def test_fails_no_input() -> None:
    with pytest.raises(PipelineDefinitionError, match="inputs= names no S3 location"):
        AutoMLStep(name="AutoML", inputs=[], target_attribute_name="y")


def test_fails_mode_other_than_ensembling_naming_the_argument(binder: StaticBinder) -> None:
    step = AutoMLStep(name="AutoML", inputs="s3://b/t.csv", target_attribute_name="y", mode="AUTO")

    with pytest.raises(PipelineValidationError, match="ENSEMBLING mode only") as raised:
        PipelineDefinition(steps=[step]).to_definition(binder)
    [problem] = raised.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message) == (
        "AutoML",
        "Arguments.AutoMLJobConfig.Mode",
        "mode",
        "an AutoML step runs in ENSEMBLING mode only, got Mode 'AUTO'",
    )


def test_fails_unknown_channel_type_naming_the_input(binder: StaticBinder) -> None:
    step = AutoMLStep(
        name="AutoML",
        inputs=AutoMLInput(inputs="s3://b/t.csv", channel_type="train"),
        target_attribute_name="y",
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(binder)
    [problem] = raised.value.problems
    assert (problem.field, problem.argument) == (
        "Arguments.InputDataConfig[0].ChannelType",
        "inputs",
    )
    assert "'train'" in problem.message


def test_fails_a_step_level_value_naming_the_steps_argument(binder: StaticBinder) -> None:
    step = AutoMLStep(
        name="AutoML", inputs="s3://b/t.csv", target_attribute_name="y", compression_type="zip"
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(binder)
    [problem] = raised.value.problems
    assert (problem.field, problem.argument) == (
        "Arguments.InputDataConfig[0].CompressionType",
        "compression_type",
    )


@pytest.mark.parametrize(
    ("argument", "hint"),
    [
        (
            "generate_candidate_definitions_only",
            "an AutoML step runs the candidates it generates",
        ),
        ("endpoint_name", "an AutoML step deploys nothing"),
        ("vpc_config", "network=NetworkConfig("),
    ],
)
def test_fails_sdk_arguments_with_what_to_write_instead(argument: str, hint: str) -> None:
    with pytest.raises(UnknownArgumentError) as raised:
        AutoMLStep(
            name="AutoML",
            inputs="s3://b/t.csv",
            target_attribute_name="y",
            **{argument: True},  # type: ignore[arg-type]
        )
    assert hint in str(raised.value)
