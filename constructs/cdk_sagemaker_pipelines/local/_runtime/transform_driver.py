"""Batch transform inside the step's sandbox: the SageMaker inference handler contract.

Run as ``python transform_driver.py SETTINGS.json`` with the interpreter the image maps
to. Loads ``SAGEMAKER_PROGRAM`` from the code directory, calls ``model_fn(model_dir)``
once, then per batch ``input_fn(body, content_type)``, ``predict_fn(data, model)`` and
``output_fn(prediction, accept)``; writes ``<input file>.out`` for each input file.

A container of an inference pipeline runs as one such process too: the first one splits
the input files into requests, a later one reads the previous container's responses
(``requests``, each with the content type it was answered in), and all but the last
write their responses (``responses``) instead of the ``.out`` files.
Standard library only (the handlers bring their own imports); Python 3.8+.
"""

from __future__ import annotations  # the annotations below are not evaluated on Python 3.8

import base64
import gzip
import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

# Frames before the inference script's first one: this driver's (its path as given to
# Python, made absolute from 3.9 on), and importlib's when loading the script raises.
_DRIVER_FILES = (__file__, os.path.abspath(__file__))
_IMPORTLIB = "<frozen importlib._bootstrap"  # and _bootstrap_external


def _load(code_dir: str, program: str) -> Any:
    sys.path.insert(0, code_dir)
    path = os.path.join(code_dir, program)
    if not os.path.isfile(path):
        raise SystemExit(f"transform: the inference script {program} is not in the model's code")
    spec = importlib.util.spec_from_file_location(program.rsplit(".", 1)[0], path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _default_input(body: Any, content_type: str) -> Any:
    if content_type in ("text/csv", "text/plain"):
        import io

        import numpy

        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return numpy.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
    if content_type == "application/json":
        return json.loads(body)
    raise SystemExit(f"transform: no input_fn for content type {content_type!r}")


def _default_output(prediction: Any, accept: str) -> Any:
    if accept in ("application/json",):
        return json.dumps(getattr(prediction, "tolist", lambda: prediction)())
    values = getattr(prediction, "tolist", lambda: prediction)()
    return "\n".join(",".join(map(str, v)) if isinstance(v, list) else str(v) for v in values)


def _records(data: bytes, split: str) -> list[bytes]:
    if split == "Line":
        return [line for line in data.splitlines() if line.strip()]
    if split == "None":
        return [data]
    raise SystemExit(f"transform: SplitType {split} is not supported locally (use Line or None)")


def _batches(records: list[bytes], strategy: str, limit: int) -> list[bytes]:
    if strategy != "MultiRecord":
        return records
    batches: list[bytes] = []
    current: list[bytes] = []
    size = 0
    for record in records:
        if current and size + len(record) + 1 > limit:
            batches.append(b"\n".join(current))
            current, size = [], 0
        current.append(record)
        size += len(record) + 1
    if current:
        batches.append(b"\n".join(current))
    return batches


class _Handlers:
    """The script's handlers (or the scikit-learn container's defaults) and its model."""

    def __init__(self, settings: dict[str, Any]) -> None:
        module = _load(settings["code_dir"], settings["program"])
        model_fn: Callable[..., Any] | None = getattr(module, "model_fn", None)
        if model_fn is None:
            raise SystemExit(f"transform: {settings['program']} defines no model_fn(model_dir)")
        self.input_fn = getattr(module, "input_fn", _default_input)
        self.predict_fn = getattr(module, "predict_fn", lambda data, model: model.predict(data))
        self.output_fn = getattr(module, "output_fn", _default_output)
        self.model = model_fn(settings["model_dir"])

    def invoke(self, request: bytes, content_type: str, accept: str) -> tuple[Any, str]:
        """One request: the response and the content type it is in.

        ``output_fn`` may return ``(body, content_type)``, as the SageMaker inference
        toolkit allows; otherwise the response is in the ``accept`` type.
        """
        body: Any = request.decode("utf-8") if content_type.startswith("text/") else request
        result = self.output_fn(
            self.predict_fn(self.input_fn(body, content_type), self.model), accept
        )
        answered = accept
        if isinstance(result, tuple):
            if len(result) > 1 and isinstance(result[1], str) and result[1]:
                answered = result[1]
            result = result[0]
        return result, answered


def _split_input(settings: dict[str, Any]) -> Iterable[tuple[str, list[tuple[bytes, str]]]]:
    """Each input file (relative to the input directory) and its requests, in order.

    The requests are the file's records batched up to MaxPayloadInMB, with their content
    type. One file at a time, so a large input is never read whole.
    """
    content_type = settings.get("content_type") or "text/csv"
    limit = int(settings.get("max_payload_mb") or 6) * 1024 * 1024
    for folder, _dirs, files in os.walk(settings["input_dir"]):
        for name in sorted(files):
            source = os.path.join(folder, name)
            with open(source, "rb") as handle:
                data = handle.read()
            relative = os.path.relpath(source, settings["input_dir"])
            if settings.get("compression_type") == "Gzip":
                # The service decompresses each object before splitting it into records.
                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError) as error:
                    raise SystemExit(
                        f"transform: input {relative}: CompressionType is Gzip but the file "
                        f"can't be decompressed ({error}); gzip it, or set no compression_type"
                    ) from None
            batches = _batches(
                _records(data, settings.get("split_type") or "None"),
                settings.get("strategy") or "MultiRecord",
                limit,
            )
            yield relative, [(batch, content_type) for batch in batches]


def _read_requests(path: str) -> Iterable[tuple[str, list[tuple[bytes, str]]]]:
    with open(path) as handle:
        files = json.load(handle)["files"]
    return [
        (
            item["relative"],
            [(base64.b64decode(each["body"]), each["content_type"]) for each in item["requests"]],
        )
        for item in files
    ]


def _as_bytes(response: Any) -> bytes:
    if isinstance(response, bytes):
        return response
    return (response if isinstance(response, str) else str(response)).encode("utf-8")


def _write_responses(
    path: str,
    handlers: _Handlers,
    requests: Iterable[tuple[str, list[tuple[bytes, str]]]],
    accept: Any,
) -> None:
    """Answer every request; the responses are the next container's requests."""
    files = []
    count = 0
    for relative, batches in requests:
        answered = []
        for request, content_type in batches:
            response, response_type = handlers.invoke(request, content_type, accept or content_type)
            body = base64.b64encode(_as_bytes(response)).decode("ascii")
            answered.append({"body": body, "content_type": response_type})
            count += 1
        files.append({"relative": relative, "requests": answered})
    with open(path, "w") as handle:
        json.dump({"files": files}, handle)
    print(f"transform: {count} response(s) for the next container")


def _write_outputs(
    settings: dict[str, Any],
    handlers: _Handlers,
    requests: Iterable[tuple[str, list[tuple[bytes, str]]]],
) -> None:
    """Answer every request and assemble each input file's responses into ``<file>.out``."""
    accept = settings.get("accept")
    joiner = "\n" if settings.get("assemble_with") == "Line" else ""
    count = 0
    for relative, batches in requests:
        pieces = []
        for request, content_type in batches:
            result, _answered = handlers.invoke(request, content_type, accept or content_type)
            text = result.decode("utf-8") if isinstance(result, bytes) else str(result)
            pieces.append(text.rstrip("\n") if joiner else text)
        target = os.path.join(settings["output_dir"], relative + ".out")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as handle:
            handle.write(joiner.join(pieces) + ("\n" if joiner else ""))
        count += 1
        print(f"transform: {relative} -> {relative}.out")
    print(f"transform: {count} file(s)")


def main() -> None:
    with open(sys.argv[1]) as handle:
        settings: dict[str, Any] = json.load(handle)
    if settings.get("container"):
        print(f"transform: {settings['container']}")
    handlers = _Handlers(settings)
    if settings.get("requests"):
        requests = _read_requests(settings["requests"])
    else:
        requests = _split_input(settings)
    if settings.get("responses"):
        _write_responses(settings["responses"], handlers, requests, settings.get("accept"))
    else:
        _write_outputs(settings, handlers, requests)


def _script_frames(tb: TracebackType | None, code_dir: str) -> TracebackType | None:
    """``tb`` from the inference script's first frame; None if it isn't the script's.

    An error of one of the driver's default handlers (``input_fn`` of a scikit-learn
    model, raising in numpy) passes through no frame of the script: it keeps the driver's.
    """
    while tb is not None and (
        tb.tb_frame.f_code.co_filename in _DRIVER_FILES
        or tb.tb_frame.f_code.co_filename.startswith(_IMPORTLIB)
    ):
        tb = tb.tb_next
    if tb is None:
        return None
    script = os.path.abspath(tb.tb_frame.f_code.co_filename)
    return tb if script.startswith(os.path.join(os.path.abspath(code_dir), "")) else None


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        # Printed as Python prints a script's uncaught exception, from the inference
        # script's own first frame: the runner's summary quotes a step's traceback as the
        # script's, as it does a processing script's (run as `python script.py`).
        with open(sys.argv[1]) as settings_file:
            code_dir = json.load(settings_file).get("code_dir") or ""
        frames = _script_frames(error.__traceback__, code_dir) if code_dir else None
        if frames is None:
            raise
        traceback.print_exception(type(error), error, frames)
        sys.stderr.flush()
        sys.exit(1)
