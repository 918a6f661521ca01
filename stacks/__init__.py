"""The reference app's stacks: one Stage per environment, each with one MlOps stack."""

from .config import EnvironmentConfig, SourceRevision, load_environments, source_revision
from .stage import MlOpsStage

__all__ = [
    "EnvironmentConfig",
    "MlOpsStage",
    "SourceRevision",
    "load_environments",
    "source_revision",
]
