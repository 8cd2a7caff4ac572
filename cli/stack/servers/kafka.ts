// Kafka 3.9 in KRaft mode: one combined broker and controller, its jars resolved by Maven.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { ServerContext, ServerDefinition } from '../server.ts';
import { StackError } from '../settings.ts';

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
export function newKafkaClusterId(): string {
  return randomBytes(16).toString('base64url');
}

function classpath(context: ServerContext): string {
  return `${join(context.distDir, '*')}`;
}

const serverProperties = (context: ServerContext): string => join(context.runDir, 'server.properties');

export function kafkaServerProperties(context: ServerContext): string {
  const { kafka, kafkaController } = context.settings.ports;
  return [
    '# Written by `tributary stack up` on every start.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(context.runDir, 'data')}`,
    'num.partitions=1',
    // A single broker cannot hold more than one replica of the internal topics.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // Consumer groups in tests should not wait 3 s for more members before the first rebalance.
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.state.change.logger=WARN',
  '',
].join('\n');

export const kafka: ServerDefinition = {
  name: 'kafka',
  mavenGoal: 'copy-dependencies',
  startTimeoutMs: 90_000,
  ports: (s) => [
    { port: s.ports.kafka, purpose: 'Kafka broker' },
    { port: s.ports.kafkaController, purpose: 'Kafka KRaft controller' },
  ],
  mainPort: (s) => s.ports.kafka,
  marker: serverProperties,

  async prepare(context) {
    await mkdir(join(context.runDir, 'data'), { recursive: true });
    await writeFile(serverProperties(context), kafkaServerProperties(context));
    await writeFile(join(context.runDir, 'log4j.properties'), LOG4J);
    if (existsSync(join(context.runDir, 'data', 'meta.properties'))) return;
    const format = spawnSync(
      join(context.java.home, 'bin', 'java'),
      [
        `-Dlog4j.configuration=file:${join(context.runDir, 'log4j.properties')}`,
        '-cp',
        classpath(context),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        newKafkaClusterId(),
        '-c',
        serverProperties(context),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (format.status !== 0) {
      throw new StackError(
        `formatting Kafka's KRaft storage failed: ${format.stderr || format.stdout || format.error?.message}`,
      );
    }
  },

  launch(context) {
    return {
      command: join(context.java.home, 'bin', 'java'),
      args: [
        '-Xms512m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        `-Dlog4j.configuration=file:${join(context.runDir, 'log4j.properties')}`,
        `-Dkafka.logs.dir=${context.runDir}`,
        '-cp',
        classpath(context),
        'kafka.Kafka',
        serverProperties(context),
      ],
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
      cwd: context.runDir,
    };
  },

  async health(context) {
    const admin = new Kafka({
      clientId: 'tributary-stack',
      brokers: [`127.0.0.1:${context.settings.ports.kafka}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      // A metadata request: answers only once the broker has joined its KRaft quorum.
      const cluster = await admin.describeCluster();
      const version = await versionFromLog(context.logFile);
      return {
        healthy: cluster.brokers.length > 0,
        detail: `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'none'}`,
        ...(version ? { version } : {}),
      };
    } catch (error) {
      return { healthy: false, detail: (error as Error).message };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};

/** Kafka has no version API; the broker prints its version at start-up. */
async function versionFromLog(logFile: string): Promise<string | undefined> {
  try {
    const text = await readFile(logFile, 'utf8');
    const matches = [...text.matchAll(/Kafka version: (\S+)/g)];
    return matches.at(-1)?.[1];
  } catch {
    return undefined;
  }
}
