// Runs `tributary audit serve` as a real child process (SIGKILL and rebalance tests), with the
// same launcher as the collector and agent tests; stops only what it started.
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnCli } from '../../test/support/collector-process.ts';

export interface AuditProcess {
  readonly child: ChildProcess;
  readonly httpPort: number | null;
  log(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Writes the config into `dir` and starts `audit serve` on it; resolves once it logged "audit service started". */
export async function startAuditProcess(
  dir: string,
  name: string,
  configText: string,
): Promise<AuditProcess> {
  const configFile = join(dir, `${name}.yaml`);
  await writeFile(configFile, configText);
  const p = await spawnCli<{ http_port: number | null }>(
    ['audit', 'serve', '-c', configFile],
    'audit service started',
    {},
    60_000,
  );
  return { ...p, httpPort: p.ready.http_port };
}
