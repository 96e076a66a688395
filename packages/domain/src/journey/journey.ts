import type { Order, OrderStatus } from '../orders/order.js';
import type { DeadLetterStatus } from '../messages/dead-letter.js';
import type { RegisteredOrder, StatusUpdate } from '../registry/registered-order.js';
import type { RuleResult } from '../validation/rules.js';
import type { MessagePosition, PartitionLag } from '../ports/event-bus.js';
import type { DeadLetter, DeadLetterAction, EffectSource } from '../ports/stores.js';

/** The header an order posted through the API carries on `orders`: the id of the request that made it. */
export const REQUEST_ID_HEADER = 'request-id';

/** The views one order is folded into by the query processor. */
export const ORDER_VIEWS = ['customers', 'products', 'timeline', 'totals'] as const;

interface StepBase {
  /** Epoch ms; null when no store or message kept the time (rows from before positions were kept). */
  readonly at: number | null;
  /** The message the step is about; null when it is not known. */
  readonly position: MessagePosition | null;
  /** Milliseconds since the previous step that has a time; null for the first or an untimed step. */
  readonly sincePreviousMs: number | null;
}

export type JourneyStep = StepBase &
  (
    | {
        readonly kind: 'produced';
        /** api: posted (with its request id); generator: made by the order processor; log: another producer. */
        readonly via: 'api' | 'generator' | 'log';
        readonly requestId: string | null;
      }
    | { readonly kind: 'applied'; readonly views: readonly string[] }
    | {
        readonly kind: 'validated';
        readonly passed: boolean;
        readonly rules: readonly RuleResult[];
        /** log: every rule, as published; registration: only the failed ones (the message is gone). */
        readonly rulesFrom: 'log' | 'registration';
      }
    | { readonly kind: 'published' }
    | { readonly kind: 'registered'; readonly version: number; readonly status: OrderStatus }
    | {
        readonly kind: 'decided';
        readonly version: number;
        readonly previousStatus: OrderStatus | null;
        readonly status: OrderStatus;
        readonly by: string | null;
        readonly reason: string;
        readonly requestId: string | null;
      }
    | {
        readonly kind: 'dead-lettered';
        readonly deadLetterId: string;
        readonly reason: string;
        readonly groups: readonly string[];
        readonly status: DeadLetterStatus;
      }
    | {
        readonly kind: 'redriven' | 'discarded' | 'redrive-failed';
        readonly deadLetterId: string;
        readonly actor: string;
        readonly note: string | null;
      }
  );

export type JourneyStepKind = JourneyStep['kind'];

/** A message the order's journey found on the log itself. */
export interface LoggedMessage {
  readonly position: MessagePosition;
  /** Append time. */
  readonly appendedAt: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The validation result as published on `registry`, read back from the log. */
export interface PublishedValidation {
  readonly message: LoggedMessage;
  /** When the registry processor validated the order (the message's own timestamp). */
  readonly validatedAt: number;
  readonly passed: boolean;
  readonly rules: readonly RuleResult[];
}

/** How far one consumer group is on one partition, and how fast its processor goes. */
export interface GroupProgress {
  readonly processor: string;
  readonly lag: PartitionLag;
  /** Messages per second over the processor's live instances; null when none reports. */
  readonly throughputPerSecond: number | null;
}

/**
 * A search of the log for an order no store has a position for: its partition (by key) from the
 * oldest position its consumers have not processed, at most a bounded number of messages.
 */
export interface LogSearch {
  readonly topic: string;
  readonly partition: number;
  readonly fromOffset: number;
  /** Exclusive: the search stopped here, at the end of the log or at its bound. */
  readonly toOffset: number;
  /** True when the bound stopped it before the end of the log. */
  readonly truncated: boolean;
  readonly found: boolean;
}

/** Everything the stores and the log know about one order; gathering it is I/O, the rest is this module. */
export interface JourneyFacts {
  readonly orderId: string;
  /** True when the order processor or the API recorded the order as produced. */
  readonly producedRecorded: boolean;
  /** The order as a store or the log knows it. */
  readonly order: Order | null;
  /** The order's message on `orders`, when it was found. */
  readonly ordersMessage: LoggedMessage | null;
  readonly applied: EffectSource | null;
  readonly validation: PublishedValidation | null;
  readonly registered: RegisteredOrder | null;
  readonly registration: EffectSource | null;
  /** Newest version first, as the registry keeps it. */
  readonly history: readonly StatusUpdate[];
  readonly decisions: ReadonlyMap<string, EffectSource>;
  readonly deadLetters: readonly { readonly letter: DeadLetter; readonly actions: readonly DeadLetterAction[] }[];
  /** Progress of the groups on the partitions the order is in (or will be in). */
  readonly progress: readonly GroupProgress[];
  /** Searches of the log that were needed to find the order's messages. */
  readonly searches: readonly LogSearch[];
}

/** A processor the order waits for, on one partition. */
export interface JourneyWait {
  readonly processor: string;
  readonly topic: string;
  readonly partition: number;
  /** Messages the processor still has to read on that partition up to and including the order's, or its whole lag. */
  readonly messages: number;
  /** At the processor's current throughput; null when it reports none. */
  readonly etaSeconds: number | null;
}

export type JourneyStage = 'waiting' | 'awaiting-decision' | 'accepted' | 'denied' | 'dead-lettered';

export interface JourneyState {
  readonly stage: JourneyStage;
  /** One line for people, e.g. "waiting for registry-processor: 1,204 messages of lag on registry/2, about 3 s". */
  readonly summary: string;
  readonly waitingOn: readonly JourneyWait[];
}

export interface Journey {
  readonly orderId: string;
  readonly order: Order | null;
  /** In the order they happened. */
  readonly steps: readonly JourneyStep[];
  readonly state: JourneyState;
  readonly searches: readonly LogSearch[];
}
