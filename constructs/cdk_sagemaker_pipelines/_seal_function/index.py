"""The sealing function: copies a ``SealStep``'s artifacts to write-once keys (boto3 only).

The ``Pipeline`` construct deploys this file as the Lambda function its ``SealStep``s
invoke. Every copy is a multipart copy completed with ``If-None-Match: *``: S3 then
refuses to replace a key that exists, and a bucket policy that enforces conditional
writes (which makes ``CopyObject`` fail, as S3's documentation says) still lets it
through; parts of up to 5 GiB copy model archives of any size.

A retried step (a Lambda retry, a step retry, a timeout after the copy) copies again: each
copy records its source (ETag, version, size) as metadata, and a key that exists already
(412 on completion) is a success when it records the same source, a failure naming the
key otherwise. Parts copy concurrently (``WORKERS`` at a time), and so do the objects of a
prefix (``WORKERS`` at a time, sharing the part workers out): S3 copies them server-side,
so the function moves no bytes and needs little memory.

Under S3 Object Lock (``ArtifactStore(sealed_retention=…)``: ``SEALED_RETENTION_MODE`` and
``SEALED_RETENTION_DAYS`` set), each copy is uploaded with that retention mode and a
retain-until date that many days after the invocation: S3 then refuses to overwrite or
delete the sealed version until that date, whatever the bucket policy says.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

ACTION = "cdk-sagemaker-pipelines:seal"
PART_SIZE = 512 * 1024 * 1024  # the usual part: 5 MiB ≤ part ≤ 5 GiB
MAX_PARTS = 10_000  # S3's limit on a multipart upload's parts
MAX_PART_SIZE = 5 * 1024**3
WORKERS = 16  # copy requests in flight at once (an object's parts, a prefix's objects)
# What a sealed copy records of its source, to tell a retry's copy from another object's.
SOURCE_METADATA = ("seal-source-etag", "seal-source-version", "seal-source-size")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
LOCK_MODES = ("COMPLIANCE", "GOVERNANCE")


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
        from botocore.config import Config  # type: ignore[import-untyped]

        # One connection per concurrent part (the default pool holds 10).
        s3 = boto3.client("s3", config=Config(max_pool_connections=WORKERS))
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
    lock = object_lock(os.environ, _utcnow())
    sealed: dict[str, str] = {}
    for name, source in artifacts.items():
        if not _NAME.match(str(name)):
            raise SealError(f"Artifacts: {name!r} is not a valid name")
        sealed[name] = _seal(s3, bucket, f"{target_prefix}/{name}", str(source), name, lock)
    return sealed


def _utcnow() -> datetime:
    return datetime.now(UTC)


def object_lock(env: Any, now: datetime) -> dict[str, Any]:
    """The Object Lock members of each upload: none, or a mode and a retain-until date.

    One date for every object of an invocation: ``now`` plus ``SEALED_RETENTION_DAYS``.

    Example::

        object_lock({"SEALED_RETENTION_MODE": "COMPLIANCE", "SEALED_RETENTION_DAYS": "3650"},
                    datetime.now(UTC))  # {"ObjectLockMode": "COMPLIANCE", …}
    """
    mode = env.get("SEALED_RETENTION_MODE")
    if not mode:
        return {}
    days = env.get("SEALED_RETENTION_DAYS", "")
    # Set by the construct: anything else is a function deployed by hand, refused rather
    # than sealing copies without the lock the store promises.
    if mode not in LOCK_MODES or not days.isdigit() or int(days) < 1:
        raise SealError(
            f"SEALED_RETENTION_MODE {mode!r} / SEALED_RETENTION_DAYS {days!r}: expected "
            f"one of {', '.join(LOCK_MODES)} and a whole number of days ≥ 1"
        )
    until = now.replace(microsecond=0) + timedelta(days=int(days))
    return {"ObjectLockMode": mode, "ObjectLockRetainUntilDate": until}


def _split(uri: str, name: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise SealError(f"artifact '{name}': {uri!r} is not an S3 URI")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise SealError(f"artifact '{name}': {uri!r} names no key")
    return bucket, key


def _seal(s3: Any, bucket: str, target: str, source: str, name: str, lock: dict[str, Any]) -> str:
    source_bucket, key = _split(source, name)
    try:
        head = s3.head_object(Bucket=source_bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
        head = None
    if head is not None:
        file_name = key.rstrip("/").rsplit("/", 1)[-1]
        _copy(s3, source_bucket, key, head, bucket, f"{target}/{file_name}", lock)
        return f"s3://{bucket}/{target}/{file_name}"
    folder = key.rstrip("/") + "/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=source_bucket, Prefix=folder)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    if not keys:
        raise SealError(f"artifact '{name}': no object at {source} nor under it")
    # Objects copy concurrently too: a prefix of many small files would otherwise take a
    # few request round trips per object, one object after another. The part workers are
    # shared out, so about WORKERS requests are in flight (the client's connections).
    at_once = min(WORKERS, len(keys))
    part_workers = max(1, WORKERS // at_once)

    def copy_object(object_key: str) -> None:
        head = s3.head_object(Bucket=source_bucket, Key=object_key)
        relative = object_key[len(folder) :]
        _copy(
            s3, source_bucket, object_key, head, bucket, f"{target}/{relative}", lock, part_workers
        )

    if at_once == 1:
        copy_object(keys[0])
    else:
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            # list() waits for every copy, and re-raises the first error here.
            list(pool.map(copy_object, keys))
    return f"s3://{bucket}/{target}/"


def part_size(size: int) -> int:
    """The part size copying ``size`` bytes: ``PART_SIZE``, larger to stay ≤ 10,000 parts.

    Example::

        part_size(100 * 1024**3)  # 512 MiB: 200 parts
    """
    if size > MAX_PARTS * MAX_PART_SIZE:
        raise SealError(f"{size} bytes: more than S3's largest object (5 TiB)")
    least = -(-size // MAX_PARTS)  # ceil: the smallest part that keeps ≤ MAX_PARTS parts
    mib = 1024 * 1024
    return max(PART_SIZE, -(-least // mib) * mib)


def _source_metadata(head: dict[str, Any]) -> dict[str, str]:
    return {
        "seal-source-etag": str(head["ETag"]).strip('"'),
        "seal-source-version": str(head.get("VersionId") or "null"),
        "seal-source-size": str(int(head["ContentLength"])),
    }


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _already_sealed(s3: Any, bucket: str, target: str, expected: dict[str, str]) -> None:
    """After a 412: succeed if ``target`` is a copy of the same source, else fail loudly."""
    existing = s3.head_object(Bucket=bucket, Key=target)
    recorded = {k: existing.get("Metadata", {}).get(k) for k in SOURCE_METADATA}
    if recorded != expected:
        raise SealError(
            f"s3://{bucket}/{target} exists already and is a copy of another object "
            f"(it records {recorded}, this copy's source is {expected}): a sealed key is "
            "never replaced"
        )


def _copy(
    s3: Any,
    source_bucket: str,
    key: str,
    head: dict[str, Any],
    bucket: str,
    target: str,
    lock: dict[str, Any],
    workers: int = WORKERS,
) -> None:
    """A multipart copy completed only if ``target`` doesn't exist yet (``If-None-Match``).

    A ``target`` that exists already is this copy's when it records the same source (a
    retry): the copy succeeds without writing (it was locked when it was written).
    ``lock`` (``object_lock``) goes with the upload: S3 locks the version it completes.
    ``workers`` parts copy at a time.
    """
    size = int(head["ContentLength"])
    metadata = _source_metadata(head)
    extra: dict[str, Any] = {"Metadata": metadata, **lock}
    if head.get("ContentType"):
        extra["ContentType"] = head["ContentType"]
    if size == 0:  # UploadPartCopy takes no empty range
        # S3 requires a checksum (or Content-MD5) on a PutObject that sets a retention: named
        # here, as a boto3 older than 1.36 computes none by default.
        checksum = {"ChecksumAlgorithm": "CRC32"} if lock else {}
        try:
            s3.put_object(Bucket=bucket, Key=target, Body=b"", IfNoneMatch="*", **extra, **checksum)
        except s3.exceptions.ClientError as error:
            if _error_code(error) != "PreconditionFailed":
                raise
            _already_sealed(s3, bucket, target, metadata)
        return
    upload = s3.create_multipart_upload(Bucket=bucket, Key=target, **extra)["UploadId"]
    step = part_size(size)

    def copy_part(number: int, start: int) -> dict[str, Any]:
        end = min(start + step, size) - 1
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
        return {"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]}

    ranges = list(enumerate(range(0, size, step), start=1))
    try:
        if len(ranges) == 1:
            parts = [copy_part(*ranges[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(workers, len(ranges))) as pool:
                # map keeps the parts in order, and re-raises a part's error here.
                parts = list(pool.map(lambda item: copy_part(*item), ranges))
        try:
            s3.complete_multipart_upload(
                Bucket=bucket,
                Key=target,
                UploadId=upload,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
        except s3.exceptions.ClientError as error:
            if _error_code(error) != "PreconditionFailed":
                raise
            _already_sealed(s3, bucket, target, metadata)
            s3.abort_multipart_upload(Bucket=bucket, Key=target, UploadId=upload)
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=target, UploadId=upload)
        raise
