"""Warnings of the library's constructs, recorded without a JavaScript stack trace.

aws-cdk-lib records each warning with the stack trace of the Node.js code that added it
(unless the context says ``aws:cdk:disable-stack-trace``), and the CDK CLI prints its first
frame above the warning. In a Python app that frame is jsii's kernel, a line such as
``/tmp/tmpXXXX/lib/program.js:1:5591`` that tells the reader nothing. The context is read
from the construct a warning is added to, upwards, and may be set on a construct only
before it has children: each construct of this library sets it on itself as it is created,
which covers every warning added to it or to what it creates, and nothing of yours.

Example::

    super().__init__(scope, construct_id)
    record_warnings_without_traces(self)
"""

from __future__ import annotations

import os

from constructs import IConstruct

from ._tree import node_of

DISABLE_STACK_TRACE = "aws:cdk:disable-stack-trace"
"""cx-api's ``DISABLE_METADATA_STACK_TRACE``, the context key aws-cdk-lib reads."""


def record_warnings_without_traces(construct: IConstruct) -> None:
    """Set ``aws:cdk:disable-stack-trace`` on ``construct``, created a moment ago.

    Not when the app asks for traces: ``cdk synth --debug`` (which sets ``CDK_DEBUG``), or
    the context key set to false above it.
    """
    if os.environ.get("CDK_DEBUG", "").lower() in ("1", "true"):
        return
    node = node_of(construct)
    if node.try_get_context(DISABLE_STACK_TRACE) is None:
        node.set_context(DISABLE_STACK_TRACE, True)
