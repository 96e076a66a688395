import type { BoundStatement, LwtResult, Row, Session } from './session.js';

/*
 * The offline tests' Cassandra: an in-memory double of the few CQL shapes the adapter uses, so
 * `npm test` exercises the adapter's logic (claims, shards, feed, buckets) without a JVM. It follows
 * Cassandra where the design relies on it: primary keys and clustering order, last-write-wins by write
 * timestamp (USING TIMESTAMP), IF NOT EXISTS / IF conditions. Every request answers on a later
 * microtask, so requests started together are in flight together, as on a real connection. The real
 * engine test (cassandra-store.engine.test.ts) remains the authority.
 */

interface Table {
  readonly partitionKey: string[];
  readonly clustering: { name: string; desc: boolean }[];
  readonly rows: Map<string, { values: Record<string, unknown>; written: Record<string, number> }>;
}

type Condition = { column: string; op: '=' | '<' | '>=' | '>' | 'IN'; value: unknown };

const squash = (cql: string) => cql.replace(/\s+/g, ' ').trim();

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

const compare = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Driver values the adapter binds (Uuid, BigDecimal) compare by their text, as the real session returns them. */
const plain = (value: unknown): unknown =>
  value === undefined || value === null
    ? null
    : typeof value === 'object' && !Array.isArray(value)
      ? (value as { toString(): string }).toString()
      : value;

export class MemorySession implements Session {
  readonly tables = new Map<string, Table>();
  /** Conditional batches run, to tell batched claims from per-order ones. */
  batches = 0;
  /** Unlogged batches run, with the statements of each. */
  readonly writeBatches: BoundStatement[][] = [];
  /** Rows of system.size_estimates per keyspace, as a node would have recorded them. */
  readonly sizeEstimates = new Map<string, Row[]>();
  private clock = 1e15;

  ddl(cql: string): Promise<void> {
    const text = squash(cql);
    const dropKeyspace = /^DROP KEYSPACE IF EXISTS (\S+)$/.exec(text);
    if (dropKeyspace !== null) {
      for (const name of [...this.tables.keys()]) {
        if (name.startsWith(`${dropKeyspace[1] ?? ''}.`)) this.tables.delete(name);
      }
      return Promise.resolve();
    }
    const create = /^CREATE TABLE IF NOT EXISTS (\S+) \((.*?)\)( WITH CLUSTERING ORDER BY \((.*)\))?$/.exec(text);
    if (create !== null) {
      const [, name = '', body = '', , order = ''] = create;
      if (this.tables.has(name)) return Promise.resolve();
      const desc = new Set(
        order
          .split(',')
          .filter((o) => o.includes('DESC'))
          .map((o) => o.trim().split(' ')[0]),
      );
      let partitionKey: string[] = [];
      let clustering: string[] = [];
      for (const part of splitTop(body)) {
        const pk = /^PRIMARY KEY \((.*)\)$/.exec(part);
        if (pk !== null) {
          const keys = splitTop(pk[1] ?? '');
          partitionKey = (keys[0] ?? '')
            .replace(/[()]/g, '')
            .split(',')
            .map((k) => k.trim());
          clustering = keys.slice(1);
        } else if (part.endsWith('PRIMARY KEY')) partitionKey = [part.split(' ')[0] ?? ''];
      }
      this.tables.set(name, {
        partitionKey,
        clustering: clustering.map((c) => ({ name: c, desc: desc.has(c) })),
        rows: new Map(),
      });
    }
    return Promise.resolve();
  }

  private table(name: string): Table {
    const table = this.tables.get(name);
    if (table === undefined) throw new Error(`unknown table ${name}`);
    return table;
  }

  private conditions(text: string, params: unknown[]): Condition[] {
    return text.split(' AND ').map((c) => {
      const m = /^(\w+) (=|<|>=|>|IN) (\?|'[^']*')$/.exec(c.trim());
      if (m === null) throw new Error(`unsupported condition ${c}`);
      const value = m[3] === '?' ? params.shift() : (m[3] ?? '').slice(1, -1);
      return { column: m[1] ?? '', op: m[2] as Condition['op'], value: Array.isArray(value) ? value : plain(value) };
    });
  }

  private static matches(values: Record<string, unknown>, conditions: readonly Condition[]): boolean {
    return conditions.every(({ column, op, value }) => {
      const v = values[column] ?? null;
      if (op === 'IN') return (value as unknown[]).includes(v);
      if (v === null) return value === null && op === '=';
      const c = compare(v, value);
      return op === '=' ? c === 0 : op === '<' ? c < 0 : op === '>' ? c > 0 : c >= 0;
    });
  }

  /**
   * Cassandra refuses an empty partition key ("Key may not be empty"): a text key of its own serialises
   * to nothing. A composite key always serialises to something, and empty clustering values are fine.
   */
  private static checkKey(table: Table, values: Record<string, unknown>): void {
    const [only, ...more] = table.partitionKey;
    if (only !== undefined && more.length === 0 && values[only] === '') throw new Error('Key may not be empty');
  }

  private static keyOf(table: Table, values: Record<string, unknown>): string {
    return JSON.stringify([...table.partitionKey, ...table.clustering.map((c) => c.name)].map((k) => values[k]));
  }

  private select(text: string, params: unknown[]): Row[] {
    const m = /^SELECT (.+?) FROM (\S+)(?: WHERE (.+?))?(?: ORDER BY (\w+) (ASC|DESC))?(?: LIMIT (\?|\d+))?$/.exec(
      text,
    );
    if (m === null) throw new Error(`unsupported select ${text}`);
    const [, columns = '*', name = '', where, , direction, limitText] = m;
    if (name === 'system.local') return [{ release_version: 'memory' }];
    // Columns are not declared here (rows take any column), so every column is new to an ALTER.
    if (name === 'system_schema.columns' || name === 'system_schema.tables') return [];
    if (name === 'system.size_estimates') return [...(this.sizeEstimates.get(String(params[0])) ?? [])];
    const table = this.table(name);
    const conditions = where === undefined ? [] : this.conditions(where, params);
    MemorySession.checkKey(table, Object.fromEntries(conditions.map((c) => [c.column, c.value])));
    const limit =
      limitText === '?' ? (params.shift() as number) : limitText === undefined ? Infinity : Number(limitText);
    let rows = [...table.rows.values()].map((r) => r.values).filter((v) => MemorySession.matches(v, conditions));
    rows.sort((a, b) => {
      for (const k of table.partitionKey) {
        const c = compare(a[k], b[k]);
        if (c !== 0) return c;
      }
      for (const { name: k, desc } of table.clustering) {
        const c = compare(a[k], b[k]);
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    });
    const first = table.clustering[0];
    if (direction !== undefined && first !== undefined && (direction === 'DESC') !== first.desc) rows.reverse();
    rows = rows.slice(0, limit);
    return rows.map((r) =>
      columns === '*'
        ? { ...r }
        : Object.fromEntries(columns.split(',').map((c) => [c.trim(), r[c.trim()] ?? null] as const)),
    );
  }

  private upsert(table: Table, values: Record<string, unknown>, timestamp: number): void {
    MemorySession.checkKey(table, values);
    const key = MemorySession.keyOf(table, values);
    const existing = table.rows.get(key) ?? { values: {}, written: {} };
    for (const [column, value] of Object.entries(values)) {
      if ((existing.written[column] ?? -Infinity) <= timestamp) {
        existing.values[column] = value;
        existing.written[column] = timestamp;
      }
    }
    table.rows.set(key, existing);
  }

  private run(cql: string, params: unknown[]): { rows: Row[]; lwt?: LwtResult } {
    const text = squash(cql);
    const stamp = ++this.clock;
    if (text.startsWith('SELECT')) return { rows: this.select(text, params) };
    const insert =
      /^INSERT INTO (\S+) \((.+?)\) VALUES \((.+?)\)(?: USING (TIMESTAMP|TTL) (\?|\d+))?( IF NOT EXISTS)?(?: USING (TTL) (\?|\d+))?$/.exec(
        text,
      );
    if (insert !== null) {
      // A TTL is taken and ignored: rows here live as long as the test.
      const [, name = '', columns = '', , usingBefore, valueBefore, ifNotExists, usingAfter, valueAfter] = insert;
      const using = usingBefore ?? usingAfter;
      const usingValue = valueBefore ?? valueAfter;
      const table = this.table(name);
      const values = Object.fromEntries(columns.split(',').map((c) => [c.trim(), plain(params.shift())] as const));
      const option = using === undefined ? undefined : usingValue === '?' ? params.shift() : Number(usingValue);
      MemorySession.checkKey(table, values);
      const existing = table.rows.get(MemorySession.keyOf(table, values));
      if (ifNotExists !== undefined && existing !== undefined) {
        return { rows: [], lwt: { applied: false, current: { ...existing.values } } };
      }
      this.upsert(table, values, using === 'TIMESTAMP' ? (option as number) : stamp);
      return { rows: [], lwt: { applied: true, current: undefined } };
    }
    const update = /^UPDATE (\S+) SET (.+?) WHERE (.+?)(?: IF (.+))?$/.exec(text);
    if (update !== null) {
      const [, name = '', sets = '', where = '', ifs] = update;
      const table = this.table(name);
      const assignments = sets.split(',').map((set) => {
        const column = set.split('=')[0]?.trim() ?? '';
        // `value = value + ?`: a counter's increment.
        const increment = new RegExp(`^${column} = ${column} \\+ \\?$`).test(set.trim());
        return { column, increment, value: plain(params.shift()) };
      });
      const key = Object.fromEntries(this.conditions(where, params).map((c) => [c.column, c.value]));
      const existing = table.rows.get(MemorySession.keyOf(table, key));
      const assigned = Object.fromEntries(
        assignments.map(({ column, increment, value }) => [
          column,
          increment ? Number(existing?.values[column] ?? 0) + Number(value) : value,
        ]),
      );
      if (ifs !== undefined) {
        const conditions = this.conditions(ifs, params);
        if (existing === undefined || !MemorySession.matches(existing.values, conditions)) {
          return { rows: [], lwt: { applied: false, current: existing && { ...existing.values } } };
        }
      }
      this.upsert(table, { ...key, ...assigned }, stamp);
      return { rows: [], lwt: { applied: true, current: undefined } };
    }
    const del = /^DELETE FROM (\S+) WHERE (.+?)(?: IF (.+))?$/.exec(text);
    if (del !== null) {
      const [, name = '', where = '', ifs] = del;
      const table = this.table(name);
      const whereConditions = this.conditions(where, params);
      const key = Object.fromEntries(whereConditions.map((c) => [c.column, c.value]));
      // Without every clustering column, the whole partition (or the rows matching the prefix) goes.
      if (ifs === undefined && table.clustering.some((c) => !(c.name in key))) {
        for (const [rowKey, row] of table.rows) {
          if (MemorySession.matches(row.values, whereConditions)) table.rows.delete(rowKey);
        }
        return { rows: [] };
      }
      const rowKey = MemorySession.keyOf(table, key);
      const existing = table.rows.get(rowKey);
      if (ifs !== undefined) {
        const conditions = this.conditions(ifs, params);
        if (existing === undefined || !MemorySession.matches(existing.values, conditions)) {
          return { rows: [], lwt: { applied: false, current: existing && { ...existing.values } } };
        }
      }
      table.rows.delete(rowKey);
      return { rows: [], lwt: { applied: true, current: undefined } };
    }
    throw new Error(`unsupported statement ${text}`);
  }

  rows(cql: string, params: readonly unknown[]): Promise<Row[]> {
    return Promise.resolve().then(() => this.run(cql, [...params]).rows);
  }

  write(cql: string, params: readonly unknown[]): Promise<void> {
    return Promise.resolve().then(() => void this.run(cql, [...params]));
  }

  lwt(cql: string, params: readonly unknown[]): Promise<LwtResult> {
    return Promise.resolve().then(() => this.run(cql, [...params]).lwt ?? { applied: true, current: undefined });
  }

  /** Conditions are judged on the rows as they stand before the batch; one refused means none is written. */
  lwtBatch(statements: readonly BoundStatement[]): Promise<boolean> {
    return Promise.resolve().then(() => {
      this.batches++;
      const refused = statements.some(({ cql, params }) => {
        const insert = /^INSERT INTO (\S+) \((.+?)\) VALUES \((.+?)\) IF NOT EXISTS$/.exec(squash(cql));
        if (insert === null) throw new Error(`unsupported batch statement ${cql}`);
        const [, name = '', columns = ''] = insert;
        const table = this.table(name);
        const values = Object.fromEntries(columns.split(',').map((c, i) => [c.trim(), plain(params[i])] as const));
        return table.rows.has(MemorySession.keyOf(table, values));
      });
      if (refused) return false;
      for (const { cql, params } of statements) this.run(cql, [...params]);
      return true;
    });
  }

  /** Every statement of an unlogged batch is written with one timestamp, as Cassandra does. */
  writeBatch(statements: readonly BoundStatement[]): Promise<void> {
    return Promise.resolve().then(() => {
      this.writeBatches.push([...statements]);
      const stamp = this.clock + 1;
      for (const { cql, params } of statements) {
        this.clock = stamp - 1;
        this.run(cql, [...params]);
      }
      this.clock = stamp;
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const memoryOptions = { contactPoints: ['memory'], localDataCenter: 'memory' };

/** Counts the requests a store sends (every kind), to tell batched row writes from one request per row. */
export class RequestCountingSession extends MemorySession {
  requests = 0;
  override rows(cql: string, params: readonly unknown[]): Promise<Row[]> {
    this.requests++;
    return super.rows(cql, params);
  }
  override write(cql: string, params: readonly unknown[]): Promise<void> {
    this.requests++;
    return super.write(cql, params);
  }
  override lwt(cql: string, params: readonly unknown[]): Promise<LwtResult> {
    this.requests++;
    return super.lwt(cql, params);
  }
  override lwtBatch(statements: readonly BoundStatement[]): Promise<boolean> {
    this.requests++;
    return super.lwtBatch(statements);
  }
  override writeBatch(statements: readonly BoundStatement[]): Promise<void> {
    this.requests++;
    return super.writeBatch(statements);
  }
}
