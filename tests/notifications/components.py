"""Real components for the notification tests: an SMTP server on loopback, a broker switch."""

import base64
import json
import os
import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from unittest import mock

import redis
from aiosmtpd.controller import Controller

from complaints.choices import State
from config.celery import app as celery_app
from demo.seed import case_advance
from tests.cases import submit_complaint


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
    """Point the Celery app at `url` for a while (a closed port plays a broker that is down).

    Celery reads CELERY_BROKER_URL from the environment before its own setting: both change.
    """
    previous = celery_app.conf.broker_url
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
        _use_broker(url)
        try:
            yield
        finally:
            _use_broker(previous)


def queued_tasks(url: str) -> list[tuple[str, list]]:
    """Return (task, args) of each message waiting in the Redis broker at `url`, oldest first."""
    messages = [json.loads(raw) for raw in redis.Redis.from_url(url).lrange("celery", 0, -1)]
    return [
        (message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0])
        for message in reversed(messages)
    ]


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    # The app caches its connection and producer pools; drop them so the next publish uses `url`.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def responded(*, handler, **overrides):
    """Return a complaint acknowledged, investigated and answered by `handler` (an Actor)."""
    return case_advance(submit_complaint(**overrides), State.RESPONDED, handler=handler.user)
