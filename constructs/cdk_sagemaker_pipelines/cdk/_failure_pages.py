"""One failed execution, one message: failure notifications and an alarm on one topic repeat.

``PipelineFailureNotifications`` publishes a message for each failed execution (with its ARN
and how to see why it failed); a ``PipelineMonitoring`` failed-executions alarm at threshold 1
publishing to the same topic adds ALARM and, a period later, OK for the same failure: three
messages for one failure, which teaches on-call to ignore the topic. Each construct notes
what it publishes here, in either order, and the second one warns.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import Annotations

from constructs import Construct

from ._tree import path_of
from .pipeline import WARNING_PREFIX


@dataclass
class _Publishers:
    """What publishes failures of which pipeline to one topic (weakly held: no leak)."""

    notifications: list[tuple[weakref.ref[Any], weakref.ref[Construct]]] = field(
        default_factory=list
    )
    alarms: list[tuple[weakref.ref[Any], weakref.ref[Construct]]] = field(default_factory=list)


_BY_TOPIC: weakref.WeakKeyDictionary[Any, _Publishers] = weakref.WeakKeyDictionary()


def note_notifications(notifications: Construct, topic: Any, pipeline: Any) -> None:
    """Note that ``notifications`` sends ``pipeline``'s failures to ``topic``."""
    publishers = _BY_TOPIC.setdefault(topic, _Publishers())
    publishers.notifications.append((weakref.ref(pipeline), weakref.ref(notifications)))
    for alarm_pipeline, monitoring in publishers.alarms:
        if alarm_pipeline() is pipeline and (alarm_owner := monitoring()) is not None:
            _warn(alarm_owner, notifications)


def note_failure_alarm(monitoring: Construct, topic: Any, pipeline: Any) -> None:
    """Note that ``monitoring``'s alarm (threshold 1) sends ``pipeline``'s failures to ``topic``."""
    publishers = _BY_TOPIC.setdefault(topic, _Publishers())
    publishers.alarms.append((weakref.ref(pipeline), weakref.ref(monitoring)))
    for notified_pipeline, notifications in publishers.notifications:
        if notified_pipeline() is pipeline and (owner := notifications()) is not None:
            _warn(monitoring, owner)


def _warn(monitoring: Construct, notifications: Construct) -> None:
    Annotations.of(monitoring).add_warning_v2(
        f"{WARNING_PREFIX}:duplicate-failure-notifications",
        f"Each failed execution is published to the alarm topic twice: by "
        f"PipelineFailureNotifications {path_of(notifications)} (a message naming the "
        "execution and how to see why it failed) and by this failed-executions alarm (ALARM, "
        "then OK a period later), three messages for one failure. Pass "
        "notify_failed_executions=False to keep the alarm on the dashboard without "
        "notifying, or raise failed_executions_threshold to be told of repeated failures only.",
    )
