export { createEmbeddedEventBus, EmbeddedBusError, type EmbeddedBusOptions } from './embedded-event-bus.js';
