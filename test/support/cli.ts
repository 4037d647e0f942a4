import { spawn } from 'node:child_process';
import { repoRoot } from '@jetsaga/stack';

const bin = `${repoRoot}node_modules/.bin/jetsaga`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `jetsaga` bin, with `stdin` as its input (closed at once when not given). */
export function runCli(args: string[], stdin = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
