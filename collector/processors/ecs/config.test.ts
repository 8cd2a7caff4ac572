import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, configTable, loadYamlConfig } from '../../../common/config/index.ts';
import { ecsConfigSchema, ecsOptions } from './config.ts';

describe('ecs processor config', () => {
  it('has defaults', () => {
    const cfg = ecsConfigSchema.parse({});
    assert.deepEqual(cfg, {
      default_namespace: 'default',
      default_dataset: 'generic',
      service_label_keys: ['app.kubernetes.io/name', 'app', 'k8s-app'],
      span_namespace_tag: 'k8s.namespace.name',
    });
    const opts = ecsOptions(cfg, () => true);
    assert.equal(opts.log.defaultNamespace, 'default');
    assert.equal(opts.log.isAuditTag?.('x'), true);
    assert.equal(opts.span.namespaceTag, 'k8s.namespace.name');
  });

  it('rejects a namespace that is not a valid data stream part, with its line', () => {
    assert.throws(
      () =>
        loadYamlConfig(
          { text: 'default_dataset: ok\ndefault_namespace: Prod-EU\n', source: 'ecs.yaml' },
          ecsConfigSchema,
        ),
      (err: unknown) =>
        err instanceof ConfigError &&
        /ecs\.yaml:2:20: default_namespace: namespace "Prod-EU" has a character/.test(err.message),
    );
  });

  it('is documented in the README by the generated table', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configTable(ecsConfigSchema, { prefix: 'processors.ecs' })),
      'README config table is stale',
    );
  });
});
