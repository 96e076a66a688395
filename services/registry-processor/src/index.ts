export { createRegistryProcessor, type RegistryProcessor, type RegistryProcessorDeps } from './registry-processor.js';
