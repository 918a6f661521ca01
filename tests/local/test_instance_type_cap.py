"""An instance-type cap (``Pipeline(allowed_instance_types=…)``'s Deny) on local runs.

The pipeline role's ``DenyOtherInstanceTypes`` on ``sagemaker:InstanceTypes``, evaluated
on the Create call of each job as the request names its instance types: a run whose
parameters start another instance type is refused as on AWS, and ``smpipe access`` shows
the statement. The Deny is the one ``cap_condition`` writes (as the CDK ``Pipeline`` does).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition._instance_caps import (
    CAPPED_ACTIONS,
    DENY_SID,
    cap_condition,
    request_instance_types,
)
from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunner, load_assembly
from cdk_sagemaker_pipelines.local._errors import AccessDeniedError
from cdk_sagemaker_pipelines.local._service_calls import service_calls
from cdk_sagemaker_pipelines.local.iam import AccessGuard, AssemblyRoles, RolePolicies, Statement
from cdk_sagemaker_pipelines.review.access import access_report, render_access_text
from tests.local.test_assembly import definition, join, write_cdk_out

CAP = ["ml.m5.*", "ml.c5.xlarge"]
ROLES = AssemblyRoles("aws", {}, None, region="eu-west-1", account="111122223333")
JOBS = "arn:aws:sagemaker:eu-west-1:111122223333"
DENY: dict[str, Any] = {
    "Sid": DENY_SID,
    "Effect": "Deny",
    "Action": list(CAPPED_ACTIONS.values()),
    "Resource": "*",
    "Condition": cap_condition(CAP),
}
PIPELINE_ROLE = RolePolicies(
    "arn:aws:iam::111122223333:role/Pipeline",
    "Pipeline",
    (
        Statement.from_json({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        Statement.from_json(DENY, "PipelineRolePolicy"),
    ),
    None,
    None,
)


def _run(kind: str, arguments: dict[str, Any]) -> None:
    guard = AccessGuard([PIPELINE_ROLE], "SageMaker Pipelines", "aws")
    for call in service_calls(kind, arguments, "pipelines-abc123-Step-x1", ROLES):
        guard.call(call)


def _training(*types: str) -> dict[str, Any]:
    if len(types) == 1:
        return {"ResourceConfig": {"InstanceType": types[0], "InstanceCount": 1}}
    groups = [
        {"InstanceGroupName": f"g{index}", "InstanceType": value, "InstanceCount": 1}
        for index, value in enumerate(types)
    ]
    return {"ResourceConfig": {"InstanceGroups": groups}}


def _tuning(*types: str) -> dict[str, Any]:
    return {"TrainingJobDefinitions": [_training(value) for value in types]}


def _endpoint_config(*variants: dict[str, Any]) -> dict[str, Any]:
    return {"EndpointConfigName": "churn", "ProductionVariants": list(variants)}


@pytest.mark.parametrize(
    ("kind", "arguments"),
    [
        ("Training", _training("ml.m5.xlarge")),
        ("Training", _training("ml.c5.xlarge", "ml.m5.2xlarge")),
        ("Tuning", _tuning("ml.m5.xlarge", "ml.c5.xlarge")),
        ("Transform", {"TransformResources": {"InstanceType": "ml.c5.xlarge"}}),
        ("EndpointConfig", _endpoint_config({"InstanceType": "ml.m5.large"})),
        # A serverless variant names no instance type: the request carries no key.
        ("EndpointConfig", _endpoint_config({"ServerlessConfig": {"MemorySizeInMB": 2048}})),
    ],
)
def test_requests_within_the_cap_are_allowed(kind: str, arguments: dict[str, Any]) -> None:
    _run(kind, arguments)


@pytest.mark.parametrize(
    ("kind", "arguments", "action", "carried"),
    [
        (
            "Training",
            _training("ml.p4d.24xlarge"),
            "sagemaker:CreateTrainingJob on arn:aws:sagemaker:eu-west-1:111122223333:"
            "training-job/pipelines-abc123-Step-x1",
            "('ml.p4d.24xlarge',)",
        ),
        # One group of a heterogeneous cluster outside the cap is enough.
        (
            "Training",
            _training("ml.c5.xlarge", "ml.p3.2xlarge"),
            "sagemaker:CreateTrainingJob",
            "('ml.c5.xlarge', 'ml.p3.2xlarge')",
        ),
        # Each training job definition of a tuning job: all read, none strict-applied.
        (
            "Tuning",
            _tuning("ml.m5.xlarge", "ml.g5.12xlarge"),
            "sagemaker:CreateHyperParameterTuningJob",
            "('ml.m5.xlarge', 'ml.g5.12xlarge')",
        ),
        (
            "Processing",
            {"ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.c5.2xlarge"}}},
            "sagemaker:CreateProcessingJob",
            "('ml.c5.2xlarge',)",
        ),
        (
            "EndpointConfig",
            _endpoint_config({"InstanceType": "ml.m5.large"}, {"InstanceType": "ml.g5.xlarge"}),
            "sagemaker:CreateEndpointConfig on arn:aws:sagemaker:eu-west-1:111122223333:"
            "endpoint-config/churn",
            "('ml.m5.large', 'ml.g5.xlarge')",
        ),
    ],
)
def test_a_request_naming_an_instance_type_outside_the_cap_is_denied(
    kind: str, arguments: dict[str, Any], action: str, carried: str
) -> None:
    with pytest.raises(AccessDeniedError) as raised:
        _run(kind, arguments)
    reason = raised.value.reason
    assert f"may not {action}" in reason
    assert f"sagemaker:InstanceTypes={carried}" in reason
    assert f"an explicit Deny in PipelineRolePolicy (Sid {DENY_SID}) denies it" in reason


def test_instance_types_left_as_an_expression_are_taken_to_be_denied() -> None:
    # Not evaluated (never the case in a run, whose requests are): unknown, so the Deny
    # applies rather than being silently allowed.
    arguments = {"ResourceConfig": {"InstanceType": {"Get": "Parameters.TrainType"}}}
    assert request_instance_types("Training", arguments) is None
    with pytest.raises(AccessDeniedError, match="can't be evaluated offline for this request"):
        _run("Training", arguments)


# -- a run of an assembly, its parameters overridden ---------------------------------------


def _capped_assembly(tmp_path: Path) -> Path:
    """The hand-written assembly, Prep's instance type a parameter, its role capped."""
    cdk_out = write_cdk_out(tmp_path)
    template_file = cdk_out / "assembly-dev" / "devMl.template.json"
    template = json.loads(template_file.read_text())
    body = definition()
    body["Parameters"].append(
        {"Name": "PrepInstanceType", "Type": "String", "DefaultValue": "ml.m5.large"}
    )
    cluster = body["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    cluster["InstanceType"] = {"Get": "Parameters.PrepInstanceType"}
    resources = template["Resources"]
    pipeline = resources["Pipeline99887766"]["Properties"]
    pipeline["PipelineDefinition"]["PipelineDefinitionBody"] = join(body)
    policy = resources["PipelineRoleDefaultPolicyAA11BB22"]["Properties"]["PolicyDocument"]
    deny = copy.deepcopy(DENY)
    deny["Resource"] = [
        {
            "Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:"
            "processing-job/pipelines-*"
        },
        {
            "Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:"
            "training-job/pipelines-*"
        },
    ]
    deny["Action"] = ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"]
    policy["Statement"].append(deny)
    template_file.write_text(json.dumps(template))
    return cdk_out


def test_a_run_overriding_an_instance_type_parameter_outside_the_cap_is_refused(
    tmp_path: Path,
) -> None:
    cdk_out = _capped_assembly(tmp_path)
    runner = LocalRunner(LocalConfig(root=tmp_path / "root"))
    assert runner.run(load_assembly(cdk_out)).status == "Succeeded"
    result = runner.run(load_assembly(cdk_out), {"PrepInstanceType": "ml.p3.16xlarge"})
    assert result.status == "Failed"
    reason = result.step("Prep").failure_reason or ""
    assert reason.startswith(
        "AccessDenied (simulated from the assembly's IAM policies): role PipelineRoleAA11BB22 "
        "(dev/Ml/PipelineRole) may not sagemaker:CreateProcessingJob on "
        "arn:aws:sagemaker:us-east-1:000000000000:processing-job/pipelines-"
    ), reason
    assert (
        "(with sagemaker:InstanceTypes=('ml.p3.16xlarge',), sagemaker:OutputKmsKey="
        "'arn:aws:kms:us-east-1:000000000000:key/DataKeyAB12CD34'): an explicit Deny in "
        "policy PipelineRoleDefaultPolicyAA11BB22 (Sid DenyOtherInstanceTypes) denies it "
        "(creating the step's job for step 'Prep', called by SageMaker Pipelines as the "
        "pipeline's role). Make the job's request match the Deny's condition"
    ) in reason, reason
    # Refused before the job started: nothing was published.
    assert not (result.record.directory / "outputs" / "Prep").exists()


def test_smpipe_access_shows_the_cap(tmp_path: Path) -> None:
    text = render_access_text(access_report(_capped_assembly(tmp_path)))
    when = "when ForAnyValue:StringNotLike sagemaker:InstanceTypes ml.m5.* | ml.c5.xlarge"
    assert f"    DENY processing-job/pipelines-*: sagemaker:CreateProcessingJob {when}\n" in text
    assert f"    DENY training-job/pipelines-*: sagemaker:CreateTrainingJob {when}\n" in text
