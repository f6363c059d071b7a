import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { countRows } from '../../../support/rows.js';

const UPLOAD = '/langsmith/api/v1/datasets/upload-experiment';

/**
 * The example request of LangSmith's documentation ("How to upload experiments run outside of
 * LangSmith with the REST API", https://docs.langchain.com/langsmith/upload-existing-experiments),
 * as printed there, with its `<<uuid>>` placeholders filled in.
 */
function documentedExample(rowIds: [string, string]) {
  return {
    experiment_name: 'My external experiment',
    experiment_description: 'An experiment uploaded to LangSmith',
    dataset_name: 'my-external-dataset',
    summary_experiment_scores: [
      {
        key: 'summary_accuracy',
        score: 0.9,
        comment: 'Great job!',
      },
    ],
    results: [
      {
        row_id: rowIds[0],
        inputs: {
          input: 'Hello, what is the weather in San Francisco today?',
        },
        expected_outputs: {
          output: 'Sorry, I am unable to provide information about the current weather.',
        },
        actual_outputs: {
          output: 'The weather is partly cloudy with a high of 65.',
        },
        evaluation_scores: [
          {
            key: 'hallucination',
            score: 1,
            comment: "The chatbot made up the weather instead of identifying that they don't have enough info to answer the question. This is a hallucination.",
          },
        ],
        start_time: '2024-08-03T00:12:39',
        end_time: '2024-08-03T00:12:41',
        run_name: 'Chatbot',
      },
      {
        row_id: rowIds[1],
        inputs: {
          input: 'Hello, what is the square root of 49?',
        },
        expected_outputs: {
          output: 'The square root of 49 is 7.',
        },
        actual_outputs: {
          output: '7.',
        },
        evaluation_scores: [
          {
            key: 'hallucination',
            score: 0,
            comment: 'The chatbot correctly identified the answer. This is not a hallucination.',
          },
        ],
        start_time: '2024-08-03T00:12:40',
        end_time: '2024-08-03T00:12:42',
        run_name: 'Chatbot',
      },
    ],
    experiment_start_time: '2024-08-03T00:12:38',
    experiment_end_time: '2024-08-03T00:12:43',
  };
}

type Row = Record<string, unknown>;

/** A small valid upload: rows within the window, each with its row id. */
function upload(overrides: Record<string, unknown> = {}, rows: Row[] = [{}, {}]) {
  return {
    experiment_name: `exp-${randomUUID()}`,
    experiment_start_time: '2026-01-01T00:00:00Z',
    experiment_end_time: '2026-01-01T01:00:00Z',
    dataset_name: `ds-${randomUUID()}`,
    results: rows.map((row, index) => ({
      row_id: randomUUID(),
      inputs: { question: `q${index}` },
      expected_outputs: { answer: `a${index}` },
      actual_outputs: { answer: `out${index}` },
      start_time: '2026-01-01T00:10:00Z',
      end_time: '2026-01-01T00:10:01.500Z',
      ...row,
    })),
    ...overrides,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: LangSmith upload-experiment`, () => {
    const t = useTestApp(dialect);

    /** A LangSmith request: the key in `x-api-key`, as the SDK and the documentation send it. */
    const post = (payload: unknown, options: Partial<InjectOptions> & { key?: string | null } = {}) => {
      const { key, headers, ...rest } = options;
      return t.app.inject({
        method: 'POST',
        url: UPLOAD,
        payload: payload as InjectOptions['payload'],
        ...rest,
        headers: { ...(key === null ? {} : { 'x-api-key': key ?? t.adminKey }), ...headers },
      });
    };
    const native = async (url: string) => {
      const response = await t.call({ method: 'GET', url: `/api/v1${url}` });
      expect(response.statusCode, url).toBe(200);
      return response.json();
    };
    const counts = async () => {
      const db = t.testStore.store.db;
      const tables = ['datasets', 'dataset_versions', 'record_revisions', 'experiments', 'runs', 'scores'] as const;
      const entries = await Promise.all(tables.map(async (table) => [table, countRows(db, table)] as const));
      return Object.fromEntries(entries);
    };

    it("answers the example request of LangSmith's documentation, and the native API reads back what it made", async () => {
      const rowIds: [string, string] = [randomUUID(), randomUUID()];
      const response = await post(documentedExample(rowIds));
      expect(response.statusCode).toBe(200);
      const { dataset, experiment } = response.json();
      expect(dataset).toMatchObject({
        name: 'my-external-dataset',
        description: null,
        data_type: 'kv',
        inputs_schema_definition: null,
        outputs_schema_definition: null,
        externally_managed: true,
        tenant_id: t.workspaceId,
        example_count: 2,
        session_count: 1,
        last_session_start_time: '2024-08-03T00:12:38+00:00',
      });
      expect(dataset.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      expect(experiment).toMatchObject({
        start_time: '2024-08-03T00:12:38+00:00',
        end_time: '2024-08-03T00:12:43+00:00',
        extra: null,
        name: 'My external experiment',
        description: 'An experiment uploaded to LangSmith',
        default_dataset_id: null,
        reference_dataset_id: dataset.id,
        trace_tier: 'longlived',
        tenant_id: t.workspaceId,
        run_count: null,
        feedback_stats: null,
        test_run_number: 1,
      });

      const stored = await native(`/datasets/${dataset.id}`);
      expect(stored).toMatchObject({ name: 'my-external-dataset', managed_by: 'external', latest_version: 1, record_count: 2 });
      const records = (await native(`/datasets/${dataset.id}/records`)).data;
      expect(records.map((r: { id: string }) => r.id).sort()).toEqual([...rowIds].sort());
      const recordOf = (id: string) => records.find((r: { id: string }) => r.id === id);
      expect(recordOf(rowIds[0])).toMatchObject({
        input: { input: 'Hello, what is the weather in San Francisco today?' },
        expected_output: { output: 'Sorry, I am unable to provide information about the current weather.' },
      });
      expect(recordOf(rowIds[1])).toMatchObject({
        input: { input: 'Hello, what is the square root of 49?' },
        expected_output: { output: 'The square root of 49 is 7.' },
      });

      expect(await native(`/experiments/${experiment.id}`)).toMatchObject({
        dataset_id: dataset.id,
        dataset_version: 1,
        name: 'My external experiment',
        description: 'An experiment uploaded to LangSmith',
        source: 'langsmith',
        start_time: '2024-08-03T00:12:38.000Z',
        end_time: '2024-08-03T00:12:43.000Z',
      });
      const runs = (await native(`/experiments/${experiment.id}/runs`)).data;
      expect(runs).toHaveLength(2);
      const runOf = (rowId: string) => runs.find((run: { record_id: string }) => run.record_id === rowId);
      expect(runOf(rowIds[0])).toMatchObject({
        name: 'Chatbot',
        run_type: 'chain',
        status: 'success',
        repetition: 1,
        input: { input: 'Hello, what is the weather in San Francisco today?' },
        output: { output: 'The weather is partly cloudy with a high of 65.' },
        error: null,
        start_time: '2024-08-03T00:12:39.000Z',
        end_time: '2024-08-03T00:12:41.000Z',
        latency_ms: 2000,
        total_tokens: null,
        total_cost: null,
      });
      expect(runOf(rowIds[1])).toMatchObject({ output: { output: '7.' }, latency_ms: 2000 });

      const runScores = (await native(`/experiments/${experiment.id}/scores?level=run`)).data;
      expect(runScores.map((s: { run_id: string; key: string; score: number }) => [s.run_id, s.key, s.score]).sort()).toEqual(
        [
          [runOf(rowIds[0]).id, 'hallucination', 1],
          [runOf(rowIds[1]).id, 'hallucination', 0],
        ].sort(),
      );
      expect(runScores.find((s: { score: number }) => s.score === 0)).toMatchObject({
        comment: 'The chatbot correctly identified the answer. This is not a hallucination.',
        source: 'api',
      });
      const summary = (await native(`/experiments/${experiment.id}/scores?level=experiment`)).data;
      expect(summary).toMatchObject([{ key: 'summary_accuracy', score: 0.9, comment: 'Great job!', run_id: null, source: 'api' }]);
    });

    it('serves the route under /langsmith too, and takes the key as Authorization: Bearer', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/langsmith/datasets/upload-experiment',
        payload: upload(),
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().experiment.test_run_number).toBe(1);
    });

    it('makes the dataset with the id given and a generated name, or with the name given and a new id', async () => {
      const datasetId = randomUUID();
      const byId = await post(upload({ dataset_name: null, dataset_id: datasetId, dataset_description: 'from our warehouse' }));
      expect(byId.statusCode).toBe(200);
      expect(byId.json().dataset).toMatchObject({ id: datasetId, name: `external-dataset-${datasetId}`, description: 'from our warehouse' });

      const byName = await post(upload({ dataset_name: 'named-upload' }));
      expect(byName.statusCode).toBe(200);
      expect(byName.json().dataset).toMatchObject({ name: 'named-upload', externally_managed: true });

      // Both given for a new dataset: it takes both.
      const bothId = randomUUID();
      const both = await post(upload({ dataset_id: bothId, dataset_name: 'both-given' }));
      expect(both.json().dataset).toMatchObject({ id: bothId, name: 'both-given' });
    });

    it('accumulates uploads on one dataset; rows with the same row_id are the same records, so the experiments line up', async () => {
      const first = upload({}, [{}, {}]);
      const a = (await post(first)).json();
      const rows = first.results as Row[];
      const second = { ...first, experiment_name: 'second run', results: rows.map((row) => ({ ...row, actual_outputs: { answer: 'other' } })) };
      const bResponse = await post(second);
      expect(bResponse.statusCode).toBe(200);
      const b = bResponse.json();
      expect(b.dataset.id).toBe(a.dataset.id);
      expect(b.dataset).toMatchObject({ example_count: 2, session_count: 2 });
      expect(b.experiment.test_run_number).toBe(2);

      const experiments = (await native(`/experiments?dataset_id=${a.dataset.id}`)).data;
      expect(experiments).toHaveLength(2);
      // Nothing about the records changed, so no version was committed: both ran on version 1.
      expect(experiments.map((e: { dataset_version: number }) => e.dataset_version)).toEqual([1, 1]);
      const recordsOf = async (experimentId: string) =>
        (await native(`/experiments/${experimentId}/runs`)).data.map((run: { record_id: string }) => run.record_id).sort();
      expect(await recordsOf(b.experiment.id)).toEqual(await recordsOf(a.experiment.id));
      expect(await recordsOf(a.experiment.id)).toEqual(rows.map((row) => row.row_id).sort());

      // By dataset_id now: a changed expected output updates its record in a new version, a new row adds one.
      const changed = upload({ dataset_name: null, dataset_id: a.dataset.id }, [
        { row_id: rows[0]!.row_id, inputs: rows[0]!.inputs, expected_outputs: { answer: 'corrected' } },
        { inputs: { question: 'new' } },
      ]);
      const c = (await post(changed)).json();
      expect(c.dataset).toMatchObject({ id: a.dataset.id, example_count: 3, session_count: 3 });
      const version = await native(`/datasets/${a.dataset.id}/versions/2`);
      expect(version).toMatchObject({ records_added: 1, records_updated: 1, records_removed: 0, record_count: 3 });
      expect(version.message).toContain(changed.experiment_name);
      expect((await native(`/experiments/${c.experiment.id}`)).dataset_version).toBe(2);
      // The earlier experiments still read the records as they ran on them.
      const rowId = rows[0]!.row_id as string;
      expect((await native(`/datasets/${a.dataset.id}/records/${rowId}?version=1`)).expected_output).toEqual({ answer: 'a0' });
      expect((await native(`/datasets/${a.dataset.id}/records/${rowId}`)).expected_output).toEqual({ answer: 'corrected' });
    });

    it('lets concurrent first uploads to one new dataset all land on it', async () => {
      const datasetName = `raced-${randomUUID()}`;
      const datasetId = randomUUID();
      const rows: Row[] = [{ row_id: randomUUID() }, { row_id: randomUUID() }];
      const responses = await Promise.all([
        ...Array.from({ length: 3 }, () => post(upload({ dataset_name: datasetName }, rows))),
        ...Array.from({ length: 3 }, () => post(upload({ dataset_name: null, dataset_id: datasetId }, rows))),
      ]);
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      const byName = new Set(responses.slice(0, 3).map((r) => r.json().dataset.id));
      expect(byName.size).toBe(1);
      expect(new Set(responses.slice(3).map((r) => r.json().dataset.id))).toEqual(new Set([datasetId]));
      const dataset = await native(`/datasets/${[...byName][0]}`);
      expect(dataset).toMatchObject({ latest_version: 1, record_count: 2 });
      expect((await native(`/experiments?dataset_id=${dataset.id}`)).data).toHaveLength(3);
    });

    it('takes rows naming the same record as repetitions, and rows without a row_id as new records', async () => {
      const rowId = randomUUID();
      const same = { row_id: rowId, inputs: { question: 'twice' }, expected_outputs: { answer: 'once' } };
      const response = await post(upload({}, [same, { ...same, actual_outputs: { answer: 'again' } }, { row_id: null }, { row_id: undefined }]));
      expect(response.statusCode).toBe(200);
      const { dataset, experiment } = response.json();
      expect(dataset.example_count).toBe(3);
      const runs = (await native(`/experiments/${experiment.id}/runs`)).data;
      expect(
        runs
          .filter((run: { record_id: string }) => run.record_id === rowId)
          .map((run: { repetition: number }) => run.repetition)
          .sort(),
      ).toEqual([1, 2]);
    });

    it('reads times as LangSmith does: zoneless ISO times are UTC, numbers are Unix seconds or milliseconds', async () => {
      const response = await post(
        upload({ experiment_start_time: 1_767_225_600, experiment_end_time: '2026-01-01T01:00:00' }, [
          { start_time: 1_767_226_200_000, end_time: '2026-01-01T02:10:01+02:00' },
        ]),
      );
      expect(response.statusCode).toBe(200);
      const { experiment } = response.json();
      expect(experiment).toMatchObject({ start_time: '2026-01-01T00:00:00+00:00', end_time: '2026-01-01T01:00:00+00:00' });
      const [run] = (await native(`/experiments/${experiment.id}/runs`)).data;
      expect(run).toMatchObject({ start_time: '2026-01-01T00:10:00.000Z', end_time: '2026-01-01T00:10:01.000Z', latency_ms: 1000 });
    });

    it('keeps the feedback fields evalstore has no column for, and maps feedback sources', async () => {
      const feedbackId = randomUUID();
      const feedback = {
        id: feedbackId,
        key: 'tone',
        value: 'polite',
        correction: { answer: 'better' },
        feedback_source: { type: 'app', metadata: { reviewer: 'ana' } },
        feedback_config: { type: 'categorical', categories: [{ value: 1, label: 'polite' }] },
      };
      const response = await post(
        upload({ experiment_metadata: { model: 'gpt-4o' } }, [{ evaluation_scores: [feedback], run_metadata: { prompt: 'v2' }, error: 'timeout' }]),
      );
      expect(response.statusCode).toBe(200);
      const { experiment } = response.json();
      expect(experiment.extra).toEqual({ metadata: { model: 'gpt-4o' } });
      const [run] = (await native(`/experiments/${experiment.id}/runs`)).data;
      expect(run).toMatchObject({ status: 'error', error: 'timeout', metadata: { prompt: 'v2' } });
      const [score] = (await native(`/experiments/${experiment.id}/scores`)).data;
      expect(score).toMatchObject({
        id: feedbackId,
        run_id: run.id,
        key: 'tone',
        score: null,
        value: 'polite',
        correction: { answer: 'better' },
        source: 'human',
        metadata: { feedback_source: feedback.feedback_source, feedback_config: feedback.feedback_config },
      });
    });

    it('refuses bad input with a 422 naming the field, and writes nothing', async () => {
      const dataset = (await post(upload())).json().dataset;
      const taken = randomUUID();
      await post(upload({}, [{ evaluation_scores: [{ id: taken, key: 'x', score: 1 }] }]));
      const sameRow = randomUUID();
      const cases: [string, unknown, (string | number)[][], string?][] = [
        ['experiment_name missing', upload({ experiment_name: undefined }), [['body', 'experiment_name']], 'missing'],
        ['results missing', upload({ results: undefined }), [['body', 'results']], 'missing'],
        ['start time missing', upload({ experiment_start_time: undefined }), [['body', 'experiment_start_time']], 'missing'],
        ['row inputs missing', upload({}, [{}, { inputs: undefined }]), [['body', 'results', 1, 'inputs']], 'missing'],
        ['row end time missing', upload({}, [{ end_time: undefined }]), [['body', 'results', 0, 'end_time']], 'missing'],
        ['feedback key missing', upload({}, [{ evaluation_scores: [{ score: 1 }] }]), [['body', 'results', 0, 'evaluation_scores', 0, 'key']], 'missing'],
        [
          'dataset id and name both absent',
          upload({ dataset_name: undefined }),
          [
            ['body', 'dataset_id'],
            ['body', 'dataset_name'],
          ],
        ],
        [
          'dataset id and name both null',
          upload({ dataset_name: null, dataset_id: null }),
          [
            ['body', 'dataset_id'],
            ['body', 'dataset_name'],
          ],
        ],
        ['row starting before the experiment', upload({}, [{}, { start_time: '2025-12-31T23:59:59Z' }]), [['body', 'results', 1, 'start_time']]],
        ['row ending after the experiment', upload({}, [{ end_time: '2026-01-01T01:00:00.001Z' }]), [['body', 'results', 0, 'end_time']]],
        [
          'row ending before it starts',
          upload({}, [{ start_time: '2026-01-01T00:20:00Z', end_time: '2026-01-01T00:10:00Z' }]),
          [['body', 'results', 0, 'end_time']],
        ],
        ['experiment ending before it starts', upload({ experiment_end_time: '2025-12-31T00:00:00Z' }), [['body', 'experiment_end_time']]],
        ['experiment name not a string', upload({ experiment_name: 5 }), [['body', 'experiment_name']], 'string_type'],
        ['inputs not an object', upload({}, [{ inputs: 'hello' }]), [['body', 'results', 0, 'inputs']], 'dict_type'],
        ['results not a list', upload({ results: {} }), [['body', 'results']], 'list_type'],
        ['row id not a UUID', upload({}, [{ row_id: 'row-1' }]), [['body', 'results', 0, 'row_id']], 'uuid_parsing'],
        ['dataset id not a UUID', upload({ dataset_id: 'ds-1' }), [['body', 'dataset_id']], 'uuid_parsing'],
        ['start time not a time', upload({ experiment_start_time: 'yesterday' }), [['body', 'experiment_start_time']], 'datetime_parsing'],
        ['score not a number', upload({}, [{ evaluation_scores: [{ key: 'x', score: 'high' }] }]), [['body', 'results', 0, 'evaluation_scores', 0, 'score']]],
        [
          'unknown feedback source',
          upload({ summary_experiment_scores: [{ key: 'x', feedback_source: { type: 'robot' } }] }),
          [['body', 'summary_experiment_scores', 0, 'feedback_source', 'type']],
        ],
        ['misspelt field', upload({}, [{ expected_output: { answer: 'x' } }]), [['body', 'results', 0, 'expected_output']], 'extra_forbidden'],
        [
          'one row id with two contents',
          upload({}, [{ row_id: sameRow }, { row_id: sameRow, inputs: { question: 'other' } }]),
          [['body', 'results', 1, 'inputs']],
        ],
        [
          'one feedback id twice',
          upload({ summary_experiment_scores: [{ id: taken.replace(/^./, 'a'), key: 'x' }] }, [
            { evaluation_scores: [{ id: taken.replace(/^./, 'a'), key: 'y' }] },
          ]),
          [['body', 'results', 0, 'evaluation_scores', 0, 'id']],
        ],
      ];
      const before = await counts();
      for (const [what, payload, locs, type] of cases) {
        const response = await post(payload);
        expect({ what, status: response.statusCode }).toEqual({ what, status: 422 });
        const detail = response.json().detail as { loc: (string | number)[]; msg: string; type: string }[];
        expect({ what, locs: detail.map((item) => item.loc) }).toEqual({ what, locs });
        for (const item of detail) expect(typeof item.msg).toBe('string');
        if (type) expect({ what, type: detail[0]!.type }).toEqual({ what, type });
      }
      const malformed = await post('{"experiment_name": ', { headers: { 'content-type': 'application/json' } });
      expect(malformed.statusCode).toBe(422);
      expect(malformed.json().detail[0].loc).toEqual(['body']);
      expect(await counts()).toEqual(before);
      expect((await native(`/datasets/${dataset.id}`)).record_count).toBe(2);
    });

    it('refuses uploads into datasets it did not make, names and ids taken, and repeated names, writing nothing', async () => {
      const made = (await t.call({ method: 'POST', url: '/api/v1/datasets', payload: { name: `native-${randomUUID()}` } })).json();
      const external = (await post(upload())).json();
      const other = await t.services.workspaces.create(`other-${randomUUID()}`);
      const foreign = await t.services.datasets.create({ workspaceId: other.workspace.id, keyId: null, name: 'test', role: 'admin' }, { name: 'theirs' });
      const usedFeedbackId = randomUUID();
      await post(upload({}, [{ evaluation_scores: [{ id: usedFeedbackId, key: 'x', score: 1 }] }]));

      const before = await counts();
      const cases: [string, unknown, number, RegExp][] = [
        ['a native dataset by name', upload({ dataset_name: made.name }), 409, /not created by LangSmith's upload-experiment/],
        ['a native dataset by id', upload({ dataset_name: null, dataset_id: made.id }), 409, /not created by LangSmith's upload-experiment/],
        ['an empty upload into a native dataset', upload({ dataset_name: made.name }, []), 409, /not created by LangSmith's upload-experiment/],
        ["another dataset's name for a new id", upload({ dataset_id: randomUUID(), dataset_name: external.dataset.name }), 409, /is named/],
        ["another workspace's dataset id", upload({ dataset_name: null, dataset_id: foreign.id }), 404, /not found/],
        [
          'an experiment name taken on the dataset',
          upload({ dataset_name: external.dataset.name, experiment_name: external.experiment.name }),
          409,
          /already exists/,
        ],
        ['a feedback id used before', upload({ summary_experiment_scores: [{ id: usedFeedbackId, key: 'again' }] }), 409, /already exists/],
        ['a run feedback id used before', upload({}, [{ evaluation_scores: [{ id: usedFeedbackId, key: 'again' }] }]), 409, /already exists/],
      ];
      for (const [what, payload, status, detail] of cases) {
        const response = await post(payload);
        expect({ what, status: response.statusCode }).toEqual({ what, status });
        expect(response.json().detail).toMatch(detail);
      }
      expect(await counts()).toEqual(before);
    });

    it('needs a key with write access; FastAPI-style errors for the rest', async () => {
      const before = await counts();
      const none = await post(upload(), { key: null });
      expect(none.statusCode).toBe(401);
      expect(typeof none.json().detail).toBe('string');
      expect((await post(upload(), { key: 'ls__not-a-key' })).statusCode).toBe(401);
      const reader = await t.call({ method: 'POST', url: '/api/v1/keys', payload: { name: `reader-${randomUUID()}`, role: 'read' } });
      const readOnly = await post(upload(), { key: reader.json().key });
      expect(readOnly.statusCode).toBe(403);
      expect(readOnly.json()).toEqual({ detail: expect.any(String) });
      const unknown = await post(upload(), { url: '/langsmith/api/v1/datasets/upload-experiments' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ detail: expect.any(String) });
      expect(await counts()).toEqual(before);
    });

    it('keeps external datasets for uploads: native record changes and experiments are refused, dataset details may change', async () => {
      const { dataset, experiment } = (await post(upload())).json();
      const [record] = (await native(`/datasets/${dataset.id}/records`)).data;
      const before = await counts();
      const attempts: [string, InjectOptions][] = [
        ['add records', { method: 'POST', url: `/api/v1/datasets/${dataset.id}/records`, payload: { records: [{ input: 'x' }] } }],
        ['update a record', { method: 'PATCH', url: `/api/v1/datasets/${dataset.id}/records/${record.id}`, payload: { expected_output: 'x' } }],
        ['delete a record', { method: 'DELETE', url: `/api/v1/datasets/${dataset.id}/records/${record.id}` }],
        ['create an experiment', { method: 'POST', url: '/api/v1/experiments', payload: { name: 'native', dataset_id: dataset.id } }],
      ];
      for (const [what, request] of attempts) {
        const response = await t.call(request);
        expect({ what, status: response.statusCode }).toEqual({ what, status: 409 });
        expect(response.json().detail).toMatch(/managed externally/);
      }
      expect(await counts()).toEqual(before);
      const renamed = await t.call({ method: 'PATCH', url: `/api/v1/datasets/${dataset.id}`, payload: { description: 'kept elsewhere' } });
      expect(renamed.statusCode).toBe(200);
      // What was uploaded reads like any experiment, and later scores may still be added to it.
      const scored = await t.call({
        method: 'POST',
        url: `/api/v1/experiments/${experiment.id}/scores`,
        payload: { scores: [{ key: 'review', score: 1, source: 'human' }] },
      });
      expect(scored.statusCode).toBe(201);
    });
  });
}
