import type { Logger } from 'pino';
import { InvalidOnnxError, readOnnxMetadata, type OnnxMetadata } from '../../../../shared/onnx/reader.ts';
import type { ModelVersion, RegisteredModel, VersionMetadata } from '../../../../shared/protocol/index.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import { assertNotDeployed, lockForChange } from '../deployments/in-use.ts';
import type { BlobStore, ByteRange } from '../../store/blobs/index.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import {
  decodePageToken,
  encodePageToken,
  MODEL_SELECT,
  toModel,
  toVersion,
  VERSION_SELECT,
  type ModelRow,
  type VersionRow,
} from './rows.ts';
import {
  checkFeatureWidth,
  declaredFeatures,
  withReferenceProfile,
  buildReference,
  type ReferenceInput,
} from './reference.ts';
import { ArtifactIntegrity } from './integrity.ts';
import type { StagedFile } from './staging.ts';

export const artifactKey = (sha256: string) => `models/sha256/${sha256}`;

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

const notFound = (what: string) => new NotFound(`${what} does not exist`);

/**
 * Serialises the transactions that decide whether an artifact's blob is still needed: a version
 * being registered with these bytes, and the clean-up after a failed registration.
 */
const lockArtifact = (q: Queryable, sha256: string) =>
  q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`artifact:${sha256}`]);

/**
 * The model registry: registered models, their monotonic versions, aliases with history, and the
 * artifact bytes stored once per sha256. Both /api/v1 and MLflow's registry API call this service.
 */
export class RegistryService {
  private readonly integrity: ArtifactIntegrity;

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly logger?: Logger,
  ) {
    this.integrity = new ArtifactIntegrity(blobs, logger);
  }

  /** Reads the ONNX graph of a staged file; refuses what is not a valid model. */
  async inspect(file: StagedFile): Promise<OnnxMetadata> {
    const source = await file.source();
    try {
      return await readOnnxMetadata(source);
    } catch (err) {
      if (err instanceof InvalidOnnxError) throw new Invalid(err.message);
      throw err;
    } finally {
      await source.close();
    }
  }

  /**
   * Registers a staged, not yet validated file as the next version of `name` (creating the model).
   * Validation happens before anything is stored (the ONNX graph, the declared features against its
   * input width, the reference CSV when one comes along); the bytes are stored once per sha256.
   */
  async registerVersion(input: {
    name: string;
    file: StagedFile;
    metadata?: VersionMetadata;
    reference?: ReferenceInput;
    source?: string;
    runId?: string;
    createdBy?: string;
  }): Promise<ModelVersion> {
    const onnx = await this.inspect(input.file);
    let meta = input.metadata ?? {};
    checkFeatureWidth(onnx, declaredFeatures(meta));
    if (input.reference) meta = await withReferenceProfile(onnx, meta, input.reference);
    const { sha256, size } = input.file;
    const added = await this.storeArtifact(input.file);
    const version = await this.db
      .transaction(async (tx) => {
        await lockArtifact(tx, sha256);
        const model = await tx.query<{ id: string }>(
          `INSERT INTO registered_models (name, created_by) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET updated_at = now() RETURNING id`,
          [input.name, input.createdBy ?? null],
        );
        const id = model.rows[0]!.id;
        const next = await tx.query<{ last_version: number }>(
          'UPDATE registered_models SET last_version = last_version + 1 WHERE id = $1 RETURNING last_version',
          [id],
        );
        await tx.query(
          'INSERT INTO model_artifacts (sha256, size, onnx) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
          [sha256, size, JSON.stringify(onnx)],
        );
        const v = next.rows[0]!.last_version;
        await tx.query(
          `INSERT INTO model_versions (model_id, version, sha256, metadata, description, tags, source, run_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            id,
            v,
            sha256,
            JSON.stringify(meta),
            meta.description ?? '',
            JSON.stringify(meta.tags ?? {}),
            input.source ?? null,
            input.runId ?? meta.runId ?? null,
            input.createdBy ?? null,
          ],
        );
        return v;
      })
      .catch(async (err: unknown) => {
        // Nothing may stay behind a refused version: bytes this request added go unless a version
        // committed meanwhile refers to them.
        if (added) await this.dropIfUnreferenced(sha256);
        // A value PostgreSQL refuses (class 22) becomes the client's 400 in http/errors.ts.
        throw err;
      });
    // A concurrent delete of the last version sharing these bytes may have removed the blob between
    // our stat and our commit; the row we just committed needs it, so put it back.
    if (!(await this.blobs.stat(artifactKey(sha256))))
      await this.blobs.put(artifactKey(sha256), input.file.stream(), size);
    this.logger?.info({ model: input.name, version, sha256, size }, 'model version registered');
    return this.getVersion(input.name, version);
  }

  /** Creates a model with no versions yet (MLflow's registered-models/create); 409 when the name is taken. */
  async createModel(
    name: string,
    opts: { description?: string; tags?: Record<string, string>; createdBy?: string },
  ): Promise<RegisteredModel> {
    const { rowCount } = await this.db.query(
      `INSERT INTO registered_models (name, description, tags, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
      [name, opts.description ?? '', JSON.stringify(opts.tags ?? {}), opts.createdBy ?? null],
    );
    if (!rowCount) throw new Conflict(`registered model "${name}" already exists`);
    return this.getModel(name);
  }

  /** Models whose names match a SQL LIKE pattern (or all), for MLflow's search; ordered by name. */
  async searchModels(opts: {
    like?: string;
    ilike?: string;
    equals?: string;
    limit: number;
    offset: number;
  }): Promise<RegisteredModel[]> {
    const { rows } = await this.db.query<ModelRow>(
      `${MODEL_SELECT} WHERE ($1::text IS NULL OR m.name LIKE $1) AND ($2::text IS NULL OR m.name ILIKE $2) AND ($3::text IS NULL OR m.name = $3)
       ORDER BY m.name LIMIT $4 OFFSET $5`,
      [opts.like ?? null, opts.ilike ?? null, opts.equals ?? null, opts.limit, opts.offset],
    );
    return rows.map(toModel);
  }

  async getModel(name: string, q: Queryable = this.db): Promise<RegisteredModel> {
    const { rows } = await q.query<ModelRow>(`${MODEL_SELECT} WHERE m.name = $1`, [name]);
    if (!rows[0]) throw notFound(`registered model "${name}"`);
    return toModel(rows[0]);
  }

  async listModels(opts: { search?: string; pageSize: number; pageToken?: string }): Promise<Page<RegisteredModel>> {
    const after = decodePageToken<string>(opts.pageToken, 'string');
    if (opts.pageToken && after === undefined) throw new Invalid('invalid page token');
    const { rows } = await this.db.query<ModelRow>(
      `${MODEL_SELECT} WHERE ($1::text IS NULL OR m.name ILIKE '%' || $1 || '%' OR m.description ILIKE '%' || $1 || '%')
         AND ($2::text IS NULL OR m.name > $2) ORDER BY m.name LIMIT $3`,
      [opts.search ?? null, after ?? null, opts.pageSize + 1],
    );
    const items = rows.slice(0, opts.pageSize).map(toModel);
    return { items, nextPageToken: rows.length > opts.pageSize ? encodePageToken(items.at(-1)!.name) : null };
  }

  async updateModel(
    name: string,
    patch: { description?: string; tags?: Record<string, string>; removeTags?: string[] },
  ): Promise<RegisteredModel> {
    const { rowCount } = await this.db.query(
      `UPDATE registered_models SET description = coalesce($2, description),
         tags = (tags || coalesce($3::jsonb, '{}'::jsonb)) - coalesce($4::text[], '{}'), updated_at = now()
       WHERE name = $1`,
      [name, patch.description ?? null, patch.tags ? JSON.stringify(patch.tags) : null, patch.removeTags ?? null],
    );
    if (!rowCount) throw notFound(`registered model "${name}"`);
    return this.getModel(name);
  }

  /** Refused (409) while a group runs the model or would roll back to it: deployments name models by name. */
  async renameModel(name: string, newName: string): Promise<RegisteredModel> {
    try {
      await this.db.transaction(async (tx) => {
        if (!(await lockForChange(tx, name))) throw notFound(`registered model "${name}"`);
        await assertNotDeployed(tx, name, undefined, 'renamed');
        await tx.query('UPDATE registered_models SET name = $2, updated_at = now() WHERE name = $1', [name, newName]);
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new Conflict(`registered model "${newName}" already exists`);
      throw err;
    }
    return this.getModel(newName);
  }

  async deleteModel(name: string): Promise<void> {
    const shas = await this.db.transaction(async (tx) => {
      if (!(await lockForChange(tx, name))) throw notFound(`registered model "${name}"`);
      await assertNotDeployed(tx, name);
      const { rows } = await tx.query<{ sha256: string }>(
        `SELECT DISTINCT v.sha256 FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE m.name = $1`,
        [name],
      );
      const { rowCount } = await tx.query('DELETE FROM registered_models WHERE name = $1', [name]);
      if (!rowCount) throw notFound(`registered model "${name}"`);
      return rows.map((r) => r.sha256);
    });
    await this.collectArtifacts(shas);
  }

  /** `ref` is a version number or an alias. */
  async resolveVersion(name: string, ref: string | number, q: Queryable = this.db): Promise<number> {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) return Number(ref);
    const { rows } = await q.query<{ version: number }>(
      'SELECT a.version FROM model_aliases a JOIN registered_models m ON m.id = a.model_id WHERE m.name = $1 AND a.alias = $2',
      [name, ref],
    );
    if (!rows[0]) throw notFound(`alias "${ref}" of model "${name}"`);
    return rows[0].version;
  }

  async getVersion(name: string, ref: string | number): Promise<ModelVersion> {
    const version = await this.resolveVersion(name, ref);
    const { rows } = await this.db.query<VersionRow>(`${VERSION_SELECT} WHERE m.name = $1 AND v.version = $2`, [
      name,
      version,
    ]);
    if (!rows[0]) throw notFound(`version ${version} of model "${name}"`);
    return toVersion(rows[0]);
  }

  /**
   * Adds or replaces a version's reference profile, built from a training CSV against the features
   * the version declares. Devices that already hold the model keep the profile they got with it.
   */
  async setReference(name: string, ref: string | number, reference: ReferenceInput): Promise<ModelVersion> {
    const current = await this.getVersion(name, ref);
    const features = declaredFeatures(current.metadata);
    if (!features) {
      throw new Invalid(
        `version ${current.version} of "${name}" declares no feature names (metadata "features"), so the CSV's columns cannot be matched to its inputs`,
      );
    }
    checkFeatureWidth(current, features);
    const profile = await buildReference(reference, features);
    const { rowCount } = await this.db.query(
      `UPDATE model_versions v SET metadata = v.metadata || jsonb_build_object('referenceProfile', $3::jsonb), updated_at = now()
       FROM registered_models m WHERE m.id = v.model_id AND m.name = $1 AND v.version = $2`,
      [name, current.version, JSON.stringify(profile)],
    );
    if (!rowCount) throw notFound(`version ${current.version} of model "${name}"`);
    this.logger?.info({ model: name, version: current.version, rows: profile.rows }, 'reference profile set');
    return this.getVersion(name, current.version);
  }

  async listVersions(name: string, opts: { pageSize: number; pageToken?: string }): Promise<Page<ModelVersion>> {
    await this.getModel(name);
    const before = decodePageToken<number>(opts.pageToken, 'number');
    if (opts.pageToken && before === undefined) throw new Invalid('invalid page token');
    const { rows } = await this.db.query<VersionRow>(
      `${VERSION_SELECT} WHERE m.name = $1 AND ($2::int IS NULL OR v.version < $2) ORDER BY v.version DESC LIMIT $3`,
      [name, before ?? null, opts.pageSize + 1],
    );
    const items = rows.slice(0, opts.pageSize).map(toVersion);
    return { items, nextPageToken: rows.length > opts.pageSize ? encodePageToken(items.at(-1)!.version) : null };
  }

  /** Versions across models, for MLflow's search: optional model name and run filters. */
  async searchVersions(opts: {
    name?: string;
    runId?: string;
    sha256?: string;
    limit: number;
    offset: number;
  }): Promise<ModelVersion[]> {
    const { rows } = await this.db.query<VersionRow>(
      `${VERSION_SELECT} WHERE ($1::text IS NULL OR m.name = $1) AND ($2::text IS NULL OR v.run_id = $2) AND ($3::text IS NULL OR v.sha256 = $3)
       ORDER BY m.name, v.version DESC LIMIT $4 OFFSET $5`,
      [opts.name ?? null, opts.runId ?? null, opts.sha256 ?? null, opts.limit, opts.offset],
    );
    return rows.map(toVersion);
  }

  async updateVersion(
    name: string,
    ref: string | number,
    patch: {
      description?: string;
      tags?: Record<string, string>;
      removeTags?: string[];
      stage?: ModelVersion['stage'];
      archiveExisting?: boolean;
    },
  ): Promise<ModelVersion> {
    const version = await this.resolveVersion(name, ref);
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE model_versions v SET description = coalesce($3, v.description),
           tags = (v.tags || coalesce($4::jsonb, '{}'::jsonb)) - coalesce($5::text[], '{}'), stage = coalesce($6, v.stage), updated_at = now()
         FROM registered_models m WHERE m.id = v.model_id AND m.name = $1 AND v.version = $2`,
        [
          name,
          version,
          patch.description ?? null,
          patch.tags ? JSON.stringify(patch.tags) : null,
          patch.removeTags ?? null,
          patch.stage ?? null,
        ],
      );
      if (!rowCount) throw notFound(`version ${version} of model "${name}"`);
      if (patch.stage && patch.archiveExisting && patch.stage !== 'None' && patch.stage !== 'Archived') {
        await tx.query(
          `UPDATE model_versions v SET stage = 'Archived', updated_at = now() FROM registered_models m
           WHERE m.id = v.model_id AND m.name = $1 AND v.version <> $2 AND v.stage = $3`,
          [name, version, patch.stage],
        );
      }
    });
    return this.getVersion(name, version);
  }

  async deleteVersion(name: string, ref: string | number): Promise<void> {
    const version = await this.resolveVersion(name, ref);
    const sha = await this.db.transaction(async (tx) => {
      if (!(await lockForChange(tx, name, version))) throw notFound(`version ${version} of model "${name}"`);
      await assertNotDeployed(tx, name, version);
      const { rows } = await tx.query<{ sha256: string }>(
        `DELETE FROM model_versions v USING registered_models m WHERE m.id = v.model_id AND m.name = $1 AND v.version = $2 RETURNING v.sha256`,
        [name, version],
      );
      if (!rows[0]) throw notFound(`version ${version} of model "${name}"`);
      return rows[0].sha256;
    });
    await this.collectArtifacts([sha]);
  }

  /** Moves (or creates) an alias; every move is kept in the alias history. */
  async setAlias(name: string, alias: string, version: number, by: string | undefined): Promise<void> {
    await this.db.transaction(async (tx) => {
      const model = await tx.query<{ id: string }>('SELECT id FROM registered_models WHERE name = $1 FOR UPDATE', [
        name,
      ]);
      const id = model.rows[0]?.id;
      if (!id) throw notFound(`registered model "${name}"`);
      const exists = await tx.query('SELECT 1 FROM model_versions WHERE model_id = $1 AND version = $2', [id, version]);
      if (!exists.rowCount) throw notFound(`version ${version} of model "${name}"`);
      const prev = await tx.query<{ version: number }>(
        'SELECT version FROM model_aliases WHERE model_id = $1 AND alias = $2',
        [id, alias],
      );
      await tx.query(
        `INSERT INTO model_aliases (model_id, alias, version, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (model_id, alias) DO UPDATE SET version = $3, updated_by = $4, updated_at = now()`,
        [id, alias, version, by ?? null],
      );
      await tx.query(
        'INSERT INTO model_alias_history (model_id, alias, version, previous_version, changed_by) VALUES ($1, $2, $3, $4, $5)',
        [id, alias, version, prev.rows[0]?.version ?? null, by ?? null],
      );
    });
  }

  async deleteAlias(name: string, alias: string, by: string | undefined): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ model_id: string; version: number }>(
        `DELETE FROM model_aliases a USING registered_models m WHERE m.id = a.model_id AND m.name = $1 AND a.alias = $2 RETURNING a.model_id, a.version`,
        [name, alias],
      );
      if (!rows[0]) throw notFound(`alias "${alias}" of model "${name}"`);
      await tx.query(
        'INSERT INTO model_alias_history (model_id, alias, version, previous_version, changed_by) VALUES ($1, $2, NULL, $3, $4)',
        [rows[0].model_id, alias, rows[0].version, by ?? null],
      );
    });
  }

  async aliasHistory(name: string, alias?: string) {
    await this.getModel(name);
    const { rows } = await this.db.query<{
      alias: string;
      version: number | null;
      previous_version: number | null;
      changed_by: string | null;
      changed_at: Date;
    }>(
      `SELECT h.alias, h.version, h.previous_version, h.changed_by, h.changed_at FROM model_alias_history h
       JOIN registered_models m ON m.id = h.model_id WHERE m.name = $1 AND ($2::text IS NULL OR h.alias = $2) ORDER BY h.id`,
      [name, alias ?? null],
    );
    return rows.map((r) => ({
      alias: r.alias,
      version: r.version,
      previousVersion: r.previous_version,
      changedBy: r.changed_by,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  /**
   * The stored bytes of a version, optionally a byte range; only when all of them hash to its
   * sha256. A damaged or missing copy is a 409 naming the artifact, before any byte is sent: a
   * device reports the message and keeps its model, and uploading the same file again repairs it.
   */
  async openArtifact(sha256: string, range?: ByteRange) {
    const intact = await this.integrity.intact(artifactKey(sha256), sha256);
    if (intact === false) {
      throw new Conflict(
        `the stored bytes of artifact ${sha256} are damaged (they no longer hash to it); upload the same model file again to repair them`,
      );
    }
    const stream = intact && (await this.blobs.get(artifactKey(sha256), range));
    if (!stream)
      throw new Conflict(
        `the bytes of artifact ${sha256} are missing from the blob store; upload the same model file again to restore them`,
      );
    return stream;
  }

  /**
   * Puts the staged bytes in the blob store unless an intact copy is there; true when this call
   * added them (so they go again if the registration fails). A damaged copy is replaced.
   */
  private async storeArtifact(file: StagedFile): Promise<boolean> {
    const key = artifactKey(file.sha256);
    const intact = await this.integrity.intact(key, file.sha256);
    if (intact) return false;
    await this.blobs.put(key, file.stream(), file.size);
    return intact === undefined;
  }

  private async dropIfUnreferenced(sha256: string): Promise<void> {
    await this.db
      .transaction(async (tx) => {
        await lockArtifact(tx, sha256);
        const { rowCount } = await tx.query('SELECT 1 FROM model_artifacts WHERE sha256 = $1', [sha256]);
        if (!rowCount) await this.blobs.delete(artifactKey(sha256));
      })
      .catch((err: unknown) =>
        this.logger?.warn({ err, sha256 }, 'could not remove the bytes of a refused model version'),
      );
  }

  /**
   * Removes artifacts no version refers to any more (their bytes are shared by sha256). The blob goes
   * before the row's deletion commits: a concurrent registerVersion of the same bytes waits on the row
   * lock, then finds the blob gone after its own commit and puts it back (see registerVersion).
   */
  private async collectArtifacts(shas: string[]): Promise<void> {
    for (const sha of shas) {
      await this.db
        .transaction(async (tx) => {
          const { rowCount } = await tx.query(
            'DELETE FROM model_artifacts a WHERE a.sha256 = $1 AND NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.sha256 = a.sha256)',
            [sha],
          );
          if (rowCount) await this.blobs.delete(artifactKey(sha));
        })
        .catch((err: unknown) =>
          this.logger?.warn({ err, sha }, 'could not collect an unreferenced artifact; it stays until the next delete'),
        );
    }
  }
}
