import { diffWordsWithSpace } from 'diff';

export interface DiffPart {
  text: string;
  kind: 'same' | 'added' | 'removed';
}

/** Past this many edits two texts are too unlike for a word diff to help, and it would cost a lot. */
const MAX_EDITS = 500;

/**
 * The word-level diff from `before` to `after` (spaces and newlines kept as they are), or undefined
 * when the texts are too different to diff usefully.
 */
export function textDiff(before: string, after: string): DiffPart[] | undefined {
  if (before === after) return [{ text: after, kind: 'same' }];
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_EDITS });
  return changes?.map((change) => ({ text: change.value, kind: change.added ? 'added' : change.removed ? 'removed' : 'same' }));
}
