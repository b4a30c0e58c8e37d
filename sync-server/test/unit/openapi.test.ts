import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { openApiDocument, openApiPath } from '../../src/http/openapi.ts';
import { route } from '../../src/http/route.ts';
import { routeGroups } from '../../src/routes/index.ts';

describe('openApiDocument', () => {
  it('documents every registered route with the schemas that validate it', () => {
    const doc = openApiDocument(routeGroups, { title: 't', version: '1' });
    assert.equal(doc.openapi, '3.1.0');
    for (const group of routeGroups) {
      for (const r of group.routes) {
        const p = openApiPath(group.prefix + r.path);
        assert.ok(doc.paths[p]?.[r.method], `${r.method} ${p} is documented`);
      }
    }
    const create = doc.paths['/api/v1/tokens']!.post as {
      requestBody: { content: Record<string, { schema: { $ref: string } }> };
    };
    const ref = create.requestBody.content['application/json']!.schema.$ref;
    const schema = doc.components.schemas[ref.split('/').pop()!] as { properties: Record<string, { enum?: string[] }> };
    assert.deepEqual(schema.properties.role!.enum, ['admin', 'scientist', 'operator', 'viewer']);
  });

  it('is a valid OpenAPI 3.1 document (checked by a validator of the specification)', async () => {
    const doc = JSON.parse(JSON.stringify(openApiDocument(routeGroups, { title: 't', version: '1' })));
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('declares exactly the parameters each path template names (router wildcards included)', () => {
    // The specification's rule a JSON-schema validator cannot check: `{name}` in the template and
    // `in: path` parameters are the same set.
    const doc = openApiDocument(routeGroups, { title: 't', version: '1' });
    assert.ok(
      doc.paths['/api/2.0/mlflow-artifacts/artifacts/{path}']?.get,
      'the wildcard route is documented under its parameter',
    );
    for (const [template, ops] of Object.entries(doc.paths)) {
      const named = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).sort();
      for (const name of named) assert.match(name!, /^\w+$/, `${template}: {${name}} is not a parameter name`);
      for (const [method, op] of Object.entries(
        ops as Record<string, { parameters?: { name: string; in: string }[] }>,
      )) {
        const declared = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort();
        assert.deepEqual(declared, named, `${method} ${template}`);
      }
    }
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
              method: 'get',
              path: '/m/:name',
              summary: 's',
              tags: [],
              access: ['viewer'],
              params: z.object({ name: z.string() }),
              query: z.object({ limit: z.coerce.number().optional(), q: z.string() }),
              response: z.object({ ok: z.boolean() }),
              handler: () => ({ ok: true }),
            }),
          ],
        },
      ],
      { title: 't', version: '1' },
    );
    const op = doc.paths['/api/m/{name}']!.get as {
      parameters: { name: string; in: string; required: boolean }[];
      responses: Record<string, unknown>;
    };
    assert.deepEqual(
      op.parameters.map((p) => [p.name, p.in, p.required]),
      [
        ['name', 'path', true],
        ['limit', 'query', false],
        ['q', 'query', true],
      ],
    );
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '401', '403', 'default']);
  });
});
