import { describe, expect, it } from 'vitest';
import { FaultBook, parseFaultSpec, targetMatches, validateFaultRule } from './faults.js';

describe('parseFaultSpec', () => {
  it('reads a target, a fault and options', () => {
    expect(parseFaultSpec('pexels=hang')).toEqual({ target: 'pexels', fault: 'hang' });
    expect(parseFaultSpec('pexels:media=trickle')).toEqual({ target: 'pexels:media', fault: 'trickle' });
    expect(parseFaultSpec('*:media=rate-limit,retryAfter=2,times=1')).toEqual({ target: '*:media', fault: 'rate-limit', retryAfter: '2', times: 1 });
    expect(parseFaultSpec('/media/pexels/photo-3.png=server-error,status=502')).toEqual({ target: '/media/pexels/photo-3.png', fault: 'server-error', status: 502 });
    expect(parseFaultSpec('wikimedia_commons:media=redirect-chain,hops=4')).toMatchObject({ hops: 4 });
    expect(parseFaultSpec('*:media=redirect-private,location=http://[::1]:9/x.png')).toMatchObject({ location: 'http://[::1]:9/x.png' });
    expect(parseFaultSpec('*:media=endless')).toEqual({ target: '*:media', fault: 'endless' });
    expect(parseFaultSpec('pexels:media=lie-size,width=30,height=20')).toEqual({ target: 'pexels:media', fault: 'lie-size', width: 30, height: 20 });
  });

  it('keeps the comma of an HTTP-date Retry-After', () => {
    expect(parseFaultSpec('openverse=rate-limit,retryAfter=Wed, 21 Oct 2015 07:28:00 GMT,times=2')).toEqual({
      target: 'openverse',
      fault: 'rate-limit',
      retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT',
      times: 2,
    });
  });

  it.each([
    ['pexels', /<target>=<fault>/],
    ['pexels=hng', /unknown fault "hng"/],
    ['pexel=hang', /unknown source 'pexel'/],
    ['pexels:thumbs=hang', /not understood/],
    ['pexels=hang,times=0', /times must be a whole number from 1/],
    ['pexels=hang,times=abc', /times must be a number/],
    ['pexels=hang,hops=2', /option 'hops' does not apply to hang/],
    ['pexels=html-as-image', /media only/],
    ['pexels=hang,times', /'times' in .* is not <name>=<value>/],
    ['pexels=lie-size', /media only/],
    ['pexels:media=lie-size,width=0', /width must be a whole number from 1 to 4096/],
    ['pexels:media=hang,height=3', /option 'height' does not apply to hang/],
    ['pexels=hang,times=1,times=2', /given twice/],
    ['pexels:media=server-error,status=200', /status must be a whole number from 400 to 599/],
    ['pexels:media=trickle,bytesPerSecond=-1', /bytesPerSecond must be greater than 0/],
    ['pexels:media=redirect-private,location=ftp://127.0.0.2/x', /location must be an absolute http\(s\) URL/],
    ['pexels:media=redirect-loop,location=http://127.0.0.2/', /option 'location' does not apply to redirect-loop/],
  ])('refuses %s, naming the bad part', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });
});

describe('validateFaultRule', () => {
  it('refuses non-objects and header text HTTP cannot carry', () => {
    expect(() => validateFaultRule('pexels=hang')).toThrow(/expected an object/);
    expect(() => validateFaultRule({ target: 'pexels', fault: 'rate-limit', retryAfter: '1\r\nx: y' })).toThrow(/retryAfter/);
  });
});

describe('targetMatches', () => {
  const api = { source: 'pexels', target: 'api', pathname: '/v1/search' } as const;
  const media = { source: 'pexels', target: 'media', pathname: '/media/pexels/photo-3.png' } as const;
  const control = { source: null, target: 'control', pathname: '/_sim/faults' } as const;

  it('tells API requests, media and exact paths apart, and never faults control requests', () => {
    expect(targetMatches('pexels', api)).toBe(true);
    expect(targetMatches('pexels', media)).toBe(false);
    expect(targetMatches('pexels:media', media)).toBe(true);
    expect(targetMatches('*:media', media)).toBe(true);
    expect(targetMatches('*', api)).toBe(true);
    expect(targetMatches('openverse', api)).toBe(false);
    expect(targetMatches('/media/pexels/photo-3.png', media)).toBe(true);
    expect(targetMatches('/media/pexels/photo-4.png', media)).toBe(false);
    expect(targetMatches('*', control)).toBe(false);
  });
});

describe('FaultBook', () => {
  it('applies a rule only `times` times, then falls through to the next rule', () => {
    const book = new FaultBook();
    book.set([
      { target: 'pexels', fault: 'rate-limit', times: 2 },
      { target: '*', fault: 'server-error' },
    ]);
    const subject = { source: 'pexels', target: 'api', pathname: '/v1/search' } as const;
    expect([1, 2, 3].map(() => book.take(subject)?.fault)).toEqual(['rate-limit', 'rate-limit', 'server-error']);
    book.clear();
    expect(book.take(subject)).toBeNull();
  });

  it('changes nothing when one rule of a set is bad', () => {
    const book = new FaultBook();
    book.add({ target: 'pexels', fault: 'hang' });
    expect(() => book.set([{ target: 'openverse', fault: 'hang' }, { target: 'nope', fault: 'hang' }])).toThrow(/unknown source 'nope'/);
    expect(book.rules()).toEqual([{ target: 'pexels', fault: 'hang' }]);
  });
});
