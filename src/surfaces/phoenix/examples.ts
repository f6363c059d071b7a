import type { Static } from '@sinclair/typebox';
import { ValidationError } from '../../domain/errors.js';
import type { NewRecord, RecordChanges } from '../../services/records.js';
import type { UploadBody } from './schemas.js';

export type UploadAction = 'create' | 'append' | 'update';

/** The action of an upload (case-insensitive, `create` by default), in Phoenix's words when it is none of them. */
export function actionOf(body: Static<typeof UploadBody>): UploadAction {
  const action = (body.action ?? 'create').toLowerCase();
  if (action === 'create' || action === 'append' || action === 'update') return action;
  // Phoenix's own spelling, which its clients look for.
  throw ValidationError.field('/action', `Invalid dateset action: ${body.action}`);
}

/**
 * The examples of an upload as records: `inputs[i]` the input, `outputs[i]` the expected output,
 * `metadata[i]`, `splits[i]` (a name or a list of names), `example_ids[i]` the external id. The lists
 * given must be as long as `inputs`.
 */
export function toRecords(body: Static<typeof UploadBody>): NewRecord[] {
  const count = body.inputs.length;
  for (const field of ['outputs', 'metadata', 'splits', 'span_ids', 'example_ids'] as const) {
    const list = body[field];
    if (list && list.length !== count) throw ValidationError.field(`/${field}`, `must have as many items as inputs (${count}, got ${list.length})`);
  }
  const ids = (body.example_ids ?? []).filter((id): id is string => typeof id === 'string');
  if (new Set(ids).size !== ids.length) throw ValidationError.field('/example_ids', 'must not repeat an id');
  return body.inputs.map((input, index) => {
    const split = body.splits?.[index];
    const splits = (Array.isArray(split) ? split : split ? [split] : []).map((name) => name.trim()).filter(Boolean);
    const externalId = body.example_ids?.[index];
    return {
      input,
      expected_output: body.outputs?.[index] ?? {},
      metadata: body.metadata?.[index] ?? {},
      ...(splits.length ? { splits } : {}),
      ...(externalId ? { external_id: externalId } : {}),
    };
  });
}

/**
 * What each action does to the dataset's records: `append` adds them; `create` and `update` make the
 * version hold exactly them (examples the same as a current one, by input and output, keep their ids;
 * the others go).
 */
export function changesFor(action: UploadAction, records: NewRecord[]): RecordChanges {
  return action === 'append' ? { add: records } : { set: records };
}
