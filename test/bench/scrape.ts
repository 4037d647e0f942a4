/**
 * Fetches every service's /metrics every `everyMs`, as Prometheus scrapes a deployment: the
 * bench's `--scrape` measures the system as it runs when it is watched. `stop()` says how many
 * scrapes were sent and how many answered 200.
 */
export function scrapeMetrics(ports: readonly number[], everyMs: number): { stop(): { sent: number; answered: number } } {
  let sent = 0;
  let answered = 0;
  const timer = setInterval(() => {
    for (const port of ports) {
      sent++;
      fetch(`http://127.0.0.1:${port}/metrics`)
        .then(async (r) => {
          await r.text();
          if (r.ok) answered++;
        })
        .catch(() => {});
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { sent, answered };
    },
  };
}
