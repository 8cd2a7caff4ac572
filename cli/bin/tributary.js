#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on any node to say clearly when the node is too old
// to strip TypeScript types (the CLI itself is TypeScript, run directly by Node >= 22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `tributary needs Node 22.18+ (Node 24 LTS recommended); this is ${process.version} at ${process.execPath}.\n` +
      "Run it through npm (npx tributary, npm start) so that the project's own Node 24 from `npm ci` is used.",
  );
  process.exit(1);
}
// Type stripping's ExperimentalWarning says nothing to a user; kafkajs 2.2.4 on Node 24 emits
// TimeoutNegativeWarning from its request queue (kafkajs issue #1751, unfixed upstream).
const SILENCED_WARNINGS = new Set(['ExperimentalWarning', 'TimeoutNegativeWarning']);
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!SILENCED_WARNINGS.has(w.name)) console.warn(w);
});
const { buildProgram } = await import('../main.ts');
try {
  await (await buildProgram(process.argv)).parseAsync(process.argv);
} catch (error) {
  console.error(`tributary: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
