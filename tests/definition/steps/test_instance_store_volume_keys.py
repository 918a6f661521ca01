"""A job on instances whose ML storage is their NVMe instance store takes no volume key.

CreateTrainingJob's ``ResourceConfig.VolumeKmsKeyId`` (and CreateProcessingJob's,
CreateTransformJob's): "You can't request a VolumeKmsKeyId when using an instance type with
local storage". The binder's key (the CDK Pipeline's artifact key) is left out for them, as
the SageMaker SDK leaves out its configured key. A key the step gives itself is written as
given (the SDK writes an estimator's ``volume_kms_key`` whatever the instance type).
"""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Image,
    InstanceGroup,
    ParameterString,
    PipelineDefinition,
    ProcessingStep,
    StaticBinder,
    TrainingStep,
    TransformStep,
)
from cdk_sagemaker_pipelines.definition.instances import (
    EBS_FAMILIES,
    INSTANCE_STORE_FAMILIES,
    has_instance_store,
    instance_family,
    instance_types,
)
from cdk_sagemaker_pipelines.definition.jobs import JobDefaults
from tests.conftest import ROLE

KEY = "arn:aws:kms:us-east-1:111122223333:key/volumes"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1"


class KeyBinder(StaticBinder):
    """A binder with a volume key, as the CDK Pipeline gives its artifact key."""

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return JobDefaults(volume_kms_key=KEY)


BINDER = KeyBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")


def train(**fields: Any) -> TrainingStep:
    return TrainingStep(name="Train", image=IMAGE, **fields)


def volume_key_of(step: Any, resources: str, parameters: Any = ()) -> Any:
    compiled = PipelineDefinition(parameters=list(parameters), steps=[step]).to_definition(BINDER)
    config = compiled["Steps"][0]["Arguments"]
    for part in resources.split("."):
        config = config[part]
    return config.get("VolumeKmsKeyId")


@pytest.mark.parametrize(
    ("step", "resources"),
    [
        (train(instance_type="ml.p4d.24xlarge", instance_count=2), "ResourceConfig"),
        (
            ProcessingStep(name="Prep", image=IMAGE, instance_type="ml.g5.xlarge"),
            "ProcessingResources.ClusterConfig",
        ),
        (
            TransformStep(
                name="Score",
                model_name="m",
                input_data="s3://b/in/",
                instance_type="ml.g5.2xlarge",
            ),
            "TransformResources",
        ),
        (
            train(
                instance_groups=[
                    InstanceGroup(name="gpu", instance_type="ml.p4d.24xlarge", instance_count=1),
                    InstanceGroup(name="data", instance_type="ml.c5.xlarge", instance_count=1),
                ]
            ),
            "ResourceConfig",
        ),
    ],
)
def test_the_binders_volume_key_is_left_out_for_nvme_instance_stores(
    step: Any, resources: str
) -> None:
    # Was: the Pipeline construct's artifact key on a p4d training job, which SageMaker
    # refuses when the (costly) job starts.
    assert volume_key_of(step, resources) is None


def test_the_binders_volume_key_encrypts_ebs_volumes_and_types_known_later() -> None:
    assert volume_key_of(train(instance_type="ml.m5.xlarge"), "ResourceConfig") == KEY
    cpu = ParameterString(name="CpuType", default_value="ml.m5.xlarge")
    assert volume_key_of(train(instance_type=cpu), "ResourceConfig", [cpu]) == KEY
    unknown = ParameterString(name="AnyType")
    assert volume_key_of(train(instance_type=unknown), "ResourceConfig", [unknown]) == KEY


def test_a_parameter_whose_default_is_an_nvme_type_gets_no_key() -> None:
    # Was: the key, so the run on the defaults failed at CreateTrainingJob ("You can't
    # request a VolumeKmsKeyId when using an instance type with local storage").
    # SMP-JobVolumeEncryption reports it: an override with an EBS type runs without one.
    gpu = ParameterString(name="GpuType", default_value="ml.p4d.24xlarge")
    assert volume_key_of(train(instance_type=gpu), "ResourceConfig", [gpu]) is None
    group = InstanceGroup(name="gpu", instance_type=gpu, instance_count=1)
    assert volume_key_of(train(instance_groups=[group]), "ResourceConfig", [gpu]) is None


def test_a_volume_key_the_step_gives_is_written_as_given() -> None:
    for kind in ("ml.p3.16xlarge", "ml.p4d.24xlarge"):
        step = train(instance_type=kind, volume_kms_key=KEY)
        assert volume_key_of(step, "ResourceConfig") == KEY


def test_a_p4d_training_jobs_resources_hold_no_volume_key() -> None:
    # A framework GPU image on a p4d: only the key is left out.
    step = TrainingStep(
        name="Train",
        image=Image.pytorch("2.1", processor="gpu", py_version="py310"),
        instance_type="ml.p4d.24xlarge",
    )
    compiled = PipelineDefinition(steps=[step]).to_definition(BINDER)
    resources = compiled["Steps"][0]["Arguments"]["ResourceConfig"]
    assert resources == {
        "InstanceCount": 1,
        "InstanceType": "ml.p4d.24xlarge",
        "VolumeSizeInGB": 30,
    }


@pytest.mark.parametrize(
    "instance_type",
    # Families with a "d" (disk) hold their storage on NVMe: the SageMaker SDK's
    # volume_size_supported() leaves its volume key out for every one of them.
    ["ml.c6gd.xlarge", "ml.m6gd.large", "ml.r6gd.2xlarge", "ml.r7gd.xlarge", "ml.dl1.24xlarge"],
)
def test_every_endpoint_family_with_an_nvme_store_is_known(instance_type: str) -> None:
    assert instance_type in instance_types("endpoint")
    assert has_instance_store(instance_type)


@pytest.mark.parametrize(
    "instance_type",
    # Families the table missed before: EC2 gives each NVMe instance storage.
    [
        "ml.trn2.48xlarge",
        "ml.p6-b200.48xlarge",
        "ml.p6-b300.48xlarge",
        "ml.p6e-gb200.36xlarge",
        "ml.g7e.2xlarge",
    ],
)
def test_the_newer_gpu_and_trainium_families_keep_their_storage_on_nvme(
    instance_type: str,
) -> None:
    assert instance_type in instance_types("training")
    assert has_instance_store(instance_type)
    assert volume_key_of(train(instance_type=instance_type), "ResourceConfig") is None


def test_every_family_botocore_lists_is_classified_once() -> None:
    # A botocore upgrade that adds a family fails here rather than guessing: a key on an
    # NVMe type fails every run, a missing key on an EBS type weakens encryption.
    families = {
        instance_family(instance_type)
        for job in ("processing", "training", "transform", "endpoint")
        for instance_type in instance_types(job)
    }
    unclassified = sorted(families - INSTANCE_STORE_FAMILIES - EBS_FAMILIES)
    assert not unclassified, (
        f"instance families {unclassified} in botocore's SageMaker instance type enums are "
        "in neither INSTANCE_STORE_FAMILIES nor EBS_FAMILIES (definition/instances.py): look "
        "each up in EC2's instance type specifications ('Instance storage': NVMe SSD, or "
        "EBS only) and add it to the one that fits"
    )
    assert not INSTANCE_STORE_FAMILIES & EBS_FAMILIES
