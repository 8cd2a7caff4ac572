// Fluent Bit's `es` output (Elasticsearch `_bulk`), registered by the engine as `es`.
export { createEsOutput, EsOutput, describeRequestError } from './output.ts';
export { esOptionsFromConfig, EsConfigError } from './config.ts';
export type { EsOptions, EsAuth, EsTlsOptions, WriteOperation } from './config.ts';
export { BulkFormatter, eventIdOf, generatedId, replaceDots } from './format.ts';
export type { EncodedChunk } from './format.ts';
export { compileStrftime } from './strftime.ts';
