// An in-process collector on free ports with a temporary queue, for integration tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../common/log/logger.ts';
import { Collector } from '../../collector/collector.ts';
import { collectorConfigSchema, type CollectorConfig } from '../../collector/config.ts';
import type { Exporter } from '../../collector/exporters/exporter.ts';

export interface TestCollector {
  collector: Collector;
  config: CollectorConfig;
  dir: string;
  forwardPort: number;
  httpUrl: string;
  stop(): Promise<void>;
}

type Section = Record<string, unknown>;

export async function startTestCollector(
  sections: {
    receivers?: Section;
    exporters?: Section;
    processors?: Section;
    queue?: Section;
    http?: Section;
    service?: Section;
  },
  options: { exporters?: Exporter[]; logger?: Logger; dir?: string } = {},
): Promise<TestCollector> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tributary-collector-')));
  const config = collectorConfigSchema.parse({
    receivers: {
      forward: { listen: '127.0.0.1', port: 0, ...(sections.receivers?.forward as Section) },
      zipkin: { ...(sections.receivers?.zipkin as Section) },
    },
    http: { listen: '127.0.0.1', port: 0, ...sections.http },
    queue: { path: join(dir, 'queue'), fsync: 'always', ...sections.queue },
    processors: sections.processors ?? {},
    exporters: sections.exporters ?? { discard: {} },
    service: { shutdown_timeout: '10s', ...sections.service },
  });
  const collector = await Collector.start(config, {
    logger: options.logger ?? silentLogger,
    defaultMetrics: false,
    ...(options.exporters ? { exporters: options.exporters } : {}),
  });
  return {
    collector,
    config,
    dir,
    forwardPort: collector.forwardPort as number,
    httpUrl: `http://127.0.0.1:${collector.httpPort}`,
    stop: async () => {
      await collector.shutdown();
      if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
