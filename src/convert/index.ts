// ANN → SNN conversion: the float ANN runner, calibration, conversion, evaluation, PTQ report.
export { AnnRunner, runAnn, argmaxRows, accuracyOf, type RunAnnOptions, type ActivationHook } from './ann.js';
export {
  activationStats, percentileSorted, type ActivationStatsOptions, type LayerStats, type ConvertProgress,
} from './calibrate.js';
export {
  convertAnn, type ConvertOptions, type ConvertedSnn, type ConvertedLayer, type InputEncoding, type Readout,
} from './convert.js';
export { networkToGraph } from '../graph/from-network.js';
export {
  evaluateSnn, encodeInput, type EvaluateSnnOptions, type SnnAccuracy, type SnnEvaluation,
} from './evaluate.js';
export { quantizationReport, type LayerQuantError, type QuantReportOptions } from './ptq.js';
export { parseLabeledCsv, sliceRows, type LabeledData, type ParseCsvOptions } from './data.js';
export { qat, type QatOptions, type QatResult, type QatEpoch, type QatProgress } from './qat.js';
