// The parsers of Fluent Bit's conf/parsers.conf, so that `Parser docker`,
// `Parser cri`, `Parser nginx` ... work without a parsers file, exactly as
// they do with the file Fluent Bit ships. Definitions are copied key for key.
//
// docker: we leave out the `Decode_Field_As escaped[_utf8] log/stream` lines
// that some copies of parsers.conf carry (recent ones comment them out since
// Fluent Bit v1.2): our JSON parser already unescapes strings, and unescaping
// a second time would turn a logged "\\n" into a newline.

import { createParser } from './parser.ts';
import type { Parser, ParserDefinition } from './types.ts';

export const BUILTIN_PARSER_DEFINITIONS: Readonly<Record<string, ParserDefinition>> = {
  apache: {
    name: 'apache',
    format: 'regex',
    regex:
      '^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>[^\\"]*)")?$',
    time_key: 'time',
    time_format: '%d/%b/%Y:%H:%M:%S %z',
  },
  apache2: {
    name: 'apache2',
    format: 'regex',
    regex:
      '^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^ ]*) +\\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>.*)")?$',
    time_key: 'time',
    time_format: '%d/%b/%Y:%H:%M:%S %z',
  },
  apache_error: {
    name: 'apache_error',
    format: 'regex',
    regex:
      '^\\[[^ ]* (?<time>[^\\]]*)\\] \\[(?<level>[^\\]]*)\\](?: \\[pid (?<pid>[^\\]]*)\\])?( \\[client (?<client>[^\\]]*)\\])? (?<message>.*)$',
  },
  nginx: {
    name: 'nginx',
    format: 'regex',
    regex:
      '^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>[^\\"]*)")?$',
    time_key: 'time',
    time_format: '%d/%b/%Y:%H:%M:%S %z',
  },
  'k8s-nginx-ingress': {
    name: 'k8s-nginx-ingress',
    format: 'regex',
    regex:
      '^(?<host>[^ ]*) - \\[(?<real_ip>[^ ]*)\\] - (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*) "(?<referer>[^\\"]*)" "(?<agent>[^\\"]*)" (?<request_length>[^ ]*) (?<request_time>[^ ]*) \\[(?<proxy_upstream_name>[^ ]*)\\] (?<upstream_addr>[^ ]*) (?<upstream_response_length>[^ ]*) (?<upstream_response_time>[^ ]*) (?<upstream_status>[^ ]*) (?<last>[^$]*)',
    time_key: 'time',
    time_format: '%d/%b/%Y:%H:%M:%S %z',
  },
  json: {
    name: 'json',
    format: 'json',
    time_key: 'time',
    time_format: '%d/%b/%Y:%H:%M:%S %z',
  },
  docker: {
    name: 'docker',
    format: 'json',
    time_key: 'time',
    time_format: '%Y-%m-%dT%H:%M:%S.%L',
    time_keep: true,
  },
  'docker-daemon': {
    name: 'docker-daemon',
    format: 'regex',
    regex: 'time="(?<time>[^ ]*)" level=(?<level>[^ ]*) msg="(?<msg>[^ ].*)"',
    time_key: 'time',
    time_format: '%Y-%m-%dT%H:%M:%S.%L',
    time_keep: true,
  },
  'syslog-rfc5424': {
    name: 'syslog-rfc5424',
    format: 'regex',
    regex:
      '^\\<(?<pri>[0-9]{1,5})\\>1 (?<time>[^ ]+) (?<host>[^ ]+) (?<ident>[^ ]+) (?<pid>[-0-9]+) (?<msgid>[^ ]+) (?<extradata>(\\[(.*)\\]|-)) (?<message>.+)$',
    time_key: 'time',
    time_format: '%Y-%m-%dT%H:%M:%S.%L',
    time_keep: true,
  },
  'syslog-rfc3164-local': {
    name: 'syslog-rfc3164-local',
    format: 'regex',
    regex:
      '^\\<(?<pri>[0-9]+)\\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<ident>[a-zA-Z0-9_\\/\\.\\-]*)(?:\\[(?<pid>[0-9]+)\\])?(?:[^\\:]*\\:)? *(?<message>.*)$',
    time_key: 'time',
    time_format: '%b %d %H:%M:%S',
    time_keep: true,
  },
  'syslog-rfc3164': {
    name: 'syslog-rfc3164',
    format: 'regex',
    regex:
      '/^\\<(?<pri>[0-9]+)\\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\\/\\.\\-]*)(?:\\[(?<pid>[0-9]+)\\])?(?:[^\\:]*\\:)? *(?<message>.*)$/',
    time_key: 'time',
    time_format: '%b %d %H:%M:%S',
    time_keep: true,
  },
  mongodb: {
    name: 'mongodb',
    format: 'regex',
    regex:
      '^(?<time>[^ ]*)\\s+(?<severity>\\w)\\s+(?<component>[^ ]+)\\s+\\[(?<context>[^\\]]+)]\\s+(?<message>.*?) *(?<ms>(\\d+))?(:?ms)?$',
    time_format: '%Y-%m-%dT%H:%M:%S.%L',
    time_keep: true,
    time_key: 'time',
  },
  cri: {
    name: 'cri',
    format: 'regex',
    regex: '^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$',
    time_key: 'time',
    time_format: '%Y-%m-%dT%H:%M:%S.%L%z',
  },
};

const cache = new Map<string, Parser>();

/** A parser from parsers.conf by name (created once), or undefined. */
export function getBuiltinParser(name: string): Parser | undefined {
  let p = cache.get(name);
  if (p === undefined) {
    const def = BUILTIN_PARSER_DEFINITIONS[name];
    if (def === undefined) return undefined;
    p = createParser(def);
    cache.set(name, p);
  }
  return p;
}

/** The two parsers the tail input and kubernetes filter rely on. */
export const BUILTIN_PARSERS: { readonly docker: Parser; readonly cri: Parser } = {
  docker: getBuiltinParser('docker') as Parser,
  cri: getBuiltinParser('cri') as Parser,
};
