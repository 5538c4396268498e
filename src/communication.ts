/**
 * Workflow communication from outside a workflow: `send` messages to `DBOS.recv`, read what workflows publish
 * with `DBOS.setEvent` (`getEvent`) and `DBOS.writeStream` (`readStream`). Sends are one INSERT; reads wait
 * through the shared watchers of `wait.ts`, woken by LISTEN where the driver can, polled otherwise.
 */
import { DBOSNonExistentWorkflowError, DBOSStreamTimeoutError, DBOSWaitTimeoutError, DriverError } from './errors.ts';
import { CHANNELS, type Listeners } from './listen.ts';
import { idempotentMessageID } from './message-id.ts';
import {
  type GetEventOptions,
  GetEventOptionsSchema,
  type Message,
  MessageSchema,
  MessagesSchema,
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
          if (row.status === null || values[0]?.offset === row.off || !isActive(row.status)) {
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
    const o = validate(SendOptionsSchema, options ?? {}, 'options');
    const m = validate(MessageSchema, { destinationID, message, topic, idempotencyKey, ...o }, '');
    await this.#insert([await this.#outgoing(m, '')]);
  }

  /** Sends many messages in one statement: all are stored, or none (say, when one destination does not exist). */
  async sendMany(messages: readonly Message[], options?: SendOptions): Promise<void> {
    const o = validate(SendOptionsSchema, options ?? {}, 'options');
    const ms = validate(MessagesSchema, messages, 'messages');
    await this.#insert(await Promise.all(ms.map((m, i) => this.#outgoing({ ...o, ...m }, `messages[${i}].`))));
  }

  async #outgoing(m: Message, field: string): Promise<OutgoingMessage> {
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
        throw new DBOSNonExistentWorkflowError(missing ?? messages[0]?.destinationID ?? '');
      }
      throw e;
    }
  }

  /**
   * Python `get_event`: the value the workflow set for `key`, waiting up to `timeoutMs` (default 60 s) for it to be
   * set; `null` if it is not set by then, as in DBOS.
   */
  async getEvent<T = unknown>(workflowID: string, key: string, options?: GetEventOptions): Promise<T | null> {
    const id = validateId(workflowID, 'workflowID');
    const name = validateId(key, 'key');
    const { timeoutMs = DEFAULT_EVENT_TIMEOUT_MS, signal } = validate(GetEventOptionsSchema, options ?? {}, 'options');
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
    let offset = o.offset ?? 0;
    for (;;) {
      const at = offset;
      const { row } = await this.#streams.wait(
        [{ key: streamKey(id, name, at), wake: `${id}::${name}`, id, name, offset: at }],
        { timeoutMs: o.timeoutMs, onTimeout: () => new DBOSStreamTimeoutError(id, name, at), signal: o.signal },
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
      if (offset === at && !isActive(row.status)) return;
    }
  }

  /** Fails every pending wait. */
  close(): void {
    this.#events.close();
    this.#streams.close();
  }
}
