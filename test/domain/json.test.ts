import { describe, expect, it } from 'vitest';
import { jsonOrText } from '../../src/domain/json.js';

describe('jsonOrText', () => {
  it('answers the JSON value of a JSON text, blanks around it allowed', () => {
    expect(jsonOrText('{"q": [1, "two", null]}')).toEqual({ q: [1, 'two', null] });
    expect(jsonOrText(' \t\r\n-1.5e3 ')).toBe(-1500);
    expect(jsonOrText('"quoted"')).toBe('quoted');
    expect(jsonOrText('true')).toBe(true);
    expect(jsonOrText('null')).toBeNull();
  });

  it('answers anything else as the text itself', () => {
    for (const text of ['', '   ', 'Paris', 'nothing', '{not json', '[1,', 'true love', '-', '12 monkeys', "'single'"]) expect(jsonOrText(text)).toBe(text);
  });
});
