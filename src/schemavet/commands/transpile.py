"""``schemavet transpile``: an app's migrations written for another engine, proven before written.

The source dialect translates (every trap handled on purpose or refused with file and line);
then the translation is checked as ``schemavet check`` checks any migrations — applied to a
scratch database of the target engine, verified against the spec read for that engine, every
rollback proven — and only a translation that passes is written to the output directory, with
its ``schemavet.sum``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from schemavet.compare.outcomes import Report
from schemavet.diagnostics import ERROR, Diagnostic
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect, Translated
from schemavet.errors import MigrationError, SchemavetError
from schemavet.migrations.directory import in_yoyo_order, read_migration_dir
from schemavet.migrations.sums import SUM_FILE, write_sum
from schemavet.spec.load import load_spec


@dataclass(frozen=True)
class Transpiled:
    """What ``transpile`` did: the files, their notes and refusals, the check of the result."""

    output: str
    files: tuple[Translated, ...]
    report: Report | None = None  # None when a refusal stopped it before the check
    written: bool = False
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the translation was proven and written."""
        return self.written


def transpile(
    migrations: str,
    source: str,
    target: str,
    spec: str,
    output: str,
    postgres_url: str | None = None,
) -> Transpiled:
    """Translate ``migrations`` (``source`` engine) for ``target``; write them to ``output`` if proven."""
    source_dialect, target_dialect = registry.get(source), registry.get(target)
    expected = load_spec(spec, target_dialect.name)  # a spec that does not describe the target: now
    _refuse_foreign_output(output, migrations)
    paths = [m.path for m in in_yoyo_order(read_migration_dir(migrations)) if m.path.endswith(".sql")]
    files = tuple(
        source_dialect.transpile(paths, target_dialect, _column_types(expected.schema, target_dialect))
    )
    diagnostics = tuple(d for f in files for d in f.diagnostics)
    if any(f.refused for f in files):
        return Transpiled(output, files, diagnostics=diagnostics)
    try:
        report = _proven(files, expected.path, target_dialect, output, postgres_url)
    except MigrationError as e:  # the translation does not even apply: a finding about it
        failed = Diagnostic(
            migrations, None, None, "SVT301", ERROR, f"The translation fails on {target_dialect.title}: {e}"
        )
        return Transpiled(output, files, diagnostics=(*diagnostics, failed))
    if report.ok:
        _write(files, output)
    return Transpiled(output, files, report, report.ok, diagnostics)


def _column_types(schema: object, dialect: Dialect) -> dict[tuple[str, str], str]:
    """The type the spec gives each column of the default namespace, by folded names."""
    namespace = schema.namespaces[dialect.default_namespace]  # type: ignore[attr-defined]
    return {
        (table.lower(), column.lower()): definition.type.lower()
        for table, t in namespace.tables.items()
        for column, definition in t.columns.items()
    }


def _proven(
    files: tuple[Translated, ...], spec: str, target: Dialect, output: str, postgres_url: str | None
) -> Report:
    """The translation checked in a scratch directory named as the output will be."""
    from schemavet.commands.verify import check

    with tempfile.TemporaryDirectory(prefix="schemavet-transpile-") as directory:
        place = os.path.join(directory, os.path.basename(os.path.normpath(output)))
        _write(files, place)
        report = check(place, spec, True, postgres_url, engine=target.name)
    label = f"the translation to {os.path.normpath(output)}"
    return Report(label, report.spec_path, report.findings, report.checked, report.warnings)


def _write(files: tuple[Translated, ...], directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    for translated in files:
        with open(os.path.join(directory, translated.name), "w", encoding="UTF-8") as f:
            f.write(translated.text)
    write_sum(directory)


def _refuse_foreign_output(output: str, migrations: str) -> None:
    """The output holds nothing but an earlier translation (its files are replaced), or nothing."""
    if os.path.realpath(output) == os.path.realpath(migrations):
        raise SchemavetError(f'Refusing to write the translation over its source "{migrations}"')
    if not os.path.isdir(output):
        if os.path.exists(output):
            raise SchemavetError(f'The output "{output}" is a file, not a directory')
        return
    sources = {name for name in os.listdir(migrations) if name.endswith(".sql")}
    foreign = sorted(set(os.listdir(output)) - sources - {SUM_FILE})
    if foreign:
        raise SchemavetError(
            f'The output directory "{output}" holds "{foreign[0]}", which no migration of "{migrations}" '
            "translates to; name an empty directory or an earlier translation"
        )
