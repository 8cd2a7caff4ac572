// `tributary demo` (what `npm start` runs): the real local stack, a collector exporting to all three
// servers, and synthetic service traffic (logs with trace ids, spans, audit events) until Ctrl-C.
// The instrumentation issue's example services replace the synthetic traffic.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { EventTime, encodePackedForward, newChunkId } from '../../common/forward/index.ts';
import { createLogger } from '../../common/log/logger.ts';
import { Collector } from '../../collector/collector.ts';
import { collectorConfigSchema } from '../../collector/config.ts';
import { stackUp } from '../stack/stack.ts';
import { loadStackSettings } from '../stack/settings.ts';
import { connect } from 'node:net';

const SERVICES = ['orders', 'payments', 'catalog'] as const;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the local stack and a collector, send demo traffic, and print where to look')
    .option('--rate <events>', 'log events per second', (v) => Number.parseInt(v, 10), 20)
    .option('--seconds <n>', 'stop after this many seconds (default: until Ctrl-C)', (v) =>
      Number.parseInt(v, 10),
    )
    .action(async (options: { rate: number; seconds?: number }) => {
      const say = (line: string) => console.log(line);
      say('starting the local stack (first run downloads the servers from Maven Central)…');
      await stackUp({ log: say });
      const { ports } = loadStackSettings();
      const dir = await mkdtemp(join(tmpdir(), 'tributary-demo-'));
      const config = collectorConfigSchema.parse({
        queue: { path: join(dir, 'queue') },
        processors: { route: { audit: { tags: ['audit.*'] } } },
        exporters: {
          elasticsearch: {
            endpoints: [`http://127.0.0.1:${ports.elasticsearch}`],
            templates: { replicas: 0 },
          },
          zipkin: { endpoint: `http://127.0.0.1:${ports.zipkin}` },
          kafka: { brokers: [`127.0.0.1:${ports.kafka}`], topic: 'tributary-audit', partitions: 3 },
        },
        service: { log_level: 'warn' },
      });
      const collector = await Collector.start(config, {
        logger: createLogger({ level: 'warn', component: 'collector' }),
      });
      const traces: string[] = [];
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      if (options.seconds !== undefined) setTimeout(() => stop.abort(), options.seconds * 1000).unref();

      const socket = connect({ port: collector.forwardPort as number, host: '127.0.0.1' });
      await new Promise((resolve) => socket.once('connect', resolve));
      const zipkinUrl = `http://127.0.0.1:${collector.httpPort}/api/v2/spans`;
      say(
        `collector: Forward on 127.0.0.1:${collector.forwardPort}, Zipkin API and /metrics on http://127.0.0.1:${collector.httpPort}`,
      );
      say(
        `sending demo traffic (${options.rate} log events/s, one trace per second, an audit event every 5 s); Ctrl-C to stop\n`,
      );
      let sent = 0;
      for (let tick = 0; !stop.signal.aborted; tick++) {
        const service = SERVICES[tick % SERVICES.length] as string;
        const traceId = randomBytes(16).toString('hex');
        const root = randomBytes(8).toString('hex');
        const now = Date.now();
        const spans = [
          {
            traceId,
            id: root,
            name: `get /api/${service}`,
            kind: 'SERVER',
            timestamp: now * 1000,
            duration: 12_000,
            localEndpoint: { serviceName: service },
            tags: { 'http.method': 'GET', 'http.status_code': '200' },
          },
          {
            traceId,
            id: randomBytes(8).toString('hex'),
            parentId: root,
            name: 'select',
            kind: 'CLIENT',
            timestamp: now * 1000 + 500,
            duration: 4_000,
            localEndpoint: { serviceName: service },
            remoteEndpoint: { serviceName: 'postgres' },
          },
        ];
        await fetch(zipkinUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(spans),
        }).catch(() => undefined);
        traces.push(traceId);
        const records = Array.from({ length: options.rate }, (_, i) => ({
          time: EventTime.now(),
          record: {
            message: `handled request ${tick}.${i}`,
            level: i % 17 === 0 ? 'error' : 'info',
            service,
            trace_id: traceId,
            span_id: root,
            'http.status': i % 17 === 0 ? 500 : 200,
          },
        }));
        socket.write(encodePackedForward(`app.${service}`, records, { chunk: newChunkId() }));
        if (tick % 5 === 0) {
          const audit = {
            message: 'order deleted',
            service,
            event: { action: 'order.delete', outcome: 'success' },
            user: { id: `user-${tick % 3}`, name: 'demo user', roles: ['admin'] },
            audit: { resource: { type: 'order', id: String(1000 + tick) } },
            trace_id: traceId,
          };
          socket.write(
            encodePackedForward(`audit.${service}`, [{ time: EventTime.now(), record: audit }], {
              chunk: newChunkId(),
            }),
          );
        }
        sent += records.length;
        if (tick === 3) printWhereToLook(say, ports, collector.httpPort as number, traceId);
        await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
      }
      socket.end();
      say(
        `\nsent ${sent} log events and ${traces.length} traces; stopping the collector (the stack keeps running: \`npx tributary stack down\`)`,
      );
      await collector.shutdown();
    });
}

function printWhereToLook(
  say: (line: string) => void,
  ports: { elasticsearch: number; zipkin: number; kafka: number },
  httpPort: number,
  traceId: string,
): void {
  say('where to look:');
  say(`  Zipkin UI           http://127.0.0.1:${ports.zipkin}/zipkin/traces/${traceId}`);
  say(
    `  logs of that trace  curl -s 'http://127.0.0.1:${ports.elasticsearch}/logs-*/_search?q=trace.id:${traceId}&pretty'`,
  );
  say(
    `  errors              curl -s 'http://127.0.0.1:${ports.elasticsearch}/logs-*/_search?q=log.level:error&size=3&pretty'`,
  );
  say(
    `  spans as ECS        curl -s 'http://127.0.0.1:${ports.elasticsearch}/traces-zipkin-default/_search?size=1&pretty'`,
  );
  say(`  audit events        Kafka topic tributary-audit on 127.0.0.1:${ports.kafka}`);
  say(`  collector metrics   curl -s http://127.0.0.1:${httpPort}/metrics | grep ^tributary_collector_`);
  say(
    '  (Kibana cannot run here: there is no Kibana on Maven Central; the compose file under deploy/ adds it where Docker exists.)\n',
  );
}
