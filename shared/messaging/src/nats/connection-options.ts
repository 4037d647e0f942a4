import { readFileSync } from 'node:fs';
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from 'nats';
import { KitError } from '../errors.js';
import { defineSettings, type SettingsSchema, setting } from '../settings-schema.js';

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

/** How to reach NATS, as the `nats` CLI names it (NATS_URL comma-separated, NATS_CREDS, NATS_NKEY, ...). */
export const natsSettings: SettingsSchema<NatsAccess> = defineSettings({
  servers: setting.custom(
    'NATS_URL',
    {
      type: 'URL list',
      wants: 'one or more nats:// URLs, comma-separated',
      default: [DEFAULT_NATS_URL],
      defaultDoc: '(start a local server) / `nats://127.0.0.1:4222` for a service run alone',
      description: 'broker; several servers comma-separated (a cluster: the client fails over)',
    },
    (raw) => parseServers(raw),
  ),
  creds: setting.text('NATS_CREDS', { type: 'path', description: 'a creds file (JWT + seed) the service (or the CLI) connects with' }),
  nkey: setting.text('NATS_NKEY', {
    type: 'path',
    defaultDoc: "(none; the stack's own broker: the service's key in `<data dir>/auth/`)",
    description: 'a file holding an nkey seed (`SU...`): who the service is',
  }),
  user: setting.text('NATS_USER', { type: 'text', description: 'user name (with `NATS_PASSWORD`)' }),
  password: setting.text('NATS_PASSWORD', { type: 'text', secret: true, description: 'password of `NATS_USER`' }),
  token: setting.text('NATS_TOKEN', { type: 'text', secret: true, description: 'a token the service (or the CLI) connects with' }),
  ca: setting.text('NATS_CA', { type: 'path', description: 'TLS: CA to trust' }),
  cert: setting.text('NATS_CERT', { type: 'path', description: 'TLS: client certificate' }),
  key: setting.text('NATS_KEY', { type: 'path', description: 'TLS: client key' }),
});

/** NATS_URL (comma-separated), NATS_CREDS, NATS_NKEY, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CA, NATS_CERT, NATS_KEY. */
export function natsAccessFromEnv(env: NodeJS.ProcessEnv, fallbackUrl = DEFAULT_NATS_URL): NatsAccess {
  return natsSettings.parse(env, { defaults: { NATS_URL: fallbackUrl } });
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
  return access.servers.map(withoutCredentials).join(',');
}

/** A server URL without the user and password it may carry (`nats://user:pass@host`). */
function withoutCredentials(server: string): string {
  try {
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    if (!url.username && !url.password) return server;
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return server.replace(/\/\/[^@/]*@/, '//');
  }
}
