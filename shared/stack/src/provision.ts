import { connect } from 'nats';
import { checkPartitionMapping, connectionOptions, createLogger, ensureStreams, type Logger, migrateLegacyConsumers, type NatsAccess, type StreamSettings, streamSettingsFromEnv, wantedStreams } from '@jetsaga/messaging/ops';

/**
 * Creates (or brings up to date) the streams, and moves the durables of a release before keys
 * were in subjects to their new filters, as the admin: what `jetsaga provision` runs.
 * `settings`: the streams' limits (default: JETSAGA_EVENTS_MAX_AGE... of this process).
 */
export async function provisionStreams(admin: NatsAccess, settings: StreamSettings = streamSettingsFromEnv(process.env), log: Logger = createLogger('provision')): Promise<void> {
  const nc = await connect({ ...connectionOptions(admin), timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, wantedStreams(settings), log);
    await migrateLegacyConsumers(jsm, log);
  } finally {
    await nc.close();
  }
}

/** Checks, as the admin, that the broker maps subjects to `partitions` partitions (checkPartitionMapping); throws saying how to fix it. */
export async function checkBrokerPartitions(admin: NatsAccess, partitions: number): Promise<void> {
  const nc = await connect({ ...connectionOptions(admin), timeout: 5000 });
  try {
    await checkPartitionMapping(nc, partitions);
  } finally {
    await nc.close();
  }
}
