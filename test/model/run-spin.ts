/**
 * Runs spin over test/model/saga.pml and test/model/transfer.pml (issue 17): generates the verifier (spin -a), compiles it
 * (gcc), runs safety (exhaustive, -DSAFETY: assertions, invalid end states, quiescence) and
 * liveness (pan -a -f: the `live` LTL claim under weak fairness), and prints states explored,
 * depth, errors and the result of each run. On an error it replays the trail (spin -t -p) and
 * extracts the message sequence as JSON ({service, messageType, orderId} steps) that
 * test/model/replay.ts can drive through the code.
 *
 *   node --import tsx test/model/run-spin.ts                    the full configurations, safety and liveness
 *   node --import tsx test/model/run-spin.ts --saga transfer    only the transfer saga (test/model/transfer.pml; or --saga order)
 *   node --import tsx test/model/run-spin.ts --saga parts       inventory as partitions: one order across two (test/model/parts.pml)
 *   node --import tsx test/model/run-spin.ts --bounded          small budgets: about a minute
 *   node --import tsx test/model/run-spin.ts --safety | --liveness   only one kind of run
 *   node --import tsx test/model/run-spin.ts --config kept-holds      one configuration
 *   node --import tsx test/model/run-spin.ts --broken tombstone|double-charge|no-inbox|kept-cross[,...]
 *   node --import tsx test/model/run-spin.ts --broken freeze-tombstone|credit-tombstone|failed-confirm   (transfer.pml)
 *   node --import tsx test/model/run-spin.ts ... --crash N --dup N   other budgets (crashes before an ack, relay re-publishes)
 *   node --import tsx test/model/run-spin.ts ... --json out.json     also write the counterexamples
 *   node --import tsx test/model/run-spin.ts ... --keep              keep the work dir (pan.c, trail, trail.txt)
 *
 * Exits 1 when any run reports an error (a broken rule should), 2 on a usage or tool error.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MODEL = fileURLToPath(new URL('./saga.pml', import.meta.url));
/** The model of each saga: the order saga (saga.pml) and the transfer saga (transfer.pml). */
export const MODELS = {
  order: MODEL,
  transfer: fileURLToPath(new URL('./transfer.pml', import.meta.url)),
  parts: fileURLToPath(new URL('./parts.pml', import.meta.url)),
} as const;
export type Saga = keyof typeof MODELS;

type Defines = Record<string, number | true>;

export interface ModelConfig {
  name: string;
  /** Which model: saga.pml (order) or transfer.pml (transfer); order when absent. */
  saga?: Saga;
  about: string;
  defines: Defines;
}

/** The scenarios; the budgets (MAXCRASH, MAXDUP) are added per run set. */
export const CONFIGS: Record<string, ModelConfig> = {
  'two-orders': {
    name: 'two-orders',
    about: 'two orders of one customer, one unit of stock, money for one order',
    defines: {},
  },
  'kept-holds': {
    name: 'kept-holds',
    about: 'two-orders with kept holds (STOCK_RELEASE_DELAY_MS > 0)',
    defines: { KEPT: true },
  },
  'kept-partial': {
    name: 'kept-partial',
    about: 'kept holds; order o0 of 2 units, o1 of 1, two units of stock, money for 2 (a re-order takes part of a kept hold)',
    defines: { KEPT: true, STOCK: 2, QTY0: 2, WALLET: 2 },
  },
  'two-customers': {
    name: 'two-customers',
    about: 'kept holds; o0 and o1 of customer c0, o2 of customer c1, one unit of stock, money for one order each',
    defines: { KEPT: true, NORD: 3, OTHER_FROM: 2 },
  },
  // transfer.pml: t0 and t1 of amount 1, both from a:alice, who deposited 1 (money for one of them)
  'two-transfers': {
    name: 'two-transfers',
    saga: 'transfer',
    about: 'transfers t0, t1 from a:alice (money for one) to b:bob',
    defines: {},
  },
  'same-bank': {
    name: 'same-bank',
    saga: 'transfer',
    about: 't0 from a:alice to b:bob, t1 from a:alice to a:carol (the same bank at both ends); money for one',
    defines: { DST1: 2 },
  },
  'refused-credit': {
    name: 'refused-credit',
    saga: 'transfer',
    about: 't0 from a:alice to b:bob, t1 from a:alice to b:nobody (no such account: CreditRefused); money for one',
    defines: { DST1: 3 },
  },
};

const parts = (name: string, about: string, defines: Defines): ModelConfig => ({ name, saga: 'parts', about, defines });
// parts.pml: one order whose skus live in inventory partitions p0 and p1 (p1 decides it)
for (const c of [
  parts('parts-held', 'both partitions hold their skus, payment captures', {}),
  parts('parts-kept', 'both hold; kept holds on (a deadline or a failed payment keeps each partition\'s hold)', { KEPT: true }),
  parts('parts-short', 'p1 is short: p0 held and must release at once, kept holds on', { KEPT: true, STOCK1: 0 }),
  parts('parts-short-other', 'p0 is short (the partition that does not decide)', { STOCK0: 0 }),
  parts('parts-no-funds', 'both hold, payment fails; kept holds on', { KEPT: true, WALLET: 0 }),
]) {
  CONFIGS[c.name] = c;
}

function sagaOf(config: ModelConfig): Saga {
  return config.saga ?? 'order';
}

export type BrokenRule = 'tombstone' | 'double-charge' | 'no-inbox' | 'kept-cross' | 'freeze-tombstone' | 'credit-tombstone' | 'failed-confirm' | 'keep-on-refusal' | 'decide-early';

export const BROKEN: Record<BrokenRule, { define: string; config: string; about: string }> = {
  tombstone: { define: 'BROKEN_TOMBSTONE', config: 'two-orders', about: 'inventory ignores the CANCELLED tombstone and holds after a cancel' },
  'double-charge': { define: 'BROKEN_DOUBLE_CHARGE', config: 'two-orders', about: 'payment has no one-payment-per-order check (decideCharge)' },
  'no-inbox': { define: 'BROKEN_INBOX', config: 'two-orders', about: "payment's StockReserved consumer has no inbox (handles every redelivery)" },
  'kept-cross': { define: 'BROKEN_KEPT_CROSS', config: 'two-customers', about: 'inventory takes the kept holds of any customer' },
  'freeze-tombstone': { define: 'BROKEN_TOMBSTONE', config: 'two-transfers', about: 'the source bank ignores its CANCELLED freeze and freezes after a cancel (decideFreeze)' },
  'credit-tombstone': { define: 'BROKEN_CREDIT_TOMBSTONE', config: 'two-transfers', about: 'the destination bank ignores its CANCELLED credit and prepares it after a cancel (decidePrepareCredit)' },
  'failed-confirm': { define: 'BROKEN_FAILED_CONFIRM', config: 'two-transfers', about: "transfer's decideTryHeld confirms a FAILED transfer too (no PENDING check)" },
  'keep-on-refusal': { define: 'BROKEN_KEEP_ON_REFUSAL', config: 'parts-short', about: "an inventory partition keeps its hold for the customer when another partition refused the order (react.ts's OrderCancelled)" },
  'decide-early': { define: 'BROKEN_DECIDE_EARLY', config: 'parts-short', about: 'the deciding partition answers on the first part that answered (decidePartAnswer without waiting for every part)' },
};

export type RunMode = 'safety' | 'ltl-safety' | 'liveness';

export interface RunSpec {
  config: ModelConfig;
  mode: RunMode;
  /** MAXCRASH, MAXDUP and broken-rule defines on top of the config's. */
  extra: Defines;
  /** Shortest counterexample (pan -i); for runs expected to fail. */
  shortest?: boolean;
  /** gcc -O1 rather than -O2: compiles faster, for small state spaces. */
  quick?: boolean;
}

export interface ModelStep {
  /** order, inventory, payment (saga.pml); transfer, bank-a, bank-b (transfer.pml) */
  service: string;
  messageType: string;
  orderId: string;
  kind: 'command' | 'event' | 'timer';
}

export interface ModelOrder {
  orderId: string;
  customerId: string;
  quantity: number;
  unitPrice: number;
}

export interface ModelAccount {
  bank: string;
  accountId: string;
}

export interface ModelTransfer {
  transferId: string;
  from: ModelAccount;
  to: ModelAccount;
  amount: number;
}

/**
 * A counterexample: the scenario and the message sequence that breaks an invariant. An order
 * trail (saga.pml) has the sku, stock, wallet and orders; a transfer trail (transfer.pml) has
 * `deposits` and `transfers` (and an empty order scenario); `steps[].orderId` is the saga id.
 */
export interface Counterexample {
  model: string;
  saga: Saga;
  deposits?: Array<ModelAccount & { amount: number }>;
  transfers?: ModelTransfer[];
  config: string;
  mode: RunMode;
  defines: string[];
  /** The invariant's name (@violation), or what pan reported (e.g. "acceptance cycle"). */
  violation: string;
  /** What spin printed about the failed assertion, if it was one. */
  assertion?: string;
  sku: string;
  stock: number;
  /** Money credited to every customer's wallet. */
  wallet: number;
  /** Kept holds on (STOCK_RELEASE_DELAY_MS > 0). */
  keptHolds: boolean;
  orders: ModelOrder[];
  /** What each service handled, in order (only new messages and fired timers; duplicates the inbox dropped are not steps). */
  steps: ModelStep[];
  /** Every @-line of the trail: steps, relay duplicates, crashes before the ack, hold transfers, the violation. */
  trace: string[];
  /** The model's global variables at the end of the trail. */
  finalState: Record<string, number>;
}

export interface RunResult {
  config: string;
  mode: RunMode;
  defines: string[];
  statesStored: number;
  /** Visited states (more than stored under -f: the fairness copies). */
  statesVisited: number;
  transitions: number;
  depth: number;
  stateVectorBytes: number;
  errors: number;
  /** pan's own time; `wallSeconds` adds spin -a and gcc. */
  panSeconds: number;
  wallSeconds: number;
  memoryMb: number;
  /** False if pan stopped early (depth limit, memory, time). */
  complete: boolean;
  ok: boolean;
  error?: string;
  counterexample?: Counterexample;
  commands: string[];
}

export interface Options {
  /** Only this saga's configurations (default: both). */
  saga?: Saga;
  bounded?: boolean;
  safety?: boolean;
  liveness?: boolean;
  config?: string;
  broken?: BrokenRule[];
  /** Override the budgets of every run: crashes before an ack, relay re-publishes. */
  crash?: number;
  dup?: number;
  /** Keep the work directory (pan.c, pan, trail) and print where it is. */
  keep?: boolean;
  log?: (line: string) => void;
}

function budgets(crash: number, dup: number): Defines {
  return { MAXCRASH: crash, MAXDUP: dup };
}

/** What runs for the options: the bounded set finishes in about a minute, the full one in a few. */
export function plan(options: Options): RunSpec[] {
  if (options.broken?.length) {
    const defines: Defines = Object.fromEntries(options.broken.map((b) => [BROKEN[b].define, true]));
    const sagas = new Set(options.broken.map((b) => sagaOf(configOf(BROKEN[b].config))));
    if (sagas.size > 1) throw new UsageError('broken rules of both sagas at once: run them one saga at a time');
    const configName = options.config ?? (options.broken.includes('kept-cross') ? 'two-customers' : BROKEN[options.broken[0]!].config);
    const config = configOf(configName);
    const extra = { ...budgets(options.crash ?? 1, options.dup ?? 1), ...defines };
    const runs: RunSpec[] = [];
    if (options.safety || !options.liveness) runs.push({ config, mode: 'safety', extra, shortest: true, quick: true });
    if (options.liveness) runs.push({ config, mode: 'liveness', extra, quick: true });
    return runs;
  }
  // budgets per config: [safety crash, safety dup, liveness crash, liveness dup]
  const table: Record<string, { bounded: [number, number, number, number] | null; full: [number, number, number, number] }> = {
    'two-orders': { bounded: [1, 1, 1, 0], full: [2, 2, 1, 1] },
    'kept-holds': { bounded: [1, 1, 0, 0], full: [2, 2, 1, 1] },
    'kept-partial': { bounded: [1, 1, 0, 0], full: [2, 2, 1, 1] },
    'two-customers': { bounded: [0, 0, 0, 0], full: [1, 0, 0, 0] },
    'two-transfers': { bounded: [1, 1, 1, 0], full: [2, 1, 1, 1] },
    'same-bank': { bounded: [1, 1, 0, 0], full: [2, 1, 1, 1] },
    'refused-credit': { bounded: [1, 0, 0, 0], full: [2, 1, 1, 1] },
    // parts.pml has no crash or relay budgets: the inbox absorbs them (each consumer applies a message once)
    'parts-held': { bounded: [0, 0, 0, 0], full: [0, 0, 0, 0] },
    'parts-kept': { bounded: [0, 0, 0, 0], full: [0, 0, 0, 0] },
    'parts-short': { bounded: [0, 0, 0, 0], full: [0, 0, 0, 0] },
    'parts-short-other': { bounded: [0, 0, 0, 0], full: [0, 0, 0, 0] },
    'parts-no-funds': { bounded: [0, 0, 0, 0], full: [0, 0, 0, 0] },
  };
  const names = options.config ? [configOf(options.config).name] : Object.keys(table).filter((n) => !options.saga || sagaOf(configOf(n)) === options.saga);
  const runs: RunSpec[] = [];
  const wantSafety = options.safety || !options.liveness;
  const wantLiveness = options.liveness || !options.safety;
  for (const name of names) {
    const b = [...((options.bounded ? table[name]!.bounded : null) ?? table[name]!.full)];
    if (options.crash !== undefined) b[0] = b[2] = options.crash;
    if (options.dup !== undefined) b[1] = b[3] = options.dup;
    const config = configOf(name);
    const quick = options.bounded;
    if (wantSafety) runs.push({ config, mode: 'safety', extra: budgets(b[0]!, b[1]!), quick });
    if (wantSafety && (name === 'two-orders' || (name === 'two-transfers' && !options.bounded))) runs.push({ config, mode: 'ltl-safety', extra: budgets(options.crash ?? 1, options.dup ?? 1), quick });
    if (wantLiveness) runs.push({ config, mode: 'liveness', extra: budgets(b[2]!, b[3]!), quick });
  }
  return runs;
}

function configOf(name: string): ModelConfig {
  const config = CONFIGS[name];
  if (!config) throw new UsageError(`unknown config ${name}; one of ${Object.keys(CONFIGS).join(', ')}`);
  return config;
}

class UsageError extends Error {}

function defineFlags(defines: Defines): string[] {
  return Object.entries(defines).map(([k, v]) => (v === true ? `-D${k}` : `-D${k}=${v}`));
}

/** The scenario a run's defines describe (mirrors the macros at the top of saga.pml). */
export function scenarioOf(defines: Defines): Pick<Counterexample, 'sku' | 'stock' | 'wallet' | 'keptHolds' | 'orders'> {
  const num = (k: string, d: number) => (typeof defines[k] === 'number' ? (defines[k] as number) : d);
  const nord = num('NORD', 2);
  const otherFrom = num('OTHER_FROM', nord);
  const orders: ModelOrder[] = [];
  for (let o = 0; o < nord; o++) {
    orders.push({ orderId: orderIdOf(o), customerId: o >= otherFrom ? 'c1' : 'c0', quantity: o === 0 ? num('QTY0', 1) : 1, unitPrice: 1 });
  }
  return { sku: 'sku-1', stock: num('STOCK', 1), wallet: num('WALLET', 1), keptHolds: defines.KEPT === true, orders };
}

export function orderIdOf(index: number): string {
  return `o${index}`;
}

export function transferIdOf(index: number): string {
  return `t${index}`;
}

/** The transfer scenario of transfer.pml's defines (its macros DEP_ALICE, DST1; amounts 1; bob and carol deposited 1). */
export function transferScenarioOf(defines: Defines): { deposits: Array<ModelAccount & { amount: number }>; transfers: ModelTransfer[] } {
  const dst1 = typeof defines.DST1 === 'number' ? defines.DST1 : 1;
  const accounts: ModelAccount[] = [
    { bank: 'a', accountId: 'alice' },
    { bank: 'b', accountId: 'bob' },
    { bank: 'a', accountId: 'carol' },
    { bank: 'b', accountId: 'nobody' },
  ];
  const deposits = [
    { ...accounts[0]!, amount: typeof defines.DEP_ALICE === 'number' ? defines.DEP_ALICE : 1 },
    { ...accounts[1]!, amount: 1 },
    { ...accounts[2]!, amount: 1 },
  ];
  const transfers = [1, dst1].map((to, t) => ({ transferId: transferIdOf(t), from: { ...accounts[0]! }, to: { ...accounts[to]! }, amount: 1 }));
  return { deposits, transfers };
}

function sh(cmd: string, args: string[], cwd: string, timeoutMs: number): { out: string; status: number | null } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return { out: `${r.stdout}${r.stderr}`, status: r.status };
}

const num = (re: RegExp, text: string): number => {
  const m = re.exec(text);
  return m ? Number(m[1]) : NaN;
};

/** Reads pan's report. */
export function parsePan(out: string) {
  const head = /State-vector (\d+) byte, depth reached (\d+), errors: (\d+)/.exec(out);
  const stored = /([\d.e+]+) states, stored(?: \(([\d.e+]+) visited\))?/.exec(out);
  const errorLine = /^pan:\d+: (.*?)(?: \(at depth \d+\))?$/m.exec(out);
  const incomplete = /max search depth too small|Search not completed|out of memory|time limit/i.test(out);
  return {
    stateVectorBytes: head ? Number(head[1]) : NaN,
    depth: head ? Number(head[2]) : NaN,
    errors: head ? Number(head[3]) : NaN,
    statesStored: stored ? Number(stored[1]) : NaN,
    statesVisited: stored ? Number(stored[2] ?? stored[1]) : NaN,
    transitions: num(/([\d.e+]+) transitions/, out),
    panSeconds: num(/pan: elapsed time ([\d.e+]+) seconds/, out),
    memoryMb: num(/([\d.]+)\s+total actual memory usage/, out),
    error: errorLine?.[1],
    complete: !incomplete && head !== null,
  };
}

/** Reads the @-lines and the final globals of `spin -t -p` output. */
export function parseTrail(out: string, saga: Saga = 'order'): Pick<Counterexample, 'steps' | 'trace' | 'finalState' | 'assertion'> & { violation?: string } {
  const steps: ModelStep[] = [];
  const trace: string[] = [];
  let violation: string | undefined;
  for (const line of out.split('\n')) {
    const m = /^\s*@(\w+)\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const [, tag, rest] = m as unknown as [string, string, string];
    trace.push(`${tag} ${rest}`);
    if (tag === 'step') {
      const [service, messageType, o] = rest.split(/\s+/) as [string, string, string];
      // bank_a in Promela's names is the service bank-a
      steps.push({ service: service.replace(/_/g, '-'), messageType, orderId: saga === 'transfer' ? transferIdOf(Number(o)) : orderIdOf(Number(o)), kind: kindOf(messageType) });
    } else if (tag === 'violation') violation ??= rest;
  }
  const finalState: Record<string, number> = {};
  const tail = out.slice(out.lastIndexOf('trail ends after'));
  for (const m of tail.matchAll(/^\t\t(\w+(?:\[\d+\])?) = (-?\d+)$/gm)) finalState[m[1]!] = Number(m[2]);
  const assertion = /text of failed assertion: (.*)$/m.exec(out)?.[1];
  return { steps, trace, finalState, violation, ...(assertion ? { assertion } : {}) };
}

function kindOf(messageType: string): ModelStep['kind'] {
  if (messageType === 'PlaceOrder' || messageType === 'RequestTransfer') return 'command';
  if (messageType === 'OrderDeadline' || messageType === 'ReleaseHold' || messageType === 'TransferDeadline') return 'timer';
  return 'event';
}

/** One verification: spin -a, gcc, pan; on an error, spin -t -p and the counterexample. */
export function runOne(spec: RunSpec, options: Pick<Options, 'keep' | 'log'> = {}): RunResult {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-spin-'));
  const log = options.log ?? (() => {});
  try {
    const saga = sagaOf(spec.config);
    const file = { order: 'saga.pml', transfer: 'transfer.pml', parts: 'parts.pml' }[saga];
    copyFileSync(MODELS[saga], join(dir, file));
    const defines: Defines = { ...spec.config.defines, ...spec.extra, ...(spec.mode === 'liveness' ? { LIVENESS: true } : {}) };
    const flags = defineFlags(defines);
    const commands: string[] = [];
    const step = (cmd: string, args: string[], timeoutMs: number) => {
      commands.push([cmd, ...args].join(' '));
      return sh(cmd, args, dir, timeoutMs);
    };
    const gen = step('spin', ['-a', ...flags, file], 60_000);
    if (gen.status !== 0) throw new Error(`spin -a failed:\n${gen.out}`);
    const opt = spec.quick ? '-O1' : '-O2';
    const cc =
      spec.mode === 'liveness'
        ? [opt, '-DMEMLIM=4096']
        : spec.mode === 'ltl-safety'
          ? [opt, '-DSAFETY', '-DMEMLIM=4096']
          : [opt, '-DSAFETY', '-DNOCLAIM', '-DMEMLIM=4096', ...(spec.shortest ? ['-DREACH'] : [])];
    const build = step('gcc', [...cc, '-o', 'pan', 'pan.c'], 120_000);
    if (build.status !== 0) throw new Error(`gcc failed:\n${build.out}`);
    const panArgs =
      spec.mode === 'liveness'
        ? ['-a', '-f', '-N', 'live']
        : spec.mode === 'ltl-safety'
          ? ['-N', 'safety']
          : spec.shortest
            ? ['-i']
            : [];
    // -Q5: pan stops itself after 5 minutes; -m: depth bound (runs are finite, far below it)
    const pan = step('./pan', [...panArgs, '-n', '-m100000', '-w24', '-Q5'], 6 * 60_000);
    const report = parsePan(pan.out);
    const result: RunResult = {
      config: spec.config.name,
      mode: spec.mode,
      defines: flags,
      ...report,
      wallSeconds: (Date.now() - started) / 1000,
      ok: report.errors === 0 && report.complete,
      commands,
    };
    if (report.errors > 0) {
      const replay = step('spin', ['-t', '-p', ...flags, file], 120_000);
      writeFileSync(join(dir, 'trail.txt'), replay.out);
      const trail = parseTrail(replay.out, saga);
      result.counterexample = {
        model: `test/model/${file}`,
        saga,
        config: spec.config.name,
        mode: spec.mode,
        defines: flags,
        violation: trail.violation ?? (spec.mode === 'liveness' && /acceptance cycle/.test(report.error ?? '') ? 'live: a run ends with a saga not settled (acceptance cycle)' : (report.error ?? 'error')),
        ...(trail.assertion ? { assertion: trail.assertion } : {}),
        ...(saga === 'transfer' ? { sku: '', stock: 0, wallet: 0, keptHolds: false, orders: [], ...transferScenarioOf(defines) } : scenarioOf(defines)),
        steps: trail.steps,
        trace: trail.trace,
        finalState: trail.finalState,
      };
    }
    if (options.keep) log(`  work dir kept: ${dir}`);
    return result;
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

export function runModel(options: Options = {}): RunResult[] {
  const log = options.log ?? ((line: string) => console.log(line));
  const results: RunResult[] = [];
  for (const spec of plan(options)) {
    const label = `${spec.mode.padEnd(10)} ${spec.config.name.padEnd(14)} ${defineFlags(spec.extra).join(' ')}`;
    log(`${label} ...`);
    const r = runOne(spec, { keep: options.keep, log });
    results.push(r);
    log(formatResult(r));
  }
  return results;
}

export function formatResult(r: RunResult): string {
  const visited = r.statesVisited !== r.statesStored ? ` (${fmt(r.statesVisited)} visited)` : '';
  const verdict = r.ok ? 'OK' : r.counterexample ? `ERROR: ${r.counterexample.violation}` : `ERROR: ${r.error ?? (r.complete ? 'errors' : 'search incomplete')}`;
  const lines = [
    `  ${fmt(r.statesStored)} states${visited}, ${fmt(r.transitions)} transitions, depth ${r.depth}, errors ${r.errors}, ` +
      `pan ${r.panSeconds}s (wall ${r.wallSeconds.toFixed(1)}s), ${r.memoryMb} MB: ${verdict}`,
  ];
  if (r.counterexample) {
    lines.push(`  counterexample (${r.counterexample.steps.length} steps):`);
    for (const t of r.counterexample.trace) lines.push(`    ${t}`);
  }
  return lines.join('\n');
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

function parseArgs(argv: string[]): Options & { json?: string } {
  const options: Options & { json?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (!v) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--bounded') options.bounded = true;
    else if (a === '--safety') options.safety = true;
    else if (a === '--liveness') options.liveness = true;
    else if (a === '--keep') options.keep = true;
    else if (a === '--config') options.config = value();
    else if (a === '--saga') {
      const v = value();
      if (!(v in MODELS)) throw new UsageError(`--saga takes ${Object.keys(MODELS).join(' or ')}`);
      options.saga = v as Saga;
    }
    else if (a === '--json') options.json = value();
    else if (a === '--crash' || a === '--dup') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0 || n > 9) throw new UsageError(`${a} takes 0..9`);
      options[a === '--crash' ? 'crash' : 'dup'] = n;
    }
    else if (a === '--broken') {
      const rules = value().split(',') as BrokenRule[];
      for (const r of rules) if (!(r in BROKEN)) throw new UsageError(`unknown broken rule ${r}; one of ${Object.keys(BROKEN).join(', ')}`);
      options.broken = rules;
    } else throw new UsageError(`unknown option ${a}`);
  }
  return options;
}

function main(): void {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(String((e as Error).message));
    process.exit(2);
  }
  for (const tool of ['spin', 'gcc']) {
    if (spawnSync(tool, ['-V'], { encoding: 'utf8' }).error) {
      console.error(`${tool} not found: apt-get install -y spin gcc`);
      process.exit(2);
    }
  }
  if (options.broken) for (const b of options.broken) console.log(`broken rule ${b}: ${BROKEN[b].about}`);
  const started = Date.now();
  let results: RunResult[];
  try {
    results = runModel(options);
  } catch (e) {
    console.error(String((e as Error).message));
    process.exit(2);
  }
  const failed = results.filter((r) => !r.ok);
  const total = results.reduce((n, r) => n + r.statesStored, 0);
  console.log(
    `${results.length} runs, ${fmt(total)} states stored in all, ${((Date.now() - started) / 1000).toFixed(1)}s: ` +
      (failed.length === 0 ? 'no errors' : `${failed.length} with errors`),
  );
  const examples = results.flatMap((r) => (r.counterexample ? [r.counterexample] : []));
  if (options.json && examples.length > 0) {
    writeFileSync(resolve(options.json), `${JSON.stringify(examples.length === 1 ? examples[0] : examples, null, 2)}\n`);
    console.log(`counterexample written to ${options.json}`);
  }
  process.exit(failed.length === 0 ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
