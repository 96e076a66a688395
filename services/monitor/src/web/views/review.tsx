import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useState } from 'react';
import type { ReviewDecisionsDto, ReviewQueueDto } from '../../contract-review.js';
import { getJson, sendJson } from '../api.js';
import { OrderId } from '../components/order-id.js';
import { QueryState } from '../components/states.js';
import { formatCount, formatDuration } from '../format.js';
import { LiveContext, keys } from '../queries.js';

const REVIEW_KEY = ['review'] as const;

function useReviewQueue() {
  const live = useContext(LiveContext);
  return useQuery({
    queryKey: REVIEW_KEY,
    queryFn: async () => (await getJson<{ data: ReviewQueueDto }>('/api/review?limit=200')).data,
    // Ages grow by the clock, not by events: poll while auto-refresh is on, stream or not.
    refetchInterval: live.autoRefresh ? 5_000 : false,
  });
}

/** Pending orders oldest first, the overdue ones highlighted; several can be approved or denied at once. */
export function ReviewView() {
  const client = useQueryClient();
  const queue = useReviewQueue();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const decide = useMutation({
    mutationFn: (status: 'accepted' | 'denied') =>
      sendJson<{ data: ReviewDecisionsDto }>('POST', '/api/review/decisions', {
        'order-ids': [...selected],
        status,
        reason: `${status === 'accepted' ? 'approved' : 'denied'} from the review queue`,
      }),
    onSuccess: () => setSelected(new Set()),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: REVIEW_KEY });
      void client.invalidateQueries({ queryKey: keys.stats });
      void client.invalidateQueries({ queryKey: ['orders'] });
    },
  });
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <section aria-labelledby="review-title" className="stack">
      <h1 id="review-title">Review queue</h1>
      <QueryState query={queue} what="review queue">
        {(data) => (
          <>
            <p data-testid="review-counts">
              <strong>{formatCount(data['pending-count'])}</strong> pending,{' '}
              <strong className={data['overdue-count'] > 0 ? 'overdue-text' : undefined}>
                {formatCount(data['overdue-count'])}
              </strong>{' '}
              overdue (SLA {data['sla-minutes']} min; expiry {data.expiry})
            </p>
            <div className="card">
              <div className="actions">
                <button
                  type="button"
                  disabled={selected.size === 0 || decide.isPending}
                  onClick={() => decide.mutate('accepted')}
                  data-testid="review-approve"
                >
                  Approve {selected.size > 0 ? selected.size : ''}
                </button>
                <button
                  type="button"
                  disabled={selected.size === 0 || decide.isPending}
                  onClick={() => decide.mutate('denied')}
                  data-testid="review-deny"
                >
                  Deny {selected.size > 0 ? selected.size : ''}
                </button>
              </div>
              {decide.error !== null && <p role="alert">Could not send the decisions: {decide.error.message}</p>}
              {decide.data !== undefined && (
                <ul aria-label="Decision results" data-testid="review-results">
                  {decide.data.data.results.map((r) => (
                    <li key={r['order-id']} data-outcome={r.outcome}>
                      <OrderId id={r['order-id']} /> {r.outcome}
                      {r.message === null ? '' : `: ${r.message}`}
                    </li>
                  ))}
                </ul>
              )}
              {data.items.length === 0 ? (
                <p>No order is waiting for review.</p>
              ) : (
                <div className="table-wrap">
                  <table aria-label="Pending orders, oldest first" data-testid="review-table">
                    <thead>
                      <tr>
                        <th>
                          <input
                            type="checkbox"
                            aria-label="Select all"
                            checked={selected.size === data.items.length}
                            onChange={(e) =>
                              setSelected(new Set(e.target.checked ? data.items.map((i) => i['order-id']) : []))
                            }
                          />
                        </th>
                        <th>Order</th>
                        <th>Age</th>
                        <th>Failed rules</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((item) => (
                        <tr
                          key={item['order-id']}
                          data-order-id={item['order-id']}
                          className={item.overdue ? 'overdue' : undefined}
                        >
                          <td>
                            <input
                              type="checkbox"
                              aria-label={`Select ${item['order-id']}`}
                              checked={selected.has(item['order-id'])}
                              onChange={() => toggle(item['order-id'])}
                            />
                          </td>
                          <td>
                            <OrderId id={item['order-id']} />
                          </td>
                          <td>
                            {formatDuration(item['age-seconds'])}
                            {item.overdue && <span className="badge badge-warn"> overdue</span>}
                          </td>
                          <td>
                            {item['failed-rules'].map((r) => (
                              <span key={r['rule-name']} title={r.message ?? undefined}>
                                {r['rule-name']}{' '}
                              </span>
                            ))}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </>
        )}
      </QueryState>
    </section>
  );
}
