import { describe, expect, it } from 'vitest';
import { EventStreamParser, readEventStream } from '../../src/client/event-stream.js';

describe('EventStreamParser (the client and the web UI reading progress events)', () => {
  it('reads named events whose text arrives split anywhere', () => {
    const stream = ': stream open\n\nevent: progress\ndata: {"rows_received":1000}\n\nevent: completed\ndata: {"a":1}\n\n';
    for (let cut = 0; cut < stream.length; cut += 1) {
      const parser = new EventStreamParser();
      const events = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(events).toEqual([
        { event: 'progress', data: '{"rows_received":1000}' },
        { event: 'completed', data: '{"a":1}' },
      ]);
    }
  });

  it('joins data lines, takes CR, LF and CRLF, skips comments, and names unnamed events message', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: one\r\ndata:two\r\r: keep-alive\n\nevent: x\ndata\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo' },
      { event: 'x', data: '' },
    ]);
  });

  it('keeps a CR that may be half of a CRLF until the next piece', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: a\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('drops an event the stream ended inside of', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: completed\ndata: {"partial": tr')).toEqual([]);
    parser.finish();
    expect(parser.push('\n\n')).toEqual([]);
  });

  it('reads a body of bytes split inside a character, and gives an event the stream did not close', async () => {
    const bytes = new TextEncoder().encode('event: progress\ndata: {"phase":"déjà"}\n\nevent: completed\ndata: {}');
    const cut = bytes.indexOf(0xc3) + 1;
    const events = [];
    for await (const event of readEventStream([bytes.slice(0, cut), bytes.slice(cut)])) events.push(event);
    expect(events).toEqual([
      { event: 'progress', data: '{"phase":"déjà"}' },
      { event: 'completed', data: '{}' },
    ]);
  });
});
