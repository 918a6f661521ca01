"""The reference app's stacks: one Stage per environment, each with one MlOps stack."""

from .config import EnvironmentConfig, load_environments
from .stage import MlOpsStage

__all__ = ["EnvironmentConfig", "MlOpsStage", "load_environments"]
