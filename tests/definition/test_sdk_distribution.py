"""``distribution=Distribution.…()`` writes what the SageMaker SDK v2 writes for ``distribution=``.

``sdk_distribution/sdk-distribution.json`` holds sagemaker 2.257.7's definitions (see its
README and ``generate_sdk_distribution.py``). For each SDK step, the language builds the same
job and must write the same distribution hyperparameters, byte for byte (the SDK's JSON
encoding), and the same other hyperparameters once decoded as the training toolkit decodes
them (``json.loads``, else the text). Deliberate differences, documented in
docs/sdk-comparison.md: the SDK's ``sagemaker_container_log_level``, ``sagemaker_region``,
the TensorFlow ``model_dir`` and the tuner's ``sagemaker_estimator_*``/``sagemaker_job_name``
are not written; ``sagemaker_submit_directory`` names the code channel, not S3; and the
SDK's torch_distributed on a heterogeneous cluster of two groups (it drops the group) is
refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    Distribution,
    Image,
    InstanceGroup,
    IntegerParameter,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    StaticBinder,
    TrainingInput,
    TrainingStep,
    TuningStep,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._distribution_names import DISTRIBUTION_HYPERPARAMETERS
from tests.conftest import ROLE

DATA = json.loads(
    (Path(__file__).parent / "sdk_distribution" / "sdk-distribution.json").read_text()
)
CODE = Code.from_s3("s3://my-bucket/code/sourcedir.tar.gz", entry_point="train.py")
P4D, P3 = "ml.p4d.24xlarge", "ml.p3.16xlarge"
PYTORCH = Image.pytorch("2.1.0", processor="gpu", py_version="py310")
PYTORCH_1_13 = Image.pytorch("1.13.1", processor="gpu", py_version="py39")
TENSORFLOW = Image.tensorflow("2.13", processor="gpu", py_version="py310")
TENSORFLOW_CPU = Image.tensorflow("2.13", processor="cpu", py_version="py310")
TENSORFLOW_2_11 = Image.tensorflow("2.11.0", processor="gpu", py_version="py39")
HUGGING_FACE = Image.huggingface("4.36.0", pytorch_version="2.1.0", py_version="py310")
SMP_IMAGE = Image.from_uri(
    "658645717510.dkr.ecr.us-east-1.amazonaws.com/smdistributed-modelparallel:2.2.0-gpu-py310-cu121"
)
INSTANCE_TYPE = ParameterString(name="TrainInstanceType", default_value="ml.g5.12xlarge")
GROUPS = [
    InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=2),
    InstanceGroup(name="gpu", instance_type=P4D, instance_count=1),
]
# What the SDK writes that the language doesn't (the module docstring says why).
SDK_ONLY = {
    "sagemaker_container_log_level",
    "sagemaker_region",
    "sagemaker_submit_directory",
    "model_dir",
    "sagemaker_estimator_class_name",
    "sagemaker_estimator_module",
    "sagemaker_job_name",
}
INPUTS = {"train": TrainingInput(s3_data="s3://my-bucket/train")}


def step(name: str, image: Any, distribution: Distribution, **job: Any) -> TrainingStep:
    return TrainingStep(
        name=name, image=image, code=CODE, inputs=INPUTS, distribution=distribution, **job
    )


def job(instance_type: Any = P4D, count: int = 2) -> dict[str, Any]:
    return {"instance_type": instance_type, "instance_count": count}


# SDK step name -> the language's step.
CASES: dict[str, Callable[[], TrainingStep | TuningStep]] = {
    "TorchDistributed": lambda: step(
        "TorchDistributed", PYTORCH, Distribution.torch_distributed(), **job()
    ),
    "TorchDistributedParameter": lambda: step(
        "TorchDistributedParameter",
        Image.from_uri(
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310"
        ),
        Distribution.torch_distributed(),
        **job(INSTANCE_TYPE, 1),
    ),
    "Mpi": lambda: step(
        "Mpi",
        PYTORCH,
        Distribution.mpi(processes_per_host=8, custom_mpi_options="-verbose -x NCCL_DEBUG=INFO"),
        **job(),
    ),
    "MpiDefaults": lambda: step("MpiDefaults", PYTORCH, Distribution.mpi(), **job()),
    "DataParallel": lambda: step(
        "DataParallel", PYTORCH, Distribution.smdistributed_data_parallel(), **job()
    ),
    "DataParallelMpiOptions": lambda: step(
        "DataParallelMpiOptions",
        PYTORCH,
        Distribution.smdistributed_data_parallel(custom_mpi_options="-verbose"),
        **job(P3),
    ),
    "ModelParallelMpi": lambda: step(
        "ModelParallelMpi",
        PYTORCH_1_13,
        Distribution.smdistributed_model_parallel(
            {"partitions": 2, "microbatches": 4, "ddp": True}, launcher="mpi", processes_per_host=8
        ),
        **job(P4D, 1),
    ),
    "ModelParallelTorchDistributed": lambda: step(
        "ModelParallelTorchDistributed",
        SMP_IMAGE,
        Distribution.smdistributed_model_parallel({"tensor_parallel_degree": 4}),
        **job(),
    ),
    "TuneTorchDistributed": lambda: TuningStep(
        name="TuneTorchDistributed",
        image=PYTORCH,
        code=CODE,
        inputs=INPUTS,
        **job(),
        objective_metric_name="val:loss",
        objective_type="Minimize",
        metric_definitions={"val:loss": "loss=([0-9.]+)"},
        hyperparameter_ranges={"epochs": IntegerParameter(min_value=1, max_value=4)},
        max_jobs=2,
        distribution=Distribution.torch_distributed(),
    ),
    "TfParameterServer": lambda: step(
        "TfParameterServer",
        TENSORFLOW_CPU,
        Distribution.parameter_server(),
        **job("ml.c5.xlarge"),
    ),
    "TfMultiWorkerMirrored": lambda: step(
        "TfMultiWorkerMirrored",
        TENSORFLOW,
        Distribution.multi_worker_mirrored_strategy(),
        **job("ml.p3.8xlarge"),
    ),
    "TfMpi": lambda: step("TfMpi", TENSORFLOW, Distribution.mpi(processes_per_host=8), **job(P3)),
    "TfDataParallel": lambda: step(
        "TfDataParallel", TENSORFLOW_2_11, Distribution.smdistributed_data_parallel(), **job(P3)
    ),
    "HfTorchDistributed": lambda: step(
        "HfTorchDistributed", HUGGING_FACE, Distribution.torch_distributed(), **job()
    ),
    "HfDataParallel": lambda: step(
        "HfDataParallel", HUGGING_FACE, Distribution.smdistributed_data_parallel(), **job()
    ),
    "HfMpi": lambda: step("HfMpi", HUGGING_FACE, Distribution.mpi(processes_per_host=8), **job()),
    "HeteroDataParallel": lambda: step(
        "HeteroDataParallel",
        PYTORCH,
        Distribution.smdistributed_data_parallel(instance_groups=["gpu"]),
        instance_groups=GROUPS,
    ),
    "HeteroMpi": lambda: step(
        "HeteroMpi",
        PYTORCH,
        Distribution.mpi(processes_per_host=8, instance_groups=["gpu"]),
        instance_groups=GROUPS,
    ),
    "OneGroupMpi": lambda: step(
        "OneGroupMpi", PYTORCH, Distribution.mpi(), instance_groups=GROUPS[1:]
    ),
}


def sdk_steps() -> dict[str, dict[str, Any]]:
    return {
        entry["Name"]: entry
        for definition in DATA["definitions"].values()
        for entry in definition["Steps"]
    }


def job_of(entry: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = entry["Arguments"]
    job: dict[str, Any] = arguments.get("TrainingJobDefinition", arguments)
    return job


def hyperparameters_of(entry: dict[str, Any]) -> dict[str, Any]:
    job = job_of(entry)
    member = "HyperParameters" if "HyperParameters" in job else "StaticHyperParameters"
    found: dict[str, Any] = job[member]
    return found


def decoded(values: dict[str, Any]) -> dict[str, Any]:
    """Hyperparameters as the training toolkit reads them: JSON when it parses, else text."""
    result: dict[str, Any] = {}
    for key, value in values.items():
        if key in SDK_ONLY:
            continue
        try:
            result[key] = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            result[key] = value
    return result


def compiled(language_step: TrainingStep | TuningStep) -> dict[str, Any]:
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(
        parameters=[INSTANCE_TYPE], steps=[language_step]
    ).to_definition(binder)
    [entry] = (json.loads(definition) if isinstance(definition, str) else definition)["Steps"]
    result: dict[str, Any] = entry
    return result


def test_every_sdk_step_has_a_case() -> None:
    assert DATA["sdk"] == "sagemaker 2.257.7"
    assert set(sdk_steps()) == {*CASES, "HeteroTorchDistributed"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_distribution_writes_the_sdks_hyperparameters(name: str) -> None:
    sdk = sdk_steps()[name]
    ours = compiled(CASES[name]())
    sdk_values, our_values = hyperparameters_of(sdk), hyperparameters_of(ours)

    written = [key for key in sdk_values if key in DISTRIBUTION_HYPERPARAMETERS]
    assert written  # each case writes some
    # Byte for byte: the SDK's JSON encoding, expressions as it writes them.
    assert {key: our_values.get(key) for key in written} == {
        key: sdk_values[key] for key in written
    }
    # And nothing else differs once decoded (program, user hyperparameters).
    assert decoded(our_values) == decoded(sdk_values)
    assert job_of(ours).get("Environment") == job_of(sdk).get("Environment")
    # The SDK keeps the alias "2.13" in the tag; the language resolves it to 2.13.0, the
    # same image (tests/definition/test_framework_images_sdk.py, ALIASES).
    our_image = job_of(ours)["AlgorithmSpecification"]["TrainingImage"]
    assert (
        our_image.replace(":2.13.0-", ":2.13-")
        == (job_of(sdk)["AlgorithmSpecification"]["TrainingImage"])
    )
    resources = (
        "ResourceConfig"
        if "ResourceConfig" in job_of(sdk)
        else ("HyperParameterTuningResourceConfig")
    )
    for member in ("InstanceType", "InstanceCount", "InstanceGroups"):
        assert job_of(ours)[resources].get(member) == job_of(sdk)[resources].get(member)


def test_the_sdks_definitions_validate_but_torch_distributed_on_two_groups() -> None:
    # The SDK writes torch_distributed on a heterogeneous cluster without the group it runs
    # in (it drops distribution["instance_groups"]): the validator names the gap, as the
    # language refuses the step (test_fails_torch_distributed_on_a_heterogeneous_cluster).
    for family, definition in DATA["definitions"].items():
        problems = validate_definition(definition)
        if family != "heterogeneous":
            assert problems == [], family
            continue
        assert [(problem.step, problem.field) for problem in problems] == [
            (
                "HeteroTorchDistributed",
                "Arguments.HyperParameters['sagemaker_torch_distributed_enabled']",
            )
        ]


def test_fails_torch_distributed_on_a_heterogeneous_cluster() -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        step("HeteroTorch", PYTORCH, Distribution.torch_distributed(), instance_groups=GROUPS)
    assert str(caught.value) == (
        "TrainingStep 'HeteroTorch': distribution torch_distributed can't run on a "
        "heterogeneous cluster (the SDK writes no group for torch_distributed, and the "
        "toolkit would launch it in every group); use Distribution.mpi, "
        "smdistributed_data_parallel or smdistributed_model_parallel(launcher='mpi') with "
        "instance_groups=['<group>'], or one instance type"
    )


# The SDK's refusals (``errors`` of the data file) -> the language's step and message.
REFUSALS: dict[str, tuple[Callable[[], object], str]] = {
    "torch_distributed-cpu": (
        lambda: step("T", PYTORCH, Distribution.torch_distributed(), **job("ml.c5.xlarge")),
        "TrainingStep 'T': distribution torch_distributed runs on GPU (ml.p*, ml.g*) or "
        "Trainium (ml.trn*) instances, got ml.c5.xlarge",
    ),
    "dataparallel-tensorflow-2.13": (
        lambda: step("T", TENSORFLOW, Distribution.smdistributed_data_parallel(), **job(P3)),
        "TrainingStep 'T': distribution smdistributed_data_parallel supports TensorFlow up "
        "to 2.11 (the SMDDP library dropped TensorFlow), got 2.13",
    ),
    "mpi-trainium": (
        lambda: step("T", PYTORCH, Distribution.mpi(), **job("ml.trn1.32xlarge")),
        "TrainingStep 'T': distribution mpi doesn't run on Trainium (ml.trn1.32xlarge): use "
        "Distribution.torch_distributed() there",
    ),
    "groups-two-names": (
        lambda: Distribution.mpi(instance_groups=["data", "gpu"]),
        "Distribution.mpi: instance_groups names the one group distributed training runs in, got 2",
    ),
    "groups-none-named": (
        lambda: step("T", PYTORCH, Distribution.mpi(), instance_groups=GROUPS),
        "TrainingStep 'T': distribution mpi runs in one group of the heterogeneous cluster "
        "('data', 'gpu'); name it: instance_groups=['<group>'] (the SDK: \"Distribution "
        'should only contain one instance group name")',
    ),
    "groups-parameter_server": (
        lambda: step("T", TENSORFLOW, Distribution.parameter_server(), instance_groups=GROUPS),
        "TrainingStep 'T': distribution parameter_server can't run on a heterogeneous "
        "cluster (the SDK refuses it",
    ),
    "groups-without-estimator-groups": (
        lambda: step("T", PYTORCH, Distribution.mpi(instance_groups=["gpu"]), **job()),
        "TrainingStep 'T': distribution mpi: instance_groups names 'gpu', but the step "
        "runs on one instance type, not a heterogeneous cluster; give the step "
        "instance_groups=[InstanceGroup(…), …]",
    ),
    "modelparallel-bad-partitions": (
        lambda: Distribution.smdistributed_model_parallel({"partitions": 0}, launcher="mpi"),
        "Distribution.smdistributed_model_parallel: parameters['partitions'] must be a "
        "positive integer, got 0",
    ),
    "multi_worker_mirrored-tensorflow-2.8": (
        lambda: Image.tensorflow("2.8", processor="gpu"),
        "tensorflow training image version '2.8' is unknown",
    ),
    "torch_distributed-pytorch-1.12": (
        lambda: Image.pytorch("1.12.1", processor="gpu"),
        "pytorch training image version '1.12.1' is unknown",
    ),
}


def test_every_sdk_refusal_has_a_case() -> None:
    # The SDK's refusal of a parameter instance type with torch_distributed is not copied:
    # the instance type is known at run time, and the SDK accepts it with image_uri= too.
    assert set(DATA["errors"]) == {*REFUSALS, "torch_distributed-parameter-instance-type"}
    assert all(DATA["errors"].values())


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_fails_what_the_sdk_refuses(case: str) -> None:
    make, message = REFUSALS[case]
    with pytest.raises(PipelineDefinitionError) as caught:
        make()
    assert str(caught.value).startswith(message)
