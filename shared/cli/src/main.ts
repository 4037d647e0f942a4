import { exitCodeOf } from './cli-kit.js';
import { buildProgram } from './program.js';

const program = buildProgram();
try {
  await program.parseAsync();
} catch (err) {
  const code = exitCodeOf(err);
  // commander has printed its own errors (and the help) already
  if (!(err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('commander.'))) console.error(`jetsaga: ${(err as Error).message}`);
  process.exit(code);
}
