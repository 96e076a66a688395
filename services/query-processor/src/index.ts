export { createQueryProcessor, type QueryProcessor, type QueryProcessorDeps } from './query-processor.js';
