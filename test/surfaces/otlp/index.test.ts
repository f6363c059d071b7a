import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../../src/domain/prices.js';
import { LOGS_RESPONSE, STATUS, TRACE_REQUEST, TRACE_RESPONSE } from '../../../src/surfaces/otlp/proto.js';
import { useTestApp } from '../../support/app.js';
import { DIALECTS } from '../../support/databases.js';
import { countRows } from '../../support/rows.js';

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_BODY = { 'content-type': 'application/json' };

/** An OTLP/JSON export of spans named `names` in one trace (hex ids as OTLP/JSON spells them). */
function jsonExport(project: string, spans: { name: string; traceId?: string; spanId: string; parentSpanId?: string }[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'openinference.project.name', value: { stringValue: project } }] },
        scopeSpans: [
          {
            scope: { name: 'raw' },
            spans: spans.map((span) => ({
              traceId: span.traceId ?? '5b8efff798038103d269b633813fc60c',
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: 1,
              startTimeUnixNano: '1733300000000000000',
              endTimeUnixNano: '1733300000250000000',
              attributes: [{ key: 'input.value', value: { stringValue: span.name } }],
            })),
          },
        ],
      },
    ],
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the OTLP receiver's answers`, () => {
    const t = useTestApp(dialect, { otlp: { maxBodyBytes: 100_000 } });
    const runCount = async () => countRows(t.services.store.db, 'runs');

    it('keeps the valid spans of a request and answers partial success with the count rejected and why, in the request encoding', async () => {
      const body = jsonExport('partial', [
        { name: 'good', spanId: 'eee19b7ec3c1b174' },
        { name: 'zero trace', traceId: '00000000000000000000000000000000', spanId: 'eee19b7ec3c1b175' },
        { name: 'bad hex', spanId: 'not-hex!' },
      ]);
      const response = await t.call({ method: 'POST', url: '/v1/traces', headers: JSON_BODY, payload: JSON.stringify(body) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({
        partialSuccess: {
          rejectedSpans: '2',
          errorMessage: 'a span has no valid trace_id (16 bytes, not all zero); a span has no valid span_id (8 bytes, not all zero)',
        },
      });
      const runs = await t.services.store.db.selectFrom('runs').select(['name', 'trace_id']).where('name', 'in', ['good', 'zero trace', 'bad hex']).execute();
      expect(runs).toEqual([{ name: 'good', trace_id: '5b8efff798038103d269b633813fc60c' }]);
    });

    it('answers a full success with an empty response, as protobuf to protobuf, and takes the key as x-api-key', async () => {
      const message = TRACE_REQUEST.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.alloc(16, 7),
                    spanId: Buffer.alloc(8, 9),
                    name: 'proto span',
                    startTimeUnixNano: '1733300000000000000',
                    endTimeUnixNano: '1733300000001000000',
                  },
                ],
              },
            ],
          },
        ],
      });
      const response = await t.call({
        method: 'POST',
        url: '/phoenix/v1/traces',
        key: null,
        headers: { ...PROTOBUF, 'x-api-key': t.adminKey },
        payload: Buffer.from(TRACE_REQUEST.encode(message).finish()),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/x-protobuf');
      expect(TRACE_RESPONSE.toObject(TRACE_RESPONSE.decode(response.rawPayload))).toEqual({});
      const run = await t.services.store.db.selectFrom('runs').selectAll().where('name', '=', 'proto span').executeTakeFirstOrThrow();
      expect(run).toMatchObject({ trace_id: '07'.repeat(16), latency_ms: 1, parent_run_id: null });
    });

    it('refuses a malformed body with 400 and a google.rpc.Status, writing nothing', async () => {
      const before = await runCount();
      const proto = await t.call({ method: 'POST', url: '/v1/traces', headers: PROTOBUF, payload: Buffer.from('this is not protobuf') });
      expect(proto.statusCode).toBe(400);
      expect(STATUS.toObject(STATUS.decode(proto.rawPayload))).toEqual({
        code: 3,
        message: 'The body is not a valid ExportTraceServiceRequest message (invalid wire type 4 at offset 1)',
      });
      const json = await t.call({ method: 'POST', url: '/v1/traces', headers: JSON_BODY, payload: '{"resourceSpans": [' });
      expect(json.statusCode).toBe(400);
      expect(json.json()).toMatchObject({ code: 3, message: expect.stringMatching(/^The body is not valid JSON/) });
      const shape = await t.call({ method: 'POST', url: '/v1/traces', headers: JSON_BODY, payload: '{"resourceSpans": {"spans": 1}}' });
      expect(shape.statusCode).toBe(400);
      expect(shape.json()).toMatchObject({
        code: 3,
        message: 'The body is not a valid ExportTraceServiceRequest (ExportTraceServiceRequest.resourceSpans: array expected)',
      });
      const gzip = await t.call({ method: 'POST', url: '/v1/traces', headers: { ...JSON_BODY, 'content-encoding': 'gzip' }, payload: '{"not": "gzip"}' });
      expect(gzip.statusCode).toBe(400);
      expect(gzip.json().message).toMatch(/^The body is not valid gzip data/);
      expect(await runCount()).toBe(before);
    });

    it('refuses a body over the limit with 413, whether sent so or inflating beyond it', async () => {
      const before = await runCount();
      const big = JSON.stringify(jsonExport('big', [{ name: 'x'.repeat(120_000), spanId: 'eee19b7ec3c1b176' }]));
      const plain = await t.call({ method: 'POST', url: '/v1/traces', headers: JSON_BODY, payload: big });
      expect(plain.statusCode).toBe(413);
      expect(plain.json()).toMatchObject({ code: 8 });
      const compressed = gzipSync(big);
      expect(compressed.length).toBeLessThan(100_000);
      const inflating = await t.call({ method: 'POST', url: '/v1/traces', headers: { ...JSON_BODY, 'content-encoding': 'gzip' }, payload: compressed });
      expect(inflating.statusCode).toBe(413);
      expect(inflating.json()).toEqual({ code: 8, message: 'The body is larger than 100000 bytes once decompressed' });
      expect(await runCount()).toBe(before);
    });

    it('answers 401 without a key and 415 for another encoding, as Status messages', async () => {
      const anonymous = await t.call({ method: 'POST', url: '/v1/traces', key: null, headers: JSON_BODY, payload: '{}' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toEqual({ code: 16, message: 'An API key is required' });
      const brotli = await t.call({ method: 'POST', url: '/v1/traces', headers: { ...JSON_BODY, 'content-encoding': 'br' }, payload: '{}' });
      expect(brotli.statusCode).toBe(415);
      const text = await t.call({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
      expect(text.statusCode).toBe(415);
    });

    it('answers an export of log records that are not evaluations as partial success', async () => {
      const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1733300000000000000', body: { stringValue: 'hello' } }] }] }] };
      const response = await t.call({ method: 'POST', url: '/v1/logs', headers: JSON_BODY, payload: JSON.stringify(body) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        partialSuccess: { rejectedLogRecords: '1', errorMessage: 'only gen_ai.evaluation.result events are kept (a log record is no event)' },
      });
      expect(LOGS_RESPONSE.name).toBe('ExportLogsServiceResponse');
    });
  });

  describe(`${dialect}: the OTLP receiver's price table`, () => {
    const prices = PriceTable.parse({ 'gpt-4o*': { input_per_million: '2.50', output_per_million: '10' } });
    const t = useTestApp(dialect, { otlp: { prices } });

    it('costs the spans that name a priced model and their tokens but carry no cost, and keeps the costs a span carries', async () => {
      const span = (spanId: string, attributes: Record<string, string | number>) => ({
        traceId: '6b8efff798038103d269b633813fc60c',
        spanId,
        name: `llm ${spanId}`,
        startTimeUnixNano: '1733300000000000000',
        endTimeUnixNano: '1733300000250000000',
        attributes: Object.entries(attributes).map(([key, value]) =>
          typeof value === 'number' ? { key, value: { intValue: String(value) } } : { key, value: { stringValue: value } },
        ),
      });
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'priced' } }] },
            scopeSpans: [
              {
                spans: [
                  span('aaa19b7ec3c1b171', { 'llm.model_name': 'gpt-4o-2024-08-06', 'llm.token_count.prompt': 1234, 'llm.token_count.completion': 567 }),
                  span('aaa19b7ec3c1b172', { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000 }),
                  span('aaa19b7ec3c1b173', { 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 1000, 'llm.cost.total': '0.5' }),
                  span('aaa19b7ec3c1b174', { 'llm.model_name': 'llama-3', 'llm.token_count.prompt': 1000 }),
                ],
              },
            ],
          },
        ],
      };
      const response = await t.call({ method: 'POST', url: '/v1/traces', headers: JSON_BODY, payload: JSON.stringify(body) });
      expect(response.statusCode).toBe(200);
      const runs = await t.services.store.db
        .selectFrom('runs')
        .select(['name', 'prompt_cost', 'completion_cost', 'total_cost'])
        .where('name', 'like', 'llm %')
        .orderBy('name')
        .execute();
      // Nano-dollars: 1,234 × $2.50/M = $0.003085 and 567 × $10/M = $0.00567.
      expect(
        runs.map((run) => [run.name, run.prompt_cost, run.completion_cost, run.total_cost].map((value) => (value === null ? null : String(value)))),
      ).toEqual([
        ['llm aaa19b7ec3c1b171', '3085000', '5670000', '8755000'],
        ['llm aaa19b7ec3c1b172', '2500000', null, '2500000'],
        ['llm aaa19b7ec3c1b173', null, null, '500000000'],
        ['llm aaa19b7ec3c1b174', null, null, null],
      ]);
    });
  });

  describe(`${dialect}: the OTLP receiver under load`, () => {
    const t = useTestApp(dialect, { otlp: { maxConcurrentExports: 0 } });

    it('sheds exports beyond its concurrency with 503 and Retry-After, before reading the key or the body', async () => {
      const response = await t.call({ method: 'POST', url: '/v1/traces', key: null, headers: JSON_BODY, payload: '{}' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toMatchObject({ code: 14 });
    });
  });
}
