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
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import Stack

from constructs import IValidation

MAX_TEMPLATE_BYTES = 1_000_000
"""CloudFormation's limit on a template body read from S3 ("1 MB"), in bytes."""
# A token in the definition is a placeholder such as ${Token[TOKEN.1234]} in Python; the
# template splits the string there into an Fn::Join of strings and a Ref or Fn::GetAtt,
# each on lines of its own, indented: about this many bytes more (measured: 89 to 91).
_TOKEN_BYTES = 90
_TOKEN_MARK = "${Token["


@dataclass(frozen=True)
class DefinitionSize:
    """A compiled definition's length and how many bytes of its template it takes."""

    characters: int
    """The definition's length as deployed (compact JSON, non-ASCII as is)."""
    template_bytes: int
    """The bytes of ``PipelineDefinitionBody`` in the template (estimated for tokens)."""


def definition_size(definition: Mapping[str, Any]) -> DefinitionSize:
    """The length of ``definition`` and the bytes it takes in the template, escaped.

    Rendered as ``Stack.to_json_string`` renders it (compact, non-ASCII as is), then as a
    JSON string in UTF-8. One ``json.dumps`` of the definition, which is much cheaper than
    the jsii round trip that sends it to the template anyway.
    """
    text = json.dumps(definition, separators=(",", ":"), ensure_ascii=False)
    escaped = len(json.dumps(text, ensure_ascii=False).encode("utf-8"))
    return DefinitionSize(len(text), escaped + text.count(_TOKEN_MARK) * _TOKEN_BYTES)


def too_big_message(size: DefinitionSize) -> str:
    """Why a definition that alone takes more than the template limit can't deploy."""
    return (
        f"the definition has {size.characters:,} characters, which the "
        f"AWS::SageMaker::Pipeline resource holds as an escaped JSON string of about "
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

    def __init__(self, stack_path: str) -> None:
        self._stack_path = stack_path
        self.pipelines: list[tuple[str, DefinitionSize]] = []

    def validate(self) -> list[str]:
        """One message naming each pipeline and its part, when the sum is over the limit."""
        total = sum(size.template_bytes for _, size in self.pipelines)
        if len(self.pipelines) < 2 or total <= MAX_TEMPLATE_BYTES:
            return []
        parts = ", ".join(
            f"{path} ({size.characters:,} characters, {size.template_bytes:,} bytes)"
            for path, size in sorted(self.pipelines, key=lambda item: -item[1].template_bytes)
        )
        return [
            f"the pipeline definitions of stack {self._stack_path} take about {total:,} "
            f"bytes of its template, more than the {MAX_TEMPLATE_BYTES:,} bytes of a "
            f"CloudFormation template (1 MB), so the stack would fail to deploy: {parts} "
            f"(put the pipelines in separate stacks, or {_LIGHTER})"
        ]


_STACKS: weakref.WeakKeyDictionary[Stack, _DefinitionsInStack] = weakref.WeakKeyDictionary()


def count_in_stack(stack: Stack, pipeline_path: str, size: DefinitionSize) -> None:
    """Add a pipeline's definition to its stack's sum (checked at synth)."""
    check = _STACKS.get(stack)
    if check is None:
        check = _STACKS[stack] = _DefinitionsInStack(stack.node.path)
        stack.node.add_validation(check)
    check.pipelines.append((pipeline_path, size))
