"""A real browser for the public site: Debian's chromium driven by Playwright, with axe-core.

Outside CI the browser tests skip when chromium or axe-core is missing; in CI they fail.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import require_service

CHROMIUM = Path(os.environ.get("REDRESS_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def chromium():
    require_service(
        "Chromium", CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        require_service("Playwright", False, str(exc))
    # Playwright's sync API keeps an event loop in this thread; the test itself still talks to
    # the database synchronously, which is safe here because nothing else runs in the loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    # The CSP forbids inline script, as it should; axe is injected by the test, so only this
    # browser context is allowed past it.
    context = chromium.new_context(bypass_csp=True, locale="de-DE")
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    require_service("axe-core", AXE.exists(), f"{AXE} is missing (npm ci)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help,
                   targets: v.nodes.map(n => n.target.join(' '))}))"""
    )
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert not serious, f"{page.url}: {serious}"
