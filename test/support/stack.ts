// The real local stack for integration tests: started on demand (once, under the stack's lock),
// and stopped at the end of the run only if this run started it (see test/global-setup.ts).
import { after, before } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import type { ServerName } from '../../cli/stack/server.ts';
import { stackDown, stackStatus, stackUp } from '../../cli/stack/stack.ts';
import { loadStackSettings } from '../../cli/stack/settings.ts';
import { deleteDataStreams } from './es.ts';

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

export interface StackSession {
  readonly endpoints: StackEndpoints;
  /** A client of the stack's Elasticsearch. */
  readonly es: Client;
}

/**
 * The stack for the tests of one file: brought up in a `before` hook with a client of its
 * Elasticsearch; in an `after` hook the data streams the file wrote (`dataStreams`, a pattern
 * unique to the run) are deleted and the client closed. Read its fields inside tests and hooks.
 */
export function stackSession(dataStreams: string): StackSession {
  let session: StackSession | undefined;
  before(async () => {
    const endpoints = await ensureStack();
    session = { endpoints, es: new Client({ node: endpoints.elasticsearchUrl }) };
  });
  after(async () => {
    if (session === undefined) return;
    await deleteDataStreams(session.es, dataStreams);
    await session.es.close();
  });
  const started = (): StackSession => {
    if (session === undefined) throw new Error('the stack session is read before its before() hook ran');
    return session;
  };
  return {
    get endpoints() {
      return started().endpoints;
    },
    get es() {
      return started().es;
    },
  };
}
