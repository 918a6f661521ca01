"""jsii's Node process for the CDK tests, started without the relay jsii puts in front of it.

jsii's Python side starts ``node bin/jsii-runtime.js``, which starts the kernel
(``lib/program.js``) as a second Node process and relays every request and response
between its own stdin/stdout and the kernel's channel (fd 3). Each of the ~60,000 round
trips of a ``tests/cdk`` session so crosses two more pipes and wakes a third process on a
2-core machine. ``start_kernel()`` starts the kernel itself in jsii's Node process instead:
the same ``program.js`` with its channel on stdin/stdout, behind ``jsii_kernel.js``, which
forwards what the code it runs prints as the relay did. jsii's Python side is unchanged:
``JSII_RUNTIME`` names the script it starts, and ``JSII_NODE`` a script running Node with
the ``--preserve-symlinks`` the relay gives the kernel (with it, the kernel links each
package from jsii's package cache instead of copying aws-cdk-lib's files in at start and
deleting them at exit). So every call, type check, callback and error is what it is under
the relay; only the transport differs. One difference would show: a process the kernel
started with inherited output would write into the channel, where the relay forwarded its
output. Synth starts none (images and bundling are built by the CLI at deploy).

The kernel written also builds one assertion's message only when the assertion fails
(``LAZY_ASSERTIONS``): jsii's serializer asserts it got a type on each value it converts,
with a message built by ``util.inspect`` of that type whether the assertion holds or not,
about 2.5 s of the kernel's CPU in a session. The assertion is the same call with the same
arguments, made only when its condition is false: the same error, never built for nothing.

Where this jsii's ``program.js`` doesn't open its channel the way this module knows, or
jsii was imported before, the kernel starts the usual way: slower, never different. Where
it doesn't hold an assertion's text exactly once, that text stays as it is. In both cases
``tests/cdk/test_kernel.py`` fails.
"""

from __future__ import annotations

import atexit
import importlib.resources
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# How lib/program.js opens its jsii channel: fd 3, which bin/jsii-runtime.js connects.
RELAYED_CHANNEL = "readFD:3,writeFD:3"
DIRECT_CHANNEL = "readFD:0,writeFD:1"
LAUNCHER = Path(__file__).with_name("jsii_kernel.js")
KERNEL_FILES = ("lib/program.js", "lib/runtime-index-worker.js")
# jsii's serializer (computeSerializationType) asserts it got a type, formatting the type
# into the message on every call, whether the assertion holds or not; rewritten to call
# the assertion, with the same arguments, only when it fails. B is Node's assert module,
# K its util module, in that part of the bundle.
EAGER_TYPE_ASSERTION = (
    "(0,B.default)(null!=e,`Kernel error: expected type information, got ${(0,K.inspect)(e)}`)"
)
LAZY_TYPE_ASSERTION = f"(null!=e||{EAGER_TYPE_ASSERTION})"
# Each eager assertion of lib/program.js, and the same assertion made only when it fails.
LAZY_ASSERTIONS = {EAGER_TYPE_ASSERTION: LAZY_TYPE_ASSERTION}
# The option bin/jsii-runtime.js starts the kernel with; the kernel reads it from its own
# command line (process.execArgv), so it can't come from NODE_OPTIONS.
NODE_OPTION = "--preserve-symlinks"


def write_direct_runtime(directory: Path) -> Path | None:
    """Write the kernel with its channel on stdin/stdout, and its launcher, into ``directory``.

    Returns the launcher's path, or None where this jsii's kernel opens its channel in a way
    this module doesn't know.
    """
    import jsii._embedded.jsii as embedded  # the files only: importing jsii starts no Node

    files = {target: resource for resource, target in embedded.EMBEDDED_FILES.items()}
    if not all(name in files for name in KERNEL_FILES):
        return None
    for name in KERNEL_FILES:
        text = importlib.resources.files(embedded).joinpath(files[name]).read_text("utf-8")
        if name == "lib/program.js":
            if text.count(RELAYED_CHANNEL) != 1:
                return None
            text = with_lazy_assertions(text.replace(RELAYED_CHANNEL, DIRECT_CHANNEL))
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    launcher = directory / "lib" / LAUNCHER.name
    shutil.copyfile(LAUNCHER, launcher)
    return launcher


def with_lazy_assertions(program: str) -> str:
    """``program`` (jsii's ``lib/program.js``) with its eager assertions made lazy.

    Each is rewritten only where its text is found exactly once, else left as it is.
    """
    for eager, lazy in LAZY_ASSERTIONS.items():
        if program.count(eager) == 1:
            program = program.replace(eager, lazy)
    return program


def write_node(directory: Path, node: str) -> Path:
    """Write a script running ``node`` with the kernel's option into ``directory``."""
    script = directory / "node"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(node)} {NODE_OPTION} "$@"\n')
    script.chmod(0o755)
    return script


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` set, as it was afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Why start_kernel() left the kernel behind the relay when this jsii's kernel is new to
# this module: the one reason the tests treat as a failure (an upgrade to look at).
UNKNOWN_KERNEL = "this jsii's lib/program.js doesn't open its channel the way kernel.py knows"


def start_kernel() -> str | None:
    """Start jsii's Node process (by importing ``aws_cdk``) without the relay, if possible.

    Returns None when the kernel runs without the relay, else why it runs behind it
    (``UNKNOWN_KERNEL``, or a reason of the environment's). The environment is as it was
    afterwards: only the kernel's process sees the two variables set.
    """
    if "jsii" in sys.modules:
        return "jsii was imported before tests/cdk/conftest.py, and its kernel started then"
    if "JSII_RUNTIME" in os.environ:
        return "JSII_RUNTIME chooses jsii's runtime script in this environment"
    directory = Path(tempfile.mkdtemp(prefix="jsii-direct-kernel-"))
    # Registered before jsii registers stopping its process, so it runs after that.
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    if os.statvfs(directory).f_flag & os.ST_NOEXEC:
        return f"{directory.parent} is mounted noexec: the node script can't run from there"
    launcher = write_direct_runtime(directory)
    if launcher is None:
        return UNKNOWN_KERNEL  # the first import of aws_cdk starts the kernel the usual way
    node = write_node(directory, os.environ.get("JSII_NODE", "node"))  # as jsii picks it
    with _environment(JSII_RUNTIME=str(launcher), JSII_NODE=str(node)):
        import aws_cdk  # noqa: F401  (its import starts the kernel)
    return None
