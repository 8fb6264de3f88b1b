"""Normalization: equivalent spellings compare equal, different meanings do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import schemavet

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "equivalence.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_equivalence(case: dict[str, Any], make_db, tmp_path: Path) -> None:
    db = make_db(case["ddl"])
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"tables": {"t": case["spec"], **case.get("extra", {})}}, sort_keys=False))

    report = schemavet.verify(str(db), spec)

    assert report.ok is case["same"], [f.message for f in report.findings]
