import { beforeEach, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: versions`, () => {
    const t = useTestApp(dialect);
    let base: string;
    beforeEach(async () => {
      const dataset = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `v-${Math.random()}` } })).json();
      base = `/api/v1/datasets/${dataset.id}`;
    });

    const add = async (records: unknown[]) => (await t.call({ method: 'POST', url: `${base}/records`, payload: { records } })).json();
    const patch = async (records: unknown[]) => (await t.call({ method: 'PATCH', url: `${base}/records`, payload: { records } })).json();
    const remove = async (ids: string[]) => (await t.call({ method: 'POST', url: `${base}/records/delete`, payload: { ids } })).json();
    const inputsAt = async (version: string | number) =>
      (await t.call({ method: 'GET', url: `${base}/records?limit=1000&version=${version}` })).json().data.map((r: { input: unknown }) => r.input);

    it('lists versions newest first, page by page, and gets one by number, name or latest', async () => {
      for (let i = 0; i < 5; i += 1) await add([{ input: i }]);
      const first = (await t.call({ method: 'GET', url: `${base}/versions?limit=2` })).json();
      expect(first.data.map((v: { version: number }) => v.version)).toEqual([5, 4]);
      const second = (await t.call({ method: 'GET', url: `${base}/versions?limit=2&cursor=${first.next_cursor}` })).json();
      expect(second.data.map((v: { version: number }) => v.version)).toEqual([3, 2]);

      expect((await t.call({ method: 'GET', url: `${base}/versions/3` })).json()).toMatchObject({ version: 3, record_count: 3, records_added: 1 });
      expect((await t.call({ method: 'GET', url: `${base}/versions/latest` })).json()).toMatchObject({ version: 5 });
      expect((await t.call({ method: 'GET', url: `${base}/versions/9` })).statusCode).toBe(404);
      expect((await t.call({ method: 'GET', url: `${base}/versions/nameless` })).statusCode).toBe(404);
    });

    it('names versions uniquely, and a name stands for its version anywhere', async () => {
      await add([{ input: 'a' }]);
      await add([{ input: 'b' }]);
      const named = await t.call({ method: 'PATCH', url: `${base}/versions/1`, payload: { name: 'baseline' } });
      expect(named.statusCode).toBe(200);
      expect(named.json()).toMatchObject({ version: 1, name: 'baseline' });
      expect(await inputsAt('baseline')).toEqual(['a']);
      expect((await t.call({ method: 'GET', url: `${base}/versions/baseline` })).json().version).toBe(1);

      const taken = await t.call({ method: 'PATCH', url: `${base}/versions/2`, payload: { name: 'baseline' } });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().errors[0].pointer).toBe('/name');
      expect((await t.call({ method: 'PATCH', url: `${base}/versions/2`, payload: { name: '7' } })).statusCode).toBe(400);
      expect((await t.call({ method: 'PATCH', url: `${base}/versions/2`, payload: { name: 'latest' } })).statusCode).toBe(400);

      const cleared = await t.call({ method: 'PATCH', url: `${base}/versions/baseline`, payload: { name: null } });
      expect(cleared.json().name).toBeNull();
      expect((await t.call({ method: 'PATCH', url: `${base}/versions/2`, payload: { name: 'baseline' } })).statusCode).toBe(200);
    });

    it('keeps every version readable as it was, whatever happens later', async () => {
      const v1 = (await add([{ input: 'a' }, { input: 'b' }, { input: 'c' }])).records;
      await patch([{ id: v1[0].id, input: 'A' }]);
      await remove([v1[1].id]);
      await add([{ input: 'd' }]);
      expect(await inputsAt(1)).toEqual(['a', 'b', 'c']);
      expect(await inputsAt(2)).toEqual(['A', 'b', 'c']);
      expect(await inputsAt(3)).toEqual(['A', 'c']);
      expect(await inputsAt(4)).toEqual(['A', 'c', 'd']);
      expect(await inputsAt('latest')).toEqual(['A', 'c', 'd']);
      expect(await inputsAt(0)).toEqual([]);
      const record = (await t.call({ method: 'GET', url: `${base}/records/${v1[1].id}?version=2` })).json();
      expect(record.input).toBe('b');
      expect((await t.call({ method: 'GET', url: `${base}/records?version=5` })).statusCode).toBe(404);
    });

    it('reads each version whole, to its last page, whatever ids later records have', async () => {
      await add(Array.from({ length: 150 }, (_, i) => ({ input: i })));
      await add(Array.from({ length: 300 }, (_, i) => ({ input: 1000 + i })));
      await add([{ id: '00000000-0000-4000-8000-000000000001', input: 'lowest id' }]);
      await add([{ id: 'ffffffff-ffff-4fff-bfff-ffffffffffff', input: 'highest id' }]);
      const readWhole = async (version: number) => {
        const inputs: unknown[] = [];
        let cursor: string | null = null;
        do {
          const page: { data: { input: unknown }[]; next_cursor: string | null } = (
            await t.call({ method: 'GET', url: `${base}/records?limit=100&version=${version}${cursor ? `&cursor=${cursor}` : ''}` })
          ).json();
          inputs.push(...page.data.map((r) => r.input));
          cursor = page.next_cursor;
        } while (cursor);
        return inputs;
      };
      expect(await readWhole(1)).toHaveLength(150);
      expect(await readWhole(2)).toHaveLength(450);
      expect(await readWhole(3)).toContain('lowest id');
      expect(await readWhole(3)).toHaveLength(451);
      const latest = await readWhole(4);
      expect(latest).toHaveLength(452);
      expect(latest.at(-1)).toBe('highest id');
      const exported = (await t.call({ method: 'GET', url: `${base}/export?version=1` })).body.trim().split('\n');
      expect(exported).toHaveLength(150);
    });

    it('diffs two versions: added, removed and changed records, with both contents', async () => {
      const v1 = (await add([{ input: 'keep' }, { input: 'change' }, { input: 'remove' }, { input: 'flip' }])).records;
      await patch([
        { id: v1[1].id, input: 'changed' },
        { id: v1[3].id, input: 'flop' },
      ]); // v2
      await remove([v1[2].id]); // v3
      const added = (await add([{ input: 'new' }, { input: 'transient' }])).records; // v4
      await patch([{ id: v1[3].id, input: 'flip' }]); // v5: back to its v1 content
      await remove([added[1].id]); // v6: added and removed after v1

      const diff = (await t.call({ method: 'GET', url: `${base}/diff?from=1&to=6` })).json();
      expect(diff).toMatchObject({ from: 1, to: 6, next_cursor: null });
      const byKind = Object.fromEntries(
        diff.data.map((c: { change: string; before: { input: string } | null; after: { input: string } | null }) => [
          `${c.change}:${c.before?.input ?? ''}>${c.after?.input ?? ''}`,
          true,
        ]),
      );
      expect(byKind).toEqual({ 'changed:change>changed': true, 'removed:remove>': true, 'added:>new': true });

      const reverse = (await t.call({ method: 'GET', url: `${base}/diff?from=6&to=1` })).json();
      expect(reverse.data.map((c: { change: string }) => c.change).sort()).toEqual(['added', 'changed', 'removed']);
      expect((await t.call({ method: 'GET', url: `${base}/diff?from=3&to=3` })).json().data).toEqual([]);
      const latest = (await t.call({ method: 'GET', url: `${base}/diff?from=5` })).json();
      expect(latest).toMatchObject({ from: 5, to: 6 });
      expect(latest.data).toHaveLength(1);
    });

    it('pages through a large diff', async () => {
      await add(Array.from({ length: 120 }, (_, i) => ({ input: i })));
      await add(Array.from({ length: 130 }, (_, i) => ({ input: 1000 + i })));
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { record_id: string; change: string }[]; next_cursor: string | null } = (
          await t.call({ method: 'GET', url: `${base}/diff?from=1&to=2&limit=50${cursor ? `&cursor=${cursor}` : ''}` })
        ).json();
        expect(page.data.every((c) => c.change === 'added')).toBe(true);
        ids.push(...page.data.map((c) => c.record_id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(new Set(ids).size).toBe(130);
    });
  });
}
