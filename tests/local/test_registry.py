"""The file-based model registry."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.local import LocalRunError, ModelRegistry

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def register(registry: ModelRegistry, tmp_path: Path, group: str = "g") -> int:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"model")
    report = tmp_path / "evaluation.json"
    report.write_text('{"metrics": {"accuracy": {"value": 0.9}}}')
    description = {
        "ModelApprovalStatus": "PendingManualApproval",
        "ModelMetrics": {
            "ModelQuality": {
                "Statistics": {"S3Uri": "s3://b/e.json", "LocalPath": "metrics/q.json"}
            }
        },
    }
    package = registry.register(
        group, description, {"model.tar.gz": model, "metrics/q.json": report}, NOW
    )
    return package.version


def test_versions_metrics_and_approval(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "root")
    assert register(registry, tmp_path) == 1
    assert register(registry, tmp_path) == 2
    assert registry.groups() == ["g"]
    latest = registry.latest("g")
    assert latest is not None
    assert (latest.version, latest.approval_status) == (2, "PendingManualApproval")
    assert latest.arn == "arn:aws:sagemaker:local:000000000000:model-package/g/2"
    assert latest.metrics["ModelQuality"]["Statistics"]["metrics"]["accuracy"]["value"] == 0.9
    assert latest.model_data is not None
    assert latest.model_data.read_bytes() == b"model"
    approved = registry.approve("g", 1, description="looks good")
    assert approved.approval_status == "Approved"
    assert approved.description["ApprovalDescription"] == "looks good"
    assert registry.latest("g", approval_status="Approved").version == 1  # type: ignore[union-attr]


def test_concurrent_registrations_get_distinct_versions(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "root")
    versions: list[int] = []
    threads = [
        threading.Thread(target=lambda: versions.append(register(registry, tmp_path)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(versions) == [1, 2, 3, 4, 5, 6]


def test_fails_on_unknown_versions_and_statuses(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    register(registry, tmp_path)
    with pytest.raises(LocalRunError, match=r"group 'g' has no version 7 \(versions: 1\)"):
        registry.get("g", 7)
    with pytest.raises(LocalRunError, match="approval status 'Maybe' must be one of"):
        registry.approve("g", 1, "Maybe")


def test_an_unknown_group_or_an_unreadable_version_is_a_clear_error(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "root")
    register(registry, tmp_path, group="churn-model")
    with pytest.raises(
        LocalRunError,
        match=r"no model package group 'churn-modle' under .*registry "
        r"\(groups: churn-model\); did you mean 'churn-model'\?",
    ):
        registry.approve("churn-modle", 1)
    (registry.directory / "churn-model" / "1" / "package.json").write_text("{")
    with pytest.raises(LocalRunError, match="model package 'churn-model' version 1: can't read"):
        registry.versions("churn-model")


def test_an_approval_change_records_when_who_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cdk_sagemaker_pipelines.local.registry import render_package_text

    registry = ModelRegistry(tmp_path / "root")
    register(registry, tmp_path)
    # Registered, never changed: no approval line.
    assert "Approval:" not in render_package_text(registry.get("g", 1))
    approved = registry.approve("g", 1, description="beats v2", by="alice")
    assert approved.description["LastModifiedBy"] == {"UserProfileName": "alice"}
    when = dt.datetime.fromisoformat(approved.description["LastModifiedTime"])
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=1)
    shown = render_package_text(approved).splitlines()[1]
    assert shown == f"  Approval:   Approved {when:%Y-%m-%d %H:%M:%S} UTC by alice: beats v2"
    # Without --by: the OS user. Without --description: none, not the previous change's.
    monkeypatch.setattr("getpass.getuser", lambda: "bob")
    rejected = registry.approve("g", 1, "Rejected")
    assert "ApprovalDescription" not in rejected.description
    assert rejected.description["LastModifiedBy"] == {"UserProfileName": "bob"}
    assert render_package_text(rejected).splitlines()[1].endswith(" UTC by bob")
    assert " Rejected " in render_package_text(rejected).splitlines()[1]


def test_an_approver_must_be_named_and_texts_are_shown_escaped(tmp_path: Path) -> None:
    from cdk_sagemaker_pipelines.local.registry import render_package_text

    registry = ModelRegistry(tmp_path / "root")
    register(registry, tmp_path)
    # `--by "$APPROVER"` with the variable unset: refused, not recorded as the OS user.
    for by in ("", "  ", "alice\nApproval: Approved by bob", "\x1b[2Jmallory"):
        with pytest.raises(LocalRunError, match="must name who changes the status"):
            registry.approve("g", 1, by=by)
    assert "LastModifiedBy" not in registry.get("g", 1).description
    # A description's control characters can't forge a line of the summary.
    approved = registry.approve("g", 1, description="ok\n  Approval:  forged\x1b[0m", by="alice")
    shown = render_package_text(approved)
    assert "\x1b" not in shown
    assert "forged" in shown
    assert sum("Approval:" in line for line in shown.splitlines()) == 1
