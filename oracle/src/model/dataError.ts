/** Bad training/evaluation input: one clear line naming the row and column. CLI exit code 2. */
export class DataError extends Error {
  override name = "DataError";
  constructor(
    readonly shortMessage: string,
    readonly row?: number,
    readonly column?: string,
  ) {
    super(
      `${row !== undefined ? `row ${row}` : "file"}${column !== undefined ? `, column "${column}"` : ""}: ${shortMessage}`,
    );
  }
}
