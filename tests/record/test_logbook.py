"""The control room's log and maintenance tickets, on both backends and from the CLI."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.cli.main import app
from sentinelle.errors import InputError, NotFoundError
from sentinelle.record.logbook import Logbook
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
KEYS = Keys(b"k" * 32, origin="tests")
ALICE = Actor("alice", "operator")
BOB = Actor("bob", "supervisor")
TECH = Actor("tech", "operator")
runner = CliRunner()


@pytest.fixture
def audit(db) -> AuditLog:
    return AuditLog(db, KEYS)


@pytest.fixture
def book(db, audit):
    registry = Registry(db, keys=KEYS)
    registry.save_cameras([Camera(id="REN-001", lon=-1.68, lat=48.11)])
    known = {c.id for c in registry.cameras()}
    return Logbook(db, audit, known_camera=known.__contains__)


def test_log_entries(book, audit):
    e1 = book.add(camera_id="REN-001", category="incident", text="Rixe devant le bar",
                  actor=ALICE, now=NOW)
    book.add(camera_id=None, category="other", text="Relève de 22 h", actor=BOB,
             now=NOW + timedelta(minutes=30))
    book.add(camera_id="REN-001", category="signalement", text="Transmis à la police",
             actor=ALICE, now=NOW + timedelta(minutes=5))
    assert e1.id and e1.at == NOW and e1.category == "incident" and e1.author == "alice"
    assert [e.text for e in book.entries()] == [
        "Relève de 22 h", "Transmis à la police", "Rixe devant le bar"
    ]
    assert [e.category for e in book.entries(camera_id="REN-001")] == ["signalement",
                                                                      "incident"]
    assert len(book.entries(category="incident")) == 1
    assert len(book.entries(limit=1)) == 1
    assert e1.as_json()["at"] == "2026-11-25T21:30:00Z"
    # Each entry is audited (who, when, which camera, which category), its text is not.
    entries = audit.entries(action="log_entry", newest_first=False)
    assert [(a.actor, a.object_id, a.details["category"]) for a in entries] == [
        ("alice", "REN-001", "incident"), ("bob", None, "other"),
        ("alice", "REN-001", "signalement"),
    ]
    assert entries[0].details["entry"] == e1.id and entries[0].ts == NOW
    assert all("Rixe" not in str(a.as_dict()) for a in entries)
    assert audit.verify().ok


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"category": "crime"}, InputError, "incident, signalement, maintenance, other"),
        ({"text": "   "}, InputError, "`text` is empty"),
        ({"camera_id": "NOPE"}, NotFoundError, "camera `NOPE` is not in the registry"),
    ],
)
def test_bad_entries_are_refused(book, audit, kwargs, error, match):
    args = {"camera_id": "REN-001", "category": "incident", "text": "x", "actor": ALICE,
            "now": NOW} | kwargs
    with pytest.raises(error, match=match):
        book.add(**args)
    assert book.entries() == []
    assert audit.entries(action="log_entry") == []


def test_tickets_open_close(book, audit):
    t = book.open_ticket(camera_id="REN-001", fault="Image floue", actor=ALICE, now=NOW)
    assert t.is_open and book.tickets(open_only=True) == [t]
    closed = book.close_ticket(t.id, actor=TECH, now=NOW + timedelta(hours=26),
                               resolution="Dôme nettoyé")
    assert not closed.is_open and closed.closed_by == "tech"
    assert closed.closed_at - closed.opened_at == timedelta(hours=26)
    assert book.tickets(open_only=True) == [] and book.ticket(t.id) == closed
    with pytest.raises(InputError, match="closed already"):
        book.close_ticket(t.id, actor=TECH, now=NOW)
    with pytest.raises(NotFoundError, match="ticket 999"):
        book.close_ticket(999, actor=TECH, now=NOW)
    with pytest.raises(NotFoundError):
        book.open_ticket(camera_id="NOPE", fault="x", actor=ALICE, now=NOW)
    changes = audit.entries(action="ticket_change", newest_first=False)
    assert [(a.actor, a.object_id, a.details) for a in changes] == [
        ("alice", "REN-001", {"ticket": t.id, "change": "open"}),
        ("tech", "REN-001", {"ticket": t.id, "change": "close"}),
    ]


def test_cli_log_and_tickets(home, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("id,lon,lat\nREN-001,-1.68,48.11\n")
    assert runner.invoke(app, ["cameras", "import", str(f)]).exit_code == 0
    res = runner.invoke(app, ["log", "add", "--camera", "REN-001", "--category", "incident",
                              "--text", "Rixe devant le bar"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["log", "add", "--category", "crime", "--text", "x"])
    assert res.exit_code == 2 and "must be one of" in res.output
    res = runner.invoke(app, ["log", "add", "--camera", "X", "--text", "x"])
    assert res.exit_code == 1 and "not in the registry" in res.output
    entries = json.loads(runner.invoke(app, ["log", "list", "--json"]).stdout)["entries"]
    assert [(e["camera_id"], e["category"], e["text"]) for e in entries] == [
        ("REN-001", "incident", "Rixe devant le bar")
    ]
    assert entries[0]["author"].startswith("cli:")
    res = runner.invoke(app, ["audit", "list", "--json"])
    actions = [e["action"] for e in json.loads(res.stdout)]
    assert "log_entry" in actions
    res = runner.invoke(app, ["tickets", "open", "--camera", "REN-001", "--fault",
                              "Image noire", "--json"])
    ticket = json.loads(res.stdout)
    assert ticket["open"] and ticket["camera_id"] == "REN-001"
    res = runner.invoke(app, ["tickets", "close", str(ticket["id"]), "--resolution",
                              "Alimentation remplacée"])
    assert res.exit_code == 0 and f"ticket {ticket['id']} closed" in res.stdout
    res = runner.invoke(app, ["tickets", "close", str(ticket["id"])])
    assert res.exit_code == 2 and "closed already" in res.output
    listed = json.loads(runner.invoke(app, ["tickets", "list", "--json"]).stdout)["tickets"]
    assert listed[0]["resolution"] == "Alimentation remplacée" and not listed[0]["open"]
    assert json.loads(runner.invoke(app, ["tickets", "list", "--open", "--json"]).stdout) == {
        "tickets": []
    }
    assert "REN-001" in runner.invoke(app, ["tickets", "list"]).stdout  # the table view
