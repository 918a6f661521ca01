"""Helpers for the construct tests: small definitions and views into templates."""

from __future__ import annotations

import copy
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    ProcessingStep,
    StaticBinder,
    TrainingStep,
)
from cdk_sagemaker_pipelines.template import pipeline_definitions
from tests.conftest import REPO, ROLE

ACCOUNT = "111122223333"
REGION = "us-east-1"
SCRIPTS = REPO / "example_project" / "scripts"
PREPROCESS = SCRIPTS / "preprocess.py"
TRAIN = SCRIPTS / "model" / "train.py"
ASSETS_BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
SKLEARN_URI = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def s3_arn(resource: Any) -> dict[str, Any]:
    """``arn:${Partition}:s3:::<resource>`` as the constructs render it (``Arn.format``)."""
    parts: list[Any] = ["arn:", {"Ref": "AWS::Partition"}]
    if isinstance(resource, str):
        parts.append(f":s3:::{resource}")
    else:
        parts += [":s3:::", *resource]
    return {"Fn::Join": ["", parts]}


def prep_and_train(*, script: Path = PREPROCESS) -> PipelineDefinition:
    """Processing (local script, a literal input) → Training (local script) on sklearn."""
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(script),
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(TRAIN),
        inputs={"train": prep.output("train")},
    )
    return PipelineDefinition(steps=[train])


def literal_definition() -> dict[str, Any]:
    """A definition JSON with literal values only (as if written by hand or by the SDK)."""
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
        volume_kms_key="arn:aws:kms:us-east-1:111122223333:key/volume-key",
        output_kms_key="arn:aws:kms:us-east-1:111122223333:key/output-key",
    )
    binder = StaticBinder(region=REGION, role_arn=ROLE, default_bucket="out-bucket")
    return PipelineDefinition(steps=[prep]).to_definition(binder)


# Template.to_json() sends the whole template over the jsii pipe on every call. A Template is
# a snapshot of one synthesis, so its JSON is fetched once; readers get copies of their part.
_TEMPLATE_JSON: weakref.WeakKeyDictionary[Template, Mapping[str, Any]] = weakref.WeakKeyDictionary()


def _template_json(template: Template) -> Mapping[str, Any]:
    if template not in _TEMPLATE_JSON:
        _TEMPLATE_JSON[template] = template.to_json()
    return _TEMPLATE_JSON[template]


def template_json(template: Template) -> dict[str, Any]:
    """``template.to_json()``, a copy of the JSON fetched once per Template."""
    return copy.deepcopy(dict(_template_json(template)))


def definition_of(template: Template) -> dict[str, Any]:
    """The one pipeline definition in ``template``, decoded (intrinsics as placeholders)."""
    ((_, definition),) = list(pipeline_definitions(_template_json(template)))
    return copy.deepcopy(definition)


def resource(template: Template, logical_id: str) -> dict[str, Any]:
    """One resource of ``template`` by logical id."""
    found: dict[str, Any] = copy.deepcopy(_template_json(template)["Resources"][logical_id])
    return found


def logical_id(construct: Any) -> str:
    """The logical id of an L1 construct or of an L2's default child."""
    element = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
    stack = cdk.Stack.of(element)
    return str(stack.resolve(stack.get_logical_id(element)))


def statements(template: Template, policy: Any) -> dict[str, dict[str, Any]]:
    """The statements of a managed policy (or an L1 policy) by Sid."""
    properties = resource(template, logical_id(policy))["Properties"]
    return {entry["Sid"]: entry for entry in properties["PolicyDocument"]["Statement"]}


def grantee_statements(template: Template, role: iam.Role) -> list[dict[str, Any]]:
    """The statements of a role's default (inline) policy."""
    policy = role.node.find_child("DefaultPolicy").node.default_child
    document: list[dict[str, Any]] = resource(template, logical_id(policy))["Properties"][
        "PolicyDocument"
    ]["Statement"]
    return document


def steps_by_name(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every step of a decoded definition (branch steps included) by name."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(definition["Steps"])
    while pending:
        step = pending.pop(0)
        found[step["Name"]] = step
        if step["Type"] == "Condition":
            pending += step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", [])
    return found
