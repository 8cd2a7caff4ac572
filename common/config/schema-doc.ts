import { z } from 'zod';

/**
 * Display names for schemas whose zod type says little (a size is a union+transform).
 * Keyed by the schema's `_zod.def`, which `.describe()`/`.meta()` clones share, so a name
 * registered once survives later wrapping.
 */
export const configTypeNames = {
  map: new WeakMap<object, string>(),
  set(schema: z.core.$ZodType, name: string): void {
    this.map.set(schema._zod.def, name);
  },
  get(schema: z.core.$ZodType): string | undefined {
    return this.map.get(schema._zod.def);
  },
};

export interface ConfigRow {
  /** Dotted key path; list items appear as `key[]`. */
  readonly path: string;
  readonly type: string;
  /** Default as YAML-ish text; undefined when the key has none. */
  readonly default?: string;
  readonly required: boolean;
  readonly description: string;
}

/** The fields of zod's internal defs that documentation needs; a subset, loosely typed on purpose. */
interface LooseDef {
  readonly type: string;
  readonly innerType?: z.core.$ZodType;
  readonly defaultValue?: unknown;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly element?: z.core.$ZodType;
  readonly keyType?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly values?: readonly unknown[];
  readonly in?: z.core.$ZodType;
  readonly out?: z.core.$ZodType;
  readonly getter?: () => z.core.$ZodType;
}

export function defOf(schema: z.core.$ZodType): LooseDef {
  return schema._zod.def as unknown as LooseDef;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

export interface Unwrapped {
  readonly schema: z.core.$ZodType;
  readonly description?: string;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
  readonly optional: boolean;
}

/** Peels optional/default/nullable/lazy wrappers, collecting what they add. */
export function unwrap(schema: z.core.$ZodType): Unwrapped {
  let s = schema;
  let description: string | undefined;
  let hasDefault = false;
  let defaultValue: unknown;
  let optional = false;
  for (let guard = 0; guard < 32; guard++) {
    description ??= z.globalRegistry.get(s)?.description;
    const def = defOf(s);
    if (def.type === 'default' || def.type === 'prefault') {
      if (!hasDefault) {
        hasDefault = true;
        defaultValue = def.defaultValue;
      }
    }
    if (def.type === 'optional') optional = true;
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) {
      s = def.innerType;
    } else if (def.type === 'lazy' && def.getter !== undefined) {
      s = def.getter();
    } else {
      break;
    }
  }
  return {
    schema: s,
    ...(description === undefined ? {} : { description }),
    hasDefault,
    ...(hasDefault ? { defaultValue } : {}),
    optional: optional || hasDefault,
  };
}

/** The object schema's known keys (through wrappers), or undefined when it is not an object. */
export function objectShape(schema: z.core.$ZodType): Readonly<Record<string, z.core.$ZodType>> | undefined {
  const def = defOf(unwrap(schema).schema);
  if (def.type === 'object') return def.shape;
  if (def.type === 'pipe' && def.in !== undefined) return objectShape(def.in);
  return undefined;
}

/** Follows a data path (keys and indices) into a schema, as far as it can be followed. */
export function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let s: z.core.$ZodType | undefined = schema;
  for (const key of path) {
    if (s === undefined) return undefined;
    let def = defOf(unwrap(s).schema);
    if (def.type === 'pipe' && def.in !== undefined) def = defOf(unwrap(def.in).schema);
    if (def.type === 'object') s = def.shape?.[String(key)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
  }
  return s;
}

export function typeName(schema: z.core.$ZodType): string {
  const named = configTypeNames.get(schema);
  if (named !== undefined) return named;
  const inner = unwrap(schema).schema;
  const innerNamed = configTypeNames.get(inner);
  if (innerNamed !== undefined) return innerNamed;
  const def = defOf(inner);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries ?? {})
        .map((v) => JSON.stringify(v))
        .join(' \\| ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(' \\| ');
    case 'array':
      return def.element === undefined ? 'list' : `list of ${typeName(def.element)}`;
    case 'record':
      return def.valueType === undefined ? 'map' : `map of ${typeName(def.valueType)}`;
    case 'object':
      return 'map';
    case 'union':
      return (def.options ?? []).map(typeName).join(' \\| ');
    case 'pipe':
      return def.in === undefined ? 'unknown' : typeName(def.in);
    default:
      return def.type;
  }
}

function formatDefault(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return undefined;
  return JSON.stringify(v);
}

/** One row per documented key, depth first, in schema order. */
export function configRows(schema: z.core.$ZodType, prefix = ''): ConfigRow[] {
  const rows: ConfigRow[] = [];
  const walk = (s: z.core.$ZodType, path: string): void => {
    const u = unwrap(s);
    const def = defOf(u.schema);
    if (path !== '') {
      const dflt = u.hasDefault ? formatDefault(u.defaultValue) : undefined;
      // A map with children is documented by its children; list it only when it says something.
      if (def.type !== 'object' || u.description !== undefined) {
        rows.push({
          path,
          type: typeName(s),
          ...(dflt === undefined ? {} : { default: dflt }),
          required: !u.optional,
          description: u.description ?? '',
        });
      }
    }
    if (def.type === 'object') {
      for (const [k, child] of Object.entries(def.shape ?? {})) walk(child, path === '' ? k : `${path}.${k}`);
    } else if (
      def.type === 'array' &&
      def.element !== undefined &&
      defOf(unwrap(def.element).schema).type === 'object'
    ) {
      walk(def.element, `${path}[]`);
    } else if (
      def.type === 'record' &&
      def.valueType !== undefined &&
      defOf(unwrap(def.valueType).schema).type === 'object'
    ) {
      walk(def.valueType, `${path}.<name>`);
    }
  };
  walk(schema, prefix);
  return rows;
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

/**
 * A Markdown table (`Key | Type | Default | Description`) generated from a zod schema,
 * so component READMEs document exactly what the loader accepts (Vector/Fluent Bit style).
 * Keys without a default and not optional show *required* in the Default column.
 */
export function configTable(schema: z.core.$ZodType, options: { readonly prefix?: string } = {}): string {
  const lines = ['| Key | Type | Default | Description |', '|---|---|---|---|'];
  for (const r of configRows(schema, options.prefix ?? '')) {
    const dflt = r.default !== undefined ? `\`${r.default}\`` : r.required ? '*required*' : '';
    lines.push(`| \`${r.path}\` | ${cell(r.type)} | ${cell(dflt)} | ${cell(r.description)} |`);
  }
  return lines.join('\n') + '\n';
}
