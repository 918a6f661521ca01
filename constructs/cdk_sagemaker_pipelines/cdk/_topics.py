"""Publishing to a topic of another stack (a central alerts topic) without a reference cycle.

The statement that lets CloudWatch or EventBridge publish lives in the topic's policy, in
the topic's stack, and names the alarm or rule (``aws:SourceArn``). Taken from the
alarm's or rule's own ARN attribute, that makes the topic's stack depend on the
publisher's stack, which already depends on the topic's (it publishes to its ARN): a
dependency cycle, or a cross-environment reference when the topic is in another account.
So a publisher in another stack gets a name, and its ARN is written out in the topic's
stack from that name and the publisher's account and region.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Names
from aws_cdk import aws_sns as sns

from constructs import Construct

from ._props import is_unresolved
from ._tree import account_region, path_of, stack_of


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
