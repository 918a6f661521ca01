"""Framework image URIs against the SageMaker SDK's own ``image_uris.retrieve``.

The SDK is not a dependency of this project, so ``GOLDEN`` holds what it returned, offline,
for these arguments (the processor chosen with an instance type: cpu ``ml.m5.xlarge``, gpu
``ml.g5.xlarge``). Rows marked "not in sagemaker 2.257.7" exist only in sagemaker-core
2.27.0, the newer SDK line the table is copied from (``data/framework_images.json``
``_source``); every other row is the same in both, except the large-model serving images'
(``djl-lmi``, ``huggingface-llm``), which are sagemaker 2.257.7's: their table entries are
generated from it (``scripts/generate_framework_images.py``; not checked against
sagemaker-core). ``SDK_ERRORS`` are arguments both SDKs reject.

Aliases (``"2.19"``, ``pytorch_version="2.5"``) resolve to the full version in our tags, as
for scikit-learn, XGBoost and PyTorch. The SDK keeps them as typed: sagemaker 2.257.7 returns
``tensorflow-training:2.19-gpu-py312`` and ``…:2.5-transformers4.49-gpu-…``, and
sagemaker-core 2.27.0 resolves the transformers alias only (``…:2.5-transformers4.49.0-…``).
``ALIASES`` pins ours to the SDK's URI of the full versions.

To regenerate, save the script below as ``golden.py`` and run it with both SDKs (each prints
``{"sdk": …, "rows": [[framework, version, base framework, processor, py_version, scope,
region, uri or null], …]}``)::

    SAGEMAKER_SUPPRESS_V2_WARNING=1 /tmp/sdk-venv/bin/python golden.py        # sagemaker 2.257.7
    PYTHONPATH=<sagemaker_core-2.27.0 wheel unpacked> /tmp/sdk-venv/bin/python golden.py

    import json, logging, sys
    logging.disable(logging.CRITICAL)
    try:
        from sagemaker.core.image_uris import retrieve  # sagemaker-core 2.27.0 (on PYTHONPATH)
        sdk = "sagemaker-core 2.27.0"
    except ImportError:
        from sagemaker.image_uris import retrieve  # sagemaker 2.257.7 (installed)
        sdk = "sagemaker 2.257.7"
    INSTANCE_TYPES = {"cpu": "ml.m5.xlarge", "gpu": "ml.g5.xlarge"}
    T, I = "training", "inference"
    CASES = [  # (framework, version, base framework, processor, py_version, scope, region)
        ("tensorflow", "2.11.0", None, "cpu", None, T, "us-east-1"),
        ("tensorflow", "2.13.0", None, "gpu", None, T, "eu-west-1"),
        ("tensorflow", "2.14.1", None, "gpu", "py310", T, "cn-north-1"),
        ("tensorflow", "2.16.2", None, "cpu", None, T, "us-gov-west-1"),
        ("tensorflow", "2.18.0", None, "gpu", None, T, "ap-southeast-4"),
        ("tensorflow", "2.19.0", None, "gpu", None, T, "us-east-1"),
        ("tensorflow", "2.19.0", None, "gpu", None, T, "us-iso-east-1"),
        ("tensorflow", "2.21.0", None, "cpu", None, T, "me-central-1"),
        ("tensorflow", "2.11.1", None, "cpu", None, I, "us-east-1"),
        ("tensorflow", "2.12.1", None, "gpu", None, I, "af-south-1"),
        ("tensorflow", "2.16.1", None, "gpu", None, I, "us-west-2"),
        ("tensorflow", "2.19.0", None, "gpu", None, I, "cn-northwest-1"),
        ("tensorflow", "2.20.0", None, "cpu", None, I, "eu-central-1"),
        ("huggingface", "4.26.0", "pytorch1.13.1", "gpu", None, T, "us-east-1"),
        ("huggingface", "4.28.1", "pytorch2.0.0", "gpu", None, T, "eu-west-1"),
        ("huggingface", "4.36.0", "pytorch2.1.0", "gpu", None, T, "cn-north-1"),
        ("huggingface", "4.46.1", "pytorch2.3.0", "gpu", "py311", T, "ap-south-1"),
        ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, T, "eu-central-1"),
        ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, T, "us-east-1"),
        ("huggingface", "4.55.0", "pytorch2.7.1", "gpu", None, T, "us-west-2"),
        ("huggingface", "4.56.2", "pytorch2.8.0", "gpu", None, T, "us-gov-east-1"),
        ("huggingface", "5.3.0", "pytorch2.9.0", "gpu", None, T, "us-east-2"),
        ("huggingface", "4.26.0", "tensorflow2.11.0", "cpu", None, I, "us-east-1"),
        ("huggingface", "4.26.0", "tensorflow2.11.0", "gpu", None, I, "ap-northeast-1"),
        ("huggingface", "4.26.0", "pytorch1.13.1", "gpu", None, I, "eu-north-1"),
        ("huggingface", "4.28.1", "pytorch2.0.0", "cpu", None, I, "sa-east-1"),
        ("huggingface", "4.37.0", "pytorch2.1.0", "cpu", None, I, "us-east-1"),
        ("huggingface", "4.37.0", "pytorch2.1.0", "gpu", None, I, "us-east-1"),
        ("huggingface", "4.48.0", "pytorch2.3.0", "gpu", None, I, "cn-northwest-1"),
        ("huggingface", "4.49.0", "pytorch2.6.0", "cpu", None, I, "us-iso-east-1"),
        ("huggingface", "4.51.3", "pytorch2.6.0", "gpu", None, I, "il-central-1"),
        ("huggingface", "5.5.3", "pytorch2.6.0", "gpu", None, I, "us-west-2"),
        ("djl-lmi", "0.33.0", None, "gpu", None, I, "us-east-1"),
        ("djl-lmi", "0.36.0", None, "gpu", None, I, "us-gov-west-1"),
        ("djl-lmi", "latest", None, "gpu", None, I, "cn-north-1"),
        ("huggingface-llm", "3.3.6", None, "gpu", None, I, "us-east-1"),
        ("huggingface-llm", "3.3", None, "gpu", None, I, "eu-west-1"),
        ("huggingface-llm", "2.0", None, "gpu", None, I, "cn-northwest-1"),
        ("huggingface-llm", "3.3.6", None, "gpu", None, I, "us-iso-east-1"),
        # aliases: the SDK keeps them as typed in its tags, we resolve them (see the docstring)
        ("tensorflow", "2.19", None, "gpu", None, T, "us-east-1"),
        ("huggingface", "4.49", "pytorch2.5", "gpu", None, T, "us-east-1"),
        ("huggingface", "4.26", "tensorflow2.11", "cpu", None, I, "us-east-1"),
        # errors
        ("tensorflow", "2.15", None, "cpu", None, T, "us-east-1"),
        ("tensorflow", "2.19.0", None, "cpu", "py310", T, "us-east-1"),
        ("huggingface", "4.49.0", "pytorch2.5.1", "cpu", None, T, "us-east-1"),
        ("huggingface", "4.49.0", "pytorch2.6.0", "gpu", None, T, "us-east-1"),
        ("huggingface", "4.49.0", "tensorflow2.11.0", "gpu", None, T, "us-east-1"),
        ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, T, "mx-central-1"),
        ("djl-lmi", "0.33.0", None, "gpu", None, I, "us-iso-east-1"),
        ("djl-lmi", "0.32.0", None, "gpu", None, I, "us-iso-east-1"),
        ("huggingface-llm", "3.3.6", None, "cpu", None, I, "us-east-1"),
    ]
    rows = []
    for framework, version, base, processor, py_version, scope, region in CASES:
        try:
            uri = retrieve(
                framework, region, version=version, py_version=py_version, image_scope=scope,
                instance_type=INSTANCE_TYPES[processor], base_framework_version=base,
            )
        except ValueError:
            uri = None
        rows.append([framework, version, base, processor, py_version, scope, region, uri])
    print(json.dumps({"sdk": sdk, "rows": rows}))
"""

from __future__ import annotations

import pytest

from cdk_sagemaker_pipelines.definition import PipelineDefinitionError, framework_image_uri

GOLDEN = [
    # ((framework, version, base framework, processor, py_version, scope, region), uri)
    (
        ("tensorflow", "2.11.0", None, "cpu", None, "training", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.11.0-cpu-py39",
    ),
    (
        ("tensorflow", "2.13.0", None, "gpu", None, "training", "eu-west-1"),
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/tensorflow-training:2.13.0-gpu-py310",
    ),
    (
        ("tensorflow", "2.14.1", None, "gpu", "py310", "training", "cn-north-1"),
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/tensorflow-training:2.14.1-gpu-py310",
    ),
    (
        ("tensorflow", "2.16.2", None, "cpu", None, "training", "us-gov-west-1"),
        "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/tensorflow-training:2.16.2-cpu-py310",
    ),
    (
        ("tensorflow", "2.18.0", None, "gpu", None, "training", "ap-southeast-4"),
        "457447274322.dkr.ecr.ap-southeast-4.amazonaws.com/tensorflow-training:2.18.0-gpu-py310",
    ),
    (
        ("tensorflow", "2.19.0", None, "gpu", None, "training", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.19.0-gpu-py312",
    ),
    (
        ("tensorflow", "2.21.0", None, "cpu", None, "training", "me-central-1"),
        "914824155844.dkr.ecr.me-central-1.amazonaws.com/tensorflow-training:2.21.0-cpu-py312",
    ),  # not in sagemaker 2.257.7
    (
        ("tensorflow", "2.11.1", None, "cpu", None, "inference", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.11.1-cpu",
    ),
    (
        ("tensorflow", "2.12.1", None, "gpu", None, "inference", "af-south-1"),
        "626614931356.dkr.ecr.af-south-1.amazonaws.com/tensorflow-inference:2.12.1-gpu",
    ),
    (
        ("tensorflow", "2.16.1", None, "gpu", None, "inference", "us-west-2"),
        "763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-inference:2.16.1-gpu",
    ),
    (
        ("tensorflow", "2.19.0", None, "gpu", None, "inference", "cn-northwest-1"),
        "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/tensorflow-inference:2.19.0-gpu",
    ),
    (
        ("tensorflow", "2.20.0", None, "cpu", None, "inference", "eu-central-1"),
        "763104351884.dkr.ecr.eu-central-1.amazonaws.com/tensorflow-inference:2.20.0-cpu-py312",
    ),  # not in sagemaker 2.257.7
    (
        ("huggingface", "4.26.0", "pytorch1.13.1", "gpu", None, "training", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-training:1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04",
    ),
    (
        ("huggingface", "4.28.1", "pytorch2.0.0", "gpu", None, "training", "eu-west-1"),
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/"
        "huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04",
    ),
    (
        ("huggingface", "4.36.0", "pytorch2.1.0", "gpu", None, "training", "cn-north-1"),
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/"
        "huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04",
    ),
    (
        ("huggingface", "4.46.1", "pytorch2.3.0", "gpu", "py311", "training", "ap-south-1"),
        "763104351884.dkr.ecr.ap-south-1.amazonaws.com/"
        "huggingface-pytorch-training:2.3.0-transformers4.46.1-gpu-py311-cu121-ubuntu20.04",
    ),
    (
        ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, "training", "eu-central-1"),
        "763104351884.dkr.ecr.eu-central-1.amazonaws.com/"
        "huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
    ),
    (
        ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, "training", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
    ),
    (
        ("huggingface", "4.55.0", "pytorch2.7.1", "gpu", None, "training", "us-west-2"),
        "763104351884.dkr.ecr.us-west-2.amazonaws.com/"
        "huggingface-pytorch-training:2.7.1-transformers4.55.0-gpu-py312-cu128-ubuntu22.04",
    ),
    (
        ("huggingface", "4.56.2", "pytorch2.8.0", "gpu", None, "training", "us-gov-east-1"),
        "446045086412.dkr.ecr.us-gov-east-1.amazonaws.com/"
        "huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04",
    ),
    (
        ("huggingface", "5.3.0", "pytorch2.9.0", "gpu", None, "training", "us-east-2"),
        "763104351884.dkr.ecr.us-east-2.amazonaws.com/"
        "huggingface-pytorch-training:2.9.0-transformers5.3.0-gpu-py312-cu130-ubuntu22.04",
    ),  # not in sagemaker 2.257.7
    (
        ("huggingface", "4.26.0", "tensorflow2.11.0", "cpu", None, "inference", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-tensorflow-inference:2.11.0-transformers4.26.0-cpu-py39-ubuntu20.04",
    ),
    (
        ("huggingface", "4.26.0", "tensorflow2.11.0", "gpu", None, "inference", "ap-northeast-1"),
        "763104351884.dkr.ecr.ap-northeast-1.amazonaws.com/"
        "huggingface-tensorflow-inference:2.11.0-transformers4.26.0-gpu-py39-cu112-ubuntu20.04",
    ),
    (
        ("huggingface", "4.26.0", "pytorch1.13.1", "gpu", None, "inference", "eu-north-1"),
        "763104351884.dkr.ecr.eu-north-1.amazonaws.com/"
        "huggingface-pytorch-inference:1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04",
    ),
    (
        ("huggingface", "4.28.1", "pytorch2.0.0", "cpu", None, "inference", "sa-east-1"),
        "763104351884.dkr.ecr.sa-east-1.amazonaws.com/"
        "huggingface-pytorch-inference:2.0.0-transformers4.28.1-cpu-py310-ubuntu20.04",
    ),
    (
        ("huggingface", "4.37.0", "pytorch2.1.0", "cpu", None, "inference", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04",
    ),
    (
        ("huggingface", "4.37.0", "pytorch2.1.0", "gpu", None, "inference", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04",
    ),
    (
        ("huggingface", "4.48.0", "pytorch2.3.0", "gpu", None, "inference", "cn-northwest-1"),
        "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/"
        "huggingface-pytorch-inference:2.3.0-transformers4.48.0-gpu-py311-cu121-ubuntu22.04",
    ),
    (
        ("huggingface", "4.49.0", "pytorch2.6.0", "cpu", None, "inference", "us-iso-east-1"),
        "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/"
        "huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04",
    ),
    (
        ("huggingface", "4.51.3", "pytorch2.6.0", "gpu", None, "inference", "il-central-1"),
        "780543022126.dkr.ecr.il-central-1.amazonaws.com/"
        "huggingface-pytorch-inference:2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04",
    ),
    (
        ("huggingface", "5.5.3", "pytorch2.6.0", "gpu", None, "inference", "us-west-2"),
        "763104351884.dkr.ecr.us-west-2.amazonaws.com/"
        "huggingface-pytorch-inference:2.6.0-transformers5.5.3-gpu-py312-cu124-ubuntu22.04",
    ),  # not in sagemaker 2.257.7
    # The large-model serving images (scripts/generate_framework_images.py), sagemaker 2.257.7
    # only: their aliases resolve in the SDK's tags too (its tag_prefix is the full version's).
    (
        ("djl-lmi", "0.33.0", None, "gpu", None, "inference", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128",
    ),
    (
        ("djl-lmi", "0.36.0", None, "gpu", None, "inference", "us-gov-west-1"),
        "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/djl-inference:0.36.0-lmi27.0.0-cu130",
    ),
    (
        ("djl-lmi", "latest", None, "gpu", None, "inference", "cn-north-1"),
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/djl-inference:0.38.0-lmi29.0.0-cu130",
    ),
    (
        ("djl-lmi", "0.33.0", None, "gpu", None, "inference", "us-iso-east-1"),
        "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/djl-inference:0.33.0-lmi15.0.0-cu128",
    ),
    (
        ("huggingface-llm", "3.3.6", None, "gpu", None, "inference", "us-east-1"),
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04",
    ),
    (
        ("huggingface-llm", "3.3", None, "gpu", None, "inference", "eu-west-1"),
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/"
        "huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04",
    ),
    (
        ("huggingface-llm", "2.0", None, "gpu", None, "inference", "cn-northwest-1"),
        "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/"
        "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04-v2.2",
    ),
    (
        ("huggingface-llm", "3.3.6", None, "gpu", None, "inference", "us-iso-east-1"),
        "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/"
        "huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04",
    ),
]

SDK_ERRORS = [
    ("tensorflow", "2.19.0", None, "gpu", None, "training", "us-iso-east-1"),
    ("tensorflow", "2.19.0", None, "cpu", "py310", "training", "us-east-1"),
    ("huggingface", "4.49.0", "pytorch2.5.1", "cpu", None, "training", "us-east-1"),
    ("huggingface", "4.49.0", "pytorch2.6.0", "gpu", None, "training", "us-east-1"),
    ("huggingface", "4.49.0", "tensorflow2.11.0", "gpu", None, "training", "us-east-1"),
    ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, "training", "mx-central-1"),
    ("djl-lmi", "0.32.0", None, "gpu", None, "inference", "us-iso-east-1"),
    ("huggingface-llm", "3.3.6", None, "cpu", None, "inference", "us-east-1"),
]

ALIASES = [
    # (arguments with aliases, the same with the full versions they resolve to)
    (
        ("tensorflow", "2.19", None, "gpu", None, "training", "us-east-1"),
        ("tensorflow", "2.19.0", None, "gpu", None, "training", "us-east-1"),
    ),
    (
        ("huggingface", "4.49", "pytorch2.5", "gpu", None, "training", "us-east-1"),
        ("huggingface", "4.49.0", "pytorch2.5.1", "gpu", None, "training", "us-east-1"),
    ),
    (
        ("huggingface", "4.26", "tensorflow2.11", "cpu", None, "inference", "us-east-1"),
        ("huggingface", "4.26.0", "tensorflow2.11.0", "cpu", None, "inference", "us-east-1"),
    ),
]


def _id(arguments: tuple[str | None, ...]) -> str:
    return "-".join(argument for argument in arguments if argument)


def _our_uri(
    framework: str,
    version: str,
    base: str | None,
    processor: str,
    py_version: str | None,
    scope: str,
    region: str,
) -> str:
    options = {"processor": processor, "scope": scope}
    if base is not None:
        options["base_framework_version"] = base
    if py_version is not None:
        options["py_version"] = py_version
    return framework_image_uri(framework, version, region=region, **options)


@pytest.mark.parametrize(("arguments", "uri"), GOLDEN, ids=[_id(row[0]) for row in GOLDEN])
def test_framework_image_uri_is_the_sdks(arguments: tuple[str | None, ...], uri: str) -> None:
    assert _our_uri(*arguments) == uri  # type: ignore[arg-type]


@pytest.mark.parametrize("arguments", SDK_ERRORS, ids=[_id(row) for row in SDK_ERRORS])
def test_fails_where_the_sdk_fails(arguments: tuple[str | None, ...]) -> None:
    with pytest.raises(PipelineDefinitionError):
        _our_uri(*arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(("aliased", "full"), ALIASES, ids=[_id(row[0]) for row in ALIASES])
def test_aliases_resolve_to_the_sdks_uri_of_the_full_versions(
    aliased: tuple[str | None, ...], full: tuple[str | None, ...]
) -> None:
    (uri,) = [uri for arguments, uri in GOLDEN if arguments == full]

    assert _our_uri(*aliased) == uri  # type: ignore[arg-type]
