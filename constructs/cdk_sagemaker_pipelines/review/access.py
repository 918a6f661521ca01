"""What each step's role may do, read from a cloud assembly, and what a change does to it.

``smpipe access`` (``_access_cli.py``) prints it. The roles and their policies come from the
template, intrinsics resolved as the local runner resolves them (``local/assembly.py``);
which role a step runs as from the definition that deploys (``RoleArn``, a Model or
EndpointConfig step's ``ExecutionRoleArn``, a Transform step its Model step's). Each
statement is cut into grants of one action on one resource, shown readably: S3 as
``read dev/MlOps/Artifacts/Bucket: executions/<pipeline>/Preprocess/*/train*`` (the bucket
by construct path, the pipeline's name as ``<pipeline>``, a file asset by its display
name), other ARNs of the stack's account and region without that prefix. The output is
sorted and holds no timestamps, so it can be committed and diffed.

Example::

    report = access_report("cdk.out", pipeline="dev/MlOps/Training")
    print(render_access_text(report))
    diff = diff_access(access_report("/tmp/base", "dev/MlOps/Training"), report)
    print(render_access_diff_text(diff))
    if diff.widens:
        raise SystemExit(1)
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..definition._model_data_locations import PLACEHOLDER as MODEL_DATA_PLACEHOLDER
from ..definition._seal_entries import is_seal_entry
from ..definition.entries import walk_steps
from ..definition.permissions import ACTION_RESOURCE_TYPES
from ._sources import SourceError, _asset_display_names, _staged_assets

# Sections of a role's grants, in the order they are shown.
GROUPS: dict[str, str] = {
    "s3": "S3",
    "kms": "KMS keys",
    "ecr": "ECR repositories",
    "logs": "Logs and metrics",
    "network": "Network (EC2)",
    "sagemaker": "SageMaker",
    "passrole": "Pass role",
    "other": "Other",
    # Who may assume the role: listed last and compared by the diff. The permissions
    # boundary's statements (a cap on the rest) are compared, not listed.
    "trust": "Who may assume it",
    "boundary": "Permissions boundary",
}
_SERVICE_GROUPS = {
    "s3": "s3",
    "kms": "kms",
    "ecr": "ecr",
    "logs": "logs",
    "cloudwatch": "logs",
    "ec2": "network",
    "sagemaker": "sagemaker",
}
# S3 actions shown as a verb: what a reviewer asks is "who reads, who writes where".
_S3_VERBS = {
    "s3:getobject": "read",
    "s3:getobjectversion": "read",
    "s3:putobject": "write",
    "s3:abortmultipartupload": "write",
    "s3:listbucket": "list",
    "s3:deleteobject": "delete",
    "s3:deleteobjectversion": "delete",
}
_VERB_ORDER = {"read": 0, "list": 1, "write": 2, "delete": 3}
NOT_IN_ASSEMBLY = "not in the assembly: not shown"
# The note of a role of the pipeline's stack that neither a step nor the pipeline runs as.
OTHER_ROLE = "no step runs as it: a role of the pipeline's stack"
# The note of a role of a stack that holds no pipeline (``stack_access_reports``).
STACK_ROLE = "a role of a stack that holds no pipeline"
_ROLE_NAME = re.compile(r"(\S+) \((.+)\)")
_HASH = re.compile(r"[0-9a-f]{64}")
# Step types whose job runs as the request's RoleArn (a Tuning step: each definition's).
_JOB_TYPES = ("Processing", "Training", "AutoML", "QualityCheck", "ClarifyCheck")


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    """One action on one resource that a role's policies allow (or deny), shown readably.

    ``resource`` is as shown (``dev/MlOps/Artifacts/Bucket: models/<pipeline>/*``, a
    bucket's key pattern; ``key/ArtifactsKeyA4B22E2B``, an ARN of the stack's account and
    region without that prefix); ``condition`` the statement's condition as text ("" when
    none; an ``s3:ListBucket``'s ``s3:prefix`` is in ``resource``). ``principal`` is set
    for a bucket or key policy's statement only: whom it names (a role by its key, ``*``,
    ``account: defers to IAM``, or, for a Deny, any principal as written).

    Example::

        Grant("s3", "Allow", "s3:GetObject", "dev/MlOps/Artifacts/Data: curated/*")
    """

    group: str
    effect: str
    action: str
    resource: str
    condition: str = ""
    principal: str = ""

    def to_json(self) -> dict[str, str]:
        """The grant as JSON (``smpipe access --json``)."""
        data = {
            "group": self.group,
            "effect": self.effect,
            "action": self.action,
            "resource": self.resource,
            "condition": self.condition,
        }
        if self.principal:
            data["principal"] = self.principal
        return data


@dataclass(frozen=True, slots=True)
class RoleAccess:
    """A role of the pipeline's stack and its grants: a step's, the pipeline's, or another.

    Other roles (``steps`` empty, not ``pipeline_role``: a trigger's, a schedule's, an
    endpoint's, a function's) act on the pipeline and its resources without running a step.

    ``key`` names it across assemblies: its construct path (the ARN of a role the assembly
    doesn't hold). ``not_shown`` says why some or all of its access is not shown (an
    imported role, an AWS managed policy); ``steps`` are the steps that run as it.
    ``trust`` (who may assume it, as grants of group ``trust``: ``Service
    sagemaker.amazonaws.com``) is listed in the text after its grants and compared by
    ``diff_access``; ``boundary_grants`` (its permissions boundary's statements, group
    ``boundary``) are compared, not listed.

    Example::

        RoleAccess("dev/MlOps/Training/StepRole", "dev/MlOps/Training/StepRole "
                   "(TrainingStepRoleDF38A49C)", steps=("Train",))
    """

    key: str
    label: str
    arn: str = ""
    pipeline_role: bool = False
    steps: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    boundary: str | None = None
    not_shown: str | None = None
    trust: tuple[Grant, ...] = ()
    boundary_grants: tuple[Grant, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The role as JSON."""
        return {
            "key": self.key,
            "label": self.label,
            "arn": self.arn,
            "pipeline_role": self.pipeline_role,
            "steps": list(self.steps),
            "boundary": self.boundary,
            "not_shown": self.not_shown,
            "grants": [grant.to_json() for grant in self.grants],
            "trust": [grant.to_json() for grant in self.trust],
            "boundary_grants": [grant.to_json() for grant in self.boundary_grants],
        }


@dataclass(frozen=True, slots=True)
class StepAccess:
    """A step, where it sits, and the roles (``RoleAccess.key``) its job runs as.

    ``roles`` is empty for a step that runs no job; ``via`` names the Model step whose
    role a Transform step's job runs as; ``note`` says why a role can't be named.

    Example::

        StepAccess("BatchScore", "Transform", roles=("dev/Ml/StepRole",), via="CreateModel")
    """

    name: str
    type: str
    roles: tuple[str, ...] = ()
    branch: str | None = None  # "if CheckAccuracy" / "else CheckAccuracy"
    via: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The step as JSON."""
        return {
            "name": self.name,
            "type": self.type,
            "branch": self.branch,
            "roles": list(self.roles),
            "via": self.via,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class PolicyAccess:
    """A resource policy of the pipeline's stack: whom it allows what, and its denials.

    ``kind`` is one of ``POLICY_KINDS`` (``bucket``, ``key``, ``model package group``,
    ``topic``, ``queue``, ``repository``, ``function``); ``key`` names it across
    assemblies (a bucket's construct path or name, another resource's construct path);
    ``grants`` are its statements, one per principal (a role of the stack by its key,
    ``*``, the account, another account, a service), each with its ``principal`` and
    condition. A function's lists who may invoke it: its ``AWS::Lambda::Permission``
    resources, and the roles whose own policies allow it (``<key> (identity policy)``).

    Example::

        PolicyAccess("bucket", "dev/Ml/Data", "dev/Ml/Data", grants=(Grant(
            "s3", "Deny", "s3:*", "dev/Ml/Data: *", "Bool aws:SecureTransport false", "*"),))
    """

    kind: str
    key: str
    label: str
    grants: tuple[Grant, ...] = ()

    @property
    def heading(self) -> str:
        """``Bucket policy of …``, ``Topic policy of …``."""
        return f"{self.kind.capitalize()} policy of {self.label}"

    def to_json(self) -> dict[str, Any]:
        """The policy as JSON."""
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "grants": [grant.to_json() for grant in self.grants],
        }


@dataclass(frozen=True, slots=True)
class AccessReport:
    """What each step's role may do: the steps in definition order, then their roles.

    ``roles`` are in order of first use by a step, then the pipeline's role, then the
    stack's other roles by key; ``policies`` the stack's resource policies in the order of
    ``POLICY_KINDS``, each kind by key.

    Example::

        report = access_report("cdk.out", pipeline="dev/MlOps/Training")
        [step.roles for step in report.steps]
    """

    label: str
    pipeline_name: str
    steps: tuple[StepAccess, ...] = ()
    roles: tuple[RoleAccess, ...] = ()
    policies: tuple[PolicyAccess, ...] = ()

    def role(self, key: str) -> RoleAccess | None:
        """The role of that key, if the report has it."""
        return next((role for role in self.roles if role.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (``smpipe access --json``)."""
        return {
            "source": self.label,
            "pipeline": self.pipeline_name,
            "steps": [step.to_json() for step in self.steps],
            "roles": [role.to_json() for role in self.roles],
            "resource_policies": [policy.to_json() for policy in self.policies],
        }


def access_report(directory: str | Path, pipeline: str | None = None) -> AccessReport:
    """The access report of ``pipeline`` (name, construct path or logical id) of a cdk.out.

    Raises ``SourceError`` for a source that is no cloud assembly or an unknown pipeline.
    """
    path = Path(directory)
    if path.is_file():
        raise SourceError(
            f"{path}: smpipe access reads a cloud assembly (a cdk.out directory): the roles "
            "and their policies are in its templates, not in a definition file"
        )
    # Imported on demand: the other review tools don't pay for the runner's import.
    from ..local._errors import LocalRunError
    from ..local.assembly import load_assembly

    try:
        loaded = load_assembly(path, pipeline=pipeline)
    except LocalRunError as error:
        message = str(error)
        named = message if message.startswith(str(path)) else f"{path}: {message}"
        raise SourceError(named) from None
    except (OSError, ValueError) as error:
        # A manifest or template that isn't JSON: unreadable (exit 2), not a widening (1).
        raise SourceError(f"{path}: can't be read as a cloud assembly: {error}") from None
    buckets = dict(loaded.buckets)
    names = _asset_display_names(path, _staged_assets(path, loaded.resources.s3))
    roles = loaded.roles
    context = _Context(
        pipeline=str(loaded.pipeline_name),
        buckets=buckets,
        assets=names,
        region=roles.region if roles else "us-east-1",
        account=roles.account if roles else "000000000000",
        role_keys={
            arn: _role_key(role.name) for arn, role in (roles.roles if roles else {}).items()
        },
        partition=roles.partition if roles else "aws",
    )
    report = _report(
        loaded.definition,
        roles,
        context,
        label=f"{path}:{loaded.pipeline_name}",
        function_roles=loaded.function_roles,
    )
    if roles is None:
        return report
    # The functions the Lambda steps (a SealStep's sealing function too) call: who may
    # invoke them is listed even for one the stack doesn't hold.
    called = {
        str(spec.entry["FunctionArn"])
        for spec in walk_steps(loaded.definition.get("Steps"))
        if spec.step_type == "Lambda" and isinstance(spec.entry.get("FunctionArn"), str)
    }
    policies = _resource_policies(roles, report.roles, context, called)
    return dataclasses.replace(report, policies=policies)


def stack_access_reports(directory: str | Path) -> dict[str, AccessReport]:
    """The access reports of the assembly's stacks that hold no pipeline, by stack path.

    An endpoint-only stack (of another account, say) has roles and resource policies a
    pipeline's report doesn't show. Each report has no steps (``pipeline_name`` is
    empty), every role of the stack by key and its resource policies, compared by
    ``diff_access`` as a pipeline's stack is. Sorted by path; a stack with neither a role
    nor a resource policy is left out. Raises ``SourceError`` as ``access_report`` does.

    Example::

        reports = stack_access_reports("cdk.out")
        print(render_access_text(reports["StagingMl/Endpoint"]))
    """
    path = Path(directory)
    if path.is_file():
        raise SourceError(f"{path}: smpipe access reads a cloud assembly (a cdk.out directory)")
    from ..local._errors import LocalRunError
    from ..local.assembly import stacks_without_pipeline

    try:
        stacks = stacks_without_pipeline(path)
    except LocalRunError as error:
        message = str(error)
        named = message if message.startswith(str(path)) else f"{path}: {message}"
        raise SourceError(named) from None
    except (OSError, ValueError) as error:
        raise SourceError(f"{path}: can't be read as a cloud assembly: {error}") from None
    reports = {}
    for stack, (roles, buckets) in stacks.items():
        context = _Context(
            pipeline="",
            buckets=buckets,
            assets={},
            region=roles.region,
            account=roles.account,
            role_keys={arn: _role_key(role.name) for arn, role in roles.roles.items()},
            partition=roles.partition,
        )
        report = _report({}, roles, context, label=f"{path}:{stack}")
        policies = _resource_policies(roles, report.roles, context)
        reports[stack] = dataclasses.replace(report, policies=policies)
    return reports


@dataclass(frozen=True)
class _Context:
    pipeline: str
    buckets: Mapping[str, str]  # bucket name → construct path
    assets: Mapping[str, str]  # asset hash → display name
    region: str
    account: str
    role_keys: Mapping[str, tuple[str, str]]  # role ARN → (key, label)
    partition: str = "aws"


def _role_key(name: str) -> tuple[str, str]:
    """(key, label) of a role named ``Logical (construct/path)`` as the loader names it."""
    match = _ROLE_NAME.fullmatch(name)
    if match is None:
        return name, name
    return match[2], f"{match[2]} ({match[1]})"


def _report(
    definition: Mapping[str, Any],
    roles: Any,
    context: _Context,
    label: str,
    function_roles: Mapping[str, str] | None = None,
) -> AccessReport:
    entries = {spec.name: spec for spec in walk_steps(definition.get("Steps"))}
    steps: list[StepAccess] = []
    used: dict[str, list[str]] = {}  # role reference → steps, in order of first use
    for spec in entries.values():
        arguments = spec.entry.get("Arguments")
        arguments = arguments if isinstance(arguments, Mapping) else {}
        references, via, note = _step_roles(spec.step_type, arguments, entries)
        if is_seal_entry(spec.entry):
            # A SealStep reads and writes as its sealing function's role, not a job's.
            function_role = (function_roles or {}).get(str(spec.entry.get("FunctionArn")))
            if function_role is not None:
                references, note = [function_role], "the sealing function's role"
        keys = []
        for reference in references:
            key = _reference_key(reference, context)
            keys.append(key)
            used.setdefault(key, [])
            if spec.name not in used[key]:
                used[key].append(spec.name)
        branch = None
        if spec.condition is not None:
            branch = f"{'if' if spec.branch else 'else'} {spec.condition}"
        steps.append(StepAccess(spec.name, spec.step_type, tuple(keys), branch, via, note))
    pipeline_arn = roles.pipeline_role if roles is not None else None
    pipeline_key = _reference_key(pipeline_arn, context) if pipeline_arn else None
    order = [key for key in used if key != pipeline_key]
    if pipeline_key is not None:
        order.append(pipeline_key)
    by_key = {
        key: arn for arn, (key, _) in context.role_keys.items()
    }  # the roles the assembly holds
    # Then the stack's other roles (a trigger's, a schedule's, an endpoint's, a function's):
    # no step runs as them, but they act on the pipeline and its resources.
    order += sorted(key for key in by_key if key not in order)
    shown: list[RoleAccess] = []
    for key in order:
        steps_of = tuple(used.get(key, ()))
        arn = by_key.get(key)
        policies = roles.role(arn) if roles is not None and arn is not None else None
        if policies is None:
            shown.append(
                RoleAccess(
                    key,
                    key,
                    arn=key if key.startswith("arn:") else "",
                    pipeline_role=key == pipeline_key,
                    steps=steps_of,
                    not_shown=NOT_IN_ASSEMBLY,
                )
            )
            continue
        shown.append(_role_access(key, policies, context, key == pipeline_key, steps_of))
    return AccessReport(label, context.pipeline, tuple(steps), tuple(shown))


def _role_access(
    key: str, policies: Any, context: _Context, pipeline_role: bool, steps: tuple[str, ...]
) -> RoleAccess:
    """A role of the assembly (``local.iam.RolePolicies``) as the report shows it."""
    grants = sorted({g for s in policies.statements for g in _grants(s, context)})
    trust = sorted({g for s in policies.trust for g in _trust_grants(s)})
    capped = sorted(
        {
            dataclasses.replace(g, group="boundary")
            for s in policies.boundary or ()
            for g in _grants(s, context)
        }
    )
    unchecked = policies.unchecked
    return RoleAccess(
        key,
        context.role_keys[policies.arn][1],
        arn=policies.arn,
        pipeline_role=pipeline_role,
        steps=steps,
        grants=tuple(grants),
        boundary=policies.boundary_name,
        not_shown=f"{unchecked}: {NOT_IN_ASSEMBLY}" if unchecked else None,
        trust=tuple(trust),
        boundary_grants=tuple(capped),
    )


def _reference_key(reference: Any, context: _Context) -> str:
    if isinstance(reference, str):
        return context.role_keys.get(reference, (reference, reference))[0]
    if isinstance(reference, Mapping) and isinstance(reference.get("Get"), str):
        return str(reference["Get"])  # Parameters.StepRole: chosen at each start
    return json.dumps(reference, sort_keys=True)


def _step_roles(
    step_type: str, arguments: Mapping[str, Any], entries: Mapping[str, Any]
) -> tuple[list[Any], str | None, str | None]:
    """The role references a step's job runs as, the Model step it goes through, a note."""
    if step_type in _JOB_TYPES:
        return [arguments.get("RoleArn")], None, None
    if step_type == "Tuning":
        definitions = [arguments.get("TrainingJobDefinition")]
        definitions += list(arguments.get("TrainingJobDefinitions") or [])
        found = [item.get("RoleArn") for item in definitions if isinstance(item, Mapping)]
        unique: list[Any] = []
        for item in found:
            if item not in unique:
                unique.append(item)
        return unique, None, None
    if step_type == "Transform":
        name = arguments.get("ModelName")
        get = name.get("Get") if isinstance(name, Mapping) else None
        match = re.fullmatch(r"Steps\.([^.]+)\.ModelName", get) if isinstance(get, str) else None
        model = entries.get(match[1]) if match else None
        if model is not None:
            model_arguments = model.entry.get("Arguments")
            if isinstance(model_arguments, Mapping):
                return [model_arguments.get("ExecutionRoleArn")], model.name, None
        # A model this pipeline doesn't create: its role is the model's, set elsewhere.
        return [], None, f"model {json.dumps(name)} is not created by the pipeline"
    # A Model step's model, an EndpointConfig's inference components, an EMR step's job.
    role = arguments.get("ExecutionRoleArn", arguments.get("RoleArn"))
    return ([role] if role is not None else []), None, None


def _grants(statement: Any, context: _Context) -> list[Grant]:
    """One grant per action and resource of ``statement`` (a ``local.iam.Statement``)."""
    effect = statement.effect
    condition = dict(statement.condition)
    if statement.negate_actions or statement.negate_resources:
        # Rare in what the construct derives, and wide: one grant, said in words.
        actions = ", ".join(sorted(statement.actions))
        resources = ", ".join(sorted(_resource(r, context, None) for r in statement.resources))
        action = f"every action except {actions}" if statement.negate_actions else actions
        resource = f"every resource except {resources}" if statement.negate_resources else resources
        return [Grant("other", effect, action, resource, _condition_text(condition))]
    grants = []
    for action in statement.actions:
        group = _group(action)
        for arn in statement.resources:
            if not _takes(action, arn):
                # A statement's actions and resources are no cross product: IAM matches
                # CreateTrainingJob on training-job ARNs only, so a Deny of two job types'
                # Create actions on both types' ARNs is shown one resource, one action.
                continue
            if group != "s3":
                grants.append(
                    Grant(
                        group,
                        effect,
                        action,
                        _resource(arn, context, action),
                        _condition_text(condition),
                    )
                )
                continue
            bucket, key = _s3(arn, context)
            prefixes, rest = _prefixes(action, condition)
            if key is None and prefixes:
                # s3:ListBucket under s3:prefix: the key patterns it may list.
                for prefix in prefixes:
                    shown = f"{bucket}: {_key(prefix, bucket, context)}"
                    grants.append(Grant(group, effect, action, shown, _condition_text(rest)))
                continue
            shown = bucket if key is None else f"{bucket}: {key}"
            grants.append(Grant(group, effect, action, shown, _condition_text(condition)))
    return grants


_SAGEMAKER_TYPE = re.compile(r"arn:[^:]*:sagemaker:[^:]*:[^:]*:([a-z-]+)/")
# The resource types of the library's job and deployment tables. Those tables hold what the
# library grants, not every type IAM authorizes an action on (a training plan, a model
# package…): an action is known not to take only the tables' other types.
_TABLE_TYPES = frozenset().union(*ACTION_RESOURCE_TYPES.values())


def _takes(action: str, arn: str) -> bool:
    """Whether IAM may authorize ``action`` on ``arn``, as far as the library knows.

    False for a SageMaker ARN of a type of the library's tables that ``ACTION_RESOURCE_TYPES``
    says the action doesn't take; True when the action or the type is unknown, so that a
    review never hides a grant it can't rule out.

    Example::

        _takes("sagemaker:CreateTrainingJob", "arn:aws:sagemaker:r:1:processing-job/p-*")  # False
        _takes("sagemaker:CreateTrainingJob", "arn:aws:sagemaker:r:1:training-plan/p")  # True
    """
    types = ACTION_RESOURCE_TYPES.get(action.lower())
    match = _SAGEMAKER_TYPE.match(arn)
    if types is None or match is None:
        return True
    return match[1] in types or match[1] not in _TABLE_TYPES


# Resource policies in the order they are shown (``PolicyAccess.kind``).
POLICY_KINDS = (
    "bucket",
    "key",
    "model package group",
    "topic",
    "queue",
    "repository",
    "function",
)
# A role whose own (identity) policies let it invoke a function, as the function's policy
# lists it: the function's resource-based permissions don't name it, its policies do.
_IDENTITY = "{} (identity policy)"
_POLICY_NAME = re.compile(r"the (.+?) policy of (.+)", re.DOTALL)


def _resource_policies(
    roles: Any, shown: Sequence[RoleAccess], context: _Context, called: Iterable[str] = ()
) -> tuple[PolicyAccess, ...]:
    """The stack's resource policies: every principal they allow something, every denial.

    Every policy of the stack, not only those of what the roles' own policies touch: a
    bucket policy naming a role lets it in (same account) whatever its own policies say,
    and one naming another account or a service lets that in, whatever the roles do.
    A function's (its ``AWS::Lambda::Permission`` resources) also lists the roles whose
    own policies let them invoke it; ``called`` are the ARNs of the functions the steps
    call, listed so even when the stack doesn't hold them.
    """
    arns = {role.arn: role.key for role in shown if role.arn}
    root = {context.account, f"arn:{roles.partition}:iam::{context.account}:root"}
    policies = []

    def add(
        kind: str,
        key: str,
        label: str,
        statements: Iterable[Any],
        own: str | None,
        more: Iterable[Grant] = (),
    ) -> None:
        grants = {
            g
            for statement in statements
            for g in _policy_grants(statement, arns, root, context, kind, own)
        }
        grants.update(more)
        if grants:
            policies.append(PolicyAccess(kind, key, label, tuple(sorted(grants))))

    for bucket, policy in sorted(roles.bucket_policies.items()):
        shown_bucket = context.buckets.get(bucket, bucket)
        add("bucket", shown_bucket, shown_bucket, policy.statements, None)
    for arn, policy in roles.key_policies.items():
        named = policy.name.removeprefix("the key policy of ")
        add("key", *_role_key(named), policy.statements, arn)
    for arn, policy in getattr(roles, "other_policies", {}).items():
        match = _POLICY_NAME.fullmatch(policy.name)
        kind, named = (match[1], match[2]) if match else ("repository", policy.name)
        if kind == "function":
            # Who may invoke it: its permissions, and the roles whose policies allow it.
            invokers = _invokers(arn, shown, context)
            add(kind, *_role_key(named), policy.statements, arn, invokers)
        else:
            add(kind, *_role_key(named), policy.statements, arn)
    listed = set(getattr(roles, "other_policies", {}))
    for arn in sorted(set(called) - listed):
        # A function the steps call that the stack doesn't hold: its permissions are not
        # in the assembly, but the roles allowed to invoke it are.
        shown_arn = _resource(arn, context, "lambda:InvokeFunction")
        add("function", shown_arn, shown_arn, (), arn, _invokers(arn, shown, context))
    order = {kind: index for index, kind in enumerate(POLICY_KINDS)}
    return tuple(sorted(policies, key=lambda policy: (order[policy.kind], policy.key)))


def _invokers(arn: str, shown: Sequence[RoleAccess], context: _Context) -> list[Grant]:
    """The roles whose own Allow grants reach ``lambda:InvokeFunction`` on function ``arn``.

    One grant each, as the function's policy lists it: the function as its resource, the
    role's action pattern and condition, ``<role key> (identity policy)`` as principal. A
    role's ``NotAction``/``NotResource`` grant is compared in the role's own section only.

    Example::

        _invokers(seal_arn, report.roles, context)
        # [Grant("other", "Allow", "lambda:InvokeFunction", "function:Seal", "",
        #        "dev/Ml/Role (identity policy)")]
    """
    resource = _resource(arn, context, "lambda:InvokeFunction")
    found = []
    for role in shown:
        for grant in role.grants:
            if grant.effect != "Allow" or _negated(grant):
                continue
            # Shown without its prefix (the stack's own) or as written: either may match.
            if _covers(grant.action, "lambda:InvokeFunction", ignore_case=True) and any(
                _covers(grant.resource, name, ignore_case=False) for name in (resource, arn)
            ):
                found.append(
                    dataclasses.replace(
                        grant, resource=resource, principal=_IDENTITY.format(role.key)
                    )
                )
    return found


def _policy_grants(
    statement: Any,
    roles: Mapping[str, str],
    root: set[str],
    context: _Context,
    kind: str,
    own: str | None,
) -> list[Grant]:
    """A resource policy statement's grants, one per principal it names.

    A role of the assembly by its key, ``*``, the stack's account as ``account: defers to
    IAM`` (in one account, IAM policies decide), anyone else as written (``AWS arn:…``, an
    account id as its root's ARN, ``Service events.amazonaws.com``), with the statement's
    condition (``aws:SourceArn``, ``aws:PrincipalOrgID``, …). ``own`` is the ARN of the
    policy's resource: what a statement without ``Resource`` (a repository's) is for, and
    in a key policy what ``*`` is.
    """
    principals = statement.principals or {}
    named: list[str] = []
    for principal_kind, values in sorted(principals.items()):
        for value in sorted(values):
            if principal_kind == "AWS" and value == "*":
                named.append("*")
            elif principal_kind == "AWS" and value in roles:
                named.append(roles[value])
            elif principal_kind == "AWS" and value in root:
                named.append(_ACCOUNT)
            elif principal_kind == "AWS" and re.fullmatch(r"\d{12}", value):
                # An account id is its root: one spelling, or a respelling would widen.
                named.append(f"AWS arn:{context.partition}:iam::{value}:root")
            else:
                named.append(f"{principal_kind} {value}")
    if statement.negate_principals:
        # NotPrincipal: everyone but those named. Shown as it is; any change is a change.
        written = ", ".join(f"{k} {v}" for k, vs in sorted(principals.items()) for v in vs)
        named = [f"every principal except {written}"]
    if not named:
        return []
    if own is not None and not statement.resources and not statement.negate_resources:
        statement = dataclasses.replace(statement, resources=(own,))
    if kind == "key" and own is not None:
        # In a key policy, ``*`` as Resource is the key itself.
        resources = tuple(own if r == "*" else r for r in statement.resources)
        statement = dataclasses.replace(statement, resources=resources)
    return [
        dataclasses.replace(grant, principal=principal)
        for grant in _grants(statement, context)
        for principal in sorted(set(named))
    ]


def _trust_grants(statement: Any) -> list[Grant]:
    """One grant per action and principal of a trust policy's statement (who may assume)."""
    condition = _condition_text(statement.condition)
    actions = sorted(statement.actions)
    if statement.negate_actions:
        actions = [f"every action except {', '.join(actions)}"]
    principals = statement.principals or {}
    # ``"*"`` (or ``{"AWS": "*"}``) is everyone, services too: shown as ``*``, covering all.
    named = sorted(
        "*" if (kind, value) == ("AWS", "*") else f"{kind} {value}"
        for kind, values in principals.items()
        for value in values
    )
    if statement.negate_principals:
        named = [f"every principal except {', '.join(named)}"]
    return [
        Grant("trust", statement.effect, action, principal, condition)
        for action in actions
        for principal in named or ["no principal"]
    ]


def _group(action: str) -> str:
    lowered = action.lower()
    if lowered == "iam:passrole":
        return "passrole"
    return _SERVICE_GROUPS.get(lowered.partition(":")[0], "other")


def _s3(arn: str, context: _Context) -> tuple[str, str | None]:
    """(bucket as shown, key pattern as shown or None) of an S3 resource."""
    if arn == "*":
        return "*", None  # every bucket and key
    body = re.sub(r"^arn:[^:]*:s3:::", "", arn)
    if body in (arn, "*"):
        # Not an S3 ARN, or every bucket (no object): shown as written, not as ``*``,
        # which would read as covering every object too.
        return arn, None
    bucket, slash, key = body.partition("/")
    shown = context.buckets.get(bucket, bucket)
    return shown, (_key(key, shown, context) if slash else None)


def _key(key: str, bucket: str, context: _Context) -> str:
    """A key pattern with the pipeline's name as ``<pipeline>`` and assets by their name."""
    # A stack without a pipeline has no name to replace (pipeline "").
    segments = [
        "<pipeline>" if context.pipeline and item == context.pipeline else item
        for item in key.split("/")
    ]
    text = "/".join(segments)
    return _HASH.sub(lambda match: f"<asset {context.assets.get(match[0], match[0][:8])}>", text)


def _prefixes(action: str, condition: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The ``s3:prefix`` patterns of a ``StringLike``/``StringEquals``, and the rest."""
    if action.lower() != "s3:listbucket":
        return [], dict(condition)
    rest: dict[str, Any] = {}
    prefixes: list[str] = []
    for operator, tests in condition.items():
        if operator in ("StringLike", "StringEquals") and isinstance(tests, Mapping):
            kept = {}
            for key, values in tests.items():
                items = [str(v) for v in (values if isinstance(values, list) else [values])]
                # Shown as a key pattern: a StringEquals' * or ? is literal, no wildcard,
                # so such a prefix stays a condition (else StringEquals → StringLike hides).
                literal = operator == "StringEquals" and any(
                    "*" in item or "?" in item for item in items
                )
                if str(key).lower() == "s3:prefix" and not literal:
                    prefixes += items
                else:
                    kept[key] = values
            if kept:
                rest[operator] = kept
        else:
            rest[operator] = tests
    return sorted(set(prefixes)), rest


# Services whose ARNs hold no region (IAM's roles, STS's assumed roles): the rest hold one.
_GLOBAL_SERVICES = frozenset(
    {"iam", "sts", "s3", "cloudfront", "route53", "organizations", "waf", "globalaccelerator"}
)


def _resource(arn: str, context: _Context, action: str | None) -> str:
    """``arn`` as shown: without the prefix only where that loses nothing.

    The prefix goes for the stack's account and region (none for a global service's, such
    as IAM's) and, given ``action``, the action's service: ``arn:aws:sagemaker:us-east-1:
    <account>:*`` or ``arn:aws:s3:::*`` must not read as ``*``, or widening them to ``*``
    wouldn't show. A regional service's ARN with no region (which matches nothing) keeps
    its prefix, so a grant moved there reads as a change.
    """
    if arn in context.role_keys:
        return context.role_keys[arn][0]  # a role of the assembly: by construct path
    match = re.fullmatch(r"arn:[^:]*:([^:]*):([^:]*):([^:]*):(.*)", arn, re.DOTALL)
    if match is None:
        return arn
    service, region, account, rest = match.groups()
    same_service = action is None or service.lower() == action.partition(":")[0].lower()
    # What comes before the first wildcard: a rest that could match (or be) an ``arn:``…
    # or ``*`` keeps its prefix, as the diff compares what is shown as patterns.
    literal = re.split(r"[*?]", rest, maxsplit=1)[0]
    ambiguous = "arn:".startswith(literal) or literal.startswith("arn:")
    own_region = "" if service.lower() in _GLOBAL_SERVICES else context.region
    if region == own_region and account == context.account and same_service and not ambiguous:
        return rest  # the stack's own: the prefix says nothing
    return arn


def _condition_text(condition: Mapping[str, Any]) -> str:
    """A condition as ``Operator key value | value; Operator key value``.

    A word holding a separator (``; ``, `` | ``), a quote, or nothing is shown as a JSON
    string, so a value can't read as two tests or values, and ``_condition_tests`` splits
    the text back into the tests it was made of.
    """
    parts = []
    for operator, tests in sorted(condition.items()):
        if not isinstance(tests, Mapping):
            parts.append(f"{_quoted(operator)} {json.dumps(tests, sort_keys=True)}")
            continue
        for key, values in sorted(tests.items()):
            items = values if isinstance(values, list) else [values]
            shown = " | ".join(_quoted(str(item)) for item in items)
            parts.append(f"{_quoted(str(operator))} {_quoted(str(key))} {shown}")
    return "; ".join(parts)


def _quoted(word: str) -> str:
    if not word or any(part in word for part in ("; ", " | ", '"')):
        return json.dumps(word)
    return word


def _condition_tests(text: str) -> list[str] | None:
    """The tests of condition text (``_condition_text``): split on ``; `` outside quotes.

    None when the quotes don't balance, which ``_condition_text`` never writes.
    """
    tests, start, quoted, escaped = [], 0, False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted and text.startswith("; ", index):
            tests.append(text[start:index])
            start = index + 2
    if quoted or escaped:
        return None
    tests.append(text[start:])
    return tests


# -- rendering -----------------------------------------------------------------------


def grant_lines(grants: Iterable[Grant]) -> list[tuple[str, str, tuple[Grant, ...]]]:
    """``(group, line, grants)`` for ``grants``, grouped and sorted as ``smpipe access`` shows them.

    S3: one line per key pattern, its verbs joined (``read/list bucket: key``); others: one line per
    resource, its actions joined (``key/ArtifactsKey: kms:Decrypt, kms:Encrypt``). A Deny
    starts with ``DENY``; a condition follows ``when``.

    Example::

        grant_lines([Grant("s3", "Allow", "s3:PutObject", "b: models/*")])
        # [('s3', 'write b: models/*', (Grant(...),))]
    """
    lines: dict[tuple[str, str, str, str, str], list[Grant]] = {}
    for grant in grants:
        key = (grant.group, grant.effect, grant.resource, grant.principal, grant.condition)
        lines.setdefault(key, []).append(grant)
    order = list(GROUPS)
    result = []
    for (group, effect, resource, principal, condition), items in sorted(
        lines.items(),
        key=lambda item: (
            order.index(item[0][0]),
            item[0][1] != "Deny",  # denials first: they override the rest
            item[0][2],
            item[0][3],
            item[0][4],
        ),
    ):
        deny = "DENY " if effect == "Deny" else ""
        # A bucket or key policy's statement says whom it is for.
        when = f" for {principal}" if principal else ""
        when += f" when {condition}" if condition else ""
        if group == "s3":
            verbs = {_S3_VERBS.get(grant.action.lower(), grant.action) for grant in items}
            said = "/".join(sorted(verbs, key=lambda verb: (_VERB_ORDER.get(verb, 9), verb)))
            line = f"{deny}{said} {resource}{when}"
        else:
            actions = ", ".join(sorted({grant.action for grant in items}, key=str.lower))
            line = f"{deny}{resource}: {actions}{when}"
        result.append((group, line, tuple(sorted(items))))
    return result


def _step_text(step: StepAccess, report: AccessReport) -> str:
    where = f", {step.branch}" if step.branch else ""
    if step.roles:
        labels = [_label(report, key) for key in step.roles]
        runs = ", ".join(labels)
        if step.via:
            runs += f" (model of {step.via})"
    else:
        runs = "-"
    if step.note:
        runs += f" ({step.note})"
    return f"{step.name} ({step.type}{where}): {runs}"


def _label(report: AccessReport, key: str) -> str:
    role = report.role(key)
    return role.label if role is not None else key


def _role_heading(role: RoleAccess) -> str:
    kind = "Pipeline role" if role.pipeline_role else "Role"
    return f"{kind} {role.label}"


def _role_notes(role: RoleAccess, report: AccessReport | None = None) -> list[str]:
    notes = []
    if role.pipeline_role:
        notes.append("SageMaker Pipelines runs as it: creates the jobs, passes their roles")
    if role.steps:
        notes.append(f"runs: {', '.join(role.steps)}")
    elif not role.pipeline_role:
        notes.append(OTHER_ROLE if report is None or report.pipeline_name else STACK_ROLE)
    if role.boundary:
        notes.append(f"permissions boundary: {role.boundary}")
    if role.not_shown:
        notes.append(role.not_shown)
    return notes


def _shown_grants(role: RoleAccess) -> tuple[Grant, ...]:
    """What a role's section lists: its grants, then who may assume it.

    Listed for every role, a step's and the pipeline's too: the diff compares each role's
    trust, so a reviewer reading a widened one needs the report's line to compare it with
    (a step role that also trusts another service, or another account, runs no step of it).
    """
    return role.grants + role.trust


def render_access_text(report: AccessReport) -> str:
    """The report as plain text (``smpipe access``)."""
    out = [f"{report.label}: access of {len(report.steps)} steps through {len(report.roles)} roles"]
    out.append("Steps:")
    out += [f"  {_step_text(step, report)}" for step in report.steps]
    for role in report.roles:
        out.append("")
        out.append(f"{_role_heading(role)}:")
        out += [f"  {note}" for note in _role_notes(role, report)]
        current = None
        for group, line, _ in grant_lines(_shown_grants(role)):
            if group != current:
                out.append(f"  {GROUPS[group]}:")
                current = group
            out.append(f"    {line}")
    for policy in report.policies:
        out += ["", f"{policy.heading}:"]
        out += [f"  {line}" for _, line, _ in grant_lines(policy.grants)]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def render_access_markdown(report: AccessReport) -> str:
    """The report as Markdown tables (``smpipe access --markdown``, a PR comment)."""
    out = [f"**Access** of `{report.label}`: {len(report.steps)} steps, {len(report.roles)} roles"]
    out += ["", "| Step | Type | Runs as |", "| --- | --- | --- |"]
    for step in report.steps:
        runs = _step_text(step, report).partition("): ")[2]
        where = f" ({step.branch})" if step.branch else ""
        out.append(f"| {step.name}{where} | {step.type} | {_cell(runs) if runs != '-' else '-'} |")
    for role in report.roles:
        out += ["", f"**{_role_heading(role)}**"]
        notes = _role_notes(role, report)
        if notes:
            out += [""] + [f"- {note}" for note in notes]
        lines = grant_lines(_shown_grants(role))
        if lines:
            out += ["", "| Kind | May |", "| --- | --- |"]
            out += [f"| {GROUPS[group]} | {_cell(line)} |" for group, line, _ in lines]
    for policy in report.policies:
        out += ["", f"**{policy.heading}**", "", "| Kind | Statement |", "| --- | --- |"]
        out += [
            f"| {GROUPS[group]} | {_cell(line)} |" for group, line, _ in grant_lines(policy.grants)
        ]
    return "\n".join(out) + "\n"


def render_access_json(report: AccessReport) -> dict[str, Any]:
    """The report as JSON data (``smpipe access --json``)."""
    return report.to_json()


# -- diff --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A role's change: ``kind`` is ``added``, ``removed`` or ``changed``.

    ``added``/``removed`` are its grants gained and lost; ``widening`` the gained ones not
    covered by what it (or, for a new role, the roles its steps ran as) allowed before, and
    lost denials.

    Example::

        RoleChange("changed", "dev/Ml/StepRole", "dev/Ml/StepRole (StepRole12)", added=(grant,))
    """

    kind: str
    key: str
    label: str
    steps: tuple[str, ...] = ()
    added: tuple[Grant, ...] = ()
    removed: tuple[Grant, ...] = ()
    widening: tuple[Grant, ...] = ()
    notes: tuple[str, ...] = ()
    # What can't be compared grant by grant: a boundary changed, policies now not shown.
    loosened: bool = False

    @property
    def widens(self) -> bool:
        """Whether the role may do more than before (or can no longer be told)."""
        return bool(self.widening) or self.loosened


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """A resource policy's change: ``kind`` is ``added``, ``removed`` or ``changed``.

    ``widening`` are the statements gained that allow a principal (a role, ``*``, another
    account, a service; in a key policy, the account too, which enables IAM policies) more
    than it (or ``*``) was allowed before, and the denials lost.

    Example::

        PolicyChange("changed", "bucket", "dev/Ml/Data", "dev/Ml/Data", removed=(deny,))
    """

    kind: str
    resource: str  # one of POLICY_KINDS
    key: str
    label: str
    added: tuple[Grant, ...] = ()
    removed: tuple[Grant, ...] = ()
    widening: tuple[Grant, ...] = ()

    @property
    def widens(self) -> bool:
        """Whether a principal may do more through this policy than before."""
        return bool(self.widening)

    @property
    def heading(self) -> str:
        """``Bucket policy changed: …``."""
        return f"{self.resource.capitalize()} policy {self.kind}: {self.label}"


@dataclass(frozen=True, slots=True)
class StepMove:
    """A step that runs as other roles than before (``base``/``head``: role keys)."""

    name: str
    base: tuple[str, ...]
    head: tuple[str, ...]
    widens: bool = False


@dataclass(frozen=True, slots=True)
class AccessDiff:
    """What a change does to a pipeline's roles; true when there is any change.

    Example::

        diff = diff_access(base_report, head_report)
        diff.widens  # a role (or a step, through its new role) may do more than before
    """

    labels: tuple[str, str]
    moves: tuple[StepMove, ...] = ()
    roles: tuple[RoleChange, ...] = ()
    policies: tuple[PolicyChange, ...] = ()

    @property
    def widens(self) -> bool:
        """Whether a role gains access, or a step moves to a role that may do more."""
        return (
            any(move.widens for move in self.moves)
            or any(change.widens for change in self.roles)
            or any(change.widens for change in self.policies)
        )

    def __bool__(self) -> bool:
        return bool(self.moves or self.roles or self.policies)


def diff_access(base: AccessReport, head: AccessReport) -> AccessDiff:
    """Compare two reports role by role (matched by construct path) and step by step.

    Example::

        diff_access(access_report("/tmp/base"), access_report("cdk.out")).widens
    """
    base_steps = {step.name: step for step in base.steps}
    moves = []
    for step in head.steps:
        before = base_steps.get(step.name)
        if before is None or before.roles == step.roles:
            continue
        old = [g for key in before.roles for g in _grants_of(base, key)]
        new = [g for key in step.roles for g in _grants_of(head, key)]
        unknown = any(_unknown(head, key) for key in step.roles)
        widens = unknown or any(_widens(grant, old) for grant in new)
        moves.append(StepMove(step.name, before.roles, step.roles, widens))
    changes = []
    base_roles = {role.key: role for role in base.roles}
    head_roles = {role.key: role for role in head.roles}
    for key, role in head_roles.items():
        previous = base_roles.get(key)
        if previous is None:
            # A new role (a dedicated one, say) widens what its steps could do before.
            covered = [
                grant
                for name in role.steps
                if name in base_steps
                for old_key in base_steps[name].roles
                for grant in _grants_of(base, old_key) + _trust_of(base, old_key)
            ]
            widening = tuple(g for g in role.grants + role.trust if _widens(g, covered))
            new_notes = (role.not_shown,) if role.not_shown else ()
            changes.append(
                RoleChange(
                    "added",
                    key,
                    role.label,
                    role.steps,
                    role.grants + role.trust,
                    (),
                    widening,
                    new_notes,
                    loosened=role.not_shown is not None,
                )
            )
            continue
        # Grants, who may assume it (trust) and its boundary's statements, each compared with
        # its own kind: a grant's group keeps them apart.
        now = role.grants + role.trust + role.boundary_grants
        had = previous.grants + previous.trust + previous.boundary_grants
        added = tuple(sorted(set(now) - set(had)))
        removed = tuple(sorted(set(had) - set(now)))
        widening = tuple(
            g
            for g in added
            # A boundary where there was none narrows; one removed is ``loosened`` below.
            if (g.group != "boundary" or previous.boundary is not None) and _widens(g, had)
        )
        widening += tuple(g for g in removed if g.effect == "Deny" and not _still_denied(g, now))
        notes: tuple[str, ...] = ()
        if previous.boundary != role.boundary:
            notes += (f"permissions boundary: {previous.boundary or '-'} → {role.boundary or '-'}",)
        if previous.not_shown != role.not_shown:
            notes += (f"not shown: {previous.not_shown or '-'} → {role.not_shown or '-'}",)
        if added or removed or notes:
            # A boundary changed or policies no longer shown: what it allows can't be compared.
            loosened = (previous.boundary is not None and role.boundary is None) or (
                role.not_shown is not None and previous.not_shown != role.not_shown
            )
            changes.append(
                RoleChange(
                    "changed",
                    key,
                    role.label,
                    role.steps,
                    added,
                    removed,
                    widening,
                    notes,
                    loosened,
                )
            )
    for key, role in base_roles.items():
        if key not in head_roles:
            changes.append(RoleChange("removed", key, role.label, role.steps, (), role.grants))
    order = {"changed": 0, "added": 1, "removed": 2}
    changes.sort(key=lambda change: (order[change.kind], change.key))
    policies = _diff_policies(base.policies, head.policies)
    return AccessDiff((base.label, head.label), tuple(moves), tuple(changes), policies)


# The stack's own account as a resource policy's principal: IAM policies decide.
_ACCOUNT = "account: defers to IAM"


def _diff_policies(
    base: Sequence[PolicyAccess], head: Sequence[PolicyAccess]
) -> tuple[PolicyChange, ...]:
    """Resource policies compared statement grant by grant (matched by kind and key)."""
    before = {(policy.kind, policy.key): policy for policy in base}
    after = {(policy.kind, policy.key): policy for policy in head}
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        had = old.grants if old is not None else ()
        now = new.grants if new is not None else ()
        added = tuple(sorted(set(now) - set(had)))
        removed = tuple(sorted(set(had) - set(now)))
        if not (added or removed):
            continue
        # A new key's account Allow (CDK's default key policy) enables only the IAM grants
        # on that key, which the roles' own changes show (and mark) already.
        enables_iam = name[0] == "key" and old is not None
        widening = tuple(g for g in added if _policy_widens(g, had, key=enables_iam))
        # A denial removed (or narrowed: removed, then added smaller) lets more through,
        # unless a denial of the new policy still covers it (one store-wide for several).
        widening += tuple(g for g in removed if g.effect == "Deny" and not _still_denied(g, now))
        kind = "changed" if old is not None and new is not None else "added" if new else "removed"
        shown = new if new is not None else old
        assert shown is not None
        changes.append(PolicyChange(kind, name[0], name[1], shown.label, added, removed, widening))
    order = {"changed": 0, "added": 1, "removed": 2}
    changes.sort(key=lambda change: (order[change.kind], change.resource, change.key))
    return tuple(changes)


def _policy_widens(grant: Grant, before: Sequence[Grant], *, key: bool) -> bool:
    """Whether a resource policy's Allow ``grant`` lets its principal do something new.

    The account's Allow in a bucket (topic, queue…) policy adds nothing (IAM must allow
    too); in the policy of a key that was there before, it enables the roles' IAM policies
    for the key, so it counts (``key``); in a new key's, the roles' grants on the new key
    are their own change. Any other principal (a role, another account, a service) widens
    with what it (or ``*``) wasn't allowed before, a condition dropped or changed included.
    """
    if grant.effect != "Allow" or grant.principal.startswith("every principal except"):
        # A NotPrincipal Allow lets in all it doesn't name: any new one widens.
        return grant.effect == "Allow"
    if grant.principal == _ACCOUNT and not key:
        return False
    # Covered by what the same principal, or everyone, was allowed before.
    covering = [
        dataclasses.replace(old, principal="")
        for old in before
        if old.principal in (grant.principal, "*")
    ]
    return _widens(dataclasses.replace(grant, principal=""), covering)


def _grants_of(report: AccessReport, key: str) -> tuple[Grant, ...]:
    role = report.role(key)
    return role.grants if role is not None else ()


def _trust_of(report: AccessReport, key: str) -> tuple[Grant, ...]:
    role = report.role(key)
    return role.trust if role is not None else ()


def _unknown(report: AccessReport, key: str) -> bool:
    role = report.role(key)
    return role is None or role.not_shown is not None


def _widens(grant: Grant, before: Sequence[Grant]) -> bool:
    """Whether an allowing ``grant`` reaches beyond every allowing grant of ``before``."""
    if grant.effect != "Allow":
        return False  # a new denial narrows
    return not any(old.effect == "Allow" and _reaches(old, grant) for old in before)


def _still_denied(grant: Grant, now: Sequence[Grant]) -> bool:
    """Whether a denial of ``now`` denies all that the (removed) Deny ``grant`` denied.

    One that names the same principal or ``*``, and whose action, resource and condition
    reach as far (``_reaches``): per-pipeline ``sealed/<pipeline>/*`` denials replaced by
    one on ``sealed/*``, same action and condition, are still denied.

    Example::

        old = Grant("s3", "Deny", "s3:PutObject", "Store: sealed/p/*", principal="*")
        _still_denied(old, [dataclasses.replace(old, resource="Store: sealed/*")])  # True
    """
    return any(
        new.effect == "Deny"
        and (new.principal == grant.principal or new.principal == "*")
        and _reaches(new, grant)
        for new in now
    )


def _reaches(broad: Grant, narrow: Grant) -> bool:
    """Whether ``broad`` applies wherever ``narrow`` does (effect and principal aside).

    Same group (it sets how a resource is shown), ``broad``'s action and resource patterns
    taking ``narrow``'s, and ``broad``'s condition no narrower (``_condition_within``). A
    NotAction or NotResource grant (``every action except …``) reaches only its like: its
    patterns exclude, so a wider pattern there takes less.
    """
    if broad.group != narrow.group or not _condition_within(broad.condition, narrow.condition):
        return False
    if _negated(broad) or _negated(narrow):
        return (broad.action, broad.resource) == (narrow.action, narrow.resource)
    return _covers(broad.action, narrow.action, ignore_case=True) and _covers_bucket(broad, narrow)


def _covers_bucket(broad: Grant, narrow: Grant) -> bool:
    """Whether ``broad``'s resource pattern takes ``narrow``'s, a bucket shown by path aside.

    A bucket of the assembly is shown by construct path (``dev/Ml/Data: sealed/*``), its
    name unknown here: a bucket name pattern (``arn:aws:s3:::dev*/sealed/*``, shown
    ``dev*: sealed/*``) may match the path as text and not the name. Such a bucket is taken
    only by ``*`` or its own path. A bucket name can't hold a ``/``; a construct path does.
    An ``s3:ListBucket`` of the bucket without ``s3:prefix`` (shown as the bucket alone)
    takes its listing under any prefix (``bucket: models/*``).
    """
    if _group(broad.action) == "s3" and _group(narrow.action) == "s3":
        bucket, _, key = broad.resource.partition(": ")
        theirs = narrow.resource.partition(": ")[0]
        if "/" in theirs and bucket not in ("*", theirs):
            return False
        if not key and ": " in narrow.resource and narrow.action.lower() == "s3:listbucket":
            # A listing of the bucket without s3:prefix lists every key: it takes a listing
            # of the same bucket under a prefix (a monitor's baseline listing narrowed to
            # its key's first segment is no wider).
            return _covers(f"{broad.resource}: *", narrow.resource, ignore_case=False)
    return _covers(broad.resource, narrow.resource, ignore_case=False)


def _negated(grant: Grant) -> bool:
    # As ``_grants`` words a NotAction or NotResource statement (group ``other``).
    return grant.action.startswith("every action except ") or grant.resource.startswith(
        "every resource except "
    )


def _condition_within(broad: str, narrow: str) -> bool:
    """Whether condition text ``broad`` holds wherever ``narrow`` does (as ``_condition_text``).

    A condition's tests all hold together, so ``broad`` is none, the same, or some of
    ``narrow``'s tests word for word (operator, key and values). Anything else (a value
    added to a test, another operator) counts as narrower: a review errs toward flagging.
    """
    if not broad or broad == narrow:
        return True
    # Split outside quotes: a value holding "; " is one test, not the tests it spells.
    broad_tests, narrow_tests = _condition_tests(broad), _condition_tests(narrow)
    if broad_tests is None or narrow_tests is None:
        return False
    return set(broad_tests) <= set(narrow_tests)


# What ``_key`` shows in place of a name: the pipeline's, an asset's (by display name);
# and what the assembly reader shows for a version's model data, known at deploy time.
_PLACEHOLDER = re.compile(r"<pipeline>|<asset [^>]*>|<model data>")
# One version's model data, or another's (``models/<model data of churn version 3>``):
# compared as one name. The function keeps each under its store's prefix, so a new version
# of the same store is no wider a read (another store's bucket still is).
_MODEL_DATA = re.compile(re.escape(MODEL_DATA_PLACEHOLDER).replace(r"\{\}", "[^>]*"))
# Characters of Unicode's private use area stand for placeholders while matching, so only
# a wildcard can take them (a pattern that holds one itself is compared as text).
_MARKERS = 0xE000
_MARKED = re.compile("[\ue000-\uf8ff]")


def _covers(pattern: str, text: str, *, ignore_case: bool) -> bool:
    """Whether IAM's wildcard ``pattern`` takes every string ``text`` (a pattern too) takes.

    A placeholder (``<pipeline>``, ``<asset …>``) is a name, not its text: it is taken by
    ``*`` or by the same placeholder only, so ``sealed/<*`` doesn't take
    ``sealed/<pipeline>/*``, nor ``<asset a>`` take ``<asset b>``. A version's model data
    (``<model data of churn version 3>``) is taken by any version's.

    Example::

        _covers("sealed/*", "sealed/<pipeline>/*", ignore_case=False)  # True
        _covers("sealed/<*", "sealed/<pipeline>/*", ignore_case=False)  # False
    """
    pattern = _MODEL_DATA.sub("<model data>", pattern)
    text = _MODEL_DATA.sub("<model data>", text)
    names = sorted(set(_PLACEHOLDER.findall(pattern)) | set(_PLACEHOLDER.findall(text)))
    if names:
        if _MARKED.search(pattern) or _MARKED.search(text):
            return pattern == text  # can't tell a marker from the text's own: errs to flag
        markers = {name: chr(_MARKERS + index) for index, name in enumerate(names)}
        pattern = _PLACEHOLDER.sub(lambda match: markers[match[0]], pattern)
        text = _PLACEHOLDER.sub(lambda match: markers[match[0]], text)
    return _wildcards(pattern, ignore_case).fullmatch(text) is not None


@functools.lru_cache(maxsize=4096)
def _wildcards(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # A ``?`` can't stand for the other side's ``*``: that takes more than one character;
    # nor for a placeholder's marker: the name it stands for may be longer.
    body = "".join(
        ".*" if char == "*" else "[^*\ue000-\uf8ff]" if char == "?" else re.escape(char)
        for char in pattern
    )
    return re.compile(body, (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def _not_in_roles(grants: Sequence[Grant], diff: AccessDiff, *, added: bool) -> list[Grant]:
    """A function policy's ``grants`` but those its invoker role's change lists too.

    An invoker by its identity policy (``_invokers``) is listed in the role's change when the
    role's grant itself was added (``added``) or removed, the same action and condition on
    a resource taking the function's; not when the function alone changed.
    """
    suffix = _IDENTITY.format("")  # " (identity policy)"
    changed = {change.key: change.added if added else change.removed for change in diff.roles}
    kept = []
    for grant in grants:
        role = grant.principal.removesuffix(suffix) if grant.principal.endswith(suffix) else None
        shown = changed.get(role, ()) if role is not None else ()
        if not any(
            (own.group, own.effect, own.action, own.condition)
            == (grant.group, grant.effect, grant.action, grant.condition)
            and _covers(own.resource, grant.resource, ignore_case=False)
            for own in shown
        ):
            kept.append(grant)
    return kept


def _diff_summary(diff: AccessDiff) -> str:
    if not diff:
        return "no change of access"
    # Counted as shown: a line (write bucket: key) may stand for several actions. A role's
    # grant to invoke a function, listed in the role's change and again in the function
    # policy's (``(identity policy)``), is one grant: counted in the role's.
    added = sum(len(grant_lines(change.added)) for change in diff.roles)
    removed = sum(len(grant_lines(change.removed)) for change in diff.roles)
    for policy in diff.policies:
        added += len(grant_lines(_not_in_roles(policy.added, diff, added=True)))
        removed += len(grant_lines(_not_in_roles(policy.removed, diff, added=False)))
    parts = []
    if added:
        parts.append(f"{added} grant{'s' if added != 1 else ''} added")
    if removed:
        parts.append(f"{removed} grant{'s' if removed != 1 else ''} removed")
    for kind in ("added", "removed"):
        count = sum(1 for change in diff.roles if change.kind == kind)
        if count:
            parts.append(f"{count} role{'s' if count != 1 else ''} {kind}")
    if diff.moves:
        parts.append(f"{len(diff.moves)} step{'s' if len(diff.moves) != 1 else ''} moved")
    verdict = "widens access" if diff.widens else "does not widen access"
    return f"{', '.join(parts) or 'changed'}: {verdict}"


WIDENS_MARK = "  (widens)"
ACCEPTED_MARK = " (accepted)"
MOVES_HEADING = "Steps moved to another role:"


def _change_lines(change: RoleChange | PolicyChange) -> list[str]:
    lines = [f"  {note}" for note in change.notes] if isinstance(change, RoleChange) else []
    widening = set(change.widening)
    for sign, grants in (("+", change.added), ("-", change.removed)):
        for _, line, items in grant_lines(grants):
            mark = WIDENS_MARK if widening.intersection(items) else ""
            lines.append(f"  {sign} {line}{mark}")
    return lines


def _move_text(move: StepMove) -> str:
    base = ", ".join(move.base) or "-"
    head = ", ".join(move.head) or "-"
    return f"{move.name}: {base} → {head}" + (WIDENS_MARK if move.widens else "")


def _change_heading(change: RoleChange) -> str:
    runs = f" (runs {', '.join(change.steps)})" if change.steps else ""
    return f"Role {change.kind}: {change.label}{runs}"


def widening_lines(diff: AccessDiff) -> list[tuple[str, str]]:
    """Each flagged widening as ``(heading, line)``, stripped, as the text diff prints them.

    The heading is the line above it that names the role, resource policy or
    ``Steps moved to another role:``; the line ends in ``(widens)``. These are what
    ``smpipe access --accept FILE`` matches. A role ``loosened`` (a boundary removed,
    policies no longer shown) has no such line: it can't be accepted.

    Example::

        widening_lines(diff)  # [("Role changed: dev/Ml/StepRole (…)", "+ write …  (widens)")]
    """
    found = [(MOVES_HEADING, _move_text(move)) for move in diff.moves if move.widens]
    sections: list[tuple[str, RoleChange | PolicyChange]] = [
        (_change_heading(change), change) for change in diff.roles
    ]
    sections += [(policy.heading, policy) for policy in diff.policies]
    for heading, change in sections:
        found += [
            (heading, line.strip()) for line in _change_lines(change) if line.endswith(WIDENS_MARK)
        ]
    return found


def _marked(heading: str, line: str, accepted: Collection[tuple[str, str]]) -> str:
    if line.endswith(WIDENS_MARK) and (heading, line.strip()) in accepted:
        return line + ACCEPTED_MARK
    return line


def render_access_diff_text(diff: AccessDiff, accepted: Collection[tuple[str, str]] = ()) -> str:
    """The diff as plain text (``smpipe access BASE HEAD``).

    ``accepted``: ``(heading, line)`` of ``widening_lines`` to mark ``(accepted)``.
    """
    out = [f"{diff.labels[0]} → {diff.labels[1]}: {_diff_summary(diff)}"]
    if diff.moves:
        out.append(MOVES_HEADING)
        out += [f"  {_marked(MOVES_HEADING, _move_text(move), accepted)}" for move in diff.moves]
    for change in diff.roles:
        heading = _change_heading(change)
        out.append(heading)
        out += [f"  {_marked(heading, line, accepted)}" for line in _change_lines(change)]
    for policy in diff.policies:
        out.append(policy.heading)
        out += [f"  {_marked(policy.heading, line, accepted)}" for line in _change_lines(policy)]
    return "\n".join(out) + "\n"


def _markdown_row(heading: str, row: str, accepted: Collection[tuple[str, str]]) -> str:
    row = _marked(heading, row, accepted).strip()
    return row.replace(WIDENS_MARK + ACCEPTED_MARK, "   # widens (accepted)").replace(
        WIDENS_MARK, "   # widens"
    )


def render_access_diff_markdown(
    diff: AccessDiff, accepted: Collection[tuple[str, str]] = ()
) -> str:
    """The diff as Markdown (``smpipe access BASE HEAD --markdown``, a PR comment).

    ``accepted``: ``(heading, line)`` of ``widening_lines`` to mark ``(accepted)``.
    """
    out = [f"**Access** `{diff.labels[0]}` → `{diff.labels[1]}`: {_diff_summary(diff)}"]
    if diff.moves:
        out += ["", "| Step moved | From | To | Widens |", "| --- | --- | --- | --- |"]
        for move in diff.moves:
            base = ", ".join(move.base) or "-"
            head = ", ".join(move.head) or "-"
            widens = "yes" if move.widens else "no"
            if move.widens and (MOVES_HEADING, _move_text(move)) in accepted:
                widens += ACCEPTED_MARK
            out.append(f"| {move.name} | {_cell(base)} | {_cell(head)} | {widens} |")
    for change in diff.roles:
        runs = f" (runs {', '.join(change.steps)})" if change.steps else ""
        out += ["", f"**Role {change.kind}** `{change.label}`{runs}"]
        out += [f"- {note}" for note in change.notes]
        rows = _change_lines(change)[len(change.notes) :]
        if rows:
            heading = _change_heading(change)
            out += ["", "```diff"] + [_markdown_row(heading, row, accepted) for row in rows]
            out.append("```")
    for policy in diff.policies:
        out += ["", f"**{policy.heading}**", "", "```diff"]
        out += [_markdown_row(policy.heading, row, accepted) for row in _change_lines(policy)]
        out.append("```")
    return "\n".join(out) + "\n"


def render_access_diff_json(diff: AccessDiff) -> dict[str, Any]:
    """The diff as JSON data (``smpipe access BASE HEAD --json``)."""
    return {
        "base": diff.labels[0],
        "head": diff.labels[1],
        "widens": diff.widens,
        "moves": [
            {"step": m.name, "base": list(m.base), "head": list(m.head), "widens": m.widens}
            for m in diff.moves
        ],
        "roles": [
            {
                "kind": change.kind,
                "key": change.key,
                "label": change.label,
                "steps": list(change.steps),
                "added": [grant.to_json() for grant in change.added],
                "removed": [grant.to_json() for grant in change.removed],
                "widening": [grant.to_json() for grant in change.widening],
                "notes": list(change.notes),
            }
            for change in diff.roles
        ],
        "resource_policies": [
            {
                "kind": change.kind,
                "resource": change.resource,
                "key": change.key,
                "label": change.label,
                "added": [grant.to_json() for grant in change.added],
                "removed": [grant.to_json() for grant in change.removed],
                "widening": [grant.to_json() for grant in change.widening],
            }
            for change in diff.policies
        ],
    }


__all__ = [
    "GROUPS",
    "NOT_IN_ASSEMBLY",
    "OTHER_ROLE",
    "POLICY_KINDS",
    "STACK_ROLE",
    "AccessDiff",
    "AccessReport",
    "Grant",
    "PolicyAccess",
    "PolicyChange",
    "RoleAccess",
    "RoleChange",
    "StepAccess",
    "StepMove",
    "access_report",
    "diff_access",
    "grant_lines",
    "render_access_diff_json",
    "render_access_diff_markdown",
    "render_access_diff_text",
    "render_access_json",
    "render_access_markdown",
    "render_access_text",
    "stack_access_reports",
    "widening_lines",
]
