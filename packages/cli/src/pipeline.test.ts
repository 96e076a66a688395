import { describePipelineWithCli } from './pipeline-suite.js';
import { embeddedTarget } from './testing.js';

// On the embedded log; cli.engine.test.ts runs the same test against Kafka.
describePipelineWithCli(embeddedTarget, process.env);
