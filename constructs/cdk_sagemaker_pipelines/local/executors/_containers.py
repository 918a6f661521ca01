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
        container.model_data  # Path to model.tar.gz
    """

    image: str | None
    model_data: Path | None
    code: Located | None
    program: str | None
    environment: Mapping[str, str]
    # The code's directory inside the model data (``code``), when it is packed there.
    code_in_model: str | None = None


def locate_container(container: Mapping[str, Any], store: StepStore, where: str) -> LocalContainer:
    """Resolve ``ModelDataUrl`` and ``SAGEMAKER_SUBMIT_DIRECTORY`` (raises ``StepError``)."""
    environment = {str(k): str(v) for k, v in (container.get("Environment") or {}).items()}
    model_data = None
    url = container.get("ModelDataUrl")
    if isinstance(url, str) and url:
        model_data = store.local_file(url, f"{where}.ModelDataUrl")
    elif container.get("ModelDataSource"):
        raise StepError(f"{where}: ModelDataSource is not supported locally; use ModelDataUrl")
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
    )


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
    try:
        with tarfile.open(model_data, "r:*") as archive:
            names = {posixpath.normpath(name) for name in archive.getnames()}
    except (OSError, tarfile.TarError) as error:
        raise StepError(f"{where}: can't read the model data {model_data.name}: {error}") from None
    if wanted not in names:
        raise StepError(
            f"{where}: {SUBMIT_DIRECTORY} is {submit}, but the model data has no {wanted} "
            f"(have the training script copy the serving code to $SM_MODEL_DIR/{wanted})"
        )
    return relative
