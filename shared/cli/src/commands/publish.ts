import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createEnvelope, decodeMessage, type Envelope, latest, type MessageType, parseSubject, subjectKey } from '@jetsaga/events';
import { publishEnvelope } from '@jetsaga/messaging/ops';
import { examples, output } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

/**
 * Reads a message for `subject`: a whole envelope, or just its data (then the envelope is
 * built for the subject's type). Either way it is validated before anything is sent. A subject
 * without its key token (`cmd.order.PlaceOrder`) is completed from the message
 * (`cmd.order.PlaceOrder.<orderId>`): `subject` is where it goes.
 */
export function prepareMessage(given: string, text: string): { envelope: Envelope; subject: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const parsed = parseSubject(given);
  if (!parsed || parsed.kind === 'dlq' || parsed.partitions.length > 0) {
    throw new Error(`"${given}" is not a jetsaga subject (cmd.<service>.<Type>[.<key>] or evt.<producer>.<Type>.<sagaId>[.<key>])`);
  }
  const isEnvelope = typeof json === 'object' && json !== null && 'type' in json && 'data' in json;
  const candidate = JSON.stringify(isEnvelope ? json : wrap(parsed, json));
  const keyed = parsed.key !== null ? given : completed(given, candidate);
  const decoded = decodeMessage(candidate, { subject: keyed });
  if (!decoded.ok) throw new Error(`refused (${decoded.reason}): ${decoded.detail}`);
  return { envelope: decoded.envelope, subject: keyed };
}

/** `given` with the key token its message needs, when the message decodes (else `given`: the decoder says why not). */
function completed(given: string, candidate: string): string {
  const decoded = decodeMessage(candidate);
  return decoded.ok ? `${given}.${subjectKey(decoded.def, decoded.envelope.data)}` : given;
}

function wrap(parsed: NonNullable<ReturnType<typeof parseSubject>>, data: unknown) {
  const def = latest(parsed.type);
  if (!def) throw new Error(`unknown message type "${parsed.type}"`);
  const sagaId =
    parsed.kind === 'event' ? parsed.sagaId : def.sagaKey ? String((data as Record<string, unknown>)?.[def.sagaKey] ?? '') : null;
  const producer = parsed.kind === 'event' ? parsed.producer : 'cli';
  try {
    return createEnvelope(parsed.type as MessageType, data as never, { producer, sagaId });
  } catch (err) {
    throw new Error(`refused (invalid_data): ${(err as Error).message}`);
  }
}

export function registerPublish(program: Command): void {
  const cmd = program
    .command('publish <subject> <file>')
    .description('validate a JSON message (an envelope, or only its data) from a file or - (stdin) and publish it')
    .action(async (subject: string, file: string, _o, cmd: Command) => {
      const prepared = prepareMessage(subject, readFileSync(file === '-' ? 0 : file, 'utf8'));
      const envelope = prepared.envelope;
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const ack = await publishEnvelope(nc.jetstream(), prepared.subject, envelope);
        output(cmd, { type: envelope.type, id: envelope.id, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate }, () => `${envelope.type} ${envelope.id} stored in ${ack.stream} at seq ${ack.seq}${ack.duplicate ? ' (duplicate: dropped by the broker)' : ''}`);
      });
    });
  examples(cmd, ['jetsaga publish cmd.order.PlaceOrder order.json', `echo '{"sku":"sku-2","quantity":4}' | jetsaga publish cmd.inventory.SetStock -`]);
}
