/**
 * Comparison results computed recently, so that viewing the same comparison again (paging through
 * groups, reloading a page) costs nothing. Entries are keyed by the question and by every compared
 * experiment's revision, which goes up with any change to its runs or scores; records need no part in
 * the key, because a comparison reads them at a fixed, immutable dataset version. So an entry is never
 * stale, only evicted: the least recently used goes first.
 */
export class ResultCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly capacity = 256) {}

  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.entries.has(key)) {
      const value = this.entries.get(key) as T;
      this.entries.delete(key);
      this.entries.set(key, value);
      return structuredClone(value);
    }
    const value = await compute();
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return structuredClone(value);
  }
}
