import type { EventBus, Logger, OffsetReset } from '@kafka-monitor/domain';

/**
 * Every consumer of the process reports a reset to the log start the same way: one warning line (the
 * messages in between were never processed by the group) and a count per group and partition.
 */
export function reportOffsetResets(
  bus: EventBus,
  logger: Logger,
  count: (group: string, reset: OffsetReset) => void,
): EventBus {
  return {
    ...bus,
    consume: (options) =>
      bus.consume({
        ...options,
        onOffsetReset: (reset) => {
          logger.warn(
            { group: options.group, ...reset, skipped: reset.toOffset - reset.fromOffset },
            'committed offset below the log start (retention deleted it); resumed at the log start',
          );
          count(options.group, reset);
          options.onOffsetReset?.(reset);
        },
      }),
  };
}
