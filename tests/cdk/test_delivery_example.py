"""docs/cdk-pipelines.md's delivery app synthesizes, cdk-nag packs and stage checks included.

Synthesized once for the module, with cdk.json's context and docs/multi-account.md's
environments (cdk.json's, each with its account and region; prod serving staging's
versions); its own stack (the pipeline: the stages' stacks are the reference app's, linted
by test_app_cfn_lint.py) is linted with cfn-lint meanwhile.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import pipelines

from cdk_sagemaker_pipelines.local.iam import ResourcePolicy, RolePolicies, Statement, evaluate
from examples import delivery_app
from stacks.config import ConfigError
from tests.cdk.conftest import cdk_context
from tests.cdk.helpers import resolved_intrinsics
from tests.cdk.lint import BackgroundLint, LintService, lint_in_background
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.cdk.test_docs import _multi_account_versions, _promoted_environments

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cdk-pipelines.md"
# cfn-lint 1.58.0's E3703 checks a deploy action's RoleArn as a role ARN and reports, as
# that error, its preference for Fn::Sub over a Fn::Join with an empty delimiter: the same
# ARN as a Fn::Sub or a literal passes. CDK Pipelines writes the other accounts'
# deployment roles as such a Fn::Join.
JOIN_NOT_SUB = ("E3703", "Prefer using Fn::Sub over Fn::Join with an empty delimiter")
# docs/multi-account.md's accounts: staging trains the versions prod serves.
DEV, STAGING, PROD = "222222222222", "333333333333", "444444444444"
OTHER = "444455556666"
VERSION = _multi_account_versions()["model_package_arn:prod"]  # of staging's group
STAGING_BUCKET = f"staging-artifacts-{STAGING}-eu-west-1"
STAGING_KEY = f"arn:aws:kms:eu-west-1:{STAGING}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
COMMIT = "3e1d67d0c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9"
# The stages CDK Pipelines adds before the environments' own.
PIPELINE_STAGES = ["Source", "Build", "UpdatePipeline", "Assets"]


def walkthrough_context() -> dict[str, Any]:
    """cdk.json's context with docs/multi-account.md's environments and versions (step 4)."""
    return {
        **cdk_context(),
        "environments": _promoted_environments(),
        **_multi_account_versions(),
    }


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's cloud assembly: build_app fails synth on any unacknowledged error."""
    outdir = tmp_path_factory.mktemp("delivery")
    # Staging and prod serve a version of staging's group, as a reviewed commit promotes
    # one: in cdk.json's context, which the pipeline's Synth step reads
    # ("model_package_arn:prod": …). The commit, as the Synth step passes it:
    # -c source_commit=$SOURCE_COMMIT.
    context = {**walkthrough_context(), "source_commit": COMMIT}
    delivery_app.build_app(outdir=str(outdir), context=context).synth()
    return outdir


def _pipeline_stages(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The CodePipeline's stages, as the delivery stack's template declares them."""
    (pipeline,) = (
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline"
    )
    stages: list[dict[str, Any]] = pipeline["Stages"]
    return stages


def test_the_stages_are_cdk_jsons_environments_in_order_prod_after_an_approval(
    synthesized: Path,
) -> None:
    # The environments app.py deploys, in cdk.json's order: the walkthrough's cdk.json is
    # the project's with each environment's account and region.
    assert list(_promoted_environments()) == list(cdk_context()["environments"])
    template = json.loads((synthesized / "Delivery.template.json").read_text())
    stages = _pipeline_stages(template)
    assert [stage["Name"] for stage in stages] == [*PIPELINE_STAGES, "dev", "staging", "prod"]
    approvals = {
        stage["Name"]: [
            (action["Name"], action["RunOrder"])
            for action in stage["Actions"]
            if action["ActionTypeId"]["Category"] == "Approval"
        ]
        for stage in stages
    }
    # Prod alone keeps its data (retain_data), and deploys once someone approves, first.
    assert {name: found for name, found in approvals.items() if found} == {
        "prod": [("PromoteToProd", 1)]
    }
    (prod,) = (stage for stage in stages if stage["Name"] == "prod")
    assert all(
        action["RunOrder"] > 1 for action in prod["Actions"] if action["Name"] != "PromoteToProd"
    )
    # Each stage deploys to its environment's account.
    for name, settings in _promoted_environments().items():
        assert (synthesized / f"assembly-Delivery-{name}").is_dir()
        (stage,) = (stage for stage in stages if stage["Name"] == name)
        roles = json.dumps([action.get("RoleArn") for action in stage["Actions"]])
        assert f":iam::{settings['account']}:role/cdk-hnb659fds-deploy-role-" in roles, name


def test_a_custom_environments_list_gives_its_stages_in_its_order() -> None:
    # Not sorted, nor grouped by retain_data: as listed. Each environment keeping its data
    # has an approval of its own before its deployment; the others none.
    environments: dict[str, dict[str, Any]] = {
        "sandbox": {"account": DEV, "region": "eu-west-1", "retain_data": False},
        "live": {"account": PROD, "region": "eu-west-1"},  # retain_data: true by default
        "qa": {"account": STAGING, "region": "eu-west-1", "retain_data": False},
    }
    app = delivery_app.build_app(context={**cdk_context(), "environments": environments})
    stack = app.node.find_child("Delivery")
    pipeline = cast(pipelines.CodePipeline, stack.node.find_child("Delivery")).pipeline
    stages = {
        stage.stage_name: [action.action_properties.action_name for action in stage.actions]
        for stage in pipeline.stages
    }
    assert list(stages) == [*PIPELINE_STAGES, "sandbox", "live", "qa"]
    assert [name for name, actions in stages.items() if any("Promote" in a for a in actions)] == [
        "live"
    ]
    assert stages["live"][0] == "PromoteToLive"
    for name, settings in environments.items():
        assert cast(cdk.Stage, stack.node.find_child(name)).account == settings["account"]


@pytest.mark.parametrize("environments", [None, {}], ids=["no-key", "empty"])
def test_a_context_without_environments_fails_naming_cdk_json(
    environments: dict[str, Any] | None,
) -> None:
    context = {key: value for key, value in cdk_context().items() if key != "environments"}
    if environments is not None:
        context["environments"] = environments
    with pytest.raises(ConfigError, match=r"^the delivery app deploys one stage per environment"):
        delivery_app.build_app(context=context)


def test_an_environment_before_its_model_source_fails_rather_than_deploy_first() -> None:
    # The pipeline deploys in cdk.json's order, and prod's deployment reads staging's group
    # and bucket: listed first, prod's first deployment would fail, after the approval.
    environments = _promoted_environments()
    reordered = {name: environments[name] for name in ("dev", "prod", "staging")}
    context = {**walkthrough_context(), "environments": reordered}
    with pytest.raises(ConfigError) as raised:
        delivery_app.build_app(context=context)
    assert str(raised.value) == (
        "invalid cdk.json 'environments':\n- environment 'prod' serves the versions of "
        "'staging' (its 'model_source'), which comes after it: the pipeline deploys the "
        "environments in cdk.json's order, and prod's deployment reads staging's group and "
        "bucket; put 'staging' first"
    )


def test_an_environment_without_an_account_fails_as_a_config_error_naming_it() -> None:
    # app.py deploys an environment-agnostic dev; CDK Pipelines would deploy it to the
    # tooling account. deployed() refused it with a ValueError once every stage was built,
    # which the script printed with a traceback: a ConfigError is its message alone.
    environments = _promoted_environments()
    environments["dev"] = {
        key: value for key, value in environments["dev"].items() if key != "account"
    }
    with pytest.raises(ConfigError) as raised:
        delivery_app.build_app(context={**walkthrough_context(), "environments": environments})
    assert str(raised.value) == (
        "invalid cdk.json 'environments':\n- environment 'dev' names no account: CDK "
        "Pipelines would deploy it to the pipeline's own account and region; set 'account' "
        "(docs/multi-account.md)"
    )


def test_the_environments_are_checked_as_app_py_checks_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unknown setting, as load_environments reports it.
    environments = {**_promoted_environments(), "qa": {"acount": STAGING}}
    with pytest.raises(ConfigError, match="environment 'qa': unknown setting 'acount'"):
        delivery_app.build_app(context={**walkthrough_context(), "environments": environments})
    # Run by the CLI (no context given), from cdk.json's directory: an environment given
    # twice, which JSON would reduce to its last definition.
    text = json.dumps({"context": walkthrough_context()}, indent=1)
    duplicated = text.replace('"environments": {', '"environments": {\n"dev": {},', 1)
    (tmp_path / "cdk.json").write_text(duplicated)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"environment 'dev' is defined twice in cdk\.json"):
        delivery_app.build_app()


def test_run_as_a_script_a_config_error_is_its_message_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `cdk synth` runs it, outside the project's root (no cdk.json, so no context): the
    # message, without the traceback through the app that would bury it.
    import runpy

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDK_CONTEXT_JSON", raising=False)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "cdk.out"))
    with pytest.raises(SystemExit) as raised:
        runpy.run_path(delivery_app.__file__, run_name="__main__")
    assert str(raised.value).startswith("the delivery app deploys one stage per environment")


@pytest.fixture(scope="module")
def lint(
    synthesized: Path, tmp_path_factory: pytest.TempPathFactory, lint_service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of the delivery stack (the pipeline), started as soon as it is synthesized."""
    template = json.loads((synthesized / "Delivery.template.json").read_text())
    yield from lint_in_background(
        "delivery", template, tmp_path_factory.mktemp("delivery-lint"), lint_service
    )


def test_the_delivery_app_synthesizes_and_publishes_code_per_account(
    synthesized: Path, lint: tuple[dict[str, Any], BackgroundLint]
) -> None:
    # build_app fails synth on any unacknowledged cdk-nag finding or stage check. With
    # cdk.json's context, as `cdk synth` (and the pipeline's own Synth step) runs it: before,
    # the test built it without, and the acknowledged ids spelt the partition
    # arn:<AWS::Partition>: where cdk.json's partition literals make cdk-nag print arn:aws:,
    # so the documented command failed on six findings. (lint: started here, so the worker
    # lints while the tests below run.)
    for stage, account in (("dev", DEV), ("staging", STAGING), ("prod", PROD)):
        (manifest,) = (synthesized / f"assembly-Delivery-{stage}").glob("*.assets.json")
        bucket = f"cdk-hnb659fds-assets-{account}-eu-west-1"
        destinations = [
            destination
            for asset in json.loads(manifest.read_text())["files"].values()
            for destination in asset["destinations"].values()
        ]
        assert destinations
        assert {destination["bucketName"] for destination in destinations} == {bucket}
        template = manifest.with_name(manifest.name.replace(".assets.json", ".template.json"))
        assert bucket in template.read_text()  # the definition points at the stage's bucket


def test_synth_leaves_no_finding(synthesized: Path) -> None:
    # Errors fail synth; warnings (of any plugin, CDK's own annotations included) would
    # only be printed. Acknowledged findings aren't violations: cdk-nag leaves them out of
    # the report, and aws-cdk-lib lists a plugin's own under its suppressedViolations.
    report = json.loads((synthesized / "validation-report.json").read_text())
    violations = [
        (
            plugin["pluginName"],
            violation.get("ruleName"),
            violation.get("severity"),
            [construct["constructPath"] for construct in violation["violatingConstructs"]],
        )
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
    ]
    # Not even a warning: prod (retain_data) names its on-call (alarm_email), and the
    # environments serving a version declare it (no reference-app:serves-endpoint-not-declared).
    assert violations == []


def test_a_synth_without_prods_committed_version_fails_rather_than_delete_its_endpoint() -> None:
    # The pipeline's Synth step (and so its self-mutation) runs `cdk synth` with cdk.json's
    # context alone: without the committed version, prod's stage would synthesize no
    # endpoint and CloudFormation would delete the one it serves. Prod declares
    # serves_endpoint: that synth fails, naming the setting, before anything is deployed.
    assert _promoted_environments()["prod"]["serves_endpoint"] is True
    context = walkthrough_context()
    del context["model_package_arn:prod"]
    with pytest.raises(ConfigError) as raised:
        delivery_app.build_app(context=context)
    assert "environment 'prod' setting 'serves_endpoint': true, but no " in str(raised.value)
    assert "'model_package_arn:prod'" in str(raised.value)


def test_the_synth_step_takes_the_versions_from_the_committed_context_only() -> None:
    # A -c in the Synth step's commands would hold for that command, not for a synth of
    # another commit: the versions served are cdk.json's, changed by a reviewed commit.
    # The one -c is the commit checked out, which is per commit by nature.
    source = Path(delivery_app.__file__).read_text()
    (commands,) = (
        ast.literal_eval(node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.keyword) and node.arg == "commands"
    )
    (synth,) = (command for command in commands if "cdk synth" in command)
    assert re.findall(r" -c (\S+)", synth) == ['"source_commit=$SOURCE_COMMIT"'], synth
    assert "--context" not in synth, synth
    docs = DOCS.read_text()
    assert '"model_package_arn:prod": "arn:aws:sagemaker:' in docs


def test_cfn_lint_finds_nothing_in_the_delivery_stack(
    lint: tuple[dict[str, Any], BackgroundLint],
) -> None:
    template, worker = lint
    matches = [
        match
        for match in worker.results()["delivery"]
        if _key(template, match) not in FALSE_POSITIVES
    ]
    ignored = [match for match in matches if (match.rule_id, match.message) == JOIN_NOT_SUB]
    # Only there, and only for a Fn::Join: any other E3703 is reported.
    for match in ignored:
        assert match.path[-2:] == ("Configuration", "RoleArn"), _describe(match)
        node: Any = template
        for part in match.path:
            node = node[part]
        assert list(node) == ["Fn::Join"], _describe(match)
        assert node["Fn::Join"][0] == "", _describe(match)
    assert [_describe(match) for match in matches if match not in ignored] == []


def test_the_docs_show_the_tested_app() -> None:
    docs = DOCS.read_text()
    source = Path(delivery_app.__file__).read_text()
    assert "examples/delivery_app.py" in docs
    for line in (
        "class DeliveryStack(cdk.Stack):",
        'pipeline.add_stage(deployed(MlOpsStage(self, "dev", config=environments["dev"])))',
        'delivery_environments(self.node.try_get_context("environments"), context)',
        "cdk.Validations.of(pipeline).acknowledge(",
    ):
        assert line in docs, line
        assert line in source, line


def test_the_docs_code_is_the_app_as_written() -> None:
    # A stale excerpt (an old App(...) call, a renamed helper) would teach what no longer runs.
    source = Path(delivery_app.__file__).read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", DOCS.read_text(), re.S | re.M)
    assert blocks
    for block in blocks:
        assert block in source, block


@pytest.mark.parametrize("copied", [False, True], ids=["in-examples", "copied-next-to-app-py"])
def test_the_app_runs_jsii_on_the_projects_node_where_the_docs_put_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copied: bool
) -> None:
    # Copied next to app.py as delivery.py, it looked for node_modules above the project
    # and ran jsii on the machine's (end-of-life) Node.
    project = tmp_path / "project"
    node = project / "node_modules" / ".bin" / "node"
    node.parent.mkdir(parents=True)
    node.touch()
    (project / "app.py").touch()
    path = project / "delivery.py" if copied else project / "examples" / "delivery_app.py"
    path.parent.mkdir(exist_ok=True)
    source = Path(delivery_app.__file__).read_text()
    path.write_text(source)
    monkeypatch.delenv("JSII_NODE", raising=False)
    setup = source[: source.index("import aws_cdk")]  # what runs before jsii starts
    exec(compile(setup, str(path), "exec"), {"__file__": str(path), "__name__": "delivery"})
    assert os.environ["JSII_NODE"] == str(node)


@pytest.mark.parametrize("missing", ["account", "region"])
def test_a_stage_without_an_account_or_region_fails_rather_than_deploy_to_tooling(
    missing: str,
) -> None:
    # CDK Pipelines deploys an environment-agnostic stage to the pipeline's own account.
    from stacks import EnvironmentConfig, MlOpsStage

    app = cdk.App()
    stack = cdk.Stack(app, "Delivery", env=delivery_app.TOOLING)
    config = (
        EnvironmentConfig("dev", region="eu-west-1")
        if missing == "account"
        else EnvironmentConfig("dev", account=DEV)
    )
    with pytest.raises(ValueError, match=rf"^stage 'Delivery/dev' names no {missing} \(its env=\)"):
        delivery_app.deployed(MlOpsStage(stack, "dev", config=config))
    prod = EnvironmentConfig("prod", account=PROD, region="eu-west-1")
    assert delivery_app.deployed(MlOpsStage(stack, "prod", config=prod)).account == PROD


def _resources(synthesized: Path, stage: str) -> dict[str, Any]:
    (template,) = (synthesized / f"assembly-Delivery-{stage}").glob("*.template.json")
    resources: dict[str, Any] = json.loads(template.read_text())["Resources"]
    return resources


def _of_type(resources: dict[str, Any], kind: str, id_prefix: str) -> dict[str, Any]:
    (properties,) = (
        resource["Properties"]
        for logical_id, resource in resources.items()
        if resource["Type"] == kind and logical_id.startswith(id_prefix)
    )
    return dict(properties)


def _resolved(value: Any, attributes: dict[str, str]) -> Any:
    """``value`` with the intrinsics of staging's policies replaced (its account and region)."""
    return resolved_intrinsics(value, attributes, region="eu-west-1")


def _stagings_store_policies(staging: dict[str, Any]) -> tuple[ResourcePolicy, ResourcePolicy]:
    """Staging's artifact bucket and key policies, resolved, as the local evaluator reads them.

    Across accounts, the resource's policy must admit the caller as well as its identity
    policy: both are evaluated as key policies (``key=True``), which must allow the account
    itself.
    """
    attributes = {"ArtifactsBucket88671897.Arn": f"arn:aws:s3:::{STAGING_BUCKET}"}
    bucket = _of_type(staging, "AWS::S3::BucketPolicy", "ArtifactsBucketPolicy")["PolicyDocument"]
    key = _of_type(staging, "AWS::KMS::Key", "ArtifactsKey")["KeyPolicy"]
    bucket_policy, key_policy = (
        ResourcePolicy(
            name,
            tuple(Statement.from_json(s) for s in _resolved(document["Statement"], attributes)),
            key=True,
        )
        for name, document in (("staging's bucket policy", bucket), ("staging's key policy", key))
    )
    return bucket_policy, key_policy


def test_prod_serves_a_version_of_stagings_group_from_stagings_bucket_and_key(
    synthesized: Path,
) -> None:
    prod, staging = _resources(synthesized, "prod"), _resources(synthesized, "staging")
    model = _of_type(prod, "AWS::SageMaker::Model", "EndpointModel")
    assert model["PrimaryContainer"] == {"ModelPackageName": VERSION}
    statements = {
        statement["Sid"]: statement
        for statement in _of_type(prod, "AWS::IAM::ManagedPolicy", "EndpointRolePolicy")[
            "PolicyDocument"
        ]["Statement"]
    }
    # The version's model data, found at deploy time in staging's bucket (by the name staging's
    # stack gives it); staging's keys by staging's account and region.
    (model_data_id,) = (
        logical_id for logical_id in prod if logical_id.startswith("EndpointModelData")
    )
    assert statements["EndpointReadsModelArtifacts"]["Resource"] == {
        "Fn::Split": ["$$", {"Fn::GetAtt": [model_data_id, "ObjectArns"]}]
    }
    # Approved in staging's registry, as prod serves only an approved version.
    assert prod[model_data_id]["Properties"]["Versions"] == [
        {"ModelPackageArn": VERSION, "Bucket": STAGING_BUCKET, "Require": "Approved"}
    ]
    assert statements["EndpointDecryptsModelArtifacts"]["Resource"] == (
        f"arn:aws:kms:eu-west-1:{STAGING}:key/*"
    )
    assert _of_type(staging, "AWS::S3::Bucket", "ArtifactsBucket")["BucketName"] == STAGING_BUCKET
    # Staging shares its group (describe, list, create a model from a version) with prod.
    group_policy = _of_type(staging, "AWS::SageMaker::ModelPackageGroup", "Registry")[
        "ModelPackageGroupPolicy"
    ]
    shared = [s for s in group_policy["Statement"] if s["Sid"] == "ShareModelVersions"]
    assert shared[0]["Principal"] == {"AWS": [f"arn:aws:iam::{PROD}:root"]}
    assert "sagemaker:CreateModel" in shared[0]["Action"]


def test_staging_keeps_the_bucket_and_key_prods_endpoint_reads(synthesized: Path) -> None:
    # Prod's endpoint reads its model from staging's bucket, with staging's key, whenever it starts
    # an instance: deleting staging's stack must leave them (and the registry of its versions).
    staging = _resources(synthesized, "staging")
    for kind, id_prefix in (
        ("AWS::S3::Bucket", "ArtifactsBucket"),
        ("AWS::KMS::Key", "ArtifactsKey"),
        ("AWS::SageMaker::ModelPackageGroup", "Registry"),
    ):
        (resource,) = (
            resource
            for logical_id, resource in staging.items()
            if resource["Type"] == kind and logical_id.startswith(id_prefix)
        )
        assert resource.get("DeletionPolicy") == "Retain", (kind, id_prefix)
    # Although staging deletes the rest of its data with its stack (retain_data false): its
    # pipeline goes with it.
    assert _promoted_environments()["staging"]["retain_data"] is False
    (pipeline,) = (r for r in staging.values() if r["Type"] == "AWS::SageMaker::Pipeline")
    assert pipeline.get("DeletionPolicy") == "Delete"


@pytest.mark.parametrize(
    ("account", "allowed"), [(PROD, True), (OTHER, False)], ids=["prod", "another-account"]
)
def test_only_prods_endpoint_role_reads_and_decrypts_stagings_models(
    synthesized: Path, account: str, allowed: bool
) -> None:

    prod, staging = _resources(synthesized, "prod"), _resources(synthesized, "staging")
    # Prod's endpoint role's policy, as if held by a role of `account`, with the model data
    # the version records as its ModelData resource returns it at deploy time.
    identity = _of_type(prod, "AWS::IAM::ManagedPolicy", "EndpointRolePolicy")["PolicyDocument"]
    model = f"arn:aws:s3:::{STAGING_BUCKET}/models/pipelines-abc/Train/output/model.tar.gz"
    (model_data_id,) = (name for name in prod if name.startswith("EndpointModelData"))
    found = {f"{model_data_id}.ObjectArns": model}
    role = RolePolicies(
        f"arn:aws:iam::{account}:role/Endpoint",
        "prod's endpoint role",
        tuple(Statement.from_json(s) for s in _resolved(identity["Statement"], found)),
        None,
        None,
    )
    bucket_policy, key_policy = _stagings_store_policies(staging)
    read = evaluate(role, "s3:GetObject", model, {}, policy=bucket_policy)
    through_s3 = {
        "kms:viaservice": "s3.eu-west-1.amazonaws.com",
        "kms:encryptioncontext:aws:s3:arn": f"arn:aws:s3:::{STAGING_BUCKET}",
    }
    decrypt = evaluate(role, "kms:Decrypt", STAGING_KEY, through_s3, policy=key_policy)
    assert (read.allowed, decrypt.allowed) == (allowed, allowed), (read, decrypt)
    # Nor prod's role outside S3, or for another bucket's objects (its identity policy's Denys).
    for context in (
        {**through_s3, "kms:viaservice": "sqs.eu-west-1.amazonaws.com"},
        {**through_s3, "kms:encryptioncontext:aws:s3:arn": "arn:aws:s3:::staging-data"},
    ):
        assert not evaluate(role, "kms:Decrypt", STAGING_KEY, context, policy=key_policy).allowed
    # Only the version's model: not another version's, nor what else staging's bucket holds.
    for other in (
        f"arn:aws:s3:::{STAGING_BUCKET}/models/pipelines-xyz/Train/output/model.tar.gz",
        f"arn:aws:s3:::{STAGING_BUCKET}/executions/x/output.csv",
    ):
        assert not evaluate(role, "s3:GetObject", other, {}, policy=bucket_policy).allowed


@pytest.mark.parametrize(
    ("account", "allowed"), [(PROD, True), (OTHER, False)], ids=["prod", "another-account"]
)
def test_only_prods_monitor_role_reads_and_decrypts_stagings_sealed_baseline(
    synthesized: Path, account: str, allowed: bool
) -> None:
    # Prod's data quality monitor compares its requests with the baseline the served
    # version of staging's group records: sealed in staging's bucket, encrypted with staging's key.

    prod, staging = _resources(synthesized, "prod"), _resources(synthesized, "staging")
    sealed = f"s3://{STAGING_BUCKET}/sealed/staging-breast-cancer-training/exec1/SealArtifacts"
    baseline = {
        "statistics": f"{sealed}/statistics/statistics.json",
        "constraints": f"{sealed}/constraints/constraints.json",
    }
    # The reader's attributes at deploy time: what DescribeModelPackage returns of the
    # version (its DriftCheckBaselines, as RegisterModel records the seal's URIs).
    (reader,) = (
        logical_id
        for logical_id, resource in prod.items()
        if resource["Type"] == "Custom::AWS" and logical_id.startswith("DataQualityBaseline")
    )
    reader_call = json.loads(prod[reader]["Properties"]["Create"])
    assert reader_call["parameters"] == {"ModelPackageName": VERSION}
    attributes = {
        f"{reader}.DriftCheckBaselines.ModelDataQuality.{member.title()}.S3Uri": uri
        for member, uri in baseline.items()
    }
    identity = _of_type(prod, "AWS::IAM::ManagedPolicy", "DataQualityRolePolicy")["PolicyDocument"]
    role = RolePolicies(
        f"arn:aws:iam::{account}:role/Monitor",
        "prod's monitor role",
        tuple(Statement.from_json(s) for s in _resolved(identity["Statement"], attributes)),
        None,
        None,
    )
    bucket_policy, key_policy = _stagings_store_policies(staging)
    through_s3 = {
        "kms:viaservice": "s3.eu-west-1.amazonaws.com",
        "kms:encryptioncontext:aws:s3:arn": f"arn:aws:s3:::{STAGING_BUCKET}",
    }
    for uri in baseline.values():
        obj = "arn:aws:s3:::" + uri.removeprefix("s3://")
        read = evaluate(role, "s3:GetObject", obj, {}, policy=bucket_policy)
        assert read.allowed == allowed, read
        # A run downloads each file as an S3Prefix input: it lists the bucket under its key.
        key = uri.removeprefix(f"s3://{STAGING_BUCKET}/")
        listing = evaluate(
            role,
            "s3:ListBucket",
            f"arn:aws:s3:::{STAGING_BUCKET}",
            {"s3:prefix": key},
            policy=bucket_policy,
        )
        assert listing.allowed == allowed, listing
        # With a bucket key S3's encryption context is the bucket's ARN; without (an object
        # written before the bucket had one), the object's.
        for context in (through_s3, {**through_s3, "kms:encryptioncontext:aws:s3:arn": obj}):
            decrypt = evaluate(role, "kms:Decrypt", STAGING_KEY, context, policy=key_policy)
            assert decrypt.allowed == allowed, decrypt
    # Nor outside S3, nor for another bucket's objects; nor another object of staging's bucket.
    for context in (
        {**through_s3, "kms:viaservice": "sqs.eu-west-1.amazonaws.com"},
        {**through_s3, "kms:encryptioncontext:aws:s3:arn": "arn:aws:s3:::staging-data"},
    ):
        assert not evaluate(role, "kms:Decrypt", STAGING_KEY, context, policy=key_policy).allowed
    data = f"arn:aws:s3:::{STAGING_BUCKET}/executions/x/output.csv"
    assert not evaluate(role, "s3:GetObject", data, {}, policy=bucket_policy).allowed


def test_each_stage_records_the_commit_the_synth_step_checked_out(synthesized: Path) -> None:
    # The Synth step gets the source action's CommitId (a CodePipeline variable) and passes
    # it to the synth; each stage's pipeline writes it, and the repository, into the
    # versions it registers.
    delivery = json.loads((synthesized / "Delivery.template.json").read_text())
    (pipeline,) = (
        r["Properties"]
        for r in delivery["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline"
    )
    actions = {a["Name"]: a for stage in pipeline["Stages"] for a in stage["Actions"]}
    source_action = next(a for a in actions.values() if a["ActionTypeId"]["Category"] == "Source")
    variables = json.loads(actions["Synth"]["Configuration"]["EnvironmentVariables"])
    assert {"name": "SOURCE_COMMIT", "type": "PLAINTEXT"}.items() <= variables[0].items()
    assert variables[0]["value"] == f"#{{{source_action['Namespace']}.CommitId}}"
    # Prod serves staging's versions and trains none (`"trains": false`): no pipeline.
    for stage in ("dev", "staging"):
        properties = _of_type(_resources(synthesized, stage), "AWS::SageMaker::Pipeline", "")
        definition = json.dumps(properties["PipelineDefinition"])
        assert f'\\"CommitId\\":\\"{COMMIT}\\"' in definition, stage
        assert '\\"Repository\\":\\"https://github.com/acme/ml-platform\\"' in definition
