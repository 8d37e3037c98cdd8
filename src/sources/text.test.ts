import { describe, expect, it } from 'vitest';
import { decodeAttribute, decodeEntities, firstLinkHref, stripHtml } from './text.js';

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

  it('leaves unknown entities alone and turns NUL into U+FFFD, as browsers do', () => {
    expect(decodeEntities('&bogus; &#0; &amp;')).toBe('&bogus; \ufffd &');
  });
});

describe('decodeEntities', () => {
  it('decodes every HTML5 name, not only a handful (issue 13: names were saved as written)', () => {
    expect(decodeEntities('Jos&eacute; M&uuml;ller')).toBe('José Müller');
    expect(stripHtml('<a href="//x">Fran&ccedil;ois &Aring;str&ouml;m</a> &ndash; &euro;5 &rarr; &hearts;')).toBe('François Åström – €5 → ♥');
  });

  it('decodes once: an escaped ampersand stays an entity', () => {
    expect(decodeEntities('&amp;amp; &amp;lt;')).toBe('&amp; &lt;');
  });

  it('decodes numeric references beyond the BMP', () => {
    expect(decodeEntities('&#x1F600; &#128512;')).toBe('😀 😀');
  });

  it('accepts legacy names without ";" in text, but not inside a URL parameter', () => {
    expect(decodeEntities('&copy 2024 NASA')).toBe('© 2024 NASA');
    expect(decodeAttribute('/p?a=1&copy=2&amp;b=3')).toBe('/p?a=1&copy=2&b=3');
    expect(firstLinkHref('<a href="https://commons.wikimedia.org/w/index.php?curid=7&copy=1&amp;lang=en">u</a>')).toBe('https://commons.wikimedia.org/w/index.php?curid=7&copy=1&lang=en');
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
