"""The DBOS Python application the interop suite runs beside the TypeScript worker.

Written the way users write DBOS Python apps: plain decorators, queues declared in code, no serialization hints
on the workflows. Two variants, chosen by INTEROP_PY_SERIALIZER: `pickle` (DBOS's default serializer) and
`portable` (DBOSConfig's serializer set to the portable JSON serializer).

Env: DBOS_SYSTEM_DATABASE_URL, INTEROP_APP_NAME, INTEROP_APP_VERSION, INTEROP_PY_SERIALIZER.
Prints `PY APP READY {json}` once launched; stops cleanly on SIGTERM.
"""

import json
import os
import signal
import sys
import threading
import time
import uuid
from datetime import datetime
from typing import Any, Optional

from dbos import DBOS, DBOSConfig, DBOSPortableJSONSerializer, Queue, SetWorkflowID


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        print(f"app.py: {name} is not set", file=sys.stderr)
        sys.exit(2)
    return value


serializer_choice = os.environ.get("INTEROP_PY_SERIALIZER", "pickle")
if serializer_choice not in ("pickle", "portable"):
    print(f"app.py: INTEROP_PY_SERIALIZER must be pickle or portable, not {serializer_choice}", file=sys.stderr)
    sys.exit(2)

config: DBOSConfig = {
    "name": required("INTEROP_APP_NAME"),
    "system_database_url": required("DBOS_SYSTEM_DATABASE_URL"),
    "application_version": required("INTEROP_APP_VERSION"),
    "log_level": os.environ.get("INTEROP_PY_LOG_LEVEL", "WARNING"),
    # New schedules are seen within a second (the default is 30 s); queues poll every 0.25 s (default 1 s) below.
    "scheduler_polling_interval_sec": 1.0,
}
if serializer_choice == "portable":
    config["serializer"] = DBOSPortableJSONSerializer()

DBOS(config=config)

# Quick enough for a short suite, idle enough not to load a 2-core CI machine.
POLL = 0.25
Queue("interop", polling_interval_sec=POLL)
# One at a time, by priority: lets a test hold the queue and watch the order it drains in.
Queue("serial", concurrency=1, priority_enabled=True, polling_interval_sec=POLL)
Queue("partitioned", partition_queue=True, concurrency=1, polling_interval_sec=POLL)


class PaymentError(Exception):
    """A user-defined exception, to see how a custom class crosses to a TS client."""

    def __init__(self, message: str, code: str = "E_PAY") -> None:
        super().__init__(message)
        self.code = code


@DBOS.workflow()
def echo(*args: Any, **kwargs: Any) -> dict:
    return {"args": list(args), "kwargs": kwargs}


@DBOS.workflow()
def add(a: int, b: int) -> int:
    return a + b


@DBOS.workflow()
def fail_value(message: str) -> None:
    raise ValueError(message)


@DBOS.workflow()
def fail_custom(message: str) -> None:
    raise PaymentError(message)


@DBOS.step()
def label_step(tag: str, index: int) -> str:
    return f"{tag}-{index}"


@DBOS.step()
def random_step() -> str:
    return uuid.uuid4().hex


@DBOS.workflow()
def three_steps(tag: str) -> list:
    return [label_step(tag, 1), label_step(tag, 2), label_step(tag, 3)]


@DBOS.workflow()
def gated_steps(tag: str) -> list:
    """A step, a wait for a `go` message, then a random step: cancel/resume and fork show which steps replay."""
    first = random_step()
    go = DBOS.recv("go", 60)
    return [tag, first, go, random_step()]


@DBOS.workflow()
def receive(topic: Optional[str], count: int, timeout: float) -> list:
    return [DBOS.recv(topic, timeout) for _ in range(count)]


@DBOS.workflow()
def approval(timeout: float) -> Any:
    DBOS.set_event("status", "waiting")
    decision = DBOS.recv("approval", timeout)
    DBOS.set_event("status", "decided")
    DBOS.set_event("decision", decision)
    return decision


@DBOS.workflow()
def publish_events(events: dict) -> list:
    for key, value in events.items():
        DBOS.set_event(key, value)
    return sorted(events)


@DBOS.workflow()
def streamer(count: int, close: bool) -> int:
    for index in range(count):
        DBOS.write_stream("values", {"index": index})
    if close:
        DBOS.close_stream("values")
    return count


@DBOS.workflow()
def sleeper(seconds: float) -> float:
    DBOS.sleep(seconds)
    return seconds


@DBOS.workflow()
def whoami() -> dict:
    return {
        "user": DBOS.authenticated_user,
        "roles": DBOS.authenticated_roles,
        "workflow_id": DBOS.workflow_id,
    }


@DBOS.workflow()
def tick(scheduled_time: datetime, context: Any) -> dict:
    # A portable run passes the time as an ISO string; DBOS turns it into a datetime from the type hint.
    return {"at": scheduled_time.isoformat(), "context": context}


# The shapes of DBOS Python's own client tests (tests/client_collateral.py), gated on messages instead of sleeps.
@DBOS.workflow()
def enqueue_test(num_val: int, str_val: str, person: dict) -> str:
    return f"{num_val}-{str_val}-{json.dumps(person)}"


@DBOS.workflow()
def send_test(topic: Optional[str] = None) -> Any:
    return DBOS.recv(topic, 60)


@DBOS.workflow()
def event_test(key: str, value: str, update: bool) -> str:
    """Sets the event; with `update`, waits for an `update` message and sets it again."""
    DBOS.set_event(key, value)
    if update:
        DBOS.recv("update", 60)
        DBOS.set_event(key, f"updated-{value}")
    return f"{key}-{value}"


def start_own_workflows() -> None:
    """Workflows the app starts itself: they carry the app's serializer (pickle in the default variant)."""
    with SetWorkflowID("py-own-echo"):
        DBOS.start_workflow(echo, "own", 1, flag=True)
    with SetWorkflowID("py-own-steps"):
        DBOS.start_workflow(three_steps, "own")
    with SetWorkflowID("py-own-failure"):
        DBOS.start_workflow(fail_custom, "own failure")
    with SetWorkflowID("py-own-value-error"):
        DBOS.start_workflow(fail_value, "own value error")


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    started = time.monotonic()
    DBOS.launch()
    start_own_workflows()
    ready = {
        "appName": config["name"],
        "appVersion": config["application_version"],
        "serializer": serializer_choice,
        "startupSeconds": round(time.monotonic() - started, 2),
    }
    print(f"PY APP READY {json.dumps(ready)}", flush=True)
    stop.wait()
    DBOS.destroy(workflow_completion_timeout_sec=0)


if __name__ == "__main__":
    main()
