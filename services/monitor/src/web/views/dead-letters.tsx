import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useState, type FormEvent } from 'react';
import type { DeadLetterDto, DeadLetterReasonsData, DeadLetterSummaryDto } from '../../contract.js';
import { getJson, sendJson } from '../api.js';
import { QueryState } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatCount, formatTime } from '../format.js';
import { LiveContext } from '../queries.js';
import { useToast } from '../toasts.js';

type Status = DeadLetterDto['status'];
const STATUSES: readonly Status[] = ['pending', 'redriven', 'discarded'];

const data = async <T,>(path: string): Promise<T> => (await getJson<{ data: T }>(path)).data;
const letterPath = (id: string) => `/api/dead-letters/${encodeURIComponent(id)}`;

const POLL_MS = 5_000;

/** New dead letters arrive from the dead-letter topics, not the live stream: poll while auto-refresh is on. */
const usePoll = (): number | false => (useContext(LiveContext).autoRefresh ? POLL_MS : false);

function useReasons(status: Status) {
  const refetchInterval = usePoll();
  return useQuery({
    refetchInterval,
    queryKey: ['dead-letters', 'reasons', status],
    queryFn: () => data<DeadLetterReasonsData>(`/api/dead-letters/reasons?status=${status}`),
  });
}

function useLetters(status: Status, reason: string | null) {
  const query = new URLSearchParams({ status, limit: '200' });
  if (reason !== null) query.set('reason', reason);
  const refetchInterval = usePoll();
  return useQuery({
    refetchInterval,
    queryKey: ['dead-letters', 'list', status, reason],
    queryFn: () => data<DeadLetterSummaryDto[]>(`/api/dead-letters?${query.toString()}`),
  });
}

function useLetter(id: string) {
  return useQuery({
    queryKey: ['dead-letters', 'one', id],
    queryFn: () => data<DeadLetterDto>(letterPath(id)),
    retry: false,
  });
}

interface ActionInput {
  readonly kind: 'redrive' | 'discard';
  readonly payload?: string;
  readonly actor: string;
  readonly note: string;
}

function useAction(id: string) {
  const client = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (input: ActionInput) =>
      sendJson<{ data: DeadLetterDto }>('POST', `${letterPath(id)}/${input.kind}`, {
        ...(input.payload === undefined ? {} : { payload: input.payload }),
        ...(input.actor.trim() === '' ? {} : { actor: input.actor.trim() }),
        ...(input.note.trim() === '' ? {} : { note: input.note.trim() }),
      }),
    onSuccess: (result, input) => {
      client.setQueryData(['dead-letters', 'one', id], result.data);
      toast(input.kind === 'redrive' ? `Redriven to ${result.data.topic}.` : 'Discarded.');
    },
    onError: (error, input) => toast(`Could not ${input.kind}: ${error.message}`, 'error'),
    onSettled: () => void client.invalidateQueries({ queryKey: ['dead-letters'] }),
  });
}

function Detail({ id, onClose }: { id: string; onClose: () => void }) {
  const letter = useLetter(id);
  // Held here, not in the body: the body is remounted when the status changes, the outcome must stay.
  const action = useAction(id);
  return (
    <div className="card" data-testid="dead-letter-detail">
      <div className="row spread">
        <h2>Dead letter {id}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <QueryState query={letter} what="dead letter">
        {(l) => <DetailBody key={`${l.id}-${l.status}`} letter={l} action={action} />}
      </QueryState>
    </div>
  );
}

function DetailBody({ letter, action }: { letter: DeadLetterDto; action: ReturnType<typeof useAction> }) {
  const [payload, setPayload] = useState(letter.payload);
  const [actor, setActor] = useState('');
  const [note, setNote] = useState('');
  const pending = letter.status === 'pending';
  const edited = payload !== letter.payload;
  function redrive(event: FormEvent) {
    event.preventDefault();
    action.mutate({ kind: 'redrive', actor, note, ...(edited ? { payload } : {}) });
  }
  return (
    <>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="dead-letter-status">
          <StatusBadge status={letter.status} />
        </dd>
        <dt>Reason</dt>
        <dd data-testid="dead-letter-reason">{letter.reason}</dd>
        <dt>From</dt>
        <dd>
          {letter.topic}, partition {letter.partition}, offset {letter.offset}
        </dd>
        <dt>Key</dt>
        <dd>{letter.key ?? '—'}</dd>
        <dt>Dead-lettered by</dt>
        <dd>{letter.groups.join(', ')}</dd>
        <dt>Failed</dt>
        <dd>{formatTime(letter['failed-at'])}</dd>
        <dt>Headers</dt>
        <dd>
          {Object.keys(letter.headers).length === 0
            ? '—'
            : Object.entries(letter.headers)
                .map(([k, v]) => `${k}: ${v}`)
                .join('; ')}
        </dd>
      </dl>
      <form className="form wide" onSubmit={redrive}>
        <div className="field">
          <label htmlFor="dl-payload">
            Payload ({formatCount(letter['payload-bytes'])} bytes
            {letter['payload-encoding'] === 'base64' ? ', not UTF-8: shown as base64, an edit is sent as text' : ''})
          </label>
          <textarea
            id="dl-payload"
            className="payload"
            value={payload}
            onChange={(e) => setPayload(e.target.value)}
            readOnly={!pending}
            rows={6}
            spellCheck={false}
            data-testid="dead-letter-payload"
          />
        </div>
        {pending && (
          <>
            <div className="row">
              <label className="field">
                Who
                <input
                  value={actor}
                  onChange={(e) => setActor(e.target.value)}
                  maxLength={100}
                  placeholder="operator"
                />
              </label>
              <label className="field grow">
                Note
                <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
              </label>
            </div>
            <div className="row">
              <button type="submit" className="approve" disabled={action.isPending} data-testid="redrive">
                {edited ? 'Redrive edited payload' : 'Redrive'}
              </button>
              <button
                type="button"
                className="deny"
                disabled={action.isPending}
                onClick={() => action.mutate({ kind: 'discard', actor, note })}
                data-testid="discard"
              >
                Discard
              </button>
            </div>
          </>
        )}
        {action.error !== null && (
          <p className="message message-error" role="alert" data-testid="action-error">
            {action.error.message}
          </p>
        )}
      </form>
      <h3>Audit trail</h3>
      {letter.actions.length === 0 ? (
        <p className="state">No action yet.</p>
      ) : (
        <ol className="history" data-testid="audit-trail">
          {letter.actions.map((a) => (
            <li key={`${a.at}-${a.action}`}>
              <strong>{a.action}</strong> by {a.actor} · {formatTime(a.at)}
              {a['redriven-to'] !== null &&
                ` · to ${a['redriven-to'].topic}/${a['redriven-to'].partition}@${a['redriven-to'].offset}`}
              {a['edited-payload'] !== null && ' · edited payload'}
              {a.note !== null && ` · ${a.note}`}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

export function DeadLettersView({
  selected,
  select,
}: {
  selected: string | null;
  select: (id: string | null) => void;
}) {
  const [status, setStatus] = useState<Status>('pending');
  const [reason, setReason] = useState<string | null>(null);
  const reasons = useReasons(status);
  const letters = useLetters(status, reason);
  return (
    <section aria-labelledby="dead-letters-title">
      <h1 id="dead-letters-title">Dead letters</h1>
      {selected !== null && <Detail key={selected} id={selected} onClose={() => select(null)} />}
      <div className="grid-2">
        <div className="card" data-testid="dead-letter-reasons">
          <div className="row spread">
            <h2>By reason</h2>
            <label>
              Status{' '}
              <select
                value={status}
                onChange={(e) => {
                  setStatus(e.target.value as Status);
                  setReason(null);
                }}
                data-testid="dead-letter-status-filter"
              >
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <QueryState query={reasons} what="reasons">
            {(r) => (
              <ul className="reasons">
                <li>
                  <button
                    type="button"
                    className="reason"
                    aria-pressed={reason === null}
                    onClick={() => setReason(null)}
                  >
                    <span>All reasons</span> <span className="count">{formatCount(r.total)}</span>
                  </button>
                </li>
                {r.reasons.map((x) => (
                  <li key={x.reason}>
                    <button
                      type="button"
                      className="reason"
                      aria-pressed={reason === x.reason}
                      onClick={() => setReason(x.reason)}
                    >
                      <span>{x.reason}</span> <span className="count">{formatCount(x.count)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </div>
        <div className="card">
          <h2>{reason === null ? `All ${status}` : `${status}: ${reason}`}</h2>
          <QueryState
            query={letters}
            what="dead letters"
            isEmpty={(list) => list.length === 0}
            empty={`No ${status} dead letters.`}
          >
            {(list) => (
              <div className="table-wrap">
                <table aria-label="Dead letters" data-testid="dead-letters-table">
                  <thead>
                    <tr>
                      <th>Id</th>
                      <th>Payload</th>
                      <th>Failed</th>
                      <th>Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((l) => (
                      <tr key={l.id} data-dead-letter-id={l.id}>
                        <td>
                          <button type="button" className="link" onClick={() => select(l.id)}>
                            {l.id}
                          </button>
                        </td>
                        <td className="preview" title={l.reason}>
                          {l['payload-preview'].slice(0, 60)}
                        </td>
                        <td>{formatTime(l['failed-at'])}</td>
                        <td>
                          <StatusBadge status={l.status} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryState>
        </div>
      </div>
    </section>
  );
}
