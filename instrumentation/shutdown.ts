// SIGTERM (and SIGINT): flush spans and logs within the deadline, then let the process exit.
// - If this is the only handler for the signal, nothing else will end the process: stop, flush, and
//   re-raise the signal with the default action, so the exit looks as it would have (143 / 130).
//   A second signal during the flush finds no handler and ends the process at once.
// - If the application has its own handler (closing its server, say), the exit is its decision:
//   flush what there is now and keep working; it should `await shutdown()` before process.exit().
// - A process that simply runs out of work (a script) gets one flush on `beforeExit`.

export interface Stoppable {
  flush(timeoutMs: number): Promise<boolean>;
  shutdown(timeoutMs: number): Promise<boolean>;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Installs the handlers; returns a function that removes them. */
export function installShutdownHandlers(target: Stoppable, timeoutMs: number): () => void {
  let flushedAtExit = false;
  const remove = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) {
      void target.flush(timeoutMs);
      return;
    }
    remove();
    void target
      .shutdown(timeoutMs)
      .catch(() => false)
      .finally(() => process.kill(process.pid, signal));
  };
  const onBeforeExit = () => {
    if (flushedAtExit) return;
    flushedAtExit = true;
    void target.shutdown(timeoutMs).catch(() => false);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return remove;
}

/** Resolves `promise`'s outcome as true, or false once `ms` have passed or it rejects. */
export function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}
