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
