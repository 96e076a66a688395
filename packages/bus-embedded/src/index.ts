export {
  createEmbeddedEventBus,
  EmbeddedBusError,
  type EmbeddedBusErrorCode,
  type EmbeddedBusOptions,
  type EmbeddedEventBus,
} from './embedded-event-bus.js';
