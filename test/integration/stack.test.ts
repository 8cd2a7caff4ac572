// `tributary stack` as a user runs it: idempotent up, status, a taken port, and a down that stops only its own PIDs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureStack } from '../support/stack.ts';
import { stackDown, stackUp } from '../../cli/stack/stack.ts';
import { isOurProcess, readRunRecord } from '../../cli/stack/processes.ts';
import { loadStackSettings } from '../../cli/stack/settings.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'tributary.js');

async function tributary(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 300_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: Server): number => (server.address() as { port: number }).port;

before(async () => {
  await ensureStack();
});

test('status shows three healthy servers with their real versions', async (t) => {
  const result = await tributary(['stack', 'status', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const statuses = JSON.parse(result.stdout) as {
    name: string;
    running: boolean;
    health?: { healthy: boolean; version?: string };
  }[];
  assert.deepEqual(
    statuses.map((s) => s.name),
    ['elasticsearch', 'kafka', 'zipkin'],
  );
  for (const s of statuses) {
    assert.equal(s.running, true, s.name);
    assert.equal(s.health?.healthy, true, s.name);
  }
  const version = (name: string) => statuses.find((s) => s.name === name)?.health?.version ?? '';
  assert.match(version('elasticsearch'), /^8\./);
  assert.match(version('kafka'), /^3\.9\./);
  assert.match(version('zipkin'), /^3\./);
  t.diagnostic(statuses.map((s) => `${s.name} ${s.health?.version}`).join(', '));
});

test('a second up starts nothing: same PIDs, reported as already running', async () => {
  const settings = loadStackSettings();
  const before = await readRunRecord(join(settings.root, 'elasticsearch', 'run.json'));
  const result = await tributary(['stack', 'up']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /elasticsearch 8\.[\d.]+: already running/);
  assert.match(result.stdout, /kafka 3\.9\.[\d.]+: already running/);
  assert.match(result.stdout, /zipkin 3\.[\d.]+: already running/);
  const after = await readRunRecord(join(settings.root, 'elasticsearch', 'run.json'));
  assert.equal(after?.pid, before?.pid);
});

test('up with a port already taken fails naming the port, and starts nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-stack-'));
  const taken = await listen();
  const free = [await listen(), await listen(), await listen(), await listen()];
  const freePorts = free.map(portOf);
  await Promise.all(free.map((s) => new Promise((r) => s.close(r))));
  t.after(async () => {
    taken.close();
    await rm(dir, { recursive: true, force: true });
  });
  const env = {
    ...process.env,
    TRIBUTARY_STACK_DIR: dir,
    TRIBUTARY_ES_PORT: String(portOf(taken)),
    TRIBUTARY_ES_TRANSPORT_PORT: String(freePorts[0]),
    TRIBUTARY_KAFKA_PORT: String(freePorts[1]),
    TRIBUTARY_KAFKA_CONTROLLER_PORT: String(freePorts[2]),
    TRIBUTARY_ZIPKIN_PORT: String(freePorts[3]),
  };
  const result = await tributary(['stack', 'up'], env);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`port ${portOf(taken)} \\(Elasticsearch HTTP\\) is already in use`));
  const leftovers = existsSync(dir) ? await readdir(dir) : [];
  assert.deepEqual(
    leftovers.filter((f) => f !== 'stack.lock' && f !== 'dist'),
    [],
    'no server folder was created',
  );
});

test('down stops exactly the PIDs its up started, and is idempotent (isolated Zipkin)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-stack-'));
  const port = await listen();
  const zipkinPort = portOf(port);
  await new Promise((r) => port.close(r));
  const settings = loadStackSettings({
    ...process.env,
    TRIBUTARY_STACK_DIR: dir,
    TRIBUTARY_ZIPKIN_PORT: String(zipkinPort),
  });
  t.after(async () => {
    await stackDown({ settings, only: ['zipkin'] });
    await rm(dir, { recursive: true, force: true });
  });
  const main = await readRunRecord(join(loadStackSettings().root, 'zipkin', 'run.json'));
  const [up] = await stackUp({ settings, only: ['zipkin'] });
  assert.ok(up?.started);
  const record = await readRunRecord(join(dir, 'zipkin', 'run.json'));
  assert.ok(record && isOurProcess(record));

  const down = await stackDown({ settings, only: ['zipkin'] });
  assert.deepEqual(down, [{ name: 'zipkin', outcome: 'stopped', pid: record.pid }]);
  assert.equal(isOurProcess(record), false);
  assert.ok(main && isOurProcess(main), "the main stack's Zipkin is untouched");
  assert.deepEqual(await stackDown({ settings, only: ['zipkin'] }), [
    { name: 'zipkin', outcome: 'not-running' },
  ]);
});
