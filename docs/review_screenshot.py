"""Take docs/review-samsara.png: the Samsara review page (``schemavet review migrations/samsara
--format html``) in headless Debian Chromium, showing the card of the migration that adds projects.

Run from the repository root: ``python docs/review_screenshot.py`` (needs chromium and
playwright, as the browser tests do).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARD = "0001.projects.sql"
sys.path.insert(0, str(ROOT))

from tests.browser import launch, open_page  # noqa: E402


def main() -> int:
    """Write the review page to a temporary file, open it, screenshot one card."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "review.html"
        command = [
            sys.executable,
            "-m",
            "schemavet",
            "review",
            "migrations/samsara",
            "--format",
            "html",
            "-o",
            str(page),
        ]
        subprocess.run(command, cwd=ROOT, check=True)
        browser_session = launch()
        browser = next(browser_session)
        loaded = open_page(browser, page)
        if loaded.errors or loaded.page.evaluate("document.body.dataset.rendered") != "done":
            print(f"the page did not render: {loaded.errors}", file=sys.stderr)
            return 1
        # the page's header and legend, and the card of the migration that adds projects
        loaded.page.evaluate(
            """(name) => document.querySelectorAll('section.card').forEach(card => {
                if (!card.querySelector('h2').textContent.includes(name)) card.style.display = 'none';
            })""",
            CARD,
        )
        loaded.page.screenshot(path=str(ROOT / "docs" / "review-samsara.png"), full_page=True)
        loaded.close()
        browser_session.close()
    print("Wrote docs/review-samsara.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
