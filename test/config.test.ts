import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadPriceTable } from '../src/config.js';

describe('the price table setting', () => {
  const folder = mkdtempSync(join(tmpdir(), 'evalstore-prices-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('comes from EVALSTORE_PRICES, a JSON file read at start', () => {
    const file = join(folder, 'prices.json');
    writeFileSync(file, JSON.stringify({ 'gpt-4o*': { input_per_million: '2.5', output_per_million: '10' } }));
    const config = loadConfig({}, { EVALSTORE_PRICES: file });
    expect(config.pricesFile).toBe(file);
    expect(loadPriceTable(config.pricesFile).costs('gpt-4o-mini', 1000, 0)?.total_cost).toBe('0.0025');
    expect(loadPriceTable(undefined).size).toBe(0);
  });

  it('stops the start with the file and the fault named when the file cannot be used', () => {
    const broken = join(folder, 'broken.json');
    writeFileSync(broken, '{"gpt-4o": ');
    expect(() => loadPriceTable(broken)).toThrow(new RegExp(`^EVALSTORE_PRICES \\(${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): `));
    const wrong = join(folder, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ 'gpt-4o': { input_per_million: 'free' } }));
    expect(() => loadPriceTable(wrong)).toThrow(/"gpt-4o": input_per_million must be a price/);
    expect(() => loadPriceTable(join(folder, 'missing.json'))).toThrow(/ENOENT/);
  });
});
