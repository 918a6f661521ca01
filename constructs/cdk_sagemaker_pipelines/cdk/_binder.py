"""The CDK binder: turns the language's bindables into CDK resources and tokens."""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

from aws_cdk import Annotations, Aws, CfnMapping, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets

from constructs import Construct

from .._code_files import FolderFilesError, large_code_notice
from ..definition import (
    BindingError,
    BoundCode,
    Code,
    Image,
    JobDefaults,
    NetworkConfig,
    S3Location,
)
from ..definition._render import JsonValue
from ..definition.bindables import (
    AUTOML_STEP_TYPE,
    Access,
    SealTarget,
    check_asset_access,
    code_folder_error,
    default_output_join,
)
from ..definition.images import FrameworkImageSpec
from ._archive import pack_code
from ._props import is_unresolved
from ._tree import account_region, node_of, stack_of
from .artifacts import EXECUTIONS_PREFIX, MODELS_PREFIX


def _construct_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text.title()) or "Asset"


class CdkBinder:
    """Binds code, images and locations for one ``Pipeline`` construct.

    Code becomes content-hashed file assets (an archive where the step needs one),
    created once per path, and so are ``S3Location.from_asset`` files (read-only);
    framework images resolve through a CloudFormation mapping in environment-agnostic
    stacks; ECR repositories and Docker assets are recorded for pull grants; default
    outputs go to the artifact bucket (``models/`` for retained ones); every job gets the
    artifact key and the network settings unless it sets its own, and every job the
    ``job_tags``. Jobs that name no role run as the step role, AutoML jobs as the role
    ``automl_role_arn`` returns (the step role without it), which it may create when
    first called, and the jobs of a step ``dedicated_role_arn`` gives a role for (its
    name and type; None for the step role) as that role.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        step_role_arn: str,
        bucket: s3.IBucket,
        key_arn: str | None,
        network: NetworkConfig | None,
        automl_role_arn: Callable[[], str] | None = None,
        job_tags: Mapping[str, str] | None = None,
        dedicated_role_arn: Callable[[str, str | None], str | None] | None = None,
        seal_function_arn: Callable[[], str] | None = None,
    ) -> None:
        self._scope = scope
        self._seal_function_arn = seal_function_arn
        self._step_role_arn = step_role_arn
        self._automl_role_arn = automl_role_arn
        self._dedicated_role_arn = dedicated_role_arn
        self._bucket = bucket
        # One immutable value for every step: the tags were checked as the prop.
        self._job_defaults = JobDefaults(
            volume_kms_key=key_arn,
            output_kms_key=key_arn,
            network=network,
            tags=dict(job_tags) if job_tags else None,
        )
        self.assets: dict[tuple[str, bool], s3_assets.Asset] = {}
        # Each asset's bound code (its s3:// URI): its parts take jsii round trips to read.
        self.asset_code: dict[tuple[str, bool], BoundCode] = {}
        # Per absolute path, the s3:// URI of each S3Location.from_asset file.
        self.asset_files: dict[str, str] = {}
        # The assets bucket's name as first read, per resolved form (see _asset_bucket).
        self._asset_buckets: dict[str, str] = {}
        self.asset_bucket_names: dict[str, None] = {}
        """The CDK assets bucket's names as bound (a literal or a token): in bind order."""
        self.repositories: list[ecr.IRepository] = []
        # The repository behind each bound custom image URI, and whether it is a Docker
        # asset (in the CDK assets repository, which only this account may pull from).
        self.image_repositories: dict[str, tuple[ecr.IRepository, bool]] = {}
        # Read once: every default output location starts with it.
        self.bucket_name = bucket.bucket_name
        """The artifact bucket's name (a token)."""
        self.buckets: dict[str, s3.IBucket] = {self.bucket_name: bucket}
        self._asset_ids: set[str] = set()
        self._images: dict[tuple[str, str], str] = {}
        # Per step, the outputs bound under executions/ (which the lifecycle expires).
        self.expiring_outputs: dict[str, set[str]] = {}

    def bound_image(self, uri: Any) -> bool:
        """Whether ``uri`` is an image URI this binder rendered (framework, ECR or asset)."""
        return isinstance(uri, str) and (
            uri in self.image_repositories or uri in self._images.values()
        )

    # -- Binder protocol ---------------------------------------------------------------

    def bind_code(self, code: Code, *, step_name: str, archive: bool) -> BoundCode:
        """Stage local code as an asset (once per path), or pass an S3 URI through."""
        if code.s3_uri is not None:
            # Unrendered: the compiler renders it with its context (steps it refers to count).
            return BoundCode(code.s3_uri, code.script_name)
        assert code.path is not None
        archive = archive or code.is_directory
        key = (os.path.abspath(code.path), archive)
        bound = self.asset_code.get(key)
        if bound is None:
            try:
                asset = self.assets[key] = self._new_asset(code.path, archive)
            except FolderFilesError as error:
                # Reported as the step's problem at synth, naming the file: not a raw
                # FileNotFoundError, nor (os.walk's way) a deployment without the files.
                raise code_folder_error(
                    error,
                    "the code is deployed as what its links point at: mend the link or remove it",
                ) from None
            object_key = asset.s3_object_key
            # Built from its parts (not asset.s3_object_url) so the bucket stays visible for IAM.
            uri = f"s3://{self._asset_bucket(asset)}/{object_key}"
            bound = self.asset_code[key] = BoundCode(uri, posixpath.basename(object_key))
        return bound

    def bind_image(self, image: Image, *, step_name: str) -> JsonValue:
        """Resolve framework images per region, ECR and Docker asset images to URIs."""
        if image.uri is not None:
            return image.uri
        if image.framework is not None:
            return self._framework_image(image)
        if image.repository is not None:
            repository: ecr.IRepository = image.repository
            self.repositories.append(repository)
            uri = (
                repository.repository_uri_for_digest(image.digest)
                if image.digest is not None
                else repository.repository_uri_for_tag(image.tag)
            )
            self.image_repositories[uri] = (repository, False)
            return uri
        assert image.directory is not None
        name = _construct_id(f"Image {os.path.basename(os.path.normpath(image.directory))}")
        asset = ecr_assets.DockerImageAsset(
            self._scope, self._unique(name), directory=image.directory
        )
        uri, repository = asset.image_uri, asset.repository  # each read is a jsii round trip
        self.repositories.append(repository)
        self.image_repositories[uri] = (repository, True)
        return uri

    def bind_s3(self, location: S3Location, *, step_name: str, access: Access) -> JsonValue:
        """``s3://bucket/prefix``; bucket objects are remembered for their KMS keys.

        A local file is staged as a file asset, once per path, and read-only.
        """
        if location.uri is not None:
            return location.uri
        if location.path is not None:
            check_asset_access(location, access)
            return self._asset_file(location.path)
        bucket = location.bucket
        if not isinstance(bucket, str):
            self.buckets[bucket.bucket_name] = bucket
        prefix = f"/{location.key_prefix}" if location.key_prefix else ""
        return f"s3://{location.bucket_name()}{prefix}"

    def seal_target(self, *, step_name: str) -> SealTarget:
        """The construct's sealing function (made when first asked), copying into the store."""
        if self._seal_function_arn is None:
            raise BindingError("no sealing function", "deploy with the CDK Pipeline construct")
        return SealTarget(self._seal_function_arn(), f"s3://{self.bucket_name}")

    def default_role_arn(self, *, step_name: str, step_type: str | None = None) -> JsonValue:
        """The construct's step role; a step's dedicated role; an AutoML step's AutoML role.

        The AutoML role only if the construct has one (or makes one).
        """
        if self._dedicated_role_arn is not None:
            dedicated = self._dedicated_role_arn(step_name, step_type)
            if dedicated is not None:
                return dedicated
        if step_type == AUTOML_STEP_TYPE and self._automl_role_arn is not None:
            return self._automl_role_arn()
        return self._step_role_arn

    def default_output_uri(
        self, *, step_name: str, output_name: str, retained: bool = False
    ) -> JsonValue:
        """``s3://<artifacts>/{executions|models}/<pipeline>/<step>/<execution>/<output>``.

        Retained outputs (models, and what registered model versions refer to) go under
        ``models/``, which the lifecycle keeps and ``ModelRegistry.share_with_account``
        shares; the rest under ``executions/``, which expires.
        """
        prefix = MODELS_PREFIX if retained else EXECUTIONS_PREFIX
        expiring = self.expiring_outputs.setdefault(step_name, set())
        if retained:
            expiring.discard(output_name)  # bound again as retained: no longer expires
        else:
            expiring.add(output_name)
        return default_output_join(
            f"s3://{self.bucket_name}", step_name, output_name, prefix=prefix
        )

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        """The artifact key on every volume and output, the construct's network, its job tags."""
        return self._job_defaults

    # -- helpers -----------------------------------------------------------------------

    def _unique(self, name: str) -> str:
        candidate, counter = name, 2
        while candidate in self._asset_ids:
            candidate = f"{name}{counter}"
            counter += 1
        self._asset_ids.add(candidate)
        return candidate

    def _new_asset(self, path: str, archive: bool) -> s3_assets.Asset:
        base = os.path.basename(os.path.normpath(path))
        name = self._unique(_construct_id(f"Code {base}{' archive' if archive else ''}"))
        if not archive:
            return s3_assets.Asset(self._scope, name, path=path)
        source, size = pack_code(path)
        asset = s3_assets.Asset(self._scope, name, path=source)
        notice = large_code_notice(path, size)
        if notice is not None:
            from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports this module

            Annotations.of(asset).add_warning_v2(f"{WARNING_PREFIX}:large-code-folder", notice)
        return asset

    def _asset_file(self, path: str) -> str:
        key = os.path.abspath(path)
        uri = self.asset_files.get(key)
        if uri is None:
            name = self._unique(_construct_id(f"File {os.path.basename(key)}"))
            asset = s3_assets.Asset(self._scope, name, path=key)
            # Built from its parts (not asset.s3_object_url) so the bucket stays visible for IAM.
            bucket = self._asset_bucket(asset)
            uri = self.asset_files[key] = f"s3://{bucket}/{asset.s3_object_key}"
        return uri

    def _asset_bucket(self, asset: s3_assets.Asset) -> str:
        """The assets bucket's name, spelt the same for every asset.

        In an environment-agnostic stack each asset's bucket name is a token of its own
        (``Fn::Sub`` of the account and region), so the step role would get a statement per
        asset instead of one listing them all, and a long pipeline's policy outgrows IAM's
        limit. One round trip to jsii per asset tells those tokens apart.
        """
        name = asset.s3_bucket_name
        if is_unresolved(name):
            resolved = json.dumps(stack_of(self._scope).resolve(name), sort_keys=True)
            name = self._asset_buckets.setdefault(resolved, name)
        self.asset_bucket_names[name] = None
        return name

    def _framework_image(self, image: Image) -> str:
        spec = image.framework_spec()
        key = (spec.repository, spec.tag)
        uri = self._images.get(key)
        if uri is None:
            uri = self._images[key] = framework_image_in_stack(stack_of(self._scope), spec)
        return uri


def framework_image_in_stack(stack: Stack, spec: FrameworkImageSpec) -> str:
    """The URI of a framework image in ``stack``'s region, or chosen by region at deploy time.

    A stack of a known region gets the literal URI (``BindingError`` when SageMaker
    publishes no such image there); an environment-agnostic stack a ``Fn::FindInMap`` of a
    ``CfnMapping`` of every region's URI, one per image and stack, shared by every
    construct of the stack that runs the image (a pipeline's ``QualityCheckStep`` and a
    ``DataQualityMonitor`` share the Model Monitor analyzer's).

    Example::

        framework_image_in_stack(stack, Image.model_monitor().framework_spec())
    """
    region = account_region(stack)[1]
    if not is_unresolved(region):
        if region not in spec.accounts:
            # The caller's problem: a step's image field, reported with all the others.
            raise BindingError(spec.unpublished(region), spec.region_hint(region))
        return str(spec.uri(region))
    # Environment-agnostic stack: pick the URI by region at deploy time.
    mapping_id = _construct_id(f"{spec.framework} {spec.repository} {spec.tag} images")
    mapping = node_of(stack).try_find_child(mapping_id)
    if not isinstance(mapping, CfnMapping):
        mapping = CfnMapping(
            stack,
            mapping_id,
            mapping={region: {"uri": spec.uri(region)} for region in sorted(spec.accounts)},
        )
    return str(mapping.find_in_map(Aws.REGION, "uri"))


def bucket_of(binder: CdkBinder, bucket_name: Any) -> s3.IBucket | None:
    """The bucket object behind a bucket name token, when the binder saw it."""
    return binder.buckets.get(bucket_name) if isinstance(bucket_name, str) else None
