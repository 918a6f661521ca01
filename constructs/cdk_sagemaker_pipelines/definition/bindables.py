"""Values bound to real resources at compile time: code, images and S3 locations.

A bindable does nothing when built. When a pipeline compiles, its ``Binder`` turns
each one into a definition value: the CDK binder (``cdk_sagemaker_pipelines.cdk``)
stages code as content-hashed assets, resolves framework images per region and
grants access; ``StaticBinder`` handles literal values for use without CDK. One
definition, two binders, as with ``aws_lambda.Code``.

Example::

    ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_asset("prep.py"), ...)
"""

from __future__ import annotations

import dataclasses
import filecmp
import hashlib
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .._code_files import MAX_CODE_FILES, MAX_FOLDER_VISITS, FolderFilesError, folder_files
from ._errors import PipelineDefinitionError, PipelineValidationError, Problem
from ._render import render
from ._suggest import did_you_mean
from ._tokens import is_token
from ._typecheck import checked
from .expressions import Expression
from .images import IMAGE_DIGEST, FrameworkImageSpec, _framework_image, image_digest_problem
from .jobs import JobDefaults, tag_problems

if TYPE_CHECKING:
    from ._render import JsonValue
    from .pipeline import PipelineDefinition

Access = Literal["read", "write"]
UNBOUND = "${Token[Unbound.Value]}"
"""Placeholder rendered where binding failed; validation treats it as a deploy-time value."""
AUTOML_STEP_TYPE = "AutoML"
"""``Type`` of AutoML steps: a binder may give them a role apart (``Binder.default_role_arn``)."""


class BindingError(PipelineDefinitionError):
    """A bindable value can't be bound by the binder in use.

    Example::

        try:
            StaticBinder().bind_code(Code.from_asset("prep.py"), step_name="Prep", archive=False)
        except BindingError as error:
            error.hint  # "… compile with StaticBinder(code_prefix='s3://…') and upload it there"
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message if hint is None else f"{message} ({hint})")
        self.message = message
        self.hint = hint


class _NamedBucket(Protocol):
    """What ``S3Location.from_bucket`` reads of a bucket object (``aws_s3.IBucket`` has it)."""

    @property
    def bucket_name(self) -> str:
        """The bucket's name (a CDK token for a bucket of the app)."""
        ...


class _EcrRepository(Protocol):
    """What ``Image.from_ecr_repository`` needs of a repository (``aws_ecr.IRepository``)."""

    def repository_uri_for_tag(self, tag: str | None = None) -> str:
        """The URI of the image with ``tag`` in the repository."""
        ...

    def repository_uri_for_digest(self, digest: str | None = None) -> str:
        """The URI of the image of ``digest`` (``sha256:…``) in the repository."""
        ...


_MISSPELLED_S3_SCHEME = re.compile(r"(?i)s3:/*(?P<rest>[^/].*)")


def _not_s3_uri_hint(value: str) -> str:
    """How to write ``value``, given to ``Code.from_s3``, as the S3 URI it should be."""
    misspelled = _MISSPELLED_S3_SCHEME.fullmatch(value)
    if misspelled is not None:
        return f"did you mean 's3://{misspelled.group('rest')}'?"
    if "://" in value:
        # s3a://, gs://, file://: a URI already, so not a local path for Code.from_asset.
        return "write 's3://<bucket>/<key>': SageMaker reads code from S3"
    return f"write 's3://<bucket>/<key>'; for a local file or folder use Code.from_asset({value!r})"


@checked
@dataclass(frozen=True, slots=True)
class Code:
    """A job's code: a local file or directory (staged as an asset) or an S3 location.

    For a directory, ``entry_point`` names the script inside it.

    Example::

        Code.from_asset("ml/preprocess.py")
        Code.from_asset("ml/src", entry_point="train.py")
        Code.from_s3("s3://my-bucket/code/evaluate.py")
    """

    path: str | None = None
    s3_uri: str | Expression | None = None
    entry_point: str | None = None

    def _validate(self) -> None:
        if (self.path is None) == (self.s3_uri is None):
            raise PipelineDefinitionError("Code: give exactly one of path and s3_uri")
        if self.path is not None and not os.path.exists(self.path):
            raise PipelineDefinitionError(
                f"Code.from_asset: {self.path!r} does not exist{_nearby_hint(self.path)}"
            )
        if isinstance(self.s3_uri, Expression) and self.entry_point is None:
            raise PipelineDefinitionError(
                "Code.from_s3 with an expression: name the script to run with entry_point="
            )
        if (
            isinstance(self.s3_uri, str)
            and not self.s3_uri.startswith(("s3://", "https://"))
            and not is_token(self.s3_uri)
        ):
            # The SDK takes a local path or a URI in one argument; here a local path would
            # only fail at compile time as an S3 URI that doesn't match, far from its cause.
            raise PipelineDefinitionError(
                f"Code.from_s3: {self.s3_uri!r} is not an S3 URI ({_not_s3_uri_hint(self.s3_uri)})"
            )
        if self.is_s3_archive and self.entry_point is None:
            raise PipelineDefinitionError(
                f"Code.from_s3({self.s3_uri!r}) is an archive: name the script inside it "
                "with entry_point="
            )
        if (
            self.path is not None
            and os.path.isfile(self.path)
            and self.entry_point is not None
            and self.entry_point != os.path.basename(self.path)
        ):
            raise PipelineDefinitionError(
                f"Code.from_asset({self.path!r}) is a file, so it is the script that runs: "
                f"entry_point={self.entry_point!r} names another (leave entry_point out, or "
                "pass the directory that holds both)"
            )
        if self.path is not None and os.path.isdir(self.path):
            if self.entry_point is None:
                raise PipelineDefinitionError(
                    f"Code.from_asset({self.path!r}) is a directory: name the script to run "
                    "with entry_point="
                )
            if not os.path.isfile(os.path.join(self.path, self.entry_point)):
                nearby = _nearby_hint(os.path.join(self.path, self.entry_point))
                raise PipelineDefinitionError(
                    f"Code.from_asset: {self.entry_point!r} is not a file in {self.path!r}" + nearby
                )

    @staticmethod
    def from_asset(path: str | os.PathLike[str], entry_point: str | None = None) -> Code:
        """Code from a local file or directory, deployed as a content-hashed asset.

        A relative path is made absolute here, against the working directory it was checked
        in, so a later change of directory (a CDK app run from elsewhere) still finds it.
        """
        return Code(path=os.path.abspath(path), entry_point=entry_point)

    @staticmethod
    def from_s3(uri: str | Expression, entry_point: str | None = None) -> Code:
        """Code already in S3 (a script, or a ``.tar.gz`` with ``entry_point`` inside)."""
        return Code(s3_uri=uri, entry_point=entry_point)

    @property
    def is_directory(self) -> bool:
        """True for a local directory (uploaded as an archive)."""
        return self.path is not None and os.path.isdir(self.path)

    @property
    def is_s3_archive(self) -> bool:
        """True for S3 code that is a ``.tar.gz`` archive (named by a literal URI)."""
        return isinstance(self.s3_uri, str) and self.s3_uri.endswith(".tar.gz")

    @property
    def script_name(self) -> str:
        """The file name of the script that runs."""
        if self.entry_point is not None:
            return self.entry_point
        if self.path is not None:
            return os.path.basename(self.path)
        uri = self.s3_uri
        if isinstance(uri, str):
            return posixpath.basename(uri)
        raise PipelineDefinitionError("Code.from_s3 with an expression needs entry_point=")


@dataclass(frozen=True, slots=True)
class BoundCode:
    """Where the binder put a ``Code``: its S3 URI and the object's file name there.

    Example::

        StaticBinder(code_prefix="s3://my-bucket/code").bind_code(
            Code.from_asset("prep.py"), step_name="Prep", archive=False
        )  # BoundCode(uri='s3://my-bucket/code/prep.py', file_name='prep.py')
    """

    uri: JsonValue
    file_name: str


# What picks an image, and the fields each way of picking it takes.
_IMAGE_SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "uri": (),
    "framework": ("version", "processor", "py_version", "scope", "base_framework_version"),
    "repository": ("tag", "digest"),
    "directory": (),
}
_IMAGE_FACTORIES = {
    "framework": "Image.from_framework",
    "repository": "Image.from_ecr_repository",
}
_IMAGE_SOURCE_HINTS = {
    "uri": "an image URI names its tag or digest itself: '…/my-image:v3' or '…/my-image@sha256:…'",
    "directory": "an image built from a Dockerfile is tagged when it is built",
}


@checked
@dataclass(frozen=True, slots=True)
class Image:
    """A container image: a URI, a SageMaker framework image, an ECR repository or a Dockerfile.

    Framework images resolve per region with no AWS call (in env-agnostic stacks through a
    CloudFormation mapping).

    Example::

        Image.sklearn("1.2-1")
        Image.pytorch("2.1", processor="gpu")
        Image.tensorflow("2.19", scope="inference")
        Image.huggingface("4.49", pytorch_version="2.5")     # GPU: its only training images
        Image.djl_lmi("0.33.0")                             # LLM serving: LMI container
        Image.huggingface_llm("3.3")                        # LLM serving: TGI container
        Image.model_monitor()                              # the check steps' analyzers
        Image.from_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest")
        Image.from_ecr_repository(repository, tag="v3")   # an aws_ecr.IRepository
        Image.from_ecr_repository(repository, digest="sha256:5f0c…")  # pinned: immutable
        Image.from_asset("docker/train")                 # built from a Dockerfile
    """

    uri: str | Expression | None = None
    framework: str | None = None
    version: str | None = None
    processor: str | None = None
    py_version: str | None = None
    scope: str = "training"
    base_framework_version: str | None = None
    repository: Any = None
    tag: str = "latest"
    directory: str | None = None
    digest: str | None = None

    def _validate(self) -> None:
        sources = [self.uri is not None, self.framework is not None]
        sources += [self.repository is not None, self.directory is not None]
        if sum(sources) != 1:
            raise PipelineDefinitionError(
                "Image: use one of from_uri, from_framework, from_ecr_repository, from_asset"
            )
        self._validate_fields_of_source()
        if self.repository is not None:
            self._validate_digest()
        if isinstance(self.uri, str):
            # A malformed '@sha256:…' would only fail when the job pulls the image.
            problem = image_digest_problem(self.uri)
            if problem is not None:
                raise PipelineDefinitionError(f"Image.from_uri: {problem}")
        if self.framework is not None:
            if self.version is None:
                # The field is optional for the other sources: its type check lets None by.
                raise PipelineDefinitionError(
                    f"Image: field 'version' expects str, got None (the {self.framework!r} "
                    "image's version, as the SDK's image_uris.retrieve takes it)"
                )
            # Resolving now reports an unknown framework or version at definition time.
            self.framework_spec()
        if self.directory is not None and not os.path.isfile(
            os.path.join(self.directory, "Dockerfile")
        ):
            raise PipelineDefinitionError(f"Image.from_asset: no Dockerfile in {self.directory!r}")

    def _validate_fields_of_source(self) -> None:
        """Fields of another kind of image would be ignored: say so rather than drop them."""
        source = next(name for name in _IMAGE_SOURCE_FIELDS if getattr(self, name) is not None)
        defaults = {item.name: item.default for item in dataclasses.fields(self)}
        owners: dict[str, list[str]] = {}
        for kind, members in _IMAGE_SOURCE_FIELDS.items():
            for name in members:
                if kind != source and getattr(self, name) != defaults[name]:
                    owners.setdefault(kind, []).append(name)
        if owners:
            ignored = [name for names in owners.values() for name in names]
            given = ", ".join(f"{name}={getattr(self, name)!r}" for name in ignored)
            belong = "; ".join(
                f"{', '.join(f'{name}=' for name in names)} "
                f"{'goes' if len(names) == 1 else 'go'} with {_IMAGE_FACTORIES[kind]}"
                for kind, names in owners.items()
            )
            why = _IMAGE_SOURCE_HINTS.get(source)
            raise PipelineDefinitionError(
                f"Image({source}=…): {given} would be ignored ({belong}: remove "
                f"{'it' if len(ignored) == 1 else 'them'}{f'; {why}' if why else ''})"
            )

    def _validate_digest(self) -> None:
        """A digest pins one image; a tag can be moved: not both, and each in its place."""
        if self.digest is None:
            if self.tag.startswith("sha256:"):
                # Written as a tag it would render 'repo:sha256:…', a reference ECR refuses.
                raise PipelineDefinitionError(
                    f"Image.from_ecr_repository: tag={self.tag!r} is a digest: pass it as "
                    "digest=, which pins the image by it ('repo@sha256:…')"
                )
            return
        if not IMAGE_DIGEST.fullmatch(self.digest):
            raise PipelineDefinitionError(
                f"Image.from_ecr_repository: digest={self.digest!r} is not an image digest: "
                "expected 'sha256:' and 64 lowercase hex digits, as `aws ecr describe-images` "
                "prints imageDigest"
            )
        if self.tag != "latest":
            raise PipelineDefinitionError(
                f"Image.from_ecr_repository: give tag= or digest=, not both (tag={self.tag!r}, "
                f"digest={self.digest!r}): the digest alone names the image"
            )

    @staticmethod
    def from_uri(uri: str | Expression) -> Image:
        """An image by URI (or a parameter holding one).

        A URI pinned by digest (``repo@sha256:…``) must give the whole digest, 64 lowercase
        hex digits: a shorter one is refused here rather than when the job pulls it.
        """
        return Image(uri=uri)

    @staticmethod
    def from_framework(
        framework: str,
        version: str,
        *,
        processor: str | None = None,
        py_version: str | None = None,
        scope: str = "training",
        base_framework_version: str | None = None,
    ) -> Image:
        """A SageMaker framework image, with the arguments of the SDK's ``image_uris.retrieve``.

        ``framework``: ``sklearn``, ``xgboost``, ``pytorch``, ``tensorflow``, ``huggingface``;
        the serving images ``djl-lmi`` and ``huggingface-llm`` with ``scope="inference"``.
        ``processor`` is ``cpu`` or ``gpu``. Default: the only one offered, else ``cpu``.
        ``py_version`` default: the newest offered. ``base_framework_version`` is for
        ``huggingface`` only (``pytorch2.5``, ``tensorflow2.11``).
        """
        return Image(
            framework=framework,
            version=version,
            processor=processor,
            py_version=py_version,
            scope=scope,
            base_framework_version=base_framework_version,
        )

    @staticmethod
    def sklearn(version: str = "1.2-1", *, scope: str = "training") -> Image:
        """The SageMaker scikit-learn image (also runs processing scripts)."""
        return Image.from_framework("sklearn", version, scope=scope)

    @staticmethod
    def xgboost(version: str = "1.7-1", *, scope: str = "training") -> Image:
        """The SageMaker XGBoost image."""
        return Image.from_framework("xgboost", version, scope=scope)

    @staticmethod
    def pytorch(
        version: str = "2.1",
        *,
        processor: str = "cpu",
        py_version: str | None = None,
        scope: str = "training",
    ) -> Image:
        """The SageMaker PyTorch deep learning container."""
        return Image.from_framework(
            "pytorch", version, processor=processor, py_version=py_version, scope=scope
        )

    @staticmethod
    def tensorflow(
        version: str,
        *,
        processor: str = "cpu",
        py_version: str | None = None,
        scope: str = "training",
    ) -> Image:
        """The SageMaker TensorFlow deep learning container (2.11 and later).

        ``version`` is a full version or its ``major.minor`` alias (``"2.19"`` is 2.19.0).
        ``processor``: ``cpu`` or ``gpu`` (the SDK picks it from the instance type; this
        doesn't). Inference images before 2.20 have no Python version in their tag.

        Example::

            Image.tensorflow("2.19", processor="gpu")   # …/tensorflow-training:2.19.0-gpu-py312
            Image.tensorflow("2.19", scope="inference")  # …/tensorflow-inference:2.19.0-cpu
        """
        return Image.from_framework(
            "tensorflow", version, processor=processor, py_version=py_version, scope=scope
        )

    @staticmethod
    def huggingface(
        transformers_version: str,
        *,
        pytorch_version: str | None = None,
        tensorflow_version: str | None = None,
        processor: str | None = None,
        py_version: str | None = None,
        scope: str = "training",
    ) -> Image:
        """The SageMaker Hugging Face deep learning container (transformers 4.26 and later).

        Like the SDK's ``HuggingFace`` estimator and ``HuggingFaceModel``: a transformers
        version and the version of exactly one base framework, ``pytorch_version`` or
        ``tensorflow_version`` (full or ``major.minor``; each transformers version is built
        on the few listed in the error when one doesn't match). ``processor``: training
        images are ``gpu`` only; inference images are ``cpu`` (default) or ``gpu``. The tag
        ends in the CUDA/OS suffix the SDK adds.

        Example::

            Image.huggingface("4.49", pytorch_version="2.5")
            # …/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04
            Image.huggingface("4.26", tensorflow_version="2.11", scope="inference")
            # …/huggingface-tensorflow-inference:2.11.0-transformers4.26.0-cpu-py39-ubuntu20.04
        """
        versions = {
            "transformers_version": transformers_version,
            "pytorch_version": pytorch_version,
            "tensorflow_version": tensorflow_version,
        }
        for name, value in versions.items():
            # A float is never guessed at: 2.10 would be 2.1.
            if value is not None and not isinstance(value, str):
                raise PipelineDefinitionError(
                    f"Image.huggingface: {name} expects str, got {type(value).__name__} "
                    f"{value!r} (write it as a string, e.g. '2.5')"
                )
        if pytorch_version is not None and tensorflow_version is not None:
            raise PipelineDefinitionError(
                "Image.huggingface: give pytorch_version or tensorflow_version, not both"
            )
        base: str | None = None
        if pytorch_version is not None:
            base = f"pytorch{pytorch_version}"
        elif tensorflow_version is not None:
            base = f"tensorflow{tensorflow_version}"
        return Image.from_framework(
            "huggingface",
            transformers_version,
            processor=processor,
            py_version=py_version,
            scope=scope,
            base_framework_version=base,
        )

    @staticmethod
    def djl_lmi(version: str) -> Image:
        """The SageMaker Large Model Inference (LMI) container, to serve large models.

        ``version`` is the DJL Serving version the SDK's ``image_uris.retrieve("djl-lmi",
        …)`` takes (``"0.33.0"``, 0.28.0 and later), or ``"latest"``: the newest in this
        release's table, which a library upgrade can move (pin a version to keep it). The
        image is for GPU instances; its tag names the LMI and CUDA versions.

        Example::

            Image.djl_lmi("0.33.0")
            # 763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128
        """
        return Image.from_framework("djl-lmi", version, scope="inference")

    @staticmethod
    def huggingface_llm(version: str) -> Image:
        """The Hugging Face Text Generation Inference (TGI) container, to serve LLMs.

        ``version`` is the TGI version the SDK's ``get_huggingface_llm_image_uri`` takes
        (``"3.3.6"``, 2.0.0 and later), or its alias (``"3.3"``: the SDK's choice, e.g. 3.3.6).
        GPU only, as SageMaker publishes it.

        Example::

            Image.huggingface_llm("3.3")
            # …/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04
        """
        return Image.from_framework("huggingface-llm", version, scope="inference")

    @staticmethod
    def model_monitor() -> Image:
        """The SageMaker Model Monitor analyzer, which ``QualityCheckStep`` runs.

        Untagged, as the SDK's ``image_uris.retrieve("model-monitor", region)`` writes it.

        Example::

            Image.model_monitor()
            # 156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer
        """
        return Image.from_framework("model-monitor", "", scope="monitoring")

    @staticmethod
    def clarify(version: str = "1.0") -> Image:
        """The SageMaker Clarify processing image, which ``ClarifyCheckStep`` runs.

        Example::

            Image.clarify()
            # 205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0
        """
        return Image.from_framework("clarify", version, scope="processing")

    @staticmethod
    def from_ecr_repository(
        repository: _EcrRepository, tag: str = "latest", *, digest: str | None = None
    ) -> Image:
        """An image in an ECR repository (an ``aws_ecr.IRepository``); pull is granted.

        ``tag`` (Default ``latest``) names whatever image the tag points at when a job
        starts; ``digest`` (``sha256:…``, as ``aws ecr describe-images`` prints it) pins one
        image, ``repo@sha256:…``, which no push can change (an audit's "which image ran").

        Example::

            Image.from_ecr_repository(repository, digest="sha256:" + "0" * 64)
        """
        return Image(repository=repository, tag=tag, digest=digest)

    @staticmethod
    def from_asset(directory: str | os.PathLike[str]) -> Image:
        """An image built from ``directory``/Dockerfile by ``cdk deploy`` (a Docker asset).

        A relative ``directory`` is resolved against the working directory now, as
        ``Code.from_asset`` does: not against whichever one the synth later runs in.
        """
        return Image(directory=os.path.abspath(os.fspath(directory)))

    def framework_spec(self) -> FrameworkImageSpec:
        """The resolved ``FrameworkImageSpec`` of a framework image."""
        assert self.framework is not None
        assert self.version is not None
        # The fields' types are checked when the Image is made: no need to check them again
        # for every step that binds it, as the public framework_image does.
        return _framework_image(
            self.framework,
            self.version,
            self.processor,
            self.py_version,
            self.scope,
            self.base_framework_version,
        )


@checked
@dataclass(frozen=True, slots=True)
class S3Location:
    """An S3 location: a URI, a bucket (name or ``aws_s3.IBucket``) and key prefix, or a local file.

    With a bucket object, the CDK binder grants the step role exactly the access the
    location is used for (read for inputs, write for outputs).

    ``from_asset(path)`` ships a small local file with the pipeline (a lookup table, a
    feature schema, a baseline ``constraints.json``), read-only: the CDK ``Pipeline``
    construct stages it as a content-hashed asset and grants read on that object, so
    the job sees it under the asset's name (``<hash>.json``: the extension is kept, the
    name is not) as the only file in its input directory; ``StaticBinder`` places it
    at ``<code_prefix>/<file name>``, where you upload it.

    Example::

        S3Location.from_uri("s3://my-bucket/raw/")
        S3Location.from_bucket(artifacts_bucket, "models")
        S3Location.from_asset("ml/config/feature_schema.json")
    """

    uri: str | Expression | None = None
    bucket: Any = None
    key_prefix: str = ""
    path: str | None = None

    def _validate(self) -> None:
        given = [self.uri is not None, self.bucket is not None, self.path is not None]
        if sum(given) != 1:
            raise PipelineDefinitionError(
                "S3Location: give exactly one of uri, bucket and path (from_uri, from_bucket, "
                "from_asset)"
            )
        if self.path is not None:
            self._validate_asset(self.path)
        if self.uri is not None and self.key_prefix:
            # A URI is the whole location: the prefix would be dropped.
            written = (
                f"S3Location.from_uri({self.uri.rstrip('/') + '/' + self.key_prefix!r})"
                if isinstance(self.uri, str)
                else 'S3Location.from_uri(Join(on="/", values=[uri, prefix]))'
            )
            raise PipelineDefinitionError(
                f"S3Location(uri=…): key_prefix={self.key_prefix!r} would be ignored: "
                f"key_prefix goes with a bucket (from_bucket); write the prefix into the URI: "
                f"{written}"
            )
        if isinstance(self.bucket, str):
            bucket, prefix = split_bucket(self.bucket)
            if bucket != self.bucket:
                rest = "/".join(part for part in (prefix, self.key_prefix) if part)
                arguments = f"{bucket!r}, {rest!r}" if rest else repr(bucket)
                uri = f"s3://{bucket}/{rest}" if rest else f"s3://{bucket}"
                raise PipelineDefinitionError(
                    f"S3Location: bucket {self.bucket!r} is not a bucket name (use "
                    f"S3Location.from_bucket({arguments}) or S3Location.from_uri({uri!r}))"
                )

    def _validate_asset(self, path: str) -> None:
        if self.key_prefix:
            raise PipelineDefinitionError(
                f"S3Location.from_asset({path!r}): key_prefix goes with a bucket; an asset's "
                "key is chosen when it is staged"
            )
        if os.path.isdir(path):
            # A CDK asset of a directory is a zip, which SageMaker would copy as it is.
            raise PipelineDefinitionError(
                f"S3Location.from_asset({path!r}) is a directory; an asset location is one "
                "file (a directory would be staged as a zip, which the job would get unopened): "
                "give each file its own from_asset, deploy the directory with "
                "aws_s3_deployment.BucketDeployment and use S3Location.from_bucket(bucket, "
                "prefix), or ship a tar the job unpacks"
            )
        if not os.path.isfile(path):
            reason = "does not exist" if not os.path.exists(path) else "is not a regular file"
            nearby = _nearby_hint(path) if not os.path.exists(path) else ""
            raise PipelineDefinitionError(f"S3Location.from_asset: {path!r} {reason}{nearby}")

    @staticmethod
    def from_uri(uri: str | Expression) -> S3Location:
        """A location by URI (or an expression that yields one)."""
        return S3Location(uri=uri)

    @staticmethod
    def from_bucket(bucket: str | _NamedBucket, key_prefix: str = "") -> S3Location:
        """A location in a bucket: a bucket name or an ``aws_s3.IBucket``.

        A trailing ``/`` is kept: ``"raw/"`` means the keys under the folder ``raw``, while
        ``"raw"`` also matches ``rawfoo/…`` (an S3 prefix), in the job and in its grants.
        """
        prefix = key_prefix.lstrip("/")
        if prefix.endswith("//"):
            prefix = prefix.rstrip("/") + "/"
        return S3Location(bucket=bucket, key_prefix=prefix)

    @staticmethod
    def from_asset(path: str | os.PathLike[str]) -> S3Location:
        """A local file shipped with the pipeline, read-only (see the class docstring).

        Only files: a directory is refused with what to use instead. A relative path is
        made absolute here, against the working directory it was checked in, so a later
        change of directory (a CDK app run from elsewhere) still finds the file.
        """
        return S3Location(path=os.path.abspath(os.fspath(path)))

    @property
    def is_asset(self) -> bool:
        """True for a local file (``from_asset``)."""
        return self.path is not None

    def bucket_name(self) -> str:
        """The bucket's name (a string, possibly a CDK token)."""
        bucket = self.bucket
        if bucket is None:
            raise PipelineDefinitionError(
                "S3Location.bucket_name: only a location from_bucket has a bucket"
            )
        name: str = bucket if isinstance(bucket, str) else bucket.bucket_name
        return name


def check_asset_access(location: S3Location, access: Access) -> None:
    """Raise ``BindingError`` when ``location`` is an asset bound for writing.

    Binders call it before placing a location; the compiler calls it too, so a binder
    written before assets existed never sees an asset bound for writing.
    """
    if location.path is not None and access != "read":
        raise BindingError(
            f"an asset is read-only: S3Location.from_asset({location.path!r}) can't receive "
            "what the job writes",
            "write to S3Location.from_bucket(…) or an s3:// URI, or leave the destination out "
            "for the binder's default location",
        )


def local_file_conflict(uri: str, path: str, placed: str, placed_by: str) -> BindingError | None:
    """The error for ``path`` bound to ``uri``, where ``placed_by`` already placed ``placed``.

    ``None`` when both are the same file or directory, or have the same content (the CDK
    binder names assets by content hash). Otherwise one upload would overwrite the other:
    ``StaticBinder`` places every local file under ``code_prefix`` by its name alone.
    """
    if _same_content(path, placed):
        return None
    return BindingError(
        f"local file {path!r} goes to {uri}, where {placed_by} already puts {placed!r}, a "
        "different file: one upload would overwrite the other",
        "give the files different names: StaticBinder(code_prefix=…) places each local file "
        "under its own name alone",
    )


# Hex digits of the content's SHA-256 in a key StaticBinder(content_addressed=True) places a
# local file at: 48 bits keep the key readable, and no two scripts of a project collide.
CONTENT_DIGEST_LENGTH = 12


def content_digest(path: str) -> str:
    """A short SHA-256 of a local file, or of a folder's files and their relative paths.

    What no job reads (caches, version control, editors' files: ``_code_files``) is left
    out, as the archives leave it out, so saving in an editor changes no key. Symbolic
    links are followed, a linked folder's files listed under the link's name: the archive
    the local runner packs for ``<name>.tar.gz`` (``local.store.write_archive``) and
    ``aws s3 sync`` hold what a link points at, so the digest covers the same files. A link
    that leads nowhere, or to a folder that holds it, raises ``BindingError`` naming it.

    Example::

        content_digest("ml/train.py")  # "3f2a9c0d1e4b"
    """
    digest = hashlib.sha256()
    if os.path.isdir(path):
        for relative, full in _code_tree(path):
            digest.update(relative.encode() + b"\0")
            _digest_file(digest, full)
            digest.update(b"\0")
    elif os.path.isfile(path):
        _digest_file(digest, path)
    else:
        raise BindingError(
            f"local file {path!r} doesn't exist",
            "StaticBinder(content_addressed=True) places a local file by its content: create "
            "it, or name the file that holds the code",
        )
    return digest.hexdigest()[:CONTENT_DIGEST_LENGTH]


def _code_tree(root: str) -> list[tuple[str, str]]:
    """Each file under the folder ``root``, links followed: ``(relative path, path)``.

    ``_code_files.folder_files``, as the CDK's archives and the local runner list them:
    each folder's files by name, then its folders' by name, as ``os.walk`` lists them (so
    a folder without links keeps the digest it had); skipped names left out. A loop of
    links, a link to nowhere or a named pipe, socket or device raises ``BindingError``.
    """
    try:
        return list(folder_files(root))
    except FolderFilesError as error:
        raise code_folder_error(
            error,
            "StaticBinder(content_addressed=True) places a local file by its content: mend the "
            "link or remove it",
        ) from None


def code_folder_error(error: FolderFilesError, dead_link_hint: str) -> BindingError:
    """``folder_files``' refusal of a code folder as a ``BindingError`` naming the file.

    The compiler reports it as a problem of the step that binds the code.
    ``dead_link_hint`` says how a link to nowhere is dealt with for the binder in use.

    Example::

        code_folder_error(error, "mend the link or remove it").message
        # "local file 'src/lib' is a symbolic link to '../gone', which leads nowhere (…)"
    """
    path = error.path
    if error.kind == "dead":
        return BindingError(
            f"local file {path!r} is a symbolic link to {error.target!r}, which leads "
            "nowhere (a broken link, or a loop of links)",
            dead_link_hint,
        )
    if error.kind == "loop":
        return BindingError(
            f"local file {path!r} is a symbolic link to {error.target!r}, a "
            "folder that holds the link: its content has no end (a loop of links)",
            "remove the link, or link to a folder outside it",
        )
    if error.kind == "name":
        return BindingError(
            f"local file {path!r} has a name that isn't UTF-8",
            "S3 keys and the names SageMaker unpacks are UTF-8: rename the file",
        )
    if error.kind == "too-many-files":
        return BindingError(
            f"code folder {path!r} holds more than {MAX_CODE_FILES:,} files",
            "a code folder holds a job's scripts: move data, virtualenvs and the like out of "
            "it (to S3, or a folder of their own), or point Code.from_asset at a smaller folder",
        )
    if error.kind == "fan-out":
        return BindingError(
            f"local folder {path!r} is reached through symbolic links more than "
            f"{MAX_FOLDER_VISITS} times: links that fan out multiply the code folder's files",
            "link each shared folder in once, or copy what the job needs into the code folder",
        )
    if error.kind == "special":
        return BindingError(
            f"local file {path!r} is neither a file nor a folder (a named pipe, socket or device)",
            "an archive of code holds files only: move it out of the folder",
        )
    return BindingError(
        f"local file {path!r} can't be read: {error.reason}",
        "make it readable, or move it out of the folder",
    )


def _digest_file(digest: Any, path: str) -> None:
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)


def _same_content(first: str, second: str) -> bool:
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    if os.path.isfile(first) and os.path.isfile(second):
        return filecmp.cmp(first, second, shallow=False)
    if not (os.path.isdir(first) and os.path.isdir(second)):
        return False
    comparison = filecmp.dircmp(first, second)
    if comparison.left_only or comparison.right_only or comparison.common_funny:
        return False
    _, mismatched, unreadable = filecmp.cmpfiles(
        first, second, comparison.common_files, shallow=False
    )
    return (
        not mismatched
        and not unreadable
        and all(
            _same_content(os.path.join(first, name), os.path.join(second, name))
            for name in comparison.common_dirs
        )
    )


LOCAL_SEAL_FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:smpipe-local-seal"
"""The ``FunctionArn`` a ``StaticBinder`` without ``seal_function_arn`` gives ``SealStep``s:
no deployed function; the local runner copies natively, whatever the ARN."""


@checked
@dataclass(frozen=True, slots=True)
class SealTarget:
    """Where a ``SealStep`` runs: the sealing function and the bucket it copies into.

    A binder that can seal has ``seal_target(*, step_name) -> SealTarget`` (optional:
    a binder without it can't compile a ``SealStep``).

    Example::

        SealTarget(function_arn="arn:aws:lambda:…:function:seal", bucket_uri="s3://b")
    """

    function_arn: Any
    bucket_uri: Any


class Binder(Protocol):
    """Turns bindable values into definition values for one pipeline.

    Methods raise ``BindingError`` for values they can't bind; the compiler records
    it as a problem of the step and field. ``StaticBinder`` and the CDK ``Pipeline``
    construct's binder implement it.

    Example::

        pipeline.to_definition(StaticBinder(region="us-east-1", role_arn=ROLE,
                                            default_bucket="my-bucket"))
    """

    def bind_code(self, code: Code, *, step_name: str, archive: bool) -> BoundCode:
        """Place ``code`` (as a ``.tar.gz`` archive when ``archive``) and return where."""

    def bind_image(self, image: Image, *, step_name: str) -> JsonValue:
        """Return the image URI value."""

    def bind_s3(self, location: S3Location, *, step_name: str, access: Access) -> JsonValue:
        """Return the S3 URI value of ``location`` used for ``access``."""

    def default_role_arn(self, *, step_name: str, step_type: str) -> JsonValue:
        """Return the job role ARN for a step that names none.

        ``step_type`` is the step's ``Type`` (``"Processing"``, ``"AutoML"``, …): a binder
        may give some types a role of their own, as the CDK ``Pipeline`` gives AutoML jobs,
        whose role manages models and endpoints. A binder written before ``step_type``
        existed still runs: it is not passed one.
        """

    def default_output_uri(self, *, step_name: str, output_name: str, retained: bool) -> JsonValue:
        """Return where an output without destination goes.

        ``retained`` outputs must outlive the execution: a training step's model, and the
        processing outputs a registered model version refers to (its model metrics). A
        binder written before ``retained`` existed still runs: it is not passed one, and
        places every output alike.
        """

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        """Return the KMS keys and network settings of jobs that set none themselves."""


# One for every step a StaticBinder binds: it is immutable, and checked once.
_NO_JOB_DEFAULTS = JobDefaults()


@checked
@dataclass(frozen=True, slots=True)
class StaticBinder:
    """A binder for literal values, with optional defaults; no CDK, no uploads.

    ``region`` resolves framework images; ``role_arn`` is the job role of steps that
    name none; ``default_bucket`` receives outputs without destination, under
    ``<pipeline name>/<step>/<execution id>/<output>``; ``code_prefix`` is an S3 prefix
    where you upload local code yourself: a processing script keeps its name
    (``prep.py``); directories, and training, tuning and model code, which SageMaker reads
    as an archive, are expected as ``<name>.tar.gz`` (``train.py.tar.gz``, ``src.tar.gz``);
    a file from ``S3Location.from_asset`` keeps its name (``feature_schema.json``).
    ``uploads(pipeline)`` lists what goes there. ``automl_role_arn`` is the job role of
    AutoML steps that name none (Default: ``role_arn``): an Autopilot job's role creates,
    invokes and deletes models and endpoints, which no other job needs. ``job_tags``
    (key → value) go on every job the steps start and every model, endpoint, endpoint
    configuration and inference component they create, as ``JobDefaults.tags`` says
    (Default: none). ``seal_function_arn`` is the function ``SealStep``s run, copying into
    ``default_bucket`` (Default: ``LOCAL_SEAL_FUNCTION``, which only the local runner runs:
    give a deployed sealing function's ARN for a definition you deploy yourself).

    ``content_addressed=True`` places each local file at ``<code_prefix>/<digest>/<name>``,
    ``<digest>`` 12 hex digits of the SHA-256 of its content (of a folder's files and
    paths), as the CDK construct's assets are named by content. Use it for cached steps:
    SageMaker's step cache key holds the code's S3 URI, not its content, so a script
    changed and uploaded again to the same ``<code_prefix>/<name>`` is a cache hit
    reusing the old script's results. Upload exactly what ``uploads(pipeline)`` lists.

    Example::

        pipeline.to_definition(StaticBinder(region="us-east-1", role_arn=ROLE,
                                            default_bucket="my-bucket",
                                            job_tags={"cost-centre": "CC-1234"}))
        StaticBinder(code_prefix="s3://my-bucket/code", content_addressed=True).uploads(pipeline)
        # {"s3://my-bucket/code/3f2a9c0d1e4b/prep.py": "/home/me/churn/ml/prep.py"}
    """

    region: str | None = None
    role_arn: str | None = None
    default_bucket: str | None = None
    code_prefix: str | None = None
    automl_role_arn: str | None = None
    job_tags: Mapping[str, str] | None = None
    seal_function_arn: str | None = None
    content_addressed: bool = False

    def __post_init__(self) -> None:
        # (Anything but a mapping is left to @checked's type check, which names the field.)
        if self.job_tags and isinstance(self.job_tags, Mapping):
            problems = tag_problems(self.job_tags)
            if problems:
                raise PipelineDefinitionError(
                    "StaticBinder: job_tags SageMaker would refuse: " + "; ".join(problems)
                )
        if isinstance(self.default_bucket, str):
            bucket, _ = split_bucket(self.default_bucket)
            if bucket != self.default_bucket:
                raise PipelineDefinitionError(
                    f"StaticBinder: default_bucket {self.default_bucket!r} is not a bucket "
                    f"name (use default_bucket={bucket!r}; outputs go under "
                    "<pipeline>/<step>/<execution id>/<output> in it)"
                )
        prefix = self.code_prefix
        if isinstance(prefix, str) and not is_token(prefix) and not prefix.startswith("s3://"):
            raise PipelineDefinitionError(
                f"StaticBinder: code_prefix {prefix!r} is not an S3 URI "
                f"(use code_prefix='s3://{prefix.split('://')[-1].strip('/')}')"
            )

    def bind_code(self, code: Code, *, step_name: str, archive: bool) -> BoundCode:
        """Bind S3 code as is; local code only under ``code_prefix``."""
        if code.s3_uri is not None:
            return BoundCode(code.s3_uri, code.script_name)
        assert code.path is not None
        uri = self._asset_uri(code.path, "local code")
        if archive or code.is_directory:
            uri = f"{uri}.tar.gz"
        return BoundCode(uri, posixpath.basename(uri))

    def bind_image(self, image: Image, *, step_name: str) -> JsonValue:
        """Bind a URI as is; framework images need ``region``."""
        if image.uri is not None:
            return image.uri  # rendered by the caller's context, which records references
        if image.framework is not None:
            if self.region is None:
                raise BindingError(
                    f"framework image {image.framework} {image.version} needs a region",
                    "compile with StaticBinder(region=…) or deploy with the CDK Pipeline construct",
                )
            spec = image.framework_spec()
            if self.region not in spec.accounts:
                raise BindingError(spec.unpublished(self.region), spec.region_hint(self.region))
            return spec.uri(self.region)
        kind = "an ECR repository" if image.repository is not None else "a Docker asset"
        raise BindingError(
            f"an image from {kind} can only be bound by the CDK Pipeline construct",
            "use Image.from_uri(…) to compile without CDK",
        )

    def bind_s3(self, location: S3Location, *, step_name: str, access: Access) -> JsonValue:
        """Render ``s3://bucket/prefix`` or the URI; a local file only under ``code_prefix``."""
        if location.uri is not None:
            return location.uri  # rendered by the caller's context, which records references
        if location.path is not None:
            check_asset_access(location, access)
            return self._asset_uri(location.path, "local file")
        prefix = f"/{location.key_prefix}" if location.key_prefix else ""
        return f"s3://{location.bucket_name()}{prefix}"

    def _asset_uri(self, path: str, what: str) -> str:
        if self.code_prefix is None:
            raise BindingError(
                f"{what} {path!r} needs a place in S3",
                "deploy with the CDK Pipeline construct, which stages it as an asset, or "
                "compile with StaticBinder(code_prefix='s3://…') and upload it there",
            )
        name = os.path.basename(os.path.normpath(path))
        if self.content_addressed:
            # SageMaker's step cache key holds the code's S3 URI, not its content: at a key
            # of its own, a changed script is a new key, not a hit reusing old results.
            return f"{self.code_prefix.rstrip('/')}/{content_digest(path)}/{name}"
        return f"{self.code_prefix.rstrip('/')}/{name}"

    def default_role_arn(self, *, step_name: str, step_type: str | None = None) -> JsonValue:
        """The configured role (``automl_role_arn`` for AutoML steps), or a ``BindingError``."""
        if step_type == AUTOML_STEP_TYPE and self.automl_role_arn is not None:
            return self.automl_role_arn
        if self.role_arn is None:
            raise BindingError(
                "no job role",
                "pass role= to the step, compile with StaticBinder(role_arn=…), or deploy with "
                "the CDK Pipeline construct, which creates a least-privilege step role",
            )
        return self.role_arn

    def seal_target(self, *, step_name: str) -> SealTarget:
        """``seal_function_arn`` (else ``LOCAL_SEAL_FUNCTION``) copying into ``default_bucket``."""
        if self.default_bucket is None:
            raise BindingError(
                "no bucket to seal into",
                "deploy with the CDK Pipeline construct, which provides the sealing function "
                "and its bucket, or compile with StaticBinder(default_bucket=…)",
            )
        return SealTarget(
            self.seal_function_arn or LOCAL_SEAL_FUNCTION, f"s3://{self.default_bucket}"
        )

    def default_output_uri(
        self, *, step_name: str, output_name: str, retained: bool = False
    ) -> JsonValue:
        """``s3://<default_bucket>/<pipeline>/<step>/<execution id>/<output>``, retained or not."""
        if self.default_bucket is None:
            raise BindingError(
                f"output '{output_name}' has no destination",
                "set destination=, compile with StaticBinder(default_bucket=…), or deploy with "
                "the CDK Pipeline construct, which uses its artifact bucket",
            )
        return default_output_join(f"s3://{self.default_bucket}", step_name, output_name)

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        """No KMS or network defaults: jobs run with what their step sets; ``job_tags``."""
        if self.job_tags:
            return JobDefaults(tags=self.job_tags)
        return _NO_JOB_DEFAULTS

    def uploads(self, pipeline: PipelineDefinition) -> dict[str, str]:
        """What ``pipeline`` expects under ``code_prefix``: S3 URI → local file or directory.

        Code and ``S3Location.from_asset`` files, as this binder names them, each with its
        absolute path (a resources file written anywhere still finds it). A ``.tar.gz``
        URI stands for its local file or directory packed. Upload them there before a
        deployed run; ``ResourceMap(s3=binder.uploads(pipeline))`` serves them to the local
        runner, wherever they live on disk. Two different files of the same name, which
        would overwrite each other there, raise ``PipelineValidationError`` naming both.

        Example::

            StaticBinder(code_prefix="s3://my-bucket/code").uploads(pipeline)
            # {"s3://my-bucket/code/prep.py": "/home/me/churn/ml/prep.py",
            #  "s3://my-bucket/code/feature_schema.json":
            #      "/home/me/churn/ml/config/feature_schema.json"}
        """
        recorder = _UploadRecorder(self)
        pipeline.validate(recorder)
        if recorder.conflicts:
            raise PipelineValidationError(recorder.conflicts)
        return recorder.uploads


class _UploadRecorder:
    """A ``StaticBinder`` that remembers where it placed local code and files."""

    def __init__(self, binder: StaticBinder) -> None:
        self._binder = binder
        self.uploads: dict[str, str] = {}
        self._placed_by: dict[str, str] = {}
        self.conflicts: list[Problem] = []

    def bind_code(self, code: Code, *, step_name: str, archive: bool) -> BoundCode:
        bound = self._binder.bind_code(code, step_name=step_name, archive=archive)
        if code.path is not None and isinstance(bound.uri, str):
            self._record(bound.uri, code.path, step_name)
        return bound

    def bind_s3(self, location: S3Location, *, step_name: str, access: Access) -> JsonValue:
        uri = self._binder.bind_s3(location, step_name=step_name, access=access)
        if location.path is not None and isinstance(uri, str):
            self._record(uri, location.path, step_name)
        return uri

    def _record(self, uri: str, path: str, step_name: str) -> None:
        path = os.path.abspath(path)
        placed = self.uploads.setdefault(uri, path)
        self._placed_by.setdefault(uri, f"step '{step_name}'")
        error = local_file_conflict(uri, path, placed, self._placed_by[uri])
        if error is not None:
            problem = Problem(step_name, None, error.message, error.hint)
            if problem not in self.conflicts:
                self.conflicts.append(problem)

    def bind_image(self, image: Image, *, step_name: str) -> JsonValue:
        return self._binder.bind_image(image, step_name=step_name)

    def default_role_arn(self, *, step_name: str, step_type: str | None = None) -> JsonValue:
        return self._binder.default_role_arn(step_name=step_name, step_type=step_type)

    def default_output_uri(
        self, *, step_name: str, output_name: str, retained: bool = False
    ) -> JsonValue:
        return self._binder.default_output_uri(
            step_name=step_name, output_name=output_name, retained=retained
        )

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return self._binder.job_defaults(step_name=step_name)

    def seal_target(self, *, step_name: str) -> SealTarget:
        return self._binder.seal_target(step_name=step_name)


def _nearby_hint(path: str) -> str:
    """`` (did you mean 'preprocess.py'?)``: a close name in the folder ``path`` is missing from.

    The folder that doesn't exist is named instead, as the usual slip is a path relative to
    another working directory than the one the app runs in.
    """
    folder, name = os.path.split(path)
    while folder and not os.path.isdir(folder):
        folder, name = os.path.split(folder)
    if not os.path.isdir(folder):
        return ""
    if os.path.join(folder, name) != path:
        return f" (no folder {name!r} in {folder!r}; relative paths start at {os.getcwd()!r})"
    hint = did_you_mean(name, sorted(os.listdir(folder)))
    return f" ({hint})" if hint else ""


def split_bucket(name: str) -> tuple[str, str]:
    """A would-be bucket name as (bucket, key prefix): ``s3://b/x`` → ``("b", "x")``.

    ``b/x`` and the ARN ``arn:aws:s3:::b/x`` give the same. A real bucket name (or a
    token) comes back as it is, with an empty prefix: bucket names have no ``/`` or ``:``,
    so a URI, ARN or path given for one is a mistake, named by the caller.
    """
    if is_token(name):
        return name, ""
    arn = re.fullmatch(r"arn:aws[a-z-]*:s3:::([^/]+)/?(.*)", name)
    if arn is not None:
        return arn[1], arn[2].strip("/")
    if "/" not in name:
        return name, ""
    bucket, _, prefix = name.split("://", 1)[-1].partition("/")
    return bucket, prefix.strip("/")


def default_output_join(
    bucket_uri: Any, step_name: str, output_name: str, prefix: str | None = None
) -> JsonValue:
    """The standard per-execution output location, as a rendered ``Join``.

    ``s3://bucket/[prefix/]<pipeline name>/<step>/<execution id>/<output>``: executions
    never share or overwrite each other's outputs. The step comes before the execution id
    so that a grant on one step's outputs (``<pipeline>/<step>/*/<output>*``: the
    execution id is a wildcard) stays under that step's own prefix. IAM's ``*`` matches
    ``/`` too: with the execution id first, ``<pipeline>/*/<step>/<output>*`` also
    matched keys inside another step's outputs (``<pipeline>/<id>/Prep/train/x/<step>/…``).

    Example::

        default_output_join("s3://b", "Prep", "train", prefix="executions")
        # Join(on="/", values=["s3://b", "executions", Execution.PipelineName, "Prep",
        #      Execution.PipelineExecutionId, "train"])
    """
    # What Join(on="/", values=[...]).to_request() renders, without building the Join.
    return {
        "Std:Join": {
            "On": "/",
            "Values": [
                render(bucket_uri),
                *([prefix.strip("/")] if prefix else []),
                {"Get": "Execution.PipelineName"},
                render(step_name),
                {"Get": "Execution.PipelineExecutionId"},
                render(output_name),
            ],
        }
    }
