import { join } from 'node:path';
import type { Command } from 'commander';
import { allServices, buildService, repoRoot } from '@jetsaga/stack';
import { output, UsageError } from '../cli-kit.js';

export const DEFAULT_BUNDLE_DIR = join(repoRoot, 'dist', 'services');

export function registerBuild(program: Command): void {
  program
    .command('build')
    .argument('[services...]', `which (default: all of ${allServices.join(', ')})`)
    .description('bundle services ahead of time, <out>/<service>.mjs: `jetsaga run` runs them as they are when JETSAGA_BUNDLE_DIR names <out> (the Docker image does)')
    .option('--out <dir>', 'where the bundles go (inside the repository: they import npm packages from its node_modules)', DEFAULT_BUNDLE_DIR)
    .addHelpText('after', '\nExamples:\n  $ jetsaga build --out dist/services && JETSAGA_BUNDLE_DIR=dist/services jetsaga run order\n\nA bundle is what the sources were when it was built: rebuild after a change, or leave JETSAGA_BUNDLE_DIR unset (then `jetsaga run` bundles at each start, into node_modules/.cache).')
    .action(async (services: string[], options: { out: string }, cmd: Command) => {
      const unknown = services.filter((s) => !(allServices as readonly string[]).includes(s));
      if (unknown.length > 0) throw new UsageError(`unknown service ${unknown.map((s) => `"${s}"`).join(', ')} (one of: ${allServices.join(', ')})`);
      const wrote: string[] = [];
      for (const service of services.length > 0 ? services : allServices) wrote.push(await buildService(service, { outDir: options.out }));
      output(cmd, { wrote }, (v) => v.wrote.map((p) => `wrote ${p}`).join('\n'));
    });
}
