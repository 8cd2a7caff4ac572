// POSTs new alerts to the configured webhooks, in the background, with retry. A receiver sees an
// alert at least once per delivery attempt that it acknowledged; `Idempotency-Key` is the alert id,
// so it can drop repeats.
import type { Logger } from '../../common/log/logger.ts';
import type { WebhookConfig } from '../config.ts';
import { backoffDelay, isAbort, sleep } from '../store/backoff.ts';

export type DeliveryResult = 'delivered' | 'failed';

export class WebhookNotifier {
  readonly #hooks: readonly WebhookConfig[];
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #onResult: (result: DeliveryResult | 'retry', url: string) => void;

  constructor(
    hooks: readonly WebhookConfig[],
    logger: Logger,
    onResult: (result: DeliveryResult | 'retry', url: string) => void = () => undefined,
  ) {
    this.#hooks = hooks;
    this.#logger = logger;
    this.#onResult = onResult;
  }

  get pending(): number {
    return this.#pending.size;
  }

  notify(alertId: string, body: object): void {
    const payload = JSON.stringify(body);
    for (const hook of this.#hooks) {
      const p = this.#deliver(hook, alertId, payload).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  async #deliver(hook: WebhookConfig, alertId: string, payload: string): Promise<void> {
    const signal = this.#stop.signal;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': alertId,
            ...(hook.bearer_token === undefined ? {} : { authorization: `Bearer ${hook.bearer_token}` }),
          },
          body: payload,
          signal: AbortSignal.any([signal, AbortSignal.timeout(hook.timeout)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.#onResult('delivered', hook.url);
          return;
        }
        problem = `HTTP ${res.status}`;
        // Other 4xx say the request itself is wrong: repeating it will not help.
        if (res.status < 500 && res.status !== 429 && res.status !== 408) attempt = hook.max_attempts;
      } catch (err) {
        if (signal.aborted) return;
        problem = err instanceof Error ? err.message : String(err);
      }
      if (attempt >= hook.max_attempts) {
        this.#onResult('failed', hook.url);
        this.#logger.error('alert webhook failed; the alert stays in the alerts stream', {
          url: hook.url,
          alert: alertId,
          attempts: attempt,
          error: problem,
        });
        return;
      }
      this.#onResult('retry', hook.url);
      try {
        await sleep(backoffDelay(attempt - 1, hook.initial_backoff, 60_000), signal);
      } catch (err) {
        if (isAbort(err)) return;
        throw err;
      }
    }
  }

  /** Waits for deliveries in progress, at most `graceMs`, then abandons the rest. */
  async close(graceMs: number): Promise<void> {
    const all = Promise.allSettled([...this.#pending]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.#stop.abort();
    await all;
  }
}
