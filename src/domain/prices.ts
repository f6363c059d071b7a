import { formatCost, parseCost } from './money.js';

/** What a model's tokens cost, in nano-dollars per million tokens (exact: see money.ts). */
export interface ModelPrice {
  input: number;
  output: number;
}

export interface TokenCosts {
  prompt_cost: string | null;
  completion_cost: string | null;
  total_cost: string;
}

const TOKENS_PER_PRICE = 1_000_000n;

/**
 * The prices an operator configures (no network lookups: prices change, and a store must not guess),
 * by model name. A name ending in `*` prices every model that starts with the rest (dated releases
 * such as `gpt-4o-2024-08-06` under `gpt-4o*`); an exact name wins over a pattern, a longer pattern
 * over a shorter one.
 */
export class PriceTable {
  private constructor(
    private readonly exact: ReadonlyMap<string, ModelPrice>,
    /** Longest prefix first. */
    private readonly prefixes: readonly (readonly [string, ModelPrice])[],
  ) {}

  static readonly empty = new PriceTable(new Map(), []);

  /**
   * The table from its JSON form: `{ "<model>": { "input_per_million": "2.50", "output_per_million": "10" } }`,
   * prices in US dollars as decimal strings or numbers. Throws naming the entry at fault.
   */
  static parse(json: unknown): PriceTable {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('the price table must be a JSON object of model names');
    const exact = new Map<string, ModelPrice>();
    const prefixes: [string, ModelPrice][] = [];
    for (const [model, entry] of Object.entries(json)) {
      if (model === '' || model === '*') throw new Error(`${JSON.stringify(model)} is not a model name`);
      const price = { input: perMillion(entry, 'input_per_million', model), output: perMillion(entry, 'output_per_million', model) };
      if (model.endsWith('*')) prefixes.push([model.slice(0, -1), price]);
      else exact.set(model, price);
    }
    prefixes.sort(([a], [b]) => b.length - a.length);
    return new PriceTable(exact, prefixes);
  }

  get size(): number {
    return this.exact.size + this.prefixes.length;
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.exact.get(model) ?? this.prefixes.find(([prefix]) => model.startsWith(prefix))?.[1];
  }

  /** What the tokens of a call to `model` cost, exactly, or undefined when the model is not priced or no count is known. */
  costs(model: string, promptTokens: number | null, completionTokens: number | null): TokenCosts | undefined {
    const price = this.priceOf(model);
    if (!price || (promptTokens === null && completionTokens === null)) return undefined;
    const prompt = promptTokens === null ? null : nanosFor(promptTokens, price.input);
    const completion = completionTokens === null ? null : nanosFor(completionTokens, price.output);
    return {
      prompt_cost: prompt === null ? null : formatCost(prompt),
      completion_cost: completion === null ? null : formatCost(completion),
      total_cost: formatCost((prompt ?? 0) + (completion ?? 0)),
    };
  }
}

function perMillion(entry: unknown, field: string, model: string): number {
  const value = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>)[field] : undefined;
  const nanos = typeof value === 'string' || typeof value === 'number' ? parseCost(value) : undefined;
  if (nanos === undefined || nanos < 0)
    throw new Error(`${JSON.stringify(model)}: ${field} must be a price in US dollars per million tokens (got ${JSON.stringify(value)})`);
  return nanos;
}

/** Rounded half up to the nano-dollar; in BigInt, as tokens × price can exceed 2^53. */
function nanosFor(tokens: number, nanosPerMillion: number): number {
  return Number((BigInt(tokens) * BigInt(nanosPerMillion) + TOKENS_PER_PRICE / 2n) / TOKENS_PER_PRICE);
}
