"""Answers questions with DBOS Python's own DBOSClient, so the suite can compare its answers with dbos-edge's.

Connects with PROBE_URL, PROBE_APP and PROBE_SERIALIZER (pickle|portable) from the environment, then answers
requests until stdin closes: each stdin line is {"queries": [...]}, answered by one line
`PROBE {"answers": [...]}` with an answer per query, in order. Statuses use dbos-edge's field names.
Queries: {"op": "status", "id"}, {"op": "result", "id", "timeout"}, {"op": "list", "filters": {...}},
{"op": "steps", "id"}, {"op": "enqueue", "options": {...}, "args": [...], "kwargs": {...}},
{"op": "get_event", "id", "key", "timeout"}, {"op": "read_stream", "id", "key"},
{"op": "schedule", "name"}, {"op": "backfill", "name", "start", "end"} (ISO times),
{"op": "create_schedule", "schedule": {create_schedule's keyword arguments}}, {"op": "pause_schedule", "name"},
{"op": "send", "id", "message", "topic", "key"}, {"op": "set_delay", "id", "seconds"},
{"op": "queue", "name"}, {"op": "queues"},
{"op": "register_queue", "name", "options": {register_queue's keyword arguments}}, {"op": "versions"},
{"op": "latest_version"}, {"op": "set_latest_version", "name"}, {"op": "rename", "old", "new", "adopt"}; "steps" takes an optional "load_output".
A query that raises answers {"raised": {"name", "message"}}.
"""

import json
import os
import sys
from datetime import datetime
from typing import Any, Optional

from dbos import DBOSClient, DBOSPortableJSONSerializer, PortableWorkflowError, WorkflowSerializationFormat


def error_fields(error: Optional[BaseException]) -> Optional[dict]:
    if error is None:
        return None
    if isinstance(error, PortableWorkflowError):
        return {"name": error.name, "message": error.message}
    return {"name": type(error).__name__, "message": str(error)}


def status_fields(status: Any) -> dict:
    inputs = status.input or {}
    return {
        "workflowID": status.workflow_id,
        "status": status.status,
        "workflowName": status.name,
        "queueName": status.queue_name,
        "authenticatedUser": status.authenticated_user,
        "authenticatedRoles": status.authenticated_roles,
        "applicationVersion": status.app_version,
        "applicationName": status.application_name,
        "executorId": status.executor_id,
        "createdAt": status.created_at,
        "updatedAt": status.updated_at,
        "timeoutMS": status.workflow_timeout_ms,
        "deadlineEpochMS": status.workflow_deadline_epoch_ms,
        "deduplicationID": status.deduplication_id,
        "priority": status.priority,
        "queuePartitionKey": status.queue_partition_key,
        "forkedFrom": status.forked_from,
        "wasForkedFrom": status.was_forked_from,
        "parentWorkflowID": status.parent_workflow_id,
        "dequeuedAt": status.dequeued_at,
        "delayUntilEpochMS": status.delay_until_epoch_ms,
        "completedAt": status.completed_at,
        "scheduleName": status.schedule_name,
        "recoveryAttempts": status.recovery_attempts,
        "input": list(inputs.get("args", ())) if status.input is not None else None,
        "namedInput": dict(inputs.get("kwargs", {})) if status.input is not None else None,
        "output": status.output,
        "error": error_fields(status.error),
    }


def step_fields(step: Any) -> dict:
    return {
        "functionID": step["function_id"],
        "name": step["function_name"],
        "output": step["output"],
        "error": error_fields(step["error"]),
        "childWorkflowID": step["child_workflow_id"],
    }


def queue_fields(queue: Any) -> Optional[dict]:
    if queue is None:
        return None
    return {
        "name": queue.name,
        "concurrency": queue._concurrency,
        "workerConcurrency": queue._worker_concurrency,
        "limiter": queue._limiter,
        "pollingIntervalSec": queue._polling_interval_sec,
        "priorityEnabled": queue._priority_enabled,
        "partitionQueue": queue._partition_queue,
        "applicationName": queue.application_name,
    }


def answer(client: DBOSClient, query: dict) -> Any:
    op = query["op"]
    if op == "status":
        status = client.retrieve_workflow(query["id"]).get_status()
        return status_fields(status) if status else None
    if op == "result":
        handle = client.retrieve_workflow(query["id"])
        try:
            return {"output": handle.get_result(polling_interval_sec=0.05)}
        except Exception as error:
            return {"error": error_fields(error)}
    if op == "list":
        return [status_fields(status) for status in client.list_workflows(**query.get("filters", {}))]
    if op == "steps":
        steps = client.list_workflow_steps(query["id"], load_output=query.get("load_output", True))
        return [step_fields(step) for step in steps]
    if op == "enqueue":
        options = dict(query["options"])
        if options.pop("portable", False):
            options["serialization_type"] = WorkflowSerializationFormat.PORTABLE
        handle = client.enqueue(options, *query.get("args", []), **query.get("kwargs", {}))
        return handle.workflow_id
    if op == "get_event":
        return client.get_event(query["id"], query["key"], query.get("timeout", 10))
    if op == "read_stream":
        return list(client.read_stream(query["id"], query["key"]))
    if op == "backfill":
        start, end = datetime.fromisoformat(query["start"]), datetime.fromisoformat(query["end"])
        return [handle.workflow_id for handle in client.backfill_schedule(query["name"], start, end)]
    if op == "create_schedule":
        client.create_schedule(**query["schedule"])
        return query["schedule"]["schedule_name"]
    if op == "pause_schedule":
        client.pause_schedule(query["name"])
        return query["name"]
    if op == "schedule":
        schedule = client.get_schedule(query["name"])
        return None if schedule is None else {key: schedule[key] for key in ("schedule_name", "context", "status")}
    if op == "send":
        client.send(query["id"], query["message"], query.get("topic"), query.get("key"))
        return None
    if op == "set_delay":
        client.set_workflow_delay(query["id"], delay_seconds=query["seconds"])
        return None
    if op == "queue":
        return queue_fields(client.retrieve_queue(query["name"]))
    if op == "queues":
        return [queue_fields(queue) for queue in client.list_queues()]
    if op == "register_queue":
        return queue_fields(client.register_queue(query["name"], **query.get("options", {})))
    if op == "versions":
        return [dict(version) for version in client.list_application_versions()]
    if op == "latest_version":
        return dict(client.get_latest_application_version())
    if op == "set_latest_version":
        client.set_latest_application_version(query["name"])
        return None
    if op == "rename":
        adopt = query.get("adopt", False)
        return dict(client.rename_application(query["old"], query["new"], adopt_unclaimed_rows=adopt))
    raise ValueError(f"unknown op {op}")


def main() -> None:
    portable = os.environ["PROBE_SERIALIZER"] == "portable"
    extra = {"serializer": DBOSPortableJSONSerializer()} if portable else {}
    client = DBOSClient(system_database_url=os.environ["PROBE_URL"], application_name=os.environ["PROBE_APP"], **extra)
    try:
        for line in sys.stdin:
            answers = []
            for query in json.loads(line)["queries"]:
                try:
                    answers.append(answer(client, query))
                except Exception as error:
                    answers.append({"raised": error_fields(error)})
            print("PROBE " + json.dumps({"answers": answers}, default=str), flush=True)
    finally:
        client.destroy()


if __name__ == "__main__":
    main()
