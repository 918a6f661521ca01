"""``cdk synth`` works with no AWS credentials and makes no AWS calls.

``tests/conftest.py`` removes AWS credentials from the environment and disables the EC2
metadata service before anything runs; ``aws_client_calls`` (``tests/cdk/conftest.py``)
records every AWS SDK client created from before ``reference_app`` synthesizes the whole
app. The CDK CLI would call AWS only to fill context lookups, and the app needs none.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, cast

import aws_cdk as cdk
import botocore.session  # type: ignore[import-untyped]
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from cdk_sagemaker_pipelines.cdk import FAIL_SYNTH_ON_VALIDATION_ERRORS, Pipeline, synth_app
from example_project.pipeline import build_pipeline
from tests.cdk.assembly import reference_stacks
from tests.cdk.conftest import SynthesizedApp, cdk_context
from tests.cdk.helpers import ACCOUNT, REGION
from tests.conftest import REPO

# The constructs' reference, whose examples (once the README's) these tests run.
CONSTRUCTS = REPO / "docs" / "constructs.md"

NO_WARNING_TRACES = "aws:cdk:disable-stack-trace"
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


def test_the_app_synthesizes_without_credentials_and_creates_no_aws_client(
    reference_app: SynthesizedApp, aws_client_calls: list[str]
):
    assert [variable for variable in CREDENTIALS if variable in os.environ] == []
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    assert sorted(reference_app.templates) == sorted(reference_stacks())
    assert aws_client_calls == []


def test_synth_needs_no_context_lookups(reference_app: SynthesizedApp):
    # "missing" context is what the CDK CLI would look up in the account before synth.
    manifests = [reference_app.directory / "manifest.json"]
    manifests += sorted(reference_app.directory.glob("assembly-*/manifest.json"))
    missing = {
        str(path.relative_to(reference_app.directory)): json.loads(path.read_text()).get(
            "missing", []
        )
        for path in manifests
    }
    assert len(missing) == 1 + len(reference_stacks())
    assert {path: lookups for path, lookups in missing.items() if lookups} == {}


def test_the_client_recorder_sees_sdk_clients(aws_client_calls: list[str]):
    before = len(aws_client_calls)
    botocore.session.get_session().create_client(
        "sts", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x"
    )
    try:
        assert aws_client_calls[before:] == ["sts"]
    finally:
        del aws_client_calls[before:]


def test_a_cli_synth_writes_no_python_version_into_the_templates(tmp_path):
    # The CLI turns cdk.json's "versionReporting" (default true) into this context key, and
    # each stack then gets a CDKMetadata resource whose Analytics string holds jsii's
    # JSII_AGENT, "Python/3.11.7": a runner with another patch release of Python (CodeBuild's
    # image, setup-python's "3.11") synthesized other templates, with other hashes, so a
    # CDK Pipelines run updated every stack of every stage for nothing.
    settings = json.loads((REPO / "cdk.json").read_text())
    context = dict(settings["context"])
    if settings.get("versionReporting", True):
        context["aws:cdk:version-reporting"] = True
    app = cdk.App(context=context, outdir=str(tmp_path))
    stack = cdk.Stack(cdk.Stage(app, "dev"), "Stack")
    cdk.CfnResource(stack, "Handle", type="AWS::CloudFormation::WaitConditionHandle")
    app.synth()

    (template,) = tmp_path.glob("assembly-dev/*.template.json")
    assert "CDKMetadata" not in json.loads(template.read_text()).get("Resources", {})


def test_the_app_fails_synth_on_findings_even_when_the_cli_would_report_them(
    tmp_path, reference_app: SynthesizedApp
):
    # The CLI sets failSynthOnValidationErrors=false, then reports findings only for the
    # stacks it selected: none for a plain `cdk synth` of an app whose stacks are in Stages.
    # The reference app as build_app(cdk_context()) builds it (the session's, only read).
    application = reference_app.app
    assert application.node.try_get_context("@aws-cdk/core:failSynthOnValidationErrors") is True
    assert application.node.try_get_context(NO_WARNING_TRACES) is True
    # What the CLI passes, overridden as in the reference app: a finding fails synth, and
    # the app exits with one line after CDK's report instead of a jsii traceback.
    app = cdk.App(
        context={"@aws-cdk/core:failSynthOnValidationErrors": False},
        post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS,
        outdir=str(tmp_path),
    )
    stack = cdk.Stack(cdk.Stage(app, "dev"), "Stack")
    sns.Topic(stack, "Topic")  # AwsSolutions-SNS3: publishers need not use TLS
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(SystemExit, match=r"^synth failed: (.|\n)*AwsSolutions-SNS3"):
        synth_app(app)


@pytest.mark.parametrize("traces", [True, False], ids=["default", "disabled"])
def test_warnings_carry_no_javascript_trace_in_an_app_that_disables_them(tmp_path, traces: bool):
    # The CDK CLI prints a warning's first trace frame above it; from Python that frame is
    # jsii's program.js. The reference app (and docs/constructs.md's "Warnings") leave the
    # traces out with this context key.
    post_cli_context = {} if traces else {NO_WARNING_TRACES: True}
    app = cdk.App(outdir=str(tmp_path), post_cli_context=post_cli_context)
    stack = cdk.Stack(app, "Stack")
    handle = cdk.CfnWaitConditionHandle(stack, "Handle")
    cdk.Annotations.of(handle).add_warning_v2("test:warning", "a warning")
    artifact = app.synth().get_stack_artifact(stack.artifact_id)
    metadata = artifact.manifest.additional_metadata_file or ""
    (entry,) = [
        entry
        for entries in json.loads((tmp_path / metadata).read_text()).values()
        for entry in entries
        if entry["type"] == "aws:cdk:warning" and "a warning" in str(entry["data"])
    ]
    assert ("trace" in entry) is traces
    if traces:
        # The first frame outside aws-cdk-lib, which the CLI shows, is jsii's kernel.
        assert any("program.js" in frame for frame in entry["trace"])


def test_the_docs_construct_examples_synthesize_in_an_app_without_feature_flags():
    # A team's existing app may predate the flags in cdk.json (ArtifactStore used to fail
    # there with a jsii error about ObjectOwnership and LogDeliveryWrite).
    readme = CONSTRUCTS.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.S | re.M)
    (team,) = [block for block in blocks if "class TeamStack" in block]
    (operations,) = [block for block in blocks if "def add_operations" in block]
    namespace: dict[str, object] = {}
    exec(team + "\n" + operations, namespace)
    app = cdk.App()
    for name, account in (("dev", "111111111111"), ("prod", "222222222222")):
        stage = cdk.Stage(app, name, env=cdk.Environment(account=account, region="eu-west-1"))
        stack = namespace["TeamStack"](stage, "Team")  # type: ignore[operator]
        pipeline = stack.node.find_child("Training")
        registry = stack.node.find_child("Registry")
        namespace["add_operations"](stack, pipeline, registry)  # type: ignore[operator]
    assembly = app.synth()
    assert [
        nested.nested_assembly.stacks[0].hierarchical_id for nested in assembly.nested_assemblies
    ] == ["dev/Team", "prod/Team"]


def test_the_docs_acknowledgments_leave_the_team_stack_no_cdk_nag_finding(tmp_path):
    # docs/constructs.md: with cdk-nag's packs, the findings yours to decide are replication on the
    # store's buckets (its loop acknowledges them; it left out add_bucket's data bucket) and
    # the findings of grants to your own roles, IAMNoInlinePolicy among them.
    readme = CONSTRUCTS.read_text(encoding="utf-8")
    paragraph = readme[readme.index("With cdk-nag's packs on your app") :]
    paragraph = paragraph[: paragraph.index("```")]
    assert "`IAMNoInlinePolicy`" in paragraph
    namespace: dict[str, Any] = {}
    exec(
        _constructs_python("class TeamStack") + _constructs_python("def add_operations"), namespace
    )
    app = cdk.App(outdir=str(tmp_path), post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    environment = cdk.Environment(account=ACCOUNT, region=REGION)
    stack = namespace["TeamStack"](app, "Team", env=environment)
    store = stack.node.find_child("Artifacts")
    namespace["add_operations"](
        stack, stack.node.find_child("Training"), stack.node.find_child("Registry")
    )
    acknowledging = {"Validations": cdk.Validations, "Acknowledgment": cdk.Acknowledgment}
    acknowledging |= {"store": store, "data": store.node.find_child("Data")}
    exec(_constructs_python("S3BucketReplicationEnabled"), acknowledging)
    # add_operations grants its CI role the start of executions: a grant to a role of yours.
    cdk.Validations.of(stack.node.find_child("CiRole")).acknowledge(
        cdk.Acknowledgment(
            id="NIST.800.53.R5-IAMNoInlinePolicy", reason="the CI role's grants, as the docs say"
        )
    )
    app.synth()  # raises on any finding left unacknowledged


def test_the_docs_own_factory_fits_the_team_stack_one_stack_per_environment(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/constructs.md: a build_pipeline of the user's own, with no example_project on the
    # path; the trigger's key reaches the job through InputDataKey; dev and prod in one
    # account don't clash by name.
    (tmp_path / "scripts" / "model").mkdir(parents=True)
    (tmp_path / "scripts" / "preprocess.py").write_text("print('prep')\n")
    (tmp_path / "scripts" / "model" / "train.py").write_text("print('train')\n")
    monkeypatch.chdir(tmp_path)
    factory = _constructs_python("def build_pipeline(")
    team = _constructs_python("class TeamStack").replace(
        "from example_project.pipeline import build_pipeline  # your PipelineDefinition factory\n",
        "",
    )
    assert "example_project" not in team
    namespace: dict[str, Any] = {}
    exec(factory + "\n" + team, namespace)

    app_block = _constructs_python('TeamStack(app, f"TeamMl-{name}"')
    app_namespace = dict(namespace)
    exec(app_block.replace("app.synth()", ""), app_namespace)
    app = app_namespace["app"]
    assembly = app.synth()
    assert sorted(stack.stack_name for stack in assembly.stacks) == ["TeamMl-dev", "TeamMl-prod"]

    same_account = cdk.App()
    environment = cdk.Environment(account=ACCOUNT, region=REGION)
    stacks = [
        namespace["TeamStack"](same_account, f"TeamMl-{name}", env=environment)
        for name in ("dev", "prod")
    ]
    pipelines = [stack.node.find_child("Training") for stack in stacks]
    registries = [stack.node.find_child("Registry") for stack in stacks]
    assert len({pipeline.pipeline_name for pipeline in pipelines}) == 2
    assert len({registry.model_package_group_name for registry in registries}) == 2
    definition = pipelines[0].definition
    assert [parameter["Name"] for parameter in definition["Parameters"]] == ["InputDataKey"]
    (prep,) = [step for step in definition["Steps"] if step["Name"] == "Preprocess"]
    (source,) = prep["Arguments"]["ProcessingInputs"][:1]
    assert {"Get": "Parameters.InputDataKey"} in source["S3Input"]["S3Uri"]["Std:Join"]["Values"]


def _constructs_python(containing: str) -> str:
    """The Python block of docs/constructs.md (once the README's) that contains ``containing``."""
    readme = CONSTRUCTS.read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"^```python\n(.*?)^```", readme, re.S | re.M)
    (block,) = [b for b in blocks if containing in b]
    return block


def test_the_docs_immutable_role_example_creates_the_policy_and_warns():
    stack = cdk.Stack(cdk.App(), "Team")
    namespace: dict[str, Any] = {
        "iam": iam,
        "Pipeline": Pipeline,
        "self": stack,
        "role_arn": "arn:aws:iam::111122223333:role/platform",
        "definition": build_pipeline(data_bucket="data", model_package_group_name="models"),
    }
    exec(_constructs_python("platform_role = iam.Role.from_role_arn("), namespace)
    pipeline = namespace["pipeline"]
    assert pipeline.role_policy is not None
    Annotations.from_stack(stack).has_warning(
        "/Team/Training",
        Match.string_like_regexp(r"\[ack: cdk-sagemaker-pipelines:immutable-role\]$"),
    )


def test_the_docs_kept_policy_example_names_and_outputs_the_policy():
    # The policy a grant keeps for an immutable role, reached through its property.
    stack = cdk.Stack(cdk.App(), "Team")
    namespace: dict[str, Any] = {
        "iam": iam,
        "cast": cast,
        "CfnOutput": cdk.CfnOutput,
        "self": stack,
        "ci_role_arn": "arn:aws:iam::111122223333:role/ci",
        "pipeline": Pipeline(
            stack,
            "Training",
            definition=build_pipeline(data_bucket="data", model_package_group_name="models"),
        ),
    }
    exec(_constructs_python("start_pipeline_execution_policy"), namespace)
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "ManagedPolicyName": "ml-start-training",
            "PolicyDocument": {
                "Statement": [Match.object_like({"Action": "sagemaker:StartPipelineExecution"})]
            },
        },
    )
    assert "StartPolicyArn" in template.to_json()["Outputs"]


def test_the_docs_checks_example_fails_synth_on_a_finding(tmp_path):
    # The example passes synth_app the function that builds the app.
    # "...  # your stages and stacks": a pipeline whose jobs have open network access.
    stack = (
        '    stack = cdk.Stack(app, "Team")\n'
        '    Pipeline(stack, "Training", definition=build_pipeline(data_bucket="data", '
        'model_package_group_name="models"))\n'
    )
    example = _constructs_python("SageMakerPipelineChecks(require_network_isolation=True)")
    assert "    ...  # your stages and stacks\n" in example
    app = "App(post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS"
    example = example.replace(app, f"{app}, outdir={str(tmp_path)!r}")
    namespace: dict[str, Any] = {"cdk": cdk, "Pipeline": Pipeline, "build_pipeline": build_pipeline}
    with pytest.raises(SystemExit, match=r"^synth failed: "):
        exec(example.replace("    ...  # your stages and stacks\n", stack), namespace)
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert "SMP-JobNetworkIsolation[Train]" in json.dumps(report)


def test_a_stage_created_inside_a_stack_still_fails_synth_on_its_findings(tmp_path):
    # CDK Pipelines apps create their stages inside the pipeline stack, where aws-cdk-lib
    # skips the plugins added to a stage: MlOpsStage's network checks passed silently.
    from stacks import EnvironmentConfig, MlOpsStage, mlops_stack

    def pipeline_without_isolation(*args: Any, **kwargs: Any) -> Pipeline:
        # The stack forgets what its environment requires (as a mistake in stacks/ would).
        return Pipeline(*args, **{**kwargs, "enable_network_isolation": False})

    app = cdk.App(context=cdk_context(), outdir=str(tmp_path))
    delivery = cdk.Stack(app, "Delivery", env=cdk.Environment(account=ACCOUNT, region=REGION))
    config = EnvironmentConfig(name="prod", retain_data=False, require_network_isolation=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mlops_stack, "Pipeline", pipeline_without_isolation)
        MlOpsStage(delivery, "prod", config=config)
    with pytest.raises(RuntimeError, match=r"SMP-JobNetworkIsolation\[Train\]"):
        app.synth()


@pytest.mark.parametrize(
    ("retain_data", "alarm_email", "warned"),
    [(False, None, False), (True, None, True), (True, "ml-oncall@example.com", False)],
)
def test_only_a_production_environment_nobody_hears_of_is_warned(
    retain_data: bool, alarm_email: str | None, warned: bool
):
    # A failed prod run must reach someone: its topic without a subscriber stays warned
    # (cdk-sagemaker-pipelines:no-subscribers); dev and staging, throwaway, acknowledge it.
    from stacks import EnvironmentConfig
    from stacks.mlops_stack import MlOpsStack

    stack = MlOpsStack(
        cdk.Stage(cdk.App(context=cdk_context()), "env"),
        "MlOps",
        config=EnvironmentConfig(name="env", retain_data=retain_data, alarm_email=alarm_email),
    )
    found = Annotations.from_stack(stack).find_warning(
        "/env/MlOps/Failures", Match.string_like_regexp("no-subscribers")
    )
    assert bool(found) is warned


def test_only_production_with_a_schedule_pages_when_no_run_succeeds(
    reference_app: SynthesizedApp,
):
    # Prod retrains daily: two days without a success page. Staging (weekly, throwaway) and
    # dev (no schedule) don't: a window shorter than the schedule would always be in ALARM.
    for stack, expected in (("dev/MlOps", 0), ("staging/MlOps", 0), ("prod/MlOps", 1)):
        alarms = [
            resource["Properties"]
            for resource in reference_app.templates[stack]["Resources"].values()
            if resource["Type"] == "AWS::CloudWatch::Alarm"
            and resource["Properties"].get("MetricName") == "ExecutionSucceeded"
        ]
        assert len(alarms) == expected, stack
    (alarm,) = alarms
    assert (alarm["Period"], alarm["Threshold"], alarm["TreatMissingData"]) == (
        2 * 24 * 60 * 60,
        1,
        "breaching",
    )
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
