"""``LocalRunner``: execute a compiled pipeline definition on this machine.

The runner executes the definition JSON (a dict), never the Python step objects. One
``run()`` reads its ``LocalConfig`` once, validates the definition and the parameter
values, allocates the execution's directory, and drives the scheduler: independent
steps run in parallel (up to ``MaxParallelExecutionSteps``), each in a worker thread
that evaluates the step's expressions, checks the cache, runs the executor (with retry
policies for service faults) and publishes the outputs atomically.

Example::

    runner = LocalRunner(LocalConfig(root=tmp_path, resources=ResourceMap(s3={…})))
    result = runner.run(definition, parameters={"AccuracyThreshold": "0.99"})
    assert result.status == "Failed"
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import string
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..definition import (
    PipelineValidationError,
    coerce_parameter_values,
    validate_definition,
)
from ..definition._suggest import did_you_mean
from ..definition._typecheck import show_value
from ..definition.entries import StepSpec
from ..definition.permissions import CHECK_STEP_TYPES, JOB_NAME_PREFIX, UNPREFIXED_JOB_TYPES
from ..definition.properties import PathStepError, resolve, root_node
from ..definition.retry import JOB_EXCEPTION_TYPES, STEP_EXCEPTION_TYPES
from ..definition.validate import STEP_NAME
from ..definition_files import leading_text_problem, python_source_problem
from ._errors import AccessDeniedError, EvaluationError, LocalRunError, StepError
from ._graph import StepGraph, output_locations
from ._paths import shown_path
from ._service_calls import service_calls
from .cache import CacheEntry, StepCache, cache_config, cache_key, input_uris
from .evaluate import JOB_NAME_VARIABLES, Evaluator, ExecutionVariables
from .executors import (
    EXTERNAL_TYPES,
    LAZY_ARGUMENTS,
    RunSettings,
    StepContext,
    StepResult,
    executor_for,
)
from .executors._outputs import (
    check_step_properties,
    coerce_output,
    declared_outputs,
)
from .executors._training_job import SUBMIT_DIRECTORY, script_setting
from .executors.endpoint import configuration_name
from .executors.stand_in import STOOD_IN_TYPES, check_stand_in, runs_a_program, runs_here
from .hosting import LocalHosting
from .iam import AccessGuard, AssemblyRoles, ObjectKey, job_roles, output_keys
from .isolation import choose_isolation, remove_tree
from .preflight import missing_stand_ins, preflight_error, preflight_notice
from .records import (
    ExecutionRecord,
    find_execution,
    new_execution_dir,
    no_failure_reason,
    pipeline_arn,
    settle_abandoned,
    write_json,
)
from .registry import ModelRegistry
from .resources import (
    LambdaHandler,
    ResourceMap,
    check_types,
    default_python,
    lambda_keys,
    normalize_s3_uri,
    under,
)
from .result import ExecutionResult
from .scheduler import Scheduler, StepState
from .store import StepStore, hash_located, load_snapshot

DEFAULT_PIPELINE_NAME = "local-pipeline"
# An execution's copy of the assembly's roles and policies, which --resume checks against.
IAM_FILE = "iam.json"
# An execution's copy of LoadedPipeline.functions: --resume binds a --lambda given by
# construct path with it, as the run did.
FUNCTIONS_FILE = "functions.json"
STEP_FAULTS = frozenset({"Step.SERVICE_FAULT", "Step.THROTTLING"})
_ALIASES = {"SageMaker.JOB_CAPACITY_ERROR": "SageMaker.CAPACITY_ERROR"}
# What a retry policy can name, so what a simulated fault may be.
FAULT_TYPES = STEP_EXCEPTION_TYPES | JOB_EXCEPTION_TYPES | frozenset(_ALIASES)
_JOB_ALPHABET = string.ascii_letters + string.digits
# How option checks name the option: LocalConfig's field, then the smpipe flag.
_CALLBACK_OUTPUTS = "callback_outputs (--callback-output)"


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """A change the runner reports while an execution runs (for live displays).

    ``kind`` is one of ``execution-started``, ``execution-notice`` (``message``: what the
    runner found before any step ran, such as a step in a Condition's branch with nothing to
    stand in for it), ``step-started``, ``step-succeeded``,
    ``step-cached``, ``step-failed``, ``step-stopped``, ``step-retrying``,
    ``step-not-executed``,
    ``execution-finished``.

    ``step_names`` is set on ``execution-started`` only: every step of the pipeline (branch
    steps too), so a display can size its columns before the first step reports.

    ``message`` of a ``step-cached`` event is ``from execution <id>``, then a line per note:
    an input the reused execution read from another local folder than this run maps.

    Example::

        LocalConfig(progress=lambda event: print(event.kind, event.step, event.message))
    """

    kind: str
    execution_id: str
    elapsed: float
    step: str | None = None
    step_type: str | None = None
    message: str | None = None
    step_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LocalConfig:
    """How the local runner runs: where it keeps its state and how it maps resources.

    - ``root``: the runner's directory (executions, local S3 tree, cache, registry).
      Default: ``.smpipe`` in the working directory.
    - ``resources``: local stand-ins for S3 locations, images and Lambda functions.
    - ``max_parallel``: ``MaxParallelExecutionSteps``. Default: the pipeline's
      ``ParallelismConfiguration`` if known, else the number of CPUs.
    - ``isolation``: ``auto`` (a private mount namespace per step if available, else
      path redirection), ``namespace`` or ``redirect``.
    - ``python``: the interpreter framework images map to. Default: this one.
    - ``callback_outputs``: per step, output values of Callback steps (and of Lambda
      or external steps, and properties of Training or Tuning steps of a built-in
      algorithm, ``{"Train": {"ModelArtifacts.S3ModelArtifacts": "s3://…"}}``, which
      then don't run). A step the runner runs is refused one.
    - ``faults``: per step, service faults to simulate, one failed attempt per entry
      (``{"Train": ["SageMaker.CAPACITY_ERROR"]}``), to exercise retry policies.
    - ``retry_interval_scale``: multiplies retry intervals (0 in tests).
    - ``strict_outputs``: fail a step whose output directory stays empty (the
      service would publish nothing and fail a later step). Default: True.
    - ``keep_work``: keep attempt directories of succeeded steps. Default: False.
    - ``reuse_cache``: let steps with a ``CacheConfig`` reuse earlier runs. ``False``
      runs every step (and still records its run for later hits), for when data
      changed at the same S3 URI, which the key doesn't cover. Default: True.
    - ``progress``: called with each ``ProgressEvent`` on the runner's thread.
    - ``iam_check``: for a pipeline from a cloud assembly, check each job's S3 reads and
      writes against the policies of the role it runs as, and the calls SageMaker Pipelines
      makes as the pipeline's role to start each step (``local/iam.py``); a denied one
      fails the step with ``AccessDenied``. Default: True.
    - ``stop_at_missing``: run even though a Callback or Lambda step the execution will
      reach has nothing to stand in for it (no ``callback_outputs``, no handler): the
      steps before it run, and it fails when its turn comes. Default: False, which raises
      ``LocalRunError`` before any step runs, naming the options each such step needs.

    Example::

        LocalConfig(root=tmp_path, resources=ResourceMap(s3={"s3://b/code": "scripts"}),
                    max_parallel=2)
    """

    root: str | Path = ".smpipe"
    resources: ResourceMap = field(default_factory=ResourceMap)
    max_parallel: int | None = None
    isolation: str = "auto"
    python: str | None = None
    callback_outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    faults: Mapping[str, Sequence[str]] = field(default_factory=dict)
    retry_interval_scale: float = 1.0
    strict_outputs: bool = True
    keep_work: bool = False
    reuse_cache: bool = True
    progress: Callable[[ProgressEvent], None] | None = None
    iam_check: bool = True
    stop_at_missing: bool = False

    def __post_init__(self) -> None:
        check_types(self)


def run_options(config: LocalConfig) -> dict[str, Any]:
    """The options of ``config`` an execution's record keeps no other way, unless default.

    Stored in the record as ``RunOptions``. A resume runs with its own options, so the
    command that continues an execution repeats these (``smpipe run --resume ID
    --callback-output …``). Not recorded: what the record keeps already (the definition,
    parameters, resources), ``faults`` (a simulated fault is one invocation's, as a
    service fault doesn't recur on a retry), ``python`` and ``progress``.

    Example::

        run_options(LocalConfig(callback_outputs={"Approve": {"ok": "true"}}, keep_work=True))
        # {"CallbackOutputs": {"Approve": {"ok": "true"}}, "KeepWork": True}
    """
    options: dict[str, Any] = {}
    outputs = {step: dict(values) for step, values in config.callback_outputs.items() if values}
    if outputs:
        options["CallbackOutputs"] = outputs
    if config.max_parallel is not None:
        options["MaxParallel"] = config.max_parallel
    if config.isolation != "auto":
        options["Isolation"] = config.isolation
    if config.retry_interval_scale != 1.0:
        options["RetryIntervalScale"] = config.retry_interval_scale
    if not config.strict_outputs:
        options["StrictOutputs"] = False
    if config.keep_work:
        options["KeepWork"] = True
    if not config.reuse_cache:
        options["ReuseCache"] = False
    if not config.iam_check:
        options["IamCheck"] = False
    if config.stop_at_missing:
        options["StopAtMissing"] = True
    return options


def _check_run_arguments(pipeline_name: object, steps: object, from_execution: object) -> None:
    """Raise ``LocalRunError`` for ``run`` arguments of another type, naming the argument.

    A string given as ``steps`` would be taken letter by letter (``steps="Train"`` as the
    steps ``T``, ``r``, …); an execution id that isn't a string would fail deep in a lookup.
    """
    if pipeline_name is not None and not isinstance(pipeline_name, str):
        raise LocalRunError(f"pipeline_name must be a string, got {show_value(pipeline_name)}")
    if steps is not None and (
        isinstance(steps, str | bytes)
        or not isinstance(steps, list | tuple | set | frozenset)
        or not all(isinstance(step, str) for step in steps)
    ):
        raise LocalRunError(
            f"steps must be a list of step names (steps=['Train']), got {show_value(steps)}"
        )
    if from_execution is not None and not isinstance(from_execution, str):
        raise LocalRunError(
            f"from_execution must be an execution id (a string), got {show_value(from_execution)}"
        )


@dataclass(frozen=True, slots=True)
class LoadedPipeline:
    """A definition with the resources it needs, as the cdk.out loader returns it.

    Example::

        loaded = load_assembly("cdk.out", pipeline="dev/MlOps/Training")
        LocalRunner(LocalConfig()).run(loaded)
    """

    definition: Mapping[str, Any]
    resources: ResourceMap = field(default_factory=ResourceMap)
    pipeline_name: str | None = None
    notes: tuple[str, ...] = ()
    # The template's roles and policies (``local/iam.py``): a pipeline from an assembly
    # has them, and each job's S3 access is checked against its role's.
    roles: AssemblyRoles | None = None
    # Each stand-in bucket name the loader gave (``s3://<name>``) -> the construct path of
    # its ``AWS::S3::Bucket`` (``dev/MlOps/Artifacts/Bucket``): for reports such as
    # ``smpipe access``.
    buckets: Mapping[str, str] = field(default_factory=dict)
    # The construct path of each ``AWS::Lambda::Function`` of the stack
    # (``dev/MlOps/CheckQuality``) -> its stand-in ARN: ``--lambda dev/MlOps/CheckQuality=…``
    # binds the function as its logical id does.
    functions: Mapping[str, str] = field(default_factory=dict)
    # Each function's stand-in ARN -> its role's (``Role``): ``smpipe access`` shows a
    # SealStep as running as its sealing function's role.
    function_roles: Mapping[str, str] = field(default_factory=dict)


DefinitionInput = Mapping[str, Any] | str | Path | LoadedPipeline


class LocalRunner:
    """Runs pipeline definitions locally; one object per configuration, no global state.

    Example::

        runner = LocalRunner(LocalConfig(root=tmp_path))
        result = runner.run(definition, parameters={"AccuracyThreshold": "0.99"})
        assert result.step("CheckAccuracy").outcome is False
        runner.resume(result.execution_id)              # rerun failed and unrun steps
        runner.run(definition, steps=["Evaluate"], from_execution=result.execution_id)
    """

    def __init__(self, config: LocalConfig | None = None) -> None:
        self.config = config if config is not None else LocalConfig()

    @property
    def root(self) -> Path:
        """The runner's directory."""
        return Path(self.config.root).resolve()

    @property
    def registry(self) -> ModelRegistry:
        """The local model registry."""
        return ModelRegistry(self.root)

    def run(
        self,
        definition: DefinitionInput,
        parameters: Mapping[str, Any] | None = None,
        *,
        pipeline_name: str | None = None,
        steps: Sequence[str] | None = None,
        from_execution: str | None = None,
    ) -> ExecutionResult:
        """Run a definition; return the finished execution (whatever its status).

        ``parameters`` override defaults (strings or typed values, validated against the
        declared types and enums). ``steps`` runs only those steps, reusing the
        results of ``from_execution`` for the steps they need (selective execution).
        Raises ``PipelineValidationError`` for an invalid definition or parameter
        values, ``LocalRunError`` for unusable input.
        """
        _check_run_arguments(pipeline_name, steps, from_execution)
        settings = self._settings()
        body, resources, name = _read_definition(definition)
        given = self.config.resources
        if isinstance(definition, LoadedPipeline):
            given = _bind_function_paths(given, definition.functions)
        resources = resources.merged(given)
        name = _pipeline_name(pipeline_name or resources.pipeline_name or name)
        problems = validate_definition(body)
        if problems:
            raise PipelineValidationError(problems)
        values = coerce_parameter_values(body.get("Parameters") or [], parameters)
        graph = StepGraph.from_definition(body)
        store = StepStore(settings.root / "s3", resources.s3_mappings())
        preset: dict[str, tuple[StepState, bool | None]] = {}
        excluded: dict[str, str] = {}
        reused: dict[str, dict[str, Any]] = {}
        selective = None
        if steps is not None:
            selective, preset, excluded, reused = self._selective(
                graph, list(steps), from_execution, name, store
            )
        elif from_execution is not None:
            raise LocalRunError("from_execution (--from-execution) needs steps (--steps)")
        self._check_options(graph, given.lambdas)
        functions = definition.functions if isinstance(definition, LoadedPipeline) else {}
        settled = {step: outcome for step, (_state, outcome) in preset.items()}
        notice = self._preflight(graph, resources, settled, excluded, functions)
        execution_id, directory = new_execution_dir(settings.root)
        record = ExecutionRecord(
            directory=directory,
            execution_id=execution_id,
            pipeline_name=name,
            created=_now().isoformat(),
            parameters=dict(values),
            isolation=settings.isolation.describe(),
            selective=selective,
            step_order=list(graph.steps),
            options=run_options(self.config),
        )
        for step, entry in reused.items():
            record.steps[step] = entry
        write_json(directory / "definition.json", body)
        write_json(directory / "resources.json", resources.to_json())
        roles = definition.roles if isinstance(definition, LoadedPipeline) else None
        if roles is not None:
            write_json(directory / IAM_FILE, roles.to_json())  # for --resume
        if functions:
            write_json(directory / FUNCTIONS_FILE, dict(functions))  # for --resume
        with _locked(directory):
            record.save()
            return self._execute(
                settings,
                resources,
                body,
                graph,
                record,
                store,
                preset,
                excluded,
                values,
                roles,
                notice,
            )

    def resume(self, execution_id: str) -> ExecutionResult:
        """Rerun a failed or stopped execution's failed and not-yet-run steps, in place.

        Succeeded steps keep their results; parameters and definition are the
        recorded ones (as RetryPipelineExecution does), and so are the resources, to
        which this runner's ``resources`` add (a handler given for a function replaces
        the recorded one). The other options are this runner's: the record's
        ``options`` become them.
        """
        settings = self._settings()
        directory = find_execution(settings.root, execution_id)
        with _locked(directory):
            record = ExecutionRecord.load(directory)
            if record.status == "Succeeded":
                raise LocalRunError(
                    f"execution {record.execution_id} succeeded: there is nothing to resume"
                )
            body = _recorded_json(directory, "definition.json")
            stored = _recorded_json(directory, "resources.json")
            functions: dict[str, Any] = {}
            if (directory / FUNCTIONS_FILE).is_file():
                functions = _recorded_json(directory, FUNCTIONS_FILE)
            # A handler given by construct path binds the function's ARN, as in the run.
            given = _bind_function_paths(self.config.resources, functions)
            resources = ResourceMap.from_json(stored).merged(given)
            graph = StepGraph.from_definition(body)
            for name in graph.steps:
                # Validated when it first ran; a record edited since could name a path.
                if STEP_NAME.fullmatch(name) is None:
                    raise LocalRunError(
                        f"can't resume {record.execution_id}: its definition.json has a step "
                        f"named {name!r}, which is not a step name (1-64 characters of A-Z, "
                        "a-z, 0-9, - and _)"
                    )
            self._check_options(graph, given.lambdas)
            store = StepStore(settings.root / "s3", resources.s3_mappings())
            snapshot = load_snapshot(directory)
            done = [
                name
                for name, entry in record.steps.items()
                if entry.get("StepStatus") == "Succeeded" and name in graph.steps
            ]
            store.restore(snapshot, done, "this execution")
            preset = {name: (StepState.SUCCEEDED, _outcome(record.steps[name])) for name in done}
            excluded = {
                name: reason
                for name, reason in record.not_executed.items()
                if reason == "not selected"
            }
            notice = self._preflight(
                graph,
                resources,
                {name: _outcome(record.steps[name]) for name in done},
                excluded,
                functions,
            )
            record.history.append(
                {
                    "Resumed": _now().isoformat(),
                    "PreviousStatus": record.status,
                    "PreviousFailureReason": record.failure_reason,
                }
            )
            record.status, record.failure_reason, record.ended = "Executing", None, None
            record.not_executed = {}
            record.isolation = settings.isolation.describe()
            record.options = run_options(self.config)
            record.save()
            roles = None
            if (directory / IAM_FILE).is_file():
                roles = AssemblyRoles.from_json(_recorded_json(directory, IAM_FILE))
            return self._execute(
                settings,
                resources,
                body,
                graph,
                record,
                store,
                preset,
                excluded,
                record.parameters,
                roles,
                notice,
            )

    def execution(self, execution_id: str) -> ExecutionResult:
        """A recorded execution (a unique id prefix is enough).

        An ``Executing`` record whose process is gone is settled as ``Stopped`` first.
        """
        directory = find_execution(self.root, execution_id)
        settle_abandoned(ExecutionRecord.load(directory))
        return ExecutionResult.load(directory, self.root)

    def executions(
        self, skipped: list[tuple[Path, LocalRunError]] | None = None
    ) -> list[ExecutionRecord]:
        """Every recorded execution, oldest first; ``skipped`` collects unreadable ones."""
        from .records import list_records

        return list_records(self.root, skipped)

    # -- internals ----------------------------------------------------------------

    def _settings(self) -> RunSettings:
        config = self.config
        root = Path(config.root).resolve()
        if root.exists() and not root.is_dir():
            raise LocalRunError(f"the runner's root {root} (--root) is not a directory")
        return RunSettings(
            root=root,
            python=config.python or default_python(),
            isolation=choose_isolation(config.isolation),
            strict_outputs=config.strict_outputs,
            external_outputs={k: dict(v) for k, v in config.callback_outputs.items()},
        )

    def _selective(
        self,
        graph: StepGraph,
        selected: list[str],
        source_id: str | None,
        pipeline: str,
        store: StepStore,
    ) -> tuple[
        dict[str, Any],
        dict[str, tuple[StepState, bool | None]],
        dict[str, str],
        dict[str, dict[str, Any]],
    ]:
        unknown = [name for name in selected if name not in graph.steps]
        if unknown or not selected:
            raise LocalRunError(
                f"--steps: no step named {', '.join(unknown) or '(none given)'} "
                f"(steps: {', '.join(graph.steps)})"
            )
        chosen = set(selected)
        from .scheduler import descendants

        for first in selected:
            after = descendants(graph.nodes, [first])
            for second in selected:
                if second in after:
                    between = (after & graph.upstream(second)) - chosen
                    if between:
                        raise LocalRunError(
                            f"--steps: every step between '{first}' and '{second}' must be "
                            f"selected too; add {', '.join(sorted(between))}"
                        )
        by_name = {node.name: node for node in graph.nodes}
        needed: set[str] = set()
        for name in selected:
            node = by_name[name]
            needed |= set(node.dependencies)
            if node.condition is not None:
                needed.add(node.condition)
        needed -= chosen
        preset: dict[str, tuple[StepState, bool | None]] = {}
        reused: dict[str, dict[str, Any]] = {}
        config: dict[str, Any] = {"SelectedSteps": [{"StepName": name} for name in selected]}
        if needed:
            if source_id is None:
                raise LocalRunError(
                    f"--steps: the selected steps need {', '.join(sorted(needed))}: give the "
                    "execution to reuse them from with --from-execution ID"
                )
            source_dir = find_execution(self.root, source_id)
            source = ExecutionRecord.load(source_dir)
            if source.pipeline_name != pipeline:
                raise LocalRunError(
                    f"--from-execution {source.execution_id} ran pipeline "
                    f"'{source.pipeline_name}', not '{pipeline}'"
                )
            missing = [
                name
                for name in sorted(needed)
                if (source.steps.get(name) or {}).get("StepStatus") != "Succeeded"
            ]
            if missing:
                raise LocalRunError(
                    f"--steps: execution {source.execution_id} has no successful run of "
                    f"{', '.join(missing)}, which the selected steps need"
                )
            snapshot = load_snapshot(source_dir)
            store.restore(snapshot, sorted(needed), f"reused from {source.execution_id}")
            for name in needed:
                entry = dict(source.steps[name])
                entry["SelectiveExecutionResult"] = {"SourcePipelineExecutionArn": source.arn}
                reused[name] = entry
                preset[name] = (StepState.SUCCEEDED, _outcome(entry))
            config["SourcePipelineExecutionArn"] = source.arn
        excluded = {
            name: "not selected"
            for name in graph.steps
            if name not in chosen and name not in needed
        }
        return config, preset, excluded, reused

    def _check_options(self, graph: StepGraph, lambdas: Mapping[str, Any] | None = None) -> None:
        """The options fit the pipeline: parallelism, faults, callback outputs, Lambda handlers.

        Checked before an execution record exists: a typo leaves no execution behind.
        ``lambdas`` are the handlers given, keyed as bound (a construct path as its ARN),
        when not ``config.resources.lambdas``.
        """
        config = self.config
        if config.max_parallel is not None and config.max_parallel < 1:
            raise LocalRunError(f"max_parallel must be at least 1, got {config.max_parallel}")
        for option, steps in (
            ("faults (--fault)", config.faults),
            (_CALLBACK_OUTPUTS, config.callback_outputs),
        ):
            for step in steps:
                if step not in graph.steps:
                    hint = did_you_mean(step, graph.steps)
                    raise LocalRunError(
                        f"{option}: no step named '{step}' in the pipeline"
                        + (f" ({hint})" if hint else "")
                    )
        _check_supplied_outputs(config.callback_outputs, graph)
        _check_lambda_bindings(config.resources.lambdas if lambdas is None else lambdas, graph)
        for step, kinds in config.faults.items():
            for kind in kinds:
                if kind not in FAULT_TYPES:
                    hint = did_you_mean(kind, sorted(FAULT_TYPES))
                    known = ", ".join(sorted(FAULT_TYPES)) + (f"; {hint}" if hint else "")
                    raise LocalRunError(
                        f"faults (--fault): step '{step}': unknown exception type '{kind}' "
                        f"(expected one of {known})"
                    )

    def _preflight(
        self,
        graph: StepGraph,
        resources: ResourceMap,
        settled: Mapping[str, bool | None],
        excluded: Iterable[str],
        functions: Mapping[str, str],
    ) -> str | None:
        """Raise for steps certain to be reached with nothing to stand in for them.

        Checked before an execution record exists, as the options are. Returns the notice
        for the steps that may be reached (in a Condition's branch), and with
        ``stop_at_missing`` for the certain ones too, or None.
        """
        missing = missing_stand_ins(
            graph,
            resources,
            self.config.callback_outputs,
            settled=settled,
            excluded=set(excluded),
            functions=functions,
        )
        error = preflight_error(missing)
        if error is not None and not self.config.stop_at_missing:
            raise LocalRunError(error)
        return preflight_notice(missing)

    def _execute(
        self,
        settings: RunSettings,
        resources: ResourceMap,
        body: Mapping[str, Any],
        graph: StepGraph,
        record: ExecutionRecord,
        store: StepStore,
        preset: Mapping[str, tuple[StepState, bool | None]],
        excluded: Mapping[str, str],
        parameters: Mapping[str, Any],
        roles: AssemblyRoles | None = None,
        notice: str | None = None,
    ) -> ExecutionResult:
        config = self.config
        if not config.iam_check:
            roles = None
        if roles is not None:
            # What no step published (mappings, assets, the shared tree): its bucket's key.
            store.set_default_keys(
                {bucket: key for bucket in roles.bucket_keys if (key := roles.bucket_key(bucket))}
            )
        limit = config.max_parallel
        if limit is None:
            limit = resources.max_parallel or os.cpu_count() or 1
        if limit < 1:
            raise LocalRunError(f"max_parallel must be at least 1, got {limit}")
        # On record from the start, not only at the end: if this process dies, settling
        # the record must not mistake steps left out of a selective run for stopped ones,
        # which --resume would then run.
        record.not_executed.update(excluded)
        record.save()
        execution = _Execution(
            settings=settings,
            resources=resources,
            graph=graph,
            record=record,
            store=store,
            scheduler=Scheduler(graph.nodes, preset=preset, excluded=excluded),
            evaluator=Evaluator(
                parameters=parameters,
                execution=ExecutionVariables(
                    record.pipeline_name,
                    pipeline_arn(record.pipeline_name),
                    record.execution_id,
                    record.arn,
                    dt.datetime.fromisoformat(record.created),
                ),
                # JsonGet reads (property files) are SageMaker Pipelines' own, as its role.
                store=store.for_reader(
                    _guard(
                        roles,
                        [roles.pipeline_role] if roles and roles.pipeline_role else [],
                        "SageMaker Pipelines itself (the pipeline's role)",
                    )
                ),
                graph=graph,
            ),
            max_parallel=limit,
            faults={step: collections.deque(kinds) for step, kinds in config.faults.items()},
            retry_scale=config.retry_interval_scale,
            keep_work=config.keep_work,
            reuse_cache=config.reuse_cache,
            progress=config.progress,
            reused=set(preset),
            roles=roles,
            notice=notice,
        )
        execution.run()
        return ExecutionResult(record, body, store, settings.root)


@dataclass(slots=True)
class _Outcome:
    """A finished step as a worker thread reports it to the main thread."""

    name: str
    started: dt.datetime
    ended: dt.datetime
    attempts: int
    result: StepResult | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    failure: StepError | None = None
    stopped: bool = False
    cache_hit: CacheEntry | None = None
    cache_key: str | None = None
    # The KMS key each output was published with (SSE-KMS), when IAM is checked.
    keys: dict[str, ObjectKey | None] = field(default_factory=dict)
    # Lines shown with a cache hit: inputs whose local mapping changed since its source.
    notes: tuple[str, ...] = ()


class _Execution:
    """One run of the scheduler loop; lives for a single ``run()`` or ``resume()``."""

    def __init__(
        self,
        *,
        settings: RunSettings,
        resources: ResourceMap,
        graph: StepGraph,
        record: ExecutionRecord,
        store: StepStore,
        scheduler: Scheduler,
        evaluator: Evaluator,
        max_parallel: int,
        faults: dict[str, collections.deque[str]],
        retry_scale: float,
        keep_work: bool,
        reuse_cache: bool,
        progress: Callable[[ProgressEvent], None] | None,
        reused: set[str],
        roles: AssemblyRoles | None = None,
        notice: str | None = None,
    ) -> None:
        self.settings = settings
        self.notice = notice
        self.roles = roles
        # What SageMaker Pipelines calls as the pipeline's role for each step (its Create…
        # calls, iam:PassRole, …) is checked against that role before the step runs.
        self.pipeline_guard = _guard(
            roles,
            [roles.pipeline_role] if roles and roles.pipeline_role else [],
            "SageMaker Pipelines as the pipeline's role",
        )
        self.resources = resources
        self.graph = graph
        self.record = record
        self.store = store
        self.scheduler = scheduler
        self.evaluator = evaluator
        self.max_parallel = max_parallel
        self.faults = faults
        self.retry_scale = retry_scale
        self.keep_work = keep_work
        self.reuse_cache = reuse_cache
        self.progress = progress
        self.reused = reused
        self.stop = threading.Event()
        self.cleaner = ThreadPoolExecutor(max_workers=1)  # replaced in run()
        self.started = time.monotonic()
        # The name is a folder: sanitized again, as a resumed record's may have been edited.
        self.cache = StepCache(settings.root / "cache" / _pipeline_name(record.pipeline_name))
        self.registry = ModelRegistry(settings.root)
        self.logs = record.directory / "logs"
        self.logs.mkdir(exist_ok=True)

    def emit(self, kind: str, step: str | None = None, message: str | None = None) -> None:
        if self.progress is None:
            return
        spec = self.graph.steps.get(step) if step else None
        self.progress(
            ProgressEvent(
                kind=kind,
                execution_id=self.record.execution_id,
                elapsed=time.monotonic() - self.started,
                step=step,
                step_type=spec.step_type if spec else None,
                message=message,
                step_names=tuple(self.graph.steps) if kind == "execution-started" else (),
            )
        )

    # -- main loop ----------------------------------------------------------------

    def run(self) -> None:
        interrupted = False
        running: dict[Future[_Outcome], str] = {}
        try:
            self.emit("execution-started", message=self.settings.isolation.describe())
            if self.notice is not None:
                self.emit("execution-notice", message=self.notice)
            with (
                ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="smpipe-clean"
                ) as self.cleaner,
                ThreadPoolExecutor(
                    max_workers=self.max_parallel, thread_name_prefix="smpipe-step"
                ) as pool,
            ):
                try:
                    try:
                        self._loop(pool, running)
                    except KeyboardInterrupt:
                        interrupted = True
                    if interrupted:
                        # A second Ctrl-C must not abandon the record half-written; the
                        # steps end within seconds (SIGTERM, then SIGKILL).
                        with _interrupts_deferred():
                            self._drain(running)
                except BaseException:
                    self.stop.set()  # the pools' shutdown waits for the steps: end them
                    raise
            self.scheduler.check_complete()
            with _interrupts_deferred():
                self._finish(interrupted)
        except BaseException as error:
            self._abandon(error)
            raise
        if interrupted:
            # Said in a notebook's traceback, where no smpipe prints how to go on.
            record = self.record
            raise KeyboardInterrupt(
                f"execution {record.execution_id} ({record.pipeline_name}) was stopped, its "
                f"record kept in {record.directory}: LocalRunner(…).resume("
                f"{record.execution_id!r}) reruns its steps that did not succeed"
            )

    def _loop(self, pool: ThreadPoolExecutor, running: dict[Future[_Outcome], str]) -> None:
        while True:
            for name in self.scheduler.take_ready(self.max_parallel - len(running)):
                self._started(name)
                running[pool.submit(self._step, name)] = name
            if not running:
                return
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                running.pop(future)
                self._finished(future.result())

    def _drain(self, running: dict[Future[_Outcome], str]) -> None:
        """Stop the running steps and record how each ended."""
        self.stop.set()
        self.scheduler.halt("the execution was stopped")
        for future in list(running):
            self._finished(future.result())
            running.pop(future)
        for name in self.scheduler.running:  # started, but interrupted before it was submitted
            self.record.steps[name].update(
                StepStatus="Stopped", FailureReason="the execution was stopped"
            )
            self.scheduler.stopped(name, "the execution was stopped")

    def _abandon(self, error: BaseException) -> None:
        """Leave a final record when the run itself broke (never an ``Executing`` one)."""
        record = self.record
        if record.status != "Executing":
            return
        if isinstance(error, KeyboardInterrupt):
            reason = "the execution was stopped"
        else:
            reason = f"the execution was stopped by an error of the local runner: {error!r}"
        record.stop_unfinished(reason)
        with contextlib.suppress(Exception):
            record.save()

    def _started(self, name: str) -> None:
        spec = self.graph.steps[name]
        previous = self.record.steps.get(name, {})
        entry: dict[str, Any] = {"StepName": name}
        if spec.display_name:
            entry["StepDisplayName"] = spec.display_name
        if spec.description:
            entry["StepDescription"] = spec.description
        entry.update(
            StartTime=_now().isoformat(),
            StepStatus="Executing",
            AttemptCount=int(previous.get("AttemptCount", 0)),
            Metadata={},
        )
        self.record.steps[name] = entry
        self.record.save(compact=True)
        self.emit("step-started", name)

    def _finished(self, outcome: _Outcome) -> None:
        name = outcome.name
        entry = self.record.steps[name]
        event: tuple[str, str | None]  # reported once the record and the store are saved
        entry["EndTime"] = outcome.ended.isoformat()
        entry["AttemptCount"] = int(entry.get("AttemptCount", 0)) + outcome.attempts
        if outcome.cache_hit is not None:
            hit = outcome.cache_hit
            self.store.record(
                name,
                hit.properties,
                hit.outputs,
                hit.output_names,
                origin=f"cache hit from execution {hit.source_execution_id}",
                keys=outcome.keys,
            )
            entry.update(
                StepStatus="Succeeded",
                Metadata=dict(hit.metadata),
                CacheHitResult={"SourcePipelineExecutionArn": hit.source_execution_arn},
            )
            self.scheduler.succeeded(name, _outcome_of(hit.properties, self.graph.steps[name]))
            # A note goes on a line of its own: it names paths, which must not be cut.
            event = (
                "step-cached",
                "\n".join([f"from execution {hit.source_execution_id}", *outcome.notes]),
            )
        elif outcome.result is not None:
            result = outcome.result
            self.store.record(
                name, result.properties, outcome.outputs, result.output_names, keys=outcome.keys
            )
            entry.update(StepStatus="Succeeded", Metadata=dict(result.metadata))
            if outcome.cache_key is not None:
                self.cache.store(
                    outcome.cache_key,
                    CacheEntry(
                        source_execution_id=self.record.execution_id,
                        source_execution_arn=self.record.arn,
                        step=name,
                        finished=outcome.ended,
                        properties=result.properties,
                        outputs=outcome.outputs,
                        metadata=result.metadata,
                        output_names={uri: label for uri, label in result.output_names.items()},
                    ),
                )
            self.scheduler.succeeded(name, result.outcome)
            # Notes go on lines of their own, under an empty detail (see ``step-cached``).
            event = ("step-succeeded", "\n".join(["", *result.notes]) if result.notes else None)
        else:
            failure = outcome.failure or StepError("the step failed")
            # SageMaker leaves the field out when there is no reason: a Fail step whose
            # ErrorMessage is empty has Metadata.Fail.ErrorMessage "" and no FailureReason
            # (the SDK's integration test test_fail_steps.py).
            if failure.reason:
                entry["FailureReason"] = failure.reason[:1024]
            if failure.metadata:
                entry["Metadata"] = dict(failure.metadata)
            if outcome.stopped:
                entry["StepStatus"] = "Stopped"
                self.scheduler.stopped(name, failure.reason)
                event = ("step-stopped", failure.reason)
            else:
                entry["StepStatus"] = "Failed"
                self.scheduler.failed(name, failure.reason)
                if failure.halts:
                    self.scheduler.halt(f"the execution failed at Fail step '{name}'")
                event = ("step-failed", failure.reason)
        self.record.save(compact=True)
        if name in self.store.properties:
            self.store.save_step(self.record.directory, name)
        # Last: a progress callback may raise (Ctrl-C, a closed pipe), which must not leave
        # a succeeded step without its saved properties.
        self.emit(event[0], name, event[1])

    def _finish(self, interrupted: bool) -> None:
        record = self.record
        failed = [
            (name, entry)
            for name, entry in record.steps.items()
            if entry.get("StepStatus") == "Failed"
        ]
        for name, state in self.scheduler.states().items():
            if state is StepState.NOT_EXECUTED and name not in self.reused:
                reason = self.scheduler.reason(name) or "did not execute"
                record.not_executed[name] = reason
                record.steps.pop(name, None)
                if reason != "not selected":
                    self.emit("step-not-executed", name, reason)
        if interrupted or any(e.get("StepStatus") == "Stopped" for e in record.steps.values()):
            record.status, record.failure_reason = "Stopped", "the execution was stopped"
        elif failed:
            # SageMaker's reason is the same whatever failed, a Fail step included:
            # "Step failure: One or multiple steps failed." (its Fail step's message is the
            # step's FailureReason, not the execution's). The runner adds the first failed
            # step and its reason, for the summary's last line.
            name, entry = failed[0]
            reason = entry.get("FailureReason") or no_failure_reason(
                self.graph.steps[name].step_type
            )
            record.status = "Failed"
            record.failure_reason = (
                f"Step failure: One or multiple steps failed. Step '{name}': {reason}"
            )[:1300]
        else:
            record.status = "Succeeded"
        record.ended = _now().isoformat()
        record.save()
        self.emit("execution-finished", message=record.status)

    # -- one step (worker thread) -------------------------------------------------

    def _step(self, name: str) -> _Outcome:
        spec = self.graph.steps[name]
        started = _now()
        log = self.logs / f"{name}.log"
        try:
            arguments = self._arguments(spec)
            for where, location in output_locations(spec.step_type, arguments):
                # Before the job runs: a location that can't be a local path fails it now.
                self.store.check(location, where)
            key = self._cache_key(spec, arguments)
            if key is not None and self.reuse_cache:
                _enabled, expire = cache_config(spec)
                hit = self.cache.lookup(key, expire_after=expire, now=started)
                if hit is not None:
                    for uri in hit.outputs:  # recorded by this runner, unless edited
                        self.store.check(uri, f"output of the cache hit {hit.source_execution_id}")
                    _log(
                        log,
                        f"cache hit: reusing step '{name}' of execution {hit.source_execution_id}",
                    )
                    # The reads that follow check the keys these arguments name. The output
                    # key isn't part of every type's cache key: a hit from a run with another
                    # key is checked against this run's (the cache entry doesn't keep keys).
                    keys = self._output_keys(spec, arguments, hit.outputs)
                    notes = tuple(self._remapped_inputs(spec, arguments, hit))
                    for note in notes:
                        _log(log, note)
                    return _Outcome(name, started, _now(), 0, cache_hit=hit, keys=keys, notes=notes)
            guard = _guard(
                self.roles,
                job_roles(spec.step_type, arguments, self.settings.root / "models") or [],
                f"the job of step '{name}'",
            )
            return self._attempts(spec, arguments, started, key, log, guard)
        except StepError as failure:
            _log(log, f"step failed: {failure.reason}")
            return _Outcome(name, started, _now(), 1, failure=failure)
        except Exception as error:  # a bug in the runner: fail the step, keep the trace
            _log(log, "internal error:\n" + traceback.format_exc())
            internal = StepError(f"internal error of the local runner: {error!r}")
            return _Outcome(name, started, _now(), 1, failure=internal)

    def _remapped_inputs(
        self, spec: StepSpec, arguments: Mapping[str, Any], hit: CacheEntry
    ) -> list[str]:
        """A note for each input the hit's source execution read from another local folder.

        The key holds an input's S3 URI, not its content, as on SageMaker, so the hit is
        right; but pointing ``--s3-map`` at other data is, to its user, changing the data.
        The code is left out: its content is in the key. Nothing is said when the source's
        ``resources.json`` can't be read (an execution deleted since).
        """
        try:
            source = find_execution(self.settings.root, hit.source_execution_id)
            then = ResourceMap.from_json(_recorded_json(source, "resources.json")).s3_mappings()
        except LocalRunError:
            return []
        now = self.resources.s3_mappings()
        code = set(_code_uris(spec.step_type, arguments))
        notes: dict[tuple[str | None, str | None], str] = {}
        for label, uri in input_uris(spec.step_type, arguments):
            if uri in code:
                continue
            try:
                target = normalize_s3_uri(uri)
                if self.store.owner(target) is not None:
                    continue  # an upstream step's output in this execution: not mapped
            except (ValueError, StepError):
                continue  # a URI no step can read; a run that reads it says why
            # The input itself, and each folder mapped below it (read with it), compared by
            # where it is read from: a prefix mapped anew to the same folder changes nothing.
            below = {prefix for prefix, _path in (*then, *now) if under(prefix, target)}
            for point in [target, *sorted(below)]:
                before, after = _read_from(point, then), _read_from(point, now)
                # One note per pair of mappings: several inputs may read under one.
                which = (before[0] if before else None, after[0] if after else None)
                if which in notes or _path_of(before) == _path_of(after):
                    continue
                notes[which] = (
                    f"note: {label} ({uri}) is mapped to {_local(_path_of(after))} now, to "
                    f"{_local(_path_of(before))} in execution {hit.source_execution_id}, whose "
                    "results this hit reuses (the cache key holds the S3 URI, not the data): to "
                    "run on this data, add --no-cache (LocalConfig(reuse_cache=False)) or turn "
                    "off the step's CacheConfig"
                )
        return list(notes.values())

    def _arguments(self, spec: StepSpec, job_name: str | None = None) -> Any:
        """The step's arguments resolved; ``job_name`` is its job's (see ``_uses_job_name``).

        Before a job is named (the cache key, the output checks) its first attempt's name
        stands in, new in every execution as the service's: such a step never finds an
        earlier run to reuse, as warning ``uncacheable-step`` says.
        """
        raw = spec.entry.get("Arguments")
        if spec.step_type in LAZY_ARGUMENTS:
            return raw
        evaluator = self.evaluator
        if _uses_job_name(raw):
            evaluator = evaluator.for_job(
                job_name or _job_name(self.record.execution_id, spec.name, spec.step_type)
            )
        try:
            return evaluator.resolve(raw)
        except EvaluationError as error:
            raise StepError(error.message) from None

    def _cache_key(self, spec: StepSpec, arguments: Any) -> str | None:
        if spec.step_type in STOOD_IN_TYPES and spec.name in self.settings.external_outputs:
            # Stood in for (a built-in algorithm's job): the values are the user's, not a
            # run's; neither reused nor recorded, as a Callback step's aren't.
            return None
        enabled, _expire = cache_config(spec)
        if not enabled or not isinstance(arguments, Mapping):
            return None
        digest = hashlib.sha256()
        for where, uri in _code_locations(spec.step_type, arguments):
            digest.update(uri.encode() + b"\0")
            located = self.store.locate(uri, where)
            if located is None:
                digest.update(b"missing")
            else:
                hash_located(located, digest, where)
        return cache_key(self.record.pipeline_name, spec, arguments, digest.hexdigest())

    def _attempts(
        self,
        spec: StepSpec,
        arguments: Any,
        started: dt.datetime,
        key: str | None,
        log: Path,
        guard: AccessGuard | None = None,
    ) -> _Outcome:
        name = spec.name
        executor = executor_for(spec.step_type)
        policies = list(spec.entry.get("RetryPolicies") or [])
        first = time.monotonic()
        # A resumed step goes on counting where its earlier attempts stopped, so its log
        # and attempt directories never show a second "attempt 1".
        earlier = int(self.record.steps.get(name, {}).get("AttemptCount", 0))
        attempt = 0
        work = self.record.directory / "work" / name
        while True:
            attempt += 1
            number = earlier + attempt
            attempt_dir = _fresh(work, "attempt", number)
            job_name = _job_name(self.record.execution_id, name, spec.step_type)
            if _uses_job_name(spec.entry.get("Arguments")):
                # Each attempt is a new job, with a new name: Execution.TrainingJobName
                # (ProcessingJobName) is this one's.
                arguments = self._arguments(spec, job_name)
            ctx = StepContext(
                spec=spec,
                arguments=arguments,
                evaluator=self.evaluator,
                # The job's reads are checked against its role (None: not checked).
                store=self.store.for_reader(guard),
                resources=self.resources,
                settings=self.settings,
                execution=self.evaluator.execution,
                registry=self.registry,
                job_name=job_name,
                attempt=number,
                attempt_dir=attempt_dir,
                log=log,
                stop=self.stop,
            )
            try:
                fault = self._take_fault(name)
                if fault is not None:
                    raise StepError(
                        f"{fault}: simulated service fault (attempt {number})",
                        exception_type=fault,
                    )
                _log(log, f"attempt {number}: {ctx.job_name}")
                self._authorize_calls(ctx)
                result = executor.run(spec, ctx)
                keys = self._output_keys(spec, arguments, result.outputs)
                outputs = self._publish(name, ctx, result, guard, keys)
                if not self.keep_work:
                    # Off the critical path: dependents may start while it is deleted.
                    self.cleaner.submit(_discard, attempt_dir)
                return _Outcome(
                    name,
                    started,
                    _now(),
                    attempt,
                    result=result,
                    outputs=outputs,
                    cache_key=key,
                    keys=keys,
                )
            except StepError as failure:
                failure = _with_stand_in_hint(failure, self.settings.external_outputs)
                _log(log, f"attempt {number} failed: {failure.reason}")
                if self.stop.is_set():
                    return _Outcome(name, started, _now(), attempt, failure=failure, stopped=True)
                delay = retry_delay(
                    policies,
                    failure.exception_type,
                    retries=attempt - 1,
                    elapsed=time.monotonic() - first,
                    step_type=spec.step_type,
                )
                if delay is None:
                    return _Outcome(name, started, _now(), attempt, failure=failure)
                self.emit("step-retrying", name, f"{failure.exception_type}: retry in {delay:g}s")
                if self.stop.wait(delay * self.retry_scale):
                    return _Outcome(name, started, _now(), attempt, failure=failure, stopped=True)

    def _authorize_calls(self, ctx: StepContext) -> None:
        """Check the calls the service makes as the pipeline's role to start the step."""
        guard, roles = self.pipeline_guard, self.roles
        if guard is None or roles is None:
            return
        spec, arguments = ctx.spec, ctx.arguments
        function_arn = queue_url = None
        with contextlib.suppress(EvaluationError):  # the executor reports it, with its reason
            if spec.step_type == "Lambda":
                function_arn = self.evaluator.resolve(spec.entry.get("FunctionArn"))
            elif spec.step_type == "Callback":
                queue_url = self.evaluator.resolve(spec.entry.get("SqsQueueUrl"))
        hosting = LocalHosting(self.settings.root)

        def hosted(kind: str, name: str) -> bool:
            try:
                return hosting.read(kind, name) is not None
            except StepError:
                return False  # a name the executor refuses, with its reason

        calls = service_calls(
            spec.step_type,
            arguments,
            ctx.job_name,
            roles,
            function_arn=function_arn,
            queue_url=queue_url,
            package_version=self._next_version(arguments),
            hosted=hosted,
            config_name=lambda name: configuration_name(name, self.record.execution_id),
        )
        for call in calls:
            guard.call(replace(call, what=f"{call.what} for step '{spec.name}'"))

    def _next_version(self, arguments: Any) -> int:
        """The version a RegisterModel step's registration gets (its ARN's last part)."""
        group = arguments.get("ModelPackageGroupName") if isinstance(arguments, Mapping) else None
        if not isinstance(group, str):
            return 1
        try:
            return len(self.registry.versions(group.rpartition("/")[2])) + 1
        except LocalRunError:
            return 1

    def _take_fault(self, name: str) -> str | None:
        queue = self.faults.get(name)
        return queue.popleft() if queue else None

    def _output_keys(
        self, spec: StepSpec, arguments: Any, uris: Iterable[str]
    ) -> dict[str, ObjectKey | None]:
        """The KMS key each output is published with (empty when IAM isn't checked)."""
        if self.roles is None:
            return {}
        return output_keys(spec.step_type, arguments, uris, self.roles, spec.name)

    def _publish(
        self,
        name: str,
        ctx: StepContext,
        result: StepResult,
        guard: AccessGuard | None,
        keys: Mapping[str, ObjectKey | None],
    ) -> dict[str, str]:
        if not result.outputs:
            return {}
        for uri, path in result.outputs.items():
            # Here, not when the main thread records them: a refusal fails the step.
            label = result.output_names.get(uri)
            what = f"output '{label}'" if label else "output"
            self.store.check(uri, what)
            if guard is not None:
                # The service uploads each file as the job's role, when the job ends.
                guard.write_tree(uri, Path(path), what, keys.get(uri))
        target = self.record.directory / "outputs" / name
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(ctx.staging, target)
        return {
            uri: str(target / Path(path).relative_to(ctx.staging))
            for uri, path in result.outputs.items()
        }


def _with_stand_in_hint(
    failure: StepError, stand_ins: Mapping[str, Mapping[str, Any]]
) -> StepError:
    """``failure``, saying where a stand-in goes when the object denied is one.

    A ``--callback-output`` URI (a built-in algorithm's model, stood in for) is read by
    the steps after it as their roles: an object outside what they may read (anywhere but
    the training step's output prefix, say) is refused, and the message said nothing of
    the option that named it.
    """
    if not isinstance(failure, AccessDeniedError) or " s3:GetObject on " not in failure.reason:
        return failure
    for step, values in stand_ins.items():
        for name, value in values.items():
            if not isinstance(value, str) or not value.startswith("s3://"):
                continue
            resource = re.escape(f":s3:::{value.removeprefix('s3://')}")
            if re.search(rf"{resource}(?=[: ]|$)", failure.reason):
                return AccessDeniedError(
                    f"{failure.reason}. {value} is the stand-in --callback-output "
                    f"{step}.{name} gives: put it where the steps reading it may read, "
                    "for a training step's model under that step's output prefix "
                    "(OutputDataConfig.S3OutputPath; models/<pipeline>/<step>/ of an "
                    "ArtifactStore's bucket), and map it there with --s3-map",
                    exception_type=failure.exception_type,
                    halts=failure.halts,
                    metadata=failure.metadata,
                )
    return failure


def _guard(roles: AssemblyRoles | None, arns: Sequence[str], who: str) -> AccessGuard | None:
    """The guard for requests made as ``arns``; None when none of them can be checked.

    A role the assembly doesn't define (an imported ARN, a parameter's value) or one with
    a policy that can't be read offline is left out (``load_assembly`` notes it).
    """
    if roles is None:
        return None
    known = [role for role in map(roles.role, arns) if role is not None and not role.unchecked]
    return AccessGuard(known, who, roles.partition, roles) if known else None


def _discard(attempt_dir: Path) -> None:
    remove_tree(attempt_dir)
    with contextlib.suppress(OSError):
        attempt_dir.parent.rmdir()  # work/<Step>, if nothing else is there


def retry_delay(
    policies: Sequence[Mapping[str, Any]],
    exception_type: str | None,
    *,
    retries: int,
    elapsed: float,
    step_type: str = "",
) -> float | None:
    """Seconds to wait before the next attempt, or None if the failure is final.

    ``retries`` is how many retries already happened. A policy matching the exception
    type allows ``MaxAttempts`` retries (default 5) or retries until ``ExpireAfterMin``;
    the interval is ``IntervalSeconds * BackoffRate ** retries``. Without a matching
    policy, ``Step.*`` faults get the service's default policy and others fail.

    Example::

        retry_delay([{"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "MaxAttempts": 2}],
                    "SageMaker.CAPACITY_ERROR", retries=0, elapsed=0.0)  # 1.0
    """
    if exception_type is None:
        return None
    kind = _ALIASES.get(exception_type, exception_type)
    if step_type == "Tuning" and kind == "SageMaker.JOB_INTERNAL_ERROR":
        return None  # tuning jobs retry internally (SageMaker docs)
    for policy in policies:
        kinds = {_ALIASES.get(k, k) for k in policy.get("ExceptionType") or []}
        if kind in kinds:
            return _policy_delay(policy, retries, elapsed)
    if kind in STEP_FAULTS:
        return _policy_delay({}, retries, elapsed)
    return None


def _policy_delay(policy: Mapping[str, Any], retries: int, elapsed: float) -> float | None:
    interval = float(policy.get("IntervalSeconds", 1))
    backoff = float(policy.get("BackoffRate", 2.0))
    delay = interval * backoff**retries
    if policy.get("ExpireAfterMin") is not None:
        if elapsed + delay > float(policy["ExpireAfterMin"]) * 60:
            return None
        return delay
    if retries >= int(policy.get("MaxAttempts", 5)):
        return None
    return delay


def _read_from(uri: str, mappings: Sequence[tuple[str, Path]]) -> tuple[str, Path] | None:
    """The mapped prefix a read of ``uri`` goes to, and the local path it reads.

    The longest prefix ``uri`` is under (``mappings`` come longest first), as the store
    resolves a read; None when no prefix maps it (the local S3 tree).
    """
    for prefix, path in mappings:
        rest = under(uri, prefix)
        if rest is not None:
            return prefix, path / rest if rest else path
    return None


def _path_of(read: tuple[str, Path] | None) -> Path | None:
    return None if read is None else read[1]


def _local(path: Path | None) -> str:
    """A mapped folder as a note names it (``shown_path``), or the shared tree."""
    return "nothing (the local S3 tree)" if path is None else shown_path(path)


def _code_uris(step_type: str, arguments: Mapping[str, Any]) -> list[str]:
    """S3 URIs of a step's code, whose content goes into its cache key."""
    return [uri for _field, uri in _code_locations(step_type, arguments)]


def _code_locations(step_type: str, arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, S3 URI) of a step's code, the field as failure reasons name it."""
    uris: list[tuple[str, str]] = []
    if step_type == "Processing":
        for item in arguments.get("ProcessingInputs") or []:
            source = item.get("S3Input") or {}
            local = str(source.get("LocalPath", ""))
            if item.get("InputName") == "code" or local.startswith("/opt/ml/processing/input/code"):
                uris.append((f"input '{item.get('InputName')}'", str(source.get("S3Uri"))))
    elif step_type in ("Training", "Tuning"):
        jobs: list[Mapping[str, Any]] = [arguments]
        if step_type == "Tuning":
            # One training job definition, or several, each with its own code.
            single = arguments.get("TrainingJobDefinition")
            several = arguments.get("TrainingJobDefinitions")
            jobs = [single] if isinstance(single, Mapping) else []
            jobs += [item for item in several or [] if isinstance(item, Mapping)]
        for job in jobs:
            hyperparameters = job.get("HyperParameters") or job.get("StaticHyperParameters") or {}
            submit = script_setting(hyperparameters, SUBMIT_DIRECTORY)
            if submit is not None:
                uris.append((f"code ({SUBMIT_DIRECTORY})", submit))
            for channel in job.get("InputDataConfig") or []:
                if channel.get("ChannelName") == "code":
                    source = (channel.get("DataSource") or {}).get("S3DataSource") or {}
                    uris.append(("channel 'code'", str(source.get("S3Uri"))))
    elif step_type == "Transform":
        submit = (arguments.get("Environment") or {}).get("SAGEMAKER_SUBMIT_DIRECTORY")
        if isinstance(submit, str):
            uris.append(("Environment.SAGEMAKER_SUBMIT_DIRECTORY", submit))
    return [(field, uri) for field, uri in uris if uri.startswith("s3://")]


def _bind_function_paths(resources: ResourceMap, functions: Mapping[str, str]) -> ResourceMap:
    """``resources`` with the Lambda handlers given by construct path keyed by ARN.

    People know a function of their app by its construct path (``dev/MlOps/CheckQuality``,
    as ``cdk`` prints it, or ``/dev/MlOps/CheckQuality/Resource`` as the metadata spells
    it), not by the logical id its stand-in ARN is named after; keyed by the path, the
    handler would bind nothing and the assembly's own code would run instead.
    """
    if not functions:
        return resources
    lambdas = {
        functions.get(key.strip("/").removesuffix("/Resource"), key): handler
        for key, handler in resources.lambdas.items()
    }
    return replace(resources, lambdas=lambdas)


def _read_definition(
    definition: DefinitionInput,
) -> tuple[dict[str, Any], ResourceMap, str | None]:
    if isinstance(definition, LoadedPipeline):
        return dict(definition.definition), definition.resources, definition.pipeline_name
    if isinstance(definition, (str, Path)):
        path = Path(definition)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            reason = None
            if isinstance(error, ValueError):
                reason = python_source_problem(path) or leading_text_problem(
                    path.read_text(encoding="utf-8", errors="replace"), path.name
                )
            raise LocalRunError(f"can't read definition {path}: {reason or error}") from None
        if not isinstance(data, dict):
            raise LocalRunError(
                f"definition {path}: expected a JSON object (a pipeline definition), "
                f"got {type(data).__name__}"
            )
        try:
            body, resources, _ = _read_definition(data)
        except LocalRunError as error:
            raise LocalRunError(f"definition {path}: {error}") from None
        return body, resources, path.name.split(".")[0]
    compiled = getattr(definition, "definition", None)
    if isinstance(compiled, Mapping):
        definition = compiled
    if not isinstance(definition, Mapping):
        raise LocalRunError(
            f"expected a definition dict, a JSON file or a LoadedPipeline, got "
            f"{type(definition).__name__}"
        )
    body = dict(definition)
    if "PipelineDefinitionBody" in body:
        text = body["PipelineDefinitionBody"]
        try:
            parsed = json.loads(text) if isinstance(text, str) else None
        except ValueError as error:
            raise LocalRunError(f"PipelineDefinitionBody is not valid JSON: {error}") from None
        if not isinstance(parsed, dict):
            got = f"{type(text).__name__} {text[:40]!r}" if isinstance(text, str) else text
            raise LocalRunError(
                "PipelineDefinitionBody must be the definition as a JSON string of an object, "
                f"got {got!s}"
            )
        body = parsed
    return body, ResourceMap(), None


def _recorded_json(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LocalRunError(f"can't resume {directory.name}: {path}: {error}") from None
    if not isinstance(data, dict):
        raise LocalRunError(f"can't resume {directory.name}: {path} is not a JSON object")
    return data


def _pipeline_name(name: str | None) -> str:
    if not name:
        return DEFAULT_PIPELINE_NAME
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-")
    return re.sub(r"-{2,}", "-", cleaned)[:82] or DEFAULT_PIPELINE_NAME


def _outcome(entry: Mapping[str, Any]) -> bool | None:
    condition = (entry.get("Metadata") or {}).get("Condition")
    return None if condition is None else str(condition.get("Outcome")) == "True"


def _outcome_of(properties: Mapping[str, Any], spec: StepSpec) -> bool | None:
    if spec.step_type != "Condition":
        return None
    return bool(properties.get("Outcome"))


def _uses_job_name(arguments: Any) -> bool:
    """Whether ``arguments`` read ``Execution.TrainingJobName`` or ``ProcessingJobName``."""
    if isinstance(arguments, Mapping):
        reference = arguments.get("Get") if len(arguments) == 1 else None
        if isinstance(reference, str) and reference.startswith("Execution."):
            return reference.removeprefix("Execution.") in JOB_NAME_VARIABLES
        return any(_uses_job_name(value) for value in arguments.values())
    if isinstance(arguments, list):
        return any(_uses_job_name(value) for value in arguments)
    return False


def _job_name(execution_id: str, step: str, step_type: str = "") -> str:
    """A name of the service's form for the step's job: ``pipelines-<execution>-<step>-<token>``.

    The service keeps 20 characters of the step name (``pipelines-8pk6dxn4cfvl-Rossmann-Model-
    Train-bPVYsMzUlc`` for step ``Rossmann-Model-Training``). Tuning and AutoML names, 32
    characters at most, can't take that form, and no document gives theirs: they get
    ``<execution>-<8 characters of the step>-<token>``, which fits.
    """
    suffix = "".join(secrets.choice(_JOB_ALPHABET) for _ in range(10))
    # Job names are letters, digits and hyphens; step names may hold underscores too.
    short = step_type in UNPREFIXED_JOB_TYPES
    kept = step.replace("_", "-")[: 8 if short else 20].strip("-") or "step"
    return f"{'' if short else JOB_NAME_PREFIX}{execution_id}-{kept}-{suffix}"


def _fresh(parent: Path, prefix: str, first: int = 1) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    index = first
    while True:
        candidate = parent / f"{prefix}-{index}"
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            index += 1


def _log(path: Path, line: str) -> None:
    stamp = _now().strftime("%H:%M:%S.%f")[:-3]
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"[smpipe {stamp}] {line}\n")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold off Ctrl-C (SIGINT) in the main thread while the record is being finalized."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives KeyboardInterrupt
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield  # someone else's handler (or SIGINT ignored): leave it alone
        return
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    handle = (directory / ".lock").open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LocalRunError(
                f"execution {directory.name} is running in another process"
            ) from None
        yield
    finally:
        handle.close()


__all__ = [
    "LoadedPipeline",
    "LocalConfig",
    "LocalRunner",
    "ProgressEvent",
    "retry_delay",
]


def _check_lambda_bindings(lambdas: Mapping[str, Any], graph: StepGraph) -> None:
    """Each Lambda handler given binds a function that one of the pipeline's Lambda steps calls.

    Checked before anything runs: a misspelled ARN would otherwise be ignored, and the step
    meant fail unbound when its turn comes, after every step before it has run. For the
    same reason, a handler's module must define its function (read, not imported). Handlers
    the cdk.out loader finds are not checked (an app has functions no pipeline calls), and
    nothing is judged when a Lambda step's ``FunctionArn`` is known only at run time.
    """
    if not lambdas:
        return
    called: dict[str, list[str]] = {}  # function ARN -> the steps calling it
    for spec in graph.steps.values():
        if spec.step_type != "Lambda":
            continue
        arn = spec.entry.get("FunctionArn")
        if not isinstance(arn, str):
            return  # a parameter or another step's output: any binding may be for it
        called.setdefault(arn, []).append(spec.name)
    bound = {key for arn in called for key in lambda_keys(arn)}
    for key in lambdas:
        if key in bound:
            value = lambdas[key]
            handler = value if isinstance(value, LambdaHandler) else LambdaHandler.parse(value)
            missing = handler.missing_function()
            if missing:
                callers = sorted(
                    repr(step)
                    for arn, steps in called.items()
                    if key in lambda_keys(arn)
                    for step in steps
                )
                raise LocalRunError(
                    f"lambdas (--lambda): {key!r}, called by step {', '.join(callers)}: "
                    f"{missing}; give FILE.py:function or DIRECTORY:module.function"
                )
            continue
        hint = did_you_mean(key, sorted(bound))
        if called:
            calls = "; ".join(
                f"{arn} (step {', '.join(repr(step) for step in steps)})"
                for arn, steps in sorted(called.items())
            )
            known = f"its Lambda steps call {calls}"
        else:
            known = "it has no Lambda step"
        raise LocalRunError(
            f"lambdas (--lambda): no Lambda step of the pipeline calls {key!r}"
            + (f" ({hint})" if hint else "")
            + f"; {known}"
        )


# External steps whose properties follow a described shape (DescribeAutoMLJob, EMR's Step):
# supplied names are property paths of it.
_DESCRIBED_EXTERNAL_TYPES = frozenset({"AutoML", "EMR"})


def _check_supplied_paths(step: str, step_type: str, values: Mapping[str, Any]) -> None:
    """Each supplied name is a property path the step has (``BestCandidate.…``)."""
    root = root_node(step_type)
    if root is None:
        return
    for name in values:
        try:
            resolve(root, str(name))
        except PathStepError as error:
            hint = f" ({error.hint})" if error.hint else ""
            raise LocalRunError(
                f"{_CALLBACK_OUTPUTS}: {step_type} step '{step}' has no property {name!r}: "
                f"{error.message}{hint}"
            ) from None


def _check_supplied_outputs(supplied: Mapping[str, Mapping[str, Any]], graph: StepGraph) -> None:
    """Output values given for Callback and Lambda steps name declared outputs, typed right.

    Checked before anything runs: a misspelled name would otherwise surface only when the
    step's turn comes, as a missing value, after every step before it has run. A step that
    declares no outputs takes any name (``--callback-output Step.done=true`` completes it).
    """
    for step, values in supplied.items():
        spec = graph.steps[step]
        if spec.step_type in CHECK_STEP_TYPES:
            try:
                check_step_properties(spec.step_type, values)
            except StepError as error:
                raise LocalRunError(f"{_CALLBACK_OUTPUTS}: step '{step}': {error}") from None
            continue
        if spec.step_type in _DESCRIBED_EXTERNAL_TYPES:
            _check_supplied_paths(step, spec.step_type, values)
            continue
        if spec.step_type in STOOD_IN_TYPES:
            # Only a job without a program (a built-in algorithm's) is stood in for; one
            # known only at run time is refused then.
            if runs_a_program(spec.step_type, spec.entry.get("Arguments")):
                raise LocalRunError(f"{_CALLBACK_OUTPUTS}: {runs_here(spec.step_type, step)}")
            _check_supplied_paths(step, spec.step_type, values)
            try:
                check_stand_in(spec.step_type, values)
            except StepError as error:
                raise LocalRunError(f"{_CALLBACK_OUTPUTS}: step '{step}': {error}") from None
            continue
        if spec.step_type not in ("Callback", "Lambda"):
            if values and spec.step_type not in EXTERNAL_TYPES:
                # A step that runs here: its values would be silently ignored.
                raise LocalRunError(f"{_CALLBACK_OUTPUTS}: {runs_here(spec.step_type, step)}")
            continue
        declared = dict(declared_outputs(spec.entry))
        if not declared:
            continue
        for name, value in values.items():
            if name not in declared:
                hint = did_you_mean(str(name), declared)
                raise LocalRunError(
                    f"{_CALLBACK_OUTPUTS}: {spec.step_type} step '{step}' declares no output "
                    f"'{name}' ({hint or 'its outputs: ' + ', '.join(declared)})"
                )
            try:
                coerce_output(name, declared[name], value, "--callback-output")
            except StepError as error:
                raise LocalRunError(f"{_CALLBACK_OUTPUTS}: step '{step}': {error}") from None
