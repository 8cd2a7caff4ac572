import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'tributary.js');

/** Runs `tributary audit <args>` and waits for it. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, 'audit', ...args], { encoding: 'utf8', env, timeout: 120_000 });
}
