export { createRegistryProcessor, type RegistryProcessor, type RegistryProcessorDeps } from './registry-processor.js';
export { reviewExpiryFrom, type ReviewExpirySettings } from './review-expiry.js';
