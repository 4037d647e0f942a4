/**
 * Replays a model counterexample (the steps run-spin.ts extracts from a spin trail) through code:
 * one handler per service, called with each step's message in the trail's order. The messages
 * are the ones the code itself emitted earlier in the replay (not invented from the trail), so
 * a step whose event the code never emitted shows where code and model part ways.
 *
 * A handler is anything that takes a message and returns the events it emits, or null when the
 * code has no such input at that point (a timer that is not armed): the in-memory services of
 * test/model/in-memory.ts, which run the services' `react(state, input, ctx)` routers.
 */

/** One step of a trail: which service handled which message (or fired which timer) for which order. */
export interface ReplayStep {
  service: string;
  messageType: string;
  orderId: string;
  kind: 'command' | 'event' | 'timer';
}

/** What a handler is given: a command (data from the scenario), an event (as emitted), or a fired timer. */
export interface ReplayInput {
  kind: ReplayStep['kind'];
  type: string;
  orderId: string;
  data: unknown;
  /** An event's producer as the handler that emitted it said (e.g. `bank-a`), when it said. */
  producer?: string;
}

/** An event a handler emitted: its type and data (data.orderId, or data.transferId, names its saga), and who emitted it. */
export interface EmittedEvent {
  type: string;
  data: unknown;
  producer?: string;
}

/** The events a handler emitted; null: the code has no such input now (a timer not armed, or fired already). */
export type ServiceHandler = (input: ReplayInput) => readonly EmittedEvent[] | null;
export type ServiceHandlers = Readonly<Record<string, ServiceHandler>>;

export interface ReplayOptions {
  /** The data of a command step (e.g. PlaceOrder of the scenario's order). */
  command: (step: ReplayStep) => unknown;
  /**
   * true (default): a step whose event the code never emitted (or whose timer the code has not
   * armed) throws ReplayDivergence. false: the step is skipped and reported in the result.
   */
  strict?: boolean;
  /** Called after every step (e.g. to check invariants that hold in every state). */
  afterStep?: (step: ReplayStep, index: number) => void;
}

export interface ReplayedStep {
  step: ReplayStep;
  /** False when the step's event was never emitted by the code, or its timer not armed (non-strict replays only). */
  delivered: boolean;
  emitted: EmittedEvent[];
}

export interface ReplayResult {
  steps: ReplayedStep[];
  /** Every event the code emitted, in order. */
  emitted: EmittedEvent[];
  /** Steps skipped because the code never emitted their event (or never armed their timer). */
  skipped: ReplayStep[];
}

export class ReplayDivergence extends Error {
  constructor(
    readonly step: ReplayStep,
    readonly index: number,
  ) {
    super(
      `step ${index}: ${step.service} handles ${step.messageType} of ${step.orderId}, but ` +
        (step.kind === 'timer' ? 'the code has no such timer armed' : 'the code never emitted that event'),
    );
  }
}

function orderIdOf(event: EmittedEvent): string | undefined {
  const data = event.data as { orderId?: unknown; transferId?: unknown } | null;
  if (typeof data?.orderId === 'string') return data.orderId;
  return typeof data?.transferId === 'string' ? data.transferId : undefined;
}

/**
 * Runs the steps in order. An event step delivers the first event of that type and order the
 * code emitted so far (a published event stays in its stream: several consumers, and
 * redeliveries, read the same one); a command step takes its data from `options.command`;
 * a timer step hands the handler the order id (its handler says whether that timer is armed).
 */
export function replay(steps: readonly ReplayStep[], handlers: ServiceHandlers, options: ReplayOptions): ReplayResult {
  const strict = options.strict ?? true;
  const published = new Map<string, EmittedEvent[]>();
  const result: ReplayResult = { steps: [], emitted: [], skipped: [] };
  steps.forEach((step, index) => {
    const handler = handlers[step.service];
    if (!handler) throw new Error(`no handler for service ${step.service}`);
    let data: unknown;
    let producer: string | undefined;
    if (step.kind === 'command') data = options.command(step);
    else if (step.kind === 'timer') data = { orderId: step.orderId };
    else {
      const event = published.get(`${step.messageType}:${step.orderId}`)?.[0];
      if (!event) {
        if (strict) throw new ReplayDivergence(step, index);
        result.skipped.push(step);
        result.steps.push({ step, delivered: false, emitted: [] });
        return;
      }
      data = event.data;
      producer = event.producer;
    }
    const handled = handler({ kind: step.kind, type: step.messageType, orderId: step.orderId, data, ...(producer ? { producer } : {}) });
    if (handled === null) {
      if (strict) throw new ReplayDivergence(step, index);
      result.skipped.push(step);
      result.steps.push({ step, delivered: false, emitted: [] });
      return;
    }
    const emitted = [...handled];
    for (const e of emitted) {
      const key = `${e.type}:${orderIdOf(e) ?? ''}`;
      published.set(key, [...(published.get(key) ?? []), e]);
    }
    result.emitted.push(...emitted);
    result.steps.push({ step, delivered: true, emitted });
    options.afterStep?.(step, index);
  });
  return result;
}
