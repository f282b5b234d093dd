"""Long work of the web app run in the background: the request answers at once with a job,
the page polls the job's progress.

A right-of-access export redacts every frame of the window (two passes, a few frames per
second on a small server): minutes of work that no HTTP request should hold open. `JobQueue`
runs such work one job at a time in a daemon thread, in the order it was asked for; each job
belongs to the user who asked for it (nobody else sees it), reports its progress (frames done
and expected) and ends ``done`` with the same answer the synchronous request gives, or
``failed`` with the status and message that request would have answered. At most
`max_pending` jobs wait or run at once (more are refused: `QueueFull`), and the last `keep`
finished jobs stay readable. Jobs live in the server's memory: a restart forgets them (an
export cut short leaves only its ``.partial`` folder, never a half-written export).
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

#: Called by the work with (frames done, frames expected).
Progress = Callable[[int, int], None]


class QueueFull(Exception):
    """Too many jobs waiting or running."""


class JobFailed(Exception):
    """What a job's work raises to end ``failed`` with an HTTP status and a message."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")


@dataclass
class Job:
    """One piece of background work and where it stands."""

    id: str
    owner: str
    kind: str
    created_at: datetime
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, max(total, done)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            fraction = (1.0 if self.state == "done" else
                        round(self.done / self.total, 4) if self.total else 0.0)
            return {"id": self.id, "kind": self.kind, "state": self.state,
                    "progress": {"done": self.done, "total": self.total, "fraction": fraction},
                    "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
                    "finished_at": _iso(self.finished_at), "result": self.result,
                    "error": self.error}


class JobQueue:
    """Background jobs of one web app, run one at a time (see the module's text)."""

    def __init__(self, *, max_pending: int = 8, keep: int = 50) -> None:
        if max_pending < 1 or keep < 1:
            raise ValueError("max_pending and keep must be at least 1")
        self.max_pending, self.keep = max_pending, keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._work: dict[str, Callable[[Progress], dict[str, Any]]] = {}
        self._queue: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, owner: str, kind: str, work: Callable[[Progress], dict[str, Any]]) -> Job:
        """Queue `work` (called with a progress callback; returns the job's result)."""
        with self._lock:
            pending = sum(j.state in ("queued", "running") for j in self._jobs.values())
            if pending >= self.max_pending:
                raise QueueFull(f"{pending} jobs are waiting or running: try again when one "
                                "has finished")
            job = Job(id=secrets.token_urlsafe(12), owner=owner, kind=kind,
                      created_at=datetime.now(UTC))
            self._jobs[job.id] = job
            self._work[job.id] = work
            self._forget_old()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="web-jobs", daemon=True)
                self._thread.start()
        self._queue.put(job.id)
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job, if it exists and belongs to `owner`."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.state in ("done", "failed")]
        for k in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[k]

    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            with self._lock:
                job, work = self._jobs.get(job_id), self._work.pop(job_id, None)
            if job is None or work is None:
                continue
            with job._lock:
                job.state, job.started_at = "running", datetime.now(UTC)
            try:
                result = work(job.progress)
            except JobFailed as exc:
                outcome = ("failed", None, {"status": exc.status, "detail": exc.detail})
            except Exception as exc:  # noqa: BLE001 - a job's failure must not end the worker
                logger.exception("background %s job %s failed", job.kind, job.id)
                outcome = ("failed", None, {"status": 500, "detail": f"internal error: {exc}"})
            else:
                outcome = ("done", result, None)
            with job._lock:
                job.state, job.result, job.error = outcome
                job.finished_at = datetime.now(UTC)
                if job.state == "done":
                    job.done = job.total = max(job.total, job.done)
