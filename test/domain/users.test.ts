import { describe, expect, it } from 'vitest';
import { API_KEY_ROLES, roleAllows, type AccessAction } from '../../src/domain/api-keys.js';
import { ValidationError } from '../../src/domain/errors.js';
import { checkPassword, csrfTokenMatches, csrfTokenOf, generateSessionToken, hashToken, normalizeEmail, PASSWORD_MIN_LENGTH } from '../../src/domain/users.js';

describe('roles', () => {
  it('allows each access action to exactly the roles the table says', () => {
    const expected: Record<AccessAction, string[]> = {
      read: ['read', 'review', 'write', 'admin'],
      score: ['review', 'write', 'admin'],
      review: ['review', 'write', 'admin'],
      write: ['write', 'admin'],
      admin: ['admin'],
    };
    for (const [action, roles] of Object.entries(expected) as [AccessAction, string[]][]) {
      expect({ action, roles: API_KEY_ROLES.filter((role) => roleAllows(role, action)) }).toEqual({ action, roles });
    }
  });
});

describe('session and CSRF tokens', () => {
  it('derives a CSRF token only the holder of the session token can compute, and compares it exactly', () => {
    const token = generateSessionToken();
    const other = generateSessionToken();
    expect(token).toMatch(/^ess_[A-Za-z0-9_-]{43}$/);
    expect(csrfTokenMatches(token, csrfTokenOf(token))).toBe(true);
    expect(csrfTokenMatches(token, csrfTokenOf(other))).toBe(false);
    expect(csrfTokenMatches(token, '')).toBe(false);
    expect(csrfTokenMatches(token, csrfTokenOf(token).slice(1))).toBe(false);
    expect(hashToken(token)).not.toContain(token);
    expect(hashToken(token)).toBe(hashToken(token));
  });
});

describe('emails and passwords', () => {
  it('normalizes emails and refuses what is not one', () => {
    expect(normalizeEmail('  Ann@Example.COM ')).toBe('ann@example.com');
    for (const bad of ['', 'ann', 'ann@', '@example.com', 'a b@example.com']) expect(() => normalizeEmail(bad)).toThrow(ValidationError);
  });

  it('refuses passwords shorter than the minimum, naming the field', () => {
    expect(() => checkPassword('x'.repeat(PASSWORD_MIN_LENGTH))).not.toThrow();
    const error = (() => {
      try {
        checkPassword('x'.repeat(PASSWORD_MIN_LENGTH - 1));
      } catch (caught) {
        return caught as ValidationError;
      }
    })();
    expect(error?.issues).toEqual([{ pointer: '/password', detail: `must be at least ${PASSWORD_MIN_LENGTH} characters long` }]);
  });
});
