"""Normalization: equivalent spellings compare equal, different meanings do not, on each dialect a
case names (``dialect:``; SQLite when it names none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import schemavet
from tests.conftest import by_dialect
from tests.databases import Databases

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "equivalence.yaml").read_text())


@pytest.mark.parametrize(("case", "dialect"), by_dialect(CASES), indirect=["dialect"])
def test_equivalence(case: dict[str, Any], dialect: Databases, tmp_path: Path) -> None:
    db = dialect.make_db(case["ddl"])
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"tables": {"t": case["spec"], **case.get("extra", {})}}, sort_keys=False))

    report = schemavet.verify(db.url, spec)

    assert report.ok is case["same"], [f.message for f in report.findings]
