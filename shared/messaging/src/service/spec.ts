import assert from 'node:assert/strict';
import { createEnvelope, type DataOf, type MessageType, type Partition } from '@jetsaga/events';
import type { Decision, Message, ReactContext, TimerDue } from './define.js';

type Router<State, In, Changes, Settings> = (state: State, input: In, ctx: ReactContext<Settings>) => Decision<Changes>;

export interface SpecOptions<Settings> {
  settings: Settings;
  /** Default: 2024-05-01T12:00:00Z. */
  now?: Date;
  /** The partition the router runs as (`ctx.partition`); default none. */
  partition?: Partition;
}

/**
 * Given / when / then for a service's router (after emmett's DeciderSpecification):
 * `spec.given(state).when(input).then(decision)`, or `.thenNothing()` for an input that must
 * change nothing. Ids from `ctx.newId()` are `id-1`, `id-2`, ... in each `when`.
 */
export function routerSpec<State, In, Changes, Settings>(react: Router<State, In, Changes, Settings>, options: SpecOptions<Settings>) {
  return {
    given(state: State) {
      return {
        when(input: In, at: { now?: Date; settings?: Partial<Settings>; partition?: Partition } = {}) {
          const decide = (): Decision<Changes> => {
            let n = 0;
            const ctx: ReactContext<Settings> = {
              now: at.now ?? options.now ?? SPEC_NOW,
              settings: { ...options.settings, ...at.settings },
              newId: () => `id-${++n}`,
              partition: at.partition ?? options.partition,
            };
            return react(state, input, ctx);
          };
          return {
            then(expected: Decision<Changes>): void {
              assert.deepEqual(normalized(decide()), normalized(expected));
            },
            thenNothing(): void {
              assert.deepEqual(normalized(decide()), {});
            },
            /** The decision itself, for assertions of its own. */
            decision: decide,
          };
        },
      };
    },
  };
}

export const SPEC_NOW = new Date('2024-05-01T12:00:00.000Z');

/** An input message as a router receives it (a valid envelope; its data is validated). */
export function message<T extends MessageType>(type: T, data: DataOf<T>, sagaId: string | null = null): Message<T> {
  return createEnvelope(type, data, { producer: 'spec', sagaId, now: SPEC_NOW, id: 'msg-1' }) as unknown as Message<T>;
}

/** A due timer as a router receives it. */
export function timerDue<K extends string>(type: K, key: string, payload: unknown = null): TimerDue<K> {
  return { type, key, payload };
}

/** A decision without its empty parts: `{ events: [] }` and `{}` both mean "nothing". */
function normalized<C>(d: Decision<C>): Decision<C> {
  const out: Decision<C> = {};
  if (d.changes !== undefined) out.changes = d.changes;
  if (d.events?.length) out.events = d.events;
  if (d.arm?.length) out.arm = d.arm;
  if (d.disarm?.length) out.disarm = d.disarm;
  if (d.mismatch !== undefined) out.mismatch = d.mismatch;
  return out;
}
