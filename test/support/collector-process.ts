// Runs `tributary collector` as a real child process (SIGKILL and restart tests), on free ports,
// and stops only the process it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'tributary.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `tributary` subcommand running as a child process. */
export interface CliProcess<Ready> {
  readonly child: ChildProcess;
  /** The fields of the "started" log line. */
  readonly ready: Ready;
  /** Everything the process logged so far. */
  log(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns `tributary <args>` and resolves once it logged `readyMessage` (a JSON log line). A process
 * that exits or does not get there in time is killed and the start fails, so none is ever left behind.
 */
export async function spawnCli<Ready>(
  args: readonly string[],
  readyMessage: string,
  env: NodeJS.ProcessEnv = {},
  startTimeoutMs = 30_000,
): Promise<CliProcess<Ready>> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const marker = `"${readyMessage}"`;
  const starting = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} did not start within ${startTimeoutMs / 1000} s:\n${output}`)),
      startTimeoutMs,
    );
    const onData = () => {
      const line = output.split('\n').find((l) => l.includes(marker));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve(JSON.parse(line) as Ready);
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code} while starting:\n${output}`));
    });
  });
  let ready: Ready;
  try {
    ready = await starting;
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    child,
    ready,
    log: () => output,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface CollectorProcess {
  readonly child: ChildProcess;
  readonly forwardPort: number;
  readonly httpPort: number;
  /** Everything the collector logged so far. */
  log(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Writes `config.yaml` into `dir` and starts the collector on it; resolves once it logged "collector started". */
export async function startCollectorProcess(
  dir: string,
  configYaml: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CollectorProcess> {
  const configFile = join(dir, 'collector.yaml');
  await writeFile(configFile, configYaml);
  const p = await spawnCli<{ forward_port: number; http_port: number }>(
    ['collector', '-c', configFile],
    'collector started',
    env,
  );
  return { ...p, forwardPort: p.ready.forward_port, httpPort: p.ready.http_port };
}
