"""The exception tree and the problem records validation produces."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a pipeline definition.

    ``step`` is the step's name (``None`` for pipeline-level problems) and ``field``
    the path inside the step entry or the definition, in API spelling
    (``Arguments.ResourceConfig.InstanceType``). ``argument`` is the keyword argument of
    the Python step object that produced the field (``instance_type``), when the pipeline
    was built in Python; validating definition JSON leaves it ``None``.

    Example::

        Problem(step="Train", field="Arguments.ResourceConfig.InstanceType",
                message="expected one of the instance types, got 'm5.large'",
                hint="did you mean 'ml.m5.large'?", argument="instance_type")
        # step 'Train' field 'Arguments.ResourceConfig.InstanceType' (instance_type=): …
    """

    step: str | None
    field: str | None
    message: str
    hint: str | None = None
    argument: str | None = None

    def __str__(self) -> str:
        where = f"step '{self.step}'" if self.step is not None else "pipeline"
        if self.field:
            where += f" field '{self.field}'"
        if self.argument:
            where += f" ({self.argument}=)"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class PipelineDefinitionError(ValueError):
    """Base class of every error the definition language raises.

    Example::

        try:
            pipeline.to_definition()
        except PipelineDefinitionError as error:
            print(error)
    """


class PipelineValidationError(PipelineDefinitionError):
    """A definition has one or more problems; the message lists all of them.

    ``problems`` keeps the records, each with ``.step`` and ``.field``.

    Example::

        try:
            pipeline.to_definition()
        except PipelineValidationError as error:
            assert error.problems[0].step == "Train"
    """

    def __init__(self, problems: Iterable[Problem], subject: str = "pipeline definition") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{subject} has {count} {noun}:"]
        lines += [f"- {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[PipelineValidationError], tuple[Any, ...]]:
        # Pickle (a process pool, pytest-xdist) would call __init__ with the message as
        # ``problems``: a problem per character of it.
        return type(self), (self.problems, self.subject)


class UnrenderableValueError(PipelineDefinitionError, TypeError):
    """A value with no place in a definition (a step, a set, …) was rendered outside a step.

    Inside a step being compiled the same mistake becomes a ``Problem`` of that step and
    field instead. It is also a ``TypeError``: the value has the wrong type.

    Example::

        render({1, 2})  # UnrenderableValueError: cannot render a set into a pipeline …
    """


class UnknownArgumentError(PipelineDefinitionError, TypeError):
    """A class of the language, or a construct, was given an argument it does not take.

    A keyword it doesn't know, or more positional arguments than it takes (its others are
    keywords). It is also a ``TypeError``, as Python's own error for either is.

    Example::

        ModelStep(name="M", image=image, cache_config=CacheConfig(expire_after="P1D"))
        # UnknownArgumentError: ModelStep 'M' takes no argument 'cache_config' (…)
        Pipeline(stack, "Training", definition)
        # UnknownArgumentError: Pipeline 'Training' takes 2 positional arguments (scope,
        # construct_id), got 3 (PipelineDefinition after them): name the others, as in
        # Pipeline(scope, construct_id, definition=…)
    """


class MissingArgumentError(PipelineDefinitionError, TypeError):
    """A class of the language, or a construct, was not given an argument it requires.

    It is also a ``TypeError``, as Python's own error for a missing argument is, whose
    message names neither the step (or construct) nor what the argument takes.

    Example::

        TrainingStep(name="Train", instance_type="ml.m5.xlarge")
        # MissingArgumentError: TrainingStep 'Train' needs argument 'image' (Image | str)
    """


def missing_arguments(error: TypeError) -> list[str] | None:
    """The arguments Python's ``error`` says a call lacked; ``None`` for any other error.

    Only an error raised by the call itself counts (its traceback ends in the frame that
    made the call): the same words from deeper down are another function's.
    """
    trace = error.__traceback__
    if trace is None or trace.tb_next is not None:
        return None
    match = _MISSING.match(str(error))
    return re.findall(r"'([^']+)'", match.group(1)) if match else None


def positional_overflow_message(
    owner: str, called: str, parameters: Iterable[inspect.Parameter], given: Sequence[Any]
) -> str | None:
    """Why ``given`` are more positional arguments than ``parameters`` take, else ``None``.

    Python's words ("takes 3 positional arguments but 4 were given") count ``self`` and
    name neither the construct nor what to write: the arguments after the positional
    ones are keywords, as in ``called(scope, construct_id, definition=…)``. ``owner``
    names the object (``Pipeline 'Training'``), ``called`` the callable (``Pipeline``).

    Example::

        positional_overflow_message("Pipeline 'Training'", "Pipeline",
                                    signature(Pipeline.__init__).parameters.values(),
                                    [stack, "Training", definition])
        # "Pipeline 'Training' takes 2 positional arguments (scope, construct_id), got 3
        #  (PipelineDefinition after them): name the others, as in Pipeline(scope, …)"
    """
    listed = [p for p in parameters if p.name not in ("self", "cls")]
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positional = [p.name for p in listed if p.kind in kinds]
    if len(given) <= len(positional) or any(
        p.kind is inspect.Parameter.VAR_POSITIONAL for p in listed
    ):
        return None
    keywords = [p for p in listed if p.kind is inspect.Parameter.KEYWORD_ONLY]
    required = [p.name for p in keywords if p.default is inspect.Parameter.empty]
    takes = (
        f"{len(positional)} positional argument{'s' if len(positional) > 1 else ''} "
        f"({', '.join(positional)})"
        if positional
        else "no positional argument"
    )
    extras = ", ".join(dict.fromkeys(type(value).__name__ for value in given[len(positional) :]))
    them = "the others" if positional else "them"
    if required:
        example = ", ".join([*positional, *(f"{name}=…" for name in required)])
        advice = f"name {them}, as in {called}({example})"
    else:
        advice = f"give {them} by name: {', '.join(f'{p.name}=' for p in keywords)}"
    after = " after them" if positional else ""
    return f"{owner} takes {takes}, got {len(given)} ({extras}{after}): {advice}"


def missing_argument_message(owner: str, names: list[str], types: dict[str, str]) -> str:
    """``TrainingStep 'Train' needs argument 'image' (Image | str)``."""
    described = [f"'{name}'" + (f" ({types[name]})" if types.get(name) else "") for name in names]
    plural = "s" if len(names) > 1 else ""
    return f"{owner} needs argument{plural} {', '.join(described)}"


# Python's words: "f() missing 2 required keyword-only arguments: 'a' and 'b'".
_MISSING = re.compile(
    r"^\S+\(\) missing \d+ required (?:keyword-only |positional )?arguments?: (.+)$"
)


class ExpressionTextError(PipelineDefinitionError, TypeError):
    """A run-time value (parameter, property, execution variable, …) was turned into text.

    ``str()``, f-strings and ``%`` formatting would bake the object's Python repr into the
    definition, which the service would then use as a literal. It is also a ``TypeError``,
    as the SageMaker SDK's error for the same mistake is.

    Example::

        f"s3://{bucket}/data"
        # ExpressionTextError: ParameterString(name='Bucket', …) has no text until the
        # pipeline runs, … (build the string at run time instead: Join(on="", values=[…]), …)
    """


class ExpressionOperatorError(PipelineDefinitionError, TypeError):
    """A Python operator (``+``, ``<``, …), ``len()`` or truth test used on a run-time value.

    The value exists only while the pipeline runs, so the service has to do the work: the
    message says what does it then (``Join``, ``ConditionLessThan``, a ``ConditionStep``
    for ``if value:``, ``or``, ``not``). It is also a ``TypeError``, as Python's own error
    for an unsupported operand is.

    Example::

        threshold < 0.9  # ExpressionOperatorError: … ConditionLessThan(left=value, right=0.9)
        if use_gpu: ...  # ExpressionOperatorError: … has no truth value until the pipeline runs …
    """


class HintedAttributeError(AttributeError):
    """An ``AttributeError`` whose message already says what to use instead.

    Python 3.12 and later append their own guess (``Did you mean: 'x'?``) to an
    ``AttributeError`` that has a ``name``, and fill in the name of one raised by
    ``__getattr__``; a message that names the fix itself would read it twice, or read a
    guess that contradicts it. Its ``name`` is None, which no Python version guesses from.

    Example::

        raise HintedAttributeError("TrainingStep 'Train' has no add_depends_on() (…)")
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.name = None


class PropertyPathError(HintedAttributeError, PipelineDefinitionError):
    """A step property path does not exist in the step's Describe* response shape.

    Also raised for a key the step does not declare (an output or metric name, a Lambda
    or Callback output parameter), for an execution variable ``ExecutionVariables``
    doesn't have, and for an ``OutputType`` member it doesn't have (``OutputType.String``).
    It is also an ``AttributeError``, so ``hasattr(step.properties, "X")`` works.

    Example::

        train.properties.ModelArtifacts.S3ModelArtifact
        # PropertyPathError: step 'Train': ModelArtifacts has no property 'S3ModelArtifact'
        # (did you mean 'S3ModelArtifacts'?)
        prep.output("tran")
        # PropertyPathError: step 'Prep': ProcessingOutputConfig.Outputs has no entry 'tran'
        # (did you mean 'train'?)
        ExecutionVariables.PipelineExecutionId
        # PropertyPathError: ExecutionVariables has no variable 'PipelineExecutionId' (the
        # constants are upper case, … did you mean ExecutionVariables.PIPELINE_EXECUTION_ID?)
    """
