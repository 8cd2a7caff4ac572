// `tributary audit serve|verify|keygen`: the audit service, its offline verifier and its key maker.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../common/config/index.ts';
import { createLogger } from '../../common/log/logger.ts';
import { generateSigningKeyPair, loadSigningKeys } from '../../audit/chain/keys.ts';
import { loadAuditConfig } from '../../audit/config.ts';
import type { AuditConfig } from '../../audit/config.ts';
import { AuditService } from '../../audit/service.ts';
import { createEsClient } from '../../audit/store/client.ts';
import { auditStreams } from '../../audit/store/names.ts';
import { describeFinding } from '../../audit/verify/findings.ts';
import { parseBound, verifyTrail } from '../../audit/verify/verify.ts';

function loadOrExit(file: string, command: string): AuditConfig {
  try {
    return loadAuditConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`tributary audit ${command}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

function registerServe(audit: Command): void {
  audit
    .command('serve')
    .description(
      'consume audit events from Kafka into the hash-chained audit trail; rules, alerts, query API',
    )
    .requiredOption('-c, --config <file>', 'audit YAML config (${ENV} substitution, validated)')
    .option('--dry-run', 'validate the config (and load the keys), print the result and exit')
    .action(async (options: { config: string; dryRun?: boolean }) => {
      const config = loadOrExit(options.config, 'serve');
      if (options.dryRun) {
        loadSigningKeys(config.signing);
        const printable = {
          ...config,
          api: { ...config.api, tokens: config.api.tokens.map((t) => ({ ...t, token: '***' })) },
        };
        console.log(JSON.stringify(printable, null, 2));
        console.log(`${options.config}: configuration is valid`);
        return;
      }
      const logger = createLogger({ level: config.service.log_level, component: 'audit' });
      const service = await AuditService.start(config, { logger });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) {
            logger.warn('second signal: exiting now; uncommitted offsets are replayed by the next owner', {
              signal,
            });
            process.exit(1);
          }
          stopping = true;
          logger.info('signal received', { signal });
          const timer = setTimeout(() => {
            logger.error('graceful shutdown took too long; exiting', {
              timeout_ms: config.service.shutdown_timeout,
            });
            process.exit(1);
          }, config.service.shutdown_timeout);
          timer.unref();
          void service.shutdown().then(() => resolve());
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}

function registerVerify(audit: Command): void {
  audit
    .command('verify')
    .description('walk the audit trail, recompute the hash chains and check every digest signature')
    .requiredOption('-c, --config <file>', 'audit YAML config (Elasticsearch, topic, public key)')
    .option('-p, --partition <n>', 'only this partition')
    .option('--from <seq|time>', 'first seq (number) or ISO-8601 time')
    .option('--to <seq|time>', 'last seq (number) or ISO-8601 time')
    .option('--public-key <file>', 'PEM public key (instead of the config)')
    .option('--json', 'print the whole report as JSON')
    .action(
      async (options: {
        config: string;
        partition?: string;
        from?: string;
        to?: string;
        publicKey?: string;
        json?: boolean;
      }) => {
        const config = loadOrExit(options.config, 'verify');
        let partition: number | undefined;
        let from, to;
        try {
          if (options.partition !== undefined) {
            if (!/^[0-9]+$/.test(options.partition))
              throw new RangeError('--partition: expected a partition number');
            partition = Number(options.partition);
          }
          from = options.from === undefined ? undefined : parseBound(options.from, '--from');
          to = options.to === undefined ? undefined : parseBound(options.to, '--to');
        } catch (error) {
          console.error(`tributary audit verify: ${(error as Error).message}`);
          process.exit(2);
        }
        const keys =
          options.publicKey === undefined
            ? loadSigningKeys(config.signing)
            : loadSigningKeys({ public_key_file: options.publicKey });
        if (keys.publicKey === undefined)
          console.error(
            'warning: no public key (signing.public_key_file): every digest will be reported as unverifiable',
          );
        const client = createEsClient(config.elasticsearch);
        try {
          const report = await verifyTrail(client, auditStreams(config.elasticsearch.namespace), {
            topic: config.kafka.topic,
            partition,
            from,
            to,
            publicKey: keys.publicKey,
          });
          if (options.json) console.log(JSON.stringify(report, null, 2));
          else {
            for (const p of report.partitions)
              console.log(
                `partition ${p.partition}: ${p.events} events (seq ${p.fromSeq}..${p.toSeq ?? '-'}), ${p.digests} digests, ${p.findings.length === 0 ? 'ok' : `${p.findings.length} finding(s)`}`,
              );
            for (const f of report.findings) console.log(`  ${describeFinding(f)}`);
            console.log(
              report.ok
                ? `verified: ${report.events} events, ${report.digests} digests, no findings (${Math.round(report.events / Math.max(report.seconds, 1e-3))} events/s)`
                : `FAILED: ${report.findings.length} finding(s); first broken link: ${report.first === null ? '' : describeFinding(report.first)}`,
            );
          }
          process.exitCode = report.ok ? 0 : 1;
        } finally {
          await client.close();
        }
      },
    );
}

function registerKeygen(audit: Command): void {
  audit
    .command('keygen')
    .description('write a new Ed25519 key pair for signing audit digests')
    .option('--private-key <file>', 'where the private key goes (mode 0600)', 'audit-signing.key')
    .option('--public-key <file>', 'where the public key goes (what verifiers need)', 'audit-signing.pub')
    .option('--force', 'overwrite existing files')
    .action((options: { privateKey: string; publicKey: string; force?: boolean }) => {
      for (const f of [options.privateKey, options.publicKey])
        if (existsSync(f) && options.force !== true) {
          console.error(`tributary audit keygen: ${f} exists (use --force to overwrite)`);
          process.exit(2);
        }
      const pair = generateSigningKeyPair();
      for (const f of [options.privateKey, options.publicKey]) mkdirSync(dirname(f), { recursive: true });
      writeFileSync(options.privateKey, pair.privatePem, { mode: 0o600 });
      chmodSync(options.privateKey, 0o600);
      writeFileSync(options.publicKey, pair.publicPem, { mode: 0o644 });
      console.log(
        `wrote ${options.privateKey} (private, keep secret) and ${options.publicKey} (public); key id ${pair.keyId}`,
      );
    });
}

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description('the audit service: tamper-evident audit trail in Elasticsearch, rules, alerts, verify');
  registerServe(audit);
  registerVerify(audit);
  registerKeygen(audit);
}
