/**
 * Choosing a database from a URL, without opening it: every scheme in any letter case, the parameters the Neon
 * schemes take out of the connection string, DBOS's system database name derived from an application database
 * URL, and each refusal with its field, rule and message. (The common URLs of each scheme, and opening them, are
 * covered in test/integration/drivers/connect.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  type DatabaseTarget,
  parseDatabaseUrl,
  resolveDriver,
  systemUrlFromApplicationUrl,
} from '../../src/connect.ts';
import { issuesOf } from '../helpers/validation.ts';

const SCHEMES = 'must be a postgres://, postgresql://, neon+http://, neon+ws:// or pglite: URL';

describe('parseDatabaseUrl: schemes', () => {
  it.each<[string, DatabaseTarget]>([
    ['POSTGRES://u@h/db', { kind: 'postgres', connectionString: 'POSTGRES://u@h/db' }],
    [
      'PostgreSQL://u:p%40ss@h:6543/db?sslmode=require&application_name=x',
      { kind: 'postgres', connectionString: 'PostgreSQL://u:p%40ss@h:6543/db?sslmode=require&application_name=x' },
    ],
    ['NEON+HTTP://u:p@h/db', { kind: 'neon-http', connectionString: 'postgresql://u:p@h/db' }],
    ['Neon+Ws://u:p@h/db', { kind: 'neon-ws', connectionString: 'postgresql://u:p@h/db' }],
    ['PGLITE:', { kind: 'pglite' }],
    ['PGlite://data/db', { kind: 'pglite', dataDir: 'data/db' }],
    ['pglite:relative/dir', { kind: 'pglite', dataDir: 'relative/dir' }],
  ])('%s', (url, target) => {
    expect(parseDatabaseUrl(url)).toEqual(target);
  });

  it('passes a postgres URL on verbatim, parameters and all', () => {
    const url = 'postgres://user:pa%2Fss@db.example.com:5432/app_dbos_sys?sslmode=verify-full&options=-c%20x%3Dy';
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', connectionString: url });
  });
});

describe('parseDatabaseUrl: Neon parameters', () => {
  it('takes an https fetch_endpoint out and keeps the other parameters, percent-encoding intact', () => {
    expect(
      parseDatabaseUrl('neon+http://u:p%40x@h/db?fetch_endpoint=https://api.example.com/sql&sslmode=require'),
    ).toEqual({
      kind: 'neon-http',
      connectionString: 'postgresql://u:p%40x@h/db?sslmode=require',
      fetchEndpoint: 'https://api.example.com/sql',
    });
  });

  it('takes ws_secure=true out as a secure WebSocket', () => {
    expect(parseDatabaseUrl('neon+ws://u@h/db?ws_secure=true&sslmode=require')).toEqual({
      kind: 'neon-ws',
      connectionString: 'postgresql://u@h/db?sslmode=require',
      useSecureWebSocket: true,
    });
  });

  it('takes ws_proxy out alone, leaving the WebSocket security to Neon', () => {
    expect(parseDatabaseUrl('neon+ws://u@h/db?ws_proxy=proxy.local:8080/v2')).toEqual({
      kind: 'neon-ws',
      connectionString: 'postgresql://u@h/db',
      wsProxy: 'proxy.local:8080/v2',
    });
  });

  it('leaves the Neon parameters of the other scheme in the connection string', () => {
    expect(parseDatabaseUrl('neon+http://u@h/db?ws_secure=false')).toEqual({
      kind: 'neon-http',
      connectionString: 'postgresql://u@h/db?ws_secure=false',
    });
    expect(parseDatabaseUrl('neon+ws://u@h/db?fetch_endpoint=x')).toEqual({
      kind: 'neon-ws',
      connectionString: 'postgresql://u@h/db?fetch_endpoint=x',
    });
  });
});

describe('parseDatabaseUrl: refusals', () => {
  it.each([
    ['the empty string', '', SCHEMES],
    ['another database', 'mysql://h/db', SCHEMES],
    ['postgres without //', 'postgres:h/db', SCHEMES],
    ['an unknown Neon transport', 'neon+https://h/db', SCHEMES],
    ['neon+ws without //', 'neon+ws:/h/db', SCHEMES],
    ['a bare host name', 'db.example.com', SCHEMES],
    ['neon+http with nothing after it', 'neon+http://', 'names no host'],
    ['credentials without a host', 'neon+ws://u@/db', 'is not a valid URL'],
    ['a port out of range', 'neon+http://h:99999/db', 'is not a valid URL'],
    [
      'an ftp fetch_endpoint',
      'neon+http://h/db?fetch_endpoint=ftp://x/sql',
      'its fetch_endpoint must be an http:// or https:// URL',
    ],
    [
      'a fetch_endpoint without a host',
      'neon+http://h/db?fetch_endpoint=http://',
      'its fetch_endpoint must be an http:// or https:// URL',
    ],
    [
      'a relative fetch_endpoint',
      'neon+http://h/db?fetch_endpoint=/sql',
      'its fetch_endpoint must be an http:// or https:// URL',
    ],
    [
      'an empty fetch_endpoint',
      'neon+http://h/db?fetch_endpoint=',
      'its fetch_endpoint must be an http:// or https:// URL',
    ],
    ['ws_secure=maybe', 'neon+ws://h/db?ws_secure=maybe', 'its ws_secure must be true or false'],
    ['ws_secure in capitals', 'neon+ws://h/db?ws_secure=TRUE', 'its ws_secure must be true or false'],
    ['an empty ws_secure', 'neon+ws://h/db?ws_secure=', 'its ws_secure must be true or false'],
  ])('refuses %s', (_label, url, message) => {
    expect(issuesOf(() => parseDatabaseUrl(url))).toEqual([{ field: 'systemDatabaseUrl', rule: 'url', message }]);
  });

  it('names the field it is given', () => {
    expect(issuesOf(() => parseDatabaseUrl('mysql://h/db', 'DBOS_SYSTEM_DATABASE_URL'))).toEqual([
      { field: 'DBOS_SYSTEM_DATABASE_URL', rule: 'url', message: SCHEMES },
    ]);
    expect(issuesOf(() => parseDatabaseUrl('neon+http://', 'DATABASE_URL'))).toEqual([
      { field: 'DATABASE_URL', rule: 'url', message: 'names no host' },
    ]);
  });

  it('says which field and rule in the error message', () => {
    expect(() => parseDatabaseUrl('neon+ws://h/db?ws_secure=1')).toThrow(
      'systemDatabaseUrl: its ws_secure must be true or false',
    );
  });
});

describe('systemUrlFromApplicationUrl', () => {
  it.each([
    ['the database name plus _dbos_sys', 'postgres://u:p@h:5432/app', 'postgres://u:p@h:5432/app_dbos_sys'],
    ['the query string kept', 'postgresql://h/app?sslmode=require', 'postgresql://h/app_dbos_sys?sslmode=require'],
    ['an encoded name re-encoded', 'postgres://h/my%20app', 'postgres://h/my%20app_dbos_sys'],
    ['a slash in the name encoded', 'postgres://h/a/b', 'postgres://h/a%2Fb_dbos_sys'],
    ['the password kept encoded', 'postgres://u:p%40ss@h/app', 'postgres://u:p%40ss@h/app_dbos_sys'],
    ['a Neon scheme kept', 'neon+http://u@h/db', 'neon+http://u@h/db_dbos_sys'],
  ])('%s', (_label, applicationUrl, systemUrl) => {
    expect(systemUrlFromApplicationUrl(applicationUrl)).toBe(systemUrl);
  });

  it.each([
    ['text that is not a URL', 'not a url', 'url', 'is not a valid URL'],
    ['the empty string', '', 'url', 'is not a valid URL'],
    ['a URL without a path', 'postgres://h', 'database', 'names no database'],
    ['a URL whose path is /', 'postgres://h:5432/', 'database', 'names no database'],
  ])('refuses %s', (_label, applicationUrl, rule, message) => {
    expect(issuesOf(() => systemUrlFromApplicationUrl(applicationUrl))).toEqual([
      { field: 'applicationDatabaseUrl', rule, message },
    ]);
  });
});

describe('resolveDriver: refusals before anything is opened', () => {
  it('requires a URL or a driver', () => {
    expect(issuesOf(() => resolveDriver({}))).toEqual([
      {
        field: 'systemDatabaseUrl',
        rule: 'required',
        message: 'give systemDatabaseUrl, applicationDatabaseUrl or a driver',
      },
    ]);
  });

  it('refuses a system database URL of an unknown scheme when it is given, not when it is opened', () => {
    expect(issuesOf(() => resolveDriver({ systemDatabaseUrl: 'mysql://h/db' }))).toEqual([
      { field: 'systemDatabaseUrl', rule: 'url', message: SCHEMES },
    ]);
  });

  it('refuses an application database URL that names no database', () => {
    expect(issuesOf(() => resolveDriver({ applicationDatabaseUrl: 'postgres://h' }))).toEqual([
      { field: 'applicationDatabaseUrl', rule: 'database', message: 'names no database' },
    ]);
  });
});
