"""The ``briefing`` command: argument parsing and exit codes only.

Exit codes: 0 success; 1 a content or build error, printed as ``path:line: message``;
2 bad usage (argparse's own convention).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .errors import BuildError, BuildErrors, StrictWarnings
from .terminal import use_ascii_fallbacks

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def make_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(prog="briefing", description="Build sourced, data-driven briefing sites.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="what to do (`briefing COMMAND --help` lists its options)")

    def project_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--root", default=".", type=_folder, metavar="DIR",
                         help="project folder holding content/, templates/, static/ (default: .)")
        sub.add_argument("--out", default=None, metavar="DIR", help="output folder (default: ROOT/_site)")
        sub.add_argument("--base-url", default=None, type=_base_url, metavar="URL",
                         help="public URL of the site, an absolute http(s) URL (overrides site.yaml's base_url)")
        sub.add_argument("-q", "--quiet", action="store_true", help="print errors only (no warnings, no summary)")
        return sub

    build = project_command("build", "Build the site into the output folder.")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1, nothing written)")
    build.add_argument("--force", action="store_true", help="build even if nothing changed since the last build")
    serve = project_command("serve", "Build, serve on 127.0.0.1 and rebuild on changes.")
    serve.add_argument("--port", type=_port, default=8000, metavar="N", help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument("--strict", action="store_true",
                       help="treat warnings as errors (shown like errors; the last good site stays served)")
    check = project_command("check", "Validate content and run reconciliation checks without writing.")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    deploy = project_command("deploy", "Build and push the site to a gh-pages branch.")
    deploy.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch that receives the site (default: gh-pages)")
    deploy.add_argument("--message", default=None, help="commit message")
    deploy.add_argument("--no-push", action="store_true", help="commit to the branch without pushing")
    deploy.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1, nothing deployed)")
    deploy.add_argument("--dry-run", action="store_true",
                        help="build and say which files would change on the branch; commit and push nothing")
    new_help = "Create a new site project with one example briefing."
    new = commands.add_parser("new", help=new_help, description=new_help + " The folder must not exist yet.")
    new.add_argument("dir", metavar="DIR", help="folder to create")
    return parser


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535, or 0 for a free one")
    return port


def _folder(value: str) -> str:
    from pathlib import Path
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no folder {value!r}")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a file, not a folder")
    return value


def _base_url(value: str) -> str:
    from .settings import base_url_problem
    if problem := base_url_problem(value):
        raise argparse.ArgumentTypeError(problem)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    use_ascii_fallbacks(sys.stdout, sys.stderr)  # before argparse, whose messages may quote any argument
    args = make_parser().parse_args(argv)
    try:
        return _run(args)
    except StrictWarnings as exc:
        print(exc.report(), file=sys.stderr)
        done = "nothing was deployed" if args.command == "deploy" else "nothing was written"
        print(f"briefing: {len(exc.warnings)} warning(s), failing because of --strict; {done}", file=sys.stderr)
        return EXIT_ERROR
    except BuildErrors as exc:
        print(exc.report(), file=sys.stderr)
        print(f"briefing: {len(exc.problems)} error(s); nothing was written", file=sys.stderr)
        return EXIT_ERROR
    except BuildError as exc:
        print(str(exc.problem), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a file or folder that could not be used, where no command expected it: no traceback
        print(f"{exc.filename or '.'}:1: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    from .content.folders import Project

    if args.command == "new":
        from .commands.scaffold import create_project
        path = create_project(args.dir)
        print(f"Created {path}. Next: cd {args.dir} && briefing build")
        return EXIT_OK
    project = Project.at(args.root, args.out)
    if args.command == "build":
        from .commands.build_command import build_site
        from .progress import progress_for
        result = build_site(project, args.base_url, progress_for(sys.stderr, args.quiet), force=args.force,
                            strict=args.strict)
        _print_warnings(result.warnings, args.quiet)
        if result.up_to_date and not args.quiet:
            print(f"Up to date: nothing changed since the last build of {result.pages} briefing(s) and "
                  f"{result.charts} chart(s) → {project.display(result.out)} (--force builds anyway)")
        elif not args.quiet:
            for rev in result.revised:
                print(f"Revised {rev.fact} ({rev.label}): {rev.before} → {rev.after}")
            print(f"Built {result.pages} briefing(s), {result.charts} chart(s) "
                  f"({result.charts_rendered} rendered, {result.charts - result.charts_rendered} cached), "
                  f"{len(result.changed)} of {result.files} files changed → {project.display(result.out)}")
        return EXIT_OK
    if args.command == "check":
        from .commands.check import check_project
        report = check_project(project)
        warnings = report.warnings
        if failed := _strict_failure(warnings, args):
            return failed
        if not args.quiet and report.lines:
            print("\n".join(report.lines))
        if not args.quiet:
            print(f"Content is valid ({len(warnings)} warning(s)).")
        return EXIT_OK
    if args.command == "serve":
        from .commands.serve import serve
        if not project.content.is_dir():  # there would be nothing to watch: the watcher sees existing folders only
            raise BuildError(project.display(project.content), 1,
                             "no content/ folder here (use --root, or `briefing new DIR`)")
        return serve(project, host=args.host, port=args.port, open_browser=args.open,
                     base_url=args.base_url, quiet=args.quiet, strict=args.strict)
    if args.command == "deploy":
        from .commands.deploy import deploy
        deployed = deploy(project, remote=args.remote, branch=args.branch, message=args.message,
                          push=not args.no_push, base_url=args.base_url, strict=args.strict, dry_run=args.dry_run)
        _print_warnings(deployed.build.warnings, args.quiet)
        if deployed.uncommitted and not args.quiet:
            shown = ", ".join(deployed.uncommitted[:3]) + (", ..." if len(deployed.uncommitted) > 3 else "")
            print(f"briefing: warning: the site is built from {len(deployed.uncommitted)} file(s) with uncommitted "
                  f"changes ({shown}); the deploy message says so", file=sys.stderr)
        if not args.quiet:
            print(deployed.summary())
        return EXIT_OK
    raise AssertionError(args.command)  # pragma: no cover - argparse rejects other commands


def _strict_failure(warnings, args: argparse.Namespace) -> int | None:
    # Warnings are printed unless -q; with --strict they are errors, always printed, and the exit code is 1.
    _print_warnings(warnings, args.quiet and not args.strict)
    if warnings and args.strict:
        print(f"briefing: {len(warnings)} warning(s), failing because of --strict", file=sys.stderr)
        return EXIT_ERROR
    return None


def _print_warnings(warnings, quiet: bool = False) -> None:
    if quiet:
        return
    for warning in warnings:
        print(f"{warning.path}:{warning.line}: warning: {warning.message}", file=sys.stderr)
