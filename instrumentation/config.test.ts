import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENVIRONMENT_VARIABLES, InstrumentationConfigError, resolveConfig } from './config.ts';

test('defaults: Zipkin and Forward on the collector/agent defaults, parent-based sampling, every propagator', () => {
  const c = resolveConfig({}, {});
  assert.equal(c.serviceName, 'unknown_service:node');
  assert.equal(c.environment, 'development');
  assert.equal(c.tracing.zipkinUrl, 'http://127.0.0.1:9412/api/v2/spans');
  assert.equal(c.tracing.sampler, 'parentbased_traceidratio');
  assert.equal(c.tracing.sampleRatio, 1);
  assert.deepEqual(c.tracing.propagators, ['tracecontext', 'baggage', 'b3', 'b3multi']);
  assert.equal(c.logging.output, 'forward');
  assert.deepEqual([c.logging.forward.host, c.logging.forward.port], ['127.0.0.1', 24224]);
  assert.equal(c.logging.forward.tag, 'unknown_service_node');
  assert.equal(c.shutdown.handleSignals, true);
});

test('environment: TRIBUTARY_* and the standard OTEL_* variables, Kubernetes downward API', () => {
  const c = resolveConfig(
    {},
    {
      OTEL_SERVICE_NAME: 'orders',
      OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.4.2,deployment.environment=prod,team=a%2Cb',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_PROPAGATORS: 'tracecontext,b3',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      NODE_ENV: 'production',
      TRIBUTARY_ZIPKIN_URL: 'http://collector:9412/api/v2/spans',
      TRIBUTARY_LOG_LEVEL: 'WARN',
      TRIBUTARY_LOG_OUTPUT: 'stdout',
      TRIBUTARY_FORWARD_HOST: '10.0.0.5',
      TRIBUTARY_FORWARD_PORT: '24225',
      TRIBUTARY_LOG_BUFFER_LIMIT: '500',
      TRIBUTARY_SHUTDOWN_TIMEOUT_MS: '2000',
      TRIBUTARY_TRACING_IGNORE_PATHS: '/healthz, /readyz',
      K8S_POD_NAME: 'orders-7d9-abc',
      POD_NAMESPACE: 'shop',
      K8S_NODE_NAME: 'node-3',
    },
  );
  assert.equal(c.serviceName, 'orders');
  assert.equal(c.serviceVersion, '1.4.2');
  assert.equal(c.environment, 'production');
  assert.equal(c.tracing.sampleRatio, 0.25);
  assert.deepEqual(c.tracing.propagators, ['tracecontext', 'b3']);
  assert.equal(c.tracing.batch.scheduledDelayMillis, 200);
  assert.deepEqual(c.tracing.ignoreIncomingPaths, ['/healthz', '/readyz']);
  assert.equal(c.logging.level, 'warn');
  assert.equal(c.logging.output, 'stdout');
  assert.deepEqual([c.logging.forward.host, c.logging.forward.port], ['10.0.0.5', 24225]);
  assert.equal(c.logging.forward.bufferLimit, 500);
  assert.equal(c.shutdown.timeoutMs, 2000);
  assert.deepEqual(c.kubernetes, { podName: 'orders-7d9-abc', namespace: 'shop', nodeName: 'node-3' });
  assert.equal(c.resource['k8s.pod.name'], 'orders-7d9-abc');
  assert.equal(c.resource['k8s.namespace.name'], 'shop');
  assert.equal(c.resource['k8s.node.name'], 'node-3');
  assert.equal(c.resource['service.name'], 'orders');
  assert.equal(c.resource['team'], 'a,b', 'percent-decoded');
});

test('explicit options win over the environment', () => {
  const c = resolveConfig(
    {
      serviceName: 'billing',
      environment: 'development',
      tracing: { sampleRatio: 0.5, zipkinUrl: 'http://z:1/api/v2/spans' },
      logging: { level: 'debug', forward: { port: 9999 } },
      resourceAttributes: { 'service.name': 'ignored', region: 'eu' },
    },
    {
      OTEL_SERVICE_NAME: 'orders',
      NODE_ENV: 'production',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      TRIBUTARY_FORWARD_PORT: '1',
    },
  );
  assert.equal(c.serviceName, 'billing');
  assert.equal(c.resource['service.name'], 'billing');
  assert.equal(c.resource['region'], 'eu');
  assert.equal(c.environment, 'development');
  assert.equal(c.tracing.sampleRatio, 0.5);
  assert.equal(c.logging.level, 'debug');
  assert.equal(c.logging.forward.port, 9999);
});

test('tracing off: TRIBUTARY_TRACING=false or OTEL_SDK_DISABLED=true', () => {
  assert.equal(resolveConfig({}, { TRIBUTARY_TRACING: 'false' }).tracing.enabled, false);
  assert.equal(resolveConfig({}, { OTEL_SDK_DISABLED: 'true' }).tracing.enabled, false);
  assert.equal(
    resolveConfig({ tracing: { enabled: true } }, { OTEL_SDK_DISABLED: 'true' }).tracing.enabled,
    true,
  );
});

test('bad values are errors that name the variable and say what is allowed', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { TRIBUTARY_LOG_LEVEL: 'verbose' },
      /TRIBUTARY_LOG_LEVEL="verbose" is not valid; use one of trace, debug, info/,
    ],
    [{ TRIBUTARY_FORWARD_PORT: '70000' }, /TRIBUTARY_FORWARD_PORT="70000" must be an integer in 1..65535/],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG="2" must be a number in 0..1/],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER="sometimes" is not valid/],
    [
      { OTEL_PROPAGATORS: 'jaeger' },
      /OTEL_PROPAGATORS="jaeger" is not valid; use one of tracecontext, baggage, b3, b3multi/,
    ],
    [
      { TRIBUTARY_ZIPKIN_URL: 'collector:9412' },
      /TRIBUTARY_ZIPKIN_URL="collector:9412" is not an http\(s\) URL/,
    ],
    [{ TRIBUTARY_HANDLE_SIGNALS: 'maybe' }, /TRIBUTARY_HANDLE_SIGNALS="maybe" is not a boolean/],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, /OTEL_RESOURCE_ATTRIBUTES: "novalue" is not key=value/],
    [
      { TRIBUTARY_ENVIRONMENT: 'staging' },
      /TRIBUTARY_ENVIRONMENT="staging" is not valid; use one of development, production/,
    ],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => resolveConfig({}, env),
      (e: unknown) => e instanceof InstrumentationConfigError && message.test(e.message),
    );
  }
  assert.throws(
    () => resolveConfig({ logging: { forward: { bufferLimit: 0 } } }, {}),
    /logging.forward.bufferLimit=0/,
  );
});

test('the README documents every environment variable', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  for (const { name } of ENVIRONMENT_VARIABLES)
    assert.ok(readme.includes(`\`${name}\``), `${name} missing from README.md`);
});
