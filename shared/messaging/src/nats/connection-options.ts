import { readFileSync } from 'node:fs';
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from 'nats';
import { KitError } from '../errors.js';

/** How to reach and authenticate to NATS: the `nats` CLI's settings, from flags or the environment. */
export interface NatsAccess {
  /** One or more servers (NATS_URL, comma-separated). */
  servers: string[];
  /** A creds file (JWT + seed), NATS_CREDS. */
  creds?: string;
  /** A file holding an nkey seed (`SU...`), NATS_NKEY. */
  nkey?: string;
  user?: string;
  password?: string;
  token?: string;
  /** TLS: CA to trust, client certificate and key (NATS_CA, NATS_CERT, NATS_KEY). */
  ca?: string;
  cert?: string;
  key?: string;
  /** Reply subjects of this client: a broker with permissions lets each identity read only its own. */
  inboxPrefix?: string;
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** NATS_URL (comma-separated), NATS_CREDS, NATS_NKEY, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CA, NATS_CERT, NATS_KEY. */
export function natsAccessFromEnv(env: NodeJS.ProcessEnv, fallbackUrl = DEFAULT_NATS_URL): NatsAccess {
  const pick = (name: string) => (env[name] ? env[name] : undefined);
  return {
    servers: parseServers(env.NATS_URL ?? fallbackUrl),
    creds: pick('NATS_CREDS'),
    nkey: pick('NATS_NKEY'),
    user: pick('NATS_USER'),
    password: pick('NATS_PASSWORD'),
    token: pick('NATS_TOKEN'),
    ca: pick('NATS_CA'),
    cert: pick('NATS_CERT'),
    key: pick('NATS_KEY'),
  };
}

export function parseServers(value: string): string[] {
  const servers = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new KitError('config', 'NATS_URL names no server');
  return servers;
}

/** nats.js connection options for `access`: authenticator, user/password or token, TLS. */
export function connectionOptions(access: NatsAccess): ConnectionOptions {
  const options: ConnectionOptions = { servers: access.servers };
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new KitError('config', `cannot read the ${what} file ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  if (access.creds) options.authenticator = credsAuthenticator(read('NATS creds', access.creds));
  else if (access.nkey) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(read('nkey seed', access.nkey).toString().trim()));
  if (access.user) Object.assign(options, { user: access.user, pass: access.password ?? '' });
  if (access.token) options.token = access.token;
  if (access.ca || access.cert || access.key) {
    options.tls = { ...(access.ca ? { caFile: access.ca } : {}), ...(access.cert ? { certFile: access.cert } : {}), ...(access.key ? { keyFile: access.key } : {}) };
  }
  if (access.inboxPrefix) options.inboxPrefix = access.inboxPrefix;
  return options;
}

/** The servers, for logs and errors (no secrets). */
export function describeAccess(access: NatsAccess): string {
  return access.servers.join(',');
}
