export {
  createKafkaEventBus,
  type KafkaEventBus,
  type KafkaEventBusOptions,
  type KafkaLogLevel,
} from './kafka-event-bus.js';
