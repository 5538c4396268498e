/** Command-line values: the workflow filters (list, queue list, bulk), whole numbers and JSON arguments. */
import type { ParseArgsConfig } from 'node:util';
import type { Json } from './api.ts';
import { CliError, EXIT } from './exit.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Option → `listWorkflows` filter, for the filters people type; repeat an option for several values. */
const FILTERS = {
  status: 'status',
  name: 'workflowName',
  queue: 'queueName',
  prefix: 'workflowIDPrefix',
  user: 'authenticatedUser',
  'application-version': 'applicationVersion',
  'executor-id': 'executorId',
  'forked-from': 'forkedFrom',
  parent: 'parentWorkflowID',
  schedule: 'scheduleName',
} as const;
const TIME_FILTERS = {
  'start-time': 'startTime',
  'end-time': 'endTime',
  'completed-after': 'completedAfter',
  'completed-before': 'completedBefore',
} as const;

export const filterOptions: Options = {
  ...Object.fromEntries(Object.keys(FILTERS).map((k) => [k, { type: 'string', multiple: true }])),
  ...Object.fromEntries(Object.keys(TIME_FILTERS).map((k) => [k, { type: 'string' }])),
};

export function filterOf(values: Values): Json {
  const filter: Json = {};
  for (const [option, field] of Object.entries(FILTERS)) {
    const given = values[option] as string[] | undefined;
    if (given?.length) filter[field] = given.length === 1 ? given[0] : given;
  }
  for (const [option, field] of Object.entries(TIME_FILTERS)) {
    if (values[option] !== undefined) filter[field] = values[option];
  }
  return filter;
}

export function integer(values: Values, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw))
    throw new CliError(`--${name}: must be a whole number`, EXIT.usage);
  return Number(raw);
}

/** A JSON value from the command line; text that is not JSON is taken as a string. */
export function jsonArg(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
