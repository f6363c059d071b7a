import { describe, expect, it } from 'vitest';
import { StatisticsUpkeep } from '../../src/store/statistics.js';

describe('statistics upkeep', () => {
  it('gathers statistics once per threshold of rows written, in the background, never twice at once', async () => {
    let refreshes = 0;
    let release!: () => void;
    const upkeep = new StatisticsUpkeep(async () => {
      refreshes += 1;
      await new Promise<void>((resolve) => (release = resolve));
    }, 100);
    upkeep.noteWrites(60);
    upkeep.noteWrites(30);
    await new Promise((resolve) => setImmediate(resolve));
    expect(refreshes).toBe(0);
    upkeep.noteWrites(20);
    expect(refreshes).toBe(0); // scheduled, not run inside the writer's call
    await new Promise((resolve) => setImmediate(resolve));
    expect(refreshes).toBe(1);
    upkeep.noteWrites(500); // while one runs, no second one starts
    await new Promise((resolve) => setImmediate(resolve));
    expect(refreshes).toBe(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    upkeep.noteWrites(100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(refreshes).toBe(2);
  });
});
