"""ModelStep renders CreateModel; RegisterModel renders CreateModelPackage."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    ConditionEquals,
    ConditionStep,
    Container,
    DriftCheckBaselines,
    ExecutionVariables,
    FileSource,
    Image,
    Join,
    LambdaStep,
    MetadataProperties,
    MetricsSource,
    ModelData,
    ModelMetrics,
    ModelStep,
    NetworkConfig,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingOutput,
    ProcessingStep,
    RegisterModel,
    S3Location,
    StaticBinder,
    StepExceptionType,
    StepOutput,
    StepRetryPolicy,
    TrainingStep,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import JsonValue, RenderContext
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE, OTHER_ROLE, SKLEARN_IMAGE, replace_members

LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:approve"
MODEL_DATA = "Steps.Train.ModelArtifacts.S3ModelArtifacts"
THREADS = {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Threads"}]}}


def train_step() -> TrainingStep:
    return TrainingStep(name="Train", image=IMAGE, role=ROLE, output_path="s3://b/models")


# ModelStep


def test_model_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = ModelStep(name="CreateModel", image=IMAGE)

    assert step.to_request(ctx) == {
        "Name": "CreateModel",
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": ROLE,
            # As the SDK writes it: an empty Environment is part of every container.
            "PrimaryContainer": {"Image": IMAGE, "Environment": {}},
        },
    }
    assert ctx.problems == []


def every_model_option(
    script: Path,
) -> tuple[ModelStep, TrainingStep, LambdaStep, ParameterInteger]:
    train = train_step()
    approve = LambdaStep(name="Approve", function_arn=LAMBDA_ARN)
    threads = ParameterInteger(name="Threads", default_value=2)
    step = ModelStep(
        name="CreateModel",
        display_name="Create model",
        description="The model behind the batch transform",
        depends_on=[approve, "Train"],
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        code=Code.from_asset(script),
        environment={"LOG_LEVEL": "debug", "THREADS": threads, "WORKERS": 4},
        role=OTHER_ROLE,
        network=NetworkConfig(
            subnets=["subnet-1"],
            security_group_ids=["sg-1"],
            enable_network_isolation=True,
            # CreateModel has no inter-container encryption: it is left out.
            enable_inter_container_traffic_encryption=True,
        ),
        retry_policies=[
            StepRetryPolicy(exception_types=[StepExceptionType.SERVICE_FAULT], max_attempts=2)
        ],
        extra_arguments={
            "PrimaryContainer": {"Mode": "SingleModel", "Environment": {"EXTRA": "1"}},
            "VpcConfig": {"Subnets": ["subnet-2"]},
        },
    )
    return step, train, approve, threads


def test_model_every_option(ctx: RenderContext, script: Path) -> None:
    step, train, approve, threads = every_model_option(script)

    assert step.to_request(ctx) == {
        "Name": "CreateModel",
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": OTHER_ROLE,
            "PrimaryContainer": {
                "Image": SKLEARN_IMAGE,
                "Environment": {
                    "LOG_LEVEL": "debug",
                    "THREADS": THREADS,
                    "WORKERS": "4",
                    "SAGEMAKER_PROGRAM": "prep.py",
                    # Inference code travels as an archive, even a single file.
                    "SAGEMAKER_SUBMIT_DIRECTORY": "s3://b/code/prep.py.tar.gz",
                    "EXTRA": "1",
                },
                "ModelDataUrl": {"Get": MODEL_DATA},
                "Mode": "SingleModel",
            },
            "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-2"]},
            "EnableNetworkIsolation": True,
        },
        "DependsOn": ["Approve", "Train"],
        "DisplayName": "Create model",
        "Description": "The model behind the batch transform",
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 2,
                "ExceptionType": ["Step.SERVICE_FAULT"],
            }
        ],
    }
    assert ctx.problems == []
    assert ctx.referenced_steps == [train, approve]
    assert ctx.referenced_parameters == [threads]


def test_model_every_option_compiles_to_a_valid_definition(
    binder: StaticBinder, script: Path
) -> None:
    step, _, _, threads = every_model_option(script)

    definition = PipelineDefinition(parameters=[threads], steps=[step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Approve", "Train", "CreateModel"}


def test_model_code_directory_names_its_entry_point(ctx: RenderContext, source_dir: Path) -> None:
    step = ModelStep(
        name="CreateModel", image=IMAGE, code=Code.from_asset(source_dir, entry_point="run.py")
    )

    assert step.to_request(ctx)["Arguments"]["PrimaryContainer"] == {
        "Image": IMAGE,
        "Environment": {
            "SAGEMAKER_PROGRAM": "run.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": "s3://b/code/src.tar.gz",
        },
    }


def test_model_network_from_binder_defaults_skips_what_create_model_lacks() -> None:
    from cdk_sagemaker_pipelines.definition import JobDefaults

    class VpcBinder(StaticBinder):
        def job_defaults(self, *, step_name: str) -> JobDefaults:
            return JobDefaults(
                volume_kms_key="volume-key",
                output_kms_key="output-key",
                network=NetworkConfig(
                    subnets=["subnet-9"],
                    security_group_ids=["sg-9"],
                    enable_inter_container_traffic_encryption=True,
                ),
            )

    ctx = RenderContext(VpcBinder(role_arn=ROLE))

    assert ModelStep(name="M", image=IMAGE).to_request(ctx)["Arguments"] == {
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": IMAGE, "Environment": {}},
        "VpcConfig": {"SecurityGroupIds": ["sg-9"], "Subnets": ["subnet-9"]},
    }


# RegisterModel


def test_register_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = RegisterModel(name="Register", image=IMAGE, model_package_group_name="my-models")

    assert step.to_request(ctx) == {
        "Name": "Register",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": "my-models",
            "InferenceSpecification": {
                "Containers": [{"Image": IMAGE, "Environment": {}}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            # A person approves, never the pipeline itself.
            "ModelApprovalStatus": "PendingManualApproval",
        },
    }
    assert ctx.problems == []


def every_register_option() -> tuple[RegisterModel, TrainingStep, list[ParameterString]]:
    train = train_step()
    group = ParameterString(name="ModelGroup", default_value="my-models")
    image = ParameterString(name="InferenceImage", default_value=IMAGE)
    instance = ParameterString(name="InferenceInstance", default_value="ml.m5.large")
    approval = ParameterString(name="Approval", default_value="Approved")
    report_dir = train.properties.OutputDataConfig.S3OutputPath

    def report(name: str, content_type: str = "application/json") -> MetricsSource:
        return MetricsSource(s3_uri=f"s3://reports/{name}.json", content_type=content_type)

    step = RegisterModel(
        name="Register",
        display_name="Register model",
        description="Registers the trained model",
        depends_on=["Train"],
        model_package_group_name=group,
        image=Image.from_uri(image),
        model_data=S3Location.from_bucket("models", "churn/model.tar.gz"),
        code=Code.from_s3("s3://b/code/inference.tar.gz", entry_point="inference.py"),
        environment={"MODE": "serve", "VERBOSE": False},
        content_types=["application/json", "text/csv"],
        response_types=["application/json"],
        inference_instances=["ml.m5.large", instance],
        transform_instances=["ml.c5.xlarge"],
        approval_status=approval,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(s3_uri=Join(on="/", values=[report_dir, "stats.json"])),
            model_constraints=report("model-constraints"),
            data_statistics=report("data-statistics"),
            data_constraints=report("data-constraints"),
            bias_report=report("bias"),
            explainability_report=report("explainability", "text/plain"),
        ),
        model_package_description="Churn model",
        customer_metadata={"team": "ml-platform"},
        domain="MACHINE_LEARNING",
        task="CLASSIFICATION",
        retry_policies=[StepRetryPolicy(max_attempts=4)],
        extra_arguments={
            "InferenceSpecification": {"SupportedResponseMIMETypes": ["text/csv"]},
            "SkipModelValidation": "None",
        },
    )
    return step, train, [group, image, instance, approval]


def test_register_every_option(ctx: RenderContext) -> None:
    step, train, parameters = every_register_option()

    def source(name: str, content_type: str = "application/json") -> dict[str, str]:
        return {"ContentType": content_type, "S3Uri": f"s3://reports/{name}.json"}

    assert step.to_request(ctx) == {
        "Name": "Register",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": {"Get": "Parameters.ModelGroup"},
            "ModelPackageDescription": "Churn model",
            "ModelMetrics": {
                "ModelQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": {
                            "Std:Join": {
                                "On": "/",
                                "Values": [
                                    {"Get": "Steps.Train.OutputDataConfig.S3OutputPath"},
                                    "stats.json",
                                ],
                            }
                        },
                    },
                    "Constraints": source("model-constraints"),
                },
                "ModelDataQuality": {
                    "Statistics": source("data-statistics"),
                    "Constraints": source("data-constraints"),
                },
                "Bias": {"Report": source("bias")},
                "Explainability": {"Report": source("explainability", "text/plain")},
            },
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": {"Get": "Parameters.InferenceImage"},
                        "Environment": {
                            "MODE": "serve",
                            "VERBOSE": "false",
                            "SAGEMAKER_PROGRAM": "inference.py",
                            "SAGEMAKER_SUBMIT_DIRECTORY": "s3://b/code/inference.tar.gz",
                        },
                        "ModelDataUrl": "s3://models/churn/model.tar.gz",
                    }
                ],
                "SupportedContentTypes": ["application/json", "text/csv"],
                # extra_arguments replaced the list
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": [
                    "ml.m5.large",
                    {"Get": "Parameters.InferenceInstance"},
                ],
                "SupportedTransformInstanceTypes": ["ml.c5.xlarge"],
            },
            "ModelApprovalStatus": {"Get": "Parameters.Approval"},
            "CustomerMetadataProperties": {"team": "ml-platform"},
            "Domain": "MACHINE_LEARNING",
            "Task": "CLASSIFICATION",
            "SkipModelValidation": "None",
        },
        "DependsOn": ["Train"],
        "DisplayName": "Register model",
        "Description": "Registers the trained model",
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 4,
                "ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"],
            }
        ],
    }
    assert ctx.problems == []
    # The image parameter reaches the context through the binder too.
    assert {id(parameter) for parameter in ctx.referenced_parameters} == {
        id(parameter) for parameter in parameters
    }
    assert ctx.referenced_steps == [train]


def test_register_every_option_compiles_to_a_valid_definition(binder: StaticBinder) -> None:
    step, train, parameters = every_register_option()

    definition = PipelineDefinition(parameters=parameters, steps=[train, step]).to_definition(
        binder
    )

    assert {entry["Name"] for entry in definition["Steps"]} == {"Train", "Register"}


class _RetainedOutputs(StaticBinder):
    """A StaticBinder that puts retained default outputs in their own bucket."""

    def default_output_uri(
        self, *, step_name: str, output_name: str, retained: bool = False
    ) -> JsonValue:
        return f"s3://{'kept' if retained else 'expiring'}/{step_name}/{output_name}"


def test_register_retains_the_default_outputs_it_refers_to() -> None:
    # Rendered before the step it refers to is, in a condition branch: retaining happens
    # once every step is rendered.
    evaluate = ProcessingStep(name="Evaluate", image=IMAGE, role=ROLE, outputs=["a", "b", "c"])
    other = ProcessingStep(
        name="Other",
        image=IMAGE,
        role=ROLE,
        outputs=[ProcessingOutput("d", "/opt/ml/d", "s3://x/d")],
    )
    train = TrainingStep(name="Train", image=IMAGE, role=ROLE, inputs={"a": evaluate.output("a")})
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=IMAGE,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        environment={
            "REPORT": evaluate.properties.ProcessingOutputConfig.Outputs[2].S3Output.S3Uri
        },
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[evaluate.output("b"), "evaluation.json"])
            ),
            bias_report=MetricsSource(s3_uri=Join(on="/", values=[other.output("d"), "bias.json"])),
        ),
    )
    condition = ConditionStep(
        name="Check", conditions=[ConditionEquals(left=1, right=1)], if_steps=[register]
    )

    definition = PipelineDefinition(steps=[condition]).to_definition(_RetainedOutputs())

    steps = {entry["Name"]: entry for entry in definition["Steps"]}
    evaluated = steps["Evaluate"]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert [output["S3Output"]["S3Uri"] for output in evaluated] == [
        "s3://expiring/Evaluate/a",  # read by the training job only
        "s3://kept/Evaluate/b",
        "s3://kept/Evaluate/c",
    ]
    other_output = steps["Other"]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]
    assert other_output["S3Output"]["S3Uri"] == "s3://x/d"  # its own destination
    assert (
        steps["Train"]["Arguments"]["OutputDataConfig"]["S3OutputPath"] == "s3://kept/Train/model"
    )


def test_fails_register_model_takes_no_job_retry_policy() -> None:
    from cdk_sagemaker_pipelines.definition import (
        PipelineDefinitionError,
        SageMakerJobStepRetryPolicy,
    )

    with pytest.raises(
        PipelineDefinitionError,
        match=r"RegisterModel 'Register': field 'retry_policies\[0\]' expects StepRetryPolicy, "
        r"got SageMakerJobStepRetryPolicy",
    ):
        RegisterModel(
            name="Register",
            image=IMAGE,
            model_package_group_name="my-models",
            retry_policies=[SageMakerJobStepRetryPolicy()],  # type: ignore[list-item]
        )


# Several containers: an inference pipeline (the SageMaker SDK's PipelineModel)

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def pipeline_containers(script: Path) -> list[Container]:
    train = train_step()
    return [
        Container(
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data=S3Location.from_bucket("models-bucket", "prep/model.tar.gz"),
            code=Code.from_asset(script),
            environment={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"},
        ),
        Container(
            image=Image.xgboost("1.7-1", scope="inference"),
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        ),
        Container(image=IMAGE),
    ]


def rendered_pipeline_containers() -> list[JsonValue]:
    return [
        {
            "Image": SKLEARN_IMAGE,
            "Environment": {
                "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv",
                "SAGEMAKER_PROGRAM": "prep.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": "s3://b/code/prep.py.tar.gz",
            },
            "ModelDataUrl": "s3://models-bucket/prep/model.tar.gz",
        },
        {"Image": XGBOOST_IMAGE, "Environment": {}, "ModelDataUrl": {"Get": MODEL_DATA}},
        {"Image": IMAGE, "Environment": {}},
    ]


def test_model_of_several_containers_renders_containers(ctx: RenderContext, script: Path) -> None:
    step = ModelStep(name="CreateModel", containers=pipeline_containers(script))

    # As the SDK writes a PipelineModel: no PrimaryContainer, no InferenceExecutionConfig.
    assert step.to_request(ctx) == {
        "Name": "CreateModel",
        "Type": "Model",
        "Arguments": {"ExecutionRoleArn": ROLE, "Containers": rendered_pipeline_containers()},
    }
    assert ctx.problems == []
    assert [item.name for item in ctx.referenced_steps] == ["Train"]


def test_model_of_several_containers_takes_an_inference_execution_mode(
    ctx: RenderContext,
) -> None:
    step = ModelStep(
        name="CreateModel",
        containers=[Container(image=IMAGE), Container(image=SKLEARN_IMAGE)],
        inference_execution_mode="Direct",
        network=NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"]),
    )

    assert step.to_request(ctx)["Arguments"] == {
        "ExecutionRoleArn": ROLE,
        "Containers": [
            {"Image": IMAGE, "Environment": {}},
            {"Image": SKLEARN_IMAGE, "Environment": {}},
        ],
        "InferenceExecutionConfig": {"Mode": "Direct"},
        "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
    }


def test_register_model_of_several_containers(ctx: RenderContext, script: Path) -> None:
    step = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        containers=pipeline_containers(script),
    )

    assert step.to_request(ctx)["Arguments"] == {
        "ModelPackageGroupName": "churn-models",
        "InferenceSpecification": {
            "Containers": rendered_pipeline_containers(),
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        "ModelApprovalStatus": "PendingManualApproval",
    }
    assert ctx.problems == []


def test_several_containers_compile_and_are_planned_each(
    binder: StaticBinder, script: Path
) -> None:
    containers = pipeline_containers(script)
    create = ModelStep(name="CreateModel", containers=containers)
    register = RegisterModel(
        name="Register", model_package_group_name="churn-models", containers=containers
    )

    definition = PipelineDefinition(steps=[create, register]).to_definition(binder)
    plan = plan_permissions(definition)

    assert sorted(plan.images) == sorted([SKLEARN_IMAGE, XGBOOST_IMAGE, IMAGE])
    # Each container's model data (the second one's is where the training job writes); the
    # model's containers also download their code.
    assert plan.reads == [
        S3Access("models-bucket", "prep/model.tar.gz"),
        S3Access("b", "models"),
        S3Access("b", "code/prep.py.tar.gz"),
    ]


def test_code_packed_in_the_model_needs_no_grant_of_its_own(binder: StaticBinder) -> None:
    # SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code: code/ inside model.tar.gz, which the
    # model data grant covers; it is no S3 location the role could be missing.
    model = ModelStep(
        name="CreateModel",
        image=IMAGE,
        model_data="s3://models-bucket/prep/model.tar.gz",
        environment={
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        },
    )

    plan = plan_permissions(PipelineDefinition(steps=[model]).to_definition(binder))

    assert plan.reads == [S3Access("models-bucket", "prep/model.tar.gz")]
    assert plan.unattributed == []


def fails(kind: type[ModelStep] | type[RegisterModel], **options: Any) -> str:
    if kind is RegisterModel:
        options.setdefault("model_package_group_name", "churn-models")
    with pytest.raises(PipelineDefinitionError) as caught:
        kind(name="M", **options)
    return str(caught.value)


@pytest.mark.parametrize("kind", [ModelStep, RegisterModel], ids=lambda kind: kind.__name__)
def test_fails_several_containers_and_single_container_arguments(kind: Any) -> None:
    code = Code.from_s3("s3://b/code/inference.tar.gz", entry_point="inference.py")

    message = fails(kind, containers=[Container(image=IMAGE)], image=IMAGE, code=code)

    assert message == (
        f"{kind.__name__} 'M': containers= takes the place of image=, code=; give them to each "
        "Container(image=…, model_data=…, code=…, environment=…) instead"
    )


@pytest.mark.parametrize("kind", [ModelStep, RegisterModel], ids=lambda kind: kind.__name__)
def test_fails_no_container(kind: Any) -> None:
    assert fails(kind) == (
        f"{kind.__name__} 'M': give image= (a model of one container) or "
        "containers=[Container(image=…), …] (an inference pipeline)"
    )
    assert fails(kind, containers=[]) == (
        f"{kind.__name__} 'M': containers= is empty; give at least one Container(image=…)"
    )


@pytest.mark.parametrize(
    ("kind", "member"),
    [
        (ModelStep, "a model (CreateModel's Containers)"),
        (
            RegisterModel,
            "a model package (CreateModelPackage's InferenceSpecification.Containers)",
        ),
    ],
    ids=["ModelStep", "RegisterModel"],
)
def test_fails_more_containers_than_the_service_takes(kind: Any, member: str) -> None:
    options = {"model_package_group_name": "g"} if kind is RegisterModel else {}
    kind(name="M", containers=[Container(image=IMAGE)] * 15, **options)  # the most it takes
    message = fails(kind, containers=[Container(image=IMAGE)] * 16)
    assert (
        message
        == f"{kind.__name__} 'M': containers= has 16 containers, more than the 15 {member} takes"
    )


def test_the_container_limit_is_the_service_models() -> None:
    from cdk_sagemaker_pipelines.definition._service_model import shapes
    from cdk_sagemaker_pipelines.definition.steps.model import MAX_CONTAINERS

    assert shapes()["ContainerDefinitionList"]["max"] == MAX_CONTAINERS
    assert shapes()["ModelPackageContainerDefinitionList"]["max"] == MAX_CONTAINERS


def test_fails_an_inference_execution_mode_without_containers() -> None:
    assert fails(ModelStep, image=IMAGE, inference_execution_mode="Serial") == (
        "ModelStep 'M': inference_execution_mode= applies to a model of several containers; "
        "give containers=[Container(…), …] or leave it unset"
    )


def test_fails_container_arguments_checked_like_the_steps() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape("Container takes no argument 'env' (the SageMaker SDK's env=; here: "),
    ):
        Container(image=IMAGE, env={"A": "1"})  # type: ignore[call-arg]
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape("ModelStep 'M' takes no argument 'models' (the SageMaker SDK's models=; "),
    ):
        ModelStep(name="M", models=[])  # type: ignore[call-arg]
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape("ModelStep 'M': field 'containers[1]' expects Container, got str"),
    ):
        ModelStep(name="M", containers=[Container(image=IMAGE), IMAGE])  # type: ignore[list-item]


def test_fails_naming_the_container_and_its_argument(binder: StaticBinder) -> None:
    step = ModelStep(
        name="CreateModel",
        containers=[
            Container(image=IMAGE),
            Container(image="not an image", model_data="models/model.tar.gz"),
        ],
        inference_execution_mode="serial",
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    assert [(p.field, p.argument) for p in caught.value.problems] == [
        ("Arguments.Containers[1].Image", "containers[1].image"),
        ("Arguments.Containers[1].ModelDataUrl", "containers[1].model_data"),
        ("Arguments.InferenceExecutionConfig.Mode", "inference_execution_mode"),
    ]


def test_fails_registering_containers_names_the_container(binder: StaticBinder) -> None:
    step = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        containers=[Container(image=IMAGE), Container(image=IMAGE, model_data="model.tar.gz")],
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.field == "Arguments.InferenceSpecification.Containers[1].ModelDataUrl"
    assert problem.argument == "containers[1].model_data"
    assert str(problem).startswith(
        "step 'Register' field 'Arguments.InferenceSpecification.Containers[1].ModelDataUrl' "
        "(containers[1].model_data=): "
    )


def test_a_model_of_several_containers_is_planned() -> None:
    # CreateModel takes Containers (an inference pipeline) instead of PrimaryContainer.
    containers = [
        {"Image": IMAGE, "ModelDataUrl": "s3://models-bucket/a/model.tar.gz"},
        {"Image": SKLEARN_IMAGE, "ModelDataUrl": "s3://models-bucket/b/model.tar.gz"},
    ]
    arguments = {"ExecutionRoleArn": OTHER_ROLE, "Containers": containers}
    definition = {
        "Version": "2020-12-01",
        "Steps": [{"Name": "Pipe", "Type": "Model", "Arguments": arguments}],
    }

    plan = plan_permissions(definition)

    assert plan.images == [IMAGE, SKLEARN_IMAGE]
    assert plan.passed_roles == [OTHER_ROLE]
    assert plan.reads == [
        S3Access("models-bucket", "a/model.tar.gz"),
        S3Access("models-bucket", "b/model.tar.gz"),
    ]


def test_uncompressed_model_data_is_read_where_it_lies() -> None:
    # ModelDataSource (an S3 prefix of uncompressed files) instead of a ModelDataUrl.
    source = {"S3DataSource": {"S3Uri": "s3://models-bucket/llm/", "S3DataType": "S3Prefix"}}
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Create",
                "Type": "Model",
                "Arguments": {
                    "ExecutionRoleArn": OTHER_ROLE,
                    "PrimaryContainer": {"Image": IMAGE, "ModelDataSource": source},
                },
            },
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": "llms",
                    "ModelApprovalStatus": "PendingManualApproval",
                    "InferenceSpecification": {
                        "Containers": [{"Image": IMAGE, "ModelDataSource": source}],
                        "SupportedContentTypes": ["application/json"],
                        "SupportedResponseMIMETypes": ["application/json"],
                    },
                },
            },
        ],
    }

    assert plan_permissions(definition).reads == [S3Access("models-bucket", "llm/")]


# Drift check baselines and the bias pre- and post-training reports (the SDK's
# register(drift_check_baselines=…) and ModelMetrics(bias_pre_training=, bias_post_training=))


def registered(**options: object) -> RegisterModel:
    return RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image=IMAGE,
        model_data="s3://models-bucket/model.tar.gz",
        **options,  # type: ignore[arg-type]
    )


def test_register_drift_check_baselines_and_bias_reports(ctx: RenderContext) -> None:
    def source(key: str) -> MetricsSource:
        return MetricsSource(s3_uri=f"s3://baselines/{key}.json")

    def rendered(key: str) -> dict[str, str]:
        return {"ContentType": "application/json", "S3Uri": f"s3://baselines/{key}.json"}

    step = registered(
        model_metrics=ModelMetrics(
            bias_pre_training_report=source("bias-pre"),
            bias_post_training_report=source("bias-post"),
        ),
        drift_check_baselines=DriftCheckBaselines(
            model_statistics=source("stats"),
            data_constraints=source("data-constraints"),
            bias_config_file=FileSource(s3_uri="s3://baselines/bias-config.json"),
            bias_post_training_constraints=source("bias-post-constraints"),
            explainability_constraints=source("explain"),
            explainability_config_file=FileSource(
                s3_uri="s3://baselines/explain-config.json", content_type="application/json"
            ),
        ),
    )

    arguments = step.to_request(ctx)["Arguments"]

    # As sagemaker 2.257.7 writes them (a FileSource: S3Uri first, ContentType if given).
    assert arguments["ModelMetrics"] == {
        "Bias": {
            "PreTrainingReport": rendered("bias-pre"),
            "PostTrainingReport": rendered("bias-post"),
        }
    }
    assert arguments["DriftCheckBaselines"] == {
        "ModelQuality": {"Statistics": rendered("stats")},
        "ModelDataQuality": {"Constraints": rendered("data-constraints")},
        "Bias": {
            "ConfigFile": {"S3Uri": "s3://baselines/bias-config.json"},
            "PostTrainingConstraints": rendered("bias-post-constraints"),
        },
        "Explainability": {
            "Constraints": rendered("explain"),
            "ConfigFile": {
                "S3Uri": "s3://baselines/explain-config.json",
                "ContentType": "application/json",
            },
        },
    }


def test_drift_check_baselines_are_read_and_keep_the_outputs_they_name(
    binder: StaticBinder,
) -> None:
    evaluate = ProcessingStep(name="Evaluate", image=IMAGE, outputs=["baseline"])
    baseline = Join(on="/", values=[evaluate.output("baseline"), "constraints.json"])
    step = registered(
        drift_check_baselines=DriftCheckBaselines(
            model_constraints=MetricsSource(s3_uri=baseline),
            bias_config_file=FileSource(s3_uri="s3://baselines/bias-config.json"),
        )
    )
    kept: list[tuple[str, bool]] = []

    class RecordingBinder(StaticBinder):
        def default_output_uri(
            self, *, step_name: str, output_name: str, retained: bool = False
        ) -> JsonValue:
            kept.append((output_name, retained))
            return StaticBinder.default_output_uri(
                self, step_name=step_name, output_name=output_name
            )

    definition = PipelineDefinition(steps=[step]).to_definition(
        RecordingBinder(role_arn=ROLE, default_bucket="my-bucket")
    )
    plan = plan_permissions(definition, pipeline_name="churn")

    assert S3Access("baselines", "bias-config.json") in plan.reads
    assert S3Access("my-bucket", "churn/Evaluate/*/baseline/constraints.json") in plan.reads
    # A registered version refers to the baseline for as long as it exists.
    assert kept[-1] == ("baseline", True)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: DriftCheckBaselines(),
            "DriftCheckBaselines: give at least one baseline",
        ),
        (
            lambda: DriftCheckBaselines(model_data_statistics=MetricsSource(s3_uri="s3://b/s")),  # type: ignore[call-arg]
            "DriftCheckBaselines takes no argument 'model_data_statistics' (the SageMaker SDK's "
            "model_data_statistics=; here: data_statistics=)",
        ),
        (
            lambda: ModelMetrics(bias_pre_training=MetricsSource(s3_uri="s3://b/pre")),  # type: ignore[call-arg]
            "ModelMetrics takes no argument 'bias_pre_training' (the SageMaker SDK's "
            "bias_pre_training=; here: bias_pre_training_report=)",
        ),
        (
            lambda: DriftCheckBaselines(bias_config_file=MetricsSource(s3_uri="s3://b/c")),  # type: ignore[arg-type]
            "DriftCheckBaselines: field 'bias_config_file' expects FileSource",
        ),
    ],
    ids=["empty", "sdk-name", "sdk-bias-name", "metrics-source-for-a-config-file"],
)
def test_fails_drift_check_baselines(build: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        build()


def test_fails_drift_check_baseline_not_in_s3_names_the_argument(binder: StaticBinder) -> None:
    step = registered(
        drift_check_baselines=DriftCheckBaselines(
            model_statistics=MetricsSource(s3_uri="baselines/stats.json")
        )
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.field == "Arguments.DriftCheckBaselines.ModelQuality.Statistics.S3Uri"
    assert problem.argument == "drift_check_baselines"


# Lineage and Inference Recommender fields of a registration


def test_register_records_lineage_and_describes_every_container(
    ctx: RenderContext, script: Path
) -> None:
    commit = ParameterString(name="CommitId")
    step = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        containers=pipeline_containers(script),
        metadata_properties=MetadataProperties(commit_id=commit, project_id="p-1"),
        sample_payload_url="s3://payloads/sample.tar.gz",
        framework="XGBOOST",
        framework_version="1.7",
        nearest_model_name="xgboost-example",
        data_input_config={"input": [1, 30]},
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["MetadataProperties"] == {
        "CommitId": {"Get": "Parameters.CommitId"},
        "ProjectId": "p-1",
    }
    assert arguments["SamplePayloadUrl"] == "s3://payloads/sample.tar.gz"
    recommender = {
        "Framework": "XGBOOST",
        "FrameworkVersion": "1.7",
        "NearestModelName": "xgboost-example",
        "ModelInput": {"DataInputConfig": '{"input":[1,30]}'},
    }
    assert arguments["InferenceSpecification"]["Containers"] == [
        {**container, **recommender} for container in rendered_pipeline_containers()
    ]
    assert ctx.problems == []


def test_register_takes_parameters_for_the_recommender_fields(ctx: RenderContext) -> None:
    # The SDK's register takes pipeline variables for each of them.
    framework, version, nearest, shape = (
        ParameterString(name=name)
        for name in ("Framework", "FrameworkVersion", "NearestModel", "InputShape")
    )
    step = registered(
        framework=framework,
        framework_version=version,
        nearest_model_name=nearest,
        data_input_config=shape,
    )

    [container] = step.to_request(ctx)["Arguments"]["InferenceSpecification"]["Containers"]

    members = ("Framework", "FrameworkVersion", "NearestModelName")
    assert {key: container[key] for key in members} == {
        "Framework": {"Get": "Parameters.Framework"},
        "FrameworkVersion": {"Get": "Parameters.FrameworkVersion"},
        "NearestModelName": {"Get": "Parameters.NearestModel"},
    }
    assert container["ModelInput"] == {"DataInputConfig": {"Get": "Parameters.InputShape"}}
    assert ctx.problems == []


def test_register_records_expressions_in_its_customer_metadata(ctx: RenderContext) -> None:
    # As the SDK's customer_metadata_properties: what an audit asks of a version (the
    # execution, the data it read) is known only when the pipeline runs.
    data, trees = ParameterString(name="InputData"), ParameterInteger(name="Trees")
    step = registered(
        customer_metadata={
            "execution": ExecutionVariables.PIPELINE_EXECUTION_ARN,
            "input-data": data,
            "trees": trees,
            "risk-tier": "1",
        }
    )

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["CustomerMetadataProperties"] == {
        "execution": {"Get": "Execution.PipelineExecutionArn"},
        "input-data": {"Get": "Parameters.InputData"},
        # A string field: the service joins a number into its text.
        "trees": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Trees"}]}},
        "risk-tier": "1",
    }
    assert ctx.problems == []


def test_fails_register_customer_metadata_of_a_number() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape(
            "RegisterModel 'Register': field 'customer_metadata['trees']' expects str or "
            "Expression, got int 3"
        ),
    ):
        registered(customer_metadata={"trees": 3})


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"git#sha": "abc"}, "customer_metadata key 'git#sha': '#' not allowed"),
        ({"query": "a?b&c"}, "customer_metadata value of 'query': '?&' not allowed"),
    ],
)
def test_fails_register_customer_metadata_characters_sagemaker_refuses(
    metadata: dict[str, str], message: str
) -> None:
    # CreateModelPackage's CustomerMetadataKey/Value pattern: letters, separators, numbers
    # and _.:/=+-@ (botocore's pattern, which Python's re can't compile: shape checks skip it).
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        registered(customer_metadata=metadata)


def test_register_customer_metadata_takes_letters_spaces_and_tokens() -> None:
    step = registered(
        customer_metadata={"Modèle risk tier": "1 @ 2024-01-01", "k": "${Token[TOKEN.12]}"}
    )
    assert step.customer_metadata is not None


def test_register_passes_a_cdk_token_data_input_config_through(ctx: RenderContext) -> None:
    # A token (an SSM parameter's value, say) is resolved at deploy time: not parsed here.
    token = "${Token[TOKEN.512]}"

    [container] = registered(data_input_config=token).to_request(ctx)["Arguments"][
        "InferenceSpecification"
    ]["Containers"]

    assert container["ModelInput"] == {"DataInputConfig": token}
    assert ctx.problems == []


def test_register_leaves_out_what_is_not_given(ctx: RenderContext) -> None:
    arguments = registered().to_request(ctx)["Arguments"]

    assert "MetadataProperties" not in arguments
    assert "SamplePayloadUrl" not in arguments
    assert set(arguments["InferenceSpecification"]["Containers"][0]) == {
        "Image",
        "Environment",
        "ModelDataUrl",
    }


def test_register_without_mime_types_leaves_them_out(ctx: RenderContext) -> None:
    step = registered(content_types=None, response_types=None)

    specification = step.to_request(ctx)["Arguments"]["InferenceSpecification"]

    assert "SupportedContentTypes" not in specification
    assert "SupportedResponseMIMETypes" not in specification
    assert ctx.problems == []


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: MetadataProperties(),
            "MetadataProperties: give at least one of commit_id=, repository=",
        ),
        (
            lambda: registered(data_input_config="[1, 30]"),
            "RegisterModel 'Register': data_input_config= must be a JSON object naming each "
            "input and its shape",
        ),
        (
            lambda: registered(data_input_config="{input: [1, 30]}"),
            "data_input_config= must be a JSON object",
        ),
        (
            lambda: registered(data_input_config={"input": float("nan")}),
            "data_input_config= must be a JSON object",
        ),
        (
            lambda: registered(data_input_configuration="{}"),
            "takes no argument 'data_input_configuration' (the SageMaker SDK's "
            "data_input_configuration=; here: data_input_config=)",
        ),
        (
            lambda: registered(content_types=[]),
            "RegisterModel 'Register': content_types=[] lists no MIME types (list them, e.g. "
            "['text/csv'], or pass content_types=None to leave them out)",
        ),
        (
            lambda: registered(response_types=()),
            "RegisterModel 'Register': response_types=[] lists no MIME types",
        ),
    ],
    ids=[
        "empty-metadata",
        "not-an-object",
        "not-json",
        "nan",
        "sdk-name",
        "no-content-types",
        "no-response-types",
    ],
)
def test_fails_registration_metadata(build: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        build()


def test_fails_registration_metadata_against_the_request_shape(binder: StaticBinder) -> None:
    step = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        containers=[Container(image=IMAGE), Container(image=IMAGE)],
        framework_version="latest",
        sample_payload_url="payloads/sample.tar.gz",
        metadata_properties=MetadataProperties(commit_id="x" * 1025),
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    assert sorted((p.field, p.argument) for p in caught.value.problems) == [
        (
            "Arguments.InferenceSpecification.Containers[0].FrameworkVersion",
            "framework_version",
        ),
        (
            "Arguments.InferenceSpecification.Containers[1].FrameworkVersion",
            "framework_version",
        ),
        ("Arguments.MetadataProperties.CommitId", "metadata_properties"),
        ("Arguments.SamplePayloadUrl", "sample_payload_url"),
    ]


# -- a model's containers (a definition written as JSON, or by the SDK) ----------------------


def model_definition(binder: StaticBinder, **arguments: object) -> dict[str, Any]:
    """A one-step definition whose Model step's Arguments have ``arguments`` replaced."""
    definition = PipelineDefinition(steps=[ModelStep(name="Create", image=IMAGE)]).to_definition(
        binder
    )
    replace_members(definition["Steps"][0]["Arguments"], **arguments)
    return definition


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        (
            {"PrimaryContainer": None},
            "Arguments.PrimaryContainer",
            "the model has no container: neither PrimaryContainer nor Containers",
        ),
        (
            {"PrimaryContainer": None, "Containers": []},
            "Arguments.PrimaryContainer",
            "the model has no container: neither PrimaryContainer nor Containers",
        ),
        (
            {"Containers": [{"Image": IMAGE}]},
            "Arguments.Containers",
            "the model has both PrimaryContainer and Containers",
        ),
        (
            {"PrimaryContainer": {"Environment": {}}},
            "Arguments.PrimaryContainer.Image",
            "the container has no Image and no ModelPackageName: no inference code",
        ),
        (
            {"PrimaryContainer": None, "Containers": [{"Image": IMAGE}, {"Environment": {}}]},
            "Arguments.Containers[1].Image",
            "the container has no Image and no ModelPackageName: no inference code",
        ),
    ],
    ids=["neither", "empty-pipeline", "both", "no-image", "pipeline-member-without-image"],
)
def test_fails_a_model_without_inference_code(
    binder: StaticBinder, arguments: dict[str, object], field: str, message: str
) -> None:
    problems = validate_definition(model_definition(binder, **arguments))

    assert [(p.step, p.field, p.message) for p in problems] == [("Create", field, message)]


def test_a_model_of_a_model_package_or_an_inference_pipeline_is_valid(
    binder: StaticBinder,
) -> None:
    package = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
    from_package = model_definition(binder, PrimaryContainer={"ModelPackageName": package})
    pipeline = model_definition(
        binder, PrimaryContainer=None, Containers=[{"Image": IMAGE}, {"Image": SKLEARN_IMAGE}]
    )

    assert validate_definition(from_package) == []
    assert validate_definition(pipeline) == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"PrimaryContainer": {"image": IMAGE}}, "Arguments.PrimaryContainer.image"),
        (
            {"PrimaryContainer": None, "PrimaryContaner": {"Image": IMAGE}},
            "Arguments.PrimaryContaner",
        ),
        ({"PrimaryContainer": {"Get": "Parameters.Container"}}, "Arguments.PrimaryContainer"),
    ],
    ids=["image", "primary-container", "expression"],
)
def test_a_misspelled_or_expression_container_is_one_problem(
    binder: StaticBinder, arguments: dict[str, object], field: str
) -> None:
    definition = model_definition(binder, **arguments)
    definition["Parameters"] = [{"Name": "Container", "Type": "String", "DefaultValue": "x"}]

    assert [p.field for p in validate_definition(definition)] == [field]


# A model of a registered version (CreateModel's ModelPackageName)

PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"


def test_model_of_a_registered_version_renders_model_package_name(ctx: RenderContext) -> None:
    arn = ParameterString(name="ModelPackageArn", default_value=PACKAGE_ARN)
    step = ModelStep(name="ApprovedModel", model_package_name=arn, environment={"THREADS": 2})

    assert step.to_request(ctx) == {
        "Name": "ApprovedModel",
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": ROLE,
            # The version's containers are the model's: no Image, ModelDataUrl or code.
            "PrimaryContainer": {
                "ModelPackageName": {"Get": "Parameters.ModelPackageArn"},
                "Environment": {"THREADS": "2"},
            },
        },
    }
    assert ctx.problems == []


def test_a_model_of_a_registered_version_compiles_and_is_planned(binder: StaticBinder) -> None:
    resolve = LambdaStep(
        name="ResolveModel",
        function_arn=LAMBDA_ARN,
        outputs=[StepOutput(output_name="ModelPackageArn")],
    )
    model = ModelStep(
        name="ApprovedModel",
        model_package_name=resolve.properties.OutputParameters["ModelPackageArn"],
    )
    literal = ModelStep(name="PinnedModel", model_package_name=PACKAGE_ARN)
    definition = PipelineDefinition(steps=[model, literal]).to_definition(binder)

    assert validate_definition(definition) == []
    plan = plan_permissions(definition)
    assert sorted(plan.model_packages, key=lambda use: use[0]) == [
        (
            "ApprovedModel",
            "Arguments.PrimaryContainer.ModelPackageName",
            {"Get": "Steps.ResolveModel.OutputParameters['ModelPackageArn']"},
        ),
        ("PinnedModel", "Arguments.PrimaryContainer.ModelPackageName", PACKAGE_ARN),
    ]
    # Nothing of the version is read through the definition: its data only it names.
    assert plan.reads == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"image": IMAGE}, "leave out image="),
        ({"model_data": "s3://b/model.tar.gz", "code": None}, "leave out model_data="),
        (
            {"containers": [Container(image=IMAGE)], "inference_execution_mode": "Serial"},
            "leave out containers=, inference_execution_mode=",
        ),
    ],
    ids=["image", "model-data", "containers"],
)
def test_fails_a_model_of_a_registered_version_with_a_container_of_its_own(
    extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape(
            "ModelStep 'ApprovedModel': model_package_name= takes the image, model data and "
            f"code from the registered version; {message}"
        ),
    ):
        ModelStep(name="ApprovedModel", model_package_name=PACKAGE_ARN, **extra)


# Uncompressed model data (ModelDataSource)


def uncompressed_train() -> TrainingStep:
    return TrainingStep(
        name="Train",
        image=IMAGE,
        role=ROLE,
        output_path="s3://b/models",
        disable_output_compression=True,
    )


UNCOMPRESSED_SOURCE = {
    "S3DataSource": {
        "S3Uri": {"Get": MODEL_DATA},
        "S3DataType": "S3Prefix",
        "CompressionType": "None",
    }
}


def test_uncompressed_model_data_renders_a_model_data_source(binder: StaticBinder) -> None:
    train = uncompressed_train()
    data = ModelData.uncompressed(train.model_data)
    model = ModelStep(name="CreateModel", image=IMAGE, model_data=data)
    register = RegisterModel(
        name="Register",
        model_package_group_name="llm",
        containers=[Container(image=IMAGE, model_data=data)],
    )

    definition = PipelineDefinition(steps=[train, model, register]).to_definition(binder)
    steps = {step["Name"]: step["Arguments"] for step in definition["Steps"]}

    assert steps["Train"]["OutputDataConfig"] == {
        "S3OutputPath": "s3://b/models",
        "CompressionType": "NONE",
    }
    assert steps["CreateModel"]["PrimaryContainer"] == {
        "Image": IMAGE,
        "Environment": {},
        "ModelDataSource": UNCOMPRESSED_SOURCE,
    }
    (container,) = steps["Register"]["InferenceSpecification"]["Containers"]
    assert container["ModelDataSource"] == UNCOMPRESSED_SOURCE
    assert "ModelDataUrl" not in container
    # The model's role reads every object under the job's output: the prefix's files too.
    plan = plan_permissions(definition)
    assert plan.reads == [S3Access("b", "models")]
    assert S3Access("b", "models").objects == "b/models*"


def test_uncompressed_model_data_of_a_literal_prefix_accepts_a_eula(
    ctx: RenderContext, binder: StaticBinder
) -> None:
    data = ModelData.uncompressed("s3://b/llama/", accept_eula=True)
    model = ModelStep(name="CreateModel", image=IMAGE, model_data=data)

    assert model.to_request(ctx)["Arguments"]["PrimaryContainer"]["ModelDataSource"] == {
        "S3DataSource": {
            "S3Uri": "s3://b/llama/",
            "S3DataType": "S3Prefix",
            "CompressionType": "None",
            "ModelAccessConfig": {"AcceptEula": True},
        }
    }
    assert plan_permissions(PipelineDefinition(steps=[model]).to_definition(binder)).reads == [
        S3Access("b", "llama/")
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"s3_uri": "s3://b/llama"}, "must end with '/'"),
        ({"s3_uri": "s3://b/m/", "compression_type": "Gzip"}, "an S3Prefix is read uncompressed"),
        ({"s3_uri": "s3://b/m/", "s3_data_type": "S3Objects"}, "s3_data_type 'S3Objects'"),
    ],
)
def test_fails_model_data_the_service_would_refuse(options: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        ModelData(**options)


@pytest.mark.parametrize("kind", [ModelStep, RegisterModel])
def test_fails_an_uncompressed_training_output_given_as_model_data_url(kind: Any) -> None:
    train = uncompressed_train()
    options: dict[str, Any] = (
        {"model_package_group_name": "llm"} if kind is RegisterModel else {"role": ROLE}
    )
    step = kind(name="UseModel", image=IMAGE, model_data=train.model_data, **options)

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[train, step]).to_definition()

    (problem,) = caught.value.problems
    container = (
        "Arguments.PrimaryContainer"
        if kind is ModelStep
        else "Arguments.InferenceSpecification.Containers[0]"
    )
    assert (problem.step, problem.field) == ("UseModel", f"{container}.ModelDataUrl")
    assert "training step 'Train'" in problem.message
    assert "uncompressed" in problem.message
    assert "ModelData.uncompressed(" in (problem.hint or "")


def test_a_compressed_training_output_is_a_model_data_url() -> None:
    train = train_step()
    model = ModelStep(name="UseModel", image=IMAGE, role=ROLE, model_data=train.model_data)

    assert PipelineDefinition(steps=[train, model]).to_definition()  # no problem


def test_fails_model_data_url_and_model_data_source_together() -> None:
    source = {"S3Uri": "s3://b/model/", "S3DataType": "S3Prefix", "CompressionType": "None"}
    model = ModelStep(
        name="UseModel",
        image=IMAGE,
        role=ROLE,
        model_data="s3://b/model.tar.gz",
        extra_arguments={"PrimaryContainer": {"ModelDataSource": {"S3DataSource": source}}},
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[model]).to_definition()

    (problem,) = caught.value.problems
    assert (problem.step, problem.field) == (
        "UseModel",
        "Arguments.PrimaryContainer.ModelDataSource",
    )
    assert "both ModelDataUrl and ModelDataSource" in problem.message


def test_a_large_model_serving_image_registers_and_compiles_per_region() -> None:
    # LLM teams wrote the LMI image's URI by hand, with one region's account in it.
    model = ModelStep(
        name="CreateModel",
        image=Image.djl_lmi("0.33.0"),
        model_data=S3Location.from_uri("s3://models/llama/"),
        environment={"OPTION_ROLLING_BATCH": "vllm", "TENSOR_PARALLEL_DEGREE": "max"},
    )
    register = RegisterModel(
        name="Register",
        image=Image.djl_lmi("0.33.0"),
        model_package_group_name="llms",
        content_types=["application/json"],
        response_types=["application/json"],
        inference_instances=["ml.g5.12xlarge"],
    )
    pipeline = PipelineDefinition(steps=[model, register])

    for region, registry in [
        ("eu-west-1", "763104351884.dkr.ecr.eu-west-1.amazonaws.com"),
        ("cn-north-1", "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn"),
    ]:
        binder = StaticBinder(region=region, role_arn=ROLE, default_bucket="my-bucket")
        definition = pipeline.to_definition(binder)
        steps = {step["Name"]: step["Arguments"] for step in definition["Steps"]}
        image = f"{registry}/djl-inference:0.33.0-lmi15.0.0-cu128"

        assert steps["CreateModel"]["PrimaryContainer"]["Image"] == image
        assert steps["Register"]["InferenceSpecification"]["Containers"][0]["Image"] == image
        assert validate_definition(definition) == []
