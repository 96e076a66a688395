export {
  createKafkaEventBus,
  type KafkaEventBus,
  type KafkaEventBusOptions,
  type KafkaLogLevel,
} from './kafka-event-bus.js';
export type { KafkaSaslMechanism, KafkaSaslOptions, KafkaTlsOptions } from './security.js';
