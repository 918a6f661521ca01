"""Each step's private /opt/ml: the namespace mechanism and the redirect fallback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.local import LocalRunError
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.isolation import (
    IsolationMode,
    Sandbox,
    choose_isolation,
    parent_death_prefix,
    probe_namespaces,
)
from tests.local.conftest import Workspace, compile_steps, processing

SCRIPT = """
import glob, os, pathlib, shutil, tarfile
root = "/opt/ml/processing"
os.makedirs(root + "/out/deep", exist_ok=True)
pathlib.Path(root + "/out/deep/a.txt").write_text("A")
shutil.copyfile(root + "/out/deep/a.txt", root + "/out/b.txt")
with tarfile.open(root + "/out/c.tar.gz", "w:gz") as archive:
    archive.add(root + "/out/b.txt", arcname="b.txt")
found = sorted(os.path.relpath(p, root) for p in glob.glob(root + "/out/**/*", recursive=True))
print("found", found, os.path.exists(root + "/out/b.txt"), os.listdir(root + "/out"))
"""


def run(tmp_path: Path, mode: IsolationMode) -> str:
    sandbox = Sandbox(tmp_path / "attempt", mode, interpreter=sys.executable)
    script = sandbox.host_path("/opt/ml/code/script.py")
    script.parent.mkdir(parents=True)
    script.write_text(SCRIPT)
    log = tmp_path / "log"
    outcome = sandbox.run(
        ["python3", "/opt/ml/code/script.py"],
        env={},
        cwd="/opt/ml/code",
        log=log,
        timeout=30,
        stop=threading.Event(),
    )
    assert outcome.returncode == 0, log.read_text()
    assert (sandbox.opt_ml / "processing/out/deep/a.txt").read_text() == "A"
    assert (sandbox.opt_ml / "processing/out/c.tar.gz").exists()
    return log.read_text()


def test_redirect_mode_maps_opt_ml_in_python_file_apis(tmp_path: Path) -> None:
    output = run(tmp_path, IsolationMode("redirect", "test"))
    assert "found ['out/b.txt', 'out/c.tar.gz', 'out/deep', 'out/deep/a.txt'] True" in output


@pytest.mark.parametrize("mounts", ["overlay", "binds"])
def test_namespace_mode_shows_the_real_opt_ml_paths(
    tmp_path: Path, mounts: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = probe_namespaces()
    if problem is not None:
        pytest.skip(problem)
    if mounts == "binds":
        monkeypatch.setenv("SMPIPE_NO_OVERLAY", "1")
    output = run(tmp_path, IsolationMode("namespace", "test"))
    assert "found ['out/b.txt', 'out/c.tar.gz', 'out/deep', 'out/deep/a.txt'] True" in output
    assert not Path("/opt/ml/processing/out/b.txt").exists()


def test_redirect_mode_rewrites_opt_ml_in_arguments_and_environment(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, IsolationMode("redirect", "test"), interpreter=sys.executable)
    assert sandbox.rewrite("cd /opt/ml/processing && tar -xzf x") == (
        f"cd {tmp_path}/opt/ml/processing && tar -xzf x"
    )
    assert sandbox.rewrite("--dir=/opt/ml") == f"--dir={tmp_path}/opt/ml"
    assert sandbox.rewrite("/tmp/opt/ml/x /opt/mlx") == "/tmp/opt/ml/x /opt/mlx"
    assert sandbox.visible_path("/opt/ml/model") == f"{tmp_path}/opt/ml/model"


def test_fails_on_paths_outside_opt_ml_and_unknown_modes(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, IsolationMode("redirect", "test"), interpreter=sys.executable)
    with pytest.raises(StepError, match="'/data/in' is not under /opt/ml"):
        sandbox.host_path("/data/in")
    with pytest.raises(LocalRunError, match="isolation 'docker' must be one of"):
        choose_isolation("docker")


def test_auto_picks_namespaces_when_available() -> None:
    mode = choose_isolation("auto")
    expected = "namespace" if probe_namespaces() is None else "redirect"
    assert mode.name == expected
    assert choose_isolation("redirect").describe() == (
        "/opt/ml: path redirection, Python scripts only (requested)"
    )


# A runner process that starts a step which records its pid and sleeps; the test kills it.
ORPHAN_RUNNER = """
import sys, threading
from pathlib import Path
from cdk_sagemaker_pipelines.local.isolation import IsolationMode, Sandbox
root, mode = Path(sys.argv[1]), sys.argv[2]
sandbox = Sandbox(root / "attempt", IsolationMode(mode, "test"), interpreter=sys.executable)
script = sandbox.host_path("/opt/ml/code/sleep.py")
script.parent.mkdir(parents=True)
script.write_text(
    "import os, pathlib, time\\n"
    f"pathlib.Path({str(root / 'pid')!r}).write_text(str(os.getpid()))\\n"
    "time.sleep(120)\\n"
)
sandbox.run(["python3", "/opt/ml/code/sleep.py"], env={}, cwd="/opt/ml/code",
            log=root / "log", timeout=None, stop=threading.Event())
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has died


@pytest.mark.parametrize("mode", ["redirect", "namespace"])
def test_a_step_dies_with_a_runner_killed_by_sigkill(
    tmp_path: Path, mode: str, package_python_env: dict[str, str]
) -> None:
    if not parent_death_prefix():
        pytest.skip("setpriv --pdeathsig is not available on this host")
    if mode == "namespace" and (problem := probe_namespaces()) is not None:
        pytest.skip(problem)
    runner = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_RUNNER, str(tmp_path), mode], env=package_python_env
    )
    pid_file = tmp_path / "pid"
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert runner.poll() is None, "the runner ended before its step started"
            assert time.monotonic() < deadline, "the step never started"
            time.sleep(0.05)
        step = int(pid_file.read_text())
        assert _alive(step)
    finally:
        runner.kill()
        runner.wait()
    deadline = time.monotonic() + 10
    while _alive(step) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(step):
        os.kill(step, signal.SIGKILL)
        pytest.fail("the step kept running after its runner was killed")


def test_redirect_mode_names_a_command_that_cannot_start(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, IsolationMode("redirect", "test"), interpreter=sys.executable)
    (tmp_path / "not-executable.sh").write_text("echo hi\n")
    for argv, problem in [
        (["no-such-program-xyz"], "'no-such-program-xyz': No such file or directory"),
        (["./missing.sh"], "'./missing.sh': No such file or directory"),
        ([str(tmp_path / "not-executable.sh")], "not-executable.sh': Permission denied"),
        ([], "there is no command to run"),
    ]:
        with pytest.raises(StepError, match=re.escape(problem)):
            sandbox.run(
                argv,
                env={},
                cwd=str(tmp_path),
                log=tmp_path / "log",
                timeout=5,
                stop=threading.Event(),
            )


CREDENTIALS_SCRIPT = """
import json, os
import boto3

found = boto3.Session().get_credentials()
os.makedirs("/opt/ml/processing/out", exist_ok=True)
with open("/opt/ml/processing/out/env.json", "w") as handle:
    json.dump({"credentials": found is not None,
               "env": sorted(name for name in os.environ if name.startswith("AWS_"))}, handle)
"""


def test_a_step_finds_no_aws_credentials_of_the_machine(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the three key variables were dropped: a profile in ~/.aws (or a container's or
    # the instance's credentials) still let a script or Lambda handler act on a real
    # account from a local run.
    import json

    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_PROFILE", "default")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    step = processing("Env", ws.script("env.py", CREDENTIALS_SCRIPT), outputs=["out"])
    result = ws.runner().run(compile_steps([step]))
    assert result.succeeded, result.failure_reason
    seen = json.loads((result.output("Env", "out") / "env.json").read_text())
    assert seen["credentials"] is False
    assert "AWS_PROFILE" not in seen["env"]
    assert "AWS_ACCESS_KEY_ID" not in seen["env"]
    assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" not in seen["env"]
    assert "AWS_REGION" in seen["env"]  # the region is no credential: kept
