"""Processing steps: container conventions and every way a script can fail."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    RawStep,
)
from cdk_sagemaker_pipelines.local.isolation import probe_namespaces
from tests.conftest import ROLE
from tests.local.conftest import SKLEARN, WRITE_OUTPUT, Workspace, compile_steps, processing


def test_inputs_outputs_environment_and_arguments_follow_the_conventions(
    ws: Workspace,
) -> None:
    ws.file("raw/a.csv", "1,2\n")
    script = ws.script(
        "prep.py",
        """
        import json, os, sys
        rows = open("/opt/ml/processing/input/a.csv").read()
        os.makedirs("/opt/ml/processing/train", exist_ok=True)
        with open("/opt/ml/processing/train/out.json", "w") as handle:
            json.dump({"rows": rows, "args": sys.argv[1:], "env": os.environ["MODE"],
                       "cwd": os.getcwd(),
                       "config": json.load(open("/opt/ml/config/processingjobconfig.json"))[
                           "ProcessingJobName"]}, handle)
        """,
    )
    step = processing(
        "Prep",
        script,
        outputs=["train"],
        arguments=["--fraction", "0.2"],
        environment={"MODE": "fast"},
        inputs=[
            ProcessingInput(source="s3://data-bucket/raw/", destination="/opt/ml/processing/input")
        ],
    )
    result = ws.runner().run(compile_steps([step]), pipeline_name="prep")
    assert result.status == "Succeeded", result.failure_reason
    written = json.loads((result.output("Prep", "train") / "out.json").read_text())
    assert written["rows"] == "1,2\n"
    assert written["args"] == ["--fraction", "0.2"]
    assert written["env"] == "fast"
    assert written["config"].startswith(f"pipelines-{result.execution_id}-Prep-")
    run = result.step("Prep")
    assert (run.status, run.attempt_count, run.cache_hit) == ("Succeeded", 1, None)
    properties = result.properties("Prep")
    assert properties["ProcessingJobStatus"] == "Completed"
    uri = properties["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    assert uri == f"s3://art-bucket/prep/Prep/{result.execution_id}/train"
    assert run.metadata == {"ProcessingJob": {"Arn": properties["ProcessingJobArn"]}}
    entry = result.list_steps()["PipelineExecutionSteps"][0]
    assert set(entry) == {
        "StepName",
        "StartTime",
        "EndTime",
        "StepStatus",
        "AttemptCount",
        "Metadata",
    }


def chain(ws: Workspace, body: str, **options: object) -> dict[str, object]:
    failing = processing("Prep", ws.script("prep.py", body), outputs=["out"], **options)
    report = PropertyFile(name="Report", output_name="out", path="data.txt")
    after = ProcessingStep(
        name="After",
        image=failing.image,
        code=failing.code,
        inputs=[
            ProcessingInput(
                source=failing.properties.ProcessingOutputConfig.Outputs["out"].S3Output.S3Uri,
                destination="/opt/ml/processing/in",
            )
        ],
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
        property_files=[report],
    )
    return compile_steps([failing, after])


def assert_failed_alone(result: object, reason: str) -> None:
    assert result.status == "Failed"  # type: ignore[attr-defined]
    prep = result.step("Prep")  # type: ignore[attr-defined]
    assert prep.status == "Failed"
    assert prep.failure_reason == reason
    after = result.step("After")  # type: ignore[attr-defined]
    assert (after.status, after.reason) == ("NotExecuted", "upstream step 'Prep' failed")
    assert result.store.outputs_of("Prep") == {}  # type: ignore[attr-defined]
    assert not (result.directory / "outputs" / "Prep").exists()  # type: ignore[attr-defined]
    assert result.failure_reason == (  # type: ignore[attr-defined]
        f"Step failure: One or multiple steps failed. Step 'Prep': {reason}"
    )


def test_a_raw_step_runs_as_the_typed_step_of_its_entry_does(ws: Workspace) -> None:
    # The runner runs the definition JSON: a RawStep's entry is one like any other.
    typed = processing("Report", ws.script("report.py", WRITE_OUTPUT), outputs=["out"])
    [entry] = compile_steps([typed])["Steps"]
    # Without its role, which the binder writes in again.
    arguments = {key: value for key, value in entry["Arguments"].items() if key != "RoleArn"}
    raw = RawStep.from_json({**entry, "Arguments": arguments})
    definition = compile_steps([raw])
    assert definition["Steps"][0]["Arguments"]["RoleArn"] == ROLE
    result = ws.runner().run(definition, pipeline_name="raw")
    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Report", "out") / "data.txt").read_text() == "hello"
    assert result.properties("Report")["ProcessingJobStatus"] == "Completed"


def test_each_step_gets_scratch_space_of_its_own(ws: Workspace) -> None:
    # A SageMaker job's /tmp is its own. Here the steps share the machine's /tmp, but what a
    # script asks tempfile for (TMPDIR) is the step's: a file an earlier step or run left
    # there can't stand in for one this step failed to write.
    body = """
    import os, sys, tempfile
    os.makedirs("/opt/ml/processing/out", exist_ok=True)
    scratch = tempfile.gettempdir()
    leftover = os.path.join(scratch, "model.json")
    found = os.path.exists(leftover)
    open(leftover, "w").write("{}")
    open("/opt/ml/processing/out/data.txt", "w").write(f"{scratch} {found}")
    """
    script = ws.script("scratch.py", textwrap.dedent(body))
    first = processing("First", script, outputs=["out"])
    second = processing("Second", script, outputs=["out"], depends_on=[first])
    seen = []
    for _ in range(2):  # a second run too: nothing is reused from the first
        result = ws.runner(reuse_cache=False).run(compile_steps([second]))
        assert result.status == "Succeeded", result.failure_reason
        for step in ("First", "Second"):
            scratch, found = (result.output(step) / "data.txt").read_text().split()
            assert found == "False"
            assert scratch not in ("/tmp", "/var/tmp")
            seen.append(scratch)
    assert len(set(seen)) == 4


def test_fails_when_the_script_exits_non_zero(ws: Workspace) -> None:
    body = """
    import os, sys
    os.makedirs("/opt/ml/processing/out", exist_ok=True)
    open("/opt/ml/processing/out/data.txt", "w").write("half")
    sys.exit("prep: no CSV files under /opt/ml/processing/input")
    """
    result = ws.runner().run(chain(ws, body))
    assert_failed_alone(
        result,
        "AlgorithmError: the processing script exited with code 1: "
        "prep: no CSV files under /opt/ml/processing/input",
    )


def test_fails_with_the_exception_line_of_a_traceback(ws: Workspace) -> None:
    result = ws.runner().run(chain(ws, "raise KeyError('target')\n"))
    assert_failed_alone(
        result, "AlgorithmError: the processing script exited with code 1: KeyError: 'target'"
    )


def test_fails_with_the_first_line_of_an_exception_of_several_lines(ws: Workspace) -> None:
    # Was: the last line of the output, which for XGBoost's errors is the last frame of
    # their C++ stack trace ("[bt] (8) …libffi.so.8(ffi_call+0xcd)").
    body = (
        "raise ValueError('Unknown objective function: ``\\nObjective candidate: reg:linear"
        "\\n\\nStack trace:\\n  [bt] (0) libxgboost.so(+0x11031e)\\n  [bt] (1) libffi.so.8')\n"
    )
    result = ws.runner().run(chain(ws, body))
    assert_failed_alone(
        result,
        "AlgorithmError: the processing script exited with code 1: "
        "ValueError: Unknown objective function: ``",
    )


def test_fails_when_the_script_is_killed_by_a_signal(ws: Workspace) -> None:
    body = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    result = ws.runner().run(chain(ws, body))
    assert_failed_alone(result, "the processing script was killed by signal 9 (SIGKILL)")


def test_fails_when_the_script_exceeds_its_stopping_condition(ws: Workspace) -> None:
    body = "import time\ntime.sleep(60)\n"
    result = ws.runner().run(chain(ws, body, max_runtime_in_seconds=1))
    assert_failed_alone(
        result,
        "the processing script exceeded its stopping condition MaxRuntimeInSeconds=1 and was "
        "stopped (SIGTERM, then SIGKILL)",
    )
    assert result.step("Prep").duration < 10  # type: ignore[operator]


def test_fails_when_an_output_directory_is_never_written(ws: Workspace) -> None:
    result = ws.runner().run(chain(ws, "print('forgot to write')\n"))
    assert_failed_alone(
        result,
        "output 'out' (/opt/ml/processing/out) was never written: the script left it empty, "
        "so there is nothing to publish (smpipe run --allow-empty-outputs or "
        "LocalConfig(strict_outputs=False) publishes empty outputs as the service does)",
    )


@pytest.mark.parametrize("isolation", ["namespace", "redirect"])
def test_an_empty_output_names_where_the_script_wrote_instead(
    ws: Workspace, isolation: str
) -> None:
    if isolation == "namespace" and (problem := probe_namespaces()) is not None:
        pytest.skip(problem)
    body = (
        "import os\n"
        "os.makedirs('/opt/ml/processing/output/out', exist_ok=True)\n"
        "open('/opt/ml/processing/output/out/data.txt', 'w').write('lost')\n"
        "open('stray.txt', 'w').write('relative to the working directory')\n"
    )
    result = ws.runner(isolation=isolation).run(chain(ws, body))
    assert_failed_alone(
        result,
        "output 'out' (/opt/ml/processing/out) was never written: the script left it empty "
        "and wrote /opt/ml/processing/output, /opt/ml/processing/stray.txt instead, which no "
        "output collects (a mistyped path?), so there is nothing to publish (smpipe run "
        "--allow-empty-outputs or LocalConfig(strict_outputs=False) publishes empty outputs "
        "as the service does)",
    )


def test_with_empty_outputs_allowed_the_consumer_fails_naming_the_producer(
    ws: Workspace,
) -> None:
    result = ws.runner(strict_outputs=False).run(chain(ws, "print('nothing')\n"))
    assert result.step("Prep").status == "Succeeded"
    after = result.step("After")
    assert after.status == "Failed"
    assert after.failure_reason is not None
    assert after.failure_reason.startswith("input 'input-1': no objects at s3://art-bucket/")
    assert after.failure_reason.endswith(
        "the prefix is empty (step 'Prep' wrote nothing to its output 'out')"
    )


def _shared_destination(
    ws: Workspace, body: str, destinations: tuple[str, str] = ("s3://art-bucket/splits",) * 2
) -> dict[str, object]:
    """Prep writes train and validation to one S3 prefix; After lists what train's URI holds.

    AWS's tuning-step example writes its three splits so (one ``Join`` as every
    ``ProcessingOutput``'s destination), and a channel of ``Outputs['train']`` gets them all.
    ``names.txt`` lists the files After reads, by their paths under its input folder.
    """
    prep = ProcessingStep(
        name="Prep",
        image=SKLEARN,
        code=Code.from_asset(ws.script("prep.py", body)),
        outputs=[
            ProcessingOutput(
                output_name=name, source=f"/opt/ml/processing/{name}", destination=destination
            )
            for name, destination in zip(("train", "validation"), destinations, strict=True)
        ],
    )
    lister = ws.script(
        "after.py",
        """
        import os
        root = "/opt/ml/processing/in"
        names = sorted(
            os.path.relpath(os.path.join(folder, file), root)
            for folder, _, files in os.walk(root)
            for file in files
        )
        os.makedirs("/opt/ml/processing/out", exist_ok=True)
        open("/opt/ml/processing/out/names.txt", "w").write(",".join(names))
        """,
    )
    after = ProcessingStep(
        name="After",
        image=SKLEARN,
        code=Code.from_asset(lister),
        inputs=[
            ProcessingInput(
                source=prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri,
                destination="/opt/ml/processing/in",
            )
        ],
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )
    return compile_steps([prep, after])


WRITE_SPLITS = """
import os
validation = os.environ.get("VALIDATION", "validation.csv")
for name, file in (("train", "train.csv"), ("validation", validation)):
    os.makedirs(f"/opt/ml/processing/{name}", exist_ok=True)
    open(f"/opt/ml/processing/{name}/{file}", "w").write(name)
"""


def test_outputs_sharing_a_destination_publish_all_their_files_there(ws: Workspace) -> None:
    # Was: the last output at the URI replaced the others, so a reader of the URI saw
    # validation.csv only, where the service's prefix holds both files.
    result = ws.runner().run(_shared_destination(ws, WRITE_SPLITS))
    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("After", "out") / "names.txt").read_text() == "train.csv,validation.csv"


def test_outputs_sharing_a_destination_fail_on_a_file_both_write(ws: Workspace) -> None:
    body = "import os\nos.environ['VALIDATION'] = 'train.csv'\n" + WRITE_SPLITS
    result = ws.runner().run(_shared_destination(ws, body))
    assert result.step("Prep").failure_reason == (
        "outputs 'train' and 'validation' both write train.csv to s3://art-bucket/splits: on "
        "SageMaker one upload would overwrite the other (give each output its own "
        "destination)"
    )
    assert result.step("After").status == "NotExecuted"


def test_fails_when_an_input_is_missing(ws: Workspace) -> None:
    step = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        inputs=[ProcessingInput(source="s3://nowhere/raw", destination="/opt/ml/processing/in")],
    )
    result = ws.runner().run(compile_steps([step]))
    reason = result.step("Prep").failure_reason
    assert reason is not None
    assert reason.startswith("input 'input-1': no objects at s3://nowhere/raw (put it at ")
    assert "smpipe run --s3-map s3://nowhere/raw=PATH" in reason


def test_a_missing_input_names_a_mapped_prefix_with_a_typo(ws: Workspace) -> None:
    # Was: only "map the prefix … --s3-map s3://churn-data/raw=PATH", to a user who had
    # mapped s3://churn-dta/raw and saw nothing wrong with it.
    step = processing(
        "Prep",
        ws.script("prep.py", WRITE_OUTPUT),
        outputs=["out"],
        inputs=[ProcessingInput(source="s3://churn-data/raw", destination="/opt/ml/processing/in")],
    )
    resources = ws.resources(**{"s3://churn-dta/raw": ws.data, "s3://unrelated/x": ws.data})
    result = ws.runner(resources=resources).run(compile_steps([step]))
    reason = result.step("Prep").failure_reason
    assert reason is not None
    assert reason.endswith(
        f"; the mapped prefix s3://churn-dta/raw (mapped to {ws.data}) is close: a typo?)"
    )
    assert "s3://unrelated" not in reason


@pytest.mark.parametrize("isolation", ["namespace", "redirect"])
def test_concurrent_steps_each_see_their_own_opt_ml(ws: Workspace, isolation: str) -> None:
    if isolation == "namespace":
        from cdk_sagemaker_pipelines.local.isolation import probe_namespaces

        if probe_namespaces() is not None:
            pytest.skip(f"no user namespaces here: {probe_namespaces()}")
    script = ws.script(
        "slow.py",
        """
        import os, sys, time
        os.makedirs("/opt/ml/processing/out", exist_ok=True)
        with open("/opt/ml/processing/out/data.txt", "w") as handle:
            handle.write(os.environ["WHO"])
        time.sleep(0.3)
        assert open("/opt/ml/processing/out/data.txt").read() == os.environ["WHO"]
        """,
    )
    steps = [
        processing(name, script, outputs=["out"], environment={"WHO": name})
        for name in ("Left", "Right")
    ]
    result = ws.runner(isolation=isolation).run(compile_steps(steps))
    assert result.status == "Succeeded", result.failure_reason
    for name in ("Left", "Right"):
        assert (result.output(name, "out") / "data.txt").read_text() == name


def test_directory_code_of_another_owner_is_unpacked_in_a_namespace(ws: Workspace) -> None:
    # In its namespace a step runs as root with only the user's own id mapped (to root):
    # `tar -x` failed to give the unpacked files the owner the archive named ("Cannot
    # change ownership to uid 1001 ... Invalid argument") for any user but root, as on a
    # CI runner. As root, files of another user give the same unmapped owner.
    problem = probe_namespaces()
    if problem is not None:
        pytest.skip(problem)
    ws.script("src/main.py", WRITE_OUTPUT)
    if os.geteuid() == 0:
        for path in (ws.scripts / "src", ws.scripts / "src" / "main.py"):
            os.chown(path, 4242, 4242)
    step = ProcessingStep(
        name="Prep",
        image=SKLEARN,
        code=Code.from_asset(ws.scripts / "src", entry_point="main.py"),
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )

    result = ws.runner(isolation="namespace").run(compile_steps([step]))

    assert result.status == "Succeeded", result.failure_reason


@pytest.mark.parametrize("isolation", ["auto", "redirect"])
def test_directory_code_is_unpacked_by_the_generated_entrypoint(
    ws: Workspace, isolation: str
) -> None:
    ws.script("src/helpers.py", "GREETING = 'from a module'\n")
    ws.script(
        "src/main.py",
        """
        import os, sys
        from helpers import GREETING
        os.makedirs("/opt/ml/processing/out", exist_ok=True)
        open("/opt/ml/processing/out/data.txt", "w").write(GREETING + " " + sys.argv[1])
        """,
    )
    step = ProcessingStep(
        name="Prep",
        image=SKLEARN,
        code=Code.from_asset(ws.scripts / "src", entry_point="main.py"),
        arguments=["--flag"],
        outputs=[ProcessingOutput(output_name="out", source="/opt/ml/processing/out")],
    )
    definition = compile_steps([step])
    assert definition["Steps"][0]["Arguments"]["AppSpecification"]["ContainerEntrypoint"][0] == (
        "/bin/sh"
    )
    result = ws.runner(isolation=isolation).run(definition)
    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("Prep", "out") / "data.txt").read_text() == "from a module --flag"


def test_outputs_sharing_a_destination_merge_subfolders_and_a_trailing_slash(
    ws: Workspace,
) -> None:
    # 's3://…/splits' and 's3://…/splits/' name one prefix; the second output's files keep
    # their subfolders there, as an upload of each file under the prefix does.
    body = """
    import os
    os.makedirs("/opt/ml/processing/train", exist_ok=True)
    open("/opt/ml/processing/train/train.csv", "w").write("train")
    os.makedirs("/opt/ml/processing/validation/fold/1", exist_ok=True)
    open("/opt/ml/processing/validation/fold/1/validation.csv", "w").write("validation")
    """
    splits = ("s3://art-bucket/splits", "s3://art-bucket/splits/")
    result = ws.runner().run(_shared_destination(ws, body, splits))

    assert result.status == "Succeeded", result.failure_reason
    assert (result.output("After", "out") / "names.txt").read_text() == (
        "fold/1/validation.csv,train.csv"
    )
