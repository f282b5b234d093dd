"""Master-plan runs as background jobs, one at a time, for the web app's planning page.

A job validates its scenario text at once (errors come back before anything runs), then waits
its turn: a single worker thread runs the jobs in order (a plan is CPU-heavy; two at once
would only slow both). Each job writes its outputs (``plan.json``, ``sites.geojson``,
``schema-directeur.html`` and ``.pdf``) under ``folder / job_id`` and keeps a summary for
side-by-side comparison.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sentinelle.errors import SentinelleError
from sentinelle.plan.masterplan import MasterPlan
from sentinelle.plan.scenario import Scenario, parse_scenario

__all__ = ["Job", "JobManager", "plan_summary"]

OUTPUTS = ("plan.json", "sites.geojson", "schema-directeur.html", "schema-directeur.pdf")


@dataclass
class Job:
    """One run of a scenario.

    Attributes
    ----------
    id
        Job identifier (also its output folder's name).
    label
        A name for the comparison (the scenario's name by default).
    status
        ``queued``, ``running``, ``done`` or ``failed``.
    stage
        Current step (``demand``, ``coverage``, ``siting``, ``document``…).
    progress
        Share done, 0 to 1.
    error
        Why it failed (the scenario error names the key and line).
    summary
        Key figures once done (`plan_summary`).
    """

    id: str
    label: str
    scenario_text: str
    folder: Path
    status: str = "queued"
    stage: str = "queued"
    progress: float = 0.0
    error: str | None = None
    summary: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def public(self) -> dict[str, Any]:
        """The job as JSON (without the scenario text)."""
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 3),
            "error": self.error,
            "summary": self.summary,
            "created": self.created,
            "finished": self.finished,
            "outputs": [n for n in OUTPUTS if (self.folder / n).exists()]
            if self.status == "done" else [],
        }


def plan_summary(mp: MasterPlan, label: str) -> dict[str, Any]:
    """Key figures of a plan, for comparing scenarios side by side."""
    qpv = []
    before = {(z["kind"], z["name"]): z for z in mp.before["zones"]}
    share = {(r["kind"], r["name"]): r for r in mp.weight_share}
    for z in mp.after["zones"]:
        if z["kind"] != "qpv":
            continue
        b = before[(z["kind"], z["name"])]
        s = share.get((z["kind"], z["name"]), {"before": 0.0, "after": 0.0})
        qpv.append({"name": z["name"], "coverage_before_pct": b["covered_pct"],
                    "coverage_after_pct": z["covered_pct"],
                    "priority_before": s["before"], "priority_after": s["after"]})
    r = mp.result
    b = mp.budget
    return {
        "label": label,
        "cameras_before": mp.candidates.n_existing,
        "cameras_after": mp.candidates.n_existing + len(mp.new_sites),
        "new_sites": len(mp.new_sites),
        "status": r.status.value,
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "solver_seconds": round(r.seconds, 2),
        "street_coverage_before_pct": mp.before["network"]["covered_pct"],
        "street_coverage_after_pct": mp.after["network"]["covered_pct"],
        "priority_before": mp.weight_share[0]["before"],
        "priority_after": mp.weight_share[0]["after"],
        "qpv": qpv,
        "capex_total_eur": b["capex_total_eur"],
        "opex_total_eur": b["opex_total_eur"],
        "total_eur": b["total_eur"],
        "full_cost_per_camera_year_eur": b["full_cost_per_camera_year_eur"],
        "staffing_fte_after": round(mp.staffing_after.fte, 2),
        "storage_raw_tb_after": round(mp.storage_after.raw_tb, 1),
        "left_over": len(mp.programme.left_over),
        "years": [{"year": y.year, "new_sites": len(y.sites)} for y in mp.programme.years],
        "timings_s": {k: round(v, 1) for k, v in mp.timings.items()},
    }


Runner = Callable[[Scenario, Callable[[str, float], None]], MasterPlan]


class JobManager:
    """Queued master-plan jobs run by one worker thread.

    Parameters
    ----------
    folder
        Where each job's outputs go (one sub-folder per job).
    runner
        Builds the plan of a scenario, reporting progress (e.g. `run_scenario` on a database).
    pdf
        Whether to render the PDF (WeasyPrint) as well as the HTML document.
    """

    def __init__(self, folder: Path, runner: Runner, *, pdf: bool = True) -> None:
        self.folder = Path(folder)
        self.runner = runner
        self.pdf = pdf
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[Job, Scenario] | None] = queue.Queue()
        # A daemon thread: stopping the server never waits for a plan being computed.
        self._worker = threading.Thread(target=self._loop, name="sentinelle-plan", daemon=True)
        self._worker.start()

    def submit(self, text: str, *, label: str | None = None) -> Job:
        """Validate `text` and queue it.

        Raises
        ------
        InputError
            When the scenario is invalid (nothing is queued).
        """
        scenario = parse_scenario(text, source="scénario")
        job_id = uuid.uuid4().hex[:12]
        job = Job(id=job_id, label=(label or scenario.scenario.name)[:120], scenario_text=text,
                  folder=self.folder / job_id)
        with self._lock:
            self.jobs[job_id] = job
        self._queue.put((job, scenario))
        return job

    def get(self, job_id: str) -> Job | None:
        """The job, or None."""
        return self.jobs.get(job_id)

    def list(self) -> list[Job]:
        """All jobs, newest first."""
        return sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)

    def wait(self, job_id: str, timeout_s: float = 600.0) -> Job:
        """Block until the job is done or failed (for tests and scripts)."""
        end = time.time() + timeout_s
        job = self.jobs[job_id]
        while job.status in ("queued", "running") and time.time() < end:
            time.sleep(0.05)
        return job

    def shutdown(self) -> None:
        """Stop the worker after the job it is running (queued jobs are dropped)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._run(*item)

    def _run(self, job: Job, scenario: Scenario) -> None:
        from sentinelle.plan.document import write_document

        job.status = "running"

        def progress(stage: str, done: float) -> None:
            job.stage = stage
            job.progress = 0.9 * done

        try:
            mp = self.runner(scenario, progress)
            job.stage = "document"
            job.progress = 0.9
            mp.write_json(job.folder)
            write_document(mp, job.folder, pdf=self.pdf)
            job.summary = plan_summary(mp, job.label)
            job.progress = 1.0
            job.stage = "done"
            job.status = "done"
        except SentinelleError as exc:
            job.error = str(exc)
            job.status = "failed"
        except Exception as exc:  # a bug must show on the page, not kill the worker
            job.error = f"{type(exc).__name__}: {exc}"
            job.status = "failed"
            traceback.print_exc()
        finally:
            job.finished = time.time()
