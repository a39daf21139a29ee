"""Schemathesis over the OpenAPI spec, in-process: generated requests to every operation, no 5xx, and
each JSON 200 response conforms to its documented schema. Examples are bounded so the run stays short.

Schemathesis's own pytest plugin does not run under this pytest, so the cases come from its Hypothesis
strategies, one operation after another."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from _api_corpus import copy, corpus  # noqa: E402
from polarwatch.api import create_app  # noqa: E402

EXAMPLES = 15


def test_generated_requests_never_get_a_server_error(tmp_path_factory):
    # A copy with a token: the write operations are exercised too (the generator does not know the token).
    db = copy(corpus(tmp_path_factory), tmp_path_factory.mktemp("schema") / "api.db")
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(db, token="not-known-to-the-generator"))
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 17
    seen: dict[str, set[int]] = {}

    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def run(case) -> None:  # noqa: ANN001
            response = case.call()
            assert response.status_code < 500, (case.method, case.path, case.query, response.text[:200])
            seen.setdefault(op.label, set()).add(response.status_code)
            if response.status_code == 200 and response.headers.get("content-type", [""])[0].startswith("application/json"):
                case.validate_response(response)

        run()
    assert len(seen) == len(ops)
