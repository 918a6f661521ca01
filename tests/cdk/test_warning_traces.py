"""Warnings of the library's constructs carry no JavaScript stack trace.

The CDK CLI prints a warning's first trace frame above it: in a Python app a line of
jsii's kernel (``/tmp/…/lib/program.js:1:5591``) that a reader takes for part of the
problem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from cdk_sagemaker_pipelines.cdk import ArtifactStore, PipelineFailureNotifications
from cdk_sagemaker_pipelines.cdk._warning_traces import DISABLE_STACK_TRACE
from tests.cdk.conftest import new_app
from tests.cdk.test_triggers import _pipeline


def _warnings(**context: Any) -> dict[str, list[dict[str, Any]]]:
    """Each path's warning entries in the manifest of an app with a warning of ours and one
    of the app's own."""
    app = new_app(**context)
    stack = cdk.Stack(app, "Team", env=cdk.Environment(account="111122223333", region="us-east-1"))
    ArtifactStore(stack, "Artifacts")
    # Nothing subscribes to its topic: the no-subscribers warning.
    PipelineFailureNotifications(stack, "Failures", pipeline=_pipeline(stack))
    bucket = s3.Bucket(stack, "Own")
    cdk.Annotations.of(bucket).add_warning_v2("team:own", "the team's own warning")
    assembly = app.synth()
    # aws-cdk-lib writes a stack's metadata beside the manifest.
    metadata = json.loads((Path(assembly.directory) / "Team.metadata.json").read_text())
    return {
        path: [entry for entry in entries if entry["type"] == "aws:cdk:warning"]
        for path, entries in metadata.items()
        if any(entry["type"] == "aws:cdk:warning" for entry in entries)
    }


def test_the_librarys_warnings_have_no_trace_and_the_apps_keep_theirs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CDK_DEBUG", raising=False)
    warnings = _warnings()

    (ours,) = warnings["/Team/Failures"]
    assert "no-subscribers" in ours["data"]
    assert "trace" not in ours
    # The app's own construct is the app's: aws-cdk-lib's default, a trace, is left alone.
    (own,) = warnings["/Team/Own"]
    assert own["trace"]


def test_traces_stay_when_the_app_asks_for_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # cdk synth --debug sets CDK_DEBUG; the context key set to false says so too.
    monkeypatch.setenv("CDK_DEBUG", "true")
    (debugged,) = _warnings()["/Team/Failures"]
    monkeypatch.delenv("CDK_DEBUG")
    (asked,) = _warnings(**{DISABLE_STACK_TRACE: False})["/Team/Failures"]

    assert debugged["trace"]
    assert asked["trace"]
