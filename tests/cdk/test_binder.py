"""The CDK binder: framework images, code assets, ECR and Docker images, S3 locations, defaults."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import ArtifactStore, Pipeline
from cdk_sagemaker_pipelines.cdk._archive import deterministic_tar_gz
from cdk_sagemaker_pipelines.cdk._binder import CdkBinder
from cdk_sagemaker_pipelines.definition import (
    BindingError,
    ClarifyCheckStep,
    Code,
    Container,
    DataBiasCheckConfig,
    Image,
    Join,
    MetricsSource,
    ModelMetrics,
    ModelStep,
    PipelineDefinition,
    PipelineValidationError,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    RegisterModel,
    S3Location,
    TrainingStep,
    framework_image,
    framework_image_uri,
)
from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunner
from cdk_sagemaker_pipelines.local.assembly import load_assembly
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import (
    ACCOUNT,
    ASSETS_BUCKET,
    PREPROCESS,
    REGION,
    SKLEARN_URI,
    TRAIN,
    definition_of,
    literal_definition,
    logical_id,
    prep_and_train,
    resource,
    s3_arn,
    statements,
    steps_by_name,
    template_json,
)

MAPPING = "SklearnSagemakerScikitLearn121CpuPy3Images"


def _asset(pipeline: Pipeline, construct_id: str) -> s3_assets.Asset:
    child = pipeline.node.find_child(construct_id)
    assert isinstance(child, s3_assets.Asset)
    return child


@pytest.fixture(scope="module")
def env_specific() -> tuple[Pipeline, Template]:
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="churn")
    return pipeline, Template.from_stack(stack)


@pytest.fixture(scope="module")
def env_agnostic() -> tuple[Pipeline, Template]:
    stack = new_stack(account=None, region=None)
    pipeline = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="churn")
    return pipeline, Template.from_stack(stack)


# -- framework images ----------------------------------------------------------------------


def test_framework_image_is_a_literal_uri_in_an_env_specific_stack(env_specific):
    _, template = env_specific
    steps = steps_by_name(definition_of(template))
    assert steps["Prep"]["Arguments"]["AppSpecification"]["ImageUri"] == SKLEARN_URI
    assert steps["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"] == SKLEARN_URI
    assert "Mappings" not in template_json(template)


def test_framework_image_is_a_mapping_lookup_in_an_env_agnostic_stack(env_agnostic):
    _, template = env_agnostic
    spec = framework_image("sklearn", "1.2-1")
    mappings = template_json(template)["Mappings"]
    assert list(mappings) == [MAPPING]  # one mapping shared by both steps
    assert mappings[MAPPING] == {region: {"uri": spec.uri(region)} for region in spec.accounts}
    assert len(mappings[MAPPING]) == len(spec.accounts) > 25
    lookup = {"Fn::FindInMap": [MAPPING, {"Ref": "AWS::Region"}, "uri"]}
    parts = _body_parts(template)
    assert parts.count(lookup) == 2
    steps = steps_by_name(definition_of(template))
    rendered = f"${{FindInMap:{MAPPING}.${{Ref:AWS::Region}}.uri}}"
    assert steps["Prep"]["Arguments"]["AppSpecification"]["ImageUri"] == rendered


def test_fails_a_framework_image_not_published_in_the_stacks_region():
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(region="xx-nowhere-1"), "Training", definition=prep_and_train())
    fields = {(problem.step, problem.field) for problem in raised.value.problems}
    assert fields == {
        ("Prep", "Arguments.AppSpecification.ImageUri"),
        ("Train", "Arguments.AlgorithmSpecification.TrainingImage"),
    }
    assert "sklearn 1.2-1 images are not published in 'xx-nowhere-1'" in str(raised.value)


def _body_parts(template: Template) -> list[Any]:
    (pipeline,) = template.find_resources("AWS::SageMaker::Pipeline").values()
    parts: list[Any] = pipeline["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"][
        "Fn::Join"
    ][1]
    return parts


# -- code assets -----------------------------------------------------------------------------


def test_a_processing_script_is_a_file_asset_run_by_its_asset_file_name(env_specific):
    pipeline, template = env_specific
    asset = _asset(pipeline, "CodePreprocessPy")
    assert asset.is_file
    assert not asset.is_zip_archive
    key = asset.s3_object_key
    assert key == f"{asset.asset_hash}.py"
    prep = steps_by_name(definition_of(template))["Prep"]["Arguments"]
    assert prep["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        f"/opt/ml/processing/input/code/{key}",
    ]
    code_input = prep["ProcessingInputs"][-1]
    assert code_input["InputName"] == "code"
    assert code_input["S3Input"]["S3Uri"] == f"s3://{ASSETS_BUCKET}/{key}"
    assert code_input["S3Input"]["LocalPath"] == "/opt/ml/processing/input/code"
    staged = Path(_outdir(pipeline)) / asset.asset_path
    assert staged.read_bytes() == PREPROCESS.read_bytes()


def test_training_code_is_a_deterministic_tar_gz_asset(env_specific):
    pipeline, template = env_specific
    asset = _asset(pipeline, "CodeTrainPyArchive")
    assert asset.is_file
    assert asset.s3_object_key == f"{asset.asset_hash}.gz"
    train = steps_by_name(definition_of(template))["Train"]["Arguments"]
    channel = train["InputDataConfig"][-1]
    assert channel["ChannelName"] == "code"
    uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
    assert uri == f"s3://{ASSETS_BUCKET}/{asset.s3_object_key}"
    assert train["HyperParameters"] == {
        "sagemaker_program": "train.py",
        "sagemaker_submit_directory": f"/opt/ml/input/data/code/{asset.s3_object_key}",
    }
    staged = Path(_outdir(pipeline)) / asset.asset_path
    with tarfile.open(staged, "r:gz") as archive:
        (member,) = archive.getmembers()
        assert (member.name, member.uid, member.gid, member.uname, member.mtime) == (
            "train.py",
            0,
            0,
            "root",
            315532800,
        )
        extracted = archive.extractfile(member)
        assert extracted is not None
        assert extracted.read() == TRAIN.read_bytes()


def test_archive_hash_is_the_same_across_two_syntheses(env_specific):
    pipeline, _ = env_specific
    stack = new_stack()
    again = Pipeline(stack, "Training", definition=prep_and_train(), pipeline_name="churn")
    Template.from_stack(stack)
    for construct_id in ("CodeTrainPyArchive", "CodePreprocessPy"):
        first = _asset(pipeline, construct_id).asset_hash
        assert _asset(again, construct_id).asset_hash == first


def test_deterministic_tar_gz_of_a_directory(tmp_path: Path):
    source = tmp_path / "src"
    (source / "pkg" / "__pycache__").mkdir(parents=True)
    (source / "train.py").write_text("print('train')\n")
    (source / "pkg" / "util.py").write_text("X = 1\n")
    (source / "pkg" / "__pycache__" / "util.cpython-311.pyc").write_bytes(b"\0")
    (source / "pkg" / "stale.pyc").write_bytes(b"\0")
    (source / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(source / "run.sh", 0o755)
    first = deterministic_tar_gz(source)
    os.utime(source / "train.py", (1, 1))  # another mtime: same archive
    second = deterministic_tar_gz(source)
    assert first == second
    payload = Path(first).read_bytes()
    assert payload[4:8] == b"\0\0\0\0"  # gzip header MTIME
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(payload))) as archive:
        members = {member.name: member for member in archive.getmembers()}
    assert list(members) == ["pkg/util.py", "run.sh", "train.py"]
    assert members["run.sh"].mode == 0o755
    assert members["train.py"].mode == 0o644
    assert {member.mtime for member in members.values()} == {315532800}
    (source / "train.py").write_text("print('changed')\n")
    assert deterministic_tar_gz(source) != first


def test_editor_and_tool_files_change_no_archive(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("print('train')\n")
    clean = Path(deterministic_tar_gz(source)).read_bytes()
    for folder in (".ipynb_checkpoints", ".vscode", ".idea", ".hg", ".git", ".svn", "__pycache__"):
        (source / folder).mkdir()
        (source / folder / "settings.json").write_text("{}")
    for name in (".DS_Store", "train.py.swp", "train.py.swo", "train.py~", "Thumbs.db", "x.pyc"):
        (source / name).write_bytes(b"\0")
    # Emacs' lock file: a symlink to nowhere, which reading would fail on.
    (source / ".#train.py").symlink_to(tmp_path / "no-such-file")
    assert Path(deterministic_tar_gz(source)).read_bytes() == clean
    (source / "notes.txt").write_text("a file a job may read is shipped\n")
    assert Path(deterministic_tar_gz(source)).read_bytes() != clean


def _linked_source(tmp_path: Path) -> Path:
    """A code folder whose ``lib/`` and ``config.json`` are links to files outside it."""
    shared = tmp_path / "shared"
    (shared / "pkg").mkdir(parents=True)
    (shared / "pkg" / "features.py").write_text("COLUMNS = ['a']\n")
    (shared / "config.json").write_text("{}\n")
    source = tmp_path / "src"
    (source / "empty").mkdir(parents=True)  # no file: in no archive
    (source / "train.py").write_text("import lib.pkg.features\n")
    (source / "lib").symlink_to(shared, target_is_directory=True)
    (source / "config.json").symlink_to(shared / "config.json")
    return source


def _archived(path: str) -> list[str]:
    with tarfile.open(path) as archive:
        assert all(member.isfile() for member in archive.getmembers())
        return sorted(archive.getnames())


def test_a_linked_folder_is_packed_the_same_by_the_cdk_the_runner_and_the_digest(
    tmp_path: Path,
):
    from cdk_sagemaker_pipelines.definition.bindables import _code_tree
    from cdk_sagemaker_pipelines.local.store import write_archive

    source = _linked_source(tmp_path)
    expected = ["config.json", "lib/config.json", "lib/pkg/features.py", "train.py"]
    # The CDK's archive followed file links only (os.walk): lib/ was deployed without its
    # files, which the local runner ran with.
    assert _archived(deterministic_tar_gz(source)) == expected
    write_archive(source, tmp_path / "local.tar.gz")
    assert _archived(str(tmp_path / "local.tar.gz")) == expected
    assert sorted(relative for relative, _ in _code_tree(str(source))) == expected
    # The same bytes, whichever packs it (but for the gzip level): one archive of the code.
    cdk_tar = gzip.decompress(Path(deterministic_tar_gz(source)).read_bytes())
    assert gzip.decompress((tmp_path / "local.tar.gz").read_bytes()) == cdk_tar


def test_a_linked_folder_is_in_the_code_asset_deployed(tmp_path: Path):
    source = _linked_source(tmp_path)
    stack = new_stack()
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(source, entry_point="train.py"),
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
    asset = _asset(pipeline, "CodeSrcArchive")
    assembly = cast(cdk.App, stack.node.root).synth()
    packed = Path(assembly.directory) / f"asset.{asset.asset_hash}.tar.gz"
    assert _archived(str(packed)) == [
        "config.json",
        "lib/config.json",
        "lib/pkg/features.py",
        "train.py",
    ]


def test_a_broken_link_in_code_fails_synth_naming_the_file_and_the_step(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("")
    (source / "lib").symlink_to(tmp_path / "gone", target_is_directory=True)
    stack = new_stack()
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(source, entry_point="train.py"),
    )
    # Was a raw FileNotFoundError (a link to a file) or, for a folder, a deploy without it.
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
    (problem,) = raised.value.problems
    assert problem.step == "Train"
    assert problem.message == (
        f"local file {str(source / 'lib')!r} is a symbolic link to "
        f"{str(tmp_path / 'gone')!r}, which leads nowhere (a broken link, or a loop of links)"
    )


def test_a_loop_of_links_in_code_fails_synth(tmp_path: Path):
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "train.py").write_text("")
    (source / "pkg" / "again").symlink_to(source, target_is_directory=True)
    stack = new_stack()
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(source, entry_point="train.py"),
    )
    # os.walk left the loop out silently.
    with pytest.raises(PipelineValidationError, match="a folder that holds the link"):
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))


def test_the_same_code_path_used_twice_makes_one_asset():
    stack = new_stack()
    first = ProcessingStep(
        name="First", image=Image.sklearn("1.2-1"), code=Code.from_asset(PREPROCESS)
    )
    second = ProcessingStep(
        name="Second",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(str(PREPROCESS)),
        depends_on=[first],
    )
    # The same file as training code is staged as an archive: a second asset.
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(PREPROCESS),
        depends_on=[second],
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
    assets = {
        child.node.id: child
        for child in pipeline.node.children
        if isinstance(child, s3_assets.Asset)
    }
    assert sorted(assets) == ["CodePreprocessPy", "CodePreprocessPyArchive"]
    steps = steps_by_name(definition_of(Template.from_stack(stack)))
    uris = {
        name: steps[name]["Arguments"]["ProcessingInputs"][-1]["S3Input"]["S3Uri"]
        for name in ("First", "Second")
    }
    script = assets["CodePreprocessPy"].s3_object_key
    assert uris["First"] == uris["Second"] == f"s3://{ASSETS_BUCKET}/{script}"


def test_a_code_directory_is_an_archive_asset_unpacked_before_the_script_runs(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "prep.py").write_text("print(1)\n")
    stack = new_stack()
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(tmp_path / "src", entry_point="prep.py"),
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    asset = _asset(pipeline, "CodeSrcArchive")
    key = asset.s3_object_key
    assert key == f"{asset.asset_hash}.gz"
    arguments = steps_by_name(definition_of(Template.from_stack(stack)))["Prep"]["Arguments"]
    assert arguments["AppSpecification"]["ContainerEntrypoint"] == [
        "/bin/sh",
        "-c",
        f'cd /opt/ml/processing/input/code && tar -xzf {key} && exec python3 prep.py "$@"',
        "sh",
    ]
    assert arguments["ProcessingInputs"][-1]["S3Input"]["S3Uri"] == f"s3://{ASSETS_BUCKET}/{key}"


@pytest.fixture(scope="module")
def model_code() -> tuple[Pipeline, Template]:
    stack = new_stack()
    model = ModelStep(
        name="CreateModel",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data="s3://models-bucket/churn/model.tar.gz",
        code=Code.from_asset(TRAIN),
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[model]))
    return pipeline, Template.from_stack(stack)


def test_model_code_is_an_archive_asset_named_in_the_container_environment(model_code):
    pipeline, template = model_code
    asset = _asset(pipeline, "CodeTrainPyArchive")
    container = steps_by_name(definition_of(template))["CreateModel"]["Arguments"][
        "PrimaryContainer"
    ]
    assert container["Environment"] == {
        "SAGEMAKER_PROGRAM": "train.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": f"s3://{ASSETS_BUCKET}/{asset.s3_object_key}",
    }


def test_the_model_role_may_read_the_model_code(model_code):
    pipeline, template = model_code
    key = _asset(pipeline, "CodeTrainPyArchive").s3_object_key
    reads: list[Any] = []
    for sid, entry in statements(template, pipeline.step_role_policy).items():
        if sid.startswith("Read"):
            resources = entry["Resource"]
            reads += resources if isinstance(resources, list) else [resources]
    assert s3_arn(f"{ASSETS_BUCKET}/{key}*") in reads


def test_each_container_of_an_inference_pipeline_gets_its_code_data_and_image():
    stack = new_stack()
    repository = ecr.Repository(stack, "Repo")
    model = ModelStep(
        name="CreateModel",
        containers=[
            Container(
                image=Image.sklearn("1.2-1", scope="inference"),
                model_data="s3://prep-bucket/featurizer/model.tar.gz",
                code=Code.from_asset(PREPROCESS),
            ),
            Container(
                image=Image.from_ecr_repository(repository, tag="v1"),
                model_data="s3://models-bucket/churn/model.tar.gz",
                code=Code.from_asset(TRAIN),
            ),
        ],
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[model]))
    template = Template.from_stack(stack)

    keys = [
        _asset(pipeline, construct_id).s3_object_key
        for construct_id in ("CodePreprocessPyArchive", "CodeTrainPyArchive")
    ]
    containers = steps_by_name(definition_of(template))["CreateModel"]["Arguments"]["Containers"]
    assert [container["Environment"] for container in containers] == [
        {
            "SAGEMAKER_PROGRAM": program,
            "SAGEMAKER_SUBMIT_DIRECTORY": f"s3://{ASSETS_BUCKET}/{key}",
        }
        for program, key in zip(("preprocess.py", "train.py"), keys, strict=True)
    ]
    found = statements(template, pipeline.step_role_policy)
    reads = json.dumps([entry for sid, entry in found.items() if sid.startswith("Read")])
    for needed in (
        "prep-bucket/featurizer/model.tar.gz",
        "models-bucket/churn/model.tar.gz",
        *(f"{ASSETS_BUCKET}/{key}" for key in keys),
    ):
        assert needed in reads
    pulled = found["PullImages"]["Resource"]
    assert pulled == {"Fn::GetAtt": [logical_id(repository), "Arn"]}


def test_s3_code_is_passed_through_and_granted():
    stack = new_stack()
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/prep.py"),
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    template = Template.from_stack(stack)
    arguments = steps_by_name(definition_of(template))["Prep"]["Arguments"]
    assert arguments["ProcessingInputs"][-1]["S3Input"]["S3Uri"] == (
        "s3://code-bucket/scripts/prep.py"
    )
    assert not [c for c in pipeline.node.children if isinstance(c, s3_assets.Asset)]
    found = statements(template, pipeline.step_role_policy)
    assert found["ReadDataInCodeBucket"]["Resource"] == s3_arn("code-bucket/scripts/prep.py*")


# -- asset files (S3Location.from_asset) -----------------------------------------------------

# Reads the schema shipped with the pipeline: the one file in its input directory, whatever
# the name its asset gives it.
READ_SCHEMA = """
import os
folder = "/opt/ml/processing/input/schema"
(name,) = os.listdir(folder)
os.makedirs("/opt/ml/processing/checked", exist_ok=True)
with open(os.path.join(folder, name)) as source, open(
    "/opt/ml/processing/checked/schema.txt", "w"
) as target:
    target.write(name + " " + source.read())
"""


@pytest.fixture(scope="module")
def asset_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Pipeline, Template, Path]:
    folder = tmp_path_factory.mktemp("files")
    schema = folder / "feature_schema.json"
    schema.write_text('{"columns": ["age", "income"]}')
    script = folder / "check_schema.py"
    script.write_text(READ_SCHEMA)
    stack = new_stack()
    check = ProcessingStep(
        name="CheckSchema",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(script),
        inputs=[
            ProcessingInput(
                input_name="schema",
                source=S3Location.from_asset(schema),
                destination="/opt/ml/processing/input/schema",
            )
        ],
        outputs=["checked"],
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(TRAIN),
        inputs={"train": "s3://raw-data/train/", "schema": S3Location.from_asset(str(schema))},
        depends_on=[check],
    )
    pipeline = Pipeline(
        stack, "Files", definition=PipelineDefinition(steps=[train]), pipeline_name="files"
    )
    return pipeline, Template.from_stack(stack), schema


def test_an_asset_file_is_one_file_asset_per_path_in_the_job_inputs(asset_files):
    pipeline, template, schema = asset_files
    assets = [
        child.node.id for child in pipeline.node.children if isinstance(child, s3_assets.Asset)
    ]
    assert sorted(assets) == ["CodeCheckSchemaPy", "CodeTrainPyArchive", "FileFeatureSchemaJson"]
    asset = _asset(pipeline, "FileFeatureSchemaJson")
    assert asset.is_file
    assert not asset.is_zip_archive
    key = asset.s3_object_key
    assert key == f"{asset.asset_hash}.json"
    uri = f"s3://{ASSETS_BUCKET}/{key}"
    steps = steps_by_name(definition_of(template))
    check_input = steps["CheckSchema"]["Arguments"]["ProcessingInputs"][0]
    assert check_input["S3Input"]["S3Uri"] == uri
    assert check_input["S3Input"]["LocalPath"] == "/opt/ml/processing/input/schema"
    channels = {
        channel["ChannelName"]: channel["DataSource"]["S3DataSource"]["S3Uri"]
        for channel in steps["Train"]["Arguments"]["InputDataConfig"]
    }
    assert channels["schema"] == uri
    assert pipeline._binder.asset_files == {str(schema): uri}
    staged = Path(_outdir(pipeline)) / asset.asset_path
    assert staged.read_bytes() == schema.read_bytes()


def test_the_step_role_may_read_exactly_the_asset_file(asset_files):
    pipeline, template, _ = asset_files
    key = _asset(pipeline, "FileFeatureSchemaJson").s3_object_key
    reads: list[Any] = []
    writes: list[Any] = []
    for sid, entry in statements(template, pipeline.step_role_policy).items():
        resources = entry.get("Resource", [])
        found = resources if isinstance(resources, list) else [resources]
        if sid.startswith("Read"):
            reads += found
        elif sid.startswith("Write"):
            writes += found
    # The same grant as a code asset's: the object itself, nothing else in the assets bucket.
    assert s3_arn(f"{ASSETS_BUCKET}/{key}*") in reads
    in_assets_bucket = [
        arn for arn in reads if ASSETS_BUCKET in json.dumps(arn) and "s3:::" in json.dumps(arn)
    ]
    code_keys = {
        _asset(pipeline, construct_id).s3_object_key
        for construct_id in ("CodeCheckSchemaPy", "CodeTrainPyArchive")
    }
    assert sorted(json.dumps(arn) for arn in in_assets_bucket) == sorted(
        json.dumps(s3_arn(f"{ASSETS_BUCKET}/{object_key}*")) for object_key in {key, *code_keys}
    )
    assert ASSETS_BUCKET not in json.dumps(writes)


def test_a_job_reads_an_asset_file_when_run_locally_from_the_assembly(asset_files, tmp_path):
    pipeline, _, schema = asset_files
    key = _asset(pipeline, "FileFeatureSchemaJson").s3_object_key
    loaded = load_assembly(_outdir(pipeline), "files")
    assert loaded.resources.s3[f"s3://{ASSETS_BUCKET}/{key}"] == (
        Path(_outdir(pipeline)) / _asset(pipeline, "FileFeatureSchemaJson").asset_path
    )
    runner = LocalRunner(LocalConfig(root=tmp_path / "root", retry_interval_scale=0))

    result = runner.run(loaded, steps=["CheckSchema"])

    assert result.step("CheckSchema").status == "Succeeded", result.failure_reason
    written = result.output("CheckSchema", "checked") / "schema.txt"
    assert written.read_text() == f"{key} {schema.read_text()}"


def test_fails_an_asset_file_bound_for_writing_naming_step_and_field(tmp_path: Path):
    config = tmp_path / "config.json"
    config.write_text("{}")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        outputs=[
            ProcessingOutput(
                output_name="out",
                source="/opt/ml/processing/out",
                destination=S3Location.from_asset(config),
            )
        ],
    )
    stack = new_stack()
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    assert [(p.step, p.field, p.message) for p in raised.value.problems] == [
        (
            "Prep",
            "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
            f"an asset is read-only: S3Location.from_asset({str(config)!r}) can't receive "
            "what the job writes",
        )
    ]
    # The binder refuses it too, when called directly.
    binder = CdkBinder(
        stack,
        step_role_arn="arn:aws:iam::111122223333:role/Jobs",
        bucket=s3.Bucket(stack, "Bucket"),
        key_arn=None,
        network=None,
    )
    with pytest.raises(BindingError, match="an asset is read-only"):
        binder.bind_s3(S3Location.from_asset(config), step_name="Prep", access="write")
    assert binder.asset_files == {}


def test_a_relative_asset_file_is_staged_after_a_change_of_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Checked where it was declared: the construct, built from another directory, stages
    # that file (it used to fail in jsii: "Cannot find asset at <elsewhere>/config.json").
    # Code.from_asset too (the same jsii failure, for the script).
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "check.py").write_text("print('checked')\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    check = ProcessingStep(
        name="Check",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset("check.py"),
        inputs={"config": S3Location.from_asset("config.json")},
    )
    monkeypatch.chdir(tmp_path / "elsewhere")

    pipeline = Pipeline(new_stack(), "Training", definition=PipelineDefinition(steps=[check]))

    assert list(pipeline._binder.asset_files) == [str(tmp_path / "config.json")]
    assert [path for path, _ in pipeline._binder.assets] == [str(tmp_path / "check.py")]


def test_fails_a_clarify_analysis_config_from_an_asset(tmp_path: Path):
    # Clarify reads analysis_config.json by that name; an asset object is named by its hash.
    analysis = tmp_path / "analysis_config.json"
    analysis.write_text('{"methods": {}}')
    bias = ClarifyCheckStep(
        name="DataBias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/", analysis_config=S3Location.from_asset(analysis)
        ),
    )
    with pytest.raises(PipelineValidationError) as raised:
        Pipeline(new_stack(), "Checks", definition=PipelineDefinition(steps=[bias]))
    (problem,) = raised.value.problems
    assert (problem.step, problem.field) == (
        "DataBias",
        "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    )
    assert problem.message == (
        "an asset's object is named by its content hash, but Clarify reads the analysis "
        "configuration as analysis_config.json"
    )
    assert problem.hint is not None
    assert "BucketDeployment" in problem.hint


# -- container images ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.Stack, Pipeline, Template]:
    directory = tmp_path_factory.mktemp("docker") / "scorer"
    directory.mkdir()
    (directory / "Dockerfile").write_text("FROM python:3.11-slim\n")
    stack = new_stack()
    repository = ecr.Repository(stack, "Repo")
    custom = ProcessingStep(
        name="Custom",
        image=Image.from_ecr_repository(repository, tag="v3"),
    )
    built = ProcessingStep(name="Built", image=Image.from_asset(directory), depends_on=[custom])
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[built]))
    return stack, pipeline, Template.from_stack(stack)


def test_an_ecr_repository_image_is_pulled_from_that_repository(images):
    stack, pipeline, template = images
    repository = logical_id(stack.node.find_child("Repo"))
    arguments = steps_by_name(definition_of(template))["Custom"]["Arguments"]
    assert arguments["AppSpecification"]["ImageUri"].endswith(f"/${{Ref:{repository}}}:v3")
    found = statements(template, pipeline.step_role_policy)
    assert found["PullImages"]["Action"] == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert {"Fn::GetAtt": [repository, "Arn"]} in found["PullImages"]["Resource"]
    assert found["AuthenticateToEcr"] == {
        "Action": "ecr:GetAuthorizationToken",
        "Effect": "Allow",
        "Resource": "*",
        "Sid": "AuthenticateToEcr",
    }


def test_an_ecr_repository_image_pinned_by_digest_is_named_by_it() -> None:
    # A digest names one image for good (an audit's "which image ran"); a tag can be moved.
    digest = "sha256:" + "5f0c" * 16
    stack = new_stack()
    repository = ecr.Repository(stack, "Repo")
    step = ProcessingStep(name="Pinned", image=Image.from_ecr_repository(repository, digest=digest))
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[step]))
    template = Template.from_stack(stack)

    arguments = steps_by_name(definition_of(template))["Pinned"]["Arguments"]
    repository_id = logical_id(repository)
    assert arguments["AppSpecification"]["ImageUri"].endswith(f"/${{Ref:{repository_id}}}@{digest}")
    found = statements(template, pipeline.step_role_policy)
    assert found["PullImages"]["Resource"] == {"Fn::GetAtt": [repository_id, "Arn"]}


def test_a_docker_image_asset_is_built_and_pulled_from_the_assets_repository(images):
    _, pipeline, template = images
    asset = pipeline.node.find_child("ImageScorer")
    arguments = steps_by_name(definition_of(template))["Built"]["Arguments"]
    assert arguments["AppSpecification"]["ImageUri"] == (
        "${Sub:111122223333.dkr.ecr.us-east-1.${AWS::URLSuffix}/"
        f"cdk-hnb659fds-container-assets-111122223333-us-east-1:{asset.asset_hash}}}"
    )
    resources = statements(template, pipeline.step_role_policy)["PullImages"]["Resource"]
    assert resources[0] == (
        "arn:aws:ecr:us-east-1:111122223333:repository/"
        "cdk-hnb659fds-container-assets-111122223333-us-east-1"
    )
    assert len(resources) == 2  # the assets repository and the ECR repository


def test_framework_images_need_no_pull_permissions(env_specific):
    pipeline, template = env_specific
    found = statements(template, pipeline.step_role_policy)
    assert "PullImages" not in found
    assert "AuthenticateToEcr" not in found


def test_tensorflow_and_huggingface_images_resolve_and_need_no_pull_permissions():
    stack = new_stack(account=None, region=None)
    tensorflow_uri = framework_image_uri("tensorflow", "2.19", processor="gpu", region="eu-west-1")
    custom_uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:v1"
    steps = [
        ProcessingStep(name="Literal", image=Image.from_uri(tensorflow_uri)),
        ProcessingStep(name="Custom", image=Image.from_uri(custom_uri)),
        ProcessingStep(name="Hf", image=Image.huggingface("4.49", pytorch_version="2.5")),
    ]
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=steps))
    template = Template.from_stack(stack)

    spec = framework_image("huggingface", "4.49", base_framework_version="pytorch2.5")
    mapping = (
        "HuggingfaceHuggingfacePytorchTraining251Transformers4490GpuPy311Cu124Ubuntu2204Images"
    )
    assert template_json(template)["Mappings"] == {
        mapping: {region: {"uri": spec.uri(region)} for region in spec.accounts}
    }
    # Only the custom image's repository: SageMaker pulls framework images itself.
    pulled = statements(template, pipeline.step_role_policy)["PullImages"]["Resource"]
    assert pulled == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":ecr:us-east-1:111122223333:repository/my-image"],
        ]
    }


def test_a_private_copy_of_a_framework_repository_gets_a_pull_grant():
    stack = new_stack()
    uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.19-custom"
    steps = [ProcessingStep(name="Extended", image=Image.from_uri(uri))]
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=steps))

    found = statements(Template.from_stack(stack), pipeline.step_role_policy)

    assert found["PullImages"]["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ecr:us-east-1:111122223333:repository/tensorflow-training",
            ],
        ]
    }


# -- S3 locations and defaults ---------------------------------------------------------------


def test_a_bucket_location_with_a_kms_key_gets_that_keys_statements():
    stack = new_stack()
    key = kms.Key(stack, "DataKey")
    bucket = s3.Bucket(stack, "Data", encryption_key=key)
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": S3Location.from_bucket(bucket, "raw/")},
        outputs=[
            ProcessingOutput(
                output_name="clean",
                source="/opt/ml/processing/clean",
                destination=S3Location.from_bucket(bucket, "clean"),
            )
        ],
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    template = Template.from_stack(stack)
    data, key_id = logical_id(bucket), logical_id(key)
    arguments = steps_by_name(definition_of(template))["Prep"]["Arguments"]
    # The trailing slash is kept: the job reads, and the role grants, the folder raw/ only.
    assert arguments["ProcessingInputs"][0]["S3Input"]["S3Uri"] == f"s3://${{Ref:{data}}}/raw/"
    assert arguments["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == (
        f"s3://${{Ref:{data}}}/clean"
    )
    found = statements(template, pipeline.step_role_policy)
    assert found["ReadDataInDataBucket"]["Resource"] == s3_arn([{"Ref": data}, "/raw/*"])
    assert found["WriteDataInDataBucket"] == {
        "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
        "Effect": "Allow",
        "Resource": s3_arn([{"Ref": data}, "/clean*"]),
        "Sid": "WriteDataInDataBucket",
    }
    assert found["UseKeyOfDataInDataBucket"] == {
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [key_id, "Arn"]},
        "Sid": "UseKeyOfDataInDataBucket",
    }


@pytest.mark.parametrize("given", ["imported", "imported-by-name", "name-in-json"])
def test_the_key_of_an_imported_bucket_or_of_a_bucket_named_in_json_is_granted(given: str):
    # An imported bucket is known by its location, or by its literal name written into the
    # definition (a Join, an f-string); a JSON definition names a bucket of the app by its
    # name token, found in the construct tree: every key is granted.
    stack = new_stack()
    key = kms.Key(stack, "DataKey")
    if given.startswith("imported"):
        # Imported in another stack of the app: the name is the same bucket anywhere.
        env = cdk.Environment(account=stack.account, region=stack.region)
        scope = (
            stack
            if given == "imported"
            else cdk.Stack(cast(cdk.App, stack.node.root), "Shared", env=env)
        )
        if scope is not stack:
            cdk.CfnWaitConditionHandle(scope, "NotEmpty")  # a template needs a resource
        bucket = s3.Bucket.from_bucket_attributes(
            scope, "Data", bucket_name="imported-data", encryption_key=key
        )
        prep = ProcessingStep(
            name="Prep",
            image=Image.sklearn("1.2-1"),
            inputs={
                "raw": S3Location.from_bucket(bucket, "raw/")
                if given == "imported"
                else Join(on="", values=["s3://", bucket.bucket_name, "/raw/"])
            },
        )
        definition: Any = PipelineDefinition(steps=[prep])
    else:
        bucket = s3.Bucket(stack, "Data", encryption_key=key)
        definition = literal_definition()
        inputs = definition["Steps"][0]["Arguments"]["ProcessingInputs"]
        inputs[0]["S3Input"]["S3Uri"] = f"s3://{bucket.bucket_name}/raw/"
    pipeline = Pipeline(stack, "Training", definition=definition)
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    uses = [entry for sid, entry in found.items() if sid.startswith("UseKeyOf")]
    assert {"Fn::GetAtt": [logical_id(key), "Arn"]} in [entry["Resource"] for entry in uses]


def test_the_key_of_a_bucket_imported_by_name_is_the_one_of_the_pipelines_own_stage():
    # One stage per environment, each importing the shared bucket's name with its own
    # environment's key: each pipeline gets its own stage's key, never another stage's
    # (which its template could refer to only through a cross-stage reference).
    app = cdk.App()
    stacks: dict[str, tuple[cdk.Stack, kms.Key, Pipeline]] = {}
    for name, account in (("dev", ACCOUNT), ("prod", "444455556666")):
        stage = cdk.Stage(app, name, env=cdk.Environment(account=account, region=REGION))
        stack = cdk.Stack(stage, "MlOps")
        key = kms.Key(stack, "DataKey")
        bucket = s3.Bucket.from_bucket_attributes(
            stack, "Data", bucket_name="imported-data", encryption_key=key
        )
        prep = ProcessingStep(
            name="Prep",
            image=Image.sklearn("1.2-1"),
            inputs={"raw": Join(on="", values=["s3://", bucket.bucket_name, "/raw/"])},
        )
        pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
        stacks[name] = (stack, key, pipeline)
    assembly = app.synth()
    for name, (stack, key, pipeline) in stacks.items():
        template = Template.from_json(
            assembly.get_nested_assembly(f"assembly-{name}")
            .get_stack_by_name(stack.stack_name)
            .template
        )
        found = statements(template, pipeline.step_role_policy)
        keys = [entry["Resource"] for sid, entry in found.items() if sid.startswith("UseKeyOf")]
        assert {"Fn::GetAtt": [logical_id(key), "Arn"]} in keys, name
        assert "Fn::GetStackOutput" not in json.dumps(template.to_json()), name


def test_the_key_of_a_bucket_imported_by_name_is_its_own_stacks_and_never_elsewhere():
    # A bucket name the definition writes out is looked up among the app's imports: the
    # pipeline's own stack's import wins over another stack's of the same environment (found
    # first in the tree), and an import of another environment or of another stage, whose
    # key the template can't refer to, is never used.
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    keys: dict[str, kms.Key] = {}
    for stack_id, stack_env, name in (
        ("Other", env, "imported-data"),  # same environment, created before the pipeline's
        ("Elsewhere", cdk.Environment(account="444455556666", region=REGION), "far-data"),
    ):
        other = cdk.Stack(app, stack_id, env=stack_env)
        keys[stack_id] = kms.Key(other, "DataKey")
        s3.Bucket.from_bucket_attributes(
            other, "Data", bucket_name=name, encryption_key=keys[stack_id]
        )
    stage_stack = cdk.Stack(cdk.Stage(app, "Prod", env=env), "MlOps")
    keys["Prod"] = kms.Key(stage_stack, "DataKey")
    s3.Bucket.from_bucket_attributes(
        stage_stack, "Data", bucket_name="staged-data", encryption_key=keys["Prod"]
    )
    stack = cdk.Stack(app, "MlOps", env=env)
    keys["MlOps"] = kms.Key(stack, "DataKey")
    s3.Bucket.from_bucket_attributes(
        stack, "Data", bucket_name="imported-data", encryption_key=keys["MlOps"]
    )
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={
            name: Join(on="", values=["s3://", name, "/raw/"])
            for name in ("imported-data", "far-data", "staged-data")
        },
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    uses = {sid: entry["Resource"] for sid, entry in found.items() if sid.startswith("UseKeyOf")}
    reads = {sid: entry["Resource"] for sid, entry in found.items() if sid.startswith("Read")}
    assert reads["ReadDataInImportedDataBucket"] == s3_arn("imported-data/raw/*")
    assert uses == {
        "UseKeyOfDataInImportedDataBucket": {"Fn::GetAtt": [logical_id(keys["MlOps"]), "Arn"]}
    }


def test_read_only_use_of_a_kms_bucket_only_decrypts():
    stack = new_stack()
    key = kms.Key(stack, "DataKey")
    bucket = s3.Bucket(stack, "Data", encryption_key=key)
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), inputs={"raw": S3Location.from_bucket(bucket)}
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    assert found["UseKeyOfDataInDataBucket"]["Action"] == "kms:Decrypt"
    # The whole bucket: listing without a prefix condition.
    assert "Condition" not in found["ListDataInDataBucket"]
    assert found["ReadDataInDataBucket"]["Resource"] == s3_arn([{"Ref": logical_id(bucket)}, "/*"])


def test_listing_a_whole_bucket_keeps_the_prefix_condition_of_other_buckets():
    # Whether a bucket may be listed whole depends on that bucket's locations only.
    stack = new_stack()
    bucket = s3.Bucket(stack, "Data")
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": S3Location.from_bucket(bucket), "labels": "s3://labels-bucket/labels/"},
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    listings = {
        json.dumps(entry["Resource"]): entry.get("Condition")
        for sid, entry in found.items()
        if sid.startswith("ListData")
    }
    assert listings == {
        json.dumps(s3_arn([{"Ref": logical_id(bucket)}])): None,
        json.dumps(s3_arn("labels-bucket")): {"StringLike": {"s3:prefix": ["labels/*"]}},
    }


@pytest.mark.parametrize("whole", ["read", "written"])
def test_a_bucket_read_or_written_whole_is_listed_whole(whole: str):
    # One whole location in a bucket, read or written, lists all of it.
    stack = new_stack()
    bucket = s3.Bucket(stack, "Data")
    read, written = (
        (S3Location.from_bucket(bucket), S3Location.from_bucket(bucket, "clean"))
        if whole == "read"
        else (S3Location.from_bucket(bucket, "raw/"), S3Location.from_bucket(bucket))
    )
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        inputs={"raw": read},
        outputs=[
            ProcessingOutput(
                output_name="clean", source="/opt/ml/processing/clean", destination=written
            )
        ],
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    found = statements(Template.from_stack(stack), pipeline.step_role_policy)
    assert found["ListDataInDataBucket"]["Resource"] == s3_arn([{"Ref": logical_id(bucket)}])
    assert "Condition" not in found["ListDataInDataBucket"]


@pytest.mark.parametrize("swapped", [None, "key", "bucket"])
def test_the_artifact_bucket_gets_the_key_that_encrypts_it(swapped: str | None):
    # The store's bucket is known to be encrypted with the key the store made it with; a
    # key or a bucket swapped on the store afterwards doesn't change that bucket's key.
    stack = new_stack()
    store = ArtifactStore(stack, "Store")
    bucket_key = logical_id(store.key)
    if swapped == "key":
        store.key = kms.Key(stack, "Other")
    elif swapped == "bucket":
        store.bucket = s3.Bucket(stack, "Existing")  # SSE-S3: no key
    prep = ProcessingStep(name="Prep", image=Image.sklearn("1.2-1"), outputs=["train"])
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[prep]), artifact_store=store
    )

    found = statements(Template.from_stack(stack), pipeline.step_role_policy)

    if swapped == "bucket":
        # The replacement is still the artifact bucket, named so, without a key.
        assert "WriteDataInArtifactsBucket" in found
        assert "UseKeyOfDataInArtifactsBucket" not in found
    else:
        assert found["UseKeyOfDataInArtifactsBucket"]["Resource"] == {
            "Fn::GetAtt": [bucket_key, "Arn"]
        }


def test_default_outputs_go_under_executions_and_models_under_models(env_specific):
    pipeline, template = env_specific
    bucket = logical_id(pipeline.artifact_store.bucket)
    steps = steps_by_name(definition_of(template))
    name, execution = {"Get": "Execution.PipelineName"}, {"Get": "Execution.PipelineExecutionId"}
    output = steps["Prep"]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
    # Step first: a grant on Prep's outputs (executions/<pipeline>/Prep/*/…) stays under Prep.
    assert output["S3Uri"] == {
        "Std:Join": {
            "On": "/",
            "Values": [f"s3://${{Ref:{bucket}}}", "executions", name, "Prep", execution, "train"],
        }
    }
    model = steps["Train"]["Arguments"]["OutputDataConfig"]["S3OutputPath"]
    assert model == {
        "Std:Join": {
            "On": "/",
            "Values": [f"s3://${{Ref:{bucket}}}", "models", name, "Train", execution, "model"],
        }
    }
    found = statements(template, pipeline.step_role_policy)
    artifacts = next(
        sid
        for sid, entry in found.items()
        if sid.startswith("Write") and bucket in str(entry["Resource"])
    )
    assert found[artifacts]["Resource"] == [
        s3_arn([{"Ref": bucket}, "/executions/churn/Prep/*/train*"]),
        s3_arn([{"Ref": bucket}, "/models/churn/Train/*/model*"]),
    ]


def test_outputs_a_registered_version_refers_to_go_under_models():
    # A version's metrics must outlive the executions/ lifecycle and be readable by the
    # accounts models/ is shared with; an output merely named "model" is not kept.
    stack = new_stack()
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        outputs=["model", "report", "bias", "scratch"],
    )
    train = TrainingStep(name="Train", image=Image.sklearn("1.2-1"))
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image=Image.sklearn("1.2-1", scope="inference"),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[evaluate.output("report"), "evaluation.json"])
            ),
            bias_report=MetricsSource(
                s3_uri=Join(
                    on="/",
                    values=[
                        evaluate.properties.ProcessingOutputConfig.Outputs[2].S3Output.S3Uri,
                        "bias.json",
                    ],
                )
            ),
        ),
    )
    pipeline = Pipeline(
        stack, "Training", definition=PipelineDefinition(steps=[register]), pipeline_name="churn"
    )
    template = Template.from_stack(stack)
    bucket = logical_id(pipeline.artifact_store.bucket)
    outputs = steps_by_name(definition_of(template))["Evaluate"]["Arguments"][
        "ProcessingOutputConfig"
    ]["Outputs"]
    prefixes = {
        output["OutputName"]: output["S3Output"]["S3Uri"]["Std:Join"]["Values"][:2]
        for output in outputs
    }
    artifacts = f"s3://${{Ref:{bucket}}}"
    assert prefixes == {
        "model": [artifacts, "executions"],
        "report": [artifacts, "models"],
        "bias": [artifacts, "models"],
        "scratch": [artifacts, "executions"],
    }
    written = [
        entry["Resource"]
        for sid, entry in statements(template, pipeline.step_role_policy).items()
        if sid.startswith("Write") and bucket in str(entry["Resource"])
    ]
    assert written == [
        [
            s3_arn([{"Ref": bucket}, "/executions/churn/Evaluate/*/model*"]),
            s3_arn([{"Ref": bucket}, "/executions/churn/Evaluate/*/scratch*"]),
            s3_arn([{"Ref": bucket}, "/models/churn/Evaluate/*/bias*"]),
            s3_arn([{"Ref": bucket}, "/models/churn/Evaluate/*/report*"]),
            s3_arn([{"Ref": bucket}, "/models/churn/Train/*/model*"]),
        ]
    ]


def test_every_job_gets_the_artifact_key_unless_it_sets_its_own():
    stack = new_stack()
    own = "arn:aws:kms:us-east-1:111122223333:key/own-key"
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), outputs=["out"], volume_kms_key=own
    )
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep]))
    template = Template.from_stack(stack)
    artifact_key = f"${{GetAtt:{logical_id(pipeline.artifact_store.key)}.Arn}}"
    arguments = steps_by_name(definition_of(template))["Prep"]["Arguments"]
    assert arguments["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == own
    assert arguments["ProcessingOutputConfig"]["KmsKeyId"] == artifact_key
    found = statements(template, pipeline.role_policy)
    assert found["LetJobsUseTheirKeys"]["Resource"] == [
        own,
        {"Fn::GetAtt": [logical_id(pipeline.artifact_store.key), "Arn"]},
    ]
    assert resource(template, logical_id(pipeline.cfn_pipeline))["Type"] == (
        "AWS::SageMaker::Pipeline"
    )


def _outdir(scope: Any) -> str:
    stage = cdk.Stage.of(scope)
    assert stage is not None
    return stage.outdir


def test_a_large_code_folder_is_packed_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Model weights left in a source folder were packed and uploaded without a word.
    from aws_cdk.assertions import Annotations, Match

    from cdk_sagemaker_pipelines import _code_files

    monkeypatch.setattr(_code_files, "LARGE_CODE_BYTES", 10)  # not 100 MB of test data
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("print('a script, and weights beside it')\n")
    stack = new_stack()
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_asset(source, entry_point="train.py"),
    )
    Pipeline(stack, "Training", definition=PipelineDefinition(steps=[train]))
    (warning,) = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("large-code-folder")
    )
    assert f"code folder {str(source)!r} holds 0 MB of files" in str(warning.entry.data)
