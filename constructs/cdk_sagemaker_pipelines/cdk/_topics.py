"""Publishing to a topic of another stack (a central alerts topic) without a reference cycle.

The statement that lets CloudWatch or EventBridge publish lives in the topic's policy, in
the topic's stack, and names the alarm or rule (``aws:SourceArn``). Taken from the
alarm's or rule's own ARN attribute, that makes the topic's stack depend on the
publisher's stack, which already depends on the topic's (it publishes to its ARN): a
dependency cycle, or a cross-environment reference when the topic is in another account.
So a publisher in another stack gets a name, and its ARN is written out in the topic's
stack from that name and the publisher's account and region.

Every such statement is one more in the topic's policy, which SNS limits (100 statements,
30 KB): ``watch_topic_policy`` checks a topic's policy at synth.
"""

from __future__ import annotations

import weakref

import jsii
from aws_cdk import Annotations, ArnFormat, Aws, Names
from aws_cdk import aws_sns as sns

from constructs import Construct, IValidation

from ._policy_size import deployed_length
from ._props import is_unresolved
from ._tree import account_region, node_of, path_of, stack_of

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
