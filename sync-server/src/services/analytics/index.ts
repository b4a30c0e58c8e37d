import type {
  DeviceDetail,
  FeatureHistogram,
  FeatureHistogramQuery,
  RecordSample,
  RecordSampleQuery,
} from '../../../../shared/protocol/index.ts';
import type { Queryable } from '../../store/db/index.ts';
import type { DevicesService } from '../devices/index.ts';
import type { DocumentsService } from '../documents/index.ts';
import { deviceDetail } from '../fleet/detail.ts';
import { featureHistogram } from '../fleet/feature-histogram.ts';
import { recordSample } from '../fleet/record-sample.ts';

/** The console's device page and the record-level reads of the fleet (histograms, samples) behind its drift reports. */
export class AnalyticsService {
  constructor(
    private readonly db: Queryable,
    private readonly devices: Pick<DevicesService, 'getDevice'>,
    private readonly documents: Pick<DocumentsService, 'load'>,
  ) {}

  deviceDetail(deviceId: string): Promise<DeviceDetail> {
    return deviceDetail({ db: this.db, devices: this.devices, documents: this.documents }, deviceId);
  }

  featureHistogram(query: FeatureHistogramQuery): Promise<FeatureHistogram> {
    return featureHistogram(this.db, query);
  }

  recordSample(query: RecordSampleQuery): Promise<RecordSample> {
    return recordSample(this.db, query);
  }
}
