"""Shared fixtures. Tests never touch AWS: no credentials, no network."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

# pytester runs the jsii guard's own tests in fresh sessions.
pytest_plugins = ["pytester", "tests.jsii_guard"]

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
SDK_EXAMPLES = SHARED_REFERENCE / "sagemaker-pipeline-definition-examples"

# jsii runs on the project's Node 22 (the machine's Node may be end of life and noisy).
_NODE = REPO / "node_modules" / ".bin" / "node"
if _NODE.exists():
    os.environ.setdefault("JSII_NODE", str(_NODE))

# A suite started in the background (`nohup`, `&` in a script) inherits an ignored SIGINT,
# and so would every process a test starts: the tests of Ctrl-C need it delivered.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Guard against accidental AWS calls: no credentials reach any test.
for _variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(_variable, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def load_sdk_example(name: str) -> Any:
    """Load a golden SDK definition from ../shared, skipping the test when it's absent."""
    path = SDK_EXAMPLES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    return json.loads(path.read_text())


ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"


@pytest.fixture(scope="session")
def example_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The example project run locally once per session: registered, then rejected.

    Returns ``(runner, registered, rejected)``. Tests that run the same pipeline again copy
    its cache and executions (``cached_example_root``) rather than train once more.
    """
    from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunner
    from example_project.local import local_pipeline

    root = tmp_path_factory.mktemp("example") / ".smpipe"
    runner = LocalRunner(LocalConfig(root=root))
    registered = runner.run(local_pipeline())
    rejected = runner.run(local_pipeline(), {"AccuracyThreshold": "0.999"})
    return runner, registered, rejected


def cached_example_root(example_runs: Any, root: Path) -> Path:
    """A fresh runner directory whose step cache already holds the example project's steps."""
    import shutil

    runner, _, _ = example_runs
    source = Path(runner.config.root)
    for part in ("cache", "executions"):  # the cached steps' outputs are the executions'
        shutil.copytree(source / part, root / part)
    return root
