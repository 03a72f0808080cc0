/**
 * The traffic-source classifier: pure, no I/O, no AWS. Everything sma knows
 * about where a visit came from is decided here.
 */
export { classifySource, createClassifier, type Classifier } from './classify';
export { CLICK_ID_RULES, type ClickIdRule } from './click-ids';
export { DEFAULT_IGNORED_REFERRERS } from './site';
export { CHANNELS, type Channel, type Classification, type ClassifierOptions, type SourceCategory, type VisitInput } from './types';
