"""Fuzzing the REST API from its committed OpenAPI schema (schemathesis) against a live server on
loopback, with the demo loaded: no input may produce a 5xx or a response the schema does not describe
(status code, content type, body shape). Runs in CI with the rest of the suite."""

from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth.models import User
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from baocao.demo.loader import load_demo

SCHEMA = schemathesis.openapi.from_path(
    Path(__file__).resolve().parents[2] / "baocao" / "api" / "openapi.yaml"
)
# Inputs the schema allows (positive mode); what must hold for every one of them:
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api(transactional_db, live_server):
    """The demo behind a live server, and the token of a user who may do everything."""
    load_demo()
    token, _ = Token.objects.get_or_create(user=User.objects.get(username="admin"))
    return live_server.url, token.key


@SCHEMA.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_honours_its_schema(case, api):
    base_url, key = api
    case.call_and_validate(base_url=base_url, headers={"Authorization": f"Token {key}"}, checks=CHECKS)
