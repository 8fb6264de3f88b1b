"""A spec written from migrations (applied to a scratch database), and files written without
overwriting what a user wrote by hand."""

from __future__ import annotations

import os

from schemavet.dialect import registry
from schemavet.errors import SchemavetError


def snapshot_migrations(
    migrations: str | os.PathLike[str],
    dialect_name: str,
    postgres_url: str | None = None,
    allow_lint_errors: bool = False,
) -> str:
    """The spec (YAML text) of the schema ``migrations`` build on a new scratch database.

    A spec written from migrations with lint errors would record their mistakes (an index a
    rebuild lost, a NOT NULL column without a default) as intended: refused, unless
    ``allow_lint_errors``.
    """
    from schemavet.commands.verify import inspect
    from schemavet.migrations.runner import apply_all
    from schemavet.spec.dump import dump_spec

    directory = os.fspath(migrations)
    dialect = registry.get(dialect_name)
    if not allow_lint_errors:
        refuse_lint_errors(directory, dialect.name, postgres_url)
    with dialect.scratch_database(postgres_url) as scratch:
        apply_all(scratch, directory, scratch=True)
        return dump_spec(inspect(scratch), source=f'the migrations in "{directory}"')


def refuse_lint_errors(directory: str, dialect_name: str, postgres_url: str | None = None) -> None:
    """Raise one sentence naming the first lint error of ``directory``, if it has any."""
    from schemavet.diagnostics import ERROR
    from schemavet.lint import lint_paths

    errors = [
        d for d in lint_paths([directory], dialect_name, postgres_url=postgres_url) if d.severity == ERROR
    ]
    if not errors:
        return
    first = errors[0]
    place = f"{first.path}:{first.line or 1}:{first.column or 1}"
    raise SchemavetError(
        f'Refusing to write a spec from "{directory}": lint reports {len(errors)} '
        f"error{'s' if len(errors) > 1 else ''} (first: {place} {first.code} {first.message}); "
        f'a spec written now would record them as intended: fix them (see "schemavet lint {directory}"), '
        f"or pass --allow-lint-errors"
    )


def write_new(path: str, text: str, force: bool = False, make_directories: bool = False) -> None:
    """Write ``text`` to a new file ``path``; an existing file is refused unless ``force``.
    ``make_directories``: create the directories above it (else a missing one is an error)."""
    directory = os.path.dirname(path)
    try:
        if directory and make_directories:
            os.makedirs(directory, exist_ok=True)
        with open(path, "w" if force else "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError as e:
        raise SchemavetError(f'"{path}" exists already; pass --force to overwrite it') from e
    except OSError as e:
        raise SchemavetError(f'Cannot write "{path}": {e.strerror}') from e
