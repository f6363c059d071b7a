import { Humanloop, HumanloopClient, HumanloopError } from 'humanloop-v5';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { useHumanloopServer } from './helpers.js';

/**
 * Humanloop's own v5 SDK (humanloop@0.8.20, the version the spec recorded) against a real server on
 * 127.0.0.1, used as a user would with only the base URL changed.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: humanloop@0.8.20 (v5) against the Humanloop surface`, () => {
    const t = useHumanloopServer(dialect);
    let client: HumanloopClient;

    beforeAll(async () => {
      client = new HumanloopClient({ apiKey: t.adminKey, baseUrl: `${t.url}/humanloop/v5` });
    });

    const capital = (country: string, city: string) => ({ inputs: { question: `Capital of ${country}?` }, target: { answer: city } });
    const chat = {
      messages: [
        { role: 'user' as const, content: 'Weather in Paris?' },
        {
          role: 'assistant' as const,
          content: '',
          toolCalls: [{ id: 'call_1', type: 'function' as const, function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool' as const, content: 'sunny', toolCallId: 'call_1' },
      ],
      target: { answer: 'It is sunny' },
    };

    it('upserts with set, add and remove, committing one version each, and reads every version back', async () => {
      const v1 = await client.datasets.upsert({
        path: 'recording/capitals',
        datapoints: [capital('France', 'Paris'), chat],
        action: 'set',
        versionName: 'v1',
        versionDescription: 'first',
      });
      expect(v1).toMatchObject({
        path: 'recording/capitals',
        name: 'capitals',
        type: 'dataset',
        datapointsCount: 2,
        versionName: 'v1',
        versionDescription: 'first',
      });
      expect(v1.id).toMatch(/^ds_[0-9A-Za-z]+$/);
      expect(v1.versionId).toMatch(/^dsv_[0-9A-Za-z]+$/);

      // A datapoint already there is not added twice; a distinct `_dedupe_id` makes it a new one.
      const v2 = await client.datasets.upsert({
        path: 'recording/capitals',
        datapoints: [
          capital('France', 'Paris'),
          capital('Peru', 'Lima'),
          { inputs: { question: 'Capital of France?', _dedupe_id: 'again' }, target: { answer: 'Paris' } },
        ],
        action: 'add',
        versionId: v1.versionId,
        includeDatapoints: true,
      });
      expect(v2.datapointsCount).toBe(4);
      expect(v2.versionId).not.toBe(v1.versionId);
      expect(v2.versionDescription).toBe('Added 2 records');
      expect(v2.datapoints?.map((datapoint) => datapoint.inputs?.question ?? null)).toEqual([
        'Capital of France?',
        null,
        'Capital of Peru?',
        'Capital of France?',
      ]);
      const chatPoint = v2.datapoints!.find((datapoint) => datapoint.messages)!;
      expect(chatPoint).toEqual({ id: expect.stringMatching(/^dp_/), messages: chat.messages, target: chat.target });
      expect(chatPoint.inputs).toBeUndefined();

      // A version name is unique in its dataset.
      const taken = client.datasets.upsert({ path: 'recording/capitals', datapoints: [capital('Chile', 'Santiago')], action: 'add', versionName: 'v1' });
      await expect(taken).rejects.toBeInstanceOf(HumanloopError);
      await expect(taken).rejects.toMatchObject({ statusCode: 409 });

      // An upsert that changes nothing commits no version (the SDK's own path resolution does this).
      const same = await client.datasets.upsert({ path: 'recording/capitals', datapoints: [], action: 'add' });
      expect(same.versionId).toBe(v2.versionId);
      const again = await client.datasets.upsert({ path: 'recording/capitals', datapoints: [capital('Peru', 'Lima')], action: 'add' });
      expect(again.versionId).toBe(v2.versionId);

      const v3 = await client.datasets.upsert({
        id: v1.id,
        datapoints: [capital('Peru', 'Lima')],
        action: 'remove',
        versionName: 'without-peru',
        versionId: v2.versionId,
      });
      expect(v3).toMatchObject({ datapointsCount: 3, versionName: 'without-peru', versionDescription: 'Removed 1 record' });

      // Set: exactly these datapoints; the ones kept keep their ids.
      const v4 = await client.datasets.upsert({
        id: v1.id,
        datapoints: [capital('France', 'Paris'), capital('Japan', 'Tokyo'), capital('Japan', 'Tokyo')],
        includeDatapoints: true,
      });
      expect(v4.datapointsCount).toBe(2);
      expect(v4.versionDescription).toBe('Added 1 record and removed 2 records');
      const paris = v2.datapoints!.find((datapoint) => datapoint.inputs?.question === 'Capital of France?' && !datapoint.inputs._dedupe_id)!;
      expect(v4.datapoints!.map((datapoint) => datapoint.id)).toContain(paris.id);

      const versions = await client.datasets.listVersions(v1.id, { includeDatapoints: 'latest_saved' });
      expect(versions.records.map((version) => [version.versionName ?? null, version.datapointsCount, version.datapoints?.length ?? null])).toEqual([
        [null, 2, 2],
        ['without-peru', 3, null],
        [null, 4, null],
        ['v1', 2, null],
      ]);

      // Any version reads back as it was committed.
      const first = await client.datasets.get(v1.id, { versionId: v1.versionId, includeDatapoints: true });
      expect(first.datapoints?.map(({ id: _id, ...datapoint }) => datapoint)).toEqual([capital('France', 'Paris'), chat]);
      const latest = await client.datasets.get(v1.id);
      expect(latest.versionId).toBe(v4.versionId);
      expect(latest.datapoints).toBeUndefined();
    });

    it('refuses as Humanloop does: 422 naming the field, 409 for a stale base version, the dataset unchanged', async () => {
      const dataset = await client.datasets.upsert({ path: 'refused', datapoints: [capital('France', 'Paris')] });
      const nowhere = client.datasets.upsert({ datapoints: [] });
      await expect(nowhere).rejects.toBeInstanceOf(Humanloop.UnprocessableEntityError);
      await expect(nowhere).rejects.toMatchObject({
        statusCode: 422,
        body: { detail: [{ loc: ['body'], msg: 'one of `path` or `id` is required', type: 'value_error' }] },
      });
      // The SDK refuses non-string inputs before sending; the server refuses them from anyone else.
      const raw = await t.humanloop({
        method: 'POST',
        path: '/v5/datasets',
        body: { id: dataset.id, datapoints: [{ inputs: { question: 42 } }], action: 'add' },
      });
      expect(raw).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'datapoints', 0, 'inputs', 'question'], msg: 'str type expected', type: 'type_error.str' }] },
      });

      const moved = await client.datasets.upsert({ id: dataset.id, datapoints: [capital('Peru', 'Lima')], action: 'add' });
      const stale = client.datasets.upsert({ id: dataset.id, datapoints: [capital('Chile', 'Santiago')], action: 'add', versionId: dataset.versionId });
      await expect(stale).rejects.toMatchObject({ statusCode: 409 });
      const deployed = client.datasets.get(dataset.id, { environment: 'production' });
      await expect(deployed).rejects.toMatchObject({ statusCode: 422, body: { detail: [expect.objectContaining({ loc: ['query', 'environment'] })] } });
      const other = await client.datasets.upsert({ path: 'refused-other', datapoints: [] });
      await expect(client.datasets.get(dataset.id, { versionId: other.versionId })).rejects.toMatchObject({ statusCode: 404 });
      await expect(client.datasets.get('ds_doesnotexist')).rejects.toMatchObject({ statusCode: 404 });
      expect((await client.datasets.get(dataset.id)).versionId).toBe(moved.versionId);
    });

    it('lists datapoints of a version and iterates lists to their end, page by page', async () => {
      const points = Array.from({ length: 5 }, (_, index) => capital(`Country ${index}`, `City ${index}`));
      const dataset = await client.datasets.upsert({ path: 'paged', datapoints: points });
      const seen: string[] = [];
      const page = await client.datasets.listDatapoints(dataset.id, { versionId: dataset.versionId, size: 2 });
      for await (const datapoint of page) seen.push(datapoint.inputs!.question!);
      expect(seen).toEqual(points.map((point) => point.inputs.question));

      const firstPage = await t.humanloop({ method: 'GET', path: `/v5/datasets/${dataset.id}/datapoints?size=2` });
      expect(firstPage.body).toMatchObject({ page: 1, size: 2, total: 5 });
      expect((await t.humanloop({ method: 'GET', path: `/v5/datasets/${dataset.id}/datapoints?size=2&page=4` })).body).toEqual({
        records: [],
        page: 4,
        size: 2,
        total: 5,
      });

      await client.datasets.upsert({ path: 'paged-2', datapoints: [] });
      const names: string[] = [];
      for await (const found of await client.datasets.list({ size: 1, name: 'PAGED' })) names.push(found.path);
      expect(names.sort()).toEqual(['paged', 'paged-2']);
    });

    it('is one dataset for the native API: same versions, same records', async () => {
      const dataset = await client.datasets.upsert({ path: 'shared', datapoints: [capital('Spain', 'Madrid')], versionName: 'first' });
      const [found] = (await t.call({ method: 'GET', url: '/api/v1/datasets?name=shared' })).json().data;
      expect(found).toMatchObject({ name: 'shared', latest_version: 1, record_count: 1 });
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${found.id}/versions/first` })).json()).toMatchObject({ version: 1, name: 'first' });
      const records = (await t.call({ method: 'GET', url: `/api/v1/datasets/${found.id}/records` })).json().data;
      expect(records).toEqual([
        expect.objectContaining({
          input: { inputs: { question: 'Capital of Spain?' } },
          expected_output: { answer: 'Madrid' },
          metadata: {},
          tags: [],
          source: null,
        }),
      ]);

      await t.call({
        method: 'POST',
        url: `/api/v1/datasets/${found.id}/records`,
        payload: { records: [{ input: { question: 'Capital of Italy?' }, expected_output: 'Rome' }] },
      });
      const read = await client.datasets.get(dataset.id, { includeDatapoints: true });
      expect(read.datapoints?.map(({ id: _id, ...datapoint }) => datapoint)).toEqual([
        capital('Spain', 'Madrid'),
        { inputs: { question: 'Capital of Italy?' }, target: { output: 'Rome' } },
      ]);

      await client.datasets.delete(dataset.id);
      await expect(client.datasets.get(dataset.id)).rejects.toMatchObject({ statusCode: 404 });
      expect((await t.call({ method: 'GET', url: `/api/v1/datasets/${found.id}` })).statusCode).toBe(404);
    });

    it("records prompt logs as runs of the prompt's log stream", async () => {
      const log = await client.prompts.log({
        path: 'persona',
        prompt: { model: 'gpt-4', template: [{ role: 'system', content: 'You are {{person}}.' }] },
        messages: [{ role: 'user', content: 'What happened at Roswell?' }],
        inputs: { person: 'a historian' },
        outputMessage: { role: 'assistant', content: 'A weather balloon.' },
        providerLatency: 1.5,
        promptTokens: 10,
        outputTokens: 4,
        promptCost: 0.00001,
        outputCost: 0.0002,
        finishReason: 'stop',
      });
      expect(log.id).toMatch(/^data_/);
      expect(log.promptId).toMatch(/^pr_/);
      const streams = (await t.call({ method: 'GET', url: '/api/v1/experiments?kind=log_stream&name=persona' })).json().data;
      expect(streams).toEqual([expect.objectContaining({ name: 'persona', source: 'humanloop', dataset_id: null })]);
      const [run] = (await t.call({ method: 'GET', url: `/api/v1/experiments/${streams[0].id}/runs` })).json().data;
      expect(run).toMatchObject({
        name: 'persona',
        input: { inputs: { person: 'a historian' }, messages: [{ role: 'user', content: 'What happened at Roswell?' }] },
        output: 'A weather balloon.',
        latency_ms: 1500,
        prompt_tokens: 10,
        completion_tokens: 4,
        total_cost: '0.00021',
        finish_reason: 'stop',
        output_message: { role: 'assistant', content: 'A weather balloon.' },
      });
    });
  });
}
