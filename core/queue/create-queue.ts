import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { DatabaseQueue } from './database-queue.ts';
import type { DriverOptions } from './driver-options.ts';
import type { JobQueue } from './job-queue.ts';
import { ObservedQueue } from './observed-queue.ts';
import { PgBossQueue } from './pg-boss-queue.ts';
import { SqsQueue } from './sqs-queue.ts';

type QueueConfig = Pick<Config, 'queue' | 'databaseUrl' | 'awsRegion'>;

export function createQueue(config: QueueConfig, db: Database, onError?: (error: unknown) => void): JobQueue {
  return new ObservedQueue(createBackend(config, db, { onError }));
}

function createBackend(config: QueueConfig, db: Database, options: DriverOptions): JobQueue {
  switch (config.queue.driver) {
    case 'sqs':
      return new SqsQueue({ ...options, queueUrl: config.queue.sqsQueueUrl!, region: config.awsRegion, endpoint: config.queue.sqsEndpoint });
    case 'pg-boss':
      return new PgBossQueue({ ...options, connectionString: config.databaseUrl! });
    case 'database':
      return new DatabaseQueue(db.knex, options);
  }
}
