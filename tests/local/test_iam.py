"""The simulated IAM check: each job's S3 access against the policies of the role it runs as.

The evaluator on its own, then runs: from the hand-written assembly of ``test_assembly``
(its step role's managed policy edited), and compiled definitions given roles by hand
(the pipeline role's property-file read, a Transform job as its model's role, a batch
transform with every step on a role of its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    ModelStep,
    RegisterModel,
    TrainingStep,
    TransformStep,
)
from cdk_sagemaker_pipelines.local import LoadedPipeline, LocalConfig, LocalRunner, load_assembly
from cdk_sagemaker_pipelines.local._errors import AccessDeniedError
from cdk_sagemaker_pipelines.local._service_calls import service_calls
from cdk_sagemaker_pipelines.local.iam import (
    AccessGuard,
    AssemblyRoles,
    Decision,
    ObjectKey,
    ResourcePolicy,
    RolePolicies,
    ServiceCall,
    Statement,
    evaluate,
    output_keys,
)
from cdk_sagemaker_pipelines.local.runner import _with_stand_in_hint
from tests.conftest import ROLE
from tests.local.conftest import SKLEARN, Workspace, compile_steps
from tests.local.executors.test_condition import GOOD
from tests.local.executors.test_condition import build as condition_pipeline
from tests.local.executors.test_models import INFERENCE as MODELS_INFERENCE
from tests.local.executors.test_models import TRAIN as MODELS_TRAIN
from tests.local.executors.test_models import pipeline as transform_pipeline
from tests.local.executors.test_stand_in import AUC, MODEL, MODEL_URI, packed_model
from tests.local.executors.test_stand_in import pipeline as stand_in_pipeline
from tests.local.test_assembly import (
    ASSETS,
    GROUP,
    PREP,
    TRAIN,
    Cfn,
    definition,
    join,
    s3_arn,
    write_cdk_out,
)
from tests.review.test_access import snapshot_assembly

OBJECT = "arn:aws:s3:::data/curated/rows.csv"
DATA_KEY = "arn:aws:kms:us-east-1:000000000000:key/DataKeyAB12CD34"


@pytest.fixture
def cdk_out(tmp_path: Path) -> Path:
    """test_assembly's hand-written assembly."""
    return write_cdk_out(tmp_path)


def role(*statements: Statement, boundary: tuple[Statement, ...] | None = None) -> RolePolicies:
    name = "Boundary" if boundary is not None else None
    return RolePolicies("arn:aws:iam::1:role/R", "R (dev/R)", statements, boundary, name)


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> Statement:
    return Statement.from_json({"Effect": "Allow", "Action": action, "Resource": resource, **extra})


def deny(action: str, resource: str, **extra: Any) -> Statement:
    return Statement.from_json({"Effect": "Deny", "Action": action, "Resource": resource, **extra})


@pytest.mark.parametrize(
    ("statement", "allowed"),
    [
        (allow("s3:GetObject", "arn:aws:s3:::data/curated/*"), True),
        (allow("S3:get*", "arn:aws:s3:::data/*"), True),  # actions: case-insensitive
        (allow("s3:GetObjec?", "arn:aws:s3:::data/curated/rows.???"), True),
        (allow("s3:GetObject", "arn:aws:s3:::data/Curated/*"), False),  # resources: not
        (allow("s3:GetObject", "arn:aws:s3:::data/curated"), False),
        (allow("s3:PutObject", "*"), False),
        (allow(["s3:List*", "s3:GetObject"], ["arn:aws:s3:::x/*", "arn:aws:s3:::data/*"]), True),
    ],
)
def test_actions_and_resources_match_with_iams_wildcards(
    statement: Statement, allowed: bool
) -> None:
    assert evaluate(role(statement), "s3:GetObject", OBJECT, {}).allowed is allowed


def test_an_explicit_deny_wins_over_any_allow() -> None:
    decision = evaluate(
        role(allow("s3:*", "*"), deny("s3:Get*", "arn:aws:s3:::data/*", Sid="NoData")),
        "s3:GetObject",
        OBJECT,
        {},
    )
    assert not decision.allowed
    assert decision.reason == "an explicit Deny in its policy (Sid NoData) denies it"
    assert evaluate(role(allow("s3:*", "*")), "s3:GetObject", OBJECT, {}).allowed


def test_not_action_and_not_resource_match_everything_else() -> None:
    everything_but_put = Statement.from_json(
        {"Effect": "Allow", "NotAction": "s3:Put*", "Resource": "*"}
    )
    assert evaluate(role(everything_but_put), "s3:GetObject", OBJECT, {}).allowed
    assert not evaluate(role(everything_but_put), "s3:PutObject", OBJECT, {}).allowed
    outside_secrets = Statement.from_json(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::data/secret/*"}
    )
    assert evaluate(role(outside_secrets), "s3:GetObject", OBJECT, {}).allowed
    secret = "arn:aws:s3:::data/secret/key"
    assert not evaluate(role(outside_secrets), "s3:GetObject", secret, {}).allowed


def test_a_permissions_boundary_must_allow_it_too() -> None:
    boundary = (allow("s3:GetObject", "arn:aws:s3:::other/*"),)
    decision = evaluate(role(allow("s3:*", "*"), boundary=boundary), "s3:GetObject", OBJECT, {})
    assert decision == type(decision)(False, "its permissions boundary Boundary does not allow it")
    wide = (allow("s3:*", "*"),)
    assert evaluate(
        role(allow("s3:GetObject", "*"), boundary=wide), "s3:GetObject", OBJECT, {}
    ).allowed
    assert not evaluate(role(boundary=wide), "s3:GetObject", OBJECT, {}).allowed


def test_conditions_known_offline_are_evaluated_the_others_read_permissively() -> None:
    listing = allow(
        "s3:ListBucket", "arn:aws:s3:::data", Condition={"StringLike": {"s3:prefix": "curated/*"}}
    )
    assert evaluate(
        role(listing), "s3:ListBucket", "arn:aws:s3:::data", {"s3:prefix": "curated/"}
    ).allowed
    assert not evaluate(
        role(listing), "s3:ListBucket", "arn:aws:s3:::data", {"s3:prefix": "raw/"}
    ).allowed
    # A GetObject has no s3:prefix: a StringLike on it doesn't apply.
    on_prefix = allow("s3:GetObject", "*", Condition={"StringLike": {"s3:prefix": "curated/*"}})
    assert not evaluate(role(on_prefix), "s3:GetObject", OBJECT, {}).allowed
    # A key not known offline: matches for an Allow, not for a Deny.
    vpc = {"StringEquals": {"aws:SourceVpce": "vpce-1"}}
    assert evaluate(
        role(allow("s3:GetObject", "*", Condition=vpc)), "s3:GetObject", OBJECT, {}
    ).allowed
    denied_outside_vpc = deny("s3:*", "*", Condition=vpc)
    assert evaluate(
        role(allow("s3:*", "*"), denied_outside_vpc), "s3:GetObject", OBJECT, {}
    ).allowed
    tls = {"Bool": {"aws:SecureTransport": "false"}}
    guard = AccessGuard([role(allow("s3:*", "*"), deny("s3:*", "*", Condition=tls))], "me", "aws")
    guard.read("s3://data/curated/rows.csv", "input")  # the SDK uses TLS: the Deny doesn't apply


PASSED = "iam:passedtoservice"
STATUS = "sagemaker:modelapprovalstatus"
STEP_ROLE = "arn:aws:iam::1:role/Step"
PACKAGE = "arn:aws:sagemaker:us-east-1:1:model-package/models/1"


def test_the_pipeline_roles_condition_keys_are_evaluated() -> None:
    to_sagemaker = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    passing = role(allow("iam:PassRole", STEP_ROLE, Condition=to_sagemaker))
    sagemaker = {PASSED: "sagemaker.amazonaws.com"}
    assert evaluate(passing, "iam:PassRole", STEP_ROLE, sagemaker, (PASSED,)).allowed
    to_glue = {PASSED: "glue.amazonaws.com"}
    assert not evaluate(passing, "iam:PassRole", STEP_ROLE, to_glue, (PASSED,)).allowed
    # Known to be absent: a StringEquals on it doesn't match (IAM's rule).
    assert not evaluate(passing, "iam:PassRole", STEP_ROLE, {}, (PASSED,)).allowed
    pending = {"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}}
    register = role(allow("sagemaker:CreateModelPackage", "*", Condition=pending))
    for status, allowed in (("PendingManualApproval", True), ("Approved", False)):
        decision = evaluate(
            register, "sagemaker:CreateModelPackage", PACKAGE, {STATUS: status}, (STATUS,)
        )
        assert decision.allowed is allowed
    # A request without a status (nor "known"): the key is unknown, read permissively.
    assert evaluate(register, "sagemaker:CreateModelPackage", PACKAGE, {}).allowed
    # aws:RequestTag/…: a prefix of known keys; a tag the request lacks is absent.
    team = {"StringEquals": {"aws:RequestTag/team": "ml"}}
    tagged = role(allow("sagemaker:AddTags", "*", Condition=team))
    tags = ("aws:requesttag/",)
    with_team = {"aws:requesttag/team": "ml"}
    assert evaluate(tagged, "sagemaker:AddTags", PACKAGE, with_team, tags).allowed
    without = {"aws:requesttag/x": "1"}
    assert not evaluate(tagged, "sagemaker:AddTags", PACKAGE, without, tags).allowed


def test_a_denied_call_names_the_role_the_action_the_arn_and_the_condition_values() -> None:
    guard = AccessGuard(
        [role(allow("iam:PassRole", "*"), deny("iam:PassRole", STEP_ROLE))], "me", "aws"
    )
    call = ServiceCall("iam:PassRole", STEP_ROLE, {PASSED: "sagemaker.amazonaws.com"}, (PASSED,))
    with pytest.raises(AccessDeniedError) as raised:
        guard.call(replace(call, what="passing RoleArn to SageMaker for step 'Train'"))
    assert raised.value.reason == (
        "AccessDenied (simulated from the assembly's IAM policies): role R (dev/R) may not "
        "iam:PassRole on arn:aws:iam::1:role/Step (with iam:PassedToService="
        "'sagemaker.amazonaws.com'): an explicit Deny in its policy denies it (passing RoleArn "
        "to SageMaker for step 'Train', called by me). Grant it to the pipeline's role, or "
        "run with --no-iam-check (LocalConfig(iam_check=False))"
    )


def test_a_denied_read_of_a_callback_output_stand_in_says_where_it_goes() -> None:
    # A migrating team's stand-in model (--callback-output Train.ModelArtifacts…=URI)
    # outside the training step's output prefix: the evaluation step's role may not read
    # it, and the message said nothing of the option that named the URI.
    guard = AccessGuard(
        [role(allow("s3:GetObject", "arn:aws:s3:::store/models/p/Train/*"))], "the job", "aws"
    )
    stand_in = "s3://store/stand-in/model.tar.gz"
    with pytest.raises(AccessDeniedError) as raised:
        guard.read(stand_in, "input 'model'")
    given = {"Train": {"ModelArtifacts.S3ModelArtifacts": stand_in}}
    hinted = _with_stand_in_hint(raised.value, given)
    assert hinted.reason == (
        f"{raised.value.reason}. {stand_in} is the stand-in --callback-output "
        "Train.ModelArtifacts.S3ModelArtifacts gives: put it where the steps reading it may "
        "read, for a training step's model under that step's output prefix "
        "(OutputDataConfig.S3OutputPath; models/<pipeline>/<step>/ of an ArtifactStore's "
        "bucket), and map it there with --s3-map"
    )
    assert isinstance(hinted, AccessDeniedError)
    # Another object, even one the stand-in's URI starts: the message as it was.
    longer = {"Train": {"ModelArtifacts.S3ModelArtifacts": "s3://store/stand-in/model.tar"}}
    assert _with_stand_in_hint(raised.value, longer) is raised.value
    assert _with_stand_in_hint(raised.value, {}) is raised.value


ROLES = AssemblyRoles("aws", {}, None, region="eu-west-1", account="111122223333")
JOB = "pipelines-abc123-Train-x1"


def _calls(step_type: str, arguments: dict[str, Any], **extra: Any) -> list[tuple[str, str]]:
    return [
        (call.action, call.resource)
        for call in service_calls(step_type, arguments, JOB, ROLES, **extra)
    ]


def test_the_calls_of_each_step_are_the_derived_policies_actions_and_arns() -> None:
    arn = "arn:aws:sagemaker:eu-west-1:111122223333"
    tags = [{"Key": "team", "Value": "ml"}]
    assert _calls("Training", {"RoleArn": STEP_ROLE, "Tags": tags}) == [
        ("sagemaker:CreateTrainingJob", f"{arn}:training-job/{JOB}"),
        ("sagemaker:AddTags", f"{arn}:training-job/{JOB}"),
        ("iam:PassRole", STEP_ROLE),
    ]
    # A name the request gives is a custom prefix (as _job_name_prefix derives it).
    custom = {"ProcessingJobName": "acme", "RoleArn": STEP_ROLE}
    assert _calls("QualityCheck", custom)[0] == (
        "sagemaker:CreateProcessingJob",
        f"{arn}:processing-job/acme-abc123-Train-x1",
    )
    tuning = {"TrainingJobDefinitions": [{"RoleArn": STEP_ROLE}, {"RoleArn": ROLE}]}
    assert [item for item in _calls("Tuning", tuning) if item[0] == "iam:PassRole"] == [
        ("iam:PassRole", STEP_ROLE),
        ("iam:PassRole", ROLE),
    ]
    assert _calls("Transform", {"ModelName": "m"}) == [
        ("sagemaker:CreateTransformJob", f"{arn}:transform-job/{JOB}")
    ]
    assert _calls("RegisterModel", {"ModelPackageGroupName": "g"}, package_version=3) == [
        ("sagemaker:CreateModelPackage", f"{arn}:model-package/g/3"),
        ("sagemaker:CreateModelPackage", f"{arn}:model-package-group/g"),
    ]
    function = "arn:aws:lambda:eu-west-1:111122223333:function:f"
    assert _calls("Lambda", {}, function_arn=function) == [("lambda:InvokeFunction", function)]
    queue = "https://sqs.eu-west-1.amazonaws.com/111122223333/q"
    assert _calls("Callback", {}, queue_url=queue) == [
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q")
    ]
    endpoint = {"EndpointName": "e", "EndpointConfigName": "c-abc123"}
    assert _calls("Endpoint", endpoint, hosted=lambda kind, name: True) == [
        ("sagemaker:UpdateEndpoint", f"{arn}:endpoint/e"),
        ("sagemaker:UpdateEndpoint", f"{arn}:endpoint-config/c-abc123"),
    ]
    assert _calls("Condition", {}) == []


def test_a_model_of_a_local_registry_version_is_checked_as_the_stacks_version() -> None:
    # The local registry's ARNs are of region "local", account 000000000000, which no
    # policy of a synthesized stack names: checked as the same version of the stack's
    # account and region (docs/batch-scoring.md runs the assembly on a local version).
    local = "arn:aws:sagemaker:local:000000000000:model-package/churn/2"
    assert _calls("Model", {"PrimaryContainer": {"ModelPackageName": local}})[1:] == [
        ("sagemaker:CreateModel", "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/2")
    ]
    # A version of an account of its own is checked as named.
    other = "arn:aws:sagemaker:us-east-1:444455556666:model-package/churn/2"
    assert _calls("Model", {"Containers": [{"ModelPackageName": other}]})[1:] == [
        ("sagemaker:CreateModel", other)
    ]


def test_roles_round_trip_through_json() -> None:
    roles = AssemblyRoles(
        "aws", {"arn:aws:iam::1:role/R": role(allow("s3:*", "*", Sid="All"))}, "arn:p"
    )
    again = AssemblyRoles.from_json(json.loads(json.dumps(roles.to_json())))
    assert again == roles


# -- runs from the assembly --------------------------------------------------------------


def _edit_policy(cdk_out: Path, edit: Any) -> None:
    template_file = cdk_out / "assembly-dev" / "devMl.template.json"
    template = json.loads(template_file.read_text())
    edit(template["Resources"])
    template_file.write_text(json.dumps(template))


def _statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = resources["StepRolePolicyAB12CD34"]["Properties"][
        "PolicyDocument"
    ]["Statement"]
    return statements


def _without_the_data_bucket(resources: dict[str, Any]) -> None:
    read = _statements(resources)[0]
    read["Resource"] = [item for item in read["Resource"] if "DataBucket" not in json.dumps(item)]


def test_the_assemblys_run_checks_every_read_and_write(
    cdk_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[tuple[str, str]] = []
    original = AccessGuard._check

    def spy(self: AccessGuard, action: str, resource: str, *rest: Any, **named: Any) -> None:
        checked.append((action, resource))
        original(self, action, resource, *rest, **named)

    monkeypatch.setattr(AccessGuard, "_check", spy)
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Succeeded", result.failure_reason
    actions = {action for action, _ in checked}
    assert actions == {
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        # The pipeline role's calls (test_the_pipeline_roles_calls_…).
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateTrainingJob",
        "iam:PassRole",
        "lambda:InvokeFunction",
        # SSE-KMS: the data bucket's default key, Prep's and Train's output keys.
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    assert ("s3:GetObject", "arn:aws:s3:::dev-ml-data/curated/data.csv") in checked
    assert {resource for action, resource in checked if action.startswith("kms:")} == {DATA_KEY}
    assert (result.record.directory / "iam.json").is_file()


def test_a_read_the_policy_no_longer_allows_fails_the_step(cdk_out: Path, tmp_path: Path) -> None:
    _edit_policy(cdk_out, _without_the_data_bucket)
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Failed"
    assert result.step("Prep").failure_reason == (
        "AccessDenied (simulated from the assembly's IAM policies): role StepRoleAB12CD34 "
        "(dev/Ml/StepRole) may not s3:GetObject on arn:aws:s3:::dev-ml-data/curated/data.csv: "
        "no statement of its policies allows it (input 'raw', read by the job of step 'Prep'). "
        "Grant it to the role, narrowed to what the job needs (for a location a parameter "
        "gives, the parameter's prefixes in the Pipeline's parameter_locations; else a grant "
        "of the prefix, bucket.grant_read(role, 'prefix/*'), or a statement allowing "
        "s3:GetObject on arn:aws:s3:::dev-ml-data/curated/data.csv), or run with "
        "--no-iam-check (LocalConfig(iam_check=False))"
    )
    assert result.step("Train").status == "NotExecuted"
    # Off, the same assembly runs: the check is all that failed it.
    unchecked = LocalRunner(LocalConfig(root=tmp_path / "root", iam_check=False))
    assert unchecked.run(load_assembly(cdk_out)).status == "Succeeded"


def test_a_denied_write_fails_the_job_when_it_uploads(cdk_out: Path, tmp_path: Path) -> None:
    no_models = {
        "Sid": "NoModels",
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::my-artifacts/executions/*/Train/*",
    }
    _edit_policy(cdk_out, lambda resources: _statements(resources).append(no_models))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    reason = result.step("Train").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role StepRoleAB12CD34 "
        "(dev/Ml/StepRole) may not s3:PutObject on arn:aws:s3:::my-artifacts/executions/"
    ), reason
    assert re.search(r"executions/dev-ml-training/Train/[a-z0-9]+/out/", reason), reason
    assert "an explicit Deny in managed policy StepRolePolicyAB12CD34 (Sid NoModels)" in reason
    assert "written by the job of step 'Train'" in reason
    assert result.step("Prep").status == "Succeeded"


def test_the_no_iam_check_flag_turns_it_off(cdk_out: Path, tmp_path: Path) -> None:
    _edit_policy(cdk_out, _without_the_data_bucket)
    root = str(tmp_path / "root")
    assert main(["run", "--assembly", str(cdk_out), "--root", root]) == 1
    assert main(["run", "--assembly", str(cdk_out), "--root", root, "--no-iam-check"]) == 0


def test_a_failed_run_of_an_assembly_says_a_resume_keeps_its_policies(
    cdk_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: "After a fix, continue it: smpipe run --resume ID" alone. A resume refuses
    # --assembly and checks against the recorded policies: a grant added to the app (or a
    # stand-in moved) needed a new run, which the hint didn't say.
    _edit_policy(cdk_out, _without_the_data_bucket)
    root = str(tmp_path / "root")
    assert main(["run", "--assembly", str(cdk_out), "--root", root]) == 1
    out = capsys.readouterr().out
    [execution] = re.findall(r"smpipe: execution (\w+)", out)
    note = (
        "  A resume keeps what this run recorded from the assembly (its definition and IAM "
        "policies) and its succeeded steps' outputs, a stood-in step's --callback-output "
        "values too (--s3-map given with --resume adds to its mappings): after a change to "
        "the app (cdk synth) or to a succeeded step's stand-in, run it again"
    )
    again = f" (smpipe run --assembly {cdk_out} --root {root} with your other options)"
    assert out.rstrip().endswith(f"--resume {execution} --root {root}\n{note}{again}"), out
    # smpipe show knows the run was of an assembly (its recorded policies), not the command.
    assert main(["show", execution, "--root", root]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"\n{note}")


def test_a_resume_checks_against_the_recorded_policies(cdk_out: Path, tmp_path: Path) -> None:
    _edit_policy(cdk_out, _without_the_data_bucket)
    runner = LocalRunner(LocalConfig(root=tmp_path / "root"))
    failed = runner.run(load_assembly(cdk_out))
    assert "AccessDenied" in (runner.resume(failed.execution_id).failure_reason or "")
    unchecked = LocalRunner(LocalConfig(root=tmp_path / "root", iam_check=False))
    assert unchecked.resume(failed.execution_id).status == "Succeeded"


# -- a role of its own for every job step (dedicated_step_roles="*") ------------------------

ARTIFACTS = {"Ref": "ArtifactsBucketAB12CD34"}
DATA = {"Ref": "DataBucket11AA22BB"}
USE_DATA_KEY = {
    "Sid": "UseDataKey",
    "Effect": "Allow",
    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
    "Resource": {"Fn::GetAtt": ["DataKeyAB12CD34", "Arn"]},
}
# What the construct derives for each step alone: its inputs, its code, its own output.
DEDICATED_STATEMENTS = {
    "Prep": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [s3_arn(DATA, "/curated/*"), s3_arn(ASSETS, f"/{PREP}.py*")],
        },
        {
            "Sid": "List",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": s3_arn(DATA),
            "Condition": {"StringLike": {"s3:prefix": ["curated/*"]}},
        },
        {
            "Sid": "Write",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": s3_arn(ARTIFACTS, "/executions/dev-ml-training/Prep/*/out*"),
        },
        USE_DATA_KEY,
    ],
    "Train": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [
                s3_arn(ARTIFACTS, "/executions/dev-ml-training/Prep/*/out*"),
                s3_arn(ASSETS, f"/{TRAIN}.gz*"),
            ],
        },
        {
            "Sid": "List",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": s3_arn(ARTIFACTS),
            "Condition": {"StringLike": {"s3:prefix": ["executions/dev-ml-training/Prep/*/out*"]}},
        },
        {
            "Sid": "Write",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": s3_arn(ARTIFACTS, "/executions/dev-ml-training/Train/*/out*"),
        },
        USE_DATA_KEY,
    ],
}


def _dedicated_role(step: str) -> str:
    """The logical id of ``step``'s role."""
    return f"StepRole{step}AB12CD34"


def _every_step_dedicated(cdk_out: Path, train_input: Any = None) -> None:
    """test_assembly's assembly as ``dedicated_step_roles="*"`` makes it.

    Prep and Train run as roles of their own (``<pipeline>/StepRole-<step>``), each with a
    policy of what that step alone needs (``DEDICATED_STATEMENTS``). No job runs as the step
    role: its policy is attached to no role, and the pipeline role passes the two others.
    ``train_input``: another S3 URI for Train's channel (its policy left as it is).
    """
    body = definition()
    for step in body["Steps"]:
        name = step["Name"]
        if name in DEDICATED_STATEMENTS:
            step["Arguments"]["RoleArn"] = Cfn({"Fn::GetAtt": [_dedicated_role(name), "Arn"]})
        if name == "Train" and train_input is not None:
            channel = step["Arguments"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]
            channel["S3Uri"] = train_input

    def edit(resources: dict[str, Any]) -> None:
        del resources["StepRolePolicyAB12CD34"]["Properties"]["Roles"]
        for step, statements in DEDICATED_STATEMENTS.items():
            role = _dedicated_role(step)
            resources[role] = {"Type": "AWS::IAM::Role", "Properties": {}}
            resources[f"{role}Policy"] = {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Roles": [{"Ref": role}],
                    "PolicyDocument": {"Statement": statements},
                },
            }
        for statement in _pipeline_statements(resources):
            if statement["Sid"] == "PassStepRoleToSageMaker":
                statement["Resource"] = [
                    {"Fn::GetAtt": [_dedicated_role(step), "Arn"]} for step in DEDICATED_STATEMENTS
                ]
        properties = resources["Pipeline99887766"]["Properties"]
        properties["PipelineDefinition"]["PipelineDefinitionBody"] = join(body)

    _edit_policy(cdk_out, edit)
    metadata_file = cdk_out / "assembly-dev" / "devMl.metadata.json"
    metadata = json.loads(metadata_file.read_text())
    for step in DEDICATED_STATEMENTS:
        logical = [{"type": "aws:cdk:logicalId", "data": _dedicated_role(step)}]
        metadata[f"/dev/Ml/StepRole-{step}/Resource"] = logical
    metadata_file.write_text(json.dumps(metadata))


def test_every_step_on_a_role_of_its_own_runs_with_the_iam_check(
    cdk_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _every_step_dedicated(cdk_out)
    requesters: dict[str, set[str]] = {}
    original = AccessGuard._check

    def spy(self: AccessGuard, action: str, resource: str, *rest: Any, **named: Any) -> None:
        if action.startswith("s3:"):
            requesters.setdefault(self.who, set()).update(role.name for role in self.roles)
        original(self, action, resource, *rest, **named)

    monkeypatch.setattr(AccessGuard, "_check", spy)
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Succeeded", result.failure_reason
    # Each job's reads and writes were checked against its own role alone.
    assert requesters == {
        f"the job of step '{step}'": {f"{_dedicated_role(step)} (dev/Ml/StepRole-{step})"}
        for step in ("Prep", "Train")
    }


def test_a_step_reading_what_only_another_steps_role_may_read_is_denied(
    cdk_out: Path, tmp_path: Path
) -> None:
    # Train's role may read Prep's output, not Prep's input (curated/), which the step
    # role, that every job ran as, could.
    curated = {"Std:Join": {"On": "", "Values": ["s3://", Cfn(DATA), "/curated/"]}}
    _every_step_dedicated(cdk_out, train_input=curated)
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.step("Prep").status == "Succeeded"
    reason = result.step("Train").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role "
        f"{_dedicated_role('Train')} (dev/Ml/StepRole-Train) may not s3:ListBucket on "
        "arn:aws:s3:::dev-ml-data (s3:prefix 'curated/'): no statement of its policies allows "
        "it (channel 'train', read by the job of step 'Train')"
    ), reason


def test_a_role_with_an_aws_managed_policy_is_not_checked_and_noted(
    cdk_out: Path, tmp_path: Path
) -> None:
    managed = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"

    def edit(resources: dict[str, Any]) -> None:
        _without_the_data_bucket(resources)
        resources["StepRoleAB12CD34"]["Properties"]["ManagedPolicyArns"] = [managed]

    _edit_policy(cdk_out, edit)
    loaded = load_assembly(cdk_out)
    assert (
        f"role StepRoleAB12CD34 (dev/Ml/StepRole) is not checked against its policies: its "
        f"managed policy {managed} is not in the template (an AWS managed policy can't be "
        "read offline)"
    ) in loaded.notes
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(loaded)
    assert result.status == "Succeeded", result.failure_reason


# -- roles given by hand ------------------------------------------------------------------

PIPELINE_ROLE = "arn:aws:iam::111122223333:role/PipelineRole"
MODEL_ROLE = "arn:aws:iam::111122223333:role/ModelRole"
TRAIN_ROLE = "arn:aws:iam::111122223333:role/TrainRole"


def _roles(**statements: list[Statement]) -> AssemblyRoles:
    arns = {"job": ROLE, "pipeline": PIPELINE_ROLE, "model": MODEL_ROLE, "train": TRAIN_ROLE}
    roles = {
        arns[who]: RolePolicies(arns[who], f"{who.title()}Role", tuple(found))
        for who, found in statements.items()
    }
    return AssemblyRoles("aws", roles, PIPELINE_ROLE)


def test_a_run_refusing_a_stand_in_says_where_the_stand_in_goes(ws: Workspace) -> None:
    # The evaluation step's role may read the training step's outputs, not the stand-in
    # model a --callback-output placed elsewhere: the failure names the option.
    packed_model(ws)
    definition = compile_steps(stand_in_pipeline(ws))  # type: ignore[arg-type]
    everything = [allow(["s3:*", "sagemaker:*", "iam:PassRole"], "*")]
    no_stand_in = [*everything, deny("s3:GetObject", f"arn:aws:s3:::{MODEL_URI[5:]}")]
    loaded = LoadedPipeline(definition, roles=_roles(job=no_stand_in, pipeline=everything))
    runner = ws.runner(callback_outputs={"Train": {MODEL: MODEL_URI, AUC: "0.91"}})
    result = runner.run(loaded)
    reason = result.step("Evaluate").failure_reason or ""
    assert reason.startswith("AccessDenied (simulated from the assembly's IAM policies)"), (
        result.failure_reason
    )
    assert reason.endswith(
        f". {MODEL_URI} is the stand-in --callback-output Train.{MODEL} gives: put it where "
        "the steps reading it may read, for a training step's model under that step's output "
        "prefix (OutputDataConfig.S3OutputPath; models/<pipeline>/<step>/ of an "
        "ArtifactStore's bucket), and map it there with --s3-map"
    ), reason


def test_sagemaker_pipelines_reads_property_files_as_the_pipelines_role(ws: Workspace) -> None:
    definition, _ = condition_pipeline(ws, GOOD)
    everything = [allow("s3:*", "*")]
    # The pipeline role may start the jobs (sagemaker:*, iam:PassRole), not read the file.
    calls = [allow(["sagemaker:*", "iam:PassRole"], "*")]
    only_other = [*calls, allow("s3:GetObject", "arn:aws:s3:::art-bucket/other/*")]
    loaded = LoadedPipeline(definition, roles=_roles(job=everything, pipeline=only_other))
    result = ws.runner().run(loaded)
    assert result.step("Evaluate").status == "Succeeded"
    reason = result.step("Check").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role PipelineRole may not "
        "s3:GetObject on arn:aws:s3:::art-bucket/"
    ), reason
    assert reason.split(" on ")[1].split(":")[5].endswith("/evaluation/evaluation.json")
    assert "(property file 'Report' of step 'Evaluate' (FilePath), read by SageMaker " in reason
    allowed = LoadedPipeline(
        definition, roles=_roles(job=everything, pipeline=[*calls, *everything])
    )
    assert ws.runner().run(allowed).status == "Succeeded"


def test_a_transform_job_runs_as_its_models_role(ws: Workspace) -> None:
    definition = compile_steps(transform_pipeline(ws))  # type: ignore[arg-type]
    for step in definition["Steps"]:
        if step["Name"] == "CreateModel":
            step["Arguments"]["ExecutionRoleArn"] = MODEL_ROLE
    everything = [allow("s3:*", "*")]
    no_batch = [*everything, deny("s3:GetObject", "arn:aws:s3:::data-bucket/batch/*")]
    loaded = LoadedPipeline(definition, roles=_roles(job=everything, model=no_batch))
    result = ws.runner().run(loaded)
    assert result.step("CreateModel").status == "Succeeded"
    reason = result.step("Score").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role ModelRole may not "
        "s3:GetObject on arn:aws:s3:::data-bucket/batch/a.csv: an explicit Deny in its policy "
        "denies it (TransformInput, read by the job of step 'Score')"
    ), reason


def _every_step_dedicated_scoring(ws: Workspace) -> dict[str, Any]:
    """test_models' Train → CreateModel → Score as ``dedicated_step_roles="*"`` binds it.

    Train runs as a role of its own, the model (and so its Transform job) as the Model
    step's; no job runs as the step role.
    """
    definition = compile_steps(transform_pipeline(ws))  # type: ignore[arg-type]
    for step in definition["Steps"]:
        if step["Name"] == "Train":
            step["Arguments"]["RoleArn"] = TRAIN_ROLE
        if step["Name"] == "CreateModel":
            step["Arguments"]["ExecutionRoleArn"] = MODEL_ROLE
    return definition


# What the construct derives for the pipeline role and each dedicated role of that pipeline
# (the Model step's from its model and its Transform job), as the local runner names things:
# Execution.PipelineName is "local-pipeline", the artifact bucket "art-bucket".
_PASS_DEDICATED_ROLES = [
    allow(["sagemaker:*"], "*"),
    allow(
        "iam:PassRole",
        [TRAIN_ROLE, MODEL_ROLE],
        Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    ),
]
_TRAIN_STATEMENTS = [
    allow("s3:GetObject", "arn:aws:s3:::code-bucket/scripts/train.py*"),
    allow("s3:PutObject", "arn:aws:s3:::art-bucket/local-pipeline/Train/*/model*"),
]


def _model_statements(batch: str) -> list[Statement]:
    """The model's role: Train's model, its serving code, ``batch`` in, its scores out."""
    return [
        allow(
            "s3:GetObject",
            [
                "arn:aws:s3:::art-bucket/local-pipeline/Train/*/model*",
                "arn:aws:s3:::code-bucket/scripts/inference.py*",
                f"arn:aws:s3:::data-bucket/{batch}*",
            ],
        ),
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::data-bucket",
            Condition={"StringLike": {"s3:prefix": [f"{batch}*"]}},
        ),
        allow("s3:PutObject", "arn:aws:s3:::art-bucket/local-pipeline/Score/*/transform*"),
    ]


def test_a_batch_transform_with_every_step_on_a_role_of_its_own_runs(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    requesters: dict[str, set[str]] = {}
    original = AccessGuard._check

    def spy(self: AccessGuard, action: str, resource: str, *rest: Any, **named: Any) -> None:
        if action.startswith("s3:"):
            requesters.setdefault(self.who, set()).update(role.name for role in self.roles)
        original(self, action, resource, *rest, **named)

    monkeypatch.setattr(AccessGuard, "_check", spy)
    roles = _roles(
        job=[],  # the step role: no job runs as it
        pipeline=_PASS_DEDICATED_ROLES,
        train=_TRAIN_STATEMENTS,
        model=_model_statements("batch"),
    )
    result = ws.runner().run(LoadedPipeline(_every_step_dedicated_scoring(ws), roles=roles))
    assert result.status == "Succeeded", result.failure_reason
    # The model's reads and its Transform job's reads and writes were its role's.
    assert requesters == {
        "the job of step 'Train'": {"TrainRole"},
        "the job of step 'CreateModel'": {"ModelRole"},
        "the job of step 'Score'": {"ModelRole"},
    }


def test_a_transform_reading_what_only_the_step_role_may_read_is_denied(ws: Workspace) -> None:
    # The model's role was derived from another input (curated/); the step role, which the
    # Transform job ran as before the Model step had a role of its own, may read the batch.
    roles = _roles(
        job=[allow("s3:*", "arn:aws:s3:::data-bucket/*")],
        pipeline=_PASS_DEDICATED_ROLES,
        train=_TRAIN_STATEMENTS,
        model=_model_statements("curated"),
    )
    result = ws.runner().run(LoadedPipeline(_every_step_dedicated_scoring(ws), roles=roles))
    assert result.step("CreateModel").status == "Succeeded"
    reason = result.step("Score").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role ModelRole may not "
        "s3:ListBucket on arn:aws:s3:::data-bucket (s3:prefix 'batch'): no statement of its "
        "policies allows it (TransformInput, read by the job of step 'Score')"
    ), reason


def _model_of_a_registered_version(ws: Workspace) -> tuple[dict[str, Any], str]:
    """Train → Register in one run, then CreateModel (of that version) → Score.

    The scoring definition, its model running as ``MODEL_ROLE`` (the batch scoring
    example's, with ``dedicated_step_roles="*"``), and the version's model data URI.
    """
    train = TrainingStep(
        name="Train", image=SKLEARN, code=Code.from_asset(ws.script("train.py", MODELS_TRAIN))
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="scores",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        code=Code.from_asset(ws.script("inference.py", MODELS_INFERENCE)),
    )
    registered = ws.runner().run(compile_steps([register]))
    assert registered.status == "Succeeded", registered.failure_reason
    version = registered.properties("Register")
    model = ModelStep(name="CreateModel", model_package_name=version["ModelPackageArn"])
    ws.file("batch/a.csv", "1\n2\n")
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://data-bucket/batch",
        content_type="text/csv",
        split_type="Line",
        assemble_with="Line",
    )
    definition = compile_steps([score])
    for step in definition["Steps"]:
        if step["Name"] == "CreateModel":
            step["Arguments"]["ExecutionRoleArn"] = MODEL_ROLE
    (container,) = version["InferenceSpecification"]["Containers"]
    return definition, str(container["ModelDataUrl"])


def test_a_model_of_a_registered_version_reads_its_model_data_as_its_role(ws: Workspace) -> None:
    # Was: the runner served the version's model data from its registry copy, unchecked, so
    # a model role that may not read it (the batch scoring example without its
    # grant_read_models) ran green locally and failed on SageMaker.
    definition, model_data = _model_of_a_registered_version(ws)
    assert model_data.startswith("s3://art-bucket/local-pipeline/")
    scoring = [
        allow("s3:GetObject", "arn:aws:s3:::data-bucket/batch*"),
        allow("s3:ListBucket", "arn:aws:s3:::data-bucket"),
        allow("s3:PutObject", "arn:aws:s3:::art-bucket/local-pipeline/Score/*/transform*"),
    ]
    roles = _roles(pipeline=_PASS_DEDICATED_ROLES, model=scoring)
    result = ws.runner().run(LoadedPipeline(definition, roles=roles))
    reason = result.step("CreateModel").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role ModelRole may not "
        f"s3:GetObject on arn:aws:s3:::{model_data.removeprefix('s3://')}: no statement of its "
        "policies allows it (PrimaryContainer.ModelPackageName: the model data of version "
    ), reason
    assert "read by the job of step 'CreateModel')" in reason
    # The version's models granted (as grant_read_models does), not its serving code.
    models = allow("s3:GetObject", "arn:aws:s3:::art-bucket/local-pipeline/*")
    roles = _roles(pipeline=_PASS_DEDICATED_ROLES, model=[*scoring, models])
    result = ws.runner().run(LoadedPipeline(definition, roles=roles))
    reason = result.step("CreateModel").failure_reason or ""
    assert (
        "s3:GetObject on arn:aws:s3:::code-bucket/scripts/inference.py.tar.gz: no statement of "
        "its policies allows it (PrimaryContainer.ModelPackageName: the code of version "
    ) in reason, reason
    code = allow("s3:GetObject", "arn:aws:s3:::code-bucket/scripts/*")
    granted = _roles(pipeline=_PASS_DEDICATED_ROLES, model=[*scoring, models, code])
    result = ws.runner().run(LoadedPipeline(definition, roles=granted))
    assert result.status == "Succeeded", result.failure_reason


# -- the reference app's roles: each step's outputs its own ------------------------------


def _default_output_uris(step: Mapping[str, Any]) -> list[Any]:
    """A job step's output locations (``Std:Join``s as the binder renders them)."""
    arguments = step.get("Arguments") or {}
    outputs = (arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    uris = [output["S3Output"]["S3Uri"] for output in outputs]
    training = (arguments.get("OutputDataConfig") or {}).get("S3OutputPath")
    return uris + ([training] if training is not None else [])


def _at_run_time(uri: Any, pipeline: str, execution_id: str) -> str:
    """An output location's Join as an execution of ``pipeline`` resolves it."""
    variables = {"Execution.PipelineName": pipeline, "Execution.PipelineExecutionId": execution_id}
    values = uri["Std:Join"]["Values"]
    return "/".join(variables[item["Get"]] if isinstance(item, dict) else item for item in values)


def test_no_steps_role_may_write_an_object_under_another_steps_outputs(tmp_path: Path) -> None:
    # The reference app gives each job step a role of its own (dedicated_step_roles="*").
    # An object planted under Train's model prefix is downloaded as part of the model by
    # whatever reads it (Evaluate, the registered version's endpoints). IAM's * takes '/':
    # with the execution id first, Evaluate's models/<pipeline>/*/Evaluate/evaluation*
    # matched models/<pipeline>/<id>/Train/model/…/Evaluate/evaluation. Step first, each
    # step's grants stay under models|executions/<pipeline>/<step>/.
    loaded = load_assembly(snapshot_assembly(tmp_path))
    assert loaded.roles is not None
    assert loaded.pipeline_name is not None
    roles, pipeline = loaded.roles, loaded.pipeline_name
    steps = {step["Name"]: step for step in loaded.definition["Steps"]}
    jobs = ("Preprocess", "Train", "Evaluate")

    def written(step: str) -> list[str]:
        """``bucket/key`` of each of ``step``'s outputs in one execution."""
        return [
            _at_run_time(uri, pipeline, "ab12cd34ef56").removeprefix("s3://")
            for uri in _default_output_uris(steps[step])
        ]

    for writer in jobs:
        role = roles.role(steps[writer]["Arguments"]["RoleArn"])
        assert role is not None, writer
        for own in written(writer):
            # Its own outputs it may write; not the same key under another step's output.
            assert evaluate(role, "s3:PutObject", f"arn:aws:s3:::{own}/part-0", {}).allowed
            own_key = own.partition("/")[2]
            for owner in (step for step in jobs if step != writer):
                for prefix in written(owner):
                    planted = f"arn:aws:s3:::{prefix}/x/{own_key}"
                    decision = evaluate(role, "s3:PutObject", planted, {})
                    assert not decision.allowed, f"{writer} may write {planted}"


def test_a_definition_without_an_assembly_is_not_checked(ws: Workspace) -> None:
    definition = compile_steps(transform_pipeline(ws))  # type: ignore[arg-type]
    assert ws.runner().run(definition).status == "Succeeded"


# -- the pipeline role's calls, from the assembly -----------------------------------------


def _pipeline_statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = resources["PipelineRoleDefaultPolicyAA11BB22"]["Properties"][
        "PolicyDocument"
    ]["Statement"]
    return statements


def _edit_pipeline_statement(sid: str, edit: Any) -> Any:
    def apply(resources: dict[str, Any]) -> None:
        edit(next(item for item in _pipeline_statements(resources) if item.get("Sid") == sid))

    return apply


def _register_step(cdk_out: Path, edit: Any) -> None:
    """Edit the Register step of the assembly's definition (a Fn::Join of strings)."""
    template_file = cdk_out / "assembly-dev" / "devMl.template.json"
    text = template_file.read_text()
    template_file.write_text(edit(text))


def test_the_pipeline_roles_calls_are_checked_and_allowed_as_derived(tmp_path: Path) -> None:
    cdk_out = write_cdk_out(tmp_path, register=True)
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Succeeded", result.failure_reason
    assert result.step("Register").status == "Succeeded"


def test_a_pass_role_without_the_passed_to_service_value_fails_the_step(
    cdk_out: Path, tmp_path: Path
) -> None:
    def to_glue(statement: dict[str, Any]) -> None:
        statement["Condition"] = {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}

    _edit_policy(cdk_out, _edit_pipeline_statement("PassStepRoleToSageMaker", to_glue))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Failed"
    reason = result.step("Prep").failure_reason or ""
    assert reason == (
        "AccessDenied (simulated from the assembly's IAM policies): role PipelineRoleAA11BB22 "
        "(dev/Ml/PipelineRole) may not iam:PassRole on "
        "arn:aws:iam::000000000000:role/StepRoleAB12CD34 (with iam:PassedToService="
        "'sagemaker.amazonaws.com'): no statement of its policies allows it (passing RoleArn "
        "to SageMaker for step 'Prep', called by SageMaker Pipelines as the pipeline's role). "
        "Grant it to the pipeline's role, or run with --no-iam-check "
        "(LocalConfig(iam_check=False))"
    )
    # Before the job started: nothing was published.
    assert not (result.record.directory / "outputs" / "Prep").exists()


def test_a_job_the_pipeline_role_may_not_create_fails_the_step(
    cdk_out: Path, tmp_path: Path
) -> None:
    def only_other_prefix(statement: dict[str, Any]) -> None:
        statement["Resource"] = {"Fn::Sub": "arn:aws:sagemaker:*:*:training-job/acme-*"}

    _edit_policy(cdk_out, _edit_pipeline_statement("TrainingJobs", only_other_prefix))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.step("Prep").status == "Succeeded"
    reason = result.step("Train").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role PipelineRoleAA11BB22 "
        "(dev/Ml/PipelineRole) may not sagemaker:CreateTrainingJob on "
        "arn:aws:sagemaker:us-east-1:000000000000:training-job/pipelines-"
    ), reason
    assert "(creating the step's job for step 'Train', called by SageMaker Pipelines" in reason


def test_a_registration_with_another_approval_status_fails_the_step(tmp_path: Path) -> None:
    cdk_out = write_cdk_out(tmp_path, register=True)
    # The request's status (the definition comes after the policies in the template).
    _register_step(cdk_out, lambda text: "Approved".join(text.rsplit("PendingManualApproval", 1)))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.step("Train").status == "Succeeded"
    assert result.step("Register").failure_reason == (
        "AccessDenied (simulated from the assembly's IAM policies): role PipelineRoleAA11BB22 "
        "(dev/Ml/PipelineRole) may not sagemaker:CreateModelPackage on "
        f"arn:aws:sagemaker:us-east-1:000000000000:model-package/{GROUP}/1 (with "
        "sagemaker:ModelApprovalStatus='Approved'): no statement of its policies allows it "
        "(registering the model version for step 'Register', called by SageMaker Pipelines "
        "as the pipeline's role). Grant it to the pipeline's role, or run with --no-iam-check "
        "(LocalConfig(iam_check=False))"
    )
    assert not (tmp_path / "root" / "registry" / GROUP).exists()


# -- KMS (SSE-KMS) ---------------------------------------------------------------------


def _without_kms(action: str) -> Any:
    def edit(resources: dict[str, Any]) -> None:
        (use,) = [item for item in _statements(resources) if item.get("Sid") == "UseDataKey"]
        use["Action"] = [item for item in use["Action"] if item != action]

    return edit


def test_a_guard_checks_the_objects_key_on_reads_and_writes() -> None:
    key = ObjectKey("arn:aws:kms:us-east-1:1:key/K", "the default key of bucket data")
    s3 = allow(["s3:GetObject", "s3:PutObject"], "*")
    reader = AccessGuard([role(s3, allow("kms:Decrypt", key.arn))], "the job of step 'A'", "aws")
    reader.read("s3://data/curated/rows.csv", "input 'raw'", key)
    reader.read("s3://data/curated/rows.csv", "input 'raw'")  # not SSE-KMS: S3 alone
    with pytest.raises(AccessDeniedError) as raised:
        reader.write("s3://data/out/x", "output 'out'", key)
    assert str(raised.value) == (
        "AccessDenied (simulated from the assembly's IAM policies): role R (dev/R) may not "
        "kms:GenerateDataKey on arn:aws:kms:us-east-1:1:key/K: no statement of its policies "
        "allows it (output 'out' s3://data/out/x, encrypted with the default key of bucket "
        "data (SSE-KMS), written by the job of step 'A'). Grant it to the role (for example "
        "key.grant_encrypt(role) or a statement allowing kms:GenerateDataKey on "
        "arn:aws:kms:us-east-1:1:key/K), or run with --no-iam-check "
        "(LocalConfig(iam_check=False))"
    )
    writer = AccessGuard([role(s3, allow("kms:GenerateDataKey", "*"))], "the job", "aws")
    writer.write("s3://data/out/x", "output 'out'", key)
    with pytest.raises(AccessDeniedError, match="may not kms:Decrypt on arn:aws:kms:"):
        writer.read("s3://data/out/x", "input 'raw'", key)


def test_keys_resolve_by_id_arn_alias_and_as_written() -> None:
    arn = "arn:aws:kms:eu-west-1:1:key/Key"
    roles = AssemblyRoles(
        region="eu-west-1",
        account="1",
        keys={"Key": arn, arn: arn, "alias/ml": arn, "arn:aws:kms:eu-west-1:1:alias/ml": arn},
        bucket_keys={"data": "alias/ml"},
    )
    assert [roles.key_arn(item) for item in ("Key", arn, "alias/ml")] == [arn, arn, arn]
    imported = "arn:aws:kms:eu-west-1:2:key/Imported"
    assert roles.key_arn(imported) == imported
    assert roles.key_arn("1234abcd") == "arn:aws:kms:eu-west-1:1:key/1234abcd"
    assert roles.key_arn("alias/elsewhere") is None  # its key can't be known offline
    assert roles.bucket_key("data") == ObjectKey(arn, "the default key of bucket data")
    assert roles.bucket_key("plain") is None
    assert AssemblyRoles.from_json(json.loads(json.dumps(roles.to_json()))) == roles
    keys = output_keys(
        "Tuning",
        {
            "TrainingJobDefinitions": [
                {"OutputDataConfig": {"S3OutputPath": "s3://b/a", "KmsKeyId": "Key"}},
                {"OutputDataConfig": {"S3OutputPath": "s3://b/b"}},
            ]
        },
        ["s3://b/a/job-1/model.tar.gz", "s3://data/b/job-2/model.tar.gz"],
        roles,
        "Tune",
    )
    assert keys == {
        "s3://b/a/job-1/model.tar.gz": ObjectKey(
            arn,
            "the output key of step 'Tune' (TrainingJobDefinitions[0].OutputDataConfig."
            "KmsKeyId Key)",
            requested=True,  # the job's request names it: the upload sends its headers
        ),
        "s3://data/b/job-2/model.tar.gz": roles.bucket_key("data"),
    }


def test_the_assembly_gives_keys_aliases_and_bucket_encryption(cdk_out: Path) -> None:
    roles = load_assembly(cdk_out).roles
    assert roles is not None
    assert roles.key_arn("alias/dev-ml-data") == DATA_KEY
    assert roles.key_arn("arn:aws:kms:us-east-1:000000000000:alias/dev-ml-data") == DATA_KEY
    assert roles.key_arn("DataKeyAB12CD34") == DATA_KEY
    assert roles.bucket_keys == {"dev-ml-data": DATA_KEY}  # my-artifacts: no default key


def test_a_read_without_kms_decrypt_fails_the_step(cdk_out: Path, tmp_path: Path) -> None:
    _edit_policy(cdk_out, _without_kms("kms:Decrypt"))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.step("Prep").failure_reason == (
        "AccessDenied (simulated from the assembly's IAM policies): role StepRoleAB12CD34 "
        f"(dev/Ml/StepRole) may not kms:Decrypt on {DATA_KEY}: no statement of its policies "
        "allows it (input 'raw' s3://dev-ml-data/curated/data.csv, encrypted with the default "
        "key of bucket dev-ml-data (SSE-KMS), read by the job of step 'Prep'). Grant it to the "
        "role (for example key.grant_decrypt(role) or a statement allowing kms:Decrypt on "
        f"{DATA_KEY}), or run with --no-iam-check (LocalConfig(iam_check=False))"
    )
    unchecked = LocalRunner(LocalConfig(root=tmp_path / "root", iam_check=False))
    assert unchecked.run(load_assembly(cdk_out)).status == "Succeeded"


def test_a_write_without_kms_generate_data_key_fails_the_step(
    cdk_out: Path, tmp_path: Path
) -> None:
    _edit_policy(cdk_out, _without_kms("kms:GenerateDataKey"))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    reason = result.step("Prep").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role StepRoleAB12CD34 "
        f"(dev/Ml/StepRole) may not kms:GenerateDataKey on {DATA_KEY}: no statement of its "
        "policies allows it (output 'train' s3://my-artifacts/executions/dev-ml-training/"
    ), reason
    assert (
        "encrypted with the output key of step 'Prep' (ProcessingOutputConfig.KmsKeyId "
        f"{DATA_KEY}) (SSE-KMS), written by the job of step 'Prep')"
    ) in reason


def test_a_resumed_or_reused_output_keeps_its_key(cdk_out: Path, tmp_path: Path) -> None:
    no_models = {
        "Sid": "NoModels",
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::my-artifacts/executions/*/Train/*",
    }
    body = definition()
    body["Steps"][0]["CacheConfig"] = {"Enabled": True, "ExpireAfter": "P1D"}

    def cached_prep(resources: dict[str, Any]) -> None:
        pipeline = resources["Pipeline99887766"]["Properties"]
        pipeline["PipelineDefinition"]["PipelineDefinitionBody"] = join(body)

    _edit_policy(cdk_out, cached_prep)
    root = tmp_path / "root"
    first = LocalRunner(LocalConfig(root=root)).run(load_assembly(cdk_out))
    assert first.status == "Succeeded", first.failure_reason
    prep_key = ObjectKey(
        DATA_KEY,
        f"the output key of step 'Prep' (ProcessingOutputConfig.KmsKeyId {DATA_KEY})",
        requested=True,
    )
    saved = json.loads((first.record.directory / "store" / "Prep.json").read_text())
    assert list(saved["Keys"].values()) == [prep_key.to_json()]
    # A cache hit on Prep: its outputs are recorded with the key they were written with.
    cached = LocalRunner(LocalConfig(root=root)).run(load_assembly(cdk_out))
    assert cached.step("Prep").cache_hit is not None
    assert list(cached.store.step_keys["Prep"].values()) == [prep_key]
    # A resume adopts Prep from the store's record, key included.
    _edit_policy(cdk_out, lambda resources: _statements(resources).append(no_models))
    runner = LocalRunner(LocalConfig(root=root, reuse_cache=False))
    failed = runner.run(load_assembly(cdk_out))
    assert failed.step("Train").status == "Failed"
    resumed = runner.resume(failed.execution_id)
    assert list(resumed.store.step_keys["Prep"].values()) == [prep_key]


def test_policy_variables_are_not_matched_literally() -> None:
    # IAM replaces ${key} with the request's value; ${*}, ${?} and ${$} are the literal
    # characters ("IAM policy elements: Variables and tags").
    team = "arn:aws:s3:::data/${aws:PrincipalTag/team}/*"
    assert evaluate(
        role(allow("s3:GetObject", "arn:aws:s3:::${aws:PrincipalTag/bucket}/*")),
        "s3:GetObject",
        OBJECT,
        {},
    ).allowed  # unknown offline: read permissively
    assert evaluate(
        role(allow("s3:*", "*"), deny("s3:GetObject", team)), "s3:GetObject", OBJECT, {}
    ).allowed  # …so a Deny on it doesn't apply
    outside = Statement.from_json({"Effect": "Deny", "Action": "s3:*", "NotResource": team})
    assert evaluate(role(allow("s3:*", "*"), outside), "s3:GetObject", OBJECT, {}).allowed
    star = allow("s3:GetObject", "arn:aws:s3:::data/curated/${*}")
    assert not evaluate(role(star), "s3:GetObject", OBJECT, {}).allowed
    assert evaluate(role(star), "s3:GetObject", "arn:aws:s3:::data/curated/*", {}).allowed
    dollar = allow("s3:GetObject", "arn:aws:s3:::data/${$}{x}${?}")
    assert evaluate(role(dollar), "s3:GetObject", "arn:aws:s3:::data/${x}?", {}).allowed
    assert not evaluate(role(dollar), "s3:GetObject", "arn:aws:s3:::data/${x}y", {}).allowed
    # In a condition's value too: the classic home-folder listing.
    home = allow(
        "s3:ListBucket",
        "arn:aws:s3:::data",
        Condition={"StringLike": {"s3:prefix": "home/${aws:userid}/*"}},
    )
    bucket = "arn:aws:s3:::data"
    assert evaluate(role(home), "s3:ListBucket", bucket, {"s3:prefix": "home/me/x"}).allowed


def test_null_and_bool_take_strings_and_json_booleans() -> None:
    # CDK writes conditions={"Null": {"s3:prefix": True}} as JSON true.
    no_prefix = allow("s3:GetObject", "*", Condition={"Null": {"s3:prefix": True}})
    assert evaluate(role(no_prefix), "s3:GetObject", OBJECT, {}).allowed
    as_string = allow("s3:GetObject", "*", Condition={"Null": {"s3:prefix": "true"}})
    assert evaluate(role(as_string), "s3:GetObject", OBJECT, {}).allowed
    with_prefix = allow("s3:ListBucket", "*", Condition={"Null": {"s3:prefix": False}})
    assert evaluate(
        role(with_prefix), "s3:ListBucket", "arn:aws:s3:::data", {"s3:prefix": "a/"}
    ).allowed
    tls = {"Bool": {"aws:SecureTransport": False}}
    guard = AccessGuard([role(allow("s3:*", "*"), deny("s3:*", "*", Condition=tls))], "me", "aws")
    guard.read("s3://data/curated/rows.csv", "input")


def test_set_operators_on_single_valued_keys_known_offline() -> None:
    # A single-valued key is a set of one value (none when absent): ForAnyValue is false
    # and ForAllValues true for an absent key ("Set operators for multivalued context keys").
    bucket = "arn:aws:s3:::data"
    secret = {"ForAnyValue:StringLike": {"s3:prefix": ["secret/*", "private/*"]}}
    guarded = role(allow("s3:*", "*"), deny("s3:ListBucket", bucket, Condition=secret))
    assert not evaluate(guarded, "s3:ListBucket", bucket, {"s3:prefix": "secret/x"}).allowed
    assert evaluate(guarded, "s3:ListBucket", bucket, {"s3:prefix": "public/x"}).allowed
    assert evaluate(guarded, "s3:ListBucket", bucket, {}).allowed  # absent: ForAnyValue false
    only = {"ForAllValues:StringEquals": {"aws:RequestTag/team": ["ml", "data"]}}
    tags = ("aws:requesttag/",)
    tagged = role(allow("sagemaker:AddTags", "*", Condition=only))
    assert evaluate(tagged, "sagemaker:AddTags", PACKAGE, {}, tags).allowed  # absent: true
    assert not evaluate(
        role(
            allow("s3:*", "*"),
            deny(
                "sagemaker:AddTags",
                "*",
                Condition={"ForAllValues:StringNotEquals": {"aws:RequestTag/team": "ml"}},
            ),
        ),
        "sagemaker:AddTags",
        PACKAGE,
        {"aws:requesttag/team": "web"},
        tags,
    ).allowed


def test_a_role_policy_resource_is_one_of_its_roles_policies(cdk_out: Path) -> None:
    # AWS::IAM::RolePolicy: an inline policy of the role named by RoleName. A policy given
    # to groups and users only is not the role's.
    def as_role_policy(resources: dict[str, Any]) -> None:
        policy = resources.pop("StepRolePolicyAB12CD34")["Properties"]
        resources["StepRoleInline"] = {
            "Type": "AWS::IAM::RolePolicy",
            "Properties": {
                "RoleName": {"Ref": "StepRoleAB12CD34"},
                "PolicyName": "Inline",
                "PolicyDocument": policy["PolicyDocument"],
            },
        }
        resources["ForPeople"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "ForPeople",
                "Groups": ["data-scientists"],
                "Users": ["alice"],
                "PolicyDocument": {"Statement": [allow("s3:*", "*").to_json()]},
            },
        }

    _edit_policy(cdk_out, as_role_policy)
    roles = load_assembly(cdk_out).roles
    assert roles is not None
    step_role = roles.role("arn:aws:iam::000000000000:role/StepRoleAB12CD34")
    assert step_role is not None
    assert step_role.unchecked is None
    assert {item.source.split(" (Sid")[0] for item in step_role.statements} == {
        "role policy StepRoleInline"
    }
    assert evaluate(
        step_role, "s3:GetObject", "arn:aws:s3:::dev-ml-data/curated/data.csv", {}
    ).allowed


# -- resource policies (bucket policies, key policies) -----------------------------------

R = "arn:aws:iam::1:role/R"  # role()'s ARN
ROOT = "arn:aws:iam::1:root"
KEY = "arn:aws:kms:us-east-1:1:key/K"


def bucket_policy(*statements: dict[str, Any]) -> ResourcePolicy:
    label = "the bucket policy of dev/Data"
    return ResourcePolicy(label, tuple(Statement.from_json(item, label) for item in statements))


def key_policy(*statements: dict[str, Any]) -> ResourcePolicy:
    label = "the key policy of K (dev/Key)"
    items = tuple(Statement.from_json(item, label) for item in statements)
    return ResourcePolicy(label, items, key=True)


def grant(principal: Any, action: str = "s3:GetObject", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*", **extra}


def refuse(principal: Any, action: str = "s3:*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": "*", **extra}


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        ({"AWS": R}, True),  # the role's ARN: enough on its own within the account
        ({"AWS": ["arn:aws:iam::1:role/Other", R]}, True),
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ROOT}, False),  # the account: delegates to IAM, which doesn't allow it
        ({"AWS": "1"}, False),
        ({"Service": "sagemaker.amazonaws.com"}, False),  # not the role
        ({"AWS": "arn:aws:iam::2:role/R"}, False),
    ],
)
def test_a_bucket_policy_allow_naming_the_role_is_enough(principal: Any, allowed: bool) -> None:
    # "Policy evaluation logic", within one account: an Allow in the identity-based or the
    # resource-based policy allows it.
    policy = bucket_policy(grant(principal))
    decision = evaluate(role(), "s3:GetObject", OBJECT, {}, policy=policy)
    assert decision == (
        Decision(True)
        if allowed
        else Decision(
            False, "no statement of its policies nor of the bucket policy of dev/Data allows it"
        )
    )
    # An identity policy's Allow is enough whatever the bucket policy allows.
    assert evaluate(
        role(allow("s3:GetObject", "*")), "s3:GetObject", OBJECT, {}, policy=policy
    ).allowed


def test_a_bucket_policy_deny_applies_to_the_role_everyone_and_its_account() -> None:
    identity = role(allow("s3:*", "*"))
    for principal in ("*", {"AWS": R}, {"AWS": ROOT}, {"AWS": "1"}):
        policy = bucket_policy(refuse(principal, Sid="NoOne"))
        assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=policy) == Decision(
            False, "an explicit Deny in the bucket policy of dev/Data (Sid NoOne) denies it"
        )
    for principal in ({"AWS": "arn:aws:iam::1:role/Other"}, {"Service": "s3.amazonaws.com"}):
        policy = bucket_policy(refuse(principal))
        assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=policy).allowed


def test_a_bucket_policy_grant_to_the_roles_arn_is_limited_by_its_boundary() -> None:
    # "Permissions boundaries for IAM entities": a resource-based policy's grant to the
    # role's ARN (not to a role session) is limited by an implicit deny in its boundary.
    policy = bucket_policy(grant({"AWS": R}))
    bounded = role(boundary=(allow("s3:PutObject", "*"),))
    assert evaluate(bounded, "s3:GetObject", OBJECT, {}, policy=policy) == Decision(
        False, "its permissions boundary Boundary does not allow it"
    )
    wide = role(boundary=(allow("s3:*", "*"),))
    assert evaluate(wide, "s3:GetObject", OBJECT, {}, policy=policy).allowed


def test_a_key_policy_must_allow_the_role_or_the_account() -> None:
    # "Key policies in AWS KMS": without the key policy's permission, IAM policies that
    # allow have no effect; its statement allowing the account enables them.
    iam = role(allow("kms:Decrypt", KEY))
    nobody = role()
    root = key_policy(grant({"AWS": ROOT}, "kms:*", Sid="AccountManagesAndUsesTheKeyThroughIam"))
    assert evaluate(iam, "kms:Decrypt", KEY, {}, policy=root).allowed
    assert evaluate(nobody, "kms:Decrypt", KEY, {}, policy=root) == Decision(
        False, "no statement of its policies allows it"
    )
    direct = key_policy(grant({"AWS": R}, "kms:Decrypt"))
    assert evaluate(nobody, "kms:Decrypt", KEY, {}, policy=direct).allowed
    others = key_policy(grant({"AWS": "arn:aws:iam::1:role/Admin"}, "kms:*"))
    assert evaluate(iam, "kms:Decrypt", KEY, {}, policy=others) == Decision(
        False,
        "the key policy of K (dev/Key) allows it neither to the role nor to the account "
        "(arn:aws:iam::1:root), so no IAM policy can",
    )
    # The account allowed other actions only: the same.
    encrypt_only = key_policy(grant({"AWS": ROOT}, "kms:Encrypt"))
    assert not evaluate(iam, "kms:Decrypt", KEY, {}, policy=encrypt_only).allowed
    # No key policy (a key the template doesn't define): IAM decides, as before.
    assert evaluate(iam, "kms:Decrypt", KEY, {}).allowed


def test_resource_policy_conditions_on_tls_the_principal_and_sse_kms() -> None:
    identity = role(allow("s3:*", "*"))
    tls = bucket_policy(refuse("*", Condition={"Bool": {"aws:SecureTransport": "false"}}))
    guard = AccessGuard([identity], "the job", "aws", AssemblyRoles(bucket_policies={"data": tls}))
    guard.read("s3://data/curated/rows.csv", "input")  # TLS: the Deny doesn't apply
    guard.write("s3://data/out/x", "output")
    # aws:PrincipalArn is the role's ARN, with the ARN operators.
    only_admin = {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::1:role/Admin"}}
    not_others = {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::1:role/R*"}}
    for condition, allowed in ((only_admin, False), (not_others, True)):
        policy = bucket_policy(refuse("*", Condition=condition))
        assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=policy).allowed is allowed
    # SSE-KMS headers: known when the job's request names the key.
    right = "arn:aws:kms:us-east-1:1:key/Right"
    wrong_key = bucket_policy(
        refuse(
            "*",
            "s3:PutObject",
            Sid="OnlyTheRightKey",
            Condition={
                "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": right}
            },
        ),
        refuse(
            "*",
            "s3:PutObject",
            Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        ),
    )
    kms = role(allow("s3:*", "*"), allow("kms:GenerateDataKey", "*"))
    guard = AccessGuard(
        [kms], "the job of step 'A'", "aws", AssemblyRoles(bucket_policies={"data": wrong_key})
    )
    guard.write(
        "s3://data/out/a", "output 'out'", ObjectKey(right, "its output key", requested=True)
    )
    with pytest.raises(AccessDeniedError) as raised:
        guard.write(
            "s3://data/out/b", "output 'out'", ObjectKey(KEY, "its output key", requested=True)
        )
    assert str(raised.value).startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role R (dev/R) may not "
        f"s3:PutObject on arn:aws:s3:::data/out/b (SSE-KMS with {KEY}): an explicit Deny in "
        "the bucket policy of dev/Data (Sid OnlyTheRightKey) denies it (output 'out', written "
        "by the job of step 'A')"
    )
    # A bucket's default key is S3's: whether the upload sends the headers is not known,
    # so the conditions on them are read permissively.
    guard.write("s3://data/out/c", "output 'out'", ObjectKey(KEY, "the default key of bucket data"))


def test_not_principal_is_read_permissively() -> None:
    identity = role(allow("s3:*", "*"))
    sparing = bucket_policy(
        {"Effect": "Deny", "NotPrincipal": {"AWS": [R, ROOT]}, "Action": "s3:*", "Resource": "*"}
    )
    assert evaluate(identity, "s3:GetObject", OBJECT, {}, policy=sparing).allowed
    others = bucket_policy(
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": "arn:aws:iam::1:role/Admin"},
            "Action": "s3:*",
            "Resource": "*",
        }
    )
    assert not evaluate(identity, "s3:GetObject", OBJECT, {}, policy=others).allowed
    # "Permissions boundaries for IAM entities": such a Deny always denies a role that
    # has a boundary, whatever it names.
    bounded = role(allow("s3:*", "*"), boundary=(allow("s3:*", "*"),))
    assert not evaluate(bounded, "s3:GetObject", OBJECT, {}, policy=sparing).allowed


def test_resource_policies_round_trip_through_json() -> None:
    roles = AssemblyRoles(
        bucket_policies={"data": bucket_policy(grant({"AWS": [R]}, Sid="Read"))},
        key_policies={KEY: key_policy(grant({"AWS": ROOT}, "kms:*"))},
    )
    again = AssemblyRoles.from_json(json.loads(json.dumps(roles.to_json())))
    assert again == roles
    assert again.resource_policy("arn:aws:s3:::data/a/b") == roles.bucket_policies["data"]
    assert again.resource_policy("arn:aws:s3:::data") == roles.bucket_policies["data"]
    assert again.resource_policy(KEY) == roles.key_policies[KEY]
    assert again.resource_policy("arn:aws:s3:::other/a") is None


# -- resource policies in runs from the assembly ----------------------------------------

STEP_ROLE_ARN = "arn:aws:iam::000000000000:role/StepRoleAB12CD34"


def _bucket_policy(bucket: str, *statements: dict[str, Any]) -> Any:
    def edit(resources: dict[str, Any]) -> None:
        resources[f"{bucket}Policy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": bucket},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
            },
        }

    return edit


def _key_policy(*statements: dict[str, Any]) -> Any:
    def edit(resources: dict[str, Any]) -> None:
        resources["DataKeyAB12CD34"]["Properties"]["KeyPolicy"] = {"Statement": list(statements)}

    return edit


def _enforce_ssl(bucket: str) -> dict[str, Any]:
    # aws-cdk-lib's enforce_ssl=True statement.
    arn = {"Fn::GetAtt": [bucket, "Arn"]}
    return {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [arn, {"Fn::Join": ["", [arn, "/*"]]}],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_the_assembly_gives_bucket_and_key_policies(cdk_out: Path) -> None:
    _edit_policy(cdk_out, _bucket_policy("DataBucket11AA22BB", _enforce_ssl("DataBucket11AA22BB")))
    roles = load_assembly(cdk_out).roles
    assert roles is not None
    (policy,) = roles.bucket_policies.values()
    assert list(roles.bucket_policies) == ["dev-ml-data"]
    assert policy.name == "the bucket policy of dev/Ml/Data"
    assert policy.statements[0].resources == (
        "arn:aws:s3:::dev-ml-data",
        "arn:aws:s3:::dev-ml-data/*",
    )
    assert roles.key_policies == {}  # the test's key has no KeyPolicy: KMS's default


def test_a_role_allowed_only_by_a_bucket_policy_naming_it_runs(
    cdk_out: Path, tmp_path: Path
) -> None:
    _edit_policy(cdk_out, _without_the_data_bucket)
    read = {
        "Sid": "StepRoleReads",
        "Effect": "Allow",
        "Principal": {"AWS": {"Fn::GetAtt": ["StepRoleAB12CD34", "Arn"]}},
        "Action": "s3:GetObject",
        "Resource": {
            "Fn::Join": ["", [{"Fn::GetAtt": ["DataBucket11AA22BB", "Arn"]}, "/curated/*"]]
        },
    }
    _edit_policy(
        cdk_out, _bucket_policy("DataBucket11AA22BB", _enforce_ssl("DataBucket11AA22BB"), read)
    )
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Succeeded", result.failure_reason


def test_a_bucket_policy_deny_of_uploads_without_its_key_fails_the_step(
    cdk_out: Path, tmp_path: Path
) -> None:
    def only_uploads_with(key: str) -> dict[str, Any]:
        return {
            "Sid": "DenyUploadsWithoutTheArtifactsKey",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::my-artifacts/*",
            "Condition": {
                "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key}
            },
        }

    other = "arn:aws:kms:us-east-1:000000000000:key/OtherKey"
    bucket = "ArtifactsBucketAB12CD34"
    _edit_policy(cdk_out, _bucket_policy(bucket, _enforce_ssl(bucket), only_uploads_with(other)))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    reason = result.step("Prep").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role StepRoleAB12CD34 "
        "(dev/Ml/StepRole) may not s3:PutObject on arn:aws:s3:::my-artifacts/executions/"
    ), reason
    assert (
        f"(SSE-KMS with {DATA_KEY}): an explicit Deny in the bucket policy of dev/Ml/Artifacts "
        "(Sid DenyUploadsWithoutTheArtifactsKey) denies it (output 'train', written by the job "
        "of step 'Prep')"
    ) in reason
    # The key Prep names is the one the bucket wants: it runs (TLS: enforce_ssl doesn't deny).
    _edit_policy(cdk_out, _bucket_policy(bucket, _enforce_ssl(bucket), only_uploads_with(DATA_KEY)))
    again = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert again.status == "Succeeded", again.failure_reason


def test_a_key_policy_allowing_neither_the_role_nor_the_account_fails_the_step(
    cdk_out: Path, tmp_path: Path
) -> None:
    admins = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::000000000000:role/KeyAdmins"},
        "Action": "kms:*",
        "Resource": "*",
    }
    _edit_policy(cdk_out, _key_policy(admins))
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.step("Prep").failure_reason == (
        "AccessDenied (simulated from the assembly's IAM policies): role StepRoleAB12CD34 "
        f"(dev/Ml/StepRole) may not kms:Decrypt on {DATA_KEY}: the key policy of "
        "DataKeyAB12CD34 allows it neither to the role nor to the account "
        "(arn:aws:iam::000000000000:root), so no IAM policy can (input 'raw' "
        "s3://dev-ml-data/curated/data.csv, encrypted with the default key of bucket "
        "dev-ml-data (SSE-KMS), read by the job of step 'Prep'). Grant it to the role (for "
        f"example key.grant_decrypt(role) or a statement allowing kms:Decrypt on {DATA_KEY}), "
        "or run with --no-iam-check (LocalConfig(iam_check=False))"
    )


def test_the_cdks_default_key_policy_and_the_roles_grant_run(cdk_out: Path, tmp_path: Path) -> None:
    root = {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"],
        ]
    }
    _edit_policy(
        cdk_out,
        _key_policy(
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"}
        ),
    )
    roles = load_assembly(cdk_out).roles
    assert roles is not None
    assert list(roles.key_policies) == [DATA_KEY]
    result = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert result.status == "Succeeded", result.failure_reason
    # The key policy delegates to IAM: without the role's grant, the read fails as before.
    _edit_policy(cdk_out, _without_kms("kms:Decrypt"))
    failed = LocalRunner(LocalConfig(root=tmp_path / "root")).run(load_assembly(cdk_out))
    assert "may not kms:Decrypt" in (failed.step("Prep").failure_reason or "")
    assert "no statement of its policies allows it" in (failed.step("Prep").failure_reason or "")


def test_the_callers_account_is_known_offline() -> None:
    # aws:PrincipalAccount ("AWS global condition context keys": the account the requesting
    # principal belongs to) and, on a KMS request, kms:CallerAccount ("AWS KMS condition
    # keys": the account of the caller, S3 calling KMS as the requester) are the role's
    # account: a grant to "*" narrowed to another account is no grant to the role.
    other = {"StringEquals": {"kms:CallerAccount": "999"}}
    own = {"StringEquals": {"kms:CallerAccount": "1"}}
    assert not evaluate(
        role(),
        "kms:Decrypt",
        KEY,
        {},
        policy=key_policy(grant("*", "kms:Decrypt", Condition=other)),
    ).allowed
    assert evaluate(
        role(), "kms:Decrypt", KEY, {}, policy=key_policy(grant("*", "kms:Decrypt", Condition=own))
    ).allowed
    for account, allowed in (("999", False), ("1", True)):
        condition = {"StringEquals": {"aws:PrincipalAccount": account}}
        policy = bucket_policy(grant("*", Condition=condition))
        assert evaluate(role(), "s3:GetObject", OBJECT, {}, policy=policy).allowed is allowed
    # A Deny of every other account doesn't deny the role's own.
    iam = role(allow("kms:*", "*"), allow("s3:*", "*"))
    for key in ("aws:PrincipalAccount", "kms:CallerAccount"):
        refusal = refuse("*", "kms:*", Condition={"StringNotEquals": {key: "1"}})
        policy = key_policy(grant({"AWS": ROOT}, "kms:*"), refusal)
        assert evaluate(iam, "kms:Decrypt", KEY, {}, policy=policy).allowed
    # kms:CallerAccount is a KMS request's: an S3 request doesn't have it (read permissively).
    s3_only = bucket_policy(refuse("*", Condition={"StringNotEquals": {"kms:CallerAccount": "1"}}))
    assert evaluate(iam, "s3:GetObject", OBJECT, {}, policy=s3_only).allowed


def test_a_key_policy_naming_a_session_of_the_role_is_read_permissively() -> None:
    # A job's credentials are a session of its role (arn:aws:sts::<account>:assumed-role/
    # <name>/<session>), whose session name SageMaker chooses: a statement naming one may
    # name the job's ("AWS JSON policy elements: Principal", role sessions), so an Allow
    # takes it and a Deny doesn't.
    session = {"AWS": "arn:aws:sts::1:assumed-role/R/SageMaker"}
    policy = key_policy(grant(session, "kms:Decrypt"))
    assert evaluate(role(), "kms:Decrypt", KEY, {}, policy=policy).allowed
    other = {"AWS": "arn:aws:sts::1:assumed-role/Other/SageMaker"}
    policy = key_policy(grant(other, "kms:Decrypt"))
    assert not evaluate(role(), "kms:Decrypt", KEY, {}, policy=policy).allowed
    iam = role(allow("kms:*", "*"))
    policy = key_policy(grant({"AWS": ROOT}, "kms:*"), refuse(session, "kms:*"))
    assert evaluate(iam, "kms:Decrypt", KEY, {}, policy=policy).allowed
