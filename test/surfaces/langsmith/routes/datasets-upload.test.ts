import { expect, it } from 'vitest';
import { describeLangSmithSdk } from '../helpers.js';

const CSV = ['question,context,answer,ignored', '2+2,maths,4,x', '"capital, France",geo,Paris,y', 'sky,"multi', 'line",blue,z', ''].join('\n');

/** `client.uploadCsv` (POST /datasets/upload, routes/datasets.ts) with langsmith 0.12's own client. */
describeLangSmithSdk('LangSmith CSV upload', ({ server, client }) => {
  it('makes a dataset from a CSV with input and output keys; its examples hold the keys named', async () => {
    const c = client();
    const dataset = await c.uploadCsv({
      csvFile: new Blob([CSV]),
      fileName: 'questions.csv',
      inputKeys: ['question', 'context'],
      outputKeys: ['answer'],
      name: 'from-csv',
      description: 'uploaded',
      dataType: 'kv',
    });
    expect(dataset).toMatchObject({ name: 'from-csv', description: 'uploaded', data_type: 'kv', example_count: 3 });
    const examples = [];
    for await (const example of c.listExamples({ datasetId: dataset.id })) examples.push(example);
    expect(examples.map((e) => [e.inputs, e.outputs]).sort((a, b) => String(a[0]?.question).localeCompare(String(b[0]?.question)))).toEqual([
      [{ question: '2+2', context: 'maths' }, { answer: '4' }],
      [{ question: 'capital, France', context: 'geo' }, { answer: 'Paris' }],
      [{ question: 'sky', context: 'multi\nline' }, { answer: 'blue' }],
    ]);
    // Through the native API: one version, made by the upload.
    const versions = await server().services.versions.list({ workspaceId: server().workspaceId } as never, dataset.id, {});
    expect(versions.data).toHaveLength(1);

    // The file name names the dataset when no name is given; no output keys, no expected output.
    const named = await c.uploadCsv({ csvFile: new Blob(['q\nhello\n']), fileName: 'bare.csv', inputKeys: ['q'], outputKeys: [] });
    expect(named).toMatchObject({ name: 'bare.csv', example_count: 1 });
    const listed = [];
    for await (const example of c.listExamples({ datasetId: named.id })) listed.push(example);
    const [only] = listed;
    expect(only).toMatchObject({ inputs: { q: 'hello' } });
  });

  it('refuses, naming the part or the line, and leaves no dataset behind', async () => {
    const c = client();
    const fail = (options: Partial<Parameters<typeof c.uploadCsv>[0]>) =>
      c.uploadCsv({ csvFile: new Blob([CSV]), fileName: 'bad.csv', inputKeys: ['question'], outputKeys: ['answer'], name: 'bad', ...options }).then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    expect(await fail({ inputKeys: ['nope'] })).toMatch(/422.*"nope".*missing from the header/s);
    expect(await fail({ inputKeys: [] })).toMatch(/422.*input_keys/s);
    expect(await fail({ outputKeys: ['question'] })).toMatch(/422.*output_keys.*input key too/s);
    expect(await fail({ dataType: 'chat' })).toMatch(/422.*data_type/s);
    // A row with too few cells, on line 3: nothing is kept.
    expect(await fail({ csvFile: new Blob(['question,answer\na,b\nc\n']) })).toContain(
      '{"loc":["body","file",3],"msg":"line 3: has 1 cells; the header has 2 columns"',
    );
    await expect(c.readDataset({ datasetName: 'bad' })).rejects.toThrow(/not found/i);
    // A taken name: 409, before the file is read.
    await c.createDataset('taken');
    expect(await fail({ name: 'taken' })).toMatch(/409/);
  });
});
