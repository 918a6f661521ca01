"""``smpipe convert``: write the Python of the definition language for a definition JSON.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe convert pipeline.json -o pipeline.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..definition_files import load_definition_document
from ._convert import MIN_LINE_LENGTH, ConversionError, convert_definition
from ._layout import LINE_LENGTH

EXIT_OK = 0
EXIT_UNCONVERTIBLE = 1
EXIT_UNREADABLE = 2


def register_convert(commands: Any) -> None:
    """Add ``smpipe convert`` to ``smpipe``."""
    convert = commands.add_parser(
        "convert",
        help="write a definition JSON (the SageMaker SDK's, or any) as Python of the language",
        description="Print a Python module that builds the pipeline of FILE with the "
        "definition language: parameters, steps with their keyword arguments, what no "
        "keyword covers in extra_arguments, and a step its class can't write as a RawStep "
        "of its entry. The module is checked before it is printed: "
        "compiled, it gives FILE's definition again. Exit 0; 1 when the definition is "
        "invalid or holds what the language can't write (each problem names the step and "
        "field); 2 when FILE can't be read or OUT written.",
    )
    convert.add_argument(
        "file",
        metavar="FILE",
        help="a definition JSON file (the SDK's pipeline.definition(), describe-pipeline's "
        "PipelineDefinition, or a CreatePipeline request)",
    )
    convert.add_argument("-o", "--output", metavar="OUT.py", help="write the module to OUT.py")
    convert.add_argument(
        "--line-length",
        type=int,
        default=LINE_LENGTH,
        metavar="N",
        help=f"lay the module out as ruff format does at line length N (default {LINE_LENGTH}, "
        "ruff's; at least 40)",
    )
    convert.add_argument(
        "--without-roles",
        action="store_true",
        help="leave out role= where a step names the role most jobs name (and an AutoML "
        "step the AutoML role): the CDK Pipeline construct's step role (automl_role) "
        "runs them; the module keeps the role as ROLE and is checked with "
        "StaticBinder(role_arn=ROLE)",
    )
    convert.add_argument(
        "--without-sdk-defaults",
        action="store_true",
        help="leave out what the SageMaker SDK writes by default: processing output "
        "destinations in its layout (s3://BUCKET/PIPELINE/EXECUTION/STEP/output/NAME) and "
        "training or transform output paths at a bucket's root (the binder's bucket, in the "
        "construct its artifact store, takes them), a training job's default "
        "DebugHookConfig and ProfilerConfig, a registered model's SkipModelValidation "
        "'None' and empty Bias and Explainability reports, and the default "
        "PipelineExperimentConfig; the module is checked with "
        "StaticBinder(default_bucket=BUCKET) against FILE's definition less exactly those "
        "members",
    )
    convert.set_defaults(handler=_convert)


def _convert(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.line_length < MIN_LINE_LENGTH:
        print(
            f"smpipe convert: --line-length {args.line_length}: at least {MIN_LINE_LENGTH}",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    try:
        if path.is_dir():
            raise ValueError("a directory, not a definition JSON file")
        definition, settings = load_definition_document(path)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        print(f"smpipe convert: {path}: cannot read: {reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        source = convert_definition(
            definition,
            title=f"The pipeline of {path.name}, in the definition language.",
            line_length=args.line_length,
            without_roles=args.without_roles,
            without_sdk_defaults=args.without_sdk_defaults,
        )
    except ConversionError as error:
        print(f"smpipe convert: {path}: {error}", file=sys.stderr)
        return EXIT_UNCONVERTIBLE
    # The module builds the definition only: a migrating team must not lose its
    # parallelism limit, name or tags unnoticed.
    dropped = [
        (name, _construct_keyword(name, value))
        for name, value in settings.items()
        if value is not None  # null: not set (describe-pipeline's ParallelismConfiguration)
    ]
    if dropped:
        source = _dropped_settings_comment(path.name, dropped) + source
        print(
            f"smpipe convert: {path}: the module leaves out the pipeline's settings "
            f"{', '.join(name for name, _ in dropped)}: give them to the CDK Pipeline "
            f"construct ({', '.join(keyword.split('=')[0] + '=' for _, keyword in dropped)}; "
            "see the comment atop the module)",
            file=sys.stderr,
        )
    if args.output is None:
        sys.stdout.write(source)
        return EXIT_OK
    try:
        Path(args.output).write_text(source, encoding="utf-8")
    except OSError as error:
        print(
            f"smpipe convert: {args.output}: cannot write: {error.strerror or error}",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    return EXIT_OK


def _dropped_settings_comment(file_name: str, dropped: list[tuple[str, str]]) -> str:
    """The comment atop the module naming each wrapper setting left out, and its keyword."""
    lines = [
        f"# smpipe convert: {json.dumps(file_name)} holds pipeline settings beside its",
        "# definition, which this module leaves out. Give them to the CDK Pipeline construct:",
        *(f"#   {name}: Pipeline(..., {keyword})" for name, keyword in dropped),
    ]
    return "\n".join(lines) + "\n"


_KEYWORDS = {
    "PipelineName": "pipeline_name",
    "PipelineDisplayName": "display_name",
    "PipelineDescription": "description",
    "RoleArn": "role",
    "ParallelismConfiguration": "max_parallel_execution_steps",
    "Tags": "tags",
}


def _construct_keyword(name: str, value: Any) -> str:
    """``keyword=value`` of the ``Pipeline`` construct that carries setting ``name``.

    Values are Python literals, ASCII only (nothing in them can end the comment's line),
    so a copy-paste gives the setting's string; a CloudFormation ``Ref`` or ``Fn::*`` is
    no Python value, and is said to be a reference of the template.
    """
    if _has_cloudformation_reference(value):
        return (
            f"{_KEYWORDS[name]}=... (a CloudFormation reference in the template: "
            f"{json.dumps(value)})"
        )
    text = _python_literal(value)
    if name == "ParallelismConfiguration":
        steps = value.get("MaxParallelExecutionSteps") if isinstance(value, dict) else None
        if isinstance(steps, int) and not isinstance(steps, bool):
            return f"max_parallel_execution_steps={steps}"
        return f"max_parallel_execution_steps=... (was {text})"
    if name == "RoleArn":
        return f'role=iam.Role.from_role_arn(self, "PipelineRole", {text})'
    if name == "Tags":
        if isinstance(value, list) and all(
            isinstance(tag, dict) and set(tag) == {"Key", "Value"} for tag in value
        ):
            pairs = ", ".join(
                f"{_python_literal(t['Key'])}: {_python_literal(t['Value'])}" for t in value
            )
            return f"tags={{{pairs}}}"
        return f"tags=... (was {text})"
    return f"{_KEYWORDS[name]}={text}"


def _has_cloudformation_reference(value: Any) -> bool:
    """Whether ``value`` holds a ``{"Ref": …}`` or ``{"Fn::…": …}`` of a template."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return True
        return any(_has_cloudformation_reference(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_has_cloudformation_reference(inner) for inner in value)
    return False


def _python_literal(value: Any) -> str:
    """``value`` (JSON's) as an ASCII Python literal, its non-ASCII characters escaped.

    Not ``json.dumps``: it writes a character beyond U+FFFF as a surrogate pair, which
    Python reads as two lone surrogates, not the character.
    """
    if isinstance(value, str):
        quoted = json.dumps(value, ensure_ascii=False)  # quotes, backslashes, controls
        return "".join(
            char
            if char.isascii()
            else f"\\u{ord(char):04x}"
            if ord(char) <= 0xFFFF
            else f"\\U{ord(char):08x}"
            for char in quoted
        )
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_python_literal(inner) for inner in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_python_literal(k)}: {_python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)
