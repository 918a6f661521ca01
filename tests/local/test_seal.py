"""The local runner runs a SealStep natively: the same keys and outputs as the function."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cdk_sagemaker_pipelines.definition import Join, LambdaStep, SealStep
from tests.local.conftest import BINDER, WRITE_OUTPUT, Workspace, compile_steps, processing

SEAL_ARN = "arn:aws:lambda:us-east-1:111122223333:function:seal"
SEALING = replace(BINDER, seal_function_arn=SEAL_ARN)


def sealed_pipeline(ws: Workspace) -> dict[str, Any]:
    prep = processing("Prep", ws.script("prep.py", WRITE_OUTPUT), outputs=["out"])
    out = prep.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri
    seal = SealStep(
        name="Seal",
        artifacts={"file": Join(on="/", values=[out, "data.txt"]), "folder": out},
    )
    read = LambdaStep(
        name="Read",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:read",
        inputs={"file": seal.sealed("file"), "folder": seal.sealed("folder")},
    )
    return compile_steps([prep, seal, read], binder=SEALING)


def test_seal_copies_to_per_execution_keys_without_a_lambda_handler(ws: Workspace) -> None:
    # No --lambda for Seal: the preflight doesn't list it, the runner copies natively.
    runner = ws.runner(callback_outputs={"Read": {}})
    result = runner.run(sealed_pipeline(ws))
    assert result.succeeded, result.failure_reason
    base = f"s3://art-bucket/sealed/{result.record.pipeline_name}/{result.execution_id}/Seal"
    outputs = result.properties("Seal")["OutputParameters"]
    assert outputs == {"file": f"{base}/file/data.txt", "folder": f"{base}/folder/"}
    assert result.store.local_file(f"{base}/folder/data.txt", "sealed").read_text() == "hello"
    # The next step reads the sealed copies, as RegisterModel would.
    assert result.store.local_file(outputs["file"], "sealed").read_text() == "hello"


def test_a_missing_artifact_fails_the_seal_step_naming_it(ws: Workspace) -> None:
    seal = SealStep(name="Seal", artifacts={"model": "s3://art-bucket/nothing/model.tar.gz"})
    result = ws.runner().run(compile_steps([seal], binder=SEALING))
    assert not result.succeeded
    assert "artifact 'model': no object at s3://art-bucket/nothing/model.tar.gz" in str(
        result.failure_reason
    )


def test_a_manifest_lists_the_local_objects_in_key_order(ws: Workspace) -> None:
    # The local stand-in of the function's manifest: keys, sizes, an MD5 for the ETag,
    # no version id; published at <Destination>/<name>.manifest.jsonl.
    import hashlib
    import json

    root = ws.root / ".smpipe" / "s3" / "data-bucket" / "train"
    (root / "b").mkdir(parents=True)
    (root / "a.csv").write_text("x,y\n")
    (root / "b" / "c.csv").write_text("1,2\n3,4\n")
    seal = SealStep(name="Seal", manifests={"training-data": "s3://data-bucket/train"})
    read = LambdaStep(
        name="Read",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:read",
        inputs={"manifest": seal.manifest_uri("training-data")},
    )
    result = ws.runner(callback_outputs={"Read": {}}).run(
        compile_steps([seal, read], binder=SEALING)
    )
    assert result.succeeded, result.failure_reason
    base = f"s3://art-bucket/sealed/{result.record.pipeline_name}/{result.execution_id}/Seal"
    uri = result.properties("Seal")["OutputParameters"]["training-data"]
    assert uri == f"{base}/training-data.manifest.jsonl"
    lines = [
        json.loads(line) for line in result.store.local_file(uri, "m").read_text().splitlines()
    ]
    assert lines[0]["manifest"] == "training-data"
    assert lines[0]["source"] == "s3://data-bucket/train"
    assert [(line["key"], line["size"], line["version_id"]) for line in lines[1:-1]] == [
        ("train/a.csv", 4, None),
        ("train/b/c.csv", 8, None),
    ]
    assert lines[1]["etag"] == hashlib.md5(b"x,y\n").hexdigest()
    assert lines[-1] == {"objects": 2, "bytes": 12}


def test_a_manifest_of_nothing_fails_naming_it(ws: Workspace) -> None:
    seal = SealStep(name="Seal", manifests={"training-data": "s3://data-bucket/none"})
    result = ws.runner().run(compile_steps([seal], binder=SEALING))
    assert not result.succeeded
    assert "manifest 'training-data': no object at s3://data-bucket/none" in str(
        result.failure_reason
    )
