import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { traceIdOf } from '@jetsaga/messaging/ops';
import { freePort } from '@jetsaga/stack';
import { coreServices, TestStack, waitFor } from './support/harness.js';

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

describe('distributed tracing over OTLP', () => {
  let t: TestStack;
  let collector: Server;
  const spans: ReceivedSpan[] = [];

  before(async () => {
    // a real OTLP/HTTP (JSON) receiver on loopback, standing in for a collector
    const port = await freePort();
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        type Export = { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: Omit<ReceivedSpan, 'service'>[] }[] }[] };
        for (const rs of (JSON.parse(body) as Export).resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ service, name: s.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '' });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(port, '127.0.0.1', r));
    t = await TestStack.start({ services: coreServices, env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '100' } });
    await t.send('SetStock', { sku: 'tea', quantity: 5 });
    await t.send('SetPrice', { sku: 'tea', unitPrice: 300 });
    await t.send('CreditWallet', { customerId: 'pia', amount: 5_000 });
  });
  after(async () => {
    await t?.stop();
    collector?.close();
  });

  it('shows a saga as one trace: a span per step, each event carrying the span that emitted it', async () => {
    // when
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    await t.send('PlaceOrder', { orderId: 'traced-1', customerId: 'pia', items: [{ sku: 'tea', quantity: 1, unitPrice: 300 }] }, { traceparent: `00-${traceId}-1111111111111111-01` });
    const events = await t.waitForSagaEvents('traced-1', 5);
    // then the spans of the five steps arrive, all in the command's trace, from three services
    const mine = await waitFor(() => {
      const s = spans.filter((x) => x.traceId === traceId);
      return s.length >= 5 ? s : undefined;
    }, { what: 'the spans of the saga', timeoutMs: 15_000 });
    assert.deepEqual(new Set(mine.map((s) => s.service)), new Set(['jetsaga-order', 'jetsaga-inventory', 'jetsaga-payment']));
    assert.ok(mine.some((s) => s.name === 'order-PlaceOrder PlaceOrder' && s.parentSpanId === '1111111111111111'), 'the first step is a child of the command');
    // and every event's traceparent names the span of the step that emitted it
    const spanIds = new Set(mine.map((s) => s.spanId));
    for (const e of events) {
      assert.equal(traceIdOf(e.headers.traceparent), traceId);
      assert.ok(spanIds.has(e.headers.traceparent!.split('-')[2]!), `${e.envelope.type} points at a recorded span`);
    }
  });
});
