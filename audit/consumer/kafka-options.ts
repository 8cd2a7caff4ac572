import { readFileSync } from 'node:fs';
import kafkajs from 'kafkajs';
import type { KafkaConfig, LogEntry } from 'kafkajs';
import type { Logger } from '../../common/log/logger.ts';
import type { AuditConfig } from '../config.ts';

const { logLevel } = kafkajs;

/** kafkajs logs every failed attempt at error; ours decide what is an error, so its lines are warnings. */
function logCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      // Connection logs every protocol error the layers above handle (rebalances, retries): debug.
      if (level > logLevel.WARN || namespace === 'Connection') return;
      const { message, ...rest } = log;
      const fields: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(rest))
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
      logger.warn(`kafkajs ${namespace}: ${message}`, fields);
    };
}

export function kafkaClientConfig(config: AuditConfig['kafka'], logger: Logger): KafkaConfig {
  const out: KafkaConfig = {
    clientId: config.client_id,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: logCreator(logger),
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
  };
  if (config.ssl !== undefined)
    out.ssl = {
      rejectUnauthorized: config.ssl.reject_unauthorized,
      ...(config.ssl.ca_file === undefined ? {} : { ca: [readFileSync(config.ssl.ca_file, 'utf8')] }),
    };
  if (config.sasl !== undefined) {
    const { username, password } = config.sasl;
    out.sasl =
      config.sasl.mechanism === 'plain'
        ? { mechanism: 'plain', username, password }
        : config.sasl.mechanism === 'scram-sha-256'
          ? { mechanism: 'scram-sha-256', username, password }
          : { mechanism: 'scram-sha-512', username, password };
  }
  return out;
}
