import { Invalid } from '../errors.ts';

/** All MLflow artifacts live under this blob-key prefix. */
export const ARTIFACT_KEY_PREFIX = 'mlflow-artifacts';

const PLAIN_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Marks a segment stored base64url-encoded; plain segments that happen to start with it are encoded
// too, so decoding is unambiguous.
const ENCODED = 'u--';

/**
 * Splits a relative artifact path into its segments, refusing anything that could name something
 * outside the place it is resolved against: '..', '.', empty segments, absolute paths, backslashes
 * and control characters.
 */
export function artifactSegments(path: string): string[] {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return [];
  if (trimmed.startsWith('/')) throw new Invalid(`Invalid artifact path '${path}': it must be relative`);
  if (/[\\\u0000-\u001f\u007f]/.test(trimmed))
    throw new Invalid(`Invalid artifact path '${path}': backslashes and control characters are not allowed`);
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..')
      throw new Invalid(`Invalid artifact path '${path}': empty, '.' and '..' segments are not allowed`);
  }
  return segments;
}

function encodeSegment(segment: string): string {
  if (PLAIN_SEGMENT.test(segment) && !segment.startsWith(ENCODED)) return segment;
  return ENCODED + Buffer.from(segment, 'utf8').toString('base64url');
}

function decodeSegment(segment: string): string {
  return segment.startsWith(ENCODED)
    ? Buffer.from(segment.slice(ENCODED.length), 'base64url').toString('utf8')
    : segment;
}

/**
 * The blob key of an artifact path. Blob keys allow only [A-Za-z0-9._-] segments not starting with a
 * dot, so other segments (spaces, unicode, '.hidden') are stored encoded; the mapping is one-to-one.
 */
export function artifactKeyOf(path: string): string {
  return [ARTIFACT_KEY_PREFIX, ...artifactSegments(path).map(encodeSegment)].join('/');
}

/** The artifact path of a blob key made by artifactKeyOf. */
export function artifactPathOf(key: string): string {
  return key.split('/').slice(1).map(decodeSegment).join('/');
}

/**
 * The path inside the artifact store of an `mlflow-artifacts:` URI: `mlflow-artifacts:/a/b` and
 * `mlflow-artifacts://host:port/a/b` (the host is the tracking server, so it is ignored) give `a/b`.
 */
export function mlflowArtifactsPath(uri: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?(\/.*)?$/.exec(uri);
  if (!m) throw new Invalid(`'${uri}' is not an mlflow-artifacts: URI`);
  const path = (m[1] ?? '').replace(/^\/+/, '');
  artifactSegments(path);
  return path;
}

/** An experiment's artifact location as stored: always this server's `mlflow-artifacts:/<path>`. */
export function artifactRootUri(location: string): string {
  if (!location.startsWith('mlflow-artifacts:')) {
    throw new Invalid(
      `Unsupported artifact_location '${location}': TinySphere stores artifacts itself; use an 'mlflow-artifacts:/<path>' location or leave it unset`,
    );
  }
  const path = mlflowArtifactsPath(location);
  if (!path) throw new Invalid(`Invalid artifact_location '${location}': it needs a path`);
  return `mlflow-artifacts:/${path}`;
}
