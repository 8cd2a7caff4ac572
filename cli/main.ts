// The `tributary` command line: one program, one subcommand per component.
import { Command } from 'commander';
import { registerAgentCommand } from './commands/agent.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerCollectorCommand } from './commands/collector.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerStackCommands } from './commands/stack.ts';

export function buildProgram(): Command {
  const program = new Command('tributary')
    .description('Tributary: logs, traces and an audit trail for Node.js services on Kubernetes')
    .version('0.1.0')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerStackCommands(program);
  registerAgentCommand(program);
  registerAuditCommand(program);
  registerCollectorCommand(program);
  registerDemoCommand(program);
  return program;
}
