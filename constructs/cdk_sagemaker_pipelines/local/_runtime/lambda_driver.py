"""Invoke a Lambda handler locally: ``python lambda_driver.py CODE HANDLER EVENT.json RESULT.json``.

``CODE`` is a ``.py`` file (``HANDLER`` is its function) or a directory (``HANDLER`` is
Lambda's ``module.function``). The event is the step's resolved arguments; the result
must be JSON. An exception the handler's module raises is printed as Python prints a
script's, from the module's own first frame on. Standard library only; Python 3.8+.
"""

from __future__ import annotations  # the annotations below are not evaluated on Python 3.8

import importlib.util
import json
import os
import sys
import time
import traceback
import uuid
from types import TracebackType
from typing import Any, NoReturn

# Frames before the handler's module's first one: this driver's (its path as given to
# Python, made absolute from 3.9 on), and importlib's between it and the module's top
# level when loading the module raises.
_DRIVER_FILES = (__file__, os.path.abspath(__file__))
_IMPORTLIB = "<frozen importlib._bootstrap"  # and _bootstrap_external


class Context:
    """The parts of the Lambda context object handlers commonly read."""

    def __init__(self, name: str, timeout: float) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:local:000000000000:function:" + name
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _handler_frames(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` from the first frame that is not the driver's (``None`` if there is none)."""
    while tb is not None and (
        tb.tb_frame.f_code.co_filename in _DRIVER_FILES
        or tb.tb_frame.f_code.co_filename.startswith(_IMPORTLIB)
    ):
        tb = tb.tb_next
    return tb


def _exit_on_handler_error(error: Exception) -> NoReturn:
    """Print ``error`` as an uncaught exception of the handler's script, then exit 1.

    The runner's summary quotes a step's traceback as the script's own (processing and
    training scripts run as ``python script.py``): the driver's frames would come first.
    An error of the driver itself keeps them all.
    """
    frames = _handler_frames(error.__traceback__) or error.__traceback__
    traceback.print_exception(type(error), error, frames)
    sys.stderr.flush()
    sys.exit(1)


def main() -> None:
    code, handler, event_file, result_file = sys.argv[1:5]
    timeout = float(os.environ.get("SMPIPE_LAMBDA_TIMEOUT", "900"))
    if os.path.isdir(code):
        module_name, _, function = handler.rpartition(".")
        sys.path.insert(0, code)
        path = os.path.join(code, *module_name.split(".")) + ".py"
    else:
        module_name, function = os.path.basename(code).rsplit(".", 1)[0], handler
        sys.path.insert(0, os.path.dirname(os.path.abspath(code)))
        path = code
    if not os.path.isfile(path):
        raise SystemExit(f"lambda: handler module {path} not found")
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        _exit_on_handler_error(error)
    target: Any = getattr(module, function, None)
    if target is None:
        raise SystemExit(f"lambda: {path} has no function {function}")
    with open(event_file) as handle:
        event = json.load(handle)
    context = Context(module_name, timeout)
    try:
        result = target(event, context)
    except Exception as error:
        _exit_on_handler_error(error)
    with open(result_file, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
