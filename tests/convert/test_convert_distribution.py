"""``smpipe convert`` writes ``distribution=Distribution.…()`` for distribution hyperparameters.

A job's distribution hyperparameters become ``distribution=`` when one ``Distribution``'s
own rendering gives exactly them; otherwise they stay as hyperparameters. Every definition
of ``tests/definition/sdk_distribution/sdk-distribution.json`` (sagemaker 2.257.7) round-trips
with the factory call asserted per step, and so do the language's own steps of
``tests/definition/test_sdk_distribution.py``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import ConversionError, convert_definition
from cdk_sagemaker_pipelines.convert import _convert as convert_module
from cdk_sagemaker_pipelines.convert._distribution import DistributionCall
from cdk_sagemaker_pipelines.definition import (
    Code,
    Distribution,
    InstanceGroup,
    IntegerParameter,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    StaticBinder,
    TrainingJobDefinition,
    TrainingStep,
    TuningStep,
)
from cdk_sagemaker_pipelines.definition._distribution_names import DISTRIBUTION_HYPERPARAMETERS
from tests.conftest import ROLE
from tests.convert.test_convert import _step_source, assert_round_trips
from tests.definition.test_sdk_distribution import CASES, INSTANCE_TYPE

SDK_DISTRIBUTION = (
    Path(__file__).resolve().parent.parent
    / "definition"
    / "sdk_distribution"
    / "sdk-distribution.json"
)
# The SDK's torch_distributed on two groups names none: the validator refuses it
# (tests/definition/test_sdk_distribution.py), so it is round-tripped without that step.
INVALID_STEP = "HeteroTorchDistributed"
# SDK step -> the distribution= convert writes for it.
EXPECTED = {
    "HeteroDataParallel": 'Distribution.smdistributed_data_parallel(instance_groups=["gpu"])',
    "HeteroMpi": 'Distribution.mpi(processes_per_host=8, instance_groups=["gpu"])',
    "OneGroupMpi": "Distribution.mpi()",  # one group: named for you, as the SDK does
    "HfTorchDistributed": "Distribution.torch_distributed()",
    "HfDataParallel": "Distribution.smdistributed_data_parallel()",
    "HfMpi": "Distribution.mpi(processes_per_host=8)",
    "TorchDistributed": "Distribution.torch_distributed()",
    # The SDK writes the instance-type parameter's Get as sagemaker_instance_type, as the
    # language does for instance_type=parameter.
    "TorchDistributedParameter": "Distribution.torch_distributed()",
    "Mpi": (
        'Distribution.mpi(processes_per_host=8, custom_mpi_options="-verbose -x NCCL_DEBUG=INFO")'
    ),
    "MpiDefaults": "Distribution.mpi()",
    "DataParallel": "Distribution.smdistributed_data_parallel()",
    "DataParallelMpiOptions": (
        'Distribution.smdistributed_data_parallel(custom_mpi_options="-verbose")'
    ),
    "ModelParallelMpi": (
        'Distribution.smdistributed_model_parallel({"partitions": 2, "microbatches": 4, '
        '"ddp": True}, launcher="mpi", processes_per_host=8)'
    ),
    "ModelParallelTorchDistributed": (
        'Distribution.smdistributed_model_parallel({"tensor_parallel_degree": 4})'
    ),
    "TuneTorchDistributed": "Distribution.torch_distributed()",  # static hyperparameters
    "TfParameterServer": "Distribution.parameter_server()",
    "TfMultiWorkerMirrored": "Distribution.multi_worker_mirrored_strategy()",
    "TfMpi": "Distribution.mpi(processes_per_host=8)",
    "TfDataParallel": "Distribution.smdistributed_data_parallel()",
}


def sdk_definitions() -> dict[str, dict[str, Any]]:
    """The SDK's definitions, each as convert takes it (the invalid step left out)."""
    data = json.loads(SDK_DISTRIBUTION.read_text())
    result: dict[str, dict[str, Any]] = {}
    for family, definition in data["definitions"].items():
        definition = copy.deepcopy(definition)
        definition["Steps"] = [s for s in definition["Steps"] if s["Name"] != INVALID_STEP]
        result[family] = definition
    return result


def distributions(source: str) -> dict[str, str]:
    """Step name -> the ``distribution=`` the converted source writes, on one line."""
    found: dict[str, str] = {}
    for chunk in source.split("\n\n"):
        name = re.search(r'^\s+name="([^"]+)"', chunk, re.MULTILINE)
        call = re.search(r"\n    distribution=(.*?),\n    [a-z_]+=", chunk, re.DOTALL)
        if name is not None and call is not None:
            flat = re.sub(r"\s*\n\s*", " ", call.group(1))
            found[name.group(1)] = flat.replace("( ", "(").replace(", )", ")")
    return found


def distribution_keys_in(source: str) -> list[str]:
    return [key for key in DISTRIBUTION_HYPERPARAMETERS if f'"{key}"' in source]


def test_every_sdk_distribution_step_has_an_expectation() -> None:
    names = {step["Name"] for d in sdk_definitions().values() for step in d["Steps"]}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("family", sorted(sdk_definitions()))
def test_sdk_distribution_definitions_round_trip_with_distribution(family: str) -> None:
    definition = sdk_definitions()[family]
    source = assert_round_trips(definition)
    steps = {step["Name"] for step in definition["Steps"]}
    assert distributions(source) == {name: EXPECTED[name] for name in steps}
    # Every distribution hyperparameter is written by distribution=, none stays.
    assert distribution_keys_in(source) == []
    # The SDK's others stay as they are.
    assert source.count('"sagemaker_program": \'"train.py"\'') == len(steps)


def test_the_sdk_s_torch_distributed_on_two_groups_is_refused_as_invalid() -> None:
    definition = json.loads(SDK_DISTRIBUTION.read_text())["definitions"]["heterogeneous"]
    with pytest.raises(ConversionError) as raised:
        convert_definition(definition)
    assert [(p.step, p.field) for p in raised.value.problems] == [
        (INVALID_STEP, "Arguments.HyperParameters['sagemaker_torch_distributed_enabled']")
    ]


def test_the_language_s_distribution_steps_convert_back_to_the_same_distribution() -> None:
    # The language's own steps (code= as the language stages it, Image objects compiled to
    # URIs): each converted step holds an equal Distribution.
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    steps = [make() for make in CASES.values()]
    definition = PipelineDefinition(parameters=[INSTANCE_TYPE], steps=steps).to_definition(binder)
    source = assert_round_trips(definition)
    assert "code=Code.from_s3(" in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "converted.py", "exec"), namespace)
    converted = {step.name: step for step in namespace["definition"].steps}
    for step in steps:
        assert step.distribution is not None
        assert converted[step.name].distribution == step.distribution, step.name
    assert distribution_keys_in(source) == []


def _parameters_definition() -> PipelineDefinition:
    instance_type = ParameterString(name="InstanceType", default_value="ml.p4d.24xlarge")
    processes = ParameterInteger(name="ProcessesPerHost", default_value=8)
    options = ParameterString(name="MpiOptions", default_value="-verbose")
    code = Code.from_s3("s3://b/code/source.tar.gz", entry_point="train.py")
    common: dict[str, Any] = {
        "image": "123.dkr.ecr.us-east-1.amazonaws.com/t:1",
        "role": ROLE,
        "output_path": "s3://b/out",
    }
    steps = [
        TrainingStep(
            name="Torch",
            code=code,
            instance_type=instance_type,
            instance_count=2,
            hyperparameters={"epochs": 3},
            distribution=Distribution.torch_distributed(),
            **common,
        ),
        TrainingStep(
            name="Mpi",
            instance_type=instance_type,
            distribution=Distribution.mpi(processes_per_host=processes, custom_mpi_options=options),
            **common,
        ),
        TrainingStep(
            name="ModelParallel",
            instance_type=instance_type,
            distribution=Distribution.smdistributed_model_parallel(
                {"partitions": 2, "Get": "not an expression"},
                launcher="mpi",
                processes_per_host=processes,
            ),
            **common,
        ),
        TrainingStep(
            name="DataParallel",
            instance_groups=[
                InstanceGroup(name="cpu", instance_type="ml.c5.xlarge", instance_count=1),
                InstanceGroup(name="gpu", instance_type=instance_type, instance_count=2),
            ],
            distribution=Distribution.smdistributed_data_parallel(
                custom_mpi_options=options, instance_groups=["gpu"]
            ),
            **common,
        ),
        TuningStep(
            name="Tune",
            instance_type=instance_type,
            instance_count=2,
            objective_metric_name="loss",
            hyperparameter_ranges={"epochs": IntegerParameter(min_value=1, max_value=3)},
            static_hyperparameters={"batch": 64},
            distribution=Distribution.mpi(processes_per_host=processes),
            **common,
        ),
    ]
    return PipelineDefinition(parameters=[instance_type, processes, options], steps=steps)


def test_values_given_as_parameters_are_written_as_the_parameters() -> None:
    definition = _parameters_definition().to_definition(StaticBinder())
    source = assert_round_trips(definition)
    assert distributions(source) == {
        "Torch": "Distribution.torch_distributed()",
        "Mpi": (
            "Distribution.mpi(processes_per_host=processes_per_host, "
            "custom_mpi_options=mpi_options)"
        ),
        # A JSON member named "Get" stays text: parameters are plain JSON.
        "ModelParallel": (
            'Distribution.smdistributed_model_parallel({"partitions": 2, "Get": "not an '
            'expression"}, launcher="mpi", processes_per_host=processes_per_host)'
        ),
        "DataParallel": (
            "Distribution.smdistributed_data_parallel(custom_mpi_options=mpi_options, "
            'instance_groups=["gpu"])'
        ),
        "Tune": "Distribution.mpi(processes_per_host=processes_per_host)",
    }
    assert distribution_keys_in(source) == []
    assert 'static_hyperparameters={"batch": "64"}' in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "converted.py", "exec"), namespace)
    converted = {step.name: step for step in namespace["definition"].steps}
    assert converted["Torch"].code is not None
    assert converted["Mpi"].distribution.processes_per_host is namespace["processes_per_host"]


def test_a_tuning_step_s_several_definitions_each_get_their_distribution() -> None:
    common: dict[str, Any] = {
        "image": "123.dkr.ecr.us-east-1.amazonaws.com/t:1",
        "role": ROLE,
        "objective_metric_name": "loss",
        "hyperparameter_ranges": {"epochs": IntegerParameter(min_value=1, max_value=3)},
        "instance_type": "ml.p4d.24xlarge",
        "instance_count": 2,
        "output_path": "s3://b/out",
    }
    tuning = TuningStep(
        name="Tune",
        training_job_definitions=[
            TrainingJobDefinition(
                name="torch", distribution=Distribution.torch_distributed(), **common
            ),
            TrainingJobDefinition(name="plain", static_hyperparameters={"batch": 64}, **common),
            TrainingJobDefinition(
                name="mpi",
                distribution=Distribution.mpi(processes_per_host=4, custom_mpi_options="-v"),
                **common,
            ),
        ],
        max_jobs=3,
    )
    definition = PipelineDefinition(steps=[tuning]).to_definition(StaticBinder())
    source = assert_round_trips(definition)
    step = _step_source(source, "tune")
    flat = re.sub(r"\s*\n\s*", " ", step).replace("( ", "(").replace(", )", ")")
    calls = re.findall(r"distribution=(Distribution\.\w+\([^()]*\))", flat)
    assert calls == [
        "Distribution.torch_distributed()",
        'Distribution.mpi(processes_per_host=4, custom_mpi_options="-v")',
    ]
    assert distribution_keys_in(source) == []
    assert "extra_arguments" not in step


def _training(hyperparameters: dict[str, Any], **resources: Any) -> dict[str, Any]:
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {
                        "TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/t:1",
                        "TrainingInputMode": "File",
                    },
                    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
                    "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
                    "ResourceConfig": {
                        "VolumeSizeInGB": 30,
                        **(resources or {"InstanceCount": 2, "InstanceType": "ml.p4d.24xlarge"}),
                    },
                    "RoleArn": ROLE,
                    "HyperParameters": hyperparameters,
                    "ProfilerConfig": {"DisableProfiler": True},
                },
            }
        ],
    }


@pytest.mark.parametrize(
    "hyperparameters",
    [
        # MPI without the options member the SDK always writes.
        {"sagemaker_mpi_enabled": "true"},
        # torch_distributed naming another instance type than the job's.
        {
            "sagemaker_torch_distributed_enabled": "true",
            "sagemaker_instance_type": '"ml.g5.12xlarge"',
        },
        # Processes per host of zero: no Distribution takes it.
        {
            "sagemaker_mpi_enabled": "true",
            "sagemaker_mpi_num_of_processes_per_host": "0",
            "sagemaker_mpi_custom_mpi_options": '""',
        },
        # Not JSON text.
        {"sagemaker_mpi_enabled": "true", "sagemaker_mpi_custom_mpi_options": "-verbose"},
        # SMDDP on an instance type the SMDDP library doesn't run on (the language refuses).
        {
            "sagemaker_distributed_dataparallel_enabled": "true",
            "sagemaker_instance_type": '"ml.g5.12xlarge"',
            "sagemaker_distributed_dataparallel_custom_mpi_options": '""',
        },
        # A switch beside another strategy's.
        {"sagemaker_parameter_server_enabled": "true", "sagemaker_mpi_enabled": "true"},
    ],
)
def test_hyperparameters_no_distribution_writes_stay_hyperparameters(
    hyperparameters: dict[str, Any],
) -> None:
    resources = {}
    if "ml.g5.12xlarge" in json.dumps(hyperparameters) and "dataparallel" in str(hyperparameters):
        resources = {"InstanceCount": 2, "InstanceType": "ml.g5.12xlarge"}
    source = assert_round_trips(_training({"epochs": "3", **hyperparameters}, **resources))
    assert "distribution=" not in source
    assert "Distribution" not in source
    assert "extra_arguments" not in source
    for key in hyperparameters:
        assert f'"{key}"' in _step_source(source, "train")


def test_a_distribution_whose_rendering_differs_is_left_out_its_members_hyperparameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Should a candidate render otherwise than the input, the module's proof drops
    # distribution=, and its members stay in hyperparameters= (not extra_arguments too).
    wrong = DistributionCall("mpi", (("processes_per_host", 4),))
    monkeypatch.setattr(convert_module, "read_distribution", lambda *a, **k: wrong)
    hyperparameters = {
        "epochs": "3",
        "sagemaker_mpi_enabled": "true",
        "sagemaker_mpi_num_of_processes_per_host": "8",
        "sagemaker_mpi_custom_mpi_options": '""',
    }
    source = assert_round_trips(_training(hyperparameters))
    assert "distribution=" not in source
    assert "extra_arguments" not in source
    step = _step_source(source, "train")
    assert '"sagemaker_mpi_num_of_processes_per_host": "8"' in step


def test_torch_distributed_of_a_program_that_is_no_python_stays_hyperparameters() -> None:
    # torchrun runs *.py programs only: distribution= is refused with code= of run.sh, so
    # the switch stays a hyperparameter beside code=.
    step = TrainingStep(
        name="Train",
        image="123.dkr.ecr.us-east-1.amazonaws.com/t:1",
        code=Code.from_s3("s3://b/code/source.tar.gz", entry_point="run.sh"),
        role=ROLE,
        output_path="s3://b/out",
        instance_type="ml.p4d.24xlarge",
        instance_count=2,
        hyperparameters={
            "sagemaker_torch_distributed_enabled": "true",
            "sagemaker_instance_type": '"ml.p4d.24xlarge"',
        },
    )
    definition = PipelineDefinition(steps=[step]).to_definition(StaticBinder())

    source = assert_round_trips(definition)

    assert "code=Code.from_s3(" in source
    assert "distribution=" not in source
    assert '"sagemaker_torch_distributed_enabled": "true"' in _step_source(source, "train")


@pytest.mark.parametrize("distributed", [False, True])
def test_instance_groups_named_by_a_parameter_round_trip(distributed: bool) -> None:
    # A group name that is a parameter is no dictionary key: the distribution (which
    # names groups) is not read from it, its members stay hyperparameters, and the
    # conversion neither crashes nor loses them.
    hyperparameters = {"epochs": "3"}
    if distributed:
        hyperparameters |= {
            "sagemaker_distribution_instance_groups": '["gpu"]',
            "sagemaker_distributed_dataparallel_enabled": "true",
            "sagemaker_instance_type": "null",
            "sagemaker_distributed_dataparallel_custom_mpi_options": '""',
        }
    groups = [
        {"InstanceGroupName": "data", "InstanceType": "ml.c5.xlarge", "InstanceCount": 2},
        {
            "InstanceGroupName": {"Get": "Parameters.GpuGroup"},
            "InstanceType": "ml.p4d.24xlarge",
            "InstanceCount": 1,
        },
    ]
    definition = _training(hyperparameters, InstanceGroups=groups)
    definition["Parameters"] = [{"Name": "GpuGroup", "Type": "String", "DefaultValue": "gpu"}]
    source = assert_round_trips(definition)
    assert "distribution=" not in source
    assert '"sagemaker_distributed_dataparallel_enabled"' in source or not distributed
