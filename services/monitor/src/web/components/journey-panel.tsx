import type { JourneyStepDto } from '../../contract-journey.js';
import { formatCount } from '../format.js';
import { useJourney } from '../queries.js';
import { QueryState } from './states.js';

const where = (step: JourneyStepDto) =>
  step.position === null ? '—' : `${step.position.topic}/${step.position.partition}@${step.position.offset}`;

const since = (ms: number | null) =>
  ms === null ? '' : ms < 10_000 ? `+${formatCount(ms)} ms` : `+${(ms / 1000).toFixed(1)} s`;

const time = (at: number | null) =>
  at === null
    ? '—'
    : new Date(at).toLocaleTimeString('en-GB', {
        hour12: false,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        fractionalSecondDigits: 3,
      });

/** One order's way through the pipeline: each step with its time and log position, and where it is now. */
export function JourneyPanel({ id }: { id: string }) {
  const journey = useJourney(id);
  return (
    <section className="journey" aria-label="Journey">
      <h3>Journey</h3>
      <QueryState query={journey} what="journey">
        {(j) => (
          <>
            <p className={`journey-now journey-${j.state.stage}`} data-testid="journey-now">
              <strong>Now:</strong> {j.state.summary}
            </p>
            <table className="journey-steps" data-testid="journey">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Step</th>
                  <th scope="col">Where</th>
                  <th scope="col">Since</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {j.steps.map((step, i) => (
                  <tr key={`${step.kind}-${i}`} data-testid="journey-step" data-kind={step.kind}>
                    <td title={step.at === null ? undefined : new Date(step.at).toISOString()}>{time(step.at)}</td>
                    <td>{step.kind}</td>
                    <td className="mono">{where(step)}</td>
                    <td className="num">{since(step['since-previous-ms'])}</td>
                    <td>
                      {step.summary}
                      {step.kind === 'validated' && step.rules !== undefined && (
                        <ul className="rules">
                          {step.rules
                            .filter((r) => !r.passed)
                            .map((r) => (
                              <li key={r['rule-name']}>
                                <strong>{r['rule-name']}</strong>: {r.message}
                              </li>
                            ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {j.searches.map((s) => (
              <p className="state" key={`${s.topic}-${s.partition}`}>
                Searched {s.topic}/{s.partition} offsets {formatCount(s['from-offset'])}…
                {formatCount(s['to-offset'] - 1)}:{' '}
                {s.found ? 'found' : s.truncated ? 'not found within the bound' : 'not found'}.
              </p>
            ))}
          </>
        )}
      </QueryState>
    </section>
  );
}
