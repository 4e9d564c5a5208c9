"""In a real browser, under the site's CSP: the API documentation page draws the operations."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_lists_the_operations_under_the_csp(chromium, live_server):
    context = chromium.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(f"{live_server.url}/api/docs/", wait_until="load")
        page.get_by_text("Submit a complaint for the signed-in customer").wait_for(timeout=15000)
        text = page.locator("body").inner_text()
    finally:
        context.close()
    assert "/api/v1/complaints/{reference}/messages/" in text
    assert not [error for error in errors if "Content Security Policy" in error], errors
