"""``LambdaStep``: invoke a Lambda function and read its outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .._render import JsonValue, RenderContext, compact, render
from .._typecheck import checked
from ..expressions import Expression
from ..properties import PropertyNode, root_node
from ..retry import CacheConfig
from ._base import Step
from ._outputs import StepOutput

if TYPE_CHECKING:
    from ..property_types import LambdaStepProperties


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class LambdaStep(Step):
    """Invokes ``function_arn`` with ``inputs``; ``properties.OutputParameters['x']`` reads outputs.

    Pass a CDK function's ``function_arn``: the ``Pipeline`` construct grants
    ``lambda:InvokeFunction`` on exactly that function.

    Example::

        prep = LambdaStep(name="PrepLambda", function_arn=fn.function_arn,
                          inputs={"bucket": "my-bucket"},
                          outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)])
        prep.properties.OutputParameters["rows"]
    """

    function_arn: str | Expression
    inputs: Mapping[str, Any] | None = None
    outputs: Sequence[StepOutput] = ()
    cache_config: CacheConfig | None = None
    step_type: ClassVar[str] = "Lambda"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments": "inputs",
        "FunctionArn": "function_arn",
        "OutputParameters": "outputs",
        "CacheConfig": "cache_config",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> LambdaStepProperties: ...

    def _property_root(self) -> PropertyNode | None:
        declared = {item.output_name: item.output_type.value for item in self.outputs}
        return root_node(self.step_type, declared)

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        return render(dict(self.inputs or {}), ctx)

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return compact(
            CacheConfig=self.cache_config.to_request(ctx) if self.cache_config else None,
            FunctionArn=render(self.function_arn, ctx),
            OutputParameters=[item.to_request() for item in self.outputs] or None,
        )
