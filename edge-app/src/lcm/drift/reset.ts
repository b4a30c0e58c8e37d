import { restoreDetector, type DetectorState } from '../../../../shared/drift/detectors/index.ts';
import { Channel } from './channel.ts';

/**
 * What "raise the threshold by f" means per detector: the parameters that make it less sensitive
 * when multiplied (limits, thresholds) or divided (significance levels, confidences) by f.
 */
const THRESHOLDS: Readonly<Record<string, readonly { param: string; scale: 'mul' | 'div' }[]>> = {
  'page-hinkley': [{ param: 'threshold', scale: 'mul' }],
  'ewma-confidence': [
    { param: 'driftLimit', scale: 'mul' },
    { param: 'warningLimit', scale: 'mul' },
  ],
  'knn-distance': [{ param: 'lambdaStd', scale: 'mul' }],
  'prediction-distribution': [
    { param: 'jsThreshold', scale: 'mul' },
    { param: 'alpha', scale: 'div' },
    { param: 'warningAlpha', scale: 'div' },
  ],
  ddm: [
    { param: 'driftThreshold', scale: 'mul' },
    { param: 'warningThreshold', scale: 'mul' },
  ],
  adwin: [{ param: 'delta', scale: 'div' }],
  kswin: [{ param: 'alpha', scale: 'div' }],
  'hddm-a': [
    { param: 'driftConfidence', scale: 'div' },
    { param: 'warningConfidence', scale: 'div' },
  ],
  'hddm-w': [
    { param: 'driftConfidence', scale: 'div' },
    { param: 'warningConfidence', scale: 'div' },
  ],
};

/** The detector's parameters with its threshold raised by `factor` (> 1); others unchanged. */
export function raisedParams(state: DetectorState, factor: number): DetectorState['params'] {
  const params = { ...state.params };
  for (const { param, scale } of THRESHOLDS[state.name] ?? []) {
    const v = params[param];
    if (typeof v === 'number') params[param] = scale === 'mul' ? v * factor : v / factor;
  }
  return params;
}

/**
 * The channel after a false alarm: a fresh detector (reset, its threshold raised when `factor`
 * > 1) and an empty window; the drift count and the last drift time stay, they are history.
 * A detector's own reset keeps what it learned from the reference (e.g. the KNN vectors).
 */
export function resetChannel<X>(channel: Channel<X>, windowSize: number, factor = 1): Channel<X> {
  const s = channel.toJSON();
  const detector = restoreDetector({
    ...s.detector,
    params: factor > 1 ? raisedParams(s.detector, factor) : s.detector.params,
  });
  detector.reset();
  return Channel.fromState<X>(
    { ...s, detector: detector.toJSON(), warning: false, statistics: [], ids: [] },
    windowSize,
  );
}
