import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuditStateDto } from '../../contract-audit.js';
import { getJson, sendJson } from '../api.js';
import { formatCount, formatTime } from '../format.js';
import { useToast } from '../toasts.js';
import { QueryState } from './states.js';
import { StatusBadge } from './status-badge.js';

const KEY = ['audit'] as const;
/** The card lists this many differences; `kafka-monitor verify` prints them all. */
const SHOWN = 10;

const shown = (value: string | number | boolean | null): string => (value === null ? '(no row)' : String(value));

/**
 * The consistency audit: views and registry recomputed from the logs and compared with the store.
 * Shows the latest result, and runs one on request (polling while it runs).
 */
export function AuditCard() {
  const client = useQueryClient();
  const toast = useToast();
  const audit = useQuery({
    queryKey: KEY,
    queryFn: async () => (await getJson<{ data: AuditStateDto }>('/api/audit')).data,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1_000 : false),
  });
  const run = useMutation({
    mutationFn: () => sendJson<{ data: AuditStateDto }>('POST', '/api/audit', undefined),
    onSuccess: (response) => client.setQueryData(KEY, response.data),
    onError: (error) => toast(`Could not start the audit: ${error.message}`, 'error'),
  });
  return (
    <article className="card processor" data-testid="audit-card" aria-labelledby="audit-title">
      <QueryState query={audit} what="audit">
        {(a) => {
          const report = a.report;
          const result =
            a.status === 'running'
              ? 'running'
              : report === null
                ? a.status === 'failed'
                  ? 'failed'
                  : 'never run'
                : report.clean
                  ? 'no drift'
                  : `${formatCount(report.drifts.length)} differences`;
          return (
            <>
              <header className="row spread">
                <h2 id="audit-title">Consistency audit</h2>
                <StatusBadge
                  status={report === null || a.status === 'running' ? a.status : report.clean ? 'healthy' : 'degraded'}
                />
              </header>
              <dl className="facts">
                <dt>Result</dt>
                <dd data-testid="audit-result">{result}</dd>
                {report !== null && (
                  <>
                    <dt>Compared</dt>
                    <dd data-testid="audit-compared">
                      {formatCount(report.compared.customers)} customers, {formatCount(report.compared.products)}{' '}
                      products, {formatCount(report.compared['registered-orders'])} registered orders
                    </dd>
                    <dt>Finished</dt>
                    <dd>{formatTime(report['finished-at'])}</dd>
                  </>
                )}
                {a.error !== null && (
                  <>
                    <dt>Error</dt>
                    <dd className="message-error">{a.error}</dd>
                  </>
                )}
              </dl>
              {report !== null && report.drifts.length > 0 && (
                <table data-testid="audit-drifts">
                  <thead>
                    <tr>
                      <th>View</th>
                      <th>Key</th>
                      <th>Field</th>
                      <th>Log says</th>
                      <th>Store has</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.drifts.slice(0, SHOWN).map((d) => (
                      <tr key={`${d.view}-${d.key}-${d.field}`}>
                        <td>{d.view}</td>
                        <td>{d.key}</td>
                        <td>{d.field}</td>
                        <td>{shown(d.expected)}</td>
                        <td>{shown(d.stored)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <button
                type="button"
                data-testid="audit-run"
                disabled={a.status === 'running' || run.isPending}
                onClick={() => run.mutate()}
              >
                Run audit
              </button>
            </>
          );
        }}
      </QueryState>
    </article>
  );
}
