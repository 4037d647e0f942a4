import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '@jetsaga/stack';
import type { TestStack } from './harness.js';

/** Debian's chromium (apt-get install chromium; .ci/run installs it), never a browser playwright downloads. */
export const CHROMIUM = '/usr/bin/chromium';

/** `jetsaga console --port 0 --json` as a child process: its URL from the JSON line it prints. */
export async function startConsoleCli(t: TestStack): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(join(repoRoot, 'node_modules/.bin/jetsaga'), ['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, '--json', 'console', '--port', '0'], { cwd: repoRoot });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`jetsaga console exited ${code}: ${stderr}`)));
  });
  return { url, child };
}

/** Headless Chromium as the brief says: no sandbox (root in CI), no GPU, nothing fetched in the background. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The texts of a saga page's event rows' type column, in order. */
export function eventTypes(page: Page): Promise<string[]> {
  return page.locator('[data-testid="event-row"] td:nth-child(4) summary').allTextContents();
}
