import { consumerStatus, worstStatus, type ConsumerStatus } from './consumer-status.js';
import type { LagSample } from './lag-sample.js';
import { partitionTrend, type PartitionTrend } from './partition-trend.js';

export interface PartitionHistory {
  readonly topic: string;
  readonly partition: number;
  readonly samples: readonly LagSample[];
}

export interface PartitionEvaluation extends PartitionTrend {
  readonly topic: string;
  readonly partition: number;
  readonly status: ConsumerStatus;
}

export interface GroupEvaluation {
  /** The most severe status of its partitions (OK without partitions). */
  readonly status: ConsumerStatus;
  readonly partitions: readonly PartitionEvaluation[];
}

export interface EvaluationOptions {
  readonly now: number;
  /** Window of the status rules and of the rates and trends (ms). */
  readonly windowMs: number;
  readonly membersPresent: boolean;
}

/** Status, rates, trend and time to drain of every partition of a group, and the group's status. */
export function evaluateGroup(partitions: readonly PartitionHistory[], options: EvaluationOptions): GroupEvaluation {
  const evaluated = partitions.map((p): PartitionEvaluation => ({
    topic: p.topic,
    partition: p.partition,
    status: consumerStatus(p.samples, options),
    ...partitionTrend(p.samples, options.now, options.windowMs),
  }));
  return { status: worstStatus(evaluated.map((p) => p.status)), partitions: evaluated };
}
