"""Acknowledge, finding by finding, the IAM wildcards our constructs create on purpose.

cdk-nag's AwsSolutions-IAM5 reports every resource with a ``*``; some are inherent (job
names carry service-generated suffixes, each execution writes under its own id). The
construct that creates such a statement knows why, so it acknowledges exactly those
findings with that reason; any other wildcard still fails synth.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple, TypeAlias

import jsii
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam

from constructs import IConstruct, IValidation

from ._tree import node_of, stack_of

WILDCARD_RULE = "AwsSolutions-IAM5"

# The statements of a role whose exact locations didn't fit its managed policies.
_PIPELINE_WIDE = (
    "the role's derived statements needed more managed policies than IAM attaches to a role "
    "by default, so its locations under this pipeline's own prefixes of the artifact bucket "
    "(executions/<pipeline>/, models/<pipeline>/) are granted on those prefixes as a whole: "
    "the wildcard stands for any execution, step, output and object of this pipeline only, "
    "whose jobs all run as one step role that could already reach each step's locations; "
    "the construct warns with cdk-sagemaker-pipelines:permissions-collapsed"
)
# Why a statement (by Sid prefix) needs wildcards in its resources.
REASONS: dict[str, str] = {
    "WriteSealedCopies": "a SealStep's copies go under sealed/<pipeline>/<execution id>/…, "
    "an id known only at run time: this pipeline's sealed prefix only, where the bucket "
    "policy lets no one else write and no key be replaced",
    "LockSealedCopies": "the sealing function sets the Object Lock retention of the copies "
    "it uploads under sealed/<pipeline>/<execution id>/…, an id known only at run time: this "
    "pipeline's sealed prefix only",
    "ReadArtifactsToSeal": "the artifacts a SealStep copies are outputs of this pipeline's "
    "steps, under keys with run-time execution ids and job names: exactly those outputs",
    "Jobs": "SageMaker names pipeline jobs pipelines-<execution>-<step>-<random> (or "
    "<custom prefix>-<execution>-<random>); the prefix is the narrowest ARN that matches them. "
    "Tuning and AutoML job names (32 characters at most) can't take that form and no document "
    "gives theirs: any name of the type, in this account and region",
    "RegisterModelVersions": "the registry numbers versions itself (model-package/<group>/<n>); "
    "the wildcard covers versions of this pipeline's group only",
    "ApproveModelVersions": "the registry numbers versions itself (model-package/<group>/<n>); "
    "the wildcard covers the versions of this registry's group only, which its approvers "
    "approve or reject (ModelRegistry.grant_approve)",
    "DescribeModelVersions": "the registry numbers versions itself (model-package/<group>/<n>); "
    "the wildcard covers versions of this pipeline's group only",
    "ModelVersionsOfAnyGroup": "a RegisterModel step names its model package group only at "
    "run time (a parameter) or registers an unversioned package the service names: any "
    "package of this account and region, still pending approval only; the construct warns "
    "with cdk-sagemaker-pipelines:open-model-package-group",
    "CreateModelsFromModelVersionsOfAnyGroup": "a Model step creates its model from a "
    "registered version named only at run time (a parameter, or a Lambda step's output such "
    "as the latest approved version): CreateModel and DescribeModelPackage on any version of "
    "this account and region; the construct warns with "
    "cdk-sagemaker-pipelines:model-from-model-package",
    "TagPipelineResources": "the service tags the jobs, model versions and endpoint "
    "configurations it creates, whose names it generates (or suffixes) at run time under "
    "these prefixes, and the lineage artifacts a Lineage step creates with tags, whose ARNs "
    "name a hash of their source",
    # Deployment steps (_policies._DEPLOY_SIDS).
    "EndpointConfigs": "SageMaker Pipelines adds an execution-unique suffix to the name an "
    "EndpointConfig step gives its configuration (aws/sagemaker-python-sdk#6224), so "
    "<name>* is the narrowest ARN that matches it; a name known only at run time is any "
    "configuration of this account and region (warned with "
    "cdk-sagemaker-pipelines:open-deploy-name)",
    "CreateOrUpdateEndpoints": "an Endpoint step names its endpoint only at run time (a "
    "parameter, another step's output): any endpoint of this account and region; the "
    "construct warns with cdk-sagemaker-pipelines:open-deploy-name",
    "CreateOrUpdateInferenceComponents": "an InferenceComponent step names its component "
    "only at run time (a parameter, another step's output): any inference component of this "
    "account and region; the construct warns with cdk-sagemaker-pipelines:open-deploy-name",
    "PlaceInferenceComponents": "an inference component's model is one a Model step creates, "
    "named by the service pipelines-<execution>-<step>-<random> (or <custom prefix>-…), the "
    "prefix the narrowest ARN that matches it; an endpoint or model named only at run time "
    "is any of this account and region (warned with cdk-sagemaker-pipelines:open-deploy-name)",
    "DescribeRollbackAlarms": "an Endpoint step names a rollback alarm of its deployments "
    "only at run time (a parameter, another step's output): <literal start>* of a name joined "
    "at run time, else any alarm of this account and region, for a read-only "
    "cloudwatch:DescribeAlarms (warned with cdk-sagemaker-pipelines:open-rollback-alarm)",
    # Lineage steps (_policies._LINEAGE_SIDS).
    "CreateLineageArtifacts": "SageMaker names a lineage artifact's ARN after a hash of its "
    "source (artifact/<hash>), not its name: no ARN names the one a Lineage step creates "
    "before it exists",
    "CreateLineageActions": "a Lineage step names its action only at run time (a parameter, "
    "another step's output, joined with the execution id): <literal start>* or any action "
    "of this account and region (warned with cdk-sagemaker-pipelines:open-lineage-name)",
    "CreateLineageContexts": "a Lineage step names its context only at run time (a "
    "parameter, another step's output, joined with the execution id): <literal start>* or "
    "any context of this account and region (warned with "
    "cdk-sagemaker-pipelines:open-lineage-name)",
    "AssociateLineageEntities": "an association's end is an artifact (whose ARN names a hash "
    "of its source), an entity named only at run time, or an ARN known only at run time "
    "(any action, artifact, context, experiment or trial component of this account and "
    "region; warned with cdk-sagemaker-pipelines:open-lineage-name)",
    "Read": "each execution reads under its own execution-id prefix or a declared data prefix; "
    "the wildcard stands for ids and objects only known at run time, and a trailing * for "
    "the objects under a location, which SageMaker takes as a key prefix (S3Prefix)",
    "Write": "each execution writes under its own execution-id prefix "
    "(<pipeline>/<step>/<execution>/<output>); the wildcard stands for the id and the objects, "
    "and a trailing * for the objects under the output location, a key prefix",
    "List": "jobs list the objects of their own input and output prefixes only",
    "ReadPipelineWide": _PIPELINE_WIDE,
    "WritePipelineWide": _PIPELINE_WIDE,
    "ManageClarifyShadowEndpoints": "a Clarify check of a model serves it on a shadow "
    "endpoint its job creates, invokes and deletes, naming the endpoint and its "
    "configuration <endpoint_name_prefix>-<suffix generated at run time>: <prefix>* of this "
    "account and region only (Clarify's default prefix sm-clarify; the construct warns with "
    "cdk-sagemaker-pipelines:clarify-shadow-endpoint)",
    "WriteJobLogs": "SageMaker creates one log stream per job under /aws/sagemaker/<JobType>; "
    "stream names are only known at run time",
    "PublishJobMetrics": "cloudwatch:PutMetricData has no resource type; a condition limits it "
    "to the /aws/sagemaker/* namespaces",
    "AuthenticateToEcr": "ecr:GetAuthorizationToken has no resource type; pulls are limited to "
    "the repositories in the PullImages statement",
    "RunEmrSteps": "the EMR cluster id is a pipeline parameter, known only at run time (a "
    "transient cluster per run), or the step creates the cluster; the construct warns with "
    "cdk-sagemaker-pipelines:open-emr-cluster or emr-step-creates-cluster",
    "FollowEmrSteps": "the EMR cluster id is known only at run time (a parameter, or a cluster "
    "the step creates); the construct warns",
    "CreateEmrClusters": "elasticmapreduce:RunJobFlow has no resource type; an EMR step "
    "creates its cluster with it (the construct warns with emr-step-creates-cluster)",
    "TerminateEmrClusters": "an EMR step terminates the cluster it created, whose id is only "
    "known at run time; the construct warns with emr-step-creates-cluster",
    "PassClusterRolesToEmr": "an EMR service role given by name may have any path; the "
    "wildcard stands for the path only, the name is exact",
    "ByAlias": "a KMS key the definition names by alias: IAM can't name a key by its alias in "
    "Resource, so key/* of that account and region is allowed only for keys carrying the alias "
    "(condition kms:ResourceAliases)",
    "AutoMLCandidateModelsAndEndpoints": "Autopilot creates, serves and deletes models and "
    "endpoints for an AutoML job's candidates, named at run time; the SageMaker guide's policy "
    "for an AutoML job's role grants these actions on *, scoped here to this account and "
    "region",
    "AutoMLListTags": "the SageMaker guide's policy for an AutoML job's role grants "
    "sagemaker:ListTags on *, without saying on which resources Autopilot calls it; scoped "
    "here to SageMaker resources of this account and region",
    "DescribeServedVersions": "on an update the model data reader describes the versions "
    "the endpoint served before (their model data stays readable during the rollout), whose "
    "ARNs the template no longer holds: the versions of the served versions' groups, "
    "DescribeModelPackage only",
    "EndpointWritesLogs": "SageMaker hosting writes one log stream per instance and variant "
    "in the endpoint's own log group; stream names are only known at run time",
    "EndpointReadsAdapter": "a LoRA adapter component's artifact is a folder of files, or "
    "its key ends in a deploy-time value: the role reads the objects under the artifact's "
    "literal prefix only, in the store's bucket",
    "EndpointPublishesMetrics": "cloudwatch:PutMetricData has no resource type; a condition "
    "limits it to the /aws/sagemaker/Endpoints namespace of endpoint instance metrics",
    "EndpointWritesCapturedData": "data capture writes one object per batch of captured "
    "requests, named by variant and time, under the endpoint's own data-capture/<endpoint>/ "
    "prefix",
    "EndpointReadsAsyncRequests": "callers upload each asynchronous request as an object of "
    "its own, named when it is sent, under the endpoint's own async-inference/<endpoint>/input/ "
    "prefix",
    "EndpointWritesAsyncResults": "SageMaker names each asynchronous result or failure by its "
    "inference id, known only when the request is sent, under the endpoint's own "
    "async-inference/<endpoint>/output/ and failures/ prefixes",
    "ManageEndpointNetworkInterfaces": "SageMaker hosting creates the network interfaces of "
    "the endpoint's instances in its subnets at deploy and scaling time; their ids can't be "
    "known at deploy time (the subnets and security groups are named exactly)",
    "DescribeEndpointNetwork": "EC2 Describe actions have no resource type; SageMaker needs "
    "them to place the endpoint's network interfaces in its VPC",
    "MonitorReadsCapturedData": "data capture writes one object per batch of captured "
    "requests, named by variant and time, under the endpoint's own data-capture/<endpoint>/ "
    "prefix; each monitoring run reads those of its period",
    "MonitorWritesReports": "each monitoring run writes its reports (statistics, constraint "
    "violations) under objects named by SageMaker at run time, below this schedule's own "
    "monitoring/<endpoint>/<schedule>/ prefix",
    "MonitorWritesLogs": "SageMaker creates one log stream per monitoring job (a processing "
    "job) under /aws/sagemaker/ProcessingJobs; job and stream names are only known at run time",
    "MonitorPublishesMetrics": "cloudwatch:PutMetricData has no resource type; a condition "
    "limits it to SageMaker's /aws/sagemaker/* namespaces and the analyzer's "
    "aws/sagemaker/Endpoints/data-metrics",
    "ManageMonitorNetworkInterfaces": "SageMaker creates the network interfaces of each "
    "monitoring job in the endpoint's subnets at run time; their ids can't be known at deploy "
    "time (the subnets and security groups are named exactly)",
    "DescribeMonitorNetwork": "EC2 Describe actions have no resource type; SageMaker needs them "
    "to place a monitoring job's network interfaces in the endpoint's VPC",
    "DescribeJobNetwork": "EC2 Describe actions have no resource type; SageMaker needs them to "
    "place job network interfaces",
    "ManageJobNetworkInterfaces": "SageMaker creates job network interfaces at run time; their "
    "ids can't be known at deploy time (subnets and security groups known only at run time are "
    "warned with cdk-sagemaker-pipelines:open-vpc-config)",
}
# Longest prefix first, so a Sid matches its most specific reason; sorted once, as
# _reason runs for every statement of every role acknowledged, at construction and synth.
_REASONS_LONGEST_FIRST = tuple(sorted(REASONS.items(), key=lambda item: -len(item[0])))


# cdk-nag's compliance packs, which share rule names ("<pack>-<rule>"): a finding inherent
# in what a construct creates is acknowledged in each pack that has the rule, so a team
# running HIPAA or PCI DSS (not only NIST 800-53) sees only the findings that are theirs.
NIST = "NIST.800.53.R5"
HIPAA = "HIPAA.Security"
PCI = "PCI.DSS.321"
COMPLIANCE_PACKS = (NIST, HIPAA, PCI)


def acknowledge_in_packs(
    scope: IConstruct, rule: str, reason: str, packs: Sequence[str] = COMPLIANCE_PACKS
) -> None:
    """Acknowledge ``rule`` (``S3DefaultEncryptionKMS``) of each of ``packs`` on ``scope``.

    Example::

        acknowledge_in_packs(bucket, "S3DefaultEncryptionKMS", "access logs take SSE-S3 only")
    """
    Validations.of(scope).acknowledge(
        *(Acknowledgment(id=f"{pack}-{rule}", reason=reason) for pack in packs)
    )


def flatten_reference(node: Any) -> str:
    """Flatten a resolved CloudFormation value the way cdk-nag names findings."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if node.get("Fn::Join"):
            separator, items = node["Fn::Join"]
            return str(separator).join(flatten_reference(item) for item in items)
        if node.get("Fn::Sub"):
            return flatten_reference(node["Fn::Sub"])
        if node.get("Fn::GetAtt"):
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if node.get("Fn::ImportValue"):
            return flatten_reference(node["Fn::ImportValue"])
        if node.get("Ref"):
            return f"<{flatten_reference(node['Ref'])}>"
    # JSON.stringify's output: no spaces, non-ASCII characters as they are.
    return json.dumps(node, separators=(",", ":"), ensure_ascii=False)


def _reason(sid: str) -> str | None:
    for prefix, reason in _REASONS_LONGEST_FIRST:
        if sid.startswith(prefix) or sid.endswith(prefix):
            return reason
    return None


class Wildcards(NamedTuple):
    """Statements of ``scope`` (a policy) whose wildcards are acknowledged on it.

    Without reasons, each statement's ``Sid`` names the reason for its wildcard resources
    (``REASONS``), and a statement without one is left alone. With them, every wildcard
    resource of the statements is acknowledged with ``resources``, every wildcard action
    with ``actions``: for a policy that holds nothing but statements the construct wrote
    for one purpose (a grant kept for a role that refuses policy updates), each wildcard
    named one finding at a time, as the template names it.

    Example::

        Wildcards(policy, statements, "kept policy of …", resources="versions are numbered")
    """

    scope: IConstruct
    statements: list[iam.PolicyStatement]
    subject: str
    resources: str | None = None
    actions: str | None = None


# A group as the pipeline's roles give it, (scope, statements, subject): reasons by Sid.
_Group: TypeAlias = Wildcards | tuple[IConstruct, list[iam.PolicyStatement], str]


def acknowledge_wildcards(
    scope: IConstruct,
    statements: list[iam.PolicyStatement],
    subject: str,
    *,
    resources: str | None = None,
    actions: str | None = None,
) -> list[str]:
    """Acknowledge each wildcard resource of ``statements`` on ``scope``; return the ids.

    A statement without a known reason is left alone, so its wildcard fails synth.
    ``resources`` and ``actions``, when given, are the reasons for every wildcard resource
    and every wildcard action of ``statements`` (see ``Wildcards``).
    """
    group = Wildcards(scope, statements, subject, resources, actions)
    return acknowledge_wildcards_of(stack_of(scope), [group])[0]


def acknowledge_wildcards_of(
    stack: Stack,
    groups: Sequence[_Group],
    rendered: Sequence[Any] | None = None,
) -> list[list[str]]:
    """``acknowledge_wildcards`` for each ``(scope, statements, subject)`` of ``stack``.

    One round trip to jsii resolves every group's statements: not one per statement and
    resource, nor one per group. ``rendered``, when given, is what
    ``render_statements(stack, <every group's statements, in order>)`` returned, which
    spares that round trip. The findings are acknowledged again at synth, as the
    template names them (see ``_AcknowledgeAsSynthesized``).
    """
    results = _acknowledge_groups(stack, groups, already=None, rendered=rendered)
    batch: _SynthRenders | None = getattr(stack, _SYNTH_RENDERS, None)
    if batch is None:
        batch = _SynthRenders(stack)
        setattr(stack, _SYNTH_RENDERS, batch)
    validation = _AcknowledgeAsSynthesized(stack, groups, results, batch)
    batch.members.append(validation)
    node_of(stack).add_validation(validation)
    return results


def _render(stack: Stack, statements: list[iam.PolicyStatement]) -> list[Any]:
    """``statements`` as ``stack``'s template names them, one per statement, in order.

    ``to_json`` renders each statement as it is (a document merges statements only when it
    is resolved itself), so statements rendered together come out as they would apart.
    """
    resolved = stack.resolve(iam.PolicyDocument(statements=statements).to_json())
    return list(resolved.get("Statement", [])) if resolved else []


def _acknowledge_groups(
    stack: Stack,
    groups: Sequence[_Group],
    already: list[list[str]] | None,
    rendered: Sequence[Any] | None = None,
) -> list[list[str]]:
    if rendered is None:
        # One statement rendered per statement given, in order: split again by group below.
        rendered = _render(stack, _statements_of(groups))
    results: list[list[str]] = []
    start = 0
    for index, given in enumerate(groups):
        group = Wildcards(*given)
        resolved = rendered[start : start + len(group.statements)]
        start += len(group.statements)
        done = already[index] if already is not None else []
        results.append(
            _acknowledge(
                group.scope,
                resolved,
                group.subject,
                done,
                resources=group.resources,
                actions=group.actions,
            )
        )
    return results


def _statements_of(groups: Sequence[_Group]) -> list[iam.PolicyStatement]:
    return [statement for group in groups for statement in group[1]]


# The attribute of a stack that holds its _SynthRenders (on the stack, not in a weak
# dictionary: its members refer to the stack, which would then never be collected).
_SYNTH_RENDERS = "_cdk_sagemaker_pipelines_synth_renders"


class _SynthRenders:
    """A stack's synth-time acknowledgers, whose statements are rendered together.

    Each ``acknowledge_wildcards_of`` call adds one; rendered one by one, each took three
    round trips to jsii at every synth. The first of them to run at a synth renders every
    member's statements in one document (all references are resolved by then: aws-cdk-lib
    runs validations after it prepares the whole app) and each member takes its share.
    """

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self.members: list[_AcknowledgeAsSynthesized] = []
        # Each member's rendered statements not yet taken, by member: filled at a synth's
        # first validation, emptied as the members take theirs.
        self._pending: dict[int, list[Any]] = {}

    def rendered(self, member: _AcknowledgeAsSynthesized) -> list[Any]:
        """``member``'s statements as this synth's template names them."""
        if id(member) not in self._pending:
            # Taken already: a new synth (app.synth(force=True), Template.from_stack).
            everything = _render(
                self._stack, [s for m in self.members for s in _statements_of(m.groups)]
            )
            self._pending, start = {}, 0
            for each in self.members:
                count = len(_statements_of(each.groups))
                self._pending[id(each)] = everything[start : start + count]
                start += count
        return self._pending.pop(id(member))


@jsii.implements(IValidation)
class _AcknowledgeAsSynthesized:
    """Acknowledge the findings once more at synth, named as the synthesized template names them.

    A resource of another stack (a shared ``ArtifactStore``) is a ``Ref`` while the app is
    built; synth replaces it with the consuming stack's import (``Fn::ImportValue`` or
    ``Fn::GetStackOutput``), and cdk-nag names its findings after that. aws-cdk-lib runs
    validations after it resolves those references and before the policy-validation
    plugins read the acknowledgments, so ids that changed are acknowledged here.
    """

    def __init__(
        self,
        stack: Stack,
        groups: Sequence[_Group],
        acknowledged: list[list[str]],
        batch: _SynthRenders,
    ) -> None:
        self._stack = stack
        self.groups = groups
        self._batch = batch
        # A copy: the caller's lists stay what construction acknowledged.
        self._acknowledged = [list(ids) for ids in acknowledged]

    def validate(self) -> list[str]:
        """Acknowledge the ids the template's references give; never reports an error.

        Each synth runs the validations again (``app.synth(force=True)``,
        ``Template.from_stack``): what an earlier one acknowledged is not recorded twice.
        """
        found = _acknowledge_groups(
            self._stack,
            self.groups,
            already=self._acknowledged,
            rendered=self._batch.rendered(self),
        )
        for done, ids in zip(self._acknowledged, found, strict=True):
            done.extend(finding for finding in ids if finding not in done)
        return []


def acknowledge_policy_wildcards(
    policy: iam.ManagedPolicy,
    statements: list[iam.PolicyStatement],
    subject: str,
    *,
    resources: str | None = None,
    actions: str | None = None,
) -> None:
    """Acknowledge at synth the wildcards of ``statements``, which ``policy`` was made with.

    For a policy a construct makes and hands out (a grant's policy kept for a role that
    refuses updates): its owner may add statements of their own. An acknowledgment names a
    wildcard, not a statement, so a wildcard that an added statement holds too is left a
    finding, which that statement's author acknowledges with their own reason. Reasons as
    ``acknowledge_wildcards``'s (by ``Sid`` without ``resources`` and ``actions``).

    Example::

        policy = iam.ManagedPolicy(self, "ReadPolicy", statements=kept)
        acknowledge_policy_wildcards(policy, kept, "kept policy", resources="…")
    """
    node_of(policy).add_validation(
        _AcknowledgeOwnStatements(policy, list(statements), subject, resources, actions)
    )


@jsii.implements(IValidation)
class _AcknowledgeOwnStatements:
    """``acknowledge_policy_wildcards``: run at synth, when every statement has been added.

    The statements are read as the template names them (after aws-cdk-lib resolves
    references, before the policy-validation plugins read the acknowledgments, as
    ``_AcknowledgeAsSynthesized``). aws-cdk-lib has merged the policy's statements by then
    (``minimizePolicies``), an added one maybe into one of the construct's: what the policy
    allows beyond the construct's statements is told apart by the action and resource
    pairs each allows, which merging keeps.
    """

    def __init__(
        self,
        policy: iam.ManagedPolicy,
        statements: list[iam.PolicyStatement],
        subject: str,
        resources: str | None,
        actions: str | None,
    ) -> None:
        self._policy = policy
        self._statements = statements
        self._subject = subject
        self._resources = resources
        self._actions = actions
        # What earlier synths acknowledged: recorded once.
        self._done: list[str] = []

    def validate(self) -> list[str]:
        """Acknowledge the findings of the construct's statements; never reports an error."""
        stack = stack_of(self._policy)
        own = _render(stack, self._statements)
        document = stack.resolve(self._policy.document.to_json())
        added = _allowed(document.get("Statement", []) if document else []) - _allowed(own)
        # The wildcards of what was added, as cdk-nag names them: left findings.
        withheld = {
            f"{WILDCARD_RULE}[{kind}::{item}]"
            for _, action, resource in added
            for kind, item in (("Action", action), ("Resource", resource))
            if "*" in item
        }
        found = _acknowledge(
            self._policy,
            own,
            self._subject,
            self._done,
            resources=self._resources,
            actions=self._actions,
            withheld=withheld,
        )
        self._done.extend(finding for finding in found if finding not in self._done)
        return []


def _allowed(statements: Sequence[Any]) -> set[tuple[str, str, str]]:
    """Each (the statement but its Sid, Action and Resource; an action; a resource) allowed.

    Of the statements that allow (cdk-nag's wildcard rule judges those only). Actions and
    resources as cdk-nag names them (``flatten_reference``); "" for none (a ``NotAction``
    statement's). Merging statements (same effect, conditions and principals) keeps this set.
    """
    allowed: set[tuple[str, str, str]] = set()
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        rest = {k: v for k, v in statement.items() if k not in ("Sid", "Action", "Resource")}
        key = json.dumps(rest, sort_keys=True)
        for action in _flat(statement.get("Action")) or [""]:
            for resource in _flat(statement.get("Resource")) or [""]:
                allowed.add((key, action, resource))
    return allowed


def _flat(items: Any) -> list[str]:
    """A statement's Action or Resource (one item or a list, maybe absent), flattened."""
    listed = items if isinstance(items, list) else [] if items is None else [items]
    return [flatten_reference(item) for item in listed]


def _acknowledge(
    scope: IConstruct,
    resolved: Sequence[Any],
    subject: str,
    already: Sequence[str] = (),
    *,
    resources: str | None = None,
    actions: str | None = None,
    withheld: Collection[str] = (),
) -> list[str]:
    """Acknowledge the wildcard findings of ``resolved`` on ``scope``, except ``already``.

    ``resources`` and ``actions``: the reasons for every wildcard resource and action
    (``Wildcards``); without them, a statement's ``Sid`` names its resources' reason.
    ``withheld``: findings that a statement the construct didn't write holds too, left
    unacknowledged.
    """
    acknowledged: list[str] = []
    acknowledgments: list[Acknowledgment] = []
    for statement in resolved:
        # (what cdk-nag calls the item: Resource or Action, the items, why)
        kinds: list[tuple[str, Any, str | None]] = [
            (
                "Resource",
                statement.get("Resource", []),
                resources if resources is not None else _reason(statement.get("Sid") or ""),
            ),
            ("Action", statement.get("Action", []), actions),
        ]
        for kind, items, reason in kinds:
            if reason is None:
                continue
            for flat in _flat(items):
                finding = f"{WILDCARD_RULE}[{kind}::{flat}]"
                if "*" not in flat or finding in acknowledged or finding in withheld:
                    continue
                acknowledged.append(finding)
                if finding in already:
                    continue
                acknowledgments.append(Acknowledgment(id=finding, reason=f"{subject}: {reason}"))
    if acknowledgments:
        Validations.of(scope).acknowledge(*acknowledgments)
    return acknowledged
