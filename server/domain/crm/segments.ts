import type { SegmentRules } from './segment-rules.js';

/** A saved segment: a name and the rules its members match (counted live, never stored as a list). */
export interface Segment {
  id: string;
  name: string;
  description: string | null;
  rules: SegmentRules;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}
