import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import cassandra from 'cassandra-driver';
import { DependencyError, revealSecret, type SecretText } from '@kafka-monitor/domain';
import { connectionSettingsFailure } from './connection-errors.js';

/** A row with driver types already turned into plain values (numbers, strings, booleans, null). */
export type Row = Readonly<Record<string, unknown>>;

export interface LwtResult {
  readonly applied: boolean;
  /** On a refused condition, the row as it stands (Cassandra returns it with `[applied] = false`). */
  readonly current: Row | undefined;
}

/** One statement of a batch, with its values. */
export interface BoundStatement {
  readonly cql: string;
  readonly params: readonly unknown[];
}

/** TLS to the nodes' native port: PEM files by path, read when the store is created. */
export interface CassandraTlsOptions {
  /** CA bundle the nodes' certificates must chain to; the system's CAs when absent. */
  readonly caFile?: string | undefined;
  /** Client certificate and key, when the nodes require one: both or neither. */
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /**
   * The node's certificate must name the address the driver reached it at (the node's IP address as
   * the cluster reports it, so the certificate needs that IP as a subject alternative name); default true.
   */
  readonly verifyHostname?: boolean | undefined;
}

export type ConsistencyName = 'one' | 'localOne' | 'quorum' | 'localQuorum' | 'all';

/**
 * Requests cassandra-driver holds on one connection (its default for protocol v3 and later, set here
 * so the session's own bound, request-gate.ts, is measured against a known number): one connection
 * per node, and a request beyond this fails at once with "All connections … are busy".
 */
export const DRIVER_REQUESTS_PER_CONNECTION = 2_048;

/** How long a schema change may take before it is a failure (see `ddl`). */
const DDL_TIMEOUT_MS = 120_000;

export interface SessionOptions {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  readonly username?: string | undefined;
  readonly password?: SecretText | undefined;
  readonly tls?: CassandraTlsOptions | undefined;
  readonly consistency: ConsistencyName;
  readonly serialConsistency: 'serial' | 'localSerial';
  readonly requestTimeoutMs: number;
  /** Told each warning Cassandra sends back with an answer (an oversized batch, a tombstone-heavy read). */
  readonly onServerWarning?: (warning: string) => void;
}

/**
 * The only place that talks to cassandra-driver. Every statement is prepared (values are bound, never
 * spliced into CQL); driver types are converted to plain values on the way out, and every driver
 * failure leaves as a DependencyError, so nothing of the driver escapes the package.
 */
export interface Session {
  /** Runs a prepared statement and returns all its rows (the driver pages transparently). */
  rows(cql: string, params: readonly unknown[], options?: { serial?: boolean }): Promise<Row[]>;
  /** Runs a prepared write. */
  write(cql: string, params: readonly unknown[]): Promise<void>;
  /** Runs a conditional (IF …) statement and reports whether it was applied. */
  lwt(cql: string, params: readonly unknown[]): Promise<LwtResult>;
  /**
   * Runs conditional statements on one partition as one batch, decided by a single Paxos round.
   * True when every condition held and everything was written; false when nothing was.
   */
  lwtBatch(statements: readonly BoundStatement[]): Promise<boolean>;
  /** Runs writes as one unlogged batch: one request, no atomicity across partitions (writes.ts). */
  writeBatch(statements: readonly BoundStatement[]): Promise<void>;
  /** Schema statements: not prepared (DDL cannot be), never carrying values. */
  ddl(cql: string): Promise<void>;
  close(): Promise<void>;
}

const { types } = cassandra;

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof types.Long) return value.toNumber();
  if (value instanceof Date) return value.getTime();
  if (value instanceof types.Uuid || value instanceof types.BigDecimal) return value.toString();
  return value;
}

function toRow(row: cassandra.types.Row): Row {
  const out: Record<string, unknown> = {};
  for (const key of row.keys()) out[key] = plain(row.get(key));
  return out;
}

function pem(what: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DependencyError(
      'store',
      `Cassandra store: cannot read the ${what} '${path}' (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      { misconfigured: true },
    );
  }
}

/** Node's TLS options for the nodes: certificates always verified (the driver's default is not to). */
export function sslOptions(tls: CassandraTlsOptions): ConnectionOptions {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new DependencyError(
      'store',
      'Cassandra store: a client certificate needs its key and a key its certificate: give both or neither',
      { misconfigured: true },
    );
  }
  return {
    rejectUnauthorized: true,
    ...(tls.caFile === undefined ? {} : { ca: [pem('TLS CA file', tls.caFile)] }),
    ...(tls.certFile === undefined ? {} : { cert: pem('TLS client certificate', tls.certFile) }),
    ...(tls.keyFile === undefined ? {} : { key: pem('TLS client key', tls.keyFile) }),
    // The chain is still verified; only the match of the certificate's names against the address is skipped.
    ...(tls.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** A driver failure as the port reports it; one naming the setting to fix when the settings caused it. */
export function storeFailure(what: string, error: unknown, tls: boolean): DependencyError {
  const setting = connectionSettingsFailure(error, tls);
  if (setting !== undefined) return new DependencyError('store', setting, { cause: error, misconfigured: true });
  const message = error instanceof Error ? error.message : String(error);
  return new DependencyError('store', `Cassandra store: ${what}: ${message}`, { cause: error });
}

export function openSession(options: SessionOptions): Session {
  const failure = (what: string, error: unknown): DependencyError =>
    storeFailure(what, error, options.tls !== undefined);
  const clientOptions: cassandra.ClientOptions = {
    contactPoints: [...options.contactPoints],
    localDataCenter: options.localDataCenter,
    socketOptions: { readTimeout: options.requestTimeoutMs },
    pooling: { maxRequestsPerConnection: DRIVER_REQUESTS_PER_CONNECTION },
    queryOptions: {
      consistency: types.consistencies[options.consistency],
      serialConsistency: types.consistencies[options.serialConsistency],
      prepare: true,
    },
  };
  if (options.username !== undefined && options.password !== undefined) {
    // PasswordAuthenticator's SASL PLAIN exchange; the password is revealed only into the driver's provider.
    clientOptions.authProvider = new cassandra.auth.PlainTextAuthProvider(
      options.username,
      revealSecret(options.password),
    );
  }
  if (options.tls !== undefined) clientOptions.sslOptions = sslOptions(options.tls);
  const client = new cassandra.Client(clientOptions);
  const serial = types.consistencies[options.serialConsistency];
  const warned = (result: cassandra.types.ResultSet): cassandra.types.ResultSet => {
    for (const warning of result.info.warnings ?? []) options.onServerWarning?.(warning);
    return result;
  };

  async function execute(cql: string, params: readonly unknown[], serialRead = false) {
    try {
      return warned(
        await client.execute(cql, [...params], {
          prepare: true,
          ...(serialRead ? { consistency: serial } : {}),
        }),
      );
    } catch (error) {
      throw failure(cql.split(/\s+/).slice(0, 4).join(' '), error);
    }
  }

  return {
    async rows(cql, params, opts) {
      const result = await execute(cql, params, opts?.serial === true);
      const rows = result.rows.map(toRow);
      let page = result.pageState;
      // Multi-page reads are rare here (one partition, small rows); follow the pages when they happen.
      while (page !== undefined && page !== null) {
        let next: cassandra.types.ResultSet;
        try {
          next = warned(await client.execute(cql, [...params], { prepare: true, pageState: page }));
        } catch (error) {
          throw failure('paging', error);
        }
        rows.push(...next.rows.map(toRow));
        page = next.pageState;
      }
      return rows;
    },
    async write(cql, params) {
      await execute(cql, params);
    },
    async lwt(cql, params) {
      const result = await execute(cql, params);
      const first = result.first() as cassandra.types.Row | null;
      const applied = first === null ? true : first.get('[applied]') === true;
      return { applied, current: applied || first === null ? undefined : toRow(first) };
    },
    async lwtBatch(statements) {
      let result: cassandra.types.ResultSet;
      try {
        result = warned(
          await client.batch(
            statements.map((s) => ({ query: s.cql, params: [...s.params] })),
            { prepare: true },
          ),
        );
      } catch (error) {
        throw failure('conditional batch', error);
      }
      const first = result.first() as cassandra.types.Row | null;
      return first === null || first.get('[applied]') === true;
    },
    async writeBatch(statements) {
      try {
        warned(
          await client.batch(
            statements.map((s) => ({ query: s.cql, params: [...s.params] })),
            { prepare: true, logged: false },
          ),
        );
      } catch (error) {
        throw failure('batch', error);
      }
    },
    async ddl(cql) {
      try {
        // A schema change is slower than a request: dropping a keyspace flushes and snapshots its
        // tables first (auto_snapshot), and the node then waits for schema agreement. Under load that
        // passes the request timeout while the change still completes; the changes here are guarded
        // (IF [NOT] EXISTS, or the schema read first), so only a long silence is a failure.
        await client.execute(cql, [], { readTimeout: Math.max(DDL_TIMEOUT_MS, options.requestTimeoutMs) });
      } catch (error) {
        throw failure('schema change', error);
      }
    },
    async close() {
      try {
        await client.shutdown();
      } catch (error) {
        throw failure('close', error);
      }
    },
  };
}

/** Exact decimal for the spec's `decimal` money columns, from integer cents. */
export function decimalFromCents(cents: number): unknown {
  return new types.BigDecimal(cents, 2);
}

/** order_processor.orders keys by uuid: a uuid id is used as is; any other id gets a stable name-based uuid. */
export function uuidFor(orderId: string, hash: (text: string) => Buffer): unknown {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orderId)) {
    return types.Uuid.fromString(orderId);
  }
  const bytes = Buffer.from(hash(orderId).subarray(0, 16));
  // RFC 4122 version 5 (name-based, SHA-1) and variant bits, so it never collides with a random v4 id.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return new types.Uuid(bytes);
}
