"""RegisterModel steps (CreateModelPackage) into the local model registry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...definition._shape_check import shape_regex
from ...definition.entries import StepSpec
from .._errors import StepError
from .._paths import name_problem
from ..store import write_archive
from ._base import StepContext, StepResult
from ._containers import locate_container


class RegisterModelExecutor:
    """Adds a version to a model package group of ``<root>/registry``.

    The model data, inference code, metrics reports and drift check baselines are copied
    into the version's folder, so the registry outlives the execution (code packed in the model data
    travels in ``model.tar.gz``). Properties follow ``DescribeModelPackage``.

    Example::

        RegisterModelExecutor().run(spec, ctx).properties["ModelPackageVersion"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Register the model version."""
        arguments: Mapping[str, Any] = ctx.arguments
        given = arguments.get("ModelPackageGroupName")
        if not isinstance(given, str) or not given:
            raise StepError("ModelPackageGroupName is required locally (a versioned model package)")
        # CreateModelPackage's ModelPackageGroupName (ArnOrName): a name, or the group's
        # ARN; its second group is the name.
        pattern = shape_regex("ArnOrName")
        named = pattern.fullmatch(given) if pattern is not None else None
        if named is None:
            # A parameter's value isn't checked before the run; the name becomes a folder.
            raise StepError(
                f"ModelPackageGroupName {given!r} is not a model package group's name or ARN "
                "(a name is 1-63 letters, digits and hyphens, not starting or ending with a "
                "hyphen): SageMaker would refuse it"
            )
        group = named[2]  # an ARN names its group, as CreateModelPackage takes it
        specification = dict(arguments.get("InferenceSpecification") or {})
        containers = list(specification.get("Containers") or [])
        if not containers:
            raise StepError("InferenceSpecification has no Containers")
        files: dict[str, Path] = {}
        described: list[dict[str, Any]] = []
        for index, container in enumerate(containers):
            local = locate_container(container, ctx.store, f"Containers[{index}]")
            entry = dict(container)
            prefix = "" if index == 0 else f"container-{index}/"
            if local.model_data is not None:
                # An uncompressed model keeps its form: a folder (or one file) of its own.
                name = f"{prefix}model" if local.uncompressed else f"{prefix}model.tar.gz"
                files[name] = local.model_data
                entry["LocalModelData"] = name
                if local.uncompressed:
                    entry["LocalModelDataUncompressed"] = True
            if local.code is not None:
                if local.code.kind == "archive":
                    # One archive per container: each is copied into the version later.
                    packed = ctx.attempt_dir / f"{prefix}code.tar.gz"
                    write_archive(local.code.path, packed)
                    files[f"{prefix}code.tar.gz"] = packed
                else:
                    files[f"{prefix}code" + _suffix(local.code.path)] = local.code.path
                entry["LocalCode"] = f"{prefix}code" + (
                    ".tar.gz" if local.code.kind == "archive" else _suffix(local.code.path)
                )
            described.append(entry)
        specification["Containers"] = described
        description = dict(arguments)
        description["InferenceSpecification"] = specification
        for member, folder in (
            ("ModelMetrics", "metrics"),
            ("DriftCheckBaselines", "drift-check-baselines"),
        ):
            reports = _reports(arguments.get(member) or {}, member, folder, ctx, files)
            if reports:
                description[member] = reports
        description.setdefault("ModelApprovalStatus", "PendingManualApproval")
        # The registering execution fills in GeneratedBy; a value the definition gives (a CI
        # run, a project) is the user's lineage and is kept, as CreateModelPackage sends it.
        metadata = dict(arguments.get("MetadataProperties") or {})
        metadata.setdefault("GeneratedBy", ctx.execution.execution_arn)
        description["MetadataProperties"] = metadata
        description["LocalExecutionArn"] = ctx.execution.execution_arn
        package = ctx.registry.register(group, description, files, ctx.now())
        properties = dict(package.description)
        return StepResult(properties=properties, metadata={"RegisterModel": {"Arn": package.arn}})


def _suffix(path: Path) -> str:
    name = path.name
    if name.endswith(".tar.gz"):
        return ".tar.gz"
    return path.suffix if path.is_file() else ""


def _reports(
    members: Mapping[str, Any],
    member: str,
    folder: str,
    ctx: StepContext,
    files: dict[str, Path],
) -> dict[str, Any]:
    """``ModelMetrics`` or ``DriftCheckBaselines`` with each file copied into the version."""
    copied: dict[str, Any] = {}
    for kind, reports in members.items():
        if not isinstance(reports, Mapping):
            continue
        for report, source in reports.items():
            if not isinstance(source, Mapping) or not isinstance(source.get("S3Uri"), str):
                continue
            path = ctx.store.local_file(source["S3Uri"], f"{member}.{kind}.{report}")
            name = f"{kind}-{report}{''.join(path.suffixes) or '.json'}"
            problem = name_problem(name)
            if problem is not None:  # the validator knows these members; a record may not
                raise StepError(f"{member}.{kind}.{report}: can't name a registry file: {problem}")
            name = f"{folder}/{name}"
            files[name] = path
            copied.setdefault(kind, {})[report] = {**source, "LocalPath": name}
    return copied
