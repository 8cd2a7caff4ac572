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
  const child = spawn(process.execPath, [CLI, 'collector', '-c', configFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const starting = new Promise<{ forward_port: number; http_port: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`collector did not start within 30 s:\n${output}`)),
      30_000,
    );
    const onData = () => {
      const line = output.split('\n').find((l) => l.includes('"collector started"'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve(JSON.parse(line) as { forward_port: number; http_port: number });
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code} while starting:\n${output}`));
    });
  });
  let started: { forward_port: number; http_port: number };
  try {
    started = await starting;
  } catch (error) {
    // Never leave a half-started collector behind.
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    child,
    forwardPort: started.forward_port,
    httpPort: started.http_port,
    log: () => output,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
