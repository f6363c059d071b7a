import type { Run } from '../../domain/types.js';

/** A run as the native API shows it: the fields it was sent with beyond the documented ones sit beside them. */
export function presentRun<T extends Run>(run: T): Omit<T, 'extra'> {
  const { extra, ...fields } = run;
  return { ...extra, ...fields };
}
