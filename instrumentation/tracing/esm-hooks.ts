// ES modules cannot be patched after the fact the way require() results can: an application that
// `import`s koa or @grpc/grpc-js gets them instrumented only if a loader hook wraps them as they are
// loaded. import-in-the-middle provides that hook; it is registered for the instrumented modules
// only (every other module loads untouched), in-thread with module.registerHooks where Node supports
// it (>= 22.22.3 / 24.11.1), otherwise on the loader thread with module.register.
//
// Hooks see only modules loaded after registration, hence `--import .../register` for ESM apps:
// it runs before the application's own imports are resolved.
import { register as registerAsyncHooks } from 'node:module';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';

/** The modules the instrumentations patch; builtins are matched with and without `node:`. */
export const INSTRUMENTED_MODULES: readonly string[] = ['koa', '@grpc/grpc-js', 'http', 'https', 'undici'];

const REGISTERED = Symbol.for('tributary.instrumentation.esm-hooks');

export function registerEsmHooks(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[REGISTERED] === true) return;
  g[REGISTERED] = true;
  const include = [...INSTRUMENTED_MODULES];
  if (supportsSyncHooks()) {
    registerSyncHooks({ include });
  } else {
    registerAsyncHooks('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } });
  }
}
