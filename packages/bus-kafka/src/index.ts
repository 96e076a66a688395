export { createKafkaEventBus, type KafkaEventBusOptions, type KafkaLogLevel } from './kafka-event-bus.js';
