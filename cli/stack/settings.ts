// Where the local stack keeps its artifacts and runtime state, and which ports it uses.
// Every value can be overridden by environment so that tests can run a second, isolated stack.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface StackPorts {
  elasticsearch: number;
  elasticsearchTransport: number;
  kafka: number;
  kafkaController: number;
  zipkin: number;
}

export interface StackSettings {
  /** Holds one folder per server (data, logs, run.json) and the lock file. */
  root: string;
  /** Unpacked artifacts, shared by every state folder so a second stack needs no download. */
  distRoot: string;
  ports: StackPorts;
  /** Folder with the pinned Maven descriptors (deploy/local). */
  descriptors: string;
}

export class StackError extends Error {
  override name = 'StackError';
}

const DEFAULT_PORTS: StackPorts = {
  elasticsearch: 9200,
  elasticsearchTransport: 9300,
  kafka: 9092,
  kafkaController: 9093,
  zipkin: 9411,
};

const PORT_ENV: Record<keyof StackPorts, string> = {
  elasticsearch: 'TRIBUTARY_ES_PORT',
  elasticsearchTransport: 'TRIBUTARY_ES_TRANSPORT_PORT',
  kafka: 'TRIBUTARY_KAFKA_PORT',
  kafkaController: 'TRIBUTARY_KAFKA_CONTROLLER_PORT',
  zipkin: 'TRIBUTARY_ZIPKIN_PORT',
};

export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackError(`${what} must be a TCP port between 1 and 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/**
 * Root runs Elasticsearch as `nobody` (Elasticsearch refuses to run as root), so its state must live
 * where `nobody` can traverse: /var/lib rather than /root/.cache.
 */
function defaultRoot(env: NodeJS.ProcessEnv): string {
  if (process.getuid?.() === 0) return '/var/lib/tributary/stack';
  const stateHome = env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return join(stateHome, 'tributary', 'stack');
}

export function loadStackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const root = resolve(env.TRIBUTARY_STACK_DIR ?? defaultRoot(env));
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(PORT_ENV) as (keyof StackPorts)[]) {
    const name = PORT_ENV[key];
    const value = env[name];
    if (value !== undefined && value !== '') ports[key] = parsePort(value, name);
  }
  return {
    root,
    distRoot: resolve(env.TRIBUTARY_STACK_DIST_DIR ?? join(defaultRoot(env), 'dist')),
    ports,
    descriptors: resolve(import.meta.dirname, '..', '..', 'deploy', 'local'),
  };
}
