"""EventBridge rules publishing to an SNS topic, as the library's pages write them.

``PipelineFailureNotifications`` and the endpoints' ``notify_on_rejection`` page a topic
from rules: each rule targets the topic with a message of its own (``RuleTopicTarget``),
the topic's policy admits exactly those rules in one statement (``admit_rules``), a rule
of another stack than the topic's is named so that the statement can name it
(``rule_source_arn``), and a topic the rules can't publish to fails first
(``rule_topic_environment_problem``, ``fifo_topic_problem``).
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import ArnFormat
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_events as events_refs

from constructs import Construct

from ..definition import Problem
from ._props import is_unresolved
from ._topics import PublishWarnings, arn_in_topic_stack, let_service_publish, topic_environment
from ._tree import account_region
from .pipeline import WARNING_PREFIX

# PutRule's Name.
MAX_RULE_NAME = 64
EVENTS_PRINCIPAL = "events.amazonaws.com"

_WARNINGS = PublishWarnings(
    policy=(
        f"{WARNING_PREFIX}:notification-topic-policy",
        "The notification topic was not created in this app, so its policy can't be "
        f"changed: allow {EVENTS_PRINCIPAL} sns:Publish in it (condition aws:SourceArn "
        "= the ARNs of this construct's rules), or the notifications are dropped.",
    ),
    key=(
        f"{WARNING_PREFIX}:notification-topic-key",
        "The notification topic is encrypted with a key whose policy this app can't "
        f"change: allow {EVENTS_PRINCIPAL} kms:Decrypt and kms:GenerateDataKey* in it, "
        "or the notifications are dropped.",
    ),
)


def admit_rules(topic: sns.ITopic, rule: events.Rule, source_arns: Sequence[str]) -> None:
    """Let EventBridge publish the rules' events (``source_arns``) to ``topic``, and only those.

    ``aws_events_targets.SnsTopic`` lets ``events.amazonaws.com`` publish for any rule of
    any account; the ``aws:SourceArn`` condition closes that confused-deputy path. One
    statement for the rules of one construct (``rule``, the first, carries the warnings):
    each statement counts against SNS's 100. As SnsTopic does, EventBridge may use the
    key of an encrypted topic.
    """
    let_service_publish(topic, rule, EVENTS_PRINCIPAL, source_arns, _WARNINGS)


def rule_source_arn(topic: sns.ITopic, rule: events.Rule, name: str | None) -> str:
    """``rule``'s ARN as the topic's policy names it.

    ``name``: the rule's name when the topic is of another stack (the rule named from its
    path, ``unique_name``), whose policy then writes out the rule's ARN rather than refer
    to its ARN attribute (a dependency cycle); None for a topic of the rule's stack.
    """
    if name is None:
        return rule.rule_arn
    return arn_in_topic_stack(
        topic,
        rule,
        service="events",
        resource="rule",
        name=name,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def rule_topic_environment_problem(scope: Construct, topic: object) -> Problem | None:
    """A topic EventBridge can't deliver to from this stack's rule, as the construct sets it up.

    Delivery to another account's topic needs an execution role in this account that the
    topic admits (the construct creates none), and delivery to another region an event bus
    there; CDK would instead try to route through the other account's event bus, which
    fails synth inside a ``Stage`` with an error that names neither construct nor prop.
    """
    if not hasattr(topic, "env") or not hasattr(topic, "topic_arn"):
        return None  # reported as the wrong type
    account, region = topic_environment(topic)  # type: ignore[arg-type]
    stack_account, stack_region = account_region(scope)
    own_account = None if is_unresolved(stack_account) else stack_account
    own_region = None if is_unresolved(stack_region) else stack_region
    hint = (
        "leave topic unset: this stack gets its own encrypted topic (subscribe the on-call "
        "address with emails=); or give a PipelineMonitoring alarm_topic=, which CloudWatch "
        "may publish to from another account"
    )
    if account and own_account and account != own_account:
        return Problem(
            None,
            "topic",
            f"the topic is in account {account}, the rule in {own_account}: EventBridge "
            "delivers to another account's topic only through an execution role, which "
            "this construct does not create",
            hint,
        )
    if region and own_region and region != own_region:
        return Problem(
            None,
            "topic",
            f"the topic is in region {region}, the rule in {own_region}: EventBridge "
            "delivers to topics of its own region only",
            hint,
        )
    return None


def fifo_topic_problem(topic: object, emails: Sequence[str]) -> Problem | None:
    """A FIFO topic, which the rule can't publish to (nor email subscribe to).

    SNS: "Every message must include a MessageGroupId" on a FIFO topic (Publish API), and
    a rule target (``AWS::Events::Rule`` ``Target``, EventBridge ``PutTargets``) has SQS
    parameters for a FIFO queue's group id but none for SNS (aws-cdk-lib's
    ``CfnRule.TargetProperty``, botocore's model, aws-cloudformation/
    cloudformation-coverage-roadmap#2485), so every delivery would fail. Revisit if rule
    targets gain SNS parameters: an EventBridge guide page on bus targets already describes
    ``SnsParameters.MessageGroupId`` "Required for a FIFO topic".
    "SNS FIFO topics can't deliver messages to customer managed endpoints, such as email
    addresses … Attempts to subscribe customer managed endpoints to SNS FIFO topics result
    in errors" (SNS guide, "Message delivery for FIFO topics"). A topic imported by an ARN
    known only at deploy time can't be told FIFO (``fifo`` is False).
    """
    if getattr(topic, "fifo", False) is not True:
        return None
    subscriptions_too = (
        ", and a FIFO topic takes no email subscriptions (emails=)" if emails else ""
    )
    return Problem(
        None,
        "topic",
        "the topic is a FIFO topic: every message to it needs a MessageGroupId, which an "
        f"EventBridge rule target can't give an SNS topic{subscriptions_too}",
        "give a standard topic, or leave topic unset: this stack gets its own encrypted topic",
    )


@jsii.implements(events.IRuleTarget)
class RuleTopicTarget:
    """Publish a rule's events to a topic, as ``message``.

    The topic's policy and key are written by ``admit_rules``, for all the rules of a
    construct at once.

    Example::

        rule.add_target(RuleTopicTarget(topic, events.RuleTargetInput.from_text("…")))
    """

    def __init__(self, topic: sns.ITopic, message: events.RuleTargetInput) -> None:
        self.topic = topic
        self.message = message

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        """Render the target (called by ``rule.add_target``)."""
        return events.RuleTargetConfig(
            arn=self.topic.topic_arn, input=self.message, target_resource=self.topic
        )
