r"""``smpipe run``, ``executions``, ``show``, ``compare`` and ``registry``.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe run build/pipeline.json --resources build/pipeline.resources.json \\
        --param AccuracyThreshold=0.99
    smpipe run --assembly cdk.out --pipeline dev/MlPipeline/Pipeline
    smpipe executions
    smpipe show p4jn9xou8a8s
    smpipe compare p4jn9xou8a8s kqvq
    smpipe registry show breast-cancer 3
    smpipe registry approve breast-cancer 3 --by alice --description "beats v2"
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..definition import PipelineDefinitionError
from ._errors import LocalRunError, StepError
from .progress import ConsoleProgress, executions_table, registry_table, summary
from .records import ExecutionRecord, executions_dir
from .registry import APPROVAL_STATUSES, ModelRegistry, package_json, render_package_text
from .resources import LambdaHandler, ResourceMap, can_serve, split_s3_uri, unread_s3_prefixes
from .result import ExecutionResult
from .runner import IAM_FILE, LoadedPipeline, LocalConfig, LocalRunner, ProgressEvent

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_OUTPUT_CLOSED = 128 + signal.SIGPIPE  # 141, as a Unix tool killed by SIGPIPE
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a Unix tool killed by SIGTERM
DEFAULT_ROOT = ".smpipe"


def register(commands: Any) -> None:
    """Add the local runner's subcommands to ``smpipe``."""
    run = commands.add_parser(
        "run",
        help="run a pipeline definition locally (no Docker, no AWS)",
        description="Run a pipeline definition on this machine: a compiled definition JSON, "
        "or a pipeline of a synthesized cloud assembly (cdk.out). Exit code 0 only when the "
        "execution Succeeded.",
    )
    run.add_argument(
        "definition",
        nargs="?",
        metavar="DEFINITION.json",
        help="a compiled definition JSON file (a cdk.out directory here is read as --assembly)",
    )
    run.add_argument("--assembly", metavar="CDK_OUT", help="a synthesized cloud assembly")
    run.add_argument(
        "--pipeline",
        metavar="NAME",
        help="with --assembly: the pipeline's name, construct path or logical id",
    )
    run.add_argument(
        "--region",
        metavar="REGION",
        help="with --assembly: the region of environment-agnostic stacks (us-east-1)",
    )
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value (repeatable)",
    )
    run.add_argument("--steps", metavar="A,B", help="run only these steps (selective execution)")
    run.add_argument(
        "--from-execution", metavar="ID", help="with --steps: reuse this execution's results"
    )
    run.add_argument(
        "--resume",
        metavar="ID",
        help="continue a Failed or Stopped execution in place with its recorded definition, "
        "parameters and resources: its failed and unrun steps run; its other options "
        "(--callback-output, …) are given again, as the command the run prints does",
    )
    run.add_argument("--max-parallel", type=int, metavar="N", help="MaxParallelExecutionSteps")
    run.add_argument(
        "--callback-output",
        action="append",
        default=[],
        metavar="STEP.NAME=VALUE",
        help="an output of a Callback (or Lambda, EMR, …) step, or a property of a built-in "
        "algorithm's Training step, Train.ModelArtifacts.S3ModelArtifacts=s3://… (repeatable)",
    )
    run.add_argument(
        "--image-map",
        action="append",
        default=[],
        metavar="URI=PYTHON",
        help="run a custom image's code with a local Python ('python' = this one) (repeatable)",
    )
    run.add_argument(
        "--s3-map",
        action="append",
        default=[],
        metavar="S3_URI=PATH",
        help="read an S3 prefix from a local file or directory (repeatable)",
    )
    run.add_argument(
        "--lambda",
        dest="lambdas",
        action="append",
        default=[],
        metavar="ARN=FILE.py:FUNCTION",
        help="a local handler for a Lambda function, named by ARN, name or (with "
        "--assembly) construct path (repeatable)",
    )
    run.add_argument("--resources", metavar="FILE", help="a resources JSON file (ResourceMap)")
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="STEP=EXCEPTION_TYPE",
        help="simulate a service fault on one attempt of STEP (repeatable)",
    )
    run.add_argument(
        "--pipeline-name",
        metavar="NAME",
        help="the pipeline's name (default: the assembly's or resources file's, else the "
        "definition file's name)",
    )
    run.add_argument(
        "--isolation",
        choices=("auto", "namespace", "redirect"),
        default="auto",
        help="how each step gets its own /opt/ml (default: auto)",
    )
    run.add_argument(
        "--retry-interval-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="multiply the waits between retries (default: 1; 0 skips them)",
    )
    run.add_argument(
        "--allow-empty-outputs",
        action="store_true",
        help="publish empty output directories as the service does",
    )
    run.add_argument("--keep-work", action="store_true", help="keep succeeded attempts' work dirs")
    run.add_argument(
        "--stop-at-missing",
        action="store_true",
        help="run even though a Callback or Lambda step the execution will reach has no "
        "--callback-output or handler: the steps before it run, it fails, --resume continues",
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="run every step even on a cache hit (its run is still cached), e.g. after "
        "changing data at the same S3 URI or --s3-map path",
    )
    run.add_argument(
        "--no-iam-check",
        action="store_true",
        help="don't check each job's S3 access and the pipeline role's calls against the "
        "assembly's policies",
    )
    _root_argument(run)
    run.add_argument("--json", action="store_true", help="print the execution record as JSON")
    run.set_defaults(handler=_run)

    executions = commands.add_parser("executions", help="list local executions")
    _root_argument(executions)
    executions.add_argument("--json", action="store_true", help="the records as JSON")
    executions.set_defaults(handler=_executions)

    show = commands.add_parser("show", help="show one local execution")
    show.add_argument("execution", metavar="ID", help="an execution id, or a unique prefix of one")
    _root_argument(show)
    show.add_argument("--json", action="store_true", help="the full record")
    show.add_argument("--logs", action="store_true", help="print each step's log")
    show.set_defaults(handler=_show)

    compare = commands.add_parser(
        "compare",
        help="what changed between two local executions",
        description="Compare two local executions: the parameters, each step's status, "
        "cache hit and duration, training metrics, property file values and registered "
        "model versions that differ, in pipeline order. Executions of different pipelines "
        "are compared by step name (the header says so). Exit code 0 when both are found.",
    )
    compare.add_argument("old", metavar="OLD", help="the earlier execution's id (or prefix)")
    compare.add_argument("new", metavar="NEW", help="the later execution's id (or prefix)")
    _root_argument(compare)
    compare.add_argument("--json", action="store_true", help="the differences as JSON")
    compare.set_defaults(handler=_compare)

    registry = commands.add_parser("registry", help="the local model registry")
    actions = registry.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list model package versions")
    listing.add_argument(
        "group", nargs="?", metavar="GROUP", help="a model package group (default: all)"
    )
    _root_argument(listing)
    listing.add_argument("--json", action="store_true", help="DescribeModelPackage-shaped JSON")
    listing.set_defaults(handler=_registry_list)
    approve = actions.add_parser("approve", help="set a version's approval status")
    approve.add_argument("group", metavar="GROUP", help="the model package group")
    approve.add_argument("version", type=int, metavar="VERSION", help="the version number")
    approve.add_argument(
        "--status", choices=APPROVAL_STATUSES, default="Approved", help="(default: Approved)"
    )
    approve.add_argument("--description", metavar="TEXT", help="the approval description")
    approve.add_argument(
        "--by", metavar="NAME", help="who changes it, as registry show names them (the OS user)"
    )
    _root_argument(approve)
    approve.set_defaults(handler=_registry_approve)
    show = actions.add_parser(
        "show", help="one version: status, files (local and S3), reports, its execution"
    )
    show.add_argument("group", metavar="GROUP", help="the model package group")
    show.add_argument("version", type=int, metavar="VERSION", help="the version number")
    _root_argument(show)
    show.add_argument(
        "--json", action="store_true", help="DescribeModelPackage-shaped JSON, local paths absolute"
    )
    show.set_defaults(handler=_registry_show)


def _root_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", default=DEFAULT_ROOT, metavar="DIR", help=f"runner directory ({DEFAULT_ROOT})"
    )


def _pairs(values: Sequence[str], option: str, *, unique: bool = True) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    given: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise LocalRunError(f"{option} {value!r}: expected KEY=VALUE")
        if unique and given.setdefault(key, rest) != rest:
            # Silently taking the last one would run with a value the reader didn't mean.
            raise LocalRunError(
                f"{option} {key} is given twice, as {given[key]!r} and {rest!r}: give it once"
            )
        pairs.append((key, rest))
    return pairs


def _resources(args: argparse.Namespace) -> ResourceMap:
    base = ResourceMap.load(args.resources) if args.resources else ResourceMap()
    lambdas: dict[str, str | LambdaHandler] = {}
    for arn, spec in _pairs(args.lambdas, "--lambda"):
        handler = LambdaHandler.parse(spec, Path.cwd())
        if not handler.code.exists():
            # Found out only when the Lambda step runs, after the steps before it.
            raise LocalRunError(
                f"--lambda {arn}={spec}: {handler.code} does not exist; give the handler's "
                "FILE.py:function or DIRECTORY:module.function"
            )
        lambdas[arn] = handler
    s3: dict[str, str | Path] = {}
    for uri, path in _pairs(args.s3_map, "--s3-map"):
        if not uri.startswith("s3://"):
            raise LocalRunError(
                f"--s3-map {uri}={path}: {uri!r} is not an s3:// URI; give "
                "--s3-map s3://BUCKET/PREFIX=PATH"
            )
        try:
            split_s3_uri(uri)
        except StepError as error:  # UnmappableS3UriError: '..' in the key, a bad bucket
            raise LocalRunError(f"--s3-map {uri}={path}: {error.reason}") from None
        local = Path(path).resolve()
        if not path or not can_serve(local):
            # A typo here would otherwise surface as a missing input (or a stale cache hit).
            problem = f"{path} does not exist" if path else "no local path after '='"
            if "\\" in path and os.sep == "/":
                problem += " (this system separates folders with '/', not '\\')"
            raise LocalRunError(
                f"--s3-map {uri}={path}: {problem}; give the local file or directory that "
                "holds the objects under the prefix"
            )
        s3[uri] = local
    extra = ResourceMap(
        s3=s3,
        images=dict(_pairs(args.image_map, "--image-map")),
        lambdas=lambdas,
    )
    return base.merged(extra)


def _callback_outputs(values: Sequence[str]) -> dict[str, dict[str, str]]:
    outputs: dict[str, dict[str, str]] = {}
    for key, value in _pairs(values, "--callback-output"):
        step, sep, name = key.partition(".")
        if not sep or not name:
            raise LocalRunError(f"--callback-output {key}: expected STEP.NAME=VALUE")
        outputs.setdefault(step, {})[name] = value
    return outputs


def _faults(values: Sequence[str]) -> dict[str, list[str]]:
    faults: dict[str, list[str]] = {}
    for step, kind in _pairs(values, "--fault", unique=False):
        faults.setdefault(step, []).append(kind)
    return faults


def _run(args: argparse.Namespace) -> int:
    terminated: list[int] = []
    with _stop_on_sigterm(terminated):
        code = _run_until_done(args, terminated)
    return EXIT_TERMINATED if terminated and code == EXIT_INTERRUPTED else code


@contextlib.contextmanager
def _stop_on_sigterm(terminated: list[int]) -> Iterator[None]:
    """Stop the execution on SIGTERM as on Ctrl-C: its steps stopped, a final record.

    A CI job's timeout, ``timeout 600 smpipe run …`` and ``kill`` send SIGTERM. Without
    this the process dies mid-run, its record is left Executing until the next
    ``smpipe`` command settles it, and the output says nothing about what to do next.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return

    def on_sigterm(_signum: int, _frame: Any) -> None:
        terminated.append(1)
        if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, signal.SIG_DFL, None):
            raise KeyboardInterrupt  # a background job ignores Ctrl-C, not SIGTERM
        # The SIGINT handler runs next: KeyboardInterrupt while steps run, nothing while
        # the runner finalizes the record (runner._interrupts_deferred).
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_until_done(args: argparse.Namespace, terminated: Sequence[int]) -> int:
    progress = ConsoleProgress(sys.stdout) if not args.json else None
    started: list[str] = []  # the execution's id, once the runner has allocated it
    output_closed: list[str] = []  # the event at which stdout's reader went away

    def report(event: ProgressEvent) -> None:
        if event.kind == "execution-started":
            started.append(event.execution_id)
        if progress is None or output_closed:
            return
        try:
            progress(event)
        except BrokenPipeError:
            # `smpipe run … | head`: the reader has gone. Stop the execution as Ctrl-C does
            # (its steps stopped, a final record that --resume continues), rather than as
            # an error of the runner, and leave the rest of the output nowhere.
            output_closed.append(event.kind)
            _discard_stdout()
            _interrupt_main_thread()

    try:
        if args.resume:
            _check_resume_options(args)
        resources = _resources(args)
        config = LocalConfig(
            root=args.root,
            resources=resources,
            max_parallel=args.max_parallel,
            isolation=args.isolation,
            callback_outputs=_callback_outputs(args.callback_output),
            faults=_faults(args.fault),
            retry_interval_scale=args.retry_interval_scale,
            strict_outputs=not args.allow_empty_outputs,
            keep_work=args.keep_work,
            reuse_cache=not args.no_cache,
            iam_check=not args.no_iam_check,
            stop_at_missing=args.stop_at_missing,
            progress=report,
        )
        runner = LocalRunner(config)
        if args.resume:
            result = runner.resume(args.resume)
        else:
            definition = _definition(args)
            if isinstance(definition, LoadedPipeline) and progress is not None:
                for note in definition.notes:
                    print(f"smpipe: {note}")
            parameters = dict(_pairs(args.param, "--param"))
            # A --callback-output value (a stand-in model's URI, say) is read by the steps
            # that take it: a prefix only it is under is no typo.
            stand_ins = [v for values in config.callback_outputs.values() for v in values.values()]
            read = [*parameters.values(), *stand_ins]
            for note in _unread_mappings(args, definition, resources, read):
                print(f"smpipe run: note: {note}", file=sys.stderr)
            steps = [s.strip() for s in args.steps.split(",") if s.strip()] if args.steps else None
            result = runner.run(
                definition,
                parameters,
                pipeline_name=args.pipeline_name,
                steps=steps,
                from_execution=args.from_execution,
            )
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        with contextlib.suppress(BrokenPipeError):  # stderr may go to the same reader
            why = "terminated (SIGTERM)" if terminated else None
            print(_interrupted(started, args.root, bool(output_closed), why), file=sys.stderr)
        return EXIT_OUTPUT_CLOSED if output_closed else EXIT_INTERRUPTED
    except PipelineDefinitionError as error:
        if progress is not None:
            progress.close()
        print(f"smpipe run: {error}", file=sys.stderr)
        return EXIT_USAGE
    if progress is not None:
        progress.close()
    if args.json:
        print(json.dumps(result.describe(), indent=2, default=str))
    else:
        print()
        print(summary(result, _types(result)))
        hint = _resume_hint(result, args.root, None if args.resume else args)
        if hint:
            print(hint)
    if output_closed:
        return EXIT_OUTPUT_CLOSED  # the run ended before the interrupt could stop it
    return EXIT_SUCCEEDED if result.succeeded else EXIT_FAILED


def _discard_stdout() -> None:
    """Point stdout at the null device, so that later writes and the exit flush succeed."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), fileno)


def _interrupt_main_thread() -> None:
    """Raise ``KeyboardInterrupt`` in the main thread, as Ctrl-C does.

    The runner's own handling of Ctrl-C then stops the running steps and finalizes the
    record (and ignores it while finalizing). With SIGINT ignored or handled by someone
    else, nothing is raised: the execution runs to its end, its output discarded.
    """
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


# The options of a new run whose part --resume takes from the record, so refuses: the
# argparse destination, and how the error names it.
_RECORDED_BY_RESUME = (
    ("definition", "DEFINITION.json"),
    ("assembly", "--assembly"),
    ("pipeline", "--pipeline"),
    ("region", "--region"),
    ("param", "--param"),
    ("steps", "--steps"),
    ("from_execution", "--from-execution"),
    ("pipeline_name", "--pipeline-name"),
)


def _check_resume_options(args: argparse.Namespace) -> None:
    """Refuse options of a new run given with ``--resume``, rather than ignore them.

    A resume continues the execution with its recorded definition, parameters and
    selection of steps (as RetryPipelineExecution does): a ``--param`` given with it
    would otherwise be dropped silently, and the steps run with the recorded value.
    """
    given = [shown for name, shown in _RECORDED_BY_RESUME if getattr(args, name)]
    if given:
        raise LocalRunError(
            f"--resume continues execution {args.resume} with its recorded definition, "
            f"parameters and steps: it takes no {_either(given)}; to change them, run the "
            "pipeline again (--steps A,B --from-execution ID reuses its succeeded steps)"
        )


def _either(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _resume_command(execution_id: str, root: str, record: ExecutionRecord | None = None) -> str:
    """The command that continues an execution, quoted to paste into a shell.

    ``record`` gives the options it repeats: those of the run (or last resume) that the
    record keeps no other way (``ExecutionRecord.options``) and the steps left may need.
    """
    argv = ["smpipe", "run", "--resume", execution_id]
    if root != DEFAULT_ROOT:
        argv += ["--root", root]
    if record is not None:
        argv += _repeated_options(record)
    return shlex.join(argv)


def _repeated_options(record: ExecutionRecord) -> list[str]:
    """The ``smpipe run`` options a resume of ``record`` needs given again.

    Callback outputs only for the steps a resume may run: a succeeded step keeps its
    outputs, and a step a selective run left out stays out.
    """
    options = record.options
    kept = {name for name, entry in record.steps.items() if entry.get("StepStatus") == "Succeeded"}
    kept |= {name for name, why in record.not_executed.items() if why == "not selected"}
    outputs = options.get("CallbackOutputs")
    argv: list[str] = []
    for step, values in outputs.items() if isinstance(outputs, dict) else ():
        if step not in kept and isinstance(values, dict):
            for name, value in values.items():
                argv += ["--callback-output", f"{step}.{name}={_option_text(value)}"]
    for key, flag in (
        ("MaxParallel", "--max-parallel"),
        ("Isolation", "--isolation"),
        ("RetryIntervalScale", "--retry-interval-scale"),
    ):
        if options.get(key) is not None:
            argv += [flag, _option_text(options[key])]
    for key, flag, value in (
        ("StrictOutputs", "--allow-empty-outputs", False),
        ("KeepWork", "--keep-work", True),
        ("ReuseCache", "--no-cache", False),
        ("IamCheck", "--no-iam-check", False),
        ("StopAtMissing", "--stop-at-missing", True),
    ):
        if options.get(key) is value:
            argv.append(flag)
    return argv


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _interrupted(
    started: Sequence[str], root: str, output_closed: bool = False, why: str | None = None
) -> str:
    if why is None:
        why = "the output's reader exited (a closed pipe)" if output_closed else "interrupted"
    if not started:
        return f"smpipe: {why} before the execution started"
    execution_id = started[-1]
    record = None
    with contextlib.suppress(LocalRunError):  # the command without the run's options
        record = ExecutionRecord.load(executions_dir(Path(root).resolve()) / execution_id)
    return (
        f"smpipe: {why}; execution {execution_id} was stopped "
        f"(smpipe show {execution_id} for its steps); continue it with: "
        f"{_resume_command(execution_id, root, record)}"
    )


def _resume_hint(
    result: ExecutionResult, root: str, args: argparse.Namespace | None = None
) -> str | None:
    """How to continue a Failed or Stopped execution, unless only a Fail step failed.

    A Stopped execution can always be continued, though no step of it failed or stopped.

    A Fail step fails again when resumed; a failed or stopped job step may succeed once
    the script or its input is fixed. ``args``, the run's own options: for a run of an
    assembly, the command that runs it again.
    """
    record = result.record
    types = _types(result)
    retriable = [
        run.name
        for run in result.steps
        if run.status == "Stopped" or (run.status == "Failed" and types.get(run.name) != "Fail")
    ]
    if record.status == "Stopped" and not retriable:
        # Stopped between steps (Ctrl-C, a closed pipe): nothing to fix, steps left to run.
        lead = "Continue it"
    elif record.status in ("Failed", "Stopped") and retriable:
        lead = "After a fix, continue it"
    else:
        return None
    command = _resume_command(record.execution_id, root, record)
    hint = f"{lead} (its succeeded steps are kept): {command}"
    notes = [*_kept_causes(result, retriable), *_assembly_rerun(record, root, args)]
    return "\n".join([hint, *notes])


def _assembly_rerun(
    record: ExecutionRecord, root: str, args: argparse.Namespace | None
) -> list[str]:
    """For a run of an assembly: what a resume keeps, and the command that runs it again.

    A resume refuses --assembly and --pipeline: it checks against the IAM policies
    recorded from the assembly, and keeps a stood-in step's --callback-output values. A
    fix to the app (a grant, cdk synth) or to where a stand-in is needs a new run; new
    --s3-map values alone may be given to the resume.
    """
    assembly = getattr(args, "assembly", None)
    if assembly is None and not (record.directory / IAM_FILE).is_file():
        return []
    again = "run it again"
    if assembly is not None:
        argv = ["smpipe", "run", "--assembly", str(assembly)]
        pipeline = getattr(args, "pipeline", None)
        if pipeline:
            argv += ["--pipeline", str(pipeline)]
        if root != DEFAULT_ROOT:
            argv += ["--root", root]
        again += f" ({shlex.join(argv)} with your other options)"
    return [
        "  A resume keeps what this run recorded from the assembly (its definition and IAM "
        "policies) and its succeeded steps' outputs, a stood-in step's --callback-output "
        "values too (--s3-map given with --resume adds to its mappings): after a change to "
        f"the app (cdk synth) or to a succeeded step's stand-in, {again}"
    ]


def _kept_causes(result: ExecutionResult, failed: Sequence[str]) -> list[str]:
    """Warn when a step failed on what a succeeded step wrote, which a resume would keep.

    A condition reading a property file with a wrong key fails again when resumed after
    the script that writes the file is fixed: the resume keeps that script's old output.
    """
    notes = []
    for name in failed:
        reason = result.step(name).failure_reason or ""
        producers = [
            producer
            for producer in dict.fromkeys(re.findall(r"\bstep '([^']+)'", reason))
            if producer != name
            and producer in result.record.steps
            and result.step(producer).status == "Succeeded"
        ]
        for producer in producers:
            notes.append(
                f"  {name} failed on what step '{producer}' wrote, which a resume keeps: if the "
                f"fix is in {producer}, run the pipeline again instead (its unchanged cached "
                "steps are reused)"
            )
    return notes


def _unread_mappings(
    args: argparse.Namespace,
    definition: str | LoadedPipeline,
    resources: ResourceMap,
    values: Sequence[str],
) -> list[str]:
    """Notes for the ``--s3-map`` (and resources file) prefixes near no URI of the definition.

    Such a prefix is most likely a typo, and then a step silently reads whatever the
    local S3 tree holds at the URI it names. ``values`` are the run's other URIs: its
    parameter values and ``--callback-output`` values. An unreadable definition is the
    runner's to report: no notes then.
    """
    if isinstance(definition, LoadedPipeline):
        body: Any = definition.definition
    else:
        try:
            body = json.loads(Path(definition).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
    if not isinstance(body, dict):
        return []
    given = dict(_pairs(args.s3_map, "--s3-map"))
    notes = []
    for prefix, close in unread_s3_prefixes(body, resources.s3, values):
        where = (
            f"--s3-map {prefix}={given[prefix]}" if prefix in given else f"{prefix} (--resources)"
        )
        hint = f"; {close} is close: a typo?" if close else ""
        notes.append(
            f"{where}: no S3 URI of the definition or its parameters is at or under this "
            f"prefix, so no step reads it{hint}"
        )
    return notes


def _definition(args: argparse.Namespace) -> str | LoadedPipeline:
    given = Path(args.definition) if args.definition else None
    # `smpipe graph cdk.out` and `smpipe diff` take the assembly in this place: so does run,
    # and with --pipeline a path that doesn't exist and isn't a ….json is an assembly not
    # synthesized yet (its error then says so).
    missing_assembly = (
        given is not None
        and args.pipeline is not None
        and not given.exists()
        and given.suffix.lower() != ".json"
    )
    if given and not args.assembly and (given.is_dir() or missing_assembly):
        args.assembly, args.definition = args.definition, None
    if args.assembly:
        if args.definition:
            raise LocalRunError("give a DEFINITION.json or --assembly, not both")
        from .assembly import load_assembly

        return load_assembly(args.assembly, pipeline=args.pipeline, region=args.region)
    if not args.definition:
        raise LocalRunError("give a DEFINITION.json, --assembly CDK_OUT, or --resume ID")
    if args.pipeline:
        raise LocalRunError("--pipeline selects a pipeline of --assembly")
    return str(args.definition)


def _types(result: ExecutionResult) -> dict[str, str]:
    from ._graph import StepGraph

    graph = StepGraph.from_definition(result.definition)
    return {name: spec.step_type for name, spec in graph.steps.items()}


def _executions(args: argparse.Namespace) -> int:
    skipped: list[tuple[Path, LocalRunError]] = []
    # Newest first, as ListPipelineExecutions sorts by default: `| head` shows the latest.
    records = LocalRunner(LocalConfig(root=args.root)).executions(skipped)[::-1]
    for _directory, error in skipped:
        print(f"smpipe executions: skipped: {error}", file=sys.stderr)
    if args.json:
        print(json.dumps([r.to_json() for r in records], indent=2, default=str))
    elif not records:
        print(f"no executions under {Path(args.root).resolve()}")
    else:
        print(executions_table(records))
    return EXIT_SUCCEEDED


def _show(args: argparse.Namespace) -> int:
    try:
        result = LocalRunner(LocalConfig(root=args.root)).execution(args.execution)
    except LocalRunError as error:
        print(f"smpipe show: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(result.describe(), indent=2, default=str))
        return EXIT_SUCCEEDED
    record = result.record
    print(f"Execution  {record.execution_id}  ({record.arn})")
    print(f"Pipeline   {record.pipeline_name}")
    print(f"Status     {record.status}")
    if record.failure_reason:
        print(f"Reason     {record.failure_reason}")
    values = ", ".join(f"{k}={v}" for k, v in record.parameters.items())
    print(f"Parameters {values or '-'}")
    if record.selective:
        print(f"Selective  {json.dumps(record.selective)}")
    print(f"Isolation  {record.isolation}")
    print()
    print(summary(result, _types(result)))
    outputs = _published_outputs(result)
    if outputs:
        print("\nOutputs (S3 URI, then where it is here):")
        print("\n".join(outputs))
    hint = _resume_hint(result, args.root)
    if hint:
        print(hint)
    if args.logs:
        for run in result.steps:
            if run.log is not None:
                print(f"\n== {run.name} ({run.log})")
                print(run.log.read_text(encoding="utf-8", errors="replace").rstrip())
    return EXIT_SUCCEEDED


def _compare(args: argparse.Namespace) -> int:
    from .compare import compare_executions, render_comparison_text

    runner = LocalRunner(LocalConfig(root=args.root))
    results = []
    for side, given in (("OLD", args.old), ("NEW", args.new)):
        try:
            results.append(runner.execution(given))
        except LocalRunError as error:
            # Which of the two ids was wrong, and where to find the right one.
            print(
                f"smpipe compare: {side} {given}: {error} (smpipe executions lists them)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    comparison = compare_executions(results[0], results[1])
    if args.json:
        print(json.dumps(comparison.to_dict(), indent=2, default=str))
    else:
        print(render_comparison_text(comparison), end="")
    return EXIT_SUCCEEDED


def _published_outputs(result: ExecutionResult) -> list[str]:
    """Each step's published outputs, in execution order: the files a reader opens next."""
    lines = []
    for run in result.steps:
        for uri, path in sorted(result.store.outputs_of(run.name).items()):
            lines.append(f"  {run.name}  {uri}\n    {path}")
    return lines


def _registry_list(args: argparse.Namespace) -> int:
    registry = ModelRegistry(Path(args.root).resolve())
    try:
        if args.group:
            registry.check_group(args.group)
        groups = [args.group] if args.group else registry.groups()
        packages = [package for group in groups for package in registry.versions(group)]
    except LocalRunError as error:
        print(f"smpipe registry list: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps([p.description for p in packages], indent=2, default=str))
    elif not packages:
        print(f"no model packages under {registry.directory}")
    else:
        print(registry_table(packages))
        # The table has no room for paths: one version's files are a command away.
        print("\nA version's files, reports and execution: smpipe registry show GROUP VERSION")
    return EXIT_SUCCEEDED


def _registry_show(args: argparse.Namespace) -> int:
    registry = ModelRegistry(Path(args.root).resolve())
    try:
        package = registry.get(args.group, args.version)
    except LocalRunError as error:
        print(f"smpipe registry show: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(package_json(package), indent=2, default=str))
    else:
        print(render_package_text(package), end="")
    return EXIT_SUCCEEDED


def _registry_approve(args: argparse.Namespace) -> int:
    registry = ModelRegistry(Path(args.root).resolve())
    try:
        package = registry.approve(
            args.group, args.version, args.status, args.description, by=args.by
        )
    except LocalRunError as error:
        print(f"smpipe registry approve: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{package.group} version {package.version}: {package.approval_status}")
    return EXIT_SUCCEEDED
