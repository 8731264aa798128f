// The one error the CLI reports to the user: a clear message and the process exit code that goes with it.

/** Exit codes (sysexits.h where one fits); listed in `quiver --help` and the README. */
export const EXIT = {
  software: 1, // the server failed (500) or something unexpected
  notFound: 3, // 404: no such tenant, item, model, endpoint, run…
  conflict: 4, // 409/412: exists already, state does not allow it, stale ETag
  usage: 64, // EX_USAGE: bad command line
  input: 65, // EX_DATAERR: the server refused the input (400, 413, 415, 422) or a file is unreadable
  unavailable: 69, // EX_UNAVAILABLE: no server at the URL, or it answered 502/503/504
  tempfail: 75, // EX_TEMPFAIL: rate-limited (429); try again later
  auth: 77, // EX_NOPERM: 401/403, the key is missing, wrong, expired or lacks the scope
  interrupted: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Problem details as the server sends them (RFC 9457 with Quiver's `code` and field `errors`). */
export interface ProblemBody {
  code?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** A response the client will not retry; `problem` is the parsed body when it was problem JSON. */
export class HttpError extends CliError {
  constructor(
    message: string,
    exitCode: number,
    readonly status: number,
    readonly problem?: ProblemBody,
  ) {
    super(message, exitCode);
    this.name = 'HttpError';
  }
}
