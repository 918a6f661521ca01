"""``CallbackStep``: hand work to an external system through SQS and wait for its answer."""

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
    from ..property_types import CallbackStepProperties


@checked
@dataclass(frozen=True, slots=True, eq=False, kw_only=True, repr=False)
class CallbackStep(Step):
    """Sends ``inputs`` and a token to ``sqs_queue_url``; waits for success or failure.

    The external system calls ``SendPipelineExecutionStepSuccess`` with the declared
    ``outputs``. The ``Pipeline`` construct grants ``sqs:SendMessage`` on the queue.
    ``cache_config`` is written as the SageMaker SDK's ``CallbackStep`` writes it; the
    caching guide doesn't list Callback steps, so whether the service reuses a run is
    undocumented (the local runner never does).

    Example::

        check = CallbackStep(name="ManualCheck", sqs_queue_url=queue.queue_url,
                             inputs={"train": train_uri},
                             outputs=[StepOutput(output_name="ok",
                                                 output_type=OutputType.BOOLEAN)])
    """

    sqs_queue_url: str | Expression
    inputs: Mapping[str, Any] | None = None
    outputs: Sequence[StepOutput] = ()
    cache_config: CacheConfig | None = None
    step_type: ClassVar[str] = "Callback"
    argument_fields: ClassVar[Mapping[str, str]] = {
        "Arguments": "inputs",
        "SqsQueueUrl": "sqs_queue_url",
        "OutputParameters": "outputs",
        "CacheConfig": "cache_config",
    }

    if TYPE_CHECKING:  # the generated stub: a checker completes and checks paths

        @property
        def properties(self) -> CallbackStepProperties: ...

    def _property_root(self) -> PropertyNode | None:
        declared = {item.output_name: item.output_type.value for item in self.outputs}
        return root_node(self.step_type, declared)

    def _arguments(self, ctx: RenderContext) -> JsonValue:
        return render(dict(self.inputs or {}), ctx)

    def _extra_fields(self, ctx: RenderContext) -> dict[str, JsonValue]:
        return compact(
            CacheConfig=self.cache_config.to_request(ctx) if self.cache_config else None,
            SqsQueueUrl=render(self.sqs_queue_url, ctx),
            OutputParameters=[item.to_request() for item in self.outputs] or None,
        )
