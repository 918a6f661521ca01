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

import functools
import inspect
import re
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_cdk import Annotations, Aws, RemovalPolicy, Stack, Stage, Token

from constructs import Construct

from ..definition import PipelineDefinitionError, Problem
from ..definition._errors import (
    MissingArgumentError,
    UnknownArgumentError,
    missing_argument_message,
    missing_arguments,
    positional_overflow_message,
)
from ..definition._service_model import shape
from ..definition._suggest import did_you_mean, one_of
from ..definition._tokens import is_token
from ._tree import account_region, node_of, path_of, resource_account_region, root_of, stage_of

PIPELINE_EXECUTION_STATUSES: tuple[str, ...] = tuple(shape("PipelineExecutionStatus")["enum"])
STEP_STATUSES: tuple[str, ...] = tuple(shape("StepStatus")["enum"])
MODEL_APPROVAL_STATUSES: tuple[str, ...] = tuple(shape("ModelApprovalStatus")["enum"])
ACCOUNT_ID = re.compile(r"\d{12}")
# PutRule's Name and Description.
RULE_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,64}")
MAX_RULE_DESCRIPTION = 512
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


@dataclass(frozen=True, slots=True)
class ArgumentProblem(PropProblem):
    """A problem with a method's argument: ``argument 'max_capacity': …``.

    Raised with the method as subject (``ModelEndpoint Stack/Endpoint.add_auto_scaling``).

    Example::

        ArgumentProblem(None, "max_capacity", "expected at least min_capacity (2), got 1")
        # argument 'max_capacity': expected at least min_capacity (2), got 1
    """

    def __str__(self) -> str:
        text = f"argument '{self.field}': {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")


def as_prop(problem: Problem, prop: str) -> PropProblem:
    """The same problem, reported against the construct prop ``prop``."""
    return PropProblem(None, prop, problem.message, problem.hint)


_Init = TypeVar("_Init", bound=Callable[..., Any])


def check_keywords(init: _Init) -> _Init:
    """Decorate a construct's ``__init__`` or factory: an unknown keyword gets a "did you mean".

    Python's own error ("got an unexpected keyword argument 'artifact_stor'") comes through
    jsii's frames and names no alternative. ``UnknownArgumentError`` is a ``TypeError`` too,
    as Python's is, and ``synth_app`` ends it in one line.

    Example::

        class ArtifactStore(Construct):
            @check_keywords
            def __init__(self, scope: Construct, construct_id: str, *, removal_policy=…): …
    """
    parameters = tuple(inspect.signature(init).parameters.values())
    keywords = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    accepted = tuple(
        p.name for p in parameters if p.name not in ("self", "cls") and p.kind in keywords
    )

    annotations = {
        p.name: str(p.annotation) for p in parameters if p.annotation is not inspect.Parameter.empty
    }
    # Beyond these, Python's error counts self and names no prop: ours says what to write.
    positional = sum(
        p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for p in parameters
        if p.name not in ("self", "cls")
    )

    @functools.wraps(init)
    def checked_init(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > positional:
            overflow = positional_overflow_message(
                _called(self, init, args), _callable_name(self, init), parameters, args
            )
            if overflow is not None:
                raise UnknownArgumentError(overflow)
        unknown = [name for name in kwargs if name not in accepted]
        if unknown:
            name = unknown[0]
            hint = did_you_mean(name, accepted) or f"it takes {one_of(sorted(accepted), 20)}"
            raise UnknownArgumentError(
                f"{_called(self, init, ())} takes no argument {name!r} ({hint})"
            )
        try:
            if init.__name__ != "__init__":
                # A method (or factory) that raises leaves its construct as it was: only a
                # constructor's half-built construct is taken out of the tree again.
                return init(self, *args, **kwargs)
            try:
                return init(self, *args, **kwargs)
            except Exception:
                _detach_failed(self)
                raise
        except TypeError as error:
            missing = missing_arguments(error) if error.__traceback__ else None
            if missing is None:
                raise
            raise MissingArgumentError(
                missing_argument_message(_called(self, init, args), missing, annotations)
            ) from None

    return checked_init  # type: ignore[return-value]


def _callable_name(self: Any, init: Callable[..., Any]) -> str:
    """``Pipeline``, or ``Deployment.canary`` for a factory: what a call example writes."""
    owner = self if isinstance(self, type) else type(self)
    return owner.__name__ if init.__name__ == "__init__" else f"{owner.__name__}.{init.__name__}"


def _called(self: Any, init: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """``NewDataTrigger 'Trigger'``: the construct (or ``Class.factory``) a call was made to.

    The construct's id is named when it was given (the second positional argument).
    """
    # A factory (a classmethod under @classmethod) is named with its class.
    owner = self if isinstance(self, type) else type(self)
    called = owner.__name__
    if init.__name__ != "__init__":
        return f"{called}.{init.__name__}"
    if len(args) >= 2 and isinstance(args[1], str):
        called += f" {args[1]!r}"
    return called


def _detach_failed(construct: object) -> None:
    """Take a construct whose constructor raised out of the tree, freeing its id.

    Constructs join their scope (``super().__init__``) before they check their props. Left
    there, the half-built construct would keep its id, so the corrected call (in a notebook,
    or a test) would fail with "already taken" instead of building, and synth would visit
    it. One whose constructor raised before joining (no jsii reference yet) is in no tree.
    """
    if not isinstance(construct, Construct) or "__jsii_ref__" not in vars(construct):
        return
    _DETACHED.add(construct)
    node = node_of(construct)
    scope = node.scope
    if scope is None:
        return
    # Each read below is a jsii round trip: the id is read once, the scope's node kept.
    scope_node = node_of(scope)
    construct_id = node.id
    if scope_node.try_find_child(construct_id) is construct:
        scope_node.try_remove_child(construct_id)


# The constructs of this library whose constructor raised, taken out of the tree again.
_DETACHED: weakref.WeakSet[Construct] = weakref.WeakSet()


def was_detached(construct: Construct) -> bool:
    """Whether ``construct``'s constructor raised, so that it is in no tree (``checked_init``)."""
    return construct in _DETACHED


def describe(value: object) -> str:
    """A short description of a value for an error message: its type and what it is."""
    if isinstance(value, Construct):
        return f"{_construct_kind(value)} {value.node.path}"
    imported = _imported_resource(value)
    if imported is not None:
        kind, construct = imported
        return f"imported {kind} {construct.node.path}"
    if isinstance(value, type):
        return f"the class {value.__name__} itself, not an instance of it"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}" if value is not None else "None"


def _construct_kind(value: Construct) -> str:
    """The construct's class as a user knows it, for messages.

    ``_BucketBaseProxy`` (what jsii gives a bucket imported with ``Bucket.from_…``) is an
    imported ``Bucket``, as ``_ImportedPipeline`` is an imported ``Pipeline``; other proxies
    are named by their class (``_RoleProxy``: ``Role``).
    """
    name = type(value).__name__
    if name == "_ImportedPipeline":
        return "imported Pipeline"
    if name.startswith("_") and name.endswith("BaseProxy"):
        return f"imported {name[1 : -len('BaseProxy')]}"
    if name.startswith("_") and name.endswith("Proxy"):
        return name[1 : -len("Proxy")]
    if name.startswith("_"):
        # A private subclass (an adopted ArtifactStore) is its public class to the user.
        return next((c.__name__ for c in type(value).__mro__ if c.__name__[0] != "_"), name)
    return name


def _imported_resource(value: object) -> tuple[str, Construct] | None:
    """(``Key``, the construct) for what jsii gives ``kms.Key.from_key_arn`` and the like.

    jsii returns an object implementing several interfaces (``Resource`` and ``IKey``) as a
    dynamic proxy that is no ``Construct`` itself, but delegates to one.
    """
    delegates = (
        getattr(value, "_delegates", None)
        if type(value).__name__ == ("InterfaceDynamicProxy")
        else None
    )
    if not isinstance(delegates, list):
        return None
    construct = next((d for d in delegates if isinstance(d, Construct)), None)
    names = [type(d).__name__ for d in delegates if not isinstance(d, Construct)]
    interface = next((n for n in names if n.startswith("_I") and n.endswith("Proxy")), None)
    if construct is None or interface is None:
        return None
    return interface[len("_I") : -len("Proxy")], construct


def other_stage_problem(
    prop: str, value: object, scope: Construct, subject: str, create_there: str, how: str
) -> Problem | None:
    """A resource created in another stage of the app than ``scope`` (``subject``).

    Each stage is a cloud assembly of its own: CDK refers across stacks of one stage only,
    and fails the synth ("dependency cannot cross stage boundaries") naming neither the
    construct nor the prop. A resource imported by name or ARN refers to nothing and may
    be anywhere: only constructs that create a CloudFormation resource (a default child),
    in the same account and region, are judged. The hint: ``create_there`` (what to
    create in that stage instead), or import the resource ``how``.
    """
    if not isinstance(value, Construct):
        return None
    # The same stage first: two round trips to jsii, where the rest takes several (a stage
    # made in Python comes back as the same object).
    theirs, ours = stage_of(value), stage_of(scope)
    if theirs is None or ours is None or theirs is ours or path_of(theirs) == path_of(ours):
        return None
    if node_of(value).default_child is None:
        return None
    # Across environments CDK refers by physical name, without a dependency (a topic of the
    # tooling account's stage): other checks judge those.
    if account_region(value) != account_region(scope):
        return None
    return PropProblem(
        None,
        prop,
        f"{describe(value)} is in {_stage_name(theirs)}, {subject} in {_stage_name(ours)}: "
        "a stack can refer to resources of its own stage only (each stage is deployed as a "
        "cloud assembly of its own)",
        f"{create_there}, or import the resource in this one by its literal name or ARN ({how})",
    )


def environment_text(environment: tuple[str, str]) -> str:
    """``account 123456789012, region us-east-1``, or that a stack has neither fixed."""
    account, region = environment
    if is_unresolved(account) and is_unresolved(region):
        return "no fixed account or region (environment-agnostic)"
    shown = ["(environment-agnostic)" if is_unresolved(part) else part for part in environment]
    return f"account {shown[0]}, region {shown[1]}"


def refers_across_environments(stack: Stack, value: object) -> bool:
    """Whether CDK would refuse ``stack`` a reference to ``value`` (a bucket name, key ARN).

    CloudFormation refers to a resource of another account or region by its physical name
    only; CDK raises 'Cannot use resource … in a cross-environment fashion' (jsii's
    ``CannotUseCrossEnvironment``, naming no prop) for one created without an explicit
    name. This is CDK's own test, which also takes an environment-agnostic stack and one
    of a fixed environment for two environments: comparing accounts would miss that.
    """
    try:
        stack.resolve(value)
    except RuntimeError as error:
        if "CannotUseCrossEnvironment" not in str(error):
            raise
        return True
    return False


def _stage_name(stage: Stage) -> str:
    path = path_of(stage)
    return f"stage {path}" if path else "no stage (the app's own stacks)"


def is_unresolved(value: object) -> bool:
    """Whether ``value`` is a CDK token: a string, number or object only known at deploy time.

    Strings and numbers are recognised in Python (their encodings), without a round trip
    to the jsii process per value; other objects ask aws-cdk-lib. An object jsii can't
    pass to it (a plain Python object, given where a number or a construct belongs) is no
    token: the prop's own check then reports it, rather than jsii's "has no attribute
    '__jsii_type__'".
    """
    if isinstance(value, (str, int, float)):
        return is_token(value)
    return _passes_to_jsii(value) and value is not None and bool(Token.is_unresolved(value))


def _passes_to_jsii(value: object) -> bool:
    """Whether jsii can send ``value`` to aws-cdk-lib: JSON-like data or a jsii object."""
    if value is None or isinstance(value, (str, int, float)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_passes_to_jsii(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _passes_to_jsii(v) for k, v in value.items())
    # Constructs, structs and enum members of aws-cdk-lib, and interfaces implemented in
    # Python (@jsii.implements), whose classes jsii knows.
    return hasattr(value, "__jsii_ref__") or hasattr(type(value), "__jsii_type__")


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


def expect_removal_policy(
    prop: str,
    value: object,
    resources: str = "KMS keys, S3 buckets and model package groups have",
) -> Problem | None:
    """A problem unless ``value`` is a ``RemovalPolicy`` (a string such as ``"retain"`` isn't).

    Not ``SNAPSHOT``: the constructs' resources (KMS keys, S3 buckets, model package
    groups, pipelines) have no snapshots, and CloudFormation rejects the template at deploy
    time. ``resources`` names the construct's own, with its verb.
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
            f"{resources} none, and CloudFormation would reject the template at deploy time",
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


def _account_id_hint(account_id: object) -> str | None:
    """The string to write for an account id given as a number, with its leading zeros.

    As an int, ``012345678901`` has lost its zero (or is a YAML octal); the id is 12 digits.
    """
    if isinstance(account_id, bool) or not isinstance(account_id, int):
        return None
    if not 0 <= account_id < 10**12:
        return None
    return f"write '{account_id:012d}'"


def other_account_problem(
    account_id: object, scope: Construct, owns: str, hint: str
) -> Problem | None:
    """A problem unless ``account_id`` is a 12-digit id string of another account than ``scope``'s.

    ``owns`` names what ``scope``'s account owns ("the registry"); ``hint`` says what to do
    instead of naming that account. A token (a parameter's value) passes.
    """
    if not isinstance(account_id, str):
        return Problem(
            None,
            "account_id",
            f"expected a 12-digit account id string, got {describe(account_id)}",
            _account_id_hint(account_id),
        )
    problem = expect_account_ids("account_id", [account_id])
    if problem is not None:
        return problem
    own = account_region(scope)[0]
    # An environment-agnostic stack's .account is the AWS::AccountId token, which this
    # stack's template resolves to the account deploying it: its own, whatever its env.
    agnostic = account_id == Aws.ACCOUNT_ID
    if not agnostic and (account_id != own or is_unresolved(own)):
        return None
    return Problem(
        None,
        "account_id",
        f"the account of an environment-agnostic stack (AWS::AccountId) is the one deploying "
        f"this stack, which owns {owns}"
        if agnostic
        else f"{account_id} is this stack's own account, which owns {owns}",
        hint + ("; give the other stack an env" if agnostic else ""),
    )


def expect_same_app(
    prop: str, value: object, root: object, hint: str | None = None
) -> Problem | None:
    """A problem when ``value`` is a construct of another CDK app than the one ``root`` is of.

    A template can't refer to another app's resources: CDK fails at synth with
    "Cannot reference across apps", naming neither the construct nor the prop.
    Values that are no constructs (principals, interfaces implemented in Python) pass.
    """
    # _has_attribute: an imported key (a jsii dynamic proxy) has its node on the instance.
    if value is None or isinstance(value, type) or not _has_attribute(value, "node"):
        return None
    if root_of(value) is root:  # type: ignore[arg-type]
        return None
    return PropProblem(
        None,
        prop,
        f"{describe(value)} belongs to another CDK app: a template can only refer to the "
        "resources of its own app",
        hint or "create it in this app, or import it by name or ARN (X.from_…(self, id, …))",
    )


def may_share_environment(first: Construct, second: Construct) -> bool:
    """Whether two constructs' stacks may be in one account and region (unknown ones may)."""
    parts = (*account_region(first), *account_region(second))
    return any(is_unresolved(part) for part in parts) or parts[:2] == parts[2:]


def environment_problem(
    prop: str, value: object, scope: Construct, what: str, hint: str
) -> Problem | None:
    """A problem when ``value`` (a resource) is in another account or region than ``scope``.

    ``what`` says what can't cross ("EventBridge delivers …"). An environment known only
    at deploy time is not judged.
    """
    # A class (reported as the wrong type) has its instances' properties, not their values.
    environment = None if isinstance(value, type) else resource_account_region(value)
    if environment is None:
        return None
    their_account, their_region = environment
    account, region = account_region(scope)
    for part, theirs, ours in (
        ("account", their_account, account),
        ("region", their_region, region),
    ):
        if is_unresolved(theirs) or is_unresolved(ours) or theirs == ours:
            continue
        return PropProblem(
            None,
            prop,
            f"{describe(value)} is in {part} {theirs}, this stack in {ours}: {what}",
            hint,
        )
    return None


def warn_forwarded_events(scope: Construct, warning_id: str, problem: Problem | None) -> None:
    """Warn of a resource whose events reach this stack's rule only when forwarded.

    A service sends its events to EventBridge in the resource's own account and region. A
    rule here matches them when that bus forwards them to this one (a documented
    cross-account, cross-region pattern), so another environment is a warning, not an error.
    """
    if problem is None:
        return
    Annotations.of(scope).add_warning_v2(
        warning_id,
        f"prop '{problem.field}': {problem.message}: this stack's rule sees them only if they "
        f"are forwarded to this account and region's default event bus ({problem.hint}, or "
        "forward them, then acknowledge this warning)",
    )


def new_child_problems(scope: object, construct_id: object) -> list[Problem]:
    """Problems with the scope and id a construct is about to be created with.

    Without them, jsii reports a wrong type ("type of argument id must be str") or a taken
    id ("There is already a Construct with name …") naming neither the construct nor prop.
    """
    if isinstance(scope, type) or not hasattr(type(scope), "node"):
        return [
            PropProblem(
                None,
                "scope",
                f"expected a construct (a Stack, or a construct in one), got {describe(scope)}",
                "pass self from inside a Stack or Construct",
            )
        ]
    if not isinstance(construct_id, str) or not construct_id:
        return [
            PropProblem(
                None, "construct_id", f"expected a non-empty string, got {describe(construct_id)}"
            )
        ]
    if node_of(scope).try_find_child(construct_id) is not None:  # type: ignore[arg-type]
        return [
            PropProblem(
                None,
                "construct_id",
                f"{construct_id!r} is already taken in {describe(scope)}",
                "give each construct its own id within its scope",
            )
        ]
    return []


def check_new_child(kind: str, scope: object, construct_id: object) -> None:
    """Raise unless ``construct_id`` is a new, non-empty id in the construct ``scope``.

    Called before ``super().__init__``, so nothing is added to the tree on failure.
    """
    problems = new_child_problems(scope, construct_id)
    if not problems:
        return
    if problems[0].field == "scope":
        raise_for(problems, f"{kind} {construct_id!r}")
    path = scope.node.path  # type: ignore[attr-defined]
    name = construct_id if isinstance(construct_id, str) and construct_id else repr(construct_id)
    raise_for(problems, f"{kind} {path}/{name}" if path else f"{kind} {name}")


def check_status_rule(
    scope: Construct,
    method: str,
    construct_id: object,
    statuses: tuple[str, object, Sequence[str]],
    target: object,
    description: object,
) -> None:
    """Raise for a status-change rule's props: ``statuses`` is (prop, value, valid values)."""
    prop, value, valid = statuses
    raise_for(
        [
            expect_names(prop, value, valid) if value is not None else None,
            *rule_problems(scope, construct_id, target, description),
        ],
        lambda: f"{scope.node.path}.{method}({construct_id!r})",
    )


def rule_problems(
    scope: object,
    construct_id: object,
    target: object,
    description: object,
    rule_name: object = None,
) -> list[Problem]:
    """Problems with the options of a method that creates an ``events.Rule`` under ``scope``.

    Caught here rather than by jsii ("Unable to deserialize value as IRuleTarget",
    "target.bind is not a function") or at synth (a name or description PutRule rejects).
    """
    problems: list[Problem | None] = [*new_child_problems(scope, construct_id)]
    if target is not None:
        problems.append(
            expect_interface(
                "target",
                target,
                "an events.IRuleTarget",
                ("bind",),
                "a target of aws_events_targets (targets.SnsTopic(topic)), or "
                "SageMakerPipelineTarget(pipeline)",
            )
        )
    problem = expect_str("description", description)
    if (
        problem is None
        and isinstance(description, str)
        and not is_unresolved(description)
        and len(description) > MAX_RULE_DESCRIPTION
    ):
        problem = PropProblem(
            None,
            "description",
            f"{len(description)} characters, longer than {MAX_RULE_DESCRIPTION}",
        )
    problems.append(problem)
    problem = expect_str("rule_name", rule_name)
    if (
        problem is None
        and isinstance(rule_name, str)
        and not is_unresolved(rule_name)
        and not RULE_NAME.fullmatch(rule_name)
    ):
        problem = PropProblem(
            None,
            "rule_name",
            f"{rule_name!r} must be 1-64 letters, digits, '.', '-' and '_'",
        )
    problems.append(problem)
    return [problem for problem in problems if problem is not None]


def grantee_problem(grantee: object, scope: Construct) -> Problem | None:
    """A problem unless ``grantee`` is an ``iam.IGrantable`` of ``scope``'s app.

    A role of another app would get a policy naming this app's resources, which fails that
    app's synth with "Cannot reference across apps", naming neither grant nor grantee.
    """
    return expect_interface(
        "grantee",
        grantee,
        "an iam.IGrantable",
        ("grant_principal",),
        "a role or user; for an existing role, iam.Role.from_role_arn(self, 'Role', arn)",
    ) or expect_same_app(
        "grantee",
        grantee,
        root_of(scope),
        "grant to a role of this app, or import the role here: "
        "iam.Role.from_role_arn(self, 'Role', arn)",
    )


def check_grantee(grantee: object, scope: Construct, subject: Subject) -> None:
    """Raise unless ``grantee`` is an ``iam.IGrantable`` of ``scope``'s app.

    jsii would fail to deserialize anything else, and another app's role fails its synth.
    """
    raise_for([grantee_problem(grantee, scope)], subject)


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
