import type {
  Consumed,
  DecisionRecord,
  RegisteredOrder,
  RegistryMessage,
  RegistryStore,
  SourcePartition,
} from '@kafka-monitor/domain';
import type { FeedChange, createChangeFeed } from '../change-feed.js';
import { forEachLimited } from '../concurrency.js';
import { positionToken } from '../rows.js';
import type { Decide } from './decide.js';
import { pendingRows } from './pending-rows.js';
import { LOST, type Registration } from './register.js';
import type { RegistryShards } from './shards.js';
import { REGISTRY_PROCESSOR_ID, type RegistryContext } from './statements.js';
import { Tally } from './tally.js';

/** Orders of one batch applied at once: enough to hide LWT round trips, few enough not to swamp a node. */
const ORDERS_IN_FLIGHT = 16;

export interface ApplyRegistryDeps {
  readonly context: RegistryContext;
  readonly shards: RegistryShards;
  readonly registration: Registration;
  readonly decide: Decide;
  readonly feed: ReturnType<typeof createChangeFeed>;
  /** Whether registrations are claimed one per order (a store older than registration_claims). */
  readonly perOrderClaims: () => Promise<boolean>;
}

/** RegistryStore.applyRegistryMessages and recordValidations on Cassandra. */
export function createRegistryApply(
  deps: ApplyRegistryDeps,
): Pick<RegistryStore, 'applyRegistryMessages' | 'recordValidations'> {
  const { shards, registration, decide, feed, perOrderClaims } = deps;
  const { session, cql } = deps.context;
  return {
    async applyRegistryMessages(source: SourcePartition, entries: readonly Consumed<RegistryMessage>[], now: number) {
      const shard = await shards.readShard(source);
      const fresh = entries.filter((e) => e.offset >= shard.nextOffset);
      const last = fresh.at(-1);
      if (last === undefined) return { applied: 0, skipped: entries.length, registered: [], decisions: [] };
      const tally = new Tally();
      // Messages of one order apply in entry order (a decision may concern an order registered earlier
      // in the batch); different orders are independent, so their round trips overlap.
      const results = new Map<
        number,
        { registered?: RegisteredOrder; decision?: DecisionRecord; changes: FeedChange[] }
      >();
      const byOrder = new Map<string, Consumed<RegistryMessage>[]>();
      for (const entry of fresh) {
        if (entry.content === null) continue;
        const orderId =
          entry.content.kind === 'validation' ? entry.content.order.orderId : entry.content.change.orderId;
        const group = byOrder.get(orderId);
        if (group === undefined) byOrder.set(orderId, [entry]);
        else group.push(entry);
      }
      const tokenAt = (offset: number) => positionToken(source.consumer, source.topic, source.partition, offset);
      const claims = (await perOrderClaims()) ? undefined : await registration.claimBatch(fresh, tokenAt, now);
      const pending = pendingRows(session);
      const applying = forEachLimited([...byOrder.values()], ORDERS_IN_FLIGHT, async (group) => {
        for (const { offset, content } of group) {
          if (content === null) continue;
          const token = tokenAt(offset);
          const own: FeedChange[] = [];
          if (content.kind === 'validation') {
            // Only the first validation of an order id in the batch asked; a later one registers nothing.
            const claimed = claims === undefined ? undefined : (claims.get(offset) ?? LOST);
            const added = await registration.register(content, token, now, tally, own, claimed, pending);
            results.set(offset, { ...(added && { registered: added }), changes: own });
          } else {
            await pending.flush();
            const decided = await decide(content.change, token, now, tally, own);
            results.set(offset, { ...(decided && { decision: decided }), changes: own });
          }
        }
      });
      await applying.catch(async (error: unknown) => {
        await pending.abandon();
        throw error;
      });
      await pending.flush();
      const inEntryOrder = fresh.flatMap((e) => {
        const result = results.get(e.offset);
        return result === undefined ? [] : [result];
      });
      const registered = inEntryOrder.flatMap((r) => (r.registered === undefined ? [] : [r.registered]));
      const decisions = inEntryOrder.flatMap((r) => (r.decision === undefined ? [] : [r.decision]));
      const changes = inEntryOrder.flatMap((r) => r.changes);
      await feed.append(changes, { repeated: tally.repeated });
      await shards.commit(source, shard, fresh, last.offset + 1, now, tally);
      if (tally.validated > 0) {
        const t = await shards.totals();
        await session.write(cql.mirrorValidation, [
          REGISTRY_PROCESSOR_ID,
          t.totalValidated,
          t.totalApproved,
          t.totalRejected,
          now,
        ]);
      }
      return { applied: fresh.length, skipped: entries.length - fresh.length, registered, decisions };
    },

    async recordValidations(source: SourcePartition, entries: readonly Consumed<true>[], now: number) {
      const shard = await shards.readShard(source);
      const fresh = entries.filter((e) => e.offset >= shard.nextOffset);
      const last = fresh.at(-1);
      if (last === undefined) return { applied: 0, skipped: entries.length };
      await shards.commit(source, shard, fresh, last.offset + 1, now, new Tally());
      return { applied: fresh.length, skipped: entries.length - fresh.length };
    },
  };
}
