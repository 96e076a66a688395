import { addRuleHits, type RuleHitCounts } from '@kafka-monitor/domain';
import type { Row } from '../session.js';
import type { Keyspaces } from '../schema.js';
import type { Tally } from './tally.js';

/**
 * Per-rule hits on Cassandra: one text column of each registry position row (source_positions) holds
 * that source partition's counts as JSON, written in the same INSERT as its next offset and its other
 * counts (USING TIMESTAMP <next offset>), so a batch adds its hits exactly once and no order costs a
 * write of its own. The store's counts are the sum over the rows.
 */
export const RULE_HITS_COLUMN = 'rule_hits';

/** A row's counts; a row written before the column existed has none. */
export function ruleHitsOfRow(row: Row | undefined): RuleHitCounts {
  const cell = row?.[RULE_HITS_COLUMN];
  if (typeof cell !== 'string' || cell === '') return {};
  try {
    const parsed: unknown = JSON.parse(cell);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    // addRuleHits reads any count that is not a non-negative integer as 0.
    return addRuleHits({}, parsed as RuleHitCounts);
  } catch {
    return {};
  }
}

/** The cell a batch writes: the row's counts plus the batch's. */
export const ruleHitsCell = (stored: RuleHitCounts, tally: Tally): string =>
  JSON.stringify(addRuleHits(stored, tally.ruleHits));

export const sumRuleHits = (rows: readonly Row[]): RuleHitCounts =>
  rows.reduce<RuleHitCounts>((sum, row) => addRuleHits(sum, ruleHitsOfRow(row)), {});

/** The migration's column (added only: older processes go on writing their rows without it). */
export const ruleHitsColumn = { keyspace: (ks: Keyspaces) => ks.registry, table: 'source_positions', type: 'text' };
