import { createHmac, randomBytes } from 'node:crypto';

/**
 * What a key or a member of a workspace may do: `read` sees the data; `review` sees it and scores it
 * (nothing else); `write` changes the data; `admin` also manages keys and people.
 */
export const API_KEY_ROLES = ['read', 'review', 'write', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** What a route needs: a role's own name, or `score` (writing scores and reviews: review, write and admin). */
export type AccessAction = ApiKeyRole | 'score';

const KEY_PREFIX = 'es_';
/** Versions the hashing scheme, so that a future scheme can tell its hashes from these. */
const HASH_LABEL = 'evalstore-api-key-v1';
/** Keys chosen by an operator (EVALSTORE_ADMIN_KEY) must still be hard to guess. */
export const MIN_CHOSEN_KEY_LENGTH = 20;

/**
 * A new random key: 256 bits of entropy. Because keys are random, a fast keyed hash is enough to store
 * them (no salt or slow KDF is needed: there is nothing to brute-force), and lookups stay O(1) by hash.
 */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHmac('sha256', HASH_LABEL).update(key).digest('hex');
}

/** The visible start of a key, kept in clear so people can tell their keys apart in listings. */
export function apiKeyPreview(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

const ALLOWED: Record<AccessAction, readonly ApiKeyRole[]> = {
  read: ['read', 'review', 'write', 'admin'],
  score: ['review', 'write', 'admin'],
  review: ['review', 'write', 'admin'],
  write: ['write', 'admin'],
  admin: ['admin'],
};

export function roleAllows(held: ApiKeyRole, needed: AccessAction): boolean {
  return ALLOWED[needed].includes(held);
}
