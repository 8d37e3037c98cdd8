/**
 * The dashboard's event-stream parser (web/src/sse-parse.ts): the frames a browser would see, however
 * the network splits the bytes.
 */
import { describe, expect, it } from 'vitest';
import { type SseFrame, parseSseText } from '../web/src/sse-parse.js';

/** Feeds `chunks` one after another, as the stream reader does, and collects every frame. */
function feed(chunks: readonly string[]): { frames: SseFrame[]; rest: string } {
  const frames: SseFrame[] = [];
  let rest = '';
  for (const chunk of chunks) {
    const result = parseSseText(rest + chunk);
    frames.push(...result.frames);
    rest = result.rest;
  }
  return { frames, rest };
}

const STREAM =
  ': ping\n\n' +
  'id: 7\nevent: source.progress\ndata: {"jobId":"j1","n":1}\n\n' +
  'id: 8\nevent: item.saved\ndata: {"jobId":"j1",\ndata: "n":2}\n\n' +
  'id: 9\nevent: job.finished\ndata: {"jobId":"j1"}\n\n';

const EXPECTED: SseFrame[] = [
  { id: '7', event: 'source.progress', data: '{"jobId":"j1","n":1}', retry: null },
  { id: '8', event: 'item.saved', data: '{"jobId":"j1",\n"n":2}', retry: null },
  { id: '9', event: 'job.finished', data: '{"jobId":"j1"}', retry: null },
];

describe('parseSseText', () => {
  it('reads id, event and multi-line data, and skips comment-only heartbeats', () => {
    expect(feed([STREAM])).toEqual({ frames: EXPECTED, rest: '' });
  });

  it('gives the same frames whatever the chunk boundaries, even one character at a time', () => {
    expect(feed([...STREAM])).toEqual({ frames: EXPECTED, rest: '' });
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(feed([STREAM.slice(0, cut), STREAM.slice(cut)]).frames).toEqual(EXPECTED);
    }
  });

  it('accepts CRLF and CR line endings, including a CRLF split across chunks', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    expect(feed([crlf]).frames).toEqual(EXPECTED);
    expect(feed([STREAM.replace(/\n/g, '\r')]).frames).toEqual(EXPECTED);
    const split = crlf.indexOf('\r\n\r\n', 20) + 1;
    expect(feed([crlf.slice(0, split), crlf.slice(split)]).frames).toEqual(EXPECTED);
    expect(feed([...crlf]).frames).toEqual(EXPECTED);
  });

  it('keeps an unfinished block for the next chunk instead of emitting it early', () => {
    const result = parseSseText('id: 1\ndata: {"jobId":"j1"}\n');
    expect(result.frames).toEqual([]);
    expect(parseSseText(`${result.rest}\n`).frames).toEqual([{ id: '1', event: 'message', data: '{"jobId":"j1"}', retry: null }]);
  });

  it('follows the field rules: no space after the colon, a bare field name, retry, unknown fields', () => {
    const { frames } = feed(['data:a\ndata\nfoo: bar\nretry: 2500\n\nid: 3\n\nretry: soon\n\n']);
    expect(frames).toEqual([
      { id: null, event: 'message', data: 'a\n', retry: 2500 },
      // An id-only block moves the resume point without carrying data.
      { id: '3', event: 'message', data: '', retry: null },
    ]);
  });

  it('drops a leading byte-order mark and ignores ids containing NUL', () => {
    expect(feed(['\uFEFFid: a\0b\ndata: x\n\n']).frames).toEqual([{ id: null, event: 'message', data: 'x', retry: null }]);
  });
});
