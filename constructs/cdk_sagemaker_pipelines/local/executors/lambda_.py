"""Lambda steps: the function's handler invoked locally, or outputs the user supplies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...definition._seal_entries import is_seal_entry
from ...definition.entries import StepSpec
from ...definition.steps.seal import MANIFEST_SUFFIX, sealed_key
from .._errors import StepError
from ..isolation import RUNTIME
from ..resources import split_s3_uri
from ..store import Located, read_text_tail, tree_files
from ._base import StepContext, StepResult
from ._outputs import coerce_output, declared_outputs, output_metadata, supplied

DRIVER = RUNTIME / "lambda_driver.py"
DEFAULT_TIMEOUT = 900.0


class LambdaExecutor:
    """Invokes the mapped local handler with the step's resolved arguments as the event.

    The handler comes from ``ResourceMap.lambdas`` (the cdk.out loader fills it for
    Python functions of the app). The returned object must hold every declared output.
    Values given with ``--callback-output Step.Name=Value`` replace the invocation.

    Example::

        LambdaExecutor().run(spec, ctx).properties["OutputParameters"]["rows"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Invoke the function (a ``SealStep``'s copy runs natively)."""
        arn = ctx.evaluator.resolve(step.entry.get("FunctionArn"))
        if is_seal_entry(step.entry) and supplied(ctx.settings.external_outputs, step.name) is None:
            return _seal(ctx, arn)
        declared = declared_outputs(step.entry)
        given = supplied(ctx.settings.external_outputs, step.name)
        if given is not None:
            result: Any = dict(given)
            source = "--callback-output"
        else:
            result = self._invoke(step, ctx, str(arn))
            source = "the function"
        if declared and not isinstance(result, Mapping):
            raise StepError(
                f"the function returned {type(result).__name__}, not an object with the "
                f"outputs {', '.join(name for name, _ in declared)}"
            )
        values: dict[str, Any] = {}
        for name, kind in declared:
            if name not in result:
                raise StepError(
                    f"{source} returned no output '{name}' (got: "
                    f"{', '.join(sorted(map(str, result))) or 'nothing'})"
                )
            values[name] = coerce_output(name, kind, result[name], source)
        return StepResult(
            properties={"OutputParameters": values, "FunctionArn": arn},
            metadata={"Lambda": {"Arn": arn, "OutputParameters": output_metadata(values)}},
        )

    def _invoke(self, step: StepSpec, ctx: StepContext, arn: str) -> Any:
        handler = ctx.resources.lambda_handler(arn)
        if handler is None:
            raise StepError(
                f"function {arn} has no local handler: map it with "
                f"smpipe run --lambda {arn}=path/to/file.py:handler "
                "(ResourceMap(lambdas=…)), or give its outputs with "
                f"--callback-output {step.name}.NAME=VALUE"
            )
        if handler.runtime and not handler.runtime.startswith("python"):
            raise StepError(
                f"function {arn} uses runtime {handler.runtime}, which the local runner can't "
                f"run; give its outputs with --callback-output {step.name}.NAME=VALUE"
            )
        if not handler.code.exists():
            raise StepError(f"function {arn}: its code {handler.code} does not exist")
        sandbox = ctx.sandbox(ctx.settings.python)
        event_file = ctx.attempt_dir / "event.json"
        result_file = ctx.attempt_dir / "result.json"
        event_file.write_text(json.dumps(ctx.arguments or {}, default=str), encoding="utf-8")
        timeout = _timeout(step.entry.get("Timeout"))
        try:
            ctx.run_process(
                sandbox,
                [
                    ctx.settings.python,
                    str(DRIVER),
                    str(handler.code),
                    handler.handler,
                    str(event_file),
                    str(result_file),
                ],
                env={"SMPIPE_LAMBDA_TIMEOUT": str(timeout)},
                cwd=str(ctx.attempt_dir),
                timeout=timeout,
                what="the Lambda handler",
            )
        except StepError as error:
            # A handler that calls AWS (boto3) fails here for want of a region or
            # credentials: say how to run the pipeline without it.
            if "botocore.exceptions." not in error.reason:
                raise
            outputs = ", ".join(
                f"{step.name}.{name}=VALUE" for name, _ in declared_outputs(step.entry)
            )
            raise StepError(
                f"{error.reason} (the function calls AWS, which a local run doesn't: give "
                f"its outputs with --callback-output {outputs or f'{step.name}.NAME=VALUE'})",
                exception_type=error.exception_type,
                metadata=error.metadata,
            ) from None
        try:
            return json.loads(result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StepError(
                f"the Lambda handler returned no JSON result ({error}): "
                + read_text_tail(ctx.log, 3)
            ) from None


def _timeout(value: Any) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        return float(str(value).rstrip("s"))
    except ValueError:
        return DEFAULT_TIMEOUT


def _seal(ctx: StepContext, arn: Any) -> StepResult:
    """What the sealing function does, in the local store: the same keys, the same outputs.

    Each artifact is copied into the attempt's staging directory and published under
    ``<Destination>/<name>/``: a single object keeps its file name, a prefix its layout.
    Each manifest is written from the local files (``_manifest``) and published at
    ``<Destination>/<name>.manifest.jsonl``.
    """
    arguments = ctx.arguments if isinstance(ctx.arguments, Mapping) else {}
    destination = str(arguments.get("Destination", ""))
    artifacts = arguments.get("Artifacts")
    manifests = arguments.get("Manifests", {})
    if (
        not destination.startswith("s3://")
        or not isinstance(artifacts, Mapping)
        or not isinstance(manifests, Mapping)
    ):
        raise StepError(f"seal step arguments without Destination or Artifacts: {arguments}")
    values: dict[str, Any] = {}
    published: dict[str, Any] = {}
    names: dict[str, str] = {}
    for name, source in artifacts.items():
        what = f"artifact '{name}'"
        located = ctx.store.locate(str(source), what)
        if located is None:
            raise StepError(f"{what}: no object at {source}{ctx.store.missing_hint(str(source))}")
        staged = ctx.staging / str(name)
        ctx.store.materialize(str(source), staged, what)
        prefix = f"{destination.rstrip('/')}/{name}"
        published[prefix] = staged
        names[prefix] = str(name)
        values[str(name)] = (
            sealed_key(destination, str(name), str(source))
            if located.kind == "file"
            else prefix + "/"
        )
    for name, source in manifests.items():
        what = f"manifest '{name}'"
        located = ctx.store.locate_listed(str(source), what)
        if located is None:
            raise StepError(f"{what}: no object at {source}{ctx.store.missing_hint(str(source))}")
        uri = f"{destination.rstrip('/')}/{name}{MANIFEST_SUFFIX}"
        staged = ctx.staging / f"{name}{MANIFEST_SUFFIX}"
        _manifest(located, str(name), str(source), staged, what)
        published[uri] = staged
        names[uri] = str(name)
        values[str(name)] = uri
    return StepResult(
        properties={"OutputParameters": values, "FunctionArn": arn},
        outputs=published,
        output_names=names,
        metadata={"Lambda": {"Arn": arn, "OutputParameters": output_metadata(values)}},
    )


def _manifest(located: Located, name: str, source: str, target: Path, what: str) -> None:
    """The sealing function's manifest of ``located``, from the local files.

    The same lines (see ``_seal_function/index.py``): a header, one line per object in
    key order, and a count. A local file has no version (``version_id`` is null) and no
    ETag: its MD5 stands in (S3's ETag of a single-part upload without SSE-KMS).
    """
    _, key = split_s3_uri(located.uri)  # lines name keys; the header's source, the bucket
    files: list[tuple[str, Path]]
    if located.kind == "dir":
        folder = key.rstrip("/")
        files = [
            (f"{folder}/{relative}", path) for relative, path in tree_files(located.path, what)
        ]
    elif located.kind == "file":
        files = [(key, located.path)]
    else:
        raise StepError(f"{what}: {source} is served packed from {located.path}: no manifest")
    if not files:
        raise StepError(f"{what}: no object at {source} nor under it")
    files.sort(key=lambda item: item[0].encode())  # S3 lists keys in UTF-8 byte order
    header = {
        "manifest": name,
        "source": source,
        "format": "cdk-sagemaker-pipelines/manifest/1",
        "listed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    total = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as out:
        out.write(_line(header))
        for object_key, path in files:
            digest = hashlib.md5(usedforsecurity=False)
            with path.open("rb") as data:
                for chunk in iter(lambda: data.read(1 << 20), b""):
                    digest.update(chunk)
            stat = path.stat()
            total += stat.st_size
            modified = datetime.fromtimestamp(stat.st_mtime, UTC)
            line = {
                "key": object_key,
                "version_id": None,
                "etag": digest.hexdigest(),
                "size": stat.st_size,
                "last_modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            out.write(_line(line))
        out.write(_line({"objects": len(files), "bytes": total}))


def _line(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"
