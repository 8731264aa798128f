// The one error the CLI reports to the user: a clear message and the process exit code that goes with it.

export const EXIT = {
  usage: 64, // EX_USAGE
  input: 65, // EX_DATAERR
  unavailable: 69, // EX_UNAVAILABLE: the server could not be reached, or kept refusing
  auth: 77, // EX_NOPERM
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
