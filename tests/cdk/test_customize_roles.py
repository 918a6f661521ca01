"""docs/landing-zones.md, "With aws-cdk-lib's customize_roles": every construct, no role created.

One app, synthesized once for the module, with two stages of every construct of the
library (``tests/cdk/test_landing_zone.py``'s builder): ``precreated`` calls the docs'
``use_precreated_roles`` (``iam.Role.customize_roles`` with every role listed, the default
``prevent_synthesis=True``), ``report`` the same map with ``prevent_synthesis=False``
(aws-cdk-lib creates the roles, ignores the names, and gives the roles ARNs of no name).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import cx_api

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import Image, PipelineDefinition, ProcessingStep
from tests.cdk.conftest import cdk_context
from tests.cdk.test_landing_zone import (
    ACCOUNT,
    DOCS,
    REGION,
    _of_type,
    docs_python,
    every_construct,
)

STACK = "Ml"
NAMELESS = f"arn:aws:iam::{ACCOUNT}:role"


def docs_precreated_roles() -> dict[str, Any]:
    """The docs' ``PRECREATED_ROLES`` and ``use_precreated_roles``, as written there."""
    namespace: dict[str, Any] = {}
    exec(compile(docs_python("def use_precreated_roles"), str(DOCS), "exec"), namespace)
    return namespace


def _arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


@dataclass(frozen=True)
class Customized:
    templates: dict[str, dict[str, Any]]  # stage id -> its one stack's template
    report: dict[str, dict[str, Any]]  # role construct path -> aws-cdk-lib's report entry
    warnings: dict[str, list[str]]  # stage id -> its stack's warnings' messages
    roles: dict[str, str]  # the docs' PRECREATED_ROLES


@pytest.fixture(scope="module")
def customized(tmp_path_factory: pytest.TempPathFactory) -> Customized:
    docs = docs_precreated_roles()
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context=cdk_context(), outdir=str(outdir))
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    stacks: dict[str, cdk.Stack] = {}
    for stage_id in ("precreated", "report"):
        stage = cdk.Stage(app, stage_id, env=env)
        if stage_id == "precreated":
            docs["use_precreated_roles"](stage)
        else:
            iam.Role.customize_roles(
                stage, use_precreated_roles=docs["PRECREATED_ROLES"], prevent_synthesis=False
            )
        stacks[stage_id] = cdk.Stack(stage, STACK)
        every_construct(
            stacks[stage_id],
            tmp_path_factory.mktemp(f"scorer-{stage_id}"),
            key=None,
            job_tags=None,
        )
    assembly = app.synth()
    templates: dict[str, dict[str, Any]] = {}
    warnings: dict[str, list[str]] = {}
    for nested in assembly.nested_assemblies:
        (stack_artifact,) = nested.nested_assembly.stacks
        stage_id = stack_artifact.hierarchical_id.split("/")[0]
        templates[stage_id] = stack_artifact.template
        # The messages Annotations.from_stack reads, from this synthesis: it would
        # synthesize this whole app again for each stack.
        warnings[stage_id] = [
            str(message.entry.data)
            for message in stack_artifact.messages
            if message.level == cx_api.SynthesisMessageLevel.WARNING
        ]
    report = json.loads((outdir / "iam-policy-report.json").read_text())
    return Customized(
        templates,
        {role["roleConstructPath"]: role for role in report["roles"]},
        warnings,
        docs["PRECREATED_ROLES"],
    )


def _pipelines(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each pipeline (by logical id, without its hash): its properties, definition decoded."""
    found = {}
    for logical_id, resource in _of_type(template, "AWS::SageMaker::Pipeline").items():
        properties = dict(resource["Properties"])
        found[re.sub(r"[0-9A-F]{8}$", "", logical_id)] = properties
    return found


def _job_role_arns(body: Any) -> list[Any]:
    """The ``RoleArn`` values of the definition body's steps (a string, or Fn::Join parts)."""
    if isinstance(body, str):
        return re.findall(r'"RoleArn":"([^"]*)"', body)
    # {"Fn::Join": ["", [text, token, text, ...]]}: each RoleArn's value is the part after
    # a text ending in "RoleArn":" (a token), or inside that text (a literal).
    parts = body["Fn::Join"][1]
    arns: list[Any] = []
    for index, part in enumerate(parts):
        if not isinstance(part, str):
            continue
        arns += re.findall(r'"RoleArn":"([^"]+)"', part)
        if part.endswith('"RoleArn":"'):
            arns.append(parts[index + 1])
    return arns


def _passed_roles(template: dict[str, Any]) -> list[Any]:
    passed = []
    for policy in _of_type(template, "AWS::IAM::ManagedPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Action"] == "iam:PassRole":
                resources = statement["Resource"]
                passed += resources if isinstance(resources, list) else [resources]
    return passed


# -- prevent_synthesis=True (the default), every role listed ----------------------------------


def test_the_docs_list_every_role_of_the_constructs(customized: Customized) -> None:
    # The report has an entry per iam.Role of the stage: each listed, none missing.
    paths = {path for path in customized.report if path.startswith("precreated/")}
    assert paths == {f"precreated/{path}" for path in customized.roles}
    for path, name in customized.roles.items():
        entry = customized.report[f"precreated/{path}"]
        assert (entry["roleName"], entry["missing"]) == (name, False)


def test_no_role_or_policy_is_synthesized(customized: Customized) -> None:
    types = {r["Type"] for r in customized.templates["precreated"]["Resources"].values()}
    assert not {t for t in types if t.startswith("AWS::IAM::")}
    assert customized.warnings["precreated"] == []


def test_the_definitions_and_pipelines_name_the_precreated_roles(customized: Customized) -> None:
    roles = customized.roles
    pipelines = _pipelines(customized.templates["precreated"])
    assert sorted(pipelines) == ["Auto", "Training"]
    training, auto = pipelines["Training"], pipelines["Auto"]
    assert training["RoleArn"] == _arn(roles["Ml/Training/Role"])
    assert auto["RoleArn"] == _arn(roles["Ml/Auto/Role"])
    # The step roles under their path (ml/...): the path is in the ARN.
    training_jobs = _job_role_arns(training["PipelineDefinition"]["PipelineDefinitionBody"])
    assert training_jobs
    # Preprocess runs as its dedicated role (dedicated_step_roles), precreated too.
    assert set(training_jobs) == {
        f"arn:aws:iam::{ACCOUNT}:role/ml/training-steps",
        f"arn:aws:iam::{ACCOUNT}:role/ml/training-preprocess",
    }
    auto_body = auto["PipelineDefinition"]["PipelineDefinitionBody"]
    auto_jobs = _job_role_arns(auto_body)
    assert sorted(set(auto_jobs)) == [
        _arn(roles["Ml/Auto/AutoMLRole"]),
        _arn(roles["Ml/Auto/StepRole"]),
    ]
    # The BestModel step's model runs as its dedicated role, precreated too.
    # (The precreated ARN is literal text among the Fn::Join's parts.)
    text = "".join(part for part in auto_body["Fn::Join"][1] if isinstance(part, str))
    assert re.findall(r'"ExecutionRoleArn":"([^"]*)"', text) == [
        f"arn:aws:iam::{ACCOUNT}:role/ml/auto-best-model"
    ]


def test_the_pipeline_roles_pass_the_precreated_step_roles(customized: Customized) -> None:
    # The managed policies are only in the report: aws-cdk-lib renders a role's
    # statements there, CloudFormation references as (construct path.attribute).
    roles = customized.roles

    def passed(path: str) -> list[str]:
        statements = customized.report[f"precreated/{path}"]["managedPolicyStatements"]
        (statement,) = [s for s in statements if s.get("Sid") == "PassStepRoleToSageMaker"]
        resources = statement["Resource"]
        return sorted(resources if isinstance(resources, list) else [resources])

    assert passed("Ml/Training/Role") == sorted(
        [_arn(roles["Ml/Training/StepRole"]), _arn(roles["Ml/Training/StepRole-Preprocess"])]
    )
    assert passed("Ml/Auto/Role") == sorted(
        [
            _arn(roles["Ml/Auto/StepRole"]),
            _arn(roles["Ml/Auto/AutoMLRole"]),
            _arn(roles["Ml/Auto/StepRole-BestModel"]),
        ]
    )


def test_the_report_holds_each_roles_trust_and_grants(customized: Customized) -> None:
    report = customized.report

    def entry(path: str) -> dict[str, Any]:
        return report[f"precreated/{path}"]

    def actions(path: str) -> set[str]:
        statements = (
            entry(path)["managedPolicyStatements"] + entry(path)["identityPolicyStatements"]
        )
        found: set[str] = set()
        for statement in statements:
            action = statement["Action"]
            found.update(action if isinstance(action, list) else [action])
        return found

    def trusted(path: str) -> tuple[str, dict[str, Any]]:
        (statement,) = entry(path)["assumeRolePolicy"]
        return statement["Principal"]["Service"], statement["Condition"]["StringEquals"]

    sagemaker = ("sagemaker.amazonaws.com", {"aws:SourceAccount": ACCOUNT})
    for path in ("Training/Role", "Training/StepRole", "Auto/AutoMLRole"):
        assert trusted(f"Ml/{path}") == sagemaker
    assert {"sagemaker:CreateTrainingJob", "iam:PassRole"} <= actions("Ml/Training/Role")
    assert {"s3:GetObject", "logs:PutLogEvents"} <= actions("Ml/Training/StepRole")
    assert "sagemaker:CreateEndpoint" in actions("Ml/Auto/AutoMLRole")
    assert trusted("Ml/Weekly/Role") == (
        "scheduler.amazonaws.com",
        {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/default",
        },
    )
    assert actions("Ml/Weekly/Role") == {"sagemaker:StartPipelineExecution", "sqs:SendMessage"}
    for path in ("Ml/OnNewData/Rule/Target0Role", "Ml/Daily/Target0Role"):
        assert trusted(path) == ("events.amazonaws.com", {"aws:SourceAccount": ACCOUNT})
        assert actions(path) == {"sagemaker:StartPipelineExecution"}
    assert actions("Ml/CiRole") == {"sagemaker:StartPipelineExecution"}


def test_the_triggers_and_the_schedule_run_as_the_precreated_roles(
    customized: Customized,
) -> None:
    template, roles = customized.templates["precreated"], customized.roles
    (schedule,) = _of_type(template, "AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["Target"]["RoleArn"] == _arn(roles["Ml/Weekly/Role"])
    targets = {
        re.sub(r"[0-9A-F]{8}$", "", logical_id): [
            t.get("RoleArn") for t in rule["Properties"]["Targets"]
        ]
        for logical_id, rule in _of_type(template, "AWS::Events::Rule").items()
    }
    assert targets["OnNewDataRule"] == [_arn(roles["Ml/OnNewData/Rule/Target0Role"])]
    assert targets["Daily"] == [_arn(roles["Ml/Daily/Target0Role"])]


def test_the_endpoint_model_runs_as_the_precreated_role(customized: Customized) -> None:
    (model,) = _of_type(customized.templates["precreated"], "AWS::SageMaker::Model").values()
    # Under its path (ml/...): the path is in the ARN.
    expected = f"arn:aws:iam::{ACCOUNT}:role/ml/endpoint-model"
    assert customized.roles["Ml/Endpoint/Role"] == "ml/endpoint-model"
    assert model["Properties"]["ExecutionRoleArn"] == expected
    trust = customized.report["precreated/Ml/Endpoint/Role"]["assumeRolePolicy"]
    assert [s["Principal"]["Service"] for s in trust] == ["sagemaker.amazonaws.com"]


def test_the_endpoint_model_waits_for_the_approval_check(customized: Customized) -> None:
    # Elsewhere the model waits for the role's policy, which reads ModelData's attribute;
    # here no policy is synthesized, and the model waits for ModelData itself: nothing is
    # served before the versions' approval is checked.
    template = customized.templates["precreated"]
    ((model_data, _),) = _of_type(template, "Custom::ModelDataLocations").items()
    (model,) = _of_type(template, "AWS::SageMaker::Model").values()
    assert model["DependsOn"] == [model_data]


def test_the_monitoring_jobs_run_as_the_precreated_role(customized: Customized) -> None:
    template = customized.templates["precreated"]
    (job,) = _of_type(template, "AWS::SageMaker::DataQualityJobDefinition").values()
    assert customized.roles["Ml/DataQuality/Role"] == "ml/endpoint-monitor"
    assert job["Properties"]["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/ml/endpoint-monitor"
    entry = customized.report["precreated/Ml/DataQuality/Role"]
    assert [s["Principal"]["Service"] for s in entry["assumeRolePolicy"]] == [
        "sagemaker.amazonaws.com"
    ]
    # The monitor's managed policy is in the report, statement by statement.
    sids = {statement.get("Sid") for statement in entry["managedPolicyStatements"]}
    assert {"MonitorReadsCapturedData", "MonitorWritesReports", "MonitorUsesStoreKey"} <= sids


# -- prevent_synthesis=False: aws-cdk-lib creates the roles, their ARNs name none ------------


def test_without_preventing_synthesis_the_created_roles_arns_are_written(
    customized: Customized,
) -> None:
    template = customized.templates["report"]
    assert NAMELESS not in json.dumps(template)
    roles = {
        re.sub(r"[0-9A-F]{8}$", "", logical_id): logical_id
        for logical_id in _of_type(template, "AWS::IAM::Role")
    }

    def arn_of(role: str) -> dict[str, Any]:
        return {"Fn::GetAtt": [roles[role], "Arn"]}

    pipelines = _pipelines(template)
    assert pipelines["Training"]["RoleArn"] == arn_of("TrainingRole")
    assert pipelines["Auto"]["RoleArn"] == arn_of("AutoRole")
    training = pipelines["Training"]["PipelineDefinition"]["PipelineDefinitionBody"]
    assert _job_role_arns(training)
    assert {json.dumps(arn) for arn in _job_role_arns(training)} == {
        json.dumps(arn_of(role)) for role in ("TrainingStepRole", "TrainingStepRolePreprocess")
    }
    auto = pipelines["Auto"]["PipelineDefinition"]["PipelineDefinitionBody"]
    assert {json.dumps(arn) for arn in _job_role_arns(auto)} == {
        json.dumps(arn_of(role)) for role in ("AutoStepRole", "AutoAutoMLRole")
    }
    assert sorted(map(json.dumps, _passed_roles(template))) == sorted(
        json.dumps(arn_of(role))
        for role in (
            "TrainingStepRole",
            "TrainingStepRolePreprocess",
            "AutoStepRole",
            "AutoStepRoleBestModel",
            "AutoAutoMLRole",
            "AutoAutoMLRole",
        )
    )
    (schedule,) = _of_type(template, "AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["Target"]["RoleArn"] == arn_of("WeeklyRole")
    rule_roles = [
        target.get("RoleArn")
        for rule in _of_type(template, "AWS::Events::Rule").values()
        for target in rule["Properties"]["Targets"]
    ]
    assert arn_of("OnNewDataRuleTarget0Role") in rule_roles
    assert arn_of("DailyTarget0Role") in rule_roles
    (model,) = _of_type(template, "AWS::SageMaker::Model").values()
    assert model["Properties"]["ExecutionRoleArn"] == arn_of("EndpointRole")
    (job,) = _of_type(template, "AWS::SageMaker::DataQualityJobDefinition").values()
    assert job["Properties"]["RoleArn"] == arn_of("DataQualityRole")
    # aws-cdk-lib still reports every role, as missing (it ignores the names then).
    reported = {path: e for path, e in customized.report.items() if path.startswith("report/")}
    assert set(reported) == {f"report/{path}" for path in customized.roles}
    assert all(entry["missing"] for entry in reported.values())


# -- prevent_synthesis=True, a role not listed: aws-cdk-lib's error, and its report ----------


def test_a_role_not_listed_fails_synth_with_aws_cdk_libs_error_and_report(
    tmp_path: Path,
) -> None:
    app = cdk.App(context=cdk_context(), outdir=str(tmp_path))
    stage = cdk.Stage(app, "dev", env=cdk.Environment(account=ACCOUNT, region=REGION))
    iam.Role.customize_roles(stage, use_precreated_roles={"Ml/Training/Role": "ml-pipeline"})
    stack = cdk.Stack(stage, STACK)
    # Built without a traceback of the library's (the step role's ARN names no role).
    Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(
            steps=[ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"))]
        ),
    )
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    # aws-cdk-lib's error only, naming the role (no check of the library's failed first).
    message = str(raised.value)
    assert message.startswith(
        'ValidationFailed: ERROR IAM Role is being created at path "dev/Ml/Training/StepRole" '
        "and customizeRoles.preventSynthesis is enabled."
    )
    assert message.count("ERROR") == 1
    (entry,) = [
        role
        for role in json.loads((tmp_path / "iam-policy-report.json").read_text())["roles"]
        if role["roleConstructPath"] == "dev/Ml/Training/StepRole"
    ]
    assert entry["missing"] is True
    assert entry["managedPolicyStatements"]
