"""``smpipe graph``: a pipeline definition as a Mermaid diagram.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe graph build/pipeline.json
    smpipe graph cdk.out --pipeline dev/MlOps/Training --markdown --output graph.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._sources import SourceError, load_source
from .mermaid import mermaid

EXIT_OK = 0
EXIT_UNREADABLE = 2


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
