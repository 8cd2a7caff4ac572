// `/api/v1/health` with `Health_Check On`: Fluent Bit samples the summed output `errors` and
// `retries_failed` once a second, keeps the samples of the last HC_Period, and reports unhealthy
// while the current total exceeds the oldest kept sample by MORE than the limit (health.c uses
// `>`, so `HC_Errors_Count 0` means "any error"). A sliding window, not a fixed bucket, so that a
// burst straddling two periods is not missed.

export interface HealthCheckOptions {
  enabled: boolean;
  errorsCount: number;
  retryFailureCount: number;
  periodSeconds: number;
}

export interface FailureTotals {
  errors: number;
  retriesFailed: number;
}

interface Sample extends FailureTotals {
  at: number;
}

/** Fluent Bit's sampling rate; shorter periods (tests) sample a few times per period instead. */
export function sampleIntervalMs(periodSeconds: number): number {
  return Math.max(10, Math.min(1000, (periodSeconds * 1000) / 4));
}

export class HealthWindow {
  readonly #options: HealthCheckOptions;
  readonly #read: () => FailureTotals;
  readonly #samples: Sample[] = [];

  constructor(options: HealthCheckOptions, read: () => FailureTotals) {
    this.#options = options;
    this.#read = read;
  }

  /** Records the current totals and forgets samples older than the period. */
  sample(now: number): void {
    this.#samples.push({ at: now, ...this.#read() });
    const oldest = now - this.#options.periodSeconds * 1000;
    let drop = 0;
    // Keep the newest sample even when the period is 0, so there is always a baseline.
    while (drop < this.#samples.length - 1 && (this.#samples[drop] as Sample).at < oldest) drop++;
    if (drop > 0) this.#samples.splice(0, drop);
  }

  /** Compares the live totals with the oldest sample in the window. */
  healthy(): boolean {
    if (!this.#options.enabled) return true;
    const base = this.#samples[0];
    if (base === undefined) return true;
    const now = this.#read();
    return (
      now.errors - base.errors <= this.#options.errorsCount &&
      now.retriesFailed - base.retriesFailed <= this.#options.retryFailureCount
    );
  }
}
