// The real local stack for integration tests: started on demand (once, under the stack's lock),
// and stopped at the end of the run only if this run started it (see test/global-setup.ts).
import type { ServerName } from '../../cli/stack/server.ts';
import { stackDown, stackStatus, stackUp } from '../../cli/stack/stack.ts';
import { loadStackSettings } from '../../cli/stack/settings.ts';

export interface StackEndpoints {
  elasticsearchUrl: string;
  kafkaBrokers: string[];
  zipkinUrl: string;
  versions: Record<ServerName, string>;
}

export async function runningServers(): Promise<ServerName[]> {
  return (await stackStatus()).filter((s) => s.running).map((s) => s.name);
}

/** Brings the stack up if it is not running (idempotent) and says where each server listens. */
export async function ensureStack(): Promise<StackEndpoints> {
  const results = await stackUp();
  const { ports } = loadStackSettings();
  const versions = Object.fromEntries(results.map((r) => [r.name, r.version])) as Record<ServerName, string>;
  return {
    elasticsearchUrl: `http://127.0.0.1:${ports.elasticsearch}`,
    kafkaBrokers: [`127.0.0.1:${ports.kafka}`],
    zipkinUrl: `http://127.0.0.1:${ports.zipkin}`,
    versions,
  };
}

export async function stopServers(names: readonly ServerName[]): Promise<void> {
  if (names.length > 0) await stackDown({ only: names });
}
