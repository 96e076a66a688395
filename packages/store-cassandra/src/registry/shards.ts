import type { Consumed, RegistryTotals, RuleHitCounts, SourcePartition } from '@kafka-monitor/domain';
import { EMPTY_SHARD, shardFromRow, type Shard } from './rows.js';
import { ruleHitsCell, ruleHitsOfRow, sumRuleHits } from './rule-hits.js';
import { GROUP, type RegistryContext } from './statements.js';
import type { Tally } from './tally.js';

export type RegistryShards = ReturnType<typeof createShards>;

/** A position row with its per-rule hits (rule-hits.ts). */
type CountedShard = Shard & { readonly ruleHits: RuleHitCounts };

/**
 * The registry's position rows, one per source partition: the next offset and the partition's counts,
 * written USING TIMESTAMP <next offset> so the furthest offset wins; the totals are their sum.
 */
export function createShards({ session, cql }: RegistryContext) {
  async function readShard(source: SourcePartition): Promise<CountedShard> {
    const [row] = await session.rows(cql.shard, [GROUP, source.consumer, source.topic, source.partition]);
    return { ...(row === undefined ? EMPTY_SHARD : shardFromRow(row)), ruleHits: ruleHitsOfRow(row) };
  }

  async function commit(
    source: SourcePartition,
    shard: CountedShard,
    fresh: readonly Consumed<unknown>[],
    end: number,
    now: number,
    tally: Tally,
  ): Promise<void> {
    const errors = fresh.filter((e) => e.content === null).length;
    await session.write(cql.writeShard, [
      GROUP,
      source.consumer,
      source.topic,
      source.partition,
      end,
      shard.processed + fresh.length - errors,
      shard.errors + errors,
      now,
      shard.registered + tally.registered,
      shard.pending + tally.byStatus.pending,
      shard.accepted + tally.byStatus.accepted,
      shard.denied + tally.byStatus.denied,
      shard.revenue + tally.revenueCents,
      shard.validated + tally.validated,
      shard.approved + tally.approved,
      shard.rejected + tally.rejected,
      ruleHitsCell(shard.ruleHits, tally),
      end,
    ]);
  }

  async function totals(): Promise<RegistryTotals> {
    const shards = (await session.rows(cql.shards, [GROUP])).map(shardFromRow);
    const sum = (pick: (s: Shard) => number) => shards.reduce((acc, s) => acc + pick(s), 0);
    return {
      registeredCount: sum((s) => s.registered),
      acceptedCount: sum((s) => s.accepted),
      deniedCount: sum((s) => s.denied),
      pendingCount: sum((s) => s.pending),
      acceptedRevenueCents: sum((s) => s.revenue),
      totalValidated: sum((s) => s.validated),
      totalApproved: sum((s) => s.approved),
      totalRejected: sum((s) => s.rejected),
    };
  }

  async function ruleHits(): Promise<RuleHitCounts> {
    return sumRuleHits(await session.rows(cql.shards, [GROUP]));
  }

  return { readShard, commit, totals, ruleHits };
}
