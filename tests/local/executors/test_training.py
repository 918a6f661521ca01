"""Training (script mode) and Tuning steps."""

from __future__ import annotations

import json
import re
import sys
import tarfile
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CategoricalParameter,
    Code,
    ContinuousParameter,
    Distribution,
    ExecutionVariables,
    FileSystemInput,
    HyperbandStrategyConfig,
    Image,
    InstanceGroup,
    IntegerParameter,
    Join,
    ModelStep,
    NetworkConfig,
    ParameterFloat,
    ParameterInteger,
    PipelineDefinition,
    PipelineValidationError,
    S3Location,
    TrainingInput,
    TrainingJobDefinition,
    TrainingStep,
    TuningJobCompletionCriteria,
    TuningStep,
    WarmStartConfig,
)
from cdk_sagemaker_pipelines.local import (
    ExecutionResult,
    LocalRunError,
    LocalRunner,
    ProgressEvent,
    ResourceMap,
    StepRun,
)
from cdk_sagemaker_pipelines.local._paths import shown_path
from cdk_sagemaker_pipelines.local.isolation import probe_namespaces
from cdk_sagemaker_pipelines.local.progress import code_origins, summary
from tests.conftest import REPO
from tests.local.conftest import (
    BINDER,
    CODE_PREFIX,
    SKLEARN,
    Workspace,
    compile_steps,
    workspace,
)
from tests.local.test_runner import once_running

# The hyperparameters come as `--name value` pairs, read here as argparse would read
# `--depth` (int), `--rate` (float, default 0.1) and `--epochs` (int, default 1), refusing
# anything else. Not with argparse itself: importing it is a quarter of the script's
# start-up, and this module runs the script about 150 times.
TRAIN = """
import json, os, sys, time
TYPES = {"--depth": int, "--rate": float, "--epochs": int}
pairs = list(zip(sys.argv[1::2], sys.argv[2::2]))
if len(sys.argv) % 2 == 0 or any(name not in TYPES for name, _ in pairs):
    sys.exit(f"usage: train.py [--depth D] [--rate R] [--epochs E], got {sys.argv[1:]}")
given = {name[2:]: TYPES[name](value) for name, value in pairs}
args = {"depth": None, "rate": 0.1, "epochs": 1, **given}
rows = open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv")).read().split()
report = {
    "args": args,
    "hps": json.load(open("/opt/ml/input/config/hyperparameters.json")),
    "channels": json.loads(os.environ["SM_CHANNELS"]),
    "model_dir": os.environ["SM_MODEL_DIR"],
    "cwd": os.getcwd(),
    "env": os.environ.get("STAGE"),
}
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as handle:
    json.dump(report, handle)
os.makedirs("/opt/ml/output/data", exist_ok=True)
open("/opt/ml/output/data/extra.txt", "w").write("extra")
score = args["depth"] * 0.1 + args["rate"]
print(f"loss={1 - score:.3f}")
print(f"score={score:.4f}")
if "STARTED" in os.environ:  # a test waits for the trials to run
    open(os.path.join(os.environ["STARTED"], str(os.getpid())), "w").close()
time.sleep(float(os.environ.get("SLEEP", "0")))
"""


def train_step(ws: Workspace, **options: object) -> TrainingStep:
    ws.file("train/train.csv", "1\n2\n3\n")
    return TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)", "loss": r"loss=([0-9.]+)"},
        **options,  # type: ignore[arg-type]
    )


def test_training_follows_the_script_mode_conventions(ws: Workspace) -> None:
    depth = ParameterInteger(name="Depth", default_value=3)
    step = train_step(ws, hyperparameters={"depth": depth}, environment={"STAGE": "dev"})
    result = ws.runner().run(compile_steps([step], [depth]), {"Depth": "5"})
    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Train")
    model_uri = properties["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_uri == (
        f"s3://art-bucket/local-pipeline/Train/{result.execution_id}/model/"
        f"{properties['TrainingJobName']}/output/model.tar.gz"
    )
    located = result.store.locate(model_uri)
    assert located is not None
    with tarfile.open(located.path) as archive:
        report = json.load(archive.extractfile("model.json"))  # type: ignore[arg-type]
    assert report["args"] == {"depth": 5, "rate": 0.1, "epochs": 1}
    assert report["hps"]["depth"] == "5"
    assert report["hps"]["sagemaker_program"] == "train.py"
    # Sorted, as the training toolkit lists them (environment.py: sorted(channel_input_dirs)).
    assert report["channels"] == ["code", "train"]
    assert (report["model_dir"], report["cwd"], report["env"]) == (
        "/opt/ml/model",
        "/opt/ml/code",
        "dev",
    )
    metrics = {m["MetricName"]: m["Value"] for m in properties["FinalMetricDataList"]}
    assert metrics == {"score": 0.6, "loss": 0.4}
    assert result.evaluate(step.properties.FinalMetricDataList["score"].Value) == 0.6
    assert (located.path.parent / "output.tar.gz").exists()


# What the script sees of its hyperparameters and channels, as JSON in the model.
ENVIRONMENT_REPORT = """
import json, os, sys
names = ("SM_CHANNEL_", "SM_HP_", "SM_HPS", "SM_USER_ARGS", "SM_RESOURCE_CONFIG",
         "SM_FRAMEWORK_PARAMS", "SM_OUTPUT_INTERMEDIATE_DIR")
import subprocess
child = subprocess.run(  # a python3 the script starts: the runner's shim for it
    ["python3", "-c", "import os; print(os.environ.get('SM_CHANNEL_TRAIN-DATA'))"],
    capture_output=True, text=True, check=True).stdout.strip()
report = {"argv": sys.argv[1:], "child": child,
          "env": {k: v for k, v in os.environ.items() if k.startswith(names)}}
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as handle:
    json.dump(report, handle)
"""


@pytest.mark.parametrize("isolation", ["namespace", "redirect"])
def test_hyperparameters_and_channels_reach_the_script_as_the_training_toolkit_writes_them(
    ws: Workspace, isolation: str
) -> None:
    # sagemaker_training's mapping.to_cmd_args and to_env_vars: a script written against
    # the runner must read them as it will on SageMaker (`add_argument("--C")` refuses -C).
    if isolation == "namespace" and probe_namespaces() is not None:
        pytest.skip(str(probe_namespaces()))
    ws.file("train/train.csv", "1\n")
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", ENVIRONMENT_REPORT)),
        inputs={"train-data": "s3://data-bucket/train"},
        hyperparameters={
            "n-estimators": 5,
            "C": 1.0,
            "early_stopping": True,
            "weights": json.dumps({"b": 2, "a": 1}),
            "names": json.dumps(["x", "y"]),
        },
    )
    result = ws.runner(isolation=isolation).run(compile_steps([step]))
    assert result.status == "Succeeded", result.failure_reason
    located = result.store.locate(result.properties("Train")["ModelArtifacts"]["S3ModelArtifacts"])
    assert located is not None
    with tarfile.open(located.path) as archive:
        report = json.load(archive.extractfile("model.json"))  # type: ignore[arg-type]
    assert report["argv"] == [
        "-C", "1.0",
        "--early_stopping", "True",
        "--n-estimators", "5",
        "--names", "['x', 'y']",
        "--weights", "a=1,b=2",
    ]  # fmt: skip
    env = report["env"]
    assert json.loads(env["SM_USER_ARGS"]) == report["argv"]
    assert env["SM_CHANNEL_TRAIN-DATA"].endswith("/opt/ml/input/data/train-data")
    assert "SM_CHANNEL_TRAIN_DATA" not in env
    # A python3 the script starts sees it too (the shim standing in for python3 was a
    # /bin/sh script, and dash drops such names).
    assert report["child"] == env["SM_CHANNEL_TRAIN-DATA"]
    assert (env["SM_HP_C"], env["SM_HP_N-ESTIMATORS"], env["SM_HP_EARLY_STOPPING"]) == (
        "1.0",
        "5",
        "true",
    )
    assert (env["SM_HP_WEIGHTS"], env["SM_HP_NAMES"]) == ('{"a":1,"b":2}', '["x","y"]')
    hps = (
        '{"C":1.0,"early_stopping":true,"n-estimators":5,'
        + '"names":["x","y"],"weights":{"a":1,"b":2}}'
    )
    assert env["SM_HPS"] == hps
    assert json.loads(env["SM_RESOURCE_CONFIG"])["current_host"] == "algo-1"
    assert env["SM_FRAMEWORK_PARAMS"] == "{}"
    assert env["SM_OUTPUT_INTERMEDIATE_DIR"].endswith("/opt/ml/output/intermediate")


def test_asking_for_a_named_output_of_a_training_step_says_how_to_get_its_output(
    ws: Workspace,
) -> None:
    # Was: "step 'Train' has no output 'model'", and nothing on how to reach the model.
    result = ws.runner().run(compile_steps([train_step(ws, hyperparameters={"depth": 1})]))
    assert result.status == "Succeeded", result.failure_reason
    with pytest.raises(LocalRunError) as raised:
        result.output("Train", "model")
    assert str(raised.value) == (
        "step 'Train' has no output 'model': only a Processing step's outputs have names; "
        "result.output('Train') is the folder it published (a Training step's holds "
        "output/model.tar.gz)"
    )
    assert (result.output("Train") / "output" / "model.tar.gz").is_file()


def test_code_and_asset_files_anywhere_are_served_through_the_binders_uploads(
    ws: Workspace,
) -> None:
    # Neither file is in scripts/ (mapped to the code prefix): the binder's uploads map them.
    ml = ws.root / "ml"
    (ml / "config").mkdir(parents=True)
    (ml / "config" / "schema.json").write_text('{"columns": ["a", "b"]}')
    (ml / "fit.py").write_text(
        "import json, os\n"
        "schema = json.load(open(os.path.join(os.environ['SM_CHANNEL_CONFIG'], 'schema.json')))\n"
        "open(os.path.join(os.environ['SM_MODEL_DIR'], 'columns.txt'), 'w').write(\n"
        "    ','.join(schema['columns']))\n"
    )
    ws.file("train/train.csv", "1\n")
    step = TrainingStep(
        name="Fit",
        image=SKLEARN,
        code=Code.from_asset(ml / "fit.py"),
        inputs={
            "train": "s3://data-bucket/train",
            "config": S3Location.from_asset(ml / "config" / "schema.json"),
        },
    )
    pipeline = PipelineDefinition(steps=[step])
    uploads = BINDER.uploads(pipeline)
    assert uploads == {
        f"{CODE_PREFIX}/fit.py.tar.gz": str(ml / "fit.py"),
        f"{CODE_PREFIX}/schema.json": str(ml / "config" / "schema.json"),
    }
    resources = ResourceMap(s3={**uploads, "s3://data-bucket": ws.data})

    result = ws.runner(resources=resources).run(pipeline.to_definition(BINDER))

    assert result.status == "Succeeded", result.failure_reason
    located = result.store.locate(result.properties("Fit")["ModelArtifacts"]["S3ModelArtifacts"])
    assert located is not None
    with tarfile.open(located.path) as archive:
        member = archive.extractfile("columns.txt")
        assert member is not None
        assert member.read() == b"a,b"


def test_fails_with_the_failure_file_and_no_model(ws: Workspace) -> None:
    ws.script(
        "train.py",
        """
        import sys
        open("/opt/ml/output/failure", "w").write("ValueError: depth must be positive")
        sys.exit(2)
        """,
    )
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.scripts / "train.py"),
        hyperparameters={"depth": 1},
    )
    result = ws.runner().run(compile_steps([step]))
    assert result.step("Train").failure_reason == (
        "AlgorithmError: the training script exited with code 2: ValueError: depth must be positive"
    )


@pytest.mark.parametrize("folder", [True, False])
def test_a_failed_script_says_which_local_code_its_container_path_is(
    ws: Workspace, capsys: pytest.CaptureFixture[str], folder: bool
) -> None:
    # Was: the traceback named /opt/ml/code/train.py, and nothing said which local file.
    # The binder's code prefix is mapped to ws.scripts: an asset is served from there.
    script = ws.script(
        "model/train.py" if folder else "train.py", "raise SystemExit('bad depth')\n"
    )
    asset = script.parent if folder else script
    code = Code.from_asset(asset, entry_point="train.py" if folder else None)
    step = TrainingStep(name="Train", image=SKLEARN, code=code)
    result = ws.runner().run(compile_steps([step]))
    run = result.step("Train")
    assert run.failure_reason == "AlgorithmError: the training script exited with code 1: bad depth"
    expected = f"/opt/ml/code = {asset}" if folder else f"/opt/ml/code/train.py = {script}"
    assert run.log is not None
    assert code_origins(run.log) == [expected]
    print(summary(result, {"Train": "Training"}))
    assert f"\n  code: {expected}\n  log: {run.log}\n" in capsys.readouterr().out


def test_a_module_the_image_would_have_names_the_interpreter_to_install_it_into(
    ws: Workspace,
) -> None:
    # The traceback says what is missing, not which local Python stood in for the image.
    ws.script("train.py", "import surely_not_installed_here.core\n")
    step = TrainingStep(name="Train", image=SKLEARN, code=Code.from_asset(ws.scripts / "train.py"))
    reason = ws.runner().run(compile_steps([step])).step("Train").failure_reason
    assert reason == (
        "AlgorithmError: the training script exited with code 1: ModuleNotFoundError: No module "
        "named 'surely_not_installed_here' (the step ran on "
        f"{sys.executable}, which stands in for the job's image and installs nothing: install "
        "the package of 'surely_not_installed_here' into it, or map the image to a Python that "
        "has it with --image-map IMAGE_URI=PYTHON)"
    )


def test_a_module_of_the_users_beside_a_script_shipped_alone_says_to_ship_the_folder(
    ws: Workspace,
) -> None:
    # Installing a package was the wrong advice: utils.py is the user's, and a script given
    # alone ships without it, on SageMaker too.
    ws.script("utils.py", "SEED = 7\n")
    ws.script("train.py", "import utils\n")
    step = TrainingStep(name="Train", image=SKLEARN, code=Code.from_asset(ws.scripts / "train.py"))
    reason = ws.runner().run(compile_steps([step])).step("Train").failure_reason
    assert reason is not None
    assert reason.endswith(
        "ModuleNotFoundError: No module named 'utils' (the job's code is "
        f"{shown_path(ws.scripts / 'train.py')} alone; 'utils' is next to it locally but not "
        "in the job, here or on SageMaker: ship the folder, "
        f"Code.from_asset({shown_path(ws.scripts)!r}, entry_point='train.py'))"
    )


def test_fails_when_the_model_directory_stays_empty(ws: Workspace) -> None:
    ws.script("train.py", "print('no model')\n")
    step = TrainingStep(name="Train", image=SKLEARN, code=Code.from_asset(ws.scripts / "train.py"))
    result = ws.runner().run(compile_steps([step]))
    reason = result.step("Train").failure_reason
    assert reason is not None
    assert reason.startswith("the model directory /opt/ml/model (SM_MODEL_DIR) was never written")


def test_a_model_saved_to_a_mistyped_directory_is_named(ws: Workspace) -> None:
    ws.script(
        "train.py",
        """
        import os
        os.makedirs("/opt/ml/models", exist_ok=True)
        open("/opt/ml/models/model.pkl", "w").write("model")
        os.makedirs("/opt/ml/output/data", exist_ok=True)
        open("/opt/ml/output/data/report.txt", "w").write("collected as output.tar.gz")
        """,
    )
    step = TrainingStep(name="Train", image=SKLEARN, code=Code.from_asset(ws.scripts / "train.py"))
    reason = ws.runner().run(compile_steps([step])).step("Train").failure_reason
    assert reason is not None
    assert reason.startswith(
        "the model directory /opt/ml/model (SM_MODEL_DIR) was never written: the script left "
        "it empty and wrote /opt/ml/models instead, which no output collects (a mistyped path?)"
    )


def test_tuning_runs_its_trials_and_ranks_them(ws: Workspace) -> None:
    ws.file("train/train.csv", "1\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        objective_type="Maximize",
        hyperparameter_ranges={
            "depth": IntegerParameter(min_value=1, max_value=5),
            "rate": ContinuousParameter(min_value=0.01, max_value=0.05),
        },
        static_hyperparameters={"epochs": 2},
        environment={"SLEEP": "0.3"},
        max_jobs=4,
        max_parallel_jobs=2,
        strategy="Random",
    )
    result = ws.runner().run(compile_steps([tune]))
    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Tune")
    summaries = properties["TrainingJobSummaries"]
    assert len(summaries) == 4
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries]
    assert values == sorted(values, reverse=True)
    assert properties["BestTrainingJob"] == summaries[0]
    assert properties["TrainingJobStatusCounters"]["Completed"] == 4
    output_path = properties["TrainingJobDefinition"]["OutputDataConfig"]["S3OutputPath"]
    best = f"{output_path}/{summaries[0]['TrainingJobName']}/output/model.tar.gz"
    assert result.store.locate(best) is not None
    # Two at a time: four 0.3 s trials overlap pairwise.
    starts = sorted(s["TrainingStartTime"] for s in summaries)
    ends = sorted(s["TrainingEndTime"] for s in summaries)
    assert starts[1] < ends[0]
    assert starts[2] >= ends[0]
    assert (
        result.step("Tune")
        .metadata["TuningJob"]["Arn"]
        .startswith("arn:aws:sagemaker:local:000000000000:hyper-parameter-tuning-job/")
    )


def test_fails_when_no_trial_reports_the_objective(ws: Workspace) -> None:
    ws.file("train/train.csv", "1\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"acc": r"accuracy=([0-9.]+)"},
        objective_metric_name="acc",
        hyperparameter_ranges={"depth": CategoricalParameter(values=[1, 2])},
        max_jobs=2,
        max_parallel_jobs=2,
        strategy="Grid",
    )
    result = ws.runner().run(compile_steps([tune]))
    reason = result.step("Tune").failure_reason
    assert reason is not None
    assert reason.startswith(
        "all 2 training jobs failed; first: no job printed the objective metric 'acc': "
        "its regex never matched (log: "
    )
    assert reason.endswith("Tune.001.log)")


# A second algorithm: its own script and objective metric ("acc", always above "score").
DEEP_TRAIN = TRAIN.replace('print(f"score={score:.4f}")', 'print(f"acc={score + 1:.4f}")')


def algorithms(
    ws: Workspace,
    sleep: float = 0,
    deep_ranges: dict[str, IntegerParameter | CategoricalParameter] | None = None,
    environment: dict[str, str] | None = None,
    **options: object,
) -> TuningStep:
    """A tuning step of two algorithms: 'shallow' (train.py, score) and 'deep' (deep.py, acc)."""
    ws.file("train/train.csv", "1\n")
    ws.file("deep/train.csv", "1\n2\n")
    environment = {"SLEEP": str(sleep), **(environment or {})}
    shallow = TrainingJobDefinition(
        name="shallow",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": CategoricalParameter(values=[1, 2, 3])},
        environment=environment,
    )
    deep = TrainingJobDefinition(
        name="deep",
        image=SKLEARN,
        code=Code.from_asset(ws.script("deep.py", DEEP_TRAIN)),
        inputs={"train": "s3://data-bucket/deep"},
        metric_definitions={"acc": r"acc=([0-9.]+)"},
        objective_metric_name="acc",
        hyperparameter_ranges=deep_ranges or {"depth": CategoricalParameter(values=[4, 5])},
        static_hyperparameters={"epochs": 3},
        environment=environment,
    )
    arguments: dict[str, object] = {
        "strategy": "Random",
        "max_jobs": 5,
        "max_parallel_jobs": 2,
        "random_seed": 3,
        **options,
    }
    return TuningStep(
        name="Tune",
        training_job_definitions=[shallow, deep],
        **arguments,  # type: ignore[arg-type]
    )


def in_trial_order(result: object, step: str = "Tune") -> list[dict[str, object]]:
    summaries = result.properties(step)["TrainingJobSummaries"]  # type: ignore[attr-defined]
    return sorted(summaries, key=lambda summary: summary["TrainingJobName"])


def test_a_tuning_step_of_several_algorithms_runs_them_in_turn(ws: Workspace) -> None:
    # Was: the step failed, "can't run locally yet".
    tune = algorithms(ws)
    model = ModelStep(name="Best", image=SKLEARN, model_data=tune.top_model_s3_uri(0))

    result = ws.runner().run(compile_steps([model]))

    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Tune")
    trials = in_trial_order(result)
    # MaxNumberOfTrainingJobs 5, round-robin: shallow, deep, shallow, deep, shallow.
    assert [t["TrainingJobDefinitionName"] for t in trials] == ["shallow", "deep"] * 2 + ["shallow"]
    for trial in trials:
        objective = trial["FinalHyperParameterTuningJobObjectiveMetric"]
        depth = int(trial["TunedHyperParameters"]["depth"])  # type: ignore[index]
        if trial["TrainingJobDefinitionName"] == "shallow":
            assert depth in (1, 2, 3)
            assert objective["MetricName"] == "score"  # type: ignore[index]
        else:
            assert depth in (4, 5)
            assert objective["MetricName"] == "acc"  # type: ignore[index]
    # Ranked best first across the definitions, each by its own objective metric.
    summaries = properties["TrainingJobSummaries"]
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries]
    assert values == sorted(values, reverse=True)
    assert properties["BestTrainingJob"] == summaries[0]
    assert summaries[0]["TrainingJobDefinitionName"] == "deep"
    assert properties["TrainingJobStatusCounters"]["Completed"] == 5
    # The model step got the best job's model: deep.py's, with deep's own settings.
    with tarfile.open(_best_model(result)) as archive:
        report = json.load(archive.extractfile("model.json"))  # type: ignore[arg-type]
    assert report["hps"]["_tuning_objective_metric"] == "acc"
    assert report["args"]["epochs"] == 3
    assert report["args"]["depth"] == int(summaries[0]["TunedHyperParameters"]["depth"])
    log = result.step("Tune").log
    assert log is not None
    assert re.search(
        r"training job \S+-002-[0-9a-f]{8} \(deep: depth=\d\) completed", log.read_text()
    )


def _best_model(result: ExecutionResult) -> Path:
    """The best training job's model.tar.gz, where its definition's output path put it."""
    properties = result.properties("Tune")
    output = properties["TrainingJobDefinitions"][0]["OutputDataConfig"]["S3OutputPath"]
    best = properties["BestTrainingJob"]["TrainingJobName"]
    located = result.store.locate(f"{output}/{best}/output/model.tar.gz")
    assert located is not None
    return Path(located.path)


def test_grid_search_of_several_algorithms_runs_every_grid_in_turn(ws: Workspace) -> None:
    # Each definition's grid, the definitions taking turns until each grid is done.
    result = ws.runner().run(compile_steps([algorithms(ws, strategy="Grid", max_jobs=None)]))

    assert result.status == "Succeeded", result.failure_reason
    trials = [
        (t["TrainingJobDefinitionName"], t["TunedHyperParameters"]["depth"])  # type: ignore[index]
        for t in in_trial_order(result)
    ]
    assert trials == [
        ("shallow", "1"),
        ("deep", "4"),
        ("shallow", "2"),
        ("deep", "5"),
        ("shallow", "3"),
    ]


@pytest.mark.parametrize("max_jobs", [None, 1], ids=["no-job-count", "fewer-jobs-than-definitions"])
def test_several_algorithms_run_no_more_jobs_than_their_count(
    ws: Workspace, max_jobs: int | None
) -> None:
    # Without MaxNumberOfTrainingJobs (JSON: Python writes 1), a random search runs one job
    # in all, as of one algorithm.
    definition = compile_steps([algorithms(ws, max_jobs=1)])
    limits = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]["ResourceLimits"]
    if max_jobs is None:
        del limits["MaxNumberOfTrainingJobs"]

    result = ws.runner().run(definition)

    assert result.status == "Succeeded", result.failure_reason
    assert [t["TrainingJobDefinitionName"] for t in in_trial_order(result)] == ["shallow"]


def test_completion_criteria_of_several_algorithms_read_each_ones_objective(
    ws: Workspace,
) -> None:
    # deep's acc (above 1) reaches the target in the first batch; shallow's score can't.
    tune = algorithms(
        ws,
        max_jobs=8,
        completion_criteria=TuningJobCompletionCriteria(target_objective_metric_value=1.2),
    )

    result = ws.runner().run(compile_steps([tune]))

    assert result.status == "Succeeded", result.failure_reason
    assert len(result.properties("Tune")["TrainingJobSummaries"]) == 2
    log = result.step("Tune").log
    assert log is not None
    assert "the tuning job stopped after 2 of 8 training jobs" in log.read_text()


def reused_from_cache(ws: Workspace, tune: TuningStep) -> tuple[LocalRunner, ModelStep]:
    """Run a model of ``tune``'s best job twice: the second run's ``tune`` is a cache hit."""
    model = ModelStep(name="Best", image=SKLEARN, model_data=tune.top_model_s3_uri(0))
    runner = ws.runner()
    definition = compile_steps([model])
    first = runner.run(definition)
    assert first.status == "Succeeded", first.failure_reason

    second = runner.run(definition)

    assert second.step("Tune").cache_hit == first.arn
    assert second.status == "Succeeded", second.failure_reason
    return runner, model


def test_a_cached_tuning_step_of_several_algorithms_is_reused(ws: Workspace) -> None:
    # Their default output path holds the execution id: keyed whole, every run missed.
    tune = algorithms(ws, cache_config=CacheConfig(expire_after="P1D"))
    runner, model = reused_from_cache(ws, tune)
    ws.script("deep.py", DEEP_TRAIN.replace("score + 1", "score + 2"))
    changed = runner.run(compile_steps([model]))
    assert changed.step("Tune").cache_hit is None


def trials_started(ws: Workspace) -> dict[str, str]:
    """The environment in which TRAIN tells it runs (a file in ``ws.root / "started"``)."""
    (ws.root / "started").mkdir(exist_ok=True)
    return {"STARTED": str(ws.root / "started")}


def stopped_by_ctrl_c(ws: Workspace, tune: TuningStep) -> StepRun:
    """The tuning step ``tune`` as recorded after Ctrl-C once two of its trials run.

    Its trials run TRAIN in ``trials_started(ws)``, two at a time (``max_parallel_jobs``).
    """

    def progress(event: ProgressEvent) -> None:
        if event.kind == "step-started":
            once_running(ws.root / "started", scripts=2)

    runner = ws.runner(progress=progress)
    with pytest.raises(KeyboardInterrupt):
        runner.run(compile_steps([tune]))
    [record] = runner.executions()
    return runner.execution(record.execution_id).step("Tune")


def test_ctrl_c_stops_a_tuning_job_of_several_algorithms(ws: Workspace) -> None:
    step = stopped_by_ctrl_c(
        ws, algorithms(ws, sleep=30, max_jobs=6, environment=trials_started(ws))
    )

    assert (step.status, step.failure_reason) == (
        "Stopped",
        "the tuning job was stopped with the execution: 2 training job(s) stopped or ended, "
        "4 never launched",
    )
    assert step.log is not None
    assert "(deep: depth=" in step.log.read_text()


def test_a_failed_tuning_step_of_several_algorithms_resumes(ws: Workspace) -> None:
    tune = algorithms(ws, max_jobs=2)
    runner = ws.runner()
    broken = "assert False, 'no data'\nscore = "
    ws.script("train.py", TRAIN.replace("score = ", broken))
    ws.script("deep.py", DEEP_TRAIN.replace("score = ", broken))
    failed = runner.run(compile_steps([tune]))
    reason = failed.step("Tune").failure_reason
    assert reason is not None
    assert reason.startswith("all 2 training jobs failed; first: ")

    ws.script("train.py", TRAIN)
    ws.script("deep.py", DEEP_TRAIN)
    resumed = runner.resume(failed.execution_id)

    assert resumed.status == "Succeeded", resumed.failure_reason
    names = [t["TrainingJobDefinitionName"] for t in in_trial_order(resumed)]
    assert names == ["shallow", "deep"]


def test_several_algorithms_of_different_objective_types_are_refused_before_running(
    ws: Workspace,
) -> None:
    # The validator refuses them; the executor's own refusal is tested on its own
    # (test_tuning_definitions.py).
    definition = compile_steps([algorithms(ws)])
    jobs = definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"]
    jobs[1]["TuningObjective"]["Type"] = "Minimize"

    with pytest.raises(PipelineValidationError) as raised:
        ws.runner().run(definition)

    [problem] = raised.value.problems
    assert (problem.step, problem.field) == (
        "Tune",
        "Arguments.TrainingJobDefinitions[1].TuningObjective.Type",
    )


def test_a_metric_regex_without_a_group_is_named_as_such(ws: Workspace) -> None:
    # It matches the line, which is no number: "never matched" sent users to the script.
    ws.file("train/train.csv", "1\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=[0-9.]+"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": CategoricalParameter(values=[1])},
        strategy="Grid",
    )
    result = ws.runner().run(compile_steps([tune]))
    reason = result.step("Tune").failure_reason
    assert reason is not None
    assert (
        "no job printed the objective metric 'score': its regex 'score=[0-9.]+' matched "
        "'score=0.2000', but it has no group to capture the number (capture only the value, "
        "e.g. 'score=([0-9.]+)'; log: "
    ) in reason


def test_grid_search_without_max_jobs_runs_every_combination(ws: Workspace) -> None:
    # MaxNumberOfTrainingJobs absent (ours) or null (the SageMaker SDK's Grid): the whole
    # grid, not one job (and not a TypeError on null).
    ws.file("train/train.csv", "1\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": CategoricalParameter(values=[1, 2, 3])},
        max_parallel_jobs=3,
        strategy="Grid",
    )
    definition = compile_steps([tune])
    as_the_sdk_writes_it = json.loads(json.dumps(definition))
    tuning_config = as_the_sdk_writes_it["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    tuning_config["ResourceLimits"]["MaxNumberOfTrainingJobs"] = None

    for compiled in (definition, as_the_sdk_writes_it):
        result = ws.runner().run(compiled)

        assert result.status == "Succeeded", result.failure_reason
        summaries = result.properties("Tune")["TrainingJobSummaries"]
        assert sorted(s["TunedHyperParameters"]["depth"] for s in summaries) == ["1", "2", "3"]


def grid_tune(ws: Workspace, **options: object) -> TuningStep:
    arguments: dict[str, object] = {
        "strategy": "Grid",
        "hyperparameter_ranges": {
            "depth": CategoricalParameter(values=[3, 1, 1, 2]),
            "rate": CategoricalParameter(values=[0.2, 0.1]),
        },
        "max_jobs": None,
        "max_parallel_jobs": 2,
        **options,
    }
    return seeded_tune(ws, **arguments)  # type: ignore[arg-type]


def trial_values(result: object, step: str) -> list[tuple[str, str]]:
    """The trials' (depth, rate) in the order they were launched (their names' suffix)."""
    summaries = result.properties(step)["TrainingJobSummaries"]  # type: ignore[attr-defined]
    ordered = sorted(summaries, key=lambda summary: summary["TrainingJobName"])
    tuned = [summary["TunedHyperParameters"] for summary in ordered]
    return [(values["depth"], values["rate"]) for values in tuned]


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory: pytest.TempPathFactory) -> ExecutionResult:
    """A run of ``grid_tune``, once for the tests that only read its results."""
    ws = workspace(tmp_path_factory.mktemp("grid"))
    return ws.runner().run(compile_steps([grid_tune(ws)]))


def test_grid_search_runs_every_distinct_combination_in_a_fixed_order(
    ws: Workspace, grid_run: ExecutionResult
) -> None:
    # Ranges in order, the last varying fastest, values as listed, a repeated value once: the
    # same trials, in the same order, on every run and at any parallelism.
    result = grid_run

    assert result.status == "Succeeded", result.failure_reason
    grid = [("3", "0.2"), ("3", "0.1"), ("1", "0.2"), ("1", "0.1"), ("2", "0.2"), ("2", "0.1")]
    assert trial_values(result, "Tune") == grid
    assert result.properties("Tune")["BestTrainingJob"]["TunedHyperParameters"] == {
        "depth": "3",
        "rate": "0.2",
    }
    serial = ws.runner().run(compile_steps([grid_tune(ws, max_parallel_jobs=1)]))
    assert trial_values(serial, "Tune") == grid


def test_the_tuning_step_log_names_each_training_job_and_its_log(ws: Workspace) -> None:
    # The step's log held only its attempt: a failed trial's traceback was in a log of
    # its own that nothing named.
    tune = grid_tune(ws)
    ws.script(
        "train.py", TRAIN.replace("score = ", "assert args['depth'] != 1, 'depth 1'\nscore = ")
    )

    result = ws.runner().run(compile_steps([tune]))

    assert result.status == "Succeeded", result.failure_reason
    log = result.step("Tune").log
    assert log is not None
    job = result.properties("Tune")["HyperParameterTuningJobName"]
    text = log.read_text()
    # Trials are named as the service names them: <tuning job>-<trial>-<8 hex digits>.
    assert re.search(
        rf"^\[smpipe\] training job {job}-001-[0-9a-f]{{8}} \(depth=3, rate=0\.2\) completed; "
        rf"log: {re.escape(str(log.with_name('Tune.001.log')))}$",
        text,
        re.MULTILINE,
    )
    failed = (
        r" \(depth=1, rate=0\.2\) failed: AlgorithmError: the training script exited with "
        rf"code 1: AssertionError: depth 1; log: {re.escape(str(log.with_name('Tune.003.log')))}$"
    )
    assert re.search(rf"^\[smpipe\] training job {job}-003-[0-9a-f]{{8}}{failed}", text, re.M)
    assert "Traceback" in log.with_name("Tune.003.log").read_text()


def test_ctrl_c_stops_a_tuning_job_without_launching_more_trials(ws: Workspace) -> None:
    # Was: every remaining trial launched and stopped at once, and the step's reason
    # "all 6 training jobs failed".
    step = stopped_by_ctrl_c(ws, grid_tune(ws, environment={"SLEEP": "30", **trials_started(ws)}))

    assert (step.status, step.failure_reason) == (
        "Stopped",
        "the tuning job was stopped with the execution: 2 training job(s) stopped or ended, "
        "4 never launched",
    )
    assert step.log is not None
    assert "(depth=3, rate=0.2) stopped: " in step.log.read_text()


def test_grid_search_stops_at_its_completion_criteria_in_grid_order(ws: Workspace) -> None:
    tune = grid_tune(
        ws, completion_criteria=TuningJobCompletionCriteria(target_objective_metric_value=0.45)
    )
    result = ws.runner().run(compile_steps([tune]))

    assert result.status == "Succeeded", result.failure_reason
    # Checked after each batch of MaxParallelTrainingJobs: (3, 0.2) scores 0.5 in the first.
    assert trial_values(result, "Tune") == [("3", "0.2"), ("3", "0.1")]
    log = result.step("Tune").log
    assert log is not None
    assert (
        "the tuning job stopped after 2 of 6 training jobs: a training job reached "
        "TargetObjectiveMetricValue 0.45"
    ) in log.read_text()


def test_fails_grid_search_whose_job_count_is_not_the_grid_size_known_at_run_time(
    ws: Workspace,
) -> None:
    # The developer guide: MaxNumberOfTrainingJobs "should equal the total number of distinct
    # categorical combinations possible". The runner used to run the first max_jobs of them.
    jobs = ParameterInteger(name="Jobs", default_value=6)
    runner = ws.runner()
    definition = compile_steps([grid_tune(ws, max_jobs=jobs)], [jobs])

    assert runner.run(definition).status == "Succeeded"
    assert runner.run(definition, {"Jobs": "4"}).step("Tune").failure_reason == (
        "the Grid strategy runs every combination of the categorical values (6), and SageMaker "
        "requires MaxNumberOfTrainingJobs to equal that number, got 4; leave it unset and the "
        "grid decides"
    )


def test_top_model_of_a_cached_tuning_step_is_where_its_jobs_wrote_it(ws: Workspace) -> None:
    # The default output path holds the execution id; after a cache hit, the jobs (and
    # their models) are those of the earlier execution.
    ws.file("train/train.csv", "1\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": IntegerParameter(min_value=1, max_value=3)},
        strategy="Random",
        cache_config=CacheConfig(expire_after="P1D"),
    )
    reused_from_cache(ws, tune)


def test_fails_clearly_when_parameters_empty_a_range(ws: Workspace) -> None:
    ws.file("train/train.csv", "1\n")
    low = ParameterInteger(name="MinDepth", default_value=1)
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": IntegerParameter(min_value=low, max_value=3)},
        strategy="Random",
    )
    result = ws.runner().run(compile_steps([tune], [low]), {"MinDepth": "5"})
    assert result.step("Tune").failure_reason == (
        "the range of 'depth' is empty: MinValue 5 and MaxValue 3 "
        "(MinValue must not exceed MaxValue)"
    )


def test_a_range_parameters_empty_names_its_definition_of_several(ws: Workspace) -> None:
    # Every other failure of one of several definitions names it; this one did not.
    low = ParameterInteger(name="MinDepth", default_value=4)
    tune = algorithms(ws, deep_ranges={"depth": IntegerParameter(min_value=low, max_value=5)})

    result = ws.runner().run(compile_steps([tune], [low]), {"MinDepth": "6"})

    assert result.step("Tune").failure_reason == (
        "training job definition 'deep': the range of 'depth' is empty: MinValue 6 and "
        "MaxValue 5 (MinValue must not exceed MaxValue)"
    )


def test_early_stopping_a_parameter_turns_on_fails_several_algorithms(ws: Workspace) -> None:
    # The validator judges a literal only; the service refuses early stopping of several
    # algorithms whatever gave it (the SDK's early_stopping_type takes a parameter).
    definition = compile_steps([algorithms(ws)])
    definition["Parameters"] = [{"Name": "EarlyStopping", "Type": "String", "DefaultValue": "Off"}]
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["TrainingJobEarlyStoppingType"] = {"Get": "Parameters.EarlyStopping"}
    runner = ws.runner()
    assert runner.run(definition).status == "Succeeded"

    result = runner.run(definition, {"EarlyStopping": "Auto"})

    assert result.step("Tune").failure_reason == (
        "early stopping ('Auto') is available only to a tuning job of one algorithm, and this "
        "one tunes 2 training job definitions: SageMaker rejects the tuning job; set "
        "TrainingJobEarlyStoppingType to 'Off'"
    )


def test_an_objective_metric_a_parameter_names_needs_its_definitions_regex(
    ws: Workspace,
) -> None:
    # The validator judges a literal metric name only: which regex reads it is a run-time
    # question, of the definition that names it.
    definition = compile_steps([algorithms(ws)])
    definition["Parameters"] = [{"Name": "DeepMetric", "Type": "String", "DefaultValue": "acc"}]
    deep = definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"][1]
    deep["TuningObjective"]["MetricName"] = {"Get": "Parameters.DeepMetric"}

    result = ws.runner().run(definition, {"DeepMetric": "score"})

    assert result.step("Tune").failure_reason == (
        "training job definition 'deep': the objective metric 'score' has no "
        "MetricDefinitions regex, so it can't be read from the training log"
    )


def test_training_code_from_a_directory(ws: Workspace) -> None:
    ws.script("src/model_lib.py", "VALUE = 42\n")
    ws.script(
        "src/entry.py",
        """
        import os
        from model_lib import VALUE
        open(os.path.join(os.environ["SM_MODEL_DIR"], "v.txt"), "w").write(str(VALUE))
        """,
    )
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.scripts / "src", entry_point="entry.py"),
    )
    result = ws.runner().run(compile_steps([step]))
    assert result.status == "Succeeded", result.failure_reason


def seeded_tune(ws: Workspace, name: str = "Tune", **options: object) -> TuningStep:
    ws.file("train/train.csv", "1\n")
    arguments: dict[str, object] = {
        "image": SKLEARN,
        "code": Code.from_asset(ws.script("train.py", TRAIN)),
        "inputs": {"train": "s3://data-bucket/train"},
        "metric_definitions": {"score": r"score=([0-9.]+)"},
        "objective_metric_name": "score",
        "hyperparameter_ranges": {
            "depth": IntegerParameter(min_value=1, max_value=50),
            "rate": ContinuousParameter(min_value=0.01, max_value=0.05),
        },
        "strategy": "Random",
        "max_jobs": 3,
        "max_parallel_jobs": 3,
    }
    arguments.update(options)
    return TuningStep(name=name, **arguments)  # type: ignore[arg-type]


def tuned_values(result: object, step: str) -> list[dict[str, str]]:
    summaries = result.properties(step)["TrainingJobSummaries"]  # type: ignore[attr-defined]
    return sorted(
        (s["TunedHyperParameters"] for s in summaries), key=lambda tuned: json.dumps(tuned)
    )


def test_a_single_definition_searches_and_ranks_by_what_it_holds_itself(ws: Workspace) -> None:
    # One TrainingJobDefinition may carry its own TuningObjective and HyperParameterRanges
    # (the API's shape); the runner reads them as the validator does.
    definition = compile_steps([seeded_tune(ws, random_seed=7)])
    arguments = definition["Steps"][0]["Arguments"]
    config, job = arguments["HyperParameterTuningJobConfig"], arguments["TrainingJobDefinition"]
    job["TuningObjective"] = config.pop("HyperParameterTuningJobObjective")
    job["HyperParameterRanges"] = config.pop("ParameterRanges")
    job["TuningObjective"]["Type"] = "Minimize"

    result = ws.runner().run(definition)

    assert result.status == "Succeeded", result.failure_reason
    summaries = result.properties("Tune")["TrainingJobSummaries"]
    assert all(set(s["TunedHyperParameters"]) == {"depth", "rate"} for s in summaries)
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries]
    assert values == sorted(values)  # minimized: the least first
    assert len(set(values)) > 1


def test_random_seed_makes_the_trials_reproducible_under_any_step_name(ws: Workspace) -> None:
    # RandomSeed: "the same seed later for the same tuning job" gives consistent trials; the
    # seed, not the step's name, chooses them.
    runner = ws.runner()
    first = runner.run(compile_steps([seeded_tune(ws, "TuneA", random_seed=7)]))
    renamed = runner.run(compile_steps([seeded_tune(ws, "TuneB", random_seed=7)]))
    reseeded = runner.run(compile_steps([seeded_tune(ws, "TuneA", random_seed=8)]))

    assert first.status == renamed.status == reseeded.status == "Succeeded"
    assert tuned_values(first, "TuneA") == tuned_values(renamed, "TuneB")
    assert tuned_values(first, "TuneA") != tuned_values(reseeded, "TuneA")


def test_a_reached_target_objective_stops_the_tuning_job(ws: Workspace) -> None:
    # depth 1..50 scores up to 5.05: the first batch of three reaches 0.3; no second batch.
    tune = seeded_tune(
        ws,
        max_jobs=9,
        random_seed=1,
        completion_criteria=TuningJobCompletionCriteria(target_objective_metric_value=0.3),
    )
    result = ws.runner().run(compile_steps([tune]))

    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Tune")
    assert len(properties["TrainingJobSummaries"]) == 3
    assert properties["HyperParameterTuningJobStatus"] == "Completed"
    log = result.step("Tune").log
    assert log is not None
    assert (
        "the tuning job stopped after 3 of 9 training jobs: a training job reached "
        "TargetObjectiveMetricValue 0.3"
    ) in log.read_text()


def test_jobs_not_improving_stop_the_tuning_job(ws: Workspace) -> None:
    # One depth, one rate: every job after the first scores the same and doesn't improve.
    tune = seeded_tune(
        ws,
        hyperparameter_ranges={"depth": CategoricalParameter(values=[2])},
        max_jobs=12,
        max_parallel_jobs=2,
        completion_criteria=TuningJobCompletionCriteria(
            max_number_of_training_jobs_not_improving=3
        ),
    )
    result = ws.runner().run(compile_steps([tune]))

    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Tune")
    assert len(properties["TrainingJobSummaries"]) == 4  # two batches of two
    assert properties["TuningJobCompletionDetails"] == {
        "NumberOfTrainingJobsObjectiveNotImproving": 3
    }


def test_the_tuning_runtime_limit_stops_running_trials(ws: Workspace) -> None:
    # The API's minimum is 120 s: a parameter brings the limit down for the test.
    limit = ParameterInteger(name="TuningLimit", default_value=3600)
    tune = seeded_tune(
        ws,
        max_jobs=4,
        max_parallel_jobs=2,
        max_tuning_runtime_in_seconds=limit,
        environment={"SLEEP": "0"},
    )
    definition = compile_steps([tune], [limit])
    environment = definition["Steps"][0]["Arguments"]["TrainingJobDefinition"]["Environment"]
    environment["SLEEP"] = "3"
    fast = compile_steps([tune], [limit])

    assert ws.runner().run(fast, {"TuningLimit": "1"}).status == "Succeeded"
    result = ws.runner().run(definition, {"TuningLimit": "1"})

    assert result.step("Tune").failure_reason == (
        "no training job reported the objective metric 'score' before the tuning job stopped "
        "(2 stopped or failed): it reached ResourceLimits.MaxRuntimeInSeconds=1"
    )


def test_warm_start_needs_the_parents_objective_and_hyperparameters(ws: Workspace) -> None:
    parent = seeded_tune(ws, "Parent")
    other_metric = seeded_tune(
        ws,
        "Child",
        metric_definitions={"score": r"score=([0-9.]+)", "loss": r"loss=([0-9.]+)"},
        objective_metric_name="loss",
        objective_type="Minimize",
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )
    more_static = seeded_tune(
        ws,
        "Child",
        static_hyperparameters={"epochs": 2},
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )
    retyped = seeded_tune(
        ws,
        "Child",
        hyperparameter_ranges={
            "depth": CategoricalParameter(values=[1, 2]),
            "rate": ContinuousParameter(min_value=0.01, max_value=0.05),
        },
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )
    # Parents of the same pipeline with literal settings are compared when the definition
    # compiles; the runner compares what is known only at run time the same way.
    messages = []
    for child in (other_metric, more_static, retyped):
        with pytest.raises(PipelineValidationError) as raised:
            compile_steps([child])
        (problem,) = raised.value.problems
        assert (problem.step, problem.argument) == ("Child", "warm_start")
        messages.append(problem.message)

    prefix = "the warm start parent 'Parent' doesn't match: "
    assert messages == [
        prefix + "its objective metric is 'score', this step's 'loss'",
        prefix + "it has 4 static plus tuned hyperparameters, this step 5",
        prefix + "'depth' is integer there, categorical here",
    ]

    # An objective known only at run time (a parameter) is compared by the runner.
    same_metric = seeded_tune(
        ws,
        "Child",
        metric_definitions={"score": r"score=([0-9.]+)", "loss": r"loss=([0-9.]+)"},
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )
    definition = compile_steps([same_metric])
    (child_entry,) = [step for step in definition["Steps"] if step["Name"] == "Child"]
    objective = child_entry["Arguments"]["HyperParameterTuningJobConfig"][
        "HyperParameterTuningJobObjective"
    ]
    objective["MetricName"] = {"Get": "Parameters.Objective"}
    definition["Parameters"] = [
        *definition.get("Parameters", []),
        {"Name": "Objective", "Type": "String", "DefaultValue": "loss"},
    ]
    assert ws.runner().run(definition).step("Child").failure_reason == (
        "WarmStartConfig: the parent tuning job of step 'Parent' optimizes 'score', this one "
        "'loss'; a warm start needs the same objective metric"
    )


def warm_started(
    ws: Workspace,
    parent: TuningStep,
    *,
    judged_at_run_time: bool,
    **options: object,
) -> dict[str, object]:
    """A child tuning step warm-started from ``parent``, compiled (with the parent).

    Named directly, the parent is compared by the validator when the definition compiles;
    named through a ``Join``, its name is known only at run time, and the runner compares.
    """
    name = (
        Join(on="", values=[parent.properties.HyperParameterTuningJobName])
        if judged_at_run_time
        else parent
    )
    child = seeded_tune(
        ws,
        "Child",
        max_jobs=1,
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[name]),
        **options,
    )
    return compile_steps([child])


def test_warm_start_counts_a_static_and_tuned_hyperparameter_once(ws: Workspace) -> None:
    # The SDK drops tuned names from the static ones: 'depth', static and tuned, is one of
    # the child's two hyperparameters (plus script mode's two), as the parent's.
    parent = seeded_tune(ws, "Parent", max_jobs=1)
    options: dict[str, object] = {"static_hyperparameters": {"depth": 3}}
    compile_steps([seeded_tune(ws, "Child", max_jobs=1, **options)])  # the validator accepts

    result = ws.runner().run(warm_started(ws, parent, judged_at_run_time=True, **options))

    assert result.status == "Succeeded", result.failure_reason


def test_fails_a_warm_start_whose_total_differs_once_overlaps_count_once(ws: Workspace) -> None:
    # 1 static + 2 tuned on both sides, but the child's static 'depth' is also tuned:
    # 3 hyperparameters (plus script mode's two) in the parent, 2 in the child.
    parent = seeded_tune(ws, "Parent", max_jobs=1, static_hyperparameters={"epochs": 1})
    options: dict[str, object] = {"static_hyperparameters": {"depth": 3}}
    with pytest.raises(PipelineValidationError, match="it has 5 static plus tuned"):
        warm_started(ws, parent, judged_at_run_time=False, **options)

    result = ws.runner().run(warm_started(ws, parent, judged_at_run_time=True, **options))

    assert result.step("Child").failure_reason == (
        "WarmStartConfig: the parent tuning job of step 'Parent' has 5 static plus tuned "
        "hyperparameters, this one 4 (a name both static and tuned counts once); a warm start "
        "needs the same total"
    )


WARM_START_SHAPES: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "static and tuned": ({}, {"static_hyperparameters": {"depth": 3}}),
    "static and tuned, both sides": (
        {"static_hyperparameters": {"epochs": 2}},
        {"static_hyperparameters": {"epochs": 2, "depth": 3}},
    ),
    "static overlapping, fewer in all": (
        {"static_hyperparameters": {"epochs": 1}},
        {"static_hyperparameters": {"depth": 3}},
    ),
    "static becomes tuned": (
        {
            "static_hyperparameters": {"rate": 0.02},
            "hyperparameter_ranges": {"depth": IntegerParameter(min_value=1, max_value=50)},
        },
        {},
    ),
    "one more static": ({}, {"static_hyperparameters": {"epochs": 2}}),
    "retyped": (
        {},
        {
            "hyperparameter_ranges": {
                "depth": CategoricalParameter(values=[1, 2]),
                "rate": ContinuousParameter(min_value=0.01, max_value=0.05),
            }
        },
    ),
}


@pytest.mark.parametrize("shape", list(WARM_START_SHAPES))
def test_the_runner_judges_a_warm_start_as_the_validator_does(ws: Workspace, shape: str) -> None:
    parent_options, child_options = WARM_START_SHAPES[shape]
    parent = seeded_tune(ws, "Parent", max_jobs=1, **parent_options)
    try:
        warm_started(ws, parent, judged_at_run_time=False, **child_options)
        validator_accepts = True
    except PipelineValidationError:
        validator_accepts = False

    result = ws.runner().run(warm_started(ws, parent, judged_at_run_time=True, **child_options))

    reason = result.step("Child").failure_reason
    assert reason is None or reason.startswith("WarmStartConfig: "), reason
    assert (result.status == "Succeeded") == validator_accepts


def test_identical_warm_start_reports_the_overall_best_job(ws: Workspace) -> None:
    # The parent searches deep trees, the child shallow ones: the parent's best wins overall.
    parent = seeded_tune(
        ws,
        "Parent",
        hyperparameter_ranges={
            "depth": IntegerParameter(min_value=40, max_value=50),
            "rate": ContinuousParameter(min_value=0.01, max_value=0.05),
        },
    )
    child = seeded_tune(
        ws,
        "Child",
        hyperparameter_ranges={
            "depth": IntegerParameter(min_value=1, max_value=2),
            "rate": ContinuousParameter(min_value=0.01, max_value=0.05),
        },
        warm_start=WarmStartConfig(warm_start_type="IdenticalDataAndAlgorithm", parents=[parent]),
    )
    result = ws.runner().run(compile_steps([child]))

    assert result.status == "Succeeded", result.failure_reason
    overall = result.properties("Child")["OverallBestTrainingJob"]
    assert overall == result.properties("Parent")["BestTrainingJob"]
    assert result.properties("Child")["BestTrainingJob"] != overall


def test_hyperband_without_a_max_resource_fails_as_the_service_does(ws: Workspace) -> None:
    tune = seeded_tune(ws, strategy="Hyperband")
    with_epochs = seeded_tune(ws, strategy="Hyperband", static_hyperparameters={"epochs": 2})
    runner = ws.runner()

    # A literal strategy is caught when the definition compiles; the executor's own check
    # is for a strategy known only at run time (a parameter).
    with pytest.raises(PipelineValidationError, match=r"StrategyConfig\.HyperbandStrategyConfig"):
        compile_steps([tune])
    definition = compile_steps([with_epochs])
    runner.run(definition)
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["Strategy"] = {"Get": "Parameters.Strategy"}
    del definition["Steps"][0]["Arguments"]["TrainingJobDefinition"]["StaticHyperParameters"][
        "epochs"
    ]
    definition["Parameters"] = [
        *definition.get("Parameters", []),
        {"Name": "Strategy", "Type": "String", "DefaultValue": "Hyperband"},
    ]
    assert runner.run(definition).step("Tune").failure_reason == (
        "the Hyperband strategy needs a MaxResource: SageMaker rejects the tuning job when "
        "HyperbandStrategyConfig has none and no static hyperparameter (epochs, numepochs, "
        "n-epochs, n_epochs, num_epochs) gives one; set "
        "strategy_config=HyperbandStrategyConfig(max_resource=…) or a static 'epochs'"
    )


def test_fails_hyperband_settings_the_validator_rejects_known_only_at_run_time(
    ws: Workspace,
) -> None:
    # A strategy given as a parameter can't be judged when the definition compiles.
    early_stopping = seeded_tune(ws, static_hyperparameters={"epochs": 2})
    strategy_config = seeded_tune(
        ws, strategy="Hyperband", strategy_config=HyperbandStrategyConfig(max_resource=3)
    )
    runner = ws.runner()
    reasons = []
    for step, strategy, config_member, value in (
        (early_stopping, "Hyperband", "TrainingJobEarlyStoppingType", "Auto"),
        (strategy_config, "Random", None, None),
    ):
        definition = compile_steps([step])
        config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
        if config_member is not None:
            config[config_member] = value
        config["Strategy"] = {"Get": "Parameters.Strategy"}
        definition["Parameters"] = [
            {"Name": "Strategy", "Type": "String", "DefaultValue": strategy},
        ]
        reasons.append(runner.run(definition).step("Tune").failure_reason)

    assert reasons == [
        "the Hyperband strategy needs TrainingJobEarlyStoppingType 'Off', got 'Auto': "
        "SageMaker rejects the tuning job (Hyperband stops training jobs early itself)",
        "StrategyConfig configures Hyperband, but the strategy is 'Random': SageMaker rejects "
        "the tuning job; remove StrategyConfig or use the Hyperband strategy",
    ]


def test_fails_grid_search_over_an_integer_range_known_only_at_run_time(ws: Workspace) -> None:
    # SageMaker's grid search takes categorical ranges only; the runner used to enumerate an
    # integer range (and fail a continuous one with a message of its own).
    tune = seeded_tune(
        ws, hyperparameter_ranges={"depth": IntegerParameter(min_value=1, max_value=3)}
    )
    definition = compile_steps([tune])
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["Strategy"] = {"Get": "Parameters.Strategy"}
    definition["Parameters"] = [{"Name": "Strategy", "Type": "String", "DefaultValue": "Grid"}]

    assert ws.runner().run(definition).step("Tune").failure_reason == (
        "the Grid strategy searches categorical ranges only, and 'depth' is integer: SageMaker "
        "rejects the tuning job; list the values to try as a categorical range, or use the "
        "Random or Bayesian strategy"
    )


def test_fails_hyperband_min_resource_above_max_resource_known_only_at_run_time(
    ws: Workspace,
) -> None:
    minimum = ParameterInteger(name="MinEpochs", default_value=1)
    tune = seeded_tune(
        ws,
        strategy="Hyperband",
        early_stopping_type="Off",
        strategy_config=HyperbandStrategyConfig(min_resource=minimum, max_resource=3),
    )
    definition = compile_steps([tune], [minimum])
    runner = ws.runner()

    assert runner.run(definition).status == "Succeeded"
    assert runner.run(definition, {"MinEpochs": "5"}).step("Tune").failure_reason == (
        "HyperbandStrategyConfig: MinResource 5 is more than MaxResource 3; SageMaker rejects "
        "the tuning job"
    )


def test_fails_range_scaling_the_validator_rejects_known_only_at_run_time(
    ws: Workspace,
) -> None:
    low = ParameterFloat(name="MinRate", default_value=0.01)
    high = ParameterFloat(name="MaxRate", default_value=0.05)
    runner = ws.runner()
    reasons = []
    for scaling, values in (
        ("Logarithmic", {"MinRate": "0"}),
        ("ReverseLogarithmic", {"MaxRate": "2"}),
    ):
        tune = seeded_tune(
            ws,
            hyperparameter_ranges={
                "depth": IntegerParameter(min_value=1, max_value=50),
                "rate": ContinuousParameter(min_value=low, max_value=high, scaling_type=scaling),
            },
        )
        definition = compile_steps([tune], [low, high])
        assert runner.run(definition).status == "Succeeded"  # the defaults fit the scaling
        reasons.append(runner.run(definition, values).step("Tune").failure_reason)

    assert reasons == [
        "the range of 'rate' uses Logarithmic scaling, which needs MinValue above 0, got 0.0",
        "the range of 'rate' uses ReverseLogarithmic scaling, which needs a range within "
        "0 <= x < 1, got 0.01 to 2.0",
    ]


def test_fails_a_step_reading_a_file_system_before_it_runs(ws: Workspace) -> None:
    # The runner can't mount EFS or FSx for Lustre. Was "channel 'train': only S3DataSource
    # is supported locally"; a tuning step failed each trial ("all 3 training jobs failed").
    fsx = FileSystemInput(
        file_system_id="fs-0123456789abcdef0",
        file_system_type="FSxLustre",
        directory_path="/abcd1234/train",
    )
    vpc = NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"])
    train = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", TRAIN)),
        inputs={"train": fsx},
        network=vpc,
    )
    tune = seeded_tune(ws, inputs={"train": fsx}, network=vpc)
    expected = (
        "channel 'train' reads an FSx for Lustre file system "
        "(fs-0123456789abcdef0:/abcd1234/train), which the local runner can't mount; run this "
        "step on SageMaker, or give the channel its data from S3 (TrainingInput, with --s3-map "
        "to a local copy) to run it here"
    )

    result = ws.runner().run(compile_steps([train, tune]))

    assert result.step("Train").failure_reason == expected
    assert result.step("Tune").failure_reason == expected


HETERO = """
import json, os
keys = ("SM_CURRENT_INSTANCE_GROUP", "SM_CURRENT_INSTANCE_GROUP_HOSTS", "SM_INSTANCE_GROUPS",
        "SM_INSTANCE_GROUPS_DICT", "SM_IS_HETERO", "SM_CURRENT_INSTANCE_TYPE", "SM_CHANNELS")
report = {key: os.environ[key] for key in keys}
report["resourceconfig"] = json.load(open("/opt/ml/input/config/resourceconfig.json"))
report["data"] = sorted(os.listdir("/opt/ml/input/data"))
report["training_env"] = json.loads(os.environ["SM_TRAINING_ENV"])
with open(os.path.join(os.environ["SM_MODEL_DIR"], "report.json"), "w") as handle:
    json.dump(report, handle)
"""


def _model_report(result: object, step: str) -> dict[str, object]:
    uri = result.properties(step)["ModelArtifacts"]["S3ModelArtifacts"]  # type: ignore[attr-defined]
    located = result.store.locate(uri)  # type: ignore[attr-defined]
    assert located is not None
    with tarfile.open(located.path) as archive:
        return json.load(archive.extractfile("report.json"))  # type: ignore[arg-type,no-any-return]


def test_a_heterogeneous_cluster_runs_as_its_first_groups_host(ws: Workspace) -> None:
    # One host of the first group, with that group's channels and the instance-group
    # variables the training toolkit sets; the other group's channel stays on its hosts.
    for folder in ("images", "labels", "shared"):
        ws.file(f"{folder}/part.csv", "1\n")
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("hetero.py", HETERO)),
        instance_groups=[
            InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2),
            InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=1),
        ],
        inputs={
            "images": TrainingInput(s3_data="s3://data-bucket/images", instance_groups=["data"]),
            "labels": TrainingInput(s3_data="s3://data-bucket/labels", instance_groups=["gpu"]),
            "shared": "s3://data-bucket/shared",
        },
    )

    result = ws.runner().run(compile_steps([step]))

    assert result.status == "Succeeded", result.failure_reason
    report = _model_report(result, "Train")
    groups = {
        "data": {
            "instance_group_name": "data",
            "instance_type": "ml.c5.xlarge",
            "hosts": ["algo-1"],
        },
        "gpu": {"instance_group_name": "gpu", "instance_type": "ml.p3.2xlarge", "hosts": []},
    }
    assert report["SM_CURRENT_INSTANCE_GROUP"] == "data"
    assert json.loads(report["SM_CURRENT_INSTANCE_GROUP_HOSTS"]) == ["algo-1"]  # type: ignore[arg-type]
    assert json.loads(report["SM_INSTANCE_GROUPS"]) == ["data", "gpu"]  # type: ignore[arg-type]
    assert json.loads(report["SM_INSTANCE_GROUPS_DICT"]) == groups  # type: ignore[arg-type]
    assert report["SM_IS_HETERO"] == "true"
    assert report["SM_CURRENT_INSTANCE_TYPE"] == "ml.c5.xlarge"
    assert json.loads(report["SM_CHANNELS"]) == ["code", "images", "shared"]  # type: ignore[arg-type]
    assert report["data"] == ["code", "images", "shared"]
    assert report["training_env"]["current_instance_group"] == "data"  # type: ignore[index]
    assert report["training_env"]["instance_groups_dict"] == groups  # type: ignore[index]
    assert report["resourceconfig"] == {
        "current_host": "algo-1",
        "current_instance_type": "ml.c5.xlarge",
        "hosts": ["algo-1"],
        "network_interface_name": "eth0",
        "current_group_name": "data",
        "instance_groups": list(groups.values()),
    }


def test_a_group_left_without_instances_by_a_parameter_fails_the_step(ws: Workspace) -> None:
    # A count of 0 is a definition error when literal; a parameter gives it at run time, and
    # the runner would otherwise run as a host of a group that has none.
    ws.file("images/part.csv", "1\n")
    data_count = ParameterInteger(name="DataCount", default_value=2)
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("hetero.py", HETERO)),
        instance_groups=[
            InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=data_count),
            InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=1),
        ],
        inputs={"images": "s3://data-bucket/images"},
    )

    result = ws.runner().run(compile_steps([step], [data_count]), {"DataCount": "0"})

    assert result.status == "Failed"
    assert result.step("Train").failure_reason == (
        "instance group 'data' has InstanceCount 0: every group of a heterogeneous cluster "
        "needs at least 1 instance (give its count parameter a value of 1 or more, or leave "
        "the group out)"
    )


def test_a_job_of_one_instance_type_reports_the_homogeneous_cluster(ws: Workspace) -> None:
    # As the training toolkit does: scripts written for either kind of cluster read them.
    ws.file("shared/part.csv", "1\n")
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("hetero.py", HETERO)),
        instance_type="ml.m5.xlarge",
        inputs={"shared": "s3://data-bucket/shared"},
    )

    result = ws.runner().run(compile_steps([step]))

    assert result.status == "Succeeded", result.failure_reason
    report = _model_report(result, "Train")
    assert report["SM_CURRENT_INSTANCE_GROUP"] == "homogeneousCluster"
    assert (report["SM_INSTANCE_GROUPS"], report["SM_IS_HETERO"]) == ("[]", "false")
    assert report["SM_CURRENT_INSTANCE_TYPE"] == "ml.m5.xlarge"
    assert "instance_groups" not in report["resourceconfig"]  # type: ignore[operator]


def test_a_job_of_instance_preferences_runs_on_the_first_preference(ws: Workspace) -> None:
    # SageMaker tries the preferences in order: the first is the type a run would report.
    ws.file("shared/part.csv", "1\n")
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("hetero.py", HETERO)),
        inputs={"shared": "s3://data-bucket/shared"},
    )
    definition = compile_steps([step])
    resources = definition["Steps"][0]["Arguments"]["ResourceConfig"]
    del resources["InstanceType"]
    resources["InstancePreferences"] = [
        {"InstanceType": "ml.g5.xlarge"},
        {"InstanceType": "ml.g4dn.xlarge"},
    ]

    result = ws.runner().run(definition)

    assert result.status == "Succeeded", result.failure_reason
    assert _model_report(result, "Train")["SM_CURRENT_INSTANCE_TYPE"] == "ml.g5.xlarge"


def test_runs_script_mode_settings_json_encoded_as_the_sdk_writes_them(ws: Workspace) -> None:
    # The SDK's framework estimators (PyTorch, SKLearn, ...) JSON-encode every hyperparameter:
    # '"train.py"' and '"s3://…/sourcedir.tar.gz"', with no code channel. The training
    # toolkit decodes them; the runner took the quotes as part of the names and failed with
    # "sagemaker_submit_directory '\"s3://…\"' is neither an s3:// URI nor a path under /opt/ml".
    definition = compile_steps([train_step(ws, hyperparameters={"depth": 2})])
    arguments = definition["Steps"][0]["Arguments"]
    [code] = [c for c in arguments["InputDataConfig"] if c["ChannelName"] == "code"]
    arguments["InputDataConfig"].remove(code)
    archive = code["DataSource"]["S3DataSource"]["S3Uri"]
    arguments["HyperParameters"].update(
        depth='"2"',
        sagemaker_program='"train.py"',
        sagemaker_submit_directory=json.dumps(archive),
    )

    result = ws.runner().run(definition)

    assert result.status == "Succeeded", result.failure_reason
    located = result.store.locate(result.properties("Train")["ModelArtifacts"]["S3ModelArtifacts"])
    assert located is not None
    with tarfile.open(located.path) as model:
        report = json.load(model.extractfile("model.json"))  # type: ignore[arg-type]
    assert report["args"]["depth"] == 2
    assert report["hps"]["sagemaker_program"] == '"train.py"'  # hyperparameters.json as given


def test_the_cache_key_reads_json_encoded_training_code() -> None:
    from cdk_sagemaker_pipelines.local.runner import _code_uris

    uri = "s3://my-bucket/pt/code/sourcedir.tar.gz"
    arguments = {"HyperParameters": {"sagemaker_submit_directory": json.dumps(uri)}}
    assert _code_uris("Training", arguments) == [uri]
    tuning = {
        "TrainingJobDefinition": {"StaticHyperParameters": {"sagemaker_submit_directory": uri}}
    }
    assert _code_uris("Tuning", tuning) == [uri]
    # Each of several definitions ships its own code: a change to any one is a change.
    second = "s3://my-bucket/pt/code/other.tar.gz"
    several = {
        "TrainingJobDefinitions": [
            {"StaticHyperParameters": {"sagemaker_submit_directory": uri}},
            {
                "InputDataConfig": [
                    {"ChannelName": "code", "DataSource": {"S3DataSource": {"S3Uri": second}}}
                ]
            },
        ]
    }
    assert _code_uris("Tuning", several) == [uri, second]


CHECKPOINTS = """
import os
folder = "/opt/ml/checkpoints"
found = sorted(os.listdir(folder))
with open(os.path.join(folder, "epoch-2.txt"), "w") as handle:
    handle.write("resumed from " + ",".join(found))
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as handle:
    handle.write("model")
"""


def run_with_checkpoints(ws: Workspace, checkpoint_uri: str) -> ExecutionResult:
    """Run a training step of the CHECKPOINTS script with checkpoints at ``checkpoint_uri``."""
    step = TrainingStep(
        name="Train",
        image=SKLEARN,
        code=Code.from_asset(ws.script("checkpoints.py", CHECKPOINTS)),
        checkpoint_s3_uri=checkpoint_uri,
    )
    return ws.runner().run(compile_steps([step]))


def test_checkpoints_are_restored_before_the_script_and_published_after_it(
    ws: Workspace,
) -> None:
    # As the service: what is at CheckpointConfig.S3Uri is in LocalPath when the script
    # starts (a resumed job), and what the script leaves there is uploaded to S3Uri.
    ws.file("checkpoints/epoch-1.txt", "weights")

    result = run_with_checkpoints(ws, "s3://data-bucket/checkpoints")

    assert result.status == "Succeeded", result.failure_reason
    written = result.store.locate("s3://data-bucket/checkpoints/epoch-2.txt")
    assert written is not None
    assert written.path.read_text() == "resumed from epoch-1.txt"
    assert result.store.owner("s3://data-bucket/checkpoints/epoch-2.txt") == (
        "Train",
        "checkpoints",
    )
    assert (ws.data / "checkpoints" / "epoch-2.txt").exists() is False  # never the inputs


def test_a_first_run_starts_with_an_empty_checkpoint_folder(ws: Workspace) -> None:
    result = run_with_checkpoints(ws, "s3://data-bucket/new-checkpoints")

    assert result.status == "Succeeded", result.failure_reason
    written = result.store.locate("s3://data-bucket/new-checkpoints/epoch-2.txt")
    assert written is not None
    assert written.path.read_text() == "resumed from "


def test_tuning_trials_get_the_objective_metric_as_the_service_adds_it(
    grid_run: ExecutionResult,
) -> None:
    # A tuning job adds _tuning_objective_metric to its training jobs' hyperparameters; the
    # training toolkit keeps it (like sagemaker_*) from the script's arguments, which the
    # script here parses strictly.
    result = grid_run

    assert result.status == "Succeeded", result.failure_reason
    best = result.properties("Tune")["BestTrainingJob"]["TrainingJobName"]
    located = result.store.locate(
        f"s3://art-bucket/local-pipeline/Tune/{result.execution_id}/model/{best}/output/model.tar.gz"
    )
    assert located is not None
    with tarfile.open(located.path) as model:
        report = json.load(model.extractfile("model.json"))  # type: ignore[arg-type]
    assert report["hps"]["_tuning_objective_metric"] == "score"
    assert "_tuning_objective_metric" not in report["args"]


def test_a_tuning_job_of_a_built_in_algorithm_says_it_has_no_script(ws: Workspace) -> None:
    # The SageMaker SDK's XGBoost estimator without entry_point: the service has the
    # algorithm's metrics, so the definition names none. The runner said to add a
    # MetricDefinitions regex, after which the trials failed for want of a script.
    path = REPO / "tests" / "definition" / "sdk_generated" / "sdk-tuning-strategies.json"
    definition = json.loads(path.read_text())
    definition["Steps"] = [step for step in definition["Steps"] if step["Name"] == "TuneBayes"]
    ws.file("train/t.csv", "1\n")
    ws.file("val/v.csv", "1\n")
    result = ws.runner(
        resources=ws.resources(**{"s3://my-bucket": ws.data}), stop_at_missing=True
    ).run(definition)
    assert result.step("TuneBayes").failure_reason == (
        BUILT_IN_ALGORITHM + "; or, to test the steps after it, stand in for it (it is not run) "
        "with its properties, e.g. --callback-output TuneBayes.BestTrainingJob.TrainingJobName=… "
        "(a job's model is read at <S3OutputPath>/<TrainingJobName>/output/model.tar.gz: map it "
        "with --s3-map to a local model.tar.gz)"
    )


# What a training job of a built-in algorithm fails with, and what to do about it.
BUILT_IN_ALGORITHM = (
    "no sagemaker_program hyperparameter: the local runner runs script-mode training "
    "(a framework image with code=…), not an image's own training program such as a "
    "built-in algorithm's (the SDK's XGBoost estimator without entry_point=); to run the "
    "pipeline locally, train with a script (code=…, entry_point= in the SDK) that writes "
    "the model to SM_MODEL_DIR"
)


def test_a_built_in_algorithm_says_how_to_run_the_pipeline_locally(ws: Workspace) -> None:
    # AWS's abalone example trains with the built-in XGBoost algorithm: the step said it
    # can't run, not what to do.
    path = REPO / "tests" / "definition" / "sdk_generated" / "sdk-abalone.json"
    definition = json.loads(path.read_text())
    [train] = [step for step in definition["Steps"] if step["Name"] == "AbaloneTrain"]
    for channel in train["Arguments"]["InputDataConfig"]:
        name = channel["ChannelName"]
        channel["DataSource"]["S3DataSource"]["S3Uri"] = f"s3://my-bucket/{name}"
        ws.file(f"{name}/{name}.csv", "10,0.5\n")
    definition["Steps"] = [train]
    result = ws.runner(
        resources=ws.resources(**{"s3://my-bucket": ws.data}), stop_at_missing=True
    ).run(definition)
    # And how to test the steps after it (none here, so an example): stand in for it.
    assert result.step("AbaloneTrain").failure_reason == (
        BUILT_IN_ALGORITHM + "; or, to test the steps after it, stand in for it (it is not run) "
        "with its properties, e.g. --callback-output "
        "AbaloneTrain.ModelArtifacts.S3ModelArtifacts=s3://… (the model's URI: one you map with "
        "--s3-map to a local model.tar.gz, or one an earlier execution wrote)"
    )


def test_metric_regexes_of_other_dialects_are_read_without_warnings(tmp_path: Path) -> None:
    # Python warns (FutureWarning) about POSIX-style sets; under -W error the job ended in a
    # traceback instead of reading its metric.
    from cdk_sagemaker_pipelines.local.executors._training_job import extract_metrics

    log = tmp_path / "train.log"
    log.write_text("loss: 0.25\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = extract_metrics([{"Name": "loss", "Regex": "loss: ([[:digit:].]+)"}], log)
    # Python reads [[:digit:].] as a set of those characters: no number, no value.
    assert found == {}


def test_a_function_step_fails_saying_the_sdk_runtime_is_needed(ws: Workspace) -> None:
    # A @step function's job runs the SDK's remote-function runtime on a pickled function.
    # Before, the step failed saying a built-in algorithm has no script (a framework image),
    # or that its image isn't a framework image: neither what it is nor what to do.
    path = REPO / "tests" / "definition" / "sdk_generated" / "sdk-function-steps.json"
    definition = json.loads(path.read_text())
    definition["Steps"] = [step for step in definition["Steps"] if step["Name"] == "Preprocess"]
    ws.file("raw/churn.csv", "1\n")
    result = ws.runner(resources=ws.resources(**{"s3://my-bucket": ws.data})).run(definition)
    step = result.step("Preprocess")
    assert step.status == "Failed"
    assert step.attempt_count == 1
    assert step.failure_reason == (
        "'Preprocess' is a @step function of the SageMaker SDK (__main__.preprocess): its job "
        "runs the SDK's remote-function runtime (sagemaker_remote_function_bootstrap/"
        "job_driver.sh), which unpickles the function and its arguments from S3 in an image "
        "with the SDK, and the local runner doesn't run it. Test the function itself in "
        "Python (the decorated function's undecorated original is its __wrapped__), run the "
        "pipeline on SageMaker, or write this step as a script (a ProcessingStep or "
        "TrainingStep with code=…) to run it here"
    )
    assert "Traceback" not in step.failure_reason


def test_a_notebook_job_fails_saying_how_to_run_the_notebook(ws: Workspace) -> None:
    path = REPO / "tests" / "definition" / "sdk_generated" / "sdk-notebook-jobs.json"
    definition = json.loads(path.read_text())
    definition["Steps"] = [step for step in definition["Steps"] if step["Name"] == "ChurnReport"]
    image = definition["Steps"][0]["Arguments"]["AlgorithmSpecification"]["TrainingImage"]
    # Mapping its image to Python changes nothing: the scheduler is not a training script.
    resources = replace(ws.resources(**{"s3://my-bucket": ws.data}), images={image: "python"})
    result = ws.runner(resources=resources).run(definition)
    assert result.step("ChurnReport").failure_reason == (
        "'ChurnReport' is a NotebookJobStep of the SageMaker SDK: its job runs "
        "churn-report.ipynb on kernel python3 with the image's amazon_sagemaker_scheduler, "
        "which the local runner doesn't run. Execute the notebook yourself with its "
        "parameters (papermill churn-report.ipynb out.ipynb -p NAME VALUE), or run the "
        "pipeline on SageMaker"
    )


def test_a_failed_tuning_job_says_which_local_code_its_trials_ran(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # Was: each trial logged its code line in its own log (Tune.001.log), which the summary
    # doesn't read, so a failed tuning step said nothing of its code.
    ws.file("train/train.csv", "1\n")
    script = ws.script("train.py", "raise SystemExit('bad depth')\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(script),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": CategoricalParameter(values=[1, 2])},
        max_jobs=2,
        max_parallel_jobs=2,
        strategy="Grid",
    )
    result = ws.runner().run(compile_steps([tune]))
    run = result.step("Tune")
    assert run.failure_reason is not None
    assert run.log is not None
    expected = f"/opt/ml/code/train.py = {script}"
    assert code_origins(run.log) == [expected]  # once, though both trials logged it
    print(summary(result, {"Tune": "Tuning"}))
    assert f"\n  code: {expected}\n  log: {run.log}\n" in capsys.readouterr().out


# A script of a distributed job: it reads what torchrun would set, as a PyTorch DDP
# script does before init_process_group, and fails with a KeyError without them.
DISTRIBUTED = """
import json, os
world = {name: os.environ[name] for name in
         ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
json.dump(world, open(os.path.join(os.environ["SM_MODEL_DIR"], "world.json"), "w"))
"""


def distributed_train(ws: Workspace, **options: object) -> TrainingStep:
    return TrainingStep(
        name="Train",
        image=Image.pytorch("2.1", processor="gpu", py_version="py310"),
        code=Code.from_asset(ws.script("train.py", DISTRIBUTED)),
        instance_type="ml.p4d.24xlarge",
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("distribution", ["torch_distributed", "mpi"])
def test_a_distributed_script_runs_locally_as_rank_0_of_a_world_of_one(
    ws: Workspace, distribution: str
) -> None:
    events: list[ProgressEvent] = []
    step = distributed_train(
        ws,
        instance_count=4,
        distribution=getattr(Distribution, distribution)(),
        use_spot_instances=True,
        max_wait_in_seconds=86400,
    )
    runner = ws.runner(progress=events.append)
    result = runner.run(compile_steps([step]))
    assert result.status == "Succeeded", result.failure_reason
    located = result.store.locate(result.properties("Train")["ModelArtifacts"]["S3ModelArtifacts"])
    assert located is not None
    with tarfile.open(located.path) as archive:
        world = json.load(archive.extractfile("world.json"))  # type: ignore[arg-type]
    assert {name: world[name] for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE")} == {
        "RANK": "0",
        "LOCAL_RANK": "0",
        "WORLD_SIZE": "1",
    }
    assert (world["LOCAL_WORLD_SIZE"], world["MASTER_ADDR"]) == ("1", "localhost")
    assert 0 < int(world["MASTER_PORT"]) < 65536
    # One notice for the step, on its success line, naming each thing left out.
    notices = [event.message for event in events if event.kind == "step-succeeded"]
    assert notices == [
        "\nnot reproduced locally: instance count 4→1; spot instances (no interruption); "
        f"the {distribution} launcher (the script ran once, as rank 0 of a world of 1: "
        "RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set for it)"
    ]


def test_a_job_without_a_distribution_gets_no_launcher_variables_nor_notice(
    ws: Workspace,
) -> None:
    events: list[ProgressEvent] = []
    step = distributed_train(ws)
    runner = ws.runner(progress=events.append)
    result = runner.run(compile_steps([step]))
    assert result.status == "Failed"
    assert "KeyError: 'RANK'" in (result.step("Train").log or Path()).read_text()
    assert [event.message for event in events if event.kind == "step-succeeded"] == []


def test_an_uncompressed_model_is_published_as_its_files_under_a_prefix(ws: Workspace) -> None:
    step = train_step(ws, hyperparameters={"depth": 2}, disable_output_compression=True)
    result = ws.runner().run(compile_steps([step]))
    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Train")
    model_uri = properties["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_uri.endswith(f"/{properties['TrainingJobName']}/output/model/")
    located = result.store.locate(model_uri)
    assert located is not None
    assert located.kind == "dir"
    assert json.loads((located.path / "model.json").read_text())["args"]["depth"] == 2
    assert not (located.path.parent / "model.tar.gz").exists()


def pipe_note(channel: str) -> str:
    return (
        f"Pipe input mode of channel '{channel}' (SageMaker streams it through a named pipe, "
        "not as files under its channel directory; here its files were copied there, as in "
        "File mode)"
    )


@pytest.mark.parametrize("where", ["channel", "job"])
def test_a_pipe_mode_channel_is_noted_as_not_reproduced(ws: Workspace, where: str) -> None:
    # SageMaker streams a Pipe channel instead of copying files under its channel
    # directory: a script that lists SM_CHANNEL_TRAIN succeeds here, fails there. The code
    # channel of a Pipe job is compiled in File mode (its archive must be a file), so it
    # isn't noted.
    if where == "channel":
        definition = compile_steps([train_step(ws, hyperparameters={"depth": 2})])
        arguments = definition["Steps"][0]["Arguments"]
        arguments["InputDataConfig"][0]["InputMode"] = "Pipe"
    else:
        step = train_step(ws, hyperparameters={"depth": 2}, input_mode="Pipe")
        definition = compile_steps([step])
        arguments = definition["Steps"][0]["Arguments"]
        assert arguments["InputDataConfig"][-1]["InputMode"] == "File"
    events: list[ProgressEvent] = []
    result = ws.runner(progress=events.append).run(definition)
    assert result.status == "Succeeded", result.failure_reason
    assert [event.message for event in events if event.kind == "step-succeeded"] == [
        "\nnot reproduced locally: " + pipe_note("train")
    ]


def test_a_channel_in_file_mode_under_a_pipe_job_is_not_noted(ws: Workspace) -> None:
    step = train_step(ws, hyperparameters={"depth": 2}, input_mode="Pipe")
    definition = compile_steps([step])
    arguments = definition["Steps"][0]["Arguments"]
    arguments["InputDataConfig"][0]["InputMode"] = "File"
    events: list[ProgressEvent] = []
    result = ws.runner(progress=events.append).run(definition)
    assert result.status == "Succeeded", result.failure_reason
    # Neither the File channel nor the code channel (File in a Pipe job) is noted.
    assert [event.message for event in events if event.kind == "step-succeeded"] == [None]


def test_the_training_job_name_variable_is_the_local_job_name(ws: Workspace) -> None:
    # ExecutionVariables.TRAINING_JOB_NAME resolves to the job's own name, in each attempt.
    step = train_step(
        ws,
        hyperparameters={"depth": 2},
        environment={"STAGE": ExecutionVariables.TRAINING_JOB_NAME},  # the script reports it
    )
    result = ws.runner().run(compile_steps([step]))
    assert result.status == "Succeeded", result.failure_reason
    properties = result.properties("Train")
    located = result.store.locate(properties["ModelArtifacts"]["S3ModelArtifacts"])
    assert located is not None
    with tarfile.open(located.path) as archive:
        report = json.load(archive.extractfile("model.json"))  # type: ignore[arg-type]
    assert report["env"] == properties["TrainingJobName"]
    assert properties["TrainingJobName"].startswith("pipelines-")


def test_a_step_reading_its_job_name_is_never_a_cache_hit(ws: Workspace) -> None:
    # The job name differs in every run, and so does the cache key holding it: as on the
    # service (warning uncacheable-step), the step runs every time.
    step = train_step(
        ws,
        hyperparameters={"depth": 2},
        environment={"STAGE": ExecutionVariables.TRAINING_JOB_NAME},
        cache_config=CacheConfig(expire_after="P1D"),
    )
    runner = ws.runner()
    definition = compile_steps([step])
    first = runner.run(definition)
    assert first.status == "Succeeded", first.failure_reason

    second = runner.run(definition)

    assert second.status == "Succeeded", second.failure_reason
    assert second.step("Train").cache_hit is None
