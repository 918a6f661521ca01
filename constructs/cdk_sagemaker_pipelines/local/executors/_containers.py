"""Model containers (Model, RegisterModel, Transform): where their model data and code are."""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import StepError
from ..store import Located, StepStore

PROGRAM = "SAGEMAKER_PROGRAM"
SUBMIT_DIRECTORY = "SAGEMAKER_SUBMIT_DIRECTORY"
# Where an inference container unpacks the model data: code may be packed in it.
MODEL_DIRECTORY = "/opt/ml/model"


@dataclass(frozen=True, slots=True)
class LocalContainer:
    """A container's model data file and inference code, found locally.

    Example::

        container = locate_container(arguments["PrimaryContainer"], store, "PrimaryContainer")
        container.model_data  # Path to model.tar.gz, or the folder of an uncompressed model
    """

    image: str | None
    model_data: Path | None
    code: Located | None
    program: str | None
    environment: Mapping[str, str]
    # The code's directory inside the model data (``code``), when it is packed there.
    code_in_model: str | None = None
    # Model data read as it is (ModelDataSource's CompressionType None), not extracted.
    uncompressed: bool = False


def locate_container(container: Mapping[str, Any], store: StepStore, where: str) -> LocalContainer:
    """Resolve ``ModelDataUrl`` and ``SAGEMAKER_SUBMIT_DIRECTORY`` (raises ``StepError``)."""
    environment = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
    model_data = None
    url = container.get("ModelDataUrl")
    if isinstance(url, str) and url:
        model_data = store.local_file(url, f"{where}.ModelDataUrl")
    source = container.get("ModelDataSource")
    uncompressed = False
    if model_data is None and source:
        model_data = _model_data_source(source, store, where)
        s3 = source.get("S3DataSource") if isinstance(source, Mapping) else None
        uncompressed = isinstance(s3, Mapping) and s3.get("CompressionType") != "Gzip"
    code = None
    code_in_model = None
    submit = environment.get(SUBMIT_DIRECTORY)
    program = environment.get(PROGRAM)
    if submit and not submit.startswith("s3://"):
        code_in_model = packed_code_directory(submit, program, model_data, where)
    elif submit:
        code = store.locate(submit, f"{where}.Environment.{SUBMIT_DIRECTORY}")
        if code is None:
            raise StepError(
                f"{where}: no inference code at {submit} ({SUBMIT_DIRECTORY})"
                + store.missing_hint(submit)
            )
    image = container.get("Image")
    return LocalContainer(
        image=image if isinstance(image, str) else None,
        model_data=model_data,
        code=code,
        program=program,
        environment=environment,
        code_in_model=code_in_model,
        uncompressed=uncompressed,
    )


def _model_data_source(source: Any, store: StepStore, where: str) -> Path:
    """The local file or folder of ``ModelDataSource.S3DataSource`` (raises ``StepError``).

    A ``model.tar.gz`` (``S3Object``, ``Gzip``) is a file, as ``ModelDataUrl``'s; an
    uncompressed model is a folder (``S3Prefix``) or one file (``S3Object``), copied to
    ``/opt/ml/model`` as it is.
    """
    field = f"{where}.ModelDataSource.S3DataSource"
    s3 = source.get("S3DataSource") if isinstance(source, Mapping) else None
    uri = s3.get("S3Uri") if isinstance(s3, Mapping) else None
    if not isinstance(uri, str) or not uri:
        raise StepError(f"{field}: no S3Uri; the local runner reads model data from S3 only")
    assert isinstance(s3, Mapping)
    if s3.get("S3DataType") == "S3Object":
        return store.local_file(uri, f"{field}.S3Uri")
    located = store.locate(uri, f"{field}.S3Uri")
    if located is None:
        raise StepError(f"{field}.S3Uri: no model data under {uri}{store.missing_hint(uri)}")
    if located.kind != "dir":
        raise StepError(
            f"{field}.S3Uri: {uri} is one object, but S3DataType is S3Prefix (the files under "
            "a folder): use S3Object, or the folder's URI ending with '/'"
        )
    return located.path


def packed_code_directory(
    submit: str, program: str | None, model_data: Path | None, where: str
) -> str | None:
    """The directory of code packed in the model data (``/opt/ml/model/code`` -> ``code``).

    Checked now, as the service would only find out when a container starts.
    """
    directory = posixpath.normpath(submit)
    if directory != MODEL_DIRECTORY and not directory.startswith(MODEL_DIRECTORY + "/"):
        raise StepError(
            f"{where}: {SUBMIT_DIRECTORY} {submit!r} is neither an S3 URI nor a directory "
            f"inside the model ({MODEL_DIRECTORY}/…): pack the code in model.tar.gz and use "
            f"{MODEL_DIRECTORY}/code, or give the step code="
        )
    if model_data is None:
        raise StepError(
            f"{where}: {SUBMIT_DIRECTORY} is {submit}, inside the model, but the container "
            "has no model data (ModelDataUrl)"
        )
    relative = posixpath.relpath(directory, MODEL_DIRECTORY)  # "." for the model's root
    wanted = posixpath.normpath(posixpath.join(relative, program)) if program else relative
    if model_data.is_dir():  # uncompressed model data: the files as /opt/ml/model holds them
        names = {
            posixpath.normpath(path.relative_to(model_data).as_posix())
            for path in model_data.rglob("*")
        }
        names.add(".")
    else:
        try:
            with tarfile.open(model_data, "r:*") as archive:
                names = {posixpath.normpath(name) for name in archive.getnames()}
        except (OSError, tarfile.TarError) as error:
            raise StepError(
                f"{where}: can't read the model data {model_data.name}: {error}"
            ) from None
    if wanted not in names:
        raise StepError(
            f"{where}: {SUBMIT_DIRECTORY} is {submit}, but the model data has no {wanted} "
            f"(have the training script copy the serving code to $SM_MODEL_DIR/{wanted})"
        )
    return relative
