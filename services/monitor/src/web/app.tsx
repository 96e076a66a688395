import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useProcessorHistory } from './history.js';
import { useLagHistory } from './lag-history.js';
import { useLiveStream } from './live.js';
import { LiveContext, useProcessors } from './queries.js';
import { AboutView } from './views/about.js';
import { CreateOrderView } from './views/create-order.js';
import { DashboardView } from './views/dashboard.js';
import { DeadLettersView } from './views/dead-letters.js';
import { OrdersView } from './views/orders.js';
import { ProcessorsView } from './views/processors.js';
import { ReviewView } from './views/review.js';
import { CustomersView, ProductsView } from './views/rankings.js';
import { RulesView } from './views/rules.js';

const VIEWS = [
  ['dashboard', 'Dashboard'],
  ['orders', 'Orders'],
  ['review', 'Review'],
  ['customers', 'Customers'],
  ['products', 'Products'],
  ['processors', 'Processors'],
  ['dead-letters', 'Dead letters'],
  ['rules', 'Rules'],
  ['create', 'Create Order'],
  ['about', 'About'],
] as const;
type View = (typeof VIEWS)[number][0];

interface Route {
  readonly view: View;
  readonly orderId: string | null;
}

function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view: View = VIEWS.find(([name]) => name === path)?.[0] ?? 'dashboard';
  return { view, orderId: new URLSearchParams(query).get('id') };
}

/** Processor samples are collected whatever the view, so the charts have history when opened. */
function useHistoryEverywhere() {
  const live = useProcessors().data;
  return { processors: useProcessorHistory(live), lag: useLagHistory(live) };
}

export function App() {
  const client = useQueryClient();
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  const [autoRefresh, setAutoRefresh] = useState(true);
  const streamConnected = useLiveStream(autoRefresh);

  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  return (
    <LiveContext.Provider value={{ autoRefresh, streamConnected }}>
      <Shell
        route={route}
        autoRefresh={autoRefresh}
        streamConnected={streamConnected}
        onToggle={() => setAutoRefresh((on) => !on)}
        onRefresh={() => void client.invalidateQueries()}
      />
    </LiveContext.Provider>
  );
}

function Shell(props: {
  route: Route;
  autoRefresh: boolean;
  streamConnected: boolean;
  onToggle: () => void;
  onRefresh: () => void;
}) {
  const history = useHistoryEverywhere();
  const { view, orderId } = props.route;
  const live = !props.autoRefresh ? 'paused' : props.streamConnected ? 'live' : 'polling';
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">Kafka Monitor</div>
        <nav aria-label="Views">
          {VIEWS.map(([name, label]) => (
            <a key={name} href={`#/${name}`} aria-current={view === name ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div className="controls">
          <span className={`live live-${live}`} data-testid="live-state" title="Updates">
            {live}
          </span>
          <label className="toggle">
            <input type="checkbox" checked={props.autoRefresh} onChange={props.onToggle} data-testid="auto-refresh" />
            Auto-refresh
          </label>
          <button type="button" onClick={props.onRefresh} data-testid="refresh">
            Refresh
          </button>
        </div>
      </header>
      <main id="main">
        {view === 'dashboard' && <DashboardView history={history.processors} />}
        {view === 'orders' && (
          <OrdersView selected={orderId} select={(id) => (window.location.hash = `#/orders?id=${id}`)} />
        )}
        {view === 'review' && <ReviewView />}
        {view === 'customers' && <CustomersView />}
        {view === 'products' && <ProductsView />}
        {view === 'processors' && <ProcessorsView history={history.processors} lagHistory={history.lag} />}
        {view === 'dead-letters' && (
          <DeadLettersView
            selected={orderId}
            select={(id) =>
              (window.location.hash = id === null ? '#/dead-letters' : `#/dead-letters?id=${encodeURIComponent(id)}`)
            }
          />
        )}
        {view === 'rules' && <RulesView />}
        {view === 'create' && <CreateOrderView />}
        {view === 'about' && <AboutView />}
      </main>
    </>
  );
}
