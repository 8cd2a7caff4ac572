// Elasticsearch from Elastic's integ-test-zip distribution: a real server with few modules (see deploy/local/README.md).
import { chown, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../preflight.ts';
import { fetchJson, pinnedVersion, type ServerContext, type ServerDefinition } from '../server.ts';
import { StackError } from '../settings.ts';

/** Elasticsearch refuses to run as root; root starts it as this unprivileged user (nobody). */
const UNPRIVILEGED_ID = 65534;

const runningAsRoot = (): boolean => process.getuid?.() === 0;

function esHome(context: ServerContext): string {
  return join(context.distDir, `elasticsearch-${pinnedVersion(context.settings, 'elasticsearch')}`);
}

async function chownTree(path: string): Promise<void> {
  await chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child);
    else await chown(child, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  }
}

export const elasticsearch: ServerDefinition = {
  name: 'elasticsearch',
  mavenGoal: 'unpack-dependencies',
  startTimeoutMs: 180_000,
  ports: (s) => [
    { port: s.ports.elasticsearch, purpose: 'Elasticsearch HTTP' },
    { port: s.ports.elasticsearchTransport, purpose: 'Elasticsearch transport' },
  ],
  mainPort: (s) => s.ports.elasticsearch,
  // Passed as a launcher argument so it is in the command line from setpriv, through bash, to java.
  marker: (context) => `-Epath.data=${join(context.runDir, 'data')}`,

  async prepare(context) {
    const config = join(context.runDir, 'config');
    for (const dir of ['data', 'logs', 'tmp']) await mkdir(join(context.runDir, dir), { recursive: true });
    if (!existsSync(join(config, 'jvm.options'))) {
      await cp(join(esHome(context), 'config'), config, { recursive: true });
    }
    const { ports } = context.settings;
    await writeFile(
      join(config, 'elasticsearch.yml'),
      [
        '# Written by `tributary stack up` on every start; edit deploy/local or the TRIBUTARY_* env instead.',
        'cluster.name: tributary-local',
        'node.name: tributary-local',
        'discovery.type: single-node',
        'network.host: 127.0.0.1',
        `http.port: ${ports.elasticsearch}`,
        `transport.port: ${ports.elasticsearchTransport}`,
        `path.data: ${join(context.runDir, 'data')}`,
        `path.logs: ${join(context.runDir, 'logs')}`,
        'xpack.security.enabled: false',
        // A developer disk at 90% must not turn every index read-only in the middle of a test.
        'cluster.routing.allocation.disk.threshold_enabled: false',
        '',
      ].join('\n'),
    );
    await writeFile(join(config, 'jvm.options.d', 'heap.options'), '-Xms1g\n-Xmx1g\n');
    if (runningAsRoot()) {
      // Elasticsearch writes its own data as the unprivileged user; only what root created needs handing over.
      await chownTree(config);
      for (const dir of ['', 'data', 'logs', 'tmp'])
        await chown(join(context.runDir, dir), UNPRIVILEGED_ID, UNPRIVILEGED_ID);
    }
  },

  launch(context) {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: context.runDir,
      ES_JAVA_HOME: context.java.home,
      ES_PATH_CONF: join(context.runDir, 'config'),
      ES_TMPDIR: join(context.runDir, 'tmp'),
    };
    const script = [join(esHome(context), 'bin', 'elasticsearch'), elasticsearch.marker(context)];
    if (!runningAsRoot()) return { command: 'bash', args: script, env, cwd: context.runDir };
    const setpriv = findOnPath('setpriv');
    if (setpriv === undefined) {
      throw new StackError(
        'Elasticsearch cannot run as root and setpriv (util-linux) was not found to drop to an unprivileged user',
      );
    }
    return {
      command: setpriv,
      args: [
        `--reuid=${UNPRIVILEGED_ID}`,
        `--regid=${UNPRIVILEGED_ID}`,
        '--clear-groups',
        '--',
        'bash',
        ...script,
      ],
      env,
      cwd: context.runDir,
    };
  },

  async health(context) {
    const base = `http://127.0.0.1:${context.settings.ports.elasticsearch}`;
    try {
      const health = (await fetchJson(`${base}/_cluster/health`)) as { status?: string };
      const nodes = (await fetchJson(`${base}/_nodes/_local?filter_path=nodes.*.version`)) as {
        nodes?: Record<string, { version?: string }>;
      };
      const version = Object.values(nodes.nodes ?? {})[0]?.version;
      const healthy = health.status === 'green' || health.status === 'yellow';
      return { healthy, detail: `cluster ${health.status ?? 'unknown'}`, ...(version ? { version } : {}) };
    } catch (error) {
      return { healthy: false, detail: (error as Error).message };
    }
  },
};
