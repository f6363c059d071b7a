import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import { datasetVersionId, globalId, uuidNamedBy, uuidOf, versionOf, versionOfDataset } from '../../../src/surfaces/arize/ids.js';

describe('Arize global ids', () => {
  it('are base64 of Type:<the UUID as a decimal integer>, and decode back', () => {
    for (let i = 0; i < 100; i++) {
      const uuid = newId();
      const id = globalId('Experiment', uuid);
      expect(Buffer.from(id, 'base64').toString()).toBe(`Experiment:${BigInt(`0x${uuid.replace(/-/g, '')}`).toString(10)}`);
      expect(uuidOf('Experiment', id, '/id', 'params')).toBe(uuid);
    }
    // Arize's SDKs take a value for an id when it base64-decodes to something holding a colon.
    expect(atob(globalId('Dataset', newId()))).toContain(':');
  });

  it('pack a dataset and a version number into one DatasetVersion:<number>', () => {
    const dataset = newId();
    for (const version of [1, 2, 999, 2_147_483_646]) {
      const id = datasetVersionId(dataset, version);
      expect(Buffer.from(id, 'base64').toString()).toMatch(/^DatasetVersion:\d+$/);
      expect(versionOf(id, '/v', 'query')).toEqual({ datasetId: dataset, version });
    }
  });

  it('refuse what is not an id of the type asked for, and let unknown numbers through to a 404', () => {
    const dataset = globalId('Dataset', newId());
    for (const bad of ['recording-ds', 'RGF0YXNldDoxOmFCY0Q=' /* Dataset:1:aBcD */, `${dataset}!`, '', 'RGF0YXNldDo=' /* Dataset: */]) {
      expect(() => uuidOf('Dataset', bad, '/dataset_id', 'params')).toThrow(/dataset_id is not a valid dataset id/);
    }
    expect(() => uuidOf('Experiment', dataset, '/experiment_id', 'params')).toThrow(/not a valid experiment id/);
    expect(() => versionOf(dataset, '/dataset_version_id', 'query')).toThrow(/not a valid dataset version id/);
    expect(uuidOf('Dataset', 'RGF0YXNldDox' /* Dataset:1 */, '/dataset_id', 'params')).toBe('00000000-0000-0000-0000-000000000001');
    const tooBig = Buffer.from(`Dataset:${(1n << 128n).toString()}`).toString('base64');
    expect(() => uuidOf('Dataset', tooBig, '/dataset_id', 'params')).toThrow(/not a valid dataset id/);
  });

  it("name the UUID of any type for restating faults, but not a version's (it names a version of a dataset)", () => {
    const uuid = newId();
    for (const type of ['Space', 'Project', 'Dataset', 'Experiment'] as const) expect(uuidNamedBy(globalId(type, uuid))).toBe(uuid);
    for (const other of [
      datasetVersionId(uuid, 3),
      uuid,
      'recording-ds',
      'RGF0YXNldDoxOmFCY0Q=',
      Buffer.from(`Dataset:${(1n << 128n).toString()}`).toString('base64'),
      btoa('Run:1'),
    ]) {
      expect(uuidNamedBy(other)).toBeUndefined();
    }
  });

  it('take a version id only for a version of its dataset', () => {
    const dataset = newId();
    expect(versionOfDataset(dataset, datasetVersionId(dataset, 2), '/dataset_version_id', 'query')).toBe(2);
    expect(() => versionOfDataset(newId(), datasetVersionId(dataset, 2), '/dataset_version_id', 'body')).toThrow(/not found/);
    expect(() => versionOfDataset(dataset, datasetVersionId(dataset, 0), '/dataset_version_id', 'body')).toThrow(/not found/);
  });
});
