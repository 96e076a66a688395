import { afterEach, describe, expect, it } from 'vitest';
import { cliHarness } from './testing.js';

describe('verify after retention', () => {
  const cli = cliHarness('cli-verify-retention-');
  afterEach(() => cli.remove());

  it('says the views cannot be proved once the log start is above 0, and reports no drift', async () => {
    expect((await cli.run(['setup'])).code).toBe(0);
    expect((await cli.run(['test-data', '30'])).code).toBe(0);
    const opened = await cli.openBus();
    try {
      await opened.admin.deleteRecords('orders', [{ partition: 0, offset: 1 }]);
    } finally {
      await opened.close();
    }
    const run = await cli.run(['verify', '--wait', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot audit: orders\/0 starts at offset 1, retention deleted offsets 0 to 0/);
    expect(run.stdout).not.toMatch(/drift/i);
  });
});
