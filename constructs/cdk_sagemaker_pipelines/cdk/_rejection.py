"""Paging when a version an endpoint serves stops being approved (``notify_on_rejection``).

The endpoints check a version's approval when a deploy starts serving it (``ModelData``):
a version rejected after that keeps serving until a deploy replaces it. SageMaker sends a
``SageMaker Model Package State Change`` event whenever a version changes ("Events that
Amazon SageMaker sends to Amazon EventBridge", Model package state change: ``resources``
holds the version's ARN; ``detail`` its ``ModelPackageArn``, ``ModelPackageGroupName``,
``ModelPackageVersion`` and ``ModelApprovalStatus``, the status after the change, with no
previous one), in the version's own account and region. A rule per served version matches
that version's events in the statuses its variant must not be in, and publishes a message
saying which endpoint and variant serve it and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns

from constructs import Construct

from ..definition import Problem
from ._props import ArgumentProblem, is_unresolved, warn_forwarded_events
from ._rule_topics import (
    MAX_RULE_NAME,
    RuleTopicTarget,
    admit_rules,
    fifo_topic_problem,
    rule_source_arn,
    rule_topic_environment_problem,
)
from ._topics import in_another_stack, topic_argument_problem, unique_name
from ._tree import account_region
from .pipeline import WARNING_PREFIX
from .registry import MODEL_PACKAGE_STATE_CHANGE

# The id of each rule, under the construct of what serves the version: "RejectedVersion"
# for the endpoint's own variant (and a component), "<variant>RejectedVersion" for others.
RULE_ID = "RejectedVersion"
# Where the library's guide says what to do (the message's last line).
_GUIDE = "Approved versions only, in the cdk-sagemaker-pipelines guide (docs/deploying-models.md)"


@dataclass(frozen=True, slots=True)
class Watched:
    """A served version to page on: where its rule goes, and what the message says of it.

    ``served_as`` names the variant or component (``production variant 'AllTraffic'``),
    ``consequence`` what serving it means, ``statuses`` the ``ModelApprovalStatus`` values
    to page on, ``prop`` the prop that gave the ARN (for the warning of another account).
    """

    scope: Construct
    construct_id: str
    model_package_arn: str
    statuses: tuple[str, ...]
    served_as: str
    consequence: str
    prop: str


def topic_problems(scope: Construct, topic: object) -> list[ArgumentProblem]:
    """``notify_on_rejection``'s ``topic``: as ``PipelineFailureNotifications`` takes one."""
    problem = topic_argument_problem(topic, scope, "rules")
    hint = None
    if problem is None:
        # Their hints are PipelineFailureNotifications' (leave its topic unset): a topic
        # is required here.
        problem = rule_topic_environment_problem(scope, topic) or fifo_topic_problem(topic, ())
        hint = (
            "give a standard topic of this stack's account and region, such as the topic "
            "of a PipelineFailureNotifications of this stack"
        )
    if problem is None:
        return []
    return [ArgumentProblem(None, problem.field, problem.message, hint or problem.hint)]


def arn_spellings(arn: str) -> list[str]:
    """The spellings of a version's ARN an event may carry: as given, and in lowercase.

    SageMaker reports some ARNs with their names in lowercase (a pipeline's, an
    endpoint's), and event patterns compare letter for letter: a group name with capitals
    is matched both ways (the rest of a version's ARN is lowercase anyway). A token is
    matched as it resolves: SageMaker's own spelling, as ``list-model-packages`` prints it.
    """
    if is_unresolved(arn):
        return [arn]
    return list(dict.fromkeys([arn, arn.lower()]))


def notify_rejections(
    owner: Construct, endpoint_name: str, topic: sns.ITopic, watched: Sequence[Watched]
) -> list[events.Rule]:
    """One rule per watched version publishing to ``topic``, in order; the topic admits them.

    ``owner`` is the endpoint, which the warnings name. The topic's policy gets one
    statement for these rules (``aws:SourceArn``), its key a grant to EventBridge.
    """
    named = in_another_stack(owner, topic)
    rules: list[events.Rule] = []
    source_arns: list[str] = []
    for each in watched:
        _warn_version_of_another_environment(owner, each)
        rule = events.Rule(
            each.scope,
            each.construct_id,
            description=f"{each.served_as} of endpoint {endpoint_name}: its version "
            f"becoming {' or '.join(each.statuses)}",
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=[MODEL_PACKAGE_STATE_CHANGE],
                resources=arn_spellings(each.model_package_arn),
                detail={"ModelApprovalStatus": list(each.statuses)},
            ),
        )
        name = None
        if named:
            # A topic of another stack names the rules by name, not by their ARN
            # attribute, which would make its stack depend on this one (a cycle).
            name = unique_name(rule, MAX_RULE_NAME)
            cfn = rule.node.default_child
            assert isinstance(cfn, events.CfnRule)
            cfn.name = name
        source_arns.append(rule_source_arn(topic, rule, name))
        rule.add_target(RuleTopicTarget(topic, _message(endpoint_name, each)))
        rules.append(rule)
    if rules:
        # One statement for the rules of one call: each statement counts against SNS's 100.
        admit_rules(topic, rules[0], source_arns)
    return rules


def _warn_version_of_another_environment(owner: Construct, each: Watched) -> None:
    """A version of another account: its events reach this stack's rule only if forwarded."""
    from .endpoint import version_arn_parts  # endpoint.py imports this module

    parts = version_arn_parts(each.model_package_arn)
    if parts is None:
        return
    account, region = account_region(owner)
    for part, theirs, ours in (
        ("account", parts["account"], account),
        ("region", parts["region"], region),
    ):
        if is_unresolved(ours) or theirs == ours:
            continue
        warn_forwarded_events(
            owner,
            f"{WARNING_PREFIX}:rule-of-another-environment",
            Problem(
                None,
                each.prop,
                f"version {each.model_package_arn} is of {part} {theirs}, this stack in "
                f"{ours}: SageMaker sends its state change events to EventBridge in the "
                "version's own account and region",
                "watch it there: a rule on its registry's events, "
                "ModelRegistry.on_model_package_state_change",
            ),
        )
        return


def _message(endpoint_name: str, each: Watched) -> events.RuleTargetInput:
    """What the on-call reads: which endpoint serves the version, how, and what to do."""
    arn = events.EventField.from_path("$.detail.ModelPackageArn")
    status = events.EventField.from_path("$.detail.ModelApprovalStatus")
    group = events.EventField.from_path("$.detail.ModelPackageGroupName")
    region = f"--region {events.EventField.from_path('$.region')}"
    return events.RuleTargetInput.from_multiline_text(
        f"Model version {arn} is now {status}, and endpoint {endpoint_name} still serves it "
        f"({each.served_as}: {each.consequence}).\n"
        "Nothing changes by itself: the endpoint serves it until a deploy replaces it.\n"
        "Who changed its status, and why (LastModifiedBy, ApprovalDescription):\n"
        f"aws sagemaker describe-model-package {region} --model-package-name {arn} "
        '--query "[ModelApprovalStatus,ApprovalDescription,LastModifiedBy]"\n'
        "If it must not serve: deploy the endpoint without it, from the commit deployed, "
        "the version served before in its place (not necessarily the newest approved one). "
        "The approved versions, newest first:\n"
        f"aws sagemaker list-model-packages {region} --model-package-group-name {group} "
        "--model-approval-status Approved --sort-by CreationTime --sort-order Descending "
        '--query "ModelPackageSummaryList[].ModelPackageArn"\n'
        "If the change was a mistake, approve it again:\n"
        f"aws sagemaker update-model-package {region} --model-package-arn {arn} "
        "--model-approval-status Approved\n"
        f"Runbook: {_GUIDE}."
    )
