/**
 * A CSV file with a bit of everything the pipeline meets, keyed by a number `ID`: good rows,
 * rows with the wrong field count or a key that is not a number (rejected), a key repeated far
 * apart as `7` and `007` (the later row wins), and fields with quoted commas and newlines.
 */
export const sampleCsv = (rows: number, eol = '\n'): { text: string; bad: number; distinct: number } => {
  const lines = ['ID,Name,Price,Active,Notes'];
  let bad = 0;
  const keys = new Set<string>();
  for (let row = 1; row <= rows; row++) {
    if (row % 37 === 0) {
      lines.push(`${row},too,few`);
      bad++;
    } else if (row % 53 === 0) {
      lines.push(`x${row},bad key,1,true,`);
      bad++;
    } else {
      const id = row % 101 === 0 ? '007' : String(row);
      keys.add(String(Number(id)));
      const notes = row % 5 === 0 ? `"line one\nline ""two"", with comma"` : '';
      lines.push(`${id},name ${row},${row}.25,${row % 2 === 0 ? 'true' : 'FALSE'},${notes}`);
    }
  }
  return { text: `${lines.join(eol)}${eol}`, bad, distinct: keys.size };
};
