"""Callback steps: their outputs come from values the user supplies, or the step fails."""

from __future__ import annotations

from typing import Any

from ...definition.entries import StepSpec
from .._errors import StepError
from ._base import StepContext, StepResult
from ._outputs import coerce_output, declared_outputs, output_metadata, supplied


class CallbackExecutor:
    """Completes a Callback step with ``--callback-output Step.Name=Value`` values.

    Locally there is no queue and no external system: the values stand in for the
    ``SendPipelineExecutionStepSuccess`` call. Without them the step fails, saying how
    to supply them.

    Example::

        LocalConfig(callback_outputs={"ManualCheck": {"ok": "true"}})
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Complete the callback."""
        declared = declared_outputs(step.entry)
        given = supplied(ctx.settings.external_outputs, step.name)
        if given is None:
            names = " ".join(f"--callback-output {step.name}.{n}=VALUE" for n, _ in declared)
            raise StepError(
                "a Callback step waits for an external system, which does not exist locally; "
                f"supply its outputs: {names or f'--callback-output {step.name}.done=true'} "
                "(LocalConfig(callback_outputs=…))"
            )
        values: dict[str, Any] = {}
        for name, kind in declared:
            if name not in given:
                raise StepError(
                    f"no value for output '{name}': add --callback-output {step.name}.{name}=VALUE "
                    f"(LocalConfig(callback_outputs={{'{step.name}': {{'{name}': …}}}}))"
                )
            values[name] = coerce_output(name, kind, given[name], "--callback-output")
        token = ctx.job_name[-10:]
        queue = ctx.evaluator.resolve(step.entry.get("SqsQueueUrl"))
        return StepResult(
            properties={"OutputParameters": values},
            metadata={
                "Callback": {
                    "CallbackToken": token,
                    "SqsQueueUrl": queue,
                    "OutputParameters": output_metadata(values),
                }
            },
        )
