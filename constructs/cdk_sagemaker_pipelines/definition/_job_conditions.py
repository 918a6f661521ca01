"""SageMaker's IAM condition keys on the job requests of a pipeline, read off the requests.

Which Create action takes which key is the "Condition keys" column of the Service
Authorization Reference, "Actions, resources, and condition keys for Amazon SageMaker"
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html):

- ``sagemaker:VolumeKmsKey``, ``sagemaker:OutputKmsKey`` (type ARN): CreateProcessingJob,
  CreateTrainingJob, CreateHyperParameterTuningJob, CreateTransformJob;
- ``sagemaker:NetworkIsolation`` (Bool): CreateProcessingJob, CreateTrainingJob,
  CreateHyperParameterTuningJob, CreateModel;
- ``sagemaker:InterContainerTrafficEncryption`` (Bool): CreateProcessingJob,
  CreateTrainingJob, CreateHyperParameterTuningJob;
- ``sagemaker:VpcSubnets``, ``sagemaker:VpcSecurityGroupIds`` (ArrayOfString):
  CreateProcessingJob, CreateTrainingJob, CreateHyperParameterTuningJob, CreateModel.

The reference doesn't say which request member each key is read from; the members below
are the only ones of each request that hold such a value (the SageMaker guide's examples,
"Amazon SageMaker AI identity-based policy examples", enforce encryption and isolation with
these keys on the same actions). CreateHyperParameterTuningJob is left out: its request
holds one to ten training job definitions, and no document says how their values become
one key's value. ``sagemaker:MaxRuntimeInSeconds`` is not read: the derived policies
don't condition on it (see docs/constructs.md). ``sagemaker:InstanceTypes``, a cap a
platform team opts into, is read in ``_instance_caps.py``.

Example::

    request_condition_values("Training", {"EnableNetworkIsolation": True})
    # {'sagemaker:NetworkIsolation': True}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._shape_check import is_expression

VOLUME_KMS_KEY = "sagemaker:VolumeKmsKey"
OUTPUT_KMS_KEY = "sagemaker:OutputKmsKey"
NETWORK_ISOLATION = "sagemaker:NetworkIsolation"
INTER_CONTAINER_ENCRYPTION = "sagemaker:InterContainerTrafficEncryption"
VPC_SUBNETS = "sagemaker:VpcSubnets"
VPC_SECURITY_GROUPS = "sagemaker:VpcSecurityGroupIds"
KMS_CONDITION_KEYS = (VOLUME_KMS_KEY, OUTPUT_KMS_KEY)
BOOL_CONDITION_KEYS = (NETWORK_ISOLATION, INTER_CONTAINER_ENCRYPTION)
LIST_CONDITION_KEYS = (VPC_SUBNETS, VPC_SECURITY_GROUPS)
JOB_CONDITION_KEYS = (*KMS_CONDITION_KEYS, *BOOL_CONDITION_KEYS, *LIST_CONDITION_KEYS)

# Per job step type (check steps are Processing): the request member each key it takes is
# read from. A key missing here is one the type's Create action doesn't take.
REQUEST_KEY_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "Processing": {
        VOLUME_KMS_KEY: ("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"),
        OUTPUT_KMS_KEY: ("ProcessingOutputConfig", "KmsKeyId"),
        NETWORK_ISOLATION: ("NetworkConfig", "EnableNetworkIsolation"),
        INTER_CONTAINER_ENCRYPTION: ("NetworkConfig", "EnableInterContainerTrafficEncryption"),
        VPC_SUBNETS: ("NetworkConfig", "VpcConfig", "Subnets"),
        VPC_SECURITY_GROUPS: ("NetworkConfig", "VpcConfig", "SecurityGroupIds"),
    },
    "Training": {
        VOLUME_KMS_KEY: ("ResourceConfig", "VolumeKmsKeyId"),
        OUTPUT_KMS_KEY: ("OutputDataConfig", "KmsKeyId"),
        NETWORK_ISOLATION: ("EnableNetworkIsolation",),
        INTER_CONTAINER_ENCRYPTION: ("EnableInterContainerTrafficEncryption",),
        VPC_SUBNETS: ("VpcConfig", "Subnets"),
        VPC_SECURITY_GROUPS: ("VpcConfig", "SecurityGroupIds"),
    },
    "Transform": {
        VOLUME_KMS_KEY: ("TransformResources", "VolumeKmsKeyId"),
        OUTPUT_KMS_KEY: ("TransformOutput", "KmsKeyId"),
    },
    "Model": {
        NETWORK_ISOLATION: ("EnableNetworkIsolation",),
        VPC_SUBNETS: ("VpcConfig", "Subnets"),
        VPC_SECURITY_GROUPS: ("VpcConfig", "SecurityGroupIds"),
    },
}


def request_condition_values(kind: str, arguments: Any) -> dict[str, Any]:
    """The condition keys a ``kind`` job's request carries, with the request's values.

    A key whose member the request lacks is left out (the request doesn't carry it).
    Values are as written: a string, a boolean, a list, or an expression of the definition;
    a member on the way given as an expression (``OutputDataConfig: {"Get": …}``) is that
    expression, not an absent key: it may carry any value at run time.

    Example::

        request_condition_values("Transform", {"TransformOutput": {"KmsKeyId": arn}})
        # {'sagemaker:OutputKmsKey': arn}
    """
    values: dict[str, Any] = {}
    for key, path in REQUEST_KEY_FIELDS.get(kind, {}).items():
        current = arguments
        for part in path:
            if is_expression(current):
                break  # known only at run time: kept, so no condition trusts its absence
            if not isinstance(current, Mapping) or part not in current:
                current = None
                break
            current = current[part]
        if current is not None:
            values[key] = current
    return values


@dataclass(frozen=True, slots=True)
class JobCondition:
    """A Deny the pipeline role gets on the Create calls of ``kinds``' jobs.

    ``sid`` names the statement; ``condition`` is its IAM ``Condition``.

    Example::

        JobCondition("DenyJobsWithoutNetworkIsolation", ("Training",),
                     {"BoolIfExists": {"sagemaker:NetworkIsolation": "false"}})
    """

    sid: str
    kinds: tuple[str, ...]
    condition: dict[str, dict[str, Any]]


def enforced_job_conditions(
    requests: Mapping[str, Sequence[Mapping[str, Any]]],
    is_key_arn: Callable[[Any], bool],
    is_fixed: Callable[[Any], bool],
) -> list[JobCondition]:
    """What every job request of the definition states, as Deny conditions on the others.

    ``requests``: per job step type, each step's ``request_condition_values``.
    ``is_key_arn``: whether a value is known to be a KMS key's ARN (IAM compares the key's
    value as an ARN; a key id or alias is written to the request as it is, so it can't be
    stated); ``is_fixed``: whether a value is fixed at deploy (a literal or a deploy-time
    token, not a parameter or step property, which an execution may change).

    A key is enforced on a step type only when what all its steps state is fixed:

    - KMS keys: each step's key, when given, is a key ARN; a request carrying another key
      is denied. One without the key is not (``Null`` guard): instance types with local
      NVMe storage take no volume key, and SageMaker's default is the account's key.
    - network isolation, inter-container encryption: every step sets it to ``true``; a
      request with ``false`` or without it is denied (``BoolIfExists``).
    - VPC: every step has a ``VpcConfig``; a request without subnets is denied, and one
      naming a subnet or security group that no step names.

    Example::

        enforced_job_conditions({"Training": [{NETWORK_ISOLATION: True}]}, is_arn, fixed)
    """
    conditions: list[JobCondition] = []

    def kinds_taking(key: str) -> list[str]:
        return [kind for kind in sorted(requests) if key in REQUEST_KEY_FIELDS.get(kind, {})]

    for key, sid in (
        (VOLUME_KMS_KEY, "DenyJobsWithAnotherVolumeKey"),
        (OUTPUT_KMS_KEY, "DenyJobsWithAnotherOutputKey"),
    ):
        kinds: list[str] = []
        allowed: list[Any] = []
        for kind in kinds_taking(key):
            given = [values[key] for values in requests[kind] if key in values]
            if given and all(is_key_arn(value) for value in given):
                kinds.append(kind)
                allowed += [value for value in given if value not in allowed]
        if kinds:
            conditions.append(
                JobCondition(
                    sid,
                    tuple(kinds),
                    # IAM's rule for a key the request lacks: ArnNotEquals would match it,
                    # so the Null guard keeps requests without a key allowed.
                    {"Null": {key: "false"}, "ArnNotEquals": {key: allowed}},
                )
            )
    for key, sid in (
        (NETWORK_ISOLATION, "DenyJobsWithoutNetworkIsolation"),
        (INTER_CONTAINER_ENCRYPTION, "DenyJobsWithoutInterContainerEncryption"),
    ):
        kinds = [
            kind
            for kind in kinds_taking(key)
            if requests[kind] and all(values.get(key) is True for values in requests[kind])
        ]
        if kinds:
            conditions.append(JobCondition(sid, tuple(kinds), {"BoolIfExists": {key: "false"}}))
    vpc_kinds: list[str] = []
    allowed_ids: dict[str, list[Any]] = {key: [] for key in LIST_CONDITION_KEYS}
    for kind in kinds_taking(VPC_SUBNETS):
        stated: list[list[list[Any]]] = []
        for values in requests[kind]:
            lists = [values.get(key) for key in LIST_CONDITION_KEYS]
            if not all(
                isinstance(ids, list) and ids and all(is_fixed(item) for item in ids)
                for ids in lists
            ):
                break  # a job outside the VPC, or one whose VPC an execution may change
            stated.append([list(ids or ()) for ids in lists])
        else:
            if not stated:
                continue
            vpc_kinds.append(kind)
            for step_ids in stated:
                for key, ids in zip(LIST_CONDITION_KEYS, step_ids, strict=True):
                    allowed_ids[key] += [item for item in ids if item not in allowed_ids[key]]
    if vpc_kinds:
        vpc = tuple(vpc_kinds)
        conditions += [
            JobCondition("DenyJobsOutsideTheVpc", vpc, {"Null": {VPC_SUBNETS: "true"}}),
            JobCondition(
                "DenyJobsInOtherSubnets",
                vpc,
                {"ForAnyValue:StringNotEquals": {VPC_SUBNETS: allowed_ids[VPC_SUBNETS]}},
            ),
            JobCondition(
                "DenyJobsWithOtherSecurityGroups",
                vpc,
                {
                    "ForAnyValue:StringNotEquals": {
                        VPC_SECURITY_GROUPS: allowed_ids[VPC_SECURITY_GROUPS]
                    }
                },
            ),
        ]
    return conditions
