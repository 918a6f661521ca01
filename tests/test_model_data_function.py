"""The model data reader's handler (``_model_data_function``), offline: SageMaker stubbed.

What a ``ModelEndpoint``'s role may read is what this function returns: every container's
model data of the served versions, inside their stores only, and on an update the
previous versions' too. And what it serves is approved: a production variant's version
``Approved``, a shadow's not ``Rejected``, each checked when the deploy starts serving it.
"""

from __future__ import annotations

import datetime
import importlib.util
import re
from pathlib import Path
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped]

import cdk_sagemaker_pipelines

HANDLER = Path(cdk_sagemaker_pipelines.__file__).parent / "_model_data_function" / "index.py"
GROUP = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn"
V3, V4 = f"{GROUP}/3", f"{GROUP}/4"
BUCKET = "ml-artifacts"
# What CloudFormation takes of a custom resource's response, in bytes as sent.
CLOUDFORMATION_LIMIT = 4096
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def load() -> Any:
    spec = importlib.util.spec_from_file_location("model_data_index", HANDLER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def index() -> Any:
    return load()


def client() -> Any:
    return botocore.session.get_session().create_client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )


def properties(*versions: str, bucket: str = BUCKET, require: str = "Approved") -> dict[str, Any]:
    return {
        "ServiceToken": "arn:aws:lambda:us-east-1:111122223333:function:reader",
        "Versions": [
            {"ModelPackageArn": arn, "Bucket": bucket, "Require": require} for arn in versions
        ],
        "Prefixes": ["models/", "sealed/"],
        "Partition": "aws",
    }


def event(request: str, props: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    found = {
        "RequestType": request,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/put",
        "StackId": "arn:aws:cloudformation:us-east-1:111122223333:stack/s/1",
        "RequestId": "request-1",
        "LogicalResourceId": "EndpointModelData",
        "ResourceType": "Custom::ModelDataLocations",
        "ResourceProperties": props,
    }
    if request != "Create":
        found["PhysicalResourceId"] = "request-0"
    if old is not None:
        found["OldResourceProperties"] = old
    return found


def described(
    arn: str, *containers: dict[str, Any], status: str = "Approved", **rest: Any
) -> dict[str, Any]:
    """A DescribeModelPackage response (what botocore's model requires, and ``containers``)."""
    return {
        "ModelPackageName": "churn",
        "ModelPackageArn": arn,
        "CreationTime": datetime.datetime(2025, 1, 1),
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelApprovalStatus": status,
        "InferenceSpecification": {
            "Containers": [{"Image": IMAGE, **container} for container in containers]
        },
        **rest,
    }


def run(index: Any, request: dict[str, Any], *responses: tuple[str, dict[str, Any]]) -> Any:
    """The handler's response to ``request``, SageMaker answering ``responses`` in order."""
    sagemaker = client()
    sent: list[tuple[str, dict[str, Any]]] = []
    with Stubber(sagemaker) as stub:
        for arn, response in responses:
            stub.add_response("describe_model_package", response, {"ModelPackageName": arn})
        result = index.handler(
            request, sagemaker=sagemaker, respond=lambda url, body: sent.append((url, body))
        )
        stub.assert_no_pending_responses()
    assert sent == [(request["ResponseURL"], result)]  # every outcome is answered
    return result


def arns(result: dict[str, Any], index: Any) -> list[str]:
    assert result["Status"] == "SUCCESS", result["Reason"]
    return list(result["Data"][index.ATTRIBUTE].split(index.DELIMITER))


def listed(result: dict[str, Any], index: Any) -> list[str]:
    """The s3:prefix patterns the role may list (the second attribute, split)."""
    assert result["Status"] == "SUCCESS", result["Reason"]
    return list(result["Data"][index.LIST_ATTRIBUTE].split(index.DELIMITER))


def test_each_container_and_data_source_is_read_exactly(index: Any) -> None:
    prefix = "sealed/churn/exec-1/Seal/model/"
    description = described(
        V3,
        {"ModelDataUrl": f"s3://{BUCKET}/models/churn/Train/j1/output/model.tar.gz"},
        {
            # An uncompressed model: the objects under its prefix.
            "ModelDataSource": {
                "S3DataSource": {
                    "S3Uri": f"s3://{BUCKET}/{prefix}",
                    "S3DataType": "S3Prefix",
                    "CompressionType": "None",
                }
            },
            "AdditionalModelDataSources": [
                {
                    "ChannelName": "draft",
                    "S3DataSource": {
                        "S3Uri": f"s3://{BUCKET}/sealed/churn/exec-1/Seal/draft.tar.gz",
                        "S3DataType": "S3Object",
                        "CompressionType": "Gzip",
                    },
                }
            ],
        },
    )
    result = run(index, event("Create", properties(V3)), (V3, description))
    assert arns(result, index) == [
        f"arn:aws:s3:::{BUCKET}/models/churn/Train/j1/output/model.tar.gz",
        f"arn:aws:s3:::{BUCKET}/sealed/churn/exec-1/Seal/draft.tar.gz",
        f"arn:aws:s3:::{BUCKET}/{prefix}*",
    ]
    # Only the uncompressed model is listed, and only its own prefix: objects are read.
    assert listed(result, index) == [f"{prefix}*"]
    assert result["PhysicalResourceId"] == "request-1"  # a create's: the request's id


def test_each_uncompressed_models_prefix_is_listed_of_every_version(index: Any) -> None:
    def uncompressed(uri: str) -> dict[str, Any]:
        return {"S3DataSource": {"S3Uri": uri, "S3DataType": "S3Prefix", "CompressionType": "None"}}

    v3 = described(
        V3,
        {
            "ModelDataSource": uncompressed(f"s3://{BUCKET}/models/churn/Train/j1/model/"),
            "AdditionalModelDataSources": [
                {"ChannelName": "draft", **uncompressed(f"s3://{BUCKET}/sealed/churn/e/draft/")}
            ],
        },
    )
    v4 = described(V4, {"ModelDataSource": uncompressed(f"s3://{BUCKET}/models/a*b$c/")})
    props = properties(V3, V4)
    result = run(index, event("Create", props), (V3, v3), (V4, v4))
    assert listed(result, index) == [
        # IAM-literal as the resources: a key's * lists that key only, never its neighbours.
        "models/a${*}b${$}c/*",
        "models/churn/Train/j1/model/*",
        "sealed/churn/e/draft/*",
    ]
    assert all(index.DELIMITER not in prefix for prefix in listed(result, index))


def test_no_uncompressed_model_lists_a_prefix_no_store_writes(index: Any) -> None:
    # IAM takes no empty condition. The value is literal (no wildcard: a request must send
    # exactly it) and under models/, whose keys are models/<pipeline name>/…: a pipeline's
    # name holds no ".", so nothing the stores write is listed, nor more than models/* did.
    result = run(
        index,
        event("Create", properties(V3)),
        (V3, described(V3, {"ModelDataUrl": f"s3://{BUCKET}/models/m.tar.gz"})),
    )
    assert listed(result, index) == [index.NO_LIST_PREFIX]
    assert index.NO_LIST_PREFIX.startswith("models/.")
    assert not set("*?$") & set(index.NO_LIST_PREFIX)
    pipeline_name = re.compile(r"^[A-Za-z0-9](-*[A-Za-z0-9]){0,255}$")  # SageMaker's
    assert not pipeline_name.match(index.NO_LIST_PREFIX.split("/")[1])


def test_every_served_version_is_read_each_in_its_own_store(index: Any) -> None:
    central = "central-models"
    props = properties(V3)
    props["Versions"].append({"ModelPackageArn": V4, "Bucket": central, "Require": "Approved"})
    result = run(
        index,
        event("Create", props),
        (V3, described(V3, {"ModelDataUrl": f"s3://{BUCKET}/models/a.tar.gz"})),
        (V4, described(V4, {"ModelDataUrl": f"s3://{central}/sealed/b.tar.gz"})),
    )
    assert arns(result, index) == [
        f"arn:aws:s3:::{central}/sealed/b.tar.gz",
        f"arn:aws:s3:::{BUCKET}/models/a.tar.gz",
    ]


def test_a_source_algorithms_model_data_is_read_too(index: Any) -> None:
    description = described(
        V3,
        {},
        SourceAlgorithmSpecification={
            "SourceAlgorithms": [
                {"AlgorithmName": "xgb", "ModelDataUrl": f"s3://{BUCKET}/models/algo.tar.gz"}
            ]
        },
    )
    result = run(index, event("Create", properties(V3)), (V3, description))
    assert arns(result, index) == [f"arn:aws:s3:::{BUCKET}/models/algo.tar.gz"]


def test_a_version_without_model_data_reads_nothing(index: Any) -> None:
    # The model in the image: IAM takes no empty Resource, and GetObject on the bucket's
    # ARN (no key) matches no object.
    result = run(index, event("Create", properties(V3)), (V3, described(V3, {})))
    assert arns(result, index) == [f"arn:aws:s3:::{BUCKET}"]


def test_special_characters_of_a_key_are_literal_for_iam(index: Any) -> None:
    key = "models/a*b?c$d${aws:username}.tar.gz"
    result = run(
        index,
        event("Create", properties(V3)),
        (V3, described(V3, {"ModelDataUrl": f"s3://{BUCKET}/{key}"})),
    )
    (arn,) = arns(result, index)
    assert arn == (
        f"arn:aws:s3:::{BUCKET}/models/a${{*}}b${{?}}c${{$}}d${{$}}{{aws:username}}.tar.gz"
    )
    assert index.DELIMITER not in arn


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            "s3://someone-elses-bucket/models/m.tar.gz",
            "is s3://someone-elses-bucket/models/m.tar.gz, outside its store: the endpoint's "
            "role reads model data under s3://ml-artifacts/models/ or s3://ml-artifacts/sealed/ "
            "only",
        ),
        (
            f"s3://{BUCKET}/executions/churn/Train/model.tar.gz",
            f"is s3://{BUCKET}/executions/churn/Train/model.tar.gz, outside its store",
        ),
        (
            f"https://{BUCKET}.s3.amazonaws.com/models/m.tar.gz",
            "not an s3:// URI: the endpoint's role reads model data of its store only",
        ),
    ],
)
def test_fails_model_data_outside_the_store_naming_version_and_field(
    index: Any, uri: str, message: str
) -> None:
    result = run(
        index,
        event("Create", properties(V3)),
        (V3, described(V3, {}, {"ModelDataUrl": uri})),
    )
    assert result["Status"] == "FAILED"
    assert result["Data"] == {}
    assert result["Reason"].startswith(
        f"ModelDataError: version {V3}: InferenceSpecification.Containers[1].ModelDataUrl "
    )
    assert message in result["Reason"]


def test_fails_a_prefix_without_its_slash(index: Any) -> None:
    source = {
        "S3DataSource": {
            "S3Uri": f"s3://{BUCKET}/models/m1",
            "S3DataType": "S3Prefix",
            "CompressionType": "None",
        }
    }
    result = run(
        index,
        event("Create", properties(V3)),
        (V3, described(V3, {"ModelDataSource": source})),
    )
    assert result["Status"] == "FAILED"
    assert "which doesn't end with '/' as an S3Prefix must" in result["Reason"]


def test_fails_a_version_it_cannot_describe(index: Any) -> None:
    sagemaker = client()
    sent: list[Any] = []
    with Stubber(sagemaker) as stub:
        stub.add_client_error(
            "describe_model_package", "ValidationException", "ModelPackage does not exist"
        )
        result = index.handler(
            event("Create", properties(V3)),
            sagemaker=sagemaker,
            respond=lambda url, body: sent.append(body),
        )
    assert result["Status"] == "FAILED"
    assert f"version {V3}: DescribeModelPackage failed" in result["Reason"]
    assert sent == [result]


def test_an_update_keeps_the_previous_versions_model_data_readable(index: Any) -> None:
    result = run(
        index,
        event("Update", properties(V4), old=properties(V3)),
        (V4, described(V4, {"ModelDataUrl": f"s3://{BUCKET}/sealed/v4.tar.gz"})),
        (V3, described(V3, {"ModelDataUrl": f"s3://{BUCKET}/sealed/v3.tar.gz"})),
    )
    assert arns(result, index) == [
        f"arn:aws:s3:::{BUCKET}/sealed/v3.tar.gz",
        f"arn:aws:s3:::{BUCKET}/sealed/v4.tar.gz",
    ]
    assert result["PhysicalResourceId"] == "request-0"  # unchanged: no replacement


def test_an_update_keeps_the_previous_versions_prefix_listable(index: Any) -> None:
    def uncompressed(version: str) -> dict[str, Any]:
        uri = f"s3://{BUCKET}/models/{version}/model/"
        source = {"S3Uri": uri, "S3DataType": "S3Prefix", "CompressionType": "None"}
        return {"ModelDataSource": {"S3DataSource": source}}

    result = run(
        index,
        event("Update", properties(V4), old=properties(V3)),
        (V4, described(V4, uncompressed("v4"))),
        (V3, described(V3, uncompressed("v3"))),
    )
    assert listed(result, index) == ["models/v3/model/*", "models/v4/model/*"]


def test_an_update_never_fails_on_what_was_served_before(index: Any) -> None:
    # A rollback swaps new and old: the version that failed is then the old one. It is
    # left out (gone, or outside the store), never read outside the store.
    sagemaker = client()
    with Stubber(sagemaker) as stub:
        stub.add_response(
            "describe_model_package",
            described(V3, {"ModelDataUrl": f"s3://{BUCKET}/models/v3.tar.gz"}),
            {"ModelPackageName": V3},
        )
        stub.add_response(
            "describe_model_package",
            described(V4, {"ModelDataUrl": "s3://elsewhere/models/v4.tar.gz"}),
            {"ModelPackageName": V4},
        )
        stub.add_client_error("describe_model_package", "ValidationException", "gone")
        old = properties(V4)
        old["Versions"].append({"ModelPackageArn": f"{GROUP}/2", "Bucket": BUCKET})
        result = index.handler(
            event("Update", properties(V3), old=old),
            sagemaker=sagemaker,
            respond=lambda url, body: None,
        )
    assert arns(result, index) == [f"arn:aws:s3:::{BUCKET}/models/v3.tar.gz"]


def test_old_properties_of_another_shape_are_left_out(index: Any) -> None:
    result = run(
        index,
        event("Update", properties(V3), old={"ServiceToken": "x"}),
        (V3, described(V3, {"ModelDataUrl": f"s3://{BUCKET}/models/v3.tar.gz"})),
    )
    assert arns(result, index) == [f"arn:aws:s3:::{BUCKET}/models/v3.tar.gz"]


def test_delete_does_nothing_and_succeeds(index: Any) -> None:
    # Nothing to undo, and never a failure: a stack must always be deletable.
    result = run(index, event("Delete", {"Versions": "garbage"}))
    assert (result["Status"], result["Data"], result["PhysicalResourceId"]) == (
        "SUCCESS",
        {},
        "request-0",
    )


def test_fails_properties_the_construct_never_writes(index: Any) -> None:
    for props, message in [
        ({**properties(V3), "Versions": []}, "Versions: expected at least one served version"),
        ({**properties(V3), "Versions": [{"Bucket": BUCKET}]}, "expected ModelPackageArn"),
        ({**properties(V3), "Partition": "x"}, "Partition: expected aws, aws-cn, …, got 'x'"),
    ]:
        result = run(index, event("Create", props))
        assert result["Status"] == "FAILED"
        assert message in result["Reason"]


def test_fails_more_model_data_than_a_response_holds(index: Any) -> None:
    containers = [
        {"ModelDataUrl": f"s3://{BUCKET}/models/{'m' * 200}/{n}.tar.gz"} for n in range(15)
    ]
    result = run(index, event("Create", properties(V3)), (V3, described(V3, *containers)))
    assert result["Status"] == "FAILED"
    assert "more than a custom resource may return" in result["Reason"]


def test_the_previous_versions_give_way_when_the_response_would_be_too_long(index: Any) -> None:
    def many(version: str) -> list[dict[str, Any]]:
        return [
            {"ModelDataUrl": f"s3://{BUCKET}/models/{version}/{'m' * 150}/{n}.tar.gz"}
            for n in range(8)
        ]

    result = run(
        index,
        event("Update", properties(V4), old=properties(V3)),
        (V4, described(V4, *many("v4"))),
        (V3, described(V3, *many("v3"))),
    )
    found = arns(result, index)
    assert len(found) == 8
    assert all("/models/v4/" in arn for arn in found)


def test_the_prefixes_count_in_the_response_and_the_previous_versions_give_way(
    index: Any,
) -> None:
    # A version's 4 prefixes take ~1,800 bytes as resources and patterns: both versions'
    # resources alone would fit (~1,900), resources and patterns (~3,600) don't.
    def many(version: str, count: int = 4) -> list[dict[str, Any]]:
        return [
            {
                "ModelDataSource": {
                    "S3DataSource": {
                        "S3Uri": f"s3://{BUCKET}/models/{version}/{'m' * 200}/{n}/",
                        "S3DataType": "S3Prefix",
                        "CompressionType": "None",
                    }
                }
            }
            for n in range(count)
        ]

    request = event("Update", properties(V4), old=properties(V3))
    result = run(index, request, (V4, described(V4, *many("v4"))), (V3, described(V3, *many("v3"))))
    assert _sent_size(result) <= CLOUDFORMATION_LIMIT
    assert len(arns(result, index)) == len(listed(result, index)) == 4
    assert all(prefix.startswith("models/v4/") for prefix in listed(result, index))
    # Eight prefixes of one version: as resources alone they would fit, not with the listing.
    result = run(index, event("Create", properties(V3)), (V3, described(V3, *many("a", 8))))
    assert result["Status"] == "FAILED"
    assert "more than a custom resource may return" in result["Reason"]


def test_a_component_endpoints_bound_leaves_the_previous_versions_out_then_fails(
    index: Any,
) -> None:
    # MaxData: what a ComponentEndpoint's role policy keeps for the component (a string, as
    # CloudFormation sends a number). Both versions' archives (~2 x 140) don't fit 200.
    def one(version: str) -> dict[str, Any]:
        return {"ModelDataUrl": f"s3://{BUCKET}/models/{version}/{'m' * 90}/model.tar.gz"}

    bounded = {**properties(V4), "MaxData": "200"}
    result = run(
        index,
        event("Update", bounded, old=properties(V3)),
        (V4, described(V4, one("v4"))),
        (V3, described(V3, one("v3"))),
    )
    assert [arn.split("/models/")[1][:2] for arn in arns(result, index)] == ["v4"]
    # Unbounded, both fit a response.
    result = run(
        index,
        event("Update", properties(V4), old=properties(V3)),
        (V4, described(V4, one("v4"))),
        (V3, described(V3, one("v3"))),
    )
    assert len(arns(result, index)) == 2
    # The served version alone over the bound: the deploy fails naming it.
    result = run(
        index, event("Create", {**bounded, "MaxData": "100"}), (V4, described(V4, one("v4")))
    )
    assert result["Status"] == "FAILED"
    assert (
        "more than the 100 its endpoint's role policy keeps for them (MaxData)"
        in (result["Reason"])
    )
    result = run(index, event("Create", {**bounded, "MaxData": "many"}))
    assert result["Status"] == "FAILED"
    assert "MaxData: expected a positive number of bytes, got 'many'" in result["Reason"]


def test_the_response_is_put_to_the_pre_signed_url(
    index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    seen: dict[str, Any] = {}

    class Answer:
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_: Any) -> None:
            return None

        def read(self) -> bytes:
            return b""

    def urlopen(request: Any, timeout: float) -> Answer:
        seen.update(
            url=request.full_url,
            method=request.get_method(),
            headers=dict(request.header_items()),
            body=request.data,
            timeout=timeout,
        )
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    response = index.handler(event("Delete", properties(V3)))
    assert seen["url"] == "https://cloudformation-custom-resource-response.example/put"
    assert seen["method"] == "PUT"
    # A pre-signed URL signs an empty content type.
    assert seen["headers"]["Content-type"] == ""
    import json

    assert json.loads(seen["body"]) == response


# -- Approval: production versions Approved, a shadow's not Rejected ------------------------

STACK = "arn:aws:cloudformation:us-east-1:111122223333:stack/s/1"


def botocore_statuses() -> list[str]:
    """``ModelApprovalStatus``'s values as botocore's model of SageMaker lists them."""
    model = client().meta.service_model
    return list(model.shape_for("ModelApprovalStatus").enum)


def with_model(arn: str, status: str) -> tuple[str, dict[str, Any]]:
    return arn, described(
        arn, {"ModelDataUrl": f"s3://{BUCKET}/models/{arn[-1]}.tar.gz"}, status=status
    )


def test_the_statuses_are_botocores() -> None:
    assert sorted(load().STATUSES) == sorted(botocore_statuses())


@pytest.mark.parametrize("status", botocore_statuses())
@pytest.mark.parametrize("require", ["Approved", "NotRejected", "None"])
def test_a_version_is_served_when_its_status_meets_its_requirement(
    index: Any, status: str, require: str
) -> None:
    # Production (Approved): only an approved version. Shadow (NotRejected): one pending
    # approval too, as shadow-testing a candidate before approving it is the point.
    # require_approval=False (None): any.
    result = run(index, event("Create", properties(V3, require=require)), with_model(V3, status))
    served = {
        "Approved": status == "Approved",
        "NotRejected": status != "Rejected",
        "None": True,
    }[require]
    assert result["Status"] == ("SUCCESS" if served else "FAILED"), result["Reason"]
    if served:
        assert arns(result, index) == [f"arn:aws:s3:::{BUCKET}/models/3.tar.gz"]


def test_a_pending_production_version_fails_naming_it_its_status_and_what_to_do(
    index: Any,
) -> None:
    result = run(index, event("Create", properties(V3)), with_model(V3, "PendingManualApproval"))
    assert result["Status"] == "FAILED"
    assert result["Data"] == {}
    assert result["Reason"].startswith(
        f"ApprovalError: version {V3} is PendingManualApproval: a production variant "
        "answers callers, so it serves Approved versions only."
    )
    assert (
        f"aws sagemaker update-model-package --model-package-arn {V3} "
        "--model-approval-status Approved, or the model registry in SageMaker Studio"
    ) in result["Reason"]
    assert "require_approval=False" in result["Reason"]


def test_a_rejected_shadow_version_fails(index: Any) -> None:
    result = run(
        index, event("Create", properties(V3, require="NotRejected")), with_model(V3, "Rejected")
    )
    assert result["Status"] == "FAILED"
    assert result["Reason"].startswith(
        f"ApprovalError: version {V3} is Rejected: a shadow variant may serve a version "
        "pending approval, never a rejected one."
    )


def test_approval_is_checked_before_the_model_data(index: Any) -> None:
    # A version both unapproved and outside its store: the approval is what to fix first.
    result = run(
        index,
        event("Create", properties(V3)),
        (V3, described(V3, {"ModelDataUrl": "s3://elsewhere/m.tar.gz"}, status="Rejected")),
    )
    assert result["Reason"].startswith(f"ApprovalError: version {V3} is Rejected")


def test_every_unapproved_version_is_named(index: Any) -> None:
    props = properties(V3)
    props["Versions"].append({"ModelPackageArn": V4, "Bucket": BUCKET, "Require": "NotRejected"})
    result = run(
        index,
        event("Create", props),
        with_model(V3, "PendingManualApproval"),
        with_model(V4, "Rejected"),
    )
    assert f"version {V3} is PendingManualApproval" in result["Reason"]
    assert f"version {V4} is Rejected" in result["Reason"]


def test_an_update_never_checks_the_versions_served_before(index: Any) -> None:
    # V3, rejected since it was deployed, neither blocks the deploy serving V4 nor is it
    # refused the read its instances may still need while traffic shifts.
    result = run(
        index,
        event("Update", properties(V4), old=properties(V3)),
        with_model(V4, "Approved"),
        with_model(V3, "Rejected"),
    )
    assert arns(result, index) == [
        f"arn:aws:s3:::{BUCKET}/models/3.tar.gz",
        f"arn:aws:s3:::{BUCKET}/models/4.tar.gz",
    ]


def test_a_version_still_served_as_strictly_is_not_checked_again(index: Any) -> None:
    # Another change of the endpoint's (a shadow added) while V3, rejected since, serves.
    new = properties(V3)
    new["Versions"].append({"ModelPackageArn": V4, "Bucket": BUCKET, "Require": "NotRejected"})
    result = run(
        index,
        event("Update", new, old=properties(V3)),
        with_model(V3, "Rejected"),
        with_model(V4, "PendingManualApproval"),
    )
    assert result["Status"] == "SUCCESS", result["Reason"]


def test_a_shadow_version_promoted_to_production_is_checked_again(index: Any) -> None:
    result = run_with_stack(
        index,
        event("Update", properties(V3), old=properties(V3, require="NotRejected")),
        stack_status("UPDATE_IN_PROGRESS"),
        with_model(V3, "PendingManualApproval"),
    )
    assert result["Status"] == "FAILED"
    assert f"version {V3} is PendingManualApproval" in result["Reason"]


def test_the_upgrade_that_adds_requirements_checks_nothing_already_served(index: Any) -> None:
    # Old properties of a deploy before approvals were checked: no Require.
    legacy = properties(V3)
    del legacy["Versions"][0]["Require"]
    result = run(
        index,
        event("Update", properties(V3), old=legacy),
        with_model(V3, "PendingManualApproval"),
    )
    assert result["Status"] == "SUCCESS", result["Reason"]


def stack_status(status: str) -> dict[str, Any]:
    """A DescribeStacks response: the stack in ``status``."""
    created = datetime.datetime(2025, 1, 1)
    return {"Stacks": [{"StackName": "s", "CreationTime": created, "StackStatus": status}]}


def run_with_stack(
    index: Any, request: dict[str, Any], stack: dict[str, Any] | None, *responses: Any
) -> Any:
    """``run``, CloudFormation answering DescribeStacks with ``stack`` (None: an error)."""
    sagemaker, cloudformation = (
        client(),
        botocore.session.get_session().create_client(
            "cloudformation",
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        ),
    )
    with Stubber(sagemaker) as stub, Stubber(cloudformation) as cfn:
        for arn, response in responses:
            stub.add_response("describe_model_package", response, {"ModelPackageName": arn})
        if stack is None:
            cfn.add_client_error("describe_stacks", "AccessDenied", "not authorized")
        else:
            cfn.add_response("describe_stacks", stack, {"StackName": STACK})
        result = index.handler(
            request,
            sagemaker=sagemaker,
            cloudformation=cloudformation,
            respond=lambda url, body: None,
        )
        stub.assert_no_pending_responses()
        cfn.assert_no_pending_responses()
    return result


@pytest.mark.parametrize(
    ("status", "rolled_back"),
    [("UPDATE_ROLLBACK_IN_PROGRESS", True), ("UPDATE_IN_PROGRESS", False)],
)
def test_a_rollback_puts_back_a_version_rejected_since(
    index: Any, status: str, rolled_back: bool
) -> None:
    # V4's deploy failed; CloudFormation puts V3 back (new and old swapped), which was
    # rejected meanwhile: the stack must still roll back. A deploy of V3 must not.
    result = run_with_stack(
        index,
        event("Update", properties(V3), old=properties(V4)),
        stack_status(status),
        with_model(V3, "Rejected"),
        # Described for its model data once V3 passes (the rollback keeps it readable).
        *([with_model(V4, "PendingManualApproval")] if rolled_back else []),
    )
    assert result["Status"] == ("SUCCESS" if rolled_back else "FAILED"), result["Reason"]


def test_a_stack_it_cannot_describe_is_not_rolling_back(index: Any) -> None:
    result = run_with_stack(
        index,
        event("Update", properties(V3), old=properties(V4)),
        None,
        with_model(V3, "PendingManualApproval"),
    )
    assert result["Status"] == "FAILED"
    assert f"version {V3} is PendingManualApproval" in result["Reason"]
    assert (
        f"DescribeStacks of {STACK} failed, so a rollback could not be told apart"
        in (result["Reason"])
    )


def test_fails_a_requirement_the_construct_never_writes(index: Any) -> None:
    result = run(index, event("Create", properties(V3, require="approved")))
    assert result["Status"] == "FAILED"
    assert "expected Require None, NotRejected, Approved" in result["Reason"]


def _sent_size(response: dict[str, Any]) -> int:
    import json

    return len(json.dumps(response).encode())


def test_a_response_of_non_ascii_keys_fits_what_cloudformation_takes(index: Any) -> None:
    # 600 characters, but 3600 bytes once JSON escapes them: over CloudFormation's 4096.
    key = "models/" + "模" * 600 + ".tar.gz"
    result = run(
        index,
        event("Create", properties(V3)),
        (V3, described(V3, {"ModelDataUrl": f"s3://{BUCKET}/{key}"})),
    )
    assert _sent_size(result) <= CLOUDFORMATION_LIMIT
    assert result["Status"] == "FAILED"
    assert "more than a custom resource may return" in result["Reason"]


def test_the_previous_versions_give_way_to_fit_once_encoded(index: Any) -> None:
    # Each version's key fits alone, both don't: counted as sent, not in characters.
    def one(version: str) -> dict[str, Any]:
        return {"ModelDataUrl": f"s3://{BUCKET}/models/{version}/{'é' * 400}.tar.gz"}

    result = run(
        index,
        event("Update", properties(V4), old=properties(V3)),
        (V4, described(V4, one("v4"))),
        (V3, described(V3, one("v3"))),
    )
    assert _sent_size(result) <= CLOUDFORMATION_LIMIT
    found = arns(result, index)
    assert len(found) == 1
    assert "/models/v4/" in found[0]


def test_a_failure_naming_a_long_location_fits_what_cloudformation_takes(index: Any) -> None:
    uri = "s3://another-bucket/models/" + "模" * 1400
    result = run(index, event("Create", properties(V3)), (V3, described(V3, {"ModelDataUrl": uri})))
    assert result["Status"] == "FAILED"
    assert "outside its store" in result["Reason"]
    assert _sent_size(result) <= CLOUDFORMATION_LIMIT


def test_long_ids_leave_room_for_the_model_data(index: Any) -> None:
    # The ids CloudFormation sends count against the 4096 bytes too.
    request = event("Create", properties(V3))
    request["LogicalResourceId"] = "E" * 255
    request["StackId"] = (
        "arn:aws:cloudformation:us-east-1:111122223333:stack/" + "s" * 128 + "/" + "0" * 36
    )
    containers = [
        {"ModelDataUrl": f"s3://{BUCKET}/models/{'m' * 180}/{n}.tar.gz"} for n in range(14)
    ]
    result = run(index, request, (V3, described(V3, *containers)))
    assert _sent_size(result) <= CLOUDFORMATION_LIMIT


def test_a_rollback_to_a_version_deleted_since_completes(index: Any) -> None:
    # V4's deploy failed; V3 (put back) was deleted meanwhile: the rollback must not fail on
    # it (the stack would be UPDATE_ROLLBACK_FAILED), and V4's data stays readable.
    sagemaker = client()
    cloudformation = botocore.session.get_session().create_client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    gone = {"ModelPackageName": V3}
    with Stubber(sagemaker) as stub, Stubber(cloudformation) as cfn:
        stub.add_client_error(
            "describe_model_package", "ValidationException", "does not exist", expected_params=gone
        )
        cfn.add_response(
            "describe_stacks", stack_status("UPDATE_ROLLBACK_IN_PROGRESS"), {"StackName": STACK}
        )
        stub.add_client_error(
            "describe_model_package", "ValidationException", "does not exist", expected_params=gone
        )
        stub.add_response(
            "describe_model_package", with_model(V4, "Approved")[1], {"ModelPackageName": V4}
        )
        result = index.handler(
            event("Update", properties(V3), old=properties(V4)),
            sagemaker=sagemaker,
            cloudformation=cloudformation,
            respond=lambda url, body: None,
        )
        stub.assert_no_pending_responses()
        cfn.assert_no_pending_responses()
    assert arns(result, index) == [f"arn:aws:s3:::{BUCKET}/models/4.tar.gz"]


def test_an_update_to_a_version_that_cant_be_described_fails(index: Any) -> None:
    sagemaker = client()
    cloudformation = botocore.session.get_session().create_client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    with Stubber(sagemaker) as stub, Stubber(cloudformation) as cfn:
        stub.add_client_error("describe_model_package", "ValidationException", "does not exist")
        cfn.add_response(
            "describe_stacks", stack_status("UPDATE_IN_PROGRESS"), {"StackName": STACK}
        )
        result = index.handler(
            event("Update", properties(V3), old=properties(V4)),
            sagemaker=sagemaker,
            cloudformation=cloudformation,
            respond=lambda url, body: None,
        )
    assert result["Status"] == "FAILED"
    assert f"version {V3}: DescribeModelPackage failed" in result["Reason"]


def test_its_own_clients_answer_within_the_functions_minute(index: Any) -> None:
    config = index._client_config()
    # Worst case per call: (connect + read) x attempts, well inside the 60 s timeout.
    assert (config.connect_timeout + config.read_timeout) * config.retries["max_attempts"] < 60
