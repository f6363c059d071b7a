import { v7 as uuidv7, validate as uuidValidate } from 'uuid';

/**
 * Entity ids are UUIDs. Server-made ids are version 7 (time-ordered), so that keyset pagination by id
 * follows creation order and bulk inserts append to the end of indexes. Clients of some surfaces choose
 * their own ids (LangSmith example and run ids), which may be any UUID version.
 */
export function newId(): string {
  return uuidv7();
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && uuidValidate(value);
}

/** The canonical spelling of an id (lowercase), or undefined when the value is not an id at all. */
export function parseId(value: string): string | undefined {
  return uuidValidate(value) ? value.toLowerCase() : undefined;
}

/** A UUID as the 128-bit number it is: what surfaces whose ids are numbers in another spelling encode. */
export function uuidToNumber(uuid: string): bigint {
  return BigInt(`0x${uuid.replace(/-/g, '')}`);
}

/** The UUID spelling of a number below 2^128 (the inverse of uuidToNumber). */
export function numberToUuid(number: bigint): string {
  const hex = number.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
