import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repoRoot, serviceEntry, serviceFolder } from './paths.js';

/** Inside node_modules, so the bundles' imports of npm packages resolve as the sources' do. */
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'jetsaga', 'services');
const keepMs = 24 * 3600_000;

/**
 * Bundles a service's TypeScript and the workspace packages it uses into one ES module, npm
 * packages left as imports, and returns its path. A service process then runs plain
 * JavaScript: no TypeScript loader thread (about 35 MB per process) and a faster start.
 * Files are named by content, so stacks started at once, or a restart mid-run, never see a
 * half-written or a different bundle.
 *
 * With `outDir` (`jetsaga build`, the Docker image): `<outDir>/<service>.mjs` and its map, a
 * fixed name, no pruning; `jetsaga run` runs it as it is when JETSAGA_BUNDLE_DIR names that
 * directory. It must be inside the repository, where the bundle's imports find node_modules.
 */
export async function buildService(serviceName: string, options: { outDir?: string } = {}): Promise<string> {
  // One bundle per service: its instances (bank-a, bank-b) run the same code.
  const service = serviceFolder(serviceName);
  const entry = serviceEntry(service);
  const outDir = options.outDir === undefined ? cacheDir : bundleDirInRepo(options.outDir);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    sourcemap: 'linked',
    // Where the bundle goes, so the map's paths to the sources are right (nothing is written here).
    outfile: join(outDir, `${service}.mjs`),
    // Paths the service computes from its own location (its migrations) stay as in the sources.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(entry).href) },
    plugins: [
      {
        name: 'npm-packages-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@jetsaga/') ? undefined : { external: true }));
        },
      },
    ],
    logLevel: 'silent',
  });
  const output = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))!.text;
  if (options.outDir !== undefined) {
    const file = join(outDir, `${service}.mjs`);
    mkdirSync(outDir, { recursive: true });
    writeAtomically(`${file}.map`, output('.mjs.map'));
    writeAtomically(file, output('.mjs'));
    return file;
  }
  const name = `${service}-${createHash('sha256').update(output('.mjs')).digest('hex').slice(0, 16)}.mjs`;
  const file = join(cacheDir, name);
  if (existsSync(file)) {
    // In use again: not old, whatever a prune by another build decides.
    const now = new Date();
    for (const f of [file, `${file}.map`]) ignoreMissing(() => utimesSync(f, now, now));
  } else {
    mkdirSync(cacheDir, { recursive: true });
    // The map beside the bundle, for JETSAGA_NODE_ARGS=--enable-source-maps (off by default:
    // it costs memory and start time); without it stack traces name the bundle's lines.
    writeAtomically(`${file}.map`, output('.mjs.map'));
    writeAtomically(file, output('.mjs').replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${name}.map`));
  }
  pruneOld(service, file);
  return file;
}

/** The bundle `jetsaga build --out <dir>` wrote for `service`; an error saying how to make it when there is none. */
export function prebuiltBundle(dir: string, name: string): string {
  const file = join(resolve(dir), `${serviceFolder(name)}.mjs`);
  if (!existsSync(file)) throw new Error(`no bundle ${file} (JETSAGA_BUNDLE_DIR=${dir}): make it with \`jetsaga build --out ${dir}\`, or unset JETSAGA_BUNDLE_DIR to build at start`);
  return file;
}

function bundleDirInRepo(dir: string): string {
  const abs = resolve(dir);
  const rel = relative(repoRoot, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`bundle directory ${abs} is outside the repository (${repoRoot}): a bundle imports its npm packages from the repository's node_modules`);
  }
  return abs;
}

function writeAtomically(path: string, content: string): void {
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, content);
  renameSync(partial, path);
}

/** Removes this service's bundles unused for a day (other builds may be writing or pruning at once). */
function pruneOld(service: string, keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (!name.startsWith(`${service}-`) || name.endsWith('.tmp') || path.startsWith(keep)) continue;
    ignoreMissing(() => {
      if (now - statSync(path).mtimeMs > keepMs) rmSync(path, { force: true });
    });
  }
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
