"""Retention enforced while the recorder runs: `purge` every few minutes, unattended.

`sentinelle record run` starts a `RetentionEnforcer` (``--purge-every``, default hourly), so
footage past its retention is destroyed without anybody scheduling `sentinelle record purge`:
the recorder is the process that runs for as long as footage is being made. Each run is the
same purge as the command's (holds honoured, destruction register, one `purge` audit entry per
camera), attributed to ``system:purge``. Each run also drops the thumbnails of event alerts
past their video retention and alert metadata past six months (`Alerts.purge`, what
`sentinelle analytics alerts-purge` does): a thumbnail is an image of the footage and must not
outlive it. A failing run is logged and retried at the next turn; it never stops the recording.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sentinelle.access.audit import Actor
from sentinelle.access.keys import Keys
from sentinelle.custody.retention import PurgeReport, purge
from sentinelle.db.engine import Database

logger = logging.getLogger(__name__)
ACTOR = Actor.system("purge")


class RetentionEnforcer:
    """Runs `purge` at start and then every `every_s` seconds until stopped.

    Parameters
    ----------
    db, root, keys
        The database, the recordings folder and the keys (audit chain).
    quota_bytes
        ``SENTINELLE_RECORDINGS_QUOTA`` in bytes, or None.
    every_s
        Seconds between two runs (> 0).
    clock
        The time each run judges at (default: now, UTC).
    on_report
        Called with each run's report (the CLI logs; tests wait on it).
    """

    def __init__(self, db: Database, root: Path, *, keys: Keys, quota_bytes: int | None,
                 every_s: float, clock: Callable[[], datetime] | None = None,
                 on_report: Callable[[PurgeReport], None] | None = None) -> None:
        if every_s <= 0:
            raise ValueError(f"the purge period must be positive, got {every_s} s")
        self.db, self.root, self.keys = db, root, keys
        self.quota_bytes = quota_bytes
        self.every_s = every_s
        self.clock = clock or (lambda: datetime.now(UTC))
        self.on_report = on_report
        self.runs = 0
        self.errors = 0
        self.alerts_purged: dict[str, int] = {"thumbnails": 0, "alerts": 0}

    def run_once(self) -> PurgeReport | None:
        """One purge of footage, then of alerts; None when the footage purge failed (logged;
        a failing alerts purge is logged too, and neither keeps the other from running)."""
        try:
            now = self.clock()
            report = purge(self.db, self.root, keys=self.keys, now=now, actor=ACTOR,
                           quota_bytes=self.quota_bytes)
        except Exception:  # noqa: BLE001 - the recorder must keep recording whatever happens
            self.errors += 1
            logger.exception("retention purge failed; retried in %.0f s", self.every_s)
            report = None
        self._purge_alerts()
        if report is None:
            return None
        self.runs += 1
        if report.deleted:
            logger.info("retention purge: %d segment(s) destroyed, %d byte(s)",
                        len(report.deleted), sum(s.size_bytes for s in report.deleted))
        for alert in report.plan.alerts:
            logger.error("retention purge: %s", alert)
        for failure in report.failed:
            logger.warning("retention purge: not deleted: %s", failure)
        if self.on_report is not None:
            self.on_report(report)
        return report

    def _purge_alerts(self) -> None:
        from sentinelle.events.alerts import Alerts

        try:
            dropped = Alerts(self.db, self.keys).purge(now=self.clock())
        except Exception:  # noqa: BLE001 - as above
            self.errors += 1
            logger.exception("alerts retention purge failed; retried in %.0f s", self.every_s)
            return
        for what, n in dropped.items():
            self.alerts_purged[what] += n
        if any(dropped.values()):
            logger.info("retention purge: %d alert thumbnail(s) and %d alert(s) past their "
                        "retention removed", dropped["thumbnails"], dropped["alerts"])

    def run(self, stop: threading.Event) -> None:
        """Purge now, then every `every_s` seconds, until `stop` is set."""
        while not stop.is_set():
            self.run_once()
            if stop.wait(self.every_s):
                break

    def start(self, stop: threading.Event) -> threading.Thread:
        """`run` in a daemon thread."""
        thread = threading.Thread(target=self.run, args=(stop,), name="retention-purge",
                                  daemon=True)
        thread.start()
        return thread
