import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter } from '../../../../src/surfaces/langsmith/filter/parse.js';

/** LangSmith's filter language, parsed alone: the trees of valid expressions, and the token named for invalid ones. */
describe('parseFilter', () => {
  it('parses a comparison of a field with a string', () => {
    expect(parseFilter('eq(run_type, "llm")')).toEqual({
      kind: 'call',
      name: 'eq',
      at: 0,
      end: 19,
      args: [
        { kind: 'name', name: 'run_type', at: 3 },
        { kind: 'string', value: 'llm', at: 13 },
      ],
    });
  });

  it('parses nested and/or/not with numbers, booleans, null, lists and both quotes', () => {
    const tree = parseFilter(`and(or(gt(latency, 2.5), eq(is_root, true)), not(eq(error, null)), in(run_type, ['llm', "chain"]), lte(total_tokens, -1e3))`);
    expect(tree.name).toBe('and');
    const [or, not, inCall, lte] = tree.args as any[];
    expect(or.name).toBe('or');
    expect(or.args[0].args[1]).toEqual({ kind: 'number', value: 2.5, at: 19 });
    expect(or.args[1].args[1]).toMatchObject({ kind: 'boolean', value: true });
    expect(not.args[0].args[1]).toMatchObject({ kind: 'null' });
    expect(inCall.args[1]).toMatchObject({
      kind: 'list',
      items: [
        { kind: 'string', value: 'llm' },
        { kind: 'string', value: 'chain' },
      ],
    });
    expect(lte.args[1]).toMatchObject({ kind: 'number', value: -1000 });
  });

  it('reads escapes in strings, one-argument calls and empty lists', () => {
    expect(parseFilter(String.raw`search("say \"hi\"\n")`).args[0]).toMatchObject({ kind: 'string', value: 'say "hi"\n' });
    expect(parseFilter('in(tags, [])').args[1]).toMatchObject({ kind: 'list', items: [] });
    expect(parseFilter('  eq( name ,"a" )  ')).toMatchObject({ name: 'eq', at: 2, end: 17 });
  });

  const invalid: [string, string, number][] = [
    ['eq(name, "a"', '', 12],
    ['eq(name "a")', '"a"', 8],
    ['eq(name, "a"))', ')', 13],
    ['eq(name, "a)', '"a)', 9],
    ['"llm"', '"llm"', 0],
    ['eq(name, @)', '@', 9],
    ['eq(name, [1, eq(a, 1)])', 'eq', 13],
    ['eq(name, [1 2])', '2', 12],
    ['and(eq(a, 1),, eq(b, 2))', ',', 13],
    ['', '', 0],
    ['eq', '', 2],
  ];
  for (const [text, token, at] of invalid) {
    it(`refuses ${JSON.stringify(text)}, naming the token ${JSON.stringify(token)}`, () => {
      let caught: unknown;
      try {
        parseFilter(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FilterSyntaxError);
      expect(caught).toMatchObject({ token, at });
      expect((caught as Error).message).toContain(token === '' ? 'end of the expression' : JSON.stringify(token));
    });
  }

  it('refuses calls nested beyond the bound rather than exhausting the stack', () => {
    const deep = `${'not('.repeat(100)}eq(a, 1)${')'.repeat(100)}`;
    expect(() => parseFilter(deep)).toThrow(FilterSyntaxError);
  });
});
