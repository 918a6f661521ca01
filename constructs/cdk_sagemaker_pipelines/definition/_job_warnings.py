"""Legal step settings that silently cost money, train wrongly or hide why a run failed.

Seven traps SageMaker accepts without a word, each judged on a definition's JSON, each a
warning, not an error:

- ``shared-checkpoint-location``: a training job's ``CheckpointConfig.S3Uri`` is the same
  on every run, so SageMaker copies the previous execution's checkpoints into
  ``/opt/ml/checkpoints`` and the new run resumes from them.
- ``warm-pool-cost``: a training step keeps its instances in a managed warm pool
  (``KeepAlivePeriodInSeconds`` > 0), billed while idle and rarely reused by a pipeline.
- ``uncacheable-step``: a cached step whose cache key holds a value that changes every run
  (the execution's id or time, the name of a job that ran in this execution): it can never
  hit.
- ``image-processor-mismatch``: a GPU instance running a framework image built for CPU, or
  the other way round.
- ``cache-ignored``: a Lambda or Callback step with caching enabled; SageMaker doesn't cache
  those step types, so they run every time.
- ``seal-outside-branch``: a ``RegisterModel`` reads the sealed copies of a ``SealStep``
  that runs where it doesn't (before the Condition whose branch holds it): every model the
  condition rejects is sealed anyway, undeletably.
- ``fail-step-without-message``: a Fail step whose ErrorMessage is empty. SageMaker then
  records no ``FailureReason`` for it (the SDK's integration test ``test_fail_steps.py``),
  so the run's steps, Studio and a failure notification can't say why the run stopped.

The CDK ``Pipeline`` raises each as ``cdk-sagemaker-pipelines:<kind>`` at synth.

Example::

    for warning in job_warnings(definition):
        print(warning.kind, warning.step, warning.field, warning.message)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._cache_keys import KEY_ATTRIBUTES, RUN_CONSTANTS, _invariant_references, key_attributes
from ._seal_entries import is_seal_entry
from .entries import StepSpec, walk_steps
from .images import _table as _framework_table
from .images import framework_of_repository
from .instances import instance_family

# The fix the shared-checkpoint warning suggests.
_SUGGESTED_JOIN = 'Join(on="/", values=[base, ExecutionVariables.PIPELINE_EXECUTION_ID])'
# Properties that name the job a step ran, or hold that name (a model's artifacts sit under
# ``<output path>/<job name>/``): new every run the step runs. A Model step's ``ModelName``
# is generated per execution too, and a RegisterModel step's ``ModelPackageArn`` names the
# version it registered: a new version, so a new ARN, every run.
_PER_JOB_PROPERTY = re.compile(
    r"\.(TrainingJobName|TrainingJobArn|ProcessingJobName|ProcessingJobArn|TransformJobName"
    r"|TransformJobArn|HyperParameterTuningJobName|HyperParameterTuningJobArn|AutoMLJobName"
    r"|AutoMLJobArn|ModelArtifacts\.S3ModelArtifacts|BestTrainingJob\.|ModelName$|ModelArn$"
    r"|ModelPackageArn$)"
)
# A framework image URI whose region (or account) may be a deploy-time token.
_IMAGE_URI = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.[^/]+/(?P<repository>[^:@]+):(?P<tag>.+)")
# GPU families: ml.p3, ml.p4d, ml.p5…, ml.g4dn, ml.g5, ml.g6, ml.gr6…; Neuron (inf, trn) and
# anything unknown are left alone. Graviton families (c7g, m7g) start with their CPU letter.
_GPU_FAMILY = re.compile(r"[pg]\d")
_CPU_FAMILY = re.compile(r"[cmrtxz]\d")


@dataclass(frozen=True, slots=True)
class JobWarning:
    """One trap of one step: ``kind`` is the warning id's suffix, ``field`` its path.

    Example::

        JobWarning("warm-pool-cost", "Train", "Arguments.ResourceConfig.KeepAlivePeriodInSeconds",
                   "Step 'Train' field …")
    """

    kind: str
    step: str
    field: str
    message: str


def job_warnings(definition: Mapping[str, Any]) -> list[JobWarning]:
    """The traps of ``definition``'s steps, at most one per step and kind, in step order.

    Example::

        [w.kind for w in job_warnings(definition)]  # ['shared-checkpoint-location']
    """
    steps = definition.get("Steps")
    defaults = {
        f"Parameters.{entry['Name']}": entry.get("DefaultValue")
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping) and isinstance(entry.get("Name"), str)
    }
    specs = list(walk_steps(steps))
    hits = _CacheHits(specs)
    models = {
        spec.name: _model_image(spec.entry.get("Arguments"))
        for spec in specs
        if spec.step_type == "Model"
    }
    found: list[JobWarning] = []
    sealing = _seal_outside_branch(specs)
    for spec in specs:
        for spec_check in (_cache_ignored, _fail_without_message):
            warning = spec_check(spec)
            if warning is not None:
                found.append(warning)
        if spec.name in sealing:
            found.append(sealing[spec.name])
        arguments = spec.entry.get("Arguments")
        if not isinstance(arguments, Mapping):
            continue
        for check in (_shared_checkpoint, _warm_pool, _image_processor):
            warning = check(spec.name, spec.step_type, arguments, defaults, models)
            if warning is not None:
                found.append(warning)
        if spec.name in hits.cached:
            warning = _uncacheable(spec.name, hits)
            if warning is not None:
                found.append(warning)
    return found


# Step types SageMaker's step caching doesn't apply to, though the SDK writes their
# CacheConfig: they run every time, so they are neither cache hits nor uncacheable.
_NEVER_CACHED_TYPES = frozenset({"Lambda", "Callback"})


def _cached(entry: Mapping[str, Any]) -> bool:
    config = entry.get("CacheConfig")
    return (
        isinstance(config, Mapping)
        and config.get("Enabled") is True
        and entry.get("Type") not in _NEVER_CACHED_TYPES
    )


def _cache_ignored(spec: StepSpec) -> JobWarning | None:
    config = spec.entry.get("CacheConfig")
    if spec.step_type not in _NEVER_CACHED_TYPES or not isinstance(config, Mapping):
        return None
    if config.get("Enabled") is not True:
        return None  # a disabled cache claims nothing
    return JobWarning(
        "cache-ignored",
        spec.name,
        "CacheConfig",
        f"Step '{spec.name}' field 'CacheConfig' enables caching, but SageMaker's step "
        f"caching doesn't apply to {spec.step_type} steps (only to job steps such as "
        "Processing, Training, Tuning and Transform): the step runs on every execution, "
        "whatever its arguments. Remove its cache_config, or acknowledge this warning if "
        "the definition comes from the SageMaker SDK as written.",
    )


def fail_step_message(entry: Mapping[str, Any]) -> bool:
    """Whether a Fail step's entry gives a reason: an ErrorMessage that isn't blank text.

    An expression (a parameter, a ``Std:Join``) counts as one: its value is known only at
    run time.

    Example::

        fail_step_message({"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": ""}})
        # False
    """
    arguments = entry.get("Arguments")
    message = arguments.get("ErrorMessage") if isinstance(arguments, Mapping) else None
    if isinstance(message, str):
        return bool(message.strip())
    return message is not None


def _fail_without_message(spec: StepSpec) -> JobWarning | None:
    if spec.step_type != "Fail" or fail_step_message(spec.entry):
        return None
    return JobWarning(
        "fail-step-without-message",
        spec.name,
        "Arguments.ErrorMessage",
        f"Fail step '{spec.name}' has no ErrorMessage: SageMaker then records no "
        "FailureReason for it, so the run's steps (ListPipelineExecutionSteps, Studio) and "
        "the on-call's failure notification can say only that the run stopped there, not "
        "why. Give it error_message= naming the check that failed and the values compared "
        '(Join(on=" ", values=["Accuracy", accuracy, "is below", threshold])), or '
        "acknowledge this warning.",
    )


# Where a step sits: (its Condition, True for IfSteps / False for ElseSteps), or (None, None).
_Scope = tuple[str | None, bool | None]


def _seal_outside_branch(specs: list[StepSpec]) -> dict[str, JobWarning]:
    """The RegisterModel steps reading a seal that runs where they (or their kin) don't.

    A seal is placed well when, wherever it runs, a RegisterModel reading it runs too: one
    in its own branch or an enclosing one, or one in each branch of a Condition beside it
    (the condition then registers either way). Otherwise every execution the condition
    turns away still seals its artifacts, which the bucket then keeps (no principal but the
    sealing function may delete under ``sealed/``).
    """
    by_name = {spec.name: spec for spec in specs}
    seals = {spec.name for spec in specs if is_seal_entry(spec.entry)}
    # Each seal's readers: RegisterModel step → its first field reading the seal.
    readers: dict[str, dict[str, str]] = {}
    for spec in specs:
        if spec.step_type != "RegisterModel":
            continue
        for field, seal in _seal_reads(spec.entry.get("Arguments"), "Arguments", seals):
            readers.setdefault(seal, {}).setdefault(spec.name, field)
    conditions: dict[_Scope, list[str]] = {}
    for spec in specs:
        if spec.step_type == "Condition":
            conditions.setdefault((spec.condition, spec.branch), []).append(spec.name)

    def covered(scope: _Scope, registers: set[_Scope]) -> bool:
        if scope in registers:
            return True
        return any(
            covered((name, True), registers) and covered((name, False), registers)
            for name in conditions.get(scope, [])
        )

    found: dict[str, JobWarning] = {}
    for seal, registers in readers.items():
        spec = by_name[seal]
        scopes = {(by_name[name].condition, by_name[name].branch) for name in registers}
        scope: _Scope = (spec.condition, spec.branch)
        placed_well = covered(scope, scopes)
        # A RegisterModel in an enclosing branch runs wherever the seal does.
        while not placed_well and scope[0] is not None and scope[0] in by_name:
            enclosing = by_name[scope[0]]
            scope = (enclosing.condition, enclosing.branch)
            placed_well = scope in scopes
        if placed_well:
            continue
        for register, field in registers.items():
            where = by_name[register]
            branch = "IfSteps" if where.branch else "ElseSteps"
            seal_place = (
                "at the top level"
                if spec.condition is None
                else f"in the {'IfSteps' if spec.branch else 'ElseSteps'} of Condition "
                f"'{spec.condition}'"
            )
            found.setdefault(
                register,
                JobWarning(
                    "seal-outside-branch",
                    register,
                    field,
                    f"Step '{register}' field '{field}' reads a sealed copy of SealStep "
                    f"'{seal}', which runs {seal_place}, outside the {branch} of Condition "
                    f"'{where.condition}' that holds '{register}': every execution the "
                    f"condition turns away still seals its artifacts, and sealed copies "
                    "can't be deleted (the bucket denies deletes under sealed/ to all but "
                    f"the sealing function), so they pile up. Move '{seal}' into the same "
                    f"branch as '{register}' (the condition's if_steps or else_steps), or "
                    "acknowledge this warning if sealing every candidate is what you want.",
                ),
            )
    return found


def _seal_reads(value: Any, path: str, seals: set[str]) -> Iterator[tuple[str, str]]:
    """Each (field, seal step) of ``value`` that reads a seal's ``OutputParameters``."""
    if isinstance(value, Mapping):
        reference = value.get("Get") if len(value) == 1 else None
        if isinstance(reference, str) and reference.startswith("Steps."):
            step = reference[len("Steps.") :].split(".")[0].split("[")[0]
            if step in seals:
                yield path, step
            return
        join = value.get("Std:Join")
        if isinstance(join, Mapping):
            # A part of a joined value is named by the value's own field.
            parts = join.get("Values")
            for item in parts if isinstance(parts, list) else []:
                yield from _seal_reads(item, path, seals)
            return
        for member, item in value.items():
            yield from _seal_reads(item, f"{path}.{member}", seals)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _seal_reads(item, f"{path}[{index}]", seals)


def _training_jobs(step_type: str, arguments: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each training job (definition) a step configures, with its field prefix."""
    if step_type == "Training":
        yield "Arguments.", arguments
    elif step_type == "Tuning":
        single = arguments.get("TrainingJobDefinition")
        if isinstance(single, Mapping):
            yield "Arguments.TrainingJobDefinition.", single
        several = arguments.get("TrainingJobDefinitions")
        for index, item in enumerate(several if isinstance(several, list) else []):
            if isinstance(item, Mapping):
                yield f"Arguments.TrainingJobDefinitions[{index}].", item


def _shared_checkpoint(
    step: str, step_type: str, arguments: Mapping[str, Any], *_: Any
) -> JobWarning | None:
    if step_type != "Training":
        # A tuning job's trials run in parallel from one definition: SageMaker must keep
        # their checkpoints apart (under each training job's name, as far as we know; not
        # verified against AWS), so a shared S3Uri there isn't judged.
        return None
    for prefix, job in _training_jobs(step_type, arguments):
        config = job.get("CheckpointConfig")
        uri = config.get("S3Uri") if isinstance(config, Mapping) else None
        if uri is None:
            continue
        # Literals, parameters and the pipeline's name are the same every run; a property of
        # a step may be new each run (an output under the execution's id): not judged.
        fed_by = _invariant_references(uri, frozenset())
        if fed_by is None or fed_by:
            continue
        field = f"{prefix}CheckpointConfig.S3Uri"
        return JobWarning(
            "shared-checkpoint-location",
            step,
            field,
            f"Step '{step}' field '{field}' ({_describe(uri)}) is the same location on every "
            "execution: SageMaker copies what is under it into the job's checkpoint directory "
            "(/opt/ml/checkpoints) before training starts, so each new execution resumes from "
            "the previous execution's final checkpoint instead of training from the start. "
            f"Make it per execution: checkpoint_s3_uri={_SUGGESTED_JOIN}. If resuming "
            "across executions is what you want, acknowledge this warning.",
        )
    return None


def _warm_pool(
    step: str,
    step_type: str,
    arguments: Mapping[str, Any],
    defaults: Mapping[str, Any],
    *_: Any,
) -> JobWarning | None:
    if step_type != "Training":
        return None
    resources = arguments.get("ResourceConfig")
    if not isinstance(resources, Mapping):
        return None
    period, of_default = _judged(resources.get("KeepAlivePeriodInSeconds"), defaults)
    if isinstance(period, bool) or not isinstance(period, int) or period <= 0:
        return None
    count = _judged(resources.get("InstanceCount"), defaults)[0]
    instance = _judged(resources.get("InstanceType"), defaults)[0]
    instances = (
        f"{count} × {instance}"
        if isinstance(count, int) and isinstance(instance, str)
        else "its instances"
    )
    field = "Arguments.ResourceConfig.KeepAlivePeriodInSeconds"
    return JobWarning(
        "warm-pool-cost",
        step,
        field,
        f"Step '{step}' field '{field}' keeps {instances} in a managed warm pool for "
        f"{period} s{' (the parameter default)' if of_default else ''} after each job: "
        "where the account's warm pool quota allows one (it is 0 by default, and then "
        "nothing is kept), the idle instances bill for up to that period, and only a later "
        "training job with a matching ResourceConfig (instance type and count, role, network, "
        "keys) reuses them, which a pipeline's next job rarely is. Leave "
        "keep_alive_period_in_seconds out for pipeline steps, or acknowledge this warning if "
        "jobs started right after this one match it.",
    )


def _uncacheable(step: str, hits: _CacheHits) -> JobWarning | None:
    changing = hits.misses(step)
    if changing is None:
        return None
    field, reference = changing
    return JobWarning(
        "uncacheable-step",
        step,
        field,
        f"Step '{step}' is cached (CacheConfig enabled), but its cache key member "
        f"'{field}' holds {reference}, which is new on every execution: SageMaker "
        "compares the key's arguments as given, so the step never finds an earlier run "
        "to reuse and runs every time. Remove its cache_config, or keep per-run values "
        "out of the cache key members (SageMaker's documented default cache key "
        "attributes of the step's type).",
    )


# A check step's Arguments are a processing job's: keyed as one (its outputs, whose default
# location holds the execution id, are in no step type's key).
_CHECK_STEP_TYPES = frozenset({"QualityCheck", "ClarifyCheck"})
# One part of a property path: a member, a quoted name (``Outputs['train']``) or an index.
_PROPERTY_PART = re.compile(r"\.?([A-Za-z0-9_]+)|\['([^']*)'\]|\[(\d+)\]")


class _CacheHits:
    """Which cached steps never hit, and why: judged once per step, producers first.

    A step's property is the same every run when the step is a cache hit (it hands on the
    earlier run's); otherwise it is new when it names the job, or mirrors an argument of
    the step that is (a default output location holds the execution id).
    """

    def __init__(self, specs: list[StepSpec]) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.cached = {spec.name for spec in specs if _cached(spec.entry)}
        self._misses: dict[str, tuple[str, str] | None] = {}
        self._judging: set[str] = set()
        # Producers before their consumers, so that judging one never recurses through a
        # long chain of steps (a definition may list its steps in any order).
        for step in self._producers_first():
            if step in self.cached:
                self.misses(step)

    def _producers_first(self) -> list[str]:
        """Every step after the steps whose properties it reads (iteratively: no recursion)."""
        order: list[str] = []
        done: set[str] = set()
        for start in self.specs:
            stack: list[tuple[str, bool]] = [(start, False)]
            while stack:
                step, expanded = stack.pop()
                if expanded:
                    order.append(step)
                    continue
                if step in done:
                    continue
                done.add(step)
                stack.append((step, True))
                for producer in _read_steps(self.specs[step].entry.get("Arguments")):
                    if producer in self.specs and producer not in done:
                        stack.append((producer, False))
        return order

    def misses(self, step: str) -> tuple[str, str] | None:
        """The first cache key field of cached ``step`` that is new every run, and its value."""
        if step in self._misses:
            return self._misses[step]
        if step in self._judging:
            return None  # a cycle: invalid, and reported so by validation
        self._judging.add(step)
        spec = self.specs[step]
        arguments = spec.entry.get("Arguments")
        kind = "Processing" if spec.step_type in _CHECK_STEP_TYPES else spec.step_type
        key: Mapping[str, Any] = {}
        if isinstance(arguments, Mapping):
            key = key_attributes(kind, arguments) if kind in KEY_ATTRIBUTES else arguments
        result = None
        for member, value in key.items():
            found = self._per_run_value(value, f"Arguments.{member}")
            if found is not None:
                result = found
                break
        self._judging.discard(step)
        self._misses[step] = result
        return result

    def _per_run_value(self, value: Any, path: str) -> tuple[str, str] | None:
        """The first place in ``value`` whose value is new every run, with what it holds."""
        if isinstance(value, Mapping):
            reference = value.get("Get") if len(value) == 1 else None
            if isinstance(reference, str):
                return self._per_run_reference(reference, path)
            join = value.get("Std:Join")
            if isinstance(join, Mapping):
                # A part of a joined value is named by the value's own field.
                parts = join.get("Values")
                for item in parts if isinstance(parts, list) else []:
                    found = self._per_run_value(item, path)
                    if found is not None:
                        return found
                return None
            for member, item in value.items():
                found = self._per_run_value(item, f"{path}.{member}")
                if found is not None:
                    return found
        elif isinstance(value, list):
            for index, item in enumerate(value):
                found = self._per_run_value(item, f"{path}[{index}]")
                if found is not None:
                    return found
        return None

    def _per_run_reference(self, reference: str, path: str) -> tuple[str, str] | None:
        if reference.startswith("Execution.") and reference not in RUN_CONSTANTS:
            return path, f"ExecutionVariables.{_snake(reference.removeprefix('Execution.'))}"
        if not reference.startswith("Steps."):
            return None
        producer = reference[len("Steps.") :].split(".")[0].split("[")[0]
        if producer in self.cached and producer in self.specs and self.misses(producer) is None:
            return None  # a hit hands on the earlier run's value
        if _PER_JOB_PROPERTY.search(reference):
            return path, f"{reference} (step '{producer}' runs, under a new name, every execution)"
        if producer in self._judging:
            return None
        self._judging.add(producer)
        try:
            mirrored = self._mirrored_argument(producer, reference)
            found = None if mirrored is None else self._per_run_value(mirrored, "")
        finally:
            self._judging.discard(producer)
        if found is None:
            return None
        return path, f"{reference} (step '{producer}' writes there, and it holds {found[1]})"

    def _mirrored_argument(self, producer: str, reference: str) -> Any:
        """The producer's argument a property echoes (``ProcessingOutputConfig.Outputs['x']…``)."""
        spec = self.specs.get(producer)
        if spec is None:
            return None
        value: Any = spec.entry.get("Arguments")
        rest = reference[len("Steps.") + len(producer) :]
        for member, name, index in _PROPERTY_PART.findall(rest):
            if member:
                value = value.get(member) if isinstance(value, Mapping) else None
            elif name:
                # A named item of a list: an output, a channel.
                value = next(
                    (
                        item
                        for item in (value if isinstance(value, list) else [])
                        if isinstance(item, Mapping)
                        and name in (item.get("OutputName"), item.get("ChannelName"))
                    ),
                    None,
                )
            else:
                position = int(index)
                value = (
                    value[position] if isinstance(value, list) and position < len(value) else None
                )
            if value is None:
                return None
        return value


def _read_steps(value: Any) -> set[str]:
    """The steps whose properties ``value`` reads (``Get Steps.X…``)."""
    found: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            reference = item.get("Get")
            if isinstance(reference, str) and reference.startswith("Steps."):
                found.add(reference[len("Steps.") :].split(".")[0].split("[")[0])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _snake(name: str) -> str:
    """``PipelineExecutionId`` → ``PIPELINE_EXECUTION_ID`` (the ExecutionVariables name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def _image_processor(
    step: str,
    step_type: str,
    arguments: Mapping[str, Any],
    defaults: Mapping[str, Any],
    models: Mapping[str, Any],
) -> JobWarning | None:
    for image_field, image, instance_field, instance in _images_and_instances(
        step_type, arguments, models
    ):
        processor = image_processor(image)
        judged, of_default = _judged(instance, defaults)
        accelerator = instance_accelerator(judged)
        if processor is None or accelerator is None or processor == accelerator:
            continue
        default = " (the parameter default)" if of_default else ""
        fix, why = _processor_fix(image, accelerator)
        return JobWarning(
            "image-processor-mismatch",
            step,
            instance_field,
            f"Step '{step}' field '{instance_field}' is {judged}{default}, a {accelerator.upper()} "
            f"instance, but field '{image_field}' is a {processor.upper()} framework image "
            f"({image}): {why}. {fix[0].upper()}{fix[1:]}.",
        )
    return None


def _processor_fix(image: str, accelerator: str) -> tuple[str, str]:
    """(what to change, why) for a framework image built for the other processor.

    The hint offers the image's other variant only where its framework publishes one
    (``framework_images.json``: scikit-learn is CPU only, Hugging Face training GPU only).
    """
    match = _IMAGE_URI.fullmatch(image)
    repository = match["repository"] if match else ""
    framework = framework_of_repository(repository) or "the framework"
    offered = _repository_processors().get(repository, frozenset())
    if accelerator == "gpu":
        if "gpu" not in offered:
            return (
                f"choose a CPU instance type (ml.m*, ml.c*): {framework} publishes no GPU image",
                "the CPU build runs on the CPU and the GPUs bill idle",
            )
        return (
            f'choose the framework image\'s gpu variant (Image.{framework}(…, processor="gpu"))',
            "the CPU build has no CUDA, so the job runs on the CPU and the GPUs bill idle",
        )
    why = "a GPU build on an instance without a GPU is a larger pull and fails where the code "
    why += "expects CUDA"
    if "cpu" not in offered:
        return f"choose a GPU instance type (ml.g*, ml.p*): {framework} publishes no CPU image", why
    return "choose a GPU instance type (ml.g*, ml.p*) or the image's cpu variant", why


@cache
def _repository_processors() -> dict[str, frozenset[str]]:
    """Framework repository → the processors any of its published versions is built for."""
    found: dict[str, set[str]] = {}
    for framework in _framework_table()["frameworks"].values():
        for scope in framework["scopes"].values():
            for entry in scope["versions"].values():
                for image in entry.get("base_frameworks", {"": entry}).values():
                    found.setdefault(image["repository"], set()).update(entry.get("processors", ()))
    return {repository: frozenset(processors) for repository, processors in found.items()}


def _images_and_instances(
    step_type: str, arguments: Mapping[str, Any], models: Mapping[str, Any]
) -> Iterator[tuple[str, Any, str, Any]]:
    """(image field, image, instance type field, instance type) of each job of a step."""
    if step_type == "Processing":
        yield (
            "Arguments.AppSpecification.ImageUri",
            _dig(arguments, "AppSpecification", "ImageUri"),
            "Arguments.ProcessingResources.ClusterConfig.InstanceType",
            _dig(arguments, "ProcessingResources", "ClusterConfig", "InstanceType"),
        )
    elif step_type in ("Training", "Tuning"):
        for prefix, job in _training_jobs(step_type, arguments):
            image_field = f"{prefix}AlgorithmSpecification.TrainingImage"
            image = _dig(job, "AlgorithmSpecification", "TrainingImage")
            groups = _dig(job, "ResourceConfig", "InstanceGroups")
            if isinstance(groups, list):
                # A heterogeneous cluster runs one image on every group: a GPU image on its
                # CPU data group is the documented pattern, so only a CPU image on a GPU
                # group is judged.
                for index, group in enumerate(groups):
                    instance = group.get("InstanceType") if isinstance(group, Mapping) else None
                    if image_processor(image) == "cpu":
                        field = f"{prefix}ResourceConfig.InstanceGroups[{index}].InstanceType"
                        yield image_field, image, field, instance
                continue
            field = f"{prefix}ResourceConfig.InstanceType"
            yield image_field, image, field, _dig(job, "ResourceConfig", "InstanceType")
    elif step_type == "Transform":
        model = _model_step(arguments.get("ModelName"))
        if model is not None and model in models:
            yield (
                f"Steps.{model}.Arguments.PrimaryContainer.Image",
                models[model],
                "Arguments.TransformResources.InstanceType",
                _dig(arguments, "TransformResources", "InstanceType"),
            )
    elif step_type == "EndpointConfig":
        variants = arguments.get("ProductionVariants")
        for index, variant in enumerate(variants if isinstance(variants, list) else []):
            if not isinstance(variant, Mapping):
                continue
            model = _model_step(variant.get("ModelName"))
            if model is not None and model in models:
                yield (
                    f"Steps.{model}.Arguments.PrimaryContainer.Image",
                    models[model],
                    f"Arguments.ProductionVariants[{index}].InstanceType",
                    variant.get("InstanceType"),
                )


def _model_step(name: Any) -> str | None:
    """The Model step whose ``ModelName`` property ``name`` reads, if it does."""
    reference = name.get("Get") if isinstance(name, Mapping) else None
    if isinstance(reference, str) and reference.startswith("Steps."):
        step, _, rest = reference[len("Steps.") :].partition(".")
        return step if rest == "ModelName" else None
    return None


def _model_image(arguments: Any) -> Any:
    """The image of a Model step's single container (``None`` for several: not judged)."""
    primary = _dig(arguments, "PrimaryContainer", "Image")
    if primary is not None:
        return primary
    containers = _dig(arguments, "Containers")
    if isinstance(containers, list) and len(containers) == 1:
        return _dig(containers[0], "Image")
    return None


def image_processor(image: Any) -> str | None:
    """``"cpu"`` or ``"gpu"`` for a SageMaker framework image URI whose tag says; else None.

    Custom images (any repository SageMaker doesn't publish from its own accounts) and
    framework images built for both (XGBoost's ``1.7-1``) are ``None``: unknown.

    Example::

        image_processor("763104351884.dkr.ecr.us-east-1.amazonaws.com/"
                        "pytorch-training:2.1.0-gpu-py310")  # 'gpu'
    """
    if not isinstance(image, str):
        return None
    match = _IMAGE_URI.fullmatch(image)
    if match is None:
        return None
    if framework_of_repository(match["repository"], account=match["account"]) is None:
        return None
    parts = set(match["tag"].split("-"))
    if "gpu" in parts:
        return "gpu"
    return "cpu" if "cpu" in parts else None


def instance_accelerator(instance_type: Any) -> str | None:
    """``"gpu"`` (ml.p*, ml.g*), ``"cpu"`` (ml.c*, ml.m*, ml.r*, ml.t*…) or None.

    Neuron instances (inf, trn) and anything else are None: not judged.

    Example::

        instance_accelerator("ml.g5.2xlarge"), instance_accelerator("ml.m5.large")  # gpu, cpu
    """
    if not isinstance(instance_type, str) or not instance_type.startswith("ml."):
        return None
    family = instance_family(instance_type)
    if _GPU_FAMILY.match(family) or re.fullmatch(r"gr\d+", family):
        return "gpu"
    return "cpu" if _CPU_FAMILY.match(family) else None


def _judged(value: Any, defaults: Mapping[str, Any]) -> tuple[Any, bool]:
    """A literal as it is; a parameter as its default (True: it was one); else None."""
    if isinstance(value, Mapping):
        reference = value.get("Get")
        if isinstance(reference, str) and reference in defaults:
            return defaults[reference], True
        return None, False
    return value, False


def _dig(value: Any, *members: str) -> Any:
    for member in members:
        if not isinstance(value, Mapping):
            return None
        value = value.get(member)
    return value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return value
    reference = value.get("Get") if isinstance(value, Mapping) else None
    if isinstance(reference, str):
        return reference
    return "a Join of run-invariant values"
