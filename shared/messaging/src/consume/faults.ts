/**
 * Fault injection for tests and chaos runs, never for production: `JETSAGA_FAULTS` lists
 * `<MessageType>:<n>` (fail the first n deliveries of each message) or `<MessageType>:always`.
 */
export type FaultPlan = ReadonlyMap<string, number | 'always'>;

export class InjectedFault extends Error {
  constructor(type: string, delivery: number) {
    super(`injected fault: ${type} delivery ${delivery}`);
    this.name = 'InjectedFault';
  }
}

export function parseFaults(spec: string | undefined): FaultPlan {
  const plan = new Map<string, number | 'always'>();
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [type, count] = part.split(':');
    if (!type || !count || (count !== 'always' && !/^\d+$/.test(count))) {
      throw new Error(`JETSAGA_FAULTS: "${part}" is not <MessageType>:<n> or <MessageType>:always`);
    }
    plan.set(type, count === 'always' ? 'always' : Number(count));
  }
  return plan;
}

/** Throws when the plan says this delivery of `type` fails. */
export function injectFault(plan: FaultPlan, type: string, delivery: number): void {
  const rule = plan.get(type);
  if (rule === 'always' || (typeof rule === 'number' && delivery <= rule)) throw new InjectedFault(type, delivery);
}
