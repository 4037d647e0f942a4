import { MAX_PARTITIONS } from '@jetsaga/events';
import { type Command, CommanderError } from 'commander';

/**
 * The CLI's exit codes (README: "Exit codes"): 0 all went well; 1 something failed (the broker
 * unreachable, a command refused, a saga not finished in time); 2 the command line is wrong;
 * 3 `status` or `reconcile` found something that needs attention.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, attention: 3 } as const;

/** A command line that cannot be right (a bad value, a missing argument): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A whole number of at least `min` from a command's argument; a UsageError (exit 2, said on stderr) otherwise. */
export function wholeNumber(value: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`"${value}" is not a whole number >= ${min}`);
  return n;
}

/** A partition count (1 to MAX_PARTITIONS) given to `flag`; a UsageError otherwise. */
export function partitionCount(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) throw new UsageError(`${flag} wants a number of partitions from 1 to ${MAX_PARTITIONS}, not "${value}"`);
  return n;
}

/** The exit code for what a command threw. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    // commander.executeSubCommandAsync and the like are failures; the rest (unknown option, missing argument, invalid argument...) are usage errors
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof UsageError) return EXIT.usage;
  return EXIT.failure;
}

/** Whether `--json` was given (a global option: it works before or after the command). */
export function wantsJson(cmd: Command): boolean {
  return Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);
}

/** Prints `value` as JSON with --json, else the text `human` makes of it. */
export function output<T>(cmd: Command, value: T, human: (v: T) => string): void {
  console.log(wantsJson(cmd) ? JSON.stringify(value, null, 2) : human(value));
}

/** Examples shown at the end of a command's --help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

/** A duration like 30s, 10m, 2h, 1d, 500ms, or 0: milliseconds. */
export function parseDuration(value: string): number {
  if (value === '0') return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!m) throw new UsageError(`"${value}" is not a duration like 30s, 10m, 2h, 1d`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

/** Every command of the tree, with its full name (`dlq redrive`). */
export function allCommands(program: Command): { name: string; cmd: Command }[] {
  const out: { name: string; cmd: Command }[] = [];
  const walk = (c: Command, prefix: string) => {
    for (const sub of c.commands) {
      const name = `${prefix}${sub.name()}`;
      out.push({ name, cmd: sub });
      walk(sub, `${name} `);
    }
  };
  walk(program, '');
  return out;
}

/**
 * A bash completion script for the command tree (zsh: `autoload bashcompinit; bashcompinit`
 * first): commands and subcommands, then each one's options.
 */
export function bashCompletion(program: Command): string {
  const root = program.name();
  const globals = program.options.map((o) => o.long).filter(Boolean);
  const entries = allCommands(program).map(({ name, cmd }) => {
    const words = [...cmd.commands.map((c) => c.name()), ...cmd.options.map((o) => o.long).filter(Boolean), ...globals, '--help'];
    return `    ["${name}"]="${words.join(' ')}"`;
  });
  const top = [...program.commands.map((c) => c.name()), ...globals, '--help', '--version'];
  return [
    `# ${root} completion for bash (zsh: autoload bashcompinit && bashcompinit first): source <(${root} completion)`,
    `_${root}_complete() {`,
    '  local cur path="" i p words',
    '  local -A W=(',
    ...entries,
    '  )',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in -*) ;; *) path="${path:+$path }${COMP_WORDS[i]}" ;; esac',
    '  done',
    `  words="${top.join(' ')}"`,
    '  p="$path"',
    '  while [[ -n "$p" ]]; do',
    '    if [[ -n "${W[$p]+x}" ]]; then words="${W[$p]}"; break; fi',
    '    [[ "$p" == *" "* ]] || break',
    '    p="${p% *}"',
    '  done',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    `complete -o default -F _${root}_complete ${root}`,
    '',
  ].join('\n');
}
