/**
 * Messages, events and streams: the statements behind `send`, `getEvent` and `readStream`. The reads take a
 * whole batch of waiters at once (`unnest` of parallel arrays), so one poll serves every waiter of a client.
 */
import type { Row } from '../driver.ts';
import type { WorkflowStatusString } from '../status.ts';
import { intArray, type Query, type SqlContext, textArray } from './base.ts';

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
    text: `INSERT INTO ${ctx.schema}.notifications (destination_uuid, topic, message, serialization, message_uuid)
      SELECT * FROM ${MESSAGE_ROWS}
      ON CONFLICT (message_uuid) DO NOTHING`,
    params: messageParams(messages),
  };
}

/** A destination a checked send did not write to: no such workflow. */
export interface MissingDestinationRow extends Row {
  readonly destination_uuid: string;
}

/**
 * `sendStatement` for a transaction the caller owns: the messages are stored only if every destination exists, and
 * the missing destinations are returned instead of raising a foreign-key error, which would abort the caller's
 * transaction along with its own writes.
 */
export function sendCheckedStatement(
  ctx: SqlContext,
  messages: readonly OutgoingMessage[],
): Query<MissingDestinationRow> {
  const { schema } = ctx;
  return {
    text: `WITH m AS (SELECT * FROM ${MESSAGE_ROWS} AS m(destination_uuid, topic, message, serialization, message_uuid)),
      missing AS (
        SELECT m.destination_uuid FROM m
        WHERE NOT EXISTS (SELECT 1 FROM ${schema}.workflow_status ws WHERE ws.workflow_uuid = m.destination_uuid)
      ),
      ins AS (
        INSERT INTO ${schema}.notifications (destination_uuid, topic, message, serialization, message_uuid)
        SELECT m.destination_uuid, m.topic, m.message, m.serialization, m.message_uuid FROM m
        WHERE NOT EXISTS (SELECT 1 FROM missing)
        ON CONFLICT (message_uuid) DO NOTHING
      )
      SELECT destination_uuid FROM missing`,
    params: messageParams(messages),
  };
}

/** The messages as parallel arrays, in the column order of `MESSAGE_ROWS`. */
const MESSAGE_ROWS = 'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])';
function messageParams(messages: readonly OutgoingMessage[]): string[] {
  return [
    textArray(messages.map((m) => m.destinationID)),
    textArray(messages.map((m) => m.topic)),
    textArray(messages.map((m) => m.message)),
    textArray(messages.map((m) => m.serialization)),
    textArray(messages.map((m) => m.messageID)),
  ];
}

/** A set event: the (workflow, key) asked for and its stored value. */
export interface EventRow extends Row {
  readonly id: string;
  readonly name: string;
  readonly value: string | null;
  readonly serialization: string | null;
}

/** The events that are set, among the (workflow, key) pairs asked for. */
export function eventsStatement(ctx: SqlContext, wanted: readonly { id: string; name: string }[]): Query<EventRow> {
  return {
    text: `SELECT q.id, q.name, e.value, e.serialization
      FROM unnest($1::text[], $2::text[]) AS q(id, name)
      JOIN ${ctx.schema}.workflow_events e ON e.workflow_uuid = q.id AND e.key = q.name`,
    params: [textArray(wanted.map((w) => w.id)), textArray(wanted.map((w) => w.name))],
  };
}

/** One stored stream value. */
export interface StreamValue {
  readonly offset: number;
  readonly value: string;
  readonly serialization: string | null;
}

/** A stream read: the (workflow, stream, offset) asked for, the workflow's status (null: none) and the values. */
export interface StreamRow extends Row {
  readonly id: string;
  readonly name: string;
  readonly off: number;
  readonly status: WorkflowStatusString | null;
  readonly vals: StreamValue[];
  /** The value just before the offset (null at 0 or when none): a close marker there means the stream ended before it. */
  readonly prev: StreamValue | null;
}

/**
 * For each (workflow, stream, offset) asked for: the workflow's status (NULL if it does not exist), up to
 * STREAM_PAGE values from that offset on, and the value before it (a close marker there ends a read past the end),
 * read in the same snapshot so "no value and finished" is reliable.
 */
export function streamStatement(
  ctx: SqlContext,
  wanted: readonly { id: string; name: string; offset: number }[],
): Query<StreamRow> {
  return {
    text: `SELECT q.id, q.name, q.off, ws.status,
        (SELECT coalesce(json_agg(json_build_object('offset', v."offset", 'value', v.value, 'serialization', v.serialization)
                          ORDER BY v."offset"), '[]')
           FROM (SELECT s."offset", s.value, s.serialization FROM ${ctx.schema}.streams s
                  WHERE s.workflow_uuid = q.id AND s.key = q.name AND s."offset" >= q.off
                  ORDER BY s."offset" LIMIT ${STREAM_PAGE}) v) AS vals,
        (SELECT json_build_object('offset', p."offset", 'value', p.value, 'serialization', p.serialization)
           FROM ${ctx.schema}.streams p WHERE p.workflow_uuid = q.id AND p.key = q.name AND p."offset" < q.off
          ORDER BY p."offset" DESC LIMIT 1) AS prev
      FROM unnest($1::text[], $2::text[], $3::int[]) AS q(id, name, off)
      LEFT JOIN ${ctx.schema}.workflow_status ws ON ws.workflow_uuid = q.id`,
    params: [
      textArray(wanted.map((w) => w.id)),
      textArray(wanted.map((w) => w.name)),
      intArray(wanted.map((w) => w.offset)),
    ],
  };
}
