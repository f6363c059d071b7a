import { expect, it } from 'vitest';
import { createTestApp } from '../../../support/app.js';
import { describeLangSmith } from '../helpers.js';

/** `GET /info` (routes/info.ts): what the SDK reads to choose how it talks to the server. */
describeLangSmith('LangSmith /info', ({ app, dialect, ls }) => {
  it('answers /info without a key, under both prefixes', async () => {
    const t = app();
    const info = await ls('GET', '/info', undefined, null);
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ batch_ingest_config: { use_multipart_endpoint: true }, instance_flags: { dataset_examples_multipart_enabled: true } });
    expect((await t.call({ method: 'GET', url: '/langsmith/api/v1/info', key: null })).statusCode).toBe(200);
  });

  it('advertises the run ingestion the server is set to', async () => {
    const batch = await createTestApp(dialect, { langsmithIngestion: 'batch' });
    try {
      const info = await batch.call({ method: 'GET', url: '/langsmith/info', key: null });
      expect(info.json().batch_ingest_config.use_multipart_endpoint).toBe(false);
    } finally {
      await batch.close();
    }
  });
});
