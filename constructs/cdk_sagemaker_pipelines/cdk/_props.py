"""Checks of construct props, so a wrong value fails in Python naming the construct and prop.

Without them a wrong type surfaces as a jsii deserialization error from deep inside
aws-cdk-lib (or, worse, a string iterated as a list of one-character values).
jsii interfaces (``iam.IRole``, ``s3.IBucket``) can't be used with ``isinstance``, so
a value "is" one when it has the interface's identifying attributes.

Example::

    problems = [problem for problem in (
        expect_interface("bucket", bucket, "an s3.IBucket", ("bucket_name", "bucket_arn")),
        expect_names("statuses", statuses, PIPELINE_EXECUTION_STATUSES),
    ) if problem]
    raise_for(problems, lambda: f"NewDataTrigger {self.node.path}")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Token

from constructs import Construct

from ..definition import PipelineDefinitionError, Problem
from ..definition._service_model import shape
from ..definition._suggest import did_you_mean
from ..definition._tokens import is_token

PIPELINE_EXECUTION_STATUSES: tuple[str, ...] = tuple(shape("PipelineExecutionStatus")["enum"])
STEP_STATUSES: tuple[str, ...] = tuple(shape("StepStatus")["enum"])
MODEL_APPROVAL_STATUSES: tuple[str, ...] = tuple(shape("ModelApprovalStatus")["enum"])
ACCOUNT_ID = re.compile(r"\d{12}")
PIPELINE_INTERFACE = ("pipeline_name", "pipeline_arn")

Subject = str | Callable[[], str]
"""What a construct's problems are reported against: text, or a function returning it.

A function is only called when there are problems: a construct's path
(``self.node.path``) takes two jsii round trips to read, for an error that is rare.
"""


def subject_text(subject: Subject) -> str:
    """The text of ``subject``."""
    return subject if isinstance(subject, str) else subject()


@dataclass(frozen=True, slots=True)
class PropProblem(Problem):
    """A problem with a construct's prop rather than a step field: ``prop 'bucket': …``.

    ``field`` holds the prop's Python name; ``step`` is ``None``.

    Example::

        PropProblem(None, "retention_days", "expected an int, got str '30'")
        # prop 'retention_days': expected an int, got str '30'
    """

    def __str__(self) -> str:
        text = f"prop '{self.field}': {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")


def as_prop(problem: Problem, prop: str) -> PropProblem:
    """The same problem, reported against the construct prop ``prop``."""
    return PropProblem(None, prop, problem.message, problem.hint)


def describe(value: object) -> str:
    """A short description of a value for an error message: its type and what it is."""
    if isinstance(value, Construct):
        return f"{type(value).__name__} {value.node.path}"
    if isinstance(value, type):
        return f"the class {value.__name__} itself, not an instance of it"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}" if value is not None else "None"


def is_unresolved(value: object) -> bool:
    """Whether ``value`` is a CDK token: a string, number or object only known at deploy time.

    Strings and numbers are recognised in Python (their encodings), without a round trip
    to the jsii process per value; other objects ask aws-cdk-lib.
    """
    if isinstance(value, (str, int, float)):
        return is_token(value)
    return value is not None and bool(Token.is_unresolved(value))


def expect_interface(
    prop: str,
    value: object,
    expected: str,
    attributes: Sequence[str],
    hint: str | None = None,
) -> Problem | None:
    """A problem unless ``value`` has the ``attributes`` that identify the interface."""
    # A class has its instances' properties too: it is refused here, not by jsii or Python
    # later with a traceback.
    if (
        value is not None
        and not isinstance(value, type)
        and all(_has_attribute(value, name) for name in attributes)
    ):
        return None
    return PropProblem(None, prop, f"expected {expected}, got {describe(value)}", hint)


def _has_attribute(value: object, name: str) -> bool:
    # A property of the class (as jsii classes and interface proxies define them) is not
    # read: reading it takes a jsii round trip. Other objects may set it on the instance.
    return hasattr(type(value), name) or hasattr(value, name)


def expect_removal_policy(prop: str, value: object) -> Problem | None:
    """A problem unless ``value`` is a ``RemovalPolicy`` (a string such as ``"retain"`` isn't).

    Not ``SNAPSHOT``: the constructs' resources (KMS keys, S3 buckets, model package
    groups) have no snapshots, and CloudFormation rejects the template at deploy time.
    """
    hint = (
        "RemovalPolicy.RETAIN (the default), RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE or "
        "RemovalPolicy.DESTROY"
    )
    if value == RemovalPolicy.SNAPSHOT:
        return PropProblem(
            None,
            prop,
            "RemovalPolicy.SNAPSHOT applies to resources with snapshots (databases, volumes); "
            "KMS keys, S3 buckets and model package groups have none, and CloudFormation "
            "would reject the template at deploy time",
            hint,
        )
    if isinstance(value, RemovalPolicy):
        return None
    return PropProblem(None, prop, f"expected a RemovalPolicy, got {describe(value)}", hint)


def expect_str(prop: str, value: object, *, optional: bool = True) -> Problem | None:
    """A problem unless ``value`` is a string (or None when ``optional``)."""
    if isinstance(value, str) or (optional and value is None):
        return None
    return PropProblem(None, prop, f"expected a string, got {describe(value)}")


def expect_bool(prop: str, value: object) -> Problem | None:
    """A problem unless ``value`` is ``True`` or ``False``.

    Python would take any value as a flag ("yes", "false", 0), silently switching on
    (or off) what the prop controls.
    """
    if isinstance(value, bool):
        return None
    spelled = str(value).strip().lower() if isinstance(value, (str, int)) else None
    hint = None
    if spelled in ("true", "yes", "on", "1"):
        hint = "write True"
    elif spelled in ("false", "no", "off", "0", ""):
        hint = "write False"
    return PropProblem(None, prop, f"expected True or False, got {describe(value)}", hint)


def expect_strings(prop: str, values: object) -> Problem | None:
    """A problem unless ``values`` is a list (or tuple) of strings; a lone string is wrong."""
    if isinstance(values, (list, tuple)) and all(isinstance(value, str) for value in values):
        return None
    hint = f"write [{values!r}]" if isinstance(values, str) else None
    return PropProblem(None, prop, f"expected a list of strings, got {describe(values)}", hint)


def expect_names(prop: str, values: object, valid: Sequence[str]) -> Problem | None:
    """A problem unless ``values`` is a list of names from ``valid`` (tokens pass)."""
    problem = expect_strings(prop, values)
    if problem is not None or not isinstance(values, (list, tuple)):
        return problem
    if not values:
        # An event pattern can't match an empty list (PutRule rejects it), and leaving the
        # filter out instead would match every event: neither is what an empty list asks.
        return PropProblem(
            None, prop, f"expected at least one of {', '.join(valid)}, got an empty list"
        )
    unknown = [value for value in values if value not in valid and not is_unresolved(value)]
    if not unknown:
        return None
    hint = did_you_mean(unknown[0], valid)
    return PropProblem(
        None,
        prop,
        f"{', '.join(repr(value) for value in unknown)} "
        f"{'is not one' if len(unknown) == 1 else 'are not'} of {', '.join(valid)}",
        hint,
    )


def expect_account_ids(prop: str, values: object) -> Problem | None:
    """A problem unless ``values`` is a list of 12-digit account ids (tokens pass)."""
    problem = expect_strings(prop, values)
    if problem is not None or not isinstance(values, (list, tuple)):
        return problem
    wrong = [v for v in values if not is_unresolved(v) and not ACCOUNT_ID.fullmatch(v)]
    if not wrong:
        return None
    return PropProblem(
        None,
        prop,
        f"expected 12-digit account ids, got {', '.join(repr(value) for value in wrong)}",
    )


def check_grantee(grantee: object, subject: Subject) -> None:
    """Raise unless ``grantee`` is an ``iam.IGrantable`` (jsii would fail to deserialize it)."""
    raise_for(
        [
            expect_interface(
                "grantee",
                grantee,
                "an iam.IGrantable",
                ("grant_principal",),
                "a role or user; for an existing role, iam.Role.from_role_arn(self, 'Role', arn)",
            )
        ],
        subject,
    )


def format_problem(problem: Problem) -> str:
    """``prop 'bucket': expected …`` — a construct prop's problem, not a step field's."""
    return str(
        problem if isinstance(problem, PropProblem) else as_prop(problem, problem.field or "")
    )


def raise_for(problems: Iterable[Problem | None], subject: Subject) -> None:
    """Raise ``PipelineDefinitionError`` listing every problem of a construct's props."""
    found = [problem for problem in problems if problem is not None]
    if not found:
        return
    noun = "problem" if len(found) == 1 else "problems"
    lines = [f"{subject_text(subject)} has {len(found)} {noun}:"]
    lines += [f"- {format_problem(problem)}" for problem in found]
    raise PipelineDefinitionError("\n".join(lines))
