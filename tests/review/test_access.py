"""``smpipe access``: each step's role and what it may do, and what a change does to it.

Against the hand-written assembly of ``tests/local/test_assembly.py`` (and copies of it
edited as a change would), and the reference app's committed dev template wrapped as an
assembly.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.review import SourceError
from cdk_sagemaker_pipelines.review.access import (
    NOT_IN_ASSEMBLY,
    access_report,
    diff_access,
    render_access_diff_json,
    render_access_json,
)
from tests.local.test_assembly import Cfn, definition, join, s3_arn, write_cdk_out

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = (
    ROOT
    / "tests/cdk/__snapshots__/test_app_snapshots"
    / "test_stack_template_matches_snapshot[dev-MlOps].json"
)

EXPECTED_TEXT = """\
cdk.out:dev-ml-training: access of 4 steps through 2 roles
Steps:
  Prep (Processing): dev/Ml/StepRole (StepRoleAB12CD34)
  Count (Lambda): -
  Train (Training): dev/Ml/StepRole (StepRoleAB12CD34)
  Register (RegisterModel): -

Role dev/Ml/StepRole (StepRoleAB12CD34):
  runs: Prep, Train
  S3:
    read cdk-hnb659fds-assets-000000000000-us-east-1: *
    list dev/Ml/Artifacts: curated/*
    list/write dev/Ml/Artifacts: executions/<pipeline>/*
    read dev/Ml/Artifacts: executions/<pipeline>/Prep/*/out*
    read/list dev/Ml/Data: curated/*
    list dev/Ml/Data: executions/<pipeline>/*
  KMS keys:
    key/DataKeyAB12CD34: kms:Decrypt, kms:GenerateDataKey

Pipeline role dev/Ml/PipelineRole (PipelineRoleAA11BB22):
  SageMaker Pipelines runs as it: creates the jobs, passes their roles
  SageMaker:
    model-package-group/dev-ml-models: sagemaker:CreateModelPackage when StringEquals sagemaker:ModelApprovalStatus PendingManualApproval
    model-package/dev-ml-models/*: sagemaker:CreateModelPackage when StringEquals sagemaker:ModelApprovalStatus PendingManualApproval
    processing-job/pipelines-*: sagemaker:CreateProcessingJob, sagemaker:DescribeProcessingJob
    training-job/pipelines-*: sagemaker:CreateTrainingJob, sagemaker:DescribeTrainingJob
  Pass role:
    dev/Ml/StepRole: iam:PassRole when StringEquals iam:PassedToService sagemaker.amazonaws.com
  Other:
    function:CountFn55667788: lambda:InvokeFunction

Function policy of dev/Ml/Count (CountFn55667788):
  function:CountFn55667788: lambda:InvokeFunction for dev/Ml/PipelineRole (identity policy)
"""  # noqa: E501

EXPECTED_MARKDOWN_START = """\
**Access** of `cdk.out:dev-ml-training`: 4 steps, 2 roles

| Step | Type | Runs as |
| --- | --- | --- |
| Prep | Processing | `dev/Ml/StepRole (StepRoleAB12CD34)` |
| Count | Lambda | - |
| Train | Training | `dev/Ml/StepRole (StepRoleAB12CD34)` |
| Register | RegisterModel | - |

**Role dev/Ml/StepRole (StepRoleAB12CD34)**

- runs: Prep, Train

| Kind | May |
| --- | --- |
| S3 | `read cdk-hnb659fds-assets-000000000000-us-east-1: *` |
| S3 | `list dev/Ml/Artifacts: curated/*` |
| S3 | `list/write dev/Ml/Artifacts: executions/<pipeline>/*` |
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory, holding ``cdk.out`` (labels say ``cdk.out``)."""
    write_cdk_out(tmp_path, register=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["access", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def template_of(cdk_out: Path) -> tuple[Path, dict[str, Any]]:
    file = cdk_out / "assembly-dev" / "devMl.template.json"
    return file, json.loads(file.read_text())


def changed_copy(workdir: Path, name: str) -> tuple[Path, Path, dict[str, Any]]:
    """A copy of ``cdk.out`` as ``name``, its template file and template, to edit."""
    copy = workdir / name
    shutil.copytree(workdir / "cdk.out", copy)
    file, template = template_of(copy)
    return copy, file, template


def step_policy(template: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = template["Resources"]["StepRolePolicyAB12CD34"][
        "Properties"
    ]["PolicyDocument"]["Statement"]
    return statements


def test_text_names_each_steps_role_and_groups_what_it_may_do(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "cdk.out") == (0, EXPECTED_TEXT, "")


def test_markdown_is_tables_for_a_pull_request_comment(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "cdk.out", "--markdown")
    assert code == 0
    assert out.startswith(EXPECTED_MARKDOWN_START)
    assert "| Pass role | `dev/Ml/StepRole: iam:PassRole when StringEquals" in out


def test_json_holds_every_grant_for_tools(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "cdk.out", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["pipeline"] == "dev-ml-training"
    assert data["steps"][0] == {
        "name": "Prep",
        "type": "Processing",
        "branch": None,
        "roles": ["dev/Ml/StepRole"],
        "via": None,
        "note": None,
    }
    step_role, pipeline_role = data["roles"]
    assert (step_role["key"], step_role["pipeline_role"], step_role["steps"]) == (
        "dev/Ml/StepRole",
        False,
        ["Prep", "Train"],
    )
    assert {
        "group": "s3",
        "effect": "Allow",
        "action": "s3:PutObject",
        "resource": "dev/Ml/Artifacts: executions/<pipeline>/*",
        "condition": "",
    } in step_role["grants"]
    assert pipeline_role["pipeline_role"] is True
    assert out == json.dumps(render_access_json(access_report("cdk.out")), indent=2) + "\n"


def test_output_is_deterministic(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "cdk.out", "--json") == run(capsys, "cdk.out", "--json")


def test_a_diff_that_widens_marks_it_and_fails_the_gate(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, file, template = changed_copy(workdir, "head")
    step_policy(template).append(
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/models/dev-ml-training/*"),
        }
    )
    file.write_text(json.dumps(template))
    code, out, _ = run(capsys, "cdk.out", "head")
    assert code == 0  # a report, not a gate, without --fail-on-widening
    assert out == (
        "cdk.out:dev-ml-training → head:dev-ml-training: 1 grant added: widens access\n"
        "Role changed: dev/Ml/StepRole (StepRoleAB12CD34) (runs Prep, Train)\n"
        "    + write dev/Ml/Artifacts: models/<pipeline>/*  (widens)\n"
    )
    assert run(capsys, "head", "--base", "cdk.out", "--fail-on-widening")[0] == 1
    markdown = run(capsys, "cdk.out", "head", "--markdown")[1]
    assert "```diff\n+ write dev/Ml/Artifacts: models/<pipeline>/*   # widens\n```" in markdown
    data = json.loads(run(capsys, "cdk.out", "head", "--json")[1])
    assert data["widens"] is True
    assert data["roles"][0]["widening"][0]["resource"] == "dev/Ml/Artifacts: models/<pipeline>/*"


def test_a_diff_that_narrows_passes_the_gate(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, file, template = changed_copy(workdir, "head")
    write = step_policy(template)[2]
    # executions/<pipeline>/* narrowed to Prep's and Train's outputs: covered by it before.
    write["Resource"] = [
        s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/executions/dev-ml-training/Prep/*/out*"),
        s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/executions/dev-ml-training/Train/*/out*"),
    ]
    file.write_text(json.dumps(template))
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 0
    assert out == (
        "cdk.out:dev-ml-training → head:dev-ml-training: 2 grants added, 1 grant removed: "
        "does not widen access\n"
        "Role changed: dev/Ml/StepRole (StepRoleAB12CD34) (runs Prep, Train)\n"
        "    + write dev/Ml/Artifacts: executions/<pipeline>/Prep/*/out*\n"
        "    + write dev/Ml/Artifacts: executions/<pipeline>/Train/*/out*\n"
        "    - write dev/Ml/Artifacts: executions/<pipeline>/*\n"
    )


def test_removing_a_deny_widens(workdir: Path) -> None:
    base, file, template = changed_copy(workdir, "base")
    step_policy(template).append(
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": s3_arn("my-artifacts", "/*")}
    )
    file.write_text(json.dumps(template))
    base_report = access_report(base)
    (role,) = [r for r in base_report.roles if r.key == "dev/Ml/StepRole"]
    assert any(g.effect == "Deny" for g in role.grants)
    diff = diff_access(base_report, access_report(workdir / "cdk.out"))
    assert diff.widens
    assert render_access_diff_json(diff)["roles"][0]["removed"][0]["effect"] == "Deny"


def dedicated_prep_role(workdir: Path, name: str, statements: list[dict[str, Any]]) -> Path:
    """A copy where Prep runs as a role of its own (``dedicated_step_roles``)."""
    head, file, template = changed_copy(workdir, name)
    resources = template["Resources"]
    resources["PrepRole99AA88BB"] = {"Type": "AWS::IAM::Role", "Properties": {}}
    resources["PrepRolePolicy99AA88BB"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Roles": [{"Ref": "PrepRole99AA88BB"}],
            "PolicyDocument": {"Statement": statements},
        },
    }
    steps = definition(register=True)
    steps["Steps"][0]["Arguments"]["RoleArn"] = Cfn({"Fn::GetAtt": ["PrepRole99AA88BB", "Arn"]})
    pipeline = resources["Pipeline99887766"]["Properties"]
    pipeline["PipelineDefinition"]["PipelineDefinitionBody"] = join(steps)
    file.write_text(json.dumps(template))
    metadata_file = head / "assembly-dev" / "devMl.metadata.json"
    metadata = json.loads(metadata_file.read_text())
    metadata["/dev/Ml/StepRole-Prep/Resource"] = [
        {"type": "aws:cdk:logicalId", "data": "PrepRole99AA88BB"}
    ]
    metadata_file.write_text(json.dumps(metadata))
    return head


def test_a_step_moved_to_a_narrower_dedicated_role_does_not_widen(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    read_curated = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": s3_arn({"Ref": "DataBucket11AA22BB"}, "/curated/*"),
    }
    dedicated_prep_role(workdir, "head", [read_curated])
    report = access_report("head")
    assert [step.roles for step in report.steps][:1] == [("dev/Ml/StepRole-Prep",)]
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 0
    assert out == (
        "cdk.out:dev-ml-training → head:dev-ml-training: 1 grant added, 1 role added, "
        "1 step moved: does not widen access\n"
        "Steps moved to another role:\n"
        "  Prep: dev/Ml/StepRole → dev/Ml/StepRole-Prep\n"
        "Role added: dev/Ml/StepRole-Prep (PrepRole99AA88BB) (runs Prep)\n"
        "    + read dev/Ml/Data: curated/*\n"
    )


def test_a_step_moved_to_a_wider_role_widens(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    everything = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    dedicated_prep_role(workdir, "head", [everything])
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 1
    assert "  Prep: dev/Ml/StepRole → dev/Ml/StepRole-Prep  (widens)\n" in out
    assert "    + s3:* *  (widens)\n" in out


def test_an_action_is_hidden_only_on_a_resource_type_the_library_knows_it_never_takes(
    workdir: Path,
) -> None:
    # CreateTrainingJob never matches a processing job's ARN (both types are in the
    # library's tables), but the tables hold what the library grants, not every type IAM
    # authorizes an action on: on a type they don't know (a training plan, a model
    # package) the grant is shown, never hidden.
    sagemaker = "arn:aws:sagemaker:us-east-1:111111111111"
    arns = [f"{sagemaker}:{kind}/*" for kind in ("processing-job", "training-plan")]
    statement = {
        "Effect": "Allow",
        "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateModel"],
        "Resource": [*arns, f"{sagemaker}:model-package/group/*"],
    }
    dedicated_prep_role(workdir, "head", [statement])

    role = access_report("head").role("dev/Ml/StepRole-Prep")

    assert role is not None
    shown = [f"{sagemaker}:model-package/group/*", f"{sagemaker}:training-plan/*"]
    assert sorted((grant.action, grant.resource) for grant in role.grants) == [
        (action, arn)
        for action in ("sagemaker:CreateModel", "sagemaker:CreateTrainingJob")
        for arn in shown
    ]


def test_roles_the_assembly_does_not_hold_are_listed_not_shown(workdir: Path) -> None:
    imported = "arn:aws:iam::111122223333:role/Precreated"
    file, template = template_of(workdir / "cdk.out")
    steps = definition(register=True)
    steps["Steps"][2]["Arguments"]["RoleArn"] = imported
    resources = template["Resources"]
    pipeline = resources["Pipeline99887766"]["Properties"]
    pipeline["PipelineDefinition"]["PipelineDefinitionBody"] = join(steps)
    resources["PipelineRoleAA11BB22"]["Properties"]["ManagedPolicyArns"] = [
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    ]
    file.write_text(json.dumps(template))
    report = access_report("cdk.out")
    assert report.steps[2].roles == (imported,)
    precreated = report.role(imported)
    assert precreated is not None
    assert precreated.not_shown == NOT_IN_ASSEMBLY
    pipeline_role = report.role("dev/Ml/PipelineRole")
    assert pipeline_role is not None
    assert pipeline_role.not_shown == (
        "its managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is not in the "
        f"template: {NOT_IN_ASSEMBLY}"
    )


def test_a_transform_step_runs_as_its_model_steps_role(workdir: Path) -> None:
    file, template = template_of(workdir / "cdk.out")
    steps = definition()
    role = Cfn({"Fn::GetAtt": ["StepRoleAB12CD34", "Arn"]})
    steps["Steps"] += [
        {"Name": "CreateModel", "Type": "Model", "Arguments": {"ExecutionRoleArn": role}},
        {
            "Name": "Score",
            "Type": "Transform",
            "Arguments": {"ModelName": {"Get": "Steps.CreateModel.ModelName"}},
        },
        {"Name": "ScoreOther", "Type": "Transform", "Arguments": {"ModelName": "churn-v1"}},
    ]
    pipeline = template["Resources"]["Pipeline99887766"]["Properties"]
    pipeline["PipelineDefinition"]["PipelineDefinitionBody"] = join(steps)
    file.write_text(json.dumps(template))
    report = access_report("cdk.out")
    score, other = report.steps[-2:]
    assert (score.roles, score.via) == (("dev/Ml/StepRole",), "CreateModel")
    assert (other.roles, other.note) == ((), 'model "churn-v1" is not created by the pipeline')


def test_a_definition_file_or_two_bases_are_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("pipeline.json").write_text('{"Version": "2020-12-01", "Steps": []}')
    code, _, err = run(capsys, "pipeline.json")
    assert code == 2
    assert "reads a cloud assembly" in err
    assert run(capsys, "cdk.out", "cdk.out", "--base", "cdk.out")[0] == 2
    assert run(capsys, "cdk.out", "--fail-on-widening")[0] == 2
    with pytest.raises(SourceError, match="no pipeline 'nope'"):
        access_report("cdk.out", pipeline="nope")


# The reference app's construct paths of what the report names (the snapshot has none).
SNAPSHOT_PATHS = {
    "ArtifactsBucket88671897": "/dev/MlOps/Artifacts/Bucket/Resource",
    "ArtifactsData91BBF3F9": "/dev/MlOps/Artifacts/Data/Resource",
    "ArtifactsAccessLogs4D97777C": "/dev/MlOps/Artifacts/AccessLogs/Resource",
    "ArtifactsKeyA4B22E2B": "/dev/MlOps/Artifacts/Key/Resource",
    "FailuresKey0EED6E70": "/dev/MlOps/Failures/Key/Resource",
    "Training1DBE9C16": "/dev/MlOps/Training/Resource",
    "TrainingRole4C1607BC": "/dev/MlOps/Training/Role/Resource",
    "TrainingStepRoleDF38A49C": "/dev/MlOps/Training/StepRole/Resource",
    "TrainingStepRolePreprocess446530F2": "/dev/MlOps/Training/StepRole-Preprocess/Resource",
    "TrainingStepRoleDataQualityCheck515EC4AC": (
        "/dev/MlOps/Training/StepRole-DataQualityCheck/Resource"
    ),
    "TrainingStepRoleTrain1E97B939": "/dev/MlOps/Training/StepRole-Train/Resource",
    "TrainingStepRoleEvaluateC5DC88E7": "/dev/MlOps/Training/StepRole-Evaluate/Resource",
    "Registry4DB9CCA5": "/dev/MlOps/Registry/Resource",
    "FailuresTopic6CB7CD9B": "/dev/MlOps/Failures/Topic/Resource",
    "OnNewDataDeadLetterQueueC968B58A": "/dev/MlOps/OnNewData/DeadLetterQueue/Resource",
    "OnNewDataRuleTarget0Role6957F517": "/dev/MlOps/OnNewData/Rule/Target0Role/Resource",
    "RetrainRole77F8710C": "/dev/MlOps/Retrain/Role/Resource",
    "RetrainDeadLetterQueue0AE025EE": "/dev/MlOps/Retrain/DeadLetterQueue/Resource",
}


# How the snapshot spells the intrinsics of the definition body (its tokens, as text).
SNAPSHOT_TOKEN = re.compile(
    r"\$\{FindInMap:(\w+)\.\$\{Ref:AWS::Region\}\.(\w+)\}"
    r"|\$\{Sub:([^{}]*(?:\$\{[^}]*\}[^{}]*)*)\}"
    r"|\$\{GetAtt:(\w+)\.(\w+)\}"
    r"|\$\{Ref:([\w:]+)\}"
)


def _token(match: re.Match[str]) -> dict[str, Any]:
    if match[1]:
        return {"Fn::FindInMap": [match[1], {"Ref": "AWS::Region"}, match[2]]}
    if match[3]:
        return {"Fn::Sub": match[3]}
    if match[4]:
        return {"Fn::GetAtt": [match[4], match[5]]}
    return {"Ref": match[6]}


def intrinsics_marked(value: Any) -> Any:
    """A definition body as the snapshot keeps it (parsed), its intrinsics as ``Cfn``."""
    if isinstance(value, str) and SNAPSHOT_TOKEN.search(value):
        parts: list[Any] = []
        last = 0
        for match in SNAPSHOT_TOKEN.finditer(value):
            parts += [value[last : match.start()], _token(match)]
            last = match.end()
        parts.append(value[last:])
        return Cfn({"Fn::Join": ["", [part for part in parts if part != ""]]})
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref")):
            return Cfn(value)
        return {key: intrinsics_marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [intrinsics_marked(item) for item in value]
    return value


def snapshot_assembly(directory: Path, stage: str = "dev") -> Path:
    """The committed template of ``stage`` as a one-stack cloud assembly ``directory/cdk.out``.

    The snapshot keeps the definition body parsed: it is written back as ``cdk synth``
    writes it, an ``Fn::Join`` of JSON text and intrinsics.
    """
    out = directory / "cdk.out"
    out.mkdir(parents=True)
    snapshot = SNAPSHOT.with_name(SNAPSHOT.name.replace("[dev-", f"[{stage}-"))
    template = json.loads(snapshot.read_text(encoding="utf-8"))
    pipeline = template["Resources"]["Training1DBE9C16"]["Properties"]["PipelineDefinition"]
    pipeline["PipelineDefinitionBody"] = join(intrinsics_marked(pipeline["PipelineDefinitionBody"]))
    (out / "devMlOps.template.json").write_text(json.dumps(template))
    (out / "devMlOps.metadata.json").write_text(
        json.dumps(
            {
                path.replace("/dev/", f"/{stage}/", 1): [
                    {"type": "aws:cdk:logicalId", "data": logical}
                ]
                for logical, path in SNAPSHOT_PATHS.items()
            }
        )
    )
    stack = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "devMlOps.template.json", "stackName": f"{stage}-MlOps"},
        "additionalMetadataFile": "devMlOps.metadata.json",
        "displayName": f"{stage}/MlOps",
    }
    manifest = {"version": "48.0.0", "artifacts": {"devMlOps": stack}}
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


SEAL_ROLE = "TrainingSealFunctionRoleFFB77361"


def test_the_reference_app_gives_each_job_step_its_dedicated_role(tmp_path: Path) -> None:
    # dedicated_step_roles="*": each job step writes its own outputs only.
    report = access_report(snapshot_assembly(tmp_path), pipeline="dev/MlOps/Training")
    assert [(step.name, step.roles) for step in report.steps] == [
        ("Preprocess", ("dev/MlOps/Training/StepRole-Preprocess",)),
        ("DataQualityCheck", ("dev/MlOps/Training/StepRole-DataQualityCheck",)),
        ("Train", ("dev/MlOps/Training/StepRole-Train",)),
        ("Evaluate", ("dev/MlOps/Training/StepRole-Evaluate",)),
        ("CheckAccuracy", ()),
        # Run by the sealing function: shown as its role, which reads and writes.
        # (The snapshot's metadata names no path for it: its logical id is its key.)
        ("SealArtifacts", (SEAL_ROLE,)),
        ("RegisterModel", ()),
        ("AccuracyTooLow", ()),
    ]
    expected = {
        "Preprocess": {
            "executions/<pipeline>/Preprocess/*/test*",
            "executions/<pipeline>/Preprocess/*/train*",
            "executions/<pipeline>/Preprocess/*/baseline*",
        },
        # Its report, statistics and constraints: the seal copies the latter two.
        "DataQualityCheck": {"executions/<pipeline>/DataQualityCheck/*/quality_check_output*"},
        "Train": {"models/<pipeline>/Train/*/model*"},
        # No version names the evaluation (it names the sealed copy): it expires.
        "Evaluate": {"executions/<pipeline>/Evaluate/*/evaluation*"},
    }
    for step, prefixes in expected.items():
        role = report.role(f"dev/MlOps/Training/StepRole-{step}")
        assert role is not None
        writes = {g.resource for g in role.grants if g.action == "s3:PutObject"}
        assert writes == {f"dev/MlOps/Artifacts/Bucket: {prefix}" for prefix in prefixes}, step
    seal = report.role(SEAL_ROLE)
    assert seal is not None
    assert seal.steps == ("SealArtifacts",)
    writes = {g.resource for g in seal.grants if g.action == "s3:PutObject"}
    assert writes == {"dev/MlOps/Artifacts/Bucket: sealed/<pipeline>/*"}
    seal_step = next(step for step in report.steps if step.name == "SealArtifacts")
    assert seal_step.note == "the sealing function's role"
    # No job runs as the step role: it has no policy, and the pipeline role can't pass it.
    # It is listed with the stack's other roles, with nothing granted.
    unused = report.role("dev/MlOps/Training/StepRole")
    assert unused is not None
    assert (unused.steps, unused.pipeline_role, unused.grants) == ((), False, ())


def test_the_docs_example_is_the_reference_apps_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot_assembly(tmp_path)
    monkeypatch.chdir(tmp_path)
    doc = (ROOT / "docs/review-tools.md").read_text(encoding="utf-8")
    section = doc.partition("## What each step's role may do")[2]
    match = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert match is not None
    code, out, _ = run(capsys, "cdk.out", "--pipeline", "dev/MlOps/Training")
    assert code == 0

    def without_assets(text: str) -> list[str]:
        # The snapshot's asset hashes are placeholders: the doc names the assets.
        return [line for line in text.splitlines() if "cdk-hnb659fds-assets" not in line]

    assert without_assets(out) == without_assets(match[1])


def test_a_step_roles_trust_is_listed_in_text_and_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only the roles no step runs as listed who may assume them, though the diff compares
    # every role's trust: a step role's widened trust had no report line to compare with.
    snapshot_assembly(tmp_path)
    monkeypatch.chdir(tmp_path)
    trust = (
        "Service sagemaker.amazonaws.com: sts:AssumeRole when StringEquals "
        "aws:SourceAccount 000000000000"
    )
    text = run(capsys, "cdk.out", "--pipeline", "dev/MlOps/Training")[1]
    train = text.partition("Role dev/MlOps/Training/StepRole-Train ")[2].partition("\n\n")[0]
    assert train.endswith(f"\n  Who may assume it:\n    {trust}"), train
    markdown = run(capsys, "cdk.out", "--pipeline", "dev/MlOps/Training", "--markdown")[1]
    section = markdown.partition("**Role dev/MlOps/Training/StepRole-Train ")[2]
    section = section.partition("\n\n**")[0]
    assert f"| Who may assume it | `{trust}` |" in section, section


# -- the gate's false negatives: each edit widens what a role may do ---------------------

STEP_ROLE = "StepRoleAB12CD34"
PIPELINE_ROLE = "PipelineRoleAA11BB22"
AWS_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
AWS_READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SAGEMAKER_TRUST = {
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
        }
    ]
}


def role_properties(template: dict[str, Any], logical: str = STEP_ROLE) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][logical]["Properties"]
    return properties


def pipeline_policy(template: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = template["Resources"]["PipelineRoleDefaultPolicyAA11BB22"][
        "Properties"
    ]["PolicyDocument"]["Statement"]
    return statements


def boundary(template: dict[str, Any], statements: list[dict[str, Any]]) -> None:
    template["Resources"]["BoundaryAB12CD34"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": statements}},
    }
    role_properties(template)["PermissionsBoundary"] = {"Ref": "BoundaryAB12CD34"}


EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _deny_deletes(key: str) -> dict[str, Any]:
    """The step role's Deny of ``s3:DeleteObject`` on the artifacts bucket's ``key``."""
    return {
        "Effect": "Deny",
        "Action": "s3:DeleteObject",
        "Resource": s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, f"/{key}"),
    }


def _with_list_prefix(operator: str, prefix: str) -> Any:
    def edit(template: dict[str, Any]) -> None:
        step_policy(template)[1]["Condition"] = {operator: {"s3:prefix": [prefix]}}

    return edit


def _sagemaker_everywhere(template: dict[str, Any]) -> None:
    pipeline_policy(template)[0]["Resource"] = "*"


def _sagemaker_in_the_account(template: dict[str, Any]) -> None:
    pipeline_policy(template)[0]["Resource"] = {
        "Fn::Join": ["", ["arn:aws:sagemaker:", {"Ref": "AWS::Region"}, ":000000000000:*"]]
    }


def _deny_training(region: str) -> dict[str, Any]:
    """A Deny of creating any training job of the account, in ``region``."""
    return {
        "Effect": "Deny",
        "Action": "sagemaker:CreateTrainingJob",
        "Resource": f"arn:aws:sagemaker:{region}:000000000000:training-job/*",
    }


def test_a_regional_arn_without_a_region_keeps_its_prefix(workdir: Path) -> None:
    # Shown as the stack region's (training-job/*), the move would not read as a change.
    _, file, template = changed_copy(workdir, "head")
    pipeline_policy(template).append(_deny_training(""))
    file.write_text(json.dumps(template))
    role = access_report(workdir / "head").role("dev/Ml/PipelineRole")
    assert role is not None
    assert {g.resource for g in role.grants if g.effect == "Deny"} == {
        "arn:aws:sagemaker::000000000000:training-job/*"
    }


WIDENING_EDITS: dict[str, tuple[Any, Any]] = {
    # name: (edit of the base, edit of the head); None leaves that side as written.
    "an action widened to a prefix": (
        None,
        lambda t: step_policy(t)[0].__setitem__("Action", ["s3:Get*"]),
    ),
    "an action widened to s3:*": (None, lambda t: step_policy(t)[2].__setitem__("Action", "s3:*")),
    "a resource widened to the bucket": (
        None,
        lambda t: step_policy(t)[2].__setitem__(
            "Resource", s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/*")
        ),
    ),
    "a resource widened to *": (None, lambda t: step_policy(t)[2].__setitem__("Resource", "*")),
    "a condition removed": (None, lambda t: pipeline_policy(t)[2].pop("Condition")),
    "a condition's value added": (
        None,
        lambda t: pipeline_policy(t)[2]["Condition"]["StringEquals"].__setitem__(
            "sagemaker:ModelApprovalStatus", ["PendingManualApproval", "Approved"]
        ),
    ),
    # A value holding "; " or " | " is one value: it spells no test and no values.
    "a condition's test replaced by a value spelling it": (
        None,
        lambda t: pipeline_policy(t)[2].__setitem__(
            "Condition",
            {
                "StringEquals": {
                    "aws:RequestTag/team": "ml; StringEquals sagemaker:ModelApprovalStatus "
                    "PendingManualApproval"
                }
            },
        ),
    ),
    "a condition's one value spelling two made two values": (
        lambda t: pipeline_policy(t)[2]["Condition"]["StringEquals"].__setitem__(
            "sagemaker:ModelApprovalStatus", "PendingManualApproval | Approved"
        ),
        lambda t: pipeline_policy(t)[2]["Condition"]["StringEquals"].__setitem__(
            "sagemaker:ModelApprovalStatus", ["PendingManualApproval", "Approved"]
        ),
    ),
    "a condition StringEquals to StringLike *": (
        None,
        lambda t: pipeline_policy(t)[3].__setitem__(
            "Condition", {"StringLike": {"iam:PassedToService": "*"}}
        ),
    ),
    "a list prefix StringEquals to StringLike": (
        _with_list_prefix("StringEquals", "curated/*"),
        _with_list_prefix("StringLike", "curated/*"),
    ),
    # An ARN of SageMaker's without a region matches nothing: a Deny moved there denies none.
    "a role's Deny moved to an ARN without a region": (
        lambda t: pipeline_policy(t).append(_deny_training("us-east-1")),
        lambda t: pipeline_policy(t).append(_deny_training("")),
    ),
    "NotAction added": (
        None,
        lambda t: step_policy(t).append({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
    ),
    "a new AWS::IAM::Policy on the role": (
        None,
        lambda t: t["Resources"].__setitem__(
            "Extra",
            {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "extra",
                    "Roles": [{"Ref": STEP_ROLE}],
                    "PolicyDocument": {"Statement": [EVERYTHING]},
                },
            },
        ),
    ),
    "a new AWS::IAM::RolePolicy on the role": (
        None,
        lambda t: t["Resources"].__setitem__(
            "Extra",
            {
                "Type": "AWS::IAM::RolePolicy",
                "Properties": {
                    "PolicyName": "extra",
                    "RoleName": {"Ref": STEP_ROLE},
                    "PolicyDocument": {"Statement": [EVERYTHING]},
                },
            },
        ),
    ),
    "an inline policy added": (
        None,
        lambda t: role_properties(t).__setitem__(
            "Policies", [{"PolicyName": "extra", "PolicyDocument": {"Statement": [EVERYTHING]}}]
        ),
    ),
    "an AWS managed policy attached": (
        None,
        lambda t: role_properties(t).__setitem__("ManagedPolicyArns", [AWS_ADMIN]),
    ),
    "a second AWS managed policy attached before the first": (
        lambda t: role_properties(t).__setitem__("ManagedPolicyArns", [AWS_READ_ONLY]),
        lambda t: role_properties(t).__setitem__("ManagedPolicyArns", [AWS_ADMIN, AWS_READ_ONLY]),
    ),
    "a permissions boundary removed": (
        lambda t: boundary(t, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        None,
    ),
    "a permissions boundary widened": (
        lambda t: boundary(t, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        lambda t: boundary(t, [EVERYTHING]),
    ),
    "a trust policy widened to another principal": (
        lambda t: role_properties(t).__setitem__("AssumeRolePolicyDocument", SAGEMAKER_TRUST),
        lambda t: role_properties(t).__setitem__(
            "AssumeRolePolicyDocument",
            {
                "Statement": [
                    *SAGEMAKER_TRUST["Statement"],
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    },
                ]
            },
        ),
    ),
    "sagemaker actions widened from the account's ARNs to *": (
        _sagemaker_in_the_account,
        _sagemaker_everywhere,
    ),
    # NotAction excludes: excluding a wildcard's part (s3:GetObject of s3:Get*) lets more in.
    "NotAction narrowed from s3:Get* to s3:GetObject": (
        lambda t: step_policy(t).append(
            {"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}
        ),
        lambda t: step_policy(t).append(
            {"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*"}
        ),
    ),
    "a role's Deny replaced by one on a narrower prefix": (
        lambda t: step_policy(t).append(_deny_deletes("executions/*")),
        lambda t: step_policy(t).append(_deny_deletes("executions/dev-ml-training/*")),
    ),
    # A bucket of the assembly is shown by construct path (dev/Ml/Artifacts): a bucket
    # name pattern (dev*) says nothing of its real name, though it matches the path.
    "a role's Deny replaced by one on buckets named dev*": (
        lambda t: step_policy(t).append(_deny_deletes("executions/*")),
        lambda t: step_policy(t).append(
            {**_deny_deletes("executions/*"), "Resource": "arn:aws:s3:::dev*/executions/*"}
        ),
    ),
    "an Allow on buckets named dev* replaced by one on the artifacts bucket": (
        lambda t: step_policy(t).append(
            {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::dev*/*"}
        ),
        lambda t: step_policy(t).append(
            {**_deny_deletes("*"), "Effect": "Allow"},
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(WIDENING_EDITS))
def test_the_gate_fails_each_widening(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    for name, edit in zip(("base", "head"), WIDENING_EDITS[case], strict=True):
        _, file, template = changed_copy(workdir, name)
        if edit is not None:
            edit(template)
        file.write_text(json.dumps(template))
    code, out, err = run(capsys, "base", "head", "--fail-on-widening")
    assert (code, err) == (1, ""), out


NARROWING_EDITS: dict[str, tuple[Any, Any]] = {
    "a permissions boundary added": (
        None,
        lambda t: boundary(t, [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    ),
    "a permissions boundary narrowed": (
        lambda t: boundary(t, [EVERYTHING]),
        lambda t: boundary(t, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    ),
    "a trust policy narrowed": (
        lambda t: role_properties(t).__setitem__(
            "AssumeRolePolicyDocument",
            {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]},
        ),
        lambda t: role_properties(t).__setitem__("AssumeRolePolicyDocument", SAGEMAKER_TRUST),
    ),
    "sagemaker actions narrowed from * to the account's ARNs": (
        _sagemaker_everywhere,
        _sagemaker_in_the_account,
    ),
    "a condition added to an Allow": (
        None,
        lambda t: pipeline_policy(t)[2]["Condition"].__setitem__(
            "Bool", {"aws:SecureTransport": "true"}
        ),
    ),
    "a role's Deny replaced by one on its whole bucket and every delete": (
        lambda t: step_policy(t).append(_deny_deletes("executions/dev-ml-training/*")),
        lambda t: step_policy(t).append(
            {**_deny_deletes("*"), "Action": ["s3:Delete*"]},
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(NARROWING_EDITS))
def test_the_gate_passes_each_narrowing(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    for name, edit in zip(("base", "head"), NARROWING_EDITS[case], strict=True):
        _, file, template = changed_copy(workdir, name)
        if edit is not None:
            edit(template)
        file.write_text(json.dumps(template))
    code, out, err = run(capsys, "base", "head", "--fail-on-widening")
    assert (code, err) == (0, ""), out


def test_a_trust_policy_widened_is_shown_in_the_diff(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, file, template = changed_copy(workdir, "head")
    role_properties(template)["AssumeRolePolicyDocument"] = {
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]
    }
    file.write_text(json.dumps(template))
    assert run(capsys, "cdk.out", "head")[1] == (
        "cdk.out:dev-ml-training → head:dev-ml-training: 1 grant added: widens access\n"
        "Role changed: dev/Ml/StepRole (StepRoleAB12CD34) (runs Prep, Train)\n"
        "    + *: sts:AssumeRole  (widens)\n"
    )


@pytest.mark.parametrize("broken", ["manifest.json", "assembly-dev/devMl.template.json"])
def test_an_assembly_that_is_not_json_exits_2_not_1(
    workdir: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    head, _, _ = changed_copy(workdir, "head")
    (head / broken).write_text("{")
    code, out, err = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert (code, out) == (2, "")
    assert err.startswith("smpipe access: head: ")


# -- bucket policies and key policies ----------------------------------------------------

STEP_ROLE_ARN = {"Fn::GetAtt": [STEP_ROLE, "Arn"]}
ACCOUNT_ROOT = {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
DENY_INSECURE = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "s3:*",
    "Resource": s3_arn({"Ref": "DataBucket11AA22BB"}, "/*"),
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


# As ``ArtifactStore`` denies it: a create under ``sealed/`` without If-None-Match.
CREATE_WITHOUT_IF_NONE_MATCH = {
    "Null": {"s3:if-none-match": "true"},
    "Bool": {"s3:ObjectCreationOperation": "true"},
}


def sealed_written_once(
    key: str = "*",
    action: str = "s3:PutObject",
    condition: dict[str, Any] = CREATE_WITHOUT_IF_NONE_MATCH,
    principal: Any = "*",
) -> dict[str, Any]:
    """A ``SealedKeysAreWrittenOnce`` Deny on the Data bucket's ``sealed/<key>``."""
    return {
        "Effect": "Deny",
        "Principal": {"AWS": principal},
        "Action": action,
        "Resource": s3_arn({"Ref": "DataBucket11AA22BB"}, f"/sealed/{key}"),
        "Condition": condition,
    }


def data_read_by_step_role(prefix: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": STEP_ROLE_ARN},
        "Action": "s3:GetObject",
        "Resource": s3_arn({"Ref": "DataBucket11AA22BB"}, f"/{prefix}"),
    }


def bucket_policy(*statements: dict[str, Any]) -> Any:
    """An edit giving the Data bucket a policy of ``statements``."""

    def edit(template: dict[str, Any]) -> None:
        template["Resources"]["DataPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "DataBucket11AA22BB"},
                "PolicyDocument": {"Statement": list(statements)},
            },
        }

    return edit


def key_policy(*statements: dict[str, Any]) -> Any:
    """An edit giving the Data key a key policy of ``statements``."""

    def edit(template: dict[str, Any]) -> None:
        template["Resources"]["DataKeyAB12CD34"]["Properties"]["KeyPolicy"] = {
            "Statement": list(statements)
        }

    return edit


def key_allows(principal: Any, *actions: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": list(actions),
        "Resource": "*",
    }


COUNT_FUNCTION = {"Fn::GetAtt": ["CountFn55667788", "Arn"]}
NEW_DATA_RULE = "arn:aws:events:us-east-1:000000000000:rule/NewData"


def invoke_permission(principal: Any, **restrictions: Any) -> Any:
    """An edit adding an ``AWS::Lambda::Permission`` on the Count step's function."""

    def edit(template: dict[str, Any]) -> None:
        template["Resources"][f"CountFnPermission{len(template['Resources'])}"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": COUNT_FUNCTION,
                "Principal": principal,
                **restrictions,
            },
        }

    return edit


def both(*edits: Any) -> Any:
    def edit(template: dict[str, Any]) -> None:
        for each in edits:
            each(template)

    return edit


RESOURCE_POLICY_WIDENINGS: dict[str, tuple[Any, Any]] = {
    "a Lambda permission lets another account invoke the step's function": (
        None,
        invoke_permission("999999999999"),
    ),
    "a Lambda permission lets everyone invoke the step's function": (
        invoke_permission("events.amazonaws.com", SourceArn=NEW_DATA_RULE),
        both(
            invoke_permission("events.amazonaws.com", SourceArn=NEW_DATA_RULE),
            invoke_permission("*"),
        ),
    ),
    "a Lambda permission's SourceArn dropped": (
        invoke_permission("events.amazonaws.com", SourceArn=NEW_DATA_RULE),
        invoke_permission("events.amazonaws.com"),
    ),
    "a bucket policy grants the step role a new prefix": (
        bucket_policy(data_read_by_step_role("curated/*")),
        bucket_policy(data_read_by_step_role("curated/*"), data_read_by_step_role("raw/*")),
    ),
    "a new bucket policy grants everyone": (
        None,
        bucket_policy({**data_read_by_step_role("*"), "Principal": "*"}),
    ),
    "a bucket policy's Deny removed": (
        bucket_policy(DENY_INSECURE, data_read_by_step_role("curated/*")),
        bucket_policy(data_read_by_step_role("curated/*")),
    ),
    "a bucket policy's Deny narrowed": (
        bucket_policy(DENY_INSECURE),
        bucket_policy({**DENY_INSECURE, "Action": "s3:PutObject"}),
    ),
    "a bucket policy's Deny replaced by one on a narrower prefix": (
        bucket_policy(sealed_written_once("*")),
        bucket_policy(sealed_written_once("dev-ml-training/*")),
    ),
    "a bucket policy's Deny replaced by one of a narrower action": (
        bucket_policy(sealed_written_once(action="s3:Put*")),
        bucket_policy(sealed_written_once(action="s3:PutObject")),
    ),
    "a bucket policy's Deny replaced by one with a condition added": (
        bucket_policy(sealed_written_once(condition={"Null": {"s3:if-none-match": "true"}})),
        bucket_policy(sealed_written_once()),
    ),
    "a bucket policy's Deny replaced by one with a condition's value changed": (
        bucket_policy(sealed_written_once()),
        bucket_policy(
            sealed_written_once(
                condition={**CREATE_WITHOUT_IF_NONE_MATCH, "Null": {"s3:if-none-match": "false"}}
            )
        ),
    ),
    # arn:aws:s3:::* is every bucket, none of their objects.
    "a bucket policy's Deny replaced by one on every bucket": (
        bucket_policy(sealed_written_once()),
        bucket_policy({**sealed_written_once(), "Resource": "arn:aws:s3:::*"}),
    ),
    "a bucket policy's Deny replaced by one on buckets named dev*": (
        bucket_policy(sealed_written_once()),
        bucket_policy({**sealed_written_once(), "Resource": "arn:aws:s3:::dev*/sealed/*"}),
    ),
    # ``<pipeline>`` is the pipeline's name as shown, not text: a literal ``<`` takes none.
    "a bucket policy's Deny of the pipeline's keys replaced by one on keys starting with <": (
        bucket_policy(sealed_written_once("dev-ml-training/*")),
        bucket_policy(sealed_written_once("<*")),
    ),
    "a bucket policy's Deny of the pipeline's keys replaced by one on <pipeline> as written": (
        bucket_policy(sealed_written_once("dev-ml-training/*")),
        bucket_policy(sealed_written_once("<pipe?ine>/*")),
    ),
    "a bucket policy's Deny of everyone replaced by one of the step role": (
        bucket_policy(sealed_written_once()),
        bucket_policy(sealed_written_once(principal=STEP_ROLE_ARN)),
    ),
    "a key policy grants * decrypt": (
        key_policy(key_allows(ACCOUNT_ROOT, "kms:*")),
        key_policy(key_allows(ACCOUNT_ROOT, "kms:*"), key_allows("*", "kms:Decrypt")),
    ),
    "a key policy newly allows the account (enables IAM)": (
        key_policy(key_allows(STEP_ROLE_ARN, "kms:Decrypt")),
        key_policy(key_allows(STEP_ROLE_ARN, "kms:Decrypt"), key_allows(ACCOUNT_ROOT, "kms:*")),
    ),
}


def new_key_of_the_account() -> Any:
    """An edit adding a key whose policy allows the account only, as CDK's default does."""

    def edit(template: dict[str, Any]) -> None:
        template["Resources"]["OtherKeyCD34EF56"] = {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Statement": [key_allows(ACCOUNT_ROOT, "kms:*")]}},
        }

    return edit


RESOURCE_POLICY_NARROWINGS: dict[str, tuple[Any, Any]] = {
    "a Lambda permission of another account removed": (invoke_permission("999999999999"), None),
    "a Lambda permission given a SourceAccount": (
        invoke_permission("events.amazonaws.com", SourceArn=NEW_DATA_RULE),
        invoke_permission(
            "events.amazonaws.com", SourceArn=NEW_DATA_RULE, SourceAccount="000000000000"
        ),
    ),
    "a Lambda permission of the account (IAM decides)": (
        None,
        invoke_permission({"Ref": "AWS::AccountId"}),
    ),
    "a new key whose policy allows the account only (no role may use it yet)": (
        None,
        new_key_of_the_account(),
    ),
    "a bucket policy's grant narrowed": (
        bucket_policy(data_read_by_step_role("curated/*")),
        bucket_policy(data_read_by_step_role("curated/2024/*")),
    ),
    "a bucket policy newly allows the account (IAM decides)": (
        bucket_policy(DENY_INSECURE),
        bucket_policy(
            DENY_INSECURE, {**data_read_by_step_role("*"), "Principal": {"AWS": ACCOUNT_ROOT}}
        ),
    ),
    "a bucket policy's Deny added": (
        bucket_policy(data_read_by_step_role("curated/*")),
        bucket_policy(DENY_INSECURE, data_read_by_step_role("curated/*")),
    ),
    # The upgrade of ``SealedKeysAreWrittenOnce``: one statement per pipeline (on
    # ``sealed/<pipeline>/*``) gives way to one on ``sealed/*``, same action and condition.
    "per-pipeline Deny statements replaced by one store-wide": (
        bucket_policy(
            {**sealed_written_once("dev-ml-training/*"), "Sid": "SealedKeysAreWrittenOnceA1"},
            {**sealed_written_once("dev-ml-scoring/*"), "Sid": "SealedKeysAreWrittenOnceB2"},
        ),
        bucket_policy({**sealed_written_once("*"), "Sid": "SealedKeysAreWrittenOnce"}),
    ),
    "a bucket policy's Deny replaced by one of s3:Put*": (
        bucket_policy(sealed_written_once()),
        bucket_policy(sealed_written_once(action="s3:Put*")),
    ),
    "a bucket policy's Deny replaced by one with a condition key fewer": (
        bucket_policy(sealed_written_once()),
        bucket_policy(sealed_written_once(condition={"Null": {"s3:if-none-match": "true"}})),
    ),
    "a bucket policy's Deny of the step role replaced by one of everyone": (
        bucket_policy(sealed_written_once(principal=STEP_ROLE_ARN)),
        bucket_policy(sealed_written_once()),
    ),
    "a key policy's * grant narrowed to the step role": (
        key_policy(key_allows(ACCOUNT_ROOT, "kms:*"), key_allows("*", "kms:Decrypt")),
        key_policy(key_allows(ACCOUNT_ROOT, "kms:*"), key_allows(STEP_ROLE_ARN, "kms:Decrypt")),
    ),
}


def write_edited(workdir: Path, edits: tuple[Any, Any]) -> None:
    for name, edit in zip(("base", "head"), edits, strict=True):
        _, file, template = changed_copy(workdir, name)
        if edit is not None:
            edit(template)
        file.write_text(json.dumps(template))


@pytest.mark.parametrize("case", sorted(RESOURCE_POLICY_WIDENINGS))
def test_the_gate_fails_each_resource_policy_widening(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write_edited(workdir, RESOURCE_POLICY_WIDENINGS[case])
    code, out, err = run(capsys, "base", "head", "--fail-on-widening")
    assert (code, err) == (1, ""), out
    assert "(widens)" in out


@pytest.mark.parametrize("case", sorted(RESOURCE_POLICY_NARROWINGS))
def test_the_gate_passes_each_resource_policy_narrowing(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write_edited(workdir, RESOURCE_POLICY_NARROWINGS[case])
    code, out, err = run(capsys, "base", "head", "--fail-on-widening")
    assert (code, err) == (0, ""), out
    assert "does not widen access" in out


def test_a_bucket_policy_granting_a_new_prefix_is_shown_in_the_diff(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_edited(
        workdir, RESOURCE_POLICY_WIDENINGS["a bucket policy grants the step role a new prefix"]
    )
    assert run(capsys, "base", "head") == (
        0,
        "base:dev-ml-training → head:dev-ml-training: 1 grant added: widens access\n"
        "Bucket policy changed: dev/Ml/Data\n"
        "    + read dev/Ml/Data: raw/* for dev/Ml/StepRole  (widens)\n",
        "",
    )
    data = json.loads(run(capsys, "base", "head", "--json")[1])
    (change,) = data["resource_policies"]
    assert change["widening"][0]["principal"] == "dev/Ml/StepRole"


def test_per_pipeline_denials_given_way_to_a_store_wide_one_are_listed_not_flagged(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The SealedKeysAreWrittenOnce upgrade: a reviewer still sees each denial removed.
    upgrade = RESOURCE_POLICY_NARROWINGS["per-pipeline Deny statements replaced by one store-wide"]
    write_edited(workdir, upgrade)
    when = "for * when Bool s3:ObjectCreationOperation true; Null s3:if-none-match true"
    assert run(capsys, "base", "head", "--fail-on-widening") == (
        0,
        "base:dev-ml-training → head:dev-ml-training: 1 grant added, 2 grants removed: "
        "does not widen access\n"
        "Bucket policy changed: dev/Ml/Data\n"
        f"    + DENY write dev/Ml/Data: sealed/* {when}\n"
        f"    - DENY write dev/Ml/Data: sealed/<pipeline>/* {when}\n"
        f"    - DENY write dev/Ml/Data: sealed/dev-ml-scoring/* {when}\n",
        "",
    )


def test_a_key_policy_deny_removed_is_shown_in_the_markdown_diff(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
    write_edited(
        workdir,
        (
            key_policy(key_allows(ACCOUNT_ROOT, "kms:*"), deny),
            key_policy(key_allows(ACCOUNT_ROOT, "kms:*")),
        ),
    )
    out = run(capsys, "base", "head", "--markdown")[1]
    assert "**Key policy changed: DataKeyAB12CD34**" in out
    assert "- DENY key/DataKeyAB12CD34: kms:Decrypt for *   # widens" in out


def test_the_report_lists_what_bucket_and_key_policies_grant_the_roles(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, file, template = changed_copy(workdir, "head")
    bucket_policy(
        DENY_INSECURE,
        data_read_by_step_role("curated/*"),
        # Another principal's Allow is listed too: a service, another account.
        {**data_read_by_step_role("logs/*"), "Principal": {"Service": "logging.s3.amazonaws.com"}},
    )(template)
    key_policy(key_allows(ACCOUNT_ROOT, "kms:*"), key_allows("*", "kms:Decrypt"))(template)
    file.write_text(json.dumps(template))
    code, out, _ = run(capsys, "head")
    assert code == 0
    roles, _, function = EXPECTED_TEXT.replace("cdk.out:", "head:").rpartition("\nFunction")
    assert out.startswith(roles)
    assert out[len(roles) :] == (
        "\n"
        "Bucket policy of dev/Ml/Data:\n"
        "  DENY s3:* dev/Ml/Data: * for * when Bool aws:SecureTransport false\n"
        "  read dev/Ml/Data: curated/* for dev/Ml/StepRole\n"
        "  read dev/Ml/Data: logs/* for Service logging.s3.amazonaws.com\n"
        "\n"
        "Key policy of DataKeyAB12CD34:\n"
        "  key/DataKeyAB12CD34: kms:Decrypt for *\n"
        "  key/DataKeyAB12CD34: kms:* for account: defers to IAM\n"
        # Then who may invoke the functions, after the other resource policies.
        f"\nFunction{function}"
    )
    markdown = run(capsys, "head", "--markdown")[1]
    assert "**Bucket policy of dev/Ml/Data**" in markdown
    assert "| S3 | `read dev/Ml/Data: curated/* for dev/Ml/StepRole` |" in markdown
    assert run(capsys, "head", "--json") == run(capsys, "head", "--json")


def test_who_may_invoke_a_lambda_steps_function_is_listed_and_compared(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its permissions (service with its source, another account, an alias's) and the roles
    # whose own policies allow it; a role newly allowed is marked here too.
    _, file, template = changed_copy(workdir, "head")
    invoke_permission("events.amazonaws.com", SourceArn=NEW_DATA_RULE)(template)
    invoke_permission("999999999999", FunctionName=under(COUNT_FUNCTION, ":live"))(template)
    step_policy(template).append({"Effect": "Allow", "Action": "lambda:Invoke*", "Resource": "*"})
    file.write_text(json.dumps(template))
    code, out, _ = run(capsys, "head")
    assert code == 0
    assert out.endswith(
        "Function policy of dev/Ml/Count (CountFn55667788):\n"
        "  function:CountFn55667788: lambda:InvokeFunction for Service events.amazonaws.com "
        f"when ArnLike aws:SourceArn {NEW_DATA_RULE}\n"
        "  function:CountFn55667788: lambda:InvokeFunction for dev/Ml/PipelineRole "
        "(identity policy)\n"
        "  function:CountFn55667788: lambda:Invoke* for dev/Ml/StepRole (identity policy)\n"
        "  function:CountFn55667788:live: lambda:InvokeFunction for AWS "
        "arn:aws:iam::999999999999:root\n"
    ), out
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 1
    assert (
        "Function policy changed: dev/Ml/Count (CountFn55667788)\n"
        "    + function:CountFn55667788: lambda:InvokeFunction for Service events.amazonaws.com "
        f"when ArnLike aws:SourceArn {NEW_DATA_RULE}  (widens)\n"
        "    + function:CountFn55667788: lambda:Invoke* for dev/Ml/StepRole (identity policy)"
        "  (widens)\n"
        "    + function:CountFn55667788:live: lambda:InvokeFunction for AWS "
        "arn:aws:iam::999999999999:root  (widens)\n"
    ) in out, out
    # Removed, nothing widens: the listing goes back to the pipeline role alone.
    code, out, _ = run(capsys, "head", "cdk.out", "--fail-on-widening")
    assert code == 0, out
    assert "Function policy changed: dev/Ml/Count (CountFn55667788)\n" in out
    assert "(widens)" not in out


def test_a_role_newly_allowed_to_invoke_a_function_counts_as_one_grant(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Listed under the role and again under the function's policy: one grant, both ways.
    _, file, template = changed_copy(workdir, "head")
    step_policy(template).append(
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": COUNT_FUNCTION}
    )
    file.write_text(json.dumps(template))
    code, out, _ = run(capsys, "cdk.out", "head")
    assert code == 0
    assert out == (
        "cdk.out:dev-ml-training → head:dev-ml-training: 1 grant added: widens access\n"
        "Role changed: dev/Ml/StepRole (StepRoleAB12CD34) (runs Prep, Train)\n"
        "    + function:CountFn55667788: lambda:InvokeFunction  (widens)\n"
        "Function policy changed: dev/Ml/Count (CountFn55667788)\n"
        "    + function:CountFn55667788: lambda:InvokeFunction for dev/Ml/StepRole "
        "(identity policy)  (widens)\n"
    ), out
    code, out, _ = run(capsys, "head", "cdk.out")
    assert out.startswith(
        "head:dev-ml-training → cdk.out:dev-ml-training: 1 grant removed: does not widen access\n"
    ), out


def _add_pipeline(cdk_out: Path, construct_id: str) -> None:
    """Another pipeline in the assembly's one stack, at ``dev/Ml/<construct_id>``."""
    file, template = template_of(cdk_out)
    copy = json.loads(json.dumps(template["Resources"]["Pipeline99887766"]))
    copy["Properties"]["PipelineName"] = f"dev-ml-{construct_id.lower()}"
    logical_id = f"{construct_id}11223344"
    template["Resources"][logical_id] = copy
    file.write_text(json.dumps(template))
    metadata_file = cdk_out / "assembly-dev" / "devMl.metadata.json"
    metadata = json.loads(metadata_file.read_text())
    metadata[f"/dev/Ml/{construct_id}/Resource"] = [
        {"type": "aws:cdk:logicalId", "data": logical_id}
    ]
    metadata_file.write_text(json.dumps(metadata))


def test_two_assemblies_of_several_pipelines_compare_pipeline_by_pipeline(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # BASE: Training and Scoring; HEAD: Training widened, Scoring gone, Batch new.
    _add_pipeline(workdir / "cdk.out", "Scoring")
    head, file, template = changed_copy(workdir, "head")
    step_policy(template).append(
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/models/dev-ml-training/*"),
        }
    )
    del template["Resources"]["Scoring11223344"]
    file.write_text(json.dumps(template))
    _add_pipeline(head, "Batch")

    code, out, err = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert (code, err) == (1, "")
    sections = out.split("== Pipeline ")
    assert [section.splitlines()[0] for section in sections[1:]] == [
        "dev/Ml/Training",
        "dev/Ml/Batch (added)",
        "dev/Ml/Scoring (removed)",
    ]
    assert sections[1] == (
        "dev/Ml/Training\n"
        "cdk.out:dev-ml-training → head:dev-ml-training: 1 grant added: widens access\n"
        "Role changed: dev/Ml/StepRole (StepRoleAB12CD34) (runs Prep, Train)\n"
        "    + write dev/Ml/Artifacts: models/<pipeline>/*  (widens)\n"
        "\n"  # a blank line between pipelines
    )
    # Every grant of an added pipeline is new (and widens); a removed one's are all gone.
    assert "Role added: dev/Ml/StepRole (StepRoleAB12CD34)" in sections[2]
    assert "Role removed: dev/Ml/StepRole (StepRoleAB12CD34)" in sections[3]
    assert sections[3].splitlines()[1].endswith(": does not widen access")

    data = json.loads(run(capsys, "cdk.out", "head", "--json")[1])
    assert data["widens"] is True
    assert [(item["pipeline"], item["kind"], item["widens"]) for item in data["pipelines"]] == [
        ("dev/Ml/Training", "compared", True),
        ("dev/Ml/Batch", "added", True),
        ("dev/Ml/Scoring", "removed", False),
    ]
    markdown = run(capsys, "cdk.out", "head", "--markdown")[1]
    assert "### Pipeline `dev/Ml/Batch` (added)\n\n**Access** `cdk.out` → `head:" in markdown
    # Naming one pipeline compares that one only, as before.
    assert run(capsys, "cdk.out", "head", "--pipeline", "dev/Ml/Scoring")[0] == 2


def test_several_pipelines_none_widening_pass_the_gate(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_pipeline(workdir / "cdk.out", "Scoring")
    changed_copy(workdir, "head")
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 0
    assert out.count("no change of access") == 2


def test_the_help_says_each_exit_code_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["access", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert help_text.count("Exit 0;") == 1
    assert "role by role. Without --pipeline, two assemblies of several pipelines" in help_text


# -- the reference app: resource policies and the stack's other roles --------------------

OTHER_ACCOUNT = "arn:aws:iam::999999999999:root"
ARTIFACTS_BUCKET_ARN = {"Fn::GetAtt": ["ArtifactsBucket88671897", "Arn"]}
GROUP_ARN = {
    "Fn::Join": [
        "",
        [
            "arn:aws:sagemaker:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":model-package/dev-breast-cancer-classifier/*",
        ],
    ]
}


def under(arn: Any, suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [arn, suffix]]}


def other_account_may(action: str, resource: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": OTHER_ACCOUNT},
        "Action": action,
        "Resource": resource,
    }


def statements_of(template: dict[str, Any], logical: str, *path: str) -> list[dict[str, Any]]:
    found: Any = template["Resources"][logical]["Properties"]
    for key in path:
        found = found[key]
    statements: list[dict[str, Any]] = found["Statement"]
    return statements


def _bucket_shared(template: dict[str, Any]) -> None:
    statements_of(template, "ArtifactsBucketPolicyBC103148", "PolicyDocument").append(
        other_account_may("s3:*", [ARTIFACTS_BUCKET_ARN, under(ARTIFACTS_BUCKET_ARN, "/*")])
    )


def _key_shared(template: dict[str, Any]) -> None:
    statements_of(template, "ArtifactsKeyA4B22E2B", "KeyPolicy").append(
        other_account_may("kms:*", "*")
    )


def _group_shared(template: dict[str, Any]) -> None:
    # A Json property: CloudFormation takes the document as JSON text too.
    role_properties(template, "Registry4DB9CCA5")["ModelPackageGroupPolicy"] = json.dumps(
        {"Statement": [other_account_may("sagemaker:UpdateModelPackage", "*")]}
    )


def _trigger_may_do_all_of_sagemaker(template: dict[str, Any]) -> None:
    statements_of(template, "OnNewDataRuleTarget0Policy439BD92E", "PolicyDocument").append(
        {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}
    )


def _schedule_may_pass_any_role(template: dict[str, Any]) -> None:
    statements_of(template, "RetrainRoleDefaultPolicy4F10E4F6", "PolicyDocument").append(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    )


def _endpoint_role(template: dict[str, Any]) -> None:
    template["Resources"]["EndpointRoleAB12CD34"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": SAGEMAKER_TRUST,
            "Policies": [
                {
                    "PolicyName": "models",
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": under(ARTIFACTS_BUCKET_ARN, "/models/*"),
                            }
                        ]
                    },
                }
            ],
        },
    }


def _topic_condition_dropped(template: dict[str, Any]) -> None:
    # The failure rule's statement: any rule (of any account) could publish.
    for statement in statements_of(template, "FailuresTopicPolicyC619B15F", "PolicyDocument"):
        if statement["Effect"] == "Allow":
            statement.pop("Condition", None)


def _queue_tls_deny_removed(template: dict[str, Any]) -> None:
    statements = statements_of(template, "OnNewDataDeadLetterQueuePolicyA72F512B", "PolicyDocument")
    statements[:] = [item for item in statements if item["Effect"] != "Deny"]


def _repository_shared(template: dict[str, Any]) -> None:
    template["Resources"]["ImagesAB12CD34"] = {
        "Type": "AWS::ECR::Repository",
        "Properties": {
            "RepositoryPolicyText": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "999999999999"},
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    }
                ]
            }
        },
    }


def _seal_function_invocable_by_another_account(template: dict[str, Any]) -> None:
    # Whoever may invoke the sealing function may seal any object of the store.
    template["Resources"]["TrainingSealFunctionInvoke"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "TrainingSealFunctionA76210A9"},
            "Principal": "999999999999",
        },
    }


# name: (stage, edit of the head, a line the diff must mark as widening)
REFERENCE_APP_WIDENINGS: dict[str, tuple[str, Any, str]] = {
    "the artifacts bucket policy gives another account s3:*": (
        "dev",
        _bucket_shared,
        f"+ s3:* dev/MlOps/Artifacts/Bucket: * for AWS {OTHER_ACCOUNT}  (widens)",
    ),
    "the key policy gives another account kms:*": (
        "dev",
        _key_shared,
        f"+ key/ArtifactsKeyA4B22E2B: kms:* for AWS {OTHER_ACCOUNT}  (widens)",
    ),
    "the model package group policy lets another account update models": (
        "dev",
        _group_shared,
        f"+ *: sagemaker:UpdateModelPackage for AWS {OTHER_ACCOUNT}  (widens)",
    ),
    "the new-data trigger's role gets sagemaker:*": (
        "dev",
        _trigger_may_do_all_of_sagemaker,
        "+ *: sagemaker:*  (widens)",
    ),
    "the schedule's role gets iam:PassRole *": (
        "prod",
        _schedule_may_pass_any_role,
        "+ *: iam:PassRole  (widens)",
    ),
    "a new endpoint role": (
        "dev",
        _endpoint_role,
        "+ read dev/MlOps/Artifacts/Bucket: models/*  (widens)",
    ),
    "the topic policy's aws:SourceArn condition dropped": (
        "dev",
        _topic_condition_dropped,
        "+ FailuresTopic6CB7CD9B: sns:Publish for Service events.amazonaws.com  (widens)",
    ),
    "the queue policy's TLS-only deny removed": (
        "dev",
        _queue_tls_deny_removed,
        "- DENY OnNewDataDeadLetterQueueC968B58A: sqs:* for * when Bool aws:SecureTransport "
        "false  (widens)",
    ),
    "the sealing function may be invoked by another account": (
        "dev",
        _seal_function_invocable_by_another_account,
        "+ function:TrainingSealFunctionA76210A9: lambda:InvokeFunction for AWS "
        f"{OTHER_ACCOUNT}  (widens)",
    ),
    "a new repository shared with another account": (
        "dev",
        _repository_shared,
        "+ repository/ImagesAB12CD34: ecr:BatchGetImage, ecr:GetDownloadUrlForLayer for AWS "
        f"{OTHER_ACCOUNT}  (widens)",
    ),
}


def reference_app_pair(
    directory: Path, stage: str, base_edit: Any, head_edit: Any
) -> tuple[str, str]:
    """The reference app's ``stage`` as BASE and HEAD assemblies, each edited (or not)."""
    sides = []
    for name, edit in (("base", base_edit), ("head", head_edit)):
        cdk_out = snapshot_assembly(directory / name, stage)
        if edit is not None:
            file = cdk_out / "devMlOps.template.json"
            template = json.loads(file.read_text())
            edit(template)
            file.write_text(json.dumps(template))
        sides.append(str(cdk_out))
    return sides[0], sides[1]


@pytest.mark.parametrize("case", sorted(REFERENCE_APP_WIDENINGS))
def test_the_gate_fails_each_widening_of_the_reference_apps_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    stage, edit, line = REFERENCE_APP_WIDENINGS[case]
    base, head = reference_app_pair(tmp_path, stage, None, edit)
    code, out, err = run(capsys, base, head, "--fail-on-widening")
    assert (code, err) == (1, ""), out
    assert f"    {line}\n" in out, out


def test_the_reference_apps_stack_roles_and_policies_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = reference_app_pair(tmp_path, "prod", None, None)
    code, out, _ = run(capsys, base)
    assert code == 0
    assert (
        "Role prod/MlOps/Retrain/Role (RetrainRole77F8710C):\n"
        "  no step runs as it: a role of the pipeline's stack\n"
        "  SageMaker:\n"
        "    pipeline/prod-breast-cancer-training: sagemaker:StartPipelineExecution\n"
        "  Other:\n"
        "    RetrainDeadLetterQueue0AE025EE: sqs:SendMessage\n"
        "  Who may assume it:\n"
        "    Service scheduler.amazonaws.com: sts:AssumeRole when StringEquals "
        "aws:SourceAccount 000000000000; StringEquals aws:SourceArn "
        "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default\n"
    ) in out
    # prod shares its registry with a reader account (shared_with_accounts).
    assert "\nModel package group policy of prod/MlOps/Registry (Registry4DB9CCA5):\n" in out
    assert "sagemaker:DescribeModelPackageGroup for AWS arn:aws:iam::444455556666:root" in out


def test_removing_the_other_account_is_a_narrowing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def shared_everywhere(template: dict[str, Any]) -> None:
        _bucket_shared(template)
        _key_shared(template)
        _group_shared(template)

    base, head = reference_app_pair(tmp_path, "dev", shared_everywhere, None)
    code, out, err = run(capsys, base, head, "--fail-on-widening")
    assert (code, err) == (0, ""), out
    assert out.splitlines()[0].endswith(": 4 grants removed: does not widen access")


def test_the_unchanged_reference_app_reports_no_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = reference_app_pair(tmp_path, "prod", None, None)
    code, out, _ = run(capsys, base, head, "--fail-on-widening")
    assert (code, out.splitlines()[0].endswith(": no change of access")) == (0, True), out


def test_what_pipelines_of_one_stack_share_is_shown_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_pipeline(workdir / "cdk.out", "Scoring")
    _, file, template = changed_copy(workdir, "head")
    template["Resources"]["TriggerRoleAB12CD34"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": SAGEMAKER_TRUST,
            "Policies": [{"PolicyName": "all", "PolicyDocument": {"Statement": [EVERYTHING]}}],
        },
    }
    bucket_policy({**data_read_by_step_role("*"), "Principal": {"AWS": OTHER_ACCOUNT}})(template)
    file.write_text(json.dumps(template))
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 1
    training, scoring = out.split("== Pipeline ")[1:]
    # Under the first pipeline listed only; the other says it has no change of its own.
    assert scoring.startswith("dev/Ml/Scoring\n"), scoring
    assert "no change of access" in scoring, scoring
    assert "Role added: TriggerRoleAB12CD34" in training
    assert "Bucket policy added: dev/Ml/Data" in training
    # Naming the pipeline shows all of its stack's changes.
    scoring_alone = run(capsys, "cdk.out", "head", "--pipeline", "dev/Ml/Scoring")[1]
    assert "Role added: TriggerRoleAB12CD34" in scoring_alone


# -- stacks that hold no pipeline (an endpoint-only stack of another account) -------------

ENDPOINT_STACK = "StagingMl/Endpoint"


def endpoint_stack(cdk_out: Path, edit: Any = None) -> None:
    """Add to ``cdk_out`` a stack of account 222233334444 with no pipeline: a role, a bucket
    policy. ``edit`` changes its template first."""
    template: dict[str, Any] = {
        "Resources": {
            "EndpointRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "sagemaker.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ]
                    },
                    "Policies": [
                        {
                            "PolicyName": "Models",
                            "PolicyDocument": {
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "s3:GetObject",
                                        "Resource": s3_arn({"Ref": "Models"}, "/models/*"),
                                    }
                                ]
                            },
                        }
                    ],
                },
            },
            "Models": {"Type": "AWS::S3::Bucket"},
            "ModelsPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Models"},
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                "Action": "s3:GetObject",
                                "Resource": s3_arn({"Ref": "Models"}, "/models/*"),
                            }
                        ]
                    },
                },
            },
        }
    }
    if edit is not None:
        edit(template)
    (cdk_out / "StagingMlEndpoint.template.json").write_text(json.dumps(template))
    manifest_file = cdk_out / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["artifacts"]["StagingMlEndpoint"] = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://222233334444/us-east-1",
        "displayName": ENDPOINT_STACK,
        "properties": {"templateFile": "StagingMlEndpoint.template.json"},
        "metadata": {
            "/StagingMl/Endpoint/Role/Resource": [
                {"type": "aws:cdk:logicalId", "data": "EndpointRole"}
            ],
            "/StagingMl/Endpoint/Models/Resource": [
                {"type": "aws:cdk:logicalId", "data": "Models"}
            ],
        },
    }
    manifest_file.write_text(json.dumps(manifest))


def test_a_stack_without_a_pipeline_is_listed_with_stack(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint_stack(workdir / "cdk.out")
    code, out, err = run(capsys, "cdk.out", "--stack", ENDPOINT_STACK)
    assert (code, err) == (0, "")
    assert out.startswith("cdk.out:StagingMl/Endpoint: access of 0 steps through 1 roles\n")
    assert (
        "Role StagingMl/Endpoint/Role (EndpointRole):\n  a role of a stack that holds no pipeline\n"
        in out
    )
    assert "read StagingMl/Endpoint/Models: models/*" in out
    assert "Bucket policy of StagingMl/Endpoint/Models:" in out
    assert "111122223333" in out
    assert run(capsys, "cdk.out", "--stack", ENDPOINT_STACK) == (code, out, err)  # deterministic
    code, _, err = run(capsys, "cdk.out", "--stack", "StagingMl/Nothing")
    assert code == 2
    assert "no stack 'StagingMl/Nothing' without a pipeline" in err
    assert ENDPOINT_STACK in err


def _cross_account_reader(template: dict[str, Any]) -> None:
    statement = template["Resources"]["ModelsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    statement.append({**statement[0], "Principal": {"AWS": "arn:aws:iam::999988887777:root"}})


def _wider_endpoint_role(template: dict[str, Any]) -> None:
    policy = template["Resources"]["EndpointRole"]["Properties"]["Policies"][0]
    policy["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": s3_arn({"Ref": "Models"}, "/*")}
    )


def _baseline_read_at_deploy_time(template: dict[str, Any]) -> None:
    """The role reads a baseline whose URI a custom resource returns (from_model_package)."""
    uri = {"Fn::GetAtt": ["Baseline", "DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri"]}
    object_arn = {
        "Fn::Join": [
            "",
            ["arn:aws:s3:::", {"Fn::Select": [1, {"Fn::Split": ["s3://", uri]}]}],
        ]
    }
    template["Resources"]["Baseline"] = {"Type": "Custom::AWS", "Properties": {}}
    policy = template["Resources"]["EndpointRole"]["Properties"]["Policies"][0]
    policy["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": object_arn}
    )


def test_an_object_known_at_deploy_time_only_is_shown_by_its_attribute(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Splitting the bucket and key out of a custom resource's attribute failed with an
    # IndexError traceback (the local stand-in for the value has no "s3://" to split at).
    endpoint_stack(workdir / "cdk.out", _baseline_read_at_deploy_time)
    code, out, err = run(capsys, "cdk.out", "--stack", ENDPOINT_STACK)
    assert (code, err) == (0, "")
    assert "Baseline.DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri" in out


ENDPOINT_VERSION = "arn:aws:sagemaker:us-east-1:222233334444:model-package/churn/{}"


def _endpoint_read(template: dict[str, Any]) -> dict[str, Any]:
    """The endpoint role's s3:GetObject statement, to edit."""
    policy = template["Resources"]["EndpointRole"]["Properties"]["Policies"][0]
    statement: dict[str, Any] = policy["PolicyDocument"]["Statement"][0]
    return statement


def _store_wide_read(template: dict[str, Any]) -> None:
    """The endpoint role reads every version's model data of its store (the old grant)."""
    _endpoint_read(template)["Resource"] = [
        s3_arn({"Ref": "Models"}, "/models/*"),
        s3_arn({"Ref": "Models"}, "/sealed/*"),
    ]


def _model_data_read(version: Any, bucket: Any = None) -> Any:
    """The endpoint role reads what a ModelEndpoint's ModelData resource finds of ``version``."""

    def edit(template: dict[str, Any]) -> None:
        template["Resources"]["ModelData"] = {
            "Type": "Custom::ModelDataLocations",
            "Properties": {
                "ServiceToken": "arn:aws:lambda:us-east-1:222233334444:function:reader",
                "Versions": [{"ModelPackageArn": version, "Bucket": bucket or {"Ref": "Models"}}],
                "Prefixes": ["models/", "sealed/"],
                "Partition": {"Ref": "AWS::Partition"},
            },
        }
        _endpoint_read(template)["Resource"] = {
            "Fn::Split": ["$$", {"Fn::GetAtt": ["ModelData", "ObjectArns"]}]
        }

    return edit


def test_an_endpoints_model_data_is_shown_as_its_versions_under_its_store(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The template holds a custom resource's attribute, split into the statement's
    # Resource: what its function may return, each version under each prefix of its store.
    endpoint_stack(workdir / "cdk.out", _model_data_read(ENDPOINT_VERSION.format(3)))
    code, out, err = run(capsys, "cdk.out", "--stack", ENDPOINT_STACK)
    assert (code, err) == (0, "")
    assert "    read StagingMl/Endpoint/Models: models/<model data of churn version 3>\n" in out
    assert "    read StagingMl/Endpoint/Models: sealed/<model data of churn version 3>\n" in out
    assert "ObjectArns" not in out


def test_a_version_given_as_a_parameter_is_shown_by_the_parameter(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(template: dict[str, Any]) -> None:
        _model_data_read({"Ref": "ModelPackageArn"})(template)
        template["Parameters"] = {"ModelPackageArn": {"Type": "String"}}  # no Default

    endpoint_stack(workdir / "cdk.out", edit)
    code, out, err = run(capsys, "cdk.out", "--stack", ENDPOINT_STACK)
    assert (code, err) == (0, "")
    assert "models/<model data of the version in parameter ModelPackageArn>" in out


def test_the_gate_takes_a_served_versions_model_data_as_its_store_bounds_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint_stack(workdir / "cdk.out", _store_wide_read)
    head = workdir / "head"
    shutil.copytree(workdir / "cdk.out", head)

    def gate(base: Any, edit: Any) -> tuple[int, str]:
        endpoint_stack(workdir / "cdk.out", base)
        endpoint_stack(head, edit)
        code, out, _ = run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK)
        assert code == 0
        return run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK, "--fail-on-widening")[
            0
        ], out

    version_3, version_4 = (_model_data_read(ENDPOINT_VERSION.format(n)) for n in (3, 4))
    # The store's models/* and sealed/* narrowed to the version's model data: no widening.
    code, out = gate(_store_wide_read, version_3)
    assert code == 0
    assert "+ read StagingMl/Endpoint/Models: models/<model data of churn version 3>\n" in out
    assert "- read StagingMl/Endpoint/Models: models/*\n" in out
    # Another version of the same store: the function keeps it under the same prefixes.
    code, out = gate(version_3, version_4)
    assert code == 0
    assert "+ read StagingMl/Endpoint/Models: sealed/<model data of churn version 4>\n" in out
    # Back to every object of the store, or a version of another bucket: wider.
    assert gate(version_3, _store_wide_read)[0] == 1
    other_bucket = _model_data_read(ENDPOINT_VERSION.format(4), "central-models")
    code, out = gate(version_3, other_bucket)
    assert code == 1
    assert "+ read central-models: models/<model data of churn version 4>  (widens)" in out


def _store_wide_listing(template: dict[str, Any]) -> None:
    """The endpoint role lists every registered model key of its store (the old grant)."""
    _store_wide_read(template)
    _endpoint_listing(template, ["models/*", "sealed/*"])


def _endpoint_listing(template: dict[str, Any], prefixes: Any) -> None:
    """Add the endpoint role's s3:ListBucket of its store, under ``prefixes``."""
    policy = template["Resources"]["EndpointRole"]["Properties"]["Policies"][0]
    policy["PolicyDocument"]["Statement"].append(
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": {"Fn::GetAtt": ["Models", "Arn"]},
            "Condition": {"StringLike": {"s3:prefix": prefixes}},
        }
    )


def _model_data_listing(version: Any) -> Any:
    """The endpoint role lists what a ModelEndpoint's ModelData resource finds of ``version``."""

    def edit(template: dict[str, Any]) -> None:
        _model_data_read(version)(template)
        split = {"Fn::Split": ["$$", {"Fn::GetAtt": ["ModelData", "ListPrefixes"]}]}
        _endpoint_listing(template, split)

    return edit


def test_an_endpoints_listing_is_shown_as_its_versions_uncompressed_models(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The condition is the resource's second attribute, split: what its function may
    # return, each version's prefix under each prefix of its store.
    endpoint_stack(workdir / "cdk.out", _model_data_listing(ENDPOINT_VERSION.format(3)))
    code, out, err = run(capsys, "cdk.out", "--stack", ENDPOINT_STACK)
    assert (code, err) == (0, "")
    # Read and listed alike: the same patterns, shown once.
    assert (
        "    read/list StagingMl/Endpoint/Models: models/<model data of churn version 3>\n" in out
    )
    assert (
        "    read/list StagingMl/Endpoint/Models: sealed/<model data of churn version 3>\n" in out
    )
    assert "ListPrefixes" not in out


def test_the_gate_takes_a_served_versions_listing_as_its_store_bounds_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = workdir / "head"
    shutil.copytree(workdir / "cdk.out", head)

    def gate(base: Any, edit: Any) -> tuple[int, str]:
        endpoint_stack(workdir / "cdk.out", base)
        endpoint_stack(head, edit)
        out = run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK)[1]
        return run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK, "--fail-on-widening")[
            0
        ], out

    version_3, version_4 = (_model_data_listing(ENDPOINT_VERSION.format(n)) for n in (3, 4))
    # The store's models/* and sealed/* narrowed to the version's prefixes: no widening.
    code, out = gate(_store_wide_listing, version_3)
    assert code == 0
    assert "+ read/list StagingMl/Endpoint/Models: models/<model data of churn version 3>\n" in out
    assert "- read/list StagingMl/Endpoint/Models: models/*\n" in out
    # Another version of the same store: kept under the same prefixes.
    assert gate(version_3, version_4)[0] == 0

    def listing_widened(template: dict[str, Any]) -> None:
        _model_data_read(ENDPOINT_VERSION.format(3))(template)
        _endpoint_listing(template, ["models/*", "sealed/*"])

    # Back to listing every registered model key, the read unchanged: wider.
    code, out = gate(version_3, listing_widened)
    assert code == 1
    assert "+ list StagingMl/Endpoint/Models: models/*  (widens)\n" in out


def _bucket_listing(template: dict[str, Any]) -> None:
    """The endpoint role lists every key of its store: s3:ListBucket without s3:prefix."""
    _store_wide_listing(template)
    policy = template["Resources"]["EndpointRole"]["Properties"]["Policies"][0]
    del policy["PolicyDocument"]["Statement"][-1]["Condition"]


def test_the_gate_takes_a_listing_narrowed_to_prefixes_as_no_wider(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A listing of the whole bucket lists every prefix: narrowed by s3:prefix (as a
    # monitor's baseline listing was, to its key's first segment), nothing widens.
    head = workdir / "head"
    shutil.copytree(workdir / "cdk.out", head)
    endpoint_stack(workdir / "cdk.out", _bucket_listing)
    endpoint_stack(head, _store_wide_listing)
    code, out, _ = run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK, "--fail-on-widening")
    assert code == 0
    assert "- list StagingMl/Endpoint/Models\n" in out
    assert "+ list StagingMl/Endpoint/Models: models/*\n" in out
    # The prefix condition dropped again: the whole bucket listed, wider.
    endpoint_stack(workdir / "cdk.out", _store_wide_listing)
    endpoint_stack(head, _bucket_listing)
    code, out, _ = run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK, "--fail-on-widening")
    assert code == 1
    assert "+ list StagingMl/Endpoint/Models  (widens)\n" in out


@pytest.mark.parametrize("edit", [_cross_account_reader, _wider_endpoint_role])
def test_the_gate_catches_a_widening_in_a_stack_without_a_pipeline(
    workdir: Path, capsys: pytest.CaptureFixture[str], edit: Any
) -> None:
    endpoint_stack(workdir / "cdk.out")
    head = workdir / "head"
    shutil.copytree(workdir / "cdk.out", head)
    # Unchanged: the stack is shown and the gate passes.
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 0
    assert f"\n== Stack {ENDPOINT_STACK}\n" in out
    endpoint_stack(head, edit)
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 1
    stack_part = out.split(f"== Stack {ENDPOINT_STACK}\n")[1]
    assert "(widens)" in stack_part
    assert run(capsys, "cdk.out", "head", "--stack", ENDPOINT_STACK, "--fail-on-widening")[0] == 1
    data = json.loads(run(capsys, "cdk.out", "head", "--json")[1])
    assert data["stacks"][0]["stack"] == ENDPOINT_STACK
    assert data["stacks"][0]["widens"] is True
    # A new stack without a pipeline in HEAD: everything it allows is added, and widens.
    shutil.rmtree(head)
    shutil.copytree(workdir / "cdk.out", head)
    manifest = json.loads((workdir / "cdk.out" / "manifest.json").read_text())
    del manifest["artifacts"]["StagingMlEndpoint"]
    (workdir / "cdk.out" / "manifest.json").write_text(json.dumps(manifest))
    code, out, _ = run(capsys, "cdk.out", "head", "--fail-on-widening")
    assert code == 1
    assert f"== Stack {ENDPOINT_STACK} (added)\n" in out


def _widened_head(workdir: Path) -> None:
    """``head``: ``cdk.out`` with the step role newly allowed to write ``models/``."""
    _, file, template = changed_copy(workdir, "head")
    step_policy(template).append(
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": s3_arn({"Ref": "ArtifactsBucketAB12CD34"}, "/models/dev-ml-training/*"),
        }
    )
    file.write_text(json.dumps(template))


ACCEPTED_ROLE = "Role changed: dev/Ml/StepRole (StepRoleAB12CD34) (runs Prep, Train)"
ACCEPTED_LINE = "+ write dev/Ml/Artifacts: models/<pipeline>/*  (widens)"


def test_an_accepted_widening_passes_the_gate_and_is_marked(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _widened_head(workdir)
    accept = workdir / "accepted.txt"
    # Pasted as printed, indented, with comments and blank lines.
    accept.write_text(
        f"# PR 123: training writes its models\n\n{ACCEPTED_ROLE}\n    {ACCEPTED_LINE}\n"
    )
    code, out, err = run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(accept))
    assert (code, err) == (0, "")
    assert out.endswith(f"    {ACCEPTED_LINE} (accepted)\n")
    # The marked line, pasted back, is accepted as well.
    accept.write_text(f"{ACCEPTED_ROLE}\n{ACCEPTED_LINE} (accepted)\n")
    assert run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(accept))[0] == 0
    markdown = run(capsys, "cdk.out", "head", "--markdown", "--accept", str(accept))[1]
    assert "+ write dev/Ml/Artifacts: models/<pipeline>/*   # widens (accepted)\n" in markdown
    data = json.loads(run(capsys, "cdk.out", "head", "--json", "--accept", str(accept))[1])
    assert data["accepted"] == [{"heading": ACCEPTED_ROLE, "line": ACCEPTED_LINE}]


def test_a_widening_not_accepted_still_fails_the_gate(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _widened_head(workdir)
    accept = workdir / "accepted.txt"
    # The same line under another role's heading doesn't accept it.
    accept.write_text(f"Role changed: dev/Ml/OtherRole (OtherRole1)\n{ACCEPTED_LINE}\n")
    code, out, err = run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(accept))
    assert code == 1
    assert "(accepted)" not in out
    assert f"{accept}:2: accepted widening matches nothing (stale)" in err
    accept.write_text("# nothing accepted yet\n")
    assert run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(accept))[:3:2] == (
        1,
        "",
    )


def test_a_stale_accepted_line_is_warned_about_not_failed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed_copy(workdir, "head")  # no change at all
    accept = workdir / "accepted.txt"
    accept.write_text(f"{ACCEPTED_ROLE}\n{ACCEPTED_LINE}\n")
    code, _, err = run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(accept))
    assert code == 0
    assert err == (
        f"smpipe access: warning: {accept}:2: accepted widening matches nothing (stale): "
        f"{ACCEPTED_ROLE} / {ACCEPTED_LINE}\n"
    )


def test_an_accept_file_missing_or_malformed_exits_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _widened_head(workdir)
    missing = workdir / "missing.txt"
    code, out, err = run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(missing))
    assert (code, out) == (2, "")
    assert err.startswith(f"smpipe access: can't read --accept file {missing}:")
    headless = workdir / "headless.txt"
    headless.write_text(f"# no heading\n{ACCEPTED_LINE}\n")
    code, _, err = run(capsys, "cdk.out", "head", "--fail-on-widening", "--accept", str(headless))
    assert code == 2
    assert f"{headless}:2: an accepted widening needs the heading line above it" in err
    # One assembly: nothing to accept.
    assert run(capsys, "cdk.out", "--accept", str(headless))[0] == 2
