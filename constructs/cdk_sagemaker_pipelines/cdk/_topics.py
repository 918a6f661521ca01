"""Publishing to a topic of another stack (a central alerts topic) without a reference cycle.

The statement that lets CloudWatch or EventBridge publish lives in the topic's policy, in
the topic's stack, and names the alarm or rule (``aws:SourceArn``). Taken from the
alarm's or rule's own ARN attribute, that makes the topic's stack depend on the
publisher's stack, which already depends on the topic's (it publishes to its ARN): a
dependency cycle, or a cross-environment reference when the topic is in another account.
So a publisher in another stack gets a name, and its ARN is written out in the topic's
stack from that name and the publisher's account and region.

Every such statement is one more in the topic's policy, which SNS limits (100 statements,
30 KB): ``watch_topic_policy`` checks a topic's policy at synth. ``let_service_publish``
writes the statement (and the grant on the topic's key) for alarms and rules alike.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

import jsii
from aws_cdk import Annotations, ArnFormat, Aws, Names
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from constructs import Construct, IValidation

from ..definition import Problem
from ._policy_size import deployed_length
from ._props import expect_interface, expect_same_app, is_unresolved, other_stage_problem
from ._tree import account_region, node_of, path_of, root_of, stack_of

# SNS's limits on a topic's policy ("Amazon SNS API permissions: Actions and resources
# reference", Policy quotas): 100 statements, 30 KB.
MAX_TOPIC_POLICY_STATEMENTS = 100
MAX_TOPIC_POLICY_BYTES = 30 * 1024


def in_another_stack(scope: Construct, topic: sns.ITopic) -> bool:
    """Whether ``topic`` was created (or imported) in another stack of this app than ``scope``."""
    if not isinstance(topic, Construct):
        return False
    topic_stack, own_stack = stack_of(topic), stack_of(scope)
    # The same Python object is the same stack (a stack created in Python always is), and
    # comparing it spares the paths' jsii round trips; otherwise the paths tell.
    return topic_stack is not own_stack and path_of(topic_stack) != path_of(own_stack)


def unique_name(scope: Construct, max_length: int) -> str:
    """A name from ``scope``'s path: stable across synths, unique per stack and stage."""
    return str(Names.unique_resource_name(scope, max_length=max_length, separator="-"))


def arn_in_topic_stack(
    topic: sns.ITopic,
    publisher: Construct,
    *,
    service: str,
    resource: str,
    name: str,
    arn_format: ArnFormat,
) -> str:
    """The ARN of ``publisher`` (named ``name``), written without a reference to its stack.

    The publisher's account and region when its stack has them; in an environment-agnostic
    stack they are the deploying account's and region's, as in the topic's stack (CDK only
    lets environment-agnostic stacks refer to each other within one environment).
    """
    account, region = account_region(publisher)
    assert isinstance(topic, Construct)
    return stack_of(topic).format_arn(
        service=service,
        account=Aws.ACCOUNT_ID if is_unresolved(account) else account,
        region=Aws.REGION if is_unresolved(region) else region,
        resource=resource,
        resource_name=name,
        arn_format=arn_format,
    )


def topic_argument_problem(topic: object, scope: Construct, publishers: str) -> Problem | None:
    """A ``topic`` argument that ``scope``'s ``publishers`` (``"alarms"``, ``"rules"``) can't use.

    Not an ``sns.ITopic``, a topic of another app, or of another stage: checked before the
    publishers are created, a wrong topic leaves none behind.
    """
    return expect_interface(
        "topic",
        topic,
        "an sns.ITopic",
        ("topic_arn", "add_to_resource_policy"),
        "import the topic by its ARN: sns.Topic.from_topic_arn(self, 'Alerts', arn)",
    ) or (
        expect_same_app(
            "topic",
            topic,
            root_of(scope),
            "create it in this app, or sns.Topic.from_topic_arn(self, 'Alerts', arn)",
        )
        or other_stage_problem(
            "topic",
            topic,
            scope,
            f"the {publishers} of {path_of(scope)}",
            "create the topic in a stack of this stage",
            "sns.Topic.from_topic_arn",
        )
    )


def topic_environment(topic: sns.ITopic) -> tuple[str | None, str | None]:
    """The topic's account and region when known at synth (None for a token)."""
    env = topic.env
    account = None if is_unresolved(env.account) else env.account
    region = None if is_unresolved(env.region) else env.region
    return account, region


@jsii.implements(IValidation)
class _TopicPolicyLimits:
    """Fails synth when a topic's policy has more statements than SNS takes; warns on its size.

    Each alarm (``PipelineMonitoring``) and rule (``PipelineFailureNotifications``) that
    publishes to a topic adds a statement naming it (``aws:SourceArn``) to the topic's
    policy, of about 350 characters: one topic shared by some twenty pipelines, each with
    its notifications and alarms, outgrows SNS's 30 KB, and by about 25 its 100
    statements, and deploying fails on the topic's policy. The number of statements is
    certain at synth; the size is estimated (each reference counted at a usual length), so
    it is warned.
    """

    def __init__(self, topic: sns.Topic) -> None:
        self._topic = topic
        self.publishers: list[Construct] = []
        """The alarms and rules this library let publish to the topic (paths read on error)."""

    def validate(self) -> list[str]:
        """One message when the policy has more statements than SNS allows."""
        policy = node_of(self._topic).try_find_child("Policy")
        if not isinstance(policy, sns.TopicPolicy):
            return []
        document = stack_of(self._topic).resolve(policy.document.to_json()) or {}
        statements = document.get("Statement", [])
        count = len(statements) if isinstance(statements, list) else 1
        ours = f"{len(self.publishers)} of them let alarms and rules of pipelines publish"
        hint = (
            "give each group of pipelines a topic of its own (PipelineFailureNotifications "
            "without topic= makes one), and pass notify_failed_executions=False to "
            "PipelineMonitoring where PipelineFailureNotifications already sends each failure"
        )
        if count > MAX_TOPIC_POLICY_STATEMENTS:
            example = f", e.g. {path_of(self.publishers[0])}" if self.publishers else ""
            return [
                f"the policy of topic {path_of(self._topic)} has {count} statements, more than "
                f"the {MAX_TOPIC_POLICY_STATEMENTS} SNS allows, so the stack would fail to "
                f"deploy ({ours}{example}): {hint}"
            ]
        length = deployed_length(document)
        if length > MAX_TOPIC_POLICY_BYTES:
            from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports a lot

            Annotations.of(self._topic).add_warning_v2(
                f"{WARNING_PREFIX}:topic-policy-size",
                f"The policy of this topic takes about {length:,} characters ({count} "
                f"statements; {ours}), more than the {MAX_TOPIC_POLICY_BYTES:,} bytes (30 KB) "
                f"SNS allows: deploying may fail. To stay within it, {hint}.",
            )
        return []


_WATCHED: weakref.WeakKeyDictionary[sns.Topic, _TopicPolicyLimits] = weakref.WeakKeyDictionary()


def watch_topic_policy(topic: sns.ITopic, publisher: Construct) -> None:
    """Check at synth that ``topic``'s policy, which ``publisher`` just added to, fits SNS.

    For a topic of this app (whose policy the constructs write): once per topic, naming
    the publishers in the message.
    """
    if not isinstance(topic, sns.Topic):
        return
    try:
        check = _WATCHED[topic]
    except KeyError:
        check = _WATCHED[topic] = _TopicPolicyLimits(topic)
        node_of(topic).add_validation(check)
    except TypeError:  # not weakly referenceable: no topic of this app
        return
    check.publishers.append(publisher)


class PublishWarnings(NamedTuple):
    """The warnings ``let_service_publish`` gives when the app can't change what it must.

    Each an ``(id, message)``: ``policy`` for an imported topic's policy, ``key`` for an
    imported key of the topic (its policy is not this app's either).
    """

    policy: tuple[str, str]
    key: tuple[str, str]


class _TopicFacts(NamedTuple):
    """What ``let_service_publish`` reads of a topic, and the principals it allows."""

    arn: str
    key: Any
    principals: dict[str, iam.ServicePrincipal]
    """By service name, made once per topic."""


# Per topic: its ARN and key are fixed once it exists, and each read is a round trip to
# jsii; a topic that several alarms publish to (one per pipeline) is read once. A principal
# renders the same wherever it is used: one per topic and service, not two per publisher.
_TOPIC_FACTS: weakref.WeakKeyDictionary[Any, _TopicFacts] = weakref.WeakKeyDictionary()


def _topic_facts(topic: sns.ITopic) -> _TopicFacts:
    """``topic``'s ARN and key (``master_key``, None for none), read once per topic."""
    try:
        return _TOPIC_FACTS[topic]
    except KeyError:
        pass
    except TypeError:  # not weakly referenceable: read every time
        return _read_topic_facts(topic)
    facts = _TOPIC_FACTS[topic] = _read_topic_facts(topic)
    return facts


def _read_topic_facts(topic: sns.ITopic) -> _TopicFacts:
    return _TopicFacts(topic.topic_arn, getattr(topic, "master_key", None), {})


def let_service_publish(
    topic: sns.ITopic,
    publisher: Construct,
    service: str,
    source_arns: Sequence[str],
    warnings: PublishWarnings,
) -> None:
    """Let ``service`` publish to ``topic`` for ``source_arns`` only, and use the topic's key.

    A topic with its own policy (``enforce_ssl`` creates one) no longer has SNS's default
    policy, and a KMS-encrypted topic needs the service to be allowed to use its key:
    without both, what the service publishes is dropped without an error. One statement,
    conditioned on ``aws:SourceArn`` (so no other alarm or rule, of any account, can publish
    through it: the confused deputy), for all of ``source_arns``: each statement counts
    against SNS's 100. The policy admits only these publishers, so the key needs no
    condition of its own. ``publisher`` carries the warnings, and names the statement in
    ``watch_topic_policy``'s messages.

    Example::

        let_service_publish(topic, alarm, "cloudwatch.amazonaws.com", [alarm.alarm_arn],
                            PublishWarnings(policy=(id, text), key=(id, text)))
    """
    facts = _topic_facts(topic)
    principal = facts.principals.get(service)
    if principal is None:
        principal = facts.principals[service] = iam.ServicePrincipal(service)
    added = topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[principal],
            actions=["sns:Publish"],
            resources=[facts.arn],
            conditions={
                "ArnEquals": {
                    "aws:SourceArn": source_arns[0] if len(source_arns) == 1 else list(source_arns)
                }
            },
        )
    )
    if added.statement_added:
        watch_topic_policy(topic, publisher)
    else:
        # An imported topic: its policy is not this app's to change.
        Annotations.of(publisher).add_warning_v2(*warnings.policy)
    key = facts.key
    if isinstance(key, kms.Alias):
        # An alias of this app grants through its key (and an imported alias can't).
        key = key.alias_target_key
    if isinstance(key, kms.Key):
        key.grant(principal, "kms:Decrypt", "kms:GenerateDataKey*")
    elif key is not None:
        # An imported key: grant() can't change its policy and adds nothing, silently.
        Annotations.of(publisher).add_warning_v2(*warnings.key)
