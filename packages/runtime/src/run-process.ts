import type { Logger, MessageTracing } from '@kafka-monitor/domain';
import { createProcessMetrics, currentBuild, startStoreRetention, type ProcessMetrics } from '@kafka-monitor/pipeline';
import { loadConfig, metricsPortOf, type Config, type ServiceName } from './config.js';
import { createDiskWatch, type DiskWatch } from './disk-watch.js';
import { openInfrastructure, type Infrastructure } from './infrastructure.js';
import { reportOffsetResets } from './offset-resets.js';
import { bannerLines, httpUrl } from './banner.js';
import { openProcessLog } from './logger.js';
import { startOpsServer, type OpsServer } from './ops-server.js';
import { createReadiness, reasonOf, type Readiness } from './readiness.js';
import { retryStart } from './retry-start.js';
import { openTracing } from './tracing.js';
import { retentionTasksFor } from './store-retention.js';

export interface ProcessContext {
  readonly config: Config;
  readonly infrastructure: Infrastructure;
  readonly logger: Logger;
  /** The process's one registry: processors observe their batches here, the monitor adds its series. */
  readonly metrics: ProcessMetrics;
  /** Read by a monitor that serves `/health/ready` on its API port. */
  readonly readiness: Readiness;
  /** The disk of DATA_DIR, watched when the embedded log or store is in use (undefined otherwise). */
  readonly disk: DiskWatch | undefined;
  /** Traces the messages the services send and process; inert unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  readonly tracing: MessageTracing;
  /** Says where the monitor listens (its base URL, ending in `/`), for the banner shown once started. */
  readonly announceMonitor: (url: string) => void;
}

export interface RunProcessOptions {
  /** The services this process runs (default: SERVICES); a process with the monitor serves health on its API port. */
  readonly services?: readonly ServiceName[];
}

/** Something started by a process that must be stopped before the infrastructure closes. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts a process's services and stops them gracefully on SIGINT/SIGTERM: stop consuming and let
 * the batch in flight commit, then close the bus and the store. A second signal exits at once.
 * The health and metrics server (METRICS_PORT) listens first, so an outage of the bus or the store
 * shows as not ready, with its reason, instead of as a process that does not answer.
 *
 * Service processes run as `node --no-allocation-site-pretenuring dist/app/<entry>.js` (`npm start`, the
 * image's CMD, the services' READMEs): with V8's pretenuring, objects made during start-up or a large
 * backlog can tip per-request allocation sites into the old generation, after which each young
 * collection copies megabytes (decision 9). The flag is on the command line rather than set here
 * because V8 reads it before any code runs, start-up included.
 */
export async function runProcess(
  name: string,
  start: (context: ProcessContext) => Promise<readonly Stoppable[]>,
  options: RunProcessOptions = {},
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(2);
  }
  const log = openProcessLog({
    level: config.logLevel,
    bindings: { service: name, instance: config.processorId },
    format: config.logFormat,
    out: process.stdout,
  });
  const { logger } = log;
  const metrics = createProcessMetrics(currentBuild({ bus: config.bus, store: config.store }));
  const tracing = await openTracing(config, name);
  const readiness = createReadiness('connecting to the bus and the store');
  const disk = watchDataDir(config, logger);
  if (disk !== undefined) {
    // Not ready while writes are refused for lack of space: a load balancer sends no producer here.
    readiness.holdWhile(() => {
      const state = disk.current();
      return state.status === 'full' ? state.reason : undefined;
    });
    metrics.addExposition(() => disk.exposition());
  }
  const ops = await openOpsServer(name, config, metricsPortOf(config, options.services ?? config.services), {
    metrics,
    readiness,
    logger,
  });
  let infrastructure: Infrastructure;
  let stoppables: readonly Stoppable[];
  try {
    // Started during an outage, a process waits for the bus and the store rather than exiting, which
    // under a supervisor would be a crash loop. Each failed attempt's cause is what readiness says.
    const opened = await retryStart(() => openInfrastructure(config, logger, disk === undefined ? {} : { disk }), {
      logger,
      what: name,
      onAttemptFailed: (reason) => readiness.notReady(reason),
    });
    infrastructure = {
      ...opened,
      bus: reportOffsetResets(opened.bus, logger, (group, reset) => metrics.countOffsetReset(group, reset)),
    };
    // DATA_DIR exists now (opening the files made it): read its free space before anyone asks.
    await disk?.refresh();
    readiness.notReady('starting the services');
    let monitor: string | undefined;
    stoppables = await start({
      config,
      infrastructure,
      logger,
      metrics,
      readiness,
      disk,
      tracing: tracing.tracing,
      announceMonitor: (url) => (monitor = url),
    });
    const retention = startStoreRetention({
      tasks: retentionTasksFor(options.services ?? config.services, infrastructure.store, config.storeRetention),
      intervalMs: config.storeRetention.checkIntervalMs,
      now: Date.now,
      logger: logger.child({ component: 'store-retention' }),
      onExpired: (table, count) => metrics.countRowsExpired(table, count),
    });
    // Last in the list, so stopped first: no step runs once the services stop and the store closes.
    stoppables = [...stoppables, retention];
    readiness.ready();
    const metricsUrl =
      ops === undefined
        ? monitor === undefined
          ? undefined
          : `${monitor}metrics`
        : httpUrl(config.host, ops.port, '/metrics');
    log.greet(bannerLines(name, config, { monitor, metrics: metricsUrl }));
  } catch (error) {
    readiness.down(reasonOf(error));
    logger.error({ err: error }, 'cannot start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    readiness.down('stopping');
    logger.info({ signal }, 'stopping');
    const health = ops === undefined ? [] : [{ stop: () => ops.close() }];
    // Stopped last of all (first in the list): probes read "stopping" while the services drain.
    // Stopped after the services (stoppables stop in reverse order): their last spans are exported too.
    const flushTraces = { stop: () => tracing.close() };
    disk?.stop();
    void stopAll([flushTraces, ...health, ...stoppables], infrastructure, logger).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * The disk watch of a process that keeps the embedded log or store in DATA_DIR; a process on Kafka and
 * Cassandra writes no file of its own (their disks are watched by their operators).
 */
function watchDataDir(config: Config, logger: Logger): DiskWatch | undefined {
  if (config.bus !== 'embedded' && config.store !== 'sqlite') return undefined;
  return createDiskWatch({ path: config.dataDir, warnFreeBytes: config.diskWarnFreeBytes, logger });
}

/** Listens on `port` (none when undefined); a port that cannot be bound ends the process with one line. */
async function openOpsServer(
  name: string,
  config: Config,
  port: number | undefined,
  deps: { metrics: ProcessMetrics; readiness: Readiness; logger: Logger },
): Promise<OpsServer | undefined> {
  if (port === undefined) return undefined;
  try {
    const server = await startOpsServer({
      host: config.host,
      port,
      readiness: () => deps.readiness.current(),
      metrics: () => deps.metrics.exposition(),
      metricsContentType: deps.metrics.contentType,
    });
    deps.logger.info({ url: server.url, port: server.port }, 'health and metrics listening');
    return server;
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(1);
  }
}

export async function stopAll(
  stoppables: readonly Stoppable[],
  infrastructure: Infrastructure,
  logger: Logger,
): Promise<void> {
  // Stop in reverse start order: the API first, the producers of work last.
  for (const stoppable of [...stoppables].reverse()) await stoppable.stop();
  await infrastructure.close();
  logger.info({}, 'stopped');
}
