import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { DEFAULT_DATA_DIR, DEFAULT_NATS_URL } from '@jetsaga/messaging/ops';

export interface GlobalOptions {
  nats?: string;
  dataDir?: string;
}

export function dataDirOf(options: GlobalOptions): string {
  return resolve(options.dataDir ?? process.env.JETSAGA_DATA_DIR ?? DEFAULT_DATA_DIR);
}

/** Where `jetsaga up|demo` writes the URL of the nats-server it started. */
export function natsUrlFile(dataDir: string): string {
  return join(dataDir, 'nats.url');
}

/** --nats, then NATS_URL, then the server `jetsaga up` is running, then the default port. */
export function resolveNatsUrl(options: GlobalOptions): string {
  if (options.nats) return options.nats;
  if (process.env.NATS_URL) return process.env.NATS_URL;
  const file = natsUrlFile(dataDirOf(options));
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  return DEFAULT_NATS_URL;
}

export async function connectCli(options: GlobalOptions): Promise<NatsConnection> {
  const url = resolveNatsUrl(options);
  try {
    return await connect({ servers: url, timeout: 3000 });
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${url} (${(err as Error).message}). Is \`npm start\` running, or NATS_URL set?`);
  }
}

/** Runs `work` with a connection and always closes it. */
export async function withNats<T>(options: GlobalOptions, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connectCli(options);
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}
