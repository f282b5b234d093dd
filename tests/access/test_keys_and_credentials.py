"""Server keys, and camera stream URLs encrypted at rest (never readable in the database)."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

from sentinelle.access.keys import Keys, load_keys
from sentinelle.errors import ConfigError
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from tests.registry.factories import full_cameras


def test_key_file_is_generated_once_with_mode_0600(tmp_path):
    settings = Settings(home=tmp_path / "h")
    first = load_keys(settings)
    path = tmp_path / "h" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keys(settings).master == first.master
    assert first.audit != first.sessions  # one key per purpose


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    settings = Settings(home=tmp_path / "h")
    load_keys(settings)
    (tmp_path / "h" / "secret.key").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_keys(settings)


def test_secret_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SENTINELLE_SECRET_KEY", "x" * 40)
    settings = Settings(home=tmp_path / "h")
    assert load_keys(settings).origin == "SENTINELLE_SECRET_KEY"
    assert not (tmp_path / "h" / "secret.key").exists()
    monkeypatch.setenv("SENTINELLE_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        load_keys(Settings(home=tmp_path / "h"))


def test_stream_urls_are_encrypted_in_the_database(db):
    keys = Keys(b"a" * 32)
    reg = Registry(db, keys=keys)
    reg.save_cameras(full_cameras())
    with db.engine.connect() as conn:
        raw = conn.execute(text("SELECT stream_main, stream_sub FROM cameras")).all()
        history = conn.execute(text("SELECT data FROM camera_versions")).all()
    stored = [v for row in raw for v in row if v]
    assert stored and all(v.startswith("enc:v1:") for v in stored)
    assert "s3cret" not in str(raw) and "10.20.0.11" not in str(raw)
    assert "s3cret" not in str(history)
    # The registry still gives plain cameras back, server-side.
    assert reg.camera("REN-001").stream_main.startswith("rtsp://admin:s3cret@10.20.0.11")
    assert reg.cameras() == full_cameras()


def test_another_key_cannot_read_them(db):
    Registry(db, keys=Keys(b"a" * 32)).save_cameras(full_cameras())
    with pytest.raises(ConfigError, match="another server secret"):
        Registry(db, keys=Keys(b"b" * 32)).camera("REN-001")


def test_values_stored_before_encryption_are_read_and_encrypted_on_write(db):
    keys = Keys(b"a" * 32)
    reg = Registry(db, keys=keys)
    cam = full_cameras()[0]
    reg.save_cameras([cam])
    with db.session() as s:
        s.execute(text("UPDATE cameras SET stream_main = :u"), {"u": cam.stream_main})
    assert reg.camera(cam.id).stream_main == cam.stream_main
    reg.save_cameras([cam.model_copy(update={"name": "renamed"})])
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT stream_main FROM cameras")).scalar().startswith("enc:")
