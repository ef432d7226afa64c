interface ErrorBody {
  error?: { type?: string; code?: string; message?: string; param?: string; request_id?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field at fault, dotted (`turn.endpointing_max_delay_ms`, `tools.0.server.url`). */
    readonly param?: string,
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** The message without the field name it may start with, for display next to that field. */
  get fieldMessage(): string {
    return this.param && this.message.startsWith(`${this.param}: `) ? this.message.slice(this.param.length + 2) : this.message;
  }

  static from(status: number, body: unknown): ApiError {
    const error = (body as ErrorBody | undefined)?.error;
    return new ApiError(status, error?.code ?? `http_${status}`, error?.message ?? `The request failed (HTTP ${status}).`, error?.param, error?.request_id);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.param ? `${error.param}: ${error.message}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
