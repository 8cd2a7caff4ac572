// Runs `tributary agent` as a real child process (SIGKILL tests, benchmarks) and reads its
// monitoring API. Stops only the process it started.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricsSnapshot } from '../../agent/engine/types.ts';
import { spawnCli } from './collector-process.ts';
import type { CliProcess } from './collector-process.ts';

export interface AgentProcess extends CliProcess<{ http?: number }> {
  /** `/api/v1/metrics` (the config must set `HTTP_Server On`). */
  metrics(): Promise<MetricsSnapshot>;
}

/** Writes `agent.conf` into `dir` and starts the agent; resolves once it logged "agent started". */
export async function startAgentProcess(
  dir: string,
  config: string,
  env: NodeJS.ProcessEnv = {},
): Promise<AgentProcess> {
  const file = join(dir, 'agent.conf');
  await writeFile(file, config);
  const p = await spawnCli<{ http?: number }>(['agent', '-c', file], 'agent started', env);
  return {
    ...p,
    metrics: async () => {
      if (p.ready.http === undefined) throw new Error('the agent runs without HTTP_Server');
      const res = await fetch(`http://127.0.0.1:${p.ready.http}/api/v1/metrics`);
      return (await res.json()) as MetricsSnapshot;
    },
  };
}
