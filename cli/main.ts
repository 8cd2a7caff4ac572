// The `tributary` command line: one program, one subcommand per component. Only the subcommand
// being run is loaded: the agent is a per-node process, and loading the collector's, the audit
// service's and the demo's dependencies (Kafka, Elasticsearch and koa clients) into it would cost
// it tens of megabytes of memory for nothing. `tributary --help` loads them all to list them.
import { Command } from 'commander';

type Register = (program: Command) => void;

const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  stack: async () => (await import('./commands/stack.ts')).registerStackCommands,
  agent: async () => (await import('./commands/agent.ts')).registerAgentCommand,
  audit: async () => (await import('./commands/audit.ts')).registerAuditCommand,
  collector: async () => (await import('./commands/collector.ts')).registerCollectorCommand,
  demo: async () => (await import('./commands/demo.ts')).registerDemoCommand,
};

/** The program with the subcommand named in `argv` (all of them when none is, for help). */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('tributary')
    .description('Tributary: logs, traces and an audit trail for Node.js services on Kubernetes')
    .version('0.1.0')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  const wanted = argv[2];
  const names = wanted !== undefined && Object.hasOwn(COMMANDS, wanted) ? [wanted] : Object.keys(COMMANDS);
  for (const name of names) {
    const load = COMMANDS[name];
    if (load !== undefined) (await load())(program);
  }
  return program;
}
