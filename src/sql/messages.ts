/**
 * Messages, events and streams: the statements behind `send`, `getEvent` and `readStream`. The reads take a
 * whole batch of waiters at once (`unnest` of parallel arrays), so one poll serves every waiter of a client.
 */
import { textArray } from './params.ts';
import type { Query, SqlContext } from './workflows.ts';

/** DBOS stores a message sent without a topic under this topic. */
export const NULL_TOPIC = '__null__topic__';
/** The value a closed stream ends with, compared after decoding; older writers stored it as bare text. */
export const STREAM_CLOSED = '__DBOS_STREAM_CLOSED__';
/** Stream values read per round trip. */
export const STREAM_PAGE = 100;

export interface OutgoingMessage {
  readonly destinationID: string;
  readonly topic: string;
  readonly message: string;
  readonly serialization: string;
  readonly messageID: string;
}

/**
 * Inserts the messages in one statement. A message ID already present (a retried send with the same
 * idempotency key) is skipped, so each message is delivered once; the notifications trigger wakes receivers.
 */
export function sendStatement(ctx: SqlContext, messages: readonly OutgoingMessage[]): Query {
  return {
    text: `INSERT INTO ${ctx.s}.notifications (destination_uuid, topic, message, serialization, message_uuid)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
      ON CONFLICT (message_uuid) DO NOTHING`,
    params: [
      textArray(messages.map((m) => m.destinationID)),
      textArray(messages.map((m) => m.topic)),
      textArray(messages.map((m) => m.message)),
      textArray(messages.map((m) => m.serialization)),
      textArray(messages.map((m) => m.messageID)),
    ],
  };
}

/** The events that are set, among the (workflow, key) pairs asked for. */
export function eventsStatement(ctx: SqlContext, wanted: readonly { id: string; name: string }[]): Query {
  return {
    text: `SELECT q.id, q.name, e.value, e.serialization
      FROM unnest($1::text[], $2::text[]) AS q(id, name)
      JOIN ${ctx.s}.workflow_events e ON e.workflow_uuid = q.id AND e.key = q.name`,
    params: [textArray(wanted.map((w) => w.id)), textArray(wanted.map((w) => w.name))],
  };
}

/**
 * For each (workflow, stream, offset) asked for: the workflow's status (NULL if it does not exist) and up to
 * STREAM_PAGE values from that offset on, read in the same snapshot so "no value and finished" is reliable.
 */
export function streamStatement(
  ctx: SqlContext,
  wanted: readonly { id: string; name: string; offset: number }[],
): Query {
  return {
    text: `SELECT q.id, q.name, q.off, ws.status,
        (SELECT coalesce(json_agg(json_build_object('offset', v."offset", 'value', v.value, 'serialization', v.serialization)
                          ORDER BY v."offset"), '[]')
           FROM (SELECT s."offset", s.value, s.serialization FROM ${ctx.s}.streams s
                  WHERE s.workflow_uuid = q.id AND s.key = q.name AND s."offset" >= q.off
                  ORDER BY s."offset" LIMIT ${STREAM_PAGE}) v) AS vals
      FROM unnest($1::text[], $2::text[], $3::int[]) AS q(id, name, off)
      LEFT JOIN ${ctx.s}.workflow_status ws ON ws.workflow_uuid = q.id`,
    params: [
      textArray(wanted.map((w) => w.id)),
      textArray(wanted.map((w) => w.name)),
      `{${wanted.map((w) => w.offset).join(',')}}`,
    ],
  };
}
