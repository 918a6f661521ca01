"""Steps that run on other services (EMR, AutoML, Clarify, …): user-supplied results."""

from __future__ import annotations

from typing import Any

from ...definition.entries import StepSpec
from ...definition.permissions import CHECK_STEP_TYPES
from .._errors import StepError
from ._base import StepContext, StepResult
from ._outputs import check_step_properties, supplied


class ExternalExecutor:
    """Completes a step the local runner can't run, with properties the user supplies.

    ``--callback-output Spark.Status.State=COMPLETED`` sets the property
    ``Status.State`` of step ``Spark``; any supplied value marks the step done. Without
    values, the step fails saying so.

    Example::

        LocalConfig(callback_outputs={"Spark": {"Status.State": "COMPLETED"}})
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Complete the step from supplied values."""
        given = supplied(ctx.settings.external_outputs, step.name)
        if given is None:
            # A check step's properties are its baselines' URIs, which later steps read.
            example = (
                f"{step.name}.CalculatedBaselineConstraints=s3://…"
                if step.step_type in CHECK_STEP_TYPES
                else f"{step.name}.Status.State=COMPLETED"
            )
            raise StepError(
                f"{step.step_type} steps run on another AWS service, which the local runner "
                f"can't reach; mark it done by supplying its properties, e.g. "
                f"--callback-output {example}"
            )
        if step.step_type in CHECK_STEP_TYPES:
            given = check_step_properties(step.step_type, given)
        properties: dict[str, Any] = {}
        for path, value in given.items():
            target = properties
            parts = str(path).split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        return StepResult(properties=properties, metadata={})
