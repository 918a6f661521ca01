# mypy: disable-error-code="arg-type"
# Some tests here pass wrong types on purpose: the run-time checks are what they test.
"""Resource maps: images, Lambda handlers, persistence."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.local import LambdaHandler, LocalConfig, LocalRunError, ResourceMap
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.resources import unread_s3_prefixes

SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
CUSTOM = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"


@pytest.mark.parametrize(
    "image",
    [
        SKLEARN,
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.19.0-cpu",
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:"
        "2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-tensorflow-inference:"
        "2.11.0-transformers4.26.0-cpu-py39-ubuntu20.04",
    ],
    ids=["sklearn", "tensorflow", "huggingface-pytorch", "huggingface-tensorflow"],
)
def test_framework_images_run_with_the_default_python(image: str) -> None:
    assert ResourceMap().interpreter(image, step="Train", default_python="/py") == "/py"


def test_custom_images_need_a_mapping_with_or_without_tag() -> None:
    assert (
        ResourceMap(images={CUSTOM: "python"}).interpreter(CUSTOM, step="T", default_python="/py")
        == "/py"
    )
    untagged = CUSTOM.rsplit(":", 1)[0]
    assert (
        ResourceMap(images={untagged: "/opt/py3"}).interpreter(
            CUSTOM, step="T", default_python="/py"
        )
        == "/opt/py3"
    )


@pytest.mark.parametrize("alias", ["python", "python3", "sys.executable"])
def test_python_aliases_mean_the_runners_own_python(alias: str) -> None:
    resources = ResourceMap(images={CUSTOM: alias})
    assert resources.interpreter(CUSTOM, step="T", default_python="/py") == "/py"


def test_fails_on_a_step_without_an_image() -> None:
    with pytest.raises(StepError, match=r"^step 'Train': no image URI to run$"):
        ResourceMap().interpreter(None, step="Train", default_python="/py")


def test_fails_on_a_custom_image_naming_the_mapping_option() -> None:
    with pytest.raises(
        StepError,
        match=r"step 'Train': image 111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest "
        r"is not a SageMaker framework image, so it can't run here without Docker; if its code "
        r"runs with a Python interpreter, map it: smpipe run --image-map "
        r"111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest=python",
    ):
        ResourceMap().interpreter(CUSTOM, step="Train", default_python="/py")


LMI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128"
TGI = (
    "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-tgi-inference:"
    "2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
)


@pytest.mark.parametrize(
    ("image", "what"),
    [
        (LMI, r"the Large Model Inference \(LMI, DJL Serving\) container \(djl-lmi\)"),
        (TGI, r"the Hugging Face Text Generation Inference \(TGI\) container \(huggingface-llm\)"),
    ],
    ids=["lmi", "tgi"],
)
def test_a_large_model_serving_image_says_what_it_is_and_how_to_map_it(
    image: str, what: str
) -> None:
    # Once they were framework images, the runner's Python would have run an inference.py
    # their model servers never run: a serving image is named as one, not run.
    with pytest.raises(
        StepError,
        match=rf"^step 'Transform': image {re.escape(image)} is {what}: a model server, which "
        r"the local runner can't run \(.*\); to run the model's own Python code here, map the "
        rf"image: smpipe run --image-map {re.escape(image)}=python ",
    ):
        ResourceMap().interpreter(image, step="Transform", default_python="/py")

    mapped = ResourceMap(images={image: "python"})
    assert mapped.interpreter(image, step="Transform", default_python="/py") == "/py"


def test_a_private_copy_of_a_framework_repository_needs_a_mapping() -> None:
    private = "111122223333.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:custom"

    with pytest.raises(StepError, match="is not a SageMaker framework image"):
        ResourceMap().interpreter(private, step="Train", default_python="/py")


def test_lambda_handlers_by_arn_unqualified_arn_or_name() -> None:
    arn = "arn:aws:lambda:us-east-1:111122223333:function:prep"
    resources = ResourceMap(lambdas={"prep": "fns/prep.py:handler"})
    assert resources.lambda_handler(arn + ":live") == LambdaHandler(Path("fns/prep.py"), "handler")
    assert ResourceMap(lambdas={arn: "x.py:h"}).lambda_handler(arn) is not None
    assert ResourceMap().lambda_handler(arn) is None
    handler = LambdaHandler.parse("cdk.out/asset.1a2b:index.handler")
    assert LambdaHandler.parse(handler.to_spec()) == handler


def test_a_merged_handler_replaces_the_handlers_of_the_functions_its_key_binds() -> None:
    # Was: a handler given by name on --resume lost to the one recorded for the ARN, which
    # is looked up first: the resume ran the old handler, silently.
    arn = "arn:aws:lambda:us-east-1:111122223333:function:prep"
    recorded = ResourceMap(lambdas={arn: "old.py:handler", f"{arn}:live": "live.py:handler"})
    merged = recorded.merged(ResourceMap(lambdas={"prep": "fixed.py:handler"}))
    fixed = LambdaHandler(Path("fixed.py"), "handler")
    assert merged.lambda_handler(arn) == fixed
    assert merged.lambda_handler(f"{arn}:live") == fixed
    # A handler for one alias leaves the function's other handlers alone.
    merged = recorded.merged(ResourceMap(lambdas={f"{arn}:live": "fixed.py:handler"}))
    assert merged.lambda_handler(f"{arn}:live") == fixed
    assert merged.lambda_handler(arn) == LambdaHandler(Path("old.py"), "handler")
    assert recorded.merged(ResourceMap(lambdas={"other": "o.py:h"})).lambdas.keys() == {
        arn,
        f"{arn}:live",
        "other",
    }


def test_fails_on_malformed_handlers_and_uris() -> None:
    with pytest.raises(LocalRunError, match=r"expected FILE\.py:function"):
        LambdaHandler.parse("prep.py")
    with pytest.raises(LocalRunError, match="'bucket/key' is not an s3:// URI"):
        ResourceMap(s3={"bucket/key": "x"})


def test_resources_file_round_trip_with_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "resources.json").write_text(
        json.dumps(
            {
                "s3": {"s3://b/code/": "scripts"},
                "images": {CUSTOM: "python"},
                "lambdas": {"prep": "fns/prep.py:handler"},
                "pipeline_name": "p",
                "max_parallel": 3,
            }
        )
    )
    loaded = ResourceMap.load(tmp_path / "resources.json")
    assert loaded.s3_mappings() == [("s3://b/code", (tmp_path / "scripts").resolve())]
    assert loaded.lambda_handler("prep") == LambdaHandler(tmp_path / "fns/prep.py", "handler")
    again = ResourceMap.from_json(loaded.to_json())
    assert again.to_json() == loaded.to_json()
    assert (again.pipeline_name, again.max_parallel) == ("p", 3)


def test_a_saved_resources_file_moves_with_its_project(tmp_path: Path) -> None:
    # Absolute paths made a copied or moved project run the scripts of the directory the
    # file was written in, silently; save() writes them relative to the file.
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    (project / "fns").mkdir()
    (project / "fns" / "prep.py").write_text("def handler(event, context): ...\n")
    (tmp_path / "shared-data").mkdir()
    resources = ResourceMap(
        s3={"s3://b/code/": project / "scripts", "s3://b/data/": tmp_path / "shared-data"},
        lambdas={"prep": f"{project / 'fns' / 'prep.py'}:handler"},
        pipeline_name="p",
    )
    (project / "build").mkdir()
    resources.save(project / "build" / "resources.json")
    written = json.loads((project / "build" / "resources.json").read_text())
    assert written["s3"] == {"s3://b/code/": "../scripts", "s3://b/data/": "../../shared-data"}
    assert written["lambdas"]["prep"]["code"] == "../fns/prep.py"

    moved = tmp_path / "elsewhere" / "project"
    moved.parent.mkdir()
    project.rename(moved)
    (tmp_path / "elsewhere" / "shared-data").mkdir()
    loaded = ResourceMap.load(moved / "build" / "resources.json")
    assert dict(loaded.s3_mappings()) == {
        "s3://b/code": (moved / "scripts").resolve(),
        "s3://b/data": (tmp_path / "elsewhere" / "shared-data").resolve(),
    }
    handler = loaded.lambda_handler("prep")
    assert handler is not None
    assert handler.code.resolve() == (moved / "fns" / "prep.py").resolve()
    # Without a base, to_json keeps absolute paths, as the records of each execution hold.
    assert loaded.to_json()["s3"]["s3://b/code/"] == str((moved / "scripts").resolve())


def test_a_saved_resources_file_keeps_a_symlink_of_its_project_by_name(tmp_path: Path) -> None:
    # Resolved, a project's data/ symlink was written as the link's target relative to the
    # file ("../store/data"): a copy of the project (its link with it) at another depth
    # named a directory that isn't there. A path under the file's directory stays as named.
    store = tmp_path / "store" / "data"
    store.mkdir(parents=True)
    project = tmp_path / "project"
    project.mkdir()
    (project / "data").symlink_to(store)
    ResourceMap(s3={"s3://b/data/": project / "data"}).save(project / "resources.json")
    assert json.loads((project / "resources.json").read_text())["s3"] == {"s3://b/data/": "data"}

    copied = tmp_path / "team" / "copies" / "project"
    shutil.copytree(project, copied, symlinks=True)
    loaded = ResourceMap.load(copied / "resources.json")
    assert dict(loaded.s3_mappings()) == {"s3://b/data": store.resolve()}


def test_relative_paths_without_a_base_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    resources = ResourceMap.from_json({"s3": {"s3://b/code": "scripts"}})
    assert resources.s3_mappings() == [("s3://b/code", (tmp_path / "scripts").resolve())]


def test_fails_on_unknown_resource_keys(tmp_path: Path) -> None:
    with pytest.raises(LocalRunError, match="resources: unknown keys image"):
        ResourceMap.from_json({"image": {}})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('["s3"]', "expected a JSON object with s3, images, lambdas, got list"),
        ('{"s3": ["scripts"]}', r's3: expected a JSON object, got \["scripts"\]'),
        ('{"s3": {"s3://b/code": 5}}', r"s3\['s3://b/code'\]: expected a string .*, got 5"),
        ('{"images": {"my-image": null}}', r"images\['my-image'\]: expected a string"),
        ('{"lambdas": {"prep": {}}}', r"lambdas\['prep'\]: expected \"file.py:function\" or"),
        ('{"max_parallel": "4"}', r'max_parallel: expected an integer of at least 1, got "4"'),
        ('{"pipeline_name": 5}', "pipeline_name: expected a string, got 5"),
        ('{"s3": {"s3://b/code": "scripts"}}', r"s3\['s3://b/code'\] is .*scripts, which does not"),
    ],
)
def test_a_malformed_resources_file_is_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    file = tmp_path / "resources.json"
    file.write_text(content)
    with pytest.raises(LocalRunError, match=f"^resources file {file}: {message}"):
        ResourceMap.load(file)


def test_a_resources_file_may_map_an_archive_packed_on_the_fly(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    file = tmp_path / "resources.json"
    file.write_text(json.dumps({"s3": {"s3://b/code.tar.gz": "code.tar.gz"}}))
    archive = ("s3://b/code.tar.gz", tmp_path / "code.tar.gz")
    assert ResourceMap.load(file).s3_mappings() == [archive]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # Each used to pass, to fail (if at all) deep inside a run.
        (
            lambda: LocalConfig(max_parallel="2"),
            "LocalConfig: field 'max_parallel' expects int, got str '2'",
        ),
        (lambda: LocalConfig(root=3), "LocalConfig: field 'root' expects str or Path, got int 3"),
        (
            lambda: LocalConfig(retry_interval_scale="0"),
            "LocalConfig: field 'retry_interval_scale' expects a number, got str '0'",
        ),
        (
            lambda: LocalConfig(progress=print.__name__),
            "LocalConfig: field 'progress' expects a function, got str 'print'",
        ),
        (
            lambda: LocalConfig(faults={"Train": "SageMaker.CAPACITY_ERROR"}),
            "LocalConfig: field 'faults['Train']' expects a list of str, got str",
        ),
        (
            lambda: LocalConfig(resources={"s3": {}}),
            "LocalConfig: field 'resources' expects ResourceMap, got dict",
        ),
        (
            lambda: ResourceMap(lambdas=["lambdas/prep.py:handler"]),
            "ResourceMap: field 'lambdas' expects a mapping of str or LambdaHandler, got list",
        ),
    ],
    ids=["max-parallel", "root", "retry-scale", "progress", "faults", "resources", "lambdas"],
)
def test_a_config_of_the_wrong_type_fails_naming_class_and_field(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(LocalRunError) as caught:
        build()

    assert str(caught.value).startswith(message)


def test_a_config_of_the_right_types_passes(tmp_path: Path) -> None:
    config = LocalConfig(
        root=tmp_path,
        resources=ResourceMap(s3={"s3://b/code": tmp_path}, lambdas={"Fn": "prep.py:handler"}),
        max_parallel=2,
        retry_interval_scale=0,
        faults={"Train": ["SageMaker.CAPACITY_ERROR"]},
        progress=print,
    )

    assert config.max_parallel == 2


def test_unread_s3_prefixes_are_those_near_no_literal_uri() -> None:
    definition = {
        "Parameters": [{"Name": "Input", "Type": "String", "DefaultValue": "s3://b/raw/in.csv"}],
        "Steps": [
            {"Arguments": {"S3Uri": "s3://b/code/prep.py"}},
            {"Arguments": {"S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://b/out", "x"]}}}},
        ],
    }
    prefixes = ["s3://b/raw", "s3://b/code/", "s3://b", "s3://b/out/x/y", "s3://b/cod", "s3://c"]

    assert unread_s3_prefixes(definition, prefixes) == [
        ("s3://b/cod", "s3://b/code/prep.py"),  # not a segment of code/: a typo
        ("s3://c", None),
    ]
    # A run's parameter value is read too.
    assert unread_s3_prefixes(definition, ["s3://c/new"], ["s3://c/new/in.csv"]) == []


@pytest.mark.parametrize("first", ["s3://", "s3:/", "s3://dev-"])
def test_no_prefix_is_judged_when_a_join_builds_a_bucket_at_run_time(first: str) -> None:
    bucket = {"Get": "Parameters.Bucket"}
    definition = {"Steps": [{"S3Uri": {"Std:Join": {"On": "", "Values": [first, bucket]}}}]}

    assert unread_s3_prefixes(definition, ["s3://anything/at/all"]) == []


def test_a_join_is_judged_by_what_it_starts_with_before_run_time() -> None:
    key = {"Get": "Parameters.InputDataKey"}
    # As the CDK binder writes a bucket's URI: the bucket's name is known at synth.
    data = {"Std:Join": {"On": "", "Values": ["s3://", "data-bucket", "/", key]}}
    # Its last segment is cut where a run-time value continues it: "raw-" is no folder.
    partial = {"Std:Join": {"On": "", "Values": ["s3://b/raw-", key]}}
    whole = {"Std:Join": {"On": "", "Values": ["s3://", "whole-bucket"]}}
    definition = {"Steps": [{"A": data, "B": partial, "C": whole}]}

    prefixes = ["s3://data-bucket/curated", "s3://b/raw-2024", "s3://whole-bucket/x"]
    assert unread_s3_prefixes(definition, prefixes) == []
    assert unread_s3_prefixes(definition, ["s3://data-buckets/curated"]) == [
        ("s3://data-buckets/curated", "s3://data-bucket")
    ]


def test_a_prefix_one_letter_off_a_short_folder_is_close() -> None:
    # "b/abc" and "b/abd" are 80 % alike, the least that counts as a typo.
    definition = {"Steps": [{"S3Uri": "s3://b/abd/x.csv"}]}

    assert unread_s3_prefixes(definition, ["s3://b/abc"]) == [("s3://b/abc", "s3://b/abd/x.csv")]
    assert unread_s3_prefixes(definition, ["s3://b/acc"]) == [("s3://b/acc", None)]
