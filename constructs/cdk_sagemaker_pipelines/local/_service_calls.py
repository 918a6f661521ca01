"""The calls SageMaker Pipelines makes as the pipeline's role to run one step.

Checked against the pipeline role's policies (``local/iam.py``) before the step's job
starts, with the actions and ARN formats the derived policies grant
(``definition/permissions.py``, ``cdk/_policies.py``):

- a job step: ``sagemaker:Create…Job`` (``JOB_ACTIONS``; ``CreateModel`` for a Model step)
  on the job's ARN, named as the service names it (``pipelines-<execution>-<step>-…``, or
  ``<custom prefix>-…`` for a name the request gives); ``sagemaker:AddTags`` on it when the
  request has ``Tags``; ``iam:PassRole`` on each role it names (``RoleArn``,
  ``ExecutionRoleArn``) with ``iam:PassedToService`` ``sagemaker.amazonaws.com``; a Model
  step of a registered version, ``sagemaker:CreateModel`` on the version too (a version of
  the local registry, ``arn:aws:sagemaker:local:000000000000:…``, as the stack's account
  and region's);
- RegisterModel: ``sagemaker:CreateModelPackage`` on the version's and the group's ARNs,
  with ``sagemaker:ModelApprovalStatus`` from the request (a request without one: unknown,
  so read permissively), ``AddTags`` on the version for ``Tags``;
- Lambda: ``lambda:InvokeFunction`` on the function; Callback: ``sqs:SendMessage`` on the
  queue (a URL of no region's form: not checked);
- EndpointConfig, Endpoint, InferenceComponent: ``DEPLOY_ACTIONS``' create (or, for an
  endpoint or component the local hosting table holds, update) call on each resource it
  names, ``AddTags`` on what it creates.

Not listed (so not checked): Describe/Stop/List calls, Lineage and EMR steps, and KMS
(``kms:CreateGrant``/``DescribeKey`` on the jobs' keys: the derived policies grant them, but
SageMaker's API permissions reference documents neither for the caller of a Create…Job
request with a ``VolumeKmsKeyId``; it asks ``kms:CreateGrant`` of the job's execution role).
The jobs' own SSE-KMS use of their keys is checked with their S3 access (``local/iam.py``).

Example::

    for call in service_calls(spec, arguments, "pipelines-abc-Train-x", roles, ...):
        guard.call(call)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..definition._instance_caps import INSTANCE_TYPES, REQUEST_SHAPES, request_instance_types
from ..definition._job_conditions import (
    JOB_CONDITION_KEYS,
    REQUEST_KEY_FIELDS,
    request_condition_values,
)
from ..definition.permissions import (
    DEPLOY_ACTIONS,
    JOB_ACTIONS,
    JOB_NAME_FIELDS,
    JOB_NAME_PREFIX,
    REGISTER_ACTIONS,
    sqs_queue_arn_parts,
)
from .iam import (
    APPROVAL_STATUS,
    PASSED_TO_SERVICE,
    REQUEST_TAG,
    AssemblyRoles,
    ContextValue,
    ServiceCall,
)
from .registry import ACCOUNT as REGISTRY_ACCOUNT
from .registry import REGION as REGISTRY_REGION

SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
# Where each job request names the roles the job (or model) runs as: passed to SageMaker.
_ROLE_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Processing": (("RoleArn",),),
    "Training": (("RoleArn",),),
    "AutoML": (("RoleArn",),),
    "Model": (("ExecutionRoleArn",),),
}
_CHECK_TYPES = frozenset({"QualityCheck", "ClarifyCheck"})
_MODEL_PACKAGE_PATHS = ("PrimaryContainer", "Containers")
# The ARNs of the local registry's versions (local/registry.py).
_LOCAL_PACKAGE_PREFIX = f"arn:aws:sagemaker:{REGISTRY_REGION}:{REGISTRY_ACCOUNT}:model-package/"


def service_calls(
    step_type: str,
    arguments: Any,
    job_name: str,
    roles: AssemblyRoles,
    *,
    function_arn: Any = None,
    queue_url: Any = None,
    package_version: int = 1,
    hosted: Callable[[str, str], bool] = lambda kind, name: False,
    config_name: Callable[[str], str] = lambda name: name,
) -> list[ServiceCall]:
    """The calls made as the pipeline's role to run one step, in the order it makes them.

    ``job_name`` is the name the local runner gives the step's job (``pipelines-…``);
    ``function_arn``/``queue_url`` a Lambda/Callback step's, evaluated; ``package_version``
    the version a RegisterModel step registers; ``hosted(kind, name)`` whether the local
    hosting table holds that endpoint or component (updated, not created);
    ``config_name`` the name an EndpointConfig step's configuration gets.

    Example::

        service_calls("Processing", {"RoleArn": arn}, "pipelines-x-Prep-y", roles)
        # [CreateProcessingJob on …:processing-job/pipelines-x-Prep-y, PassRole on arn]
    """
    if not isinstance(arguments, Mapping):
        arguments = {}
    arns = _Arns(roles)
    kind = "Processing" if step_type in _CHECK_TYPES else step_type
    calls: list[ServiceCall] = []
    if kind in JOB_ACTIONS:
        resource_type, actions = JOB_ACTIONS[kind]
        create = actions[0]
        if kind == "AutoML" and "AutoMLProblemTypeConfig" in arguments:
            create = "sagemaker:CreateAutoMLJobV2"  # the V2 request's shape
        job = arns.sagemaker(resource_type, _service_job_name(kind, arguments, job_name))
        calls.append(_job_created(kind, create, job, arguments))
        calls += _tagged(job, arguments)
        for path in _ROLE_PATHS.get(kind, ()):
            calls += _passed(arguments, path)
        if kind == "Tuning":
            definitions = [arguments.get("TrainingJobDefinition")]
            definitions += list(arguments.get("TrainingJobDefinitions") or [])
            for index, definition in enumerate(item for item in definitions if item):
                if isinstance(definition, Mapping):
                    calls += _passed(definition, ("RoleArn",), f"TrainingJobDefinitions[{index}]")
        if kind == "Model":
            calls += _model_packages(arguments, arns)
    elif kind == "RegisterModel":
        calls += _registration(arguments, arns, package_version)
    elif kind == "Lambda" and isinstance(function_arn, str):
        calls.append(ServiceCall("lambda:InvokeFunction", function_arn, what="invoking it"))
    elif kind == "Callback" and isinstance(queue_url, str):
        parts = sqs_queue_arn_parts(queue_url)
        if parts is not None:
            region, account, name = parts
            queue = f"arn:{roles.partition}:sqs:{region}:{account}:{name}"
            calls.append(ServiceCall("sqs:SendMessage", queue, what="sending its message"))
    elif kind in DEPLOY_ACTIONS:
        calls += _deployment(kind, arguments, arns, hosted, config_name)
    return calls


class _Arns:
    """ARNs of the pipeline's account and region (the stack's)."""

    def __init__(self, roles: AssemblyRoles) -> None:
        self.prefix = f"arn:{roles.partition}:sagemaker:{roles.region}:{roles.account}:"

    def sagemaker(self, resource_type: str, name: str) -> str:
        return f"{self.prefix}{resource_type}/{name}"


def _service_job_name(kind: str, arguments: Mapping[str, Any], job_name: str) -> str:
    """The name the service gives: a name the request gives is a custom prefix.

    The local runner's names are ``pipelines-<execution>-<step>-<token>`` (Tuning and
    AutoML: without ``pipelines-``); a custom prefix replaces ``pipelines-``, as
    ``_job_name_prefix`` of ``definition/permissions.py`` derives it.
    """
    custom = arguments.get(JOB_NAME_FIELDS.get(kind, ""))
    if not isinstance(custom, str) or not custom:
        return job_name
    return f"{custom}-{job_name.removeprefix(JOB_NAME_PREFIX)}"


def _tags(arguments: Mapping[str, Any]) -> dict[str, str]:
    tags = arguments.get("Tags")
    if not isinstance(tags, list):
        return {}
    return {
        f"{REQUEST_TAG}{str(tag.get('Key')).lower()}": str(tag.get("Value", ""))
        for tag in tags
        if isinstance(tag, Mapping) and tag.get("Key") is not None
    }


def _created(action: str, arn: str, arguments: Mapping[str, Any], what: str) -> ServiceCall:
    """A Create call: its request's tags are known (aws:RequestTag/…)."""
    return ServiceCall(action, arn, _tags(arguments), (REQUEST_TAG,), what)


def _job_created(kind: str, action: str, arn: str, arguments: Mapping[str, Any]) -> ServiceCall:
    """A job's Create call, with the SageMaker condition keys its request carries.

    For the types whose keys are read off the request (``REQUEST_KEY_FIELDS``), each key is
    known: its value, or its absence. A Tuning or AutoML request's keys can't be read (no
    document says which of its members they come from): a Deny conditioned on one is taken
    to apply (``strict``), so such a condition is never silently allowed. But
    ``sagemaker:InstanceTypes``, every instance type a request names, is read off each
    request that takes it, a tuning request's too (``_instance_types``).
    """
    call = _created(action, arn, arguments, "creating the step's job")
    strict = tuple(key.lower() for key in JOB_CONDITION_KEYS)
    instance_types = _instance_types(kind, arguments)
    if kind not in REQUEST_KEY_FIELDS:
        return ServiceCall(
            call.action,
            call.resource,
            {**call.context, **instance_types.context},
            call.known + instance_types.known,
            call.what,
            strict + instance_types.strict,
        )
    context: dict[str, ContextValue] = {**call.context, **instance_types.context}
    unread: set[str] = set()
    for key, value in request_condition_values(kind, arguments).items():
        if isinstance(value, bool):
            context[key.lower()] = "true" if value else "false"
        elif isinstance(value, str):
            context[key.lower()] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            if value:  # an empty list: the request carries no such key
                context[key.lower()] = tuple(value)
        else:
            unread.add(key.lower())  # a value not evaluated: unknown, and strict
    known = call.known + tuple(key for key in strict if key not in unread)
    known += instance_types.known
    return ServiceCall(
        call.action, call.resource, context, known, call.what, strict + instance_types.strict
    )


class _InstanceTypes(NamedTuple):
    """A request's ``sagemaker:InstanceTypes``: its value, whether known, and strictness."""

    context: dict[str, ContextValue]
    known: tuple[str, ...]
    strict: tuple[str, ...]


def _instance_types(kind: str, arguments: Mapping[str, Any]) -> _InstanceTypes:
    """``sagemaker:InstanceTypes`` of a ``kind`` request, as a ServiceCall's parts.

    Known for each request that takes the key (``REQUEST_SHAPES``): the instance types it
    names (``request_instance_types``), or its absence when it names none (a serverless
    endpoint configuration). A request whose instance types can't be read (an expression
    left unevaluated) doesn't know the key, and a Deny on it is taken to apply (``strict``).
    """
    if kind not in REQUEST_SHAPES:
        return _InstanceTypes({}, (), ())
    key = INSTANCE_TYPES.lower()
    found = request_instance_types(kind, arguments)
    if found is None:
        return _InstanceTypes({}, (), (key,))
    return _InstanceTypes({key: found} if found else {}, (key,), (key,))


def _tagged(arn: str, arguments: Mapping[str, Any]) -> list[ServiceCall]:
    """``sagemaker:AddTags`` on what a Create call with ``Tags`` creates."""
    if not arguments.get("Tags"):
        return []
    return [ServiceCall("sagemaker:AddTags", arn, _tags(arguments), (REQUEST_TAG,), "its Tags")]


def _passed(
    arguments: Mapping[str, Any], path: tuple[str, ...], where: str = ""
) -> list[ServiceCall]:
    """``iam:PassRole`` on the role at ``path``, passed to SageMaker."""
    role = arguments.get(path[0])
    if not isinstance(role, str):
        return []
    field = ".".join(filter(None, (where, *path)))
    return [
        ServiceCall(
            "iam:PassRole",
            role,
            {PASSED_TO_SERVICE: SAGEMAKER_SERVICE},
            (PASSED_TO_SERVICE,),
            f"passing {field} to SageMaker",
        )
    ]


def _model_packages(arguments: Mapping[str, Any], arns: _Arns) -> list[ServiceCall]:
    """A model of a registered version: ``CreateModel`` on the version too."""
    containers: list[Any] = [arguments.get("PrimaryContainer")]
    containers += list(arguments.get("Containers") or [])
    calls = []
    for container in containers:
        package = container.get("ModelPackageName") if isinstance(container, Mapping) else None
        if isinstance(package, str):
            named = package.startswith("arn:")
            arn = package if named else arns.sagemaker("model-package", package)
            if arn.startswith(_LOCAL_PACKAGE_PREFIX):
                # A version of the local registry (its region is "local"): deployed, the
                # same group and version would be of the stack's account and region.
                arn = arns.sagemaker("model-package", arn.removeprefix(_LOCAL_PACKAGE_PREFIX))
            calls.append(ServiceCall("sagemaker:CreateModel", arn, what="its model version"))
    return calls


def _registration(arguments: Mapping[str, Any], arns: _Arns, version: int) -> list[ServiceCall]:
    group = arguments.get("ModelPackageGroupName")
    if not isinstance(group, str) or not group:
        return []  # refused by the executor, with its reason
    if group.startswith("arn:") and ":model-package-group/" in group:
        prefix, name = group.split(":model-package-group/", 1)
        group_arn, package = group, f"{prefix}:model-package/{name}/{version}"
    else:
        group_arn = arns.sagemaker("model-package-group", group)
        package = arns.sagemaker("model-package", f"{group}/{version}")
    context = _tags(arguments)
    known: tuple[str, ...] = (REQUEST_TAG,)
    status = arguments.get("ModelApprovalStatus")
    if isinstance(status, str):
        context[APPROVAL_STATUS] = status
        known += (APPROVAL_STATUS,)
    # A request without a status: the service's default isn't documented as a condition
    # value, so the key stays unknown (read permissively).
    calls = [
        ServiceCall(action, arn, context, known, "registering the model version")
        for action in REGISTER_ACTIONS
        for arn in (package, group_arn)
    ]
    return calls + _tagged(package, arguments)


def _deployment(
    kind: str,
    arguments: Mapping[str, Any],
    arns: _Arns,
    hosted: Callable[[str, str], bool],
    config_name: Callable[[str], str],
) -> list[ServiceCall]:
    """The create (or update) call of a deployment step on each resource it names."""
    names: dict[str, Any] = {}
    if kind == "EndpointConfig":
        requested = arguments.get("EndpointConfigName")
        names["endpoint-config"] = config_name(requested) if isinstance(requested, str) else None
    elif kind == "Endpoint":
        names["endpoint"] = arguments.get("EndpointName")
        names["endpoint-config"] = arguments.get("EndpointConfigName")
    else:
        names["inference-component"] = arguments.get("InferenceComponentName")
        names["endpoint"] = arguments.get("EndpointName")
        specification = arguments.get("Specification")
        if isinstance(specification, Mapping):
            names["model"] = specification.get("ModelName")
    created, main_name = {
        "EndpointConfig": ("endpoint-config", names.get("endpoint-config")),
        "Endpoint": ("endpoint", names.get("endpoint")),
        "InferenceComponent": ("inference-component", names.get("inference-component")),
    }[kind]
    update = kind != "EndpointConfig" and isinstance(main_name, str) and hosted(created, main_name)
    calls: list[ServiceCall] = []
    for resource_type, name in names.items():
        if not isinstance(name, str):
            continue
        # DEPLOY_ACTIONS list the create call first, then (but for configurations) update.
        action = DEPLOY_ACTIONS[kind][resource_type][1 if update else 0]
        arn = arns.sagemaker(resource_type, name)
        call = _created(action, arn, arguments, f"deploying {resource_type} {name!r}")
        if kind == "EndpointConfig":
            # CreateEndpointConfig takes sagemaker:InstanceTypes: its variants' instances.
            instance_types = _instance_types(kind, arguments)
            call = ServiceCall(
                call.action,
                call.resource,
                {**call.context, **instance_types.context},
                call.known + instance_types.known,
                call.what,
                instance_types.strict,
            )
        calls.append(call)
    if not update and isinstance(main_name, str):
        calls += _tagged(arns.sagemaker(created, main_name), arguments)
    if kind == "EndpointConfig":
        calls += _passed(arguments, ("ExecutionRoleArn",))
    return calls
