import { describe, expect, it } from 'vitest';
import { textDiff } from '../../ui/src/lib/text-diff.js';

describe('textDiff (outputs against the baseline)', () => {
  it('marks the words added and removed, keeping spaces and newlines', () => {
    const parts = textDiff('The capital is Paris.\nSure.', 'The capital is Lyon.\nSure.')!;
    expect(parts.map((part) => part.text).join('')).toContain('Lyon');
    expect(parts.filter((part) => part.kind === 'removed').map((part) => part.text)).toEqual(['Paris']);
    expect(parts.filter((part) => part.kind === 'added').map((part) => part.text)).toEqual(['Lyon']);
    // The unchanged text and the additions rebuild the new text exactly.
    expect(
      parts
        .filter((part) => part.kind !== 'removed')
        .map((part) => part.text)
        .join(''),
    ).toBe('The capital is Lyon.\nSure.');
  });

  it('is one unchanged part for equal texts, and gives up on texts too unlike to diff', () => {
    expect(textDiff('same', 'same')).toEqual([{ text: 'same', kind: 'same' }]);
    const words = (seed: number) => Array.from({ length: 5_000 }, (_, i) => `w${(i * seed) % 9973}`).join(' ');
    expect(textDiff(words(7), words(13))).toBeUndefined();
  });

  it('gives up on outputs that share almost nothing, where a diff would be unreadable', () => {
    expect(textDiff('The answer is forty-two, as computed.', 'No idea, sorry; I cannot help with that request.')).toBeUndefined();
    expect(textDiff('one two three four five', 'one two three four six')).toBeDefined();
  });
});
