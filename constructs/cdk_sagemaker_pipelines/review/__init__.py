"""Review tools for pipeline definitions: what a reviewer of a change wants to see.

Pure Python (no ``aws_cdk``): they read definition JSON files or a synthesized cloud
assembly (``cdk.out``), the same inputs ``smpipe validate`` and ``smpipe run`` take.

Example::

    from cdk_sagemaker_pipelines.review import (
        diff_definitions, load_source, mermaid, render_text
    )

    source = load_source("cdk.out", pipeline="dev/MlOps/Training")
    print(source.label, len(source.definition["Steps"]))
    print(mermaid(source.definition))  # smpipe graph

    diff = diff_definitions(load_source("base.json").definition, source.definition)
    print(render_text(diff))
"""

from __future__ import annotations

from ._sources import ReviewSource, SourceError, load_source
from .diff import (
    ABSENT,
    Change,
    DefinitionDiff,
    diff_definitions,
    format_value,
    render_json,
    render_markdown,
    render_text,
    summary,
)
from .mermaid import mermaid

__all__ = [
    "ABSENT",
    "Change",
    "DefinitionDiff",
    "ReviewSource",
    "SourceError",
    "diff_definitions",
    "format_value",
    "load_source",
    "mermaid",
    "render_json",
    "render_markdown",
    "render_text",
    "summary",
]
