/**
 * Sources from outside the package: the modules TRAWL_SOURCES_PATH names, imported and checked once
 * at start-up so a broken plugin stops Trawl with TRAWL_BAD_CONFIG naming the file, never mid-job.
 * A plugin runs confined to what a built-in gets: the SourceContext (no store), its requests paced
 * and refusal-mapped by its declared policy, and no trust in any other source's TRAWL_ORIGIN_*.
 * It is still code running in Trawl's process: load only modules you would run yourself.
 */
import { pathToFileURL } from 'node:url';
import type { Config } from '../config/config.js';
import type { Candidate } from '../domain.js';
import { TrawlError } from '../errors.js';
import type { ApiResponse, HttpClient, RequestPurpose } from '../net/http.js';
import { isLicenseCode, sourceShapeProblems } from './plugin-shape.js';
import { SOURCE_LIST } from './registry.js';
import type { SearchRequest, Source, SourceContext } from './source.js';
import { sourceRequests } from './source-request.js';

/**
 * The built-in sources followed by those TRAWL_SOURCES_PATH names, in its order. A module exports
 * its source as `export default` (or, without a default, as `export const source`). Throws
 * TRAWL_BAD_CONFIG naming the file when a module cannot be imported or its export is no source.
 */
export async function loadSourceRegistry(config: Config): Promise<readonly Source[]> {
  const registry: Source[] = [...SOURCE_LIST];
  for (const file of config.sourcesPath) registry.push(confined(await importSource(file, registry.map((s) => s.id)), file));
  return Object.freeze(registry);
}

/**
 * One plugin module as Trawl runs it (checked, confined), for testing it with `trawl/testing`
 * before putting it on TRAWL_SOURCES_PATH. Throws TRAWL_BAD_CONFIG as start-up would.
 */
export async function loadPluginSource(file: string): Promise<Source> {
  return confined(await importSource(file, SOURCE_LIST.map((s) => s.id)), file);
}

async function importSource(file: string, takenIds: readonly string[]): Promise<Source> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw badPlugin(file, [`cannot be imported: ${(err as Error).message}`], err);
  }
  const exported = module.default ?? module.source;
  const problems = sourceShapeProblems(exported, takenIds);
  if (problems.length > 0) throw badPlugin(file, problems);
  return exported as Source;
}

function badPlugin(file: string, problems: readonly string[], cause?: unknown): TrawlError {
  const message = `TRAWL_SOURCES_PATH: ${file}: ${problems.length === 1 ? (problems[0] ?? '') : `not a source:\n  ${problems.join('\n  ')}`}`;
  return new TrawlError('TRAWL_BAD_CONFIG', message, { context: { file, problems: [...problems] }, ...(cause === undefined ? {} : { cause }) });
}

/** The plugin as the engine sees it: the same declarations, its searches checked and confined. */
function confined(plugin: Source, file: string): Source {
  const wrapped: Source = {
    id: plugin.id,
    displayName: plugin.displayName,
    kinds: [...plugin.kinds],
    licensePolicy: `${plugin.licensePolicy} (plugin ${file})`,
    statesLicenses: plugin.statesLicenses,
    pushdown: plugin.pushdown,
    requests: plugin.requests,
    defaultOrigin: plugin.defaultOrigin.replace(/\/$/, ''),
    ...(plugin.keyVar === undefined ? {} : { keyVar: plugin.keyVar }),
    search: (request, context) => checkedPages(plugin, request, pluginContext(plugin, context)),
  };
  if (plugin.notifyDownloaded !== undefined) wrapped.notifyDownloaded = (candidate, context) => plugin.notifyDownloaded?.(candidate, pluginContext(plugin, context)) ?? Promise.resolve();
  return Object.freeze(wrapped);
}

/** The plugin's pages, each candidate checked (a bad one ends the search, never the job) and stamped with its source. */
async function* checkedPages(plugin: Source, request: SearchRequest, context: SourceContext): AsyncGenerator<Candidate[], void, undefined> {
  for await (const page of plugin.search(request, context)) {
    if (!Array.isArray(page)) throw outdated(plugin, 'a page that is not a list of candidates');
    yield page.map((candidate: Candidate) => {
      if (typeof candidate?.url !== 'string' || !plugin.kinds.includes(candidate.kind) || !isLicenseCode(candidate.licenseCode)) {
        throw outdated(plugin, `a candidate without a url, a declared kind or a known licenseCode: ${JSON.stringify(candidate)?.slice(0, 200)}`);
      }
      return { ...candidate, source: plugin.id };
    });
  }
}

const outdated = (plugin: Source, what: string) => new TrawlError('TRAWL_PARSER_OUTDATED', `${plugin.id}: the plugin gave ${what}`, { context: { source: plugin.id } });

/**
 * The context a plugin's search gets: its requests paced, quota-read and refusal-mapped as its
 * policy declares, and an `api` request to another source's TRAWL_ORIGIN_* sent as untrusted
 * (`media`), so only the operator's TRAWL_ORIGIN_<ID> for this plugin lets it reach private addresses.
 */
function pluginContext(plugin: Source, context: SourceContext): SourceContext {
  const own = context.config.origins[plugin.id];
  const others = new Set(Object.values(context.config.origins).filter((origin) => origin !== own));
  const purpose = (url: string, asked: RequestPurpose | undefined): RequestPurpose => (others.has(originOf(url)) ? 'media' : (asked ?? 'api'));
  const http: HttpClient = {
    open: (url, options) => context.http.open(url, { ...options, purpose: purpose(url, options.purpose) }),
    getJson: (url, options) => context.http.getJson(url, { ...options, purpose: purpose(url, options.purpose) }),
    getText: (url, options) => context.http.getText(url, { ...options, purpose: purpose(url, options.purpose) }),
    close: () => Promise.resolve(),
  };
  const requests = sourceRequests(plugin, { ...context, http });
  return {
    ...context,
    http: {
      ...http,
      getJson: <T>(url: string, options: { headers?: Record<string, string> }) => requests.json(url, options.headers) as Promise<ApiResponse<T>>,
      getText: (url, options) => requests.text(url, options.headers),
    },
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
