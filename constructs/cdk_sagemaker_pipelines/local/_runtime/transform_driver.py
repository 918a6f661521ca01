"""Batch transform inside the step's sandbox: the SageMaker inference handler contract.

Run as ``python transform_driver.py SETTINGS.json`` with the interpreter the image maps
to. Loads ``SAGEMAKER_PROGRAM`` from the code directory, calls ``model_fn(model_dir)``
once, then per batch ``input_fn(body, content_type)``, ``predict_fn(data, model)`` and
``output_fn(prediction, accept)``; writes ``<input file>.out`` for each input file.
Standard library only (the handlers bring their own imports); Python 3.8+.
"""

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from typing import Any


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


def main() -> None:
    with open(sys.argv[1]) as handle:
        settings: dict[str, Any] = json.load(handle)
    module = _load(settings["code_dir"], settings["program"])
    model_fn: Callable[..., Any] | None = getattr(module, "model_fn", None)
    if model_fn is None:
        raise SystemExit(f"transform: {settings['program']} defines no model_fn(model_dir)")
    input_fn = getattr(module, "input_fn", _default_input)
    predict_fn = getattr(module, "predict_fn", lambda data, model: model.predict(data))
    output_fn = getattr(module, "output_fn", _default_output)
    model = model_fn(settings["model_dir"])
    content_type = settings.get("content_type") or "text/csv"
    accept = settings.get("accept") or content_type
    joiner = "\n" if settings.get("assemble_with") == "Line" else ""
    limit = int(settings.get("max_payload_mb") or 6) * 1024 * 1024
    count = 0
    for folder, _dirs, files in os.walk(settings["input_dir"]):
        for name in sorted(files):
            source = os.path.join(folder, name)
            relative = os.path.relpath(source, settings["input_dir"])
            with open(source, "rb") as handle:
                data = handle.read()
            pieces = []
            for batch in _batches(
                _records(data, settings.get("split_type") or "None"),
                settings.get("strategy") or "MultiRecord",
                limit,
            ):
                body: Any = batch.decode("utf-8") if content_type.startswith("text/") else batch
                result = output_fn(predict_fn(input_fn(body, content_type), model), accept)
                if isinstance(result, tuple):
                    result = result[0]
                text = result.decode("utf-8") if isinstance(result, bytes) else str(result)
                pieces.append(text.rstrip("\n") if joiner else text)
            target = os.path.join(settings["output_dir"], relative + ".out")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as handle:
                handle.write(joiner.join(pieces) + ("\n" if joiner else ""))
            count += 1
            print(f"transform: {relative} -> {relative}.out")
    print(f"transform: {count} file(s)")


if __name__ == "__main__":
    main()
