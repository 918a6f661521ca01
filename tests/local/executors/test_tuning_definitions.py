"""Where the local runner reads a tuning job's objective: the definition's or the config's."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import CategoricalParameter, Code, TuningStep
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.executors.tuning import _definitions
from tests.local.conftest import SKLEARN, Workspace, compile_steps

AUC = {"Type": "Maximize", "MetricName": "validation:auc"}
RMSE = {"Type": "Minimize", "MetricName": "validation:rmse"}


def job(**members: Any) -> dict[str, Any]:
    return {"AlgorithmSpecification": {"TrainingImage": "image"}, **members}


def test_one_definition_reads_the_configs_objective_first_then_its_own() -> None:
    [from_config] = _definitions(
        {"TrainingJobDefinition": job(TuningObjective=RMSE)},
        {"HyperParameterTuningJobObjective": AUC},
    )
    [own] = _definitions({"TrainingJobDefinition": job(TuningObjective=RMSE)}, {})

    assert (from_config.metric, from_config.goal) == ("validation:auc", "Maximize")
    assert (own.metric, own.goal) == ("validation:rmse", "Minimize")


def test_several_definitions_read_their_own_objective_first_then_the_configs() -> None:
    arguments = {
        "TrainingJobDefinitions": [
            job(DefinitionName="a", TuningObjective=AUC),
            job(DefinitionName="b"),
        ]
    }

    first, second = _definitions(
        arguments, {"HyperParameterTuningJobObjective": AUC | {"MetricName": "validation:f1"}}
    )

    assert (first.metric, second.metric) == ("validation:auc", "validation:f1")


def test_several_definitions_of_differing_objective_types_are_refused() -> None:
    arguments = {
        "TrainingJobDefinitions": [
            job(DefinitionName="a", TuningObjective=AUC),
            job(DefinitionName="b", TuningObjective=RMSE),
        ]
    }

    with pytest.raises(StepError, match="TuningObjective types differ"):
        _definitions(arguments, {})


def test_a_tuning_job_of_one_definition_and_of_several_is_refused() -> None:
    # The validator refuses both; a definition written by hand may still hold them.
    arguments = {
        "TrainingJobDefinition": job(),
        "TrainingJobDefinitions": [job(DefinitionName="a")],
    }

    with pytest.raises(StepError, match="exactly one of them"):
        _definitions(arguments, {"HyperParameterTuningJobObjective": AUC})


SCORE = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int)
args = parser.parse_args()
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write(str(args.depth))
print(f"score={args.depth / 10}")
"""


def test_spot_tuning_with_checkpoints_runs_its_trials_locally(ws: Workspace) -> None:
    # Spot capacity means nothing on a laptop, and trials get no checkpoint folder
    # (docs/local-runner.md): the settings are accepted and the trials run as usual.
    ws.file("train/train.csv", "1\n")
    tune = TuningStep(
        name="Tune",
        image=SKLEARN,
        code=Code.from_asset(ws.script("train.py", SCORE)),
        inputs={"train": "s3://data-bucket/train"},
        metric_definitions={"score": r"score=([0-9.]+)"},
        objective_metric_name="score",
        hyperparameter_ranges={"depth": CategoricalParameter(values=[1, 2])},
        strategy="Grid",
        use_spot_instances=True,
        max_runtime_in_seconds=600,
        max_wait_in_seconds=1200,
        checkpoint_s3_uri="s3://data-bucket/checkpoints/",
    )

    result = ws.runner().run(compile_steps([tune]))

    assert result.status == "Succeeded"
    properties = result.step("Tune").properties
    assert properties is not None
    best = properties["BestTrainingJob"]
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 0.2
