// `tributary collector -c collector.yaml`: run the collector until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { ConfigError } from '../../common/config/index.ts';
import { createLogger } from '../../common/log/logger.ts';
import { Collector } from '../../collector/collector.ts';
import { loadCollectorConfig, type CollectorConfig } from '../../collector/config.ts';

export function registerCollectorCommand(program: Command): void {
  program
    .command('collector')
    .description(
      'receive logs (Forward) and spans (Zipkin v2 HTTP), queue them on disk, export to Elasticsearch, Zipkin and Kafka',
    )
    .requiredOption('-c, --config <file>', 'collector YAML config (${ENV} substitution, validated)')
    .option('--dry-run', 'validate the config, print the result and exit')
    .action(async (options: { config: string; dryRun?: boolean }) => {
      let config: CollectorConfig;
      try {
        config = loadCollectorConfig(options.config);
      } catch (error) {
        if (error instanceof ConfigError) {
          console.error(`tributary collector: ${error.message}`);
          process.exit(2);
        }
        throw error;
      }
      if (options.dryRun) {
        console.log(JSON.stringify(config, null, 2));
        console.log(`${options.config}: configuration is valid`);
        return;
      }
      const logger = createLogger({ level: config.service.log_level, component: 'collector' });
      const collector = await Collector.start(config, { logger });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) {
            logger.warn('second signal: exiting now; the queue keeps what was not exported', { signal });
            process.exit(1);
          }
          stopping = true;
          logger.info('signal received', { signal });
          void collector.shutdown().then(() => resolve());
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
