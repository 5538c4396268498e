"""A DBOS worker in Python (DBOS Transact): it runs what dbos-edge enqueues on the `example` queue.

    npm run dev                                    # in another terminal: the service and its embedded database
    examples/python-worker/run.sh                  # or: python worker.py, with `pip install dbos`

It connects to DBOS_SYSTEM_DATABASE_URL (default: the database `npm run dev` serves) as the application
`example-py`. The workflow is registered as `greet` (its function name) and reads and writes portable JSON, so a
JavaScript client can send its arguments and read its result.
"""

import os
import signal
import threading

from dbos import DBOS, DBOSConfig, Queue
from dbos._serialization import WorkflowSerializationFormat

config: DBOSConfig = {
    "name": "example-py",
    "system_database_url": os.environ.get(
        "DBOS_SYSTEM_DATABASE_URL", "postgresql://postgres@127.0.0.1:5433/postgres"
    ),
    # `npm run dev` serves one embedded database session to every connection, so psycopg's named server-side
    # prepared statements (one set per connection) would collide there: turn them off.
    "db_engine_kwargs": {"connect_args": {"prepare_threshold": None}},
}
DBOS(config=config)

Queue("example", polling_interval_sec=0.2)


@DBOS.step()
def compose(name: str) -> str:
    return f"Hello, {name}!"


@DBOS.workflow(serialization_type=WorkflowSerializationFormat.PORTABLE)
def greet(name: str) -> dict:
    return {"greeting": compose(name), "by": "python", "workflowID": DBOS.workflow_id}


if __name__ == "__main__":
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    DBOS.launch()
    print("example-py worker ready on the example queue", flush=True)
    stop.wait()
    DBOS.destroy(workflow_completion_timeout_sec=5)
