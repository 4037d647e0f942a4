import { z } from 'zod';
import type { MessageDef } from './define.js';
import { envelopeSchema } from './envelope.js';
import { messages } from './registry.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema of the envelope with `data` fixed to one message's schema. */
export function messageJsonSchema(def: MessageDef): JsonSchema {
  const schema = z.toJSONSchema(
    envelopeSchema.extend({ type: z.literal(def.type), version: z.literal(def.version), data: def.data }),
    { io: 'input' },
  ) as JsonSchema;
  return { ...schema, title: `${def.type} v${def.version}`, description: def.summary };
}

/** Every message's JSON Schema, keyed `<Type>.v<version>`. */
export function allJsonSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(messages.map((m) => [`${m.type}.v${m.version}`, messageJsonSchema(m)]));
}

/** JSON Schema of a message's `data` alone. */
export function dataJsonSchema(def: MessageDef): JsonSchema {
  return z.toJSONSchema(def.data, { io: 'input' }) as JsonSchema;
}
