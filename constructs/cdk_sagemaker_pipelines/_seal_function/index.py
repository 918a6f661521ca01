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

``Manifests`` (name → S3 URI) are listed, not copied: each is one JSON-lines object,
``<Destination>/<name>.manifest.jsonl``, recording each object under the URI (key,
version id, ETag, size, last modified; see ``write_manifest``), uploaded write-once too.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
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
MANIFEST_SUFFIX = ".manifest.jsonl"
MANIFEST_FORMAT = "cdk-sagemaker-pipelines/manifest/1"
# What a manifest records of its source, to tell a retry's manifest from another one.
MANIFEST_METADATA = "manifest-source"
# A manifest's part: ≥ 5 MiB (S3's least but for the last), held in memory one at a time.
MANIFEST_PART_SIZE = 8 * 1024 * 1024
# ListObjectVersions returns up to 1,000 entries a call, about 10,000 objects a second:
# 5 million objects take about 8 of the function's 15 minutes. Past the cap the step fails
# naming it, rather than timing out; MANIFEST_MAX_OBJECTS (environment) changes it.
MAX_MANIFEST_OBJECTS = 5_000_000
# Stop listing when less than this is left of the invocation: a clear failure, not a timeout.
MANIFEST_MARGIN_MS = 30_000


class SealError(Exception):
    """An event the function refuses, or an artifact that isn't there."""


def handler(event: dict[str, Any], context: Any = None, s3: Any = None) -> dict[str, str]:
    """Copy each ``Artifacts`` entry under ``Destination``; return name → sealed URI.

    ``Destination`` must be ``s3://$SEALED_BUCKET/$SEALED_PREFIX<execution id>/<step>``.
    A single object keeps its file name; a prefix (no object at the URI) is copied with
    its layout, and its sealed URI is the copied prefix. Each ``Manifests`` entry is
    listed into ``<Destination>/<name>.manifest.jsonl``, its URI returned under its name.
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
    artifacts = event.get("Artifacts", {})
    manifests = event.get("Manifests", {})
    if (
        not isinstance(artifacts, dict)
        or not isinstance(manifests, dict)
        or not (artifacts or manifests)
    ):
        raise SealError(
            "Artifacts, Manifests: expected objects of name → S3 URI, at least one entry"
        )
    target_prefix = f"{prefix}{rest[0]}/{rest[1]}"
    lock = object_lock(os.environ, _utcnow())
    sealed: dict[str, str] = {}
    for name, source in artifacts.items():
        if not _NAME.match(str(name)):
            raise SealError(f"Artifacts: {name!r} is not a valid name")
        sealed[name] = _seal(s3, bucket, f"{target_prefix}/{name}", str(source), name, lock)
    cap = int(os.environ.get("MANIFEST_MAX_OBJECTS") or MAX_MANIFEST_OBJECTS)
    for name, source in manifests.items():
        if not _NAME.match(str(name)) or name in sealed:
            raise SealError(f"Manifests: {name!r} is not a valid name, or an artifact's")
        key = f"{target_prefix}/{name}{MANIFEST_SUFFIX}"
        write_manifest(s3, bucket, key, str(source), name, lock, cap, context)
        sealed[name] = f"s3://{bucket}/{key}"
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


def _complete_once(
    s3: Any, bucket: str, key: str, upload: str, parts: list[Any], taken: Callable[[], None]
) -> None:
    """Complete a multipart upload unless ``key`` exists (``If-None-Match: *``).

    When it does, ``taken`` checks that the object there is the one being written (it
    raises otherwise) and the upload is aborted: a sealed or manifest key is written once.
    """
    try:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload,
            MultipartUpload={"Parts": parts},
            IfNoneMatch="*",
        )
    except s3.exceptions.ClientError as error:
        if _error_code(error) != "PreconditionFailed":
            raise
        taken()
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)


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
    workers: int | None = None,
) -> None:
    """A multipart copy completed only if ``target`` doesn't exist yet (``If-None-Match``).

    A ``target`` that exists already is this copy's when it records the same source (a
    retry): the copy succeeds without writing (it was locked when it was written).
    ``lock`` (``object_lock``) goes with the upload: S3 locks the version it completes.
    ``workers`` parts copy at a time (``WORKERS``, read when called, if not given).
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
            at_once = min(WORKERS if workers is None else workers, len(ranges))
            with ThreadPoolExecutor(max_workers=at_once) as pool:
                # map keeps the parts in order, and re-raises a part's error here.
                parts = list(pool.map(lambda item: copy_part(*item), ranges))
        _complete_once(
            s3, bucket, target, upload, parts, lambda: _already_sealed(s3, bucket, target, metadata)
        )
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=target, UploadId=upload)
        raise


# -- manifests ---------------------------------------------------------------------------


def _listed(
    s3: Any, bucket: str, key: str, name: str, on_page: Callable[[], None] = lambda: None
) -> Iterator[dict[str, Any]]:
    """The current version of each object under ``key`` (a folder), else of ``key`` itself.

    ``on_page`` is called after each page, before the next is asked for: a page may hold no current
    version (a prefix of deleted objects lists only old versions and delete markers), so
    a guard counting objects alone would let such a listing run out the invocation.

    ListObjectVersions, as it alone gives each version id with the key, ETag, size and
    date (1,000 a call; ListObjectsV2 gives no version id, HeadObject one object a call).
    Its entries come in key order, each key's versions newest first: the one marked
    ``IsLatest`` is current; a key whose latest is a delete marker has none, and is left
    out. An unversioned bucket lists each object once, version ``null``.
    """
    folder = key if key.endswith("/") else key + "/"
    found = False
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=folder)
    for page in pages:
        for version in page.get("Versions", []):
            if version.get("IsLatest"):
                found = True
                yield version
        on_page()  # before the paginator asks for the next page
    if found or key.endswith("/"):
        return
    # No folder: the URI may name one object. Its versions come first among the keys it
    # begins (it is the shortest), newest first, so the first page holds its current one.
    page = s3.list_object_versions(Bucket=bucket, Prefix=key, MaxKeys=1)
    for version in page.get("Versions", []):
        if version.get("Key") == key and version.get("IsLatest"):
            yield version


def manifest_line(version: dict[str, Any]) -> dict[str, Any]:
    """One object of a manifest: key, version id (None unversioned), ETag, size, date.

    Example::

        manifest_line({"Key": "d/a.csv", "VersionId": "null", "ETag": '"e"', "Size": 3,
                       "LastModified": datetime(2025, 1, 2, tzinfo=UTC)})
        # {"key": "d/a.csv", "version_id": None, "etag": "e", "size": 3,
        #  "last_modified": "2025-01-02T00:00:00Z"}
    """
    version_id = version.get("VersionId")
    modified = version.get("LastModified")
    return {
        "key": version["Key"],
        # "null": an unversioned object, or one written while versioning was suspended;
        # either is replaced in place by the next write of its key.
        "version_id": None if version_id in (None, "null") else version_id,
        "etag": str(version.get("ETag", "")).strip('"'),
        "size": int(version.get("Size", 0)),
        "last_modified": (
            modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(modified, datetime)
            else modified
        ),
    }


def _remaining_ms(context: Any) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return float(remaining()) if callable(remaining) else float("inf")


def write_manifest(
    s3: Any,
    bucket: str,
    key: str,
    source: str,
    name: str,
    lock: dict[str, Any],
    cap: int,
    context: Any = None,
) -> None:
    """List ``source`` into the JSON-lines object ``key``, written once (``If-None-Match``).

    A header line (``manifest``, ``source``, ``format``, ``listed_at``), one line per
    object in key order (``manifest_line``), and a last line counting ``objects`` and
    ``bytes``: a manifest without it is not whole. Lines stream into a multipart upload,
    one ``MANIFEST_PART_SIZE`` part in memory at a time (a single PutObject when the
    manifest fits in one). More than ``cap`` objects, an empty source, or too little time
    left fail the step, and no manifest is written. A retry that finds the key written as
    a manifest of the same source succeeds without listing again (that manifest records
    the listing the first attempt made).
    """
    source_bucket, source_key = _split(source, name)
    metadata = {MANIFEST_METADATA: source}
    try:
        existing = s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if _error_code(error) not in ("404", "NoSuchKey", "NotFound"):
            raise
    else:
        _already_written(bucket, key, existing, metadata)
        return
    header = {
        "manifest": name,
        "source": source,
        "format": MANIFEST_FORMAT,
        "listed_at": _utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    extra: dict[str, Any] = {"Metadata": metadata, "ContentType": "application/jsonl", **lock}
    # S3 asks for a checksum on an upload that sets a retention (see _copy).
    checksum = {"ChecksumAlgorithm": "CRC32"} if lock else {}
    buffer = bytearray(_json_line(header))
    parts: list[dict[str, Any]] = []
    upload: str | None = None
    count = total = 0

    def flush() -> None:
        nonlocal upload
        if upload is None:
            upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra, **checksum)[
                "UploadId"
            ]
        number = len(parts) + 1
        result = s3.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload,
            PartNumber=number,
            Body=bytes(buffer),
            **checksum,
        )
        part = {"PartNumber": number, "ETag": result["ETag"]}
        if result.get("ChecksumCRC32"):
            part["ChecksumCRC32"] = result["ChecksumCRC32"]
        parts.append(part)
        buffer.clear()

    def check_time() -> None:
        if _remaining_ms(context) < MANIFEST_MARGIN_MS:
            raise SealError(
                f"manifest '{name}': the invocation's time is nearly up after {count:,} "
                f"objects under {source}: list a narrower prefix"
            )

    try:
        for version in _listed(s3, source_bucket, source_key, name, check_time):
            count += 1
            if count > cap:
                raise SealError(
                    f"manifest '{name}': more than {cap:,} objects under {source}: list a "
                    "narrower prefix, or raise MANIFEST_MAX_OBJECTS if the function's "
                    "15 minutes allow it (about 10,000 objects a second)"
                )
            line = manifest_line(version)
            total += line["size"]
            buffer += _json_line(line)
            if len(buffer) >= MANIFEST_PART_SIZE:
                flush()
        if count == 0:
            raise SealError(f"manifest '{name}': no object at {source} nor under it")
        buffer += _json_line({"objects": count, "bytes": total})
        if upload is None:
            try:
                s3.put_object(
                    Bucket=bucket, Key=key, Body=bytes(buffer), IfNoneMatch="*", **extra, **checksum
                )
            except s3.exceptions.ClientError as error:
                if _error_code(error) != "PreconditionFailed":
                    raise
                _already_written(bucket, key, s3.head_object(Bucket=bucket, Key=key), metadata)
            return
        flush()
        _complete_once(
            s3,
            bucket,
            key,
            upload,
            parts,
            lambda: _already_written(bucket, key, s3.head_object(Bucket=bucket, Key=key), metadata),
        )
    except Exception:
        if upload is not None:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
        raise


def _json_line(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _already_written(
    bucket: str, key: str, existing: dict[str, Any], expected: dict[str, str]
) -> None:
    """A manifest key exists: this step's (a retry) if it records the same source."""
    recorded = existing.get("Metadata", {}).get(MANIFEST_METADATA)
    if recorded != expected[MANIFEST_METADATA]:
        raise SealError(
            f"s3://{bucket}/{key} exists already and is not a manifest of "
            f"{expected[MANIFEST_METADATA]} (it records {recorded!r}): a sealed key is "
            "never replaced"
        )
