"""The user docs agree with the CDK layer they describe (the docs tests that need jsii).

The rest of the docs tests are in ``tests/test_docs.py``; these import ``stacks`` and
``cdk_sagemaker_pipelines.cdk``, so they run in the session that drives jsii.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import inspect
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from stacks.config import EnvironmentConfig
from tests.cdk.assembly import logical_id_paths
from tests.cdk.conftest import SynthesizedApp, cdk_context, new_stack, synthesize_reference_app
from tests.cdk.helpers import prep_and_train, synthesized
from tests.conftest import REPO

if TYPE_CHECKING:
    import aws_cdk as cdk

from tests.test_docs import (
    CONSTRUCTS,
    LIMITATIONS,
    LOCAL_RUNNER,
    MULTI_ACCOUNT,
    OUR_PACKAGES,
    OWN_PROJECT,
    REFERENCE,
    REFERENCE_APP,
    TOOLING_ACCOUNT,
    changing_a_deployed_app,
    code_blocks,
    multi_account_environments,
    tutorial_project,
    tutorial_section,
)


@pytest.mark.parametrize("doc", [*REFERENCE, LOCAL_RUNNER], ids=lambda path: path.name)
def test_names_the_docs_import_exist(doc: Path) -> None:
    for block in code_blocks(doc.read_text(), "python"):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OUR_PACKAGES):
                module = importlib.import_module(node.module or "")
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"


def test_constructs_list_every_environment_setting_with_its_default() -> None:
    rows = {
        cells[0]: cells[2]
        for line in REFERENCE_APP.read_text().splitlines()
        if line.startswith("| `")
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
        if len(cells) == 3
    }
    defaults = EnvironmentConfig(name="any")
    for field in dataclasses.fields(EnvironmentConfig):
        if field.name == "name":
            continue
        key = next((row for row in rows if f"`{field.name}`" in row), None)
        assert key is not None, f"docs/reference-app.md has no row for {field.name}"
        value = getattr(defaults, field.name)
        if value is None and field.name in ("account", "region"):
            assert "environment-agnostic" in rows[key]
        else:
            rendered = list(value) if isinstance(value, tuple) else value
            assert rows[key] == f"`{json.dumps(rendered)}`", field.name


# What docs/upgrading.md's "Changing a deployed app" calls each kind of stateful resource.
STATEFUL_WORDS = {
    "AWS::KMS::Key": "key",
    "AWS::S3::Bucket": "bucket",
    "AWS::SageMaker::ModelPackageGroup": "group",
    "AWS::SageMaker::Pipeline": "pipeline",
}


def test_constructs_say_which_stateful_resources_a_renamed_construct_takes_along() -> None:
    # A construct renamed or moved gives every resource under it a new logical id: the entry
    # that says what that does must name each kind of stateful resource it holds (a
    # Pipeline without artifact_store holds its own store's key and buckets).
    import aws_cdk as cdk

    from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry, Pipeline

    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    store.add_bucket("Data")
    constructs = {
        "The `Pipeline` moved under another parent construct or renamed": Pipeline(
            stack, "Training", definition=prep_and_train()
        ),
        "An `ArtifactStore` renamed or moved under another parent construct": store,
        "The registry's `model_package_group_name` changed, or its construct moved": (
            ModelRegistry(stack, "Registry")
        ),
    }
    changes = changing_a_deployed_app()
    unnamed: dict[str, list[str]] = {}
    for change, construct in constructs.items():
        effect = next((effect for cause, effect in changes.items() if cause.startswith(change)), "")
        kinds = {
            STATEFUL_WORDS[child.cfn_resource_type]
            for child in construct.node.find_all()
            if isinstance(child, cdk.CfnResource) and child.cfn_resource_type in STATEFUL_WORDS
        }
        missing = sorted(kind for kind in kinds if kind not in effect.lower())
        if missing:
            unnamed[change] = missing
    assert unnamed == {}


def test_upgrading_says_a_model_sources_replaced_bucket_is_kept() -> None:
    # Naming a model_source replaces the source's bucket, and the source shares with
    # RETAIN, UpdateReplacePolicy included: the old bucket is kept even without
    # retain_data (the entry said it was deleted), and bills until someone deletes it.
    import aws_cdk as cdk

    import app as reference
    from stacks import MlOpsStage

    context = {
        **cdk_context(),
        "environments": {
            "staging": {"account": "333333333333", "region": "eu-west-1", "retain_data": False},
            "prod": {"account": "444444444444", "region": "eu-west-1", "model_source": "staging"},
        },
    }
    staging = reference.build_app(context).node.find_child("staging")
    assert isinstance(staging, MlOpsStage)
    bucket = staging.stack.artifacts.bucket.node.default_child
    assert isinstance(bucket, cdk.CfnResource)
    assert bucket.cfn_options.update_replace_policy == cdk.CfnDeletionPolicy.RETAIN
    effect = _changing("`model_source` set on an environment")
    assert "the old one, with its objects, leaves the stack and is kept, whatever" in effect
    assert "else deleted" not in effect


def test_limitations_say_job_log_groups_are_sagemakers_to_keep(
    reference_app: SynthesizedApp,
) -> None:
    # The stacks create no job log group (only the sealing function's, with a retention);
    # the step role lets SageMaker create the job log groups, which therefore never expire
    # unless their retention is set apart.
    creating = []
    for template in reference_app.templates.values():
        resources = template["Resources"]
        groups = [r for r in resources.values() if r["Type"] == "AWS::Logs::LogGroup"]
        assert [g["Properties"]["LogGroupName"].split("/")[2] for g in groups] in ([], ["lambda"])
        assert all(g["Properties"]["RetentionInDays"] == 365 for g in groups)
        creating += [
            json.dumps(statement["Resource"])
            for resource in resources.values()
            if resource["Type"] == "AWS::IAM::ManagedPolicy"
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]
            if "logs:CreateLogGroup" in statement["Action"]
        ]
    assert creating
    assert [found for found in creating if "log-group:/aws/sagemaker/" not in found] == []
    limitations = LIMITATIONS.read_text()  # the list, and the AWS behaviour checked
    assert "/aws/sagemaker/TrainingJobs" in limitations
    assert "put-retention-policy" in limitations


def test_constructs_say_each_dead_letter_queue_has_an_alarm(
    reference_app: SynthesizedApp,
) -> None:
    # A trigger's or schedule's failed starts wait in its dead-letter queue: each is alarmed.
    for template in reference_app.templates.values():
        queues, alarmed = [], []
        for logical_id, resource in template["Resources"].items():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::SQS::Queue":
                assert properties["MessageRetentionPeriod"] == 14 * 24 * 60 * 60
                queues.append(logical_id)
            if resource["Type"] == "AWS::CloudWatch::Alarm" and (
                properties.get("Namespace") == "AWS/SQS"
            ):
                assert properties["MetricName"] == "ApproximateNumberOfMessagesVisible"
                assert properties["AlarmActions"]
                (dimension,) = properties["Dimensions"]
                alarmed.append(dimension["Value"]["Fn::GetAtt"][0])
        assert queues
        assert sorted(alarmed) == sorted(queues)
    text = CONSTRUCTS.read_text()
    section = text[text.index("\n### `PipelineMonitoring`\n") :]
    section = section[: section.index("\n### ", 1)]
    assert "on which nothing alarms" not in section
    assert "`dead_letter_queues`" in section


def test_constructs_say_the_schedule_setting_is_in_utc(reference_app: SynthesizedApp) -> None:
    schedules = [
        resource["Properties"]
        for template in reference_app.templates.values()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Scheduler::Schedule"
    ]
    assert schedules
    assert {schedule["ScheduleExpressionTimezone"] for schedule in schedules} == {"Etc/UTC"}
    (row,) = [
        line for line in REFERENCE_APP.read_text().splitlines() if line.startswith("| `schedule` |")
    ]
    assert "UTC" in row


def test_constructs_say_where_the_outputs_point_and_how_to_start_a_run(
    reference_app: SynthesizedApp,
) -> None:
    # After `cdk deploy "dev/*"`: the names the guide's commands give are the dev stack's.
    text = " ".join(REFERENCE_APP.read_text().split())  # as rendered: line breaks are spaces
    section = text[text.index("## What it deploys") : text.index("## What it costs")]
    lookup = re.search(r"describe-stacks --stack-name (\S+) --query Stacks\[0\]\.Outputs", section)
    start = re.search(r"start-pipeline-execution --pipeline-name ([\w-]+)", section)
    assert lookup is not None
    assert start is not None
    (stack,) = [
        stack
        for stage in reference_app.assembly.nested_assemblies
        for stack in stage.nested_assembly.stacks
        if stack.hierarchical_id == "dev/MlOps"
    ]
    assert stack.stack_name == lookup[1]
    template = reference_app.templates["dev/MlOps"]
    resources = template["Resources"]
    paths = logical_id_paths(reference_app, "dev/MlOps")
    outputs = {name: output["Value"] for name, output in template["Outputs"].items()}
    named = re.findall(r"`(\w+)`", section[section.index("prints the stack's outputs") :])
    assert set(outputs) <= set(named)
    data_bucket = outputs["DataBucketName"]["Ref"]
    assert paths[data_bucket] == "dev/MlOps/Artifacts/Data/Resource"
    # The new-data trigger watches incoming/ of that bucket, as the guide says.
    patterns = [
        resource["Properties"]["EventPattern"]
        for resource in resources.values()
        if resource["Type"] == "AWS::Events::Rule"
        and "aws.s3" in resource["Properties"]["EventPattern"].get("source", [])
    ]
    assert [pattern["detail"]["bucket"]["name"] for pattern in patterns] == [[{"Ref": data_bucket}]]
    assert [pattern["detail"]["object"]["key"] for pattern in patterns] == [
        [{"prefix": "incoming/"}]
    ]
    assert "`incoming/` starts a run by itself" in section
    (pipeline,) = [r for r in resources.values() if r["Type"] == "AWS::SageMaker::Pipeline"]
    assert pipeline["Properties"]["PipelineName"] == start[1]
    registry = [r for r in resources.values() if r["Type"] == "AWS::SageMaker::ModelPackageGroup"]
    assert [r["Properties"]["ModelPackageGroupName"] for r in registry] == [
        "dev-breast-cancer-classifier"
    ]
    assert "`dev-breast-cancer-classifier` group" in section


def _calls_with_unknown_keywords(code: str) -> list[str]:
    """`Class(kw=…)` and `Class.method(kw=…)` calls of our public API naming no parameter."""
    from cdk_sagemaker_pipelines import cdk, definition, local

    unknown: list[str] = []
    innermost = re.compile(r"\b([A-Z]\w*)(?:\.([a-z_]\w*))?\(([^()]*)\)")
    while match := innermost.search(code):
        name, method, arguments = match.groups()
        code = code[: match.start()] + "_" + code[match.end() :]  # nested calls first
        owner = next((m for m in (definition, cdk, local) if hasattr(m, name)), None)
        if owner is None:
            continue
        target = getattr(getattr(owner, name), method) if method else getattr(owner, name)
        parameters = inspect.signature(target).parameters
        for keyword in re.findall(r"(?:^|[,\s])([a-z_]\w*)=", arguments):
            if keyword not in parameters:
                unknown.append(f"{match[0]}: {keyword}=")
    return unknown


@pytest.mark.parametrize("doc", [*REFERENCE, LOCAL_RUNNER], ids=lambda path: path.name)
def test_docs_calls_name_real_arguments(doc: Path) -> None:
    spans = re.findall(r"`([^`\n]+)`", doc.read_text())
    assert [problem for span in spans for problem in _calls_with_unknown_keywords(span)] == []


def _docstring_examples() -> dict[str, str]:
    """The ``Example::`` blocks of the public API's docstrings (what ``help()`` shows)."""
    from cdk_sagemaker_pipelines import cdk, definition, local, review

    examples: dict[str, str] = {}
    for module in (definition, local, review, cdk):
        for name in module.__all__:
            owner = getattr(module, name)
            members = [(name, owner)]
            if inspect.isclass(owner):
                members += [(f"{name}.{key}", value) for key, value in vars(owner).items()]
            for qualified, member in members:
                doc = inspect.getdoc(getattr(member, "__func__", member)) or ""
                for index, block in enumerate(re.findall(r"::\n\n((?: {4}.*\n|\n)+)", doc + "\n")):
                    examples[f"{module.__name__}.{qualified}[{index}]"] = block
    return examples


def test_docstring_examples_name_real_arguments() -> None:
    examples = _docstring_examples()
    assert len(examples) > 100
    unknown = {
        where: problems
        for where, block in examples.items()
        if (problems := _calls_with_unknown_keywords(block))
    }
    # UnknownArgumentError's example shows the error it raises.
    assert list(unknown) == ["cdk_sagemaker_pipelines.definition.UnknownArgumentError[0]"]


def test_migration_guide_here_column_names_real_arguments() -> None:
    guide = (REPO / "docs" / "sdk-comparison.md").read_text()
    guide = guide[guide.index("## Migrating an SDK pipeline") :]
    here_cells = [
        line.strip().strip("|").split("|")[1]
        for line in guide.splitlines()
        if line.startswith("| `")
    ]
    assert len(here_cells) > 30
    problems = [
        problem
        for cell in here_cells
        for span in re.findall(r"`([^`]+)`", cell)
        for problem in _calls_with_unknown_keywords(span)
    ]
    assert problems == []


def test_constructs_sdk_json_example_deploys_the_definition_with_this_apps_role_and_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Match

    from cdk_sagemaker_pipelines.cdk import ArtifactStore

    text = CONSTRUCTS.read_text()
    section = text[text.index("## A pipeline from the SageMaker SDK, as JSON") :]
    (example,) = [block for block in code_blocks(section, "python") if "def sdk_pipeline(" in block]
    namespace: dict[str, Any] = {}
    exec(example, namespace)
    # An SDK definition with all three ways the SDK writes its bucket (a URI, a Join's first
    # value "s3://bucket", a Join of "s3:/" and the bucket), as the SDK session named them.
    sdk = (REPO / "tests/definition/sdk_generated/sdk-processors-and-conditions.json").read_text()
    sdk = sdk.replace("arn:aws:iam::111122223333:role/sm", namespace["SDK_ROLE"])
    sdk = sdk.replace("my-bucket", namespace["SDK_BUCKET"])
    for written in ('"s3://my-bucket"', '"my-bucket"', "s3://my-bucket/"):
        assert written.replace("my-bucket", namespace["SDK_BUCKET"]) in sdk
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "sdk_pipeline.json").write_text(sdk)
    monkeypatch.chdir(tmp_path)

    stack = cdk.Stack(cdk.App(), "Team")
    namespace["sdk_pipeline"](stack, ArtifactStore(stack, "Artifacts"))
    synthesized_template, annotations = synthesized(stack)  # one synthesis
    template = json.dumps(synthesized_template.to_json())
    assert namespace["SDK_ROLE"] not in template
    assert namespace["SDK_BUCKET"] not in template
    # The jobs run as the step role, which gets the derived permissions.
    role_warning = Match.string_like_regexp("job-role-not-step-role")
    assert annotations.find_warning("*", role_warning) == []


def test_getting_started_cdk_app_synthesizes_and_shows_what_the_tutorial_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import functools
    import runpy

    import aws_cdk as cdk

    from cdk_sagemaker_pipelines.cli import main

    def cdk_synth() -> int:
        # What the CDK CLI does: run cdk.json's app, its output directory cdk.out. The CLI
        # names it in CDK_OUTDIR, which the running jsii process (whose working directory
        # is not this one) never sees.
        (app,) = json.loads((tmp_path / "cdk.json").read_text())["app"].split()[1:]
        monkeypatch.setattr(
            cdk, "App", functools.partial(cdk.App, outdir=str(tmp_path / "cdk.out"))
        )
        runpy.run_path(str(tmp_path / app), run_name="__main__")
        return 0

    run_deployed = (
        "smpipe run --assembly cdk.out --pipeline first-pipeline"
        " --s3-map s3://firstpipeline-artifacts-data/raw=data/raw"
    )
    with tutorial_project(tmp_path, monkeypatch) as shell:
        shell.commands = {
            "cdk synth --quiet": cdk_synth,
            # Its first step only, which reads the mapped data: the rest is tested without CDK.
            run_deployed: lambda: main([*run_deployed.split()[1:], "--steps", "Prepare"]),
        }
        assert shell.run("python make_data.py") == 0
        ran = shell.follow(tutorial_section(5), capsys)
        # What the tutorial says a missing grant looks like: the same run, its Prepare step
        # rerun (not a cache hit, which makes no request) with that grant taken out.
        template_path = tmp_path / "cdk.out" / "FirstPipeline.template.json"
        template = json.loads(template_path.read_text())
        removed = 0
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::IAM::ManagedPolicy":
                document = resource["Properties"]["PolicyDocument"]
                kept = [s for s in document["Statement"] if s["Sid"] != "ReadDataInDataBucket"]
                removed += len(document["Statement"]) - len(kept)
                document["Statement"] = kept
        assert removed == 1
        template_path.write_text(json.dumps(template))
        capsys.readouterr()
        status = main([*run_deployed.split()[1:], "--steps", "Prepare", "--no-cache"])
        printed = capsys.readouterr().out.splitlines()
    assert ran == [
        "cdk synth --quiet",
        "smpipe graph cdk.out --pipeline first-pipeline",
        "python show_synth.py",
        run_deployed,
        "smpipe access cdk.out --pipeline first-pipeline",
    ]
    (denied,) = re.findall(r"once with `(Prepare: AccessDenied[^`]*)`", tutorial_section(5))
    assert status == 1
    assert any(" ".join(line.split()).startswith(" ".join(denied.split())) for line in printed)
    # The tutorial says what a working synth prints: a reader takes any warning it doesn't
    # name for a mistake of theirs.
    said = " ".join(tutorial_section(5).split())
    warned = _assembly_warning_ids(tmp_path / "cdk.out")
    assert warned == {"cdk-sagemaker-pipelines:registered-artifact-writable"}
    assert all(f"`{warning}`" in said for warning in warned), warned
    assert "When it works, it prints one warning" in said


def _assembly_warning_ids(assembly: Path) -> set[str]:
    """The ids of the warnings ``cdk synth`` prints for an assembly (``[ack: <id>]``)."""
    files = [assembly / "manifest.json", *assembly.glob("*.metadata.json")]
    text = " ".join(path.read_text() for path in files)
    return set(re.findall(r"\[ack: ([\w:-]+)\]", text))


_SNAPSHOT_APP = """
import aws_cdk as cdk

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.definition import FailStep, PipelineDefinition


def build_app(context: dict[str, object] | None = None) -> cdk.App:
    app = cdk.App(context=context)
    stage = cdk.Stage(app, "dev")
    env = cdk.Environment(account="111122223333", region="eu-west-1")
    stack = cdk.Stack(stage, "TeamMl", env=env)
    store = ArtifactStore(stack, "Artifacts")
    steps = [FailStep(name="STEP_NAME", error_message="nothing to do")]
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=steps), artifact_store=store)
    return app
"""


# The options of the pytest runs of a project of one's own: no cache written into it, and
# no hypothesis plugin (installed here, not there). An in-process run drops every module
# it imported when it ends (``Pytester``'s snapshot of ``sys.modules``), and the plugin's
# summary imports hypothesis, assertion-rewritten as a plugin's package: about 0.7 s of
# CPU per run, for a library the project's tests never use.
WITHOUT_HYPOTHESIS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def test_own_project_snapshot_test_records_and_catches_a_change(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The snapshot test docs/own-project.md gives for an app of your own, run as its pytest
    # would: it records each stack, passes unchanged, and fails when the pipeline changes.
    readme = OWN_PROJECT.read_text()
    (test_module,) = [
        block for block in code_blocks(readme, "python") if "TemplateSnapshot" in block
    ]
    pytester.makepyfile(app=_SNAPSHOT_APP.replace("STEP_NAME", "Nothing"))
    # A feature flag in cdk.json, as `cdk init` writes: the snapshot follows it, as the
    # template `cdk synth` writes does.
    flags = {"context": {"@aws-cdk/core:enablePartitionLiterals": True}}
    (pytester.path / "cdk.json").write_text(json.dumps(flags))
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_snapshots.py").write_text(test_module)
    pytester.makeini("[pytest]\npythonpath = .\n")
    monkeypatch.delitem(sys.modules, "app", raising=False)  # this repository's app.py
    # app.py is rewritten within the second: a bytecode cache of the same size and mtime
    # would be taken for the new source.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    def run(*args: str) -> pytest.RunResult:
        result = pytester.runpytest_inprocess(*WITHOUT_HYPOTHESIS, "tests", *args)
        sys.modules.pop("app", None)
        return result

    run("--snapshot-update").assert_outcomes(passed=1, warnings=0)
    (snapshot,) = (pytester.path / "tests" / "__snapshots__").rglob("*.json")
    assert snapshot.relative_to(pytester.path).as_posix() == (
        "tests/__snapshots__/test_snapshots/test_stack_matches_snapshot[dev-TeamMl].json"
    )
    text = snapshot.read_text()
    assert '"Name": "Nothing"' in text  # the definition decoded, one value per line
    assert "BootstrapVersion" not in text
    assert "arn:aws:" in text
    assert "AWS::Partition" not in text
    run().assert_outcomes(passed=1, warnings=0)
    pytester.makepyfile(app=_SNAPSHOT_APP.replace("STEP_NAME", "RenamedStep"))
    run().assert_outcomes(failed=1)


_NAG_APP = """
import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from cdk_sagemaker_pipelines.cdk import (
    FAIL_SYNTH_ON_VALIDATION_ERRORS,
    ArtifactStore,
    Pipeline,
    SageMakerPipelineChecks,
)
from cdk_sagemaker_pipelines.definition import FailStep, PipelineDefinition


def build_app(context: dict[str, object] | None = None) -> cdk.App:
    app = cdk.App(context=context, post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
    cdk.Validations.of(app).add_plugins(PACKS)
    stack = cdk.Stack(app, "TeamMl")
    store = ArtifactStore(stack, "Artifacts")
    steps = [FailStep(name="Nothing", error_message="nothing to do")]
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=steps), artifact_store=store)
    return app
"""


def test_own_project_nag_test_passes_and_names_a_finding(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cdk-nag test docs/own-project.md gives for an app of your own, with the packs added
    # as it says: it passes on what the constructs acknowledge, and fails on a finding that is
    # the app's to decide (NIST 800-53's replication of the store's buckets), naming it.
    readme = OWN_PROJECT.read_text()
    (test_module,) = [
        block
        for block in code_blocks(readme, "python")
        if "def test_app_synthesizes_without_findings" in block
    ]
    (pytester.path / "cdk.json").write_text('{"context": {}}')
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_nag.py").write_text(test_module)
    pytester.makeini("[pytest]\npythonpath = .\n")
    monkeypatch.delitem(sys.modules, "app", raising=False)  # this repository's app.py
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    def run(packs: str) -> pytest.RunResult:
        pytester.makepyfile(app=_NAG_APP.replace("PACKS", packs))
        # Python's own traceback: pytest's would parse aws_cdk/__init__.py (about 100,000
        # lines) to show the failing call's statement, a second and a half of CPU.
        result = pytester.runpytest_inprocess(*WITHOUT_HYPOTHESIS, "--tb=native", "tests")
        sys.modules.pop("app", None)
        return result

    run("AwsSolutionsChecks(app), SageMakerPipelineChecks()").assert_outcomes(passed=1)
    failed = run("NIST80053R5Checks(app)")
    failed.assert_outcomes(failed=1)
    findings = set(re.findall(r"NIST\.800\.53\.R5-\w+", failed.stdout.str()))
    assert findings == {"NIST.800.53.R5-S3BucketReplicationEnabled"}
    # The doc tells a new app to expect that finding, and what to do about it.
    assert findings <= set(re.findall(r"NIST\.800\.53\.R5-\w+", readme))


def test_extending_cdk_examples_give_company_defaults_and_rules(tmp_path: Path) -> None:
    import aws_cdk as cdk

    from cdk_sagemaker_pipelines.definition import (
        Code,
        Image,
        PipelineDefinition,
        PipelineDefinitionError,
        TrainingStep,
    )
    from tests.test_docs import EXTENDING, extending_block

    namespace: dict[str, Any] = {}
    for marker in ("class AcmePipeline(", "def mirrored(", "MAX_RUNTIME_RULE = Rule("):
        exec(extending_block(marker), namespace)
    # The example's app, writing its assembly under tmp_path.
    block = extending_block("App(post_cli_context=")
    exec(block.replace("App(", f"App(outdir={str(tmp_path)!r}, "), namespace)
    app: cdk.App = namespace["app"]
    assert Path(app.outdir) == tmp_path
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account="111122223333", region="us-east-1"))
    train = TrainingStep(
        name="Train",
        image=namespace["mirrored"](stack, Image.sklearn("1.2-1")),
        code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
        max_runtime_in_seconds=2 * 86400,
    )
    # A second image of the same repository reuses its construct.
    again = namespace["mirrored"](stack, Image.sklearn("1.2-1"))
    assert [again.repository.node.path] == [child.node.path for child in stack.node.children]
    definition = PipelineDefinition(steps=[train])
    acme = namespace["AcmePipeline"]
    doc = " ".join(EXTENDING.read_text().split())
    for props, quoted in (
        (
            {"artifact_stor": None},
            "AcmePipeline takes no argument 'artifact_stor' (did you mean 'artifact_store'?)",
        ),
        (
            {"enable_network_isolation": "yes"},
            "Pipeline Ml/Training has 1 problem: - prop 'enable_network_isolation': ",
        ),
    ):
        with pytest.raises(PipelineDefinitionError) as raised:
            acme(stack, "Training", definition=definition, **props)
        assert " ".join(str(raised.value).split()).startswith(quoted)
        assert quoted.replace("Ml/Training", "dev/Ml/Training") in doc
    pipeline = acme(stack, "Training", definition=definition)

    (body,) = [step["Arguments"] for step in pipeline.definition["Steps"]]
    assert body["EnableNetworkIsolation"] is True
    image = stack.resolve(body["AlgorithmSpecification"]["TrainingImage"])
    assert json.dumps(image).endswith('/mirror/sagemaker-scikit-learn:1.2-1-cpu-py3"]]}'), image
    # The company's rule fails synth, naming the team's step, as the built-in ones do.
    with pytest.raises(RuntimeError, match=r"^ValidationFailed"):
        app.synth()
    template = json.loads((Path(app.outdir) / "Ml.template.json").read_text())
    resources = template["Resources"]
    (cfn_pipeline,) = [r for r in resources.values() if r["Type"] == "AWS::SageMaker::Pipeline"]
    assert {"Key": "cost-center", "Value": "ml-42"} in cfn_pipeline["Properties"]["Tags"]
    pulls = [
        statement["Resource"]
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if "ecr:BatchGetImage" in statement["Action"]
    ]
    assert "repository/mirror/sagemaker-scikit-learn" in json.dumps(pulls)
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    violations = [
        violation["ruleName"]
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    ]
    assert violations == ["ACME-MaxRuntime[Train]"]


def test_extending_acknowledges_a_rules_finding_with_its_reason(tmp_path: Path) -> None:
    import aws_cdk as cdk

    from cdk_sagemaker_pipelines.cdk import Pipeline
    from cdk_sagemaker_pipelines.definition import Code, Image, PipelineDefinition, TrainingStep
    from tests.test_docs import EXTENDING, extending_block

    def synth(acknowledgment: str, outdir: Path) -> dict[str, Any]:
        namespace: dict[str, Any] = {}
        exec(extending_block("MAX_RUNTIME_RULE = Rule("), namespace)
        block = extending_block("App(post_cli_context=")
        exec(block.replace("App(", f"App(outdir={str(outdir)!r}, "), namespace)
        stack = cdk.Stack(namespace["app"], "Ml")
        train = TrainingStep(
            name="Train",
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://my-bucket/code/train.tar.gz", entry_point="train.py"),
            max_runtime_in_seconds=2 * 86400,
        )
        namespace["pipeline"] = Pipeline(
            stack, "Training", definition=PipelineDefinition(steps=[train])
        )
        exec(acknowledgment, namespace)
        with contextlib.suppress(RuntimeError):  # the report is written either way
            namespace["app"].synth()
        report = json.loads((outdir / "validation-report.json").read_text())
        (plugin,) = report["pluginReports"]
        return dict(plugin)

    block = extending_block("Acknowledgment(")
    acknowledged = synth(block, tmp_path / "namespaced")
    assert (acknowledged["conclusion"], acknowledged["violations"]) == ("success", [])
    (suppressed,) = acknowledged["suppressedViolations"]
    assert suppressed["ruleName"] == "ACME-MaxRuntime[Train]"
    assert suppressed["reason"].startswith("a two-day run")
    # What the doc says of an id without the namespace.
    bare = block.replace("SageMakerPipelineChecks::", "")
    doc = " ".join(EXTENDING.read_text().split())
    assert "`ACME-MaxRuntime[Train]` acknowledges nothing" in doc
    ignored = synth(bare, tmp_path / "bare")
    assert [v["ruleName"] for v in ignored["violations"]] == ["ACME-MaxRuntime[Train]"]


def test_extending_checks_a_configuration_with_the_public_helpers() -> None:
    # The block's asserts are the test: it imports the cdk package, so it runs here.
    from tests.test_docs import extending_block

    namespace: dict[str, Any] = {}
    exec(extending_block("def instance_type_problem("), namespace)
    problem = namespace["instance_type_problem"]
    assert problem("processing", "ml.c5n.xlarge", []) == (
        "'ml.c5n.xlarge' is no processing instance type (did you mean 'ml.c5.xlarge' or "
        "'ml.c5.9xlarge' or 'ml.c5.4xlarge'?)"
    )
    assert problem("training", "ml.m5.large", ["ml.m5.xlarge"]) == (
        "'ml.m5.large' is not one of the company's: 'ml.m5.xlarge'"
    )


def _pipeline_template(
    *,
    step: str = "Prep",
    pipeline_name: str = "churn",
    removal: cdk.RemovalPolicy | None = None,
) -> dict[str, Any]:
    """The template of a store, registry and pipeline (one step, a role of its own)."""
    import aws_cdk as cdk

    from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry, Pipeline
    from cdk_sagemaker_pipelines.definition import Code, Image, PipelineDefinition, ProcessingStep
    from tests.cdk.helpers import PREPROCESS

    removal_policy = removal or cdk.RemovalPolicy.RETAIN
    stack = new_stack()
    store = ArtifactStore(stack, "Store", removal_policy=removal_policy)
    ModelRegistry(stack, "Registry", artifact_store=store, removal_policy=removal_policy)
    prep = ProcessingStep(
        name=step, image=Image.sklearn("1.2-1"), code=Code.from_asset(PREPROCESS), outputs=["out"]
    )
    Pipeline(
        stack,
        "Training",
        pipeline_name=pipeline_name,
        definition=PipelineDefinition(steps=[prep]),
        artifact_store=store,
        dedicated_step_roles="*",
        removal_policy=removal_policy,
    )
    return dict(cdk.assertions.Template.from_stack(stack).to_json())


def _changing(change: str) -> str:
    (effect,) = [effect for cause, effect in changing_a_deployed_app().items() if change in cause]
    return effect


def test_constructs_say_what_renaming_a_step_or_the_pipeline_replaces() -> None:
    # What "Changing a deployed app" says of these changes is what a cdk diff shows.
    base = _pipeline_template()["Resources"]
    # A renamed step with a role of its own: its role and managed policy are replaced.
    renamed_step = _pipeline_template(step="Prepare")["Resources"]
    removed = {base[logical_id]["Type"] for logical_id in base.keys() - renamed_step.keys()}
    assert removed == {"AWS::IAM::Role", "AWS::IAM::ManagedPolicy"}
    assert any("StepRolePrep" in logical_id for logical_id in base.keys() - renamed_step.keys())
    effect = _changing("A step renamed")
    assert "`StepRole-<step>`) are replaced" in effect
    assert "deploy while none runs" in effect
    # A new pipeline_name: the managed policies' descriptions name it, and a description
    # can't change in place (CloudFormation replaces the policy).
    renamed = _pipeline_template(pipeline_name="churn-2")["Resources"]
    assert renamed.keys() == base.keys()
    replaced = sorted(
        logical_id
        for logical_id, resource in base.items()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
        and resource["Properties"]["Description"]
        != renamed[logical_id]["Properties"]["Description"]
    )
    policies = [r for r in base.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    assert len(replaced) == len(policies) >= 3
    assert "new managed policies for its roles" in _changing("`pipeline_name` changed")


def test_constructs_say_a_removal_policy_change_replaces_nothing() -> None:
    import aws_cdk as cdk

    retained = _pipeline_template()["Resources"]
    destroyed = _pipeline_template(removal=cdk.RemovalPolicy.DESTROY)["Resources"]
    assert retained.keys() == destroyed.keys()
    changed: set[str] = set()
    for logical_id, resource in retained.items():
        other = destroyed[logical_id]
        policies = ("DeletionPolicy", "UpdateReplacePolicy")
        # Nothing but the deletion policies differs: no property, so no update or replacement.
        assert {k: v for k, v in resource.items() if k not in policies} == {
            k: v for k, v in other.items() if k not in policies
        }, logical_id
        if resource != other:
            changed.add(resource["Type"])
    assert {"AWS::KMS::Key", "AWS::S3::Bucket", "AWS::SageMaker::Pipeline"} <= changed
    assert "AWS::SageMaker::ModelPackageGroup" in changed
    effect = _changing("`removal_policy` of an `ArtifactStore`, `ModelRegistry` or `Pipeline`")
    assert "nothing is updated or replaced" in effect


def test_batch_scoring_load_on_success_block_builds_the_rule_it_describes() -> None:
    # docs/batch-scoring.md "Getting the results downstream": the block runs against a
    # Pipeline and gives the load a rule on the execution's success event.
    from aws_cdk import aws_events_targets as targets
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template

    from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline

    docs = (REPO / "docs" / "batch-scoring.md").read_text()
    section = docs[docs.index("## Getting the results downstream") : docs.index("## The stack")]
    (block,) = code_blocks(section, "python")
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    pipeline = Pipeline(stack, "Scoring", definition=prep_and_train(), artifact_store=store)
    load_function = lambda_.Function(
        stack,
        "Load",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    pass\n"),
    )
    namespace: dict[str, Any] = {
        "pipeline": pipeline,
        "targets": targets,
        "load_function": load_function,
    }
    exec(block, namespace)

    rules = Template.from_stack(stack).find_resources("AWS::Events::Rule")
    patterns = [rule["Properties"]["EventPattern"] for rule in rules.values()]
    [pattern] = [p for p in patterns if p.get("detail")]
    assert pattern["detail-type"] == ["SageMaker Model Building Pipeline Execution Status Change"]
    assert pattern["detail"] == {"currentPipelineExecutionStatus": ["Succeeded"]}
    assert namespace["loaded"].node.id == "LoadNightlyScores"


def test_migrating_from_projects_deploy_example_builds_the_endpoint_and_the_rule() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_codebuild as codebuild
    from aws_cdk.assertions import Match, Template

    from cdk_sagemaker_pipelines.cdk import ArtifactStore, ModelRegistry

    guide = (REPO / "docs" / "migrating-from-sagemaker-projects.md").read_text()
    [block] = [b for b in code_blocks(guide, "python") if "def add_endpoint" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, "migrating-from-sagemaker-projects.md", "exec"), namespace)

    arn = "arn:aws:sagemaker:us-east-1:111122223333:model-package/prod-abalone/3"
    app = cdk.App(context={"model_package_arn:prod": arn})
    env = cdk.Environment(account="111122223333", region="us-east-1")
    templates = {}
    for environment in ("staging", "prod"):
        stack = cdk.Stack(cdk.Stage(app, environment, env=env), "MlOps")
        store = ArtifactStore(stack, "Artifacts")
        registry = ModelRegistry(
            stack,
            "Registry",
            artifact_store=store,
            model_package_group_name=f"{environment}-abalone",
        )
        namespace["add_endpoint"](stack, store, registry)
        project = codebuild.Project(
            stack,
            "Deploy",
            build_spec=codebuild.BuildSpec.from_object({"version": "0.2", "phases": {}}),
        )
        namespace["deploy_on_approval"](registry, project)
        templates[environment] = Template.from_stack(stack)

    # staging names no version: no endpoint; prod serves the ARN on prod's settings.
    templates["staging"].resource_count_is("AWS::SageMaker::Endpoint", 0)
    templates["prod"].has_resource_properties(
        "AWS::SageMaker::Model", {"PrimaryContainer": {"ModelPackageName": arn}}
    )
    templates["prod"].has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {"ProductionVariants": [Match.object_like({"InitialInstanceCount": 2})]},
    )
    for template in templates.values():
        template.has_resource_properties(
            "AWS::Events::Rule",
            {
                "EventPattern": Match.object_like(
                    {"detail-type": ["SageMaker Model Package State Change"]}
                ),
                "Targets": [Match.object_like({"InputTransformer": Match.any_value()})],
            },
        )


# The secret and key the constructs guide's "Secrets for jobs" example imports.
HF_TOKEN_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:hf-token-AbCdEf"
HF_TOKEN_KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _secrets_for_jobs_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, dedicated: bool
) -> tuple[cdk.Stack, dict[str, Any]]:
    """The guide's "Secrets for jobs" blocks run in a stack: its script and its CDK code."""
    import aws_cdk as cdk

    from cdk_sagemaker_pipelines.cdk import ArtifactStore
    from tests.cdk.conftest import new_app
    from tests.cdk.test_policies import add_nag_packs

    text = CONSTRUCTS.read_text()
    section = text[text.index("### Secrets for jobs") : text.index("### Sealed model artifacts")]
    script, example = code_blocks(section, "python")
    assert "get_secret_value" in script
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "finetune.py").write_text(script)
    monkeypatch.chdir(tmp_path)
    if dedicated:
        assert example.count("artifact_store=store,") == 1
        example = example.replace(
            "artifact_store=store,", 'artifact_store=store,\n    dedicated_step_roles="*",'
        )
    app = new_app()
    stack = cdk.Stack(app, "Team", env=cdk.Environment(account="111122223333", region="us-east-1"))
    store = ArtifactStore(stack, "Artifacts")
    namespace: dict[str, Any] = {
        "self": stack,
        "store": store,
        "HF_TOKEN_SECRET_ARN": HF_TOKEN_SECRET_ARN,
        "HF_TOKEN_KEY_ARN": HF_TOKEN_KEY_ARN,
    }
    exec(example, namespace)
    add_nag_packs(app, store)  # a finding not acknowledged fails the synthesis
    return stack, namespace


@pytest.mark.parametrize("dedicated", [False, True], ids=["step-role", "dedicated-role"])
def test_constructs_secrets_example_grants_the_jobs_role_with_a_managed_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dedicated: bool
) -> None:
    from tests.cdk.helpers import definition_of, logical_id, pack_findings

    stack, namespace = _secrets_for_jobs_stack(tmp_path, monkeypatch, dedicated=dedicated)
    pipeline = namespace["pipeline"]
    template, _ = synthesized(stack)  # under the AwsSolutions and NIST 800-53 packs
    job_role = pipeline.dedicated_roles["FineTune"] if dedicated else pipeline.step_role
    assert namespace["job_role"] is job_role
    description = "Lets the fine-tuning jobs read the Hugging Face token"
    policies = template.find_resources(
        "AWS::IAM::ManagedPolicy", {"Properties": {"Description": description}}
    )
    (policy,) = policies.values()
    assert policy["Properties"]["Roles"] == [{"Ref": logical_id(job_role)}]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Sid": "ReadHfToken",
            "Action": "secretsmanager:GetSecretValue",
            "Effect": "Allow",
            "Resource": HF_TOKEN_SECRET_ARN,
        },
        {
            "Sid": "DecryptHfToken",
            "Action": "kms:Decrypt",
            "Condition": {
                "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
            },
            "Effect": "Allow",
            "Resource": HF_TOKEN_KEY_ARN,
        },
    ]
    assert template.find_resources("AWS::IAM::Policy") == {}  # nothing inline
    # The job is told where the secret is.
    (step,) = definition_of(template)["Steps"]
    assert step["Arguments"]["Environment"] == {"HF_TOKEN_SECRET_ARN": HF_TOKEN_SECRET_ARN}
    # Nor any finding of the two other packs the reference app runs, on a role or policy.
    assert [f for f in pack_findings(stack) if "ReadHfToken" in f or "Role" in f] == []


def test_constructs_secrets_example_says_why_not_grant_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the guide warns of: the secret's own grant writes an inline policy, flagged.
    from tests.cdk.helpers import pack_findings

    stack, namespace = _secrets_for_jobs_stack(tmp_path, monkeypatch, dedicated=False)
    namespace["hf_token"].grant_read(namespace["job_role"])
    inline = "Team/FineTuning/StepRole/DefaultPolicy/Resource"
    found = sorted(f for f in pack_findings(stack) if f.endswith(inline))
    assert found == [
        f"HIPAA.Security-IAMNoInlinePolicy {inline}",
        f"NIST.800.53.R5-IAMNoInlinePolicy {inline}",
        f"PCI.DSS.321-IAMNoInlinePolicy {inline}",
    ]
    text = " ".join(CONSTRUCTS.read_text().split())
    assert "`NIST.800.53.R5-IAMNoInlinePolicy`" in text


# What the CloudFormation execution policy must allow, as docs/multi-account.md names it,
# for each resource type the walkthrough's stacks hold: a new type must be named there.
EXECUTION_POLICY_WORDS = {
    "AWS::ApplicationAutoScaling::ScalableTarget": "Application Auto Scaling targets",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "Application Auto Scaling targets and policies",
    "AWS::CloudWatch::Alarm": "CloudWatch alarms",
    "AWS::CloudWatch::Dashboard": "CloudWatch alarms and dashboards",
    "AWS::Events::Rule": "EventBridge rules",
    "AWS::IAM::ManagedPolicy": "IAM roles and policies",
    "AWS::IAM::Policy": "IAM roles and policies",
    "AWS::IAM::Role": "IAM roles",
    "AWS::KMS::Key": "KMS keys",
    "AWS::Lambda::Function": "Lambda functions",
    "AWS::Logs::LogGroup": "CloudWatch Logs log groups",
    "AWS::S3::Bucket": "S3 buckets",
    "AWS::S3::BucketPolicy": "S3 buckets and their policies",
    "AWS::SNS::Topic": "SNS topics",
    "AWS::SNS::Subscription": "SNS topics and subscriptions",
    "AWS::SNS::TopicPolicy": "SNS topics",
    "AWS::SQS::Queue": "SQS queues",
    "AWS::SQS::QueuePolicy": "SQS queues",
    "AWS::SageMaker::DataQualityJobDefinition": "data quality job definitions",
    "AWS::SageMaker::Endpoint": "endpoints",
    "AWS::SageMaker::EndpointConfig": "endpoint configurations",
    "AWS::SageMaker::Model": "models",
    "AWS::SageMaker::ModelPackageGroup": "model package groups",
    "AWS::SageMaker::MonitoringSchedule": "monitoring schedules",
    "AWS::SageMaker::Pipeline": "SageMaker pipelines",
    "AWS::Scheduler::Schedule": "EventBridge Scheduler schedules",
    "Custom::AWS": "custom resources",
    "Custom::ModelDataLocations": "custom resources",
}


def _multi_account_versions() -> dict[str, str]:
    """The ``model_package_arn:<environment>`` keys of docs/multi-account.md's step 4."""
    blocks = [json.loads(block) for block in code_blocks(MULTI_ACCOUNT.read_text(), "json")]
    (versions,) = [block for block in blocks if "environments" not in block]
    return dict(versions)


def _promoted_environments() -> dict[str, Any]:
    """The snippet's environments once step 4's pull requests are merged.

    Each environment that serves a version declares it (``serves_endpoint``), as the
    walkthrough says.
    """
    versions = _multi_account_versions()
    return {
        name: {**settings, "serves_endpoint": True}
        if f"model_package_arn:{name}" in versions
        else settings
        for name, settings in multi_account_environments().items()
    }


def test_multi_account_cdk_json_is_valid_before_and_after_the_promotion() -> None:
    from stacks import load_environments

    text = " ".join(MULTI_ACCOUNT.read_text().split())
    first = load_environments(multi_account_environments(), cdk_context())
    assert TOOLING_ACCOUNT not in {config.account for config in first.values()}
    assert all(config.account and config.region for config in first.values())
    assert first["prod"].model_source == "staging"
    # Prod serves staging's versions and trains nothing of its own.
    assert first["prod"].trains is False
    assert all(config.trains for name, config in first.items() if name != "prod")
    assert '`"trains": false`' in text
    assert not any(config.model_package_arn for config in first.values())
    versions = _multi_account_versions()
    promoted = load_environments(_promoted_environments(), {**cdk_context(), **versions})
    for name in ("staging", "prod"):
        assert promoted[name].model_package_arn == versions[f"model_package_arn:{name}"]
        assert f'`"model_package_arn:{name}"`' in text
    assert '`"serves_endpoint": true`' in text
    # Prod's version is of the source's group, account and region, as the text says.
    assert versions["model_package_arn:prod"].startswith(
        f"arn:aws:sagemaker:{first['staging'].region}:{first['staging'].account}:"
        f"model-package/{first['staging'].model_package_group_name}/"
    )
    assert f"`{first['staging'].artifact_bucket_name}`" in text


@pytest.fixture(scope="module")
def multi_account_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The reference app with docs/multi-account.md's cdk.json, after the promotion."""
    context = {
        **cdk_context(),
        "environments": _promoted_environments(),
        **_multi_account_versions(),
    }
    return synthesize_reference_app(context, tmp_path_factory.mktemp("multi-account"))


def test_multi_account_app_deploys_each_account_by_itself_as_the_walkthrough_says(
    multi_account_app: SynthesizedApp,
) -> None:
    environments = multi_account_environments()
    accounts = {name: settings["account"] for name, settings in environments.items()}
    directory = multi_account_app.directory
    # No finding, not even a warning: prod names its on-call, the environments serving a
    # version declare it (synth fails on any unacknowledged error).
    report = directory / "validation-report.json"
    if report.exists():
        plugins = json.loads(report.read_text()).get("pluginReports", [])
        assert [v for plugin in plugins for v in plugin.get("violations", [])] == []
    for name, account in accounts.items():
        key = f"{name}/MlOps"
        text = multi_account_app.template_paths[key].read_text()
        # No reference between the accounts' stacks: names computed at synth, and policies.
        assert "Fn::ImportValue" not in text
        # Each account's code to its own bootstrap bucket, deployed by its own deploy role
        # (which the tooling account may assume: bootstrap --trust).
        (manifest,) = (directory / f"assembly-{name}").glob("*.assets.json")
        buckets = {
            destination["bucketName"]
            for asset in json.loads(manifest.read_text())["files"].values()
            for destination in asset["destinations"].values()
        }
        assert buckets == {f"cdk-hnb659fds-assets-{account}-eu-west-1"}
        (stack,) = (
            stack
            for stage in multi_account_app.assembly.nested_assemblies
            for stack in stage.nested_assembly.stacks
            if stack.hierarchical_id == key
        )
        assert stack.environment.account == account
        assert f"role/cdk-hnb659fds-deploy-role-{account}-eu-west-1" in str(stack.assume_role_arn)
        # The accounts its resource policies admit, its own aside: prod's, in staging's
        # group, bucket and key policies; none in dev's or prod's.
        admitted = set(re.findall(r"arn:aws:iam::(\d{12}):root", text)) - {account}
        assert admitted == ({accounts["prod"]} if name == "staging" else set()), name
    # Prod serves staging's version, from staging's bucket, kept by staging's stack.
    prod = multi_account_app.templates["prod/MlOps"]["Resources"]
    (model,) = (r["Properties"] for r in prod.values() if r["Type"] == "AWS::SageMaker::Model")
    assert model["PrimaryContainer"] == {
        "ModelPackageName": _multi_account_versions()["model_package_arn:prod"]
    }
    staging = multi_account_app.templates["staging/MlOps"]["Resources"]
    (bucket,) = (
        resource
        for resource in staging.values()
        if resource["Type"] == "AWS::S3::Bucket" and "BucketName" in resource["Properties"]
    )
    named = f"staging-artifacts-{accounts['staging']}-eu-west-1"
    assert bucket["Properties"]["BucketName"] == named
    assert bucket["DeletionPolicy"] == "Retain"  # although staging keeps no data
    # Prod trains nothing ("trains": false): no pipeline, registry, trigger or schedule,
    # and the endpoint's alarms go to a topic of its own, which its on-call subscribes to.
    prod_types = {resource["Type"] for resource in prod.values()}
    assert prod_types.isdisjoint(
        {
            "AWS::SageMaker::Pipeline",
            "AWS::SageMaker::ModelPackageGroup",
            "AWS::Events::Rule",
            "AWS::Scheduler::Schedule",
            "AWS::SQS::Queue",
        }
    ), prod_types
    (topic,) = (key for key, r in prod.items() if r["Type"] == "AWS::SNS::Topic")
    (subscription,) = (r for r in prod.values() if r["Type"] == "AWS::SNS::Subscription")
    assert subscription["Properties"]["TopicArn"] == {"Ref": topic}
    assert subscription["Properties"]["Endpoint"] == environments["prod"]["alarm_email"]
    alarms = [r["Properties"] for r in prod.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert alarms
    assert all(alarm["AlarmActions"] == [{"Ref": topic}] for alarm in alarms)
    # The execution policy the walkthrough describes names every resource type deployed.
    section = MULTI_ACCOUNT.read_text()
    section = " ".join(section[section.index("## 1.") : section.index("## 2.")].split())
    types = {
        resource["Type"]
        for template in multi_account_app.templates.values()
        for resource in template["Resources"].values()
    }
    assert types <= set(EXECUTION_POLICY_WORDS), types - set(EXECUTION_POLICY_WORDS)
    for kind in types:
        assert EXECUTION_POLICY_WORDS[kind] in section, kind
