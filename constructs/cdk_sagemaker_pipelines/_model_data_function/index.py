"""The model data reader: where served versions keep their model data (boto3 only).

A ``ModelEndpoint``'s custom resource (``Custom::ModelDataLocations``) calls this function
at deploy time. It describes each served version (``DescribeModelPackage``) and returns the
S3 objects its containers' model data is, as IAM resources of ``s3:GetObject`` joined by
``DELIMITER`` (the template splits them into the endpoint role's ``Resource``):

- ``ModelDataUrl`` (an archive) and an ``S3Object`` data source: that object;
- an ``S3Prefix`` data source (an uncompressed model): the objects under it, ``prefix*``;
- of every container of ``InferenceSpecification`` and of ``SourceAlgorithmSpecification``,
  their ``ModelDataSource``, ``AdditionalModelDataSources``, ``AdditionalS3DataSource`` and
  a data source's ``ManifestS3Uri`` alike.

It returns too, as ``LIST_ATTRIBUTE``, the ``s3:prefix`` patterns the role may list
(``s3:ListBucket``), joined alike: each ``S3Prefix`` data source's key, ``prefix*`` (SageMaker
lists an uncompressed model's prefix before it reads it; an object is read, not listed).
When no version is uncompressed it is ``NO_LIST_PREFIX``: IAM takes no empty condition,
and that key prefix is one the stores never write (see there).

It refuses (fails the deploy, naming the version, the field and the location) model data
outside the version's store: another bucket than the one it is given for the version, or
a key outside its ``Prefixes`` (``models/``, ``sealed/``), or a location that isn't an
``s3://`` URI. On an update it returns the old properties' locations too, so that the
version served before stays readable while SageMaker replaces its instances (or rolls
back); those are never refused, only left out. A version without model data adds
nothing; when no version has any, the resource is the store's bucket ARN, which names no
object: ``s3:GetObject`` on it allows nothing. The previous versions' prefixes are kept
alike, and the response's size counts both attributes.

Keys are written IAM-literally: ``$``, ``*`` and ``?`` as ``${$}``, ``${*}``, ``${?}``, so
a key can't widen the grant, and a ``$`` never follows a ``$``: ``DELIMITER`` (``$$``) is in
no resource it joins.

It refuses too a version whose ``ModelApprovalStatus`` isn't what its ``Require`` says:
``Approved`` (a production variant's: it answers callers), ``NotRejected`` (a shadow
variant's: its responses are discarded, and shadow-testing a version before approving it is
the point) or ``None`` (``require_approval=False``). A version is checked when the deploy
starts serving it, or serving it under a stricter requirement (shadow to production): one
the old properties already served as strictly is not, so a version rejected after it was
deployed never blocks the next deploy, nor does the upgrade that adds ``Require`` (old
properties without it served their versions before approvals were checked). Nor is a
rollback blocked: when a version fails the check on an update, the stack's status is read
(``DescribeStacks``), and a stack rolling back gets back the versions it served.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

ATTRIBUTE = "ObjectArns"
LIST_ATTRIBUTE = "ListPrefixes"
DELIMITER = "$$"
# The listing when no served version is uncompressed: IAM needs a value, and S3 keys may
# hold any character, so none is a prefix no request can carry. This one is harmless
# instead: a literal prefix (no wildcard: a request must send exactly it) under models/,
# whose keys are models/<pipeline name>/…, and a pipeline name never holds a ".". So it
# lists nothing the stores write, and never more than the models/* it replaces.
NO_LIST_PREFIX = "models/.no-uncompressed-model/"
# What a version's Require may say, weakest first.
NONE, NOT_REJECTED, APPROVED = "None", "NotRejected", "Approved"
REQUIREMENTS = (NONE, NOT_REJECTED, APPROVED)
# ModelApprovalStatus's values (botocore's enum: the tests compare them).
STATUSES = ("Approved", "Rejected", "PendingManualApproval")
# Old properties of a version served before the function checked approvals (no Require):
# as strict as any, so the upgrade that adds Require re-checks nothing already served.
_SERVED_BEFORE_CHECKS = len(REQUIREMENTS)
# A custom resource's response holds at most 4096 bytes as sent: Data, the ids beside it,
# and JSON's escapes (a key's "é" is 6 bytes, "\\u00e9"), all counted.
RESPONSE_LIMIT = 4096
# The two attributes take at most this many of those bytes together, whatever the ids
# leave: a margin.
MAX_DATA = 3000
_PARTITION = re.compile(r"^aws[a-z-]*$")
_SPECIAL = re.compile(r"[$*?]")


class ModelDataError(Exception):
    """Model data the endpoint's role must not read, or properties that aren't the construct's."""


class ApprovalError(ModelDataError):
    """A version to serve whose approval status isn't what its variant requires."""


def handler(
    event: dict[str, Any],
    context: Any = None,
    sagemaker: Any = None,
    respond: Callable[[str, dict[str, Any]], None] | None = None,
    cloudformation: Any = None,
) -> dict[str, Any]:
    """Answer CloudFormation's request ``event``: put the response to its ``ResponseURL``.

    Every outcome is answered, a failure with its message as the ``Reason`` the stack's
    events show; the response is returned too. ``sagemaker``, ``respond`` and
    ``cloudformation`` are for tests.
    """
    response: dict[str, Any] = {
        "Status": "SUCCESS",
        "Reason": "read the served versions' model data",
        # A failed create has none yet: CloudFormation then deletes this id (a no-op).
        "PhysicalResourceId": event.get("PhysicalResourceId") or event.get("RequestId", "none"),
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        # Both attributes, empty: what the ids and the keys take is counted below.
        "Data": {ATTRIBUTE: "", LIST_ATTRIBUTE: ""},
    }
    try:
        # What the two attributes' values may take once the rest of the response is counted.
        room = min(MAX_DATA, RESPONSE_LIMIT - _size(response))
        response["Data"] = on_event(event, sagemaker, cloudformation, room=room)
    except Exception as error:  # every failure fails the deploy, never hangs it
        response.update(Status="FAILED", Reason="", Data={})
        reason = f"{type(error).__name__}: {error}"
        # A response over the limit would fail with CloudFormation's "too long" instead.
        response["Reason"] = _shortened(reason, RESPONSE_LIMIT - _size(response))
    print(json.dumps({key: response[key] for key in ("Status", "Reason", "Data")}))
    (respond or _put)(str(event.get("ResponseURL", "")), response)
    return response


def on_event(
    event: Mapping[str, Any],
    sagemaker: Any = None,
    cloudformation: Any = None,
    *,
    room: int = MAX_DATA,
) -> dict[str, str]:
    """``{ATTRIBUTE: <resources>, LIST_ATTRIBUTE: <prefixes>}`` on a create or update.

    Each value is joined by ``DELIMITER``; a delete returns {}.

    ``room``: the bytes the two joined values may take in the response, JSON-encoded.
    """
    request = event.get("RequestType")
    if request == "Delete":
        return {}  # nothing was made: the grant goes with the role's policy
    if request not in ("Create", "Update"):
        raise ModelDataError(f"unknown RequestType {request!r}")
    if sagemaker is None:
        import boto3  # type: ignore[import-untyped]  # in the Lambda runtime; tests stub it

        sagemaker = boto3.client("sagemaker", config=_client_config())
    properties = event.get("ResourceProperties") or {}
    old = (event.get("OldResourceProperties") or {}) if request == "Update" else None
    _partition(properties)  # properties the construct never writes fail before any call
    # A component endpoint's role policy keeps this much for the component's model data.
    policy_room = _max_data(properties)
    if policy_room is not None:
        room = min(room, policy_room)
    # Each version described once: approvals are checked before any model data is judged.
    strict = True
    try:
        described = {
            arn: _describe(sagemaker, arn) for arn, _, _ in _versions(properties, strict=True)
        }
    except ModelDataError as error:
        # A rollback puts back versions that may be gone since (deleted) or not describable
        # now (throttled): it must still complete, keeping readable what can be read.
        if old is None or not _rolling_back(event, cloudformation)[0]:
            raise
        print(json.dumps({"Described": "what can be", "Why": f"rolling back; {error}"}))
        described, strict = {}, False
    problems = approval_problems(properties, old, described) if strict else []
    if problems and old is not None:
        rolling_back, unknown = _rolling_back(event, cloudformation)
        if rolling_back:
            # CloudFormation puts back what the stack served before: never blocked, even by
            # a version rejected since (it serves again whatever its status, as it did).
            print(json.dumps({"NotChecked": problems, "Why": "the stack is rolling back"}))
            problems = []
        elif unknown:
            problems.append(unknown)
    if problems:
        raise ApprovalError("; ".join(problems))
    served = set(locations(sagemaker, properties, strict=strict, described=described))
    before: set[tuple[str, str | None]] = set()
    if old is not None:
        # The version served until now stays readable (until the next change): its instances may
        # still scale out while SageMaker shifts traffic, or serve again after a rollback.
        before = set(locations(sagemaker, old, strict=False, described=described)) - served
    # No version has model data (an image holding its model): IAM takes no empty Resource,
    # and the bucket's ARN names no object, so GetObject on it allows nothing.
    nothing = f"arn:{_partition(properties)}:s3:::{_versions(properties, strict=True)[0][1]}"
    data = _joined(served | before, nothing)
    if _values_size(data) > room and before:
        # Too many to return with the old ones: the new version's alone, as it must.
        left_out = sorted(arn for arn, _ in before)
        print(json.dumps({"LeftOut": left_out, "Why": "the response would be too long"}))
        data = _joined(served, nothing)
    if _values_size(data) > room:
        limit = (
            f"the {room} its endpoint's role policy keeps for them (MaxData)"
            if room == policy_room
            else f"a custom resource may return ({room})"
        )
        raise ModelDataError(
            f"the served versions' model data is {len(served)} locations, {_values_size(data)} "
            f"bytes as IAM resources and prefixes in JSON: more than {limit}; serve versions "
            "whose model data is fewer objects or prefixes"
        )
    return data


def _joined(found: set[tuple[str, str | None]], nothing: str) -> dict[str, str]:
    """The response's attributes of ``found`` locations (``(resource, list prefix)``)."""
    arns = sorted({arn for arn, _ in found}) or [nothing]
    listed = sorted({prefix for _, prefix in found if prefix is not None}) or [NO_LIST_PREFIX]
    return {ATTRIBUTE: DELIMITER.join(arns), LIST_ATTRIBUTE: DELIMITER.join(listed)}


def _values_size(data: Mapping[str, str]) -> int:
    """The bytes ``data``'s values take as sent (its keys are counted in ``room`` already)."""
    return sum(_size(value) for value in data.values())


def _size(value: Any) -> int:
    """The bytes ``value`` takes in the response as ``_put`` sends it (a string, unquoted)."""
    sent = json.dumps(value)
    return len(sent) - 2 if isinstance(value, str) else len(sent)


def _shortened(text: str, room: int) -> str:
    """``text``, cut to take at most ``room`` bytes JSON-encoded (``…`` ending a cut one)."""
    if _size(text) <= room:
        return text
    while text and _size(text + "…") > room:
        # Cut in proportion to the excess (an escaped character is up to 6 bytes), at least one.
        text = text[: min(len(text) - 1, len(text) * room // _size(text + "…"))]
    return text + "…"


def resources(
    sagemaker: Any,
    properties: Mapping[str, Any],
    *,
    strict: bool,
    described: dict[str, Mapping[str, Any]] | None = None,
) -> Iterator[str]:
    """The IAM resources of each version's model data (``locations``' first items)."""
    for arn, _ in locations(sagemaker, properties, strict=strict, described=described):
        yield arn


def locations(
    sagemaker: Any,
    properties: Mapping[str, Any],
    *,
    strict: bool,
    described: dict[str, Mapping[str, Any]] | None = None,
) -> Iterator[tuple[str, str | None]]:
    """``(IAM resource, s3:prefix pattern or None)`` of each version's model data.

    The pattern is an ``S3Prefix`` data source's (``models/…/model/*``, IAM-literal like
    the resource), None for an object.

    ``strict`` (the new properties): a version that can't be described, or model data
    outside its store, fails. Otherwise (the old properties, on an update) such a version
    or location is left out and logged: what was served before never fails a deploy, nor
    a rollback, and is never read outside its store either. ``described`` holds the
    versions already described (by ARN), and receives those described here.
    """
    prefixes = [str(prefix) for prefix in properties.get("Prefixes") or []]
    try:
        partition, versions = _partition(properties), _versions(properties, strict=strict)
    except ModelDataError:
        if strict:
            raise
        return  # old properties of another shape: nothing of them is kept
    described = {} if described is None else described
    for arn, bucket, _ in versions:
        if arn not in described:
            try:
                described[arn] = _describe(sagemaker, arn)
            except ModelDataError as error:
                if strict:
                    raise
                print(json.dumps({"Skipped": arn, "Why": str(error)}))
                continue
        description = described[arn]
        for where, uri, is_prefix in model_data(description):
            try:
                resource = _resource(partition, arn, bucket, prefixes, where, uri, is_prefix)
            except ModelDataError as error:
                if strict:
                    raise
                print(json.dumps({"Skipped": uri, "Why": str(error)}))
                continue
            # The key as the resource writes it (after "<bucket>/"), listed under s3:prefix.
            yield resource, resource.split("/", 1)[1] if is_prefix else None


def approval_problems(
    properties: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    described: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """What is wrong with the approval of the versions ``properties`` start serving.

    ``old`` are an update's old properties (None on a create): a version they served under
    a requirement at least as strict isn't checked again. ``described`` holds each
    version's ``DescribeModelPackage`` response.

    Example::

        approval_problems({"Versions": [{"ModelPackageArn": arn, "Bucket": "b",
                                         "Require": "Approved"}]}, None,
                          {arn: {"ModelApprovalStatus": "PendingManualApproval"}})
        # ['version arn:… is PendingManualApproval: …']
    """
    already: dict[str, int] = {}
    try:
        for arn, _, require in _versions(old, strict=False) if old is not None else []:
            already[arn] = max(already.get(arn, -1), require)
    except ModelDataError:
        pass  # old properties of another shape: nothing of them was served under a check
    strictest: dict[str, int] = {}
    for arn, _, require in _versions(properties, strict=True):
        strictest[arn] = max(strictest.get(arn, 0), require)
    problems = []
    for arn, require in strictest.items():
        if require <= already.get(arn, -1):
            continue  # served before as strictly: checked then (or before checks existed)
        status = str(described.get(arn, {}).get("ModelApprovalStatus") or "without a status")
        if REQUIREMENTS[require] == APPROVED and status != "Approved":
            problems.append(
                f"version {arn} is {status}: a production variant answers callers, so it "
                "serves Approved versions only. Approve it if it should be served (aws "
                f"sagemaker update-model-package --model-package-arn {arn} "
                "--model-approval-status Approved, or the model registry in SageMaker "
                "Studio), serve another version, or give the ModelEndpoint "
                "require_approval=False (a dev environment serving what the pipeline just "
                "registered)"
            )
        elif REQUIREMENTS[require] == NOT_REJECTED and status == "Rejected":
            problems.append(
                f"version {arn} is Rejected: a shadow variant may serve a version pending "
                "approval, never a rejected one. Shadow another version, or, if the "
                "rejection was a mistake, set its status again (aws sagemaker "
                f"update-model-package --model-package-arn {arn} --model-approval-status "
                "PendingManualApproval, or Approved; or the model registry in SageMaker "
                "Studio)"
            )
    return problems


def _client_config() -> Any:
    """Short timeouts and few retries: the function answers within its own minute.

    botocore's defaults (60 s to connect and to read, retried) outlast the function's
    timeout: a stalled call would leave CloudFormation waiting for an answer until its
    ServiceTimeout; with these the function answers FAILED, naming the call.
    """
    from botocore.config import Config  # type: ignore[import-untyped]

    return Config(
        connect_timeout=5, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
    )


def _describe(sagemaker: Any, arn: str) -> Mapping[str, Any]:
    try:
        return dict(sagemaker.describe_model_package(ModelPackageName=arn))
    except Exception as error:
        raise ModelDataError(f"version {arn}: DescribeModelPackage failed: {error}") from None


def _rolling_back(event: Mapping[str, Any], cloudformation: Any) -> tuple[bool, str | None]:
    """Whether the update is CloudFormation putting back the previous properties.

    ``(False, why)`` when the stack can't be described: the version is then refused, as it
    would be outside a rollback (and ``why`` says so).
    """
    stack = str(event.get("StackId") or "")
    if cloudformation is None:
        import boto3

        cloudformation = boto3.client("cloudformation", config=_client_config())
    try:
        (found,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except Exception as error:
        return False, (
            f"(DescribeStacks of {stack} failed, so a rollback could not be told apart: {error})"
        )
    # UPDATE_ROLLBACK_IN_PROGRESS (a failed update's, or continue-update-rollback's), and
    # an import's or a rollback-stack's.
    return "ROLLBACK_IN_PROGRESS" in str(found.get("StackStatus")), None


def model_data(description: Mapping[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """``(field, S3 URI, is a prefix)`` of each location of a version's model data.

    Example::

        list(model_data({"InferenceSpecification": {"Containers": [
            {"ModelDataUrl": "s3://b/models/m.tar.gz"}]}}))
        # [("InferenceSpecification.Containers[0].ModelDataUrl", "s3://b/models/m.tar.gz", False)]
    """
    groups = [
        ("InferenceSpecification.Containers", description.get("InferenceSpecification")),
        (
            "SourceAlgorithmSpecification.SourceAlgorithms",
            description.get("SourceAlgorithmSpecification"),
        ),
    ]
    for name, group in groups:
        member = name.rsplit(".", 1)[1]
        items = (group or {}).get(member) or []
        for index, item in enumerate(items):
            where = f"{name}[{index}]"
            if item.get("ModelDataUrl"):
                yield f"{where}.ModelDataUrl", str(item["ModelDataUrl"]), False
            source = (item.get("ModelDataSource") or {}).get("S3DataSource")
            yield from _data_source(f"{where}.ModelDataSource.S3DataSource", source)
            for position, extra in enumerate(item.get("AdditionalModelDataSources") or []):
                yield from _data_source(
                    f"{where}.AdditionalModelDataSources[{position}].S3DataSource",
                    extra.get("S3DataSource"),
                )
            yield from _data_source(
                f"{where}.AdditionalS3DataSource", item.get("AdditionalS3DataSource")
            )


def _data_source(where: str, source: Any) -> Iterator[tuple[str, str, bool]]:
    if not isinstance(source, Mapping) or not source.get("S3Uri"):
        return
    yield f"{where}.S3Uri", str(source["S3Uri"]), source.get("S3DataType") == "S3Prefix"
    if source.get("ManifestS3Uri"):
        yield f"{where}.ManifestS3Uri", str(source["ManifestS3Uri"]), False


def iam_literal(text: str) -> str:
    """``text`` as IAM matches it literally: ``$``, ``*``, ``?`` as ``${$}``, ``${*}``, ``${?}``.

    Example::

        iam_literal("models/a*b.tar.gz")  # 'models/a${*}b.tar.gz'
    """
    return _SPECIAL.sub(lambda match: "${" + match[0] + "}", text)


def _resource(
    partition: str,
    arn: str,
    bucket: str,
    prefixes: list[str],
    where: str,
    uri: str,
    is_prefix: bool,
) -> str:
    if not uri.startswith("s3://"):
        raise ModelDataError(
            f"version {arn}: {where} is {_shown(uri)!r}, not an s3:// URI: the endpoint's role "
            f"reads model data of its store only (s3://{bucket}/…)"
        )
    found_bucket, _, key = uri[len("s3://") :].partition("/")
    inside = [prefix for prefix in prefixes if key.startswith(prefix)]
    if found_bucket != bucket or not inside:
        raise ModelDataError(
            f"version {arn}: {where} is {_shown(uri)}, outside its store: the endpoint's role "
            f"reads model data under {' or '.join(f's3://{bucket}/{p}' for p in prefixes)} only "
            "(give the endpoint, or the variant, the model_store that holds this version)"
        )
    if is_prefix and not key.endswith("/"):
        # Else prefix* would match the keys beside it (models/m1 → models/m10/…).
        raise ModelDataError(
            f"version {arn}: {where} is the prefix {_shown(uri)}, which doesn't end with '/' as an "
            "S3Prefix must"
        )
    return f"arn:{partition}:s3:::{bucket}/{iam_literal(key)}{'*' if is_prefix else ''}"


def _shown(uri: str) -> str:
    """``uri`` as a message shows it: a key may be 1024 characters, the response is short."""
    return uri if len(uri) <= 200 else uri[:199] + "…"


def _versions(properties: Mapping[str, Any], *, strict: bool) -> list[tuple[str, str, int]]:
    """Each version's ARN, bucket and requirement (its rank in ``REQUIREMENTS``).

    ``strict`` (the new properties): ``Require`` must be given. Old properties without it
    are a deploy's from before approvals were checked.
    """
    versions = properties.get("Versions")
    found = []
    for item in versions if isinstance(versions, list) else []:
        arn = item.get("ModelPackageArn") if isinstance(item, Mapping) else None
        bucket = item.get("Bucket") if isinstance(item, Mapping) else None
        if not isinstance(arn, str) or not isinstance(bucket, str) or not arn or not bucket:
            raise ModelDataError(f"Versions: expected ModelPackageArn and Bucket, got {item!r}")
        require = item.get("Require")
        if require is None and not strict:
            found.append((arn, bucket, _SERVED_BEFORE_CHECKS))
        elif require in REQUIREMENTS:
            found.append((arn, bucket, REQUIREMENTS.index(require)))
        else:
            raise ModelDataError(
                f"Versions: expected Require {', '.join(REQUIREMENTS)} of {arn}, got {require!r}"
            )
    if not found:
        raise ModelDataError("Versions: expected at least one served version")
    return found


def _max_data(properties: Mapping[str, Any]) -> int | None:
    """``MaxData``: the bytes the two attributes may take, if the construct bounds them.

    A ``ComponentEndpoint`` packs several components' statements in each managed policy of
    its role, counting each component's model data at this much: more would outgrow the
    policy (IAM's 6,144 characters) and fail the deploy later with IAM's ``LimitExceeded``.
    CloudFormation sends a property's number as a string.
    """
    given = properties.get("MaxData")
    if given is None:
        return None
    try:
        value = int(str(given))
    except ValueError:
        value = 0
    if value <= 0:
        raise ModelDataError(f"MaxData: expected a positive number of bytes, got {given!r}")
    return value


def _partition(properties: Mapping[str, Any]) -> str:
    partition = str(properties.get("Partition") or "")
    if not _PARTITION.match(partition):
        raise ModelDataError(f"Partition: expected aws, aws-cn, …, got {partition!r}")
    return partition


def _put(url: str, response: dict[str, Any]) -> None:
    """Put ``response`` to CloudFormation's pre-signed ``url`` (an empty content type)."""
    import urllib.request

    body = json.dumps(response).encode()
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(
        request, timeout=30
    ) as answer:  # the pre-signed URL CloudFormation gave
        answer.read()
