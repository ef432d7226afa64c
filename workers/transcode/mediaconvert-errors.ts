import type { Job } from '@aws-sdk/client-mediaconvert';
import { PermanentTranscodeError } from './transcoder.ts';

/**
 * MediaConvert API errors: a BadRequestException means our job settings are invalid, which no retry fixes.
 * Throttling, internal errors, conflicts, permission problems (an IAM fix can arrive while we back off) and network
 * failures are retried by the queue.
 */
export function classifyMediaConvertFailure(error: unknown): Error {
  const name = (error as { name?: string }).name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'BadRequestException') return new PermanentTranscodeError(`MediaConvert rejected the job: ${message}`);
  return error instanceof Error ? error : new Error(message);
}

/**
 * A job that ended in ERROR. Codes 1000-1999 are about the input or the job settings (unreadable or unsupported
 * input, invalid settings): the same job fails the same way, so the recording fails now. Other codes (output
 * writes, permissions, service errors) may pass on a new job, so the attempt is retried with a fresh submission.
 */
export function failedJobError(job: Job): Error {
  const code = job.ErrorCode ?? 0;
  const message = `MediaConvert job ${job.Id} ended ${job.Status}${code ? ` (error ${code})` : ''}: ${job.ErrorMessage ?? 'no message'}`;
  return code >= 1000 && code < 2000 ? new PermanentTranscodeError(message) : new Error(message);
}
