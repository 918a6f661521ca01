"""Lazy, load-once access to the AWS API models that ship with botocore.

Request shapes (``CreateTrainingJobRequest``) validate step ``Arguments``; response
shapes (``DescribeTrainingJobResponse``) type step properties. Loading reads the
model file directly from botocore's data folder (about 40 ms for SageMaker) instead
of importing ``botocore.loaders``, which alone costs more than the load itself.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
from functools import cache
from typing import Any, cast

Shape = dict[str, Any]


def _botocore_data_dir() -> str | None:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


def _read_model_file(service: str) -> dict[str, Any] | None:
    data_dir = _botocore_data_dir()
    if data_dir is None:
        return None
    service_dir = os.path.join(data_dir, service)
    if not os.path.isdir(service_dir):
        return None
    # API versions are ISO dates, so the lexically last folder is the newest.
    latest = sorted(os.listdir(service_dir))[-1]
    for file_name, opener in (("service-2.json.gz", gzip.open), ("service-2.json", open)):
        path = os.path.join(service_dir, latest, file_name)
        if os.path.exists(path):
            with opener(path, "rb") as handle:
                return cast(dict[str, Any], json.loads(handle.read()))
    return None


@cache
def service_model(service: str) -> dict[str, Any]:
    """Return botocore's raw service model for ``service`` (loaded once per process).

    Example::

        shapes = service_model("sagemaker")["shapes"]
        shapes["CreateTrainingJobRequest"]["required"]
    """
    model = _read_model_file(service)
    if model is None:  # an unusual botocore layout: let botocore find it
        from botocore.loaders import Loader  # type: ignore[import-untyped]

        model = cast(dict[str, Any], Loader().load_service_model(service, "service-2"))
    return model


@cache
def botocore_version() -> str:
    """The installed botocore's version (its models are what definitions are checked against).

    Only messages need it: read on first use, ``"(unknown)"`` if the metadata can't be found.
    """
    from importlib import metadata

    try:
        return metadata.version("botocore")
    except metadata.PackageNotFoundError:
        return "(unknown)"


def shapes(service: str = "sagemaker") -> dict[str, Shape]:
    """Return the shape table of ``service``."""
    return cast(dict[str, Shape], service_model(service)["shapes"])


def shape(name: str, service: str = "sagemaker") -> Shape:
    """Return one shape by name, raising ``KeyError`` with the service in the message."""
    table = shapes(service)
    try:
        return table[name]
    except KeyError:
        raise KeyError(f"botocore's {service} model has no shape {name!r}") from None


@cache
def _partitions() -> list[dict[str, Any]]:
    """The partitions in botocore's ``partitions.json``: regions, region pattern, DNS suffix."""
    data_dir = _botocore_data_dir()
    path = os.path.join(data_dir, "partitions.json") if data_dir else ""
    if not os.path.isfile(path):  # an unusual botocore layout: the commercial partition only
        return []
    with open(path, encoding="utf-8") as handle:
        return cast(list[dict[str, Any]], json.load(handle)["partitions"])


@cache
def partition_of(region: str) -> tuple[str, str]:
    """``(partition, DNS suffix)`` of ``region``, as botocore's endpoint resolver finds them.

    What CloudFormation's ``AWS::Partition`` and ``AWS::URLSuffix`` are in that region: a
    listed region first, then each partition's region pattern, else the commercial one.

    Example::

        partition_of("cn-north-1")  # ('aws-cn', 'amazonaws.com.cn')
        partition_of("us-gov-west-1")  # ('aws-us-gov', 'amazonaws.com')
    """
    partitions = _partitions()
    for partition in partitions:
        if region in partition.get("regions", {}):
            return partition["id"], partition["outputs"]["dnsSuffix"]
    for partition in partitions:
        if re.fullmatch(partition.get("regionRegex", "(?!)"), region):
            return partition["id"], partition["outputs"]["dnsSuffix"]
    return "aws", "amazonaws.com"
