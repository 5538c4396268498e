/**
 * The commands, named as the DBOS CLI names them. Each declares its options (node:util parseArgs) and positionals
 * and runs against the /v1 API (`Api`), whichever connection is behind it; it returns what to print (a table or
 * text for people, the API's JSON with --json) and optionally an exit code.
 */
import type { Api, Json, Query } from './api.ts';
import { filterOf, filterOptions, integer, jsonArg, type Options, type Values } from './args.ts';
import { CliError, EXIT, type ExitCode } from './exit.ts';
import { inline, isoTime, type ProgressOutput, pretty, progress, table } from './format.ts';
import { scheduleTable, scheduleText, stepTable, workflowTable, workflowText } from './render.ts';

export interface CommandContext {
  readonly api: Api;
  readonly values: Values;
  readonly args: readonly string[];
  readonly json: boolean;
  /** Where streamed output (stream values, bulk totals) goes as it happens. */
  readonly out: (text: string) => void;
  /** Where progress goes (stderr). */
  readonly progressOut: ProgressOutput;
}

export interface Outcome {
  readonly json?: unknown;
  readonly text?: string;
  readonly exitCode?: ExitCode;
}

export interface Command {
  readonly args: readonly string[];
  readonly options: Options;
  readonly summary: string;
  run(ctx: CommandContext): Promise<Outcome>;
}

const done = (json: Json, text: string): Outcome => ({ json, text });

const QUEUE_LIMIT_OPTIONS: Options = {
  concurrency: { type: 'string' },
  'worker-concurrency': { type: 'string' },
  rate: { type: 'string' },
  keep: { type: 'boolean' },
};

/** The limits given on the command line; with `none`, a limit given as `none` is removed (null). */
function queueLimits(values: Values, none?: null): Json {
  const limit = (option: string) => (values[option] === 'none' && none === null ? null : integer(values, option));
  const rate = values.rate as string | undefined;
  let rateLimit: Json | null | undefined;
  if (rate === 'none' && none === null) rateLimit = null;
  else if (rate !== undefined) {
    const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(rate);
    if (!match) throw new CliError('--rate must be N/SECONDS, e.g. 50/60', EXIT.usage);
    rateLimit = { limitPerPeriod: Number(match[1]), periodSec: Number(match[2]) };
  }
  const entries = {
    globalConcurrency: limit('concurrency'),
    workerConcurrency: limit('worker-concurrency'),
    rateLimit,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as Json;
}

function queueTable(queues: readonly Json[]): string {
  return table(
    ['queue', 'concurrency', 'per worker', 'rate limit', 'owner'],
    queues.map((q) => [
      String(q.name),
      (q.concurrency as number | undefined) ?? '',
      (q.workerConcurrency as number | undefined) ?? '',
      q.rateLimit ? `${(q.rateLimit as Json).limitPerPeriod}/${(q.rateLimit as Json).periodSec}s` : '',
      (q.applicationName as string | undefined) ?? '',
    ]),
  );
}

// ------------------------------------------------------------------ the commands

function bulkCommand(action: 'cancel' | 'resume' | 'delete', summary: string): Command {
  return {
    args: [],
    summary,
    options: {
      ...filterOptions,
      all: { type: 'boolean' },
      'batch-size': { type: 'string' },
      ...(action === 'resume' ? { 'to-queue': { type: 'string' } } : {}),
    },
    async run({ api, values, progressOut }) {
      const filter = filterOf(values);
      if (Object.keys(filter).length === 0 && !values.all) {
        throw new CliError(`bulk ${action}: give a filter (--status, --name, --queue, …) or --all`, EXIT.usage);
      }
      const batchSize = integer(values, 'batch-size');
      const bar = progress(progressOut, `bulk ${action}`);
      const count = await api.bulk(
        action,
        {
          filter,
          ...(batchSize ? { batchSize } : {}),
          ...(values['to-queue'] ? { queueName: values['to-queue'] } : {}),
        },
        (n) => bar.update(n),
      );
      bar.end(count);
      return done({ action, count }, `${action}: ${count} workflow(s)`);
    },
  };
}

function scheduleAction(action: 'pause' | 'resume', summary: string): Command {
  return {
    args: ['name'],
    summary,
    options: {},
    async run({ api, args }) {
      const s = await api.post(api.schedule(args[0] as string, action));
      return done(s, `${s.scheduleName}: ${s.status}`);
    },
  };
}

export const COMMANDS: Record<string, Command> = {
  'workflow list': {
    args: [],
    summary: 'list workflows (cursor pages; newest first with --sort-desc)',
    options: {
      ...filterOptions,
      limit: { type: 'string' },
      cursor: { type: 'string' },
      'sort-desc': { type: 'boolean' },
    },
    async run({ api, values }) {
      const page = await api.get('/v1/workflow-pages', {
        ...(filterOf(values) as Query),
        limit: integer(values, 'limit') ?? 20,
        cursor: values.cursor as string | undefined,
        sortDesc: values['sort-desc'] === true ? true : undefined,
        loadInput: false,
      });
      const next = page.nextCursor ? `\nnext page: --cursor ${page.nextCursor}` : '';
      return done(page, `${workflowTable(page.workflows as Json[])}${next}`);
    },
  },
  'workflow get': {
    args: ['workflow-id'],
    summary: 'a workflow: status, input, output, error',
    options: {},
    async run({ api, args }) {
      const w = await api.get(api.workflow(args[0] as string));
      return done(w, workflowText(w));
    },
  },
  'workflow steps': {
    args: ['workflow-id'],
    summary: "a workflow's steps with their outcome and duration",
    options: {},
    async run({ api, args }) {
      const page = await api.get(api.workflow(args[0] as string, 'steps'), { limit: 1000 });
      return done(page, stepTable(page.steps as Json[]));
    },
  },
  'workflow result': {
    args: ['workflow-id'],
    summary: 'the output (or error) of a workflow, waiting up to --timeout ms',
    options: { timeout: { type: 'string' } },
    async run({ api, args, values }) {
      const { ready, body } = await api.poll(api.workflow(args[0] as string, 'result'), {
        timeoutMs: integer(values, 'timeout') ?? 0,
      });
      if (!ready)
        return { json: body, text: `${body.workflowID} is ${body.status}: not finished`, exitCode: EXIT.notReady };
      if (body.status === 'SUCCESS') return done(body, pretty(body.output));
      const error = body.error as Json | undefined;
      const text = error ? `${body.status}: ${error.name}: ${error.message}` : `${body.status}`;
      return { json: body, text, exitCode: EXIT.failure };
    },
  },
  'workflow cancel': {
    args: ['workflow-id'],
    summary: 'cancel a workflow',
    options: {},
    async run({ api, args }) {
      const r = await api.post(api.workflow(args[0] as string, 'cancel'));
      return done(r, `cancelled ${r.workflowID}`);
    },
  },
  'workflow resume': {
    args: ['workflow-id'],
    summary: 'resume a workflow under its ID (on --queue, default DBOS internal queue)',
    options: { queue: { type: 'string' } },
    async run({ api, args, values }) {
      const r = await api.post(
        api.workflow(args[0] as string, 'resume'),
        values.queue ? { queueName: values.queue } : {},
      );
      return done(r, `resumed ${r.workflowID}`);
    },
  },
  'workflow fork': {
    args: ['workflow-id'],
    summary: 'start a new workflow from --step of this one',
    options: {
      step: { type: 'string' },
      'forked-workflow-id': { type: 'string' },
      'application-version': { type: 'string' },
      queue: { type: 'string' },
    },
    async run({ api, args, values }) {
      const r = await api.post(api.workflow(args[0] as string, 'fork'), {
        startStep: integer(values, 'step') ?? 0,
        ...(values['forked-workflow-id'] ? { newWorkflowID: values['forked-workflow-id'] } : {}),
        ...(values['application-version'] ? { applicationVersion: values['application-version'] } : {}),
        ...(values.queue ? { queueName: values.queue } : {}),
      });
      return done(r, `forked ${args[0]} as ${r.workflowID}`);
    },
  },
  'workflow delete': {
    args: ['workflow-id'],
    summary: 'delete a finished workflow and what it wrote',
    options: {},
    async run({ api, args }) {
      await api.delete(api.workflow(args[0] as string));
      return done({ workflowID: args[0], deleted: true }, `deleted ${args[0]}`);
    },
  },
  'workflow queue list': {
    args: [],
    summary: 'workflows on queues that have not finished',
    options: {
      ...filterOptions,
      limit: { type: 'string' },
      offset: { type: 'string' },
      'sort-desc': { type: 'boolean' },
    },
    async run({ api, values }) {
      const page = await api.get('/v1/queues/workflows', {
        ...(filterOf(values) as Query),
        limit: integer(values, 'limit') ?? 100,
        offset: integer(values, 'offset'),
        sortDesc: values['sort-desc'] === true ? true : undefined,
        loadInput: false,
      });
      const next = page.nextOffset !== null ? `\nnext page: --offset ${page.nextOffset}` : '';
      return done(page, `${workflowTable(page.workflows as Json[])}${next}`);
    },
  },
  'queue list': {
    args: [],
    summary: 'queues and their limits (the queues table): --app NAME for another application',
    options: {},
    async run({ api, values }) {
      const listed = await api.get('/v1/queues', values.app ? { applicationName: values.app as string } : {});
      return done(listed, queueTable(listed.queues as Json[]));
    },
  },
  'queue get': {
    args: ['name'],
    summary: "a queue's limits and owner",
    options: {},
    async run({ api, args }) {
      const queue = await api.get(api.queue(args[0] as string));
      return done(queue, queueTable([queue]));
    },
  },
  'queue register': {
    args: ['name'],
    summary: 'create a queue or set its limits: --concurrency N --worker-concurrency N --rate N/SECONDS [--keep]',
    options: QUEUE_LIMIT_OPTIONS,
    async run({ api, args, values }) {
      const queue = await api.put(api.queue(args[0] as string), {
        ...queueLimits(values),
        ...(values.keep === true ? { onConflict: 'never_update' } : {}),
      });
      return done(queue, queueTable([queue]));
    },
  },
  'queue update': {
    args: ['name'],
    summary: "change a queue's limits: --concurrency N --worker-concurrency N --rate N/SECONDS (none: remove it)",
    options: QUEUE_LIMIT_OPTIONS,
    async run({ api, args, values }) {
      const queue = await api.patch(api.queue(args[0] as string), queueLimits(values, null));
      return done(queue, queueTable([queue]));
    },
  },
  'queue delete': {
    args: ['name'],
    summary: 'delete a queue (workflows left on it are never dequeued)',
    options: {},
    async run({ api, args }) {
      await api.delete(api.queue(args[0] as string));
      return done({ name: args[0], deleted: true }, `deleted ${args[0]}`);
    },
  },
  'schedule list': {
    args: [],
    summary: 'list schedules',
    options: {
      status: { type: 'string', multiple: true },
      name: { type: 'string', multiple: true },
      prefix: { type: 'string', multiple: true },
    },
    async run({ api, values }) {
      const r = await api.get('/v1/schedules', {
        status: values.status as string[] | undefined,
        workflowName: values.name as string[] | undefined,
        scheduleNamePrefix: values.prefix as string[] | undefined,
      });
      return done(r, scheduleTable(r.schedules as Json[]));
    },
  },
  'schedule get': {
    args: ['name'],
    summary: 'a schedule',
    options: {},
    async run({ api, args }) {
      const s = await api.get(api.schedule(args[0] as string));
      return done(s, scheduleText(s));
    },
  },
  'schedule create': {
    args: ['name'],
    summary:
      'create a schedule: --workflow NAME --cron EXPR [--context JSON --timezone TZ --queue Q --serialization portable|native]',
    options: {
      workflow: { type: 'string' },
      serialization: { type: 'string' },
      cron: { type: 'string' },
      context: { type: 'string' },
      timezone: { type: 'string' },
      queue: { type: 'string' },
      'class-name': { type: 'string' },
    },
    async run({ api, args, values }) {
      for (const required of ['workflow', 'cron']) {
        if (values[required] === undefined)
          throw new CliError(`schedule create: --${required} is required`, EXIT.usage);
      }
      const s = await api.post('/v1/schedules', {
        scheduleName: args[0],
        workflowName: values.workflow,
        schedule: values.cron,
        ...(values.context !== undefined ? { context: jsonArg(values.context as string) } : {}),
        ...(values.timezone ? { cronTimezone: values.timezone } : {}),
        ...(values.queue ? { queueName: values.queue } : {}),
        ...(values['class-name'] ? { workflowClassName: values['class-name'] } : {}),
        ...(values.serialization ? { serializationType: values.serialization } : {}),
      });
      return done(s, `created ${s.scheduleName}`);
    },
  },
  'schedule pause': scheduleAction('pause', 'pause a schedule'),
  'schedule resume': scheduleAction('resume', 'resume a paused schedule'),
  'schedule trigger': {
    args: ['name'],
    summary: "run a schedule's workflow now",
    options: {},
    async run({ api, args }) {
      const r = await api.post(api.schedule(args[0] as string, 'trigger'));
      return done(r, `triggered ${args[0]}: ${r.workflowID}`);
    },
  },
  'schedule backfill': {
    args: ['name'],
    summary: 'run every tick strictly between --start and --end (ISO 8601)',
    options: { start: { type: 'string' }, end: { type: 'string' } },
    async run({ api, args, values }) {
      for (const required of ['start', 'end']) {
        if (values[required] === undefined)
          throw new CliError(`schedule backfill: --${required} is required`, EXIT.usage);
      }
      const r = await api.post(api.schedule(args[0] as string, 'backfill'), { start: values.start, end: values.end });
      const ids = r.workflowIDs as string[];
      return done(r, [`backfilled ${args[0]}: ${ids.length} run(s)`, ...ids].join('\n'));
    },
  },
  'schedule delete': {
    args: ['name'],
    summary: 'delete a schedule',
    options: {},
    async run({ api, args }) {
      await api.delete(api.schedule(args[0] as string));
      return done({ scheduleName: args[0], deleted: true }, `deleted ${args[0]}`);
    },
  },
  send: {
    args: ['workflow-id', 'message'],
    summary: "send a message (JSON, or text) to a workflow's DBOS.recv(--topic)",
    options: { topic: { type: 'string' }, 'idempotency-key': { type: 'string' } },
    async run({ api, args, values }) {
      const r = await api.post(api.workflow(args[0] as string, 'messages'), {
        message: jsonArg(args[1] as string),
        ...(values.topic ? { topic: values.topic } : {}),
        ...(values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {}),
      });
      return done(r, `sent to ${args[0]}`);
    },
  },
  'event get': {
    args: ['workflow-id', 'key'],
    summary: 'an event set with DBOS.setEvent, waiting up to --timeout ms',
    options: { timeout: { type: 'string' } },
    async run({ api, args, values }) {
      const { ready, body } = await api.poll(api.workflow(args[0] as string, 'events', args[1] as string), {
        timeoutMs: integer(values, 'timeout') ?? 0,
      });
      if (!ready) return { json: body, text: `event ${args[1]} of ${args[0]} is not set`, exitCode: EXIT.notReady };
      return done(body, pretty(body.value));
    },
  },
  'stream tail': {
    args: ['workflow-id', 'key'],
    summary: 'print a stream as it is written, until it closes (from --offset)',
    options: { offset: { type: 'string' } },
    async run({ api, args, values, json, out }) {
      let count = 0;
      await api.tail(args[0] as string, args[1] as string, integer(values, 'offset') ?? 0, (value, offset) => {
        count += 1;
        out(json ? `${JSON.stringify({ offset, value })}\n` : `${offset}\t${inline(value)}\n`);
      });
      return { text: json ? undefined : `(end of stream, ${count} value(s))` };
    },
  },
  tick: {
    args: [],
    summary: 'fire every due schedule once (what a cron calls)',
    options: { now: { type: 'string' } },
    async run({ api, values }) {
      const r = await api.post('/v1/schedules/tick', values.now ? { now: values.now } : {});
      const lines = (r.schedules as Json[])
        .filter((s) => (s.fired as string[]).length > 0 || s.error)
        .map(
          (s) =>
            `${s.scheduleName}: ${(s.fired as string[]).length} fired${s.error ? `, error: ${inline(s.error)}` : ''}`,
        );
      return done(r, [`tick at ${isoTime(r.now)}: ${r.fired} fired, ${r.errors} error(s)`, ...lines].join('\n'));
    },
  },
  'bulk cancel': bulkCommand('cancel', 'cancel every unfinished workflow matching the filters'),
  'bulk resume': bulkCommand('resume', 'resume every cancelled workflow matching the filters (onto --to-queue)'),
  'bulk delete': bulkCommand('delete', 'delete every finished workflow matching the filters'),
};
