"""The static files' storage answers as whitenoise's, keeping each URL it worked out."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.storage import StaticStorage

NAMES = ["redress/admin.css", "redress/admin.css#top", "redress/favicon.svg", "redress/"]


@pytest.fixture
def root(tmp_path):
    manifest = {
        "paths": {
            "redress/admin.css": "redress/admin.0123abcd.css",
            "redress/favicon.svg": "redress/favicon.89ef4567.svg",
        },
        "version": "1.1",
        "hash": "5678",
    }
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return tmp_path


def test_it_gives_the_urls_whitenoise_gives_and_the_same_the_second_time(root, settings):
    settings.DEBUG = False
    theirs = CompressedManifestStaticFilesStorage(location=root, base_url="/static/")
    ours = StaticStorage(location=root, base_url="/static/")
    expected = [theirs.url(name) for name in NAMES]
    assert expected[0] == "/static/redress/admin.0123abcd.css"
    assert [ours.url(name) for name in NAMES] == expected
    assert [ours.url(name) for name in NAMES] == expected


def test_it_refuses_a_file_missing_from_the_manifest_each_time(root, settings):
    settings.DEBUG = False
    ours = StaticStorage(location=root, base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("redress/missing.js")


def test_it_gives_the_plain_name_in_debug_as_whitenoise_does(root, settings):
    ours = StaticStorage(location=root, base_url="/static/")
    settings.DEBUG = False
    assert ours.url("redress/admin.css") == "/static/redress/admin.0123abcd.css"
    settings.DEBUG = True
    assert ours.url("redress/admin.css") == "/static/redress/admin.css"
