// `tributary stack up | down | status | logs`: the real Elasticsearch, Kafka and Zipkin on 127.0.0.1.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { distDirOf, install } from './install.ts';
import { withLock } from './lock.ts';
import { checkDiskSpace, detectJava, portIsFree, type JavaInfo } from './preflight.ts';
import {
  isOurProcess,
  launchDetached,
  readRunRecord,
  removeRunRecord,
  stopGroup,
  writeRunRecord,
  type RunRecord,
} from './processes.ts';
import {
  pinnedVersion,
  type ServerContext,
  type ServerDefinition,
  type ServerHealth,
  type ServerName,
} from './server.ts';
import { elasticsearch } from './servers/elasticsearch.ts';
import { kafka } from './servers/kafka.ts';
import { zipkin } from './servers/zipkin.ts';
import { loadStackSettings, StackError, type StackSettings } from './settings.ts';

export const SERVERS: readonly ServerDefinition[] = [elasticsearch, kafka, zipkin];
export const SERVER_NAMES: readonly ServerName[] = SERVERS.map((s) => s.name);

export interface StackOptions {
  settings?: StackSettings;
  only?: readonly ServerName[];
  log?: (line: string) => void;
}

export interface ServerStatus {
  name: ServerName;
  pinnedVersion: string;
  running: boolean;
  pid?: number;
  port: number;
  health?: ServerHealth;
  logFile: string;
}

/** Health checks talk HTTP/Kafka only, so status works on a machine without java. */
const NO_JAVA: JavaInfo = { home: '', version: '', major: 0 };
const LOCK_TIMEOUT_MS = 15 * 60_000;
const STOP_GRACE_MS = 30_000;

function selected(options: StackOptions): ServerDefinition[] {
  const only = options.only;
  return only === undefined ? [...SERVERS] : SERVERS.filter((s) => only.includes(s.name));
}

function runDirOf(settings: StackSettings, server: ServerDefinition): string {
  return join(settings.root, server.name);
}

function contextFor(settings: StackSettings, server: ServerDefinition, java: JavaInfo): ServerContext {
  const runDir = runDirOf(settings, server);
  return {
    settings,
    java,
    distDir: distDirOf(settings, server),
    runDir,
    logFile: join(runDir, 'server.log'),
  };
}

const runFile = (settings: StackSettings, server: ServerDefinition): string =>
  join(runDirOf(settings, server), 'run.json');

async function runningRecord(
  settings: StackSettings,
  server: ServerDefinition,
): Promise<RunRecord | undefined> {
  const record = await readRunRecord(runFile(settings, server));
  return record !== undefined && isOurProcess(record) ? record : undefined;
}

async function waitHealthy(
  context: ServerContext,
  server: ServerDefinition,
  record: RunRecord,
): Promise<ServerHealth> {
  const deadline = Date.now() + server.startTimeoutMs;
  let last: ServerHealth = { healthy: false, detail: 'not checked yet' };
  while (Date.now() < deadline) {
    last = await server.health(context);
    if (last.healthy) return last;
    if (!isOurProcess(record)) {
      throw new StackError(
        `${server.name} exited while starting; last lines of ${context.logFile}:\n${await tail(context.logFile, 20)}`,
      );
    }
    await sleep(500);
  }
  throw new StackError(
    `${server.name} did not become healthy within ${server.startTimeoutMs / 1000} s (${last.detail}); see ${context.logFile}`,
  );
}

export async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

export interface UpResult {
  name: ServerName;
  version: string;
  port: number;
  pid: number;
  started: boolean;
  seconds: number;
}

/** Idempotent: servers already running (and ours) are only health-checked. Nothing starts if a port is taken. */
export async function stackUp(options: StackOptions = {}): Promise<UpResult[]> {
  const settings = options.settings ?? loadStackSettings();
  const log = options.log ?? (() => undefined);
  const servers = selected(options);
  await mkdir(settings.root, { recursive: true, mode: 0o755 });
  return withLock(join(settings.root, 'stack.lock'), LOCK_TIMEOUT_MS, async () => {
    const java = await detectJava();
    const toStart: ServerDefinition[] = [];
    const problems: string[] = [];
    for (const server of servers) {
      if (await runningRecord(settings, server)) continue;
      toStart.push(server);
      for (const { port, purpose } of server.ports(settings)) {
        if (!(await portIsFree(port))) {
          problems.push(`port ${port} (${purpose}) is already in use by a process tributary did not start`);
        }
      }
    }
    if (problems.length > 0)
      throw new StackError(`cannot start the local stack:\n  ${problems.join('\n  ')}`);
    if (toStart.length > 0) await checkDiskSpace(settings.root);
    for (const server of toStart) await install(settings, server, log);

    const started = Date.now();
    const launches = await Promise.all(
      servers.map(async (server) => {
        const context = contextFor(settings, server, java);
        const existing = await runningRecord(settings, server);
        if (existing) return { server, context, record: existing, fresh: false };
        await mkdir(context.runDir, { recursive: true, mode: 0o755 });
        await server.prepare(context);
        const pid = launchDetached({ ...server.launch(context), logFile: context.logFile });
        const record: RunRecord = {
          name: server.name,
          pid,
          version: pinnedVersion(settings, server.name),
          ports: server.ports(settings).map((p) => p.port),
          startedAt: new Date().toISOString(),
          logFile: context.logFile,
          marker: server.marker(context),
        };
        await writeRunRecord(runFile(settings, server), record);
        log(`${server.name}: starting (pid ${pid}) on 127.0.0.1:${server.mainPort(settings)}`);
        return { server, context, record, fresh: true };
      }),
    );

    const results = await Promise.allSettled(
      launches.map(async ({ server, context, record, fresh }) => {
        const health = await waitHealthy(context, server, record);
        const seconds = (Date.now() - started) / 1000;
        const version = health.version ?? record.version;
        log(
          `${server.name} ${version}: ${fresh ? `healthy after ${seconds.toFixed(1)} s` : 'already running'} (${health.detail})`,
        );
        return {
          name: server.name,
          version,
          port: server.mainPort(settings),
          pid: record.pid,
          started: fresh,
          seconds,
        };
      }),
    );
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ reason: r.reason as Error, launch: launches[i] }] : [],
    );
    if (failures.length > 0) {
      // A server that failed to come up is stopped, so the next `up` starts from a clean slate.
      for (const { launch } of failures) {
        if (launch?.fresh) {
          await stopGroup(launch.record, STOP_GRACE_MS);
          await removeRunRecord(runFile(settings, launch.server));
        }
      }
      throw new StackError(failures.map((f) => f.reason.message).join('\n'));
    }
    return results.map((r) => (r as PromiseFulfilledResult<UpResult>).value);
  });
}

export interface DownResult {
  name: ServerName;
  outcome: 'stopped' | 'killed' | 'not-running';
  pid?: number;
}

/** Stops exactly the process groups recorded in run.json, and nothing else. Idempotent. */
export async function stackDown(options: StackOptions = {}): Promise<DownResult[]> {
  const settings = options.settings ?? loadStackSettings();
  const log = options.log ?? (() => undefined);
  await mkdir(settings.root, { recursive: true, mode: 0o755 });
  return withLock(join(settings.root, 'stack.lock'), LOCK_TIMEOUT_MS, async () =>
    Promise.all(
      selected(options).map(async (server): Promise<DownResult> => {
        const record = await readRunRecord(runFile(settings, server));
        if (record === undefined) {
          log(`${server.name}: not running`);
          return { name: server.name, outcome: 'not-running' };
        }
        const outcome = await stopGroup(record, STOP_GRACE_MS);
        await removeRunRecord(runFile(settings, server));
        log(
          `${server.name}: ${outcome === 'not-running' ? 'not running' : `${outcome} (pid ${record.pid})`}`,
        );
        return { name: server.name, outcome, pid: record.pid };
      }),
    ),
  );
}

export async function stackStatus(options: StackOptions = {}): Promise<ServerStatus[]> {
  const settings = options.settings ?? loadStackSettings();
  return Promise.all(
    selected(options).map(async (server): Promise<ServerStatus> => {
      const context = contextFor(settings, server, NO_JAVA);
      const record = await runningRecord(settings, server);
      const base = {
        name: server.name,
        pinnedVersion: pinnedVersion(settings, server.name),
        port: server.mainPort(settings),
        logFile: context.logFile,
      };
      if (record === undefined) return { ...base, running: false };
      return { ...base, running: true, pid: record.pid, health: await server.health(context) };
    }),
  );
}

export function logFileOf(name: ServerName, settings: StackSettings = loadStackSettings()): string {
  const server = SERVERS.find((s) => s.name === name);
  if (server === undefined)
    throw new StackError(`unknown server ${name}; expected one of ${SERVER_NAMES.join(', ')}`);
  return join(runDirOf(settings, server), 'server.log');
}
