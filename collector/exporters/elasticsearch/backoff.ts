import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What `write` rejects with when its signal aborts: named `AbortError` like the platform's, so
 * callers can test `err.name === 'AbortError'`. `cause` is the signal's reason.
 */
export class SinkAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'Elasticsearch write aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function abortError(signal: AbortSignal): SinkAbortedError {
  return new SinkAbortedError('Elasticsearch write aborted', { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/**
 * "Full jitter" (AWS architecture blog): uniform in [0, min(max, initial * 2^(attempt-1))]. Many
 * collectors hitting one overloaded cluster then spread out instead of retrying in lockstep.
 */
export function backoffDelay(attempt: number, initial: number, max: number, random = Math.random): number {
  const cap = Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return Math.floor(random() * cap);
}

/** Sleeps `ms`, rejecting with `SinkAbortedError` as soon as `signal` aborts. */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (signal.aborted) throw abortError(signal);
    throw err;
  }
}

/** `promise`, or a `SinkAbortedError` as soon as `signal` aborts (the promise itself goes on). */
export async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
