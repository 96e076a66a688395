import type { Logger } from '@kafka-monitor/domain';
import { loadConfig, type Config } from './config.js';
import { openInfrastructure, type Infrastructure } from './infrastructure.js';
import { createLogger } from './logger.js';
import { retryStart } from './retry-start.js';

export interface ProcessContext {
  readonly config: Config;
  readonly infrastructure: Infrastructure;
  readonly logger: Logger;
}

/** Something started by a process that must be stopped before the infrastructure closes. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts a process's services and stops them gracefully on SIGINT/SIGTERM: stop consuming and let
 * the batch in flight commit, then close the bus and the store. A second signal exits at once.
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
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, { service: name, instance: config.processorId });
  let infrastructure: Infrastructure;
  let stoppables: readonly Stoppable[];
  try {
    // Started during an outage, a process waits for the bus and the store rather than exiting, which
    // under a supervisor would be a crash loop.
    infrastructure = await retryStart(() => openInfrastructure(config, logger), { logger, what: name });
    stoppables = await start({ config, infrastructure, logger });
  } catch (error) {
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
    logger.info({ signal }, 'stopping');
    void stopAll(stoppables, infrastructure, logger).then(
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
