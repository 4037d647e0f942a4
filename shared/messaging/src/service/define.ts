import type { Envelope, MessageType, Partition, ServiceInstanceName } from '@jetsaga/events';
import type { Logger } from '../observe/logger.js';
import type { SettingsSchema } from '../settings-schema.js';
import type { ServiceDb } from '../sqlite/open-db.js';
import type { Decision, Input, ReactContext } from '../step/decision.js';
import type { ServiceConfig } from './config.js';
import type { ServiceQueries } from './queries.js';

export type { Decision, Input, Message, ReactContext, TimerDue } from '../step/decision.js';

/**
 * Which messages a partition takes: those whose saga token maps to it (`saga`), whose key
 * token does (`key`), or every one (`all`: the router then acts on its own part of each).
 */
export type PartitionBy = 'saga' | 'key' | 'all';

/** The service's drizzle db, inside the transaction the kit holds open for a step. */
export type ServiceTx<S extends Record<string, unknown>> = ServiceDb<S>;

export interface WorkerEnv<Settings = unknown> {
  db: ServiceDb;
  log: Logger;
  config: ServiceConfig;
  settings: Settings;
}

/** Background work of the service's own (e.g. delivering notifications), woken after each commit. */
export interface Worker {
  start(): void;
  /** Something was committed: look for work now rather than at the next poll. */
  wake(): void;
  /** Finish the work in hand and stop. */
  stop(): Promise<void>;
}

/**
 * A service: its tables, what it subscribes to, and the three functions the kit runs in one
 * transaction per input: `load` the state the input needs, `react` (pure) to decide, `save`
 * the decision's changes. The kit writes the events to the outbox and arms the timers.
 */
export interface ServiceDefinition<
  Tx = ServiceDb,
  T extends MessageType = MessageType,
  K extends string = string,
  State = unknown,
  Changes = unknown,
  Settings = unknown,
> {
  /**
   * The name it runs as: its service's (`order`), or for a service run once per instance the
   * instance's (`bank-a`, see `instanceIdFromEnv`): its subjects, consumers, db and identity.
   */
  name: ServiceInstanceName;
  /** The service's own drizzle tables (the kit's tables are the kit's). */
  schema: Record<string, unknown>;
  migrationsFolder: string;
  /**
   * How it splits into partitions (JETSAGA_PARTITION, docs/partitions.md): by the saga token of
   * what it takes (`saga`: order, notification, customer, transfer) or by its key token (`key`:
   * payment and loyalty by customer). Without it the service runs as one process only.
   */
  partitionBy?: PartitionBy | ((type: T) => PartitionBy);
  /** The message types it subscribes to: one durable consumer each. */
  messages: readonly T[];
  /**
   * Partitioned, of a message it takes at every partition (`partitionBy` `all`): whether it is
   * this partition's (inventory: the order names one of its skus). One that is not is acked
   * without a step. It must not depend on state: the answer is the same on every delivery.
   */
  partitionTakes?: (message: Envelope, partition: Partition) => boolean;
  /**
   * Re-partitioning (`jetsaga repartition`): for each of its own tables, the SQL expression (over
   * the row) whose value places the row: its partition is that of the value, like a subject
   * token's. A comma-separated value places a copy in the partition of each (inventory's
   * reservations follow their lines' skus).
   */
  partitionKeys?: Readonly<Record<string, string>>;
  /** Types it takes only when it runs as partitions (inventory: its parts' answers), besides `messages`. */
  partitionMessages?: readonly T[];
  /** The kinds of timer its router handles. */
  timers?: readonly K[];
  /** Its own settings (`defineSettings`), parsed from the environment once, at start, with the kit's. */
  settings: SettingsSchema<Settings>;
  /**
   * Its defaults for kit settings, by variable name, where the kit's do not fit it (payment,
   * which holds money: `{ JETSAGA_SQLITE_SYNCHRONOUS: 'FULL' }`). The variable still overrides.
   */
  settingDefaults?: Readonly<Record<string, string>>;
  load(tx: Tx, input: Input<T, K>): State;
  react(state: State, input: Input<T, K>, ctx: ReactContext<Settings>): Decision<Changes>;
  save(tx: Tx, changes: Changes, now: number): void;
  workers?: (env: WorkerEnv<Settings>) => Worker[];
  /**
   * What it answers over NATS about its own records, besides its status and step log (which the
   * kit answers for every service): its sagas if it owns some, its side of each saga and its own
   * invariants (for `jetsaga reconcile`). Pure reads of its db.
   */
  queries?: ServiceQueries<Tx>;
}

/** A definition with its types erased: what the kit's machinery runs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyServiceDefinition = ServiceDefinition<any, any, any, any, any, any>;

/** Type-checks a service definition: the router must handle every input the service subscribes to. */
export function defineService<Tx, T extends MessageType, K extends string, State, Changes, Settings>(
  def: ServiceDefinition<Tx, T, K, State, Changes, Settings>,
): ServiceDefinition<Tx, T, K, State, Changes, Settings> {
  return def;
}

/** Ends an exhaustive switch: a new input type the router forgot is a compile error. */
export function unhandled(input: never): never {
  throw new Error(`no route for ${(input as { type?: string })?.type}`);
}
