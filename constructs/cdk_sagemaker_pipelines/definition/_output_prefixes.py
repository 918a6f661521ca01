"""Outputs whose locations are text prefixes of each other, in one step or across steps.

SageMaker reads an ``S3Prefix`` input (a Processing input, a Training or Tuning channel,
a Transform input) as every object whose key *starts with* the URI, not only those under
``<uri>/``. Default output locations end in the output's name
(``…/<step>/<execution id>/<output>``), so a step with outputs ``evaluation`` and
``evaluation_report`` hands a reader of ``evaluation`` the report's objects too (as
``evaluation_report/…`` in its input directory: SageMaker names a partial match by its
full name). Outputs of different steps given literal destinations (``s3://b/eval`` and
``s3://b/eval_report``) overlap the same way; default ones can't, as the step's name is a
folder of their location. Legal, and SDK definitions share the layout: the CDK
``Pipeline`` warns of it, nothing rejects it.

Example::

    output_prefix_overlaps(definition)
    # [OutputPrefixOverlap(step='Evaluate', shorter='evaluation', longer='evaluation_report',
    #                      lands_as='evaluation_report', readers=('Register',),
    #                      longer_step='Evaluate')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .entries import walk_steps

# A run-time value inside a location's text: two locations compare equal there only if
# the same expression stands there in both (the same execution id, the same parameter).
_MARK = "\x00{}\x00"
_OUTPUT_REFERENCE = re.compile(
    r"Steps\.([A-Za-z0-9\-_]+)\.ProcessingOutputConfig\.Outputs"
    r"\[(?:'([^']+)'|(\d+))\]\.S3Output\.S3Uri"
)


@dataclass(frozen=True, slots=True)
class OutputPrefixOverlap:
    """Output ``shorter`` of ``step``'s location is a text prefix of ``longer``'s.

    ``longer`` is an output of ``longer_step``: ``step`` itself unless given (the
    overlap is then across steps, ``across_steps``). ``lands_as`` is where ``longer``'s
    objects land in a reader's input directory: its location past ``shorter``'s last
    folder (``evaluation_report``; a run-time piece as ``…``), as SageMaker names the
    objects a prefix matches partially. ``readers`` are the steps that read ``shorter``
    as a whole location (and so download ``longer``'s objects with it), in definition
    order.

    Example::

        OutputPrefixOverlap(
            "Evaluate", "evaluation", "evaluation_report", "evaluation_report", ("Register",)
        )
        OutputPrefixOverlap("Eval", "eval", "eval_report", "eval_report", (), "Report")
    """

    step: str
    shorter: str
    longer: str
    lands_as: str
    readers: tuple[str, ...] = ()
    longer_step: str = ""

    def __post_init__(self) -> None:
        if not self.longer_step:  # frozen: set the default the dataclass way
            object.__setattr__(self, "longer_step", self.step)

    @property
    def across_steps(self) -> bool:
        """Whether ``shorter`` and ``longer`` are outputs of different steps."""
        return self.longer_step != self.step


def location_text(value: Any) -> str | None:
    """A location as comparable text; None when its end is known only at run time.

    A literal URI is itself. A ``Std:Join`` ending in a literal (the default outputs'
    ``…/<execution id>/<output>``) is its pieces joined, each run-time piece as a mark of
    its expression. Anything else (a parameter, a step's property) could end anywhere.

    Example::

        execution_id = {"Get": "Execution.PipelineExecutionId"}
        location_text({"Std:Join": {"On": "/", "Values": ["s3://b", execution_id, "x"]}})
        # 's3://b/<mark of Execution.PipelineExecutionId>/x'
    """
    if isinstance(value, str):
        return value
    body = value.get("Std:Join") if isinstance(value, Mapping) and len(value) == 1 else None
    if not isinstance(body, Mapping):
        return None
    separator, values = body.get("On", ""), body.get("Values")
    if not isinstance(separator, str) or not isinstance(values, list) or not values:
        return None
    pieces = [_piece(item) for item in values]
    if pieces[-1].startswith("\x00"):
        return None
    return separator.join(pieces)


def _piece(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        return str(item)
    reference = item.get("Get") if isinstance(item, Mapping) and len(item) == 1 else None
    if isinstance(reference, str):  # most run-time pieces: dumped, they'd cost 30× more
        return _MARK.format(reference)
    return _MARK.format(json.dumps(item, sort_keys=True, default=str))


def takes_keys_of(shorter: str, longer: str) -> bool:
    """Whether an S3 prefix read of ``shorter`` also reads keys of ``longer``'s folder.

    ``longer`` must extend ``shorter`` past a folder boundary's middle: ``…/model`` and
    ``…/model_metrics`` do, ``…/model`` and ``…/model/metrics`` (a folder inside) and a
    bare bucket (S3 keys start after it) don't.

    Example::

        takes_keys_of("s3://b/p/train", "s3://b/p/training")  # True
    """
    return (
        len(longer) > len(shorter)
        and longer.startswith(shorter)
        and not shorter.endswith("/")
        and longer[len(shorter)] != "/"
        and "/" in shorter.removeprefix("s3://")
    )


def _named_outputs(entry: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(output name, location text) of a step's processing job outputs."""
    arguments = entry.get("Arguments")
    config = arguments.get("ProcessingOutputConfig") if isinstance(arguments, Mapping) else None
    outputs = config.get("Outputs") if isinstance(config, Mapping) else None
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, Mapping) or not isinstance(output.get("OutputName"), str):
            continue
        s3_output = output.get("S3Output")
        text = location_text(s3_output.get("S3Uri") if isinstance(s3_output, Mapping) else None)
        if text is not None:
            yield output["OutputName"], text


def output_prefix_overlaps(definition: Mapping[str, Any]) -> list[OutputPrefixOverlap]:
    """Every pair of the definition's outputs whose locations ``takes_keys_of`` each other.

    All outputs of all steps are sorted by location once: a location's extensions sort
    right after it, so each is compared only with the run of locations that start with
    it (n log n in the outputs when none overlap). Equal locations (two steps writing
    one place) are no prefix of each other. Pairs by the shorter's step in definition
    order, then by location.

    Example::

        [(o.step, o.shorter, o.longer_step, o.longer) for o in output_prefix_overlaps(d)]
        # [('Evaluate', 'evaluation', 'Evaluate', 'evaluation_report')]
    """
    specs = list(walk_steps(definition.get("Steps")))
    # (location, step's position, step, output): the position keeps equal locations in
    # definition order, so results don't depend on the steps' names.
    outputs = sorted(
        (text, position, spec.name, name)
        for position, spec in enumerate(specs)
        for name, text in _named_outputs(spec.entry)
    )
    found: list[tuple[int, OutputPrefixOverlap]] = []
    wanted: dict[tuple[str, str], str] = {}
    for index, (text, position, step, name) in enumerate(outputs):
        for other_text, _, other_step, other in outputs[index + 1 :]:
            if not other_text.startswith(text):
                break
            if takes_keys_of(text, other_text):
                # Shown to users: a run-time piece inside it as "…", not its mark;
                # a location ending in "/" is the folder its objects land in.
                lands = other_text[text.rfind("/") + 1 :].rstrip("/")
                lands_as = re.sub("\x00[^\x00]*(\x00|$)", "…", lands)
                overlap = OutputPrefixOverlap(step, name, other, lands_as, (), other_step)
                found.append((position, overlap))
                wanted[(step, name)] = text
    if not found:
        return []
    found.sort(key=lambda item: item[0])  # stable: by location within a step
    readers = _readers(specs, wanted)
    return [
        replace(item, readers=tuple(readers.get((item.step, item.shorter), ())))
        for _, item in found
    ]


# Where jobs read S3Prefix inputs (CreateProcessingJob, CreateTrainingJob,
# CreateHyperParameterTuningJob, CreateTransformJob, CreateAutoMLJobV2 requests).
_INPUT_PATHS = (
    ("ProcessingInputs", "*", "S3Input"),
    ("InputDataConfig", "*", "DataSource", "S3DataSource"),
    ("TrainingJobDefinition", "InputDataConfig", "*", "DataSource", "S3DataSource"),
    ("TrainingJobDefinitions", "*", "InputDataConfig", "*", "DataSource", "S3DataSource"),
    ("TransformInput", "DataSource", "S3DataSource"),
)


def _prefix_inputs(arguments: Any) -> Iterator[Any]:
    """The ``S3Uri`` of each S3Prefix input of a job (a manifest names its objects)."""
    for path in _INPUT_PATHS:
        for source in _select(arguments, path):
            if isinstance(source, Mapping) and source.get("S3DataType", "S3Prefix") == "S3Prefix":
                yield source.get("S3Uri")


def _select(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield value
    elif path[0] == "*":
        for item in value if isinstance(value, list) else []:
            yield from _select(item, path[1:])
    elif isinstance(value, Mapping) and path[0] in value:
        yield from _select(value[path[0]], path[1:])


def _readers(
    specs: list[Any], wanted: Mapping[tuple[str, str], str]
) -> dict[tuple[str, str], list[str]]:
    """The steps whose S3Prefix inputs read each wanted (step, output).

    By reference, or at its literal location. Inside a ``Std:Join``
    (``<output>/report.json``) an output names one object, not the prefix: no reader.
    """
    names = {spec.name: [name for name, _ in _all_output_names(spec.entry)] for spec in specs}
    # Two steps may write one literal location: a reader of it reads both.
    by_location: dict[str, list[tuple[str, str]]] = {}
    for wanted_key, text in wanted.items():
        if text.startswith("s3://"):
            by_location.setdefault(text, []).append(wanted_key)
    readers: dict[tuple[str, str], list[str]] = {}
    for spec in specs:
        for uri in _prefix_inputs(spec.entry.get("Arguments")):
            keys: list[tuple[str, str]] = []
            if isinstance(uri, str):
                keys = by_location.get(uri, [])
            elif isinstance(uri, Mapping) and isinstance(uri.get("Get"), str):
                match = _OUTPUT_REFERENCE.fullmatch(uri["Get"])
                if match is not None:
                    producer, name, position = match.groups()
                    if name is None:
                        listed = names.get(producer) or []
                        name = listed[int(position)] if int(position) < len(listed) else ""
                    keys = [(producer, name)]
            for key in keys:
                if key in wanted and spec.name not in readers.setdefault(key, []):
                    readers[key].append(spec.name)
    return readers


def _all_output_names(entry: Mapping[str, Any]) -> Iterator[tuple[str, None]]:
    arguments = entry.get("Arguments")
    config = arguments.get("ProcessingOutputConfig") if isinstance(arguments, Mapping) else None
    outputs = config.get("Outputs") if isinstance(config, Mapping) else None
    for output in outputs if isinstance(outputs, list) else []:
        name = output.get("OutputName") if isinstance(output, Mapping) else None
        yield (name if isinstance(name, str) else ""), None
