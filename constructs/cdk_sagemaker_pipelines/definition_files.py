"""Read pipeline definition JSON files: ours, the SageMaker SDK's, or a CreatePipeline request.

Shared by ``smpipe validate`` and the review commands (``smpipe graph``, ``smpipe diff``).
Pure JSON: nothing here imports ``aws_cdk``.

Example::

    definition = load_definition_file(Path("build/pipeline.json"))
    print([step["Name"] for step in definition["Steps"]])
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final


class UnreadableDefinitionError(ValueError):
    """A file that is not a definition we can read (the message says why).

    Example::

        try:
            load_definition_file(Path("pipeline.json"))
        except UnreadableDefinitionError as error:
            print(f"pipeline.json: {error}")  # e.g. "NaN is not a JSON value"
    """


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and the service) does not.
    raise UnreadableDefinitionError(f"{name} is not a JSON value")


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise UnreadableDefinitionError("the JSON is nested too deeply to read") from None
    except ValueError as error:
        if "integer string conversion" not in str(error):
            raise
        # Python's message suggests sys.set_int_max_str_digits(), no help to a user.
        raise UnreadableDefinitionError(
            f"a number has more than {sys.get_int_max_str_digits()} digits, "
            "far beyond any number a definition can hold"
        ) from None


PYTHON_SOURCE_HINT = (
    "a Python file, not a definition's JSON: compile the pipeline first and pass the JSON "
    "it writes (the tutorial's `python compile_pipeline.py` writes pipeline.json; or "
    "print(pipeline.to_json(StaticBinder(…))) in the file, then "
    "`python {name} > pipeline.json`)"
)

COMPILE_SCRIPT = "compile_pipeline.py"
"""The script the getting-started tutorial writes to compile its pipeline."""


def python_source_problem(path: Path) -> str | None:
    """What to say when ``path``, which failed to parse as JSON, is a Python source file.

    A newcomer's first try is the module that builds the pipeline (``smpipe validate
    pipeline.py``); JSON's own "Expecting value: line 1 column 1" says nothing useful.
    The tutorial's compile script, found beside the file (or given), is named as the
    command to run: guessing ``python pipeline.py > pipeline.json`` would write nothing
    from a module that only defines ``build_pipeline``.

    Example::

        python_source_problem(Path("first-pipeline/pipeline.py"))
        # "a Python file, not a definition's JSON: run `python compile_pipeline.py` …"
    """
    if path.suffix != ".py":
        return None
    script = path.with_name(COMPILE_SCRIPT)
    if path.name == COMPILE_SCRIPT or script.is_file():
        where = "" if path.name == COMPILE_SCRIPT else f" (beside {path.name})"
        return (
            f"a Python file, not a definition's JSON: run `python {COMPILE_SCRIPT}`{where} "
            "in its folder, then pass the definition JSON it writes (pipeline.json in the "
            "tutorial)"
        )
    return PYTHON_SOURCE_HINT.format(name=path.name)


# What `import sagemaker` logs to stdout, ahead of a printed pipeline.definition().
_SDK_CONFIG_LOG = "sagemaker.config INFO"
_QUOTED_LINE_LENGTH = 100
_OPENERS_TRIED = 20


def leading_text_problem(text: str, name: str = "definition.json") -> str | None:
    """What to say when ``text``, which failed to parse as JSON, has lines before its JSON.

    A script printing the SageMaker SDK's ``pipeline.definition()`` also prints
    ``sagemaker.config INFO - …`` lines to stdout first, so ``python script.py >
    sdk.json`` writes a file JSON's "Expecting value: line 1 column 1" says nothing of.
    An error, not a skip: which lines are log and which are data is the user's to say.
    ``None`` when no later line opens a JSON object or array, or the first line does.

    Example::

        leading_text_problem(Path("sdk.json").read_text(), "sdk.json")
        # "lines 1-2 are not JSON, …; line 1 is 'sagemaker.config INFO - …' …"
    """
    lines = text.splitlines()
    first_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_index is None:
        return None
    first = lines[first_index].strip()
    # Each later line that opens an object or an array (indented or not) may start the
    # JSON; the first from which the rest parses does, else the first of them (and its
    # error is the file's other problem). A log line may itself start with "[".
    openers = [
        i for i in range(first_index + 1, len(lines)) if lines[i].lstrip().startswith(("{", "["))
    ]
    if not openers:
        return None  # plain bad JSON: its own error says more
    # The first few only: each try parses the rest of the file, and log lines are few.
    tried = openers[:_OPENERS_TRIED]
    start = next((i for i in tried if _json_error("\n".join(lines[i:])) is None), None)
    broken = None
    if start is None:
        try:
            json.JSONDecoder().raw_decode(first)
        except json.JSONDecodeError as error:
            if error.pos > 0:
                return None  # JSON that starts on the first line ("[", say) and breaks later
        else:
            return None
        start = openers[0]
        broken = _json_error("\n".join(lines[start:]))
    if len(first) > _QUOTED_LINE_LENGTH:
        first = first[: _QUOTED_LINE_LENGTH - 1] + "…"
    before = "line 1 is" if start == 1 else f"lines 1-{start} are"
    why = (
        " (`import sagemaker` logs its sagemaker.config INFO lines to stdout)"
        if first.startswith(_SDK_CONFIG_LOG)
        else ""
    )
    also = (
        ""
        if broken is None
        # Its line counted in the file, not from where the JSON starts.
        else f"; the JSON from line {start + 1} on is not valid either: {broken.msg} at "
        f"line {broken.lineno + start} column {broken.colno}"
    )
    # tail by line number: a sed pattern for "{" misses an array, an indented start, and
    # a log line that starts with "[" too.
    return (
        f"{before} not JSON, the definition's JSON starts on line {start + 1}; line "
        f"{first_index + 1} is {first!r}{why}{also}: keep only the JSON, e.g. `tail -n "
        f"+{start + 1} {name} > definition.json`, or print the definition alone (`python "
        f"script.py | tail -1 > {name}` keeps the SDK's one-line JSON)"
    )


def _json_error(text: str) -> json.JSONDecodeError | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error
    return None


def load_definition_file(path: Path) -> Any:
    """The definition in ``path``, unwrapped from a request or response that holds it.

    A CreatePipeline request or describe-pipeline's response (``PipelineDefinition``), the
    CloudFormation property (``PipelineDefinitionBody``) or the resource's properties.

    Raises ``OSError`` when the file can't be read and ``ValueError`` (JSON errors, or
    ``UnreadableDefinitionError``) when it isn't a definition's JSON.
    """
    definition, _ = load_definition_document(path)
    return definition


WRAPPER_SETTINGS: Final = (
    "PipelineName",
    "PipelineDisplayName",
    "PipelineDescription",
    "RoleArn",
    "ParallelismConfiguration",
    "Tags",
)
"""The pipeline's settings a request, response or resource holds beside its definition."""


def load_definition_document(path: Path) -> tuple[Any, dict[str, Any]]:
    """``load_definition_file``'s definition, and the settings of what wrapped it.

    The settings are the ``WRAPPER_SETTINGS`` the CreatePipeline request, describe-pipeline
    response or CloudFormation properties hold (``{}`` for a plain definition): what a tool
    that reads only the definition leaves out, and should say so.

    Example::

        definition, settings = load_definition_document(Path("create-pipeline.json"))
        settings.get("ParallelismConfiguration")  # {"MaxParallelExecutionSteps": 5}
    """
    # utf-8-sig: a byte order mark, as some Windows editors write, is not an error.
    with path.open(encoding="utf-8-sig") as handle:
        text = handle.read()
    try:
        definition = _parse_json(text)
    except ValueError:
        problem = python_source_problem(path) or leading_text_problem(text, path.name)
        if problem is None:
            raise
        raise UnreadableDefinitionError(problem) from None
    wrapper = _wrapper_member(definition)
    settings = (
        {key: definition[key] for key in WRAPPER_SETTINGS if key in definition}
        if wrapper is not None
        else {}
    )
    if wrapper == "PipelineDefinition" and isinstance(definition[wrapper], dict):
        # The CloudFormation resource's properties: {"PipelineDefinitionBody": "…"} inside.
        definition = definition[wrapper]
        wrapper = _wrapper_member(definition)
    # The definition in S3 (CloudFormation's PipelineDefinitionS3Location, or
    # CreatePipeline's): no definition here to read, and its members aren't one either.
    if _wrapper_member(definition) is None and isinstance(definition, dict):
        location = definition.get(S3_LOCATION)
        if isinstance(location, dict) and "Steps" not in definition:
            raise UnreadableDefinitionError(_in_s3(location))
    if wrapper is not None:
        # A CreatePipeline request or describe-pipeline's response (PipelineDefinition), or
        # the CloudFormation property (PipelineDefinitionBody): the body is JSON text.
        body = definition[wrapper]
        if not isinstance(body, str):
            raise UnreadableDefinitionError(
                f"{wrapper} must be the definition as JSON text, got {type(body).__name__}"
            )
        try:
            definition = _parse_json(body)
        except ValueError as error:
            raise UnreadableDefinitionError(f"{wrapper} is not valid JSON: {error}") from None
    return definition, settings


S3_LOCATION = "PipelineDefinitionS3Location"


def _in_s3(location: dict[str, Any]) -> str:
    """Where a ``PipelineDefinitionS3Location`` puts the definition, and what to do."""
    # CloudFormation spells its members Bucket, Key, Version; CreatePipeline Bucket,
    # ObjectKey, VersionId.
    bucket = location.get("Bucket")
    key = location.get("Key", location.get("ObjectKey"))
    version = location.get("Version", location.get("VersionId"))
    if not isinstance(bucket, str) or not isinstance(key, str):
        where = f"in S3 ({S3_LOCATION} {json.dumps(location, sort_keys=True)})"
        fetch = "download it"
    elif isinstance(version, str):
        where = f"in S3 at s3://{bucket}/{key} (version {version})"
        fetch = (
            f"download it (aws s3api get-object --bucket {bucket} --key {key} "
            f"--version-id {version} definition.json)"
        )
    else:
        where = f"in S3 at s3://{bucket}/{key}"
        fetch = f"download it (aws s3 cp s3://{bucket}/{key} definition.json)"
    return f"the definition is {where}, not in this file: {fetch} and pass that file"


def _wrapper_member(document: Any) -> str | None:
    """The member of ``document`` that holds a definition as JSON text, if it wraps one."""
    if not isinstance(document, dict) or "Steps" in document:
        return None
    for member in ("PipelineDefinitionBody", "PipelineDefinition"):
        if member in document:
            return member
    return None
