import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../core/logger.ts';

/**
 * One line per request, carrying its id. Never the Authorization header or bodies. Skipped outright when the level is
 * off: winston formats every entry before its transports drop the filtered ones.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!logger.isLevelEnabled('http')) return next();
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      logger.http('request', {
        request_id: req.id,
        method: req.method,
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        duration_ms: Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100,
        org_id: req.auth?.orgId,
      });
    });
    next();
  };
}
