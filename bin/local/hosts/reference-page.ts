/**
 * Renders an OpenAPI document as one HTML page: operations grouped by tag, with who may call them, their
 * parameters, body and answer schemas. Self-contained (the local runtime works offline; the page loads nothing).
 */
type Json = Record<string, unknown>;

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pretty = (v: unknown): string => `<pre>${escape(JSON.stringify(v, null, 2))}</pre>`;

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
h2{border-bottom:1px solid #ccd;margin-top:2.5rem}details{border:1px solid #dde;border-radius:6px;margin:.5rem 0;padding:.3rem .7rem}
summary{cursor:pointer}code.m{display:inline-block;min-width:4.2rem;font-weight:700}.GET{color:#176}.POST{color:#451}.PATCH,.PUT{color:#740}.DELETE{color:#922}
table{border-collapse:collapse}td,th{border:1px solid #dde;padding:.2rem .5rem;text-align:left;vertical-align:top}pre{background:#f5f6f8;padding:.5rem;overflow:auto;font-size:13px}`;

const parametersTable = (params: Json[]): string =>
  params.length === 0
    ? ''
    : `<table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${params
        .map((p) => `<tr><td><code>${escape(String(p.name))}</code></td><td>${escape(String(p.in))}</td><td>${p.required ? 'yes' : ''}</td><td><code>${escape(JSON.stringify(p.schema))}</code>${p.description ? `<br>${escape(String(p.description))}` : ''}</td></tr>`)
        .join('')}</table>`;

const operationHtml = (method: string, path: string, op: Json): string => {
  const roles = (op['x-roles'] as string[] | undefined)?.join(', ');
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
  const responses = Object.entries(op.responses as Json)
    .filter(([status]) => status.startsWith('2'))
    .map(([status, r]) => `<p>${status}</p>${pretty(((r as Json).content as Json | undefined)?.['application/json'] ?? (r as Json).description)}`)
    .join('');
  return `<details><summary><code class="m ${method.toUpperCase()}">${method.toUpperCase()}</code> <code>${escape(path)}</code> ${escape(String(op.summary ?? ''))}</summary>
<p>${roles ? `Roles: <b>${escape(roles)}</b>` : 'Open: no token needed'} · operation <code>${escape(String(op.operationId))}</code></p>
${parametersTable((op.parameters as Json[] | undefined) ?? [])}${body ? `<p>Body</p>${pretty(body.schema)}` : ''}${responses}</details>`;
};

export const referencePage = (doc: Json): string => {
  const info = doc.info as Json;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op as Json).tags as string[] | undefined)?.[0] ?? 'api';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op as Json)]);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${escape(tag)}</h2>${ops.join('\n')}`).join('\n');
  const server = ((doc.servers as Json[] | undefined)?.[0]?.url as string | undefined) ?? '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(String(info.title))}</title><style>${STYLE}</style></head>
<body><h1>${escape(String(info.title))} <small>${escape(String(info.version))}</small></h1><p>${escape(String(info.description ?? ''))}</p>
<p>Server: <code>${escape(server)}</code> · the document: <a href="openapi.json">openapi.json</a></p>${sections}</body></html>`;
};
