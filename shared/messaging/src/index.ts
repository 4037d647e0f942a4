/**
 * @jetsaga/messaging: what a service author needs. Define a service (its tables, the messages
 * and timers it reacts to, load / react / save), test its router given / when / then, and run
 * it. Operators' tools read `@jetsaga/messaging/ops`.
 */
export {
  defineService,
  unhandled,
  type AnyServiceDefinition,
  type Decision,
  type Input,
  type Message,
  type PartitionBy,
  type ReactContext,
  type ServiceDefinition,
  type ServiceTx,
  type TimerDue,
  type Worker,
  type WorkerEnv,
} from './service/define.js';
export { armedTimerDueAt, sagasPage, sidesPage, type SagaSource, type ServiceQueries, type SideSource } from './service/queries.js';
export { routerSpec, message, timerDue, SPEC_NOW, type SpecOptions } from './service/spec.js';
export { runServiceMain } from './service/run-main.js';
export { instanceIdFromEnv, instanceIdSetting } from './service/instances.js';
export type { ServiceConfig } from './service/config.js';
export {
  defineSettings,
  setting,
  type SettingSpec,
  type SettingsOf,
  type SettingsSchema,
  SettingsError,
} from './settings-schema.js';
export type { TimerRef, TimerRequest } from './step/timer-rows.js';
export { excluded, placeholder, preparedQuery } from './sqlite/prepared.js';
export type { ServiceDb } from './sqlite/open-db.js';
export { WakeLoop } from './outbound/wake-loop.js';
export { defaultRetryPolicy, retryDelayMs } from './consume/retry-policy.js';
export { createLogger, type Logger } from './observe/logger.js';
export { KitError, type KitErrorCode } from './errors.js';
