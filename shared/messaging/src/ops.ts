/**
 * @jetsaga/messaging/ops: what operators' tools (the CLI, the stack, tests, chaos, bench) read
 * and send. Services need none of it.
 */
export {
  STREAMS,
  ensureStreams,
  migrateLegacyConsumers,
  isLegacyFilter,
  isNotFound,
  wantedStreams,
  commandSubjects,
  unlistedInstance,
  DEFAULT_STREAM_SETTINGS,
  type StreamSettings,
  type StreamsOutcome,
  type WantedStream,
} from './nats/provision.js';
export { deadLetterCounts } from './nats/stream-usage.js';
export {
  streamSettingsFromEnv,
  streamSettings,
  kitSettings,
  serviceConfigFromEnv,
  loadServiceSettings,
  deprecationMessage,
  parseDurationMs,
  parseByteSize,
} from './service/config.js';
export {
  defineSettings,
  setting,
  renderSettingsTable,
  SETTINGS_BEGIN,
  SETTINGS_END,
  SettingsError,
  type Deprecation,
  type SettingSpec,
  type SettingsSchema,
} from './settings-schema.js';
export { acquireWriterLock, holderOf, writerInfoPath, writerLockPath, type WriterInfo, type WriterLock } from './sqlite/writer-lock.js';
export { kitMetricNames } from './observe/metrics.js';
export { serviceSubscriptions, subscriptionsOf, type Subscription } from './service/subscriptions.js';
export { instanceIdFromEnv, instanceIdSetting, instanceIdVariable } from './service/instances.js';
export { readStream, headerRecord } from './nats/read-stream.js';
export { listDeadLetters, redriveDeadLetter, dropDeadLetter, type DeadLetterEntry } from './ops/dead-letters.js';
export { readSagaEvents, type StoredEvent } from './ops/saga-events.js';
export {
  collectSides,
  discoverServices,
  listSagas,
  queryService,
  QueryError,
  sagaSteps,
  servicesOnBroker,
  STATUS_LIMITS,
  systemStatus,
  type DiscoveredService,
  type SagaListing,
  type ServiceHealth,
  type SystemStatus,
} from './ops/service-queries.js';
export { readSagaTrace, traceEvents, traceSteps, type SagaLink, type SagaTrace, type TraceDeadLetter, type TraceEvent, type TraceStep } from './ops/saga-trace.js';
export { cancelCommands, cancelSaga, type CancelOutcome } from './ops/intervene.js';
export { openLocalService, type LocalService } from './ops/local-service.js';
export { sendCommand, commandPublication, publishEnvelope, type SendOptions } from './outbound/send-command.js';
export { JetStreamPublisher, type Publication, type PubAck } from './outbound/jetstream-publisher.js';
export { traceIdOf } from './observe/trace-context.js';
export { createLogger, type Logger } from './observe/logger.js';
export { DEFAULT_DATA_DIR } from './service/config.js';
export { DEFAULT_NATS_URL, connectionOptions, describeAccess, natsAccessFromEnv, natsSettings, parseServers, type NatsAccess } from './nats/connection-options.js';
export { openServiceDb, type ServiceDb, type Synchronous } from './sqlite/open-db.js';
export { markPartition } from './sqlite/partition-mark.js';
export { checkPartitionMapping } from './nats/partition-mapping.js';
export { defaultRetryPolicy, retryDelayMs } from './consume/retry-policy.js';
export { startService, type RunningService } from './service/start-service.js';
