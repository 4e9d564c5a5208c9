"""A form's stamp is spent once: its nonce taken in one statement, and free again once expired."""

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from publicsite.forms import STAMP_SALT, new_stamp, stamp_use_once

pytestmark = pytest.mark.django_db


def test_it_takes_a_stamp_once_and_refuses_it_after():
    stamp = new_stamp()
    assert stamp_use_once(stamp) is True
    assert stamp_use_once(stamp) is False
    assert stamp_use_once(new_stamp()) is True


@settings(max_examples=20, deadline=None)
@given(uses=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=12))
def test_it_takes_each_of_many_stamps_only_on_its_first_use(uses):
    stamps = [new_stamp() for _ in range(4)]
    seen = set()
    for number in uses:
        assert stamp_use_once(stamps[number]) is (number not in seen)
        seen.add(number)


def test_it_takes_a_stamp_again_once_its_nonce_expired(settings):
    settings.REDRESS_FORM_MAX_AGE_SECONDS = 60
    stamp = new_stamp()
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        assert stamp_use_once(stamp) is True
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, 30, tzinfo=dt.UTC), tick=False):
        assert stamp_use_once(stamp) is False
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 2, tzinfo=dt.UTC), tick=False):
        assert stamp_use_once(stamp) is True


def test_the_nonce_reads_back_from_the_database_cache():
    stamp = new_stamp()
    stamp_use_once(stamp)
    nonce = signing.loads(stamp, salt=STAMP_SALT)["n"]
    assert caches["database"].get(f"form-nonce:{nonce}") == 1


def test_it_spends_a_stamp_in_one_statement_on_postgresql():
    with CaptureQueriesContext(connection) as captured:
        stamp_use_once(new_stamp())
    # Elsewhere (the embedded SQLite setup) the cache's own add: count, read, write.
    assert len(captured) == (1 if connection.vendor == "postgresql" else 5)
