interface FieldProblem {
  message: string;
  param?: string;
}

interface ErrorBody {
  error?: { type?: string; code?: string; message?: string; param?: string; errors?: FieldProblem[]; request_id?: string };
}

/** A problem's message without the field name it starts with, for display next to that field. */
export function withoutParam({ param, message }: FieldProblem): string {
  return param && message.startsWith(`${param}: `) ? message.slice(param.length + 2) : message;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field at fault, dotted (`turn.endpointing_max_delay_ms`, `tools.0.server.url`). */
    readonly param?: string,
    readonly requestId?: string,
    /** Every invalid field of the request (the API lists them all at once); at least this error itself. */
    readonly problems: FieldProblem[] = [{ message, param }],
  ) {
    super(message);
  }

  /** The message without the field name it may start with, for display next to that field. */
  get fieldMessage(): string {
    return withoutParam(this);
  }

  static from(status: number, body: unknown): ApiError {
    const error = (body as ErrorBody | undefined)?.error;
    const message = error?.message ?? `The request failed (HTTP ${status}).`;
    return new ApiError(status, error?.code ?? `http_${status}`, message, error?.param, error?.request_id, error?.errors?.length ? error.errors : undefined);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.param ? `${error.param}: ${error.message}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
