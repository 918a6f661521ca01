"""Roles of another account given where a construct passes them to a service.

SageMaker (CreatePipeline, CreateModel, a job's RoleArn), EventBridge and its Scheduler
take a role ARN their caller passes with ``iam:PassRole``, which passes roles of the
caller's own account only (IAM User Guide, "Grant a user permissions to pass a role to an
AWS service"). A role of another account fails the construct (or a definition naming one,
the Pipeline) naming the prop, the role, both accounts and what to do; a role of the
stack's account, or an account known only at deploy time, builds.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    ComponentEndpoint,
    DataCapture,
    DataQualityMonitor,
    ModelEndpoint,
    MonitorBaseline,
    NewDataTrigger,
    Pipeline,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    ModelStep,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingStep,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import literal_definition, prep_and_train

ACCOUNT = "111122223333"
OTHER = "999988887777"
OTHER_ARN = f"arn:aws:iam::{OTHER}:role/ml-jobs"
VERSION = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/churn/3"
BASELINE = "s3://baselines-bucket/churn"

# What the hint adds for each kind of role: how a role of the stack's account reaches the
# other account's resources.
JOBS = (
    f"; to reach account {OTHER}'s resources, that role may assume a role of {OTHER} in the "
    f"jobs' code, or {OTHER}'s resource policies (a bucket's, a key's) may admit it"
)
MODEL = (
    f"; to reach account {OTHER}'s resources, that role may assume a role of {OTHER} in the "
    f"model's code, or {OTHER}'s resource policies (a bucket's, a key's, an image "
    "repository's) may admit it"
)
POLICIES = (
    f"; to reach account {OTHER}'s resources, {OTHER}'s resource policies (a bucket's, a "
    "key's) may admit that role"
)


def _pipeline(stack: cdk.Stack, prop: str, role: Any) -> Pipeline:
    return Pipeline(stack, "Training", definition=prep_and_train(), **{prop: role})


def _endpoint(stack: cdk.Stack, role: Any, **props: Any) -> ModelEndpoint:
    store = ArtifactStore(stack, "Artifacts")
    return ModelEndpoint(
        stack, "Endpoint", model_package_arn=VERSION, artifact_store=store, role=role, **props
    )


def _component_endpoint(stack: cdk.Stack, role: Any) -> ComponentEndpoint:
    store = ArtifactStore(stack, "Artifacts")
    return ComponentEndpoint(
        stack, "Endpoint", artifact_store=store, instance_type="ml.g5.xlarge", role=role
    )


def _monitor(stack: cdk.Stack, role: Any) -> DataQualityMonitor:
    endpoint = _endpoint(stack, None, data_capture=DataCapture())
    return DataQualityMonitor(
        stack,
        "Monitor",
        endpoint=endpoint,
        baseline=MonitorBaseline(
            statistics_uri=f"{BASELINE}/statistics.json",
            constraints_uri=f"{BASELINE}/constraints.json",
        ),
        role=role,
    )


def _schedule(stack: cdk.Stack, role: Any) -> PipelineSchedule:
    return PipelineSchedule(
        stack,
        "Weekly",
        pipeline=Pipeline.from_pipeline_name(stack, "Imported", "churn"),
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(7)),
        role=role,
    )


def _new_data(stack: cdk.Stack, role: Any) -> NewDataTrigger:
    return NewDataTrigger(
        stack,
        "OnNewData",
        pipeline=Pipeline.from_pipeline_name(stack, "Imported", "churn"),
        bucket=s3.Bucket(stack, "Data"),
        prefix="incoming/",
        key_parameter="InputDataKey",
        role=role,
    )


def _target(stack: cdk.Stack, role: Any) -> events.Rule:
    rule = events.Rule(stack, "Daily", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    rule.add_target(
        SageMakerPipelineTarget(Pipeline.from_pipeline_name(stack, "Imported", "churn"), role=role)
    )
    return rule


# (build, subject of the error, prop, what passes the role, what fails, the hint's reach).
CASES: dict[str, tuple[Callable[[cdk.Stack, Any], Any], str, str, str, str, str, str]] = {
    "pipeline-role": (
        lambda stack, role: _pipeline(stack, "role", role),
        "Pipeline Test/Training",
        "role",
        "SageMaker",
        "CreatePipeline passes it",
        "the deploy would fail",
        POLICIES,
    ),
    "step-role": (
        lambda stack, role: _pipeline(stack, "step_role", role),
        "Pipeline Test/Training",
        "step_role",
        "SageMaker",
        "the pipeline role passes it to each job it creates",
        "every execution would fail at its first job",
        JOBS,
    ),
    "automl-role": (
        lambda stack, role: _pipeline(stack, "automl_role", role),
        "Pipeline Test/Training",
        "automl_role",
        "SageMaker",
        "the pipeline role passes it to each AutoML job it creates",
        "every execution would fail at its first AutoML step",
        JOBS,
    ),
    "model-endpoint": (
        _endpoint,
        "ModelEndpoint Test/Endpoint",
        "role",
        "SageMaker",
        "CreateModel passes it",
        "the deploy would fail",
        MODEL,
    ),
    "component-endpoint": (
        _component_endpoint,
        "ComponentEndpoint Test/Endpoint",
        "role",
        "SageMaker",
        "CreateEndpointConfig and CreateModel pass it",
        "the deploy would fail",
        MODEL,
    ),
    "monitor": (
        _monitor,
        "DataQualityMonitor Test/Monitor",
        "role",
        "SageMaker",
        "CreateDataQualityJobDefinition passes it",
        "the deploy would fail",
        POLICIES,
    ),
    "schedule": (
        _schedule,
        "PipelineSchedule Test/Weekly",
        "role",
        "EventBridge Scheduler",
        "CreateSchedule passes it",
        "the deploy would fail",
        "",
    ),
    "new-data": (
        _new_data,
        "NewDataTrigger Test/OnNewData",
        "role",
        "EventBridge",
        "PutTargets passes it",
        "the deploy would fail",
        "",
    ),
    "target": (
        _target,
        "SageMakerPipelineTarget of rule Test/Daily",
        "role",
        "EventBridge",
        "PutTargets passes it",
        "the deploy would fail",
        "",
    ),
}


def _message(case: str, named: str) -> str:
    _, subject, prop, service, passes, fails, reach = CASES[case]
    return (
        f"{subject} has 1 problem:\n- prop '{prop}': role {named} is of account {OTHER}, but "
        f"this stack deploys to account {ACCOUNT}: {service} takes only a role of its own "
        f"account, and {passes} with iam:PassRole, which passes roles of the caller's own "
        f"account only: {fails} (give a role of account {ACCOUNT}, or leave {prop} out to get "
        f"one{reach})"
    )


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mutable", [True, False], ids=["mutable", "immutable"])
def test_fails_a_role_of_another_account_imported_by_arn(case: str, mutable: bool) -> None:
    # aws-cdk-lib makes a role of another account immutable whatever mutable says: its
    # grants went down the immutable-role path, and the deploy or first run failed.
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Theirs", OTHER_ARN, mutable=mutable)
    # The target's bind runs inside jsii, which wraps the error in a RuntimeError.
    with pytest.raises((PipelineDefinitionError, RuntimeError)) as raised:
        CASES[case][0](stack, role)
    assert str(raised.value) == _message(case, f"{OTHER_ARN} (Test/Theirs)")


@pytest.mark.parametrize("case", ["step-role", "model-endpoint", "schedule"])
def test_fails_a_role_created_in_a_stack_of_another_account(case: str) -> None:
    # Its ARN is a token: the error names its construct path.
    stack = new_stack()
    app = stack.node.root
    assert isinstance(app, cdk.App)
    theirs = cdk.Stack(app, "Theirs", env=cdk.Environment(account=OTHER, region="us-east-1"))
    role = iam.Role(theirs, "Jobs", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    with pytest.raises(PipelineDefinitionError) as raised:
        CASES[case][0](stack, role)
    assert str(raised.value) == _message(case, "Theirs/Jobs")


@pytest.mark.parametrize("case", CASES)
def test_takes_a_role_of_the_stacks_account(case: str) -> None:
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Ours", f"arn:aws:iam::{ACCOUNT}:role/ml-jobs")
    CASES[case][0](stack, role)


@pytest.mark.parametrize("case", CASES)
def test_takes_a_role_whose_account_is_known_at_deploy_time(case: str) -> None:
    # An ARN given as a parameter's value: its account is a token, not judged.
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "RoleArn").value_as_string
    CASES[case][0](stack, iam.Role.from_role_arn(stack, "Given", arn))


@pytest.mark.parametrize("case", ["pipeline-role", "model-endpoint", "schedule"])
def test_takes_a_role_of_any_account_in_an_environment_agnostic_stack(case: str) -> None:
    # The stack deploys to whichever account deploys it: the role may be of that one.
    stack = new_stack(account=None, region=None)
    CASES[case][0](stack, iam.Role.from_role_arn(stack, "Theirs", OTHER_ARN))


# -- roles the definition names -------------------------------------------------------


def _definition_problem(
    step: str, field: str, runs_as: str, argument: str, instead: str, reach: str
) -> str:
    return (
        f"step '{step}' field '{field}'{argument}: role {OTHER_ARN} is of account {OTHER}, but "
        f"the pipeline's stack deploys to account {ACCOUNT}: SageMaker takes only a role of "
        f"its own account, and the pipeline role passes it to the step's {runs_as} with "
        "iam:PassRole, which passes roles of the caller's own account only: every execution "
        f"would fail at this step (give a role of account {ACCOUNT}, such as {instead}{reach})"
    )


def test_fails_steps_given_a_role_of_another_account() -> None:
    # ProcessingStep(role=...) and ModelStep(role=...): the job's RoleArn, the model's
    # ExecutionRoleArn, which the pipeline role passes when the step runs.
    stack = new_stack()
    theirs = iam.Role.from_role_arn(stack, "Theirs", OTHER_ARN)
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
        role=theirs.role_arn,
    )
    model = ModelStep(
        name="Model",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
        role=theirs.role_arn,
    )
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep, model]))
    instead = "the step role (leave the step's role= out)"
    assert str(raised.value) == (
        "Pipeline Test/Training has 2 problems:\n- "
        + _definition_problem(
            "Model", "Arguments.ExecutionRoleArn", "model", " (role=)", instead, MODEL
        )
        + "\n- "
        + _definition_problem("Prep", "Arguments.RoleArn", "job", " (role=)", instead, JOBS)
    )
    assert [(p.step, p.field, p.argument) for p in raised.value.problems] == [
        ("Model", "Arguments.ExecutionRoleArn", "role"),
        ("Prep", "Arguments.RoleArn", "role"),
    ]


def test_fails_a_definition_json_naming_a_role_of_another_account() -> None:
    # A SageMaker SDK definition names the role it was generated with: here, another
    # account's (generated in development, deployed to production).
    stack = new_stack()
    definition = copy.deepcopy(literal_definition())
    definition["Steps"][0]["Arguments"]["RoleArn"] = OTHER_ARN
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=definition)
    instead = (
        "the step role (`smpipe convert --without-roles` drafts the definition in Python "
        "without the SDK's roles)"
    )
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n- "
        + _definition_problem("Prep", "Arguments.RoleArn", "job", "", instead, JOBS)
    )


def test_takes_definition_roles_of_the_stacks_account_or_known_at_deploy_time() -> None:
    stack = new_stack()
    steps = [
        ProcessingStep(
            name=name,
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
            role=given,
        )
        for name, given in (
            ("Ours", f"arn:aws:iam::{ACCOUNT}:role/ml-jobs"),
            # A token: an ARN known at deploy time.
            ("Token", cdk.CfnParameter(stack, "RoleArn").value_as_string),
        )
    ]
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=steps))


def test_takes_a_definition_role_of_another_account_in_an_environment_agnostic_stack() -> None:
    stack = new_stack(account=None, region=None)
    definition = copy.deepcopy(literal_definition())
    definition["Steps"][0]["Arguments"]["RoleArn"] = OTHER_ARN
    Pipeline(stack, "Training", definition=definition)
