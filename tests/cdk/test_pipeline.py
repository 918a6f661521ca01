"""The ``Pipeline`` L2: every prop and behaviour, asserted on the synthesized template."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.cdk._template_size import MEASURE_FROM_BYTES, definition_size
from cdk_sagemaker_pipelines.cdk.validation import SageMakerPipelineChecks
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    CacheConfig,
    CallbackStep,
    ClarifyCheckStep,
    Code,
    ConditionEquals,
    ConditionStep,
    ContinuousParameter,
    DataBiasCheckConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    DriftCheckBaselines,
    ExecutionVariables,
    FailStep,
    Image,
    Join,
    JsonGet,
    LambdaStep,
    MetricsSource,
    ModelBiasCheckConfig,
    ModelMetrics,
    ModelStep,
    OutputType,
    Parameter,
    ParameterBoolean,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    Problem,
    ProcessingStep,
    QualityCheckStep,
    RegisterModel,
    S3Location,
    StaticBinder,
    StepOutput,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.definition.validate import MAX_DEFINITION_CHARACTERS
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    REGION,
    SAGEMAKER_TRUST,
    SCRIPTS,
    definition_of,
    grantee_statements,
    literal_definition,
    logical_id,
    pipeline_under_nag,
    prep_and_train,
    prep_and_train_steps,
    prep_step,
    resource,
    s3_arn,
    statements,
    steps_by_name,
    synthesized,
    template_json,
)
from tests.conftest import ROLE
from tests.definition.test_job_tags import all_steps_by_name, every_job_step_type

NAME = "churn-training"
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{NAME}"
METRICS_NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"
EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"
STEP_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Step Status Change"
SUBNETS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"]
GIVEN_GROUP = "sg-0a1b2c3d4e5f60733"


class Built:
    """A stack with one pipeline, synthesized once."""

    def __init__(self, stack: cdk.Stack, pipeline: Pipeline) -> None:
        self.stack = stack
        self.pipeline = pipeline
        self.template = Template.from_stack(stack)
        self.cfn = resource(self.template, logical_id(pipeline.cfn_pipeline))
        self.definition = definition_of(self.template)


@pytest.fixture(scope="module")
def default() -> Built:
    """Every prop left to its default."""
    stack = new_stack()
    return Built(stack, Pipeline(stack, "Training", definition=prep_and_train()))


@pytest.fixture
def untouched(default: Built) -> Iterator[Pipeline]:
    """The default pipeline, for calls that must fail before adding anything to it."""
    constructs = len(default.stack.node.find_all())
    yield default.pipeline
    assert len(default.stack.node.find_all()) == constructs, "a failing call added constructs"


@pytest.fixture(scope="module")
def configured() -> Built:
    """Every plain prop given; the artifact store and both roles created outside."""
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    role = iam.Role(stack, "GivenRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    step_role = iam.Role(
        stack, "GivenStepRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=prep_and_train(),
        pipeline_name=NAME,
        display_name="Churn-Training",
        description="Trains the churn model",
        artifact_store=store,
        role=role,
        step_role=step_role,
        max_parallel_execution_steps=4,
        tags={"project": "churn", "team": "ml"},
    )
    return Built(stack, pipeline)


# -- name, display name, description, parallelism ---------------------------------------


def test_default_name_is_derived_from_the_construct_path_valid_and_stable(default: Built):
    name = default.cfn["Properties"]["PipelineName"]
    assert name == "test-training-9618622a"
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*", name)
    assert len(name) <= 64
    assert default.pipeline.pipeline_name == name
    # Same path in another app: same name (no randomness, no clock).
    again = Pipeline(new_stack(), "Training", definition=prep_and_train())
    assert again.pipeline_name == name
    elsewhere = Pipeline(new_stack(), "Scoring", definition=prep_and_train())
    assert elsewhere.pipeline_name != name


def test_default_name_of_a_long_path_stays_within_limits():
    stack = cdk.Stack(new_app(), "A" * 80, env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = Pipeline(stack, "B" * 80, definition=prep_and_train())
    assert len(pipeline.pipeline_name) <= 64
    assert re.fullmatch(r"[a-z0-9](-*[a-z0-9])*", pipeline.pipeline_name)


def test_given_props_render_on_the_cfn_pipeline(configured: Built):
    properties = configured.cfn["Properties"]
    assert properties["PipelineName"] == NAME
    assert properties["PipelineDisplayName"] == "Churn-Training"
    assert properties["PipelineDescription"] == "Trains the churn model"
    # Exactly this casing (the typed property would render maxParallelExecutionSteps).
    assert properties["ParallelismConfiguration"] == {"MaxParallelExecutionSteps": 4}
    assert properties["RoleArn"] == {"Fn::GetAtt": [logical_id(configured.pipeline.role), "Arn"]}


def test_defaults_leave_optional_properties_out(default: Built):
    properties = default.cfn["Properties"]
    for key in ("PipelineDisplayName", "PipelineDescription", "ParallelismConfiguration", "Tags"):
        assert key not in properties


def test_the_pipeline_and_its_execution_history_are_retained_by_default(default: Built):
    # SageMaker deletes a pipeline's executions with it: on a new pipeline_name or construct
    # path (a replacement), a removed construct or cdk destroy.
    assert default.cfn["DeletionPolicy"] == default.cfn["UpdateReplacePolicy"] == "Retain"


def test_removal_policy_destroy_deletes_the_pipeline():
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), removal_policy=cdk.RemovalPolicy.DESTROY
    )
    cfn = resource(Template.from_stack(stack), logical_id(pipeline.cfn_pipeline))
    assert cfn["DeletionPolicy"] == cfn["UpdateReplacePolicy"] == "Delete"


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"pipeline_name": "churn_training"}, r"prop 'pipeline_name': pipeline name 'churn_tr"),
        ({"pipeline_name": "-churn"}, r"prop 'pipeline_name'"),
        ({"pipeline_name": "x" * 257}, r"prop 'pipeline_name'"),
        ({"display_name": "Churn training!"}, r"prop 'display_name': display name"),
        ({"description": "d" * 3073}, r"prop 'description': 3073 characters, longer"),
        ({"max_parallel_execution_steps": 0}, r"_execution_steps': must be at least 1"),
        ({"max_parallel_execution_steps": True}, r"'max_parallel_execution_steps': expects an int"),
        ({"pipeline_name": 123}, r"'pipeline_name': expected a string, got int 123"),
        ({"pipeline_name": ""}, r"'pipeline_name': pipeline name '' must be 1-256"),
        ({"display_name": 5}, r"'display_name': expected a string, got int 5"),
        ({"description": 5}, r"'description': expected a string, got int 5"),
        (
            {"removal_policy": "retain"},
            r"'removal_policy': expected a RemovalPolicy, got str 'retain' \(RemovalPolicy.RETAIN",
        ),
        (
            {"removal_policy": cdk.RemovalPolicy.SNAPSHOT},
            r"'removal_policy': RemovalPolicy.SNAPSHOT applies to resources with snapshots "
            r"\(databases, volumes\); pipelines have none, and CloudFormation would reject",
        ),
        (
            {"role": "arn:aws:iam::111122223333:role/x"},
            r"'role': expected an iam.IRole, got str 'arn:aws:iam::111122223333:role/x' "
            r"\(an iam.Role, or iam.Role.from_role_arn\(self, 'Role', arn\)\)",
        ),
        ({"step_role": {"arn": "x"}}, r"'step_role': expected an iam.IRole, got dict"),
        ({"automl_role": {"arn": "x"}}, r"'automl_role': expected an iam.IRole, got dict"),
        ({"artifact_store": {}}, r"'artifact_store': expected an ArtifactStore, got dict \{\}"),
        ({"tags": {"team": 1}}, r"'tags': expected a dict of strings to strings"),
        (
            {"vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)},
            r"'vpc_subnets': given without vpc, so it would be ignored \(pass vpc= too\)",
        ),
        ({"security_groups": []}, r"'security_groups': given without vpc"),
        ({"vpc": "vpc-0a1b2c3d4e5f60718"}, r"'vpc': expected an ec2.IVpc, got str 'vpc-0a1b"),
        # Tags CloudFormation rejects at deploy (aws:) or at synth, once per tagged resource.
        (
            {"tags": {"aws:team": "ml"}},
            r"'tags': key 'aws:team': the aws: prefix is reserved for AWS, and CloudFormation",
        ),
        (
            {"tags": {"AWS:Team": "ml"}},
            r"'tags': key 'AWS:Team': the aws: prefix is reserved for AWS, and CloudFormation",
        ),
        ({"tags": {"": "ml"}}, r"'tags': key '': expected 1-128 characters"),
        (
            {"tags": {"team": "m" * 257}},
            r"'tags': value of 'team': 257 characters, longer than 256",
        ),
        # Characters IAM, KMS, S3 and SageMaker refuse: without CDK's validateAgainstDefaultRules
        # flag, nothing at synth would say so.
        (
            {"tags": {"team name!": "ml"}},
            r"'tags': key 'team name!': '!' not allowed \(letters, spaces, numbers and "
            r"_ \. : / = \+ - @ only\), and CloudFormation would reject",
        ),
        (
            {"tags": {"cost-centre": "R&D #4"}},
            r"'tags': value of 'cost-centre': '&#' not allowed \(letters",
        ),
        # Tags SageMaker would refuse on every job the pipeline starts.
        ({"job_tags": {"team": 1}}, r"'job_tags': expected a dict of strings to strings"),
        ({"job_tags": ["team"]}, r"'job_tags': expected a dict of strings to strings"),
        ({"job_tags": {"aws:team": "ml"}}, r"'job_tags': key 'aws:team': the aws: prefix is"),
        ({"job_tags": {"": "ml"}}, r"'job_tags': key '': expected 1-128 characters"),
        ({"job_tags": {"k" * 129: "ml"}}, r"'job_tags': key 'k+': expected 1-128 characters"),
        (
            {"job_tags": {"team": "m" * 257}},
            r"'job_tags': value of 'team': 257 characters, longer than 256",
        ),
        (
            {"job_tags": {"cost centre": "R&D"}},
            r"'job_tags': value of 'cost centre': '&' not allowed \(letters, spaces, numbers",
        ),
        (
            {"job_tags": {f"k{index}": "v" for index in range(51)}},
            r"'job_tags': 51 tags, more than the 50 a SageMaker job takes",
        ),
    ],
)
def test_fails_invalid_props_with_our_error_naming_the_problem(props: dict[str, Any], message):
    with pytest.raises(PipelineValidationError, match=message) as raised:
        Pipeline(new_stack(), "Training", definition=prep_and_train(), **props)
    assert type(raised.value) is PipelineValidationError
    assert str(raised.value).startswith("Pipeline Test/Training")


def test_fails_a_second_pipeline_of_the_same_name_in_the_stack_or_environment():
    # A copied block, or a pipeline moved while the old one stays: the second CreatePipeline
    # of a name fails at deploy time.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Retraining", definition=prep_and_train(), pipeline_name=NAME)
    assert str(raised.value) == (
        "Pipeline Test/Retraining has 1 problem:\n"
        f"- prop 'pipeline_name': '{NAME}' is also the name of Pipeline Test/Training, in the "
        "same stack Test: the second pipeline would fail to create at deploy time (give each "
        "pipeline its own pipeline_name, or leave it out for one derived from the construct path)"
    )
    same_environment = cdk.Stack(app, "Other", env=cdk.Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(PipelineValidationError, match=rf"in the same account {ACCOUNT} and "):
        Pipeline(same_environment, "Training", definition=prep_and_train(), pipeline_name=NAME)


def test_fails_a_second_pipeline_whose_name_differs_only_in_case():
    # SageMaker lowercases the name in a pipeline's ARN: 'Churn' and 'churn' are one ARN.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="Churn-Training")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Retraining", definition=prep_and_train(), pipeline_name="churn-training")
    assert str(raised.value) == (
        "Pipeline Test/Retraining has 1 problem:\n"
        "- prop 'pipeline_name': 'churn-training' differs only in case from 'Churn-Training', "
        "the name of Pipeline Test/Training, in the same stack Test: SageMaker spells the name "
        "in lowercase in a pipeline's ARN, so the second pipeline would fail to create, or "
        "share the first's ARN and permissions (give each pipeline its own pipeline_name, or "
        "leave it out for one derived from the construct path)"
    )
    elsewhere = cdk.Stack(app, "Other", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
    name = "CHURN-TRAINING"
    assert Pipeline(elsewhere, "Training", definition=prep_and_train(), pipeline_name=name)


def test_warns_a_second_pipeline_of_the_name_where_an_environment_is_unknown():
    # Stacks without env= may be deployed to one account and region: not judged, warned.
    app = new_app()
    known = cdk.Stack(app, "Known", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Pipeline(known, "Training", definition=prep_and_train(), pipeline_name=NAME)
    agnostic = cdk.Stack(app, "Agnostic")
    Pipeline(agnostic, "Training", definition=prep_and_train(), pipeline_name=NAME.upper())
    elsewhere = cdk.Stack(
        app, "Elsewhere", env=cdk.Environment(account=ACCOUNT, region="eu-west-1")
    )
    Pipeline(elsewhere, "Training", definition=prep_and_train(), pipeline_name=NAME)

    def clashes(stack: cdk.Stack) -> list[str]:
        return [
            str(entry.entry.data)
            for entry in Annotations.from_stack(stack).find_warning("*", Match.any_value())
            if "pipeline-name-may-clash" in str(entry.entry.data)
        ]

    assert clashes(agnostic) == [
        f"'{NAME.upper()}' is also the name (in any case) of Pipeline Known/Training, in a stack "
        "whose account or region (or this one's) is known only at deploy time: deployed to one "
        "account and region, the second pipeline would fail to create. Give each its own "
        "pipeline_name, or give both stacks an env= (a clash in one environment then fails "
        "synth; in two it is no clash). "
        "[ack: cdk-sagemaker-pipelines:pipeline-name-may-clash]"
    ]
    # Known and Elsewhere are two environments: no clash; Elsewhere meets Agnostic.
    assert clashes(known) == []
    assert len(clashes(elsewhere)) == 1


def test_a_pipeline_that_failed_to_construct_takes_no_name():
    # Caught (a notebook, a test): it deploys nothing, so its name is free.
    stack = new_stack()
    with pytest.raises(PipelineValidationError, match="unknown step type 'Bogus'"):
        Pipeline(
            stack,
            "Broken",
            definition={"Version": "2020-12-01", "Steps": [{"Name": "x", "Type": "Bogus"}]},
            pipeline_name=NAME,
        )
    assert Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)


def test_pipelines_of_one_name_in_other_regions_or_apps_are_accepted():
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)
    elsewhere = cdk.Stack(app, "Other", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
    agnostic = cdk.Stack(app, "Agnostic")
    for scope in (elsewhere, agnostic, new_stack()):
        assert Pipeline(scope, "Training", definition=prep_and_train(), pipeline_name=NAME)


def test_fails_listing_every_invalid_prop_at_once():
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=prep_and_train(),
            pipeline_name="bad name",
            max_parallel_execution_steps=-1,
        )
    assert [problem.field for problem in raised.value.problems] == [
        "pipeline_name",
        "max_parallel_execution_steps",
    ]
    # Named by the construct's props, as every other construct's errors are.
    assert "\n- prop 'pipeline_name': pipeline name 'bad name'" in str(raised.value)


def test_fails_constructs_of_another_app_naming_the_props():
    # CDK used to fail at synth: "Cannot reference across apps", naming neither.
    other = new_stack()
    role = iam.Role(other, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    store = ArtifactStore(other, "Store")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=prep_and_train(),
            role=role,
            artifact_store=store,
        )
    assert [problem.field for problem in raised.value.problems] == ["artifact_store", "role"]
    assert "- prop 'role': Role Test/Role belongs to another CDK app: a template can only " in str(
        raised.value
    )


@pytest.mark.parametrize("prop", ["artifact_store", "role", "step_role", "automl_role", "vpc"])
def test_fails_constructs_of_another_stage_naming_the_prop(prop: str):
    # CDK failed the synth with NoCrossStageDependency, naming stacks but not the prop.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    shared = cdk.Stack(cdk.Stage(app, "Shared", env=env), "Platform")
    given: dict[str, Any] = {
        "artifact_store": lambda: ArtifactStore(shared, "Store"),
        "role": lambda: iam.Role(shared, "Role", assumed_by=iam.AccountRootPrincipal()),
        "step_role": lambda: iam.Role(shared, "Role", assumed_by=iam.AccountRootPrincipal()),
        "automl_role": lambda: iam.Role(shared, "Role", assumed_by=iam.AccountRootPrincipal()),
        "vpc": lambda: ec2.Vpc(shared, "Vpc", max_azs=2),
    }
    value = given[prop]()
    dev = cdk.Stack(cdk.Stage(app, "Dev", env=env), "Ml")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(dev, "Training", definition=prep_and_train(), **{prop: value})
    (problem,) = raised.value.problems
    assert problem.field == prop
    assert " is in stage Shared, the pipeline in stage Dev: a stack can refer to resources of " in (
        problem.message
    )
    assert problem.hint is not None
    assert problem.hint.startswith("create the pipeline in a stack of that stage")


def test_constructs_imported_in_another_stage_or_of_the_same_stage_are_taken():
    # An imported role refers to nothing in its stage; another stack of the stage is fine.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    shared_stage = cdk.Stage(app, "Shared", env=env)
    shared = cdk.Stack(shared_stage, "Platform")
    imported = iam.Role.from_role_arn(shared, "Imported", f"arn:aws:iam::{ACCOUNT}:role/ml")
    store = ArtifactStore(shared, "Store")
    dev = cdk.Stack(cdk.Stage(app, "Dev", env=env), "Ml")
    assert Pipeline(dev, "Training", definition=prep_and_train(), role=imported)
    same_stage = cdk.Stack(shared_stage, "Ml")
    assert Pipeline(same_stage, "Training", definition=prep_and_train(), artifact_store=store)


@pytest.mark.parametrize(
    ("scope", "construct_id", "message"),
    [
        (
            None,
            "Training",
            "Pipeline 'Training' has 1 problem:\n- prop 'scope': expected a construct (a Stack, "
            "or a construct in one), got None (pass self from inside a Stack or Construct)",
        ),
        (
            "stack",
            "Training",
            "Pipeline 'Training' has 1 problem:\n- prop 'scope': expected a construct",
        ),
        (
            "new",
            None,
            "Pipeline Test/None has 1 problem:\n- prop 'construct_id': expected a non-empty "
            "string, got None",
        ),
        ("new", "", "Pipeline Test/'' has 1 problem:\n- prop 'construct_id': expected a non-empty"),
        (
            "taken",
            "Training",
            "Pipeline Test/Training has 1 problem:\n- prop 'construct_id': 'Training' is already "
            "taken in Stack Test (give each construct its own id within its scope)",
        ),
    ],
)
def test_fails_a_scope_or_id_jsii_would_refuse_naming_the_construct(
    scope: Any, construct_id: Any, message: str
):
    # jsii used to fail: "type of argument id must be str", "There is already a Construct…".
    if scope in ("new", "taken"):
        stack = new_stack()
        if scope == "taken":
            Pipeline(stack, "Training", definition=prep_and_train())
        scope = stack
    with pytest.raises(PipelineDefinitionError) as raised:
        Pipeline(scope, construct_id, definition=prep_and_train())
    assert str(raised.value).startswith(message)


def test_fails_subnets_the_vpc_does_not_have_naming_the_prop():
    # aws-cdk-lib's error used to surface through jsii, without the construct or prop.
    stack = new_stack()
    public = ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)
    vpc = ec2.Vpc(stack, "Vpc", subnet_configuration=[public])
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            stack,
            "Training",
            definition=prep_and_train(),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        )
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n- prop 'vpc_subnets': selects no subnets of Vpc "
        "Test/Vpc: There are no 'Isolated' subnet groups in this VPC. Available types: Public "
        "(select subnets the VPC has (ec2.SubnetSelection(subnet_type=…) of one of its types))"
    )


def test_fails_a_bucket_given_as_the_artifact_store_naming_it():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    with pytest.raises(
        PipelineValidationError,
        match=r"'artifact_store': expected an ArtifactStore, got Bucket Test/Bucket",
    ):
        Pipeline(stack, "Training", definition=prep_and_train(), artifact_store=bucket)  # type: ignore[arg-type]


def test_imported_roles_are_accepted_and_get_the_derived_policies():
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::111122223333:role/pipeline")
    step_role = iam.Role.from_role_name(stack, "StepRole", "jobs")
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), role=role, step_role=step_role
    )
    template = Template.from_stack(stack)
    assert pipeline.role_policy is not None
    assert resource(template, logical_id(pipeline.role_policy))["Properties"]["Roles"] == [
        "pipeline"
    ]
    template.resource_count_is("AWS::IAM::Role", 0)


def test_roles_imported_immutable_are_left_untouched_with_the_policy_named():
    # mutable=False says the role's policies are managed elsewhere: attaching anyway changed
    # a role the app doesn't own, or failed the deployment without iam:AttachRolePolicy.
    stack = new_stack()
    role = iam.Role.from_role_arn(
        stack, "Role", "arn:aws:iam::111122223333:role/pipeline", mutable=False
    )
    jobs = iam.Role(stack, "Jobs", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    pipeline = Pipeline(
        stack,
        "Training",
        definition=prep_and_train(),
        role=role,
        step_role=jobs.without_policy_updates(),
    )
    template, annotations = synthesized(stack)  # one synthesis
    assert pipeline.role_policy is not None
    for policy in (pipeline.role_policy, pipeline.step_role_policy):
        properties = resource(template, logical_id(policy))["Properties"]
        assert "Roles" not in properties
        assert properties["PolicyDocument"]["Statement"]  # still derived, for whoever attaches
    assert "ManagedPolicyArns" not in resource(template, logical_id(jobs))["Properties"]
    for prop, policy_id in (("role", "RolePolicy"), ("step_role", "StepRolePolicy")):
        annotations.has_warning(
            "/Test/Training",
            Match.string_like_regexp(
                rf"^{prop} was imported with mutable=False \(or without_policy_updates\(\)\), "
                rf"so the permissions derived from the steps are in managed policy "
                rf"Test/Training/{policy_id}, not attached to it: .* "
                r"\[ack: cdk-sagemaker-pipelines:immutable-role\]$"
            ),
        )


def test_mutable_imported_and_own_roles_get_no_immutable_role_warning():
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::111122223333:role/pipeline")
    jobs = iam.Role(stack, "Jobs", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), role=role, step_role=jobs)
    template, annotations = synthesized(stack)  # one synthesis
    properties = resource(template, logical_id(pipeline.step_role_policy))["Properties"]
    assert properties["Roles"] == [{"Ref": logical_id(jobs)}]
    annotations.has_no_warning("*", Match.string_like_regexp("mutable=False"))


def test_a_role_that_is_no_construct_is_not_taken_for_an_immutable_one():
    from cdk_sagemaker_pipelines.cdk.pipeline import _refuses_policy_updates

    assert _refuses_policy_updates(object()) is False  # type: ignore[arg-type]


def test_fails_roles_of_another_account_naming_the_props():
    # SageMaker can't take another account's role (iam:PassRole passes roles of the caller's
    # own account only): each prop is reported. tests/cdk/test_passed_roles.py has each
    # prop's whole message.
    stack = new_stack()
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::999988887777:role/pipeline")
    step_role = iam.Role.from_role_arn(stack, "StepRole", "arn:aws:iam::999988887777:role/jobs")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=prep_and_train(), role=role, step_role=step_role)
    lines = str(raised.value).splitlines()
    assert lines[0] == "Pipeline Test/Training has 2 problems:"
    assert [line[: line.index(" is of account")] for line in lines[1:]] == [
        "- prop 'role': role arn:aws:iam::999988887777:role/pipeline (Test/Role)",
        "- prop 'step_role': role arn:aws:iam::999988887777:role/jobs (Test/StepRole)",
    ]
    assert all(
        "is of account 999988887777, but this stack deploys to account 111122223333: "
        "SageMaker takes only a role of its own account" in line
        for line in lines[1:]
    )


def test_fails_an_automl_role_of_the_app_that_sagemaker_cannot_assume():
    stack = new_stack()
    automl_role = iam.Role(stack, "AutoML", assumed_by=iam.AccountRootPrincipal())
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), automl_role=automl_role)
    assert pipeline.node.validate() == [
        "prop 'automl_role': role Test/AutoML trusts arn:aws:iam::111122223333:root, not "
        "sagemaker.amazonaws.com: SageMaker can't assume it, so every execution would fail "
        "(create it with assumed_by=iam.ServicePrincipal('sagemaker.amazonaws.com'), or leave "
        "automl_role out to get one)"
    ]


def test_fails_a_step_role_of_another_account_given_alone():
    # Checked when only step_role is given too: the jobs' role is the one with the data.
    stack = new_stack()
    step_role = iam.Role.from_role_arn(stack, "StepRole", "arn:aws:iam::999988887777:role/jobs")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=prep_and_train(), step_role=step_role)
    assert str(raised.value).startswith(
        "Pipeline Test/Training has 1 problem:\n- prop 'step_role': role "
        "arn:aws:iam::999988887777:role/jobs (Test/StepRole) is of account 999988887777, but "
        "this stack deploys to account 111122223333"
    )


@pytest.mark.parametrize(
    ("env", "what", "part", "why"),
    [
        (
            cdk.Environment(account="999988887777", region="us-east-1"),
            "account",
            "account 999988887777, but the pipeline's stack is in account 111122223333",
            "the pipeline's roles get identity policies only, which another account's bucket "
            "and key policies don't admit",
        ),
        (
            cdk.Environment(account="111122223333", region="eu-west-1"),
            "region",
            "region eu-west-1, but the pipeline's stack is in region us-east-1",
            "a KMS key works in its own region only",
        ),
    ],
)
def test_fails_an_artifact_store_of_another_environment_naming_the_prop(
    env: cdk.Environment, what: str, part: str, why: str
):
    # A central store of the shared-services account: CDK failed the synth with "Cannot use
    # resource 'Shared/Store/Bucket' in a cross-environment fashion", naming no prop.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(cdk.Stack(app, "Shared", env=env), "Store")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=prep_and_train(), artifact_store=store)
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n"
        f"- prop 'artifact_store': ArtifactStore Shared/Store is in {part}: its jobs write to "
        f"the store's bucket and encrypt with its key, and {why} (give an ArtifactStore of the "
        f"pipeline's {what} (create one in its stack), or leave artifact_store out to get one)"
    )


def test_an_artifact_store_of_another_stack_of_the_same_environment_is_taken():
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    stack = cdk.Stack(app, "Test", env=env)
    store = ArtifactStore(cdk.Stack(app, "Shared", env=env), "Store")
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), artifact_store=store)
    assert pipeline.artifact_store is store


def _reading_bucket(bucket: s3.IBucket) -> PipelineDefinition:
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(SCRIPTS / "preprocess.py"),
        inputs={"raw": S3Location.from_bucket(bucket, "raw")},
        outputs=["train"],
    )
    return PipelineDefinition(steps=[prep])


@pytest.mark.parametrize(
    "env",
    [
        cdk.Environment(account="999988887777", region=REGION),
        cdk.Environment(account=ACCOUNT, region="eu-west-1"),
    ],
)
def test_fails_a_data_bucket_of_another_environment_naming_the_step_and_field(
    env: cdk.Environment,
):
    # A data bucket of a data stack of another account or region: CDK failed the Pipeline's
    # construction in jsii ("Cannot use resource 'Data/Raw' in a cross-environment
    # fashion"), with a traceback naming neither the pipeline nor the step.
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    bucket = s3.Bucket(cdk.Stack(app, "Data", env=env), "Raw")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=_reading_bucket(bucket))
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n"
        "- step 'Prep' field 'Arguments.ProcessingInputs[0].S3Input.S3Uri': bucket Data/Raw "
        f"(S3Location.from_bucket) is created in stack Data (account {env.account}, region "
        f"{env.region}), the pipeline in account {ACCOUNT}, region {REGION}: CloudFormation "
        "refers to a resource of another environment by its physical name only, and this "
        "bucket has none (give the bucket an explicit bucket_name, or import it in the "
        "pipeline's stack with s3.Bucket.from_bucket_name, and let its bucket policy admit "
        "the pipeline's roles)"
    )


@pytest.mark.parametrize("agnostic", ["pipeline", "bucket"])
def test_fails_a_data_bucket_across_an_environment_agnostic_stack_naming_the_step(
    agnostic: str,
):
    # CDK takes an environment-agnostic stack and one of a fixed environment for two
    # environments too ("Cannot use resource 'Data/Raw' in a cross-environment fashion",
    # in a jsii traceback); the check skipped any stack without a fixed account and region.
    app = new_app()
    fixed = cdk.Environment(account=ACCOUNT, region=REGION)
    stack = cdk.Stack(app, "Test", env=None if agnostic == "pipeline" else fixed)
    bucket = s3.Bucket(cdk.Stack(app, "Data", env=None if agnostic == "bucket" else fixed), "Raw")
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=_reading_bucket(bucket))
    agnostic_env = "no fixed account or region (environment-agnostic)"
    ours = agnostic_env if agnostic == "pipeline" else f"account {ACCOUNT}, region {REGION}"
    theirs = agnostic_env if agnostic == "bucket" else f"account {ACCOUNT}, region {REGION}"
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n"
        "- step 'Prep' field 'Arguments.ProcessingInputs[0].S3Input.S3Uri': bucket Data/Raw "
        f"(S3Location.from_bucket) is created in stack Data ({theirs}), the pipeline in "
        f"{ours}: CloudFormation refers to a resource of another environment by its physical "
        "name only, and this bucket has none (give the bucket an explicit bucket_name, or "
        "import it in the pipeline's stack with s3.Bucket.from_bucket_name, and let its "
        "bucket policy admit the pipeline's roles)"
    )


def test_a_data_bucket_of_two_environment_agnostic_stacks_is_taken():
    app = new_app()
    bucket = s3.Bucket(cdk.Stack(app, "Data"), "Raw")
    Pipeline(cdk.Stack(app, "Test"), "Training", definition=_reading_bucket(bucket))


def test_a_named_data_bucket_of_another_environment_is_taken():
    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    data = cdk.Stack(app, "Data", env=cdk.Environment(account="999988887777", region=REGION))
    bucket = s3.Bucket(data, "Raw", bucket_name="shared-raw-data")
    pipeline = Pipeline(stack, "Training", definition=_reading_bucket(bucket))
    assert "shared-raw-data" in json.dumps(stack.resolve(pipeline.definition))


SAGEMAKER = "sagemaker.amazonaws.com"


def test_fails_roles_of_the_app_that_sagemaker_cannot_assume_naming_the_props():
    # CloudFormation creates the pipeline with such a role; every execution then fails.
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    step_role = iam.Role(stack, "StepRole", assumed_by=iam.AccountRootPrincipal())
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), role=role, step_role=step_role
    )
    # Judged at synth, once statements added to the trust policy later are in it.
    errors = pipeline.node.validate()
    assert errors[0] == (
        "prop 'role': role Test/Role trusts lambda.amazonaws.com, not sagemaker.amazonaws.com: "
        "SageMaker can't assume it, so every execution would fail (create it with "
        "assumed_by=iam.ServicePrincipal('sagemaker.amazonaws.com'), or leave role out to get "
        "one)"
    )
    assert errors[1].startswith(
        "prop 'step_role': role Test/StepRole trusts arn:aws:iam::111122223333:root, not "
    )
    assert len(errors) == 2
    with pytest.raises(RuntimeError, match=r"\[Test/Training\] prop 'role': role Test/Role"):
        stack.node.root.synth()  # type: ignore[attr-defined]


def _trust_added_after_the_pipeline(statement: iam.PolicyStatement) -> Pipeline:
    """A pipeline whose role trusts Lambda, then gets ``statement`` in its trust policy."""
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), role=role, step_role=role)
    role.assume_role_policy.add_statements(statement)  # type: ignore[union-attr]
    return pipeline


@pytest.mark.parametrize(
    "actions",
    [["sts:AssumeRole"], ["sts:assumerole"], ["sts:Assume*"], ["sts:*", "sts:TagSession"], None],
    ids=["added-later", "lower-case", "wildcard", "several", "not-action"],
)
def test_a_role_trusting_sagemaker_by_a_statement_added_later_or_a_pattern_is_accepted(
    actions: list[str] | None,
) -> None:
    statement = (
        iam.PolicyStatement(actions=actions, principals=[iam.ServicePrincipal(SAGEMAKER)])
        if actions is not None
        else iam.PolicyStatement(not_actions=["s3:*"], principals=[iam.ServicePrincipal(SAGEMAKER)])
    )
    pipeline = _trust_added_after_the_pipeline(statement)

    assert pipeline.node.validate() == []


def test_a_role_trusting_everyone_but_some_principals_is_not_judged():
    # NotPrincipal: everyone but the principals named, SageMaker among them.
    pipeline = _trust_added_after_the_pipeline(
        iam.PolicyStatement(
            actions=["sts:AssumeRole"], not_principals=[iam.AccountPrincipal("999988887777")]
        )
    )
    assert pipeline.node.validate() == []


def test_a_trust_statement_denying_sagemaker_is_no_trust():
    # A Deny naming SageMaker takes nothing away from "not trusted": SageMaker still can't
    # assume the role, and every execution would fail.
    pipeline = _trust_added_after_the_pipeline(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["sts:AssumeRole"],
            principals=[iam.ServicePrincipal(SAGEMAKER)],
        )
    )
    errors = pipeline.node.validate()
    assert [error.split(":", 1)[0] for error in errors] == ["prop 'role'", "prop 'step_role'"]
    assert errors[0].startswith(
        "prop 'role': role Test/Role trusts lambda.amazonaws.com, not sagemaker.amazonaws.com"
    )


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param(lambda: iam.ServicePrincipal("sagemaker.amazonaws.com"), id="service"),
        pytest.param(
            lambda: iam.CompositePrincipal(
                iam.AccountRootPrincipal(), iam.ServicePrincipal("sagemaker.amazonaws.com")
            ),
            id="composite",
        ),
        pytest.param(
            lambda: iam.ServicePrincipal("sagemaker.amazonaws.com").with_session_tags(),
            id="session-tags",
        ),
    ],
)
def test_roles_of_the_app_trusting_sagemaker_are_accepted(principal):
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=principal())
    Pipeline(stack, "Training", definition=prep_and_train(), role=role, step_role=role)


def test_roles_of_an_env_agnostic_stack_are_not_compared():
    stack = new_stack(account=None, region=None)
    step_role = iam.Role.from_role_arn(stack, "StepRole", "arn:aws:iam::999988887777:role/jobs")
    Pipeline(stack, "Training", definition=prep_and_train(), step_role=step_role)


@pytest.fixture(scope="module")
def token_named() -> Pipeline:
    """A pipeline whose name is a CloudFormation parameter (a token)."""
    stack = new_stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    return Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=name)


def test_token_props_are_not_validated(token_named: Pipeline):
    stack = cdk.Stack.of(token_named)
    assert stack.resolve(token_named.pipeline_name) == {"Ref": "Name"}


def test_deploy_time_values_in_a_definition_deploy_as_references():
    # A CfnParameter's number as a tuning range bound (a string in the API) is written as its
    # text, which aws-cdk-lib resolves as it does a string token: as a number it would be out
    # of order. A token default of an enum parameter and a token cache duration aren't
    # judged either.
    stack = new_stack()
    max_eta = cdk.CfnParameter(stack, "MaxEta", type="Number", default=0.3).value_as_number
    default = cdk.CfnParameter(stack, "Environment", default="dev").value_as_string
    cache_for = cdk.CfnParameter(stack, "CacheFor", default="P7D").value_as_string
    environment = ParameterString(
        name="Environment", default_value=default, enum_values=["dev", "prod"]
    )
    tune = TuningStep(
        name="Tune",
        image=Image.xgboost("1.7-1"),
        objective_metric_name="validation:rmse",
        objective_type="Minimize",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=max_eta)},
        environment={"ENVIRONMENT": environment},
        cache_config=CacheConfig(expire_after=cache_for),
    )
    definition = PipelineDefinition(parameters=[environment], steps=[tune])
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)

    deployed = definition_of(Template.from_stack(stack))
    (step,) = deployed["Steps"]
    (eta,) = step["Arguments"]["HyperParameterTuningJobConfig"]["ParameterRanges"][
        "ContinuousParameterRanges"
    ]
    assert (eta["MinValue"], eta["MaxValue"]) == ("0.01", "${Ref:MaxEta}")
    assert deployed["Parameters"][0]["DefaultValue"] == "${Ref:Environment}"
    assert step["CacheConfig"] == {"Enabled": True, "ExpireAfter": "${Ref:CacheFor}"}


# -- the definition ------------------------------------------------------------------------


def test_definition_body_is_a_join_rendered_by_to_json_string(default: Built):
    body = default.cfn["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]
    assert list(body) == ["Fn::Join"]
    separator, parts = body["Fn::Join"]
    assert separator == ""
    assert parts[0].startswith('{"Version":"2020-12-01"')
    assert {"Fn::GetAtt": [logical_id(default.pipeline.step_role), "Arn"]} in parts
    # Only the body: no S3 location (which could not hold tokens).
    assert list(default.cfn["Properties"]["PipelineDefinition"]) == ["PipelineDefinitionBody"]


def test_definition_is_the_compiled_pipeline_definition(default: Built):
    assert default.pipeline.definition["Version"] == "2020-12-01"
    assert [step["Name"] for step in default.definition["Steps"]] == ["Prep", "Train"]
    assert [step["Name"] for step in default.pipeline.definition["Steps"]] == ["Prep", "Train"]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("Version", "2021-01-01"),
        lambda d: d["Steps"].append({"Name": "Extra"}),
        lambda d: d["Steps"][0].update(Name="Renamed"),
        lambda d: d["Steps"][0]["Arguments"].pop("RoleArn"),
        lambda d: d["Steps"].__setitem__(0, {}),
        lambda d: d["Steps"].pop(),
        lambda d: d["Parameters"].__iadd__([{"Name": "P", "Type": "String"}]),
        lambda d: d.setdefault("Metadata", {}),
    ],
    ids=["set", "append", "update", "pop", "set-item", "list-pop", "iadd", "setdefault"],
)
def test_the_definition_refuses_changes_once_the_pipeline_exists(
    default: Built, change: Callable[[dict[str, Any]], object]
):
    # A change in an Aspect, or after the constructor, deployed nothing (the template was
    # written) or would deploy unchecked: it fails at once, saying what to do.
    with pytest.raises(
        TypeError,
        match=r"^Pipeline\.definition is read-only: .* before "
        r"creating the Pipeline, or take copy\.deepcopy\(pipeline\.definition\)",
    ):
        change(default.pipeline.definition)
    assert [step["Name"] for step in default.pipeline.definition["Steps"]] == ["Prep", "Train"]


def test_a_copy_of_the_definition_is_a_plain_one_to_change_and_reuse(default: Built):
    frozen = default.pipeline.definition
    deep = copy.deepcopy(frozen)
    assert type(deep) is dict
    assert type(deep["Steps"]) is list
    assert type(deep["Steps"][0]["Arguments"]) is dict
    assert deep == frozen
    assert json.loads(json.dumps(frozen)) == deep
    deep["Steps"][0]["Name"] = "Renamed"
    assert frozen["Steps"][0]["Name"] == "Prep"
    shallow = copy.copy(frozen)
    shallow["Version"] = "changed"
    assert frozen["Version"] == "2020-12-01"
    # Read-only values go into another Pipeline as they are.
    stack = new_stack()
    Pipeline(
        stack,
        "Again",
        definition=Pipeline(stack, "Once", definition=literal_definition()).definition,
    )


def test_definition_as_a_dict_is_validated_and_rendered_as_given():
    definition = literal_definition()
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition)
    template = Template.from_stack(stack)
    body = resource(template, logical_id(pipeline.cfn_pipeline))["Properties"][
        "PipelineDefinition"
    ]["PipelineDefinitionBody"]
    # No tokens: a plain JSON string, exactly the definition.
    assert isinstance(body, str)
    assert json.loads(body) == definition
    # A private copy: later changes to the caller's dict don't leak in.
    definition["Steps"].clear()
    assert [step["Name"] for step in pipeline.definition["Steps"]] == ["Prep"]


def test_definition_as_a_json_file_path(tmp_path: Path):
    definition = literal_definition()
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(definition))
    for source in (path, str(path)):
        stack = new_stack()
        Pipeline(stack, "Training", definition=source)
        assert definition_of(Template.from_stack(stack)) == definition


def test_fails_an_invalid_definition_naming_the_construct_and_listing_problems():
    definition = literal_definition()
    step = definition["Steps"][0]
    step["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"] = "m5.large"
    step["Arguments"]["Environment"] = {"MODE": {"Get": "Parameters.Mode"}}
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=definition)
    message = str(raised.value)
    assert message.startswith("pipeline definition of Test/Training has 2 problems:\n- step ")
    assert "field 'Arguments.ProcessingResources.ClusterConfig.InstanceType'" in message
    assert "(did you mean 'ml.m5.large'?)" in message
    assert (
        "field 'Arguments.Environment['MODE']': refers to parameter 'Mode', which is not" in message
    )
    assert {problem.step for problem in raised.value.problems} == {"Prep"}


def test_fails_an_invalid_pipeline_definition_object_naming_the_construct():
    bad = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), instance_type="m5.large")
    with pytest.raises(
        PipelineValidationError, match=r"^pipeline definition of Test/Training has 1 problem"
    ) as raised:
        Pipeline(new_stack(), "Training", definition=PipelineDefinition(steps=[bad]))
    assert raised.value.problems[0].step == "Prep"


# An environment value of JSON: each quote is escaped in the definition, and again in the
# template that holds the definition as a string.
_QUOTED_VALUE = '{"k":"v","a":[1,2,3]}' * 9


def _steps_with_environment(count: int, value: str) -> PipelineDefinition:
    """``count`` processing steps whose 50 environment variables each hold ``value``."""
    return PipelineDefinition(
        steps=[
            ProcessingStep(
                name=f"S{index}",
                image=Image.sklearn("1.2-1"),
                code=Code.from_s3("s3://code-bucket/prep.py"),
                environment={f"SETTING_{key}": value for key in range(50)},
                outputs=["out"],
            )
            for index in range(count)
        ]
    )


def _steps_with_json_environments(count: int) -> PipelineDefinition:
    """``count`` processing steps of about 13,800 characters each, mostly escaped quotes."""
    return _steps_with_environment(count, _QUOTED_VALUE)


def test_fails_a_definition_too_big_for_the_template_that_sagemaker_would_take():
    # 759,000 characters: within SageMaker's 1,048,576, but escaped into the template it
    # takes 1.1 MB, and CloudFormation refuses templates over 1 MB at deploy.
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=_steps_with_json_environments(55))
    message = str(raised.value)
    assert message.startswith(
        "Pipeline Test/Training has 1 problem:\n- prop 'definition': the definition has "
    )
    found = re.search(r"has ([\d,]+) characters, .* string of at least ([\d,]+) bytes", message)
    assert found is not None
    characters, template_bytes = (int(group.replace(",", "")) for group in found.groups())
    assert characters < MAX_DEFINITION_CHARACTERS < template_bytes
    assert "more than the 1,000,000 bytes of a CloudFormation template (1 MB)" in message
    assert "split the pipeline into two Pipelines in separate stacks" in message


def test_estimates_the_bytes_a_definition_takes_in_the_template(tmp_path):
    # Measured on the template as written, tokens (the role, bucket and key) included.
    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = Pipeline(stack, "Training", definition=_steps_with_json_environments(4))
    estimate = definition_size(pipeline.definition)
    template_path = app.synth().get_stack_by_name("Test").template_full_path
    template = json.loads(Path(template_path).read_text())
    properties = template["Resources"][stack.get_logical_id(pipeline.cfn_pipeline)]["Properties"]
    properties["PipelineDefinition"]["PipelineDefinitionBody"] = ""
    without_body = len(json.dumps(template, indent=1, ensure_ascii=False).encode())
    actual = Path(template_path).stat().st_size - without_body
    assert estimate.characters < actual  # escaped: more than the definition's characters
    assert abs(estimate.template_bytes - actual) < actual * 0.01


def test_fails_synth_when_the_definitions_of_a_stack_together_overflow_its_template():
    stack = new_stack()
    for name in ("Training", "Scoring"):
        # About 605,000 bytes each: either fits a template alone.
        Pipeline(stack, name, definition=_steps_with_json_environments(30))
    (error,) = stack.node.validate()
    total = re.match(r"the pipeline definitions of stack Test take at least ([\d,]+) bytes", error)
    assert total is not None
    assert 1_180_000 < int(total[1].replace(",", "")) < 1_230_000
    assert "bytes of a CloudFormation template (1 MB), so the stack would fail to deploy: " in (
        error
    )
    for path in ("Test/Training", "Test/Scoring"):
        # The placeholders of tokens (TOKEN.123) vary in length with the tests run before.
        found = re.search(rf"{path} \(([\d,]+) characters, ([\d,]+) bytes\)", error)
        assert found is not None
        characters, template_bytes = (int(group.replace(",", "")) for group in found.groups())
        assert 410_000 < characters < 430_000
        assert 590_000 < template_bytes < 615_000
    assert "(put the pipelines in separate stacks, or use fewer or lighter steps" in error
    with pytest.raises(RuntimeError, match=r"\[Test\] the pipeline definitions of stack Test"):
        stack.node.root.synth()  # type: ignore[attr-defined]
    lone = new_stack()
    Pipeline(lone, "Training", definition=_steps_with_json_environments(30))
    assert lone.node.validate() == []


def _steps_naming_the_region(count: int) -> PipelineDefinition:
    """``count`` processing steps of 500 ``Aws.REGION`` references each, ``Ref``s in the
    template much shorter than the estimate counts a token."""
    return _steps_with_environment(count, "/".join([cdk.Aws.REGION] * 10))


def test_a_definition_is_refused_on_its_measured_size_not_its_estimate(tmp_path):
    # 10,000 short references: estimated at about 1.2 MB, they take about 300 KB of a
    # template written without indentation, and 700 KB with; either deploys.
    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = Pipeline(stack, "Training", definition=_steps_naming_the_region(20))
    assert definition_size(pipeline.definition).template_bytes > 1_000_000
    template_path = app.synth().get_stack_by_name("Test").template_full_path
    assert Path(template_path).stat().st_size < 1_000_000


def test_the_definitions_of_a_stack_are_summed_at_their_measured_sizes():
    stack = new_stack()
    for name in ("Training", "Scoring"):
        # Each estimated at about 590,000 bytes, measured at about 150,000.
        Pipeline(stack, name, definition=_steps_naming_the_region(10))
    assert stack.node.validate() == []


def test_a_large_definition_is_sent_to_jsii_once(monkeypatch: pytest.MonkeyPatch):
    # Measured for its size and rendered for the template: two Stack.to_json_string calls,
    # each sending the whole definition to jsii (half a megabyte at 280 steps), for one
    # rendering that serves both.
    stack = new_stack()
    rendered: list[object] = []
    to_json_string = cdk.Stack.to_json_string

    def recording(self: cdk.Stack, obj: object, space: float | None = None) -> str:
        rendered.append(obj)
        return to_json_string(self, obj, space)

    monkeypatch.setattr(cdk.Stack, "to_json_string", recording)
    # Each estimated at about 590,000 bytes (over MEASURE_FROM_BYTES): measured.
    pipeline = Pipeline(stack, "Training", definition=_steps_naming_the_region(10))
    monkeypatch.undo()
    assert rendered == [pipeline.definition]
    assert definition_size(pipeline.definition).template_bytes > MEASURE_FROM_BYTES


def test_definition_as_json_text_like_the_sagemaker_sdk_returns():
    definition = literal_definition()
    stack = new_stack()
    Pipeline(stack, "Training", definition=json.dumps(definition, indent=2))
    assert definition_of(Template.from_stack(stack)) == definition
    with pytest.raises(PipelineValidationError, match=r"the definition is not valid JSON"):
        Pipeline(new_stack(), "Training", definition='{"Version": ')


def test_fails_a_definition_of_another_type_saying_what_is_expected():
    with pytest.raises(
        PipelineValidationError,
        match=r"^Pipeline Test/Training has 1 problem:\n- prop 'definition': expected a "
        r"PipelineDefinition, a definition dict, JSON text or a JSON file path, got object",
    ):
        Pipeline(new_stack(), "Training", definition=object())  # type: ignore[arg-type]


def test_fails_an_unreadable_definition_file(tmp_path: Path):
    missing = tmp_path / "missing.json"
    with pytest.raises(PipelineValidationError, match=r"can't read .*missing\.json"):
        Pipeline(new_stack(), "Training", definition=missing)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(PipelineValidationError, match=r"can't read .*broken\.json"):
        Pipeline(new_stack(), "Training", definition=broken)


def test_a_definition_needing_nothing_of_the_pipeline_role_synthesizes():
    # Only a Fail step: no statements for the pipeline role, and IAM rejects empty policies.
    from cdk_sagemaker_pipelines.definition import FailStep

    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[FailStep(name="Stop")])
    )
    template = Template.from_stack(stack)
    assert pipeline.role_policy is None
    template.resource_count_is("AWS::IAM::ManagedPolicy", 1)  # the step role's
    assert "DependsOn" not in resource(template, logical_id(pipeline.cfn_pipeline))


# -- roles -------------------------------------------------------------------------------


def test_derived_roles_trust_sagemaker_for_this_account_only(default: Built):
    for role in (default.pipeline.role, default.pipeline.step_role):
        properties = resource(default.template, logical_id(role))["Properties"]
        assert properties["AssumeRolePolicyDocument"] == SAGEMAKER_TRUST
        assert "Policies" not in properties  # no inline policies
        assert "ManagedPolicyArns" not in properties  # no AWS managed policies
    assert default.pipeline.role is not default.pipeline.step_role


def test_derived_roles_get_customer_managed_policies_and_no_inline_ones(default: Built):
    default.template.resource_count_is("AWS::IAM::Policy", 0)
    default.template.resource_count_is("AWS::IAM::ManagedPolicy", 2)
    pipeline = default.pipeline
    assert pipeline.role_policy is not None
    for policy, role in (
        (pipeline.role_policy, pipeline.role),
        (pipeline.step_role_policy, pipeline.step_role),
    ):
        properties = resource(default.template, logical_id(policy))["Properties"]
        assert properties["Roles"] == [{"Ref": logical_id(role)}]
    # The pipeline is created only once its role may run jobs.
    assert default.cfn["DependsOn"] == [logical_id(pipeline.role_policy)]


def test_given_roles_are_used_and_none_are_created(configured: Built):
    template = configured.template
    template.resource_count_is("AWS::IAM::Role", 2)  # the two given ones
    pipeline = configured.pipeline
    role, step_role = (logical_id(pipeline.role), logical_id(pipeline.step_role))
    assert (role, step_role) == ("GivenRole5D94EA98", "GivenStepRoleDD6D3B8E")
    assert pipeline.role_policy is not None
    assert resource(template, logical_id(pipeline.role_policy))["Properties"]["Roles"] == [
        {"Ref": role}
    ]
    assert resource(template, logical_id(pipeline.step_role_policy))["Properties"]["Roles"] == [
        {"Ref": step_role}
    ]
    for step in configured.definition["Steps"]:
        assert step["Arguments"]["RoleArn"] == f"${{GetAtt:{step_role}.Arn}}"
    passed = statements(template, pipeline.role_policy)["PassStepRoleToSageMaker"]
    assert passed["Resource"] == {"Fn::GetAtt": [step_role, "Arn"]}


# -- artifact store ------------------------------------------------------------------------


def test_artifact_store_is_created_in_the_pipeline_by_default(default: Built):
    store = default.pipeline.artifact_store
    assert store.node.path == "Test/Training/Artifacts"
    default.template.resource_count_is("AWS::KMS::Key", 1)
    default.template.resource_count_is("AWS::S3::Bucket", 2)  # artifacts and access logs
    key = f"${{GetAtt:{logical_id(store.key)}.Arn}}"
    prep = steps_by_name(default.definition)["Prep"]["Arguments"]
    assert prep["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == key
    assert prep["ProcessingOutputConfig"]["KmsKeyId"] == key
    output = prep["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    assert output["Std:Join"]["Values"][0] == f"s3://${{Ref:{logical_id(store.bucket)}}}"


def test_a_given_artifact_store_is_used(configured: Built):
    template = configured.template
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::S3::Bucket", 2)
    assert configured.pipeline.node.try_find_child("Artifacts") is None
    store = configured.pipeline.artifact_store
    assert store.node.path == "Test/Store"
    train = steps_by_name(configured.definition)["Train"]["Arguments"]
    assert train["ResourceConfig"]["VolumeKmsKeyId"] == f"${{GetAtt:{logical_id(store.key)}.Arn}}"
    assert train["OutputDataConfig"]["S3OutputPath"]["Std:Join"]["Values"][0] == (
        f"s3://${{Ref:{logical_id(store.bucket)}}}"
    )


# -- network -------------------------------------------------------------------------------


def _vpc(stack: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=SUBNETS,
        private_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60711", "rtb-0a1b2c3d4e5f60722"],
    )


def vpc_with_public_subnets(stack: cdk.Stack, *, private: bool) -> ec2.IVpc:
    """An imported VPC of two public subnets, and of two private ones if ``private``."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a", "us-east-1b"],
        public_subnet_ids=["subnet-0a1b2c3d4e5f60733", "subnet-0a1b2c3d4e5f60744"],
        private_subnet_ids=SUBNETS if private else None,
    )


@pytest.mark.parametrize("private", [True, False])
def test_jobs_placed_in_public_subnets_are_warned(private: bool):
    stack = new_stack()
    vpc = vpc_with_public_subnets(stack, private=private)
    Pipeline(stack, "Training", definition=prep_and_train(), vpc=vpc)
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("public-subnets")
    )
    if private:  # select_subnets() picks the private subnets
        assert found == []
        return
    assert [entry.id for entry in found] == ["/Test/Training"]
    assert str(found[0].entry.data).startswith(
        "The jobs run in public subnets of the VPC: SageMaker gives job instances no public IP"
    )


def test_jobs_placed_in_some_public_subnets_are_warned_naming_them():
    # SageMaker spreads instances over the subnets given: those in the public one fail.
    stack = new_stack()
    vpc = vpc_with_public_subnets(stack, private=True)
    mixed = ec2.SubnetSelection(subnets=[vpc.private_subnets[0], vpc.public_subnets[1]])
    Pipeline(stack, "Training", definition=prep_and_train(), vpc=vpc, vpc_subnets=mixed)
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("public-subnets")
    )
    assert [entry.id for entry in found] == ["/Test/Training"]
    assert str(found[0].entry.data).startswith(
        "1 of the 2 subnets the jobs run in are public subnets of the VPC "
        "(subnet-0a1b2c3d4e5f60744): SageMaker gives job instances no public IP"
    )


def test_fails_security_groups_given_by_id():
    stack = new_stack()
    with pytest.raises(
        PipelineValidationError,
        match=r"'security_groups': expected a list of ec2.ISecurityGroup, got list "
        r"\['sg-0a1b2c3d'\] \(ec2.SecurityGroup.from_security_group_id\(self, 'Jobs', 'sg-…'\)\)",
    ):
        Pipeline(
            stack,
            "Training",
            definition=prep_and_train(),
            vpc=_vpc(stack),
            security_groups=["sg-0a1b2c3d"],  # type: ignore[list-item]
        )


def test_fails_subnets_given_by_id():
    # Read member by member, a list of ids would have selected the VPC's default subnets.
    stack = new_stack()
    with pytest.raises(
        PipelineValidationError,
        match=r"'vpc_subnets': expected an ec2.SubnetSelection, got list \['subnet-0a1b2c3d'\] "
        r"\(ec2.SubnetSelection\(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED\), or "
        r"ec2.SubnetSelection\(subnets=\[ec2.Subnet.from_subnet_id\(self, 'A', 'subnet-…'\)\]\)\)",
    ):
        Pipeline(
            stack,
            "Training",
            definition=prep_and_train(),
            vpc=_vpc(stack),
            vpc_subnets=["subnet-0a1b2c3d"],  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def in_vpc() -> Built:
    """A VPC, a created security group, network isolation on."""
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=prep_and_train(),
        vpc=_vpc(stack),
        enable_network_isolation=True,
    )
    return Built(stack, pipeline)


def test_vpc_subnets_security_group_and_isolation_flow_into_every_job(in_vpc: Built):
    group = logical_id(in_vpc.pipeline.node.find_child("JobSecurityGroup"))
    vpc_config = {"SecurityGroupIds": [f"${{GetAtt:{group}.GroupId}}"], "Subnets": SUBNETS}
    steps = steps_by_name(in_vpc.definition)
    assert steps["Prep"]["Arguments"]["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "EnableNetworkIsolation": True,
        "VpcConfig": vpc_config,
    }
    train = steps["Train"]["Arguments"]
    assert train["VpcConfig"] == vpc_config
    assert train["EnableNetworkIsolation"] is True
    assert train["EnableInterContainerTrafficEncryption"] is True


def test_fails_network_props_with_a_definition_json_which_keeps_its_own_network():
    # A JSON definition is deployed as written: vpc= and enable_network_isolation=True were
    # accepted and ignored, its jobs left with open network access.
    stack = new_stack()
    vpc = _vpc(stack)
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            stack,
            "Training",
            definition=literal_definition(),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=[vpc.private_subnets[1]]),
            enable_network_isolation=True,
        )
    assert [problem.field for problem in raised.value.problems] == [
        "vpc",
        "vpc_subnets",
        "enable_network_isolation",
    ]
    assert str(raised.value.problems[0]) == (
        "prop 'vpc': a definition JSON is deployed as written: the construct applies the "
        "network props to the jobs of a PipelineDefinition only, and would ignore this one "
        "(write each job's VpcConfig or EnableNetworkIsolation in the definition (the "
        "SageMaker SDK's subnets=, security_group_ids= and enable_network_isolation=), or "
        "pass a PipelineDefinition)"
    )
    # Network isolation off (the default) says nothing about the definition's jobs.
    Pipeline(
        new_stack(), "Training", definition=literal_definition(), enable_network_isolation=False
    )


def test_an_automl_step_gets_the_artifact_key_the_vpc_and_a_retained_output():
    # Autopilot's jobs get what every job gets, through SecurityConfig (an AutoML job has
    # no network isolation): the network checks pass for it in the VPC.
    stack = new_stack()
    automl = AutoMLStep(name="AutoML", inputs="s3://my-bucket/train.csv", target_attribute_name="y")
    definition = PipelineDefinition(steps=[automl, automl.best_model("BestModel")])
    pipeline = Pipeline(
        stack, "Training", definition=definition, vpc=_vpc(stack), enable_network_isolation=True
    )
    cdk.Validations.of(stack.node.root).add_plugins(
        SageMakerPipelineChecks(require_network_isolation=True)
    )
    built = Built(stack, pipeline)
    cast(cdk.App, stack.node.root).synth()  # no finding to acknowledge

    arguments = steps_by_name(built.definition)["AutoML"]["Arguments"]
    key = f"${{GetAtt:{logical_id(pipeline.artifact_store.key)}.Arn}}"
    group = logical_id(pipeline.node.find_child("JobSecurityGroup"))
    assert arguments["AutoMLJobConfig"]["SecurityConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "VolumeKmsKeyId": key,
        "VpcConfig": {"SecurityGroupIds": [f"${{GetAtt:{group}.GroupId}}"], "Subnets": SUBNETS},
    }
    assert arguments["OutputDataConfig"]["KmsKeyId"] == key
    # Models created from the best candidate read it there: kept, as a training job's model.
    output = arguments["OutputDataConfig"]["S3OutputPath"]["Std:Join"]["Values"]
    assert output[:2] == [f"s3://${{Ref:{logical_id(pipeline.artifact_store.bucket)}}}", "models"]
    assert output[-3:] == ["AutoML", {"Get": "Execution.PipelineExecutionId"}, "automl"]


def test_a_security_group_admitting_only_its_own_members_is_created(in_vpc: Built):
    # The instances of a distributed job (and their IPsec traffic, with inter-container
    # encryption) need inbound traffic from the group itself: a group with no inbound rule
    # made every job of several instances fail at run time.
    group = logical_id(in_vpc.pipeline.node.find_child("JobSecurityGroup"))
    in_vpc.template.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": "SageMaker pipeline jobs (inbound from each other only)",
            "VpcId": "vpc-0a1b2c3d4e5f60718",
            "SecurityGroupIngress": Match.absent(),
        },
    )
    ingress = in_vpc.template.find_resources("AWS::EC2::SecurityGroupIngress")
    assert [entry["Properties"] for entry in ingress.values()] == [
        {
            "Description": "Between the instances of a distributed job",
            "GroupId": {"Fn::GetAtt": [group, "GroupId"]},
            "IpProtocol": "-1",
            "SourceSecurityGroupId": {"Fn::GetAtt": [group, "GroupId"]},
        }
    ]
    assert in_vpc.pipeline.security_groups[0].node.path == "Test/Training/JobSecurityGroup"


HTTPS_OUT = {
    "CidrIp": "0.0.0.0/0",
    "Description": "HTTPS: AWS endpoints, S3, package indexes",
    "FromPort": 443,
    "IpProtocol": "tcp",
    "ToPort": 443,
}


def _egress(template: Template, group: str) -> tuple[list[Any], list[Any]]:
    """The group's inline egress rules, and its SecurityGroupEgress resources' properties."""
    inline = template.find_resources("AWS::EC2::SecurityGroup")[group]["Properties"]
    egress = template.find_resources("AWS::EC2::SecurityGroupEgress")
    return inline["SecurityGroupEgress"], [entry["Properties"] for entry in egress.values()]


def test_the_created_security_group_sends_https_and_to_its_own_members_only(in_vpc: Built):
    # Secure by default: all outbound traffic (aws-cdk-lib's default) was the one open
    # door a landing-zone review found. HTTPS reaches S3, the interface endpoints and
    # package indexes; a distributed job's instances talk to each other on any port.
    group = logical_id(in_vpc.pipeline.node.find_child("JobSecurityGroup"))
    assert _egress(in_vpc.template, group) == (
        [HTTPS_OUT],
        [
            {
                "Description": "Between the instances of a distributed job",
                "DestinationSecurityGroupId": {"Fn::GetAtt": [group, "GroupId"]},
                "GroupId": {"Fn::GetAtt": [group, "GroupId"]},
                "IpProtocol": "-1",
            }
        ],
    )


def test_allow_all_outbound_restores_the_job_group_that_sends_anything():
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), vpc=_vpc(stack), allow_all_outbound=True
    )
    group = logical_id(pipeline.node.find_child("JobSecurityGroup"))
    assert _egress(Template.from_stack(stack), group) == (
        [
            {
                "CidrIp": "0.0.0.0/0",
                "Description": "Allow all outbound traffic by default",
                "IpProtocol": "-1",
            }
        ],
        [],
    )


def test_the_job_group_sends_https_over_ipv6_too_in_a_dual_stack_vpc():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", ip_protocol=ec2.IpProtocol.DUAL_STACK, nat_gateways=0)
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), vpc=vpc)
    group = logical_id(pipeline.node.find_child("JobSecurityGroup"))
    ipv6 = {**{k: v for k, v in HTTPS_OUT.items() if k != "CidrIp"}, "CidrIpv6": "::/0"}
    assert _egress(Template.from_stack(stack), group)[0] == [HTTPS_OUT, ipv6]


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ("vpc", "expected True or False, got str 'yes' (write True)"),
        ("none", "given without vpc, so it would be ignored (pass vpc= too)"),
        (
            "groups",
            "applies to the security group the construct creates, and it creates none with "
            "security_groups= (set the egress rules of the groups you give, or leave "
            "security_groups out)",
        ),
    ],
)
def test_fails_an_allow_all_outbound_that_is_no_flag_or_would_be_ignored(
    network: str, message: str
):
    stack = new_stack()
    props: dict[str, Any] = {"allow_all_outbound": "yes" if network == "vpc" else True}
    if network != "none":
        props["vpc"] = _vpc(stack)
    if network == "groups":
        props["security_groups"] = [ec2.SecurityGroup.from_security_group_id(stack, "G", "sg-1")]
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=prep_and_train(), **props)
    assert [str(problem) for problem in raised.value.problems] == [
        f"prop 'allow_all_outbound': {message}"
    ]


def test_the_security_groups_self_ingress_is_acknowledged_for_cdk_nag(in_vpc: Built):
    from aws_cdk import aws_ec2 as ec2
    from cdk_nag import NIST80053R5Checks

    def findings(scope: Any) -> list[str]:
        report = NIST80053R5Checks().validate_scope(scope)
        return [violation.rule_name for violation in report.violations]

    assert findings(in_vpc.pipeline.node.find_child("JobSecurityGroup")) == []
    # The old group (allow_all_outbound=True) is acknowledged alike: the rules look at
    # inbound traffic only, open egress fires none of them.
    opened = new_stack()
    Pipeline(
        opened, "Training", definition=prep_and_train(), vpc=_vpc(opened), allow_all_outbound=True
    )
    assert findings(opened.node.find_child("Training").node.find_child("JobSecurityGroup")) == []
    # The same group without the acknowledgment: all traffic from its own members is what
    # the NIST rule flags ("all ports").
    stack = new_stack()
    group = ec2.SecurityGroup(stack, "Group", vpc=_vpc(stack), allow_all_outbound=True)
    group.add_ingress_rule(group, ec2.Port.all_traffic(), "Between the instances of a job")
    assert findings(group) == ["NIST.800.53.R5-EC2RestrictedCommonPorts"]


def test_vpc_jobs_get_the_ec2_statements_scoped_to_their_subnets_and_groups(in_vpc: Built):
    group = logical_id(in_vpc.pipeline.node.find_child("JobSecurityGroup"))
    found = statements(in_vpc.template, in_vpc.pipeline.step_role_policy)
    ec2_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    assert found["ManageJobNetworkInterfaces"] == {
        "Action": [
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ],
        "Effect": "Allow",
        "Resource": [
            f"{ec2_arn}:network-interface/*",
            f"{ec2_arn}:subnet/{SUBNETS[0]}",
            f"{ec2_arn}:subnet/{SUBNETS[1]}",
            {"Fn::Join": ["", [f"{ec2_arn}:security-group/", {"Fn::GetAtt": [group, "GroupId"]}]]},
        ],
        "Sid": "ManageJobNetworkInterfaces",
    }
    assert found["DescribeJobNetwork"] == {
        "Action": [
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ],
        "Effect": "Allow",
        "Resource": "*",
        "Sid": "DescribeJobNetwork",
    }


def test_given_subnets_and_security_groups_and_no_traffic_encryption():
    stack = new_stack()
    vpc = _vpc(stack)
    group = ec2.SecurityGroup.from_security_group_id(stack, "Group", GIVEN_GROUP)
    pipeline = Pipeline(
        stack,
        "Training",
        definition=prep_and_train(),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnets=[vpc.private_subnets[1]]),
        security_groups=[group],
        encrypt_inter_container_traffic=False,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::SecurityGroup", 0)
    vpc_config = {"SecurityGroupIds": [GIVEN_GROUP], "Subnets": [SUBNETS[1]]}
    steps = steps_by_name(definition_of(template))
    assert steps["Prep"]["Arguments"]["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": False,
        "VpcConfig": vpc_config,
    }
    train = steps["Train"]["Arguments"]
    assert train["VpcConfig"] == vpc_config
    assert train["EnableInterContainerTrafficEncryption"] is False
    assert "EnableNetworkIsolation" not in train
    resources = statements(template, pipeline.step_role_policy)["ManageJobNetworkInterfaces"][
        "Resource"
    ]
    assert resources == [  # sorted by CDK's policy minimization
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{GIVEN_GROUP}",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{SUBNETS[1]}",
    ]


def test_fails_a_security_group_the_app_created_for_another_vpc():
    # SageMaker takes the group at deploy and fails every job when it starts.
    stack = new_stack()
    jobs = ec2.Vpc(stack, "Jobs", max_azs=1, nat_gateways=0)
    other = ec2.Vpc(stack, "Other", max_azs=1, nat_gateways=0)
    group = ec2.SecurityGroup(stack, "Group", vpc=other)
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=prep_and_train(), vpc=jobs, security_groups=[group])
    assert (
        "prop 'security_groups': the group Test/Group is of the VPC Test/Other, and the jobs "
        "run in Test/Jobs: a security group works in its own VPC only, so SageMaker would fail "
        "each of them when it starts (give groups created with vpc= Test/Jobs, or leave "
        "security_groups out for one the construct creates)"
    ) in str(raised.value)


def test_a_group_of_the_same_vpc_or_an_imported_one_is_not_judged():
    stack = new_stack()
    jobs = ec2.Vpc(stack, "Jobs", max_azs=1, nat_gateways=0)
    imported_vpc = _vpc(stack)
    groups = [
        ec2.SecurityGroup(stack, "Own", vpc=jobs),
        # Of an imported VPC (a literal id): may be of the same VPC, as the app can't tell.
        ec2.SecurityGroup(stack, "OfImported", vpc=imported_vpc),
        ec2.SecurityGroup.from_security_group_id(stack, "Imported", GIVEN_GROUP),
    ]
    Pipeline(stack, "Training", definition=prep_and_train(), vpc=jobs, security_groups=groups)
    # An imported VPC, and a group the app created for another: not judged either.
    Pipeline(
        stack,
        "InImportedVpc",
        definition=prep_and_train(),
        vpc=imported_vpc,
        security_groups=[groups[0]],
    )


def test_network_isolation_without_a_vpc_needs_no_ec2_access():
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=prep_and_train(), enable_network_isolation=True
    )
    template = Template.from_stack(stack)
    steps = steps_by_name(definition_of(template))
    assert steps["Prep"]["Arguments"]["NetworkConfig"] == {"EnableNetworkIsolation": True}
    assert steps["Train"]["Arguments"]["EnableNetworkIsolation"] is True
    assert "VpcConfig" not in steps["Train"]["Arguments"]
    assert not any(
        sid.startswith(("ManageJobNetwork", "DescribeJobNetwork"))
        for sid in statements(template, pipeline.step_role_policy)
    )


def test_default_jobs_have_no_network_settings(default: Built):
    steps = steps_by_name(default.definition)
    assert "NetworkConfig" not in steps["Prep"]["Arguments"]
    for key in ("VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption"):
        assert key not in steps["Train"]["Arguments"]


# -- parameter locations ---------------------------------------------------------------


def _parameterized_input() -> PipelineDefinition:
    key = ParameterString(name="InputDataKey", default_value="curated/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data-bucket/", key])},
    )
    return PipelineDefinition(parameters=[key], steps=[prep])


def test_undeclared_parameter_locations_are_reported_as_a_warning():
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=_parameterized_input())
    annotations = Annotations.from_stack(stack)
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The step role gets no S3 access for: step 'Prep' field "
            r"'Arguments\.ProcessingInputs\[0\]\.S3Input\.S3Uri' \(reads a Std:Join expression "
            r"of 'Parameters\.InputDataKey'\)"
            r".*parameter_locations=.*\[ack: cdk-sagemaker-pipelines:unattributed-s3-location\]$"
        ),
    )
    template = Template.from_stack(stack)
    found = statements(template, pipeline.step_role_policy)
    assert not any("data-bucket" in json.dumps(statement) for statement in found.values())


def test_a_location_another_step_gives_is_not_sent_to_parameter_locations():
    # parameter_locations declares parameters: a Lambda output can't be declared with it.
    key = ParameterString(name="InputDataKey", default_value="curated/")
    find = LambdaStep(
        name="FindData",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:find-data",
        outputs=[StepOutput(output_name="uri")],
    )
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={
            "found": find.properties.OutputParameters["uri"],
            "raw": Join(on="", values=["s3://data-bucket/", key]),
        },
    )
    stack = new_stack()
    Pipeline(stack, "Training", definition=PipelineDefinition(parameters=[key], steps=[prep]))

    [warning] = [
        str(entry.entry.data)
        for entry in Annotations.from_stack(stack).find_warning("/Test/Training", Match.any_value())
        if "unattributed-s3-location" in str(entry.entry.data)
    ]
    assert (
        "time: declare the locations they may take with parameter_locations=, or grant the "
        "step role (pipeline.step_role) access yourself; for the values no parameter gives "
        "(step 'Prep' field 'Arguments.ProcessingInputs[0].S3Input.S3Uri': a JsonGet, a Lambda "
        "or Callback output, or a Join whose bucket isn't text before its run-time parts, such "
        'as an Fn.join token: write it f"s3://{bucket.bucket_name}/prefix"), which '
        "parameter_locations= can't declare, grant the step role (pipeline.step_role) access "
        "to where they point yourself."
    ) in warning


def test_a_checkpoint_location_of_an_fn_join_token_is_named_once_and_not_as_a_step_output():
    # Was: "for the values another step gives (… 'Arguments.CheckpointConfig.S3Uri', …
    # 'Arguments.CheckpointConfig.S3Uri': a JsonGet, a Lambda or Callback output)": the
    # field twice (read and written), and no step gives an execution id.
    stack = new_stack()
    bucket = s3.Bucket(stack, "Checkpoints")
    base = cdk.Fn.join("", ["s3://", bucket.bucket_name, "/checkpoints"])
    train = TrainingStep(
        name="FineTune",
        image=Image.pytorch("2.1", processor="gpu"),
        instance_type="ml.p4d.24xlarge",
        use_spot_instances=True,
        max_wait_in_seconds=172800,
        checkpoint_s3_uri=Join(on="/", values=[base, ExecutionVariables.PIPELINE_EXECUTION_ID]),
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))

    [warning] = [
        str(entry.entry.data)
        for entry in Annotations.from_stack(stack).find_warning("/Test/Training", Match.any_value())
        if "unattributed-s3-location" in str(entry.entry.data)
    ]
    assert (
        "for the values no parameter gives (step 'FineTune' field "
        "'Arguments.CheckpointConfig.S3Uri': a JsonGet, a Lambda or Callback output, or a Join "
        "whose bucket isn't text before its run-time parts, such as an Fn.join token: write it "
        'f"s3://{bucket.bucket_name}/prefix")'
    ) in warning


def _registration(name: str, **options: Any) -> RegisterModel:
    return RegisterModel(
        name=name,
        model_package_group_name="churn-models",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models/churn/model.tar.gz",
        **options,
    )


def test_registered_inference_code_from_an_asset_is_reported_as_a_warning():
    stack = new_stack()
    in_assets = _registration("Register", code=Code.from_asset(SCRIPTS / "model" / "inference.py"))
    condition = ConditionStep(
        name="Check", conditions=[ConditionEquals(left=1, right=1)], if_steps=[in_assets]
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[condition]))
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^RegisterModel 'Register': inference code from Code\.from_asset\(…\) \(code=, or "
            r"a Container's code=\) points every registered version at the CDK assets bucket, "
            r"which accounts the model registry is shared with can't read "
            r".*SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code\)\. "
            r"\[ack: cdk-sagemaker-pipelines:registered-asset-code\]$"
        ),
    )


def test_registered_metrics_from_an_asset_file_are_reported_as_a_warning(tmp_path):
    constraints = tmp_path / "constraints.json"
    constraints.write_text("{}")
    stack = new_stack()
    registered = _registration(
        "Register",
        model_metrics=ModelMetrics(
            model_constraints=MetricsSource(s3_uri=S3Location.from_asset(constraints))
        ),
    )
    kept = _registration(
        "Kept",
        model_metrics=ModelMetrics(
            model_constraints=MetricsSource(s3_uri="s3://models/churn/constraints.json")
        ),
        depends_on=[registered],
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[kept]))
    warnings = Annotations.from_stack(stack).find_warning("/Test/Training", Match.any_value())
    texts = [str(entry.entry.data) for entry in warnings]
    assert [text for text in texts if "registered-asset-file" in text] == [
        "RegisterModel 'Register': model metrics or drift baselines from "
        "S3Location.from_asset(…) point every registered version at the CDK assets bucket, "
        "which accounts the model registry is shared with can't read and which `cdk gc` "
        "empties of assets no deployed template uses. Copy them into the version's retained "
        "outputs (a processing step's output) instead. "
        "[ack: cdk-sagemaker-pipelines:registered-asset-file]"
    ]
    # A drift baseline from an asset too.
    stack = new_stack()
    baselined = _registration(
        "Baselined",
        drift_check_baselines=DriftCheckBaselines(
            model_constraints=MetricsSource(s3_uri=S3Location.from_asset(constraints))
        ),
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[baselined]))
    [text] = _texts_of_warning(stack, "cdk-sagemaker-pipelines:registered-asset-file")
    assert text.startswith("RegisterModel 'Baselined': model metrics or drift baselines from ")


def test_drift_baselines_of_a_check_supplied_from_an_asset_are_reported_as_a_warning(tmp_path):
    # A registration reading check properties ({"Get": …}) next to an asset used to fail
    # synth with "TypeError: unhashable type: 'dict'"; the asset the check was supplied is
    # what its BaselineUsedForDriftCheck* returns, and so what the version points at.
    constraints = tmp_path / "constraints.json"
    constraints.write_text("{}")
    check = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data/train/", dataset_format=DatasetFormat.csv()
        ),
        supplied_baseline_constraints=S3Location.from_asset(constraints),
        model_package_group_name="churn-models",
    )
    calculated = _registration(
        "Calculated",
        model_metrics=ModelMetrics(
            data_constraints=MetricsSource(s3_uri=check.properties.CalculatedBaselineConstraints)
        ),
    )
    stack = new_stack()
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[calculated]))
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:registered-asset-file") == []
    drifted = _registration(
        "Drifted",
        drift_check_baselines=DriftCheckBaselines(
            data_constraints=MetricsSource(
                s3_uri=check.properties.BaselineUsedForDriftCheckConstraints
            )
        ),
    )
    stack = new_stack()
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[drifted]))
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:registered-asset-file") == [
        "RegisterModel 'Drifted': model metrics or drift baselines from "
        "S3Location.from_asset(…) (the supplied baselines of check step(s) 'DataQuality', "
        "which their BaselineUsedForDriftCheck* properties return) point every registered "
        "version at the CDK assets bucket, which accounts the model registry is shared with "
        "can't read and which `cdk gc` empties of assets no deployed template uses. Copy them "
        "into the version's retained outputs (a processing step's output), or supply the "
        "checks' baselines from a bucket of yours (S3Location.from_bucket) instead. "
        "[ack: cdk-sagemaker-pipelines:registered-asset-file]"
    ]
    # A check that registers its new baseline returns that one, not the asset.
    renewed = dataclasses.replace(check, register_new_baseline=True)
    drifted = _registration(
        "Drifted",
        drift_check_baselines=DriftCheckBaselines(
            data_constraints=MetricsSource(
                s3_uri=renewed.properties.BaselineUsedForDriftCheckConstraints
            )
        ),
    )
    stack = new_stack()
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[drifted]))
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:registered-asset-file") == []


def test_registered_inference_code_in_the_model_or_in_s3_is_not_warned():
    stack = new_stack()
    in_model = _registration(
        "InModel",
        environment={
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        },
    )
    in_s3 = _registration(
        "InS3", code=Code.from_s3("s3://models/churn/code.tar.gz", entry_point="inference.py")
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[in_model, in_s3]))
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("RegisterModel"))


SDK_GENERATED = Path(__file__).parents[1] / "definition" / "sdk_generated"


def _check_steps() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (SDK_GENERATED / "quality-and-clarify-checks.json").read_text(encoding="utf-8")
    )
    return loaded


def test_check_steps_get_the_permissions_of_their_processing_jobs():
    # The SDK's QualityCheckStep and ClarifyCheckStep each run a processing job. Before, the
    # roles got nothing for them (a warning said so) and runs failed after deploy.
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=_check_steps(), pipeline_name=NAME)
    template, annotations = synthesized(stack)  # one synthesis
    assert pipeline.role_policy is not None
    role_statements = statements(template, pipeline.role_policy)
    assert role_statements["ProcessingJobs"]["Action"] == [
        "sagemaker:CreateProcessingJob",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:StopProcessingJob",
    ]
    step_statements = json.dumps(statements(template, pipeline.step_role_policy))
    for key in ("stats.json", "constraints.json", "bias/analysis_config.json", "dq", "bias"):
        assert f"my-ml-bucket/{key}" in step_statements
    annotations.has_no_warning("*", Match.string_like_regexp("get no permissions for step"))
    annotations.has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^Check step\(s\) 'DataBiasCheck' \(group 'churn'\) compare with the baselines of "
            r"the latest approved model version in the group, .* "
            r"\[ack: cdk-sagemaker-pipelines:check-baselines-from-registry\]$"
        ),
    )
    annotations.has_no_warning("*", Match.string_like_regexp("shadow endpoint"))


def test_untagged_custom_images_get_pull_grants_and_sagemaker_analyzers_none():
    # ECR pulls "latest" for a URI without a tag. Before, an untagged URI got no pull grant
    # at all. The Model Monitor analyzer (untagged, as the SDK writes it) and Clarify images
    # are SageMaker's own, like framework images: no grant.
    definition = _check_steps()
    custom = "111122223333.dkr.ecr.us-east-1.amazonaws.com/team-analyzer"
    definition["Steps"][1]["Arguments"]["AppSpecification"]["ImageUri"] = custom
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    pulled = json.dumps(
        statements(Template.from_stack(stack), pipeline.step_role_policy)["PullImages"]
    )
    assert ":ecr:us-east-1:111122223333:repository/team-analyzer" in pulled
    assert "sagemaker-model-monitor-analyzer" not in pulled


def test_clarify_checks_of_a_model_warn_of_the_shadow_endpoint():
    definition = _check_steps()
    bias = definition["Steps"][1]
    bias.update(CheckType="MODEL_BIAS", ModelName="churn-model")
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^ClarifyCheck step\(s\) 'DataBiasCheck' \(model 'churn-model'\) check a model, "
            r".*named sm-clarify\* .*endpoint_name_prefix, add to pipeline.step_role a "
            r"statement .*endpoint/<prefix>\*.* "
            r"\[ack: cdk-sagemaker-pipelines:clarify-shadow-endpoint\]$"
        ),
    )


def test_clarify_checks_of_a_model_get_their_shadow_endpoint_permissions():
    # Before, the step role got no endpoint permissions and a MODEL_BIAS run failed when
    # the Clarify job created its shadow endpoint.
    definition = _check_steps()
    definition["Steps"][1].update(CheckType="MODEL_BIAS", ModelName="churn-model")
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    template, _ = synthesized(stack)
    shadow = statements(template, pipeline.step_role_policy)["ManageClarifyShadowEndpoints"]
    assert shadow["Action"] == [
        "sagemaker:AddTags",
        "sagemaker:CreateEndpoint",
        "sagemaker:CreateEndpointConfig",
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:InvokeEndpoint",
    ]
    resources = json.dumps(shadow["Resource"])
    assert ":endpoint/sm-clarify*" in resources
    assert ":endpoint-config/sm-clarify*" in resources
    # A data bias check serves no model: no endpoint statement.
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=_check_steps(), pipeline_name=NAME)
    plain = statements(Template.from_stack(stack), pipeline.step_role_policy)
    assert "ManageClarifyShadowEndpoints" not in plain


def test_clarify_shadow_endpoint_wildcards_are_acknowledged_under_nag():
    # The endpoints' names carry a suffix Clarify generates: <prefix>* is acknowledged.
    bias = ClarifyCheckStep(
        name="ModelBiasCheck",
        clarify_check_config=ModelBiasCheckConfig(
            dataset="s3://data-bucket/test/",
            model_name="churn-model",
            analysis_config="s3://baselines/clarify/analysis_config.json",
        ),
        skip_check=True,
    )
    pipeline, template, _ = pipeline_under_nag(PipelineDefinition(steps=[bias]), NAME)
    assert "ManageClarifyShadowEndpoints" in statements(template, pipeline.step_role_policy)


def test_python_check_steps_synthesize_with_their_jobs_permissions():
    # Written in the language: the analyzer images resolve per region, outputs default to
    # the artifact bucket, and the baselines a registration reads there are retained.
    quality = QualityCheckStep(
        name="DataQualityCheck",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data-bucket/train/", dataset_format=DatasetFormat.csv()
        ),
        supplied_baseline_statistics="s3://baselines/dq/statistics.json",
        supplied_baseline_constraints="s3://baselines/dq/constraints.json",
    )
    bias = ClarifyCheckStep(
        name="DataBiasCheck",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data-bucket/train/",
            analysis_config="s3://baselines/clarify/analysis_config.json",
        ),
        supplied_baseline_constraints="s3://baselines/bias/constraints.json",
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.xgboost("1.7-1", scope="inference"),
        model_data="s3://models/model.tar.gz",
        model_metrics=ModelMetrics(
            data_statistics=MetricsSource(s3_uri=quality.properties.CalculatedBaselineStatistics),
            bias_pre_training_report=MetricsSource(
                s3_uri=bias.properties.CalculatedBaselineConstraints
            ),
        ),
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[register]),
        pipeline_name=NAME,
    )
    template, annotations = synthesized(stack)  # one synthesis
    steps = steps_by_name(definition_of(template))
    quality_arguments = steps["DataQualityCheck"]["Arguments"]
    assert quality_arguments["AppSpecification"]["ImageUri"] == (
        "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    )
    output = quality_arguments["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    # Retained: a registered version refers to the baselines.
    assert output["Std:Join"]["Values"][1] == "models"
    assert steps["DataBiasCheck"]["CheckType"] == "DATA_BIAS"
    role_statements = statements(template, pipeline.role_policy)
    assert "sagemaker:CreateProcessingJob" in role_statements["ProcessingJobs"]["Action"]
    step_statements = json.dumps(statements(template, pipeline.step_role_policy))
    for key in ("dq/statistics.json", "clarify/analysis_config.json", "bias/constraints.json"):
        assert f"baselines/{key}" in step_statements
    annotations.has_no_warning("*", Match.string_like_regexp("get no permissions for step"))


def test_a_parameter_no_step_reads_is_warned_and_one_read_anywhere_is_not() -> None:
    # A trigger's key_parameter declared while the job still reads a fixed URI: new data is
    # never read, and nothing said so.
    definition = literal_definition()
    definition["Parameters"] = [
        {"Name": "InputDataKey", "Type": "String", "DefaultValue": "incoming/"},
        {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.9},
        {"Name": "Mode", "Type": "String", "DefaultValue": "full"},
    ]
    (prep,) = definition["Steps"]
    # Read deep inside a Join, and as a whole value: both count.
    prep["Arguments"]["Environment"] = {
        "THRESHOLD": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Threshold"}]}},
        "MODE": {"Get": "Parameters.Mode"},
        # The same words in a literal are no reference.
        "NOTE": '"Get": "Parameters.InputDataKey"',
    }
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    warnings = Annotations.from_stack(stack).find_warning(
        "/Test/Training", Match.string_like_regexp(".*unused-parameter.*")
    )
    assert [str(warning.entry.data) for warning in warnings] == [
        "No step reads parameter(s) 'InputDataKey': a value an execution, a schedule or a "
        "trigger gives them changes nothing. Use each in a step (a job's input location, "
        'say: Join(on="", values=["s3://bucket/", parameter])) or remove it. '
        "[ack: cdk-sagemaker-pipelines:unused-parameter]"
    ]

    read = literal_definition()
    read["Parameters"] = [{"Name": "Mode", "Type": "String", "DefaultValue": "full"}]
    read["Steps"][0]["Arguments"]["Environment"] = {"MODE": {"Get": "Parameters.Mode"}}
    stack = new_stack()
    Pipeline(stack, "Training", definition=read, pipeline_name=NAME)
    Annotations.from_stack(stack).has_no_warning(
        "*", Match.string_like_regexp(".*unused-parameter.*")
    )


def test_a_parameter_read_only_by_the_experiment_config_is_not_warned_unused() -> None:
    # PipelineExperimentConfig takes expressions: a run's Team names its experiment there,
    # which is a use, though no step reads it.
    definition = literal_definition()
    definition["Parameters"] = [{"Name": "Team", "Type": "String", "DefaultValue": "ml"}]
    definition["PipelineExperimentConfig"] = {
        "ExperimentName": {"Std:Join": {"On": "-", "Values": [{"Get": "Parameters.Team"}, "x"]}},
        "TrialName": {"Get": "Execution.PipelineExecutionId"},
    }
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    Annotations.from_stack(stack).has_no_warning(
        "*", Match.string_like_regexp(".*unused-parameter.*")
    )


def test_steps_whose_permissions_are_not_derived_are_warned(monkeypatch: pytest.MonkeyPatch):
    # Every step type validation accepts is planned now (the deployment steps were the last;
    # tests/definition/test_deploy_permissions.py says so): a type the planner would not
    # know, as one validation learnt before the planner, is stood in for by Lambda.
    from cdk_sagemaker_pipelines.definition import permissions

    monkeypatch.setattr(
        permissions, "PLANNED_STEP_TYPES", permissions.PLANNED_STEP_TYPES - {"Lambda"}
    )
    definition = literal_definition()
    definition["Steps"].append(
        {
            "Name": "Notify",
            "Type": "Lambda",
            "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:notify",
            "Arguments": {},
        }
    )
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The pipeline role and the step role get no permissions for step\(s\) "
            r"'Notify' \(Lambda\): .* unless you grant pipeline.role \(the service's calls for "
            r"the step\) .*\[ack: cdk-sagemaker-pipelines:unplanned-step-permissions\]$"
        ),
    )


def test_debugger_rules_of_a_training_job_are_warned_not_granted():
    image = "503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest"
    rule = {
        "RuleConfigurationName": "LossNotDecreasing",
        "RuleEvaluatorImage": image,
        "RuleParameters": {"rule_to_invoke": "LossNotDecreasing"},
    }

    def warnings(**extra: Any) -> list[str]:
        train = TrainingStep(
            name="Train",
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://c/t.tar.gz", entry_point="t.py"),
            extra_arguments=extra,
        )
        stack = new_stack()
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
        return _texts_of_warning(stack, "cdk-sagemaker-pipelines:debugger-rule-permissions")

    [warning] = warnings(DebugRuleConfigurations=[rule], ProfilerRuleConfigurations=[rule])
    assert warning.startswith(
        "SageMaker Debugger rules (step 'Train' field 'Arguments.DebugRuleConfigurations', "
        "step 'Train' field 'Arguments.ProfilerRuleConfigurations') run as processing jobs "
        "SageMaker starts for the training job; no document says with which role"
    )
    # A training job without rules (a DebugHookConfig alone, as the SDK writes) is not warned.
    assert warnings(DebugHookConfig={"S3OutputPath": "s3://out/debug"}) == []


SPOT_WARNING = "cdk-sagemaker-pipelines:spot-training-without-checkpoints"


def test_spot_training_without_checkpoints_is_warned():
    def warnings(*steps: Any) -> list[str]:
        stack = new_stack()
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=list(steps)))
        return _texts_of_warning(stack, SPOT_WARNING)

    def train(name: str, **options: Any) -> TrainingStep:
        return TrainingStep(
            name=name,
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://c/t.tar.gz", entry_point="t.py"),
            max_wait_in_seconds=86400 if options.get("use_spot_instances") else None,
            **options,
        )

    def tune(**options: Any) -> TuningStep:
        return TuningStep(
            name="Tune",
            image=Image.xgboost("1.7-1"),
            objective_metric_name="validation:rmse",
            objective_type="Minimize",
            hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
            max_wait_in_seconds=86400,
            **options,
        )

    [warning] = warnings(
        train("Spot", use_spot_instances=True),
        train("Checkpointed", use_spot_instances=True, checkpoint_s3_uri="s3://c/checkpoints"),
        train("OnDemand"),
        tune(use_spot_instances=True),
    )
    assert warning.startswith(
        "Managed spot training without a CheckpointConfig (step 'Spot' field "
        "'Arguments.EnableManagedSpotTraining', step 'Tune' field "
        "'Arguments.TrainingJobDefinition.EnableManagedSpotTraining'): when EC2 reclaims "
        "the spot capacity, the job starts training again from the beginning"
    )
    assert "checkpoint_s3_uri= (in a definition JSON, the job's CheckpointConfig.S3Uri)" in warning
    assert warnings(tune(use_spot_instances=True, checkpoint_s3_uri="s3://c/cp")) == []
    assert warnings(train("OnDemand")) == []


def test_spot_training_of_a_json_definition_is_judged_per_job():
    # Spot from a parameter may be on at run time; literal false isn't spot; each training
    # job definition of a tuning step of several is judged alone, in a branch too.
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
            )
            for name in ("first", "second")
        ],
        max_jobs=2,
    )
    spot = ParameterBoolean(name="Spot", default_value=False)
    branch = ConditionStep(
        name="Check", conditions=[ConditionEquals(left=spot, right=True)], if_steps=[tune]
    )
    binder = StaticBinder(region=REGION, role_arn=ROLE, default_bucket="out-bucket")
    definition = PipelineDefinition(parameters=[spot], steps=[branch]).to_definition(binder)
    [tuning] = definition["Steps"][0]["Arguments"]["IfSteps"]
    first, second = tuning["Arguments"]["TrainingJobDefinitions"]
    first["EnableManagedSpotTraining"] = {"Get": "Parameters.Spot"}
    first["StoppingCondition"]["MaxWaitTimeInSeconds"] = 86400
    second["EnableManagedSpotTraining"] = False

    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    [warning] = _texts_of_warning(stack, SPOT_WARNING)
    assert (
        "(step 'Tune' field 'Arguments.TrainingJobDefinitions[0].EnableManagedSpotTraining'):"
    ) in warning


def _texts_of_warning(stack: cdk.Stack, warning_id: str) -> list[str]:
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    return [
        str(entry.entry.data) for entry in found if f"[ack: {warning_id}]" in str(entry.entry.data)
    ]


LAMBDA_READS_ARTIFACTS = "cdk-sagemaker-pipelines:lambda-reads-artifacts"


def test_lambda_and_callback_inputs_in_the_artifact_store_are_warned():
    # The function's role (and the queue consumer's) gets no grant on the artifact bucket
    # or key from the construct: handed such a location, it failed at run time, unwarned.
    stack = new_stack()
    prep, train = prep_and_train_steps()
    check = LambdaStep(
        name="Check",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:check",
        inputs={"data": prep.output("train"), "raw": "s3://raw-data/incoming/", "n": 3},
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
    )
    review = CallbackStep(
        name="Review",
        sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/review",
        inputs={
            "model": train.properties.ModelArtifacts.S3ModelArtifacts,
            "rows": check.properties.OutputParameters["rows"],
        },
        outputs=[StepOutput(output_name="ok", output_type=OutputType.BOOLEAN)],
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[check, review]))
    [warning] = _texts_of_warning(stack, LAMBDA_READS_ARTIFACTS)
    assert warning.startswith(
        "Lambda step 'Check' input 'data' (its function); Callback step 'Review' input "
        "'model' (its queue's consumer): a location in the artifact store, "
    )
    assert (
        "Grant that role pipeline.artifact_store.grant_read(fn, 'executions/*') and "
        "pipeline.artifact_store.grant_read(fn, 'models/*')"
    ) in warning


def test_lambda_inputs_joined_from_an_artifact_location_are_warned():
    # A file under a step's output (a Join of its location with a name), and a tuning
    # step's best model (a Join of the tuning job's output path with the job's name) were
    # taken for locations outside the store: the function failed reading them, unwarned.
    stack = new_stack()
    prep = prep_step()
    tune = TuningStep(
        name="Tune",
        image=Image.xgboost("1.7-1"),
        objective_metric_name="validation:rmse",
        objective_type="Minimize",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        inputs={"train": prep.output("train")},
    )
    check = LambdaStep(
        name="Check",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:check",
        inputs={
            "report": Join(on="/", values=[prep.output("train"), "report.json"]),
            "best": tune.top_model_s3_uri(0),
        },
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[check]))
    [warning] = _texts_of_warning(stack, LAMBDA_READS_ARTIFACTS)
    assert warning.startswith(
        "Lambda step 'Check' input 'report' (its function); Lambda step 'Check' input 'best' "
        "(its function): a location in the artifact store, "
    )
    assert (
        "Grant that role pipeline.artifact_store.grant_read(fn, 'executions/*') and "
        "pipeline.artifact_store.grant_read(fn, 'models/*')"
    ) in warning


def test_lambda_inputs_outside_the_artifact_store_are_not_warned():
    stack = new_stack()
    count = LambdaStep(
        name="Count",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:count",
        inputs={"raw": "s3://raw-data/incoming/", "n": 3},
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[count]))
    assert _texts_of_warning(stack, LAMBDA_READS_ARTIFACTS) == []


JOB_ROLE_WARNING = "cdk-sagemaker-pipelines:job-role-not-step-role"


def test_jobs_of_a_json_definition_running_as_another_role_are_warned():
    # A SageMaker SDK definition names the role it was generated with: the derived step
    # permissions went to pipeline.step_role, which no job used, without a word.
    definition = literal_definition()
    sdk_role = definition["Steps"][0]["Arguments"]["RoleArn"]
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert _texts_of_warning(stack, JOB_ROLE_WARNING) == [
        f"Step(s) 'Prep' (Arguments.RoleArn) run as {sdk_role!r}, not pipeline.step_role: the "
        "permissions derived from the steps are attached to pipeline.step_role only, so that "
        "role gets none of them from this construct (the pipeline role may still pass it). "
        "Replace the role in the definition with your step role's ARN (e.g. "
        "step_role.role_arn, with the role given as step_role=), or give "
        f"step_role=iam.Role.from_role_arn(self, 'StepRole', {sdk_role!r}) to attach them to "
        f"it. [ack: {JOB_ROLE_WARNING}]"
    ]


def test_jobs_running_as_the_step_role_are_not_warned():
    # Both ways the warning suggests: the SDK's role given as step_role, or the definition's
    # role replaced by the step role's ARN (a token).
    definition = literal_definition()
    stack = new_stack()
    sdk_role = iam.Role.from_role_arn(
        stack, "SdkRole", definition["Steps"][0]["Arguments"]["RoleArn"]
    )
    pipeline = Pipeline(stack, "Training", definition=definition, step_role=sdk_role)
    assert _texts_of_warning(stack, JOB_ROLE_WARNING) == []
    template = Template.from_stack(stack)
    policy = resource(template, logical_id(pipeline.step_role_policy))["Properties"]
    assert policy["Roles"] == ["SageMakerExecutionRole"]

    stack = new_stack()
    own = iam.Role(stack, "JobRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    replaced = literal_definition()
    replaced["Steps"][0]["Arguments"]["RoleArn"] = own.role_arn
    Pipeline(stack, "Training", definition=replaced, step_role=own)
    Pipeline(
        stack,
        "Compiled",
        definition=PipelineDefinition(
            steps=[
                ProcessingStep(
                    name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://c/p.py")
                )
            ]
        ),
    )
    assert _texts_of_warning(stack, JOB_ROLE_WARNING) == []


def test_jobs_running_as_a_step_role_given_by_name_are_not_warned():
    # iam.Role.from_role_name's ARN holds the partition as a token: compared as text with the
    # definition's literal ARN of that very role, it was warned as "another role".
    definition = literal_definition()
    sdk_role = definition["Steps"][0]["Arguments"]["RoleArn"]
    name = sdk_role.rsplit("/", 1)[1]
    for account in ("111122223333", None):
        stack = new_stack(account=account)
        step_role = iam.Role.from_role_name(stack, "SdkRole", name)
        Pipeline(stack, "Training", definition=literal_definition(), step_role=step_role)
        assert _texts_of_warning(stack, JOB_ROLE_WARNING) == [], account
    # Another name is another role.
    role_arn = sdk_role.replace(name, f"{name}Copy")
    stack = new_stack()
    other = literal_definition()
    other["Steps"][0]["Arguments"]["RoleArn"] = role_arn
    step_role = iam.Role.from_role_name(stack, "SdkRole", name)
    Pipeline(stack, "Training", definition=other, step_role=step_role)
    [text] = _texts_of_warning(stack, JOB_ROLE_WARNING)
    assert text.startswith(f"Step(s) 'Prep' (Arguments.RoleArn) run as {role_arn!r}, not ")
    # That name in another account is another role, which SageMaker can't take: it was
    # warned as another role, and now fails (tests/cdk/test_passed_roles.py).
    stack = new_stack()
    other = literal_definition()
    other["Steps"][0]["Arguments"]["RoleArn"] = sdk_role.replace("111122223333", "444455556666")
    step_role = iam.Role.from_role_name(stack, "SdkRole", name)
    with pytest.raises(PipelineValidationError, match=r"is of account 444455556666"):
        Pipeline(stack, "Training", definition=other, step_role=step_role)


def test_jobs_running_as_another_role_of_the_app_are_warned_without_a_literal_example():
    # A role known at deploy time (a token) has no ARN to quote: the hint names no ARN.
    stack = new_stack()
    other = iam.Role(stack, "JobRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    definition = literal_definition()
    definition["Steps"][0]["Arguments"]["RoleArn"] = other.role_arn
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    [text] = _texts_of_warning(stack, JOB_ROLE_WARNING)
    assert text.startswith(
        "Step(s) 'Prep' (Arguments.RoleArn) run as a role known at deploy time, not "
    )
    assert "or give step_role=<that role> to attach them to it." in text


def test_a_step_given_another_role_is_warned_with_each_role_and_its_steps():
    other = "arn:aws:iam::111122223333:role/other"
    stack = new_stack()
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://c/p.py"), role=other
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://c/t.tar.gz", entry_point="t.py"),
        depends_on=[prep],
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
    [text] = _texts_of_warning(stack, JOB_ROLE_WARNING)
    assert text.startswith(f"Step(s) 'Prep' (Arguments.RoleArn) run as {other!r}, not ")
    assert "'Train'" not in text


def test_inputs_given_as_manifests_are_warned():
    # The step role reads the manifest; the objects it lists are named only in the file.
    definition = literal_definition()
    raw = definition["Steps"][0]["Arguments"]["ProcessingInputs"][0]["S3Input"]
    raw["S3DataType"] = "ManifestFile"
    raw["S3Uri"] = "s3://raw-data/incoming/manifest.json"
    stack = new_stack()
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:manifest-input-objects") == [
        "The step role may read the manifest files of step 'Prep' field "
        "'Arguments.ProcessingInputs[0].S3Input.S3Uri' "
        "('s3://raw-data/incoming/manifest.json'), but not the objects they list, which only "
        "the files name: grant pipeline.step_role read access to them yourself (e.g. "
        "bucket.grant_read(pipeline.step_role, 'images/*')), or the job fails with "
        "AccessDenied. [ack: cdk-sagemaker-pipelines:manifest-input-objects]"
    ]
    stack = new_stack()
    Pipeline(stack, "Training", definition=literal_definition(), pipeline_name=NAME)
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:manifest-input-objects") == []


IMAGE_WARNING = "cdk-sagemaker-pipelines:unattributed-image"


def test_images_known_only_at_run_or_deploy_time_are_warned():
    # The SDK's image_uri=ParameterString(…), or an app repository's URI written into a
    # definition JSON as docs/constructs.md replaces roles and buckets: no statement names their
    # repository. Before, the step role silently got no pull for them and the jobs failed.
    stack = new_stack()
    repository = ecr.Repository(stack, "Repo")
    definition = literal_definition()
    definition["Parameters"] = [{"Name": "Image", "Type": "String"}]
    prep = definition["Steps"][0]
    prep["Arguments"]["AppSpecification"]["ImageUri"] = {"Get": "Parameters.Image"}
    other = copy.deepcopy(prep)
    other["Name"] = "Other"
    other["Arguments"]["AppSpecification"]["ImageUri"] = repository.repository_uri_for_tag("v1")
    definition["Steps"].append(other)
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert _texts_of_warning(stack, IMAGE_WARNING) == [
        "The step role gets no ECR pull for the image of step 'Prep' field "
        "'Arguments.AppSpecification.ImageUri' ('Parameters.Image'); step 'Other' field "
        "'Arguments.AppSpecification.ImageUri' (known at deploy time), whose repository synth "
        "can't name: grant pipeline.step_role pull access to the repositories it may name "
        "yourself (repository.grant_pull(pipeline.step_role)), or the jobs and models that run "
        "it fail to pull it. SageMaker's framework images need no grant. "
        f"[ack: {IMAGE_WARNING}]"
    ]


def test_images_the_binder_names_are_not_warned():
    # A repository of the app and a framework image of an environment-agnostic stack (a
    # CfnMapping by region) are tokens too, but the binder knows and grants them.
    stack = new_stack(account=None, region=None)
    repository = ecr.Repository(stack, "Repo")
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://c/p.py")
    )
    train = TrainingStep(
        name="Train",
        image=Image.from_ecr_repository(repository, tag="v1"),
        code=Code.from_s3("s3://c/t.tar.gz", entry_point="t.py"),
        depends_on=[prep],
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
    assert _texts_of_warning(stack, IMAGE_WARNING) == []


def test_transforms_of_a_model_the_pipeline_does_not_create_are_warned():
    # The job runs as that model's execution role: the derived grants went to step_role,
    # which the job never uses.
    def transform(model_name: Any) -> TransformStep:
        return TransformStep(
            name="Score",
            model_name=model_name,
            input_data="s3://batch-bucket/in/",
            output_path="s3://batch-bucket/out/",
        )

    stack = new_stack()
    definition = PipelineDefinition(steps=[transform("churn-model-v3")])
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:transform-of-external-model") == [
        "The transform jobs of step 'Score' (model 'churn-model-v3') run as the execution "
        "role of a model no Model step of this pipeline creates, which gets none of the "
        "permissions derived from these steps (their input, output and keys go to "
        "pipeline.step_role). Grant that role what the jobs read and write, or create the "
        "model in the pipeline (ModelStep, then model_name=model.properties.ModelName). "
        "[ack: cdk-sagemaker-pipelines:transform-of-external-model]"
    ]
    # A model named by a parameter is one the pipeline doesn't create either: said so, not
    # shown as if 'Parameters.ModelName' were the model's name.
    stack = new_stack()
    name = ParameterString("ModelName", default_value="churn-model-v3")
    definition = PipelineDefinition(parameters=[name], steps=[transform(name)])
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    [text] = _texts_of_warning(stack, "cdk-sagemaker-pipelines:transform-of-external-model")
    assert text.startswith(
        "The transform jobs of step 'Score' (model named at run time by "
        "'Parameters.ModelName') run as the execution role of a model no Model step"
    )
    # A model a Model step creates, in a condition's branch too, is the pipeline's own.
    stack = new_stack()
    model = ModelStep(
        name="CreateModel", image=Image.sklearn("1.2-1"), model_data="s3://models/model.tar.gz"
    )
    definition = PipelineDefinition(steps=[transform(model.properties.ModelName)])
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:transform-of-external-model") == []
    stack = new_stack()
    branch = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(name, "churn-model-v3")],
        if_steps=[model, transform(model.properties.ModelName)],
    )
    definition = PipelineDefinition(parameters=[name], steps=[branch])
    Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert _texts_of_warning(stack, "cdk-sagemaker-pipelines:transform-of-external-model") == []


def test_fails_roles_and_keys_known_only_at_run_time():
    # No statement can name them: a raw TypeError from the policy builder before.
    definition = literal_definition()
    definition["Parameters"] = [
        {"Name": name, "Type": "String"} for name in ("JobRole", "VolumeKey", "Cluster")
    ]
    arguments = definition["Steps"][0]["Arguments"]
    arguments["RoleArn"] = {"Get": "Parameters.JobRole"}
    arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = {
        "Get": "Parameters.VolumeKey"
    }
    stack = new_stack()
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert [(p.step, p.field) for p in raised.value.problems] == [
        ("Prep", "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId"),
        ("Prep", "Arguments.RoleArn"),
    ]
    assert "iam:PassRole on every role" in str(raised.value)


def test_an_emr_cluster_known_only_at_run_time_is_a_warning_and_any_cluster():
    # The SDK's usual EMRStep takes the cluster id as a parameter (a cluster per run).
    emr = json.loads((SDK_GENERATED / "emr-runtime-role.json").read_text(encoding="utf-8"))
    stack = new_stack()
    pipeline = Pipeline(stack, "Emr", definition=emr)
    Annotations.from_stack(stack).has_warning(
        "/Test/Emr",
        Match.string_like_regexp(
            r"^The EMR cluster of step '\w+' field 'Arguments\.ClusterId' is an expression, .*"
            r"\[ack: cdk-sagemaker-pipelines:open-emr-cluster\]$"
        ),
    )
    assert pipeline.role_policy is not None
    statements = cdk.Stack.of(pipeline).resolve(pipeline.role_policy.document.to_json())
    by_sid = {s["Sid"]: s for s in statements["Statement"]}
    any_cluster = "arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/*"
    assert by_sid["RunEmrStepsAsRuntimeRole1"]["Resource"] == any_cluster
    assert by_sid["FollowEmrSteps"]["Resource"] == any_cluster


def test_an_emr_runtime_role_conditions_add_steps_and_is_not_passed_to_sagemaker():
    # EMR's "Runtime roles for Amazon EMR steps": AddJobFlowSteps under an
    # elasticmapreduce:ExecutionRoleArn condition; the cluster assumes the role, nobody
    # passes it. Before, it landed in iam:PassRole to sagemaker.amazonaws.com.
    emr = json.loads((SDK_GENERATED / "emr-runtime-role.json").read_text(encoding="utf-8"))
    emr["Steps"][0]["Arguments"]["ClusterId"] = "j-1ABCDEFGHIJKL"
    emr["Steps"].append(
        {
            "Name": "PlainSpark",
            "Type": "EMR",
            "Arguments": {
                "ClusterId": "j-2ABCDEFGHIJKL",
                "StepConfig": {"HadoopJarStep": {"Jar": "command-runner.jar"}},
            },
        }
    )
    stack = new_stack()
    pipeline = Pipeline(stack, "Emr", definition=emr)
    assert pipeline.role_policy is not None
    resolved = cdk.Stack.of(pipeline).resolve(pipeline.role_policy.document.to_json())
    by_sid = {s["Sid"]: s for s in resolved["Statement"]}
    cluster = "arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/"
    assert by_sid["RunEmrStepsAsRuntimeRole1"] == {
        "Action": "elasticmapreduce:AddJobFlowSteps",
        "Condition": {
            "StringEquals": {
                "elasticmapreduce:ExecutionRoleArn": "arn:aws:iam::111122223333:role/EmrRuntimeRole"
            }
        },
        "Effect": "Allow",
        "Resource": f"{cluster}j-1ABCDEFGHIJKL",
        "Sid": "RunEmrStepsAsRuntimeRole1",
    }
    assert by_sid["RunEmrSteps"]["Resource"] == f"{cluster}j-2ABCDEFGHIJKL"
    assert by_sid["RunEmrSteps"]["Condition"] == {
        "Null": {"elasticmapreduce:ExecutionRoleArn": "true"}
    }
    passed = [s["Resource"] for s in resolved["Statement"] if s["Action"] == "iam:PassRole"]
    assert all("EmrRuntimeRole" not in json.dumps(resource) for resource in passed)
    assert "CreateEmrClusters" not in by_sid
    # Literal clusters: neither warning of clusters known only at run time.
    for warning in ("open-emr-cluster", "emr-step-creates-cluster"):
        assert _texts_of_warning(stack, f"cdk-sagemaker-pipelines:{warning}") == []


def test_fails_an_emr_runtime_role_known_only_at_run_time():
    emr = json.loads((SDK_GENERATED / "emr-runtime-role.json").read_text(encoding="utf-8"))
    emr["Parameters"].append({"Name": "RuntimeRole", "Type": "String"})
    emr["Steps"][0]["Arguments"]["ExecutionRoleArn"] = {"Get": "Parameters.RuntimeRole"}
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Emr", definition=emr)
    (problem,) = raised.value.problems
    assert (problem.step, problem.field) == ("SparkOnEmr", "Arguments.ExecutionRoleArn")
    assert "elasticmapreduce:ExecutionRoleArn" in problem.message


def test_an_emr_step_creating_its_cluster_may_create_and_terminate_it_and_is_warned():
    # Accepted by the validator and granted nothing before: RunJobFlow, TerminateJobFlows,
    # the cluster status rule and the service role's iam:PassRole were all missing.
    emr = json.loads((SDK_GENERATED / "emr-runtime-role.json").read_text(encoding="utf-8"))
    arguments = emr["Steps"][0]["Arguments"]
    del arguments["ClusterId"], arguments["ExecutionRoleArn"]
    emr["Parameters"] = []
    arguments["ClusterConfig"] = {
        "ReleaseLabel": "emr-6.6.0",
        "Instances": {"InstanceGroups": []},
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
    }
    stack = new_stack()
    pipeline = Pipeline(stack, "Emr", definition=emr)
    Annotations.from_stack(stack).has_warning(
        "/Test/Emr",
        Match.string_like_regexp(
            r"^EMR step\(s\) 'SparkOnEmr' create their own cluster .* step 'SparkOnEmr' field "
            r"'Arguments\.ClusterConfig\.JobFlowRole' \('EMR_EC2_DefaultRole'\).*"
            r"\[ack: cdk-sagemaker-pipelines:emr-step-creates-cluster\]$"
        ),
    )
    assert pipeline.role_policy is not None
    resolved = cdk.Stack.of(pipeline).resolve(pipeline.role_policy.document.to_json())
    by_sid = {s["Sid"]: s for s in resolved["Statement"]}
    any_cluster = "arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/*"
    assert by_sid["CreateEmrClusters"]["Action"] == "elasticmapreduce:RunJobFlow"
    assert by_sid["CreateEmrClusters"]["Resource"] == "*"
    assert by_sid["TerminateEmrClusters"]["Resource"] == any_cluster
    assert by_sid["RunEmrSteps"]["Resource"] == any_cluster
    rules = "arn:aws:events:us-east-1:111122223333:rule/SageMakerPipelineExecutionEMR"
    assert by_sid["WatchEmrStatusChanges"]["Resource"] == [
        f"{rules}StepStatusUpdateRule",
        f"{rules}ClusterStatusUpdateRule",
        f"{rules}ClusterStatusRule",  # as the SageMaker guide spells it
    ]
    assert by_sid["PassClusterRolesToEmr"] == {
        "Action": "iam:PassRole",
        # EMR's commercial and China names (see test_passes_emr_roles_under_its_china_name_too)
        "Condition": {
            "StringEquals": {
                "iam:PassedToService": [
                    "elasticmapreduce.amazonaws.com",
                    "elasticmapreduce.amazonaws.com.cn",
                ]
            }
        },
        "Effect": "Allow",
        "Resource": [
            "arn:aws:iam::111122223333:role/EMR_DefaultRole",
            "arn:aws:iam::111122223333:role/*/EMR_DefaultRole",
        ],
        "Sid": "PassClusterRolesToEmr",
    }


def test_passes_emr_roles_under_its_china_name_too():
    # AWS's AmazonEMRFullAccessPolicy_v2 passes EMR's service role under StringLike
    # "elasticmapreduce.amazonaws.com*" and names the service "elasticmapreduce.amazonaws.com"
    # and "elasticmapreduce.amazonaws.com.cn" (EMR management guide, "IAM managed policy for
    # full access (v2 managed default policy)"); in China, EMR cluster roles trusting the
    # commercial name alone failed (aws/aws-cdk#19867). A StringEquals of the commercial name
    # alone could refuse the PassRole there.
    stack = new_stack(account="111122223333", region="cn-north-1")
    pipeline = Pipeline(stack, "Emr", definition=_emr_creating_its_cluster("EMR_DefaultRole"))
    assert pipeline.role_policy is not None
    resolved = cdk.Stack.of(pipeline).resolve(pipeline.role_policy.document.to_json())
    by_sid = {s["Sid"]: s for s in resolved["Statement"]}
    passed = by_sid["PassClusterRolesToEmr"]
    assert passed["Condition"] == {
        "StringEquals": {
            "iam:PassedToService": [
                "elasticmapreduce.amazonaws.com",
                "elasticmapreduce.amazonaws.com.cn",
            ]
        }
    }
    assert passed["Resource"] == [
        "arn:aws-cn:iam::111122223333:role/EMR_DefaultRole",
        "arn:aws-cn:iam::111122223333:role/*/EMR_DefaultRole",
    ]


def _emr_creating_its_cluster(service_role: Any) -> dict[str, Any]:
    emr: dict[str, Any] = json.loads(
        (SDK_GENERATED / "emr-runtime-role.json").read_text(encoding="utf-8")
    )
    arguments = emr["Steps"][0]["Arguments"]
    del arguments["ClusterId"], arguments["ExecutionRoleArn"]
    emr["Parameters"] = [{"Name": "ServiceRole", "Type": "String", "DefaultValue": "EMR"}]
    arguments["ClusterConfig"] = {
        "ReleaseLabel": "emr-6.6.0",
        "Instances": {
            "InstanceGroups": [
                {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}
            ]
        },
        "ServiceRole": service_role,
    }
    return emr


@pytest.mark.parametrize("l1", [False, True], ids=["role_name", "cfn-role-ref"])
def test_an_emr_service_role_given_by_its_cdk_name_is_passed_by_its_arn(l1: bool):
    # RunJobFlow takes the service role by name; role.role_name in iam:PassRole's Resource
    # was not an ARN, so IAM would have rejected the policy at deploy time. The L1 role's
    # ref is its name too.
    stack = new_stack()
    service_role = iam.Role(
        stack, "EmrService", assumed_by=iam.ServicePrincipal("elasticmapreduce.amazonaws.com")
    )
    cfn_role = service_role.node.default_child
    assert isinstance(cfn_role, iam.CfnRole)
    name = cfn_role.ref if l1 else service_role.role_name
    pipeline = Pipeline(stack, "Emr", definition=_emr_creating_its_cluster(name))
    assert pipeline.role_policy is not None
    resolved = cdk.Stack.of(pipeline).resolve(pipeline.role_policy.document.to_json())
    by_sid = {s["Sid"]: s for s in resolved["Statement"]}
    assert by_sid["PassClusterRolesToEmr"]["Resource"] == {
        "Fn::GetAtt": [logical_id(service_role), "Arn"]
    }


def test_an_emr_service_role_given_by_its_cdk_arn_is_passed_as_is():
    stack = new_stack()
    service_role = iam.Role(
        stack, "EmrService", assumed_by=iam.ServicePrincipal("elasticmapreduce.amazonaws.com")
    )
    pipeline = Pipeline(stack, "Emr", definition=_emr_creating_its_cluster(service_role.role_arn))
    assert pipeline.role_policy is not None
    resolved = cdk.Stack.of(pipeline).resolve(pipeline.role_policy.document.to_json())
    by_sid = {s["Sid"]: s for s in resolved["Statement"]}
    assert by_sid["PassClusterRolesToEmr"]["Resource"] == {
        "Fn::GetAtt": [logical_id(service_role), "Arn"]
    }


def test_fails_an_emr_service_role_known_only_at_run_time_with_an_emr_hint():
    # The generic role hint said "leave it to the construct's step role", a SageMaker role
    # that can't be an EMR cluster's service role.
    definition = _emr_creating_its_cluster({"Get": "Parameters.ServiceRole"})
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Emr", definition=definition)
    (problem,) = raised.value.problems
    assert (problem.step, problem.field) == ("SparkOnEmr", "Arguments.ClusterConfig.ServiceRole")
    assert problem.message.startswith("an EMR service role known only at run time")
    assert problem.hint is not None
    assert "step role" not in problem.hint


def test_steps_whose_permissions_are_derived_are_not_warned():
    stack = new_stack()
    Pipeline(stack, "Training", definition=literal_definition(), pipeline_name=NAME)
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("no permissions"))


def test_fails_parameter_locations_of_undeclared_parameters_or_of_the_wrong_type():
    key = ParameterString(name="InputDataKey", default_value="curated/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data/", key])},
    )
    definition = PipelineDefinition(parameters=[key], steps=[prep])
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=definition,
            parameter_locations={"InputKey": "curated/*"},
        )
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n- prop 'parameter_locations': names "
        "parameter 'InputKey', which the definition doesn't declare (declared: InputDataKey) "
        "(did you mean 'InputDataKey'?)"
    )
    with pytest.raises(PipelineValidationError, match=r"'InputDataKey': expected an S3 pattern"):
        Pipeline(
            new_stack(),
            "Training",
            definition=definition,
            parameter_locations={"InputDataKey": 5},  # type: ignore[dict-item]
        )
    with pytest.raises(
        PipelineValidationError,
        match=r"prop 'parameter_locations': expected a dict of parameter name to patterns, got ",
    ):
        Pipeline(
            new_stack(),
            "Training",
            definition=definition,
            parameter_locations=["InputDataKey"],  # type: ignore[arg-type]
        )


def _key_and_uri_parameters() -> PipelineDefinition:
    """InputDataKey fills the key of s3://data-bucket/…; InputUri is a whole location."""
    key = ParameterString(name="InputDataKey", default_value="curated/")
    uri = ParameterString(name="InputUri", default_value="s3://data-bucket/curated/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", "data-bucket", "/", key]), "more": uri},
    )
    return PipelineDefinition(parameters=[key, uri], steps=[prep])


def test_fails_a_uri_for_a_parameter_that_fills_the_key_of_a_location():
    # It would be granted as data-bucket/s3://other/curated/*, which no request matches.
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=_key_and_uri_parameters(),
            parameter_locations={
                "InputDataKey": ["curated/*", "s3://other/curated/*"],
                "InputUri": "s3://data-bucket/curated/*",
            },
        )
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n- prop 'parameter_locations': "
        "'InputDataKey': 's3://other/curated/*' is a whole S3 URI, but step 'Prep' field "
        "'Arguments.ProcessingInputs[0].S3Input.S3Uri' joins InputDataKey into a location as the "
        "key after 's3://<bucket>/': the step role would be granted "
        "'data-bucket/s3://other/curated/*', which no request matches (give only the key it "
        "fills, e.g. 'curated/*'; the definition sets the bucket: 'data-bucket', not 'other')"
    )


def test_fails_a_key_pattern_for_a_parameter_that_is_a_whole_location():
    # The planner would leave the location unattributed: no access, and only a warning.
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=_key_and_uri_parameters(),
            parameter_locations={
                "InputDataKey": "curated/*",
                "InputUri": ["s3://data-bucket/curated/*", "incoming/*"],
            },
        )
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n- prop 'parameter_locations': "
        "'InputUri': 'incoming/*' is not an S3 URI with a bucket name, but step 'Prep' field "
        "'Arguments.ProcessingInputs[1].S3Input.S3Uri' uses InputUri as a whole S3 location, so "
        "its patterns must be URIs (write the URIs it may take, e.g. "
        "'s3://<bucket>/incoming/*')"
    )


def test_fails_a_uri_for_a_parameter_that_fills_the_bucket_of_a_location():
    bucket = ParameterString(name="InputBucket", default_value="data-bucket")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", bucket, "/curated/"])},
    )
    with pytest.raises(PipelineValidationError, match=r"'InputBucket': 's3://data-bucket' is a "):
        Pipeline(
            new_stack(),
            "Training",
            definition=PipelineDefinition(parameters=[bucket], steps=[prep]),
            parameter_locations={"InputBucket": "s3://data-bucket"},
        )


def test_uri_and_key_patterns_that_fit_their_parameters_are_granted():
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=_key_and_uri_parameters(),
        parameter_locations={
            "InputDataKey": ["curated/*", "incoming/*"],
            "InputUri": ["s3://data-bucket/curated/*", "s3://shared/landing/*"],
        },
    )
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    granted = json.dumps(found)
    assert "s3://" not in granted
    assert "shared/landing/*" in granted
    assert "data-bucket/incoming/*" in granted


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"enable_network_isolation": "yes"},
            "- prop 'enable_network_isolation': expected True or False, got str 'yes' (write True)",
        ),
        (
            {"encrypt_inter_container_traffic": "no"},
            "- prop 'encrypt_inter_container_traffic': expected True or False, got "
            "str 'no' (write False)",
        ),
        (
            {"enable_network_isolation": None},
            "- prop 'enable_network_isolation': expected True or False, got None",
        ),
    ],
)
def test_fails_network_flags_that_are_not_bools(props: dict[str, Any], message: str):
    # Any of these would have been taken as a flag: "no" switches encryption on.
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=prep_and_train(), **props)
    assert str(raised.value) == f"Pipeline Test/Training has 1 problem:\n{message}"


def test_fails_parameter_locations_that_leave_out_the_default_value():
    # A run with the default (every scheduled run without parameters) would get AccessDenied.
    key = ParameterString(name="InputDataKey", default_value="curated/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://data/", key])},
    )
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=PipelineDefinition(parameters=[key], steps=[prep]),
            parameter_locations={"InputDataKey": "incoming/*"},
        )
    assert str(raised.value) == (
        "Pipeline Test/Training has 1 problem:\n- prop 'parameter_locations': "
        "'InputDataKey': its default value 'curated/' is outside the declared locations "
        "(incoming/*), so the step role may not access it and a run with the default fails "
        "(add a pattern that matches 'curated/')"
    )


def test_a_question_mark_in_a_declared_location_stands_for_one_character():
    # As in IAM: "day-?/*" grants day-1/… but not day-10/…, so a default of day-10/ would be
    # denied at run time.
    def pipeline(default: str) -> None:
        key = ParameterString(name="InputDataKey", default_value=default)
        prep = ProcessingStep(
            name="Prep",
            image=Image.sklearn("1.2-1"),
            inputs={"raw": Join(on="", values=["s3://data/", key])},
        )
        Pipeline(
            new_stack(),
            "Training",
            definition=PipelineDefinition(parameters=[key], steps=[prep]),
            parameter_locations={"InputDataKey": "day-?/*"},
        )

    pipeline("day-1/")
    with pytest.raises(
        PipelineValidationError,
        match=r"'InputDataKey': its default value 'day-10/' is outside the declared locations "
        r"\(day-\?/\*\)",
    ):
        pipeline("day-10/")


def test_a_default_is_not_judged_against_locations_only_known_at_deploy_time():
    # The bucket's name is a token: it may well be the default's bucket.
    stack = new_stack()
    data = s3.Bucket(stack, "Data", bucket_name="team-data")
    uri = ParameterString(name="InputData", default_value="s3://team-data/curated/x.csv")
    prep = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), inputs={"raw": uri})
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(parameters=[uri], steps=[prep]),
        parameter_locations={"InputData": f"s3://{data.bucket_name}/curated/*"},
    )


def test_declared_parameter_locations_are_granted_exactly_and_not_warned():
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=_parameterized_input(),
        parameter_locations={"InputDataKey": ["curated/*", "incoming/*"]},
    )
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("step role gets"))
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    assert found["ReadDataInDataBucket"] == {
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Effect": "Allow",
        "Resource": [s3_arn("data-bucket/curated/*"), s3_arn("data-bucket/incoming/*")],
        "Sid": "ReadDataInDataBucket",
    }
    assert found["ListDataInDataBucket"] == {
        "Action": "s3:ListBucket",
        "Condition": {"StringLike": {"s3:prefix": ["curated/*", "incoming/*"]}},
        "Effect": "Allow",
        "Resource": s3_arn("data-bucket"),
        "Sid": "ListDataInDataBucket",
    }


# -- tags and self-approval ----------------------------------------------------------------


def test_tags_go_on_the_pipeline_and_everything_it_creates(configured: Built):
    tags = [{"Key": "project", "Value": "churn"}, {"Key": "team", "Value": "ml"}]
    assert configured.cfn["Properties"]["Tags"] == tags
    default_stack = new_stack()
    Pipeline(default_stack, "Training", definition=prep_and_train(), tags={"project": "churn"})
    template = Template.from_stack(default_stack)
    for kind in ("AWS::IAM::Role", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::SageMaker::Pipeline"):
        for found in template.find_resources(kind).values():
            assert found["Properties"]["Tags"] == [{"Key": "project", "Value": "churn"}], kind


JOB_TAGS = {"cost-centre": "CC-1234", "team": "ml"}
TEAM_FRAUD = [{"Key": "team", "Value": "fraud"}]


def test_job_tags_go_on_every_job_the_pipeline_starts_and_a_steps_own_tag_wins():
    stack = new_stack()
    definition = every_job_step_type(own_tags=TEAM_FRAUD)
    pipeline = Pipeline(stack, "Training", definition=definition, job_tags=JOB_TAGS)
    found = all_steps_by_name(definition_of(Template.from_stack(stack)))
    pipeline_tags = [{"Key": "cost-centre", "Value": "CC-1234"}, {"Key": "team", "Value": "ml"}]
    for name in ("Prep", "Tune", "Score", "Auto", "Quality", "Bias", "Again", "Otherwise"):
        assert found[name]["Arguments"]["Tags"] == pipeline_tags, name
    assert found["Train"]["Arguments"]["Tags"] == [
        {"Key": "team", "Value": "fraud"},
        {"Key": "cost-centre", "Value": "CC-1234"},
    ]
    # A model is tagged as it is created (an SCP may require tags on CreateModel); a model
    # version takes its group's tags, which may be another account's group's.
    assert found["Model"]["Arguments"]["Tags"] == pipeline_tags
    assert "Tags" not in found["Register"]["Arguments"]
    # The pipeline role, which makes the Create* calls, may tag each kind of job, under no
    # request condition (a condition on tags would have to know SageMaker's own tags too).
    template = Template.from_stack(stack)
    tagging = statements(template, pipeline.role_policy)["TagPipelineResources"]
    assert tagging["Action"] == "sagemaker:AddTags"
    assert "Condition" not in tagging
    tagged = json.dumps(tagging["Resource"])
    for resource_type in (
        "processing-job/pipelines-*",
        "training-job/pipelines-*",
        "hyper-parameter-tuning-job/*",
        "transform-job/pipelines-*",
        "automl-job/*",
        "model/pipelines-*",
    ):
        assert f":{resource_type}" in tagged, resource_type


def test_without_job_tags_no_job_gets_tags():
    stack = new_stack()
    Pipeline(stack, "Training", definition=every_job_step_type(own_tags=TEAM_FRAUD))
    found = all_steps_by_name(definition_of(Template.from_stack(stack)))
    assert "Tags" not in found["Prep"]["Arguments"]
    assert found["Train"]["Arguments"]["Tags"] == [{"Key": "team", "Value": "fraud"}]


def test_job_tags_go_on_the_jobs_of_a_definition_json_branches_included():
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
        outputs=["train"],
        volume_kms_key="arn:aws:kms:us-east-1:111122223333:key/volume-key",
        output_kms_key="arn:aws:kms:us-east-1:111122223333:key/output-key",
        extra_arguments={"Tags": [{"Key": "cost-centre", "Value": "CC-9"}]},
    )
    branch = ProcessingStep(
        name="Again",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
        volume_kms_key="arn:aws:kms:us-east-1:111122223333:key/volume-key",
    )
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=ParameterString("Mode", default_value="a"), right="a")],
        if_steps=[branch],
    )
    binder = StaticBinder(region=REGION, role_arn=ROLE, default_bucket="out-bucket")
    body = PipelineDefinition(
        parameters=[ParameterString("Mode", default_value="a")], steps=[prep, check]
    ).to_definition(binder)
    stack = new_stack()
    Pipeline(stack, "Training", definition=body, job_tags={"team": "ml"})
    found = steps_by_name(definition_of(Template.from_stack(stack)))
    assert found["Prep"]["Arguments"]["Tags"] == [
        {"Key": "cost-centre", "Value": "CC-9"},
        {"Key": "team", "Value": "ml"},
    ]
    assert found["Again"]["Arguments"]["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_fails_a_job_whose_own_tags_and_the_job_tags_pass_fifty_naming_the_step():
    own = [{"Key": f"own{index}", "Value": "x"} for index in range(49)]
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            new_stack(),
            "Training",
            definition=every_job_step_type(own_tags=own),
            job_tags=JOB_TAGS,
        )
    assert "step 'Train' field 'Arguments.Tags'" in str(raised.value)
    assert "has 51 items, more than the maximum 50" in str(raised.value)


def test_fails_a_definition_json_whose_own_tags_and_the_job_tags_pass_fifty():
    # The job tags go on before the definition is validated: the limit is the job's.
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
        volume_kms_key="arn:aws:kms:us-east-1:111122223333:key/volume-key",
        extra_arguments={"Tags": [{"Key": f"own{index}", "Value": "x"} for index in range(49)]},
    )
    binder = StaticBinder(region=REGION, role_arn=ROLE, default_bucket="out-bucket")
    body = PipelineDefinition(steps=[prep]).to_definition(binder)
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=body, job_tags=JOB_TAGS)
    assert "step 'Prep' field 'Arguments.Tags'" in str(raised.value)
    assert "has 51 items, more than the maximum 50" in str(raised.value)


def _register(status: Any, parameters: list[Any] | None = None) -> PipelineDefinition:
    step = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
        approval_status=status,
    )
    return PipelineDefinition(parameters=parameters or [], steps=[step])


def test_fails_a_pipeline_that_approves_its_own_models():
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=_register("Approved"))
    message = str(raised.value)
    assert message.startswith("Pipeline Test/Training has 1 problem:")
    assert "step 'Register' field 'Arguments.ModelApprovalStatus'" in message
    assert "register its model as 'Approved'" in message
    assert "ModelRegistry.grant_approve" in message


def test_fails_a_registration_without_approval_status():
    # A definition JSON (the SDK's, say) may leave the status out: the service would register
    # the version pending approval, but IAM's condition on the pipeline role finds no status
    # in the request and denies it, so every run would fail at the Register step.
    definition = copy.deepcopy(
        Pipeline(new_stack(), "Source", definition=_register("PendingManualApproval")).definition
    )
    (register,) = [step for step in definition["Steps"] if step["Name"] == "Register"]
    del register["Arguments"]["ModelApprovalStatus"]
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=definition)
    assert raised.value.problems == (
        Problem(
            "Register",
            "Arguments.ModelApprovalStatus",
            "missing: the pipeline role may only register PendingManualApproval versions "
            "(IAM condition sagemaker:ModelApprovalStatus), and a request without the field "
            "is denied",
            'set "ModelApprovalStatus": "PendingManualApproval"',
        ),
    )


def test_fails_an_approval_parameter_that_defaults_to_approved():
    status = ParameterString(name="ApprovalStatus", default_value="Approved")
    with pytest.raises(PipelineValidationError, match=r"step 'Register' .* as 'Approved'"):
        Pipeline(new_stack(), "Training", definition=_register(status, [status]))


def test_fails_an_approval_parameter_that_a_run_may_set_to_approved():
    # The SDK examples' ModelApprovalStatus parameter, with the statuses as its enum: a run
    # given Approved or Rejected would fail at the Register step with AccessDenied.
    status = ParameterString(
        name="ModelApprovalStatus",
        default_value="PendingManualApproval",
        enum_values=["PendingManualApproval", "Approved", "Rejected"],
    )
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Training", definition=_register(status, [status]))
    assert raised.value.problems == (
        Problem(
            "Register",
            "Arguments.ModelApprovalStatus",
            "parameter 'ModelApprovalStatus' may be 'Approved' or 'Rejected' (its EnumValues), "
            "but the pipeline role may only register PendingManualApproval versions: a run "
            "given that value fails here",
            "keep only 'PendingManualApproval' in its EnumValues, and approve versions outside "
            "the pipeline (ModelRegistry.grant_approve)",
        ),
    )


def test_an_approval_parameter_defaulting_to_pending_is_accepted():
    status = ParameterString(name="ApprovalStatus", default_value="PendingManualApproval")
    pipeline = Pipeline(new_stack(), "Training", definition=_register(status, [status]))
    assert pipeline.plan.approval_statuses == [("Register", {"Get": "Parameters.ApprovalStatus"})]


# -- grants ------------------------------------------------------------------------------


class Named:
    """The pipeline named NAME, granted to four roles and watched by six rules.

    Grants and rules add disjoint resources (each role's policy, each rule): every test reads
    only its own, so one synthesis serves the grant, metric and event tests.
    """

    def __init__(self) -> None:
        stack = new_stack()
        self.pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)
        self.roles = {
            name: iam.Role(stack, name, assumed_by=iam.AccountRootPrincipal())
            for name in ("Start", "Stop", "Read", "Complete")
        }
        self.pipeline.grant_start_pipeline_execution(self.roles["Start"])
        self.pipeline.grant_stop_pipeline_execution(self.roles["Stop"])
        self.pipeline.grant_read(self.roles["Read"])
        self.pipeline.grant_complete_callback_steps(self.roles["Complete"])
        pipeline = self.pipeline
        self.rules: dict[str, events.Rule] = {
            "any": pipeline.on_event("Any", description="anything"),
            "status": pipeline.on_execution_status_change("Status"),
            "some": pipeline.on_execution_status_change("Some", statuses=["Succeeded", "Stopped"]),
            "failed": pipeline.on_execution_failed("Failed"),
            "steps": pipeline.on_step_status_change("Steps"),
            "train": pipeline.on_step_status_change(
                "Train", statuses=["Failed"], step_names=["Train", "Prep"]
            ),
        }
        self.template = Template.from_stack(stack)


@pytest.fixture(scope="module")
def named_built() -> Named:
    return Named()


@pytest.fixture(scope="module")
def granted(named_built: Named) -> tuple[Template, dict[str, iam.Role]]:
    return named_built.template, named_built.roles


def test_grant_start_pipeline_execution(granted):
    template, roles = granted
    assert grantee_statements(template, roles["Start"]) == [
        {"Action": "sagemaker:StartPipelineExecution", "Effect": "Allow", "Resource": ARN}
    ]


def test_grant_stop_pipeline_execution(granted):
    template, roles = granted
    assert grantee_statements(template, roles["Stop"]) == [
        {
            "Action": ["sagemaker:RetryPipelineExecution", "sagemaker:StopPipelineExecution"],
            "Effect": "Allow",
            "Resource": f"{ARN}/execution/*",
        }
    ]


def test_grant_read(granted):
    template, roles = granted
    assert grantee_statements(template, roles["Read"]) == [
        {
            "Action": [
                "sagemaker:DescribePipeline",
                "sagemaker:DescribePipelineDefinitionForExecution",
                "sagemaker:DescribePipelineExecution",
                "sagemaker:ListPipelineExecutionSteps",
                "sagemaker:ListPipelineExecutions",
                "sagemaker:ListPipelineParametersForExecution",
            ],
            "Effect": "Allow",
            "Resource": [ARN, f"{ARN}/execution/*"],
        }
    ]


def test_grant_complete_callback_steps_allows_this_pipelines_executions_only(granted):
    # The Service Authorization Reference gives both actions the pipeline-execution
    # resource type: the grant names this pipeline's executions, not "*".
    template, roles = granted
    assert grantee_statements(template, roles["Complete"]) == [
        {
            "Action": [
                "sagemaker:SendPipelineExecutionStepFailure",
                "sagemaker:SendPipelineExecutionStepSuccess",
            ],
            "Effect": "Allow",
            "Resource": f"{ARN}/execution/*",
        }
    ]


def test_a_grant_returns_an_iam_grant_for_the_grantee():
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train())
    role = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    grant = pipeline.grant_start_pipeline_execution(role)
    assert isinstance(grant, iam.Grant)
    assert grant.success


@pytest.mark.parametrize(
    "grant",
    [
        "grant_start_pipeline_execution",
        "grant_stop_pipeline_execution",
        "grant_read",
        "grant_complete_callback_steps",
    ],
)
def test_fails_grants_to_something_that_is_not_a_grantable(untouched: Pipeline, grant: str):
    # A role ARN used to fail deep in jsii ("Unable to deserialize value as GrantOnPrincipal…").
    with pytest.raises(PipelineDefinitionError) as raised:
        getattr(untouched, grant)("arn:aws:iam::111122223333:role/ci")
    assert str(raised.value) == (
        f"Pipeline Test/Training.{grant} has 1 problem:\n- prop 'grantee': expected an "
        "iam.IGrantable, got str 'arn:aws:iam::111122223333:role/ci' (a role or user; for an "
        "existing role, iam.Role.from_role_arn(self, 'Role', arn))"
    )


@pytest.mark.parametrize(
    "grant",
    [
        "grant_start_pipeline_execution",
        "grant_stop_pipeline_execution",
        "grant_read",
        "grant_complete_callback_steps",
    ],
)
def test_fails_grants_to_a_role_of_another_app(untouched: Pipeline, grant: str):
    role = iam.Role(new_stack(), "Ci", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(PipelineDefinitionError, match=r"prop 'grantee': Role Test/Ci belongs to "):
        getattr(untouched, grant)(role)


# -- metrics -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def named(named_built: Named) -> Pipeline:
    return named_built.pipeline


@pytest.mark.parametrize(
    ("method", "metric_name", "statistic"),
    [
        ("metric_execution_started", "ExecutionStarted", "Sum"),
        ("metric_execution_failed", "ExecutionFailed", "Sum"),
        ("metric_execution_succeeded", "ExecutionSucceeded", "Sum"),
        ("metric_execution_stopped", "ExecutionStopped", "Sum"),
        ("metric_execution_duration", "ExecutionDuration", "Average"),
    ],
)
def test_execution_metrics(named: Pipeline, method: str, metric_name: str, statistic: str):
    metric = getattr(named, method)()
    assert metric.namespace == METRICS_NAMESPACE
    assert metric.metric_name == metric_name
    assert dict(metric.dimensions or {}) == {"PipelineName": NAME}
    assert metric.statistic == statistic
    assert metric.period.to_seconds() == 300


def test_step_metric_has_the_step_name_dimension(named: Pipeline):
    metric = named.metric_step_failed("Train")
    assert (metric.metric_name, metric.statistic) == ("StepFailed", "Sum")
    assert dict(metric.dimensions or {}) == {"PipelineName": NAME, "StepName": "Train"}


def test_metric_options_override_the_defaults(named: Pipeline):
    metric = named.metric_execution_failed(statistic="Maximum", period=cdk.Duration.minutes(1))
    assert (metric.statistic, metric.period.to_seconds()) == ("Maximum", 60)
    duration = named.metric("StepDuration", step_name="Train", statistic="p90", label="Train")
    assert duration.metric_name == "StepDuration"
    assert dict(duration.dimensions or {}) == {"PipelineName": NAME, "StepName": "Train"}
    assert (duration.statistic, duration.label) == ("p90", "Train")


# -- events ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules(named_built: Named) -> dict[str, Any]:
    return {
        key: resource(named_built.template, logical_id(rule))["Properties"]
        for key, rule in named_built.rules.items()
    }


def test_on_event_fixes_source_and_the_pipeline_arn(rules):
    assert rules["any"] == {
        "Description": "anything",
        "EventPattern": {"resources": [ARN], "source": ["aws.sagemaker"]},
        "State": "ENABLED",
    }


def test_on_execution_status_change(rules):
    assert rules["status"]["EventPattern"] == {
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }
    assert rules["some"]["EventPattern"] == {
        "detail": {"currentPipelineExecutionStatus": ["Succeeded", "Stopped"]},
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }


def test_on_execution_failed(rules):
    assert rules["failed"]["EventPattern"] == {
        "detail": {"currentPipelineExecutionStatus": ["Failed"]},
        "detail-type": [EXECUTION_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }


def test_on_step_status_change(rules):
    assert rules["steps"]["EventPattern"] == {
        "detail-type": [STEP_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }
    assert rules["train"]["EventPattern"] == {
        "detail": {"currentStepStatus": ["Failed"], "stepName": ["Train", "Prep"]},
        "detail-type": [STEP_STATUS_CHANGE],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p: p.on_execution_status_change("Failed", statuses="Failed"),
            r"prop 'statuses': expected a list of strings, got str 'Failed' \(write \['Failed'\]\)",
        ),
        (
            lambda p: p.on_execution_status_change("Failed", statuses=["Failure"]),
            r"prop 'statuses': 'Failure' is not one of Executing, .* \(did you mean 'Failed'\?\)",
        ),
        (
            lambda p: p.on_step_status_change("Train", statuses=["Completed"]),
            r"prop 'statuses': 'Completed' is not one of Starting, ",
        ),
        (
            lambda p: p.on_step_status_change("Train", step_names=["Training"]),
            r"prop 'step_names': 'Training' is not one of Prep, Train \(did you mean 'Train'",
        ),
        (
            # Left out of the pattern, an empty list would match every status or step.
            lambda p: p.on_execution_status_change("Failed", statuses=[]),
            r"prop 'statuses': expected at least one of Executing, .*, got an empty list",
        ),
        (
            lambda p: p.on_step_status_change("Train", statuses=[]),
            r"prop 'statuses': expected at least one of Starting, .*, got an empty list",
        ),
        (
            lambda p: p.on_step_status_change("Train", step_names=[]),
            r"prop 'step_names': expected at least one step name, got an empty list \(leave "
            r"step_names out to match every step\)",
        ),
        # These used to fail in jsii (a target that is none, a wrong type) or at synth.
        (
            lambda p: p.on_event("Any", target="arn:aws:sns:us-east-1:111122223333:alerts"),
            r"prop 'target': expected an events.IRuleTarget, got str 'arn:aws:sns:us-east-1:",
        ),
        (
            lambda p: p.on_execution_failed("Failed", description=5),
            r"prop 'description': expected a string, got int 5",
        ),
        (
            lambda p: p.on_execution_status_change("Failed", description="d" * 513),
            r"prop 'description': 513 characters, longer than 512",
        ),
        (
            lambda p: p.on_event("Any", rule_name="churn failures"),
            r"prop 'rule_name': 'churn failures' must be 1-64 letters, digits, '.', '-' and '_'",
        ),
        (
            lambda p: p.on_step_status_change("Resource"),
            r"prop 'construct_id': 'Resource' is already taken in Pipeline Test/Training",
        ),
        (
            lambda p: p.on_event("Any", event_pattern={"detail_type": ["x"]}),
            r"prop 'event_pattern': expected an events.EventPattern, got dict",
        ),
        (
            # Used to be dropped: the rule matched SageMaker's events all the same.
            lambda p: p.on_event("Any", event_pattern=events.EventPattern(source=["aws.s3"])),
            r"prop 'event_pattern': sets source, which on_event sets itself",
        ),
    ],
)
def test_fails_event_rules_for_statuses_or_steps_that_never_occur(
    untouched: Pipeline, call: Any, message: str
):
    with pytest.raises(PipelineDefinitionError, match=r"^Test/Training\.on_\w+\('\w+'\) has 1"):
        call(untouched)
    with pytest.raises(PipelineDefinitionError, match=message):
        call(untouched)


def test_fails_an_event_rule_with_an_id_that_is_no_string(untouched: Pipeline):
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Test/Training\.on_execution_failed\(None\) has 1 problem:\n- prop "
        r"'construct_id': expected a non-empty string, got None$",
    ):
        untouched.on_execution_failed(None)  # type: ignore[arg-type]


def test_on_event_keeps_the_account_and_region_of_the_pattern():
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)
    rule = pipeline.on_event(
        "Here",
        event_pattern=events.EventPattern(
            source=["aws.sagemaker"], account=[ACCOUNT], region=[REGION], detail_type=["x"]
        ),
    )
    pattern = stack.resolve(cast(events.CfnRule, rule.node.default_child).event_pattern)
    assert pattern == {
        "account": [ACCOUNT],
        "detail-type": ["x"],
        "region": [REGION],
        "resources": [ARN],
        "source": ["aws.sagemaker"],
    }


def test_a_rule_for_an_imported_pipeline_of_another_region_is_warned():
    # The events stay in the pipeline's region unless its bus forwards them here.
    stack = new_stack()
    imported = Pipeline.from_pipeline_arn(
        stack, "Imported", f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:pipeline/{NAME}"
    )
    imported.on_execution_failed("Failed")
    found = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("rule-of-another-environment")
    )
    [message] = [str(entry.entry.data) for entry in found]
    assert message.startswith(
        "prop 'pipeline': imported Pipeline Test/Imported is in region eu-west-1, this "
    )
    assert "(create the rule in a stack of the pipeline's account and region, or " in message


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p: p.metric("ExecutionFailures"),
            r"prop 'metric_name': 'ExecutionFailures' is not a metric of AWS/Sagemaker/"
            r"ModelBuildingPipeline \(execution metrics: ExecutionStarted, .*\(did you mean "
            r"'ExecutionFailed' or",
        ),
        (lambda p: p.metric(None), r"prop 'metric_name': expected a string, got None"),
        (
            lambda p: p.metric("StepFailed"),
            r"prop 'step_name': StepFailed is published per step: without step_name the metric "
            r"has no data",
        ),
        (
            lambda p: p.metric_execution_failed(step_name="Train"),
            r"prop 'step_name': ExecutionFailed is published per pipeline, .* \(leave step_name "
            r"out, or use StepFailed\)",
        ),
        (
            lambda p: p.metric_step_failed("Training"),
            r"prop 'step_name': 'Training' is not a step of this pipeline \(steps: Prep, Train\) "
            r"\(did you mean 'Train'\?\)",
        ),
        (lambda p: p.metric_step_failed(5), r"prop 'step_name': expected a string, got int 5"),
        (
            lambda p: p.metric_execution_failed(perid=cdk.Duration.minutes(1)),
            r"prop 'options': perid is not among the options of cloudwatch.MetricOptions \(.*"
            r"\(did you mean 'period'\?\)",
        ),
        (
            lambda p: p.metric_execution_failed(period=60),
            r"prop 'period': expected a Duration, got int 60 \(Duration.minutes\(5\)\)",
        ),
        (
            lambda p: p.metric_execution_failed(period=cdk.Duration.seconds(30)),
            r"prop 'period': expected whole minutes, got 30 seconds \(the pipeline metrics have "
            r"one data point a minute: Duration.minutes\(1\) or more\)",
        ),
        (
            lambda p: p.metric_execution_failed(period=cdk.Duration.seconds(90)),
            r"prop 'period': expected whole minutes, got 1 minute 30 seconds",
        ),
        (
            lambda p: p.metric_execution_failed(dimensions_map=["x"]),
            r"prop 'dimensions_map': expected a dict of strings to strings, got list",
        ),
    ],
)
def test_fails_metrics_that_would_have_no_data_or_jsii_would_refuse(
    named: Pipeline, call: Any, message: str
):
    # An alarm on a metric SageMaker doesn't publish never fires; the wrong types used to
    # fail in jsii or typeguard without the pipeline.
    with pytest.raises(PipelineDefinitionError, match=r"^Test/Training\.metric\(.*\) has 1"):
        call(named)
    with pytest.raises(PipelineDefinitionError, match=message):
        call(named)


def test_metrics_of_an_imported_pipeline_take_any_step_name():
    imported = Pipeline.from_pipeline_name(new_stack(), "Imported", NAME)
    metric = imported.metric_step_failed("Anything")
    assert dict(metric.dimensions or {}) == {"PipelineName": NAME, "StepName": "Anything"}


def test_fails_imports_into_what_is_not_a_construct():
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Pipeline.from_pipeline_name 'Imported' has 1 problem:\n- prop 'scope': expected "
        r"a construct",
    ):
        Pipeline.from_pipeline_name(None, "Imported", NAME)  # type: ignore[arg-type]
    stack = new_stack()
    Pipeline.from_pipeline_arn(stack, "Imported", ARN)
    with pytest.raises(
        PipelineDefinitionError, match=r"prop 'construct_id': 'Imported' is already taken"
    ):
        Pipeline.from_pipeline_arn(stack, "Imported", ARN)


def test_on_event_adds_the_target():
    from aws_cdk import aws_events_targets as targets
    from aws_cdk import aws_sns as sns

    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train())
    topic = sns.Topic(stack, "Topic")
    pipeline.on_execution_failed("Failed", target=targets.SnsTopic(topic))
    Template.from_stack(stack).has_resource_properties(
        "AWS::Events::Rule",
        {"Targets": [Match.object_like({"Arn": {"Ref": logical_id(topic)}, "Id": "Target0"})]},
    )


# -- imports and IPipeline -----------------------------------------------------------------


def test_from_pipeline_name():
    stack = new_stack()
    imported = Pipeline.from_pipeline_name(stack, "Imported", "other-pipeline")
    assert imported.pipeline_name == "other-pipeline"
    assert imported.pipeline_arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/other-pipeline"
    assert (imported.env.account, imported.env.region) == (ACCOUNT, REGION)


def test_from_pipeline_arn_keeps_the_arns_account_and_region():
    stack = new_stack()
    arn = "arn:aws:sagemaker:eu-west-1:444455556666:pipeline/other-pipeline"
    imported = Pipeline.from_pipeline_arn(stack, "Imported", arn)
    assert imported.pipeline_name == "other-pipeline"
    assert imported.pipeline_arn == arn
    assert (imported.env.account, imported.env.region) == ("444455556666", "eu-west-1")
    role = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    imported.grant_start_pipeline_execution(role)
    assert grantee_statements(Template.from_stack(stack), role) == [
        {"Action": "sagemaker:StartPipelineExecution", "Effect": "Allow", "Resource": arn}
    ]


def test_from_pipeline_arn_accepts_a_token():
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "Arn").value_as_string
    imported = Pipeline.from_pipeline_arn(stack, "Imported", arn)
    assert stack.resolve(imported.pipeline_arn) == {"Ref": "Arn"}
    assert stack.resolve(imported.pipeline_name) == {
        "Fn::Select": [
            1,
            {"Fn::Split": ["/", {"Fn::Select": [5, {"Fn::Split": [":", {"Ref": "Arn"}]}]}]},
        ]
    }


def test_fails_from_pipeline_arn_with_another_resource_type():
    with pytest.raises(
        PipelineValidationError, match=r"prop 'pipeline_arn': .* is not a pipeline ARN"
    ):
        Pipeline.from_pipeline_arn(
            new_stack(), "Imported", "arn:aws:sagemaker:us-east-1:111122223333:model/m"
        )


@pytest.mark.parametrize(
    "arn",
    [
        "not-an-arn",
        "arn:aws:sagemaker:us-east-1:111122223333:pipeline/churn/execution/abc123",
        "arn:aws:sagemaker:us-east-1:111122223333:pipeline/",
        5,
    ],
)
def test_fails_from_pipeline_arn_with_what_is_not_a_pipeline_arn(arn: Any):
    with pytest.raises(
        PipelineValidationError,
        match=r"^Pipeline.from_pipeline_arn Test/Imported has 1 problem:\n- prop "
        r"'pipeline_arn': .* is not a pipeline ARN \(expected arn:<partition>:sagemaker:",
    ):
        Pipeline.from_pipeline_arn(new_stack(), "Imported", arn)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("churn training", r"pipeline name 'churn training' must be 1-256"),
        (f"{ARN}", r"is an ARN, not a name \(use Pipeline.from_pipeline_arn\)"),
        (None, r"prop 'pipeline_name': expected a string, got None"),
    ],
)
def test_fails_from_pipeline_name_with_an_invalid_name(name: Any, message: str):
    with pytest.raises(PipelineValidationError, match=message) as raised:
        Pipeline.from_pipeline_name(new_stack(), "Imported", name)
    assert str(raised.value).startswith("Pipeline.from_pipeline_name Test/Imported has 1")


def test_imported_pipeline_has_grants_metrics_and_events():
    stack = new_stack()
    imported = Pipeline.from_pipeline_name(stack, "Imported", "other-pipeline")
    assert dict(imported.metric_execution_failed().dimensions or {}) == {
        "PipelineName": "other-pipeline"
    }
    rule = imported.on_execution_failed("Failed")
    pattern = resource(Template.from_stack(stack), logical_id(rule))["Properties"]["EventPattern"]
    assert pattern["resources"] == [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/other-pipeline"]


MIXED_NAME = "ChurnTraining"
SERVICE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churntraining"
GIVEN_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/ChurnTraining"


@pytest.mark.parametrize("kind", ["ours", "imported by name", "imported by ARN"])
def test_a_name_with_capitals_is_lowercase_in_the_arn_and_both_spellings_are_granted(kind: str):
    # SageMaker reports the ARN of pipeline "AbalonePipeline" as ".../pipeline/abalonepipeline";
    # IAM and event patterns compare ARNs case-sensitively.
    stack = new_stack()
    pipeline: Any
    if kind == "ours":
        pipeline = Pipeline(
            stack, "Training", definition=prep_and_train(), pipeline_name=MIXED_NAME
        )
    elif kind == "imported by name":
        pipeline = Pipeline.from_pipeline_name(stack, "Training", MIXED_NAME)
    else:
        pipeline = Pipeline.from_pipeline_arn(stack, "Training", GIVEN_ARN)
    assert pipeline.pipeline_name == MIXED_NAME
    assert pipeline.pipeline_arn == (GIVEN_ARN if kind == "imported by ARN" else SERVICE_ARN)
    starter = iam.Role(stack, "Starter", assumed_by=iam.AccountRootPrincipal())
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    pipeline.grant_start_pipeline_execution(starter)
    pipeline.grant_read(reader)
    rule = pipeline.on_execution_failed("Failed")
    template = Template.from_stack(stack)
    # (minimizePolicies sorts the resources)
    assert grantee_statements(template, starter)[0]["Resource"] == sorted([SERVICE_ARN, GIVEN_ARN])
    assert grantee_statements(template, reader)[0]["Resource"] == sorted(
        [SERVICE_ARN, GIVEN_ARN, f"{SERVICE_ARN}/execution/*", f"{GIVEN_ARN}/execution/*"]
    )
    pattern = resource(template, logical_id(rule))["Properties"]["EventPattern"]
    assert pattern["resources"] == [SERVICE_ARN, GIVEN_ARN]


def test_a_lowercase_name_has_one_arn_spelling(granted):
    template, roles = granted
    assert grantee_statements(template, roles["Start"])[0]["Resource"] == ARN


def test_a_name_only_known_at_deploy_time_is_used_as_given_with_a_warning(token_named: Pipeline):
    stack = cdk.Stack.of(token_named)
    assert stack.resolve(token_named.pipeline_arn) == {
        "Fn::Join": [
            "",
            [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/", {"Ref": "Name"}],
        ]
    }
    Annotations.from_stack(stack).has_warning(
        "/Test/Training", Match.string_like_regexp("SageMaker spells pipeline ARNs")
    )


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_warning_is_acknowledged_by_its_id_on_the_construct_or_a_scope_above(when: str):
    # What docs/constructs.md's "Warnings" section tells users: Annotations.of(scope)
    # .acknowledge_warning(id, reason), before or after the construct warns, on it or on a
    # scope that holds it; a construct it doesn't hold keeps its warning.
    stack = new_stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    ours = cdk.Stack(cdk.App.of(stack), "Ours") if when == "before" else stack
    warning = "cdk-sagemaker-pipelines:pipeline-name-token"
    reason = "the Name parameter is lowercase by convention"
    if when == "before":
        cdk.Annotations.of(ours).acknowledge_warning(warning, reason)
        acknowledged = Pipeline(
            ours,
            "Training",
            definition=prep_and_train(),
            pipeline_name=cdk.CfnParameter(ours, "Name").value_as_string,
        )
        other = Pipeline(stack, "Other", definition=prep_and_train(), pipeline_name=name)
    else:
        acknowledged = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=name)
        other = Pipeline(stack, "Other", definition=prep_and_train(), pipeline_name=name + "x")
        cdk.Annotations.of(acknowledged).acknowledge_warning(warning, reason)

    def warned(pipeline: Pipeline) -> bool:
        found = Annotations.from_stack(cdk.Stack.of(pipeline)).find_warning(
            f"/{pipeline.node.path}", Match.string_like_regexp("SageMaker spells pipeline ARNs")
        )
        return bool(found)

    assert (warned(acknowledged), warned(other)) == (False, True)


@pytest.mark.parametrize("kind", ["ours", "imported"])
def test_scheduler_target_from_aws_cdk_lib_accepts_the_pipeline(kind: str):
    stack = new_stack()
    if kind == "ours":
        pipeline: Any = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name=NAME)
    else:
        pipeline = Pipeline.from_pipeline_name(stack, "Training", NAME)
    target = scheduler_targets.SageMakerStartPipelineExecution(
        pipeline,
        pipeline_parameter_list=[
            scheduler_targets.SageMakerPipelineParameter(name="InputDataKey", value="curated/")
        ],
    )
    scheduler.Schedule(
        stack,
        "Nightly",
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
        target=target,
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::Scheduler::Schedule",
        {
            "Target": Match.object_like(
                {
                    "Arn": ARN,
                    "SageMakerPipelineParameters": {
                        "PipelineParameterList": [{"Name": "InputDataKey", "Value": "curated/"}]
                    },
                }
            )
        },
    )
    # The target granted itself through our grant_start_pipeline_execution.
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "sagemaker:StartPipelineExecution",
                        "Effect": "Allow",
                        "Resource": ARN,
                    }
                ],
                "Version": "2012-10-17",
            }
        },
    )


def test_both_arn_spellings_in_an_environment_agnostic_stack():
    stack = new_stack(account=None, region=None)
    pipeline = Pipeline.from_pipeline_name(stack, "Imported", MIXED_NAME)
    role = iam.Role(stack, "Starter", assumed_by=iam.AccountRootPrincipal())
    pipeline.grant_start_pipeline_execution(role)
    resources = grantee_statements(Template.from_stack(stack), role)[0]["Resource"]
    suffixes = [arn["Fn::Join"][1][-1] for arn in resources]
    assert sorted(suffixes) == [":pipeline/ChurnTraining", ":pipeline/churntraining"]


def _cached_prep(expire_after: str, destination: str | None = None) -> PipelineDefinition:
    from cdk_sagemaker_pipelines.definition import CacheConfig, ProcessingOutput

    return PipelineDefinition(
        steps=[
            ProcessingStep(
                name="Prep",
                image=Image.sklearn("1.2-1"),
                outputs=[
                    ProcessingOutput(
                        output_name="train",
                        source="/opt/ml/processing/train",
                        destination=destination,
                    )
                ],
                cache_config=CacheConfig(expire_after=expire_after),
            )
        ]
    )


def test_fails_a_cache_without_a_time_limit_over_expiring_outputs():
    from cdk_sagemaker_pipelines.definition import CacheConfig

    stack = new_stack()
    store = ArtifactStore(stack, "Store", execution_output_retention=cdk.Duration.days(14))
    prep = _cached_prep("P1D").steps[0]
    assert isinstance(prep, ProcessingStep)
    unlimited = dataclasses.replace(prep, cache_config=CacheConfig())
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(
            stack,
            "Training",
            definition=PipelineDefinition(steps=[unlimited]),
            artifact_store=store,
        )
    (problem,) = raised.value.problems
    assert problem.field == "CacheConfig.ExpireAfter"
    assert "reuse a run without a time limit (no ExpireAfter)" in problem.message


def test_fails_a_cache_that_outlives_the_execution_outputs_it_hands_on():
    stack = new_stack()
    store = ArtifactStore(stack, "Store", execution_output_retention=cdk.Duration.days(14))
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=_cached_prep("P30D"), artifact_store=store)
    (problem,) = raised.value.problems
    assert (problem.step, problem.field, problem.argument) == (
        "Prep",
        "CacheConfig.ExpireAfter",
        "cache_config",
    )
    assert "outputs train under executions/ are deleted after 14 days" in problem.message
    assert str(problem.hint).startswith("cache for at most P14D")


@pytest.mark.parametrize(
    ("expire_after", "destination"),
    [("P14D", None), ("PT12H", None), ("P30D", "s3://my-bucket/prep/train")],
)
def test_a_cache_within_the_retention_or_with_explicit_destinations_is_accepted(
    expire_after: str, destination: str | None
):
    stack = new_stack()
    store = ArtifactStore(stack, "Store", execution_output_retention=cdk.Duration.days(14))
    definition = _cached_prep(expire_after, destination)
    Pipeline(stack, "Training", definition=definition, artifact_store=store)


def test_a_cached_step_whose_outputs_a_registered_version_keeps_is_accepted():
    from cdk_sagemaker_pipelines.definition import MetricsSource, ModelMetrics

    prep = _cached_prep("P30D").steps[0]
    assert isinstance(prep, ProcessingStep)
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/model.tar.gz",
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[prep.output("train"), "statistics.json"])
            )
        ),
    )
    stack = new_stack()
    store = ArtifactStore(stack, "Store", execution_output_retention=cdk.Duration.days(14))
    # The registered version keeps the output (models/), so the cache can't outlive it.
    Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[register]), artifact_store=store
    )


# -- JsonGet(s3_uri=…): the service reads the file with the pipeline role -----------------


def _json_get_check(uri: Any) -> PipelineDefinition:
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=JsonGet(s3_uri=uri, json_path="passed"), right=True)],
        if_steps=[FailStep(name="Stop", error_message="passed")],
    )
    return PipelineDefinition(steps=[check], parameters=[uri] if isinstance(uri, Parameter) else [])


def test_the_pipeline_role_reads_the_json_file_of_a_json_get():
    stack = new_stack()
    pipeline = Pipeline(
        stack, "Training", definition=_json_get_check("s3://reports-bucket/gate/latest.json")
    )
    # Annotations first: it synthesizes anew, and the Template then reuses that assembly.
    annotations = Annotations.from_stack(stack)
    template = Template.from_stack(stack)
    assert pipeline.role_policy is not None
    found = statements(template, pipeline.role_policy)
    reads = [
        entry["Resource"] for sid, entry in found.items() if sid.startswith("ReadPropertyFiles")
    ]
    assert reads == [s3_arn("reports-bucket/gate/latest.json*")]
    annotations.has_no_warning("*", Match.string_like_regexp(".*json-get.*"))


def test_a_json_get_file_known_only_at_run_time_is_reported_as_a_warning():
    stack = new_stack()
    uri = ParameterString(name="GateReport", default_value="s3://reports-bucket/gate.json")
    Pipeline(stack, "Training", definition=_json_get_check(uri))
    Annotations.from_stack(stack).has_warning(
        "/Test/Training",
        Match.string_like_regexp(
            r"^The pipeline role gets no S3 access for the JSON files JsonGet reads: step "
            r"'Check' field 'Arguments\.Conditions\[0\]\.LeftValue\.Std:JsonGet\.S3Uri' "
            r"\(reads a Std:Join expression of 'Parameters\.GateReport'\).*parameter_locations=.*"
            r"\[ack: cdk-sagemaker-pipelines:unattributed-json-get\]$"
        ),
    )


@pytest.mark.parametrize(
    ("construct", "typo", "meant"),
    [
        ("Pipeline", "artifact_stor", "artifact_store"),
        ("ArtifactStore", "removal_polcy", "removal_policy"),
        ("ModelRegistry", "shared_with_account", "shared_with_accounts"),
        ("PipelineSchedule", "dead_letter_q", "dead_letter_queue"),
        ("NewDataTrigger", "key_param", "key_parameter"),
        ("PipelineFailureNotifications", "email", "emails"),
        ("PipelineMonitoring", "alarm_topics", "alarm_topic"),
        ("SageMakerPipelineTarget", "retry_attempt", "retry_attempts"),
        ("SageMakerPipelineChecks", "require_isolation", "require_network_isolation"),
    ],
)
def test_fails_a_misspelt_construct_keyword_naming_the_one_meant(
    construct: str, typo: str, meant: str
) -> None:
    # Python's own TypeError ("got an unexpected keyword argument") came through jsii's
    # frames and named no alternative; the keyword is checked before anything is built.
    import cdk_sagemaker_pipelines.cdk as library
    from cdk_sagemaker_pipelines.definition import UnknownArgumentError

    cls = getattr(library, construct)
    args = (
        () if construct in ("SageMakerPipelineChecks", "SageMakerPipelineTarget") else (None, "X")
    )
    with pytest.raises(UnknownArgumentError) as raised:
        cls(*args, **{typo: None})
    assert str(raised.value).startswith(
        f"{construct} takes no argument {typo!r} (did you mean {meant!r}"
    )
    assert isinstance(raised.value, TypeError)


def test_fails_a_construct_call_missing_required_keywords_naming_each_with_its_type() -> None:
    # Python's TypeError ("__init__() missing 4 required keyword-only arguments") named
    # neither the construct nor what each argument takes, and synth_app let it through.
    from cdk_sagemaker_pipelines.cdk import NewDataTrigger, SageMakerPipelineTarget
    from cdk_sagemaker_pipelines.definition import MissingArgumentError, PipelineDefinitionError

    with pytest.raises(MissingArgumentError) as raised:
        NewDataTrigger(None, "Trigger", prefix="incoming/")  # type: ignore[call-arg,arg-type]
    assert str(raised.value) == (
        "NewDataTrigger 'Trigger' needs arguments 'pipeline' (sagemaker.IPipeline), "
        "'bucket' (s3.IBucket), 'key_parameter' (str)"
    )
    assert isinstance(raised.value, TypeError)
    assert isinstance(raised.value, PipelineDefinitionError)  # synth_app ends it in one line
    with pytest.raises(MissingArgumentError, match=r"^SageMakerPipelineTarget needs argument "):
        SageMakerPipelineTarget()  # type: ignore[call-arg]


def test_a_type_error_from_inside_a_construct_is_not_taken_for_a_missing_argument() -> None:
    # The same words raised deeper down are another function's: they propagate as they are.
    from cdk_sagemaker_pipelines.cdk._props import check_keywords
    from cdk_sagemaker_pipelines.definition import MissingArgumentError

    def needs(value: int) -> int:
        return value

    class Thing:
        @check_keywords
        def __init__(self, *, size: int = 1) -> None:
            needs()  # type: ignore[call-arg]

    with pytest.raises(TypeError, match=r"needs\(\) missing 1 required positional") as raised:
        Thing()
    assert not isinstance(raised.value, MissingArgumentError)


def test_fails_a_construct_keyword_like_none_it_takes_listing_them() -> None:
    from cdk_sagemaker_pipelines.cdk import SageMakerPipelineTarget
    from cdk_sagemaker_pipelines.definition import UnknownArgumentError

    with pytest.raises(UnknownArgumentError) as raised:
        SageMakerPipelineTarget(retries=3)  # type: ignore[call-arg]
    assert str(raised.value) == (
        "SageMakerPipelineTarget takes no argument 'retries' (it takes 'dead_letter_queue', "
        "'max_event_age', 'parameters', 'pipeline', 'retry_attempts', 'role')"
    )


# -- A store adopting a bucket and key that exist already (ArtifactStore.from_existing) ----

ADOPTED_BUCKET = "acme-ml-artifacts"
ADOPTED_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _adopted_store(stack: cdk.Stack, **props: Any) -> ArtifactStore:
    from aws_cdk import aws_kms as kms

    return ArtifactStore.from_existing(
        stack,
        "Store",
        bucket=s3.Bucket.from_bucket_name(stack, "Central", ADOPTED_BUCKET),
        key=kms.Key.from_key_arn(stack, "CentralKey", ADOPTED_KEY),
        **props,
    )


@pytest.fixture(scope="module")
def adopted() -> Built:
    """A pipeline writing to an adopted bucket, with cdk-nag and our checks as the app has."""
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    stack = new_stack()
    app = cast(cdk.App, stack.node.root)
    pipeline = Pipeline(
        stack,
        "Training",
        definition=prep_and_train(),
        pipeline_name=NAME,
        artifact_store=_adopted_store(stack),
    )
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app), NIST80053R5Checks(app), SageMakerPipelineChecks()
    )
    app.synth()  # any finding not acknowledged fails it
    return Built(stack, pipeline)


def test_an_adopted_store_creates_nothing_and_synths_clean_under_cdk_nag(adopted: Built):
    types = {r["Type"] for r in template_json(adopted.template)["Resources"].values()}
    assert types == {"AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::SageMaker::Pipeline"}


def test_jobs_write_to_the_adopted_bucket_encrypted_with_the_adopted_key(adopted: Built):
    train = steps_by_name(adopted.definition)["Train"]["Arguments"]
    assert train["OutputDataConfig"]["KmsKeyId"] == ADOPTED_KEY
    assert train["ResourceConfig"]["VolumeKmsKeyId"] == ADOPTED_KEY
    output = train["OutputDataConfig"]["S3OutputPath"]["Std:Join"]["Values"]
    assert output[:2] == [f"s3://{ADOPTED_BUCKET}", "models"]


def test_the_step_role_gets_the_adopted_bucket_and_key(adopted: Built):
    found = statements(adopted.template, adopted.pipeline.step_role_policy)
    objects = [
        s3_arn(f"{ADOPTED_BUCKET}/executions/{NAME}/Prep/*/train*"),
        s3_arn(f"{ADOPTED_BUCKET}/models/{NAME}/Train/*/model*"),
    ]
    writes = next(
        s for s in found.values() if s["Action"] == ["s3:AbortMultipartUpload", "s3:PutObject"]
    )
    assert writes["Resource"] == objects
    reads = [s for s in found.values() if s["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]]
    assert objects[0] in [s["Resource"] for s in reads]  # Train reads what Prep wrote
    # The bucket's objects are encrypted with the adopted key, and so are the jobs' outputs.
    key_actions = {
        action
        for s in found.values()
        if s["Resource"] == ADOPTED_KEY
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} <= key_actions


@pytest.mark.parametrize(("retention", "fails"), [(14, True), (None, False)])
def test_a_cache_is_checked_against_the_retention_an_adopted_store_declares(
    retention: int | None, fails: bool
):
    stack = new_stack()
    store = _adopted_store(
        stack,
        execution_output_retention=None if retention is None else cdk.Duration.days(retention),
    )
    if not fails:
        # No retention declared: the owner's lifecycle is unknown, the outputs taken as kept.
        Pipeline(stack, "Training", definition=_cached_prep("P30D"), artifact_store=store)
        return
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=_cached_prep("P30D"), artifact_store=store)
    (problem,) = raised.value.problems
    assert "outputs train under executions/ are deleted after 14 days" in problem.message


def test_an_adopted_store_gets_the_roles_what_a_new_store_gets(default: Built, adopted: Built):
    # The same steps need the same statements of both roles (CreateGrant for the volumes'
    # key included): only the key (and bucket) they name differ.
    new_key = default.stack.resolve(default.pipeline.artifact_store.key.key_arn)
    for policy in ("role_policy", "step_role_policy"):
        new = statements(default.template, getattr(default.pipeline, policy))
        ours = statements(adopted.template, getattr(adopted.pipeline, policy))
        assert {sid: s["Action"] for sid, s in ours.items()} == {
            sid: s["Action"] for sid, s in new.items()
        }
        on_key = [sid for sid, s in new.items() if s["Resource"] == new_key]
        assert on_key, policy
        assert [ours[sid]["Resource"] for sid in on_key] == [ADOPTED_KEY] * len(on_key)
