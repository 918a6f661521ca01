"""SageMaker framework container images, resolved per region with no AWS call.

The account and tag tables come from the SageMaker Python SDK's
``image_uri_config`` files (see ``data/framework_images.json`` for provenance).

Hugging Face images are keyed by a transformers version plus the base framework (PyTorch
or TensorFlow) version they are built on, and their tags end in a CUDA/OS suffix. The
large-model serving images (``djl-lmi``, ``huggingface-llm``) are written into the table by
``scripts/generate_framework_images.py``; their tags start with the SDK's ``tag_prefix``.

Example::

    framework_image_uri("sklearn", "1.2-1", region="eu-west-1")
    # '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3'
    framework_image_uri("huggingface", "4.49", base_framework_version="pytorch2.5",
                        region="us-east-1")
    # '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:'
    # '2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04'
    framework_image_uri("djl-lmi", "0.33.0", scope="inference", region="us-east-1")
    # '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128'
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._errors import PipelineDefinitionError
from ._suggest import did_you_mean, one_of
from ._tokens import is_token

FRAMEWORKS = ("sklearn", "xgboost", "pytorch", "tensorflow", "huggingface")
# The large-model serving images (``Image.djl_lmi``, ``Image.huggingface_llm``), in the same
# table (written by scripts/generate_framework_images.py): scope ``inference`` only, their
# tags the SDK's ``tag_prefix``. Their model servers run no SageMaker inference-toolkit
# script, so the local runner can't stand in for them (``SERVING_IMAGES`` names them there).
SERVING_IMAGES = {
    "djl-lmi": "the Large Model Inference (LMI, DJL Serving) container",
    "huggingface-llm": "the Hugging Face Text Generation Inference (TGI) container",
}
SERVING = tuple(SERVING_IMAGES)
# The analyzer images of the check steps (``Image.model_monitor()``, ``Image.clarify()``),
# in the same table: regional accounts, no processors or Python versions.
ANALYZERS = ("model-monitor", "clarify")
# A Hugging Face image's base framework, spelt as the SDK's ``base_framework_version``.
_BASE_FRAMEWORK = re.compile(r"(?P<name>pytorch|tensorflow)(?P<version>\d.*)")
_ECR_URI = re.compile(
    r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.(?P<domain>[a-z0-9.\-]+)/"
    r"(?P<repository>[^:@]+)[:@](?P<tag>.+)"
)
# An image manifest's digest as ECR reports it (imageDigest), the form an image URI pins
# ('repo@sha256:…') and Image.from_ecr_repository(digest=) takes: Docker refuses a digest
# of another length or in upper-case hex when it pulls, so the job would fail to start.
IMAGE_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@cache
def _table() -> dict[str, Any]:
    path = os.path.join(os.path.dirname(__file__), "data", "framework_images.json")
    if os.path.isfile(path):  # a package on disk (importlib.resources costs ~10 ms to import)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    else:  # a zipped package, or another unusual loader
        from importlib import resources

        data = resources.files(__package__).joinpath("data/framework_images.json")
        text = data.read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class FrameworkImageSpec:
    """A framework image resolved up to the region: repository, tag and accounts per region.

    Example::

        spec = Image.sklearn("1.2-1").framework_spec()
        spec.uri("eu-west-1")  # '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-…'
    """

    framework: str
    version: str
    repository: str
    tag: str
    accounts: dict[str, str]
    domains: dict[str, str]
    default_domain: str
    base_framework_version: str | None = None  # Hugging Face only: "pytorch2.5.1"

    @property
    def description(self) -> str:
        """``sklearn 1.2-1``, ``huggingface 4.49.0 (pytorch 2.5.1)``, ``model-monitor``."""
        return f"{self.framework} {self.version}".rstrip() + (
            f" ({_base_label(self.base_framework_version)})" if self.base_framework_version else ""
        )

    def uri(self, region: str) -> str:
        """Return the image URI in ``region`` (raises for an unsupported region)."""
        if not isinstance(region, str):
            raise PipelineDefinitionError(
                f"{self.description} image: region must be a region name such as "
                f"'us-east-1', got {type(region).__name__} {region!r}"
            )
        account = self.accounts.get(region)
        if account is None:
            raise PipelineDefinitionError(
                f"{self.unpublished(region)} ({self.region_hint(region)})",
            )
        domain = self.domains.get(region, self.default_domain)
        # The Model Monitor analyzer is untagged, as the SDK writes it (its latest image).
        tag = f":{self.tag}" if self.tag else ""
        return f"{account}.dkr.ecr.{region}.{domain}/{self.repository}{tag}"

    def unpublished(self, region: str) -> str:
        """The message for a region without this image."""
        return f"{self.description} images are not published in {region!r}"

    def region_hint(self, region: str) -> str:
        """The closest regions that have this image, or how many do."""
        return did_you_mean(region, self.accounts) or (
            f"published in {one_of(sorted(self.accounts), 8)}"
        )


def framework_image(
    framework: str,
    version: str,
    *,
    processor: str | None = None,
    py_version: str | None = None,
    scope: str = "training",
    base_framework_version: str | None = None,
) -> FrameworkImageSpec:
    """Resolve a framework image up to the region.

    ``processor`` defaults to the only one offered, else ``cpu``; ``py_version`` to the
    newest offered. ``base_framework_version`` (Hugging Face only, as in the SDK:
    ``pytorch2.5.1``, ``tensorflow2.11``) picks what the transformers image is built on.

    Example::

        framework_image("pytorch", "2.1", processor="gpu").uri("us-east-1")
        framework_image("huggingface", "4.49", base_framework_version="pytorch2.5")
    """
    given = {
        "framework": framework,
        "version": version,
        "processor": processor,
        "py_version": py_version,
        "scope": scope,
        "base_framework_version": base_framework_version,
    }
    for name, value in given.items():
        if not (isinstance(value, str) or (value is None and name not in ("framework", "version"))):
            # A version written as a number (1.2) would be read as another one ("1.20").
            raise PipelineDefinitionError(
                f"framework_image: {name} must be a string such as "
                f"{_EXAMPLES.get(name, repr('cpu'))}, got {type(value).__name__} {value!r}"
            )
    return _framework_image(
        framework, version, processor, py_version, scope, base_framework_version
    )


_EXAMPLES = {
    "framework": "'sklearn'",
    "version": "'1.2-1'",
    "py_version": "'py3'",
    "scope": "'training'",
    "base_framework_version": "'pytorch2.5'",
}


@functools.lru_cache(maxsize=1024)
def _framework_image(
    framework: str,
    version: str,
    processor: str | None,
    py_version: str | None,
    scope: str,
    base_framework_version: str | None,
) -> FrameworkImageSpec:
    """``framework_image``, cached: the table never changes (errors are not cached)."""
    table = _table()
    frameworks = table["frameworks"]
    if framework not in frameworks:
        raise PipelineDefinitionError(
            f"unknown framework {framework!r}; expected one of {one_of(FRAMEWORKS + SERVING, 8)}",
        )
    scopes = frameworks[framework]["scopes"]
    if scope not in scopes:
        raise PipelineDefinitionError(
            f"{framework} has no {scope!r} images; expected one of {one_of(scopes)}"
        )
    config = scopes[scope]
    resolved = config.get("version_aliases", {}).get(version, version)
    entry = config["versions"].get(resolved)
    if entry is None:
        hint = did_you_mean(version, config["versions"])
        newest_first = sorted(config["versions"], key=_version_key, reverse=True)
        if _version_key(version) < _version_key(newest_first[-1]):
            # The table keeps recent versions only: no close match is what was meant.
            hint = "older versions are not listed here: give their image with Image.from_uri"
        what = "transformers version" if "base_frameworks" in _any_entry(config) else "version"
        message = (
            f"{framework} {scope} image {what} {version!r} is unknown; "
            f"known, newest first: {one_of(newest_first, 12)}"
        )
        raise PipelineDefinitionError(message + (f" ({hint})" if hint else ""))
    subject = f"{framework} {resolved}"
    base: str | None = None
    if "base_frameworks" in entry:
        base, base_entry = _base_framework(subject, scope, entry, base_framework_version)
        subject += f" ({_base_label(base)})"
        entry = {**entry, **base_entry}
    elif base_framework_version is not None:
        raise PipelineDefinitionError(
            f"{framework} images have no base framework version "
            f"({base_framework_version!r}); only huggingface images do"
        )
    processors: list[str] = entry.get("processors") or []
    if processor is None and processors:
        processor = processors[0] if len(processors) == 1 else "cpu"
    if processors and processor not in processors:
        # Hugging Face training images are GPU-only while its inference images are not.
        kind = f"{scope} image" if base else "image"
        raise PipelineDefinitionError(
            f"{subject} has no {processor!r} {kind}; expected one of {one_of(processors)}"
        )
    py_versions: list[str] = entry.get("py_versions") or []
    if py_version is None and py_versions:
        py_version = py_versions[-1]
    if py_versions and py_version not in py_versions:
        raise PipelineDefinitionError(
            f"{subject} has no image for {py_version!r}; expected one of {one_of(py_versions)}"
        )
    # The SDK's _format_tag: the parts that apply, joined by '-'. A Hugging Face tag starts
    # with the base framework's version and ends in the CUDA/OS suffix of its processor; a
    # serving image's starts with the SDK's tag_prefix (``0.33.0-lmi15.0.0-cu128``).
    prefix = entry.get("tag_prefix", resolved)
    if base is not None:
        prefix = f"{_split_base(base)[1]}-transformers{resolved}"
    container_version = entry.get("container_versions", {}).get(processor) if processors else None
    tag = "-".join(
        part
        for part in (
            prefix,
            processor if processors else None,
            py_version if py_versions else None,
            container_version,
        )
        if part
    )
    if entry.get("tag") == "{version}":
        tag = resolved
    return FrameworkImageSpec(
        framework=framework,
        version=resolved,
        repository=entry["repository"],
        tag=tag,
        accounts=dict(table["registries"][entry["registries"]]),
        domains=dict(table["domains"]),
        default_domain=table["default_domain"],
        base_framework_version=base,
    )


def _any_entry(config: dict[str, Any]) -> dict[str, Any]:
    """One version entry of a scope (all entries of a scope have the same shape)."""
    entry: dict[str, Any] = next(iter(config["versions"].values()), {})
    return entry


def _split_base(base: str) -> tuple[str, str]:
    """``pytorch2.5.1`` → ``("pytorch", "2.5.1")``."""
    match = _BASE_FRAMEWORK.fullmatch(base)
    assert match is not None, base
    return match["name"], match["version"]


def _base_label(base: str) -> str:
    """``pytorch2.5.1`` → ``pytorch 2.5.1``."""
    return " ".join(_split_base(base))


def _base_framework(
    subject: str, scope: str, entry: dict[str, Any], requested: str | None
) -> tuple[str, dict[str, Any]]:
    """The base framework (``pytorch2.5.1``) of a Hugging Face version entry, and its entry.

    The SDK's per-version ``version_aliases`` (``pytorch2.5`` → ``pytorch2.5.1``) resolve
    here; the resolved version goes into the tag.
    """
    bases: dict[str, Any] = entry["base_frameworks"]
    aliases: dict[str, str] = entry.get("base_framework_aliases", {})
    # In the words of Image.huggingface and the SDK's HuggingFace estimator.
    short = {target: _split_base(alias)[1] for alias, target in aliases.items()}
    offered = ", ".join(
        "{}_version={!r}".format(*_split_base(full))
        + (f" (or {short[full]!r})" if full in short else "")
        for full in bases
    )
    if requested is None:
        raise PipelineDefinitionError(
            f"{subject} {scope} images need a base framework version: {offered}"
        )
    if _BASE_FRAMEWORK.fullmatch(requested) is None:
        raise PipelineDefinitionError(
            f"base framework version {requested!r} is not 'pytorch<version>' or "
            f"'tensorflow<version>' (e.g. {next(iter(bases))!r})"
        )
    full = aliases.get(requested, requested)
    if full not in bases:
        name, version = _split_base(requested)
        same_name = [_split_base(base) for base in [*bases, *aliases]]
        known = [known for other, known in same_name if other == name]
        hint = did_you_mean(version, known) if len(bases) > 1 else None  # else: the offer
        message = f"{subject} has no {scope} image on {_base_label(requested)}; offered: {offered}"
        raise PipelineDefinitionError(message + (f" ({hint})" if hint else ""))
    return full, bases[full]


def _version_key(version: str) -> list[tuple[int, int | str]]:
    """Sort ``2.10.0`` after ``2.9.0`` (numbers as numbers, other parts as text)."""
    parts = re.findall(r"\d+|[^\d.\-]+", version)
    return [(0, int(part)) if part.isdigit() else (1, part) for part in parts]


def framework_image_uri(framework: str, version: str, *, region: str, **options: str) -> str:
    """Return the full image URI of a framework image in ``region``."""
    return framework_image(framework, version, **options).uri(region)


@dataclass(frozen=True, slots=True)
class ParsedImageUri:
    """The parts of an ECR image URI.

    Example::

        parsed = parse_image_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/churn:1.0")
        parsed.repository, parsed.tag  # ('churn', '1.0')
    """

    account: str
    region: str
    repository: str
    tag: str
    framework: str | None
    domain: str = "amazonaws.com"

    @property
    def uri(self) -> str:
        """The URI again (``parse_image_uri(uri).uri == uri`` for a tagged URI)."""
        separator = "@" if self.tag.startswith("sha256:") else ":"
        registry = f"{self.account}.dkr.ecr.{self.region}.{self.domain}"
        return f"{registry}/{self.repository}{separator}{self.tag}"


def image_digest_problem(uri: str) -> str | None:
    """Why the digest ``uri`` pins (after ``@``) is no image digest, else ``None``.

    A URI without ``@``, or whose digest is a CDK token, has nothing to check. Used by
    ``Image.from_uri`` and by the validation of every image field of a definition.

    Example::

        image_digest_problem("111122223333.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:abc")
        # "image URI '…/churn@sha256:abc' pins 'sha256:abc', which is not an image digest: …"
    """
    _, at, digest = uri.rpartition("@")
    if not at or IMAGE_DIGEST.fullmatch(digest) is not None or is_token(digest):
        return None
    return (
        f"image URI {uri!r} pins {digest!r}, which is not an image digest: expected "
        "'<repository>@sha256:' and 64 lowercase hex digits, as `aws ecr describe-images` "
        "prints imageDigest"
    )


def job_image_problem(uri: object, job: str) -> tuple[str, str] | None:
    """(message, hint) when a job's image is no Amazon ECR image, else ``None``.

    SageMaker runs processing jobs only from ECR, and training jobs from ECR unless their
    ``TrainingImageConfig`` names a private registry in the job's VPC (the caller's to
    exclude); botocore's pattern takes any text, so ``python:3.11`` (Docker Hub) would
    pass validation, run locally with ``--image-map``, and fail when the job is created.
    Only a reference that names a registry, an organisation or a tag (``python:3.11``,
    ``myorg/trainer``, ``ghcr.io/…``) is judged: a bare word (``img``) is how the SageMaker
    SDK's own generated definitions write a placeholder, which ``smpipe validate`` takes as
    SDK output. Nor is what may be an ECR registry: a host naming ``ecr`` (``….dkr.ecr.…``,
    FIPS and dual-stack endpoints), a token or rendered intrinsic (``${…}``), an expression.
    ``job`` is ``processing`` or ``training``.

    Example::

        job_image_problem("python:3.11", "processing")[0]
        # "'python:3.11' is not an Amazon ECR image URI: SageMaker runs processing jobs …"
    """
    if not isinstance(uri, str) or "${" in uri or is_token(uri):
        return None
    if not any(separator in uri for separator in "/:@"):
        return None
    host = uri.split("/", 1)[0] if "/" in uri else ""
    if "ecr" in host:
        return None
    where = (
        "from Amazon ECR only"
        if job == "processing"
        else "from Amazon ECR, or from a private Docker registry in the job's VPC "
        "(TrainingImageConfig.TrainingRepositoryAccessMode 'Vpc')"
    )
    return (
        f"{uri!r} is not an Amazon ECR image URI "
        "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>): SageMaker pulls the "
        f"images of {job} jobs {where}, so the job would fail when created",
        "push the image to an ECR repository: Image.from_asset(directory) builds and pushes it "
        "at deploy, Image.from_ecr_repository(repository, tag=…) names one; a SageMaker "
        "framework image is Image.sklearn(…), Image.pytorch(…), …",
    )


def parse_image_uri(uri: str) -> ParsedImageUri | None:
    """Split an ECR image URI; ``framework`` is set for SageMaker's framework images.

    A framework image is a framework repository in one of the accounts SageMaker
    publishes it from: a private copy (``<your account>/tensorflow-training``) is not.
    A URI pinning a malformed digest (``…@sha256:abc``) is no image URI: ``None``.

    Example::

        parse_image_uri("683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                        "sagemaker-scikit-learn:1.2-1-cpu-py3").framework  # 'sklearn'
    """
    if not isinstance(uri, str):
        raise PipelineDefinitionError(
            f"parse_image_uri: uri must be an image URI string, got {type(uri).__name__} {uri!r}"
        )
    match = _ECR_URI.fullmatch(uri)
    if match is None or image_digest_problem(uri) is not None:
        return None
    repository = match["repository"]
    return ParsedImageUri(
        account=match["account"],
        region=match["region"],
        repository=repository,
        tag=match["tag"],
        framework=framework_of_repository(repository, account=match["account"]),
        domain=match["domain"],
    )


@cache
def _repositories() -> dict[str, tuple[str, frozenset[str]]]:
    """Framework repository name → (framework, the accounts publishing it in any region)."""
    table = _table()
    found: dict[str, tuple[str, set[str]]] = {}
    for name, framework in table["frameworks"].items():
        for scope in framework["scopes"].values():
            for entry in scope["versions"].values():
                for image in entry.get("base_frameworks", {"": entry}).values():
                    _, accounts = found.setdefault(image["repository"], (name, set()))
                    accounts.update(table["registries"][image["registries"]].values())
    return {repository: (name, frozenset(ids)) for repository, (name, ids) in found.items()}


def framework_of_repository(repository: str, *, account: str | None = None) -> str | None:
    """Return the framework of a SageMaker framework repository name, else ``None``.

    With ``account``, only where that account publishes the framework: the repository
    names (``pytorch-training``) are also what teams call their own copies.
    """
    known = _repositories().get(repository)
    if known is None or (account is not None and account not in known[1]):
        return None
    return known[0]
