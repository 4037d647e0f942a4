import { z } from 'zod';
import { KitError } from './errors.js';

/**
 * Settings described once: each environment variable the project reads has a name, a type, a
 * default, its bounds and a description, here. The same description parses it at start (a bad
 * value is one line naming the variable and what it wants) and renders the README's settings
 * table (`npm run settings:doc`).
 */
export interface SettingSpec<V = unknown> {
  readonly name: string;
  /** Former names, still read (with a warning naming the new one) until the next release. */
  readonly deprecated: readonly string[];
  /** What the value is, for the table: `integer >= 1 (ms)`, `duration`, `` `OFF` \| `FULL` ``. */
  readonly type: string;
  /** What a value must be, for an error: `an integer >= 1 (milliseconds)`. */
  readonly wants: string;
  /** The value when the variable is unset or empty (undefined: none). */
  readonly fallback: V;
  /** The default as the table shows it (markdown). */
  readonly defaultDoc: string;
  readonly description: string;
  /** A wrong value is not repeated in the error (passwords, tokens). */
  readonly secret: boolean;
  /** Parses a set, non-empty value. */
  readonly schema: z.ZodType<V>;
}

/** A former name that was read: `ignored` when the new name is set as well. */
export interface Deprecation {
  old: string;
  name: string;
  ignored: boolean;
}

export interface ReadOptions {
  /** Defaults by variable name (as the environment would give them) that win over the specs' own: a service's own defaults. */
  defaults?: Readonly<Record<string, string>>;
}

/** A group of settings parsed together; it may nest other groups. */
export interface SettingsSchema<T> {
  /** Every variable it reads, nested groups included, in order. */
  readonly specs: readonly SettingSpec[];
  /** Parses every setting; throws a SettingsError listing every bad one. */
  read(env: NodeJS.ProcessEnv, options?: ReadOptions): { value: T; deprecated: Deprecation[] };
  /** `read(...).value`. */
  parse(env: NodeJS.ProcessEnv, options?: ReadOptions): T;
}

export interface SettingProblem {
  /** The variable as it was set (a deprecated name when that was the one). */
  setting: string;
  message: string;
}

/** One or more settings are wrong: the message is one line, every problem in it. */
export class SettingsError extends KitError {
  constructor(readonly problems: readonly SettingProblem[]) {
    super('config', problems.map((p) => p.message).join('; '));
    this.name = 'SettingsError';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Field = SettingSpec<any> | SettingsSchema<any>;
type Shape = Record<string, Field>;
export type ValuesOf<S extends Shape> = { [K in keyof S]: S[K] extends SettingSpec<infer V> ? V : S[K] extends SettingsSchema<infer V> ? V : never };
export type SettingsOf<S> = S extends SettingsSchema<infer T> ? T : never;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const isSchema = (f: Field): f is SettingsSchema<any> => 'read' in f;

/**
 * A group of settings: `shape` names each spec (or nested group) by the key of its value;
 * `finish` shapes the values (and may throw a config KitError when they do not go together).
 */
export function defineSettings<S extends Shape>(shape: S): SettingsSchema<ValuesOf<S>>;
export function defineSettings<S extends Shape, T>(shape: S, finish: (values: ValuesOf<S>, env: NodeJS.ProcessEnv) => T): SettingsSchema<T>;
export function defineSettings<S extends Shape, T>(shape: S, finish?: (values: ValuesOf<S>, env: NodeJS.ProcessEnv) => T): SettingsSchema<T> {
  const specs: SettingSpec[] = Object.values(shape).flatMap((f): readonly SettingSpec[] => (isSchema(f) ? f.specs : [f]));
  const read = (env: NodeJS.ProcessEnv, options: ReadOptions = {}) => {
    const values: Record<string, unknown> = {};
    const problems: SettingProblem[] = [];
    const deprecated: Deprecation[] = [];
    for (const [key, field] of Object.entries(shape)) {
      if (isSchema(field)) {
        try {
          const r = field.read(env, options);
          values[key] = r.value;
          deprecated.push(...r.deprecated);
        } catch (err) {
          if (!(err instanceof SettingsError)) throw err;
          problems.push(...err.problems);
        }
        continue;
      }
      const r = readSpec(field, env, options);
      if (r.deprecated) deprecated.push(r.deprecated);
      if (r.problem) problems.push(r.problem);
      else values[key] = r.value;
    }
    if (problems.length) throw new SettingsError(problems);
    if (!finish) return { value: values as T, deprecated };
    try {
      return { value: finish(values as ValuesOf<S>, env), deprecated };
    } catch (err) {
      if (err instanceof KitError && err.code === 'config') throw new SettingsError([{ setting: '', message: err.message }]);
      throw err;
    }
  };
  return { specs, read, parse: (env, options) => read(env, options).value };
}

function readSpec(spec: SettingSpec, env: NodeJS.ProcessEnv, options: ReadOptions): { value?: unknown; problem?: SettingProblem; deprecated?: Deprecation } {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const old = spec.deprecated.find(set);
  const deprecated = old ? { old, name: spec.name, ignored: set(spec.name) } : undefined;
  const source = set(spec.name) ? spec.name : old;
  const raw = source ? env[source]! : options.defaults?.[spec.name];
  if (raw === undefined || raw === '') return { value: spec.fallback, deprecated };
  const parsed = spec.schema.safeParse(raw);
  if (parsed.success) return { value: parsed.data, deprecated };
  const what = source === undefined ? `${spec.name}'s default for this service` : source === spec.name ? spec.name : `${source} (now ${spec.name})`;
  const shown = spec.secret ? '' : `, not "${raw}"`;
  return { problem: { setting: source ?? spec.name, message: `${what} must be ${spec.wants}${shown}` }, deprecated };
}

interface Common<V> {
  description: string;
  deprecated?: readonly string[];
  default?: V;
  /** How the table shows the default, when not the value itself. */
  defaultDoc?: string;
}

function spec<V>(name: string, o: Common<V>, parts: { type: string; wants: string; schema: z.ZodType<V>; secret?: boolean; show?: (v: V) => string }): SettingSpec<V> {
  const shown = o.default === undefined ? '(none)' : `\`${parts.show ? parts.show(o.default) : String(o.default)}\``;
  return {
    name,
    deprecated: o.deprecated ?? [],
    type: parts.type,
    wants: parts.wants,
    fallback: o.default as V,
    defaultDoc: o.defaultDoc ?? shown,
    description: o.description,
    secret: parts.secret ?? false,
    schema: parts.schema,
  };
}

/** A schema for a value parsed by `parse`, which returns undefined when the text is not one. */
function parsing<V>(parse: (raw: string) => V | undefined): z.ZodType<V> {
  return z.string().transform((raw, ctx) => {
    let value: V | undefined;
    try {
      value = parse(raw);
    } catch {
      value = undefined;
    }
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'invalid' });
      return z.NEVER;
    }
    return value;
  }) as unknown as z.ZodType<V>;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 24 * 3600_000 };
const byteUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** `30d`, `12h`, `90m`, `45s`, `500ms` in milliseconds; `0` is 0 (no limit). Undefined when not one. */
export function parseDurationMs(raw: string): number | undefined {
  if (raw.trim() === '0') return 0;
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(raw);
  return m ? Number(m[1]) * durationUnits[m[2]!.toLowerCase()]! : undefined;
}

/** `4GiB`, `512MB`, `1G`, `1048576` in bytes, 1024-based as nats-server reads them. Undefined when not one. */
export function parseByteSize(raw: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? byteUnits[m[2]!.toLowerCase()] : undefined;
  const value = m && unit !== undefined ? Number(m[1]) * unit : undefined;
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

const formatDuration = (ms: number) => {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3600_000], ['m', 60_000], ['s', 1000]] as const) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
};
const formatSize = (bytes: number) => {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
};

type IntOptions = Common<number> & { min?: number; max?: number; unit?: string };
type Choice<C extends string> = Common<C>;

/** The kinds of setting: each knows how to parse its text and how to say what it wants. */
export const setting = {
  integer<O extends IntOptions>(name: string, o: O): SettingSpec<O extends { default: number } ? number : number | undefined> {
    const min = o.min ?? 0;
    const bounds = `>= ${min}${o.max !== undefined ? ` and <= ${o.max}` : ''}`;
    const unit = o.unit ? ` (${o.unit})` : '';
    const schema = z
      .string()
      .trim()
      .regex(/^[+-]?\d+$/)
      .transform(Number)
      .pipe(z.number().int().min(min).max(o.max ?? Number.MAX_SAFE_INTEGER));
    return spec(name, o, { type: `integer ${bounds}${unit}`, wants: `an integer ${bounds}${unit}`, schema }) as never;
  },

  /** A duration with its unit (`30d`, `12h`, `90m`, `45s`, `500ms`; `0`), in milliseconds. */
  duration<O extends Common<number>>(name: string, o: O & { zero?: string }): SettingSpec<O extends { default: number } ? number : number | undefined> {
    const zero = o.zero ? ` or 0 (${o.zero})` : '';
    const type = `duration: \`500ms\`, \`45s\`, \`90m\`, \`12h\`, \`30d\`${o.zero ? `; \`0\`: ${o.zero}` : ''}`;
    return spec(name, o, { type, wants: `a duration like 30d, 12h, 90m, 45s or 500ms${zero}`, schema: parsing(parseDurationMs), show: formatDuration }) as never;
  },

  /** A size in bytes, 1024-based (`4GiB`, `512MiB`, `64M`, or bytes). */
  size<O extends Common<number>>(name: string, o: O & { zero?: string }): SettingSpec<O extends { default: number } ? number : number | undefined> {
    const zero = o.zero ? ` or 0 (${o.zero})` : '';
    const type = `size: \`64M\`, \`512MiB\`, \`4GiB\` (1024-based) or bytes${o.zero ? `; \`0\`: ${o.zero}` : ''}`;
    return spec(name, o, { type, wants: `a size like 4GiB, 512MiB, 64M or bytes${zero}`, schema: parsing(parseByteSize), show: formatSize }) as never;
  },

  /** One of `choices`, in any case. */
  choice<const C extends string, O extends Choice<C>>(name: string, choices: readonly C[], o: O): SettingSpec<O extends { default: C } ? C : C | undefined> {
    const byLower = new Map(choices.map((c) => [c.toLowerCase(), c]));
    return spec(name, o, {
      type: choices.map((c) => `\`${c}\``).join(' \\| '),
      wants: `one of ${choices.join(', ')}`,
      schema: parsing((raw) => byLower.get(raw.trim().toLowerCase())),
    }) as never;
  },

  /** Any text: a path, a name, flags. */
  text<O extends Common<string> & { type?: string; secret?: boolean }>(name: string, o: O): SettingSpec<O extends { default: string } ? string : string | undefined> {
    return spec(name, o, { type: o.type ?? 'text', wants: `a ${o.type ?? 'text'}`, schema: z.string(), secret: o.secret }) as never;
  },

  /** An http(s) URL. */
  url<O extends Common<string>>(name: string, o: O): SettingSpec<O extends { default: string } ? string : string | undefined> {
    const schema = z.string().trim().pipe(z.url({ protocol: /^https?$/ }));
    return spec(name, o, { type: 'URL', wants: 'an http(s) URL like http://127.0.0.1:4318', schema }) as never;
  },

  /** A value of its own form: `parse` returns undefined (or throws) when the text is not one. */
  custom<V, O extends Common<V> & { type: string; wants: string }>(
    name: string,
    o: O,
    parse: (raw: string) => V | undefined,
    show?: (v: V) => string,
  ): SettingSpec<O extends { default: V } ? V : V | undefined> {
    return spec(name, o, { type: o.type, wants: o.wants, schema: parsing(parse), show }) as never;
  },
};

export const SETTINGS_BEGIN = '<!-- settings:begin (generated from the settings schemas by `npm run settings:doc`; edit those, not this table) -->';
export const SETTINGS_END = '<!-- settings:end -->';

/**
 * The README's settings table: one row per variable. `defaultNotes` adds to a row's default
 * (a service's own default), by variable name.
 */
export function renderSettingsTable(specs: readonly SettingSpec[], defaultNotes: Readonly<Record<string, string>> = {}): string {
  const cell = (s: string) => s.replace(/\n/g, ' ');
  const rows = specs.map((s) => {
    const dflt = defaultNotes[s.name] ? `${s.defaultDoc}; ${defaultNotes[s.name]}` : s.defaultDoc;
    const was = s.deprecated.length ? ` (was ${s.deprecated.map((d) => `\`${d}\``).join(', ')})` : '';
    return `| \`${s.name}\` | ${cell(s.type)} | ${cell(dflt)} | ${cell(s.description)}${was} |`;
  });
  return [SETTINGS_BEGIN, '', '| variable | type | default | what |', '| --- | --- | --- | --- |', ...rows, '', SETTINGS_END].join('\n');
}
