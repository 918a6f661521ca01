"""Each step's private /opt/ml: the namespace mechanism and the redirect fallback."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.local import LocalRunError
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.isolation import (
    IsolationMode,
    Sandbox,
    choose_isolation,
    probe_namespaces,
)

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
