/** How the commands show workflows, steps and schedules to people (the API's JSON, rendered). */
import type { Json } from './api.ts';
import { duration, fields, inline, isoTime, pretty, table } from './format.ts';

export const workflowTable = (workflows: Json[]) =>
  table(
    ['WORKFLOW ID', 'STATUS', 'NAME', 'QUEUE', 'CREATED'],
    workflows.map((w) => [
      w.workflowID as string,
      w.status as string,
      w.workflowName as string,
      w.queueName as string,
      isoTime(w.createdAt),
    ]),
  );

export function workflowText(w: Json): string {
  const error = w.error as Json | undefined;
  return [
    fields([
      ['workflow', w.workflowID as string],
      ['status', w.status as string],
      ['name', w.workflowName as string],
      ['class', (w.workflowClassName as string) || undefined],
      ['queue', w.queueName as string],
      ['application', w.applicationName as string],
      ['version', w.applicationVersion as string],
      ['executor', w.executorId as string],
      ['created', isoTime(w.createdAt)],
      ['updated', isoTime(w.updatedAt)],
      ['forked from', w.forkedFrom as string],
      ['parent', w.parentWorkflowID as string],
      ['recoveries', w.recoveryAttempts as number],
    ]),
    `input:\n${pretty(w.input)}`,
    ...(w.namedArgs !== undefined ? [`named arguments:\n${pretty(w.namedArgs)}`] : []),
    ...(w.output !== undefined ? [`output:\n${pretty(w.output)}`] : []),
    ...(error ? [`error: ${error.name}: ${error.message}`] : []),
  ].join('\n');
}

export const stepTable = (steps: Json[]) =>
  table(
    ['STEP', 'NAME', 'OUTCOME', 'DURATION', 'CHILD WORKFLOW'],
    steps.map((s) => [
      s.functionID as number,
      s.name as string,
      s.error ? `error: ${(s.error as Json).message}` : inline(s.output),
      duration(s.startedAtEpochMs, s.completedAtEpochMs),
      s.childWorkflowID as string,
    ]),
  );

export const scheduleTable = (schedules: Json[]) =>
  table(
    ['SCHEDULE', 'STATUS', 'WORKFLOW', 'CRON', 'TIMEZONE', 'QUEUE', 'LAST FIRED'],
    schedules.map((s) => [
      s.scheduleName as string,
      s.status as string,
      s.workflowName as string,
      s.schedule as string,
      s.cronTimezone as string,
      s.queueName as string,
      isoTime(s.lastFiredAt),
    ]),
  );

export const scheduleText = (s: Json) =>
  fields([
    ['schedule', s.scheduleName as string],
    ['status', s.status as string],
    ['workflow', s.workflowName as string],
    ['cron', s.schedule as string],
    ['timezone', (s.cronTimezone as string) ?? 'UTC'],
    ['queue', s.queueName as string],
    ['last fired', isoTime(s.lastFiredAt)],
    ['context', inline(s.context)],
  ]);
