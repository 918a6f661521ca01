"""Processing steps: the container's entrypoint with inputs and outputs at their LocalPaths."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...definition.entries import StepSpec
from .._errors import StepError
from .._paths import name_problem
from ._base import (
    StepContext,
    StepResult,
    require_output_written,
    stopping_timeout,
    stray_writes,
    timestamp,
)

# Where the definition language puts a Processing step's code (the runner's cache key
# hashes what is there too).
CODE_PATH = "/opt/ml/processing/input/code"


class ProcessingExecutor:
    """Runs ``AppSpecification.ContainerEntrypoint`` + ``ContainerArguments`` as a subprocess.

    Inputs are copied to their ``LocalPath`` before, outputs collected from theirs after;
    ``python3`` runs with the interpreter the image maps to. ``StoppingCondition`` is the
    timeout.

    Example::

        ProcessingExecutor().run(spec, ctx).properties["ProcessingOutputConfig"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run one processing job."""
        arguments: Mapping[str, Any] = ctx.arguments
        application = arguments.get("AppSpecification") or {}
        interpreter = ctx.interpreter(application.get("ImageUri"))
        entrypoint = application.get("ContainerEntrypoint")
        if not entrypoint:
            raise StepError(
                "AppSpecification has no ContainerEntrypoint: the image's own entrypoint can't "
                "run without Docker (give the step code=… or an entrypoint)"
            )
        sandbox = ctx.sandbox(interpreter)
        started = ctx.now()
        inputs = arguments.get("ProcessingInputs") or []
        code: list[tuple[str, Path]] = []
        for index, item in enumerate(inputs):
            name = item.get("InputName", f"input-{index + 1}")
            source = item.get("S3Input")
            if source is None:
                raise StepError(
                    f"input '{name}': only S3Input is supported locally (DatasetDefinition "
                    "queries Athena or Redshift)"
                )
            if source.get("S3DataType", "S3Prefix") != "S3Prefix":
                raise StepError(
                    f"input '{name}': S3DataType {source.get('S3DataType')} is not supported "
                    "locally; use S3Prefix"
                )
            destination = sandbox.host_path(str(source.get("LocalPath")))
            ctx.store.materialize(str(source.get("S3Uri")), destination, f"input '{name}'")
            if name == "code" or str(source.get("LocalPath")).startswith(CODE_PATH):
                code += _code_origin(ctx, source, f"input '{name}'")
        outputs = (arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []
        for item in outputs:
            name = item.get("OutputName")
            problem = name_problem(name) if isinstance(name, str) else "it is not a string"
            if problem is not None:
                # It names the output's folder among the published ones.
                raise StepError(
                    f"output {name!r}: OutputName {name!r} can't name a local folder: {problem}"
                )
            sandbox.host_path(str(item["S3Output"]["LocalPath"])).mkdir(parents=True, exist_ok=True)
        config = sandbox.host_path("/opt/ml/config")
        config.mkdir(parents=True, exist_ok=True)
        job = dict(arguments, ProcessingJobName=ctx.job_name)
        (config / "processingjobconfig.json").write_text(json.dumps(job, default=str))
        (config / "resourceconfig.json").write_text(
            json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]})
        )
        argv = [str(part) for part in (*entrypoint, *(application.get("ContainerArguments") or []))]
        environment = {k: str(v) for k, v in (arguments.get("Environment") or {}).items()}
        ctx.run_process(
            sandbox,
            argv,
            env=environment,
            cwd="/opt/ml/processing" if sandbox.host_path("/opt/ml/processing").is_dir() else "/",
            timeout=stopping_timeout(arguments),
            what="the processing script",
            failure_files=("/opt/ml/output/message", "/opt/ml/output/failure"),
            code=code,
        )
        published: dict[str, Any] = {}
        names: dict[str, str] = {}
        sharing: dict[str, tuple[str, Path]] = {}
        provided = [
            *(str((item.get("S3Input") or {}).get("LocalPath")) for item in inputs),
            *(str(item["S3Output"]["LocalPath"]) for item in outputs),
            "/opt/ml/config",
            "/opt/ml/output/message",
            "/opt/ml/output/failure",
        ]
        # Every output settled (links copied or refused) before any moves out of the sandbox:
        # a link in one may lead to a file of another.
        collected = [
            sandbox.take_output(
                str(item["S3Output"]["LocalPath"]),
                f"output '{item['OutputName']}' ({item['S3Output']['LocalPath']})",
            )
            for item in outputs
        ]
        for item, local in zip(outputs, collected, strict=True):
            name = item["OutputName"]
            require_output_written(
                local,
                strict=ctx.settings.strict_outputs,
                step=step.name,
                description=f"output '{name}' ({item['S3Output']['LocalPath']})",
                written_elsewhere=lambda: stray_writes(sandbox, provided),
            )
            uri = str(item["S3Output"]["S3Uri"])
            shared = ctx.store.check(uri, f"output '{name}'")
            if shared in sharing:
                # Another output of this job uploads to the same prefix: S3 then holds the
                # files of both, and a reader of either URI gets them all.
                first, target = sharing[shared]
                _merge_output(local, target, (first, name), uri)
                continue
            target = ctx.staging / "outputs" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(local), target)
            sharing[shared] = (name, target)
            published[uri] = target
            names[uri] = name
        ended = ctx.now()
        arn = ctx.arn("processing-job")
        properties = dict(arguments)
        properties.update(
            ProcessingJobName=ctx.job_name,
            ProcessingJobArn=arn,
            ProcessingJobStatus="Completed",
            ExitMessage="",
            CreationTime=timestamp(started),
            ProcessingStartTime=timestamp(started),
            ProcessingEndTime=timestamp(ended),
            LastModifiedTime=timestamp(ended),
        )
        return StepResult(
            properties=properties,
            outputs=published,
            output_names=names,
            metadata={"ProcessingJob": {"Arn": arn}},
        )


def _code_origin(ctx: StepContext, source: Mapping[str, Any], what: str) -> list[tuple[str, Path]]:
    """(container path, local path) of a code input, as a failure's log names them.

    One object lands in the input's folder under its key's last name; a prefix is the folder.
    """
    uri, folder = str(source.get("S3Uri")), str(source.get("LocalPath")).rstrip("/")
    located = ctx.store.locate(uri, what)  # copied in already: it is there, and readable
    if located is None:
        return []
    if located.kind == "dir":
        return [(folder, located.path)]
    return [(f"{folder}/{uri.rstrip('/').rsplit('/', 1)[-1]}", located.path)]


def _merge_output(source: Path, target: Path, outputs: tuple[str, str], uri: str) -> None:
    """Move what ``source`` holds into ``target``, the published folder of the same URI.

    Two outputs uploading a file of the same name to one prefix would leave whichever
    upload ends last on SageMaker: that is a ``StepError`` naming both outputs.
    """
    files = sorted(path for path in source.rglob("*") if not path.is_dir())
    for path in files:
        relative = path.relative_to(source)
        if (target / relative).exists():
            raise StepError(
                f"outputs '{outputs[0]}' and '{outputs[1]}' both write {relative.as_posix()} "
                f"to {uri}: on SageMaker one upload would overwrite the other (give each "
                "output its own destination)"
            )
    for path in files:
        relative = path.relative_to(source)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target / relative)
