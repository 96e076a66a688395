import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';
import {
  GROUPS,
  TOPICS,
  decodeOrder,
  generateOrder,
  registryStatusOf,
  validateOrder,
  type EventBus,
  type Order,
  type Store,
} from '@kafka-monitor/domain';
import { produceOrders, runAudit } from '@kafka-monitor/pipeline';
import { loadConfig, openInfrastructure, type Environment, type Infrastructure } from '@kafka-monitor/runtime';
import { expectedViews, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, freePort, temporaryDirectory } from '../helpers.js';

/*
 * Shared machinery of the fault scenarios (`npm run test:chaos`): real services as processes on real
 * Kafka and Cassandra, a steady producer on the production path, a poller that records what the
 * monitor reported while a fault lasted, and the final comparison with a recomputation from the log.
 */

const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set (npm run test:chaos sets it)`);
  return value;
}

export type Engine = 'kafka' | 'cassandra';

/** Stops or starts an engine of this run through the commands scripts/chaos/test.sh exports. */
export async function controlEngine(engine: Engine, action: 'stop' | 'start'): Promise<void> {
  const command = required(`${engine.toUpperCase()}_${action.toUpperCase()}_COMMAND`);
  await run('bash', ['-c', command], { maxBuffer: 16 * 1024 * 1024 });
}

export function resultsDirectory(): string {
  const dir = required('CHAOS_RESULTS_DIR');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export type ServiceName = 'query-processor' | 'registry-processor' | 'monitor';

export interface ServiceProcess {
  readonly id: string;
  readonly service: ServiceName;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Set when the process ended; `expected` when this harness ended it. */
  exit: { code: number | null; signal: string | null; expected: boolean } | undefined;
  /** Signals the process and resolves once it exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** How long a service may take to stop after SIGTERM (it finishes and commits its batch in flight). */
const STOP_GRACE_MS = 20_000;

/** One scenario's deployment: its own keyspaces, the monitor and processors as separate processes. */
export interface ChaosCluster {
  readonly name: string;
  readonly infrastructure: Infrastructure;
  readonly bus: EventBus;
  readonly store: Store;
  readonly monitorUrl: string;
  /** Where the logs of this scenario's processes (and its producer) go. */
  readonly logsDirectory: string;
  readonly processes: ServiceProcess[];
  /**
   * The end offsets of both topics once earlier scenarios' leftovers were drained: this scenario's
   * fresh keyspaces hold the effects of the messages from there on, and the audit starts there.
   */
  readonly startOffsets: { readonly orders: readonly number[]; readonly registry: readonly number[] };
  start(service: ServiceName, id: string): ServiceProcess;
  /** Processes that ended without this harness ending them (a crash or a crash loop). */
  unexpectedExits(): ServiceProcess[];
  close(): Promise<void>;
}

/**
 * Service processes still running, across scenarios. A scenario that times out never reaches its own
 * `finally`, so its children are also ended when its test finishes (whatever the outcome) and, as a
 * last resort, when this test process exits: no run leaves pipeline processes behind.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startCluster(name: string): Promise<ChaosCluster> {
  onTestFinished(() => {
    for (const child of running) child.kill('SIGKILL');
  });
  const dir = temporaryDirectory(`chaos-${name}-`);
  const logs = join(resultsDirectory(), 'logs', name);
  mkdirSync(logs, { recursive: true });
  const port = await freePort();
  const environment: Environment = {
    ...process.env,
    BUS: 'kafka',
    KAFKA_BROKERS: required('KAFKA_BROKERS'),
    STORE: 'cassandra',
    // Fresh keyspaces per scenario: its views hold exactly the orders it produced.
    CASSANDRA_KEYSPACE_PREFIX: `c${name.replace(/[^a-z]/g, '').slice(0, 6)}${Date.now().toString(36)}_`,
    DATA_DIR: dir.path,
    HOST: '127.0.0.1',
    PORT: String(port),
    // Logs go to files under the results directory; info keeps kafkajs's reconnects and rejoins visible.
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
  };
  const infrastructure = await openInfrastructure(loadConfig(environment));
  const processes: ServiceProcess[] = [];

  function start(service: ServiceName, id: string, keyspacePrefix?: string): ServiceProcess {
    const logFile = join(logs, `${id}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, LAUNCHER_ARGS, {
      env: {
        ...environment,
        SERVICES: service,
        // Several processes on one host: each health and metrics server on any free port.
        METRICS_PORT: '0',
        PROCESSOR_ID: id,
        ...(keyspacePrefix === undefined ? {} : { CASSANDRA_KEYSPACE_PREFIX: keyspacePrefix }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    let ending = false;
    const exited = once(child, 'exit');
    const managed: ServiceProcess = {
      id,
      service,
      child,
      logFile,
      exit: undefined,
      async kill(signal) {
        if (managed.exit !== undefined) return;
        ending = true;
        child.kill(signal);
        const stopped = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
        if (stopped) return;
        // A service that does not stop when asked would hang a deployment's shutdown: end it, and fail.
        child.kill('SIGKILL');
        await exited;
        throw new Error(`${id} did not exit within ${STOP_GRACE_MS / 1000} s of ${signal}`);
      },
    };
    child.once('exit', (code, signal) => {
      running.delete(child);
      managed.exit = { code, signal, expected: ending };
    });
    processes.push(managed);
    return managed;
  }

  // Groups and their offsets outlive a scenario's keyspaces: orders a failed earlier scenario left
  // unread are consumed into scratch keyspaces first, so this scenario's views hold only its own orders.
  const lagOf = async (group: string, topics: string[]) =>
    (await infrastructure.bus.describeGroup(group, topics)).lag.reduce((sum, p) => sum + p.lag, 0);
  const lagging = async () =>
    (await lagOf(GROUPS.queryProcessor, [TOPICS.orders])) +
    (await lagOf(GROUPS.registryProcessor, [TOPICS.orders, TOPICS.registry]));
  if ((await lagging()) > 0) {
    const scratch = `cscratch${Date.now().toString(36)}_`;
    const drainers = [
      start('query-processor', `${name}-drain-query`, scratch),
      start('registry-processor', `${name}-drain-registry`, scratch),
    ];
    await waitFor('earlier scenarios drained', lagging, (lag) => lag === 0, 180_000);
    await Promise.all(drainers.map((p) => p.kill('SIGTERM')));
  }

  const endOffsets = async (topic: string): Promise<readonly number[]> =>
    (await infrastructure.bus.listTopics()).find((t) => t.name === topic)?.endOffsets ?? [];
  const startOffsets = { orders: await endOffsets(TOPICS.orders), registry: await endOffsets(TOPICS.registry) };

  return {
    name,
    infrastructure,
    startOffsets,
    bus: infrastructure.bus,
    store: infrastructure.store,
    monitorUrl: `http://127.0.0.1:${port}`,
    logsDirectory: logs,
    processes,
    start,
    unexpectedExits: () => processes.filter((p) => p.exit !== undefined && !p.exit.expected),
    async close() {
      await Promise.allSettled(processes.map((p) => p.kill('SIGTERM')));
      await infrastructure.close().catch(() => undefined);
      dir.remove();
    },
  };
}

/** The last lines of a process's log, for failure messages. */
export function logTail(processes: readonly ServiceProcess[], lines = 15): string {
  return processes
    .map((p) => {
      let text: string;
      try {
        text = readFileSync(p.logFile, 'utf8');
      } catch {
        text = '';
      }
      return `--- ${p.id} (${p.logFile})\n${text.split('\n').slice(-lines).join('\n')}`;
    })
    .join('\n');
}

/** Log lines of a process that contain `text`. */
export function logLines(process: ServiceProcess, text: string): string[] {
  try {
    return readFileSync(process.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes(text));
  } catch {
    return [];
  }
}

export interface Producer {
  readonly generated: Order[];
  acknowledged(): number;
  /** Calls that failed and were retried with the same orders. */
  failures(): number;
  /** Stops generating and resolves once every generated order was acknowledged. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Orders at a steady rate through the production path (publish to `orders`, then record as produced),
 * like a client that retries a failed call with the same orders (same ids) after a capped backoff:
 * nothing generated may be lost, whatever happened to the broker or the database meanwhile.
 */
/** Orders per producer call: two seconds' worth at the scenarios' rate. */
const BATCH = 100;

export function startProducer(cluster: ChaosCluster, ratePerSecond: number, seed = 7): Producer {
  const { bus, store } = cluster;
  // Failed and slow calls go to the scenario's logs, next to the services' own.
  const logOut = createWriteStream(join(cluster.logsDirectory, 'producer.log'), { flags: 'a' });
  let lastNote = 'none';
  const note = (text: string): void => {
    lastNote = text;
    logOut.write(`${new Date().toISOString()} ${text}\n`);
  };
  let state = seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const generated: Order[] = [];
  const pending: Order[] = [];
  let acknowledged = 0;
  let failures = 0;
  let generating = true;
  const perTick = Math.max(1, Math.round(ratePerSecond / 10));
  const timer = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < perTick; i++) {
      const order = generateOrder(random, { orderId: randomUUID(), timestamp: now }, 0.1);
      generated.push(order);
      pending.push(order);
    }
  }, 100);

  const sending = (async () => {
    let delay = 200;
    while (generating || pending.length > 0) {
      // A failed call is retried with the same orders, not with everything that piled up meanwhile:
      // each retry may append its orders to the log again (published, then not recorded as produced).
      const batch = pending.slice(0, BATCH);
      if (batch.length === 0) {
        await sleep(50);
        continue;
      }
      const began = Date.now();
      // A call that neither resolves nor fails is what a stuck client looks like: say so while it lasts.
      const watch = setInterval(() => {
        note(`call of ${batch.length} orders still pending after ${Math.round((Date.now() - began) / 1000)} s`);
      }, 10_000);
      try {
        await produceOrders(bus, store.produced, batch);
        pending.splice(0, batch.length);
        acknowledged += batch.length;
        if (failures > 0 && delay > 200)
          note(`call of ${batch.length} orders acknowledged after ${Date.now() - began} ms`);
        delay = 200;
      } catch (error) {
        note(
          `call of ${batch.length} orders failed after ${Date.now() - began} ms (retry in ${delay} ms): ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        failures++;
        await sleep(delay);
        delay = Math.min(5_000, delay * 2);
      } finally {
        clearInterval(watch);
      }
    }
  })();

  return {
    generated,
    acknowledged: () => acknowledged,
    failures: () => failures,
    async stop(timeoutMs) {
      clearInterval(timer);
      generating = false;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        sending,
        new Promise<never>((_, reject) => {
          timeout = setTimeout(
            () =>
              reject(new Error(`producer still has ${pending.length} unacknowledged orders; last note: ${lastNote}`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timeout));
    },
  };
}

export interface HealthSample {
  readonly at: number;
  /** HTTP status of /api/health; null when the monitor did not answer. */
  readonly http: number | null;
  readonly status: string | undefined;
  readonly bus: string | undefined;
  readonly store: string | undefined;
  /** Status, instances and lag of each consumer processor; absent when /api/processors/status failed. */
  readonly processors: Readonly<Record<string, { status: string; instances: number; lag: number }>> | undefined;
}

export interface HealthPoller {
  readonly samples: HealthSample[];
  /** Samples taken between two instants. */
  between(from: number, to: number): HealthSample[];
  stop(): Promise<void>;
}

interface HealthBody {
  status?: string;
  bus?: { status?: string };
  store?: { status?: string };
}
interface ProcessorsBody {
  data?: {
    processors?: { name: string; status: string; instances: number; 'consumer-group': { lag: number } | null }[];
  };
}

async function getJson<T>(url: string): Promise<{ http: number; body: T } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(8_000) });
    return { http: response.status, body: (await response.json()) as T };
  } catch {
    return undefined;
  }
}

/** Asks the monitor for /api/health and /api/processors/status every half second and keeps the answers. */
export function pollHealth(monitorUrl: string): HealthPoller {
  const samples: HealthSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      const [health, processors] = await Promise.all([
        getJson<HealthBody>(`${monitorUrl}/api/health`),
        getJson<ProcessorsBody>(`${monitorUrl}/api/processors/status`),
      ]);
      const list = processors?.http === 200 ? processors.body.data?.processors : undefined;
      samples.push({
        at,
        http: health?.http ?? null,
        status: health?.body.status,
        bus: health?.body.bus?.status,
        store: health?.body.store?.status,
        processors:
          list === undefined
            ? undefined
            : Object.fromEntries(
                list.map((p) => [
                  p.name,
                  { status: p.status, instances: p.instances, lag: p['consumer-group']?.lag ?? 0 },
                ]),
              ),
      });
      await sleep(Math.max(0, 500 - (Date.now() - at)));
    }
  })();
  return {
    samples,
    between: (from, to) => samples.filter((s) => s.at >= from && s.at <= to),
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Keeps the samples next to the logs, for reading after a failed run. */
export function saveSamples(name: string, poller: HealthPoller): void {
  writeFileSync(
    join(resultsDirectory(), 'logs', name, 'health.jsonl'),
    poller.samples.map((s) => JSON.stringify(s)).join('\n'),
  );
}

const CONSUMERS = ['query-processor', 'registry-processor'] as const;

/** Healthy bus and store, and no lag in either consumer group, as the monitor reports them. */
export function isRecovered(sample: HealthSample): boolean {
  return (
    sample.http === 200 &&
    sample.status === 'healthy' &&
    sample.processors !== undefined &&
    CONSUMERS.every((name) => sample.processors?.[name]?.lag === 0 && (sample.processors[name]?.instances ?? 0) > 0)
  );
}

/** Waits for the first sample after `since` that shows recovery; returns when it was taken. */
export async function waitForRecovery(poller: HealthPoller, since: number, timeoutMs: number): Promise<number> {
  const sample = await waitFor(
    'health ok and lag 0',
    () => poller.samples.find((s) => s.at >= since && isRecovered(s)),
    (found) => found !== undefined,
    timeoutMs,
  );
  return sample?.at ?? Date.now();
}

/** A short account of what the monitor said during a window, e.g. "degraded (bus unavailable) x12". */
export function describeHealth(samples: readonly HealthSample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const key =
      s.http === null
        ? 'no answer'
        : `${s.status ?? '?'}${s.bus === 'unavailable' ? ' (bus unavailable)' : ''}${s.store === 'unavailable' ? ' (store unavailable)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${key} x${n}`).join(', ');
}

export interface Figures {
  readonly scenario: string;
  readonly fault: string;
  readonly produced: number;
  readonly lost: number;
  readonly countedTwice: number;
  /** Copies of an order in the log beyond the first (retried sends); the views must absorb them. */
  readonly logDuplicates: number;
  readonly producerRetries: number;
  readonly faultSeconds: number;
  readonly recoverySeconds: number;
  readonly duringFault: string;
}

export interface Verification {
  readonly produced: number;
  readonly lost: number;
  readonly countedTwice: number;
  readonly logDuplicates: number;
  readonly problems: readonly string[];
}

/**
 * Waits for the pipeline to drain, then compares everything with a recomputation from the log: the
 * views with the orders of this scenario read back from `orders`, every registry row with the
 * validation of its order, the processed counters with the messages in the log.
 */
export async function verifyAgainstLog(cluster: ChaosCluster, producer: Producer): Promise<Verification> {
  const { bus, store } = cluster;
  const ids = new Set(producer.generated.map((o) => o.orderId));
  for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
    const topics = group === GROUPS.queryProcessor ? [TOPICS.orders] : [TOPICS.orders, TOPICS.registry];
    await waitFor(
      `${group} lag 0`,
      async () => (await bus.describeGroup(group, topics)).lag.reduce((s, p) => s + p.lag, 0),
      (lag) => lag === 0,
      120_000,
    );
  }
  await waitFor(
    'every order counted and registered',
    async () => [(await store.views.totals()).totalOrders, (await store.registry.totals()).registeredCount],
    ([views, registered]) => (views ?? 0) >= ids.size && (registered ?? 0) >= ids.size,
    60_000,
  ).catch(() => undefined);

  const fromLog: Order[] = [];
  let orderMessages = 0;
  for (const info of (await bus.listTopics()).filter((t) => t.name === TOPICS.orders)) {
    for (let partition = 0; partition < info.partitions; partition++) {
      for (let offset = 0; ;) {
        const page = await bus.read(TOPICS.orders, partition, offset, 5_000);
        if (page.length === 0) break;
        for (const message of page) {
          const decoded = decodeOrder(Buffer.from(message.value).toString('utf8'));
          if (decoded.ok && ids.has(decoded.value.orderId)) {
            fromLog.push(decoded.value);
            orderMessages++;
          }
        }
        offset = (page.at(-1)?.offset ?? offset) + 1;
      }
    }
  }
  const inLog = new Set(fromLog.map((o) => o.orderId));
  const views = await snapshotViews(store.views);
  const expected = expectedViews(fromLog);
  const registryTotals = await store.registry.totals();

  const problems: string[] = [];
  const missingFromLog = [...ids].filter((id) => !inLog.has(id)).length;
  if (missingFromLog > 0) problems.push(`${missingFromLog} acknowledged orders are not in the log`);
  const same = (what: string, actual: unknown, wanted: unknown): void => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`${what} differ from the recomputation`);
  };
  same('customer views', views.customers, expected.customers);
  same('product views', views.products, expected.products);
  same('totals', views.totals, expected.totals);
  same('timeline', views.timeline, expected.timeline);

  let registryMissing = 0;
  let registryWrong = 0;
  const orders = [...new Map(fromLog.map((o) => [o.orderId, o])).values()];
  for (let i = 0; i < orders.length; i += 64) {
    await Promise.all(
      orders.slice(i, i + 64).map(async (order) => {
        const row = await store.registry.registered(order.orderId);
        if (row === undefined) registryMissing++;
        else if (row.status !== registryStatusOf(validateOrder(order)) || row.version !== 1) registryWrong++;
      }),
    );
  }
  if (registryMissing > 0) problems.push(`${registryMissing} orders have no registry row`);
  if (registryWrong > 0) problems.push(`${registryWrong} registry rows differ from the validation of their order`);
  if (registryTotals.registeredCount !== inLog.size)
    problems.push(`registry counts ${registryTotals.registeredCount} orders, the log holds ${inLog.size}`);
  const queryStats = await store.views.processingStats(GROUPS.queryProcessor);
  if (queryStats?.processedCount !== orderMessages)
    problems.push(`query-processor processed ${queryStats?.processedCount} messages, the log holds ${orderMessages}`);

  const counted = views.totals.totalOrders;
  const lost =
    missingFromLog +
    Math.max(0, inLog.size - counted) +
    Math.max(0, inLog.size - registryTotals.registeredCount) +
    registryMissing;
  const countedTwice =
    Math.max(0, counted - inLog.size) + Math.max(0, registryTotals.registeredCount - inLog.size) + registryWrong;
  // Then the consistency audit (`kafka-monitor verify`) over the logs since this scenario's start (its
  // keyspaces are fresh; the topics hold earlier scenarios' messages too).
  const audit = await runAudit({
    bus,
    views: store.views,
    registry: store.registry,
    now: Date.now,
    startOffsets: cluster.startOffsets,
  });
  console.log(
    `[chaos] audit: ${audit.clean ? 'no drift' : `${audit.drifts.length} differences`}; compared ` +
      `${audit.compared.customers} customers, ${audit.compared.products} products, ` +
      `${audit.compared.registeredOrders} registered orders; ${audit.skippedAfterCut} rows changed after the cut`,
  );
  if (!audit.caughtUp) problems.push('audit: the processors had not consumed up to the cut');
  for (const d of audit.drifts.slice(0, 10)) {
    problems.push(`audit: ${d.view} ${d.key} ${d.field}: the log says ${d.expected}, the store has ${d.stored}`);
  }
  return { produced: ids.size, lost, countedTwice, logDuplicates: orderMessages - inLog.size, problems };
}

/** Prints a scenario's figures and keeps them for the table scripts/chaos/report.ts prints at the end. */
export function recordFigures(figures: Figures): void {
  writeFileSync(join(resultsDirectory(), `${figures.scenario}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(
    `[chaos] ${figures.scenario}: ${figures.fault}; produced ${figures.produced}, lost ${figures.lost}, ` +
      `counted twice ${figures.countedTwice}, log duplicates ${figures.logDuplicates}, producer retries ` +
      `${figures.producerRetries}, fault ${figures.faultSeconds.toFixed(1)} s, recovery ` +
      `${figures.recoverySeconds.toFixed(1)} s; during the fault: ${figures.duringFault}`,
  );
}

export const seconds = (ms: number): number => Math.round(ms / 100) / 10;

/** What the monitor said about the two consumers during a window, e.g. "query-processor: healthy x9, down x4". */
export function describeProcessors(samples: readonly HealthSample[]): string {
  return CONSUMERS.map((name) => {
    const counts = new Map<string, number>();
    for (const s of samples) {
      const p = s.processors?.[name];
      const key = p === undefined ? 'no answer' : `${p.status} (${p.instances} inst.)`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return `${name}: ${[...counts].map(([key, n]) => `${key} x${n}`).join(', ')}`;
  }).join('; ');
}

export interface SseEvent {
  readonly id: number;
  readonly event: string;
  readonly data: { readonly 'order-id'?: string };
}

export interface SseClient {
  readonly events: SseEvent[];
  /** Connections opened so far (1 + reconnections). */
  connections(): number;
  close(): void;
}

/**
 * An EventSource-like client: reads /api/stream and, whenever the connection ends, connects again
 * after half a second with Last-Event-ID set to the last id it received, as browsers do.
 */
export function startSseClient(url: string): SseClient {
  const events: SseEvent[] = [];
  let connections = 0;
  let closed = false;
  let controller = new AbortController();
  void (async () => {
    while (!closed) {
      controller = new AbortController();
      const last = events.at(-1)?.id;
      try {
        const response = await fetch(url, {
          headers: { accept: 'text/event-stream', ...(last === undefined ? {} : { 'last-event-id': String(last) }) },
          signal: controller.signal,
        });
        if (response.status === 200 && response.body !== null) {
          connections++;
          const decoder = new TextDecoder();
          let buffer = '';
          for await (const chunk of response.body) {
            buffer += decoder.decode(chunk as Uint8Array, { stream: true });
            for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let id: number | undefined;
              let event = 'message';
              const data: string[] = [];
              for (const line of block.split('\n')) {
                if (line.startsWith('id: ')) id = Number(line.slice(4));
                else if (line.startsWith('event: ')) event = line.slice(7);
                else if (line.startsWith('data: ')) data.push(line.slice(6));
              }
              if (id !== undefined) events.push({ id, event, data: JSON.parse(data.join('\n')) as SseEvent['data'] });
            }
          }
        }
      } catch {
        // The monitor went away (or close() aborted): connect again below.
      }
      await sleep(500);
    }
  })();
  return {
    events,
    connections: () => connections,
    close() {
      closed = true;
      controller.abort();
    },
  };
}
