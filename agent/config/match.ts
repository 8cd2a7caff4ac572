/**
 * Fluent Bit's routing rules, compiled once per pattern because routing calls them for
 * every chunk (and per record where filters re-match):
 *
 * - `Match`: `*` matches any run of characters, dots included, possibly empty; every other
 *   character matches itself, case-sensitively; there is no `?` or character class
 *   (flb_router.c router_match). `*` alone matches every tag.
 * - `Match_Regex`: Onigmo's onig_match, i.e. anchored at the start of the tag but not at
 *   its end, and a zero-length match does not count.
 * - With both set, a tag is routed when either matches.
 */

export type TagMatcher = (tag: string) => boolean;

const ALWAYS: TagMatcher = () => true;

/** Compiles a `Match` pattern. */
export function compileMatch(pattern: string): TagMatcher {
  if (!pattern.includes('*')) return (tag) => tag === pattern;
  if (/^\*+$/.test(pattern)) return ALWAYS;
  const parts = pattern.split('*');
  const head = parts[0] ?? '';
  const tail = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    // `prefix*`, `*suffix`, `prefix*suffix`: the common shapes, without a regex.
    return (tag) => tag.length >= head.length + tail.length && tag.startsWith(head) && tag.endsWith(tail);
  }
  const re = new RegExp(`^${parts.map(escapeRegex).join('.*')}$`, 's');
  return (tag) => re.test(tag);
}

/** Compiles a `Match_Regex`; throws `SyntaxError` for an invalid regex. */
export function compileMatchRegex(source: string): TagMatcher {
  const re = new RegExp(source, 'y');
  return (tag) => {
    re.lastIndex = 0;
    const m = re.exec(tag);
    return m !== null && m[0].length > 0;
  };
}

/** The route of a filter or output: `undefined` when it has neither key (nothing matches). */
export function compileRoute(
  match: string | undefined,
  matchRegex: string | undefined,
): TagMatcher | undefined {
  const a = match === undefined ? undefined : compileMatch(match);
  const b = matchRegex === undefined ? undefined : compileMatchRegex(matchRegex);
  if (a && b) return (tag) => a(tag) || b(tag);
  return a ?? b;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Tail's tag for a file, compiled once per input (in_tail's tag_compose):
 *
 * - with `Tag_Regex`: the regex is searched in the file's full path; each `<name>` in the
 *   tag becomes that named group's value, or `_` when the group did not take part or
 *   matched nothing. A path the regex does not match gets no tag (`undefined`): Fluent Bit
 *   then refuses the file with an error, and so should the caller.
 * - otherwise, with a `*` in the tag: the first `*` becomes the path; then `/`, `\` and
 *   `:` become `.` (dropped when first), repeated dots collapse, other `*` are dropped and
 *   a trailing dot goes: `kube.*` + `/var/log/containers/a.log` → `kube.var.log.containers.a.log`.
 * - otherwise the tag is used as it is.
 */
export function compileTagExpander(tag: string, tagRegex?: string): (path: string) => string | undefined {
  if (tagRegex !== undefined) {
    const re = new RegExp(tagRegex);
    const parts = splitPlaceholders(tag);
    if (!parts.ok) throw new SyntaxError(parts.message);
    return (path) => {
      const m = re.exec(path);
      if (m === null) return undefined;
      const groups = m.groups ?? {};
      let out = '';
      for (const p of parts.parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = groups[p.name];
          out += v === undefined || v === '' ? '_' : v;
        }
      }
      return out;
    };
  }
  const star = tag.indexOf('*');
  if (star === -1) return () => tag;
  const head = tag.slice(0, star);
  const tail = tag.slice(star + 1);
  return (path) => sanitizeTag(head + path + tail);
}

function sanitizeTag(s: string): string {
  let out = '';
  for (const ch of s) {
    let c = ch;
    if (c === '/' || c === '\\' || c === ':') {
      if (out.length === 0) continue;
      c = '.';
    }
    if (c === '.' && out.endsWith('.')) continue;
    if (c === '*') continue;
    out += c;
  }
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

type TagPart = string | { readonly name: string };

/** Splits `kube.<namespace_name>.<pod_name>` into literal text and placeholders. */
export function splitPlaceholders(
  tag: string,
): { ok: true; parts: TagPart[] } | { ok: false; message: string } {
  const parts: TagPart[] = [];
  let i = 0;
  for (;;) {
    const lt = tag.indexOf('<', i);
    if (lt === -1) {
      if (i < tag.length) parts.push(tag.slice(i));
      return { ok: true, parts };
    }
    if (lt > i) parts.push(tag.slice(i, lt));
    const gt = tag.indexOf('>', lt + 1);
    const inner = gt === -1 ? '' : tag.slice(lt + 1, gt);
    if (gt === -1 || inner.includes('<')) {
      return { ok: false, message: `missing closing \`>\` in tag \`${tag}\` at position ${lt}` };
    }
    parts.push({ name: inner });
    i = gt + 1;
  }
}
