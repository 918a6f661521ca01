"""``dedicated_step_roles``: chosen steps run with a role derived from them alone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations as CdkAnnotations
from aws_cdk.assertions import Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    Code,
    ConditionEquals,
    ConditionStep,
    ContinuousParameter,
    DataCaptureConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    EndpointConfigStep,
    EndpointStep,
    ExecutionVariables,
    Image,
    Join,
    LambdaStep,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineValidationError,
    ProcessingOutput,
    ProcessingStep,
    ProductionVariant,
    QualityCheckStep,
    RegisterModel,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.template import pipeline_definitions
from tests.cdk.conftest import cdk_context, new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    SAGEMAKER_TRUST,
    TRAIN,
    definition_of,
    literal_definition,
    logical_id,
    pipeline_under_nag,
    prep_and_train,
    resource,
    s3_arn,
    steps_by_name,
    synthesized,
    template_json,
)
from tests.cdk.lint import BackgroundLint, LintService
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.cdk.test_policies import _acknowledged, add_nag_packs, attached
from tests.conftest import ROLE

NAME = "churn"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:gate"


def _prep_train_evaluate() -> PipelineDefinition:
    """Prep (raw input, one output) → Train (reads it) → Evaluate (reads the model)."""
    (train,) = prep_and_train().steps
    assert isinstance(train, TrainingStep)
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/evaluate.py"),
        inputs={"model": train.properties.ModelArtifacts.S3ModelArtifacts},
        outputs=["report"],
    )
    return PipelineDefinition(steps=[evaluate])


class Built:
    """The pipeline with Prep on a dedicated role, synthesized once under cdk-nag."""

    def __init__(self) -> None:
        self.pipeline, self.template, self.annotations = pipeline_under_nag(
            _prep_train_evaluate(), NAME, dedicated_step_roles=["Prep"]
        )
        self.prep_role = self.pipeline.dedicated_roles["Prep"]


# Session-scoped: the lint test runs last in the session (tests/cdk/conftest.py), and reads
# them again then; module-scoped, they would be built twice.
@pytest.fixture(scope="session")
def built() -> Built:
    return Built()


@pytest.fixture(scope="session")
def every() -> Every:
    return Every()


@pytest.fixture(scope="session")
def lint(
    built: Built,
    every: Every,
    tmp_path_factory: pytest.TempPathFactory,
    lint_service: LintService,
) -> tuple[dict[str, dict[str, Any]], BackgroundLint]:
    """cfn-lint of both synthesized templates, in one job of the session's worker."""
    templates = {
        "dedicated": template_json(built.template),
        "every": template_json(every.template),
    }
    worker = BackgroundLint(
        {name: json.dumps(template) for name, template in templates.items()},
        tmp_path_factory.mktemp("dedicated-lint"),
        lint_service,
    )
    return templates, worker


def _prep(**options: Any) -> ProcessingStep:
    """A ``Prep`` step running ``prep.py`` on the SKLearn image, with ``options``."""
    return ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        **options,
    )


def _resources(statement: dict[str, Any]) -> list[Any]:
    found = statement["Resource"]
    return found if isinstance(found, list) else [found]


def _reads(found: dict[str, dict[str, Any]]) -> list[Any]:
    """The resources of every ``ReadDataIn…`` statement of ``found``."""
    return [
        resource
        for sid, statement in found.items()
        if sid.startswith("ReadDataIn")
        for resource in _resources(statement)
    ]


def _suffixes(statement: dict[str, Any]) -> list[str]:
    """The last literal part of each resource of ``statement`` (``/executions/…/Prep/train*``)."""
    return [
        resource["Fn::Join"][1][-1] if isinstance(resource, dict) else resource
        for resource in _resources(statement)
    ]


def test_a_dedicated_step_runs_as_its_own_role(built: Built) -> None:
    steps = steps_by_name(definition_of(built.template))
    prep_role, step_role = logical_id(built.prep_role), logical_id(built.pipeline.step_role)
    assert steps["Prep"]["Arguments"]["RoleArn"] == f"${{GetAtt:{prep_role}.Arn}}"
    assert steps["Train"]["Arguments"]["RoleArn"] == f"${{GetAtt:{step_role}.Arn}}"
    assert steps["Evaluate"]["Arguments"]["RoleArn"] == f"${{GetAtt:{step_role}.Arn}}"
    assert list(built.pipeline.dedicated_roles) == ["Prep"]
    assert built.prep_role.node.id == "StepRole-Prep"
    properties = resource(built.template, prep_role)["Properties"]
    assert properties["AssumeRolePolicyDocument"] == SAGEMAKER_TRUST
    assert properties["Description"] == f"Jobs of step Prep of SageMaker pipeline {NAME}"


def test_the_dedicated_role_gets_its_steps_reads_and_writes_only(built: Built) -> None:
    found = attached(built.template, built.prep_role)
    assert _resources(found["ReadDataInRawDataBucket"]) == [s3_arn("raw-data/incoming/*")]
    assert _suffixes(found["WriteDataInArtifactsBucket"]) == ["/executions/churn/Prep/*/train*"]
    # Nothing of the other steps: not Train's model, Evaluate's code or report.
    assert "ReadDataInArtifactsBucket" not in found
    assert not any("CodeBucket" in sid for sid in found)
    assert {"WriteJobLogs", "PublishJobMetrics", "EncryptJobVolumesAndOutputs"} <= set(found)
    policies = built.pipeline.dedicated_role_policies["Prep"]
    assert [policy.node.id for policy in policies] == ["StepRole-Prep-Policy"]


def test_the_step_role_no_longer_gets_the_dedicated_steps_data(built: Built) -> None:
    found = attached(built.template, built.pipeline.step_role)
    # Prep's raw input is read by no other step; its output is Train's input (read only).
    assert "ReadDataInRawDataBucket" not in found
    assert "/executions/churn/Prep/*/train*" not in _suffixes(found["WriteDataInArtifactsBucket"])
    assert "/executions/churn/Prep/*/train*" in _suffixes(found["ReadDataInArtifactsBucket"])
    assert sorted(_suffixes(found["WriteDataInArtifactsBucket"])) == [
        "/executions/churn/Evaluate/*/report*",
        "/models/churn/Train/*/model*",
    ]
    # Prep's script asset is Prep's alone.
    prep_code = _suffixes(attached(built.template, built.prep_role)["ReadDataInAssetsBucket"])
    assert not set(prep_code) & set(_suffixes(found["ReadDataInAssetsBucket"]))


def test_the_pipeline_role_passes_both_roles(built: Built) -> None:
    found = attached(built.template, built.pipeline.role)
    passed = _resources(found["PassStepRoleToSageMaker"])
    for role in (built.pipeline.step_role, built.prep_role):
        assert {"Fn::GetAtt": [logical_id(role), "Arn"]} in passed


def test_dedicated_roles_raise_no_job_role_warning(built: Built) -> None:
    warnings = built.annotations.find_warning(
        "*", Match.string_like_regexp(".*job-role-not-step-role.*")
    )
    assert warnings == []


def test_cdk_nag_acknowledges_the_dedicated_roles_wildcards(built: Built) -> None:
    # Synthesized under AwsSolutions and NIST 800-53 (any unacknowledged finding fails it):
    # the dedicated policy's wildcards are acknowledged with reasons, as the step role's.
    policy = built.pipeline.dedicated_role_policies["Prep"][0]
    acknowledged = _acknowledged(policy)
    for resource_arn in (
        "arn:<AWS::Partition>:s3:::raw-data/incoming/*",
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/ProcessingJobs:log-stream:*",
    ):
        reason = acknowledged[f"Annotation::AwsSolutions-IAM5[Resource::{resource_arn}]"]
        assert reason.startswith("jobs of step Prep of pipeline churn")


def test_an_empty_list_is_no_dedicated_role() -> None:
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=_prep_train_evaluate(), dedicated_step_roles=[]
    )
    assert dict(pipeline.dedicated_roles) == {}
    assert not [child for child in pipeline.node.children if "-" in child.node.id]


def test_a_tuning_steps_jobs_run_as_its_dedicated_role() -> None:
    tune = TuningStep(
        name="Tune",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(TRAIN),
        objective_metric_name="validation:accuracy",
        metric_definitions={"validation:accuracy": r"accuracy=([0-9.]+)"},
        hyperparameter_ranges={},
        inputs={"train": "s3://data-bucket/train/"},
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[tune]),
        pipeline_name=NAME,
        dedicated_step_roles=["Tune"],
    )
    template = Template.from_stack(stack)
    role = logical_id(pipeline.dedicated_roles["Tune"])
    arguments = steps_by_name(definition_of(template))["Tune"]["Arguments"]
    assert arguments["TrainingJobDefinition"]["RoleArn"] == f"${{GetAtt:{role}.Arn}}"
    train_data = s3_arn("data-bucket/train/*")
    assert train_data in _reads(attached(template, pipeline.dedicated_roles["Tune"]))
    # The step role runs no job here: it gets no policy (the one made for it is attached to
    # no role), and the pipeline role can't pass it.
    assert attached(template, pipeline.step_role) == {}
    (policy,) = pipeline.step_role_policies
    assert "Roles" not in resource(template, logical_id(policy))["Properties"]
    assert _passed(template, pipeline) == [{"Fn::GetAtt": [role, "Arn"]}]


def test_a_check_step_and_a_branch_step_run_as_their_dedicated_roles() -> None:
    # A check step runs one processing job; a step in a condition's branch is planned too.
    check = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://check-data/train/", dataset_format=DatasetFormat.csv()
        ),
        supplied_baseline_statistics="s3://baselines/dq/statistics.json",
        supplied_baseline_constraints="s3://baselines/dq/constraints.json",
    )
    retrain = ProcessingStep(
        name="Retrain",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/retrain.py"),
        inputs={"data": "s3://branch-data/new/"},
    )
    mode = ParameterString(name="Mode", default_value="full")
    branch = ConditionStep(
        name="IfFull",
        conditions=[ConditionEquals(left=mode, right="full")],
        if_steps=[retrain],
        depends_on=[check],
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[mode], steps=[branch]),
        pipeline_name=NAME,
        dedicated_step_roles=["DataQuality", "Retrain"],
    )
    template = Template.from_stack(stack)
    assert list(pipeline.dedicated_roles) == ["DataQuality", "Retrain"]
    steps = steps_by_name(definition_of(template))
    check_role = logical_id(pipeline.dedicated_roles["DataQuality"])
    assert steps["DataQuality"]["Arguments"]["RoleArn"] == f"${{GetAtt:{check_role}.Arn}}"
    retrain_role = logical_id(pipeline.dedicated_roles["Retrain"])
    if_steps = {step["Name"]: step for step in steps["IfFull"]["Arguments"]["IfSteps"]}
    assert if_steps["Retrain"]["Arguments"]["RoleArn"] == f"${{GetAtt:{retrain_role}.Arn}}"
    check_reads = _reads(attached(template, pipeline.dedicated_roles["DataQuality"]))
    retrain_reads = _reads(attached(template, pipeline.dedicated_roles["Retrain"]))
    assert s3_arn("check-data/train/*") in check_reads
    assert s3_arn("baselines/dq/constraints.json*") in check_reads
    assert s3_arn("branch-data/new/*") not in check_reads
    assert s3_arn("branch-data/new/*") in retrain_reads
    assert s3_arn("check-data/train/*") not in retrain_reads
    # No job runs as the step role: it reads none of their data.
    step_role_reads = _reads(attached(template, pipeline.step_role))
    assert s3_arn("check-data/train/*") not in step_role_reads
    assert s3_arn("branch-data/new/*") not in step_role_reads
    passed = _resources(attached(template, pipeline.role)["PassStepRoleToSageMaker"])
    for role in (check_role, retrain_role):
        assert {"Fn::GetAtt": [role, "Arn"]} in passed


def test_warnings_name_the_dedicated_role_to_grant() -> None:
    key = ParameterString(name="InputKey")
    prep = _prep(
        inputs={"raw": Join(on="", values=["s3://raw-data/", key])},
    )
    # A Transform job runs as its model's role alone; an endpoint also serving a model the
    # pipeline doesn't create runs as the step role too (for that model).
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data=Join(on="", values=["s3://batch-data/", key]),
    )
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="shared",
        production_variants=[
            ProductionVariant(variant_name=variant, model_name=name, instance_type="ml.m5.large")
            for variant, name in (("Ours", model.properties.ModelName), ("Theirs", "existing"))
        ],
        data_capture_config=DataCaptureConfig(
            destination=Join(on="", values=["s3://capture-bucket/", key])
        ),
    )
    # Its rollback alarm is named by the parameter: whoever describes it may describe any.
    deploy = EndpointStep(
        name="Deploy",
        endpoint_name="shared",
        endpoint_config_name=config.properties.EndpointConfigName,
        deployment_config={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": key}]},
        },
    )
    stack = new_stack()
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[key], steps=[prep, score, deploy]),
        dedicated_step_roles=["Prep", "Model"],
    )
    annotations = CdkAnnotations.from_stack(stack)
    warnings = annotations.find_warning(
        "*", Match.string_like_regexp(".*unattributed-s3-location.*")
    )
    assert len(warnings) == 1
    assert (
        "Step(s) 'Prep', 'Score' run as pipeline.dedicated_roles['Prep'], "
        "pipeline.dedicated_roles['Model'] (dedicated_step_roles): grant that role instead. "
        "Step(s) 'Config' also run as pipeline.dedicated_roles['Model'] "
        "(dedicated_step_roles): grant that role too."
    ) in str(warnings[0].entry.data)
    (alarm,) = annotations.find_warning("*", Match.string_like_regexp(".*open-rollback-alarm.*"))
    assert (
        "Step(s) 'Deploy' also run as pipeline.dedicated_roles['Model'] (dedicated_step_roles): "
        "that role gets it too."
    ) in str(alarm.entry.data)


def _keys(found: dict[str, dict[str, Any]]) -> list[Any]:
    """The keys a role's jobs may encrypt and decrypt with (``EncryptJobVolumesAndOutputs``)."""
    statement = found.get("EncryptJobVolumesAndOutputs")
    return _resources(statement) if statement is not None else []


def _kms(name: str) -> str:
    return f"arn:aws:kms:us-east-1:111122223333:key/{name}"


def test_roles_may_decrypt_the_outputs_of_other_roles_steps_they_read() -> None:
    # Prep (step role) → Train (dedicated) → Model (the step role is its execution role) →
    # Score (a transform job of that model: the step role too). Each output has its own key.
    prep = _prep(
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
        output_kms_key=_kms("prep-out"),
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
        volume_kms_key=_kms("train-volume"),
        output_kms_key=_kms("train-out"),
    )
    model = ModelStep(
        name="Model",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
        output_kms_key=_kms("score-out"),
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[score]),
        pipeline_name=NAME,
        dedicated_step_roles=["Train"],
    )
    template = Template.from_stack(stack)
    train_role = attached(template, pipeline.dedicated_roles["Train"])
    step_role = attached(template, pipeline.step_role)
    # Train reads Prep's output, encrypted with Prep's key; its own keys besides.
    assert {_kms("prep-out"), _kms("train-out"), _kms("train-volume")} <= set(_keys(train_role))
    # The model's role reads model.tar.gz, encrypted with Train's output key.
    assert _kms("train-out") in _keys(step_role)
    assert "/models/churn/Train/*/model*" in _suffixes(step_role["ReadDataInArtifactsBucket"])
    # The transform job runs as the model's role: its input, output and key are the step
    # role's, none of them Train's.
    assert s3_arn("batch-bucket/in/*") in _reads(step_role)
    assert _resources(step_role["WriteDataInBatchBucket"]) == [s3_arn("batch-bucket/out/*")]
    assert _kms("score-out") in _keys(step_role)
    assert _kms("score-out") not in _keys(train_role)
    assert not any("BatchBucket" in sid for sid in train_role)


# -- Every job step: dedicated_step_roles="*" -------------------------------------------------


def _every_kind() -> PipelineDefinition:
    """A step of each kind: Prep → Train → Model → Score (a Transform of it), and Config →
    Deploy (an endpoint serving it, capturing data and watching an alarm); Prep → Tune; a
    check; a branch; a Lambda.

    Prep's, Train's and Score's outputs have keys of their own: whoever reads them needs the
    key.
    """
    prep = _prep(
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
        output_kms_key=_kms("prep-out"),
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
        output_kms_key=_kms("train-out"),
    )
    tune = TuningStep(
        name="Tune",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/tune.py"),
        objective_metric_name="validation:accuracy",
        metric_definitions={"validation:accuracy": r"accuracy=([0-9.]+)"},
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        inputs={"train": prep.output("train")},
    )
    check = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://check-data/train/", dataset_format=DatasetFormat.csv()
        ),
        supplied_baseline_statistics="s3://baselines/dq/statistics.json",
        supplied_baseline_constraints="s3://baselines/dq/constraints.json",
    )
    model = ModelStep(
        name="Model",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
        output_kms_key=_kms("score-out"),
    )
    deploy = _endpoint_of(model.properties.ModelName, "s3://capture-bucket/churn")
    retrain = ProcessingStep(
        name="Retrain",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/retrain.py"),
        inputs={"data": "s3://branch-data/new/"},
    )
    mode = ParameterString(name="Mode", default_value="full")
    branch = ConditionStep(
        name="IfFull",
        conditions=[ConditionEquals(left=mode, right="full")],
        if_steps=[retrain],
        depends_on=[check, score, deploy, tune],
    )
    gate = LambdaStep(name="Gate", function_arn=LAMBDA_ARN, depends_on=[branch])
    return PipelineDefinition(parameters=[mode], steps=[gate])


def _endpoint_of(model: Any, capture: str, name: str = "churn") -> EndpointStep:
    """Config (serving ``model``, capturing to ``capture``) → Deploy (watching an alarm)."""
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name=name,
        model_name=model,
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(destination=capture),
    )
    return EndpointStep(
        name="Deploy",
        endpoint_name=name,
        endpoint_config_name=config.properties.EndpointConfigName,
        deployment_config={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": f"{name}-errors"}]},
        },
    )


def _prep_and_automl() -> PipelineDefinition:
    """Prep → AutoML: with "*", no job runs as the step role (AutoML has its own)."""
    prep = _prep(
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
    )
    automl = AutoMLStep(name="AutoML", inputs=prep.output("train"), target_attribute_name="y")
    return PipelineDefinition(steps=[automl])


def _none_eligible() -> PipelineDefinition:
    """Job steps "*" skips: one given a role, a tuning step one of whose definitions has one,
    a Model step whose model a Lambda step is given (what runs as its role there is unknown).
    """
    prep = _prep(
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
        role=ROLE,
    )
    ranges = {"eta": ContinuousParameter(min_value=0.01, max_value=0.3)}
    tune = TuningStep(
        name="Tune",
        training_job_definitions=[
            TrainingJobDefinition(
                name=name,
                image=Image.xgboost("1.7-1"),
                inputs={"train": prep.output("train")},
                objective_metric_name="validation:auc",
                hyperparameter_ranges=ranges,
                role=role,
            )
            for name, role in (("first", None), ("second", ROLE))
        ],
        max_jobs=2,
    )
    handed = _model("Handed", "s3://models-bucket/handed.tar.gz")
    gate = LambdaStep(
        name="Gate",
        function_arn=LAMBDA_ARN,
        inputs={"ModelName": handed.properties.ModelName},
        depends_on=[tune],
    )
    return PipelineDefinition(steps=[gate])


def _model(name: str, model_data: Any) -> ModelStep:
    return ModelStep(
        name=name, image=Image.sklearn("1.2-1", scope="inference"), model_data=model_data
    )


def _shared_endpoint() -> PipelineDefinition:
    """Models "*" gives a role, or not, beside what the step role stands for.

    Served: its model's endpoint also serves a model no Model step creates, whose role
    (unknown) the step role stands for: both write the captured data. Handed: a Lambda step
    is given its model, so "*" leaves it to the step role. Outside: a Transform of a model
    no Model step creates, the step role's as without "*".
    """
    served = _model("Served", "s3://models-bucket/served.tar.gz")
    handed = _model("Handed", "s3://models-bucket/handed.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="shared",
        production_variants=[
            ProductionVariant(variant_name=variant, model_name=model, instance_type="ml.m5.large")
            for variant, model in (("Ours", served.properties.ModelName), ("Theirs", "existing"))
        ],
        data_capture_config=DataCaptureConfig(destination="s3://capture-bucket/shared"),
    )
    handoff = LambdaStep(
        name="Handoff", function_arn=LAMBDA_ARN, inputs={"ModelName": handed.properties.ModelName}
    )
    outside = TransformStep(
        name="Outside",
        model_name="existing",
        input_data="s3://batch-bucket/outside/",
        output_path="s3://batch-bucket/outside-scores/",
    )
    return PipelineDefinition(steps=[config, handoff, outside])


class Every:
    """Pipelines with ``dedicated_step_roles="*"``, synthesized once under cdk-nag.

    ``full`` has a step of each kind; no job of ``automl`` runs as its step role; "*"
    finds no step to give a role in ``skipped``; ``shared`` has models "*" gives a role or
    not, beside jobs of models the pipeline doesn't create. And ``listed``: a Model step
    named in the list (``_with_model``).
    """

    def __init__(self) -> None:
        app = new_app()
        stack = cdk.Stack(app, "Every", env=cdk.Environment(account=ACCOUNT, region=REGION))
        store = ArtifactStore(stack, "Store")

        def pipeline(
            construct_id: str,
            definition: PipelineDefinition,
            name: str,
            dedicated: list[str] | str = "*",
        ) -> Pipeline:
            return Pipeline(
                stack,
                construct_id,
                definition=definition,
                pipeline_name=name,
                artifact_store=store,
                dedicated_step_roles=dedicated,
            )

        self.full = pipeline("Full", _every_kind(), NAME)
        self.automl = pipeline("AutoMLOnly", _prep_and_automl(), "automl")
        self.skipped = pipeline("Skipped", _none_eligible(), "skipped")
        self.shared = pipeline("Shared", _shared_endpoint(), "shared")
        self.listed = pipeline("Listed", _with_model(), "listed", ["Model"])
        add_nag_packs(app, store)
        self.template, self.annotations = synthesized(stack)
        self.definitions = dict(pipeline_definitions(template_json(self.template)))

    def steps(self, pipeline: Pipeline) -> dict[str, dict[str, Any]]:
        """The steps of ``pipeline``'s definition in the template, by name."""
        return steps_by_name(self.definitions[logical_id(pipeline)])

    def role_arn(self, role: Any) -> str:
        """A role's ARN as the decoded definition writes it."""
        return f"${{GetAtt:{logical_id(role)}.Arn}}"


def _same(found: list[Any], expected: list[Any]) -> bool:
    """Whether two lists of resources (maybe ``Fn::Join``s) hold the same, in any order."""
    return sorted(map(json.dumps, found)) == sorted(map(json.dumps, expected))


def _passed(template: Template, pipeline: Pipeline) -> list[Any]:
    """The roles ``pipeline``'s role may pass to SageMaker."""
    return _resources(attached(template, pipeline.role)["PassStepRoleToSageMaker"])


def _writes(found: dict[str, dict[str, Any]]) -> list[Any]:
    """The resources of every ``WriteDataIn…`` statement of ``found``."""
    return [
        resource
        for sid, statement in found.items()
        if sid.startswith("WriteDataIn")
        for resource in _resources(statement)
    ]


def test_every_job_step_runs_as_a_role_of_its_own(every: Every) -> None:
    pipeline = every.full
    # In the definition's order, branch steps included; not Transform, deployment, Lambda
    # nor Condition steps.
    assert list(pipeline.dedicated_roles) == [
        "DataQuality",
        "Prep",
        "Train",
        "Model",
        "Tune",
        "Retrain",
    ]
    roles = sorted(child.node.id for child in pipeline.node.children if isinstance(child, iam.Role))
    assert roles == sorted(
        ["Role", "StepRole", *(f"StepRole-{step}" for step in pipeline.dedicated_roles)]
    )
    steps = every.steps(pipeline)
    for step, role in pipeline.dedicated_roles.items():
        arguments = steps[step]["Arguments"]
        job = arguments.get("TrainingJobDefinition", arguments)  # a tuning step's jobs
        assert job.get("RoleArn", job.get("ExecutionRoleArn")) == every.role_arn(role), step
    # The model runs as the Model step's role (its Transform jobs and endpoint too): no job
    # is left to the step role, which the pipeline role can't pass; it passes each other.
    assert steps["Model"]["Arguments"]["ExecutionRoleArn"] == every.role_arn(
        pipeline.dedicated_roles["Model"]
    )
    passed = _passed(every.template, pipeline)
    assert sorted(json.dumps(role) for role in passed) == sorted(
        json.dumps({"Fn::GetAtt": [logical_id(role), "Arn"]})
        for role in pipeline.dedicated_roles.values()
    )
    assert attached(every.template, pipeline.step_role) == {}


def test_each_role_reads_and_writes_for_its_step_only(every: Every) -> None:
    pipeline, template = every.full, every.template
    prep_output = "/executions/churn/Prep/*/train*"
    prep = attached(template, pipeline.dedicated_roles["Prep"])
    train = attached(template, pipeline.dedicated_roles["Train"])
    tune = attached(template, pipeline.dedicated_roles["Tune"])
    check = attached(template, pipeline.dedicated_roles["DataQuality"])
    retrain = attached(template, pipeline.dedicated_roles["Retrain"])
    step_role = attached(template, pipeline.step_role)
    assert _suffixes(prep["WriteDataInArtifactsBucket"]) == [prep_output]
    assert s3_arn("raw-data/incoming/*") in _reads(prep)
    # Train and Tune read Prep's output and may not write there; they don't read its input.
    for role in (train, tune):
        assert prep_output in _suffixes(role["ReadDataInArtifactsBucket"])
        assert prep_output not in _suffixes(role["WriteDataInArtifactsBucket"])
        assert s3_arn("raw-data/incoming/*") not in _reads(role)
    assert _suffixes(train["WriteDataInArtifactsBucket"]) == ["/models/churn/Train/*/model*"]
    assert _suffixes(tune["WriteDataInArtifactsBucket"]) == ["/models/churn/Tune/*/model*"]
    assert s3_arn("code-bucket/train.py*") in _reads(train)
    assert s3_arn("code-bucket/train.py*") not in _reads(tune)
    assert _suffixes(check["WriteDataInArtifactsBucket"]) == [
        "/executions/churn/DataQuality/*/quality_check_output*"
    ]
    assert s3_arn("check-data/train/*") in _reads(check)
    assert _reads(retrain) == [
        s3_arn("branch-data/new/*"),
        s3_arn("code-bucket/retrain.py*"),
    ]
    assert _writes(retrain) == []
    # No job runs as the step role: the Model step's role reads Train's model instead.
    assert step_role == {}


def test_each_role_may_decrypt_the_outputs_of_the_dedicated_steps_it_reads(every: Every) -> None:
    pipeline, template = every.full, every.template
    # The literal keys each role may use (the store's key, a token, left out).
    keys = {
        step: {key for key in _keys(attached(template, role)) if isinstance(key, str)}
        for step, role in pipeline.dedicated_roles.items()
    }
    assert {_kms("prep-out"), _kms("train-out")} <= keys["Train"]
    assert _kms("prep-out") in keys["Tune"]
    assert _kms("train-out") not in keys["Tune"] | keys["Prep"]
    # The model reads Train's model.tar.gz, not Prep's output; its Transform job writes
    # with its own key, which no other role gets.
    assert {_kms("train-out"), _kms("score-out")} <= keys["Model"]
    assert _kms("prep-out") not in keys["Model"]
    assert not any(_kms("score-out") in keys[step] for step in keys if step != "Model")
    # Neither read by the check nor the branch step.
    assert not {_kms("prep-out"), _kms("train-out")} & (keys["DataQuality"] | keys["Retrain"])


def test_a_model_steps_role_is_derived_from_its_model_transform_jobs_and_endpoints(
    every: Every,
) -> None:
    pipeline, template = every.full, every.template
    model = attached(template, pipeline.dedicated_roles["Model"])
    # The model reads Train's model; its Transform job reads and writes the batch data, its
    # endpoint writes captured data and describes the alarm its deployments roll back on.
    assert _suffixes(model["ReadDataInArtifactsBucket"]) == ["/models/churn/Train/*/model*"]
    assert _same(_writes(model), [s3_arn("capture-bucket/churn*"), s3_arn("batch-bucket/out/*")])
    assert s3_arn("batch-bucket/in/*") in _reads(model)
    assert model["DescribeRollbackAlarms"]["Resource"] == (
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-errors"
    )
    assert {"WriteJobLogs", "PublishJobMetrics"} <= set(model)
    # None of it is another role's: the model's jobs and endpoint run as its role only.
    for step, role in pipeline.dedicated_roles.items():
        if step != "Model":
            other = attached(template, role)
            assert not any(
                "Batch" in sid or "Capture" in sid or "Rollback" in sid for sid in other
            ), step
    # The endpoint's role is the model's: not warned as a role the construct doesn't grant.
    for warning_id in ("rollback-alarms-of-another-role", "job-role-not-step-role"):
        found = every.annotations.find_warning(
            "/Every/Full", Match.string_like_regexp(f".*{warning_id}.*")
        )
        assert found == [], warning_id


def test_an_endpoint_serving_models_of_two_roles_is_planned_for_both(every: Every) -> None:
    pipeline, template = every.shared, every.template
    # Handed's model is given to a Lambda step: "*" leaves it to the step role, no role made.
    assert list(pipeline.dedicated_roles) == ["Served"]
    assert pipeline.node.try_find_child("StepRole-Handed") is None
    steps = every.steps(pipeline)
    assert steps["Handed"]["Arguments"]["ExecutionRoleArn"] == every.role_arn(pipeline.step_role)
    served = attached(template, pipeline.dedicated_roles["Served"])
    step_role = attached(template, pipeline.step_role)
    assert _reads(served) == [s3_arn("models-bucket/served.tar.gz*")]
    assert _writes(served) == [s3_arn("capture-bucket/shared*")]
    # The step role stands for the other model's role (the endpoint's other variant, the
    # Transform job of it) and runs Handed's model.
    assert _same(
        _reads(step_role),
        [s3_arn("models-bucket/handed.tar.gz*"), s3_arn("batch-bucket/outside/*")],
    )
    assert _same(
        _writes(step_role),
        [s3_arn("capture-bucket/shared*"), s3_arn("batch-bucket/outside-scores/*")],
    )
    passed = _passed(template, pipeline)
    for role in (pipeline.step_role, pipeline.dedicated_roles["Served"]):
        assert {"Fn::GetAtt": [logical_id(role), "Arn"]} in passed


def test_a_listed_model_steps_role_runs_its_transform_jobs(every: Every) -> None:
    pipeline, template = every.listed, every.template
    assert list(pipeline.dedicated_roles) == ["Model"]
    steps = every.steps(pipeline)
    model_role = pipeline.dedicated_roles["Model"]
    assert steps["Model"]["Arguments"]["ExecutionRoleArn"] == every.role_arn(model_role)
    assert steps["Train"]["Arguments"]["RoleArn"] == every.role_arn(pipeline.step_role)
    model = attached(template, model_role)
    assert _suffixes(model["ReadDataInArtifactsBucket"]) == ["/models/listed/Train/*/model*"]
    assert s3_arn("batch-bucket/in/*") in _reads(model)
    assert _writes(model) == [s3_arn("batch-bucket/out/*")]
    # Train's job (the step role) writes the model, and touches no batch data.
    step_role = attached(template, pipeline.step_role)
    assert _suffixes(step_role["WriteDataInArtifactsBucket"]) == ["/models/listed/Train/*/model*"]
    assert not any("Batch" in sid for sid in step_role)
    passed = _passed(template, pipeline)
    assert sorted(json.dumps(role) for role in passed) == sorted(
        json.dumps({"Fn::GetAtt": [logical_id(role), "Arn"]})
        for role in (pipeline.step_role, model_role)
    )


def test_a_model_of_a_version_the_pipeline_registers_reads_and_pulls_it_as_its_role() -> None:
    # Was: with "*", the Model step of the version Register registers got a role of its own
    # with no read of the version's model data nor pull of its image (only the registration,
    # planned for the idle step role, named them): its Transform job failed with
    # AccessDenied, where without "*" the step role had them, and a warning said to grant
    # what the definition names.
    stack = new_stack()
    repository = ecr.Repository(stack, "Serving")
    train = TrainingStep(
        name="Train", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code/train.py")
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.from_ecr_repository(repository, "v1"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    model = ModelStep(name="Model", model_package_name=register.properties.ModelPackageArn)
    score = TransformStep(
        name="Score", model_name=model.properties.ModelName, input_data="s3://batch-bucket/in/"
    )
    pipeline = Pipeline(
        stack,
        "Scoring",
        definition=PipelineDefinition(steps=[score]),
        pipeline_name="scoring",
        dedicated_step_roles="*",
    )
    template = Template.from_stack(stack)
    assert list(pipeline.dedicated_roles) == ["Train", "Model"]
    model_role = attached(template, pipeline.dedicated_roles["Model"])
    assert _suffixes(model_role["ReadDataInArtifactsBucket"]) == ["/models/scoring/Train/*/model*"]
    assert model_role["PullImages"]["Resource"] == {"Fn::GetAtt": [logical_id(repository), "Arn"]}
    # Derived: nothing left to grant by hand, so no warning.
    found = CdkAnnotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(".*model-from-model-package.*")
    )
    assert found == []


def test_a_models_role_publishes_its_asynchronous_endpoints_notifications() -> None:
    # Was: no role was granted sns:Publish on the topics an asynchronous endpoint notifies
    # of its results, which its execution role (the model's) publishes to: every
    # notification was refused (the results themselves were granted).
    stack = new_stack()
    key = kms.Key(stack, "TopicKey")
    scored = sns.Topic(stack, "Scored", master_key=key)
    failed = "arn:aws:sns:us-east-1:111122223333:scoring-failed"
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        async_inference_config={
            "OutputConfig": {
                "S3OutputPath": "s3://async-bucket/results/",
                "NotificationConfig": {"SuccessTopic": scored.topic_arn, "ErrorTopic": failed},
            }
        },
    )
    pipeline = Pipeline(
        stack,
        "Serving",
        definition=PipelineDefinition(steps=[config]),
        pipeline_name="serving",
        dedicated_step_roles="*",
    )
    template = Template.from_stack(stack)
    model_role = attached(template, pipeline.dedicated_roles["Model"])
    publish = model_role["PublishAsyncInferenceNotifications"]
    assert publish["Action"] == "sns:Publish"
    assert _same(publish["Resource"], [{"Ref": logical_id(scored)}, failed])
    # The topic's key: SNS encrypts each message the role publishes with it.
    assert model_role["EncryptAsyncInferenceNotifications"]["Resource"] == {
        "Fn::GetAtt": [logical_id(key), "Arn"]
    }
    assert _writes(model_role) == [s3_arn("async-bucket/results/*")]
    # No job runs as the step role, which gets none of it.
    assert attached(template, pipeline.step_role) == {}


def test_a_shadow_variant_of_a_model_the_pipeline_does_not_create_keeps_the_step_role() -> None:
    # Was: a shadow variant's model was no model of another role to the planner: with the
    # served model on a role of its own, the step role (standing for the shadow model's
    # role, which writes captured data too) was left idle, its policy attached to no role,
    # and endpoint-of-external-model was not warned, as it is for a production variant.
    stack = new_stack()
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(destination="s3://capture-bucket/churn"),
        extra_arguments={
            "ShadowProductionVariants": [
                {
                    "VariantName": "Challenger",
                    "ModelName": "existing",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ]
        },
    )
    pipeline = Pipeline(
        stack,
        "Serving",
        definition=PipelineDefinition(steps=[config]),
        pipeline_name="serving",
        dedicated_step_roles="*",
    )
    template = Template.from_stack(stack)
    assert list(pipeline.dedicated_roles) == ["Model"]
    for role in (pipeline.step_role, pipeline.dedicated_roles["Model"]):
        assert _writes(attached(template, role)) == [s3_arn("capture-bucket/churn*")]
    (warning,) = CdkAnnotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(".*endpoint-of-external-model.*")
    )
    assert str(warning.entry.data).startswith(
        "The endpoints of step 'Config' (model 'existing') write captured requests"
    )


def test_a_step_role_no_job_runs_as_gets_no_policy_and_is_not_passed(every: Every) -> None:
    pipeline, template = every.automl, every.template
    assert list(pipeline.dedicated_roles) == ["Prep"]
    assert pipeline.automl_role is not None
    steps = every.steps(pipeline)
    assert steps["AutoML"]["Arguments"]["RoleArn"] == every.role_arn(pipeline.automl_role)
    assert attached(template, pipeline.step_role) == {}
    passed = _passed(template, pipeline)
    assert {"Fn::GetAtt": [logical_id(pipeline.step_role), "Arn"]} not in passed
    # Its policy is still made: AutoML's jobs get it (the data of the AutoML step).
    (policy,) = pipeline.step_role_policies
    properties = resource(template, logical_id(policy))["Properties"]
    assert properties["Roles"] == [{"Ref": logical_id(pipeline.automl_role)}]
    automl = attached(template, pipeline.automl_role)
    assert "/executions/automl/Prep/*/train*" in _suffixes(automl["ReadDataInArtifactsBucket"])
    assert "AutoMLCandidateModelsAndEndpoints" in automl


def test_every_step_skips_the_steps_that_cant_have_a_role_and_warns_if_none_can(
    every: Every,
) -> None:
    pipeline = every.skipped
    assert dict(pipeline.dedicated_roles) == {}
    assert pipeline.node.try_find_child("StepRole-Tune") is None
    assert pipeline.node.try_find_child("StepRole-Handed") is None
    steps = every.steps(pipeline)
    assert steps["Handed"]["Arguments"]["ExecutionRoleArn"] == every.role_arn(pipeline.step_role)
    assert steps["Prep"]["Arguments"]["RoleArn"] == ROLE
    # The tuning step's definition given no role runs as the step role, as without "*".
    first, second = steps["Tune"]["Arguments"]["TrainingJobDefinitions"]
    assert first["RoleArn"] == every.role_arn(pipeline.step_role)
    assert second["RoleArn"] == ROLE
    warnings = every.annotations.find_warning(
        "/Every/Skipped", Match.string_like_regexp(".*no-dedicated-step.*")
    )
    assert [str(warning.entry.data) for warning in warnings] == [
        "dedicated_step_roles='*' gives no step a role of its own: the job steps 'Handed' "
        "(Model), 'Prep' (Processing), 'Tune' (Tuning) are given a role (role=), are AutoML "
        "steps, or are Model steps whose model other steps name where what runs as its role "
        "can't be derived (a Lambda step's input, an inference component), which can't have "
        "one. Every job runs as it did without the prop. "
        "[ack: cdk-sagemaker-pipelines:no-dedicated-step]"
    ]
    for other in ("/Every/Full", "/Every/AutoMLOnly", "/Every/Shared", "/Every/Listed"):
        assert (
            every.annotations.find_warning(other, Match.string_like_regexp(".*no-dedicated-step.*"))
            == []
        )


def test_every_step_makes_no_role_for_a_step_it_leaves_to_the_step_role(
    tmp_path: Path,
) -> None:
    # Was: "*" made a role for Tune as its first definition was bound, then removed it from
    # the tree: aws-cdk-lib's customize_roles report (the roles a platform team creates)
    # still listed <pipeline>/StepRole-Tune, a role no job runs as. The same for the Model
    # step Handed, whose model a Lambda step is given.
    app = cdk.App(context=cdk_context(), outdir=str(tmp_path))
    stage = cdk.Stage(app, "dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    iam.Role.customize_roles(stage, prevent_synthesis=False)
    stack = cdk.Stack(stage, "Ml")
    pipeline = Pipeline(stack, "Training", definition=_none_eligible(), dedicated_step_roles="*")
    app.synth()
    report = json.loads((tmp_path / "iam-policy-report.json").read_text())
    assert sorted(role["roleConstructPath"] for role in report["roles"]) == [
        "dev/Ml/Training/Role",
        "dev/Ml/Training/StepRole",
    ]
    assert dict(pipeline.dedicated_roles) == {}


def _external_models() -> dict[str, PipelineDefinition]:
    """Prep, then what runs as a model's role no Model step makes, by the pipeline's name.

    A Transform job, an endpoint capturing data, an endpoint watching rollback alarms.
    """
    prep = _prep(
        outputs=["batch"],
    )
    score = TransformStep(
        name="Score",
        model_name="existing-model",
        input_data=prep.output("batch"),
        output_path="s3://scores-bucket/out/",
    )
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name="existing-model",
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(destination="s3://capture-bucket/churn"),
        depends_on=[prep],
    )
    deploy = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name="existing",
        deployment_config={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "churn-errors"}]},
        },
        depends_on=[prep],
    )
    return {
        name: PipelineDefinition(steps=[step])
        for name, step in (("scoring", score), ("serving", config), ("deploying", deploy))
    }


def test_the_step_role_stands_for_the_role_of_a_model_the_pipeline_does_not_create() -> None:
    # Was: with every job step on a dedicated role, the step role got no policy, though the
    # warnings say the jobs of another model's role get their permissions there (a model
    # made with pipeline.step_role as its role then failed with AccessDenied).
    stack = new_stack()
    pipelines = {
        name: Pipeline(
            stack,
            name.title(),
            definition=definition,
            pipeline_name=name,
            dedicated_step_roles="*",
        )
        for name, definition in _external_models().items()
    }
    template = Template.from_stack(stack)
    assert all(list(pipeline.dedicated_roles) == ["Prep"] for pipeline in pipelines.values())
    transform = attached(template, pipelines["scoring"].step_role)
    assert "/executions/scoring/Prep/*/batch*" in _suffixes(transform["ReadDataInArtifactsBucket"])
    assert s3_arn("scores-bucket/out/*") in _writes(transform)
    capture = attached(template, pipelines["serving"].step_role)
    assert s3_arn("capture-bucket/churn*") in _writes(capture)
    rollback = attached(template, pipelines["deploying"].step_role)
    assert rollback["DescribeRollbackAlarms"]["Action"] == "cloudwatch:DescribeAlarms"


def test_an_immutable_step_role_no_job_runs_as_is_not_asked_for_the_policies() -> None:
    # Was: immutable-role asked to attach the step role's policies to a role no job runs as.
    stack = new_stack()
    step_role = iam.Role.from_role_arn(stack, "Steps", ROLE, mutable=False)
    Pipeline(
        stack,
        "Training",
        definition=_prep_train_evaluate(),
        step_role=step_role,
        dedicated_step_roles="*",
    )
    warnings = CdkAnnotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(".*immutable-role.*")
    )
    assert warnings == []


# -- Refusals ----------------------------------------------------------------------------------


def _refused(definition: Any, names: Any, *messages: str) -> None:
    stack = new_stack()
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=definition, dedicated_step_roles=names)
    text = str(raised.value)
    for message in messages:
        assert re.search(message, text), text
    # Refused before a role is left behind.
    assert stack.node.try_find_child("Training") is None


def test_fails_an_unknown_step_suggesting_a_close_name() -> None:
    _refused(
        _prep_train_evaluate(),
        ["Prepp"],
        r"prop 'dedicated_step_roles': the definition has no step 'Prepp' "
        r"\(did you mean 'Prep'\?\)",
    )


def test_fails_a_step_listed_twice() -> None:
    _refused(
        _prep_train_evaluate(),
        ["Prep", "Train", "Prep"],
        r"prop 'dedicated_step_roles': step 'Prep' is listed 2 times \(list each step once\)",
    )


def test_fails_a_step_named_like_another_dedicated_roles_policy() -> None:
    # StepRole-A-Policy would be both A's role's policy and A-Policy's role.
    steps = [
        ProcessingStep(
            name=name, image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code-bucket/a.py")
        )
        for name in ("A", "A-Policy", "A-Policy2")
    ]
    _refused(
        PipelineDefinition(steps=steps),
        ["A", "A-Policy", "A-Policy2"],
        r"prop 'dedicated_step_roles': step 'A-Policy': its role's construct id "
        r"'StepRole-A-Policy' is that of a managed policy of step 'A''s role \(rename step "
        r"'A-Policy', or leave one of the two out of dedicated_step_roles\)",
        r"step 'A-Policy2': its role's construct id 'StepRole-A-Policy2'",
    )


def _with_model() -> PipelineDefinition:
    train = TrainingStep(
        name="Train", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code/train.py")
    )
    model = ModelStep(
        name="Model",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
    )
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
    )
    gate = LambdaStep(name="Gate", function_arn=LAMBDA_ARN, depends_on=[score])
    return PipelineDefinition(steps=[gate])


def test_fails_a_model_step_whose_model_another_step_is_given() -> None:
    # What runs as the model's role there (an endpoint the function creates) can't be
    # derived: the role would miss it.
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    deploy = LambdaStep(
        name="Deploy", function_arn=LAMBDA_ARN, inputs={"Model": model.properties.ModelName}
    )
    _refused(
        PipelineDefinition(steps=[deploy]),
        ["Model"],
        r"prop 'dedicated_step_roles': step 'Model' is a Model step whose model is also named "
        r"in step 'Deploy' field 'Arguments\.Model', where what runs as the model's role can't "
        r"be derived: its role would miss it \(give the Model step a role of its own "
        r"\(ModelStep\(\.\.\., role=\.\.\.\)\) and grant that role what the model needs there",
    )


def test_fails_a_model_step_given_a_role_of_its_own() -> None:
    model = ModelStep(
        name="Model",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
        role=ROLE,
    )
    _refused(
        PipelineDefinition(steps=[model]),
        ["Model"],
        rf"prop 'dedicated_step_roles': step 'Model' is given a role of its own "
        rf"\(role='{re.escape(ROLE)}'\)",
    )


def test_fails_steps_of_no_job_role() -> None:
    _refused(
        _with_model(),
        ["Score", "Gate"],
        r"step 'Score' is a Transform step: its job runs as its model's execution role \(name "
        r"its Model step 'Model': a model's role runs its Transform jobs and endpoints too\)",
        r"step 'Gate' is a Lambda step: it runs no job with a role the pipeline gives",
    )


def test_fails_an_automl_step() -> None:
    automl = AutoMLStep(name="AutoML", inputs="s3://raw-data/train/", target_attribute_name="y")
    _refused(
        PipelineDefinition(steps=[automl]),
        ["AutoML"],
        r"prop 'dedicated_step_roles': step 'AutoML' is an AutoML step.*automl_role=",
    )


def test_fails_a_step_given_a_role_of_its_own() -> None:
    prep = _prep(
        role=ROLE,
    )
    _refused(
        PipelineDefinition(steps=[prep]),
        ["Prep"],
        rf"prop 'dedicated_step_roles': step 'Prep' is given a role of its own "
        rf"\(role='{re.escape(ROLE)}'\).*\(leave the step's role= out",
    )


def test_fails_a_tuning_step_whose_definitions_have_roles_of_their_own() -> None:
    ranges = {"eta": ContinuousParameter(min_value=0.01, max_value=0.3)}
    tune = TuningStep(
        name="Tune",
        training_job_definitions=[
            TrainingJobDefinition(
                name=name,
                image=Image.xgboost("1.7-1"),
                inputs={"train": "s3://data-bucket/train/"},
                objective_metric_name="validation:auc",
                hyperparameter_ranges=ranges,
                role=role,
            )
            for name, role in (("first", None), ("second", ROLE))
        ],
        max_jobs=2,
    )
    _refused(
        PipelineDefinition(steps=[tune]),
        ["Tune"],
        r"prop 'dedicated_step_roles': step 'Tune' has training job definitions given a role "
        r"of their own \('second'\): their jobs run as those roles.*\(leave role= out of the "
        r"step's TrainingJobDefinitions",
    )


def test_fails_a_definition_json() -> None:
    _refused(
        literal_definition(),
        ["Prep"],
        r"prop 'dedicated_step_roles': step\(s\) 'Prep' of a definition JSON .*RoleArn the "
        r"JSON gives them, fixed in it",
    )


def test_fails_a_lone_string() -> None:
    _refused(
        _prep_train_evaluate(),
        "Prep",
        r"prop 'dedicated_step_roles': expected a list of step names or '\*', got str 'Prep' "
        r"\(write \['Prep'\] for that step, or '\*' for every job step\)",
    )


def test_fails_a_star_in_a_list() -> None:
    _refused(
        _prep_train_evaluate(),
        ["*"],
        r"prop 'dedicated_step_roles': '\*' in a list is no step name \(write "
        r"dedicated_step_roles='\*' \(not in a list\) for every job step\)",
    )
    _refused(
        _prep_train_evaluate(),
        ["Prep", "*"],
        r"'\*' in a list is no step name \(.* for every job step, or list step names only\)",
    )


def test_fails_every_step_of_a_definition_json() -> None:
    _refused(
        literal_definition(),
        "*",
        r"prop 'dedicated_step_roles': every job step \('\*'\) of a definition JSON .*RoleArn "
        r"the JSON gives them, fixed in it",
    )


def test_fails_every_step_where_a_roles_id_is_that_of_anothers_policy() -> None:
    steps = [
        ProcessingStep(
            name=name, image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code-bucket/a.py")
        )
        for name in ("A", "A-Policy")
    ]
    _refused(
        PipelineDefinition(steps=steps),
        "*",
        r"prop 'dedicated_step_roles': step 'A-Policy': its role's construct id "
        r"'StepRole-A-Policy' is that of a managed policy of step 'A''s role \(rename step "
        r"'A-Policy', or list the steps to give roles of their own instead of '\*'\)",
    )


def test_fails_every_problem_at_once() -> None:
    _refused(
        _with_model(),
        ["Score", "Nope", "Gate", "Model"],
        r"step 'Score' is a Transform step",
        r"no step 'Nope'",
        r"step 'Gate' is a Lambda step",
    )


# -- cfn-lint (last: the worker lints while the tests above run) -------------------------------


def test_cfn_lint_finds_nothing_in_dedicated_roles(
    lint: tuple[dict[str, dict[str, Any]], BackgroundLint],
) -> None:
    templates, worker = lint
    results = worker.results()
    problems = [
        f"{name}: {_describe(match)}"
        for name, template in templates.items()
        for match in results[name]
        if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []


def _execution_id_first(step: str, output: str) -> Join:
    """``s3://my-data/<execution id>/<step>/<output>``: the SDK's layout, id before step."""
    return Join(
        on="/",
        values=["s3://my-data", ExecutionVariables.PIPELINE_EXECUTION_ID, step, output],
    )


@pytest.mark.parametrize("dedicated", ["*", ["Evaluate"]], ids=["every", "one"])
def test_a_dedicated_role_that_may_write_under_another_steps_output_is_warned(
    dedicated: str | list[str],
) -> None:
    # IAM's * takes '/': Evaluate's grant my-data/*/Evaluate/report* also matches
    # my-data/<id>/Prep/train/x/Evaluate/report, inside Prep's output, which Train then
    # downloads with its data. Default outputs are laid out step first and can't; a layout
    # of the caller's (or the SDK's @step functions') with the execution id first can.
    prep = _prep(
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=[
            ProcessingOutput(
                output_name="train",
                source="/opt/ml/processing/train",
                destination=_execution_id_first("Prep", "train"),
            )
        ],
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/evaluate.py"),
        inputs={"data": prep.output("train")},
        outputs=[
            ProcessingOutput(
                output_name="report",
                source="/opt/ml/processing/report",
                destination=_execution_id_first("Evaluate", "report"),
            )
        ],
    )
    stack = new_stack()
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[evaluate]),
        dedicated_step_roles=dedicated,
    )
    warnings = CdkAnnotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(".*dedicated-role-reaches-another-step.*")
    )
    # With Evaluate's role alone, Prep runs as the step role: its writes planned apart.
    expected = [
        "The role of step 'Evaluate' (pipeline.dedicated_roles['Evaluate']) may write "
        "s3://my-data/*/Evaluate/report*, which takes keys under the output of step 'Prep' "
        "(s3://my-data/*/Prep/train*), as IAM's * matches '/' too: that step's job can plant "
        "objects a reader of Prep's output then downloads. Lay the outputs out step first "
        "(<step>/<execution id>/<output>, as default outputs are), so that no wildcard comes "
        "before the step's name [ack: cdk-sagemaker-pipelines:dedicated-role-reaches-another-step]",
        "The role of step 'Prep' (pipeline.dedicated_roles['Prep']) may write "
        "s3://my-data/*/Prep/train*, which takes keys under the output of step 'Evaluate' "
        "(s3://my-data/*/Evaluate/report*), as IAM's * matches '/' too: that step's job can "
        "plant objects a reader of Evaluate's output then downloads. Lay the outputs out step "
        "first (<step>/<execution id>/<output>, as default outputs are), so that no wildcard "
        "comes before the step's name "
        "[ack: cdk-sagemaker-pipelines:dedicated-role-reaches-another-step]",
    ]
    assert sorted(str(warning.entry.data) for warning in warnings) == (
        expected if dedicated == "*" else expected[:1]
    )


def test_default_outputs_warn_of_no_dedicated_role_reaching_another_step(every: Every) -> None:
    # Every kind of job step, each on a role of its own, default outputs only: each role's
    # writes stay under its own step's prefix.
    assert (
        every.annotations.find_warning(
            "*", Match.string_like_regexp(".*dedicated-role-reaches-another-step.*")
        )
        == []
    )
