import { MAX_PARTITIONS, parseInstanceName } from '@jetsaga/events';
import { defineSettings, kitSettings, renderSettingsTable, type SettingSpec, type SettingsSchema, setting } from '@jetsaga/messaging/ops';
import { serviceDefinitions } from './service-definitions.js';

const nodeArgsSpec = setting.custom(
  'JETSAGA_NODE_ARGS',
  {
    type: 'flags',
    wants: 'node flags separated by spaces',
    default: [] as string[],
    defaultDoc: '(none)',
    description: 'extra node flags for the service processes the stack and `jetsaga run` start, after the defaults (`--max-semi-space-size=8 --heap-growing-percent=30`, which they can override), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` or `--enable-source-maps`',
  },
  (raw) => raw.split(/\s+/).filter(Boolean),
);

/** JETSAGA_NODE_ARGS alone: `jetsaga run` reads it without the stack's other settings. */
export const nodeArgsSetting: SettingsSchema<string[]> = defineSettings({ nodeArgs: nodeArgsSpec }, (v) => v.nodeArgs);

export interface StackSettings {
  /** Each service that can split runs as this many processes (docs/partitions.md). */
  partitions: number;
  /** `/metrics` of each service of the stack on its own port from here, in the order of allServices; off when unset. */
  metricsBasePort?: number;
  natsServerBin?: string;
  nodeArgs: string[];
  runTs: boolean;
  bundleDir?: string;
}

/** What the stack (`jetsaga up|demo|run`, the tests, chaos, bench) reads besides what it passes to the services. */
export const stackSettings: SettingsSchema<StackSettings> = defineSettings(
  {
    metricsBasePort: setting.integer('JETSAGA_METRICS_BASE_PORT', {
      min: 1,
      max: 65535,
      deprecated: ['METRICS_BASE_PORT'],
      defaultDoc: '(off)',
      description: '`npm start`: each service serves `/metrics`, `/healthz`, `/readyz` on its own port from this one (order 9101, inventory 9102, ... with 9101; with partitions, partition i of a service 100 i above: order-p1 9201)',
    }),
    partitions: setting.integer('JETSAGA_PARTITIONS', {
      default: 1,
      min: 1,
      max: MAX_PARTITIONS,
      description:
        '`npm start`, the tests, chaos and bench: run order, inventory, payment, loyalty, notification, customer and transfer as this many partitions each (`<service>-p<i>`, see `JETSAGA_PARTITION`), and give the stack\'s broker the subject mapping for it; the banks run as one process each',
    }),
    natsServerBin: setting.text('NATS_SERVER_BIN', { type: 'path', defaultDoc: 'PATH, then `/usr/sbin/nats-server`', description: 'the binary `demo`, `start` and the tests run' }),
    nodeArgs: nodeArgsSpec,
    runTs: setting.choice('JETSAGA_RUN_TS', ['0', '1'], { default: '0', defaultDoc: '(off)', description: "`1`: the stack runs the services' TypeScript through tsx instead of their bundles" }),
    bundleDir: setting.text('JETSAGA_BUNDLE_DIR', {
      type: 'path',
      defaultDoc: '(bundle at start)',
      description: '`jetsaga run`: run the bundles `jetsaga build --out <dir>` made there (the Docker image) instead of bundling at start',
    }),
  },
  (v): StackSettings => ({ ...v, runTs: v.runTs === '1' }),
);

/**
 * Every setting the project reads, in the README's order: the kit's (as any service reads them),
 * each service's own, the stack's; and the defaults a service sets for itself (payment's FULL).
 */
export function settingsCatalog(): { specs: SettingSpec[]; defaultNotes: Record<string, string> } {
  const seen = new Set<string>();
  const specs: SettingSpec[] = [];
  const add = (list: readonly SettingSpec[]) => {
    for (const s of list) if (!seen.has(s.name)) specs.push(s), seen.add(s.name);
  };
  add(kitSettings('<service>').specs);
  const defs = Object.values(serviceDefinitions);
  for (const def of defs) add((def.settings as SettingsSchema<unknown>).specs);
  add(stackSettings.specs);
  const defaultNotes: Record<string, string> = {};
  for (const def of defs) {
    // An instance's defaults are its kind's: `bank`, not `bank-a` and `bank-b`.
    const who = parseInstanceName(def.name)?.kind ?? def.name;
    for (const [name, value] of Object.entries(def.settingDefaults ?? {})) {
      const note = `${who}: \`${value}\``;
      if (!defaultNotes[name]?.split(', ').includes(note)) defaultNotes[name] = [defaultNotes[name], note].filter(Boolean).join(', ');
    }
  }
  return { specs, defaultNotes };
}

/** The README's settings table, between its markers (`npm run settings:doc` writes it). */
export function renderSettingsDoc(): string {
  const { specs, defaultNotes } = settingsCatalog();
  return renderSettingsTable(specs, defaultNotes);
}
