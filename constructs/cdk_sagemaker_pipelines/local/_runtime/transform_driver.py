"""Batch transform inside the step's sandbox: the SageMaker inference handler contract.

Run as ``python transform_driver.py SETTINGS.json`` with the interpreter the image maps
to. Loads ``SAGEMAKER_PROGRAM`` from the code directory, calls ``model_fn(model_dir)``
once, then per batch ``input_fn(body, content_type)``, ``predict_fn(data, model)`` and
``output_fn(prediction, accept)``; writes ``<input file>.out`` for each input file.

A container of an inference pipeline runs as one such process too: the first one splits
the input files into requests, a later one reads the previous container's responses
(``requests``, each with the content type it was answered in), and all but the last
write their responses (``responses``) instead of the ``.out`` files.

With ``DataProcessing`` (``input_filter``, ``join_source``, ``output_filter``; one
container only) each record is filtered before it is sent, and each prediction joined
with its input record and filtered, as SageMaker's guide "Associate Prediction Results
with Input Records" describes: a CSV row is a JSON array, a JSON record an object.
Standard library only (the handlers bring their own imports); Python 3.8+.
"""

from __future__ import annotations  # the annotations below are not evaluated on Python 3.8

import base64
import csv
import gzip
import importlib.util
import io
import json
import os
import re
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


# -- DataProcessing ------------------------------------------------------------------------
# The JSONPath subset of the guide (checked when the definition is built): $, .name, .*,
# ['a','b'], [1,-1], [start:end]. A slice ends before <end>, as in JsonPath (Jayway, which
# the guide points to) and Python: the guide's CSV example calls $[1:4] "inclusive", its
# operator table "the array slice() method"; $[:-1] (all but the last) reads as the latter.
_NAME = re.compile(r"\*|[^.\[\]'\",*\s()?@$]+")
_INDEX = re.compile(r"(-?\d*):(-?\d*)|(-?\d+)")
_QUOTED = re.compile(r"'([^']*)'")


def _parse_path(path: str) -> list[tuple[str, Any]]:
    if not path.startswith("$"):
        raise SystemExit(f"transform: DataProcessing path {path!r} must begin with $")
    segments: list[tuple[str, Any]] = []
    at = 1
    while at < len(path):
        if path.startswith(".[", at):
            at += 1  # $.field.['a','b']: the guide writes a dot before the bracket
        if path[at] == ".":
            match = _NAME.match(path, at + 1)
            if match is None:
                raise SystemExit(f"transform: DataProcessing path {path!r}: a name after '.'")
            name = match.group()
            segments.append(("wild", None) if name == "*" else ("names", [name]))
            at = match.end()
            continue
        end = path.find("]", at)
        if path[at] != "[" or end < 0:
            raise SystemExit(f"transform: DataProcessing path {path!r} is not supported")
        inner = path[at + 1 : end].strip()
        if inner == "*":
            segments.append(("wild", None))
        elif inner.startswith("'"):
            # Each name whole: a quoted name may hold a comma ($['last, first']).
            segments.append(("names", _QUOTED.findall(inner)))
        else:
            items: list[Any] = []
            for part in inner.split(","):
                index = _INDEX.fullmatch(part.strip())
                if index is None:
                    raise SystemExit(f"transform: DataProcessing path {path!r}: bad index")
                if index.group(3) is not None:
                    items.append(int(index.group(3)))
                else:
                    start, stop = index.group(1), index.group(2)
                    items.append(slice(int(start) if start else None, int(stop) if stop else None))
            segments.append(("indexes", items))
        at = end + 1
    return segments


def _child(node: Any, name: str, path: str) -> Any:
    if not isinstance(node, dict) or name not in node:
        raise SystemExit(f"transform: DataProcessing path {path}: the record has no {name!r}")
    return node[name]


def _element(node: Any, index: int, path: str) -> Any:
    # "If you specify indexes that aren't within the dimension size of the joined
    # dataset, you get an error" (DataProcessing.OutputFilter).
    if not isinstance(node, list) or not -len(node) <= index < len(node):
        size = len(node) if isinstance(node, list) else "no"
        raise SystemExit(
            f"transform: DataProcessing path {path}: index {index} is outside the record "
            f"({size} elements)"
        )
    return node[index]


def _select(record: Any, path: str | None) -> Any:
    """The part of ``record`` that ``path`` selects: one value, or a list of several."""
    if not path or path == "$":
        return record
    nodes, many = [record], False
    for kind, argument in _parse_path(path):
        found: list[Any] = []
        for node in nodes:
            if kind == "wild":
                found.extend(node.values() if isinstance(node, dict) else node)
            elif kind == "names" and len(argument) == 1:
                found.append(_child(node, argument[0], path))
            elif kind == "names":  # several names of one object: an object of them
                found.append({name: _child(node, name, path) for name in argument})
            elif len(argument) == 1 and isinstance(argument[0], int):
                found.append(_element(node, argument[0], path))
            else:
                for item in argument:
                    if isinstance(item, int):
                        found.append(_element(node, item, path))
                    elif not isinstance(node, list):
                        raise SystemExit(f"transform: DataProcessing path {path}: not an array")
                    else:
                        found.extend(node[item])
        # Only a name, or a single index, keeps one value: any other selector makes a list.
        single = kind == "names" or (
            kind == "indexes" and len(argument) == 1 and isinstance(argument[0], int)
        )
        many = many or not single
        nodes = found
    return nodes if many else nodes[0]


def _is_csv(content_type: str | None) -> bool:
    return (content_type or "text/csv").split(";")[0].strip() in ("text/csv", "text/plain")


def _parse_record(text: str, content_type: str | None) -> Any:
    if _is_csv(content_type):
        return next(csv.reader([text]), [])
    return json.loads(text)


def _write_record(value: Any, content_type: str | None) -> str:
    if not _is_csv(content_type):
        # Text as it was read (UTF-8), not \u escapes: the model and the output see "é".
        return json.dumps(value, ensure_ascii=False)
    row = value if isinstance(value, list) else [value]
    buffer = io.StringIO()
    cells = [json.dumps(cell) if isinstance(cell, (dict, list)) else cell for cell in row]
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _join(record: Any, prediction: Any, content_type: str | None) -> Any:
    """``JoinSource: Input``: the input record with its prediction, as the service joins."""
    if _is_csv(content_type):
        # "if the record is [1,2,3], and the label result is [1], then the output file
        # would contain [1,2,3,1]"
        return [*record, *(prediction if isinstance(prediction, list) else [prediction])]
    if isinstance(record, dict):
        return {**record, "SageMakerOutput": prediction}
    # "If the input isn't a key-value pair object, SageMaker AI creates a new JSON file":
    return {"SageMakerInput": record, "SageMakerOutput": prediction}


def _write_processed_outputs(settings: dict[str, Any], handlers: _Handlers) -> None:
    """Filter, send, join and filter each record; ``<file>.out`` per input file."""
    content_type = settings.get("content_type") or "text/csv"
    accept = settings.get("accept") or content_type
    input_filter, output_filter = settings.get("input_filter"), settings.get("output_filter")
    join = settings.get("join_source") == "Input"
    limit = int(settings.get("max_payload_mb") or 6) * 1024 * 1024
    joiner = "\n" if settings.get("assemble_with") == "Line" else ""
    split = settings.get("split_type") or "None"
    count = 0
    for folder, _dirs, files in os.walk(settings["input_dir"]):
        for name in sorted(files):
            source = os.path.join(folder, name)
            relative = os.path.relpath(source, settings["input_dir"])
            with open(source, "rb") as handle:
                data = handle.read()
            if settings.get("compression_type") == "Gzip":
                data = gzip.decompress(data)
            records = [
                _parse_record(raw.decode("utf-8"), content_type) for raw in _records(data, split)
            ]
            requests = [
                _write_record(_select(record, input_filter), content_type).encode("utf-8")
                for record in records
            ]
            # Which records each request carries: its answer has a line per record.
            batches = _batches(requests, settings.get("strategy") or "MultiRecord", limit)
            predictions: list[Any] = []
            for batch in batches:
                result, answered = handlers.invoke(batch, content_type, accept)
                text = result.decode("utf-8") if isinstance(result, bytes) else str(result)
                sent = len(batch.split(b"\n")) if split == "Line" else 1
                lines = [line for line in text.splitlines() if line.strip()]
                if sent == 1 and len(lines) != 1:
                    lines = [text.strip()]
                if len(lines) != sent:
                    raise SystemExit(
                        f"transform: input {relative}: a request of {sent} record(s) was "
                        f"answered with {len(lines)} line(s); DataProcessing joins each "
                        "record with its own line of the response"
                    )
                predictions.extend(_parse_record(line, answered) for line in lines)
            pieces = []
            for index, record in enumerate(records):  # a prediction per record, checked above
                prediction = predictions[index]
                joined = _join(record, prediction, content_type) if join else prediction
                out_type = content_type if join else accept
                pieces.append(_write_record(_select(joined, output_filter), out_type))
            target = os.path.join(settings["output_dir"], relative + ".out")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:  # as the records were read
                handle.write(joiner.join(pieces) + ("\n" if joiner else ""))
            count += 1
            print(f"transform: {relative} -> {relative}.out ({len(records)} record(s))")
    print(f"transform: {count} file(s)")


def main() -> None:
    with open(sys.argv[1]) as handle:
        settings: dict[str, Any] = json.load(handle)
    if settings.get("container"):
        print(f"transform: {settings['container']}")
    handlers = _Handlers(settings)
    if settings.get("data_processing"):
        _write_processed_outputs(settings, handlers)
        return
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
