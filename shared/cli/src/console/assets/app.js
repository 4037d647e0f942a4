// The jetsaga console: one page, rendered in the browser with preact + htm (no build step).
// Everything comes from the console's JSON API, which reads NATS only.
import { h, render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);

// ---- plumbing --------------------------------------------------------------------------------

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(data.error ?? `${res.status}`);
  return data;
}

function navigate(to) {
  history.pushState(null, '', to);
  window.dispatchEvent(new Event('popstate'));
}

function Link({ to, children, ...rest }) {
  const onClick = (e) => {
    if (e.metaKey || e.ctrlKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return html`<a href=${to} onClick=${onClick} ...${rest}>${children}</a>`;
}

/** Calls `load` now, on `deps` changes, and whenever the live feed names a saga `wants` accepts. */
function useLive(load, deps, wants = () => true) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const latest = useRef(load);
  latest.current = load;
  const refresh = useCallback(() => {
    latest.current().then(
      (data) => setState({ data, error: null, loading: false }),
      (err) => setState((s) => ({ ...s, error: err.message, loading: false })),
    );
  }, []);
  useEffect(refresh, deps);
  useEffect(() => {
    let timer = null;
    const onEvents = (e) => {
      const { sagas } = JSON.parse(e.data);
      if (!sagas.some(wants)) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    };
    live.addEventListener('events', onEvents);
    return () => {
      live.removeEventListener('events', onEvents);
      clearTimeout(timer);
    };
  }, deps);
  return { ...state, refresh };
}

const live = new EventSource('/api/live');

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '-');
const ago = (iso) => {
  if (!iso) return '-';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : s < 86400 ? `${Math.round(s / 3600)}h ago` : `${Math.round(s / 86400)}d ago`;
};
const money = (minor) => (minor === null || minor === undefined ? '-' : (minor / 100).toFixed(2));

function Badge({ state }) {
  return html`<span class=${`badge state-${String(state).toLowerCase()}`}>${state}</span>`;
}

/** A confirmation before anything that changes the system. */
function Confirm({ title, children, confirmLabel, onConfirm, onCancel, needsReason }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    await onConfirm(reason);
    setBusy(false);
  };
  return html`<div class="modal-backdrop">
    <div class="modal" role="dialog" aria-modal="true" data-testid="confirm">
      <h3>${title}</h3>
      <div>${children}</div>
      ${needsReason && html`<label>Reason <input data-testid="confirm-reason" value=${reason} onInput=${(e) => setReason(e.target.value)} placeholder="why" /></label>`}
      <div class="actions">
        <button onClick=${onCancel} disabled=${busy}>Cancel</button>
        <button class="danger" data-testid="confirm-ok" onClick=${go} disabled=${busy || (needsReason && reason.trim() === '')}>${confirmLabel}</button>
      </div>
    </div>
  </div>`;
}

// ---- / : the saga list -----------------------------------------------------------------------

const STATES = ['', 'PENDING', 'CONFIRMED', 'CANCELLED', 'REFUNDING', 'REFUNDED'];
const SINCE = [['', 'any time'], ['600000', '10 minutes'], ['3600000', '1 hour'], ['86400000', '1 day'], ['604800000', '7 days']];

function SagaList() {
  const params = new URLSearchParams(location.search);
  const [filters, setFilters] = useState({ state: params.get('state') ?? '', failed: params.get('failed') === '1', stuck: params.get('stuck') ?? '', since: params.get('since') ?? '', search: params.get('search') ?? '' });
  const [pages, setPages] = useState([]);
  const query = new URLSearchParams(Object.entries({ state: filters.state, failed: filters.failed ? '1' : '', stuck: filters.stuck, since: filters.since, search: filters.search }).filter(([, v]) => v)).toString();
  const { data, error, loading } = useLive(() => api(`/api/sagas?${query}`), [query]);
  useEffect(() => {
    history.replaceState(null, '', query ? `/?${query}` : '/');
    setPages([]);
  }, [query]);
  const more = async () => {
    const last = pages.length > 0 ? pages[pages.length - 1] : data;
    if (!last?.next) return;
    const next = await api(`/api/sagas?${query}${query ? '&' : ''}before=${encodeURIComponent(`${last.next.createdAt}/${last.next.sagaId}`)}`);
    setPages([...pages, next]);
  };
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const rows = [...(data?.sagas ?? []), ...pages.flatMap((p) => p.sagas)];
  const lastPage = pages.length > 0 ? pages[pages.length - 1] : data;
  const total = Object.values(data?.counts ?? {}).reduce((a, b) => a + b, 0);
  return html`<section>
    <h2>Sagas <small class="muted">newest first, live</small></h2>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>State <select data-testid="filter-state" value=${filters.state} onChange=${set('state')}>${STATES.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}</select></label>
      <label><input type="checkbox" data-testid="filter-failed" checked=${filters.failed} onChange=${set('failed')} /> failed</label>
      <label>Stuck for <select data-testid="filter-stuck" value=${filters.stuck} onChange=${set('stuck')}>
        <option value="">-</option><option value="60000">1 minute</option><option value="300000">5 minutes</option><option value="3600000">1 hour</option>
      </select></label>
      <label>Since <select data-testid="filter-since" value=${filters.since} onChange=${set('since')}>${SINCE.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></label>
      <label>Search <input data-testid="search" type="search" placeholder="saga id" value=${filters.search} onInput=${set('search')} /></label>
    </form>
    ${error && html`<p class="error">${error}</p>`}
    <p class="muted" data-testid="counts">${loading ? 'loading...' : `${total} ${total === 1 ? 'saga' : 'sagas'}: ${Object.entries(data?.counts ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`}
      ${data?.unanswered?.length ? html` <span class="error">no answer from ${data.unanswered.join(', ')}</span>` : ''}</p>
    <table class="list" data-testid="saga-table">
      <thead><tr><th>saga</th><th>state</th><th>reason</th><th>customer</th><th class="num">amount</th><th>created</th><th>updated</th></tr></thead>
      <tbody>
        ${rows.map(
          (s) => html`<tr data-saga=${s.sagaId}>
            <td><${Link} to=${`/sagas/${s.sagaId}`}>${s.sagaId}</${Link}></td>
            <td><${Badge} state=${s.state} /></td>
            <td>${s.reason ?? ''}</td>
            <td>${s.customerId ?? ''}</td>
            <td class="num">${money(s.amount)}</td>
            <td title=${s.createdAt}>${fmtTime(s.createdAt)}</td>
            <td title=${s.updatedAt}>${ago(s.updatedAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${lastPage?.next && html`<button onClick=${more} data-testid="more">More</button>`}
  </section>`;
}

// ---- /sagas/<id> : the timeline ----------------------------------------------------------------

function Gantt({ trace }) {
  const steps = trace.steps;
  if (steps.length === 0) return html`<p class="muted">no steps logged (yet)</p>`;
  const t0 = Math.min(0, ...steps.map((s) => s.startOffsetMs));
  const t1 = Math.max(1, ...steps.map((s) => s.startOffsetMs + s.durationMs), ...trace.events.map((e) => e.offsetMs));
  const span = t1 - t0 || 1;
  const W = 1000;
  const label = 230;
  const right = 190;
  const row = 26;
  const x = (ms) => label + ((ms - t0) / span) * (W - label - right);
  const height = steps.length * row + 30;
  return html`<svg class="gantt" data-testid="gantt" viewBox=${`0 0 ${W} ${height}`} width="100%" role="img" aria-label="steps on a timeline">
    ${[0, 0.25, 0.5, 0.75, 1].map((f) => {
      const ms = Math.round(t0 + f * span);
      return html`<g><line x1=${x(ms)} x2=${x(ms)} y1="0" y2=${height - 20} class="grid" /><text x=${x(ms)} y=${height - 6} class="tick" text-anchor="middle">${ms < 0 ? '' : '+'}${ms} ms</text></g>`;
    })}
    ${steps.map((s, i) => {
      const y = i * row + 4;
      const w = Math.max(3, x(s.startOffsetMs + s.durationMs) - x(s.startOffsetMs));
      return html`<g class=${`bar outcome-${s.outcome}`} data-testid="gantt-step">
        <text x="4" y=${y + 15} class="label">${s.service}: ${s.operation}</text>
        <rect x=${x(s.startOffsetMs)} y=${y} width=${w} height=${row - 8} rx="3"><title>${s.step} ${s.outcome}: ${s.durationMs} ms, ${s.retries} retries${s.error ? ` (${s.error})` : ''}</title></rect>
        <text x=${w > 280 ? x(s.startOffsetMs) + 6 : x(s.startOffsetMs) + w + 4} y=${y + 14} class=${w > 280 ? 'dur inside' : 'dur'}>${s.durationMs} ms${s.retries ? ` · ${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}` : ''}${s.deadLettered ? ` · dead-lettered${s.outcome === 'done' ? ', re-driven' : ''}` : ''}</text>
      </g>`;
    })}
  </svg>`;
}

function SagaPage({ sagaId }) {
  const { data, error, loading, refresh } = useLive(() => api(`/api/sagas/${encodeURIComponent(sagaId)}`), [sagaId], (s) => s === sagaId);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState(null);
  if (loading && !data) return html`<p>loading...</p>`;
  if (error && !data) return html`<p class="error">${error}</p>`;
  const t = data;
  const summary = t.summary;
  const cancel = async (reason) => {
    try {
      const r = await api(`/api/sagas/${encodeURIComponent(sagaId)}/cancel`, { reason });
      setNotice(r.outcome === 'cancelled' ? 'Cancelled: every participant compensates.' : r.outcome === 'refused' ? `Refused: ${r.reason}` : 'No answer from the owner yet.');
    } catch (err) {
      setNotice(`Failed: ${err.message}`);
    }
    setConfirming(false);
    refresh();
  };
  const ref = (r) => (r === null ? '-' : typeof r === 'number' ? html`<a href=${`#e${r}`}>#${r}</a>` : html`<span class="muted" title=${r}>command</span>`);
  return html`<section>
    <h2>Saga <code data-testid="saga-id">${sagaId}</code> ${summary && html`<${Badge} state=${summary.state} />`}</h2>
    ${summary &&
    html`<p class="muted">${summary.kind} of ${summary.customerId ?? '-'}, ${money(summary.amount)}; created ${fmtTime(summary.createdAt)}${summary.reason ? `; reason ${summary.reason}` : ''}${summary.deadlineAt ? `; deadline ${fmtTime(summary.deadlineAt)}` : ''}</p>`}
    <div class="actions">
      ${summary && !summary.terminal && html`<button class="danger" data-testid="cancel-saga" onClick=${() => setConfirming(true)}>Cancel saga</button>`}
    </div>
    ${notice && html`<p class="notice" data-testid="notice">${notice}</p>`}
    ${t.links.length > 0 &&
    html`<p data-testid="links">Linked: ${t.links.map((l) => html`<span class="link">${l.relation} <${Link} to=${`/sagas/${l.sagaId}`}>${l.sagaId}</${Link}> <small class="muted">(${l.via})</small></span>`)}</p>`}
    <h3>Steps</h3>
    <${Gantt} trace=${t} />
    <h3>Events</h3>
    <table class="list" data-testid="events">
      <thead><tr><th>#</th><th class="num">+ms</th><th>producer</th><th>event</th><th>caused by</th><th>stored</th></tr></thead>
      <tbody>
        ${t.events.map(
          (e) => html`<tr id=${`e${e.n}`} data-testid="event-row">
            <td>${e.n}</td><td class="num">${e.offsetMs}</td><td>${e.producer}</td><td><details><summary>${e.type}</summary><pre>${JSON.stringify(e.data, null, 2)}</pre></details></td>
            <td>${e.causedBy === null ? '-' : ref(e.causedBy)}</td><td>${fmtTime(e.at)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <h3>Step log</h3>
    <table class="list" data-testid="steps">
      <thead><tr><th>service</th><th>step</th><th>in</th><th>out</th><th>outcome</th><th class="num">ms</th><th class="num">retries</th><th class="num">dead letters</th><th>error</th></tr></thead>
      <tbody>
        ${t.steps.map(
          (s) => html`<tr class=${`outcome-${s.outcome}`}>
            <td>${s.service}</td><td>${s.step}</td><td>${ref(s.input)}</td><td>${s.outputs.map((o) => html`${ref(o)} `)}</td>
            <td>${s.outcome}</td><td class="num">${s.durationMs}</td><td class="num">${s.retries}</td><td class="num">${s.deadLettered}</td><td class="error-text">${s.error ?? ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${t.deadLetters.length > 0 &&
    html`<h3>Dead letters</h3><ul data-testid="saga-dead-letters">${t.deadLetters.map((d) => html`<li><${Link} to=${`/dlq?seq=${d.seq}`}>#${d.seq}</${Link}> ${d.consumer}: <b>${d.reason}</b> <span class="error-text">${d.error}</span></li>`)}</ul>`}
    ${t.unanswered.length > 0 && html`<p class="error">no step log from ${t.unanswered.join(', ')}</p>`}
    ${confirming &&
    html`<${Confirm} title=${`Cancel saga ${sagaId}?`} confirmLabel="Cancel the saga" needsReason onConfirm=${cancel} onCancel=${() => setConfirming(false)}>
      The owner cancels it (reason <code>manual</code>) if it is not over, and every participant compensates as for a timeout.
    </${Confirm}>`}
  </section>`;
}

// ---- /dlq : dead letters -------------------------------------------------------------------------

function DlqPage() {
  const { data, error, refresh } = useLive(() => api('/api/dlq'), []);
  const [open, setOpen] = useState(() => new URLSearchParams(location.search).get('seq'));
  const [letter, setLetter] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const [notice, setNotice] = useState(null);
  useEffect(() => {
    const t = setInterval(refresh, 5000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    setLetter(null);
    if (open) api(`/api/dlq/${open}`).then(setLetter, (err) => setNotice(err.message));
  }, [open]);
  const act = async (what, seqs) => {
    try {
      const { results } = await api(`/api/dlq/${what}`, { seqs });
      const failed = results.filter((r) => !r.ok);
      setNotice(`${what === 'redrive' ? 'Re-driven' : 'Dropped'}: ${results.length - failed.length} of ${results.length}${failed.length ? `; failed: ${failed.map((f) => `#${f.seq} ${f.error}`).join('; ')}` : ''}`);
    } catch (err) {
      setNotice(`Failed: ${err.message}`);
    }
    setConfirm(null);
    setOpen(null);
    refresh();
  };
  const ask = (what, seqs, label) => setConfirm({ what, seqs, label });
  return html`<section>
    <h2>Dead letters <small class="muted">${data ? `${data.total} in the DLQ` : ''}</small></h2>
    ${error && html`<p class="error">${error}</p>`}
    ${notice && html`<p class="notice" data-testid="notice">${notice}</p>`}
    ${data && data.total === 0 && html`<p data-testid="dlq-empty">No dead letters.</p>`}
    ${(data?.groups ?? []).map(
      (g) => html`<div class="group" data-testid="dlq-group" data-reason=${g.reason} data-type=${g.type}>
        <div class="group-head">
          <b>${g.reason}</b> · ${g.service} · ${g.type} <span class="count">${g.letters.length}</span>
          <span class="actions">
            <button data-testid="group-redrive" onClick=${() => ask('redrive', g.letters.map((l) => l.seq), `Re-drive ${g.letters.length} dead letter(s) of ${g.type} (${g.reason})?`)}>Re-drive all</button>
            <button class="danger" onClick=${() => ask('drop', g.letters.map((l) => l.seq), `Drop ${g.letters.length} dead letter(s) of ${g.type} (${g.reason}) for good?`)}>Drop all</button>
          </span>
        </div>
        <table class="list">
          <thead><tr><th>#</th><th>saga</th><th>consumer</th><th>subject</th><th class="num">deliveries</th><th>at</th><th>error</th></tr></thead>
          <tbody>${g.letters.map(
            (l) => html`<tr data-testid="dlq-letter" data-seq=${l.seq} class=${String(l.seq) === String(open) ? 'selected' : ''} onClick=${() => setOpen(String(l.seq))}>
              <td><a href=${`/dlq?seq=${l.seq}`} onClick=${(e) => e.preventDefault()}>#${l.seq}</a></td>
              <td>${l.sagaId ? html`<${Link} to=${`/sagas/${l.sagaId}`}>${l.sagaId}</${Link}>` : '-'}</td>
              <td>${l.consumer}</td><td>${l.originalSubject}</td><td class="num">${l.deliveries}</td><td>${fmtTime(l.at)}</td><td class="error-text">${l.error}</td>
            </tr>`,
          )}</tbody>
        </table>
      </div>`,
    )}
    ${letter &&
    html`<div class="detail" data-testid="dlq-detail">
      <h3>Dead letter #${letter.seq} <small class="muted">${letter.reason}</small></h3>
      <p class="error-text" data-testid="dlq-error">${letter.error}</p>
      <div class="actions">
        <button data-testid="redrive-one" onClick=${() => ask('redrive', [letter.seq], `Re-drive #${letter.seq} to ${letter.originalSubject}?`)}>Re-drive</button>
        <button class="danger" data-testid="drop-one" onClick=${() => ask('drop', [letter.seq], `Drop #${letter.seq} for good?`)}>Drop</button>
      </div>
      <h4>Payload</h4><pre data-testid="dlq-payload">${typeof letter.payload === 'string' ? letter.payload : JSON.stringify(letter.payload, null, 2)}</pre>
      <h4>Headers</h4><table class="list">${Object.entries(letter.headers).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>
    </div>`}
    ${confirm &&
    html`<${Confirm} title=${confirm.label} confirmLabel=${confirm.what === 'redrive' ? 'Re-drive' : 'Drop'} onConfirm=${() => act(confirm.what, confirm.seqs)} onCancel=${() => setConfirm(null)}>
      ${confirm.what === 'redrive' ? 'Each is published again to its original subject with its envelope id: inboxes drop what was done already.' : 'They are deleted from the DLQ; nothing re-drives them after.'}
    </${Confirm}>`}
  </section>`;
}

// ---- /services ---------------------------------------------------------------------------------

function ServicesPage() {
  const { data, error, refresh } = useLive(() => api('/api/services'), [], () => false);
  useEffect(() => {
    const t = setInterval(refresh, 3000);
    return () => clearInterval(t);
  }, []);
  if (!data) return error ? html`<p class="error">${error}</p>` : html`<p>loading...</p>`;
  const lagOf = (service) => data.consumers.filter((c) => c.service === service).reduce((a, c) => a + c.pending + c.ackPending, 0);
  return html`<section>
    <h2>Services</h2>
    <p data-testid="verdict" class=${data.problems.length ? 'error' : 'ok'}>${data.problems.length ? `Needs attention: ${data.problems.join('; ')}` : 'Healthy'}</p>
    <table class="list" data-testid="services">
      <thead><tr><th>service</th><th>health</th><th class="num">lag</th><th class="num">outbox</th><th class="num">oldest unsent</th><th class="num">timers due / armed</th><th class="num">dead letters</th><th>last error</th><th>up since</th></tr></thead>
      <tbody>${data.services.map((s) => {
        const st = s.status;
        if (!st) return html`<tr data-testid="service-row" data-service=${s.service}><td>${s.service}</td><td><${Badge} state="DOWN" /></td><td class="num">${lagOf(s.service)}</td><td colspan="6" class="error-text">${s.error}</td></tr>`;
        return html`<tr data-testid="service-row" data-service=${s.service}>
          <td>${s.service}</td>
          <td>${st.ready ? html`<${Badge} state="READY" />` : html`<span title=${st.notReady.join('; ')}><${Badge} state="NOT READY" /></span>`}</td>
          <td class="num">${lagOf(s.service)}</td>
          <td class="num">${st.outbox.backlog}</td>
          <td class="num">${st.outbox.oldestUnsentMs === null ? '-' : `${Math.round(st.outbox.oldestUnsentMs / 1000)} s`}</td>
          <td class="num">${st.timers.due} / ${st.timers.armed}</td>
          <td class="num">${st.deadLetters?.count ?? '?'}</td>
          <td class="error-text">${st.lastError ? `${fmtTime(st.lastError.at)} ${st.lastError.step}: ${st.lastError.error}` : '-'}</td>
          <td>${ago(st.startedAt)}</td>
        </tr>`;
      })}</tbody>
    </table>
    <h3>Consumers</h3>
    <table class="list">
      <thead><tr><th>consumer</th><th>stream</th><th class="num">pending</th><th class="num">unacked</th><th class="num">redelivered</th></tr></thead>
      <tbody>${data.consumers.map((c) => html`<tr class=${c.pending + c.ackPending > 0 ? 'busy' : ''}><td>${c.consumer}</td><td>${c.stream}</td><td class="num">${c.pending}</td><td class="num">${c.ackPending}</td><td class="num">${c.redelivered}</td></tr>`)}</tbody>
    </table>
  </section>`;
}

// ---- the shell ----------------------------------------------------------------------------------

function App() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const saga = /^\/sagas\/([^/]+)$/.exec(path);
  const tab = (to, label) => html`<${Link} to=${to} class=${(to === '/' ? path === '/' || saga : path.startsWith(to)) ? 'active' : ''}>${label}</${Link}>`;
  return html`<div>
    <header><h1>jetsaga</h1><nav>${tab('/', 'Sagas')}${tab('/dlq', 'Dead letters')}${tab('/services', 'Services')}</nav></header>
    <main>
      ${saga ? html`<${SagaPage} sagaId=${decodeURIComponent(saga[1])} />` : path === '/dlq' ? html`<${DlqPage} />` : path === '/services' ? html`<${ServicesPage} />` : html`<${SagaList} />`}
    </main>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
