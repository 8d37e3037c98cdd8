import { describe, expect, it } from 'vitest';
import { decodeEntities, firstLinkHref, stripHtml } from './text.js';

describe('stripHtml', () => {
  it('keeps the text of a Commons artist link', () => {
    expect(stripHtml('<a href="//commons.wikimedia.org/wiki/User:Fg2" title="User:Fg2">Fg2</a>')).toBe('Fg2');
  });

  it('decodes named, decimal and hex entities and collapses whitespace', () => {
    expect(stripHtml('Tom &amp; Jerry&nbsp;&quot;live&quot; &#39;93&#x27; \n  &hellip;')).toBe('Tom & Jerry "live" \'93\' …');
  });

  it('separates words at block tags and joins them at inline tags', () => {
    expect(stripHtml('<p>Golden <b>Pavilion</b>, Kyoto</p><p>1955<br/>rebuilt</p>')).toBe('Golden Pavilion, Kyoto 1955 rebuilt');
  });

  it('drops scripts, styles and comments but shows escaped markup as text', () => {
    expect(stripHtml('<style>.x{}</style>A<!-- hidden --><script>alert(1)</script> &lt;b&gt;B')).toBe('A <b>B');
  });

  it('leaves unknown entities alone', () => {
    expect(decodeEntities('&bogus; &#0; &amp;')).toBe('&bogus; &#0; &');
  });
});

describe('firstLinkHref', () => {
  it('returns the first href, entities decoded, in any quoting', () => {
    expect(firstLinkHref('by <span class="fn"><a rel="nofollow" href="https://www.flickr.com/people/x?a=1&amp;b=2">X</a></span>')).toBe(
      'https://www.flickr.com/people/x?a=1&b=2',
    );
    expect(firstLinkHref("<a href='//commons.wikimedia.org/wiki/User:Y'>Y</a><a href=\"/z\">Z</a>")).toBe('//commons.wikimedia.org/wiki/User:Y');
    expect(firstLinkHref('<a href=/wiki/User:Z>Z</a>')).toBe('/wiki/User:Z');
  });

  it('is null when there is no link', () => {
    expect(firstLinkHref('<span class="fn value">Unknown author</span>')).toBeNull();
    expect(firstLinkHref('<a name="x">anchor</a>')).toBeNull();
  });
});
