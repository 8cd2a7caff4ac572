// Open-loop load at a steady rate: one request every 1/rate s, whether or not earlier ones have
// answered, over a pool of keep-alive connections. Latency is from the moment a request is handed
// to the pool to the end of its response, so time spent queued behind a slow or paused server
// counts; how late the generator's own timers fired is reported apart (`maxLagMs`), not added.
//
// autocannon's `overallRate` is not this: each connection sends back to back until it has made its
// share of the second, then waits for the next second, so "1000 req/s" is a burst at full speed
// for the first part of every second and the latencies it records are saturation latencies.
import { Agent, request } from 'node:http';

export interface PacedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PacedResult {
  /** Response times in ms, in completion order; `count` of them are set. */
  latencies: Float64Array;
  count: number;
  /** Transport errors and non-2xx answers. */
  errors: number;
  /** How far behind schedule the generator itself fell at worst, in ms (a busy load generator). */
  maxLagMs: number;
}

export function pacedLoad(
  url: string,
  rate: number,
  seconds: number,
  requests: readonly PacedRequest[],
  connections: number,
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total);
  let count = 0;
  let errors = 0;
  let sent = 0;
  let settled = 0;
  let maxLagMs = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    const settle = (sentAt: number, ok: boolean) => {
      if (ok) latencies[count++] = performance.now() - sentAt;
      else errors++;
      if (++settled === total) {
        agent.destroy();
        resolve({ latencies, count, errors, maxLagMs });
      }
    };
    const send = (spec: PacedRequest) => {
      const sentAt = performance.now();
      let settledThis = false; // a reset mid-response can report both an error and an end
      const once = (ok: boolean) => {
        if (settledThis) return;
        settledThis = true;
        settle(sentAt, ok);
      };
      const req = request(
        `${url}${spec.path}`,
        { method: spec.method, headers: spec.headers, agent },
        (res) => {
          const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
          res.resume();
          res.once('end', () => once(ok));
          res.once('error', () => once(false));
        },
      );
      req.once('error', () => once(false));
      req.end(spec.body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + sent * intervalMs));
        send(requests[sent % requests.length] as PacedRequest);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    if (total === 0) resolve({ latencies, count, errors, maxLagMs });
    else tick();
  });
}
