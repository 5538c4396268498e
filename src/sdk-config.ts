/**
 * The settings of the TS SDK's `DBOSClient.create` that dbos-edge's configuration has no field for, so SDK code
 * creating a client runs unchanged. `systemDatabasePool` becomes the client's driver (the pool stays the caller's);
 * the others tune the SDK's own pool, logging and timeouts, which dbos-edge does not have: they are checked and
 * then have no effect.
 */
import * as v from 'valibot';
import { openPgPool, type PgPoolLike } from './connect.ts';
import type { SdkOnlySettings } from './option-types.ts';
import type { DBOSClientConfig } from './options.ts';
import { validate } from './options.ts';

const positiveInt = () => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)));
const milliseconds = () => v.optional(v.pipe(v.number(), v.finite()));

const SdkOnlySchema = v.object({
  /** A node-postgres `Pool` on the system database: used instead of opening one (the caller keeps it open). */
  systemDatabasePool: v.optional(
    v.custom<PgPoolLike>(
      (p) => ['query', 'connect'].every((k) => typeof (p as Record<string, unknown>)?.[k] === 'function'),
      'must be a pg Pool (with query() and connect())',
    ),
  ),
  /** No effect: the size of the SDK's own pool. */
  systemDatabasePoolSize: positiveInt(),
  /** No effect: one shared poll per wait kind serves every waiter here. */
  systemDatabasePollingConcurrency: positiveInt(),
  /** No effect: dbos-edge does not log. */
  logger: v.optional(v.unknown()),
  /** No effect: the SDK's cap on its observability queries. */
  observabilityQueryTimeoutMs: milliseconds(),
  /** No effect: the SDK's `idle_in_transaction_session_timeout` for its own pool. */
  systemDatabaseIdleTransactionTimeoutMs: milliseconds(),
});

/** `DBOSClient.create`'s input: dbos-edge's configuration plus the TS SDK's own settings. */
export type SdkCreateConfig = DBOSClientConfig & SdkOnlySettings;

const SDK_ONLY_KEYS = Object.keys(SdkOnlySchema.entries);

/** dbos-edge's configuration for the SDK's: a pool becomes the driver; the SDK-only settings are checked and dropped. */
export async function fromSdkConfig(config: SdkCreateConfig): Promise<DBOSClientConfig> {
  const entries = Object.entries(config ?? {});
  const sdkOnly = Object.fromEntries(entries.filter(([key]) => SDK_ONLY_KEYS.includes(key)));
  const { systemDatabasePool } = validate(SdkOnlySchema, sdkOnly, 'config');
  const own = Object.fromEntries(entries.filter(([key]) => !SDK_ONLY_KEYS.includes(key))) as DBOSClientConfig;
  if (systemDatabasePool === undefined) return own;
  return { ...own, driver: await openPgPool(systemDatabasePool) };
}
