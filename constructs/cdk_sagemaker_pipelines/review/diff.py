"""A structural diff of two pipeline definitions, for reviewing a change to a pipeline.

Parameters are matched by name, steps by name (a condition's branch steps included), and
the fields of a step by their path in its entry, so a change reads as the reviewer thinks
of it: "step Train: ``Arguments.ResourceConfig.InstanceType`` "ml.m5.xlarge" →
"ml.m5.2xlarge"", not as a changed line of JSON text.

Example::

    diff = diff_definitions(old_definition, new_definition)
    if diff:
        print(render_text(diff, labels=("main", "branch")))
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ..definition.entries import BRANCH_KEYS, StepSpec, count_entries, step_references, walk_steps

Subject = Literal["definition", "parameter", "step"]
Kind = Literal["added", "removed", "renamed", "moved", "dependencies", "changed", "asset"]

# Lists whose items carry one of these keys are matched by it, not by position (the
# first key every item has, with distinct values, wins): an input inserted at the front
# is one added input, not every input changed.
NAME_KEYS: Final = (
    "PropertyFileName",  # before OutputName: a property file names the output it reads
    "InputName",
    "OutputName",
    "ChannelName",
    "InstanceGroupName",
    "VariantName",
    "Name",
    "Key",
)
RENAME_SIMILARITY: Final = 0.6
"""A removed and an added step of one type whose entries share at least this share of
their values (apart from names) are a rename with changes, as ``git diff -M`` has it."""
MAX_RENAME_PAIRS: Final = 40_000
"""Beyond this many (removed, added) pairs, only renames of otherwise equal steps are
found: comparing every pair would cost more than the rest of the diff."""
VALUE_WIDTH: Final = 60
"""Rendered values longer than this are shortened (around where they differ)."""
MAX_DEPTH: Final = 300
"""How deeply nested a definition may be compared: the comparison recurses per level, and
real definitions are nested a few dozen levels at most."""

_PLAIN_KEY = re.compile(r"[A-Za-z_][\w-]*")
_PLAIN_NAME = re.compile(r"[\w.:/-]+")
_STEP_REFERENCE = re.compile(r"Steps\.([^.\[]+)(.*)", re.S)
# A CDK file asset's hash (sha256, hex): its S3 object key and its staged file are named by it.
_ASSET_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


class _Absent:
    """The value on the side of an addition or removal that has none."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""``Change.old`` of an addition and ``Change.new`` of a removal (JSON ``null`` is a value)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two definitions.

    ``subject`` says what changed (a top-level ``definition`` field, a ``parameter`` or a
    ``step``) and ``name`` which one (the new name of a renamed step). ``kind``:

    - ``added`` / ``removed``: a parameter or step (or, with a ``path``, a field);
    - ``changed``: the field at ``path`` (dotted, named list items in brackets:
      ``Arguments.ProcessingInputs[code].S3Input.S3Uri``) went from ``old`` to ``new``;
    - ``renamed``: step ``old_name`` is now ``name``: its entry is otherwise equal, or, with
      a ``similarity`` (the share of values kept, at least ``RENAME_SIMILARITY``), changed
      as the step's other changes say; ``cached`` when either side caches it (SageMaker
      finds no cache hit of the old name's runs for the new name);
    - ``moved``: the step's placement (``old``/``new``: ``"top level"``,
      ``"if-branch of Check"``, ``"else-branch of Check"``);
    - ``dependencies``: the steps it depends on (data references and ``DependsOn``),
      ``old``/``new`` as tuples of names;
    - ``asset``: a file asset of a ``cdk.out`` (code, say) was replaced: ``old``/``new``
      are its staged files, ``fields`` the paths of the step's fields that name it and
      differ in nothing else (they aren't listed as ``changed`` too).

    Added and removed steps carry ``step_type``, ``placement`` and ``dependencies``; an
    added job step also its ``job``: the fields that say what it costs and may do
    (``JOB_FIELDS``: instance type and count, volume, run-time limits, tuning and AutoML
    limits, a registration's group and approval status, image, role; an endpoint
    configuration's variants, ``VARIANT_FIELDS``, and data capture; the configuration an
    endpoint runs; an inference component's copies and what each reserves), as they are
    in the entry. An ``asset`` change carries the
    ``asset_hashes`` (old, new) and ``asset_names``: each side's display name in the
    ``cdk.out`` (``Training/CodeEvaluatePy``), or its staged file's name. A changed field
    of a parameter carries ``used_by``: ``(step, field path)`` of each use of the parameter
    in the new definition.
    A field added has ``old`` ``ABSENT``; a field removed has ``new`` ``ABSENT``.

    Example::

        Change("step", "changed", "Train", path="Arguments.ResourceConfig.InstanceType",
               old="ml.m5.xlarge", new="ml.m5.2xlarge")
    """

    subject: Subject
    kind: Kind
    name: str | None = None
    path: str = ""
    old: Any = ABSENT
    new: Any = ABSENT
    old_name: str | None = None
    step_type: str | None = None
    placement: str | None = None
    dependencies: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    similarity: float | None = None
    job: Mapping[str, Any] | None = None
    asset_hashes: tuple[str, str] | None = None
    asset_names: tuple[str, str] | None = None
    used_by: tuple[tuple[str, str], ...] = ()
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-able data (full values; absent values and empty details left out).

        Example::

            {"subject": "step", "kind": "changed", "name": "Train",
             "path": "Arguments.ResourceConfig.InstanceType",
             "old": "ml.m5.xlarge", "new": "ml.m5.2xlarge"}
        """
        data: dict[str, Any] = {"subject": self.subject, "kind": self.kind}
        if self.name is not None:
            data["name"] = self.name
        if self.old_name is not None:
            data["old_name"] = self.old_name
        if self.path:
            data["path"] = self.path
        for key, value in (("old", self.old), ("new", self.new)):
            if value is not ABSENT:
                data[key] = list(value) if isinstance(value, tuple) else value
        if self.step_type is not None:
            data["step_type"] = self.step_type
        if self.placement is not None:
            data["placement"] = self.placement
        if self.kind in ("added", "removed") and self.subject == "step" and not self.path:
            data["dependencies"] = list(self.dependencies)
        if self.fields:
            data["fields"] = list(self.fields)
        if self.similarity is not None:
            data["similarity"] = self.similarity
        if self.job is not None:
            data["job"] = dict(self.job)
        if self.asset_hashes is not None:
            data["asset_hashes"] = list(self.asset_hashes)
        if self.asset_names is not None:
            data["asset_names"] = list(self.asset_names)
        if self.used_by:
            data["used_by"] = [{"step": step, "path": path} for step, path in self.used_by]
        if self.cached:
            data["cached"] = True
        return data


@dataclass(frozen=True, slots=True)
class DefinitionDiff:
    """Every difference between two definitions, in a deterministic order.

    Top-level fields first, then parameters, then steps, each in the new definition's order
    followed by what was removed (in the old one's order). Falsy when there are none.

    Example::

        diff = diff_definitions(old, new)
        [change.path for change in diff.changes if change.name == "Train"]
        # ['Arguments.ResourceConfig.InstanceType']
    """

    changes: tuple[Change, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """``{"equal": …, "changes": [...]}`` as JSON-able data."""
        return {"equal": not self.changes, "changes": [c.to_dict() for c in self.changes]}

    def _repr_markdown_(self) -> str:
        """A notebook's view: ``render_markdown(diff)``, as ``smpipe diff --markdown`` prints."""
        return render_markdown(self)


def diff_definitions(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    old_assets: Mapping[str, str] | None = None,
    new_assets: Mapping[str, str] | None = None,
    old_asset_names: Mapping[str, str] | None = None,
    new_asset_names: Mapping[str, str] | None = None,
) -> DefinitionDiff:
    """Compare two compiled definitions (ours, the SDK's, or any readable definition JSON).

    ``old_assets``/``new_assets`` map the hashes of each side's file assets to their staged
    files (``ReviewSource.assets`` of a ``cdk.out``): a step field that differs only in
    such a hash is reported as one ``asset`` change naming both files, not as a changed
    hash in each field that names the asset. ``old_asset_names``/``new_asset_names`` map
    those hashes to the assets' display names (``ReviewSource.asset_names``), which the
    change carries (a staged file's name stands in for a display name not given).

    Example::

        old = {"Version": "2020-12-01", "Parameters": [], "Steps": [
            {"Name": "Fail", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]}
        new = {"Version": "2020-12-01", "Parameters": [], "Steps": [
            {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]}
        diff_definitions(old, new).changes
        # (Change(subject='step', kind='renamed', name='Stop', old_name='Fail', ...),)
    """
    for side, given, what, attribute in (
        ("old", old_assets, "staged files", "assets"),
        ("new", new_assets, "staged files", "assets"),
        ("old", old_asset_names, "display names", "asset_names"),
        ("new", new_asset_names, "display names", "asset_names"),
    ):
        if given is not None and not (
            isinstance(given, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in given.items())
        ):
            raise TypeError(
                f"diff_definitions: {side}_{attribute} must map asset hashes to {what}, both "
                f"strings (ReviewSource.{attribute}), got {type(given).__name__}"
            )
    for side, definition in (("old", old), ("new", new)):
        if not isinstance(definition, Mapping):
            raise TypeError(
                f"diff_definitions: the {side} definition must be a mapping (the definition "
                f"JSON read with json.load), got {type(definition).__name__}"
            )
        if _deeper_than(definition, MAX_DEPTH):
            raise ValueError(
                f"the {side} definition is nested more than {MAX_DEPTH} levels deep, too "
                "deep to compare"
            )
    # Compared as the JSON they deploy: a tuple of a definition built in Python is a list.
    old, new = _tuples_as_lists(old), _tuples_as_lists(new)
    changes: list[Change] = []
    parameters_old, parameters_new = _named(old.get("Parameters")), _named(new.get("Parameters"))
    steps_old, steps_new = _steps(old), _steps(new)
    generic = ["Parameters"] if parameters_old is None or parameters_new is None else []
    if steps_old is None or steps_new is None:
        generic.append("Steps")
    top_old = {k: v for k, v in old.items() if k not in ("Parameters", "Steps") or k in generic}
    top_new = {k: v for k, v in new.items() if k not in ("Parameters", "Steps") or k in generic}
    for path, before, after in _field_changes(top_old, top_new, ""):
        kind = _field_kind(before, after)
        changes.append(Change("definition", kind, path=path, old=before, new=after))
    if parameters_old is not None and parameters_new is not None:
        uses = _parameter_uses(steps_new) if steps_new is not None else {}
        changes.extend(_parameter_changes(parameters_old, parameters_new, uses))
    if steps_old is not None and steps_new is not None:
        assets = _Assets(
            (old_assets or {}, new_assets or {}), (old_asset_names or {}, new_asset_names or {})
        )
        changes.extend(_step_changes(steps_old, steps_new, assets))
    return DefinitionDiff(tuple(changes))


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects and lists more than ``limit`` levels (no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, Mapping | list | tuple):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, Mapping) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def _tuples_as_lists(value: Any) -> Any:
    """``value`` with every tuple a list, as ``json.dumps`` writes it (depth already bounded)."""
    if isinstance(value, Mapping):
        return {key: _tuples_as_lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_tuples_as_lists(item) for item in value]
    return value


# --- parameters ----------------------------------------------------------------------------


def _named(entries: Any) -> dict[str, Mapping[str, Any]] | None:
    """Parameters by name, or None when they aren't a list of uniquely named entries."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        return None
    found: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("Name"), str):
            return None
        if entry["Name"] in found:
            return None
        found[entry["Name"]] = entry
    return found


def _parameter_changes(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    uses: Mapping[str, tuple[tuple[str, str], ...]],
) -> Iterator[Change]:
    for name, entry in new.items():
        if name not in old:
            yield Change("parameter", "added", name, new=dict(entry))
            continue
        before = {k: v for k, v in old[name].items() if k != "Name"}
        after = {k: v for k, v in entry.items() if k != "Name"}
        for path, value_before, value_after in _field_changes(before, after, ""):
            kind = _field_kind(value_before, value_after)
            yield Change(
                "parameter",
                kind,
                name,
                path,
                value_before,
                value_after,
                used_by=uses.get(name, ()),
            )
    for name, entry in old.items():
        if name not in new:
            yield Change("parameter", "removed", name, old=dict(entry))


def _parameter_uses(steps: _Steps) -> dict[str, tuple[tuple[str, str], ...]]:
    """``(step, field path)`` of each ``Get: Parameters.<name>``, by parameter name.

    In step order, then field order; a condition's branch steps are listed as steps of
    their own, not as fields of the condition.
    """
    uses: dict[str, list[tuple[str, str]]] = {}
    for name, spec in steps.specs.items():
        for path, parameter in _parameter_references(_comparable(spec.entry, {}), ""):
            pair = (name, path)
            if pair not in uses.setdefault(parameter, []):
                uses[parameter].append(pair)
    return {parameter: tuple(found) for parameter, found in uses.items()}


def _parameter_references(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(field path, parameter)`` of each parameter reference in ``value``.

    A reference inside an expression (a ``Join``, say) is at the expression's path.
    """
    if isinstance(value, Mapping):
        reference = value.get("Get") if len(value) == 1 else None
        if isinstance(reference, str):
            if reference.startswith("Parameters."):
                yield path, reference[len("Parameters.") :]
            return
        if _is_expression(value):
            for _, parameter in _parameter_references(next(iter(value.values())), path):
                yield path, parameter
            return
        for key, item in value.items():
            yield from _parameter_references(item, _child_path(path, key))
    elif isinstance(value, list):
        # Named items by name, as the diff's paths have them (``ProcessingInputs[code]``).
        key = _name_key(value, value)
        labels = [_item_label(item[key]) for item in value] if key else range(len(value))
        for label, item in zip(labels, value, strict=True):
            yield from _parameter_references(item, f"{path}[{label}]")


# --- steps ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Steps:
    """A definition's steps by name (branch steps included) and what each depends on."""

    specs: Mapping[str, StepSpec]
    dependencies: Mapping[str, tuple[str, ...]]


def _steps(definition: Mapping[str, Any]) -> _Steps | None:
    """The steps, or None when some entry has no name or a name twice (then diffed as JSON)."""
    entries = definition.get("Steps")
    if entries is not None and not isinstance(entries, list):
        return None
    specs = {spec.name: spec for spec in walk_steps(entries)}
    if len(specs) != count_entries(entries):
        return None
    order = list(specs)
    dependencies = {
        name: tuple(
            sorted(
                (used for used in step_references(spec.entry) if used in specs and used != name),
                key=order.index,
            )
        )
        for name, spec in specs.items()
    }
    return _Steps(specs, dependencies)


def _type_of(spec: StepSpec) -> str | None:
    """The step's ``Type`` (None when it has none: ``StepSpec`` would say ``"None"``)."""
    kind = spec.entry.get("Type")
    return kind if isinstance(kind, str) else None


def _placement(spec: StepSpec, renames: Mapping[str, str]) -> str:
    if spec.condition is None:
        return "top level"
    branch = "if" if spec.branch else "else"
    return f"{branch}-branch of {renames.get(spec.condition, spec.condition)}"


@dataclass(frozen=True, slots=True)
class _Assets:
    """Each side's file assets: hash → staged file, and hash → display name."""

    staged: tuple[Mapping[str, str], Mapping[str, str]]
    names: tuple[Mapping[str, str], Mapping[str, str]]


def _step_changes(old: _Steps, new: _Steps, assets: _Assets) -> Iterator[Change]:
    removed = [name for name in old.specs if name not in new.specs]
    added = [name for name in new.specs if name not in old.specs]
    renames = _renames(old, new, removed, added)
    similarities = _similar_renames(old, new, removed, added, renames)
    renamed_to = {new_name: old_name for old_name, new_name in renames.items()}
    for name, spec in new.specs.items():
        old_name = renamed_to.get(name, name)
        if old_name not in old.specs:
            yield _whole_step_change("added", name, new)
            continue
        if old_name != name:
            yield Change(
                "step",
                "renamed",
                name,
                old_name=old_name,
                step_type=_type_of(spec),
                similarity=similarities.get(old_name),
                cached=_is_cached(old.specs[old_name]) or _is_cached(spec),
            )
        changes = _changes_of_step(name, old.specs[old_name], spec, old, new, renames)
        yield from _with_asset_changes(list(changes), assets)
    for name in removed:
        if name not in renames:
            yield _whole_step_change("removed", name, old)


def _is_cached(spec: StepSpec) -> bool:
    """Whether the step's ``CacheConfig`` turns caching on (or may: a value not literally off)."""
    cache = spec.entry.get("CacheConfig")
    return isinstance(cache, Mapping) and cache.get("Enabled") not in (None, False)


def _whole_step_change(kind: Kind, name: str, steps: _Steps) -> Change:
    """A step added (found in ``steps``, the new side) or removed (in the old side)."""
    spec = steps.specs[name]
    return Change(
        "step",
        kind,
        name,
        step_type=_type_of(spec),
        placement=_placement(spec, {}),
        dependencies=steps.dependencies[name],
        job=_job(spec.entry) if kind == "added" else None,
    )


JOB_FIELDS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    **{
        step_type: (
            ("instance_type", "ProcessingResources.ClusterConfig.InstanceType"),
            ("instance_count", "ProcessingResources.ClusterConfig.InstanceCount"),
            ("volume_size_gb", "ProcessingResources.ClusterConfig.VolumeSizeInGB"),
            ("max_runtime_seconds", "StoppingCondition.MaxRuntimeInSeconds"),
            ("image", "AppSpecification.ImageUri"),
            ("role", "RoleArn"),
        )
        for step_type in ("Processing", "QualityCheck", "ClarifyCheck")
    },
    "Training": (
        ("instance_type", "ResourceConfig.InstanceType"),
        ("instance_count", "ResourceConfig.InstanceCount"),
        ("instance_groups", "ResourceConfig.InstanceGroups"),
        ("volume_size_gb", "ResourceConfig.VolumeSizeInGB"),
        ("max_runtime_seconds", "StoppingCondition.MaxRuntimeInSeconds"),
        ("managed_spot", "EnableManagedSpotTraining"),
        ("max_wait_seconds", "StoppingCondition.MaxWaitTimeInSeconds"),
        ("image", "AlgorithmSpecification.TrainingImage"),
        ("algorithm", "AlgorithmSpecification.AlgorithmName"),
        ("role", "RoleArn"),
    ),
    "Tuning": (
        ("max_jobs", "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs"),
        (
            "max_parallel_jobs",
            "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs",
        ),
        ("max_tuning_seconds", "HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds"),
        *(
            (key, f"{definition}.{path}")
            for definition in ("TrainingJobDefinition", "TrainingJobDefinitions[*]")
            for key, path in (
                ("instance_type", "ResourceConfig.InstanceType"),
                ("instance_count", "ResourceConfig.InstanceCount"),
                ("volume_size_gb", "ResourceConfig.VolumeSizeInGB"),
                ("max_runtime_seconds", "StoppingCondition.MaxRuntimeInSeconds"),
                ("managed_spot", "EnableManagedSpotTraining"),
                ("image", "AlgorithmSpecification.TrainingImage"),
                ("role", "RoleArn"),
            )
        ),
    ),
    "Transform": (
        ("instance_type", "TransformResources.InstanceType"),
        ("instance_count", "TransformResources.InstanceCount"),
        ("model", "ModelName"),
    ),
    "Model": (
        ("image", "PrimaryContainer.Image"),
        ("image", "Containers[*].Image"),
        ("role", "ExecutionRoleArn"),
    ),
    # What a registration puts before the approvers: its group and approval status.
    "RegisterModel": (
        ("group", "ModelPackageGroupName"),
        ("approval", "ModelApprovalStatus"),
        ("image", "InferenceSpecification.Containers[*].Image"),
    ),
    "AutoML": (
        ("max_candidates", "AutoMLJobConfig.CompletionCriteria.MaxCandidates"),
        (
            "max_runtime_seconds",
            "AutoMLJobConfig.CompletionCriteria.MaxRuntimePerTrainingJobInSeconds",
        ),
        ("max_job_seconds", "AutoMLJobConfig.CompletionCriteria.MaxAutoMLJobRuntimeInSeconds"),
        ("role", "RoleArn"),
    ),
    # Deployment steps. An endpoint configuration's variants are VARIANT_FIELDS (its
    # "variants" and "shadow_variants"), then what it captures and where async results go.
    "EndpointConfig": (
        ("data_capture_percent", "DataCaptureConfig.InitialSamplingPercentage"),
        ("data_capture_enabled", "DataCaptureConfig.EnableCapture"),
        ("data_capture_modes", "DataCaptureConfig.CaptureOptions[*].CaptureMode"),
        ("data_capture_destination", "DataCaptureConfig.DestinationS3Uri"),
        ("async_output", "AsyncInferenceConfig.OutputConfig.S3OutputPath"),
        ("role", "ExecutionRoleArn"),
    ),
    # Which configuration the endpoint runs, and how an existing one is updated to it.
    "Endpoint": (
        ("endpoint", "EndpointName"),
        ("endpoint_config", "EndpointConfigName"),
        ("deployment", "DeploymentConfig"),
    ),
    # What each copy of the component reserves of its endpoint's instances, and where.
    "InferenceComponent": (
        ("copies", "RuntimeConfig.CopyCount"),
        (
            "accelerators",
            "Specification.ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired",
        ),
        ("cpu_cores", "Specification.ComputeResourceRequirements.NumberOfCpuCoresRequired"),
        ("min_memory_mb", "Specification.ComputeResourceRequirements.MinMemoryRequiredInMb"),
        ("max_memory_mb", "Specification.ComputeResourceRequirements.MaxMemoryRequiredInMb"),
        ("endpoint", "EndpointName"),
        ("variant", "VariantName"),
        ("model", "Specification.ModelName"),
        ("image", "Specification.Container.Image"),
        ("base_component", "Specification.BaseInferenceComponentName"),
    ),
}
"""Per step type, ``(key, path in Arguments)`` of what an added job step costs and may do
(a deployment step: what the endpoint will run): ``Change.job`` has the keys whose path
the entry has (``[*]``: each item of a list, the values as a list: the definitions of a
tuning step of several algorithms)."""

VARIANT_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("name", "VariantName"),
    ("instance_type", "InstanceType"),
    ("instance_count", "InitialInstanceCount"),
    ("volume_size_gb", "VolumeSizeInGB"),
    ("serverless", "ServerlessConfig"),
    ("weight", "InitialVariantWeight"),
    ("model", "ModelName"),
)
"""``(key, path in a ProductionVariant)`` of what each variant of an added EndpointConfig
step runs (``Change.job["variants"]``; ``"shadow_variants"`` for its
``ShadowProductionVariants``): instances, or a serverless variant's ``SERVERLESS_FIELDS``."""

SERVERLESS_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("memory_size_mb", "MemorySizeInMB"),
    ("max_concurrency", "MaxConcurrency"),
    ("provisioned_concurrency", "ProvisionedConcurrency"),
)
"""``(key, member of ServerlessConfig)`` of a serverless variant's ``"serverless"``."""

_VARIANT_LISTS: Final = (
    ("variants", "ProductionVariants"),
    ("shadow_variants", "ShadowProductionVariants"),
)


def _job(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """``JOB_FIELDS`` of a job step's entry, None for a step of another type or none of them."""
    fields = JOB_FIELDS.get(str(entry.get("Type")))
    arguments = entry.get("Arguments")
    if fields is None or not isinstance(arguments, Mapping):
        return None
    job: dict[str, Any] = {}
    if entry.get("Type") == "EndpointConfig":
        for key, member in _VARIANT_LISTS:
            variants = arguments.get(member)
            if isinstance(variants, list) and variants:
                job[key] = [_variant(variant) for variant in variants]
    for key, path in fields:
        if key in job:
            continue  # one tuning step has one of TrainingJobDefinition(s)
        if "[*]" in path:
            head, _, tail = path.partition("[*].")
            items = _at(arguments, head)
            found = [_at(item, tail) for item in items] if isinstance(items, list) else []
            values = [value for value in found if value is not ABSENT]
            if values:
                job[key] = values
        else:
            value = _at(arguments, path)
            if value is not ABSENT:
                job[key] = value
    return job or None


def _variant(variant: Any) -> Any:
    """``VARIANT_FIELDS`` of a production variant (anything else as it is: an expression)."""
    if not isinstance(variant, Mapping):
        return variant
    found: dict[str, Any] = {}
    for key, path in VARIANT_FIELDS:
        value = _at(variant, path)
        if value is ABSENT:
            continue
        if key == "serverless" and isinstance(value, Mapping):
            value = {name: value[member] for name, member in SERVERLESS_FIELDS if member in value}
        found[key] = value
    return found


def _at(value: Any, path: str) -> Any:
    """The value at a dotted ``path`` of ``value``, ABSENT when there is none."""
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return ABSENT
        value = value[key]
    return value


def _changes_of_step(
    name: str,
    before: StepSpec,
    after: StepSpec,
    old: _Steps,
    new: _Steps,
    renames: Mapping[str, str],
) -> Iterator[Change]:
    type_ = _type_of(after)
    placement_before, placement_after = _placement(before, renames), _placement(after, {})
    if placement_before != placement_after:
        yield Change("step", "moved", name, "", placement_before, placement_after, step_type=type_)
    needs_before = tuple(renames.get(d, d) for d in old.dependencies[before.name])
    needs_after = new.dependencies[name]
    if set(needs_before) != set(needs_after):
        yield Change("step", "dependencies", name, "", needs_before, needs_after, step_type=type_)
    entry_before = _comparable(before.entry, renames)
    entry_after = _comparable(after.entry, {})
    for path, value_before, value_after in _field_changes(entry_before, entry_after, ""):
        kind = _field_kind(value_before, value_after)
        yield Change("step", kind, name, path, value_before, value_after, step_type=type_)


def _renames(old: _Steps, new: _Steps, removed: list[str], added: list[str]) -> dict[str, str]:
    """Removed steps whose entry is an added one's apart from names: ``{old: new}``.

    Apart from names means: references to renamed steps, and values that are the step's
    own name (a default output location, ``…/<step>/<output>``, has one). Repeated until
    nothing more matches, so steps renamed together (one referring to the other) are
    found too.
    """
    renames: dict[str, str] = {}
    found = True
    while found:
        found = False
        # Added steps by type and canonical entry (with the entry: JSON text is not `_same`).
        waiting: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        for name in added:
            if name not in renames.values():
                entry = _apart_from_names(new.specs[name], {})
                key = _canonical(entry)
                if key is not None:
                    waiting.setdefault((new.specs[name].step_type, key), []).append((name, entry))
        for old_name in removed:
            if old_name in renames:
                continue
            entry = _apart_from_names(old.specs[old_name], renames)
            key = _canonical(entry)
            candidates = waiting.get((old.specs[old_name].step_type, key or ""), [])
            match = next(
                (i for i, (_, other) in enumerate(candidates) if _same(entry, other)), None
            )
            if key is not None and match is not None:
                renames[old_name] = candidates.pop(match)[0]
                found = True
    return renames


def _similar_renames(
    old: _Steps, new: _Steps, removed: list[str], added: list[str], renames: dict[str, str]
) -> dict[str, float]:
    """Add to ``renames`` the removed steps most like an added one; their similarities.

    Pairs of one step type are scored by the share of values (apart from names) their
    entries have in common, and taken best first at or above ``RENAME_SIMILARITY``. The
    pairs left are scored again while that finds more: a rename turns references to the
    renamed step into equal values. A similarity is rounded down to a whole percent (so
    below 1); a step paired here that turns out equal apart from names has none.
    """
    similarities: dict[str, float] = {}
    leaves_new = {name: _leaf_values(_apart_from_names(new.specs[name], {})) for name in added}
    while True:
        old_left = [name for name in removed if name not in renames]
        new_left = [name for name in added if name not in renames.values()]
        pairs = [
            (old_name, new_name)
            for old_name in old_left
            for new_name in new_left
            if old.specs[old_name].step_type == new.specs[new_name].step_type
        ]
        if not pairs or len(pairs) > MAX_RENAME_PAIRS:
            break
        leaves_old = {
            name: _leaf_values(_apart_from_names(old.specs[name], renames)) for name in old_left
        }
        scored = []
        for old_name, new_name in pairs:
            score = _similarity(leaves_old[old_name], leaves_new[new_name])
            if score >= RENAME_SIMILARITY:
                scored.append((score, old_name, new_name))
        scored.sort(key=lambda candidate: -candidate[0])  # stable: ties keep listing order
        found = False
        for score, old_name, new_name in scored:
            if old_name not in renames and new_name not in renames.values():
                renames[old_name] = new_name
                similarities[old_name] = score
                found = True
        if not found:
            break
    # Scored before the steps it refers to were paired, a step may be equal apart from names
    # now: a plain rename. No other rename shows as 100%, which would hide its changes.
    return {
        old_name: min(math.floor(score * 100) / 100, 0.99)
        for old_name, score in similarities.items()
        if not _equal_but_for_names(old.specs[old_name], new.specs[renames[old_name]], renames)
    }


def _equal_but_for_names(before: StepSpec, after: StepSpec, renames: Mapping[str, str]) -> bool:
    """Whether the entries differ in no field once ``before``'s name is the new one.

    That is, in values that are it and in references to it or to other renamed steps. As
    the diff compares fields: named list items reordered are no difference (the diff lists
    none, so a similarity would explain nothing).
    """
    entry = _entry_with_own_name(before.entry, before.name, after.name)
    fields = _field_changes(_comparable(entry, renames), _comparable(after.entry, {}), "")
    return next(fields, None) is None


# Stands for the step's own name on both sides of a rename.
_OWN_NAME: Final = "\x00own-name"


def _apart_from_names(spec: StepSpec, renames: Mapping[str, str]) -> dict[str, Any]:
    """The step's entry to compare across a rename.

    References to renamed steps are renamed, and the step's own name, in values and in
    references to itself, is replaced by one marker on both sides.
    """
    entry = _entry_with_own_name(spec.entry, spec.name, _OWN_NAME)
    return _comparable(entry, {**renames, spec.name: _OWN_NAME})


def _entry_with_own_name(entry: Mapping[str, Any], old_name: str, new_name: str) -> dict[str, Any]:
    """The entry with its values that are ``old_name`` made ``new_name``.

    But for ``Type``: a step may be named for its type (``RegisterModel``).
    """
    return {
        key: value if key == "Type" else _with_own_name(value, old_name, new_name)
        for key, value in entry.items()
    }


def _canonical(value: Any) -> str | None:
    """One text for values equal as JSON; None for a value that isn't JSON.

    Values ``_same`` tells apart may share one (a tuple and a list): check a match with it.
    """
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        return None


def _similarity(left: Counter[str], right: Counter[str]) -> float:
    """The share of leaf values two entries have in common (``_leaf_values``), 0 to 1."""
    total = left.total() + right.total()
    return 2 * (left & right).total() / total if total else 1.0


def _leaf_values(value: Any) -> Counter[str]:
    """``path=value`` of every leaf of ``value`` (an empty object or list is a leaf)."""
    return Counter(_leaf_texts(value))


def _leaf_texts(value: Any) -> Iterator[str]:
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, Mapping) and item:
            pending.extend((f"{path}.{key}", child) for key, child in item.items())
        elif isinstance(item, list) and item:
            # Named items by name, as the diff matches them: an input inserted at the head
            # of a list is one item more, not every item changed.
            key = _name_key(item, item)
            labels = [repr(child[key]) for child in item] if key else range(len(item))
            named = zip(labels, item, strict=True)
            pending.extend((f"{path}[{label}]", child) for label, child in named)
        else:
            yield f"{path}={_json(item)}"


def _comparable(entry: Mapping[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    """The entry less its name and branches, with references to renamed steps renamed."""
    result: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "Name":
            continue
        if key == "DependsOn" and isinstance(value, list):
            result[key] = [
                renames.get(item, item) if isinstance(item, str) else item for item in value
            ]
        elif key == "Arguments" and entry.get("Type") == "Condition" and isinstance(value, Mapping):
            arguments = {k: v for k, v in value.items() if k not in BRANCH_KEYS}
            result[key] = _with_renames(arguments, renames)
        else:
            result[key] = _with_renames(value, renames)
    return result


def _with_renames(value: Any, renames: Mapping[str, str]) -> Any:
    """``value`` with ``Steps.<old>…`` references pointing at the new names."""
    if not renames:
        return value
    if isinstance(value, Mapping):
        reference = value.get("Get") if len(value) == 1 else None
        if isinstance(reference, str):
            match = _STEP_REFERENCE.fullmatch(reference)
            if match is not None and match[1] in renames:
                return {"Get": f"Steps.{renames[match[1]]}{match[2]}"}
            return value
        return {key: _with_renames(item, renames) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_renames(item, renames) for item in value]
    return value


def _with_own_name(value: Any, old_name: str, new_name: str) -> Any:
    """``value`` with each string that is ``old_name`` (not keys) made ``new_name``."""
    if isinstance(value, str):
        return new_name if value == old_name else value
    if isinstance(value, Mapping):
        return {key: _with_own_name(item, old_name, new_name) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_own_name(item, old_name, new_name) for item in value]
    return value


def _with_asset_changes(changes: list[Change], assets: _Assets) -> list[Change]:
    """``changes`` of one step, with each replaced asset as one ``asset`` change.

    Fields that differ only in the asset's hash are folded into it; it stands where the
    first of them was.
    """
    if not assets.staged[0] or not assets.staged[1]:
        return changes
    fields: dict[tuple[str, str], list[str]] = {}  # (old hash, new hash) -> fields naming it
    first: dict[tuple[str, str], int] = {}
    kept: list[Change | tuple[str, str]] = []
    for change in changes:
        replaced = _replaced_assets(change, assets.staged) if change.kind == "changed" else None
        if not replaced:
            kept.append(change)
            continue
        for pair in replaced:
            if pair not in fields:
                fields[pair], first[pair] = [], len(kept)
                kept.append(pair)
            fields[pair].append(change.path)
    return [
        item
        if isinstance(item, Change)
        else _asset_change(changes[0], item, tuple(fields[item]), assets)
        for item in kept
    ]


def _asset_change(
    of_step: Change, hashes: tuple[str, str], fields: tuple[str, ...], assets: _Assets
) -> Change:
    """The ``asset`` change of a step (``of_step``: another change of it) for ``hashes``."""
    staged = (assets.staged[0][hashes[0]], assets.staged[1][hashes[1]])
    names = tuple(
        side.get(asset_hash) or _file_name(file)
        for side, asset_hash, file in zip(assets.names, hashes, staged, strict=True)
    )
    return Change(
        "step",
        "asset",
        of_step.name,
        old=staged[0],
        new=staged[1],
        step_type=of_step.step_type,
        fields=fields,
        asset_hashes=hashes,
        asset_names=(names[0], names[1]),
    )


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[2]


def _replaced_assets(
    change: Change, assets: tuple[Mapping[str, str], Mapping[str, str]]
) -> list[tuple[str, str]]:
    """The (old, new) hashes of the staged assets replaced in a changed field.

    None when something else differs too, or a differing hash is no staged asset.
    """
    before, after = (_json(value) for value in (change.old, change.new))
    # The same text around the hashes (so as many hashes on each side).
    if _ASSET_HASH.split(before) != _ASSET_HASH.split(after):
        return []
    hashes_before, hashes_after = _ASSET_HASH.findall(before), _ASSET_HASH.findall(after)
    replaced: list[tuple[str, str]] = []
    for old_hash, new_hash in zip(hashes_before, hashes_after, strict=True):
        if old_hash == new_hash:
            continue
        if old_hash not in assets[0] or new_hash not in assets[1]:
            return []  # a hash, but not of a staged asset (an image digest, say)
        pair = (old_hash, new_hash)
        if pair not in replaced:
            replaced.append(pair)
    return replaced


# --- fields --------------------------------------------------------------------------------


def _field_kind(before: Any, after: Any) -> Kind:
    if before is ABSENT:
        return "added"
    return "removed" if after is ABSENT else "changed"


def _field_changes(
    before: Any, after: Any, path: str, unordered: str | None = None
) -> Iterator[tuple[str, Any, Any]]:
    """``(path, old, new)`` for every leaf that differs (ABSENT on a side that lacks it).

    ``unordered`` names the member of ``before``/``after`` (a Condition step's
    ``Arguments``) that is a set: the same items in another order are no change
    (``UNORDERED_MEMBERS``).
    """
    if _same(before, after):
        return
    if _is_expression(before) or _is_expression(after):
        yield path, before, after
    elif isinstance(before, Mapping) and isinstance(after, Mapping):
        type_ = before.get("Type") if before.get("Type") == after.get("Type") else None
        unordered = _UNORDERED_CONDITION_MEMBERS.get(type_, unordered)
        for key in [*after, *(key for key in before if key not in after)]:
            child = _child_path(path, key)
            item_before, item_after = before.get(key, ABSENT), after.get(key, ABSENT)
            if key == unordered and _same_items(item_before, item_after):
                continue
            # A Condition step's conditions are in its Arguments.
            inner = "Conditions" if type_ == "Condition" and key == "Arguments" else None
            yield from _field_changes(item_before, item_after, child, inner)
    elif isinstance(before, list) and isinstance(after, list) and _structured(before, after):
        name_key = _name_key(before, after)
        if name_key is None:
            for index in range(max(len(before), len(after))):
                item_before = before[index] if index < len(before) else ABSENT
                item_after = after[index] if index < len(after) else ABSENT
                yield from _field_changes(item_before, item_after, f"{path}[{index}]")
        else:
            by_name = {item[name_key]: item for item in before}
            names = [item[name_key] for item in after]
            names += [name for name in by_name if name not in names]
            items_after = {item[name_key]: item for item in after}
            for name in names:
                child = f"{path}[{_item_label(name)}]"
                item_before, item_after = by_name.get(name, ABSENT), items_after.get(name, ABSENT)
                yield from _field_changes(item_before, item_after, child)
    else:
        # Scalars, lists of scalars (arguments, entrypoints: shown whole, as one change),
        # and values whose type changed.
        yield path, before, after


UNORDERED_MEMBERS: Final = ("Condition step: Arguments.Conditions", "Or: Conditions", "In: Values")
"""The lists that are sets, where another order is no change: a Condition step's
conditions (all must hold) and an ``Or``'s (one must) are evaluated whatever their order,
and ``In`` tests membership of its values. Other lists (container arguments, ``IfSteps``,
a ``Join``'s values…) keep their order."""
_UNORDERED_CONDITION_MEMBERS: Final[Mapping[Any, str]] = {"Or": "Conditions", "In": "Values"}


def _same_items(before: Any, after: Any) -> bool:
    """Two lists that hold the same items (as ``_same`` has them), in any order."""
    if not isinstance(before, list) or not isinstance(after, list) or len(before) != len(after):
        return False
    left = list(after)
    for item in before:
        match = next((index for index, other in enumerate(left) if _same(item, other)), None)
        if match is None:
            return False
        del left[match]
    return True


def _same(a: Any, b: Any, printed: bool = False) -> bool:
    """Equal as JSON: ``1`` is ``1.0`` (one number) but not ``true``, key order doesn't count.

    ``printed``: inside a ``Std:Join``, which prints its values, ``10`` and ``10.0`` differ
    (``"10"``, ``"10.0"``).
    """
    if _is_number(a) and _is_number(b) and (not printed or type(a) is type(b)):
        # The service reads numbers as numbers: 10 and 10.0 are one value (as convert's
        # definition_difference has it), a rewrite by another tool is not a change.
        return bool(a == b) or (math.isnan(a) and math.isnan(b))
    if type(a) is not type(b) and not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return False
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(
            _same(a[key], b[key], printed or key == "Std:Join") for key in a
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y, printed) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_expression(value: Any) -> bool:
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Get" or (isinstance(key, str) and key.startswith("Std:"))


def _structured(before: list[Any], after: list[Any]) -> bool:
    """Lists of objects (diffed item by item) rather than of values (shown whole)."""
    items = [*before, *after]
    return any(isinstance(item, Mapping | list) and not _is_expression(item) for item in items)


def _name_key(before: list[Any], after: list[Any]) -> str | None:
    for items in (before, after):
        if not all(isinstance(item, Mapping) for item in items):
            return None
    for key in NAME_KEYS:
        if all(_names_unique(items, key) for items in (before, after)):
            return key
    return None


def _names_unique(items: list[Mapping[str, Any]], key: str) -> bool:
    names = [item.get(key) for item in items]
    return all(isinstance(name, str) for name in names) and len(set(names)) == len(names)


def _child_path(path: str, key: Any) -> str:
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(str(key), ensure_ascii=False)}]"


def _item_label(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) else json.dumps(name, ensure_ascii=False)


# --- rendering values ----------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A definition value as a reviewer reads it: JSON, with expressions written readably.

    Example::

        execution_id = {"Get": "Execution.PipelineExecutionId"}
        format_value({"Std:Join": {"On": "/", "Values": ["s3://b", execution_id]}})
        # 'Join(on="/", values=["s3://b", Execution.PipelineExecutionId])'
    """
    if value is ABSENT:
        return "(absent)"
    if _is_expression(value):
        key, body = next(iter(value.items()))
        if key == "Get" and isinstance(body, str):
            return body
        if key.startswith("Std:"):
            function = key[len("Std:") :]
            if isinstance(body, Mapping) and all(isinstance(k, str) for k in body):
                arguments = ", ".join(f"{_snake(k)}={format_value(v)}" for k, v in body.items())
                return f"{function}({arguments})"
            return f"{function}({format_value(body)})"
    if isinstance(value, Mapping):
        items = (f"{_json(str(key))}: {format_value(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return _json(value)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)  # not JSON (a definition built in Python): still shown


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", "_", key).lower()


def shorten(text: str, width: int = VALUE_WIDTH) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def shorten_pair(old: str, new: str, width: int = VALUE_WIDTH) -> tuple[str, str]:
    """Both texts cut to ``width``, around where they first differ, so they still differ.

    Example::

        shorten_pair("s3://bucket/" + "a" * 80 + "/v1", "s3://bucket/" + "a" * 80 + "/v2", 20)
        # ('…aaaaaaaaaaaaaa/v1', '…aaaaaaaaaaaaaa/v2')
    """
    if len(old) <= width and len(new) <= width:
        return old, new
    first = next(
        (index for index, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    # Keep some context before the difference; the difference itself is always inside.
    start = max(0, min(first - width // 3, max(len(old), len(new)) - width + 1))
    return _window(old, start, width), _window(new, start, width)


def _window(text: str, start: int, width: int) -> str:
    prefix = "…" if start > 0 else ""
    piece = text[start : start + width - len(prefix)]
    if start + len(piece) < len(text):
        piece = piece[:-1] + "…"
    return prefix + piece


# --- rendering diffs -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Code:
    """A piece of a line that Markdown puts in backticks."""

    text: str


_Piece = str | _Code


@dataclass(frozen=True, slots=True)
class _Line:
    level: int
    pieces: tuple[_Piece, ...]


def _group(change: Change) -> str:
    """The output section a change is listed under."""
    if change.subject == "definition":
        return "Definition"
    if change.subject == "parameter":
        return "Parameters"
    if change.kind in ("added", "removed", "renamed") and not change.path:
        return f"Steps {change.kind}"
    return "Steps changed"


_GROUPS: Final = (
    "Definition",
    "Parameters",
    "Steps added",
    "Steps removed",
    "Steps renamed",
    "Steps changed",
)


def summary(diff: DefinitionDiff) -> str:
    """``1 parameter changed, 1 step added, 2 steps changed`` (``no changes`` when equal).

    Example::

        summary(diff_definitions(old, old))  # 'no changes'
    """
    _check_arguments("summary", diff)
    parts: list[str] = []
    for group in _GROUPS:
        members = [change for change in diff.changes if _group(change) == group]
        if not members:
            continue
        if group == "Definition":
            plural = "" if len(members) == 1 else "s"
            parts.append(f"{len(members)} top-level change{plural}")
        elif group == "Parameters":
            for kind in ("added", "removed", "changed"):
                names = {c.name for c in members if (c.kind if not c.path else "changed") == kind}
                if names:
                    parts.append(_count(len(names), "parameter", kind))
        else:
            names = {change.name for change in members}
            parts.append(_count(len(names), "step", group.split()[1]))
    return ", ".join(parts) if parts else "no changes"


def _count(number: int, noun: str, verb: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'} {verb}"


def render_text(diff: DefinitionDiff, labels: tuple[str, str] | None = None) -> str:
    """The diff for a terminal: a summary line, then changes grouped by section.

    Example output::

        main.json → branch.json: 1 step changed
        Steps changed:
          Train (Training)
            Arguments.ResourceConfig.InstanceType: "ml.m5.xlarge" → "ml.m5.2xlarge"
    """
    _check_arguments("render_text", diff, labels)
    lines = [_header(diff, labels)]
    for title, body in _sections(diff):
        lines.append(f"{title}:")
        for line in body:
            lines.append("  " * (line.level + 1) + "".join(_plain(p) for p in line.pieces))
    return "\n".join(lines) + "\n"


def render_markdown(diff: DefinitionDiff, labels: tuple[str, str] | None = None) -> str:
    """The diff as Markdown (for a pull request comment): a summary, then grouped lists.

    Example output::

        **Pipeline definition diff** `main.json` → `branch.json`: 1 step changed

        **Steps changed**
        - `Train` (Training)
          - `Arguments.ResourceConfig.InstanceType`: `"ml.m5.xlarge"` → `"ml.m5.2xlarge"`
    """
    _check_arguments("render_markdown", diff, labels)
    header = "**Pipeline definition diff**"
    if labels is not None:
        header += f" {_markdown(_Code(labels[0]))} → {_markdown(_Code(labels[1]))}"
    lines = [f"{header}: {summary(diff)}"]
    for title, body in _sections(diff):
        lines += ["", f"**{title}**"]
        for line in body:
            text = "".join(_markdown(piece) for piece in line.pieces)
            lines.append("  " * line.level + "- " + text)
    return "\n".join(lines) + "\n"


def render_json(diff: DefinitionDiff, labels: tuple[str, str] | None = None) -> dict[str, Any]:
    """The diff as JSON-able data: ``{"old": …, "new": …, "equal": …, "changes": [...]}``."""
    _check_arguments("render_json", diff, labels)
    data: dict[str, Any] = {}
    if labels is not None:
        data.update(old=labels[0], new=labels[1])
    data.update(diff.to_dict())
    return data


def _check_arguments(function: str, diff: Any, labels: Any = None) -> None:
    """Raise ``TypeError`` naming ``function`` for a diff or labels of another kind.

    A string given as ``labels`` would be unpacked letter by letter (``"main"`` read as
    ``"m"`` → ``"a"``).
    """
    if not isinstance(diff, DefinitionDiff):
        raise TypeError(
            f"{function}: diff must be what diff_definitions returns (a DefinitionDiff), got "
            f"{type(diff).__name__}"
        )
    if labels is not None and not (
        isinstance(labels, tuple | list)
        and len(labels) == 2
        and all(isinstance(label, str) for label in labels)
    ):
        raise TypeError(
            f"{function}: labels must be two strings, the old side's and the new side's "
            f"(such as ('main', 'my-branch')), got {labels!r}"
        )


def _header(diff: DefinitionDiff, labels: tuple[str, str] | None) -> str:
    if labels is None:
        return summary(diff)
    return f"{labels[0]} → {labels[1]}: {summary(diff)}"


def _plain(piece: _Piece) -> str:
    return piece.text if isinstance(piece, _Code) else piece


def _markdown(piece: _Piece) -> str:
    if not isinstance(piece, _Code):
        return piece
    fence = "`"
    while fence in piece.text:
        fence += "`"
    padding = " " if piece.text.startswith("`") or piece.text.endswith("`") else ""
    return f"{fence}{padding}{piece.text}{padding}{fence}"


def _sections(diff: DefinitionDiff) -> Iterator[tuple[str, list[_Line]]]:
    for group in _GROUPS:
        members = [change for change in diff.changes if _group(change) == group]
        if not members:
            continue
        if group == "Steps changed":
            yield group, list(_step_lines(members))
        else:
            lines: list[_Line] = []
            for change in members:
                lines.append(_Line(0, _describe(change)))
                job_lines = _job_lines(change.job or {}, change.step_type)
                lines += [_Line(1, pieces) for pieces in job_lines]
                if change.kind == "removed" and change.step_type == "Endpoint":
                    lines.append(_Line(1, (_ENDPOINT_STAYS,)))
            yield group, lines


# An endpoint is deleted by no execution, and by no change to the pipeline either.
_ENDPOINT_BILLS = "bills until deleted: the endpoint outlives the pipeline's executions"
_ENDPOINT_STAYS = "the endpoint it deployed stays, and bills, until deleted"


# Job steps whose API takes a run-time limit SageMaker doesn't default in its reference
# (a training job's default, 1 day, is documented; a transform job takes none).
_UNBOUNDED_WITHOUT_LIMIT = frozenset({"Processing", "QualityCheck", "ClarifyCheck"})


def _job_lines(job: Mapping[str, Any], step_type: str | None = None) -> list[tuple[_Piece, ...]]:
    """An added job step's ``Change.job``: resources and limits, then image and role.

    A registration's group and approval status come after its limits; a processing job
    (or check) that states no run-time limit says so.

    Example output::

        ml.m5.xlarge × 2, 30 GB volume, at most 1 h
        image …/sagemaker-xgboost:1.7-1
        role arn:aws:iam::111122223333:role/StepRole
    """
    if not job:
        return []
    deployment = _DEPLOYMENT_LINES.get(step_type or "")
    if deployment is not None:
        return deployment(job)
    limits: list[tuple[_Piece, ...]] = []
    kinds, counts = job.get("instance_type"), job.get("instance_count")
    if isinstance(kinds, list) and isinstance(counts, list) and len(kinds) == len(counts):
        # A tuning step of several training job definitions: each one's instances.
        for kind, count in zip(kinds, counts, strict=True):
            limits.append((_Code(shorten(_plain_value(kind))), " × ", _Code(_each(count))))
    elif "instance_type" in job:
        instances: tuple[_Piece, ...] = (_Code(shorten(_plain_value(kinds))),)
        if "instance_count" in job:
            instances += (" × ", _Code(_each(counts)))
        limits.append(instances)
    elif "instance_count" in job:
        limits.append((_Code(_each(counts)), " instances"))
    if "instance_groups" in job:
        limits.append(("instance groups ", _Code(shorten(format_value(job["instance_groups"])))))
    for key, before, after in (
        ("volume_size_gb", "", " GB volume"),
        ("max_jobs", "at most ", " jobs"),
        ("max_parallel_jobs", "", " in parallel"),
        ("max_candidates", "at most ", " candidates"),
    ):
        if key in job:
            limits.append((before, _Code(_each(job[key])), after))
    for key, before in (
        ("max_runtime_seconds", "at most "),
        ("max_tuning_seconds", "tuning at most "),
        ("max_job_seconds", "job at most "),
    ):
        if key in job:
            limits.append((before, _Code(_each(job[key], _duration))))
    if step_type in _UNBOUNDED_WITHOUT_LIMIT and "max_runtime_seconds" not in job:
        limits.append(("no run-time limit of its own",))
    spot_flags = job.get("managed_spot")
    if isinstance(spot_flags, list):
        # A tuning step of several training job definitions: each one's flag.
        spot_count = sum(flag is True for flag in spot_flags)
        if spot_count:
            shown = "" if spot_count == len(spot_flags) else f" ({spot_count} of {len(spot_flags)})"
            limits.append((f"managed spot{shown}",))
    elif spot_flags is True:
        spot: tuple[_Piece, ...] = ("managed spot",)
        if "max_wait_seconds" in job:
            spot += (", waits at most ", _Code(_duration(job["max_wait_seconds"])))
        limits.append(spot)
    lines: list[tuple[_Piece, ...]] = []
    if limits:
        joined: list[_Piece] = []
        for part in limits:
            joined += [", ", *part] if joined else list(part)
        lines.append(tuple(joined))
    if "group" in job or "approval" in job:
        registers: tuple[_Piece, ...] = ("registers",)
        if "group" in job:
            registers += (" in group ", _Code(shorten(_plain_value(job["group"]))))
        if "approval" in job:
            registers += (", " if "group" in job else " ", "as ")
            registers += (_Code(shorten(_plain_value(job["approval"]))),)
        lines.append(registers)
    for key, label in (("image", "image "), ("algorithm", "algorithm "), ("model", "model ")):
        if key in job:
            lines.append((label, _Code(_shorten_start(_plain_value(job[key])))))
    if "role" in job:
        lines.append(("role ", _Code(_shorten_start(_plain_value(job["role"])))))
    return lines


def _endpoint_config_lines(job: Mapping[str, Any]) -> list[tuple[_Piece, ...]]:
    """An added EndpointConfig step: each variant's capacity and model, capture, results, role.

    Each variant's instances (or serverless memory and concurrency) and model, what the
    endpoint captures, where asynchronous inference results go, and the role.

    Example output::

        variant AllTraffic: ml.m5.large × 2, model Steps.CreateModel.ModelName
        variant Serverless: serverless, 2048 MB, at most 5 concurrent invocations, model …
        captures 20% of requests and responses to s3://my-bucket/data-capture
    """
    lines: list[tuple[_Piece, ...]] = []
    variants = job.get("variants")
    split = isinstance(variants, list) and len(variants) > 1  # traffic split by weight
    for key, label in (("variants", "variant "), ("shadow_variants", "shadow variant ")):
        items = job.get(key)
        for variant in items if isinstance(items, list) else []:
            lines.append((label, *_variant_pieces(variant, weighted=split and key == "variants")))
    if any(key.startswith("data_capture_") for key in job):
        lines.append(_capture_pieces(job))
    if "async_output" in job:
        output = _Code(shorten(_plain_value(job["async_output"])))
        lines.append(("asynchronous inference, results to ", output))
    if "role" in job:
        lines.append(("role ", _Code(_shorten_start(_plain_value(job["role"])))))
    return lines


def _variant_pieces(variant: Any, *, weighted: bool) -> tuple[_Piece, ...]:
    """``AllTraffic: ml.m5.large × 2, model …``: one variant of ``Change.job["variants"]``."""
    if not isinstance(variant, Mapping):
        return (_Code(shorten(format_value(variant))),)
    parts: list[tuple[_Piece, ...]] = []
    serverless = variant.get("serverless")
    if serverless is not None:
        parts.append(("serverless",))
        settings = serverless if isinstance(serverless, Mapping) else {}
        for key, before, after in (
            ("memory_size_mb", "", " MB"),
            ("max_concurrency", "at most ", " concurrent invocations"),
            ("provisioned_concurrency", "", " provisioned"),
        ):
            if key in settings:
                parts.append((before, _Code(shorten(_plain_value(settings[key]))), after))
        if not isinstance(serverless, Mapping):
            parts.append((_Code(shorten(format_value(serverless))),))
    elif "instance_type" in variant:
        instances: tuple[_Piece, ...] = (_Code(shorten(_plain_value(variant["instance_type"]))),)
        if "instance_count" in variant:
            instances += (" × ", _Code(shorten(_plain_value(variant["instance_count"]))))
        parts.append(instances)
    elif "instance_count" in variant:
        parts.append((_Code(shorten(_plain_value(variant["instance_count"]))), " instances"))
    if "volume_size_gb" in variant:
        parts.append((_Code(shorten(_plain_value(variant["volume_size_gb"]))), " GB volume"))
    if weighted and "weight" in variant:
        parts.append(("weight ", _Code(shorten(_plain_value(variant["weight"])))))
    if "model" in variant:
        parts.append(("model ", _Code(_shorten_start(_plain_value(variant["model"])))))
    else:
        parts.append(("for inference components",))  # a variant of no model hosts them
    name = variant.get("name")
    pieces: list[_Piece] = [_Code(shorten(_plain_value(name))), ": "] if name is not None else []
    for index, part in enumerate(parts):
        pieces += [", ", *part] if index else list(part)
    return tuple(pieces)


# What each CaptureMode captures (Input: the requests, Output: the responses).
_CAPTURED = {"Input": "requests", "Output": "responses"}


def _capture_pieces(job: Mapping[str, Any]) -> tuple[_Piece, ...]:
    """``captures 20% of requests and responses to s3://…`` (or that capture is off)."""
    enabled = job.get("data_capture_enabled", True)
    if enabled is False:
        return ("data capture off",)
    pieces: list[_Piece] = ["captures "]
    if "data_capture_percent" in job:
        pieces += [_Code(shorten(_plain_value(job["data_capture_percent"]))), "% of "]
    modes = job.get("data_capture_modes")
    listed = modes if isinstance(modes, list) else []
    captured = [_CAPTURED.get(mode, mode) for mode in listed if isinstance(mode, str)]
    pieces.append(" and ".join(dict.fromkeys(captured)) or "requests")
    if "data_capture_destination" in job:
        pieces += [" to ", _Code(shorten(_plain_value(job["data_capture_destination"])))]
    if enabled is not True:  # an expression: on or off at run time
        pieces += [", when ", _Code(shorten(_plain_value(enabled)))]
    return tuple(pieces)


def _endpoint_lines(job: Mapping[str, Any]) -> list[tuple[_Piece, ...]]:
    """An added Endpoint step: the configuration it runs, its update, and that it bills.

    An endpoint bills until it is deleted, which no execution of the pipeline does.

    Example output::

        endpoint churn, configuration Steps.Config.EndpointConfigName
        blue/green update, canary, rolls back on 2 alarms
        bills until deleted: the endpoint outlives the pipeline's executions
    """
    lines: list[tuple[_Piece, ...]] = []
    runs: list[_Piece] = []
    if "endpoint" in job:
        runs += ["endpoint ", _Code(shorten(_plain_value(job["endpoint"])))]
    if "endpoint_config" in job:
        runs += [", "] if runs else []
        runs += ["configuration ", _Code(_shorten_start(_plain_value(job["endpoint_config"])))]
    if runs:
        lines.append(tuple(runs))
    deployment = _deployment_pieces(job.get("deployment"))
    if deployment:
        lines.append(deployment)
    lines.append((_ENDPOINT_BILLS,))
    return lines


def _deployment_pieces(deployment: Any) -> tuple[_Piece, ...]:
    """``blue/green update, canary, rolls back on 2 alarms`` of a ``DeploymentConfig``."""
    if not isinstance(deployment, Mapping) or _is_expression(deployment):
        return (
            () if deployment is None else ("deployment ", _Code(shorten(format_value(deployment))))
        )
    parts: list[str] = []
    blue_green = deployment.get("BlueGreenUpdatePolicy")
    if isinstance(blue_green, Mapping):
        parts.append("blue/green update")
        routing = _at(blue_green, "TrafficRoutingConfiguration.Type")
        if isinstance(routing, str):
            parts.append(routing.lower().replace("_", " "))  # all at once, canary, linear
    if deployment.get("RollingUpdatePolicy") is not None:
        parts.append("rolling update")
    alarms = _at(deployment, "AutoRollbackConfiguration.Alarms")
    if isinstance(alarms, list) and alarms:
        parts.append(f"rolls back on {len(alarms)} alarm{'' if len(alarms) == 1 else 's'}")
    return (", ".join(parts),) if parts else ()


def _component_lines(job: Mapping[str, Any]) -> list[tuple[_Piece, ...]]:
    """An added InferenceComponent step: its copies and what each reserves, where, and what.

    Example output::

        2 copies, each 1 accelerator, 2048 MB memory (up to 4096 MB)
        on endpoint Steps.Deploy.EndpointName, variant AllTraffic
        model Steps.CreateModel.ModelName
    """
    lines: list[tuple[_Piece, ...]] = []
    compute: list[_Piece] = []
    if "copies" in job:
        copies = job["copies"]
        compute += [_Code(shorten(_plain_value(copies))), " copy" if copies == 1 else " copies"]
    reserved: list[tuple[_Piece, ...]] = []
    for key, singular, plural in (
        ("accelerators", " accelerator", " accelerators"),
        ("cpu_cores", " CPU core", " CPU cores"),
    ):
        if key in job:
            noun = singular if job[key] == 1 else plural
            reserved.append((_Code(shorten(_plain_value(job[key]))), noun))
    memory: tuple[_Piece, ...] = ()
    if "min_memory_mb" in job:
        memory = (_Code(shorten(_plain_value(job["min_memory_mb"]))), " MB memory")
    if "max_memory_mb" in job:
        ceiling = _Code(shorten(_plain_value(job["max_memory_mb"])))
        memory += (" (up to ", ceiling, " MB)") if memory else ("up to ", ceiling, " MB memory")
    if memory:
        reserved.append(memory)
    if reserved:
        compute += [", each " if compute else "each "]
        for index, part in enumerate(reserved):
            compute += [", ", *part] if index else list(part)
    if compute:
        lines.append(tuple(compute))
    where: list[_Piece] = []
    if "endpoint" in job:
        where += ["on endpoint ", _Code(_shorten_start(_plain_value(job["endpoint"])))]
    if "variant" in job:
        where += [
            ", variant " if where else "on variant ",
            _Code(shorten(_plain_value(job["variant"]))),
        ]
    if where:
        lines.append(tuple(where))
    for key, label in (("model", "model "), ("image", "image "), ("base_component", "based on ")):
        if key in job:
            lines.append((label, _Code(_shorten_start(_plain_value(job[key])))))
    return lines


_DEPLOYMENT_LINES: Final[Mapping[str, Callable[[Mapping[str, Any]], list[tuple[_Piece, ...]]]]] = {
    "EndpointConfig": _endpoint_config_lines,
    "Endpoint": _endpoint_lines,
    "InferenceComponent": _component_lines,
}


def _plain_value(value: Any) -> str:
    """A value of ``Change.job`` as read in a sentence: strings without quotes."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return ", ".join(value)  # one per definition of a tuning step of several algorithms
    return format_value(value)


def _each(value: Any, text: Callable[[Any], str] = _plain_value) -> str:
    """A value of ``Change.job`` as ``text`` writes it, or each of a list's, joined.

    A tuning step of several training job definitions gives a list, one value per
    definition: ``[3600, 7200]`` → ``1 h, 2 h`` (and ``[1, 2]`` → ``1, 2``).
    """
    if isinstance(value, list) and value:
        return shorten(", ".join(text(item) for item in value))
    return shorten(text(value))


def _duration(value: Any) -> str:
    """Seconds as a reviewer reads them: ``3600`` → ``1 h``, ``5400`` → ``1 h 30 min``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return _plain_value(value)  # an expression, say: as it is
    hours, rest = divmod(value, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    parts += [f"{seconds} s"] if seconds or not parts else []
    return " ".join(parts)


def _shorten_start(text: str, width: int = VALUE_WIDTH) -> str:
    """``text`` cut to ``width`` characters from its start: an image's tag, a role's name stay."""
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]


def _step_lines(changes: Sequence[Change]) -> Iterator[_Line]:
    by_step: dict[str, list[Change]] = {}
    for change in changes:
        by_step.setdefault(change.name or "", []).append(change)
    for name, members in by_step.items():
        yield _Line(0, (_Code(name), f" ({_step_type(members[0].step_type)})"))
        # The dependencies line already says what a changed DependsOn does to the step.
        dependencies_changed = any(change.kind == "dependencies" for change in members)
        for change in members:
            if dependencies_changed and change.path == "DependsOn":
                continue
            if change.kind == "asset":
                yield _Line(1, _describe(change))
                yield _Line(2, ("in ", *_joined(_Code(path) for path in change.fields)))
                continue
            elements = _element_changes(change)
            if elements is not None:
                # A long list (container arguments, a Join's values): shortened whole, the
                # change would hide in an ellipsis; item by item, each is whole.
                heading, items = elements
                yield _Line(1, (_Code(change.path), heading))
                yield from (_Line(2, pieces) for pieces in items)
                continue
            leaves = _leaves_of_long_object(change)
            if not leaves:
                yield _Line(1, _describe(change))
                continue
            # An added input, say: its one-line form would cut off where it reads from.
            verb = " added:" if change.kind == "added" else " removed, was:"
            yield _Line(1, (_Code(change.path), verb))
            for path, value in leaves:
                yield _Line(2, (_Code(path), ": ", _Code(shorten(format_value(value)))))


def _element_changes(
    change: Change,
) -> tuple[str, list[tuple[_Piece, ...]]] | None:
    """A changed list too long for one line, as its changed items: heading and lines.

    ``(" changed, item by item:", [("[1]: ", '"a"', " → ", '"b"'), ("[3] added: ", …)])``,
    the same for a ``Join`` of one separator's values; None for other changes, or a list
    short enough to be shown whole (``shorten_pair`` leaves it as it is). Lists of one
    length are compared position by position; otherwise a changed or added item's index is
    its position in the new list, a removed item's in the old one.
    """
    if change.kind != "changed":
        return None
    old, new = _elements(change.old), _elements(change.new)
    if old is None or new is None or old[0] != new[0]:
        return None
    width = max(len(format_value(change.old)), len(format_value(change.new)))
    if width <= VALUE_WIDTH:
        return None
    before, after = [format_value(item) for item in old[1]], [format_value(item) for item in new[1]]
    lines: list[tuple[_Piece, ...]] = []
    if len(before) == len(after):
        # Position by position: a reordered list shows each position that differs.
        operations: Sequence[tuple[str, int, int, int, int]] = [
            ("replace", index, index + 1, index, index + 1) for index in range(len(before))
        ]
    else:
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        operations = matcher.get_opcodes()
    for operation, start, end, new_start, new_end in operations:
        if operation == "equal":
            continue
        paired = min(end - start, new_end - new_start) if operation == "replace" else 0
        for offset in range(paired):
            if before[start + offset] == after[new_start + offset]:
                continue
            pair = shorten_pair(before[start + offset], after[new_start + offset])
            lines.append((f"[{new_start + offset}]: ", _Code(pair[0]), " → ", _Code(pair[1])))
        for index in range(start + paired, end):  # the old list's index
            lines.append((f"[{index}] removed (was ", _Code(shorten(before[index])), ")"))
        for index in range(new_start + paired, new_end):
            lines.append((f"[{index}] added: ", _Code(shorten(after[index]))))
    if not lines:  # equal texts, different JSON (a number's type): shown whole
        return None
    counts = f"{len(before)} → {len(after)} items" if len(before) != len(after) else ""
    return f"{old[0]} changed{', ' + counts if counts else ''}, item by item:", lines


def _elements(value: Any) -> tuple[str, list[Any]] | None:
    """``("", items)`` of a list, ``(' Join(on=…) values', values)`` of a Join; else None."""
    if isinstance(value, list | tuple):
        return "", list(value)
    if not _is_expression(value) or "Std:Join" not in value:
        return None
    body = value["Std:Join"]
    if not isinstance(body, Mapping) or set(body) != {"On", "Values"}:
        return None
    if not isinstance(body["Values"], list):
        return None
    return f" Join(on={format_value(body['On'])}) values", body["Values"]


def _leaves_of_long_object(change: Change) -> list[tuple[str, Any]]:
    """``(path, value)`` of each leaf of an added or removed object too long for one line."""
    value = change.new if change.kind == "added" else change.old
    if change.kind not in ("added", "removed") or not change.path:
        return []
    if not isinstance(value, Mapping) or _is_expression(value) or not value:
        return []
    if len(format_value(value)) <= VALUE_WIDTH:
        return []
    return list(_leaves(value, ""))


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and value and not _is_expression(value):
        for key, item in value.items():
            yield from _leaves(item, _child_path(path, key))
    else:
        yield path, value


def _step_type(step_type: str | None) -> str:
    return "no Type" if step_type is None else step_type


def _joined(pieces: Iterable[_Piece]) -> tuple[_Piece, ...]:
    joined: list[_Piece] = []
    for piece in pieces:
        joined += [", ", piece] if joined else [piece]
    return tuple(joined)


def _describe(change: Change) -> tuple[_Piece, ...]:
    name = change.name or ""
    if change.kind == "renamed":
        renamed: tuple[_Piece, ...] = (_Code(change.old_name or ""), " → ", _Code(name))
        if change.similarity is not None:
            renamed += (f" ({change.similarity:.0%} similar)",)
        if change.cached:
            # SageMaker looks up a step's cache by its name: a reviewer should know that the
            # next execution reruns the step (and what follows it) rather than reuse a run.
            renamed += ("; cached: no cache hit on ", _Code(change.old_name or ""), "'s runs")
        return renamed
    if change.subject == "step" and not change.path and change.kind in ("added", "removed"):
        details: list[_Piece] = [_step_type(change.step_type)]
        if change.placement != "top level":
            details.append(f"in the {change.placement}")
        if change.dependencies:
            details.append("depends on " + ", ".join(change.dependencies))
        return (_Code(name), f" ({', '.join(map(str, details))})")
    if change.kind == "moved":
        return ("moved: ", str(change.old), " → ", str(change.new))
    if change.kind == "dependencies":
        return ("dependencies: ", *_dependency_pieces(change.old, change.new))
    if change.kind == "asset":
        return ("asset changed: ", *_asset_pieces(change))
    if change.subject == "parameter" and not change.path:
        entry = change.new if change.kind == "added" else change.old
        return (_Code(name), f" {change.kind} ", _parameter_text(entry))
    prefix: tuple[_Piece, ...] = (_Code(name), " ") if change.subject == "parameter" else ()
    return (*prefix, *_field_pieces(change), *_used_by_pieces(change.used_by))


MAX_USES_SHOWN: Final = 3
"""How many steps a changed parameter's line names (``used by``) before ``and N more``."""


def _used_by_pieces(uses: Sequence[tuple[str, str]]) -> tuple[_Piece, ...]:
    """`` (used by Train: ResourceConfig.InstanceType)``: the steps using a parameter."""
    if not uses:
        return ()
    by_step: dict[str, list[str]] = {}
    for step, path in uses:
        shown = path[len("Arguments.") :] if path.startswith("Arguments.") else path
        by_step.setdefault(step, []).append(shown or "(whole value)")
    pieces: list[_Piece] = [" (used by "]
    for index, (step, paths) in enumerate(list(by_step.items())[:MAX_USES_SHOWN]):
        pieces += ["; "] if index else []
        pieces += [_Code(step), ": ", *_joined(_Code(path) for path in paths)]
    if len(by_step) > MAX_USES_SHOWN:
        pieces.append(f"; and {len(by_step) - MAX_USES_SHOWN} more steps")
    return (*pieces, ")")


def _asset_pieces(change: Change) -> tuple[_Piece, ...]:
    """``Training/CodeEvaluatePy 15925ad2 → 0c73611e``: the asset's name, its hash shortened.

    Each side's name when they differ; a name that is a staged file's, which has the hash
    in it (``asset.<hash>.py``), with that hash shortened. The full paths are in ``--json``.
    """
    if change.asset_hashes is None or change.asset_names is None:  # a Change made by hand
        return (_Code(str(change.old)), " → ", _Code(str(change.new)))
    (old_hash, new_hash), (old_name, new_name) = change.asset_hashes, change.asset_names
    if old_name == new_name and old_hash not in old_name:
        return (_Code(old_name), " ", _Code(old_hash[:8]), " → ", _Code(new_hash[:8]))
    return (*_asset_side(old_name, old_hash), " → ", *_asset_side(new_name, new_hash))


def _asset_side(name: str, asset_hash: str) -> tuple[_Piece, ...]:
    if asset_hash in name:
        return (_Code(name.replace(asset_hash, asset_hash[:8])),)
    return (_Code(name), " ", _Code(asset_hash[:8]))


def _dependency_pieces(old: Iterable[str], new: Iterable[str]) -> tuple[_Piece, ...]:
    before, after = list(old), list(new)
    parts: list[str] = []
    gained = [name for name in after if name not in before]
    lost = [name for name in before if name not in after]
    if gained:
        parts.append("now on " + ", ".join(gained))
    if lost:
        parts.append("no longer on " + ", ".join(lost))
    return ("; ".join(parts),)


def _parameter_text(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return shorten(format_value(entry))
    type_ = entry.get("Type")
    details = ["no Type" if type_ is None else str(type_)]
    if "DefaultValue" in entry:
        details.append(f"default {shorten(format_value(entry['DefaultValue']))}")
    if "EnumValues" in entry:
        details.append(f"one of {shorten(format_value(entry['EnumValues']))}")
    return f"({', '.join(details)})"


def _field_pieces(change: Change) -> tuple[_Piece, ...]:
    path = _Code(change.path or "(whole value)")
    if change.kind == "added":
        return (path, " added: ", _Code(shorten(format_value(change.new))))
    if change.kind == "removed":
        return (path, " removed (was ", _Code(shorten(format_value(change.old))), ")")
    before, after = format_value(change.old), format_value(change.new)
    if before == after:
        # Equal text, different JSON (a number's type, say): say what differs.
        before, after = repr(change.old), repr(change.new)
    before, after = shorten_pair(before, after)
    return (path, ": ", _Code(before), " → ", _Code(after))
