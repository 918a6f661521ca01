r"""How much of a CloudFormation template a pipeline definition takes, against its 1 MB limit.

The ``AWS::SageMaker::Pipeline`` resource holds the definition as a JSON *string*
(``PipelineDefinitionBody``): every ``"`` and ``\\`` of the definition's JSON is escaped
once more in the template, so a definition within SageMaker's own limit (1,048,576
characters) may make a template CloudFormation refuses. CloudFormation takes a template of
at most 1 MB from S3 (where the CDK CLI puts every template of a bootstrapped stack;
aws-cdk-lib and cfn-lint count it as 1,000,000 bytes): deploying a bigger one fails with
"Template may not exceed 1000000 bytes in size", long after synth. aws-cdk-lib only warns
(``@aws-cdk/core:Stack.templateSize``, once the template is written), naming no pipeline;
the checks here fail synth, naming the pipelines.

A cheap estimate (one ``json.dumps``) decides whether a definition is big enough to
measure: it can be a fourth short (long logical ids) or twice too long (short references
such as ``Aws.REGION``, a template written without indentation). Synth fails only on what
is measured: the definition resolved as the template holds it, without indentation
(``suppress_template_indentation``, which the stack may set and this can't read), so no
template that would deploy is refused; the indentation aws-cdk-lib adds by default is left
to its warning.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import jsii
from aws_cdk import Stack

from constructs import IValidation

from ._tree import node_of

MAX_TEMPLATE_BYTES = 1_000_000
"""CloudFormation's limit on a template body read from S3 ("1 MB"), in bytes."""
# A token in the definition is a placeholder such as ${Token[TOKEN.1234]} in Python; the
# template splits the string there into an Fn::Join of strings and a Ref or Fn::GetAtt,
# each on lines of its own, indented: about this many bytes more (measured: 89 to 91).
_TOKEN_BYTES = 90
_TOKEN_MARK = "${Token["
# Estimates above this are measured (a jsii round trip of the definition): half the limit,
# as an estimate can be a fourth short of the truth.
MEASURE_FROM_BYTES = MAX_TEMPLATE_BYTES // 2


@dataclass(frozen=True)
class DefinitionSize:
    """A compiled definition's length and how many bytes of its template it takes."""

    characters: int
    """The definition's length as deployed (compact JSON, non-ASCII as is)."""
    template_bytes: int
    """The bytes of ``PipelineDefinitionBody`` in the template: estimated for tokens, or
    measured (``measured``) without indentation, the least it takes."""
    measured: bool = False


def definition_size(definition: Mapping[str, Any]) -> DefinitionSize:
    """The length of ``definition`` and the bytes it takes in the template, escaped.

    Rendered as ``Stack.to_json_string`` renders it (compact, non-ASCII as is), then as a
    JSON string in UTF-8. One ``json.dumps`` of the definition, which is much cheaper than
    the jsii round trip that sends it to the template anyway.
    """
    text = json.dumps(definition, separators=(",", ":"), ensure_ascii=False)
    escaped = len(json.dumps(text, ensure_ascii=False).encode("utf-8"))
    return DefinitionSize(len(text), escaped + text.count(_TOKEN_MARK) * _TOKEN_BYTES)


def measured_size(stack: Stack, body: str, estimate: DefinitionSize) -> DefinitionSize:
    """The bytes ``body`` takes in ``stack``'s template written without indentation.

    ``body``: the definition as ``Stack.to_json_string`` renders it for the template (a
    string, or an ``Fn::Join`` of strings and references once resolved).
    """
    resolved = stack.resolve(body)
    text = json.dumps(resolved, separators=(",", ":"), ensure_ascii=False)
    return replace(estimate, template_bytes=len(text.encode("utf-8")), measured=True)


def too_big_message(size: DefinitionSize) -> str:
    """Why a definition that alone takes more than the template limit can't deploy.

    ``size``: measured (``measured_size``), as every size over the limit is.
    """
    return (
        f"the definition has {size.characters:,} characters, which the "
        f"AWS::SageMaker::Pipeline resource holds as an escaped JSON string of at least "
        f"{size.template_bytes:,} bytes: more than the {MAX_TEMPLATE_BYTES:,} bytes of a "
        "CloudFormation template (1 MB), so the stack would fail to deploy"
    )


_LIGHTER = (
    "use fewer or lighter steps, read large values (long environment values, arguments, "
    "inline JSON) from a file on S3 (S3Location.from_asset) or pass them as parameters at "
    "execution time"
)
TOO_BIG_HINT = f"{_LIGHTER}, or split the pipeline into two Pipelines in separate stacks"


@jsii.implements(IValidation)
class _DefinitionsInStack:
    """Fails synth when the definitions of a stack's pipelines together overflow its template.

    Each definition alone is checked when its ``Pipeline`` is created; this sums them, per
    stack, once the app is complete. What else the template holds (roles, policies, the
    artifact store) is not counted: aws-cdk-lib warns when the whole template nears the
    limit (``@aws-cdk/core:Stack.templateSize``).
    """

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self.pipelines: list[tuple[str, DefinitionSize, str]] = []

    def validate(self) -> list[str]:
        """One message naming each pipeline and its part, when the sum is over the limit."""
        if len(self.pipelines) < 2:
            return []
        if sum(size.template_bytes for _, size, _ in self.pipelines) <= MEASURE_FROM_BYTES:
            return []
        sizes = [
            (path, size if size.measured else measured_size(self._stack, body, size))
            for path, size, body in self.pipelines
        ]
        total = sum(size.template_bytes for _, size in sizes)
        if total <= MAX_TEMPLATE_BYTES:
            return []
        parts = ", ".join(
            f"{path} ({size.characters:,} characters, {size.template_bytes:,} bytes)"
            for path, size in sorted(sizes, key=lambda item: -item[1].template_bytes)
        )
        return [
            f"the pipeline definitions of stack {self._stack.node.path} take at least "
            f"{total:,} bytes of its template, more than the {MAX_TEMPLATE_BYTES:,} bytes of a "
            f"CloudFormation template (1 MB), so the stack would fail to deploy: {parts} "
            f"(put the pipelines in separate stacks, or {_LIGHTER})"
        ]


_STACKS: weakref.WeakKeyDictionary[Stack, _DefinitionsInStack] = weakref.WeakKeyDictionary()


def count_in_stack(stack: Stack, pipeline_path: str, size: DefinitionSize, body: str) -> None:
    """Add a pipeline's definition to its stack's sum (checked at synth).

    ``body``: the definition rendered for the template, measured if the sum is large.
    """
    check = _STACKS.get(stack)
    if check is None:
        check = _STACKS[stack] = _DefinitionsInStack(stack)
        node_of(stack).add_validation(check)
    check.pipelines.append((pipeline_path, size, body))
