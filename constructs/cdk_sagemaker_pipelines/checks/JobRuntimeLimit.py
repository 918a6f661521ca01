"""Every job states how long it may run, so a stuck or runaway job is stopped.

What SageMaker does without a limit: a training job stops after its documented default of
1 day (``StoppingCondition``); a processing job's default isn't documented (the API takes
up to 9 days, 777,600 seconds); an AutoML job's isn't either. A transform job has no run
time limit in its API at all, so it isn't judged; nor is an endpoint an Endpoint step
deploys, which runs until deleted (``smpipe diff`` says so of an added one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

RUNTIME = "StoppingCondition.MaxRuntimeInSeconds"
# Per job type, the field that limits the job's run time.
RUNTIME_FIELDS: dict[str, str] = {
    "Processing": RUNTIME,
    "QualityCheck": RUNTIME,  # a processing job
    "ClarifyCheck": RUNTIME,  # a processing job
    "Training": RUNTIME,
    # Each training job of the tuning job: how many run is ResourceLimits' (required).
    "Tuning": f"TrainingJobDefinition.{RUNTIME}",
    "AutoML": "AutoMLJobConfig.CompletionCriteria.MaxAutoMLJobRuntimeInSeconds",
}


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find jobs with no run-time limit (each training job definition of a tuning step).

    A limit given as a parameter or step property counts: it is set, though known only at
    run time.
    """
    findings = []
    for step in all_steps(definition):
        field = RUNTIME_FIELDS.get(str(step.get("Type")))
        if field is None:
            continue
        for arguments, name in job_arguments(step):
            if dig(arguments, field) is None:
                findings.append(
                    Finding(str(step.get("Name")), f"Arguments.{name(field)}", "no run-time limit")
                )
    return findings
