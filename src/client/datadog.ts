import http from 'node:http';
import https from 'node:https';

/**
 * Points Datadog's Node tracer (dd-trace) at evalstore without changing the user's code:
 *
 *     EVALSTORE_URL=http://localhost:8000 DD_API_KEY=<evalstore key> DD_APP_KEY=any \
 *       node --import evalstore/datadog my-experiment.js
 *
 * dd-trace has no base-URL setting for its experiments client (it calls `fetch` on
 * `https://api.${DD_SITE}`), and its LLM Observability span writer posts to
 * `https://llmobs-intake.${DD_SITE}/api/v2/llmobs` through `node:https` when agentless. This module,
 * loaded before the program, sends the requests for those two hosts to `${EVALSTORE_URL}/datadog`
 * instead (the path and headers kept, the API key included), and leaves every other request alone.
 */

const DATADOG_HOSTS = ['api', 'llmobs-intake'];

export interface Redirect {
  /** The Datadog site whose hosts are redirected (DD_SITE; datadoghq.com by default). */
  site: string;
  /** Where the Datadog surface is: `${EVALSTORE_URL}/datadog`. */
  target: URL;
}

/** The evalstore URL a Datadog URL goes to, or undefined for a URL of another host. */
export function redirected(url: URL, redirect: Redirect): URL | undefined {
  if (!DATADOG_HOSTS.some((host) => url.hostname === `${host}.${redirect.site}`)) return undefined;
  const base = redirect.target.pathname.replace(/\/$/, '');
  return new URL(`${base}${url.pathname}${url.search}`, redirect.target);
}

/** Installs the redirection of `fetch` and of `https.request`/`https.get` for the Datadog hosts. */
export function installRedirect(redirect: Redirect): void {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const target = redirected(url, redirect);
    if (!target) return originalFetch(input, init);
    return originalFetch(input instanceof Request ? new Request(target, input) : target, init);
  }) as typeof fetch;

  const originalRequest = https.request;
  const request = (...args: unknown[]) => {
    const target = targetOf(args, redirect);
    if (!target) return (originalRequest as (...a: unknown[]) => http.ClientRequest)(...args);
    const { options, callback } = target;
    const client = options.protocol === 'https:' ? originalRequest : http.request;
    return client(options, callback);
  };
  https.request = request as typeof https.request;
  https.get = ((...args: unknown[]) => {
    const req = request(...args);
    req.end();
    return req;
  }) as typeof https.get;
}

/** The options of an `https.request(url?, options?, callback?)` call that goes to a Datadog host, rewritten. */
function targetOf(args: unknown[], redirect: Redirect): { options: http.RequestOptions; callback?: (res: http.IncomingMessage) => void } | undefined {
  let url: URL | undefined;
  let options: http.RequestOptions = {};
  let callback: ((res: http.IncomingMessage) => void) | undefined;
  for (const arg of args) {
    if (typeof arg === 'string' || arg instanceof URL) url = new URL(arg);
    else if (typeof arg === 'function') callback = arg as typeof callback;
    else if (arg && typeof arg === 'object') options = arg as http.RequestOptions;
  }
  const host = options.hostname ?? options.host?.replace(/:\d+$/, '') ?? url?.hostname;
  if (!host) return undefined;
  const path = options.path ?? (url ? `${url.pathname}${url.search}` : '/');
  const target = redirected(new URL(path, `https://${host}`), redirect);
  if (!target) return undefined;
  const { agent: _agent, host: _host, hostname: _hostname, port: _port, protocol: _protocol, ...rest } = options as http.RequestOptions & { url?: unknown };
  delete (rest as { url?: unknown }).url;
  return {
    options: {
      ...rest,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port || (target.protocol === 'https:' ? 443 : 80),
      path: `${target.pathname}${target.search}`,
    },
    callback,
  };
}

const url = process.env.EVALSTORE_URL;
if (url) {
  installRedirect({ site: process.env.DD_SITE || 'datadoghq.com', target: new URL(`${url.replace(/\/$/, '')}/datadog`) });
} else if (process.env.NODE_ENV !== 'test') {
  process.emitWarning('evalstore/datadog: EVALSTORE_URL is not set; Datadog requests are not redirected');
}
