// `tributary demo` (what `npm start` runs): the whole pipeline on one machine. The real local stack
// (Elasticsearch, Kafka, Zipkin), a collector, a node agent, the audit service, and the two example
// koa services with the instrumentation package (`--import .../register`), under a stream of
// requests; then where to look. Ctrl-C stops everything it started (the stack keeps running).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { createLogger } from '../../common/log/logger.ts';
import { Agent } from '../../agent/agent.ts';
import { Collector } from '../../collector/collector.ts';
import { collectorConfigSchema } from '../../collector/config.ts';
import { loadAuditConfig } from '../../audit/config.ts';
import { generateSigningKeyPair } from '../../audit/chain/keys.ts';
import { AuditService } from '../../audit/service.ts';
import { stackUp } from '../stack/stack.ts';
import { loadStackSettings } from '../stack/settings.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const AUDIT_TOPIC = 'tributary-audit';
const USERS = [
  { id: 'u-1001', name: 'alice', roles: 'admin,buyer' },
  { id: 'u-1002', name: 'bob', roles: 'buyer' },
] as const;

/** The preferred port when it is free (so the usual URLs work), else any free port. */
async function portNear(preferred: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const bound = (server.address() as { port: number }).port;
        server.close(() => resolve(bound));
      });
    });
  return (await tryListen(preferred)) ?? ((await tryListen(0)) as number);
}

/** Starts an example service with the instrumentation package; resolves when it listens. */
async function startExample(name: 'orders' | 'inventory', env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      '--import',
      join(ROOT, 'instrumentation', 'register.ts'),
      join(ROOT, 'instrumentation', 'examples', `${name}.ts`),
    ],
    { env: { ...process.env, ...env, OTEL_SERVICE_NAME: name }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes(`${name} listening on`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  return child;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole pipeline locally: stack, collector, agent, audit service and two instrumented services under load',
    )
    .option(
      '--rate <requests>',
      'requests per second to the example services',
      (v) => Number.parseInt(v, 10),
      10,
    )
    .option('--seconds <n>', 'stop after this many seconds (default: until Ctrl-C)', (v) =>
      Number.parseInt(v, 10),
    )
    .action(async (options: { rate: number; seconds?: number }) => {
      const say = (line: string) => console.log(line);
      const quiet = createLogger({ level: 'warn', component: 'demo' });
      say('starting the local stack (first run downloads the servers from Maven Central)…');
      await stackUp({ log: say });
      const { ports, root } = loadStackSettings();
      const dir = await mkdtemp(join(tmpdir(), 'tributary-demo-'));
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      if (options.seconds !== undefined) setTimeout(() => stop.abort(), options.seconds * 1000).unref();

      const collector = await Collector.start(
        collectorConfigSchema.parse({
          receivers: { forward: { listen: '127.0.0.1', port: await portNear(24240) } },
          http: { listen: '127.0.0.1', port: await portNear(9412) },
          queue: { path: join(dir, 'collector-queue') },
          exporters: {
            elasticsearch: {
              endpoints: [`http://127.0.0.1:${ports.elasticsearch}`],
              templates: { replicas: 0 },
            },
            zipkin: { endpoint: `http://127.0.0.1:${ports.zipkin}` },
            kafka: { brokers: [`127.0.0.1:${ports.kafka}`], topic: AUDIT_TOPIC, partitions: 3 },
          },
          service: { log_level: 'warn' },
        }),
        { logger: createLogger({ level: 'warn', component: 'collector' }) },
      );
      const collectorHttp = `http://127.0.0.1:${collector.httpPort}`;

      const agentForward = await portNear(24224);
      const agentHttp = await portNear(2020);
      const agentConfig = join(dir, 'fluent-bit.conf');
      await writeFile(
        agentConfig,
        [
          '[SERVICE]',
          '    Grace         5',
          '    Log_Level     warn',
          '    HTTP_Server   On',
          '    HTTP_Listen   127.0.0.1',
          `    HTTP_Port     ${agentHttp}`,
          `    storage.path  ${join(dir, 'agent-buffer')}`,
          '[INPUT]',
          '    Name          forward',
          '    Listen        127.0.0.1',
          `    Port          ${agentForward}`,
          '    storage.type  filesystem',
          '[OUTPUT]',
          '    Name                  forward',
          '    Match                 *',
          '    Host                  127.0.0.1',
          `    Port                  ${collector.forwardPort}`,
          '    Require_ack_response  On',
          '',
        ].join('\n'),
      );
      const agent = await Agent.start(agentConfig, {
        logger: createLogger({ level: 'warn', component: 'agent' }),
      });

      // One signing key for every demo run: they all append to the same audit stream, and `verify`
      // checks every digest in it against the one public key.
      const keyDir = join(root, 'demo');
      const privateKey = join(keyDir, 'audit-signing.key');
      const publicKey = join(keyDir, 'audit-signing.pub');
      if (!existsSync(privateKey) || !existsSync(publicKey)) {
        const keys = generateSigningKeyPair();
        await mkdir(keyDir, { recursive: true });
        await writeFile(privateKey, keys.privatePem, { mode: 0o600 });
        await writeFile(publicKey, keys.publicPem);
      }
      // A trail per key: a stream holding digests signed by an older key would not verify.
      const trail = `demo${createHash('sha256')
        .update(await readFile(publicKey))
        .digest('hex')
        .slice(0, 8)}`;
      const auditToken = randomBytes(16).toString('hex');
      const auditPort = await portNear(9480);
      const auditYaml = [
        `kafka: { brokers: ['127.0.0.1:${ports.kafka}'], topic: ${AUDIT_TOPIC} }`,
        `elasticsearch: { endpoints: ['http://127.0.0.1:${ports.elasticsearch}'], namespace: ${trail}, templates: { replicas: 0 } }`,
        `signing: { private_key_file: ${privateKey}, public_key_file: ${publicKey} }`,
        `api: { listen: 127.0.0.1, port: ${auditPort}, tokens: [{ name: demo, token: ${auditToken} }] }`,
        // Digests often, so that `verify` has signatures to check within the first minute.
        'chain: { digest_every_events: 50, digest_every: 10s }',
        'service: { log_level: warn }',
        '',
      ].join('\n');
      await writeFile(join(dir, 'audit.yaml'), auditYaml);
      // The same file `tributary audit verify -c` reads (printed below).
      const audit = await AuditService.start(loadAuditConfig(join(dir, 'audit.yaml')), { logger: quiet });

      const inventoryPort = await portNear(3001);
      const ordersPort = await portNear(3000);
      const serviceEnv = {
        TRIBUTARY_ZIPKIN_URL: `${collectorHttp}/api/v2/spans`,
        TRIBUTARY_FORWARD_HOST: '127.0.0.1',
        TRIBUTARY_FORWARD_PORT: String(agentForward),
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=demo',
        NODE_ENV: 'production',
      };
      const children: ChildProcess[] = [];
      try {
        children.push(await startExample('inventory', { ...serviceEnv, PORT: String(inventoryPort) }));
        children.push(
          await startExample('orders', {
            ...serviceEnv,
            PORT: String(ordersPort),
            INVENTORY_URL: `http://127.0.0.1:${inventoryPort}`,
          }),
        );
      } catch (error) {
        for (const c of children) c.kill('SIGTERM');
        throw error;
      }

      const orders = `http://127.0.0.1:${ordersPort}`;
      say('');
      say(`collector  Forward 127.0.0.1:${collector.forwardPort}, Zipkin API and /metrics ${collectorHttp}`);
      say(
        `agent      Forward 127.0.0.1:${agentForward}, monitoring http://127.0.0.1:${agentHttp}/api/v1/metrics`,
      );
      say(`audit      query API http://127.0.0.1:${auditPort} (bearer token ${auditToken})`);
      say(`services   orders ${orders} -> inventory http://127.0.0.1:${inventoryPort}`);
      say(
        `sending ${options.rate} requests/s (GET /orders/:id, and POST /orders every second); Ctrl-C to stop\n`,
      );

      let sent = 0;
      let failed = 0;
      let lastTrace: string | undefined;
      let printed = false;
      const started = Date.now();
      for (let tick = 0; !stop.signal.aborted; tick++) {
        const user = USERS[tick % USERS.length] as (typeof USERS)[number];
        const headers = { 'x-user-id': user.id, 'x-user-name': user.name, 'x-user-roles': user.roles };
        const post = tick % options.rate === 0;
        const request = post
          ? fetch(`${orders}/orders`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ sku: `sku-${tick % 7}`, quantity: 1 + (tick % 3) }),
            })
          : fetch(`${orders}/orders/${1000 + (tick % 50)}`, { headers });
        void request
          .then(async (r) => {
            await r.arrayBuffer();
            sent++;
            const traceparent = r.headers.get('traceparent') ?? r.headers.get('x-b3-traceid');
            if (traceparent !== null) lastTrace = traceparent.split('-')[1] ?? traceparent;
          })
          .catch(() => failed++);
        if (!printed && Date.now() - started > 8000) {
          printed = true;
          lastTrace ??= await latestTrace(ports.zipkin);
          printWhereToLook(
            say,
            { ...ports, agentHttp, auditPort, collectorHttp },
            dir,
            auditToken,
            lastTrace,
          );
        }
        await sleep(1000 / options.rate, undefined, { signal: stop.signal }).catch(() => undefined);
      }

      say(
        `\nsent ${sent} requests (${failed} failed); stopping the services, agent, audit service and collector`,
      );
      say('(the stack keeps running: `npx tributary stack down`)');
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
      await agent.stop();
      await audit.shutdown();
      await collector.shutdown();
    });
}

/** A recent trace of the orders service, from Zipkin itself. */
async function latestTrace(zipkinPort: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${zipkinPort}/api/v2/traces?serviceName=orders&limit=1`);
    const traces = (await res.json()) as { traceId: string }[][];
    return traces[0]?.[0]?.traceId;
  } catch {
    return undefined;
  }
}

function printWhereToLook(
  say: (line: string) => void,
  p: {
    elasticsearch: number;
    zipkin: number;
    kafka: number;
    agentHttp: number;
    auditPort: number;
    collectorHttp: string;
  },
  dir: string,
  token: string,
  traceId: string | undefined,
): void {
  const es = `http://127.0.0.1:${p.elasticsearch}`;
  say('where to look:');
  if (traceId !== undefined) {
    say(`  a trace across orders and inventory   http://127.0.0.1:${p.zipkin}/zipkin/traces/${traceId}`);
    say(
      `  the logs of that trace                curl -s '${es}/logs-*/_search?q=trace.id:${traceId}&pretty'`,
    );
  } else {
    say(`  traces                                http://127.0.0.1:${p.zipkin}/zipkin/?serviceName=orders`);
  }
  say(`  access logs of orders                 curl -s '${es}/logs-orders-*/_search?size=3&pretty'`);
  say(
    `  the audit trail (hash-chained)        curl -s -H 'authorization: Bearer ${token}' 'http://127.0.0.1:${p.auditPort}/api/v1/events?action=order.create&size=3'`,
  );
  say(`  prove nobody edited it                npx tributary audit verify -c ${join(dir, 'audit.yaml')}`);
  say(
    `  agent metrics (Fluent Bit names)      curl -s http://127.0.0.1:${p.agentHttp}/api/v1/metrics/prometheus`,
  );
  say(
    `  collector metrics                     curl -s ${p.collectorHttp}/metrics | grep ^tributary_collector_`,
  );
  say(
    '  (Kibana cannot run here: it is not on Maven Central. deploy/ has the Kubernetes manifests for a cluster.)\n',
  );
}
