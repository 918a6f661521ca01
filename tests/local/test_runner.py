"""The runner: parallelism, retries, caching, resume, selective runs, records, inputs."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ConditionEquals,
    ConditionStep,
    FailStep,
    Image,
    ParameterString,
    PipelineValidationError,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    SageMakerJobExceptionType,
    SageMakerJobStepRetryPolicy,
)
from cdk_sagemaker_pipelines.local import LocalRunError, ProgressEvent, ResourceMap, retry_delay
from cdk_sagemaker_pipelines.local.records import (
    ExecutionRecord,
    find_execution,
    settle_abandoned,
)
from tests.local.conftest import WRITE_OUTPUT, Workspace, compile_steps, processing

SLEEP = """
import os, time
if "STARTED" in os.environ:  # a test waits for the script to run
    open(os.environ["STARTED"], "w").close()
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


def test_the_execution_started_event_names_every_step_for_a_displays_columns(
    ws: Workspace,
) -> None:
    # ConsoleProgress sizes its step column from them, branch steps included, before
    # any step reports.
    env = ParameterString(name="Env", default_value="dev")
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=env, right="prod")],
        if_steps=[FailStep(name="StopBecauseThisIsProduction", error_message="prod")],
    )
    events: list[ProgressEvent] = []
    ws.runner(progress=events.append).run(compile_steps([check], [env]))
    assert [(e.kind, e.step_names) for e in events if e.step_names] == [
        ("execution-started", ("Check", "StopBecauseThisIsProduction"))
    ]


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


def test_a_mistyped_output_name_lists_the_steps_outputs(ws: Workspace) -> None:
    result = ws.runner().run(cached_pipeline(ws)[0])
    with pytest.raises(
        LocalRunError, match=r"^step 'Prep' has no output 'uot' \(its outputs: out\)$"
    ):
        result.output("Prep", "uot")


def test_a_changed_key_attribute_or_script_misses(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    runner = ws.runner()
    runner.run(definition)
    assert runner.run(definition, {"Content": "two"}).step("Prep").cache_hit is None
    ws.script("prep.py", WRITE_OUTPUT + "\nprint('changed')\n")
    assert runner.run(definition).step("Prep").cache_hit is None
    assert runner.run(definition).step("Prep").cache_hit is not None


def test_without_reuse_every_step_runs_and_its_run_is_still_cached(ws: Workspace) -> None:
    definition, _ = cached_pipeline(ws)
    first = ws.runner().run(definition)
    fresh = ws.runner(reuse_cache=False).run(definition)
    assert fresh.step("Prep").cache_hit is None
    assert fresh.step("Prep").attempt_count == 1
    # The fresh run is the newest entry: a later run reuses it, not the first one.
    later = ws.runner().run(definition).step("Prep")
    assert later.cache_hit == fresh.arn != first.arn


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


def reading_raw(ws: Workspace) -> dict[str, object]:
    """A cached step reading s3://raw-bucket/raw (mapped per test) beside its code."""
    step = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        inputs=[
            ProcessingInput(source="s3://raw-bucket/raw", destination="/opt/ml/processing/raw")
        ],
        cache_config=CacheConfig(expire_after="P1D"),
    )
    return compile_steps([step])


def cached_notes(ws: Workspace, **s3: Path) -> list[str]:
    """The notes of the progress event of Prep's cache hit, running with ``s3`` mapped."""
    events: list[ProgressEvent] = []
    runner = ws.runner(resources=ws.resources(**s3), progress=events.append)
    result = runner.run(reading_raw(ws))
    assert result.step("Prep").cache_hit is not None
    [message] = [e.message for e in events if e.kind == "step-cached"]
    assert message is not None
    return message.split("\n")[1:]


def test_a_cache_hit_from_a_run_that_mapped_an_input_elsewhere_says_so(ws: Workspace) -> None:
    # Was: pointing --s3-map at other data reused the old run's results without a word.
    old, new = ws.file("old/a.csv", "1").parent, ws.file("new/a.csv", "2").parent
    raw = {"s3://raw-bucket/raw": old}
    first = ws.runner(resources=ws.resources(**raw)).run(reading_raw(ws))
    assert first.succeeded, first.failure_reason
    assert cached_notes(ws, **raw) == []  # the same mapping: nothing to say
    [note] = cached_notes(ws, **{"s3://raw-bucket/raw": new})
    assert note == (
        f"note: input 'input-1' (s3://raw-bucket/raw) is mapped to {new} now, to {old} in "
        f"execution {first.execution_id}, whose results this hit reuses (the cache key holds "
        "the S3 URI, not the data): to run on this data, add --no-cache "
        "(LocalConfig(reuse_cache=False)) or turn off the step's CacheConfig"
    )
    log = ws.root / ".smpipe" / "executions"
    assert any(note in path.read_text() for path in log.glob("*/logs/Prep.log"))
    # A folder mapped under the input's prefix is read with it: mapping it is a change too.
    [nested] = cached_notes(ws, **{"s3://raw-bucket/raw": old, "s3://raw-bucket/raw/more": new})
    assert "(s3://raw-bucket/raw) is mapped to " + str(new) in nested
    # Then, the folder under the input's mapping was read there (not from the local S3 tree).
    assert f" now, to {old / 'more'} in execution {first.execution_id}," in nested


def test_a_cache_hit_of_an_input_mapped_in_neither_run_has_no_note(ws: Workspace) -> None:
    (ws.root / ".smpipe" / "s3" / "raw-bucket" / "raw").mkdir(parents=True)
    (ws.root / ".smpipe" / "s3" / "raw-bucket" / "raw" / "a.csv").write_text("1")
    assert ws.runner().run(reading_raw(ws)).succeeded
    assert cached_notes(ws) == []


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
    log = resumed.step("B").log
    assert log is not None
    attempts = re.findall(r"\] (attempt \d+)(?::| failed)", log.read_text())
    assert attempts == ["attempt 1", "attempt 1", "attempt 2"]  # started, failed, resumed
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


def test_a_steps_tags_are_ignored_locally(ws: Workspace) -> None:
    # tags= (a value from a parameter too) and job tags tag the job in SageMaker only: a
    # local run has no job to tag, and runs the step as it would untagged.
    team = ParameterString(name="Team", default_value="fraud")
    step = processing(
        "Prep", ws.script("prep.py", WRITE_OUTPUT), outputs=["out"], tags={"team": team}
    )
    definition = compile_steps([step], [team])
    assert definition["Steps"][0]["Arguments"]["Tags"] == [
        {"Key": "team", "Value": {"Get": "Parameters.Team"}}
    ]
    result = ws.runner().run(definition)
    assert result.step("Prep").status == "Succeeded"
    assert result.output("Prep", "out")


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


def test_executions_are_found_by_their_id_or_a_unique_prefix(tmp_path: Path) -> None:
    executions = tmp_path / "executions"
    for execution_id in ("abc", "abcd", "abx1"):
        (executions / execution_id).mkdir(parents=True)
        (executions / execution_id / "execution.json").write_text("{}")
    (executions / "abyy").mkdir()  # being created: no record yet

    assert find_execution(tmp_path, "abc") == executions / "abc"  # exact, though a prefix too
    assert find_execution(tmp_path, "abx") == executions / "abx1"
    with pytest.raises(
        LocalRunError, match=r"^execution id prefix 'ab' is ambiguous: abc, abcd, abx1$"
    ):
        find_execution(tmp_path, "ab")
    with pytest.raises(LocalRunError, match=r"^no execution 'aby' under "):
        find_execution(tmp_path, "aby")


def test_a_record_prints_parameters_as_the_service_does(tmp_path: Path) -> None:
    record = ExecutionRecord(tmp_path, "abc", "pipe", parameters={"Flag": True, "Count": 3})

    data = record.to_json()

    assert data["PipelineParameters"] == [
        {"Name": "Flag", "Value": "true"},
        {"Name": "Count", "Value": "3"},
    ]
    assert data["TypedParameters"] == {"Flag": True, "Count": 3}
    assert dt.datetime.fromisoformat(data["LastModifiedTime"])  # still executing: now
    assert "EndTime" not in data


def test_a_stopped_record_accounts_for_every_step_and_reloads_as_written(tmp_path: Path) -> None:
    record = ExecutionRecord(
        tmp_path,
        "abc",
        "Pipe",
        created="t0",
        parameters={"Env": "dev"},
        steps={"A": {"StepName": "A", "StepStatus": "Succeeded"}},
        isolation="namespace",
        selective={"SourcePipelineExecutionArn": "arn:src"},
        history=[{"Resumed": "t1"}],
        step_order=["A", "B", "C"],
    )
    record.steps["B"] = {"StepName": "B", "StepStatus": "Executing"}
    record.stop_unfinished("interrupted", ended="t2")
    record.save()

    data = json.loads((tmp_path / "execution.json").read_text())
    assert data["PipelineArn"] == "arn:aws:sagemaker:local:000000000000:pipeline/pipe"
    assert data["PipelineExecutionArn"] == data["PipelineArn"] + "/execution/abc"
    assert (data["PipelineExecutionStatus"], data["FailureReason"]) == ("Stopped", "interrupted")
    assert (data["LastModifiedTime"], data["EndTime"]) == ("t2", "t2")
    assert data["PipelineExecutionSteps"][1] == {
        "StepName": "B",
        "StepStatus": "Stopped",
        "FailureReason": "interrupted",
        "EndTime": "t2",
    }
    assert data["NotExecutedSteps"] == [{"StepName": "C", "Reason": "the execution was stopped"}]
    assert ExecutionRecord.load(tmp_path) == record
    (tmp_path / "execution.json").unlink()
    with pytest.raises(LocalRunError, match=r"^can't read the record of "):
        ExecutionRecord.load(tmp_path)


def test_settling_a_stale_record_reads_the_final_one_its_run_wrote(tmp_path: Path) -> None:
    final = ExecutionRecord(tmp_path, "abc", "pipe", status="Succeeded", created="t0")
    final.save()
    stale = ExecutionRecord(tmp_path, "abc", "pipe", status="Executing", created="t0")

    settled = settle_abandoned(stale)

    assert settled.status == "Succeeded"
    ExecutionRecord(tmp_path, "abc", "pipe", created="t0", step_order=["A"]).save()
    settled = settle_abandoned(stale)  # Executing on disk, and no process holds its lock
    assert (settled.status, settled.not_executed) == ("Stopped", {"A": "the execution was stopped"})
    assert ExecutionRecord.load(tmp_path).status == "Stopped"


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
    runner = ws.runner(faults={"Perp": ["Step.THROTTLING"]})
    with pytest.raises(
        LocalRunError,
        match=r"faults \(--fault\): no step named 'Perp' in the pipeline "
        r"\(did you mean 'Prep'\?\)",
    ):
        runner.run(definition)
    # Checked before the execution is recorded: a typo used to leave a Stopped execution
    # ("the process running the execution ended before it finished") for --resume.
    assert runner.executions() == []
    runner = ws.runner(callback_outputs={"Perp": {"done": "true"}})
    with pytest.raises(
        LocalRunError,
        match=r"callback_outputs \(--callback-output\): no step named 'Perp' in the pipeline",
    ):
        runner.run(definition)


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


def slow_then_after(ws: Workspace) -> dict[str, object]:
    """Slow (30 s; it creates ``ws.root / "started"`` when it runs), then After."""
    environment = {"SLEEP": "30", "STARTED": str(ws.root / "started")}
    script = ws.script("sleep.py", SLEEP)
    slow = processing("Slow", script, outputs=["out"], environment=environment)
    after = processing("After", ws.script("w.py", WRITE_OUTPUT), outputs=["out"], depends_on=[slow])
    return compile_steps([slow, after])


def press_ctrl_c() -> None:
    # As a terminal does: SIGINT to the main thread, which raises KeyboardInterrupt there.
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def once_running(
    started: Path, action: Callable[[], object] = press_ctrl_c, scripts: int = 1
) -> None:
    """``action`` (Ctrl-C), from another thread, once ``scripts`` step scripts run.

    A script tells it runs by creating ``started`` (one script), or a file in the folder
    ``started`` (several). Waited for, not guessed with a sleep: the step's process is
    running when the action comes.
    """

    def running() -> int:
        if started.is_dir():
            return len(list(started.iterdir()))
        return int(started.exists())

    def wait_and_act() -> None:
        deadline = time.monotonic() + 30
        while running() < scripts:
            if time.monotonic() > deadline:
                return  # never ran: the run ends without the action, and the test says so
            time.sleep(0.005)
        action()

    threading.Thread(target=wait_and_act, daemon=True).start()


@pytest.mark.parametrize("moment", ["while the step runs", "as the step starts"])
def test_a_second_ctrl_c_while_stopping_still_leaves_a_final_record(
    ws: Workspace, moment: str
) -> None:
    def progress(event: ProgressEvent) -> None:
        if event.kind == "step-started":
            if moment == "as the step starts":
                press_ctrl_c()
            else:
                once_running(ws.root / "started")
        if event.kind == "step-stopped":
            press_ctrl_c()  # impatient: again, while the step is being stopped

    runner = ws.runner(progress=progress)
    with pytest.raises(KeyboardInterrupt):
        runner.run(slow_then_after(ws))
    [record] = runner.executions()
    assert record.status == "Stopped"
    result = runner.execution(record.execution_id)
    assert [(s.name, s.status) for s in result.steps] == [
        ("Slow", "Stopped"),
        ("After", "NotExecuted"),
    ]
    assert result.step("After").reason == "the execution was stopped"


def test_ctrl_c_says_which_execution_was_stopped_and_how_to_resume_it(ws: Workspace) -> None:
    # In a notebook the KeyboardInterrupt's traceback is all there is: no smpipe prints
    # the execution's id or how to go on.
    def progress(event: ProgressEvent) -> None:
        if event.kind == "step-started":
            once_running(ws.root / "started")

    runner = ws.runner(progress=progress)
    with pytest.raises(KeyboardInterrupt) as raised:
        runner.run(slow_then_after(ws))
    [record] = runner.executions()
    assert str(raised.value) == (
        f"execution {record.execution_id} (local-pipeline) was stopped, its record kept in "
        f"{record.directory}: LocalRunner(…).resume('{record.execution_id}') reruns its "
        "steps that did not succeed"
    )


def test_an_error_of_the_runner_itself_stops_the_steps_and_leaves_a_final_record(
    ws: Workspace,
) -> None:
    def broken_display(event: ProgressEvent) -> None:
        if event.kind == "step-started":
            raise BrokenPipeError(32, "Broken pipe")  # e.g. `smpipe run | head` exited

    runner = ws.runner(progress=broken_display)
    started = time.monotonic()
    with pytest.raises(BrokenPipeError):
        runner.run(slow_then_after(ws))
    assert time.monotonic() - started < 20  # the 30 s script was stopped, not waited for
    [record] = runner.executions()
    assert record.status == "Stopped"
    assert record.failure_reason == (
        "the execution was stopped by an error of the local runner: "
        "BrokenPipeError(32, 'Broken pipe')"
    )
    assert record.not_executed == {"After": "the execution was stopped"}


def test_an_execution_whose_process_died_is_shown_stopped_and_can_be_resumed(
    ws: Workspace,
) -> None:
    runner = ws.runner()
    definition = compile_steps([processing("A", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])])
    result = runner.run(definition)
    # What a SIGKILLed run leaves behind: a step Executing, another not started.
    path = result.directory / "execution.json"
    data = json.loads(path.read_text())
    data.update(PipelineExecutionStatus="Executing", StepOrder=["A", "B"])
    data.pop("EndTime")
    data["PipelineExecutionSteps"][0].update(StepStatus="Executing")
    path.write_text(json.dumps(data))

    lock = (result.directory / ".lock").open("a")
    fcntl.flock(lock, fcntl.LOCK_EX)  # still running, as seen from another process
    running = runner.execution(result.execution_id)
    assert running.status == "Executing"
    assert [(s.name, s.status, s.reason) for s in running.steps] == [
        ("A", "Executing", None),
        ("B", "Pending", "not started yet"),
    ]
    lock.close()  # the process is gone

    dead = runner.execution(result.execution_id)
    assert dead.status == "Stopped"
    assert dead.failure_reason == (
        "the process running the execution ended before it finished "
        f"(smpipe show {result.execution_id} prints the command that continues it)"
    )
    assert dead.step("A").status == "Stopped"
    assert dead.step("B").reason == "the execution was stopped"
    assert json.loads(path.read_text())["PipelineExecutionStatus"] == "Stopped"
    assert [r.status for r in runner.executions()] == ["Stopped"]
    assert runner.resume(result.execution_id).step("A").status == "Succeeded"


def test_a_selective_run_that_died_resumes_only_its_selected_steps(ws: Workspace) -> None:
    first = processing("A", ws.script("a.py", WRITE_OUTPUT), outputs=["out"])
    second = processing("B", ws.script("b.py", WRITE_OUTPUT), outputs=["out"], depends_on=[first])
    third = processing("C", ws.script("c.py", WRITE_OUTPUT), outputs=["out"], depends_on=[second])
    definition = compile_steps([third])
    source = ws.runner().run(definition)
    assert source.status == "Succeeded", source.failure_reason
    on_disk: dict[str, str] = {}

    def remember_record_when_b_starts(event: ProgressEvent) -> None:
        if event.kind == "step-started" and event.step == "B":
            path = ws.root / ".smpipe" / "executions" / str(event.execution_id) / "execution.json"
            on_disk["record"] = path.read_text()

    runner = ws.runner(progress=remember_record_when_b_starts)
    selective = runner.run(definition, steps=["B"], from_execution=source.execution_id)
    assert selective.status == "Succeeded", selective.failure_reason
    # What a SIGKILL while B ran would have left: the record as it was when B started.
    (selective.directory / "execution.json").write_text(on_disk["record"])

    dead = runner.execution(selective.execution_id)
    assert dead.status == "Stopped"
    assert dead.step("C").reason == "not selected"
    resumed = runner.resume(selective.execution_id)
    assert resumed.step("B").status == "Succeeded"
    assert resumed.step("C").status == "NotExecuted"
    assert resumed.step("C").reason == "not selected"


def test_unreadable_records_are_clear_errors(ws: Workspace) -> None:
    runner = ws.runner()
    definition = compile_steps([processing("A", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])])
    execution_id = runner.run(definition).execution_id
    directory = ws.root / ".smpipe" / "executions" / execution_id
    (directory / "definition.json").unlink()
    with pytest.raises(LocalRunError, match=r"definition\.json is missing or not a JSON object"):
        runner.execution(execution_id)
    (directory / "execution.json").write_text("[]")
    with pytest.raises(LocalRunError, match=r"is not an execution record \(a JSON list"):
        runner.execution(execution_id)
    (directory / "execution.json").write_text("{}")
    with pytest.raises(
        LocalRunError, match=r"is not an execution record \(missing 'PipelineExecutionId'\)"
    ):
        runner.resume(execution_id)
    skipped: list[tuple[Path, LocalRunError]] = []
    assert runner.executions(skipped) == []
    assert [directory.name for directory, _error in skipped] == [execution_id]


def test_a_failed_execution_without_its_recorded_definition_cant_be_resumed(
    ws: Workspace,
) -> None:
    runner = ws.runner()
    crash = processing("A", ws.script("crash.py", "raise SystemExit(1)\n"), outputs=["out"])
    failed = runner.run(compile_steps([crash]))
    (failed.directory / "definition.json").write_text("{truncated")
    with pytest.raises(LocalRunError, match=rf"can't resume {failed.execution_id}: .*definition"):
        runner.resume(failed.execution_id)


def test_fails_on_a_definition_body_that_is_not_json(ws: Workspace) -> None:
    with pytest.raises(LocalRunError, match="PipelineDefinitionBody is not valid JSON"):
        ws.runner().run({"PipelineDefinitionBody": "{not json"})
    with pytest.raises(LocalRunError, match="JSON string of an object, got 5"):
        ws.runner().run({"PipelineDefinitionBody": 5})
    file = ws.root / "pipeline.json"
    file.write_text("[]")
    with pytest.raises(LocalRunError, match=r"pipeline\.json: expected a JSON object"):
        ws.runner().run(file)


def test_fails_on_unknown_fault_types_a_zero_parallelism_and_a_file_as_root(
    ws: Workspace,
) -> None:
    definition, _ = cached_pipeline(ws)
    with pytest.raises(
        LocalRunError,
        match=r"faults \(--fault\): step 'Prep': unknown exception type 'SageMaker.CAPACITY_EROR' "
        r"\(expected one of .*did you mean 'SageMaker.CAPACITY_ERROR'",
    ):
        ws.runner(faults={"Prep": ["SageMaker.CAPACITY_EROR"]}).run(definition)
    with pytest.raises(LocalRunError, match="max_parallel must be at least 1, got 0"):
        ws.runner(max_parallel=0).run(definition)
    assert ws.runner().executions() == []  # checked before an execution is recorded
    not_a_directory = ws.root / "file"
    not_a_directory.write_text("")
    with pytest.raises(LocalRunError, match=r"root .*/file \(--root\) is not a directory"):
        ws.runner(root=not_a_directory).run(definition)


@pytest.mark.parametrize(
    ("step", "step_type", "expected"),
    [
        ("Prep", "Processing", r"pipelines-abcdefghijkl-Prep-[A-Za-z0-9]{10}"),
        # The service keeps 20 characters of the step name (a published training job name).
        (
            "Rossmann-Model-Training",
            "Training",
            r"pipelines-abcdefghijkl-Rossmann-Model-Train-[A-Za-z0-9]{10}",
        ),
        ("train_model", "Training", r"pipelines-abcdefghijkl-train-model-[A-Za-z0-9]{10}"),
        # Tuning and AutoML names take 32 characters at most.
        ("TuneHyperparameters", "Tuning", r"abcdefghijkl-TuneHype-[A-Za-z0-9]{10}"),
        ("AutoML", "AutoML", r"abcdefghijkl-AutoML-[A-Za-z0-9]{10}"),
    ],
)
def test_job_names_are_valid_names_of_their_job_type(step: str, step_type: str, expected: str):
    from cdk_sagemaker_pipelines.local.runner import _job_name

    name = _job_name("abcdefghijkl", step, step_type)

    assert re.fullmatch(expected, name), name
    limit = 32 if step_type in {"Tuning", "AutoML"} else 63
    assert re.fullmatch(rf"[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,{limit - 1}}}", name)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        # A string of steps was taken letter by letter; an id of another type passed
        # (from_execution) or failed inside a regular expression (resume).
        ({"steps": "Stop"}, r"steps must be a list of step names \(steps=\['Train'\]\), got str"),
        ({"steps": ["Stop", 3]}, r"steps must be a list of step names .*, got list"),
        ({"steps": ["Stop"], "from_execution": 3}, r"from_execution must be an execution id"),
        ({"pipeline_name": 5}, r"pipeline_name must be a string, got int 5"),
    ],
    ids=["steps-string", "steps-int", "from-execution-int", "pipeline-name-int"],
)
def test_run_arguments_of_another_type_fail_naming_the_argument(
    ws: Workspace, arguments: dict[str, object], message: str
) -> None:
    definition = compile_steps([FailStep(name="Stop", error_message="stop")])

    with pytest.raises(LocalRunError, match=f"^{message}"):
        ws.runner().run(definition, **arguments)  # type: ignore[arg-type]
    with pytest.raises(LocalRunError, match=r"^3 is not an execution id"):
        ws.runner().resume(3)  # type: ignore[arg-type]


def test_a_cache_hit_compares_where_an_input_is_read_not_which_prefix_maps_it(
    ws: Workspace,
) -> None:
    # Was: a longer prefix mapped now made two notes, one saying the input is read from
    # "nothing (the local S3 tree) now", and notes for the same files mapped anew.
    old = ws.file("old/raw/a.csv", "1").parent.parent
    new = ws.file("new/a.csv", "2").parent
    first = ws.runner(resources=ws.resources(**{"s3://raw-bucket": old})).run(reading_raw(ws))
    assert first.succeeded, first.failure_reason
    # The same files, mapped by the input's own prefix: nothing changed.
    assert cached_notes(ws, **{"s3://raw-bucket/raw": old / "raw"}) == []
    notes = cached_notes(ws, **{"s3://raw-bucket": old, "s3://raw-bucket/raw": new})
    assert notes == [
        f"note: input 'input-1' (s3://raw-bucket/raw) is mapped to {new} now, to {old / 'raw'} "
        f"in execution {first.execution_id}, whose results this hit reuses (the cache key holds "
        "the S3 URI, not the data): to run on this data, add --no-cache "
        "(LocalConfig(reuse_cache=False)) or turn off the step's CacheConfig"
    ]
