"""The command line: parse, call the library, render, return an exit code."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from schemavet.errors import SchemavetError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_META_FORMAT, _META_OUTPUT, _META_QUIET = "schemavet.format", "schemavet.output", "schemavet.quiet"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A callback keeping an option's value where the error handler and ``_write`` find it."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[key] = value
        return value

    return callback


_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    callback=_remember(_META_FORMAT),
    help="Report for people or programs.",
)
_CI_FORMATS = ("github", "sarif")
_VERIFY_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", *_CI_FORMATS]),
    default="text",
    show_default=True,
    callback=_remember(_META_FORMAT),
    help="Report for people, programs, GitHub annotations or SARIF (pointing at the spec's lines).",
)
_VERIFY_PAGE_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", *_CI_FORMATS, "html"]),
    default="text",
    show_default=True,
    callback=_remember(_META_FORMAT),
    help="Report for people, programs, GitHub annotations or SARIF (pointing at the spec's lines), "
    "or a page with the drifted tables highlighted on the schema's diagram.",
)


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-o FILE`` and ``--quiet``, for every command that writes a report."""
    command = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_remember(_META_QUIET),
        help="Print nothing when there is nothing to report (findings and errors are still printed).",
    )(command)
    return click.option(
        "-o",
        "--output",
        "report_output",
        type=click.Path(dir_okay=False),
        expose_value=False,
        callback=_remember(_META_OUTPUT),
        metavar="FILE",
        help="Write the report to FILE instead of standard output.",
    )(command)


def _write(text: str, ok: bool = False) -> None:
    """The report to standard output or ``-o FILE``; nothing for a clean run with ``--quiet``."""
    meta = click.get_current_context().meta
    if meta.get(_META_QUIET) and ok:
        return
    output = meta.get(_META_OUTPUT)
    if output is None:
        if text:
            click.echo(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n" if text else "")
    except OSError as e:
        raise SchemavetError(f'Cannot write the report to "{output}": {e.strerror}') from e


class _DialectName(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2+ only
    """A registered dialect's name or alias, checked when the command runs (so a dialect
    registered after this module was imported is accepted too)."""

    name = "dialect"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The name as given, once the registry knows it."""
        from schemavet.dialect import registry

        if registry.find(str(value)) is None:
            self.fail(f"{value!r} is not one of: {', '.join(registry.spellings())}", param, ctx)
        return str(value)


def _shown(text: str) -> str:
    """``text`` with the password of any database URL in it replaced by ``***``."""
    from schemavet.dialect.url import without_password

    return without_password(text)


class _Group(click.Group):
    """Usage errors exit 2 (click's default too); SchemavetError becomes one line and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SchemavetError as e:
            # one line, whatever a library or a path put in the message, and never a password
            message = " ".join(_shown(str(e)).splitlines())
            _error_document(ctx, message)
            click.echo("schemavet: error: " + message, err=True)
            ctx.exit(EXIT_ERROR)
        except click.UsageError as e:  # raised by a command's own checks, after its options
            _error_document(ctx, e.format_message())
            raise


def _error_document(ctx: click.Context, message: str) -> None:
    """With ``--format json|sarif|github``, the error as a valid document on standard output,
    so a CI step that parses the report gets one (and ``-o FILE`` gets it too)."""
    from schemavet.report.formats import error_document

    output_format = ctx.meta.get(_META_FORMAT)
    if output_format not in ("json", "sarif", "github"):
        return
    text = error_document(output_format, message, _version())
    output = ctx.meta.get(_META_OUTPUT)
    if output is not None:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            return
        except OSError:
            pass  # the report file cannot be written: standard output still gets the document
    click.echo(text)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schemavet")
def main() -> None:
    """Verify that a database has exactly the schema its spec describes."""
    # A short-lived process: the cyclic collector would only walk the schema models again
    # and again while they are built (see spec/yamlnodes.py).
    gc.disable()


def _finish(ok: bool) -> None:
    sys.exit(EXIT_OK if ok else EXIT_FINDINGS)


def run() -> NoReturn:
    """The ``schemavet`` program (console script and ``python -m schemavet``): :func:`main`, and
    then the process's end, skipping the interpreter's teardown where the command allowed it
    (:func:`schemavet.memory.leave`). Tests call :func:`main`, which never ends the process."""
    from schemavet.memory import ends_after_command, leave

    ends_after_command()
    try:
        main()
    except SystemExit as e:
        code = e.code
    else:
        code = EXIT_OK
    if code is None or isinstance(code, int):
        leave(code or EXIT_OK)
    sys.exit(code)  # a message: printed, exit 1, as Python does


@main.command()
@click.option(
    "--db",
    "dbs",
    required=True,
    multiple=True,
    metavar="URL",
    help="sqlite:///path.db or a file path; repeat it, or give a glob, a directory of SQLite files, "
    "or @FILE (one URL or path a line) to verify a fleet.",
)
@click.option("--spec", "spec_path", required=True, metavar="FILE", help="The YAML spec.")
@click.option(
    "--migrations",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Also report applied migrations whose files changed since.",
)
@click.option(
    "--prove-actions",
    is_flag=True,
    help="Also prove every foreign-key action by doing it, in a scratch copy of the schema.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on what the database holds that schemavet does not model (a warning otherwise).",
)
@click.option(
    "--schemas",
    "schemas",
    multiple=True,
    metavar="PATTERN",
    help="PostgreSQL, schema per tenant: compare every schema matching PATTERN ('tenant_*') with the spec's.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Accept the findings this file records: fail only on drift it does not; report stale entries.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Record every finding of this run as accepted in FILE (exit 0 once written).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes for a fleet (default: the usable cores).",
)
@_report_options
@_VERIFY_PAGE_FORMAT
def verify(
    dbs: tuple[str, ...],
    spec_path: str,
    migrations: str | None,
    prove_actions: bool,
    strict: bool,
    schemas: tuple[str, ...],
    baseline_path: str | None,
    write_baseline_path: str | None,
    jobs: int | None,
    output_format: str,
) -> None:
    """Compare a database (or a fleet) with a spec: exit 0 if they match, 1 if not, 2 on bad input."""
    from schemavet.commands.verify import verify as run_verify
    from schemavet.commands.verify import verify_with_schemas
    from schemavet.config import ignore_patterns
    from schemavet.memory import kept_to_the_end, nothing_left_to_close

    fleet = schemas or baseline_path or write_baseline_path or not _one_database(dbs)
    if fleet:
        options = {"migrations": migrations, "prove_actions": prove_actions, "strict": strict}
        _verify_fleet(
            dbs,
            spec_path,
            schemas,
            baseline_path,
            write_baseline_path,
            jobs,
            output_format,
            ignore=ignore_patterns(),
            **options,
        )
        return
    if output_format == "html":
        from schemavet.report.pages import verify_page
        from schemavet.report.text import render_text

        report, expected, actual = verify_with_schemas(
            dbs[0], spec_path, migrations, prove_actions, strict, ignore=ignore_patterns()
        )
        summary = render_text(report).splitlines()[-1]
        _write(verify_page(report, expected, actual, summary, _version()).rstrip("\n"), report.ok)
        _finish(report.ok)
    with kept_to_the_end():  # the models verify compared are freed by the process's end
        report = run_verify(
            dbs[0],
            spec_path,
            migrations,
            prove_actions=prove_actions,
            strict=strict,
            ignore=ignore_patterns(),
        )
        _echo_report(report, output_format)
        nothing_left_to_close()  # verify closed the database (and any server) it used
    _finish(report.ok)


def _one_database(dbs: tuple[str, ...]) -> bool:
    """True when ``--db`` names exactly one database (no list file, directory or glob)."""
    if len(dbs) != 1 or dbs[0].startswith("@") or os.path.isdir(dbs[0]):
        return False
    return "://" in dbs[0] or os.path.exists(dbs[0]) or not (set("*?[") & set(dbs[0]))


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process Ctrl-C stopped


def _verify_fleet(
    dbs: tuple[str, ...],
    spec_path: str,
    schemas: tuple[str, ...],
    baseline_path: str | None,
    write_baseline_path: str | None,
    jobs: int | None,
    output_format: str,
    **options: Any,
) -> None:
    """Verify every database (or tenant schema) named; print the groups; exit 0, 1, 2 or 130."""
    from schemavet.commands import fleet as fleets
    from schemavet.compare.fleet import baseline_document
    from schemavet.report.fleet import render_fleet_json, render_fleet_text

    if output_format not in ("text", "json"):
        raise click.UsageError(f"--format {output_format} reports one database; a fleet has text or json")
    baseline = fleets.load_baseline(baseline_path) if baseline_path else None
    with _FleetProgress() as progress:
        if schemas:
            result, everything = fleets.verify_tenants(
                list(dbs), schemas, spec_path, baseline=baseline, progress=progress.update, **options
            )
        else:
            targets = fleets.expand_targets(dbs)
            result, everything = fleets.verify_fleet(
                targets, spec_path, jobs=jobs, progress=progress.update, baseline=baseline, **options
            )
    _write(
        render_fleet_json(result) if output_format == "json" else render_fleet_text(result, baseline_path),
        result.ok,
    )
    if write_baseline_path is not None and not result.interrupted:
        document = baseline_document(spec_path, fleets.fleet_findings(everything))
        fleets.write_baseline(write_baseline_path, document)
        click.echo(f"Wrote {write_baseline_path} ({len(everything):,} databases)", err=True)
        sys.exit(EXIT_OK)
    if result.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    _finish(result.ok)


class _FleetProgress:
    """A progress bar (rich) on standard error when it is a terminal; nothing otherwise (CI logs)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _FleetProgress:
        return self

    def update(self, done: int, total: int) -> None:
        """Called as databases are done; the bar starts at the first call (after the pool is up)."""
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import Progress

            # no refresh thread: the bar is redrawn here, so no thread runs when workers fork
            self.bar = Progress(console=Console(stderr=True), auto_refresh=False, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("Verifying", total=total)
        self.bar.update(self.task, completed=done, total=total, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@main.command()
@click.option("--db", metavar="URL", help="sqlite:///path.db, or a file path.")
@click.option(
    "--migrations",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Instead of --db: apply these migrations to a scratch database and write its spec.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the spec here instead of to standard output (a new file unless --force).",
)
@click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")
@click.option(
    "--allow-lint-errors",
    is_flag=True,
    help="Write the spec of --migrations even though lint reports errors in them.",
)
@click.option(
    "--dialect",
    type=_DialectName(),
    default=None,
    help="Engine of --migrations; default: [tool.schemavet.lint] dialect of the directory, else sqlite.",
)
@click.option(
    "--postgres-url",
    metavar="URL",
    help="A PostgreSQL server for the scratch database of --migrations (default: an embedded one).",
)
def snapshot(
    db: str | None,
    migrations: str | None,
    output: str | None,
    force: bool,
    allow_lint_errors: bool,
    dialect: str | None,
    postgres_url: str | None,
) -> None:
    """Write a spec of a database, or of what migrations build; verifying against it finds nothing."""
    from schemavet.commands.snapshot import write_new

    if (db is None) == (migrations is None):
        raise click.UsageError("give one of --db and --migrations")
    if output is not None:
        if db is not None:
            _refuse_to_overwrite_the_database(db, output)
        if os.path.lexists(output) and not force:
            raise SchemavetError(f'"{output}" exists already; pass --force to overwrite it')
    text = _snapshot_text(db, migrations, allow_lint_errors, dialect, postgres_url)
    if output is None:
        click.echo(text, nl=False)
        return
    write_new(output, text, force)
    click.echo(f"Wrote {output}", err=True)


def _write_file(text: str, output: str | None) -> None:
    """``text`` to the file ``output``, or to standard output when there is none."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise SchemavetError(f'Cannot write "{output}": {e.strerror}') from e
    click.echo(f"Wrote {output}", err=True)


def _snapshot_text(
    db: str | None,
    migrations: str | None,
    allow_lint_errors: bool,
    dialect: str | None,
    postgres_url: str | None,
) -> str:
    from schemavet.commands.snapshot import snapshot_migrations
    from schemavet.commands.verify import snapshot as run_snapshot
    from schemavet.config import lint_dialect

    if db is not None:
        return run_snapshot(db)
    assert migrations is not None
    chosen = dialect or lint_dialect(directory=migrations)
    return snapshot_migrations(migrations, chosen, postgres_url, allow_lint_errors)


def _refuse_to_overwrite_the_database(db: str, output: str) -> None:
    from schemavet.dialect.url import parse_db_url

    database = parse_db_url(db).location
    if os.path.realpath(output) == os.path.realpath(database):
        raise SchemavetError(f'Refusing to write the spec over the database "{database}" itself')


@main.command()
@click.option(
    "--migrations",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="A yoyo migrations directory (with --spec).",
)
@click.option("--spec", "spec_path", metavar="FILE", help="The spec the migrations must build.")
@click.option(
    "--prove-actions/--no-prove-actions",
    default=True,
    show_default=True,
    help="Prove every foreign-key action on the scratch database.",
)
@click.option(
    "--postgres-url",
    metavar="URL",
    help="A PostgreSQL server to build PostgreSQL apps' scratch databases on (default: an embedded one).",
)
@click.option(
    "--engine",
    metavar="NAME",
    help="The engine the migrations are written for, when the spec names several (default: its first).",
)
@click.option(
    "--lint/--no-lint",
    "with_lint",
    default=True,
    show_default=True,
    help="Lint the migrations too ([tool.schemavet.lint] applies); an error-severity finding fails check.",
)
@_report_options
@_VERIFY_FORMAT
def check(
    migrations: str | None,
    spec_path: str | None,
    prove_actions: bool,
    output_format: str,
    postgres_url: str | None,
    engine: str | None,
    with_lint: bool,
) -> None:
    """Apply migrations to a scratch database, verify it and lint the migrations; no options:
    every configured app."""
    from schemavet.commands.verify import check as run_check
    from schemavet.config import find_pyproject, ignore_patterns, load_apps

    if (migrations is None) != (spec_path is None):
        raise click.UsageError("--migrations and --spec go together")
    if migrations is not None and spec_path is not None:
        apps = [(os.path.basename(os.path.normpath(migrations)), migrations, spec_path, engine)]
    else:
        if engine is not None:
            raise click.UsageError("--engine goes with --migrations and --spec")
        apps = [(app.name, app.migrations, app.spec, app.engine) for app in load_apps(find_pyproject())]
    reports = [
        (
            name,
            run_check(
                directory,
                spec,
                prove_actions,
                postgres_url,
                ignore_patterns(),
                dialect,
                _lint_of(directory, with_lint),
            ),
        )
        for name, directory, spec, dialect in apps
    ]
    _echo_reports(reports, output_format)
    _finish(all(report.ok for _, report in reports))


def _lint_of(directory: str, with_lint: bool) -> Any:
    """The lint settings check applies to ``directory`` (None: no lint)."""
    from schemavet.config import lint_settings

    return lint_settings(directory=directory) if with_lint else None


@main.command()
@click.argument("directory", type=click.Path(file_okay=False), metavar="DIR")
@click.option(
    "--to", "target", required=True, metavar="ENGINE", help="The engine to write the migrations for."
)
@click.option("-o", "--output", required=True, type=click.Path(), metavar="OUT", help="Where to write them.")
@click.option(
    "--spec",
    "spec_path",
    metavar="FILE",
    help="The spec the translation must build (default: the spec of the app whose migrations DIR are).",
)
@click.option(
    "--postgres-url",
    metavar="URL",
    help="A PostgreSQL server to prove the translation on (default: an embedded one).",
)
def transpile(
    directory: str, target: str, output: str, spec_path: str | None, postgres_url: str | None
) -> None:
    """Write DIR's migrations for another engine; only a translation that builds the spec is written."""
    from schemavet.commands.transpile import transpile as run_transpile
    from schemavet.config import app_of, lint_dialect

    app = app_of(directory)
    spec = spec_path or (app.spec if app is not None else None)
    if spec is None:
        raise click.UsageError(f'No configured app has its migrations in "{directory}": pass --spec')
    source = app.engine if app is not None and app.engine else lint_dialect(".", directory)
    result = run_transpile(directory, source, target, spec, output, postgres_url)
    for diagnostic in result.diagnostics:
        click.echo(f"{diagnostic.location} {diagnostic.code} {diagnostic.message}")
    if result.report is not None and not result.report.ok:
        _echo_report(result.report, "text")
    click.echo(_transpiled_summary(result, directory))
    _finish(result.ok)


def _transpiled_summary(result: Any, directory: str) -> str:
    refused = sum(d.severity == "error" for d in result.diagnostics)
    if refused:
        return f"Nothing written: {refused} statements of {directory} have no faithful translation."
    if not result.written:
        return "Nothing written: the translation does not build the spec."
    return (
        f"Wrote {len(result.files)} files to {result.output}: applied, verified against "
        f"{result.report.spec_path}"
        f" and every rollback proven ({len(result.diagnostics)} translations noted above)."
    )


def _echo_report(report: Any, output_format: str) -> None:
    from schemavet.report.text import render_json, render_text

    if output_format in _CI_FORMATS:
        _echo_diagnostics([report], output_format)
        return
    render: Callable[[Any], str] = render_json if output_format == "json" else render_text
    _write(render(report), report.ok)


def _echo_reports(reports: list[tuple[str, Any]], output_format: str) -> None:
    from schemavet.report.text import render_json_many, render_text

    if output_format in _CI_FORMATS:
        _echo_diagnostics([report for _, report in reports], output_format)
        return
    ok = all(report.ok for _, report in reports)
    if output_format == "json":
        _write(render_json_many(reports), ok)
        return
    _write("\n".join(f"[{name}] " + render_text(r).replace("\n", f"\n[{name}] ") for name, r in reports), ok)


def _echo_diagnostics(reports: list[Any], output_format: str) -> None:
    """Findings as GitHub annotations or SARIF, each at the spec line (or file) it is about."""
    from schemavet.report.formats import render_github, render_sarif
    from schemavet.report.text import verify_rules

    diagnostics = [f.as_diagnostic(report.spec_path) for report in reports for f in report.findings]
    if output_format == "sarif":
        text = render_sarif(diagnostics, {**verify_rules(), **_lint_rules_of(diagnostics)}, _version())
    else:
        text = render_github(diagnostics)
    _write(text, all(report.ok for report in reports))


def _lint_rules_of(diagnostics: list[Any]) -> dict[str, Any]:
    """The catalogue entries (with helpUri) of the lint rules check's findings come from."""
    codes = {d.code for d in diagnostics if not d.code.startswith("verify/")}
    if not codes:
        return {}
    from schemavet.lint.registry import load_rules
    from schemavet.report.formats import rule_infos

    return {code: info for code, info in rule_infos(load_rules().values()).items() if code in codes}


_DB = click.option("--db", required=True, metavar="URL", help="sqlite:///path.db, or a file path.")
_MIGRATIONS = click.option(
    "--migrations",
    required=True,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="A yoyo migrations directory.",
)


@main.command()
@_DB
@_MIGRATIONS
@click.option("--spec", "spec_path", metavar="FILE", help="Also require the migrations to build this spec.")
@_FORMAT
def adopt(db: str, migrations: str, spec_path: str | None, output_format: str) -> None:
    """Mark a legacy database's migrations applied in yoyo, after proving its schema matches them."""
    from schemavet.commands.adopt import AdoptionRefused
    from schemavet.commands.adopt import adopt as run_adopt

    try:
        adoption = run_adopt(db, migrations, spec_path)
    except AdoptionRefused as e:
        _refused(e, output_format)
    if output_format == "json":
        import dataclasses
        import json

        click.echo(json.dumps(dataclasses.asdict(adoption), indent=2))
        return
    found = (
        f"at user_version {adoption.user_version}"
        if adoption.found_by == "user_version"
        else "by its schema (no user_version)"
    )
    click.echo(
        f"Adopted {_shown(db)} {found}: marked "
        f"{len(adoption.marked)} migrations applied ({', '.join(adoption.marked)}); "
        f"pending: {', '.join(adoption.pending) or 'none'}"
    )


def _refused(refusal: Any, output_format: str) -> NoReturn:
    """An adoption refused: its differences on standard output, the one-line error, exit 2."""
    _echo_report(refusal.report, output_format)
    click.echo("schemavet: error: " + str(refusal), err=True)
    sys.exit(EXIT_ERROR)


@main.command()
@_DB
@_MIGRATIONS
def apply(db: str, migrations: str) -> None:
    """Apply the pending migrations with yoyo, recording each one's content hash in the database."""
    from schemavet.commands.apply import apply as run_apply

    applied = run_apply(db, migrations)
    click.echo(
        f"Applied {len(applied)} migration{'' if len(applied) == 1 else 's'} to {_shown(db)}"
        + (f": {', '.join(applied)}" if applied else "")
    )


@main.command()
@_DB
@_MIGRATIONS
@click.option("--spec", "spec_path", metavar="FILE", help="Verify the rehearsed copy against this spec.")
@click.option(
    "--keep",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Leave the rehearsed copy in this new file.",
)
@click.option("--adopt", "adopt_first", is_flag=True, help="Adopt the copy of a legacy database first.")
@_report_options
@_FORMAT
def rehearse(
    db: str, migrations: str, spec_path: str | None, keep: str | None, adopt_first: bool, output_format: str
) -> None:
    """Apply the pending migrations to a copy of the database as apply will; report lost rows."""
    from schemavet.commands.adopt import AdoptionRefused
    from schemavet.commands.rehearse import rehearse as run_rehearse
    from schemavet.report.text import render_rehearsal, render_rehearsal_json

    try:
        with _Progress(f"Copying {_shown(db)}") as progress:
            rehearsal = run_rehearse(
                db, migrations, spec_path, progress=progress.update, keep=keep, adopt=adopt_first
            )
    except AdoptionRefused as e:
        _refused(e, output_format)
    render = render_rehearsal_json if output_format == "json" else render_rehearsal
    _write(render(rehearsal), rehearsal.ok and not rehearsal.warnings)
    _finish(rehearsal.ok)


class _Progress:
    """A progress bar on standard error, shown once a copy takes more than one step."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> _Progress:
        return self

    def update(self, copied: int, total: int) -> None:
        """Called after each step of the copy with pages copied so far and the total."""
        if self.bar is None:
            if copied >= total:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(copied - self.done)
        self.done = copied

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command("sum")
@click.option(
    "--migrations", type=click.Path(file_okay=False), metavar="DIR", help="A yoyo migrations directory."
)
def sum_command(migrations: str | None) -> None:
    """Write schemavet.sum (SHA-256 of every migration file, in order); no option: every configured app."""
    from schemavet.config import find_pyproject, load_apps
    from schemavet.migrations.sums import write_sum

    directories = (
        [migrations]
        if migrations is not None
        else [app.migrations for app in load_apps(find_pyproject(instead="pass --migrations DIR"))]
    )
    for directory in directories:
        path, sums = write_sum(directory)
        click.echo(f"Wrote {path} ({len(sums.entries)} files)", err=True)


@main.command()
@click.option(
    "--migrations",
    required=True,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="The app's yoyo migrations directory, inside the current directory (the project's root).",
)
@click.option(
    "--app", metavar="NAME", help="The app's name in pyproject.toml; default: the directory's name."
)
@click.option("--spec", "spec_path", metavar="FILE", help="Where the spec goes; default: schema/NAME.yaml.")
@click.option(
    "--dialect",
    type=_DialectName(),
    default=None,
    help="Engine of the migrations; default: [tool.schemavet.lint] dialect of the directory, else sqlite.",
)
@click.option("--allow-lint-errors", is_flag=True, help="Write the spec even though lint reports errors.")
@click.option(
    "--postgres-url",
    metavar="URL",
    help="A PostgreSQL server for the scratch database the spec is written from (default: an embedded one).",
)
def init(
    migrations: str,
    app: str | None,
    spec_path: str | None,
    dialect: str | None,
    allow_lint_errors: bool,
    postgres_url: str | None,
) -> None:
    """Set up a project: config, spec from the migrations, sum, pre-commit and CI; never overwrites."""
    from schemavet.commands import scaffold
    from schemavet.commands.snapshot import snapshot_migrations
    from schemavet.config import lint_dialect

    project = _project(migrations, app, spec_path, dialect or lint_dialect(directory=migrations))
    planned = scaffold.plan(
        project,
        lambda: snapshot_migrations(project.migrations, project.dialect, postgres_url, allow_lint_errors),
    )
    scaffold.write(project, planned)
    for item in planned:
        click.echo(item.said(), err=True)
    click.echo(f"Next: schemavet check && schemavet lint {project.migrations}", err=True)


def _project(migrations: str, app: str | None, spec_path: str | None, dialect: str) -> Any:
    from schemavet.commands.scaffold import Project
    from schemavet.dialect import registry

    root = os.getcwd()
    relative = os.path.relpath(os.path.abspath(migrations), root)
    if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        raise SchemavetError(
            f'The migrations directory "{migrations}" should be a directory below "{root}", '
            f"the project init sets up (run init from the project's root)"
        )
    name = app or os.path.basename(relative)
    spec = (
        os.path.relpath(os.path.abspath(spec_path), root)
        if spec_path
        else os.path.join("schema", f"{name}.yaml")
    )
    return Project(root, name, relative, spec, registry.get(dialect).name, _version())


@main.command()
@_DB
@click.option(
    "--migrations",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="A yoyo migrations directory; default: the one app configured in pyproject.toml.",
)
@_FORMAT
def status(db: str, migrations: str | None, output_format: str) -> None:
    """Applied and pending migrations, and whether each applied file is unchanged; exit 1 if not all."""
    from schemavet.commands.status import status as run_status
    from schemavet.report.status import render_status_json, render_status_text

    result = run_status(db, migrations or _the_configured_migrations())
    click.echo((render_status_json if output_format == "json" else render_status_text)(result))
    _finish(result.ok)


def _the_configured_migrations() -> str:
    from schemavet.config import find_pyproject, load_apps

    apps = load_apps(find_pyproject(instead="pass --migrations DIR"))
    if len(apps) > 1:
        names = ", ".join(app.name for app in apps)
        raise click.UsageError(f"pyproject.toml configures several apps ({names}): pass --migrations DIR")
    return apps[0].migrations


@contextmanager
def _linter_for(directory: str) -> Iterator[Callable[[str], list[Any]]]:
    """Lint findings of one migration file of ``directory``, with ``[tool.schemavet.lint]``'s
    rule choices applied: the directory is linted once, in a child process while the review
    runs where the machine allows (``lint/background.py``), and its findings (or its error,
    raised here) are taken when the first step asks, after review has read the directory and
    reported its errors."""
    from schemavet.config import lint_dialect, lint_settings
    from schemavet.lint import lint_paths
    from schemavet.lint.background import linted_in_background

    by_file: dict[str, list[Any]] = {}

    def lint() -> list[Any]:
        settings = lint_settings(directory=directory)
        linted = lint_paths([directory], lint_dialect(directory=directory), settings.select)
        return list(settings.apply(linted))

    with linted_in_background(lint) as linted:

        def findings_of(path: str) -> list[Any]:
            if not by_file:
                by_file[""] = []  # linted, even if nothing was found
                for finding in linted():
                    by_file.setdefault(os.path.realpath(finding.path), []).append(finding)
            return by_file.get(os.path.realpath(path), [])

        yield findings_of


_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of to standard output.",
)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False), metavar="DIR")
@click.option(
    "--latest",
    type=click.IntRange(min=1),
    metavar="N",
    help="Report only the last N migrations (the earlier ones are applied, not reported).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    callback=_remember(_META_FORMAT),
    help="Report for people, programs, or a page for the pull request (each migration a card "
    "with its tables drawn before and after).",
)
@_report_options
def review(directory: str, latest: int | None, output_format: str) -> None:
    """Show what each migration really does: schema changes, implicit losses, row counts."""
    from schemavet.commands.review import review as run_review
    from schemavet.report.review import render_json, render_text

    with _linter_for(directory) as lint:
        effects = run_review(directory, latest=latest, lint=lint)
    clean = not any(effect.failed for effect in effects)
    if output_format == "html":
        from schemavet.report.pages import review_page

        _write(review_page(directory, effects, _version()).rstrip("\n"), clean)
    else:
        render = render_json if output_format == "json" else render_text
        _write(render(directory, effects), clean)
    _finish(not any(effect.failed for effect in effects))


@main.command()
@click.option("--spec", "spec_path", metavar="FILE", help="Draw the schema this spec describes.")
@click.option("--db", metavar="URL", help="Draw this database's schema (read only).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
    help="Mermaid erDiagram blocks for Markdown, or a self-contained page that renders offline.",
)
@click.option(
    "--max-text-size",
    type=click.IntRange(min=2_000),
    default=50_000,
    show_default=True,
    metavar="CHARS",
    help="Split the diagram into parts (with an index) above this size: Mermaid's maxTextSize.",
)
@_OUTPUT
def diagram(
    spec_path: str | None, db: str | None, output_format: str, max_text_size: int, output: str | None
) -> None:
    """Draw a schema as a Mermaid entity-relationship diagram: tables, keys, foreign keys."""
    from schemavet.commands.verify import drawn_schema
    from schemavet.report.diagram import build_diagram, render_markdown
    from schemavet.report.pages import diagram_page

    if (spec_path is None) == (db is None):
        raise click.UsageError("give one of --spec FILE and --db URL")
    if output is not None and db is not None:
        _refuse_to_overwrite_the_database(db, output)
    schema, source = drawn_schema(spec_path, db)
    drawn = build_diagram(schema, max_text_size=max_text_size)
    page = (
        diagram_page(drawn, source, _version()) if output_format == "html" else render_markdown(drawn, source)
    )
    _write_file(page, output)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    callback=_remember(_META_FORMAT),
    help="Report for people, programs, GitHub annotations or SARIF 2.1.0.",
)
@click.option("--warn-only", is_flag=True, help="Report findings but exit 0 (for a rollout).")
@click.option(
    "--dialect",
    type=_DialectName(),
    default=None,
    help="SQL dialect of the migrations: sqlite or postgresql (alias postgres); "
    "default: [tool.schemavet.lint] dialect, else sqlite.",
)
@click.option("--select", metavar="CODES", help="Only these rules, comma-separated (SV101,SV201).")
@click.option("--ignore", metavar="CODES", help="Leave these rules out, comma-separated (SV504).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default=None,
    help="The severity from which lint exits 1 (default: [tool.schemavet.lint] fail-on, else error).",
)
@click.option(
    "--since",
    metavar="REF",
    help="Only the migration files changed since the git ref REF (git diff --name-only REF, and new files).",
)
@click.option(
    "--postgres-url",
    metavar="URL",
    help="A PostgreSQL server to replay PostgreSQL migrations into (default: an embedded one).",
)
@_report_options
def lint(
    paths: tuple[str, ...],
    output_format: str,
    warn_only: bool,
    dialect: str | None,
    select: str | None,
    ignore: str | None,
    fail_on: str | None,
    since: str | None,
    postgres_url: str | None,
) -> None:
    """Lint migration files or directories: exit 0 clean, 1 findings at error severity, 2 bad input."""
    from schemavet.config import lint_settings
    from schemavet.lint import lint_paths
    from schemavet.lint.registry import load_rules
    from schemavet.report.formats import RENDERERS, render_sarif, rule_infos

    settings = _with_options(lint_settings(), select, ignore, fail_on)
    if since is not None:
        paths = _changed_since(since, paths)
    findings = []
    for chosen, group in (_by_dialect(paths, dialect) if paths else {}).items():
        findings += lint_paths(group, chosen, settings.select, postgres_url=postgres_url)
    findings = settings.apply(findings)
    findings.sort(key=lambda d: (d.path, d.line or 0, d.column or 0, d.code))
    if output_format == "sarif":
        text = render_sarif(findings, rule_infos(load_rules().values()), _version())
    else:
        text = RENDERERS[output_format](findings)
    _write(text, not findings)
    sys.exit(EXIT_FINDINGS if settings.fails(findings) and not warn_only else EXIT_OK)


def _with_options(settings: Any, select: str | None, ignore: str | None, fail_on: str | None) -> Any:
    """``[tool.schemavet.lint]``'s settings with the command line's choices over them."""
    import dataclasses

    def codes(text: str) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in text.split(",") if c.strip())

    changes: dict[str, Any] = {}
    if select:
        changes["select"] = codes(select)
    if ignore:
        changes["ignore"] = settings.ignore | frozenset(codes(ignore))
    if fail_on:
        changes["fail_on"] = fail_on
    return dataclasses.replace(settings, **changes)


def _changed_since(ref: str, paths: tuple[str, ...]) -> tuple[str, ...]:
    """The migration files under ``paths`` that git says changed since ``ref`` (or are new)."""
    import subprocess

    def git(*args: str) -> list[str]:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
        except FileNotFoundError as e:
            raise SchemavetError("--since needs git, which is not installed") from e
        except subprocess.CalledProcessError as e:
            problem = (e.stderr.strip().splitlines() or ["git failed"])[-1]
            raise SchemavetError(f'Cannot list the files changed since "{ref}": {problem}') from e
        return [line for line in done.stdout.splitlines() if line]

    top = git("rev-parse", "--show-toplevel")[0]
    changed = git("-C", top, "diff", "--name-only", ref, "--") + git(
        "-C", top, "ls-files", "--others", "--exclude-standard"
    )
    files = {os.path.realpath(os.path.join(top, name)) for name in changed}
    places = [os.path.realpath(path) for path in paths]
    return tuple(
        os.path.relpath(file)
        for file in sorted(files)
        if file.endswith(".sql") and os.path.exists(file) and any(_under(file, place) for place in places)
    )


def _under(path: str, place: str) -> bool:
    return path == place or path.startswith(place.rstrip(os.sep) + os.sep)


def _by_dialect(paths: tuple[str, ...], dialect: str | None) -> dict[str, list[str]]:
    """The paths grouped by the dialect lint reads them in: ``--dialect``, else the configured
    dialect of each migrations directory (a path holding several is split into them)."""
    from schemavet.config import lint_dialect
    from schemavet.migrations.directory import migration_directories

    if dialect is not None:
        return {dialect: list(paths)}
    groups: dict[str, list[str]] = {}
    for path in paths:
        places = migration_directories(path) if os.path.isdir(path) else [path]
        for place in places:
            directory = place if os.path.isdir(place) else os.path.dirname(place)
            groups.setdefault(lint_dialect(directory=directory), []).append(place)
    return groups


@main.command("rehearse-move")
@_DB
@_MIGRATIONS
@click.option("--to", "target", required=True, metavar="ENGINE", help="The engine the migrations are for.")
@click.option(
    "--postgres-url",
    metavar="URL",
    help="A PostgreSQL server to make the scratch database on (default: an embedded one).",
)
def rehearse_move(db: str, migrations: str, target: str, postgres_url: str | None) -> None:
    """Copy a database's rows into its translated schema on a scratch database; report what is refused."""
    from schemavet.commands.move import rehearse_move as run

    moves = run(db, migrations, target, postgres_url)
    for move in moves:
        click.echo(_move_line(move))
        for note in move.notes:
            click.echo(f"  note: {note}")
        for rejected in move.rejected.values():
            click.echo(
                f"  {rejected.count} rejected: {rejected.reason} (e.g. {'; '.join(rejected.examples)})"
            )
    refused = sum(m.rejected_rows for m in moves)
    copied = sum(m.copied for m in moves)
    click.echo(f"{copied} rows copied, {refused} would not go in; {db} was read only")
    _finish(refused == 0)


def _move_line(move: Any) -> str:
    return (
        f'"{move.table}": {move.source_rows} rows before, {move.copied} copied, '
        f"{move.rejected_rows} rejected, {move.rows_after} after"
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("schemavet")
    except PackageNotFoundError:
        return "0"
