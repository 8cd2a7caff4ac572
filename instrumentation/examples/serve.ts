// Shared start-up of the example entry points. EXAMPLE_MODE picks how much instrumentation runs:
//   full (default)  the package's koa middleware (access log, audit) and logger
//   tracing         the package is loaded (so `--import .../register` traces) but emits no events
//   plain           the package is not loaded at all (the benchmark's baseline)
// EXAMPLE_WORK_US makes each inventory request burn that much CPU, as a handler doing real work would.
import type Koa from 'koa';
import type { AppInstrumentation } from './apps.ts';
import { userOf } from './apps.ts';

export type ExampleMode = 'full' | 'tracing' | 'plain';

export function exampleMode(env: NodeJS.ProcessEnv = process.env): ExampleMode {
  const mode = env['EXAMPLE_MODE'] ?? 'full';
  if (mode === 'full' || mode === 'tracing' || mode === 'plain') return mode;
  throw new Error(`EXAMPLE_MODE=${mode}: use full, tracing or plain`);
}

/** EXAMPLE_WORK_US: CPU each inventory request burns on top of its handler (the benchmark's `--work-us`). */
export function exampleWorkMicros(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['EXAMPLE_WORK_US'] ?? '0';
  const micros = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(micros) || micros < 0 || micros > 1_000_000)
    throw new Error(`EXAMPLE_WORK_US=${value}: use a whole number of microseconds from 0 to 1000000`);
  return micros;
}

/** The package's pieces for the app, loaded only when the mode asks for them. */
export async function instrumentation(
  mode: ExampleMode,
  auditMutations: boolean,
): Promise<AppInstrumentation> {
  if (mode !== 'full') {
    if (mode === 'tracing') await import('@tributary/instrumentation');
    return {};
  }
  const { koaMiddleware, logger, audit } = await import('@tributary/instrumentation');
  return {
    middleware: [
      koaMiddleware({
        ignorePaths: ['/healthz'],
        ...(auditMutations ? { audit: { actor: (ctx) => userOf(ctx) } } : {}),
      }),
    ],
    log: (message, fields) => logger.info(message, fields),
    audit: (event) => audit(event),
  };
}

export async function listen(name: string, app: Koa, defaultPort: number): Promise<void> {
  const host = process.env['HOST'] ?? '127.0.0.1';
  const port = Number(process.env['PORT'] ?? defaultPort);
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  // Parsed by the tests and the demo: keep the shape.
  process.stderr.write(`${name} listening on http://${host}:${actual}\n`);
}
