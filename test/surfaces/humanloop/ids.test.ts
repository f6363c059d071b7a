import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import { datasetIdFor, humanloopId, uuidInPath, uuidNamedBy, uuidOf, versionId, versionOf } from '../../../src/surfaces/humanloop/ids.js';

describe('Humanloop ids', () => {
  it("are a prefix and the UUID in base 62, and decode back; a dataset takes either API's prefix", () => {
    const uuid = newId();
    expect(datasetIdFor('v4', uuid)).toMatch(/^evts_[0-9A-Za-z]{22}$/);
    expect(uuidOf('dataset', datasetIdFor('v4', uuid))).toBe(uuid);
    expect(uuidOf('dataset', datasetIdFor('v5', uuid))).toBe(uuid);
    expect(uuidOf('log', humanloopId('log', uuid))).toBe(uuid);
    expect(uuidOf('log', datasetIdFor('v5', uuid))).toBeUndefined();
    expect(versionOf(versionId(uuid, 7))).toEqual({ datasetId: uuid, version: 7 });
  });

  it("name the UUID of any kind for restating faults, but not a version's", () => {
    const uuid = newId();
    for (const id of [
      datasetIdFor('v4', uuid),
      datasetIdFor('v5', uuid),
      humanloopId('datapoint', uuid),
      humanloopId('log', uuid),
      humanloopId('project', uuid),
    ]) {
      expect(uuidNamedBy(id)).toBe(uuid);
    }
    for (const other of [versionId(uuid, 1), humanloopId('promptVersion', uuid), uuid, 'capitals', 'ds_', 'xx_0358HJK8LE62pt880VnO6j'])
      expect(uuidNamedBy(other)).toBeUndefined();
  });

  it('in the path name their entity, or nothing (404)', () => {
    const uuid = newId();
    expect(uuidInPath('project', humanloopId('project', uuid))).toBe(uuid);
    expect(() => uuidInPath('dataset', 'capitals')).toThrow('Dataset "capitals" not found');
    expect(() => uuidInPath('project', 'qa-bot')).toThrow('Project "qa-bot" not found');
  });
});
