"""In a real browser: the embedded form shows inside the configured origin's page, and a page
of any other origin cannot frame it (CSP frame-ancestors, enforced by Chromium)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from api.embeds import embed_token_sign, embed_url
from api.models import Scope
from api.services import api_client_create
from tests.api.receiver import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ParentPage:
    """The organisation's dashboard: a page on its own origin that frames `src`."""

    def __init__(self, src: str, port: int | None = None) -> None:
        self.port = port or free_port()
        html = f'<!doctype html><title>Help</title><iframe id="complaint" src="{src}"></iframe>'

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def framed_text(chromium, parent: ParentPage) -> str:
    context = chromium.new_context(locale="en-GB")  # the CSP enforced, as for a customer
    try:
        page = context.new_page()
        page.goto(f"{parent.origin}/help/", wait_until="load")
        frame = page.frame_locator("#complaint")
        try:
            return frame.locator("body").inner_text(timeout=5000)
        except Exception:  # noqa: BLE001 - a blocked frame has no body to read
            return ""
    finally:
        context.close()


def test_only_the_configured_origin_can_frame_the_form(chromium, live_server, policy):
    allowed_port = free_port()
    client, _key = api_client_create(
        name="Dashboard", scopes=[Scope.SUBMIT], embed_origins=f"http://127.0.0.1:{allowed_port}"
    )
    token = embed_token_sign(
        client=client,
        account_identifier="CUST-1",
        name="Rosa Diaz",
        email="rosa@example.com",
        language="en",
    )
    src = live_server.url + urlsplit(embed_url(token))._replace(scheme="", netloc="").geturl()
    allowed, other = ParentPage(src, port=allowed_port), ParentPage(src)
    try:
        inside_allowed = framed_text(chromium, allowed)
        inside_other = framed_text(chromium, other)
    finally:
        allowed.stop()
        other.stop()
    assert "Rosa Diaz" in inside_allowed and "Make a complaint" in inside_allowed
    assert "Rosa Diaz" not in inside_other


def test_the_embedded_form_is_accessible_and_sends_a_complaint(page, live_server, policy, settings):
    from complaints.models import Complaint
    from tests.e2e.conftest import assert_accessible
    from tests.factories import CategoryFactory

    settings.REDRESS_FORM_MIN_SECONDS = 0  # the server runs in this process: no typing delay
    CategoryFactory(name="Billing")
    client, _key = api_client_create(
        name="Dashboard", scopes=[Scope.SUBMIT], embed_origins="https://app.acme.example"
    )
    token = embed_token_sign(
        client=client,
        account_identifier="CUST-1",
        name="Rosa Diaz",
        email="rosa@example.com",
        language="de",
    )
    page.goto(live_server.url + urlsplit(embed_url(token))._replace(scheme="", netloc="").geturl())
    assert_accessible(page)
    page.get_by_label("Worum geht es?").select_option(label="Billing")
    page.get_by_label("Was ist passiert?").fill("Zweimal abgebucht.")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Beschwerde absenden").click()
    page.get_by_text("Ihre Referenznummer").wait_for()
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.account_identifier) == ("dashboard", "CUST-1")
    assert complaint.display_reference in page.content()
