import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { configRows, configTable, duration, size } from './index.ts';

const schema = z.strictObject({
  endpoint: z.string().describe('Elasticsearch URL | with a pipe'),
  mode: z.enum(['direct', 'kafka']).default('direct').describe('Where to write'),
  buffer: size().prefault('64MiB').describe('Memory buffer'),
  flush: duration().prefault('5s').describe('Flush interval'),
  tls: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Use TLS'),
      ca: z.string().optional().describe('CA bundle path'),
    })
    .prefault({}),
  hosts: z.array(z.string()).default([]).describe('Extra hosts'),
  routes: z
    .array(z.strictObject({ match: z.string().describe('Tag pattern') }))
    .optional()
    .describe('Routes'),
});

describe('configTable', () => {
  it('renders one row per key with type, default and description', () => {
    assert.equal(
      configTable(schema),
      [
        '| Key | Type | Default | Description |',
        '|---|---|---|---|',
        '| `endpoint` | string | *required* | Elasticsearch URL \\| with a pipe |',
        '| `mode` | "direct" \\| "kafka" | `"direct"` | Where to write |',
        '| `buffer` | size | `"64MiB"` | Memory buffer |',
        '| `flush` | duration | `"5s"` | Flush interval |',
        '| `tls.enabled` | boolean | `false` | Use TLS |',
        '| `tls.ca` | string |  | CA bundle path |',
        '| `hosts` | list of string | `[]` | Extra hosts |',
        '| `routes` | list of map |  | Routes |',
        '| `routes[].match` | string | *required* | Tag pattern |',
        '',
      ].join('\n'),
    );
  });

  it('prefixes paths and exposes rows for other renderers', () => {
    const rows = configRows(z.strictObject({ a: z.number().describe('n') }), 'processors.ecs');
    assert.deepEqual(rows, [{ path: 'processors.ecs.a', type: 'number', required: true, description: 'n' }]);
  });
});
