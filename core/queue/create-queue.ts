import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { DatabaseQueue } from './database-queue.ts';
import type { JobQueue } from './job-queue.ts';
import { ObservedQueue } from './observed-queue.ts';
import { PgBossQueue } from './pg-boss-queue.ts';
import { SqsQueue } from './sqs-queue.ts';

export function createQueue(
  config: Pick<Config, 'queue' | 'databaseUrl' | 'awsRegion'>,
  db: Database,
  onError?: (error: unknown) => void,
): JobQueue {
  return new ObservedQueue(createBackend(config, db, onError));
}

function createBackend(
  config: Pick<Config, 'queue' | 'databaseUrl' | 'awsRegion'>,
  db: Database,
  onError?: (error: unknown) => void,
): JobQueue {
  switch (config.queue.driver) {
    case 'sqs':
      return new SqsQueue({ queueUrl: config.queue.sqsQueueUrl!, region: config.awsRegion, endpoint: config.queue.sqsEndpoint, onError });
    case 'pg-boss':
      return new PgBossQueue({ connectionString: config.databaseUrl!, onError });
    case 'database':
      return new DatabaseQueue(db.knex, { onError });
  }
}
