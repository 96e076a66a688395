import { StatusBadge } from './status-badge.js';

/** What each order status means, under the tables that show them. */
export function StatusLegend() {
  return (
    <dl className="legend" data-testid="status-legend" aria-label="Order statuses">
      <div>
        <dt>
          <StatusBadge status="pending" />
        </dt>
        <dd>failed a review rule; waits for an operator to approve or deny it</dd>
      </div>
      <div>
        <dt>
          <StatusBadge status="accepted" />
        </dt>
        <dd>passed all eight rules, or approved by an operator</dd>
      </div>
      <div>
        <dt>
          <StatusBadge status="denied" />
        </dt>
        <dd>failed a deny rule, or denied by an operator</dd>
      </div>
      <div>
        <dt>
          <span className="badge badge-unregistered">not registered</span>
        </dt>
        <dd>in the timeline; the registry has not applied it yet</dd>
      </div>
    </dl>
  );
}
