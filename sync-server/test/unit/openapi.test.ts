import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { openApiDocument } from '../../src/http/openapi.ts';
import { route } from '../../src/http/route.ts';
import { routeGroups } from '../../src/routes/index.ts';

describe('openApiDocument', () => {
  it('documents every registered route with the schemas that validate it', () => {
    const doc = openApiDocument(routeGroups, { title: 't', version: '1' });
    assert.equal(doc.openapi, '3.1.0');
    for (const group of routeGroups) {
      for (const r of group.routes) {
        const p = (group.prefix + r.path).replace(/:(\w+)/g, '{$1}');
        assert.ok(doc.paths[p]?.[r.method], `${r.method} ${p} is documented`);
      }
    }
    const create = doc.paths['/api/v1/tokens']!.post as { requestBody: { content: Record<string, { schema: { $ref: string } }> } };
    const ref = create.requestBody.content['application/json']!.schema.$ref;
    const schema = doc.components.schemas[ref.split('/').pop()!] as { properties: Record<string, { enum?: string[] }> };
    assert.deepEqual(schema.properties.role!.enum, ['admin', 'scientist', 'operator', 'viewer']);
  });

  it('leaves no reference dangling', () => {
    const doc = openApiDocument(routeGroups, { title: 't', version: '1' });
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      assert.ok(name && name in doc.components.schemas, `${ref} resolves`);
    }
  });

  it('turns path and query schemas into parameters, path ones required', () => {
    const doc = openApiDocument(
      [
        {
          prefix: '/api',
          routes: [
            route({
              method: 'get', path: '/m/:name', summary: 's', tags: [], access: ['viewer'],
              params: z.object({ name: z.string() }), query: z.object({ limit: z.coerce.number().optional(), q: z.string() }),
              response: z.object({ ok: z.boolean() }), handler: () => ({ ok: true }),
            }),
          ],
        },
      ],
      { title: 't', version: '1' },
    );
    const op = doc.paths['/api/m/{name}']!.get as { parameters: { name: string; in: string; required: boolean }[]; responses: Record<string, unknown> };
    assert.deepEqual(op.parameters.map((p) => [p.name, p.in, p.required]), [['name', 'path', true], ['limit', 'query', false], ['q', 'query', true]]);
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '401', '403', 'default']);
  });
});
