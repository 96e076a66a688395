import type { ProcessingStats, SourcePartition } from '@kafka-monitor/domain';
import { num, optNum } from '../rows.js';
import type { Row, Session } from '../session.js';
import { GROUP, type ViewStatements } from './statements.js';

/** A source partition's position row: the next offset to apply and the partition's share of the totals. */
export interface Position {
  readonly nextOffset: number;
  readonly processed: number;
  readonly errors: number;
  readonly totalOrders: number;
  readonly spentCents: number;
  readonly customers: number;
  readonly products: number;
}

const NO_POSITION: Position = {
  nextOffset: 0,
  processed: 0,
  errors: 0,
  totalOrders: 0,
  spentCents: 0,
  customers: 0,
  products: 0,
};

export async function readPosition(session: Session, cql: ViewStatements, source: SourcePartition): Promise<Position> {
  const [row] = await session.rows(cql.position, [GROUP, source.consumer, source.topic, source.partition]);
  if (row === undefined) return NO_POSITION;
  return {
    nextOffset: num(row, 'next_offset'),
    processed: num(row, 'processed_count'),
    errors: num(row, 'error_count'),
    totalOrders: num(row, 'total_orders'),
    spentCents: num(row, 'total_spent_cents'),
    customers: num(row, 'customers_claimed'),
    products: num(row, 'products_claimed'),
  };
}

/**
 * Commits a batch: the position row for offset `end`, written USING TIMESTAMP `end` so the furthest
 * offset wins whatever the arrival order, carrying the partition's totals.
 */
export async function writePosition(
  session: Session,
  cql: ViewStatements,
  source: SourcePartition,
  end: number,
  position: Position,
  now: number,
): Promise<void> {
  await session.write(cql.writePosition, [
    GROUP,
    source.consumer,
    source.topic,
    source.partition,
    end,
    position.processed,
    position.errors,
    now,
    position.totalOrders,
    position.spentCents,
    position.customers,
    position.products,
    end,
  ]);
}

/** processing_stats of one processor: the sum of its partitions' position rows. */
export function sumStats(processorId: string, rows: readonly Row[]): ProcessingStats | undefined {
  if (rows.length === 0) return undefined;
  const last = rows.map((r) => optNum(r, 'last_processed_timestamp')).filter((t): t is number => t !== null);
  return {
    processorId,
    processedCount: rows.reduce((s, r) => s + num(r, 'processed_count'), 0),
    errorCount: rows.reduce((s, r) => s + num(r, 'error_count'), 0),
    lastProcessedTimestamp: last.length === 0 ? null : Math.max(...last),
  };
}

export async function processingStats(
  session: Session,
  cql: ViewStatements,
  processorId: string,
): Promise<ProcessingStats | undefined> {
  return sumStats(processorId, await session.rows(cql.consumerPositions, [GROUP, processorId]));
}
