/**
 * DESIGN.md's error table, typed by hand from the design (never from `src/`), so that a drift between the
 * design and the classifier's own lists fails a test instead of agreeing with itself.
 */
export const DESIGN_ERROR_CODES = {
  absent: [30003, 70107],
  transient: [30006, 30007, 30008, 60008, 60013, 60014, 70169, 70202, 70500],
  throttled: [60007, 60011, 60018, 60019, 70050],
  're-sign': [70001, 70002, 70003, 70005, 70009, 60004, 60005, 70052],
  permanent: [
    30001, 30004, 60002, 60003, 60006, 60009, 60010, 60012, 60015, 60016, 60017, 60020, 60021, 70013, 70014,
    70016, 70020, 70051, 70402, 70403,
  ],
} as const satisfies Record<string, readonly number[]>;

/**
 * The plan commands' own codes, typed by hand from DESIGN.md "Error classification" and API.md §4, §8:
 * each family's "account does not exist", documented retry codes, "feature not enabled" codes and
 * per-item "already gone" codes.
 */
export const PLAN_ERROR_CODES = {
  absent: [40003, 50001, 10019],
  transient: [10002, 10018, 40006, 50004, 50005],
  gone: [10010, 10015, 31704, 51009],
  'not-enabled': [30005, 51013],
} as const satisfies Record<string, readonly number[]>;
