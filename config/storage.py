"""Static files as whitenoise serves them, each file's URL worked out once per process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's manifest storage, keeping the URL of each name it was asked for.

    A console page asks `{% static %}` for some thirty files, each a manifest lookup, URL
    parsing and quoting (17 µs); the answer depends only on the name, the manifest (read when
    the storage is made) and DEBUG. collectstatic rewrites the manifest: the URLs are forgotten
    then.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if name is None:
            return super().url(name, force)
        key = (name, force, settings.DEBUG)
        url = self._urls.get(key)
        if url is None:
            url = super().url(name, force)
            if len(self._urls) >= 4096:  # names from templates are few; anything else, bounded
                self._urls.clear()
            self._urls[key] = url
        return url

    def post_process(self, *args: Any, **kwargs: Any):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
