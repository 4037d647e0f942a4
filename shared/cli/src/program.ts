import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '@jetsaga/stack';
import { bashCompletion, examples, output } from './cli-kit.js';
import { registerBuild } from './commands/build.js';
import { registerConsole } from './commands/console.js';
import { registerDemo } from './commands/demo.js';
import { registerDlq } from './commands/dlq.js';
import { registerInfra } from './commands/infra.js';
import { registerOrder } from './commands/order.js';
import { registerProvision } from './commands/provision.js';
import { registerRepartition } from './commands/repartition.js';
import { registerPublish } from './commands/publish.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerRun } from './commands/run.js';
import { registerSaga } from './commands/saga.js';
import { registerSagas } from './commands/sagas.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus } from './commands/status.js';
import { registerTrace } from './commands/trace.js';
import { registerTransfer } from './commands/transfer.js';
import { registerUp } from './commands/up.js';

/** The version of this release (the repository's package.json). */
export const cliVersion: string = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The `jetsaga` command tree. Commander's own errors (unknown option, missing argument) are
 * thrown rather than exiting, so that main.ts gives them exit code 2 (see cli-kit.ts EXIT).
 */
export function buildProgram(): Command {
  const program = new Command('jetsaga')
    .description('a choreographed order saga over NATS JetStream')
    .version(cliVersion, '-V, --version', 'print the version and exit')
    .option('--json', 'machine-readable output (JSON) from any command')
    .option('--nats <url>', 'NATS server (default: $NATS_URL, else the one `jetsaga up` runs, else nats://127.0.0.1:4222)')
    .option('--data-dir <dir>', 'data directory (default: $JETSAGA_DATA_DIR or ./.jetsaga): where `jetsaga up` keeps its files and keys')
    .option('--creds <file>', 'NATS credentials file (default: $NATS_CREDS)')
    .option('--nkey <file>', "file holding an nkey seed (default: $NATS_NKEY, else the stack's operator key in <data dir>/auth)")
    .option('--user <user>', 'NATS user (default: $NATS_USER)')
    .option('--password <password>', 'NATS password (default: $NATS_PASSWORD)')
    .option('--token <token>', 'NATS token (default: $NATS_TOKEN)')
    .option('--tlsca <file>', 'CA certificate to trust (default: $NATS_CA)')
    .option('--tlscert <file>', 'client certificate (default: $NATS_CERT)')
    .option('--tlskey <file>', 'client key (default: $NATS_KEY)')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok; 1 failure (the broker unreachable, a command refused, a saga not finished in time); 2 usage error; 3 `status` or `reconcile` found something that needs attention.',
    );
  examples(program, ['jetsaga up', 'jetsaga order place --customer c1 --item sku-1:2:1500', 'jetsaga status --json', 'source <(jetsaga completion)']);

  registerUp(program);
  registerDemo(program);
  registerOrder(program);
  registerTransfer(program);
  registerSeed(program);
  registerProvision(program);
  registerRepartition(program);
  registerInfra(program);
  registerRun(program);
  registerBuild(program);
  registerPublish(program);
  registerTrace(program);
  registerDlq(program);
  registerStatus(program);
  registerSagas(program);
  registerSaga(program);
  registerReconcile(program);
  registerConsole(program);
  examples(
    program
      .command('completion')
      .description('print a bash completion script for jetsaga (zsh: run `autoload bashcompinit && bashcompinit` first)')
      .action((_o, cmd: Command) => output(cmd, { shell: 'bash', script: bashCompletion(program) }, (v) => v.script)),
    ['source <(jetsaga completion)        # this shell', 'jetsaga completion > /etc/bash_completion.d/jetsaga'],
  );
  return program;
}
