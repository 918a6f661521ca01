"""Helpers for the construct tests: small definitions and views into templates."""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    ProcessingStep,
    StaticBinder,
    TrainingStep,
)
from cdk_sagemaker_pipelines.template import pipeline_definitions
from constructs import Construct, IConstruct
from tests.conftest import REPO, ROLE

ACCOUNT = "111122223333"
REGION = "us-east-1"
SCRIPTS = REPO / "example_project" / "scripts"
PREPROCESS = SCRIPTS / "preprocess.py"
TRAIN = SCRIPTS / "model" / "train.py"
ASSETS_BUCKET = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
SKLEARN_URI = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"

# The trust policy of the roles SageMaker runs jobs with (this account only).
SAGEMAKER_TRUST = {
    "Statement": [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
        }
    ],
    "Version": "2012-10-17",
}


def s3_arn(resource: Any) -> dict[str, Any]:
    """``arn:${Partition}:s3:::<resource>`` as the constructs render it (``Arn.format``)."""
    parts: list[Any] = ["arn:", {"Ref": "AWS::Partition"}]
    if isinstance(resource, str):
        parts.append(f":s3:::{resource}")
    else:
        parts += [":s3:::", *resource]
    return {"Fn::Join": ["", parts]}


def prep_step(*, script: Path = PREPROCESS) -> ProcessingStep:
    """Processing on sklearn: a local script, a literal input, one output, ``train``."""
    return ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(script),
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
    )


def prep_and_train_steps(*, script: Path = PREPROCESS) -> tuple[ProcessingStep, TrainingStep]:
    """``prep_step()`` → Training (local script) on sklearn, reading Prep's ``train``."""
    prep = prep_step(script=script)
    return prep, TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(TRAIN),
        inputs={"train": prep.output("train")},
    )


def prep_and_train(*, script: Path = PREPROCESS) -> PipelineDefinition:
    """Processing (local script, a literal input) → Training (local script) on sklearn."""
    _, train = prep_and_train_steps(script=script)
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


def synthesized(stack: cdk.Stack) -> tuple[Template, Annotations]:
    """The template and the annotations of ``stack``, from one synthesis of its app.

    ``Annotations.from_stack`` synthesizes the whole app again (``force=True``) each call;
    ``Template.from_stack`` reads the app's last assembly, synthesizing only when there is
    none or the tree changed since. Annotations first, so the template is that same
    synthesis's: one synthesis where ``Template.from_stack`` then ``Annotations.from_stack``
    took two. For a test that reads both of an app it no longer changes.
    """
    annotations = Annotations.from_stack(stack)
    return Template.from_stack(stack), annotations


def pipeline_under_nag(
    definition: PipelineDefinition,
    pipeline_name: str,
    *,
    store_props: dict[str, Any] | None = None,
    **props: Any,
) -> tuple[Pipeline, Template, Annotations]:
    """A ``Pipeline`` of ``definition`` with its store, synthesized under cdk-nag.

    cdk-nag's AwsSolutions and NIST 800-53 packs fail the synthesis on any finding not
    acknowledged (``test_policies.add_nag_packs``). Returns the pipeline, its template and
    the annotations of that one synthesis. ``props``: more of the ``Pipeline``'s props;
    ``store_props``: the ``ArtifactStore``'s.
    """
    # Imported here: both modules import this one.
    from cdk_sagemaker_pipelines.cdk import ArtifactStore
    from tests.cdk.conftest import new_app
    from tests.cdk.test_policies import add_nag_packs

    app = new_app()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    store = ArtifactStore(stack, "Store", **(store_props or {}))
    pipeline = Pipeline(
        stack,
        "Training",
        definition=definition,
        pipeline_name=pipeline_name,
        artifact_store=store,
        **props,
    )
    add_nag_packs(app, store)
    template, annotations = synthesized(stack)  # one synthesis, under the packs
    return pipeline, template, annotations


def pack_findings(scope: IConstruct) -> list[str]:
    """``"<rule> <construct path>"`` of every finding of the four cdk-nag packs the app uses."""
    packs = (AwsSolutionsChecks(), NIST80053R5Checks(), HIPAASecurityChecks(), PCIDSS321Checks())
    return [
        f"{violation.rule_name} {resource.construct_path}"
        for pack in packs
        for violation in pack.validate_scope(scope).violations
        for resource in violation.violating_resources
    ]


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


def _jsii_ref(construct: IConstruct) -> str:
    # The kernel's id of the object: stable for its life, and read without a round trip
    # (a construct's path takes two per construct).
    ref: str = construct.__jsii_ref__.ref  # type: ignore[attr-defined]
    return ref


def _policy_documents(constructs: Iterable[IConstruct]) -> list[iam.PolicyDocument]:
    """The policy documents of the roles, policies, keys, buckets, topics and queues."""
    documents: list[Any] = []
    for construct in constructs:
        if isinstance(construct, iam.Role):
            documents.append(construct.assume_role_policy)
        elif isinstance(
            construct,
            iam.Policy | iam.ManagedPolicy | s3.BucketPolicy | sns.TopicPolicy | sqs.QueuePolicy,
        ):
            documents.append(construct.document)
        elif isinstance(construct, kms.CfnKey):  # the L2 Key's document is protected
            documents.append(construct.key_policy)
    return [document for document in documents if isinstance(document, iam.PolicyDocument)]


class SharedPipeline:
    """One app with a pipeline, lent in turn to tests whose construct must fail validation.

    A construct whose props fail takes itself out of the tree again, but a test may add
    others (the rule a target is bound to, a queue), and building a fresh stack and
    pipeline per test takes ~70 jsii round trips. ``restore()``, after each test, removes
    what the test added under the app's root and under the pipeline's stack, then checks
    that the app is exactly as built: the same constructs (so the same construct paths) and the same
    resolved policy documents, i.e. the failing call added nothing else (no construct
    deeper in the tree, no grant, no statement). When it isn't, the app is built anew for
    the next test and ``restore()`` fails.
    """

    def __init__(self, build: Callable[[], Pipeline]) -> None:
        self._build = build
        self._set_up()

    def _set_up(self) -> None:
        self.pipeline = self._build()
        self.stack = cdk.Stack.of(self.pipeline)
        root = self.stack.node.root
        assert isinstance(root, Construct)  # the App, created in Python
        self.root = root
        self._scopes = [self.root.node, self.stack.node]
        self._children = [{_jsii_ref(child) for child in scope.children} for scope in self._scopes]
        self._constructs = {_jsii_ref(construct): construct for construct in self._all()}
        self._documents = _policy_documents(self._constructs.values())
        self._policies = self._resolved_policies()

    def _all(self) -> list[IConstruct]:
        return self._scopes[0].find_all()

    def _resolved_policies(self) -> Any:
        # to_json() renders the statements without freezing them (resolving the document
        # itself would), so a later grant behaves as it would on a fresh stack.
        return self.stack.resolve([document.to_json() for document in self._documents])

    def restore(self) -> None:
        """Remove what the test added under the root and the stack; fail if more changed."""
        for scope, built in zip(self._scopes, self._children, strict=True):
            for child in scope.children:
                if _jsii_ref(child) not in built:
                    scope.try_remove_child(child.node.id)
        found = {_jsii_ref(construct): construct for construct in self._all()}
        added = sorted(c.node.path for ref, c in found.items() if ref not in self._constructs)
        removed = sorted(c.node.path for ref, c in self._constructs.items() if ref not in found)
        policies = self._resolved_policies()
        if added or removed or policies != self._policies:
            before = self._policies
            self._set_up()  # the next test gets an untouched app
            assert not added, f"the test left constructs behind: {added}"
            assert not removed, f"the test removed constructs: {removed}"
            assert policies == before, "the test changed a policy document"


def resolved_intrinsics(value: Any, attributes: Mapping[str, str], *, region: str) -> Any:
    """``value`` of a template with its intrinsics replaced, to evaluate policies locally.

    Pseudo parameters take ``region`` (partition ``aws``); a ``Ref`` or ``Fn::GetAtt`` of a
    resource takes its value in ``attributes`` (``"Logical.Arn"`` for an attribute), else a
    placeholder that matches no ARN; ``Fn::Join``, ``Fn::Split`` and ``Fn::Select`` are
    applied.

    Example::

        resolved_intrinsics({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}]]}, {},
                            region="us-east-1")  # "arn:aws"
    """
    pseudo = {"AWS::Region": region, "AWS::URLSuffix": "amazonaws.com", "AWS::Partition": "aws"}

    def resolve(item: Any) -> Any:
        if isinstance(item, list):
            return [resolve(part) for part in item]
        if not isinstance(item, dict):
            return item
        if "Fn::Join" in item:
            separator, parts = item["Fn::Join"]
            return separator.join(resolve(part) for part in parts)
        if "Ref" in item:
            ref = item["Ref"]
            return pseudo.get(ref, attributes.get(ref, f"<{ref}>"))
        if "Fn::GetAtt" in item:
            name = ".".join(item["Fn::GetAtt"])
            return attributes.get(name, f"<{name}>")  # another resource: matches no ARN
        if "Fn::Split" in item:
            separator, source = item["Fn::Split"]
            return str(resolve(source)).split(separator)
        if "Fn::Select" in item:
            index, items = item["Fn::Select"]
            return resolve(items)[index]
        return {key: resolve(part) for key, part in item.items()}

    return resolve(value)
