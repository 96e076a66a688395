import { performance } from 'node:perf_hooks';
import type { Store, StoreKind } from '@kafka-monitor/domain';
import { StoreStatusBody, type StoreStatusDto } from '../../contract-store-status.js';
import type { MonitorApp } from '../app-types.js';

export interface StoreRouteDeps {
  readonly store: Store;
  readonly storeType: string;
  readonly now: () => number;
  /** A probe slower than this counts as unavailable, so the card answers while the store hangs. */
  readonly probeTimeoutMs?: number;
}

const PROBE_TIMEOUT_MS = 3_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Probes the store once (timed) and reads its kind and size. */
export async function readStoreStatus(deps: StoreRouteDeps): Promise<StoreStatusDto> {
  const timeout = deps.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  const checkedAt = deps.now();
  const configured: StoreKind = deps.storeType === 'cassandra' ? 'cassandra' : 'sqlite';
  try {
    const started = performance.now();
    await withTimeout(deps.store.ping(), timeout);
    const latency = performance.now() - started;
    const described = await withTimeout(deps.store.describe(), timeout);
    return {
      kind: described.kind,
      status: 'connected',
      'latency-ms': Math.round(latency * 100) / 100,
      'size-bytes': described.sizeBytes,
      'size-note': described.sizeNote,
      error: null,
      'checked-at': checkedAt,
    };
  } catch (error) {
    return {
      kind: configured,
      status: 'unavailable',
      'latency-ms': null,
      'size-bytes': null,
      'size-note': 'unknown while the store is unavailable',
      error: (error as Error).message,
      'checked-at': checkedAt,
    };
  }
}

export function registerStoreRoutes(app: MonitorApp, deps: StoreRouteDeps): void {
  app.get(
    '/api/store',
    {
      schema: {
        operationId: 'getStoreStatus',
        tags: ['system'],
        summary: 'The store: kind, status, latency of a probe query and size',
        response: { 200: StoreStatusBody },
      },
    },
    async () => ({ success: true as const, data: await readStoreStatus(deps) }),
  );
}
