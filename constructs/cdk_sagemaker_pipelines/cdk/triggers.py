"""Start pipelines on a schedule or when new data lands, and tell people when runs fail."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import (
    Acknowledgment,
    Annotations,
    ArnFormat,
    CfnElement,
    Duration,
    RemovalPolicy,
    Stack,
    TimeZone,
    Tokenization,
    Validations,
)
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces import aws_events as events_refs

from constructs import Construct, IValidation

from ..definition import (
    PipelineDefinitionError,
    PipelineValidationError,
    Problem,
    coerce_parameter_values,
)
from ..definition._cache_keys import run_invariant_cached_steps
from ..definition._job_warnings import fail_step_message
from ..definition._suggest import did_you_mean
from ..definition.entries import walk_steps
from ..definition.permissions import PermissionPlan, describe_value
from ..definition.retry import is_expire_after, parse_expire_after
from ._acknowledge import acknowledge_in_packs
from ._arns import format_arn
from ._boundary import check_permissions_boundary
from ._failure_pages import note_notifications
from ._kms import account_key
from ._locked_grants import warned_elsewhere
from ._props import (
    PIPELINE_EXECUTION_STATUSES,
    PIPELINE_INTERFACE,
    PropProblem,
    Subject,
    check_keywords,
    check_new_child,
    describe,
    environment_problem,
    expect_bool,
    expect_interface,
    expect_names,
    expect_same_app,
    expect_str,
    expect_strings,
    is_unresolved,
    other_stage_problem,
    raise_for,
    subject_text,
    warn_forwarded_events,
)
from ._roles import created_role_arn, passed_role_problem
from ._rule_topics import (
    MAX_RULE_NAME,
    RuleTopicTarget,
    admit_rules,
    fifo_topic_problem,
    rule_source_arn,
    rule_topic_environment_problem,
)
from ._schedule import (
    AT,
    schedule_expression_problem,
    schedule_period,
    shortest_spacing,
    time_zone_problem,
)
from ._topics import (
    in_another_stack,
    unique_name,
)
from ._tree import account_region, node_of, path_of, placed, root_of, stack_of, stage_of
from ._values import days, hours
from ._warning_traces import record_warnings_without_traces
from .artifacts import enable_event_bridge_notifications
from .pipeline import (
    EXECUTION_STATUS_CHANGE,
    STEP_STATUS_CHANGE,
    WARNING_PREFIX,
    _iam_pattern,
    _refuses_policy_updates,
    _RoleTrust,
    arn_spellings,
)

PIPELINE_HINT = "a Pipeline, or Pipeline.from_pipeline_name(self, 'Pipeline', name)"
# EventBridge (rules) and EventBridge Scheduler retry policies: the same limits.
MAX_RETRY_ATTEMPTS = 185
MIN_EVENT_AGE_SECONDS = 60
MAX_EVENT_AGE_SECONDS = 24 * 60 * 60
MAX_SCHEDULE_DESCRIPTION = 512
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A CDK string token as a definition holds it at synth: known only at deploy time.
_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")


def _service_role(
    scope: Construct,
    construct_id: str,
    service: str,
    description: str,
    *,
    source_arn: str | None = None,
) -> iam.Role:
    """A role ``service`` may assume only for this account (and ``source_arn``, if given)."""
    check_permissions_boundary(scope)
    condition = {"aws:SourceAccount": account_region(scope)[0]}
    if source_arn is not None:
        condition["aws:SourceArn"] = source_arn
    return iam.Role(
        scope,
        construct_id,
        description=description,
        assumed_by=iam.ServicePrincipal(service, conditions={"StringEquals": condition}),
    )


ROLE_HINT = "an iam.Role, or iam.Role.from_role_arn(self, 'Role', arn)"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
EVENTS_PRINCIPAL = "events.amazonaws.com"


def _role_problem(
    role: object,
    scope: Construct | None = None,
    owner: str = "",
    service: str = "",
    passes: str = "",
) -> Problem | None:
    """A ``role`` prop ``service`` can't use for ``owner`` (the rule, the schedule) in ``scope``.

    The type always; with ``scope``: a role of another app or stage (CDK's own errors name
    neither construct nor prop), and of another account than ``scope``'s stack. Creating a
    rule's target or a schedule passes the role (``passes``: which call), and
    ``iam:PassRole`` passes only roles of the caller's own account (see ``_roles.py``);
    aws-cdk-lib doesn't check, and turns the grants to a role imported from another
    account into nothing.
    """
    if role is None:
        return None
    problem = expect_interface(
        "role", role, "an iam.IRole", ("role_arn", "grant_principal"), ROLE_HINT
    )
    if problem is not None or scope is None:
        return problem
    problem = expect_same_app(
        "role",
        role,
        root_of(scope),
        "create the role in this app, or iam.Role.from_role_arn(self, 'Role', arn)",
    ) or other_stage_problem(
        "role",
        role,
        scope,
        owner,
        "create the role in a stack of this stage",
        "iam.Role.from_role_arn",
    )
    if problem is not None:
        return problem
    return passed_role_problem("role", role, scope, service=service, passes=passes)


def _readable(scope: Construct, value: str) -> str:
    """``value`` for a message: a literal as it is, a token as what it stands for.

    An attribute of a resource of this app is named by its construct ("the Arn of
    Test/Nightly/DeadLetterQueue"); other tokens are written as ``Fn::Sub`` would
    (``arn:${AWS::Partition}:…``).
    """
    if not is_unresolved(value):
        return value
    resolved = stack_of(scope).resolve(value)
    fragments = Tokenization.reverse_string(value)
    target = getattr(fragments.first_token, "target", None) if fragments.length == 1 else None
    if isinstance(resolved, dict) and "Fn::GetAtt" in resolved and isinstance(target, CfnElement):
        # The L2's path (Test/Queue), not its L1's (Test/Queue/Resource).
        owner = target.node.scope if target.node.id == "Resource" else None
        attribute = resolved["Fn::GetAtt"][1]
        path = (owner or target).node.path
        return f"the {'ARN' if attribute == 'Arn' else attribute} of {path}"
    return _as_sub(resolved)


def _as_sub(value: object) -> str:
    """A resolved CloudFormation value in ``Fn::Sub`` syntax: ``${AWS::Partition}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and isinstance(argument, str):
            return f"${{{argument}}}"
        if function == "Fn::GetAtt" and isinstance(argument, list):
            return f"${{{'.'.join(str(part) for part in argument)}}}"
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, parts = argument
            if isinstance(separator, str) and isinstance(parts, list):
                return separator.join(_as_sub(part) for part in parts)
    return json.dumps(value, sort_keys=True)


def _use_given_role(
    scope: Construct,
    role: iam.IRole,
    *,
    principal: str,
    service: str,
    conditions: Mapping[str, str],
    allows: Sequence[tuple[str, Sequence[str]]],
    attached_in: str,
    fails: str,
) -> None:
    """Check or warn what a role given to a trigger (``prop 'role'``) must allow and trust.

    A role of this app (``iam.Role``): its trust policy must admit ``principal``, judged at
    synth (trust may be added after it is given). An imported role's trust policy can't be
    read: a warning names the principal and ``conditions`` (those of the roles the
    constructs create), and the actions and resources of ``allows``. This app attaches
    them to a mutable one (``attached_in``, which the deployment must be allowed to
    change); aws-cdk-lib drops grants to one imported with ``mutable=False``.
    """
    if isinstance(role, iam.Role):
        node_of(scope).add_validation(
            _RoleTrust(stack_of(scope), {"role": role}, principal, service, fails)
        )
        return
    allowed = "; ".join(
        f"{action} on {', '.join(_readable(scope, resource) for resource in resources)}"
        for action, resources in allows
    )
    trusted = " and ".join(
        f"{key} = {_readable(scope, value)}" for key, value in conditions.items()
    )
    if _refuses_policy_updates(role):
        how = (
            "was imported with mutable=False (or without_policy_updates()), so nothing is "
            "attached to it here (aws-cdk-lib drops grants to it)"
        )
        must = "it must already allow"
    else:
        how = (
            f"was not created in this app: this stack attaches what it needs in {attached_in}, "
            "which the deployment must be allowed to change (import it with mutable=False if "
            "it may not)"
        )
        must = "it must allow"
    Annotations.of(scope).add_warning_v2(
        f"{WARNING_PREFIX}:given-role-permissions",
        f"prop 'role': the role {_readable(scope, role.role_arn)} ({node_of(role).path}) {how}, "
        f"and its trust policy can't be read at synth: {must} {allowed}, and trust "
        f"{principal} (sts:AssumeRole, condition StringEquals {trusted}), or {fails}. "
        "Acknowledge this warning once it does.",
    )


def _default_schedule_group_arn(scope: Construct) -> str:
    """The ARN of this account's ``default`` schedule group, the group of a schedule without one.

    Scheduler assumes a schedule's role with that ARN as ``aws:SourceArn``.
    """
    return format_arn(
        stack_of(scope),
        service="scheduler",
        resource="schedule-group",
        resource_name="default",
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def _dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=days(14),
    )
    placed(queue, scope)
    Validations.of(queue).acknowledge(
        Acknowledgment(
            id="AwsSolutions-SQS3",
            reason="this queue is itself the dead-letter queue of an EventBridge target",
        )
    )
    return queue


def _check_parameters(
    pipeline: sagemaker.IPipeline,
    values: Mapping[str, str],
    subject: Subject,
    from_event: Sequence[str] = (),
    event_key: tuple[str, str] | None = None,
    *,
    event_paths: bool = True,
    props: Mapping[str, str] | None = None,
) -> None:
    """Fail synth when a trigger's parameter values would fail the executions it starts.

    Each name must be declared; ``from_event`` parameters get a string from the event (an
    object key), so a parameter of another type would fail every execution. Literal
    values must parse as their parameter's type and be one of its enum values, parameters
    without a default must get a value, and a value of a parameter that names S3 data
    (or ``event_key``: the key parameter and the prefix of the keys it gets) must lie in
    the ``parameter_locations`` the step role may access. With ``event_paths``, values
    such as ``$.detail.object.key`` are read from the event; a schedule has no event and
    passes them as they are. ``props`` names the prop that gave a parameter's name, when
    not ``parameters``.
    """
    definition = getattr(pipeline, "definition", None)
    if not isinstance(definition, dict):
        return  # an imported pipeline: nothing to check against
    entries = definition.get("Parameters", [])
    declared = {entry["Name"]: entry.get("Type") for entry in entries}
    # Every problem at once: a misspelled name shouldn't hide a bad value until the next synth.
    lines: list[str] = []
    for name in values:
        if name not in declared:
            prop = (props or {}).get(name, "parameters")
            suggestion = did_you_mean(name, declared)
            lines.append(
                f"sets parameter '{name}' ({prop}=), which pipeline "
                f"{pipeline.pipeline_name} does not declare ("
                + (f"{suggestion} " if suggestion else "")
                + f"declared: {', '.join(declared) or 'none'})"
            )
    for name in from_event:
        if declared.get(name, "String") != "String":
            lines.append(
                f"parameter '{name}' of pipeline {pipeline.pipeline_name} is of type "
                f"{declared[name]}, but gets a string from the event (declare it with "
                "ParameterString)"
            )
    # JSON paths into the event ("$.detail.object.key") and tokens are only known at run time.
    literal = {
        name: value
        for name, value in values.items()
        if name in declared
        and name not in from_event
        and not (event_paths and value.startswith("$."))
        and not is_unresolved(value)
    }
    try:
        coerce_parameter_values(entries, literal)
    except PipelineValidationError as error:
        for problem in error.problems:
            name = (problem.field or "").removeprefix("Parameters.")
            if name in values and name not in literal:
                continue  # undeclared (above), or set from the event: known only at run time
            what = (
                "has no default value and gets none here, so every execution would fail"
                if name not in values
                else problem.message
            )
            hint = problem.hint or (
                f"set it in parameters={{'{name}': …}}" if name not in values else None
            )
            lines.append(
                f"parameter '{name}' of pipeline {pipeline.pipeline_name}: {what}"
                + (f" ({hint})" if hint else "")
            )
    locate = getattr(pipeline, "_undeclared_location", None)
    if callable(locate):
        checks = [(name, value, False) for name, value in literal.items()]
        checks += [(event_key[0], event_key[1], True)] if event_key is not None else []
        for name, value, any_suffix in checks:
            patterns = locate(name, value, any_suffix=any_suffix)
            if patterns:
                shown = f"keys under {value!r}" if any_suffix else repr(value)
                lines.append(
                    f"parameter '{name}' of pipeline {pipeline.pipeline_name}: gets "
                    f"{shown}, outside its parameter_locations ({', '.join(patterns)}): the "
                    "step role may not access it, so those executions would fail (declare "
                    "the location in the Pipeline's parameter_locations)"
                )
    if lines:
        where = subject_text(subject)
        raise PipelineDefinitionError("\n".join(f"{where}: {line}" for line in lines))


def _retry_problems(retry_attempts: object, max_event_age: object) -> list[Problem | None]:
    """The retry policy limits EventBridge and its Scheduler enforce only at deploy."""
    problems: list[Problem | None] = []
    if is_unresolved(retry_attempts):
        pass  # a number token (a float) is only known at deploy time
    elif isinstance(retry_attempts, bool) or not isinstance(retry_attempts, int):
        problems.append(
            Problem(None, "retry_attempts", f"expected an int, got {describe(retry_attempts)}")
        )
    elif not 0 <= retry_attempts <= MAX_RETRY_ATTEMPTS:
        problems.append(
            Problem(
                None,
                "retry_attempts",
                f"must be 0-{MAX_RETRY_ATTEMPTS}, got {retry_attempts}",
            )
        )
    if max_event_age is not None:
        if not isinstance(max_event_age, Duration):
            problems.append(
                Problem(
                    None,
                    "max_event_age",
                    f"expected a Duration, got {describe(max_event_age)}",
                    "Duration.hours(2)",
                )
            )
        elif not max_event_age.is_unresolved():
            # Not to_seconds(): it raises on a fraction of a second, from inside jsii.
            seconds = max_event_age.to_seconds(integral=False)
            if seconds != int(seconds):
                problems.append(
                    Problem(
                        None,
                        "max_event_age",
                        f"must be whole seconds, got {seconds:g} seconds",
                        f"Duration.seconds({_clamp_event_age(round(seconds))})",
                    )
                )
            elif not MIN_EVENT_AGE_SECONDS <= seconds <= MAX_EVENT_AGE_SECONDS:
                problems.append(
                    Problem(
                        None,
                        "max_event_age",
                        f"must be 1 minute to 24 hours, got {max_event_age.to_human_string()}",
                    )
                )
    return problems


def _clamp_event_age(seconds: int) -> int:
    return min(max(MIN_EVENT_AGE_SECONDS, seconds), MAX_EVENT_AGE_SECONDS)


def _dead_letter_queue_problem(
    queue: object, root: object = None, scope: Construct | None = None, *, schedule: bool = False
) -> Problem | None:
    """An ``sqs.IQueue`` (of this app, when ``root`` is given), or None.

    A wrong type fails deep in jsii (or, for a topic, at synth with "Cannot read
    properties of undefined"); a queue of another app fails synth naming neither. With
    ``scope``, the queue must be one the service can send to from ``scope``'s stack: of its
    region, and, when created in this app, of its account (its policy would have to name
    this stack's rule or role, across environments). Neither EventBridge nor EventBridge
    Scheduler (``schedule``) takes a FIFO queue.
    """
    if queue is None:
        return None
    problem = expect_interface(
        "dead_letter_queue",
        queue,
        "an sqs.IQueue",
        ("queue_arn", "queue_url"),
        "an sqs.Queue, or sqs.Queue.from_queue_arn(self, 'DeadLetters', arn)",
    )
    if problem is None and root is not None:
        problem = expect_same_app(
            "dead_letter_queue",
            queue,
            root,
            "create the queue in this app, or sqs.Queue.from_queue_arn(self, 'DeadLetters', arn)",
        )
    if problem is not None or scope is None:
        return problem
    problem = other_stage_problem(
        "dead_letter_queue",
        queue,
        scope,
        f"the {'schedule' if schedule else 'rule'}",
        "create the queue in a stack of this stage",
        "sqs.Queue.from_queue_arn",
    )
    if problem is not None:
        return problem
    service = "EventBridge Scheduler" if schedule else "EventBridge"
    # Both user guides: dead-letter queues are standard queues (a rule's PutTargets fails
    # with "SQS FIFO is not supported by Dead Letter Queues").
    if getattr(queue, "fifo", False) is True:
        return Problem(
            None,
            "dead_letter_queue",
            f"{describe(queue)} is a FIFO queue, which {service} doesn't support as a "
            "dead-letter queue",
            "use a standard queue",
        )
    env = getattr(queue, "env", None)
    account, region = account_region(scope)
    theirs, ours = getattr(env, "region", None), region
    if (
        isinstance(theirs, str)
        and not is_unresolved(theirs)
        and not is_unresolved(ours)
        and theirs != ours
    ):
        return Problem(
            None,
            "dead_letter_queue",
            f"{describe(queue)} is in region {theirs}, this stack in {ours}: {service} "
            "sends undeliverable events only to a queue of its own region",
            f"use a queue of {ours}",
        )
    theirs, ours = getattr(env, "account", None), account
    if (
        isinstance(queue, sqs.Queue)
        and isinstance(theirs, str)
        and not is_unresolved(theirs)
        and not is_unresolved(ours)
        and theirs != ours
    ):
        sender = "the schedule's role" if schedule else "events.amazonaws.com"
        return Problem(
            None,
            "dead_letter_queue",
            f"{describe(queue)} is a queue of this app in account {theirs}, this stack in "
            f"{ours}: its policy would have to name this stack's "
            f"{'role' if schedule else 'rule'}, which a template of another environment "
            "can't refer to",
            "import it here by ARN (sqs.Queue.from_queue_arn(self, 'DeadLetters', arn)) and "
            f"allow {sender} sqs:SendMessage in its policy there",
        )
    return None


def _warn_unwritable_queue_policy(scope: Construct, queue: sqs.IQueue, sender: str) -> None:
    """Warn that ``queue``, imported, needs a statement of its owner to receive dead letters."""
    Annotations.of(scope).add_warning_v2(
        f"{WARNING_PREFIX}:dead-letter-queue-policy",
        f"The dead-letter queue {queue.node.path} was not created in this app, so its policy "
        f"can't be changed here: allow {sender} sqs:SendMessage in it where it is managed, "
        "or undeliverable events are lost.",
    )


def _parameter_value_problem(parameters: object) -> Problem | None:
    expected = "expected a dict of parameter names to string values"
    hint = "pipeline parameters are passed as strings: write '5' for 5"
    if parameters is None:
        return None
    if not isinstance(parameters, Mapping):
        return Problem(None, "parameters", f"{expected}, got {describe(parameters)}", hint)
    wrong = [
        (name, value)
        for name, value in parameters.items()
        if not (isinstance(name, str) and isinstance(value, str))
    ]
    if not wrong:
        return None
    # Name each wrong entry: the dict's own description is cut short, and may end before
    # the entry that is wrong.
    entries = ", ".join(f"{describe(value)} for {name!r}" for name, value in wrong)
    name, value = wrong[0]
    if isinstance(name, str) and isinstance(value, bool | int | float):
        # A ParameterBoolean's value is 'true' or 'false', as the service parses it.
        text = str(value).lower() if isinstance(value, bool) else str(value)
        hint = f"pipeline parameters are passed as strings: write {text!r} for {value!r}"
    return Problem(None, "parameters", f"{expected}, got {entries}", hint)


class PipelineSchedule(Construct):
    """Start a pipeline on a schedule (EventBridge Scheduler) with parameter values.

    Failed deliveries are retried and then sent to an encrypted dead-letter queue. Synth
    fails on values that would fail every execution: a parameter the pipeline does not
    declare, a value that doesn't parse as its type or is outside its enum, a parameter
    without a default left unset, a value outside its ``parameter_locations``. Scheduler
    passes ``$.…`` values as they are, so they are checked as literals. A
    ``dead_letter_queue`` must be a standard queue of the schedule's region, and one created
    in this app must be of its account (an imported one of another account is warned, as
    its policy must admit the schedule's role).

    The schedule runs as a role it creates, unless given ``role`` (for a landing zone
    where the deployment may not create roles): a role of the schedule's account whose
    trust policy admits ``scheduler.amazonaws.com``. One of this app gets the grants; one
    imported (``iam.Role.from_role_arn``) is warned
    (``cdk-sagemaker-pipelines:given-role-permissions``) with what it must allow and trust.

    Example::

        PipelineSchedule(self, "Nightly", pipeline=pipeline,
                         schedule=scheduler.ScheduleExpression.expression("cron(0 6 * * ? *)"),
                         parameters={"InputDataKey": "curated/"})
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: sagemaker.IPipeline,
        schedule: scheduler.ScheduleExpression,
        parameters: Mapping[str, str] | None = None,
        description: str | None = None,
        enabled: bool = True,
        retry_attempts: int = 3,
        max_event_age: Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        role: iam.IRole | None = None,
    ) -> None:
        """Create the schedule (see the class).

        :param role: the role the schedule starts the pipeline with. Default: a role
            trusting ``scheduler.amazonaws.com`` for this account's default schedule group
            (``aws:SourceAccount``, ``aws:SourceArn``), allowed to start this pipeline and to
            send to the dead-letter queue. A given role must be of the schedule's account;
            it gets the same grants (aws-cdk-lib drops them for one imported with
            ``mutable=False``, which is warned).
        """
        check_new_child("PipelineSchedule", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        expression = (
            schedule.expression_string
            if isinstance(schedule, scheduler.ScheduleExpression)
            else None
        )
        raise_for(
            [
                expect_interface(
                    "pipeline", pipeline, "an IPipeline", PIPELINE_INTERFACE, PIPELINE_HINT
                ),
                None
                if isinstance(schedule, scheduler.ScheduleExpression)
                else Problem(
                    None,
                    "schedule",
                    f"expected a scheduler.ScheduleExpression, got {describe(schedule)}",
                    "scheduler.ScheduleExpression.expression('cron(0 6 ? * * *)')",
                ),
                _schedule_problem(expression),
                _time_zone_prop_problem(schedule),
                _parameter_value_problem(parameters),
                expect_str("description", description),
                expect_bool("enabled", enabled),
                None
                if not isinstance(description, str)
                or is_unresolved(description)
                or len(description) <= MAX_SCHEDULE_DESCRIPTION
                else Problem(
                    None,
                    "description",
                    f"{len(description)} characters, longer than {MAX_SCHEDULE_DESCRIPTION}",
                ),
                *_retry_problems(retry_attempts, max_event_age),
                _dead_letter_queue_problem(dead_letter_queue, root_of(self), self, schedule=True),
                _role_problem(
                    role,
                    self,
                    "the schedule",
                    "EventBridge Scheduler",
                    "CreateSchedule passes it",
                ),
            ],
            lambda: f"PipelineSchedule {self.node.path}",
        )
        values = dict(parameters or {})
        _check_parameters(pipeline, values, lambda: self.node.path, event_paths=False)
        self.dead_letter_queue = dead_letter_queue or _dead_letter_queue(self, "DeadLetterQueue")
        # Read only for a queue given: the schedule's own queue is of its account.
        queue_account = dead_letter_queue.env.account if dead_letter_queue is not None else None
        own_account = account_region(self)[0]
        if (
            dead_letter_queue is not None
            and not is_unresolved(queue_account)
            and not is_unresolved(own_account)
            and queue_account != own_account
        ):
            # The role may send (aws-cdk-lib grants it), but another account's queue must
            # also admit it in its policy, which is that account's to write.
            _warn_unwritable_queue_policy(self, dead_letter_queue, "this schedule's role")
        # As aws-cdk-lib's scheduler targets do for the roles they create: only schedules of
        # this account's default group (this schedule's) may use the role.
        group_arn = _default_schedule_group_arn(self)
        self.role: iam.IRole = role or _service_role(
            self,
            "Role",
            SCHEDULER_PRINCIPAL,
            f"Starts {pipeline.pipeline_name} on schedule",
            source_arn=group_arn,
        )
        if role is not None and _refuses_policy_updates(role):
            # aws-cdk-lib's target grants the start through pipeline.grant_…: this
            # schedule's own warning says what the role must allow, and trust.
            warned_elsewhere(pipeline, role)
        target = scheduler_targets.SageMakerStartPipelineExecution(
            pipeline,
            pipeline_parameter_list=[
                scheduler_targets.SageMakerPipelineParameter(name=name, value=value)
                for name, value in values.items()
            ],
            role=self.role,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age or hours(2),
        )
        if role is None:
            # aws-cdk-lib's scheduler target grants inline on our role: the start, and the
            # dead letters (Scheduler sends them with the schedule's role). A given role's
            # inline policy is its owner's to judge: it may hold more.
            acknowledge_in_packs(
                self.role,
                "IAMNoInlinePolicy",
                "the scheduler target adds two inline statements: "
                "sagemaker:StartPipelineExecution on this pipeline only, and sqs:SendMessage "
                "on this schedule's dead-letter queue only",
            )
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule=schedule,
            target=target,
            description=description or f"Starts SageMaker pipeline {pipeline.pipeline_name}",
            enabled=enabled,
        )
        created_arn = created_role_arn(self.role)
        if created_arn is not None:
            # customize_roles(prevent_synthesis=False): aws-cdk-lib's target names no role.
            cfn_schedule = node_of(self.schedule).default_child
            assert isinstance(cfn_schedule, scheduler.CfnSchedule)
            cfn_schedule.add_property_override("Target.RoleArn", created_arn)
        if role is not None:
            # After the schedule: binding its target is what attaches the grants.
            _use_given_role(
                self,
                role,
                principal=SCHEDULER_PRINCIPAL,
                service="EventBridge Scheduler",
                conditions={"aws:SourceAccount": own_account, "aws:SourceArn": group_arn},
                allows=[
                    (
                        "sagemaker:StartPipelineExecution",
                        arn_spellings(pipeline.pipeline_arn, pipeline.pipeline_name),
                    ),
                    ("sqs:SendMessage", [self.dead_letter_queue.queue_arn]),
                ],
                attached_in=f"policy {node_of(role).path}/Policy",
                fails="the schedule can't start the pipeline",
            )
        if expression is not None and not is_unresolved(expression):
            _warn_frequent_schedule(self, pipeline, expression)
            _warn_scheduled_cache_hits(self, pipeline, expression, values)


# Runs closer than this are warned. Each run is a new pipeline execution, and its first
# SageMaker job alone takes minutes to provision its instances: runs this close pile up
# executions (and their jobs' costs) faster than any of them finishes.
FREQUENT_SCHEDULE = dt.timedelta(minutes=5)


def _warn_frequent_schedule(
    schedule: PipelineSchedule, pipeline: sagemaker.IPipeline, expression: str
) -> None:
    """Warn (``frequent-schedule``) of runs that may come less than five minutes apart."""
    spacing = shortest_spacing(expression)
    if spacing is None or spacing >= FREQUENT_SCHEDULE:
        return
    minutes = int(spacing.total_seconds() // 60)
    Annotations.of(schedule).add_warning_v2(
        f"{WARNING_PREFIX}:frequent-schedule",
        f"Schedule {schedule.node.path} ({expression}) starts pipeline "
        f"{node_of(pipeline).path} every {minutes} minute{'s' if minutes > 1 else ''}: "
        "each run is a new execution, whose jobs take minutes to start, so executions "
        "pile up (each billed for its jobs) faster than they finish. Schedule it at the "
        "pace its data arrives (a cron() at fixed times, or rate(n hours)), or start it "
        "on new data with a NewDataTrigger.",
    )


def _warn_scheduled_cache_hits(
    schedule: PipelineSchedule,
    pipeline: sagemaker.IPipeline,
    expression: str,
    values: Mapping[str, str],
) -> None:
    """Warn of cached steps that every run of a recurring schedule would find cached.

    A schedule passes the same parameter values every time, and SageMaker's cache key is a
    step's arguments with the parameters resolved, not the data they point to: a cached step
    whose key holds only literals and parameters hands each run within its ``ExpireAfter``
    the first run's results, however the data at its input locations changed. A one-off
    ``at()`` schedule runs once; one whose runs come further apart than the expiry (a
    ``rate()`` longer than it, a daily ``cron()`` of an hour's cache) never hits.
    """
    if AT.fullmatch(expression):
        return  # a single run
    _warn_cache_hits(
        schedule,
        pipeline,
        values,
        period=schedule_period(expression),  # None: its runs may come a minute apart
        varying=(),
        starts=f"Schedule {schedule.node.path} ({expression}) starts pipeline "
        f"{node_of(pipeline).path} with the same parameter values every run",
        holds="holds only literals and parameters",
        remedy="pass a value that changes per run",
    )


def _warn_cache_hits(
    starter: Construct,
    pipeline: sagemaker.IPipeline,
    values: Mapping[str, str],
    *,
    period: dt.timedelta | None,
    varying: Collection[str],
    starts: str,
    holds: str,
    remedy: str,
) -> None:
    """Warn (``scheduled-cache-hit``) of cached steps each run ``starter`` starts may hit.

    ``values`` are the parameter values it passes, ``varying`` those of them that change per
    run (a new-data trigger's key: its bucket parameter always names the watched bucket),
    ``period`` the least time between two runs (``None``: any). ``starts``, ``holds`` and
    ``remedy`` are the message's parts that differ between a schedule and a trigger.
    """
    definition = getattr(pipeline, "definition", None)
    if not isinstance(definition, dict):
        return  # an imported pipeline: nothing to judge
    invariant = run_invariant_cached_steps(definition.get("Steps"), varying)
    hit = [step for step in invariant if _may_hit(step.expire_after, period)]
    sources = [step for step in hit if not step.fed_by]
    if not sources:
        return
    known = {
        entry["Name"]: str(entry["DefaultValue"])
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping) and "DefaultValue" in entry
    }
    resolved = {**known, **values}
    followers = [step.name for step in hit if step.fed_by]
    lines = []
    for step in sources:
        expiry = (
            "no ExpireAfter: cached without a time limit"
            if step.expire_after is None
            # A token's placeholder says nothing to the reader.
            else "ExpireAfter known at deploy time"
            if is_unresolved(step.expire_after)
            else f"ExpireAfter {step.expire_after}"
        )
        reads = ", ".join(_location_text(uri, resolved) for uri in step.reads)
        lines.append(f"'{step.name}' ({expiry}" + (f"; reads {reads}" if reads else "") + ")")
    Annotations.of(starter).add_warning_v2(
        f"{WARNING_PREFIX}:scheduled-cache-hit",
        f"{starts}, and the cache key of step(s) {'; '.join(lines)} {holds}: each run "
        "within that time reuses the step's results"
        + (
            f" (and so those of {', '.join(followers)}, fed only by cached steps)"
            if followers
            else ""
        )
        + ", even when the data at those locations changed. Remove the step's cache_config, "
        "read an immutable location (a dated prefix per batch) rather than one whose content "
        f"changes, or {remedy}.",
    )


def _may_hit(expire_after: object, period: dt.timedelta | None) -> bool:
    """Whether a run ``period`` (or more) after another may still find its step cached."""
    if period is None or not isinstance(expire_after, str) or not is_expire_after(expire_after):
        return True  # cron(), no limit, a token or a malformed value (validation says so)
    # Equal may hit: the earlier run's step started (and ended) after its execution did,
    # by more than the next one's step may lag its own start.
    return period <= parse_expire_after(expire_after)


def _location_text(value: object, parameters: Mapping[str, str]) -> str:
    """An S3 location of a definition for a message: ``s3://…/curated/``.

    Parameters read as ``parameters`` gives them (the schedule's value, else the default);
    a deploy-time token (a bucket of the app) is written ``…``.
    """
    if isinstance(value, str):
        return _TOKEN.sub("…", value)
    if isinstance(value, Mapping):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Parameters."):
            name = reference.removeprefix("Parameters.")
            return _TOKEN.sub("…", parameters[name]) if name in parameters else f"{{{name}}}"
        join = value.get("Std:Join")
        if isinstance(join, Mapping) and isinstance(join.get("Values"), list):
            on = join.get("On")
            return (on if isinstance(on, str) else "").join(
                _location_text(item, parameters) for item in join["Values"]
            )
    return describe_value(value)


def _time_zone_prop_problem(schedule: object) -> Problem | None:
    """A schedule whose time zone EventBridge Scheduler would refuse at deploy time."""
    if not isinstance(schedule, scheduler.ScheduleExpression):
        return None
    time_zone = schedule.time_zone
    name = None if time_zone is None else time_zone.timezone_name
    if name is None or is_unresolved(name):
        return None
    problem = time_zone_problem(name)
    if problem is None or name in _cdk_time_zone_names():
        # A zone newer than this machine's time zone database, which aws-cdk-lib names.
        return None
    return Problem(None, "schedule", f"time zone {problem}")


@functools.cache
def _cdk_time_zone_names() -> frozenset[str]:
    """The names of aws-cdk-lib's ``TimeZone`` constants.

    A jsii round trip each: read only for a name this machine's time zone database lacks.
    """
    return frozenset(
        getattr(TimeZone, attribute).timezone_name
        for attribute in dir(TimeZone)
        if attribute.isupper()
    )


def _schedule_problem(expression: str | None) -> Problem | None:
    if expression is None or is_unresolved(expression):
        return None
    problem = schedule_expression_problem(expression)
    return Problem(None, "schedule", problem) if problem else None


@jsii.implements(events.IRuleTarget)
class SageMakerPipelineTarget:
    """An EventBridge rule target that starts a SageMaker pipeline with parameters.

    aws-cdk-lib has no such target (aws/aws-cdk#14887). Parameter values are literals or
    JSON paths into the event (a whole value, e.g. ``$.detail.object.key``); literal values
    are checked at synth as ``PipelineSchedule`` checks them. The target
    creates its role with a customer-managed policy allowing only
    ``sagemaker:StartPipelineExecution`` on the pipeline, and lets the rule write to the
    dead-letter queue: a standard queue of the rule's region, and of its account when
    created in this app (an imported one is warned, as this app can't write its policy).
    Those are checked when ``rule.add_target`` binds the target. Given ``role`` (as
    ``aws_events_targets`` targets take one), the rule's target runs as that role instead:
    a role of the rule's account whose trust policy admits ``events.amazonaws.com``; one
    of this app gets the managed policy, one imported is warned
    (``cdk-sagemaker-pipelines:given-role-permissions``) with what it must allow and trust.

    Example::

        rule.add_target(SageMakerPipelineTarget(pipeline,
                                                parameters={"InputDataKey": "$.detail.object.key"},
                                                dead_letter_queue=dlq, retry_attempts=3))
    """

    @check_keywords
    def __init__(
        self,
        pipeline: sagemaker.IPipeline,
        *,
        parameters: Mapping[str, str] | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        retry_attempts: int = 3,
        max_event_age: Duration | None = None,
        role: iam.IRole | None = None,
    ) -> None:
        """Create the target (see the class).

        :param role: the role EventBridge starts the pipeline with. Default: a role created
            under the rule (``<id>Role``), trusting ``events.amazonaws.com`` for this account
            (``aws:SourceAccount``), with a managed policy allowing only
            ``sagemaker:StartPipelineExecution`` on this pipeline. A given role must be of
            the rule's account; it gets that managed policy, unless imported with
            ``mutable=False`` (warned).
        """
        # Checked here, not in bind(): bind runs inside jsii, which would wrap our error.
        raise_for(
            [
                expect_interface(
                    "pipeline", pipeline, "an IPipeline", PIPELINE_INTERFACE, PIPELINE_HINT
                ),
                _parameter_value_problem(parameters),
                *_retry_problems(retry_attempts, max_event_age),
                _dead_letter_queue_problem(dead_letter_queue),
                _role_problem(role),
            ],
            "SageMakerPipelineTarget",
        )
        self.pipeline = pipeline
        self.parameters = dict(parameters or {})
        _check_parameters(pipeline, self.parameters, "SageMakerPipelineTarget")
        self.dead_letter_queue = dead_letter_queue
        self.retry_attempts = retry_attempts
        self.max_event_age = max_event_age or hours(2)
        self.role = role

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        """Render the target (called by ``rule.add_target``)."""
        # Checked here too: bind is public, and a rule of another kind would fail in jsii,
        # an id of another type name the target's role and policy after its repr.
        raise_for(
            [
                None
                if isinstance(rule, Construct) and hasattr(type(rule), "rule_ref")
                else PropProblem(
                    None,
                    "rule",
                    f"expected an events.Rule created in this app, got {describe(rule)}",
                    "rule.add_target(target) binds the target",
                ),
                expect_str("id", id),
            ],
            "SageMakerPipelineTarget.bind",
        )
        assert isinstance(rule, Construct)  # raise_for raised otherwise
        target_id = id or "Target0"
        # Checked before anything is created under the rule: a failed bind leaves it as it was.
        raise_for(
            [
                _dead_letter_queue_problem(self.dead_letter_queue, root_of(rule), rule),
                _role_problem(self.role, rule, "the rule", "EventBridge", "PutTargets passes it"),
            ],
            lambda: f"SageMakerPipelineTarget of rule {rule.node.path}",
        )
        parameters_at = _parameters_target(rule, target_id, self.parameters)
        rule_arn = rule.rule_ref.rule_arn
        role = self.role or _service_role(
            rule,
            f"{target_id}Role",
            EVENTS_PRINCIPAL,
            f"Starts SageMaker pipeline {self.pipeline.pipeline_name} from an event",
        )
        pipeline_arns = arn_spellings(self.pipeline.pipeline_arn, self.pipeline.pipeline_name)
        # A role imported with mutable=False gets nothing: aws-cdk-lib would still attach
        # a managed policy naming it in its Roles (the warning below says what it needs).
        if self.role is None or not _refuses_policy_updates(self.role):
            iam.ManagedPolicy(
                rule,
                f"{target_id}Policy",
                statements=[
                    iam.PolicyStatement(
                        actions=["sagemaker:StartPipelineExecution"], resources=pipeline_arns
                    )
                ],
                roles=[role],
            )
        if self.role is not None:
            _use_given_role(
                rule,
                self.role,
                principal=EVENTS_PRINCIPAL,
                service="EventBridge",
                conditions={"aws:SourceAccount": account_region(rule)[0]},
                allows=[("sagemaker:StartPipelineExecution", pipeline_arns)],
                attached_in=f"managed policy {rule.node.path}/{target_id}Policy",
                fails="the rule can't start the pipeline",
            )
        dead_letter_config = None
        if self.dead_letter_queue is not None:
            queue_arn = self.dead_letter_queue.queue_arn  # read once: a jsii round trip
            added = self.dead_letter_queue.add_to_resource_policy(
                iam.PolicyStatement(
                    # Unique per rule (one queue may be the DLQ of several rules' targets),
                    # from the rule's logical id: the same in every stage of the app.
                    sid=f"AllowEventRule{_logical_id(rule)}{target_id}",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
                )
            )
            if not added.statement_added:
                _warn_unwritable_queue_policy(
                    rule,
                    self.dead_letter_queue,
                    "events.amazonaws.com (condition aws:SourceArn = this rule's ARN)",
                )
            dead_letter_config = events.CfnRule.DeadLetterConfigProperty(arn=queue_arn)
        if parameters_at is not None:
            _set_pipeline_parameters(*parameters_at, self.parameters)
        created_arn = created_role_arn(role)
        if created_arn is not None:
            # customize_roles(prevent_synthesis=False): aws-cdk-lib's RoleArn names no role.
            cfn_rule, index = _target_at(rule, target_id)
            cfn_rule.add_property_override(f"Targets.{index}.RoleArn", created_arn)
        return events.RuleTargetConfig(
            arn=self.pipeline.pipeline_arn,
            role=role,
            dead_letter_config=dead_letter_config,
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=self.retry_attempts,
                maximum_event_age_in_seconds=int(self.max_event_age.to_seconds()),
            ),
            target_resource=self.pipeline,
        )


def _logical_id(construct: Construct) -> str:
    """The logical id of ``construct``'s CloudFormation resource, as a plain string."""
    element = node_of(construct).default_child
    assert isinstance(element, CfnElement)
    stack = stack_of(construct)
    return str(stack.resolve(stack.get_logical_id(element)))


def _parameters_target(
    rule: Construct, target_id: str, parameters: Mapping[str, str]
) -> tuple[events.CfnRule, str] | None:
    """Where a target's parameters go: the L1 rule and the target's index (None: none).

    ``RuleTargetConfig`` has no SageMaker parameters yet (aws/aws-cdk#14887): they are set
    on the L1 rule, at this target's index, which ``rule.add_target`` binds as
    ``Target<index>``.
    """
    if not parameters:
        return None
    return _target_at(rule, target_id, "with parameters", "the parameters are")


def _target_at(
    rule: Construct,
    target_id: str,
    needing: str = "with a role of customize_roles(prevent_synthesis=False)",
    what: str = "its RoleArn is",
) -> tuple[events.CfnRule, str]:
    """The L1 rule and the index of the target ``rule.add_target`` binds as ``target_id``."""
    match = re.fullmatch(r"Target(\d+)", target_id)
    cfn_rule = node_of(rule).default_child
    if match is None or not isinstance(cfn_rule, events.CfnRule):
        raise PipelineDefinitionError(
            # The rule may well be of this app: what fails is the id, or the rule's kind.
            f"SageMakerPipelineTarget {needing} must be added with rule.add_target(…) to "
            f"an events.Rule created in this app (got target id {target_id!r} on "
            f"{rule.node.path}; add_target binds it as Target<index>, where {what} "
            "set)"
        )
    return cfn_rule, match.group(1)


def _set_pipeline_parameters(
    cfn_rule: events.CfnRule, index: str, parameters: Mapping[str, str]
) -> None:
    """The one escape hatch: the parameters, at this target's index only."""
    cfn_rule.add_property_override(
        f"Targets.{index}.SageMakerPipelineParameters",
        {"PipelineParameterList": [{"Name": k, "Value": v} for k, v in parameters.items()]},
    )


def _prefix_problem(prefix: str) -> Problem | None:
    """A key prefix: S3 object keys start neither with '/' nor with the bucket's URI."""
    if is_unresolved(prefix):
        return None
    if prefix.startswith("s3://"):
        return Problem(
            None,
            "prefix",
            f"{prefix!r} is a URI; the rule matches object keys",
            "pass the bucket as bucket= and the key prefix alone, e.g. 'incoming/'",
        )
    if prefix.startswith("/"):
        return Problem(
            None,
            "prefix",
            f"{prefix!r} starts with '/', which no object key does",
            f"write {prefix.lstrip('/')!r}",
        )
    return None


def _warn_prefix_wildcard(scope: Construct, prefix: str) -> None:
    """A prefix with ``*`` or ``?``: EventBridge matches it letter for letter.

    'incoming/*.csv' matches only keys that begin with those very characters, which S3
    allows but hardly any key has: most likely a glob, under which the rule never fires.
    """
    if is_unresolved(prefix):
        return
    wildcard = next((character for character in "*?" if character in prefix), None)
    if wildcard is None:
        return
    literal = prefix.split(wildcard, 1)[0]
    Annotations.of(scope).add_warning_v2(
        f"{WARNING_PREFIX}:trigger-prefix-wildcard",
        f"prop 'prefix': {prefix!r} holds {wildcard!r}, which the rule matches literally, not "
        f"as a wildcard (give the literal beginning of the keys, e.g. {literal!r}; if the keys "
        "do hold it, acknowledge this warning)",
    )


def _event_parameter_problems(
    key_parameter: object, bucket_parameter: object, parameters: object
) -> list[Problem | None]:
    """The key and bucket parameters take values from the event: no other value for them."""
    if bucket_parameter is not None and bucket_parameter == key_parameter:
        return [
            Problem(
                None,
                "bucket_parameter",
                f"{bucket_parameter!r} is also the key_parameter; one parameter can't get both",
            )
        ]
    given = parameters if isinstance(parameters, Mapping) else {}
    return [
        Problem(
            None,
            "parameters",
            f"sets {name!r}, which gets its value from the event as {prop}",
            f"leave {name!r} out of parameters",
        )
        for prop, name in (("key_parameter", key_parameter), ("bucket_parameter", bucket_parameter))
        # A name of another type (a list) is reported by its own check.
        if isinstance(name, str) and name in given
    ]


class NewDataTrigger(Construct):
    """Start a pipeline when an object is created under ``prefix`` in ``bucket``.

    The object's key goes to the pipeline parameter ``key_parameter`` (and the bucket name
    to ``bucket_parameter`` if given); EventBridge can only pass whole values from the
    event, so pipelines build the URI with ``Join``. Deliveries are retried, then sent to
    an encrypted dead-letter queue. For a bucket created in this app, EventBridge
    notifications are switched on through the bucket's own properties (no custom
    resource); an imported bucket must have them on already. Synth fails when the runs
    would read the key from another bucket than ``bucket``, when the definition uses the
    key as a whole URI or as the bucket, when keys under ``prefix`` are outside the key
    parameter's ``parameter_locations``, and on the parameter values ``PipelineSchedule``
    rejects. ``prefix`` is the literal beginning of the keys (EventBridge matches it letter
    for letter: a ``*`` or ``?`` is warned), and an imported bucket of another account or
    region is warned: S3 sends its events to EventBridge there, and this rule sees them
    only if that bus forwards them here. ``dead_letter_queue`` is checked and warned as
    for ``SageMakerPipelineTarget``, and so is ``role``: the role the rule's target starts
    the pipeline with, instead of one it creates.

    Example::

        NewDataTrigger(self, "OnNewData", pipeline=pipeline, bucket=data_bucket,
                       prefix="incoming/", key_parameter="InputDataKey")
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: sagemaker.IPipeline,
        bucket: s3.IBucket,
        prefix: str,
        key_parameter: str,
        bucket_parameter: str | None = None,
        parameters: Mapping[str, str] | None = None,
        retry_attempts: int = 3,
        max_event_age: Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        role: iam.IRole | None = None,
    ) -> None:
        """Create the trigger (see the class).

        :param role: the role EventBridge starts the pipeline with (``SageMakerPipelineTarget``'s
            ``role``). Default: one created under the rule (``Rule/Target0Role``).
        """
        check_new_child("NewDataTrigger", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        raise_for(
            [
                expect_interface(
                    "pipeline", pipeline, "an IPipeline", PIPELINE_INTERFACE, PIPELINE_HINT
                ),
                expect_interface(
                    "bucket",
                    bucket,
                    "an s3.IBucket",
                    ("bucket_name", "bucket_arn"),
                    "an s3.Bucket, or s3.Bucket.from_bucket_name(self, 'Data', name)",
                )
                or expect_same_app(
                    "bucket",
                    bucket,
                    root_of(self),
                    "create the bucket in this app, or s3.Bucket.from_bucket_name(self, 'Data', "
                    "name)",
                )
                or other_stage_problem(
                    "bucket",
                    bucket,
                    self,
                    "the trigger",
                    "create the trigger in a stack of that stage",
                    "s3.Bucket.from_bucket_name",
                ),
                expect_str("prefix", prefix, optional=False) or _prefix_problem(prefix),
                expect_str("key_parameter", key_parameter, optional=False),
                expect_str("bucket_parameter", bucket_parameter),
                _parameter_value_problem(parameters),
                *_event_parameter_problems(key_parameter, bucket_parameter, parameters),
                *_retry_problems(retry_attempts, max_event_age),
                _dead_letter_queue_problem(dead_letter_queue, root_of(self), self),
                _role_problem(role, self, "the rule", "EventBridge", "PutTargets passes it"),
            ],
            lambda: f"NewDataTrigger {self.node.path}",
        )
        if not isinstance(bucket, s3.Bucket):
            warn_forwarded_events(
                self,
                f"{WARNING_PREFIX}:rule-of-another-environment",
                environment_problem(
                    "bucket",
                    bucket,
                    self,
                    "S3 sends its events to EventBridge in the bucket's own account and region",
                    "create the trigger in a stack of the bucket's account and region",
                ),
            )
        _warn_prefix_wildcard(self, prefix)
        values = dict(parameters or {})
        values[key_parameter] = "$.detail.object.key"
        if bucket_parameter is not None:
            values[bucket_parameter] = "$.detail.bucket.name"
        from_event = [key_parameter] + ([bucket_parameter] if bucket_parameter else [])
        _check_parameters(
            pipeline,
            values,
            lambda: self.node.path,
            from_event,
            event_key=(key_parameter, prefix) if isinstance(prefix, str) else None,
            props={key_parameter: "key_parameter", bucket_parameter or "": "bucket_parameter"},
        )
        self._check_bucket(pipeline, bucket, key_parameter, bucket_parameter, values)
        # Only the event's key changes per run: the rule watches one bucket, so the bucket
        # parameter gets the same name every run, like the other values. Objects may arrive
        # a second apart, so any expiry may be hit.
        passed = f"the new object's key in {key_parameter}" + (
            f" and its bucket in {bucket_parameter}" if bucket_parameter else ""
        )
        fixed = {name: value for name, value in values.items() if name not in from_event}
        if bucket_parameter is not None:
            fixed[bucket_parameter] = _watched_bucket_text(bucket.bucket_name)
        _warn_cache_hits(
            self,
            pipeline,
            fixed,
            period=None,
            varying=[key_parameter],
            starts=f"Trigger {self.node.path} (new objects under {_TOKEN.sub('…', prefix)}) "
            f"starts pipeline {node_of(pipeline).path} with {passed}, the same values for "
            "the other parameters",
            holds=f"holds only literals and parameters other than {key_parameter}",
            remedy=f"join {key_parameter} into the location the step reads",
        )
        if isinstance(bucket, s3.Bucket):
            enable_event_bridge_notifications(bucket)
        else:
            # S3 sends no events to EventBridge until the bucket says so, and an imported
            # bucket's configuration can't be changed here: the rule would never match.
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:trigger-imported-bucket",
                f"The watched {_shown_bucket(bucket.bucket_name)} is imported, so the trigger "
                "can't turn on its EventBridge notifications: unless they are on, no new "
                "object starts the pipeline. Turn them on where the bucket is "
                'managed ("Send notifications to Amazon EventBridge" in its properties; '
                "NotificationConfiguration.EventBridgeConfiguration in CloudFormation), then "
                "acknowledge this warning.",
            )
        self.dead_letter_queue = dead_letter_queue or _dead_letter_queue(self, "DeadLetterQueue")
        self.rule = events.Rule(
            self,
            "Rule",
            description=f"New data under {prefix} starts SageMaker pipeline",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [bucket.bucket_name]},
                    "object": {"key": [{"prefix": prefix}]},
                },
            ),
        )
        placed(self.rule, self)  # its target's bind checks the queue against the rule's app
        self.rule.add_target(
            SageMakerPipelineTarget(
                pipeline,
                parameters=values,
                dead_letter_queue=self.dead_letter_queue,
                retry_attempts=retry_attempts,
                max_event_age=max_event_age,
                role=role,
            )
        )

    def _check_bucket(
        self,
        pipeline: sagemaker.IPipeline,
        bucket: s3.IBucket,
        key_parameter: str,
        bucket_parameter: str | None,
        values: Mapping[str, str],
    ) -> None:
        """The runs must read the new object from the bucket this trigger watches.

        The event gives the key; the pipeline joins it into a location whose bucket the
        definition sets (a name, or a parameter: ``bucket_parameter`` or its default).
        Another bucket there means every run reads a key that isn't there (or an older
        object with that key). Where the names are only known at deploy time and can't be
        told apart, a warning says so.
        """
        plan = getattr(pipeline, "plan", None)
        if not isinstance(plan, PermissionPlan):
            return  # an imported pipeline: its definition is unknown
        definition = getattr(pipeline, "definition", {})
        defaults = {
            entry.get("Name"): entry.get("DefaultValue")
            for entry in definition.get("Parameters", [])
        }
        watched = bucket.bucket_name
        problems: list[Problem] = []
        unknown: list[str] = []
        for use in plan.parameter_uses:
            if use.parameter != key_parameter:
                continue
            if use.part in ("uri", "bucket"):
                problems.append(
                    Problem(
                        None,
                        "key_parameter",
                        f"{key_parameter!r} gets the new object's key (e.g. 'incoming/data.csv'), "
                        f"but {use.where} uses it as "
                        + ("a whole S3 URI" if use.part == "uri" else "the bucket after 's3://'"),
                        "join the key into a URI: Join(on='', values=['s3://', bucket, '/', key])",
                    )
                )
                continue
            if use.part != "key" or use.bucket is None:
                continue  # the bucket comes from another expression: nothing to compare
            bucket_source = use.bucket.removeprefix("Parameters.")
            if bucket_parameter is not None:
                if use.bucket != f"Parameters.{bucket_parameter}":
                    problems.append(
                        Problem(
                            None,
                            "bucket_parameter",
                            f"{bucket_parameter!r} gets the bucket's name, but {use.where} reads "
                            f"the key from {_shown_bucket(use.bucket)}, not from "
                            f"{bucket_parameter}: the name passed is ignored there",
                            f"join {bucket_parameter} into that location as its bucket",
                        )
                    )
                continue
            source = use.bucket
            if use.bucket.startswith("Parameters."):
                # Set by this trigger's parameters, or else the parameter's default.
                source = values.get(bucket_source) or defaults.get(bucket_source) or ""
                if not isinstance(source, str) or not source or source.startswith("$."):
                    continue
            same = _same_bucket(source, watched)
            if same is None:
                unknown.append(f"{use.where} reads from {_shown_bucket(use.bucket)}")
            elif not same:
                via = f" (parameter {bucket_source} = {source!r})" if use.bucket != source else ""
                problems.append(
                    Problem(
                        None,
                        "bucket",
                        f"the trigger watches {_shown_bucket(watched)}, but {use.where} reads "
                        f"the object's key from {_shown_bucket(use.bucket)}{via}: runs would "
                        "look for the new object in the wrong bucket",
                        "trigger on the bucket the pipeline reads, or join a bucket parameter "
                        "into the location and name it in bucket_parameter=",
                    )
                )
        if bucket_parameter is not None and not problems:
            problems += self._bucket_location_problems(pipeline, bucket_parameter, watched)
        raise_for(problems, lambda: f"NewDataTrigger {self.node.path}")
        if unknown:
            Annotations.of(self).add_warning_v2(
                f"{WARNING_PREFIX}:trigger-bucket",
                f"The trigger watches {_shown_bucket(watched)}, but "
                f"{'; '.join(unknown)}, and it can't be told at synth whether they are the "
                "same bucket: if not, runs look for the new object in the wrong bucket.",
            )

    def _bucket_location_problems(
        self, pipeline: sagemaker.IPipeline, bucket_parameter: str, watched: str
    ) -> list[Problem]:
        """The watched bucket's name must lie in the bucket parameter's parameter_locations."""
        declared = getattr(pipeline, "_parameter_locations", {}).get(bucket_parameter)
        if declared is None:
            return []
        patterns = [declared] if isinstance(declared, str) else list(declared)
        # Unless each pattern surely leaves the bucket out, it may be included: a pattern
        # that matches it, a wildcard or a deploy-time name (can't tell).
        if not all(_same_bucket(pattern, watched) is False for pattern in patterns):
            return []
        return [
            Problem(
                None,
                "bucket",
                f"the trigger passes {_shown_bucket(watched)} to {bucket_parameter!r}, whose "
                f"parameter_locations ({', '.join(patterns)}) don't include it: the step role "
                "may not read it, so the runs would fail",
                "add the bucket's name to the Pipeline's parameter_locations for "
                f"{bucket_parameter!r}",
            )
        ]


def _bucket_identity(name: str) -> tuple[str, str] | None:
    """What a bucket name is known to be at synth: ("name", its name) or ("bucket", path).

    A literal is a name; a reference to a bucket of this app is that bucket, or its name
    when it was given one. Anything else (a parameter, an import) is unknown: None.
    """
    if not is_unresolved(name):
        return ("name", name)
    fragments = Tokenization.reverse_string(name)
    if fragments.length != 1:
        return None
    target = getattr(fragments.first_token, "target", None)
    if not isinstance(target, s3.CfnBucket):
        return None
    given = Stack.of(target).resolve(target.bucket_name)
    if isinstance(given, str):
        return ("name", given)
    # The s3.Bucket's path (Data), not its L1's (Data/Resource).
    owner = target.node.scope if target.node.id == "Resource" else None
    return ("bucket", owner.node.path if owner is not None else target.node.path)


def _same_bucket(first: str, second: str) -> bool | None:
    """Whether two bucket names (patterns allowed in ``first``) are the same; None if unknown."""
    if first == second:
        return True
    if not is_unresolved(first) and ("*" in first or "?" in first):
        if is_unresolved(second):
            return None
        return _iam_pattern(first).fullmatch(second) is not None
    known = _bucket_identity(first), _bucket_identity(second)
    if known[0] is None or known[1] is None:
        return None
    if known[0][0] != known[1][0]:
        # A literal name and a bucket CloudFormation names: the literal may be the deployed
        # name (<stack name>-<logical id>-<suffix>, lowercased), written into a definition.
        name, bucket = (first, second) if known[0][0] == "name" else (second, first)
        prefix = _generated_name_prefix(bucket)
        if prefix is None or name.startswith(prefix):
            return None
        return False
    return known[0] == known[1]


# CloudFormation fits a generated bucket name in 63 characters by cutting the stack name
# and the logical id: the stack name keeps at least its first 25 characters.
_GENERATED_NAME_STACK_PART = 25


def _generated_name_prefix(name: str) -> str | None:
    """How CloudFormation starts the name of this app bucket: ``<stack name>-``, lowercased.

    A stack name too long to fit whole is cut, to its first 25 characters at the least.
    """
    fragments = Tokenization.reverse_string(name)
    target = getattr(fragments.first_token, "target", None) if fragments.length == 1 else None
    if not isinstance(target, s3.CfnBucket):
        return None
    stack_name = Stack.of(target).stack_name
    if is_unresolved(stack_name):
        return None
    if len(stack_name) > _GENERATED_NAME_STACK_PART:
        return stack_name.lower()[:_GENERATED_NAME_STACK_PART]
    return f"{stack_name.lower()}-"


def _watched_bucket_text(name: str) -> str:
    """A watched bucket as a message's locations show it: its name, else ``<its path>``.

    A bucket CloudFormation names is known only by its construct path; an imported name
    given at deploy time stays a token, which the message writes ``…``.
    """
    identity = _bucket_identity(name)
    if identity is None:
        return name
    kind, value = identity
    return value if kind == "name" else f"<{value}>"


def _shown_bucket(name: str) -> str:
    """A bucket for a message: its name, its construct path, or what gives it."""
    if name.startswith("Parameters."):
        return f"the bucket in parameter {name.removeprefix('Parameters.')}"
    identity = _bucket_identity(name) if isinstance(name, str) else None
    if identity is None:
        return "a bucket named at deploy time"
    kind, value = identity
    return f"bucket {value!r}" if kind == "name" else f"bucket {value}"


def _emails_problem(emails: object) -> Problem | None:
    problem = expect_strings("emails", emails)
    if problem is not None or not isinstance(emails, (list, tuple)):
        return problem
    wrong = [email for email in emails if not is_unresolved(email) and not EMAIL.fullmatch(email)]
    if wrong:
        return Problem(
            None, "emails", f"expected email addresses, got {', '.join(repr(e) for e in wrong)}"
        )
    # Each address is a subscription with the address as its id: jsii fails on the second.
    repeated = sorted({email for email in emails if emails.count(email) > 1})
    if repeated:
        return Problem(
            None,
            "emails",
            f"lists {', '.join(repr(email) for email in repeated)} more than once",
            "list each address once",
        )
    return None


class PipelineFailureNotifications(Construct):
    """Publish a readable message to an encrypted, TLS-only SNS topic when a run fails or stops.

    Each message says what happened and gives the command to paste next (region included):

    - a failed execution: its ARN, when it started and ended, and the command listing its
      steps' statuses and reasons;
    - each failed step (``notify_failed_steps``, Default True): the step's name, type and
      ``FailureReason``, the execution's ARN and the command printing the step's job
      (``Metadata``). A Fail step of the pipeline (``FailStep``: a quality gate such as
      ``AccuracyTooLow``) gets a message of its own: the pipeline stopped the run on
      purpose, its ErrorMessage says why, and it is no outage. SageMaker gives a Fail step
      without ErrorMessage no reason at all: its message says so, with where the step sits
      and the command showing which condition chose it;
    - any other status of ``statuses`` (``Stopped``): the run's ARN, that no step failed
      (``StopPipelineExecution`` stopped it) and the command listing its parameters.

    So a failed run sends two messages, its failed step's and the execution's, which says
    it is the run's end and that the step's says why. Only the step's event carries a step
    and a reason; the execution's carries neither (nor whether a step failed), and an
    EventBridge rule judges one event at a time: no pattern can keep the execution's
    message for the runs that failed without a failed step only, so it is sent for every
    failed run, as the page nothing else would send. Each is a rule of its own (``rule``,
    ``status_rule``, ``failed_step_rule``, ``fail_step_rule``,
    ``fail_step_without_message_rule``), and the topic's policy admits exactly these rules,
    in one statement (``aws:SourceArn``). Fail steps whose names outgrow EventBridge's
    2,048-character event pattern are cut over several rules (``fail_step_rules``,
    ``fail_step_without_message_rules``), the other steps' rule then matching by
    ``stepType``.

    The topic is in this stack's account and region (the rules publish without a role);
    a pipeline of another account or region is warned, as SageMaker sends its execution
    events to EventBridge there and these rules see them only if that bus forwards them.

    Example::

        notifications = PipelineFailureNotifications(self, "Alerts", pipeline=pipeline,
                                                     emails=["ml-oncall@example.com"])
    """

    @check_keywords
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: sagemaker.IPipeline,
        topic: sns.ITopic | None = None,
        emails: Sequence[str] = (),
        statuses: Sequence[str] = ("Failed", "Stopped"),
        notify_failed_steps: bool = True,
    ) -> None:
        """Create the topic (unless ``topic``) and the rules.

        :param statuses: the execution statuses to notify. Default: ``Failed`` and
            ``Stopped``.
        :param notify_failed_steps: with ``Failed`` among ``statuses``, a message per failed
            step, naming it and its reason (a Fail step's worded as the pipeline's own
            decision). Default: True.
        """
        check_new_child("PipelineFailureNotifications", scope, construct_id)
        super().__init__(scope, construct_id)
        placed(self, scope)
        record_warnings_without_traces(self)
        raise_for(
            [
                expect_interface(
                    "pipeline", pipeline, "an IPipeline", PIPELINE_INTERFACE, PIPELINE_HINT
                ),
                expect_interface("topic", topic, "an sns.ITopic", ("topic_arn",))
                or expect_same_app(
                    "topic",
                    topic,
                    root_of(self),
                    "create it in this app, or sns.Topic.from_topic_arn(self, 'Alerts', arn)",
                )
                or other_stage_problem(
                    "topic",
                    topic,
                    self,
                    "the notifications",
                    "create the topic in a stack of this stage",
                    "sns.Topic.from_topic_arn",
                )
                if topic is not None
                else None,
                _emails_problem(emails),
                expect_names("statuses", statuses, PIPELINE_EXECUTION_STATUSES),
                expect_bool("notify_failed_steps", notify_failed_steps),
                rule_topic_environment_problem(self, topic) if topic is not None else None,
                fifo_topic_problem(topic, emails) if topic is not None else None,
            ],
            lambda: f"PipelineFailureNotifications {self.node.path}",
        )
        warn_forwarded_events(
            self,
            f"{WARNING_PREFIX}:rule-of-another-environment",
            _pipeline_events_problem(self, pipeline),
        )
        # A topic of another stack (a central alerts topic) can't refer to the rules' ARN
        # attributes without a dependency cycle: the rules are named, their ARNs written out.
        named = topic is not None and in_another_stack(self, topic)
        if topic is None:
            self.key = account_key(
                self,
                "Key",
                description="Encrypts SageMaker pipeline notifications",
                removal_policy=RemovalPolicy.DESTROY,
            )
            # EventBridge encrypts what it publishes: the rules' publishing (admit_rules)
            # lets it use the topic's key, this one included.
            topic = sns.Topic(
                self,
                "Topic",
                master_key=self.key,
                enforce_ssl=True,
                display_name="SageMaker pipeline failures",
            )
            placed(topic, self)
            # At synth, not now: emails= is one way to subscribe, topic.add_subscription
            # (a queue, a function, an HTTPS endpoint) after this construct another.
            node_of(self).add_validation(_NoSubscribers(self, topic))
        self.topic = topic
        failed = "Failed" in statuses
        if failed:
            note_notifications(self, topic, pipeline)
        for address in emails:
            topic.add_subscription(subscriptions.EmailSubscription(address))
        pipeline_name = pipeline.pipeline_name
        resources = arn_spellings(pipeline.pipeline_arn, pipeline_name)
        steps_notified = failed and notify_failed_steps
        fail_steps = _fail_steps(pipeline) if steps_notified else None
        fail_names = None if fail_steps is None else [step.name for step in fail_steps]
        # (construct id, rule name suffix, description, pattern, message), in the order
        # the topic's statement lists them. "Rule" keeps the id (and name) it always had.
        others = [status for status in statuses if status != "Failed"]
        planned: list[tuple[str, str, str, events.EventPattern, events.RuleTargetInput]] = []
        # The ids of the rules of each list of Fail steps, by the first's.
        paged: dict[str, list[str]] = {}
        if failed:
            planned.append(
                (
                    "Rule",
                    "",
                    f"Executions of {pipeline_name} that end Failed",
                    _execution_pattern(resources, ["Failed"]),
                    _failure_message(steps_notified),
                )
            )
        if others:
            planned.append(
                (
                    "Rule" if not failed else "StatusRule",
                    "" if not failed else "-status",
                    f"Executions of {pipeline_name} that are " + " or ".join(others),
                    _execution_pattern(resources, others),
                    _status_message(),
                )
            )
        if steps_notified:
            # A Fail step of the definition is the pipeline's own decision: worded apart.
            # An imported pipeline's steps are unknown: one rule, with a word on Fail steps.
            step_detail: dict[str, Any] = {"currentStepStatus": ["Failed"]}
            lead = f"Failed steps of {pipeline_name}"
            listing = (" other than its Fail steps (", fail_names or [], ")")
            # The ARNs at their longest, measured once (a token's costs a resolve).
            arn_lengths = [_longest_rendering(self, arn) for arn in resources]
            by_type = bool(fail_names) and not _pattern_fits(
                arn_lengths, {**step_detail, "stepName": [{"anything-but": fail_names}]}
            )
            if by_type:
                # Too many names for one pattern, and an anything-but list split over
                # rules would have each rule match the others' names: the step's type
                # instead, which the step's event carries (stepType). AWS's guide shows
                # it for a Processing step only; a Fail step's is taken to be its
                # definition Type, "Fail", as a Processing step's is. Should it differ,
                # a Fail step is sent twice, this rule's message saying what one is.
                step_detail["stepType"] = events.Match.anything_but("Fail")
                lead, listing = f"{lead} whose type is not Fail", ("", [], "")
            elif fail_names:
                step_detail["stepName"] = events.Match.anything_but(*fail_names)
            planned.append(
                (
                    "StepFailedRule",
                    "-step",
                    _rule_description(pipeline_name, lead, listing),
                    events.EventPattern(
                        source=["aws.sagemaker"],
                        resources=resources,
                        detail_type=[STEP_STATUS_CHANGE],
                        detail=step_detail,
                    ),
                    _failed_step_message(fail_steps_known=fail_steps is not None and not by_type),
                )
            )
            # A Fail step without ErrorMessage has no FailureReason (SageMaker leaves the
            # field out): its own rule says so, rather than "Why:" and nothing.
            explained = [step for step in fail_steps or [] if step.explained]
            silent = [step for step in fail_steps or [] if not step.explained]
            # Each list of names is cut into as many rules as EventBridge's pattern size
            # takes (the first keeps the id and name it always had): every Fail step pages.
            for pages, rule_id, suffix, lead, with_message in (
                (
                    _pages(arn_lengths, explained),
                    "FailStepRule",
                    "-fail-step",
                    f"The Fail steps of {pipeline_name}",
                    True,
                ),
                (
                    _pages(arn_lengths, silent),
                    "FailStepWithoutMessageRule",
                    "-fail-step-nomsg",
                    f"The Fail steps of {pipeline_name} without ErrorMessage",
                    False,
                ),
            ):
                for number, page in enumerate(pages, start=1):
                    names = [step.name for step in page]
                    part = f" (rule {number} of {len(pages)})" if len(pages) > 1 else ""
                    page_id = rule_id if number == 1 else f"{rule_id}{number}"
                    paged.setdefault(rule_id, []).append(page_id)
                    planned.append(
                        (
                            page_id,
                            suffix if number == 1 else f"{suffix}-{number}",
                            _rule_description(
                                pipeline_name, lead, (" (", names, f") stopping a run{part}")
                            ),
                            _step_pattern(resources, names),
                            _fail_step_message()
                            if with_message
                            else _silent_fail_step_message(
                                tuple(f"{step.name} ({step.place})" for step in page)
                            ),
                        )
                    )
        rules: dict[str, events.Rule] = {}
        source_arns: list[str] = []
        for rule_id, suffix, description, pattern, _ in planned:
            rule_name = (
                f"{unique_name(self, MAX_RULE_NAME - len(suffix))}{suffix}" if named else None
            )
            # In this construct, not the pipeline's scope: two notifications with one id
            # under different parents don't clash, and the rules live in this stack.
            rule = events.Rule(
                self,
                rule_id,
                rule_name=rule_name,
                description=description,
                event_pattern=pattern,
            )
            rules[rule_id] = rule
            source_arns.append(rule_source_arn(topic, rule, rule_name))
        first = rules[planned[0][0]]
        admit_rules(topic, first, source_arns)
        for (*_, message), rule in zip(planned, rules.values(), strict=True):
            rule.add_target(RuleTopicTarget(topic, message))
        self.rule: events.Rule = first
        """The rule of failed executions (of the first of ``statuses`` without ``Failed``)."""
        self.status_rule: events.Rule | None = rules.get("StatusRule")
        """With ``Failed``, the rule of the other ``statuses`` (None without any)."""
        self.failed_step_rule: events.Rule | None = rules.get("StepFailedRule")
        """The rule of failed steps (but the Fail steps), with ``notify_failed_steps``."""
        self.fail_step_rules: list[events.Rule] = [
            rules[rule_id] for rule_id in paged.get("FailStepRule", [])
        ]
        """The rules of the pipeline's Fail steps with an ErrorMessage, more than one when
        their names outgrow one event pattern ([] without any)."""
        self.fail_step_without_message_rules: list[events.Rule] = [
            rules[rule_id] for rule_id in paged.get("FailStepWithoutMessageRule", [])
        ]
        """The rules of the pipeline's Fail steps without ErrorMessage, as ``fail_step_rules``."""
        self.fail_step_rule: events.Rule | None = next(iter(self.fail_step_rules), None)
        """The first of ``fail_step_rules`` (None without any)."""
        self.fail_step_without_message_rule: events.Rule | None = next(
            iter(self.fail_step_without_message_rules), None
        )
        """The first of ``fail_step_without_message_rules`` (None without any)."""


# The longest description of an EventBridge rule (AWS::Events::Rule), and of a pipeline's
# name, which a name known at deploy time only may be.
_MAX_RULE_DESCRIPTION = 512
_MAX_PIPELINE_NAME = 256


def _rule_description(
    pipeline_name: str, lead: str, listing: tuple[str, Sequence[str], str]
) -> str:
    """``lead`` and ``listing`` (before, step names, after): as many names as fit 512 characters.

    Names that don't fit are counted instead (``… and 2 more``); the rule's pattern names
    every step. No names: ``lead`` alone.

    Example::

        _rule_description("churn", "Failed steps of churn", (" other than (", names, ")"))
    """
    before, names, after = listing
    if not names:
        return lead
    room = _MAX_RULE_DESCRIPTION - len(lead) - len(before) - len(after)
    if is_unresolved(pipeline_name):
        room -= _MAX_PIPELINE_NAME - len(pipeline_name)
    for count in range(len(names), 0, -1):
        more = len(names) - count
        listed = ", ".join(names[:count]) + (f" and {more} more" if more else "")
        if len(listed) <= room:
            return f"{lead}{before}{listed}{after}"
    return f"{lead}{before}{len(names)} steps{after}"


def _execution_pattern(resources: list[str], statuses: list[str]) -> events.EventPattern:
    return events.EventPattern(
        source=["aws.sagemaker"],
        resources=resources,
        detail_type=[EXECUTION_STATUS_CHANGE],
        detail={"currentPipelineExecutionStatus": statuses},
    )


def _step_pattern(resources: list[str], names: list[str]) -> events.EventPattern:
    """The pattern of the steps ``names`` of the pipeline failing."""
    return events.EventPattern(
        source=["aws.sagemaker"],
        resources=resources,
        detail_type=[STEP_STATUS_CHANGE],
        detail={"currentStepStatus": ["Failed"], "stepName": names},
    )


# EventBridge's quota "Event pattern size": "Maximum size of an event pattern, in
# characters", 2,048 in each Region by default (adjustable; "Amazon EventBridge quotas",
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). CloudFormation
# hands the template's EventPattern to PutRule as JSON text: a longer one fails the deploy.
_MAX_EVENT_PATTERN = 2048
# The longest a deploy-time part of a pipeline's ARN resolves to: a partition
# ("aws-us-gov", with room), a Region ("us-isob-east-1", with room), an account id; any
# other token is taken for a whole ARN with a pipeline name of SageMaker's 256 characters.
_LONGEST_PSEUDO_PARAMETER = {"AWS::Partition": 16, "AWS::Region": 25, "AWS::AccountId": 12}
_LONGEST_PIPELINE_ARN = (
    len("arn::sagemaker:::pipeline/") + sum(_LONGEST_PSEUDO_PARAMETER.values()) + _MAX_PIPELINE_NAME
)


def _longest_rendering(scope: Construct, value: str) -> int:
    """The length of ``value`` once deployed: its tokens at the longest they resolve to."""
    if not is_unresolved(value):
        return len(value)
    return _longest_resolved(Stack.of(scope).resolve(value))


def _longest_resolved(value: object) -> int:
    """The longest a resolved value (a string, ``Fn::Join`` or ``Ref``) deploys as."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return len(separator) * max(len(parts) - 1, 0) + sum(map(_longest_resolved, parts))
    if isinstance(value, Mapping) and value.get("Ref") in _LONGEST_PSEUDO_PARAMETER:
        return _LONGEST_PSEUDO_PARAMETER[value["Ref"]]
    return _LONGEST_PIPELINE_ARN  # a pipeline's Ref, an import's parameter: a whole ARN


def _pattern_fits(arn_lengths: Sequence[int], detail: Mapping[str, Any]) -> bool:
    """Whether a step pattern of ARNs so long and ``detail`` is within EventBridge's size.

    Measured as PutRule gets it: compact JSON, as CloudFormation writes the template's
    object (a pattern with spaces is no longer than this, names being plain ASCII), each
    ARN at its longest (a token at the longest it resolves to).

    Example::

        _pattern_fits([len(arn)], {"currentStepStatus": ["Failed"], "stepName": names})
    """
    rendered = {
        "source": ["aws.sagemaker"],
        "resources": ["-" * length for length in arn_lengths],
        "detail-type": [STEP_STATUS_CHANGE],
        "detail": detail,
    }
    return len(json.dumps(rendered, separators=(",", ":"))) <= _MAX_EVENT_PATTERN


def _pages(arn_lengths: Sequence[int], steps: Sequence[_FailStep]) -> list[list[_FailStep]]:
    """``steps`` in order, cut into as few runs as each fit one step pattern (_pattern_fits).

    One name always fits: two ARNs of at most 335 characters and a 64-character name are
    far from 2,048. No steps: no runs.
    """
    pages: list[list[_FailStep]] = []
    for step in steps:
        page = [*pages[-1], step] if pages else [step]
        detail = {"currentStepStatus": ["Failed"], "stepName": [each.name for each in page]}
        if pages and _pattern_fits(arn_lengths, detail):
            pages[-1] = page
        else:
            pages.append([step])
    return pages


@dataclass(frozen=True, slots=True)
class _FailStep:
    """A Fail step of the definition: whether it gives a reason, and where it sits."""

    name: str
    explained: bool
    place: str


def _fail_steps(pipeline: object) -> list[_FailStep] | None:
    """The pipeline's Fail steps ([] for none); None when unknown (imported)."""
    definition = getattr(pipeline, "definition", None)
    if not isinstance(definition, Mapping):
        return None
    return [
        _FailStep(
            spec.name,
            fail_step_message(spec.entry),
            "at the top level"
            if spec.condition is None
            else f"in the {'IfSteps' if spec.branch else 'ElseSteps'} of {spec.condition}",
        )
        for spec in walk_steps(definition.get("Steps") or [])
        if spec.step_type == "Fail"
    ]


@jsii.implements(IValidation)
class _NoSubscribers:
    """Warns at synth when the topic ``PipelineFailureNotifications`` created has no subscriber.

    A topic nobody subscribes to delivers every failure to no one, silently. Only the
    construct's own topic is judged: a given or imported topic is subscribed elsewhere.
    Any ``sns.Subscription`` (``CfnSubscription``) of the app naming the topic counts,
    wherever it sits (``add_subscription`` places a queue's or function's subscription
    under the subscriber); one made outside the app (AWS Chatbot, ``aws sns subscribe``)
    can't be seen: acknowledge the warning then.
    """

    def __init__(self, notifications: PipelineFailureNotifications, topic: sns.Topic) -> None:
        self._notifications = notifications
        self._topic = topic

    def validate(self) -> list[str]:
        """No error: a warning on the notifications when nothing subscribes to the topic."""
        if _has_subscription(self._topic):
            return []
        Annotations.of(self._notifications).add_warning_v2(
            f"{WARNING_PREFIX}:no-subscribers",
            f"Topic {path_of(self._topic)} has no subscription in this app: every failed or "
            "stopped execution it is sent would reach no one. Subscribe the on-call address "
            "with emails=[...], or another endpoint with notifications.topic.add_subscription"
            "(...) (aws_sns_subscriptions); if a subscriber is added outside the app (AWS "
            "Chatbot, aws sns subscribe), acknowledge this warning saying which.",
        )
        return []


def _has_subscription(topic: sns.Topic) -> bool:
    """Whether a subscription of the app (of the topic's stage) names ``topic``."""
    arn = topic.topic_arn  # the token its subscriptions were given
    # The topic's own children first (emails=, email and URL subscriptions): a look at
    # every construct of the stage only when none is there.
    for scope in (topic, stage_of(topic) or root_of(topic)):
        for construct in node_of(scope).find_all():
            if isinstance(construct, sns.CfnSubscription) and construct.topic_arn == arn:
                return True
    return False


# The fields of SageMaker's pipeline events ("Events that Amazon SageMaker sends to Amazon
# EventBridge": pipeline execution and pipeline step state change; a failed step's event
# carries failureReason,
# https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html).
# The execution's event carries its statuses, times, ARNs, display name and description,
# and no failure reason nor failed step (the schema's fields, as aws-cdk's generated
# SageMakerModelBuildingPipelineExecutionStatusChange pattern lists them): no pattern can
# tell a run whose failed step was notified from one without. Its FailureReason, read
# through the API, is "Step failure: One or multiple steps failed" whatever failed.
# A Fail step fails as a step does, its ErrorMessage its FailureReason, and none when the
# message is empty (tests/integ/sagemaker/workflow/test_fail_steps.py of
# aws/sagemaker-python-sdk): EventBridge then leaves the field out of the text ("Common
# issues with transforming input" of its guide), hence a rule of their own for the Fail
# steps without one. EventBridge escapes the values it puts inside the text.
_PIPELINE = "$.detail.pipelineArn"
_EXECUTION = "$.detail.pipelineExecutionArn"


def _field(path: str) -> str:
    return events.EventField.from_path(path)


def _cli(command: str) -> str:
    """The whole command, region included (the CLI doesn't take it from the ARN)."""
    return (
        f"aws sagemaker {command} --region {_field('$.region')} "
        f"--pipeline-execution-arn {_field(_EXECUTION)}"
    )


@functools.cache
def _failure_message(steps_notified: bool) -> events.RuleTargetInput:
    """The text of a failed execution, the same for every rule: made once (jsii round trips)."""
    # With the steps' messages this one is the run's end, not its cause: it says so first.
    # It still comes for every failed run (the execution's event can't tell whether a step
    # failed), so it gives what to do when no step's message came.
    first = (
        "SageMaker pipeline run FAILED: the run's end. Why is in its failed step's message, "
        "sent apart."
        if steps_notified
        else "SageMaker pipeline run FAILED."
    )
    steps = (
        "(A Fail step's message is the pipeline stopping the run on purpose, not an outage.) "
        "If no step's message came, every step's status and reason:"
        if steps_notified
        else "Which step failed, and why (every step's status and reason):"
    )
    return events.RuleTargetInput.from_multiline_text(
        f"{first}\n"
        f"Pipeline: {_field(_PIPELINE)}\n"
        f"Execution: {_field(_EXECUTION)}\n"
        f"Started: {_field('$.detail.executionStartTime')}\n"
        f"Ended: {_field('$.detail.executionEndTime')}\n"
        f"{steps}\n"
        + _cli("list-pipeline-execution-steps")
        + ' --query "PipelineExecutionSteps[].[StepName,StepStatus,FailureReason]" '
        "--output table"
    )


@functools.cache
def _status_message() -> events.RuleTargetInput:
    """The text of an execution in another status (Stopped): no step failed."""
    status = _field("$.detail.currentPipelineExecutionStatus")
    return events.RuleTargetInput.from_multiline_text(
        f"SageMaker pipeline run {status}: no step failed.\n"
        f"Pipeline: {_field(_PIPELINE)}\n"
        f"Execution: {_field(_EXECUTION)}\n"
        f"Started: {_field('$.detail.executionStartTime')}\n"
        f"Ended: {_field('$.detail.executionEndTime')}\n"
        "A Stopped run was stopped by a StopPipelineExecution call (CloudTrail names who "
        "made it). Its parameters, to start it again:\n"
        + _cli("list-pipeline-parameters-for-execution")
    )


@functools.cache
def _failed_step_message(fail_steps_known: bool) -> events.RuleTargetInput:
    """The text of a failed step: its name, type and reason, and its job."""
    step = _field("$.detail.stepName")
    fail_steps = (
        ""
        if fail_steps_known
        else "A step of type Fail is the pipeline stopping the run on purpose (a quality "
        "gate): not an outage. One without ErrorMessage gives no reason: the Reason line "
        "is then empty.\n"
    )
    return events.RuleTargetInput.from_multiline_text(
        f"SageMaker pipeline step {step} ({_field('$.detail.stepType')}) FAILED.\n"
        f"Reason: {_field('$.detail.failureReason')}\n"
        f"Pipeline: {_field(_PIPELINE)}\n"
        f"Execution: {_field(_EXECUTION)}\n"
        f"{fail_steps}"
        "The step's job (Metadata: the job's name ends its ARN, and names its log stream):\n"
        + _cli("list-pipeline-execution-steps")
        + f" --query \"PipelineExecutionSteps[?StepName=='{step}'].[FailureReason,Metadata]\""
        "\nOnce the cause is fixed, run the failed step and those after it again:\n"
        + _cli("retry-pipeline-execution")
    )


@functools.cache
def _fail_step_message() -> events.RuleTargetInput:
    """The text of a Fail step reached: the pipeline's own decision, no outage."""
    step = _field("$.detail.stepName")
    return events.RuleTargetInput.from_multiline_text(
        f"The quality gate {step} stopped the SageMaker pipeline run: not an outage.\n"
        f"Why: {_field('$.detail.failureReason')}\n"
        f"Pipeline: {_field(_PIPELINE)}\n"
        f"Execution: {_field(_EXECUTION)}\n"
        f"{step} is a Fail step: a condition of the pipeline chose to end the run there "
        "(such as a model scoring below its threshold). No job failed and nothing is broken; "
        "a retry on the same inputs stops the same way. The inputs it ran on:\n"
        + _cli("list-pipeline-parameters-for-execution")
    )


@functools.cache
def _silent_fail_step_message(places: tuple[str, ...]) -> events.RuleTargetInput:
    """The text of a Fail step without ErrorMessage reached: SageMaker gives no reason."""
    step = _field("$.detail.stepName")
    return events.RuleTargetInput.from_multiline_text(
        f"The quality gate {step} stopped the SageMaker pipeline run: not an outage.\n"
        f"Why: not given. {step} is a Fail step without ErrorMessage, so SageMaker records "
        "no reason: the condition that chose it is the reason.\n"
        f"Pipeline: {_field(_PIPELINE)}\n"
        f"Execution: {_field(_EXECUTION)}\n"
        f"Where each such step sits: {'; '.join(places)}.\n"
        f"{step} is a Fail step: a condition of the pipeline chose to end the run there "
        "(such as a model scoring below its threshold). No job failed and nothing is broken; "
        "a retry on the same inputs stops the same way. Each step's status and condition "
        "outcome:\n"
        + _cli("list-pipeline-execution-steps")
        + ' --query "PipelineExecutionSteps[].[StepName,StepStatus,Metadata.Condition.Outcome]" '
        "--output table\nThe inputs it ran on:\n" + _cli("list-pipeline-parameters-for-execution")
    )


def _pipeline_events_problem(scope: Construct, pipeline: object) -> Problem | None:
    """A pipeline whose execution events never reach this stack's rule."""
    if not hasattr(pipeline, "pipeline_arn"):
        return None  # reported as the wrong type
    return environment_problem(
        "pipeline",
        pipeline,
        scope,
        "SageMaker sends its execution events to EventBridge in the pipeline's own account "
        "and region",
        "create the notifications in a stack of the pipeline's account and region",
    )
