"""Lint templates with cfn-lint and write what it found: run by ``tests/cdk/lint.py``.

Usage: ``python tests/cdk/lint_worker.py JOB.json RESULT.json``. The job holds the regions
and the templates (``{"regions": [...], "templates": {name: template text}}``); the result
maps each name to its matches, ``[rule id, path, message]`` each, in cfn-lint's order. It
runs at a lower CPU priority: beside the tests, it takes the time they leave idle.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def lint(job: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Each template's cfn-lint matches, with one runner for the job's regions."""
    from cfnlint.api import (  # type: ignore[import-untyped]
        ConfigMixIn,
        ManualArgs,
        Runner,
        decode_str,
    )

    runner = Runner(ConfigMixIn(**ManualArgs(regions=job["regions"])))
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


def main(arguments: list[str]) -> int:
    """Read the job, lint, write the result (atomically: the reader never sees half)."""
    job_path, result_path = (Path(argument) for argument in arguments)
    os.nice(10)
    results = lint(json.loads(job_path.read_text(encoding="utf-8")))
    partial = result_path.with_suffix(".partial")
    partial.write_text(json.dumps(results), encoding="utf-8")
    partial.replace(result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
