"""``ModelEndpoint``: an approved model version served by a real-time SageMaker endpoint.

The last step of the mission, after prepare → train → evaluate → register: a SageMaker
Model created from a registered version (CreateModel's ``PrimaryContainer.ModelPackageName``),
an EndpointConfig and an Endpoint, with a least-privilege execution role. The version to
deploy is given, never looked up at synth: a literal ARN (from ``cdk.json`` context per
environment) or a token (a ``CfnParameter``), as CI passes it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import Annotations, ArnFormat, Duration, Names, Resource
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.interfaces import aws_sagemaker as sagemaker_refs

if TYPE_CHECKING:
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_ec2 as ec2

from constructs import Construct, IValidation

from ..definition import Problem
from ..definition._suggest import did_you_mean, one_of
from ..definition.instances import instance_types
from ._acknowledge import acknowledge_in_packs, acknowledge_wildcards
from ._arns import format_arn
from ._policies import ecr_pull_statements
from ._props import (
    ArgumentProblem,
    PropProblem,
    check_grantee,
    check_keywords,
    check_new_child,
    describe,
    expect_bool,
    expect_interface,
    expect_same_app,
    expect_str,
    is_unresolved,
    other_stage_problem,
    raise_for,
)
from ._roles import role_arn
from ._tree import account_region, node_of, placed, root_of, stack_of
from .artifacts import ArtifactStore, _key_problem
from .pipeline import (
    WARNING_PREFIX,
    _network_prop_problems,
    _role_account_problems,
    _RoleTrust,
    _service_role,
    _subnet_selection,
    network_interface_statements,
)
from .registry import ModelRegistry

DATA_CAPTURE_PREFIX = "data-capture/"
"""Where an endpoint's captured requests and responses go in its store's bucket
(``data-capture/<endpoint name>/``)."""

# CreateEndpoint's EndpointName and a production variant's VariantName (EndpointName).
NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
MAX_NAME = 63
# A registered version: model-package/<group>/<version>, the group's name as
# CreateModelPackageGroup takes it.
_VERSION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"model-package/(?P<group>[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})/(?P<version>[1-9]\d*)"
)
_VERSION_ARN_SHAPE = "arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>"
# DataCaptureConfig.CaptureContentTypeHeader: at most 10 types each, 256 characters each.
MAX_CONTENT_TYPES = 10
_CONTENT_TYPE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9.])*/[a-zA-Z0-9](-*[a-zA-Z0-9.+])*")

# Instance families whose ML storage is the instance's own NVMe store (SageMaker guide,
# "Host instance storage volumes"): encrypted by the instance's hardware, and
# CreateEndpointConfig refuses a KmsKeyId for them.
INSTANCE_STORE_FAMILIES = frozenset(
    {
        "c5d",
        "c6id",
        "g4dn",
        "g5",
        "g6",
        "g6e",
        "m5d",
        "m6id",
        "p3dn",
        "p4d",
        "p4de",
        "p5",
        "p5e",
        "p5en",
        "r5d",
        "r6id",
        "trn1",
        "trn1n",
    }
)
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
_INSTANCE_STORE_REASON = (
    "the endpoint's instance type keeps its ML storage on the instance's NVMe store, "
    "encrypted by the instance's hardware: CreateEndpointConfig refuses a KmsKeyId for it"
)


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


def instance_family(instance_type: str) -> str:
    """``ml.g4dn.xlarge`` -> ``g4dn``."""
    parts = instance_type.split(".")
    return parts[1] if len(parts) == 3 else ""


@dataclass(frozen=True, slots=True)
class DataCapture:
    """What a ``ModelEndpoint`` captures of its requests and responses, for Model Monitor.

    Captured data goes to the endpoint's artifact store, under
    ``data-capture/<endpoint name>/``, encrypted with the store's key.

    Example::

        DataCapture(sampling_percentage=20, csv_content_types=["text/csv"])

    :param sampling_percentage: the percentage of requests captured, 0-100. Default: 100
        (lower it for endpoints with much traffic: every captured request is an S3 object).
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
        return PropProblem(
            None,
            "sampling_percentage",
            f"expected a whole number of percent, 0-100, got {describe(value)}",
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
class ModelEndpoint(Resource):
    """A registered model version served by a real-time SageMaker endpoint.

    Creates a SageMaker Model from the version (its image, model data and environment
    come from the version), an EndpointConfig of one production variant, encrypted with
    the artifact store's key, optionally capturing requests and responses to the store,
    and the Endpoint. A new version (another ``model_package_arn``) makes a new Model and
    a new EndpointConfig (of a logical id of its own) and updates the Endpoint in place:
    SageMaker switches traffic once the new instances are healthy.

    The execution role (unless ``role=``) may read the version's model data under
    ``models/`` of ``model_store`` (Default: ``artifact_store``) and decrypt it, pull from
    ``image_repositories``, write the endpoint's logs and metrics and, with data capture,
    write under ``data-capture/<endpoint>/`` of the store; with ``vpc``, create and delete
    network interfaces in the model's subnets and security groups. ``add_auto_scaling``
    scales the variant's instance count with its invocations. An endpoint bills per
    instance-hour until it is deleted.

    Example::

        endpoint = ModelEndpoint(
            self, "Endpoint",
            model_package_arn=self.node.get_context("churn")["model_package_arn"],
            artifact_store=store, registry=registry,
            instance_type="ml.m5.large", data_capture=DataCapture(sampling_percentage=20))
        endpoint.grant_invoke(api_role)
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
        instance_type: str = "ml.m5.large",
        initial_instance_count: int = 1,
        variant_name: str = "AllTraffic",
        endpoint_name: str | None = None,
        data_capture: DataCapture | None = None,
        role: iam.IRole | None = None,
        image_repositories: Sequence[ecr.IRepository] = (),
        volume_key: kms.IKey | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        enable_network_isolation: bool = False,
    ) -> None:
        """Create the model, endpoint configuration and endpoint.

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
        :param instance_type: Default: ``ml.m5.large``.
        :param initial_instance_count: Default: 1.
        :param variant_name: the production variant's name. Default: ``AllTraffic``.
        :param endpoint_name: Default: a unique name from the construct path (at most 63
            characters). Names the endpoint's log group too
            (``/aws/sagemaker/Endpoints/<name>``) and its data capture prefix.
        :param data_capture: what to capture for Model Monitor. Default: nothing.
        :param role: the model's execution role. Default: a role SageMaker assumes, with
            exactly the permissions above in a managed policy. A role of your own must be
            of the stack's account and trust ``sagemaker.amazonaws.com``; it gets the same
            managed policy.
        :param image_repositories: the ECR repositories of the version's image, when it is
            an image of your own: the role may pull from them. Default: none, for a
            SageMaker framework image (SageMaker pulls those itself).
        :param volume_key: the key of the instances' ML storage volumes. Default: the
            artifact store's key; none for instance types whose storage is the instance's
            own NVMe store (hardware-encrypted: SageMaker refuses a key for them).
        :param vpc: attach the model's containers to this VPC (the Model's ``VpcConfig``),
            in ``vpc_subnets`` (Default: what ``vpc.select_subnets()`` picks, its private
            subnets if it has any; public ones get a warning, as the instances get no public
            IP; SageMaker asks for subnets in at least two Availability Zones, warned
            otherwise) with ``security_groups`` (Default: a new group with no inbound
            rules: requests reach the container through SageMaker, not through the VPC).
            The execution role may then create and delete network interfaces in those
            subnets and groups. Default: no VPC (the containers have SageMaker's network).
        :param vpc_subnets: at most 16 subnets. Only with ``vpc``.
        :param security_groups: at most 5 groups. Only with ``vpc``.
        :param enable_network_isolation: no inbound or outbound network calls from the
            model's containers (the Model's ``EnableNetworkIsolation``): SageMaker still
            downloads the model data and image before the container starts, but the
            inference code can reach nothing (no S3, no ``pip install`` of a
            ``requirements.txt`` at start-up). Default: False.
        """
        check_new_child("ModelEndpoint", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}"

        stack = stack_of(self)
        problems: list[Problem | None] = [
            expect_str("model_package_arn", model_package_arn, optional=False),
            _store_problem("artifact_store", artifact_store, optional=False),
            _store_problem("model_store", model_store, optional=True),
            None
            if registry is None or isinstance(registry, ModelRegistry)
            else PropProblem(
                None, "registry", f"expected a ModelRegistry, got {describe(registry)}"
            ),
            _instance_type_problem(instance_type),
            _count_problem(initial_instance_count),
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
            None
            if role is None
            else expect_interface(
                "role",
                role,
                "an iam.IRole",
                ("role_arn", "grant_principal"),
                "an iam.Role, or iam.Role.from_role_arn(self, 'Role', arn)",
            )
            or expect_same_app("role", role, root_of(self)),
            _repositories_problem(image_repositories),
            None if volume_key is None else _key_problem("volume_key", volume_key, self),
            *_network_prop_problems(vpc, vpc_subnets, security_groups, "Endpoint"),
            _security_group_count_problem(security_groups),
            expect_bool("enable_network_isolation", enable_network_isolation),
        ]
        raise_for(problems, subject)
        raise_for(
            [
                *self._arn_problems(model_package_arn, registry, model_store),
                *self._store_environment_problems(artifact_store, model_store),
                *(_role_account_problems(stack, {"role": role}) if role is not None else []),
                self._volume_key_problem(instance_type, volume_key),
                *self._network_app_problems(vpc, security_groups),
            ],
            subject,
        )
        self.model_package_arn = model_package_arn
        self.artifact_store = artifact_store
        self.model_store = model_store or artifact_store
        self.registry = registry
        self.instance_type = instance_type
        self.initial_instance_count = initial_instance_count
        self.variant_name = variant_name
        self.vpc = vpc
        self.enable_network_isolation = enable_network_isolation
        self.security_groups: list[ec2.ISecurityGroup] = []
        """The model's security groups (``security_groups``, or the one created): empty
        without ``vpc``."""
        self.scalable_target: appscaling.ScalableTarget | None = None
        """The variant's scalable target, once ``add_auto_scaling`` was called."""
        name = (
            endpoint_name
            if endpoint_name is not None
            else Names.unique_resource_name(self, max_length=MAX_NAME, separator="-")
        )
        self._name = name
        self.data_capture_prefix: str | None = (
            f"{DATA_CAPTURE_PREFIX}{name}/" if data_capture is not None else None
        )
        self._warn_version_of_another_account(registry)
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
        network = self._network(vpc, vpc_subnets, security_groups, subject)
        statements = self._role_statements(image_repositories, data_capture is not None, network)
        self.role_policy = iam.ManagedPolicy(
            self,
            "RolePolicy",
            description="What the SageMaker model of a real-time endpoint reads and writes",
            statements=statements,
            roles=[role],
        )
        acknowledge_wildcards(
            self.role_policy, statements, f"execution role of endpoint {self.node.path}"
        )
        self._model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=role_arn(role),
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                model_package_name=model_package_arn
            ),
            vpc_config=None
            if network is None
            else sagemaker.CfnModel.VpcConfigProperty(
                subnets=network[0], security_group_ids=network[1]
            ),
            # Left out when False: the template of an endpoint without it is unchanged.
            enable_network_isolation=True if enable_network_isolation else None,
        )
        # Created once the policy is attached: SageMaker checks the role's access to the
        # model data and image when it creates the endpoint.
        self._model.node.add_dependency(self.role_policy)
        key = volume_key or self.artifact_store.key
        instance_store = instance_family(instance_type) in INSTANCE_STORE_FAMILIES
        self._config = sagemaker.CfnEndpointConfig(
            self,
            _config_id(model_package_arn),
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name=variant_name,
                    model_name=self._model.attr_model_name,
                    instance_type=instance_type,
                    initial_instance_count=initial_instance_count,
                    initial_variant_weight=1,
                )
            ],
            kms_key_id=None if instance_store else key.key_arn,
            data_capture_config=None
            if data_capture is None
            else data_capture._render(
                f"s3://{self.artifact_store.bucket.bucket_name}/{self.data_capture_prefix}",
                self.artifact_store.key.key_arn,
            ),
        )
        if instance_store:
            acknowledge_in_packs(
                self._config,
                "SageMakerEndpointConfigurationKMSKeyConfigured",
                _INSTANCE_STORE_REASON,
            )
        self._resource = sagemaker.CfnEndpoint(
            self,
            "Resource",
            endpoint_name=name,
            endpoint_config_name=self._config.attr_endpoint_config_name,
        )
        self.endpoint_name: str = self._resource.attr_endpoint_name
        # The Ref of an AWS::SageMaker::Endpoint is its ARN (the name in lowercase).
        self.endpoint_arn: str = self._resource.ref

    # -- props judged together --------------------------------------------------------

    def _arn_problems(
        self, arn: str, registry: ModelRegistry | None, model_store: ArtifactStore | None
    ) -> list[Problem]:
        """A literal ARN: a version, of the stack's region, of the registry's group."""
        if is_unresolved(arn):
            return []
        parts = version_arn_parts(arn)
        if parts is None:
            return [
                PropProblem(
                    None,
                    "model_package_arn",
                    f"{arn!r} is not the ARN of a registered model version ({_VERSION_ARN_SHAPE})",
                    "copy ModelPackageArn from the registry (aws sagemaker list-model-packages "
                    "--model-package-group-name <group>), or from the approval event's "
                    "detail.ModelPackageArn",
                )
            ]
        problems: list[Problem] = []
        account, region = account_region(self)
        if not is_unresolved(region) and parts["region"] != region:
            problems.append(
                PropProblem(
                    None,
                    "model_package_arn",
                    f"a version of region {parts['region']}, but the stack is in region "
                    f"{region}: SageMaker creates models only from versions of its own region",
                    "register the model in this region's registry (or deploy the endpoint "
                    f"in {parts['region']})",
                )
            )
        other_account = not is_unresolved(account) and parts["account"] != account
        if other_account and model_store is None:
            problems.append(
                PropProblem(
                    None,
                    "model_store",
                    f"model_package_arn is a version of account {parts['account']}, whose model "
                    "data lies in that account's artifact store, not in artifact_store (of "
                    f"{account})",
                    "adopt the registry's store: model_store=ArtifactStore.from_existing(self, "
                    "'RegistryArtifacts', bucket=s3.Bucket.from_bucket_name(…), "
                    "key=kms.Key.from_key_arn(…))",
                )
            )
        if registry is not None:
            problems += _registry_problems(arn, parts, registry)
        return problems

    def _store_environment_problems(
        self, artifact_store: ArtifactStore, model_store: ArtifactStore | None
    ) -> list[Problem]:
        """The store of another account or region, the model store of another region."""
        here = account_region(self)
        problems: list[Problem] = []
        for prop, store, parts in (
            ("artifact_store", artifact_store, ("account", "region")),
            ("model_store", model_store, ("region",)),
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
        return problems

    def _volume_key_problem(
        self, instance_type: str, volume_key: kms.IKey | None
    ) -> Problem | None:
        if volume_key is None or is_unresolved(instance_type):
            return None
        if instance_family(instance_type) not in INSTANCE_STORE_FAMILIES:
            return None
        return PropProblem(
            None,
            "volume_key",
            f"{instance_type} keeps its ML storage on the instance's NVMe store, encrypted by "
            "the instance's hardware: CreateEndpointConfig refuses a KmsKeyId for it",
            "leave volume_key out, or choose an instance type with EBS storage",
        )

    def _warn_version_of_another_account(self, registry: ModelRegistry | None) -> None:
        """A version of another account deploys only if its owner shared it: warned.

        With the ``registry`` of this app, whether it is shared with this account is
        judged at synth instead (``_SharedVersion``).
        """
        parts = version_arn_parts(self.model_package_arn)
        account = account_region(self)[0]
        if parts is None or is_unresolved(account) or parts["account"] == account:
            return
        if registry is not None:
            node_of(self).add_validation(_SharedVersion(self, registry, account))
            return
        Annotations.of(self).add_warning_v2(
            f"{WARNING_PREFIX}:model-version-of-another-account",
            f"prop 'model_package_arn': a version of account {parts['account']}, this stack "
            f"in {account}: CloudFormation creates the model only if that account's model "
            f"package group '{parts['group']}' lets {account} describe its versions and "
            "create models from them (ModelRegistry.share_with_account), the execution role "
            "reads the model data only if that account's store shares models/ and its key "
            "(ArtifactStore.share_models_with, which share_with_account calls), and pulls an "
            "image of its own only if the repository's policy admits this account. Synth "
            "can't see those policies: acknowledge this warning once their owner has shared "
            "them.",
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
        return [
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

    def _network(
        self,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
        subject: Any,
    ) -> tuple[list[str], list[str]] | None:
        """The model's subnets and security group ids (creating a group if none given)."""
        if vpc is None:
            return None
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
        self._warn_of_subnets(vpc, selected)
        groups = list(security_groups or [])
        if not groups:
            groups.append(
                ec2.SecurityGroup(
                    self,
                    "SecurityGroup",
                    vpc=vpc,
                    description="Model containers of a SageMaker endpoint (no inbound rules)",
                    allow_all_outbound=True,
                )
            )
        self.security_groups = groups
        return subnets, [group.security_group_id for group in groups]

    def _warn_of_subnets(self, vpc: ec2.IVpc, selected: ec2.SelectedSubnets) -> None:
        """Public subnets (the instances get no public IP), or subnets of one zone."""
        subnets = list(selected.subnet_ids)
        public = {subnet.subnet_id for subnet in vpc.public_subnets}
        placed_publicly = [subnet for subnet in subnets if subnet in public]
        if placed_publicly:
            Annotations.of(self).add_warning_v2(
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
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:endpoint-subnets-in-one-zone",
                f"The endpoint's model has subnets in one Availability Zone only "
                f"({zones.pop()}): SageMaker asks for subnets in at least two, even for one "
                "instance, to place the endpoint's instances across zones. Select subnets "
                "of two or more zones.",
            )

    def _role_statements(
        self,
        repositories: Sequence[ecr.IRepository],
        capture: bool,
        network: tuple[list[str], list[str]] | None,
    ) -> list[iam.PolicyStatement]:
        """What the model's execution role needs, each statement with a Sid."""
        stack = stack_of(self)
        model_store = self.model_store
        statements = [
            iam.PolicyStatement(
                sid="EndpointReadsModelArtifacts",
                actions=["s3:GetObject"],
                resources=[model_store.bucket.arn_for_objects("models/*")],
            ),
            iam.PolicyStatement(
                sid="EndpointDecryptsModelArtifacts",
                actions=["kms:Decrypt", "kms:DescribeKey"],
                resources=[model_store.key.key_arn],
            ),
        ]
        statements += ecr_pull_statements(
            [repository.repository_arn for repository in repositories]
        )
        log_group = format_arn(
            stack,
            service="logs",
            resource="log-group",
            resource_name=f"/aws/sagemaker/Endpoints/{self._name}",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        statements += [
            iam.PolicyStatement(
                sid="EndpointWritesLogs",
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                resources=[log_group, f"{log_group}:log-stream:*"],
            ),
            iam.PolicyStatement(
                sid="EndpointPublishesMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringLike": {"cloudwatch:namespace": ENDPOINT_METRICS_NAMESPACE}},
            ),
        ]
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

    # -- IEndpoint ----------------------------------------------------------------------

    @property
    def endpoint_ref(self) -> sagemaker_refs.EndpointReference:
        """A reference to the endpoint (``IEndpointRef``)."""
        return sagemaker_refs.EndpointReference(endpoint_arn=self.endpoint_arn)

    @property
    def cfn_model(self) -> sagemaker.CfnModel:
        """The underlying ``AWS::SageMaker::Model``."""
        return self._model

    @property
    def cfn_endpoint_config(self) -> sagemaker.CfnEndpointConfig:
        """The underlying ``AWS::SageMaker::EndpointConfig`` (of this model version)."""
        return self._config

    @property
    def cfn_endpoint(self) -> sagemaker.CfnEndpoint:
        """The underlying ``AWS::SageMaker::Endpoint``."""
        return self._resource

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` call the endpoint: ``sagemaker:InvokeEndpoint``."""
        check_grantee(grantee, self, lambda: f"ModelEndpoint {self.node.path}.grant_invoke")
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:InvokeEndpoint"],
            resource_arns=[self.endpoint_arn],
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
    ) -> appscaling.ScalableTarget:
        """Scale the variant's instance count with its traffic (Application Auto Scaling).

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
        with the change, then with scaling again.

        Example::

            target = endpoint.add_auto_scaling(
                min_capacity=1, max_capacity=4, target_invocations_per_instance=100,
                scale_in_cooldown=Duration.minutes(10))
            target.scale_on_schedule("NightlyMinimum", …)  # more policies on the target

        :param max_capacity: at most this many instances, at least ``min_capacity`` and
            ``initial_instance_count``.
        :param target_invocations_per_instance: the invocations per instance per minute
            the policy keeps the variant at (its ``TargetValue``), more than 0. Load-test
            the model to find it.
        :param min_capacity: at least this many instances: 1 or more (a real-time
            variant can't scale to 0), at most ``initial_instance_count``. Default: 1.
        :param scale_in_cooldown: whole seconds after a scale-in before another.
            Default: Application Auto Scaling's, 300 seconds for SageMaker variants.
        :param scale_out_cooldown: whole seconds after a scale-out before another.
            Default: Application Auto Scaling's, 300 seconds for SageMaker variants.
        :returns: the scalable target (``scalable_target``), to add scheduled or step
            scaling of your own.
        """

        def subject() -> str:
            return f"ModelEndpoint {self.node.path}.add_auto_scaling"

        problems: list[Problem | None] = [
            _whole_number_problem("min_capacity", min_capacity, 1),
            _whole_number_problem("max_capacity", max_capacity, 1),
            _target_value_problem(target_invocations_per_instance),
            _cooldown_problem("scale_in_cooldown", scale_in_cooldown),
            _cooldown_problem("scale_out_cooldown", scale_out_cooldown),
        ]
        if self.scalable_target is not None:
            problems.append(
                ArgumentProblem(
                    None,
                    "max_capacity",
                    "the variant has a scalable target already (add_auto_scaling was called "
                    "before): Application Auto Scaling takes one per variant",
                    "add policies to the target it returned (endpoint.scalable_target."
                    "scale_on_schedule(…), scale_to_track_metric(…))",
                )
            )
        raise_for(problems, subject)
        raise_for(self._capacity_problems(min_capacity, max_capacity), subject)
        # Imported only with scaling: the module is not needed otherwise.
        from aws_cdk import aws_applicationautoscaling as appscaling

        target = appscaling.ScalableTarget(
            self,
            "Scaling",
            service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            resource_id=f"endpoint/{self._name}/variant/{self.variant_name}",
            scalable_dimension=SCALABLE_DIMENSION,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            # Without a role, aws-cdk-lib creates one (trusted by
            # application-autoscaling.amazonaws.com, without permissions) that Application
            # Auto Scaling ignores for SageMaker: it always acts through its service-linked
            # role, which CloudFormation creates when the template names it.
            role=iam.Role.from_role_arn(
                self,
                "ScalingRole",
                stack_of(self).format_arn(
                    service="iam",
                    region="",
                    resource="role",
                    resource_name=AUTO_SCALING_ROLE_NAME,
                ),
                mutable=False,
            ),
        )
        # Registered once the endpoint is in service (the resource id names it literally).
        target.node.add_dependency(self._resource)
        target.scale_to_track_metric(
            "InvocationsPerInstance",
            target_value=target_invocations_per_instance,
            predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
            scale_in_cooldown=scale_in_cooldown,
            scale_out_cooldown=scale_out_cooldown,
        )
        # A deployment of a new configuration keeps the count the scaler set, rather than
        # restarting the new fleet at the configuration's InitialInstanceCount.
        self._resource.retain_all_variant_properties = True
        self._resource.exclude_retained_variant_properties = [
            sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type=kind)
            for kind in ("DesiredWeight", "DataCaptureConfig")
        ]
        self.scalable_target = target
        return target

    def _capacity_problems(self, least: int, most: int) -> list[Problem]:
        """``min_capacity`` ≤ ``initial_instance_count`` ≤ ``max_capacity``."""
        initial = self.initial_instance_count
        if any(is_unresolved(value) for value in (least, most, initial)):
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
                    f"{least} is more than the endpoint's initial_instance_count {initial}: "
                    "the endpoint would be created below the scaler's minimum",
                    f"give the ModelEndpoint initial_instance_count={least}, or "
                    f"min_capacity={initial}",
                )
            )
        if initial > most:
            problems.append(
                ArgumentProblem(
                    None,
                    "max_capacity",
                    f"{most} is less than the endpoint's initial_instance_count {initial}: "
                    "the endpoint would be created above the scaler's maximum",
                    f"max_capacity={initial} or more, or a smaller initial_instance_count",
                )
            )
        return problems


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


def _whole_number_problem(argument: str, value: object, least: int) -> Problem | None:
    if is_unresolved(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return ArgumentProblem(
            None, argument, f"expected a whole number of instances, got {describe(value)}"
        )
    if value < least:
        return ArgumentProblem(None, argument, f"expected at least {least}, got {value}")
    return None


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


def _config_id(model_package_arn: str) -> str:
    """The EndpointConfig's construct id: ``Config`` and a hash of a literal version's ARN.

    An EndpointConfig can't change: CloudFormation replaces it on any change. A new
    version gets a config of a new logical id, created before the endpoint is updated to
    it, the old one deleted once the update succeeded (and kept for the rollback if it
    fails). An ARN known only at deploy time (a parameter) keeps the id ``Config``: its
    change replaces the model, whose new name replaces the config the same way.
    """
    if is_unresolved(model_package_arn):
        return "Config"
    digest = hashlib.sha256(model_package_arn.encode()).hexdigest()[:8].upper()
    return f"Config{digest}"


def _registry_problems(arn: str, parts: dict[str, str], registry: ModelRegistry) -> list[Problem]:
    """A version of another group, region or account than the ``registry``'s."""
    group = registry.model_package_group_name
    problems: list[Problem] = []
    if not is_unresolved(group) and parts["group"] != group:
        problems.append(
            PropProblem(
                None,
                "model_package_arn",
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
                    "model_package_arn",
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

    def __init__(self, endpoint: Any, registry: ModelRegistry, account: str) -> None:
        self._endpoint = endpoint
        self._registry = registry
        self._account = account

    def validate(self) -> list[str]:
        """One message when the registry doesn't share its versions with this account."""
        if self._account in self._registry._shared:
            return []
        registry = self._registry
        return [
            f"prop 'registry': ModelRegistry {registry.node.path} (account "
            f"{account_region(registry)[0]}) isn't shared with account {self._account}: "
            "CloudFormation would fail to create the model from its version (call "
            f"registry.share_with_account({self._account!r}), or give "
            f"shared_with_accounts=[{self._account!r}])"
        ]
