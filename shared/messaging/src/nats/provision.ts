import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import { KitError } from '../errors.js';

export const STREAMS = { events: 'EVENTS', commands: 'COMMANDS', dlq: 'DLQ' } as const;
/** The broker drops a re-published Nats-Msg-Id seen within this window; the inbox covers the rest. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

function streamConfigs(): Partial<StreamConfig>[] {
  const common = { storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: 1 };
  return [
    // Limits retention: several services read each event, and trace/replay read them later.
    { ...common, name: STREAMS.events, subjects: ['evt.>'], retention: RetentionPolicy.Limits, duplicate_window: nanos(DUPLICATE_WINDOW_MS) },
    { ...common, name: STREAMS.commands, subjects: ['cmd.>'], retention: RetentionPolicy.Workqueue, duplicate_window: nanos(DUPLICATE_WINDOW_MS) },
    { ...common, name: STREAMS.dlq, subjects: ['dlq.>'], retention: RetentionPolicy.Limits, duplicate_window: nanos(DUPLICATE_WINDOW_MS) },
  ];
}

/** Creates EVENTS, COMMANDS and DLQ if missing; safe to call from every process at once. */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const config of streamConfigs()) {
    try {
      await jsm.streams.info(config.name!);
      continue;
    } catch (err) {
      if (!isNotFound(err)) throw provisionError(`stream ${config.name}`, err);
    }
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another process created it between our info and add.
      if (apiErrorCode(err) !== JS_ERR.streamNameInUse) throw provisionError(`stream ${config.name}`, err);
    }
  }
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

/** JetStream API error codes (`err_code`) the kit tells apart. */
const JS_ERR = { streamNotFound: 10059, consumerNotFound: 10014, streamNameInUse: 10058 } as const;

function apiErrorCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } })?.api_error?.err_code;
}

function isNotFound(err: unknown): boolean {
  const code = apiErrorCode(err);
  return code === JS_ERR.streamNotFound || code === JS_ERR.consumerNotFound;
}

function provisionError(what: string, err: unknown): KitError {
  return new KitError('provision_failed', `cannot provision ${what}: ${(err as Error).message}`, { cause: err });
}
