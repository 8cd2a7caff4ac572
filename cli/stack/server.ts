// The contract every local server (Elasticsearch, Kafka, Zipkin) fulfils for the stack launcher.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JavaInfo } from './preflight.ts';
import type { LaunchSpec } from './processes.ts';
import type { StackSettings } from './settings.ts';

export type ServerName = 'elasticsearch' | 'kafka' | 'zipkin';

export interface ServerContext {
  settings: StackSettings;
  java: JavaInfo;
  /** Unpacked artifacts of this server's pinned version (read-only once installed). */
  distDir: string;
  /** This server's data, config and logs under the state root. */
  runDir: string;
  logFile: string;
}

export interface ServerHealth {
  healthy: boolean;
  detail: string;
  /** The version the running server reports about itself. */
  version?: string;
}

export interface ServerDefinition {
  name: ServerName;
  /** Maven goal that materialises the artifacts: an unpacked zip or a folder of jars. */
  mavenGoal: 'unpack-dependencies' | 'copy-dependencies';
  ports(settings: StackSettings): { port: number; purpose: string }[];
  mainPort(settings: StackSettings): number;
  /** Writes config files and formats storage; idempotent. */
  prepare(context: ServerContext): Promise<void>;
  launch(context: ServerContext): Omit<LaunchSpec, 'logFile'>;
  /** A path present in the server process's command line; proves a PID is still ours. */
  marker(context: ServerContext): string;
  health(context: ServerContext): Promise<ServerHealth>;
  startTimeoutMs: number;
}

/** The pinned version lives in the server's Maven descriptor, so the pom stays the one source of truth. */
export function pinnedVersion(settings: StackSettings, name: ServerName): string {
  const pomFile = join(settings.descriptors, name, 'pom.xml');
  const pom = readFileSync(pomFile, 'utf8');
  const version = /<server\.version>([^<]+)<\/server\.version>/.exec(pom)?.[1]?.trim();
  if (version === undefined || version === '') throw new Error(`${pomFile} has no <server.version> property`);
  return version;
}

export async function fetchJson(url: string, timeoutMs = 2_000): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}
