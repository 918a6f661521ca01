"""Did-you-mean hints and readable value lists."""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition._suggest import _did_you_mean, did_you_mean, one_of


def test_a_missing_prefix_is_suggested_first() -> None:
    assert (
        did_you_mean("m5.large", ["ml.m5.large", "ml.m5.xlarge"]) == "did you mean 'ml.m5.large'?"
    )


def test_close_matches_and_case_slips() -> None:
    assert did_you_mean("S3ModelArtifact", ["S3ModelArtifacts"]) == (
        "did you mean 'S3ModelArtifacts'?"
    )
    assert did_you_mean("TRAIN", ["train", "test"]) == "did you mean 'train'?"
    assert did_you_mean("zzz", ["train", "test"]) is None


def test_the_same_slip_is_matched_once() -> None:
    candidates = [f"ml.m{size}.large" for size in range(100)]
    before = _did_you_mean.cache_info()
    hints = {did_you_mean("ml.m5.lage", candidates) for _ in range(50)}
    after = _did_you_mean.cache_info()
    assert len(hints) == 1
    assert after.misses - before.misses <= 1
    assert after.hits - before.hits >= 49


def test_long_lists_with_a_common_prefix_are_summarised() -> None:
    assert one_of([f"ml.m{size}.large" for size in range(20)]) == "the 20 'ml.m*' values"
    assert one_of(["a", "b"]) == "'a', 'b'"


def test_instance_types_are_botocores_per_job_kind() -> None:
    from cdk_sagemaker_pipelines.definition import instance_types
    from cdk_sagemaker_pipelines.definition._service_model import shape

    for kind, shape_name in (
        ("processing", "ProcessingInstanceType"),
        ("training", "TrainingInstanceType"),
        ("transform", "TransformInstanceType"),
        ("endpoint", "ProductionVariantInstanceType"),
    ):
        assert instance_types(kind) == frozenset(shape(shape_name)["enum"])
    assert "ml.m5.large" in instance_types("training")
    # The kinds differ: a training type a processing job can't take.
    assert "ml.c5n.xlarge" in instance_types("training")
    assert "ml.c5n.xlarge" not in instance_types("processing")
    # The public helpers a platform team's own config checks use, as stacks/config.py does.
    assert did_you_mean("ml.m5.lrge", instance_types("training")) is not None


def test_instance_types_of_an_unknown_kind_fail_naming_the_kinds() -> None:
    import pytest

    from cdk_sagemaker_pipelines.definition import PipelineDefinitionError, instance_types

    with pytest.raises(
        PipelineDefinitionError, match=r"no job kind 'trainng' \(did you mean 'training'\?\)"
    ):
        instance_types("trainng")
    with pytest.raises(PipelineDefinitionError, match=r"no job kind 'hpo' \(one of 'processing', "):
        instance_types("hpo")
