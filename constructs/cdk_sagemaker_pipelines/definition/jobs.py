"""Settings shared by job steps: network isolation, VPC, tags and job-level defaults.

Example::

    NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"],
                  enable_network_isolation=True)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import PipelineDefinitionError
from ._render import JsonValue, RenderContext, compact, render
from ._tokens import is_token
from ._typecheck import checked

# The API's Tag and TagList (botocore's sagemaker model): a key of 1-128 and a value of
# 0-256 characters of letters, separators, numbers and ``_.:/=+-@``; at most 50 per resource.
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
MAX_TAGS = 50
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_TAG_CATEGORIES = ("L", "Z", "N")  # \p{L}, \p{Z}, \p{N} of the API's pattern
RESERVED_TAG_PREFIX = "aws:"
# The step types whose Arguments the binder's job tags go into: a Create*Job request (the
# check steps run a processing job), which costs money, and the deployment steps' requests,
# an endpoint (whose instances run until it is deleted), its configuration and an inference
# component on it. A configuration and a component cost nothing themselves, but an
# organization that requires tags on every sagemaker:Create* request (an SCP on
# aws:RequestTag/…) refuses CreateEndpointConfig and CreateInferenceComponent without them.
# Models are tagged for the same reason (sagemaker:CreateModel). RegisterModel steps are left
# alone: a model version in a group can't take tags (it has the group's). The job, model
# and deployment steps render their entries through ``add_job_tags``, which reads this set, as
# ``with_job_tags`` does for a definition compiled elsewhere: the two tag the same steps.
JOB_TAG_STEP_TYPES = frozenset(
    {
        "Processing",
        "Training",
        "Tuning",
        "Transform",
        "AutoML",
        "QualityCheck",
        "ClarifyCheck",
        "Model",
        "EndpointConfig",
        "Endpoint",
        "InferenceComponent",
    }
)


def bad_tag_characters(text: str) -> str:
    """The characters of ``text`` a SageMaker tag key or value may not hold, in order.

    CustomerMetadataProperties of a model package take the same characters.
    """
    bad = [
        char
        for char in text
        if char not in _TAG_PUNCTUATION
        and not unicodedata.category(char).startswith(_TAG_CATEGORIES)
    ]
    return "".join(dict.fromkeys(bad))


def _too_many_tags(count: int) -> str:
    return f"{count} tags, more than the {MAX_TAGS} a SageMaker job takes"


def tag_problems(tags: Mapping[Any, Any]) -> list[str]:
    """What SageMaker would refuse in ``tags`` (key → value), one message per problem.

    The API's rules: a key of 1-128 characters and a value of at most 256, of letters,
    spaces, numbers and ``_ . : / = + - @``; keys beginning with ``aws:`` are AWS's; at
    most 50 tags on a resource. A CDK token (a value known only at deploy time) is not
    judged.

    Example::

        tag_problems({"aws:team": "ml"})
        # ["key 'aws:team': the aws: prefix is reserved for AWS"]
    """
    problems: list[str] = []
    if len(tags) > MAX_TAGS:
        problems.append(_too_many_tags(len(tags)))
    for key, value in tags.items():
        if type(key) is not str or type(value) is not str:
            problems.append(
                f"tag {key!r}: expected a string key and a string value, got "
                f"{type(key).__name__} → {type(value).__name__}"
            )
            continue
        if not is_token(key):
            bad = bad_tag_characters(key)
            if not 1 <= len(key) <= MAX_TAG_KEY:
                problems.append(f"key {key!r}: expected 1-{MAX_TAG_KEY} characters")
            elif key.lower().startswith(RESERVED_TAG_PREFIX):
                problems.append(f"key {key!r}: the aws: prefix is reserved for AWS")
            elif bad:
                problems.append(
                    f"key {key!r}: {bad!r} not allowed (letters, spaces, numbers and "
                    "_ . : / = + - @ only)"
                )
        if not is_token(value):
            bad = bad_tag_characters(value)
            if len(value) > MAX_TAG_VALUE:
                problems.append(
                    f"value of {key!r}: {len(value)} characters, longer than {MAX_TAG_VALUE}"
                )
            elif bad:
                problems.append(
                    f"value of {key!r}: {bad!r} not allowed (letters, spaces, numbers and "
                    "_ . : / = + - @ only)"
                )
    return problems


def render_tags(tags: Mapping[str, Any] | None, ctx: RenderContext) -> JsonValue:
    """``tags`` (key → value) as a request's ``Tags`` list; ``None`` without tags.

    The ``tags=`` keyword of the job, model, deployment and lineage steps: the SageMaker
    SDK's list of ``{"Key", "Value"}`` in the mapping's order, values rendered (a pipeline
    parameter becomes its ``Get``).

    Example::

        render_tags({"team": "fraud"}, ctx)  # [{"Key": "team", "Value": "fraud"}]
    """
    if not tags:
        return None
    return [{"Key": key, "Value": render(value, ctx)} for key, value in tags.items()]


def check_tags(owner: str, tags: Mapping[str, Any] | None) -> None:
    """Raise naming ``owner`` and ``tags`` for tags SageMaker would refuse.

    Keys are literal strings; a value may be an expression (a pipeline parameter), judged
    only at run time, but counts toward the 50 a resource takes.

    Example::

        check_tags("TrainingStep 'Train'", {"aws:team": "ml"})  # raises
    """
    if not tags:
        return
    literal = {key: value for key, value in tags.items() if isinstance(value, str)}
    problems = tag_problems(literal)
    if len(tags) > MAX_TAGS and len(literal) <= MAX_TAGS:
        problems.insert(0, _too_many_tags(len(tags)))
    if any(not isinstance(key, str) for key in tags):
        problems.insert(0, "tag keys are strings")
    if problems:
        raise PipelineDefinitionError(
            f"{owner}: field 'tags': SageMaker would refuse " + "; ".join(problems)
        )


def merge_tags(own: JsonValue, defaults: Mapping[str, str]) -> JsonValue:
    """A job's ``Tags`` with ``defaults`` added for the keys it doesn't set itself.

    ``own`` is the request's ``Tags`` as rendered (a list of ``{"Key", "Value"}``, or
    ``None``); its tags come first and win on a shared key. Anything but a list (an
    expression standing for the whole list) is returned as it is: its keys are known only
    at run time. A key of ``own`` that is an expression (a parameter) is known only at run
    time too: it takes no default's place.

    Example::

        merge_tags([{"Key": "team", "Value": "fraud"}], {"team": "ml", "cost-centre": "42"})
        # [{"Key": "team", "Value": "fraud"}, {"Key": "cost-centre", "Value": "42"}]
    """
    if not defaults:
        return own
    if own is None:
        own = []
    if not isinstance(own, list):
        return own
    # Literal keys only: a key given as an expression ({"Get": …}) can't be compared here.
    taken = {
        item.get("Key")
        for item in own
        if isinstance(item, dict) and isinstance(item.get("Key"), str)
    }
    added: list[JsonValue] = [
        {"Key": key, "Value": value} for key, value in defaults.items() if key not in taken
    ]
    return [*own, *added]


def with_job_tags(definition: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, Any]:
    """A copy of a definition JSON with ``tags`` on the jobs of its steps (see ``merge_tags``).

    For definitions compiled elsewhere (the SageMaker SDK's ``definition()``): steps of the
    types in ``JOB_TAG_STEP_TYPES``, those in condition branches included, get the tags
    they don't set themselves. Entries that aren't readable are left for validation.

    Example::

        with_job_tags(json.loads(sdk_pipeline.definition()), {"cost-centre": "CC-1234"})
    """

    def tagged(entries: Any) -> Any:
        if not isinstance(entries, list):
            return entries
        result = []
        for entry in entries:
            arguments = entry.get("Arguments") if isinstance(entry, Mapping) else None
            if isinstance(arguments, Mapping):
                kind = entry.get("Type")
                if isinstance(kind, str) and kind in JOB_TAG_STEP_TYPES:
                    arguments = {**arguments, "Tags": merge_tags(arguments.get("Tags"), tags)}
                elif kind == "Condition":
                    arguments = {
                        **arguments,
                        **{
                            branch: tagged(arguments[branch])
                            for branch in ("IfSteps", "ElseSteps")
                            if branch in arguments
                        },
                    }
                entry = {**entry, "Arguments": arguments}
            result.append(entry)
        return result

    if not tags:
        return dict(definition)
    return {**definition, "Steps": tagged(definition.get("Steps"))}


@checked
@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """Where a job's containers run and what they may reach.

    ``subnets`` and ``security_group_ids`` place the job in your VPC (both or neither);
    ``enable_network_isolation`` blocks all network access from the containers;
    ``enable_inter_container_traffic_encryption`` encrypts traffic between instances.

    Example::

        NetworkConfig(subnets=vpc_subnet_ids, security_group_ids=[sg.security_group_id],
                      enable_network_isolation=True,
                      enable_inter_container_traffic_encryption=True)
    """

    subnets: Sequence[Any] = ()
    security_group_ids: Sequence[Any] = ()
    enable_network_isolation: bool | None = None
    enable_inter_container_traffic_encryption: bool | None = None

    def _validate(self) -> None:
        if bool(self.subnets) != bool(self.security_group_ids):
            given = "subnets" if self.subnets else "security_group_ids"
            missing = "security_group_ids" if self.subnets else "subnets"
            raise PipelineDefinitionError(
                f"NetworkConfig: {given} without {missing}; a VPC job needs both"
            )

    def vpc_config(self, ctx: RenderContext | None = None) -> JsonValue:
        """``{"SecurityGroupIds": …, "Subnets": …}`` or ``None``."""
        if not self.subnets and not self.security_group_ids:
            return None
        return {
            "SecurityGroupIds": render(list(self.security_group_ids), ctx),
            "Subnets": render(list(self.subnets), ctx),
        }

    def processing_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """The ``NetworkConfig`` member of a processing job."""
        body = compact(
            EnableInterContainerTrafficEncryption=self.enable_inter_container_traffic_encryption,
            EnableNetworkIsolation=self.enable_network_isolation,
            VpcConfig=self.vpc_config(ctx),
        )
        return body or None


@checked
@dataclass(frozen=True, slots=True)
class JobDefaults:
    """KMS keys, network and tags a binder applies to jobs that set none themselves.

    The CDK ``Pipeline`` construct fills this from its artifact key, VPC and ``job_tags``
    props, so every job is encrypted by default.

    ``tags`` (key → value) go on every job a step starts (processing, training, tuning,
    transform, AutoML, and the processing jobs of quality and Clarify checks), and on
    every endpoint configuration, endpoint and inference component an EndpointConfig,
    Endpoint or InferenceComponent step creates, in its Create* request's ``Tags``: the
    way to attribute their cost (a cost centre, a team), as SageMaker doesn't copy the
    pipeline's own tags to them, and what an organization requiring tags on every
    ``sagemaker:Create*`` request asks for. A tag the step sets itself (``tags=``, or
    ``extra_arguments={"Tags": [...]}``) wins on the same key; the two count together
    toward the 50 a resource takes. The models of Model steps are tagged too; model
    versions (RegisterModel steps) are not: a version in a group takes the group's tags.
    Default: no tags.

    Example::

        JobDefaults(volume_kms_key=key_arn, output_kms_key=key_arn,
                    network=NetworkConfig(enable_network_isolation=True),
                    tags={"cost-centre": "CC-1234", "team": "fraud"})
    """

    volume_kms_key: JsonValue = None
    output_kms_key: JsonValue = None
    network: NetworkConfig | None = None
    tags: Mapping[str, str] | None = None

    def _validate(self) -> None:
        problems = tag_problems(self.tags or {})
        if problems:
            raise PipelineDefinitionError(
                "JobDefaults: tags SageMaker would refuse: " + "; ".join(problems)
            )
