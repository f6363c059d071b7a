import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { datadogCaller, envelope, makeDataset } from './helpers.js';

/** Datadog's JSON:API errors: the status, and the field at fault in the request as sent. */
for (const dialect of DIALECTS) {
  describe(`${dialect}: the Datadog errors`, () => {
    const t = useTestApp(dialect);

    const dd = datadogCaller(() => t);

    it('answers JSON:API errors naming the field, and refuses a record id taken by another record', async () => {
      const { path } = await makeDataset(dd);
      const invalid = await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ expected_output: 1 }] }) });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors[0]).toMatchObject({ status: '400', source: { pointer: '/data/attributes/records/0/input' } });
      const badTag = await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ input: 1, tags: ['nocolon'] }] }) });
      expect(badTag.statusCode).toBe(400);
      expect(badTag.json().errors[0].source.pointer).toBe('/data/attributes/records/0/tags/0');
      await dd({ method: 'POST', url: `${path}/batch_update`, payload: envelope('datasets', { insert_records: [{ id: 'taken', input: 'a' }] }) });
      const clash = await dd({ method: 'POST', url: `${path}/batch_update`, payload: envelope('datasets', { insert_records: [{ id: 'taken', input: 'b' }] }) });
      expect(clash.statusCode).toBe(409);
      expect(clash.json().errors[0].source).toEqual({ pointer: '/data/attributes/insert_records/0/external_id' });
      const unknown = await dd({ method: 'PATCH', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'nope', input: 1 }] }) });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().errors[0].source).toEqual({ pointer: '/data/attributes/records/0' });
      const version = await dd({ method: 'GET', url: `${path}/records?filter[version]=7` });
      expect(version.statusCode).toBe(400);
      expect(version.json().errors[0].source).toEqual({ parameter: 'filter[version]' });
    });

    it("names the field at fault in the request's own lists when a service refuses a change, on every records route", async () => {
      const { path } = await makeDataset(dd);
      await dd({ method: 'POST', url: `${path}/records`, payload: envelope('records', { records: [{ id: 'taken', input: 'a' }] }) });
      const takenDetail = expect.stringMatching(/^external_id "taken" is already used by record [0-9a-f-]{36}$/);
      const cases: {
        method: 'POST' | 'PATCH';
        url: string;
        payload: Record<string, unknown>;
        status: number;
        title: string;
        code: string;
        pointer: string;
        detail: unknown;
      }[] = [
        {
          method: 'POST',
          url: `${path}/records`,
          payload: envelope('records', { records: [{ input: 'x' }, { id: 'taken', input: 'b' }] }),
          status: 409,
          title: 'Conflict',
          code: 'conflict',
          pointer: '/data/attributes/records/1/external_id',
          detail: takenDetail,
        },
        {
          method: 'PATCH',
          url: `${path}/records`,
          payload: envelope('records', {
            records: [
              { id: 'taken', input: 'c' },
              { id: 'nope', input: 1 },
            ],
          }),
          status: 404,
          title: 'Not found',
          code: 'not_found',
          pointer: '/data/attributes/records/1',
          detail: 'Record "nope" not found',
        },
        {
          method: 'POST',
          url: `${path}/records/delete`,
          payload: envelope('records', { record_ids: ['taken', 'nope'] }),
          status: 404,
          title: 'Not found',
          code: 'not_found',
          pointer: '/data/attributes/record_ids/1',
          detail: 'Record "nope" not found',
        },
        {
          method: 'POST',
          url: `${path}/batch_update`,
          payload: envelope('datasets', {
            insert_records: [
              { id: 'new', input: 'n' },
              { id: 'taken', input: 'b' },
            ],
          }),
          status: 409,
          title: 'Conflict',
          code: 'conflict',
          pointer: '/data/attributes/insert_records/1/external_id',
          detail: takenDetail,
        },
        {
          method: 'POST',
          url: `${path}/batch_update`,
          payload: envelope('datasets', { update_records: [{ id: 'nope', input: 'b' }] }),
          status: 404,
          title: 'Not found',
          code: 'not_found',
          pointer: '/data/attributes/update_records/0',
          detail: 'Record "nope" not found',
        },
        {
          method: 'POST',
          url: `${path}/batch_update`,
          payload: envelope('datasets', { delete_records: ['taken', 'nope'] }),
          status: 404,
          title: 'Not found',
          code: 'not_found',
          pointer: '/data/attributes/delete_records/1',
          detail: 'Record "nope" not found',
        },
        {
          // A message that quotes the pointer quotes it as the request has it.
          method: 'POST',
          url: `${path}/batch_update`,
          payload: envelope('datasets', {
            insert_records: [{ id: 'new', input: 'n' }],
            update_records: [{ id: 'taken', input: 'z' }],
            delete_records: ['taken'],
          }),
          status: 400,
          title: 'Bad request',
          code: 'validation_failed',
          pointer: '/data/attributes/update_records/0',
          detail: '/data/attributes/update_records/0 names a record the request also removes',
        },
      ];
      for (const { method, url, payload, status, title, code, pointer, detail } of cases) {
        const response = await dd({ method, url, payload });
        expect({ pointer, status: response.statusCode, body: response.json() }).toEqual({
          pointer,
          status,
          body: { errors: [{ status: String(status), title, detail, source: { pointer }, meta: { code } }] },
        });
      }
      expect((await dd({ method: 'GET', url: path })).json().data.attributes.current_version).toBe(1);
    });
  });
}
