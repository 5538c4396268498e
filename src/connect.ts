/**
 * Turns client configuration into a driver. A pre-built driver wins; otherwise a URL (the system database's,
 * or one derived from the application database's the way DBOS does) opens the postgres.js adapter, loaded on
 * first use so that code which passes its own driver never pulls it in.
 */
import type { Driver } from './driver.ts';
import { ValidationError } from './errors.ts';

/** DBOS's default: the system database is the application database's name plus `_dbos_sys`. */
export function systemUrlFromApplicationUrl(applicationUrl: string): string {
  let url: URL;
  try {
    url = new URL(applicationUrl);
  } catch {
    throw new ValidationError([{ field: 'applicationDatabaseUrl', rule: 'url', message: 'is not a valid URL' }]);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) {
    throw new ValidationError([{ field: 'applicationDatabaseUrl', rule: 'database', message: 'names no database' }]);
  }
  url.pathname = `/${encodeURIComponent(`${name}_dbos_sys`)}`;
  return url.toString();
}

export function resolveDriver(config: {
  driver?: Driver | undefined;
  systemDatabaseUrl?: string | undefined;
  applicationDatabaseUrl?: string | undefined;
}): () => Promise<Driver> {
  if (config.driver) {
    const driver = config.driver;
    return async () => driver;
  }
  const url =
    config.systemDatabaseUrl ??
    (config.applicationDatabaseUrl ? systemUrlFromApplicationUrl(config.applicationDatabaseUrl) : undefined);
  if (!url) {
    throw new ValidationError([
      {
        field: 'systemDatabaseUrl',
        rule: 'required',
        message: 'give systemDatabaseUrl, applicationDatabaseUrl or a driver',
      },
    ]);
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ValidationError([
      { field: 'systemDatabaseUrl', rule: 'url', message: 'must be a postgres:// or postgresql:// URL' },
    ]);
  }
  return async () => {
    const { postgresDriver } = await import('../adapters/postgres.ts');
    return postgresDriver(url);
  };
}
