"""The pipeline role's job conditions, evaluated on the Create calls of the jobs a run makes.

The Deny statements are those ``enforced_job_conditions`` derives for the deployed requests
(as the CDK ``Pipeline`` writes them for its role); the calls are ``service_calls``' for a
request as deployed, and for one an execution changed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition._job_conditions import (
    enforced_job_conditions,
    request_condition_values,
)
from cdk_sagemaker_pipelines.definition.permissions import JOB_ACTIONS
from cdk_sagemaker_pipelines.local._errors import AccessDeniedError
from cdk_sagemaker_pipelines.local._service_calls import service_calls
from cdk_sagemaker_pipelines.local.iam import (
    AccessGuard,
    AssemblyRoles,
    RolePolicies,
    Statement,
)

ROLES = AssemblyRoles("aws", {}, None, region="eu-west-1", account="111122223333")
JOBS = "arn:aws:sagemaker:eu-west-1:111122223333"
STEP_ROLE = "arn:aws:iam::111122223333:role/Step"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
TRAINING: dict[str, Any] = {
    "RoleArn": STEP_ROLE,
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": KEY},
    "OutputDataConfig": {"S3OutputPath": "s3://artifacts/models", "KmsKeyId": KEY},
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
    "VpcConfig": {"Subnets": ["subnet-0a", "subnet-0b"], "SecurityGroupIds": ["sg-0c"]},
}
MODEL: dict[str, Any] = {
    "ExecutionRoleArn": STEP_ROLE,
    "EnableNetworkIsolation": True,
    "VpcConfig": {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0c"]},
}


def _pipeline_role(requests: dict[str, list[dict[str, Any]]]) -> RolePolicies:
    """An Allow of each type's actions on its jobs, and the derived Deny statements."""
    statements = [
        Statement.from_json(
            {
                "Effect": "Allow",
                "Action": [*JOB_ACTIONS[kind][1], "iam:PassRole"],
                "Resource": [f"{JOBS}:{JOB_ACTIONS[kind][0]}/pipelines-*", STEP_ROLE],
            }
        )
        for kind in requests
    ]
    values = {
        kind: [request_condition_values(kind, request) for request in arguments]
        for kind, arguments in requests.items()
    }
    for condition in enforced_job_conditions(
        values, lambda value: isinstance(value, str), lambda value: isinstance(value, str)
    ):
        statements.append(
            Statement.from_json(
                {
                    "Sid": condition.sid,
                    "Effect": "Deny",
                    "Action": [JOB_ACTIONS[kind][1][0] for kind in condition.kinds],
                    "Resource": [
                        f"{JOBS}:{JOB_ACTIONS[kind][0]}/pipelines-*" for kind in condition.kinds
                    ],
                    "Condition": condition.condition,
                },
                "PipelineRolePolicy",
            )
        )
    return RolePolicies(
        "arn:aws:iam::111122223333:role/Pipeline", "Pipeline", tuple(statements), None, None
    )


def _run(role: RolePolicies, kind: str, arguments: dict[str, Any]) -> None:
    guard = AccessGuard([role], "SageMaker Pipelines", "aws")
    for call in service_calls(kind, arguments, "pipelines-abc123-Train-x1", ROLES):
        guard.call(call)


def _changed(request: dict[str, Any], change: Any) -> dict[str, Any]:
    changed = copy.deepcopy(request)
    change(changed)
    return changed


def test_the_deployed_requests_are_allowed() -> None:
    role = _pipeline_role({"Training": [TRAINING], "Model": [MODEL]})
    _run(role, "Training", TRAINING)
    _run(role, "Model", MODEL)
    # An instance type with NVMe storage takes no volume key: allowed (the Null guard).
    _run(role, "Training", _changed(TRAINING, lambda r: r["ResourceConfig"].pop("VolumeKmsKeyId")))


@pytest.mark.parametrize(
    ("change", "sid", "carried"),
    [
        (
            lambda r: r["ResourceConfig"].update(VolumeKmsKeyId=OTHER_KEY),
            "DenyJobsWithAnotherVolumeKey",
            f"sagemaker:VolumeKmsKey='{OTHER_KEY}'",
        ),
        (
            lambda r: r["OutputDataConfig"].update(KmsKeyId=OTHER_KEY),
            "DenyJobsWithAnotherOutputKey",
            f"sagemaker:OutputKmsKey='{OTHER_KEY}'",
        ),
        (
            lambda r: r.update(EnableNetworkIsolation=False),
            "DenyJobsWithoutNetworkIsolation",
            "sagemaker:NetworkIsolation='false'",
        ),
        # Without the member: the key is absent, and BoolIfExists denies it.
        (lambda r: r.pop("EnableNetworkIsolation"), "DenyJobsWithoutNetworkIsolation", ""),
        (
            lambda r: r.pop("EnableInterContainerTrafficEncryption"),
            "DenyJobsWithoutInterContainerEncryption",
            "",
        ),
        (lambda r: r.pop("VpcConfig"), "DenyJobsOutsideTheVpc", ""),
        (
            lambda r: r["VpcConfig"].update(Subnets=["subnet-0a", "subnet-0public"]),
            "DenyJobsInOtherSubnets",
            "sagemaker:VpcSubnets=('subnet-0a', 'subnet-0public')",
        ),
        (
            lambda r: r["VpcConfig"].update(SecurityGroupIds=["sg-0open"]),
            "DenyJobsWithOtherSecurityGroups",
            "sagemaker:VpcSecurityGroupIds=('sg-0open',)",
        ),
    ],
)
def test_a_request_that_drops_what_the_definition_states_is_denied(
    change: Any, sid: str, carried: str
) -> None:
    role = _pipeline_role({"Training": [TRAINING]})
    with pytest.raises(AccessDeniedError) as raised:
        _run(role, "Training", _changed(TRAINING, change))
    reason = raised.value.reason
    assert f"may not sagemaker:CreateTrainingJob on {JOBS}:training-job/pipelines-" in reason
    assert f"an explicit Deny in PipelineRolePolicy (Sid {sid}) denies it" in reason
    assert carried in reason
    assert "Make the job's request match the Deny's condition" in reason


def test_a_model_without_network_isolation_is_denied() -> None:
    role = _pipeline_role({"Model": [MODEL]})
    with pytest.raises(AccessDeniedError, match=r"\(Sid DenyJobsWithoutNetworkIsolation\)"):
        _run(role, "Model", _changed(MODEL, lambda r: r.update(EnableNetworkIsolation=False)))


def test_only_the_types_whose_every_job_states_it_are_enforced() -> None:
    # A Processing job without isolation: only the Training jobs' isolation is enforced.
    values = {
        "Processing": [request_condition_values("Processing", {"NetworkConfig": {}})],
        "Training": [request_condition_values("Training", TRAINING)],
    }
    conditions = {
        condition.sid: condition.kinds
        for condition in enforced_job_conditions(values, lambda v: True, lambda v: True)
    }
    assert conditions["DenyJobsWithoutNetworkIsolation"] == ("Training",)
    # A subnet an execution may change (a parameter): no VPC condition at all.
    parameter = _changed(TRAINING, lambda r: r["VpcConfig"].update(Subnets=[{"Get": "x"}]))
    values = {"Training": [request_condition_values("Training", parameter)]}
    sids = {
        condition.sid
        for condition in enforced_job_conditions(
            values, lambda v: True, lambda v: isinstance(v, str)
        )
    }
    assert not sids & {"DenyJobsOutsideTheVpc", "DenyJobsInOtherSubnets"}


def test_a_deny_on_a_key_the_request_cant_give_offline_is_taken_to_apply() -> None:
    # A tuning request's keys aren't read (no document says which training job definition
    # they come from): a Deny on one must not be silently allowed.
    tuning = "sagemaker:CreateHyperParameterTuningJob"
    role = RolePolicies(
        "arn:aws:iam::111122223333:role/Pipeline",
        "Pipeline",
        (
            Statement.from_json({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            Statement.from_json(
                {
                    "Effect": "Deny",
                    "Action": tuning,
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"sagemaker:NetworkIsolation": "false"}},
                },
                "Guardrail",
            ),
        ),
        None,
        None,
    )
    with pytest.raises(AccessDeniedError) as raised:
        _run(role, "Tuning", {"TrainingJobDefinition": {"EnableNetworkIsolation": True}})
    assert (
        "an explicit Deny in Guardrail denies it (its condition on sagemaker:NetworkIsolation "
        "can't be evaluated offline for this request, so it is taken to apply)"
    ) in raised.value.reason


def test_a_member_given_as_an_expression_leaves_its_keys_unenforced() -> None:
    # A step whose OutputDataConfig (not just its KmsKeyId) is an expression may carry any
    # key at run time: read as "no key", the other steps' key would be enforced and deny it.
    expression = {"Get": "Parameters.OutputConfig"}
    values = {
        "Training": [
            request_condition_values("Training", TRAINING),
            request_condition_values("Training", {**TRAINING, "OutputDataConfig": expression}),
        ]
    }
    assert values["Training"][1]["sagemaker:OutputKmsKey"] == expression
    sids = {
        condition.sid
        for condition in enforced_job_conditions(
            values, lambda v: isinstance(v, str), lambda v: isinstance(v, str)
        )
    }
    assert "DenyJobsWithAnotherOutputKey" not in sids
    assert "DenyJobsWithAnotherVolumeKey" in sids
