import { Command } from 'commander';
import { registerBuild } from './commands/build.js';
import { registerDemo } from './commands/demo.js';
import { registerOrder } from './commands/order.js';
import { registerInfra } from './commands/infra.js';
import { registerProvision } from './commands/provision.js';
import { registerPublish } from './commands/publish.js';
import { registerRun } from './commands/run.js';
import { registerDlq } from './commands/dlq.js';
import { registerSagas } from './commands/sagas.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus } from './commands/status.js';
import { registerTrace } from './commands/trace.js';
import { registerUp } from './commands/up.js';

const program = new Command('jetsaga')
  .description('a choreographed order saga over NATS JetStream')
  .option('--nats <url>', 'NATS server (default: $NATS_URL, else the one `jetsaga up` runs, else nats://127.0.0.1:4222)')
  .option('--data-dir <dir>', 'data directory (default: $JETSAGA_DATA_DIR or ./.jetsaga)')
  .option('--creds <file>', 'NATS credentials file (default: $NATS_CREDS)')
  .option('--nkey <file>', 'file holding an nkey seed (default: $NATS_NKEY, else the stack\'s operator key in <data dir>/auth)')
  .option('--user <user>', 'NATS user (default: $NATS_USER)')
  .option('--password <password>', 'NATS password (default: $NATS_PASSWORD)')
  .option('--token <token>', 'NATS token (default: $NATS_TOKEN)')
  .option('--tlsca <file>', 'CA certificate to trust (default: $NATS_CA)')
  .option('--tlscert <file>', 'client certificate (default: $NATS_CERT)')
  .option('--tlskey <file>', 'client key (default: $NATS_KEY)')
  .showHelpAfterError();

registerUp(program);
registerDemo(program);
registerOrder(program);
registerSeed(program);
registerProvision(program);
registerInfra(program);
registerRun(program);
registerBuild(program);
registerPublish(program);
registerTrace(program);
registerDlq(program);
registerStatus(program);
registerSagas(program);

try {
  await program.parseAsync();
} catch (err) {
  console.error(`jetsaga: ${(err as Error).message}`);
  process.exit(1);
}
