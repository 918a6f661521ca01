"""``ModelEndpoint`` serving a large model: timeouts, volume size, AMI (docs/deploying-models.md).

One module-scoped stack, synthesized once: the guide's "Serving a large model" example run as
written, an A/B test whose challenger has settings of its own, a shadow test whose shadow
takes them as tokens (and an L1 override beside them), an asynchronous endpoint, and an
endpoint without them. cfn-lint lints its template in the session's lint worker while the
other tests run (``tests/cdk/lint.py``), read by the module's last test. Refusals are built
in another app, never synthesized.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    AsyncInference,
    EndpointVariant,
    ModelEndpoint,
    ModelRegistry,
    ServerlessConfig,
)
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    PipelineDefinitionError,
    StaticBinder,
    TrainingStep,
)
from cdk_sagemaker_pipelines.definition._service_model import shape
from cdk_sagemaker_pipelines.definition.images import framework_image_uri
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, steps_by_name, template_json
from tests.cdk.lint import BackgroundLint, LintService, lint_in_background
from tests.cdk.test_app_cfn_lint import FALSE_POSITIVES, _describe, _key
from tests.conftest import REPO
from tests.test_docs import code_blocks

GUIDE = REPO / "docs" / "deploying-models.md"
# The ProductionVariant members the four props set, and none other.
MEMBERS = (
    "ModelDataDownloadTimeoutInSeconds",
    "ContainerStartupHealthCheckTimeoutInSeconds",
    "VolumeSizeInGB",
    "InferenceAmiVersion",
)


def version(number: int, group: str = "support-llm") -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/{number}"


def guide_namespace(marker: str) -> dict[str, Any]:
    """The names the guide's Python block containing ``marker`` defines, executed."""
    (block,) = [b for b in code_blocks(GUIDE.read_text(), "python") if marker in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, f"{GUIDE.name}:{marker}", "exec"), namespace)
    return namespace


def _bounds(member: str) -> tuple[int, int]:
    """botocore's range of a ProductionVariant member: what the construct must take."""
    found = shape(shape("ProductionVariant")["members"][member]["shape"])
    return found["min"], found["max"]


class Built:
    """The guide's large model, an A/B test, a shadow test, an async endpoint: one stack."""

    def __init__(self) -> None:
        self.stack = new_stack()
        stack = self.stack
        self.store = ArtifactStore(stack, "Artifacts")
        registry = ModelRegistry(
            stack, "Registry", model_package_group_name="support-llm", artifact_store=self.store
        )
        self.llm: ModelEndpoint = guide_namespace("def add_llm_endpoint(")["add_llm_endpoint"](
            stack, self.store, registry, version(3)
        )
        # The challenger on Inferentia2 with its own volume and AMI; the endpoint on NVMe
        # storage (ml.g5) with timeouts only, which the challenger doesn't take.
        self.ab = ModelEndpoint(
            stack,
            "AB",
            model_package_arn=version(3),
            artifact_store=self.store,
            instance_type="ml.g5.2xlarge",
            model_data_download_timeout=Duration.seconds(900),
            container_startup_health_check_timeout=Duration.minutes(10),
            inference_ami_version="al2-ami-sagemaker-inference-gpu-3-1",
            variants=[
                EndpointVariant(
                    name="Challenger",
                    model_package_arn=version(4),
                    instance_type="ml.inf2.xlarge",
                    volume_size_in_gb=64,
                    inference_ami_version="al2-ami-sagemaker-inference-neuron-2",
                )
            ],
        )
        # Values known at deploy time: tokens pass and render as given.
        self.seconds = cdk.CfnParameter(stack, "StartupSeconds", type="Number")
        self.gigabytes = cdk.CfnParameter(stack, "VolumeGb", type="Number")
        self.ami = cdk.CfnParameter(stack, "Ami", type="String")
        self.shadowed = ModelEndpoint(
            stack,
            "Shadowed",
            model_package_arn=version(3),
            artifact_store=self.store,
            instance_type="ml.m5.xlarge",
            volume_size_in_gb=_bounds("VolumeSizeInGB")[1],
            shadow=EndpointVariant(
                name="Shadow",
                model_package_arn=version(4),
                model_data_download_timeout=Duration.seconds(self.seconds.value_as_number),
                container_startup_health_check_timeout=Duration.hours(1),
                volume_size_in_gb=self.gigabytes.value_as_number,  # type: ignore[arg-type]
                inference_ami_version=self.ami.value_as_string,
            ),
        )
        # The guide's escape hatch, beside what the construct renders.
        self.shadowed.cfn_endpoint_config.add_property_override(
            "ProductionVariants.0.RoutingConfig",
            {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
        )
        self.asynchronous = ModelEndpoint(
            stack,
            "Async",
            model_package_arn=version(3),
            artifact_store=self.store,
            instance_type="ml.inf2.xlarge",
            model_data_download_timeout=Duration.minutes(1),
            volume_size_in_gb=_bounds("VolumeSizeInGB")[0],
            async_inference=AsyncInference(),
        )
        self.plain = ModelEndpoint(
            stack, "Plain", model_package_arn=version(3), artifact_store=self.store
        )
        self.template = template_json(cdk.assertions.Template.from_stack(stack))

    def config(self, endpoint: ModelEndpoint) -> dict[str, Any]:
        """The properties of ``endpoint``'s EndpointConfig, as synthesized."""
        logical_id = self.stack.get_logical_id(endpoint.cfn_endpoint_config)
        properties: dict[str, Any] = self.template["Resources"][logical_id]["Properties"]
        return properties

    def variants(self, endpoint: ModelEndpoint, key: str = "ProductionVariants") -> list[Any]:
        """``key``'s variants, without the model name and the rest every variant has."""
        kept = (*MEMBERS, "VariantName", "InstanceType", "RoutingConfig")
        return [
            {name: value for name, value in variant.items() if name in kept}
            for variant in self.config(endpoint)[key]
        ]


@pytest.fixture(scope="session")  # the lint test, last in the session, reads it too
def built() -> Built:
    return Built()


@pytest.fixture(scope="session")
def lint(
    built: Built, tmp_path_factory: pytest.TempPathFactory, lint_service: LintService
) -> Iterator[tuple[dict[str, Any], BackgroundLint]]:
    """cfn-lint of the built template (``tests/cdk/lint.py``, ``MODULE_LINT``)."""
    yield from lint_in_background(
        "large-models", built.template, tmp_path_factory.mktemp("large-models-lint"), lint_service
    )


# -- What the endpoint configurations render -------------------------------------------------


def test_the_guides_large_model_sets_its_variants_timeouts(built: Built) -> None:
    assert built.variants(built.llm) == [
        {
            "VariantName": "AllTraffic",
            "InstanceType": "ml.g5.12xlarge",
            "ModelDataDownloadTimeoutInSeconds": 1200,
            "ContainerStartupHealthCheckTimeoutInSeconds": 1200,
        }
    ]
    # ml.g5 keeps its storage on NVMe disks: no volume, so no key for it either.
    assert "KmsKeyId" not in built.config(built.llm)


def test_a_variant_takes_its_own_settings_never_the_endpoints(built: Built) -> None:
    assert built.variants(built.ab) == [
        {
            "VariantName": "AllTraffic",
            "InstanceType": "ml.g5.2xlarge",
            "ModelDataDownloadTimeoutInSeconds": 900,
            "ContainerStartupHealthCheckTimeoutInSeconds": 600,
            "InferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-3-1",
        },
        {
            "VariantName": "Challenger",
            "InstanceType": "ml.inf2.xlarge",
            "VolumeSizeInGB": 64,
            "InferenceAmiVersion": "al2-ami-sagemaker-inference-neuron-2",
        },
    ]


def test_a_shadow_takes_tokens_and_an_l1_override_adds_to_the_variant(built: Built) -> None:
    assert built.variants(built.shadowed) == [
        {
            "VariantName": "AllTraffic",
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": _bounds("VolumeSizeInGB")[1],
            "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
        }
    ]
    assert built.variants(built.shadowed, "ShadowProductionVariants") == [
        {
            "VariantName": "Shadow",
            "InstanceType": "ml.m5.xlarge",
            "ModelDataDownloadTimeoutInSeconds": {"Ref": "StartupSeconds"},
            "ContainerStartupHealthCheckTimeoutInSeconds": _bounds(
                "ContainerStartupHealthCheckTimeoutInSeconds"
            )[1],
            "VolumeSizeInGB": {"Ref": "VolumeGb"},
            "InferenceAmiVersion": {"Ref": "Ami"},
        }
    ]


def test_an_asynchronous_endpoint_takes_them_and_one_without_renders_none(built: Built) -> None:
    assert built.variants(built.asynchronous) == [
        {
            "VariantName": "AllTraffic",
            "InstanceType": "ml.inf2.xlarge",
            "ModelDataDownloadTimeoutInSeconds": _bounds("ModelDataDownloadTimeoutInSeconds")[0],
            "VolumeSizeInGB": _bounds("VolumeSizeInGB")[0],
        }
    ]
    assert "AsyncInferenceConfig" in built.config(built.asynchronous)
    assert built.variants(built.plain) == [
        {"VariantName": "AllTraffic", "InstanceType": "ml.m5.large"}
    ]


def test_the_guides_registered_version_is_uncompressed_with_the_lmi_image() -> None:
    namespace = guide_namespace("def register_llm(")
    fine_tune = TrainingStep(
        name="FineTune",
        image=Image.from_uri(f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/finetune:1"),
        code=Code.from_s3("s3://my-bucket/code/finetune.tar.gz", entry_point="finetune.py"),
        instance_type="ml.p4d.24xlarge",
        disable_output_compression=True,
    )
    register = namespace["register_llm"](fine_tune)
    definition = PipelineDefinition(steps=[fine_tune, register]).to_definition(
        StaticBinder(
            region=REGION, role_arn=f"arn:aws:iam::{ACCOUNT}:role/r", default_bucket="my-bucket"
        )
    )
    (container,) = steps_by_name(definition)["RegisterLlm"]["Arguments"]["InferenceSpecification"][
        "Containers"
    ]
    assert container["Image"] == framework_image_uri(
        "djl-lmi", "0.33.0", scope="inference", region=REGION
    )
    source = container["ModelDataSource"]["S3DataSource"]
    assert (source["S3DataType"], source["CompressionType"]) == ("S3Prefix", "None")
    assert "ModelDataUrl" not in container


# -- Refusals: one case per error --------------------------------------------------------------

_IDS = itertools.count()


class Refusals:
    """A stack for endpoints that must fail, never synthesized."""

    def __init__(self) -> None:
        app = new_app()
        self.stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
        self.store = ArtifactStore(self.stack, "Artifacts")
        self.parameter = cdk.CfnParameter(self.stack, "Seconds", type="Number")

    def endpoint(self, **props: Any) -> ModelEndpoint:
        given = {"model_package_arn": version(3), "artifact_store": self.store, **props}
        return ModelEndpoint(self.stack, f"Endpoint{next(_IDS)}", **given)


@pytest.fixture(scope="module")
def refusals() -> Refusals:
    return Refusals()


def _variant(**fields: Any) -> EndpointVariant:
    return EndpointVariant(**{"name": "Challenger", "model_package_arn": version(4), **fields})


DOWNLOAD = "model_data_download_timeout"
STARTUP = "container_startup_health_check_timeout"
SERVERLESS = ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5)

# (case, props of the endpoint, the message), each prop also given to an EndpointVariant
# where the case says "variant".
REFUSED: list[tuple[str, Any, str]] = [
    (
        "a download timeout under botocore's minimum",
        lambda r: {DOWNLOAD: Duration.seconds(_bounds("ModelDataDownloadTimeoutInSeconds")[0] - 1)},
        r"ModelEndpoint Test/Endpoint\d+ has 1 problem:\n- prop 'model_data_download_timeout': "
        r"expected 1 minute to 1 hour, got 59 seconds$",
    ),
    (
        "a start-up timeout over botocore's maximum",
        lambda r: {STARTUP: Duration.seconds(_bounds(MEMBERS[1])[1] + 1)},
        r"prop 'container_startup_health_check_timeout': expected 1 minute to 1 hour, got "
        r"1 hour 1 second",
    ),
    (
        "a timeout of a fraction of a second",
        lambda r: {DOWNLOAD: Duration.millis(90_500)},
        r"prop 'model_data_download_timeout': SageMaker counts it in whole seconds, got .* "
        r"\(Duration.seconds\(90\)\)",
    ),
    (
        "a timeout in seconds as a number",
        lambda r: {STARTUP: 600},
        r"prop 'container_startup_health_check_timeout': expected a Duration, got int 600 "
        r"\(Duration.seconds\(600\)\)",
    ),
    (
        "a timeout token in minutes",
        lambda r: {STARTUP: Duration.minutes(r.parameter.value_as_number)},
        r"prop 'container_startup_health_check_timeout': a token in minutes: "
        r"ContainerStartupHealthCheckTimeoutInSeconds is in seconds, which a token can't be "
        r"converted to at synth \(give the token in seconds: Duration.seconds",
    ),
    (
        "a volume over botocore's maximum",
        lambda r: {"volume_size_in_gb": _bounds("VolumeSizeInGB")[1] + 1},
        r"prop 'volume_size_in_gb': expected 1-512 GB \(SageMaker's VolumeSizeInGB\), got 513",
    ),
    (
        "a volume of 0 GB",
        lambda r: {"volume_size_in_gb": 0},
        r"prop 'volume_size_in_gb': expected 1-512 GB \(SageMaker's VolumeSizeInGB\), got 0",
    ),
    (
        "a volume of a fraction of a GB",
        lambda r: {"volume_size_in_gb": 99.5},
        r"prop 'volume_size_in_gb': expected a whole number of GB, 1-512, got float 99.5",
    ),
    (
        "a misspelt AMI version",
        lambda r: {"inference_ami_version": "al2-ami-sagemaker-inference-gpu-3.1"},
        r"prop 'inference_ami_version': 'al2-ami-sagemaker-inference-gpu-3.1' is not an "
        r"inference AMI version of SageMaker's \(botocore [\d.]+'s InferenceAmiVersion\) "
        r"\(did you mean 'al2-ami-sagemaker-inference-gpu-3-1'",
    ),
    (
        "a volume size for an NVMe instance type",
        lambda r: {"instance_type": "ml.g5.2xlarge", "volume_size_in_gb": 100},
        r"ModelEndpoint Test/Endpoint\d+ has 1 problem:\n- prop 'volume_size_in_gb': "
        r"ml.g5.2xlarge keeps its ML storage on the instance's NVMe store, of the instance "
        r"type's own size, with no EBS volume to size: SageMaker takes no VolumeSizeInGB for "
        r"it \(leave volume_size_in_gb out, or choose an instance type with EBS storage\)$",
    ),
    (
        "a variant's volume size for its NVMe instance type",
        lambda r: {"variants": [_variant(instance_type="ml.p4d.24xlarge", volume_size_in_gb=200)]},
        r"prop 'variants\[0\].volume_size_in_gb': ml.p4d.24xlarge keeps its ML storage on the "
        r"instance's NVMe store",
    ),
    (
        "a shadow's volume size for the endpoint's NVMe instance type it takes",
        lambda r: {
            "instance_type": "ml.g6.xlarge",
            "shadow": _variant(name="Shadow", volume_size_in_gb=50),
        },
        r"prop 'shadow.volume_size_in_gb': ml.g6.xlarge keeps its ML storage on the instance's "
        r"NVMe store",
    ),
    *(
        (
            f"{prop} of a serverless endpoint",
            lambda r, prop=prop, value=value: {"serverless": SERVERLESS, prop: value},
            rf"ModelEndpoint Test/Endpoint\d+ has 1 problem:\n- prop '{prop}': a serverless "
            rf"endpoint has no instances: SageMaker takes {member} for variants on instances "
            r"only \(leave it out, or leave serverless out for an endpoint on instances\)$",
        )
        for prop, member, value in (
            (DOWNLOAD, MEMBERS[0], Duration.minutes(10)),
            (STARTUP, MEMBERS[1], Duration.minutes(10)),
            ("volume_size_in_gb", MEMBERS[2], 30),
            ("inference_ami_version", MEMBERS[3], "al2-ami-sagemaker-inference-gpu-2"),
        )
    ),
]


@pytest.mark.parametrize(
    ("props", "message"),
    [(props, message) for _, props, message in REFUSED],
    ids=[case for case, _, _ in REFUSED],
)
def test_fails_what_sagemaker_refuses_naming_the_prop(
    refusals: Refusals, props: Any, message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        refusals.endpoint(**props(refusals))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {DOWNLOAD: Duration.minutes(90)},
            r"EndpointVariant 'Challenger' has 1 problem:\n- prop 'model_data_download_timeout': "
            r"expected 1 minute to 1 hour, got 1 hour 30 minutes$",
        ),
        (
            {STARTUP: "10m"},
            r"prop 'container_startup_health_check_timeout': expected a Duration, got str '10m' "
            r"\(Duration.minutes\(10\)\)",
        ),
        ({"volume_size_in_gb": 1024}, r"prop 'volume_size_in_gb': expected 1-512 GB"),
        (
            {"inference_ami_version": "al2-ami-sagemaker-inference-neuron"},
            r"prop 'inference_ami_version': .* \(did you mean "
            r"'al2-ami-sagemaker-inference-neuron-2'",
        ),
    ],
)
def test_fails_a_wrong_variant_setting_naming_it(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        _variant(**fields)


def test_takes_botocores_bounds_and_every_ami_version(refusals: Refusals) -> None:
    for member, prop in ((MEMBERS[0], DOWNLOAD), (MEMBERS[1], STARTUP)):
        for seconds in _bounds(member):
            refusals.endpoint(**{prop: Duration.seconds(seconds)})
    for gigabytes in _bounds("VolumeSizeInGB"):
        refusals.endpoint(volume_size_in_gb=gigabytes)
    member = shape("ProductionVariant")["members"]["InferenceAmiVersion"]["shape"]
    for ami in shape(member)["enum"]:
        _variant(inference_ami_version=ami)
    # A volume size for an EBS instance type beside an NVMe one: each variant's own type.
    both = refusals.endpoint(
        instance_type="ml.g5.xlarge",
        variants=[_variant(instance_type="ml.m5.xlarge", volume_size_in_gb=30)],
    )
    assert both.variant_names == ("AllTraffic", "Challenger")


# -- cfn-lint (run last in the session: the worker lints while the other tests run) -----------


def test_cfn_lint_finds_nothing_in_the_large_models(
    lint: tuple[dict[str, Any], BackgroundLint],
) -> None:
    template, worker = lint
    matches = worker.results()["large-models"]
    problems = [
        _describe(match) for match in matches if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []
