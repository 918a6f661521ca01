"""The local runner's errors: ``LocalRunError`` for the caller, ``StepError`` inside a run."""

from __future__ import annotations

from typing import Any

from ..definition import PipelineDefinitionError


class LocalRunError(PipelineDefinitionError):
    """A pipeline can't be run locally as asked (bad input, missing mapping, unknown execution).

    A step that fails while running is not an error: it is recorded in the execution's
    result, which ends ``Failed``. This is raised before or outside a run.

    Example::

        try:
            LocalRunner(LocalConfig(root=".smpipe")).resume("nosuchid")
        except LocalRunError as error:
            print(error)  # no execution 'nosuchid' under .smpipe/executions
    """


class StepError(Exception):
    """A step attempt failed; ``reason`` becomes the step's ``FailureReason``.

    ``exception_type`` names a service fault (``Step.SERVICE_FAULT``,
    ``SageMaker.CAPACITY_ERROR``, …) that retry policies may retry; script errors have
    none. ``halts`` is set by Fail steps: nothing else starts after one.

    Example::

        raise StepError("AlgorithmError: the script exited with code 1")
    """

    def __init__(
        self,
        reason: str,
        *,
        exception_type: str | None = None,
        halts: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.exception_type = exception_type
        self.halts = halts
        self.metadata = metadata or {}


class EvaluationError(Exception):
    """An expression (``Get``, ``Std:Join``, ``Std:JsonGet``) or condition can't be evaluated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnmappableS3UriError(StepError):
    """An S3 URI the runner refuses to map to a local path (``_paths.s3_location_problem``).

    ``field`` names where the URI came from (``input 'raw'``); the store adds it with
    ``named`` when the URI is read or written.

    Example::

        error = UnmappableS3UriError("s3://b/../x", "its key has a '..' segment, …")
        raise error.named("input 'raw'")
        # input 'raw': refusing s3://b/../x: its key has a '..' segment, …
    """

    def __init__(self, uri: str, problem: str, field: str | None = None) -> None:
        prefix = f"{field}: " if field else ""
        super().__init__(f"{prefix}refusing {uri}: {problem}")
        self.uri = uri
        self.problem = problem
        self.field = field

    def named(self, field: str) -> UnmappableS3UriError:
        """The same refusal, naming the field the URI is in."""
        return UnmappableS3UriError(self.uri, self.problem, field)


class AccessDeniedError(StepError):
    """An S3 request the job's role doesn't allow (``local/iam.py``), as the service refuses it.

    Example::

        raise AccessDeniedError("AccessDenied (simulated …): role … may not s3:GetObject …")
    """
