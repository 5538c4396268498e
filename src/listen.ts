/**
 * LISTEN subscriptions of one client. DBOS announces new messages, events and stream values with NOTIFY
 * (payload `<workflowID>::<topic or key>`); each channel is subscribed once per client, and every waiter on it
 * is woken through that one subscription. postgres.js runs all of a client's LISTENs on one dedicated
 * connection, so thousands of waiters cost one connection, not one each.
 */
import type { Driver } from './driver.ts';
import { DriverError } from './errors.ts';
import type { WakeSource } from './wait.ts';

export const CHANNELS = {
  notifications: 'dbos_notifications_channel',
  events: 'dbos_workflow_events_channel',
  streams: 'dbos_streams_channel',
} as const;

export class Listeners {
  readonly #unlisten: (() => Promise<void>)[] = [];
  #closed = false;

  /** `enabled: false` (or a driver without `listen`) leaves waits to the polling safety net alone. */
  readonly #driver: () => Promise<Driver>;
  readonly #enabled: boolean;

  constructor(driver: () => Promise<Driver>, enabled: boolean) {
    this.#driver = driver;
    this.#enabled = enabled;
  }

  /** The wake-up source for one channel, or undefined when this client does not listen. */
  source(channel: string): WakeSource | undefined {
    if (!this.#enabled) return undefined;
    return {
      subscribe: async (onPayload) => {
        const driver = await this.#driver();
        if (!driver.listen) throw new DriverError('This driver cannot LISTEN', {});
        const unlisten = await driver.listen(channel, onPayload);
        if (this.#closed) await unlisten();
        else this.#unlisten.push(unlisten);
      },
    };
  }

  /** Drops every subscription (before the driver closes). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#unlisten.splice(0).map((unlisten) => unlisten()));
  }
}
