// The Fluent Bit config shipped in the agent's ConfigMap must be one the agent accepts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { checkAgentConfig } from '../../agent/config/load.ts';

test('the agent DaemonSet config validates with the agent (the same check as --dry-run)', (t) => {
  const docs = parseAllDocuments(readFileSync(join(import.meta.dirname, 'agent.yaml'), 'utf8')).map(
    (d) => d.toJS() as { kind: string; data?: Record<string, string> },
  );
  const config = docs.find((d) => d.kind === 'ConfigMap')?.data?.['fluent-bit.conf'];
  assert.ok(config !== undefined);
  const dir = mkdtempSync(join(tmpdir(), 'tributary-manifest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'fluent-bit.conf'), config);
  const result = checkAgentConfig(join(dir, 'fluent-bit.conf'), { env: { NODE_NAME: 'node-1' } });
  assert.deepEqual(result.issues, []);
  assert.deepEqual(
    result.config?.inputs.map((i) => i.name),
    ['tail', 'forward', 'tcp'],
  );
  assert.ok(docs.some((d) => d.kind === 'DaemonSet'));
});
