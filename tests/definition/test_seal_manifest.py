"""SealStep manifests: the definition, the plan, and the sealing function's listing (stubbed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import ANY, Stubber  # type: ignore[import-untyped]

from cdk_sagemaker_pipelines.definition import (
    Join,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    SealStep,
)
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.definition.test_seal import BINDER, client, load_handler

EVENT = {
    "Action": "cdk-sagemaker-pipelines:seal",
    "Manifests": {"training-data": "s3://data/train"},
    "Destination": "s3://art/sealed/p/exec1/Seal",
}
KEY = "sealed/p/exec1/Seal/training-data.manifest.jsonl"
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


# -- the definition ------------------------------------------------------------------------


def test_manifest_uri_is_an_output_parameter_and_the_entry_lists_manifests() -> None:
    seal = SealStep(name="S", manifests={"training-data": "s3://data/train/"})
    assert seal.manifest_uri("training-data").to_request() == {
        "Get": "Steps.S.OutputParameters['training-data']"
    }
    entry = PipelineDefinition(steps=[seal]).to_definition(BINDER)["Steps"][0]
    assert entry["Arguments"]["Manifests"] == {"training-data": "s3://data/train/"}
    assert entry["Arguments"]["Artifacts"] == {}
    assert entry["OutputParameters"] == [{"OutputName": "training-data", "OutputType": "String"}]
    with pytest.raises(PipelineDefinitionError, match="lists no manifest 'model'"):
        seal.manifest_uri("model")
    with pytest.raises(
        PipelineDefinitionError, match=r"seals no artifact 'training-data' \(it seals: none"
    ):
        seal.sealed("training-data")


def test_a_seal_without_manifests_compiles_as_before() -> None:
    seal = SealStep(name="S", artifacts={"model": "s3://b/m.tar.gz"})
    entry = PipelineDefinition(steps=[seal]).to_definition(BINDER)["Steps"][0]
    assert "Manifests" not in entry["Arguments"]


@pytest.mark.parametrize(
    ("manifests", "message"),
    [
        ({"a b": "s3://b/k"}, "field 'manifests': name 'a b' is not a valid output name"),
        ({"m": "b/k"}, "field 'manifests': 'm' is 'b/k', not an S3 URI"),
        ({"m": "s3://b"}, "field 'manifests': 'm' is 's3://b', which names no key"),
        ({"model": "s3://b/k"}, "field 'manifests': 'model' names an artifact too"),
        (["s3://b/k"], "field 'manifests': expected name → S3 URI"),
    ],
)
def test_bad_manifests_name_step_and_field(manifests: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        SealStep(name="S", artifacts={"model": "s3://b/m"}, manifests=manifests)
    assert message in str(raised.value)


def test_a_seal_of_nothing_is_refused() -> None:
    with pytest.raises(PipelineDefinitionError, match="expected at least one name"):
        SealStep(name="S")


def test_the_plan_lists_manifest_sources_apart_from_what_is_copied() -> None:
    data = ParameterString(name="InputData", default_value="s3://data/train/")
    seal = SealStep(
        name="S",
        artifacts={"model": "s3://art/models/m.tar.gz"},
        manifests={"training-data": Join(on="/", values=[data, "part"]), "raw": "s3://raw/x/"},
    )
    definition = PipelineDefinition(parameters=[data], steps=[seal]).to_definition(BINDER)
    plan = plan_permissions(definition, parameter_locations={"InputData": ["s3://data/train/*"]})
    assert plan.sealed_reads == [S3Access("art", "models/m.tar.gz")]
    assert sorted(plan.manifest_lists, key=str) == sorted(
        [S3Access("data", "train/*/part"), S3Access("raw", "x/")], key=str
    )
    # Without a declared location, the manifest's source is reported, not guessed.
    open_plan = plan_permissions(definition)
    assert [(item.step, item.field) for item in open_plan.unattributed] == [
        ("S", "Arguments.Manifests.training-data")
    ]


# -- the function --------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEALED_BUCKET", "art")
    monkeypatch.setenv("SEALED_PREFIX", "sealed/p/")


def version(
    key: str, size: int = 3, version_id: str = "null", latest: bool = True
) -> dict[str, Any]:
    return {
        "Key": key,
        "VersionId": version_id,
        "IsLatest": latest,
        "ETag": f'"{key[-1]}"',
        "Size": size,
        "LastModified": WHEN,
    }


def stub_no_manifest_yet(stub: Any) -> None:
    stub.add_client_error("head_object", "404", http_status_code=404)


def stub_put(stub: Any) -> None:
    stub.add_response(
        "put_object",
        {},
        {
            "Bucket": "art",
            "Key": KEY,
            "Body": ANY,
            "IfNoneMatch": "*",
            "Metadata": {"manifest-source": "s3://data/train"},
            "ContentType": "application/jsonl",
        },
    )


def run(module: Any, s3: Any, monkeypatch: pytest.MonkeyPatch, event: Any = EVENT) -> list[Any]:
    """Run the handler; return the manifest's lines (what put_object was given)."""
    bodies: list[bytes] = []
    original = s3.put_object

    def put_object(**params: Any) -> Any:
        bodies.append(params["Body"])
        return original(**params)

    monkeypatch.setattr(s3, "put_object", put_object)
    monkeypatch.setattr(module, "_utcnow", lambda: WHEN)
    assert module.handler(event, None, s3) == {"training-data": f"s3://art/{KEY}"}
    return [json.loads(line) for line in b"".join(bodies).decode().splitlines()]


def test_a_versioned_prefix_records_current_versions_across_pages(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        listed = {"Bucket": "data", "Prefix": "train/"}
        stub.add_response(
            "list_object_versions",
            {
                "IsTruncated": True,
                "NextKeyMarker": "train/a",
                "NextVersionIdMarker": "v0",
                # a's current version, then a noncurrent one: only the current is recorded.
                "Versions": [version("train/a", 3, "v1"), version("train/a", 9, "v0", False)],
            },
            listed,
        )
        stub.add_response(
            "list_object_versions",
            {
                "IsTruncated": False,
                "Versions": [version("train/b", 5, "v7"), version("train/c", 1, "v2", False)],
                # c's latest is a delete marker: c is gone, and left out.
                "DeleteMarkers": [
                    {"Key": "train/c", "VersionId": "d1", "IsLatest": True, "LastModified": WHEN}
                ],
            },
            {**listed, "KeyMarker": "train/a", "VersionIdMarker": "v0"},
        )
        stub_put(stub)
        lines = run(module, s3, monkeypatch)
        stub.assert_no_pending_responses()
    assert lines == [
        {
            "format": "cdk-sagemaker-pipelines/manifest/1",
            "listed_at": "2025-01-02T03:04:05Z",
            "manifest": "training-data",
            "source": "s3://data/train",
        },
        {
            "etag": "a",
            "key": "train/a",
            "last_modified": "2025-01-02T03:04:05Z",
            "size": 3,
            "version_id": "v1",
        },
        {
            "etag": "b",
            "key": "train/b",
            "last_modified": "2025-01-02T03:04:05Z",
            "size": 5,
            "version_id": "v7",
        },
        {"bytes": 8, "objects": 2},
    ]


def test_an_unversioned_object_records_no_version(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No folder at the URI: the function lists the key itself (one object).
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response(
            "list_object_versions", {"IsTruncated": False}, {"Bucket": "data", "Prefix": "train/"}
        )
        stub.add_response(
            "list_object_versions",
            {"Versions": [version("train", 4), version("train.csv", 2)]},
            {"Bucket": "data", "Prefix": "train", "MaxKeys": 1},
        )
        stub_put(stub)
        lines = run(module, s3, monkeypatch)
        stub.assert_no_pending_responses()
    assert [(line["key"], line["version_id"]) for line in lines[1:-1]] == [("train", None)]


def test_an_empty_prefix_fails_and_writes_nothing(env: None) -> None:
    module = load_handler()
    s3 = client()
    event = {**EVENT, "Manifests": {"training-data": "s3://data/train/"}}
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response(
            "list_object_versions", {"IsTruncated": False}, {"Bucket": "data", "Prefix": "train/"}
        )
        with pytest.raises(
            module.SealError, match="manifest 'training-data': no object at s3://data/train/"
        ):
            module.handler(event, None, s3)
        stub.assert_no_pending_responses()


def test_more_objects_than_the_cap_fail_and_abort_the_upload(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler()
    monkeypatch.setenv("MANIFEST_MAX_OBJECTS", "2")
    monkeypatch.setattr(module, "MANIFEST_PART_SIZE", 1)  # a part per line: the upload starts
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response(
            "list_object_versions",
            {"Versions": [version("train/a"), version("train/b"), version("train/c")]},
        )
        stub.add_response("create_multipart_upload", {"UploadId": "u"})
        stub.add_response("upload_part", {"ETag": '"p1"'})
        stub.add_response("upload_part", {"ETag": '"p2"'})
        stub.add_response(
            "abort_multipart_upload", {}, {"Bucket": "art", "Key": KEY, "UploadId": "u"}
        )
        with pytest.raises(module.SealError, match="more than 2 objects under s3://data/train"):
            module.handler(EVENT, None, s3)
        stub.assert_no_pending_responses()


def test_a_large_manifest_streams_in_parts_completed_if_none_match(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler()
    monkeypatch.setattr(module, "MANIFEST_PART_SIZE", 1)
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response("list_object_versions", {"Versions": [version("train/a")]})
        stub.add_response(
            "create_multipart_upload",
            {"UploadId": "u"},
            {
                "Bucket": "art",
                "Key": KEY,
                "Metadata": {"manifest-source": "s3://data/train"},
                "ContentType": "application/jsonl",
            },
        )
        stub.add_response("upload_part", {"ETag": '"p1"'})  # header and the object
        stub.add_response("upload_part", {"ETag": '"p2"'})  # the count
        stub.add_response(
            "complete_multipart_upload",
            {},
            {
                "Bucket": "art",
                "Key": KEY,
                "UploadId": "u",
                "MultipartUpload": {
                    "Parts": [{"PartNumber": 1, "ETag": '"p1"'}, {"PartNumber": 2, "ETag": '"p2"'}]
                },
                "IfNoneMatch": "*",
            },
        )
        assert module.handler(EVENT, None, s3) == {"training-data": f"s3://art/{KEY}"}
        stub.assert_no_pending_responses()


def test_a_retry_finding_its_manifest_succeeds_without_listing(env: None) -> None:
    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub.add_response("head_object", {"Metadata": {"manifest-source": "s3://data/train"}})
        assert module.handler(EVENT, None, s3) == {"training-data": f"s3://art/{KEY}"}
        stub.add_response("head_object", {"Metadata": {"manifest-source": "s3://data/other"}})
        with pytest.raises(module.SealError, match="exists already and is not a manifest of"):
            module.handler(EVENT, None, s3)
        stub.assert_no_pending_responses()


def test_under_object_lock_the_manifest_is_put_locked_with_a_checksum(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_handler()
    monkeypatch.setenv("SEALED_RETENTION_MODE", "COMPLIANCE")
    monkeypatch.setenv("SEALED_RETENTION_DAYS", "10")
    monkeypatch.setattr(module, "_utcnow", lambda: WHEN)
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response("list_object_versions", {"Versions": [version("train/a")]})
        stub.add_response(
            "put_object",
            {},
            {
                "Bucket": "art",
                "Key": KEY,
                "Body": ANY,
                "IfNoneMatch": "*",
                "Metadata": {"manifest-source": "s3://data/train"},
                "ContentType": "application/jsonl",
                "ObjectLockMode": "COMPLIANCE",
                "ObjectLockRetainUntilDate": datetime(2025, 1, 12, 3, 4, 5, tzinfo=UTC),
                "ChecksumAlgorithm": "CRC32",
            },
        )
        module.handler(EVENT, None, s3)
        stub.assert_no_pending_responses()


def test_too_little_time_left_fails_naming_the_manifest(env: None) -> None:
    class NearlyOut:
        def get_remaining_time_in_millis(self) -> int:
            return 1_000

    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response(
            "list_object_versions", {"Versions": [version(f"train/{n:04}") for n in range(1000)]}
        )
        with pytest.raises(module.SealError, match="time is nearly up after 1,000 objects"):
            module.handler(EVENT, NearlyOut(), s3)


def test_the_time_guard_holds_on_pages_of_old_versions_alone(env: None) -> None:
    # A prefix of deleted objects lists pages of noncurrent versions and delete markers,
    # none current: the time left is checked per page listed, not per object recorded.
    class NearlyOut:
        def get_remaining_time_in_millis(self) -> int:
            return 1_000

    module = load_handler()
    s3 = client()
    with Stubber(s3) as stub:
        stub_no_manifest_yet(stub)
        stub.add_response(
            "list_object_versions",
            {
                "Versions": [version(f"train/{n:04}", latest=False) for n in range(1000)],
                "IsTruncated": True,
                "NextKeyMarker": "train/0999",
                "NextVersionIdMarker": "null",
            },
        )
        with pytest.raises(module.SealError, match="time is nearly up after 0 objects"):
            module.handler(EVENT, NearlyOut(), s3)
