"""``smpipe access``: what each step's role may do, and what a change does to it.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe access cdk.out --pipeline dev/MlOps/Training
    smpipe access /tmp/base cdk.out --pipeline dev/MlOps/Training --markdown
    smpipe access cdk.out --base /tmp/base --pipeline dev/MlOps/Training --fail-on-widening
    smpipe access /tmp/base cdk.out --fail-on-widening  # every pipeline, by construct path
    smpipe access cdk.out --stack StagingMl/Endpoint  # a stack that holds no pipeline
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from ._sources import SourceError, pipelines_of_both
from .access import (
    AccessDiff,
    AccessReport,
    RoleAccess,
    access_report,
    diff_access,
    render_access_diff_json,
    render_access_diff_markdown,
    render_access_diff_text,
    render_access_json,
    render_access_markdown,
    render_access_text,
    stack_access_reports,
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
        "assemblies (BASE HEAD, or HEAD --base BASE), print what changed role by role. "
        "Without --pipeline, two assemblies of several pipelines are compared pipeline by "
        "pipeline (matched by construct path, as smpipe diff does), then every stack that "
        "holds no pipeline but roles or resource policies (an endpoint-only stack), matched "
        "by its path; --stack lists or compares one such stack. Exit 0; "
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
        help="the pipeline's name, construct path or logical id (needed to list one of "
        "several; comparing two assemblies without it compares every pipeline)",
    )
    access.add_argument(
        "--stack",
        metavar="PATH",
        help="a stack that holds no pipeline (its path, as cdk ls shows it): its roles and "
        "resource policies instead of a pipeline's",
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
    if args.stack is not None and args.pipeline is not None:
        print("smpipe access: give --pipeline or --stack, not both", file=sys.stderr)
        return EXIT_UNREADABLE
    stacks: list[tuple[str, str, AccessDiff]] = []
    if base_dir is not None and args.pipeline is None:
        try:
            stacks = _stack_diffs(base_dir, head_dir, args.stack)
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.stack is not None:
        return _access_stack(args, base_dir, head_dir, stacks)
    if base_dir is not None and args.pipeline is None:
        pipelines = pipelines_of_both(base_dir, head_dir, "access")
        if pipelines is None:
            return EXIT_UNREADABLE
        head_side = [path for path, kind in pipelines if kind != "removed"]
        base_side = [path for path, kind in pipelines if kind != "added"]
        # One pipeline on each side is compared whatever its path, as smpipe diff does.
        if len(head_side) > 1 or len(base_side) > 1:
            return _access_every_pipeline(args, base_dir, head_dir, pipelines, stacks)
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
        _print_report(args, report)
        return EXIT_OK
    diff = diff_access(*reports)
    if args.json:
        data = render_access_diff_json(diff)
        if stacks:
            data["stacks"] = _stacks_json(stacks)
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif args.markdown:
        sys.stdout.write(render_access_diff_markdown(diff))
    else:
        sys.stdout.write(render_access_diff_text(diff))
    if not args.json:
        sys.stdout.write("".join("\n" + text for text in _stacks_text(stacks, args.markdown)))
    widens = diff.widens or any(diff.widens for _, _, diff in stacks)
    return EXIT_WIDENS if args.fail_on_widening and widens else EXIT_OK


def _stack_diffs(
    base_dir: str, head_dir: str, only: str | None
) -> list[tuple[str, str, AccessDiff]]:
    """(path, kind, diff) of each stack holding no pipeline of either assembly, by path.

    A stack only in HEAD is compared with none (its roles and policies are all added, and
    widen); one only in BASE is "removed". ``only``: that stack alone (none if neither has it).
    """
    base, head = stack_access_reports(base_dir), stack_access_reports(head_dir)
    diffs = []
    for path in sorted(set(base) | set(head)):
        if only is not None and path != only:
            continue
        kind = "added" if path not in base else "removed" if path not in head else "compared"
        before = base.get(path) or AccessReport(f"{base_dir}:{path}", "")
        after = head.get(path) or AccessReport(f"{head_dir}:{path}", "")
        diffs.append((path, kind, diff_access(before, after)))
    return diffs


def _stacks_text(stacks: list[tuple[str, str, AccessDiff]], markdown: bool) -> list[str]:
    texts = []
    for path, kind, diff in stacks:
        note = "" if kind == "compared" else f" ({kind})"
        if markdown:
            texts.append(f"### Stack `{path}`{note}\n\n{render_access_diff_markdown(diff)}")
        else:
            texts.append(f"== Stack {path}{note}\n{render_access_diff_text(diff)}")
    return texts


def _stacks_json(stacks: list[tuple[str, str, AccessDiff]]) -> list[dict[str, Any]]:
    return [
        {"stack": path, "kind": kind, **render_access_diff_json(diff)}
        for path, kind, diff in stacks
    ]


def _access_stack(
    args: argparse.Namespace,
    base_dir: str | None,
    head_dir: str,
    stacks: list[tuple[str, str, AccessDiff]],
) -> int:
    """``--stack PATH``: one stack that holds no pipeline, listed or compared."""
    if base_dir is not None:
        if not stacks:
            print(
                f"smpipe access: no stack {args.stack!r} without a pipeline in {base_dir} nor "
                f"{head_dir}",
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
        ((_, _, diff),) = stacks
        if args.json:
            print(json.dumps(render_access_diff_json(diff), indent=2, ensure_ascii=False))
        elif args.markdown:
            sys.stdout.write(render_access_diff_markdown(diff))
        else:
            sys.stdout.write(render_access_diff_text(diff))
        return EXIT_WIDENS if args.fail_on_widening and diff.widens else EXIT_OK
    if args.fail_on_widening:
        print(
            "smpipe access: --fail-on-widening compares two assemblies (BASE HEAD)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    try:
        reports = stack_access_reports(head_dir)
    except SourceError as error:
        print(f"smpipe access: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = reports.get(args.stack)
    if report is None:
        known = ", ".join(reports) or "none"
        print(
            f"smpipe access: no stack {args.stack!r} without a pipeline in {head_dir} "
            f"(stacks without a pipeline: {known})",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    _print_report(args, report)
    return EXIT_OK


def _access_every_pipeline(
    args: argparse.Namespace,
    base_dir: str,
    head_dir: str,
    pipelines: list[tuple[str, str]],
    stacks: list[tuple[str, str, AccessDiff]],
) -> int:
    """Compare two assemblies pipeline by pipeline, each under its construct path.

    A pipeline only in HEAD is compared with none (its roles are all added, and widen); one
    only in BASE with none the other way (its roles are all removed). What several
    pipelines of one stack share is shown once (``_shown_once``).
    """
    compared: list[tuple[str, str, AccessDiff, set[str]]] = []
    for path, kind in pipelines:
        try:
            base = (
                AccessReport(base_dir, path)
                if kind == "added"
                else access_report(Path(base_dir), pipeline=path)
            )
            head = (
                AccessReport(head_dir, path)
                if kind == "removed"
                else access_report(Path(head_dir), pipeline=path)
            )
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
        # The roles that are this pipeline's own: a step's or the pipeline's.
        own = {role.key for report in (base, head) for role in report.roles if _own(role)}
        compared.append((path, kind, diff_access(base, head), own))
    # Decided before the shared changes are shown once: each widens wherever it is shown.
    widens = any(diff.widens for _, _, diff, _ in compared)
    widens = widens or any(diff.widens for _, _, diff in stacks)
    diffs = _shown_once(compared)
    if args.json:
        reports = [
            {"pipeline": path, "kind": kind, **render_access_diff_json(diff)}
            for path, kind, diff in diffs
        ]
        data: dict[str, Any] = {"widens": widens, "pipelines": reports}
        if stacks:
            data["stacks"] = _stacks_json(stacks)
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        texts = []
        for path, kind, diff in diffs:
            note = "" if kind == "compared" else f" ({kind})"
            if args.markdown:
                texts.append(f"### Pipeline `{path}`{note}\n\n{render_access_diff_markdown(diff)}")
            else:
                texts.append(f"== Pipeline {path}{note}\n{render_access_diff_text(diff)}")
        sys.stdout.write("\n".join(texts + _stacks_text(stacks, args.markdown)))
    return EXIT_WIDENS if args.fail_on_widening and widens else EXIT_OK


def _own(role: RoleAccess) -> bool:
    return bool(role.steps) or role.pipeline_role


def _shown_once(
    compared: list[tuple[str, str, AccessDiff, set[str]]],
) -> list[tuple[str, str, AccessDiff]]:
    """Each pipeline's diff with what its stack shares with other pipelines shown once.

    A pipeline's report holds every role and resource policy of its stack, so the
    pipelines of one stack would repeat a change of them. A role's change is shown under
    the pipeline whose step (or itself) runs as it; a change of a role no pipeline runs as
    (a trigger's, an endpoint's) and of a resource policy under the first pipeline, in the
    order listed, whose diff has it.
    """
    owned = {key for _, _, _, own in compared for key in own}
    shown: set[object] = set()
    result = []
    for path, kind, diff, own in compared:
        roles = []
        for change in diff.roles:
            if change.key not in own and (change.key in owned or change in shown):
                continue
            shown.add(change)
            roles.append(change)
        policies = [change for change in diff.policies if change not in shown]
        shown.update(policies)
        result.append(
            (path, kind, dataclasses.replace(diff, roles=tuple(roles), policies=tuple(policies)))
        )
    return result


def _print_report(args: argparse.Namespace, report: AccessReport) -> None:
    """One assembly's report, in the format the options ask for."""
    if args.json:
        print(json.dumps(render_access_json(report), indent=2, ensure_ascii=False))
    elif args.markdown:
        sys.stdout.write(render_access_markdown(report))
    else:
        sys.stdout.write(render_access_text(report))
