// Zipkin 3 server (the exec jar), in-memory storage by default.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchJson, pinnedVersion, type ServerContext, type ServerDefinition } from '../server.ts';
import { StackError } from '../settings.ts';

export type ZipkinStorage = 'mem' | 'elasticsearch';

export function zipkinStorage(env: NodeJS.ProcessEnv = process.env): ZipkinStorage {
  const value = env.TRIBUTARY_ZIPKIN_STORAGE ?? 'mem';
  if (value !== 'mem' && value !== 'elasticsearch') {
    throw new StackError(
      `TRIBUTARY_ZIPKIN_STORAGE must be "mem" or "elasticsearch", got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

const jar = (context: ServerContext): string =>
  join(context.distDir, `zipkin-server-${pinnedVersion(context.settings, 'zipkin')}-exec.jar`);

export const zipkin: ServerDefinition = {
  name: 'zipkin',
  mavenGoal: 'copy-dependencies',
  startTimeoutMs: 90_000,
  ports: (s) => [{ port: s.ports.zipkin, purpose: 'Zipkin HTTP' }],
  mainPort: (s) => s.ports.zipkin,
  marker: (context) => `-Dtributary.stack.dir=${context.runDir}`,

  async prepare(context) {
    await mkdir(context.runDir, { recursive: true });
  },

  launch(context) {
    const storage = zipkinStorage();
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8', STORAGE_TYPE: storage };
    if (storage === 'mem') env.MEM_MAX_SPANS = '200000';
    else env.ES_HOSTS = `http://127.0.0.1:${context.settings.ports.elasticsearch}`;
    return {
      command: join(context.java.home, 'bin', 'java'),
      args: [
        '-Xms128m',
        '-Xmx512m',
        `-Dtributary.stack.dir=${context.runDir}`,
        '-jar',
        jar(context),
        `--armeria.ports[0].port=${context.settings.ports.zipkin}`,
        '--armeria.ports[0].ip=127.0.0.1',
        '--armeria.ports[0].protocols=http',
      ],
      env,
      cwd: context.runDir,
    };
  },

  async health(context) {
    const base = `http://127.0.0.1:${context.settings.ports.zipkin}`;
    try {
      const health = (await fetchJson(`${base}/health`)) as { status?: string };
      const info = (await fetchJson(`${base}/info`)) as { zipkin?: { version?: string } };
      const version = info.zipkin?.version;
      return {
        healthy: health.status === 'UP',
        detail: `status ${health.status ?? 'unknown'}`,
        ...(version ? { version } : {}),
      };
    } catch (error) {
      return { healthy: false, detail: (error as Error).message };
    }
  },
};
