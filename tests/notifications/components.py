"""Real components for the notification tests: an SMTP server on loopback, a broker switch."""

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from complaints import services
from complaints.choices import Channel
from config.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """An aiosmtpd server that keeps what it receives; it can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def subjects(self) -> list[str]:
        return [message["Subject"] for message in self.messages]


@contextmanager
def broker_at(url: str):
    """Point the Celery app at `url` for a while (a closed port plays a broker that is down)."""
    previous = celery_app.conf.broker_url
    _use_broker(url)
    try:
        yield
    finally:
        _use_broker(previous)


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    # The app caches its connection and producer pools; drop them so the next publish uses `url`.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def submit_complaint(**overrides):
    fields = {
        "channel": Channel.WEB,
        "complainant_name": "Rosa Diaz",
        "complainant_email": "rosa@example.com",
        "description": "I was charged twice for one order.",
    }
    return services.complaint_submit(**(fields | overrides))


def responded(*, handler, **overrides):
    """Return a complaint acknowledged, investigated and answered by `handler` (an Actor)."""
    case = services.complaint_acknowledge(complaint=submit_complaint(**overrides))
    case = services.complaint_start_investigation(complaint=case, actor=handler)
    return services.complaint_respond(
        complaint=case,
        actor=handler,
        findings="A duplicate charge.",
        actions="Refunded.",
        reasoning="Our error.",
        outcome="upheld",
    )
