// `tributary agent` as users run it: --dry-run, the monitoring API on a real port, SIGHUP reload
// (a bad config keeps the running pipeline), SIGTERM with Grace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgentProcess } from '../support/agent-process.ts';
import { freePort } from '../support/collector-process.ts';

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'tributary.js');
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function send(port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(text, () => resolve()));
    s.on('error', reject);
  });
}

const config = (tcpPort: number, httpPort: number, extra = ''): string =>
  `[SERVICE]\n    Grace 1\n    HTTP_Server On\n    HTTP_Listen 127.0.0.1\n    HTTP_Port ${httpPort}\n[INPUT]\n    Name tcp\n    Listen 127.0.0.1\n    Port ${tcpPort}\n    Tag t\n${extra}[OUTPUT]\n    Name null\n    Match t\n`;

test('--dry-run: a valid config passes; a broken one fails naming file, line and key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ok.conf'), config(5170, 2020));
  const ok = await cli(['agent', '-c', join(dir, 'ok.conf'), '--dry-run']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /configuration test is successful \(1 inputs, 0 filters, 1 outputs\)/);

  writeFileSync(join(dir, 'bad.conf'), config(5170, 2020, '    Chunk_Sise 32\n'));
  const bad = await cli(['agent', '-c', join(dir, 'bad.conf'), '--dry-run']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.conf:11: .*Chunk_Sise.*/);
  assert.match(bad.stderr, /Chunk_Size/, 'suggests the key that was meant');
});

test('serves the monitoring API, reloads on SIGHUP, keeps running on a bad reload, stops on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [portA, portB, http] = [await freePort(), await freePort(), await freePort()];
  const agent = await startAgentProcess(dir, config(portA, http));
  t.after(() => agent.kill('SIGKILL'));
  await send(portA, '{"n":1}{"n":2}');
  const api = (path: string): Promise<Response> => fetch(`http://127.0.0.1:${http}${path}`);
  for (let i = 0; i < 50 && (await agent.metrics()).output['null.0']?.proc_records !== 2; i++)
    await sleep(100);
  assert.equal((await agent.metrics()).output['null.0']?.proc_records, 2);
  const prom = await (await api('/api/v1/metrics/prometheus')).text();
  assert.match(prom, /fluentbit_input_records_total\{name="tcp\.0"\} 2/);
  assert.match(prom, /fluentbit_output_proc_records_total\{name="null\.0"\} 2/);
  assert.equal((await api('/api/v1/health')).status, 200);
  const root = (await (await api('/')).json()) as Record<string, unknown>;
  assert.ok(root['fluent-bit'] !== undefined);

  // Reload onto another port.
  writeFileSync(join(dir, 'agent.conf'), config(portB, http));
  agent.child.kill('SIGHUP');
  for (let i = 0; i < 50 && !agent.log().includes('config reloaded'); i++) await sleep(100);
  assert.match(agent.log(), /config reloaded/);
  await send(portB, '{"n":3}');
  await assert.rejects(send(portA, '{"n":4}'));
  for (let i = 0; i < 50 && (await agent.metrics()).output['null.0']?.proc_records !== 3; i++)
    await sleep(100);
  assert.equal((await agent.metrics()).output['null.0']?.proc_records, 3, 'counters carry over a reload');

  // A broken config is refused and the running pipeline stays.
  writeFileSync(join(dir, 'agent.conf'), '[INPUT]\n    Name nope\n');
  agent.child.kill('SIGHUP');
  for (let i = 0; i < 50 && !agent.log().includes('reload refused'); i++) await sleep(100);
  assert.match(agent.log(), /reload refused/);
  await send(portB, '{"n":5}');

  assert.equal(await agent.kill('SIGTERM'), 0);
});
