// The audit service's config reference, generated from the schema (one source for validation and docs).
//   node audit/docs.ts          prints it
//   node audit/docs.ts --write  rewrites the marked region of audit/README.md
import { join } from 'node:path';
import { configReference } from '../common/config/index.ts';
import { auditConfigSchema } from './config.ts';

export const reference = configReference({
  readme: join(import.meta.dirname, 'README.md'),
  script: 'audit/docs.ts',
  schema: auditConfigSchema,
});

if (import.meta.main) reference.main(process.argv);
