#!/usr/bin/env python3
"""Where does Mermaid stop drawing a schema, and does `schemavet diagram` stay under it?

For each N in --tables, `../shared/bench/gen_schema.py db` writes a synthetic SQLite schema of
N tables; `schemavet diagram --db` draws it once whole (``--max-text-size`` huge: one part) and
once as it ships (default: split at Mermaid's 50,000 characters), timing the second as a whole
process. Then Mermaid itself, from the vendored bundle in headless Debian Chromium with its
default configuration, renders: the whole diagram (past 50,000 characters Mermaid draws
"Maximum text size in diagram exceeded" instead), each part of the split one, and an
`erDiagram` of 600 relationships under 50,000 characters (Mermaid's ``maxEdges``, 500, is a
flowchart limit: this shows whether an erDiagram hits it).

    python bench/diagram_limits.py --tables 100,150,200,300,1000

Results go to <out>/diagram_limits.json (default out: bench/out/, git-ignored). Exit 0 when
every split part rendered; 2 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO.parent / "shared" / "bench" / "gen_schema.py"
sys.path.insert(0, str(REPO))

RENDER = """async (texts) => {
    mermaid.initialize({ startOnLoad: false });
    const results = [];
    for (const [n, text] of texts.entries()) {
        try {
            const { svg } = await mermaid.render('d' + n, text);
            results.push(svg.includes('Maximum text size in diagram exceeded') ? 'too big' : 'ok');
        } catch (e) { results.push('error: ' + String(e && e.message ? e.message : e).slice(0, 200)); }
    }
    return results;
}"""


def diagram(db: Path, *extra: str) -> tuple[str, float]:
    """`schemavet diagram --db DB` as a process: its Markdown and its wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "schemavet", "diagram", "--db", str(db), *extra],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return done.stdout, time.perf_counter() - start


def blocks(markdown: str) -> list[str]:
    """The text of each ```mermaid block."""
    return [block.split("```")[0] for block in markdown.split("```mermaid\n")[1:]]


def many_edges(count: int) -> str:
    """An erDiagram with ``count`` relationships between short-named tables."""
    lines = ["erDiagram"] + [f"  a{i % 40} ||--o{{ b{i} : x" for i in range(count)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tables", default="100,150,200,300,1000")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    from tests.browser import MERMAID, launch

    results: dict[str, object] = {"sizes": []}
    texts: list[str] = []
    plan: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.tables.split(",")):
            db = Path(tmp) / f"s{n}.db"
            subprocess.run(
                [sys.executable, str(GENERATOR), "db", "--tables", str(n), str(db)],
                check=True,
                capture_output=True,
            )
            whole = blocks(diagram(db, "--max-text-size", "100000000")[0])[0]
            split, seconds = diagram(db)
            parts = blocks(split)
            results["sizes"].append(  # type: ignore[union-attr]
                {
                    "tables": n,
                    "whole_chars": len(whole),
                    "parts": len(parts),
                    "largest_part_chars": max(len(p) for p in parts),
                    "diagram_seconds": round(seconds, 3),
                }
            )
            plan += [(n, "whole")] + [(n, f"part {i + 1}") for i in range(len(parts))]
            texts += [whole, *parts]
        plan.append((0, "600 relationships"))
        texts.append(many_edges(600))
        results["edges_text_chars"] = len(texts[-1])
        session = launch()
        browser = next(session)
        page = browser.new_page()
        harness = Path(tmp) / "render.html"
        harness.write_text(
            f'<!doctype html><meta charset="utf-8"><body><script src="{MERMAID.as_uri()}"></script>'
        )
        page.goto(harness.as_uri())
        rendered = page.evaluate(RENDER, texts)
        session.close()
    results["rendered"] = [
        {"tables": n, "what": what, "result": r} for (n, what), r in zip(plan, rendered, strict=True)
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "diagram_limits.json").write_text(json.dumps(results, indent=2))
    for size in results["sizes"]:  # type: ignore[union-attr]
        print(size)
    for row in results["rendered"]:  # type: ignore[union-attr]
        print(row)
    parts_ok = all(r["result"] == "ok" for r in results["rendered"] if r["what"].startswith("part"))  # type: ignore[union-attr, index]
    return 0 if parts_ok else 2


if __name__ == "__main__":
    sys.exit(main())
