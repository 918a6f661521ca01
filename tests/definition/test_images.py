"""Framework image URIs resolved per region from the SDK's tables; URI parsing."""

from __future__ import annotations

from typing import Any, assert_type

import pytest

from cdk_sagemaker_pipelines.definition import (
    Image,
    PipelineDefinitionError,
    framework_image,
    framework_image_uri,
    parse_image_uri,
)
from cdk_sagemaker_pipelines.definition._service_model import partition_of
from cdk_sagemaker_pipelines.definition.images import FrameworkImageSpec, ParsedImageUri, _table


@pytest.mark.parametrize(
    ("framework", "version", "options", "region", "uri"),
    [
        (
            "sklearn",
            "1.2-1",
            {},
            "us-east-1",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        ),
        (
            "sklearn",
            "1.2-1",
            {"scope": "inference"},
            "eu-west-1",
            "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        ),
        (
            "xgboost",
            "1.7-1",
            {},
            "us-east-1",
            # xgboost tags are the bare version
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        ),
        (
            "xgboost",
            "1.7-1",
            {},
            "cn-north-1",
            # China regions use the amazonaws.com.cn domain
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",
        ),
        (
            "pytorch",
            "2.1",
            {},
            "us-east-1",
            # "2.1" is an alias of 2.1.0; the newest Python of the version is the default
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310",
        ),
        (
            "pytorch",
            "2.1.0",
            {"processor": "gpu"},
            "us-west-2",
            "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-gpu-py310",
        ),
        (
            "pytorch",
            "2.1",
            {"processor": "gpu", "py_version": "py310", "scope": "inference"},
            "cn-northwest-1",
            "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/pytorch-inference:2.1.0-gpu-py310",
        ),
    ],
)
def test_framework_image_uri(
    framework: str, version: str, options: dict[str, str], region: str, uri: str
) -> None:
    assert framework_image_uri(framework, version, region=region, **options) == uri


def test_processor_defaults_to_the_only_one_offered_else_cpu() -> None:
    training = framework_image("huggingface", "4.49", base_framework_version="pytorch2.5")
    inference = framework_image(
        "huggingface", "4.49", base_framework_version="pytorch2.6", scope="inference"
    )

    assert training.tag == "2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04"
    assert inference.tag == "2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04"
    assert framework_image("tensorflow", "2.19").tag == "2.19.0-cpu-py312"


def test_huggingface_spec_names_its_base_framework() -> None:
    spec = framework_image(
        "huggingface", "4.26", base_framework_version="tensorflow2.11", scope="inference"
    )

    assert (spec.framework, spec.version, spec.base_framework_version) == (
        "huggingface",
        "4.26.0",
        "tensorflow2.11.0",
    )
    assert spec.repository == "huggingface-tensorflow-inference"
    assert spec.description == "huggingface 4.26.0 (tensorflow 2.11.0)"


def test_framework_image_spec_resolves_up_to_the_region() -> None:
    spec = framework_image("pytorch", "2.1", processor="gpu")

    assert (spec.framework, spec.version, spec.repository, spec.tag) == (
        "pytorch",
        "2.1.0",
        "pytorch-training",
        "2.1.0-gpu-py310",
    )
    assert spec.uri("us-east-1") == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: framework_image("mxnet", "1.9"),
            r"^unknown framework 'mxnet'; expected one of 'sklearn', 'xgboost', 'pytorch', "
            r"'tensorflow', 'huggingface', 'djl-lmi', 'huggingface-llm'$",
        ),
        (
            lambda: framework_image("sklearn", "1.2-1", scope="serving"),
            r"^sklearn has no 'serving' images; expected one of 'training', 'inference'$",
        ),
        (
            lambda: framework_image("xgboost", "1.7"),
            r"^xgboost training image version '1\.7' is unknown; known, newest first: "
            r"'3\.2-0', '3\.0-5', '1\.7-1', '1\.5-1' \(did you mean '1\.7-1'\?\)$",
        ),
        (
            lambda: framework_image("sklearn", "1.2"),
            r"^sklearn training image version '1\.2' is unknown; "
            r".*\(did you mean .*'1\.2-1'.*\?\)$",
        ),
        (
            # newest first, in version order: 2.10.0 before 2.9.0
            lambda: framework_image("pytorch", "3.0"),
            r"^pytorch training image version '3\.0' is unknown; known, newest first: "
            r"'2\.10\.0', '2\.9\.0', '2\.8\.0', ",
        ),
        (
            lambda: framework_image("pytorch", "2.1", processor="tpu"),
            r"^pytorch 2\.1\.0 has no 'tpu' image; expected one of 'cpu', 'gpu'$",
        ),
        (
            lambda: framework_image("sklearn", "1.2-1", processor="gpu"),
            r"^sklearn 1\.2-1 has no 'gpu' image; expected one of 'cpu'$",
        ),
        (
            lambda: framework_image("pytorch", "2.1", py_version="py27"),
            r"^pytorch 2\.1\.0 has no image for 'py27'; expected one of 'py310'$",
        ),
        (
            lambda: framework_image_uri("sklearn", "1.2-1", region="useast1"),
            r"^sklearn 1\.2-1 images are not published in 'useast1' "
            r"\(did you mean 'us-east-1' or ",
        ),
        (
            lambda: framework_image_uri("sklearn", "1.2-1", region="mars-1"),
            r"^sklearn 1\.2-1 images are not published in 'mars-1' \(published in 'af-south-1', ",
        ),
        (
            # before the 2.11 cut-off: no close match (2.21.0) is suggested
            lambda: framework_image("tensorflow", "2.10"),
            r"^tensorflow training image version '2\.10' is unknown; known, newest first: "
            r"'2\.21\.0', '2\.19\.0', .*, '2\.11\.0' \(older versions are not listed here: "
            r"give their image with Image\.from_uri\)$",
        ),
        (
            lambda: framework_image("tensorflow", "2.19", py_version="py310"),
            r"^tensorflow 2\.19\.0 has no image for 'py310'; expected one of 'py312'$",
        ),
        (
            lambda: framework_image("tensorflow", "2.19", processor="tpu", scope="inference"),
            r"^tensorflow 2\.19\.0 has no 'tpu' image; expected one of 'cpu', 'gpu'$",
        ),
        (
            lambda: framework_image("huggingface", "4.50", base_framework_version="pytorch2.5"),
            r"^huggingface training image transformers version '4\.50' is unknown; "
            r"known, newest first: '5\.3\.0', '4\.56\.2', '4\.55\.0', '4\.49\.0', .* "
            r"\(did you mean .*'4\.49\.0'.*\?\)$",
        ),
        (
            lambda: framework_image("huggingface", "4.49"),
            r"^huggingface 4\.49\.0 training images need a base framework version: "
            r"pytorch_version='2\.5\.1' \(or '2\.5'\)$",
        ),
        (
            lambda: framework_image("huggingface", "4.49", base_framework_version="pytorch2.6"),
            r"^huggingface 4\.49\.0 has no training image on pytorch 2\.6; "
            r"offered: pytorch_version='2\.5\.1' \(or '2\.5'\)$",
        ),
        (
            # the only tensorflow-based images are the 4.26 inference ones
            lambda: framework_image(
                "huggingface", "4.26", base_framework_version="tensorflow2.1", scope="inference"
            ),
            r"^huggingface 4\.26\.0 has no inference image on tensorflow 2\.1; "
            r"offered: pytorch_version='1\.13\.1' \(or '1\.13'\), "
            r"tensorflow_version='2\.11\.0' \(or '2\.11'\) \(did you mean '2\.11'",
        ),
        (
            lambda: framework_image("huggingface", "4.49", base_framework_version="2.5"),
            r"^base framework version '2\.5' is not 'pytorch<version>' or "
            r"'tensorflow<version>' \(e\.g\. 'pytorch2\.5\.1'\)$",
        ),
        (
            lambda: framework_image(
                "huggingface", "4.49", base_framework_version="pytorch2.5", processor="cpu"
            ),
            r"^huggingface 4\.49\.0 \(pytorch 2\.5\.1\) has no 'cpu' training image; "
            r"expected one of 'gpu'$",
        ),
        (
            lambda: framework_image(
                "huggingface", "4.49", base_framework_version="pytorch2.5", py_version="py310"
            ),
            r"^huggingface 4\.49\.0 \(pytorch 2\.5\.1\) has no image for 'py310'; "
            r"expected one of 'py311'$",
        ),
        (
            lambda: framework_image("pytorch", "2.1", base_framework_version="pytorch2.1"),
            r"^pytorch images have no base framework version \('pytorch2\.1'\); "
            r"only huggingface images do$",
        ),
        (
            lambda: framework_image_uri(
                "huggingface", "4.49", base_framework_version="pytorch2.5", region="mx-central-1"
            ),
            r"^huggingface 4\.49\.0 \(pytorch 2\.5\.1\) images are not published in "
            r"'mx-central-1' \(did you mean ",
        ),
    ],
    ids=[
        "framework",
        "scope",
        "version-hint",
        "version-hint-sklearn",
        "version-order",
        "processor",
        "no-gpu",
        "py-version",
        "region-hint",
        "region-list",
        "tensorflow-version",
        "tensorflow-py-version",
        "tensorflow-processor",
        "huggingface-version",
        "huggingface-no-base",
        "huggingface-base-version",
        "huggingface-base-hint",
        "huggingface-base-spelling",
        "huggingface-training-is-gpu",
        "huggingface-py-version",
        "base-of-another-framework",
        "huggingface-region",
    ],
)
def test_fails_unknown_choices_with_hints(call: object, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("framework", "version", "options", "region"),
    [
        ("sklearn", "1.2-1", {}, "us-east-1"),
        ("xgboost", "1.7-1", {}, "cn-north-1"),
        ("pytorch", "2.1", {"processor": "gpu"}, "cn-northwest-1"),
        ("pytorch", "2.1", {"scope": "inference"}, "eu-central-1"),
        ("tensorflow", "2.19", {"processor": "gpu"}, "us-east-1"),
        ("tensorflow", "2.19", {"scope": "inference"}, "cn-north-1"),
        ("huggingface", "4.49", {"base_framework_version": "pytorch2.5"}, "eu-west-1"),
        (
            "huggingface",
            "4.26",
            {"base_framework_version": "tensorflow2.11", "scope": "inference"},
            "us-west-2",
        ),
        ("djl-lmi", "0.33.0", {"scope": "inference"}, "cn-northwest-1"),
        ("huggingface-llm", "3.3", {"scope": "inference"}, "us-gov-east-1"),
    ],
)
def test_parse_image_uri_round_trip(
    framework: str, version: str, options: dict[str, str], region: str
) -> None:
    uri = framework_image_uri(framework, version, region=region, **options)

    parsed = parse_image_uri(uri)

    assert parsed is not None
    assert parsed.framework == framework
    assert parsed.region == region
    assert parsed.uri == uri


def test_parse_image_uri_splits_the_parts() -> None:
    uri = "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-training:2.1.0-gpu-py310"

    assert parse_image_uri(uri) == ParsedImageUri(
        account="727897471807",
        region="cn-north-1",
        repository="pytorch-training",
        tag="2.1.0-gpu-py310",
        framework="pytorch",
        domain="amazonaws.com.cn",
    )


def test_parse_image_uri_of_a_private_image() -> None:
    uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/my-image:latest"

    parsed = parse_image_uri(uri)

    assert parsed == ParsedImageUri(
        account="111122223333",
        region="us-east-1",
        repository="team/my-image",
        tag="latest",
        framework=None,
        domain="amazonaws.com",
    )
    assert parsed.uri == uri


@pytest.mark.parametrize(
    "repository",
    [
        "tensorflow-training",
        "huggingface-pytorch-inference",
        "pytorch-training",
        "sagemaker-xgboost",
    ],
)
def test_a_private_copy_of_a_framework_repository_is_not_a_framework_image(
    repository: str,
) -> None:
    # Teams push extended framework images under the same repository names: their
    # account publishes no SageMaker image, so pulling needs a grant like any custom image.
    uri = f"111122223333.dkr.ecr.us-east-1.amazonaws.com/{repository}:custom"

    parsed = parse_image_uri(uri)

    assert parsed is not None
    assert parsed.framework is None


def test_parse_image_uri_by_digest_round_trips() -> None:
    digest = "sha256:" + "ab12" * 16
    uri = f"111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image@{digest}"

    parsed = parse_image_uri(uri)

    assert parsed is not None
    assert parsed.tag == digest
    assert parsed.uri == uri


@pytest.mark.parametrize(
    "uri",
    [
        "my-image:latest",
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image",
        "docker.io/library/python:3.11",
        # A malformed digest: was split as a tag 'abc123', and .uri wrote '…/my-image:abc123'.
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image@abc123",
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image@sha256:abc123",
    ],
)
def test_parse_image_uri_rejects_what_is_not_a_tagged_ecr_uri(uri: str) -> None:
    assert parse_image_uri(uri) is None


def test_an_image_s_framework_spec_is_typed_for_the_apps_type_checker() -> None:
    # mypy checks this module: an app using the spec had an `Any` (no checks, no completion).
    spec = assert_type(Image.sklearn("1.2-1").framework_spec(), FrameworkImageSpec)
    assert spec.uri("eu-west-1") == framework_image_uri("sklearn", "1.2-1", region="eu-west-1")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # A version written as a number (1.2 for "1.2-1") failed inside str.endswith.
        (lambda: framework_image("sklearn", 1.2), "framework_image: version must be a string"),  # type: ignore[arg-type]
        (lambda: framework_image(3, "1.2-1"), "framework_image: framework must be a string"),  # type: ignore[arg-type]
        (
            lambda: framework_image("pytorch", "2.1", processor=1),  # type: ignore[arg-type]
            "framework_image: processor must be a string",
        ),
        (
            lambda: framework_image_uri("sklearn", "1.2-1", region=3),  # type: ignore[arg-type]
            "sklearn 1.2-1 image: region must be a region name",
        ),
        (lambda: parse_image_uri(3), "parse_image_uri: uri must be an image URI string"),  # type: ignore[arg-type]
    ],
    ids=["version-number", "framework-int", "processor-int", "region-int", "uri-int"],
)
def test_image_functions_name_an_argument_of_another_type(call: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=f"^{message}"):
        call()


@pytest.mark.parametrize(
    ("image", "region", "uri"),
    [
        (
            Image.djl_lmi("0.33.0"),
            "us-east-1",
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128",
        ),
        (
            # "latest" is the SDK's alias of the newest version in the table
            Image.djl_lmi("latest"),
            "cn-north-1",
            "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/djl-inference:0.38.0-lmi29.0.0-cu130",
        ),
        (
            Image.djl_lmi("0.36.0"),
            "us-gov-west-1",
            "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/djl-inference:0.36.0-lmi27.0.0-cu130",
        ),
        (
            # "3.3" is the SDK's alias of 3.3.6; TGI images are GPU only
            Image.huggingface_llm("3.3"),
            "eu-west-1",
            "763104351884.dkr.ecr.eu-west-1.amazonaws.com/"
            "huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04",
        ),
        (
            # the SDK's "2.0" alias is 2.4.0, whose container version has a -v2.2 suffix
            Image.huggingface_llm("2.0"),
            "cn-northwest-1",
            "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/"
            "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04-v2.2",
        ),
    ],
    ids=["lmi", "lmi-latest-china", "lmi-govcloud", "tgi-alias", "tgi-china"],
)
def test_large_model_serving_images_resolve_per_region(image: Image, region: str, uri: str) -> None:
    assert image.framework_spec().uri(region) == uri


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: Image.djl_lmi("0.40.0"),
            r"^djl-lmi inference image version '0\.40\.0' is unknown; known, newest first: "
            r"'0\.38\.0', '0\.36\.0', '0\.35\.0', .*, '0\.28\.0' \(did you mean ",
        ),
        (
            # before the table's cut-off: Image.from_uri takes it
            lambda: Image.djl_lmi("0.27.0"),
            r"^djl-lmi inference image version '0\.27\.0' is unknown; .* \(older versions "
            r"are not listed here: give their image with Image\.from_uri\)$",
        ),
        (
            lambda: Image.huggingface_llm("3.4"),
            r"^huggingface-llm inference image version '3\.4' is unknown; known, newest first: "
            r"'3\.3\.6', '3\.3\.4', '3\.2\.3', .*, '2\.0\.0' \(did you mean ",
        ),
        (
            lambda: framework_image("huggingface-llm", "3.3", processor="cpu", scope="inference"),
            r"^huggingface-llm 3\.3\.6 has no 'cpu' image; expected one of 'gpu'$",
        ),
        (
            lambda: framework_image("djl-lmi", "0.33.0"),
            r"^djl-lmi has no 'training' images; expected one of 'inference'$",
        ),
        (
            lambda: Image.djl_lmi("0.33.0").framework_spec().uri("ap-east-2"),
            r"^djl-lmi 0\.33\.0 images are not published in 'ap-east-2' ",
        ),
    ],
    ids=["lmi-version", "lmi-too-old", "tgi-version", "tgi-gpu-only", "lmi-scope", "lmi-region"],
)
def test_large_model_serving_images_fail_unknown_choices(call: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        call()


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("eu-west-1", ("aws", "amazonaws.com")),
        ("ap-east-1", ("aws", "amazonaws.com")),
        ("cn-north-1", ("aws-cn", "amazonaws.com.cn")),
        ("cn-northwest-1", ("aws-cn", "amazonaws.com.cn")),
        ("us-gov-west-1", ("aws-us-gov", "amazonaws.com")),
        ("us-isob-east-1", ("aws-iso-b", "sc2s.sgov.gov")),
        # Regions botocore doesn't list yet fall to their partition's pattern.
        ("cn-south-7", ("aws-cn", "amazonaws.com.cn")),
        ("us-gov-south-7", ("aws-us-gov", "amazonaws.com")),
        ("eu-south-7", ("aws", "amazonaws.com")),
        # A region no partition's pattern matches: the commercial partition's, by default.
        ("xx-nowhere-1", ("aws", "amazonaws.com")),
    ],
)
def test_partition_of_a_region_is_botocores(region: str, expected: tuple[str, str]) -> None:
    assert partition_of(region) == expected


def test_every_image_domain_is_its_regions_partition_domain() -> None:
    # The ECR domain of each region in the image table (where retrieve() puts the images)
    # is the DNS suffix of the region's partition, the AWS::URLSuffix of a stack there.
    domains = _table()["domains"]
    assert {region: partition_of(region)[1] for region in domains} == domains


@pytest.mark.parametrize(
    "make",
    [
        lambda: Image.djl_lmi(None),  # type: ignore[arg-type]
        lambda: Image.huggingface_llm(None),  # type: ignore[arg-type]
        lambda: Image.from_framework("xgboost", None),  # type: ignore[arg-type]
    ],
)
def test_fails_a_framework_image_without_a_version_naming_it(make: Any) -> None:
    # Not a bare AssertionError from resolving it: the field and what it takes.
    with pytest.raises(PipelineDefinitionError, match="field 'version' expects str, got None"):
        make()
