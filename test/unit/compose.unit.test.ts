import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { allServices, identityPermissions, repoRoot, serviceDefinitions } from '@jetsaga/stack';

/**
 * infra/compose.yaml and the Dockerfile, checked without Docker: what they name exists, what
 * they run is a real service, and the image builds with the commands CI runs.
 */

const infra = join(repoRoot, 'infra');

/** The services compose must run (issue 14); others of allServices are reported when missing. */
const orderSaga = ['order', 'inventory', 'payment', 'loyalty', 'notification'];

interface Healthcheck {
  test?: string[] | string;
  disable?: boolean;
}
type Depends = string[] | Record<string, { condition?: string; required?: boolean }>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  profiles?: string[];
  environment?: Record<string, string> | string[];
  env_file?: string | (string | { path: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  secrets?: (string | { source: string; target?: string })[];
  configs?: (string | { source: string; target?: string })[];
  ports?: (string | number | { target: number; published?: string | number })[];
  networks?: string[] | Record<string, unknown>;
  depends_on?: Depends;
  healthcheck?: Healthcheck;
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string }>;
  configs?: Record<string, { file?: string }>;
}

const compose = parse(readFileSync(join(infra, 'compose.yaml'), 'utf8'), { merge: true, maxAliasCount: 1000 }) as Compose;
const services = Object.entries(compose.services);

const envOf = (s: Service): Record<string, string> =>
  Array.isArray(s.environment) ? Object.fromEntries(s.environment.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) : { ...(s.environment ?? {}) };
const commandOf = (s: Service): string[] => (typeof s.command === 'string' ? s.command.split(/\s+/) : (s.command ?? []));
const dependsOf = (s: Service): Record<string, { condition?: string; required?: boolean }> =>
  Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }])) : (s.depends_on ?? {});
const buildContext = (s: Service): string | undefined => (typeof s.build === 'string' ? s.build : s.build?.context);
const isOneShot = (s: Service) => s.restart === 'no';

/** Services built from the repository's Dockerfile: the jetsaga image. */
const jetsagaImage = services.filter(([, s]) => s.build !== undefined && resolve(infra, buildContext(s) ?? '.') === resolve(repoRoot));
const serviceContainers = jetsagaImage.filter(([, s]) => commandOf(s)[0] === 'run');

/** Short or long volume syntax as (source, target); a source that is not a path is a named volume. */
function mountsOf(s: Service): { source: string; target: string; named: boolean }[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const parts = v.split(':');
      const [source, target] = parts.length === 1 ? ['', parts[0]!] : [parts[0]!, parts[1]!];
      return { source, target, named: source !== '' && !/^[./~]/.test(source) };
    }
    const source = v.source ?? '';
    return { source, target: v.target, named: (v.type ?? 'volume') === 'volume' && source !== '' };
  });
}

/** Port mappings as (host ip, host port, container port). */
function portsOf(s: Service): { ip?: string; host?: number; container: number }[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: p.published === undefined ? undefined : Number(p.published), container: p.target };
    const parts = String(p).split(':');
    const container = Number(parts.at(-1)!.split('/')[0]);
    if (parts.length === 1) return { container };
    return parts.length === 3 ? { ip: parts[0], host: Number(parts[1]), container } : { host: Number(parts[0]), container };
  });
}

function secretTargets(s: Service): Record<string, string> {
  return Object.fromEntries((s.secrets ?? []).map((x) => (typeof x === 'string' ? [`/run/secrets/${x}`, x] : [x.target?.startsWith('/') ? x.target : `/run/secrets/${x.target ?? x.source}`, x.source])));
}

/** Files made by `npx jetsaga infra keys --dir infra/secrets > infra/.env`, git-ignored: absent from a clean checkout. */
const identities = Object.keys(identityPermissions(Object.values(serviceDefinitions)));
function generatedByInfraKeys(relPath: string): boolean {
  const p = relPath.replace(/^\.\//, '');
  if (p === '.env') return true;
  const seed = /^secrets\/([a-z0-9-]+)\.nk$/.exec(p);
  return seed !== null && identities.includes(seed[1]!);
}

function assertInfraFile(relPath: string, what: string): void {
  if (generatedByInfraKeys(relPath)) return;
  assert.ok(existsSync(join(infra, relPath)), `${what}: ${relPath} does not exist (relative to infra/)`);
}

/** The ports a container listens on, for the mappings to point at. */
function listeningPorts(name: string, s: Service): number[] {
  if (jetsagaImage.some(([n]) => n === name)) return [Number(envOf(s).JETSAGA_METRICS_PORT ?? dockerfileEnv().JETSAGA_METRICS_PORT)];
  const conf = mountsOf(s).find((m) => m.target === commandOf(s)[commandOf(s).indexOf('-c') + 1]);
  if (s.image?.startsWith('nats:') && conf) {
    const text = readFileSync(join(infra, conf.source), 'utf8');
    return [Number(/^listen: "[^"]*:(\d+)"/m.exec(text)?.[1]), Number(/^http_port: (\d+)/m.exec(text)?.[1])];
  }
  const known: Record<string, number[]> = { 'prom/prometheus': [9090], 'grafana/grafana': [3000] };
  return known[s.image?.split(':')[0] ?? ''] ?? [];
}

describe('infra/compose.yaml', () => {
  it('names only files that exist (relative to infra/), besides the keys `jetsaga infra keys` makes, which git ignores', () => {
    for (const [name, s] of services) {
      for (const m of mountsOf(s).filter((m) => !m.named && m.source !== '')) assertInfraFile(m.source, `${name} volume`);
      const envFiles = s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file];
      for (const f of envFiles) assertInfraFile(typeof f === 'string' ? f : f.path, `${name} env_file`);
      if (s.build !== undefined) {
        const context = buildContext(s) ?? '.';
        assert.ok(existsSync(join(infra, context)), `${name}: build context ${context}`);
        const dockerfile = typeof s.build === 'object' && s.build.dockerfile ? s.build.dockerfile : 'Dockerfile';
        assert.ok(existsSync(join(infra, context, dockerfile)), `${name}: ${dockerfile} in ${context}`);
      }
    }
    for (const [key, def] of [...Object.entries(compose.secrets ?? {}), ...Object.entries(compose.configs ?? {})]) {
      assert.ok(def.file, `secret/config ${key}: a file`);
      assertInfraFile(def.file, `secret/config ${key}`);
    }
    const gitignore = readFileSync(join(repoRoot, '.gitignore'), 'utf8').split('\n');
    for (const line of ['infra/.env', 'infra/secrets/']) assert.ok(gitignore.includes(line), `.gitignore must keep ${line} out of git`);
  });

  it('declares every named volume, secret, config and network it uses, and uses every one it declares', () => {
    const used = { volumes: new Set<string>(), secrets: new Set<string>(), configs: new Set<string>(), networks: new Set<string>() };
    for (const [name, s] of services) {
      for (const m of mountsOf(s).filter((m) => m.named)) {
        assert.ok(m.source in (compose.volumes ?? {}), `${name}: volume ${m.source} is not declared`);
        used.volumes.add(m.source);
      }
      for (const x of s.secrets ?? []) {
        const source = typeof x === 'string' ? x : x.source;
        assert.ok(source in (compose.secrets ?? {}), `${name}: secret ${source} is not declared`);
        used.secrets.add(source);
      }
      for (const x of s.configs ?? []) {
        const source = typeof x === 'string' ? x : x.source;
        assert.ok(source in (compose.configs ?? {}), `${name}: config ${source} is not declared`);
        used.configs.add(source);
      }
      for (const net of Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {})) {
        assert.ok(net === 'default' || net in (compose.networks ?? {}), `${name}: network ${net} is not declared`);
        used.networks.add(net);
      }
    }
    for (const kind of ['volumes', 'secrets', 'configs', 'networks'] as const) {
      for (const declared of Object.keys(compose[kind] ?? {})) assert.ok(used[kind].has(declared), `${kind} ${declared} is declared but no service uses it`);
    }
  });

  it('maps each port once on the host, to a port the container listens on', () => {
    const hostPorts = new Map<number, string>();
    for (const [name, s] of services) {
      const listening = listeningPorts(name, s);
      for (const p of portsOf(s)) {
        assert.ok(Number.isInteger(p.container) && p.container > 0, `${name}: port ${JSON.stringify(p)}`);
        assert.ok(listening.includes(p.container), `${name}: container port ${p.container} is not one it listens on (${listening.join(', ')})`);
        if (p.host === undefined) continue;
        // Profiles may run together (single next to the cluster, monitoring beside either).
        assert.ok(!hostPorts.has(p.host), `host port ${p.host}: ${hostPorts.get(p.host)} and ${name}`);
        hostPorts.set(p.host, name);
      }
    }
    // A cluster node advertises the host port its clients port is published on.
    for (const [name, s] of services.filter(([, s]) => s.image?.startsWith('nats:'))) {
      const conf = readFileSync(join(infra, mountsOf(s).find((m) => m.target === '/etc/nats/jetsaga.conf')!.source), 'utf8');
      const advertised = /^client_advertise: "[^"]*:(\d+)"/m.exec(conf)?.[1];
      if (advertised) assert.ok(portsOf(s).some((p) => p.host === Number(advertised) && p.container === 4222), `${name} advertises ${advertised}, not published`);
    }
  });

  it('depends only on services that exist, run whenever the dependent does, and can meet the condition', () => {
    for (const [name, s] of services) {
      for (const [target, dep] of Object.entries(dependsOf(s))) {
        const t = compose.services[target];
        assert.ok(t, `${name} depends on ${target}, which does not exist`);
        // A dependency in a profile the dependent may run without must be `required: false`.
        if (t.profiles?.length && dep.required !== false) {
          assert.ok((s.profiles ?? []).some((p) => t.profiles!.includes(p)), `${name} depends on ${target}, which runs only in profile ${t.profiles.join('/')}`);
        }
        if (dep.condition === 'service_healthy') assert.ok(t.healthcheck?.test && !t.healthcheck.disable, `${name} waits for ${target} to be healthy: it has no healthcheck`);
        if (dep.condition === 'service_completed_successfully') assert.ok(isOneShot(t), `${name} waits for ${target} to complete: it must be a one-shot (restart: "no")`);
      }
    }
  });

  it('gives every long-running service a healthcheck', () => {
    for (const [name, s] of services.filter(([, s]) => !isOneShot(s))) {
      assert.ok(s.healthcheck?.test && !s.healthcheck.disable, `${name}: no healthcheck`);
    }
    for (const [name, s] of serviceContainers) assert.match(JSON.stringify(s.healthcheck!.test), /\/readyz/, `${name}: the healthcheck asks /readyz`);
  });

  it('pins every image it pulls (nats 2.10+, which the configs need for sync_interval)', () => {
    for (const [name, s] of services.filter(([, s]) => s.build === undefined)) {
      assert.match(s.image ?? '', /^[\w./-]+:v?\d+\.\d+\.\d+(-[\w.]+)?$/, `${name}: image ${s.image} is not pinned to a version`);
      if (s.image!.startsWith('nats:')) {
        const [major, minor] = s.image!.slice(5).split('.').map(Number);
        assert.ok(major! > 2 || minor! >= 10, `${name}: ${s.image} is older than 2.10`);
      }
    }
  });

  it('runs each jetsaga service once alone and once on the cluster, from the image, each with its own volume and seed', (t) => {
    const run = serviceContainers.map(([name, s]) => ({ name, s, service: commandOf(s)[1]!, cluster: (s.profiles ?? []).includes('cluster') }));
    for (const { name, service } of run) assert.ok((allServices as readonly string[]).includes(service), `${name} runs "${service}", not one of ${allServices.join(', ')}`);
    const missing = allServices.filter((service) => !run.some((r) => r.service === service));
    if (missing.length > 0) t.diagnostic(`not in compose yet: ${missing.join(', ')}`);
    for (const service of orderSaga) {
      assert.equal(run.filter((r) => r.service === service && !r.cluster).length, 1, `${service}: one container on the single server`);
      assert.equal(run.filter((r) => r.service === service && r.cluster).length, 1, `${service}: one container on the cluster`);
    }
    for (const [name, s] of jetsagaImage) assert.ok(['run', 'provision'].includes(commandOf(s)[0]!), `${name}: the image runs \`jetsaga ${commandOf(s).join(' ')}\``);
    const volumeOwner = new Map<string, string>();
    for (const { name, s, service } of run) {
      const env = envOf(s);
      const data = mountsOf(s).find((m) => m.target === (env.JETSAGA_DATA_DIR ?? dockerfileEnv().JETSAGA_DATA_DIR));
      assert.ok(data?.named, `${name}: a named volume at its data dir`);
      // One writer per db: two containers on one volume would open the same SQLite file.
      assert.ok(!volumeOwner.has(data.source), `${name} and ${volumeOwner.get(data.source)} share volume ${data.source}`);
      volumeOwner.set(data.source, name);
      const seed = secretTargets(s)[env.NATS_NKEY ?? ''];
      assert.ok(seed, `${name}: NATS_NKEY (${env.NATS_NKEY}) is not a secret it mounts`);
      assert.equal(compose.secrets![seed]!.file!.replace(/^\.\//, ''), `secrets/${service}.nk`, `${name}: its own seed`);
      assert.equal(Object.keys(secretTargets(s)).length, 1, `${name}: only its own seed`);
      assert.ok(env.JETSAGA_METRICS_PORT, `${name}: JETSAGA_METRICS_PORT (formerly METRICS_PORT)`);
    }
  });

  it('provisions first, as the admin, with the stream settings and servers of the services that wait for it', () => {
    for (const [name, s] of serviceContainers) {
      const provisions = Object.entries(dependsOf(s)).filter(([t, d]) => commandOf(compose.services[t]!)[0] === 'provision' && d.condition === 'service_completed_successfully');
      assert.equal(provisions.length, 1, `${name}: waits for one provision`);
      const p = compose.services[provisions[0]![0]]!;
      assert.equal(compose.secrets![secretTargets(p)[envOf(p).NATS_NKEY ?? '']!]!.file!.replace(/^\.\//, ''), 'secrets/admin.nk', `${provisions[0]![0]}: the admin's seed`);
      // Stream settings (limits, replicas, the banks' subjects) must agree, or the services warn that the streams differ.
      const shared = Object.keys(envOf(p)).filter((k) => k !== 'NATS_NKEY');
      for (const key of ['NATS_URL', 'JETSAGA_STREAM_REPLICAS', 'JETSAGA_EVENTS_MAX_AGE', 'JETSAGA_EVENTS_MAX_BYTES', 'JETSAGA_DLQ_MAX_AGE', 'JETSAGA_DLQ_MAX_BYTES']) {
        assert.ok(shared.includes(key), `${provisions[0]![0]}: sets or passes on ${key}`);
      }
      for (const key of shared) assert.equal(envOf(s)[key], envOf(p)[key], `${name} and ${provisions[0]![0]}: ${key}`);
    }
  });

  it('points the services at nats servers it runs, all three nodes and R3 on the cluster', () => {
    for (const [name, s] of jetsagaImage) {
      const env = envOf(s);
      const hosts = (env.NATS_URL ?? '').split(',').map((u) => new URL(u.trim()));
      for (const u of hosts) {
        assert.ok(compose.services[u.hostname]?.image?.startsWith('nats:'), `${name}: ${u.hostname} is not a nats service`);
        assert.ok(dependsOf(s)[u.hostname]?.condition === 'service_healthy', `${name}: waits for ${u.hostname} to be healthy`);
        assert.ok(listeningPorts(u.hostname, compose.services[u.hostname]!).includes(Number(u.port || 4222)), `${name}: ${u.host}`);
      }
      const cluster = (s.profiles ?? []).includes('cluster');
      assert.deepEqual(hosts.map((u) => u.hostname), cluster ? ['nats-1', 'nats-2', 'nats-3'] : ['nats'], `${name}: NATS_URL`);
      assert.equal(env.JETSAGA_STREAM_REPLICAS, cluster ? '3' : '1', `${name}: JETSAGA_STREAM_REPLICAS`);
    }
  });

  it("mounts Prometheus's config and rules, whose compose jobs scrape the services on their metrics port", () => {
    const prom = compose.services.prometheus!;
    assert.ok(mountsOf(prom).some((m) => m.source === './prometheus.yml' && m.target === '/etc/prometheus/prometheus.yml'));
    const config = parse(readFileSync(join(infra, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const targets = config.scrape_configs.filter((j) => j.job_name.startsWith('jetsaga-compose')).flatMap((j) => j.static_configs.flatMap((c) => c.targets));
    assert.deepEqual(new Set(targets.map((t) => t.split(':')[0])), new Set(serviceContainers.map(([n]) => n)), 'one target per service container');
    for (const t of targets) {
      const [host, port] = t.split(':');
      assert.ok(listeningPorts(host!, compose.services[host!]!).includes(Number(port)), `${t}: not its metrics port`);
    }
  });
});

// --- Dockerfile ------------------------------------------------------------------------

interface Instruction {
  stage: string;
  op: string;
  args: string;
}

/** Instructions by stage: continuation lines joined, comments and the parser directive dropped. */
function parseDockerfile(text: string): { args: Record<string, string>; instructions: Instruction[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const whole = (pending + line.trim()).trim();
    pending = '';
    if (whole) logical.push(whole);
  }
  const args: Record<string, string> = {};
  const instructions: Instruction[] = [];
  let stage = '';
  for (const l of logical) {
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(l)!;
    const upper = op!.toUpperCase();
    if (upper === 'ARG' && stage === '') {
      const [k, v] = rest!.split('=');
      args[k!] = v ?? '';
      continue;
    }
    if (upper === 'FROM') stage = /\bAS\s+(\S+)/i.exec(rest!)?.[1] ?? `#${instructions.length}`;
    instructions.push({ stage, op: upper, args: rest! });
  }
  return { args, instructions };
}

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const stages = [...new Set(dockerfile.instructions.map((i) => i.stage))];
const finalStage = stages.at(-1)!;
const inStage = (stage: string, op: string) => dockerfile.instructions.filter((i) => i.stage === stage && i.op === op);
const execForm = (args: string): string[] => JSON.parse(args.replace(/^(--\S+\s+)*/, '')) as string[];

function dockerfileEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of inStage(finalStage, 'ENV')) for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return env;
}

/** The ignore patterns of .dockerignore as regular expressions (`**` any depth, `*` within a segment). */
function dockerignored(path: string): boolean {
  const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  const toRegex = (p: string) =>
    new RegExp(`^${p.replace(/\/$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').split('**/').map((part) => part.replace(/\*/g, '[^/]*')).join('(?:.*/)?')}(?:/.*)?$`);
  return patterns.some((p) => toRegex(p).test(path.replace(/^\.\//, '')));
}

describe('Dockerfile', () => {
  it('installs with the command CI runs (.ci/run), in a build stage', () => {
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => /^npm ci\b/.test(l));
    assert.ok(ci.length > 0, '.ci/run runs npm ci');
    const runs = dockerfile.instructions.filter((i) => i.op === 'RUN' && i.stage !== finalStage).flatMap((i) => i.args.split(/\s*&&\s*/));
    for (const command of ci) assert.ok(runs.includes(command), `the Dockerfile does not run \`${command}\` as .ci/run does`);
    const installs = runs.filter((r) => /^npm (ci|install|i)\b/.test(r));
    assert.deepEqual(installs, ci, 'no other install than CI\'s');
  });

  it('builds every service bundle once, where the runtime stage finds them (JETSAGA_BUNDLE_DIR)', () => {
    const build = dockerfile.instructions.find((i) => i.op === 'RUN' && /jetsaga(\.js)? build\b/.test(i.args));
    assert.ok(build, 'a RUN `jetsaga build`');
    const out = /--out\s+(\S+)/.exec(build.args)?.[1];
    assert.ok(out, '`jetsaga build --out <dir>`');
    assert.ok(!build.args.split(/\s+/).some((w) => (allServices as readonly string[]).includes(w)), 'every service (no list)');
    const workdir = inStage(build.stage, 'WORKDIR').at(-1)!.args;
    const runtimeWorkdir = inStage(finalStage, 'WORKDIR').at(-1)!.args;
    assert.equal(join(runtimeWorkdir, out), dockerfileEnv().JETSAGA_BUNDLE_DIR, 'JETSAGA_BUNDLE_DIR is where the bundles are');
    assert.ok(
      inStage(finalStage, 'COPY').some((c) => c.args.includes(`--from=${build.stage}`) && c.args.split(/\s+/).includes(join(workdir, out.split('/')[0]!))),
      'the runtime stage copies the bundles',
    );
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    for (const copy of dockerfile.instructions.filter((i) => i.op === 'COPY')) {
      const words = copy.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      const sources = paths.slice(0, -1);
      assert.ok(sources.length > 0, `COPY ${copy.args}`);
      for (const src of sources) {
        if (from === undefined) {
          assert.ok(existsSync(join(repoRoot, src)), `COPY ${src}: not in the repository`);
          if (src !== '.') assert.ok(!dockerignored(src), `COPY ${src}: excluded by .dockerignore`);
          continue;
        }
        assert.ok(stages.indexOf(from) >= 0 && stages.indexOf(from) < stages.indexOf(copy.stage), `COPY --from=${from}: no such earlier stage`);
        const workdir = inStage(from, 'WORKDIR').at(-1)?.args ?? '/';
        const rel = src.startsWith(workdir) ? src.slice(workdir.length).replace(/^\//, '') : undefined;
        if (rel === undefined) {
          // Made by a RUN of that stage.
          assert.ok(inStage(from, 'RUN').some((r) => r.args.includes(src.replace(/\/$/, ''))), `COPY --from=${from} ${src}: nothing in ${from} makes it`);
          continue;
        }
        const top = rel.split('/')[0]!;
        const made = inStage(from, 'RUN').some((r) => new RegExp(`--out\\s+${top}\\b`).test(r.args)) || (top === 'node_modules' && inStage(from, 'RUN').some((r) => r.args.includes('npm ci')));
        assert.ok(made || (existsSync(join(repoRoot, rel)) && !dockerignored(rel)), `COPY --from=${from} ${src}: neither in the build context nor made in ${from}`);
      }
    }
  });

  it('keeps keys, local data and node_modules out of the build context', () => {
    for (const path of ['infra/secrets/order.nk', 'infra/.env', 'node_modules/x', 'shared/cli/node_modules/x', 'x.nk', '.jetsaga/order.db', 'dist/services/order.mjs']) {
      assert.ok(dockerignored(path), `.dockerignore lets ${path} through`);
    }
  });

  it('pins its base image, the same in every stage', () => {
    const froms = dockerfile.instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]!.replace(/^\$\{?(\w+)\}?$/, (_, k: string) => dockerfile.args[k] ?? k));
    assert.equal(new Set(froms).size, 1, `one base image: ${froms.join(', ')}`);
    assert.match(froms[0]!, /^node:20\.\d+\.\d+-[\w-]+$/, `a pinned node 20 image (package.json engines), not ${froms[0]}`);
  });

  it('runs as a non-root user, with a /data volume, a HEALTHCHECK on /readyz and `jetsaga` as its entry point', () => {
    const user = inStage(finalStage, 'USER').at(-1)?.args;
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
    const env = dockerfileEnv();
    assert.ok(inStage(finalStage, 'VOLUME').some((v) => v.args.includes(env.JETSAGA_DATA_DIR!)), `VOLUME ${env.JETSAGA_DATA_DIR} (JETSAGA_DATA_DIR)`);
    assert.ok(inStage(finalStage, 'EXPOSE').some((e) => e.args.split(/\s+/).includes(env.JETSAGA_METRICS_PORT!)), 'EXPOSE JETSAGA_METRICS_PORT');
    const health = inStage(finalStage, 'HEALTHCHECK').at(-1)?.args ?? '';
    assert.match(health, /\bCMD\b.*\/readyz/, 'HEALTHCHECK asks /readyz');
    assert.match(health, /JETSAGA_METRICS_PORT/, 'HEALTHCHECK on JETSAGA_METRICS_PORT');
    assert.deepEqual(execForm(inStage(finalStage, 'ENTRYPOINT').at(-1)!.args), ['jetsaga']);
    assert.ok(env.PATH?.split(':').includes('/app/node_modules/.bin'), 'jetsaga on PATH');
  });

  it('runs the image the compose services use: one image for provision and every service', () => {
    const images = new Set(jetsagaImage.map(([, s]) => s.image));
    assert.equal(images.size, 1, `one image: ${[...images].join(', ')}`);
    for (const [name, s] of jetsagaImage) assert.equal(typeof s.build === 'object' ? (s.build.dockerfile ?? 'Dockerfile') : 'Dockerfile', 'Dockerfile', name);
  });
});
