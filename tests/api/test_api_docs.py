"""The OpenAPI schema validates and its documentation page is served under our own CSP."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/categories/",
        "/api/v1/complaints/",
        "/api/v1/complaints/{reference}/",
        "/api/v1/complaints/{reference}/messages/",
        "/api/v1/embeds/",
    }
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_the_schema_is_served_without_a_key(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Redress API"


def test_the_documentation_page_loads_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]
