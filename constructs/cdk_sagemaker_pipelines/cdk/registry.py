"""``ModelRegistry``: a model package group with grants, sharing and events."""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import Any

import jsii
from aws_cdk import Annotations, ArnFormat, Names, RemovalPolicy, Resource
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker

from constructs import Construct, IValidation

from ..definition import PipelineValidationError, Problem
from ._arns import format_arn
from ._locked_grants import keep_for_locked_role, kept_policy
from ._props import (
    MODEL_APPROVAL_STATUSES,
    check_grantee,
    check_keywords,
    check_new_child,
    check_status_rule,
    describe,
    expect_account_ids,
    expect_removal_policy,
    expect_str,
    is_unresolved,
    may_share_environment,
    other_account_problem,
    raise_for,
    was_detached,
)
from ._tree import account_region, node_of, path_of, placed, root_of, stack_of
from ._warning_traces import record_warnings_without_traces
from .artifacts import ArtifactStore

# Its events carry the version's ARN in resources and ModelPackageGroupName,
# ModelPackageArn and ModelApprovalStatus in detail ("Model package state change",
# https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html);
# ModelPackageGroupName is the name as created, capitals included (the rule of
# aws-samples/ml-edge-getting-started, main_stack.py, on group modelPackageGroupTurbine).
MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
# CreateModelPackageGroup's ModelPackageGroupName and ModelPackageGroupDescription.
MAX_GROUP_NAME = 63
GROUP_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
MAX_DESCRIPTION = 1024
_READ_ACTIONS = [
    "sagemaker:DescribeModelPackageGroup",
    "sagemaker:ListModelPackages",
    "sagemaker:DescribeModelPackage",
]
# What another account needs on the versions to deploy one: CreateModel with the version
# as its container (``ModelPackageName``), as AWS's cross-account deployment guide lists.
# Not UpdateModelPackage, which the guide also lists: approving stays with this account.
_SHARED_VERSION_ACTIONS = [
    "sagemaker:DescribeModelPackage",
    "sagemaker:ListModelPackages",
    "sagemaker:CreateModel",
]


def _name_problem(name: str | None) -> Problem | None:
    if name is None or is_unresolved(name):
        return None
    # The pattern alone admits any number of hyphens: the length is a limit of its own.
    if len(name) <= MAX_GROUP_NAME and GROUP_NAME.fullmatch(name):
        return None
    return Problem(
        None,
        "model_package_group_name",
        f"{name!r} must be 1-{MAX_GROUP_NAME} letters, digits and hyphens, starting and "
        "ending with a letter or digit",
    )


def _description_problem(description: str | None) -> Problem | None:
    if description is None or is_unresolved(description):
        return None
    if len(description) <= MAX_DESCRIPTION:
        return None
    return Problem(
        None, "description", f"{len(description)} characters, longer than {MAX_DESCRIPTION}"
    )


# Every Pipeline and ModelRegistry constructed in this process. Searching the app's
# construct tree (node.find_all) takes jsii round trips and a reference per construct of
# the app; when none of these could match, no construct of the app can, and it is skipped.
# A match still searches the tree, which tells the constructs of this app.
_PIPELINES: weakref.WeakSet[Any] = weakref.WeakSet()
_REGISTRIES: weakref.WeakSet[ModelRegistry] = weakref.WeakSet()


def remember_pipeline(pipeline: Any) -> None:
    """Note a ``Pipeline`` being constructed, for ``registering_pipelines``."""
    _PIPELINES.add(pipeline)


def pipelines_named(name: str) -> list[Any]:
    """The ``Pipeline``s constructed in this process (in any app) named ``name``, in any case.

    SageMaker spells a pipeline's ARN with its name in lowercase, so ``Churn`` and ``churn``
    would be one ARN: one pipeline to the service and to every IAM policy naming it.
    """
    folded = name.lower()
    # getattr: a Pipeline being constructed, or whose construction failed (and was caught),
    # may have its name but no resource; it deploys nothing, so it takes no name.
    return [
        pipeline
        for pipeline in list(_PIPELINES)
        if isinstance(other_name := getattr(pipeline, "_name", None), str)
        and other_name.lower() == folded
        and getattr(pipeline, "_resource", None) is not None
    ]


def _registers_in(pipeline: Any, group_name: str) -> bool:
    # getattr: a Pipeline whose construction failed (and was caught) has no plan.
    return group_name in _groups_of(pipeline)


def _groups_of(pipeline: Any) -> Sequence[Any]:
    """The ``ModelPackageGroupName``s (names or ARNs) ``pipeline`` registers in."""
    return getattr(getattr(pipeline, "plan", None), "model_package_groups", ())


# A model package group's ARN: region, account and name. A ModelRegistry's ARN has a token
# for its partition (and, in an environment-agnostic stack, for its region and account).
_GROUP_ARN = re.compile(r"arn:[^:]+:sagemaker:([^:]*):([^:]*):model-package-group/(.+)")


def group_arn_parts(group: object) -> tuple[str, str, str] | None:
    """(region, account, name) of a model package group's ARN; None for anything else.

    Example::

        group_arn_parts("arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/churn")
        # ("eu-west-1", "111111111111", "churn")
    """
    if not isinstance(group, str):
        return None
    match = _GROUP_ARN.fullmatch(group)
    return (match[1], match[2], match[3]) if match else None


def names_by_arn(group: object, registry: ModelRegistry) -> bool:
    """Whether ``group`` (a RegisterModel step's) is ``registry``'s group, given by its ARN.

    Its ``model_package_group_arn``, or the same ARN written out as a string (as a pipeline
    copying the ARN from the registry's stack names it): region, account and name match.
    """
    # getattr: a ModelRegistry whose construction failed (and was caught) is half-made.
    if group == getattr(registry, "model_package_group_arn", None):
        return True
    key = getattr(registry, "_arn_key", None)
    return key is not None and group_arn_parts(group) == key


def registers_by_arn(groups: Sequence[Any], registry: ModelRegistry) -> bool:
    """Whether one of ``groups`` is ``registry``'s group given by its ARN."""
    return any(names_by_arn(group, registry) for group in groups)


def registering_pipelines(registry: ModelRegistry) -> list[Any]:
    """The ``Pipeline``s of this app whose definition registers versions in ``registry``.

    By name, only pipelines for which the name means this registry (``registries_meant``):
    in an app of one stage per environment, each stage's pipeline registers in its own
    group of that name, not in another stage's. By the group's ARN, pipelines of any
    environment.
    """
    from .pipeline import Pipeline  # not at the top: pipeline.py imports this module

    name = registry.model_package_group_name
    if not any(
        _registers_in(pipeline, name) or registers_by_arn(_groups_of(pipeline), registry)
        for pipeline in list(_PIPELINES)
    ):
        return []
    of_the_name = registries_named(registry, [name])
    return [
        construct
        for construct in node_of(root_of(registry)).find_all()
        if isinstance(construct, Pipeline)
        and (
            registers_by_arn(_groups_of(construct), registry)
            or (
                _registers_in(construct, name)
                and _is_one_of(registry, registries_meant(construct, of_the_name))
            )
        )
    ]


def _is_one_of(registry: ModelRegistry, registries: Sequence[ModelRegistry]) -> bool:
    return any(found is registry for found in registries)


def _surely_same_environment(first: Construct, second: Construct) -> bool:
    """Whether two constructs are in one stack, or in stacks of one known account and region."""
    if stack_of(first) is stack_of(second):
        return True
    parts = (*account_region(first), *account_region(second))
    return not any(is_unresolved(part) for part in parts) and parts[:2] == parts[2:]


def registries_meant(
    pipeline: Construct, registries: Sequence[ModelRegistry]
) -> list[ModelRegistry]:
    """Of ``registries`` (of one group name), those ``pipeline`` registering by the name means.

    A group name means the group of the pipeline's own account and region: the registry
    surely there (in the pipeline's stack, or in a stack of the same known account and
    region) when the app has one. Only without such a registry are those that merely may be
    there (in a stack whose environment is known only at deploy time) taken: a dev stack
    left environment-agnostic next to a prod stack, each with its own group of one name,
    registers in its own group, not in prod's.
    """
    sure = [registry for registry in registries if _surely_same_environment(pipeline, registry)]
    return sure or [
        registry for registry in registries if may_share_environment(pipeline, registry)
    ]


def registered_in_by_name(pipeline: Construct, registry: ModelRegistry) -> bool:
    """Whether ``pipeline`` registers in ``registry``'s group by its name (``registries_meant``)."""
    name = registry.model_package_group_name
    return _registers_in(pipeline, name) and _is_one_of(
        registry, registries_meant(pipeline, registries_named(pipeline, [name]))
    )


def in_other_account(pipeline: Construct, registry: ModelRegistry) -> bool:
    """Whether ``pipeline``'s stack is known to be in another account than ``registry``'s."""
    here, there = account_region(pipeline)[0], account_region(registry)[0]
    return not is_unresolved(here) and not is_unresolved(there) and here != there


def link_registering_pipeline(pipeline: Any, registry: ModelRegistry) -> None:
    """What ``pipeline`` registering in ``registry`` needs for the registry's sharing.

    The accounts the registry is shared with deploy its versions: they must read the model
    and pull the image of each. A pipeline of the registry's account should write its
    models to the registry's store, which the registry shares (warned otherwise); one of
    another account keeps them in its own store, which then shares ``models/`` with those
    accounts too.
    """
    share_registered_images(pipeline, registry)
    if not in_other_account(pipeline, registry):
        warn_store_mismatch(pipeline, registry)
        return
    own = account_region(pipeline)[0]
    for account in registry._shared:
        if account != own:
            pipeline.artifact_store.share_models_with(account)


def may_find_registries(groups: Sequence[str]) -> bool:
    """Whether a ``ModelRegistry`` of one of ``groups`` (names or ARNs) was constructed.

    In any app: a cheap test before searching this app's construct tree.
    """
    # getattr: a ModelRegistry whose construction failed (and was caught) is half-made.
    return any(
        getattr(registry, "model_package_group_name", None) in groups
        or registers_by_arn(groups, registry)
        for registry in list(_REGISTRIES)
    )


def _environment(construct: Construct) -> tuple[str, str]:
    return account_region(construct)


def registries_named(scope: Construct, groups: Sequence[str]) -> list[ModelRegistry]:
    """The ``ModelRegistry``s of ``scope``'s app whose group's name or ARN is in ``groups``.

    Found among the registries constructed (``_REGISTRIES``) that are in ``scope``'s app:
    every pipeline asks, twice while it is built and once at synth, and a search of the
    app's tree (``node.find_all()``) takes a reference to each of its constructs, so an
    app of many pipelines spent time quadratic in them. The tree is searched only for
    several such registries, to list them in its order.
    """
    if not may_find_registries(groups):
        return []
    root = root_of(scope)
    found = [
        registry
        for registry in list(_REGISTRIES)
        if _is_named(registry, groups) and not was_detached(registry) and root_of(registry) is root
    ]
    if len(found) < 2:
        return found
    return [
        construct
        for construct in node_of(root).find_all()
        if isinstance(construct, ModelRegistry) and _is_named(construct, groups)
    ]


def _is_named(registry: ModelRegistry, groups: Sequence[str]) -> bool:
    """Whether ``registry`` is complete and its group's name or ARN is one of ``groups``."""
    # hasattr: a ModelRegistry whose construction failed (and was caught) is half-made.
    return hasattr(registry, "_warned_pipelines") and (
        registry.model_package_group_name in groups or registers_by_arn(groups, registry)
    )


def _same_group_problem(registry: ModelRegistry, name: str) -> Problem | None:
    """Another ``ModelRegistry`` of this app makes the group ``name`` in the same environment.

    Group names are unique per account and region: the second group would fail to create
    at deploy time. Registries whose environment is known only at deploy time aren't judged.
    """
    if is_unresolved(name) or not may_find_registries([name]):
        return None
    here = _environment(registry)
    if any(is_unresolved(part) for part in here):
        return None
    for other in registries_named(registry, [name]):
        if other is not registry and _environment(other) == here:
            return Problem(
                None,
                "model_package_group_name",
                f"{name!r} is also the group of ModelRegistry {other.node.path}, in the same "
                f"account {here[0]} and region {here[1]}: the second group would fail to "
                "create at deploy time",
                "give each registry its own name, or share one registry (pass it around, or "
                "register in it by name from the other pipelines)",
            )
    return None


def registry_environment_problems(
    pipeline: Any, registries: Sequence[ModelRegistry]
) -> list[Problem]:
    """Registrations by name in a group whose ``ModelRegistry`` is in another environment.

    A group name names a group of the pipeline's own account and region: where the app has
    the group only in another environment, every registration fails at run time. Another
    account's group takes its ARN. A registry of the name that may be in the pipeline's
    environment (one per environment, as in an app of one stage per environment, or one
    whose environment is known only at deploy time) is the one the name means.
    """
    from .pipeline import walk_register_steps  # not at the top: pipeline.py imports this

    here = _environment(pipeline)
    own = f"account {here[0]} region {here[1]}"
    meant = {
        registry.model_package_group_name
        for registry in registries
        if may_share_environment(pipeline, registry)
    }
    problems: list[Problem] = []
    for registry in registries:
        name = registry.model_package_group_name
        if name in meant:
            continue
        meant.add(name)  # one registry of another environment is enough to report
        there = _environment(registry)
        problems += [
            Problem(
                step,
                "Arguments.ModelPackageGroupName",
                f"{name!r} is the group of ModelRegistry {registry.node.path}, in account "
                f"{there[0]} region {there[1]}, but the pipeline's stack is in {own}: a group "
                f"name means a group of {own}, which has none, so every registration would "
                "fail",
                "give the group's ARN (model_package_group_name="
                "registry.model_package_group_arn), and let its account register: "
                f"registry.allow_registration_from({here[0]!r})"
                if here[1] == there[1]
                else "register in a group of the pipeline's region: model package groups are "
                "regional",
            )
            for step, group in walk_register_steps(pipeline.definition)
            if group == name
        ]
    return problems


_PSEUDO_PARAMETERS = {"account": "AWS::AccountId", "region": "AWS::Region"}


def group_arn_problems(pipeline: Any, registries: Sequence[ModelRegistry]) -> list[Problem]:
    """Registrations by ARN that can't reach the group the ARN means.

    A RegisterModel step registers through the SageMaker endpoint of the pipeline's region,
    and model package groups are regional: a group of another region is out of reach. And
    the ARN of a ``ModelRegistry`` in an environment-agnostic stack holds that stack's
    ``AWS::AccountId`` and ``AWS::Region``, which the pipeline's stack, deployed on its own,
    resolves to its own account and region: a group there, not the registry's.
    """
    from .pipeline import walk_register_steps  # not at the top: pipeline.py imports this

    stack = stack_of(pipeline)
    account, region = account_region(stack)
    here = {"account": account, "region": region}
    problems: list[Problem] = []
    for step, group in walk_register_steps(pipeline.definition):
        registry = next((found for found in registries if names_by_arn(group, found)), None)
        shown = f"the ARN of ModelRegistry {registry.node.path}" if registry else repr(group)
        parts = group_arn_parts(group)
        if parts is None:
            continue
        region = parts[0]
        if not is_unresolved(region) and not is_unresolved(here["region"]):
            if region != here["region"]:
                problems.append(
                    Problem(
                        step,
                        "Arguments.ModelPackageGroupName",
                        f"{shown} is a group of region {region}, but the pipeline's stack is "
                        f"in region {here['region']}: the step registers through SageMaker in "
                        f"{here['region']}, and model package groups are regional, so every "
                        "registration would fail",
                        f"register in a group of {here['region']} (a ModelRegistry in a stack "
                        f"of that region), or deploy the pipeline in {region}",
                    )
                )
            continue
        if registry is None or stack_of(registry) is stack:
            continue
        other = stack_of(registry)
        unknown = [
            part
            for part, value in zip(("account", "region"), account_region(other), strict=True)
            if is_unresolved(value) and not is_unresolved(here[part])
        ]
        if unknown:
            where = " and ".join(f"{part} {here[part]}" for part in unknown)
            pseudo = " and ".join(_PSEUDO_PARAMETERS[part] for part in unknown)
            problems.append(
                Problem(
                    step,
                    "Arguments.ModelPackageGroupName",
                    f"{shown} is in stack {other.node.path}, which has no "
                    f"{' and no '.join(unknown)} (environment-agnostic): the ARN holds that "
                    f"stack's {pseudo}, which the pipeline's stack resolves to its own "
                    f"{where}, so the step would register in a group there, not in the "
                    "registry's",
                    f"give stack {other.node.path} an env=cdk.Environment(account=…, "
                    "region=…), or, if the registry is deployed to the pipeline's account "
                    "and region, name the group: model_package_group_name="
                    "registry.model_package_group_name",
                )
            )
    return problems


@jsii.implements(IValidation)
class RegistryEnvironments:
    """Fails synth when a pipeline registers in a group it can't reach.

    By name in a group of another environment only; by ARN in a group of another region, or
    through the ARN of an environment-agnostic stack's registry (``group_arn_problems``).
    A validation, not a check when either is created: which registries of the name the app
    has, and in which environments, is known once the app is complete.
    """

    def __init__(self, pipeline: Any, group_names: Sequence[str]) -> None:
        self._pipeline = pipeline
        self._group_names = list(group_names)

    def validate(self) -> list[str]:
        """The pipeline's problems as one message, or none."""
        pipeline = self._pipeline
        registries = registries_named(pipeline, self._group_names)
        problems = [
            *registry_environment_problems(pipeline, registries),
            *group_arn_problems(pipeline, registries),
        ]
        if not problems:
            return []
        return [str(PipelineValidationError(problems, subject=f"Pipeline {pipeline.node.path}"))]


def warn_store_mismatch(pipeline: Any, registry: ModelRegistry) -> None:
    """Warn when ``pipeline`` registers in ``registry`` but keeps its models elsewhere.

    They are connected only by the group name in the definition. Sharing the registry
    shares ``models/`` of the registry's ``artifact_store``: accounts it is shared with
    can read a version's model only when the pipeline wrote it to that store.
    """
    from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports this module

    store = registry.artifact_store
    if path_of(pipeline) in registry._warned_pipelines:
        return
    if store is None:
        if not registry._shared:
            return
        registry._warned_pipelines.add(pipeline.node.path)
        Annotations.of(registry).add_warning_v2(
            f"{WARNING_PREFIX}:registry-artifact-store",
            f"The registry is shared with {', '.join(registry._shared)}, but has no "
            f"artifact_store: those accounts can't read the models pipeline "
            f"{pipeline.node.path} writes to its artifact store "
            f"{pipeline.artifact_store.node.path}. Pass artifact_store= (the pipeline's) to "
            "the ModelRegistry.",
        )
        return
    if store is pipeline.artifact_store:
        return
    registry._warned_pipelines.add(pipeline.node.path)
    Annotations.of(pipeline).add_warning_v2(
        f"{WARNING_PREFIX}:registry-artifact-store",
        f"The pipeline registers versions in ModelRegistry {registry.node.path}, whose "
        f"artifact_store is {store.node.path}, but writes its models to artifact store "
        f"{pipeline.artifact_store.node.path}: share_with_account shares models/ of "
        f"{store.node.path}, so accounts the registry is shared with can't read this "
        "pipeline's models. Give the Pipeline and the ModelRegistry the same artifact_store "
        "(or share the pipeline's store with those accounts yourself, "
        "pipeline.artifact_store.share_models_with(account), and acknowledge this).",
    )


# What pulling an image takes on its repository (ECR's cross-account pull policy).
_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def share_registered_images(pipeline: Any, registry: ModelRegistry) -> None:
    """Let the accounts ``registry`` is shared with pull the images of ``pipeline``'s versions.

    A registered version is deployable in another account only if that account can pull
    its image: the repository's policy must admit it. A Docker image asset lives in the CDK
    assets repository, which this app can't share, nor can it write an imported
    repository's policy: both are warned instead.
    """
    from .pipeline import WARNING_PREFIX  # not at the top: pipeline.py imports this module

    images = getattr(pipeline, "registered_images", None)
    if not images or not registry._shared:
        return
    for step, repository, is_asset in images:
        for account in registry._shared:
            key = (repository.node.path, account)
            if key in registry._shared_images:
                continue
            registry._shared_images.add(key)
            if is_asset:
                Annotations.of(pipeline).add_warning_v2(
                    f"{WARNING_PREFIX}:registered-asset-image",
                    f"Step '{step}' registers versions in ModelRegistry {registry.node.path}, "
                    f"which is shared with {account}, with a Docker image asset: it lives in "
                    "the CDK assets repository, which that account can't pull from, so the "
                    "version can't be deployed there. Push the image to an ecr.Repository of "
                    "your own and use Image.from_ecr_repository(repository, tag=…).",
                )
                continue
            added = repository.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=f"PullRegisteredModelImages{account}",
                    principals=[iam.AccountPrincipal(account)],
                    actions=_PULL_ACTIONS,
                )
            )
            if not added.statement_added:
                Annotations.of(pipeline).add_warning_v2(
                    f"{WARNING_PREFIX}:unshared-registered-image",
                    f"Step '{step}' registers versions in ModelRegistry {registry.node.path}, "
                    f"which is shared with {account}, with an image of repository "
                    f"{repository.node.path}, imported into this app: its policy can't be "
                    f"written here. Let {account} pull from it (ecr:BatchGetImage and "
                    "ecr:GetDownloadUrlForLayer in the repository policy) where it is "
                    "managed, or the version can't be deployed there.",
                )


# Why the grants on the group's versions end in a wildcard: acknowledged on the policies
# kept for roles that refuse policy updates.
_VERSIONS_OF_THE_GROUP = (
    "the registry numbers versions itself (model-package/<group>/<n>): the wildcard "
    "covers the versions of this registry's group only"
)


class ModelRegistry(Resource):
    """A SageMaker model package group (the model registry) as an L2 construct.

    Grants to register, read and approve versions; cross-account read sharing (a
    resource policy on the group plus read access to the model artifacts and their key);
    registration by other accounts' pipelines, pending approval only; EventBridge rules
    for version state changes and approvals. Retained by default.

    Example::

        registry = ModelRegistry(self, "Registry", artifact_store=store,
                                 shared_with_accounts=["444455556666"],
                                 registering_accounts=["111122223333"])
        registry.grant_approve(release_role)
        registry.on_model_approved("Deploy", target=targets.SfnStateMachine(deployer))
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model_package_group_name: str | None = None,
        description: str | None = None,
        artifact_store: ArtifactStore | None = None,
        shared_with_accounts: Sequence[str] = (),
        registering_accounts: Sequence[str] = (),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the group.

        :param model_package_group_name: Default: a unique lowercase name from the construct path.
        :param description: the group's description. SageMaker can't change it once the
            group exists: a description changed, added or removed later makes CloudFormation
            replace the group, which fails on the group's name (change it only together
            with ``model_package_group_name``, which makes a new group).
        :param artifact_store: where the models live; sharing also grants read on its ``models/``.
            Give the pipelines of this account that register here the same store (a
            ``Pipeline`` with another store, or a shared registry without one, gets a
            warning); those of other accounts keep theirs, which sharing shares too.
        :param shared_with_accounts: accounts that may read (and deploy) registered versions.
        :param registering_accounts: accounts whose pipelines may register versions here,
            pending approval only (see ``allow_registration_from``).
        :param removal_policy: what becomes of the group, with its registered versions, when
            it leaves the stack or is replaced. Default: retain (until you delete it, a
            stack deployed again after ``cdk destroy`` fails on its name). Not
            ``SNAPSHOT``: a group has no snapshots.
        """
        check_new_child("ModelRegistry", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        _REGISTRIES.add(self)
        raise_for(
            [
                expect_str("model_package_group_name", model_package_group_name)
                or _name_problem(model_package_group_name),
                expect_str("description", description) or _description_problem(description),
                None
                if artifact_store is None or isinstance(artifact_store, ArtifactStore)
                else Problem(
                    None,
                    "artifact_store",
                    f"expected an ArtifactStore, got {describe(artifact_store)}",
                ),
                expect_account_ids("shared_with_accounts", shared_with_accounts),
                expect_account_ids("registering_accounts", registering_accounts),
                expect_removal_policy("removal_policy", removal_policy),
            ],
            lambda: f"ModelRegistry {self.node.path}",
        )
        name = (
            model_package_group_name
            if model_package_group_name is not None
            else Names.unique_resource_name(self, max_length=63, separator="-").lower()
        )
        raise_for([_same_group_problem(self, name)], lambda: f"ModelRegistry {self.node.path}")
        self.model_package_group_name = name
        self.artifact_store = artifact_store
        if artifact_store is not None:
            artifact_store._used_by(self)  # its pipelines write the versions' models there
        self._shared: list[str] = []
        self._registering: list[str] = []
        # Who grant_approve let approve: a role a registering pipeline runs as must not be
        # among them (judged at synth, as the pipeline may come after the grant).
        self._approvers: list[iam.IGrantable] = []
        self._warned_pipelines: set[str] = set()
        # (repository path, account) pairs whose pull is already shared or warned.
        self._shared_images: set[tuple[str, str]] = set()
        self._resource = sagemaker.CfnModelPackageGroup(
            self,
            "Resource",
            model_package_group_name=name,
            model_package_group_description=description,
        )
        self._resource.apply_removal_policy(removal_policy)
        stack = stack_of(self)
        account, region = account_region(stack)
        # (region, account, name) of the group, when the stack's environment is known: an
        # ARN written out as a string names this registry too (names_by_arn).
        self._arn_key: tuple[str, str, str] | None = (
            None if is_unresolved(region) or is_unresolved(account) else (region, account, name)
        )
        self.model_package_group_arn = format_arn(
            stack,
            service="sagemaker",
            resource="model-package-group",
            resource_name=name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        self.model_packages_arn = format_arn(
            stack,
            service="sagemaker",
            resource="model-package",
            resource_name=f"{name}/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        for account in shared_with_accounts:
            self.share_with_account(account)
        for account in registering_accounts:
            self.allow_registration_from(account)
        node_of(self).add_validation(_CrossAccountRegistrations(self))
        node_of(self).add_validation(_SelfApproval(self))
        # A pipeline created before the registry (with the group's name or ARN written out).
        for pipeline in registering_pipelines(self):
            link_registering_pipeline(pipeline, self)

    @property
    def cfn_model_package_group(self) -> sagemaker.CfnModelPackageGroup:
        """The underlying ``AWS::SageMaker::ModelPackageGroup``."""
        return self._resource

    def grant_register(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` register versions pending manual approval (CreateModelPackage).

        A role imported with ``mutable=False`` gets nothing attached: the statement goes
        into the registry's managed policy ``RegisterPolicy`` (``register_policy``), left
        unattached, named in a warning (``cdk-sagemaker-pipelines:immutable-role``), as
        ``grant_approve``'s.

        Example::

            registry.grant_register(build_role)
        """
        check_grantee(grantee, self, lambda: f"ModelRegistry {self.node.path}.grant_register")
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:CreateModelPackage"],
            resource_arns=[self.model_package_group_arn, self.model_packages_arn],
            conditions={"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}},
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_register",
            policy_id="RegisterPolicy",
            description=f"Register versions in model package group {self.model_package_group_name}",
            allows="its statement (sagemaker:CreateModelPackage, pending manual approval, in "
            "the group)",
            when="before it registers versions",
            other_account="the group's policy must let that account register too: "
            "allow_registration_from('{account}')",
            resource_wildcards=_VERSIONS_OF_THE_GROUP,
        )
        return grant

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` list and describe the group and its versions.

        A role imported with ``mutable=False`` gets nothing attached: the statement goes
        into the registry's managed policy ``ReadPolicy`` (``read_policy``), left
        unattached, named in a warning (``cdk-sagemaker-pipelines:immutable-role``), as
        ``grant_approve``'s.

        Example::

            registry.grant_read(dashboard_role)
        """
        check_grantee(grantee, self, lambda: f"ModelRegistry {self.node.path}.grant_read")
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=_READ_ACTIONS,
            resource_arns=[self.model_package_group_arn, self.model_packages_arn],
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_read",
            policy_id="ReadPolicy",
            description=f"Read model package group {self.model_package_group_name}",
            allows="its statement (describe and list the group and its versions)",
            when="before it reads them",
            other_account="the group's policy must let that account read it too: "
            "share_with_account('{account}')",
            resource_wildcards=_VERSIONS_OF_THE_GROUP,
        )
        return grant

    def grant_approve(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` approve or reject versions (UpdateModelPackage).

        Approval stays apart from registration: synth fails when ``grantee`` is a role that
        a pipeline registering here runs as (its ``role``, ``step_role``, ``automl_role``
        or a dedicated step role), as its jobs could then approve their own models.

        A role imported with ``mutable=False`` (or ``without_policy_updates()``), whose
        policies are managed elsewhere (a platform team's, an IAM Identity Center permission
        set's), gets nothing attached: the statement goes into ``approve_policy``
        (``<registry>/ApprovePolicy``), a managed policy left unattached, and a warning
        (``cdk-sagemaker-pipelines:immutable-role``) names it and the role to attach it to.

        Example::

            registry.grant_approve(release_role)  # a person's or a release process's role
        """
        check_grantee(grantee, self, lambda: f"ModelRegistry {self.node.path}.grant_approve")
        self._approvers.append(grantee)
        actions = ["sagemaker:UpdateModelPackage", "sagemaker:DescribeModelPackage"]
        grant = iam.Grant.add_to_principal(
            grantee=grantee, actions=actions, resource_arns=[self.model_packages_arn]
        )
        keep_for_locked_role(
            self,
            grantee,
            grant,
            method="grant_approve",
            policy_id="ApprovePolicy",
            description="Approve or reject versions of model package group "
            f"{self.model_package_group_name}",
            allows="its statement (sagemaker:UpdateModelPackage and "
            "sagemaker:DescribeModelPackage on the group's versions)",
            when="before it approves versions",
            other_account="the group's policy lets no other account approve "
            "(share_with_account and allow_registration_from never allow "
            "sagemaker:UpdateModelPackage): give grant_approve a role of this account, which "
            "the approvers assume, instead",
            # A Sid of its own: the reason its wildcard (every version) is acknowledged.
            statements=[
                iam.PolicyStatement(
                    sid="ApproveModelVersions", actions=actions, resources=[self.model_packages_arn]
                )
            ],
            acknowledge=f"approve policy of ModelRegistry {self.node.path}",
        )
        return grant

    @property
    def approve_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_approve`` kept for roles that refuse policy updates.

        A role imported with ``mutable=False`` (or ``without_policy_updates()``) gets
        nothing attached: the statement is in this managed policy of the registry
        (``ApprovePolicy``), left for whoever manages the role (or its permission set) to
        attach. None until ``grant_approve`` is given such a role.

        Example::

            registry.grant_approve(iam.Role.from_role_arn(self, "Approver", arn, mutable=False))
            CfnOutput(self, "ApprovePolicyArn", value=registry.approve_policy.managed_policy_arn)
        """
        return kept_policy(self, "ApprovePolicy")

    @property
    def read_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_read`` kept for roles that refuse policy updates (``ReadPolicy``).

        Unattached, for whoever manages such a role to attach; None until ``grant_read``
        is given one (see ``approve_policy``).

        Example::

            registry.grant_read(dashboard_role)  # imported with mutable=False
            policy = registry.read_policy  # attach it where the role is managed
        """
        return kept_policy(self, "ReadPolicy")

    @property
    def register_policy(self) -> iam.ManagedPolicy | None:
        """What ``grant_register`` kept for roles that refuse policy updates (``RegisterPolicy``).

        Unattached, for whoever manages such a role to attach; None until
        ``grant_register`` is given one (see ``approve_policy``).

        Example::

            registry.grant_register(build_role)  # imported with mutable=False
            policy = registry.register_policy  # attach it where the role is managed
        """
        return kept_policy(self, "RegisterPolicy")

    def share_with_account(self, account_id: str) -> None:
        """Let another account read and deploy the registry's versions.

        Adds the account to the group's resource policy (describe and list the group and
        its versions, and create a model from a version) and, with an artifact store, lets
        it read ``models/`` and decrypt them with the store's key (a store adopted with
        ``ArtifactStore.from_existing`` whose bucket or key is imported can't: it warns,
        naming the statements their owner must add). The pipelines of this app
        in other accounts that register here (by the group's ARN) keep their
        models in their own stores: those share ``models/`` with the account too
        (``ArtifactStore.share_models_with``), as do their images. A version is deployable
        there when everything it points at lies under ``models/``: the pipeline's default
        outputs that a registered version refers to go there, but inference code given as
        ``RegisterModel(code=Code.from_asset(…))`` is in the CDK assets bucket, which is not
        shared: package it in the model artifact instead (``code/`` in ``model.tar.gz``).
        """
        self._check_other_account(account_id, "share_with_account")
        if account_id in self._shared:
            return
        self._shared.append(account_id)
        store = self.artifact_store
        if store is not None and account_id != account_region(store)[0]:
            store.share_models_with(account_id)
        self._resource.model_package_group_policy = self._policy_document()
        for pipeline in registering_pipelines(self):
            link_registering_pipeline(pipeline, self)

    def allow_registration_from(self, account_id: str) -> None:
        """Let another account's pipelines register versions here, pending approval only.

        Adds the account to the group's resource policy: ``CreateModelPackage`` on the group
        and its versions with ``ModelApprovalStatus`` ``PendingManualApproval`` (approving
        stays with this account, through ``grant_approve``), and ``DescribeModelPackage``
        on the versions. The registering pipeline names the group by its ARN
        (``RegisterModel(model_package_group_name=registry.model_package_group_arn)``); its
        own role gets the matching grants from the ``Pipeline`` construct. The version's
        model stays in the registering account's store: to deploy it in this account, call
        ``share_models_with`` with this account's id on the pipeline's ``ArtifactStore``.

        Example::

            registry.allow_registration_from("111122223333")  # the training account
        """
        self._check_other_account(account_id, "allow_registration_from")
        if account_id in self._registering:
            return
        self._registering.append(account_id)
        self._resource.model_package_group_policy = self._policy_document()

    def _check_other_account(self, account_id: object, method: str) -> None:
        """``account_id`` must be another account's 12-digit id (a string)."""
        raise_for(
            [
                other_account_problem(
                    account_id,
                    self,
                    "the registry",
                    "share only with other accounts; grant_read gives roles of this one"
                    if method == "share_with_account"
                    else "roles of this account need no group policy: grant_register",
                )
            ],
            lambda: f"ModelRegistry {self.node.path}.{method}",
        )

    def _policy_document(self) -> Any:
        stack = stack_of(self)

        def principals(accounts: Sequence[str]) -> dict[str, list[str]]:
            return {
                "AWS": [
                    stack.format_arn(
                        service="iam",
                        region="",
                        account=account,
                        resource="root",
                        arn_format=ArnFormat.NO_RESOURCE_NAME,
                    )
                    for account in accounts
                ]
            }

        statements: list[dict[str, Any]] = []
        if self._shared:
            statements += [
                {
                    "Sid": "ShareModelGroup",
                    "Effect": "Allow",
                    "Principal": principals(self._shared),
                    "Action": ["sagemaker:DescribeModelPackageGroup"],
                    "Resource": self.model_package_group_arn,
                },
                {
                    "Sid": "ShareModelVersions",
                    "Effect": "Allow",
                    "Principal": principals(self._shared),
                    "Action": _SHARED_VERSION_ACTIONS,
                    "Resource": self.model_packages_arn,
                },
            ]
        if self._registering:
            statements += [
                {
                    "Sid": "RegisterModelVersionsPendingApproval",
                    "Effect": "Allow",
                    "Principal": principals(self._registering),
                    "Action": ["sagemaker:CreateModelPackage"],
                    "Resource": [self.model_package_group_arn, self.model_packages_arn],
                    "Condition": {
                        "StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}
                    },
                },
                {
                    "Sid": "DescribeRegisteredVersions",
                    "Effect": "Allow",
                    "Principal": principals(self._registering),
                    "Action": ["sagemaker:DescribeModelPackage"],
                    "Resource": self.model_packages_arn,
                },
            ]
        return {"Version": "2012-10-17", "Statement": statements}

    def on_model_package_state_change(
        self,
        construct_id: str,
        *,
        target: events.IRuleTarget | None = None,
        approval_statuses: Sequence[str] | None = None,
        description: str | None = None,
    ) -> events.Rule:
        """A rule for version state changes in this group (optionally by approval status).

        The rule matches the group's events of its own account and region only: another
        account's group of the same name (an app of one stage per environment has one in
        each) whose events reach this bus, forwarded by a central bus, doesn't match.
        """
        return self._on_state_change(
            "on_model_package_state_change", construct_id, target, approval_statuses, description
        )

    def _on_state_change(
        self,
        method: str,
        construct_id: str,
        target: events.IRuleTarget | None,
        approval_statuses: Sequence[str] | None,
        description: str | None,
    ) -> events.Rule:
        check_status_rule(
            self,
            method,
            construct_id,
            ("approval_statuses", approval_statuses, MODEL_APPROVAL_STATUSES),
            target,
            description,
        )
        detail: dict[str, Any] = {"ModelPackageGroupName": [self.model_package_group_name]}
        if approval_statuses:
            detail["ModelApprovalStatus"] = list(approval_statuses)
        # A group name is unique per account and region only (an app of one stage per
        # environment has a group of one name in each): the group's own account and region
        # keep out events of another account's or region's group of the name that reach
        # this bus (forwarded by a central or organization bus), which would otherwise
        # start, say, the production deployment when a version is approved in dev.
        account, region = account_region(self)
        rule = events.Rule(
            self,
            construct_id,
            description=description,
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=[MODEL_PACKAGE_STATE_CHANGE],
                account=[account],
                region=[region],
                detail=detail,
            ),
        )
        if target is not None:
            rule.add_target(target)
        return rule

    def on_model_approved(
        self,
        construct_id: str,
        *,
        target: events.IRuleTarget | None = None,
        description: str | None = None,
    ) -> events.Rule:
        """A rule for versions that become Approved (e.g. to start a deployment).

        Of this group in its own account and region only, as ``on_model_package_state_change``.
        """
        return self._on_state_change(
            "on_model_approved", construct_id, target, ["Approved"], description
        )


# A role's ARN: its account and name (after any path).
_ROLE_ARN = re.compile(r"arn:[^:]+:iam::([^:]*):role/(?:.*/)?([^/]+)")


def _role_key(grantable: object) -> object | None:
    """What tells the role ``grantable`` is (or acts as) apart from others; None if no role.

    A literal ARN gives (account, name): IAM role names are unique in an account whatever
    their path, and case-insensitive. A token ARN is the role's own attribute (equal tokens,
    one role). Any other ARN (``Role.customize_roles`` gives every role of a stack
    ``arn:…:role`` without a name) tells nothing: the role object itself is the key.
    """
    for candidate in (grantable, getattr(grantable, "grant_principal", None)):
        arn = getattr(candidate, "role_arn", None)
        if not isinstance(arn, str):
            continue
        if (match := _ROLE_ARN.fullmatch(arn)) and not is_unresolved(match[2]):
            return (match[1], match[2].lower())
        if is_unresolved(arn) and not arn.startswith("arn:"):
            return arn
        return candidate
    return None


@jsii.implements(IValidation)
class _SelfApproval:
    """Fails synth when a role a registering pipeline runs as may approve its versions.

    The pipeline role registers pending approval only (its IAM condition), so that a person
    or a release process decides what is deployed; ``grant_approve`` given the pipeline's
    role, its step role, AutoML role or a dedicated step role would let the pipeline (or
    the code of any job running as that role) approve its own models. A validation, as
    the pipeline may be created after the grant.
    """

    def __init__(self, registry: ModelRegistry) -> None:
        self._registry = registry

    def validate(self) -> list[str]:
        """One message per approver that is a role of a pipeline registering here."""
        registry = self._registry
        approvers = {
            key for grantee in registry._approvers if (key := _role_key(grantee)) is not None
        }
        if not approvers:
            return []
        messages: list[str] = []
        for pipeline in registering_pipelines(registry):
            runs_as = {
                "role": pipeline.role,
                "step_role": pipeline.step_role,
                "automl_role": pipeline.automl_role,
                **{
                    f"dedicated role of step {step!r}": role
                    for step, role in pipeline.dedicated_roles.items()
                },
            }
            # One message per pipeline, naming each of its props the approver is.
            given = [what for what, role in runs_as.items() if _role_key(role) in approvers]
            if not given:
                continue
            props = " and ".join([", ".join(given[:-1]), given[-1]] if len(given) > 1 else given)
            messages.append(
                f"grant_approve was given the {props} of Pipeline {pipeline.node.path}, "
                "which registers versions in this group: its jobs could approve their "
                "own models (approval must stay apart from registration: grant approval "
                "to a person's or a release process's role instead)"
            )
        return messages


@jsii.implements(IValidation)
class _CrossAccountRegistrations:
    """Fails synth when a pipeline of another account registers here without permission.

    A pipeline registers in another account's group by the group's ARN; the group's policy
    must let its account do so (``allow_registration_from``), or every registration is
    denied at run time. A validation, as the account may be allowed after the pipeline.
    """

    def __init__(self, registry: ModelRegistry) -> None:
        self._registry = registry

    def validate(self) -> list[str]:
        """One message per pipeline of another account the group's policy leaves out."""
        registry = self._registry
        if not any(
            registers_by_arn(_groups_of(pipeline), registry) for pipeline in list(_PIPELINES)
        ):
            return []
        from .pipeline import Pipeline, walk_register_steps  # pipeline.py imports this module

        owner = account_region(registry)[0]
        messages: list[str] = []
        for construct in node_of(root_of(registry)).find_all():
            if not isinstance(construct, Pipeline) or not registers_by_arn(
                _groups_of(construct), registry
            ):
                continue
            account = account_region(construct)[0]
            if (
                is_unresolved(account)
                or is_unresolved(owner)
                or account in (owner, *registry._registering)
            ):
                continue
            steps = ", ".join(
                f"'{step}'"
                for step, group in walk_register_steps(construct.definition)
                if names_by_arn(group, registry)
            )
            messages.append(
                f"Pipeline {construct.node.path} of account {account} registers versions in "
                f"this group (step {steps}), but the group's policy doesn't let account "
                f"{account} register: every registration would be denied (call "
                f"registry.allow_registration_from({account!r}), or give "
                f"registering_accounts=[{account!r}])"
            )
        return messages
