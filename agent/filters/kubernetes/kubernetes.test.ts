import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentConfigError } from '../../config/errors.ts';
import type { AgentConfig } from '../../config/types.ts';
import type { FilterPlugin, LogEvent } from '../../engine/types.ts';
import type { LogLine } from '../test-helpers.ts';
import {
  DOCS,
  contextOf,
  ev,
  filterAt,
  loadConfig,
  loadDocs,
  noEmit,
  recordingLogger,
} from '../test-helpers.ts';
import { TagReader, createKubernetesFilterWith, extractHash } from './index.ts';
import type { KubernetesFilterOptions } from './index.ts';
import { selfSignedCertificate } from '../../../test/support/tls.ts';
import { APACHE_TAG, DOCKER_ID, apachePod, startFakeApi } from './test-api.ts';
import type { FakeApi } from './test-api.ts';

const TOKEN = 'secret-token';
const secrets = mkdtempSync(join(tmpdir(), 'kube-secrets-'));
const TOKEN_FILE = join(secrets, 'token');
writeFileSync(TOKEN_FILE, `${TOKEN}\n`);

/** A classic config: Fluent Bit's parsers.conf, and one kubernetes filter with `lines`. */
function kubeConfig(lines: readonly string[]): AgentConfig {
  return loadConfig(
    [
      '[SERVICE]',
      `    Parsers_File ${join(DOCS, 'parsers.conf')}`,
      '[FILTER]',
      '    Name kubernetes',
      '    Match kube.*',
      `    Kube_Token_File ${TOKEN_FILE}`,
      ...lines.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
}

interface Harness {
  readonly filter: FilterPlugin;
  readonly log: LogLine[];
  /** The fake clock, in ms. */
  time: number;
}

function harness(config: AgentConfig, options: KubernetesFilterOptions = {}): Harness {
  const logger = recordingLogger();
  const h = { log: logger.lines, time: 1_000_000 } as Harness & { filter: FilterPlugin };
  h.filter = createKubernetesFilterWith(filterAt(config), contextOf(config, logger), {
    timeoutMs: 500,
    retryAfterMs: 10_000,
    now: () => h.time,
    ...options,
  });
  return h;
}

async function run(h: Harness, events: LogEvent[], tag = APACHE_TAG): Promise<LogEvent[]> {
  return await h.filter.filter(tag, events, noEmit);
}

function runSync(h: Harness, events: LogEvent[], tag = APACHE_TAG): LogEvent[] {
  const out = h.filter.filter(tag, events, noEmit);
  assert.ok(Array.isArray(out), 'expected a synchronous answer (cache hit or no lookup needed)');
  return out;
}

const TAG_ONLY = {
  pod_name: 'apache-logs-annotated',
  namespace_name: 'default',
  container_name: 'apache',
  docker_id: DOCKER_ID,
};

const FULL = {
  pod_name: 'apache-logs-annotated',
  namespace_name: 'default',
  pod_id: 'e9f2963f-1d4d-11e8-b3d8-0800277e5d8e',
  labels: { app: 'apache-logs' },
  annotations: { 'kubernetes.io/config.seen': '2024-01-01T00:00:00Z' },
  host: 'minikube',
  pod_ip: '172.17.0.5',
  container_name: 'apache',
  docker_id: DOCKER_ID,
  container_hash: 'edsiper/apache_logs@sha256:abcd',
  container_image: 'edsiper/apache_logs:latest',
};

const APACHE_LINE = '192.168.2.20 - - [29/Jul/2015:10:27:10 -0300] "GET /cgi-bin/try/ HTTP/1.0" 200 3395';

describe('kubernetes: the tag', () => {
  it('reads pod, namespace, container and docker id with the default regex', () => {
    const r = new TagReader('kube.var.log.containers.', undefined);
    assert.deepEqual(r.read(APACHE_TAG), {
      podName: 'apache-logs-annotated',
      namespace: 'default',
      containerName: 'apache',
      dockerId: DOCKER_ID,
      containerHash: undefined,
    });
    assert.equal(r.read('kube.var.log.containers.not-a-container-log.log'), undefined);
    assert.equal(r.read('other.var.log.containers.x'), undefined);
    assert.equal(r.read('kube.var.log.containers.'), undefined);
  });

  it('reads a custom tag with Regex_Parser (docs: kubernetes-custom-tag.conf)', () => {
    const config = loadDocs('kubernetes-custom-tag.conf');
    const parser = config.parsers.find((p) => p.name === 'kube-custom');
    const r = new TagReader('kube.', parser);
    assert.deepEqual(r.read('kube.default.apache-logs-annotated.apache'), {
      podName: 'apache-logs-annotated',
      namespace: 'default',
      containerName: 'apache',
      dockerId: undefined,
      containerHash: undefined,
    });
  });

  it('extract_hash: after scheme://, else the whole value when there is a colon', () => {
    assert.equal(extractHash('docker://abc'), 'abc');
    assert.equal(extractHash('containerd://abc'), 'abc');
    assert.equal(extractHash('docker-pullable://nginx@sha256:ff'), 'nginx@sha256:ff');
    assert.equal(extractHash('sha256:ff'), 'sha256:ff');
    assert.equal(extractHash('nocolon'), undefined);
    assert.equal(extractHash('docker://'), undefined);
  });

  it('a record whose tag names no container log is passed on unchanged, warned about once', () => {
    const h = harness(kubeConfig(['Use_Tag_For_Meta On']));
    const events = [ev({ log: 'x' })];
    assert.equal(runSync(h, events, 'kube.other'), events);
    runSync(h, [ev({ log: 'y' })], 'kube.other');
    assert.deepEqual(events[0]?.record, { log: 'x' });
    assert.equal(h.log.filter((l) => l.level === 'warn').length, 1);
  });

  it('Use_Tag_For_Meta: only the tag, no API server, synchronous', () => {
    const h = harness(kubeConfig(['Use_Tag_For_Meta On', 'Kube_URL http://127.0.0.1:1']));
    const out = runSync(h, [ev({ log: 'x' })]);
    assert.deepEqual(out[0]?.record, { log: 'x', kubernetes: TAG_ONLY });
  });

  it('Use_Tag_For_Meta with the docs custom tag', () => {
    const config = loadConfig(
      readDocsWith('kubernetes-custom-tag.conf', '    Use_Tag_For_Meta On\n    Merge_Log        On'),
    );
    const h = harness(config);
    const out = runSync(h, [ev({ log: '{"a":1}' })], 'kube.default.apache-logs-annotated.apache');
    assert.deepEqual(out[0]?.record, {
      log: '{"a":1}',
      a: 1,
      kubernetes: { pod_name: 'apache-logs-annotated', namespace_name: 'default', container_name: 'apache' },
    });
  });

  it('Dummy_Meta adds {dummy: <asctime>}', () => {
    const h = harness(kubeConfig(['Dummy_Meta On']));
    const out = runSync(h, [ev({ log: 'x' })], 'anything');
    assert.match(
      String((out[0]?.record.kubernetes as { dummy: string }).dummy),
      /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/,
    );
  });
});

/** A docs config with its `Merge_Log` line replaced by `lines`. */
function readDocsWith(name: string, lines: string): string {
  return readFileSync(join(DOCS, name), 'utf8').replace(/^ {4}Merge_Log {8}On$/m, lines);
}

describe('kubernetes: metadata from the API server', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({ token: TOKEN });
  });
  after(async () => {
    await api.close();
  });

  function fresh(annotations: Record<string, string> = {}): void {
    api.requests.length = 0;
    api.hang = false;
    api.pods.clear();
    api.pods.set('default/apache-logs-annotated', apachePod(annotations));
    api.namespaces.clear();
    api.namespaces.set('default', {
      kind: 'Namespace',
      metadata: { name: 'default', labels: { team: 'web' }, annotations: { owner: 'ops' } },
    });
  }

  it('fetches the pod once with the bearer token, adds Fluent Bit’s map in its order, then serves from cache', async () => {
    fresh();
    const h = harness(kubeConfig([`Kube_URL ${api.url}`]));
    const first = h.filter.filter(APACHE_TAG, [ev({ log: 'a', stream: 'stdout' })], noEmit);
    assert.ok(first instanceof Promise, 'a cache miss asks the API server');
    const out = await first;
    assert.deepEqual(Object.entries(out[0]?.record.kubernetes as object), Object.entries(FULL));
    assert.deepEqual(api.requests, [
      { path: '/api/v1/namespaces/default/pods/apache-logs-annotated', authorization: `Bearer ${TOKEN}` },
    ]);
    const again = runSync(h, [ev({ log: 'b' }), ev({ log: 'c' })]);
    assert.deepEqual(again[1]?.record, { log: 'c', kubernetes: FULL });
    assert.equal(api.requests.length, 1);
    // Records do not share the map: editing one leaves the others and the cache alone.
    (again[0]?.record.kubernetes as Record<string, unknown>).pod_name = 'edited';
    assert.equal(
      (runSync(h, [ev({})])[0]?.record.kubernetes as { pod_name: string }).pod_name,
      FULL.pod_name,
    );
  });

  it('chunks of one pod that arrive together share one request', async () => {
    fresh();
    const h = harness(kubeConfig([`Kube_URL ${api.url}`]));
    const [a, b] = await Promise.all([run(h, [ev({ n: 1 })]), run(h, [ev({ n: 2 })])]);
    assert.deepEqual(a[0]?.record.kubernetes, FULL);
    assert.deepEqual(b[0]?.record.kubernetes, FULL);
    assert.equal(api.requests.length, 1);
  });

  it('Labels Off, Annotations Off, Owner_References On', async () => {
    fresh();
    const h = harness(
      kubeConfig([`Kube_URL ${api.url}`, 'Labels Off', 'Annotations Off', 'Owner_References On']),
    );
    const k = (await run(h, [ev({})]))[0]?.record.kubernetes as Record<string, unknown>;
    assert.equal(k.labels, undefined);
    assert.equal(k.annotations, undefined);
    assert.deepEqual(Object.keys(k).slice(0, 4), ['pod_name', 'namespace_name', 'pod_id', 'ownerReferences']);
  });

  it('Kube_Meta_Cache_TTL: an entry older than the TTL is fetched again', async () => {
    fresh();
    const h = harness(kubeConfig([`Kube_URL ${api.url}`, 'Kube_Meta_Cache_TTL 60s']));
    await run(h, [ev({})]);
    h.time += 59_000;
    runSync(h, [ev({})]);
    h.time += 2_000;
    await run(h, [ev({})]);
    assert.equal(api.requests.length, 2);
  });

  it('Namespace_Labels / Namespace_Annotations add kubernetes_namespace; Namespace_Metadata_Only drops the pod map', async () => {
    fresh();
    const both = harness(
      kubeConfig([`Kube_URL ${api.url}`, 'Namespace_Labels On', 'Namespace_Annotations On']),
    );
    const rec = (await run(both, [ev({ log: 'x' })]))[0]?.record;
    assert.deepEqual(rec?.kubernetes, FULL);
    assert.deepEqual(rec?.kubernetes_namespace, {
      name: 'default',
      labels: { team: 'web' },
      annotations: { owner: 'ops' },
    });
    assert.deepEqual(api.requests.map((r) => r.path).sort(), [
      '/api/v1/namespaces/default',
      '/api/v1/namespaces/default/pods/apache-logs-annotated',
    ]);
    fresh();
    const only = harness(
      kubeConfig([`Kube_URL ${api.url}`, 'Namespace_Labels On', 'Namespace_Metadata_Only On']),
    );
    const rec2 = (await run(only, [ev({ log: 'x' })]))[0]?.record;
    assert.deepEqual(rec2, { log: 'x', kubernetes_namespace: { name: 'default', labels: { team: 'web' } } });
    assert.deepEqual(
      api.requests.map((r) => r.path),
      ['/api/v1/namespaces/default'],
    );
  });

  it('Merge_Log: a JSON log is merged, trimmed; Merge_Log_Key nests it; Keep_Log Off drops log', async () => {
    fresh();
    const log = '{"level":"info","msg":"hello\\n","n":1}\n';
    const top = harness(kubeConfig([`Kube_URL ${api.url}`, 'Merge_Log On']));
    assert.deepEqual(Object.entries((await run(top, [ev({ log, stream: 'stdout' })]))[0]?.record ?? {}), [
      ['log', log],
      ['stream', 'stdout'],
      ['level', 'info'],
      ['msg', 'hello'],
      ['n', 1],
      ['kubernetes', FULL],
    ]);
    const nested = harness(
      kubeConfig([
        `Kube_URL ${api.url}`,
        'Merge_Log On',
        'Merge_Log_Key log_processed',
        'Keep_Log Off',
        'Merge_Log_Trim Off',
      ]),
    );
    assert.deepEqual((await run(nested, [ev({ log, stream: 'stdout' })]))[0]?.record, {
      stream: 'stdout',
      log_processed: { level: 'info', msg: 'hello\n', n: 1 },
      kubernetes: FULL,
    });
  });

  it('Merge_Log: a log that is not a JSON object is left as it is; a log map is merged as is', () => {
    const h = harness(kubeConfig(['Use_Tag_For_Meta On', 'Merge_Log On', 'Keep_Log Off']));
    const out = runSync(h, [ev({ log: 'plain text' }), ev({ log: '[1,2]' }), ev({ log: { a: 'x\n' } })]);
    assert.deepEqual(
      out.map((e) => e.record),
      [
        { log: 'plain text', kubernetes: TAG_ONLY },
        { log: '[1,2]', kubernetes: TAG_ONLY },
        { a: 'x\n', kubernetes: TAG_ONLY },
      ],
    );
  });

  it('Merge_Parser parses log instead of JSON; its time becomes the record time', () => {
    const h = harness(kubeConfig(['Use_Tag_For_Meta On', 'Merge_Log On', 'Merge_Parser apache']));
    const e = ev({ log: APACHE_LINE });
    const out = runSync(h, [e]);
    assert.equal(out[0]?.record.host, '192.168.2.20');
    assert.equal(out[0]?.record.code, '200');
    assert.equal(e.sec, Date.UTC(2015, 6, 29, 13, 27, 10) / 1000);
  });

  it('K8S-Logging.Parser: the pod’s fluentbit.io/parser annotation picks the parser for Merge_Log', async () => {
    fresh({ 'fluentbit.io/parser': 'apache' });
    const h = harness(kubeConfig([`Kube_URL ${api.url}`, 'Merge_Log On', 'K8S-Logging.Parser On']));
    const rec = (await run(h, [ev({ log: APACHE_LINE, stream: 'stdout' })]))[0]?.record;
    assert.equal(rec?.method, 'GET');
    assert.equal(rec?.path, '/cgi-bin/try/');
    assert.equal(rec?.log, APACHE_LINE);
  });

  it('K8S-Logging.Parser Off: the annotation is ignored, with a warning', async () => {
    fresh({ 'fluentbit.io/parser': 'apache' });
    const h = harness(kubeConfig([`Kube_URL ${api.url}`, 'Merge_Log On']));
    const rec = (await run(h, [ev({ log: APACHE_LINE, stream: 'stdout' })]))[0]?.record;
    assert.equal(rec?.method, undefined);
    assert.ok(h.log.some((l) => l.level === 'warn' && /K8S-Logging\.Parser is Off/.test(l.message)));
  });

  it('K8S-Logging.Exclude: fluentbit.io/exclude "true" drops the pod’s records', async () => {
    fresh({ 'fluentbit.io/exclude': 'true' });
    const on = harness(kubeConfig([`Kube_URL ${api.url}`, 'K8S-Logging.Exclude On']));
    assert.deepEqual(await run(on, [ev({ log: 'a', stream: 'stdout' }), ev({ log: 'b' })]), []);
    const off = harness(kubeConfig([`Kube_URL ${api.url}`]));
    assert.equal((await run(off, [ev({ log: 'a', stream: 'stdout' })])).length, 1);
    assert.ok(off.log.some((l) => l.level === 'warn' && /K8S-Logging\.Exclude is Off/.test(l.message)));
  });

  it('annotations per stream and per container', async () => {
    fresh({
      'fluentbit.io/exclude_stderr': 'true',
      'fluentbit.io/parser-apache': 'apache',
      'fluentbit.io/parser': 'json',
      'fluentbit.io/exclude-sidecar': 'true',
    });
    const h = harness(
      kubeConfig([`Kube_URL ${api.url}`, 'Merge_Log On', 'K8S-Logging.Exclude On', 'K8S-Logging.Parser On']),
    );
    const out = await run(h, [
      ev({ log: APACHE_LINE, stream: 'stdout' }),
      ev({ log: 'dropped', stream: 'stderr' }),
      ev({ log: APACHE_LINE }),
    ]);
    assert.deepEqual(
      out.map((e) => e.record.method),
      ['GET', 'GET'],
    );
  });

  it('Use_Kubelet: the pod is found in the kubelet’s /pods list, over HTTPS with Kube_CA_File', async () => {
    const tls = selfSignedCertificate();
    const kubelet = await startFakeApi({ token: TOKEN, tls });
    try {
      kubelet.pods.set('default/other', { metadata: { name: 'other', namespace: 'default' } });
      kubelet.pods.set('default/apache-logs-annotated', apachePod());
      const h = harness(
        kubeConfig([
          'Use_Kubelet On',
          'Kubelet_Host 127.0.0.1',
          `Kubelet_Port ${kubelet.port}`,
          `Kube_CA_File ${tls.certFile}`,
        ]),
      );
      assert.deepEqual((await run(h, [ev({})]))[0]?.record.kubernetes, FULL);
      assert.deepEqual(
        kubelet.requests.map((r) => r.path),
        ['/pods'],
      );
    } finally {
      await kubelet.close();
      rmSync(tls.dir, { recursive: true, force: true });
    }
  });

  it('HTTPS API server: verified with Kube_CA_File; an unknown CA fails unless tls.verify Off', async () => {
    const tls = selfSignedCertificate();
    const other = selfSignedCertificate();
    const secure = await startFakeApi({ token: TOKEN, tls });
    try {
      secure.pods.set('default/apache-logs-annotated', apachePod());
      const good = harness(kubeConfig([`Kube_URL ${secure.url}`, `Kube_CA_File ${tls.certFile}`]));
      assert.deepEqual((await run(good, [ev({})]))[0]?.record.kubernetes, FULL);
      const bad = harness(kubeConfig([`Kube_URL ${secure.url}`, `Kube_CA_File ${other.certFile}`]));
      assert.deepEqual((await run(bad, [ev({})]))[0]?.record.kubernetes, TAG_ONLY);
      const unverified = harness(
        kubeConfig([`Kube_URL ${secure.url}`, `Kube_CA_File ${other.certFile}`, 'tls.verify Off']),
      );
      assert.deepEqual((await run(unverified, [ev({})]))[0]?.record.kubernetes, FULL);
    } finally {
      await secure.close();
      for (const c of [tls, other]) rmSync(c.dir, { recursive: true, force: true });
    }
  });

  it('Kube_Meta_Preload_Cache_Dir: <namespace>_<pod>.meta is used instead of asking', async () => {
    fresh();
    const dir = mkdtempSync(join(tmpdir(), 'kube-preload-'));
    writeFileSync(
      join(dir, 'default_apache-logs-annotated.meta'),
      JSON.stringify(apachePod({ from: 'file' })),
    );
    const h = harness(kubeConfig([`Kube_URL ${api.url}`, `Kube_Meta_Preload_Cache_Dir ${dir}`]));
    const k = (await run(h, [ev({})]))[0]?.record.kubernetes as { annotations: Record<string, string> };
    assert.equal(k.annotations.from, 'file');
    assert.equal(api.requests.length, 0);
  });
});

describe('kubernetes: when the API server cannot help', () => {
  it('unreachable: the tag’s metadata, logged once; no waiting until the retry delay; then back', async () => {
    const api = await startFakeApi({ token: TOKEN });
    const url = api.url;
    await api.close();
    const h = harness(kubeConfig([`Kube_URL ${url}`]));
    const first = await run(h, [ev({ log: 'a' })]);
    assert.deepEqual(first[0]?.record, { log: 'a', kubernetes: TAG_ONLY });
    // Other pods do not wait for the API server either while it is down.
    const otherTag = APACHE_TAG.replace('apache-logs-annotated', 'web-1');
    const other = runSync(h, [ev({ log: 'b' })], otherTag);
    assert.equal((other[0]?.record.kubernetes as { pod_name: string }).pod_name, 'web-1');
    h.time += 5_000;
    runSync(h, [ev({ log: 'c' })]);
    const warns = h.log.filter((l) => l.level === 'warn');
    assert.equal(warns.length, 1);
    assert.match(warns[0]?.message ?? '', /unreachable/);

    // The API server comes back (on the same port) after the retry delay.
    const back = await startFakeApiOn(url);
    try {
      back.pods.set('default/apache-logs-annotated', apachePod());
      h.time += 10_000;
      assert.deepEqual((await run(h, [ev({})]))[0]?.record.kubernetes, FULL);
      assert.ok(h.log.some((l) => l.level === 'info' && /reachable again/.test(l.message)));
    } finally {
      await back.close();
    }
  });

  it('a server that never answers: the request times out, records get the tag’s metadata', async () => {
    const api = await startFakeApi({ token: TOKEN });
    api.hang = true;
    try {
      const h = harness(kubeConfig([`Kube_URL ${api.url}`]), { timeoutMs: 200 });
      const t0 = performance.now();
      const out = await run(h, [ev({ log: 'a' })]);
      assert.ok(performance.now() - t0 < 2_000);
      assert.deepEqual(out[0]?.record.kubernetes, TAG_ONLY);
      assert.match(h.log.find((l) => l.level === 'warn')?.fields.error as string, /no answer within 200 ms/);
    } finally {
      await api.close();
    }
  });

  it('a wrong token (401), an unknown pod (404): the tag’s metadata and one warning each', async () => {
    const api = await startFakeApi({ token: 'another-token' });
    try {
      const h = harness(kubeConfig([`Kube_URL ${api.url}`]));
      assert.deepEqual((await run(h, [ev({})]))[0]?.record.kubernetes, TAG_ONLY);
      assert.match(String(h.log.find((l) => l.level === 'warn')?.fields.error), /HTTP 401/);
    } finally {
      await api.close();
    }
    const empty = await startFakeApi({ token: TOKEN });
    try {
      const h = harness(kubeConfig([`Kube_URL ${empty.url}`]));
      assert.deepEqual((await run(h, [ev({})]))[0]?.record.kubernetes, TAG_ONLY);
      assert.match(String(h.log.find((l) => l.level === 'warn')?.fields.error), /HTTP 404/);
      // Asked again after the retry delay, not before.
      runSync(h, [ev({})]);
      h.time += 10_001;
      await run(h, [ev({})]);
      assert.equal(empty.requests.length, 2);
    } finally {
      await empty.close();
    }
  });

  it('a missing token file: asks without a token and says so once', async () => {
    const api = await startFakeApi({ token: TOKEN });
    try {
      const config = loadConfig(
        `[FILTER]\n    Name kubernetes\n    Match kube.*\n    Kube_URL ${api.url}\n    Kube_Token_File /nonexistent/token\n`,
      );
      const h = harness(config);
      assert.deepEqual((await run(h, [ev({})]))[0]?.record.kubernetes, TAG_ONLY);
      assert.equal(api.requests[0]?.authorization, undefined);
      assert.ok(h.log.some((l) => /Kube_Token_File/.test(l.message)));
    } finally {
      await api.close();
    }
  });

  it('a response larger than Buffer_Size is dropped, as in Fluent Bit', async () => {
    const api = await startFakeApi({ token: TOKEN });
    try {
      api.pods.set('default/apache-logs-annotated', apachePod());
      const h = harness(kubeConfig([`Kube_URL ${api.url}`, 'Buffer_Size 100']));
      assert.deepEqual((await run(h, [ev({})]))[0]?.record.kubernetes, TAG_ONLY);
      assert.match(String(h.log.find((l) => l.level === 'warn')?.fields.error), /larger than Buffer_Size/);
      const unlimited = harness(kubeConfig([`Kube_URL ${api.url}`, 'Buffer_Size 0']));
      assert.deepEqual((await run(unlimited, [ev({})]))[0]?.record.kubernetes, FULL);
    } finally {
      await api.close();
    }
  });

  it('the docs DaemonSet config (kubernetes.conf) outside a cluster still tags records', async () => {
    const config = loadDocs('kubernetes.conf', {
      FLUENT_ELASTICSEARCH_HOST: 'es',
      FLUENT_ELASTICSEARCH_PORT: '9200',
    });
    const h = harness(config, { timeoutMs: 300 });
    const out = await run(h, [ev({ log: '{"a":"b"}\n', stream: 'stdout' })]);
    assert.deepEqual(out[0]?.record, {
      log: '{"a":"b"}\n',
      stream: 'stdout',
      log_processed: { a: 'b' },
      kubernetes: TAG_ONLY,
    });
  });
});

describe('kubernetes: malformed settings are config errors naming file:line and key', () => {
  function rejects(lines: string[], pattern: RegExp): void {
    const config = kubeConfig(lines);
    assert.throws(
      () => createKubernetesFilterWith(filterAt(config), contextOf(config)),
      (err: unknown) => {
        assert.ok(err instanceof AgentConfigError);
        assert.match(err.message, pattern);
        return true;
      },
    );
  }

  it('Regex_Parser must be a regex parser', () => {
    rejects(
      ['Regex_Parser json'],
      /fluent-bit\.conf:7: `Regex_Parser` \(filter kubernetes\.0\): parser `json` is `Format json`/,
    );
  });

  it('Kube_URL must be http or https', () => {
    rejects(['Kube_URL ftp://example'], /fluent-bit\.conf:7: `Kube_URL` .*scheme must be http or https/);
    rejects(['Kube_URL not a url'], /`Kube_URL` .*is not a URL/);
  });

  it('the config loader refuses unknown parsers and unsupported keys, with the line', () => {
    assert.throws(() => kubeConfig(['Merge_Parser nope']), /fluent-bit\.conf:7: .*nope/);
    assert.throws(() => kubeConfig(['Use_Journal On']), /fluent-bit\.conf:7: .*Use_Journal/);
  });
});

/** Starts a fake API server on the port of `url` (a restart after an outage). */
async function startFakeApiOn(url: string): Promise<FakeApi> {
  const port = Number(new URL(url).port);
  for (let i = 0; ; i++) {
    try {
      return await startFakeApi({ token: TOKEN, port });
    } catch (err) {
      if (i >= 50) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
