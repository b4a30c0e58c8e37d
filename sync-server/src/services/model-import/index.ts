import type { ModelVersion } from '../../../../shared/protocol/index.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import { registerFromArtifact } from '../registry/from-artifact.ts';
import type { RegistryService } from '../registry/registry.ts';
import type { TrackingService } from '../tracking/index.ts';

type Source = Parameters<typeof registerFromArtifact>[1];

/** MLflow's model-versions/create: an ONNX file logged to a run becomes the next registry version. */
export class ModelImportService {
  constructor(
    private readonly deps: {
      registry: RegistryService;
      blobs: BlobStore;
      tracking: Pick<TrackingService, 'artifactKey'>;
      maxBytes: number;
      stagingDir: string;
    },
  ) {}

  fromArtifact(source: Source): Promise<ModelVersion> {
    const { registry, blobs, tracking, maxBytes, stagingDir } = this.deps;
    return registerFromArtifact(
      { registry, blobs, resolve: (uri) => tracking.artifactKey(uri), maxBytes, stagingDir },
      source,
    );
  }
}
