import { useState, type FormEvent } from 'react';
import type { RegisteredOrderDto, TimelineEntryDto } from '../../contract.js';
import { ApiError } from '../api.js';
import { JourneyPanel } from '../components/journey-panel.js';
import { OrderId } from '../components/order-id.js';
import { QueryState } from '../components/states.js';
import { EntryStatus, StatusBadge } from '../components/status-badge.js';
import { StatusLegend } from '../components/status-legend.js';
import { formatMoney, formatShortTime, formatTime, normaliseOrderId } from '../format.js';
import { findOrder, useByStatus, useHistory, useOrder, useTimeline, type OrderStatus } from '../queries.js';

function OrderFacts({ order }: { order: RegisteredOrderDto | TimelineEntryDto }) {
  return (
    <>
      <dt>Customer</dt>
      <dd>{order['customer-id']}</dd>
      <dt>Product</dt>
      <dd>{order['product-id']}</dd>
      <dt>Quantity × price</dt>
      <dd>
        {order.quantity} × {formatMoney(order['unit-price'])} = {formatMoney(order.total)}
      </dd>
      <dt>Ordered</dt>
      <dd>{formatTime(order.timestamp)}</dd>
    </>
  );
}

function RegisteredDetail({ order }: { order: RegisteredOrderDto }) {
  return (
    <>
      <dl className="facts">
        <dt>State</dt>
        <dd data-testid="order-state">registered</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={order.status} />
        </dd>
        <OrderFacts order={order} />
        <dt>Registered</dt>
        <dd>{formatTime(order['registered-at'])}</dd>
        <dt>Version</dt>
        <dd>{order.version}</dd>
      </dl>
      <h3>Failed rules</h3>
      {order['failed-rules'].length === 0 ? (
        <p className="state">All eight rules passed.</p>
      ) : (
        <ul className="rules" data-testid="failed-rules">
          {order['failed-rules'].map((r) => (
            <li key={r['rule-name']}>
              <strong>{r['rule-name']}</strong>: {r.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Known to the query processor only: the registry has not validated it yet, so no rules and no history. */
function TimelineDetail({ order }: { order: TimelineEntryDto }) {
  return (
    <dl className="facts">
      <dt>State</dt>
      <dd data-testid="order-state">
        <EntryStatus status={order.status} registered={false} /> in the timeline, not registered yet: the registry
        processor has not validated it
      </dd>
      <dt>Status as produced</dt>
      <dd>
        <StatusBadge status={order['order-status']} />
      </dd>
      <OrderFacts order={order} />
    </dl>
  );
}

function OrderDetail({ id }: { id: string }) {
  const order = useOrder(id);
  const registered = order.data?.source === 'registered';
  const history = useHistory(id, registered);
  return (
    <div className="card" data-testid="order-detail">
      <h2>Order {id}</h2>
      <QueryState query={order} what="order">
        {(found) =>
          found.source === 'registered' ? (
            <RegisteredDetail order={found.data} />
          ) : (
            <TimelineDetail order={found.data} />
          )
        }
      </QueryState>
      {registered && (
        <>
          <h3>Status history</h3>
          <QueryState query={history} what="history">
            {(updates) => (
              <ol className="history" data-testid="history">
                {updates.map((u) => (
                  <li key={u.version}>
                    v{u.version}: {u['previous-status'] ?? '—'} → <StatusBadge status={u['new-status']} /> ·{' '}
                    {u['update-reason']} · {formatTime(u['updated-at'])}
                  </li>
                ))}
              </ol>
            )}
          </QueryState>
        </>
      )}
      <JourneyPanel id={id} />
    </div>
  );
}

function Search({ onFound }: { onFound: (id: string) => void }) {
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<{ text: string; tone: 'error' | 'info' } | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const id = normaliseOrderId(value);
    setMessage(null);
    try {
      const found = await findOrder(id);
      setMessage({
        text: `Found in ${found.source === 'registered' ? 'the registry' : 'the timeline (not registered yet)'}.`,
        tone: 'info',
      });
      onFound(found.data['order-id']);
    } catch (error) {
      const text =
        error instanceof ApiError && error.status === 400
          ? `Not a valid order id: ${error.message}`
          : error instanceof ApiError && error.status === 404
            ? `No order with id ${id}.`
            : (error as Error).message;
      setMessage({ text, tone: 'error' });
    }
  }
  return (
    <form className="card search" onSubmit={(e) => void submit(e)} role="search">
      <label htmlFor="order-search">Find an order by UUID</label>
      <div className="row">
        <input
          id="order-search"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="e.g. 3f0c1d2e-…"
          autoComplete="off"
        />
        <button type="submit">Search</button>
      </div>
      {message !== null && (
        <p
          className={`message message-${message.tone}`}
          role={message.tone === 'error' ? 'alert' : 'status'}
          data-testid="search-message"
        >
          {message.text}
        </p>
      )}
    </form>
  );
}

type Filter = 'all' | OrderStatus;
type Row = RegisteredOrderDto | TimelineEntryDto;

const isRegistered = (row: Row): boolean => !('registered' in row) || row.registered;

function RecentOrders({ onSelect }: { onSelect: (id: string) => void }) {
  const [filter, setFilter] = useState<Filter>('all');
  const timeline = useTimeline();
  const byStatus = useByStatus(filter === 'all' ? 'pending' : filter);
  const rows: readonly Row[] = (filter === 'all' ? timeline.data : byStatus.data) ?? [];
  const query = filter === 'all' ? timeline : byStatus;
  return (
    <div className="card">
      <div className="row spread">
        <h2>Recent orders</h2>
        <label>
          Status{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="status-filter">
            <option value="all">all</option>
            <option value="pending">pending</option>
            <option value="accepted">accepted</option>
            <option value="denied">denied</option>
          </select>
        </label>
      </div>
      <QueryState
        query={{ ...query, data: query.data === undefined ? undefined : rows }}
        what="orders"
        isEmpty={(d) => d.length === 0}
      >
        {(list) => (
          <div className="table-wrap">
            <table aria-label="Recent orders" data-testid="orders-table">
              <thead>
                <tr>
                  <th>Order</th>
                  <th className="num">Customer</th>
                  <th>Product</th>
                  <th className="num">Qty</th>
                  <th className="num">Total</th>
                  <th>Time</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {list.map((o) => (
                  <tr key={o['order-id']} data-order-id={o['order-id']}>
                    <td>
                      <OrderId id={o['order-id']} onOpen={onSelect} />
                    </td>
                    <td className="num">{o['customer-id']}</td>
                    <td>{o['product-id']}</td>
                    <td className="num">{o.quantity}</td>
                    <td className="num">{formatMoney(o.total)}</td>
                    <td title={formatTime(o.timestamp)}>{formatShortTime(o.timestamp)}</td>
                    <td>
                      <EntryStatus status={o.status} registered={isRegistered(o)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      <StatusLegend />
    </div>
  );
}

export function OrdersView({ selected, select }: { selected: string | null; select: (id: string) => void }) {
  const id = selected === null ? null : normaliseOrderId(selected);
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <Search onFound={select} />
      {id !== null && <OrderDetail key={id} id={id} />}
      <RecentOrders onSelect={select} />
    </section>
  );
}
