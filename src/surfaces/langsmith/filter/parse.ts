/**
 * LangSmith's filter language (the `filter`, `trace_filter` and `tree_filter` of `POST /runs/query`):
 * calls of comparators and combinators over field names and literals, as in
 * `and(eq(run_type, "llm"), gt(latency, "2s"), not(has(tags, "draft")))`.
 *
 *   expression := call
 *   call       := NAME "(" [ argument { "," argument } ] ")"
 *   argument   := call | NAME | STRING | NUMBER | "true" | "false" | "null" | list
 *   list       := "[" [ literal { "," literal } ] "]"
 *
 * This module only parses: it knows no field and no comparator, and refuses only what is not in the
 * grammar, naming the token and where it starts. What the expression means is the translation's job
 * (translate.ts).
 */

/** Where a node starts in the expression (0-based character offset). */
interface At {
  at: number;
}

export type FilterLiteral =
  | ({ kind: 'string'; value: string } & At)
  | ({ kind: 'number'; value: number } & At)
  | ({ kind: 'boolean'; value: boolean } & At)
  | ({ kind: 'null' } & At)
  | ({ kind: 'list'; items: FilterLiteral[] } & At);

export interface FilterCall extends At {
  kind: 'call';
  name: string;
  args: FilterNode[];
  /** Where the call ends (the offset after its closing parenthesis). */
  end: number;
}

export interface FilterName extends At {
  kind: 'name';
  name: string;
}

export type FilterNode = FilterCall | FilterName | FilterLiteral;

/** An expression outside the grammar: the token at fault, where it starts, and what was expected. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly token: string,
    readonly at: number,
    readonly expected: string,
  ) {
    super(`unexpected ${token === '' ? 'end of the expression' : `token ${JSON.stringify(token)}`} at character ${at + 1}: expected ${expected}`);
  }
}

type TokenKind = 'name' | 'string' | 'number' | '(' | ')' | ',' | '[' | ']' | 'end';

interface Token {
  kind: TokenKind;
  /** The token as written. */
  text: string;
  /** A string's or number's value. */
  value?: string | number;
  at: number;
}

/** Longer expressions are refused before parsing (a request's filter is a line, not a document). */
const MAX_LENGTH = 10_000;
/** Calls nest at most this deep, so that a hostile expression cannot exhaust the stack. */
const MAX_DEPTH = 64;

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PUNCTUATION = new Set(['(', ')', ',', '[', ']']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (PUNCTUATION.has(c)) {
      tokens.push({ kind: c as TokenKind, text: c, at: i });
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError(text.slice(start), start, `a closing ${c}`);
        const d = text[i]!;
        if (d === c) break;
        if (d === '\\') {
          const next = text[i + 1];
          if (next === undefined) throw new FilterSyntaxError(text.slice(start), start, `a closing ${c}`);
          value += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[next] ?? next;
          i += 2;
          continue;
        }
        value += d;
        i += 1;
      }
      i += 1;
      tokens.push({ kind: 'string', text: text.slice(start, i), value, at: start });
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number && (c === '-' || c === '.' || /\d/.test(c))) {
      tokens.push({ kind: 'number', text: number[0], value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    throw new FilterSyntaxError(c, i, 'a name, a string, a number, "(", ")", "[", "]" or ","');
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

/** Parses one expression of the filter language; throws FilterSyntaxError naming the token at fault. */
export function parseFilter(text: string): FilterCall {
  if (text.length > MAX_LENGTH) throw new FilterSyntaxError(text.slice(MAX_LENGTH, MAX_LENGTH + 10), MAX_LENGTH, `at most ${MAX_LENGTH} characters`);
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const expect = (kind: TokenKind, expected: string) => {
    const token = next();
    if (token.kind !== kind) throw new FilterSyntaxError(token.text, token.at, expected);
    return token;
  };

  const literal = (token: Token): FilterLiteral | undefined => {
    if (token.kind === 'string') return { kind: 'string', value: token.value as string, at: token.at };
    if (token.kind === 'number') return { kind: 'number', value: token.value as number, at: token.at };
    if (token.kind === 'name') {
      const word = token.text.toLowerCase();
      if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true', at: token.at };
      if (word === 'null' || word === 'none') return { kind: 'null', at: token.at };
    }
    return undefined;
  };

  const list = (open: Token): FilterLiteral => {
    const items: FilterLiteral[] = [];
    if (peek().kind === ']') {
      next();
      return { kind: 'list', items, at: open.at };
    }
    for (;;) {
      const token = next();
      const item = literal(token);
      if (!item) throw new FilterSyntaxError(token.text, token.at, 'a string, a number, true, false or null in a list');
      items.push(item);
      const after = next();
      if (after.kind === ']') return { kind: 'list', items, at: open.at };
      if (after.kind !== ',') throw new FilterSyntaxError(after.text, after.at, '"," or "]"');
    }
  };

  const call = (name: Token, depth: number): FilterCall => {
    if (depth > MAX_DEPTH) throw new FilterSyntaxError(name.text, name.at, `calls nested at most ${MAX_DEPTH} deep`);
    expect('(', '"("');
    const args: FilterNode[] = [];
    if (peek().kind === ')') {
      const close = next();
      return { kind: 'call', name: name.text, args, at: name.at, end: close.at + 1 };
    }
    for (;;) {
      args.push(argument(depth));
      const after = next();
      if (after.kind === ')') return { kind: 'call', name: name.text, args, at: name.at, end: after.at + 1 };
      if (after.kind !== ',') throw new FilterSyntaxError(after.text, after.at, '"," or ")"');
    }
  };

  const argument = (depth: number): FilterNode => {
    const token = next();
    if (token.kind === '[') return list(token);
    if (token.kind === 'name' && peek().kind === '(') return call(token, depth + 1);
    const value = literal(token);
    if (value) return value;
    if (token.kind === 'name') return { kind: 'name', name: token.text, at: token.at };
    throw new FilterSyntaxError(token.text, token.at, 'a call, a name, a string, a number or a list');
  };

  const first = next();
  if (first.kind !== 'name') throw new FilterSyntaxError(first.text, first.at, 'a call such as eq(name, "x")');
  const expression = call(first, 0);
  const end = next();
  if (end.kind !== 'end') throw new FilterSyntaxError(end.text, end.at, 'the end of the expression');
  return expression;
}
