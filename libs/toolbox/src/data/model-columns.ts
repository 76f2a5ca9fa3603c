import { ToolError } from '@easyremote/node-sdk';
import { ToolboxErrorCode } from '../errors.js';
import { MAX_FEATURES } from './regression.js';
import type { Table } from './table.js';

export interface ModelColumns {
  readonly target: string;
  readonly features: readonly string[];
}

/** Columns with at least one number and nothing but numbers, across all tables, in first-seen order. */
function numericColumns(tables: readonly Table[]): string[] {
  const state = new Map<string, boolean>();
  for (const table of tables) {
    table.columns.forEach((name, index) => {
      if (state.get(name) === false) return;
      for (const row of table.rows) {
        const cell = row[index];
        if (cell === null || cell === undefined) continue;
        if (typeof cell !== 'number') {
          state.set(name, false);
          return;
        }
        state.set(name, true);
      }
      if (!state.has(name)) state.set(name, false);
    });
  }
  return [...state].filter(([, numeric]) => numeric).map(([name]) => name);
}

/**
 * The regression's columns, fixed once for the whole data set (in the plan), so every chunk fits
 * the same model: `target` defaults to the last numeric column, `features` to the other numeric ones.
 */
export function chooseModelColumns(
  tables: readonly Table[],
  target: string | undefined,
  features: readonly string[] | undefined,
): ModelColumns {
  const known = new Set(tables.flatMap((table) => table.columns));
  for (const name of [...(target === undefined ? [] : [target]), ...(features ?? [])]) {
    if (!known.has(name))
      throw new ToolError(ToolboxErrorCode.InvalidColumn, `no column ${JSON.stringify(name)} in the data set`);
  }
  const numeric = numericColumns(tables);
  const chosenTarget = target ?? numeric.at(-1);
  if (chosenTarget === undefined)
    throw new ToolError(ToolboxErrorCode.InvalidColumn, 'the data set has no numeric column to fit');
  const chosenFeatures = features ?? numeric.filter((name) => name !== chosenTarget);
  if (chosenFeatures.includes(chosenTarget))
    throw new ToolError(
      ToolboxErrorCode.InvalidColumn,
      `${JSON.stringify(chosenTarget)} cannot be both target and feature`,
    );
  if (chosenFeatures.length > MAX_FEATURES)
    throw new ToolError(
      ToolboxErrorCode.InvalidColumn,
      `at most ${MAX_FEATURES} features, got ${chosenFeatures.length}`,
    );
  return { target: chosenTarget, features: chosenFeatures };
}
