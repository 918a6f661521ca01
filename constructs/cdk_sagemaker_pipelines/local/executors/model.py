"""Model steps (CreateModel): recorded in the local model table for Transform steps."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

from ...definition.entries import StepSpec
from .._errors import LocalRunError, StepError
from ..registry import ModelPackage
from ..store import Located
from ._base import StepContext, StepResult, timestamp
from ._containers import (
    PROGRAM,
    SUBMIT_DIRECTORY,
    LocalContainer,
    locate_container,
    packed_code_directory,
)

# CreateModel's ModelPackageName: a version's ARN (…:model-package/<group>/<version>).
_PACKAGE_ARN = re.compile(r"arn:[^:]+:sagemaker:[^:]*:[^:]*:model-package/([^/]+)/(\d+)")


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
        resolved = [_from_package(item, field, ctx) for field, item in containers]
        for (field, item), (package_container, served) in zip(containers, resolved, strict=True):
            if package_container is not None and served is not None:
                _authorize_version_reads(ctx, field, item, package_container, served)
        located = [
            package_container
            if package_container is not None
            else locate_container(item, ctx.store, field)
            for (field, item), (package_container, _) in zip(containers, resolved, strict=True)
        ]
        name = ctx.job_name
        arn = ctx.arn("model", name)
        now = timestamp(ctx.now())
        properties = dict(arguments)
        properties.update(ModelName=name, ModelArn=arn, CreationTime=now)
        record = dict(properties)
        # A registered version's container, as the model runs it (image, environment).
        for (field, _), (_, served) in zip(containers, resolved, strict=True):
            if served is None:
                continue
            if field == "PrimaryContainer":
                record["PrimaryContainer"] = served
            else:
                record["Containers"] = [
                    served if f"Containers[{index}]" == field else item
                    for index, item in enumerate(record["Containers"])
                ]
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
                    "ModelDataUncompressed": item.uncompressed,
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


def _from_package(
    container: Mapping[str, Any], where: str, ctx: StepContext
) -> tuple[LocalContainer | None, dict[str, Any] | None]:
    """A container given as a registered version (``ModelPackageName``), from the registry.

    Returns the container found locally and the container as the model runs it (the
    version's image and environment, the model's environment added); ``(None, None)`` for
    a container of its own (``Image``).
    """
    package_name = container.get("ModelPackageName")
    if package_name is None:
        return None, None
    match = _PACKAGE_ARN.fullmatch(str(package_name))
    if match is None:
        raise StepError(
            f"{where}.ModelPackageName {package_name!r} is not a model version's ARN "
            "(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>): the local "
            "runner finds versions of its registry by group and version (smpipe registry list)"
        )
    group, version = match.group(1), int(match.group(2))
    try:
        package = ctx.registry.get(group, version)
    except LocalRunError as error:
        raise StepError(f"{where}.ModelPackageName {package_name}: {error}") from None
    containers = (package.description.get("InferenceSpecification") or {}).get("Containers") or []
    if len(containers) != 1:
        raise StepError(
            f"{where}.ModelPackageName {package_name}: the version has {len(containers)} "
            "containers; the local runner creates models of versions of one container"
        )
    (registered,) = containers
    environment = {str(k): str(v) for k, v in (registered.get("Environment") or {}).items()}
    environment.update({str(k): str(v) for k, v in (container.get("Environment") or {}).items()})
    served = {
        "ModelPackageName": package_name,
        "Image": registered.get("Image"),
        "Environment": environment,
    }
    for member in ("ModelDataUrl", "ModelDataSource"):
        if registered.get(member) is not None:
            served[member] = registered[member]
    return _package_container(package, registered, environment, where), served


def _authorize_version_reads(
    ctx: StepContext,
    where: str,
    container: Mapping[str, Any],
    local: LocalContainer,
    served: Mapping[str, Any],
) -> None:
    """Check the model's role may read what SageMaker reads of the version for it.

    The runner serves the version's model data and code from the registry's copies, but
    the model (and the Transform jobs of it) read them from S3 as the model's role, whose
    grant the definition can't show (``grant_read_models``): checked here, as the reads of
    a container of the model's own are (``locate_container``).
    """
    named = f"{where}.ModelPackageName"
    version = container.get("ModelPackageName")
    data = served.get("ModelDataUrl")
    source = served.get("ModelDataSource")
    if data is None and isinstance(source, Mapping):
        data = (source.get("S3DataSource") or {}).get("S3Uri")
    if isinstance(data, str) and data.startswith("s3://"):
        ctx.store.authorize_read(data, f"{named}: the model data of version {version}")
    code = local.code
    if code is not None and code.uri.startswith("s3://"):
        ctx.store.authorize_read(code.uri, f"{named}: the code of version {version}")


def _package_container(
    package: ModelPackage,
    registered: Mapping[str, Any],
    environment: dict[str, str],
    where: str,
) -> LocalContainer:
    """The version's copies in the registry: its model data, and its code unless packed in it."""
    model_data = None
    if registered.get("LocalModelData"):
        model_data = package.directory / str(registered["LocalModelData"])
    program = environment.get(PROGRAM)
    submit = environment.get(SUBMIT_DIRECTORY)
    code = None
    packed = None
    if registered.get("LocalCode"):
        path = package.directory / str(registered["LocalCode"])
        # The registry's copy: a code.tar.gz (extracted), a directory or a script.
        code = Located(str(submit or path), "dir" if path.is_dir() else "file", path, "registry")
    elif submit and not submit.startswith("s3://"):
        packed = packed_code_directory(submit, program, model_data, where)
    return LocalContainer(
        image=registered.get("Image") if isinstance(registered.get("Image"), str) else None,
        model_data=model_data,
        uncompressed=bool(registered.get("LocalModelDataUncompressed")),
        code=code,
        program=program,
        environment=environment,
        code_in_model=packed,
    )
