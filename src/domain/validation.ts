import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldIssue } from './errors.js';

/**
 * One validator configuration for the whole project, so that a body checked by the HTTP layer and a
 * line checked by a streamed import are judged, and their faults worded, the same way.
 * Unknown fields are errors (never silently dropped); types are never coerced in bodies.
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: false,
    strict: false,
    ...options,
  });
  addFormats.default(ajv);
  return ajv;
}

/** Ajv's errors as FieldIssues: a JSON pointer to the faulty value and what is wrong with it. */
export function toFieldIssues(errors: readonly ErrorObject[], where?: FieldIssue['in']): FieldIssue[] {
  return errors.map((error) => {
    const at = error.instancePath;
    const located = where === undefined ? {} : { in: where };
    switch (error.keyword) {
      case 'required':
        return { pointer: `${at}/${escapePointer(String(error.params.missingProperty))}`, detail: 'is required', ...located };
      case 'additionalProperties':
        return { pointer: `${at}/${escapePointer(String(error.params.additionalProperty))}`, detail: 'is not a known field', ...located };
      case 'enum':
        // Ajv's own message ("must be equal to one of the allowed values") does not say which they are.
        return {
          pointer: at,
          detail: `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`,
          ...located,
        };
      default:
        return { pointer: at, detail: error.message ?? 'is not valid', ...located };
    }
  });
}

/** A JSON pointer's reference token for a key (RFC 6901: `~` as `~0`, `/` as `~1`). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

const shared = createAjv();

/** A checker for values of `schema`: answers the faults found, or an empty list. */
export function compileChecker(schema: object): (value: unknown) => FieldIssue[] {
  const validate = shared.compile(schema);
  return (value) => (validate(value) ? [] : toFieldIssues(validate.errors ?? []));
}
