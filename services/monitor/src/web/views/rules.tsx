import { useState, type FormEvent } from 'react';
import type { RuleLimitsDto, RuleStatsDto, SimulationDto } from '../../contract-rules.js';
import { ApiError, sendJson } from '../api.js';
import { OrderId } from '../components/order-id.js';
import { QueryState } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatMoney, formatTime } from '../format.js';
import { useRuleStats, useRules } from '../queries.js';

const LIMIT_FIELDS = [
  { name: 'min-quantity', label: 'Min quantity' },
  { name: 'max-quantity', label: 'Max quantity' },
  { name: 'min-total', label: 'Min total' },
  { name: 'max-total', label: 'Max total' },
  { name: 'price-tolerance', label: 'Price tolerance' },
] as const satisfies readonly { name: keyof RuleLimitsDto; label: string }[];

type LimitName = (typeof LIMIT_FIELDS)[number]['name'];
type FormValues = Record<LimitName | 'orders', string>;

const hits = (h: { denied: number; review: number }) => (
  <>
    <span className="num">{h.denied.toLocaleString()}</span> / <span className="num">{h.review.toLocaleString()}</span>
  </>
);

export function RulesView() {
  const rules = useRules();
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Rules</h1>
      <div className="card">
        <h2>Thresholds</h2>
        <QueryState query={rules} what="rules">
          {(data) => (
            <div className="table-wrap">
              <table aria-label="Rules" data-testid="rules-table">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Rule</th>
                    <th>Outcome when failed</th>
                    <th>Passes when</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rules.map((r, i) => (
                    <tr key={r['rule-name']}>
                      <td className="num">{i + 1}</td>
                      <td>{r['rule-name']}</td>
                      <td>{r.outcome}</td>
                      <td>{r['passes-when']}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </div>
      <RuleStatsCard />
      {rules.data !== undefined && <WhatIf limits={rules.data.limits} />}
    </section>
  );
}

function RuleStatsCard() {
  const stats = useRuleStats();
  return (
    <div className="card">
      <h2>What each rule hit</h2>
      <QueryState query={stats} what="rule statistics">
        {(data: RuleStatsDto) => (
          <>
            <p className="note" data-testid="rule-stats-scope">
              Counts are denied / sent to review. All: every registered order. 1 h, 24 h and the top customers and
              products: {data.orders.toLocaleString()} orders from the newest {data.scanned.toLocaleString()} registry
              messages
              {data.complete ? ' (the whole log)' : ` (at most ${data['scan-limit'].toLocaleString()})`}
              {data['oldest-validated-at'] !== null && `, since ${formatTime(data['oldest-validated-at'])}`}.
            </p>
            <div className="table-wrap">
              <table aria-label="Rule statistics" data-testid="rule-stats-table">
                <thead>
                  <tr>
                    <th>Rule</th>
                    <th className="num">1 h</th>
                    <th className="num">24 h</th>
                    <th className="num">All time</th>
                    <th>Top customers</th>
                    <th>Top products</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rules.map((r) => (
                    <tr key={r['rule-name']}>
                      <td>{r['rule-name']}</td>
                      <td className="num">{hits(r['last-hour'])}</td>
                      <td className="num">{hits(r['last-day'])}</td>
                      <td className="num">{hits(r.all)}</td>
                      <td>{r['top-customers'].map((c) => `${c['customer-id']} (${c.count})`).join(', ') || '–'}</td>
                      <td>
                        {r['top-products'].map((p) => `${p['product-id'] || '(empty)'} (${p.count})`).join(', ') || '–'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </QueryState>
    </div>
  );
}

function WhatIf({ limits }: { limits: RuleLimitsDto }) {
  const [values, setValues] = useState<FormValues>(() => ({
    'min-quantity': String(limits['min-quantity']),
    'max-quantity': String(limits['max-quantity']),
    'min-total': String(limits['min-total']),
    'max-total': String(limits['max-total']),
    'price-tolerance': String(limits['price-tolerance']),
    orders: '10000',
  }));
  const [result, setResult] = useState<SimulationDto | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const body: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(values)) {
      const text = raw.trim();
      if (text !== '') body[name] = Number.isNaN(Number(text)) ? text : Number(text);
    }
    try {
      setResult((await sendJson<{ data: SimulationDto }>('POST', '/api/rules/simulate', body)).data);
    } catch (error) {
      setResult(null);
      setFailure(error instanceof ApiError || error instanceof Error ? error.message : 'The simulation failed.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card">
      <h2>What if</h2>
      <p className="note">
        Replays the newest orders of the log through the rules with these thresholds and compares each outcome with
        today&apos;s. Nothing is produced or stored.
      </p>
      <form className="row" onSubmit={(e) => void submit(e)} noValidate data-testid="simulate-form">
        {[...LIMIT_FIELDS, { name: 'orders', label: 'Orders (≤ 100,000)' } as const].map((field) => (
          <div key={field.name} className="field">
            <label htmlFor={`rule-${field.name}`}>{field.label}</label>
            <input
              id={`rule-${field.name}`}
              name={field.name}
              inputMode="decimal"
              size={10}
              value={values[field.name]}
              onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
            />
          </div>
        ))}
        <button type="submit" disabled={busy} data-testid="simulate">
          {busy ? 'Simulating…' : 'Simulate'}
        </button>
      </form>
      {failure !== null && (
        <p className="message message-error" role="alert">
          {failure}
        </p>
      )}
      {result !== null && <SimulationResult result={result} />}
    </div>
  );
}

function SimulationResult({ result }: { result: SimulationDto }) {
  const shifted = result.rules.filter((r) => r['newly-failing'] > 0 || r['no-longer-failing'] > 0);
  return (
    <div data-testid="simulation-result">
      <p className="message message-info" role="status" data-testid="simulation-summary">
        {result.changed.toLocaleString()} of {result.compared.toLocaleString()} orders would change outcome
        {result.undecodable > 0 && ` (${result.undecodable.toLocaleString()} unreadable messages skipped)`}, in{' '}
        {(result['elapsed-ms'] / 1000).toFixed(2)} s.
      </p>
      {result.transitions.length > 0 && (
        <ul data-testid="simulation-transitions">
          {result.transitions.map((t) => (
            <li key={`${t.from}-${t.to}`}>
              <StatusBadge status={t.from} /> → <StatusBadge status={t.to} />: {t.count.toLocaleString()}
            </li>
          ))}
        </ul>
      )}
      {shifted.length > 0 && <h3>Per rule</h3>}
      {shifted.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Per rule" className="compact" data-testid="simulation-rules">
            <thead>
              <tr>
                <th>Rule</th>
                <th className="num">Failing now</th>
                <th className="num">Would fail</th>
                <th className="num">Newly failing</th>
                <th className="num">No longer failing</th>
              </tr>
            </thead>
            <tbody>
              {shifted.map((r) => (
                <tr key={r['rule-name']}>
                  <td>{r['rule-name']}</td>
                  <td className="num">{r['failing-now'].toLocaleString()}</td>
                  <td className="num">{r['failing-proposed'].toLocaleString()}</td>
                  <td className="num">{r['newly-failing'].toLocaleString()}</td>
                  <td className="num">{r['no-longer-failing'].toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.examples.length > 0 && <h3>Changed orders (the first {result.examples.length})</h3>}
      {result.examples.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Changed orders" className="compact" data-testid="simulation-examples">
            <thead>
              <tr>
                <th>Order</th>
                <th className="num">Qty</th>
                <th className="num">Total</th>
                <th>Now</th>
                <th>Would be</th>
                <th>Because</th>
              </tr>
            </thead>
            <tbody>
              {result.examples.map((e) => (
                <tr key={e.order['order-id']}>
                  <td>
                    <OrderId id={e.order['order-id']} />
                  </td>
                  <td className="num">{e.order.quantity}</td>
                  <td className="num">{formatMoney(e.order.total)}</td>
                  <td>
                    <StatusBadge status={e.from} />
                  </td>
                  <td>
                    <StatusBadge status={e.to} />
                  </td>
                  <td>{e.rules.map((r) => r.message ?? r['rule-name']).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
