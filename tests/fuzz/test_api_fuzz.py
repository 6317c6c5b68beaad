"""Fuzzing the REST API from its committed OpenAPI schema (schemathesis) against a live server on
loopback, with the demo loaded: no input may produce a 5xx or a response the schema does not describe
(status code, content type, body shape). Every generated request is sent with the token of each role —
the superuser, a unit clerk, the office and the leader — so the scoped paths (403, 404, filtered lists)
are fuzzed too, with every check for every role. Runs in CI with the rest of the suite (the demo is
loaded once per operation, not once per role)."""

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
# The superuser, a unit clerk (Công an thành phố), the office and the leader: the scoped answers
# (403, 404, filtered lists) must be described by the schema as much as the superuser's.
ROLES = ("admin", "ca.canbo", "vanphong", "lanhdao")


@pytest.fixture
def api(transactional_db, live_server):
    """The demo behind a live server, and the token of each role's user."""
    load_demo()
    tokens = {
        name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key for name in ROLES
    }
    return live_server.url, tokens


@SCHEMA.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_honours_its_schema(case, api):
    base_url, tokens = api
    for name in ROLES:
        headers = {"Authorization": f"Token {tokens[name]}"}
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
