/** An in-app link: a real `<a href>` (so open-in-new-tab works) that navigates without a page load. */
import type { ComponentChildren } from 'preact';
import { navigate } from './router.js';

/** Props of {@link Link}. */
export interface LinkProps {
  href: string;
  class?: string;
  /** Marks the link as the current page (`aria-current="page"`). */
  current?: boolean;
  children: ComponentChildren;
}

/** A link to a page of this app. Modified clicks (new tab, new window) are left to the browser. */
export function Link({ href, children, current, class: className }: LinkProps) {
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} class={className} aria-current={current ? 'page' : undefined} onClick={onClick}>
      {children}
    </a>
  );
}
