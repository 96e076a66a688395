import { describeCliCommands } from './command-suite.js';
import { describePipelineWithCli } from './pipeline-suite.js';
import { kafkaTarget } from './testing.js';

// The same command and pipeline tests as cli.engine.test.ts, on the secured broker npm run
// test:engines starts beside the plain one (SASL_SSL, SCRAM-SHA-512, client certificate required). The
// connection is given to the CLI and to the processors only through the product's KAFKA_* variables,
// taken from the engine's SECURED_KAFKA_* list; a missing one fails the run loudly.
function secured(name: string): string {
  const value = process.env[`SECURED_${name}`];
  if (value === undefined || value === '') {
    throw new Error(`SECURED_${name} is not set: run this suite through \`npm run test:engines\``);
  }
  return value;
}

const security = Object.fromEntries(
  [
    'KAFKA_SECURITY_PROTOCOL',
    'KAFKA_SASL_MECHANISM',
    'KAFKA_SASL_USERNAME',
    'KAFKA_SASL_PASSWORD',
    'KAFKA_SSL_CA_FILE',
    'KAFKA_SSL_CERT_FILE',
    'KAFKA_SSL_KEY_FILE',
  ].map((name) => [name, secured(name)]),
);
const target = kafkaTarget(secured('KAFKA_BROKERS'), security, 'the secured Kafka (SASL_SSL, SCRAM-SHA-512)');

// The processors' environment: the test's own (PATH...) without the plain engines' settings.
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(KAFKA_|CASSANDRA_|SECURED_)/.test(name)),
);

describeCliCommands(target);
describePipelineWithCli(target, inherited);
