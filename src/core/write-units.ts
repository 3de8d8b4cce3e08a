import { type Item, itemSize } from './item.ts';

/** One write capacity unit writes one item of up to 1 KB per second. */
const WCU_BYTES = 1024;

/** The capacity units a put of this item consumes: its size in KB, rounded up. */
export const writeUnits = (item: Item): number => Math.max(1, Math.ceil(itemSize(item) / WCU_BYTES));
