import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/types.js';
import type { Services } from '../../src/services/index.js';
import type { SourceRow } from '../../src/services/uploads/index.js';
import { DIALECTS } from '../support/databases.js';
import { useTestServices } from '../support/services.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: committing a large upload`, () => {
    const t = useTestServices(dialect);
    let services: Services;
    let actor: Actor;
    beforeAll(() => {
      ({ services, actor } = t);
    });

    it('keeps the server answering while the rows are decided and written', async () => {
      const dataset = await services.datasets.create(actor, { name: 'big' });
      async function* rows(): AsyncGenerator<SourceRow> {
        for (let line = 1; line <= 60_000; line += 1) yield { line, record: { input: { q: line % 50_000 }, external_id: `e${line % 55_000}` } };
      }
      let readDuringCommit: Promise<number> | undefined;
      let committingAt = 0;
      let lastTick = 0;
      let longestStall = 0;
      const ticker = setInterval(() => {
        const now = Date.now();
        if (committingAt) longestStall = Math.max(longestStall, now - lastTick);
        lastTick = now;
      }, 5);
      const upload = services.uploads
        .upload(actor, dataset.id, rows(), {
          format: 'jsonl',
          deduplicate: true,
          onProgress: (progress) => {
            if (progress.phase === 'committing') {
              committingAt = Date.now();
              lastTick = committingAt;
              longestStall = 0;
              readDuringCommit = services.datasets.get(actor, dataset.id).then(() => Date.now());
            }
          },
        })
        .then((summary) => ({ summary, at: Date.now() }));
      const { summary, at: committedAt } = await upload;
      clearInterval(ticker);
      longestStall = Math.max(longestStall, committedAt - lastTick);
      // On SQLite the statements run in a worker thread: on the main thread they would stop the event loop for the whole commit.
      expect(longestStall).toBeLessThan(Math.max(250, (committedAt - committingAt) / 2));
      expect(readDuringCommit).toBeDefined();
      const readAt = await readDuringCommit!;
      expect(readAt).toBeLessThanOrEqual(committedAt);
      expect(summary).toMatchObject({ rows_received: 60_000, records_created: 50_000 });
      expect((await services.datasets.get(actor, dataset.id)).record_count).toBe(50_000);
    });
  });
}
