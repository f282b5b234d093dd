"""No credential or stream URL in any public answer, log line or export."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sentinelle.cli.main import app as cli
from tests.web.conftest import ROLES, login

SECRETS = ("s3cret", "rtsp://", "10.20.0.11", "admin:")
PUBLIC = ["/", "/health", "/login", "/logout", "/openapi.json", "/api/public/info",
          "/api/public/cameras", "/api/public/zones", "/api/public/coverage",
          "/api/public/basemap", "/api/public/timeline"]


def _clean(text: str) -> bool:
    return not any(s in text for s in SECRETS)


def test_public_answers_carry_no_stream_url_or_credential(app, caplog):
    caplog.set_level(logging.DEBUG)
    c = TestClient(app)
    for path in PUBLIC:
        res = c.get(path)
        assert res.status_code == 200 and _clean(res.text), path
    assert _clean(caplog.text)


def test_internal_answers_never_carry_credentials(app, caplog):
    caplog.set_level(logging.DEBUG)
    for role in ROLES:
        c = TestClient(app)
        login(c, role)
        for path in ("/api/cameras", "/api/me", "/api/users", "/api/audit",
                     "/api/habilitations", "/users", "/audit", "/habilitations"):
            res = c.get(path)
            assert "s3cret" not in res.text, (role, path)
            assert "password_hash" not in res.text and "$argon2" not in res.text
    assert "s3cret" not in caplog.text and "correct horse" not in caplog.text


def test_cli_exports_and_listings_carry_no_credential(home, tmp_path):
    runner = CliRunner()
    cams = tmp_path / "cams.csv"
    cams.write_text("id,lon,lat,azimuth_deg,hfov_deg,stream_main\n"
                    "C1,-1.68,48.11,90,60,rtsp://admin:s3cret@10.20.0.11/s\n")
    assert runner.invoke(cli, ["cameras", "import", str(cams)]).exit_code == 0
    for fmt in ("geojson", "csv"):
        out = tmp_path / f"out.{fmt}"
        assert runner.invoke(cli, ["cameras", "export", "--format", fmt, "--out",
                                   str(out)]).exit_code == 0
        assert "s3cret" not in out.read_text()
    for args in (["cameras", "list", "--json"], ["cameras", "show", "C1"],
                 ["cameras", "history", "C1"], ["audit", "list", "--json"]):
        res = runner.invoke(cli, args)
        assert res.exit_code == 0 and "s3cret" not in res.output, args
    assert "s3cret" not in json.dumps(
        json.loads(runner.invoke(cli, ["audit", "list", "--json"]).output))
    db_bytes = (home / "sentinelle.db").read_bytes()
    assert b"s3cret" not in db_bytes  # encrypted at rest (WAL checkpointed or not)
