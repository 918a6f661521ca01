"""What a code folder holds that no job reads: caches, version control, editors' files.

Left out of the archives the CDK constructs deploy (``cdk._archive``) and of what the local
runner packs and hashes for a step (``local.store``), so a save in an editor or a
``git status`` changes neither an asset's hash nor a cached step.
"""

from __future__ import annotations

# Folders (and, for ``.git``, the file a worktree or submodule has instead).
SKIPPED_DIRECTORIES = frozenset(
    {
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        ".idea",
        ".vscode",
    }
)
SKIPPED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", ".swo", "~")
# Emacs' lock files (``.#train.py``): symbolic links to nowhere, which reading would fail on.
SKIPPED_PREFIXES = (".#",)


def is_skipped(name: str) -> bool:
    """Whether a file or folder of this ``name`` in a code folder is left out.

    Example::

        is_skipped("train.py.swp"), is_skipped("requirements.txt")  # (True, False)
    """
    return (
        name in SKIPPED_DIRECTORIES
        or name in SKIPPED_FILES
        or name.endswith(SKIPPED_SUFFIXES)
        or name.startswith(SKIPPED_PREFIXES)
    )
