import type { DomainError } from '../domain/errors.js';
import { isUniqueViolation } from '../store/errors.js';

/** Runs a write, turning a violated unique constraint into the domain error the caller names. */
export async function writeUnique<T>(write: () => Promise<T>, conflict: () => DomainError): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict();
    throw error;
  }
}
