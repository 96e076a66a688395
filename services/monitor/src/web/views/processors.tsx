import { AuditCard } from '../components/audit-card.js';
import { RebuildCard } from '../components/rebuild-card.js';
import { LiveChart } from '../components/live-chart.js';
import { QueryState } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatBytes, formatCount, formatDuration, formatTime } from '../format.js';
import { PROCESSOR_COLORS, type ProcessorHistory } from '../history.js';
import type { LagHistory } from '../lag-history.js';
import { useProcessors, useStoreStatus } from '../queries.js';

const formatRate = (rate: number | null): string => (rate === null ? '—' : rate.toFixed(1));
const formatDrain = (drain: number | 'growing' | null): string =>
  drain === null ? '—' : drain === 'growing' ? 'growing' : drain === 0 ? 'caught up' : formatDuration(drain);

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

export function ProcessorsView({ history, lagHistory }: { history: ProcessorHistory; lagHistory: LagHistory }) {
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
                      <dt
                        title={`Burrow's rules over the last ${formatDuration(p['consumer-group']['window-seconds'])}`}
                      >
                        Group status
                      </dt>
                      <dd data-testid={`group-status-${p.name}`}>
                        <StatusBadge status={p['consumer-group'].status.toLowerCase()} />{' '}
                        <span className="note">
                          {p['consumer-group'].members} member{p['consumer-group'].members === 1 ? '' : 's'}
                        </span>
                      </dd>
                      <dt>Lag</dt>
                      <dd data-testid={`lag-${p.name}`}>
                        {formatCount(p['consumer-group'].lag)} messages, {p['consumer-group']['lag-seconds'].toFixed(1)}{' '}
                        s
                      </dd>
                    </>
                  )}
                </dl>
                {p['consumer-group'] !== null && (
                  <div className="table-wrap">
                    <table aria-label={`${p.name} lag per partition`} className="compact">
                      <thead>
                        <tr>
                          <th>Topic</th>
                          <th className="num">Partition</th>
                          <th className="num">Lag</th>
                          <th>Status</th>
                        </tr>
                      </thead>
                      <tbody>
                        {p['consumer-group'].partitions.map((part) => (
                          <tr key={`${part.topic}-${part.partition}`}>
                            <td>{part.topic}</td>
                            <td className="num">{part.partition}</td>
                            <td className="num">{formatCount(part.lag)}</td>
                            <td>
                              <StatusBadge status={part.status.toLowerCase()} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </article>
            ))}
          </div>
        )}
      </QueryState>
      <PartitionDetails />
      {/* Outside the processors' state: when the store is down, that is where to look first. */}
      <div className="cards cards-3">
        <StoreCard />
        <AuditCard />
        <RebuildCard />
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
      <LiveChart
        testId="lag-history-chart"
        title="Consumer-group lag, last hour (messages; gaps: not known before the monitor started)"
        times={lagHistory.times}
        series={Object.entries(lagHistory.lag).map(([group, values]) => ({
          label: group,
          color: PROCESSOR_COLORS[group] ?? '#e2e8f0',
          values,
        }))}
      />
    </section>
  );
}

/**
 * Every group's partitions with the whole evaluation, in one full-width table: eleven columns do not
 * fit a processor's card, and a card that scrolls sideways hides them.
 */
function PartitionDetails() {
  const processors = useProcessors();
  const groups = (processors.data?.processors ?? []).flatMap((p) =>
    p['consumer-group'] === null ? [] : [{ name: p.name, group: p['consumer-group'] }],
  );
  if (groups.length === 0) return null;
  return (
    <article className="card" data-testid="partition-details">
      <h2>Lag per partition</h2>
      <div className="table-wrap">
        <table aria-label="Lag per partition, every group" className="compact">
          <thead>
            <tr>
              <th>Group</th>
              <th>Topic</th>
              <th className="num">Partition</th>
              <th className="num">Lag</th>
              <th className="num">Lag s</th>
              <th>Status</th>
              <th>Trend</th>
              <th className="num">Drains in</th>
              <th className="num" title="messages committed per second over the window">
                Consumed/s
              </th>
              <th className="num" title="messages appended per second over the window">
                Produced/s
              </th>
              <th className="num">Committed</th>
              <th className="num">End</th>
            </tr>
          </thead>
          <tbody>
            {groups.flatMap(({ name, group }) =>
              group.partitions.map((part) => (
                <tr key={`${name}-${part.topic}-${part.partition}`}>
                  <td>{name}</td>
                  <td>{part.topic}</td>
                  <td className="num">{part.partition}</td>
                  <td className="num">{formatCount(part.lag)}</td>
                  <td className="num">{part['lag-seconds'].toFixed(1)}</td>
                  <td>
                    <StatusBadge status={part.status.toLowerCase()} />
                  </td>
                  <td>{part.trend ?? '—'}</td>
                  <td className="num">{formatDrain(part['time-to-drain-seconds'])}</td>
                  <td className="num">{formatRate(part['consume-rate'])}</td>
                  <td className="num">{formatRate(part['produce-rate'])}</td>
                  <td className="num">{formatCount(part['committed-offset'])}</td>
                  <td className="num">{formatCount(part['end-offset'])}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </article>
  );
}
