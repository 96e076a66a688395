import type { TimelineEntryDto } from '../../contract.js';
import { GeneratorControl } from '../components/generator-control.js';
import { LiveChart } from '../components/live-chart.js';
import { QueryState } from '../components/states.js';
import { StatCard } from '../components/stat-card.js';
import { OrderId } from '../components/order-id.js';
import { EntryStatus } from '../components/status-badge.js';
import { StatusLegend } from '../components/status-legend.js';
import { useDecision } from '../decide.js';
import { formatCount, formatMoney, formatShortTime, formatTime } from '../format.js';
import { PROCESSOR_COLORS, type ProcessorHistory } from '../history.js';
import { useRecent, useStats } from '../queries.js';

function Cards() {
  const stats = useStats();
  return (
    <QueryState query={stats} what="figures">
      {(data) => {
        const q = data['query-processor'];
        const r = data['registry-processor'];
        const decided = r['accepted-count'] + r['denied-count'];
        const rate = decided === 0 ? 'N/A' : `${((r['accepted-count'] / decided) * 100).toFixed(1)}%`;
        return (
          <div className="cards">
            <StatCard
              testId="card-customers"
              label="Total Customers"
              value={formatCount(q['customer-count'])}
              tone="blue"
            />
            <StatCard
              testId="card-products"
              label="Total Products"
              value={formatCount(q['product-count'])}
              tone="violet"
            />
            <StatCard
              testId="card-revenue"
              label="Total Revenue (accepted)"
              value={formatMoney(q['total-revenue-accepted'])}
              tone="green"
            />
            <StatCard testId="card-orders" label="Total Orders" value={formatCount(q['total-orders'])} tone="sky" />
            <StatCard
              testId="card-pending"
              label="Pending (review)"
              value={formatCount(r['pending-count'])}
              tone="amber"
            />
            <StatCard testId="card-accepted" label="Accepted" value={formatCount(r['accepted-count'])} tone="green" />
            <StatCard testId="card-denied" label="Denied" value={formatCount(r['denied-count'])} tone="red" />
            <StatCard testId="card-approval" label="Approval Rate" value={rate} tone="teal" />
          </div>
        );
      }}
    </QueryState>
  );
}

function ActivityRow({ entry }: { entry: TimelineEntryDto }) {
  const decide = useDecision();
  const id = entry['order-id'];
  return (
    <tr data-order-id={id}>
      <td>
        <OrderId id={id} />
      </td>
      <td className="num">{entry['customer-id']}</td>
      <td>{entry['product-id']}</td>
      <td className="num">{entry.quantity}</td>
      <td className="num">{formatMoney(entry.total)}</td>
      <td title={formatTime(entry.timestamp)}>{formatShortTime(entry.timestamp)}</td>
      <td>
        <EntryStatus status={entry.status} registered={entry.registered} />
      </td>
      <td className="actions">
        {entry.status === 'pending' && entry.registered && (
          <>
            <button
              type="button"
              className="approve"
              onClick={() => decide.mutate({ orderId: id, status: 'accepted' })}
            >
              Approve
            </button>
            <button type="button" className="deny" onClick={() => decide.mutate({ orderId: id, status: 'denied' })}>
              Deny
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

export function DashboardView({ history }: { history: ProcessorHistory }) {
  const recent = useRecent();
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <Cards />
      <GeneratorControl />
      <div className="grid-2 grid-activity">
        <div className="card">
          <h2>Recent Activity</h2>
          <QueryState
            query={recent}
            what="orders"
            isEmpty={(d) => d.length === 0}
            empty="No orders yet: start the generator or create one."
          >
            {(entries) => (
              <div className="table-wrap">
                <table aria-label="Recent activity" data-testid="recent-activity">
                  <thead>
                    <tr>
                      <th>Order</th>
                      <th className="num">Customer</th>
                      <th>Product</th>
                      <th className="num">Qty</th>
                      <th className="num">Total</th>
                      <th>Time</th>
                      <th>Status</th>
                      <th>Decision</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((e) => (
                      <ActivityRow key={e['order-id']} entry={e} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryState>
          <StatusLegend />
        </div>
        <LiveChart
          testId="throughput-chart"
          title="Throughput (messages/s)"
          times={history.times}
          series={Object.entries(history.throughput).map(([name, values]) => ({
            label: name,
            color: PROCESSOR_COLORS[name] ?? '#e2e8f0',
            values,
          }))}
        />
      </div>
    </section>
  );
}
