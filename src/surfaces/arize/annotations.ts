import type { Actor } from '../../domain/types.js';
import type { Restatement } from '../../http/restate.js';
import type { RecordScore } from '../../services/record-scores.js';
import type { Score } from '../../domain/types.js';
import { presentAnnotation } from './present.js';
import type { AnnotateBody } from './schemas.js';

/** AX's annotate bodies (of examples and of runs) as the services take them, and their answers. */

/** How an annotation value's fields are named in the services' faults. */
export const ANNOTATION_FIELDS: NonNullable<Restatement['fields']> = [
  ['key', 'name'],
  ['comment', 'text'],
];

/** Each record's values, keyed by annotation name. */
export function annotationValues(body: AnnotateBody) {
  return body.annotations.map((annotation) => ({
    record_id: annotation.record_id,
    values: annotation.values.map(({ name, ...value }) => ({ key: name, ...value })),
  }));
}

/** Who annotates: the signed-in person, or the key. */
export function annotatorOf(actor: Actor) {
  return { name: actor.name, id: actor.userId ?? actor.keyId };
}

/** AX's `AnnotationBatchResult`: per record, in the request's order, what it now holds of the names given. */
export function presentAnnotationResults(body: AnnotateBody, annotated: readonly (readonly (Score | RecordScore)[])[]) {
  return { results: body.annotations.map((annotation, index) => ({ record_id: annotation.record_id, annotations: annotated[index]!.map(presentAnnotation) })) };
}
