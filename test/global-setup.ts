// Runs once in the test runner's parent process (node --test-global-setup): prints the banner and,
// at the end, stops the servers of the local stack that this run started, and only those.
import type { ServerName } from '../cli/stack/server.ts';
import { runningServers, stopServers } from './support/stack.ts';

let runningBefore: ServerName[] = [];

export async function globalSetup(): Promise<void> {
  runningBefore = await runningServers();
  console.log(
    `# tributary tests on Node ${process.version} (${process.platform}/${process.arch}); local stack: ` +
      (runningBefore.length > 0
        ? `${runningBefore.join(', ')} already running, left as found`
        : 'started on demand, stopped after'),
  );
}

export async function globalTeardown(): Promise<void> {
  const startedByThisRun = (await runningServers()).filter((name) => !runningBefore.includes(name));
  await stopServers(startedByThisRun);
}
