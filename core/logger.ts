import cluster from 'node:cluster';
import winston from 'winston';

export type Logger = winston.Logger;

/**
 * JSON lines when not on a terminal (or when asked), colourised single lines when a person is watching. On standard
 * output, unless `toStderr`: a command whose standard output is its result (a report, JSON) logs beside it.
 */
export function createLogger(options: { level: string; format: 'auto' | 'json' | 'pretty'; toStderr?: boolean | undefined }): Logger {
  const output = options.toStderr ? process.stderr : process.stdout;
  const pretty = options.format === 'pretty' || (options.format === 'auto' && output.isTTY);
  const format = pretty
    ? winston.format.combine(
        winston.format.colorize(),
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.printf(({ level, message, timestamp, ...meta }) => {
          const rest = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
          return `${timestamp} ${level} ${message}${rest}`;
        }),
      )
    : winston.format.combine(winston.format.timestamp(), winston.format.json());
  // Processes sharing a port (ECHOSPHERE_PROCESSES) write to one output; each line says which process wrote it.
  const defaultMeta = cluster.isWorker ? { pid: process.pid } : undefined;
  return winston.createLogger({
    level: options.level,
    format,
    defaultMeta,
    transports: [new winston.transports.Console({ stderrLevels: options.toStderr ? Object.keys(winston.config.npm.levels) : [] })],
  });
}
