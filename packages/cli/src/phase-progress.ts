import { SingleBar } from 'cli-progress';

/** A progress report of a run in phases, each counting `done` of `total` (the audit's, the rebuild's). */
export interface PhaseProgress<Phase extends string> {
  readonly phase: Phase;
  readonly done: number;
  readonly total: number;
}

/**
 * A progress bar on `stream` named `label`, showing each phase by its name in `phases`; with no stream
 * (output not a terminal, or --json) it shows nothing. `report` takes the run's progress callbacks;
 * `stop` ends the bar, whether the run finished or failed.
 */
export function phaseProgressBar<Phase extends string>(
  stream: NodeJS.WritableStream | undefined,
  label: string,
  phases: Record<Phase, string>,
): { report: (progress: PhaseProgress<Phase>) => void; stop: () => void } {
  const bar =
    stream === undefined
      ? undefined
      : new SingleBar({
          stream,
          format: `${label} |{bar}| {phase} {value}/{total} | {percentage}% | ETA {eta_formatted}`,
          hideCursor: true,
        });
  let phase: Phase | undefined;
  return {
    report(progress) {
      if (bar === undefined) return;
      if (progress.phase !== phase) {
        if (phase === undefined) bar.start(progress.total, progress.done, { phase: phases[progress.phase] });
        else bar.setTotal(progress.total);
        phase = progress.phase;
      }
      bar.update(progress.done, { phase: phases[progress.phase] });
    },
    stop: () => bar?.stop(),
  };
}
