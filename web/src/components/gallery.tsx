/**
 * The job's items: image thumbnails, playable videos and audio, each with its title, author,
 * licence and source page. Every text is rendered as text and every URL passes safeUrl().
 */
import { withAccessToken } from '../auth.js';
import type { ApiItem } from '../api.js';
import { formatBytes } from '../format.js';
import { safeUrl } from '../safe-url.js';
import { ExternalLink } from './external-link.js';

/** The gallery grid (or a line saying there is nothing yet). */
export function Gallery({ items }: { items: ApiItem[] | null }) {
  if (items === null) return <p class="muted">Loading items…</p>;
  if (items.length === 0) return <p class="muted">No items yet.</p>;
  return (
    <ul class="gallery">
      {items.map((item) => (
        <GalleryItem key={item.id} item={item} />
      ))}
    </ul>
  );
}

function GalleryItem({ item }: { item: ApiItem }) {
  const size = item.width && item.height ? `${item.width}×${item.height} · ` : '';
  return (
    <li class="gallery-item" data-testid="gallery-item" data-kind={item.kind}>
      <Media item={item} />
      <div class="item-text">
        <span class="item-title" data-testid="item-title" title={item.title ?? undefined}>
          {item.title ?? 'Untitled'}
        </span>
        {item.author !== null && (
          <span class="item-author">
            by <ExternalLink href={item.authorUrl}>{item.author}</ExternalLink>
          </span>
        )}
        <span class="item-license">
          {item.license !== null ? <ExternalLink href={item.licenseUrl}>{item.license}</ExternalLink> : 'licence unknown'}
        </span>
        <span class="item-meta muted">
          {item.source} · {size}
          {formatBytes(item.bytes)}
        </span>
        {item.pageUrl !== null && (
          <ExternalLink href={item.pageUrl} class="item-page">
            source page ↗
          </ExternalLink>
        )}
      </div>
    </li>
  );
}

function Media({ item }: { item: ApiItem }) {
  const url = safeUrl(item.fileUrl, window.location.origin);
  if (url === undefined) return <div class="media media-missing">file unavailable</div>;
  const src = withAccessToken(url);
  switch (item.kind) {
    case 'image':
      return <img class="media" src={src} loading="lazy" alt={item.title ?? ''} />;
    case 'video':
      return <video class="media" controls preload="metadata" src={src} />;
    case 'audio':
      return <audio class="media media-audio" controls preload="metadata" src={src} />;
  }
}
