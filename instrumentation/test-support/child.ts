// Runs an example service (or any script) as a child process, as a deployment would, and stops only
// that process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PACKAGE_DIR = join(import.meta.dirname, '..');
export const REGISTER = join(PACKAGE_DIR, 'register.ts');

export interface Child {
  readonly process: ChildProcess;
  /** From the "<name> listening on <url>" line, when the script prints one. */
  readonly url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function startChild(
  script: string,
  options: { env?: NodeJS.ProcessEnv; register?: boolean; waitForListening?: boolean; cwd?: string } = {},
): Promise<Child> {
  const args = [...(options.register === false ? [] : ['--import', REGISTER]), script];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? PACKAGE_DIR,
    env: { ...process.env, NODE_ENV: 'test', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))),
  );
  let url = '';
  if (options.waitForListening !== false) {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} did not start within 20 s:\n${output}`)),
        20_000,
      );
      const check = () => {
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m?.[1] === undefined) return;
        clearTimeout(timer);
        child.stderr?.off('data', check);
        resolve(m[1]);
      };
      child.stderr?.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} while starting:\n${output}`));
      });
    }).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await exited;
      throw error;
    });
  }
  return {
    process: child,
    url,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
