import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlflowAnswer } from '../../src/http/mlflow-errors.ts';
import { DomainError } from '../../src/services/errors.ts';
import {
  artifactKeyOf,
  artifactPathOf,
  artifactRootUri,
  mlflowArtifactsPath,
} from '../../src/services/tracking/artifact-paths.ts';
import { assertBlobKey } from '../../src/store/blobs/index.ts';

const invalid = (fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.deepEqual(mlflowAnswer(e), { code: 'INVALID_PARAMETER_VALUE', status: 400 });
    return true;
  });

describe('MLflow artifact paths and blob keys', () => {
  it('keeps plain segments as they are', () => {
    assert.equal(artifactKeyOf('1/abc/artifacts/model/MLmodel'), 'mlflow-artifacts/1/abc/artifacts/model/MLmodel');
    assert.equal(artifactKeyOf('0/r/artifacts/requirements.txt'), 'mlflow-artifacts/0/r/artifacts/requirements.txt');
  });

  it('encodes other segments into valid blob keys, one-to-one', () => {
    const paths = [
      '1/r/artifacts/my file.json',
      '1/r/.hidden',
      '1/r/_x',
      '1/r/u--looks-encoded',
      '1/r/Ünïcödé/日本',
      '1/r/a+b=c',
    ];
    const keys = paths.map(artifactKeyOf);
    for (const [i, key] of keys.entries()) {
      assertBlobKey(key);
      assert.equal(artifactPathOf(key), paths[i]);
    }
    assert.equal(new Set(keys).size, keys.length);
  });

  it('refuses paths that could escape: .., ., empty segments, absolute, backslashes, control characters', () => {
    for (const p of ['1/../x', '..', '1/./x', '1//x', '/etc/passwd', '1\\x', 'a\u0000b', 'a\nb'])
      invalid(() => artifactKeyOf(p));
  });

  it('ignores a trailing slash and maps the empty path to the root', () => {
    assert.equal(artifactKeyOf('1/r/'), 'mlflow-artifacts/1/r');
    assert.equal(artifactKeyOf(''), 'mlflow-artifacts');
  });

  it('reads mlflow-artifacts URIs with or without a host, and normalises experiment locations', () => {
    assert.equal(mlflowArtifactsPath('mlflow-artifacts:/1/r/artifacts'), '1/r/artifacts');
    assert.equal(mlflowArtifactsPath('mlflow-artifacts://tracking:8080/1/r/artifacts'), '1/r/artifacts');
    assert.equal(artifactRootUri('mlflow-artifacts://host/team/a'), 'mlflow-artifacts:/team/a');
    invalid(() => mlflowArtifactsPath('s3://bucket/x'));
    invalid(() => mlflowArtifactsPath('mlflow-artifacts:/1/../../x'));
    invalid(() => artifactRootUri('s3://bucket/x'));
    invalid(() => artifactRootUri('mlflow-artifacts:/'));
  });
});
