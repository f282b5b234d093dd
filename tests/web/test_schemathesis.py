"""Schemathesis over the OpenAPI schema, logged in as each role: never a 5xx.

Each generated request is sent anonymously and as each role. Bounded to a few examples per
operation so that it runs in well under a minute. Schemathesis is driven through Hypothesis
directly (its pytest plugin does not run under pytest 9 here). `POST /api/preview` is left out:
the planner's preview is still a stub (NotImplementedError) of the base-map issue.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import ROLES

SKIP = {("POST", "/api/preview")}
EXAMPLES = 4


@pytest.fixture(scope="module")
def logins(clients) -> dict[str | None, dict]:
    out: dict[str | None, dict] = {None: {"cookies": {}, "headers": {}}}
    for role in ROLES:
        c = clients[role]
        out[role] = {"cookies": {"sentinelle_session": c.cookies.get("sentinelle_session")},
                     "headers": {"X-CSRF-Token": c.headers["X-CSRF-Token"]}}
    return out


def test_no_server_error_for_any_role(web_app, logins):
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 15
    seen: dict[int, int] = {}
    for op in operations:
        if (op.method.upper(), op.path) in SKIP:
            continue

        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            for role in (None, *ROLES):
                login = logins[role]
                response = case.call(headers={**(case.headers or {}), **login["headers"]},
                                     cookies=login["cookies"])
                seen[response.status_code] = seen.get(response.status_code, 0) + 1
                assert response.status_code < 500, (role, case.method, case.path,
                                                    response.text[:300])
                if response.status_code in (400, 422):
                    assert response.json().get("detail"), response.text  # a clear message

        check()
    assert seen.get(200) and seen.get(401) and seen.get(403)  # every kind of answer was seen
