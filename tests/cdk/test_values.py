"""Values the constructs read through jsii once: immutable ones per process, others per stack."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aws_cdk import ArnFormat, Duration
from aws_cdk import aws_s3 as s3

from cdk_sagemaker_pipelines.cdk import ArtifactStore
from cdk_sagemaker_pipelines.cdk._arns import format_arn
from cdk_sagemaker_pipelines.cdk._tree import account_region
from cdk_sagemaker_pipelines.cdk._values import block_all, days, hours
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_stack


@contextmanager
def jsii_requests() -> Iterator[Counter[tuple[str, str]]]:
    """The jsii requests sent inside the block, by the member they read or call."""
    from jsii._kernel.providers import process

    counted: Counter[tuple[str, str]] = Counter()
    send = process._NodeProcess.send

    def counting(self: Any, request: Any, response_type: Any) -> Any:
        member = getattr(request, "method", None) or getattr(request, "property", None) or ""
        counted[(type(request).__name__, member)] += 1
        return send(self, request, response_type)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(process._NodeProcess, "send", counting)
        yield counted


def test_the_immutable_values_are_made_once_and_are_the_ones_asked_for() -> None:
    assert days(7) is days(7)
    assert days(7).to_days() == Duration.days(7).to_days() == 7
    assert days(7).to_human_string() == Duration.days(7).to_human_string()
    assert hours(2) is hours(2)
    assert hours(2).to_seconds() == Duration.hours(2).to_seconds()
    assert block_all() is block_all()
    assert block_all().block_public_acls
    assert block_all().restrict_public_buckets


def test_a_store_in_another_app_makes_no_duration_or_public_access_block_anew() -> None:
    ArtifactStore(new_stack(), "Artifacts")  # the first of the process may make them

    with jsii_requests() as requests:
        ArtifactStore(new_stack(), "Artifacts")

    assert requests[("StaticInvokeRequest", "days")] == 0
    assert requests[("StaticGetRequest", "BLOCK_ALL")] == 0
    assert requests[("CreateRequest", "")] > 0  # the buckets, key and policies are made


def test_arns_read_the_stacks_account_and_region_once_with_the_other_readers() -> None:
    stack = new_stack()
    account_region(stack)

    with jsii_requests() as requests:
        arn = format_arn(stack, service="sagemaker", resource="pipeline", resource_name="x")

    assert requests == Counter({("GetRequest", "partition"): 1})
    assert stack.resolve(arn) == stack.resolve(
        stack.format_arn(
            service="sagemaker",
            resource="pipeline",
            resource_name="x",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
    )


def test_a_construct_that_failed_reads_its_id_once_to_leave_the_tree() -> None:
    stack = new_stack()

    with jsii_requests() as requests, pytest.raises(PipelineDefinitionError):
        ArtifactStore(stack, "Artifacts", noncurrent_version_retention=Duration.hours(5))

    assert requests[("GetRequest", "id")] == 1
    assert stack.node.try_find_child("Artifacts") is None
    ArtifactStore(stack, "Artifacts")  # the id is free again


def test_the_stores_buckets_block_public_access_and_keep_their_lifecycle() -> None:
    from aws_cdk.assertions import Match, Template

    stack = new_stack()
    ArtifactStore(stack, "Artifacts")
    template = Template.from_stack(stack)
    blocked = {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    buckets = template.find_resources(
        "AWS::S3::Bucket",
        {"Properties": {"PublicAccessBlockConfiguration": blocked}},
    )
    assert len(buckets) == 2  # the artifact bucket and its access-log bucket
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                            }
                        )
                    ]
                )
            }
        },
    )
    assert isinstance(block_all(), s3.BlockPublicAccess)
