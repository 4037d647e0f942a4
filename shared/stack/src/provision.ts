import { connect } from 'nats';
import { connectionOptions, createLogger, ensureStreams, type Logger, type NatsAccess, type StreamSettings, streamSettingsFromEnv, wantedStreams } from '@jetsaga/messaging/ops';

/**
 * Creates (or brings up to date) the streams, as the admin: what `jetsaga provision` runs.
 * `settings`: the streams' limits (default: JETSAGA_EVENTS_MAX_AGE... of this process).
 */
export async function provisionStreams(admin: NatsAccess, settings: StreamSettings = streamSettingsFromEnv(process.env), log: Logger = createLogger('provision')): Promise<void> {
  const nc = await connect({ ...connectionOptions(admin), timeout: 5000 });
  try {
    await ensureStreams(await nc.jetstreamManager(), wantedStreams(settings), log);
  } finally {
    await nc.close();
  }
}
