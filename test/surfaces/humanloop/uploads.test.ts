import { type Humanloop, HumanloopClient } from 'humanloop-v5';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/databases.js';
import { useHumanloopServer } from './helpers.js';

/**
 * `datasets.uploadCsv` (humanloop@0.8.20, `POST /v5/datasets/{id}/datapoints/csv`) through the real
 * SDK: the CSV's rows become one new version, named and described by the fields the SDK sends after
 * the file; a bad line, a bad cell or a bad request leaves the dataset exactly at its version.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: Humanloop CSV datapoints (uploadCsv)`, () => {
    const t = useHumanloopServer(dialect);
    let client: HumanloopClient;
    let dataset: Humanloop.DatasetResponse;
    let datasetUuid: string;

    beforeAll(async () => {
      client = new HumanloopClient({ apiKey: t.adminKey, baseUrl: `${t.url}/humanloop/v5` });
      dataset = await client.datasets.upsert({
        path: 'csv/capitals',
        datapoints: [{ inputs: { question: 'Capital of France?', context: 'Europe' }, target: { answer: 'Paris' } }],
        versionName: 'seed',
      });
      datasetUuid = (await t.call({ method: 'GET', url: '/api/v1/datasets?name=csv%2Fcapitals' })).json().data[0].id;
    });

    /** The dataset as the native API sees it: nothing may change after a refusal. */
    const snapshot = async () => {
      const native = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}` })).json();
      const records = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}/records` })).json().data;
      const versions = (await t.call({ method: 'GET', url: `/api/v1/datasets/${datasetUuid}/versions` })).json().data;
      return { version: native.latest_version, records, versions };
    };
    const csv = (text: string) => new Blob([text], { type: 'text/csv' });
    /** The SDK's error: its status and the body the server answered. */
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => {
          throw new Error('the upload was not refused');
        },
        (error: { statusCode: number; body: unknown }) => ({ status: error.statusCode, body: error.body }),
      );

    it('adds the rows as one new version, named and described, with inputs as text and target and messages as JSON', async () => {
      const before = await snapshot();
      const file = [
        'question,context,target,messages',
        // The same datapoint as the seed's: Humanloop adds no datapoint twice.
        '"Capital of France?",Europe,"{""answer"": ""Paris""}",',
        '"Capital of Italy?",42,"{""answer"": ""Rome"", ""aliases"": [""Roma""]}",',
        '"Capital of Japan?","multi',
        'line, with a comma",,"[{""role"": ""user"", ""content"": ""Where is Tokyo?""}]"',
        '"Capital of Spain?",,"{""answer"": ""Madrid""}",',
      ].join('\r\n');
      const uploaded = await client.datasets.uploadCsv(csv(file), dataset.id, {
        versionId: dataset.versionId,
        versionName: 'from-csv',
        versionDescription: 'three capitals from a spreadsheet',
      });
      expect(uploaded).toMatchObject({ id: dataset.id, datapointsCount: 4, versionName: 'from-csv', versionDescription: 'three capitals from a spreadsheet' });
      expect(uploaded.versionId).not.toBe(dataset.versionId);

      const after = await snapshot();
      expect(after.version).toBe(before.version + 1);
      expect(after.versions[0]).toMatchObject({ version: after.version, name: 'from-csv', records_added: 3, record_count: 4 });
      const read = await client.datasets.get(dataset.id, { versionId: uploaded.versionId, includeDatapoints: true });
      const byQuestion = new Map(read.datapoints!.map((datapoint) => [datapoint.inputs?.question, datapoint]));
      expect(byQuestion.get('Capital of Italy?')).toMatchObject({
        inputs: { question: 'Capital of Italy?', context: '42' },
        target: { answer: 'Rome', aliases: ['Roma'] },
      });
      expect(byQuestion.get('Capital of Japan?')).toMatchObject({
        inputs: { question: 'Capital of Japan?', context: 'multi\r\nline, with a comma' },
        messages: [{ role: 'user', content: 'Where is Tokyo?' }],
      });
      expect(byQuestion.get('Capital of Japan?')?.target).toBeUndefined();
      expect(byQuestion.get('Capital of Spain?')).toMatchObject({ inputs: { question: 'Capital of Spain?', context: '' }, target: { answer: 'Madrid' } });
      // The seed's datapoint stays, once, with its id.
      const seeded = await client.datasets.get(dataset.id, { versionId: dataset.versionId, includeDatapoints: true });
      expect(byQuestion.get('Capital of France?')?.id).toBe(seeded.datapoints![0]!.id);
      dataset = uploaded;
    });

    it('refuses a malformed line, leaving the dataset exactly at its previous version', async () => {
      const before = await snapshot();
      const file = ['question,target', 'fine,"{""answer"": ""yes""}"', 'also fine,', 'broken "quote,', 'never read,'].join('\n');
      const refused = await refusal(client.datasets.uploadCsv(csv(file), dataset.id, { versionName: 'never' }));
      expect(refused.status).toBe(422);
      expect(refused.body).toEqual({
        detail: [{ loc: ['body', 'file', 4], msg: expect.stringMatching(/^line 4: has a quote inside an unquoted cell/), type: 'value_error' }],
      });
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a target or messages cell that is not JSON of its shape, naming the line and the column', async () => {
      const before = await snapshot();
      const cases: [string, (string | number)[], RegExp][] = [
        ['question,target\nok,"{""a"": 1}"\nbad,{not json}', ['body', 'file', 3, 'target'], /^line 3: is not valid JSON$/],
        ['question,target\nbad,"[1, 2]"', ['body', 'file', 2, 'target'], /^line 2: value is not a valid dict$/],
        ['question,messages\nbad,"[{""role"": ""robot"", ""content"": ""beep""}]"', ['body', 'file', 2, 'messages'], /^line 2: \/0\/role must be one of/],
        ['question,target\nshort', ['body', 'file', 2], /^line 2: has 1 cells; the header has 2 columns$/],
      ];
      for (const [file, loc, msg] of cases) {
        const refused = await refusal(client.datasets.uploadCsv(csv(file), dataset.id, {}));
        expect(refused.status, file).toBe(422);
        expect(refused.body, file).toEqual({ detail: [{ loc, msg: expect.stringMatching(msg), type: expect.any(String) }] });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a request without a file, with an unknown field, an environment, a stale version or a taken name, writing nothing', async () => {
      const before = await snapshot();
      const send = async (form: FormData, query = '') => {
        const response = await fetch(`${t.url}/humanloop/v5/datasets/${dataset.id}/datapoints/csv${query}`, {
          method: 'POST',
          headers: { 'x-api-key': t.adminKey },
          body: form,
        });
        return { status: response.status, body: await response.json() };
      };
      const noFile = new FormData();
      noFile.append('version_name', 'nothing');
      expect(await send(noFile)).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'file'], msg: 'is required: send the file as a multipart part named "file"', type: 'value_error' }] },
      });
      const extra = new FormData();
      extra.append('file', csv('question\nq'), 'rows.csv');
      extra.append('dedupe', 'true');
      expect(await send(extra)).toEqual({
        status: 422,
        body: { detail: [{ loc: ['body', 'dedupe'], msg: 'extra fields not permitted', type: 'value_error.extra' }] },
      });

      const json = await fetch(`${t.url}/humanloop/v5/datasets/${dataset.id}/datapoints/csv`, {
        method: 'POST',
        headers: { 'x-api-key': t.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ file: 'question\nq' }),
      });
      expect({ status: json.status, body: await json.json() }).toEqual({ status: 415, body: { detail: 'The body must be multipart/form-data' } });

      const environment = await refusal(client.datasets.uploadCsv(csv('question\nq'), dataset.id, { environment: 'production' }));
      expect(environment).toMatchObject({ status: 422, body: { detail: [{ loc: ['query', 'environment'] }] } });
      const seed = (await client.datasets.listVersions(dataset.id)).records.find((version) => version.versionName === 'seed')!;
      const stale = await refusal(client.datasets.uploadCsv(csv('question\nq'), dataset.id, { versionId: seed.versionId }));
      expect(stale).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/made against version 1, but the dataset is at version 2/) } });
      const taken = await refusal(client.datasets.uploadCsv(csv('question\nq'), dataset.id, { versionName: 'seed' }));
      expect(taken.status).toBe(409);
      const notCsv = await refusal(client.datasets.uploadCsv(csv(''), dataset.id, {}));
      expect(notCsv).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'file', 1] }] } });
      expect(await snapshot()).toEqual(before);
    });

    it("answers 404 for an unknown dataset and for another workspace's, writing nothing", async () => {
      const before = await snapshot();
      const unknown = await refusal(client.datasets.uploadCsv(csv('question\nq'), 'ds_0000000000000000000000', {}));
      expect(unknown).toEqual({ status: 404, body: { detail: 'Dataset "ds_0000000000000000000000" not found' } });
      expect((await refusal(client.datasets.uploadCsv(csv('question\nq'), 'not-an-id', {}))).status).toBe(404);
      const other = await t.services.workspaces.create(`other-${Math.random()}`);
      const theirs = new HumanloopClient({ apiKey: other.admin.key, baseUrl: `${t.url}/humanloop/v5` });
      const foreign = await refusal(theirs.datasets.uploadCsv(csv('question\nq'), dataset.id, {}));
      expect(foreign).toEqual({ status: 404, body: { detail: `Dataset "${dataset.id}" not found` } });
      expect(await snapshot()).toEqual(before);
    });
  });
}
