"""``smpipe graph``: a pipeline definition as a Mermaid diagram.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe graph build/pipeline.json
    smpipe graph cdk.out --pipeline dev/MlOps/Training --markdown --output graph.md
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from ._sources import SourceError, load_source
from .mermaid import mermaid

EXIT_OK = 0
EXIT_UNREADABLE = 2
# Mermaid's defaults (its config's maxEdges and maxTextSize), which GitHub keeps: past
# either, a pull request shows an error box where the diagram should be.
MERMAID_MAX_EDGES = 500
MERMAID_MAX_TEXT = 50_000
# An edge line: two ids and an arrow, with no quote (every node line has a quoted label).
_EDGE = re.compile(r"^\s+[A-Za-z0-9_]+ (?:-->(?:\|[^|]*\|)?|-\.->|-\.-) [A-Za-z0-9_]+$")


def register_graph(commands: Any) -> None:
    """Add ``smpipe graph`` to ``smpipe``."""
    graph = commands.add_parser(
        "graph",
        help="draw a pipeline definition as a Mermaid flowchart (for reviews)",
        description="Print a Mermaid flowchart of a pipeline definition: its steps (branch "
        "steps included), data dependencies (solid arrows), DependsOn (dotted arrows) and "
        "Condition branches (arrows labelled if / else). SOURCE is a definition JSON file "
        "(ours, the SageMaker SDK's or a CreatePipeline request) or a synthesized cloud "
        "assembly (cdk.out). Exit 0, or 2 when the source can't be read.",
    )
    graph.add_argument("source", metavar="SOURCE", help="a definition JSON file or a cdk.out")
    graph.add_argument(
        "--pipeline",
        metavar="NAME",
        help="with a cdk.out: the pipeline's name, construct path or logical id "
        "(needed when it holds several)",
    )
    graph.add_argument(
        "--markdown",
        action="store_true",
        help="print a ```mermaid fenced block, ready for a pull request comment",
    )
    graph.add_argument(
        "--parameters",
        action="store_true",
        help="also draw the parameters (type, default) and the steps that use them",
    )
    graph.add_argument("--output", metavar="FILE", help="write the diagram to FILE")
    graph.set_defaults(handler=_graph)


def _graph(args: argparse.Namespace) -> int:
    try:
        source = load_source(args.source, pipeline=args.pipeline)
    except SourceError as error:
        print(f"smpipe graph: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    text = mermaid(source.definition, parameters=args.parameters)
    note = too_big_to_render(text, parameters=args.parameters)
    if note:
        print(f"smpipe graph: note: {note}", file=sys.stderr)
    if args.markdown:
        text = f"```mermaid\n{text}```\n"
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        print(
            f"smpipe graph: {args.output}: cannot write: {error.strerror or error}", file=sys.stderr
        )
        return EXIT_UNREADABLE
    return EXIT_OK


def too_big_to_render(text: str, *, parameters: bool = False) -> str | None:
    """Why Mermaid, as GitHub runs it, would refuse to draw ``text``; None when it draws it.

    A pipeline of a few hundred steps can pass Mermaid's default limits (500 edges, 50,000
    characters): GitHub then shows "Too many edges" or "Maximum text size in diagram
    exceeded" in the pull request instead of the diagram.
    """
    edges = sum(1 for line in text.splitlines() if _EDGE.match(line))
    if edges <= MERMAID_MAX_EDGES and len(text) <= MERMAID_MAX_TEXT:
        return None
    fewer = "leave out --parameters, or " if parameters else ""
    return (
        f"the diagram has {edges:,} edges and {len(text):,} characters, more than the "
        f"{MERMAID_MAX_EDGES} edges or {MERMAID_MAX_TEXT:,} characters Mermaid draws by "
        "default: GitHub shows an error instead of it. To review it there, "
        f"{fewer}render it where Mermaid's maxEdges and maxTextSize can be raised (mermaid-cli "
        "with a config file), or review the change with smpipe diff"
    )
