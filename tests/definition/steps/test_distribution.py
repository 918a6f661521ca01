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


# -- Each check's boundary, both sides (a mutation audit found them unexercised) ---------------


@pytest.mark.parametrize(
    "instance_type",
    [
        "ml.p3.16xlarge",
        "ml.p3dn.24xlarge",
        "ml.p4d.24xlarge",
        "ml.p4de.24xlarge",
        "ml.p5.48xlarge",
        "ml.p5en.48xlarge",
    ],
)
def test_smddp_runs_on_each_instance_type_of_the_library(instance_type: str) -> None:
    train(Distribution.smdistributed_data_parallel(), instance_type=instance_type)


@pytest.mark.parametrize("instance_type", ["ml.p3.2xlarge", "ml.p3.8xlarge", "ml.p5.4xlarge"])
def test_fails_smddp_on_a_gpu_instance_type_the_library_does_not_list(instance_type: str) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        train(Distribution.smdistributed_data_parallel(), instance_type=instance_type)
    assert str(caught.value).endswith(f"(the SMDDP library's), got {instance_type}")


def test_smddp_takes_tensorflow_up_to_2_11_only() -> None:
    train(
        Distribution.smdistributed_data_parallel(),
        image=Image.tensorflow("2.11", processor="gpu"),
    )
    with pytest.raises(PipelineDefinitionError) as caught:
        train(
            Distribution.smdistributed_data_parallel(),
            image=Image.tensorflow("2.12", processor="gpu"),
        )
    assert str(caught.value) == (
        "TrainingStep 'Train': distribution smdistributed_data_parallel supports TensorFlow "
        "up to 2.11 (the SMDDP library dropped TensorFlow), got 2.12.0"
    )


@pytest.mark.parametrize("instance_type", ["ml.g5.12xlarge", "ml.p3.16xlarge", "ml.trn1.32xlarge"])
def test_torch_distributed_runs_on_gpu_and_trainium_instances(
    instance_type: str, ctx: RenderContext
) -> None:
    step = train(Distribution.torch_distributed(), instance_type=instance_type)
    assert step.to_request(ctx)["Arguments"]["HyperParameters"]["sagemaker_instance_type"] == (
        f'"{instance_type}"'
    )


@pytest.mark.parametrize("key", ["microbatches", "partitions", "active_microbatches"])
@pytest.mark.parametrize("value", [0, -1, True, 2.0, "4"])
def test_fails_model_parallel_counts_that_are_no_positive_integer(key: str, value: Any) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        Distribution.smdistributed_model_parallel({key: value})
    assert str(caught.value) == (
        f"Distribution.smdistributed_model_parallel: parameters['{key}'] must be a positive "
        f"integer, got {value!r} (the SDK's validate_mp_config)"
    )


@pytest.mark.parametrize(
    "key", ["auto_partition", "contiguous", "load_partition", "horovod", "ddp"]
)
def test_fails_model_parallel_switches_that_are_no_boolean(key: str) -> None:
    Distribution.smdistributed_model_parallel({key: False})
    with pytest.raises(PipelineDefinitionError) as caught:
        Distribution.smdistributed_model_parallel({key: 1})
    assert str(caught.value) == (
        f"Distribution.smdistributed_model_parallel: parameters['{key}'] must be True or "
        "False, got 1 (the SDK's validate_mp_config)"
    )


def test_fails_model_parallel_parameters_that_are_no_json() -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        Distribution.smdistributed_model_parallel({"pipeline": {"interleaved"}})
    assert str(caught.value).startswith(
        "Distribution.smdistributed_model_parallel: parameters must be JSON (the SDK writes "
        "them as the hyperparameter mp_parameters): Object of type set is not JSON serializable"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"strategy": "mpi", "launcher": "mpi"},
            "Distribution.mpi: launcher is for smdistributed_model_parallel",
        ),
        (
            {"strategy": "mpi", "parameters": {"partitions": 2}},
            "Distribution.mpi: parameters is not an option of this strategy; leave it out",
        ),
        (
            {"strategy": "parameter_server", "custom_mpi_options": "-verbose"},
            "Distribution.parameter_server: custom_mpi_options is not an option of this "
            "strategy; leave it out",
        ),
        (
            {"strategy": "smdistributed_data_parallel", "processes_per_host": 8},
            "Distribution.smdistributed_data_parallel: processes_per_host is not an option of "
            "this strategy; leave it out",
        ),
        (
            {"strategy": "smdistributed_model_parallel", "launcher": "torchrun"},
            "Distribution.smdistributed_model_parallel: launcher 'torchrun' is not one of",
        ),
    ],
    ids=["launcher", "parameters", "mpi-options", "processes", "unknown-launcher"],
)
def test_fails_an_option_of_another_strategy(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        Distribution(**fields)
    assert str(caught.value).startswith(message)


def test_fails_model_parallel_on_a_tensorflow_image() -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        train(
            Distribution.smdistributed_model_parallel({"partitions": 2}),
            image=Image.tensorflow("2.13", processor="gpu"),
        )
    assert str(caught.value) == (
        "TrainingStep 'Train': distribution smdistributed_model_parallel needs a PyTorch image "
        "(or a Hugging Face one on PyTorch): the tensorflow training toolkit has no launcher "
        "for it, got tensorflow 2.13.0"
    )


def test_torch_distributed_on_a_cluster_of_one_group_writes_no_group_nor_instance_type(
    ctx: RenderContext,
) -> None:
    # The SDK drops torch_distributed's group, and writes no instance type on a cluster.
    (gpu,) = (group for group in GROUPS if group.name == "gpu")
    step = train(Distribution.torch_distributed(), instance_type=None, instance_groups=[gpu])
    hyperparameters = step.to_request(ctx)["Arguments"]["HyperParameters"]
    assert {key: value for key, value in hyperparameters.items() if "sagemaker_" in key} == {
        "sagemaker_program": "train.py",
        "sagemaker_submit_directory": "/opt/ml/input/data/code/sourcedir.tar.gz",
        "sagemaker_torch_distributed_enabled": "true",
    }


def test_fails_parameter_server_on_a_cluster_of_one_group() -> None:
    (gpu,) = (group for group in GROUPS if group.name == "gpu")
    with pytest.raises(PipelineDefinitionError) as caught:
        train(
            Distribution.parameter_server(),
            image=Image.tensorflow("2.13", processor="gpu"),
            instance_type=None,
            instance_groups=[gpu],
        )
    assert str(caught.value).startswith(
        "TrainingStep 'Train': distribution parameter_server can't run on a heterogeneous "
        "cluster (the SDK refuses it"
    )


def test_a_group_name_known_at_deploy_time_is_not_judged(ctx: RenderContext) -> None:
    # A token may name any group: nothing is refused for it (the service checks at run time).
    token = "${Token[Groups.Gpu.12]}"
    step = train(
        Distribution.mpi(instance_groups=[token]), instance_type=None, instance_groups=GROUPS
    )
    hyperparameters = step.to_request(ctx)["Arguments"]["HyperParameters"]
    assert hyperparameters["sagemaker_distribution_instance_groups"] == f'["{token}"]'


def test_the_default_instance_type_is_the_one_written(ctx: RenderContext) -> None:
    # instance_type left out: the job runs on the default, and the hyperparameter says so.
    step = train(Distribution.smdistributed_model_parallel({"partitions": 2}), instance_type=None)
    hyperparameters = step.to_request(ctx)["Arguments"]["HyperParameters"]
    assert hyperparameters["sagemaker_instance_type"] == '"ml.m5.large"'


def test_fails_a_tuning_range_over_what_the_distribution_writes() -> None:
    # It would be written static too (the SDK drops the static one, the job gets both).
    tuned = {
        "epochs": IntegerParameter(min_value=1, max_value=3),
        "sagemaker_mpi_num_of_processes_per_host": IntegerParameter(min_value=1, max_value=8),
    }
    job: dict[str, Any] = {
        "image": PYTORCH,
        "code": CODE,
        "instance_type": "ml.p4d.24xlarge",
        "objective_metric_name": "loss",
        "metric_definitions": {"loss": "loss=([0-9.]+)"},
        "hyperparameter_ranges": tuned,
        "distribution": Distribution.mpi(processes_per_host=4),
    }
    message = (
        "hyperparameter_ranges tunes 'sagemaker_mpi_num_of_processes_per_host', which "
        "distribution= writes (how the script is launched); set it in the Distribution "
        "(e.g. Distribution.mpi(processes_per_host=…)) and leave it out of "
        "hyperparameter_ranges"
    )
    with pytest.raises(PipelineDefinitionError) as raised:
        TuningStep(name="Tune", **job)
    assert str(raised.value) == f"TuningStep 'Tune': {message}"
    # A definition of a tuning step of several is refused likewise, naming it.
    with pytest.raises(PipelineDefinitionError) as raised:
        TuningStep(name="Tune", training_job_definitions=[TrainingJobDefinition(name="mpi", **job)])
    assert str(raised.value) == (f"TuningStep 'Tune', training job definition 'mpi': {message}")
    # Without a distribution, tuning a name of that kind is the user's business.
    del job["distribution"]
    TuningStep(name="Tune", **job)
