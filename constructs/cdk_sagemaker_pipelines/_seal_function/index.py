"""The sealing function: copies a ``SealStep``'s artifacts to write-once keys (boto3 only).

The ``Pipeline`` construct deploys this file as the Lambda function its ``SealStep``s
invoke. Every copy is a multipart copy completed with ``If-None-Match: *``: S3 then
refuses to replace a key that exists, and a bucket policy that enforces conditional
writes (which makes ``CopyObject`` fail, as S3's documentation says) still lets it
through; parts of up to 5 GiB copy model archives of any size.
"""

from __future__ import annotations

import os
import re
from typing import Any

ACTION = "cdk-sagemaker-pipelines:seal"
PART_SIZE = 512 * 1024 * 1024  # 5 MiB ≤ part ≤ 5 GiB; 10,000 parts reach 5 TiB
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


class SealError(Exception):
    """An event the function refuses, or an artifact that isn't there."""


def handler(event: dict[str, Any], context: Any = None, s3: Any = None) -> dict[str, str]:
    """Copy each ``Artifacts`` entry under ``Destination``; return name → sealed URI.

    ``Destination`` must be ``s3://$SEALED_BUCKET/$SEALED_PREFIX<execution id>/<step>``.
    A single object keeps its file name; a prefix (no object at the URI) is copied with
    its layout, and its sealed URI is the copied prefix.
    """
    if s3 is None:
        import boto3  # type: ignore[import-untyped]  # in the Lambda runtime; tests stub it

        s3 = boto3.client("s3")
    bucket = os.environ["SEALED_BUCKET"]
    prefix = os.environ["SEALED_PREFIX"]  # sealed/<pipeline>/
    if event.get("Action") != ACTION:
        raise SealError(f"not a seal event: Action is {event.get('Action')!r}")
    destination = str(event.get("Destination", ""))
    base = f"s3://{bucket}/{prefix}"
    rest = destination[len(base) :].split("/") if destination.startswith(base) else []
    if len(rest) != 2 or not all(_SEGMENT.match(part) for part in rest):
        raise SealError(f"Destination {destination!r} is not {base}<execution id>/<step>")
    artifacts = event.get("Artifacts")
    if not isinstance(artifacts, dict) or not artifacts:
        raise SealError("Artifacts: expected a non-empty object of name → S3 URI")
    target_prefix = f"{prefix}{rest[0]}/{rest[1]}"
    sealed: dict[str, str] = {}
    for name, source in artifacts.items():
        if not _NAME.match(str(name)):
            raise SealError(f"Artifacts: {name!r} is not a valid name")
        sealed[name] = _seal(s3, bucket, f"{target_prefix}/{name}", str(source), name)
    return sealed


def _split(uri: str, name: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise SealError(f"artifact '{name}': {uri!r} is not an S3 URI")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise SealError(f"artifact '{name}': {uri!r} names no key")
    return bucket, key


def _seal(s3: Any, bucket: str, target: str, source: str, name: str) -> str:
    source_bucket, key = _split(source, name)
    try:
        head = s3.head_object(Bucket=source_bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
        head = None
    if head is not None:
        file_name = key.rstrip("/").rsplit("/", 1)[-1]
        _copy(s3, source_bucket, key, head, bucket, f"{target}/{file_name}")
        return f"s3://{bucket}/{target}/{file_name}"
    folder = key.rstrip("/") + "/"
    copied = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=source_bucket, Prefix=folder):
        for item in page.get("Contents", []):
            head = s3.head_object(Bucket=source_bucket, Key=item["Key"])
            relative = item["Key"][len(folder) :]
            _copy(s3, source_bucket, item["Key"], head, bucket, f"{target}/{relative}")
            copied += 1
    if not copied:
        raise SealError(f"artifact '{name}': no object at {source} nor under it")
    return f"s3://{bucket}/{target}/"


def _copy(
    s3: Any, source_bucket: str, key: str, head: dict[str, Any], bucket: str, target: str
) -> None:
    """A multipart copy completed only if ``target`` doesn't exist yet (``If-None-Match``)."""
    size = int(head["ContentLength"])
    extra = {"ContentType": head["ContentType"]} if head.get("ContentType") else {}
    if size == 0:  # UploadPartCopy takes no empty range
        s3.put_object(Bucket=bucket, Key=target, Body=b"", IfNoneMatch="*", **extra)
        return
    upload = s3.create_multipart_upload(Bucket=bucket, Key=target, **extra)["UploadId"]
    parts = []
    try:
        for number, start in enumerate(range(0, size, PART_SIZE), start=1):
            end = min(start + PART_SIZE, size) - 1
            result = s3.upload_part_copy(
                Bucket=bucket,
                Key=target,
                UploadId=upload,
                PartNumber=number,
                CopySource={"Bucket": source_bucket, "Key": key},
                CopySourceRange=f"bytes={start}-{end}",
                # The object we sized, not one written since.
                CopySourceIfMatch=head["ETag"],
            )
            parts.append({"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]})
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key=target,
            UploadId=upload,
            MultipartUpload={"Parts": parts},
            IfNoneMatch="*",
        )
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=target, UploadId=upload)
        raise
