import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, revealSecret } from '@kafka-monitor/domain';

describe('Secret', () => {
  it('Given a secret inside an object, then no way of printing the object shows its value', () => {
    const holder = { user: 'app', password: new Secret('s3cr3t-value') };
    const printed = [
      JSON.stringify(holder),
      inspect(holder, { depth: 5, showHidden: true }),
      `${holder.password.toString()}`,
      String(holder.password),
      Object.keys(holder.password).join(','),
    ];
    for (const text of printed) expect(text).not.toContain('s3cr3t-value');
    expect(JSON.stringify(holder)).toBe('{"user":"app","password":"[redacted]"}');
  });

  it('Given a secret or plain text, then revealSecret gives the value', () => {
    expect(new Secret('x').reveal()).toBe('x');
    expect(revealSecret(new Secret('y'))).toBe('y');
    expect(revealSecret('z')).toBe('z');
  });
});
