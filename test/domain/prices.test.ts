import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../src/domain/prices.js';

describe('PriceTable', () => {
  const table = PriceTable.parse({
    'gpt-4o': { input_per_million: '2.50', output_per_million: '10' },
    'gpt-4o*': { input_per_million: '5', output_per_million: '15' },
    'gpt-4o-mini*': { input_per_million: 0.15, output_per_million: 0.6 },
    'claude-*': { input_per_million: '3', output_per_million: '15' },
  });

  it('prices a model by its exact name first, then by the longest pattern it starts with', () => {
    expect(table.priceOf('gpt-4o')).toEqual({ input: 2_500_000_000, output: 10_000_000_000 });
    expect(table.priceOf('gpt-4o-2024-08-06')).toEqual({ input: 5_000_000_000, output: 15_000_000_000 });
    expect(table.priceOf('gpt-4o-mini-2024-07-18')).toEqual({ input: 150_000_000, output: 600_000_000 });
    expect(table.priceOf('llama-3')).toBeUndefined();
    expect(table.size).toBe(4);
  });

  it('computes exact costs in decimal dollars, rounded to the nano-dollar', () => {
    // 1,234 × $2.50/M = $0.003085; 567 × $10/M = $0.00567.
    expect(table.costs('gpt-4o', 1234, 567)).toEqual({ prompt_cost: '0.003085', completion_cost: '0.00567', total_cost: '0.008755' });
    // 7 × $0.15/M = $0.00000105; 3 × $0.6/M = $0.0000018.
    expect(table.costs('gpt-4o-mini', 7, 3)).toEqual({ prompt_cost: '0.00000105', completion_cost: '0.0000018', total_cost: '0.00000285' });
    // 1 token at $0.0004/M is 0.4 nano-dollar and rounds down; at $0.0005/M, 0.5 rounds up.
    const tiny = PriceTable.parse({ tiny: { input_per_million: '0.0004', output_per_million: '0.0005' } });
    expect(tiny.costs('tiny', 1, 1)).toEqual({ prompt_cost: '0', completion_cost: '0.000000001', total_cost: '0.000000001' });
    // Counts whose product with the price passes 2^53 stay exact.
    expect(table.costs('claude-3', 3_000_000_000, null)).toEqual({ prompt_cost: '9000', completion_cost: null, total_cost: '9000' });
  });

  it('prices nothing for an unknown model or unknown counts', () => {
    expect(table.costs('llama-3', 10, 10)).toBeUndefined();
    expect(table.costs('gpt-4o', null, null)).toBeUndefined();
    expect(PriceTable.empty.costs('gpt-4o', 10, 10)).toBeUndefined();
  });

  it('refuses a table it cannot read, naming the entry', () => {
    expect(() => PriceTable.parse([])).toThrow(/JSON object of model names/);
    expect(() => PriceTable.parse({ 'gpt-4o': { input_per_million: 'cheap', output_per_million: 1 } })).toThrow(/"gpt-4o": input_per_million must be a price/);
    expect(() => PriceTable.parse({ 'gpt-4o': { input_per_million: 1 } })).toThrow(/"gpt-4o": output_per_million/);
    expect(() => PriceTable.parse({ 'gpt-4o': { input_per_million: '-1', output_per_million: 1 } })).toThrow(/input_per_million/);
    expect(() => PriceTable.parse({ '*': { input_per_million: 1, output_per_million: 1 } })).toThrow(/not a model name/);
  });
});
