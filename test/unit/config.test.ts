/**
 * The HTTP service's configuration from environment variables: each variable's default, what it accepts, and the
 * ValidationError (field, rule, message) for each bad value. (That a hostile schema name never reaches the
 * database is checked against Postgres in test/integration/http/security.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { ValidationIssue } from '../../src/errors.ts';
import { configFromEnv, DEFAULT_LIMITS, type EnvConfig, parseTokens } from '../../src/http/config.ts';
import { issuesOf } from '../helpers/validation.ts';

const TOKEN = 'a'.repeat(20);
const READ_TOKEN = 'r'.repeat(16);
/** `whsec_` and the base64 of "secret". */
const WHSEC = 'whsec_c2VjcmV0';

const DEFAULTS: EnvConfig = {
  databaseUrl: undefined,
  schema: 'dbos',
  applicationName: undefined,
  schedulerApp: undefined,
  dataDir: '.data/pglite',
  port: 3000,
  hostname: '127.0.0.1',
  insecurePublic: false,
  tickIntervalMs: 1000,
  app: { tokens: [], insecureDev: false, limits: {} },
};

describe('DBOS_EDGE_SCHEDULER_APP', () => {
  it('names the app that fires schedules: language, and portable when configured so', () => {
    expect(configFromEnv({ DBOS_EDGE_SCHEDULER_APP: 'python' }).schedulerApp).toEqual({
      language: 'python',
      serializer: 'native',
    });
    expect(configFromEnv({ DBOS_EDGE_SCHEDULER_APP: 'typescript-portable' }).schedulerApp).toEqual({
      language: 'typescript',
      serializer: 'portable',
    });
  });

  it('refuses any other value, naming the variable and the choices', () => {
    expect(issuesOf(() => configFromEnv({ DBOS_EDGE_SCHEDULER_APP: 'ruby' }))).toEqual([
      {
        field: 'DBOS_EDGE_SCHEDULER_APP',
        rule: 'picklist',
        message: 'must be one of typescript, python, typescript-portable, python-portable',
      },
    ]);
    expect(() => configFromEnv({ DBOS_EDGE_SCHEDULER_APP: 'constructor' })).toThrow(/must be one of/);
  });
});

describe('defaults', () => {
  it('runs on the embedded database, schema dbos, port 3000 on loopback, ticking every second, no tokens', () => {
    expect(configFromEnv({})).toEqual(DEFAULTS);
  });

  it('treats every variable set to the empty string as unset', () => {
    const empty = Object.fromEntries(
      [
        'DBOS_SYSTEM_DATABASE_URL',
        'DATABASE_URL',
        'DBOS_SYSTEM_SCHEMA',
        'DBOS_APPLICATION_NAME',
        'DBOS_EDGE_SCHEDULER_APP',
        'DBOS_EDGE_API_TOKENS',
        'DBOS_EDGE_INSECURE_DEV',
        'DBOS_EDGE_WEBHOOKS',
        'DBOS_EDGE_WEBHOOK_SECRET',
        'DBOS_EDGE_MAX_BODY_BYTES',
        'DBOS_EDGE_MAX_WAIT_MS',
        'DBOS_EDGE_DATA_DIR',
        'PORT',
        'HOST',
        'DBOS_EDGE_TICK_INTERVAL_MS',
      ].map((name) => [name, '']),
    );
    expect(configFromEnv(empty)).toEqual(DEFAULTS);
  });

  it('has the documented limits when none are set: 1 MiB bodies, 30 s waits, pages of 100 up to 1000, 1000 concurrent waits, 8 MiB listings', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxBodyBytes: 1_048_576,
      maxWaitMs: 30_000,
      defaultPageSize: 100,
      maxPageSize: 1000,
      sseKeepAliveMs: 15_000,
      maxConcurrentWaits: 1000,
      maxResponseBytes: 8 * 1024 * 1024,
    });
  });
});

describe('the database and the process', () => {
  it('prefers DBOS_SYSTEM_DATABASE_URL to DATABASE_URL', () => {
    const env = { DBOS_SYSTEM_DATABASE_URL: 'postgres://h/sys', DATABASE_URL: 'postgres://h/other' };
    expect(configFromEnv(env).databaseUrl).toBe('postgres://h/sys');
  });

  it('falls back to DATABASE_URL', () => {
    expect(configFromEnv({ DATABASE_URL: 'neon+http://u@h/db' }).databaseUrl).toBe('neon+http://u@h/db');
  });

  it('takes the schema, application name, data folder, host and port as given', () => {
    expect(
      configFromEnv({
        DBOS_SYSTEM_SCHEMA: 'Tenant_7',
        DBOS_APPLICATION_NAME: 'billing',
        DBOS_EDGE_DATA_DIR: '/var/lib/dbos-edge',
        HOST: '0.0.0.0',
        PORT: '8080',
      }),
    ).toEqual({
      ...DEFAULTS,
      schema: 'Tenant_7',
      applicationName: 'billing',
      dataDir: '/var/lib/dbos-edge',
      hostname: '0.0.0.0',
      port: 8080,
    });
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['65535', 65535],
    ['0080', 80],
  ])('accepts PORT=%s', (port, value) => {
    expect(configFromEnv({ PORT: port }).port).toBe(value);
  });

  it.each([
    ['0', 0],
    ['100', 100],
    ['60000', 60000],
  ])('accepts DBOS_EDGE_TICK_INTERVAL_MS=%s', (interval, value) => {
    expect(configFromEnv({ DBOS_EDGE_TICK_INTERVAL_MS: interval }).tickIntervalMs).toBe(value);
  });
});

describe('bad values, each naming its variable and rule', () => {
  const notAnInteger = 'must be a non-negative integer';

  it.each<[string, Record<string, string>, ValidationIssue]>([
    ['a word as PORT', { PORT: 'http' }, { field: 'PORT', rule: 'integer', message: notAnInteger }],
    ['a negative PORT', { PORT: '-1' }, { field: 'PORT', rule: 'integer', message: notAnInteger }],
    ['a PORT with a space', { PORT: ' 80' }, { field: 'PORT', rule: 'integer', message: notAnInteger }],
    ['a PORT in exponent form', { PORT: '8e3' }, { field: 'PORT', rule: 'integer', message: notAnInteger }],
    ['a PORT of 13 digits', { PORT: '1234567890123' }, { field: 'PORT', rule: 'integer', message: notAnInteger }],
    ['PORT 65536', { PORT: '65536' }, { field: 'PORT', rule: 'max_value', message: 'must be at most 65535' }],
    [
      'a fractional tick interval',
      { DBOS_EDGE_TICK_INTERVAL_MS: '1.5' },
      { field: 'DBOS_EDGE_TICK_INTERVAL_MS', rule: 'integer', message: notAnInteger },
    ],
    [
      'a tick interval of 99 ms',
      { DBOS_EDGE_TICK_INTERVAL_MS: '99' },
      { field: 'DBOS_EDGE_TICK_INTERVAL_MS', rule: 'min_value', message: 'must be 0 (off) or at least 100' },
    ],
    [
      'a body limit in exponent form',
      { DBOS_EDGE_MAX_BODY_BYTES: '1e9' },
      { field: 'DBOS_EDGE_MAX_BODY_BYTES', rule: 'integer', message: notAnInteger },
    ],
    [
      'a wait limit with a unit',
      { DBOS_EDGE_MAX_WAIT_MS: '30s' },
      { field: 'DBOS_EDGE_MAX_WAIT_MS', rule: 'integer', message: notAnInteger },
    ],
    [
      'DBOS_EDGE_INSECURE_DEV=yes',
      { DBOS_EDGE_INSECURE_DEV: 'yes' },
      { field: 'DBOS_EDGE_INSECURE_DEV', rule: 'boolean', message: 'must be 1 or 0' },
    ],
    [
      'DBOS_EDGE_INSECURE_DEV=TRUE',
      { DBOS_EDGE_INSECURE_DEV: 'TRUE' },
      { field: 'DBOS_EDGE_INSECURE_DEV', rule: 'boolean', message: 'must be 1 or 0' },
    ],
    [
      'a schema name starting with a digit',
      { DBOS_SYSTEM_SCHEMA: '1dbos' },
      {
        field: 'DBOS_SYSTEM_SCHEMA',
        rule: 'identifier',
        message: 'must be a letter or underscore followed by up to 62 letters, digits or underscores',
      },
    ],
    [
      'webhooks that are not JSON',
      { DBOS_EDGE_WEBHOOKS: '{gh: github}' },
      { field: 'DBOS_EDGE_WEBHOOKS', rule: 'json', message: 'must be a JSON object' },
    ],
    [
      'webhooks as a JSON array',
      { DBOS_EDGE_WEBHOOKS: '[]' },
      { field: 'DBOS_EDGE_WEBHOOKS', rule: 'json', message: 'must be a JSON object' },
    ],
    [
      'webhooks as JSON null',
      { DBOS_EDGE_WEBHOOKS: 'null' },
      { field: 'DBOS_EDGE_WEBHOOKS', rule: 'json', message: 'must be a JSON object' },
    ],
    [
      'webhooks as a JSON string',
      { DBOS_EDGE_WEBHOOKS: '"gh"' },
      { field: 'DBOS_EDGE_WEBHOOKS', rule: 'json', message: 'must be a JSON object' },
    ],
  ])('refuses %s', (_label, env, issue) => {
    expect(issuesOf(() => configFromEnv(env))).toEqual([issue]);
  });

  it('says the variable in the error message', () => {
    expect(() => configFromEnv({ PORT: '70000' })).toThrow('PORT: must be at most 65535');
  });
});

describe('DBOS_EDGE_INSECURE_DEV', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['0', false],
    ['false', false],
  ])('reads %s as %s', (value, insecureDev) => {
    expect(configFromEnv({ DBOS_EDGE_INSECURE_DEV: value }).app.insecureDev).toBe(insecureDev);
  });
});

describe('DBOS_EDGE_API_TOKENS', () => {
  it('reads scoped and bare tokens, trimming spaces and skipping empty entries', () => {
    expect(parseTokens(` full:${TOKEN} ,, read:${READ_TOKEN},${TOKEN}b ,`)).toEqual([
      { scope: 'full', token: TOKEN },
      { scope: 'read', token: READ_TOKEN },
      { scope: 'full', token: `${TOKEN}b` },
    ]);
  });

  it('keeps everything after the first colon as the token', () => {
    expect(parseTokens(`read:${TOKEN}:x`)).toEqual([{ scope: 'read', token: `${TOKEN}:x` }]);
  });

  it.each([undefined, '', ' ', ' , '])('reads %j as no tokens', (text) => {
    expect(parseTokens(text)).toEqual([]);
  });

  it('passes the tokens to the app options', () => {
    expect(configFromEnv({ DBOS_EDGE_API_TOKENS: `read:${READ_TOKEN}` }).app.tokens).toEqual([
      { scope: 'read', token: READ_TOKEN },
    ]);
  });

  it.each<[string, string, ValidationIssue[]]>([
    [
      'a token of 15 characters',
      `full:${'x'.repeat(15)}`,
      [{ field: 'DBOS_EDGE_API_TOKENS[0].token', rule: 'min_length', message: 'must be at least 16 characters' }],
    ],
    [
      'a token of 513 characters',
      `read:${'x'.repeat(513)}`,
      [
        {
          field: 'DBOS_EDGE_API_TOKENS[0].token',
          rule: 'max_length',
          message: 'Invalid length: Expected <=512 but received 513',
        },
      ],
    ],
    [
      'a token with a space inside',
      `read:${'x'.repeat(10)} ${'y'.repeat(10)}`,
      [{ field: 'DBOS_EDGE_API_TOKENS[0].token', rule: 'regex', message: 'must be printable ASCII without spaces' }],
    ],
    [
      'a token with a non-ASCII character',
      `full:${'x'.repeat(16)}é`,
      [{ field: 'DBOS_EDGE_API_TOKENS[0].token', rule: 'regex', message: 'must be printable ASCII without spaces' }],
    ],
    [
      'an empty scoped token',
      'read:',
      [
        { field: 'DBOS_EDGE_API_TOKENS[0].token', rule: 'min_length', message: 'must be at least 16 characters' },
        { field: 'DBOS_EDGE_API_TOKENS[0].token', rule: 'regex', message: 'must be printable ASCII without spaces' },
      ],
    ],
    [
      'the second token, counted among non-empty entries',
      `${TOKEN},,read:short`,
      [{ field: 'DBOS_EDGE_API_TOKENS[1].token', rule: 'min_length', message: 'must be at least 16 characters' }],
    ],
  ])('refuses %s, naming its position', (_label, text, issues) => {
    expect(issuesOf(() => parseTokens(text))).toEqual(issues);
    expect(issuesOf(() => configFromEnv({ DBOS_EDGE_API_TOKENS: text }))).toEqual(issues);
  });
});

describe('limits', () => {
  it('reads DBOS_EDGE_MAX_BODY_BYTES and DBOS_EDGE_MAX_WAIT_MS into the app limits', () => {
    expect(configFromEnv({ DBOS_EDGE_MAX_BODY_BYTES: '2048', DBOS_EDGE_MAX_WAIT_MS: '0' }).app.limits).toEqual({
      maxBodyBytes: 2048,
      maxWaitMs: 0,
    });
    expect(
      configFromEnv({ DBOS_EDGE_MAX_BODY_BYTES: String(64 * 1024 * 1024), DBOS_EDGE_MAX_WAIT_MS: '300000' }).app.limits,
    ).toEqual({ maxBodyBytes: 67_108_864, maxWaitMs: 300_000 });
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['a body limit of 0', { DBOS_EDGE_MAX_BODY_BYTES: '0' }, 'min_value', 'Invalid value: Expected >=1 but received 0'],
    [
      'a body limit over 64 MiB',
      { DBOS_EDGE_MAX_BODY_BYTES: '67108865' },
      'max_value',
      'Invalid value: Expected <=67108864 but received 67108865',
    ],
    [
      'a wait limit over 5 minutes',
      { DBOS_EDGE_MAX_WAIT_MS: '300001' },
      'max_value',
      'Invalid value: Expected <=300000 but received 300001',
    ],
  ])('refuses %s', (_label, env, rule, message) => {
    const issues = issuesOf(() => configFromEnv(env));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ rule, message });
  });
});

describe('DBOS_EDGE_WEBHOOKS and DBOS_EDGE_WEBHOOK_SECRET', () => {
  const webhooks = (value: unknown, secret?: string) => ({
    DBOS_EDGE_WEBHOOKS: JSON.stringify(value),
    ...(secret === undefined ? {} : { DBOS_EDGE_WEBHOOK_SECRET: secret }),
  });

  it('reads each webhook, giving the shared secret to those that name none', () => {
    const env = webhooks(
      {
        gh: { verify: 'github', secret: 'own-secret', send: { topic: 'push' } },
        stripe: { verify: 'standard-webhooks', enqueue: { queueName: 'q', workflowName: 'onPayment' } },
        relay: { verify: 'standard-webhooks', send: { workflowID: 'relay-1', topic: 't' }, toleranceSeconds: 60 },
      },
      WHSEC,
    );
    expect(configFromEnv(env).app.webhooks).toEqual({
      gh: { verify: 'github', secret: 'own-secret', send: { topic: 'push' } },
      stripe: { verify: 'standard-webhooks', secret: WHSEC, enqueue: { queueName: 'q', workflowName: 'onPayment' } },
      relay: {
        verify: 'standard-webhooks',
        secret: WHSEC,
        send: { workflowID: 'relay-1', topic: 't' },
        toleranceSeconds: 60,
      },
    });
  });

  it('ignores a blank DBOS_EDGE_WEBHOOKS', () => {
    expect(configFromEnv({ DBOS_EDGE_WEBHOOKS: '  \n ' }).app).toEqual(DEFAULTS.app);
  });

  it('leaves an unused DBOS_EDGE_WEBHOOK_SECRET out', () => {
    expect(configFromEnv({ DBOS_EDGE_WEBHOOK_SECRET: 'unused' })).toEqual(DEFAULTS);
  });

  it.each<[string, Record<string, string>, string, string]>([
    [
      'a webhook without a secret and no shared one',
      webhooks({ gh: { verify: 'github', send: {} } }),
      'required',
      'is required',
    ],
    [
      'an unknown verification scheme',
      webhooks({ gh: { verify: 'hmac', secret: 's', send: {} } }),
      'picklist',
      'Invalid type: Expected ("standard-webhooks" | "github") but received "hmac"',
    ],
    [
      'an unknown option',
      webhooks({ gh: { verify: 'github', secret: 's', send: {}, retries: 3 } }),
      'unknown_field',
      'is not a known option',
    ],
    [
      'a tolerance of 0 seconds',
      webhooks({ gh: { verify: 'standard-webhooks', secret: WHSEC, send: {}, toleranceSeconds: 0 } }),
      'min_value',
      'Invalid value: Expected >=1 but received 0',
    ],
    [
      'a fixed workflow ID for enqueued deliveries',
      webhooks({
        gh: { verify: 'github', secret: 's', enqueue: { queueName: 'q', workflowName: 'w', workflowID: 'x' } },
      }),
      'unknown_field',
      'is not a known option',
    ],
    [
      'a webhook name with a space',
      webhooks({ 'my hook': { verify: 'github', secret: 's', send: {} } }),
      'regex',
      'must be 1-64 letters, digits, _ or -',
    ],
  ])('refuses %s', (_label, env, rule, message) => {
    const issues = issuesOf(() => configFromEnv(env));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ rule, message });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'both send and enqueue',
      webhooks({ gh: { verify: 'github', secret: 's', send: {}, enqueue: { queueName: 'q', workflowName: 'w' } } }),
      'must have exactly one of send and enqueue',
    ],
    [
      'neither send nor enqueue',
      webhooks({ gh: { verify: 'github', secret: 's' } }),
      'must have exactly one of send and enqueue',
    ],
    [
      'a standard-webhooks secret that is not whsec_',
      webhooks({ gh: { verify: 'standard-webhooks', secret: 'plain', send: {} } }),
      'a standard-webhooks secret must be whsec_<base64>',
    ],
    [
      'a shared secret that is not whsec_ for a standard webhook',
      webhooks({ gh: { verify: 'standard-webhooks', send: {} } }, 'plain'),
      'a standard-webhooks secret must be whsec_<base64>',
    ],
    [
      'a whsec_ secret that is not base64',
      webhooks({ gh: { verify: 'standard-webhooks', secret: 'whsec_not base64!', send: {} } }),
      'a standard-webhooks secret must be whsec_<base64>',
    ],
    [
      'a whsec_ secret with an empty key',
      webhooks({ gh: { verify: 'standard-webhooks', secret: 'whsec_', send: {} } }),
      'a standard-webhooks secret must be whsec_<base64>',
    ],
  ])('refuses %s', (_label, env, message) => {
    const issues = issuesOf(() => configFromEnv(env));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(message);
  });
});
