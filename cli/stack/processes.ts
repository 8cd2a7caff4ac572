// Start a server as its own process group, remember it in run.json, and stop exactly that group.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunRecord {
  name: string;
  pid: number;
  version: string;
  ports: number[];
  startedAt: string;
  logFile: string;
  /** A path that appears in the process's command line: guards against a recycled PID. */
  marker: string;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
}

export function launchDetached(spec: LaunchSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export async function readRunRecord(file: string): Promise<RunRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<RunRecord>;
    if (typeof parsed.pid !== 'number' || typeof parsed.marker !== 'string') return undefined;
    return parsed as RunRecord;
  } catch {
    // A run.json torn by a crash describes no process we can trust; treat it as absent.
    return undefined;
  }
}

export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  await writeFile(file, JSON.stringify(record, null, 2) + '\n');
}

export async function removeRunRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** True only if the PID is alive and is still the process we started (its command line names our marker). */
export function isOurProcess(record: Pick<RunRecord, 'pid' | 'marker'>): boolean {
  const line = commandLine(record.pid);
  if (line === undefined) return false;
  const status = readProcState(record.pid);
  if (status === 'Z' || status === 'X') return false;
  return line.includes(record.marker);
}

function readProcState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM the process group we started (the server and any child it forked, as Elasticsearch's
 * launcher does), then SIGKILL whatever is left after the grace period.
 */
export async function stopGroup(
  record: Pick<RunRecord, 'pid' | 'marker'>,
  graceMs: number,
): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isOurProcess(record)) return 'not-running';
  try {
    process.kill(-record.pid, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(record.pid)) return 'stopped';
    await sleep(200);
  }
  try {
    process.kill(-record.pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  while (groupAlive(record.pid)) await sleep(100);
  return 'killed';
}
