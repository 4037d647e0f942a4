import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { connectionOptions, DEFAULT_DATA_DIR, describeAccess, DEFAULT_NATS_URL, type NatsAccess, natsAccessFromEnv, parseServers } from '@jetsaga/messaging/ops';
import { authDir, inboxPrefixOf } from '@jetsaga/stack';

/** The global options: where the broker is and who we are to it (as the `nats` CLI names them). */
export interface GlobalOptions {
  nats?: string;
  dataDir?: string;
  creds?: string;
  nkey?: string;
  user?: string;
  password?: string;
  token?: string;
  tlsca?: string;
  tlscert?: string;
  tlskey?: string;
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

/**
 * Who the CLI is to the broker: flags, then the NATS_* environment, then, for the stack that
 * `jetsaga up` runs from this data dir, its key for `identity` (`<data dir>/auth/<identity>.nk`).
 */
export function resolveAccess(options: GlobalOptions, identity = 'operator'): NatsAccess {
  const env = natsAccessFromEnv(process.env);
  const flags: Partial<NatsAccess> = {
    creds: options.creds,
    nkey: options.nkey,
    user: options.user,
    password: options.password,
    token: options.token,
    ca: options.tlsca,
    cert: options.tlscert,
    key: options.tlskey,
  };
  // Field by field: a flag wins over its variable, the other variables still count.
  const given = { ...env, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const stackKey = join(authDir(dataDirOf(options)), `${identity}.nk`);
  const credentials = given.creds || given.nkey || given.user || given.token ? {} : existsSync(stackKey) ? { nkey: stackKey } : {};
  return { ...given, ...credentials, servers: parseServers(resolveNatsUrl(options)), inboxPrefix: inboxPrefixOf(identity) };
}

export async function connectCli(options: GlobalOptions, identity = 'operator'): Promise<NatsConnection> {
  const access = resolveAccess(options, identity);
  try {
    return await connect({ ...connectionOptions(access), timeout: 3000 });
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${describeAccess(access)} (${(err as Error).message}). Is \`npm start\` running, or NATS_URL set?`);
  }
}

/** Runs `work` with a connection and always closes it. */
export async function withNats<T>(options: GlobalOptions, work: (nc: NatsConnection) => Promise<T>, identity = 'operator'): Promise<T> {
  const nc = await connectCli(options, identity);
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}
