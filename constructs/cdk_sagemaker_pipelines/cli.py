"""The ``smpipe`` command line.

Example::

    smpipe validate pipeline.json other.json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .definition import validate_definition
from .definition._job_warnings import job_warnings
from .definition.entries import count_entries
from .definition_files import load_definition_file

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2

Command = Callable[[argparse.Namespace], int]

# A cdk.out is the usual directory given here: its pipelines were validated when it was built.
_DIRECTORY_REASON = (
    "a directory, not a definition JSON file (cdk synth validated the pipelines of a "
    "cdk.out; smpipe run, smpipe graph and smpipe diff read one)"
)


def _validate(args: argparse.Namespace) -> int:
    worst = EXIT_OK
    report: list[dict[str, Any]] = []
    for name in args.files:
        path = Path(name)
        if path.is_dir():
            print(f"{path}: cannot read: {_DIRECTORY_REASON}", file=sys.stderr)
            worst = max(worst, EXIT_UNREADABLE)
            report.append({"file": str(path), "error": _DIRECTORY_REASON})
            continue
        try:
            definition = load_definition_file(path)
        except (OSError, ValueError) as error:
            print(f"{path}: cannot read: {error}", file=sys.stderr)
            worst = max(worst, EXIT_UNREADABLE)
            report.append({"file": str(path), "error": str(error)})
            continue
        problems = validate_definition(definition)
        # The synth-time job warnings too (the Pipeline construct's, same ids): they never
        # change the exit code, as they don't fail synth.
        warnings = job_warnings(definition) if isinstance(definition, dict) else []
        report.append(
            {
                "file": str(path),
                "problems": [
                    {"step": p.step, "field": p.field, "message": p.message, "hint": p.hint}
                    for p in problems
                ],
                "warnings": [
                    {
                        "id": f"cdk-sagemaker-pipelines:{w.kind}",
                        "step": w.step,
                        "field": w.field,
                        "message": w.message,
                    }
                    for w in warnings
                ],
            }
        )
        if problems:
            worst = max(worst, EXIT_INVALID)
            if not args.json:
                noun = "problem" if len(problems) == 1 else "problems"
                print(f"{path}: {len(problems)} {noun}:")
                for problem in problems:
                    print(f"- {problem}")
        elif not args.json:
            steps = definition.get("Steps", []) if isinstance(definition, dict) else []
            count = count_entries(steps)
            print(f"{path}: valid ({count} {'step' if count == 1 else 'steps'})")
        if not args.json:
            for warning in warnings:
                print(f"- warning (cdk-sagemaker-pipelines:{warning.kind}): {warning.message}")
    if args.json:
        print(json.dumps(report, indent=2))
    return worst


# The first commands a newcomer needs, each runnable in the repository after `cdk synth`.
_EXAMPLES = """examples:
  python -m examples.seed_pipeline > pipeline.json   # compile a pipeline written in Python
  smpipe validate pipeline.json                      # the same checks as at synth
  smpipe run --assembly cdk.out --pipeline dev/MlOps/Training \\
      --s3-map s3://dev-mlops-artifacts-data/curated=example_project/data   # run it here
  smpipe graph cdk.out --pipeline dev/MlOps/Training    # a Mermaid flowchart for a review
  smpipe diff base/cdk.out cdk.out                   # what a branch changes, pipeline by pipeline
  smpipe access cdk.out --pipeline dev/MlOps/Training   # what each step's IAM role may do
  smpipe convert pipeline.json -o converted.py      # a definition JSON (the SDK's too) as Python

The paths are the reference app's, in this project's repository. In your app, --pipeline
takes your Pipeline's construct path (MyStack/Training) and --s3-map your data's prefixes.
`smpipe COMMAND --help` describes each command."""


def build_parser(*, extra: bool = True) -> argparse.ArgumentParser:
    """The argument parser (with the other packages' subcommands unless ``extra`` is off)."""
    parser = argparse.ArgumentParser(
        prog="smpipe",
        description="SageMaker Pipelines definitions: validate, run locally, inspect, convert.",
        epilog=_EXAMPLES if extra else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser(
        "validate",
        help="validate pipeline definition JSON files (ours or the SageMaker SDK's)",
        description="Validate definition JSON files. Exit 0 when all are valid, 1 when any "
        "has problems, 2 when a file can't be read.",
    )
    validate.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a definition JSON file (compiled with PipelineDefinition.to_json, or the SDK's "
        "pipeline.definition()) or a CreatePipeline request",
    )
    validate.add_argument("--json", action="store_true", help="print the problems as JSON")
    validate.set_defaults(handler=_validate)
    for register in _EXTRA_COMMANDS if extra else ():
        register(commands)
    return parser


def _local_commands(commands: Any) -> None:
    # Imported on demand: ``smpipe validate`` doesn't pay for the runner's import.
    from .local.cli import register

    register(commands)


def _diff_command(commands: Any) -> None:
    from .review._diff_cli import register_diff

    register_diff(commands)


def _graph_command(commands: Any) -> None:
    from .review._graph_cli import register_graph

    register_graph(commands)


def _access_command(commands: Any) -> None:
    from .review._access_cli import register_access

    register_access(commands)


def _convert_command(commands: Any) -> None:
    from .convert._cli import register_convert

    register_convert(commands)


# Subcommands of other packages (the local runner, the review tools) register themselves here.
_EXTRA_COMMANDS: list[Callable[[Any], None]] = [
    _local_commands,
    _graph_command,
    _diff_command,
    _access_command,
    _convert_command,
]


def _escape_unencodable_output() -> None:
    """Print characters the output can't encode as escapes instead of failing on them.

    A definition may hold text the terminal can't show: a lone surrogate (valid in JSON as
    an escape), or any non-ASCII name when the output is ASCII (PYTHONIOENCODING=ascii, or
    the C locale with PYTHONUTF8=0: Python writes UTF-8 under the C locale otherwise).
    Without this the command ends in a UnicodeEncodeError traceback halfway through a report.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _escape_unencodable_output()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["validate"]:
        args = build_parser(extra=False).parse_args(arguments)
    else:
        args = build_parser().parse_args(arguments)
    handler: Command = args.handler
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader closed the pipe (`smpipe executions | head`): stop quietly, as Unix
        # tools do, rather than print a traceback (and another when stdout is flushed at
        # exit, which the redirect to /dev/null prevents).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
