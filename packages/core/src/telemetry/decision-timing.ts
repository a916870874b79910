/**
 * When the steps of one decision ran (performance.now(), ms), filled in as it is scored and
 * recorded when its trace is wanted: scoring (features, rules, the outcome) and the commit that
 * made it durable, which it shares with the other decisions of its group commit (`batchSize`).
 */
export interface DecisionTiming {
  scoreStart: number;
  scoreEnd: number;
  commitStart: number;
  commitEnd: number;
  batchSize: number;
}

export function decisionTiming(): DecisionTiming {
  return { scoreStart: 0, scoreEnd: 0, commitStart: 0, commitEnd: 0, batchSize: 0 };
}
