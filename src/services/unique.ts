import { ConflictError, type DomainError } from '../domain/errors.js';
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

/**
 * Another request made something of the same unique name between a transaction's look and its insert.
 * The whole transaction is worth one more try: the thing is then there to find.
 */
class CreationRace extends Error {
  constructor(readonly conflict: ConflictError) {
    super(conflict.message);
  }
}

/** Makes something found missing by name; a conflict means another request made it meanwhile (see retryingCreationRaces). */
export async function creating<T>(make: () => Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (error) {
    if (error instanceof ConflictError) throw new CreationRace(error);
    throw error;
  }
}

/** Runs `transaction`, once more when it lost a creation race; losing twice answers the conflict. */
export async function retryingCreationRaces<T>(transaction: () => Promise<T>): Promise<T> {
  try {
    return await transaction();
  } catch (error) {
    if (!(error instanceof CreationRace)) throw error;
  }
  try {
    return await transaction();
  } catch (error) {
    throw error instanceof CreationRace ? error.conflict : error;
  }
}

/**
 * What `find` finds, else what `make` makes, outside any transaction of the caller's: when another
 * request makes the same thing first (`make` then meets a conflict), what it made is found and answered.
 */
export async function findOrCreate<T>(find: () => Promise<T | undefined>, make: () => Promise<T>): Promise<{ value: T; created: boolean }> {
  const existing = await find();
  if (existing !== undefined) return { value: existing, created: false };
  try {
    return { value: await make(), created: true };
  } catch (error) {
    const raced = error instanceof ConflictError ? await find() : undefined;
    if (raced !== undefined) return { value: raced, created: false };
    throw error;
  }
}
