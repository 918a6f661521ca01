"""``ModelEndpoint``: an approved model version served by a real-time SageMaker endpoint.

The last step of the mission, after prepare → train → evaluate → register: a SageMaker
Model created from a registered version (CreateModel's ``PrimaryContainer.ModelPackageName``),
an EndpointConfig and an Endpoint, with a least-privilege execution role. The version to
deploy is given, never looked up at synth: a literal ARN (from ``cdk.json`` context per
environment) or a token (a ``CfnParameter``), as CI passes it. ``EndpointVariant``s add a
challenger beside it (an A/B test: production variants sharing the requests by weight) or
as its shadow (a shadow test: a copy of the requests, the responses discarded), each a
model of its own version.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Unpack, cast

import jsii
from aws_cdk import Annotations, ArnFormat, CfnParameter, Duration, Names, Resource, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_sagemaker as sagemaker_refs

if TYPE_CHECKING:
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_ec2 as ec2

    from .component_endpoint import ComponentEndpoint

from constructs import Construct, IDependable, IValidation

from ..definition import Problem
from ..definition._service_model import botocore_version, shape
from ..definition._suggest import did_you_mean, one_of
from ..definition.expressions import Expression
from ..definition.instances import has_instance_store, instance_family, instance_types
from ..definition.steps.endpoint import ServerlessConfig
from ..definition.validate import DEPLOYMENT_PERCENT_BOUNDS, DEPLOYMENT_STEP_NAMES
from ._acknowledge import acknowledge_in_packs, acknowledge_wildcards
from ._arns import format_arn
from ._locked_grants import keep_for_locked_role, kept_policy
from ._model_data import (
    APPROVED,
    MODEL_DATA_ID,
    NO_REQUIREMENT,
    NOT_REJECTED,
    ModelData,
    ModelDataReader,
)
from ._network import allow_all_outbound_problems, https_only_egress, other_vpc_group_problems
from ._policies import ecr_pull_statements
from ._props import (
    ACCOUNT_ID,
    ArgumentProblem,
    PropProblem,
    as_prop,
    check_grantee,
    check_keywords,
    check_new_child,
    describe,
    environment_problem,
    environment_text,
    expect_bool,
    expect_interface,
    expect_same_app,
    expect_str,
    is_unresolved,
    other_stage_problem,
    raise_for,
    refers_across_environments,
)
from ._rejection import RULE_ID as REJECTION_RULE_ID
from ._rejection import Watched, notify_rejections, topic_problems
from ._roles import MODEL_REACH, passed_role_problem, role_arn
from ._topics import topic_environment
from ._tree import account_region, node_of, placed, root_of, stack_of
from ._values import days
from ._warning_traces import record_warnings_without_traces
from .artifacts import (
    DATA_CAPTURE_PREFIX,
    ArtifactStore,
    _AdoptedArtifactStore,
    _key_problem,
    _whole_days_problem,
)
from .monitoring import alarm_topic_problem, notify_topic
from .pipeline import (
    WARNING_PREFIX,
    _metric_option_type_problems,
    _metric_options,
    _MetricOptions,
    _network_prop_problems,
    _refuses_policy_updates,
    _RoleTrust,
    _service_role,
    _subnet_selection,
    metric_options_problems,
    network_interface_statements,
    whole_minutes_problem,
)
from .registry import ModelRegistry, _surely_same_environment

# CreateEndpoint's EndpointName and a production variant's VariantName (EndpointName).
NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
MAX_NAME = 63
# CreateEndpointConfig's ProductionVariants (ProductionVariantList): at most 10. Its
# ShadowProductionVariants takes the same list, but "If you use this field, you can only
# specify one variant for ProductionVariants and one variant for ShadowProductionVariants".
MAX_PRODUCTION_VARIANTS: int = shape("ProductionVariantList")["max"]
# A registered version: model-package/<group>/<version>, the group's name as
# CreateModelPackageGroup takes it.
_VERSION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"model-package/(?P<group>[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})/(?P<version>[1-9]\d*)"
)
_VERSION_ARN_SHAPE = "arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>"
# The region of the local runner's registry ARNs (local/registry.py's REGION, not imported:
# the constructs don't depend on the runner). No AWS region has this name.
_LOCAL_REGION = "local"
# DataCaptureConfig.CaptureContentTypeHeader: at most 10 types each, 256 characters each.
MAX_CONTENT_TYPES = 10
_CONTENT_TYPE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9.])*/[a-zA-Z0-9](-*[a-zA-Z0-9.+])*")

# As the pipelines' roles: SageMaker's namespaces (the instances' metrics go to
# /aws/sagemaker/Endpoints), not a namespace the role could spoof others' metrics in.
ENDPOINT_METRICS_NAMESPACE = "/aws/sagemaker/*"
# CreateModel's VpcConfig: 1-16 subnets, 1-5 security groups.
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
# Application Auto Scaling's dimension of a production variant, and its service-linked
# role for SageMaker (which it uses whatever RoleARN a scalable target names).
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
AUTO_SCALING_ROLE_NAME = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)
# The variant's provisioned concurrency of a serverless endpoint (Application Auto Scaling).
PROVISIONED_CONCURRENCY_DIMENSION = "sagemaker:variant:DesiredProvisionedConcurrency"
# UpdateEndpoint's DeploymentConfig: WaitIntervalInSeconds and TerminationWaitInSeconds
# 0-3600, MaximumExecutionTimeoutInSeconds 600-28800, AutoRollbackConfig 1-10 alarms.
MAX_BAKING_SECONDS = 3600
MIN_TIMEOUT_SECONDS = 600
MAX_TIMEOUT_SECONDS = 28800
MAX_ROLLBACK_ALARMS = 10
# The size of a canary, linear step and rolling batch, in percent of the variant's
# capacity (TrafficRoutingConfig's CanarySize and LinearStepSize, RollingUpdatePolicy's
# MaximumBatchSize).
_STEP_PERCENT = DEPLOYMENT_PERCENT_BOUNDS
# Instance families SageMaker updates all at once, without baking or rollback, whatever
# the DeploymentConfig (the deployment guardrails guide's "Exclusions"): Inferentia 1.
GUARDRAIL_EXCLUDED_FAMILIES = frozenset({"inf1"})
# Instance families of endpoints that can't take a shadow variant (the shadow tests guide's
# "Exclusions": "Endpoints that use Inf1 (Inferentia-based) instances", whose "request to
# setup shadow tests will lead to validation errors").
SHADOW_EXCLUDED_FAMILIES = frozenset({"inf1"})
_ALARM_ARN = re.compile(
    r"arn:aws[a-z-]*:cloudwatch:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):alarm:.+"
)
# Where SageMaker publishes an endpoint's invocation metrics, per EndpointName and
# VariantName ("SageMaker AI metrics in Amazon CloudWatch",
# https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html), and
# EndpointConfigName, per fleet ("Auto-Rollback Configuration and Monitoring": "CloudWatch
# publishes the metrics with the dimension EndpointConfigName:{New-Ep-Config}").
METRICS_NAMESPACE = "AWS/SageMaker"
# The variant's metrics SageMaker's guide lists there ("Endpoint invocation metrics", and
# those of serverless variants and multi-model endpoints). Not a closed list: a name that
# is none of them is taken as given (SageMaker adds metrics), unless it is one of them in
# another case or nearly (CloudWatch's names are case-sensitive: an alarm on a misspelt
# metric has no data and never fires, so it would never roll a deployment back).
INVOCATION_METRICS = (
    "Invocations",
    "Invocation4XXErrors",
    "Invocation5XXErrors",
    "InvocationModelErrors",
    "InvocationsPerInstance",
    "ModelLatency",
    "OverheadLatency",
    "ModelSetupTime",
    "ModelLoadingWaitTime",
    "ModelUnloadingTime",
    "ModelDownloadingTime",
    "ModelLoadingTime",
    "ModelCacheHit",
    "LoadedModelCount",
    "ServerlessProvisionedConcurrencyExecutions",
    "ServerlessProvisionedConcurrencyUtilization",
    "ServerlessProvisionedConcurrencyInvocations",
    "ServerlessProvisionedConcurrencySpilloverInvocations",
)
# The instances' metrics, which SageMaker publishes in another namespace.
INSTANCE_METRICS_NAMESPACE = "/aws/sagemaker/Endpoints"
INSTANCE_METRICS = (
    "CPUUtilization",
    "MemoryUtilization",
    "DiskUtilization",
    "GPUUtilization",
    "GPUMemoryUtilization",
)
# How alike a name must be to a known one to be taken for a slip (difflib's ratio):
# "Invocation5XXError" is, "InvocationsPerCopy" (an inference component's) isn't.
_MISSPELT_RATIO = 0.9
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
_INSTANCE_STORE_REASON = (
    "the endpoint's instance type keeps its ML storage on the instance's NVMe store, "
    "encrypted by the instance's hardware: CreateEndpointConfig refuses a KmsKeyId for it"
)


def _variant_member(member: str) -> dict[str, Any]:
    """The shape of a member of botocore's ``ProductionVariant`` (its bounds, its values)."""
    return shape(shape("ProductionVariant")["members"][member]["shape"])


# What SageMaker takes of a production variant's settings for large models, read from
# botocore's model (the API reference's "Valid Range"): the two timeouts in seconds (60-3600
# in botocore 1.44), the ML storage volume in GB (1-512) and the inference AMI versions.
_TIMEOUT_MEMBERS = {
    "model_data_download_timeout": "ModelDataDownloadTimeoutInSeconds",
    "container_startup_health_check_timeout": "ContainerStartupHealthCheckTimeoutInSeconds",
}
_TIMEOUT_BOUNDS: dict[str, tuple[int, int]] = {
    prop: (_variant_member(member)["min"], _variant_member(member)["max"])
    for prop, member in _TIMEOUT_MEMBERS.items()
}
_VOLUME_SIZE_BOUNDS: tuple[int, int] = (
    _variant_member("VolumeSizeInGB")["min"],
    _variant_member("VolumeSizeInGB")["max"],
)
_INFERENCE_AMI_VERSIONS: tuple[str, ...] = tuple(_variant_member("InferenceAmiVersion")["enum"])
# The props of a variant on instances only, with the ProductionVariant member each sets.
_INSTANCE_SETTINGS = {
    **_TIMEOUT_MEMBERS,
    "volume_size_in_gb": "VolumeSizeInGB",
    "inference_ami_version": "InferenceAmiVersion",
}


def version_arn_parts(arn: object) -> dict[str, str] | None:
    """The parts of a registered version's ARN (region, account, group, version), or None.

    Example::

        version_arn_parts("arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3")
        # {"partition": "aws", "region": "eu-west-1", "account": "111122223333",
        #  "group": "churn", "version": "3"}
    """
    if not isinstance(arn, str):
        return None
    match = _VERSION_ARN.fullmatch(arn)
    return match.groupdict() if match else None


def _version_arn_problem(prop: str, arn: str) -> Problem | None:
    """A literal ARN that isn't a registered version's (a group's, an unversioned package)."""
    if is_unresolved(arn) or version_arn_parts(arn) is not None:
        return None
    return PropProblem(
        None,
        prop,
        f"{arn!r} is not the ARN of a registered model version ({_VERSION_ARN_SHAPE})",
        "copy ModelPackageArn from the registry (aws sagemaker list-model-packages "
        "--model-package-group-name <group>), or from the approval event's "
        "detail.ModelPackageArn",
    )


@dataclass(frozen=True, slots=True)
class DataCapture:
    """What a ``ModelEndpoint`` captures of its requests and responses, for Model Monitor.

    Captured data goes to the endpoint's artifact store, under
    ``data-capture/<endpoint name>/``, encrypted with the store's key.

    Example::

        DataCapture(sampling_percentage=20, csv_content_types=["text/csv"])

    :param sampling_percentage: the percentage of requests captured, 0-100. Default: 100,
        every request and its response (the SageMaker SDK's ``DataCaptureConfig``, and the
        definition language's for ``EndpointConfig`` steps, default to 20): a monitor of an
        endpoint with little traffic needs all the rows it gets. The cost is S3's:
        SageMaker writes the records in batches (JSON Lines objects) under
        ``data-capture/``, about the size of the requests and responses, kept for the
        store's ``data_capture_retention`` (90 days by default), and each monitoring run
        reads them. Lower it for an endpoint with much traffic, where a sample describes the
        requests as well.
    :param capture_input: capture the requests. Default: True.
    :param capture_output: capture the responses. Default: True.
    :param csv_content_types: content types captured as CSV text rather than base64.
        Default: none (SageMaker base64-encodes what it captures).
    :param json_content_types: content types captured as JSON text rather than base64.
        Default: none.
    """

    sampling_percentage: int = 100
    capture_input: bool = True
    capture_output: bool = True
    csv_content_types: Sequence[str] = ()
    json_content_types: Sequence[str] = ()

    def __post_init__(self) -> None:
        """Check each field as CreateEndpointConfig would, naming it."""
        problems: list[Problem | None] = [
            _percentage_problem(self.sampling_percentage),
            expect_bool("capture_input", self.capture_input),
            expect_bool("capture_output", self.capture_output),
            _content_types_problem("csv_content_types", self.csv_content_types),
            _content_types_problem("json_content_types", self.json_content_types),
        ]
        if self.capture_input is False and self.capture_output is False:
            problems.append(
                PropProblem(
                    None,
                    "capture_output",
                    "capture_input and capture_output are both False: nothing would be captured",
                    "leave data_capture out of the ModelEndpoint instead",
                )
            )
        raise_for(problems, "DataCapture")
        # Kept as tuples: a frozen value, whatever sequence was given.
        object.__setattr__(self, "csv_content_types", tuple(self.csv_content_types))
        object.__setattr__(self, "json_content_types", tuple(self.json_content_types))

    def _render(
        self, destination: str, key_arn: str
    ) -> sagemaker.CfnEndpointConfig.DataCaptureConfigProperty:
        """The EndpointConfig's ``DataCaptureConfig``."""
        modes = [
            mode
            for mode, wanted in (("Input", self.capture_input), ("Output", self.capture_output))
            if wanted
        ]
        header = (
            sagemaker.CfnEndpointConfig.CaptureContentTypeHeaderProperty(
                csv_content_types=list(self.csv_content_types) or None,
                json_content_types=list(self.json_content_types) or None,
            )
            if self.csv_content_types or self.json_content_types
            else None
        )
        return sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
            enable_capture=True,
            initial_sampling_percentage=self.sampling_percentage,
            destination_s3_uri=destination,
            kms_key_id=key_arn,
            capture_options=[
                sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=mode)
                for mode in modes
            ],
            capture_content_type_header=header,
        )


def _percentage_problem(value: object) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int):
        # A fraction (0.2) is likelier meant as its percentage than as 0.2 percent.
        percent = value * 100 if isinstance(value, float) and 0 < value < 1 else None
        return PropProblem(
            None,
            "sampling_percentage",
            f"expected a whole number of percent, 0-100, got {describe(value)}",
            f"sampling_percentage={percent:.0f} for {percent:.0f}% of requests"
            if percent is not None and round(percent, 6).is_integer()  # 0.07 * 100 is 7.000…1
            else None,
        )
    if not 0 <= value <= 100:
        return PropProblem(
            None, "sampling_percentage", f"expected 0-100 percent of requests, got {value}"
        )
    return None


def _content_types_problem(prop: str, values: object) -> Problem | None:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        hint = f"write [{values!r}]" if isinstance(values, str) else None
        return PropProblem(None, prop, f"expected a list of strings, got {describe(values)}", hint)
    wrong = [value for value in values if not isinstance(value, str)]
    if wrong:
        return PropProblem(
            None, prop, f"expected a list of strings, got {describe(wrong[0])} in it"
        )
    if len(values) > MAX_CONTENT_TYPES:
        return PropProblem(
            None, prop, f"{len(values)} content types, more than SageMaker's {MAX_CONTENT_TYPES}"
        )
    bad = [value for value in values if not _CONTENT_TYPE.fullmatch(value) or len(value) > 256]
    if bad:
        return PropProblem(
            None,
            prop,
            f"{', '.join(repr(value) for value in bad)}: expected content types such as "
            "'text/csv' or 'application/json'",
        )
    return None


# -- several variants: A/B tests and shadow tests ---------------------------------------------


@dataclass(frozen=True, slots=True)
class EndpointVariant:
    """Another variant of a ``ModelEndpoint``: a registered version on instances of its own.

    In ``ModelEndpoint(variants=[…])`` a production variant beside the endpoint's own: an
    A/B test, each production variant answering its ``initial_weight``'s share of the
    requests (weights 9 and 1: a tenth to this one). As ``ModelEndpoint(shadow=…)`` the
    endpoint's shadow variant: a shadow test, SageMaker copying requests to it and
    discarding its responses, so its metrics (and captured data) can be compared with the
    production variant's before it takes any traffic. The endpoint creates a model of its
    own from the version (``<name>Model``), with the endpoint's execution role, network and
    isolation; the variant's metrics and auto scaling take its name
    (``endpoint.metric_model_latency(variant="Challenger")``,
    ``endpoint.add_auto_scaling(…, variant="Challenger")``). Checked when created, naming the
    field; the endpoint checks the rest (region, account, registry) naming
    ``variants[i].<field>`` or ``shadow.<field>``.

    Example::

        EndpointVariant(name="Challenger", model_package_arn=challenger_arn, initial_weight=1)

    :param name: the variant's name (``VariantName``): 1-63 letters, digits and hyphens,
        starting and ending with a letter or digit, unique in the endpoint, literal.
    :param model_package_arn: the registered version it serves, as ``ModelEndpoint``'s
        (a version of the stack's region; a literal ARN or a token).
    :param instance_type: Default: the endpoint's ``instance_type``.
    :param initial_instance_count: Default: the endpoint's ``initial_instance_count``.
    :param initial_weight: a production variant's share of the requests, relative to the
        other production variants' weights (``InitialVariantWeight``), 0 or more. A shadow
        variant's: the share of the production variant's requests copied to it, relative to
        that variant's weight (1 against 1: every request). Default: 1.
    :param model_store: where the version's model data lives. Default: the endpoint's
        ``model_store`` (itself Default ``artifact_store``); required for a version of
        another account unless the endpoint has one.
    :param registry: the registry of the version's group, if this app has it (its checks
        as for the endpoint's version). Default: the endpoint's ``registry``.
    :param image_repositories: the ECR repositories of the version's image, when it is an
        image of your own that the endpoint's ``image_repositories`` don't list: the
        execution role may pull from them too. Default: none.
    :param model_data_download_timeout: as ``ModelEndpoint``'s, for this variant. Default:
        SageMaker's. This and the next three are the variant's own, never the endpoint's:
        a variant of another model or instance type may need others, and ``None`` couldn't
        undo a value it took.
    :param container_startup_health_check_timeout: as ``ModelEndpoint``'s. Default:
        SageMaker's.
    :param volume_size_in_gb: as ``ModelEndpoint``'s, refused for an instance type with
        NVMe instance storage (the variant's ``instance_type``, or the endpoint's it takes).
        Default: SageMaker's, for the instance type.
    :param inference_ami_version: as ``ModelEndpoint``'s. Default: SageMaker's.
    """

    name: str
    model_package_arn: str
    instance_type: str | None = None
    initial_instance_count: int | None = None
    initial_weight: float = 1
    model_store: ArtifactStore | None = None
    registry: ModelRegistry | None = None
    image_repositories: Sequence[ecr.IRepository] = ()
    model_data_download_timeout: Duration | None = None
    container_startup_health_check_timeout: Duration | None = None
    volume_size_in_gb: int | None = None
    inference_ami_version: str | None = None

    def __post_init__(self) -> None:
        """Check each field as CreateEndpointConfig and CreateModel would, naming it."""
        problems: list[Problem | None] = [
            _variant_name_problem(self.name),
            expect_str("model_package_arn", self.model_package_arn, optional=False)
            or _version_arn_problem("model_package_arn", self.model_package_arn),
            None if self.instance_type is None else _instance_type_problem(self.instance_type),
            None
            if self.initial_instance_count is None
            else _count_problem(self.initial_instance_count),
            _weight_problem("initial_weight", self.initial_weight),
            _store_problem("model_store", self.model_store, optional=True),
            _registry_type_problem(self.registry),
            _repositories_problem(self.image_repositories),
            *_instance_settings_problems(
                self.model_data_download_timeout,
                self.container_startup_health_check_timeout,
                self.volume_size_in_gb,
                self.inference_ami_version,
            ),
        ]
        raise_for(
            problems,
            f"EndpointVariant {self.name!r}" if isinstance(self.name, str) else "EndpointVariant",
        )
        # A frozen value, whatever sequence was given.
        object.__setattr__(self, "image_repositories", tuple(self.image_repositories))


@dataclass(frozen=True, slots=True)
class _Served:
    """One variant the endpoint serves, the endpoint's defaults filled in.

    ``prefix`` starts the names of its props in messages: ``""`` for the endpoint's own
    variant, ``variants[0].`` or ``shadow.``. ``model_store`` is the store given (the
    variant's, else the endpoint's ``model_store``): None for ``artifact_store``.
    """

    prefix: str
    name: str
    model_package_arn: str
    instance_type: str | None
    initial_instance_count: int | None
    weight: float
    model_store: ArtifactStore | None
    registry: ModelRegistry | None
    is_shadow: bool = False
    model_data_download_timeout: Duration | None = None
    container_startup_health_check_timeout: Duration | None = None
    volume_size_in_gb: int | None = None
    inference_ami_version: str | None = None

    @property
    def construct_id(self) -> str:
        """The id of its ``CfnModel``: ``Model`` for the endpoint's own, else ``<name>Model``."""
        return "Model" if not self.prefix else f"{self.name}Model"


def _variant_name_problem(name: object) -> Problem | None:
    """An ``EndpointVariant``'s name: a literal ``VariantName`` (it names constructs)."""
    problem = _name_problem("name", name, optional=False)
    if problem is not None or not is_unresolved(name):
        return problem
    return PropProblem(
        None,
        "name",
        "a token: the variant's name makes the id of its model (<name>Model), of its scalable "
        "target and the VariantName of its metrics, which must be known at synth",
        "give a literal name, such as 'Challenger'",
    )


def _weight_problem(prop: str, weight: object) -> Problem | None:
    """A variant's weight: a number, 0 or more (tokens pass)."""
    if is_unresolved(weight):
        return None
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        return PropProblem(
            None,
            prop,
            f"expected a weight, a number 0 or more, got {describe(weight)}",
            f"{prop}=1",
        )
    if not math.isfinite(weight) or weight < 0:
        return PropProblem(
            None,
            prop,
            f"expected a weight of 0 or more, got {weight}: SageMaker shares the requests "
            "between production variants in proportion to their weights",
        )
    return None


def _registry_type_problem(registry: object) -> Problem | None:
    if registry is None or isinstance(registry, ModelRegistry):
        return None
    return PropProblem(None, "registry", f"expected a ModelRegistry, got {describe(registry)}")


def _variants_problem(variants: object) -> Problem | None:
    """``variants=``: a list of ``EndpointVariant`` (a lone one is wrapped by the hint)."""
    if isinstance(variants, (list, tuple)) and all(
        isinstance(variant, EndpointVariant) for variant in variants
    ):
        return None
    if isinstance(variants, EndpointVariant):
        return PropProblem(
            None,
            "variants",
            f"expected a list of EndpointVariant, got a single one ({variants.name!r})",
            "write variants=[EndpointVariant(…)]",
        )
    wrong = (
        next((v for v in variants if not isinstance(v, EndpointVariant)), None)
        if isinstance(variants, (list, tuple))
        else variants
    )
    return PropProblem(
        None,
        "variants",
        f"expected a list of EndpointVariant, got {describe(wrong)}"
        + (" in it" if isinstance(variants, (list, tuple)) else ""),
        "variants=[EndpointVariant(name='Challenger', model_package_arn=…)]",
    )


def _shadow_problem(shadow: object) -> Problem | None:
    if shadow is None or isinstance(shadow, EndpointVariant):
        return None
    return PropProblem(
        None,
        "shadow",
        f"expected an EndpointVariant, got {describe(shadow)}",
        "shadow=EndpointVariant(name='Shadow', model_package_arn=…)",
    )


def _variant_set_problems(
    variant_name: str,
    initial_weight: float,
    variants: Sequence[EndpointVariant],
    shadow: EndpointVariant | None,
) -> list[Problem | None]:
    """What CreateEndpointConfig refuses of the variants together: their number, names, weights."""
    problems: list[Problem | None] = []
    if len(variants) + 1 > MAX_PRODUCTION_VARIANTS:
        problems.append(
            PropProblem(
                None,
                "variants",
                f"{len(variants)} variants beside the endpoint's own make {len(variants) + 1} "
                f"production variants, more than SageMaker's {MAX_PRODUCTION_VARIANTS} "
                "(CreateEndpointConfig's ProductionVariants)",
                f"test {MAX_PRODUCTION_VARIANTS - 1} challengers at most at a time",
            )
        )
    if shadow is not None and variants:
        problems.append(
            PropProblem(
                None,
                "shadow",
                f"a shadow variant beside {len(variants) + 1} production variants: SageMaker "
                "takes a shadow variant beside one production variant only (CreateEndpointConfig: "
                "with ShadowProductionVariants, one variant in ProductionVariants)",
                "run the A/B test and the shadow test one after the other, or on two endpoints",
            )
        )
    named = [("variant_name", variant_name)]
    named += [(f"variants[{index}].name", variant.name) for index, variant in enumerate(variants)]
    if shadow is not None:
        named.append(("shadow.name", shadow.name))
    first: dict[str, str] = {}
    for prop, name in named:
        if is_unresolved(name):
            continue
        if name in first:
            problems.append(
                PropProblem(
                    None,
                    prop,
                    f"{name!r} is the name of {first[name]} too: each variant of an endpoint "
                    "needs a name of its own (its metrics and its scaling are the variant's)",
                )
            )
        else:
            first[name] = prop
    weights = [initial_weight, *(variant.initial_weight for variant in variants)]
    if not any(is_unresolved(weight) for weight in weights) and not any(weights):
        problems.append(
            PropProblem(
                None,
                "initial_weight",
                "every production variant has weight 0"
                + (" (initial_weight and each of variants')" if variants else "")
                + ": SageMaker would send the requests to none of them",
                "give the variant that should answer initial_weight=1 or more",
            )
        )
    return problems


def _served_variants(
    own: _Served, variants: Sequence[EndpointVariant], shadow: EndpointVariant | None
) -> list[_Served]:
    """The endpoint's own variant, then ``variants``, then ``shadow``, defaults filled in.

    A variant without ``instance_type``, ``initial_instance_count``, ``model_store`` or
    ``registry`` takes the endpoint's; its settings for large models are its own.
    """

    def served(prefix: str, variant: EndpointVariant, is_shadow: bool) -> _Served:
        return _Served(
            prefix,
            variant.name,
            variant.model_package_arn,
            own.instance_type if variant.instance_type is None else variant.instance_type,
            own.initial_instance_count
            if variant.initial_instance_count is None
            else variant.initial_instance_count,
            variant.initial_weight,
            own.model_store if variant.model_store is None else variant.model_store,
            own.registry if variant.registry is None else variant.registry,
            is_shadow,
            # The variant's own (see EndpointVariant): never the endpoint's.
            variant.model_data_download_timeout,
            variant.container_startup_health_check_timeout,
            variant.volume_size_in_gb,
            variant.inference_ami_version,
        )

    found = [own]
    found += [served(f"variants[{index}].", v, False) for index, v in enumerate(variants)]
    if shadow is not None:
        found.append(served("shadow.", shadow, True))
    return found


def _shadow_instance_problems(
    instance_type: str | None, shadow: EndpointVariant | None
) -> list[Problem | None]:
    """A shadow variant on an endpoint that uses Inf1 instances, which shadow tests exclude.

    The shadow tests guide's exclusions: "If your endpoint uses any of the following
    features you cannot use shadow tests on your endpoint, and your request to setup shadow
    tests will lead to validation errors", Inf1 instances among them. Named where the type
    is given: the endpoint's ``instance_type`` (which a shadow without one takes too) or
    ``shadow.instance_type``.
    """
    if shadow is None:
        return []
    return [
        PropProblem(
            None,
            prop,
            f"{given} is an Inferentia 1 instance type, and SageMaker's shadow tests exclude "
            "endpoints that use Inf1 instances (the shadow tests guide's exclusions: the "
            "request fails validation)",
            "choose another instance type for both variants (ml.inf2.* for Inferentia), or "
            "leave shadow out",
        )
        for prop, given in (
            ("instance_type", instance_type),
            ("shadow.instance_type", shadow.instance_type),
        )
        if given is not None
        and not is_unresolved(given)
        and instance_family(given) in SHADOW_EXCLUDED_FAMILIES
    ]


def _warn_of_shadow_deployment(endpoint: Construct) -> None:
    """Deployment guardrails on an endpoint with a shadow variant: undocumented, warned.

    The guardrails guide's exclusions name multi-variant endpoints for rolling deployments,
    not shadow variants; the shadow variant guides name no deployment configuration.
    """
    Annotations.of(endpoint).add_warning_v2(
        f"{WARNING_PREFIX}:shadow-variant-deployment",
        "props 'deployment' and 'shadow': SageMaker's deployment guardrails guide says nothing "
        "of endpoints with a shadow variant (its exclusions name Marketplace containers, Inf1 "
        "instances and, for rolling deployments, serverless and multi-variant endpoints), so "
        "whether SageMaker shifts, bakes and rolls back the shadow variant with the "
        "production one, falls back to all at once, or refuses the update is not known at "
        "synth. Try the update on an endpoint outside production first (or deploy the shadow "
        "test without deployment=), then acknowledge this warning.",
    )


# -- serverless endpoints ---------------------------------------------------------------------


def _serverless_problem(serverless: object) -> Problem | None:
    """A ``serverless=`` that isn't a ``ServerlessConfig`` of numbers (the language's class)."""
    if serverless is None:
        return None
    if not isinstance(serverless, ServerlessConfig):
        return PropProblem(
            None,
            "serverless",
            f"expected a ServerlessConfig, got {describe(serverless)}",
            "ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5)",
        )
    expressions = [
        field
        for field in ("memory_size_in_mb", "max_concurrency", "provisioned_concurrency")
        if isinstance(getattr(serverless, field), Expression)
    ]
    if expressions:
        return PropProblem(
            None,
            "serverless",
            f"{', '.join(expressions)} is a pipeline expression, which only a pipeline's "
            "steps resolve: an endpoint of the app takes numbers (or CloudFormation tokens)",
            "ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5)",
        )
    return None


def _serverless_property(
    serverless: ServerlessConfig,
) -> sagemaker.CfnEndpointConfig.ServerlessConfigProperty:
    """The production variant's ``ServerlessConfig`` (its values are numbers: checked above)."""
    return sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
        memory_size_in_mb=cast(int, serverless.memory_size_in_mb),
        max_concurrency=cast(int, serverless.max_concurrency),
        provisioned_concurrency=cast("int | None", serverless.provisioned_concurrency),
    )


# -- asynchronous inference -------------------------------------------------------------------

ASYNC_INFERENCE_PREFIX = "async-inference/"
"""Where an asynchronous endpoint's requests, results and failures go in its store's bucket
(``async-inference/<endpoint name>/input/``, ``output/``, ``failures/``)."""
# Results are fetched once their notification arrives (or the caller polls): a week is
# ample, and requests and results may hold personal data, as captured data does.
ASYNC_INFERENCE_RETENTION = days(7)
# AsyncInferenceClientConfig.MaxConcurrentInvocationsPerInstance, from botocore's model.
_MAX_CONCURRENT_BOUNDS: tuple[int, int] = (
    shape("MaxConcurrentInvocationsPerInstance")["min"],
    shape("MaxConcurrentInvocationsPerInstance")["max"],
)
# AsyncInferenceNotificationConfig.IncludeInferenceResponseIn's values, per topic.
_RESPONSE_IN = dict(
    zip(
        ("success_topic", "error_topic"),
        shape("AsyncNotificationTopicTypes")["enum"],
        strict=True,
    )
)
# The asynchronous endpoint's metrics in AWS/SageMaker, of dimension EndpointName alone
# (SageMaker's guide, "Alarms and logs for tracking metrics from asynchronous endpoints").
ASYNC_ENDPOINT_METRICS = (
    "ApproximateBacklogSize",
    "ApproximateBacklogSizePerInstance",
    "ApproximateAgeOfOldestRequest",
    "HasBacklogWithoutCapacity",
)
# "Any metric not listed below is not published if the endpoint is enabled for asynchronous
# inference. Such metrics include (but are not limited to): OverheadLatency, Invocations,
# InvocationsPerInstance" (the same guide): an alarm on them would never fire.
ASYNC_UNPUBLISHED_METRICS = ("Invocations", "InvocationsPerInstance", "OverheadLatency")


@dataclass(frozen=True, slots=True)
class AsyncInference:
    """Asynchronous inference for a ``ModelEndpoint``: queued requests, results in S3.

    Callers upload a request under ``async-inference/<endpoint>/input/`` of the endpoint's
    artifact store and call ``InvokeEndpointAsync`` with its location
    (``ModelEndpoint.grant_invoke_async`` allows both); SageMaker queues it, and writes the
    result under ``async-inference/<endpoint>/output/`` (a failure under ``failures/``),
    encrypted with the store's key, then notifies the topics. For large payloads (up to
    1 GB) and long inference (up to an hour); ``add_async_auto_scaling`` scales the
    instances with the backlog, down to 0 when idle.

    Example::

        AsyncInference(max_concurrent_invocations_per_instance=4,
                       success_topic=results, error_topic=alerts,
                       retention=Duration.days(14))

    :param max_concurrent_invocations_per_instance: the requests SageMaker sends each
        instance's container at once, 1-1000. Default: SageMaker chooses.
    :param success_topic: the SNS topic notified of each result. Default: none (callers
        poll the output location).
    :param error_topic: the SNS topic notified of each failure. Default: none.
    :param include_inference_response: include the response (when it is 128 KB or less) in
        the topics' notifications. Default: False (the notification gives its location).
    :param retention: how long the store keeps the requests, results and failures under
        ``async-inference/<endpoint>/`` (an S3 lifecycle rule), whole days. Default: 7
        days; None: until deleted by hand.
    """

    max_concurrent_invocations_per_instance: int | None = None
    success_topic: sns.ITopic | None = None
    error_topic: sns.ITopic | None = None
    include_inference_response: bool = False
    retention: Duration | None = ASYNC_INFERENCE_RETENTION

    def __post_init__(self) -> None:
        """Check each field as CreateEndpointConfig would, naming it."""
        problems: list[Problem | None] = [
            _concurrency_problem(self.max_concurrent_invocations_per_instance),
            *(
                None
                if topic is None
                else expect_interface(
                    field,
                    topic,
                    "an sns.ITopic",
                    ("topic_arn",),
                    "sns.Topic(…), or sns.Topic.from_topic_arn(self, 'Results', arn)",
                )
                for field, topic in self._topics()
            ),
            expect_bool("include_inference_response", self.include_inference_response),
            _whole_days_problem("retention", self.retention),
        ]
        if self.include_inference_response is True and not self._topics():
            problems.append(
                PropProblem(
                    None,
                    "include_inference_response",
                    "no success_topic or error_topic to include the response in",
                    "give success_topic=, error_topic=, or leave include_inference_response out",
                )
            )
        raise_for(problems, "AsyncInference")

    def _topics(self) -> list[tuple[str, sns.ITopic]]:
        """The topics given, by field name (``success_topic``, ``error_topic``)."""
        return [
            (field, topic)
            for field, topic in (
                ("success_topic", self.success_topic),
                ("error_topic", self.error_topic),
            )
            if topic is not None
        ]

    def _render(
        self, location: str, key_arn: str
    ) -> sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty:
        """The EndpointConfig's ``AsyncInferenceConfig``; ``location`` ends with ``/``."""
        topics = dict(self._topics())
        notification = (
            sagemaker.CfnEndpointConfig.AsyncInferenceNotificationConfigProperty(
                success_topic=topics["success_topic"].topic_arn
                if "success_topic" in topics
                else None,
                error_topic=topics["error_topic"].topic_arn if "error_topic" in topics else None,
                include_inference_response_in=[_RESPONSE_IN[field] for field in topics]
                if self.include_inference_response
                else None,
            )
            if topics
            else None
        )
        concurrency = self.max_concurrent_invocations_per_instance
        return sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty(
            output_config=sagemaker.CfnEndpointConfig.AsyncInferenceOutputConfigProperty(
                s3_output_path=f"{location}output",
                s3_failure_path=f"{location}failures",
                kms_key_id=key_arn,
                notification_config=notification,
            ),
            client_config=None
            if concurrency is None
            else sagemaker.CfnEndpointConfig.AsyncInferenceClientConfigProperty(
                max_concurrent_invocations_per_instance=concurrency
            ),
        )


def _concurrency_problem(value: object) -> Problem | None:
    if value is None or is_unresolved(value):
        return None
    least, most = _MAX_CONCURRENT_BOUNDS
    if isinstance(value, bool) or not isinstance(value, int):
        return PropProblem(
            None,
            "max_concurrent_invocations_per_instance",
            f"expected a whole number of requests, {least}-{most}, got {describe(value)}",
        )
    if not least <= value <= most:
        return PropProblem(
            None,
            "max_concurrent_invocations_per_instance",
            f"expected {least}-{most} requests per instance, got {value}",
        )
    return None


def _async_inference_problem(async_inference: object) -> Problem | None:
    if async_inference is None or isinstance(async_inference, AsyncInference):
        return None
    return PropProblem(
        None,
        "async_inference",
        f"expected an AsyncInference, got {describe(async_inference)}",
        "AsyncInference(success_topic=topic)",
    )


def _async_combination_problems(
    serverless: object, shadow: object, variants: Sequence[object], has_async: bool
) -> list[Problem | None]:
    """What SageMaker refuses beside asynchronous inference, naming the prop."""
    if not has_async:
        return []
    problems: list[Problem | None] = []
    if variants:
        # An asynchronous endpoint config takes a single instance-based production variant
        # (aws-cdk-rfcs 0431, SageMaker's endpoint L2): CreateEndpointConfig refuses more,
        # at deploy time. InvokeEndpointAsync has no TargetVariant to choose one either.
        problems.append(
            PropProblem(
                None,
                "variants",
                "SageMaker's asynchronous inference takes a single production variant",
                "leave variants out (compare versions on a real-time endpoint), or "
                "async_inference out",
            )
        )
    if serverless is not None:
        # Asynchronous inference queues requests for instances (it scales them, to 0 too);
        # CreateEndpointConfig takes no AsyncInferenceConfig with a ServerlessConfig.
        problems.append(
            PropProblem(
                None,
                "serverless",
                "SageMaker's asynchronous inference runs on instances, not serverless",
                "leave serverless out (add_async_auto_scaling(min_capacity=0, …) scales the "
                "instances to 0 when idle), or async_inference out",
            )
        )
    if shadow is not None:
        # The shadow tests guide's "Exclusions": endpoints with asynchronous inference.
        problems.append(
            PropProblem(
                None,
                "shadow",
                "SageMaker's shadow tests exclude endpoints with asynchronous inference",
                "compare the versions with variants=[EndpointVariant(…)] (an A/B test), or "
                "leave async_inference out",
            )
        )
    return problems


def _topic_placement_problem(scope: Construct, field: str, topic: sns.ITopic) -> Problem | None:
    """A topic of another app or stage, as ``PipelineMonitoring``'s ``alarm_topic`` is judged."""
    prop = f"async_inference.{field}"
    return expect_same_app(
        prop,
        topic,
        root_of(scope),
        "create it in this app, or sns.Topic.from_topic_arn(self, 'Results', arn)",
    ) or other_stage_problem(
        prop,
        topic,
        scope,
        "the endpoint",
        "create the topic in a stack of this stage",
        "sns.Topic.from_topic_arn",
    )


def _topic_key(topic: sns.ITopic) -> kms.IKey | None:
    """The key an encrypted topic of this app (or a topic given its key) encrypts with."""
    key = getattr(topic, "master_key", None)
    if isinstance(key, kms.Alias):
        # An alias of this app: its key is the one to name (an alias ARN grants nothing).
        key = key.alias_target_key
    return key if key is not None and hasattr(key, "key_arn") else None


# -- deployment guardrails --------------------------------------------------------------------

_ALL_AT_ONCE, _CANARY, _LINEAR, _ROLLING = "ALL_AT_ONCE", "CANARY", "LINEAR", "ROLLING"
_STRATEGIES = (_ALL_AT_ONCE, _CANARY, _LINEAR, _ROLLING)
# What each step's size is called in the API, for messages.
_SIZE_NAMES = DEPLOYMENT_STEP_NAMES


@dataclass(frozen=True, slots=True)
class Deployment:
    """How SageMaker moves an endpoint to a new configuration: deployment guardrails.

    The Endpoint's ``DeploymentConfig``, used by each update CloudFormation makes (a new
    model version, instance type or capture setting). SageMaker starts the new fleet
    beside the old one, shifts traffic to it all at once, in a canary, or in linear steps
    (blue/green), or replaces the fleet batch by batch (rolling), watching the rollback
    alarms after each shift (the baking period, ``wait``): any alarm in ``ALARM`` rolls
    all traffic back to the old fleet, which keeps serving (the endpoint is ``InService``
    on the old configuration again). Create one with ``Deployment.all_at_once``,
    ``canary``, ``linear`` or ``rolling``.

    Example::

        Deployment.canary(percent=10, wait=Duration.minutes(5), rollback_alarms=[alarm])

    :param strategy: ``ALL_AT_ONCE``, ``CANARY``, ``LINEAR`` (blue/green traffic routing)
        or ``ROLLING``.
    :param wait: the baking period after each traffic shift, during which the rollback
        alarms are watched (``WaitIntervalInSeconds``): whole seconds, at most 1 hour.
    :param percent: the size of the canary, of each linear step or rolling batch, in
        percent of the variant's capacity. Either this or ``instances``.
    :param instances: the same, in instances.
    :param termination_wait: blue/green: how long the old fleet is kept once the new one
        takes all traffic (``TerminationWaitInSeconds``), at most 1 hour. Default: 0.
    :param timeout: the longest the deployment may take
        (``MaximumExecutionTimeoutInSeconds``), 10 minutes to 8 hours, longer than
        ``wait`` and ``termination_wait`` together. Default: SageMaker's.
    :param rollback_percent: rolling: the batch size of a rollback, in percent.
        Default: the whole old fleet at once.
    :param rollback_instances: the same, in instances.
    :param rollback_alarms: CloudWatch alarms of the endpoint's account and region, at
        most 10 (with those ``ModelEndpoint.add_rollback_alarm`` adds).
    """

    strategy: str
    wait: Duration
    percent: int | None = None
    instances: int | None = None
    termination_wait: Duration | None = None
    timeout: Duration | None = None
    rollback_percent: int | None = None
    rollback_instances: int | None = None
    rollback_alarms: Sequence[cloudwatch.IAlarm] = ()

    def __post_init__(self) -> None:
        """Check the arguments as UpdateEndpoint would, naming each."""
        strategy = self.strategy
        if strategy not in _STRATEGIES:
            raise_for(
                [
                    ArgumentProblem(
                        None,
                        "strategy",
                        f"expected one of {', '.join(_STRATEGIES)}, got {describe(strategy)}",
                        "Deployment.all_at_once(…), canary(…), linear(…) or rolling(…)",
                    )
                ],
                "Deployment",
            )
        problems: list[Problem | None] = [
            _seconds_problem("wait", self.wait, 0, MAX_BAKING_SECONDS, optional=False),
            _seconds_problem("termination_wait", self.termination_wait, 0, MAX_BAKING_SECONDS),
            _seconds_problem("timeout", self.timeout, MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS),
            *self._size_problems(),
            *_alarm_list_problems(self.rollback_alarms),
        ]
        if strategy == _ROLLING and self.termination_wait is not None:
            problems.append(
                ArgumentProblem(
                    None,
                    "termination_wait",
                    "a rolling deployment terminates the old instances batch by batch: it "
                    "keeps no old fleet to wait for (RollingUpdatePolicy has no "
                    "TerminationWaitInSeconds)",
                    "leave termination_wait out, or use a blue/green Deployment.linear(…)",
                )
            )
        if not any(problems):
            problems.append(self._timeout_problem())
        raise_for(problems, f"Deployment.{strategy.lower()}")
        # A frozen value, whatever sequence was given.
        object.__setattr__(self, "rollback_alarms", tuple(self.rollback_alarms))

    @classmethod
    @check_keywords
    def all_at_once(
        cls,
        *,
        wait: Duration,
        termination_wait: Duration | None = None,
        timeout: Duration | None = None,
        rollback_alarms: Sequence[cloudwatch.IAlarm] = (),
    ) -> Deployment:
        """Blue/green, all traffic to the new fleet in one shift, then a baking period.

        Example::

            Deployment.all_at_once(wait=Duration.minutes(10), rollback_alarms=[alarm])
        """
        return cls(
            _ALL_AT_ONCE,
            wait,
            termination_wait=termination_wait,
            timeout=timeout,
            rollback_alarms=rollback_alarms,
        )

    @classmethod
    @check_keywords
    def canary(
        cls,
        *,
        wait: Duration,
        percent: int | None = None,
        instances: int | None = None,
        termination_wait: Duration | None = None,
        timeout: Duration | None = None,
        rollback_alarms: Sequence[cloudwatch.IAlarm] = (),
    ) -> Deployment:
        """Blue/green, a canary of the new fleet first (at most half of it), then the rest.

        Example::

            Deployment.canary(percent=10, wait=Duration.minutes(5), rollback_alarms=[alarm])
        """
        return cls(
            _CANARY,
            wait,
            percent=percent,
            instances=instances,
            termination_wait=termination_wait,
            timeout=timeout,
            rollback_alarms=rollback_alarms,
        )

    @classmethod
    @check_keywords
    def linear(
        cls,
        *,
        wait: Duration,
        percent: int | None = None,
        instances: int | None = None,
        termination_wait: Duration | None = None,
        timeout: Duration | None = None,
        rollback_alarms: Sequence[cloudwatch.IAlarm] = (),
    ) -> Deployment:
        """Blue/green, traffic shifted in equal steps of 10-50% of the new fleet.

        Example::

            Deployment.linear(percent=20, wait=Duration.minutes(5), rollback_alarms=[alarm])
        """
        return cls(
            _LINEAR,
            wait,
            percent=percent,
            instances=instances,
            termination_wait=termination_wait,
            timeout=timeout,
            rollback_alarms=rollback_alarms,
        )

    @classmethod
    @check_keywords
    def rolling(
        cls,
        *,
        wait: Duration,
        percent: int | None = None,
        instances: int | None = None,
        rollback_percent: int | None = None,
        rollback_instances: int | None = None,
        timeout: Duration | None = None,
        rollback_alarms: Sequence[cloudwatch.IAlarm] = (),
    ) -> Deployment:
        """Rolling: the fleet replaced in batches of 5-50% of it, not a whole second fleet.

        Fewer instances at a time than blue/green (for large or scarce instance types);
        not for serverless endpoints.

        Example::

            Deployment.rolling(percent=25, wait=Duration.minutes(5), rollback_alarms=[alarm])
        """
        return cls(
            _ROLLING,
            wait,
            percent=percent,
            instances=instances,
            timeout=timeout,
            rollback_percent=rollback_percent,
            rollback_instances=rollback_instances,
            rollback_alarms=rollback_alarms,
        )

    @property
    def is_blue_green(self) -> bool:
        """Whether the deployment starts a second fleet (all at once, canary, linear)."""
        return self.strategy != _ROLLING

    def _size_problems(self) -> list[Problem | None]:
        """One size for canary, linear and rolling, none for all at once, in bounds.

        Each value given is judged first, so a wrong one is named even when both of a pair
        are given.
        """
        strategy = self.strategy
        bounds = _STEP_PERCENT.get(strategy, (1, 100))
        judged = {
            "percent": _percent_problem(
                "percent", self.percent, *bounds, _SIZE_NAMES.get(strategy, "step")
            ),
            "instances": _instances_problem("instances", self.instances),
            "rollback_percent": _percent_problem(
                "rollback_percent", self.rollback_percent, 1, 100, "rollback batch"
            ),
            "rollback_instances": _instances_problem("rollback_instances", self.rollback_instances),
        }
        problems: list[Problem | None] = []
        given = [name for name in ("percent", "instances") if getattr(self, name) is not None]
        if strategy == _ALL_AT_ONCE:
            problems += [
                ArgumentProblem(
                    None, name, "all at once shifts all traffic in one step: it takes no size"
                )
                for name in given
            ]
        elif not given:
            problems.append(
                ArgumentProblem(
                    None,
                    "percent",
                    f"the {_SIZE_NAMES[strategy]}'s size is missing: give percent (of the "
                    "variant's capacity) or instances",
                    f"Deployment.{strategy.lower()}(percent={bounds[1] // 2}, …)",
                )
            )
        else:
            problems += [judged[name] for name in given]
            if len(given) == 2 and not any(problems):
                problems.append(
                    ArgumentProblem(
                        None, "instances", "percent and instances both given: give one of them"
                    )
                )
        rollback = [
            name
            for name in ("rollback_percent", "rollback_instances")
            if getattr(self, name) is not None
        ]
        if rollback and strategy != _ROLLING:
            problems += [
                ArgumentProblem(
                    None,
                    name,
                    "a blue/green rollback moves all traffic back to the old fleet at once: "
                    "only a rolling deployment rolls back in batches",
                )
                for name in rollback
            ]
        elif rollback:
            found = [judged[name] for name in rollback if judged[name] is not None]
            problems += found
            if len(rollback) == 2 and not found:
                problems.append(
                    ArgumentProblem(
                        None,
                        "rollback_instances",
                        "rollback_percent and rollback_instances both given: give one of them",
                    )
                )
        return problems

    def _timeout_problem(self) -> Problem | None:
        """SageMaker: the timeout should be larger than the waits it includes."""
        if self.timeout is None or any(
            duration.is_unresolved()
            for duration in (self.timeout, self.wait, self.termination_wait)
            if duration is not None
        ):
            return None
        waits = _seconds(self.wait) + (
            0 if self.termination_wait is None else _seconds(self.termination_wait)
        )
        timeout = _seconds(self.timeout)
        if timeout > waits:
            return None
        return ArgumentProblem(
            None,
            "timeout",
            f"{timeout} seconds is not longer than wait and termination_wait together "
            f"({waits} seconds): SageMaker asks for a timeout larger than the waits it includes",
            f"timeout=Duration.seconds({max(MIN_TIMEOUT_SECONDS, waits + 1)}) or more",
        )

    def _sizes_in_instances(self) -> list[tuple[str, int]]:
        """The sizes given in instances, literal: (argument, instances)."""
        return [
            (name, value)
            for name, value in (
                ("instances", self.instances),
                ("rollback_instances", self.rollback_instances),
            )
            if isinstance(value, int) and not is_unresolved(value)
        ]

    def _render(
        self, alarms: Sequence[cloudwatch.IAlarm]
    ) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
        """The Endpoint's ``DeploymentConfig``, with ``alarms`` to roll back on."""
        cfn = sagemaker.CfnEndpoint
        size = _capacity(self.percent, self.instances)
        rollback = (
            None
            if self.strategy != _ROLLING
            else _capacity(self.rollback_percent, self.rollback_instances)
        )
        timeout = None if self.timeout is None else _seconds(self.timeout)
        wait = _seconds(self.wait)
        return cfn.DeploymentConfigProperty(
            blue_green_update_policy=None
            if self.strategy == _ROLLING
            else cfn.BlueGreenUpdatePolicyProperty(
                traffic_routing_configuration=cfn.TrafficRoutingConfigProperty(
                    type=self.strategy,
                    wait_interval_in_seconds=wait,
                    canary_size=size if self.strategy == _CANARY else None,
                    linear_step_size=size if self.strategy == _LINEAR else None,
                ),
                termination_wait_in_seconds=None
                if self.termination_wait is None
                else _seconds(self.termination_wait),
                maximum_execution_timeout_in_seconds=timeout,
            ),
            rolling_update_policy=None
            if self.strategy != _ROLLING
            else cfn.RollingUpdatePolicyProperty(
                # A rolling deployment has a size (checked when created).
                maximum_batch_size=cast(sagemaker.CfnEndpoint.CapacitySizeProperty, size),
                wait_interval_in_seconds=wait,
                maximum_execution_timeout_in_seconds=timeout,
                rollback_maximum_batch_size=rollback,
            ),
            auto_rollback_configuration=cfn.AutoRollbackConfigProperty(
                alarms=[cfn.AlarmProperty(alarm_name=alarm.alarm_name) for alarm in alarms]
            )
            if alarms
            else None,
        )


def _capacity(
    percent: int | None, instances: int | None
) -> sagemaker.CfnEndpoint.CapacitySizeProperty | None:
    """A ``CapacitySize`` of percent or instances, or None for neither."""
    if percent is not None:
        return sagemaker.CfnEndpoint.CapacitySizeProperty(type="CAPACITY_PERCENT", value=percent)
    if instances is not None:
        return sagemaker.CfnEndpoint.CapacitySizeProperty(type="INSTANCE_COUNT", value=instances)
    return None


def _seconds(duration: Duration) -> int:
    """A duration of whole seconds (checked before), in seconds."""
    return int(duration.to_seconds())


def _seconds_problem(
    argument: str, value: object, least: int, most: int, *, optional: bool = True
) -> Problem | None:
    """A ``Duration`` of whole seconds between ``least`` and ``most`` seconds (tokens pass)."""
    if value is None and optional:
        return None
    if not isinstance(value, Duration):
        return ArgumentProblem(
            None, argument, f"expected a Duration, got {describe(value)}", "Duration.minutes(5)"
        )
    if value.is_unresolved():
        return None
    seconds = value.to_seconds(integral=False)
    if seconds != int(seconds):
        return ArgumentProblem(
            None,
            argument,
            f"SageMaker counts it in whole seconds, got {value.to_human_string()}",
            f"Duration.seconds({max(least, round(seconds))})",
        )
    if not least <= seconds <= most:
        return ArgumentProblem(
            None,
            argument,
            f"expected {_human_seconds(least)} to {_human_seconds(most)}, got "
            f"{value.to_human_string()}",
        )
    return None


def _human_seconds(seconds: int) -> str:
    """``3600`` -> ``1 hour``; ``600`` -> ``10 minutes``; ``0`` -> ``0 seconds``."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _percent_problem(
    argument: str, value: object, least: int, most: int, what: str
) -> Problem | None:
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return ArgumentProblem(
            None, argument, f"expected a whole number of percent, got {describe(value)}"
        )
    if not least <= value <= most:
        return ArgumentProblem(
            None,
            argument,
            f"SageMaker takes a {what} of {least}-{most}% of the variant's capacity, got {value}%",
            f"{argument}={most} or less" if value > most else f"{argument}={least} or more",
        )
    return None


def _instances_problem(argument: str, value: object) -> Problem | None:
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return ArgumentProblem(
            None, argument, f"expected a whole number of instances, got {describe(value)}"
        )
    if value < 1:
        return ArgumentProblem(None, argument, f"expected at least 1 instance, got {value}")
    return None


def _alarm_problem(argument: str, alarm: object) -> Problem | None:
    """A ``cloudwatch.IAlarm`` (its name is what SageMaker watches)."""
    problem = expect_interface(
        argument,
        alarm,
        "a cloudwatch.IAlarm",
        ("alarm_name", "alarm_arn"),
        "an alarm of the endpoint's metrics (endpoint.metric_invocation_5xx_errors()"
        ".create_alarm(…)), or cloudwatch.Alarm.from_alarm_name(self, 'Errors', name)",
    )
    return (
        None if problem is None else ArgumentProblem(None, argument, problem.message, problem.hint)
    )


def _alarm_list_problems(alarms: object) -> list[Problem | None]:
    """A list of at most 10 different alarms."""
    if isinstance(alarms, (str, Mapping)) or not isinstance(alarms, (list, tuple)):
        return [
            ArgumentProblem(
                None,
                "rollback_alarms",
                f"expected a list of cloudwatch.IAlarm, got {describe(alarms)}",
                "rollback_alarms=[alarm]",
            )
        ]
    problems: list[Problem | None] = [_alarm_problem("rollback_alarms", alarm) for alarm in alarms]
    if any(problems):
        return problems
    if len(alarms) > MAX_ROLLBACK_ALARMS:
        problems.append(
            ArgumentProblem(
                None,
                "rollback_alarms",
                f"{len(alarms)} alarms, more than SageMaker's {MAX_ROLLBACK_ALARMS}",
                "combine alarms in a cloudwatch.CompositeAlarm",
            )
        )
    problems += _duplicate_alarm_problems("rollback_alarms", alarms, ())
    return problems


def _duplicate_alarm_problems(
    argument: str, new: Sequence[object], existing: Sequence[object]
) -> list[Problem | None]:
    """Alarms listed twice (the same alarm, or the same literal name)."""
    seen: list[object] = list(existing)
    problems: list[Problem | None] = []
    for alarm in new:
        name = getattr(alarm, "alarm_name", None)
        if any(alarm is other or name == getattr(other, "alarm_name", None) for other in seen):
            problems.append(
                ArgumentProblem(
                    None,
                    argument,
                    f"{describe(alarm)} is listed twice as a rollback alarm",
                )
            )
        seen.append(alarm)
    return problems


def _serverless_problems(
    instance_type: object,
    initial_instance_count: object,
    data_capture: object,
    vpc: object,
    enable_network_isolation: object,
    variants: Sequence[EndpointVariant] = (),
    shadow: EndpointVariant | None = None,
    instance_settings: Mapping[str, object] | None = None,
) -> list[Problem | None]:
    """What SageMaker Serverless Inference doesn't support, given with ``serverless``.

    The Serverless Inference guide's feature exclusions: no instances, GPUs, data capture
    (nor Model Monitor), VPC configuration, network isolation or several production
    variants; the shadow tests guide's exclusions list serverless inference among the
    features of an endpoint that can't take a shadow variant. ``instance_settings`` (prop
    to value) are those of ``_INSTANCE_SETTINGS``: the timeouts, volume and AMI of the
    instances a serverless variant doesn't have (the SageMaker SDK leaves the timeouts and
    the volume out of a serverless variant, and the language's ``ProductionVariant``
    refuses them there; the AMI is the instances' too).
    """
    excluded = "SageMaker Serverless Inference doesn't support"
    instead = "leave it out, or leave serverless out for an endpoint on instances"
    conflicts = [
        (
            "instance_type",
            instance_type is not None,
            "a serverless endpoint has no instances: serverless= gives its memory and "
            "concurrency instead",
        ),
        (
            "initial_instance_count",
            initial_instance_count is not None,
            "a serverless endpoint has no instances: it scales its concurrency up to "
            "max_concurrency itself",
        ),
        ("data_capture", data_capture is not None, f"{excluded} data capture (nor Model Monitor)"),
        ("vpc", vpc is not None, f"{excluded} a VPC configuration"),
        (
            "enable_network_isolation",
            enable_network_isolation is True,
            f"{excluded} network isolation",
        ),
        ("variants", bool(variants), f"{excluded} several production variants"),
        (
            "shadow",
            shadow is not None,
            "SageMaker's shadow tests exclude serverless inference endpoints (the shadow tests "
            "guide's exclusions: the request fails validation)",
        ),
        *(
            (
                prop,
                value is not None,
                f"a serverless endpoint has no instances: SageMaker takes "
                f"{_INSTANCE_SETTINGS[prop]} for variants on instances only",
            )
            for prop, value in (instance_settings or {}).items()
        ),
    ]
    return [
        PropProblem(None, prop, message, instead) for prop, given, message in conflicts if given
    ]


def _step_size_problems(
    deployment: Deployment, least: int, most: int, counted: str, prefix: str = "a"
) -> list[tuple[str, str, str]]:
    """A size in instances out of bounds for a variant of ``least``-``most`` instances.

    SageMaker takes a canary of at most 50% of the variant's instances, a linear step of
    10-50%, a rolling batch of 5-50%. With auto scaling the count at deployment time is
    anywhere from ``least`` to ``most``: each bound must hold for all of them. ``counted``
    names where the count comes from; ``prefix`` starts the message. Returns (``least``
    or ``most``: the count the size doesn't fit, message, hint) triples.
    """
    size = deployment.instances
    if deployment.strategy not in _STEP_PERCENT or size is None or is_unresolved(size):
        return []
    low, high = _STEP_PERCENT[deployment.strategy]
    what = f"{prefix} {_SIZE_NAMES[deployment.strategy]} of {_instances(size)}"
    count = _instances(least) if least == most else f"{least}-{most} instances"
    count += f" ({counted})"
    bounds = (
        f"SageMaker takes {low}-{high}% of them" if low > 1 else f"SageMaker takes {high}% at most"
    )
    problems: list[tuple[str, str, str]] = []
    if size * 100 > high * least:
        fitting = least * high // 100
        problems.append(
            (
                "least",
                f"{what} is more than {high}% of the variant's {count}: {bounds}",
                f"instances={fitting} or fewer" if fitting else f"percent={high} or less",
            )
        )
    if deployment.strategy != _CANARY and size * 100 < low * most:
        problems.append(
            (
                "most",
                f"{what} is less than {low}% of the variant's {count}: {bounds}",
                f"instances={-(-most * low // 100)} or more",
            )
        )
    return problems


def _instances(count: int) -> str:
    """``1 instance``, ``3 instances``."""
    return f"{count} instance{'s' if count != 1 else ''}"


def _endpoint_metric_problems(
    metric_name: object,
    new_fleet_only: object,
    options: Mapping[str, object],
    variant_dimensions: Mapping[str, str],
    known: Sequence[str] = INVOCATION_METRICS,
) -> list[Problem | None]:
    """A metric name, and options ``cloudwatch.Metric`` takes, of the types it takes.

    Caught here rather than by jsii, whose TypeError names neither endpoint nor option.
    ``variant_dimensions`` are the variant's (for the hint of an instance metric);
    ``known`` the metric names a misspelt one is compared with (an inference component's
    differ from a variant's).
    """
    problems: list[Problem | None] = [
        expect_str("metric_name", metric_name, optional=False),
        expect_bool("new_fleet_only", new_fleet_only),
    ]
    if isinstance(metric_name, str) and not metric_name.strip():
        problems.append(PropProblem(None, "metric_name", "expected a metric name, got ''"))
    elif isinstance(metric_name, str) and not is_unresolved(metric_name):
        problems.append(_metric_name_problem(metric_name, variant_dimensions, known))
    problems += metric_options_problems(options, "Duration.minutes(1)")
    problems.append(
        whole_minutes_problem(
            options.get("period"),
            "SageMaker publishes the endpoint's metrics once a minute: Duration.minutes(1) or more",
        )
    )
    valid = sorted(_metric_options())
    problems += _metric_option_type_problems(
        {name: value for name, value in options.items() if name in valid and name != "period"}
    )
    dimensions = options.get("dimensions_map")
    if dimensions is not None and not (
        isinstance(dimensions, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in dimensions.items())
    ):
        problems.append(
            PropProblem(
                None,
                "dimensions_map",
                f"expected a dict of strings to strings, got {describe(dimensions)}",
            )
        )
    return problems


def _metric_name_problem(
    name: str, dimensions: Mapping[str, str], known: Sequence[str] = INVOCATION_METRICS
) -> Problem | None:
    """A name that is one of ``known`` misspelt, or an instance metric: no data here.

    An alarm on it would never fire: as a rollback alarm, it would never roll back.
    """
    if name in known:
        return None
    if name in ASYNC_ENDPOINT_METRICS and dimensions:
        # Of the endpoint, not of a variant: with VariantName it would have no data.
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        return PropProblem(
            None,
            "metric_name",
            f"{name} is a metric of the asynchronous endpoint (dimension EndpointName "
            "alone), not of a variant: this metric would have no data",
            f"metric_{method}()",
        )
    lowered = name.lower()
    instance = [known for known in INSTANCE_METRICS if known.lower() == lowered]
    if instance:
        shown = ", ".join(f"{key!r}: {value!r}" for key, value in dimensions.items())
        return PropProblem(
            None,
            "metric_name",
            f"{instance[0]} is a metric of the endpoint's instances, which SageMaker publishes "
            f"in {INSTANCE_METRICS_NAMESPACE}, not in {METRICS_NAMESPACE}: this metric would "
            "have no data, and an alarm on it would never fire",
            f"cloudwatch.Metric(namespace={INSTANCE_METRICS_NAMESPACE!r}, "
            f"metric_name={instance[0]!r}, dimensions_map={{{shown}}})",
        )
    import difflib  # only for a name that isn't one of SageMaker's: rare

    close = [metric for metric in known if metric.lower() == lowered] or [
        metric
        for metric in known
        if difflib.SequenceMatcher(None, name, metric).ratio() >= _MISSPELT_RATIO
    ]
    if not close:
        return None  # a metric of SageMaker's this list doesn't know yet: taken as given
    cased = " (metric names are case-sensitive)" if close[0].lower() == lowered else ""
    return PropProblem(
        None,
        "metric_name",
        f"{name!r} is no metric SageMaker publishes in {METRICS_NAMESPACE}{cased}: this "
        "metric would have no data, and an alarm on it would never fire",
        f"did you mean {close[0]!r}?",
    )


def _name_problem(prop: str, name: object, *, optional: bool) -> Problem | None:
    problem = expect_str(prop, name, optional=optional)
    if problem is not None or not isinstance(name, str) or is_unresolved(name):
        return problem
    if len(name) <= MAX_NAME and NAME.fullmatch(name):
        return None
    return PropProblem(
        None,
        prop,
        f"{name!r} must be 1-{MAX_NAME} letters, digits and hyphens, starting and ending "
        "with a letter or digit",
    )


def _instance_type_problem(instance_type: object) -> Problem | None:
    problem = expect_str("instance_type", instance_type, optional=False)
    if problem is not None or not isinstance(instance_type, str) or is_unresolved(instance_type):
        return problem
    valid = instance_types("endpoint")
    if instance_type in valid:
        return None
    return PropProblem(
        None,
        "instance_type",
        f"{instance_type!r} is not an instance type of SageMaker real-time endpoints",
        did_you_mean(instance_type, valid) or f"one of {one_of(sorted(valid))}",
    )


def _count_problem(count: object) -> Problem | None:
    if isinstance(count, bool) or not isinstance(count, int):
        return PropProblem(
            None,
            "initial_instance_count",
            f"expected a whole number of instances, got {describe(count)}",
        )
    if count < 1:
        return PropProblem(
            None,
            "initial_instance_count",
            f"expected at least 1 instance, got {count}",
            "an endpoint bills per instance-hour: delete the endpoint (remove the construct) "
            "rather than scaling it to 0",
        )
    return None


def _instance_settings_problems(
    model_data_download_timeout: object,
    container_startup_health_check_timeout: object,
    volume_size_in_gb: object,
    inference_ami_version: object,
) -> list[Problem | None]:
    """A variant's settings for large models, checked as CreateEndpointConfig would.

    The same for ``ModelEndpoint`` and ``EndpointVariant``, naming the prop; what they
    can't be given with (a serverless variant, an NVMe instance type) the endpoint checks.
    """
    return [
        _timeout_problem("model_data_download_timeout", model_data_download_timeout),
        _timeout_problem(
            "container_startup_health_check_timeout", container_startup_health_check_timeout
        ),
        _volume_size_problem(volume_size_in_gb),
        _ami_version_problem(inference_ami_version),
    ]


def _timeout_problem(prop: str, value: object) -> Problem | None:
    """A ``Duration`` of whole seconds in botocore's range of the member (tokens pass)."""
    if value is None:
        return None
    if not isinstance(value, Duration):
        # A number is likeliest the member's seconds, as the L1 property takes them.
        number = isinstance(value, int) and not isinstance(value, bool) and not is_unresolved(value)
        return PropProblem(
            None,
            prop,
            f"expected a Duration, got {describe(value)}",
            f"Duration.seconds({value})" if number else "Duration.minutes(10)",
        )
    if value.is_unresolved():
        # aws-cdk-lib converts a token only from the unit asked for: rendering it in
        # seconds would fail at synth, with a message that names no prop.
        if value.unit_label() == "seconds":
            return None
        return PropProblem(
            None,
            prop,
            f"a token in {value.unit_label()}: {_TIMEOUT_MEMBERS[prop]} is in seconds, which "
            "a token can't be converted to at synth",
            "give the token in seconds: Duration.seconds(parameter.value_as_number)",
        )
    least, most = _TIMEOUT_BOUNDS[prop]
    problem = _seconds_problem(prop, value, least, most)
    return None if problem is None else as_prop(problem, prop)


def _volume_size_problem(value: object) -> Problem | None:
    """``VolumeSizeInGB``: a whole number of GB in botocore's range (tokens pass)."""
    if value is None or is_unresolved(value):
        return None
    least, most = _VOLUME_SIZE_BOUNDS
    if isinstance(value, bool) or not isinstance(value, int):
        return PropProblem(
            None,
            "volume_size_in_gb",
            f"expected a whole number of GB, {least}-{most}, got {describe(value)}",
        )
    if not least <= value <= most:
        return PropProblem(
            None,
            "volume_size_in_gb",
            f"expected {least}-{most} GB (SageMaker's VolumeSizeInGB), got {value}",
        )
    return None


def _ami_version_problem(value: object) -> Problem | None:
    """``InferenceAmiVersion``: one of botocore's values (tokens pass)."""
    problem = expect_str("inference_ami_version", value)
    if problem is not None or not isinstance(value, str) or is_unresolved(value):
        return problem
    if value in _INFERENCE_AMI_VERSIONS:
        return None
    return PropProblem(
        None,
        "inference_ami_version",
        f"{value!r} is not an inference AMI version of SageMaker's (botocore "
        f"{botocore_version()}'s InferenceAmiVersion)",
        did_you_mean(value, _INFERENCE_AMI_VERSIONS) or f"one of {one_of(_INFERENCE_AMI_VERSIONS)}",
    )


def _instance_store_type(instance_types: Iterable[str | None]) -> str | None:
    """The first literal instance type whose ML storage is the instance's NVMe store."""
    return next(
        (
            each
            for each in instance_types
            if each is not None and not is_unresolved(each) and has_instance_store(each)
        ),
        None,
    )


def _instance_store_problem(
    prop: str, instance_types: Iterable[str | None], refused: str
) -> Problem | None:
    """``prop``, given for instance types one of which keeps its storage on its NVMe store.

    ``refused`` says why SageMaker takes no ``prop`` for such an instance type.
    """
    instance_type = _instance_store_type(instance_types)
    if instance_type is None:
        return None
    return PropProblem(
        None,
        prop,
        f"{instance_type} keeps its ML storage on the instance's NVMe store, {refused}",
        f"leave {prop.rsplit('.', 1)[-1]} out, or choose an instance type with EBS storage",
    )


def warn_of_deploy_time_instance_types(
    endpoint: Construct, variants: Sequence[tuple[str, str | None, int | None]], key_named: bool
) -> None:
    """Warn of instance types known at deploy only whose config names what NVMe types refuse.

    ``variants`` are (prop, instance type, volume size) triples; ``key_named`` says whether
    the endpoint configuration has a ``KmsKeyId``. For a literal instance type with NVMe
    instance storage the constructs leave the ``KmsKeyId`` out and refuse a volume size;
    a token can't be judged, and CreateEndpointConfig refuses both for such a type at
    deploy. A ``CfnParameter`` of the stack (``Ref``) whose ``allowed_values`` are all
    instance types with EBS storage can't become one: no warning then.

    Example::

        warn_of_deploy_time_instance_types(self, [("instance_type", instance_type, None)], True)
    """
    for prop, instance_type, volume_size in variants:
        if instance_type is None or not is_unresolved(instance_type):
            continue
        refused = [
            key
            for key, named in (("KmsKeyId", key_named), ("VolumeSizeInGB", volume_size is not None))
            if named
        ]
        parameter = _parameter_of(endpoint, instance_type)
        allowed = None if parameter is None else parameter.allowed_values
        if not refused or (
            allowed and not any(is_unresolved(each) or has_instance_store(each) for each in allowed)
        ):
            continue
        if parameter is not None and allowed:
            stored = [each for each in allowed if is_unresolved(each) or has_instance_store(each)]
            source = f"CfnParameter {parameter.node.id} allows {', '.join(stored)}"
        else:
            source = "a CfnParameter or another token"
        Annotations.of(endpoint).add_warning_v2(
            f"{WARNING_PREFIX}:deploy-time-instance-type",
            f"prop '{prop}' is known at deploy time only ({source}): the endpoint "
            f"configuration names {' and '.join(refused)}, which CreateEndpointConfig refuses "
            "for an instance type whose ML storage is its NVMe instance store (ml.g5, ml.p4d, "
            "ml.m5d, …; for a literal one the construct leaves the KmsKeyId out). The type "
            "chosen at deploy must have EBS storage (ml.m5, ml.c5, ml.p3, …): give the "
            "CfnParameter allowed_values of such types only, or a literal instance type, or "
            "acknowledge this warning.",
        )


def _parameter_of(scope: Construct, value: str) -> CfnParameter | None:
    """The stack's ``CfnParameter`` that ``value`` is the ``Ref`` of, if a child of the stack.

    A parameter nested in a construct (a hashed logical id) isn't looked for: None.
    """
    stack = Stack.of(scope)
    resolved = stack.resolve(value)
    ref = resolved.get("Ref") if isinstance(resolved, Mapping) else None
    if not isinstance(ref, str):
        return None
    child = stack.node.try_find_child(ref)
    if isinstance(child, CfnParameter) and stack.resolve(child.logical_id) == ref:
        return child
    return None


def _volume_size_instance_problems(served: Sequence[_Served]) -> list[Problem | None]:
    """A volume size for a variant whose instance type has no EBS volume to size.

    The SageMaker SDK's ``volume_size_supported`` refuses it for the same instance types:
    their storage is the instance store, of the instance type's size.
    """
    return [
        _instance_store_problem(
            f"{each.prefix}volume_size_in_gb",
            [each.instance_type],
            "of the instance type's own size, with no EBS volume to size: SageMaker takes no "
            "VolumeSizeInGB for it",
        )
        for each in served
        if each.volume_size_in_gb is not None
    ]


def _store_problem(prop: str, store: object, *, optional: bool) -> Problem | None:
    if store is None and optional:
        return None
    if isinstance(store, ArtifactStore):
        return None
    return PropProblem(
        None,
        prop,
        f"expected an ArtifactStore, got {describe(store)}",
        "ArtifactStore(self, 'Artifacts'), or adopt a bucket and key that exist already: "
        "ArtifactStore.from_existing(self, 'Artifacts', bucket=…, key=…)",
    )


def _scale_out_from_zero(
    scope: Construct,
    target: appscaling.ScalableTarget,
    metric: cloudwatch.Metric,
    *,
    alarm_id: str,
    aggregation: appscaling.MetricAggregationType,
    cooldown: Duration,
    evaluation_periods: int,
    alarm_description: str,
) -> None:
    """Add 1 to ``target`` when ``metric`` (1 while requests find no capacity) reaches 1.

    A target tracking policy can't scale out from 0 (its metric, per instance or copy, has
    no datapoint then): a step policy ``ScaleOutFromZero`` (ChangeInCapacity +1) does, on
    the alarm ``alarm_id`` (``metric`` >= 1 for ``evaluation_periods`` of as many periods).

    Example::

        _scale_out_from_zero(
            self, target, self.metric_has_backlog_without_capacity(period=Duration.minutes(1)),
            alarm_id="BacklogWithoutCapacity",
            aggregation=appscaling.MetricAggregationType.AVERAGE,
            cooldown=Duration.minutes(5), evaluation_periods=2,
            alarm_description="Requests wait and the endpoint has no instance")
    """
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions

    action = appscaling.StepScalingAction(
        scope,
        "ScaleOutFromZero",
        scaling_target=target,
        adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        metric_aggregation_type=aggregation,
        cooldown=cooldown,
    )
    action.add_adjustment(adjustment=1, lower_bound=0)
    alarm = metric.create_alarm(
        scope,
        alarm_id,
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=evaluation_periods,
        treat_missing_data=cloudwatch.TreatMissingData.MISSING,
        alarm_description=alarm_description,
    )
    alarm.add_alarm_action(cloudwatch_actions.ApplicationScalingAction(action))


def _role_prop_problem(role: object, scope: Construct) -> Problem | None:
    """A ``role`` prop that is no ``iam.IRole`` of ``scope``'s app (``None``: none given).

    Example::

        raise_for([_role_prop_problem(role, self)], subject)
    """
    if role is None:
        return None
    return expect_interface(
        "role",
        role,
        "an iam.IRole",
        ("role_arn", "grant_principal"),
        "an iam.Role, or iam.Role.from_role_arn(self, 'Role', arn)",
    ) or expect_same_app("role", role, root_of(scope))


def _repositories_problem(repositories: object) -> Problem | None:
    if (
        isinstance(repositories, (list, tuple))
        and all(
            expect_interface("image_repositories", repository, "", ("repository_arn",)) is None
            for repository in repositories
        )
        and all(hasattr(type(repository), "grant_pull") for repository in repositories)
    ):
        return None
    return PropProblem(
        None,
        "image_repositories",
        f"expected a list of ecr.IRepository, got {describe(repositories)}",
        "[ecr.Repository.from_repository_name(self, 'Serving', 'churn-serving')]",
    )


@jsii.implements(sagemaker.IEndpoint)
@dataclass(frozen=True, slots=True)
class EndpointErrorAlarms:
    """The alarms ``ModelEndpoint.add_error_alarms`` creates.

    Example::

        alarms = endpoint.add_error_alarms(topic=alerts.topic)
        dashboard.add_widgets(cloudwatch.AlarmWidget(alarm=alarms.model_errors))
    """

    server_errors: cloudwatch.Alarm
    """``Invocation5XXErrors`` above its share of the requests (``ServerErrorRate``)."""
    model_errors: cloudwatch.Alarm
    """``InvocationModelErrors`` above its share of the requests (``ModelErrorRate``)."""


def _rate_problem(argument: str, rate: object) -> Problem | None:
    """A share of the requests: above 0, at most 1 (``0.01``, not ``1`` for 1%)."""
    if isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate <= 1:
        return None
    return ArgumentProblem(
        None,
        argument,
        f"expected a share of the requests above 0 and at most 1, got {describe(rate)}",
        "0.01 for 1%",
    )


def _count_argument_problem(argument: str, value: object) -> Problem | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return None
    return ArgumentProblem(None, argument, f"expected a whole number from 1, got {describe(value)}")


def _alarm_window_problem(period: object, evaluation_periods: object) -> Problem | None:
    """An alarm's window as PutMetricAlarm takes it.

    A period of whole minutes; Period x EvaluationPeriods at most 7 days (a day for a
    period under an hour).
    """
    seconds: float = 300
    if period is None:
        pass
    elif not isinstance(period, Duration):
        return ArgumentProblem(
            None, "period", f"expected a Duration, got {describe(period)}", "Duration.minutes(5)"
        )
    elif period.is_unresolved():
        return None
    else:
        seconds = period.to_seconds(integral=False)
        if seconds < 60 or seconds % 60:
            return ArgumentProblem(
                None,
                "period",
                f"expected whole minutes, got {period.to_human_string()}",
                "the endpoint's invocation metrics have one data point a minute",
            )
    if not isinstance(evaluation_periods, int) or isinstance(evaluation_periods, bool):
        return None  # reported as such
    limit = 7 * 86400 if seconds >= 3600 else 86400
    if seconds * evaluation_periods <= limit:
        return None
    return ArgumentProblem(
        None,
        "evaluation_periods",
        f"{evaluation_periods} periods of {int(seconds)} seconds exceed the "
        f"{'7 days' if seconds >= 3600 else 'day'} an alarm may evaluate (PutMetricAlarm: "
        "Period x EvaluationPeriods, at most a day for periods under an hour)",
        "fewer or shorter periods",
    )


def grant_invoke_endpoint(
    endpoint: ModelEndpoint | ComponentEndpoint, grantee: iam.IGrantable, kind: str
) -> iam.Grant:
    """``sagemaker:InvokeEndpoint`` on ``endpoint`` for ``grantee``: its ``grant_invoke``.

    A role imported with ``mutable=False`` gets the statement in the endpoint's unattached
    ``InvokePolicy`` instead (``keep_for_locked_role``). ``kind`` names the construct in
    errors.

    Example::

        return grant_invoke_endpoint(self, grantee, "ModelEndpoint")
    """
    check_grantee(grantee, endpoint, lambda: f"{kind} {endpoint.node.path}.grant_invoke")
    grant = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["sagemaker:InvokeEndpoint"],
        resource_arns=[endpoint.endpoint_arn],
    )
    keep_for_locked_role(
        endpoint,
        grantee,
        grant,
        method="grant_invoke",
        policy_id="InvokePolicy",
        description=f"Invoke SageMaker endpoint {endpoint.endpoint_name}",
        allows="its statement (sagemaker:InvokeEndpoint on the endpoint)",
        when="before it calls the endpoint",
        other_account=_ENDPOINT_OTHER_ACCOUNT,
    )
    return grant


# What a role of another account needs besides a policy of its own account.
_ENDPOINT_OTHER_ACCOUNT = (
    "a SageMaker endpoint has no resource policy to name it: give the grant to a role of "
    "this account instead, which the role of account {account} may assume"
)


class ModelEndpoint(Resource):
    """A registered model version served by a real-time (or asynchronous) SageMaker endpoint.

    Creates a SageMaker Model from the version (its image, model data and environment
    come from the version), an EndpointConfig of one production variant, encrypted with
    the artifact store's key, optionally capturing requests and responses to the store,
    and the Endpoint. A new version (another ``model_package_arn``) makes a new Model and
    a new EndpointConfig (of a logical id of its own) and updates the Endpoint in place:
    SageMaker switches traffic once the new instances are healthy, or as ``deployment``
    says (canary, linear or rolling, rolled back when a rollback alarm goes off).

    The variant runs on instances (``instance_type``, ``initial_instance_count``; for a
    large model, ``model_data_download_timeout``, ``container_startup_health_check_timeout``,
    ``volume_size_in_gb`` and ``inference_ami_version``), or is serverless
    (``serverless=ServerlessConfig(…)``: memory and concurrency, billed per request).
    ``async_inference=AsyncInference(…)`` queues the requests instead: callers put them
    under ``async-inference/<endpoint>/input/`` of the store and call
    ``InvokeEndpointAsync`` (``grant_invoke_async``), SageMaker writes results and
    failures beside them, and ``add_async_auto_scaling`` scales on the backlog, down to 0
    instances. The execution role (unless ``role=``) may read the served versions' model
    data, exactly (a custom resource, ``ModelData``, finds it at deploy time in the store
    holding each version, ``model_store``, Default ``artifact_store``, and fails the deploy
    for model data outside its ``models/`` and ``sealed/``; on a new version it keeps the
    previous one's readable until the next), and decrypt it, pull from
    ``image_repositories``, write the endpoint's logs and metrics and, with data
    capture, write under ``data-capture/<endpoint>/`` of the store; with ``vpc``, create
    and delete network interfaces in the model's subnets and security groups; with
    rollback alarms, describe them. ``add_auto_scaling`` scales the variant's instance
    count with its invocations, ``add_provisioned_concurrency_scaling`` a serverless
    variant's provisioned concurrency. ``metric_…`` give the variant's invocation metrics
    (``AWS/SageMaker``), for dashboards and rollback alarms. An endpoint on instances
    bills per instance-hour until it is deleted.

    It serves approved versions only (``require_approval``, Default True): the same custom
    resource fails the deploy, before any model is created or updated, when a version it
    starts serving isn't ``Approved`` (a production variant's), or is ``Rejected`` (the
    shadow variant's: a shadow test may try a version pending approval).

    ``variants=[EndpointVariant(…)]`` adds production variants beside the endpoint's own
    (an A/B test: the requests shared in proportion to ``initial_weight`` and each
    variant's), ``shadow=EndpointVariant(…)`` a shadow variant (a shadow test: a copy of
    the requests, its responses discarded); each serves a version of its own through a
    model of its own, which the execution role may read and pull too. The metrics and
    ``add_auto_scaling`` take ``variant=`` (Default: the endpoint's own variant).

    Example::

        endpoint = ModelEndpoint(
            self, "Endpoint",
            model_package_arn=self.node.get_context("churn")["model_package_arn"],
            artifact_store=store, registry=registry,
            instance_type="ml.m5.large", data_capture=DataCapture(sampling_percentage=20))
        endpoint.grant_invoke(api_role)

        # A 7B LLM in an LMI container: minutes to download the weights and load them.
        ModelEndpoint(
            self, "Llm", model_package_arn=llm_arn, artifact_store=store,
            instance_type="ml.g5.2xlarge",
            model_data_download_timeout=Duration.minutes(20),
            container_startup_health_check_timeout=Duration.minutes(15))

        # An A/B test: the challenger answers a tenth of the requests.
        ModelEndpoint(
            self, "Churn", model_package_arn=champion_arn, artifact_store=store,
            initial_weight=9,
            variants=[EndpointVariant(name="Challenger", model_package_arn=challenger_arn)])
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model_package_arn: str,
        artifact_store: ArtifactStore,
        registry: ModelRegistry | None = None,
        model_store: ArtifactStore | None = None,
        require_approval: bool = True,
        instance_type: str | None = None,
        initial_instance_count: int | None = None,
        variant_name: str = "AllTraffic",
        endpoint_name: str | None = None,
        data_capture: DataCapture | None = None,
        role: iam.IRole | None = None,
        image_repositories: Sequence[ecr.IRepository] = (),
        volume_key: kms.IKey | None = None,
        model_data_download_timeout: Duration | None = None,
        container_startup_health_check_timeout: Duration | None = None,
        volume_size_in_gb: int | None = None,
        inference_ami_version: str | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        allow_all_outbound: bool = False,
        enable_network_isolation: bool = False,
        serverless: ServerlessConfig | None = None,
        deployment: Deployment | None = None,
        initial_weight: float = 1,
        variants: Sequence[EndpointVariant] = (),
        shadow: EndpointVariant | None = None,
        async_inference: AsyncInference | None = None,
    ) -> None:
        """Create the models, endpoint configuration and endpoint.

        :param model_package_arn: the registered version to deploy
            (``arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>``), a
            version of the stack's region; of another account for a central registry that
            shares its versions with this one. A literal (read from ``cdk.json`` context per
            environment, or ``cdk deploy -c …``) or a token (a ``CfnParameter``'s
            ``value_as_string``). Never looked up at synth.
        :param artifact_store: this account's store: its key encrypts the endpoint's
            volumes (Default of ``volume_key``) and captured data, which goes to its bucket.
            Must be in the stack's account and region.
        :param registry: the registry the version belongs to, if this app has it: a
            literal ARN must then name a version of its group, and a registry of another
            account must be shared with this one (``share_with_account``), checked at synth.
        :param model_store: where the version's model data lives, when not in
            ``artifact_store``: a central registry's store, adopted with
            ``ArtifactStore.from_existing`` (it must have shared ``models/`` with this
            account). Default: ``artifact_store``. Required for a version of another account.
        :param require_approval: fail the deploy (at the ``ModelData`` custom resource,
            before any model is created or updated) when a version it starts serving has
            the wrong ``ModelApprovalStatus``: a production variant's (the endpoint's own,
            each of ``variants``) must be ``Approved``, as its responses reach callers; the
            ``shadow``'s may be ``PendingManualApproval`` (its responses are discarded:
            shadow-testing a version before approving it is what a shadow test is for),
            never ``Rejected``. A version served before under the same rule isn't checked
            again, and a rollback never is. False serves any version (a dev environment
            serving what its pipeline just registered). Default: True.
        :param instance_type: Default: ``ml.m5.large``; none with ``serverless``.
        :param initial_instance_count: Default: 1; none with ``serverless``.
        :param variant_name: the production variant's name. Default: ``AllTraffic``.
        :param endpoint_name: Default: a unique name from the construct path (at most 63
            characters). Names the endpoint's log group too
            (``/aws/sagemaker/Endpoints/<name>``) and its data capture prefix.
        :param data_capture: what to capture for Model Monitor. Default: nothing.
        :param role: the model's execution role. Default: a role SageMaker assumes, with
            exactly the permissions above in a managed policy. A role of your own must be
            of the stack's account and trust ``sagemaker.amazonaws.com``; it gets the same
            managed policy, unless imported with ``mutable=False``: the policy is then
            created unattached, and named in a warning
            (``cdk-sagemaker-pipelines:immutable-role``).
        :param image_repositories: the ECR repositories of the version's image, when it is
            an image of your own: the role may pull from them. Default: none, for a
            SageMaker framework image (SageMaker pulls those itself).
        :param volume_key: the key of the instances' ML storage volumes. Default: the
            artifact store's key; none for instance types whose storage is the instance's
            own NVMe store (hardware-encrypted: SageMaker refuses a key for them).
        :param model_data_download_timeout: how long SageMaker may take to download the
            model data to each instance (``ModelDataDownloadTimeoutInSeconds``): raise it
            for a model of many GB. Whole seconds, 1 minute to 1 hour (botocore's range),
            or a token in seconds. Default: SageMaker's.
        :param container_startup_health_check_timeout: how long the container may take to
            answer its first ``/ping`` once started
            (``ContainerStartupHealthCheckTimeoutInSeconds``): raise it for a server that
            loads a large model before answering (LMI, TGI, vLLM). As above. Default:
            SageMaker's.
        :param volume_size_in_gb: the size of each instance's ML storage volume, which holds
            the model data (``VolumeSizeInGB``), 1-512. Refused for instance types whose
            storage is their NVMe instance store (``ml.g5``, ``ml.p4d``, …: of the instance
            type's size). Default: SageMaker's, for the instance type.
        :param inference_ami_version: the AMI of the instances (``InferenceAmiVersion``),
            for the GPU driver and CUDA version a container needs, one of botocore's values
            (``al2-ami-sagemaker-inference-gpu-3-1``, …). Default: SageMaker's.
            The four (and those of ``EndpointVariant``) are settings of instances: refused
            with ``serverless``; with ``async_inference`` they apply to each instance it
            starts, scaling out from 0 included.
        :param vpc: attach the model's containers to this VPC (the Model's ``VpcConfig``),
            in ``vpc_subnets`` (Default: what ``vpc.select_subnets()`` picks, its private
            subnets if it has any; public ones get a warning, as the instances get no public
            IP; SageMaker asks for subnets in at least two Availability Zones, warned
            otherwise) with ``security_groups`` (Default: a new group with no inbound
            rules, as requests reach the container through SageMaker, not through the VPC,
            that sends to TCP 443 only: see ``allow_all_outbound``).
            The execution role may then create and delete network interfaces in those
            subnets and groups. Default: no VPC (the containers have SageMaker's network).
        :param vpc_subnets: at most 16 subnets. Only with ``vpc``.
        :param security_groups: at most 5 groups. Only with ``vpc``.
        :param allow_all_outbound: let the group created for ``vpc`` (none is created with
            ``security_groups``) send anything anywhere (IPv4), as aws-cdk-lib's
            ``SecurityGroup`` does by default: for inference code that reaches a database,
            say, on a port other than 443. Default: False (outbound TCP 443 to anywhere,
            IPv6 too for an ``ec2.Vpc`` with IPv6: S3, the interface endpoints the model
            uses and HTTPS package indexes).
        :param enable_network_isolation: no inbound or outbound network calls from the
            model's containers (the Model's ``EnableNetworkIsolation``): SageMaker still
            downloads the model data and image before the container starts, but the
            inference code can reach nothing (no S3, no ``pip install`` of a
            ``requirements.txt`` at start-up). Default: False.
        :param serverless: a serverless variant of this memory and concurrency, in place of
            instances. SageMaker Serverless Inference supports no data capture, VPC or
            network isolation: giving any of them (or ``instance_type``,
            ``initial_instance_count``) with it fails. The config's key (``volume_key``,
            Default the store's) encrypts SageMaker's copy of the image. Default: instances.
        :param deployment: how updates move traffic to a new configuration, and the alarms
            that roll them back (``Deployment.canary(…)``, ``linear``, ``rolling``,
            ``all_at_once``): the Endpoint's ``DeploymentConfig``. With rollback alarms the
            execution role may describe them (``cloudwatch:DescribeAlarms``, as SageMaker's
            guide asks). Default: SageMaker's, blue/green all at once without baking.
            A rolling deployment of several production variants fails (SageMaker's
            guardrails exclude them); with ``shadow`` it is warned
            (``cdk-sagemaker-pipelines:shadow-variant-deployment``: SageMaker's guide says
            nothing of guardrails on an endpoint with a shadow variant).
        :param initial_weight: the endpoint's own production variant's share of the
            requests, relative to the weights of ``variants`` (``InitialVariantWeight``), 0
            or more; at least one production weight must be more than 0. Default: 1.
        :param variants: more production variants, at most 9 (SageMaker's 10 in all), each
            of a registered version, with names of their own: an A/B test. Default: none.
        :param shadow: a shadow variant: SageMaker copies requests to it (its
            ``initial_weight`` against ``initial_weight``: Default 1, every request) and
            discards its responses. Only beside a single production variant (no
            ``variants``), on instances (no ``serverless``) other than Inf1 (SageMaker's
            shadow tests exclude both). Default: none.
        :param async_inference: queue requests and write results to the store: asynchronous
            inference (the EndpointConfig's ``AsyncInferenceConfig``), under
            ``async-inference/<endpoint>/`` of ``artifact_store`` (``input/`` for requests,
            ``output/`` and ``failures/`` for results, encrypted with the store's key,
            expired after its ``retention``). The execution role may then read the
            requests, write the results, use the store's key and publish to the
            ``AsyncInference``'s topics (and use the keys of those of this app that are
            encrypted). On instances only (no ``serverless``), without a ``shadow`` or
            ``variants`` (SageMaker refuses them); a topic of another account or region is
            warned (``cdk-sagemaker-pipelines:async-topic-of-another-environment``: its
            policy must let the role publish). Scale it with ``add_async_auto_scaling``,
            not ``add_auto_scaling`` (SageMaker publishes no ``Invocations``,
            ``InvocationsPerInstance`` or ``OverheadLatency`` for it: their metrics fail).
            Default: real-time inference.
        """
        check_new_child("ModelEndpoint", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}"

        stack = stack_of(self)
        problems: list[Problem | None] = [
            expect_str("model_package_arn", model_package_arn, optional=False),
            _store_problem("artifact_store", artifact_store, optional=False),
            _store_problem("model_store", model_store, optional=True),
            _registry_type_problem(registry),
            expect_bool("require_approval", require_approval),
            *(
                ()
                if serverless is not None
                else (
                    _instance_type_problem(
                        DEFAULT_INSTANCE_TYPE if instance_type is None else instance_type
                    ),
                    _count_problem(1 if initial_instance_count is None else initial_instance_count),
                )
            ),
            _name_problem("variant_name", variant_name, optional=False),
            _name_problem("endpoint_name", endpoint_name, optional=True),
            None
            if data_capture is None or isinstance(data_capture, DataCapture)
            else PropProblem(
                None,
                "data_capture",
                f"expected a DataCapture, got {describe(data_capture)}",
                "DataCapture(sampling_percentage=20)",
            ),
            _role_prop_problem(role, self),
            _repositories_problem(image_repositories),
            None if volume_key is None else _key_problem("volume_key", volume_key, self),
            *_instance_settings_problems(
                model_data_download_timeout,
                container_startup_health_check_timeout,
                volume_size_in_gb,
                inference_ami_version,
            ),
            *_network_prop_problems(vpc, vpc_subnets, security_groups, "Endpoint"),
            _security_group_count_problem(security_groups),
            *allow_all_outbound_problems(allow_all_outbound, vpc, security_groups),
            expect_bool("enable_network_isolation", enable_network_isolation),
            _serverless_problem(serverless),
            None
            if deployment is None or isinstance(deployment, Deployment)
            else PropProblem(
                None,
                "deployment",
                f"expected a Deployment, got {describe(deployment)}",
                "Deployment.canary(percent=10, wait=Duration.minutes(5))",
            ),
            _weight_problem("initial_weight", initial_weight),
            _variants_problem(variants),
            _shadow_problem(shadow),
            _async_inference_problem(async_inference),
        ]
        raise_for(problems, subject)
        raise_for(
            [
                *_async_combination_problems(
                    serverless, shadow, variants, async_inference is not None
                ),
                *(
                    _topic_placement_problem(self, field, topic)
                    for field, topic in (async_inference._topics() if async_inference else [])
                ),
            ],
            subject,
        )
        if serverless is None:
            instance_type = DEFAULT_INSTANCE_TYPE if instance_type is None else instance_type
            initial_instance_count = 1 if initial_instance_count is None else initial_instance_count
        else:
            raise_for(
                _serverless_problems(
                    instance_type,
                    initial_instance_count,
                    data_capture,
                    vpc,
                    enable_network_isolation,
                    variants,
                    shadow,
                    {
                        "model_data_download_timeout": model_data_download_timeout,
                        "container_startup_health_check_timeout": (
                            container_startup_health_check_timeout
                        ),
                        "volume_size_in_gb": volume_size_in_gb,
                        "inference_ami_version": inference_ami_version,
                    },
                ),
                subject,
            )
        raise_for(_variant_set_problems(variant_name, initial_weight, variants, shadow), subject)
        served = _served_variants(
            _Served(
                "",
                variant_name,
                model_package_arn,
                instance_type,
                initial_instance_count,
                initial_weight,
                model_store,
                registry,
                model_data_download_timeout=model_data_download_timeout,
                container_startup_health_check_timeout=container_startup_health_check_timeout,
                volume_size_in_gb=volume_size_in_gb,
                inference_ami_version=inference_ami_version,
            ),
            variants,
            shadow,
        )
        raise_for(
            [
                *(problem for each in served for problem in self._arn_problems(each)),
                *self._store_environment_problems(
                    artifact_store,
                    model_store,
                    [
                        (f"{each.prefix}model_store", each.model_store)
                        for each in served[1:]
                        if each.model_store is not None and each.model_store is not model_store
                    ],
                ),
                passed_role_problem(
                    "role",
                    role,
                    self,
                    service="SageMaker",
                    passes="CreateModel passes it",
                    reach=MODEL_REACH,
                ),
                None
                if volume_key is None
                else _instance_store_problem(
                    "volume_key",
                    [each.instance_type for each in served],
                    "encrypted by the instance's hardware: CreateEndpointConfig refuses a "
                    "KmsKeyId for it",
                ),
                *_volume_size_instance_problems(served),
                *self._network_app_problems(vpc, security_groups),
                *_shadow_instance_problems(instance_type, shadow),
                *self._deployment_problems(deployment, serverless, served),
            ],
            subject,
        )
        self.model_package_arn = model_package_arn
        self.artifact_store = artifact_store
        self.model_store = model_store or artifact_store
        # Its volumes and captured data encrypt with artifact_store's key; the model stores'
        # keys only decrypt models (which words a warning of a key of another account).
        artifact_store._used_by(self)
        for each in served:
            if each.model_store is not None and each.model_store is not artifact_store:
                each.model_store._used_by(self, models_only=True)
        self.registry = registry
        self.require_approval = require_approval
        """Whether the deploy fails for a served version that isn't approved (as its variant
        requires)."""
        self.instance_type = instance_type
        self.initial_instance_count = initial_instance_count
        self.variant_name = variant_name
        self.vpc = vpc
        self.enable_network_isolation = enable_network_isolation
        self.serverless = serverless
        self.deployment = deployment
        self.initial_weight = initial_weight
        self.variants: tuple[EndpointVariant, ...] = tuple(variants)
        """The production variants beside the endpoint's own (``variants``)."""
        self.shadow = shadow
        self.async_inference = async_inference
        self._served = served
        self._rejection_rules: dict[str, events.Rule] | None = None
        self._rollback_alarms: list[cloudwatch.IAlarm] = list(
            deployment.rollback_alarms if deployment is not None else ()
        )
        self.rollback_alarms_policy: iam.ManagedPolicy | None = None
        """The managed policy letting the role describe the rollback alarms, once there are
        any (``RollbackAlarmsPolicy``)."""
        self._describe_alarms: iam.PolicyStatement | None = None
        self.security_groups: list[ec2.ISecurityGroup] = []
        """The model's security groups (``security_groups``, or the one created): empty
        without ``vpc``."""
        self.scalable_target: appscaling.ScalableTarget | None = None
        """The endpoint's own variant's scalable target, once ``add_auto_scaling`` (or
        ``add_provisioned_concurrency_scaling``) was called for it."""
        self._scalable_targets: dict[str, appscaling.ScalableTarget] = {}
        self._scaling_role: iam.IRole | None = None
        name = (
            endpoint_name
            if endpoint_name is not None
            else Names.unique_resource_name(self, max_length=MAX_NAME, separator="-")
        )
        self._name = name
        self.data_capture_prefix: str | None = (
            f"{DATA_CAPTURE_PREFIX}{name}/" if data_capture is not None else None
        )
        self.async_inference_prefix: str | None = (
            f"{ASYNC_INFERENCE_PREFIX}{name}/" if async_inference is not None else None
        )
        """Where requests (``input/``), results (``output/``) and failures (``failures/``)
        of asynchronous inference go in the store's bucket; None without it."""
        self._shared_registries: list[ModelRegistry] = []
        for each in served:
            self._warn_version_of_another_account(each)
            self._warn_of_a_store_other_than_the_registrys(each)
        if deployment is not None and shadow is not None:
            _warn_of_shadow_deployment(self)
        if role is None:
            role = _service_role(
                self,
                "Role",
                "Execution role of a SageMaker model served by a real-time endpoint",
                stack,
            )
        else:
            node_of(self).add_validation(_RoleTrust(stack, {"role": role}, fails=_ROLE_FAILS))
        self.role = role
        # A role imported with mutable=False stays untouched, as the Pipeline's: its
        # policies are someone else's, and attaching may fail the deployment.
        self._role_locked = _refuses_policy_updates(role)
        network = self._network(vpc, vpc_subnets, security_groups, allow_all_outbound, subject)
        repositories = [
            *image_repositories,
            *(repository for variant in self.variants for repository in variant.image_repositories),
            *(shadow.image_repositories if shadow is not None else ()),
        ]
        statements = self._role_statements(repositories, data_capture is not None, network)
        if async_inference is not None:
            statements += self._async_statements(async_inference)
            self._expire_async_inference(async_inference)
        self.role_policy = iam.ManagedPolicy(
            self,
            "RolePolicy",
            description="What the SageMaker model of a real-time endpoint reads and writes",
            statements=statements,
            roles=[] if self._role_locked else [role],
        )
        if self._role_locked:
            _warn_of_locked_role(
                self,
                self.role_policy,
                "what the endpoint's model reads and writes",
                "before the endpoint is deployed (CreateEndpoint fails when the role can't "
                "read the model)",
            )
        acknowledge_wildcards(
            self.role_policy, statements, f"execution role of endpoint {self.node.path}"
        )
        # One model per variant, each of its own version, with the same role and network.
        self._models: dict[str, sagemaker.CfnModel] = {
            each.name: self._new_model(
                each.construct_id,
                each.model_package_arn,
                network,
                enable_network_isolation,
            )
            for each in served
        }
        self._model = self._models[variant_name]
        key = volume_key or self.artifact_store.key
        instance_store = _instance_store_type(each.instance_type for each in served) is not None
        production = [each for each in served if not each.is_shadow]
        shadows = [each for each in served if each.is_shadow]
        self._config = sagemaker.CfnEndpointConfig(
            self,
            _config_id(
                model_package_arn,
                [
                    ("shadow" if each.is_shadow else "variant", each.name, each.model_package_arn)
                    for each in served[1:]
                ],
            ),
            production_variants=[
                self._variant_property(each, None if each.prefix else serverless)
                for each in production
            ],
            shadow_production_variants=[self._variant_property(each, None) for each in shadows]
            or None,
            kms_key_id=None if instance_store else key.key_arn,
            data_capture_config=None
            if data_capture is None
            else data_capture._render(
                f"s3://{self.artifact_store.bucket.bucket_name}/{self.data_capture_prefix}",
                self.artifact_store.key.key_arn,
            ),
            async_inference_config=None
            if async_inference is None
            else async_inference._render(
                f"s3://{self.artifact_store.bucket.bucket_name}/{self.async_inference_prefix}",
                self.artifact_store.key.key_arn,
            ),
        )
        if instance_store:
            acknowledge_in_packs(
                self._config,
                "SageMakerEndpointConfigurationKMSKeyConfigured",
                _INSTANCE_STORE_REASON,
            )
        warn_of_deploy_time_instance_types(
            self,
            [
                (f"{each.prefix}instance_type", each.instance_type, each.volume_size_in_gb)
                for each in served
            ],
            key_named=not instance_store,
        )
        self._resource = sagemaker.CfnEndpoint(
            self,
            "Resource",
            endpoint_name=name,
            endpoint_config_name=self._config.attr_endpoint_config_name,
            # Left out without a deployment: the template of such an endpoint is unchanged.
            deployment_config=None
            if deployment is None
            else deployment._render(self._rollback_alarms),
        )
        for alarm in self._rollback_alarms:
            self._allow_describing(alarm)
        self.endpoint_name: str = self._resource.attr_endpoint_name
        # The Ref of an AWS::SageMaker::Endpoint is its ARN (the name in lowercase).
        self.endpoint_arn: str = self._resource.ref

    # -- props judged together --------------------------------------------------------

    def _arn_problems(self, served: _Served) -> list[Problem]:
        """A literal ARN: a version, of the stack's region, of the registry's group.

        Of the endpoint's own variant, or of one of ``variants`` or ``shadow`` (its props
        named with their ``prefix``).
        """
        return version_arn_problems(self, served)

    def _store_environment_problems(
        self,
        artifact_store: ArtifactStore,
        model_store: ArtifactStore | None,
        variant_stores: Sequence[tuple[str, ArtifactStore]] = (),
    ) -> list[Problem]:
        """The store of another account or region, a model store of another region.

        ``variant_stores`` are the model stores of ``variants`` and ``shadow``: (prop, store).
        """
        here = account_region(self)
        problems: list[Problem] = []
        for prop, store, parts in (
            ("artifact_store", artifact_store, ("account", "region")),
            ("model_store", model_store, ("region",)),
            *((prop, store, ("region",)) for prop, store in variant_stores),
        ):
            if store is None:
                continue
            there = account_region(store)
            for part, ours, theirs in zip(("account", "region"), here, there, strict=True):
                if part not in parts or is_unresolved(ours) or is_unresolved(theirs):
                    continue
                if ours != theirs:
                    problems.append(
                        PropProblem(
                            None,
                            prop,
                            f"ArtifactStore {store.node.path} is in {part} {theirs}, the "
                            f"endpoint's stack in {part} {ours}: "
                            + (
                                "a KMS key works in its own region only"
                                if part == "region"
                                else "the endpoint encrypts its volumes and captured data "
                                "with this account's store"
                            ),
                            f"give an ArtifactStore of the endpoint's {part}"
                            + (
                                "; a central registry's store is model_store="
                                if part == "account"
                                else ""
                            ),
                        )
                    )
                    break
            else:
                if "account" not in parts:
                    problems += self._created_elsewhere_problems(prop, store)
        return problems

    def _created_elsewhere_problems(self, prop: str, store: ArtifactStore) -> list[Problem]:
        """A model store of another account whose bucket or key this app creates there.

        The endpoint's role gets the store's bucket name and key ARN, and CloudFormation
        refers to another environment's resources by physical name only: CDK would fail
        the synth with 'Cannot use resource … in a cross-environment fashion', naming no
        prop. Adopting the store in the endpoint's stack names them literally.
        """
        stack = stack_of(self)
        if stack_of(store) is stack:
            return []
        if not any(
            refers_across_environments(stack, value)
            for value in (store.bucket.bucket_name, store.key.key_arn)
        ):
            return []  # imported by name or ARN, or named: nothing to refer to
        theirs, ours = account_region(store), account_region(self)
        if is_unresolved(theirs[0]) or is_unresolved(ours[0]):
            # An environment-agnostic stack: CDK refuses the reference all the same, but
            # neither side is known to be another account (nor has an account to show).
            there, here, other = environment_text(theirs), environment_text(ours), "environment"
        else:
            there, here, other = f"account {theirs[0]}", f"account {ours[0]}", "account"
        return [
            PropProblem(
                None,
                prop,
                f"ArtifactStore {store.node.path} is created in stack "
                f"{stack_of(store).node.path} ({there}), the endpoint's stack is in "
                f"{here}: CloudFormation refers to another {other}'s bucket and key "
                "by their physical names only, and this store's have none",
                "adopt the store in the endpoint's stack by the bucket's name and the key's "
                f"ARN: {prop}=ArtifactStore.from_existing(self, 'ModelStore', "
                "bucket=s3.Bucket.from_bucket_name(self, 'ModelBucket', name), "
                "key=kms.Key.from_key_arn(self, 'ModelKey', key_arn)), shared with this account "
                "by the registry (ModelRegistry.share_with_account)",
            )
        ]

    def _deployment_problems(
        self,
        deployment: Deployment | None,
        serverless: ServerlessConfig | None,
        served: Sequence[_Served],
    ) -> list[Problem | None]:
        """What SageMaker refuses, or ignores, of ``deployment`` on these variants.

        The deployment guardrails guide's exclusions: Inf1 instances (any variant's: the
        endpoint "uses" them), and for rolling deployments serverless and multi-variant
        endpoints. A size in instances must fit each production variant's count.
        """
        if deployment is None:
            return []
        problems: list[Problem | None] = []
        production = [each for each in served if not each.is_shadow]
        inferentia = next(
            (
                each.instance_type
                for each in served
                if each.instance_type is not None
                and not is_unresolved(each.instance_type)
                and instance_family(each.instance_type) in GUARDRAIL_EXCLUDED_FAMILIES
            ),
            None,
        )
        if not deployment.is_blue_green and len(production) > 1:
            problems.append(
                PropProblem(
                    None,
                    "deployment",
                    f"SageMaker's rolling deployments exclude multi-variant endpoints, and this "
                    f"one has {len(production)} production variants (the deployment guardrails "
                    "guide's exclusions)",
                    "Deployment.canary(…), linear(…) or all_at_once(…): blue/green deployments "
                    "take several variants",
                )
            )
        if serverless is not None:
            if not deployment.is_blue_green:
                problems.append(
                    PropProblem(
                        None,
                        "deployment",
                        "SageMaker's rolling deployments exclude serverless endpoints",
                        "Deployment.canary(percent=…), linear(percent=…) or all_at_once(…)",
                    )
                )
            elif deployment._sizes_in_instances():
                problems.append(
                    PropProblem(
                        None,
                        "deployment",
                        "a serverless endpoint has no instances to count a step in",
                        "give the step's size in percent=",
                    )
                )
        elif inferentia is not None:
            problems.append(
                PropProblem(
                    None,
                    "deployment",
                    f"SageMaker applies no deployment guardrails to {inferentia} "
                    "(Inferentia 1) instances: it would update the endpoint all at once, "
                    "without baking period or rollback, whatever the deployment says",
                    "leave deployment out, or choose another instance type (ml.inf2.*)",
                )
            )
        else:
            problems += [
                PropProblem(None, "deployment", message, hint)
                for each in production
                if isinstance(each.initial_instance_count, int)
                and not is_unresolved(each.initial_instance_count)
                for _, message, hint in _step_size_problems(
                    deployment,
                    each.initial_instance_count,
                    each.initial_instance_count,
                    f"{each.prefix}initial_instance_count",
                )
            ]
        problems += [
            self._alarm_placement_problem("deployment", alarm)
            for alarm in deployment.rollback_alarms
        ]
        return problems

    def _alarm_placement_problem(self, prop: str, alarm: cloudwatch.IAlarm) -> Problem | None:
        """An alarm of another app, stage, account or region than the endpoint's."""
        return (
            expect_same_app(prop, alarm, root_of(self))
            or other_stage_problem(
                prop,
                alarm,
                self,
                "the endpoint",
                "create the alarm in a stack of the endpoint's stage",
                "cloudwatch.Alarm.from_alarm_name",
            )
            or self._alarm_environment_problem(prop, alarm)
        )

    def _alarm_environment_problem(self, prop: str, alarm: cloudwatch.IAlarm) -> Problem | None:
        """An alarm of another account or region: its stack's, or its literal ARN's.

        ``Alarm.from_alarm_arn`` gives the alarm the importing stack's environment,
        whatever account and region its ARN names.
        """
        what = "SageMaker watches alarms of the endpoint's own account and region"
        hint = "create the alarm in the endpoint's account and region"
        problem = environment_problem(prop, alarm, self, what, hint)
        if problem is not None:
            return problem
        arn = alarm.alarm_arn
        match = None if is_unresolved(arn) else _ALARM_ARN.fullmatch(arn)
        if match is None:
            return None
        for part, ours in zip(("account", "region"), account_region(self), strict=True):
            theirs = match[part]
            if not is_unresolved(ours) and theirs != ours:
                return PropProblem(
                    None,
                    prop,
                    f"{describe(alarm)} is an alarm of {part} {theirs} ({arn}), this stack "
                    f"in {ours}: {what}",
                    hint,
                )
        return None

    def _allow_describing(self, alarm: cloudwatch.IAlarm) -> None:
        """Let the execution role describe ``alarm`` (``cloudwatch:DescribeAlarms``).

        The deployment guardrails guide: "Ensure that your IAM execution role has
        permission to perform the cloudwatch:DescribeAlarms action on the auto-rollback
        alarms you specify." In a managed policy of its own, which the Endpoint depends
        on: the model depends on ``role_policy``, and an alarm of the new fleet's metrics
        on the model's endpoint configuration, so the alarm's ARN in ``role_policy`` would
        make a cycle.
        """
        if self._describe_alarms is not None:
            self._describe_alarms.add_resources(alarm.alarm_arn)
            return
        self._describe_alarms = iam.PolicyStatement(
            sid="EndpointDescribesRollbackAlarms",
            actions=["cloudwatch:DescribeAlarms"],
            resources=[alarm.alarm_arn],
        )
        self.rollback_alarms_policy = iam.ManagedPolicy(
            self,
            "RollbackAlarmsPolicy",
            description="The rollback alarms a SageMaker endpoint's deployments watch",
            statements=[self._describe_alarms],
            roles=[] if self._role_locked else [self.role],
        )
        if self._role_locked:
            _warn_of_locked_role(
                self,
                self.rollback_alarms_policy,
                "the description of the rollback alarms (cloudwatch:DescribeAlarms)",
                "before the next deployment",
            )
        # Attached before a deployment watches the alarms.
        self._resource.node.add_dependency(self.rollback_alarms_policy)

    def _warn_version_of_another_account(self, served: _Served) -> None:
        """A version of another account deploys only if its owner shared it: warned.

        With the ``registry`` of this app, whether it is shared with this account is
        judged at synth instead (``_SharedVersion``, once per registry).
        """
        registry = served.registry
        parts = version_arn_parts(served.model_package_arn)
        account = account_region(self)[0]
        if parts is None or is_unresolved(account) or parts["account"] == account:
            return
        if not ACCOUNT_ID.fullmatch(account):
            return  # not an account id: _arn_problems fails synth, naming the stack's env=
        if registry is not None:
            if all(registry is not judged for judged in self._shared_registries):
                self._shared_registries.append(registry)
                # The prop that gave it: the endpoint's (which variants without one take),
                # or the variant's own.
                prop = "registry" if registry is self.registry else f"{served.prefix}registry"
                node_of(self).add_validation(_SharedVersion(registry, account, prop))
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:model-version-of-another-account",
            f"prop '{served.prefix}model_package_arn': a version of account "
            f"{parts['account']}, this stack in {account}: CloudFormation creates the model "
            f"only if that account's model package group '{parts['group']}' lets {account} "
            "describe its versions and create models from them "
            "(ModelRegistry.share_with_account), the execution role reads the model data only "
            "if that account's store shares models/ and its key (ArtifactStore."
            "share_models_with, which share_with_account calls), and pulls an image of its own "
            "only if the repository's policy admits this account. Synth can't see those "
            "policies: acknowledge this warning once their owner has shared "
            "them.",
        )

    def _warn_of_a_store_other_than_the_registrys(self, served: _Served) -> None:
        """A registry of this environment whose models lie in a store the role can't read.

        The registry's pipelines register their models under ``models/`` of its
        ``artifact_store``; ``model_store`` (Default: ``artifact_store``) is the one store
        the execution role may read them from. A store this app created that isn't the
        registry's is another bucket: the endpoint would fail at deploy time, unable to
        download the model. Warned rather than refused: a pipeline of the account may
        register with another store (which the registry warns of). An adopted store may be
        the registry's own bucket, imported: not judged.
        """
        registry = served.registry
        if registry is None or registry.artifact_store is None:
            return
        store = served.model_store or self.artifact_store
        if (
            store is registry.artifact_store
            or isinstance(store, _AdoptedArtifactStore)
            or not _surely_same_environment(self, registry)
        ):
            return
        prop = f"{served.prefix}model_store" if served.model_store is not None else "model_store"
        registry_prop = "registry" if registry is self.registry else f"{served.prefix}registry"
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:model-store-not-the-registrys",
            f"prop '{prop}': the execution role reads the model data of "
            f"{served.prefix}model_package_arn from models/ of ArtifactStore "
            f"{store.node.path} ({'model_store' if served.model_store else 'artifact_store'}), "
            f"but {registry_prop} {registry.node.path} keeps its versions' models in "
            f"ArtifactStore {registry.artifact_store.node.path}: the endpoint would fail to "
            "deploy, unable to download the model. Give model_store=<the registry's "
            "artifact_store>, or acknowledge this warning if the version's pipeline "
            f"registered its model in {store.node.path}.",
        )

    def _network_app_problems(
        self, vpc: ec2.IVpc | None, security_groups: Sequence[ec2.ISecurityGroup] | None
    ) -> list[Problem | None]:
        """A VPC or group of another app or stage, which the template can't refer to."""
        if vpc is None:
            return []
        root = root_of(self)
        imports = {
            "vpc": "ec2.Vpc.from_vpc_attributes",
            "security_groups": "ec2.SecurityGroup.from_security_group_id",
        }
        found = [
            expect_same_app(prop, value, root)
            or other_stage_problem(
                prop,
                value,
                self,
                "the endpoint",
                "create the endpoint in a stack of that stage",
                imports[prop],
            )
            for prop, value in [
                ("vpc", vpc),
                *(("security_groups", group) for group in security_groups or []),
            ]
        ]
        if any(found):
            return found
        return list(other_vpc_group_problems(vpc, security_groups, "the endpoint's model runs"))

    def _network(
        self,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
        allow_all_outbound: bool,
        subject: Any,
    ) -> tuple[list[str], list[str]] | None:
        """The model's subnets and security group ids (creating a group if none given)."""
        network, self.security_groups = endpoint_network(
            self, vpc, vpc_subnets, security_groups, allow_all_outbound, subject
        )
        return network

    def _role_statements(
        self,
        repositories: Sequence[ecr.IRepository],
        capture: bool,
        network: tuple[list[str], list[str]] | None,
    ) -> list[iam.PolicyStatement]:
        """What the models' execution role needs, each statement with a Sid.

        The model data of every variant's version, exactly (the objects and prefixes the
        ``ModelData`` custom resource finds at deploy time, in the store holding the
        version, under ``models/`` or ``sealed/``), the listing of those prefixes (an
        uncompressed model is a prefix), and the keys of those stores.
        """
        stack = stack_of(self)
        stores: list[ArtifactStore] = []
        for each in self._served:
            store = each.model_store or self.artifact_store
            if all(store is not other for other in stores):
                stores.append(store)
        model_data = ModelDataReader.of(self, self.artifact_store).model_data(
            self,
            [
                (
                    each.model_package_arn,
                    each.model_store or self.artifact_store,
                    # A shadow's responses are discarded: it may try a version pending approval.
                    NO_REQUIREMENT
                    if not self.require_approval
                    else NOT_REJECTED
                    if each.is_shadow
                    else APPROVED,
                )
                for each in self._served
            ],
        )
        statements = model_data_statements(model_data, stores)
        arns: list[str] = []
        for repository in repositories:
            if repository.repository_arn not in arns:
                arns.append(repository.repository_arn)
        statements += ecr_pull_statements(arns)
        statements += endpoint_log_statements(stack, self._name)
        if capture:
            store = self.artifact_store
            statements += [
                iam.PolicyStatement(
                    sid="EndpointWritesCapturedData",
                    actions=["s3:PutObject"],
                    resources=[store.bucket.arn_for_objects(f"{self.data_capture_prefix}*")],
                ),
                iam.PolicyStatement(
                    sid="EndpointEncryptsCapturedData",
                    actions=["kms:Encrypt", "kms:GenerateDataKey"],
                    resources=[store.key.key_arn],
                ),
            ]
        if network is not None:
            statements += _network_statements(stack, *network)
        return statements

    def _async_statements(self, async_inference: AsyncInference) -> list[iam.PolicyStatement]:
        """What asynchronous inference needs of the role, each statement with a Sid.

        SageMaker reads each request from where the caller uploaded it, writes its result
        or failure, and publishes to the topics with the execution role (SageMaker's
        asynchronous inference guide: "your IAM role must have sns:Publish permissions").
        The key decrypts the requests (the bucket's default encryption) and encrypts the
        results (the output config's ``KmsKeyId``).
        """
        store = self.artifact_store
        prefix = self.async_inference_prefix
        statements = [
            iam.PolicyStatement(
                sid="EndpointReadsAsyncRequests",
                actions=["s3:GetObject"],
                resources=[store.bucket.arn_for_objects(f"{prefix}input/*")],
            ),
            iam.PolicyStatement(
                sid="EndpointWritesAsyncResults",
                actions=["s3:PutObject"],
                resources=[
                    store.bucket.arn_for_objects(f"{prefix}{folder}/*")
                    for folder in ("output", "failures")
                ],
            ),
            iam.PolicyStatement(
                sid="EndpointUsesAsyncInferenceKey",
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                resources=[store.key.key_arn],
            ),
        ]
        topics = async_inference._topics()
        arns: list[str] = []
        keys: list[str] = []
        for field, topic in topics:
            if topic.topic_arn not in arns:
                arns.append(topic.topic_arn)
            key = _topic_key(topic)
            if key is not None and key.key_arn not in keys:
                keys.append(key.key_arn)
            self._warn_of_topic_of_another_environment(field, topic)
        if arns:
            statements.append(
                iam.PolicyStatement(
                    sid="EndpointPublishesAsyncNotifications",
                    actions=["sns:Publish"],
                    resources=arns,
                )
            )
        if keys:
            # SNS encrypts what is published to an encrypted topic with its key, as the
            # publisher (SNS's guide, "Enabling compatibility between event sources and
            # encrypted topics").
            statements.append(
                iam.PolicyStatement(
                    sid="EndpointEncryptsAsyncNotifications",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=keys,
                )
            )
        return statements

    def _warn_of_topic_of_another_environment(self, field: str, topic: sns.ITopic) -> None:
        """A topic of another account or region: its policy (unseen here) must admit the role."""
        account, region = topic_environment(topic)
        own_account, own_region = account_region(self)
        for part, theirs, ours in (
            ("account", account, own_account),
            ("region", region, own_region),
        ):
            if theirs is None or is_unresolved(ours) or theirs == ours:
                continue
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:async-topic-of-another-environment",
                f"async_inference.{field} is a topic of {part} {theirs}, the endpoint of "
                f"{ours}: its policy must let the endpoint's execution role publish "
                "(sns:Publish), and an encrypted topic's key let it use the key, which synth "
                "can't see; otherwise SageMaker drops the notifications.",
            )
            return

    def _expire_async_inference(self, async_inference: AsyncInference) -> None:
        """Expire the endpoint's requests, results and failures after ``retention``.

        A lifecycle rule of the store's bucket, when this app created it: an adopted
        bucket's lifecycle is its owner's (``retention`` is then documented as not applied).
        """
        bucket = self.artifact_store.bucket
        if async_inference.retention is None or not isinstance(bucket, s3.Bucket):
            return
        bucket.add_lifecycle_rule(
            id=f"ExpireAsyncInference{Names.unique_id(self)}"[:255],
            prefix=self.async_inference_prefix,
            expiration=async_inference.retention,
        )

    def _new_model(
        self,
        construct_id: str,
        model_package_arn: str,
        network: tuple[list[str], list[str]] | None,
        enable_network_isolation: bool,
    ) -> sagemaker.CfnModel:
        """A SageMaker model of a registered version, run with the endpoint's role and network."""
        return version_model(
            self,
            construct_id,
            self.role,
            model_package_arn,
            network,
            enable_network_isolation,
            # Created once the policy is attached: SageMaker checks the role's access to the
            # model data and image when it creates the endpoint. And once the served
            # versions' approval is checked: the policy reads the check's attribute, but has
            # no resource under customize_roles.
            [self.role_policy, self.node.find_child(MODEL_DATA_ID)],
        )

    def _variant_property(
        self, served: _Served, serverless: ServerlessConfig | None
    ) -> sagemaker.CfnEndpointConfig.ProductionVariantProperty:
        """A (production or shadow) variant of the endpoint configuration."""
        return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            variant_name=served.name,
            model_name=self._models[served.name].attr_model_name,
            instance_type=served.instance_type,
            initial_instance_count=served.initial_instance_count,
            initial_variant_weight=served.weight,
            serverless_config=None if serverless is None else _serverless_property(serverless),
            # int() keeps a token's number (checked: a token is in seconds, not converted).
            model_data_download_timeout_in_seconds=None
            if served.model_data_download_timeout is None
            else _seconds(served.model_data_download_timeout),
            container_startup_health_check_timeout_in_seconds=None
            if served.container_startup_health_check_timeout is None
            else _seconds(served.container_startup_health_check_timeout),
            volume_size_in_gb=served.volume_size_in_gb,
            inference_ami_version=served.inference_ami_version,
        )

    # -- IEndpoint ----------------------------------------------------------------------

    @property
    def endpoint_ref(self) -> sagemaker_refs.EndpointReference:
        """A reference to the endpoint (``IEndpointRef``)."""
        return sagemaker_refs.EndpointReference(endpoint_arn=self.endpoint_arn)

    @property
    def cfn_model(self) -> sagemaker.CfnModel:
        """The underlying ``AWS::SageMaker::Model`` of the endpoint's own variant."""
        return self._model

    @property
    def cfn_models(self) -> dict[str, sagemaker.CfnModel]:
        """Each variant's ``AWS::SageMaker::Model``, by variant name (the endpoint's own first)."""
        return dict(self._models)

    @property
    def variant_names(self) -> tuple[str, ...]:
        """The names of the endpoint's variants: its own, ``variants``', then ``shadow``'s."""
        return tuple(each.name for each in self._served)

    @property
    def scalable_targets(self) -> dict[str, appscaling.ScalableTarget]:
        """Each scaled variant's scalable target, by variant name.

        Those ``add_auto_scaling`` (or ``add_provisioned_concurrency_scaling``) was called for.
        """
        return dict(self._scalable_targets)

    @property
    def cfn_endpoint_config(self) -> sagemaker.CfnEndpointConfig:
        """The underlying ``AWS::SageMaker::EndpointConfig`` (of this model version)."""
        return self._config

    @property
    def cfn_endpoint(self) -> sagemaker.CfnEndpoint:
        """The underlying ``AWS::SageMaker::Endpoint``."""
        return self._resource

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` call the endpoint: ``sagemaker:InvokeEndpoint``.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the endpoint's managed policy ``InvokePolicy`` (``invoke_policy``), left unattached,
        named in a warning (``cdk-sagemaker-pipelines:immutable-role``).

        Example::

            endpoint.grant_invoke(api_function)
        """
        return grant_invoke_endpoint(self, grantee, "ModelEndpoint")

    def grant_invoke_async(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` queue requests and read their results: asynchronous inference.

        ``sagemaker:InvokeEndpointAsync`` on this endpoint, ``s3:PutObject`` under
        ``async-inference/<endpoint>/input/``, ``s3:GetObject`` under ``output/`` and
        ``failures/``, and the store's key to encrypt the requests and decrypt the results
        (``kms:Encrypt``, ``kms:GenerateDataKey``, ``kms:Decrypt``). Only for an endpoint
        with ``async_inference``.

        A role imported with ``mutable=False`` gets nothing attached: the statements go into
        the endpoint's managed policy ``InvokeAsyncPolicy`` (``invoke_async_policy``), left
        unattached, named in a warning (``cdk-sagemaker-pipelines:immutable-role``).

        Example::

            endpoint.grant_invoke_async(batch_role)
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.grant_invoke_async"

        check_grantee(grantee, self, subject)
        raise_for([self._async_only_problem("grant_invoke(…) for real-time calls")], subject)
        bucket = self.artifact_store.bucket
        prefix = self.async_inference_prefix
        grant = (
            iam.Grant.add_to_principal(
                grantee=grantee,
                actions=["sagemaker:InvokeEndpointAsync"],
                resource_arns=[self.endpoint_arn],
            )
            .combine(
                iam.Grant.add_to_principal(
                    grantee=grantee,
                    actions=["s3:PutObject"],
                    resource_arns=[bucket.arn_for_objects(f"{prefix}input/*")],
                )
            )
            .combine(
                iam.Grant.add_to_principal(
                    grantee=grantee,
                    actions=["s3:GetObject"],
                    resource_arns=[
                        bucket.arn_for_objects(f"{prefix}{folder}/*")
                        for folder in ("output", "failures")
                    ],
                )
            )
            .combine(
                iam.Grant.add_to_principal(
                    grantee=grantee,
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                    resource_arns=[self.artifact_store.key.key_arn],
                )
            )
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_invoke_async",
            policy_id="InvokeAsyncPolicy",
            description=f"Invoke SageMaker endpoint {self.endpoint_name} asynchronously",
            allows="its statements (sagemaker:InvokeEndpointAsync on the endpoint, its "
            "requests' and results' objects and the store's key)",
            when="before it queues requests",
            other_account=_ENDPOINT_OTHER_ACCOUNT,
            resource_wildcards="callers upload each request as an object of its own, named "
            "when it is sent, under the endpoint's own async-inference/<endpoint>/input/ "
            "prefix, and SageMaker names each result or failure by its inference id under "
            "its output/ and failures/ prefixes: this endpoint's prefixes only",
        )
        return grant

    @property
    def invoke_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_invoke`` kept for roles that refuse policy updates (``InvokePolicy``).

        A role imported with ``mutable=False`` (or ``without_policy_updates()``) gets
        nothing attached: the statement is in this managed policy of the endpoint, left for
        whoever manages the role to attach. None until ``grant_invoke`` is given one.

        Example::

            endpoint.grant_invoke(platform_role)  # imported with mutable=False
            CfnOutput(self, "InvokePolicyArn", value=endpoint.invoke_policy.managed_policy_arn)
        """
        return kept_policy(self, "InvokePolicy")

    @property
    def invoke_async_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_invoke_async`` kept for roles that refuse policy updates.

        The managed policy ``InvokeAsyncPolicy``, unattached, for whoever manages such a
        role to attach; None until ``grant_invoke_async`` is given one.

        Example::

            endpoint.grant_invoke_async(batch_role)  # imported with mutable=False
            policy = endpoint.invoke_async_policy  # attach it where the role is managed
        """
        return kept_policy(self, "InvokeAsyncPolicy")

    def _async_only_problem(self, instead: str) -> Problem | None:
        """None for an endpoint with asynchronous inference; otherwise what to do ``instead``."""
        if self.async_inference is not None:
            return None
        return PropProblem(
            None,
            "async_inference",
            "the endpoint has no asynchronous inference",
            f"give the ModelEndpoint async_inference=AsyncInference(…), or {instead}",
        )

    # -- deployment guardrails ----------------------------------------------------------

    @property
    def rollback_alarms(self) -> tuple[cloudwatch.IAlarm, ...]:
        """The alarms that roll a deployment back: the ``deployment``'s and those added."""
        return tuple(self._rollback_alarms)

    def add_rollback_alarm(self, alarm: cloudwatch.IAlarm) -> None:
        """Roll a deployment back when ``alarm`` goes off, too.

        For alarms on the endpoint's own metrics, which exist only once the endpoint does
        (the ``deployment``'s ``rollback_alarms`` can't name them). The execution role may
        describe it (``cloudwatch:DescribeAlarms``). At most 10 alarms in all.

        Example::

            endpoint.add_rollback_alarm(
                endpoint.metric_invocation_5xx_errors(new_fleet_only=True).create_alarm(
                    self, "ServerErrors", threshold=0.01, evaluation_periods=2))
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.add_rollback_alarm"

        problem = _alarm_problem("alarm", alarm)
        if problem is None and self.deployment is None:
            problem = PropProblem(
                None,
                "deployment",
                "the endpoint has no deployment for the alarm to roll back",
                "give the ModelEndpoint deployment=Deployment.canary(…), linear(…), rolling(…) "
                "or all_at_once(wait=…): its baking periods are when the alarms are watched",
            )
        if problem is None:
            problem = next(
                iter(_duplicate_alarm_problems("alarm", [alarm], self._rollback_alarms)), None
            )
        if problem is None and len(self._rollback_alarms) >= MAX_ROLLBACK_ALARMS:
            problem = ArgumentProblem(
                None,
                "alarm",
                f"the endpoint has {MAX_ROLLBACK_ALARMS} rollback alarms already, SageMaker's most",
                "combine alarms in a cloudwatch.CompositeAlarm",
            )
        if problem is None:
            found = self._alarm_placement_problem("alarm", alarm)
            problem = (
                None if found is None else ArgumentProblem(None, "alarm", found.message, found.hint)
            )
        raise_for([problem], subject)
        assert self.deployment is not None
        self._rollback_alarms.append(alarm)
        self._allow_describing(alarm)
        self._resource.deployment_config = self.deployment._render(self._rollback_alarms)

    # -- metrics --------------------------------------------------------------------------

    def metric(
        self,
        metric_name: str,
        *,
        new_fleet_only: bool = False,
        variant: str | None = None,
        **options: Unpack[_MetricOptions],
    ) -> cloudwatch.Metric:
        """A metric of a variant in ``AWS/SageMaker`` (dimensions EndpointName, VariantName).

        ``metric_name`` is one of the endpoint invocation metrics SageMaker publishes
        (``Invocations``, ``Invocation4XXErrors``, ``Invocation5XXErrors``,
        ``InvocationModelErrors``, ``ModelLatency``, ``OverheadLatency``,
        ``InvocationsPerInstance``, ``ModelSetupTime`` of serverless variants, …): one of
        those misspelt (``Invocation5xxErrors``) or an instance metric (``CPUUtilization``,
        in ``/aws/sagemaker/Endpoints``) fails, as its alarm would never fire. With
        ``new_fleet_only``, only the fleet of this template's endpoint configuration
        (dimension ``EndpointConfigName``): during a blue/green deployment, the new fleet,
        so the old fleet's errors trip no rollback alarm. The other ``options`` are
        ``cloudwatch.MetricOptions`` (period, statistic, …; Default: Average over 5
        minutes). ``variant`` names the variant: one of ``variants`` or the ``shadow``, to
        compare a challenger with the endpoint's own (Default: the endpoint's own,
        ``variant_name``).

        The endpoint is named by its literal name, not by a reference to it: an alarm of
        these metrics can roll back the endpoint's own deployments (a reference would make
        each depend on the other).

        Example::

            endpoint.metric("InvocationModelErrors", statistic="Sum")
            endpoint.metric("ModelLatency", variant="Challenger")
        """
        given: dict[str, Any] = dict(options)
        problem = self._variant_argument_problem(variant)
        dimensions = {
            "EndpointName": self._name,
            "VariantName": self.variant_name if problem is not None or variant is None else variant,
        }
        raise_for(
            [
                problem,
                *_endpoint_metric_problems(metric_name, new_fleet_only, given, dimensions),
                self._unpublished_metric_problem(metric_name),
            ],
            lambda: f"ModelEndpoint {self.node.path}.metric({metric_name!r})",
        )
        if new_fleet_only:
            dimensions["EndpointConfigName"] = self._config.attr_endpoint_config_name
        if "period" not in given:
            given["period"] = Duration.minutes(5)
        extra = given.pop("dimensions_map", None) or {}
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={**dimensions, **extra},
            **given,
        )

    def metric_invocations(
        self,
        *,
        new_fleet_only: bool = False,
        variant: str | None = None,
        **options: Unpack[_MetricOptions],
    ) -> cloudwatch.Metric:
        """Requests sent to the variant (Sum over 5 minutes by default)."""
        merged: _MetricOptions = {"statistic": "Sum", **options}
        return self.metric("Invocations", new_fleet_only=new_fleet_only, variant=variant, **merged)

    def metric_invocation_4xx_errors(
        self,
        *,
        new_fleet_only: bool = False,
        variant: str | None = None,
        **options: Unpack[_MetricOptions],
    ) -> cloudwatch.Metric:
        """Requests the model answered with a 4xx error: the Average is their share.

        (Average over 5 minutes by default: 0.01 is 1% of the requests.)
        """
        return self.metric(
            "Invocation4XXErrors", new_fleet_only=new_fleet_only, variant=variant, **options
        )

    def metric_invocation_5xx_errors(
        self,
        *,
        new_fleet_only: bool = False,
        variant: str | None = None,
        **options: Unpack[_MetricOptions],
    ) -> cloudwatch.Metric:
        """Requests the model answered with a 5xx error: the Average is their share.

        (Average over 5 minutes by default: 0.01 is 1% of the requests.)
        """
        return self.metric(
            "Invocation5XXErrors", new_fleet_only=new_fleet_only, variant=variant, **options
        )

    def metric_model_latency(
        self,
        *,
        new_fleet_only: bool = False,
        variant: str | None = None,
        **options: Unpack[_MetricOptions],
    ) -> cloudwatch.Metric:
        """How long the model took to respond, in microseconds (Average over 5 minutes)."""
        return self.metric(
            "ModelLatency", new_fleet_only=new_fleet_only, variant=variant, **options
        )

    def metric_overhead_latency(
        self,
        *,
        new_fleet_only: bool = False,
        variant: str | None = None,
        **options: Unpack[_MetricOptions],
    ) -> cloudwatch.Metric:
        """SageMaker's own time per request, in microseconds (Average over 5 minutes)."""
        return self.metric(
            "OverheadLatency", new_fleet_only=new_fleet_only, variant=variant, **options
        )

    def add_error_alarms(
        self,
        *,
        topic: sns.ITopic | None = None,
        server_error_rate: float = 0.01,
        model_error_rate: float = 0.05,
        min_invocations: int = 20,
        period: Duration | None = None,
        evaluation_periods: int = 3,
        variant: str | None = None,
    ) -> EndpointErrorAlarms:
        """Alarm on the variant's share of failed requests, every fleet of it, at any time.

        Two alarms, on metric math of the variant's ``Invocations`` (dimensions EndpointName
        and VariantName, so every fleet: unlike a rollback alarm of ``new_fleet_only``
        metrics, they watch the endpoint between deployments and during them):

        - ``server_errors`` (construct ``ServerErrorRate``): ``Invocation5XXErrors`` above
          ``server_error_rate`` of the requests;
        - ``model_errors`` (``ModelErrorRate``): ``InvocationModelErrors`` (the model's own
          answers that aren't 2xx: its errors, timeouts, malformed responses) above
          ``model_error_rate``;

        each over ``evaluation_periods`` periods running. A period of fewer than
        ``min_invocations`` requests counts as none failed, and one without any as missing
        (not breaching): a few errors among a handful of requests don't page at night.
        With ``topic`` (an ``sns.ITopic`` of the app, or imported), both send it their ALARM
        and their OK (``notify_topic``: its policy admits exactly these alarms). They roll
        nothing back: give ``add_rollback_alarm`` a ``new_fleet_only`` alarm for that.

        :param topic: where to notify. Default: nowhere (add actions yourself).
        :param server_error_rate: the share of 5xx answers (0-1) above which it alarms.
            Default: 0.01 (1%).
        :param model_error_rate: the share of model errors (0-1). Default: 0.05 (5%).
        :param min_invocations: the fewest requests in a period for its errors to count.
            Default: 20.
        :param period: whole minutes. Default: 5 minutes.
        :param evaluation_periods: periods running above the rate to alarm; ``period``
            times this at most a day (7 days for periods of an hour or more). Default: 3.
        :param variant: one of ``variants`` or the ``shadow``. Default: the endpoint's own.

        Example::

            alarms = endpoint.add_error_alarms(topic=alerts.topic, min_invocations=50)
            alarms.server_errors  # the cloudwatch.Alarm on Invocation5XXErrors
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.add_error_alarms"

        window = period if period is not None else Duration.minutes(5)
        raise_for(
            [
                self._variant_argument_problem(variant),
                None if topic is None else alarm_topic_problem(topic, self),
                _rate_problem("server_error_rate", server_error_rate),
                _rate_problem("model_error_rate", model_error_rate),
                _count_argument_problem("min_invocations", min_invocations),
                _count_argument_problem("evaluation_periods", evaluation_periods),
                _alarm_window_problem(period, evaluation_periods),
                None
                if self.async_inference is None
                else ArgumentProblem(
                    None,
                    "self",
                    "SageMaker publishes no Invocations for an asynchronous endpoint: the "
                    "share of failed requests can't be computed",
                    "alarm on metric('Invocation5XXErrors', statistic='Sum') and "
                    "metric('InvocationModelErrors', statistic='Sum') instead",
                ),
            ],
            subject,
        )
        # A variant's alarms are told apart by its name: ChallengerServerErrorRate.
        prefix = "" if variant is None else variant
        alarms = {}
        for key, construct_id, metric_name, rate, what in (
            (
                "server_errors",
                "ServerErrorRate",
                "Invocation5XXErrors",
                server_error_rate,
                "a 5xx error",
            ),
            (
                "model_errors",
                "ModelErrorRate",
                "InvocationModelErrors",
                model_error_rate,
                "a model error (not 2xx: its exception, a timeout, a malformed response)",
            ),
        ):
            rate_of = cloudwatch.MathExpression(
                # Too few requests: no share worth paging on (0, not breaching).
                expression=f"IF(invocations >= {min_invocations}, errors / invocations, 0)",
                using_metrics={
                    "invocations": self.metric_invocations(variant=variant, period=window),
                    "errors": self.metric(
                        metric_name, variant=variant, statistic="Sum", period=window
                    ),
                },
                label=f"Share of requests answered with {metric_name}",
                period=window,
            )
            alarms[key] = rate_of.create_alarm(
                self,
                f"{prefix}{construct_id}",
                alarm_description=(
                    f"More than {rate:.0%} of the requests to endpoint {self._name} (variant "
                    f"{variant or self.variant_name}, all its fleets) answered with {what}, "
                    f"{evaluation_periods} periods of {window.to_human_string()} running "
                    f"(periods of at least {min_invocations} requests). Nothing rolls back by "
                    f"itself: read its log (/aws/sagemaker/Endpoints/{self._name}) and, if a new "
                    "version brought it, deploy the previous one"
                ),
                threshold=rate,
                evaluation_periods=evaluation_periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                # No request at all: nothing failed.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        result = EndpointErrorAlarms(
            server_errors=alarms["server_errors"], model_errors=alarms["model_errors"]
        )
        if topic is not None:
            notify_topic([result.server_errors, result.model_errors], topic, ok=True)
        return result

    def notify_on_rejection(self, topic: sns.ITopic) -> dict[str, events.Rule]:
        """Page ``topic`` when a version the endpoint serves is no longer fit to serve.

        ``require_approval`` checks a version when a deploy starts serving it: one rejected
        afterwards keeps serving until a deploy replaces it. This adds one EventBridge rule
        per served version (the endpoint's own variant's, ``RejectedVersion``; each of
        ``variants``' and the ``shadow``'s, ``<name>RejectedVersion``) matching SageMaker's
        ``SageMaker Model Package State Change`` events of exactly that version (its ARN in
        ``resources``, as given and in lowercase; a token as it resolves) whose
        ``ModelApprovalStatus`` is one the variant must not serve: ``Rejected``, and for a
        production variant under ``require_approval`` ``PendingManualApproval`` too (an
        approval withdrawn); the shadow's may be pending. Each change of such a version
        while in that status pages again. The message names the version, its status, the
        endpoint and variant, and gives the commands to paste (region included): who
        changed the status and why, the approved versions to roll back to, approving it
        again. Notify-only: nothing rolls back by itself.

        The topic's policy admits exactly these rules (one statement, ``aws:SourceArn``;
        rules named from their path for a topic of another stack), and its key, of the
        app, lets EventBridge use it; an imported topic or key is warned
        (``cdk-sagemaker-pipelines:notification-topic-policy``, ``…-topic-key``). A topic of
        another account or region, or a FIFO topic, fails, as for
        ``PipelineFailureNotifications``. SageMaker sends the events in the version's
        account: a version of another account is warned
        (``cdk-sagemaker-pipelines:rule-of-another-environment``), as this stack's rules see
        them only if that account's bus forwards them here. Once per endpoint.

        :param topic: where to page (an ``sns.ITopic`` of this stack's account and region).
        :returns: the rules, by variant name.

        Example::

            endpoint.notify_on_rejection(alerts.topic)  # alerts: PipelineFailureNotifications
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.notify_on_rejection"

        raise_for(
            [
                *topic_problems(self, topic),
                None
                if self._rejection_rules is None
                else ArgumentProblem(
                    None,
                    "self",
                    "notify_on_rejection was called already: the endpoint's versions are "
                    "watched, and their rules publish to the topic it was given",
                    "subscribe more endpoints to that topic instead",
                ),
            ],
            subject,
        )
        watched = []
        for each in self._served:
            if each.is_shadow:
                statuses: tuple[str, ...] = ("Rejected",)
                served_as = f"shadow variant '{each.name}'"
                consequence = (
                    "SageMaker copies requests to it and discards its answers: remove the "
                    "shadow, or give it another version, at the next deploy"
                )
            else:
                # Under require_approval a production version was Approved when deployed:
                # pending again means its approval was withdrawn. Without it, pending
                # versions serve on purpose (a dev environment): only Rejected pages.
                statuses = ("Rejected",)
                if self.require_approval:
                    statuses += ("PendingManualApproval",)
                served_as = f"production variant '{each.name}'"
                consequence = "its answers reach callers"
            watched.append(
                Watched(
                    self,
                    f"{each.name if each.prefix else ''}{REJECTION_RULE_ID}",
                    each.model_package_arn,
                    statuses,
                    served_as,
                    consequence,
                    f"{each.prefix}model_package_arn",
                )
            )
        rules = notify_rejections(self, self._name, topic, watched)
        self._rejection_rules = {
            each.name: rule for each, rule in zip(self._served, rules, strict=True)
        }
        return dict(self._rejection_rules)

    def _unpublished_metric_problem(self, metric_name: object) -> Problem | None:
        """An invocation metric SageMaker doesn't publish for an asynchronous endpoint."""
        if self.async_inference is None or metric_name not in ASYNC_UNPUBLISHED_METRICS:
            return None
        return PropProblem(
            None,
            "metric_name",
            f"SageMaker publishes no {metric_name} for an asynchronous endpoint: this metric "
            "would have no data",
            "metric_approximate_backlog_size() (requests queued), or "
            "metric('Invocation5XXErrors') and the other published ones",
        )

    def _async_metric(
        self, metric_name: str, options: Mapping[str, Any], default_statistic: str
    ) -> cloudwatch.Metric:
        """An asynchronous endpoint's metric (dimension EndpointName alone, by its literal name)."""
        given: dict[str, Any] = dict(options)
        raise_for(
            [
                self._async_only_problem("metric_invocations() and the others for real time"),
                *_endpoint_metric_problems(metric_name, False, given, {}),
            ],
            lambda: f"ModelEndpoint {self.node.path}.metric({metric_name!r})",
        )
        given.setdefault("period", Duration.minutes(5))
        given.setdefault("statistic", default_statistic)
        extra = given.pop("dimensions_map", None) or {}
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=metric_name,
            dimensions_map={"EndpointName": self._name, **extra},
            **given,
        )

    def metric_approximate_backlog_size(
        self, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """Requests queued or being processed by the asynchronous endpoint (Average, 5 min)."""
        return self._async_metric("ApproximateBacklogSize", options, "Average")

    def metric_approximate_backlog_size_per_instance(
        self, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """The backlog divided by the endpoint's instances (Average, 5 min): what scales it."""
        return self._async_metric("ApproximateBacklogSizePerInstance", options, "Average")

    def metric_approximate_age_of_oldest_request(
        self, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """How long the oldest queued request has waited, in seconds (Maximum, 5 min)."""
        return self._async_metric("ApproximateAgeOfOldestRequest", options, "Maximum")

    def metric_has_backlog_without_capacity(
        self, **options: Unpack[_MetricOptions]
    ) -> cloudwatch.Metric:
        """1 while requests wait and the endpoint has no instance, else 0 (Average, 5 min)."""
        return self._async_metric("HasBacklogWithoutCapacity", options, "Average")

    def _variant_argument_problem(self, variant: object) -> Problem | None:
        """``variant=`` of a metric or scaling method: None, or the name of a variant."""
        if variant is None:
            return None
        if not isinstance(variant, str):
            return ArgumentProblem(
                None,
                "variant",
                f"expected the name of one of the endpoint's variants, got {describe(variant)}",
                f"one of {', '.join(repr(name) for name in self.variant_names)}",
            )
        names = self.variant_names
        if variant in names:
            return None
        return ArgumentProblem(
            None,
            "variant",
            f"{variant!r} is no variant of the endpoint (its variants: "
            f"{', '.join(repr(name) for name in names)})",
            did_you_mean(variant, names),
        )

    def _served_variant(self, variant: str | None) -> _Served:
        """The variant named ``variant`` (checked), the endpoint's own for None."""
        return next(
            (each for each in self._served if variant is not None and each.name == variant),
            self._served[0],
        )

    # -- auto scaling -------------------------------------------------------------------

    @check_keywords
    def add_auto_scaling(
        self,
        *,
        max_capacity: int,
        target_invocations_per_instance: float,
        min_capacity: int = 1,
        scale_in_cooldown: Duration | None = None,
        scale_out_cooldown: Duration | None = None,
        variant: str | None = None,
    ) -> appscaling.ScalableTarget:
        """Scale a variant's instance count with its traffic (Application Auto Scaling).

        Registers the variant (``endpoint/<name>/variant/<variant>``, dimension
        ``sagemaker:variant:DesiredInstanceCount``) as a scalable target of
        ``min_capacity``-``max_capacity`` instances, with a target tracking policy on
        ``SageMakerVariantInvocationsPerInstance`` (invocations per instance per minute).
        The target names Application Auto Scaling's service-linked role for SageMaker
        (``AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint``, created by the
        service if the account lacks it), not a role of its own.

        With scaling on, the Endpoint keeps its current instance count when a deployment
        updates it (``RetainAllVariantProperties``, its data capture and weight still
        taken from the new configuration): a new model version starts on as many
        instances as the scaler had running, and a changed ``initial_instance_count``
        applies only when the endpoint is created. Changing ``instance_type`` or
        ``variant_name`` of a scaled variant fails the update (SageMaker refuses it while
        the variant is a scalable target): deploy once without ``add_auto_scaling``, then
        with the change, then with scaling again; so does removing a scaled variant from
        ``variants``. With several variants, each keeps its instance count (scaled or
        not): a changed ``initial_instance_count`` of any running variant doesn't apply.

        Example::

            target = endpoint.add_auto_scaling(
                min_capacity=1, max_capacity=4, target_invocations_per_instance=100,
                scale_in_cooldown=Duration.minutes(10))
            target.scale_on_schedule("NightlyMinimum", …)  # more policies on the target
            endpoint.add_auto_scaling(  # a challenger of the A/B test, on its own
                max_capacity=2, target_invocations_per_instance=100, variant="Challenger")

        :param max_capacity: at most this many instances, at least ``min_capacity`` and
            ``initial_instance_count``.
        :param target_invocations_per_instance: the invocations per instance per minute
            the policy keeps the variant at (its ``TargetValue``), more than 0. Load-test
            the model to find it.
        :param min_capacity: at least this many instances: 1 or more (a real-time
            variant can't scale to 0), at most the variant's ``initial_instance_count``.
            Default: 1.
        :param scale_in_cooldown: whole seconds after a scale-in before another.
            Default: Application Auto Scaling's, 300 seconds for SageMaker variants.
        :param scale_out_cooldown: whole seconds after a scale-out before another.
            Default: Application Auto Scaling's, 300 seconds for SageMaker variants.
        :param variant: the variant to scale: one of ``variants`` or the ``shadow``, each
            a scalable target of its own (``<variant>Scaling``). Default: the endpoint's
            own (``Scaling``).
        :returns: the scalable target (``scalable_target`` for the endpoint's own variant,
            ``scalable_targets[variant]``), to add scheduled or step scaling of your own.
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.add_auto_scaling"

        variant_problem = self._variant_argument_problem(variant)
        served = self._served_variant(None if variant_problem is not None else variant)
        problems: list[Problem | None] = [
            variant_problem,
            _whole_number_problem("min_capacity", min_capacity, 1),
            _whole_number_problem("max_capacity", max_capacity, 1),
            _target_value_problem(target_invocations_per_instance),
            _cooldown_problem("scale_in_cooldown", scale_in_cooldown),
            _cooldown_problem("scale_out_cooldown", scale_out_cooldown),
        ]
        if self.serverless is not None:
            problems.append(
                PropProblem(
                    None,
                    "serverless",
                    "a serverless endpoint has no instances to scale: SageMaker scales its "
                    "concurrency up to max_concurrency itself",
                    "add_provisioned_concurrency_scaling(…) scales a provisioned concurrency",
                )
            )
        if self.async_inference is not None:
            # "Any metric not listed below is not published if the endpoint is enabled for
            # asynchronous inference. Such metrics include … InvocationsPerInstance"
            # (SageMaker's guide, asynchronous endpoints' metrics): the policy would never act.
            problems.append(
                PropProblem(
                    None,
                    "async_inference",
                    "SageMaker publishes no InvocationsPerInstance for an asynchronous "
                    "endpoint: the policy would never scale it",
                    "add_async_auto_scaling(…) scales it with its backlog",
                )
            )
        problems.append(self._second_target_problem(served))
        raise_for(problems, subject)
        raise_for(self._capacity_problems(min_capacity, max_capacity, served), subject)
        raise_for(self._scaled_deployment_problems(served, min_capacity, max_capacity), subject)
        from aws_cdk import aws_applicationautoscaling as appscaling

        target = self._scalable_target(SCALABLE_DIMENSION, min_capacity, max_capacity, served)
        target.scale_to_track_metric(
            "InvocationsPerInstance",
            target_value=target_invocations_per_instance,
            predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
        )
        self._retain_scaled_count()
        return target

    def _retain_scaled_count(self) -> None:
        # A deployment of a new configuration keeps the count the scaler set, rather than
        # restarting the new fleet at the configuration's InitialInstanceCount.
        self._resource.retain_all_variant_properties = True
        self._resource.exclude_retained_variant_properties = [
            sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type=kind)
            for kind in ("DesiredWeight", "DataCaptureConfig")
        ]

    def _scaled_deployment_problems(
        self, served: _Served, min_capacity: int, max_capacity: int
    ) -> list[Problem | None]:
        """The deployment's size in instances must fit every count the scaler may set."""
        if self.deployment is None or served.is_shadow:
            return []
        return [
            ArgumentProblem(
                None,
                "min_capacity" if bound == "least" else "max_capacity",
                message,
                self._scaled_step_hint(bound, hint, min_capacity),
            )
            for bound, message, hint in _step_size_problems(
                self.deployment,
                min_capacity,
                max_capacity,
                "min_capacity to max_capacity",
                "the deployment's",
            )
        ]

    @check_keywords
    def add_async_auto_scaling(
        self,
        *,
        max_capacity: int,
        target_backlog_per_instance: float,
        min_capacity: int = 0,
        scale_in_cooldown: Duration | None = None,
        scale_out_cooldown: Duration | None = None,
    ) -> appscaling.ScalableTarget:
        """Scale an asynchronous endpoint's instances with its backlog, to 0 when idle.

        AWS's documented pattern ("Autoscale an asynchronous endpoint", SageMaker's guide):
        the endpoint's variant (``sagemaker:variant:DesiredInstanceCount``, through
        Application Auto Scaling's service-linked role, as ``add_auto_scaling``) of
        ``min_capacity``-``max_capacity`` instances, with a target tracking policy on
        ``ApproximateBacklogSizePerInstance`` (``AWS/SageMaker``, dimension EndpointName,
        Average). With ``min_capacity=0``, target tracking alone starts an instance only
        once the backlog passes the target: a step scaling policy adds one instance when
        ``HasBacklogWithoutCapacity`` is 1 for two minutes (its alarm
        ``BacklogWithoutCapacity``, as the guide's "Define a scaling policy that scales up
        from zero for new requests"). Deployments keep the scaled instance count, as
        with ``add_auto_scaling``.

        Example::

            endpoint.add_async_auto_scaling(max_capacity=4, target_backlog_per_instance=5)

        :param max_capacity: at most this many instances, at least ``min_capacity`` and
            ``initial_instance_count``.
        :param target_backlog_per_instance: the queued requests per instance the policy keeps
            the endpoint at (its ``TargetValue``), more than 0.
        :param min_capacity: at least this many instances, 0 or more, at most
            ``initial_instance_count``. Default: 0 (no instance, and no bill, while idle;
            the first request then waits for an instance to start).
        :param scale_in_cooldown: whole seconds after a scale-in before another.
            Default: Application Auto Scaling's.
        :param scale_out_cooldown: whole seconds after a scale-out before another (the
            step policy's cooldown too). Default: Application Auto Scaling's (300 seconds
            for the step policy).
        :returns: the scalable target (``scalable_target``).
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.add_async_auto_scaling"

        served = self._served[0]
        problems: list[Problem | None] = [
            self._async_only_problem("add_auto_scaling(…) for a real-time endpoint"),
            _whole_number_problem("min_capacity", min_capacity, 0),
            _whole_number_problem("max_capacity", max_capacity, 1),
            _positive_problem(
                "target_backlog_per_instance",
                target_backlog_per_instance,
                "queued requests per instance",
            ),
            _cooldown_problem("scale_in_cooldown", scale_in_cooldown),
            _cooldown_problem("scale_out_cooldown", scale_out_cooldown),
            self._second_target_problem(served),
        ]
        raise_for(problems, subject)
        raise_for(self._capacity_problems(min_capacity, max_capacity, served), subject)
        raise_for(self._scaled_deployment_problems(served, min_capacity, max_capacity), subject)
        from aws_cdk import aws_applicationautoscaling as appscaling

        target = self._scalable_target(SCALABLE_DIMENSION, min_capacity, max_capacity, served)
        target.scale_to_track_metric(
            "BacklogPerInstance",
            target_value=target_backlog_per_instance,
            custom_metric=self.metric_approximate_backlog_size_per_instance(
                period=Duration.minutes(1)
            ),
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
        )
        if min_capacity == 0:
            # The guide's policy: ChangeInCapacity +1 from the alarm's threshold up, with
            # the alarm on HasBacklogWithoutCapacity >= 1 for 2 of 2 one-minute periods.
            _scale_out_from_zero(
                self,
                target,
                self.metric_has_backlog_without_capacity(period=Duration.minutes(1)),
                alarm_id="BacklogWithoutCapacity",
                aggregation=appscaling.MetricAggregationType.AVERAGE,
                cooldown=scale_out_cooldown or Duration.minutes(5),
                evaluation_periods=2,
                alarm_description="Requests wait and the asynchronous endpoint has no instance: "
                "scale out from 0",
            )
        self._retain_scaled_count()
        return target

    @check_keywords
    def add_provisioned_concurrency_scaling(
        self,
        *,
        max_capacity: int,
        target_utilization: float,
        min_capacity: int = 1,
        scale_in_cooldown: Duration | None = None,
        scale_out_cooldown: Duration | None = None,
    ) -> appscaling.ScalableTarget:
        """Scale a serverless variant's provisioned concurrency with its use.

        Registers the variant (dimension ``sagemaker:variant:DesiredProvisionedConcurrency``)
        as a scalable target of ``min_capacity``-``max_capacity`` provisioned invocations,
        with a target tracking policy on ``SageMakerVariantProvisionedConcurrencyUtilization``
        (the share of the provisioned concurrency in use), through Application Auto
        Scaling's service-linked role for SageMaker, as ``add_auto_scaling``. Only for a
        ``ServerlessConfig`` with ``provisioned_concurrency``: a new configuration (a new
        model version) starts again at that ``provisioned_concurrency``, and the scaler
        takes it from there.

        Example::

            endpoint.add_provisioned_concurrency_scaling(
                min_capacity=1, max_capacity=10, target_utilization=0.7)

        :param max_capacity: at most this many provisioned invocations: at least
            ``min_capacity`` and the config's ``provisioned_concurrency``, at most its
            ``max_concurrency``.
        :param target_utilization: the share of the provisioned concurrency the policy keeps
            in use (its ``TargetValue``), more than 0 and at most 1.
        :param min_capacity: at least this many: 1 or more, at most the config's
            ``provisioned_concurrency``. Default: 1.
        :param scale_in_cooldown: whole seconds after a scale-in before another.
            Default: Application Auto Scaling's.
        :param scale_out_cooldown: whole seconds after a scale-out before another.
            Default: Application Auto Scaling's.
        :returns: the scalable target (``scalable_target``), for scheduled scaling of your
            own.
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.add_provisioned_concurrency_scaling"

        problems: list[Problem | None] = [
            _whole_number_problem("min_capacity", min_capacity, 1, "invocations"),
            _whole_number_problem("max_capacity", max_capacity, 1, "invocations"),
            _utilization_problem(target_utilization),
            _cooldown_problem("scale_in_cooldown", scale_in_cooldown),
            _cooldown_problem("scale_out_cooldown", scale_out_cooldown),
        ]
        serverless = self.serverless
        if serverless is None or serverless.provisioned_concurrency is None:
            problems.append(
                PropProblem(
                    None,
                    "serverless",
                    "the endpoint has no provisioned concurrency to scale"
                    + (" (it runs on instances)" if serverless is None else ""),
                    "ServerlessConfig(…, provisioned_concurrency=…)"
                    if serverless is not None
                    else "add_auto_scaling(…) scales an endpoint's instances",
                )
            )
        problems.append(self._second_target_problem(self._served[0]))
        raise_for(problems, subject)
        assert serverless is not None
        assert serverless.provisioned_concurrency is not None
        raise_for(
            _provisioned_range_problems(
                min_capacity,
                max_capacity,
                cast(int, serverless.provisioned_concurrency),
                cast(int, serverless.max_concurrency),
            ),
            subject,
        )
        from aws_cdk import aws_applicationautoscaling as appscaling

        target = self._scalable_target(
            PROVISIONED_CONCURRENCY_DIMENSION, min_capacity, max_capacity, self._served[0]
        )
        target.scale_to_track_metric(
            "ProvisionedConcurrencyUtilization",
            target_value=target_utilization,
            predefined_metric=(
                appscaling.PredefinedMetric.SAGEMAKER_VARIANT_PROVISIONED_CONCURRENCY_UTILIZATION
            ),
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
        )
        return target

    def _second_target_problem(self, served: _Served) -> Problem | None:
        """Application Auto Scaling takes one scalable target per variant."""
        if served.name not in self._scalable_targets:
            return None
        held = (
            "endpoint.scalable_target"
            if not served.prefix
            else f"endpoint.scalable_targets[{served.name!r}]"
        )
        return ArgumentProblem(
            None,
            "max_capacity",
            "the variant has a scalable target already (add_auto_scaling or "
            "add_provisioned_concurrency_scaling was called before): Application Auto "
            "Scaling takes one per variant",
            f"add policies to the target it returned ({held}."
            "scale_on_schedule(…), scale_to_track_metric(…))",
        )

    def _scalable_target(
        self, dimension: str, min_capacity: int, max_capacity: int, served: _Served
    ) -> appscaling.ScalableTarget:
        """The variant as a scalable target of ``dimension``, of the service-linked role.

        ``Scaling`` for the endpoint's own variant, ``<variant>Scaling`` for the others.
        """
        # Imported only with scaling: the module is not needed otherwise.
        from aws_cdk import aws_applicationautoscaling as appscaling

        if self._scaling_role is None:
            # Without a role, aws-cdk-lib creates one (trusted by
            # application-autoscaling.amazonaws.com, without permissions) that Application
            # Auto Scaling ignores for SageMaker: it always acts through its service-linked
            # role, which CloudFormation creates when the template names it.
            self._scaling_role = iam.Role.from_role_arn(
                self,
                "ScalingRole",
                stack_of(self).format_arn(
                    service="iam",
                    region="",
                    resource="role",
                    resource_name=AUTO_SCALING_ROLE_NAME,
                ),
                mutable=False,
            )
        target = appscaling.ScalableTarget(
            self,
            "Scaling" if not served.prefix else f"{served.name}Scaling",
            service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            resource_id=f"endpoint/{self._name}/variant/{served.name}",
            scalable_dimension=dimension,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            role=self._scaling_role,
        )
        # Registered once the endpoint is in service (the resource id names it literally).
        target.node.add_dependency(self._resource)
        self._scalable_targets[served.name] = target
        if not served.prefix:
            self.scalable_target = target
        return target

    def _scaled_step_hint(self, bound: str, hint: str, min_capacity: int) -> str:
        """What fixes a deployment's size in instances that a scaling range doesn't fit.

        Too big for ``min_capacity`` instances: a larger minimum, fewer instances (when
        some fit) or a size in percent. ``hint`` is ``_step_size_problems``'s.
        """
        deployment = self.deployment
        if bound != "least" or deployment is None or deployment.instances is None:
            return f"the deployment's {hint}, or its size in percent="
        high = _STEP_PERCENT[deployment.strategy][1]
        needed = -(-deployment.instances * 100 // high)
        if min_capacity * high // 100:  # some number of instances fits
            return (
                f"min_capacity={needed} or more, the deployment's {hint}, or its size in percent="
            )
        return f"min_capacity={needed} or more, or the deployment's size in percent ({hint})"

    def _capacity_problems(self, least: int, most: int, served: _Served) -> list[Problem]:
        """``min_capacity`` ≤ the variant's ``initial_instance_count`` ≤ ``max_capacity``."""
        initial = served.initial_instance_count
        count = (
            "the endpoint's initial_instance_count"
            if not served.prefix
            else f"variant {served.name!r}'s initial_instance_count"
        )
        if initial is None or any(is_unresolved(value) for value in (least, most, initial)):
            return []
        if most < least:
            return [
                ArgumentProblem(
                    None,
                    "max_capacity",
                    f"{most} is less than min_capacity {least}",
                    f"max_capacity={least} or more",
                )
            ]
        problems: list[Problem] = []
        if initial < least:
            problems.append(
                ArgumentProblem(
                    None,
                    "min_capacity",
                    f"{least} is more than {count} {initial}: "
                    "the endpoint would be created below the scaler's minimum",
                    f"give the {'ModelEndpoint' if not served.prefix else 'EndpointVariant'} "
                    f"initial_instance_count={least}, or min_capacity={initial}",
                )
            )
        if initial > most:
            problems.append(
                ArgumentProblem(
                    None,
                    "max_capacity",
                    f"{most} is less than {count} {initial}: "
                    "the endpoint would be created above the scaler's maximum",
                    f"max_capacity={initial} or more, or a smaller initial_instance_count",
                )
            )
        return problems


def version_arn_problems(scope: Construct, served: _Served) -> list[Problem]:
    """A literal ARN of ``served``: a version, of ``scope``'s region, of the registry's group.

    ``ModelEndpoint``'s and ``ComponentEndpoint``'s check of each version they serve (its
    props named with ``served.prefix``).
    """
    arn, registry, model_store = served.model_package_arn, served.registry, served.model_store
    prop = f"{served.prefix}model_package_arn"
    if is_unresolved(arn):
        return []
    parts = version_arn_parts(arn)
    if parts is None:
        problem = _version_arn_problem(prop, arn)
        return [] if problem is None else [problem]
    if parts["region"] == _LOCAL_REGION:
        # Copied from `smpipe registry list`: synth of an environment-agnostic stack would
        # take it, and CloudFormation fail to create the model at deploy time.
        return [
            PropProblem(
                None,
                prop,
                f"{arn!r} is a version of the local runner's registry (smpipe registry), "
                "which SageMaker doesn't have",
                "deploy the version registered in AWS: copy its ModelPackageArn from aws "
                "sagemaker list-model-packages --model-package-group-name "
                f"{parts['group']}, or from the approval event's detail.ModelPackageArn",
            )
        ]
    problems: list[Problem] = []
    account, region = account_region(scope)
    if not is_unresolved(region) and parts["region"] != region:
        problems.append(
            PropProblem(
                None,
                prop,
                f"a version of region {parts['region']}, but the stack is in region "
                f"{region}: SageMaker creates models only from versions of its own region",
                "register the model in this region's registry (or deploy the endpoint "
                f"in {parts['region']})",
            )
        )
    if not is_unresolved(account) and not ACCOUNT_ID.fullmatch(account):
        # A typo in the stack's env= (CDK takes any string): judged as another account,
        # it would get hints (share_with_account('<typo>')) that fail in turn.
        problems.append(
            PropProblem(
                None,
                prop,
                f"a version of account {parts['account']}, but the endpoint's stack "
                f"{stack_of(scope).node.path} names account {account!r} (its env=), which "
                "is not a 12-digit account id",
                "give the stack's env= the 12-digit id of the account it deploys to",
            )
        )
    other_account = (
        not is_unresolved(account)
        and ACCOUNT_ID.fullmatch(account) is not None
        and parts["account"] != account
    )
    if other_account and model_store is None:
        problems.append(
            PropProblem(
                None,
                f"{served.prefix}model_store",
                f"{prop} is a version of account {parts['account']}, whose model "
                "data lies in that account's artifact store, not in artifact_store (of "
                f"{account})",
                "adopt the registry's store: model_store=ArtifactStore.from_existing(self, "
                "'RegistryArtifacts', bucket=s3.Bucket.from_bucket_name(…), "
                "key=kms.Key.from_key_arn(…))",
            )
        )
    if registry is not None:
        problems += _registry_problems(arn, parts, registry, prop)
    return problems


def version_model(
    scope: Construct,
    construct_id: str,
    role: iam.IRole,
    model_package_arn: str,
    network: tuple[list[str], list[str]] | None,
    enable_network_isolation: bool,
    after: Sequence[IDependable],
    environment: Mapping[str, str] | None = None,
) -> sagemaker.CfnModel:
    """A SageMaker model of a registered version, run with ``role`` and ``network``.

    Created ``after`` what it needs deployed first (the role's policy, the ``ModelData``
    check of the version). ``ModelEndpoint``'s models and ``ComponentEndpoint``'s (whose
    ``environment`` is set beside the version, over its container's).
    """
    model = sagemaker.CfnModel(
        scope,
        construct_id,
        execution_role_arn=role_arn(role),
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            model_package_name=model_package_arn,
            # Left out when empty: the template of a model without one is unchanged.
            environment=dict(environment) if environment else None,
        ),
        vpc_config=None
        if network is None
        else sagemaker.CfnModel.VpcConfigProperty(
            subnets=network[0], security_group_ids=network[1]
        ),
        # Left out when False: the template of an endpoint without it is unchanged.
        enable_network_isolation=True if enable_network_isolation else None,
    )
    model.node.add_dependency(*after)
    return model


def model_data_statements(
    model_data: ModelData, stores: Sequence[ArtifactStore], sid_suffix: str = ""
) -> list[iam.PolicyStatement]:
    """An execution role's read of served versions' model data, from ``stores``.

    ``model_data`` is what ``ModelDataReader.model_data`` returned (tokens of lists: the
    read's whole ``Resource``, the listing's whole ``s3:prefix``); the stores' buckets are
    listed under the uncompressed models' prefixes only, and their keys decrypt.
    ``sid_suffix`` tells the statements of one reader's resource from another's in a policy
    holding several.
    """
    keys: list[kms.IKey] = []
    for store in stores:
        if all(store.key is not other for other in keys):
            keys.append(store.key)
    return [
        iam.PolicyStatement(
            sid=f"EndpointReadsModelArtifacts{sid_suffix}",
            actions=["s3:GetObject"],
            # The served versions' model data (a token of a list: the whole Resource).
            resources=model_data.resources,
        ),
        # An uncompressed model (a version's ModelDataSource of an S3Prefix, as large
        # models are registered) is listed before it is read: SageMaker lists the
        # prefix with the model's role, as for a Model step's (ListModelsOfModelStores).
        # Only those prefixes, found at deploy time like the reads (a token of a list: the
        # whole value; a prefix no store writes when no version is uncompressed). They
        # apply to each store's bucket: a statement can't pair a prefix with its bucket.
        iam.PolicyStatement(
            sid=f"EndpointListsModelArtifacts{sid_suffix}",
            actions=["s3:ListBucket"],
            resources=list(dict.fromkeys(store.bucket.bucket_arn for store in stores)),
            conditions={"StringLike": {"s3:prefix": model_data.list_prefixes}},
        ),
        iam.PolicyStatement(
            sid=f"EndpointDecryptsModelArtifacts{sid_suffix}",
            actions=["kms:Decrypt", "kms:DescribeKey"],
            resources=[key.key_arn for key in keys],
        ),
    ]


def endpoint_log_statements(stack: Any, endpoint_name: str) -> list[iam.PolicyStatement]:
    """An execution role's writes of the endpoint's logs and of SageMaker's metrics."""
    return [
        log_group_statement(
            stack, f"/aws/sagemaker/Endpoints/{endpoint_name}", "EndpointWritesLogs"
        ),
        iam.PolicyStatement(
            sid="EndpointPublishesMetrics",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringLike": {"cloudwatch:namespace": ENDPOINT_METRICS_NAMESPACE}},
        ),
    ]


def log_group_statement(stack: Any, log_group_name: str, sid: str) -> iam.PolicyStatement:
    """Create ``log_group_name`` and write its streams (one per instance, or copy)."""
    log_group = format_arn(
        stack,
        service="logs",
        resource="log-group",
        resource_name=log_group_name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return iam.PolicyStatement(
        sid=sid,
        actions=[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ],
        resources=[log_group, f"{log_group}:log-stream:*"],
    )


def endpoint_network(
    scope: Construct,
    vpc: ec2.IVpc | None,
    vpc_subnets: ec2.SubnetSelection | None,
    security_groups: Sequence[ec2.ISecurityGroup] | None,
    allow_all_outbound: bool,
    subject: Any,
) -> tuple[tuple[list[str], list[str]] | None, list[ec2.ISecurityGroup]]:
    """The models' subnets and security group ids, and the groups (one created if none given).

    ``(None, [])`` without ``vpc``. ``ModelEndpoint``'s and ``ComponentEndpoint``'s: the
    group is ``SecurityGroup`` under ``scope``, public subnets and subnets of one zone warned.
    """
    if vpc is None:
        return None, []
    # Imported only with a VPC: the module alone takes about 0.1 s to import.
    from aws_cdk import aws_ec2 as ec2

    prop = "vpc_subnets" if vpc_subnets is not None else "vpc"
    try:
        selected = vpc.select_subnets(
            **({} if vpc_subnets is None else _subnet_selection(vpc_subnets))
        )
        subnets = list(selected.subnet_ids)
        error = None
    except RuntimeError as raised:  # aws-cdk-lib's, through jsii: no such subnets
        error = re.sub(r"^\w+: ", "", str(raised).splitlines()[0])
    if error is not None:
        raise_for(
            [
                PropProblem(
                    None,
                    prop,
                    f"selects no subnets of {describe(vpc)}: {error}",
                    "select subnets the VPC has (ec2.SubnetSelection(subnet_type=…) of "
                    "one of its types)",
                )
            ],
            subject,
        )
    if len(subnets) > MAX_SUBNETS:
        raise_for(
            [
                PropProblem(
                    None,
                    prop,
                    f"selects {len(subnets)} subnets, more than CreateModel's {MAX_SUBNETS}",
                    "select fewer: ec2.SubnetSelection(subnet_group_name=…) or one_per_az=True",
                )
            ],
            subject,
        )
    _warn_of_subnets(scope, vpc, selected)
    groups = list(security_groups or [])
    if not groups:
        group = ec2.SecurityGroup(
            scope,
            "SecurityGroup",
            vpc=vpc,
            description="Model containers of a SageMaker endpoint (no inbound rules)",
            allow_all_outbound=allow_all_outbound,
        )
        if not allow_all_outbound:
            # Secure by default: HTTPS reaches what a model needs (S3, the interface
            # endpoints, package indexes). No rule to the group itself: an endpoint's
            # instances don't talk to each other.
            https_only_egress(group, vpc)
        groups.append(group)
    return (subnets, [group.security_group_id for group in groups]), groups


def _warn_of_subnets(scope: Construct, vpc: ec2.IVpc, selected: ec2.SelectedSubnets) -> None:
    """Public subnets (the instances get no public IP), or subnets of one zone."""
    subnets = list(selected.subnet_ids)
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    placed_publicly = [subnet for subnet in subnets if subnet in public]
    if placed_publicly:
        Annotations.of(scope).add_warning_v2(
            f"{WARNING_PREFIX}:public-subnets",
            f"{len(placed_publicly)} of the {len(subnets)} subnets of the endpoint's model "
            f"are public subnets of the VPC ({', '.join(placed_publicly)}): SageMaker gives "
            "endpoint instances no public IP, so their containers reach neither the "
            "internet nor S3 and ECR unless the VPC has endpoints for them. Select private "
            "subnets (vpc_subnets=ec2.SubnetSelection(subnet_type="
            "ec2.SubnetType.PRIVATE_WITH_EGRESS)), or add the VPC endpoints the model needs.",
        )
    try:
        zones = {subnet.availability_zone for subnet in selected.subnets}
    except RuntimeError:  # a subnet imported by id alone: its zone is unknown
        return
    if len(zones) == 1 and not any(is_unresolved(zone) for zone in zones):
        Annotations.of(scope).add_warning_v2(
            f"{WARNING_PREFIX}:endpoint-subnets-in-one-zone",
            f"The endpoint's model has subnets in one Availability Zone only "
            f"({zones.pop()}): SageMaker asks for subnets in at least two, even for one "
            "instance, to place the endpoint's instances across zones. Select subnets "
            "of two or more zones.",
        )


_ROLE_FAILS = "the endpoint would fail to create"


def _security_group_count_problem(security_groups: object) -> Problem | None:
    if not isinstance(security_groups, (list, tuple)) or len(security_groups) <= (
        MAX_SECURITY_GROUPS
    ):
        return None
    return PropProblem(
        None,
        "security_groups",
        f"{len(security_groups)} security groups, more than CreateModel's {MAX_SECURITY_GROUPS}",
    )


def _network_statements(
    stack: Any, subnets: Sequence[str], group_ids: Sequence[str]
) -> list[iam.PolicyStatement]:
    """The EC2 actions SageMaker takes with the execution role to attach a model to a VPC.

    The set the SageMaker guide lists for CreateModel's execution role with a VpcConfig,
    scoped as the pipelines' step roles are (``network_interface_statements``): network
    interfaces created and deleted in the model's subnets and security groups only.
    """
    return network_interface_statements(stack, "Endpoint", subnets, group_ids)


def _whole_number_problem(
    argument: str, value: object, least: int, unit: str = "instances"
) -> Problem | None:
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return ArgumentProblem(
            None, argument, f"expected a whole number of {unit}, got {describe(value)}"
        )
    if value < least:
        return ArgumentProblem(None, argument, f"expected at least {least}, got {value}")
    return None


def _utilization_problem(value: object) -> Problem | None:
    """A share of the provisioned concurrency: more than 0, at most 1."""
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ArgumentProblem(
            None,
            "target_utilization",
            f"expected a share of the provisioned concurrency, got {describe(value)}",
            "target_utilization=0.7",
        )
    if not 0 < value <= 1:
        return ArgumentProblem(
            None,
            "target_utilization",
            f"expected a share of the provisioned concurrency in use, more than 0 and at "
            f"most 1, got {value}",
            f"target_utilization={value / 100:g}" if 1 < value <= 100 else None,
        )
    return None


def _provisioned_range_problems(
    least: int, most: int, provisioned: int, max_concurrency: int
) -> list[Problem]:
    """``min_capacity`` ≤ ``provisioned_concurrency`` ≤ ``max_capacity`` ≤ ``max_concurrency``."""
    if any(is_unresolved(value) for value in (least, most, provisioned, max_concurrency)):
        return []
    if most < least:
        return [
            ArgumentProblem(
                None,
                "max_capacity",
                f"{most} is less than min_capacity {least}",
                f"max_capacity={least} or more",
            )
        ]
    problems: list[Problem] = []
    if least > provisioned:
        problems.append(
            ArgumentProblem(
                None,
                "min_capacity",
                f"{least} is more than the ServerlessConfig's provisioned_concurrency "
                f"{provisioned}: the endpoint would be created below the scaler's minimum",
                f"min_capacity={provisioned} or less",
            )
        )
    if most < provisioned:
        problems.append(
            ArgumentProblem(
                None,
                "max_capacity",
                f"{most} is less than the ServerlessConfig's provisioned_concurrency "
                f"{provisioned}: the endpoint would be created above the scaler's maximum",
                f"max_capacity={provisioned} or more",
            )
        )
    if most > max_concurrency:
        problems.append(
            ArgumentProblem(
                None,
                "max_capacity",
                f"{most} is more than the ServerlessConfig's max_concurrency "
                f"{max_concurrency}: SageMaker provisions at most the concurrency the "
                "endpoint may serve",
                f"max_capacity={max_concurrency} or less",
            )
        )
    return problems


def _target_value_problem(value: object) -> Problem | None:
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ArgumentProblem(
            None,
            "target_invocations_per_instance",
            f"expected a number of invocations per instance per minute, got {describe(value)}",
        )
    if not value > 0:
        return ArgumentProblem(
            None,
            "target_invocations_per_instance",
            f"expected more than 0 invocations per instance per minute, got {value}",
        )
    return None


def _positive_problem(argument: str, value: object, unit: str) -> Problem | None:
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ArgumentProblem(
            None, argument, f"expected a number of {unit}, got {describe(value)}"
        )
    if not value > 0:
        return ArgumentProblem(None, argument, f"expected more than 0 {unit}, got {value}")
    return None


def _cooldown_problem(argument: str, value: object) -> Problem | None:
    """Application Auto Scaling counts cooldowns in whole seconds."""
    if value is None:
        return None
    if not isinstance(value, Duration):
        return ArgumentProblem(
            None, argument, f"expected a Duration, got {describe(value)}", "Duration.minutes(5)"
        )
    if value.is_unresolved():
        return None
    seconds = value.to_seconds(integral=False)
    if seconds < 0 or seconds != int(seconds):
        return ArgumentProblem(
            None,
            argument,
            f"Application Auto Scaling counts cooldowns in whole seconds, got "
            f"{value.to_human_string()}",
            f"Duration.seconds({max(0, round(seconds))})",
        )
    return None


def _warn_of_locked_role(
    scope: Construct,
    policy: iam.ManagedPolicy | Sequence[iam.ManagedPolicy],
    what: str,
    when: str,
) -> None:
    """Name the unattached ``policy`` (or policies) a role imported with ``mutable=False`` must get.

    ``cdk-sagemaker-pipelines:immutable-role``, as the ``Pipeline``'s: ``what`` the policy
    allows, ``when`` the role needs it.
    """
    policies = [policy] if isinstance(policy, iam.ManagedPolicy) else list(policy)
    where, that = (
        (f"managed policy {policies[0].node.path}", "that policy")
        if len(policies) == 1
        else (
            "managed policies " + ", ".join(each.node.path for each in policies),
            "those policies",
        )
    )
    Annotations.of(scope).add_warning_v2(
        f"{WARNING_PREFIX}:immutable-role",
        "prop 'role' was imported with mutable=False (or without_policy_updates()), so "
        f"{what} is in {where}, not attached to it: attach {that} to the role, or make sure "
        f"the role already allows the same, {when}.",
    )


def _config_id(model_package_arn: str, others: Sequence[tuple[str, str, str]] = ()) -> str:
    """The EndpointConfig's construct id: ``Config`` and a hash of the literal versions' ARNs.

    An EndpointConfig can't change: CloudFormation replaces it on any change. A new
    version gets a config of a new logical id, created before the endpoint is updated to
    it, the old one deleted once the update succeeded (and kept for the rollback if it
    fails). An ARN known only at deploy time (a parameter) keeps the id ``Config``: its
    change replaces the model, whose new name replaces the config the same way.
    ``others`` are the other variants' (kind, name, ARN): ``variant`` or ``shadow``; each
    literal one is hashed too, so a new challenger, or one moved from shadow to production,
    gets a config of a new id as well. Without them the id is the version's alone.
    """
    parts = [] if is_unresolved(model_package_arn) else [model_package_arn]
    parts += [f"{kind}:{name}:{arn}" for kind, name, arn in others if not is_unresolved(arn)]
    if not parts:
        return "Config"
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:8].upper()
    return f"Config{digest}"


def _registry_problems(
    arn: str, parts: dict[str, str], registry: ModelRegistry, prop: str = "model_package_arn"
) -> list[Problem]:
    """A version (``prop``) of another group, region or account than the ``registry``'s."""
    group = registry.model_package_group_name
    problems: list[Problem] = []
    if not is_unresolved(group) and parts["group"] != group:
        problems.append(
            PropProblem(
                None,
                prop,
                f"a version of model package group '{parts['group']}', but registry "
                f"{registry.node.path} is the group '{group}'",
                "deploy a version of the registry's group, or give the registry of the "
                "version's group",
            )
        )
    account, region = account_region(registry)
    for part, theirs in (("account", account), ("region", region)):
        if not is_unresolved(theirs) and parts[part] != theirs:
            problems.append(
                PropProblem(
                    None,
                    prop,
                    f"a version of {part} {parts[part]}, but registry {registry.node.path} is "
                    f"in {part} {theirs}",
                    "give the ARN of a version of the registry",
                )
            )
    return problems


@jsii.implements(IValidation)
class _SharedVersion:
    """Fails synth when the registry of another account isn't shared with the endpoint's.

    A validation: the registry may be shared (``share_with_account``) after the endpoint
    is created.
    """

    def __init__(self, registry: ModelRegistry, account: str, prop: str = "registry") -> None:
        self._registry = registry
        self._account = account
        self._prop = prop

    def validate(self) -> list[str]:
        """One message when the registry doesn't share its versions with this account.

        It names the prop that gave the registry: ``registry``, or a variant's
        (``variants[0].registry``, ``shadow.registry``).
        """
        if self._account in self._registry._shared:
            return []
        registry = self._registry
        return [
            f"prop '{self._prop}': ModelRegistry {registry.node.path} (account "
            f"{account_region(registry)[0]}) isn't shared with account {self._account}: "
            "CloudFormation would fail to create the model from its version (call "
            f"registry.share_with_account({self._account!r}), or give "
            f"shared_with_accounts=[{self._account!r}])"
        ]
