/**
 * Workflow communication from outside a workflow: `send` messages to `DBOS.recv`, read what workflows publish
 * with `DBOS.setEvent` (`getEvent`) and `DBOS.writeStream` (`readStream`). Sends are one INSERT; reads wait
 * through the shared watchers of `wait.ts`, woken by LISTEN where the driver can, polled otherwise.
 */
import {
  DBOSNonExistentWorkflowError,
  DBOSStreamTimeoutError,
  DBOSWaitTimeoutError,
  DriverError,
  missingDestination,
  ValidationError,
} from './errors.ts';
import { CHANNELS, type Listeners } from './listen.ts';
import { idempotentMessageID } from './message-id.ts';
import {
  type GetEventOptions,
  GetEventOptionsSchema,
  type Message,
  MessageSchema,
  MessagesSchema,
  type ReadStreamOffsetOptions,
  ReadStreamOffsetOptionsSchema,
  type ReadStreamOptions,
  ReadStreamOptionsSchema,
  type SendOptions,
  SendOptionsSchema,
  validate,
  validateId,
} from './options.ts';
import type { ClientScope } from './scope.ts';
import { runOn } from './sql/base.ts';
import {
  type EventRow,
  eventsStatement,
  NULL_TOPIC,
  type OutgoingMessage,
  STREAM_CLOSED,
  type StreamRow,
  type StreamValue,
  sendStatement,
  streamStatement,
} from './sql/messages.ts';
import { isActive } from './status.ts';
import { type PollingOptions, Watcher } from './wait.ts';

interface EventItem {
  readonly key: string;
  readonly wake: string;
  readonly id: string;
  readonly name: string;
}
interface StreamItem extends EventItem {
  readonly offset: number;
}

/** DBOS's default `getEvent` timeout. */
const DEFAULT_EVENT_TIMEOUT_MS = 60_000;

// Batch keys: a NUL cannot occur in a Postgres text value, so it separates the parts unambiguously.
const eventKey = (id: string, name: string) => `${id}\0${name}`;
const streamKey = (id: string, name: string, offset: number) => `${id}\0${name}\0${offset}`;

export class Communication {
  readonly #events: Watcher<EventItem, EventRow>;
  readonly #streams: Watcher<StreamItem, StreamRow>;

  readonly #scope: ClientScope;

  constructor(scope: ClientScope, polling: PollingOptions | undefined, listeners: Listeners) {
    this.#scope = scope;
    this.#events = new Watcher<EventItem, EventRow>(
      async (items) => {
        const rows = await runOn(this.#scope.connect, (ctx) => eventsStatement(ctx, items));
        return new Map(rows.map((row) => [eventKey(row.id, row.name), row]));
      },
      polling,
      listeners.source(CHANNELS.events),
    );
    this.#streams = new Watcher<StreamItem, StreamRow>(
      async (items) => {
        const ready = new Map<string, StreamRow>();
        for (const row of await runOn(this.#scope.connect, (ctx) => streamStatement(ctx, items))) {
          const values = row.vals;
          // Ready: the workflow is missing, the next value is there, or nothing more can come.
          if (
            row.status === null ||
            values[0]?.offset === row.off ||
            !isActive(row.status) ||
            (await this.#isCloseMarker(row.prev, row))
          ) {
            ready.set(streamKey(row.id, row.name, row.off), row);
          }
        }
        return ready;
      },
      polling,
      listeners.source(CHANNELS.streams),
    );
  }

  /** Python `send`: delivers `message` to the workflow's `DBOS.recv(topic)`. */
  async send(
    destinationID: string,
    message: unknown,
    topic?: string,
    idempotencyKey?: string,
    options?: SendOptions,
  ): Promise<void> {
    const m = validateSend(destinationID, message, topic, idempotencyKey, options);
    await this.#insert([await this.outgoing(m, '')]);
  }

  /** Sends many messages in one statement: all are stored, or none (say, when one destination does not exist). */
  async sendMany(messages: readonly Message[], options?: SendOptions): Promise<void> {
    const o = validate(SendOptionsSchema, options ?? {}, 'options');
    const ms = validate(MessagesSchema, messages, 'messages');
    await this.#insert(await Promise.all(ms.map((m, i) => this.outgoing({ ...o, ...m }, `messages[${i}].`))));
  }

  /** One message as its `notifications` row; `field` prefixes names in errors. Also how the outbox prepares a send. */
  async outgoing(m: Message, field: string): Promise<OutgoingMessage> {
    const serialization = this.#scope.codec.nameFor(m.serializationType);
    return {
      destinationID: m.destinationID,
      topic: m.topic ?? NULL_TOPIC,
      message: await this.#scope.codec.encode(m.message, serialization, `${field}message`),
      serialization,
      // DBOS scopes an idempotency key per destination, so one key can be reused across workflows.
      messageID:
        m.idempotencyKey === undefined ? crypto.randomUUID() : idempotentMessageID(m.idempotencyKey, m.destinationID),
    };
  }

  async #insert(messages: OutgoingMessage[]): Promise<void> {
    try {
      await runOn(this.#scope.connect, (ctx) => sendStatement(ctx, messages));
    } catch (e) {
      if (e instanceof DriverError && e.sqlState === '23503') {
        const missing = /\(destination_uuid\)=\((.*)\) is not present/.exec(e.detail ?? '')?.[1];
        throw missingDestination(missing ?? messages[0]?.destinationID ?? '');
      }
      throw e;
    }
  }

  /**
   * Python `get_event`: the value the workflow set for `key`, waiting up to the timeout (default 60 s) for it to be
   * set; `null` if it is not set by then, as in DBOS. A timeout of 0 reads the current value once.
   */
  async getEvent<T = unknown>(workflowID: string, key: string, options?: GetEventOptions | number): Promise<T | null> {
    const id = validateId(workflowID, 'workflowID');
    const name = validateId(key, 'key');
    const { timeoutMs, signal } = eventWait(options);
    try {
      const { row } = await this.#events.wait([{ key: eventKey(id, name), wake: `${id}::${name}`, id, name }], {
        timeoutMs,
        onTimeout: () => new DBOSWaitTimeoutError([id], timeoutMs),
        signal,
      });
      return (await this.#scope.codec.decode(row.value, row.serialization, `event ${name} of workflow ${id}`)) as T;
    } catch (e) {
      if (e instanceof DBOSWaitTimeoutError) return null;
      throw e;
    }
  }

  /**
   * Python `read_stream`: the values the workflow writes to stream `key`, in order, from `offset`. Ends at the
   * close marker (current and legacy form) or when the workflow has finished and nothing more is written.
   */
  async *readStream<T = unknown>(workflowID: string, key: string, options?: ReadStreamOptions): AsyncGenerator<T> {
    const id = validateId(workflowID, 'workflowID');
    const name = validateId(key, 'key');
    const o = validate(ReadStreamOptionsSchema, options ?? {}, 'options');
    const timeoutMs = oneTimeout(o);
    let offset = o.offset ?? 0;
    for (;;) {
      const at = offset;
      const { row } = await this.#streams.wait(
        [{ key: streamKey(id, name, at), wake: `${id}::${name}`, id, name, offset: at }],
        { timeoutMs, onTimeout: () => new DBOSStreamTimeoutError(id, name, at, timeoutMs), signal: o.signal },
      );
      if (row.status === null) throw new DBOSNonExistentWorkflowError(id);
      for (const v of row.vals) {
        if (v.offset !== offset) break; // not yet committed: wait for it rather than skip it
        if (v.value === STREAM_CLOSED) return; // the legacy, unserialized marker
        const value = await this.#scope.codec.decode(v.value, v.serialization, `stream ${name} of workflow ${id}`);
        if (value === STREAM_CLOSED) return;
        yield value as T;
        offset += 1;
      }
      if (offset === at && (!isActive(row.status) || (await this.#isCloseMarker(row.prev, row)))) return;
    }
  }

  /** Whether a stored stream value is the close marker (current or legacy form). */
  async #isCloseMarker(value: StreamValue | null, { id, name }: StreamRow): Promise<boolean> {
    if (value === null || !value.value.includes(STREAM_CLOSED)) return false;
    if (value.value === STREAM_CLOSED) return true;
    const decoded = await this.#scope.codec.decode(
      value.value,
      value.serialization,
      `stream ${name} of workflow ${id}`,
    );
    return decoded === STREAM_CLOSED;
  }

  /**
   * TS `readStreamOffset`: the one value at `offset`, waiting for it to be written. `DBOSStreamTimeoutError` when
   * the timeout passes first, or when the stream ends (closed, or its workflow finished) before reaching `offset`.
   */
  async readStreamOffset<T = unknown>(
    workflowID: string,
    key: string,
    offset: number,
    options?: ReadStreamOffsetOptions,
  ): Promise<T> {
    const at = validate(ReadStreamOptionsSchema.entries.offset, offset, 'offset') ?? 0;
    const o = validate(ReadStreamOffsetOptionsSchema, options ?? {}, 'options');
    const values = this.readStream<T>(workflowID, key, { ...o, offset: at });
    try {
      const first = await values.next();
      if (first.done) throw new DBOSStreamTimeoutError(workflowID, key, at);
      return first.value;
    } finally {
      await values.return(undefined);
    }
  }

  /** Fails every pending wait. */
  close(): void {
    this.#events.close();
    this.#streams.close();
  }
}

/** `send`'s arguments as one validated message, each named as the argument it came from. */
export function validateSend(
  destinationID: string,
  message: unknown,
  topic: string | undefined,
  idempotencyKey: string | undefined,
  options: SendOptions | undefined,
): Message {
  const o = validate(SendOptionsSchema, options ?? {}, 'options');
  return validate(MessageSchema, { destinationID, message, topic, idempotencyKey, ...o }, '');
}

/** `getEvent`'s wait: dbos-edge's `{ timeoutMs }`, or the TS SDK's seconds (a number or `{ timeoutSeconds }`) or deadline. */
function eventWait(options: GetEventOptions | number | undefined): { timeoutMs: number; signal?: AbortSignal } {
  const given = typeof options === 'number' ? { timeoutSeconds: options } : (options ?? {});
  const o = validate(GetEventOptionsSchema, given, 'options');
  const timeoutMs = oneTimeout(o);
  return { timeoutMs: timeoutMs ?? DEFAULT_EVENT_TIMEOUT_MS, signal: o.signal };
}

const TIMEOUT_FIELDS = ['timeoutMs', 'timeoutSeconds', 'deadlineEpochMS'] as const;

/**
 * The one timeout given, in ms from now (`timeoutSeconds` converted, a past deadline 0); undefined when none is.
 * Two forms at once are refused.
 */
function oneTimeout(o: Partial<Record<(typeof TIMEOUT_FIELDS)[number], number>>): number | undefined {
  const given = TIMEOUT_FIELDS.filter((field) => o[field] !== undefined);
  if (given.length > 1) {
    throw new ValidationError([
      { field: `options.${given[1]}`, rule: 'exclusive', message: `give one of ${given.join(', ')}, not several` },
    ]);
  }
  if (o.timeoutSeconds !== undefined) return Math.round(o.timeoutSeconds * 1000);
  if (o.deadlineEpochMS !== undefined) return Math.max(0, Math.ceil(o.deadlineEpochMS - Date.now()));
  return o.timeoutMs;
}
