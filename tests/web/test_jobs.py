"""Background jobs of the web app: one at a time in order, progress, failures with their HTTP
status, owners only, a bounded queue."""

from __future__ import annotations

import threading
import time

import pytest

from sentinelle.web.jobs import JobFailed, JobQueue, QueueFull


def _wait(job, states=("done", "failed"), timeout=10.0):
    deadline = time.monotonic() + timeout
    while job.as_dict()["state"] not in states:
        assert time.monotonic() < deadline, f"job still {job.as_dict()['state']}"
        time.sleep(0.01)
    return job.as_dict()


def test_jobs_run_one_at_a_time_in_order_with_progress_and_results():
    q = JobQueue()
    gate, order = threading.Event(), []

    def slow(progress):
        order.append("slow")
        progress(3, 10)
        gate.wait(10)
        return {"n": 1}

    def fast(progress):
        order.append("fast")
        return {"n": 2}

    first, second = q.submit("carol", "export", slow), q.submit("carol", "export", fast)
    seen = _wait(first, ("running",))
    deadline = time.monotonic() + 10
    while first.as_dict()["progress"]["done"] != 3:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    now = first.as_dict()
    assert seen["started_at"] and now["progress"] == {"done": 3, "total": 10, "fraction": 0.3}
    assert second.as_dict()["state"] == "queued"  # waits for the first
    gate.set()
    assert _wait(first)["result"] == {"n": 1} and _wait(second)["result"] == {"n": 2}
    assert order == ["slow", "fast"]
    done = first.as_dict()
    assert done["progress"]["fraction"] == 1.0 and done["finished_at"] >= done["started_at"]


def test_a_failed_job_keeps_its_status_and_message_and_the_worker_goes_on():
    q = JobQueue()

    def refused(progress):
        raise JobFailed(422, "subjects: no person box at that point")

    def broken(progress):
        raise RuntimeError("disk on fire")

    a, b = q.submit("carol", "export", refused), q.submit("carol", "export", broken)
    c = q.submit("carol", "export", lambda progress: {"ok": True})
    assert _wait(a)["error"] == {"status": 422, "detail": "subjects: no person box at that point"}
    assert _wait(b)["error"] == {"status": 500, "detail": "internal error: disk on fire"}
    assert _wait(c)["state"] == "done" and a.as_dict()["result"] is None


def test_only_the_owner_sees_a_job_and_the_queue_is_bounded():
    q = JobQueue(max_pending=2, keep=1)
    gate = threading.Event()
    a = q.submit("carol", "export", lambda p: gate.wait(10) and {})
    q.submit("carol", "export", lambda p: {})
    assert q.get(a.id, "carol") is a and q.get(a.id, "dave") is None
    assert q.get("nope", "carol") is None
    with pytest.raises(QueueFull, match="2 jobs are waiting or running"):
        q.submit("dave", "export", lambda p: {})
    gate.set()
    _wait(a)
    time.sleep(0.2)
    later = q.submit("dave", "export", lambda p: {})  # room again
    _wait(later)
    q.submit("dave", "export", lambda p: {})
    assert q.get(a.id, "carol") is None  # only the last finished job is kept
    with pytest.raises(ValueError):
        JobQueue(max_pending=0)
