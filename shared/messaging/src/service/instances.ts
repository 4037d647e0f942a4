import { type InstancedService, instanceId, instanceName } from '@jetsaga/events';
import { KitError } from '../errors.js';
import { defineSettings, setting, type SettingSpec } from '../settings-schema.js';

/** The variable naming which instance of `kind` a process runs: `JETSAGA_BANK_ID` for `bank`. */
export function instanceIdVariable(kind: InstancedService): string {
  return `JETSAGA_${kind.toUpperCase()}_ID`;
}

/** The setting of `instanceIdVariable(kind)`, for the README's table. */
export function instanceIdSetting(kind: InstancedService): SettingSpec<string | undefined> {
  return setting.custom(
    instanceIdVariable(kind),
    {
      type: 'instance id',
      wants: 'an id of 1-16 characters of a-z 0-9',
      defaultDoc: '(none: required)',
      description: `${kind}: which ${kind} the process runs (\`a\`: \`${kind}-a\`, its own db \`${kind}-a.db\`, subjects \`cmd.${kind}-a.>\` and \`evt.${kind}-a.>\`); the stack sets it for each of \`JETSAGA_${kind.toUpperCase()}S\``,
    },
    (raw) => (instanceId.safeParse(raw.trim()).success ? raw.trim() : undefined),
  );
}

/**
 * The instance of `kind` this process runs, from `JETSAGA_<KIND>_ID` (`JETSAGA_BANK_ID=a`:
 * `a`, the service runs as `bank-a`). Throws a SettingsError when it is unset or not an id.
 */
export function instanceIdFromEnv(kind: InstancedService, env: NodeJS.ProcessEnv = process.env): string {
  const variable = instanceIdVariable(kind);
  const id = defineSettings({ id: instanceIdSetting(kind) }, ({ id }) => {
    if (id === undefined) throw new KitError('config', `${variable} is not set: it names the ${kind} this process runs (e.g. ${variable}=a for ${instanceName(kind, 'a')})`);
    return id;
  });
  return id.parse(env);
}
