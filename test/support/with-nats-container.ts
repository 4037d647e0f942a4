// Runs the integration tests against a NATS container (needs a Docker engine):
//   npm run test:docker            (image nats:2.10, override with NATS_IMAGE)
// It starts the container with JetStream, points NATS_URL at it and runs `npm run test:int`.
import { spawn } from 'node:child_process';
import { NatsContainer } from '@testcontainers/nats';

const image = process.env.NATS_IMAGE ?? 'nats:2.10';
console.log(`starting ${image} with JetStream...`);
const container = await new NatsContainer(image).withJetStream().start();
const { servers, user, pass } = container.getConnectionOptions();
const host = Array.isArray(servers) ? servers[0] : servers;
const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(pass ?? '')}@` : '';
const natsUrl = `nats://${auth}${host}`;
console.log(`NATS_URL=${natsUrl.replace(/:[^:@/]+@/, ':***@')}`);

const code = await new Promise<number>((resolve) => {
  const child = spawn('npm', ['run', 'test:int'], { stdio: 'inherit', env: { ...process.env, NATS_URL: natsUrl } });
  child.on('exit', (c) => resolve(c ?? 1));
});
await container.stop();
process.exit(code);
