import assert from "node:assert/strict";
import { test } from "node:test";
import { DataError } from "../../src/model/dataError.js";
import { parseDataset } from "../../src/model/readDataset.js";
import { ACCOUNT_FEATURES } from "../../src/model/schema.js";
import { HEADER, makeCsv } from "./fixtures.js";

const rowOf = (cells: string[]): string => cells.join(",");
const goodRow = (): string[] => ["1", ...ACCOUNT_FEATURES.map(() => "1.5"), " ", "x"];

test("test_parseDataset_ReadsRowsLabelsAndCompleteness", () => {
  const r = goodRow();
  r[1 + ACCOUNT_FEATURES.indexOf("Total ERC20 tnxs")] = "";
  const ds = parseDataset([HEADER, rowOf(goodRow()), rowOf(r)].join("\n"));
  assert.equal(ds.rows.length, 2);
  assert.deepEqual(Array.from(ds.labels), [1, 1]);
  assert.deepEqual(ds.complete, [true, false]);
  assert.equal(ds.rows[1][ACCOUNT_FEATURES.indexOf("Total ERC20 tnxs")], 0, "empty reads as 0");
  assert.equal(parseDataset(makeCsv(50)).rows.length, 50);
});

test("test_RevertWhen_FileEmpty", () => {
  assert.throws(() => parseDataset(""), (e: unknown) => e instanceof DataError && /empty file/.test(e.message));
});

test("test_RevertWhen_ColumnMissing_NamesColumn", () => {
  const header = HEADER.replace(",Sent tnx,", ",");
  assert.throws(() => parseDataset(header + "\n"), (e: unknown) => e instanceof DataError && e.column === "Sent tnx" && e.row === 1);
});

test("test_RevertWhen_CellNotNumeric_NamesRowAndColumn", () => {
  const r = goodRow();
  r[1 + ACCOUNT_FEATURES.indexOf("max val sent")] = "abc";
  assert.throws(
    () => parseDataset([HEADER, rowOf(goodRow()), rowOf(r)].join("\n")),
    (e: unknown) => e instanceof DataError && e.row === 3 && e.column === "max val sent" && /not a number/.test(e.message),
  );
});

test("test_RevertWhen_LabelNotZeroOrOne", () => {
  const r = goodRow();
  r[0] = "2";
  assert.throws(() => parseDataset([HEADER, rowOf(r)].join("\n")), (e: unknown) => e instanceof DataError && e.row === 2 && e.column === "FLAG");
});

test("test_RevertWhen_HeaderOnly", () => {
  assert.throws(() => parseDataset(HEADER + "\n"), (e: unknown) => e instanceof DataError && /no data rows/.test(e.message));
});
