// What `stack up` checks before it starts anything, so that it fails with a message that names the cause.
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { accessSync, constants, realpathSync } from 'node:fs';
import { StackError } from './settings.ts';

const execFileAsync = promisify(execFile);

export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface JavaInfo {
  home: string;
  version: string;
  major: number;
}

export async function detectJava(env: NodeJS.ProcessEnv = process.env): Promise<JavaInfo> {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : findOnPath('java', env);
  if (java === undefined) {
    throw new StackError(
      'java not found: the local stack needs a Java 17+ runtime (set JAVA_HOME or put java on PATH; Debian: apt-get install openjdk-17-jdk-headless)',
    );
  }
  let output: string;
  try {
    const { stderr } = await execFileAsync(java, ['-XshowSettings:properties', '-version'], {
      timeout: 30_000,
    });
    output = stderr;
  } catch (error) {
    throw new StackError(`java at ${java} does not run: ${(error as Error).message}`);
  }
  const home = /java\.home = (.+)/.exec(output)?.[1]?.trim() ?? dirname(dirname(realpathSync(java)));
  const version = /java\.version = (.+)/.exec(output)?.[1]?.trim() ?? 'unknown';
  const major = Number(/java\.specification\.version = (\d+)/.exec(output)?.[1] ?? 0);
  if (major < 17) {
    throw new StackError(
      `java at ${java} is version ${version}; Elasticsearch 8, Kafka 3.9 and Zipkin 3 need Java 17 or newer`,
    );
  }
  return { home, version, major };
}

export function requireMaven(env: NodeJS.ProcessEnv = process.env): string {
  const mvn = findOnPath('mvn', env);
  if (mvn === undefined) {
    throw new StackError(
      'mvn not found on PATH: the first `stack up` downloads Elasticsearch, Kafka and Zipkin from Maven Central with Maven 3 (Debian: apt-get install maven)',
    );
  }
  return mvn;
}

/** Resolves to true when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export const MIN_FREE_BYTES = 2 * 1024 ** 3;

export async function checkDiskSpace(path: string, needBytes = MIN_FREE_BYTES): Promise<void> {
  const stats = await statfs(path);
  const free = stats.bavail * stats.bsize;
  if (free < needBytes) {
    const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
    throw new StackError(
      `out of disk: ${gib(free)} GiB free at ${path}; the local stack needs at least ${gib(needBytes)} GiB`,
    );
  }
}
