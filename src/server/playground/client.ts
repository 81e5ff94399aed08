/**
 * The playground's own browser-side files, kept as strings so that they ship inside the compiled
 * server (tsc copies no .js/.css files to dist/) and are served from /playground/ like the npm
 * assets: the page then needs no inline script or style and its CSP can stay at 'self'.
 *
 * The script is plain ES2020 for the browser; it is not type-checked, so keep it small.
 */

import { ALERTS_QUERY } from './events-tab';
import { RISK_EXPOSURE_QUERY, SIMULATE_QUERY } from './simulate-tab';

/** Shown in the headers editor; the fetcher leaves the header out while `<key>` is still there. */
export const DEFAULT_HEADERS = '{\n  "Authorization": "Bearer <key>"\n}';

export const DEFAULT_QUERY = `# twin-graph playground: served by the API itself,
# it loads nothing from the internet.
#
# Run: Ctrl-Enter (Cmd-Enter on a Mac) or the ▶ button.
# API key: in the Headers tab below, replace <key>:
#   { "Authorization": "Bearer <key>" }
# HTTP requests carry the headers; a subscription sends
# the key as connectionParams.authorization.
# Settings (gear) can keep the headers in this browser.
# The other tabs: impact analyses, a simulation, risk
# exposure and alerts on the demo data.

query Factories {
  factories(first: 5) {
    totalCount
    edges {
      node {
        id
        name
        country
      }
    }
  }
}
`;

/**
 * A worked impact query on the demo network that `npm start` loads (seeds/demo.json, dated
 * 2026-11-25T00:00:00Z): the supplier outage that hurts most. docs/analysis.md explains each figure
 * of its answer.
 */
export const IMPACT_SUPPLIER_OUTAGE_QUERY = `# Impact: supplier outage, worked on the demo network
# that npm start loads (seeds/demo.json, dated
# 2026-11-25T00:00:00Z, hence the asOf).
#
# Of the demo's 17 suppliers, a 14-day outage of
# S-POLYBOND hurts most. It alone supplies P-SEALANT;
# Leipzig holds less than its safety stock of it, and
# none is on its way there (SH-LEI-SEALANT-1 is only
# PLANNED). Door shells and battery trays need the
# sealant, door modules need the shells: 6 products,
# 5 lines, 2 factories, 12 open orders. Its e-coat has
# a second source (S-COLORIA): listed, but it spreads
# only with includeMitigated: true.
#
# docs/analysis.md explains each figure of the answer.
# Try S-DECCAN, S-KIMOTO or S-HANSEI too, or days: 7.

query ImpactSupplierOutage {
  impact(
    disruption: {
      supplierOutage: {
        supplierId: "S-POLYBOND"
        days: 14
      }
    }
    asOf: "2026-11-25T00:00:00Z"
  ) {
    asOf
    windowEnd
    components {
      product {
        id
        name
      }
      soleSourced
      alternativeSuppliers {
        id
      }
      atRisk
    }
    exposures {
      factory {
        id
      }
      component {
        id
      }
      dailyConsumption
      onHand
      inbound
      daysOfCover
      shortfallDays
    }
    lines {
      line {
        id
        name
      }
      capacityFactorBefore
      capacityFactorAfter
    }
    factories {
      id
    }
    orders {
      id
      customer
      quantity
      dueDate
      product {
        id
      }
      factory {
        id
      }
    }
    shipments {
      id
      status
      eta
    }
    ranking {
      kind
      id
      shortfallDays
      lostUnits
      valueAtRisk
    }
    paths {
      kind
      id
      steps {
        from
        relationship
        to
        forward
      }
    }
  }
}
`;

/** A worked impact query on the demo network: an asset downtime on a bottleneck station. */
export const IMPACT_ASSET_DOWNTIME_QUERY = `# Impact: asset downtime on a bottleneck, worked on the
# demo network (seeds/demo.json, dated 2026-11-25).
#
# The curing oven A-LEI-TRAY-OVEN stands in series on
# Leipzig's battery tray line: down for one 8-hour
# shift, it takes the line's capacity factor from 1 to
# 0, and the line's 12 trays an hour are lost: 96.
# Compare A-LEI-BODY-PRESS1 (one of two presses: c from
# 1 to 0.56) and A-LEI-DOOR-SCREW1 (redundant: c stays
# 1, nothing is lost).
#
# docs/analysis.md explains the figures.

query ImpactAssetDowntime {
  impact(
    disruption: {
      assetDowntime: {
        assetId: "A-LEI-TRAY-OVEN"
        hours: 8
      }
    }
    asOf: "2026-11-25T00:00:00Z"
  ) {
    windowEnd
    lines {
      line {
        id
        name
      }
      capacityFactorBefore
      capacityFactorAfter
    }
    lostUnits {
      product {
        id
        name
      }
      units
      valueAtRisk
    }
    products {
      id
    }
    factories {
      id
    }
    orders {
      id
      quantity
      dueDate
    }
    ranking {
      kind
      id
      shortfallDays
      lostUnits
      valueAtRisk
    }
    paths {
      kind
      id
      steps {
        from
        relationship
        to
        forward
      }
    }
  }
}
`;

/**
 * The tabs a first visit opens with (GraphiQL's `defaultTabs`; tabs kept in the browser's storage
 * win over them). A tab's title is its operation name. Each tab has its own headers, so each
 * carries the `<key>` hint.
 */
export const DEFAULT_TABS: readonly { query: string; headers: string }[] = [
  { query: DEFAULT_QUERY, headers: DEFAULT_HEADERS },
  { query: IMPACT_SUPPLIER_OUTAGE_QUERY, headers: DEFAULT_HEADERS },
  { query: IMPACT_ASSET_DOWNTIME_QUERY, headers: DEFAULT_HEADERS },
  { query: SIMULATE_QUERY, headers: DEFAULT_HEADERS },
  { query: RISK_EXPOSURE_QUERY, headers: DEFAULT_HEADERS },
  { query: ALERTS_QUERY, headers: DEFAULT_HEADERS },
];

export const PLAYGROUND_CSS = `html,
body {
  height: 100%;
  margin: 0;
}
#graphiql {
  height: 100vh;
}
.playground-message {
  font: 16px/1.5 system-ui, sans-serif;
  padding: 2rem;
}
`;

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<g fill="none" stroke="#e10098" stroke-width="2.5"><path d="M8 8 24 8 16 24Z"/></g>
<g fill="#e10098"><circle cx="8" cy="8" r="4"/><circle cx="24" cy="8" r="4"/><circle cx="16" cy="24" r="4"/></g>
</svg>
`;

export const PLAYGROUND_JS = `/* twin-graph playground: GraphiQL with HTTP for queries and graphql-ws for subscriptions. */
(function () {
  'use strict';

  var DEFAULT_QUERY = ${JSON.stringify(DEFAULT_QUERY)};
  var DEFAULT_TABS = ${JSON.stringify(DEFAULT_TABS)};
  var DEFAULT_HEADERS = ${JSON.stringify(DEFAULT_HEADERS)};
  var PLACEHOLDER = /<key>/;

  var root = document.getElementById('graphiql');
  function fail(message) {
    root.textContent = '';
    var p = document.createElement('p');
    p.className = 'playground-message';
    p.textContent = message;
    root.appendChild(p);
  }
  var missing = ['React', 'ReactDOM', 'GraphiQL', 'graphqlWs'].filter(function (name) {
    return !window[name];
  });
  if (missing.length > 0) {
    fail('The playground could not start: ' + missing.join(', ') + ' did not load.');
    return;
  }

  // GraphiQL's dialogs add a <style> element; the page's CSP admits it with this nonce.
  var nonce = document.querySelector('meta[name="twin-style-nonce"]');
  if (nonce && nonce.content) window.__webpack_nonce__ = nonce.content;

  // Same origin as the page: http(s)://<host>/graphql and ws(s)://<host>/graphql.
  var httpUrl = new URL('graphql', document.baseURI).href;
  var wsUrl = httpUrl.replace(/^http/, 'ws');

  /** The headers editor's object as string headers, without empty values and the <key> hint. */
  function cleanHeaders(headers) {
    var out = {};
    if (!headers || typeof headers !== 'object') return out;
    Object.keys(headers).forEach(function (name) {
      var value = headers[name];
      if (value === null || value === undefined) return;
      value = typeof value === 'string' ? value.trim() : String(value);
      if (value === '' || PLACEHOLDER.test(value)) return;
      if (name.toLowerCase() === 'authorization' && /^bearer$/i.test(value)) return;
      out[name] = value;
    });
    return out;
  }

  // The operations from the query text itself: GraphiQL's documentAST and operationName can lag
  // behind the editor (they are updated after a debounce), e.g. when Ctrl-Enter follows a paste.
  var TOKENS = /"""[\\s\\S]*?"""|"(?:[^"\\\\\\n\\r]|\\\\.)*"|#[^\\n\\r]*|[{}()]|@?[_A-Za-z][_0-9A-Za-z]*/g;
  function parseOperations(query) {
    var operations = [];
    var current = null;
    var braces = 0;
    var parens = 0;
    var match;
    TOKENS.lastIndex = 0;
    while ((match = TOKENS.exec(String(query || '')))) {
      var token = match[0];
      if (token === '(') parens++;
      else if (token === ')') parens--;
      else if (token === '}') braces--;
      else if (token === '{') {
        if (braces === 0) {
          var definition = current || { type: 'query', name: null };
          if (definition.type !== 'fragment') operations.push(definition);
          current = null;
        }
        braces++;
      } else if (braces === 0 && parens === 0 && /^[_A-Za-z]/.test(token)) {
        if (!current) current = { type: token, name: null };
        else if (current.name === null) current.name = token;
      }
    }
    return operations;
  }

  /** The operation to run and its name, with a stale name from GraphiQL corrected. */
  function pickOperation(params) {
    var operations = parseOperations(params.query);
    var name = params.operationName || undefined;
    var op = name
      ? operations.find(function (o) {
          return o.name === name;
        })
      : undefined;
    if (!op && operations.length === 1) {
      op = operations[0];
      name = op.name || undefined;
    }
    return { type: op ? op.type : 'query', name: name };
  }

  function httpFetch(params, headers) {
    var h = new Headers({
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    });
    Object.keys(headers).forEach(function (name) {
      h.set(name, headers[name]);
    });
    return fetch(httpUrl, {
      method: 'POST',
      headers: h,
      body: JSON.stringify(params),
      credentials: 'same-origin',
    }).then(function (res) {
      return res.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          throw new Error(
            'HTTP ' + res.status + ' ' + res.statusText + (text ? ': ' + text.slice(0, 500) : ''),
          );
        }
      });
    });
  }

  // One graphql-ws client per set of connection params: a changed Authorization reconnects.
  var ws = null;
  function wsClient(connectionParams) {
    var key = JSON.stringify(connectionParams);
    if (ws && ws.key === key) return ws.client;
    if (ws) ws.client.dispose();
    ws = {
      key: key,
      client: graphqlWs.createClient({
        url: wsUrl,
        connectionParams: connectionParams,
        lazy: true,
        retryAttempts: 3,
      }),
    };
    return ws.client;
  }

  function toError(e) {
    if (Array.isArray(e) || e instanceof Error) return e;
    if (e && typeof e.code === 'number') {
      return new Error('WebSocket closed (code ' + e.code + (e.reason ? ': ' + e.reason : '') + ')');
    }
    return new Error('WebSocket error: could not reach ' + wsUrl);
  }

  function wsSubscribe(params, headers) {
    // connectionParams carry the headers with lower-case names: { authorization: 'Bearer ...' }.
    var connectionParams = {};
    Object.keys(headers).forEach(function (name) {
      connectionParams[name.toLowerCase()] = headers[name];
    });
    var client = wsClient(connectionParams);
    return {
      subscribe: function (observer) {
        var unsubscribe = client.subscribe(params, {
          next: function (value) {
            observer.next(value);
          },
          error: function (e) {
            observer.error(toError(e));
          },
          complete: function () {
            observer.complete();
          },
        });
        return { unsubscribe: unsubscribe };
      },
    };
  }

  function fetcher(graphiqlParams, opts) {
    var headers = cleanHeaders(opts && opts.headers);
    var op = pickOperation(graphiqlParams);
    var params = { query: graphiqlParams.query, operationName: op.name };
    if (graphiqlParams.variables) params.variables = graphiqlParams.variables;
    return op.type === 'subscription' ? wsSubscribe(params, headers) : httpFetch(params, headers);
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: DEFAULT_HEADERS,
      defaultTabs: DEFAULT_TABS,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
    }),
  );
})();
`;
