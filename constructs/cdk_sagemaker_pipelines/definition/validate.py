"""Validation of a pipeline definition (JSON), ours or one the SageMaker SDK generated.

Every rule reports a ``Problem`` with the step, the field path and a hint, and all
problems are collected: ``validate_definition`` returns them, ``check_definition``
raises one ``PipelineValidationError`` listing them. The graph's invariants:

- step names are unique pipeline-wide, branch steps included;
- a step is in at most one branch, and branches hold no ``Condition`` step;
- no step references or depends on a ``Fail`` step, or on itself;
- a branch step never refers to a step that only runs in the other branch;
- the dependency graph (references, ``DependsOn``, branch membership) has no cycle.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._channel_rules import (
    compile_metric_regex,
    file_system_channel_problems,
    instance_group_problems,
    instance_settings_problems,
    pipe_code_channel_problems,
)
from ._errors import PipelineValidationError, Problem
from ._lineage_names import (
    ASSOCIATION_MEMBERS,
    ENTITY_TYPES,
    KIND_OF_ARNS,
    LINEAGE_KINDS,
    LINEAGE_MEMBERS,
    REFERENCE_MEMBERS,
    kind_of_member,
    sibling_hint,
)
from ._seal_entries import is_seal_entry
from ._service_model import partition_of, shapes
from ._shape_check import (
    EXPRESSION_KEYS,
    CompiledShape,
    Path,
    ShapeChecker,
    _article,
    compiled_shape,
    field_text,
    index_segment,
    is_expression,
    misspells,
    shape_regex,
)
from ._suggest import did_you_mean, one_of
from ._tokens import is_token
from ._tuning_rules import (
    HYPERBAND,
    HYPERBAND_EPOCH_HYPERPARAMETERS,
    RANGE_KINDS,
    SINGLE_DEFINITION_MEMBERS,
    DefinitionView,
    TuningShape,
    WarmStartMismatch,
    definition_views,
    grid_job_count_mismatch,
    grid_non_categorical_ranges,
    grid_total,
    hyperband_early_stopping,
    hyperband_max_resource_missing,
    hyperband_resources_out_of_order,
    literal_strategy,
    range_problems,
    single_definition_member,
    strategy_config_without_hyperband,
    warm_start_mismatches,
)
from .conditions import COMPARISON_TYPES, CONDITION_TYPES
from .expressions import (
    EXECUTION_VARIABLE_NAMES,
    JOB_NAME_VARIABLES,
    ORDERED_TYPES,
    data_processing_path_problem,
    is_valid_json_path,
)
from .images import job_image_problem
from .instances import has_instance_store
from .parameters import parameter_problems
from .permissions import JOB_NAME_FIELDS, SQS_QUEUE_URL, sqs_queue_arn_parts
from .properties import OUTPUT_TYPES, PathStepError, PropertyNode, resolve, root_node
from .retry import (
    JOB_EXCEPTION_TYPES,
    MAX_ATTEMPTS_CAP,
    MAX_EXPIRE_AFTER_MIN,
    MAX_INTERVAL_SECONDS,
    STEP_EXCEPTION_TYPES,
    expire_after_problem,
)

DEFINITION_VERSION = "2020-12-01"
# Deployment guardrails in percent of a variant's instances (the API's "Value" of a
# CAPACITY_PERCENT size, which its shape doesn't bound): SageMaker's deployment guardrails
# guide. The CDK ModelEndpoint's Deployment uses the same bounds.
DEPLOYMENT_PERCENT_BOUNDS = {"CANARY": (1, 50), "LINEAR": (10, 50), "ROLLING": (5, 50)}
DEPLOYMENT_STEP_NAMES = {"CANARY": "canary", "LINEAR": "linear step", "ROLLING": "rolling batch"}
MAX_DEFINITION_CHARACTERS = 1_048_576
STEP_NAME = re.compile(r"[A-Za-z0-9\-_]{1,64}")
# CreatePipeline's PipelineName shape: at most 256 characters.
PIPELINE_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
# ExperimentEntityName in the service model: the experiment and trial an execution creates.
_EXPERIMENT_ENTITY_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}")
MAX_DISPLAY_NAME = 256
MAX_DESCRIPTION = 3072

# Step type → (request shape, members the service does not take in a definition).
JOB_REQUEST_SHAPES: dict[str, tuple[str, frozenset[str]]] = {
    "Processing": ("CreateProcessingJobRequest", frozenset()),
    "Training": ("CreateTrainingJobRequest", frozenset()),
    "Tuning": ("CreateHyperParameterTuningJobRequest", frozenset()),
    "Transform": ("CreateTransformJobRequest", frozenset()),
    # The SDK's AutoMLStep: a CreateAutoMLJob (V1) request. It takes its arguments from
    # Session.auto_ml only, never from create_auto_ml_v2 (sagemaker/workflow/automl_step.py),
    # so no step type runs a CreateAutoMLJobV2 request.
    "AutoML": ("CreateAutoMLJobRequest", frozenset()),
    "Model": ("CreateModelInput", frozenset()),
    "RegisterModel": ("CreateModelPackageInput", frozenset({"CertifyForMarketplace"})),
    # A check step's Arguments are the request of the processing job it runs (the SDK's
    # QualityCheckStep and ClarifyCheckStep; the step metadata names its CheckJobArn).
    "QualityCheck": ("CreateProcessingJobRequest", frozenset()),
    "ClarifyCheck": ("CreateProcessingJobRequest", frozenset()),
    # Deployment steps (the SDK's EndpointConfigStep, EndpointStep, InferenceComponentStep):
    # the request of the resource they create, its name included (the service adds an
    # execution-unique suffix to an endpoint configuration's).
    "EndpointConfig": ("CreateEndpointConfigInput", frozenset()),
    "Endpoint": ("CreateEndpointInput", frozenset()),
    "InferenceComponent": ("CreateInferenceComponentInput", frozenset()),
}
# The deployment step types, and the properties that name what each creates.
DEPLOY_STEP_TYPES = frozenset({"EndpointConfig", "Endpoint", "InferenceComponent"})
# CreateAutoMLJob members an AutoML step can't take: the SDK's AutoMLStep drops them ("The
# CreateAutoMLJob request is not quite the args list that workflow needs": the step neither
# deploys its best model nor stops at candidate definitions).
_AUTOML_UNSUPPORTED = {
    "ModelDeployConfig": "the step doesn't deploy its best model; create it from the step's "
    "BestCandidate in a later Model step",
    "GenerateCandidateDefinitionsOnly": "the step runs the candidates it generates",
}
# "Currently, the AutoML step supports only ensembling training mode" (SageMaker guide, Add
# a step: AutoML); the SDK's AutoMLStep raises AutoMLStepInvalidModeError for any other Mode.
_AUTOML_MODE = "ENSEMBLING"
# The checks each check step type runs (the SDK's CheckType values).
CHECK_TYPES: dict[str, tuple[str, ...]] = {
    "QualityCheck": ("DATA_QUALITY", "MODEL_QUALITY"),
    "ClarifyCheck": ("DATA_BIAS", "MODEL_BIAS", "MODEL_EXPLAINABILITY"),
}
_CHECK_FLAGS = ("SkipCheck", "FailOnViolation", "RegisterNewBaseline")
# A Clarify job's config input and the file it reads there (steps/check.py's
# CLARIFY_CONFIG_INPUT and CLARIFY_CONFIG_FILE: that module is imported on first use only).
CLARIFY_CONFIG_INPUT = "analysis_config"
CLARIFY_CONFIG_FILE = "analysis_config.json"
# Clarify checks of a model: the SDK writes the model's name beside Arguments.
_MODEL_CHECK_TYPES = frozenset({"MODEL_BIAS", "MODEL_EXPLAINABILITY"})
# Lineage: the SDK's LineageStep, whose Arguments list CreateAction, CreateArtifact and
# CreateContext requests and the associations between what they create (_lineage_names).
STEP_TYPES = frozenset(
    {*JOB_REQUEST_SHAPES, "Condition", "Fail", "Lambda", "Callback", "EMR", "Lineage"}
)
# The guide's list, and what the SDK writes CacheConfig for: its LambdaStep and CallbackStep
# take cache_config too, so the definitions it writes stay valid, and so do its
# EndpointConfigStep and EndpointStep ("structurally cacheable", aws/sagemaker-python-sdk#6224).
CACHEABLE = frozenset(
    {
        "Processing",
        "Training",
        "Tuning",
        "Transform",
        "EMR",
        "Lambda",
        "Callback",
        "AutoML",
        "ClarifyCheck",
        "QualityCheck",
        "EndpointConfig",
        "Endpoint",
    }
)
# The guide's list, and EMR: the SDK's EMRStep(retry_policies=) writes RetryPolicies
# (aws/sagemaker-python-sdk#5281: "Backend EMR step is using retryable step"), and
# EndpointConfig: of the deployment steps only the SDK's EndpointConfigStep is retryable
# (a ConfigurableRetryStep; its EndpointStep and InferenceComponentStep are plain steps).
RETRYABLE = frozenset(
    {
        "Processing",
        "Training",
        "Tuning",
        "Transform",
        "Model",
        "RegisterModel",
        "AutoML",
        "EMR",
        "EndpointConfig",
    }
)
JOB_RETRYABLE = frozenset({"Processing", "Training", "Tuning", "Transform", "AutoML"})
_COMMON_FIELDS = ("Name", "Type", "Arguments", "DependsOn", "DisplayName", "Description")
# Check steps carry their settings beside Arguments (the SDK's QualityCheckStep and
# ClarifyCheckStep, as the service's step metadata describes them).
_CHECK_STEP_FIELDS = (
    "CheckType",
    "ModelPackageGroupName",
    "SkipCheck",
    "FailOnViolation",
    "RegisterNewBaseline",
    "SuppliedBaselineConstraints",
)
_STEP_TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "Lambda": ("FunctionArn", "OutputParameters", "Timeout"),
    "Callback": ("SqsQueueUrl", "OutputParameters", "Timeout"),
    "QualityCheck": (*_CHECK_STEP_FIELDS, "SuppliedBaselineStatistics"),
    "ClarifyCheck": (*_CHECK_STEP_FIELDS, "ModelName"),
}
STEP_FIELDS: dict[str, frozenset[str]] = {
    kind: frozenset(
        {
            *_COMMON_FIELDS,
            *(("CacheConfig",) if kind in CACHEABLE else ()),
            *(("RetryPolicies",) if kind in RETRYABLE else ()),
            *(("PropertyFiles",) if kind == "Processing" else ()),
            *_STEP_TYPE_FIELDS.get(kind, ()),
        }
    )
    for kind in STEP_TYPES
}
_EMR_ARGUMENTS = ("ClusterId", "ClusterConfig", "StepConfig", "ExecutionRoleArn")
# RunJobFlow members SageMaker sets for a cluster it creates (the SDK's EMRStep refuses them).
_EMR_CLUSTER_SUPPLIED = frozenset({"Name", "Steps", "AutoTerminationPolicy"})
_EMR_KEEP_ALIVE = ("KeepJobFlowAliveWhenNoSteps", "TerminationProtected")
_LAMBDA_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9\-_]+(:[\w$-]+)?"
)
# EMR cluster ids are "j-" and 1-255 letters and digits (JobFlowId, XmlStringMaxLen256).
_EMR_CLUSTER_ID = re.compile(r"j-[A-Za-z0-9]{1,254}")


_NOUNS = {"list": "a list", "map": "a map", "structure": "an object"}


@dataclass(slots=True)
class StepRecord:
    """Where a step sits in the definition and what it refers to.

    Example::

        StepRecord(name="Register", kind="RegisterModel", entry=entry,
                   location="Steps[2].Arguments.IfSteps[0]", condition="Check",
                   branch="IfSteps")
    """

    name: str
    kind: str
    entry: Mapping[str, Any]
    location: str
    condition: str | None = None
    branch: str | None = None  # "IfSteps" or "ElseSteps"
    # Step → field path of its first use (as built by the walk: see ``field_text``).
    references: dict[str, Path] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    # Steps named by ``Get: Steps.<Name>…`` in Arguments, FunctionArn and SqsQueueUrl, for
    # ordering (see ``dependencies``); None when a value was not walked as ordering walks.
    ordering: set[str] | None = field(default_factory=set)

    @property
    def where(self) -> str:
        """Readable location, e.g. ``the IfSteps of 'CheckAccuracy'``."""
        if self.condition is None:
            return "the top level"
        return f"the {self.branch} of '{self.condition}'"


class _Validator:
    def __init__(self, definition: Any) -> None:
        self.definition = definition
        self.problems: list[Problem] = []
        self.parameters: dict[str, Mapping[str, Any]] = {}
        self.steps: dict[str, StepRecord] = {}
        self.current: StepRecord | None = None
        # True while walking a field that orders steps (Arguments, FunctionArn, SqsQueueUrl).
        self._ordering_field = False
        self._shape_problems: list[Problem] | None = None
        self._types: dict[str, str | None] = {}
        # Get references → the botocore shape of their leaf property (see ``type_of``).
        self._leaf_shapes: dict[str, tuple[str, str] | None] = {}
        self._candidates: dict[str, list[Any]] = {}
        self._roots: dict[str, tuple[Any, PropertyNode | None]] = {}
        self._memo: dict[Any, list[tuple[str, str | None]]] = {}
        # Valid Parameters./Execution. paths: checking them again finds nothing, changes nothing.
        self._plain_gets: set[str] = set()
        # (InferenceComponent step, literal EndpointName): see ``_check_endpoint_order``.
        self._named_endpoints: list[tuple[StepRecord, str]] = []

    def add(
        self, step: str | None, field_path: Path | None, message: str, hint: str | None = None
    ) -> None:
        if field_path is not None and type(field_path) is not str:
            field_path = field_text(field_path)
        self.problems.append(Problem(step, field_path, message, hint))

    # -- entry point -----------------------------------------------------------------

    def run(self) -> list[Problem]:
        definition = self.definition
        if not isinstance(definition, Mapping):
            self.add(None, None, f"expected a JSON object, got {type(definition).__name__}")
            return self.problems
        try:
            self._check_top_level(definition)
            self._collect_steps(definition.get("Steps"))
            for record in self.steps.values():
                self.current = record
                self._check_step(record)
            self.current = None
            self._check_shared_check_outputs()
            self._check_dependencies()
            self._check_endpoint_order()
            self._check_cycles()
            self._check_size(definition)
        except RecursionError:
            # Real definitions nest a few levels; only a generated or corrupt one gets here.
            where = self.current
            self.add(
                where.name if where is not None else None,
                None,
                "the definition is nested too deeply to check",
                "definitions nest objects and lists a few levels deep: look for a value "
                "that contains itself or was generated in a loop",
            )
        return self.problems

    # -- pipeline level --------------------------------------------------------------

    def _check_top_level(self, definition: Mapping[str, Any]) -> None:
        known = {"Version", "Metadata", "Parameters", "PipelineExperimentConfig", "Steps"}
        for key in definition:
            if key not in known:
                self.add(None, key, "unknown member of the definition", did_you_mean(key, known))
        version = definition.get("Version")
        if version != DEFINITION_VERSION:
            self.add(None, "Version", f"expected '{DEFINITION_VERSION}', got {version!r}")
        parameters = definition.get("Parameters", [])
        self.problems.extend(parameter_problems(parameters))
        if isinstance(parameters, list):
            for entry in parameters:
                if isinstance(entry, Mapping) and isinstance(entry.get("Name"), str):
                    self.parameters.setdefault(entry["Name"], entry)
        experiment = definition.get("PipelineExperimentConfig")
        if experiment is not None:
            if not isinstance(experiment, Mapping):
                self.add(None, "PipelineExperimentConfig", "expected an object or null")
            else:
                for key, value in experiment.items():
                    where = f"PipelineExperimentConfig.{key}"
                    if key not in ("ExperimentName", "TrialName"):
                        self.add(
                            None,
                            where,
                            "unknown member",
                            did_you_mean(key, ["ExperimentName", "TrialName"]),
                        )
                    elif not (isinstance(value, str) or is_expression(value)):
                        self.add(None, where, "expected a string or an expression")
                    elif (
                        isinstance(value, str)
                        and not is_token(value)
                        and _EXPERIMENT_ENTITY_NAME.fullmatch(value) is None
                    ):
                        self.add(
                            None,
                            where,
                            f"{value!r} must be 1-120 letters, digits and hyphens, starting "
                            "and ending with a letter or digit",
                            "each execution creates an experiment and a trial of these names, "
                            "e.g. 'churn-model'; or use ExecutionVariables.PIPELINE_NAME",
                        )
                    else:
                        self._walk_references(value, where, None)

    # -- collecting steps ------------------------------------------------------------

    def _collect_steps(self, steps: Any) -> None:
        if not isinstance(steps, list) or not steps:
            self.add(None, "Steps", "a pipeline needs a non-empty list of steps")
            return
        self._collect_list(steps, "Steps", None, None)

    def _collect_list(
        self, steps: list[Any], location: str, condition: str | None, branch: str | None
    ) -> None:
        for index, entry in enumerate(steps):
            where = f"{location}[{index}]"
            # A branch entry that is no step is the condition's problem, at a path in its entry.
            field_path = where if condition is None else f"Arguments.{branch}[{index}]"
            if not (type(entry) is dict or isinstance(entry, Mapping)):
                self.add(condition, field_path, "expected a step object")
                continue
            name, kind = entry.get("Name"), entry.get("Type")
            if not isinstance(name, str):
                self.add(condition, f"{field_path}.Name", "every step needs a Name string")
                continue
            record = StepRecord(name, str(kind), entry, where, condition, branch)
            previous = self.steps.get(name)
            if previous is not None:
                self._report_duplicate(previous, record)
                continue
            self.steps[name] = record
            if kind == "Condition":
                if condition is not None:
                    self.add(
                        name,
                        "Type",
                        f"a Condition step can't be nested in {record.where}",
                        "move it to the top level and add the outer condition's outcome "
                        f"(Steps.{condition}.Outcome) to its conditions",
                    )
                arguments = entry.get("Arguments")
                if type(arguments) is dict or isinstance(arguments, Mapping):
                    for branch_name in ("IfSteps", "ElseSteps"):
                        nested = arguments.get(branch_name, [])
                        if isinstance(nested, list):
                            self._collect_list(
                                nested, f"{where}.Arguments.{branch_name}", name, branch_name
                            )

    def _report_duplicate(self, first: StepRecord, second: StepRecord) -> None:
        same_list = (first.condition, first.branch) == (second.condition, second.branch)
        if first.condition is not None and second.condition is not None and not same_list:
            message = f"step '{second.name}' is in both {first.where} and {second.where}"
            hint = (
                "a step can be in at most one branch: run it before the condition, "
                "or make one step per branch, with different names"
            )
        else:
            message = (
                f"step name '{second.name}' is used twice: by the {first.kind} step at "
                f"{first.location} and by the {second.kind} step at {second.location}"
            )
            hint = "step names must be unique in the pipeline, branch steps included"
        self.add(second.name, "Name", message, hint)

    # -- one step --------------------------------------------------------------------

    def _check_step(self, record: StepRecord) -> None:
        entry, name, kind = record.entry, record.name, record.kind
        if STEP_NAME.fullmatch(name) is None:
            self.add(
                name,
                "Name",
                f"step name '{name}' must be 1-64 characters of A-Z, a-z, 0-9, - and _",
            )
        if kind not in STEP_TYPES:
            self.add(
                name,
                "Type",
                f"unknown step type {kind!r}",
                did_you_mean(kind, STEP_TYPES)
                or f"expected one of {one_of(sorted(STEP_TYPES), 20)}",
            )
            return
        allowed = STEP_FIELDS[kind]
        for key in entry:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                if key == "CacheConfig":
                    hint = f"{kind} steps can't be cached"
                elif key == "RetryPolicies":
                    hint = f"{kind} steps take no retry policies"
                elif key == "PropertyFiles":
                    hint = "only Processing steps write property files"
                self.add(name, key, f"not a field of {_article(kind)} {kind} step", hint)
        for key, limit in (("DisplayName", MAX_DISPLAY_NAME), ("Description", MAX_DESCRIPTION)):
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                self.add(name, key, f"expected a string, got {type(value).__name__}")
            elif isinstance(value, str) and len(value) > limit:
                self.add(name, key, f"has {len(value)} characters, more than the limit of {limit}")
        self._check_depends_on(record)
        self._shape_problems = None
        for key, value in entry.items():
            if key in ("Name", "Type"):
                continue
            self._ordering_field = key in _ORDERING_FIELDS
            if key != "Arguments":
                self._walk_references(value, key, record)
            elif kind in JOB_REQUEST_SHAPES and (type(value) is dict or isinstance(value, Mapping)):
                # One walk for the shape check and the references: the checker hands every
                # expression and every part it does not check back to _walk_references.
                shape_name, supplied = JOB_REQUEST_SHAPES[kind]
                walker = ShapeChecker(step=name, typer=self, refs=self, memo=self._memo)
                self._shape_problems = walker.run(
                    value, shape_name, "Arguments", supplied, _optional_names(kind)
                )
            elif kind == "Lineage" and _is_object(value):
                self._shape_problems = self._walk_lineage(record, value, walk=True)
            else:
                self._walk_references(value, key, record, _arguments_shape(kind))
        self._ordering_field = False
        arguments = entry.get("Arguments")
        if "CacheConfig" in entry and kind in CACHEABLE:
            self._check_cache_config(name, entry["CacheConfig"])
        if "RetryPolicies" in entry and kind in RETRYABLE:
            self._check_retry_policies(name, kind, entry["RetryPolicies"])
        checker = _ARGUMENT_CHECKS.get(kind)
        if checker is not None:
            if kind not in ("Lambda", "Callback") and not (
                type(arguments) is dict or isinstance(arguments, Mapping)
            ):
                self.add(name, "Arguments", "expected an object")
                return
            checker(self, record, arguments)

    def _check_depends_on(self, record: StepRecord) -> None:
        depends = record.entry.get("DependsOn")
        if depends is None:
            return
        if not isinstance(depends, list) or not all(isinstance(item, str) for item in depends):
            self.add(record.name, "DependsOn", "expected a list of step names")
            return
        seen: set[str] = set()
        for index, target in enumerate(depends):
            if target in seen:
                self.add(record.name, f"DependsOn[{index}]", f"'{target}' is listed twice")
            seen.add(target)
            record.depends_on.append(target)

    def _check_cache_config(self, name: str, config: Any) -> None:
        if not isinstance(config, Mapping):
            self.add(name, "CacheConfig", "expected an object with Enabled and ExpireAfter")
            return
        for key in config:
            if key not in ("Enabled", "ExpireAfter"):
                self.add(
                    name,
                    f"CacheConfig.{key}",
                    "unknown member",
                    did_you_mean(key, ["Enabled", "ExpireAfter"]),
                )
        if not isinstance(config.get("Enabled"), bool):
            self.add(
                name,
                "CacheConfig.Enabled",
                f"expected true or false, got {config.get('Enabled')!r}",
            )
        expire = config.get("ExpireAfter")
        # A CDK token resolves at deploy time: not judged (the Pipeline construct skips it too).
        judged = expire is not None and not is_token(expire)
        problem = expire_after_problem(expire) if judged else None
        if problem is not None:
            self.add(name, "CacheConfig.ExpireAfter", *problem)

    def _check_retry_policies(self, name: str, kind: str, policies: Any) -> None:
        if not isinstance(policies, list):
            self.add(name, "RetryPolicies", "expected a list of retry policies")
            return
        known = {"ExceptionType", "IntervalSeconds", "BackoffRate", "MaxAttempts", "ExpireAfterMin"}
        for index, policy in enumerate(policies):
            where = f"RetryPolicies[{index}]"
            if not isinstance(policy, Mapping):
                self.add(name, where, "expected an object")
                continue
            for key in policy:
                if key not in known:
                    self.add(name, f"{where}.{key}", "unknown member", did_you_mean(key, known))
            types = policy.get("ExceptionType")
            if not isinstance(types, list) or not types:
                self.add(
                    name, f"{where}.ExceptionType", "expected a non-empty list of exception types"
                )
            else:
                for position, value in enumerate(types):
                    field_path = f"{where}.ExceptionType[{position}]"
                    if not isinstance(value, str):
                        self.add(name, field_path, f"expected an exception type, got {value!r}")
                    elif value in JOB_EXCEPTION_TYPES and kind not in JOB_RETRYABLE:
                        self.add(
                            name,
                            field_path,
                            f"{value} applies to SageMaker jobs, not to {kind} steps",
                            "use Step.SERVICE_FAULT or Step.THROTTLING",
                        )
                    elif value not in STEP_EXCEPTION_TYPES | JOB_EXCEPTION_TYPES:
                        valid = sorted(STEP_EXCEPTION_TYPES | JOB_EXCEPTION_TYPES)
                        self.add(
                            name,
                            field_path,
                            f"unknown exception type {value!r}",
                            did_you_mean(str(value), valid) or f"expected one of {one_of(valid)}",
                        )
            attempts, expire = policy.get("MaxAttempts"), policy.get("ExpireAfterMin")
            if attempts is not None and expire is not None:
                self.add(name, where, "set MaxAttempts or ExpireAfterMin, not both")
            self._check_int(name, f"{where}.MaxAttempts", attempts, MAX_ATTEMPTS_CAP, "attempts")
            self._check_int(
                name, f"{where}.ExpireAfterMin", expire, MAX_EXPIRE_AFTER_MIN, "minutes (10 days)"
            )
            self._check_int(
                name,
                f"{where}.IntervalSeconds",
                policy.get("IntervalSeconds"),
                MAX_INTERVAL_SECONDS,
                "seconds (12 hours)",
            )
            rate = policy.get("BackoffRate")
            if rate is not None and (
                isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 0
            ):
                self.add(
                    name, f"{where}.BackoffRate", f"expected a non-negative number, got {rate!r}"
                )

    def _check_shared_check_outputs(self) -> None:
        """Two check steps writing their reports to the same output location.

        Each check job writes fixed file names (``analysis.json``, ``constraints.json``…)
        under its output, so the second overwrites the first's report and baselines (an SDK
        ``DataConfig`` reused across checks gives them the same ``s3_output_path``). The
        locations are compared as written: equal expressions are the same place at run time.
        Only checks of one kind clash: a QualityCheck writes ``statistics.json`` and
        ``constraints.json``, a ClarifyCheck ``analysis.json`` and its report, so one of
        each may share a prefix.
        """
        earlier: dict[str, list[StepRecord]] = {}
        field_path = "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"
        for record in self.steps.values():
            if record.kind not in CHECK_TYPES:
                continue
            arguments = record.entry.get("Arguments")
            config = (
                arguments.get("ProcessingOutputConfig") if isinstance(arguments, Mapping) else None
            )
            outputs = config.get("Outputs") if isinstance(config, Mapping) else None
            output = outputs[0] if isinstance(outputs, list) and outputs else None
            s3_output = output.get("S3Output") if isinstance(output, Mapping) else None
            uri = s3_output.get("S3Uri") if isinstance(s3_output, Mapping) else None
            if uri is None:
                continue
            key = f"{record.kind} {json.dumps(uri, sort_keys=True)}"
            same_place = earlier.setdefault(key, [])
            # The two branches of one condition never both run (conditions don't nest).
            clash = next(
                (
                    previous
                    for previous in same_place
                    if not (
                        previous.condition is not None
                        and previous.condition == record.condition
                        and previous.branch != record.branch
                    )
                ),
                None,
            )
            same_place.append(record)
            if clash is not None:
                other = clash.name
                self.add(
                    record.name,
                    field_path,
                    f"check steps '{other}' and '{record.name}' write their reports to the same "
                    f"location {_shown(uri)[:120]}: the later job overwrites the other's "
                    "report and baselines",
                    "give each check its own output location (output_s3_uri=, or a "
                    "DataConfig per check in the SDK), or leave it out for a per-step default",
                )

    def _check_clarify_config_name(self, record: StepRecord) -> None:
        """A Clarify job's analysis configuration file not named ``analysis_config.json``.

        As ``ClarifyCheckStep`` checks it in Python, for JSON definitions (``RawStep``, an
        SDK file): the config input copies the object under its own name and Clarify reads
        ``analysis_config.json`` there, so another name fails only when the job runs. A
        prefix (no ``.json`` last segment) or a run-time location is left alone.
        """
        arguments = record.entry.get("Arguments")
        inputs = arguments.get("ProcessingInputs") if isinstance(arguments, Mapping) else None
        if not isinstance(inputs, list):
            return
        for index, entry in enumerate(inputs):
            if not isinstance(entry, Mapping) or entry.get("InputName") != CLARIFY_CONFIG_INPUT:
                continue
            s3_input = entry.get("S3Input")
            uri = s3_input.get("S3Uri") if isinstance(s3_input, Mapping) else None
            if not isinstance(uri, str) or is_token(uri):
                continue
            file_name = uri.rsplit("/", 1)[-1]
            if file_name.lower().endswith(".json") and file_name != CLARIFY_CONFIG_FILE:
                self.add(
                    record.name,
                    f"Arguments.ProcessingInputs[{index}].S3Input.S3Uri",
                    f"the analysis configuration {uri!r} is a file named {file_name!r}, but "
                    f"Clarify reads it as {CLARIFY_CONFIG_FILE}",
                    f"name the object …/{CLARIFY_CONFIG_FILE}, or give the prefix holding it",
                )

    def _check_check_settings(self, record: StepRecord) -> None:
        """A check step's settings beside Arguments: its check type, flags and baselines."""
        entry, name = record.entry, record.name
        valid = CHECK_TYPES[record.kind]
        check_type = entry.get("CheckType")
        if check_type is None:
            self.add(
                name,
                "CheckType",
                f"{_article(record.kind)} {record.kind} step needs CheckType",
                f"one of {one_of(valid)}",
            )
        elif not isinstance(check_type, str):
            self.add(
                name,
                "CheckType",
                f"expected the check type as a string, got {_shown(check_type)[:60]}",
                f"one of {one_of(valid)}; the service reads it when the pipeline is created, "
                "so it can't come from a parameter",
            )
        elif check_type not in valid:
            self.add(
                name,
                "CheckType",
                f"{check_type!r} is not a check of {_article(record.kind)} {record.kind} step",
                did_you_mean(check_type, valid) or f"expected one of {one_of(valid)}",
            )
        elif check_type in _MODEL_CHECK_TYPES and entry.get("ModelName") is None:
            self.add(
                name,
                "ModelName",
                f"a {check_type} check needs ModelName, the model it runs on a shadow endpoint",
                "give the name of a model, e.g. a Model step's ModelName property",
            )
        for flag in _CHECK_FLAGS:
            value = entry.get(flag)
            if value is None or isinstance(value, bool):
                continue
            kind = self.type_of(value) if is_expression(value) else None
            if kind not in ("Boolean", None) or not is_expression(value):
                got = f"{_article(str(kind))} {kind}" if kind else _shown(value)[:60]
                self.add(
                    name,
                    flag,
                    f"expected true, false or a Boolean parameter, got {got}",
                    f'{flag}: true or false, or {{"Get": "Parameters.<name>"}} of a '
                    "Boolean parameter (True, False or a ParameterBoolean in Python)",
                )
        for member in ("SuppliedBaselineStatistics", "SuppliedBaselineConstraints"):
            value = entry.get(member)
            if value is None or is_token(value):
                continue
            if isinstance(value, str):
                if not value.startswith("s3://"):
                    self.add(
                        name,
                        member,
                        f"{value!r} is not an S3 URI",
                        "give the baseline file's s3://bucket/key",
                    )
                continue
            reference = value.get("Get") if is_expression(value) else None
            if (
                type(reference) is str
                and reference.startswith("Parameters.")
                and self.type_of(value) == "String"
            ):
                # Any String parameter passes, its default unchecked: an empty default is
                # how the SDK's templates leave a supplied baseline unset.
                continue
            # A number, a Boolean, or an expression that can't hold an S3 URI (a Boolean
            # parameter, an execution variable, a job name): checked as the API's S3Uri.
            checker = ShapeChecker(step=name, typer=self)
            self.problems.extend(checker.check(value, "S3Uri", member))
        if record.kind == "ClarifyCheck":
            self._check_clarify_config_name(record)
        # The names the service looks up at run time (ListModelPackages, the shadow
        # endpoint's CreateEndpointConfig), checked as the API's shapes take them.
        for member, shape_name in (
            ("ModelPackageGroupName", "ArnOrName"),
            ("ModelName", "ModelName"),
        ):
            value = entry.get(member)
            if value is None:
                continue
            if not isinstance(value, str) and not is_expression(value):
                self.add(name, member, f"expected a name, got {_shown(value)[:60]}")
                continue
            checker = ShapeChecker(step=name, typer=self)
            self.problems.extend(checker.run(value, shape_name, member))
            if member == "ModelPackageGroupName":
                self._check_group_arn(name, member, value)

    def _check_int(self, name: str, where: str, value: Any, high: int, unit: str) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(name, where, f"expected an integer, got {value!r}")
        elif not 0 <= value <= high:
            self.add(name, where, f"{value} is outside 0..{high}", f"at most {high} {unit}")

    def _step_hint(self, name: str) -> str:
        return did_you_mean(name, self.steps) or (
            f"the pipeline's steps: {one_of(sorted(self.steps), 8)}; "
            "in Python, pass the step object rather than its name to include it"
        )

    # -- references ------------------------------------------------------------------

    def reference_expression(self, value: Mapping[str, Any], path: Path) -> None:
        """An expression met by the shape checker: check it as ``_walk_references`` does."""
        key = next(iter(value))
        if key == "Get":
            reference = value["Get"]
            if type(reference) is not str or reference not in self._plain_gets:
                self._check_get(reference, path, self.current)
        elif key == "Std:Join":
            self._check_join(value[key], path, self.current)
        else:
            self._check_json_get(value[key], path, self.current)

    def reference_walk(self, value: Any, path: Path, shape: CompiledShape | None) -> None:
        """A value the shape checker does not descend into: walk it for references."""
        self._walk_references(value, path, self.current, shape)

    def _walk_references(
        self, value: Any, where: Path, record: StepRecord | None, shape: _WalkShape = None
    ) -> None:
        """Check every expression in ``value``.

        ``shape`` (a compiled botocore shape, ``FREE_MAP`` or None) only spells field paths
        the way the shape checker does: map keys as ``['key']``, members as ``.Member``.
        Paths are built lazily (see ``_shape_check.field_text``).
        """
        kind = type(value)
        if kind is not dict:
            if kind is list:
                self._walk_list(value, where, record, shape)
                return
            if kind in _SCALARS or value is None:
                return
            if not isinstance(value, Mapping):
                if isinstance(value, list):
                    self._walk_list(value, where, record, shape)
                return
            if self._ordering_field:
                self._inexact(record)  # ordering walks dicts only
        if len(value) == 1:
            key = next(iter(value))
            if key == "Get":
                reference = value["Get"]
                if type(reference) is not str or reference not in self._plain_gets:
                    self._check_get(reference, where, record)
                return
            if key == "Std:Join":
                self._check_join(value[key], where, record)
                return
            if key == "Std:JsonGet":
                self._check_json_get(value[key], where, record)
                return
            if isinstance(key, str) and key.startswith("Std:"):
                self.add(
                    record.name if record else None,
                    where,
                    f"unknown function '{key}'",
                    did_you_mean(key, EXPRESSION_KEYS)
                    or f"expected one of {one_of(sorted(EXPRESSION_KEYS))}",
                )
                return
        branches = record is not None and record.kind == "Condition" and where == "Arguments"
        for key, item in value.items():
            if type(item) in _SCALARS or item is None:
                continue  # nothing to check, whatever its path
            if branches and key in ("IfSteps", "ElseSteps"):
                continue  # branch steps are walked as steps of their own
            name = str(key)
            child_shape: _WalkShape = None
            if shape is None:
                child: Path = (where, "." + name) if (type(where) is not str or where) else name
            elif shape is FREE_MAP:
                child = (where, f"['{name}']")
            else:
                assert isinstance(shape, CompiledShape)
                if not shape.linked:
                    shape.link()
                if shape.kind == "map":
                    child, child_shape = (where, f"['{name}']"), shape.value
                else:
                    member = shape.members.get(name)
                    if member is not None:
                        child, child_shape = (where, member[0]), member[1]
                    else:
                        child = (where, "." + name) if (type(where) is not str or where) else name
            self._walk_references(item, child, record, child_shape)

    def _walk_list(
        self, value: list[Any], where: Path, record: StepRecord | None, shape: _WalkShape
    ) -> None:
        item_shape = None
        if isinstance(shape, CompiledShape) and shape.kind == "list":
            item_shape = shape.item if shape.linked else shape.link().item
        for index, item in enumerate(value):
            if type(item) in _SCALARS or item is None:
                continue
            self._walk_references(item, (where, index_segment(index)), record, item_shape)

    def _inexact(self, record: StepRecord | None) -> None:
        """Ordering can't reuse what this walk found for ``record``: it walks the entry again."""
        if record is not None and self._ordering_field:
            record.ordering = None

    def _check_get(
        self, path: Any, where: Path, record: StepRecord | None, *, property_file: bool = False
    ) -> None:
        step_name = record.name if record else None
        if not isinstance(path, str):
            self.add(step_name, where, "Get expects a string path")
            return
        head, _, rest = path.partition(".")
        if property_file and head != "Steps":
            self.add(
                step_name,
                where,
                "JsonGet's PropertyFile must be 'Steps.<Name>.PropertyFiles.<File>'",
                f"'{_cut(path)}' is no step's property file; to read a JSON file at the S3 URI "
                "it holds, give it as S3Uri (JsonGet(s3_uri=…) in Python)",
            )
            return
        if head == "Parameters":
            if rest not in self.parameters:
                self.add(
                    step_name,
                    where,
                    f"refers to parameter '{rest}', which is not declared",
                    did_you_mean(rest, self.parameters)
                    or "declare it in the pipeline's Parameters "
                    "(PipelineDefinition(parameters=[...]) in Python)",
                )
                return
            self._plain_gets.add(path)
            return
        if head == "Execution":
            if rest not in EXECUTION_VARIABLE_NAMES:
                self.add(
                    step_name,
                    where,
                    f"unknown execution variable '{rest}'",
                    did_you_mean(rest, EXECUTION_VARIABLE_NAMES)
                    or f"expected one of {one_of(sorted(EXECUTION_VARIABLE_NAMES))}",
                )
                return
            own_job = JOB_NAME_VARIABLES.get(rest)
            if own_job is not None and not (
                record is not None
                and record.kind == own_job
                and field_text(where).startswith("Arguments")
            ):
                self.add(
                    step_name,
                    where,
                    f"'{path}' is the name of the job {_article(own_job)} {own_job} step "
                    "starts, known only in that step's own Arguments",
                    f"use it only in the Arguments of {_article(own_job)} {own_job} step; "
                    "elsewhere, read a step's job name from its properties (Steps.<Name>."
                    f"{rest})",
                )
                return
            self._plain_gets.add(path)
            return
        if head == "Steps":
            ordering = record.ordering if record is not None else None
            if self._ordering_field and ordering is not None and path.startswith("Steps."):
                ordering.add(path.split(".")[1].split("[")[0])  # the name as ordering reads it
            self._check_step_reference(rest, where, record, property_file=property_file)
            return
        self.add(
            step_name,
            where,
            f"Get path '{path}' must start with Parameters., Execution. or Steps.",
            did_you_mean(head, ["Parameters", "Execution", "Steps"]),
        )

    def _check_step_reference(
        self, rest: str, where: Path, record: StepRecord | None, *, property_file: bool
    ) -> None:
        source = record.name if record else None
        match = _STEP_REFERENCE.match(rest)
        if match is None:
            self.add(source, where, f"malformed step reference 'Steps.{rest}'")
            return
        target_name, remainder = match.group(1), match.group(2)
        target = self.steps.get(target_name)
        if target is None:
            self.add(
                source,
                where,
                f"refers to step '{target_name}', which is not in the pipeline",
                self._step_hint(target_name),
            )
            return
        if record is not None:
            if target_name == record.name:
                self.add(source, where, "a step can't refer to its own properties")
                return
            if target_name not in record.references:
                record.references[target_name] = where
        if target.kind == "Fail":
            self.add(
                source,
                where,
                f"refers to Fail step '{target_name}'; Fail steps have no properties",
                "Fail steps end the execution and can't be referenced",
            )
            return
        path = remainder[1:] if remainder.startswith(".") else remainder
        if path.startswith("PropertyFiles.") or path == "PropertyFiles":
            self._check_property_file_reference(target, path, where, source, property_file)
            return
        if property_file:
            self.add(
                source, where, "JsonGet's PropertyFile must be 'Steps.<Name>.PropertyFiles.<File>'"
            )
            return
        if not path:
            self.add(
                source,
                where,
                f"refers to step '{target_name}' without a property",
                "name a property, e.g. Steps.Train.ModelArtifacts.S3ModelArtifacts",
            )
            return
        node, error = self._resolve(target, path)
        if error is None:
            error = _undeclared_key(target, path)
        if error is not None:
            self.add(source, where, f"'Steps.{target_name}.{path}': {error.message}", error.hint)
            return
        if target.kind == "Tuning" and not (
            self._training_job_exists(target, path, where, source)
            and self._tuning_member_exists(target, path, where, source)
        ):
            return
        if node is not None and node.kind != "leaf":  # None: properties not modelled
            self.add(
                source,
                where,
                f"'Steps.{target_name}.{path}' is {_NOUNS[node.kind]}, not a value",
                f"pick one of its members: {one_of(sorted(node.members), 8)}"
                if node.members
                else "index it",
            )

    def _training_job_exists(
        self, target: StepRecord, path: str, where: Path, source: str | None
    ) -> bool:
        """``TrainingJobSummaries[k]`` of a tuning step that runs more than k jobs.

        A tuning job runs at most ``MaxNumberOfTrainingJobs`` jobs: a position beyond them
        fails the referring step when the execution runs.
        """
        match = _TRAINING_JOB_SUMMARY.match(path)
        if match is None:
            return True
        arguments: Any = target.entry.get("Arguments")
        config: Any = (
            arguments.get("HyperParameterTuningJobConfig") if _is_object(arguments) else None
        )
        limits: Any = config.get("ResourceLimits") if _is_object(config) else None
        jobs: Any = limits.get("MaxNumberOfTrainingJobs") if _is_object(limits) else None
        position = int(match.group(1))
        if type(jobs) is not int or jobs < 1 or position < jobs:
            return True  # a parameter, or a value the shape check reports
        self.add(
            source,
            where,
            f"'Steps.{target.name}.{path}': tuning step '{target.name}' runs at most {jobs} "
            f"training job{'s' if jobs != 1 else ''}, so TrainingJobSummaries has no "
            f"position {position}",
            f"positions go from 0 (the best job) to {jobs - 1} (top_model_s3_uri(k) in Python "
            "takes k < max_jobs)",
        )
        return False

    def _tuning_member_exists(
        self, target: StepRecord, path: str, where: Path, source: str | None
    ) -> bool:
        """A tuning step's property of its kind: of one algorithm, or of several.

        DescribeHyperParameterTuningJob describes the job as it was created: one of
        ``TrainingJobDefinition`` (with the config's objective and ranges) or
        ``TrainingJobDefinitions`` (each with its own), and that many definitions. A
        property of the other kind is absent, which fails the referring step when the
        execution runs.
        """
        arguments: Any = target.entry.get("Arguments")
        if not _is_object(arguments):
            return True
        definitions: Any = arguments.get("TrainingJobDefinitions")
        several = type(definitions) is list
        single = _is_object(arguments.get("TrainingJobDefinition"))
        reference = f"'Steps.{target.name}.{path}'"
        absent = next(
            (
                member
                for member in _ONE_ALGORITHM_MEMBERS
                if path == member or path.startswith((f"{member}.", f"{member}["))
            ),
            None,
        )
        # A config member written beside several definitions (the objective a definition
        # without its own takes) is described as given.
        if several and absent is not None and _member(arguments, absent) is None:
            self.add(
                source,
                where,
                f"{reference}: tuning step '{target.name}' tunes {len(definitions)} training "
                f"job definitions (TrainingJobDefinitions), so it has no {absent}",
                "read the definition's own: TrainingJobDefinitions[i] (0 to "
                f"{len(definitions) - 1}; TuningObjective and HyperParameterRanges for the "
                "objective and ranges), or BestTrainingJob.TrainingJobDefinitionName for the "
                "winner's",
            )
            return False
        match = _TRAINING_JOB_DEFINITIONS_ITEM.match(path)
        if match is None:
            return True
        if single and not several:
            self.add(
                source,
                where,
                f"{reference}: tuning step '{target.name}' tunes one training job "
                "definition (TrainingJobDefinition), so it has no TrainingJobDefinitions",
                f"read Steps.{target.name}.TrainingJobDefinition (its objective and ranges "
                "are the config's: HyperParameterTuningJobConfig.HyperParameterTuningJobObjective"
                " and .ParameterRanges)",
            )
            return False
        position = int(match.group(1))
        if several and position >= len(definitions):
            self.add(
                source,
                where,
                f"{reference}: tuning step '{target.name}' has {len(definitions)} training "
                f"job definition{'s' if len(definitions) != 1 else ''}, so "
                f"TrainingJobDefinitions has no position {position}",
                f"positions go from 0 to {len(definitions) - 1}, in the order given",
            )
            return False
        return True

    def _resolve(
        self, target: StepRecord, path: str
    ) -> tuple[PropertyNode | None, PathStepError | None]:
        """Resolve ``path`` in ``target``'s property tree (cached).

        Returns (node, None), (None, error), or (None, None) for step types whose
        properties are not modelled.
        """
        found = self._roots.get(target.name)
        if found is None:
            outputs = None
            if target.kind in ("Lambda", "Callback"):
                declared = target.entry.get("OutputParameters") or []
                outputs = _declared_outputs(declared)
            found = _root(target.kind, outputs)
            self._roots[target.name] = found
        root_key, root = found
        if root is None:
            return None, None
        return _resolved(root_key, root, path)

    def _check_property_file_reference(
        self, target: StepRecord, path: str, where: Path, source: str | None, inside_json_get: bool
    ) -> None:
        if not inside_json_get:
            self.add(
                source,
                where,
                "property files are read with JsonGet, not Get",
                'use {"Std:JsonGet": {"PropertyFile": {"Get": …}, "Path": …}} '
                "(JsonGet(step=…, property_file=…, json_path=…) in Python)",
            )
            return None
        file_name = path[len("PropertyFiles.") :]
        if target.kind != "Processing":
            self.add(
                source,
                where,
                f"step '{target.name}' is a {target.kind} step; "
                "only Processing steps have property files",
            )
            return None
        declared = _property_file_names(target.entry)
        if file_name not in declared:
            self.add(
                source,
                where,
                f"step '{target.name}' declares no property file '{file_name}'",
                self._property_file_hint(file_name, declared),
            )
        return None

    def _property_file_hint(self, file_name: str, declared: list[str]) -> str:
        """What to do about a JsonGet of a property file its step doesn't declare."""
        close = did_you_mean(file_name, declared)
        if close:
            return close
        owners = [
            record.name
            for record in self.steps.values()
            if record.kind == "Processing" and file_name in _property_file_names(record.entry)
        ]
        if owners:  # the JsonGet names the wrong step
            steps = "step {} declares" if len(owners) == 1 else "steps {} declare"
            return f"{steps.format(one_of(owners))} it: read that step, JsonGet(step=…) in Python"
        if declared:
            return f"declared: {one_of(declared)}"
        return (
            "declare it in the step's PropertyFiles: property_files=[…] of the "
            "ProcessingStep in Python"
        )

    def _check_join(self, body: Any, where: Path, record: StepRecord | None) -> None:
        step_name = record.name if record else None
        is_map = type(body) is dict or isinstance(body, Mapping)
        if not is_map or not isinstance(body.get("Values"), list):
            self.add(step_name, where, 'Std:Join expects {"On": string, "Values": [...]}')
            if is_map:  # "values" for "Values": say which
                self._unknown_members(body, "Std:Join", _JOIN_KEYS, where, step_name)
            return
        if type(body) is not dict or not body.keys() <= _JOIN_KEYS:
            self._inexact(record)  # ordering also walks what this check does not
            self._unknown_members(body, "Std:Join", _JOIN_KEYS, where, step_name)
        if not isinstance(body.get("On", ""), str):
            self.add(step_name, (where, ".Std:Join.On"), "expected a string separator")
        plain = self._plain_gets
        for index, item in enumerate(body["Values"]):
            item_kind = type(item)
            if item_kind in _SCALARS:
                continue
            if item is None:
                self.add(
                    step_name,
                    (where, f".Std:Join.Values[{index}]"),
                    "Join values can't be null",
                    "remove it or give it a value (None in Python renders as null)",
                )
                continue
            if item_kind is dict and len(item) == 1:
                reference = item.get("Get")
                if type(reference) is str:
                    if reference in plain:
                        continue  # a valid parameter or execution variable, checked before
                    if record is not None and reference.endswith(".TrainingJobName"):
                        self._check_tuned_job_location(body, index, reference, where, record)
            item_where = (where, f".Std:Join.Values[{index}]")
            if isinstance(item, (Mapping, list)) and not is_expression(item) and not is_token(item):
                self.add(
                    step_name, item_where, "Join values must be strings, numbers or expressions"
                )
            else:
                self._walk_references(item, item_where, record)

    def _check_tuned_job_location(
        self, body: Mapping[str, Any], index: int, reference: str, where: Path, record: StepRecord
    ) -> None:
        """A location of a tuning job's training job (its model) is under the job's output path.

        A training job writes ``<S3OutputPath>/<job name>/output/model.tar.gz``. The SDK's
        ``get_top_model_s3_uri(top_k, s3_bucket, prefix)`` joins ``s3://<s3_bucket>/<prefix>``
        instead, which must repeat the tuner's output path; given another (the default
        bucket while the tuner writes elsewhere), the model isn't there when the step runs.
        Only literal parts are compared, trailing slashes aside.
        """
        match = _TUNED_JOB_NAME.fullmatch(reference)
        target = self.steps.get(match.group(1)) if match is not None else None
        arguments: Any = target.entry.get("Arguments") if target is not None else None
        if target is None or target.kind != "Tuning" or not _is_object(arguments):
            return
        jobs = [
            arguments.get("TrainingJobDefinition"),
            *_as_list(arguments.get("TrainingJobDefinitions")),
        ]
        # Literal parts only, and one output path shared by every definition.
        outputs = [_member(job, "OutputDataConfig.S3OutputPath") for job in jobs if _is_object(job)]
        separator: Any = body.get("On", "")
        values: list[Any] = body["Values"]
        parts = [*outputs, *values[:index], *values[index + 1 :], separator]
        if not outputs or not all(type(part) is str and not is_token(part) for part in parts):
            return
        output: str = outputs[0]
        if any(other != output for other in outputs) or not output.startswith("s3://"):
            return
        within = separator.join(values[index + 1 :])
        if index == 0 or not within.startswith("output/"):
            return  # not a file the job writes under its output path
        looked = separator.join(values[:index])
        if looked.rstrip("/") == output.rstrip("/"):
            return
        self.add(
            record.name,
            where,
            f"this URI looks for a file of tuning step '{target.name}''s training job under "
            f"{looked!r}, but its training jobs write under {output!r} (their "
            "OutputDataConfig.S3OutputPath): the file won't be there when the step runs",
            "build it from the tuning step's output path: tune.top_model_s3_uri(k) in Python; "
            "with the SageMaker SDK, get_top_model_s3_uri(top_k, s3_bucket=…, prefix=…) naming "
            "the bucket and key of the tuner's output_path",
        )

    def _unknown_members(
        self,
        body: Mapping[Any, Any],
        function: str,
        members: frozenset[str],
        where: Path,
        step_name: str | None,
    ) -> None:
        """A member of a ``Std:`` function's object that the function doesn't take.

        The SDK writes none; a misspelt ``on`` or ``Separator`` would leave the separator
        at its default and make another value than the one meant.
        """
        for key in body:
            if key not in members:
                self.add(
                    step_name,
                    (where, f".{function}.{key}"),
                    f"{function} has no member '{key}' (it takes {one_of(sorted(members))})",
                    did_you_mean(str(key), members) or "remove it",
                )

    def _check_json_get(self, body: Any, where: Path, record: StepRecord | None) -> None:
        step_name = record.name if record else None
        is_map = type(body) is dict or isinstance(body, Mapping)
        if not is_map or "Path" not in body:
            self.add(step_name, where, 'Std:JsonGet expects {"PropertyFile": …, "Path": …}')
            if is_map:  # "path" for "Path": say which
                self._unknown_members(body, "Std:JsonGet", _JSON_GET_KEYS, where, step_name)
            return
        if (
            type(body) is not dict
            or not body.keys() <= _JSON_GET_KEYS
            or ("PropertyFile" in body and "S3Uri" in body)
        ):
            self._inexact(record)  # ordering also walks what this check does not
            self._unknown_members(body, "Std:JsonGet", _JSON_GET_KEYS, where, step_name)
        path = body.get("Path")
        if not isinstance(path, str) or not is_valid_json_path(path):
            self.add(
                step_name,
                (where, ".Std:JsonGet.Path"),
                f"{path!r} is not a valid JsonPath",
                "use dotted names with [index] parts, e.g. 'metrics.accuracy.value'",
            )
        if "PropertyFile" in body:
            reference = body["PropertyFile"]
            file_where = (where, ".Std:JsonGet.PropertyFile")
            is_map = type(reference) is dict or isinstance(reference, Mapping)
            if is_map and set(reference) == {"Get"}:
                if type(reference) is not dict:
                    self._inexact(record)
                self._check_get(reference["Get"], file_where, record, property_file=True)
            else:
                self.add(
                    step_name, file_where, 'expected {"Get": "Steps.<Name>.PropertyFiles.<File>"}'
                )
        if "PropertyFile" in body and "S3Uri" in body:
            self.add(
                step_name,
                (where, ".Std:JsonGet.S3Uri"),
                "Std:JsonGet reads a PropertyFile or an S3Uri, not both",
                "keep one (JsonGet(step=…, property_file=…) or JsonGet(s3_uri=…) in Python)",
            )
        elif "S3Uri" in body:
            self._check_json_get_uri(body["S3Uri"], (where, ".Std:JsonGet.S3Uri"), record)
        elif "PropertyFile" not in body:
            self.add(step_name, where, "Std:JsonGet needs a PropertyFile (or S3Uri)")

    def _check_json_get_uri(self, uri: Any, where: Path, record: StepRecord | None) -> None:
        """The S3 URI of a JSON file: a string, or an expression that yields one.

        Its references are walked like any other: a Join over a step's property makes that
        step a dependency of the reader.
        """
        step_name = record.name if record else None
        if uri is None or type(uri) in (bool, int, float):
            self.add(
                step_name,
                where,
                f"expected an S3 URI, got {uri!r}",
                "a Std:Join that builds 's3://<bucket>/<key>' (JsonGet(s3_uri=Join(…)) in Python)",
            )
            return
        self._walk_references(uri, where, record)
        prefix = _literal_prefix(uri)
        if prefix is not None and not is_token(prefix) and not _could_start_s3_uri(prefix):
            self.add(
                step_name,
                where,
                f"the URI starts with {prefix!r}, not 's3://'",
                "JsonGet reads a JSON object in S3: build 's3://<bucket>/<key>'",
            )
            return
        # The URI itself, or the one value of the Join it is wrapped in (as the SDK, and
        # JsonGet(s3_uri=<parameter>) in Python, write it): a reference of another type
        # joins into no S3 URI.
        joined: Any = uri.get("Std:Join") if _is_object(uri) and len(uri) == 1 else None
        values = joined.get("Values") if _is_object(joined) else None
        whole = values[0] if isinstance(values, list) and len(values) == 1 else uri
        if is_expression(whole) and next(iter(whole)) == "Get":
            value_type = self.type_of(whole)
            if value_type is not None and value_type != "String":
                self.add(
                    step_name,
                    where,
                    f"expected an S3 URI (a String), got {_article(value_type)} {value_type} "
                    f"({whole['Get']!r})",
                    "use a String parameter or property that holds the URI",
                )

    # -- typing for the shape checker ---------------------------------------------------

    def type_of(self, expression: Mapping[str, Any]) -> str | None:
        key = next(iter(expression))
        if key == "Std:Join":
            return "String"
        if key != "Get" or not isinstance(expression["Get"], str):
            return None
        reference: str = expression["Get"]
        if reference in self._types:
            return self._types[reference]
        head, _, rest = reference.partition(".")
        found: str | None
        if head == "Parameters":
            entry = self.parameters.get(rest)
            found = str(entry.get("Type")) if entry else None
        elif head == "Execution":
            found = "Timestamp" if rest.endswith("DateTime") else "String"
        else:
            node = self._quiet_step_node(rest)
            found = node.leaf_type if node is not None else None
            if node is not None and node.kind == "leaf":
                self._leaf_shapes[reference] = node.shape
        self._types[reference] = found
        return found

    def _quiet_step_node(self, rest: str) -> PropertyNode | None:
        """The property node of ``<Step>.<path>``, or None (problems are reported elsewhere)."""
        match = _QUIET_STEP_REFERENCE.match(rest)
        if match is None:
            return None
        target = self.steps.get(match.group(1))
        if target is None:
            return None
        node, error = self._resolve(target, match.group(2))
        if node is None or error is not None:
            return None
        return node

    def property_shape(self, expression: Mapping[str, Any]) -> tuple[str, str] | None:
        """The botocore shape (service, name) of a ``Get: Steps.…`` leaf property, if known."""
        reference = expression.get("Get")
        if type(reference) is not str or not reference.startswith("Steps."):
            return None
        if reference not in self._types:
            self.type_of(expression)  # resolves the property once, for both answers
        return self._leaf_shapes.get(reference)

    def candidate_values(self, expression: Mapping[str, Any]) -> list[Any]:
        reference = expression.get("Get")
        if not isinstance(reference, str) or not reference.startswith("Parameters."):
            return []
        cached = self._candidates.get(reference)
        if cached is not None:
            return cached
        entry = self.parameters.get(reference[len("Parameters.") :])
        if entry is None:
            return []
        values = list(_as_list(entry.get("EnumValues")))
        default = entry.get("DefaultValue")
        if default is not None and default not in values:
            values.insert(0, default)
        self._candidates[reference] = values
        return values

    # -- per-type arguments ---------------------------------------------------------------

    def _check_job_arguments(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        problems = self._shape_problems  # found while walking the entry
        if problems is None:
            shape_name, supplied = JOB_REQUEST_SHAPES[record.kind]
            checker = ShapeChecker(step=record.name, typer=self)
            problems = checker.run(
                arguments, shape_name, "Arguments", supplied, _optional_names(record.kind)
            )
        self.problems.extend(problems)
        if record.kind == "Processing":
            self._check_processing_names(record, arguments)
            self._check_property_files(record, arguments)
            self._check_job_image(
                record,
                "Arguments.AppSpecification.ImageUri",
                _member(arguments, "AppSpecification.ImageUri"),
                "processing",
            )
        elif record.kind in CHECK_TYPES:
            self._check_processing_names(record, arguments)
            self._check_check_settings(record)
        elif record.kind == "Training":
            self._check_training_job(record, arguments, "Arguments")
        elif record.kind == "Tuning":
            self._check_tuning_objective(record, arguments)
            self._check_tuning_ranges(record, arguments)
            self._check_tuning_limits(record, arguments)
            self._check_tuning_strategy(record, arguments)
            self._check_warm_start_parents(record, arguments)
            self._check_definition_names(record, arguments)
            self._check_one_algorithm_settings(record, arguments)
            self._check_training_job_form(record, arguments)
            self._check_objectives_present(record, arguments)
            self._check_single_definition_twice(record, arguments)
            job: Any = arguments.get("TrainingJobDefinition")
            if _is_object(job):
                self._check_training_job(record, job, "Arguments.TrainingJobDefinition")
            for index, item in enumerate(_as_list(arguments.get("TrainingJobDefinitions"))):
                if _is_object(item):
                    where = f"Arguments.TrainingJobDefinitions[{index}]"
                    self._check_training_job(record, item, where)
        elif record.kind == "RegisterModel":
            self._check_model_package_kind(record, arguments)
            self._check_report_objects(record, arguments)
            specification: Any = arguments.get("InferenceSpecification")
            if _is_object(specification) and not is_expression(specification):
                self._check_model_data(
                    record,
                    [
                        (f"Arguments.InferenceSpecification.Containers[{index}]", item)
                        for index, item in enumerate(_as_list(specification.get("Containers")))
                    ],
                )
        elif record.kind == "Model":
            self._check_model_containers(record, arguments)
        elif record.kind == "Transform":
            self._check_transform_model(record, arguments)
            self._check_transform_payload(record, arguments)
            self._check_transform_output_outside_input(record, arguments)
            self._check_transform_data_processing(record, arguments)
        elif record.kind == "AutoML":
            self._check_automl_job(record, arguments)
        elif record.kind == "EndpointConfig":
            self._check_endpoint_config(record, arguments)
        elif record.kind == "Endpoint":
            self._check_endpoint(record, arguments)
        elif record.kind == "InferenceComponent":
            self._check_inference_component(record, arguments)
        self._check_tag_keys(record, arguments)

    def _check_report_objects(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A version's metrics and baselines are files, not a processing output's prefix.

        A ``MetricsSource``/``FileSource`` ``S3Uri`` names one JSON object, which the
        registry, Model Monitor (``MonitorBaseline.from_model_package``) and Clarify read;
        a Processing step's ``S3Output.S3Uri`` is the prefix its directory is uploaded
        under, so no object is ever there. Seen directly or through a ``SealStep``, which
        copies a prefix as a prefix: found now rather than when the registered version's
        files are read (after the seal has written its copies, which can't be deleted).
        """
        for member in ("ModelMetrics", "DriftCheckBaselines"):
            for where, uri in _s3_uris(arguments.get(member), f"Arguments.{member}"):
                source = self._processing_prefix(uri)
                if source is None:
                    continue
                step, output, seal = source
                what = f"processing output '{output}' of step '{step}'"
                if seal is not None:
                    what = f"the sealed copy of {seal[1]!r} (SealStep '{seal[0]}'), which is {what}"
                self.add(
                    record.name,
                    where,
                    f"it is {what}: a prefix, where a metrics or baseline source is one file",
                    "name the file in it, Join(on='/', values=[<step>.output("
                    f"'{output}'), '<file>.json'])"
                    + (", as the artifact the seal copies" if seal else ""),
                )

    def _processing_prefix(self, value: Any) -> tuple[str, str, tuple[str, str] | None] | None:
        """(step, output, (seal step, artifact) or None) if ``value`` is a processing prefix."""
        seal: tuple[str, str] | None = None
        path = value.get("Get") if _is_object(value) and set(value) == {"Get"} else None
        sealed = _OUTPUT_PARAMETER.fullmatch(path) if isinstance(path, str) else None
        if sealed is not None:
            record = self.steps.get(sealed[1])
            arguments: Any = record.entry.get("Arguments") if record else None
            if record is None or not is_seal_entry(record.entry) or not _is_object(arguments):
                return None
            artifacts: Any = arguments.get("Artifacts")
            value = artifacts.get(sealed[2]) if _is_object(artifacts) else None
            path = value.get("Get") if _is_object(value) and set(value) == {"Get"} else None
            seal = (sealed[1], sealed[2])
        output = _PROCESSING_OUTPUT_URI.fullmatch(path) if isinstance(path, str) else None
        if output is None:
            return None
        target = self.steps.get(output[1])
        if target is None or target.kind != "Processing":
            return None
        return output[1], output[2].strip("'"), seal

    def _check_automl_job(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """What an AutoML step takes beyond the CreateAutoMLJob shape (see ``_AUTOML_MODE``).

        Its Mode must be ``ENSEMBLING`` (a parameter is left to run time); the members the
        SDK's AutoMLStep drops are refused; an ``AugmentedManifestFile`` channel is for
        CreateAutoMLJobV2 only ("available for V2 API jobs only", AutoMLS3DataSource).
        """
        for member, why in _AUTOML_UNSUPPORTED.items():
            if member in arguments:
                self.add(
                    record.name,
                    f"Arguments.{member}",
                    f"an AutoML step takes no {member}: {why}",
                    "remove it (the SageMaker SDK's AutoMLStep leaves it out)",
                )
        config: Any = arguments.get("AutoMLJobConfig")
        if config is None:
            where, mode = "Arguments.AutoMLJobConfig", None
        elif _is_object(config) and not is_expression(config):
            where, mode = "Arguments.AutoMLJobConfig.Mode", config.get("Mode")
        else:
            where, mode = "", _AUTOML_MODE  # an expression or a wrong type: reported elsewhere
        # A parameter, a token or a wrong type (the shape check reports it) passes here.
        if mode is None or (type(mode) is str and mode != _AUTOML_MODE and not is_token(mode)):
            shown = "no Mode" if mode is None else f"Mode {mode!r}"
            self.add(
                record.name,
                where,
                f"an AutoML step runs in {_AUTOML_MODE} mode only, got {shown}",
                f'set AutoMLJobConfig.Mode to "{_AUTOML_MODE}" (mode="{_AUTOML_MODE}" in the '
                "SDK's AutoML); run a hyperparameter-tuning AutoML job outside the pipeline",
            )
        for index, channel in enumerate(_as_list(arguments.get("InputDataConfig"))):
            source: Any = channel.get("DataSource") if _is_object(channel) else None
            s3: Any = source.get("S3DataSource") if _is_object(source) else None
            if _is_object(s3) and s3.get("S3DataType") == "AugmentedManifestFile":
                self.add(
                    record.name,
                    f"Arguments.InputDataConfig[{index}].DataSource.S3DataSource.S3DataType",
                    "AugmentedManifestFile is for AutoML V2 jobs only; an AutoML step runs "
                    "CreateAutoMLJob (V1)",
                    "use S3Prefix or ManifestFile",
                )

    def _check_model_containers(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A model has inference code: a container, each with an image or a model package.

        CreateModel's members are all optional but ``ModelName`` because a model is either
        one container (``PrimaryContainer``) or an inference pipeline (``Containers``); a
        model of neither has nothing to run, nor a container of neither ``Image`` ("the path
        where inference code is stored") nor ``ModelPackageName`` (whose containers it
        uses). "SageMaker expects either a single primary container, xor a list of container
        definitions" (AWS's SageMaker operator for Kubernetes, pull request 164), as the
        SDK writes them: ``PrimaryContainer`` for ``Model``, ``Containers`` for
        ``PipelineModel``.
        """
        primary: Any = arguments.get("PrimaryContainer")
        pipeline: Any = arguments.get("Containers")
        if primary is None and pipeline in (None, []):
            if misspells(arguments, "CreateModelInput", ("PrimaryContainer", "Containers")):
                return  # the shape check names the member meant
            self.add(
                record.name,
                "Arguments.PrimaryContainer",
                "the model has no container: neither PrimaryContainer nor Containers",
                "give PrimaryContainer (image and model data), or Containers for an "
                "inference pipeline",
            )
            return
        if primary is not None and pipeline not in (None, []):
            self.add(
                record.name,
                "Arguments.Containers",
                "the model has both PrimaryContainer and Containers",
                "keep PrimaryContainer for one container, or list every container in "
                "Containers (an inference pipeline)",
            )
        containers = [("Arguments.PrimaryContainer", primary)] if primary is not None else []
        containers += [
            (f"Arguments.Containers[{index}]", item)
            for index, item in enumerate(_as_list(pipeline))
        ]
        self._check_model_data(record, containers)
        for where, container in containers:
            if not _is_object(container) or is_expression(container):
                continue  # the shape check reports a container that is no object
            if misspells(container, "ContainerDefinition", ("Image", "ModelPackageName")):
                continue  # the shape check names the member meant
            if container.get("Image") is None and container.get("ModelPackageName") is None:
                self.add(
                    record.name,
                    f"{where}.Image",
                    "the container has no Image and no ModelPackageName: no inference code",
                    "give the image of the inference code (and ModelDataUrl for its model), "
                    "or a ModelPackageName",
                )

    def _check_model_data(self, record: StepRecord, containers: list[tuple[str, Any]]) -> None:
        """A container's model data is one archive (ModelDataUrl) or a source, not both.

        ``ModelDataUrl`` is "the S3 path where the model artifacts ... are stored. This path
        must point to a single gzip compressed tar archive (.tar.gz suffix)" (botocore's
        ContainerDefinition): the model of a training job compiled with
        ``OutputDataConfig.CompressionType: NONE`` is a prefix of files instead, which
        CreateModel accepts and a container then fails to download. Seen when the URL is
        that step's ``ModelArtifacts.S3ModelArtifacts``; a ``ModelDataSource`` reads it.
        """
        for where, container in containers:
            if not _is_object(container) or is_expression(container):
                continue
            url = container.get("ModelDataUrl")
            if url is not None and container.get("ModelDataSource") is not None:
                self.add(
                    record.name,
                    f"{where}.ModelDataSource",
                    "the container has both ModelDataUrl and ModelDataSource: SageMaker "
                    "takes one place to read the model data from",
                    "keep ModelDataUrl for a model.tar.gz, or ModelDataSource for uncompressed "
                    "model data (model_data=ModelData.uncompressed(…))",
                )
                continue
            trainer = self._uncompressed_trainer(url)
            if trainer is not None:
                self.add(
                    record.name,
                    f"{where}.ModelDataUrl",
                    f"ModelDataUrl is the model of training step '{trainer}', which uploads it "
                    "uncompressed (OutputDataConfig.CompressionType NONE): a prefix of files, "
                    "where ModelDataUrl takes one model.tar.gz",
                    "read it as ModelDataSource: model_data=ModelData.uncompressed("
                    "<training step>.model_data), or compress the training output",
                )

    def _uncompressed_trainer(self, value: Any) -> str | None:
        """The Training step whose uncompressed model ``value`` refers to, if it is one."""
        if not _is_object(value) or set(value) != {"Get"} or not isinstance(value["Get"], str):
            return None
        parts = value["Get"].split(".")
        artifacts = ["ModelArtifacts", "S3ModelArtifacts"]
        if len(parts) != 4 or parts[0] != "Steps" or parts[2:] != artifacts:
            return None
        target = self.steps.get(parts[1])
        if target is None or target.kind != "Training":
            return None
        arguments: Any = target.entry.get("Arguments")
        config: Any = arguments.get("OutputDataConfig") if _is_object(arguments) else None
        if _is_object(config) and config.get("CompressionType") == "NONE":
            return target.name
        return None

    def _check_tag_keys(
        self, record: StepRecord, arguments: Mapping[str, Any], where: str = "Arguments"
    ) -> None:
        """Each tag key once: the API's Tag says "Tag keys must be unique per resource"."""
        seen: dict[str, int] = {}
        for index, tag in enumerate(_as_list(arguments.get("Tags"))):
            key = tag.get("Key") if _is_object(tag) else None
            if type(key) is not str or is_token(key):
                continue
            if key in seen:
                self.add(
                    record.name,
                    f"{where}.Tags[{index}].Key",
                    f"tag key '{key}' is already used by {where}.Tags[{seen[key]}]",
                    "a resource has one value per tag key: keep one of them",
                )
            else:
                seen[key] = index

    def _check_training_job(self, record: StepRecord, job: Mapping[str, Any], where: str) -> None:
        """A training job's algorithm, spot wait, file-system channels and instance settings.

        See ``_check_spot_wait``, ``file_system_channel_problems``,
        ``pipe_code_channel_problems``, ``instance_group_problems`` and
        ``instance_settings_problems`` for the last five.

        The API's AlgorithmSpecification: AlgorithmName "is mutually exclusive with the
        TrainingImage parameter. If you specify a value for the AlgorithmName parameter,
        you can't specify a value for TrainingImage, and vice versa."
        """
        algorithm: Any = job.get("AlgorithmSpecification")
        if (
            _is_object(algorithm)
            and algorithm.get("AlgorithmName") is not None
            and algorithm.get("TrainingImage") is not None
        ):
            self.add(
                record.name,
                f"{where}.AlgorithmSpecification.AlgorithmName",
                "a training job runs an algorithm resource (AlgorithmName) or an image "
                "(TrainingImage), not both",
                "remove one of them",
            )
        self._check_spot_wait(record, job, where)
        self._check_metric_regexes(record, algorithm, where)
        registry = "AlgorithmSpecification.TrainingImageConfig.TrainingRepositoryAccessMode"
        if _member(job, registry) != "Vpc":
            self._check_job_image(
                record,
                f"{where}.AlgorithmSpecification.TrainingImage",
                _member(job, "AlgorithmSpecification.TrainingImage"),
                "training",
            )
        for problem in [
            *file_system_channel_problems(job),
            *pipe_code_channel_problems(job),
            *instance_group_problems(job),
            *instance_settings_problems(job, tuning=where != "Arguments"),
        ]:
            self.add(record.name, f"{where}.{problem.field}", problem.message, problem.hint)

    def _check_job_image(self, record: StepRecord, where: str, image: Any, job: str) -> None:
        """A literal job image SageMaker can't pull (``job_image_problem``)."""
        problem = job_image_problem(image, job)
        if problem is not None:
            self.add(record.name, where, *problem)

    def _check_metric_regexes(self, record: StepRecord, algorithm: Any, where: str) -> None:
        """A ``MetricDefinitions`` regex has balanced parentheses and brackets.

        No regex dialect reads an unclosed group or class, so the job could never read the
        metric (the local runner fails it). Other Python compile errors aren't judged: the
        service's dialect is undocumented and may take syntax Python's ``re`` doesn't.
        """
        if not _is_object(algorithm):
            return
        for index, item in enumerate(_as_list(algorithm.get("MetricDefinitions"))):
            regex = item.get("Regex") if _is_object(item) else None
            if type(regex) is not str or is_token(regex):
                continue
            try:
                compile_metric_regex(regex)
            except re.error as error:
                if not _UNBALANCED_REGEX.search(str(error)):
                    continue
                name = item.get("Name")
                self.add(
                    record.name,
                    f"{where}.AlgorithmSpecification.MetricDefinitions[{index}].Regex",
                    f"the regex of metric {name!r} is not a regular expression: {error}",
                    "close every group and class, e.g. r'accuracy: ([0-9.]+)'; the value is "
                    "read from the first group",
                )

    def _check_transform_model(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A step property given as ``ModelName`` is the ``ModelName`` of a Model step.

        Any other property (a training job's name, a model package's ARN) names no model:
        CreateTransformJob accepts it and the job fails when the execution runs. Lambda,
        Callback and EMR outputs may hold a model name and are not judged.
        """
        self._check_model_name(
            record, arguments.get("ModelName"), "Arguments.ModelName", "a transform job runs"
        )

    def _check_model_name(self, record: StepRecord, model_name: Any, where: str, user: str) -> None:
        """``model_name`` at ``where`` names a model: a Model step's ``ModelName``, or a name.

        ``user`` says what runs the model (``a transform job runs``), for the message.
        """
        if _is_object(model_name) and "Std:Join" in model_name:
            self._check_joined_model_name(record, model_name, where)
            return
        named = self.steps.get(model_name) if type(model_name) is str else None
        if named is not None and named.kind == "Model":
            # A Model step's model is named by the service (pipelines-…), not after the step.
            self.add(
                record.name,
                where,
                f"'{model_name}' is the name of Model step '{model_name}', not of the model it "
                f"creates: SageMaker names that model when the execution runs, so {user} no "
                "model of this name",
                f'read the name from the step: {{"Get": "Steps.{model_name}.ModelName"}} '
                "(model_name=model.properties.ModelName in Python)",
            )
            return
        target, path, reference = self._referenced_step(model_name)
        if target is None or (target.kind == "Model" and path == "ModelName"):
            return
        self.add(
            record.name,
            where,
            f"'{reference}' is not a model name: {user} a model that a Model step created",
            "create the model with a Model step and pass its ModelName: "
            "model_name=model.properties.ModelName in Python, with "
            "model = ModelStep(…, model_data=train.model_data)",
        )

    def _referenced_step(self, value: Any) -> tuple[StepRecord | None, str, str]:
        """The step a ``Get: Steps.…`` value reads, the property path and the reference.

        ``None`` for anything else, for a step of the pipeline whose outputs may hold any
        name (Lambda, Callback and EMR outputs are not judged) and for a reference that is
        no value of the step (the reference check reports it).
        """
        reference = value.get("Get") if _is_object(value) else None
        if type(reference) is not str or not reference.startswith("Steps."):
            return None, "", ""
        match = _QUIET_STEP_REFERENCE.match(reference[len("Steps.") :])
        target = self.steps.get(match.group(1)) if match is not None else None
        if match is None or target is None or target.kind in ("Lambda", "Callback", "EMR"):
            return None, "", ""
        if self.type_of({"Get": reference}) is None:
            return None, "", ""
        return target, match.group(2), reference

    def _check_endpoint_config(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """What CreateEndpointConfig's shape doesn't say of the variants, their models and key.

        Each variant runs on instances (``InstanceType``) or serverless (``ServerlessConfig``),
        under a name of its own; a model named by a step property is a Model step's; a
        ``KmsKeyId`` can't encrypt instances whose ML storage is their NVMe store
        (CreateEndpointConfig refuses it); and an endpoint whose variants name no model
        (one of inference components) needs ``ExecutionRoleArn``, the role it runs as.
        """
        variants = arguments.get("ProductionVariants")
        if not isinstance(variants, list):
            return  # absent, an expression or a wrong type: the shape check reports it
        names: dict[str, int] = {}
        serves_models = False
        for index, variant in enumerate(variants):
            if not _is_object(variant) or is_expression(variant):
                serves_models = True  # not judged
                continue
            where = f"Arguments.ProductionVariants[{index}]"
            if variant.get("ModelName") is not None:
                serves_models = True
                self._check_model_name(
                    record, variant["ModelName"], f"{where}.ModelName", "an endpoint variant runs"
                )
            if variant.get("InstanceType") is None and variant.get("ServerlessConfig") is None:
                self.add(
                    record.name,
                    where,
                    "the variant has neither InstanceType nor ServerlessConfig: it runs on no "
                    "instances",
                    "give InstanceType (and InitialInstanceCount) or ServerlessConfig "
                    "(instance_type= or serverless_config= in Python)",
                )
            name = variant.get("VariantName")
            if type(name) is str and not is_token(name):
                if name in names:
                    self.add(
                        record.name,
                        f"{where}.VariantName",
                        f"variant name '{name}' is already used by "
                        f"Arguments.ProductionVariants[{names[name]}]",
                        "each variant of an endpoint needs a name of its own",
                    )
                else:
                    names[name] = index
            instance_type = variant.get("InstanceType")
            if (
                arguments.get("KmsKeyId") is not None
                and type(instance_type) is str
                and not is_token(instance_type)
                and has_instance_store(instance_type)
            ):
                self.add(
                    record.name,
                    "Arguments.KmsKeyId",
                    f"{instance_type} (Arguments.ProductionVariants[{index}].InstanceType) keeps "
                    "its ML storage on the instance's NVMe store, encrypted by the instance's "
                    "hardware: CreateEndpointConfig refuses a KmsKeyId for it",
                    "leave KmsKeyId out, or choose an instance type with EBS storage",
                )
        if variants and not serves_models and arguments.get("ExecutionRoleArn") is None:
            self.add(
                record.name,
                "Arguments.ExecutionRoleArn",
                "no variant names a model (an endpoint for inference components), so the "
                "endpoint configuration needs the role the endpoint runs as",
                "give ExecutionRoleArn (role= in Python, or a binder's job role), or a "
                "ModelName in a variant",
            )

    def _check_deployment_config(self, record: StepRecord, config: Any) -> None:
        """An Endpoint step's guardrails in the bounds SageMaker deploys (the shape has none).

        A canary, linear step or rolling batch given in percent of the variant's instances
        (``CAPACITY_PERCENT``) is refused out of ``DEPLOYMENT_PERCENT_BOUNDS``, and a
        blue/green timeout that isn't longer than its waits. Literal values only.
        """
        if not _is_object(config) or is_expression(config):
            return
        where = "Arguments.DeploymentConfig"
        sizes: list[tuple[str, Any, str]] = []
        blue_green = config.get("BlueGreenUpdatePolicy")
        if _is_object(blue_green):
            routing = blue_green.get("TrafficRoutingConfiguration")
            kind = routing.get("Type") if _is_object(routing) else None
            member = {"CANARY": "CanarySize", "LINEAR": "LinearStepSize"}.get(str(kind))
            if _is_object(routing) and member is not None:
                path = f"BlueGreenUpdatePolicy.TrafficRoutingConfiguration.{member}"
                sizes.append((path, routing.get(member), str(kind)))
            waits = [
                routing.get("WaitIntervalInSeconds") if _is_object(routing) else 0,
                blue_green.get("TerminationWaitInSeconds", 0),
            ]
            timeout = blue_green.get("MaximumExecutionTimeoutInSeconds")
            literal = type(timeout) is int and all(type(wait) is int for wait in waits)
            if literal and timeout <= sum(waits):
                self.add(
                    record.name,
                    f"{where}.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds",
                    f"{timeout} seconds is not longer than the wait interval and the "
                    f"termination wait together ({sum(waits)} seconds): SageMaker asks for "
                    "a timeout larger than the waits it includes",
                    f"a timeout of {sum(waits) + 1} seconds or more",
                )
        rolling = config.get("RollingUpdatePolicy")
        if _is_object(rolling):
            sizes.append(
                ("RollingUpdatePolicy.MaximumBatchSize", rolling.get("MaximumBatchSize"), "ROLLING")
            )
        for path, size, strategy in sizes:
            value = size.get("Value") if _is_object(size) else None
            if size is None or size.get("Type") != "CAPACITY_PERCENT" or type(value) is not int:
                continue
            low, high = DEPLOYMENT_PERCENT_BOUNDS[strategy]
            if not low <= value <= high:
                self.add(
                    record.name,
                    f"{where}.{path}.Value",
                    f"{value}% is not a {DEPLOYMENT_STEP_NAMES[strategy]} SageMaker deploys: "
                    f"{low}-{high}% of the variant's instances",
                    f"a Value of {low} to {high} (or a Type of INSTANCE_COUNT)",
                )

    def _check_endpoint(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """The configuration an Endpoint step deploys is one an EndpointConfig step names.

        A step property given as ``EndpointConfigName`` must be an EndpointConfig step's
        ``EndpointConfigName``. A literal name that an EndpointConfig step of the pipeline
        gives names no configuration: the one that step creates carries an
        execution-unique suffix (aws/sagemaker-python-sdk#6224), so CreateEndpoint fails
        when the execution runs.
        """
        self._check_deployment_config(record, arguments.get("DeploymentConfig"))
        config: Any = arguments.get("EndpointConfigName")
        where = "Arguments.EndpointConfigName"
        if type(config) is str and not is_token(config):
            for other in self.steps.values():
                arguments_of: Any = other.entry.get("Arguments")
                if (
                    other.kind == "EndpointConfig"
                    and _is_object(arguments_of)
                    and arguments_of.get("EndpointConfigName") == config
                ):
                    self.add(
                        record.name,
                        where,
                        f"'{config}' is the name EndpointConfig step '{other.name}' gives, but "
                        "the configuration that step creates carries an execution-unique "
                        "suffix: no configuration has this name when the endpoint is created",
                        f'read the name from the step: {{"Get": "Steps.{other.name}.'
                        'EndpointConfigName"} (endpoint_config_name=config.properties.'
                        "EndpointConfigName in Python)",
                    )
                    return
            return
        target, path, reference = self._referenced_step(config)
        if target is None or (target.kind == "EndpointConfig" and path == "EndpointConfigName"):
            return
        self.add(
            record.name,
            where,
            f"'{reference}' is not an endpoint configuration's name: an endpoint deploys "
            "a configuration that an EndpointConfig step created",
            "pass the EndpointConfigName of an EndpointConfig step: endpoint_config_name="
            "config.properties.EndpointConfigName in Python",
        )

    def _check_inference_component(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A component's model is a Model step's, its endpoint an Endpoint step's.

        A literal ``EndpointName`` that an Endpoint step of the pipeline gives is checked
        once every step's references are known (``_check_endpoint_order``).
        """
        specification: Any = arguments.get("Specification")
        if _is_object(specification) and specification.get("ModelName") is not None:
            self._check_model_name(
                record,
                specification["ModelName"],
                "Arguments.Specification.ModelName",
                "an inference component runs",
            )
        endpoint: Any = arguments.get("EndpointName")
        if type(endpoint) is str and not is_token(endpoint):
            self._named_endpoints.append((record, endpoint))
            return
        target, path, reference = self._referenced_step(endpoint)
        if target is None or (target.kind == "Endpoint" and path == "EndpointName"):
            return
        self.add(
            record.name,
            "Arguments.EndpointName",
            f"'{reference}' is not an endpoint's name: an inference component is deployed to "
            "an endpoint",
            "pass the EndpointName of an Endpoint step: endpoint_name=endpoint.properties."
            "EndpointName in Python",
        )

    def _check_endpoint_order(self) -> None:
        """A component named onto an endpoint an Endpoint step creates runs after that step.

        By name alone, nothing orders the two: the component may be created before its
        endpoint exists (or during its update), and CreateInferenceComponent fails.
        """
        for record, endpoint in self._named_endpoints:
            for other in self.steps.values():
                arguments: Any = other.entry.get("Arguments")
                if (
                    other.kind != "Endpoint"
                    or not _is_object(arguments)
                    or arguments.get("EndpointName") != endpoint
                    or self._runs_after(record.name, other.name)
                ):
                    continue
                self.add(
                    record.name,
                    "Arguments.EndpointName",
                    f"endpoint '{endpoint}' is the one Endpoint step '{other.name}' creates or "
                    "updates, but nothing makes this step run after it: the component may be "
                    "created before the endpoint is ready",
                    f'read the name from the step: {{"Get": "Steps.{other.name}.EndpointName"}} '
                    "(endpoint_name=endpoint.properties.EndpointName in Python), or add "
                    f"'{other.name}' to DependsOn",
                )

    def _runs_after(self, source: str, target: str) -> bool:
        """Whether ``source`` depends, directly or not, on ``target``."""
        seen = {source}
        queue = [source]
        for node in queue:
            for child in self._edges(self.steps[node]):
                if child == target:
                    return True
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return False

    # -- lineage --------------------------------------------------------------------------

    def _walk_lineage(
        self, record: StepRecord, arguments: Mapping[str, Any], *, walk: bool
    ) -> list[Problem]:
        """A Lineage step's entities against their Create* request shapes.

        With ``walk``, the one walk of the step's ``Arguments`` for references too: the
        shape checker hands each expression of an entity to ``_walk_references``, and the
        rest of the Arguments (associations, unknown members) is walked for them here.
        """
        problems: list[Problem] = []
        refs = self if walk else None
        for key, value in arguments.items():
            kind = kind_of_member(key) if type(key) is str else None
            if kind is not None and type(value) is list:
                checker = ShapeChecker(step=record.name, typer=self, refs=refs, memo=self._memo)
                for index, entity in enumerate(value):
                    problems += checker.run(entity, kind.request, f"Arguments.{key}[{index}]")
            elif walk:
                self._walk_references(value, f"Arguments.{key}", record)
        return problems

    def _check_lineage(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """What a Lineage step's request shapes don't say, naming step and field.

        The Arguments hold ``Actions``, ``Artifacts``, ``Contexts`` (lists of Create*
        requests, checked against botocore's shapes) and ``Associations``; a step creates or
        associates something; names are unique per kind in the step; each end of an
        association is an ``Arn`` (AddAssociation's ``AssociationEntityArn``), or a ``Name``
        and ``Type`` naming an entity of the step (the service looks it up among the step's
        own only); ``AssociationType`` is one of AddAssociation's.
        """
        problems = self._shape_problems
        if problems is None:
            problems = self._walk_lineage(record, arguments, walk=False)
        self.problems.extend(problems)
        for key in arguments:
            if key not in LINEAGE_MEMBERS:
                self.add(
                    record.name,
                    f"Arguments.{key}",
                    "unknown member",
                    did_you_mean(str(key), LINEAGE_MEMBERS)
                    or f"a Lineage step's Arguments are {one_of(LINEAGE_MEMBERS)}",
                )
        # Per entity type: the literal names, and the names known only at run time.
        names: dict[str, list[str]] = {}
        open_names: dict[str, list[Any]] = {}
        created = 0
        for entity_type, kind in LINEAGE_KINDS.items():
            names[entity_type], open_names[entity_type] = [], []
            entities = arguments.get(kind.member)
            if entities is None:
                continue
            where = f"Arguments.{kind.member}"
            if type(entities) is not list:
                if is_expression(entities) or is_token(entities):
                    created += 1  # a list known only at run time: not judged
                else:
                    self.add(record.name, where, f"expected a list of {kind.request} objects")
                continue
            created += len(entities)
            seen: dict[str, int] = {}
            for index, entity in enumerate(entities):
                name = entity.get(kind.name_member) if _is_object(entity) else None
                if name is None:
                    continue  # an unnamed artifact, or a missing name the shape check reports
                if type(name) is not str or is_token(name):
                    open_names[entity_type].append(name)
                elif name in seen:
                    self.add(
                        record.name,
                        f"{where}[{index}].{kind.name_member}",
                        f"{kind.noun} name '{name}' is already used by {where}[{seen[name]}]",
                        f"each {kind.noun} of a step needs a name of its own; {kind.noun} "
                        "names are also unique in the account and region",
                    )
                else:
                    seen[name] = index
            names[entity_type] = list(seen)
        associations = arguments.get("Associations")
        if associations is not None and type(associations) is not list:
            if is_expression(associations) or is_token(associations):
                created += 1  # a list known only at run time: not judged
            else:
                self.add(
                    record.name,
                    "Arguments.Associations",
                    "expected a list of {Source, Destination, AssociationType} objects",
                )
            associations = None
        if not created and not associations:
            self.add(
                record.name,
                "Arguments",
                "a Lineage step creates no action, artifact or context and adds no association",
                "give at least one of Actions, Artifacts, Contexts or Associations "
                "(actions=, artifacts=, contexts=, associations= in Python)",
            )
        for index, association in enumerate(associations or ()):
            where = f"Arguments.Associations[{index}]"
            if not _is_object(association) or is_expression(association):
                self.add(record.name, where, "expected {Source, Destination, AssociationType}")
                continue
            for key in association:
                if key not in ASSOCIATION_MEMBERS:
                    self.add(
                        record.name,
                        f"{where}.{key}",
                        "unknown member",
                        did_you_mean(str(key), ASSOCIATION_MEMBERS),
                    )
            for end in ("Source", "Destination"):
                if end not in association:
                    self.add(record.name, f"{where}.{end}", f"missing required member '{end}'")
                else:
                    self._check_lineage_end(
                        record, association[end], f"{where}.{end}", names, open_names
                    )
            if "AssociationType" in association:
                checker = ShapeChecker(step=record.name, typer=self)
                self.problems += checker.run(
                    association["AssociationType"],
                    "AssociationEdgeType",
                    f"{where}.AssociationType",
                )

    def _check_lineage_end(
        self,
        record: StepRecord,
        end: Any,
        where: str,
        names: Mapping[str, list[str]],
        open_names: Mapping[str, list[Any]],
    ) -> None:
        """One end of an association: an ``Arn``, or an entity of the step by name and type."""
        shapes_hint = 'give {"Name": …, "Type": …} (an entity of this step) or {"Arn": …}'
        if not _is_object(end) or is_expression(end):
            self.add(record.name, where, "expected an entity reference", shapes_hint)
            return
        for key in end:
            if key not in REFERENCE_MEMBERS:
                self.add(
                    record.name,
                    f"{where}.{key}",
                    "unknown member",
                    did_you_mean(str(key), REFERENCE_MEMBERS) or shapes_hint,
                )
        if "Arn" in end:
            if "Name" in end or "Type" in end:
                self.add(
                    record.name,
                    where,
                    "an entity is named by Arn (any entity) or by Name and Type (an entity of "
                    "this step), not both",
                    "keep Arn for an entity created elsewhere, Name and Type for one of this step",
                )
                return
            checker = ShapeChecker(step=record.name, typer=self)
            self.problems += checker.run(end["Arn"], "AssociationEntityArn", f"{where}.Arn")
            return
        if "Name" not in end or "Type" not in end:
            missing = "Type" if "Name" in end else "Name"
            self.add(
                record.name,
                f"{where}.{missing}",
                f"missing required member '{missing}'",
                shapes_hint,
            )
            return
        entity_type, name = end["Type"], end["Name"]
        if entity_type not in ENTITY_TYPES:
            self.add(
                record.name,
                f"{where}.Type",
                f"expected one of {one_of(ENTITY_TYPES)}, got {entity_type!r}",
                did_you_mean(str(entity_type), ENTITY_TYPES)
                or "the types of entity a Lineage step creates; an entity of another type is "
                'named by its ARN ({"Arn": …})',
            )
            return
        own, run_time = names[entity_type], open_names[entity_type]
        if type(name) is str and not is_token(name):
            if name in own or run_time:
                return  # a name known only at run time may be this one
        elif is_expression(name) or is_token(name):
            if own or run_time:
                return  # known only at run time: it may be any of the step's
        else:
            self.add(
                record.name,
                f"{where}.Name",
                f"expected a name (a string or an expression), got {type(name).__name__}",
            )
            return
        shown = f"'{name}'" if type(name) is str else json.dumps(name)
        self.add(
            record.name,
            f"{where}.Name",
            f"names {entity_type} {shown}, which this step does not create: the service looks "
            "a name and type up among the step's own entities",
            sibling_hint(str(name), entity_type, names),
        )

    def _check_joined_model_name(
        self, record: StepRecord, model_name: Mapping[str, Any], where: str = "Arguments.ModelName"
    ) -> None:
        """A ``Std:Join`` as ``ModelName`` can't put a character a model name can't hold.

        Model names are letters, digits and hyphens (the ``ModelName`` pattern); a separator
        or literal part with another character (``top_model_s3_uri(k)``'s ``/``, ``s3://``)
        makes a value no model has: CreateTransformJob fails when the execution runs.
        """
        body: Any = model_name.get("Std:Join")
        if not _is_object(body):
            return  # a wrong shape the shape check reports
        separator: Any = body.get("On", "")
        values: Any = body.get("Values")
        if type(separator) is not str or not isinstance(values, list):
            return
        literals = [value for value in values if type(value) is str and not is_token(value)]
        if len(values) > 1 and not is_token(separator):
            literals.append(separator)
        bad = sorted({char for text in literals for char in text} - _MODEL_NAME_CHARS)
        if not bad:
            return
        uri = any("s3:" in literal or literal.endswith(".tar.gz") for literal in literals)
        self.add(
            record.name,
            where,
            f"this Std:Join can't be a model name: it puts {', '.join(map(repr, bad))} into "
            "it, and a model name holds only letters, digits and hyphens",
            (
                "it builds an S3 URI (a model artifact, such as top_model_s3_uri(k)): "
                "create the model with a Model step, model = ModelStep(…, model_data=<that "
                "URI>), and pass model_name=model.properties.ModelName"
                if uri
                else "pass the ModelName of a Model step (model.properties.ModelName) or the "
                "name of an existing model"
            ),
        )

    def _check_transform_payload(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """``MaxPayloadInMB`` ≤ 100, and ≤ 100 times ``MaxConcurrentTransforms`` too.

        Both limits are documented for CreateTransformJob but absent from its shape.
        """
        payload: Any = arguments.get("MaxPayloadInMB")
        if type(payload) is not int:
            return  # absent, a parameter, or a wrong type the shape check reports
        limit = _MAX_TRANSFORM_PAYLOAD_MB
        if payload > limit:
            self.add(
                record.name,
                "Arguments.MaxPayloadInMB",
                f"{payload} MB is more than the limit of {limit} MB",
                "split the input into smaller records (SplitType) or use 0 for chunked "
                "encoding, if the container supports it",
            )
            return
        concurrent: Any = arguments.get("MaxConcurrentTransforms")
        # A payload of 0 is chunked encoding: no size to multiply.
        if payload > 0 and type(concurrent) is int and concurrent * payload > limit:
            self.add(
                record.name,
                "Arguments.MaxConcurrentTransforms",
                f"{concurrent} concurrent transforms of up to {payload} MB make "
                f"{concurrent * payload} MB, more than the limit of {limit} MB "
                "(MaxConcurrentTransforms × MaxPayloadInMB)",
                f"lower one of them, e.g. MaxConcurrentTransforms {max(1, limit // payload)} "
                f"for {payload} MB payloads",
            )

    def _check_transform_data_processing(
        self, record: StepRecord, arguments: Mapping[str, Any]
    ) -> None:
        """``InputFilter``/``OutputFilter`` in batch transform's JSONPath subset; a CSV join.

        CreateTransformJob takes any string of up to 63 characters: a path outside the
        subset fails the job when the execution runs.
        """
        processing: Any = arguments.get("DataProcessing")
        if not _is_object(processing):
            return
        transform_input: Any = arguments.get("TransformInput")
        transform_output: Any = arguments.get("TransformOutput")
        given_input = transform_input if _is_object(transform_input) else {}
        given_output = transform_output if _is_object(transform_output) else {}
        content_type: Any = given_input.get("ContentType")
        accept: Any = given_output.get("Accept")
        # The input filter reads input records; the output filter the joined record (the
        # input's format) or, unjoined, the response (Accept's, the request's without it).
        joined = processing.get("JoinSource") == "Input"
        output_type = content_type if joined or accept is None else accept
        for key, records_type in (("InputFilter", content_type), ("OutputFilter", output_type)):
            path: Any = processing.get(key)
            if not isinstance(path, str):
                continue  # absent, or a wrong type the shape check reports
            problem = data_processing_path_problem(path, csv=_is_csv_type(records_type))
            if problem is not None:
                self.add(
                    record.name,
                    f"Arguments.DataProcessing.{key}",
                    problem,
                    "see 'Supported JSONPath Operators' in the SageMaker guide "
                    "(batch-transform-data-processing)",
                )
        if not joined or not _is_csv_type(content_type):
            return
        # Only what the guide says outright ("Associate Prediction Results with Input
        # Records"): "If you set input and output formats to text/csv, you must also set
        # the SplitType and AssembleWith parameters to line." A whole-file record (None)
        # has no row to append the prediction's columns to.
        for where, settings, key, prop in (
            ("TransformInput", given_input, "SplitType", "split_type"),
            ("TransformOutput", given_output, "AssembleWith", "assemble_with"),
        ):
            value: Any = settings.get(key)
            if value is None or (isinstance(value, str) and value != "Line"):
                self.add(
                    record.name,
                    f"Arguments.{where}.{key}",
                    f"JoinSource Input joins each CSV row with its prediction, but {key} is "
                    f"{value or 'None'}: with text/csv input, SageMaker requires SplitType "
                    "and AssembleWith Line",
                    f'set {prop}="Line"',
                )

    def _check_transform_output_outside_input(
        self, record: StepRecord, arguments: Mapping[str, Any]
    ) -> None:
        """``S3OutputPath`` not the ``S3Prefix`` input, nor under it.

        An ``S3Prefix`` input is every object whose key begins with it: the predictions
        (``<file>.out``) written there are read as input by the next run, a nightly
        schedule's or a re-run's, and scored again. SageMaker doesn't refuse it.
        """
        transform_input: Any = arguments.get("TransformInput")
        transform_output: Any = arguments.get("TransformOutput")
        if not (_is_object(transform_input) and _is_object(transform_output)):
            return
        source: Any = transform_input.get("DataSource")
        s3: Any = source.get("S3DataSource") if _is_object(source) else None
        if not _is_object(s3) or s3.get("S3DataType", "S3Prefix") != "S3Prefix":
            return  # a manifest names its objects: an output beside them isn't read
        input_text = _location_text(s3.get("S3Uri"))
        output_text = _location_text(transform_output.get("S3OutputPath"))
        if not input_text or output_text is None:
            return
        # The job writes <S3OutputPath>/<file>.out. The input prefix is text, not a folder,
        # so s3://b/batch also reads s3://b/batch-out/; but SDK-written definitions name
        # their outputs so (tests/definition/sdk_generated): only the prefix itself and
        # what is under it as a folder are reported.
        inside = input_text.rstrip("/")
        if output_text.rstrip("/") == inside:
            relation = "is the input prefix"
        elif output_text.startswith(inside + "/"):
            relation = "is under the input prefix"
        else:
            return
        self.add(
            record.name,
            "Arguments.TransformOutput.S3OutputPath",
            f"the output location {relation} (TransformInput's S3Uri, an S3Prefix: every "
            "object whose key begins with it): the next run, a schedule's or a re-run's, "
            "reads this run's predictions (<file>.out) as input and scores them again",
            "write the predictions under a prefix of their own beside the input, such as "
            "s3://<bucket>/scoring/predictions/ for s3://<bucket>/scoring/incoming/",
        )

    def _check_spot_wait(self, record: StepRecord, job: Mapping[str, Any], where: str) -> None:
        """``MaxWaitTimeInSeconds`` only with managed spot training, and ≥ ``MaxRuntimeInSeconds``.

        CreateTrainingJob rejects a wait time without ``EnableManagedSpotTraining`` ("Invalid
        MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to
        true"), and the API documents that the wait must be at least the run time. Both
        fail the step when the execution runs, not at CreatePipeline.
        """
        stopping: Any = job.get("StoppingCondition")
        if not _is_object(stopping) or stopping.get("MaxWaitTimeInSeconds") is None:
            return
        wait, spot = stopping["MaxWaitTimeInSeconds"], job.get("EnableManagedSpotTraining")
        field_path = f"{where}.StoppingCondition.MaxWaitTimeInSeconds"
        # The Python names: a TrainingStep's or TuningStep's, or a TrainingJobDefinition's.
        owner = (
            "a TrainingStep"
            if where == "Arguments"
            else "the TuningStep"
            if where == "Arguments.TrainingJobDefinition"
            else "the TrainingJobDefinition"
        )
        if spot is None or spot is False:
            self.add(
                record.name,
                field_path,
                "MaxWaitTimeInSeconds is only supported with managed spot training "
                "(EnableManagedSpotTraining true)",
                "remove the wait time, or turn on spot training (use_spot_instances=True on "
                f"{owner} in Python)",
            )
            return
        run = stopping.get("MaxRuntimeInSeconds")
        # A parameter is judged by its default, the value an execution that sets nothing runs.
        wait_value, wait_shown = self._default_of(wait)
        run_value, run_shown = self._default_of(run)
        if type(wait_value) is int and type(run_value) is int and wait_value < run_value:
            run = run_value
            self.add(
                record.name,
                field_path,
                f"MaxWaitTimeInSeconds {wait_shown} is less than MaxRuntimeInSeconds {run_shown}",
                f"the wait for spot capacity includes the run: make it at least {run} seconds"
                " (max_wait_in_seconds >= max_runtime_in_seconds in Python)",
            )

    def _default_of(self, value: Any) -> tuple[Any, str]:
        """A literal, or a parameter's default: (value, how a message shows it)."""
        if not is_expression(value):
            return value, str(value)
        reference = value.get("Get")
        entry = (
            self.parameters.get(reference[len("Parameters.") :])
            if isinstance(reference, str) and reference.startswith("Parameters.")
            else None
        )
        if entry is None or entry.get("DefaultValue") is None:
            return None, ""
        default = entry["DefaultValue"]
        return default, f"{default} ('{reference}' by default)"

    def _check_tuning_limits(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """At most 30 tuned hyperparameters, and 100 in all with the static ones.

        Each range list holds at most 30 (botocore checks that), and so does their sum: the
        API's ParameterRanges says so but its shape can't. The developer guide allows 100
        hyperparameters in total, static plus tunable. CreateHyperParameterTuningJob checks
        both only when the execution runs.
        """
        for ranges, ranges_field, job, job_field in _tuning_ranges(arguments):
            self._check_tuning_limits_of(record, ranges, ranges_field, job, job_field)

    def _check_tuning_limits_of(
        self,
        record: StepRecord,
        ranges: Mapping[str, Any],
        field: str,
        job: Any,
        job_field: str,
    ) -> None:
        """The limits of ``_check_tuning_limits`` for one definition's ranges and job."""
        counts: dict[str, int] = {}
        names: set[str] = set()
        for kind in RANGE_KINDS:
            items = ranges.get(f"{kind}ParameterRanges")
            if items is None:
                continue
            if type(items) is not list:
                return  # a token or a wrong shape, reported by the shape check
            counts[kind] = len(items)
            names.update(
                item["Name"] for item in items if _is_object(item) and type(item.get("Name")) is str
            )
        tuned = sum(counts.values())
        limit = _MAX_TUNED_HYPERPARAMETERS
        if tuned > limit and all(count <= limit for count in counts.values()):
            # A list over the limit on its own is reported by the shape check.
            parts = ", ".join(f"{count} {kind.lower()}" for kind, count in counts.items() if count)
            self.add(
                record.name,
                field,
                f"tunes {tuned} hyperparameters ({parts}), more than the limit of {limit} "
                "for a tuning job",
                f"the limit is on all ranges together: tune at most {limit} and pass the "
                "others as static hyperparameters",
            )
        static: Any = job.get("StaticHyperParameters") if _is_object(job) else None
        if not _is_object(static) or tuned > limit:
            return
        total = len(names | set(static))  # a name both static and tuned counted once
        if total > _MAX_HYPERPARAMETERS:
            self.add(
                record.name,
                f"{job_field}.StaticHyperParameters",
                f"{total} hyperparameters in all ({len(static)} static and {tuned} tuned), "
                f"more than the limit of {_MAX_HYPERPARAMETERS} for a tuning job",
                "pass fewer static hyperparameters (script mode adds sagemaker_program and "
                "sagemaker_submit_directory to them)",
            )

    def _check_tuning_strategy(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """Hyperband without early stopping, StrategyConfig for Hyperband, Grid on categories.

        The rules are in ``_tuning_rules``, which the local runner applies at run time too.
        Only a literal strategy (and early stopping type) can be judged: a parameter's value
        is known when the execution runs.
        """
        config: Any = arguments.get("HyperParameterTuningJobConfig")
        if not _is_object(config):
            return
        where = "Arguments.HyperParameterTuningJobConfig"
        early_stopping = hyperband_early_stopping(config)
        if early_stopping is not None:
            self.add(
                record.name,
                f"{where}.TrainingJobEarlyStoppingType",
                f"the Hyperband strategy needs early stopping Off, got {early_stopping!r}",
                "Hyperband stops training jobs early itself: set it to 'Off' "
                "(early_stopping_type='Off' in Python)",
            )
        strategy = strategy_config_without_hyperband(config)
        if strategy is not None:
            self.add(
                record.name,
                f"{where}.StrategyConfig",
                f"StrategyConfig configures Hyperband, but the strategy is {strategy!r}",
                "remove StrategyConfig or use the Hyperband strategy",
            )
        resources = hyperband_resources_out_of_order(config)
        if resources is not None:
            self.add(
                record.name,
                f"{where}.StrategyConfig.HyperbandStrategyConfig.MinResource",
                f"MinResource {resources[0]} is more than MaxResource {resources[1]}",
                "give a MinResource at most MaxResource (the epochs a trial may run)",
            )
        views = definition_views(arguments)
        for view in views:
            for grid_range in grid_non_categorical_ranges(view.config):
                self.add(
                    record.name,
                    f"Arguments.{view.ranges_field}.{grid_range.kind}ParameterRanges"
                    f"[{grid_range.index}]",
                    f"the Grid strategy searches categorical ranges only, and {grid_range.subject}",
                    "list the values to try (CategoricalParameter(values=[…]) in Python, "
                    "CategoricalParameterRanges in JSON), or use the Random or Bayesian strategy",
                )
        grid_jobs = grid_job_count_mismatch(config, views)
        if grid_jobs is not None:
            self.add(
                record.name,
                f"{where}.ResourceLimits.MaxNumberOfTrainingJobs",
                f"the Grid strategy runs every combination of the categorical values, "
                f"{grid_jobs[1]} here, and MaxNumberOfTrainingJobs must equal that number, "
                f"got {grid_jobs[0]}",
                "leave it unset (max_jobs=None in Python): the grid decides the number of "
                "training jobs",
            )
        self._check_grid_job_count_parameter(record, config, views, where)
        if literal_strategy(config) == HYPERBAND and hyperband_max_resource_missing(arguments):
            self.add(
                record.name,
                f"{where}.StrategyConfig.HyperbandStrategyConfig.MaxResource",
                "the Hyperband strategy needs a MaxResource, and none can be inferred: no static "
                "hyperparameter is named " + ", ".join(sorted(HYPERBAND_EPOCH_HYPERPARAMETERS)),
                "give it (strategy_config=HyperbandStrategyConfig(max_resource=…) in Python), or "
                "pass the number of epochs as a static hyperparameter 'epochs'",
            )

    def _check_grid_job_count_parameter(
        self,
        record: StepRecord,
        config: Mapping[str, Any],
        views: Sequence[DefinitionView],
        where: str,
    ) -> None:
        """A Grid job's ``MaxNumberOfTrainingJobs`` given as a parameter may be the grid size.

        The rule is ``grid_job_count_mismatch``'s; a parameter's default and enum values are
        known now (an execution that keeps the default fails), other values only at run time,
        when the local runner checks them.
        """
        limits: Any = config.get("ResourceLimits")
        given: Any = limits.get("MaxNumberOfTrainingJobs") if _is_object(limits) else None
        if not is_expression(given):
            return
        size = grid_total(views)
        if size is None:
            return
        for candidate in self.candidate_values(given):
            if type(candidate) is not int or candidate == size:
                continue
            self.add(
                record.name,
                f"{where}.ResourceLimits.MaxNumberOfTrainingJobs",
                f"'{given['Get']}' may be {candidate}: the Grid strategy runs every combination "
                f"of the categorical values, {size} here, and MaxNumberOfTrainingJobs must equal "
                "that number",
                "leave it unset (max_jobs=None in Python): the grid decides the number of "
                f"training jobs; a parameter given for it may only be {size}",
            )

    def _check_warm_start_parents(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A warm start's parents of this pipeline tune like the child.

        The rules (same objective metric, same number of static plus tuned hyperparameters,
        no range changing type) are ``warm_start_mismatches``, which the local runner applies
        to parents whose values are known only at run time. Only parents that are tuning
        steps of this definition, and literal values, can be compared.
        """
        config: Any = arguments.get("HyperParameterTuningJobConfig")
        warm: Any = arguments.get("WarmStartConfig")
        if not _is_object(config) or not _is_object(warm):
            return
        child = TuningShape.of(config, arguments.get("TrainingJobDefinition"))
        for index, parent in enumerate(_as_list(warm.get("ParentHyperParameterTuningJobs"))):
            name: Any = parent.get("HyperParameterTuningJobName") if _is_object(parent) else None
            reference = name.get("Get") if is_expression(name) and "Get" in name else None
            match = re.fullmatch(
                r"Steps\.([A-Za-z0-9\-_]+)\.HyperParameterTuningJobName", str(reference)
            )
            target = self.steps.get(match.group(1)) if match is not None else None
            target_arguments: Any = target.entry.get("Arguments") if target else None
            if target is None or target.kind != "Tuning" or not _is_object(target_arguments):
                continue
            target_config: Any = target_arguments.get("HyperParameterTuningJobConfig")
            if not _is_object(target_config):
                continue
            parent_shape = TuningShape.of(
                target_config, target_arguments.get("TrainingJobDefinition")
            )
            where = f"Arguments.WarmStartConfig.ParentHyperParameterTuningJobs[{index}]"
            for mismatch in warm_start_mismatches(child, parent_shape):
                self.add(
                    record.name,
                    where,
                    f"the warm start parent '{target.name}' doesn't match: "
                    + _warm_start_mismatch(mismatch),
                    "a warm start keeps the objective metric, the number of static plus tuned "
                    "hyperparameters and each one's range type",
                )

    def _check_group_arn(self, step: str, where: str, group: Any) -> None:
        """An ARN given as a model package group is a group's, not another resource's.

        The API's ``ArnOrName`` pattern takes the ARN of any SageMaker resource type
        (``…:model-package/churn/1``, ``…:model/churn``); only a group's names a group.
        A value the pattern refuses is the shape check's to report.
        """
        if type(group) is not str or not group.startswith("arn:"):
            return
        pattern = shape_regex("ArnOrName")
        found = pattern.fullmatch(group) if pattern is not None else None
        if found is None or found[1] is None:
            return
        # The ARN part: arn:<partition>:sagemaker:<region>:<account>:<type>/
        _, partition, _, region, account, kind = found[1][:-1].split(":")
        if kind == "model-package-group":
            return
        self.add(
            step,
            where,
            f"{group!r} is the ARN of a {kind or 'resource of no type'}, not of a "
            "model package group",
            f"give the group's name ({found[2]!r}?) or its ARN, "
            f"arn:{partition}:sagemaker:{region}:{account}:model-package-group/<name>",
        )

    def _check_model_package_kind(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A model package is versioned (in a group) or not (named), never both.

        The API: ModelPackageGroupName "is required for versioned models, and does not
        apply to unversioned models"; ModelPackageName "is required for unversioned
        models. It is not applicable to versioned models." The SageMaker SDK refuses both.
        Neither is not an error: the SDK drops ModelPackageName from an unversioned
        registration (Pipelines names what it creates), leaving neither in the definition.
        """
        group = arguments.get("ModelPackageGroupName")
        name = arguments.get("ModelPackageName")
        self._check_group_arn(record.name, "Arguments.ModelPackageGroupName", group)
        if group is not None and name is not None:
            self.add(
                record.name,
                "Arguments.ModelPackageName",
                "a model package takes ModelPackageGroupName (a version in a group) or "
                "ModelPackageName (an unversioned package), not both",
                "remove ModelPackageName: versions in a group are named by the group",
            )
        tags = arguments.get("Tags")
        if group is not None and tags is not None and tags != []:
            # CreateModelPackage: with ModelPackageGroupName the version "uses the tags
            # associated with the model group. In this case, you cannot supply a tag
            # argument"; the service refuses them ("Tags are not supported in Model Package
            # versions. Please add them to the Model Package Group", aws/aws-cdk#33699).
            self.add(
                record.name,
                "Arguments.Tags",
                "a model version in a group takes no Tags: it has the group's, and "
                'CreateModelPackage refuses them ("Tags are not supported in Model Package '
                'versions")',
                "tag the model package group instead (Tags.of(registry).add(key, value) for a "
                "ModelRegistry); a version's own key-value pairs go in CustomerMetadataProperties "
                "(RegisterModel(customer_metadata=…))",
            )

    def _check_tuning_objective(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A tuning job reads its objective with a MetricDefinitions regex, unless built in.

        Built-in algorithms emit their own metrics and take no MetricDefinitions; a job that
        defines metrics (a custom image) or runs a script (``sagemaker_program``) has no
        other: CreateHyperParameterTuningJob rejects an objective it can't read, at run time.
        A script in the XGBoost image is the exception: SageMaker reads that image's own
        metrics in script mode too (and refuses MetricDefinitions for it), so a script job
        is only checked when its image is readable and not XGBoost's.

        The objective checked is the one the job ranks by (``_check_objectives_present``):
        for one definition the config's, else the definition's own ``TuningObjective``; for
        each of several its own, else the config's.
        """
        config: Any = arguments.get("HyperParameterTuningJobConfig")
        shared: Any = config.get("HyperParameterTuningJobObjective") if _is_object(config) else None
        shared_field = (
            "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName"
        )
        job: Any = arguments.get("TrainingJobDefinition")
        if _is_object(job):
            readable = config if _is_object(config) else {}
            objective, field = single_definition_member(readable, job, "objective")
            self._check_objective_regex(record, objective, job, f"Arguments.{field}.MetricName")
        # Several algorithms (the SDK's HyperparameterTuner.create): one objective each.
        for index, item in enumerate(_as_list(arguments.get("TrainingJobDefinitions"))):
            if not _is_object(item):
                continue
            own: Any = item.get("TuningObjective")
            if own is None:
                self._check_objective_regex(record, shared, item, shared_field)
            else:
                field = f"Arguments.TrainingJobDefinitions[{index}].TuningObjective.MetricName"
                self._check_objective_regex(record, own, item, field)

    def _check_training_job_form(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """A tuning job runs ``TrainingJobDefinition`` or ``TrainingJobDefinitions``: one of them.

        Both are optional in CreateHyperParameterTuningJob's shape, but a tuning job runs
        training jobs of one definition or of several, never of neither; and with both, which
        the service would run (and which DescribeHyperParameterTuningJob returns) is
        undocumented. The SDK writes one or the other. A member given as null is absent, as
        the shape check and the local runner take it.
        """
        single = arguments.get("TrainingJobDefinition") is not None
        several = arguments.get("TrainingJobDefinitions") is not None
        if single and several:
            self.add(
                record.name,
                "Arguments.TrainingJobDefinitions",
                "a tuning job takes TrainingJobDefinition (one algorithm) or "
                "TrainingJobDefinitions (several), not both",
                "keep one: move the single definition into TrainingJobDefinitions (with a "
                "DefinitionName, a TuningObjective and HyperParameterRanges), or remove "
                "TrainingJobDefinitions",
            )
        elif not single and not several:
            self.add(
                record.name,
                "Arguments.TrainingJobDefinition",
                "a tuning job needs the training jobs it runs: TrainingJobDefinition (one "
                "algorithm) or TrainingJobDefinitions (several), and it has neither",
                "add TrainingJobDefinition (TuningStep(image=…, …) in Python writes it) or "
                "TrainingJobDefinitions (TuningStep(training_job_definitions=[…]))",
            )

    def _check_single_definition_twice(
        self, record: StepRecord, arguments: Mapping[str, Any]
    ) -> None:
        """One definition's objective and ranges are written once, or the same in both places.

        CreateHyperParameterTuningJob's shape has a tuning job of one ``TrainingJobDefinition``
        carry them in the config (``HyperParameterTuningJobObjective``, ``ParameterRanges``,
        where the SageMaker SDK writes them) and in the definition (``TuningObjective``,
        ``HyperParameterRanges``, which several definitions use). Which one the service
        ranks and searches by when both are given and differ is undocumented; the validator
        and the local runner would read the config's.
        """
        config: Any = arguments.get("HyperParameterTuningJobConfig")
        job: Any = arguments.get("TrainingJobDefinition")
        if not _is_object(config) or not _is_object(job):
            return
        for what, (in_config, own) in SINGLE_DEFINITION_MEMBERS.items():
            shared, given = config.get(in_config), job.get(own)
            if shared is None or given is None or shared == given:
                continue
            self.add(
                record.name,
                f"Arguments.TrainingJobDefinition.{own}",
                f"the tuning job's {what} is written twice, differently: in "
                f"HyperParameterTuningJobConfig.{in_config} and in TrainingJobDefinition.{own}; "
                "which one a tuning job of one definition uses is undocumented",
                f"keep one: HyperParameterTuningJobConfig.{in_config} (where the SageMaker SDK "
                "and TuningStep in Python write it)",
            )

    def _check_objectives_present(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """Each training job definition of a tuning job has an objective; several share its type.

        Both objectives are optional in CreateHyperParameterTuningJob's shape, but a tuning
        job ranks its training jobs by one: a definition's ``TuningObjective``, or else the
        config's ``HyperParameterTuningJobObjective`` (where the SDK writes it for one
        algorithm). Several definitions' jobs are ranked together, best first, so their
        objective types must agree: the SDK's ``HyperparameterTuner.create`` takes one
        ``objective_type`` for all of them.
        """
        config: Any = arguments.get("HyperParameterTuningJobConfig")
        shared: Any = config.get("HyperParameterTuningJobObjective") if _is_object(config) else None
        # A config of the wrong shape (the shape check reports it) may hold an objective.
        unreadable = config is not None and not _is_object(config)
        hint = (
            "add an objective such as {'Type': 'Maximize', 'MetricName': 'validation:auc'}; "
            "TuningStep(objective_metric_name=…) or TrainingJobDefinition(objective_metric_name=…)"
            " writes it in Python"
        )
        single: Any = arguments.get("TrainingJobDefinition")
        if (
            _is_object(single)
            # both: _check_training_job_form
            and arguments.get("TrainingJobDefinitions") is None
            and shared is None
            and not unreadable
            and single.get("TuningObjective") is None
        ):
            self.add(
                record.name,
                "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective",
                "a tuning job ranks its training jobs by an objective metric, and this one "
                "has none (here or in TrainingJobDefinition.TuningObjective)",
                hint,
            )
        # Each objective type: the first definition ranking by it, and how to name its objective.
        first_of_type: dict[str, str] = {}
        for index, item in enumerate(_as_list(arguments.get("TrainingJobDefinitions"))):
            if not _is_object(item):
                continue
            objective: Any = item.get("TuningObjective")
            named, taken = f"TrainingJobDefinitions[{index}]", ""
            if objective is None:
                objective = shared
                taken = (
                    f" (the config's HyperParameterTuningJobObjective, which {named} takes "
                    "for want of a TuningObjective)"
                )
            field = f"Arguments.TrainingJobDefinitions[{index}].TuningObjective"
            if objective is None and not unreadable:
                self.add(
                    record.name,
                    field,
                    f"a tuning job ranks its training jobs by an objective metric, and "
                    f"TrainingJobDefinitions[{index}] has none (nor has "
                    "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective)",
                    hint,
                )
                continue
            given: Any = objective.get("Type") if _is_object(objective) else None
            # A parameter is judged by its default, the type an execution that sets nothing
            # ranks by.
            kind, shown = self._default_of(given)
            if type(kind) is not str or is_token(kind):
                continue
            if first_of_type and kind not in first_of_type:
                other, at = next(iter(first_of_type.items()))
                spelled = shown if is_expression(given) else repr(kind)
                self.add(
                    record.name,
                    f"{field}.Type",
                    f"the objective type {spelled}{taken} differs from {other!r} of {at}: the "
                    "tuning job ranks the training jobs of all its definitions together, by "
                    "one type",
                    "give every definition the same Type (TuningStep(objective_type=…) in "
                    "Python writes one for all)",
                )
            first_of_type.setdefault(kind, f"{named}{taken}")

    def _check_definition_names(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """Each of a tuning job's ``TrainingJobDefinitions`` has a name of its own.

        A training job's summary (``TrainingJobSummaries[k]``, ``BestTrainingJob``) names
        the definition it ran by its ``TrainingJobDefinitionName``; the SDK names them by
        the keys of ``estimator_dict``, which are unique.
        """
        seen: dict[str, int] = {}
        for index, item in enumerate(_as_list(arguments.get("TrainingJobDefinitions"))):
            name: Any = item.get("DefinitionName") if _is_object(item) else None
            if type(name) is not str or is_token(name):
                continue
            if name in seen:
                self.add(
                    record.name,
                    f"Arguments.TrainingJobDefinitions[{index}].DefinitionName",
                    f"the definition name '{name}' is also that of "
                    f"TrainingJobDefinitions[{seen[name]}]",
                    "give each training job definition a name of its own: a training job's "
                    "TrainingJobDefinitionName tells which one it ran",
                )
            else:
                seen[name] = index

    def _check_one_algorithm_settings(
        self, record: StepRecord, arguments: Mapping[str, Any]
    ) -> None:
        """No warm start or early stopping for a tuning job of several algorithms.

        The developer guide (Tune Multiple Algorithms with Hyperparameter Optimization):
        "Warm starting and early stopping are available only when tuning a single
        algorithm". The SageMaker SDK writes both; CreateHyperParameterTuningJob refuses
        them when the execution runs. Only a literal early stopping type is judged.
        """
        definitions = arguments.get("TrainingJobDefinitions")
        if type(definitions) is not list:
            return
        several = f"{len(definitions)} training job definitions (TrainingJobDefinitions)"
        alone = (
            "or tune each algorithm in a tuning step of its own (a TuningStep without "
            "training_job_definitions in Python)"
        )
        if arguments.get("WarmStartConfig") is not None:
            self.add(
                record.name,
                "Arguments.WarmStartConfig",
                f"a warm start is available only to a tuning job of one algorithm, and this "
                f"one tunes {several}",
                f"remove the warm start (warm_start= in Python), {alone}",
            )
        config: Any = arguments.get("HyperParameterTuningJobConfig")
        early_stopping = config.get("TrainingJobEarlyStoppingType") if _is_object(config) else None
        # With Hyperband, _check_tuning_strategy reports the same field with the same fix.
        hyperband_reports = _is_object(config) and hyperband_early_stopping(config) is not None
        if (
            type(early_stopping) is str
            and not is_token(early_stopping)
            and early_stopping != "Off"
            and not hyperband_reports
        ):
            self.add(
                record.name,
                "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
                f"early stopping ({early_stopping!r}) is available only to a tuning job of one "
                f"algorithm, and this one tunes {several}",
                f"set it to 'Off' (early_stopping_type='Off' in Python), {alone}",
            )

    def _check_objective_regex(
        self, record: StepRecord, objective: Any, job: Mapping[str, Any], field: str
    ) -> None:
        """One training job definition can read its objective (``_check_tuning_objective``)."""
        metric = objective.get("MetricName") if _is_object(objective) else None
        if type(metric) is not str or is_token(metric):
            return
        algorithm: Any = job.get("AlgorithmSpecification")
        definitions: Any = algorithm.get("MetricDefinitions") if _is_object(algorithm) else None
        if definitions is not None and not (
            isinstance(definitions, list) and all(_is_object(item) for item in definitions)
        ):
            return  # a deploy-time list, or a wrong shape the shape check reports
        names = [item.get("Name") for item in _as_list(definitions)]
        if not all(type(name) is str and not is_token(name) for name in names):
            return  # a name we can't read
        static: Any = job.get("StaticHyperParameters")
        script_mode = _is_object(static) and "sagemaker_program" in static
        if metric in names or not (names or script_mode):
            return
        image = algorithm.get("TrainingImage") if _is_object(algorithm) else None
        if not names and not _image_without_built_in_metrics(image):
            return
        definition = job.get("DefinitionName")
        of = f" of definition '{definition}'" if type(definition) is str else ""
        self.add(
            record.name,
            field,
            f"the objective metric '{metric}'{of} has no MetricDefinitions regex, so the tuning "
            "job can't read it from the training log",
            did_you_mean(metric, names)
            or f"give it a regex that reads its value from the log "
            f"(metric_definitions={{'{metric}': r'...'}} in Python); "
            f"defined: {one_of(names) or 'none'}",
        )

    def _check_tuning_ranges(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """Literal range bounds are numbers, in order, and fit their scaling type.

        CreateHyperParameterTuningJob checks these only when the execution runs.
        """
        for ranges, ranges_field, _, _ in _tuning_ranges(arguments):
            for kind in ("IntegerParameterRanges", "ContinuousParameterRanges"):
                for index, item in enumerate(_as_list(ranges.get(kind))):
                    if _is_object(item):
                        where = f"{ranges_field}.{kind}[{index}]"
                        self._check_range(record, item, where, integer=kind.startswith("Integer"))

    def _check_range(
        self, record: StepRecord, item: Mapping[str, Any], where: str, *, integer: bool
    ) -> None:
        low, high = item.get("MinValue"), item.get("MaxValue")
        for problem in range_problems(item, integer=integer):
            value = item.get(problem.member)
            message, hint = {
                "integer scaling": (
                    "integer ranges can't use ReverseLogarithmic scaling",
                    "use Auto, Linear or Logarithmic scaling, or a continuous range",
                ),
                "not a number": (f"expected a number, got {value!r}", None),
                "not whole": (
                    f"an integer range needs whole numbers, got {value!r}",
                    "use a continuous range for fractional values",
                ),
                "out of order": (f"MinValue {low} is greater than MaxValue {high}", "swap them"),
                "logarithmic": (
                    f"Logarithmic scaling needs a range above 0, got MinValue {low}",
                    "raise MinValue above 0 or use Linear scaling",
                ),
                "reverse": (
                    "ReverseLogarithmic scaling needs a range within 0 <= x < 1, got "
                    f"{low} to {high}",
                    "use Linear or Logarithmic scaling",
                ),
            }[problem.rule]
            self.add(record.name, f"{where}.{problem.member}", message, hint)
        for member in ("MinValue", "MaxValue"):
            self._check_range_bound_type(record, item.get(member), f"{where}.{member}", integer)
        self._check_range_defaults(record, item, where, integer=integer)

    def _check_range_defaults(
        self, record: StepRecord, item: Mapping[str, Any], where: str, *, integer: bool
    ) -> None:
        """A range bounded by a parameter is judged by its default, as a spot wait is.

        An execution that sets nothing runs the defaults, and CreateHyperParameterTuningJob
        refuses bounds out of order only then. Only the order and scaling rules are judged
        here: a bound's type is ``_check_range_bound_type``'s, and literal ranges are
        ``range_problems``' own.
        """
        bounds: dict[str, str] = {}
        shown: dict[str, str] = {}
        from_parameter = False
        for member in ("MinValue", "MaxValue"):
            bound: Any = item.get(member)
            if is_expression(bound):
                # Bounds are strings in the API: a parameter comes in a one-value Std:Join.
                join = bound.get("Std:Join")
                values = join.get("Values") if isinstance(join, Mapping) else None
                inner = values[0] if type(values) is list and len(values) == 1 else bound
                default, text = self._default_of(inner)
                if type(default) not in (int, float) or is_token(default) or not text:
                    return  # no default, a deploy-time one, or one another check judges
                bounds[member], shown[member] = str(default), text
                from_parameter = True
            elif type(bound) is str and not is_token(bound):
                bounds[member] = shown[member] = bound
            else:
                return
        if not from_parameter:
            return
        low, high = shown["MinValue"], shown["MaxValue"]
        fix = "change the parameter's default, or the other bound"
        for problem in range_problems({**item, **bounds}, integer=integer):
            message = {
                "out of order": f"MinValue {low} is greater than MaxValue {high}",
                "logarithmic": f"Logarithmic scaling needs a range above 0, got MinValue {low}",
                "reverse": f"ReverseLogarithmic scaling needs a range within 0 <= x < 1, got "
                f"{low} to {high}",
            }.get(problem.rule)
            if message is not None:
                self.add(record.name, f"{where}.{problem.member}", message, fix)

    def _check_range_bound_type(
        self, record: StepRecord, bound: Any, where: str, integer: bool
    ) -> None:
        """A bound known only at run time still has a type: it must be a (whole) number.

        Bounds are strings in the API, so a typed value arrives wrapped in a one-value
        ``Std:Join``; a String may hold a number and is not judged.
        """
        if not is_expression(bound):
            return
        inner = bound
        join = bound.get("Std:Join")
        if isinstance(join, Mapping):
            values = join.get("Values")
            if type(values) is not list or len(values) != 1 or not is_expression(values[0]):
                return
            inner = values[0]
        kind = self.type_of(inner)
        shown = _operand_text(inner, kind)
        if kind in ("Boolean", "Timestamp"):
            self.add(
                record.name,
                where,
                f"expected a number, got {shown}",
                "bound a range with a number, or a numeric parameter or property",
            )
        elif integer and kind == "Float":
            reference = inner.get("Get")
            parameter = isinstance(reference, str) and reference.startswith("Parameters.")
            self.add(
                record.name,
                where,
                f"an integer range needs whole numbers, got {shown}",
                "declare the parameter as ParameterInteger, or use a continuous range"
                if parameter
                # A metric or an output declared Float: no parameter to redeclare.
                else "bound it with an Integer value (a ParameterInteger, an integer property "
                "or output), or use a continuous range",
            )

    def _check_processing_names(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        """Input and output names, and the folders inputs are copied to, are each used once.

        CreateProcessingJob rejects repeats only when the execution runs (and, for input
        folders, with an empty message), so they are reported here. Two outputs may upload
        the same folder.
        """
        output_config: Any = arguments.get("ProcessingOutputConfig")
        outputs = output_config.get("Outputs") if _is_object(output_config) else None
        for where, entries, name_key, io in (
            (
                "Arguments.ProcessingInputs",
                arguments.get("ProcessingInputs"),
                "InputName",
                "S3Input",
            ),
            ("Arguments.ProcessingOutputConfig.Outputs", outputs, "OutputName", "S3Output"),
        ):
            if type(entries) is not list:
                continue  # absent, or a wrong shape the shape check reports
            is_input = io == "S3Input"
            names: dict[str, int] = {}
            folders: dict[str, int] = {}
            for index, entry in enumerate(entries):
                if not _is_object(entry):
                    continue
                name = entry.get(name_key)
                repeated = False
                if name == "":
                    # The SDK always writes a name, and later steps refer to outputs by it.
                    self.add(
                        record.name,
                        f"{where}[{index}].{name_key}",
                        f"{name_key} is empty",
                        "give each one a name, e.g. 'train'",
                    )
                elif type(name) is str:
                    repeated = name in names
                    if repeated:
                        self.add(
                            record.name,
                            f"{where}[{index}].{name_key}",
                            f"{name_key} '{name}' is already used by {where}[{names[name]}]",
                            "give each one its own name",
                        )
                    else:
                        names[name] = index
                location = entry.get(io)
                local_path = location.get("LocalPath") if _is_object(location) else None
                if type(local_path) is not str or is_token(local_path):
                    continue
                if not is_input:
                    # Two outputs may upload the same folder, and the API documents only
                    # that it is absolute; a relative path fails when the job starts.
                    if not local_path.startswith("/"):
                        self.add(
                            record.name,
                            f"{where}[{index}].{io}.LocalPath",
                            f"{local_path!r} is not an absolute path",
                            "name the container folder the job uploads, "
                            "e.g. '/opt/ml/processing/output'",
                        )
                    continue
                folder = local_path.rstrip("/")
                if folder in folders:
                    if not repeated:  # a repeated name says enough
                        self.add(
                            record.name,
                            f"{where}[{index}].{io}.LocalPath",
                            f"'{local_path}' is already used by {where}[{folders[folder]}]",
                            "give each one its own folder under /opt/ml/processing/",
                        )
                else:
                    folders[folder] = index
                if not local_path.startswith("/opt/ml/processing/"):
                    self.add(
                        record.name,
                        f"{where}[{index}].{io}.LocalPath",
                        f"'{local_path}' is not under /opt/ml/processing/",
                        "processing inputs are copied to folders under /opt/ml/processing/, "
                        "e.g. '/opt/ml/processing/input'",
                    )

    def _check_property_files(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        files = record.entry.get("PropertyFiles")
        if files is None:
            return
        if not isinstance(files, list):
            self.add(record.name, "PropertyFiles", "expected a list")
            return
        output_config: Any = arguments.get("ProcessingOutputConfig")
        outputs = (
            output_config.get("Outputs")
            if (type(output_config) is dict or isinstance(output_config, Mapping))
            else None
        )
        output_names = [
            o.get("OutputName")
            for o in _as_list(outputs)
            if (type(o) is dict or isinstance(o, Mapping))
        ]
        named = [n for n in output_names if isinstance(n, str)]
        seen: set[str] = set()
        for index, item in enumerate(files):
            where = f"PropertyFiles[{index}]"
            if not (type(item) is dict or isinstance(item, Mapping)):
                self.add(record.name, where, "expected {PropertyFileName, OutputName, FilePath}")
                continue
            for key in item:
                if key not in ("PropertyFileName", "OutputName", "FilePath"):
                    self.add(
                        record.name,
                        f"{where}.{key}",
                        "unknown member",
                        did_you_mean(key, ["PropertyFileName", "OutputName", "FilePath"]),
                    )
            name = item.get("PropertyFileName")
            if not isinstance(name, str) or re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", name) is None:
                self.add(
                    record.name,
                    f"{where}.PropertyFileName",
                    f"{name!r} must be 1-64 characters of A-Z, a-z, 0-9, - and _",
                )
            elif name in seen:
                self.add(
                    record.name,
                    f"{where}.PropertyFileName",
                    f"property file '{name}' is declared twice",
                )
            else:
                seen.add(name)
            output = item.get("OutputName")
            if output not in output_names:
                self.add(
                    record.name,
                    f"{where}.OutputName",
                    f"property file '{name}' is written to output '{output}', "
                    "which the step does not have",
                    did_you_mean(str(output), named) or f"outputs: {one_of(named) or 'none'}",
                )
            path = item.get("FilePath")
            if (
                not isinstance(path, str)
                or not path
                or path.startswith("/")
                or ".." in path.split("/")
            ):
                self.add(
                    record.name,
                    f"{where}.FilePath",
                    f"{path!r} must be a relative path inside the output",
                    "for example 'evaluation.json'",
                )

    def _check_condition_arguments(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        for key in arguments:
            if key not in ("Conditions", "IfSteps", "ElseSteps"):
                self.add(
                    record.name,
                    f"Arguments.{key}",
                    "unknown member",
                    did_you_mean(key, ["Conditions", "IfSteps", "ElseSteps"]),
                )
        conditions = arguments.get("Conditions")
        if not isinstance(conditions, list) or not conditions:
            self.add(
                record.name,
                "Arguments.Conditions",
                "a Condition step needs a non-empty list of conditions",
            )
        else:
            for index, condition in enumerate(conditions):
                self._check_condition(record, condition, f"Arguments.Conditions[{index}]")
        for branch in ("IfSteps", "ElseSteps"):
            if not isinstance(arguments.get(branch, []), list):
                self.add(record.name, f"Arguments.{branch}", "expected a list of steps")

    def _check_condition(self, record: StepRecord, condition: Any, where: str) -> None:
        if not (type(condition) is dict or isinstance(condition, Mapping)):
            self.add(record.name, where, "expected a condition object")
            return
        kind = condition.get("Type")
        if kind not in CONDITION_TYPES:
            negated = _SCHEMA_ONLY_NEGATIONS.get(kind) if type(kind) is str else None
            self.add(
                record.name,
                f"{where}.Type",
                f"unknown condition type {kind!r}",
                (
                    f"AWS's published definition schema lists {kind}, but no SageMaker SDK "
                    "writes it and the service's acceptance is undocumented: write "
                    f"{{'Type': 'Not', 'Condition': {{'Type': '{negated}', …}}}} "
                    f"(ConditionNot(expression=Condition{negated}(…)) in Python)"
                )
                if negated
                else did_you_mean(str(kind), CONDITION_TYPES)
                or f"expected one of {one_of(CONDITION_TYPES, 8)}",
            )
            return
        expected = {
            "In": ("QueryValue", "Values"),
            "Not": ("Condition",),
            "Or": ("Conditions",),
        }.get(kind, ("LeftValue", "RightValue"))
        for key in condition:
            if key != "Type" and key not in expected:
                self.add(
                    record.name,
                    f"{where}.{key}",
                    f"not a member of {_article(kind)} {kind} condition",
                    _NOT_EXPRESSION_HINT
                    if (kind, key) == ("Not", "Expression")
                    else did_you_mean(key, expected),
                )
        for key in expected:
            if key not in condition:
                self.add(
                    record.name, f"{where}.{key}", f"{_article(kind)} {kind} condition needs {key}"
                )
        if kind == "Not" and "Condition" in condition:
            self._check_condition(record, condition["Condition"], f"{where}.Condition")
        elif kind == "Or" and "Conditions" in condition:
            nested = condition["Conditions"]
            if not isinstance(nested, list) or not nested:
                self.add(
                    record.name, f"{where}.Conditions", "expected a non-empty list of conditions"
                )
            else:
                for index, item in enumerate(nested):
                    self._check_condition(record, item, f"{where}.Conditions[{index}]")
        elif kind == "In":
            query = condition.get("QueryValue", _ABSENT)
            values = condition.get("Values")
            listed = values if isinstance(values, list) else []
            operands = [query, *listed]
            fields = [f"{where}.QueryValue", *(f"{where}.Values[{i}]" for i in range(len(listed)))]
            if self._names_a_parameter(record, operands, fields, ordered=False):
                return
            query_type = self._check_operand(record, query, f"{where}.QueryValue", ordered=False)
            if not isinstance(values, list) or not values:
                self.add(
                    record.name,
                    f"{where}.Values",
                    "an In condition needs a non-empty list of Values",
                )
            else:
                for index, item in enumerate(values):
                    at = f"{where}.Values[{index}]"
                    item_type = self._check_operand(record, item, at, ordered=False)
                    self._check_same_kind(record, at, "In", (query, query_type), (item, item_type))
        elif kind in COMPARISON_TYPES:
            ordered = kind != "Equals"
            left_value = condition.get("LeftValue", _ABSENT)
            right_value = condition.get("RightValue", _ABSENT)
            sides = [f"{where}.LeftValue", f"{where}.RightValue"]
            if self._names_a_parameter(record, [left_value, right_value], sides, ordered=ordered):
                return
            left = self._check_operand(record, left_value, f"{where}.LeftValue", ordered=ordered)
            right = self._check_operand(record, right_value, f"{where}.RightValue", ordered=ordered)
            if not ordered:
                self._check_same_kind(record, where, kind, (left_value, left), (right_value, right))
            if ordered and left and right and ("Timestamp" in (left, right)) and left != right:
                self.add(
                    record.name,
                    where,
                    f"{kind} compares a {left} with a {right}",
                    "compare a date-time only with another date-time",
                )

    def _names_a_parameter(
        self, record: StepRecord, operands: list[Any], fields: list[str], *, ordered: bool
    ) -> bool:
        """Report a condition operand that is a declared parameter's name as text.

        ``ConditionEquals(left="Env", right="prod")`` compares two strings, so its outcome
        is fixed when the pipeline is written: the parameter object was meant. Judged when
        no operand is an expression (the outcome can't vary) or the comparison orders
        (text never does); an Equals of an expression with such text may be meant.
        """
        varies = any(is_expression(item) or is_token(item) for item in operands)
        if varies and not ordered:
            return False
        for value, at in zip(operands, fields, strict=True):
            if not isinstance(value, str):
                continue
            name = value.removeprefix("Parameters.")
            if name not in self.parameters:
                continue
            why = (
                "an ordering comparison needs a number"
                if varies
                else "the condition compares literals, so its outcome is fixed before the "
                "pipeline runs"
            )
            kind = self.parameters[name].get("Type")
            declared = f"the Parameter{kind} object" if kind in OUTPUT_TYPES else "the parameter"
            self.add(
                record.name,
                at,
                f"{value!r} is text, not the parameter {name!r}: {why}",
                f'pass {declared} rather than its name; in JSON, {{"Get": "Parameters.{name}"}}',
            )
            return True
        return False

    def _check_same_kind(
        self,
        record: StepRecord,
        where: str,
        kind: str,
        first: tuple[Any, str | None],
        second: tuple[Any, str | None],
    ) -> None:
        """Equality across a Boolean, a String and a number is never true.

        SageMaker compares values with their types: the SDK's local pipeline mode, written
        to behave as the service does, fails an Equals whose sides differ in type. An
        Integer and a Float are both JSON numbers and pass (local mode would refuse even
        those); so do date-times and values typed only at run time (JsonGet).
        """
        first_kind = _EQUALITY_KINDS.get(first[1] or "")
        second_kind = _EQUALITY_KINDS.get(second[1] or "")
        if first_kind is None or second_kind is None or first_kind == second_kind:
            return
        verb = "compares" if kind == "Equals" else "looks for"
        hint = _EQUALITY_HINTS.get(frozenset((first_kind, second_kind)), _EQUALITY_HINT)
        number = next((value for value, _ in (first, second) if type(value) in (int, float)), None)
        if "String" in (first_kind, second_kind) and number is not None:
            hint = (
                f"compare a String with a string ('{number}', not {number}), or compare a "
                "number (a ParameterInteger or ParameterFloat, a numeric property) with it"
            )
        self.add(
            record.name,
            where,
            f"{kind} {verb} {_operand_text(first[0], first[1])} "
            f"{'with' if kind == 'Equals' else 'among'} {_operand_text(second[0], second[1])}: "
            "values of different types are never equal",
            hint,
        )

    def _check_operand(
        self, record: StepRecord, value: Any, where: str, *, ordered: bool
    ) -> str | None:
        if value is _ABSENT:
            return None  # reported as missing
        if value is None:
            self.add(
                record.name,
                where,
                "a condition operand can't be null",
                "compare a literal or an expression (None in Python renders as null)",
            )
            return None
        if is_token(value):
            return None
        if is_expression(value):
            kind = self.type_of(value)
        elif isinstance(value, bool):
            kind = "Boolean"
        elif isinstance(value, (int, float)):
            kind = "Float"
        elif isinstance(value, str):
            kind = "String"
        else:
            self.add(record.name, where, "expected a literal or an expression")
            return None
        if ordered and kind is not None and kind not in ORDERED_TYPES | {"Float"}:
            shown = value.get("Get", "Std:Join") if is_expression(value) else value
            # A Lambda or Callback output is typed by its declaration, not by what the
            # function or the callback sends: the fix is there, not in the condition.
            output = _OUTPUT_PARAMETER.match(shown) if isinstance(shown, str) else None
            self.add(
                record.name,
                where,
                f"ordering comparisons need numbers, got a {kind} ({_shown(shown)[:60]})",
                f"declare output '{output[2]}' of step '{output[1]}' as a number: "
                "StepOutput(output_type=OutputType.INTEGER or OutputType.FLOAT) in Python"
                if output
                else "compare a number parameter, a numeric property or a JsonGet value",
            )
        return kind

    def _check_fail_arguments(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        for key in arguments:
            if key != "ErrorMessage":
                self.add(
                    record.name,
                    f"Arguments.{key}",
                    "a Fail step takes only ErrorMessage",
                    did_you_mean(key, ["ErrorMessage"]),
                )
        message = arguments.get("ErrorMessage", "")
        if not (isinstance(message, str) or is_expression(message) or is_token(message)):
            self.add(record.name, "Arguments.ErrorMessage", "expected a string or an expression")
        elif isinstance(message, str) and len(message) > 3072:
            self.add(
                record.name,
                "Arguments.ErrorMessage",
                f"has {len(message)} characters, more than the limit of 3072",
            )

    def _check_outputs(self, record: StepRecord) -> None:
        outputs = record.entry.get("OutputParameters")
        if outputs is None:
            return
        if not isinstance(outputs, list):
            self.add(record.name, "OutputParameters", "expected a list of {OutputName, OutputType}")
            return
        seen: set[str] = set()
        for index, item in enumerate(outputs):
            where = f"OutputParameters[{index}]"
            if not isinstance(item, Mapping) or not isinstance(item.get("OutputName"), str):
                self.add(record.name, where, "expected {OutputName, OutputType}")
                continue
            if not item["OutputName"]:
                self.add(
                    record.name,
                    f"{where}.OutputName",
                    "OutputName is empty",
                    "name each output: later steps read it as OutputParameters['<name>']",
                )
            elif item["OutputName"] in seen:
                self.add(
                    record.name,
                    f"{where}.OutputName",
                    f"output '{item['OutputName']}' is declared twice",
                )
            seen.add(item["OutputName"])
            kind = item.get("OutputType", "String")
            if kind not in OUTPUT_TYPES:
                self.add(
                    record.name,
                    f"{where}.OutputType",
                    f"unknown output type {kind!r}",
                    did_you_mean(str(kind), OUTPUT_TYPES)
                    or f"expected one of {one_of(OUTPUT_TYPES)}",
                )

    def _check_lambda(self, record: StepRecord, arguments: Any) -> None:
        self._check_free_arguments(record, arguments)
        arn = record.entry.get("FunctionArn")
        if arn is None:
            self.add(record.name, "FunctionArn", "a Lambda step needs FunctionArn")
        elif isinstance(arn, str) and not is_token(arn) and _LAMBDA_ARN.fullmatch(arn) is None:
            self.add(
                record.name,
                "FunctionArn",
                f"{arn!r} is not a Lambda function ARN",
                "expected arn:aws:lambda:<region>:<account>:function:<name>",
            )
        self._check_outputs(record)

    def _check_callback(self, record: StepRecord, arguments: Any) -> None:
        self._check_free_arguments(record, arguments)
        url = record.entry.get("SqsQueueUrl")
        if url is None:
            self.add(record.name, "SqsQueueUrl", "a Callback step needs SqsQueueUrl")
        elif isinstance(url, str) and not is_token(url) and sqs_queue_arn_parts(url) is None:
            parts = SQS_QUEUE_URL.fullmatch(url)
            if parts is None:
                hint = "expected https://sqs.<region>.amazonaws.com/<account>/<queue>"
            else:
                region, _, account, queue = parts.groups()
                domain = partition_of(region)[1]
                hint = f"{region}'s domain is {domain}: https://sqs.{region}.{domain}/{account}/{queue}"
            self.add(record.name, "SqsQueueUrl", f"{url!r} is not an SQS queue URL", hint)
        self._check_outputs(record)

    def _check_free_arguments(self, record: StepRecord, arguments: Any) -> None:
        if arguments is not None and not isinstance(arguments, Mapping):
            self.add(record.name, "Arguments", "expected an object of input values")

    def _check_emr_arguments(self, record: StepRecord, arguments: Mapping[str, Any]) -> None:
        for key in arguments:
            if key not in _EMR_ARGUMENTS:
                self.add(
                    record.name,
                    f"Arguments.{key}",
                    "unknown member",
                    did_you_mean(key, _EMR_ARGUMENTS),
                )
        if "ExecutionRoleArn" in arguments:
            # The step's runtime role, passed to AddJobFlowSteps on a running cluster.
            if "ClusterId" not in arguments:
                self.add(
                    record.name,
                    "Arguments.ExecutionRoleArn",
                    "a runtime role needs a running cluster (ClusterId)",
                    "a new cluster (ClusterConfig) runs steps with its own roles",
                )
            checker = ShapeChecker(step=record.name, typer=self, service="emr")
            self.problems.extend(
                checker.check(
                    {"ExecutionRoleArn": arguments["ExecutionRoleArn"]},
                    "AddJobFlowStepsInput",
                    "Arguments",
                    optional=("JobFlowId", "Steps"),
                )
            )
        if "ClusterId" in arguments and "ClusterConfig" in arguments:
            self.add(
                record.name,
                "Arguments.ClusterConfig",
                "an EMR step takes ClusterId or ClusterConfig, not both",
                "ClusterId runs the step on a running cluster, ClusterConfig on a new one",
            )
        elif "ClusterId" not in arguments and "ClusterConfig" not in arguments:
            self.add(
                record.name,
                "Arguments.ClusterId",
                "an EMR step needs ClusterId (a running cluster) or ClusterConfig (a new one)",
            )
        elif _is_object(arguments.get("ClusterConfig")):
            self._check_emr_cluster_config(record, arguments["ClusterConfig"])
        cluster_id = arguments.get("ClusterId")
        if (
            isinstance(cluster_id, str)
            and not is_token(cluster_id)
            and _EMR_CLUSTER_ID.fullmatch(cluster_id) is None
        ):
            self.add(
                record.name,
                "Arguments.ClusterId",
                f"{cluster_id!r} is not an EMR cluster id",
                "expected the id of a running cluster, such as 'j-1ABCDEFG2HIJK' "
                "(the cluster list of the EMR console shows it)",
            )
        step_config = arguments.get("StepConfig")
        if not isinstance(step_config, Mapping) or "HadoopJarStep" not in step_config:
            self.add(record.name, "Arguments.StepConfig", 'expected {"HadoopJarStep": {"Jar": …}}')
            return
        hadoop_jar_step = step_config["HadoopJarStep"]
        if _is_object(hadoop_jar_step) and hadoop_jar_step.get("Jar") == "":
            self.add(
                record.name,
                "Arguments.StepConfig.HadoopJarStep.Jar",
                "the step names no JAR",
                "give the S3 URI of a JAR, or 'command-runner.jar' to run a command",
            )
        checker = ShapeChecker(step=record.name, typer=self, service="emr")
        self.problems.extend(
            checker.check(
                step_config["HadoopJarStep"],
                "HadoopJarStepConfig",
                "Arguments.StepConfig.HadoopJarStep",
            )
        )

    def _check_emr_cluster_config(self, record: StepRecord, config: Mapping[str, Any]) -> None:
        """A new cluster's configuration: RunJobFlow's request, less what SageMaker sets.

        SageMaker names the cluster, adds the step and ends the cluster after it, so
        ``Name``, ``Steps``, ``AutoTerminationPolicy`` and the ``Instances`` members that
        keep a cluster alive are not taken (the SageMaker SDK's EMRStep refuses them too).
        "All other RunJobFlow arguments are available" (SageMaker guide, EMR step), so the
        nodes may be instance groups, instance fleets or RunJobFlow's uniform
        ``MasterInstanceType`` form, which the SDK alone refuses; groups and fleets
        together RunJobFlow refuses.
        """
        where = "Arguments.ClusterConfig"
        self._check_tag_keys(record, config, where)
        checker = ShapeChecker(step=record.name, typer=self, service="emr")
        self.problems.extend(checker.check(config, "RunJobFlowInput", where, _EMR_CLUSTER_SUPPLIED))
        instances: Any = config.get("Instances")
        if not _is_object(instances):
            return  # missing or of a wrong type: the shape check reports it
        for key in _EMR_KEEP_ALIVE:
            if key in instances:
                self.add(
                    record.name,
                    f"{where}.Instances.{key}",
                    f"'{key}' can't be set: SageMaker Pipelines ends the cluster after the step",
                    "remove it",
                )
        kinds = [key for key in ("InstanceGroups", "InstanceFleets") if key in instances]
        if len(kinds) == 2 or not (kinds or "MasterInstanceType" in instances):
            self.add(
                record.name,
                f"{where}.Instances",
                "Instances needs InstanceGroups or InstanceFleets, "
                + ("not both" if kinds else "got neither (nor MasterInstanceType)"),
                "describe the cluster's nodes with one of them",
            )

    # -- graph -----------------------------------------------------------------------

    def _check_dependencies(self) -> None:
        for record in self.steps.values():
            for index, target in enumerate(record.depends_on):
                where = f"DependsOn[{index}]"
                other = self.steps.get(target)
                if other is None:
                    self.add(
                        record.name,
                        where,
                        f"depends on step '{target}', which is not in the pipeline",
                        self._step_hint(target),
                    )
                elif target == record.name:
                    self.add(record.name, where, "a step can't depend on itself")
                elif other.kind == "Fail":
                    self.add(
                        record.name,
                        where,
                        f"depends on Fail step '{target}'; nothing can run after a Fail step",
                        "remove the dependency: a Fail step ends the execution",
                    )
            if record.condition is None:
                continue  # the rule below is about branch steps only
            for target, where in list(record.references.items()) + [
                (target, f"DependsOn[{i}]") for i, target in enumerate(record.depends_on)
            ]:
                other = self.steps.get(target)
                if (
                    other is not None
                    and record.condition is not None
                    and other.condition == record.condition
                    and other.branch != record.branch
                ):
                    self.add(
                        record.name,
                        where,
                        f"step '{record.name}' in {record.where} refers to step '{target}', "
                        f"which only runs in {other.where}",
                        "move one of them, or make the shared step run before the condition",
                    )

    def _edges(self, record: StepRecord) -> list[str]:
        targets = [
            t
            for t in (*record.references, *record.depends_on)
            if t in self.steps and t != record.name
        ]
        if record.condition is not None and record.condition in self.steps:
            targets.append(record.condition)
        return list(dict.fromkeys(targets))

    def _check_cycles(self) -> None:
        """Report each cycle once, at the edge that closes it, printed in run order.

        A depth-first search finds the back edges; for each, the shortest cycle
        through it is printed. Cycles closed by the same field are reported once.
        """
        white, grey, black = 0, 1, 2
        color = dict.fromkeys(self.steps, white)
        found: dict[tuple[str, str], list[str]] = {}
        for start in self.steps:
            if color[start] != white:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(self._edges(self.steps[start])))]
            color[start] = grey
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    color[node] = black
                    continue
                if color[child] == grey:
                    cycle = [*self._shortest_path(child, node), child]
                    key = (child, self._edge_field(child, cycle[1]))
                    if key not in found or len(cycle) < len(found[key]):
                        found[key] = cycle
                elif color[child] == white:
                    color[child] = grey
                    stack.append((child, iter(self._edges(self.steps[child]))))
        reported: set[frozenset[str]] = set()
        for (step, field_path), cycle in found.items():
            if frozenset(cycle) in reported:
                continue
            reported.add(frozenset(cycle))
            hint = "remove one of the references or DependsOn entries in the cycle"
            if any(
                self._edge_field(source, target) == "Name"
                for source, target in itertools.pairwise(cycle)
            ):
                hint += "; a branch step runs after its condition, which can't depend on it"
            # Dependencies point backwards in time: print the run order.
            self.add(step, field_path, f"dependency cycle: {' → '.join(reversed(cycle))}", hint)

    def _shortest_path(self, source: str, target: str) -> list[str]:
        """The shortest dependency path from ``source`` to ``target`` (both included)."""
        previous: dict[str, str] = {}
        queue = [source]
        for node in queue:
            if node == target:
                break
            for child in self._edges(self.steps[node]):
                if child not in previous and child != source:
                    previous[child] = node
                    queue.append(child)
        path = [target]
        while path[-1] != source:
            path.append(previous[path[-1]])
        return path[::-1]

    def _edge_field(self, source: str, target: str) -> str:
        record = self.steps[source]
        if target in record.references:
            return field_text(record.references[target])
        if target in record.depends_on:
            return f"DependsOn[{record.depends_on.index(target)}]"
        return "Name"  # the edge is branch membership: the step runs inside ``target``

    def _check_size(self, definition: Mapping[str, Any]) -> None:
        try:
            text = _compact_json(definition)
        except (TypeError, ValueError) as error:
            found = _non_finite_number(definition)
            if found is not None:
                step, where, number = found
                if any(p.step == step and p.field == where for p in self.problems):
                    return  # reported already, as a bad parameter default for one
                self.add(
                    step,
                    where,
                    f"{number!r} is not a JSON number",
                    "NaN and infinities can't be written in a definition: use a finite number",
                )
            else:
                self.add(None, None, f"not serialisable as JSON: {error}")
            return
        # Escaped as \udXXXX in JSON, a lone surrogate can't be encoded as the UTF-8 the
        # service reads. Only text with an escape of that range needs the search.
        if "\\ud" in text:
            self._check_surrogates(definition)
        size = _sent_length(text) if "\\u" in text else len(text)
        if size > MAX_DEFINITION_CHARACTERS:
            self.add(
                None,
                None,
                f"the definition has {size:,} characters, more than the limit of "
                f"{MAX_DEFINITION_CHARACTERS:,}",
                "split the pipeline or move large literal values (e.g. long inputs) to S3",
            )

    def _check_surrogates(self, definition: Mapping[str, Any]) -> None:
        for step, where, value in _lone_surrogates(definition):
            if any(p.step == step and p.field == where for p in self.problems):
                continue  # reported already, as a name that breaks its pattern
            found = _LONE_SURROGATE.search(value)
            assert found is not None
            self.add(
                step,
                where,
                f"{_cut(value)!a} holds the lone surrogate {found.group()!a}, "
                "which can't be encoded as UTF-8",
                "surrogates only come in pairs; one alone comes from bytes decoded with "
                "errors='surrogateescape' or a string cut inside a pair: fix the text",
            )


FREE_MAP = "free map"
"""Walk marker: a map of user-chosen keys with any values (Lambda and Callback inputs)."""
_WalkShape = CompiledShape | str | None
_SCALARS = frozenset({str, int, float, bool})
_ABSENT: Any = object()  # a member not given at all, as opposed to given as null
_ORDERING_FIELDS = frozenset({"Arguments", "FunctionArn", "SqsQueueUrl"})
_JOIN_KEYS = frozenset({"On", "Values"})
_JSON_GET_KEYS = frozenset({"PropertyFile", "Path", "S3Uri"})


def _warm_start_mismatch(mismatch: WarmStartMismatch) -> str:
    """How a warm start's parent differs, in the validator's words."""
    if mismatch.what == "metric":
        return f"its objective metric is {mismatch.parent!r}, this step's {mismatch.child!r}"
    if mismatch.what == "count":
        return (
            f"it has {mismatch.parent} static plus tuned hyperparameters, "
            f"this step {mismatch.child}"
        )
    return f"'{mismatch.hyperparameter}' is {mismatch.parent} there, {mismatch.child} here"


def _literal_prefix(value: Any) -> str | None:
    """The literal text an S3 URI value starts with (``None`` when an expression starts it)."""
    if isinstance(value, str):
        return value
    body: Any = value.get("Std:Join") if _is_object(value) and len(value) == 1 else None
    if not _is_object(body) or not isinstance(body.get("Values"), list):
        return None
    separator = body.get("On", "")
    if not isinstance(separator, str):
        return None
    literals: list[str] = []
    for item in body["Values"]:
        if type(item) is not str:
            break
        literals.append(item)
    else:
        return separator.join(literals)
    # An expression follows: the separator after the literals is part of the prefix too.
    return separator.join(literals) + separator if literals else None


def _could_start_s3_uri(prefix: str) -> bool:
    """Whether ``prefix`` is the start of ``s3://…``, or starts with it."""
    return prefix.startswith("s3://") or "s3://".startswith(prefix)


_STEP_REFERENCE = re.compile(r"([A-Za-z0-9\-_]+)(.*)")
# CreateTransformJob's documented limit on MaxPayloadInMB (and on it × MaxConcurrentTransforms).
_MAX_TRANSFORM_PAYLOAD_MB = 100
# ``TrainingJobSummaries[k]`` of a tuning step: the k-th training job, best first.
_TRAINING_JOB_SUMMARY = re.compile(r"TrainingJobSummaries\[(\d+)\]")
_TRAINING_JOB_DEFINITIONS_ITEM = re.compile(r"TrainingJobDefinitions\[(\d+)\]")
# A tuning step's training job name: its best, or its k-th by objective.
_TUNED_JOB_NAME = re.compile(
    r"Steps\.([A-Za-z0-9\-_]+)\.(?:BestTrainingJob|TrainingJobSummaries\[\d+\])\.TrainingJobName"
)
# A tuning job's members of one algorithm: with several, each definition has its own.
_ONE_ALGORITHM_MEMBERS = (
    "TrainingJobDefinition",
    "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective",
    "HyperParameterTuningJobConfig.ParameterRanges",
)
_QUIET_STEP_REFERENCE = re.compile(r"([A-Za-z0-9\-_]+)\.?(.*)")
# Python's re errors for a group or class left open or closed twice: wrong in every dialect.
_UNBALANCED_REGEX = re.compile(
    r"missing \)|unbalanced parenthesis|unterminated character set|unterminated subpattern"
)
# The characters of botocore's ModelName pattern, [a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?.
_MODEL_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "-")

# What equality compares: an Integer equals a Float of the same value, nothing else
# crosses kinds.
_EQUALITY_KINDS = {"String": "String", "Boolean": "Boolean", "Integer": "number", "Float": "number"}
_EQUALITY_HINT = "compare like with like: a String with a string, a number with a number"
_EQUALITY_HINTS = {
    frozenset(("Boolean", "String")): (
        "compare a Boolean with true or false (True or False in Python), not with a string"
    ),
    frozenset(("Boolean", "number")): (
        "compare a Boolean with true or false (True or False in Python), not with a number"
    ),
    frozenset(("String", "number")): (
        "compare a String with a string and a number with a number (a parameter compared "
        "as a number is declared ParameterInteger or ParameterFloat)"
    ),
}


# A Lambda or Callback step's output as a condition reads it (typed by its OutputType).
_OUTPUT_PARAMETER = re.compile(r"Steps\.([^.]+)\.OutputParameters\['([^']+)'\]")
# A Processing step's output location (a prefix): Outputs['name'] or Outputs[index].
_PROCESSING_OUTPUT_URI = re.compile(
    r"Steps\.([^.]+)\.ProcessingOutputConfig\.Outputs\[([^\]]+)\]\.S3Output\.S3Uri"
)


def _s3_uris(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Each ``S3Uri`` member under ``value`` (a ModelMetrics or DriftCheckBaselines).

    Example::

        list(_s3_uris({"Bias": {"Report": {"S3Uri": "s3://b/k"}}}, "Arguments.ModelMetrics"))
        # [("Arguments.ModelMetrics.Bias.Report.S3Uri", "s3://b/k")]
    """
    if not _is_object(value) or is_expression(value):
        return
    for key, item in value.items():
        if key == "S3Uri":
            yield f"{where}.S3Uri", item
        elif isinstance(key, str):
            yield from _s3_uris(item, f"{where}.{key}")


def _shown(value: Any) -> str:
    """``value`` as JSON for a message; a value JSON can't hold (a set) as its ``repr``."""
    return json.dumps(value, default=repr)


def _operand_text(value: Any, kind: str | None) -> str:
    """An operand for a message: ``'Parameters.Flag' (a Boolean)``, ``"true" (a String)``."""
    if is_expression(value):
        reference = value.get("Get")
        shown = f"'{reference}'" if isinstance(reference, str) else f"a {next(iter(value))}"
    else:
        shown = _shown(value)[:40]
    noun = (
        "a number"
        if kind == "Float" and not is_expression(value)
        else f"{_article(str(kind))} {kind}"
    )
    return f"{shown} ({noun})"


def _optional_names(kind: str) -> tuple[str, ...]:
    """The name member of a job request, which Pipelines gives the job when it is absent.

    A deployment step's request names what it creates itself: its name is required.
    """
    name = JOB_NAME_FIELDS.get(kind)
    return (name,) if name is not None else ()


def _arguments_shape(kind: str) -> _WalkShape:
    if kind in JOB_REQUEST_SHAPES:
        return compiled_shape(JOB_REQUEST_SHAPES[kind][0])
    if kind in ("Lambda", "Callback"):
        return FREE_MAP
    return None


_ROOTS: dict[Any, PropertyNode | None] = {}
_RESOLVED: dict[tuple[Any, str], tuple[PropertyNode | None, PathStepError | None]] = {}
_CACHE_LIMIT = 65536


def _root(kind: str, outputs: Mapping[str, str] | None) -> tuple[Any, PropertyNode | None]:
    """A step type's property tree root and its cache key (roots are built once)."""
    key = (kind, tuple(outputs.items()) if outputs is not None else None)
    if key not in _ROOTS:
        if len(_ROOTS) >= _CACHE_LIMIT:
            _ROOTS.clear()
        _ROOTS[key] = root_node(kind, outputs)
    return key, _ROOTS[key]


def _resolved(
    root_key: Any, root: PropertyNode, path: str
) -> tuple[PropertyNode | None, PathStepError | None]:
    """``resolve(root, path)`` as (node, None) or (None, error), cached per root and path."""
    key = (root_key, path)
    found = _RESOLVED.get(key)
    if found is None:
        try:
            found = (resolve(root, path), None)
        except PathStepError as error:
            found = (None, error.with_traceback(None))
        if len(_RESOLVED) >= _CACHE_LIMIT:
            _RESOLVED.clear()
        _RESOLVED[key] = found
    return found


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False, allow_nan=False)


def _non_finite_number(definition: Any) -> tuple[str | None, str, float] | None:
    """The step, field and value of the first NaN or infinity in ``definition``, if any.

    Fields inside a step entry are relative to it (``Arguments.…``), as problems spell them.
    """
    stack: list[tuple[Any, str | None, str, bool]] = [(definition, None, "", False)]
    while stack:
        value, step, where, in_steps = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return step, where, value
        if isinstance(value, dict):
            if in_steps and isinstance(value.get("Name"), str):
                step, where = value["Name"], ""  # a step entry: its fields start afresh
            for key, item in reversed(list(value.items())):
                child = f"{where}.{key}" if where else str(key)
                steps = key in ("Steps", "IfSteps", "ElseSteps")
                stack.append((item, step, child, steps))
        elif isinstance(value, list):
            for index in reversed(range(len(value))):
                stack.append((value[index], step, f"{where}[{index}]", in_steps))
    return None


_LONE_SURROGATE = re.compile(
    r"[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)


# A value, its step and field, whether it is a list of steps, and its shape.
_SurrogateWalkItem = tuple[Any, str | None, str, bool, _WalkShape]


# A JSON escape of the ASCII-only compact text: \uXXXX (lowercase hex, as json writes it),
# or a backslash and one character. The group holds the escapes of DEL and up, which the
# construct sends as the characters themselves.
_JSON_ESCAPE = re.compile(
    r"\\(?:(u(?:007f|00[89a-f][0-9a-f]|0[1-9a-f][0-9a-f]{2}|[1-9a-f][0-9a-f]{3}))"
    r"|u[0-9a-f]{4}|.)"
)


def _sent_length(text: str) -> int:
    r"""The length of ``text`` (compact JSON, non-ASCII escaped) as the definition is sent.

    The construct sends the definition with non-ASCII characters as themselves (JSON
    escapes only control characters, quotes and backslashes then), and the limit counts
    characters in UTF-16 code units: each ``\uXXXX`` escape of a character from DEL up
    is one, a character beyond the BMP (two escapes, a surrogate pair) two.
    """
    # findall rather than a loop over matches: a megabyte of accented text has a million.
    escapes = _JSON_ESCAPE.findall(text)
    return len(text) - 5 * (len(escapes) - escapes.count(""))


def _lone_surrogates(definition: Any) -> list[tuple[str | None, str, str]]:
    """The step, field and text of every string (value or key) holding a lone surrogate.

    Fields are spelt as the shape checker spells them (map keys as ``['key']``).
    """
    found: list[tuple[str | None, str, str]] = []
    stack: list[_SurrogateWalkItem] = [(definition, None, "", False, None)]
    while stack:
        value, step, where, in_steps, shape = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value) is not None:
                found.append((step, where, value))
        elif isinstance(value, dict):
            kind = None
            if in_steps and isinstance(value.get("Name"), str):
                step, where = value["Name"], ""  # a step entry: its fields start afresh
                kind = str(value.get("Type"))
            if isinstance(shape, CompiledShape):
                shape.link()
            children: list[_SurrogateWalkItem] = []
            for key, item in value.items():
                name = str(key)
                child_shape: _WalkShape = None
                if shape is FREE_MAP:
                    child = f"{where}['{name}']"
                elif isinstance(shape, CompiledShape) and shape.kind == "map":
                    child, child_shape = f"{where}['{name}']", shape.value
                else:
                    member = shape.members.get(name) if isinstance(shape, CompiledShape) else None
                    child = f"{where}.{name}" if where else name
                    if member is not None:
                        child_shape = member[1]
                    elif kind is not None and name == "Arguments":
                        child_shape = _arguments_shape(kind)
                if _LONE_SURROGATE.search(name) is not None:
                    found.append((step, f"{child} (key)", name))
                steps = name in ("Steps", "IfSteps", "ElseSteps")
                children.append((item, step, child, steps, child_shape))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            item_shape = shape.link().item if isinstance(shape, CompiledShape) else None
            for index in reversed(range(len(value))):
                stack.append((value[index], step, f"{where}[{index}]", in_steps, item_shape))
    return found


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _compact_json(definition: Any) -> str:
    """``json.dumps(definition, separators=(",", ":"))``, and the same errors.

    Encoding without the circular-reference check is much faster; a circular value then
    exhausts the recursion limit instead, and the standard call reports it as it would.
    """
    try:
        return _COMPACT_JSON.encode(definition)
    except RecursionError:
        return json.dumps(definition, separators=(",", ":"), allow_nan=False)


def _location_text(value: Any) -> str | None:
    """An S3 location as comparable text: literals as written, anything else a marker.

    A ``Std:Join`` is its values joined by its ``On`` ("" or "/"), so two locations built
    from the same bucket and key parameter compare equal; ``None`` when it can't be written.
    """
    if type(value) is str:
        return value
    joined: Any = value.get("Std:Join") if _is_object(value) and len(value) == 1 else None
    on: Any = joined.get("On") if _is_object(joined) else None
    if isinstance(on, str) and isinstance(joined.get("Values"), list):
        parts = [_location_text(item) for item in joined["Values"]]
        return None if any(part is None for part in parts) else on.join(map(str, parts))
    try:
        # An opaque value (a parameter, a step's property): equal only to itself, and
        # delimited so that it never matches part of another.
        return "\x00" + json.dumps(value, sort_keys=True) + "\x00"
    except (TypeError, ValueError):
        return None


def _is_csv_type(content_type: Any) -> bool:
    """Whether a literal content type is CSV, its parameters aside (``text/csv; charset=utf-8``)."""
    if not isinstance(content_type, str):
        return False
    return content_type.split(";")[0].strip().lower() == "text/csv"


def _is_object(value: Any) -> bool:
    """A JSON object (a dict, the common case, checked first: it is much cheaper)."""
    return type(value) is dict or isinstance(value, Mapping)


def _member(value: Any, path: str) -> Any:
    """The member at the dotted ``path`` of nested objects in ``value``, or None."""
    for name in path.split("."):
        if not _is_object(value):
            return None
        value = value.get(name)
    return value


def _tuning_ranges(
    arguments: Mapping[str, Any],
) -> list[tuple[Mapping[str, Any], str, Any, str]]:
    """Each set of ranges a tuning request tunes, with its field and its training job's.

    ``(ranges, ranges field, job, job field)``: the config's ``ParameterRanges`` (else the
    definition's own ``HyperParameterRanges``) with the ``TrainingJobDefinition``, and each
    of ``TrainingJobDefinitions`` with its own ``HyperParameterRanges``. Ranges that aren't
    an object (a token) are left out.
    """
    found: list[tuple[Mapping[str, Any], str, Any, str]] = []
    config: Any = arguments.get("HyperParameterTuningJobConfig")
    job = arguments.get("TrainingJobDefinition")
    ranges: Any = None
    field = ""
    if _is_object(config):
        ranges, field = single_definition_member(config, job, "ranges")
    if _is_object(ranges):
        found.append((ranges, f"Arguments.{field}", job, "Arguments.TrainingJobDefinition"))
    for index, item in enumerate(_as_list(arguments.get("TrainingJobDefinitions"))):
        ranges = item.get("HyperParameterRanges") if _is_object(item) else None
        if _is_object(ranges):
            where = f"Arguments.TrainingJobDefinitions[{index}]"
            found.append((ranges, f"{where}.HyperParameterRanges", item, where))
    return found


# CreateHyperParameterTuningJob's limits on the ranges together (API reference,
# ParameterRanges) and on static plus tuned hyperparameters (developer guide).
_MAX_TUNED_HYPERPARAMETERS = 30
_MAX_HYPERPARAMETERS = 100
# Images of built-in algorithms that also run scripts: SageMaker reads their own metrics.
_BUILT_IN_METRIC_REPOSITORIES = frozenset({"sagemaker-xgboost", "xgboost"})


def _image_without_built_in_metrics(image: Any) -> bool:
    """True if ``image`` is a literal URI of an image SageMaker reads no metrics of itself.

    False for the XGBoost images, and for an image only known at run or deploy time (a
    parameter, a CDK token): it may be one of them.
    """
    if type(image) is not str:
        return False
    path = image.partition("/")[2].partition("@")[0]  # after the registry, before a digest
    repository = path.rpartition(":")[0] or path  # without the tag
    if not repository or is_token(repository):
        return False
    return repository.rpartition("/")[2] not in _BUILT_IN_METRIC_REPOSITORIES


def _property_file_names(entry: Mapping[str, Any]) -> list[str]:
    """The names of the property files a step entry declares."""
    return [
        name
        for item in _as_list(entry.get("PropertyFiles"))
        if (type(item) is dict or isinstance(item, Mapping))
        and isinstance(name := item.get("PropertyFileName"), str)
    ]


# Condition types of AWS's published definition schema that the SDK never writes (its
# ConditionNot of Equals or In says the same), with the type each negates.
_SCHEMA_ONLY_NEGATIONS = {"NotEquals": "Equals", "NotIn": "In"}

# A Not condition holds the negated one in "Condition". Early SDK releases wrote it as
# "Expression", and CreatePipeline refused that: "Unable to parse pipeline definition.
# Cannot parse object, unknown property 'Expression'" (aws/sagemaker-python-sdk#2746);
# the SDK's ConditionNot.to_request now writes "Condition".
_NOT_EXPRESSION_HINT = (
    "SageMaker refuses 'Expression' in a Not condition ('unknown property', as early SDK "
    "releases wrote it): put the negated condition in 'Condition'"
)


def _as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one (its shape is reported elsewhere)."""
    return value if isinstance(value, list) else []


# A list the step's own request names the entries of: processing outputs, metrics.
_KEYED_ENTRY = re.compile(
    r"(ProcessingOutputConfig\.Outputs|FinalMetricDataList|ActionArns|ArtifactArns|ContextArns)"
    r"\[(?:'([^']*)'|\"([^\"]*)\")\]"
)
# (step type, keyed property) -> (the path under Arguments of the list declaring the keys,
# the member of each entry naming one).
_KEY_DECLARATIONS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("Processing", "ProcessingOutputConfig.Outputs"): (
        ("ProcessingOutputConfig", "Outputs"),
        "OutputName",
    ),
    ("Training", "FinalMetricDataList"): (("AlgorithmSpecification", "MetricDefinitions"), "Name"),
    **{
        ("Lineage", kind.arns): ((kind.member,), kind.name_member)
        for kind in LINEAGE_KINDS.values()
    },
}


def _undeclared_key(target: StepRecord, path: str) -> PathStepError | None:
    """``Outputs['tran']`` when the step declares only ``train``; botocore can't know names.

    Checked when the step's request lists the names as plain strings. A training job
    without ``MetricDefinitions`` runs a built-in algorithm, whose metrics aren't listed. A
    Lineage step's ``ActionArns`` (``ArtifactArns``, ``ContextArns``) holds the entities it
    creates of that kind, by name (an unnamed artifact has no key): none if it creates none.
    """
    match = _KEYED_ENTRY.match(path)
    if match is None:
        return None
    declaration = _KEY_DECLARATIONS.get((target.kind, match[1]))
    if declaration is None:
        return None
    members, name_field = declaration
    entries: Any = target.entry.get("Arguments")
    for member in members:
        entries = entries.get(member) if _is_object(entries) else None
    lineage = target.kind == "Lineage"
    if lineage and entries is None:
        entries = []  # the step creates none of the kind
    if not isinstance(entries, list) or (not entries and not lineage):
        return None
    found = [entry.get(name_field) if _is_object(entry) else None for entry in entries]
    if lineage:
        found = [name for name in found if name is not None]
    names = [name for name in found if type(name) is str and not is_token(name)]
    if len(names) != len(found):
        return None  # a name we can't read
    key = match[2] if match[2] is not None else match[3]
    if key in names:
        return None
    if not lineage:
        hint = did_you_mean(key, names) or f"declared: {one_of(names)}"
    else:
        kind = KIND_OF_ARNS[match[1]]
        named = "named " if kind.type == "Artifact" else ""  # an unnamed artifact has no key
        hint = did_you_mean(key, names) or (
            f"the step's {kind.noun}s: {one_of(names)}"
            if names
            else f"step '{target.name}' creates no {named}{kind.noun}s"
        )
    return PathStepError(f"{match[1]} has no entry '{key}'", hint)


def _declared_outputs(declared: Any) -> dict[str, str]:
    return {
        item["OutputName"]: str(item.get("OutputType", "String"))
        for item in _as_list(declared)
        if isinstance(item, Mapping) and isinstance(item.get("OutputName"), str)
    }


_ARGUMENT_CHECKS: dict[str, Any] = {
    **{kind: _Validator._check_job_arguments for kind in JOB_REQUEST_SHAPES},
    "Condition": _Validator._check_condition_arguments,
    "Fail": _Validator._check_fail_arguments,
    "Lambda": _Validator._check_lambda,
    "Callback": _Validator._check_callback,
    "EMR": _Validator._check_emr_arguments,
    "Lineage": _Validator._check_lineage,
}


def validate_definition(definition: Any) -> list[Problem]:
    """Return every problem of a pipeline definition (a dict or parsed JSON).

    Example::

        problems = validate_definition(json.loads(text))
        for problem in problems:
            print(problem.step, problem.field, problem.message)
    """
    shapes("sagemaker")  # load the model once up front, not in the middle of a walk
    return _Validator(definition).run()


def validate_with_dependencies(
    definition: Any,
) -> tuple[list[Problem], dict[str, set[str] | None]]:
    """``validate_definition``, plus what each step depends on, for ordering the steps.

    The dependencies of a step are the names in its ``DependsOn`` and in the
    ``Get: Steps.<Name>…`` references of its ``Arguments`` (branches excluded),
    ``FunctionArn`` and ``SqsQueueUrl``, found by the validation walk. A step maps to
    ``None`` when that walk skipped part of what ordering considers (see
    ``pipeline._dependencies``), and then ordering walks its entry itself.
    """
    shapes("sagemaker")  # load the model once up front, not in the middle of a walk
    validator = _Validator(definition)
    problems = validator.run()
    dependencies: dict[str, set[str] | None] = {}
    for name, record in validator.steps.items():
        ordering = record.ordering
        dependencies[name] = None if ordering is None else ordering.union(record.depends_on)
    return problems, dependencies


def check_definition(definition: Any) -> None:
    """Raise ``PipelineValidationError`` listing every problem, if there are any."""
    problems = validate_definition(definition)
    if problems:
        raise PipelineValidationError(problems)


def validate_pipeline_name(name: str) -> list[Problem]:
    """Check a pipeline name: ``[a-zA-Z0-9](-*[a-zA-Z0-9])*``, at most 256 characters."""
    if not isinstance(name, str) or PIPELINE_NAME.fullmatch(name) is None:
        return [
            Problem(
                None,
                "PipelineName",
                f"pipeline name {name!r} must be 1-256 letters, digits and hyphens, "
                "starting and ending with a letter or digit",
            )
        ]
    return []
