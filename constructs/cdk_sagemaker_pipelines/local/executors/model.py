"""Model steps (CreateModel): recorded in the local model table for Transform steps."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ...definition.entries import StepSpec
from .._errors import StepError
from ._base import StepContext, StepResult, timestamp
from ._containers import locate_container


class ModelExecutor:
    """Creates a model: checks its data and code exist locally and records it for Transform.

    The record is ``<root>/models/<ModelName>.json``; its ``Local`` member holds what only
    the local runner needs (the step that created the model, where its code and data are).

    Example::

        ModelExecutor().run(spec, ctx).properties["ModelName"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Record the model."""
        arguments: Mapping[str, Any] = ctx.arguments
        # Each container with the field that holds it, as failure reasons name it.
        containers = [
            (f"Containers[{index}]", item)
            for index, item in enumerate(arguments.get("Containers") or [])
        ]
        if arguments.get("PrimaryContainer"):
            containers.insert(0, ("PrimaryContainer", arguments["PrimaryContainer"]))
        if not containers:
            raise StepError("the model has neither PrimaryContainer nor Containers")
        located = [locate_container(item, ctx.store, field) for field, item in containers]
        name = ctx.job_name
        arn = ctx.arn("model", name)
        now = timestamp(ctx.now())
        properties = dict(arguments)
        properties.update(ModelName=name, ModelArn=arn, CreationTime=now)
        record = dict(properties)
        record["Local"] = {
            "ExecutionId": ctx.execution.execution_id,
            # Transform failures name the step: the model's name is generated.
            "Step": step.name,
            "Containers": [
                {
                    "ModelData": str(item.model_data) if item.model_data else None,
                    "Code": (
                        {"Kind": item.code.kind, "Path": str(item.code.path), "Uri": item.code.uri}
                        if item.code
                        else None
                    ),
                    "CodeInModel": item.code_in_model,
                }
                for item in located
            ],
        }
        folder = ctx.settings.root / "models"
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.json.tmp"
        temporary.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
        os.replace(temporary, folder / f"{name}.json")
        return StepResult(properties=properties, metadata={"Model": {"Arn": arn}})
