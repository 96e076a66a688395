import { GROUPS, TOPICS } from '../messages/topics.js';
import type { MessagePosition } from '../ports/event-bus.js';
import {
  ORDER_VIEWS,
  REQUEST_ID_HEADER,
  type GroupProgress,
  type Journey,
  type JourneyFacts,
  type JourneyState,
  type JourneyStep,
  type JourneyWait,
} from './journey.js';
import { describeWait } from './describe-wait.js';

type UntimedStep = JourneyStep extends infer S ? (S extends JourneyStep ? Omit<S, 'sincePreviousMs'> : never) : never;

/** Pipeline order, which breaks ties of equal times and places steps whose time is unknown. */
const RANK: Record<JourneyStep['kind'], number> = {
  produced: 0,
  applied: 1,
  validated: 2,
  published: 3,
  registered: 4,
  decided: 5,
  'dead-lettered': 6,
  redriven: 7,
  discarded: 7,
  'redrive-failed': 7,
};

function producedStep(facts: JourneyFacts, orders: MessagePosition | null): UntimedStep | null {
  const requestId = facts.ordersMessage?.headers[REQUEST_ID_HEADER] ?? null;
  if (!facts.producedRecorded && facts.ordersMessage === null && orders === null) return null;
  return {
    kind: 'produced',
    at: facts.ordersMessage?.appendedAt ?? (facts.producedRecorded ? (facts.order?.timestamp ?? null) : null),
    position: orders,
    via: requestId !== null ? 'api' : facts.producedRecorded ? 'generator' : 'log',
    requestId,
  };
}

function validationSteps(facts: JourneyFacts, orders: MessagePosition | null): UntimedStep[] {
  const { validation, registered, registration } = facts;
  if (validation !== null) {
    return [
      {
        kind: 'validated',
        at: validation.validatedAt,
        position: orders,
        passed: validation.passed,
        rules: validation.rules,
        rulesFrom: 'log',
      },
      { kind: 'published', at: validation.message.appendedAt, position: validation.message.position },
    ];
  }
  if (registered === null) return [];
  return [
    {
      kind: 'validated',
      at: null,
      position: orders,
      passed: registered.validationPassed,
      rules: registered.failedRules,
      rulesFrom: 'registration',
    },
    { kind: 'published', at: null, position: registration?.position ?? null },
  ];
}

function registrySteps(facts: JourneyFacts): UntimedStep[] {
  const steps: UntimedStep[] = [];
  for (const update of [...facts.history].sort((a, b) => a.version - b.version)) {
    if (update.version === 1) {
      steps.push({
        kind: 'registered',
        at: facts.registration?.at ?? update.updatedAt,
        position: facts.registration?.position ?? null,
        version: 1,
        status: update.newStatus,
      });
      continue;
    }
    const source = update.requestId === null ? undefined : facts.decisions.get(update.requestId);
    steps.push({
      kind: 'decided',
      at: update.updatedAt,
      position: source?.position ?? null,
      version: update.version,
      previousStatus: update.previousStatus,
      status: update.newStatus,
      by: update.requestedBy,
      reason: update.reason,
      requestId: update.requestId,
    });
  }
  if (facts.registered !== null && !steps.some((s) => s.kind === 'registered')) {
    steps.push({
      kind: 'registered',
      at: facts.registered.registeredAt,
      position: facts.registration?.position ?? null,
      version: 1,
      // Decisions are taken on pending orders only, so an order decided since was registered pending.
      status: facts.registered.version === 1 ? facts.registered.status : 'pending',
    });
  }
  return steps;
}

function deadLetterSteps(facts: JourneyFacts): UntimedStep[] {
  return facts.deadLetters.flatMap(({ letter, actions }): UntimedStep[] => [
    {
      kind: 'dead-lettered',
      at: letter.failedAt,
      position: { topic: letter.topic, partition: letter.partition, offset: letter.offset },
      deadLetterId: letter.id,
      reason: letter.reason,
      groups: letter.groups,
      status: letter.status,
    },
    ...actions.map((a): UntimedStep => ({
      kind: a.action === 'redrive' ? 'redriven' : a.action === 'discard' ? 'discarded' : 'redrive-failed',
      at: a.at,
      position: a.redrivenTo,
      deadLetterId: letter.id,
      actor: a.actor,
      note: a.note,
    })),
  ]);
}

/**
 * Steps in the order they happened. A step without a time is placed after the steps before it in
 * the pipeline, so an old row without a time still appears where it belongs.
 */
function ordered(steps: readonly UntimedStep[]): JourneyStep[] {
  let latest = -Infinity;
  const keyed = [...steps]
    .map((step, index) => ({ step, index }))
    .sort((a, b) => RANK[a.step.kind] - RANK[b.step.kind] || a.index - b.index)
    .map(({ step, index }) => {
      latest = Math.max(latest, step.at ?? latest);
      return { step, index, time: step.at ?? latest };
    });
  keyed.sort((a, b) => a.time - b.time || RANK[a.step.kind] - RANK[b.step.kind] || a.index - b.index);
  let previous: number | null = null;
  return keyed.map(({ step }) => {
    const sincePreviousMs = step.at === null || previous === null ? null : step.at - previous;
    if (step.at !== null) previous = step.at;
    return { ...step, sincePreviousMs };
  });
}

function waitOn(progress: GroupProgress | undefined, position: MessagePosition | null): JourneyWait | null {
  if (progress === undefined) return null;
  const { lag } = progress;
  let messages: number;
  if (position === null) messages = lag.lag;
  else if (lag.committedOffset > position.offset) return null;
  else messages = position.offset - lag.committedOffset + 1;
  if (messages <= 0) return null;
  const speed = progress.throughputPerSecond;
  return {
    processor: progress.processor,
    topic: lag.topic,
    partition: lag.partition,
    messages,
    etaSeconds: speed === null || speed <= 0 ? null : messages / speed,
  };
}

function findProgress(facts: JourneyFacts, processor: string, topic: string): GroupProgress | undefined {
  return facts.progress.find((p) => p.processor === processor && p.lag.topic === topic);
}

/** What the order still waits for: a processor that has not reached its message yet. */
function waits(facts: JourneyFacts, orders: MessagePosition | null): JourneyWait[] {
  const found: (JourneyWait | null)[] = [];
  if (facts.applied === null) {
    found.push(waitOn(findProgress(facts, GROUPS.queryProcessor, TOPICS.orders), orders));
  }
  if (facts.registered === null) {
    const validating = waitOn(findProgress(facts, GROUPS.registryProcessor, TOPICS.orders), orders);
    found.push(
      validating ??
        waitOn(
          findProgress(facts, GROUPS.registryProcessor, TOPICS.registry),
          facts.validation?.message.position ?? null,
        ),
    );
  }
  return found.filter((w): w is JourneyWait => w !== null);
}

function stateOf(facts: JourneyFacts, waitingOn: readonly JourneyWait[]): JourneyState {
  const pending = facts.deadLetters.find((d) => d.letter.status === 'pending')?.letter;
  if (pending !== undefined) {
    return {
      stage: 'dead-lettered',
      summary: `dead-lettered by ${pending.groups.join(', ')} (${pending.reason}): waiting for an operator to redrive or discard it`,
      waitingOn,
    };
  }
  if (waitingOn.length > 0) return { stage: 'waiting', summary: waitingOn.map(describeWait).join('; '), waitingOn };
  const registered = facts.registered;
  if (registered !== null) {
    if (registered.status === 'pending') {
      return {
        stage: 'awaiting-decision',
        summary: "registered as pending: waiting for an operator's decision",
        waitingOn,
      };
    }
    return { stage: registered.status, summary: `${registered.status} (version ${registered.version})`, waitingOn };
  }
  if (facts.deadLetters.length > 0) {
    return { stage: 'dead-lettered', summary: 'dead-lettered, and not redriven into the registry', waitingOn };
  }
  return { stage: 'waiting', summary: 'waiting for registry-processor to register it', waitingOn };
}

/** One order's journey from what the stores and the log know about it. */
export function assembleJourney(facts: JourneyFacts): Journey {
  const orders = facts.ordersMessage?.position ?? facts.applied?.position ?? null;
  const steps: UntimedStep[] = [];
  const produced = producedStep(facts, orders);
  if (produced !== null) steps.push(produced);
  if (facts.applied !== null) {
    steps.push({ kind: 'applied', at: facts.applied.at, position: facts.applied.position, views: [...ORDER_VIEWS] });
  }
  steps.push(...validationSteps(facts, orders), ...registrySteps(facts), ...deadLetterSteps(facts));
  const order = facts.order ?? facts.registered?.order ?? null;
  return {
    orderId: facts.orderId,
    order,
    steps: ordered(steps),
    state: stateOf(facts, waits(facts, orders)),
    searches: facts.searches,
  };
}
