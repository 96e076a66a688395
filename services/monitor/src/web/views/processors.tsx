import { AuditCard } from '../components/audit-card.js';
import { LiveChart } from '../components/live-chart.js';
import { QueryState } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatBytes, formatCount, formatDuration, formatTime } from '../format.js';
import { PROCESSOR_COLORS, type ProcessorHistory } from '../history.js';
import { useProcessors, useStoreStatus } from '../queries.js';

/** The store every processor writes to: which one, whether it answers, how fast, how big. */
function StoreCard() {
  const store = useStoreStatus();
  return (
    <article className="card processor" data-testid="store-card" aria-labelledby="store-title">
      <QueryState query={store} what="store status">
        {(s) => (
          <>
            <header className="row spread">
              <h2 id="store-title">Store</h2>
              <StatusBadge status={s.status} />
            </header>
            <dl className="facts">
              <dt>Kind</dt>
              <dd data-testid="store-kind">{s.kind === 'sqlite' ? 'SQLite (embedded)' : 'Apache Cassandra'}</dd>
              <dt>Probe latency</dt>
              <dd data-testid="store-latency">{s['latency-ms'] === null ? '—' : `${s['latency-ms'].toFixed(2)} ms`}</dd>
              <dt>Size</dt>
              <dd data-testid="store-size" title={s['size-note']}>
                {s['size-bytes'] === null ? '—' : formatBytes(s['size-bytes'])}
                <span className="note"> ({s['size-note']})</span>
              </dd>
              <dt>Checked</dt>
              <dd>{formatTime(s['checked-at'])}</dd>
              {s.error !== null && (
                <>
                  <dt>Error</dt>
                  <dd className="message-error">{s.error}</dd>
                </>
              )}
            </dl>
          </>
        )}
      </QueryState>
    </article>
  );
}

export function ProcessorsView({ history }: { history: ProcessorHistory }) {
  const processors = useProcessors();
  const series = (values: Record<string, number[]>) =>
    Object.entries(values).map(([name, points]) => ({
      label: name,
      color: PROCESSOR_COLORS[name] ?? '#e2e8f0',
      values: points,
    }));
  return (
    <section aria-labelledby="processors-title">
      <h1 id="processors-title">Processors</h1>
      <QueryState query={processors} what="processor status">
        {(data) => (
          <div className="cards cards-3">
            {data.processors.map((p) => (
              <article key={p.name} className="card processor" data-testid={`processor-${p.name}`}>
                <header className="row spread">
                  <h2>{p.name}</h2>
                  <StatusBadge status={p.status} />
                </header>
                <dl className="facts">
                  <dt>Instances</dt>
                  <dd>{p.instances}</dd>
                  <dt>Uptime</dt>
                  <dd>{formatDuration(p['uptime-seconds'])}</dd>
                  <dt>Processed</dt>
                  <dd>{formatCount(p.processed)}</dd>
                  <dt>Errors</dt>
                  <dd>{formatCount(p.errors)}</dd>
                  <dt>Throughput</dt>
                  <dd>{p['throughput-per-second'].toFixed(1)}/s (last minute)</dd>
                  <dt>Last processed</dt>
                  <dd>{formatTime(p['last-processed'])}</dd>
                  {p['consumer-group'] !== null && (
                    <>
                      <dt>Lag</dt>
                      <dd data-testid={`lag-${p.name}`}>
                        {formatCount(p['consumer-group'].lag)} messages, {p['consumer-group']['lag-seconds'].toFixed(1)}{' '}
                        s
                      </dd>
                    </>
                  )}
                </dl>
                {p['consumer-group'] !== null && (
                  <table aria-label={`${p.name} lag per partition`} className="compact">
                    <thead>
                      <tr>
                        <th>Topic</th>
                        <th className="num">Partition</th>
                        <th className="num">Committed</th>
                        <th className="num">End</th>
                        <th className="num">Lag</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p['consumer-group'].partitions.map((part) => (
                        <tr key={`${part.topic}-${part.partition}`}>
                          <td>{part.topic}</td>
                          <td className="num">{part.partition}</td>
                          <td className="num">{formatCount(part['committed-offset'])}</td>
                          <td className="num">{formatCount(part['end-offset'])}</td>
                          <td className="num">{formatCount(part.lag)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </article>
            ))}
          </div>
        )}
      </QueryState>
      {/* Outside the processors' state: when the store is down, that is where to look first. */}
      <div className="cards cards-3">
        <StoreCard />
        <AuditCard />
      </div>
      <div className="grid-2">
        <LiveChart
          testId="processor-throughput-chart"
          title="Throughput (messages/s)"
          times={history.times}
          series={series(history.throughput)}
        />
        <LiveChart
          testId="processor-lag-chart"
          title="Consumer-group lag (messages)"
          times={history.times}
          series={series(history.lag)}
        />
      </div>
    </section>
  );
}
