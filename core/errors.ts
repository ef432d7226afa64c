/**
 * The few typed errors the platform throws on purpose. The api maps each to one HTTP status and the public
 * error shape `{error: {type, code, message, param?, errors?, request_id}}`; anything else is an internal error.
 */
export type ErrorType =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'payment_required'
  | 'internal'
  /** A provider (ElevenLabs, OpenAI, …) the request needed failed or refused us: 502. */
  | 'provider';

export class PlatformError extends Error {
  constructor(
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly status: number = statusFor(type),
  ) {
    super(message);
  }
}

/** One problem with one field of a request. */
export interface FieldProblem {
  code: string;
  message: string;
  param?: string;
}

/**
 * A request with one or more invalid fields: the first is the error itself (`code`, `message`, `param`, as for every
 * error) and all of them are listed in `problems` (`errors` in the response), so a form can mark every field at once.
 */
export class InvalidFieldsError extends PlatformError {
  constructor(readonly problems: [FieldProblem, ...FieldProblem[]]) {
    super('invalid_request', problems[0].code, problems[0].message, problems[0].param);
  }
}

function statusFor(type: ErrorType): number {
  switch (type) {
    case 'invalid_request':
      return 400;
    case 'authentication':
      return 401;
    case 'permission':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'rate_limited':
      return 429;
    case 'payment_required':
      return 402;
    case 'internal':
      return 500;
    case 'provider':
      return 502;
  }
}

/** No `resource` with this id; `param` names where the id came from (the path's `id`, or a body field). */
export const notFound = (resource: string, id: string, param = 'id') =>
  new PlatformError('not_found', 'resource_not_found', `No ${resource} with id "${id}".`, param);

export const invalid = (code: string, message: string, param?: string) =>
  new PlatformError('invalid_request', code, message, param);
