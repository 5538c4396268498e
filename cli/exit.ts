/**
 * Exit codes of `dbos-edge` and the one error type commands fail with. A problem from the service (or from the
 * in-process router in direct mode) maps to a code by its HTTP status, so both modes exit the same way.
 */

export const EXIT = {
  /** Done. */
  ok: 0,
  /** Failed: the database or service is unreachable, a workflow ended in error, anything unexpected. */
  failure: 1,
  /** Bad command line or invalid input (names the option or field). */
  usage: 2,
  /** No such workflow, schedule or event. */
  notFound: 3,
  /** Missing, invalid or insufficient token. */
  auth: 4,
  /** Conflict: an ID or name in use, a deduplicated enqueue, deleting an unfinished workflow. */
  conflict: 5,
  /** Not finished (a result or event) within the wait. */
  notReady: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 400 || status === 413 || status === 415 || status === 422) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failure;
}

/** One line from an RFC 9457 problem: its title and what it says about the request. */
export function problemLine(p: { title?: unknown; detail?: unknown; status?: unknown }): string {
  const title = typeof p.title === 'string' ? p.title : `HTTP ${String(p.status)}`;
  return typeof p.detail === 'string' && p.detail !== '' ? `${title}: ${p.detail}` : title;
}
