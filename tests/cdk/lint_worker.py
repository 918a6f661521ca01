"""Lint templates with cfn-lint and write what it found: run by ``tests/cdk/lint.py``.

Usage: ``python tests/cdk/lint_worker.py --serve``. It lints one job after another, each
given as a line ``["JOB.json", "RESULT.json"]`` (JSON) on its standard input, until its
input ends: the session's jobs share one import of cfn-lint and one runner per list of
regions (about a second of CPU each). A job holds the regions and the templates
(``{"regions": [...], "templates": {name: template text}}``); its result maps each name to
its matches, ``[rule id, path, message]`` each, in cfn-lint's order. A job may instead ask
for resource types' ``createOnlyProperties`` in cfn-lint's schemas
(``{"create_only": {"region": ..., "types": [...]}}``: type -> pointers). A job that fails
writes ``RESULT.error`` instead, with its traceback; the next one still runs. The worker
runs at a lower CPU priority: beside the tests, it takes the time they leave idle.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# One cfn-lint runner per list of regions, kept for the jobs that follow (``--serve``).
_RUNNERS: dict[tuple[str, ...], Any] = {}


def lint(job: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Each template's cfn-lint matches, with one runner for the job's regions."""
    # A template that isn't JSON fails the job before cfn-lint's import (about a second
    # of CPU), which it would only fail after.
    for name, text in job["templates"].items():
        try:
            json.loads(text)
        except ValueError as error:
            raise ValueError(f"template {name} can't be decoded: {error}") from None
    from cfnlint.api import (  # type: ignore[import-untyped]
        ConfigMixIn,
        ManualArgs,
        Runner,
        decode_str,
    )

    regions = tuple(job["regions"])
    if regions not in _RUNNERS:
        _RUNNERS[regions] = Runner(ConfigMixIn(**ManualArgs(regions=list(regions))))
    runner = _RUNNERS[regions]
    results: dict[str, list[list[Any]]] = {}
    for name, text in job["templates"].items():
        template, errors = decode_str(text)
        if errors or template is None:
            raise ValueError(f"template {name} can't be decoded: {errors}")
        results[name] = [
            [match.rule.id, list(getattr(match.path, "path", match.path) or []), match.message]
            for match in runner.validate_template(template)
        ]
    return results


def _write(path: Path, text: str) -> None:
    """Write ``path`` atomically: its reader never sees half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def create_only(request: dict[str, Any]) -> dict[str, list[str]]:
    """The ``createOnlyProperties`` of each resource type of ``request`` in its region."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER  # type: ignore[import-untyped]

    return {
        resource_type: PROVIDER_SCHEMA_MANAGER.get_resource_schema(
            request["region"], resource_type
        ).schema.get("createOnlyProperties", [])
        for resource_type in request["types"]
    }


def _run(job_path: Path, result_path: Path) -> None:
    job = json.loads(job_path.read_text(encoding="utf-8"))
    answer = create_only(job["create_only"]) if "create_only" in job else lint(job)
    _write(result_path, json.dumps(answer))


def serve(lines: Iterable[str]) -> None:
    """Run each job given by a line (``["JOB.json", "RESULT.json"]``) in turn."""
    for line in lines:
        if not line.strip():
            continue
        job_path, result_path = (Path(name) for name in json.loads(line))
        try:
            _run(job_path, result_path)
        except Exception:
            _write(result_path.with_name(result_path.name + ".error"), traceback.format_exc())


def main(arguments: list[str]) -> int:
    """Lint the jobs given on standard input (``--serve``), each in turn."""
    if arguments != ["--serve"]:
        print("usage: python tests/cdk/lint_worker.py --serve", file=sys.stderr)
        return 2
    os.nice(10)
    serve(sys.stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
