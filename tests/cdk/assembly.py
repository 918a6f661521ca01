"""Views into the synthesized reference app for the app-level tests.

Templates are plain JSON: intrinsics are flattened to the placeholders of
``cdk_sagemaker_pipelines.template.placeholder`` (``${Ref:Bucket1}``,
``${GetAtt:Role1.Arn}``), the same strings the decoded pipeline definitions contain, so
an ARN in a policy and a location in a definition can be compared as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cdk_sagemaker_pipelines.template import placeholder
from tests.cdk.conftest import SynthesizedApp, cdk_context

IDENTITY_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
PRINCIPAL_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")


@cache
def reference_stacks() -> tuple[str, ...]:
    """The stacks the reference app should have: ``<environment>/MlOps`` per cdk.json entry."""
    return tuple(f"{name}/MlOps" for name in cdk_context()["environments"])


def stack_test_id(stack: str) -> str:
    """``dev/MlOps`` -> ``dev-MlOps`` (a pytest id and snapshot file name)."""
    return stack.replace("/", "-")


def flatten(value: Any) -> str:
    """A template value (string or intrinsic) as one string with readable placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and len(value) == 1:
        return placeholder(value)
    return json.dumps(value, sort_keys=True)


def as_list(value: Any) -> list[Any]:
    """IAM fields take a value or a list of values."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def ref_target(value: Any) -> str | None:
    """The logical id a ``Ref``/``Fn::GetAtt`` (or its placeholder string) points at."""
    if isinstance(value, Mapping):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else target.split(".")[0])
        return None
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{(?:Ref|GetAtt):([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}", value)
        return match.group(1) if match else None
    return None


# -- IAM ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One policy statement, normalized: lists everywhere, resources flattened."""

    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: Mapping[str, Any]
    sid: str | None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Statement:
        """Normalize a statement as it appears in a template."""
        return cls(
            effect=str(raw.get("Effect")),
            actions=tuple(flatten(a) for a in as_list(raw.get("Action"))),
            not_actions=tuple(flatten(a) for a in as_list(raw.get("NotAction"))),
            resources=tuple(flatten(r) for r in as_list(raw.get("Resource"))),
            not_resources=tuple(flatten(r) for r in as_list(raw.get("NotResource"))),
            conditions=raw.get("Condition") or {},
            sid=raw.get("Sid"),
        )

    @property
    def allows(self) -> bool:
        """An Allow statement (Deny statements only ever take access away)."""
        return self.effect == "Allow"


@dataclass(frozen=True)
class PolicyDocument:
    """A policy document found in a template.

    ``kind`` is ``identity`` (IAM policies and a principal's inline policies: ``*`` means
    every resource), ``trust`` (a role's assume-role policy) or ``resource`` (key,
    bucket, topic, queue, model package group policies: ``*`` means the resource itself).
    """

    logical_id: str
    resource_type: str
    where: str
    kind: str
    statements: tuple[Statement, ...]

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.where}"


def _documents_in(value: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(value, Mapping):
        if isinstance(value.get("Statement"), (list, Mapping)):
            yield where, value
            return
        for key, item in value.items():
            yield from _documents_in(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _documents_in(item, f"{where}[{index}]")


def policy_documents(template: Mapping[str, Any]) -> list[PolicyDocument]:
    """Every policy document in the template's resource properties, classified."""
    found: list[PolicyDocument] = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        resource_type = str(resource.get("Type"))
        for where, document in _documents_in(resource.get("Properties") or {}, ""):
            identity = resource_type in IDENTITY_POLICY_TYPES and where == "PolicyDocument"
            inline = resource_type in PRINCIPAL_TYPES and where.startswith("Policies[")
            if identity or inline:
                kind = "identity"
            elif where == "AssumeRolePolicyDocument":
                kind = "trust"
            else:
                kind = "resource"
            statements = tuple(Statement.of(raw) for raw in as_list(document["Statement"]))
            found.append(PolicyDocument(logical_id, resource_type, where, kind, statements))
    return found


def principal_statements(template: Mapping[str, Any], principal: str) -> list[Statement]:
    """Every identity statement that applies to a role (user, group) of the template.

    Inline policies, attached managed policies (``ManagedPolicyArns`` and a managed
    policy's ``Roles``) and ``AWS::IAM::Policy`` resources naming the role.
    """
    resources = template.get("Resources") or {}
    role = resources[principal]
    statements = [
        Statement.of(raw)
        for inline in as_list((role.get("Properties") or {}).get("Policies"))
        for raw in as_list(inline["PolicyDocument"]["Statement"])
    ]
    attached = {
        ref_target(arn) for arn in as_list((role.get("Properties") or {}).get("ManagedPolicyArns"))
    }
    for logical_id, resource in resources.items():
        if resource.get("Type") not in IDENTITY_POLICY_TYPES:
            continue
        properties = resource.get("Properties") or {}
        principals = {
            ref_target(ref)
            for key in ("Roles", "Users", "Groups")
            for ref in as_list(properties.get(key))
        }
        if principal in principals or logical_id in attached:
            statements += [
                Statement.of(raw) for raw in as_list(properties["PolicyDocument"]["Statement"])
            ]
    return statements


def iam_pattern(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """An IAM string with ``*`` and ``?`` wildcards as a regular expression."""
    parts = (
        ".*" if piece == "*" else "." if piece == "?" else re.escape(piece)
        for piece in re.split(r"([*?])", pattern)
    )
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether the IAM ``pattern`` (action or resource) covers ``value``."""
    return iam_pattern(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def allowed(
    statements: list[Statement],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> list[Statement]:
    """The Allow statements that grant ``action`` on ``resource``.

    A statement with conditions counts only when ``context`` (condition key -> request
    value) satisfies every one of them (``StringEquals``, ``StringLike``, ``Bool``); one
    with a condition on a key missing from ``context`` does not count.
    """
    granting: list[Statement] = []
    for statement in statements:
        if not statement.allows or not statement.resources:
            continue
        if not any(matches(pattern, action, ignore_case=True) for pattern in statement.actions):
            continue
        if not any(matches(pattern, resource) for pattern in statement.resources):
            continue
        if _conditions_hold(statement.conditions, context or {}):
            granting.append(statement)
    return granting


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    for operator, tests in conditions.items():
        for key, expected in tests.items():
            if key not in context:
                return False
            values = [flatten(v) for v in as_list(expected)]
            actual = context[key]
            if operator in ("StringEquals", "Bool"):
                ok = actual in values
            elif operator == "StringLike":
                ok = any(matches(value, actual) for value in values)
            else:
                return False  # an operator this helper doesn't model: don't count it
            if not ok:
                return False
    return True


# -- the cloud assembly ------------------------------------------------------------------


def stack_manifest_entry(app: SynthesizedApp, stack: str) -> tuple[Path, Mapping[str, Any]]:
    """The nested assembly directory and manifest artifact of a stack (plain JSON).

    (``cx_api``'s typed manifest fails to deserialize some artifacts, so this reads the
    files.)
    """
    template_path = app.template_paths[stack]
    directory = template_path.parent
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact in manifest["artifacts"].values():
        properties = artifact.get("properties") or {}
        if properties.get("templateFile") == template_path.name:
            return directory, artifact
    raise LookupError(f"no manifest artifact for {stack}")


def stack_metadata(app: SynthesizedApp, stack: str) -> dict[str, list[Mapping[str, Any]]]:
    """The construct metadata CDK recorded for a stack: path -> entries (type, data)."""
    directory, artifact = stack_manifest_entry(app, stack)
    metadata: dict[str, list[Mapping[str, Any]]] = {
        path: list(entries) for path, entries in (artifact.get("metadata") or {}).items()
    }
    extra = artifact.get("additionalMetadataFile")
    if extra:
        for path, entries in json.loads((directory / extra).read_text()).items():
            metadata.setdefault(path, []).extend(entries)
    return metadata


def logical_id_paths(app: SynthesizedApp, stack: str) -> dict[str, str]:
    """Logical id -> construct path (``dev/MlOps/Artifacts/Bucket/Resource``)."""
    paths: dict[str, str] = {}
    for path, entries in stack_metadata(app, stack).items():
        for entry in entries:
            if entry.get("type") == "aws:cdk:logicalId":
                paths[str(entry["data"])] = path.lstrip("/")
    return paths


def stack_environment(app: SynthesizedApp, stack: str) -> tuple[str | None, str | None]:
    """(account, region) of a stack, ``None`` where it is environment-agnostic."""
    _, artifact = stack_manifest_entry(app, stack)
    match = re.fullmatch(r"aws://([^/]+)/([^/]+)", str(artifact.get("environment")))
    assert match is not None, artifact.get("environment")
    account, region = match.groups()
    return (
        None if account == "unknown-account" else account,
        None if region == "unknown-region" else region,
    )
