import type { JourneyStep } from './journey.js';

const quoted = (text: string | null) => (text === null || text === '' ? '' : `: ${text}`);

/** One line saying what happened at a step, the same in the API, the dashboard and the command line. */
export function describeStep(step: JourneyStep): string {
  switch (step.kind) {
    case 'produced':
      if (step.via === 'api') return `posted through the API (request ${step.requestId ?? 'unknown'})`;
      return step.via === 'generator' ? 'produced by the order generator' : 'appended to the log by another producer';
    case 'applied':
      return `applied to the views: ${step.views.join(', ')}`;
    case 'validated': {
      const failed = step.rules.filter((r) => !r.passed);
      const verdict = step.passed ? 'passed' : `failed ${failed.map((r) => r.ruleName).join(', ')}`;
      if (step.rulesFrom === 'registration') return `validated: ${verdict} (the other rules are no longer on the log)`;
      return `validated: ${step.rules.length - failed.length} of ${step.rules.length} rules passed${
        step.passed ? '' : `; ${verdict}`
      }`;
    }
    case 'published':
      return 'validation result published on registry';
    case 'registered':
      return `registered as ${step.status} (version ${step.version})`;
    case 'decided':
      return `${step.previousStatus ?? 'unregistered'} → ${step.status} by ${step.by ?? 'unnamed'} (version ${step.version}, request ${step.requestId ?? 'unknown'})${quoted(step.reason)}`;
    case 'dead-lettered':
      return `dead-lettered by ${step.groups.join(', ')} (${step.reason}); now ${step.status}`;
    case 'redriven':
      return `redriven by ${step.actor}${quoted(step.note)}`;
    case 'discarded':
      return `discarded by ${step.actor}${quoted(step.note)}`;
    case 'redrive-failed':
      return `redrive by ${step.actor} failed${quoted(step.note)}`;
  }
}
