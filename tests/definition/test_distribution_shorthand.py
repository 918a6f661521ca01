# mypy: disable-error-code="arg-type"
# The SDK's dictionary is the wrong type on purpose: the run-time check is what is tested.
"""The SDK's ``distribution=`` dictionary given as it is: the error says which factory to write.

Before ``Distribution`` (976d17e), ``distribution=`` was refused with a hint naming the
hyperparameters to set; the type error that replaced it named no way forward.
"""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    PipelineDefinitionError,
    TrainingJobDefinition,
    TrainingStep,
)


@pytest.mark.parametrize(
    ("sdk", "factory"),
    [
        ({"torch_distributed": {"enabled": True}}, "Distribution.torch_distributed(…)"),
        ({"mpi": {"enabled": True, "processes_per_host": 8}}, "Distribution.mpi(…)"),
        (
            {"smdistributed": {"dataparallel": {"enabled": True}}},
            "Distribution.smdistributed_data_parallel()",
        ),
        (
            {
                "torch_distributed": {"enabled": True},
                "smdistributed": {"modelparallel": {"enabled": True, "parameters": {}}},
            },
            "Distribution.smdistributed_model_parallel(parameters)",
        ),
        (
            {"mpi": {"enabled": True}, "smdistributed": {"modelparallel": {"enabled": True}}},
            "Distribution.smdistributed_model_parallel(parameters, launcher='mpi')",
        ),
        ({"parameter_server": {"enabled": True}}, "Distribution.parameter_server(…)"),
    ],
)
def test_the_sdk_dictionary_is_refused_naming_the_factory(sdk: Any, factory: str) -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        TrainingStep(name="Train", image="my-image", distribution=sdk)

    message = str(raised.value)
    assert message.startswith("TrainingStep 'Train': field 'distribution' expects Distribution")
    assert message.endswith(f"(the SageMaker SDK's dictionary: write distribution={factory})")


def test_a_key_no_factory_has_lists_the_factories() -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        TrainingJobDefinition(
            name="Xgb",
            image="my-image",
            objective_metric_name="validation:auc",
            hyperparameter_ranges={},
            distribution={"pytorchddp": {"enabled": True}},
        )

    assert str(raised.value).endswith(
        "(the SageMaker SDK's dictionary: write Distribution.torch_distributed(), .mpi(…), "
        ".smdistributed_data_parallel(…), .smdistributed_model_parallel(…), "
        ".parameter_server() or .multi_worker_mirrored_strategy())"
    )
