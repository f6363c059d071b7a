import { diffWordsWithSpace } from 'diff';

export interface DiffPart {
  text: string;
  kind: 'same' | 'added' | 'removed';
}

/** Past this many edits two texts are too unlike for a word diff to help, and it would cost a lot. */
const MAX_EDITS = 500;

/** Below this share of the new text's non-space characters kept from the old, the texts differ entirely and a diff is noise. */
const MIN_SHARED = 0.2;

/**
 * The word-level diff from `before` to `after` (spaces and newlines kept as they are), or undefined
 * when the texts are too different to diff usefully (too many edits, or almost nothing in common).
 */
export function textDiff(before: string, after: string): DiffPart[] | undefined {
  if (before === after) return [{ text: after, kind: 'same' }];
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_EDITS });
  if (!changes) return undefined;
  const parts: DiffPart[] = changes.map((change) => ({ text: change.value, kind: change.added ? 'added' : change.removed ? 'removed' : 'same' }));
  const visible = (kinds: DiffPart['kind'][]) =>
    parts.filter((part) => kinds.includes(part.kind)).reduce((sum, part) => sum + part.text.replace(/\s/g, '').length, 0);
  const total = visible(['same', 'added']);
  return total > 0 && visible(['same']) / total < MIN_SHARED ? undefined : parts;
}
