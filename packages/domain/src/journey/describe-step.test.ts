import { describe, expect, it } from 'vitest';
import { describeStep } from './describe-step.js';

const base = { at: 1, position: null, sincePreviousMs: null };

describe('describeStep', () => {
  it('names how the order came in', () => {
    expect(describeStep({ ...base, kind: 'produced', via: 'api', requestId: 'r-1' })).toBe(
      'posted through the API (request r-1)',
    );
    expect(describeStep({ ...base, kind: 'produced', via: 'generator', requestId: null })).toBe(
      'produced by the order generator',
    );
    expect(describeStep({ ...base, kind: 'produced', via: 'log', requestId: null })).toContain('another producer');
  });

  it('counts the rules and names the failed ones', () => {
    const rules = [
      { ruleName: 'minimum-quantity', passed: true, message: null },
      { ruleName: 'price-consistency', passed: false, message: 'total differs' },
    ];
    expect(describeStep({ ...base, kind: 'validated', passed: false, rules, rulesFrom: 'log' })).toBe(
      'validated: 1 of 2 rules passed; failed price-consistency',
    );
    expect(describeStep({ ...base, kind: 'validated', passed: true, rules: [], rulesFrom: 'registration' })).toContain(
      'no longer on the log',
    );
  });

  it('says who decided what and why', () => {
    expect(
      describeStep({
        ...base,
        kind: 'decided',
        version: 2,
        previousStatus: 'pending',
        status: 'accepted',
        by: 'ana',
        reason: 'checked',
        requestId: 'q-2',
      }),
    ).toBe('pending → accepted by ana (version 2, request q-2): checked');
    expect(describeStep({ ...base, kind: 'registered', version: 1, status: 'pending' })).toBe(
      'registered as pending (version 1)',
    );
    expect(describeStep({ ...base, kind: 'discarded', deadLetterId: 'orders:0:1', actor: 'ops', note: null })).toBe(
      'discarded by ops',
    );
  });
});
