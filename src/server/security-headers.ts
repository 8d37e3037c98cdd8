/**
 * The headers every answer carries: no MIME sniffing, no Referer to the sites the dashboard links to,
 * and a Content-Security-Policy per kind of answer. The dashboard keeps the API token and shows text
 * from other sites: its policy allows only its own files and API, so injected markup could neither
 * run script nor send anything elsewhere, and no other site may frame it.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { needsToken } from './auth.js';
import { DOCS_STYLE } from './docs-page.js';

/** The dashboard (Vite build: one module script, one stylesheet; images, videos and API calls are this server's). */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "media-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON, text and error answers: nothing to load, nothing to run, never framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** `/docs`: one inline style, allowed by its hash (not `'unsafe-inline'`); no script, nothing loaded. */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(DOCS_STYLE, 'utf8').digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * Item files: sandboxed (a unique origin, no script), so an SVG or HTML file saved as media cannot
 * run script on the dashboard's origin even when opened directly.
 */
export const FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** Headers for answers written past Fastify (event streams). */
export const BASE_SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' } as const;

/**
 * Adds the headers to every answer Fastify sends (errors included); a route that set its own
 * Content-Security-Policy (docs, item files) keeps it.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(BASE_SECURITY_HEADERS);
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', needsToken(request.url.split('?')[0] ?? '') ? API_CSP : DASHBOARD_CSP);
    done(null, payload);
  });
}
