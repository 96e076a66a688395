import { describeCliCommands } from './command-suite.js';
import { describePipelineWithCli } from './pipeline-suite.js';
import { kafkaTarget } from './testing.js';

// The same command and pipeline tests as cli.test.ts and pipeline.test.ts, against a real broker
// (npm run test:engines starts one). Each harness works under its own BUS_PREFIX, so the topics and
// groups other test files leave on the shared broker change nothing here. A missing KAFKA_BROKERS
// fails the run loudly instead of skipping it.
const brokers = process.env.KAFKA_BROKERS ?? process.env.KAFKA_BOOTSTRAP_SERVERS;
if (brokers === undefined || brokers === '') {
  throw new Error('KAFKA_BROKERS is not set: run this suite through `npm run test:engines`');
}

describeCliCommands(kafkaTarget(brokers));
describePipelineWithCli(kafkaTarget(brokers), process.env);
