"""``smpipe access``: what each step's role may do, and what a change does to it.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe access cdk.out --pipeline dev/MlOps/Training
    smpipe access /tmp/base cdk.out --pipeline dev/MlOps/Training --markdown
    smpipe access cdk.out --base /tmp/base --pipeline dev/MlOps/Training --fail-on-widening
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ._sources import SourceError
from .access import (
    AccessReport,
    access_report,
    diff_access,
    render_access_diff_json,
    render_access_diff_markdown,
    render_access_diff_text,
    render_access_json,
    render_access_markdown,
    render_access_text,
)

EXIT_OK = 0
EXIT_WIDENS = 1  # with --fail-on-widening only
EXIT_UNREADABLE = 2


def register_access(commands: Any) -> None:
    """Add ``smpipe access`` to ``smpipe``'s subcommands."""
    access = commands.add_parser(
        "access",
        help="what each step's IAM role may do (S3, KMS, ECR, …), and what a change does to it",
        description="Print, per step of a pipeline of a synthesized cloud assembly (cdk.out), "
        "the role its job runs as, and what each role's policies allow, grouped: S3 reads and "
        "writes (bucket by construct path, key patterns), KMS keys, ECR repositories, logs and "
        "metrics, network, SageMaker, pass role, other; then the pipeline role's. Given two "
        "assemblies (BASE HEAD, or HEAD --base BASE), print what changed role by role. Exit 0; "
        "with --fail-on-widening 1 when a role gains access; 2 when an assembly can't be read.",
    )
    access.add_argument("source", metavar="CDK_OUT", help="the cloud assembly (HEAD, with two)")
    access.add_argument(
        "head", metavar="HEAD_CDK_OUT", nargs="?", help="compare CDK_OUT (the base) to this one"
    )
    access.add_argument("--base", metavar="BASE_CDK_OUT", help="compare this assembly to CDK_OUT")
    access.add_argument(
        "--pipeline",
        metavar="NAME",
        help="the pipeline's name, construct path or logical id (needed when an assembly "
        "holds several)",
    )
    output = access.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="print Markdown (a PR comment)")
    output.add_argument("--json", action="store_true", help="print JSON (for tools)")
    access.add_argument(
        "--fail-on-widening",
        action="store_true",
        help="with two assemblies: exit 1 when a role (or a step, through its new role) may "
        "do more than before",
    )
    access.set_defaults(handler=_access)


def _access(args: argparse.Namespace) -> int:
    if args.head is not None and args.base is not None:
        print("smpipe access: give BASE HEAD or HEAD --base BASE, not both", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.head is not None:
        base_dir, head_dir = args.source, args.head
    else:
        base_dir, head_dir = args.base, args.source
    reports: list[AccessReport] = []
    for directory in (base_dir, head_dir):
        if directory is None:
            continue
        try:
            reports.append(access_report(Path(directory), pipeline=args.pipeline))
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
    if len(reports) == 1:
        if args.fail_on_widening:
            print(
                "smpipe access: --fail-on-widening compares two assemblies (BASE HEAD)",
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
        (report,) = reports
        if args.json:
            print(json.dumps(render_access_json(report), indent=2, ensure_ascii=False))
        elif args.markdown:
            sys.stdout.write(render_access_markdown(report))
        else:
            sys.stdout.write(render_access_text(report))
        return EXIT_OK
    diff = diff_access(*reports)
    if args.json:
        print(json.dumps(render_access_diff_json(diff), indent=2, ensure_ascii=False))
    elif args.markdown:
        sys.stdout.write(render_access_diff_markdown(diff))
    else:
        sys.stdout.write(render_access_diff_text(diff))
    return EXIT_WIDENS if args.fail_on_widening and diff.widens else EXIT_OK
