import { z } from 'zod';
import { duration } from '../../common/config/index.ts';

/**
 * `retry` in every exporter's config: one meaning everywhere (durations; a bare number is seconds,
 * as in Fluent Bit and the rest of collector.yaml). `what` names the transient failures retried.
 */
export function retryConfigSchema(what: string) {
  return z
    .strictObject({
      initial_backoff: duration()
        .prefault('100ms')
        .refine((n) => n > 0, 'initial_backoff must be > 0')
        .describe('Ceiling of the first retry delay; doubles on each retry, with full jitter.'),
      max_backoff: duration()
        .prefault('30s')
        .refine((n) => n > 0, 'max_backoff must be > 0')
        .describe('Largest ceiling of a retry delay. Retries go on until the pipeline aborts the send.'),
    })
    .prefault({})
    .describe(`Backoff for transient failures (${what}).`);
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): the delay before retry n is uniform in [0, min(max, initial × 2^n)). Full jitter
 * rather than equal jitter because many collector replicas retrying against one recovering
 * server must not arrive in lock-step.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  // 2^attempt overflows to Infinity after ~1024 attempts; min() keeps that harmless.
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 64));
  return Math.random() * ceiling;
}

/** The error a send rejects with when its signal aborts: the signal's own reason, as fetch does. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'This operation was aborted', 'AbortError');
}

/** Resolves after `ms`, or rejects with the abort error as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
