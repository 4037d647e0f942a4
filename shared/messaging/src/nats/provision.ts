import { commandFilter, defaultInstances, type InstancedService, isInstanced, messages, parseInstanceName } from '@jetsaga/events';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  millis,
  nanos,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { KitError } from '../errors.js';
import { retryUntil } from './retry-until.js';
import type { Logger } from '../observe/logger.js';

export const STREAMS = { events: 'EVENTS', commands: 'COMMANDS', dlq: 'DLQ' } as const;
/** The broker drops a re-published Nats-Msg-Id seen within this window; the inbox covers the rest. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** Limits of a limits-retention stream; 0 = no limit. */
export interface StreamLimits {
  maxAgeMs: number;
  maxBytes: number;
}

/** What provisioning wants the streams to be, besides what the kit fixes (names, subjects, retention). */
export interface StreamSettings {
  events: StreamLimits;
  dlq: StreamLimits;
  /** num_replicas of every stream (1 on a single server). */
  replicas: number;
  /**
   * The instances of each service run once per instance (JETSAGA_BANKS: `a,b`): COMMANDS takes
   * the command subjects of these (`cmd.bank-a.Deposit.>`, `cmd.bank-b.Deposit.>`) and no other.
   */
  instances: Readonly<Record<InstancedService, readonly string[]>>;
}

const DAY_MS = 24 * 3600_000;
const GiB = 1024 ** 3;

/**
 * EVENTS: 30 days or 4 GiB; DLQ: 30 days or 1 GiB. 5 GiB in all, which nats-server reserves
 * from its JetStream storage (`max_file_store`, 10G in infra/nats): see the README.
 */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  events: { maxAgeMs: 30 * DAY_MS, maxBytes: 4 * GiB },
  dlq: { maxAgeMs: 30 * DAY_MS, maxBytes: 1 * GiB },
  replicas: 1,
  instances: defaultInstances,
};

/** A stream as provisioning wants it: every field here is compared with the broker's. */
export type WantedStream = Pick<
  StreamConfig,
  'name' | 'subjects' | 'retention' | 'storage' | 'discard' | 'num_replicas' | 'duplicate_window' | 'max_age' | 'max_bytes'
>;

/**
 * `cmd.<owner>.<Type>.>` of every command the contract knows, and for a command to a service run
 * once per instance, `cmd.<owner>-<id>.<Type>.>` of each instance listed: COMMANDS takes nothing
 * else (a deposit to a bank that is not listed fails at once: no stream takes it).
 */
export function commandSubjects(instances: StreamSettings['instances'] = DEFAULT_STREAM_SETTINGS.instances): string[] {
  const owners = (owner: string): string[] => (isInstanced(owner) ? instances[owner].map((id) => `${owner}-${id}`) : [owner]);
  return [...new Set(messages.filter((m) => m.kind === 'command').flatMap((m) => owners(m.owner).map((o) => commandFilter(o, m.type))))].sort();
}

/**
 * Why `service` may not run with these settings: an instance (`bank-c`) that JETSAGA_BANKS does
 * not list would wait for command subjects no provisioning makes, or (where it may update the
 * streams) take them from the others' view. Undefined when it may.
 */
export function unlistedInstance(service: string, settings: StreamSettings): string | undefined {
  const instance = parseInstanceName(service);
  if (!instance || settings.instances[instance.kind].includes(instance.id)) return undefined;
  const variable = `JETSAGA_${instance.kind.toUpperCase()}S`;
  return `${service} is not among ${variable} (${settings.instances[instance.kind].join(',')}): list it there for every process (services, \`jetsaga provision\`), so that COMMANDS takes its commands`;
}

/** EVENTS, COMMANDS and DLQ as `settings` want them. */
export function wantedStreams(settings: StreamSettings): WantedStream[] {
  const common = { storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: settings.replicas, duplicate_window: nanos(DUPLICATE_WINDOW_MS) };
  const limits = (l: StreamLimits) => ({ max_age: nanos(l.maxAgeMs), max_bytes: l.maxBytes > 0 ? l.maxBytes : -1 });
  return [
    // Limits retention: several services read each event, and trace/replay read them later.
    { ...common, name: STREAMS.events, subjects: ['evt.>'], retention: RetentionPolicy.Limits, ...limits(settings.events) },
    // Only known commands: a publish to any other cmd.* subject finds no stream (503) instead of
    // being stored forever with no consumer. No limits: a work queue holds what is not done yet.
    { ...common, name: STREAMS.commands, subjects: commandSubjects(settings.instances), retention: RetentionPolicy.Workqueue, max_age: 0, max_bytes: -1 },
    { ...common, name: STREAMS.dlq, subjects: ['dlq.>'], retention: RetentionPolicy.Limits, ...limits(settings.dlq) },
  ];
}

/** One setting of a stream that differs from the wanted one. */
export interface StreamChange {
  stream: string;
  field: keyof WantedStream;
  from: unknown;
  to: unknown;
}

const updatable = ['subjects', 'max_age', 'max_bytes', 'num_replicas', 'duplicate_window', 'discard'] as const;
const fixed = ['retention', 'storage'] as const;

/** The updatable settings of `existing` that differ from `wanted` (subjects compared as sets). */
export function streamChanges(existing: Partial<StreamConfig>, wanted: WantedStream): StreamChange[] {
  const changes: StreamChange[] = [];
  for (const field of updatable) {
    const from = existing[field];
    const to = wanted[field];
    const same = Array.isArray(to) ? sameSet((from as string[] | undefined) ?? [], to) : from === to;
    if (!same) changes.push({ stream: wanted.name, field, from, to });
  }
  return changes;
}

/** Wanted subjects that no subject of the stream covers (a consumer filtering on one would be refused). */
export function missingSubjects(existing: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((w) => !existing.some((e) => subjectCovers(e, w)));
}

/** Whether every subject `subject` matches is matched by `pattern` (NATS wildcards in both). */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i < s.length;
    if (i >= s.length || s[i] === '>') return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** A change as people read it: `max_age unlimited -> 30d`. */
export function describeChange(c: StreamChange): string {
  return `${c.field} ${showValue(c.field, c.from)} -> ${showValue(c.field, c.to)}`;
}

export interface StreamsOutcome {
  created: string[];
  updated: string[];
  /** Differ from the wanted config, and this identity may not update them (logged at warn). */
  stale: string[];
}

/**
 * Makes the streams match `wanted`: creates what is missing, and updates what differs and may
 * be updated (subjects, limits, replicas), logging each change. What cannot be updated
 * (retention, storage) is a `stream_mismatch`. Safe to call from every process at once.
 *
 * An identity that may not create or update streams (services on a broker with permissions)
 * changes nothing: a stream that differs only in its limits is logged at warn and used as it
 * is; a missing stream, or one lacking a subject this release needs, is a `provision_pending`
 * error naming what is missing (callers wait and retry: an admin runs `jetsaga provision`).
 */
export async function ensureStreams(jsm: JetStreamManager, wanted: readonly WantedStream[], log: Logger): Promise<StreamsOutcome> {
  const outcome: StreamsOutcome = { created: [], updated: [], stale: [] };
  const pending: string[] = [];
  for (const config of wanted) {
    let existing = await streamInfo(jsm, config.name);
    if (!existing) {
      try {
        await jsm.streams.add(config);
        outcome.created.push(config.name);
        log.info({ stream: config.name, subjects: config.subjects, maxAge: showValue('max_age', config.max_age), maxBytes: showValue('max_bytes', config.max_bytes) }, `created stream ${config.name}`);
        continue;
      } catch (err) {
        if (isPermissionDenied(err)) {
          pending.push(`stream ${config.name} is missing`);
          continue;
        }
        // Another process created it between our info and add: compare with what it made.
        if (apiErrorCode(err) !== JS_ERR.streamNameInUse) throw provisionError(`stream ${config.name}`, err);
        existing = await streamInfo(jsm, config.name);
        if (!existing) throw provisionError(`stream ${config.name}`, err);
      }
    }
    const unfixable = fixed.filter((f) => existing!.config[f] !== config[f]);
    if (unfixable.length > 0) {
      const what = unfixable.map((f) => `${f} is "${existing!.config[f]}", wanted "${config[f]}"`).join(', ');
      throw new KitError('stream_mismatch', `stream ${config.name}: ${what}; that cannot be updated: back up and delete the stream to re-create it`);
    }
    const changes = streamChanges(existing.config, config);
    if (changes.length === 0) continue;
    try {
      await jsm.streams.update(config.name, Object.fromEntries(changes.map((c) => [c.field, c.to])));
    } catch (err) {
      if (!isPermissionDenied(err)) throw provisionError(`stream ${config.name}`, err);
      const differs = changes.map(describeChange).join('; ');
      const missing = missingSubjects(existing.config.subjects ?? [], config.subjects);
      if (missing.length > 0) {
        pending.push(`stream ${config.name} lacks subjects ${missing.join(', ')} (differs: ${differs})`);
      } else {
        outcome.stale.push(config.name);
        log.warn(
          { stream: config.name, changes: changes.map(describeChange) },
          `stream ${config.name} differs from the wanted config (${differs}) and this identity may not update streams: used as it is until an admin runs \`jetsaga provision\``,
        );
      }
      continue;
    }
    outcome.updated.push(config.name);
    for (const c of changes) log.info({ stream: c.stream, setting: c.field, from: c.from, to: c.to }, `stream ${c.stream}: ${describeChange(c)}`);
    warnIfTruncated(existing, config, log);
  }
  if (pending.length > 0) {
    throw new KitError('provision_pending', `${pending.join('; ')}; this identity may not create or update streams: waiting for an admin to run \`jetsaga provision\``);
  }
  return outcome;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw provisionError(`stream ${name}`, err);
  }
}

/** New limits below what a stream holds drop its oldest messages at once: say so. */
function warnIfTruncated(before: StreamInfo, wanted: WantedStream, log: Logger): void {
  const { bytes, first_ts, messages } = before.state;
  const overBytes = wanted.max_bytes > 0 && bytes > wanted.max_bytes;
  const oldestMs = messages > 0 ? Date.now() - Date.parse(first_ts) : 0;
  const overAge = wanted.max_age > 0 && oldestMs > millis(wanted.max_age);
  if (overBytes || overAge) {
    log.warn(
      { stream: wanted.name, bytes, oldestAgeMs: oldestMs },
      `stream ${wanted.name} held more than its new limits (${showValue('max_bytes', bytes)}, oldest ${formatDuration(oldestMs)}): its oldest messages are dropped`,
    );
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function showValue(field: string, value: unknown): string {
  if (value === undefined) return 'unset';
  if (field === 'max_age' || field === 'duplicate_window') return value === 0 ? 'unlimited' : formatDuration(millis(value as number));
  if (field === 'max_bytes') return (value as number) < 0 ? 'unlimited' : formatBytes(value as number);
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', DAY_MS], ['h', 3600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${ms}ms`;
}

function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', GiB], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(2))} ${unit}`;
  }
  return `${n} B`;
}

export interface ConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  /** Deliveries the server attempts; the consumer loop dead-letters at its own limit first. */
  maxDeliver: number;
  maxAckPending: number;
}

/** Creates or updates a durable pull consumer so it matches `spec`. */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<void> {
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
  };
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    const c = info.config;
    if (c.filter_subject !== config.filter_subject) {
      if (c.filter_subject && isLegacyFilter(c.filter_subject, config.filter_subject)) {
        throw new KitError(
          'consumer_mismatch',
          `consumer ${spec.durable} filters "${c.filter_subject}", from before subjects carried a key: \`jetsaga provision\` (the admin) moves it to "${config.filter_subject}" where it is`,
        );
      }
      throw new KitError('consumer_mismatch', `consumer ${spec.durable} filters "${c.filter_subject}", expected "${config.filter_subject}": delete it to re-create`);
    }
    if (c.ack_wait !== config.ack_wait || c.max_deliver !== config.max_deliver || c.max_ack_pending !== config.max_ack_pending) {
      await jsm.consumers.update(spec.stream, spec.durable, { ack_wait: config.ack_wait, max_deliver: config.max_deliver, max_ack_pending: config.max_ack_pending });
    }
    return;
  } catch (err) {
    if (err instanceof KitError) throw err;
    if (!isNotFound(err)) throw provisionError(`consumer ${spec.durable}`, err);
  }
  try {
    await jsm.consumers.add(spec.stream, config);
  } catch (err) {
    throw provisionError(`consumer ${spec.durable}`, err);
  }
}

/**
 * Whether `filter` is what `wanted` was before subjects carried a key token (this release):
 * `evt.order.OrderCreated.*` for `evt.order.OrderCreated.>`, `cmd.order.PlaceOrder` for
 * `cmd.order.PlaceOrder.>`.
 */
export function isLegacyFilter(filter: string, wanted: string): boolean {
  return isLegacyShape(filter) && wanted === newFilterOf(filter);
}

/** `evt.<producer>.<Type>.*` or `cmd.<service>.<Type>`: a filter of the release before keys in subjects. */
function isLegacyShape(filter: string): boolean {
  const tokens = filter.split('.');
  return tokens[0] === 'evt' ? tokens.length === 4 && tokens[3] === '*' : tokens[0] === 'cmd' && tokens.length === 3 && !filter.includes('*');
}

/** The filter of this release for a filter of the release before keys in subjects. */
function newFilterOf(legacy: string): string {
  return legacy.startsWith('evt.') ? `${legacy.slice(0, -2)}.>` : `${legacy}.>`;
}

/**
 * Moves the durables whose filter predates the key token (`isLegacyFilter`) to the filter this
 * release wants, where they are: each is deleted and created again with the same settings,
 * delivering from the first message it had not acked (the inbox drops what it had handled but
 * not acked). Events stored before keep their subjects, which the new filter matches. Commands
 * stored under a subject without a key are not matched: drain COMMANDS before upgrading. The
 * admin runs it (`jetsaga provision`, and the stack before its services start); services may
 * not delete consumers. Returns the durables moved.
 */
export async function migrateLegacyConsumers(jsm: JetStreamManager, log: Logger): Promise<string[]> {
  const moved: string[] = [];
  for (const stream of [STREAMS.events, STREAMS.commands]) {
    let infos;
    try {
      infos = [];
      for await (const c of jsm.consumers.list(stream)) infos.push(c);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw provisionError(`the consumers of ${stream}`, err);
    }
    for (const c of infos) {
      const filter = c.config.filter_subject;
      const durable = c.config.durable_name;
      if (!filter || !durable) continue;
      if (!isLegacyShape(filter)) continue;
      const wanted = newFilterOf(filter);
      const from = c.ack_floor.stream_seq + 1;
      const { name: _name, filter_subject: _filter, deliver_policy: _policy, opt_start_seq: _seq, opt_start_time: _time, ...keep } = c.config;
      const again = { ...keep, durable_name: durable, filter_subject: wanted, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from };
      // Said before it happens: if the add fails, this is how to make it again where it was.
      log.warn({ consumer: durable, stream, config: again }, `consumer ${durable}: deleting it to make it again with filter ${wanted} from stream seq ${from}`);
      await jsm.consumers.delete(stream, durable);
      await retryUntil(`consumer ${durable} again`, () => jsm.consumers.add(stream, again), Date.now() + 30_000, log);
      log.info({ consumer: durable, stream, from: filter, to: wanted, startSeq: from }, `consumer ${durable}: filter ${filter} -> ${wanted}, from stream seq ${from}`);
      moved.push(durable);
    }
  }
  return moved;
}

/** JetStream API error codes (`err_code`) the kit tells apart. */
const JS_ERR = { streamNotFound: 10059, consumerNotFound: 10014, streamNameInUse: 10058, insufficientStorage: 10047 } as const;

function apiErrorCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } })?.api_error?.err_code;
}

/** The stream or consumer asked for does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = apiErrorCode(err);
  return code === JS_ERR.streamNotFound || code === JS_ERR.consumerNotFound;
}

/** The broker refused the request for this identity's permissions (nats.js fails the request at once). */
function isPermissionDenied(err: unknown): boolean {
  return (err as { code?: string })?.code === 'PERMISSIONS_VIOLATION';
}

function provisionError(what: string, err: unknown): KitError {
  if (apiErrorCode(err) === JS_ERR.insufficientStorage) {
    // nats-server reserves a stream's max_bytes from its JetStream storage up front.
    return new KitError(
      'config',
      `cannot provision ${what}: ${(err as Error).message}: the streams' max_bytes (JETSAGA_EVENTS_MAX_BYTES, JETSAGA_DLQ_MAX_BYTES) must fit the server's JetStream storage (max_file_store): lower them or give the server more`,
      { cause: err },
    );
  }
  return new KitError('provision_failed', `cannot provision ${what}: ${(err as Error).message}`, { cause: err });
}
