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
