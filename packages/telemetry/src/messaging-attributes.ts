/**
 * The OpenTelemetry messaging attributes the spans carry (semantic conventions, messaging and Kafka).
 * Written out here rather than imported from the incubating entry point, as its maintainers advise
 * for attributes that are not stable yet: a rename there cannot change what this project emits.
 */
export const MESSAGING = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  partitionId: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  kafkaOffset: 'messaging.kafka.offset',
  kafkaMessageKey: 'messaging.kafka.message.key',
} as const;

/** `messaging.system` for Kafka; the embedded log speaks Kafka's model (topics, partitions, offsets, groups). */
export const KAFKA_SYSTEM = 'kafka';

/** `error.type` when a failure names no class of its own. */
export const OTHER_ERROR = '_OTHER';
