import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RebuildPlanDto, RebuildStateDto } from '../../contract-rebuild.js';
import { getJson, sendJson } from '../api.js';
import { formatCount, formatTime } from '../format.js';
import { useToast } from '../toasts.js';
import { QueryState } from './states.js';
import { StatusBadge } from './status-badge.js';

export const REBUILD_KEY = ['rebuild'] as const;
const PLAN_KEY = ['rebuild', 'plan'] as const;

const PHASES: Record<NonNullable<RebuildStateDto['progress']>['phase'], string> = {
  replaying: 'replaying orders',
  'catching-up': 'catching up with the log',
  switching: 'switching to the new tables',
  dropping: 'dropping the old tables',
  done: 'done',
};

function estimate(plan: RebuildPlanDto): string {
  if (plan['estimated-seconds'] === null || plan['rate-per-second'] === null) return 'no estimate yet';
  return `about ${formatCount(plan['estimated-seconds'])} s at ${formatCount(Math.round(plan['rate-per-second']))}/s (${plan['rate-basis']})`;
}

/**
 * The rebuild of the views from the orders log into new tables: the plan (per partition), a start
 * button, and the progress, fed by the live stream's `rebuild` events and polled while it runs.
 */
export function RebuildCard() {
  const client = useQueryClient();
  const toast = useToast();
  const rebuild = useQuery({
    queryKey: REBUILD_KEY,
    queryFn: async () => (await getJson<{ data: RebuildStateDto }>('/api/rebuild')).data,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1_000 : false),
  });
  const running = rebuild.data?.status === 'running';
  const plan = useQuery({
    queryKey: PLAN_KEY,
    queryFn: async () => (await getJson<{ data: RebuildPlanDto }>('/api/rebuild/plan')).data,
    refetchInterval: running ? false : 10_000,
  });
  const start = useMutation({
    mutationFn: () => sendJson<{ data: RebuildStateDto }>('POST', '/api/rebuild', undefined),
    onSuccess: (response) => client.setQueryData(REBUILD_KEY, response.data),
    onError: (error) => toast(`Could not start the rebuild: ${error.message}`, 'error'),
    onSettled: () => void client.invalidateQueries({ queryKey: PLAN_KEY }),
  });
  return (
    <article className="card processor" data-testid="rebuild-card" aria-labelledby="rebuild-title">
      <QueryState query={rebuild} what="rebuild">
        {(r) => {
          const shownPlan = r.status === 'running' ? r.plan : (plan.data ?? null);
          const progress = r.progress;
          return (
            <>
              <header className="row spread">
                <h2 id="rebuild-title">Rebuild views</h2>
                <StatusBadge status={r.status === 'done' ? 'healthy' : r.status === 'failed' ? 'degraded' : r.status} />
              </header>
              {shownPlan !== null && (
                <>
                  <p data-testid="rebuild-plan-summary">
                    {shownPlan.resumes ? 'Resume generation' : 'Generation'} {shownPlan['from-generation']} →{' '}
                    {shownPlan['to-generation']}: {formatCount(shownPlan.messages)} messages
                    {shownPlan['snapshot-entries'] > 0 &&
                      ` after ${formatCount(shownPlan['snapshot-entries'])} orders from the snapshot of what retention deleted`}
                    , {estimate(shownPlan)}
                  </p>
                  <table data-testid="rebuild-plan">
                    <thead>
                      <tr>
                        <th>Partition</th>
                        <th className="num">From</th>
                        <th className="num">To</th>
                        <th className="num">Messages</th>
                      </tr>
                    </thead>
                    <tbody>
                      {shownPlan.partitions.map((p) => (
                        <tr key={`${p.topic}-${p.partition}`}>
                          <td>
                            {p.topic}/{p.partition}
                          </td>
                          <td className="num">{formatCount(p['from-offset'])}</td>
                          <td className="num">{formatCount(p['to-offset'])}</td>
                          <td className="num">{formatCount(p.messages)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {shownPlan.running !== null && r.status !== 'running' && (
                    <p className="message-error" data-testid="rebuild-elsewhere">
                      A rebuild runs elsewhere ({shownPlan.running.owner}); a new one is refused until it ends.
                    </p>
                  )}
                </>
              )}
              {progress !== null && (
                <div data-testid="rebuild-progress">
                  <label htmlFor="rebuild-progress-bar">
                    {PHASES[progress.phase]}: {formatCount(progress.done)} / {formatCount(progress.total)}
                  </label>
                  <progress
                    id="rebuild-progress-bar"
                    max={Math.max(1, progress.total)}
                    value={progress.phase === 'done' ? Math.max(1, progress.total) : progress.done}
                  />
                </div>
              )}
              <dl className="facts">
                {r.report !== null && (
                  <>
                    <dt>Last rebuild</dt>
                    <dd data-testid="rebuild-result">
                      generation {r.report['to-generation']}: {formatCount(r.report.replayed + r.report['caught-up'])}{' '}
                      messages
                      {r.report['from-snapshot'] > 0 &&
                        ` after ${formatCount(r.report['from-snapshot'])} orders from the snapshot`}{' '}
                      at {formatCount(Math.round(r.report['rate-per-second']))}/s
                    </dd>
                    <dt>Finished</dt>
                    <dd>{formatTime(r.report['finished-at'])}</dd>
                  </>
                )}
                {r.error !== null && (
                  <>
                    <dt>Error</dt>
                    <dd className="message-error">{r.error}</dd>
                  </>
                )}
              </dl>
              <button
                type="button"
                data-testid="rebuild-run"
                disabled={r.status === 'running' || start.isPending}
                onClick={() => start.mutate()}
              >
                Rebuild views
              </button>
            </>
          );
        }}
      </QueryState>
    </article>
  );
}
