export {
  createOrderProcessor,
  type OrderProcessor,
  type OrderProcessorDeps,
  type GeneratorSettings,
} from './order-processor.js';
