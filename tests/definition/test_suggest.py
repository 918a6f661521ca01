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
