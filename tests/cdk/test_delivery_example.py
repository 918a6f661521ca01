"""docs/cdk-pipelines.md's delivery app synthesizes, cdk-nag packs and stage checks included."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from examples import delivery_app
from tests.cdk.conftest import cdk_context

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cdk-pipelines.md"


def test_the_delivery_app_synthesizes_and_publishes_code_per_account(tmp_path: Path) -> None:
    # build_app fails synth on any unacknowledged cdk-nag finding or stage check. With
    # cdk.json's context, as `cdk synth` (and the pipeline's own Synth step) runs it: before,
    # the test built it without, and the acknowledged ids spelt the partition
    # arn:<AWS::Partition>: where cdk.json's partition literals make cdk-nag print arn:aws:,
    # so the documented command failed on six findings.
    delivery_app.build_app(outdir=str(tmp_path), context=cdk_context()).synth()
    for stage, account in (("dev", "222222222222"), ("prod", "333333333333")):
        (manifest,) = (tmp_path / f"assembly-Delivery-{stage}").glob("*.assets.json")
        bucket = f"cdk-hnb659fds-assets-{account}-eu-west-1"
        destinations = [
            destination
            for asset in json.loads(manifest.read_text())["files"].values()
            for destination in asset["destinations"].values()
        ]
        assert destinations
        assert {destination["bucketName"] for destination in destinations} == {bucket}
        template = manifest.with_name(manifest.name.replace(".assets.json", ".template.json"))
        assert bucket in template.read_text()  # the definition points at the stage's bucket


def test_the_docs_show_the_tested_app() -> None:
    docs = DOCS.read_text()
    source = Path(delivery_app.__file__).read_text()
    assert "examples/delivery_app.py" in docs
    for line in (
        "class DeliveryStack(cdk.Stack):",
        'pipeline.add_stage(MlOpsStage(self, "dev", config=DEV))',
        "cdk.Validations.of(pipeline).acknowledge(",
    ):
        assert line in docs, line
        assert line in source, line


def test_the_docs_code_is_the_app_as_written() -> None:
    # A stale excerpt (an old App(...) call, a renamed helper) would teach what no longer runs.
    source = Path(delivery_app.__file__).read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", DOCS.read_text(), re.S | re.M)
    assert blocks
    for block in blocks:
        assert block in source, block


@pytest.mark.parametrize("copied", [False, True], ids=["in-examples", "copied-next-to-app-py"])
def test_the_app_runs_jsii_on_the_projects_node_where_the_docs_put_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copied: bool
) -> None:
    # Copied next to app.py as delivery.py, it looked for node_modules above the project
    # and ran jsii on the machine's (end-of-life) Node.
    project = tmp_path / "project"
    node = project / "node_modules" / ".bin" / "node"
    node.parent.mkdir(parents=True)
    node.touch()
    (project / "app.py").touch()
    path = project / "delivery.py" if copied else project / "examples" / "delivery_app.py"
    path.parent.mkdir(exist_ok=True)
    source = Path(delivery_app.__file__).read_text()
    path.write_text(source)
    monkeypatch.delenv("JSII_NODE", raising=False)
    setup = source[: source.index("import aws_cdk")]  # what runs before jsii starts
    exec(compile(setup, str(path), "exec"), {"__file__": str(path), "__name__": "delivery"})
    assert os.environ["JSII_NODE"] == str(node)
