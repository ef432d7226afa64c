/**
 * The few typed errors the platform throws on purpose. The api maps each to one HTTP status and the public
 * error shape `{error: {type, code, message, param?, request_id}}`; anything else is an internal error.
 */
export type ErrorType =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'payment_required'
  | 'internal';

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
  }
}

export const notFound = (resource: string, id: string) =>
  new PlatformError('not_found', 'resource_not_found', `No ${resource} with id "${id}".`, 'id');

export const invalid = (code: string, message: string, param?: string) =>
  new PlatformError('invalid_request', code, message, param);
