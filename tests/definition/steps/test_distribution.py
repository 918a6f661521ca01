"""``Distribution`` on ``TrainingStep``/``TuningStep``: the checks, each naming step and keyword.

What each strategy writes is compared with the SageMaker SDK in
``tests/definition/test_sdk_distribution.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    Distribution,
    Image,
    InstanceGroup,
    IntegerParameter,
    PipelineDefinitionError,
    TrainingJobDefinition,
    TrainingStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext

CODE = Code.from_s3("s3://b/code/sourcedir.tar.gz", entry_point="train.py")
PYTORCH = Image.pytorch("2.1.0", processor="gpu", py_version="py310")
GROUPS = [
    InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2),
    InstanceGroup(name="gpu", instance_type="ml.p4d.24xlarge", instance_count=1),
]


def train(distribution: Distribution, **arguments: Any) -> TrainingStep:
    job: dict[str, Any] = {"image": PYTORCH, "code": CODE, "instance_type": "ml.p4d.24xlarge"}
    job.update(arguments)
    return TrainingStep(name="Train", distribution=distribution, **job)


def test_torch_distributed_renders_with_the_user_hyperparameters(ctx: RenderContext) -> None:
    step = train(Distribution.torch_distributed(), hyperparameters={"epochs": 3})
    assert step.to_request(ctx)["Arguments"]["HyperParameters"] == {
        "epochs": "3",
        "sagemaker_program": "train.py",
        "sagemaker_submit_directory": "/opt/ml/input/data/code/sourcedir.tar.gz",
        "sagemaker_torch_distributed_enabled": "true",
        "sagemaker_instance_type": '"ml.p4d.24xlarge"',
    }


def test_a_tuning_definition_takes_a_distribution(ctx: RenderContext) -> None:
    tune = TuningStep(
        name="Tune",
        training_job_definitions=[
            TrainingJobDefinition(
                name="torch",
                image=PYTORCH,
                code=CODE,
                instance_type="ml.p4d.24xlarge",
                objective_metric_name="loss",
                metric_definitions={"loss": "loss=([0-9.]+)"},
                hyperparameter_ranges={"epochs": IntegerParameter(min_value=1, max_value=3)},
                distribution=Distribution.mpi(processes_per_host=8),
            )
        ],
    )
    [job] = tune.to_request(ctx)["Arguments"]["TrainingJobDefinitions"]
    assert {
        key: value
        for key, value in job["StaticHyperParameters"].items()
        if key.startswith("sagemaker_mpi")
    } == {
        "sagemaker_mpi_enabled": "true",
        "sagemaker_mpi_num_of_processes_per_host": "8",
        "sagemaker_mpi_custom_mpi_options": '""',
    }


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            # Once an unknown argument (tests/definition/test_typecheck.py had the case).
            lambda: train({"mpi": {"enabled": True}}),  # type: ignore[arg-type]
            "TrainingStep 'Train': field 'distribution' expects Distribution, got dict "
            "{'mpi': {'enabled': True}}",
        ),
        (
            lambda: train(Distribution.mpi(), hyperparameters={"sagemaker_mpi_enabled": True}),
            "TrainingStep 'Train': hyperparameters sets 'sagemaker_mpi_enabled', which "
            "distribution= writes; leave it out of the hyperparameters",
        ),
        (
            lambda: train(
                Distribution.smdistributed_data_parallel(), instance_type="ml.g5.48xlarge"
            ),
            "TrainingStep 'Train': distribution smdistributed_data_parallel runs on "
            "ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge, ml.p4de.24xlarge or "
            "ml.p5*.48xlarge instances (the SMDDP library's), got ml.g5.48xlarge",
        ),
        (
            lambda: train(
                Distribution.torch_distributed(),
                code=Code.from_s3("s3://b/code/run.sh", entry_point="run.sh"),
            ),
            "TrainingStep 'Train': distribution torch_distributed: the entry point 'run.sh' "
            "is not a Python program (*.py), which torchrun needs (the SDK refuses it too)",
        ),
        (
            lambda: train(Distribution.torch_distributed(), instance_type=None),
            "TrainingStep 'Train': distribution torch_distributed runs on GPU (ml.p*, ml.g*) "
            "or Trainium (ml.trn*) instances, got ml.m5.large",
        ),
        (
            lambda: train(Distribution.parameter_server()),
            "TrainingStep 'Train': distribution parameter_server needs a TensorFlow image (or "
            "a Hugging Face one on TensorFlow): the pytorch training toolkit has no launcher "
            "for it, got pytorch 2.1.0",
        ),
        (
            lambda: train(Distribution.mpi(), image=Image.sklearn("1.2-1")),
            "TrainingStep 'Train': distribution mpi needs a PyTorch, TensorFlow or Hugging "
            "Face image (or a custom image), got a sklearn image",
        ),
        (
            lambda: train(
                Distribution.mpi(instance_groups=["gpus"]),
                instance_type=None,
                instance_groups=GROUPS,
            ),
            "TrainingStep 'Train': distribution mpi: instance_groups names 'gpus', which is "
            "not one of the step's instance_groups ('data', 'gpu'); did you mean 'gpu'?",
        ),
        (
            lambda: train(
                Distribution.smdistributed_data_parallel(instance_groups=["data"]),
                instance_type=None,
                instance_groups=GROUPS,
            ),
            "TrainingStep 'Train': distribution smdistributed_data_parallel runs on "
            "ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge, ml.p4de.24xlarge or "
            "ml.p5*.48xlarge instances (the SMDDP library's), got ml.c5.xlarge",
        ),
        (
            lambda: TuningStep(
                name="Tune",
                image=PYTORCH,
                code=CODE,
                instance_type="ml.p4d.24xlarge",
                objective_metric_name="loss",
                hyperparameter_ranges={"epochs": IntegerParameter(min_value=1, max_value=3)},
                distribution=Distribution.mpi(instance_groups=["gpu"]),
            ),
            "TuningStep 'Tune': distribution mpi: instance_groups names 'gpu', but the step "
            "runs on one instance type, not a heterogeneous cluster (TuningStep takes none)",
        ),
        (
            lambda: Distribution.mpi(processes_per_host=0),
            "Distribution.mpi: processes_per_host must be at least 1, got 0",
        ),
        (
            lambda: Distribution.torch_distributed().__class__(
                strategy="torch_distributed", processes_per_host=2
            ),
            "Distribution.torch_distributed: processes_per_host is not an option of this "
            "strategy; leave it out",
        ),
        (
            lambda: Distribution(strategy="pytorchddp"),
            "Distribution: strategy 'pytorchddp' is not one of",
        ),
        (
            lambda: Distribution.smdistributed_model_parallel({"ddp": True, "horovod": True}),
            "Distribution.smdistributed_model_parallel: parameters can't enable both 'ddp' "
            "and 'horovod'",
        ),
        (
            lambda: Distribution.torch_distributed().__class__(
                strategy="torch_distributed", instance_groups=["gpu"]
            ),
            "Distribution.torch_distributed: instance_groups is for mpi, "
            "smdistributed_data_parallel and smdistributed_model_parallel(launcher='mpi')",
        ),
    ],
    ids=[
        "sdk-dictionary",
        "hyperparameter-twice",
        "smddp-instance-type",
        "torchrun-not-python",
        "torchrun-on-cpu",
        "parameter-server-on-pytorch",
        "sklearn",
        "unknown-group",
        "smddp-in-a-cpu-group",
        "tuning-groups",
        "no-processes",
        "option-of-another-strategy",
        "unknown-strategy",
        "ddp-and-horovod",
        "torch-distributed-groups",
    ],
)
def test_fails_distribution(make: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        make()
    assert str(caught.value).startswith(message)


def test_a_custom_image_or_a_parameter_instance_type_is_not_guessed() -> None:
    # The SDK checks framework images only; a parameter's instance type is known at run time.
    from cdk_sagemaker_pipelines.definition import ParameterString

    train(Distribution.parameter_server(), image=Image.from_uri("1.dkr.ecr/x:1"))
    train(
        Distribution.smdistributed_data_parallel(),
        instance_type=ParameterString(name="Type", default_value="ml.g5.xlarge"),
    )


def test_a_problem_in_distribution_hyperparameters_names_the_keyword() -> None:
    step = train(Distribution.mpi())
    fields = step._argument_fields()
    assert fields["Arguments.HyperParameters['sagemaker_mpi_enabled']"] == "distribution"


def test_custom_mpi_options_may_be_a_parameter(ctx: RenderContext) -> None:
    # A parameter has no truth value: the options are written as the parameter's value.
    from cdk_sagemaker_pipelines.definition import ParameterString

    options = ParameterString(name="MpiOptions", default_value="-verbose")
    hyperparameters = train(Distribution.mpi(custom_mpi_options=options)).to_request(ctx)[
        "Arguments"
    ]["HyperParameters"]
    assert hyperparameters["sagemaker_mpi_custom_mpi_options"] == {"Get": "Parameters.MpiOptions"}
    step = train(Distribution.smdistributed_data_parallel(custom_mpi_options=options))
    hyperparameters = step.to_request(ctx)["Arguments"]["HyperParameters"]
    assert hyperparameters["sagemaker_distributed_dataparallel_custom_mpi_options"] == {
        "Get": "Parameters.MpiOptions"
    }
    assert Distribution.mpi(custom_mpi_options=options).sdk_distribution() == {
        "mpi": {"enabled": True, "custom_mpi_options": options}
    }
