import type { ControlStore, Logger } from '@kafka-monitor/domain';
import type { ProcessorMeter } from './processor-meter.js';

export interface HeartbeatOptions {
  readonly control: ControlStore;
  readonly processor: string;
  readonly instanceId: string;
  readonly meter: ProcessorMeter;
  readonly now: () => number;
  readonly logger: Logger;
  readonly intervalMs?: number;
}

export interface Heartbeat {
  /** Sends one report now; resolves when it is stored. */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reports an instance's live figures to the shared store every few seconds, so a monitor in another
 * process can count instances and show uptime, throughput and errors.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const beat = async (): Promise<void> => {
    const snapshot = options.meter.snapshot();
    await options.control.heartbeat({
      processor: options.processor,
      instanceId: options.instanceId,
      startedAt: snapshot.startedAt,
      heartbeatAt: options.now(),
      processed: snapshot.processed,
      errors: snapshot.errors,
      throughputPerSecond: snapshot.throughputPerSecond,
      lastProcessedAt: snapshot.lastProcessedAt,
    });
  };
  const safeBeat = (): void => {
    beat().catch((error: unknown) => options.logger.warn({ err: error }, 'heartbeat not stored'));
  };
  safeBeat();
  const timer = setInterval(safeBeat, options.intervalMs ?? 2_000);
  timer.unref();
  return {
    beat,
    async stop() {
      clearInterval(timer);
      await beat().catch(() => undefined);
    },
  };
}
