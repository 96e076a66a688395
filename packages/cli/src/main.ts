import { loadConfig, newTimeOrderedId } from '@kafka-monitor/runtime';
import { adaptersFromConfig } from './adapters.js';
import { runCli } from './cli.js';
import { processTerminal } from './terminal.js';

// Composition root of the command line: the real environment, streams, clock and adapters.
const interrupt = new AbortController();
const onSignal = (): void => {
  // The first Ctrl-C lets a following command (consume, produce, test-data) stop and report; a second
  // one, or a command that does not stop soon, exits at once.
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
  setTimeout(() => process.exit(130), 5_000).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `kafka-monitor consume orders | head` closes the pipe early: that is a normal end, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  process.exit(error.code === 'EPIPE' ? 0 : 1);
});

const code = await runCli(process.argv.slice(2), {
  terminal: processTerminal(interrupt.signal),
  loadConfig: () => loadConfig(),
  adapters: adaptersFromConfig,
  now: Date.now,
  random: Math.random,
  newId: newTimeOrderedId,
});
// Exit explicitly: a client of an unreachable broker may keep timers alive after its command gave up.
process.exit(code);
