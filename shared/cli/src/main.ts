import { Command } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerOrder } from './commands/order.js';
import { registerPublish } from './commands/publish.js';
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
  .showHelpAfterError();

registerUp(program);
registerDemo(program);
registerOrder(program);
registerSeed(program);
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
