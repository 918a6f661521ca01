"""Run the definition checks at synth as a CDK policy validation plugin (like cdk-nag 3).

Example::

    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        SageMakerPipelineChecks(require_network_isolation=True),
    )
    # acknowledge one step's finding, with a reason:
    Validations.of(pipeline).acknowledge(
        Acknowledgment(id="SageMakerPipelineChecks::SMP-JobNetworkIsolation[Train]", reason="..."))

Acknowledgment ids are ``SageMakerPipelineChecks::<rule id>[<step name>]``. The
``SageMakerPipelineChecks::`` namespace is required: aws-cdk-lib matches a plugin's
findings against acknowledgments in the plugin's namespace, and an id without one
(``SMP-JobNetworkIsolation[Train]``) is read as ``Annotation::…`` and suppresses
nothing. (cdk-nag's bare ``AwsSolutions-…`` ids work because cdk-nag reads the
acknowledgments itself.) Acknowledge on the ``Pipeline`` (or any scope above it): the
finding belongs to its ``AWS::SageMaker::Pipeline`` resource. A check that raises is
reported as ``<rule id>[CheckError]``.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import traceback
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import (
    App,
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stack,
    Stage,
)
from aws_cdk.cx_api import CloudAssembly
from jsii.errors import JavaScriptError

from constructs import Construct

from .. import __version__
from ..checks import BASELINE, COST, NETWORK, Rule, run_rules
from ..checks.packs import CHECK_ERROR
from ..definition import PipelineDefinitionError, Problem
from ..template import pipeline_definitions
from ._props import check_keywords, describe, expect_bool, raise_for
from ._tree import node_of, path_of

PLUGIN_NAME = "SageMakerPipelineChecks"
# The warning for an acknowledgment in this plugin's namespace that acknowledges nothing.
UNUSED_ACKNOWLEDGMENT = "SMP-UnusedAcknowledgment"


@jsii.implements(IPolicyValidationPlugin)
class SageMakerPipelineChecks:
    """Checks inside every ``AWS::SageMaker::Pipeline`` definition of the app.

    Always: KMS on every job volume and output, no self-approved models, no literal
    secrets in job environments and hyperparameters. With ``require_network_isolation``:
    every job in a VPC or network-isolated (an AutoML job, which has no isolation, in a
    VPC), and inter-container encryption in VPCs. With ``require_job_runtime_limits``:
    a run-time limit stated for every job that takes one. Findings carry the step
    name (``SMP-JobVolumeEncryption[Train]``) so each can be acknowledged on its own,
    as ``SageMakerPipelineChecks::SMP-JobVolumeEncryption[Train]`` (see the module
    docstring). Rules of your own (``extra_rules=[Rule(...)]``) run and report the same way.

    Example::

        Validations.of(stage).add_plugins(SageMakerPipelineChecks(require_network_isolation=True))
        SageMakerPipelineChecks(extra_rules=[MAX_RUNTIME])  # a checks.Rule of your own
        Validations.of(pipeline).acknowledge(Acknowledgment(
            id="SageMakerPipelineChecks::SMP-JobNetworkIsolation[Train]",
            reason="the training container downloads nothing; isolation is enforced by ..."))
    """

    @check_keywords
    def __init__(
        self,
        *,
        require_network_isolation: bool = False,
        require_job_runtime_limits: bool = False,
        extra_rules: Sequence[Rule] = (),
        scope: Construct | None = None,
    ) -> None:
        """Choose the rules (and, with ``scope``, the stacks) to check.

        :param require_network_isolation: also require VPC or network isolation for every job.
        :param require_job_runtime_limits: also require every job to state its run-time
            limit (``SMP-JobRuntimeLimit``): processing, training, tuning (each training
            job), AutoML and check steps. Transform jobs have no such limit and pass.
        :param extra_rules: rules of your own (``cdk_sagemaker_pipelines.checks.Rule``), run
            after the built-in ones on every definition: their findings fail synth and are
            acknowledged as the built-in ones are
            (``SageMakerPipelineChecks::ACME-MaxRuntime[Train]``). Each takes an id of its
            own (letters, digits, ``.``, ``_`` and ``-``: it becomes part of the
            acknowledgment id), such as your company's prefix and a name.
        :param scope: check only the stacks under this construct (default: every stack of
            the stage the plugin is added to); a stack, or a construct in one, checks that
            stack, and the app every stack. For a ``Stage`` created inside a stack, as CDK
            Pipelines apps do (``pipeline.add_stage(MyStage(self, "Prod"))``): aws-cdk-lib
            runs the plugins of the app and of stages nested in stages only, and skips those
            added to such a stage without a word. Add the plugin to the app instead, with
            ``scope=`` the stage: ``Validations.of(stage.node.root).add_plugins(...)``.
        """
        raise_for(
            [
                expect_bool("require_network_isolation", require_network_isolation),
                expect_bool("require_job_runtime_limits", require_job_runtime_limits),
                None
                if scope is None or isinstance(scope, Construct)
                else Problem(
                    None, "scope", f"expected a construct (a Stage), got {describe(scope)}"
                ),
                *_extra_rule_problems(extra_rules),
            ],
            PLUGIN_NAME,
        )
        self.rules: tuple[Rule, ...] = (
            BASELINE
            + (NETWORK if require_network_isolation else ())
            + (COST if require_job_runtime_limits else ())
            + tuple(extra_rules)
        )
        self.scope_path: str | None = _checked_path(scope) if scope is not None else None

    @property
    def name(self) -> str:
        """The plugin name shown in reports (and the acknowledgment namespace)."""
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        """The version of this library."""
        return __version__

    @property
    def rule_ids(self) -> list[str]:
        """The ids of the rules this plugin runs."""
        return [rule.id for rule in self.rules]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        """Check the definitions in every template; report one violation per finding."""
        # Per finding id (a rule and a step): the rule, the resources, and each distinct
        # "field: info" of the step, in order (a step may break a rule in several fields).
        grouped: dict[str, tuple[Rule, list[PolicyViolatingResource], str, list[str]]] = {}
        acknowledgments: list[_Acknowledgment] = []
        # Per finding id: the construct paths of its pipelines (what an acknowledgment covers).
        finding_paths: dict[str, list[str]] = {}
        for template_path in self._template_paths(context):
            with open(template_path, encoding="utf-8") as handle:
                template: Any = json.load(handle)
            stack_acknowledgments, construct_paths = _stack_metadata(template_path)
            acknowledgments += stack_acknowledgments
            for logical_id, definition in pipeline_definitions(template):
                for result in run_rules(self.rules, definition):
                    location = (
                        "Properties/PipelineDefinition/PipelineDefinitionBody/"
                        f"{result.finding.step}/{result.finding.field}"
                    )
                    # The step and fields in the description too: CDK's report shows the
                    # locations apart from it, and cdk-nag-style readers look here first.
                    entry = grouped.setdefault(
                        result.finding_id, (result.rule, [], result.finding.step, [])
                    )
                    field = result.finding.field
                    detail = f"{field}: {result.finding.info}" if field else result.finding.info
                    if detail not in entry[3]:
                        entry[3].append(detail)
                    finding_paths.setdefault(result.finding_id, []).append(
                        construct_paths.get(logical_id, "")
                    )
                    entry[1].append(
                        PolicyViolatingResource(
                            resource_logical_id=logical_id,
                            template_path=template_path,
                            locations=[location],
                        )
                    )
        notes, unused = _check_acknowledgments(acknowledgments, finding_paths, self.rule_ids)
        violations = [
            PolicyViolation(
                rule_name=finding_id,
                description=f"{rule.info} ({_where(step)}, {'; '.join(details)})"
                + "".join(f". {note}" for note in notes.get(finding_id, ())),
                fix=rule.explanation,
                severity=rule.level.lower(),
                violating_resources=resources,
            )
            for finding_id, (rule, resources, step, details) in sorted(grouped.items())
        ]
        # Warnings only: an acknowledgment that acknowledges nothing is shown, never fails synth.
        warnings = [
            PolicyViolation(
                rule_name=UNUSED_ACKNOWLEDGMENT,
                description=text,
                fix="Remove the acknowledgment, or correct its id or where it is made.",
                severity="warning",
                violating_resources=[
                    PolicyViolatingResource(
                        construct_path=acknowledgment.path,
                        template_path=acknowledgment.template_path,
                        locations=[f"Metadata/{_ACKNOWLEDGED}"],
                    )
                ],
            )
            for acknowledgment, text in unused
        ]
        return PolicyValidationPluginReport(
            success=not violations,
            violations=violations + warnings,
            plugin_version=__version__,
        )

    def _template_paths(self, context: IPolicyValidationContext) -> list[str]:
        paths = list(_read(context, "template_paths"))
        if not self.scope_path:  # no scope, or the app (whose path is "")
            return paths
        prefix = f"{self.scope_path}/"
        stack_paths = _stack_paths(context, paths)
        return [
            path
            for path in paths
            if (stack_path := stack_paths.get(path, "")) == self.scope_path
            or stack_path.startswith(prefix)
        ]


# Where aws-cdk-lib records ``Validations.of(scope).acknowledge(...)``: construct metadata
# ``{"<namespace>::<rule>": reason}``, an id without a namespace as ``Annotation::<id>``.
# The synth writes a stack's construct metadata to ``<stack>.metadata.json`` beside its
# template before the plugins run: read from there, not through jsii construct by construct.
_ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
_LOGICAL_ID = "aws:cdk:logicalId"
# How alike a mistyped rule id or step name and a finding's must be to suggest the finding
# (difflib ratio): two letters swapped in a step name of five ("Trian") still pass.
_NEAR_MISS = 0.75


@dataclass(frozen=True, slots=True)
class _Acknowledgment:
    """An acknowledgment made on a construct in a checked stack, as aws-cdk-lib recorded it."""

    path: str  # the construct path of the scope it was made on
    id: str  # "<namespace>::<rule>", as aws-cdk-lib matches it
    template_path: str


def _stack_metadata(template_path: str) -> tuple[list[_Acknowledgment], dict[str, str]]:
    """The acknowledgments made in the stack of ``template_path``, and its construct paths.

    The construct path of each logical id, from the same file. Acknowledgments made on a
    ``Stage`` or the ``App`` are in no stack's file and are not read.
    """
    metadata_path = template_path.removesuffix(".template.json") + ".metadata.json"
    try:
        with open(metadata_path, encoding="utf-8") as handle:
            metadata: Any = json.load(handle)
    except (OSError, ValueError):  # no metadata at all (none is written for an empty stack)
        return [], {}
    acknowledgments: list[_Acknowledgment] = []
    construct_paths: dict[str, str] = {}
    for key, entries in metadata.items():
        path = key.removeprefix("/")
        for entry in entries if isinstance(entries, list) else ():
            data = entry.get("data") if isinstance(entry, dict) else None
            if entry.get("type") == _LOGICAL_ID and isinstance(data, str):
                construct_paths[data] = path
            elif entry.get("type") == _ACKNOWLEDGED and isinstance(data, dict):
                acknowledgments += [_Acknowledgment(path, str(id_), template_path) for id_ in data]
    return acknowledgments, construct_paths


def _covers(scope_path: str, path: str) -> bool:
    """Whether an acknowledgment made on ``scope_path`` covers the construct at ``path``."""
    return scope_path in ("", path) or path.startswith(f"{scope_path}/")


def _check_acknowledgments(
    acknowledgments: Sequence[_Acknowledgment],
    finding_paths: Mapping[str, Sequence[str]],
    rule_ids: Sequence[str],
) -> tuple[dict[str, list[str]], list[tuple[_Acknowledgment, str]]]:
    """Why acknowledgments near a finding didn't apply, and this plugin's that apply to nothing.

    ``finding_paths``: the construct paths of each finding id's pipelines. Returns the notes
    per finding id (an acknowledgment on an enclosing scope without the namespace, or with a
    near-miss rule id or step name: what to write instead), and each acknowledgment in this
    plugin's namespace that suppresses nothing with the warning's text. Those of rules this
    plugin doesn't run are left alone: another ``SageMakerPipelineChecks`` may run them.
    """
    prefix = f"{PLUGIN_NAME}::"
    notes: dict[str, list[str]] = {}
    unused: list[tuple[_Acknowledgment, str]] = []
    acknowledged = {
        rule
        for acknowledgment in acknowledgments
        for namespace, _, rule in [acknowledgment.id.rpartition("::")]
        if namespace == PLUGIN_NAME and _covers_any(acknowledgment.path, finding_paths.get(rule))
    }
    for acknowledgment in acknowledgments:
        namespace, _, rule = acknowledgment.id.rpartition("::")
        if namespace == PLUGIN_NAME and _covers_any(acknowledgment.path, finding_paths.get(rule)):
            continue  # it applies
        # The findings it may have been meant for: those under its scope not acknowledged.
        enclosing = sorted(
            finding_id
            for finding_id, paths in finding_paths.items()
            if _covers_any(acknowledgment.path, paths) and finding_id not in acknowledged
        )
        # What the user wrote: aws-cdk-lib adds "Annotation::" to an id without a namespace.
        written = rule if namespace == "Annotation" else acknowledgment.id
        where = f"on '{acknowledgment.path}'" if acknowledgment.path else "on the app"
        if namespace != PLUGIN_NAME and rule in enclosing:
            notes.setdefault(rule, []).append(
                f"The acknowledgment '{written}' {where} didn't apply: write "
                f"'{prefix}{rule}' (this plugin's findings are acknowledged with its namespace)"
            )
            continue
        near_namespace = namespace == PLUGIN_NAME or _alike(namespace, PLUGIN_NAME)
        if not near_namespace:
            continue  # another plugin's, or an annotation's
        close = [finding_id for finding_id in enclosing if _near_miss(rule, finding_id)]
        if close:
            notes.setdefault(close[0], []).append(
                f"The acknowledgment '{written}' {where} didn't apply: did you mean "
                f"'{prefix}{close[0]}'?"
            )
            continue
        rule_id = rule.partition("[")[0]
        if namespace != PLUGIN_NAME or rule_id not in rule_ids:
            continue
        elsewhere = sorted(
            path for path in finding_paths.get(rule, ()) if not _covers(acknowledgment.path, path)
        )
        reason = (
            f"the finding is on '{elsewhere[0]}': acknowledge it there or on a scope above it"
            if elsewhere
            else f"no pipeline under it has the finding '{rule}'"
        )
        unused.append(
            (
                acknowledgment,
                f"The acknowledgment '{acknowledgment.id}' {where} acknowledges nothing: {reason}",
            )
        )
    return notes, unused


def _covers_any(scope_path: str, paths: Sequence[str] | None) -> bool:
    return any(_covers(scope_path, path) for path in paths or ())


def _near_miss(written: str, finding_id: str) -> bool:
    """Whether ``written`` (``<rule id>[<step>]``) is ``finding_id`` with one part mistyped.

    The rule id and the step name are compared apart: a step name is short beside a rule
    id, and compared whole, ``X[Train]`` would pass for ``X[Prep]``. A rule id without its
    step is taken for the finding of each step.
    """
    rule_id, _, step = written.partition("[")
    meant_rule_id, _, meant_step = finding_id.partition("[")
    if not step:
        return rule_id == meant_rule_id
    if rule_id == meant_rule_id:
        return _alike(step, meant_step)
    return step == meant_step and _alike(rule_id, meant_rule_id)


def _alike(written: str, meant: str) -> bool:
    """Whether ``written`` is ``meant`` mistyped (a character or two off)."""
    return difflib.SequenceMatcher(None, written, meant).ratio() >= _NEAR_MISS


# A rule id becomes part of the acknowledgment id, ``SageMakerPipelineChecks::<id>[<step>]``:
# brackets, colons or spaces in it would make ids that can't be told apart or read back.
_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_BUILT_IN_RULE_IDS = frozenset(rule.id for rule in BASELINE + NETWORK + COST)


def _extra_rule_problems(extra_rules: object) -> list[Problem]:
    """What is wrong with ``extra_rules``: not a sequence of ``Rule``s with ids of their own.

    Each problem names the prop and the rule's place in it: ``prop 'extra_rules': [0].id: …``.
    """
    expected = "expected a list of Rule (cdk_sagemaker_pipelines.checks.Rule)"
    if isinstance(extra_rules, (str, bytes, Mapping)) or not isinstance(extra_rules, Sequence):
        return [Problem(None, "extra_rules", f"{expected}, got {describe(extra_rules)}")]
    problems: list[Problem] = []

    def add(where: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(None, "extra_rules", f"{where}: {message}", hint))

    seen: set[str] = set()
    for index, rule in enumerate(extra_rules):
        if not isinstance(rule, Rule):
            add(f"[{index}]", f"{expected}, got {describe(rule)}")
            continue
        if not isinstance(rule.id, str) or not _RULE_ID.fullmatch(rule.id):
            add(
                f"[{index}].id",
                f"{rule.id!r} is not a rule id: letters, digits, '.', '_' and '-', such as "
                "'ACME-MaxRuntime' (it is part of the acknowledgment id)",
            )
        elif rule.id in _BUILT_IN_RULE_IDS or rule.id in seen:
            owner = "a built-in rule's" if rule.id in _BUILT_IN_RULE_IDS else "another rule's"
            add(
                f"[{index}].id",
                f"{rule.id!r} is {owner} id: their findings couldn't be told apart or "
                "acknowledged separately",
                "give each rule an id of its own, with your own prefix",
            )
        if isinstance(rule.id, str):
            seen.add(rule.id)
        for name in ("level", "info", "explanation"):
            if not isinstance(getattr(rule, name), str):
                add(f"[{index}].{name}", f"expected str, got {describe(getattr(rule, name))}")
        if not callable(rule.check):
            add(
                f"[{index}].check",
                "expected a function of the definition returning its Findings, got "
                f"{describe(rule.check)}",
            )
    return problems


# Per app: the construct path of the stack of each template its synth wrote. Every plugin
# added to the app (the reference app adds one per stage, scoped to it) is given every
# stack, and reading a stack's path takes a jsii round trip per stack and field: read once
# per synth, not once per plugin. A template path names one stack in one app's output.
_STACK_PATHS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _stack_paths(context: IPolicyValidationContext, template_paths: list[str]) -> dict[str, str]:
    """The construct path of the stack of each of ``template_paths`` (those of ``context``).

    Without the app (a context of an older aws-cdk-lib, or one made by hand), nothing is kept.
    """
    try:
        app = _read(context, "app_construct")
    except AttributeError:
        app = None
    try:
        known = _STACK_PATHS.get(app) if app is not None else None
    except TypeError:  # an app that can't be weakly referenced: nothing to keep
        known = None
    if known is not None and all(path in known for path in template_paths):
        return known
    stack_paths = {
        stack.template_path: stack.stack_construct_path
        for stack in _read(context, "stack_templates")
    }
    if app is not None:
        with contextlib.suppress(TypeError):
            _STACK_PATHS[app] = stack_paths
    return stack_paths


def _read(value: Any, name: str) -> Any:
    """``value.<name>``, in one jsii round trip where jsii would take two.

    aws-cdk-lib hands plugins the context as a jsii ``InterfaceDynamicProxy`` (it implements
    two interfaces), whose attributes jsii finds by reading them from its delegates with
    ``hasattr`` and then again with ``getattr``: each read twice through jsii. The delegate
    whose class has the attribute is read once instead; anything else is read as usual.
    """
    proxy = type(value).__name__ == "InterfaceDynamicProxy"
    delegates = getattr(value, "_delegates", None) if proxy else None
    for delegate in delegates or ():
        if hasattr(type(delegate), name):
            return getattr(delegate, name)
    return getattr(value, name)


def _checked_path(scope: Construct) -> str:
    """The path of the stage or stack whose stacks ``scope`` stands for.

    Its nearest enclosing ``Stage`` or ``Stack`` (itself included): a construct in a stack
    (the ``Pipeline``) stands for that stack, the app for every stack. Taken as a bare
    path prefix, a stack's own path or a construct in it matched no stack, and a check
    that matches nothing passes everything.
    """
    for ancestor in reversed(node_of(scope).scopes):
        if Stage.is_stage(ancestor) or Stack.is_stack(ancestor):
            return path_of(ancestor)
    return ""


def _caller_line(error: BaseException) -> str:
    """`` at app.py:12``: the last frame of the app's own code the error passed through.

    What the traceback would have been read for; the frames of this library, jsii and
    other installed packages around it say nothing about the app.
    """
    library = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = ""
    for frame, line in traceback.walk_tb(error.__traceback__):
        path = os.path.abspath(frame.f_code.co_filename)
        if path.startswith(library + os.sep) or "site-packages" in path.split(os.sep):
            continue
        found = f" at {os.path.relpath(path) if path.startswith(os.getcwd()) else path}:{line}"
    return found


# A node of aws-cdk-lib's "Relates to construct" tree: `` └─ Raw (aws-cdk-lib.aws_s3.Bucket)``.
_TREE_NODE = re.compile(r"[└├]─\s*(\S+)\s+\(")


def _cdk_error_text(error: BaseException) -> str | None:
    """The message of an error aws-cdk-lib raised through jsii, without its JavaScript frames.

    ``None`` when ``error`` didn't come from JavaScript (an app's own ``RuntimeError``).
    aws-cdk-lib's construct errors carry an error code (``«InvalidBucketNameValue»``), the
    message, a placeholder for the Node frames and the construct's place in the tree;
    the message and the construct's path are what a reader needs.
    """
    cause = error.__cause__
    if not isinstance(cause, JavaScriptError):
        return None
    text = str(error)
    tree = str(getattr(cause, "stack", "") or "")
    if not tree.startswith("«") and "Relates to construct:" not in tree:
        # Not one of aws-cdk-lib's construct errors (which carry a «code» or the construct):
        # perhaps the app's own code, called back from JavaScript during synth (an aspect,
        # a lazy value), whose traceback is worth keeping.
        return None
    path = "/".join(_TREE_NODE.findall(tree.partition("Relates to construct:")[2]))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    detail = "".join(f"\n  {line}" for line in lines[1:])
    where = f" (construct {path})" if path else ""
    return f"{lines[0]}{where}{detail}"


# The first line of this library's errors: "SageMakerPipelineTarget has 1 problem:".
_OUR_ERROR = re.compile(r"[^\n]+ has \d+ problems?:\n- ")


def _callback_error_text(error: BaseException) -> str | None:
    """The message of an error of this library raised while JavaScript called Python back.

    A construct's ``bind`` (a rule target's, say) runs when aws-cdk-lib calls it from
    JavaScript: its ``PipelineDefinitionError`` comes back as a jsii ``RuntimeError`` with
    Node's frames, whose message is ours as it was raised. An app's own error keeps its
    traceback (``None``).
    """
    cause = error.__cause__
    if not isinstance(cause, JavaScriptError):
        return None
    if "callbackHandler" not in str(getattr(cause, "stack", "") or ""):
        return None
    text = str(error)
    return text if _OUR_ERROR.match(text) else None


# What the CDK CLI passes apps (failSynthOnValidationErrors false, leaving findings to the
# CLI, which then reports them only for the stacks it selected), overridden: give it to
# App(post_cli_context=...) so that the app fails synth itself on any finding.
FAIL_SYNTH_ON_VALIDATION_ERRORS = {"@aws-cdk/core:failSynthOnValidationErrors": True}


def synth_app(app: App | Callable[[], App]) -> CloudAssembly:
    """Synthesize ``app``; on policy-validation findings, exit with one line after CDK's report.

    With ``failSynthOnValidationErrors`` on, ``app.synth()`` raises a jsii error whose
    traceback only repeats what CDK's report above it already says (each finding, its
    construct path and how to acknowledge it). This prints ``synth failed: …`` instead and
    exits non-zero, as it does for the constructs' own synth-time validations (a
    ``Pipeline`` role SageMaker can't assume, say: ``[path] prop 'role': …``); other errors
    propagate unchanged.

    Given a function that builds the app instead, the errors this library raises while
    the constructs are created (a wrong prop, an invalid definition: each names the
    construct path or step and field) end the same way, without the traceback through
    jsii that would bury them; so do aws-cdk-lib's own construct errors (an invalid
    bucket name), with the construct's path. Errors of the app's own code propagate.

    Example::

        def build_app() -> App:
            app = App(post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
            Validations.of(app).add_plugins(SageMakerPipelineChecks())
            ...
            return app

        synth_app(build_app)
    """
    if not isinstance(app, App):
        # Checked here: Python's own error ("'Stack' object is not callable") names neither
        # synth_app nor what it takes.
        expected = "expected an App, or a function that builds and returns one"
        raise_for(
            [None if callable(app) else Problem(None, "app", f"{expected}, got {describe(app)}")],
            "synth_app",
        )
        try:
            app = app()
        except PipelineDefinitionError as error:
            where = _caller_line(error)
            raise SystemExit(f"synth failed{where}: {error}") from None
        except RuntimeError as error:
            # aws-cdk-lib's own construct errors (an invalid bucket name, say), and ours
            # raised in a callback from JavaScript (a rule target's bind): the message and
            # the construct, not the frames of jsii and Node around them.
            text = _cdk_error_text(error) or _callback_error_text(error)
            if text is None:
                raise
            raise SystemExit(f"synth failed{_caller_line(error)}: {text}") from None
        raise_for(
            [
                None
                if isinstance(app, App)
                else Problem(None, "app", f"{expected}: the function returned {describe(app)}")
            ],
            "synth_app",
        )
    try:
        return app.synth()
    except RuntimeError as error:  # jsii's error for a failed validation
        message = str(error)
        for prefix in ("ValidationFailed: ", "ValidationFailedWithErrors: "):
            # Policy validation (cdk-nag, SageMakerPipelineChecks), then the constructs' own
            # validations (node.add_validation), which name the construct path.
            if message.startswith(prefix):
                raise SystemExit(f"synth failed: {message.removeprefix(prefix)}") from None
        text = _cdk_error_text(error) or _callback_error_text(error) or _synth_error_text(error)
        if text is None:
            raise
        raise SystemExit(f"synth failed: {text}") from None


# aws-cdk-lib's errors of a whole stack at synth: "TooManyResourcesInStack: Number of …".
_SYNTH_ERROR = re.compile(r"[A-Z][A-Za-z]+: \S")


def _synth_error_text(error: RuntimeError) -> str | None:
    """An error aws-cdk-lib raised in ``app.synth()`` about a stack, without jsii's frames.

    Such an error (``TooManyResourcesInStack``: more than 500 resources) names the stack and
    what to change, and came with twenty lines of jsii and Node frames that say nothing.
    """
    text = str(error)
    if not isinstance(error.__cause__, JavaScriptError) or not _SYNTH_ERROR.match(text):
        return None
    return text


def _where(step: str) -> str:
    """Whose finding it is, for its description: a step, the check itself, or the pipeline."""
    if step == CHECK_ERROR:
        return "the check failed"
    return f"step '{step}'" if step else "the pipeline"
