/** A link to another site built from network data, opened safely in a new tab. */
import type { ComponentChildren } from 'preact';
import { safeUrl } from '../safe-url.js';

/** Props of {@link ExternalLink}. */
export interface ExternalLinkProps {
  /** Any URL from the network; only http(s) and same-origin /api/ URLs become a link. */
  href: string | null;
  children: ComponentChildren;
  class?: string;
}

/** An `<a target=_blank rel="noopener noreferrer">` when the URL is safe, else the text alone. */
export function ExternalLink({ href, children, class: className }: ExternalLinkProps) {
  const url = safeUrl(href, window.location.origin);
  if (url === undefined) return <span class={className}>{children}</span>;
  return (
    <a class={className} href={url} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}
