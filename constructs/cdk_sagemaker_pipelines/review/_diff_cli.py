"""``smpipe diff``: what changed between two pipeline definitions.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    cdk synth -o /tmp/base          # on main
    cdk synth                       # on the branch
    smpipe diff /tmp/base cdk.out --pipeline dev/MlOps/Training --markdown
    smpipe diff /tmp/base cdk.out      # every pipeline of both, by construct path
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ._sources import ReviewSource, SourceError, load_source, pipelines_of_both
from .diff import DefinitionDiff, diff_definitions, render_json, render_markdown, render_text

# As diff(1): the same, different, or trouble.
EXIT_EQUAL = 0
EXIT_DIFFERENT = 1
EXIT_UNREADABLE = 2


def register_diff(commands: Any) -> None:
    """Add ``smpipe diff`` to ``smpipe``'s subcommands."""
    diff = commands.add_parser(
        "diff",
        help="what changed between two pipeline definitions (files or cdk.out pipelines)",
        description="Compare two pipeline definitions step by step: each is a definition "
        "JSON file (ours, the SageMaker SDK's, a CreatePipeline request) or a pipeline of a "
        "synthesized cloud assembly (cdk.out). Exit 0 when they are the same, 1 when they "
        "differ, 2 when one can't be read.",
    )
    diff.add_argument("old", metavar="OLD", help="the definition before the change")
    diff.add_argument("new", metavar="NEW", help="the definition after it")
    diff.add_argument(
        "--pipeline",
        metavar="NAME",
        help="the pipeline (name, construct path or logical id) to compare in each cdk.out; "
        "without it, two cdk.out of several pipelines are compared pipeline by pipeline",
    )
    diff.add_argument("--old-pipeline", metavar="NAME", help="the pipeline in OLD's cdk.out")
    diff.add_argument("--new-pipeline", metavar="NAME", help="the pipeline in NEW's cdk.out")
    output = diff.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="print Markdown (a PR comment)")
    output.add_argument("--json", action="store_true", help="print the changes as JSON")
    diff.set_defaults(handler=_diff)


def _diff(args: argparse.Namespace) -> int:
    # Two definition files (a side that doesn't exist is reported as unreadable below).
    if args.pipeline is not None and all(Path(s).is_file() for s in (args.old, args.new)):
        print(
            "smpipe diff: --pipeline chooses the pipeline of a cloud assembly (a cdk.out "
            "directory); neither OLD nor NEW is one",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    chosen = (args.pipeline, args.old_pipeline, args.new_pipeline)
    if all(Path(s).is_dir() for s in (args.old, args.new)) and chosen == (None, None, None):
        pipelines = pipelines_of_both(args.old, args.new, "diff")
        if pipelines is None:
            return EXIT_UNREADABLE
        new_side = [path for path, kind in pipelines if kind != "removed"]
        old_side = [path for path, kind in pipelines if kind != "added"]
        # One pipeline on each side is compared whatever its path (a renamed stage, say).
        if len(new_side) > 1 or len(old_side) > 1:
            return _diff_every_pipeline(args, pipelines)
    sides = (
        (args.old, args.old_pipeline, "--old-pipeline"),
        (args.new, args.new_pipeline, "--new-pipeline"),
    )
    sources: list[ReviewSource] = []
    failed = False
    for source, chosen, option in sides:
        # --pipeline names the pipeline of each assembly; a definition file holds one. A
        # side left unnamed beside one named with --old/--new-pipeline is named the same way.
        # A side that doesn't exist is read as the assembly it would be (a cdk.out not
        # synthesized yet), so its error says so rather than refusing the choice.
        if chosen is None and not Path(source).is_file():
            by_side = args.pipeline is None and (args.old_pipeline or args.new_pipeline)
            chosen, option = args.pipeline, (option if by_side else "--pipeline")
        try:
            sources.append(load_source(source, pipeline=chosen, pipeline_option=option))
        except SourceError as error:
            print(f"smpipe diff: {error}", file=sys.stderr)
            failed = True
    if failed:
        return EXIT_UNREADABLE
    old, new = sources
    labels = (old.label, new.label)
    diff = _compared(old, new, labels)
    if diff is None:
        return EXIT_UNREADABLE
    if diff and not any(Path(side).is_dir() for side in (args.old, args.new)):
        _note_a_change_that_breaks_validation(old, new)
    if args.json:
        print(json.dumps(render_json(diff, labels), indent=2, ensure_ascii=False))
    elif args.markdown:
        sys.stdout.write(render_markdown(diff, labels))
    else:
        sys.stdout.write(render_text(diff, labels))
    return EXIT_DIFFERENT if diff else EXIT_EQUAL


def _note_a_change_that_breaks_validation(old: ReviewSource, new: ReviewSource) -> None:
    """Say so on stderr when OLD validates and NEW doesn't: the change broke the definition.

    Two definition files only: a ``cdk.out``'s pipelines were validated by the synth that
    wrote it (and one whose synth failed is refused). Problems OLD had already are not this
    change's, so nothing is said then. The output and the exit code stay the diff's.
    """
    from ..definition import validate_definition

    if validate_definition(old.definition):
        return
    problems = validate_definition(new.definition)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        print(
            f"smpipe diff: note: {new.label} doesn't validate, where {old.label} did ({count}; "
            f"the first: {problems[0]}): smpipe validate {new.label} lists them",
            file=sys.stderr,
        )


def _compared(
    old: ReviewSource, new: ReviewSource, labels: tuple[str, str]
) -> DefinitionDiff | None:
    """The diff of two sources, or ``None`` (after printing why) when they can't be compared."""
    try:
        return diff_definitions(
            old.definition,
            new.definition,
            old_assets=old.assets,
            new_assets=new.assets,
            old_asset_names=old.asset_names,
            new_asset_names=new.asset_names,
        )
    except ValueError as error:  # nested too deeply: readable, but not comparable
        print(f"smpipe diff: cannot compare {labels[0]} → {labels[1]}: {error}", file=sys.stderr)
        return None


def _diff_every_pipeline(args: argparse.Namespace, pipelines: list[tuple[str, str]]) -> int:
    """Compare two assemblies pipeline by pipeline (matched by construct path).

    In text and Markdown, pipelines whose change is the same (dev, staging and prod of one
    app, say) are reported once, under the first, naming the others; JSON lists each.
    """
    reports: list[dict[str, Any]] = []
    texts: list[str] = []
    # Per rendering without labels: its index in texts, and the other pipelines it stands for.
    same_change: dict[str, tuple[int, list[str]]] = {}
    differ = False
    for path, kind in pipelines:
        if kind != "compared":
            differ = True
            reports.append({"pipeline": path, "kind": kind})
            side = args.new if kind == "added" else args.old
            texts.append(
                f"**Pipeline {kind}** `{path}` (in `{side}`)\n"
                if args.markdown
                else f"pipeline {path} {kind} (in {side})\n"
            )
            continue
        try:
            old = load_source(args.old, pipeline=path)
            new = load_source(args.new, pipeline=path)
        except SourceError as error:
            print(f"smpipe diff: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
        labels = (f"{args.old}:{path}", f"{args.new}:{path}")
        diff = _compared(old, new, labels)
        if diff is None:
            return EXIT_UNREADABLE
        differ = differ or bool(diff)
        reports.append({"pipeline": path, "kind": "compared", **render_json(diff, labels)})
        render = render_markdown if args.markdown else render_text
        unlabelled = render(diff)
        first = same_change.get(unlabelled)
        if first is not None:
            first[1].append(path)
            continue
        same_change[unlabelled] = (len(texts), [])
        texts.append(render(diff, labels))
    for index, others in same_change.values():
        if others:
            texts[index] = _also_in(texts[index], others, markdown=args.markdown)
    if args.json:
        print(json.dumps({"pipelines": reports}, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write("\n".join(texts))
    return EXIT_DIFFERENT if differ else EXIT_EQUAL


def _also_in(text: str, others: list[str], *, markdown: bool) -> str:
    """``text`` with its summary line naming the other pipelines whose change it is too."""
    summary, _, rest = text.partition("\n")
    names = ", ".join(f"`{path}`" if markdown else path for path in others)
    return f"{summary} (the same in {names})\n{rest}"
