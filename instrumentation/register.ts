// Zero-code start-up, configured by the environment (see README):
//   node --import @tributary/instrumentation/register app.js
// The ESM loader hooks go in first; init.ts is imported only afterwards because it loads the
// OpenTelemetry SDK, and everything instrumented must load after the hooks.
import { registerEsmHooks } from './tracing/esm-hooks.ts';

registerEsmHooks();
const { init } = await import('./init.ts');
init();
