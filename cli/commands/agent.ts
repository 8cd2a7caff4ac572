// `tributary agent -c fluent-bit.conf`: the node agent, Fluent Bit's classic or YAML config.
// SIGTERM/SIGINT stop it gracefully (Grace); SIGHUP reloads the config.
import type { Command } from 'commander';
import { createLogger, isLogLevel } from '../../common/log/logger.ts';
import { Agent } from '../../agent/agent.ts';
import { checkAgentConfig } from '../../agent/config/load.ts';
import type { AgentConfigIssue } from '../../agent/config/types.ts';

function describe(issue: AgentConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return `${where}: ${issue.message}`;
}

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run the Fluent-Bit-compatible node agent (tail, tcp and forward inputs)')
    .requiredOption('-c, --config <file>', 'Fluent Bit config file (classic .conf, or .yaml)')
    .option('--dry-run', 'validate the config and exit (Fluent Bit --dry-run)')
    .action(async (options: { config: string; dryRun?: boolean }) => {
      const check = checkAgentConfig(options.config);
      for (const w of check.warnings) console.error(`warning: ${describe(w)}`);
      if (check.config === undefined) {
        for (const i of check.issues) console.error(`error: ${describe(i)}`);
        console.error(`tributary agent: ${options.config}: configuration is invalid`);
        process.exit(2);
      }
      if (options.dryRun) {
        const c = check.config;
        console.log(
          `${options.config}: configuration test is successful (${c.inputs.length} inputs, ${c.filters.length} filters, ${c.outputs.length} outputs)`,
        );
        return;
      }
      const level = String(check.config.service.values['log_level'] ?? 'info').replace('warning', 'warn');
      const logger = createLogger({ level: isLogLevel(level) ? level : 'info', component: 'agent' });
      let agent: Agent;
      try {
        agent = await Agent.start(options.config, { logger });
      } catch (error) {
        logger.error('agent failed to start', { error: (error as Error).message });
        process.exit(1);
      }
      process.on('SIGHUP', () => void agent.reload());
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) {
            logger.warn('second signal: exiting now; undelivered data is re-read or resent', { signal });
            process.exit(1);
          }
          stopping = true;
          logger.info('signal received, stopping (Grace)', { signal });
          void agent.stop().then(() => resolve());
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
