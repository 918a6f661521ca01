"""SageMaker framework container images, resolved per region with no AWS call.

The account and tag tables come from the SageMaker Python SDK's
``image_uri_config`` files (see ``data/framework_images.json`` for provenance).

Example::

    framework_image_uri("sklearn", "1.2-1", region="eu-west-1")
    # '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3'
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

FRAMEWORKS = ("sklearn", "xgboost", "pytorch")
_ECR_URI = re.compile(
    r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.(?P<domain>[a-z0-9.\-]+)/"
    r"(?P<repository>[^:@]+)[:@](?P<tag>.+)"
)


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
    """A framework image resolved up to the region: repository, tag and accounts per region."""

    framework: str
    version: str
    repository: str
    tag: str
    accounts: dict[str, str]
    domains: dict[str, str]
    default_domain: str

    def uri(self, region: str) -> str:
        """Return the image URI in ``region`` (raises for an unsupported region)."""
        account = self.accounts.get(region)
        if account is None:
            raise PipelineDefinitionError(
                f"{self.unpublished(region)} ({self.region_hint(region)})",
            )
        domain = self.domains.get(region, self.default_domain)
        return f"{account}.dkr.ecr.{region}.{domain}/{self.repository}:{self.tag}"

    def unpublished(self, region: str) -> str:
        """The message for a region without this image."""
        return f"{self.framework} {self.version} images are not published in {region!r}"

    def region_hint(self, region: str) -> str:
        """The closest regions that have this image, or how many do."""
        return did_you_mean(region, self.accounts) or (
            f"published in {one_of(sorted(self.accounts), 8)}"
        )


def framework_image(
    framework: str,
    version: str,
    *,
    processor: str = "cpu",
    py_version: str | None = None,
    scope: str = "training",
) -> FrameworkImageSpec:
    """Resolve a framework image up to the region.

    Example::

        framework_image("pytorch", "2.1", processor="gpu").uri("us-east-1")
    """
    return _framework_image(framework, version, processor, py_version, scope)


@functools.lru_cache(maxsize=1024)
def _framework_image(
    framework: str, version: str, processor: str, py_version: str | None, scope: str
) -> FrameworkImageSpec:
    """``framework_image``, cached: the table never changes (errors are not cached)."""
    table = _table()
    frameworks = table["frameworks"]
    if framework not in frameworks:
        raise PipelineDefinitionError(
            f"unknown framework {framework!r}; expected one of {one_of(FRAMEWORKS)}",
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
        message = (
            f"{framework} {scope} image version {version!r} is unknown; "
            f"known, newest first: {one_of(newest_first, 12)}"
        )
        raise PipelineDefinitionError(message + (f" ({hint})" if hint else ""))
    processors: list[str] = entry.get("processors") or []
    if processors and processor not in processors:
        raise PipelineDefinitionError(
            f"{framework} {resolved} has no {processor!r} image; "
            f"expected one of {one_of(processors)}"
        )
    py_versions: list[str] = entry.get("py_versions") or []
    if py_version is None and py_versions:
        py_version = py_versions[-1]
    if py_versions and py_version not in py_versions:
        raise PipelineDefinitionError(
            f"{framework} {resolved} has no image for {py_version!r}; "
            f"expected one of {one_of(py_versions)}"
        )
    tag = "-".join(
        part
        for part in (
            resolved,
            processor if processors else None,
            py_version if py_versions else None,
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
    )


def _version_key(version: str) -> list[tuple[int, int | str]]:
    """Sort ``2.10.0`` after ``2.9.0`` (numbers as numbers, other parts as text)."""
    parts = re.findall(r"\d+|[^\d.\-]+", version)
    return [(0, int(part)) if part.isdigit() else (1, part) for part in parts]


def framework_image_uri(framework: str, version: str, *, region: str, **options: str) -> str:
    """Return the full image URI of a framework image in ``region``."""
    return framework_image(framework, version, **options).uri(region)


@dataclass(frozen=True, slots=True)
class ParsedImageUri:
    """The parts of an ECR image URI."""

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


def parse_image_uri(uri: str) -> ParsedImageUri | None:
    """Split an ECR image URI; ``framework`` is set for known framework repositories.

    Example::

        parse_image_uri("683313688378.dkr.ecr.us-east-1.amazonaws.com/"
                        "sagemaker-scikit-learn:1.2-1-cpu-py3").framework  # 'sklearn'
    """
    match = _ECR_URI.fullmatch(uri)
    if match is None:
        return None
    repository = match["repository"]
    return ParsedImageUri(
        account=match["account"],
        region=match["region"],
        repository=repository,
        tag=match["tag"],
        framework=framework_of_repository(repository),
        domain=match["domain"],
    )


@cache
def _repositories() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, framework in _table()["frameworks"].items():
        for scope in framework["scopes"].values():
            for entry in scope["versions"].values():
                found[entry["repository"]] = name
    return found


def framework_of_repository(repository: str) -> str | None:
    """Return the framework of a SageMaker framework repository name, else ``None``."""
    return _repositories().get(repository)
