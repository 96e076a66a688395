import { orderToWire, type OrderWire } from '../orders/order-codec.js';
import type { MessagePosition } from '../ports/event-bus.js';
import { describeStep } from './describe-step.js';
import type { Journey, JourneyStage, JourneyStep } from './journey.js';

/** A journey step with kebab-case keys: the API's answer and the command line's `--json`. */
export interface JourneyStepWire {
  kind: JourneyStep['kind'];
  summary: string;
  at: number | null;
  position: MessagePosition | null;
  'since-previous-ms': number | null;
  via?: 'api' | 'generator' | 'log';
  'request-id'?: string | null;
  views?: string[];
  passed?: boolean;
  rules?: { 'rule-name': string; passed: boolean; message: string | null }[];
  'rules-from'?: 'log' | 'registration';
  version?: number;
  status?: string;
  'previous-status'?: string | null;
  by?: string | null;
  reason?: string;
  'dead-letter-id'?: string;
  groups?: string[];
  actor?: string;
  note?: string | null;
}

export interface JourneyWire {
  'order-id': string;
  order: OrderWire | null;
  steps: JourneyStepWire[];
  state: {
    stage: JourneyStage;
    summary: string;
    'waiting-on': {
      processor: string;
      topic: string;
      partition: number;
      messages: number;
      'eta-seconds': number | null;
    }[];
  };
  searches: {
    topic: string;
    partition: number;
    'from-offset': number;
    'to-offset': number;
    truncated: boolean;
    found: boolean;
  }[];
}

function stepFields(
  step: JourneyStep,
): Omit<JourneyStepWire, 'kind' | 'summary' | 'at' | 'position' | 'since-previous-ms'> {
  switch (step.kind) {
    case 'produced':
      return { via: step.via, 'request-id': step.requestId };
    case 'applied':
      return { views: [...step.views] };
    case 'validated':
      return {
        passed: step.passed,
        'rules-from': step.rulesFrom,
        rules: step.rules.map((r) => ({ 'rule-name': r.ruleName, passed: r.passed, message: r.message })),
      };
    case 'published':
      return {};
    case 'registered':
      return { version: step.version, status: step.status };
    case 'decided':
      return {
        version: step.version,
        'previous-status': step.previousStatus,
        status: step.status,
        by: step.by,
        reason: step.reason,
        'request-id': step.requestId,
      };
    case 'dead-lettered':
      return {
        'dead-letter-id': step.deadLetterId,
        reason: step.reason,
        groups: [...step.groups],
        status: step.status,
      };
    case 'redriven':
    case 'discarded':
    case 'redrive-failed':
      return { 'dead-letter-id': step.deadLetterId, actor: step.actor, note: step.note };
  }
}

export function journeyToWire(journey: Journey): JourneyWire {
  return {
    'order-id': journey.orderId,
    order: journey.order === null ? null : orderToWire(journey.order),
    steps: journey.steps.map((step) => ({
      kind: step.kind,
      summary: describeStep(step),
      at: step.at,
      position: step.position === null ? null : { ...step.position },
      'since-previous-ms': step.sincePreviousMs,
      ...stepFields(step),
    })),
    state: {
      stage: journey.state.stage,
      summary: journey.state.summary,
      'waiting-on': journey.state.waitingOn.map((w) => ({
        processor: w.processor,
        topic: w.topic,
        partition: w.partition,
        messages: w.messages,
        'eta-seconds': w.etaSeconds,
      })),
    },
    searches: journey.searches.map((s) => ({
      topic: s.topic,
      partition: s.partition,
      'from-offset': s.fromOffset,
      'to-offset': s.toOffset,
      truncated: s.truncated,
      found: s.found,
    })),
  };
}
