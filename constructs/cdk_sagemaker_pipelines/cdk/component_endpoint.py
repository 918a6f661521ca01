"""``ComponentEndpoint``: several registered versions served on one endpoint's instances.

SageMaker inference components: an endpoint whose production variant names no model (its
EndpointConfig has an ``ExecutionRoleArn`` instead), and one ``AWS::SageMaker::InferenceComponent``
per served version, each reserving accelerators, CPU cores and memory per copy and
scaled on its own, down to 0 copies. LLM teams serve LoRA-tuned variants of one base
model, or several small models, this way. ``ModelEndpoint`` serves one version per
variant; this construct reuses its checks, its model of a version and its role's
statements (``endpoint.py``), and ``ModelDataReader``'s deploy-time read of the versions'
model data.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Unpack, cast

import jsii
from aws_cdk import Duration, Names, Resource
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_sagemaker as sagemaker_refs

if TYPE_CHECKING:
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_ec2 as ec2

from constructs import Construct, IValidation

from ..checks.NoSecretsInEnvironment import looks_secret
from ..definition import Problem
from ..definition._model_data_locations import ATTRIBUTE, DELIMITER, LIST_ATTRIBUTE
from ..definition._service_model import botocore_version, shape
from ..definition._suggest import did_you_mean, one_of
from ._acknowledge import acknowledge_in_packs, acknowledge_wildcards
from ._locked_grants import kept_policy
from ._model_data import APPROVED, MODEL_DATA_ID, NO_REQUIREMENT, ModelDataReader
from ._network import allow_all_outbound_problems
from ._policies import ecr_pull_statements
from ._policy_size import (
    MAX_MANAGED_POLICIES_PER_ROLE,
    MAX_MANAGED_POLICIES_PER_ROLE_RAISED,
    MAX_MANAGED_POLICY_LENGTH,
    document_lengths,
    managed_policy,
    pack,
    render_statements,
)
from ._props import (
    ArgumentProblem,
    PropProblem,
    check_keywords,
    check_new_child,
    describe,
    expect_bool,
    expect_str,
    is_unresolved,
    raise_for,
    was_detached,
)
from ._rejection import RULE_ID as REJECTION_RULE_ID
from ._rejection import Watched, notify_rejections, topic_problems
from ._roles import MODEL_REACH, passed_role_problem, role_arn
from ._tree import is_instance, node_of, path_of, placed, root_of, stack_of
from ._warning_traces import record_warnings_without_traces
from .artifacts import ArtifactStore
from .endpoint import (
    _INSTANCE_STORE_REASON,
    _ROLE_FAILS,
    AUTO_SCALING_ROLE_NAME,
    MAX_NAME,
    METRICS_NAMESPACE,
    _ami_version_problem,
    _cooldown_problem,
    _count_problem,
    _endpoint_metric_problems,
    _instance_store_problem,
    _instance_store_type,
    _instance_type_problem,
    _name_problem,
    _network_statements,
    _positive_problem,
    _registry_type_problem,
    _repositories_problem,
    _role_prop_problem,
    _scale_out_from_zero,
    _seconds,
    _security_group_count_problem,
    _Served,
    _store_problem,
    _timeout_problem,
    _volume_size_problem,
    _warn_of_locked_role,
    _whole_number_problem,
    endpoint_log_statements,
    endpoint_network,
    grant_invoke_endpoint,
    log_group_statement,
    model_data_statements,
    version_arn_problems,
    version_model,
    warn_of_deploy_time_instance_types,
)
from .pipeline import (
    _MetricOptions,
    _network_prop_problems,
    _refuses_policy_updates,
    _RoleTrust,
    _service_role,
)
from .registry import ModelRegistry

# The one production variant the components run on.
VARIANT_NAME = "AllTraffic"
# Application Auto Scaling's dimension of an inference component's copies.
COPY_COUNT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# The metric SageMaker publishes when a request finds no copy to answer it (a component
# scaled to 0): the scale-out-from-zero alarm's, in AWS/SageMaker per InferenceComponentName
# (SageMaker's guide, "Scale an endpoint to zero instances",
# https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html).
NO_CAPACITY_METRIC = "NoCapacityInvocationFailures"
# The metrics of a component in AWS/SageMaker, of dimension InferenceComponentName: those
# of SageMaker's guide's "SageMaker AI endpoint invocation metrics" ("InferenceComponentName:
# Filters inference component invocation metrics") that aren't a variant's own
# (InvocationsPerInstance; ModelSetupTime, serverless), and NO_CAPACITY_METRIC. Not a closed
# list, as ModelEndpoint's: a name that is none of them is taken as given unless it is one
# of them misspelt (an alarm on it would never fire).
COMPONENT_METRICS = (
    "Invocations",
    "Invocation4XXErrors",
    "Invocation5XXErrors",
    "InvocationModelErrors",
    "InvocationsPerCopy",
    "ConcurrentRequestsPerCopy",
    "ConcurrentRequestsPerModel",
    "ModelLatency",
    "OverheadLatency",
    NO_CAPACITY_METRIC,
)
# botocore's bounds (SageMaker's "Valid Range"), read rather than copied.
_MIN_INSTANCES: int = shape("ManagedInstanceScalingMinInstanceCount")["min"]
_LEAST_MAX_INSTANCES: int = shape("ManagedInstanceScalingMaxInstanceCount")["min"]
_MIN_COPIES: int = shape("InferenceComponentCopyCount")["min"]
_MIN_CPU_CORES: float = shape("NumberOfCpuCores")["min"]
_MIN_ACCELERATORS: float = shape("NumberOfAcceleratorDevices")["min"]
_MIN_MEMORY_MB: int = shape("MemoryInMb")["min"]
ROUTING_STRATEGIES: tuple[str, ...] = tuple(shape("RoutingStrategy")["enum"])
# botocore's EnvironmentMap (a model container's Environment): entries, key and value sizes.
_ENVIRONMENT: dict[str, Any] = shape("EnvironmentMap")
_MAX_VARIABLES: int = _ENVIRONMENT["max"]
_MAX_KEY: int = shape(_ENVIRONMENT["key"]["shape"])["max"]
_MAX_VALUE: int = shape(_ENVIRONMENT["value"]["shape"])["max"]
_KEY_PATTERN = re.compile(shape(_ENVIRONMENT["key"]["shape"])["pattern"])
# ContainerDefinition.Environment's documentation: "all keys and values in the map,
# combined" (not in the shape's bounds).
_MAX_ENVIRONMENT_BYTES = 32 * 1024
# A component's id names its statements (a Sid: letters and digits) and its component.
_COMPONENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9]{0,39}")
MODEL_DATA_ROOM = 700
"""The bytes a component's ``ModelData`` may return for the role (its ``MaxData``).

The ARNs of its version's model data and, during an update, of the version before, and
the uncompressed models' prefixes: two versions of a model of two archives at typical key
lengths (about 140 characters an ARN) take about 600. Beyond it the version before is
left out, and a version whose own data is longer fails the deploy, naming it: each
component's statements are packed into the role's policies counting on no more."""
# Those bytes once split into the statements' lists: each element (at least 10 bytes:
# "models/x/*") quoted, a comma for each delimiter, brackets; both attributes.
_MODEL_DATA_LENGTH = MODEL_DATA_ROOM + MODEL_DATA_ROOM // 10 + 8
_POLICY_DESCRIPTION = "What the inference components of a SageMaker endpoint read and write"


def _number_problem(
    prop: str, value: object, least: float, unit: str, *, whole: bool, optional: bool
) -> Problem | None:
    """A number (a whole one if ``whole``) of at least ``least`` (botocore's); tokens pass."""
    if (value is None and optional) or is_unresolved(value):
        return None
    kinds: tuple[type, ...] = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        article = "a whole number" if whole else "a number"
        return PropProblem(None, prop, f"expected {article} of {unit}, got {describe(value)}")
    if cast(float, value) < least:
        return PropProblem(None, prop, f"expected at least {least:g} {unit}, got {value}")
    return None


@dataclass(frozen=True, slots=True)
class ComponentCompute:
    """What each copy of an inference component reserves of the endpoint's instances.

    SageMaker places copies on instances with room for them (``ComputeResourceRequirements``
    of the component's specification); the instance type's accelerators, cores and memory
    bound how many fit.

    Example::

        ComponentCompute(min_memory_required_in_mb=16384,
                         number_of_accelerator_devices_required=1)

    :param min_memory_required_in_mb: memory reserved per copy, at least 128 MB
        (``MinMemoryRequiredInMb``, which CreateInferenceComponent requires).
    :param number_of_accelerator_devices_required: GPUs or Inferentia devices per copy, at
        least 1. Default: none reserved (a model on CPU).
    :param number_of_cpu_cores_required: CPU cores per copy, at least 0.25. Default: none
        reserved.
    """

    min_memory_required_in_mb: int
    number_of_accelerator_devices_required: float | None = None
    number_of_cpu_cores_required: float | None = None

    def __post_init__(self) -> None:
        """Check each field against botocore's bounds, naming it."""
        raise_for(
            [
                _number_problem(
                    "min_memory_required_in_mb",
                    self.min_memory_required_in_mb,
                    _MIN_MEMORY_MB,
                    "MB",
                    whole=True,
                    optional=False,
                ),
                _number_problem(
                    "number_of_accelerator_devices_required",
                    self.number_of_accelerator_devices_required,
                    _MIN_ACCELERATORS,
                    "accelerator devices",
                    whole=False,
                    optional=True,
                ),
                _number_problem(
                    "number_of_cpu_cores_required",
                    self.number_of_cpu_cores_required,
                    _MIN_CPU_CORES,
                    "CPU cores",
                    whole=False,
                    optional=True,
                ),
            ],
            "ComponentCompute",
        )

    def _render(
        self,
    ) -> sagemaker.CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty:
        return (
            sagemaker.CfnInferenceComponent.InferenceComponentComputeResourceRequirementsProperty(
                min_memory_required_in_mb=self.min_memory_required_in_mb,
                number_of_accelerator_devices_required=self.number_of_accelerator_devices_required,
                number_of_cpu_cores_required=self.number_of_cpu_cores_required,
            )
        )


@dataclass(frozen=True, slots=True)
class ManagedInstanceScaling:
    """SageMaker's scaling of a component endpoint's instances to fit the components' copies.

    SageMaker starts instances when copies don't fit and stops idle ones
    (``ManagedInstanceScaling`` of the production variant, ``Status`` ``ENABLED``). With
    ``min_instance_count=0`` the endpoint has no instance (and no bill) while every
    component is scaled to 0 copies.

    Example::

        ManagedInstanceScaling(min_instance_count=0, max_instance_count=4)

    :param max_instance_count: at most this many instances, at least 1 and the endpoint's
        ``initial_instance_count``.
    :param min_instance_count: at least this many, 0 or more, at most the endpoint's
        ``initial_instance_count``. Default: 1.
    """

    max_instance_count: int
    min_instance_count: int = 1

    def __post_init__(self) -> None:
        """Check each field against botocore's bounds, naming it."""
        problems = [
            _number_problem(
                "max_instance_count",
                self.max_instance_count,
                _LEAST_MAX_INSTANCES,
                "instances",
                whole=True,
                optional=False,
            ),
            _number_problem(
                "min_instance_count",
                self.min_instance_count,
                _MIN_INSTANCES,
                "instances",
                whole=True,
                optional=False,
            ),
        ]
        raise_for(problems, "ManagedInstanceScaling")
        counts = (self.max_instance_count, self.min_instance_count)
        if not any(is_unresolved(v) for v in counts) and counts[0] < counts[1]:
            raise_for(
                [
                    PropProblem(
                        None,
                        "max_instance_count",
                        f"{counts[0]} is less than min_instance_count {counts[1]}",
                    )
                ],
                "ManagedInstanceScaling",
            )

    def _render(self) -> sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty:
        return sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
            status="ENABLED",
            min_instance_count=self.min_instance_count,
            max_instance_count=self.max_instance_count,
        )


def _environment_problems(environment: object) -> list[Problem | None]:
    """``environment`` against botocore's ``EnvironmentMap``, and no literal secret in it.

    Secrets are judged as the ``NoSecretsInEnvironment`` check judges a job's (CreateModel:
    "Don't include any sensitive data in your environment variables"); tokens pass.
    """
    if environment is None:
        return []
    example = "environment={'OPTION_TENSOR_PARALLEL_DEGREE': '1'}"
    if not isinstance(environment, Mapping):
        return [
            PropProblem(
                None, "environment", f"expected a mapping, got {describe(environment)}", example
            )
        ]
    problems: list[Problem | None] = []
    if len(environment) > _MAX_VARIABLES:
        problems.append(
            PropProblem(
                None,
                "environment",
                f"{len(environment)} variables, more than the {_MAX_VARIABLES} of botocore "
                f"{botocore_version()}'s EnvironmentMap",
            )
        )
    size = 0
    for key, value in environment.items():
        field = "environment"
        if not isinstance(key, str) or not isinstance(value, str):
            problems.append(
                PropProblem(
                    None,
                    field,
                    f"{key!r}: expected a string name and value, got {describe(key)}: "
                    f"{describe(value)}",
                    "a number as text: '1'",
                )
            )
            continue
        if not is_unresolved(key):
            size += len(key.encode())
            if len(key) > _MAX_KEY or not _KEY_PATTERN.fullmatch(key):
                problems.append(
                    PropProblem(
                        None,
                        field,
                        f"{key!r}: a variable's name is letters, digits and '_', not starting "
                        f"with a digit, at most {_MAX_KEY} characters (botocore's EnvironmentKey)",
                    )
                )
        if is_unresolved(value):
            continue
        size += len(value.encode())
        if len(value) > _MAX_VALUE:
            problems.append(
                PropProblem(
                    None,
                    field,
                    f"{key!r}: {len(value)} characters, more than the {_MAX_VALUE} of botocore's "
                    "EnvironmentValue",
                )
            )
        elif not is_unresolved(key) and looks_secret(key, value):
            problems.append(
                PropProblem(
                    None,
                    field,
                    f"{key!r}: looks like a literal secret (NoSecretsInEnvironment): anyone "
                    "who may describe the model reads it",
                    "read it at run time from Secrets Manager, giving the container the "
                    "secret's ARN or name",
                )
            )
    if size > _MAX_ENVIRONMENT_BYTES:
        problems.append(
            PropProblem(
                None,
                "environment",
                f"{size} bytes of names and values, more than the 32 KB SageMaker takes in "
                "a container's Environment",
            )
        )
    return problems


def _routing_problem(value: object) -> Problem | None:
    problem = expect_str("routing_strategy", value)
    if problem is not None or value is None or not isinstance(value, str) or is_unresolved(value):
        return problem
    if value in ROUTING_STRATEGIES:
        return None
    return PropProblem(
        None,
        "routing_strategy",
        f"{value!r} is not a routing strategy of SageMaker's (botocore {botocore_version()}'s "
        "RoutingStrategy)",
        did_you_mean(value, ROUTING_STRATEGIES) or f"one of {one_of(ROUTING_STRATEGIES)}",
    )


def _typed_problem(
    prop: str, value: object, kind: type, example: str, *, optional: bool = True
) -> Problem | None:
    if (value is None and optional) or isinstance(value, kind):
        return None
    return PropProblem(None, prop, f"expected a {kind.__name__}, got {describe(value)}", example)


def _id_problem(construct_id: object, example: str) -> Problem | None:
    """A component's or adapter's id: it names statements (a Sid) and the component."""
    if isinstance(construct_id, str) and _COMPONENT_ID.fullmatch(construct_id):
        return None
    return PropProblem(
        None,
        "construct_id",
        f"expected 1-40 letters and digits, starting with a letter, got {describe(construct_id)}",
        example,
    )


def _reserved_adapter_id_problem(construct_id: object) -> Problem | None:
    """An adapter id the component keeps for its ``notify_on_rejection`` rule."""
    # The rule is the component's child too, created whenever notify_on_rejection is
    # called, before or after this adapter: refused either way, not only when it exists.
    if construct_id != REJECTION_RULE_ID:
        return None
    return PropProblem(
        None,
        "construct_id",
        f"{REJECTION_RULE_ID!r} is the id of the component's rule of "
        "ComponentEndpoint.notify_on_rejection",
        "name the adapter after its model: add_adapter('Billing', …)",
    )


# Where an unresolved value starts in a string's rendering (CDK's token markers).
_TOKEN_START = re.compile(r"\$\{Token\[|#\{Token\[")


def _adapter_location(artifact: str, store: ArtifactStore) -> tuple[str, bool] | Problem:
    """Where ``artifact`` is in ``store``'s bucket: ``(key or folder, one object?)``.

    One object: a literal key, which must end in ``.tar.gz`` (SageMaker takes one archive);
    a key ending in a token: the literal folder before it. Or the problem with it.

    The URI is compared as written with ``s3://<the store's bucket name>/``: the same token
    when the bucket's name is one, so a URI built from ``store.bucket.bucket_name`` passes
    and a literal one can't name a bucket CloudFormation names.
    """
    bucket = store.bucket.bucket_name
    start = f"s3://{bucket}/"
    example = "artifact=f's3://{store.bucket.bucket_name}/adapters/<name>/adapter.tar.gz'"
    if not artifact.startswith(start):
        if is_unresolved(artifact) and not artifact.startswith("s3://"):
            why = "is a token: its bucket and key are unknown at synth, so the role's read of it"
            return PropProblem(None, "artifact", f"{why} would be a whole bucket's", example)
        shown = "the store's bucket" if is_unresolved(bucket) else f"bucket {bucket}"
        return PropProblem(
            None,
            "artifact",
            f"{artifact!r} is not an S3 URI in {shown} (the store's, whose key the role "
            "decrypts with)"
            + (
                ": a bucket CloudFormation names is only known by its token"
                if is_unresolved(bucket)
                else ""
            ),
            example + " (or store= the store holding it)",
        )
    key = artifact[len(start) :]
    token = _TOKEN_START.search(key)
    if token is None:
        if not key.strip("/"):
            return PropProblem(
                None, "artifact", f"{artifact!r} names no object nor folder", example
            )
        if key.endswith(".tar.gz"):
            return key, True
        # botocore's InferenceComponentContainerSpecification.ArtifactUrl: "must point to a
        # single gzip compressed tar archive (.tar.gz suffix)".
        return PropProblem(
            None,
            "artifact",
            f"{artifact!r} is not a .tar.gz archive: an adapter's ArtifactUrl must point to a "
            "single gzip compressed tar archive",
            example,
        )
    folder = key[: token.start()]
    if "/" not in folder:
        return PropProblem(
            None,
            "artifact",
            f"the key of {artifact!r} starts with a token: the role would read all of the bucket",
            "a literal folder before the token: f's3://{bucket}/adapters/support/{name}'",
        )
    # Everything under the literal folder: the rest is known at deploy time only.
    return folder[: folder.rindex("/") + 1], False


def _as_arguments(problems: Sequence[Problem | None]) -> list[Problem | None]:
    """A method's problems, each naming its argument (``argument 'copies'``)."""
    return [
        None if each is None else ArgumentProblem(None, each.field or "", each.message, each.hint)
        for each in problems
    ]


@jsii.implements(IValidation)
class _HasComponents:
    """Fails synth for a ``ComponentEndpoint`` without components: it would serve nothing."""

    def __init__(self, endpoint: ComponentEndpoint) -> None:
        self._endpoint = endpoint

    def validate(self) -> list[str]:
        if self._endpoint.components:
            return []
        return [
            f"ComponentEndpoint {self._endpoint.node.path}: no inference component was added: "
            "the endpoint would bill for its instances and serve nothing (call "
            "add_component(…) for each version it serves)"
        ]


def _counted(rendered: Any) -> Any:
    """``rendered`` with each ``ModelData`` attribute's list as long as it may be deployed.

    Its read's ``Resource`` (the ARNs) becomes a string of ``_MODEL_DATA_LENGTH``, its
    listing's prefixes an empty one: together, what ``MODEL_DATA_ROOM`` lets them take.
    """
    if isinstance(rendered, list):
        return [_counted(each) for each in rendered]
    if not isinstance(rendered, dict):
        return rendered
    split = rendered.get("Fn::Split") if len(rendered) == 1 else None
    if isinstance(split, list) and len(split) == 2 and split[0] == DELIMITER:
        attribute = split[1].get("Fn::GetAtt") if isinstance(split[1], dict) else None
        if isinstance(attribute, list) and len(attribute) == 2:
            if attribute[1] == ATTRIBUTE:
                return "x" * (_MODEL_DATA_LENGTH - 2)  # quoted: _MODEL_DATA_LENGTH
            if attribute[1] == LIST_ATTRIBUTE:
                return ""
    return {key: _counted(value) for key, value in rendered.items()}


def _unit_length(stack: Any, statements: Sequence[iam.PolicyStatement]) -> int:
    """The deployed length of ``statements`` side by side in a policy (commas included).

    Each reference at its longest, as ``_PoliciesFit`` measures the policies (a repository's
    ARN of a name up to 256 characters, a parameter's value): ``statement_lengths`` looks
    them up for long statements only, and a unit counted shorter than the check counts it
    was packed into a policy that then failed synth.
    """
    if not statements:
        return 0
    rendered = [_counted(each) for each in render_statements(stack, statements)]
    (length,) = document_lengths(stack, [rendered])
    return length - 2  # the list's brackets, which the policy's document counts once


def _quota_problem(value: object) -> Problem | None:
    if is_unresolved(value) or (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 1 <= value <= MAX_MANAGED_POLICIES_PER_ROLE_RAISED
    ):
        return None
    return PropProblem(
        None,
        "managed_policies_per_role",
        f"expected a whole number of 1-{MAX_MANAGED_POLICIES_PER_ROLE_RAISED} (IAM's quota of "
        f"managed policies per role, {MAX_MANAGED_POLICIES_PER_ROLE} unless raised), got "
        f"{describe(value)}",
    )


# The ComponentEndpoints constructed (in any app): those sharing a role count each other's
# policies, which a search of the role's stack doesn't find when they are elsewhere.
_ENDPOINTS: weakref.WeakSet[ComponentEndpoint] = weakref.WeakSet()


def _attached_otherwise(endpoint: ComponentEndpoint) -> int:
    """How many managed policies this app attaches to ``endpoint``'s role besides its own.

    For a role of the app: its own ``ManagedPolicyArns`` (``managed_policies=``,
    ``add_managed_policy``) and the managed policies of its stack that name it. And the
    policies of the app's other ``ComponentEndpoint``s of the same role outside that stack
    (anywhere, for an imported role), which name it by an import, not by its ``Ref``.
    """
    role = endpoint.role
    ours = endpoint.role_policies
    count = 0
    searched: str | None = None  # the stack whose policies naming the role are counted
    if isinstance(role, iam.Role):
        stack = stack_of(role)
        searched = path_of(stack)
        cfn_role = role.node.default_child
        arns = (
            stack.resolve(cfn_role.managed_policy_arns)
            if isinstance(cfn_role, iam.CfnRole)
            else None
        )
        count = len(arns) if isinstance(arns, list) else 0
        name = stack.resolve(role.role_name)
        # By path: jsii may hand back a new proxy of the same construct.
        own = {f"{policy.node.path}/Resource" for policy in ours}
        for construct in node_of(stack).find_all():
            if is_instance(construct, iam.CfnManagedPolicy) and path_of(construct) not in own:
                roles = stack.resolve(construct.roles)
                count += isinstance(roles, list) and name in roles
    root = root_of(endpoint)
    for other in list(_ENDPOINTS):
        if (
            other is endpoint
            or other._role_locked  # its policies are attached to nothing
            or was_detached(other)
            or root_of(other) is not root
            or other.role.role_arn != role.role_arn
            or path_of(stack_of(other)) == searched  # found in the role's stack above
        ):
            continue
        count += len(other.role_policies)
    return count


@jsii.implements(IValidation)
class _PoliciesFit:
    """Fails synth for role policies IAM would refuse: too long, or more than the role takes.

    Each policy is measured as deployed (each component's model data at what its
    ``ModelData`` may return), with any statement added to it by hand; and the role's
    policies counted with those the app attaches to it otherwise, against
    ``managed_policies_per_role``. A role imported with ``mutable=False`` is warned of,
    naming every policy to attach (known once every component is added).
    """

    def __init__(self, endpoint: ComponentEndpoint) -> None:
        self._endpoint = endpoint
        self._warned = False

    def validate(self) -> list[str]:
        endpoint = self._endpoint
        stack = stack_of(endpoint)
        policies = endpoint.role_policies
        if endpoint._role_locked and not self._warned:
            self._warned = True  # each synth validates again; the warning stays recorded
            _warn_of_locked_role(
                endpoint,
                policies,
                "what the endpoint's components read and write",
                "before the endpoint is deployed (SageMaker fails to start a component whose "
                "model the role can't read)",
            )
        errors = []
        # Resolved together: one round trip to jsii for all the policies.
        documents = stack.resolve([policy.document.to_json() for policy in policies])
        lengths = document_lengths(stack, [_counted(each) for each in documents])
        for policy, length in zip(policies, lengths, strict=True):
            if length > MAX_MANAGED_POLICY_LENGTH:
                errors.append(
                    f"ComponentEndpoint {endpoint.node.path}: managed policy "
                    f"{policy.node.path} of its role is {length:,} characters once deployed, "
                    f"more than the {MAX_MANAGED_POLICY_LENGTH:,} IAM takes (deploying would "
                    "fail with LimitExceeded): add statements of your own to a managed policy "
                    "of your own"
                )
        others = 0 if endpoint._role_locked else _attached_otherwise(endpoint)
        quota = endpoint.managed_policies_per_role
        if len(policies) + others > quota:
            errors.append(self._too_many(len(policies), others, quota))
        return errors

    def _too_many(self, count: int, others: int, quota: int) -> str:
        endpoint = self._endpoint
        units = endpoint._units
        groups = pack(units, [length for _, length in units])
        fitting = [what for group in groups[: max(quota - others, 0)] for what, _ in group]
        components = sum(what.startswith("component ") for what in fitting)
        adapters = sum(what.startswith("adapter ") for what in fitting)
        added = (
            len(endpoint.components),
            sum(len(each.adapters) for each in endpoint.components.values()),
        )
        besides = f", besides the {others} this app attaches to it otherwise," if others else ""
        raised = (
            f"raise the role's quota (Service Quotas: IAM's \"Managed policies per role\", up "
            f"to {MAX_MANAGED_POLICIES_PER_ROLE_RAISED}) and pass managed_policies_per_role= "
            "the new quota"
            if quota < MAX_MANAGED_POLICIES_PER_ROLE_RAISED
            else ""
        )
        return (
            f"ComponentEndpoint {endpoint.node.path}: its role's statements for {added[0]} "
            f"components and {added[1]} adapters need {count} managed policies of at most "
            f"{MAX_MANAGED_POLICY_LENGTH:,} characters (IAM's limit; each component's "
            f"statements about 1,800 with its model data){besides} more than the {quota} IAM "
            f"attaches to a role (managed_policies_per_role={quota}): deploying would fail. "
            f"The first {components} components and {adapters} adapters fit: serve the others "
            "from another ComponentEndpoint" + (f", or {raised}" if raised else "")
        )


@jsii.implements(sagemaker.IEndpoint)
class ComponentEndpoint(Resource):
    """A real-time endpoint serving several registered versions as inference components.

    Creates an EndpointConfig of one production variant (``AllTraffic``) that names no
    model, on ``instance_type`` instances (``initial_instance_count``; SageMaker starts and
    stops instances within ``managed_instance_scaling``, to 0 with
    ``ManagedInstanceScaling(min_instance_count=0)``), encrypted with the artifact store's
    key where the instance type has EBS storage (none for NVMe instance storage, which
    refuses one), with the execution role as its ``ExecutionRoleArn``, and the Endpoint.
    ``add_component`` adds one version: a SageMaker Model of it (with the role) and an
    inference component of ``copies`` copies, each reserving ``compute``;
    ``component.add_copy_scaling`` scales its copies with its invocations, to 0.

    The execution role (unless ``role=``) reads exactly the served versions' model data
    (one ``ModelData`` custom resource per component finds it at deploy time in the store
    holding the version; on a new version the previous one's stays readable until the
    next), decrypts it with the stores' keys, pulls from ``image_repositories``, writes the
    endpoint's and the components' logs and SageMaker's metrics; with ``vpc``, the network
    interfaces of its subnets and groups. The deploy fails, before a component's model is
    created, when its version isn't ``Approved`` (unless ``require_approval=False``).
    ``grant_invoke`` lets callers invoke it; they name a component in each request
    (``InferenceComponentName``: its ``component_name``).

    Example::

        endpoint = ComponentEndpoint(
            self, "Llms", artifact_store=store, instance_type="ml.g5.12xlarge",
            managed_instance_scaling=ManagedInstanceScaling(
                min_instance_count=0, max_instance_count=2))
        support = endpoint.add_component(
            "Support", model_package_arn=support_arn,
            compute=ComponentCompute(min_memory_required_in_mb=16384,
                                     number_of_accelerator_devices_required=1))
        support.add_copy_scaling(min_copies=0, max_copies=4, target_invocations_per_copy=10)
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        artifact_store: ArtifactStore,
        instance_type: str,
        initial_instance_count: int = 1,
        managed_instance_scaling: ManagedInstanceScaling | None = None,
        routing_strategy: str | None = None,
        volume_size_in_gb: int | None = None,
        inference_ami_version: str | None = None,
        endpoint_name: str | None = None,
        role: iam.IRole | None = None,
        require_approval: bool = True,
        image_repositories: Sequence[ecr.IRepository] = (),
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        allow_all_outbound: bool = False,
        managed_policies_per_role: int = MAX_MANAGED_POLICIES_PER_ROLE,
    ) -> None:
        """Create the role, endpoint configuration and endpoint; add components after.

        :param artifact_store: this account's store: its key encrypts the instances'
            volumes, and it holds the components' model data unless their ``model_store``.
        :param instance_type: the instances the components share (``ml.g5.12xlarge``).
        :param initial_instance_count: instances at creation, 1 or more. Default: 1.
        :param managed_instance_scaling: SageMaker's scaling of the instances to fit the
            copies. Default: none (``initial_instance_count`` instances, always).
        :param routing_strategy: how requests are routed to copies, one of botocore's
            ``RoutingStrategy`` values (``LEAST_OUTSTANDING_REQUESTS``, ``RANDOM``, …).
            Default: SageMaker's (``LEAST_OUTSTANDING_REQUESTS``).
        :param volume_size_in_gb: the size of each instance's ML storage volume, which holds
            the components' model data (``VolumeSizeInGB``), 1-512. Refused for instance
            types whose storage is their NVMe instance store (``ml.g5``, ``ml.p4d``, …).
            Default: SageMaker's, for the instance type.
        :param inference_ami_version: the AMI of the instances (``InferenceAmiVersion``),
            for the GPU driver and CUDA version the components' containers need, one of
            botocore's values (``al2-ami-sagemaker-inference-gpu-3-1``, …). Default:
            SageMaker's.
        :param endpoint_name: Default: a name derived from the construct path.
        :param role: the execution role of the endpoint and its models. Default: a role
            of exactly what they read and write.
        :param require_approval: fail the deploy when a component's version isn't
            ``Approved``. Default: True.
        :param image_repositories: repositories of the versions' images the role may
            pull. Default: none (SageMaker's own images need no grant).
        :param vpc: the VPC of the instances (the endpoint configuration's and the models'
            ``VpcConfig``). Default: none.
        :param vpc_subnets: Default: the VPC's private subnets.
        :param security_groups: Default: a new group with no inbound rules that sends
            TCP 443 only.
        :param allow_all_outbound: the new group sends anything. Default: False.
        :param managed_policies_per_role: how many managed policies IAM attaches to the
            role in this account (the "Managed policies per role" quota, 1-20): synth fails
            when the role's policies (``role_policies``), with those this app attaches to it
            otherwise, would be more. Default: 10, IAM's default quota.
        """
        check_new_child("ComponentEndpoint", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)

        def subject() -> str:
            return f"ComponentEndpoint {self.node.path}"

        stack = stack_of(self)
        raise_for(
            [
                _store_problem("artifact_store", artifact_store, optional=False),
                _instance_type_problem(instance_type),
                _count_problem(initial_instance_count),
                _typed_problem(
                    "managed_instance_scaling",
                    managed_instance_scaling,
                    ManagedInstanceScaling,
                    "ManagedInstanceScaling(min_instance_count=0, max_instance_count=2)",
                ),
                _routing_problem(routing_strategy),
                _volume_size_problem(volume_size_in_gb),
                _ami_version_problem(inference_ami_version),
                _name_problem("endpoint_name", endpoint_name, optional=True),
                _role_prop_problem(role, self),
                expect_bool("require_approval", require_approval),
                _repositories_problem(image_repositories),
                *_network_prop_problems(vpc, vpc_subnets, security_groups, "Endpoint"),
                _security_group_count_problem(security_groups),
                *allow_all_outbound_problems(allow_all_outbound, vpc, security_groups),
                _quota_problem(managed_policies_per_role),
            ],
            subject,
        )
        raise_for(
            [
                *_scaling_count_problems(initial_instance_count, managed_instance_scaling),
                None
                if volume_size_in_gb is None
                else _instance_store_problem(
                    "volume_size_in_gb",
                    [instance_type],
                    "of the instance type's own size, with no EBS volume to size: SageMaker "
                    "takes no VolumeSizeInGB for it",
                ),
                passed_role_problem(
                    "role",
                    role,
                    self,
                    service="SageMaker",
                    passes="CreateEndpointConfig and CreateModel pass it",
                    reach=MODEL_REACH,
                ),
            ],
            subject,
        )
        self.artifact_store = artifact_store
        artifact_store._used_by(self)
        self.instance_type = instance_type
        self.require_approval = require_approval
        self.components: dict[str, EndpointComponent] = {}
        """The components added, by construct id."""
        self._name = (
            endpoint_name
            if endpoint_name is not None
            else Names.unique_resource_name(self, max_length=MAX_NAME, separator="-")
        )
        if role is None:
            role = _service_role(
                self,
                "Role",
                "Execution role of a SageMaker endpoint's inference components",
                stack,
            )
        else:
            node_of(self).add_validation(_RoleTrust(stack, {"role": role}, fails=_ROLE_FAILS))
        self.role = role
        self._role_locked = _refuses_policy_updates(role)
        self._network, self.security_groups = endpoint_network(
            self, vpc, vpc_subnets, security_groups, allow_all_outbound, subject
        )
        repositories = list(dict.fromkeys(each.repository_arn for each in image_repositories))
        statements = [
            *ecr_pull_statements(repositories),
            *endpoint_log_statements(stack, self._name),
            *(_network_statements(stack, *self._network) if self._network else []),
        ]
        self.managed_policies_per_role = managed_policies_per_role
        self.role_policy = managed_policy(
            self,
            "RolePolicy",
            _POLICY_DESCRIPTION,
            0,
            statements,
            None if self._role_locked else role,
        )
        """The first managed policy of the role: the endpoint's statements, and the first
        components'."""
        self.role_policies: list[iam.ManagedPolicy] = [self.role_policy]
        """The role's managed policies (``RolePolicy``, ``RolePolicy2``, …): the endpoint's
        statements, then each component's and adapter's, whole, in the order added."""
        # What each policy holds, in order: (what, its statements' length), packed with pack.
        self._units: list[tuple[str, int]] = [("the endpoint", _unit_length(stack, statements))]
        _ENDPOINTS.add(self)
        acknowledge_wildcards(
            self.role_policy, statements, f"execution role of endpoint {self.node.path}"
        )
        instance_store = _instance_store_type([instance_type]) is not None
        network = self._network
        self._config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            execution_role_arn=role_arn(role),
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name=VARIANT_NAME,
                    instance_type=instance_type,
                    initial_instance_count=initial_instance_count,
                    managed_instance_scaling=None
                    if managed_instance_scaling is None
                    else managed_instance_scaling._render(),
                    routing_config=None
                    if routing_strategy is None
                    else sagemaker.CfnEndpointConfig.RoutingConfigProperty(
                        routing_strategy=routing_strategy
                    ),
                    volume_size_in_gb=volume_size_in_gb,
                    inference_ami_version=inference_ami_version,
                )
            ],
            kms_key_id=None if instance_store else artifact_store.key.key_arn,
            vpc_config=None
            if network is None
            else sagemaker.CfnEndpointConfig.VpcConfigProperty(
                subnets=network[0], security_group_ids=network[1]
            ),
        )
        if instance_store:
            acknowledge_in_packs(
                self._config,
                "SageMakerEndpointConfigurationKMSKeyConfigured",
                _INSTANCE_STORE_REASON,
            )
        warn_of_deploy_time_instance_types(
            self,
            [("instance_type", instance_type, volume_size_in_gb)],
            key_named=not instance_store,
        )
        self._resource = sagemaker.CfnEndpoint(
            self,
            "Resource",
            endpoint_name=self._name,
            endpoint_config_name=self._config.attr_endpoint_config_name,
        )
        # The instances write the endpoint's logs with the role from the start.
        self._resource.node.add_dependency(self.role_policy)
        self.endpoint_name: str = self._resource.attr_endpoint_name
        # The Ref of an AWS::SageMaker::Endpoint is its ARN.
        self.endpoint_arn: str = self._resource.ref
        self._scaling_role: iam.IRole | None = None
        self._rejection_topic: sns.ITopic | None = None
        node_of(self).add_validation(_HasComponents(self))
        node_of(self).add_validation(_PoliciesFit(self))

    def _policy_for(self, what: str, statements: list[iam.PolicyStatement]) -> iam.ManagedPolicy:
        """Add ``what``'s ``statements`` (a component's, an adapter's) to the role's policies.

        All to one policy: the last, or a new one (``RolePolicy<n>``, "… (part <n>)") when
        they don't fit it, as ``pack`` packs a pipeline role's statements in order. So a
        component added after the others never moves theirs to another policy.
        """
        self._units.append((what, _unit_length(stack_of(self), statements)))
        index = len(pack(self._units, [length for _, length in self._units])) - 1
        if index == len(self.role_policies):
            policy = managed_policy(
                self,
                "RolePolicy",
                _POLICY_DESCRIPTION,
                index,
                [],
                None if self._role_locked else self.role,
            )
            # Updated before the first (and each before the one before it): statements
            # moving to a new policy are granted there before they leave the other one.
            self.role_policies[-1].node.add_dependency(policy)
            self.role_policies.append(policy)
        policy = self.role_policies[index]
        policy.add_statements(*statements)
        acknowledge_wildcards(policy, statements, f"execution role of endpoint {self.node.path}")
        return policy

    @property
    def endpoint_ref(self) -> sagemaker_refs.EndpointReference:
        """A reference to the endpoint (``IEndpointRef``)."""
        return sagemaker_refs.EndpointReference(endpoint_arn=self.endpoint_arn)

    @property
    def cfn_endpoint_config(self) -> sagemaker.CfnEndpointConfig:
        """The underlying ``AWS::SageMaker::EndpointConfig``."""
        return self._config

    @property
    def cfn_endpoint(self) -> sagemaker.CfnEndpoint:
        """The underlying ``AWS::SageMaker::Endpoint``."""
        return self._resource

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` call the endpoint's components: ``sagemaker:InvokeEndpoint``.

        On this endpoint, so every component of it: a request names the component it is
        for (``InferenceComponentName``, the component's ``component_name``).
        ``InvokeEndpointWithResponseStream``, which streams an LLM's tokens, is authorized
        by the same action.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the endpoint's managed policy ``InvokePolicy`` (``invoke_policy``), left unattached,
        named in a warning (``cdk-sagemaker-pipelines:immutable-role``).

        Example::

            endpoint.grant_invoke(api_function)
        """
        return grant_invoke_endpoint(self, grantee, "ComponentEndpoint")

    @property
    def invoke_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_invoke`` kept for roles that refuse policy updates (``InvokePolicy``).

        A role imported with ``mutable=False`` (or ``without_policy_updates()``) gets
        nothing attached: the statement is in this managed policy of the endpoint, left for
        whoever manages the role to attach. None until ``grant_invoke`` is given one.

        Example::

            endpoint.grant_invoke(platform_role)  # imported with mutable=False
            CfnOutput(self, "InvokePolicyArn", value=endpoint.invoke_policy.managed_policy_arn)
        """
        return kept_policy(self, "InvokePolicy")

    @check_keywords
    def add_component(
        self,
        construct_id: str,
        *,
        model_package_arn: str,
        compute: ComponentCompute,
        copies: int = 1,
        model_store: ArtifactStore | None = None,
        registry: ModelRegistry | None = None,
        model_data_download_timeout: Duration | None = None,
        container_startup_health_check_timeout: Duration | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> EndpointComponent:
        """Serve a registered version as an inference component of the endpoint.

        Creates ``<id>/Model`` (a SageMaker Model of the version, with the endpoint's role),
        ``<id>/ModelData`` (the deploy-time check of the version's approval and read of its
        model data, which the model waits for) and ``<id>/Resource`` (the
        ``AWS::SageMaker::InferenceComponent``, after the endpoint). A stack update
        sets the component's copies to ``copies`` again when it changes the component.

        Example::

            endpoint.add_component(
                "Support", model_package_arn=support_arn, copies=2,
                compute=ComponentCompute(min_memory_required_in_mb=16384,
                                         number_of_accelerator_devices_required=1),
                model_data_download_timeout=Duration.minutes(20),
                environment={"OPTION_TENSOR_PARALLEL_DEGREE": "1"})

        :param construct_id: letters and digits (it names the role's statements of the
            component), starting with a letter, at most 40.
        :param model_package_arn: the registered version to serve, a literal ARN or a token.
        :param compute: what each copy reserves (``MinMemoryRequiredInMb`` is required).
        :param copies: copies at creation, 0 or more. Default: 1.
        :param model_store: the store holding the version's model data. Default:
            ``artifact_store``.
        :param registry: the registry the version belongs to, if this app has it: a literal
            ARN must then name a version of its group. Default: not checked.
        :param model_data_download_timeout: ``StartupParameters``' download timeout, whole
            seconds in botocore's range. Default: SageMaker's.
        :param container_startup_health_check_timeout: ``StartupParameters``' health check
            timeout, whole seconds in botocore's range. Default: SageMaker's.
        :param environment: variables of the component's model's container
            (``PrimaryContainer.Environment``, beside the version's ``ModelPackageName``):
            over the version's own, so one version runs differently here
            (``OPTION_TENSOR_PARALLEL_DEGREE`` on fewer GPUs). Within botocore's
            ``EnvironmentMap`` bounds; a value that looks like a secret (as the
            ``NoSecretsInEnvironment`` check judges one) is refused. Changing it replaces
            the model (and updates the component). Default: the version's.
        :returns: the component, to scale (``add_copy_scaling``).
        """

        def subject() -> str:
            return f"ComponentEndpoint {self.node.path}.add_component"

        raise_for(
            _as_arguments(
                [
                    _id_problem(construct_id, "add_component('Support', …)"),
                    expect_str("model_package_arn", model_package_arn, optional=False),
                    _typed_problem(
                        "compute",
                        compute,
                        ComponentCompute,
                        "ComponentCompute(min_memory_required_in_mb=1024)",
                        optional=False,
                    ),
                    _number_problem(
                        "copies", copies, _MIN_COPIES, "copies", whole=True, optional=False
                    ),
                    _store_problem("model_store", model_store, optional=True),
                    _registry_type_problem(registry),
                    _timeout_problem("model_data_download_timeout", model_data_download_timeout),
                    _timeout_problem(
                        "container_startup_health_check_timeout",
                        container_startup_health_check_timeout,
                    ),
                    *_environment_problems(environment),
                ]
            ),
            subject,
        )
        served = _Served(
            "",
            construct_id,
            model_package_arn,
            self.instance_type,
            None,
            1,
            model_store,
            registry,
        )
        raise_for(_as_arguments(list(version_arn_problems(self, served))), subject)
        check_new_child("EndpointComponent", self, construct_id)
        component = EndpointComponent(
            self,
            construct_id,
            model_package_arn=model_package_arn,
            compute=compute,
            copies=copies,
            model_store=model_store or self.artifact_store,
            model_data_download_timeout=model_data_download_timeout,
            container_startup_health_check_timeout=container_startup_health_check_timeout,
            environment=environment,
        )
        self.components[construct_id] = component
        if self._rejection_topic is not None:
            self._watch_versions(self._rejection_topic, [component])
        return component

    def notify_on_rejection(self, topic: sns.ITopic) -> None:
        """Page ``topic`` when a version a component serves is no longer fit to serve.

        As ``ModelEndpoint.notify_on_rejection``: a rule per component
        (``<component>/RejectedVersion``, its ``rejection_rule``), those added later
        included, matching SageMaker's ``SageMaker Model Package State Change`` events of
        exactly its version whose ``ModelApprovalStatus`` is ``Rejected`` (or
        ``PendingManualApproval``, an approval withdrawn, under ``require_approval``), with
        a message naming the version, its status, the endpoint and component, and the
        commands to paste. The topic's policy admits exactly these rules (a statement per
        call: this one's components, then one per component added after). Once per endpoint.

        Example::

            endpoint.notify_on_rejection(alerts.topic)
            endpoint.add_component("Support", model_package_arn=arn, compute=compute)
        """

        def subject() -> str:
            return f"ComponentEndpoint {self.node.path}.notify_on_rejection"

        raise_for(
            [
                *topic_problems(self, topic),
                None
                if self._rejection_topic is None
                else ArgumentProblem(
                    None,
                    "self",
                    "notify_on_rejection was called already: the components' versions are "
                    "watched, and their rules publish to the topic it was given",
                    "subscribe more endpoints to that topic instead",
                ),
            ],
            subject,
        )
        self._rejection_topic = topic
        self._watch_versions(topic, list(self.components.values()))

    def _watch_versions(self, topic: sns.ITopic, components: list[EndpointComponent]) -> None:
        """Give each of ``components`` its rule (``notify_on_rejection``)."""
        # Under require_approval a component's version was Approved when deployed: pending
        # again means its approval was withdrawn.
        statuses = ("Rejected", "PendingManualApproval") if self.require_approval else ("Rejected",)
        rules = notify_rejections(
            self,
            self._name,
            topic,
            [
                Watched(
                    component,
                    REJECTION_RULE_ID,
                    component.model_package_arn,
                    statuses,
                    f"inference component '{component.component_name}'",
                    "its answers reach callers",
                    "model_package_arn",
                )
                for component in components
            ],
        )
        for component, rule in zip(components, rules, strict=True):
            component.rejection_rule = rule

    def _scaling_role_of(self) -> iam.IRole:
        """Application Auto Scaling's service-linked role for SageMaker (imported once).

        As ``ModelEndpoint``'s: it acts through that role whatever a target names.
        """
        if self._scaling_role is None:
            self._scaling_role = iam.Role.from_role_arn(
                self,
                "ScalingRole",
                stack_of(self).format_arn(
                    service="iam", region="", resource="role", resource_name=AUTO_SCALING_ROLE_NAME
                ),
                mutable=False,
            )
        return self._scaling_role


class EndpointComponent(Construct):
    """One registered version served by a ``ComponentEndpoint`` (``add_component`` makes it).

    Holds the version's Model (``Model``), its ``ModelData`` check and the inference
    component (``Resource``); ``add_copy_scaling`` scales its copies.

    Example::

        component = endpoint.add_component("Support", model_package_arn=arn,
                                           compute=ComponentCompute(min_memory_required_in_mb=1024))
        component.add_copy_scaling(max_copies=4, target_invocations_per_copy=10)
    """

    def __init__(
        self,
        endpoint: ComponentEndpoint,
        construct_id: str,
        *,
        model_package_arn: str,
        compute: ComponentCompute,
        copies: int,
        model_store: ArtifactStore,
        model_data_download_timeout: Duration | None,
        container_startup_health_check_timeout: Duration | None,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(endpoint, construct_id)
        self.endpoint = endpoint
        self.model_package_arn = model_package_arn
        self.copies = copies
        self.environment: dict[str, str] = dict(environment or {})
        """The model's container variables given (``add_component``'s ``environment``)."""
        if model_store is not endpoint.artifact_store:
            model_store._used_by(endpoint, models_only=True)
        stack = stack_of(self)
        self.component_name: str = Names.unique_resource_name(
            self, max_length=MAX_NAME, separator="-"
        )
        """The inference component's name (``InferenceComponentName``)."""
        # One check per component: a new version of one component re-checks (and keeps
        # readable until the next) that component's versions only, as a variant's would.
        model_data = ModelDataReader.of(endpoint, endpoint.artifact_store).model_data(
            self,
            [
                (
                    model_package_arn,
                    model_store,
                    APPROVED if endpoint.require_approval else NO_REQUIREMENT,
                )
            ],
            # What the role's policy counts this component's reads at.
            max_data=MODEL_DATA_ROOM,
        )
        statements = [
            *model_data_statements(model_data, [model_store], sid_suffix=construct_id),
            log_group_statement(
                stack,
                f"/aws/sagemaker/InferenceComponents/{self.component_name}",
                f"EndpointWritesLogs{construct_id}",
            ),
        ]
        self.role_policy: iam.ManagedPolicy = endpoint._policy_for(
            f"component {construct_id}", statements
        )
        """The role's managed policy holding this component's statements."""
        self.cfn_model = version_model(
            self,
            "Model",
            endpoint.role,
            model_package_arn,
            endpoint._network,
            False,
            # The endpoint's statements (images, network) and this component's reads.
            [
                *dict.fromkeys([endpoint.role_policy, self.role_policy]),
                self.node.find_child(MODEL_DATA_ID),
            ],
            self.environment,
        )
        startup = {
            "model_data_download_timeout_in_seconds": model_data_download_timeout,
            "container_startup_health_check_timeout_in_seconds": (
                container_startup_health_check_timeout
            ),
        }
        self.cfn_inference_component = sagemaker.CfnInferenceComponent(
            self,
            "Resource",
            # Its Ref: created once the endpoint is in service.
            endpoint_name=endpoint.endpoint_name,
            inference_component_name=self.component_name,
            variant_name=VARIANT_NAME,
            specification=sagemaker.CfnInferenceComponent.InferenceComponentSpecificationProperty(
                model_name=self.cfn_model.attr_model_name,
                compute_resource_requirements=compute._render(),
                startup_parameters=None
                if all(value is None for value in startup.values())
                else sagemaker.CfnInferenceComponent.InferenceComponentStartupParametersProperty(
                    **{
                        member: None if value is None else _seconds(value)
                        for member, value in startup.items()
                    }
                ),
            ),
            runtime_config=sagemaker.CfnInferenceComponent.InferenceComponentRuntimeConfigProperty(
                copy_count=copies
            ),
        )
        self.scalable_target: appscaling.ScalableTarget | None = None
        """The copies' scalable target, once ``add_copy_scaling`` was called."""
        self.adapters: dict[str, ComponentAdapter] = {}
        """The adapter components added (``add_adapter``), by construct id."""
        self.rejection_rule: events.Rule | None = None
        """The rule paging when its version is rejected, once the endpoint's
        ``notify_on_rejection`` was called."""

    @check_keywords
    def add_adapter(
        self, construct_id: str, *, artifact: str, store: ArtifactStore | None = None
    ) -> ComponentAdapter:
        """Serve a LoRA adapter of this component's model as an adapter inference component.

        Creates ``<id>`` (an ``AWS::SageMaker::InferenceComponent`` whose
        ``BaseInferenceComponentName`` is this component and whose ``Container``'s
        ``ArtifactUrl`` is ``artifact``, after this component): SageMaker loads the adapter
        into this component's copies, so it has no ``ComputeResourceRequirements`` nor
        copies of its own (it scales with this component). Callers invoke it by its name
        (``InvokeEndpoint`` with ``InferenceComponentName=<adapter.component_name>``).

        The endpoint's role reads exactly the artifact, one ``.tar.gz`` archive (SageMaker
        takes an adapter as a single archive; another literal key is refused).
        ``artifact`` must be in ``store``'s bucket, written
        ``f"s3://{store.bucket.bucket_name}/…"`` when the bucket's name is a token. Its key
        may end in a token (an adapter a pipeline wrote), after a literal folder
        (``adapters/support/``): the role then reads everything under that folder, which
        is all a synth can know. A key that is a token from its start, or a whole URI that
        is one, is refused: its grant would be the whole bucket.

        Example::

            support.add_adapter(
                "Billing",
                artifact=f"s3://{store.bucket.bucket_name}/adapters/billing/adapter.tar.gz")

        :param construct_id: letters and digits (it names the role's statements), starting
            with a letter, at most 40.
        :param artifact: the adapter's S3 URI (``s3://bucket/key.tar.gz``).
        :param store: the store whose bucket holds it, whose key decrypts it. Default: the
            endpoint's ``artifact_store``.
        :returns: the adapter component.
        """

        def subject() -> str:
            return f"EndpointComponent {self.node.path}.add_adapter"

        raise_for(
            _as_arguments(
                [
                    _id_problem(construct_id, "add_adapter('Billing', …)")
                    or _reserved_adapter_id_problem(construct_id),
                    expect_str("artifact", artifact, optional=False),
                    _store_problem("store", store, optional=True),
                ]
            ),
            subject,
        )
        chosen = store or self.endpoint.artifact_store
        located = _adapter_location(artifact, chosen)
        if isinstance(located, Problem):
            raise_for(_as_arguments([located]), subject)
        assert not isinstance(located, Problem)
        check_new_child("ComponentAdapter", self, construct_id)
        adapter = ComponentAdapter(self, construct_id, artifact, chosen, *located)
        self.adapters[construct_id] = adapter
        return adapter

    @check_keywords
    def add_copy_scaling(
        self,
        *,
        max_copies: int,
        target_invocations_per_copy: float,
        min_copies: int = 1,
        scale_in_cooldown: Duration | None = None,
        scale_out_cooldown: Duration | None = None,
    ) -> appscaling.ScalableTarget:
        """Scale the component's copies with its invocations (Application Auto Scaling).

        Registers ``inference-component/<name>`` (dimension
        ``sagemaker:inference-component:DesiredCopyCount``, through Application Auto
        Scaling's service-linked role for SageMaker) as a scalable target of
        ``min_copies``-``max_copies`` copies, with a target tracking policy on
        ``SageMakerInferenceComponentInvocationsPerCopy``. With ``min_copies=0``, a request
        finding no copy fails and SageMaker counts it in ``NoCapacityInvocationFailures``: a
        step scaling policy (``ScaleOutFromZero``) adds a copy when its alarm
        (``NoCapacity``: the maximum in a minute at least 1) goes off, as SageMaker's guide
        "Scale an endpoint to zero instances" does. Give the endpoint
        ``ManagedInstanceScaling(min_instance_count=0, …)`` to stop the instances too.

        Example::

            component.add_copy_scaling(min_copies=0, max_copies=4, target_invocations_per_copy=10)

        :param max_copies: at most this many copies, at least 1, ``min_copies`` and the
            component's ``copies``.
        :param target_invocations_per_copy: the invocations per copy per minute the policy
            keeps the component at, more than 0.
        :param min_copies: at least this many copies, 0 or more, at most ``copies``.
            Default: 1.
        :param scale_in_cooldown: whole seconds after a scale-in before another.
            Default: Application Auto Scaling's.
        :param scale_out_cooldown: whole seconds after a scale-out before another (the step
            policy's too). Default: Application Auto Scaling's (1 minute for the step policy).
        :returns: the scalable target (``scalable_target``).
        """

        def subject() -> str:
            return f"EndpointComponent {self.node.path}.add_copy_scaling"

        problems: list[Problem | None] = [
            _whole_number_problem("min_copies", min_copies, _MIN_COPIES, "copies"),
            _whole_number_problem("max_copies", max_copies, 1, "copies"),
            _positive_problem(
                "target_invocations_per_copy",
                target_invocations_per_copy,
                "invocations per copy per minute",
            ),
            _cooldown_problem("scale_in_cooldown", scale_in_cooldown),
            _cooldown_problem("scale_out_cooldown", scale_out_cooldown),
        ]
        if self.scalable_target is not None:
            problems.append(
                ArgumentProblem(
                    None,
                    "max_copies",
                    "the component has a scalable target already: Application Auto Scaling "
                    "takes one per component",
                    "add policies to component.scalable_target",
                )
            )
        raise_for(problems, subject)
        raise_for(_copy_range_problems(min_copies, max_copies, self.copies), subject)
        from aws_cdk import aws_applicationautoscaling as appscaling

        target = appscaling.ScalableTarget(
            self,
            "Scaling",
            service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            resource_id=f"inference-component/{self.component_name}",
            scalable_dimension=COPY_COUNT_DIMENSION,
            min_capacity=min_copies,
            max_capacity=max_copies,
            role=self.endpoint._scaling_role_of(),
        )
        # Registered once the component exists (the resource id names it literally).
        target.node.add_dependency(self.cfn_inference_component)
        target.scale_to_track_metric(
            "InvocationsPerCopy",
            target_value=target_invocations_per_copy,
            predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_INVOCATIONS_PER_COPY,
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
        )
        if min_copies == 0:
            _scale_out_from_zero(
                self,
                target,
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name=NO_CAPACITY_METRIC,
                    dimensions_map={"InferenceComponentName": self.component_name},
                    statistic="Maximum",
                    period=Duration.minutes(1),
                ),
                alarm_id="NoCapacity",
                aggregation=appscaling.MetricAggregationType.MAXIMUM,
                cooldown=scale_out_cooldown or Duration.minutes(1),
                evaluation_periods=1,
                alarm_description="Requests found no copy of the inference component: "
                "scale out from 0",
            )
        self.scalable_target = target
        return target

    # -- metrics --------------------------------------------------------------------------

    def metric(self, metric_name: str, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """A metric of the component in ``AWS/SageMaker`` (dimension InferenceComponentName).

        ``metric_name`` is one of the invocation metrics SageMaker publishes per inference
        component (``Invocations``, ``Invocation4XXErrors``, ``Invocation5XXErrors``,
        ``InvocationModelErrors``, ``ModelLatency``, ``OverheadLatency``,
        ``InvocationsPerCopy``, ``ConcurrentRequestsPerCopy``,
        ``NoCapacityInvocationFailures``, …): one of those misspelt
        (``Invocation5xxErrors``) or an instance metric (``CPUUtilization``, in
        ``/aws/sagemaker/Endpoints``) fails, as its alarm would never fire. ``options`` are
        ``cloudwatch.MetricOptions`` (period, statistic, …; Default: Average over 5
        minutes); their ``dimensions_map`` adds dimensions (``ContainerId`` of enhanced
        metrics).

        The component is named by its literal name (``component_name``), not by a
        reference to it: an alarm of these metrics depends on nothing.

        Example::

            component.metric("InvocationModelErrors", statistic="Sum")
        """
        given: dict[str, Any] = dict(options)
        dimensions = {"InferenceComponentName": self.component_name}
        raise_for(
            _endpoint_metric_problems(
                metric_name,
                False,
                given,
                # The endpoint's variant: an instance metric's hint names its instances.
                {"EndpointName": self.endpoint._name, "VariantName": VARIANT_NAME},
                COMPONENT_METRICS,
            ),
            lambda: f"EndpointComponent {self.node.path}.metric({metric_name!r})",
        )
        given.setdefault("period", Duration.minutes(5))
        extra = given.pop("dimensions_map", None) or {}
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={**dimensions, **extra},
            **given,
        )

    def metric_invocations(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Requests sent to the component (Sum over 5 minutes by default).

        Example::

            component.metric_invocations(period=Duration.minutes(1))
        """
        merged: _MetricOptions = {"statistic": "Sum", **options}
        return self.metric("Invocations", **merged)

    def metric_invocation_4xx_errors(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Requests the model answered with a 4xx error: the Average is their share.

        (Average over 5 minutes by default: 0.01 is 1% of the requests.)

        Example::

            component.metric_invocation_4xx_errors(statistic="Sum")
        """
        return self.metric("Invocation4XXErrors", **options)

    def metric_invocation_5xx_errors(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """Requests the model answered with a 5xx error: the Average is their share.

        (Average over 5 minutes by default: 0.01 is 1% of the requests.)

        Example::

            component.metric_invocation_5xx_errors().create_alarm(
                scope, "SupportErrors", threshold=0.01, evaluation_periods=3)
        """
        return self.metric("Invocation5XXErrors", **options)

    def metric_model_latency(self, **options: Unpack[_MetricOptions]) -> cloudwatch.Metric:
        """How long the model took to respond, in microseconds (Average over 5 minutes).

        Example::

            component.metric_model_latency(statistic="p99")
        """
        return self.metric("ModelLatency", **options)

    def metric_no_capacity_invocation_failures(
        self, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """Requests that found no copy to answer them (Sum over 5 minutes by default).

        SageMaker counts them while the component has 0 copies (``add_copy_scaling``'s
        ``NoCapacity`` alarm scales out from 0 on it): they failed, the caller should retry.

        Example::

            component.metric_no_capacity_invocation_failures(period=Duration.minutes(1))
        """
        merged: _MetricOptions = {"statistic": "Sum", **options}
        return self.metric(NO_CAPACITY_METRIC, **merged)


class ComponentAdapter(Construct):
    """A LoRA adapter served in a component's copies (``EndpointComponent.add_adapter``).

    An adapter inference component (``Resource``) on its base component: invoke it with
    ``InferenceComponentName=<component_name>``.

    Example::

        adapter = support.add_adapter("Billing", artifact=billing_adapter_uri)
        endpoint.grant_invoke(api_function)  # then InferenceComponentName=adapter.component_name
    """

    def __init__(
        self,
        base: EndpointComponent,
        construct_id: str,
        artifact: str,
        store: ArtifactStore,
        key: str,
        one_object: bool,
    ) -> None:
        super().__init__(base, construct_id)
        endpoint = base.endpoint
        self.base = base
        self.artifact = artifact
        if store is not endpoint.artifact_store:
            store._used_by(endpoint, models_only=True)
        self.component_name: str = Names.unique_resource_name(
            self, max_length=MAX_NAME, separator="-"
        )
        """The adapter component's name (``InferenceComponentName``)."""
        sid = f"{base.node.id}{construct_id}"
        statements = [
            iam.PolicyStatement(
                sid=f"EndpointReadsAdapter{sid}",
                actions=["s3:GetObject"],
                resources=[store.bucket.arn_for_objects(key if one_object else f"{key}*")],
            ),
            iam.PolicyStatement(
                sid=f"EndpointDecryptsAdapter{sid}",
                actions=["kms:Decrypt", "kms:DescribeKey"],
                resources=[store.key.key_arn],
            ),
        ]
        if not one_object:
            # A folder is listed before its files are read.
            statements.append(
                iam.PolicyStatement(
                    sid=f"EndpointListsAdapter{sid}",
                    actions=["s3:ListBucket"],
                    resources=[store.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [key, f"{key}*"]}},
                )
            )
        self.role_policy: iam.ManagedPolicy = endpoint._policy_for(
            f"adapter {construct_id} of component {base.node.id}", statements
        )
        """The role's managed policy holding this adapter's statements."""
        self.cfn_inference_component = sagemaker.CfnInferenceComponent(
            self,
            "Resource",
            endpoint_name=endpoint.endpoint_name,
            inference_component_name=self.component_name,
            # No compute, copies nor variant: SageMaker loads it into the base's copies.
            specification=sagemaker.CfnInferenceComponent.InferenceComponentSpecificationProperty(
                base_inference_component_name=base.component_name,
                container=sagemaker.CfnInferenceComponent.InferenceComponentContainerSpecificationProperty(
                    artifact_url=artifact
                ),
            ),
        )
        # The base is named literally (no attribute gives its name): created after it, and
        # after the role may read the adapter.
        self.cfn_inference_component.node.add_dependency(base.cfn_inference_component)
        self.cfn_inference_component.node.add_dependency(self.role_policy)


def _scaling_count_problems(
    initial: int, scaling: ManagedInstanceScaling | None
) -> list[Problem | None]:
    """``min_instance_count`` ≤ ``initial_instance_count`` ≤ ``max_instance_count``."""
    if scaling is None or any(
        is_unresolved(value)
        for value in (initial, scaling.min_instance_count, scaling.max_instance_count)
    ):
        return []
    if scaling.min_instance_count <= initial <= scaling.max_instance_count:
        return []
    return [
        PropProblem(
            None,
            "managed_instance_scaling",
            f"{scaling.min_instance_count}-{scaling.max_instance_count} instances, but "
            f"initial_instance_count is {initial}: the endpoint would start outside the range",
            "an initial_instance_count in the range",
        )
    ]


def _copy_range_problems(least: int, most: int, copies: int) -> list[Problem | None]:
    """``min_copies`` ≤ the component's ``copies`` ≤ ``max_copies``."""
    if any(is_unresolved(value) for value in (least, most, copies)):
        return []
    if most < least:
        return [ArgumentProblem(None, "max_copies", f"{most} is less than min_copies {least}")]
    problems: list[Problem | None] = []
    if copies < least:
        problems.append(
            ArgumentProblem(
                None,
                "min_copies",
                f"{least} is more than the component's copies {copies}: it would be created "
                "below the scaler's minimum",
                f"add_component(…, copies={least}), or min_copies={copies}",
            )
        )
    if copies > most:
        problems.append(
            ArgumentProblem(
                None,
                "max_copies",
                f"{most} is less than the component's copies {copies}: it would be created "
                "above the scaler's maximum",
                f"max_copies={copies} or more",
            )
        )
    return problems
