"""Where the local runner reads a tuning job's objective: the definition's or the config's."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.executors.tuning import _definitions

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
