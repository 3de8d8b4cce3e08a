/**
 * What a million rows cost on AWS at a case's measured speed: Lambda compute (arm64) at three memory
 * sizes next to DynamoDB's on-demand writes. Prices are assumed, not fetched: see PRICES.
 */

export const PRICES = {
  /**
   * Lambda arm64 duration, USD per GB-second: us-east-1, first tier (the first 7.5 billion GB-s a
   * month), as AWS has listed it since arm64 functions came out (2021-09); taken as current on
   * 2026-12-06, not checked against the live price page (https://aws.amazon.com/lambda/pricing/).
   */
  lambdaArmGbSecond: 0.0000133334,
  /**
   * DynamoDB on-demand, USD per million write request units (one put of an item up to 1 KB): us-east-1,
   * the price since the cut of 2024-11-01; taken as current on 2026-12-06, not checked live.
   */
  dynamodbMillionWrites: 0.625,
  date: '2026-12-06',
} as const;

/** Lambda gives a function one full vCPU at 1,769 MB, a share below that, and more vCPUs above it. */
const ONE_VCPU_MB = 1769;
export const MEMORY_SIZES_MB = [1024, 1769, 3538] as const;

export type CaseSpeed = {
  readonly rows: number;
  readonly seconds: number;
  readonly cpuMicrosPerRow: number;
};

/**
 * Seconds a million rows take at `memoryMb` with one thread: the measured time, or longer when the
 * function has less than the one vCPU it needs (its CPU time, stretched by the share it gets).
 * More memory than one vCPU's does not make one thread faster.
 */
export const secondsPerMillion = (speed: CaseSpeed, memoryMb: number): number => {
  const wall = (speed.seconds / speed.rows) * 1e6;
  const cpu = speed.cpuMicrosPerRow;
  return Math.max(wall, cpu * Math.max(1, ONE_VCPU_MB / memoryMb));
};

/** USD per million rows: Lambda at each memory size, and DynamoDB's writes (one WRU a row: items under 1 KB). */
export const costPerMillion = (speed: CaseSpeed) => ({
  lambda: Object.fromEntries(
    MEMORY_SIZES_MB.map((memoryMb) => [
      memoryMb,
      secondsPerMillion(speed, memoryMb) * (memoryMb / 1024) * PRICES.lambdaArmGbSecond,
    ]),
  ) as Record<(typeof MEMORY_SIZES_MB)[number], number>,
  dynamodb: PRICES.dynamodbMillionWrites,
});

/** Rows for console.table: each case's Lambda cost per million rows at each memory size, and the writes'. */
export const costTable = (rows: readonly (CaseSpeed & { readonly case: string })[]) =>
  rows.map((row) => {
    const cost = costPerMillion(row);
    return {
      case: row.case,
      rows: row.rows,
      ...Object.fromEntries(
        MEMORY_SIZES_MB.map((memoryMb) => [
          `Lambda $ @${memoryMb} MB (s)`,
          `${cost.lambda[memoryMb].toFixed(4)} (${secondsPerMillion(row, memoryMb).toFixed(0)})`,
        ]),
      ),
      'DynamoDB writes $': cost.dynamodb.toFixed(3),
    };
  });
