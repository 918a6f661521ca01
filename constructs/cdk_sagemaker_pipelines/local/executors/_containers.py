"""Model containers (Model, RegisterModel, Transform): where their model data and code are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import StepError
from ..store import Located, StepStore

PROGRAM = "SAGEMAKER_PROGRAM"
SUBMIT_DIRECTORY = "SAGEMAKER_SUBMIT_DIRECTORY"


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
    submit = environment.get(SUBMIT_DIRECTORY)
    if submit:
        code = store.locate(submit)
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
        program=environment.get(PROGRAM),
        environment=environment,
    )
