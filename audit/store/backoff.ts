export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortedError(String(signal.reason ?? 'aborted'));
}

/** Full jitter: uniform in [0, min(max, initial × 2^attempt)). */
export function backoffDelay(attempt: number, initial: number, max: number, random = Math.random): number {
  return Math.floor(random() * Math.min(max, initial * 2 ** Math.min(attempt, 30)));
}

export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const isAbort = (err: unknown): boolean => err instanceof Error && err.name === 'AbortError';

/**
 * Runs `fn` until it succeeds or `signal` aborts, with backoff between attempts: for reads whose
 * failure (Elasticsearch restarting, a timeout) says nothing about the data.
 */
export async function retrying<T>(
  what: string,
  fn: () => Promise<T>,
  options: {
    signal: AbortSignal;
    heartbeat?: (() => Promise<void>) | undefined;
    onError?: (what: string, err: unknown, attempt: number) => void;
    initial?: number;
    max?: number;
  },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn();
    } catch (err) {
      if (options.signal.aborted) throw new AbortedError();
      options.onError?.(what, err, attempt);
      await options.heartbeat?.();
      await sleep(backoffDelay(attempt, options.initial ?? 200, options.max ?? 10_000), options.signal);
    }
  }
}
