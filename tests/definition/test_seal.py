"""SealStep: rules, compiled entry, and the sealing function's handler (stubbed S3)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]

import cdk_sagemaker_pipelines
from cdk_sagemaker_pipelines.definition import (
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    SealStep,
    StaticBinder,
)
from cdk_sagemaker_pipelines.definition.bindables import LOCAL_SEAL_FUNCTION
from tests.conftest import ROLE

ARN = "arn:aws:lambda:us-east-1:111122223333:function:seal"
BINDER = StaticBinder(role_arn=ROLE, default_bucket="art", seal_function_arn=ARN)


@pytest.mark.parametrize(
    ("artifacts", "message"),
    [
        ({}, "SealStep 'S' field 'artifacts': expected at least one name"),
        ({"a b": "s3://b/k"}, "name 'a b' is not a valid output name"),
        ({"m": "b/k"}, "'m' is 'b/k', not an S3 URI or an expression"),
        ({"m": 3}, "'m' is 3, not an S3 URI or an expression"),
        ({"m": "s3://b"}, "'m' is 's3://b', which names no key"),
    ],
)
def test_bad_artifacts_name_step_and_field(artifacts: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        SealStep(name="S", artifacts=artifacts)
    assert message in str(raised.value)


def test_sealed_names_an_artifact_the_step_seals() -> None:
    seal = SealStep(name="S", artifacts={"model": "s3://b/m.tar.gz"})
    assert seal.sealed("model").to_request() == {"Get": "Steps.S.OutputParameters['model']"}
    with pytest.raises(PipelineDefinitionError, match="seals no artifact 'x'"):
        seal.sealed("x")


def test_compiles_to_a_lambda_step_with_per_execution_destination() -> None:
    seal = SealStep(name="S", artifacts={"model": "s3://b/m.tar.gz"})
    entry = PipelineDefinition(steps=[seal]).to_definition(BINDER)["Steps"][0]
    assert entry == {
        "Name": "S",
        "Type": "Lambda",
        "FunctionArn": ARN,
        "Arguments": {
            "Action": "cdk-sagemaker-pipelines:seal",
            "Artifacts": {"model": "s3://b/m.tar.gz"},
            "Destination": {
                "Std:Join": {
                    "On": "/",
                    "Values": [
                        "s3://art",
                        "sealed",
                        {"Get": "Execution.PipelineName"},
                        {"Get": "Execution.PipelineExecutionId"},
                        "S",
                    ],
                }
            },
        },
        "OutputParameters": [{"OutputName": "model", "OutputType": "String"}],
    }


def test_a_static_binder_without_a_function_seals_for_the_local_runner_only() -> None:
    seal = SealStep(name="S", artifacts={"model": "s3://b/m.tar.gz"})
    entry = PipelineDefinition(steps=[seal]).to_definition(
        StaticBinder(role_arn=ROLE, default_bucket="art")
    )["Steps"][0]
    assert entry["FunctionArn"] == LOCAL_SEAL_FUNCTION


def test_a_binder_without_a_bucket_is_a_problem_of_the_step() -> None:
    seal = SealStep(name="S", artifacts={"model": "s3://b/m.tar.gz"})
    with pytest.raises(PipelineValidationError, match=r"step 'S' field 'FunctionArn'.*no bucket"):
        PipelineDefinition(steps=[seal]).to_definition(StaticBinder(role_arn=ROLE))


# -- the function's handler --------------------------------------------------------------

HANDLER = Path(cdk_sagemaker_pipelines.__file__).parent / "_seal_function" / "index.py"


def load_handler() -> Any:
    spec = importlib.util.spec_from_file_location("seal_index", HANDLER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVENT = {
    "Action": "cdk-sagemaker-pipelines:seal",
    "Artifacts": {"model": "s3://art/models/p/Train/j/output/model.tar.gz"},
    "Destination": "s3://art/sealed/p/exec1/Seal",
}
TARGET = "sealed/p/exec1/Seal/model/model.tar.gz"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEALED_BUCKET", "art")
    monkeypatch.setenv("SEALED_PREFIX", "sealed/p/")


def client() -> Any:
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )


def test_handler_copies_with_a_multipart_copy_completed_if_none_match(env: None) -> None:
    module = load_handler()
    s3 = client()
    size = module.PART_SIZE + 10  # two parts: large archives copy by parts
    source = {"Bucket": "art", "Key": "models/p/Train/j/output/model.tar.gz"}
    with Stubber(s3) as stub:
        stub.add_response(
            "head_object",
            {"ContentLength": size, "ETag": '"e"', "ContentType": "application/x-tar"},
            source,
        )
        stub.add_response(
            "create_multipart_upload",
            {"UploadId": "u"},
            {"Bucket": "art", "Key": TARGET, "ContentType": "application/x-tar"},
        )
        for number, byte_range in [
            (1, f"bytes=0-{module.PART_SIZE - 1}"),
            (2, f"bytes={module.PART_SIZE}-{size - 1}"),
        ]:
            stub.add_response(
                "upload_part_copy",
                {"CopyPartResult": {"ETag": f'"p{number}"'}},
                {
                    "Bucket": "art",
                    "Key": TARGET,
                    "UploadId": "u",
                    "PartNumber": number,
                    "CopySource": source,
                    "CopySourceRange": byte_range,
                    "CopySourceIfMatch": '"e"',
                },
            )
        stub.add_response(
            "complete_multipart_upload",
            {},
            {
                "Bucket": "art",
                "Key": TARGET,
                "UploadId": "u",
                "MultipartUpload": {
                    "Parts": [{"PartNumber": 1, "ETag": '"p1"'}, {"PartNumber": 2, "ETag": '"p2"'}]
                },
                "IfNoneMatch": "*",
            },
        )
        assert module.handler(EVENT, None, s3) == {"model": f"s3://art/{TARGET}"}
        stub.assert_no_pending_responses()


def test_handler_aborts_the_upload_when_the_key_exists(env: None) -> None:
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub.add_response("head_object", {"ContentLength": 3, "ETag": '"e"'})
        stub.add_response("create_multipart_upload", {"UploadId": "u"})
        stub.add_response("upload_part_copy", {"CopyPartResult": {"ETag": '"p"'}})
        stub.add_client_error(
            "complete_multipart_upload", "PreconditionFailed", http_status_code=412
        )
        stub.add_response(
            "abort_multipart_upload", {}, {"Bucket": "art", "Key": TARGET, "UploadId": "u"}
        )
        with pytest.raises(s3.exceptions.ClientError, match="PreconditionFailed"):
            module.handler(EVENT, None, s3)
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    "destination",
    ["s3://art/sealed/other/exec1/Seal", "s3://art/sealed/p/../q/Seal", "s3://art/sealed/p/e"],
)
def test_handler_refuses_a_destination_outside_its_pipeline(env: None, destination: str) -> None:
    module = load_handler()
    with pytest.raises(module.SealError, match="is not s3://art/sealed/p/"):
        module.handler({**EVENT, "Destination": destination}, None, client())
