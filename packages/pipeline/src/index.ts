export { decodeBatch, type DecodeBatchOptions, type DecodedBatch } from './decode-batch.js';
export { ProcessorMeter, type ProcessorSnapshot } from './processor-meter.js';
