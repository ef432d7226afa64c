import type { NextFunction, Request, Response } from 'express';
import { InvalidFieldsError, PlatformError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { bodyTooLarge } from './json-body.ts';

export function sendError(res: Response, req: Request, error: PlatformError): void {
  res.status(error.status).json({
    error: {
      type: error.type,
      code: error.code,
      message: error.message,
      ...(error.param ? { param: error.param } : {}),
      ...(error instanceof InvalidFieldsError ? { errors: error.problems } : {}),
      request_id: req.id,
    },
  });
}

/**
 * Maps typed platform errors, body-parser failures and the router's path decoding failures to the public error shape;
 * everything else is a logged 500.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return;
    sendError(res, req, toPlatformError(error, req, logger));
  };
}

function toPlatformError(error: unknown, req: Request, logger: Logger): PlatformError {
  if (error instanceof PlatformError) return error;
  const bodyParserType = (error as { type?: string }).type;
  if (bodyParserType === 'entity.too.large') return bodyTooLarge();
  if (bodyParserType === 'entity.parse.failed') {
    return new PlatformError('invalid_request', 'malformed_json', 'The request body is not valid JSON.');
  }
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') {
    return new PlatformError('invalid_request', 'unsupported_encoding', 'The request body encoding is not supported.', undefined, 415);
  }
  // The router percent-decodes path parameters before any route runs; a malformed escape (`%E0%A4%A`) throws there.
  if (error instanceof URIError) {
    return new PlatformError('invalid_request', 'malformed_path', 'The path is not valid percent-encoded UTF-8.');
  }
  logger.error('unhandled error', { request_id: req.id, error: error instanceof Error ? error.stack : String(error) });
  return new PlatformError('internal', 'internal_error', 'Something went wrong on our side. The request id helps us find it.');
}

export function notFoundRoute(req: Request, res: Response): void {
  sendError(res, req, new PlatformError('not_found', 'route_not_found', `No route ${req.method} ${req.path}.`));
}
