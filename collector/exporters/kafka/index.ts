export { KafkaSink, readMaxMessageBytes, tooLargeReason } from './sink.ts';
export type {
  ExporterLogger,
  KafkaSinkDeps,
  KafkaOutMessage,
  KafkaRejection,
  KafkaSendResult,
  KafkaSinkStats,
} from './sink.ts';
export { kafkaExporterConfigSchema } from './config.ts';
export type { KafkaExporterConfig, KafkaExporterConfigInput } from './config.ts';
export { classifyKafkaError, describeKafkaError } from './errors.ts';
export type { KafkaErrorKind } from './errors.ts';
export { singleRecordBatchBytes, recordBytes, RECORD_BATCH_OVERHEAD } from './record-size.ts';
