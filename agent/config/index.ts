export { loadAgentConfig, checkAgentConfig, formatOf } from './load.ts';
export type { LoadAgentConfigOptions, CheckResult } from './load.ts';
export { AgentConfigError } from './errors.ts';
export { compileMatch, compileMatchRegex, compileRoute, compileTagExpander } from './match.ts';
export type { TagMatcher } from './match.ts';
export {
  PLUGINS,
  SERVICE_KEYS,
  PARSER_KEYS,
  MULTILINE_PARSER_KEYS,
  COMMON_KEYS,
  findPlugin,
} from './registry.ts';
export type { KeyDef, KeyType, PluginDef } from './registry.ts';
export { getString, getNumber, getBool, getList } from './access.ts';
export type {
  AgentConfig,
  AgentConfigIssue,
  InputInstance,
  MultilineParserDefinition,
  MultilineRule,
  ParserDefinition,
  ParserFormat,
  PluginInstance,
  PluginKind,
  PropertyValue,
  RoutedInstance,
  ServiceConfig,
  TypedValue,
} from './types.ts';
