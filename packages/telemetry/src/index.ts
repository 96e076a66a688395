export { createOtelMessageTracing, errorTypeOf } from './otel-message-tracing.js';
export { startOtlpTracing, tracesUrl, type OtlpTracingOptions, type Telemetry } from './otlp-tracing.js';
export { createRecordingTracing, type RecordedSpan, type RecordingTracing } from './recording-tracing.js';
export { MESSAGING } from './messaging-attributes.js';
