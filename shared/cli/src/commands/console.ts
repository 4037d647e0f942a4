import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { examples, UsageError, wantsJson } from '../cli-kit.js';
import { connectCli, type GlobalOptions } from '../connection.js';

/** `user:password` from the first line of a file. */
export function readCredentials(file: string): { user: string; password: string } {
  const line = readFileSync(file, 'utf8').split('\n')[0]!.trim();
  const colon = line.indexOf(':');
  if (colon < 1 || colon === line.length - 1) throw new UsageError(`${file}: want one line user:password`);
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

export function registerConsole(program: Command): void {
  const cmd = program
    .command('console')
    .description(
      "a web console over NATS only: sagas (live), a saga's timeline across services, dead letters (re-drive, drop), services' health; as the `console` identity (<data dir>/auth/console.nk on the stack's broker: reads, re-drive and drop, saga cancel)",
    )
    .option('--port <port>', 'port to listen on (0: any free one)', '8480')
    .option('--host <host>', 'address to listen on; another than loopback needs --auth-file and --public-url', '127.0.0.1')
    .option('--public-url <url>', 'the URL users open (https://console.example.com behind a TLS proxy, http://server:8480): only requests for its host, and changes from its origin, are taken')
    .option('--auth-file <file>', 'a file whose first line is user:password: HTTP basic auth (put TLS in front across machines)')
    .action(async (options: { port: string; host: string; authFile?: string; publicUrl?: string }, cmd: Command) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port wants 0-65535, not "${options.port}"`);
      const credentials = options.authFile ? readCredentials(options.authFile) : undefined;
      // loaded here: the web stack is for this command only
      const { isLoopback, parsePublicUrl, startConsole } = await import('../console/server.js');
      if (!isLoopback(options.host) && !credentials) {
        throw new UsageError(`refusing to serve on ${options.host} without credentials: anyone who reaches it could re-drive, drop and cancel. Give --auth-file, or keep --host 127.0.0.1`);
      }
      if (!isLoopback(options.host) && options.publicUrl === undefined) {
        throw new UsageError(`serving on ${options.host} needs --public-url: the URL users open (https://console.example.com, http://<server>:${options.port}); requests for any other host are refused`);
      }
      if (options.publicUrl !== undefined) {
        try {
          parsePublicUrl(options.publicUrl);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const nc = await connectCli(global, 'console');
      const running = await startConsole({ nc, host: options.host, port, credentials, publicUrl: options.publicUrl });
      if (wantsJson(cmd)) console.log(JSON.stringify({ msg: 'console up', url: running.url, publicUrl: running.publicUrl }));
      else console.error(`jetsaga console: ${running.publicUrl}${running.publicUrl === running.url ? '' : ` (listening on ${running.url})`} (Ctrl-C stops)`);
      const stop = () => {
        void running.close().then(() => nc.close()).finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  examples(cmd, ['jetsaga console                          # http://127.0.0.1:8480', 'jetsaga console --port 0 --json            # a free port; prints {"url": ...}', 'jetsaga console --host 0.0.0.0 --auth-file ~/.jetsaga-console --public-url https://console.example.com']);
}
