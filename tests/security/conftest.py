"""The console's people and cases (Hana and Hugo handle, Sam supervises, Olga is bare staff)."""

from tests.console.conftest import cases, hana, hugo, olga, sam  # noqa: F401
