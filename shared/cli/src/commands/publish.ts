import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createEnvelope, decodeMessage, latest, type MessageType, parseSubject } from '@jetsaga/events';
import { publishEnvelope } from '@jetsaga/messaging/ops';
import { examples, output } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

/**
 * Reads a message for `subject`: a whole envelope, or just its data (then the envelope is
 * built for the subject's type). Either way it is validated before anything is sent.
 */
export function prepareMessage(subject: string, text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const parsed = parseSubject(subject);
  if (!parsed || parsed.kind === 'dlq') throw new Error(`"${subject}" is not a jetsaga subject (cmd.<service>.<Type> or evt.<producer>.<Type>.<sagaId>)`);
  const isEnvelope = typeof json === 'object' && json !== null && 'type' in json && 'data' in json;
  const candidate = isEnvelope ? json : wrap(parsed, json);
  const decoded = decodeMessage(JSON.stringify(candidate), { subject });
  if (!decoded.ok) throw new Error(`refused (${decoded.reason}): ${decoded.detail}`);
  return decoded.envelope;
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
      const envelope = prepareMessage(subject, readFileSync(file === '-' ? 0 : file, 'utf8'));
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const ack = await publishEnvelope(nc.jetstream(), subject, envelope);
        output(cmd, { type: envelope.type, id: envelope.id, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate }, () => `${envelope.type} ${envelope.id} stored in ${ack.stream} at seq ${ack.seq}${ack.duplicate ? ' (duplicate: dropped by the broker)' : ''}`);
      });
    });
  examples(cmd, ['jetsaga publish cmd.order.PlaceOrder order.json', `echo '{"sku":"sku-2","quantity":4}' | jetsaga publish cmd.inventory.SetStock -`]);
}
