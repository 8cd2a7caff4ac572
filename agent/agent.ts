// A running agent: the engine for the current config plus the monitoring API, with Fluent Bit's
// hot reload (SIGHUP): the new config is loaded and checked first, and only a valid one replaces
// the running pipeline (the old one is stopped with Grace, so nothing buffered is lost).
import type { Logger } from '../common/log/logger.ts';
import { getBool, getNumber, getString } from './config/access.ts';
import { loadAgentConfig } from './config/load.ts';
import type { LoadAgentConfigOptions } from './config/load.ts';
import type { AgentConfig } from './config/types.ts';
import { Engine } from './engine/engine.ts';
import type { PluginFactories } from './engine/engine.ts';
import type { MetricsSnapshot } from './engine/types.ts';
import { MonitoringServer } from './http/index.ts';
import { loadPluginFactories } from './plugins.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  readonly logger: Logger;
  readonly factories?: PluginFactories;
  readonly load?: LoadAgentConfigOptions;
}

export class Agent {
  private engine: Engine;
  private monitoring: MonitoringServer | undefined;
  private readonly file: string;
  private readonly options: AgentOptions;
  private readonly startedAt = Date.now();
  private reloading: Promise<boolean> | undefined;
  /** Totals of pipelines replaced by reloads, so counters stay monotonic across a reload. */
  private carried: MetricsSnapshot = { input: {}, filter: {}, output: {} };
  reloads = 0;

  private constructor(file: string, engine: Engine, options: AgentOptions) {
    this.file = file;
    this.engine = engine;
    this.options = options;
  }

  static async start(file: string, options: AgentOptions): Promise<Agent> {
    const config = loadAgentConfig(file, options.load);
    for (const w of config.warnings) options.logger.warn(`${w.file}:${w.line ?? 0}: ${w.message}`);
    const engine = await Engine.start(config, {
      logger: options.logger,
      factories: options.factories ?? (await loadPluginFactories(config)),
    });
    const agent = new Agent(file, engine, options);
    try {
      await agent.startMonitoring(config);
    } catch (error) {
      await engine.stop(0);
      throw error;
    }
    options.logger.info('agent started', {
      config: file,
      inputs: config.inputs.map((i) => i.instanceName).join(','),
      outputs: config.outputs.map((o) => o.instanceName).join(','),
      http: agent.monitoringPort,
    });
    return agent;
  }

  get config(): AgentConfig {
    return this.engine.config;
  }

  /** The bound monitoring port, when HTTP_Server is on. */
  monitoringPort: number | undefined;

  metrics(): MetricsSnapshot {
    const now = this.engine.metrics();
    return {
      input: addCounters(this.carried.input, now.input),
      filter: addCounters(this.carried.filter, now.filter),
      output: addCounters(this.carried.output, now.output),
    };
  }

  private async startMonitoring(config: AgentConfig): Promise<void> {
    const s = config.service.values;
    if (getBool(s, 'http_server') !== true) return;
    this.monitoring = new MonitoringServer({
      listen: getString(s, 'http_listen') ?? '0.0.0.0',
      port: getNumber(s, 'http_port') ?? 2020,
      version: AGENT_VERSION,
      startedAt: this.startedAt,
      metrics: () => this.metrics(),
      healthCheck: {
        enabled: getBool(s, 'health_check') === true,
        errorsCount: getNumber(s, 'hc_errors_count') ?? 5,
        retryFailureCount: getNumber(s, 'hc_retry_failure_count') ?? 5,
        periodSeconds: getNumber(s, 'hc_period') ?? 60,
      },
      extraPrometheus: () => this.engine.inputPrometheus(),
    });
    this.monitoringPort = (await this.monitoring.start()).port;
  }

  /**
   * Loads the config file again and swaps the pipeline. An invalid config is logged and the running
   * pipeline kept. Resolves true when the new config is running.
   */
  reload(): Promise<boolean> {
    this.reloading ??= this.doReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(): Promise<boolean> {
    const log = this.options.logger;
    let config: AgentConfig;
    try {
      config = loadAgentConfig(this.file, this.options.load);
    } catch (error) {
      log.error('reload refused: the config is invalid; the running pipeline is kept', {
        error: (error as Error).message,
      });
      return false;
    }
    const old = this.engine;
    this.carried = this.metrics();
    await old.stop();
    try {
      this.engine = await Engine.start(config, {
        logger: log,
        factories: this.options.factories ?? (await loadPluginFactories(config)),
      });
    } catch (error) {
      log.error('reload failed to start the new pipeline; restarting the previous one', {
        error: (error as Error).message,
      });
      this.engine = await Engine.start(old.config, {
        logger: log,
        factories: this.options.factories ?? (await loadPluginFactories(old.config)),
      });
      return false;
    }
    this.reloads++;
    log.info('config reloaded', { config: this.file, reloads: this.reloads });
    return true;
  }

  /** Graceful stop: Grace seconds for the outputs (SERVICE `Grace`, or the argument). */
  async stop(graceSeconds?: number): Promise<void> {
    await this.reloading;
    await this.engine.stop(graceSeconds);
    await this.monitoring?.stop();
  }
}

function addCounters<T extends object>(
  a: Readonly<Record<string, Readonly<T>>>,
  b: Readonly<Record<string, Readonly<T>>>,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, counters] of Object.entries(b)) {
    const before = a[name];
    if (before === undefined) {
      out[name] = counters;
      continue;
    }
    const sum = { ...counters } as Record<string, number>;
    for (const [k, v] of Object.entries(before as Record<string, number>)) sum[k] = (sum[k] ?? 0) + v;
    out[name] = sum as T;
  }
  for (const [name, counters] of Object.entries(a)) if (out[name] === undefined) out[name] = counters;
  return out;
}
