"""The batch scoring example (docs/batch-scoring.md): a model of the latest approved version.

One stack, synthesized once for the module: a training registry, the scoring pipeline
(Lambda → Model of a registered version → Transform), the approval rule passing the
version's ARN into the pipeline, the nightly schedule, and what the roles get. Users copy
the example, so it passes what the reference app passes: cdk-nag's AwsSolutions and NIST
800-53 rev 5 packs, every finding acknowledged where it occurs with its reason, and
cfn-lint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry
from cdk_sagemaker_pipelines.checks import BASELINE, NETWORK, run_rules
from constructs import IConstruct
from examples.batch_scoring_stack import BatchScoring, wildcard_finding
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import (
    definition_of,
    logical_id,
    resource,
    statements,
    steps_by_name,
    template_json,
)
from tests.cdk.lint import BackgroundLint, LintService, lint_in_background
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.cdk.test_app_nag import (
    ANNOTATION_NAMESPACE,
    MAX_ACKNOWLEDGMENT_DEPTH,
    MIN_REASON,
    MULTI_FINDING_RULES,
    Acknowledgment,
    Finding,
    covers,
    qualify,
    within,
)

# The packs the reference app runs (app.py), as tests/cdk/test_policies.add_nag_packs does.
PACKS = (AwsSolutionsChecks, NIST80053R5Checks)


@dataclass
class Example:
    """The example's stack, and cdk-nag's findings before and after its acknowledgments."""

    stack: Stack
    store: ArtifactStore
    scoring: BatchScoring
    template: Template
    # Every acknowledgment made while the stack was built (the example's, the library's,
    # and this test's for the store's buckets), applied once the raw findings were taken.
    acknowledgments: list[Acknowledgment]
    raw_findings: list[Finding]  # with none acknowledged
    unacknowledged: list[Finding]


def _findings(scope: IConstruct) -> list[Finding]:
    return [
        Finding(str(found.construct_path), qualify(violation.rule_name, ANNOTATION_NAMESPACE))
        for pack in PACKS
        for violation in pack().validate_scope(scope).violations
        for found in violation.violating_resources
    ]


class _Recorder:
    """Stands in for ``Validations.of(scope)`` while the stack is built: keeps each one."""

    def __init__(self, made: list[tuple[IConstruct, cdk.Acknowledgment]], scope: Any) -> None:
        self._made = made
        self._scope = scope

    def acknowledge(self, *rules: cdk.Acknowledgment) -> None:
        self._made += [(self._scope, rule) for rule in rules]


@pytest.fixture(scope="module")
def example() -> Example:
    # Built with the acknowledgments held back: the packs' findings then are all there are,
    # for each acknowledgment to answer one. Applied afterwards, the packs run again as
    # at synth, matching acknowledgments themselves.
    made: list[tuple[IConstruct, cdk.Acknowledgment]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cdk.Validations, "of", staticmethod(lambda scope: _Recorder(made, scope)))
        stack = new_stack()
        store = ArtifactStore(stack, "Artifacts")
        data = store.add_bucket("Data")
        registry = ModelRegistry(
            stack, "Registry", model_package_group_name="churn", artifact_store=store
        )
        scoring = BatchScoring(
            stack, "Scoring", artifact_store=store, data_bucket=data, registry=registry
        )
        # Replication is the team's to decide (docs/constructs.md), as stacks/mlops_stack.py does.
        for bucket in (store.bucket, data, store.access_logs_bucket):
            cdk.Validations.of(bucket).acknowledge(
                cdk.Acknowledgment(
                    id="NIST.800.53.R5-S3BucketReplicationEnabled",
                    reason="no second region in this test; the reference app says why",
                )
            )
    raw = _findings(stack)
    for scope, rule in made:
        cdk.Validations.of(scope).acknowledge(rule)
    return Example(
        stack=stack,
        store=store,
        scoring=scoring,
        template=Template.from_stack(stack),
        acknowledgments=[
            Acknowledgment(scope.node.path, rule.id, rule.reason) for scope, rule in made
        ],
        raw_findings=raw,
        unacknowledged=_findings(stack),
    )


@pytest.fixture(scope="module")
def scoring(example: Example) -> tuple[Stack, BatchScoring, Template]:
    return example.stack, example.scoring, example.template


@pytest.fixture(scope="module")
def lint(
    example: Example, tmp_path_factory: pytest.TempPathFactory, lint_service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of the example's template, started as soon as it is synthesized."""
    yield from lint_in_background(
        "batch-scoring",
        template_json(example.template),
        tmp_path_factory.mktemp("lint"),
        lint_service,
    )


def test_the_model_is_the_version_the_lambda_step_returns(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, _, template = scoring
    steps = steps_by_name(definition_of(template))
    assert steps["ApprovedModel"]["Arguments"]["PrimaryContainer"] == {
        "ModelPackageName": {"Get": "Steps.ResolveModel.OutputParameters['ModelPackageArn']"}
    }
    assert steps["BatchScore"]["Arguments"]["ModelName"] == {"Get": "Steps.ApprovedModel.ModelName"}


def test_the_definition_passes_the_checks_of_environments_that_require_network_isolation(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    # As staging and prod run SageMakerPipelineChecks(require_network_isolation=True): the
    # model, and so its transform jobs, runs without network.
    _, _, template = scoring
    definition = definition_of(template)
    assert steps_by_name(definition)["ApprovedModel"]["Arguments"]["EnableNetworkIsolation"]
    found = run_rules([*BASELINE, *NETWORK], definition)
    assert [(result.rule.id, result.finding) for result in found] == []


def test_the_pipeline_role_may_create_models_of_registered_versions(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, built, template = scoring
    policy = statements(template, built.pipeline.role_policy)
    assert policy["CreateModelsFromModelVersionsOfAnyGroup"] == {
        "Sid": "CreateModelsFromModelVersionsOfAnyGroup",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage"],
        # Any version of the account and region: the version is known only at run time.
        "Resource": "arn:aws:sagemaker:us-east-1:111122223333:model-package/*",
    }


def test_a_model_of_a_registered_version_is_warned_and_acknowledged(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    # The example grants the model's role the store's models/ and acknowledges the warning.
    scoring_stack, built, template = scoring
    assert (
        Annotations.from_stack(scoring_stack).find_warning(
            "*", Match.string_like_regexp("model-from-model-package")
        )
        == []
    )
    # A managed policy of the one read the model needs (and the key), nothing inline.
    model_role = cast(iam.Role, built.pipeline.dedicated_roles["ApprovedModel"])
    policy = resource(template, logical_id(built.model_data_policy))["Properties"]
    assert policy["Roles"] == [{"Ref": logical_id(model_role)}]
    read = statements(template, built.model_data_policy)["ReadRegisteredModelData"]
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"]["Fn::Join"][1][-1] == "/models/*"
    assert model_role.node.try_find_child("DefaultPolicy") is None
    # Without the acknowledgment: what the step role still needs, said once.
    from cdk_sagemaker_pipelines.cdk import Pipeline
    from example_project.batch_scoring import build_batch_scoring_pipeline

    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Scoring",
        definition=build_batch_scoring_pipeline(
            data_bucket="scoring-data",
            model_package_group_name="churn",
            resolve_function_arn="arn:aws:lambda:us-east-1:111122223333:function:latest",
        ),
        parameter_locations={"ScoringDataKey": ["scoring/*"]},
        dedicated_step_roles="*",
    )
    warnings = Annotations.from_stack(stack).find_warning(
        f"/{pipeline.node.path}", Match.string_like_regexp("model-from-model-package")
    )
    (warning,) = warnings
    text = str(warning.entry.data)
    assert text.startswith(
        "The models of step 'ApprovedModel' field 'Arguments.PrimaryContainer.ModelPackageName' "
        "('Steps.ResolveModel.OutputParameters['ModelPackageArn']') are created from a "
        "registered model version"
    )
    # The model runs as the step's dedicated role: named first, not pipeline.step_role.
    assert "artifact_store.grant_read_models(pipeline.dedicated_roles['ApprovedModel'])" in text
    assert "model's execution role (pipeline.dedicated_roles['ApprovedModel'])" in text
    assert "pipeline.step_role" not in text
    assert "model_stores={'ApprovedModel': ArtifactStore.from_existing(…)}" in text
    assert text.endswith(
        "Then acknowledge this warning. [ack: cdk-sagemaker-pipelines:model-from-model-package]"
    )


def test_the_model_and_its_transform_jobs_run_as_a_role_of_their_own(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    # dedicated_step_roles="*": the model's role reads the scoring data and writes the
    # scores; no job runs as the step role, which gets no policy and isn't passed.
    _, built, template = scoring
    pipeline = built.pipeline
    assert list(pipeline.dedicated_roles) == ["ApprovedModel"]
    model_role = logical_id(pipeline.dedicated_roles["ApprovedModel"])
    steps = steps_by_name(definition_of(template))
    assert steps["ApprovedModel"]["Arguments"]["ExecutionRoleArn"] == (
        f"${{GetAtt:{model_role}.Arn}}"
    )
    (policy,) = pipeline.dedicated_role_policies["ApprovedModel"]
    derived = statements(template, policy)
    assert "scoring/incoming/*" in json.dumps(derived["ReadDataInDataBucket"])
    assert "/BatchScore/" in json.dumps(derived["WriteDataInArtifactsBucket"])
    step_role_policy = template.to_json()["Resources"][logical_id(pipeline.step_role_policy)]
    assert "Roles" not in step_role_policy["Properties"]
    passed = statements(template, pipeline.role_policy)["PassStepRoleToSageMaker"]
    assert passed["Resource"] == {"Fn::GetAtt": [model_role, "Arn"]}


def test_approval_starts_the_pipeline_with_the_approved_version(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, built, template = scoring
    rule = template.to_json()["Resources"][logical_id(built.on_approved)]["Properties"]
    assert rule["EventPattern"]["detail"] == {
        "ModelPackageGroupName": ["churn"],
        "ModelApprovalStatus": ["Approved"],
    }
    (target,) = rule["Targets"]
    assert target["SageMakerPipelineParameters"] == {
        "PipelineParameterList": [{"Name": "ModelPackageArn", "Value": "$.detail.ModelPackageArn"}]
    }


def test_the_nightly_run_scores_with_the_latest_approved_version(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, _, template = scoring
    (schedule,) = template.find_resources("AWS::Scheduler::Schedule").values()
    parameters: Any = schedule["Properties"]["Target"]["SageMakerPipelineParameters"]
    # ModelPackageArn is left to its default, "": the function finds the latest approved.
    assert parameters == {
        "PipelineParameterList": [{"Name": "ScoringDataKey", "Value": "scoring/incoming/"}]
    }


# -- cdk-nag and cfn-lint: what a copy of the example passes -----------------------------------


def test_cdk_nag_leaves_no_finding_unacknowledged(
    example: Example, lint: tuple[dict[str, Any], BackgroundLint]
) -> None:
    # Errors and warnings of both packs, as app.py runs them (lint: started here, so the
    # worker lints while the tests below run).
    assert example.raw_findings, "the packs found nothing at all: the test is not looking"
    assert [str(finding) for finding in example.unacknowledged] == []


def test_every_acknowledgment_answers_one_finding_where_it_occurs(example: Example) -> None:
    # Each with its reason, finding by finding for IAM4 and IAM5 (never a whole rule), on
    # the resource (not the stack), and none stale: one that hides nothing today would
    # hide a new finding of its id later. Acknowledgments for packs this app doesn't run
    # (the library's HIPAA and PCI DSS ones) have no finding here to answer.
    ran = {pack().read_pack_name for pack in PACKS}
    problems: list[str] = []
    for ack in example.acknowledgments:
        if ack.id.split("-", 1)[0] not in ran:
            continue
        if len(ack.reason.strip()) < MIN_REASON:
            problems.append(f"{ack}: reason {ack.reason!r}")
        if ack.id in MULTI_FINDING_RULES:
            problems.append(f"{ack}: the whole rule")
        if ack.path == example.stack.node.path:
            problems.append(f"{ack}: on the stack, not on the resource")
        found = [finding for finding in example.raw_findings if covers(ack, finding)]
        if not found:
            problems.append(f"{ack}: no such finding")
        for finding in found:
            depth = finding.path[len(ack.path) :].count("/")
            if depth > MAX_ACKNOWLEDGMENT_DEPTH:
                problems.append(f"{ack}: covers {finding.path}, {depth} levels below it")
    assert problems == []


def test_the_example_acknowledges_only_what_is_inherent(example: Example) -> None:
    # The function's findings are fixed where they can be (a role of its own with a managed
    # policy, the latest runtime, reserved concurrency, encrypted logs); what is left is
    # its dead-letter queue (it is invoked synchronously) and its VPC (it calls only the
    # SageMaker API), and one wildcard per policy, each the exact finding.
    # (The library's constructs under it, the pipeline and the schedule, acknowledge theirs.)
    scoring = example.scoring
    library = (scoring.pipeline.node.path, scoring.schedule.node.path)
    ours = sorted(
        (ack.path, ack.id)
        for ack in example.acknowledgments
        if within(ack.path, scoring.node.path)
        and not any(within(ack.path, scope) for scope in library)
    )
    assert ours == [
        (
            scoring.resolve_function.node.path,
            "NIST.800.53.R5-LambdaConcurrency",
        ),
        (
            scoring.resolve_function.node.path,
            "NIST.800.53.R5-LambdaDLQ",
        ),
        (
            scoring.resolve_function.node.path,
            "NIST.800.53.R5-LambdaInsideVPC",
        ),
        (
            scoring.resolve_policy.node.path,
            "AwsSolutions-IAM5[Resource::arn:aws:sagemaker:us-east-1:111122223333:"
            "model-package/churn/*]",
        ),
        (
            scoring.model_data_policy.node.path,
            f"AwsSolutions-IAM5[Resource::<{logical_id(example.store.bucket)}.Arn>/models/*]",
        ),
    ]


def test_the_function_runs_as_a_role_of_its_own_with_a_least_privilege_policy(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    _, built, template = scoring
    function = resource(template, logical_id(built.resolve_function))
    properties = function["Properties"]
    # The newest Python runtime aws-cdk-lib knows (cdk-nag's AwsSolutions-L1).
    newest = max(
        (runtime.name for runtime in lambda_.Runtime.ALL if runtime.name.startswith("python3.")),
        key=lambda name: int(name.rsplit(".", 1)[1]),
    )
    assert properties["Runtime"] == newest
    # No reserved concurrency: it would fail the deploy in accounts of a low quota.
    assert "ReservedConcurrentExecutions" not in properties
    assert properties["LoggingConfig"] == {"LogGroup": {"Ref": logical_id(built.resolve_logs)}}
    # It waits for its policy; its role it waits for through the GetAtt (cfn-lint W3005).
    role = built.resolve_function.role
    assert properties["Role"] == {"Fn::GetAtt": [logical_id(role), "Arn"]}
    assert function["DependsOn"] == [logical_id(built.resolve_policy)]
    role_properties = resource(template, logical_id(role))["Properties"]
    assert "ManagedPolicyArns" not in role_properties  # no AWSLambdaBasicExecutionRole
    assert cast(iam.Role, role).node.try_find_child("DefaultPolicy") is None
    policy = statements(template, built.resolve_policy)
    assert policy["WriteOwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert policy["WriteOwnLogs"]["Resource"] == {
        "Fn::GetAtt": [logical_id(built.resolve_logs), "Arn"]
    }
    assert policy["ReadApprovedVersions"]["Resource"] == [
        "arn:aws:sagemaker:us-east-1:111122223333:model-package-group/churn",
        "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/*",
    ]


def test_the_functions_logs_are_encrypted_with_the_stores_key_for_that_log_group_only(
    example: Example,
) -> None:
    built, template = example.scoring, example.template
    logs = resource(template, logical_id(built.resolve_logs))
    key = example.store.key
    assert logs["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [logical_id(key), "Arn"]}
    assert logs["Properties"]["RetentionInDays"] == 365
    name = logs["Properties"]["LogGroupName"]
    key_policy = resource(template, logical_id(key))["Properties"]["KeyPolicy"]["Statement"]
    (statement,) = [
        entry
        for entry in key_policy
        if entry.get("Sid") == "CloudWatchLogsEncryptsTheLatestApprovedFunctionsLogs"
    ]
    assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert statement["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:us-east-1:111122223333:log-group:{name}"
            )
        }
    }


def test_wildcard_finding_names_the_resource_as_cdk_nag_does() -> None:
    # Env-agnostic: the ARN's partition, region and account are references.
    stack = new_stack(account=None, region=None)
    arn = stack.format_arn(service="sagemaker", resource="model-package", resource_name="g/*")
    bucket = s3.Bucket(stack, "Bucket")
    assert wildcard_finding(stack, arn) == (
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:"
        "<AWS::AccountId>:model-package/g/*]"
    )
    assert wildcard_finding(stack, bucket.arn_for_objects("models/*")) == (
        f"AwsSolutions-IAM5[Resource::<{logical_id(bucket)}.Arn>/models/*]"
    )


def test_fails_when_the_stores_key_is_imported() -> None:
    # Its policy can't be changed to let CloudWatch Logs use it: the log group would fail
    # to deploy instead.
    stack = new_stack()
    key = kms.Key.from_key_arn(
        stack, "Key", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    store = ArtifactStore(stack, "Artifacts", encryption_key=key)
    registry = ModelRegistry(
        stack, "Registry", model_package_group_name="churn", artifact_store=store
    )
    with pytest.raises(
        ValueError, match=r"^BatchScoring Test/Scoring: the artifact store's key is imported"
    ):
        BatchScoring(
            stack, "Scoring", artifact_store=store, data_bucket=store.bucket, registry=registry
        )


def test_cfn_lint_finds_nothing_in_the_example(
    lint: tuple[dict[str, Any], BackgroundLint],
) -> None:
    template, worker = lint
    problems = [
        _describe(match)
        for match in worker.results()["batch-scoring"]
        if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []


def test_the_models_role_writes_the_logs_of_its_transform_jobs_and_endpoints(
    scoring: tuple[Stack, BatchScoring, Template],
) -> None:
    # A transform job runs as its model's role: that role writes TransformJobs' logs (and,
    # for endpoints serving the model, Endpoints/*), nothing else under /aws/sagemaker/.
    _, built, template = scoring
    (policy,) = built.pipeline.dedicated_role_policies["ApprovedModel"]
    logs = json.dumps(statements(template, policy)["WriteJobLogs"]["Resource"])
    assert ":log-group:/aws/sagemaker/TransformJobs" in logs
    assert ":log-group:/aws/sagemaker/Endpoints/*" in logs
    assert ":log-group:/aws/sagemaker/*" not in logs
