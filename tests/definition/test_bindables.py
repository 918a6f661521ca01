"""Bindables (Code, Image, S3Location) and binders (StaticBinder, a custom one)."""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Binder,
    BindingError,
    BoundCode,
    Code,
    Image,
    JobDefaults,
    ModelStep,
    NetworkConfig,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    Problem,
    ProcessingOutput,
    ProcessingStep,
    S3Location,
    StaticBinder,
    TrainingStep,
    TransformStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from tests.conftest import ROLE

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
SKLEARN_US_EAST_1 = (
    "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
)


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text("")
    return path


@pytest.fixture
def source_dir(tmp_path: Path) -> Path:
    path = tmp_path / "src"
    path.mkdir()
    (path / "train.py").write_text("")
    return path


class FakeBucket:
    """Stands in for an ``aws_s3.IBucket``: only ``bucket_name`` is read."""

    bucket_name = "${Token[Bucket.Name.42]}"


class FakeRepository:
    """Stands in for an ``aws_ecr.IRepository`` (the type ``Image.from_ecr_repository`` takes)."""

    def repository_uri_for_tag(self, tag: str | None = None) -> str:
        return f"111122223333.dkr.ecr.us-east-1.amazonaws.com/repo:{tag}"

    def repository_uri_for_digest(self, digest: str | None = None) -> str:
        return f"111122223333.dkr.ecr.us-east-1.amazonaws.com/repo@{digest}"


# Code


def test_code_from_asset_file(script: Path) -> None:
    code = Code.from_asset(script)

    assert (code.path, code.s3_uri, code.entry_point) == (str(script), None, None)
    assert code.script_name == "train.py"
    assert not code.is_directory
    assert not code.is_s3_archive


def test_code_from_asset_file_accepts_its_own_name_as_entry_point(script: Path) -> None:
    assert Code.from_asset(script, entry_point="train.py").script_name == "train.py"


def test_code_from_asset_directory(source_dir: Path) -> None:
    code = Code.from_asset(source_dir, entry_point="train.py")

    assert code.is_directory
    assert code.script_name == "train.py"


def test_code_from_s3_script_and_archive() -> None:
    script = Code.from_s3("s3://b/code/evaluate.py")
    archive = Code.from_s3("s3://b/code/source.tar.gz", entry_point="train.py")

    assert (script.script_name, script.is_s3_archive) == ("evaluate.py", False)
    assert (archive.script_name, archive.is_s3_archive) == ("train.py", True)


def test_code_from_s3_expression_with_entry_point() -> None:
    uri = ParameterString(name="CodeUri")

    assert Code.from_s3(uri, entry_point="train.py").script_name == "train.py"


def test_fails_code_from_asset_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.py"

    with pytest.raises(
        PipelineDefinitionError, match=rf"^Code\.from_asset: '{missing}' does not exist$"
    ):
        Code.from_asset(missing)


def test_fails_code_from_asset_directory_needs_entry_point(source_dir: Path) -> None:
    with pytest.raises(
        PipelineDefinitionError, match=r"is a directory: name the script to run with entry_point="
    ):
        Code.from_asset(source_dir)


def test_fails_code_from_asset_entry_point_not_in_directory(source_dir: Path) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=rf"^Code\.from_asset: 'trian\.py' is not a file in '{source_dir}' "
        r"\(did you mean 'train\.py'\?\)$",
    ):
        Code.from_asset(source_dir, entry_point="trian.py")


def test_fails_code_from_asset_misspelled_file_suggesting_its_neighbour(tmp_path: Path) -> None:
    (tmp_path / "preprocess.py").write_text("print('hi')\n")
    missing = tmp_path / "prepocess.py"

    with pytest.raises(PipelineDefinitionError) as raised:
        Code.from_asset(missing)

    assert str(raised.value) == (
        f"Code.from_asset: {str(missing)!r} does not exist (did you mean 'preprocess.py'?)"
    )


def test_fails_code_from_asset_in_a_missing_folder_naming_it_and_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(PipelineDefinitionError) as raised:
        Code.from_asset("ml/scripts/preprocess.py")

    assert str(raised.value) == (
        f"Code.from_asset: {str(tmp_path / 'ml/scripts/preprocess.py')!r} does not exist "
        f"(no folder 'ml' in {str(tmp_path)!r}; relative paths start at {str(tmp_path)!r})"
    )


def test_fails_code_from_asset_file_with_another_entry_point(script: Path) -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"is a file, so it is the script that runs: entry_point='main\.py' names another",
    ):
        Code.from_asset(script, entry_point="main.py")


def test_fails_code_from_s3_expression_needs_entry_point() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Code\.from_s3 with an expression: name the script to run with entry_point=$",
    ):
        Code.from_s3(ParameterString(name="CodeUri"))


@pytest.mark.parametrize("path", ["src/prepare.py", "/home/me/ml/train.py", "bucket/key.py"])
def test_fails_code_from_s3_of_a_local_path_naming_code_from_asset(path: str) -> None:
    # The SDK's code= takes a local path or a URI; the mistake used to surface only at
    # compile time, as an S3 URI pattern mismatch on ProcessingInputs[1].
    with pytest.raises(PipelineDefinitionError) as caught:
        Code.from_s3(path)

    assert str(caught.value) == (
        f"Code.from_s3: {path!r} is not an S3 URI (write 's3://<bucket>/<key>'; "
        f"for a local file or folder use Code.from_asset({path!r}))"
    )


@pytest.mark.parametrize(
    ("uri", "hint"),
    [
        ("S3://bucket/code/prepare.py", "did you mean 's3://bucket/code/prepare.py'?"),
        ("s3:/bucket/code/prepare.py", "did you mean 's3://bucket/code/prepare.py'?"),
        (
            "s3a://bucket/code/prepare.py",
            "write 's3://<bucket>/<key>': SageMaker reads code from S3",
        ),
    ],
)
def test_fails_code_from_s3_of_another_scheme_without_naming_code_from_asset(
    uri: str, hint: str
) -> None:
    # A URI is not a local path: Code.from_asset('s3a://…') was suggested.
    with pytest.raises(PipelineDefinitionError) as caught:
        Code.from_s3(uri)

    assert str(caught.value) == f"Code.from_s3: {uri!r} is not an S3 URI ({hint})"


def test_code_from_s3_takes_a_deploy_time_uri() -> None:
    token = "${Token[TOKEN.123]}"

    assert Code.from_s3(token, entry_point="train.py").s3_uri == token


def test_fails_code_from_s3_archive_needs_entry_point() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^Code\.from_s3\('s3://b/src\.tar\.gz'\) is an archive: name the script inside",
    ):
        Code.from_s3("s3://b/src.tar.gz")


def test_fails_code_needs_exactly_one_source(script: Path) -> None:
    message = r"^Code: give exactly one of path and s3_uri$"
    with pytest.raises(PipelineDefinitionError, match=message):
        Code()
    with pytest.raises(PipelineDefinitionError, match=message):
        Code(path=str(script), s3_uri="s3://b/train.py")


# Image


@pytest.mark.parametrize(
    ("image", "uri"),
    [
        (Image.from_uri(IMAGE), IMAGE),
        (Image.sklearn(), SKLEARN_US_EAST_1),
        (
            Image.sklearn("1.2-1", scope="inference"),
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        ),
        (Image.xgboost(), "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"),
        (
            Image.pytorch(processor="gpu", scope="inference"),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310",
        ),
        (
            Image.from_framework("pytorch", "2.10"),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.10.0-cpu-py313",
        ),
        (
            Image.tensorflow("2.19", processor="gpu"),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.19.0-gpu-py312",
        ),
        (
            # inference images before 2.20 have no Python version in their tag
            Image.tensorflow("2.19", scope="inference"),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.19.0-cpu",
        ),
        (
            # training images are GPU-only: the default processor
            Image.huggingface("4.49", pytorch_version="2.5"),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
            "2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
        ),
        (
            Image.huggingface(
                "4.26", tensorflow_version="2.11", processor="gpu", scope="inference"
            ),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-tensorflow-inference:"
            "2.11.0-transformers4.26.0-gpu-py39-cu112-ubuntu20.04",
        ),
        (
            Image.from_framework(
                "huggingface", "4.51.3", base_framework_version="pytorch2.6.0", scope="inference"
            ),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
            "2.6.0-transformers4.51.3-cpu-py312-ubuntu22.04",
        ),
    ],
    ids=[
        "uri",
        "sklearn-default",
        "sklearn-inference",
        "xgboost-default",
        "pytorch",
        "framework",
        "tensorflow",
        "tensorflow-inference",
        "huggingface",
        "huggingface-tensorflow",
        "huggingface-framework",
    ],
)
def test_image_constructors_resolve_per_region(image: Image, uri: str) -> None:
    assert StaticBinder(region="us-east-1").bind_image(image, step_name="S") == uri


def test_image_from_ecr_repository_defaults_to_latest() -> None:
    assert Image.from_ecr_repository(FakeRepository()).tag == "latest"


def test_image_from_ecr_repository_takes_a_digest() -> None:
    digest = "sha256:" + "ab" * 32
    image = Image.from_ecr_repository(FakeRepository(), digest=digest)
    assert (image.digest, image.tag) == (digest, "latest")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Image.from_ecr_repository(FakeRepository(), tag="sha256:" + "ab" * 32),
            f"Image.from_ecr_repository: tag='sha256:{'ab' * 32}' is a digest: pass it as "
            "digest=, which pins the image by it ('repo@sha256:…')",
        ),
        (
            lambda: Image.from_ecr_repository(FakeRepository(), digest="ab" * 32),
            f"Image.from_ecr_repository: digest='{'ab' * 32}' is not an image digest: expected "
            "'sha256:' and 64 lowercase hex digits, as `aws ecr describe-images` prints "
            "imageDigest",
        ),
        (
            lambda: Image.from_ecr_repository(
                FakeRepository(), tag="v3", digest="sha256:" + "ab" * 32
            ),
            "Image.from_ecr_repository: give tag= or digest=, not both (tag='v3', "
            f"digest='sha256:{'ab' * 32}'): the digest alone names the image",
        ),
        (
            lambda: Image(uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/repo:v3", digest="x"),
            "Image(uri=…): digest='x' would be ignored (digest= goes with "
            "Image.from_ecr_repository: remove it; an image URI names its tag or digest itself: "
            "'…/my-image:v3' or '…/my-image@sha256:…')",
        ),
    ],
)
def test_fails_image_digest_out_of_place(make: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=f"^{re.escape(message)}$"):
        make()


_REPOSITORY_URI = "111122223333.dkr.ecr.us-east-1.amazonaws.com/repo"


@pytest.mark.parametrize(
    "digest",
    ["sha256:abc", "sha256:" + "AB" * 32, "sha256:" + "ab" * 33, "sha512:" + "ab" * 64, "v3"],
    ids=["short", "upper-case", "long", "sha512", "no-algorithm"],
)
def test_image_from_uri_refuses_a_malformed_digest(digest: str) -> None:
    # Was: accepted, and the mistake only showed when the job failed to pull the image.
    uri = f"{_REPOSITORY_URI}@{digest}"
    message = (
        f"Image.from_uri: image URI '{uri}' pins '{digest}', which is not an image digest: "
        "expected '<repository>@sha256:' and 64 lowercase hex digits, as "
        "`aws ecr describe-images` prints imageDigest"
    )
    with pytest.raises(PipelineDefinitionError, match=f"^{re.escape(message)}$"):
        Image.from_uri(uri)


@pytest.mark.parametrize(
    "uri",
    [
        f"{_REPOSITORY_URI}@sha256:{'ab' * 32}",
        f"{_REPOSITORY_URI}:v3",
        # Known at deploy time: not checked, never guessed.
        "${Token[Repository.Uri.12]}@sha256:" + "ab" * 32,
        f"{_REPOSITORY_URI}@${{Token[Digest.Value.7]}}",
    ],
    ids=["digest", "tag", "token-repository", "token-digest"],
)
def test_image_from_uri_takes_a_whole_digest_a_tag_or_a_token(uri: str) -> None:
    assert Image.from_uri(uri).uri == uri


def test_image_from_uri_takes_a_parameter() -> None:
    image = ParameterString("TrainImage", default_value=f"{_REPOSITORY_URI}:v3")
    assert Image.from_uri(image).uri is image


def test_image_from_asset_needs_a_dockerfile(tmp_path: Path) -> None:
    with pytest.raises(PipelineDefinitionError, match=r"^Image\.from_asset: no Dockerfile in "):
        Image.from_asset(tmp_path)

    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    assert Image.from_asset(tmp_path).directory == str(tmp_path)


def test_image_from_asset_resolves_a_relative_directory_where_it_is_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As Code.from_asset: a synth run from another directory builds the same image.
    (tmp_path / "image").mkdir()
    (tmp_path / "image" / "Dockerfile").write_text("FROM scratch\n")
    monkeypatch.chdir(tmp_path)

    assert Image.from_asset("image").directory == str(tmp_path / "image")


def test_fails_image_unknown_framework_version_at_definition_time() -> None:
    with pytest.raises(
        PipelineDefinitionError,
        match=r"^sklearn training image version '1\.2' is unknown; .* \(did you mean ",
    ):
        Image.sklearn("1.2")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Image.huggingface("4.49"),
            r"^huggingface 4\.49\.0 training images need a base framework version: "
            r"pytorch_version='2\.5\.1' \(or '2\.5'\)$",
        ),
        (
            lambda: Image.huggingface("4.49", pytorch_version="2.5", tensorflow_version="2.11"),
            r"^Image\.huggingface: give pytorch_version or tensorflow_version, not both$",
        ),
        (
            lambda: Image.huggingface("4.49", pytorch_version=2.10),  # type: ignore[arg-type]
            r"^Image\.huggingface: pytorch_version expects str, got float 2\.1 "
            r"\(write it as a string, e\.g\. '2\.5'\)$",
        ),
        (
            lambda: Image.huggingface(4.49, pytorch_version="2.5"),  # type: ignore[arg-type]
            r"^Image\.huggingface: transformers_version expects str, got float 4\.49 ",
        ),
        (
            lambda: Image.huggingface("4.49", tensorflow_version="2.11"),
            r"^huggingface 4\.49\.0 has no training image on tensorflow 2\.11; "
            r"offered: pytorch_version='2\.5\.1' \(or '2\.5'\)$",
        ),
        (
            lambda: Image.huggingface("4.49", pytorch_version="2.5", processor="cpu"),
            r"^huggingface 4\.49\.0 \(pytorch 2\.5\.1\) has no 'cpu' training image; "
            r"expected one of 'gpu'$",
        ),
        (
            lambda: Image.tensorflow("2.15"),
            r"^tensorflow training image version '2\.15' is unknown; known, newest first: ",
        ),
    ],
    ids=["no-base", "two-bases", "float-base", "float-version", "base", "processor", "version"],
)
def test_fails_framework_image_arguments_at_definition_time(make: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        make()


def test_fails_a_huggingface_image_in_a_region_without_it() -> None:
    image = Image.huggingface("4.49", pytorch_version="2.5")

    with pytest.raises(BindingError) as raised:
        StaticBinder(region="mx-central-1").bind_image(image, step_name="S")
    assert str(raised.value).startswith(
        "huggingface 4.49.0 (pytorch 2.5.1) images are not published in 'mx-central-1'"
    )


def test_fails_image_needs_exactly_one_source() -> None:
    message = r"^Image: use one of from_uri, from_framework, from_ecr_repository, from_asset$"
    with pytest.raises(PipelineDefinitionError, match=message):
        Image()
    with pytest.raises(PipelineDefinitionError, match=message):
        Image(uri=IMAGE, framework="sklearn", version="1.2-1")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Image(uri=IMAGE, tag=""),
            "Image(uri=…): tag='' would be ignored (tag= goes with Image.from_ecr_repository: "
            "remove it; an image URI names its tag or digest itself: '…/my-image:v3' or "
            "'…/my-image@sha256:…')",
        ),
        (
            lambda: Image(uri=IMAGE, scope="inference", processor="gpu"),
            "Image(uri=…): processor='gpu', scope='inference' would be ignored (processor=, "
            "scope= go with Image.from_framework: remove them; an image URI names its tag "
            "or digest itself: '…/my-image:v3' or '…/my-image@sha256:…')",
        ),
        (
            lambda: Image(framework="sklearn", version="1.2-1", tag="v3"),
            "Image(framework=…): tag='v3' would be ignored (tag= goes with "
            "Image.from_ecr_repository: remove it)",
        ),
        (
            lambda: Image(repository=object(), py_version="py3"),
            "Image(repository=…): py_version='py3' would be ignored (py_version= goes with "
            "Image.from_framework: remove it)",
        ),
    ],
    ids=["uri-tag", "uri-framework-fields", "framework-tag", "repository-framework-field"],
)
def test_fails_image_fields_another_kind_of_image_takes(make: Any, message: str) -> None:
    # Were accepted and dropped: Image(uri=…, tag="v3") ran the URI's own tag.
    with pytest.raises(PipelineDefinitionError) as raised:
        make()
    assert str(raised.value) == message


# S3Location


def test_s3_location_constructors() -> None:
    # A leading slash isn't part of a key; a trailing one keeps the prefix to that folder.
    assert S3Location.from_bucket("b", "/models/churn/").key_prefix == "models/churn/"
    assert S3Location.from_bucket("b", "/models/churn").key_prefix == "models/churn"
    assert S3Location.from_bucket("b", "models//").key_prefix == "models/"
    assert S3Location.from_bucket("b").key_prefix == ""
    assert S3Location.from_bucket(FakeBucket()).bucket_name() == "${Token[Bucket.Name.42]}"


def test_fails_s3_location_needs_exactly_one_source(script: Path) -> None:
    message = (
        r"^S3Location: give exactly one of uri, bucket and path "
        r"\(from_uri, from_bucket, from_asset\)$"
    )
    with pytest.raises(PipelineDefinitionError, match=message):
        S3Location()
    with pytest.raises(PipelineDefinitionError, match=message):
        S3Location(uri="s3://b/x", bucket="b")
    with pytest.raises(PipelineDefinitionError, match=message):
        S3Location(bucket="b", path=str(script))


def test_s3_location_from_asset_is_a_local_file(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text("{}")

    location = S3Location.from_asset(schema)

    assert (location.path, location.uri, location.bucket) == (str(schema), None, None)
    assert location.is_asset
    assert not S3Location.from_uri("s3://b/x").is_asset


def test_fails_s3_location_from_asset_of_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "config" / "schema.json"
    with pytest.raises(PipelineDefinitionError) as raised:
        S3Location.from_asset(missing)
    assert str(raised.value) == (
        f"S3Location.from_asset: {str(missing)!r} does not exist (no folder 'config' in "
        f"{str(tmp_path)!r}; relative paths start at {os.getcwd()!r})"
    )


def test_fails_s3_location_from_asset_of_a_directory_points_to_the_alternatives(
    source_dir: Path,
) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        S3Location.from_asset(source_dir)
    assert str(raised.value) == (
        f"S3Location.from_asset({str(source_dir)!r}) is a directory; an asset location is one "
        "file (a directory would be staged as a zip, which the job would get unopened): give "
        "each file its own from_asset, deploy the directory with "
        "aws_s3_deployment.BucketDeployment and use S3Location.from_bucket(bucket, prefix), "
        "or ship a tar the job unpacks"
    )


def test_fails_s3_location_from_asset_with_a_key_prefix(script: Path) -> None:
    with pytest.raises(PipelineDefinitionError, match="key_prefix goes with a bucket"):
        S3Location(path=str(script), key_prefix="config/")


@pytest.mark.parametrize(
    ("uri", "written"),
    [
        ("s3://b/raw/", "S3Location.from_uri('s3://b/raw/2024/')"),
        (ParameterString(name="Data"), 'S3Location.from_uri(Join(on="/", values=[uri, prefix]))'),
    ],
    ids=["literal", "parameter"],
)
def test_fails_s3_location_from_uri_with_a_key_prefix(uri: Any, written: str) -> None:
    # Was accepted and the prefix dropped: the job read the whole URI.
    with pytest.raises(PipelineDefinitionError) as raised:
        S3Location(uri=uri, key_prefix="2024/")
    assert str(raised.value) == (
        "S3Location(uri=…): key_prefix='2024/' would be ignored: key_prefix goes with a bucket "
        f"(from_bucket); write the prefix into the URI: {written}"
    )


def test_fails_bucket_name_of_a_location_without_bucket(script: Path) -> None:
    with pytest.raises(PipelineDefinitionError, match="only a location from_bucket"):
        S3Location.from_asset(script).bucket_name()


@pytest.mark.parametrize(
    ("bucket", "prefix", "advice"),
    [
        ("s3://b", "", "S3Location.from_bucket('b') or S3Location.from_uri('s3://b')"),
        (
            "s3://b/data",
            "raw",
            "S3Location.from_bucket('b', 'data/raw') or S3Location.from_uri('s3://b/data/raw')",
        ),
        ("b/data", "", "S3Location.from_bucket('b', 'data') or S3Location.from_uri('s3://b/data')"),
        (
            "arn:aws:s3:::b",
            "x",
            "S3Location.from_bucket('b', 'x') or S3Location.from_uri('s3://b/x')",
        ),
    ],
)
def test_fails_s3_location_given_a_uri_or_path_for_a_bucket(
    bucket: str, prefix: str, advice: str
) -> None:
    # Else it renders s3://s3://b/…, which matches the API's S3Uri pattern and fails at run time.
    with pytest.raises(PipelineDefinitionError) as raised:
        S3Location.from_bucket(bucket, prefix)
    assert str(raised.value) == (
        f"S3Location: bucket {bucket!r} is not a bucket name (use {advice})"
    )


# StaticBinder


def test_static_binder_binds_s3_code_as_it_is() -> None:
    binder = StaticBinder()

    assert binder.bind_code(
        Code.from_s3("s3://b/code/evaluate.py"), step_name="S", archive=False
    ) == BoundCode("s3://b/code/evaluate.py", "evaluate.py")


@pytest.mark.parametrize("prefix", ["s3://b/code", "s3://b/code/"])
def test_static_binder_places_local_code_under_code_prefix(
    prefix: str, script: Path, source_dir: Path
) -> None:
    binder = StaticBinder(code_prefix=prefix)
    file_code = Code.from_asset(script)
    dir_code = Code.from_asset(source_dir, entry_point="train.py")

    assert binder.bind_code(file_code, step_name="S", archive=False) == BoundCode(
        "s3://b/code/train.py", "train.py"
    )
    # A step that needs an archive gets one, even for a single file.
    assert binder.bind_code(file_code, step_name="S", archive=True) == BoundCode(
        "s3://b/code/train.py.tar.gz", "train.py.tar.gz"
    )
    assert binder.bind_code(dir_code, step_name="S", archive=False) == BoundCode(
        "s3://b/code/src.tar.gz", "src.tar.gz"
    )


def test_static_binder_binds_images() -> None:
    binder = StaticBinder(region="us-east-1")

    assert binder.bind_image(Image.from_uri(IMAGE), step_name="S") == IMAGE
    assert binder.bind_image(Image.sklearn("1.2-1"), step_name="S") == SKLEARN_US_EAST_1


def test_static_binder_binds_s3_locations() -> None:
    binder = StaticBinder()

    def bind(location: S3Location) -> Any:
        return binder.bind_s3(location, step_name="S", access="read")

    assert bind(S3Location.from_uri("s3://b/x")) == "s3://b/x"
    assert bind(S3Location.from_bucket("b", "data/raw")) == "s3://b/data/raw"
    assert bind(S3Location.from_bucket("b")) == "s3://b"
    assert bind(S3Location.from_bucket(FakeBucket(), "x")) == "s3://${Token[Bucket.Name.42]}/x"


def test_static_binder_places_an_asset_file_under_code_prefix_by_its_name(
    tmp_path: Path,
) -> None:
    schema = tmp_path / "config" / "schema.json"
    schema.parent.mkdir()
    schema.write_text("{}")
    binder = StaticBinder(code_prefix="s3://b/code/")

    bound = binder.bind_s3(S3Location.from_asset(schema), step_name="S", access="read")

    assert bound == "s3://b/code/schema.json"


def test_fails_static_binder_asset_file_without_code_prefix(script: Path) -> None:
    with pytest.raises(BindingError) as caught:
        StaticBinder().bind_s3(S3Location.from_asset(script), step_name="S", access="read")

    assert caught.value.message == f"local file {str(script)!r} needs a place in S3"
    assert caught.value.hint == (
        "deploy with the CDK Pipeline construct, which stages it as an asset, or compile "
        "with StaticBinder(code_prefix='s3://…') and upload it there"
    )


def test_fails_static_binder_asset_file_for_writing(script: Path) -> None:
    binder = StaticBinder(code_prefix="s3://b/code")
    with pytest.raises(BindingError) as caught:
        binder.bind_s3(S3Location.from_asset(script), step_name="S", access="write")

    assert caught.value.message == (
        f"an asset is read-only: S3Location.from_asset({str(script)!r}) can't receive what "
        "the job writes"
    )


def test_fails_an_asset_as_an_output_destination_names_step_and_field(script: Path) -> None:
    prep = ProcessingStep(
        name="Prep",
        image=IMAGE,
        role=ROLE,
        outputs=[
            ProcessingOutput(
                output_name="train",
                source="/opt/ml/processing/train",
                destination=S3Location.from_asset(script),
            )
        ],
    )

    # A custom binder never sees the asset: the compiler refuses it first.
    problems = PipelineDefinition(steps=[prep]).validate(EncryptingBinder())

    assert problems == [
        Problem(
            "Prep",
            "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
            f"an asset is read-only: S3Location.from_asset({str(script)!r}) can't receive "
            "what the job writes",
            "write to S3Location.from_bucket(…) or an s3:// URI, or leave the destination out "
            "for the binder's default location",
            argument="outputs",
        )
    ]


def test_static_binder_uploads_lists_code_and_asset_files_by_uri(
    tmp_path: Path, script: Path, source_dir: Path
) -> None:
    schema = tmp_path / "config" / "schema.json"
    schema.parent.mkdir()
    schema.write_text("{}")
    prep = ProcessingStep(
        name="Prep",
        image=IMAGE,
        code=Code.from_asset(script),
        inputs={"schema": S3Location.from_asset(schema)},  # /opt/ml/processing/schema
    )
    train = TrainingStep(
        name="Train",
        image=IMAGE,
        code=Code.from_asset(source_dir, entry_point="train.py"),
        inputs={"schema": S3Location.from_asset(schema)},
        output_path="s3://b/models",
    )
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code")

    uploads = binder.uploads(PipelineDefinition(steps=[prep, train]))

    assert uploads == {
        "s3://b/code/train.py": str(script),
        "s3://b/code/schema.json": str(schema),
        "s3://b/code/src.tar.gz": str(source_dir),
    }


def _schema_reader(name: str, schema: S3Location) -> ProcessingStep:
    return ProcessingStep(
        name=name,
        image=IMAGE,
        code=Code.from_s3("s3://b/code/check.py"),
        inputs={"schema": schema},
    )


def test_fails_two_files_of_one_name_that_would_overwrite_each_other(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "schema.json", tmp_path / "b" / "schema.json"
    for path, text in ((first, '{"a": 1}'), (second, '{"b": 2}')):
        path.parent.mkdir()
        path.write_text(text)
    pipeline = PipelineDefinition(
        steps=[
            _schema_reader("CheckA", S3Location.from_asset(first)),
            _schema_reader("CheckB", S3Location.from_asset(second)),
        ]
    )
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code")
    message = (
        f"local file {str(second)!r} goes to s3://b/code/schema.json, where step 'CheckA'%s "
        f"already puts {str(first)!r}, a different file: one upload would overwrite the other"
    )
    hint = (
        "give the files different names: StaticBinder(code_prefix=…) places each local file "
        "under its own name alone"
    )
    field = "Arguments.ProcessingInputs[0].S3Input.S3Uri"

    with pytest.raises(PipelineValidationError) as compiled:
        pipeline.to_definition(binder)
    with pytest.raises(PipelineValidationError) as listed:
        binder.uploads(pipeline)

    assert compiled.value.problems == (
        Problem("CheckB", field, message % f" field '{field}'", hint, argument="inputs"),
    )
    assert listed.value.problems == (Problem("CheckB", None, message % "", hint),)


def test_one_file_or_the_same_content_at_one_uri_is_no_conflict(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text("{}")
    copy = tmp_path / "copy" / "schema.json"
    copy.parent.mkdir()
    copy.write_text("{}")
    pipeline = PipelineDefinition(
        steps=[
            _schema_reader("CheckA", S3Location.from_asset(schema)),
            _schema_reader("CheckB", S3Location.from_asset(copy.parent / ".." / "schema.json")),
            _schema_reader("CheckC", S3Location.from_asset(copy)),
        ]
    )
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code")

    assert pipeline.validate(binder) == []
    assert binder.uploads(pipeline) == {"s3://b/code/schema.json": str(schema)}


def test_an_asset_file_is_the_one_checked_whatever_the_working_directory_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "schema.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    location = S3Location.from_asset("config/schema.json")
    pipeline = PipelineDefinition(steps=[_schema_reader("Check", location)])
    monkeypatch.chdir(tmp_path / "elsewhere")  # a CDK app, a resources file: another folder

    uploads = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code").uploads(pipeline)

    assert location.path == str(tmp_path / "config" / "schema.json")
    assert uploads == {"s3://b/code/schema.json": str(tmp_path / "config" / "schema.json")}


def test_static_binder_defaults() -> None:
    binder = StaticBinder(role_arn=ROLE, default_bucket="my-bucket")

    assert binder.default_role_arn(step_name="S") == ROLE
    assert binder.default_output_uri(step_name="Prep", output_name="train") == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3://my-bucket",
                {"Get": "Execution.PipelineName"},
                "Prep",
                {"Get": "Execution.PipelineExecutionId"},
                "train",
            ],
        }
    }
    assert binder.job_defaults(step_name="S") == JobDefaults()


@pytest.mark.parametrize(
    "bucket",
    ["s3://my-bucket", "s3://my-bucket/", "my-bucket/outputs", "arn:aws-cn:s3:::my-bucket"],
)
def test_fails_static_binder_given_a_uri_or_path_for_default_bucket(bucket: str) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        StaticBinder(default_bucket=bucket)
    assert str(raised.value) == (
        f"StaticBinder: default_bucket {bucket!r} is not a bucket name (use "
        "default_bucket='my-bucket'; outputs go under "
        "<pipeline>/<step>/<execution id>/<output> in it)"
    )


def test_fails_static_binder_code_prefix_that_is_no_s3_uri() -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        StaticBinder(code_prefix="my-bucket/code/")
    assert str(raised.value) == (
        "StaticBinder: code_prefix 'my-bucket/code/' is not an S3 URI "
        "(use code_prefix='s3://my-bucket/code')"
    )


@pytest.mark.parametrize(
    ("bind", "message", "hint"),
    [
        (
            lambda b, code, _: b.bind_code(code, step_name="S", archive=False),
            "local code '{path}' needs a place in S3",
            "compile with StaticBinder(code_prefix='s3://…')",
        ),
        (
            lambda b, _, __: b.bind_image(Image.sklearn("1.2-1"), step_name="S"),
            "framework image sklearn 1.2-1 needs a region",
            "compile with StaticBinder(region=…)",
        ),
        (
            lambda b, _, __: b.bind_image(
                Image.from_ecr_repository(FakeRepository()), step_name="S"
            ),
            "an image from an ECR repository can only be bound by the CDK Pipeline construct",
            "use Image.from_uri(…)",
        ),
        (
            lambda b, _, docker: b.bind_image(Image.from_asset(docker), step_name="S"),
            "an image from a Docker asset can only be bound by the CDK Pipeline construct",
            "use Image.from_uri(…)",
        ),
        (
            lambda b, _, __: b.default_role_arn(step_name="S"),
            "no job role",
            "pass role= to the step",
        ),
        (
            lambda b, _, __: b.default_output_uri(step_name="S", output_name="train"),
            "output 'train' has no destination",
            "set destination=",
        ),
    ],
    ids=["local-code", "no-region", "ecr", "docker-asset", "role", "output"],
)
def test_fails_static_binder_without_settings_raises_binding_errors_with_hints(
    bind: Any, message: str, hint: str, script: Path, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")

    with pytest.raises(BindingError) as caught:
        bind(StaticBinder(), Code.from_asset(script), tmp_path)

    assert caught.value.message == message.format(path=script)
    assert caught.value.hint is not None
    assert hint in caught.value.hint
    assert str(caught.value) == f"{caught.value.message} ({caught.value.hint})"


def test_fails_static_binder_region_without_the_image_suggests_regions() -> None:
    with pytest.raises(BindingError) as caught:
        StaticBinder(region="us-east-9").bind_image(Image.sklearn("1.2-1"), step_name="S")

    assert caught.value.message == "sklearn 1.2-1 images are not published in 'us-east-9'"
    assert caught.value.hint == "did you mean 'us-east-2' or 'us-east-1' or 'us-west-2'?"


def test_fails_binding_errors_surface_as_problems_with_step_and_field(
    script: Path, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(script),
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
    )
    model = ModelStep(name="Model", image=Image.from_asset(tmp_path), role=ROLE)

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[prep, model]).compile(StaticBinder(region="eu-central-1"))

    assert [(p.step, p.field, p.message) for p in caught.value.problems] == [
        (
            "Prep",
            "Arguments.ProcessingInputs[0].S3Input.S3Uri",
            f"local code {str(script)!r} needs a place in S3",
        ),
        ("Prep", "Arguments.RoleArn", "no job role"),
        (
            "Prep",
            "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
            "output 'train' has no destination",
        ),
        (
            "Model",
            "Arguments.PrimaryContainer.Image",
            "an image from a Docker asset can only be bound by the CDK Pipeline construct",
        ),
    ]
    assert all(problem.hint for problem in caught.value.problems)
    # The framework image did resolve: eu-central-1 has it.
    assert "sagemaker-scikit-learn" not in str(caught.value)


def test_fails_binding_problem_renders_one_line_with_hint(script: Path) -> None:
    step = ProcessingStep(name="Prep", image=IMAGE, role=ROLE, code=Code.from_asset(script))

    problems = PipelineDefinition(steps=[step]).validate(StaticBinder())

    assert problems == [
        Problem(
            "Prep",
            "Arguments.ProcessingInputs[0].S3Input.S3Uri",
            f"local code {str(script)!r} needs a place in S3",
            "deploy with the CDK Pipeline construct, which stages it as an asset, or compile "
            "with StaticBinder(code_prefix='s3://…') and upload it there",
            argument="code",
        )
    ]


# A custom binder: its JobDefaults apply to every job type that has the setting.


class EncryptingBinder:
    """A binder written against the protocol, as the CDK construct is: KMS and VPC by default."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def bind_code(self, code: Code, *, step_name: str, archive: bool) -> BoundCode:
        return BoundCode(f"s3://assets/{step_name}.tar.gz", f"{step_name}.tar.gz")

    def bind_image(self, image: Image, *, step_name: str) -> Any:
        return IMAGE

    def bind_s3(self, location: S3Location, *, step_name: str, access: Any) -> Any:
        return f"s3://assets/{access}"

    def default_role_arn(self, *, step_name: str, step_type: str) -> Any:
        return ROLE

    def default_output_uri(self, *, step_name: str, output_name: str, retained: bool) -> Any:
        return f"s3://artifacts/{step_name}/{output_name}"

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        self.asked.append(step_name)
        return JobDefaults(
            volume_kms_key="volume-key",
            output_kms_key="output-key",
            network=NetworkConfig(
                subnets=["subnet-1"],
                security_group_ids=["sg-1"],
                enable_network_isolation=True,
                enable_inter_container_traffic_encryption=True,
            ),
        )


@pytest.mark.parametrize("binder", ["us-east-1", {"role_arn": ROLE}, 5])
def test_fails_compile_with_a_binder_that_is_no_binder(binder: Any) -> None:
    pipeline = PipelineDefinition(steps=[ProcessingStep(name="Prep", image=IMAGE)])

    # Before, the first step to bind something raised AttributeError: 'str' object has no…
    with pytest.raises(PipelineDefinitionError, match=r"^binder= expects a Binder, got ") as e:
        pipeline.compile(binder)
    assert "which has no bind_code, bind_image" in str(e.value)
    assert "pass StaticBinder(region=…, role_arn=…, default_bucket=…)" in str(e.value)


VPC = {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}


@pytest.fixture
def encrypting() -> RenderContext:
    binder: Binder = EncryptingBinder()
    return RenderContext(binder)


def test_job_defaults_apply_to_processing(encrypting: RenderContext) -> None:
    step = ProcessingStep(
        name="Prep",
        image=IMAGE,
        outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
    )

    arguments = step.to_request(encrypting)["Arguments"]

    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == "volume-key"
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == "output-key"
    assert arguments["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == (
        "s3://artifacts/Prep/train"
    )
    assert arguments["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "EnableNetworkIsolation": True,
        "VpcConfig": VPC,
    }


def test_job_defaults_apply_to_training(encrypting: RenderContext) -> None:
    arguments = TrainingStep(name="Train", image=IMAGE).to_request(encrypting)["Arguments"]

    assert arguments["ResourceConfig"]["VolumeKmsKeyId"] == "volume-key"
    assert arguments["OutputDataConfig"] == {
        "S3OutputPath": "s3://artifacts/Train/model",
        "KmsKeyId": "output-key",
    }
    assert arguments["VpcConfig"] == VPC
    assert arguments["EnableNetworkIsolation"] is True
    assert arguments["EnableInterContainerTrafficEncryption"] is True


def test_job_defaults_apply_to_tuning(encrypting: RenderContext) -> None:
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})

    definition = step.to_request(encrypting)["Arguments"]["TrainingJobDefinition"]

    assert definition["HyperParameterTuningResourceConfig"]["VolumeKmsKeyId"] == "volume-key"
    assert definition["OutputDataConfig"]["KmsKeyId"] == "output-key"
    assert definition["VpcConfig"] == VPC
    assert definition["EnableNetworkIsolation"] is True
    assert definition["EnableInterContainerTrafficEncryption"] is True


def test_job_defaults_apply_to_transform(encrypting: RenderContext) -> None:
    step = TransformStep(name="Score", model_name="m", input_data="s3://b/in")

    arguments = step.to_request(encrypting)["Arguments"]

    assert arguments["TransformOutput"] == {
        "S3OutputPath": "s3://artifacts/Score/transform",
        "KmsKeyId": "output-key",
    }
    assert arguments["TransformResources"]["VolumeKmsKeyId"] == "volume-key"
    assert "VpcConfig" not in arguments  # CreateTransformJob has no network settings


def test_job_defaults_apply_to_model(encrypting: RenderContext) -> None:
    arguments = ModelStep(name="Model", image=IMAGE).to_request(encrypting)["Arguments"]

    assert arguments["VpcConfig"] == VPC
    assert arguments["EnableNetworkIsolation"] is True
    assert "EnableInterContainerTrafficEncryption" not in arguments


def test_step_settings_win_over_job_defaults(encrypting: RenderContext) -> None:
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        volume_kms_key="my-volume-key",
        output_kms_key="my-output-key",
        network=NetworkConfig(enable_network_isolation=False),
    )

    arguments = step.to_request(encrypting)["Arguments"]

    assert arguments["ResourceConfig"]["VolumeKmsKeyId"] == "my-volume-key"
    assert arguments["OutputDataConfig"]["KmsKeyId"] == "my-output-key"
    # The step's network replaces the default one as a whole: no VPC here.
    assert "VpcConfig" not in arguments
    assert arguments["EnableNetworkIsolation"] is False


def test_job_defaults_are_asked_per_step(encrypting: RenderContext) -> None:
    binder = encrypting.binder
    assert isinstance(binder, EncryptingBinder)

    ProcessingStep(name="A", image=IMAGE).to_request(encrypting)
    TransformStep(name="B", model_name="m", input_data="s3://b/in").to_request(encrypting)

    assert binder.asked == ["A", "B"]


def test_custom_binder_values_flow_into_the_request(encrypting: RenderContext) -> None:
    step = TrainingStep(
        name="Train",
        image=Image.from_ecr_repository(FakeRepository()),
        inputs={"train": S3Location.from_bucket("data", "train")},
    )

    arguments = step.to_request(encrypting)["Arguments"]

    assert arguments["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert arguments["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == (
        "s3://assets/read"
    )


def test_binder_returning_an_expression_records_its_references() -> None:
    uri = ParameterString(name="ImageUri", default_value=IMAGE)
    ctx = RenderContext(StaticBinder(role_arn=ROLE))

    arguments = ModelStep(name="Model", image=Image.from_uri(uri)).to_request(ctx)["Arguments"]

    assert arguments["PrimaryContainer"]["Image"] == {"Get": "Parameters.ImageUri"}
    assert ctx.referenced_parameters == [uri]


def test_step_referenced_only_through_a_bound_location_is_collected() -> None:
    from cdk_sagemaker_pipelines.definition import LambdaStep, StepOutput

    locate = LambdaStep(
        name="Locate",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:locate",
        outputs=[StepOutput(output_name="uri")],
    )
    score = TransformStep(
        name="Score",
        model_name="m",
        input_data=S3Location.from_uri(locate.properties.OutputParameters["uri"]),
        output_path="s3://b/out",
    )

    definition = PipelineDefinition(steps=[score]).to_definition(StaticBinder(role_arn=ROLE))

    assert {entry["Name"] for entry in definition["Steps"]} == {"Locate", "Score"}


class _BinderBeforeRetained(StaticBinder):
    """A custom binder written before ``retained`` was added to the protocol."""

    def default_output_uri(self, *, step_name: str, output_name: str) -> Any:  # type: ignore[override]
        return f"s3://old-binder/{step_name}/{output_name}"


def test_a_binder_without_the_retained_parameter_still_binds_outputs() -> None:
    train = TrainingStep(name="Train", image=IMAGE)
    old_binder: Any = _BinderBeforeRetained(role_arn=ROLE)  # not a Binder to mypy: the point
    arguments = train.to_request(RenderContext(old_binder))["Arguments"]
    assert arguments["OutputDataConfig"]["S3OutputPath"] == "s3://old-binder/Train/model"


def test_content_addressed_keys_change_with_the_code_and_are_the_uploads(
    tmp_path: Path, script: Path, source_dir: Path
) -> None:
    # SageMaker's cache key holds the code's S3 URI, not its content: a changed script at
    # the same key would be a cache hit. content_addressed=True keys each file by content.
    script.write_text("print('v1')\n")
    (source_dir / "__pycache__").mkdir()
    (source_dir / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")

    def pipeline() -> PipelineDefinition:
        return PipelineDefinition(
            steps=[
                ProcessingStep(name="Prep", image=IMAGE, code=Code.from_asset(script)),
                TrainingStep(
                    name="Train",
                    image=IMAGE,
                    code=Code.from_asset(source_dir, entry_point="train.py"),
                    output_path="s3://b/models",
                ),
            ]
        )

    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    first = binder.uploads(pipeline())
    prep_key, train_key = first
    assert re.fullmatch(r"s3://b/code/[0-9a-f]{12}/train\.py", prep_key)
    assert re.fullmatch(r"s3://b/code/[0-9a-f]{12}/src\.tar\.gz", train_key)
    assert first == {prep_key: str(script), train_key: str(source_dir)}
    # The job sees the file under its own name, as without the digest.
    definition = pipeline().to_definition(binder)
    train = next(step for step in definition["Steps"] if step["Name"] == "Train")
    assert train["Arguments"]["HyperParameters"]["sagemaker_submit_directory"] == (
        "/opt/ml/input/data/code/src.tar.gz"
    )
    assert train["Arguments"]["InputDataConfig"][-1]["DataSource"]["S3DataSource"]["S3Uri"] == (
        train_key
    )

    # An editor's cache changes nothing; a changed script changes its key alone.
    (source_dir / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\1")
    assert binder.uploads(pipeline()) == first
    script.write_text("print('v2')\n")
    second = binder.uploads(pipeline())
    new_prep_key, same_train_key = second
    assert same_train_key == train_key
    assert new_prep_key != prep_key
    # Without it, the key is the name alone (the default, as before).
    plain = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code").uploads(pipeline())
    assert list(plain) == ["s3://b/code/train.py", "s3://b/code/src.tar.gz"]


def test_content_addressed_files_of_one_name_dont_overwrite_each_other(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "schema.json", tmp_path / "b" / "schema.json"
    for path, text in ((first, '{"a": 1}'), (second, '{"b": 2}')):
        path.parent.mkdir()
        path.write_text(text)
    pipeline = PipelineDefinition(
        steps=[
            _schema_reader("CheckA", S3Location.from_asset(first)),
            _schema_reader("CheckB", S3Location.from_asset(second)),
        ]
    )
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)

    uploads = binder.uploads(pipeline)

    assert sorted(uploads.values()) == sorted([str(first), str(second)])
    assert len({uri.rsplit("/", 1)[0] for uri in uploads}) == 2


def _training(source_dir: Path) -> PipelineDefinition:
    return PipelineDefinition(
        steps=[
            TrainingStep(
                name="Train",
                image=IMAGE,
                code=Code.from_asset(source_dir, entry_point="train.py"),
                output_path="s3://b/models",
            )
        ]
    )


def test_a_content_addressed_link_to_nowhere_names_the_file_and_the_step(
    tmp_path: Path, source_dir: Path
) -> None:
    # Hashing read through the link: a raw FileNotFoundError, naming neither.
    (source_dir / "config.json").symlink_to(tmp_path / "gone.json")
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    with pytest.raises(PipelineValidationError) as raised:
        _training(source_dir).to_definition(binder)
    (problem,) = raised.value.problems
    assert problem.step == "Train"
    assert problem.message == (
        f"local file {str(source_dir / 'config.json')!r} is a symbolic link to "
        f"{str(tmp_path / 'gone.json')!r}, which leads nowhere (a broken link, or a loop of "
        "links)"
    )


def test_a_content_addressed_digest_covers_a_linked_folder_as_the_archive_holds_it(
    tmp_path: Path, source_dir: Path
) -> None:
    from cdk_sagemaker_pipelines.local.store import write_archive

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "features.py").write_text("COLUMNS = ['a']\n")
    (source_dir / "lib").symlink_to(shared, target_is_directory=True)
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    (key,) = binder.uploads(_training(source_dir))
    # The archive of src.tar.gz (as the local runner packs it for this key) holds the
    # linked folder's files under the link's name...
    archive = tmp_path / "src.tar.gz"
    write_archive(source_dir, archive)
    with tarfile.open(archive) as packed:
        files = sorted(member.name for member in packed.getmembers() if member.isfile())
    assert files == ["lib/features.py", "train.py"]
    # ...so the digest covers them: a change there is a new key (os.walk left them out).
    (shared / "features.py").write_text("COLUMNS = ['a', 'b']\n")
    (changed,) = binder.uploads(_training(source_dir))
    assert changed != key
    # The same as the folder's files copied in place of the link.
    copy = tmp_path / "copy" / "src"
    (copy / "lib").mkdir(parents=True)
    (copy / "train.py").write_text("")
    (copy / "lib" / "features.py").write_text("COLUMNS = ['a', 'b']\n")
    assert binder.uploads(_training(copy)) == {changed: str(copy)}


def test_a_content_addressed_loop_of_links_is_refused(source_dir: Path) -> None:
    (source_dir / "again").symlink_to(source_dir, target_is_directory=True)
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    with pytest.raises(PipelineValidationError, match="a folder that holds the link"):
        _training(source_dir).to_definition(binder)


def _fan_out(root: Path, levels: int) -> None:
    """``levels`` folders, each holding two links to the next: no loop, 2**levels copies."""
    for level in range(levels):
        (root / f"l{level}").mkdir()
    (root / f"l{levels}").mkdir()
    (root / f"l{levels}" / "leaf.py").write_text("")
    for level in range(levels):
        for link in ("a", "b"):
            (root / f"l{level}" / link).symlink_to(root / f"l{level + 1}")


def test_a_content_addressed_fan_out_of_links_is_refused(source_dir: Path) -> None:
    # Two links each to the next level: no loop, but 2**levels copies (2**21 ran for minutes).
    _fan_out(source_dir, 8)
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    with pytest.raises(PipelineValidationError) as raised:
        _training(source_dir).to_definition(binder)
    (problem,) = raised.value.problems
    assert problem.step == "Train"
    assert "is reached through symbolic links more than 64 times" in problem.message


def test_a_content_addressed_code_folder_of_too_many_files_is_refused(source_dir: Path) -> None:
    many = source_dir / "data"
    many.mkdir()
    for index in range(10_001):
        (many / f"{index}.csv").touch()
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    with pytest.raises(PipelineValidationError) as raised:
        _training(source_dir).to_definition(binder)
    (problem,) = raised.value.problems
    assert problem.message == f"code folder {str(source_dir)!r} holds more than 10,000 files"


def test_a_content_addressed_name_that_isnt_utf8_is_refused_naming_it(source_dir: Path) -> None:
    # str.encode() raised a raw UnicodeEncodeError for it, while the tar writer packed it.
    bad = os.path.join(os.fsencode(source_dir), b"\xff.py")
    with open(bad, "wb"):
        pass
    binder = StaticBinder(role_arn=ROLE, code_prefix="s3://b/code", content_addressed=True)
    with pytest.raises(PipelineValidationError) as raised:
        _training(source_dir).to_definition(binder)
    (problem,) = raised.value.problems
    assert problem.message == (f"local file {os.fsdecode(bad)!r} has a name that isn't UTF-8")
