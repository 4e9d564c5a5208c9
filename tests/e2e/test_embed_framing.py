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
