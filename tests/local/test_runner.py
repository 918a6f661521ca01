"""The runner: parallelism, retries, caching, resume, selective runs, records, inputs."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    Image,
    ParameterString,
    PipelineValidationError,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
)
from cdk_sagemaker_pipelines.local import LocalRunError, ResourceMap, retry_delay
from tests.local.conftest import WRITE_OUTPUT, Workspace, compile_steps, processing

SLEEP = """
import os, time
time.sleep(float(os.environ.get("SLEEP", "0.3")))
os.makedirs("/opt/ml/processing/out", exist_ok=True)
open("/opt/ml/processing/out/done.txt", "w").write("done")
"""


def overlapping(result: object, names: list[str]) -> int:
    """The largest number of the steps running at the same moment."""
    spans = [
        (result.step(n).start_time, result.step(n).end_time)  # type: ignore[attr-defined]
        for n in names
    ]
    return max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (2, 2)])
def test_independent_steps_run_in_parallel_up_to_the_limit(
    ws: Workspace, limit: int, expected: int
) -> None:
    script = ws.script("sleep.py", SLEEP)
    steps = [processing(name, script, outputs=["out"]) for name in ("A", "B", "C")]
    result = ws.runner(max_parallel=limit).run(compile_steps(steps))
    assert result.status == "Succeeded"
    assert overlapping(result, ["A", "B", "C"]) == expected


def test_the_pipelines_parallelism_configuration_applies(ws: Workspace) -> None:
    script = ws.script("sleep.py", SLEEP)
    steps = [processing(name, script, outputs=["out"]) for name in ("A", "B")]
    resources = ws.resources().merged(ResourceMap(max_parallel=1))
    result = ws.runner(max_parallel=None, resources=resources).run(compile_steps(steps))
    assert overlapping(result, ["A", "B"]) == 1


def capacity_step(ws: Workspace, max_attempts: int = 2) -> ProcessingStep:
    return processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        retry_policies=[
            SageMakerJobStepRetryPolicy(
                exception_types=[SageMakerJobExceptionType.CAPACITY_ERROR],
                max_attempts=max_attempts,
            )
        ],
    )


def test_retry_policies_retry_simulated_service_faults(ws: Workspace) -> None:
    events: list[str] = []
    runner = ws.runner(
        faults={"Prep": ["SageMaker.CAPACITY_ERROR", "SageMaker.CAPACITY_ERROR"]},
        progress=lambda e: events.append(f"{e.kind}:{e.message}"),
    )
    result = runner.run(compile_steps([capacity_step(ws)]))
    assert result.status == "Succeeded"
    assert result.step("Prep").attempt_count == 3
    assert events.count("step-retrying:SageMaker.CAPACITY_ERROR: retry in 1s") == 1
    assert "step-retrying:SageMaker.CAPACITY_ERROR: retry in 2s" in events


def test_fails_when_the_faults_outlast_the_policy(ws: Workspace) -> None:
    runner = ws.runner(faults={"Prep": ["SageMaker.CAPACITY_ERROR"] * 3})
    result = runner.run(compile_steps([capacity_step(ws)]))
    prep = result.step("Prep")
    assert (prep.status, prep.attempt_count) == ("Failed", 3)
    assert prep.failure_reason == "SageMaker.CAPACITY_ERROR: simulated service fault (attempt 3)"


def test_faults_without_a_matching_policy_and_script_errors_are_not_retried(
    ws: Workspace,
) -> None:
    runner = ws.runner(faults={"Prep": ["SageMaker.RESOURCE_LIMIT"]})
    assert runner.run(compile_steps([capacity_step(ws)])).step("Prep").attempt_count == 1
    ws.script("prep.py", "raise SystemExit(3)\n")
    result = ws.runner().run(compile_steps([capacity_step(ws)]))
    assert result.step("Prep").attempt_count == 1


def test_step_faults_get_the_default_policy(ws: Workspace) -> None:
    step = processing("Prep", ws.script("prep.py", WRITE_OUTPUT), outputs=["out"])
    runner = ws.runner(faults={"Prep": ["Step.SERVICE_FAULT", "Step.THROTTLING"]})
    assert runner.run(compile_steps([step])).step("Prep").attempt_count == 3


def test_retry_delay_follows_interval_backoff_and_limits() -> None:
    policy = {
        "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
        "IntervalSeconds": 2,
        "BackoffRate": 3.0,
        "MaxAttempts": 2,
    }
    delays = [
        retry_delay([policy], "SageMaker.CAPACITY_ERROR", retries=n, elapsed=0.0) for n in range(3)
    ]
    assert delays == [2.0, 6.0, None]
    expiring = {"ExceptionType": ["SageMaker.JOB_CAPACITY_ERROR"], "ExpireAfterMin": 1}
    assert retry_delay([expiring], "SageMaker.CAPACITY_ERROR", retries=5, elapsed=0.0) == 32.0
    assert retry_delay([expiring], "SageMaker.CAPACITY_ERROR", retries=0, elapsed=60.0) is None
    assert retry_delay([], None, retries=0, elapsed=0.0) is None


def cached_pipeline(ws: Workspace, expire: str = "P30D") -> tuple[dict[str, object], object]:
    content = ParameterString(name="Content", default_value="one")
    first = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        environment={"CONTENT": content},
        cache_config=CacheConfig(expire_after=expire),
    )
    reader = ProcessingStep(
        name="Read",
        image=Image.sklearn("1.2-1"),
        code=first.code,
        entrypoint=None,
        inputs=[
            ProcessingInput(
                source=first.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri,
                destination="/opt/ml/processing/in",
            )
        ],
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )
    return compile_steps([first, reader], [content]), content


def test_a_cache_hit_reuses_the_earlier_outputs_and_reports_its_source(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    runner = ws.runner()
    first = runner.run(definition)
    second = runner.run(definition)
    prep = second.step("Prep")
    assert prep.cache_hit == first.arn
    assert prep.attempt_count == 0
    assert prep.entry["CacheHitResult"] == {"SourcePipelineExecutionArn": first.arn}  # type: ignore[index]
    assert second.properties("Prep") == first.properties("Prep")
    assert second.output("Prep", "out") == first.output("Prep", "out")
    assert second.step("Read").status == "Succeeded"
    assert second.step("Read").cache_hit is None


def test_a_changed_key_attribute_or_script_misses(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    runner = ws.runner()
    runner.run(definition)
    assert runner.run(definition, {"Content": "two"}).step("Prep").cache_hit is None
    ws.script("prep.py", WRITE_OUTPUT + "\nprint('changed')\n")
    assert runner.run(definition).step("Prep").cache_hit is None
    assert runner.run(definition).step("Prep").cache_hit is not None


def test_expired_entries_and_failed_runs_are_not_reused(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws, expire="PT1H")
    runner = ws.runner()
    runner.run(definition)
    for entry in (ws.root / ".smpipe" / "cache").rglob("*.json"):
        data = json.loads(entry.read_text())
        finished = dt.datetime.fromisoformat(data["Finished"]) - dt.timedelta(hours=2)
        data["Finished"] = finished.isoformat()
        entry.write_text(json.dumps(data))
    assert runner.run(definition).step("Prep").cache_hit is None
    ws.script("prep.py", "raise SystemExit(1)\n")
    runner.run(definition)
    assert runner.run(definition).step("Prep").cache_hit is None


FLAKY = """
import os, sys
if not os.path.exists(os.environ["FLAG"]):
    sys.exit("flag missing")
os.makedirs("/opt/ml/processing/out", exist_ok=True)
open("/opt/ml/processing/out/x.txt", "w").write("x")
"""


def three_steps(ws: Workspace, flag: Path) -> dict[str, object]:
    a = processing("A", ws.script("a.py", WRITE_OUTPUT), outputs=["out"])
    b = processing(
        "B",
        ws.script("b.py", FLAKY),
        outputs=["out"],
        environment={"FLAG": str(flag)},
        depends_on=[a],
    )
    c = ProcessingStep(
        name="C",
        image=Image.sklearn("1.2-1"),
        code=a.code,
        inputs=[
            ProcessingInput(
                source=b.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri,
                destination="/opt/ml/processing/in",
            )
        ],
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )
    return compile_steps([c])


def test_resume_reruns_only_failed_and_unrun_steps_in_place(ws: Workspace) -> None:
    flag = ws.root / "flag"
    definition = three_steps(ws, flag)
    runner = ws.runner()
    failed = runner.run(definition)
    assert [s.status for s in failed.steps] == ["Succeeded", "Failed", "NotExecuted"]
    a_started = failed.step("A").start_time
    flag.write_text("ok")
    resumed = runner.resume(failed.execution_id[:6])
    assert resumed.execution_id == failed.execution_id
    assert resumed.status == "Succeeded"
    assert resumed.step("A").start_time == a_started
    assert resumed.step("B").attempt_count == 2
    assert resumed.step("C").status == "Succeeded"
    assert resumed.record.history[0]["PreviousStatus"] == "Failed"
    with pytest.raises(LocalRunError, match="succeeded: there is nothing to resume"):
        runner.resume(failed.execution_id)


def test_selective_runs_reuse_the_source_executions_outputs(ws: Workspace) -> None:
    flag = ws.root / "flag"
    flag.write_text("ok")
    definition = three_steps(ws, flag)
    runner = ws.runner()
    source = runner.run(definition)
    selected = runner.run(definition, steps=["C"], from_execution=source.execution_id)
    assert selected.status == "Succeeded"
    assert selected.step("C").attempt_count == 1
    assert selected.step("B").reused_from == source.arn
    assert selected.step("A").reason == "not selected"
    assert selected.record.selective == {
        "SelectedSteps": [{"StepName": "C"}],
        "SourcePipelineExecutionArn": source.arn,
    }
    with pytest.raises(LocalRunError, match="every step between 'A' and 'C' must be selected"):
        runner.run(definition, steps=["A", "C"], from_execution=source.execution_id)
    with pytest.raises(LocalRunError, match="the selected steps need B: give the execution"):
        runner.run(definition, steps=["C"])


def test_concurrent_executions_never_share_outputs(ws: Workspace) -> None:
    content = ParameterString(name="Content", default_value="x")
    step = ProcessingStep(
        name="Write",
        image=Image.sklearn("1.2-1"),
        code=processing("Write", ws.script("w.py", WRITE_OUTPUT)).code,
        environment={"CONTENT": content, "SLEEP": "0.2"},
        outputs=[
            ProcessingOutput(
                output_name="out",
                source="/opt/ml/processing/out",
                destination="s3://art-bucket/fixed/out",
            )
        ],
    )
    definition = compile_steps([step], [content])
    runner = ws.runner()
    results = {}

    def run(value: str) -> None:
        results[value] = runner.run(definition, {"Content": value})

    threads = [threading.Thread(target=run, args=(v,)) for v in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for value, result in results.items():
        assert (result.output("Write", "out") / "data.txt").read_text() == value
    assert results["left"].execution_id != results["right"].execution_id


def test_records_executions_and_reloads_them(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    runner = ws.runner()
    result = runner.run(definition, pipeline_name="my pipe!")
    assert result.record.pipeline_name == "my-pipe"
    assert {p.name for p in result.directory.iterdir()} >= {
        "execution.json",
        "definition.json",
        "resources.json",
        "store",
        "logs",
        "outputs",
    }
    assert "attempt 1: pipelines-" in (result.directory / "logs" / "Prep.log").read_text()
    again = runner.execution(result.execution_id)
    assert again.describe() == result.describe()
    assert again.properties("Prep") == result.properties("Prep")
    assert [r.execution_id for r in runner.executions()] == [result.execution_id]


def test_fails_on_invalid_parameter_values_and_definitions(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    with pytest.raises(
        PipelineValidationError,
        match=r"- pipeline field 'Parameters.Nope': "
        r"no such parameter \(declared: 'Content'\)",
    ):
        ws.runner().run(definition, {"Nope": "1"})
    broken = dict(definition, Steps=[])
    with pytest.raises(PipelineValidationError, match="a pipeline needs a non-empty list"):
        ws.runner().run(broken)


def test_fails_on_options_for_unknown_steps(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    with pytest.raises(
        LocalRunError,
        match=r"faults: no step named 'Perp' in the pipeline "
        r"\(did you mean 'Prep'\?\)",
    ):
        ws.runner(faults={"Perp": ["Step.THROTTLING"]}).run(definition)


def test_fails_a_step_whose_custom_image_is_not_mapped(ws: Workspace) -> None:
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:1"
    step = ProcessingStep(
        name="Custom",
        image=Image.from_uri(image),
        code=processing("Custom", ws.script("c.py", WRITE_OUTPUT)).code,
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )
    definition = compile_steps([step])
    reason = ws.runner().run(definition).step("Custom").failure_reason
    assert reason is not None
    assert reason.startswith(f"step 'Custom': image {image} is not a SageMaker framework image")
    mapped = ws.resources().merged(ResourceMap(images={image: "python"}))
    assert ws.runner(resources=mapped).run(definition).succeeded
