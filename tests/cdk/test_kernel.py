"""jsii's Node process in this session: the kernel itself, without jsii's relay process.

``tests/cdk/kernel.py`` starts it. Only the transport differs from jsii's usual start:
these tests check the session took it (a jsii upgrade that moves the kernel's channel
falls back to the relay, which is slower, and fails here), that the kernel got the Node
options the relay gives it, that the environment the tests see is unchanged, and that what
the kernel prints still reaches Python's stderr; and that the kernel builds the message of
an assertion only when it fails, the same message (a jsii upgrade that changes the
assertion's text leaves it eager, and fails here).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from tests.cdk import conftest
from tests.cdk.kernel import (
    DIRECT_CHANNEL,
    EAGER_TYPE_ASSERTION,
    LAUNCHER,
    LAZY_ASSERTIONS,
    LAZY_TYPE_ASSERTION,
    NODE_OPTION,
    RELAYED_CHANNEL,
    UNKNOWN_KERNEL,
    with_lazy_assertions,
    write_direct_runtime,
)

PROC = Path("/proc")


def _processes() -> dict[int, tuple[int, list[str]]]:
    """Every process: pid -> (parent's pid, command line)."""
    processes: dict[int, tuple[int, list[str]]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone since the listing
        processes[int(entry.name)] = (parent, [part.decode() for part in command if part])
    return processes


def _children(pid: int) -> dict[int, list[str]]:
    """The child processes of ``pid``: pid -> command line."""
    return {child: command for child, (parent, command) in _processes().items() if parent == pid}


@pytest.fixture
def kernel_pid() -> int:
    """The pid of this session's jsii kernel, started without the relay."""
    if not PROC.is_dir():
        pytest.skip("no /proc to find the kernel's process in")
    reason = conftest.WHY_THE_KERNEL_HAS_A_RELAY
    # A jsii upgrade that moved the kernel's channel fails (the session got slower, and
    # kernel.py needs a look); a reason of this environment's only skips.
    assert reason != UNKNOWN_KERNEL, f"jsii's kernel runs behind its relay: {reason}"
    if reason is not None:
        pytest.skip(f"jsii's kernel runs behind its relay: {reason}")
    # jsii's runtime script is the last argument of its node command, whichever it is.
    kernels = {
        pid: command
        for pid, command in _children(os.getpid()).items()
        if any(part.endswith(("jsii-runtime.js", LAUNCHER.name)) for part in command)
    }
    ((pid, command),) = kernels.items()
    assert Path(command[-1]).name == LAUNCHER.name
    return pid


def test_the_kernel_runs_without_the_relay(kernel_pid: int):
    # Under the relay, the kernel would be a child of the relay's process: it has none.
    assert _children(kernel_pid) == {}


def test_the_kernel_gets_the_node_option_the_relay_gives_it(kernel_pid: int):
    # On node's own command line, before the script: the kernel reads process.execArgv.
    command = (PROC / str(kernel_pid) / "cmdline").read_bytes().decode().split("\0")
    assert NODE_OPTION in command[: command.index(next(c for c in command if c.endswith(".js")))]


def test_the_tests_see_the_environment_as_it_was(kernel_pid: int):
    environment = (PROC / str(kernel_pid) / "environ").read_bytes().split(b"\0")
    variables = dict(entry.decode().split("=", 1) for entry in environment if b"=" in entry)
    assert variables["JSII_RUNTIME"].endswith(LAUNCHER.name)
    assert "JSII_RUNTIME" not in os.environ
    assert os.environ.get("JSII_NODE") != variables["JSII_NODE"]


def test_what_the_kernel_prints_reaches_pythons_stderr(capsys: pytest.CaptureFixture[str]):
    # aws-cdk-lib prints a deprecation warning on each use of a deprecated prop.
    ec2.Vpc(cdk.Stack(cdk.App(), "Test"), "Vpc", cidr="10.0.0.0/16")
    expected = "[WARNING] aws-cdk-lib.aws_ec2.VpcProps#cidr is deprecated"
    printed = ""
    deadline = time.monotonic() + 10  # jsii's thread reading the kernel's stderr writes it
    while expected not in printed and time.monotonic() < deadline:
        time.sleep(0.01)
        printed += capsys.readouterr().err
    assert expected in printed


def test_the_kernel_is_written_with_its_channel_on_stdin_and_stdout(tmp_path: Path):
    launcher = write_direct_runtime(tmp_path)
    assert launcher == tmp_path / "lib" / LAUNCHER.name
    program = (tmp_path / "lib" / "program.js").read_text(encoding="utf-8")
    assert DIRECT_CHANNEL in program
    assert RELAYED_CHANNEL not in program
    assert program.count(LAZY_TYPE_ASSERTION) == program.count(EAGER_TYPE_ASSERTION) == 1
    assert (tmp_path / "lib" / "runtime-index-worker.js").is_file()


def test_the_sessions_kernel_builds_assertion_messages_only_when_they_fail(kernel_pid: int):
    # The kernel's program.js is next to its launcher, the last argument of its command.
    command = (PROC / str(kernel_pid) / "cmdline").read_bytes().decode().split("\0")
    program = Path([part for part in command if part][-1]).with_name("program.js")
    text = program.read_text(encoding="utf-8")
    for eager, lazy in LAZY_ASSERTIONS.items():
        # jsii's text changed where this fails: LAZY_ASSERTIONS needs a look.
        assert text.count(lazy) == text.count(eager) == 1, f"{eager} is still eager"


def test_an_assertion_text_not_found_exactly_once_is_left_as_it_is():
    assert with_lazy_assertions("f();") == "f();"
    twice = f"{EAGER_TYPE_ASSERTION};{EAGER_TYPE_ASSERTION};"
    assert with_lazy_assertions(twice) == twice
    once = f"if({EAGER_TYPE_ASSERTION},g())h();"
    assert with_lazy_assertions(once) == f"if({LAZY_TYPE_ASSERTION},g())h();"


# Runs each assertion's text as program.js does (B: {default: Node's assert}, K: util,
# counting its inspect calls) on a type, then on none: what it formats, what it throws.
ASSERTION_PROBE = """
const B = { default: require('assert') };
let formatted = 0;
const K = { inspect: (...args) => { formatted += 1; return require('util').inspect(...args); } };
const results = {};
for (const [name, text] of Object.entries(JSON.parse(process.argv[1]))) {
  const assertion = new Function('B', 'K', 'e', `return ${text};`);
  formatted = 0;
  assertion(B, K, { type: { primitive: 'string' } });
  const formattedWhenItHolds = formatted;
  const thrown = [];
  for (const none of [undefined, null]) {
    try {
      assertion(B, K, none);
      thrown.push(null);
    } catch (error) {
      const { name, code, message, actual, expected, operator, generatedMessage } = error;
      thrown.push({ name, code, message, actual, expected, operator, generatedMessage });
    }
  }
  results[name] = { formatted: formattedWhenItHolds, thrown };
}
console.log(JSON.stringify(results));
"""


def test_a_lazy_assertion_formats_nothing_when_it_holds_and_throws_the_same_error():
    texts = {"eager": EAGER_TYPE_ASSERTION, "lazy": LAZY_TYPE_ASSERTION}
    node = os.environ.get("JSII_NODE", "node")  # as jsii picks it
    printed = subprocess.run(
        [node, "-e", ASSERTION_PROBE, json.dumps(texts)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    results = json.loads(printed)
    assert results["eager"]["formatted"] == 1  # what the lazy one saves
    assert results["lazy"]["formatted"] == 0
    assert results["lazy"]["thrown"] == results["eager"]["thrown"]
    assert [error["message"] for error in results["lazy"]["thrown"]] == [
        "Kernel error: expected type information, got undefined",
        "Kernel error: expected type information, got null",
    ]
