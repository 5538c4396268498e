/**
 * `dbos-edge`: finds the command in the leading words, parses its options with node:util parseArgs (global options
 * anywhere), connects (`connect.ts`), runs it and prints a table or --json. Errors are one line on stderr and an
 * exit code from `exit.ts`.
 */
import { parseArgs } from 'node:util';
import { COMMANDS, type Command } from './commands.ts';
import { connect } from './connect.ts';
import { CliError, EXIT } from './exit.ts';

export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Record<string, string | undefined>;
}

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  service: { type: 'string' },
  token: { type: 'string' },
  schema: { type: 'string' },
  app: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function usage(): string {
  const width = Math.max(...Object.entries(COMMANDS).map(([n, c]) => `${n} ${argNames(c)}`.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${`${name} ${argNames(c)}`.padEnd(width)}  ${c.summary}`,
  );
  return `usage: dbos-edge <command> [options]

connection (the same commands either way):
  --url URL                  the system database (default DBOS_SYSTEM_DATABASE_URL, then DATABASE_URL)
  --service URL --token T    a running dbos-edge service (or DBOS_EDGE_SERVICE_URL, DBOS_EDGE_TOKEN)
  --schema NAME, --app NAME  system schema (default dbos) and application name, direct mode
output: tables for people, --json for machines

commands:
  ${'serve'.padEnd(width)}  the HTTP service and web console (as npm start; configured by the environment)
${lines.join('\n')}

filters (list, queue list, bulk): --status --name --queue --prefix --user --application-version --executor-id
  --forked-from --parent --schedule (repeat for several values), --start-time --end-time --completed-after
  --completed-before (ISO 8601)

exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 not found, 4 auth, 5 conflict, 6 not finished in time
`;
}

function argNames(c: Command): string {
  return c.args.map((a) => `<${a}>`).join(' ');
}

/** The words before the first option: what the user meant as the command. */
function leadingWords(argv: readonly string[]): string[] {
  const firstOption = argv.findIndex((a) => a.startsWith('-'));
  return argv.slice(0, firstOption < 0 ? 3 : Math.min(firstOption, 3));
}

/** The command named by the longest run of leading words, and the arguments after it. */
function findCommand(argv: readonly string[]): { name: string; command: Command; rest: string[] } | undefined {
  for (let words = 3; words >= 1; words--) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS[name];
    if (command && argv.slice(0, words).every((w) => !w.startsWith('-'))) {
      return { name, command, rest: argv.slice(words) };
    }
  }
  return undefined;
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const fail = (message: string, code: number) => {
    io.stderr.write(`dbos-edge: ${message}\n`);
    return code;
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(usage());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  // The one command that needs no connection: it is the service itself.
  if (argv[0] === 'serve') {
    const { serveOnNode } = await import('../worker/serve-node.ts');
    await serveOnNode(io.env);
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) return fail(`unknown command: ${leadingWords(argv).join(' ')} (see --help)`, EXIT.usage);
  const { name, command, rest } = found;
  let values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    // parseArgs' first sentence names the option; the rest is advice about positionals.
    return fail(`${name}: ${e instanceof Error ? (e.message.split(/\.\s/)[0] ?? e.message) : String(e)}`, EXIT.usage);
  }
  if (values.help) {
    const options = Object.entries(command.options).map(
      ([option, spec]) => `--${option}${spec.type === 'string' ? ' <value>' : ''}${spec.multiple ? ' …' : ''}`,
    );
    const optionLine = options.length ? `\n  options: ${options.join(' ')}` : '';
    io.stdout.write(`usage: dbos-edge ${`${name} ${argNames(command)}`.trim()}\n  ${command.summary}${optionLine}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== command.args.length) {
    return fail(
      `${name}: expects ${command.args.length ? argNames(command) : 'no arguments'}, got ${positionals.length}`,
      EXIT.usage,
    );
  }
  const json = values.json === true;
  try {
    const connection = connect(values as Record<string, string | undefined>, io.env);
    try {
      const outcome = await command.run({
        api: connection.api,
        values,
        args: positionals,
        json,
        out: (text) => io.stdout.write(text),
        progressOut: { write: (text) => io.stderr.write(text), isTTY: io.stderr.isTTY === true },
      });
      if (json && outcome.json !== undefined) io.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
      else if (!json && outcome.text !== undefined) io.stdout.write(`${outcome.text}\n`);
      return outcome.exitCode ?? EXIT.ok;
    } finally {
      await connection.close();
    }
  } catch (e) {
    if (e instanceof CliError) return fail(`${name}: ${e.message}`, e.exitCode);
    return fail(`${name}: ${e instanceof Error ? e.message : String(e)}`, EXIT.failure);
  }
}
