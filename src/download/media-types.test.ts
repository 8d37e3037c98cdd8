import { describe, expect, it } from 'vitest';
import { isTrawlError } from '../errors.js';
import { identifyMedia } from './media-types.js';
import { jpeg, mp4, png, webm } from './test-media.test-helper.js';

function oggWith(firstPacket: string): Buffer {
  const page = Buffer.alloc(200);
  page.write('OggS', 0, 'latin1');
  page.write(firstPacket, 28, 'latin1');
  return page;
}

async function rejection(head: Uint8Array): Promise<string> {
  try {
    await identifyMedia(head);
  } catch (err) {
    if (isTrawlError(err, 'TRAWL_NOT_MEDIA')) return err.message;
    throw err;
  }
  throw new Error('expected TRAWL_NOT_MEDIA');
}

describe('identifyMedia', () => {
  it.each([
    ['png', png(2, 2), 'image/png', 'image'],
    ['jpeg', jpeg(10, 10), 'image/jpeg', 'image'],
    ['mp4', mp4(), 'video/mp4', 'video'],
    ['webm', webm(), 'video/webm', 'video'],
    ['m4a (mp4 with the M4A brand)', mp4(5000, 'M4A '), 'audio/x-m4a', 'audio'],
    ['ogg opus', oggWith('OpusHead'), 'audio/ogg; codecs=opus', 'audio'],
    ['ogg vorbis', oggWith('\x01vorbis'), 'audio/ogg', 'audio'],
    ['ogg theora', oggWith('\x80theora'), 'video/ogg', 'video'],
  ])('accepts %s by its magic bytes', async (_name, bytes, contentType, kind) => {
    const format = await identifyMedia(bytes);
    expect(format.contentType).toBe(contentType);
    expect(format.kind).toBe(kind);
  });

  it.each([
    ['an HTML error page', '<!DOCTYPE html>\n<html><body>404</body></html>', 'got text/html,'],
    ['HTML without a doctype', '  <html lang="en"><head></head></html>', 'got text/html,'],
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', 'image/svg+xml'],
    ['SVG behind an XML prolog', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', 'image/svg+xml'],
    ['JSON', '{"error":"rate limited"}', 'got application/json,'],
    ['plain text', 'Access denied.\n', 'got text/plain,'],
  ])('refuses %s and says what it got', async (_name, text, expected) => {
    const message = await rejection(Buffer.from(text));
    expect(message).toContain(expected);
    expect(message).toContain('not an image/video/audio file');
  });

  it('refuses a zip archive, naming its type', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), Buffer.alloc(100)]);
    expect(await rejection(zip)).toContain('application/zip');
  });

  it('refuses unknown binary data and an empty body', async () => {
    expect(await rejection(Buffer.from([0, 1, 2, 3, 250, 251, 0, 9]))).toContain('unrecognised binary data');
    expect(await rejection(Buffer.alloc(0))).toContain('an empty body');
  });
});
