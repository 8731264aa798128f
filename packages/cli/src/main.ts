// The `quiver` process: dispatches a command, wires Ctrl-C to a clean stop, maps errors to exit codes.
import { COMMANDS, GLOBAL_OPTIONS, runCommand } from './commands/index.ts';
import { CliError, EXIT } from './errors.ts';
import { EVAL_USAGE, evalCommand } from './eval-command.ts';
import { IMPORT_USAGE, importCommand } from './import-command.ts';

const USAGE = `Usage: quiver <command> [<action>] [options]       (quiver <command> --help for its actions)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`).join('\n')}
  serve          run the server's API and inference (a replica; same settings as npm start)
  worker         run the server's background work: consumers, trainers, rollouts, schedules
  start          run both in one process (the all-in-one default)
  import <file>  load a CSV or JSONL file of events or products into Quiver (quiver import --help)
  eval search    score search on a judged query set: NDCG@10, MRR@10, Recall@10 (quiver eval --help)
  eval recommend train and score recommenders offline on an event file with a time split

${GLOBAL_OPTIONS}
Exit codes:
  0    done
  1    the server failed (500), a training run failed, or an unexpected error
  3    not found (404)
  4    conflict (409, 412): exists already, or the state does not allow it
  64   bad command line
  65   the server refused the input (400, 413, 415, 422), or a file cannot be read
  69   no server answers at the URL (reported within 2 s), or it is unavailable (502, 503, 504)
  75   rate-limited (429): try again later
  77   the key is missing, wrong, expired or lacks the scope (401, 403)
  130  interrupted (Ctrl-C)
`;

const run = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(rest[0] === 'import' ? IMPORT_USAGE : rest[0] === 'eval' ? EVAL_USAGE : USAGE);
    return 0;
  }
  if (command === 'serve' || command === 'worker' || command === 'start') {
    // The server's own entry: it reads the role from argv[2] ('start' is the all-in-one role) and runs until
    // SIGTERM; this process stays alive with it.
    process.argv[2] = command === 'start' ? 'all' : command;
    await import('@quiver/server/main');
    return new Promise<number>(() => {});
  }
  const resource = COMMANDS.find((c) => c.name === command);
  if (resource) {
    const stop = new AbortController();
    const onSigint = () => (stop.signal.aborted ? process.exit(EXIT.interrupted) : stop.abort());
    process.on('SIGINT', onSigint);
    try {
      const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
      return await runCommand(resource, rest, { ...io, signal: stop.signal });
    } finally {
      process.off('SIGINT', onSigint);
    }
  }
  if (command === 'eval')
    return evalCommand(rest, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
    });
  if (command !== 'import') throw new CliError(`Unknown command ${command}\n\n${USAGE}`, EXIT.usage);
  // First Ctrl-C: stop reading, wait for the batches in flight, save progress. Second: quit at once.
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(EXIT.interrupted);
    stop.abort();
    process.stderr.write('\nStopping after the batches in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    return await importCommand(rest, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
};

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`quiver: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`quiver: ${(error as Error).message}\n`);
      process.exitCode = EXIT.usage;
    } else {
      process.stderr.write(`quiver: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
