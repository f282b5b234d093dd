from sqlalchemy import inspect

from sentinelle.db.engine import open_database
from sentinelle.db.migrate import head_revision


def test_schema_migrates_itself_on_first_use(db_url):
    db = open_database(db_url)
    assert db.current_revision() == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert {"cameras", "camera_heads", "camera_versions", "zones", "authorisations"} <= tables
    # A second open is a no-op at the same revision.
    assert open_database(db_url).current_revision() == head_revision()
    db.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
