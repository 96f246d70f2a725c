import { type PriceTable, PriceTableError, parsePriceTable } from '@taskscope/fargate';

/**
 * Reads a `--prices FILE` (the agent's and `taskscope rightsize`'s): JSON in the shape
 * `parsePriceTable` documents. Throws a {@link PriceTableError} (exit 2) naming the setting and
 * the file when it cannot be read or is not JSON, and every field at fault when it is not a table.
 */
export function readPriceTableFile(
  path: string,
  setting: string,
  readFile: (path: string) => string,
): PriceTable {
  const source = `price table ${path} (${setting})`;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new PriceTableError(source, [
      {
        field: setting,
        value: path,
        allowed: `a readable JSON price table file (it cannot be read: ${reason})`,
      },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PriceTableError(source, [
      {
        field: setting,
        value: path,
        allowed: `a JSON price table (the file is not JSON: ${(error as Error).message})`,
      },
    ]);
  }
  return parsePriceTable(json, source);
}
