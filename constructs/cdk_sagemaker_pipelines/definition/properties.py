"""Typed step properties, checked against botocore's Describe* response shapes.

``train.properties.ModelArtifacts.S3ModelArtifacts`` renders to
``{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}``. Every member access is
checked at once against the step type's response shape, so a misspelled member
raises ``PropertyPathError`` with the closest valid names. The same tree also
resolves path strings read from a JSON definition during validation.

Type checkers and IDEs see the same trees in ``property_types.pyi``, a stub generated
from them by ``scripts/generate_property_types.py``: there a misspelled member is a type
error, before the code runs.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import ExpressionOperatorError, PropertyPathError
from ._render import JsonValue, RenderContext
from ._service_model import shapes
from ._suggest import did_you_mean, one_of
from .expressions import Expression, ValueType

if TYPE_CHECKING:
    from .steps._base import Step

# Where each step type's properties come from (service, shape). Tuning merges the
# tuning job description with the list of its training jobs, as the service does.
ROOT_SHAPES: dict[str, tuple[tuple[str, str], ...]] = {
    "Processing": (("sagemaker", "DescribeProcessingJobResponse"),),
    "Training": (("sagemaker", "DescribeTrainingJobResponse"),),
    "Tuning": (
        ("sagemaker", "DescribeHyperParameterTuningJobResponse"),
        ("sagemaker", "ListTrainingJobsForHyperParameterTuningJobResponse"),
    ),
    "Transform": (("sagemaker", "DescribeTransformJobResponse"),),
    "AutoML": (("sagemaker", "DescribeAutoMLJobResponse"),),
    "Model": (("sagemaker", "DescribeModelOutput"),),
    "RegisterModel": (("sagemaker", "DescribeModelPackageOutput"),),
    "EMR": (("emr", "Step"),),
    "EndpointConfig": (("sagemaker", "DescribeEndpointConfigOutput"),),
    "Endpoint": (("sagemaker", "DescribeEndpointOutput"),),
    "InferenceComponent": (("sagemaker", "DescribeInferenceComponentOutput"),),
    # The SDK's LineageStep: what it created, the LineageMetadata of its step's metadata
    # (ListPipelineExecutionSteps' PipelineExecutionStepMetadata.Lineage).
    "Lineage": (("sagemaker", "LineageMetadata"),),
}
LEAF_TYPES: dict[str, ValueType] = {
    "string": "String",
    "integer": "Integer",
    "long": "Integer",
    "float": "Float",
    "double": "Float",
    "boolean": "Boolean",
    "timestamp": "Timestamp",
    "blob": "String",
}
OUTPUT_TYPES = ("String", "Integer", "Float", "Boolean")
# Properties a step type has beyond its Describe* shape. The SDK's AutoMLStep adds the S3
# paths of its best candidate's reports (sagemaker/workflow/automl_step.py).
EXTRA_PROPERTIES: dict[str, dict[str, tuple[str, ...]]] = {
    "AutoML": {
        "BestCandidateProperties": ("ModelInsightsJsonReportPath", "ExplainabilityJsonReportPath")
    },
}
# Check steps (the SDK's QualityCheckStep and ClarifyCheckStep) describe no job of their
# own: their properties are the S3 URIs of the baselines they calculate and compare with,
# the ones the SDK's step classes define (a Clarify check calculates no statistics).
CHECK_STEP_PROPERTIES: dict[str, tuple[str, ...]] = {
    "QualityCheck": (
        "CalculatedBaselineStatistics",
        "CalculatedBaselineConstraints",
        "BaselineUsedForDriftCheckStatistics",
        "BaselineUsedForDriftCheckConstraints",
    ),
    "ClarifyCheck": ("CalculatedBaselineConstraints", "BaselineUsedForDriftCheckConstraints"),
}
# Other spellings a property member is read by: alias → member, where a node has the member.
# ``Outputs`` is the SDK's spelling of a Lambda or Callback step's ``OutputParameters``.
MEMBER_ALIASES: dict[str, str] = {"Outputs": "OutputParameters"}


class PathStepError(Exception):
    """One segment of a property path does not exist (internal; carries the hint).

    Example::

        raise PathStepError("no member 'ModelArtifact'", "did you mean 'ModelArtifacts'?")
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class PropertyNode:
    """A position in a step's property tree.

    ``kind`` is ``structure``, ``list``, ``map`` or ``leaf``. Structures list their
    members as (service, shape) pairs; lists and maps their item; leaves their type.

    Example::

        PropertyNode(kind="leaf", leaf_type="String", label="ModelArtifacts.S3ModelArtifacts")
    """

    kind: str
    members: Mapping[str, tuple[str, str] | PropertyNode] = field(default_factory=dict)
    item: tuple[str, str] | PropertyNode | None = None
    leaf_type: ValueType | None = None
    keys: tuple[str, ...] | None = None  # allowed string keys (declared outputs)
    label: str = ""
    # A leaf's botocore shape as (service, shape name), when it comes from one.
    shape: tuple[str, str] | None = None
    # The step type of a root node, so a member of another step type's root gets named as such.
    step_type: str = ""

    def member(self, name: str) -> PropertyNode:
        """Return the child member ``name`` or raise ``PathStepError``."""
        if self.kind != "structure":
            noun = {"list": "a list", "map": "a map", "leaf": "a value"}[self.kind]
            hint = "use [index] or ['key']" if self.kind in ("list", "map") else None
            raise PathStepError(f"{self.label} is {noun}, it has no member '{name}'", hint)
        target = self.members.get(name)
        if target is None:
            hint = (
                _other_step_type_hint(self, name)
                or did_you_mean(name, self.members)
                or f"members: {one_of(sorted(self.members), 10)}"
            )
            where = self.label if self.label else "the step"
            raise PathStepError(f"{where} has no property '{name}'", hint)
        return _node_for(target, f"{self.label}.{name}" if self.label else name)

    def index(self, key: int | str) -> PropertyNode:
        """Return the item at ``[key]`` or raise ``PathStepError``."""
        if self.kind == "list":
            if isinstance(key, bool) or not isinstance(key, (int, str)):
                raise PathStepError(f"{self.label} takes an int or str index, got {key!r}")
            if isinstance(key, int) and key < 0:
                raise PathStepError(
                    f"{self.label} takes a position from 0, got {key}",
                    "the service has no negative indexing",
                )
            assert self.item is not None
            child = _node_for(self.item, f"{self.label}[{key!r}]")  # shown as in the path
            if isinstance(key, str) and child.kind != "structure":
                raise PathStepError(f"{self.label} is a list of values: index it by position")
            return child
        if self.kind == "map":
            if not isinstance(key, str):
                raise PathStepError(f"{self.label} is a map: index it with a string key")
            if self.keys is not None and key not in self.keys:
                hint = did_you_mean(key, self.keys) or f"declared: {one_of(self.keys) or 'none'}"
                raise PathStepError(f"{self.label} has no entry '{key}'", hint)
            assert self.item is not None
            return _node_for(self.item, f"{self.label}['{key}']")
        raise PathStepError(f"{self.label or 'the step'} can't be indexed with [{key!r}]")


# Where a step type's results are, for a property path written for another step type
# (the SDK habit of reading ModelArtifacts.S3ModelArtifacts off whatever step came before).
_RESULTS: dict[str, str] = {
    "Processing": "a Processing step's outputs are "
    "ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri (step.output(name) in Python)",
    "Training": "a Training step's model is ModelArtifacts.S3ModelArtifacts "
    "(step.model_data in Python)",
    "Tuning": "a Tuning step's best job is BestTrainingJob.TrainingJobName, and "
    "step.top_model_s3_uri(0) in Python is where it wrote its model",
    "Transform": "a Transform step's output is TransformOutput.S3OutputPath",
    "AutoML": "an AutoML step's best model is BestCandidate.InferenceContainers[0].ModelDataUrl",
    "Model": "a Model step's model is ModelName (for TransformStep(model_name=…))",
    "RegisterModel": "a RegisterModel step's model version is ModelPackageArn",
    "Lambda": "a Lambda step's outputs are OutputParameters['<name>'], declared with outputs=",
    "Callback": "a Callback step's outputs are OutputParameters['<name>'], declared with outputs=",
    "Condition": "a Condition step's only property is Outcome",
    "EndpointConfig": "an EndpointConfig step's configuration is EndpointConfigName (for "
    "EndpointStep(endpoint_config_name=…))",
    "Endpoint": "an Endpoint step's endpoint is EndpointName (for "
    "InferenceComponentStep(endpoint_name=…))",
    "InferenceComponent": "an InferenceComponent step's component is InferenceComponentName",
    "Lineage": "a Lineage step's entities are ActionArns['<name>'], ArtifactArns['<name>'] "
    "and ContextArns['<name>']",
}


@functools.cache
def _root_members(step_type: str) -> frozenset[str]:
    node = root_node(step_type, {})
    return frozenset(node.members) if node is not None else frozenset()


def _other_step_type_hint(node: PropertyNode, name: str) -> str | None:
    """Name the step types whose properties have ``name``, and where this step's results are.

    An exact member of another step type says more than a close match of this one
    (``ModelArtifacts`` of a Model step is not its ``ModelArn``).
    """
    if not node.step_type:
        return None
    owners = [
        kind
        for kind in (*ROOT_SHAPES, *CHECK_STEP_PROPERTIES, "Lambda", "Callback", "Condition")
        if kind != node.step_type and name in _root_members(kind)
    ]
    if not owners:
        return None
    owners_text = owners[0] if len(owners) == 1 else f"{', '.join(owners[:-1])} and {owners[-1]}"
    kind = node.step_type
    article = "an" if kind[:1] in "AEIOU" else "a"
    results = (
        _RESULTS.get(kind)
        or did_you_mean(name, node.members)
        or f"{article} {kind} step's properties are {one_of(sorted(node.members), 10)}"
    )
    return f"{name} is a property of {owners_text} steps; {results}"


def _node_for(target: tuple[str, str] | PropertyNode, label: str) -> PropertyNode:
    if isinstance(target, PropertyNode):
        return target
    service, shape_name = target
    return shape_node(service, shape_name, label)


@functools.lru_cache(maxsize=4096)
def shape_node(service: str, shape_name: str, label: str = "") -> PropertyNode:
    """Build the node of a botocore shape (cached: nodes are immutable)."""
    shape = shapes(service)[shape_name]
    kind = shape["type"]
    if kind == "structure":
        members = {name: (service, spec["shape"]) for name, spec in shape["members"].items()}
        return PropertyNode("structure", members=members, label=label)
    if kind == "list":
        return PropertyNode("list", item=(service, shape["member"]["shape"]), label=label)
    if kind == "map":
        return PropertyNode("map", item=(service, shape["value"]["shape"]), label=label)
    return PropertyNode(
        "leaf", leaf_type=LEAF_TYPES.get(kind), label=label, shape=(service, shape_name)
    )


def root_node(step_type: str, outputs: Mapping[str, str] | None = None) -> PropertyNode | None:
    """Return the property tree root of a step type (``None`` if it has no properties).

    ``outputs`` maps a Lambda or Callback step's declared output names to their types.
    """
    if step_type in ("Lambda", "Callback"):
        declared = dict(outputs or {})
        leaves = {
            name: PropertyNode("leaf", leaf_type=kind if kind in OUTPUT_TYPES else None)
            for name, kind in declared.items()
        }
        output_map = _OutputsNode(
            "map",
            item=PropertyNode("leaf"),
            keys=tuple(declared),
            label="OutputParameters",
            leaves=leaves,
        )
        return PropertyNode(
            "structure", members={"OutputParameters": output_map}, step_type=step_type
        )
    if step_type == "Condition":
        return PropertyNode(
            "structure",
            members={"Outcome": PropertyNode("leaf", leaf_type="Boolean")},
            step_type=step_type,
        )
    if step_type in CHECK_STEP_PROPERTIES:
        baselines = {
            name: PropertyNode("leaf", leaf_type="String", label=name)
            for name in CHECK_STEP_PROPERTIES[step_type]
        }
        return PropertyNode("structure", members=baselines, step_type=step_type)
    roots = ROOT_SHAPES.get(step_type)
    if roots is None:
        return None
    members: dict[str, tuple[str, str] | PropertyNode] = {}
    for service, shape_name in roots:
        for name, spec in shapes(service)[shape_name]["members"].items():
            members.setdefault(name, (service, spec["shape"]))
    for name, extra in EXTRA_PROPERTIES.get(step_type, {}).items():
        members[name] = PropertyNode(
            "structure",
            members={
                leaf: PropertyNode("leaf", leaf_type="String", label=f"{name}.{leaf}")
                for leaf in extra
            },
            label=name,
        )
    return PropertyNode("structure", members=members, step_type=step_type)


@dataclass(frozen=True, slots=True)
class _OutputsNode(PropertyNode):
    """The ``OutputParameters`` map of a Lambda or Callback step: typed per declared key."""

    leaves: Mapping[str, PropertyNode] = field(default_factory=dict)

    def index(self, key: int | str) -> PropertyNode:
        PropertyNode.index(self, key)  # raises for unknown keys
        return self.leaves[str(key)]


# ``Name.Member[0]['key']`` segments of a property path string.
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def parse_path(path: str) -> list[str | int | tuple[str]]:
    """Split ``A.B[0]['k']`` into ``["A", "B", 0, ("k",)]`` (string keys as 1-tuples).

    Raises ``PathStepError`` on a malformed path.
    """
    segments: list[str | int | tuple[str]] = []
    position = 0
    text = "." + path
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None:
            raise PathStepError(f"malformed property path '{path}' at '{text[position:]}'")
        name, number, single, double = match.groups()
        if name is not None:
            segments.append(name)
        elif number is not None:
            segments.append(int(number))
        else:
            segments.append((single if single is not None else double,))
        position = match.end()
    return segments


def resolve(root: PropertyNode, path: str) -> PropertyNode:
    """Walk ``path`` (text after ``Steps.<Name>.``) from ``root``; raise ``PathStepError``."""
    node = root
    for segment in parse_path(path):
        if isinstance(segment, str):
            node = node.member(segment)
        elif isinstance(segment, int):
            node = node.index(segment)
        else:
            node = node.index(segment[0])
    return node


class Properties(Expression):
    """A step property: ``step.properties.<Member>…``, typed by the step's response shape.

    Example::

        train.properties.ModelArtifacts.S3ModelArtifacts
        prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri
        train.properties.FinalMetricDataList["val:acc"].Value

    For a type checker each step class's ``properties`` is its class of the generated
    ``property_types.pyi`` (derived from this one), whose members and indexes are the
    ones this class accepts at run time.
    """

    __slots__ = ("_node", "_path", "_step")
    _node: PropertyNode
    _path: str
    _step: Step

    def __init__(self, step: Step, node: PropertyNode, path: str = "") -> None:
        object.__setattr__(self, "_step", step)
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "_path", path)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("properties are read-only")

    def __copy__(self) -> Properties:
        return self  # immutable

    def __reduce__(self) -> tuple[type[Properties], tuple[Step, PropertyNode, str]]:
        # Pickle's default sets the slots one by one, which __setattr__ refuses.
        return (Properties, (self._step, self._node, self._path))

    def __deepcopy__(self, memo: dict[int, Any]) -> Properties:
        # A deep copy of steps refers to the copies of the steps it reads (so a copied
        # definition holds one step of each name); the node is botocore's shape, shared.
        return Properties(copy.deepcopy(self._step, memo), self._node, self._path)

    @property
    def step(self) -> Step:
        """The step the property belongs to."""
        return self._step

    @property
    def path(self) -> str:
        """The path after ``Steps.<Name>.``."""
        return self._path

    @property
    def is_leaf(self) -> bool:
        """True if the property is a single value (string, number, …)."""
        return self._node.kind == "leaf"

    @property
    def value_type(self) -> ValueType | None:
        """The value's type for a leaf property, else ``None``."""
        return self._node.leaf_type

    def _fail(self, error: PathStepError, attempted: str) -> PropertyPathError:
        message = f"step '{self._step.name}': {error.message}"
        if error.hint:
            message += f" ({error.hint})"
        return PropertyPathError(message)

    # A type checker sees no __getattr__ or __getitem__ here: each step class's
    # ``properties`` is typed by the generated ``property_types.pyi`` (whose classes derive
    # from this one), so a checker completes the members a path has and reports others.
    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Properties:
            if name.startswith("_"):
                raise AttributeError(name)
            alias = MEMBER_ALIASES.get(name)
            if alias is not None and alias in self._node.members:
                name = alias
            attempted = f"{self._path}.{name}" if self._path else name
            try:
                child = self._node.member(name)
            except PathStepError as error:
                raise self._fail(error, attempted) from None
            return Properties(self._step, child, attempted)

        def __getitem__(self, key: int | str) -> Properties:
            attempted = f"{self._path}[{key!r}]"
            try:
                child = self._node.index(key)
                self._check_declared(key)
            except PathStepError as error:
                raise self._fail(error, attempted) from None
            return Properties(self._step, child, attempted)

    def _check_declared(self, key: int | str) -> None:
        """Check a string key against the entries the step itself declares, if it knows them.

        ``prep.properties.ProcessingOutputConfig.Outputs['tran']`` fails here when the step
        declares only ``train``; botocore's shapes can't know the step's output names.
        """
        declared_keys = getattr(self._step, "declared_keys", None)
        declared = declared_keys(self._path) if declared_keys is not None else None
        if isinstance(key, str) and declared is not None and key not in declared:
            hint = did_you_mean(key, declared) or f"declared: {one_of(declared) or 'none'}"
            raise PathStepError(f"{self._node.label} has no entry '{key}'", hint)
        if type(key) is int and declared is not None and key >= len(declared):
            # The reference would resolve to nothing only when the pipeline runs.
            count = len(declared)
            raise PathStepError(
                f"{self._node.label} has {count} {'entry' if count == 1 else 'entries'}, "
                f"no position {key}",
                f"index by name instead: {one_of(declared)}"
                if declared
                else "the step declares none",
            )

    def __iter__(self) -> Any:
        raise TypeError(f"{self!r} is not iterable: index it with [position] or ['key']")

    def __len__(self) -> int:
        raise ExpressionOperatorError(
            f"len({self!r}): a step property has no length until the pipeline runs (index "
            "it with [position] or ['key']; to count what a step declares, count its own "
            "arguments, e.g. len(prep.outputs))"
        )

    def __dir__(self) -> list[str]:
        return sorted(self._node.members)

    def __repr__(self) -> str:
        return f"Properties(Steps.{self._step.name}.{self._path})"

    def to_request(self, ctx: RenderContext | None = None) -> JsonValue:
        """Render ``{"Get": "Steps.<Name>.<path>"}``."""
        if ctx is not None:
            ctx.note_step(self._step)
        return {"Get": f"Steps.{self._step.name}.{self._path}"}
