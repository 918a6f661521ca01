"""docs/landing-zones.md: every construct under a landing zone's rules, through the public API.

One app, synthesized once for the module, with two stages of every construct of the
library: ``context`` gets its permissions boundary from the ``@aws-cdk/core:permissionsBoundary``
context key, ``aspect`` from ``iam.PermissionsBoundary.of`` (another boundary name, so each
role shows which reached it), plus the docs' ``LandingZoneRoles`` aspect, mandatory tags,
``job_tags`` and a central security account's key. Both use a bootstrap qualifier of their
own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import cx_api
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    DataCapture,
    DataQualityMonitor,
    ModelEndpoint,
    ModelRegistry,
    MonitorBaseline,
    NewDataTrigger,
    Pipeline,
    PipelineFailureNotifications,
    PipelineMonitoring,
    PipelineSchedule,
    SageMakerPipelineTarget,
)
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    Image,
    Join,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    ProcessingStep,
)
from cdk_sagemaker_pipelines.template import pipeline_definitions
from example_project.pipeline import PipelineSettings, build_pipeline
from tests.cdk.conftest import cdk_context, new_stack
from tests.cdk.helpers import steps_by_name
from tests.conftest import REPO

DOCS = REPO / "docs" / "landing-zones.md"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
SECURITY_ACCOUNT = "999988887777"
CENTRAL_KEY = f"arn:aws:kms:{REGION}:{SECURITY_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BOUNDARY_CONTEXT_KEY = "@aws-cdk/core:permissionsBoundary"
CONTEXT_BOUNDARY = "ml-boundary"
ASPECT_BOUNDARY = "ml-boundary-aspect"
QUALIFIER = "mlplat"
MANDATORY_TAGS = {"cost-center": "CC-1", "data-classification": "confidential"}
KEY_WARNING = "cdk-sagemaker-pipelines:key-of-another-account"


def docs_python(containing: str) -> str:
    """The one Python block of docs/landing-zones.md that contains ``containing``."""
    blocks = re.findall(r"^```python\n(.*?)^```", DOCS.read_text(), re.S | re.M)
    (block,) = [block for block in blocks if containing in block]
    return str(block)


def landing_zone_roles_aspect() -> type:
    """The docs' ``LandingZoneRoles`` aspect, as written there."""
    namespace: dict[str, Any] = {}
    exec(compile(docs_python("class LandingZoneRoles"), str(DOCS), "exec"), namespace)
    aspect: type = namespace["LandingZoneRoles"]
    return aspect


def every_construct(
    stack: cdk.Stack, directory: Path, *, key: kms.IKey | None, job_tags: dict[str, str] | None
) -> None:
    """Every construct of the library, each way it creates roles, in ``stack``."""
    store = ArtifactStore(
        stack, "Artifacts", encryption_key=key, removal_policy=cdk.RemovalPolicy.DESTROY
    )
    data = store.add_bucket("Data", event_bridge_enabled=True)
    registry = ModelRegistry(
        stack, "Registry", artifact_store=store, shared_with_accounts=["444455556666"]
    )
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=[f"{REGION}a", f"{REGION}b"],
        private_subnet_ids=["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
        private_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60711", "rtb-0a1b2c3d4e5f60722"],
    )
    pipeline = Pipeline(
        stack,
        "Training",
        definition=build_pipeline(
            data_bucket=data.bucket_name,
            model_package_group_name=registry.model_package_group_name,
            # As the reference app: a cached Preprocess would make the schedule's runs
            # cache hits (warned, and this app is to synthesize without warnings).
            settings=PipelineSettings(cache_expire_after=None),
        ),
        artifact_store=store,
        vpc=vpc,
        enable_network_isolation=True,
        parameter_locations={"InputDataKey": ["curated/*", "incoming/*"]},
        dedicated_step_roles=["Preprocess"],
        job_tags=job_tags,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    (directory / "Dockerfile").write_text("FROM python:3.11-slim\n")
    automl = AutoMLStep(name="AutoML", inputs="s3://my-bucket/train.csv", target_attribute_name="y")
    scorer = ProcessingStep(name="Score", image=Image.from_asset(directory))
    Pipeline(
        stack,
        "Auto",
        definition=PipelineDefinition(steps=[automl, automl.best_model("BestModel"), scorer]),
        artifact_store=store,
        vpc=vpc,
        # The model's execution role: a role of its own, as a job step's.
        dedicated_step_roles=["BestModel"],
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    trigger = NewDataTrigger(
        stack,
        "OnNewData",
        pipeline=pipeline,
        bucket=data,
        prefix="incoming/",
        key_parameter="InputDataKey",
    )
    schedule = PipelineSchedule(
        stack,
        "Weekly",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.expression("cron(0 6 ? * MON *)"),
        parameters={"InputDataKey": "curated/"},
    )
    notifications = PipelineFailureNotifications(
        stack, "Failures", pipeline=pipeline, emails=["ml-oncall@example.com"]
    )
    PipelineMonitoring(
        stack,
        "Monitoring",
        pipeline=pipeline,
        alarm_topic=notifications.topic,
        notify_failed_executions=False,
        dead_letter_queues=[trigger.dead_letter_queue, schedule.dead_letter_queue],
    )
    rule = events.Rule(stack, "Daily", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    rule.add_target(SageMakerPipelineTarget(pipeline, parameters={"InputDataKey": "curated/"}))
    ci_role = iam.Role(stack, "CiRole", assumed_by=iam.AccountRootPrincipal())
    pipeline.grant_start_pipeline_execution(ci_role)
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        model_package_arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/1",
        artifact_store=store,
        data_capture=DataCapture(csv_content_types=["text/csv"]),
    )
    baseline = f"s3://ml-artifacts-{ACCOUNT}/models/churn/exec-1/DataQualityCheck"
    DataQualityMonitor(
        stack,
        "DataQuality",
        endpoint=endpoint,
        baseline=MonitorBaseline(
            statistics_uri=f"{baseline}/statistics.json",
            constraints_uri=f"{baseline}/constraints.json",
        ),
    )


@dataclass(frozen=True)
class LandingZone:
    assembly: cx_api.CloudAssembly
    templates: dict[str, dict[str, Any]]  # stage id -> its one stack's template
    stacks: dict[str, cdk.Stack]
    # stage id -> its stack's warnings, (construct path, message), from the one synthesis:
    # Annotations.from_stack would synthesize the whole app again for each read.
    warnings: dict[str, list[tuple[str, str]]]


@pytest.fixture(scope="module")
def landing_zone(tmp_path_factory: pytest.TempPathFactory) -> LandingZone:
    app = cdk.App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk.out")))
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    stacks: dict[str, cdk.Stack] = {}
    for stage_id in ("context", "aspect"):
        stage = cdk.Stage(app, stage_id, env=env)
        if stage_id == "context":
            # Looked up as cdk.json's would be (the stage is below the app): on the stage
            # only, as CDK's boundary from the context wins over the aspect's.
            stage.node.set_context(BOUNDARY_CONTEXT_KEY, {"name": CONTEXT_BOUNDARY})
        stack = cdk.Stack(stage, "Ml", synthesizer=cdk.DefaultStackSynthesizer(qualifier=QUALIFIER))
        stacks[stage_id] = stack
        aspect_stage = stage_id == "aspect"
        if aspect_stage:
            boundary = iam.ManagedPolicy.from_managed_policy_name(
                stack, "Boundary", ASPECT_BOUNDARY
            )
            iam.PermissionsBoundary.of(stage).apply(boundary)
            cdk.Aspects.of(stage).add(landing_zone_roles_aspect()(path="/ml/", prefix="ml-"))
            for tag, value in MANDATORY_TAGS.items():
                cdk.Tags.of(stage).add(tag, value)
        every_construct(
            stack,
            tmp_path_factory.mktemp(f"scorer-{stage_id}"),
            key=kms.Key.from_key_arn(stack, "CentralKey", CENTRAL_KEY) if aspect_stage else None,
            job_tags=MANDATORY_TAGS if aspect_stage else None,
        )
    assembly = app.synth()
    templates: dict[str, dict[str, Any]] = {}
    warnings: dict[str, list[tuple[str, str]]] = {}
    for nested in assembly.nested_assemblies:
        (stack_artifact,) = nested.nested_assembly.stacks
        stage_id = stack_artifact.hierarchical_id.split("/")[0]
        templates[stage_id] = stack_artifact.template
        warnings[stage_id] = [
            (message.id, str(message.entry.data))
            for message in stack_artifact.messages
            if message.level == cx_api.SynthesisMessageLevel.WARNING
        ]
    return LandingZone(assembly, templates, stacks, warnings)


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def _boundary(name: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{ACCOUNT}:policy/{name}"]]}


# The roles the constructs create (by the start of their logical ids), and the user's.
EXPECTED_ROLES = (
    "TrainingRole",  # the pipeline's
    "TrainingStepRole",
    "TrainingStepRolePreprocess",  # dedicated_step_roles
    "TrainingSealFunctionRole",  # the sealing function of the SealStep
    "AutoRole",
    "AutoStepRole",
    "AutoStepRoleBestModel",  # dedicated_step_roles: a Model step's
    "AutoAutoMLRole",  # AutoML steps
    "OnNewDataRuleTarget0Role",  # NewDataTrigger
    "WeeklyRole",  # PipelineSchedule
    "DailyTarget0Role",  # SageMakerPipelineTarget on a rule of the user's
    "CiRole",
    "EndpointRole",  # ModelEndpoint: the model's execution role
    "SageMakerModelDataReaderRole",  # ModelEndpoint: the stack's model data reader's
    "DataQualityRole",  # DataQualityMonitor: its monitoring jobs'
)


@pytest.mark.parametrize(
    ("stage", "boundary"), [("context", CONTEXT_BOUNDARY), ("aspect", ASPECT_BOUNDARY)]
)
def test_every_role_gets_the_permissions_boundary(
    landing_zone: LandingZone, stage: str, boundary: str
) -> None:
    roles = _of_type(landing_zone.templates[stage], "AWS::IAM::Role")
    assert sorted(re.sub(r"[0-9A-F]{8}$", "", role) for role in roles) == sorted(EXPECTED_ROLES)
    boundaries = {
        role: json.loads(json.dumps(properties["Properties"].get("PermissionsBoundary")))
        for role, properties in roles.items()
    }
    expected = _boundary(boundary)
    # A literal ARN (cdk.json's partition literals) or the partition's Ref: either names it.
    assert all(
        value in (expected, f"arn:aws:iam::{ACCOUNT}:policy/{boundary}")
        for value in boundaries.values()
    ), boundaries


@pytest.mark.parametrize("stage", ["context", "aspect"])
def test_no_lambda_or_custom_resource_brings_roles_of_its_own(
    landing_zone: LandingZone, stage: str
) -> None:
    # aws-cdk-lib's handlers (auto-delete objects, bucket notifications) would add roles
    # created outside the constructs' view: none is there. The functions are the
    # pipeline's sealing function and the endpoint's model data reader (its one custom
    # resource), whose roles are the constructs' own (bounded above).
    resources = landing_zone.templates[stage]["Resources"]
    types = {resource["Type"] for resource in resources.values()}
    assert {t for t in types if t.startswith("Custom::")} == {"Custom::ModelDataLocations"}
    assert "AWS::CloudFormation::CustomResource" not in types
    functions = [r for r in resources.values() if r["Type"].startswith("AWS::Lambda::")]
    assert [f["Type"] for f in functions] == ["AWS::Lambda::Function"] * 2
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions]
    assert sorted(re.sub(r"[0-9A-F]{8}$", "", role) for role in roles) == [
        "SageMakerModelDataReaderRole",
        "TrainingSealFunctionRole",
    ]


def test_the_docs_aspect_puts_every_role_under_the_path_with_a_prefixed_name(
    landing_zone: LandingZone,
) -> None:
    roles = _of_type(landing_zone.templates["aspect"], "AWS::IAM::Role")
    assert {role["Properties"].get("Path") for role in roles.values()} == {"/ml/"}
    names = [role["Properties"]["RoleName"] for role in roles.values()]
    assert all(name.startswith("ml-") and len(name) <= 64 for name in names), names
    assert len(set(names)) == len(names)
    # The context stage, without the aspect: CloudFormation's names, the root path.
    plain = _of_type(landing_zone.templates["context"], "AWS::IAM::Role").values()
    assert not any({"Path", "RoleName"} & role["Properties"].keys() for role in plain)


def test_pass_role_still_names_the_roles_under_their_path(landing_zone: LandingZone) -> None:
    # The pipeline role passes the step and AutoML roles by their ARNs (which hold the
    # path), not by ARNs built from names under the root path.
    template = landing_zone.templates["aspect"]
    passed = {}
    for policy in _of_type(template, "AWS::IAM::ManagedPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Sid") == "PassStepRoleToSageMaker":
                resources = statement["Resource"]
                resources = resources if isinstance(resources, list) else [resources]
                passed.update({json.dumps(r, sort_keys=True): r for r in resources})
    assert passed
    for resource in passed.values():
        (role, attribute) = resource["Fn::GetAtt"]
        assert attribute == "Arn"
        assert template["Resources"][role]["Properties"]["Path"] == "/ml/"


def test_a_given_step_role_with_a_path_is_passed_by_its_arn() -> None:
    stack = new_stack()
    arn = f"arn:aws:iam::{ACCOUNT}:role/ml/team-step-role"
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(
            steps=[ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"))]
        ),
        step_role=iam.Role.from_role_arn(stack, "StepRole", arn),
    )
    policy = pipeline.role_policy
    assert policy is not None
    statements = stack.resolve(policy.document.to_json())["Statement"]
    (passing,) = [s for s in statements if s.get("Sid") == "PassStepRoleToSageMaker"]
    assert passing["Resource"] == arn


@pytest.mark.parametrize("stage", ["context", "aspect"])
def test_nothing_assumes_the_default_bootstrap_qualifier(
    landing_zone: LandingZone, stage: str
) -> None:
    text = json.dumps(landing_zone.templates[stage])
    assert "hnb659fds" not in text
    # The step role reads the code assets in the qualifier's bucket, and pulls the image
    # asset from its repository.
    assert f"cdk-{QUALIFIER}-assets-{ACCOUNT}-{REGION}" in text
    assert f"cdk-{QUALIFIER}-container-assets-{ACCOUNT}-{REGION}" in text
    step_policy = next(
        policy
        for logical_id, policy in _of_type(
            landing_zone.templates[stage], "AWS::IAM::ManagedPolicy"
        ).items()
        if logical_id.startswith("TrainingStepRolePolicy")
    )
    assert f"cdk-{QUALIFIER}-assets-{ACCOUNT}-{REGION}" in json.dumps(step_policy)


def test_stage_tags_reach_the_resources_and_job_tags_the_jobs(landing_zone: LandingZone) -> None:
    template = landing_zone.templates["aspect"]
    for logical_id, resource in _of_type(template, "AWS::SageMaker::Pipeline").items():
        tags = {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}
        assert MANDATORY_TAGS.items() <= tags.items(), logical_id
    definitions = dict(pipeline_definitions(template))
    training = next(d for lid, d in definitions.items() if lid.startswith("Training"))
    automl = next(d for lid, d in definitions.items() if lid.startswith("Auto"))
    # job_tags: every job of the pipeline given them.
    for name, step in steps_by_name(training).items():
        if step["Type"] in ("Processing", "Training"):
            tags = {t["Key"]: t["Value"] for t in step["Arguments"]["Tags"]}
            assert tags == MANDATORY_TAGS, name
    # Tags.of(stage) alone: the pipeline resource is tagged, its jobs aren't.
    assert all("Tags" not in step["Arguments"] for step in steps_by_name(automl).values())


def test_a_central_key_of_another_account_encrypts_the_store_with_a_warning(
    landing_zone: LandingZone,
) -> None:
    template = landing_zone.templates["aspect"]
    assert not _of_type(template, "AWS::KMS::Key").keys() & {"ArtifactsKey"}
    assert not any(lid.startswith("ArtifactsKey") for lid in _of_type(template, "AWS::KMS::Key"))
    for logical_id, bucket in _of_type(template, "AWS::S3::Bucket").items():
        if logical_id.startswith("ArtifactsAccessLogs"):
            continue  # SSE-S3, as server access logging requires
        (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {
            "KMSMasterKeyID": CENTRAL_KEY,
            "SSEAlgorithm": "aws:kms",
        }, logical_id
    definition = next(d for lid, d in pipeline_definitions(template) if lid.startswith("Training"))
    train = steps_by_name(definition)["Train"]["Arguments"]
    assert train["ResourceConfig"]["VolumeKmsKeyId"] == CENTRAL_KEY
    assert train["OutputDataConfig"]["KmsKeyId"] == CENTRAL_KEY
    (message,) = [
        message
        for path, message in landing_zone.warnings["aspect"]
        if path == "/aspect/Ml/Artifacts"
        and re.search(f"^prop 'encryption_key': {CENTRAL_KEY}", message)
    ]
    assert f"is in account {SECURITY_ACCOUNT}, this stack in {ACCOUNT}" in message
    assert "kms:CreateGrant with kms:GrantIsForAWSResource" in message
    assert f"[ack: {KEY_WARNING}]" in message
    # A store of the stack's own key: no such warning.
    assert not [m for _, m in landing_zone.warnings["context"] if re.search(KEY_WARNING, m)]


def test_an_adopted_bucket_may_take_a_central_key_of_another_account() -> None:
    stack = new_stack(region=REGION)
    key = kms.Key.from_key_arn(stack, "Key", CENTRAL_KEY)
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Bucket", bucket_name="acme-ml-artifacts", encryption_key=key
    )
    store = ArtifactStore.from_existing(stack, "Artifacts", bucket=bucket)
    assert store.key.key_arn == CENTRAL_KEY
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(
            steps=[ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), outputs=["out"])]
        ),
        artifact_store=store,
    )
    # The jobs encrypt with it, and the step role may use it (its identity policy's half).
    policy = pipeline.step_role_policy
    assert policy is not None
    statements = stack.resolve(policy.document.to_json())["Statement"]
    assert any(
        s["Resource"] == CENTRAL_KEY and "kms:GenerateDataKey" in s["Action"] for s in statements
    )
    (warning,) = Annotations.from_stack(stack).find_warning(
        "/Test/Artifacts", Match.string_like_regexp(KEY_WARNING)
    )
    assert str(warning.entry.data).startswith(
        f"prop 'bucket': its encryption_key, {CENTRAL_KEY}, is in account {SECURITY_ACCOUNT}"
    )


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (
            lambda stack: CENTRAL_KEY,
            f"prop 'encryption_key': expected a kms.IKey, got str {repr(CENTRAL_KEY)[:57]}... "
            f"(import it: kms.Key.from_key_arn(self, 'ArtifactKey', '{CENTRAL_KEY}'))",
        ),
        (
            lambda stack: kms.Alias.from_alias_name(stack, "Alias", "alias/ml"),
            "prop 'encryption_key': imported Alias Test/Alias is a KMS alias: IAM grants use of "
            "a key by the key's ARN",
        ),
        (
            lambda stack: kms.Key.from_key_arn(
                stack, "Key", CENTRAL_KEY.replace(REGION, "us-east-1")
            ),
            # The central key's account is fine (warned): the fix is a key of this region,
            # not "a key of the stack's account".
            f"prop 'encryption_key': imported Key Test/Key is in region us-east-1, this stack in "
            f"{REGION}: a KMS key works in its own region only, and the store's buckets and its "
            f"pipelines' jobs encrypt in {REGION} (give a key of region {REGION}: a "
            f"multi-Region key's replica there (kms.Key.from_key_arn(self, 'ArtifactKey', "
            f"'arn:aws:kms:{REGION}:<account>:key/mrk-<id>')), or a key created in {REGION})",
        ),
    ],
    ids=["a-string", "an-alias", "another-region"],
)
def test_fails_an_encryption_key_that_cannot_encrypt_the_store(key: Any, problem: str) -> None:
    stack = new_stack(region=REGION)
    with pytest.raises(PipelineDefinitionError, match=re.escape(problem)):
        ArtifactStore(stack, "Artifacts", encryption_key=key(stack))
    # Nothing of the store was left in the tree.
    assert stack.node.try_find_child("Artifacts") is None


# -- When the deployment may not create roles ------------------------------------------------

ROLE_WARNING = "cdk-sagemaker-pipelines:given-role-permissions"
PIPELINE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churn"


def _role_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/ml/{name}"


@dataclass(frozen=True)
class GivenRoles:
    stack: cdk.Stack
    template: dict[str, Any]
    warnings: dict[str, list[str]]  # construct path -> its warnings' messages


def _synthesized(stack: cdk.Stack) -> GivenRoles:
    # Annotations first: Template.from_stack then reads that synthesis's assembly, where
    # the other order synthesized twice (Annotations.from_stack always synthesizes anew).
    annotations = Annotations.from_stack(stack)
    template = dict(Template.from_stack(stack).to_json())
    warnings: dict[str, list[str]] = {}
    for found in annotations.find_warning("*", Match.any_value()):
        warnings.setdefault(found.id, []).append(str(found.entry.data))
    return GivenRoles(stack, template, warnings)


@pytest.fixture(scope="module")
def platform_roles() -> GivenRoles:
    """The docs' pipeline of the platform team's roles (imported with mutable=False)."""
    namespace: dict[str, Any] = {}
    exec(compile(docs_python("def pipeline_of_platform_roles"), str(DOCS), "exec"), namespace)
    stack = new_stack(region=REGION)
    data = s3.Bucket(stack, "Data")
    key = ParameterString(name="InputDataKey", default_value="curated/")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": Join(on="", values=["s3://", data.bucket_name, "/", key])},
    )
    namespace["pipeline_of_platform_roles"](
        stack, PipelineDefinition(parameters=[key], steps=[prep]), data
    )
    return _synthesized(stack)


@pytest.fixture(scope="module")
def app_roles() -> GivenRoles:
    """Trigger roles of the app, and one imported (mutable), for an imported pipeline."""
    stack = new_stack(region=REGION)
    pipeline = Pipeline.from_pipeline_name(stack, "Training", "churn")
    scheduler_role = iam.Role(
        stack, "SchedulerRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com")
    )
    events_role = iam.Role(
        stack, "EventsRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com")
    )
    PipelineSchedule(
        stack,
        "Weekly",
        pipeline=pipeline,
        schedule=scheduler.ScheduleExpression.expression("cron(0 6 ? * MON *)"),
        role=scheduler_role,
    )
    rule = events.Rule(stack, "Daily", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    rule.add_target(SageMakerPipelineTarget(pipeline, role=events_role))
    imported = iam.Role.from_role_arn(stack, "Imported", _role_arn("pipeline-events"))
    rule.add_target(SageMakerPipelineTarget(pipeline, role=imported))
    return _synthesized(stack)


def test_the_docs_pipeline_of_platform_roles_creates_no_role(platform_roles: GivenRoles) -> None:
    assert _of_type(platform_roles.template, "AWS::IAM::Role") == {}
    # Nothing is attached to the platform's roles: no inline policy, no managed policy
    # naming them (the pipeline's derived policies are created unattached).
    assert _of_type(platform_roles.template, "AWS::IAM::Policy") == {}
    assert all(
        "Roles" not in policy["Properties"]
        for policy in _of_type(platform_roles.template, "AWS::IAM::ManagedPolicy").values()
    )
    (schedule,) = _of_type(platform_roles.template, "AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["Target"]["RoleArn"] == _role_arn("pipeline-scheduler")
    (rule,) = _of_type(platform_roles.template, "AWS::Events::Rule").values()
    (target,) = rule["Properties"]["Targets"]
    assert target["RoleArn"] == _role_arn("pipeline-events")


def test_trigger_roles_imported_with_mutable_false_are_warned_with_what_to_grant(
    platform_roles: GivenRoles,
) -> None:
    (schedule,) = _of_type(platform_roles.template, "AWS::Scheduler::Schedule").values()
    pipeline_arn = schedule["Properties"]["Target"]["Arn"]
    assert pipeline_arn.startswith(f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/test-training")
    (schedule_warning,) = platform_roles.warnings["/Test/Weekly"]
    assert schedule_warning == (
        f"prop 'role': the role {_role_arn('pipeline-scheduler')} (Test/pipeline-scheduler) "
        "was imported with mutable=False (or without_policy_updates()), so nothing is "
        "attached to it here (aws-cdk-lib drops grants to it), and its trust policy can't be "
        f"read at synth: it must already allow sagemaker:StartPipelineExecution on "
        f"{pipeline_arn}; sqs:SendMessage on the ARN of "
        "Test/Weekly/DeadLetterQueue, and trust scheduler.amazonaws.com (sts:AssumeRole, "
        f"condition StringEquals aws:SourceAccount = {ACCOUNT} and aws:SourceArn = "
        f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/default), or the schedule "
        f"can't start the pipeline. Acknowledge this warning once it does. [ack: {ROLE_WARNING}]"
    )
    (trigger_warning,) = platform_roles.warnings["/Test/OnNewData/Rule"]
    assert trigger_warning.startswith(
        f"prop 'role': the role {_role_arn('pipeline-events')} (Test/pipeline-events) was "
        "imported with mutable=False"
    )
    assert (
        "it must already allow sagemaker:StartPipelineExecution on "
        f"{pipeline_arn}, and trust events.amazonaws.com "
        f"(sts:AssumeRole, condition StringEquals aws:SourceAccount = {ACCOUNT}), or the rule "
        "can't start the pipeline."
    ) in trigger_warning
    # The pipeline's own roles: its existing warning, naming its unattached policies.
    pipeline_warnings = platform_roles.warnings["/Test/Training"]
    assert sum("cdk-sagemaker-pipelines:immutable-role" in w for w in pipeline_warnings) == 2


def test_trigger_roles_of_the_app_get_the_grants_and_no_other_role_is_created(
    app_roles: GivenRoles,
) -> None:
    template = app_roles.template
    roles = _of_type(template, "AWS::IAM::Role")
    assert sorted(re.sub(r"[0-9A-F]{8}$", "", role) for role in roles) == [
        "EventsRole",
        "SchedulerRole",
    ]
    scheduler_role = next(lid for lid in roles if lid.startswith("SchedulerRole"))
    events_role = next(lid for lid in roles if lid.startswith("EventsRole"))
    (schedule,) = _of_type(template, "AWS::Scheduler::Schedule").values()
    target = schedule["Properties"]["Target"]
    assert target["RoleArn"] == {"Fn::GetAtt": [scheduler_role, "Arn"]}
    (inline,) = _of_type(template, "AWS::IAM::Policy").values()
    assert inline["Properties"]["Roles"] == [{"Ref": scheduler_role}]
    assert inline["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": "sagemaker:StartPipelineExecution", "Effect": "Allow", "Resource": PIPELINE_ARN},
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": target["DeadLetterConfig"]["Arn"],
        },
    ]
    (rule,) = _of_type(template, "AWS::Events::Rule").values()
    assert [t["RoleArn"] for t in rule["Properties"]["Targets"]] == [
        {"Fn::GetAtt": [events_role, "Arn"]},
        _role_arn("pipeline-events"),
    ]
    managed = _of_type(template, "AWS::IAM::ManagedPolicy").values()
    assert sorted(json.dumps(policy["Properties"]["Roles"]) for policy in managed) == sorted(
        [json.dumps([{"Ref": events_role}]), json.dumps(["pipeline-events"])]
    )
    for policy in managed:
        assert policy["Properties"]["PolicyDocument"]["Statement"] == [
            {
                "Action": "sagemaker:StartPipelineExecution",
                "Effect": "Allow",
                "Resource": PIPELINE_ARN,
            }
        ]
    # Roles of the app: their trust is checked, nothing to warn. The imported (mutable)
    # one: its policy is attached here, its trust can't be read.
    (warning,) = app_roles.warnings["/Test/Daily"]
    assert warning.startswith(
        f"prop 'role': the role {_role_arn('pipeline-events')} (Test/Imported) was not created "
        "in this app: this stack attaches what it needs in managed policy Test/Daily/"
        "Target1Policy, which the deployment must be allowed to change (import it with "
        "mutable=False if it may not), and its trust policy can't be read at synth: it must "
        f"allow sagemaker:StartPipelineExecution on {PIPELINE_ARN}, and trust "
        "events.amazonaws.com"
    )
    assert list(app_roles.warnings) == ["/Test/Daily"]


def _schedule(stack: cdk.Stack, role: Any) -> None:
    PipelineSchedule(
        stack,
        "Weekly",
        pipeline=Pipeline.from_pipeline_name(stack, "Training", "churn"),
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.days(7)),
        role=role,
    )


def _new_data(stack: cdk.Stack, role: Any) -> None:
    NewDataTrigger(
        stack,
        "OnNewData",
        pipeline=Pipeline.from_pipeline_name(stack, "Training", "churn"),
        bucket=s3.Bucket(stack, "Data"),
        prefix="incoming/",
        key_parameter="InputDataKey",
        role=role,
    )


def _target(stack: cdk.Stack, role: Any) -> None:
    target = SageMakerPipelineTarget(
        Pipeline.from_pipeline_name(stack, "Training", "churn"), role=role
    )
    events.Rule(stack, "Daily", schedule=events.Schedule.rate(cdk.Duration.days(1))).add_target(
        target
    )


@pytest.mark.parametrize(
    ("build", "construct", "service", "passes"),
    [
        (
            _schedule,
            "PipelineSchedule Test/Weekly",
            "EventBridge Scheduler",
            "CreateSchedule passes it",
        ),
        (_new_data, "NewDataTrigger Test/OnNewData", "EventBridge", "PutTargets passes it"),
        (
            _target,
            "SageMakerPipelineTarget of rule Test/Daily",
            "EventBridge",
            "PutTargets passes it",
        ),
    ],
    ids=["schedule", "new-data", "target"],
)
def test_fails_a_trigger_role_of_another_account(
    build: Any, construct: str, service: str, passes: str
) -> None:
    stack = new_stack(region=REGION)
    role = iam.Role.from_role_arn(stack, "Central", _role_arn("events", SECURITY_ACCOUNT))
    # The target's bind runs inside jsii, which wraps the error in a RuntimeError.
    with pytest.raises((PipelineDefinitionError, RuntimeError)) as raised:
        build(stack, role)
    assert str(raised.value) == (
        f"{construct} has 1 problem:\n- prop 'role': role {_role_arn('events', SECURITY_ACCOUNT)} "
        f"(Test/Central) is of account {SECURITY_ACCOUNT}, but this stack deploys to account "
        f"{ACCOUNT}: {service} takes only a role of its own account, and {passes} with "
        "iam:PassRole, which passes roles of the caller's own account only: the deploy would "
        f"fail (give a role of account {ACCOUNT}, or leave role out to get one)"
    )


@pytest.mark.parametrize(
    ("build", "construct"),
    [
        (_schedule, "PipelineSchedule Test/Weekly"),
        (_new_data, "NewDataTrigger Test/OnNewData"),
        (_target, "SageMakerPipelineTarget"),
    ],
    ids=["schedule", "new-data", "target"],
)
def test_fails_a_trigger_role_that_is_no_role(build: Any, construct: str) -> None:
    stack = new_stack(region=REGION)
    arn = _role_arn("events")
    with pytest.raises(PipelineDefinitionError) as raised:
        build(stack, arn)
    assert str(raised.value) == (
        f"{construct} has 1 problem:\n- prop 'role': expected an iam.IRole, got str "
        f"{arn!r} (an iam.Role, or iam.Role.from_role_arn(self, 'Role', arn))"
    )


def test_fails_trigger_roles_of_the_app_their_service_cannot_assume() -> None:
    stack = new_stack(region=REGION)
    # Each the other's role: EventBridge's for the schedule, the Scheduler's for the rule.
    _schedule(
        stack, iam.Role(stack, "Events", assumed_by=iam.ServicePrincipal("events.amazonaws.com"))
    )
    schedule = stack.node.find_child("Weekly")
    rule = events.Rule(stack, "Daily", schedule=events.Schedule.rate(cdk.Duration.days(1)))
    pipeline = Pipeline.from_pipeline_name(stack, "Other", "churn")
    scheduler_role = iam.Role(
        stack, "Scheduler", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com")
    )
    rule.add_target(SageMakerPipelineTarget(pipeline, role=scheduler_role))
    # Judged at synth, once statements added to the trust policy later are in it.
    assert schedule.node.validate() == [
        "prop 'role': role Test/Events trusts events.amazonaws.com, not "
        "scheduler.amazonaws.com: EventBridge Scheduler can't assume it, so the schedule "
        "can't start the pipeline (create it with "
        "assumed_by=iam.ServicePrincipal('scheduler.amazonaws.com'), or leave role out to get "
        "one)"
    ]
    assert rule.node.validate() == [
        "prop 'role': role Test/Scheduler trusts scheduler.amazonaws.com, not "
        "events.amazonaws.com: EventBridge can't assume it, so the rule can't start the "
        "pipeline (create it with assumed_by=iam.ServicePrincipal('events.amazonaws.com'), "
        "or leave role out to get one)"
    ]
    scheduler_role.assume_role_policy.add_statements(  # type: ignore[union-attr]
        iam.PolicyStatement(
            actions=["sts:AssumeRole"], principals=[iam.ServicePrincipal("events.amazonaws.com")]
        )
    )
    assert rule.node.validate() == []


@pytest.mark.parametrize(
    ("arn", "problem"),
    [
        (
            f"arn:aws:iam::{ACCOUNT}:polcy/ml-boundary",
            f"'arn:aws:iam::{ACCOUNT}:polcy/ml-boundary' is not the ARN of a managed policy "
            "(arn:<partition>:iam::<12-digit account or aws>:policy/<path/name>)",
        ),
        (
            f"arn:aws:iam::{SECURITY_ACCOUNT}:policy/ml-boundary",
            f"'arn:aws:iam::{SECURITY_ACCOUNT}:policy/ml-boundary' is a policy of account "
            f"{SECURITY_ACCOUNT}, not of the stack's account {ACCOUNT} (IAM takes a boundary of "
            "the role's own account, or an AWS managed policy)",
        ),
    ],
    ids=["typo", "another-account"],
)
def test_a_permissions_boundary_iam_would_refuse_fails_naming_it(arn: str, problem: str) -> None:
    # It used to pass synth, written to every role, and fail the deployment of each.
    from cdk_sagemaker_pipelines.definition import PipelineDefinitionError

    app = cdk.App()
    stage = cdk.Stage(
        app,
        "dev",
        env=cdk.Environment(account=ACCOUNT, region=REGION),
        permissions_boundary=cdk.PermissionsBoundary.from_arn(arn),
    )
    stack = cdk.Stack(stage, "Ml")
    with pytest.raises(PipelineDefinitionError) as raised:
        Pipeline(
            stack,
            "Training",
            definition=build_pipeline(data_bucket="d", model_package_group_name="g"),
        )
    assert str(raised.value) == (
        f"dev/Ml/Training: the permissions boundary of its roles, {problem}: IAM would "
        "refuse every role at deployment (correct Stage/Stack(permissions_boundary="
        "PermissionsBoundary.from_arn(…)) or cdk.json's '@aws-cdk/core:permissionsBoundary')"
    )


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::{ACCOUNT}:policy/teams/ml-boundary",
        "arn:aws:iam::aws:policy/PowerUserAccess",
        "arn:aws:iam::${AWS::AccountId}:policy/ml-boundary-${Qualifier}",
    ],
    ids=["own-account", "aws-managed", "placeholders"],
)
def test_a_permissions_boundary_iam_takes_passes(arn: str) -> None:
    app = cdk.App()
    stage = cdk.Stage(
        app,
        "dev",
        env=cdk.Environment(account=ACCOUNT, region=REGION),
        permissions_boundary=cdk.PermissionsBoundary.from_arn(arn),
    )
    stack = cdk.Stack(stage, "Ml")
    Pipeline(
        stack, "Training", definition=build_pipeline(data_bucket="d", model_package_group_name="g")
    )
