"""SealStep: rules, compiled entry, and the sealing function's handler (stubbed S3)."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]

import cdk_sagemaker_pipelines
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    Join,
    MetricsSource,
    ModelMetrics,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingOutput,
    ProcessingStep,
    RegisterModel,
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
    with pytest.raises(
        PipelineValidationError, match=r"step 'S' field 'FunctionArn'.*no bucket"
    ) as raised:
        PipelineDefinition(steps=[seal]).to_definition(StaticBinder(role_arn=ROLE))
    # The binder's function, not the step's name, is what's missing.
    assert "name" not in [problem.argument for problem in raised.value.problems]


def registering_metrics(*, seal_prefix: bool, sealed: bool = True) -> PipelineDefinition:
    """Evaluate → Seal → Register, whose metrics source is the evaluation prefix or its file."""
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://b/code/evaluate.py"),
        instance_type="ml.m5.large",
        outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/out")],
    )
    prefix = evaluate.output("evaluation")
    file = Join(on="/", values=[prefix, "evaluation.json"])
    seal = SealStep(
        name="Seal",
        artifacts={"model": "s3://b/m/model.tar.gz", "metrics": prefix if seal_prefix else file},
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=seal.sealed("model"),
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(s3_uri=seal.sealed("metrics") if sealed else prefix)
        ),
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )
    return PipelineDefinition(steps=[evaluate, seal, register])


@pytest.mark.parametrize(
    ("sealed", "what"),
    [
        (True, "the sealed copy of 'metrics' (SealStep 'Seal'), which is processing output"),
        (False, "it is processing output"),
    ],
)
def test_a_metrics_source_that_is_a_processing_prefix_is_a_problem(sealed: bool, what: str) -> None:
    # A prefix holds no object at its own key: the registry and Model Monitor read nothing
    # there. Found at compile time, before the seal writes copies that can't be deleted.
    binder = StaticBinder(
        role_arn=ROLE, default_bucket="art", seal_function_arn=ARN, region="us-east-1"
    )
    with pytest.raises(PipelineValidationError) as raised:
        registering_metrics(seal_prefix=True, sealed=sealed).to_definition(binder)
    [problem] = raised.value.problems
    assert problem.step == "Register"
    assert problem.field == "Arguments.ModelMetrics.ModelQuality.Statistics.S3Uri"
    assert what in problem.message
    assert "'evaluation' of step 'Evaluate': a prefix" in problem.message
    assert "Join(on='/', values=[<step>.output('evaluation'), '<file>.json'])" in str(problem)
    # Sealing the report's file is what the docs show: no problem.
    registering_metrics(seal_prefix=False).to_definition(binder)


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


SOURCE_METADATA = {
    "seal-source-etag": "e",
    "seal-source-version": "null",
    "seal-source-size": "3",
}


def test_handler_copies_with_a_multipart_copy_completed_if_none_match(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler()
    monkeypatch.setattr(module, "WORKERS", 1)  # the stubbed responses come in order
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
            {
                "Bucket": "art",
                "Key": TARGET,
                "ContentType": "application/x-tar",
                # What a retry compares: the source this copy was made of.
                "Metadata": {**SOURCE_METADATA, "seal-source-size": str(size)},
            },
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


def stub_a_copy_that_finds_the_key_written(stub: Any, recorded: dict[str, str]) -> None:
    stub.add_response("head_object", {"ContentLength": 3, "ETag": '"e"'})
    stub.add_response("create_multipart_upload", {"UploadId": "u"})
    stub.add_response("upload_part_copy", {"CopyPartResult": {"ETag": '"p"'}})
    stub.add_client_error("complete_multipart_upload", "PreconditionFailed", http_status_code=412)
    stub.add_response(
        "head_object", {"ContentLength": 3, "Metadata": recorded}, {"Bucket": "art", "Key": TARGET}
    )
    stub.add_response(
        "abort_multipart_upload", {}, {"Bucket": "art", "Key": TARGET, "UploadId": "u"}
    )


def test_a_retry_that_finds_its_own_copy_succeeds_without_writing(env: None) -> None:
    # A first attempt (Lambda retry, step retry, timeout after the copy) wrote the key.
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub_a_copy_that_finds_the_key_written(stub, SOURCE_METADATA)
        assert module.handler(EVENT, None, s3) == {"model": f"s3://art/{TARGET}"}
        stub.assert_no_pending_responses()


def test_a_key_holding_a_copy_of_another_object_fails_naming_it(env: None) -> None:
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub_a_copy_that_finds_the_key_written(stub, {**SOURCE_METADATA, "seal-source-etag": "x"})
        with pytest.raises(module.SealError, match=f"s3://art/{TARGET} exists already"):
            module.handler(EVENT, None, s3)
        stub.assert_no_pending_responses()


def test_an_empty_object_retried_succeeds_too(env: None) -> None:
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub.add_response("head_object", {"ContentLength": 0, "ETag": '"e"'})
        stub.add_client_error("put_object", "PreconditionFailed", http_status_code=412)
        stub.add_response("head_object", {"Metadata": {**SOURCE_METADATA, "seal-source-size": "0"}})
        assert module.handler(EVENT, None, s3) == {"model": f"s3://art/{TARGET}"}
        stub.assert_no_pending_responses()


def test_a_source_changed_during_the_copy_still_fails(env: None) -> None:
    # A 412 on a part (CopySourceIfMatch) is the source changing, not a retry: abort.
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub.add_response("head_object", {"ContentLength": 3, "ETag": '"e"'})
        stub.add_response("create_multipart_upload", {"UploadId": "u"})
        stub.add_client_error("upload_part_copy", "PreconditionFailed", http_status_code=412)
        stub.add_response("abort_multipart_upload", {})
        with pytest.raises(s3.exceptions.ClientError, match="PreconditionFailed"):
            module.handler(EVENT, None, s3)
        stub.assert_no_pending_responses()


def test_part_size_keeps_a_copy_under_10000_parts() -> None:
    module = load_handler()
    mib, gib = 1024**2, 1024**3
    assert module.part_size(100 * gib) == 512 * mib  # 200 parts
    assert module.part_size(5 * 1024 * gib) == 525 * mib  # 5 TiB: 9,988 parts
    assert -(-5 * 1024 * gib // module.part_size(5 * 1024 * gib)) <= 10_000
    with pytest.raises(module.SealError, match="largest object"):
        module.part_size(5 * 1024 * gib * 10)


class _Parts:
    """A client whose UploadPartCopy waits, counting the calls in flight at once."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.active = 0
        self.most = 0
        self.completed: list[Any] = []

    class exceptions:  # noqa: N801 - as a boto3 client names it
        ClientError = Exception

    def head_object(self, **_: Any) -> dict[str, Any]:
        return {"ContentLength": 100 * 1024**3, "ETag": '"e"'}

    def create_multipart_upload(self, **_: Any) -> dict[str, Any]:
        return {"UploadId": "u"}

    def upload_part_copy(self, **kwargs: Any) -> dict[str, Any]:
        import time

        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(0.002)
        with self.lock:
            self.active -= 1
        return {"CopyPartResult": {"ETag": f'"p{kwargs["PartNumber"]}"'}}

    def complete_multipart_upload(self, **kwargs: Any) -> None:
        self.completed = kwargs["MultipartUpload"]["Parts"]


def test_parts_copy_concurrently_and_complete_in_order(env: None) -> None:
    module = load_handler()
    s3 = _Parts()
    module.handler(EVENT, None, s3)
    assert s3.most > 1  # was 1: 200 sequential copies of 512 MiB for 100 GiB
    assert [part["PartNumber"] for part in s3.completed] == list(range(1, 201))


@pytest.mark.parametrize(
    "destination",
    ["s3://art/sealed/other/exec1/Seal", "s3://art/sealed/p/../q/Seal", "s3://art/sealed/p/e"],
)
def test_handler_refuses_a_destination_outside_its_pipeline(env: None, destination: str) -> None:
    module = load_handler()
    with pytest.raises(module.SealError, match="is not s3://art/sealed/p/"):
        module.handler({**EVENT, "Destination": destination}, None, client())


class _Folder(_Parts):
    """A prefix of many small objects (one part each): no object at the URI itself."""

    FILES = [f"models/p/Train/j/output/reports/{index}.json" for index in range(40)]

    class _NotFoundError(Exception):
        response = {"Error": {"Code": "404"}}

    class exceptions:  # noqa: N801 - as a boto3 client names it
        ClientError = Exception

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def head_object(self, **kwargs: Any) -> dict[str, Any]:
        if kwargs["Key"] not in self.FILES:
            raise self._NotFoundError()
        return {"ContentLength": 10, "ETag": '"e"'}

    def get_paginator(self, operation: str) -> Any:
        assert operation == "list_objects_v2"
        files = self.FILES

        class Pages:
            def paginate(self, **kwargs: Any) -> Any:
                assert kwargs["Prefix"] == "models/p/Train/j/output/reports/"
                # Two pages, as S3 lists 1,000 keys at a time.
                return [
                    {"Contents": [{"Key": key} for key in half]}
                    for half in (files[:25], files[25:])
                ]

        return Pages()

    def complete_multipart_upload(self, **kwargs: Any) -> None:
        with self.lock:
            self.targets.append(kwargs["Key"])


def test_the_objects_of_a_prefix_copy_concurrently(env: None) -> None:
    module = load_handler()
    s3 = _Folder()
    event = {**EVENT, "Artifacts": {"reports": "s3://art/models/p/Train/j/output/reports"}}
    assert module.handler(event, None, s3) == {"reports": "s3://art/sealed/p/exec1/Seal/reports/"}
    assert s3.most > 1  # was 1: one object after another
    assert s3.most <= module.WORKERS
    assert sorted(s3.targets) == sorted(
        f"sealed/p/exec1/Seal/reports/{index}.json" for index in range(40)
    )


# -- under S3 Object Lock (ArtifactStore(sealed_retention=…)) ----------------------------

NOW = datetime(2030, 1, 2, 3, 4, 5, 678, tzinfo=UTC)
UNTIL = datetime(2040, 1, 2, 3, 4, 5, tzinfo=UTC)  # NOW + 3,652 days, to the second
LOCK = {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": UNTIL}


@pytest.fixture
def locked(env: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SEALED_RETENTION_MODE", "COMPLIANCE")
    monkeypatch.setenv("SEALED_RETENTION_DAYS", "3652")
    module = load_handler()
    monkeypatch.setattr(module, "_utcnow", lambda: NOW)
    return module


def test_under_object_lock_each_copy_is_uploaded_with_its_retention(locked: Any) -> None:
    s3 = client()
    with Stubber(s3) as stub:
        stub.add_response("head_object", {"ContentLength": 3, "ETag": '"e"'})
        # The upload names the mode and date: S3 locks the version it completes.
        stub.add_response(
            "create_multipart_upload",
            {"UploadId": "u"},
            {"Bucket": "art", "Key": TARGET, "Metadata": SOURCE_METADATA, **LOCK},
        )
        stub.add_response("upload_part_copy", {"CopyPartResult": {"ETag": '"p"'}})
        stub.add_response("complete_multipart_upload", {})
        assert locked.handler(EVENT, None, s3) == {"model": f"s3://art/{TARGET}"}
        stub.assert_no_pending_responses()


def test_under_object_lock_an_empty_object_is_put_locked_with_a_checksum(locked: Any) -> None:
    s3 = client()
    with Stubber(s3) as stub:
        stub.add_response("head_object", {"ContentLength": 0, "ETag": '"e"'})
        stub.add_response(
            "put_object",
            {},
            {
                "Bucket": "art",
                "Key": TARGET,
                "Body": b"",
                "IfNoneMatch": "*",
                "Metadata": {**SOURCE_METADATA, "seal-source-size": "0"},
                # S3 takes a retention on PutObject only with a checksum (or Content-MD5).
                "ChecksumAlgorithm": "CRC32",
                **LOCK,
            },
        )
        assert locked.handler(EVENT, None, s3) == {"model": f"s3://art/{TARGET}"}
        stub.assert_no_pending_responses()


def test_every_object_of_a_prefix_is_locked_until_the_same_date(locked: Any) -> None:
    uploads: list[dict[str, Any]] = []

    class Recording(_Folder):
        def create_multipart_upload(self, **kwargs: Any) -> dict[str, Any]:
            with self.lock:
                uploads.append(kwargs)
            return {"UploadId": "u"}

    event = {**EVENT, "Artifacts": {"reports": "s3://art/models/p/Train/j/output/reports"}}
    locked.handler(event, None, Recording())
    assert len(uploads) == len(_Folder.FILES)
    assert all(upload["ObjectLockRetainUntilDate"] == UNTIL for upload in uploads)
    assert {upload["ObjectLockMode"] for upload in uploads} == {"COMPLIANCE"}


def test_without_object_lock_no_upload_names_a_retention(env: None) -> None:
    module = load_handler()
    assert module.object_lock({}, NOW) == {}


@pytest.mark.parametrize(
    ("mode", "days"), [("LOCKED", "30"), ("GOVERNANCE", "0"), ("GOVERNANCE", "")]
)
def test_a_retention_the_construct_never_sets_is_refused(
    env: None, monkeypatch: pytest.MonkeyPatch, mode: str, days: str
) -> None:
    # A copy without the lock the store promises would look sealed and not be.
    monkeypatch.setenv("SEALED_RETENTION_MODE", mode)
    monkeypatch.setenv("SEALED_RETENTION_DAYS", days)
    module = load_handler()
    with pytest.raises(module.SealError, match="SEALED_RETENTION_MODE"):
        module.handler(EVENT, None, client())
