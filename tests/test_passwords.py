"""No password from a URL appears in any output of any command: errors, text, JSON, SARIF.

Every command is given URLs with a password to a server that refuses the connection (a port
on this machine nothing listens on) or that no dialect knows; each must exit 2 with one
sentence, and the password must appear nowhere in what it printed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.dialect.url import without_password

SECRET = "hunter2-s3cret"
REFUSED = f"postgresql://app:{SECRET}@127.0.0.1:1/app"
URLS = [
    REFUSED,
    f"postgresql+psycopg://app:{SECRET}@127.0.0.1:1/app?sslmode=disable",
    f"postgres://app:{SECRET}@127.0.0.1:1/app",
    f"mysql://app:{SECRET}@localhost/app",
    f"postgresql://127.0.0.1:1/app?user=app&password={SECRET}",
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text("engine: postgresql\ntables:\n  t:\n    columns:\n      id: integer\n")
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001.t.sql").write_text("CREATE TABLE t (id integer);\n")
    return {"spec": str(spec), "migrations": str(migrations)}


def _commands(url: str, files: dict[str, str]) -> list[list[str]]:
    spec, migrations = files["spec"], files["migrations"]
    return [
        ["verify", "--db", url, "--spec", spec],
        ["verify", "--db", url, "--spec", spec, "--format", "json"],
        ["verify", "--db", url, "--spec", spec, "--format", "sarif"],
        ["verify", "--db", url, "--spec", spec, "--format", "github"],
        ["snapshot", "--db", url],
        ["apply", "--db", url, "--migrations", migrations],
        ["rehearse", "--db", url, "--migrations", migrations],
        ["adopt", "--db", url, "--migrations", migrations],
        ["lint", "--dialect", "postgres", "--postgres-url", url, migrations],
        ["check", "--migrations", migrations, "--spec", spec, "--postgres-url", url],
    ]


@pytest.mark.parametrize("url", URLS)
def test_no_command_shows_the_password(url: str, files: dict[str, str]) -> None:
    for args in _commands(url, files):
        result = CliRunner().invoke(main, args)
        output = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert result.exit_code == 2, (args, output, result.exception)
        assert SECRET not in output, (args, output)
        assert "Traceback" not in output, (args, output)


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://u:p@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p%40x@h:5/db?sslmode=require", "postgresql://u:***@h:5/db?sslmode=require"),
        ("postgresql://u@h/db?password=p&x=1", "postgresql://u@h/db?password=***&x=1"),
        ("host=h password=p user=u", "host=h password=*** user=u"),
        ("sqlite:///app.db", "sqlite:///app.db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
)
def test_without_password(url: str, shown: str) -> None:
    assert without_password(url) == shown
